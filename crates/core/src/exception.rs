//! [`Exception`]: a deliberate exception to a security or best-practice check, written into
//! the resource's `Metadata` in the forms the common IaC scanners read (checkov, cfn_nag,
//! CloudFormation Guard), with a one-line reason, and under `cloudwright` for the audit.
//!
//! ```
//! use cloudwright_core::{App, Exception, RawResource};
//!
//! let app = App::new();
//! let mut stack = app.stack("Api")?;
//! let stage = stack.add("Stage", RawResource::new("AWS::ApiGateway::Stage"))?;
//! stack.add_exception(
//!     &stage,
//!     Exception::new("caching is billed by the hour; the routes answer per person")
//!         .checkov("CKV_AWS_120")
//!         .guard("API_GW_CACHE_ENABLED_AND_ENCRYPTED"),
//! )?;
//! let template = &app.synth()?.stacks[0].template;
//! assert!(template.contains(r#""id": "CKV_AWS_120""#));
//! # Ok::<(), cloudwright_core::Error>(())
//! ```

use crate::value::{Map, Value};

/// A check that is deliberately not met by one resource, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exception {
    reason: String,
    checkov: Vec<String>,
    cfn_nag: Vec<String>,
    guard: Vec<String>,
}

impl Exception {
    /// An exception for `reason` (one line: what is off and why that is right here).
    pub fn new(reason: impl Into<String>) -> Self {
        Exception {
            reason: reason.into(),
            checkov: Vec::new(),
            cfn_nag: Vec::new(),
            guard: Vec::new(),
        }
    }

    /// The checkov check it skips (`CKV_AWS_120`).
    pub fn checkov(mut self, id: impl Into<String>) -> Self {
        self.checkov.push(id.into());
        self
    }

    /// The cfn_nag rule it suppresses (`W5`).
    pub fn cfn_nag(mut self, id: impl Into<String>) -> Self {
        self.cfn_nag.push(id.into());
        self
    }

    /// The CloudFormation Guard rule it suppresses (`API_GW_CACHE_ENABLED_AND_ENCRYPTED`).
    pub fn guard(mut self, id: impl Into<String>) -> Self {
        self.guard.push(id.into());
        self
    }

    /// The reason.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// Adds this exception to a resource's `Metadata` map, beside what is there.
    pub(crate) fn merge_into(&self, metadata: &mut Option<Value>) {
        let mut map = match metadata.take() {
            Some(Value::Map(m)) => m,
            Some(other) => Map::from([("Value".into(), other)]),
            None => Map::new(),
        };
        let reason = Value::from(self.reason.as_str());
        let entry = |id: &str, reason_key: &'static str| {
            Value::map([("id", Value::from(id)), (reason_key, reason.clone())])
        };
        for id in &self.checkov {
            push(&mut map, &["checkov", "skip"], entry(id, "comment"));
        }
        for id in &self.cfn_nag {
            push(
                &mut map,
                &["cfn_nag", "rules_to_suppress"],
                entry(id, "reason"),
            );
        }
        for id in &self.guard {
            push(
                &mut map,
                &["guard", "SuppressedRules"],
                Value::from(id.as_str()),
            );
        }
        let checks: Vec<Value> = self
            .checkov
            .iter()
            .map(|id| format!("checkov:{id}"))
            .chain(self.cfn_nag.iter().map(|id| format!("cfn_nag:{id}")))
            .chain(self.guard.iter().map(|id| format!("guard:{id}")))
            .map(Value::from)
            .collect();
        push(
            &mut map,
            &["cloudwright", "exceptions"],
            Value::map([("checks", Value::List(checks)), ("reason", reason)]),
        );
        *metadata = Some(Value::Map(map));
    }
}

/// Appends `item` to the list at `path` (maps created on the way).
fn push(map: &mut Map, path: &[&'static str], item: Value) {
    let Some((last, init)) = path.split_last() else {
        return;
    };
    let mut current = map;
    for key in init {
        let slot = current
            .entry((*key).into())
            .or_insert_with(|| Value::Map(Map::new()));
        if !matches!(slot, Value::Map(_)) {
            *slot = Value::Map(Map::new());
        }
        let Value::Map(next) = slot else {
            return;
        };
        current = next;
    }
    let list = current
        .entry((*last).into())
        .or_insert_with(|| Value::List(Vec::new()));
    if let Value::List(items) = list {
        if !items.contains(&item) {
            items.push(item);
        }
    } else {
        *list = Value::List(vec![item]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scanner_form_and_our_own_are_written_beside_existing_metadata() {
        let mut metadata = Some(Value::map([("Owner", Value::from("team"))]));
        Exception::new("TLS listeners only")
            .checkov("CKV_AWS_91")
            .cfn_nag("W52")
            .merge_into(&mut metadata);
        Exception::new("no deletion protection: the stack owns it")
            .checkov("CKV_AWS_150")
            .merge_into(&mut metadata);
        let json = serde_json::to_value(metadata.unwrap_or(Value::Null)).unwrap_or_default();
        assert_eq!(json["Owner"], "team");
        assert_eq!(
            json["checkov"]["skip"],
            serde_json::json!([
                {"id": "CKV_AWS_91", "comment": "TLS listeners only"},
                {"id": "CKV_AWS_150", "comment": "no deletion protection: the stack owns it"}
            ])
        );
        assert_eq!(
            json["cfn_nag"]["rules_to_suppress"],
            serde_json::json!([{"id": "W52", "reason": "TLS listeners only"}])
        );
        assert_eq!(
            json["cloudwright"]["exceptions"][0],
            serde_json::json!({"checks": ["checkov:CKV_AWS_91", "cfn_nag:W52"], "reason": "TLS listeners only"})
        );
    }
}
