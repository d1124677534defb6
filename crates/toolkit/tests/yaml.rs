//! `cloudwright synth --yaml`: YAML templates beside the JSON ones that cfn-lint accepts with
//! no finding, that read back (with PyYAML, the reader cfn-lint uses) as exactly the JSON
//! template, and that are byte-identical from one run to the next.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not production code

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cloudwright_tests::{TempDir, cfn_lint_files, tool, workspace_root};
use serde_json::{Value, json};

mod common;

fn fixture_app() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let app = dir
        .join("examples")
        .join(format!("fixture_app{}", std::env::consts::EXE_SUFFIX));
    assert!(
        app.exists(),
        "{} is missing: run `cargo test -p cloudwright-cli`",
        app.display()
    );
    app
}

/// A project running the fixture app in `mode`, with a copy of the flask-api context file.
fn project(mode: &str) -> TempDir {
    let dir = TempDir::new("yaml");
    std::fs::copy(
        workspace_root().join("apps/flask-api/cloudwright.context.json"),
        dir.path().join("cloudwright.context.json"),
    )
    .unwrap();
    let config = json!({
        "app": format!("{} -c fixture={mode}", fixture_app().display()),
        "context": "cloudwright.context.json",
        "out": "out",
    });
    std::fs::write(dir.path().join("cloudwright.json"), config.to_string()).unwrap();
    dir
}

/// Runs the CLI offline (no AWS configuration at all) in `dir`.
fn run(dir: &Path, args: &[&str]) -> Output {
    let out = common::run(dir, &[], args);
    common::ok(&out);
    out
}

/// Every file at the top of the assembly in `out` (templates, graphs, manifests), by name.
fn files(out: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Reads each YAML file with PyYAML's safe loader and each JSON file with `json` and returns
/// the names of the pairs that differ (empty when every YAML file says what its JSON says).
fn differing(pairs: &[(PathBuf, PathBuf)]) -> Vec<String> {
    let python = tool("PYTHON", "python3");
    let python = if python.is_absolute() || python.exists() {
        python
    } else {
        workspace_root().join(".venv/bin/python")
    };
    let script = "import json, sys, yaml\n\
        args = sys.argv[1:]\n\
        for y, j in zip(args[::2], args[1::2]):\n\
        \x20   if yaml.safe_load(open(y, encoding='utf-8')) != json.load(open(j, encoding='utf-8')):\n\
        \x20       print(y)\n";
    let out = Command::new(&python)
        .arg("-c")
        .arg(script)
        .args(pairs.iter().flat_map(|(y, j)| [y, j]))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} ({e}); run scripts/test", python.display()));
    assert!(
        out.status.success(),
        "{} failed: {}",
        python.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn synth_yaml_writes_lint_clean_templates_that_say_what_the_json_says_byte_for_byte_again() {
    for mode in ["flask-api", "multi"] {
        let first = project(mode);
        run(first.path(), &["synth", "--yaml"]);
        let out = first.path().join("out");
        let manifest: Value =
            serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        let mut yaml_files = Vec::new();
        let mut pairs = Vec::new();
        for stack in manifest["stacks"].as_array().unwrap() {
            let yaml = out.join(stack["templateYamlFile"].as_str().unwrap());
            let json = out.join(stack["templateFile"].as_str().unwrap());
            let text = std::fs::read_to_string(&yaml).unwrap();
            // long-form intrinsics, no tags
            assert!(!text.contains('!'), "{text}");
            assert!(
                text.contains("Ref: ") || text.contains("Fn::"),
                "{mode}: {text}"
            );
            yaml_files.push(yaml.clone());
            pairs.push((yaml, json));
        }
        assert!(!yaml_files.is_empty());
        let findings = cfn_lint_files(&yaml_files.iter().map(PathBuf::as_path).collect::<Vec<_>>());
        assert!(findings.is_empty(), "{mode}: {}", findings.join("\n"));
        assert_eq!(differing(&pairs), Vec::<String>::new(), "{mode}");

        // a second run, in another directory: the same bytes, file for file
        let second = project(mode);
        run(second.path(), &["synth", "--yaml"]);
        assert_eq!(files(&out), files(&second.path().join("out")), "{mode}");

        // without --yaml: JSON only
        run(second.path(), &["synth"]);
        let plain = files(&second.path().join("out"));
        assert!(plain.keys().all(|f| !f.ends_with(".yaml")), "{plain:?}");
        let manifest = String::from_utf8(plain["manifest.json"].clone()).unwrap();
        assert!(!manifest.contains("templateYamlFile"), "{manifest}");
    }
}

#[test]
fn the_emitter_round_trips_awkward_strings_and_numbers() {
    // strings from an alphabet of YAML's indicators, quotes, escapes, line breaks and
    // look-alikes of other types, plus the words YAML 1.1 reads as booleans or null
    let alphabet: Vec<char> = "aZ09:-#&*!|>'\"%@`,?[]{}.~_/ \t\n\r\\é€\u{7}\u{7f}\u{85}\u{a0}\u{2028}\u{2029}\u{feff}\u{1F600}"
        .chars()
        .collect();
    let mut rng = fastrand::Rng::with_seed(15);
    let mut strings: Vec<Value> = (0..2000)
        .map(|_| {
            let len = rng.usize(0..8);
            Value::String(
                (0..len)
                    .map(|_| alphabet[rng.usize(..alphabet.len())])
                    .collect(),
            )
        })
        .collect();
    for word in [
        "y",
        "Y",
        "n",
        "yes",
        "No",
        "ON",
        "off",
        "true",
        "False",
        "null",
        "NULL",
        "~",
        "-",
        "---",
        "...",
        "0x1F",
        "0o17",
        "1_000",
        "1:30",
        "2010-09-09",
        "1e3",
        ".inf",
        "-.NaN",
        "=",
        "<<",
    ] {
        strings.push(json!(word));
    }
    let doc = json!({
        "strings": strings,
        "keys": strings.iter().map(|s| (s.as_str().unwrap().to_owned(), json!(1))).collect::<serde_json::Map<_, _>>(),
        "numbers": [0, -1, 42, 18446744073709551615u64, -9223372036854775808i64, 0.5, -2.25, 1e300, 1e-300, 3.0],
        "nested": [[[]], [{}], {"a": [{"b": [1, [2, {"c": null}]]}]}],
    });
    let dir = TempDir::new("yaml-oracle");
    let yaml = dir.path().join("doc.yaml");
    let json = dir.path().join("doc.json");
    std::fs::write(&yaml, cloudwright_core::yaml::to_yaml(&doc)).unwrap();
    std::fs::write(&json, doc.to_string()).unwrap();
    assert_eq!(differing(&[(yaml, json)]), Vec::<String>::new());
}
