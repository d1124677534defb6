//! `cargo run -p cloudwright-codegen`: regenerates `crates/resources/src/generated` from the
//! schemas under `crates/codegen/schemas` (see `crates/codegen/README.md`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let codegen = cloudwright_codegen::codegen_dir();
    let out = cloudwright_codegen::generated_dir();
    let result = cloudwright_codegen::generate(&codegen)
        .and_then(|files| cloudwright_codegen::write(&files, &out).map(|n| (files.len(), n)));
    match result {
        Ok((total, changed)) => {
            println!(
                "cloudwright-codegen: {total} files in {} ({changed} changed)",
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cloudwright-codegen: {e}");
            ExitCode::FAILURE
        }
    }
}
