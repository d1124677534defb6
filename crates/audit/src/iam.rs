//! Who may do what: IAM role policies (inline, `AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy`)
//! and resource policies and Lambda permissions naming a principal, resolved to actions on
//! resources of the template.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::data::{
    BUCKET_POLICY, PERMISSION, QUEUE_POLICY, TOPIC_POLICY, actions, is_everyone, policy_targets,
    statements,
};
use crate::surface::{Access, Surface};
use crate::template::{Resource, Template, display, items, literal_str, references, render};

const ROLE: &str = "AWS::IAM::Role";
const POLICY: &str = "AWS::IAM::Policy";
const MANAGED_POLICY: &str = "AWS::IAM::ManagedPolicy";

/// Verbs of actions that only read (after the service prefix).
const READ_VERBS: &[&str] = &[
    "Get",
    "List",
    "Describe",
    "Query",
    "Scan",
    "BatchGet",
    "Receive",
    "Head",
    "Select",
    "ConditionCheck",
    "PartiQLSelect",
];

/// `read`, `write`, `read/write` or `all` for a set of actions.
pub(crate) fn intent(actions: &[String]) -> String {
    let verb_of = |a: &String| a.split_once(':').map_or(a.clone(), |(_, v)| v.to_owned());
    if !actions.is_empty() && actions.iter().all(|a| verb_of(a).starts_with("Invoke")) {
        return "invoke".into();
    }
    let mut read = false;
    let mut write = false;
    for a in actions {
        let verb = a.split_once(':').map_or(a.as_str(), |(_, v)| v);
        if verb == "*" || a == "*" {
            return "all".into();
        }
        if READ_VERBS.iter().any(|r| verb.starts_with(r)) {
            read = true;
        } else {
            write = true;
        }
    }
    match (read, write) {
        (true, true) => "read/write".into(),
        (true, false) => "read".into(),
        (false, true) => "write".into(),
        (false, false) => "none".into(),
    }
}

/// How a statement's resources are shown: the logical id for `Ref`/`Fn::GetAtt`, a string
/// template otherwise (`${Bucket.Arn}/*`).
fn resources(t: &Template<'_>, statement: &Value) -> Vec<String> {
    let show = |v: &Value| {
        let name = t.name_of(v);
        if t.resources.contains_key(name.as_str()) {
            name
        } else {
            render(v)
        }
    };
    match statement.get("Resource") {
        Some(Value::Array(a)) => a.iter().map(show).collect(),
        Some(v) => vec![show(v)],
        None => statement
            .get("NotResource")
            .map(|v| vec![format!("everything but {}", display(v))])
            .unwrap_or_default(),
    }
}

/// Who may assume a role (its trust policy's principals) and what uses it.
fn role_principal(t: &Template<'_>, role: &Resource<'_>) -> String {
    let mut who = BTreeSet::new();
    for s in statements(role.prop("AssumeRolePolicyDocument")) {
        match s.get("Principal") {
            Some(Value::Object(o)) => {
                for v in o.values() {
                    match v {
                        Value::Array(a) => who.extend(a.iter().map(display)),
                        v => {
                            who.insert(display(v));
                        }
                    }
                }
            }
            Some(v) => {
                who.insert(display(v));
            }
            None => {}
        }
    }
    let used_by: BTreeSet<&str> = t
        .resources
        .values()
        .filter(|r| ![ROLE, POLICY, MANAGED_POLICY].contains(&r.ty))
        .filter(|r| references(r.props).iter().any(|id| id == role.id))
        .map(|r| r.id)
        .collect();
    let mut out = format!("role {}", role.id);
    if !who.is_empty() {
        out.push_str(&format!(
            " (assumed by {})",
            who.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if !used_by.is_empty() {
        out.push_str(&format!(
            " used by {}",
            used_by.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    out
}

fn push_statements(
    t: &Template<'_>,
    s: &mut Surface,
    principal: &str,
    document: &Value,
    via: &str,
) {
    for st in statements(document) {
        let actions = actions(st);
        s.access.push(Access {
            principal: principal.to_owned(),
            effect: st.get("Effect").map_or_else(|| "Allow".into(), display),
            intent: intent(&actions),
            actions,
            resources: resources(t, st),
            via: via.to_owned(),
        });
    }
}

/// Adds who may do what to the surface.
pub(crate) fn analyze(t: &Template<'_>, s: &mut Surface) {
    for role in t.of_type(ROLE) {
        let principal = role_principal(t, role);
        for (i, p) in items(role.prop("Policies")).iter().enumerate() {
            let name = p.get("PolicyName").map_or_else(|| i.to_string(), display);
            push_statements(
                t,
                s,
                &principal,
                p.get("PolicyDocument").unwrap_or(&Value::Null),
                &format!("{}.Policies[{name}]", role.id),
            );
        }
        for arn in items(role.prop("ManagedPolicyArns")) {
            if t.referenced(arn, &[MANAGED_POLICY]).is_some() {
                continue; // its statements are listed with the policy
            }
            s.access.push(Access {
                principal: principal.clone(),
                effect: "Allow".into(),
                actions: vec![format!("(managed policy {})", render(arn))],
                resources: Vec::new(),
                intent: "unknown (a managed policy outside the template)".into(),
                via: format!("{}.ManagedPolicyArns", role.id),
            });
        }
    }
    for p in t.of_type(POLICY).chain(t.of_type(MANAGED_POLICY)) {
        let mut holders: Vec<String> = Vec::new();
        for role in items(p.prop("Roles")) {
            match t.target(role, &[ROLE]) {
                Some(r) => holders.push(role_principal(t, r)),
                None => holders.push(format!("role {}", display(role))),
            }
        }
        for (key, kind) in [("Users", "user"), ("Groups", "group")] {
            for v in items(p.prop(key)) {
                holders.push(format!("{kind} {}", t.name_of(v)));
            }
        }
        if p.ty == MANAGED_POLICY {
            for role in t.of_type(ROLE) {
                if items(role.prop("ManagedPolicyArns"))
                    .iter()
                    .any(|a| references(a).iter().any(|id| id == p.id))
                {
                    holders.push(role_principal(t, role));
                }
            }
        }
        if holders.is_empty() {
            holders.push("(nobody in the template)".into());
        }
        for h in holders {
            push_statements(t, s, &h, p.prop("PolicyDocument"), p.id);
        }
    }
    // resource policies granting named principals (`*` is in public resources)
    for ty in [BUCKET_POLICY, QUEUE_POLICY, TOPIC_POLICY] {
        for p in t.of_type(ty) {
            let (document, _) = policy_targets(p);
            for st in statements(document) {
                let Some(principal) = st.get("Principal") else {
                    continue;
                };
                if is_everyone(principal) {
                    continue;
                }
                let actions = actions(st);
                s.access.push(Access {
                    principal: display(principal),
                    effect: st.get("Effect").map_or_else(|| "Allow".into(), display),
                    intent: intent(&actions),
                    actions,
                    resources: resources(t, st),
                    via: p.id.to_owned(),
                });
            }
        }
    }
    for p in t.of_type(PERMISSION) {
        if literal_str(p.prop("Principal")) == Some("*") {
            continue;
        }
        let mut principal = display(p.prop("Principal"));
        if let Some(arn) = p.props.get("SourceArn") {
            principal.push_str(&format!(" from {}", render(arn)));
        }
        let actions = vec![display(p.prop("Action"))];
        s.access.push(Access {
            principal,
            effect: "Allow".into(),
            intent: intent(&actions),
            actions,
            resources: vec![t.name_of(p.prop("FunctionName"))],
            via: p.id.to_owned(),
        });
    }
}
