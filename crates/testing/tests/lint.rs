//! cfn-lint through the public helpers, on real templates (needs cfn-lint: `$CFN_LINT`, a
//! `.venv` above this crate, or PATH).

use cloudwright_core::{App, RawResource};
use cloudwright_testing::{
    Template, assert_assembly_lint_clean, assert_stack_lint_clean, lint_assembly, lint_template,
};

#[test]
fn a_clean_stack_passes_and_the_assertions_are_re_exported()
-> Result<(), Box<dyn std::error::Error>> {
    let app = App::new();
    app.stack("Shop")?
        .add("Orders", RawResource::new("AWS::SQS::Queue"))?;
    app.stack("Audit")?
        .add("Trail", RawResource::new("AWS::SNS::Topic"))?;
    let assembly = app.synth()?;
    Template::from_stack(&assembly, "Shop")?.resource_count_is("AWS::SQS::Queue", 1)?;
    assert_stack_lint_clean(&assembly, "Shop");
    assert_assembly_lint_clean(&assembly);
    assert!(lint_assembly(&assembly, &[])?.is_empty());
    Ok(())
}

#[test]
fn findings_are_reported_not_swallowed() -> Result<(), Box<dyn std::error::Error>> {
    let template = r#"{"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 99999}}}}"#;
    let findings = lint_template("Bad", template, &[])?;
    assert!(
        findings
            .iter()
            .any(|f| f.contains("Bad.template.json") && f.contains("E3034")),
        "{findings:?}"
    );
    Ok(())
}

#[test]
fn a_stack_with_findings_fails_the_assertion() {
    let template = r#"{"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 99999}}}}"#;
    let result =
        std::panic::catch_unwind(|| cloudwright_testing::assert_lint_clean("Bad", template));
    let message = match result {
        Ok(()) => panic!("a template with an out-of-range value passed"),
        Err(payload) => payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default(),
    };
    assert!(message.contains("cfn-lint findings for Bad"), "{message}");
}
