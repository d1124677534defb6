//! Roles, grants and the who-may-what assertions on synthesized stacks, linted by cfn-lint.

use cloudwright_core::{App, Value};
use cloudwright_iam::assertions::{IamAssertions, Permission};
use cloudwright_iam::{Condition, Principal, Role, Statement, aws_managed_policy, grant};
use cloudwright_testing::{Match, Template, assert_lint_clean_informational};
use serde_json::json;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn allow(action: &str, resource: &str) -> Permission {
    Permission {
        allow: true,
        action: action.into(),
        resource: resource.into(),
    }
}

#[test]
fn a_role_with_a_grant_synthesizes_lint_clean_and_answers_who_may() -> TestResult {
    let app = App::new();
    let mut stack = app.stack("Demo")?;
    let queue = stack.add(
        "Queue",
        cloudwright_resources::sqs::Queue::new()
            .sqs_managed_sse_enabled(true)
            .message_retention_period(345_600i64),
    )?;
    stack.set_deletion_policy(&queue, cloudwright_core::Policy::Retain)?;
    stack.set_update_replace_policy(&queue, cloudwright_core::Policy::Retain)?;
    let worker = stack.construct(
        "Worker",
        Role::new(Principal::service("lambda.amazonaws.com"))
            .trust_condition(Condition::string_equals(
                "aws:SourceAccount",
                cloudwright_core::Pseudo::AccountId,
            ))
            .managed_policy(aws_managed_policy(
                "service-role/AWSLambdaBasicExecutionRole",
            ))
            .statement(
                Statement::allow()
                    .action("xray:PutTraceSegments")
                    .all_resources(),
            ),
    )?;
    let other = stack.construct(
        "Other",
        Role::new(Principal::service("ecs-tasks.amazonaws.com")),
    )?;
    let partner = stack.construct("Partner", Role::new(Principal::account("210987654321")))?;
    let own = stack.construct("Own", Role::new(Principal::ThisAccount))?;
    let g = grant(
        &mut stack,
        &worker,
        "QueueSend",
        vec![
            Statement::allow()
                .action("sqs:SendMessage")
                .resource(queue.arn()),
        ],
    )?;
    assert_eq!(g.policy.logical_id(), "WorkerRoleQueueSendPolicy");
    let assembly = app.synth()?;
    let text = &assembly.stacks[0].template;
    assert_lint_clean_informational("Demo", text);

    let template = Template::from_stack(&assembly, "Demo")?;
    template.has_resource_properties(
        "AWS::IAM::Policy",
        Match::object_like([
            (
                "PolicyName",
                Match::exact(json!("WorkerRoleQueueSendPolicy")),
            ),
            ("Roles", Match::exact(json!([{"Ref": "WorkerRole"}]))),
        ]),
    )?;
    assert_eq!(
        template.permissions("WorkerRole"),
        [
            allow("sqs:SendMessage", "${Queue.Arn}"),
            allow("xray:PutTraceSegments", "*")
        ]
    );
    assert!(template.may("WorkerRole", "sqs:SendMessage", "${Queue.Arn}"));
    assert!(template.may("WorkerRole", "SQS:sendmessage", "${Queue.Arn}"));
    assert!(!template.may("WorkerRole", "sqs:ReceiveMessage", "${Queue.Arn}"));
    assert!(!template.may("OtherRole", "sqs:SendMessage", "${Queue.Arn}"));
    assert_eq!(
        template.who_may("sqs:SendMessage", "${Queue.Arn}"),
        ["WorkerRole"]
    );
    assert!(template.permissions(other.role.logical_id()).is_empty());
    let trust = |role: &cloudwright_iam::RoleOutput| -> Result<serde_json::Value, Box<dyn std::error::Error>> {
        Ok(template.resource(role.role.logical_id())?["Properties"]["AssumeRolePolicyDocument"]
            ["Statement"][0]["Principal"]
            .clone())
    };
    assert_eq!(
        trust(&partner)?,
        json!({"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::210987654321:root"}})
    );
    assert_eq!(
        trust(&own)?,
        json!({"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}})
    );
    Ok(())
}

#[test]
fn a_deny_wins_and_wildcards_reach() -> TestResult {
    let app = App::new();
    let mut stack = app.stack("Demo")?;
    stack.construct(
        "Reader",
        Role::new(Principal::ThisAccount).statements([
            Statement::allow()
                .action("s3:Get*")
                .resource(Value::sub("arn:${AWS::Partition}:s3:::my-bucket/*")),
            Statement::deny()
                .action("s3:GetObject")
                .resource(Value::sub("arn:${AWS::Partition}:s3:::my-bucket/secret/*")),
        ]),
    )?;
    let template = Template::from_stack(&app.synth()?, "Demo")?;
    assert!(template.may(
        "ReaderRole",
        "s3:GetObjectTagging",
        "arn:${AWS::Partition}:s3:::my-bucket/a"
    ));
    assert!(template.may(
        "ReaderRole",
        "s3:GetObject",
        "arn:${AWS::Partition}:s3:::my-bucket/a"
    ));
    assert!(!template.may(
        "ReaderRole",
        "s3:GetObject",
        "arn:${AWS::Partition}:s3:::my-bucket/secret/x"
    ));
    Ok(())
}

#[test]
fn a_bad_statement_fails_the_build_naming_the_construct() -> TestResult {
    let app = App::new();
    let mut stack = app.stack("Demo")?;
    let err = stack
        .construct(
            "Worker",
            Role::new(Principal::service("lambda.amazonaws.com")).statement(
                Statement::allow()
                    .action("dynamodb GetItem")
                    .all_resources(),
            ),
        )
        .err()
        .ok_or("the build should fail")?;
    let message = err.to_string();
    assert!(message.contains("Worker"), "{message}");
    assert!(message.contains("`dynamodb GetItem`"), "{message}");
    assert!(
        err.downcast_ref::<cloudwright_iam::Error>().is_some(),
        "matchable: {err:?}"
    );
    Ok(())
}

#[test]
fn the_same_grant_twice_is_a_duplicate() -> TestResult {
    let app = App::new();
    let mut stack = app.stack("Demo")?;
    let worker = stack.construct(
        "Worker",
        Role::new(Principal::service("lambda.amazonaws.com")),
    )?;
    let s = || vec![Statement::allow().action("sqs:SendMessage").all_resources()];
    grant(&mut stack, &worker, "Send", s())?;
    assert!(grant(&mut stack, &worker, "Send", s()).is_err());
    assert!(grant(&mut stack, &worker, "Empty", Vec::new()).is_err());
    Ok(())
}
