//! What the resources crate's integration tests share.

use std::path::{Path, PathBuf};

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
