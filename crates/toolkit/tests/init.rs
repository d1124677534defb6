//! `cloudwright init`: an app created outside the repository (in the system's temporary
//! directory) against this checkout (`--path`) builds, runs, tests (cfn-lint through
//! `cloudwright-testing`), synthesizes and audits (against the declared surface) through the
//! CLI, offline, for every template; and the refusals write nothing.
//!
//! The nested cargo builds share `<target>/init-test` (beside this test's own build
//! products), so a second run is incremental.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh directory under the system's temporary directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("cloudwright-init-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn checkout() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The target directory this test was built into (`<target>/debug/cloudwright`).
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_cloudwright"))
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .to_path_buf()
}

/// cfn-lint for the new app's tests: `$CFN_LINT`, else the checkout's `.venv`.
fn cfn_lint() -> PathBuf {
    std::env::var_os("CFN_LINT")
        .map(PathBuf::from)
        .unwrap_or_else(|| checkout().join(".venv/bin/cfn-lint"))
}

fn cloudwright(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cloudwright"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir().join("init-test"))
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .env("CARGO_NET_OFFLINE", "true")
        .env("CFN_LINT", cfn_lint())
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap()
}

fn cargo(dir: &Path, args: &[&str]) -> Output {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(args)
        .arg("--offline")
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir().join("init-test"))
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .env("CFN_LINT", cfn_lint())
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap()
}

fn ok(what: &str, out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// init, then `cargo run`, `cargo test` and `cloudwright synth` in the new app.
fn new_app_works(template: &str, name: &str, stack: &str) {
    let scratch = Scratch::new(template);
    let app = scratch.0.join(name);
    let checkout = checkout();
    let out = cloudwright(
        &scratch.0,
        &[
            "init",
            app.to_str().unwrap(),
            "--template",
            template,
            "--path",
            checkout.to_str().unwrap(),
        ],
    );
    let summary = ok("cloudwright init", &out);
    assert!(summary.contains(&format!("stack `{stack}`")), "{summary}");
    assert!(
        !app.starts_with(&checkout),
        "the app must be outside the repository"
    );

    let manifest = std::fs::read_to_string(app.join("Cargo.toml")).unwrap();
    let facade = checkout.join("crates/cloudwright");
    assert!(
        manifest.contains(&format!(
            "cloudwright = {{ path = \"{}\" }}",
            facade.display()
        )),
        "{manifest}"
    );

    let run = cargo(&app, &["run", "-q"]);
    let printed = ok("cargo run", &run);
    assert!(printed.contains(stack), "{printed}");
    let template_file = app.join(format!("cloudwright.out/{stack}.template.json"));
    assert!(
        template_file.is_file(),
        "{} missing",
        template_file.display()
    );

    // the new app's tests: an assertions test and a cfn-lint test
    let test = cargo(&app, &["test", "-q"]);
    let results = ok("cargo test", &test);
    assert!(results.contains("2 passed"), "{results}");

    std::fs::remove_dir_all(app.join("cloudwright.out")).unwrap();
    let synth = cloudwright(&app, &["synth"]);
    let printed = ok("cloudwright synth", &synth);
    assert!(printed.contains(stack), "{printed}");
    assert!(
        template_file.is_file(),
        "{} missing after synth",
        template_file.display()
    );
    // the declared surface (cloudwright.json's per-stack map) matches what the stack exposes
    let audit = cloudwright(&app, &["audit"]);
    let report = ok("cloudwright audit", &audit);
    assert!(
        report.contains("The surface matches the declaration."),
        "{report}"
    );
}

#[test]
fn the_empty_template_runs_tests_and_synthesizes_offline() {
    new_app_works("empty", "my-infra", "MyInfra");
}

#[test]
fn the_flask_api_template_runs_tests_and_synthesizes_offline() {
    new_app_works("flask-api", "shop_api", "ShopApi");
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_non_empty_directory_is_refused_and_nothing_is_written() {
    let scratch = Scratch::new("refused");
    let app = scratch.0.join("taken");
    std::fs::create_dir(&app).unwrap();
    std::fs::write(app.join("notes.txt"), "mine").unwrap();
    let out = cloudwright(&scratch.0, &["init", "taken"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("taken") && stderr.contains("not empty") && stderr.contains("notes.txt"),
        "{stderr}"
    );
    assert_eq!(listing(&app), ["notes.txt"]);
    assert_eq!(
        listing(&scratch.0),
        ["taken"],
        "no staging directory left behind"
    );

    // a --path that is not a checkout: refused before anything is written
    let out = cloudwright(
        &scratch.0,
        &["init", "fresh", "--path", scratch.0.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("crates/cloudwright/Cargo.toml"), "{stderr}");
    assert_eq!(listing(&scratch.0), ["taken"]);
}

#[test]
fn an_empty_directory_is_filled_and_dependencies_follow_the_source() {
    let scratch = Scratch::new("sources");
    // the current directory, empty: filled in place
    let here = scratch.0.join("here-app");
    std::fs::create_dir(&here).unwrap();
    let out = cloudwright(&here, &["init"]);
    ok("cloudwright init (current directory)", &out);
    assert_eq!(
        listing(&here),
        [
            ".gitignore",
            "Cargo.toml",
            "README.md",
            "cloudwright.context.json",
            "cloudwright.json",
            "src",
            "surface.json",
            "tests"
        ]
    );
    let manifest = std::fs::read_to_string(here.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"here-app\""), "{manifest}");
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        manifest.contains(&format!("cloudwright = {{ version = \"{version}\" }}")),
        "{manifest}"
    );
    assert!(
        manifest.contains(&format!(
            "cloudwright-testing = {{ version = \"{version}\" }}"
        )),
        "{manifest}"
    );
    let config = std::fs::read_to_string(here.join("cloudwright.json")).unwrap();
    assert!(config.contains("\"HereApp\": \"surface.json\""), "{config}");

    let out = cloudwright(
        &scratch.0,
        &[
            "init",
            "from-git",
            "--git",
            "https://github.com/cloudwright-rs/cloudwright",
        ],
    );
    ok("cloudwright init --git", &out);
    let manifest = std::fs::read_to_string(scratch.0.join("from-git/Cargo.toml")).unwrap();
    assert!(
        manifest
            .contains("cloudwright = { git = \"https://github.com/cloudwright-rs/cloudwright\" }"),
        "{manifest}"
    );
}
