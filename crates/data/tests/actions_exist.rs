//! Every action a grant writes exists in its service, per the IAM action catalog cfn-lint
//! ships (`cfnlint/data/AdditionalSpecs/Policies.json`); `dynamodb:GetItems`, the issue's
//! misspelling, does not.

use std::process::Command;

use cloudwright_data::{
    BUCKET_DELETE_ACTIONS, BUCKET_GET_ACTIONS, BUCKET_LIST_ACTIONS, BUCKET_PUT_ACTIONS,
    KEY_DECRYPT_ACTIONS, KEY_ENCRYPT_DECRYPT_ACTIONS, QUEUE_CONSUME_ACTIONS, QUEUE_PURGE_ACTIONS,
    QUEUE_SEND_ACTIONS, TABLE_READ_ACTIONS, TABLE_WRITE_ACTIONS,
};
use serde_json::Value as Json;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// cfn-lint's action catalog: service prefix → `Actions` (lowercase names).
fn catalog() -> Result<Json, Box<dyn std::error::Error>> {
    let lint = cloudwright_testing::cfn_lint()?;
    let python = lint.with_file_name("python");
    let out = Command::new(&python)
        .args([
            "-c",
            "import cfnlint, os; print(os.path.join(os.path.dirname(cfnlint.__file__), 'data', 'AdditionalSpecs', 'Policies.json'))",
        ])
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "{}: {}",
            python.display(),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let path = String::from_utf8(out.stdout)?;
    Ok(serde_json::from_str(&std::fs::read_to_string(
        path.trim(),
    )?)?)
}

fn exists(catalog: &Json, action: &str) -> bool {
    let Some((service, name)) = action.split_once(':') else {
        return false;
    };
    catalog[service]["Actions"]
        .as_object()
        .is_some_and(|actions| actions.contains_key(&name.to_ascii_lowercase()))
}

#[test]
fn every_grant_action_exists() -> TestResult {
    let catalog = catalog()?;
    let sets: [&[&str]; 11] = [
        TABLE_READ_ACTIONS,
        TABLE_WRITE_ACTIONS,
        KEY_DECRYPT_ACTIONS,
        KEY_ENCRYPT_DECRYPT_ACTIONS,
        BUCKET_GET_ACTIONS,
        BUCKET_LIST_ACTIONS,
        BUCKET_PUT_ACTIONS,
        BUCKET_DELETE_ACTIONS,
        QUEUE_SEND_ACTIONS,
        QUEUE_CONSUME_ACTIONS,
        QUEUE_PURGE_ACTIONS,
    ];
    let others = [
        "sns:Publish",
        "kms:GenerateDataKey",
        "kms:Decrypt",
        "sqs:SendMessage",
    ];
    let missing: Vec<&str> = sets
        .iter()
        .flat_map(|s| s.iter().copied())
        .chain(others)
        .filter(|a| !exists(&catalog, a))
        .collect();
    assert!(missing.is_empty(), "actions that do not exist: {missing:?}");
    assert!(!exists(&catalog, "dynamodb:GetItems"));
    assert!(exists(&catalog, "dynamodb:GetItem"));
    Ok(())
}
