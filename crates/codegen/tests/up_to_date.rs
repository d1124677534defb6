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
