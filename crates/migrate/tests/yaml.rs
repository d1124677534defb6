//! YAML templates read as the JSON they stand for: the project's own YAML emitter's output of
//! the troposphere template, and a hand-written short-form template checked against
//! cfn-lint's YAML reader (the one CloudFormation's tooling uses).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value as Json, json};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn the_emitters_yaml_of_the_troposphere_template_reads_back_as_its_json() {
    let json: Json = serde_json::from_str(
        &std::fs::read_to_string(fixture("troposphere-seed.template.json")).unwrap(),
    )
    .unwrap();
    let yaml = cloudwright_core::yaml::to_yaml(&json);
    let back = cloudwright_migrate::yaml::parse("seed.yaml", &yaml).unwrap();
    assert_eq!(back, json);
}

/// `Fn::GetAtt: "A.B"` as `[A, B]`, as cfn-lint writes the short form.
fn getatt_lists(v: &Json) -> Json {
    match v {
        Json::Array(a) => Json::Array(a.iter().map(getatt_lists).collect()),
        Json::Object(m) => {
            if let (1, Some(Json::String(s))) = (m.len(), m.get("Fn::GetAtt"))
                && let Some((a, b)) = s.split_once('.')
            {
                return json!({"Fn::GetAtt": [a, b]});
            }
            Json::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), getatt_lists(v)))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

fn python() -> PathBuf {
    let cfn_lint = std::env::var_os("CFN_LINT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/cfn-lint"));
    cfn_lint.with_file_name("python")
}

#[test]
fn a_short_form_template_reads_as_cfn_lint_reads_it() {
    let path = fixture("short-form.template.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let ours = getatt_lists(&cloudwright_migrate::yaml::parse("short-form.yaml", &text).unwrap());
    let script = "import json, sys\nfrom cfnlint.decode.decode import decode_str\n\
                  t, m = decode_str(open(sys.argv[1]).read())\n\
                  assert not m, m\nprint(json.dumps(t))\n";
    let py = python();
    let out = Command::new(&py)
        .args(["-c", script])
        .arg(&path)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {} ({e}): run scripts/test, which installs cfn-lint into .venv",
                py.display()
            )
        });
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ours, theirs);
}
