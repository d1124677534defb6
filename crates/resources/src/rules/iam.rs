//! IAM policy documents, checked as cfn-lint checks them (E3510 identity policies, E3512
//! resource policies, E3530 trust policies, W3037 actions that exist) wherever a resource
//! embeds one.
//!
//! A policy document is free-form JSON to the resource schemas; cfn-lint validates it against
//! its own policy schemas and checks each action against the IAM service authorization
//! reference (`iam_actions.txt`, exported by `crates/codegen/export_iam_actions.py`). A
//! literal is checked; an intrinsic (a `Ref`, `Fn::Sub`, ...) anywhere is left to deploy
//! time, as cfn-lint leaves it.

use cloudwright_core::{Value, Violation};

use super::at;

use crate::constraint::Pattern;

/// Which of cfn-lint's policy schemas a document follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PolicyKind {
    /// An identity policy (attached to a role, user or group): no principal, a resource.
    Identity,
    /// A resource policy (a bucket's, queue's, topic's, key's): a principal and a resource.
    /// The actions are limited to the service's own when `service` is set.
    Resource {
        /// The one service whose actions the policy may name (`s3` for a bucket policy).
        service: Option<&'static str>,
    },
    /// A role's trust policy: a principal, no resource.
    Trust,
}

static ACTIONS: &str = include_str!("iam_actions.txt");

/// The lines of the exported action list (sorted by byte), found by binary search over the
/// text itself: no parsing at start, no allocation.
fn line_at(text: &str, mut pos: usize) -> (usize, &str) {
    while pos > 0 && text.as_bytes()[pos - 1] != b'\n' {
        pos -= 1;
    }
    let end = text[pos..].find('\n').map_or(text.len(), |e| pos + e);
    (pos, &text[pos..end])
}

/// The index of the first line `>= key` (by byte order).
fn lower_bound(key: &str) -> usize {
    let (mut lo, mut hi) = (0usize, ACTIONS.len());
    // invariant: every line starting before `lo` is < key; every line starting at or after
    // `hi` is >= key
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let (start, line) = line_at(ACTIONS, mid);
        if line < key {
            lo = start + line.len() + 1;
        } else {
            hi = start;
        }
    }
    lo
}

/// The actions of `service` (the part after `service:`), in order: the lines from the first
/// with the prefix on, while they have it.
fn actions_of(service: &str) -> impl Iterator<Item = &'static str> {
    let prefix = format!("{service}:");
    let mut at = lower_bound(&prefix);
    std::iter::from_fn(move || {
        if at >= ACTIONS.len() {
            return None;
        }
        let (start, line) = line_at(ACTIONS, at);
        at = start + line.len() + 1;
        line.strip_prefix(prefix.as_str())
    })
}

/// Whether IAM knows the service prefix (`dynamodb`).
pub(crate) fn service_exists(service: &str) -> bool {
    actions_of(service).next().is_some()
}

/// Whether `service:action` (lowercase, `*` and `?` wildcards allowed in the action) names at
/// least one action IAM knows.
pub(crate) fn action_exists(service: &str, action: &str) -> bool {
    if !action.contains(['*', '?']) {
        let key = format!("{service}:{action}");
        let at = lower_bound(&key);
        return at < ACTIONS.len() && line_at(ACTIONS, at).1 == key;
    }
    actions_of(service).any(|name| wildcard_match(action, name))
}

/// IAM's wildcard match: `*` any run of characters, `?` one character.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A map written as an intrinsic function in JSON (`{"Fn::GetAtt": [...]}`, `{"Ref": ..}`):
/// resolved at deploy, so not a literal to check.
fn intrinsic(value: &Value) -> bool {
    match value {
        Value::Map(m) => {
            m.len() == 1
                && m.keys()
                    .all(|k| k == "Ref" || k == "Condition" || k.starts_with("Fn::"))
        }
        Value::Null | Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::List(_) => {
            false
        }
        _ => true,
    }
}

fn violation(path: String, value: &Value, constraint: impl Into<String>) -> Violation {
    Violation::new(path, value, constraint)
}

/// Checks the policy document at `path` (below `Properties`).
pub(crate) fn check_document(doc: &Value, path: &str, kind: PolicyKind) -> Result<(), Violation> {
    let map = match doc {
        _ if intrinsic(doc) => return Ok(()),
        Value::Map(m) => m,
        // a JSON text or an intrinsic: cfn-lint parses the text; the typed builders never
        // write one, so it is left to deploy time here
        _ => return Ok(()),
    };
    for (key, value) in map {
        if !matches!(&**key, "Version" | "Id" | "Statement") {
            return Err(violation(
                at(path, key),
                value,
                "IAM policy: only Version, Id and Statement are allowed (cfn-lint E3510)",
            ));
        }
    }
    if let Some(version) = map.get("Version")
        && let Value::String(v) = version
        && v != "2012-10-17"
        && v != "2008-10-17"
    {
        return Err(violation(
            at(path, "Version"),
            version,
            "IAM policy Version: one of 2012-10-17, 2008-10-17",
        ));
    }
    let Some(statements) = map.get("Statement") else {
        return Err(violation(
            at(path, "Statement"),
            &Value::Null,
            "IAM policy: required property Statement",
        ));
    };
    let path = at(path, "Statement");
    match statements {
        _ if intrinsic(statements) => Ok(()),
        Value::Map(_) => check_statement(statements, &path, kind),
        Value::List(items) => {
            if items.is_empty() {
                return Err(violation(
                    path,
                    statements,
                    "IAM policy: at least one statement",
                ));
            }
            let mut sids: Vec<&str> = Vec::new();
            for (i, s) in items.iter().enumerate() {
                let p = at(&path, &i.to_string());
                check_statement(s, &p, kind)?;
                if let Value::Map(m) = s
                    && let Some(value @ Value::String(sid)) = m.get("Sid")
                {
                    if sids.contains(&sid.as_str()) {
                        return Err(violation(
                            at(&p, "Sid"),
                            value,
                            "IAM policy: each statement's Sid is unique",
                        ));
                    }
                    sids.push(sid);
                }
            }
            Ok(())
        }
        Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null => Err(violation(
            path,
            statements,
            "IAM policy Statement: an object or a list of objects",
        )),
        _ => Ok(()),
    }
}

fn exactly_one(
    m: &cloudwright_core::Map,
    statement: &Value,
    path: &str,
    a: &str,
    b: &str,
) -> Result<(), Violation> {
    match (m.get(a), m.get(b)) {
        (Some(_), None) | (None, Some(_)) => Ok(()),
        (Some(_), Some(value)) => Err(violation(
            at(path, b),
            value,
            format!("IAM policy statement: {a} or {b}, not both"),
        )),
        (None, None) => Err(violation(
            path.to_owned(),
            statement,
            format!("IAM policy statement: required property {a} (or {b})"),
        )),
    }
}

fn check_statement(statement: &Value, path: &str, kind: PolicyKind) -> Result<(), Violation> {
    let m = match statement {
        _ if intrinsic(statement) => return Ok(()),
        Value::Map(m) => m,
        Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null | Value::List(_) => {
            return Err(violation(
                path.to_owned(),
                statement,
                "IAM policy statement: an object",
            ));
        }
        _ => return Ok(()),
    };
    let principals = !matches!(kind, PolicyKind::Identity);
    let resources = !matches!(kind, PolicyKind::Trust);
    for (key, value) in m {
        let known = match &**key {
            "Sid" | "Effect" | "Action" | "NotAction" | "Condition" => true,
            "Resource" | "NotResource" => resources,
            "Principal" | "NotPrincipal" => principals,
            _ => false,
        };
        if !known {
            let what = match kind {
                PolicyKind::Identity => {
                    "an identity policy statement has no such key (Principal belongs in a resource or trust policy)"
                }
                PolicyKind::Resource { .. } => "a resource policy statement has no such key",
                PolicyKind::Trust => {
                    "a trust policy statement has no such key (no Resource: the role is the resource)"
                }
            };
            return Err(violation(
                at(path, key),
                value,
                format!("IAM policy: {what}"),
            ));
        }
    }
    match m.get("Effect") {
        None => {
            return Err(violation(
                at(path, "Effect"),
                &Value::Null,
                "IAM policy statement: required property Effect (Allow or Deny)",
            ));
        }
        Some(e @ Value::String(s)) if s != "Allow" && s != "Deny" => {
            return Err(violation(
                at(path, "Effect"),
                e,
                "IAM policy Effect: Allow or Deny",
            ));
        }
        _ => {}
    }
    if let Some(sid @ Value::String(s)) = m.get("Sid")
        && kind == PolicyKind::Identity
        && !s.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(violation(
            at(path, "Sid"),
            sid,
            "IAM identity policy Sid: letters and digits only (pattern ^[A-Za-z0-9]+$)",
        ));
    }
    exactly_one(m, statement, path, "Action", "NotAction")?;
    if resources {
        exactly_one(m, statement, path, "Resource", "NotResource")?;
    }
    if principals {
        exactly_one(m, statement, path, "Principal", "NotPrincipal")?;
    }
    for key in ["Action", "NotAction"] {
        if let Some(actions) = m.get(key) {
            check_actions(actions, &at(path, key), kind)?;
        }
    }
    for key in ["Resource", "NotResource"] {
        if let Some(resource) = m.get(key) {
            check_resources(resource, &at(path, key), kind)?;
        }
    }
    if let Some(condition) = m.get("Condition") {
        check_condition(condition, &at(path, "Condition"))?;
    }
    Ok(())
}

fn each_string<'a>(
    value: &'a Value,
    path: &str,
    what: &str,
) -> Result<Vec<(String, &'a Value)>, Violation> {
    match value {
        _ if intrinsic(value) => Ok(Vec::new()),
        Value::String(_) => Ok(vec![(path.to_owned(), value)]),
        Value::List(items) => {
            if items.is_empty() {
                return Err(violation(
                    path.to_owned(),
                    value,
                    format!("IAM policy {what}: at least one item"),
                ));
            }
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item {
                    _ if intrinsic(item) => {}
                    Value::Number(_)
                    | Value::Bool(_)
                    | Value::Null
                    | Value::Map(_)
                    | Value::List(_) => {
                        return Err(violation(
                            at(path, &i.to_string()),
                            item,
                            format!("IAM policy {what}: a string"),
                        ));
                    }
                    _ => out.push((at(path, &i.to_string()), item)),
                }
            }
            Ok(out)
        }
        Value::Number(_) | Value::Bool(_) | Value::Null | Value::Map(_) => Err(violation(
            path.to_owned(),
            value,
            format!("IAM policy {what}: a string or a list of strings"),
        )),
        _ => Ok(Vec::new()),
    }
}

fn check_actions(actions: &Value, path: &str, kind: PolicyKind) -> Result<(), Violation> {
    for (p, item) in each_string(actions, path, "Action")? {
        let Value::String(action) = item else {
            continue;
        };
        if action == "*" {
            continue;
        }
        let Some((service, name)) = action.split_once(':') else {
            return Err(violation(
                p,
                item,
                "IAM action: `service:Action` or `*` (cfn-lint W3037)",
            ));
        };
        let (service, name) = (service.to_lowercase(), name.to_lowercase());
        if let PolicyKind::Resource {
            service: Some(only),
        } = kind
            && service != only
        {
            return Err(violation(
                p,
                item,
                format!("IAM action: this policy may only name {only}: actions (cfn-lint W3037)"),
            ));
        }
        if !service_exists(&service) {
            return Err(violation(
                p,
                item,
                format!(
                    "IAM action: no service `{service}` in the IAM service authorization reference (cfn-lint W3037)"
                ),
            ));
        }
        if !action_exists(&service, &name) {
            let hint = closest_action(&service, &name)
                .map(|a| format!("; did you mean {service}:{a}?"))
                .unwrap_or_default();
            return Err(violation(
                p,
                item,
                format!("IAM action: `{service}` has no action `{name}` (cfn-lint W3037){hint}"),
            ));
        }
    }
    Ok(())
}

/// The known action of `service` nearest to `name`, for the hint (the did-you-mean rule of
/// the schema checks).
fn closest_action(service: &str, name: &str) -> Option<String> {
    cloudwright_core::id::closest(name, actions_of(service)).map(str::to_owned)
}

static ARN: Pattern =
    Pattern::new(r"^(arn:(aws[A-Za-z\-]*?|\*):[^:]+:[^:]*(:(?:\d{12}|\*|aws)?:.+|)|\*)$");

fn check_resources(resources: &Value, path: &str, kind: PolicyKind) -> Result<(), Violation> {
    for (p, item) in each_string(resources, path, "Resource")? {
        if let Value::String(s) = item
            && kind == PolicyKind::Identity
            && ARN.search(s) == Some(false)
        {
            return Err(violation(
                p,
                item,
                "IAM policy Resource: an ARN (`arn:partition:service:region:account:resource`) or `*` (cfn-lint E3510)",
            ));
        }
    }
    Ok(())
}

static OPERATOR: Pattern = Pattern::new(
    r"^(ForAnyValue:|ForAllValues:)?((Not)?IpAddress(Exists)?|Arn(Not)?(Equals|Like)(Exists)?|Bool|Date(Less|Greater)Than(Equals)?|Date(Not)?Equals|Null|Numeric(Less|Greater)Than(Equals)?(Exists)?|Numeric(Not)?Equals(Exists)?|String(Not)?Equals(IgnoreCase)?(Exists)?|String(Not)?Like(Exists)?|BinaryEquals)(IfExists)?$",
);

fn check_condition(condition: &Value, path: &str) -> Result<(), Violation> {
    let m = match condition {
        _ if intrinsic(condition) => return Ok(()),
        Value::Map(m) => m,
        Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null | Value::List(_) => {
            return Err(violation(
                path.to_owned(),
                condition,
                "IAM policy Condition: an object of operators",
            ));
        }
        _ => return Ok(()),
    };
    for (operator, block) in m {
        if OPERATOR.search(operator) == Some(false) {
            return Err(violation(
                at(path, operator),
                block,
                format!(
                    "IAM policy Condition: `{operator}` is not a condition operator (StringEquals, ArnLike, Bool, ...)"
                ),
            ));
        }
        match block {
            _ if intrinsic(block) => {}
            Value::Map(keys) => {
                for (key, value) in keys {
                    if !intrinsic(value) && matches!(value, Value::Map(_) | Value::Null) {
                        return Err(violation(
                            at(&at(path, operator), key),
                            value,
                            "IAM policy Condition value: a string, number, boolean or list",
                        ));
                    }
                }
            }
            Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null | Value::List(_) => {
                return Err(violation(
                    at(path, operator),
                    block,
                    "IAM policy Condition: each operator maps condition keys to values",
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_action_list_is_sorted_and_found_by_binary_search() {
        let lines: Vec<&str> = ACTIONS.lines().collect();
        assert!(lines.len() > 15_000);
        assert!(lines.windows(2).all(|w| w[0] < w[1]));
        // every line is found, and a line with one character changed is not (unless it exists)
        for line in lines.iter().step_by(97) {
            let (s, a) = line.split_once(':').unwrap_or_default();
            assert!(action_exists(s, a), "{line}");
            assert!(service_exists(s), "{line}");
        }
        assert!(action_exists("dynamodb", "getitem"));
        assert!(!action_exists("dynamodb", "getitems"));
        assert!(action_exists("dynamodb", "get*"));
        assert!(action_exists("s3", "get?bject"));
        assert!(!action_exists("s3", "nothing*"));
        assert!(!service_exists("dynamo"));
        assert!(service_exists("a2c")); // the first service
        assert!(service_exists("xray")); // the last
    }

    #[test]
    fn wildcards_match_as_iam_matches() {
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("get*", "getitem"));
        assert!(wildcard_match("*item", "getitem"));
        assert!(wildcard_match("g?t*m", "getitem"));
        assert!(!wildcard_match("get?", "getitem"));
        assert!(!wildcard_match("put*", "getitem"));
    }
}
