//! The export lock, checked before a deploy changes anything: CloudFormation refuses, in the
//! middle of an update, to remove or change an export that another stack imports ("Export ...
//! cannot be updated as it is in use by ..."). Before any stack is touched, each deployed
//! stack's exports are compared with its new template: an export the new template no longer
//! declares, whose output value is written differently, or whose value refers to a resource
//! the update replaces (create-only properties changed, per the diff), is looked up with `ListImports`
//! (or, where that call fails as on moto, a scan of the region's stack templates, as destroy
//! does); if another stack imports it, the deploy is refused naming the importers and the
//! ways out (a weak reference, or a two-step deploy).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::aws::Aws;
use crate::cloudformation::destroy::{Importers, importers};
use crate::cloudformation::stacks;
use crate::error::{Error, Result};

/// A stack about to be deployed, as the check needs it.
#[derive(Clone, Debug)]
pub struct Planned<'a> {
    /// The stack id in the app.
    pub id: &'a str,
    /// The stack name.
    pub name: &'a str,
    /// Its region (the default when none).
    pub region: Option<&'a str>,
    /// The new template.
    pub template: &'a str,
    /// The access to its account.
    pub aws: &'a Aws,
}

/// What happens to a deployed export under the new template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportChange {
    /// The new template no longer exports the name.
    Removed,
    /// The name is exported with a value written differently.
    Changed,
}

/// Whether `value` refers (`Ref`, `Fn::GetAtt`, `${X}` in `Fn::Sub`) to one of `ids`.
fn refers_to(value: &Value, ids: &BTreeSet<String>) -> bool {
    match value {
        Value::Object(m) => {
            if let Some(Value::String(target)) = m.get("Ref")
                && ids.contains(target)
            {
                return true;
            }
            let att = match m.get("Fn::GetAtt") {
                Some(Value::Array(a)) => a.first().and_then(Value::as_str),
                Some(Value::String(s)) => s.split('.').next(),
                _ => None,
            };
            if att.is_some_and(|t| ids.contains(t)) {
                return true;
            }
            if let Some(Value::String(t)) = m.get("Fn::Sub")
                && ids
                    .iter()
                    .any(|id| t.contains(&format!("${{{id}}}")) || t.contains(&format!("${{{id}.")))
            {
                return true;
            }
            m.values().any(|v| refers_to(v, ids))
        }
        Value::Array(a) => a.iter().any(|v| refers_to(v, ids)),
        _ => false,
    }
}

/// The exports of `deployed` (output key and export name, from DescribeStacks) that the new
/// template removes or changes: an output value written differently from the deployed
/// template's (`None`: unreadable, and then an export still declared counts as unchanged only
/// when its output key is the same), or one that refers to a resource the update replaces
/// (`replaced`: its physical id, and so the value, changes).
pub fn changed_exports(
    stack_name: &str,
    deployed_exports: &[(String, String)],
    deployed_template: Option<&Value>,
    new_template: &Value,
    replaced: &BTreeSet<String>,
) -> Vec<(String, ExportChange)> {
    let new_outputs = new_template.get("Outputs").and_then(Value::as_object);
    let export_name = |o: &Value| -> Option<String> {
        match o.get("Export")?.get("Name")? {
            Value::String(s) => Some(s.clone()),
            Value::Object(m) => {
                // {"Fn::Sub": "${AWS::StackName}-x"}: the one form worth resolving
                let t = m.get("Fn::Sub")?.as_str()?;
                let resolved = t.replace("${AWS::StackName}", stack_name);
                (!resolved.contains("${")).then_some(resolved)
            }
            _ => None,
        }
    };
    let mut out = Vec::new();
    for (key, name) in deployed_exports {
        let new = new_outputs.and_then(|outputs| {
            outputs
                .iter()
                .find(|(_, o)| export_name(o).as_deref() == Some(name.as_str()))
        });
        match new {
            None => out.push((name.clone(), ExportChange::Removed)),
            Some((new_key, o)) => {
                let old_value = deployed_template
                    .and_then(|t| t.get("Outputs"))
                    .and_then(|outputs| outputs.get(key))
                    .and_then(|o| o.get("Value"));
                let same = match old_value {
                    Some(v) => o.get("Value") == Some(v),
                    None => new_key == key,
                } && !o.get("Value").is_some_and(|v| refers_to(v, replaced));
                if !same {
                    out.push((name.clone(), ExportChange::Changed));
                }
            }
        }
    }
    out
}

/// Refuses, before anything changes, a deploy that would remove or change an export another
/// stack still imports.
pub async fn check(planned: &[Planned<'_>]) -> Result<()> {
    for p in planned {
        let cfn = p
            .aws
            .cloudformation(p.region, &format!("stack {}", p.name))?;
        let Some(info) = stacks::describe(&cfn, p.name).await? else {
            continue;
        };
        let mut exports: Vec<(String, String)> = info
            .outputs
            .iter()
            .filter_map(|(k, _, e)| e.as_ref().map(|e| (k.clone(), e.clone())))
            .collect();
        exports.sort();
        exports.dedup_by(|a, b| a.1 == b.1);
        if exports.is_empty() {
            continue;
        }
        let new: Value = serde_json::from_str(p.template).unwrap_or(Value::Null);
        let deployed: Option<Value> = stacks::deployed_template(&cfn, &info.id)
            .await?
            .and_then(|t| crate::cloudformation::diff::deployed_json(&t).ok());
        // resources the update replaces: their physical ids, and any export of them, change
        let replaced: BTreeSet<String> = match &deployed {
            Some(old) => crate::cloudformation::diff::diff_templates(
                Some(old),
                &new,
                &crate::cloudformation::facts::SchemaRules,
            )
            .replacements()
            .map(|r| r.logical_id.clone())
            .collect(),
            None => BTreeSet::new(),
        };
        let mut locked = Vec::new();
        for (export, change) in
            changed_exports(p.name, &exports, deployed.as_ref(), &new, &replaced)
        {
            let what = match change {
                ExportChange::Removed => "removes",
                ExportChange::Changed => "changes the value of",
            };
            match importers(&cfn, &export, p.name).await {
                Ok(Importers::None) => {}
                Ok(Importers::Stacks(names)) => locked.push(format!(
                    "  the new template {what} export `{export}`, imported by {}",
                    names.join(", ")
                )),
                Err(detail) => {
                    return Err(Error::ExportLockUnverified {
                        stack: p.name.to_owned(),
                        export,
                        detail,
                    });
                }
            }
        }
        if !locked.is_empty() {
            return Err(Error::ExportLocked {
                stack: p.name.to_owned(),
                id: p.id.to_owned(),
                exports: locked.join("\n"),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_removed_and_changed_exports() {
        let deployed = json!({"Outputs": {
            "ExportsOutputRefVpc": {"Value": {"Ref": "Vpc"}, "Export": {"Name": "Net:ExportsOutputRefVpc"}},
            "Cidr": {"Value": {"Fn::GetAtt": ["Vpc", "CidrBlock"]}, "Export": {"Name": "Net-cidr"}},
            "Same": {"Value": "x", "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-same"}}}}});
        let exports = vec![
            (
                "ExportsOutputRefVpc".to_owned(),
                "Net:ExportsOutputRefVpc".to_owned(),
            ),
            ("Cidr".to_owned(), "Net-cidr".to_owned()),
            ("Same".to_owned(), "Net-same".to_owned()),
        ];
        let new = json!({"Outputs": {
            "Cidr": {"Value": {"Fn::GetAtt": ["Vpc2", "CidrBlock"]}, "Export": {"Name": "Net-cidr"}},
            "Same": {"Value": "x", "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-same"}}}}});
        let none = BTreeSet::new();
        assert_eq!(
            changed_exports("Net", &exports, Some(&deployed), &new, &none),
            [
                ("Net:ExportsOutputRefVpc".to_owned(), ExportChange::Removed),
                ("Net-cidr".to_owned(), ExportChange::Changed)
            ]
        );
        assert!(changed_exports("Net", &exports, Some(&deployed), &deployed, &none).is_empty());
        // the same output over a replaced resource: its value changes
        let replaced: BTreeSet<String> = ["Vpc".to_owned()].into();
        assert_eq!(
            changed_exports("Net", &exports, Some(&deployed), &deployed, &replaced),
            [
                ("Net:ExportsOutputRefVpc".to_owned(), ExportChange::Changed),
                ("Net-cidr".to_owned(), ExportChange::Changed)
            ]
        );
    }
}
