//! The `app-people-serverless` binary, as `cargo run -p app-people-serverless` runs it:
//! offline, both stacks and the four functions' zip assets, byte-identical across runs; a
//! broken context file gives an error naming the file, exit 1 and nothing written.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::path::Path;
use std::process::{Command, Output};

use cloudwright_testing::fixtures::TempDir;
use serde_json::Value;

fn run(args: &[&str]) -> Output {
    // from elsewhere than the crate: the app finds its context file and functions by itself
    Command::new(env!("CARGO_BIN_EXE_app-people-serverless"))
        .args(args)
        .current_dir(std::env::temp_dir())
        .env_remove("AWS_REGION")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap()
}

/// Every file under `dir`, relative, sorted, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                out.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn two_runs_give_both_stacks_and_four_assets_byte_identical() {
    let d = TempDir::new("people-serverless-twice").unwrap();
    let (a, b) = (d.path().join("a"), d.path().join("b"));
    for out in [&a, &b] {
        let o = run(&["--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(
            stdout.contains("PeopleData")
                && stdout.contains("PeopleApi")
                && stdout.contains("synthesized 2 stacks"),
            "{stdout}"
        );
    }
    let first = files(&a);
    let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
    for f in [
        "PeopleData.template.json",
        "PeopleApi.template.json",
        "manifest.json",
        "assets.json",
    ] {
        assert!(names.contains(&f), "{f} not in {names:?}");
    }
    let assets: Value =
        serde_json::from_slice(&std::fs::read(a.join("assets.json")).unwrap()).unwrap();
    let zips = assets["files"].as_object().unwrap();
    assert_eq!(zips.len(), 4, "{assets}");
    for (hash, zip) in zips {
        assert_eq!(zip["objectKey"], format!("{hash}.zip"), "{zip}");
        assert_eq!(zip["packaging"]["type"], "zipDirectory", "{zip}");
        assert_eq!(
            zip["files"],
            serde_json::json!([{"path": "index.py"}]),
            "{zip}"
        );
    }
    let asset_dirs: std::collections::BTreeSet<&str> = names
        .iter()
        .filter(|n| n.starts_with("asset."))
        .filter_map(|n| n.split('/').next())
        .collect();
    assert_eq!(asset_dirs.len(), 4, "{names:?}");
    // the same bytes, file for file: templates, graphs, manifests and the staged code
    assert_eq!(first, files(&b));
}

#[test]
fn a_broken_context_file_names_the_file_and_writes_nothing() {
    let d = TempDir::new("people-serverless-badjson").unwrap();
    let ctx = d.path().join("broken.context.json");
    std::fs::write(&ctx, "{ \"vpc-provider\": ").unwrap();
    let out = d.path().join("out");
    let o = run(&[
        "--out",
        out.to_str().unwrap(),
        "--context-file",
        ctx.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("broken.context.json"), "{stderr}");
    assert!(stderr.contains("not valid JSON"), "{stderr}");
    assert!(o.stdout.is_empty());
    assert!(!out.exists());
}
