//! The people-serverless stacks: cfn-lint clean including informational checks, security
//! defaults on every function, and each grant's exact actions and resources — with nothing
//! else reaching the table, the queue or the audit bucket.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not production code

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
        expected("Nightly", &[(TABLE_READ, TABLE), (PUT, OBJECTS)])
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
        assert!(f["Metadata"].is_object(), "{id}: exceptions stated");
    }
    for (id, g) in t.find_resources("AWS::Logs::LogGroup", Match::any_value()) {
        assert_eq!(g["DeletionPolicy"], "Retain", "{id}");
    }
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
