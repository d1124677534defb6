//! Deliberate exceptions: the checks a template says it does not meet on purpose, and why,
//! read from each resource's `Metadata` in the forms the IaC scanners read.
//!
//! cloudwright's constructs write `Metadata.cloudwright.exceptions` (`[{"checks": [...],
//! "reason": "..."}]`) beside the scanner forms; for a resource without it, the scanner forms
//! are read on their own: checkov's `checkov.skip` (`id`, `comment`), cfn_nag's
//! `cfn_nag.rules_to_suppress` (`id`, `reason`) and CloudFormation Guard's
//! `guard.SuppressedRules` (ids only).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Error;
use crate::template::Template;

/// A check a resource deliberately does not meet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeclaredException {
    /// The resource's logical id.
    pub resource: String,
    /// The resource's type.
    pub resource_type: String,
    /// The checks, as `scanner:id` (`checkov:CKV_AWS_120`, `cfn_nag:W5`, `guard:ID`).
    pub checks: Vec<String>,
    /// Why (empty when the metadata gives none, as Guard's form cannot).
    pub reason: String,
}

/// Every deliberate exception in `template`, by logical id, in the order each resource lists
/// them.
///
/// ```
/// let template = serde_json::json!({"Resources": {"Stage": {
///     "Type": "AWS::ApiGateway::Stage",
///     "Metadata": {"checkov": {"skip": [{"id": "CKV_AWS_120", "comment": "cost"}]}}
/// }}});
/// let found = cloudwright_audit::exceptions(&template)?;
/// assert_eq!(found[0].checks, ["checkov:CKV_AWS_120"]);
/// assert_eq!(found[0].reason, "cost");
/// # Ok::<(), cloudwright_audit::Error>(())
/// ```
pub fn exceptions(template: &Value) -> Result<Vec<DeclaredException>, Error> {
    let t = Template::parse(template)?;
    let mut out = Vec::new();
    for r in t.resources.values() {
        let Some(metadata) = r.metadata else {
            continue;
        };
        let found = |checks: Vec<String>, reason: &str| DeclaredException {
            resource: r.id.to_owned(),
            resource_type: r.ty.to_owned(),
            checks,
            reason: reason.to_owned(),
        };
        let ours = metadata
            .pointer("/cloudwright/exceptions")
            .and_then(Value::as_array);
        if let Some(ours) = ours {
            for e in ours {
                let checks = e
                    .get("checks")
                    .and_then(Value::as_array)
                    .map(|c| {
                        c.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                out.push(found(checks, text(e.get("reason"))));
            }
            continue;
        }
        for (scanner, pointer, reason_key) in [
            ("checkov", "/checkov/skip", "comment"),
            ("cfn_nag", "/cfn_nag/rules_to_suppress", "reason"),
        ] {
            for e in metadata
                .pointer(pointer)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let id = text(e.get("id"));
                out.push(found(
                    vec![format!("{scanner}:{id}")],
                    text(e.get(reason_key)),
                ));
            }
        }
        for id in metadata
            .pointer("/guard/SuppressedRules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            out.push(found(vec![format!("guard:{id}")], ""));
        }
    }
    Ok(out)
}

fn text(v: Option<&Value>) -> &str {
    v.and_then(Value::as_str).unwrap_or_default()
}
