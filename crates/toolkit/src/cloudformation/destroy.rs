//! `cloudwright destroy`: stacks in reverse dependency order, after confirmation, each only
//! when no other stack still imports its exports.
//!
//! Whether an export is imported comes from `ListImports`. When that call fails with anything
//! but "not imported" (moto answers HTTP 500), the imports are checked instead by scanning the
//! templates of the region's other live stacks for `Fn::ImportValue` of the export's name; if
//! that fails too, the stack is not deleted.
//!
//! What a deletion keeps is reported with its physical id: resources whose `DeletionPolicy`
//! retains them (read from the deployed template and the stack's resources before the
//! deletion) and resources CloudFormation reported `DELETE_SKIPPED`.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use aws_sdk_cloudformation::types::StackStatus;
use serde_json::Value;
use tokio::sync::Mutex;

use crate::app::assembly::{CloudAssembly, Extend};
use crate::aws::{Aws, is_unavailable, service_error};
use crate::cloudformation::events::{self, EventWatch, Outcome, Reporter, first_failure};
use crate::cloudformation::stacks::{self, Cfn, StackStatus as State};
use crate::error::{Error, Result};
use crate::ui;

/// Options of `cloudwright destroy`.
#[derive(Clone, Debug)]
pub struct DestroyOptions {
    /// The stacks to destroy (all when empty).
    pub stacks: Vec<String>,
    /// Only the named stacks, not the stacks that depend on them.
    pub exclusively: bool,
    /// Do not ask for confirmation.
    pub yes: bool,
    /// How long one stack may take.
    pub timeout: Duration,
    /// How events are shown.
    pub display: events::Display,
    /// The CloudFormation execution role for the deletions (`--role-arn`).
    pub role_arn: Option<String>,
    /// The role to assume per account (`"accounts"` in `cloudwright.json`, [`crate::aws::accounts`]).
    pub accounts: std::collections::BTreeMap<String, crate::config::AccountConfig>,
}

/// A resource a stack's deletion kept.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Kept {
    /// Its logical id.
    pub logical_id: String,
    /// Its type.
    pub resource_type: String,
    /// Its physical id, when known.
    pub physical_id: Option<String>,
    /// Why it was kept (`DeletionPolicy Retain`, `DELETE_SKIPPED`).
    pub why: String,
}

impl std::fmt::Display for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}) {} [{}]",
            self.logical_id,
            self.resource_type,
            self.physical_id.as_deref().unwrap_or("(no physical id)"),
            self.why
        )
    }
}

/// What a deletion keeps: resources of the deployed `template` whose `DeletionPolicy` is
/// `Retain` or `RetainExceptOnCreate` (their physical ids from `physical`: logical id →
/// physical id), and those `events` report `DELETE_SKIPPED`. Sorted by logical id.
pub fn kept(
    template: Option<&Value>,
    physical: &std::collections::BTreeMap<String, String>,
    events: &[events::StackEvent],
) -> Vec<Kept> {
    let mut out: std::collections::BTreeMap<String, Kept> = std::collections::BTreeMap::new();
    if let Some(resources) = template
        .and_then(|t| t.get("Resources"))
        .and_then(Value::as_object)
    {
        for (id, r) in resources {
            let policy = r.get("DeletionPolicy").and_then(Value::as_str);
            if let Some(p @ ("Retain" | "RetainExceptOnCreate")) = policy {
                out.insert(
                    id.clone(),
                    Kept {
                        logical_id: id.clone(),
                        resource_type: r
                            .get("Type")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        physical_id: physical.get(id).cloned(),
                        why: format!("DeletionPolicy {p}"),
                    },
                );
            }
        }
    }
    for e in events
        .iter()
        .filter(|e| e.resource_status == "DELETE_SKIPPED")
    {
        let entry = out
            .entry(e.logical_resource_id.clone())
            .or_insert_with(|| Kept {
                logical_id: e.logical_resource_id.clone(),
                resource_type: e.resource_type.clone(),
                physical_id: None,
                why: "DELETE_SKIPPED".into(),
            });
        if entry.physical_id.is_none() {
            entry.physical_id = e
                .physical_resource_id
                .clone()
                .filter(|p| !p.is_empty())
                .or_else(|| physical.get(&e.logical_resource_id).cloned());
        }
    }
    out.into_values().collect()
}

/// What a deletion is expected to keep, read before it starts: the deployed template and the
/// stack's resources' physical ids (empty when they cannot be read; the events still tell).
async fn retained_before(
    cfn: &Cfn,
    stack_id: &str,
) -> (Option<Value>, std::collections::BTreeMap<String, String>) {
    let template = stacks::deployed_template(cfn, stack_id)
        .await
        .ok()
        .flatten()
        .and_then(|t| crate::cloudformation::diff::deployed_json(&t).ok());
    let mut physical = std::collections::BTreeMap::new();
    if let Ok(out) = cfn
        .client
        .describe_stack_resources()
        .stack_name(stack_id)
        .send()
        .await
    {
        for r in out.stack_resources() {
            if let (Some(l), Some(p)) = (r.logical_resource_id(), r.physical_resource_id()) {
                physical.insert(l.to_owned(), p.to_owned());
            }
        }
    }
    (template, physical)
}

/// Whether `template` (JSON text, or any text as a fallback) imports `export`.
pub fn imports(template: &str, export: &str) -> bool {
    fn walk(v: &Value, export: &str) -> bool {
        match v {
            Value::Object(m) => {
                if let Some(arg) = m.get("Fn::ImportValue") {
                    let name = match arg {
                        Value::String(s) => Some(s.as_str()),
                        Value::Object(sub) => sub.get("Fn::Sub").and_then(Value::as_str),
                        _ => None,
                    };
                    match name {
                        Some(n) if n == export => return true,
                        // a computed name cannot be resolved here: count it when it may match
                        None if arg.to_string().contains(export) => return true,
                        _ => {}
                    }
                }
                m.values().any(|x| walk(x, export))
            }
            Value::Array(a) => a.iter().any(|x| walk(x, export)),
            _ => false,
        }
    }
    match serde_json::from_str::<Value>(template) {
        Ok(v) => walk(&v, export),
        // YAML: be conservative
        Err(_) => template.contains("ImportValue") && template.contains(export),
    }
}

/// What stops a stack from being deleted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Importers {
    /// Nothing imports the export.
    None,
    /// These stacks import it.
    Stacks(Vec<String>),
}

/// Finds the stacks importing `export`: `ListImports`, or a scan of the live stacks'
/// templates when `ListImports` cannot answer. `except` is the exporting stack itself.
pub async fn importers(
    cfn: &Cfn,
    export: &str,
    except: &str,
) -> std::result::Result<Importers, String> {
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        match cfn
            .client
            .list_imports()
            .export_name(export)
            .set_next_token(token.clone())
            .send()
            .await
        {
            Ok(out) => {
                names.extend(out.imports().iter().cloned());
                token = out.next_token().map(str::to_owned);
                if token.is_none() {
                    names.retain(|n| n != except);
                    return Ok(if names.is_empty() {
                        Importers::None
                    } else {
                        Importers::Stacks(names)
                    });
                }
            }
            Err(e)
                if service_error(&e)
                    .is_some_and(|(_, m)| m.contains("is not imported by any stack")) =>
            {
                return Ok(Importers::None);
            }
            Err(e) => {
                let reason = cfn.error("ListImports", e).to_string();
                return scan_for_imports(cfn, export, except).await.map_err(|scan| {
                    format!("{reason}; scanning the stacks' templates instead failed too: {scan}")
                });
            }
        }
    }
}

/// The fallback: every live stack's template, searched for `Fn::ImportValue` of `export`.
async fn scan_for_imports(
    cfn: &Cfn,
    export: &str,
    except: &str,
) -> std::result::Result<Importers, String> {
    let live = cfn
        .client
        .list_stacks()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| cfn.error("ListStacks", e).to_string())?;
    let mut found = BTreeSet::new();
    for s in live {
        let name = s.stack_name().unwrap_or_default();
        if name == except || s.stack_status() == Some(&StackStatus::DeleteComplete) {
            continue;
        }
        let id = s.stack_id().unwrap_or(name);
        let template = stacks::deployed_template(cfn, id)
            .await
            .map_err(|e| e.to_string())?;
        if template.is_some_and(|t| imports(&t, export)) {
            found.insert(name.to_owned());
        }
    }
    Ok(if found.is_empty() {
        Importers::None
    } else {
        Importers::Stacks(found.into_iter().collect())
    })
}

/// Destroys the selected stacks of an assembly, dependents first. Returns the stacks deleted.
pub async fn destroy(
    aws: &Aws,
    assembly: &CloudAssembly,
    opts: DestroyOptions,
) -> Result<Vec<String>> {
    let selected = assembly.select(
        &opts.stacks,
        if opts.exclusively {
            Extend::None
        } else {
            Extend::Downstream
        },
    )?;
    let reporter = Reporter::new(opts.display);
    // every stack's account, before anything is deleted
    let accounts = crate::aws::accounts::Accounts::new(aws, &opts.accounts);
    let access = crate::aws::accounts::resolve(&accounts, &selected).await?;
    let names: Vec<&str> = selected
        .iter()
        .rev()
        .map(|s| s.stack_name.as_str())
        .collect();
    if names.is_empty() {
        reporter.println("no stacks to destroy");
        return Ok(Vec::new());
    }
    ui::confirm(
        &reporter,
        &Mutex::new(()),
        opts.yes,
        "",
        &format!("Delete the stacks {} (in this order)?", names.join(", ")),
        &format!("destroying {}", names.join(", ")),
    )
    .await?;
    let mut deleted = Vec::new();
    for s in selected.iter().rev() {
        let started = Instant::now();
        let deadline = started + opts.timeout;
        let cfn = access
            .get(&s.id)
            .unwrap_or(aws)
            .cloudformation(s.region.as_deref(), &format!("stack {}", s.stack_name))?;
        let Some(mut info) = stacks::describe(&cfn, &s.stack_name).await? else {
            reporter.println(&format!("{}: already deleted", s.stack_name));
            continue;
        };
        if info.state().busy() {
            reporter.println(&format!(
                "{}: the stack is {}; waiting for that to finish before deleting it",
                info.name, info.status
            ));
            let mut watch = EventWatch::since(stacks::newest_event(&cfn, &info.id).await?);
            let mut rep = reporter.stack(&info.name, "waiting", 0);
            match stacks::wait_settled(
                &cfn,
                &info.id,
                &info.name,
                &mut watch,
                &mut rep,
                deadline,
                opts.timeout,
            )
            .await?
            {
                Some(i) if i.state() != State::DeleteComplete => info = i,
                _ => {
                    rep.finish("deleted");
                    reporter.println(&format!("{}: already deleted", s.stack_name));
                    continue;
                }
            }
            rep.finish("settled");
        }
        // every export, as deployed and as synthesized
        let mut exports: BTreeSet<String> = info
            .outputs
            .iter()
            .filter_map(|(_, _, e)| e.clone())
            .collect();
        exports.extend(s.exports.iter().cloned());
        for export in &exports {
            match importers(&cfn, export, &info.name).await {
                Ok(Importers::None) => {}
                Ok(Importers::Stacks(by)) => {
                    return Err(Error::ExportInUse {
                        stack: info.name.clone(),
                        export: export.clone(),
                        importers: by.join(", "),
                    });
                }
                Err(detail) => {
                    return Err(Error::ImportsUnverified {
                        stack: info.name.clone(),
                        export: export.clone(),
                        detail,
                    });
                }
            }
        }
        let (deployed, physical) = retained_before(&cfn, &info.id).await;
        let not_deleted =
            |e: Error| Error::unavailable(&info.name, e, "The stack was not deleted.");
        let mut watch = EventWatch::since(
            stacks::newest_event(&cfn, &info.id)
                .await
                .map_err(not_deleted)?,
        );
        crate::interrupt::stack_started(&cfn, &info.name);
        if let Err(e) = cfn
            .client
            .delete_stack()
            .stack_name(&info.id)
            .set_role_arn(opts.role_arn.clone())
            .send()
            .await
        {
            let err = cfn.error("DeleteStack", e);
            if !is_unavailable(&err) {
                return Err(err);
            }
            // the request may have reached AWS: the stack's state says whether it did
            match stacks::describe(&cfn, &info.id).await {
                Ok(Some(now))
                    if now.state() == State::DeleteComplete
                        || now.state() == State::InProgress("DELETE_IN_PROGRESS".into()) =>
                {
                    reporter.println(&format!(
                        "{}: the answer to DeleteStack was lost ({err}), but the stack is {}; following it",
                        info.name, now.status
                    ));
                }
                Ok(None) => {}
                Ok(Some(_)) => return Err(not_deleted(err)),
                Err(read) => {
                    return Err(Error::unknown_outcome(
                        &info.name,
                        "DeleteStack",
                        &err,
                        &read,
                    ));
                }
            }
        }
        let mut rep = reporter.stack(&info.name, "deleting", s.resource_count);
        let end = stacks::wait_settled(
            &cfn,
            &info.id,
            &info.name,
            &mut watch,
            &mut rep,
            deadline,
            opts.timeout,
        )
        .await
        .map_err(|e| {
            Error::unavailable(
                &info.name,
                e,
                "The deletion had started and CloudFormation goes on with it; run destroy again to wait for it.",
            )
        })?;
        match end {
            Some(end) if end.state() != State::DeleteComplete => {
                rep.finish(&end.status);
                return Err(Error::StackFailed {
                    stack: info.name.clone(),
                    failure: first_failure(rep.seen())
                        .map(|f| f.to_string())
                        .or(end.reason.clone())
                        .unwrap_or_else(|| "CloudFormation gave no reason".into()),
                    outcome: Outcome::from_status(&end.state(), rep.seen()).describe(&info.name),
                    status: end.status,
                });
            }
            _ => {
                rep.finish("DELETE_COMPLETE");
                crate::interrupt::stack_done(&info.name);
                let kept = kept(deployed.as_ref(), &physical, rep.seen());
                let mut line = format!(
                    "{}: deleted in {:.1} s",
                    info.name,
                    started.elapsed().as_secs_f64()
                );
                if !kept.is_empty() {
                    line.push_str(&format!(
                        "; kept {} resource{} that still exist{} (delete {} yourself when no longer needed):",
                        kept.len(),
                        if kept.len() == 1 { "" } else { "s" },
                        if kept.len() == 1 { "s" } else { "" },
                        if kept.len() == 1 { "it" } else { "them" },
                    ));
                    for k in &kept {
                        line.push_str(&format!("\n  kept {k}"));
                    }
                }
                reporter.println(&line);
                deleted.push(info.name.clone());
            }
        }
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_what_a_deletion_keeps() {
        let template = serde_json::json!({"Resources": {
            "Logs": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain"},
            "Bucket": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "RetainExceptOnCreate"},
            "Vpc": {"Type": "AWS::EC2::VPC"},
            "Db": {"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Snapshot"}}});
        let physical: std::collections::BTreeMap<String, String> = [
            ("Logs", "my-logs"),
            ("Vpc", "vpc-1"),
            ("Queue", "https://q"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
        let skipped = events::StackEvent {
            logical_resource_id: "Queue".into(),
            resource_type: "AWS::SQS::Queue".into(),
            resource_status: "DELETE_SKIPPED".into(),
            physical_resource_id: Some(String::new()),
            ..Default::default()
        };
        let k = kept(Some(&template), &physical, &[skipped]);
        let lines: Vec<String> = k.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "Bucket (AWS::S3::Bucket) (no physical id) [DeletionPolicy RetainExceptOnCreate]",
                "Logs (AWS::Logs::LogGroup) my-logs [DeletionPolicy Retain]",
                "Queue (AWS::SQS::Queue) https://q [DELETE_SKIPPED]",
            ]
        );
        assert!(kept(None, &physical, &[]).is_empty());
    }

    #[test]
    fn finds_imports_in_templates() {
        let t = r#"{"Resources": {"S": {"Type": "AWS::EC2::Subnet", "Properties": {
            "VpcId": {"Fn::ImportValue": "Net:ExportsOutputRefVpc"}}}}}"#;
        assert!(imports(t, "Net:ExportsOutputRefVpc"));
        assert!(!imports(t, "Net:ExportsOutputRefOther"));
        let sub = r#"{"Outputs": {"O": {"Value": {"Fn::ImportValue": {"Fn::Sub": "Net:Id"}}}}}"#;
        assert!(imports(sub, "Net:Id"));
        let computed = r#"{"Outputs": {"O": {"Value": {"Fn::ImportValue": {"Fn::Join": [":", ["Net", "Id"]]}}}}}"#;
        assert!(
            !imports(computed, "Net:Id"),
            "a computed name that does not spell it out"
        );
        assert!(imports("Value: !ImportValue Net:Id", "Net:Id"));
        assert!(!imports("Value: !Ref X", "Net:Id"));
    }
}
