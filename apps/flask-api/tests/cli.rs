//! The `app-flask-api` binary: byte-identical output across runs, and a broken context file
//! gives a clear error naming the file and key, a non-zero exit, and nothing written.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const KEY: &str = "vpc-provider:filter.isDefault=true:region=eu-west-1";

struct Dir(PathBuf);
impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("flask-api-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
}
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_app-flask-api"))
        .args(args)
        .output()
        .unwrap()
}

fn shipped_context() -> serde_json::Value {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("cloudwright.context.json");
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

#[test]
fn two_runs_give_byte_identical_assemblies() {
    let d = Dir::new("twice");
    let (a, b) = (d.0.join("a"), d.0.join("b"));
    for out in [&a, &b] {
        let o = run(&["--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(
            stdout.contains("FlaskApi") && stdout.contains("synthesized 1 stack"),
            "{stdout}"
        );
        // the summary names the image the deploy will build and publish
        assert!(
            stdout.contains("image asset ") && stdout.contains("service (linux/amd64)"),
            "{stdout}"
        );
    }
    for f in ["FlaskApi.template.json", "FlaskApi.graph.dot"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    // the manifests differ in nothing either (no paths or times inside)
    assert_eq!(
        std::fs::read(a.join("manifest.json")).unwrap(),
        std::fs::read(b.join("manifest.json")).unwrap()
    );
}

fn assert_fails_cleanly(name: &str, context: &str, expect: &[&str]) {
    let d = Dir::new(name);
    let ctx = d.0.join("broken.context.json");
    std::fs::write(&ctx, context).unwrap();
    let out = d.0.join("out");
    let o = run(&[
        "--out",
        out.to_str().unwrap(),
        "--context-file",
        ctx.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{name}: expected exit 1");
    for e in expect {
        assert!(stderr.contains(e), "{name}: `{e}` not in:\n{stderr}");
    }
    assert!(o.stdout.is_empty(), "{name}: printed a summary");
    assert!(!out.exists(), "{name}: wrote {}", out.display());
}

#[test]
fn bad_json_names_the_file() {
    assert_fails_cleanly(
        "badjson",
        "{ \"vpc-provider\": ",
        &["broken.context.json", "not valid JSON"],
    );
}

#[test]
fn a_missing_key_names_the_key_and_the_fix() {
    let mut ctx = shipped_context();
    ctx.as_object_mut().unwrap().remove(KEY);
    assert_fails_cleanly(
        "missingkey",
        &ctx.to_string(),
        &[KEY, "cloudwright lookup", "broken.context.json"],
    );
}

#[test]
fn a_malformed_cidr_names_the_key_and_field() {
    let mut ctx = shipped_context();
    ctx[KEY]["cidrBlocks"][0] = "172.31.0.0/99".into();
    assert_fails_cleanly(
        "badcidr",
        &ctx.to_string(),
        &[KEY, "cidrBlocks[0]", "172.31.0.0/99"],
    );
}

#[test]
fn a_bad_vpc_id_is_refused_where_it_enters() {
    let long = format!("vpc-{}", "0".repeat(5000));
    for (name, bad) in [
        ("idx", "x"),
        ("idcidr", "172.31.0.0/16"),
        ("idlong", long.as_str()),
    ] {
        let mut ctx = shipped_context();
        ctx[KEY]["vpcId"] = bad.into();
        assert_fails_cleanly(
            name,
            &ctx.to_string(),
            &[KEY, "`vpcId`", "format AWS::EC2::VPC.Id"],
        );
    }
    let mut ctx = shipped_context();
    ctx[KEY]["subnets"][0]["subnetId"] = "10.0.0.0/24".into();
    assert_fails_cleanly(
        "subnetid",
        &ctx.to_string(),
        &[KEY, "`subnets[0].subnetId`", "format AWS::EC2::Subnet.Id"],
    );
}

#[test]
fn a_value_of_the_wrong_shape_names_the_key_and_file() {
    let mut ctx = shipped_context();
    ctx[KEY]["subnets"] = "none".into();
    assert_fails_cleanly(
        "shape",
        &ctx.to_string(),
        &[KEY, "broken.context.json", "invalid type"],
    );
}

#[test]
fn an_unknown_nat_strategy_is_refused() {
    let d = Dir::new("nat");
    let out = d.0.join("out");
    let o = run(&["--out", out.to_str().unwrap(), "-c", "nat=per-region"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown NAT strategy `per-region`"));
    assert!(!out.exists());
    let o = run(&[
        "--out",
        out.to_str().unwrap(),
        "-c",
        "nat=single",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let t = std::fs::read_to_string(out.join("FlaskApi.template.json")).unwrap();
    assert_eq!(t.matches("\"AWS::EC2::NatGateway\"").count(), 1);
}
