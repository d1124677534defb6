//! Lambda functions on synthesized stacks: the defaults (role, retained log group, tracing),
//! code from a directory, inline text and a Rust package, placement in subnets, failure
//! destinations, grants reaching the function, the SQS event source (and the visibility
//! timeout mistake refused), schedules, topic subscriptions; cfn-lint clean with
//! informational checks.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not production code

use std::time::Duration;

use cloudwright_compute::{
    Code, Error, FailureDestination, Function, INLINE_CODE_LIMIT, Runtime, S3EventSource, Schedule,
    SqsEventSource,
};
use cloudwright_core::{App, Assembly, Scope};
use cloudwright_data::{Bucket, Key, Queue, Table, Topic, TopicSubscription};
use cloudwright_iam::assertions::{IamAssertions, Permission};
use cloudwright_network::{NatStrategy, NewVpc, Subnets};
use cloudwright_testing::{Match, Template, assert_lint_clean_informational};
use cloudwright_tests::TempDir;
use serde_json::json;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const HANDLER: &str = "def handler(event, context):\n    return event\n";

fn inline() -> Function {
    Function::new(Runtime::Python3_12, "index.handler", Code::inline(HANDLER))
}

/// One stack `Fn` with what `f` adds; lint-clean (informational) checked.
fn synth(
    f: impl FnOnce(&mut Scope<'_>) -> Result<(), cloudwright_core::Error>,
) -> Result<(Assembly, Template), Box<dyn std::error::Error>> {
    let app = App::new();
    let mut stack = app.stack("Fn")?;
    f(&mut stack)?;
    drop(stack);
    let assembly = app.synth()?;
    assert_lint_clean_informational("Fn", &assembly.stacks[0].template);
    let template = Template::from_stack(&assembly, "Fn")?;
    Ok((assembly, template))
}

fn synth_err(
    f: impl FnOnce(&mut Scope<'_>) -> Result<(), cloudwright_core::Error>,
) -> cloudwright_core::Error {
    let app = App::new();
    let mut stack = app.stack("Fn").unwrap();
    match f(&mut stack) {
        Err(e) => e,
        Ok(()) => panic!("expected an error"),
    }
}

fn allow(action: &str, resource: &str) -> Permission {
    Permission {
        allow: true,
        action: action.into(),
        resource: resource.into(),
    }
}

#[test]
fn a_function_has_a_role_a_retained_log_group_and_tracing_by_default() -> TestResult {
    let (_, t) = synth(|s| {
        s.construct(
            "Hello",
            inline()
                .memory_mb(256)
                .timeout(Duration::from_secs(20))
                .env("STAGE", "prod")
                .reserved_concurrency(5),
        )?;
        Ok(())
    })?;
    t.has_resource_properties(
        "AWS::Lambda::Function",
        Match::object_like([
            ("Runtime", Match::exact(json!("python3.12"))),
            ("Handler", Match::exact(json!("index.handler"))),
            ("MemorySize", Match::exact(json!(256))),
            ("Timeout", Match::exact(json!(20))),
            ("ReservedConcurrentExecutions", Match::exact(json!(5))),
            ("TracingConfig", Match::exact(json!({"Mode": "Active"}))),
            (
                "LoggingConfig",
                Match::exact(json!({"LogGroup": {"Ref": "HelloLogs"}})),
            ),
            (
                "Environment",
                Match::exact(json!({"Variables": {"STAGE": "prod"}})),
            ),
            (
                "Role",
                Match::exact(json!({"Fn::GetAtt": ["HelloServiceRole", "Arn"]})),
            ),
            ("Code", Match::exact(json!({"ZipFile": HANDLER}))),
        ]),
    )?;
    t.has_resource(
        "AWS::Logs::LogGroup",
        Match::object_like([
            ("DeletionPolicy", Match::exact(json!("Retain"))),
            ("UpdateReplacePolicy", Match::exact(json!("Retain"))),
            (
                "Properties",
                Match::object_like([("RetentionInDays", Match::exact(json!(30)))]),
            ),
        ]),
    )?;
    // exactly its logs and X-Ray, nothing else
    assert_eq!(
        t.permissions("HelloServiceRole"),
        vec![
            allow("logs:CreateLogStream", "${HelloLogs.Arn}"),
            allow("logs:PutLogEvents", "${HelloLogs.Arn}"),
            allow("xray:PutTelemetryRecords", "*"),
            allow("xray:PutTraceSegments", "*"),
        ]
    );
    Ok(())
}

#[test]
fn settings_lambda_refuses_are_refused_at_synth() {
    let too_big = "#".repeat(INLINE_CODE_LIMIT + 1);
    let err = synth_err(|s| {
        s.construct(
            "Big",
            Function::new(Runtime::Python3_12, "index.handler", Code::inline(too_big)),
        )?;
        Ok(())
    });
    assert!(
        matches!(
            err.downcast_ref::<Error>(),
            Some(Error::InlineCodeTooLarge { bytes: 4097, .. })
        ),
        "{err}"
    );
    assert!(err.to_string().contains("Code::from_directory"), "{err}");
    for (f, what) in [
        (inline().memory_mb(64), "memory_mb"),
        (inline().timeout(Duration::from_secs(901)), "timeout"),
        (inline().timeout(Duration::from_millis(1500)), "timeout"),
        (inline().env("1BAD", "x"), "env"),
    ] {
        let err = synth_err(|s| {
            s.construct("F", f)?;
            Ok(())
        });
        assert!(err.to_string().contains(what), "{what}: {err}");
        assert!(err.to_string().starts_with("Fn/F: "), "{err}");
    }
}

#[test]
fn code_from_a_directory_is_a_zip_asset_in_the_assets_bucket() -> TestResult {
    let dir = TempDir::new("function-code");
    std::fs::write(dir.path().join("index.py"), HANDLER)?;
    std::fs::write(dir.path().join("notes.md"), "left out")?;
    let code = dir.path().to_owned();
    let (assembly, t) = synth(move |s| {
        s.construct(
            "Reader",
            Function::new(
                Runtime::Python3_13,
                "index.handler",
                Code::from_directory_excluding(code, ["*.md"]),
            ),
        )?;
        Ok(())
    })?;
    assert_eq!(assembly.file_assets.len(), 1);
    let asset = &assembly.file_assets[0];
    let files: Vec<&str> = asset.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(files, ["index.py"]);
    t.has_resource_properties(
        "AWS::Lambda::Function",
        Match::object_like([(
            "Code",
            Match::exact(json!({
                "S3Bucket": {"Fn::Sub": "cloudwright-assets-${AWS::AccountId}-${AWS::Region}"},
                "S3Key": format!("{}.zip", asset.hash),
            })),
        )]),
    )?;
    Ok(())
}

#[test]
fn a_rust_function_is_built_for_provided_al2023() -> TestResult {
    let package = concat!(env!("CARGO_MANIFEST_DIR"), "/../../apps/echo-function");
    let (assembly, t) = synth(|s| {
        s.construct("Echo", Function::rust(package).arm64())?;
        Ok(())
    })?;
    t.has_resource_properties(
        "AWS::Lambda::Function",
        Match::object_like([
            ("Runtime", Match::exact(json!("provided.al2023"))),
            ("Handler", Match::exact(json!("bootstrap"))),
            ("Architectures", Match::exact(json!(["arm64"]))),
        ]),
    )?;
    let asset = &assembly.file_assets[0];
    assert!(matches!(
        &asset.packaging,
        cloudwright_core::asset::Packaging::RustFunction { package, target, .. }
            if package == "app-echo-function" && target == "aarch64-unknown-linux-gnu"
    ));
    Ok(())
}

#[test]
fn in_subnets_a_function_has_its_own_group_and_waits_for_the_routes() -> TestResult {
    let (_, t) = synth(|s| {
        let vpc = s.construct("Vpc", NewVpc::new("10.0.0.0/16"))?;
        let network = s.construct(
            "Subnets",
            Subnets::new(vpc)
                .availability_zones(2)
                .nat(NatStrategy::Single),
        )?;
        let subnets = network.private();
        s.construct("Private", inline().in_subnets(&subnets))?;
        Ok(())
    })?;
    t.has_resource_properties(
        "AWS::Lambda::Function",
        Match::object_like([(
            "VpcConfig",
            Match::exact(json!({
                "SubnetIds": [{"Ref": "SubnetsPrivateSubnet1"}, {"Ref": "SubnetsPrivateSubnet2"}],
                "SecurityGroupIds": [{"Fn::GetAtt": ["PrivateSecurityGroup", "Id"]}],
            })),
        )]),
    )?;
    t.has_resource_properties(
        "AWS::IAM::Role",
        Match::object_like([(
            "ManagedPolicyArns",
            Match::exact(json!([{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"}])),
        )]),
    )?;
    t.resource_count_is("AWS::EC2::SecurityGroup", 1)?;
    // created after the private subnets' default routes (through the NAT gateway)
    let function = t.resource("PrivateFunction")?;
    let depends = function["DependsOn"].to_string();
    assert!(depends.contains("Route"), "{depends}");
    Ok(())
}

#[test]
fn failed_invocations_go_to_a_queue_the_role_may_send_to() -> TestResult {
    let (_, t) = synth(|s| {
        let dlq = s.construct("Failed", Queue::new())?;
        s.construct(
            "Async",
            inline().on_failure(FailureDestination::Queue(dlq.arn().into())),
        )?;
        Ok(())
    })?;
    t.has_resource_properties(
        "AWS::Lambda::EventInvokeConfig",
        Match::object_like([
            (
                "FunctionName",
                Match::exact(json!({"Ref": "AsyncFunction"})),
            ),
            (
                "DestinationConfig",
                Match::exact(
                    json!({"OnFailure": {"Destination": {"Fn::GetAtt": ["FailedQueue", "Arn"]}}}),
                ),
            ),
        ]),
    )?;
    assert!(t.may("AsyncServiceRole", "sqs:SendMessage", "${FailedQueue.Arn}"));
    // checkov's dead-letter check reads only DeadLetterConfig: the exception names where
    // failed invocations go instead
    let reason = exception_reason(&t, "AsyncFunction", "checkov:CKV_AWS_116");
    assert!(
        reason.contains("on-failure destination of its EventInvokeConfig"),
        "{reason}"
    );
    Ok(())
}

/// The reason of the exception of `resource` naming `check`.
fn exception_reason(t: &Template, resource: &str, check: &str) -> String {
    let exceptions = &t.json()["Resources"][resource]["Metadata"]["cloudwright"]["exceptions"];
    exceptions
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| {
            e["checks"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c == check))
        })
        .and_then(|e| e["reason"].as_str())
        .unwrap_or_else(|| panic!("{resource}: no exception for {check}: {exceptions}"))
        .to_owned()
}

#[test]
fn a_topic_invokes_a_subscribed_function_with_a_permission_for_that_topic_only() -> TestResult {
    let (_, t) = synth(|s| {
        let events = s.construct("Events", Topic::new())?;
        let failed = s.construct("AuditFailed", Queue::new())?;
        let audit = s.construct(
            "Audit",
            inline().on_failure(FailureDestination::Queue(failed.arn().into())),
        )?;
        let source = audit.subscribe_to(
            s,
            TopicSubscription::new(&events).filter_policy(json!({"kind": ["order"]})),
        )?;
        assert_eq!(
            source.subscription.logical_id(),
            "AuditFunctionEventsTopicSubscription"
        );
        Ok(())
    })?;
    t.has_resource(
        "AWS::SNS::Subscription",
        Match::object_like([
            (
                "Properties",
                Match::exact(json!({
                    "Protocol": "lambda",
                    "TopicArn": {"Ref": "EventsTopic"},
                    "Endpoint": {"Fn::GetAtt": ["AuditFunction", "Arn"]},
                    "FilterPolicy": {"kind": ["order"]},
                })),
            ),
            // no message is delivered before SNS may invoke
            (
                "DependsOn",
                Match::exact(json!(["AuditFunctionEventsTopicPermission"])),
            ),
        ]),
    )?;
    t.resource_count_is("AWS::Lambda::Permission", 1)?;
    t.has_resource_properties(
        "AWS::Lambda::Permission",
        Match::exact(json!({
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Fn::GetAtt": ["AuditFunction", "Arn"]},
            "Principal": "sns.amazonaws.com",
            "SourceArn": {"Ref": "EventsTopic"},
        })),
    )?;
    // the subscription gives the function's role nothing: SNS invokes, the role is unchanged
    assert!(!t.may("AuditServiceRole", "sns:Publish", "${EventsTopic}"));
    Ok(())
}

/// A construct that subscribes its own function to a topic it is given.
struct Auditor {
    events: cloudwright_data::TopicOutput,
}

impl cloudwright_core::Construct for Auditor {
    type Output = ();

    fn build(self, scope: &mut Scope<'_>) -> Result<(), cloudwright_core::Error> {
        let f = scope.construct("Handler", inline())?;
        f.subscribe_to(scope, TopicSubscription::new(&self.events))?;
        Ok(())
    }
}

#[test]
fn inside_a_construct_the_subscription_and_permission_are_named_after_the_function() -> TestResult {
    let (_, t) = synth(|s| {
        let events = s.construct("Events", Topic::new())?;
        s.construct("Auditor", Auditor { events })?;
        Ok(())
    })?;
    let id = |ty| -> Vec<String> {
        t.find_resources(ty, Match::any_value())
            .into_iter()
            .map(|(id, _)| id.to_owned())
            .collect()
    };
    assert_eq!(
        id("AWS::SNS::Subscription"),
        ["AuditorHandlerFunctionEventsTopicSubscription"]
    );
    assert_eq!(
        id("AWS::Lambda::Permission"),
        ["AuditorHandlerFunctionEventsTopicPermission"]
    );
    Ok(())
}

#[test]
fn a_fifo_topic_is_refused_as_a_function_s_source_naming_the_fix() {
    let err = synth_err(|s| {
        let events = s.construct("Events", Topic::new().fifo())?;
        let f = s.construct("Audit", inline())?;
        f.subscribe_to(s, TopicSubscription::new(&events))?;
        Ok(())
    });
    let compute = err.downcast_ref::<Error>();
    assert!(
        matches!(
            compute,
            Some(Error::InvalidEventSource {
                setting: "topic",
                ..
            })
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("EventsTopic is a FIFO topic"), "{text}");
    assert!(text.contains("add_sqs_source"), "{text}");
}

#[test]
fn a_table_grant_reaches_the_function_and_nothing_else() -> TestResult {
    let (_, t) = synth(|s| {
        let table = s.construct("People", Table::new(Key::string("person")))?;
        let reader = s.construct("Reader", inline())?;
        s.construct("Other", inline())?;
        table.grant_read_data(s, &reader)?;
        Ok(())
    })?;
    assert!(t.may(
        "ReaderServiceRole",
        "dynamodb:GetItem",
        "${PeopleTable.Arn}"
    ));
    assert_eq!(
        t.who_may("dynamodb:GetItem", "${PeopleTable.Arn}"),
        ["ReaderServiceRole"]
    );
    Ok(())
}

#[test]
fn an_sqs_source_consumes_with_partial_batch_responses_after_its_grant() -> TestResult {
    let (_, t) = synth(|s| {
        let jobs = s.construct(
            "Jobs",
            Queue::new().visibility_timeout(Duration::from_secs(120)),
        )?;
        let worker = s.construct("Worker", inline().timeout(Duration::from_secs(20)))?;
        worker.add_sqs_source(
            s,
            &jobs,
            SqsEventSource::new()
                .batch_size(50)
                .max_batching_window(Duration::from_secs(5))
                .report_batch_item_failures(),
        )?;
        Ok(())
    })?;
    let (id, mapping) = t.single_resource("AWS::Lambda::EventSourceMapping")?;
    assert_eq!(id, "WorkerFunctionJobsQueueSource");
    assert_eq!(
        mapping["Properties"],
        json!({
            "FunctionName": {"Ref": "WorkerFunction"},
            "EventSourceArn": {"Fn::GetAtt": ["JobsQueue", "Arn"]},
            "BatchSize": 50,
            "MaximumBatchingWindowInSeconds": 5,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        })
    );
    // the mapping waits for the consume grant through the function, which depends on every
    // policy granted to its role (a DependsOn of its own would be redundant and is pruned)
    let depends_on = |resource: &serde_json::Value| -> Vec<String> {
        resource["DependsOn"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .or_else(|| resource["DependsOn"].as_str().map(|s| vec![s.to_owned()]))
            .unwrap_or_default()
    };
    assert_eq!(depends_on(mapping), Vec::<String>::new());
    let function = t.resource("WorkerFunction")?;
    assert!(
        depends_on(function).contains(&"WorkerServiceRoleJobsQueueConsumePolicy".to_owned()),
        "{function}"
    );
    for action in [
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
    ] {
        assert!(
            t.may("WorkerServiceRole", action, "${JobsQueue.Arn}"),
            "{action}"
        );
    }
    Ok(())
}

#[test]
fn a_queue_whose_visibility_timeout_is_below_the_function_timeout_is_refused() {
    let err = synth_err(|s| {
        let jobs = s.construct(
            "Jobs",
            Queue::new().visibility_timeout(Duration::from_secs(30)),
        )?;
        let worker = s.construct("Worker", inline().timeout(Duration::from_secs(60)))?;
        worker.add_sqs_source(s, &jobs, SqsEventSource::new())?;
        Ok(())
    });
    assert!(
        matches!(
            err.downcast_ref::<Error>(),
            Some(Error::VisibilityTimeoutTooShort {
                visibility: 30,
                timeout: 60,
                recommended: 360,
                ..
            })
        ),
        "{err}"
    );
    let text = err.to_string();
    for part in [
        "JobsQueue",
        "WorkerFunction",
        "visibility_timeout to at least 60 s",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
}

#[test]
fn a_schedule_invokes_the_function_with_a_permission_for_that_rule_only() -> TestResult {
    let (_, t) = synth(|s| {
        let nightly = s.construct("Nightly", inline())?;
        nightly.add_schedule(s, "Nightly", &Schedule::cron("0 3 * * ? *"))?;
        Ok(())
    })?;
    t.has_resource_properties(
        "AWS::Events::Rule",
        Match::object_like([
            (
                "ScheduleExpression",
                Match::exact(json!("cron(0 3 * * ? *)")),
            ),
            (
                "Targets",
                Match::exact(
                    json!([{"Arn": {"Fn::GetAtt": ["NightlyFunction", "Arn"]}, "Id": "Function"}]),
                ),
            ),
        ]),
    )?;
    t.has_resource_properties(
        "AWS::Lambda::Permission",
        Match::object_like([
            ("Principal", Match::exact(json!("events.amazonaws.com"))),
            (
                "SourceArn",
                Match::exact(json!({"Fn::GetAtt": ["NightlyFunctionNightlyRule", "Arn"]})),
            ),
        ]),
    )?;
    assert_eq!(
        Schedule::rate(Duration::from_secs(7200)).expression()?,
        "rate(2 hours)"
    );
    assert!(Schedule::cron("0 3 * *").expression().is_err());
    assert!(
        Schedule::rate(Duration::from_secs(90))
            .expression()
            .is_err()
    );
    Ok(())
}

#[test]
fn a_bucket_s_object_events_reach_the_function_through_event_bridge_without_a_cycle() -> TestResult
{
    let (_, t) = synth(|s| {
        let uploads = s.construct(
            "Uploads",
            Bucket::new()
                .event_bridge_notifications()
                .without_access_logs("a test bucket"),
        )?;
        let f = s.construct("OnUpload", inline())?;
        f.add_s3_source(
            s,
            &uploads,
            S3EventSource::object_created()
                .prefix("in/")
                .suffix(".json"),
        )?;
        Ok(())
    })?;
    t.has_resource_properties(
        "AWS::Events::Rule",
        Match::object_like([(
            "EventPattern",
            Match::exact(json!({
                "source": ["aws.s3"],
                "detail-type": ["Object Created"],
                "detail": {
                    "bucket": {"name": [{"Ref": "UploadsBucket"}]},
                    "object": {"key": [{"prefix": "in/"}, {"suffix": ".json"}]},
                },
            })),
        )]),
    )?;
    t.has_resource_properties(
        "AWS::Lambda::Permission",
        Match::object_like([
            ("Principal", Match::exact(json!("events.amazonaws.com"))),
            (
                "SourceArn",
                Match::exact(
                    json!({"Fn::GetAtt": ["OnUploadFunctionUploadsBucketEventsRule", "Arn"]}),
                ),
            ),
        ]),
    )?;
    // the bucket names no function: nothing to wait for, no cycle
    t.has_resource_properties(
        "AWS::S3::Bucket",
        Match::object_like([(
            "NotificationConfiguration",
            Match::exact(json!({"EventBridgeConfiguration": {"EventBridgeEnabled": true}})),
        )]),
    )?;
    Ok(())
}

#[test]
fn a_bucket_without_event_bridge_notifications_is_refused_naming_the_setting() {
    let err = synth_err(|s| {
        let plain = s.construct("Plain", Bucket::new())?;
        let f = s.construct("OnUpload", inline())?;
        f.add_s3_source(s, &plain, S3EventSource::object_created())?;
        Ok(())
    });
    assert!(
        err.to_string().contains("event_bridge_notifications()"),
        "{err}"
    );
}

#[test]
fn an_image_function_runs_an_image_asset_built_for_its_architecture() -> TestResult {
    let dir = TempDir::new("function-image");
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM public.ecr.aws/lambda/python:3.12\nCOPY index.py ./\nCMD [\"index.handler\"]\n",
    )?;
    std::fs::write(dir.path().join("index.py"), HANDLER)?;
    let context = dir.path().to_owned();
    let (assembly, t) = synth(move |s| {
        s.construct(
            "Packaged",
            Function::image(cloudwright_compute::ContainerImage::from_asset(context)).arm64(),
        )?;
        Ok(())
    })?;
    let image = &assembly.assets[0];
    assert_eq!(image.platform, "linux/arm64");
    t.has_resource_properties(
        "AWS::Lambda::Function",
        Match::object_like([
            ("PackageType", Match::exact(json!("Image"))),
            ("Runtime", Match::absent()),
            ("Handler", Match::absent()),
            (
                "Code",
                Match::exact(json!({"ImageUri": {"Fn::Sub": format!(
                    "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/cloudwright-assets:{}",
                    image.image_tag
                )}})),
            ),
        ]),
    )?;
    Ok(())
}
