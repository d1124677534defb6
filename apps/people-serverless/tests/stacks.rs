//! The people-serverless stacks: cfn-lint clean including informational checks; the security
//! defaults of the table, queues, buckets, functions and API stage (encryption, public access,
//! logging, tracing); every deliberate exception with its reason, and exactly which; each
//! grant's exact actions and resources — with nothing else reaching the table, the queue or
//! the audit bucket, through a role or a resource policy.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not production code

use std::collections::BTreeMap;

use cloudwright_core::{App, Assembly};
use cloudwright_iam::assertions::{IamAssertions, Permission};
use cloudwright_testing::{Match, Template, assert_lint_clean_informational};
use serde_json::json;

fn assembly() -> Assembly {
    let mut app = App::new();
    app_people_serverless::build(&mut app).unwrap();
    app.synth().unwrap()
}

const TABLE: &str = r#"{"Fn::ImportValue":"PeopleData:ExportsOutputFnGetAttPeopleTableArn"}"#;
const QUEUE: &str = r#"{"Fn::ImportValue":"PeopleData:ExportsOutputFnGetAttWritesQueueArn"}"#;
const OBJECTS: &str = r#"{"Fn::ImportValue":"PeopleData:ExportsOutputFnGetAttAuditBucketArn"}/*"#;
const NIGHTLY_FAILED: &str =
    r#"{"Fn::ImportValue":"PeopleData:ExportsOutputFnGetAttNightlyFailedQueueArn"}"#;

const TABLE_READ: &[&str] = &[
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
];
const TABLE_WRITE: &[&str] = &[
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
];
const PUT: &[&str] = &["s3:AbortMultipartUpload", "s3:PutObject"];
const SEND: &[&str] = &[
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:SendMessage",
];
const CONSUME: &[&str] = &[
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:ReceiveMessage",
];

/// A function's defaults (its log group, X-Ray) plus `grants` (actions on a resource).
fn expected(function: &str, grants: &[(&[&str], &str)]) -> Vec<Permission> {
    let logs = format!("${{{function}Logs.Arn}}");
    let mut out = vec![
        ("logs:CreateLogStream".to_owned(), logs.clone()),
        ("logs:PutLogEvents".into(), logs),
        ("xray:PutTelemetryRecords".into(), "*".into()),
        ("xray:PutTraceSegments".into(), "*".into()),
    ];
    for (actions, resource) in grants {
        out.extend(
            actions
                .iter()
                .map(|a| (a.to_string(), resource.to_string())),
        );
    }
    let mut out: Vec<Permission> = out
        .into_iter()
        .map(|(action, resource)| Permission {
            allow: true,
            action,
            resource,
        })
        .collect();
    out.sort();
    out
}

#[test]
fn both_stacks_are_lint_clean_including_informational() {
    let a = assembly();
    assert_eq!(a.stacks.len(), 2);
    for s in &a.stacks {
        assert_lint_clean_informational(&s.id, &s.template);
    }
    // the four functions' code: four zip assets
    assert_eq!(a.file_assets.len(), 4);
}

#[test]
fn each_grant_is_exactly_its_actions_on_its_resource() {
    let a = assembly();
    let t = Template::from_stack(&a, "PeopleApi").unwrap();
    assert_eq!(
        t.permissions("ReaderServiceRole"),
        expected("Reader", &[(TABLE_READ, TABLE)])
    );
    assert_eq!(
        t.permissions("EnqueueServiceRole"),
        expected("Enqueue", &[(SEND, QUEUE)])
    );
    assert_eq!(
        t.permissions("WorkerServiceRole"),
        expected(
            "Worker",
            &[(TABLE_WRITE, TABLE), (PUT, OBJECTS), (CONSUME, QUEUE)]
        )
    );
    assert_eq!(
        t.permissions("NightlyServiceRole"),
        expected(
            "Nightly",
            &[
                (TABLE_READ, TABLE),
                (PUT, OBJECTS),
                (&["sqs:SendMessage"], NIGHTLY_FAILED)
            ]
        )
    );
}

#[test]
fn nothing_else_reaches_the_table_the_queue_or_the_bucket() {
    let a = assembly();
    let t = Template::from_stack(&a, "PeopleApi").unwrap();
    assert_eq!(
        t.who_may("dynamodb:GetItem", TABLE),
        ["NightlyServiceRole", "ReaderServiceRole"]
    );
    assert_eq!(t.who_may("dynamodb:PutItem", TABLE), ["WorkerServiceRole"]);
    assert_eq!(
        t.who_may("dynamodb:DeleteItem", TABLE),
        ["WorkerServiceRole"]
    );
    assert!(t.who_may("dynamodb:DeleteTable", TABLE).is_empty());
    assert_eq!(t.who_may("sqs:SendMessage", QUEUE), ["EnqueueServiceRole"]);
    assert_eq!(
        t.who_may("sqs:ReceiveMessage", QUEUE),
        ["WorkerServiceRole"]
    );
    let object = OBJECTS.replace("/*", "/writes/1.json");
    assert_eq!(
        t.who_may("s3:PutObject", &object),
        ["NightlyServiceRole", "WorkerServiceRole"]
    );
    assert!(t.who_may("s3:GetObject", &object).is_empty());
    assert!(t.who_may("s3:DeleteObject", &object).is_empty());
    // and the data stack grants nobody anything
    let data = Template::from_stack(&a, "PeopleData").unwrap();
    assert!(data.roles().is_empty());

    // nor does a resource policy: the bucket and queue policies only deny plain HTTP (the
    // table has none), so no principal is allowed anything on the table, the queues or the
    // audit objects — while the access log bucket lets S3's log delivery in, which shows the
    // question is really asked
    for (action, resource) in [
        ("dynamodb:GetItem", "${PeopleTable.Arn}"),
        ("dynamodb:PutItem", "${PeopleTable.Arn}"),
        ("sqs:SendMessage", "${WritesQueue.Arn}"),
        ("sqs:ReceiveMessage", "${WritesQueue.Arn}"),
        ("sqs:ReceiveMessage", "${WritesFailedQueue.Arn}"),
        ("sqs:ReceiveMessage", "${NightlyFailedQueue.Arn}"),
        ("s3:GetObject", "${AuditBucket.Arn}/writes/1.json"),
        ("s3:PutObject", "${AuditBucket.Arn}/writes/1.json"),
        ("s3:DeleteObject", "${AuditBucket.Arn}/writes/1.json"),
        ("s3:ListBucket", "${AuditBucket.Arn}"),
    ] {
        assert!(
            data.resource_policy_allows(action, resource).is_empty(),
            "{action} on {resource}"
        );
    }
    assert_eq!(
        data.resource_policy_allows("s3:PutObject", "${AccessLogsBucket.Arn}/audit/1"),
        ["Service:logging.s3.amazonaws.com"]
    );
    for (action, resource) in [
        ("dynamodb:GetItem", TABLE),
        ("sqs:SendMessage", QUEUE),
        ("s3:GetObject", &*object),
    ] {
        assert!(
            t.resource_policy_allows(action, resource).is_empty(),
            "{action} on {resource}"
        );
    }

    // who_may reads only the template's policies: the one role with a policy from outside it
    // is API Gateway's logging role, with AWS's policy for pushing logs to CloudWatch
    let external: BTreeMap<String, Vec<String>> = t
        .roles()
        .into_iter()
        .map(|r| (r.clone(), t.external_policies(&r)))
        .filter(|(_, p)| !p.is_empty())
        .collect();
    assert_eq!(
        external,
        BTreeMap::from([(
            "ApiCloudWatchRole".to_owned(),
            vec![
                "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
                    .to_owned()
            ]
        )])
    );
}

/// Every resource's deliberate exceptions: each check it names, over both stacks. Panics on
/// an exception without a reason of substance.
fn exceptions(a: &Assembly) -> BTreeMap<String, Vec<String>> {
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for stack in ["PeopleData", "PeopleApi"] {
        let t = Template::from_stack(a, stack).unwrap();
        for e in cloudwright_audit::exceptions(t.json()).unwrap() {
            assert!(e.reason.len() > 20, "{stack}/{}: {e:?}", e.resource);
            assert!(!e.checks.is_empty(), "{stack}/{}: {e:?}", e.resource);
            found.entry(e.resource).or_default().extend(e.checks);
        }
    }
    found
}

#[test]
fn every_deliberate_exception_says_why_and_they_are_exactly_these() {
    let a = assembly();
    let found = exceptions(&a);
    let function = [
        "checkov:CKV_AWS_117",
        "checkov:CKV_AWS_115",
        "checkov:CKV_AWS_116",
        "checkov:CKV_AWS_173",
    ];
    let logs = ["checkov:CKV_AWS_158", "cfn_nag:W84"];
    let xray = ["checkov:CKV_AWS_111", "cfn_nag:W11"];
    let mut expected: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut expect = |id: &str, checks: &[&str]| {
        expected.insert(
            id.to_owned(),
            checks.iter().map(|c| (*c).to_owned()).collect(),
        );
    };
    expect(
        "AccessLogsBucket",
        &[
            "checkov:CKV_AWS_18",
            "cfn_nag:W35",
            "guard:S3_BUCKET_LOGGING_ENABLED",
            "checkov:CKV_AWS_145",
        ],
    );
    expect("AuditBucket", &["checkov:CKV_AWS_145"]);
    expect("PeopleTable", &["checkov:CKV_AWS_119"]);
    expect(
        "ApiAccessLogs",
        &[
            "checkov:CKV_AWS_158",
            "cfn_nag:W84",
            "guard:cloudwatch_log_group_encrypted_check",
        ],
    );
    expect("ApiRestApi", &["cfn_nag:W64"]);
    expect("ApiStage", &["checkov:CKV_AWS_120", "cfn_nag:W63"]);
    let deployment = found
        .keys()
        .find(|k| k.starts_with("ApiDeployment"))
        .unwrap();
    expect(deployment, &["cfn_nag:W68"]);
    for f in ["Reader", "Enqueue", "Worker", "Nightly"] {
        expect(&format!("{f}Function"), &function);
        expect(&format!("{f}Logs"), &logs);
        expect(&format!("{f}ServiceRole"), &xray);
    }
    assert_eq!(found, expected);

    // the reasons that depend on how a function is invoked are true of this app: the nightly
    // run, invoked asynchronously by EventBridge, has an on-failure destination
    let api = Template::from_stack(&a, "PeopleApi").unwrap();
    let reason = |id: &str| -> String {
        cloudwright_audit::exceptions(api.json())
            .unwrap()
            .into_iter()
            .find(|e| e.resource == id && e.checks[0] == "checkov:CKV_AWS_116")
            .unwrap()
            .reason
    };
    assert!(
        reason("NightlyFunction").contains("on-failure destination of its EventInvokeConfig"),
        "{}",
        reason("NightlyFunction")
    );
    api.has_resource_properties(
        "AWS::Lambda::EventInvokeConfig",
        Match::exact(json!({
            "FunctionName": {"Ref": "NightlyFunction"},
            "Qualifier": "$LATEST",
            "DestinationConfig": {"OnFailure": {"Destination":
                {"Fn::ImportValue": "PeopleData:ExportsOutputFnGetAttNightlyFailedQueueArn"}}},
        })),
    )
    .unwrap();
    api.resource_count_is("AWS::Lambda::EventInvokeConfig", 1)
        .unwrap();
    // the others are invoked synchronously (the API) or by a queue that keeps failures
    for f in ["ReaderFunction", "EnqueueFunction", "WorkerFunction"] {
        assert!(
            reason(f).starts_with("no dead-letter queue or on-failure destination"),
            "{f}"
        );
    }
}

#[test]
fn the_table_queues_and_buckets_are_encrypted_private_kept_and_logged() {
    let a = assembly();
    let t = Template::from_stack(&a, "PeopleData").unwrap();
    let resources = t.json()["Resources"].as_object().unwrap();
    // the table: KMS encryption (the AWS-managed key), point-in-time recovery, kept
    let table = &resources["PeopleTable"];
    assert_eq!(
        table["Properties"]["SSESpecification"],
        json!({"SSEEnabled": true, "SSEType": "KMS"})
    );
    assert_eq!(
        table["Properties"]["PointInTimeRecoverySpecification"],
        json!({"PointInTimeRecoveryEnabled": true})
    );
    // three queues, each encrypted, kept, and TLS only
    let queues = t.find_resources("AWS::SQS::Queue", Match::any_value());
    assert_eq!(queues.len(), 3);
    for (id, q) in &queues {
        assert_eq!(q["Properties"]["SqsManagedSseEnabled"], true, "{id}");
    }
    let queue_policies = t.find_resources("AWS::SQS::QueuePolicy", Match::any_value());
    assert_eq!(queue_policies.len(), 3);
    for (id, p) in &queue_policies {
        assert_eq!(
            p["Properties"]["PolicyDocument"]["Statement"][0]["Condition"],
            json!({"Bool": {"aws:SecureTransport": "false"}}),
            "{id}"
        );
        assert_eq!(
            p["Properties"]["PolicyDocument"]["Statement"][0]["Effect"], "Deny",
            "{id}"
        );
    }
    // the writes are retried 5 times, then kept in WritesFailed
    assert_eq!(
        resources["WritesQueue"]["Properties"]["RedrivePolicy"],
        json!({"deadLetterTargetArn": {"Fn::GetAtt": ["WritesFailedQueue", "Arn"]}, "maxReceiveCount": 5})
    );
    // two buckets: encrypted, every public access block on, owner enforced, versioned,
    // TLS only; the audit bucket logs to the access log bucket
    let buckets = t.find_resources("AWS::S3::Bucket", Match::any_value());
    assert_eq!(buckets.len(), 2);
    for (id, b) in &buckets {
        let p = &b["Properties"];
        assert_eq!(
            p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
                ["SSEAlgorithm"],
            "AES256",
            "{id}"
        );
        assert_eq!(
            p["PublicAccessBlockConfiguration"],
            json!({"BlockPublicAcls": true, "BlockPublicPolicy": true,
                   "IgnorePublicAcls": true, "RestrictPublicBuckets": true}),
            "{id}"
        );
        assert_eq!(
            p["OwnershipControls"],
            json!({"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}),
            "{id}"
        );
        assert_eq!(
            p["VersioningConfiguration"],
            json!({"Status": "Enabled"}),
            "{id}"
        );
    }
    assert_eq!(
        resources["AuditBucket"]["Properties"]["LoggingConfiguration"],
        json!({"DestinationBucketName": {"Ref": "AccessLogsBucket"}, "LogFilePrefix": "audit/"})
    );
    for (id, p) in t.find_resources("AWS::S3::BucketPolicy", Match::any_value()) {
        let deny = &p["Properties"]["PolicyDocument"]["Statement"][0];
        assert_eq!(deny["Effect"], "Deny", "{id}");
        assert_eq!(
            deny["Condition"],
            json!({"Bool": {"aws:SecureTransport": "false"}}),
            "{id}"
        );
    }
    // everything holding data outlives the stack
    for (id, r) in resources {
        if ["AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::S3::Bucket"]
            .contains(&r["Type"].as_str().unwrap())
        {
            assert_eq!(r["DeletionPolicy"], "Retain", "{id}");
            assert_eq!(r["UpdateReplacePolicy"], "Retain", "{id}");
        }
    }
}

#[test]
fn the_api_stage_logs_traces_and_throttles() {
    let a = assembly();
    let t = Template::from_stack(&a, "PeopleApi").unwrap();
    let (_, stage) = t.single_resource("AWS::ApiGateway::Stage").unwrap();
    let p = &stage["Properties"];
    assert_eq!(p["TracingEnabled"], true);
    assert_eq!(
        p["AccessLogSetting"]["DestinationArn"],
        json!({"Fn::GetAtt": ["ApiAccessLogs", "Arn"]})
    );
    assert_eq!(p["MethodSettings"][0]["MetricsEnabled"], true);
    assert_eq!(p["MethodSettings"][0]["ThrottlingRateLimit"], 100.0);
    let logs = &t.json()["Resources"]["ApiAccessLogs"];
    assert_eq!(logs["Properties"]["RetentionInDays"], 365);
    assert_eq!(logs["DeletionPolicy"], "Retain");
}

#[test]
fn functions_trace_keep_their_logs_and_the_routes_are_as_declared() {
    let a = assembly();
    let t = Template::from_stack(&a, "PeopleApi").unwrap();
    let functions = t.find_resources("AWS::Lambda::Function", Match::any_value());
    assert_eq!(functions.len(), 4);
    for (id, f) in &functions {
        assert_eq!(
            f["Properties"]["TracingConfig"],
            json!({"Mode": "Active"}),
            "{id}"
        );
        assert_eq!(f["Properties"]["Runtime"], "python3.12", "{id}");
    }
    for (id, f) in &functions {
        let logs = id.replace("Function", "Logs");
        assert_eq!(
            f["Properties"]["LoggingConfig"],
            json!({"LogGroup": {"Ref": logs}}),
            "{id}"
        );
        let group = &t.json()["Resources"][&logs];
        assert_eq!(group["Properties"]["RetentionInDays"], 30, "{id}");
        assert_eq!(group["DeletionPolicy"], "Retain", "{id}");
        assert_eq!(group["UpdateReplacePolicy"], "Retain", "{id}");
    }
    t.resource_count_is("AWS::Logs::LogGroup", 5).unwrap(); // and the API's access log
    // the queue is read with partial batch responses; the schedule is nightly
    t.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        Match::object_like([(
            "FunctionResponseTypes",
            Match::exact(json!(["ReportBatchItemFailures"])),
        )]),
    )
    .unwrap();
    t.has_resource_properties(
        "AWS::Events::Rule",
        Match::object_like([(
            "ScheduleExpression",
            Match::exact(json!("cron(0 3 * * ? *)")),
        )]),
    )
    .unwrap();
    // GET is public as in the main app; POST needs IAM (SigV4); each goes to its function
    let (_, api) = t.single_resource("AWS::ApiGateway::RestApi").unwrap();
    let path = &api["Properties"]["Body"]["paths"]["/{person}/{firstname}"];
    assert!(path["get"]["security"].is_null(), "{path}");
    assert_eq!(path["post"]["security"], json!([{"sigv4": []}]));
    for (method, function) in [("get", "ReaderFunction"), ("post", "EnqueueFunction")] {
        let uri = &path[method]["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"][1];
        assert_eq!(uri["Function"], json!({"Fn::GetAtt": [function, "Arn"]}));
    }
}
