//! Schema checks of whole generated types that need their service's feature (run by
//! `scripts/test` with `--features full`).
#![cfg(feature = "cloudformation")]

use cloudwright_core::{Resource, Value};
use cloudwright_resources::cloudformation::CustomResource;

/// The schema says `additionalProperties: false` beside `patternProperties: {".*": ..}`: the
/// properties a custom resource passes to its provider are its own, and must not be refused.
#[test]
fn a_custom_resource_takes_properties_of_its_own() {
    let props = Value::map([
        (
            "ServiceToken",
            Value::from("arn:aws:lambda:us-east-1:123456789012:function:f"),
        ),
        ("TableName", Value::from("orders")),
        ("Nested", Value::map([("Retries", Value::from(3))])),
    ]);
    assert_eq!(CustomResource::check(&props), Ok(()));
    // its own properties are still checked
    let missing = Value::map([("TableName", Value::from("orders"))]);
    let e = CustomResource::check(&missing).unwrap_err();
    assert_eq!(e.constraint, "required property ServiceToken");
    let null = Value::map([
        (
            "ServiceToken",
            Value::from("arn:aws:sns:us-east-1:123456789012:t"),
        ),
        ("TableName", Value::Null),
    ]);
    assert_eq!(
        CustomResource::check(&null).unwrap_err().property,
        "TableName"
    );
}
