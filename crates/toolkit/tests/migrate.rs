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

/// The dependency lines follow `cloudwright init`'s: the checkout by path (by default the one
/// this cloudwright was built from, with its lock file), or `--git URL`.
#[test]
fn the_dependency_lines_name_a_checkout_or_a_git_repository() {
    let dir = TempDir::new("migrate-deps");
    std::fs::write(dir.path().join("orders.template.json"), GOOD).unwrap();
    let out = common::run(
        dir.path(),
        &rustup(),
        &["migrate", "orders.template.json", "by-path"],
    );
    common::ok(&out);
    let manifest = std::fs::read_to_string(dir.path().join("by-path/Cargo.toml")).unwrap();
    assert!(
        manifest.contains("cloudwright-core = { path = "),
        "{manifest}"
    );
    assert!(dir.path().join("by-path/Cargo.lock").is_file());
    let url = "https://github.com/cloudwright-rs/cloudwright";
    let out = common::run(
        dir.path(),
        &rustup(),
        &["migrate", "orders.template.json", "by-git", "--git", url],
    );
    common::ok(&out);
    let manifest = std::fs::read_to_string(dir.path().join("by-git/Cargo.toml")).unwrap();
    assert!(
        manifest.contains(&format!("cloudwright-core = {{ git = \"{url}\" }}")),
        "{manifest}"
    );
    assert!(
        manifest.contains(&format!("cloudwright-resources = {{ git = \"{url}\", default-features = false, features = [\"sqs\"] }}")),
        "{manifest}"
    );
    assert!(
        !dir.path().join("by-git/Cargo.lock").exists(),
        "no checkout, no lock file"
    );
    let both = common::run(
        dir.path(),
        &[],
        &[
            "migrate",
            "orders.template.json",
            "both",
            "--git",
            url,
            "--path",
            ".",
        ],
    );
    assert_eq!(
        both.status.code(),
        Some(2),
        "clap refuses --git with --path"
    );
    assert!(!dir.path().join("both").exists());
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

/// A template as another tool deployed it (YAML, short-form tags).
const LEGACY: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Description: Orders, deployed before cloudwright
Parameters:
  Env:
    Type: String
    Default: dev
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  DeadLetters:
    Type: AWS::SQS::Queue
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      QueueName: !Sub "${Env}-orders-dlq"
  Orders:
    Type: AWS::SQS::Queue
    DependsOn: DeadLetters
    Properties:
      QueueName: !Sub "${Env}-orders"
      VisibilityTimeout: 60
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt DeadLetters.Arn
        maxReceiveCount: 5
  Alerts:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !If [IsProd, Orders alerts, !Sub "Orders alerts (${Env})"]
      Tags:
        - Key: team
          Value: orders
Outputs:
  OrdersUrl:
    Value: !Ref Orders
    Export:
      Name: !Sub "${AWS::StackName}-orders-url"
"#;

async fn physical_ids(cfn: &aws_sdk_cloudformation::Client, stack: &str) -> Vec<(String, String)> {
    let o = cfn
        .describe_stack_resources()
        .stack_name(stack)
        .send()
        .await
        .unwrap();
    let mut v: Vec<(String, String)> = o
        .stack_resources()
        .iter()
        .map(|r| {
            (
                r.logical_resource_id().unwrap_or_default().to_owned(),
                r.physical_resource_id().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stack_deployed_by_another_tool_is_taken_over_without_replacing_anything() {
    let moto = cloudwright_tests::Moto::start();
    let config = common::sdk(&moto).await;
    let cfn = aws_sdk_cloudformation::Client::new(&config);
    // another tool deploys the template (moto creates stacks synchronously)
    cfn.create_stack()
        .stack_name("legacy-orders")
        .template_body(LEGACY)
        .send()
        .await
        .unwrap();
    assert_eq!(
        common::stack_status(&cfn, "legacy-orders").await.as_deref(),
        Some("CREATE_COMPLETE")
    );
    let before = physical_ids(&cfn, "legacy-orders").await;
    assert_eq!(before.len(), 3, "{before:?}");

    // migrate the template it was deployed with, looked up in the stack
    let dir = TempDir::new("migrate-takeover");
    let mut env = moto.env();
    env.extend(rustup());
    let home = std::env::var("HOME").unwrap_or_default();
    let target = std::env::var("CARGO_TARGET_DIR").map_or_else(
        |_| format!("{}/../../target/migrate-apps", env!("CARGO_MANIFEST_DIR")),
        |t| format!("{t}/migrate-apps"),
    );
    env.extend([
        (
            "CARGO_HOME",
            std::env::var("CARGO_HOME").unwrap_or_else(|_| format!("{home}/.cargo")),
        ),
        ("CARGO_TARGET_DIR", target),
        ("CARGO_NET_OFFLINE", "true".to_owned()),
        ("CARGO_INCREMENTAL", "0".to_owned()),
        ("CARGO_PROFILE_DEV_DEBUG", "false".to_owned()),
    ]);
    let migrate = common::run(
        dir.path(),
        &env,
        &["migrate", "--from-stack", "legacy-orders", "app"],
    );
    common::ok(&migrate);
    let app = dir.path().join("app");
    assert!(app.join("Cargo.lock").is_file());
    let lib = std::fs::read_to_string(app.join("src/lib.rs")).unwrap();
    assert!(
        lib.contains("pub const STACK_NAME: &str = \"legacy-orders\";"),
        "{lib}"
    );

    // a stack that does not exist is named
    let missing = common::run(dir.path(), &env, &["migrate", "--from-stack", "nope", "x"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(common::stderr(&missing).contains("there is no stack `nope`"));
    assert!(!dir.path().join("x").exists());

    // diff: nothing differs from the deployed stack (its YAML read, the writing aside)
    let diff = common::run(&app, &env, &["diff", "--fail"]);
    common::ok(&diff);

    // deploy: no change to make, nothing replaced
    let deploy = common::run(
        &app,
        &env,
        &["deploy", "--yes", "--progress", "events", "--timeout", "60"],
    );
    common::ok(&deploy);
    // moto lists as `Modify` every resource whose JSON is written differently (here the
    // `DependsOn: X` and `!GetAtt X.Arn` forms of the YAML), where CloudFormation compares
    // resolved properties; nothing is added, removed or replaced
    let text = common::stdout(&deploy);
    assert!(
        text.contains("no changes")
            || text
                .lines()
                .filter(|l| l.starts_with("  Add ") || l.starts_with("  Remove "))
                .count()
                == 0,
        "{text}"
    );
    assert_eq!(
        physical_ids(&cfn, "legacy-orders").await,
        before,
        "a resource was replaced"
    );

    // the app now owns the stack: a change made in code deploys as an update in place
    let lib = app.join("src/lib.rs");
    let source = std::fs::read_to_string(&lib).unwrap();
    assert!(source.contains(".visibility_timeout(60i64)"), "{source}");
    std::fs::write(
        &lib,
        source.replace(".visibility_timeout(60i64)", ".visibility_timeout(90i64)"),
    )
    .unwrap();
    let update = common::run(
        &app,
        &env,
        &["deploy", "--yes", "--progress", "events", "--timeout", "60"],
    );
    common::ok(&update);
    assert_eq!(
        common::stack_status(&cfn, "legacy-orders").await.as_deref(),
        Some("UPDATE_COMPLETE")
    );
    assert_eq!(
        physical_ids(&cfn, "legacy-orders").await,
        before,
        "a resource was replaced"
    );
}

#[test]
fn import_existing_needs_a_change_set() {
    let dir = TempDir::new("migrate-import");
    let out = common::run(
        dir.path(),
        &[],
        &[
            "--assembly",
            ".",
            "deploy",
            "--import-existing",
            "--method",
            "direct",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(common::stderr(&out).contains("--import-existing works through change sets"));
}
