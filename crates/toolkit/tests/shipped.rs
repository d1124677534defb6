//! What deploy ships: the assembly its own run synthesized, every template verified against
//! the hash the manifest records. `--assembly DIR` refuses manifests this toolkit cannot trust
//! (unknown version, duplicated stacks, stack names CloudFormation refuses, a template edited
//! after synthesis); a synthesis racing a deploy does not change what the deploy ships.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use std::path::Path;

use cloudwright_tests::{Moto, TempDir};
use serde_json::{Value, json};

mod common;
use common::{fixture_app, ok, run, sdk, stderr};

fn project(mode: &str, extra: &str) -> TempDir {
    let dir = TempDir::new("shipped");
    let config = json!({
        "app": format!("{} -c fixture={mode} {extra}", fixture_app().display()),
        "context": "cloudwright.context.json",
        "out": "cloudwright.out",
    });
    std::fs::write(dir.path().join("cloudwright.json"), config.to_string()).unwrap();
    dir
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write_json(path: &Path, v: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(v).unwrap()).unwrap();
}

/// A synthesized two-stack assembly to tamper with, and where it is.
fn synthesized() -> (TempDir, std::path::PathBuf) {
    let dir = project("multi", "");
    ok(&run(dir.path(), &[], &["synth"]));
    let out = dir.path().join("cloudwright.out");
    (dir, out)
}

/// `cloudwright list --assembly DIR` fails with a message containing every part of `expect`.
fn refused(dir: &Path, assembly: &Path, expect: &[&str]) {
    let o = run(
        dir,
        &[],
        &["--assembly", assembly.to_str().unwrap(), "list"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    for part in expect {
        assert!(e.contains(part), "`{part}` not in: {e}");
    }
    assert!(o.stdout.is_empty(), "no partial output: {:?}", o.stdout);
}

#[test]
fn an_assembly_that_cannot_be_trusted_is_refused() {
    let (dir, out) = synthesized();
    ok(&run(
        dir.path(),
        &[],
        &["--assembly", out.to_str().unwrap(), "list"],
    ));
    let manifest_file = out.join("manifest.json");
    let original = read_json(&manifest_file);

    let mut m = original.clone();
    // the version before (SHA-256 hashes) and the one after
    let current = cloudwright_core::assembly::MANIFEST_VERSION;
    for other in [current - 1, current + 1] {
        m["version"] = json!(other);
        write_json(&manifest_file, &m);
        refused(
            dir.path(),
            &out,
            &[
                &format!("manifest.json has version {other}"),
                &format!("version {current} only"),
            ],
        );
    }

    let mut m = original.clone();
    let first = m["stacks"][0].clone();
    m["stacks"].as_array_mut().unwrap().push(first);
    write_json(&manifest_file, &m);
    refused(dir.path(), &out, &["lists stack `CwNet` twice"]);

    for (name, shown) in [
        ("Bad_Name", "`Bad_Name`".to_owned()),
        ("", "``".to_owned()),
        ("1stack", "`1stack`".to_owned()),
        (&"a".repeat(200), "(200 characters)".to_owned()),
    ] {
        let mut m = original.clone();
        m["stacks"][0]["stackName"] = json!(name);
        write_json(&manifest_file, &m);
        refused(
            dir.path(),
            &out,
            &[
                "stack `CwNet` has the stack name",
                &shown,
                "CloudFormation refuses",
            ],
        );
    }
    let mut m = original.clone();
    m["stacks"][0]["stackName"] = json!("a".repeat(128));
    write_json(&manifest_file, &m);
    ok(&run(
        dir.path(),
        &[],
        &["--assembly", out.to_str().unwrap(), "list"],
    ));

    // a template edited by hand after synthesis
    write_json(&manifest_file, &original);
    let template = out.join("CwApp.template.json");
    let mut t = read_json(&template);
    t["Resources"]["Extra"] = json!({"Type": "AWS::SNS::Topic"});
    write_json(&template, &t);
    refused(
        dir.path(),
        &out,
        &[
            "CwApp.template.json",
            "of stack `CwApp` is not the one synthesized",
            "its hash is blake3:",
            "the manifest records blake3:",
        ],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hand_edited_template_is_not_deployed() {
    let moto = Moto::start();
    let cfn = aws_sdk_cloudformation::Client::new(&sdk(&moto).await);
    let (dir, out) = synthesized();
    let template = out.join("CwNet.template.json");
    let text = std::fs::read_to_string(&template).unwrap();
    std::fs::write(&template, text.replace("10.20.0.0/16", "10.99.0.0/16")).unwrap();
    let o = run(
        dir.path(),
        &moto.env(),
        &[
            "--assembly",
            out.to_str().unwrap(),
            "deploy",
            "--yes",
            "--method",
            "direct",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("CwNet.template.json"), "{}", stderr(&o));
    assert_eq!(common::stack_status(&cfn, "CwNet").await, None);
}

/// The app command a deploy runs synthesizes, and then another synthesis (version 2, with a
/// subnet) writes the project's out directory before the deploy reads anything: the exact
/// window of the race, every time. The deploy must ship what its own run synthesized.
#[tokio::test(flavor = "multi_thread")]
async fn a_synthesis_racing_the_deploy_does_not_change_what_it_ships() {
    let moto = Moto::start();
    let cfn = aws_sdk_cloudformation::Client::new(&sdk(&moto).await);
    let dir = TempDir::new("shipped-race");
    let app = fixture_app();
    let out = dir.path().join("cloudwright.out");
    let script = dir.path().join("app.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nset -e\n{app} -c fixture=single \"$@\"\n{app} -c fixture=single -c version=2 --out {out} --context-file {ctx} --quiet\n",
            app = app.display(),
            out = out.display(),
            ctx = dir.path().join("cloudwright.context.json").display(),
        ),
    )
    .unwrap();
    let config = json!({"app": format!("sh {}", script.display()), "out": "cloudwright.out"});
    std::fs::write(dir.path().join("cloudwright.json"), config.to_string()).unwrap();

    let o = run(
        dir.path(),
        &moto.env(),
        &["deploy", "--yes", "--method", "direct"],
    );
    ok(&o);
    let deployed = cfn
        .get_template()
        .stack_name("CwSingle")
        .send()
        .await
        .unwrap();
    let body: Value = serde_json::from_str(deployed.template_body().unwrap()).unwrap();
    assert!(
        body["Resources"].get("Subnet").is_none(),
        "the deploy shipped the racing synthesis's template: {body}"
    );
    assert!(body["Resources"].get("Vpc").is_some(), "{body}");
    // and the project's out directory holds what this run synthesized (published after it)
    let published = read_json(&out.join("CwSingle.template.json"));
    assert!(
        published["Resources"].get("Subnet").is_none(),
        "{published}"
    );
}
