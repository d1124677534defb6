//! What the ingress tests share: private subnets of a VPC made elsewhere, a stack holding one
//! construct, and the ingress error of a failed build.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use cloudwright_core::assertions::{Match, Template};
use cloudwright_core::{App, Construct, StackProps};
use cloudwright_ingress::Error;
use cloudwright_network::SubnetGroup;

/// Two private subnets of a VPC made elsewhere.
pub fn private_subnets() -> SubnetGroup {
    SubnetGroup::imported(
        "vpc-0a1b2c3d",
        [
            ("subnet-0aaaaaaaaaaaaaaaa", "10.0.1.0/24"),
            ("subnet-0bbbbbbbbbbbbbbbb", "10.0.2.0/24"),
        ],
    )
}

/// A stack `stack` (in `props`) holding `construct` as `id`: its template's text and the
/// template for assertions.
pub fn one_construct<C: Construct>(
    stack: &str,
    props: StackProps,
    id: &str,
    construct: C,
) -> Result<(String, Template), cloudwright_core::Error> {
    let app = App::new();
    let mut s = app.stack_with(stack, props)?;
    s.construct(id, construct)?;
    let text = app.synth()?.stacks[0].template.clone();
    let template = Template::parse(&text).expect("a synthesized template parses");
    Ok((text, template))
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
