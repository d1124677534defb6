//! `cloudwright migrate`: a template in, an app crate out; a malformed template exits 1 with
//! the place named and nothing written.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cloudwright_tests::TempDir;

/// `text` without whitespace and trailing commas, to find code whatever rustfmt made of its
/// lines.
fn flat(text: &str) -> String {
    let s: String = text.split_whitespace().collect();
    s.replace(",)", ")").replace(",]", "]")
}

/// rustup's home, so `rustfmt` runs in the CLI's clean environment (whose HOME is the test's
/// directory).
fn rustup() -> Vec<(&'static str, String)> {
    let home = std::env::var("RUSTUP_HOME")
        .unwrap_or_else(|_| format!("{}/.rustup", std::env::var("HOME").unwrap_or_default()));
    vec![("RUSTUP_HOME", home)]
}

const GOOD: &str = r#"{
  "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
  "Resources": {
    "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "${Env}-orders"}}}
  },
  "Outputs": {"QueueArn": {"Value": {"Fn::GetAtt": ["Queue", "Arn"]}, "Export": {"Name": "orders-queue"}}}
}"#;

#[test]
fn a_template_becomes_an_app_crate() {
    let dir = TempDir::new("migrate-cli");
    std::fs::write(dir.path().join("orders.template.json"), GOOD).unwrap();
    let out = common::run(dir.path(), &rustup(), &["migrate", "orders.template.json"]);
    common::ok(&out);
    let app = dir.path().join("orders");
    let lib = std::fs::read_to_string(app.join("src/lib.rs")).unwrap();
    for want in [
        "pub const STACK_NAME: &str = \"orders\";",
        "use cloudwright_resources::sqs::queue::*;",
        "Queue::new().queue_name(cw::Value::sub(\"${Env}-orders\"))",
        "stack.add_with_logical_id(\"Queue\", \"Queue\", resource)?;",
        "stack.add_parameter(\"Env\", cw::Parameter::new(\"String\").default_value(cw::Value::from(\"dev\")))?;",
        ".export(cw::Value::from(\"orders-queue\"))",
    ] {
        assert!(flat(&lib).contains(&flat(want)), "{want} not in\n{lib}");
    }
    let manifest = std::fs::read_to_string(app.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("features = [\"sqs\"]"), "{manifest}");
    for f in [
        "src/main.rs",
        "cloudwright.json",
        "cloudwright.context.json",
    ] {
        assert!(app.join(f).is_file(), "{f} is missing");
    }
    let report = common::stdout(&out);
    assert!(report.contains("migrated 1 resources"), "{report}");
    assert!(!report.contains("not formatted"), "{report}");

    // a second run into the same directory refuses, and leaves it as it was
    let again = common::run(dir.path(), &[], &["migrate", "orders.template.json"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(common::stderr(&again).contains("exists and is not empty"));
    assert_eq!(
        std::fs::read_to_string(app.join("src/lib.rs")).unwrap(),
        lib
    );
}

#[test]
fn malformed_templates_exit_1_naming_the_place_and_write_nothing() {
    let cases = [
        (
            "{\n  \"Resources\": {\n    \"Queue\": {\"Type\": \"AWS::SQS::Queue\",}\n  }\n}",
            "bad.json:3:",
        ),
        (
            r#"{"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Frobnicate": "x"}}}}}"#,
            "Resources.Queue.Properties.QueueName.Fn::Frobnicate: unknown intrinsic function `Fn::Frobnicate`",
        ),
        (
            r#"{"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "Missing"}}}}}"#,
            "Resources.Queue.Properties.QueueName: resource or parameter `Missing` does not exist",
        ),
        (
            r#"{"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "DependsOn": "Gone"}}}"#,
            "Resources.Queue.DependsOn: resource `Gone` does not exist",
        ),
        (
            r#"{"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "${Nope.Arn}"}}}}}"#,
            "Fn::Sub placeholder `Nope.Arn` does not exist",
        ),
        (
            r#"{"Resources": {"Queue": {"Properties": {}}}}"#,
            "Resources.Queue: a resource needs a `Type`",
        ),
        ("Resources: [", "bad.json:1:"),
    ];
    for (template, want) in cases {
        let dir = TempDir::new("migrate-bad");
        std::fs::write(dir.path().join("bad.json"), template).unwrap();
        let out = common::run(dir.path(), &[], &["migrate", "bad.json", "app"]);
        assert_eq!(out.status.code(), Some(1), "{template}");
        let err = common::stderr(&out);
        assert!(err.contains(want), "{want:?} not in {err:?}");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            left,
            vec![std::ffi::OsString::from("bad.json")],
            "{template}"
        );
    }
}

#[test]
fn a_yaml_template_with_what_cannot_be_typed_becomes_raw_resources_with_the_reason() {
    let dir = TempDir::new("migrate-yaml");
    let template = "Resources:\n  Thing:\n    Type: Custom::Thing\n    Properties:\n      ServiceToken: !GetAtt Fn.Arn\n  Fn:\n    Type: AWS::SQS::Queue\n  Odd:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Join [',', !Ref AWS::NotificationARNs]\n";
    std::fs::write(dir.path().join("stack.yaml"), template).unwrap();
    let out = common::run(
        dir.path(),
        &rustup(),
        &[
            "migrate",
            "stack.yaml",
            "app",
            "--stack-name",
            "legacy-stack",
        ],
    );
    common::ok(&out);
    let lib = std::fs::read_to_string(dir.path().join("app/src/lib.rs")).unwrap();
    for want in [
        "// migrate: Custom::Thing is not a generated type",
        "cw::RawResource::new(\"Custom::Thing\")",
        ".property(\"ServiceToken\", cw::Value::get_att(\"Fn\", \"Arn\"))",
        "// migrate: Fn::Join: the list is computed by a function",
        "cw::Value::map([(\n",
        "pub const STACK: &str = \"LegacyStack\";",
    ] {
        assert!(flat(&lib).contains(&flat(want)), "{want:?} not in\n{lib}");
    }
    let report = common::stdout(&out);
    assert!(
        report.contains("raw resource (not typed) Thing: Custom::Thing"),
        "{report}"
    );
    assert!(
        report.contains("raw resource (not typed) Odd: Fn::Join"),
        "{report}"
    );
}
