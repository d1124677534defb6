//! The schema pattern engine (`cloudwright_resources::pattern`) against the engine cfn-lint
//! uses, Python's `regex` module, on every `pattern` of every `AWS::` schema cfn-lint ships.
//!
//! For each pattern, texts are built from its own structure (`Regex::example`, which mostly
//! match) and mutated (a character dropped, added, replaced, a newline appended, the case
//! changed, ...), plus a few fixed texts; Python answers `regex.search(pattern, text)` for all
//! of them in one run, and every answer must equal ours. A pattern our engine refuses must be
//! one it refuses on purpose (a construct it does not implement, never a parse failure of a
//! pattern Python compiles), and is reported; it is then not checked at synth (see
//! `cloudwright_resources::unchecked_patterns`).

use std::process::{Command, Stdio};

use cloudwright_resources::pattern::Regex;
use cloudwright_tests::cfn_lint_python;
use serde_json::{Value, json};

/// Every `pattern` (and `patternProperties` key) of every `AWS::` type cfn-lint ships for
/// us-east-1, asked of cfn-lint itself, so the engine is checked on all of them whether or
/// not their types are generated.
fn schema_patterns() -> Vec<String> {
    const LIST: &str = r#"
import json, sys
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as M
found = set()
def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            if k == "pattern" and isinstance(x, str):
                found.add(x)
            elif k == "patternProperties" and isinstance(x, dict):
                found.update(x.keys())
                walk(x)
            else:
                walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
for t in M.get_resource_types("us-east-1"):
    if t.startswith("AWS::"):
        walk(M.get_resource_schema("us-east-1", t).schema)
json.dump(sorted(found), sys.stdout)
"#;
    let out = python(&["-c", LIST]);
    serde_json::from_slice(&out).unwrap_or_else(|e| panic!("{e}"))
}

fn python(args: &[&str]) -> Vec<u8> {
    let python = cfn_lint_python();
    let out = Command::new(&python)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} ({e}); run scripts/test", python.display()));
    assert!(
        out.status.success(),
        "{} failed (does it have cfn-lint and its `regex` module?):\n{}",
        python.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Texts to try on a pattern: its examples and their mutations, and fixed ones.
fn texts(regex: Option<&Regex>, seed: u64) -> Vec<String> {
    let mut out: Vec<String> = [
        "",
        " ",
        "a",
        "A",
        "0",
        "-",
        "\n",
        "abc",
        "ABC-123_x.y",
        "arn:aws:s3:::bucket",
        "vpc-0123abcd",
        "10.0.0.0/16",
        "Grüße",
        "中文",
        "a b",
        "a\nb",
        "x\n",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    out.push("x".repeat(300));
    let Some(regex) = regex else {
        return out;
    };
    let mut state = seed | 1;
    let mut rand = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n.max(1) as u64) as usize
    };
    for s in 0..10 {
        let ex = regex.example(seed.wrapping_add(s));
        let chars: Vec<char> = ex.chars().collect();
        out.push(ex.clone());
        out.push(format!("{ex}\n"));
        out.push(format!("{ex}x"));
        out.push(format!("-{ex}"));
        out.push(ex.to_uppercase());
        out.push(ex.to_lowercase());
        if !chars.is_empty() {
            let i = rand(chars.len());
            let mut dropped = chars.clone();
            dropped.remove(i);
            out.push(dropped.iter().collect());
            let mut replaced = chars.clone();
            replaced[i] = ['.', '-', ' ', 'Z', '9', '/', ':', 'é', '\n'][rand(9)];
            out.push(replaced.iter().collect());
            let mut doubled = chars.clone();
            doubled.insert(i, chars[i]);
            out.push(doubled.iter().collect());
        }
    }
    out.sort();
    out.dedup();
    out
}

const ORACLE: &str = r#"
import json, sys
import regex
cases = json.load(open(sys.argv[1], encoding="utf-8"))
out = []
for pattern, texts in cases:
    try:
        compiled = regex.compile(pattern)
    except Exception as e:
        out.append(None)
        continue
    out.append([compiled.search(t) is not None for t in texts])
json.dump(out, sys.stdout)
"#;

#[test]
fn every_schema_pattern_matches_as_cfn_lint_matches() {
    let patterns = schema_patterns();
    assert!(
        patterns.len() > 1_000,
        "found only {} patterns",
        patterns.len()
    );
    let mut cases = Vec::new();
    let mut ours = Vec::new();
    for (i, pattern) in patterns.iter().enumerate() {
        let compiled = Regex::new(pattern);
        let texts = texts(compiled.as_ref().ok(), i as u64 * 7919 + 1);
        cases.push(json!([pattern, texts]));
        ours.push((pattern, compiled, texts));
    }
    let dir =
        cloudwright_testing::fixtures::TempDir::new("patterns").unwrap_or_else(|e| panic!("{e}"));
    let input = dir.path().join("cases.json");
    std::fs::write(&input, Value::Array(cases).to_string()).unwrap_or_else(|e| panic!("{e}"));
    let input = input.to_string_lossy().into_owned();
    let out = python(&["-c", ORACLE, &input]);
    let answers: Vec<Value> = serde_json::from_slice(&out).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answers.len(), ours.len());

    let mut disagreements = Vec::new();
    let mut refused = Vec::new();
    let mut checked_texts = 0usize;
    let mut matching = 0usize;
    for ((pattern, compiled, texts), answer) in ours.iter().zip(&answers) {
        match (compiled, answer) {
            (Ok(regex), Value::Array(expected)) => {
                for (text, expected) in texts.iter().zip(expected) {
                    checked_texts += 1;
                    let got = regex.is_match(text);
                    matching += usize::from(got);
                    if Some(got) != expected.as_bool() {
                        disagreements.push(format!(
                            "{pattern:?} on {text:?}: ours {got}, cfn-lint's {expected}"
                        ));
                    }
                }
            }
            (Ok(_), _) => disagreements.push(format!(
                "{pattern:?}: Python's regex refuses it, ours compiles it"
            )),
            (Err(e), Value::Array(_)) => {
                assert!(
                    e.message.contains("not supported"),
                    "{pattern:?}: Python compiles it, ours fails to parse it: {e}"
                );
                refused.push(format!("{pattern:?}: {e}"));
            }
            (Err(_), _) => {} // neither compiles: cfn-lint cannot check it either
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {checked_texts} answers differ from cfn-lint's engine:\n{}",
        disagreements.len(),
        disagreements[..disagreements.len().min(40)].join("\n")
    );
    eprintln!(
        "{} patterns, {checked_texts} texts ({matching} matching) agree with Python's regex; \
         {} refused on purpose:\n{}",
        patterns.len(),
        refused.len(),
        refused.join("\n")
    );
    // the examples must exercise matching, not only refusal
    assert!(
        matching * 5 > checked_texts,
        "only {matching} of {checked_texts} texts match"
    );
    // refusing is honest only while it stays rare: each refused pattern goes unchecked
    assert!(refused.len() <= 2, "refused: {refused:?}");
}

/// The engine's Unicode tables are what `export_unicode.py` writes from the `regex` module
/// cfn-lint uses (the version pinned in scripts/requirements-test.txt).
#[test]
fn unicode_tables_are_exported_from_cfn_lints_regex_module() {
    let script = cloudwright_tests::workspace_root().join("crates/codegen/export_unicode.py");
    let script = script.to_string_lossy().into_owned();
    python(&[&script, "--check"]);
}
