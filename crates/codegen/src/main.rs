//! `cargo run -p cloudwright-codegen`: regenerates `crates/resources/src/generated` from the
//! schemas under `crates/codegen/schemas` (see `crates/codegen/README.md`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let codegen = cloudwright_codegen::codegen_dir();
    let out = cloudwright_codegen::generated_dir();
    let result = cloudwright_codegen::generate(&codegen)
        .and_then(|files| cloudwright_codegen::write(&files, &out).map(|n| (files.len(), n)))
        .and_then(|counts| {
            let manifests = [
                (
                    cloudwright_codegen::resources_manifest(),
                    cloudwright_codegen::features_block(&codegen)?,
                ),
                (
                    cloudwright_codegen::facade_manifest(),
                    cloudwright_codegen::facade_features_block(&codegen)?,
                ),
            ];
            for (path, block) in manifests {
                let io = |e: std::io::Error| {
                    cloudwright_codegen::Error(format!("{}: {e}", path.display()))
                };
                let manifest = std::fs::read_to_string(&path).map_err(io)?;
                let updated = cloudwright_codegen::with_features(&manifest, &block)?;
                if updated != manifest {
                    std::fs::write(&path, updated).map_err(io)?;
                }
            }
            Ok(counts)
        });
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
