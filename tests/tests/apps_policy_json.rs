//! No IAM policy is written by hand in `apps/`: permissions come from the data constructs'
//! grants, the constructs' own roles and the typed `cloudwright_iam` builder, never from
//! policy JSON (`"Statement"`, `"Effect"`, `"Action"` ... keys), a raw `AWS::IAM::` resource
//! or the generated raw IAM types. The apps' tests are left out (they read policies back).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::path::{Path, PathBuf};

use cloudwright_tests::workspace_root;

/// What gives a hand-written policy away in Rust source (outside comments).
const RUST_SIGNS: &[&str] = &[
    "\"Statement\"",
    "\"Effect\"",
    "\"Action\"",
    "\"NotAction\"",
    "\"Principal\"",
    "\"PolicyDocument\"",
    "\"AssumeRolePolicyDocument\"",
    "\"ManagedPolicyArns\"",
    "\"AWS::IAM::",
    "resources::iam",
];

/// ... and in JSON or YAML files (a policy kept beside the code and read in).
const DATA_SIGNS: &[&str] = &["\"Statement\"", "Statement:", "\"AWS::IAM::", "AWS::IAM::"];

/// Directories that are not the apps' own infrastructure code: tests, build output,
/// synthesized assemblies, the Python service and functions' dependencies.
const SKIPPED_DIRS: &[&str] = &[
    "tests",
    "target",
    "cloudwright.out",
    ".venv",
    "node_modules",
    "__pycache__",
];

/// The hand-written policy signs in one file's text, as `line: sign`.
fn signs(text: &str, rust: bool) -> Vec<String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.trim_start();
        if rust && code.starts_with("//") {
            continue;
        }
        let signs = if rust { RUST_SIGNS } else { DATA_SIGNS };
        for sign in signs {
            if code.contains(sign) {
                out.push(format!("{}: {sign}", n + 1));
            }
        }
    }
    out
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if !SKIPPED_DIRS.contains(&name.as_str()) {
                files(&path, out);
            }
        } else {
            out.push(path);
        }
    }
}

#[test]
fn no_app_writes_iam_policy_json_by_hand() {
    let apps = workspace_root().join("apps");
    let mut all = Vec::new();
    files(&apps, &mut all);
    all.sort();
    let mut rust_files = 0;
    let mut found = Vec::new();
    for path in &all {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let rust = ext == "rs";
        if !rust && !["json", "yaml", "yml"].contains(&ext) {
            continue;
        }
        rust_files += usize::from(rust);
        let text = std::fs::read_to_string(path).unwrap();
        for sign in signs(&text, rust) {
            found.push(format!("{}:{sign}", path.display()));
        }
    }
    // the scan really reads the apps (four of them, with their sources)
    assert!(
        rust_files >= 6,
        "only {rust_files} Rust files under {apps:?}"
    );
    assert!(
        found.is_empty(),
        "hand-written IAM policy in apps/ (use a construct's grant_* or cloudwright_iam's \
         PolicyDocument/Statement builder):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_finds_policy_json_raw_iam_resources_and_policy_files() {
    let json_policy = r#"let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]});"#;
    assert_eq!(
        signs(json_policy, true),
        ["1: \"Statement\"", "1: \"Effect\"", "1: \"Action\""]
    );
    let raw = "stack.add(\"Policy\", RawResource::new(\"AWS::IAM::Policy\"))?;\n\
               let p = cloudwright_resources::iam::Policy::new(required);";
    assert_eq!(signs(raw, true), ["1: \"AWS::IAM::", "2: resources::iam"]);
    // a comment may talk about policies; the typed builder is what apps use
    let fine = "// no \"Statement\" written here\n\
                table.grant_read_data(s, &reader)?;\n\
                let s = Statement::allow().action(\"sqs:SendMessage\").resource(queue.arn());";
    assert!(signs(fine, true).is_empty());
    assert_eq!(signs("{\"Statement\": []}", false), ["1: \"Statement\""]);
    assert_eq!(
        signs("Statement:\n  - Effect: Allow", false),
        ["1: Statement:"]
    );
}
