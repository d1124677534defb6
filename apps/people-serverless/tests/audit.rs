//! `cloudwright audit` over both stacks, as the toolkit runs it: each stack's surface against
//! the declaration `cloudwright.json` names for it (`api.surface.json`, `data.surface.json`),
//! the bundled rules, and what the audit could not analyze — the flask app's standard.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::path::Path;

use cloudwright_audit::{
    Declaration, Integration, Severity, Surface, audit_template, check, diff, fail_on,
};
use cloudwright_core::App;
use serde_json::Value;

/// Each stack's template and the declaration `cloudwright.json` maps it to.
fn stacks() -> Vec<(String, Value, Declaration)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cloudwright.json")).unwrap())
            .unwrap();
    let mut app = App::new();
    app_people_serverless::build(&mut app).unwrap();
    let assembly = app.synth().unwrap();
    assert_eq!(assembly.stacks.len(), 2);
    assembly
        .stacks
        .iter()
        .map(|s| {
            let file = config["surface"][&s.id]
                .as_str()
                .unwrap_or_else(|| panic!("cloudwright.json declares no surface for {}", s.id));
            let declared =
                Declaration::from_json(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
            (
                s.id.clone(),
                serde_json::from_str(&s.template).unwrap(),
                declared,
            )
        })
        .collect()
}

fn surface_of(stacks: &[(String, Value, Declaration)], id: &str) -> Surface {
    let (_, template, _) = stacks.iter().find(|(s, _, _)| s == id).unwrap();
    audit_template(template).unwrap()
}

#[test]
fn each_stack_matches_its_declared_surface_and_the_rules_find_nothing() {
    for (id, template, declared) in stacks() {
        let surface = audit_template(&template).unwrap();
        let d = diff(&surface, &declared);
        assert!(d.is_empty(), "{id}: {d:#?}");
        let findings = check(&template, Some(&declared)).unwrap();
        assert!(!fail_on(&findings, Severity::Info), "{id}: {findings:#?}");
        // every resource is analyzed, nothing is left unresolved
        assert!(
            surface.not_analyzed.is_empty(),
            "{id}: {:#?}",
            surface.not_analyzed
        );
        assert!(surface.gaps.is_empty(), "{id}: {:#?}", surface.gaps);
        assert!(surface.public_resources.is_empty(), "{id}");
        assert!(surface.load_balancers.is_empty() && surface.open_ingress.is_empty());
        assert!(surface.public_ips.is_empty(), "{id}");
    }
}

#[test]
fn the_api_exposes_its_two_routes_to_their_functions_and_the_data_nothing() {
    let stacks = stacks();
    let api = surface_of(&stacks, "PeopleApi");
    // GET public as in the main app, POST signed (IAM); each to its own function
    let routes: Vec<String> = api
        .routes
        .iter()
        .map(|r| {
            let function = match &r.integration {
                Integration::Lambda { function, .. } => function.clone().unwrap_or_default(),
                other => format!("{other:?}"),
            };
            format!(
                "{} {} {} {} -> {function}",
                r.stage.as_deref().unwrap_or("-"),
                r.method,
                r.path,
                r.authorization
            )
        })
        .collect();
    assert_eq!(
        routes,
        [
            "v1 GET /{person}/{firstname} NONE -> ReaderFunction",
            "v1 POST /{person}/{firstname} AWS_IAM -> EnqueueFunction",
        ]
    );
    let data = surface_of(&stacks, "PeopleData");
    assert!(data.routes.is_empty() && data.exposures().is_empty());
    // the audit sees every data store, each encrypted and (the buckets) private
    let stores: Vec<(&str, &str)> = data
        .data
        .iter()
        .map(|d| (d.resource.as_str(), d.resource_type.as_str()))
        .collect();
    assert_eq!(
        stores,
        [
            ("AccessLogsBucket", "AWS::S3::Bucket"),
            ("AuditBucket", "AWS::S3::Bucket"),
            ("NightlyFailedQueue", "AWS::SQS::Queue"),
            ("PeopleTable", "AWS::DynamoDB::Table"),
            ("WritesFailedQueue", "AWS::SQS::Queue"),
            ("WritesQueue", "AWS::SQS::Queue"),
        ]
    );
    for d in &data.data {
        assert!(
            !d.encryption.is_empty() && !d.encryption.starts_with("none"),
            "{d:?}"
        );
        if d.resource_type == "AWS::S3::Bucket" {
            assert_eq!(d.public_access, "public access blocked", "{d:?}");
        }
    }
}
