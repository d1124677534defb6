//! The committed generated code must be exactly what the generator produces from the
//! committed schemas and allowlist.

#[test]
fn generated_code_is_up_to_date() {
    let files = cloudwright_codegen::generate(&cloudwright_codegen::codegen_dir())
        .unwrap_or_else(|e| panic!("generation failed: {e}"));
    let problems = cloudwright_codegen::compare(&files, &cloudwright_codegen::generated_dir());
    assert!(
        problems.is_empty(),
        "the generated code in crates/resources is out of date:\n  {}\nrun `{}` to regenerate it",
        problems.join("\n  "),
        cloudwright_codegen::REGENERATE
    );
}

#[test]
fn resources_features_are_up_to_date() {
    let path = cloudwright_codegen::resources_manifest();
    let manifest =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let block = cloudwright_codegen::features_block(&cloudwright_codegen::codegen_dir())
        .unwrap_or_else(|e| panic!("{e}"));
    let expected =
        cloudwright_codegen::with_features(&manifest, &block).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        manifest == expected,
        "the [features] of {} are out of date: run `{}`",
        path.display(),
        cloudwright_codegen::REGENERATE
    );
}

#[test]
fn facade_features_are_up_to_date() {
    let path = cloudwright_codegen::facade_manifest();
    let manifest =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let block = cloudwright_codegen::facade_features_block(&cloudwright_codegen::codegen_dir())
        .unwrap_or_else(|e| panic!("{e}"));
    let expected =
        cloudwright_codegen::with_features(&manifest, &block).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        manifest == expected,
        "the [features] of {} are out of date: run `{}`",
        path.display(),
        cloudwright_codegen::REGENERATE
    );
}
