//! What the ingress tests share beyond `cloudwright_testing::fixtures`: its private subnets
//! as a `SubnetGroup`, the ingress error of a failed build, and pattern helpers.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use cloudwright_core::assertions::{Match, Template};
use cloudwright_ingress::Error;
use cloudwright_network::SubnetGroup;
pub use cloudwright_testing::fixtures;

/// Two private subnets of a VPC made elsewhere (the shared fixture).
pub fn private_subnets() -> SubnetGroup {
    SubnetGroup::imported(fixtures::VPC_ID, fixtures::PRIVATE_SUBNETS)
}

/// The ingress error inside a core error (panics if it is another crate's).
pub fn ingress_error(err: cloudwright_core::Error) -> Error {
    err.downcast_ref::<Error>()
        .cloned()
        .unwrap_or_else(|| panic!("not an ingress error: {err}"))
}

/// Every logical id of the template, sorted.
pub fn logical_ids(t: &Template) -> Vec<String> {
    t.json()
        .get("Resources")
        .and_then(serde_json::Value::as_object)
        .map(|r| r.keys().cloned().collect())
        .unwrap_or_default()
}

/// A pattern reaching `last` through nested objects: `nested(&["Body", "paths"], m)` is
/// `{"Body": {"paths": m}}`, object-like at every level (so `last` may be `Match::absent()`).
pub fn nested(keys: &[&str], last: Match) -> Match {
    keys.iter()
        .rev()
        .fold(last, |m, k| Match::object_like([(*k, m)]))
}
