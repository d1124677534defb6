//! Helpers the toolkit's integration tests share: the `fixture_app` example, running the CLI in
//! a clean environment, an SDK configuration aimed at moto, a stack's status.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)] // not every test uses each

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudformation::config::Credentials;
use cloudwright_tests::Moto;

pub mod faults;
pub mod images;
pub mod recorder;

/// The fixture app example, built by `cargo test` next to the test binaries.
pub fn fixture_app() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target directory");
    let app = dir
        .join("examples")
        .join(format!("fixture_app{}", std::env::consts::EXE_SUFFIX));
    assert!(
        app.exists(),
        "{} is missing: run `cargo test -p cloudwright-cli` (which builds the examples) or `cargo build -p cloudwright-cli --examples`",
        app.display()
    );
    app
}

/// Runs the CLI in `dir` with a clean environment (no AWS configuration files, no instance
/// metadata) plus `env`, and prints what it did.
pub fn run(dir: &Path, env: &[(&str, String)], args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_cloudwright"))
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("AWS_CONFIG_FILE", dir.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run cloudwright");
    eprintln!(
        "$ cloudwright {}\n--- status {:?}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// What the CLI printed on stdout.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What the CLI printed on stderr.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts the CLI succeeded.
pub fn ok(o: &Output) {
    assert!(o.status.success(), "expected success: {}", stderr(o));
}

/// An SDK configuration aimed at `moto` in eu-west-1.
pub async fn sdk(moto: &Moto) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(moto.endpoint())
        .region(Region::new("eu-west-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
        .load()
        .await
}

/// The stack's status, `None` when it does not exist.
pub async fn stack_status(cfn: &aws_sdk_cloudformation::Client, name: &str) -> Option<String> {
    match cfn.describe_stacks().stack_name(name).send().await {
        Ok(o) => o
            .stacks()
            .first()
            .and_then(|s| s.stack_status())
            .map(|s| s.as_str().to_owned()),
        Err(e) => {
            let text = format!("{e:?}");
            assert!(text.contains("does not exist"), "{text}");
            None
        }
    }
}
