//! The core example (`cargo run -p cloudwright-core --example two_stacks`) synthesizes a
//! cross-stack app whose templates pass cfn-lint with no findings at all.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

#[path = "../../crates/core/examples/two_stacks.rs"]
mod two_stacks;

use cloudwright_core::App;
use cloudwright_testing::fixtures::TempDir;
use cloudwright_tests::{assert_lint_clean, cfn_lint_files};

#[test]
fn the_two_stack_example_passes_cfn_lint_with_no_findings() {
    let mut app = App::new();
    two_stacks::build(&mut app).unwrap();
    let asm = app.synth().unwrap();
    assert_eq!(asm.stacks.len(), 2);
    for s in &asm.stacks {
        assert_lint_clean(&s.id, &s.template);
    }
    let service: serde_json::Value =
        serde_json::from_str(&asm.stack("Service").unwrap().template).unwrap();
    // the cross-stack reference became an import, the declared dependency a DependsOn
    assert_eq!(
        service["Resources"]["Group"]["Properties"]["VpcId"]["Fn::ImportValue"],
        "Network:ExportsOutputRefVpc"
    );
    assert_eq!(
        service["Resources"]["Logs"]["DependsOn"],
        serde_json::json!(["Ingress"])
    );
    assert_eq!(asm.stack("Service").unwrap().dependencies, ["Network"]);
}

#[test]
fn the_written_assembly_passes_cfn_lint_as_files() {
    let mut app = App::new();
    two_stacks::build(&mut app).unwrap();
    let dir = TempDir::new("example").unwrap();
    let out = dir.path().join("cloudwright.out");
    app.synth().unwrap().write(&out).unwrap();
    let files = [
        out.join("Network.template.json"),
        out.join("Service.template.json"),
    ];
    let refs: Vec<&std::path::Path> = files.iter().map(|p| p.as_path()).collect();
    let findings = cfn_lint_files(&refs);
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn cfn_lint_really_runs_and_reports_findings() {
    // a lint helper that could never fail would prove nothing: a bad template must be caught
    let findings = cloudwright_tests::cfn_lint_template(
        "broken",
        r#"{"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": 5, "Bogus": 1}}}}"#,
    );
    assert!(findings.iter().any(|f| f.contains("E3")), "{findings:?}");
}
