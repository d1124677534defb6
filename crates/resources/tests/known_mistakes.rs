//! Every mistake that differential testing against cfn-lint found passing synthesis, written on
//! the real type it was found on: each is refused by the type's schema check
//! ([`cloudwright_resources::check_properties`], what synthesis runs) naming the property path,
//! the value and the rule; and in one cfn-lint run over all of them, cfn-lint refuses it too,
//! or only warns, or (the cases beyond cfn-lint) accepts what fails at deploy, as each case
//! says.
//!
//! Run with `cargo test -p cloudwright-resources --features full --test known_mistakes`
//! (`scripts/test` does).

#![cfg(feature = "full")]

use std::collections::BTreeMap;
use std::path::Path;

use cloudwright_core::Value;
use serde_json::json;

mod common;
use common::lint_files;

/// One mistake on a real type.
struct Mistake {
    /// What the mistake is, as a test name would say it.
    what: &'static str,
    type_name: &'static str,
    /// The resource's whole `Properties`.
    properties: serde_json::Value,
    /// The property path synthesis must name.
    path: &'static str,
    /// Text the broken rule's description must contain.
    rule: &'static str,
    /// What cfn-lint makes of it.
    cfn_lint: Lint,
}

/// What cfn-lint makes of a mistake.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Lint {
    /// An error finding (`E...`).
    Refuses,
    /// Only a warning, this rule's: the template passes `cfn-lint` and fails at deploy.
    Warns(&'static str),
    /// Nothing: why the deploy fails all the same.
    Accepts(&'static str),
}

fn mistake(
    what: &'static str,
    type_name: &'static str,
    properties: serde_json::Value,
    path: &'static str,
    rule: &'static str,
) -> Mistake {
    Mistake {
        what,
        type_name,
        properties,
        path,
        rule,
        cfn_lint: Lint::Refuses,
    }
}

const QUEUE_ARN: &str = "arn:aws:sqs:us-east-1:123456789012:orders";

/// A DynamoDB table's properties with a key `pk` and `extra` merged in.
fn table(extra: serde_json::Value) -> serde_json::Value {
    let mut t = json!({
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    });
    if let (Some(t), Some(extra)) = (t.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            t.insert(k.clone(), v.clone());
        }
    }
    t
}

impl Mistake {
    fn warned_by_cfn_lint(self, rule: &'static str) -> Mistake {
        Mistake {
            cfn_lint: Lint::Warns(rule),
            ..self
        }
    }

    fn accepted_by_cfn_lint(self, why_deploy_fails: &'static str) -> Mistake {
        Mistake {
            cfn_lint: Lint::Accepts(why_deploy_fails),
            ..self
        }
    }
}

fn mistakes() -> Vec<Mistake> {
    vec![
        mistake(
            "an integer written as a float's string",
            "AWS::SQS::Queue",
            json!({"DelaySeconds": "28e0"}),
            "DelaySeconds",
            "integer",
        ),
        mistake(
            "zero written as a float's string",
            "AWS::SQS::Queue",
            json!({"ReceiveMessageWaitTimeSeconds": "0e0"}),
            "ReceiveMessageWaitTimeSeconds",
            "integer",
        ),
        mistake(
            "a boolean in a spelling cfn-lint does not take",
            "AWS::SQS::Queue",
            json!({"ContentBasedDeduplication": "fAlse"}),
            "ContentBasedDeduplication",
            "boolean",
        ),
        mistake(
            "a number where a patterned string belongs, its string form checked",
            "AWS::CustomerProfiles::SegmentDefinition",
            json!({
                "DomainName": "orders",
                "DisplayName": "orders",
                "SegmentDefinitionName": 3.25,
                "SegmentGroups": {"Include": "ALL"},
            }),
            "SegmentDefinitionName",
            "pattern",
        ),
        mistake(
            "a number where an enum string belongs, its string form checked",
            "AWS::Lambda::Function",
            json!({
                "Code": {"ZipFile": "def handler(event, context): pass"},
                "Role": "arn:aws:iam::123456789012:role/fn",
                "Handler": "index.handler",
                "Runtime": "python3.12",
                "PackageType": 1,
            }),
            "PackageType",
            "Zip",
        ),
        mistake(
            "null for an optional property",
            "AWS::SQS::Queue",
            json!({"QueueName": null}),
            "QueueName",
            "null",
        )
        .accepted_by_cfn_lint(
            "CloudFormation refuses the template: 'null' values are not allowed in templates",
        ),
        mistake(
            "null for a required property",
            "AWS::SQS::QueuePolicy",
            json!({"PolicyDocument": null, "Queues": ["https://sqs.us-east-1.amazonaws.com/123456789012/orders"]}),
            "PolicyDocument",
            "null",
        ),
        mistake(
            "a list where a map of tags belongs",
            "AWS::SSM::Parameter",
            json!({"Type": "String", "Value": "v", "Tags": ["a"]}),
            "Tags",
            "object",
        ),
        mistake(
            "a duplicated item of a unique list",
            "AWS::IAM::Role",
            json!({
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }]},
                "ManagedPolicyArns": [
                    "arn:aws:iam::aws:policy/ReadOnlyAccess",
                    "arn:aws:iam::aws:policy/ReadOnlyAccess",
                ],
            }),
            "ManagedPolicyArns/1",
            "uniqueItems",
        ),
        mistake(
            "a misspelled key of an object-or-string property's object form",
            "AWS::SQS::Queue",
            json!({"RedrivePolicy": {"deadLetterTargetArn": QUEUE_ARN, "maxRecieveCount": 5}}),
            "RedrivePolicy/maxRecieveCount",
            "maxRecieveCount",
        ),
        mistake(
            "a key type that is not HASH or RANGE",
            "AWS::DynamoDB::Table",
            table(json!({"KeySchema": [{"AttributeName": "pk", "KeyType": "PARTITION"}]})),
            "KeySchema/0/KeyType",
            "HASH",
        ),
        mistake(
            "a key type in lower case",
            "AWS::DynamoDB::Table",
            table(json!({"KeySchema": [{"AttributeName": "pk", "KeyType": "hash"}]})),
            "KeySchema/0/KeyType",
            "HASH",
        ),
        mistake(
            "a key attribute without its definition",
            "AWS::DynamoDB::Table",
            table(json!({"AttributeDefinitions": [{"AttributeName": "sk", "AttributeType": "S"}]})),
            "AttributeDefinitions",
            "pk",
        ),
        mistake(
            "a tag key used twice",
            "AWS::SQS::Queue",
            json!({"Tags": [{"Key": "team", "Value": "a"}, {"Key": "team", "Value": "b"}]}),
            "Tags/1/Key",
            "each tag key once",
        ),
        mistake(
            "a tag key with the reserved aws: prefix",
            "AWS::SQS::Queue",
            json!({"Tags": [{"Key": "aws:team", "Value": "a"}]}),
            "Tags/0/Key",
            "aws:",
        ),
        mistake(
            "an IAM action that does not exist",
            "AWS::IAM::ManagedPolicy",
            json!({"PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "dynamodb:GetItems", "Resource": "*"}]}}),
            "PolicyDocument/Statement/0/Action",
            "did you mean dynamodb:getitem?",
        )
        .warned_by_cfn_lint("W3037"),
        mistake(
            "a number where an enum string belongs, beyond cfn-lint: the API's enum",
            "AWS::DynamoDB::Table",
            table(json!({"BillingMode": 1})),
            "BillingMode",
            "PAY_PER_REQUEST",
        )
        .accepted_by_cfn_lint(
            "CreateTable refuses it: BillingMode is PROVISIONED or PAY_PER_REQUEST",
        ),
        mistake(
            "a billing mode the DynamoDB API does not have",
            "AWS::DynamoDB::Table",
            table(json!({"BillingMode": "ON_DEMAND"})),
            "BillingMode",
            "PAY_PER_REQUEST",
        )
        .accepted_by_cfn_lint(
            "DynamoDB's CreateTable refuses it: BillingMode is PROVISIONED or PAY_PER_REQUEST",
        ),
    ]
}

#[test]
fn every_known_mistake_is_refused_at_synth_naming_path_value_and_rule() {
    let mut wrong = Vec::new();
    for m in mistakes() {
        let props = Value::from_json(&m.properties);
        match cloudwright_resources::check_properties(m.type_name, &props) {
            None => wrong.push(format!("{}: {} is not compiled in", m.what, m.type_name)),
            Some(Ok(())) => wrong.push(format!("{}: accepted", m.what)),
            Some(Err(v)) => {
                let message = v.to_string();
                if v.property != m.path || !v.constraint.contains(m.rule) || v.value.is_empty() {
                    wrong.push(format!(
                        "{}: refused as `{message}`, want the path `{}` and a rule naming `{}`",
                        m.what, m.path, m.rule
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "\n  {}", wrong.join("\n  "));
}

#[test]
fn cfn_lint_refuses_each_known_mistake_but_those_beyond_it() {
    let dir = std::env::temp_dir().join(format!("cloudwright-mistakes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let all = mistakes();
    let mut files = Vec::new();
    for (i, m) in all.iter().enumerate() {
        let template = json!({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {"Mistake": {
                "Type": m.type_name,
                "DeletionPolicy": "Delete",
                "UpdateReplacePolicy": "Delete",
                "Properties": m.properties,
            }},
        });
        let file = dir.join(format!("mistake{i}.json"));
        std::fs::write(&file, template.to_string())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        files.push(file);
    }
    let findings = lint_files(&[], &files);
    let _ = std::fs::remove_dir_all(&dir);
    // the rules cfn-lint reported, per file
    let mut reported: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in &findings {
        let rule = f["Rule"]["Id"].as_str().unwrap_or_default();
        let file = f["Filename"].as_str().unwrap_or_default();
        let name = Path::new(file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        reported.entry(name).or_default().push(rule.to_owned());
    }
    let mut wrong = Vec::new();
    for (i, m) in all.iter().enumerate() {
        let rules = reported
            .get(&format!("mistake{i}.json"))
            .cloned()
            .unwrap_or_default();
        let errors = rules.iter().any(|r| r.starts_with('E'));
        let ok = match m.cfn_lint {
            Lint::Refuses => errors,
            Lint::Warns(rule) => !errors && rules.iter().any(|r| r == rule),
            Lint::Accepts(_) => rules.is_empty(),
        };
        if !ok {
            wrong.push(format!(
                "{}: cfn-lint reported {rules:?}, the case says {:?}",
                m.what, m.cfn_lint
            ));
        }
    }
    assert!(wrong.is_empty(), "\n  {}", wrong.join("\n  "));
}
