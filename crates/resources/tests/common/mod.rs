//! What the resources crate's integration tests share.

use std::path::{Path, PathBuf};
use std::process::Command;

/// cfn-lint: `$CFN_LINT`, else the workspace's `.venv/bin/cfn-lint` (which `scripts/test`
/// creates), else on `PATH`.
pub fn cfn_lint() -> PathBuf {
    if let Some(p) = std::env::var_os("CFN_LINT") {
        return PathBuf::from(p);
    }
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/cfn-lint");
    if local.exists() {
        return local;
    }
    PathBuf::from("cfn-lint")
}

/// One cfn-lint run over `files` with `--format json` and `args`: its findings. Panics, naming
/// the reason, when cfn-lint cannot run or does not answer with a JSON list.
pub fn lint_files(args: &[&str], files: &[PathBuf]) -> Vec<serde_json::Value> {
    if files.is_empty() {
        return Vec::new();
    }
    let bin = cfn_lint();
    let out = Command::new(&bin)
        .args(["--format", "json"])
        .args(args)
        .arg("--")
        .args(files)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {} ({e}); run scripts/test, which installs it into .venv",
                bin.display()
            )
        });
    let stdout = String::from_utf8_lossy(&out.stdout);
    // cfn-lint exits 0 when clean, with a bit mask (2 error, 4 warning, 8 info) on findings,
    // and 1 when it could not run
    assert!(
        out.status.code() != Some(1) && (out.status.success() || !stdout.trim().is_empty()),
        "cfn-lint failed to run (status {:?}):\n{}{stdout}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    match serde_json::from_str(&stdout) {
        Ok(serde_json::Value::Array(findings)) => findings,
        Ok(other) => panic!("cfn-lint's output is not a list: {other}"),
        Err(e) => panic!("cfn-lint's output is not JSON ({e}):\n{stdout}"),
    }
}
