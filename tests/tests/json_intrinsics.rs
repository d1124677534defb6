//! An intrinsic written inside a `json!` property is a reference like a typed one: a policy
//! document that names a queue with `{"Fn::GetAtt": ["Queue", "Arn"]}` makes the policy depend
//! on the queue, synthesizes exactly the typed form's template (which cfn-lint passes), a typo
//! in the logical id is refused at synth naming the id and the property path, and across
//! stacks it becomes the same export and import a typed reference does.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use cloudwright_core::{App, Error, Json, Scope, Value};
use cloudwright_resources::{iam, sqs};
use cloudwright_testing::assert_stack_lint_clean;
use serde_json::json;

/// A role and a policy on it with `document`.
fn sender(s: &mut Scope<'_>, document: Json) {
    let role = s
        .add(
            "Role",
            iam::Role::new(iam::RoleRequired {
                assume_role_policy_document: json!({
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole"
                    }]
                })
                .into(),
            }),
        )
        .unwrap();
    s.add(
        "Policy",
        iam::Policy::new(iam::PolicyRequired {
            policy_document: document,
            policy_name: "send".into(),
        })
        .roles(vec![role.r#ref()]),
    )
    .unwrap();
}

/// The policy document allowing `sqs:SendMessage` to `queue_arn`, typed.
fn document_typed(queue_arn: Value) -> Json {
    Json(Value::map([
        ("Version", Value::from("2012-10-17")),
        (
            "Statement",
            Value::list([Value::map([
                ("Effect", Value::from("Allow")),
                ("Action", Value::from("sqs:SendMessage")),
                ("Resource", queue_arn),
            ])]),
        ),
    ]))
}

/// The same document as a user writes it with `json!`.
fn document_json(queue_arn: serde_json::Value) -> Json {
    json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue_arn}]
    })
    .into()
}

/// One stack: a queue, a role, and a policy whose document is `document` (`None`: the typed
/// document with the queue's attribute getter).
fn one_stack(document: Option<Json>) -> App {
    let app = App::new();
    let mut s = app.stack("Orders").unwrap();
    let queue = s.add("Queue", sqs::Queue::new()).unwrap();
    sender(
        &mut s,
        document.unwrap_or_else(|| document_typed(queue.arn())),
    );
    app
}

#[test]
fn a_json_get_att_is_an_edge_and_synthesizes_the_typed_template_which_cfn_lint_passes() {
    let typed = one_stack(None).synth().unwrap();
    for written in [
        json!({"Fn::GetAtt": ["Queue", "Arn"]}),
        json!({"Fn::GetAtt": "Queue.Arn"}),
    ] {
        let read = one_stack(Some(document_json(written.clone())))
            .synth()
            .unwrap();
        let stack = read.stack("Orders").unwrap();
        assert_eq!(
            stack.template,
            typed.stack("Orders").unwrap().template,
            "{written}"
        );
        assert!(
            stack
                .graph_dot
                .contains(r#""Policy" -> "Queue" [label="Fn::GetAtt""#),
            "no edge from the policy to the queue:\n{}",
            stack.graph_dot
        );
        assert_stack_lint_clean(&read, "Orders");
    }
}

#[test]
fn a_typo_in_a_json_get_att_is_refused_naming_the_id_and_the_path() {
    let e = one_stack(Some(document_json(json!({"Fn::GetAtt": ["Queu", "Arn"]}))))
        .synth()
        .unwrap_err();
    let msg = e.to_string();
    assert!(
        matches!(&e, Error::DanglingReference { referrer, target, .. } if referrer == "Policy" && target == "Queu.Arn"),
        "{msg}"
    );
    assert!(
        msg.contains("Properties.PolicyDocument.Statement[0].Resource"),
        "{msg}"
    );
    assert!(msg.contains("did you mean `Queue`?"), "{msg}");

    // a malformed one is refused with the typed form to write
    let e = one_stack(Some(document_json(json!({"Fn::GetAtt": ["Queue"]}))))
        .synth()
        .unwrap_err();
    let msg = e.to_string();
    assert!(matches!(&e, Error::IntrinsicAsData { .. }), "{msg}");
    assert!(
        msg.contains("Properties.PolicyDocument.Statement[0].Resource")
            && msg.contains("handle.get_att"),
        "{msg}"
    );
}

#[test]
fn a_json_reference_into_another_stack_is_exported_and_imported_as_a_typed_one() {
    let build = |typed: bool| {
        let app = App::new();
        let queue = app
            .stack("Queues")
            .unwrap()
            .add("Queue", sqs::Queue::new())
            .unwrap();
        let mut api = app.stack("Api").unwrap();
        let document = if typed {
            document_typed(queue.arn())
        } else {
            // `json!` with the handle's attribute inside, as one writes a policy inline: the
            // JSON loses which stack the queue is in, its logical id finds it again
            document_json(json!(queue.arn()))
        };
        sender(&mut api, document);
        app.synth().unwrap()
    };
    let (typed, read) = (build(true), build(false));
    for id in ["Queues", "Api"] {
        assert_eq!(
            read.stack(id).unwrap().template,
            typed.stack(id).unwrap().template,
            "stack {id}"
        );
    }
    assert_eq!(
        read.stack("Queues").unwrap().exports,
        vec!["Queues:ExportsOutputFnGetAttQueueArn".to_owned()]
    );
    let api = read.stack("Api").unwrap();
    assert!(
        api.template
            .contains(r#""Fn::ImportValue": "Queues:ExportsOutputFnGetAttQueueArn""#),
        "{}",
        api.template
    );
    assert_eq!(api.dependencies, vec!["Queues".to_owned()]);
    assert_stack_lint_clean(&read, "Queues");
    assert_stack_lint_clean(&read, "Api");
}

#[test]
fn a_json_sub_placeholder_into_another_stack_is_imported_through_a_variable_and_cfn_lint_passes() {
    let app = App::new();
    app.stack("Queues")
        .unwrap()
        .add("Queue", sqs::Queue::new())
        .unwrap();
    let mut api = app.stack("Api").unwrap();
    sender(&mut api, document_json(json!({"Fn::Sub": "${Queue.Arn}"})));
    let asm = app.synth().unwrap();
    let t: serde_json::Value = serde_json::from_str(&asm.stack("Api").unwrap().template).unwrap();
    assert_eq!(
        t["Resources"]["Policy"]["Properties"]["PolicyDocument"]["Statement"][0]["Resource"],
        json!({"Fn::Sub": ["${QueueArn}", {"QueueArn": {"Fn::ImportValue": "Queues:ExportsOutputFnGetAttQueueArn"}}]})
    );
    assert_stack_lint_clean(&asm, "Queues");
    assert_stack_lint_clean(&asm, "Api");
}
