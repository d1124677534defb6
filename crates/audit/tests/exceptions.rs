//! Deliberate exceptions are read from Metadata, ours first, else the scanners' own forms,
//! and shown in the report.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use cloudwright_audit::{DeclaredException, audit, exceptions};
use serde_json::json;

#[test]
fn ours_and_the_scanners_forms_are_listed_with_their_reasons() {
    let template = json!({"Resources": {
        "Stage": {
            "Type": "AWS::ApiGateway::Stage",
            "Properties": {},
            "Metadata": {
                "checkov": {"skip": [{"id": "CKV_AWS_120", "comment": "billed by the hour"}]},
                "cloudwright": {"exceptions": [
                    {"checks": ["checkov:CKV_AWS_120"], "reason": "billed by the hour"}
                ]}
            }
        },
        "Group": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"GroupDescription": "g"},
            "Metadata": {
                "cfn_nag": {"rules_to_suppress": [{"id": "W5", "reason": "HTTPS to AWS APIs"}]},
                "guard": {"SuppressedRules": ["SG_OPEN_EGRESS"]}
            }
        },
        "Plain": {"Type": "AWS::SNS::Topic", "Properties": {}}
    }});
    let found = exceptions(&template).unwrap();
    assert_eq!(
        found,
        vec![
            DeclaredException {
                resource: "Group".into(),
                resource_type: "AWS::EC2::SecurityGroup".into(),
                checks: vec!["cfn_nag:W5".into()],
                reason: "HTTPS to AWS APIs".into(),
            },
            DeclaredException {
                resource: "Group".into(),
                resource_type: "AWS::EC2::SecurityGroup".into(),
                checks: vec!["guard:SG_OPEN_EGRESS".into()],
                reason: String::new(),
            },
            // ours only, not the checkov copy a second time
            DeclaredException {
                resource: "Stage".into(),
                resource_type: "AWS::ApiGateway::Stage".into(),
                checks: vec!["checkov:CKV_AWS_120".into()],
                reason: "billed by the hour".into(),
            },
        ]
    );
    let report = audit(&template, None).unwrap();
    assert_eq!(report.exceptions, found);
    let table = report.render_table();
    assert!(
        table.contains("Deliberate exceptions: 3 exceptions"),
        "{table}"
    );
    assert!(table.contains("checkov:CKV_AWS_120"), "{table}");
    assert!(table.contains("billed by the hour"), "{table}");
}

#[test]
fn a_template_without_exceptions_says_so() {
    let template = json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}});
    let report = audit(&template, None).unwrap();
    assert!(report.exceptions.is_empty());
    assert!(
        report
            .render_table()
            .contains("Deliberate exceptions: none")
    );
}
