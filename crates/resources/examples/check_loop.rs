//! Checks one security group's synthesized properties (as the bench's stack makes them, stack
//! tag applied) N times (first argument), for callgrind: what `SecurityGroup::check` costs a
//! resource, e.g. `valgrind --tool=callgrind target/release/examples/check_loop 1000`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]
use cloudwright_core::Value;
use std::hint::black_box;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1);
    let props = Value::map([
        ("GroupDescription", Value::from("group 7")),
        ("GroupName", Value::sub("${Group6.GroupId}-next")),
        (
            "SecurityGroupIngress",
            Value::list([Value::map([
                ("CidrIp", Value::from("10.0.7.0/24")),
                ("Description", Value::from("https from the subnet")),
                ("FromPort", Value::from(443)),
                ("IpProtocol", Value::from("tcp")),
                ("ToPort", Value::from(443)),
            ])]),
        ),
        (
            "Tags",
            Value::list([Value::map([
                ("Key", Value::from("project")),
                ("Value", Value::from("bench")),
            ])]),
        ),
        ("VpcId", Value::get_att("Group6", "VpcId")),
    ]);
    for _ in 0..n {
        let checked =
            cloudwright_resources::check_properties("AWS::EC2::SecurityGroup", black_box(&props));
        assert!(matches!(checked, Some(Ok(()))));
    }
}
