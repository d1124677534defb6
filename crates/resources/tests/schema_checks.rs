//! Schema checks of whole generated types that need their service's feature (run by
//! `scripts/test` with `--features full`).
#![cfg(all(feature = "cloudformation", feature = "sqs", feature = "ecs"))]
use cloudwright_core::{Resource, Value};

/// The schema says `additionalProperties: false` beside `patternProperties: {".*": ..}`: the
/// properties a custom resource passes to its provider are its own, and must not be refused.
#[cfg(feature = "cloudformation")]
#[test]
fn a_custom_resource_takes_properties_of_its_own() {
    use cloudwright_resources::cloudformation::CustomResource;
    let props = Value::map([
        (
            "ServiceToken",
            Value::from("arn:aws:lambda:us-east-1:123456789012:function:f"),
        ),
        ("TableName", Value::from("orders")),
        ("Nested", Value::map([("Retries", Value::from(3))])),
    ]);
    assert_eq!(CustomResource::check(&props), Ok(()));
    // its own properties are still checked
    let missing = Value::map([("TableName", Value::from("orders"))]);
    let e = CustomResource::check(&missing).unwrap_err();
    assert_eq!(e.constraint, "required property ServiceToken");
    let null = Value::map([
        (
            "ServiceToken",
            Value::from("arn:aws:sns:us-east-1:123456789012:t"),
        ),
        ("TableName", Value::Null),
    ]);
    assert_eq!(
        CustomResource::check(&null).unwrap_err().property,
        "TableName"
    );
}

fn err_of(r: Result<(), cloudwright_core::Violation>) -> (String, String) {
    match r {
        Ok(()) => panic!("accepted"),
        Err(v) => (v.property, v.constraint),
    }
}

/// An object-or-string property is checked in its object form: a typo in SQS's
/// `RedrivePolicy` no longer passes; the JSON-string form still does.
#[cfg(feature = "sqs")]
#[test]
fn a_redrive_policy_object_is_checked() {
    use cloudwright_resources::sqs::Queue;
    let policy = |count_key: &'static str| {
        Value::map([(
            "RedrivePolicy",
            Value::map([
                (
                    "deadLetterTargetArn",
                    Value::from("arn:aws:sqs:us-east-1:123456789012:dlq"),
                ),
                (count_key, Value::from(5)),
            ]),
        )])
    };
    assert_eq!(Queue::check(&policy("maxReceiveCount")), Ok(()));
    let (property, constraint) = err_of(Queue::check(&policy("maxRecieveCount")));
    assert_eq!(property, "RedrivePolicy/maxRecieveCount");
    assert!(
        constraint.ends_with("did you mean maxReceiveCount?)"),
        "{constraint}"
    );
    let as_string = Value::map([(
        "RedrivePolicy",
        Value::from(
            r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dlq","maxReceiveCount":5}"#,
        ),
    )]);
    assert_eq!(Queue::check(&as_string), Ok(()));
    let wrong_type = Value::map([(
        "RedrivePolicy",
        Value::map([("maxReceiveCount", Value::from("five"))]),
    )]);
    assert_eq!(
        err_of(Queue::check(&wrong_type)),
        (
            "RedrivePolicy/maxReceiveCount".into(),
            "type integer".into()
        )
    );
}

/// `uniqueItems`: two equal container definitions are refused; a map-typed property
/// (`DockerLabels`) must be an object.
#[cfg(feature = "ecs")]
#[test]
fn unique_items_and_map_types_are_checked() {
    use cloudwright_resources::ecs::TaskDefinition;
    let container = || {
        Value::map([
            ("Name", Value::from("web")),
            ("Image", Value::from("nginx")),
        ])
    };
    let twice = Value::map([(
        "ContainerDefinitions",
        Value::list([container(), container()]),
    )]);
    assert_eq!(
        err_of(TaskDefinition::check(&twice)),
        (
            "ContainerDefinitions/1".into(),
            "uniqueItems (the same as item 0)".into()
        )
    );
    let labels = |v: Value| {
        Value::map([(
            "ContainerDefinitions",
            Value::list([Value::map([
                ("Name", Value::from("web")),
                ("Image", Value::from("nginx")),
                ("DockerLabels", v),
            ])]),
        )])
    };
    assert_eq!(
        TaskDefinition::check(&labels(Value::map([("team", Value::from("a"))]))),
        Ok(())
    );
    assert_eq!(
        err_of(TaskDefinition::check(&labels(Value::list([Value::from(
            "a"
        )]))))
        .0,
        "ContainerDefinitions/0/DockerLabels"
    );
}

/// A taggable type's `Tags` as cfn-lint's E3024 checks them: a key twice, or one in the
/// reserved `aws:` namespace, is refused.
#[cfg(feature = "sqs")]
#[test]
fn tags_of_a_taggable_type_are_checked() {
    use cloudwright_resources::sqs::Queue;
    let tags = |keys: &[&str]| {
        Value::map([(
            "Tags",
            Value::List(
                keys.iter()
                    .map(|k| Value::map([("Key", Value::from(*k)), ("Value", Value::from("v"))]))
                    .collect(),
            ),
        )])
    };
    assert_eq!(Queue::check(&tags(&["team", "env"])), Ok(()));
    assert_eq!(
        err_of(Queue::check(&tags(&["team", "team"]))).0,
        "Tags/1/Key"
    );
    assert_eq!(err_of(Queue::check(&tags(&["aws:owner"]))).0, "Tags/0/Key");
}

/// `(type, properties, path)`: each refused by cfn-lint 1.51.0 (the differential test's
/// examples of union objects, maps and `enumCaseInsensitive`; verified with cfn-lint), and
/// each must be refused at synth at that path.
#[cfg(all(
    feature = "ses",
    feature = "cases",
    feature = "cognito",
    feature = "iottwinmaker",
    feature = "batch",
    feature = "ec2",
    feature = "groundstation",
    feature = "iam",
    feature = "ssm"
))]
#[test]
fn union_objects_maps_and_any_case_enums_are_refused_where_cfn_lint_refuses_them() {
    use serde_json::json;
    let cases = [
        (
            "AWS::SES::MailManagerRelay",
            json!({"Authentication": {}, "ServerName": "a", "ServerPort": 1}),
            "Authentication",
        ),
        (
            "AWS::Cases::Layout",
            json!({"Content": {"Basic": 7}, "Name": "aa"}),
            "Content/Basic",
        ),
        (
            "AWS::SES::MailManagerArchive",
            json!({"Retention": {"RetentionPeriod": "THIRTY9MONTHS"}}),
            "Retention/RetentionPeriod",
        ),
        (
            "AWS::Cognito::IdentityPoolRoleAttachment",
            json!({"IdentityPoolId": "sample", "Roles": {"ba": {"Value": "x"}}}),
            "Roles/ba",
        ),
        (
            "AWS::IoTTwinMaker::Entity",
            json!({"EntityName": "aaa", "WorkspaceId": "aaa", "CompositeComponents": {"ключ": {}}}),
            "CompositeComponents/ключ",
        ),
        (
            "AWS::Batch::JobDefinition",
            json!({"Type": "container", "RetryStrategy": {"EvaluateOnExit": [{"Action": "c_A"}]}}),
            "RetryStrategy/EvaluateOnExit/0/Action",
        ),
        (
            "AWS::EC2::IPAMPool",
            json!({"AddressFamily": "ipv4", "IpamScopeId": "sample", "AwsService": "Ec3"}),
            "AwsService",
        ),
        // minProperties
        (
            "AWS::GroundStation::Config",
            json!({"ConfigData": {}, "Name": "a"}),
            "ConfigData",
        ),
        // a pattern beside the boolean type
        (
            "AWS::SES::ConfigurationSet",
            json!({"ReputationOptions": {"ReputationMetricsEnabled": "TRUE"}}),
            "ReputationOptions/ReputationMetricsEnabled",
        ),
        // the string form of an object-or-string keeps its pattern and lengths
        (
            "AWS::IAM::UserPolicy",
            json!({"PolicyName": "a", "UserName": "a", "PolicyDocument": ""}),
            "PolicyDocument",
        ),
        ("AWS::SSM::Document", json!({"Content": ""}), "Content"),
    ];
    let mut wrong = Vec::new();
    for (type_name, props, path) in cases {
        // the accepting twin of the boolean case
        if type_name == "AWS::SES::ConfigurationSet" {
            let ok =
                Value::from_json(&json!({"ReputationOptions": {"ReputationMetricsEnabled": true}}));
            assert_eq!(
                cloudwright_resources::check_properties(type_name, &ok),
                Some(Ok(()))
            );
        }
        let value = Value::from_json(&props);
        match cloudwright_resources::check_properties(type_name, &value) {
            Some(Err(v)) if v.property == path => {}
            other => wrong.push(format!(
                "{type_name} {props}: {other:?}, expected at {path}"
            )),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// `multipleOf` (cfn-lint reports it under E3002): a sampling rate of 37.63 is refused as
/// cfn-lint refuses it, 37 is not (both verified with cfn-lint 1.51.0).
#[cfg(feature = "cloudfront")]
#[test]
fn multiple_of_is_checked() {
    use serde_json::json;
    let config = |rate: serde_json::Value| {
        Value::from_json(
            &json!({"Name": "n", "SamplingRate": rate, "Fields": ["timestamp"],
            "EndPoints": [{"StreamType": "Kinesis", "KinesisStreamConfig": {
                "RoleArn": "arn:aws:iam::123456789012:role/r",
                "StreamArn": "arn:aws:kinesis:us-east-1:123456789012:stream/s"}}]}),
        )
    };
    let check = |v: &Value| {
        cloudwright_resources::check_properties("AWS::CloudFront::RealtimeLogConfig", v)
            .unwrap_or_else(|| panic!("not compiled in"))
    };
    assert_eq!(check(&config(json!(37))), Ok(()));
    let e = check(&config(json!("37.63"))).unwrap_err();
    assert_eq!(
        (e.property.as_str(), e.constraint.as_str()),
        ("SamplingRate", "multipleOf 1")
    );
}
