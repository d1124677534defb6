//! The audit of the synthesized flask-api template: exactly one public route,
//! `GET /{person}/{firstname}` on stage `v1`, reaching the internal NLB on port 80 (which
//! forwards to the containers' unprivileged port 8080), and nothing
//! else public but NAT gateway egress; the bundled policy rules find nothing; the declared
//! surface matches exactly.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use cloudwright_audit::{Declaration, Integration, Kind, Severity, audit_template, check, diff};
use cloudwright_tests::{flask_api_template, workspace_root};

fn flask_api() -> serde_json::Value {
    serde_json::from_str(&flask_api_template()).unwrap()
}

#[test]
fn exactly_one_public_route_reaching_the_nlb_on_port_80() {
    let surface = audit_template(&flask_api()).unwrap();
    assert_eq!(surface.routes.len(), 1, "{:#?}", surface.routes);
    let route = &surface.routes[0];
    assert_eq!(route.method, "GET");
    assert_eq!(route.path, "/{person}/{firstname}");
    assert_eq!(route.stage.as_deref(), Some("v1"));
    let Integration::VpcLink {
        load_balancer,
        internal,
        listener_port,
        target_group_port,
        ..
    } = &route.integration
    else {
        panic!("not through a VPC link: {:?}", route.integration);
    };
    assert_eq!(load_balancer.as_deref(), Some("IngressLoadBalancer"));
    assert_eq!(*internal, Some(true));
    assert_eq!(*listener_port, Some(80));
    assert_eq!(*target_group_port, Some(8080));

    // nothing else public, except the NAT gateways' egress
    assert!(surface.load_balancers.is_empty());
    assert!(surface.open_ingress.is_empty());
    let others: Vec<_> = surface
        .exposures()
        .into_iter()
        .filter(|e| e.kind != Kind::Route && e.kind != Kind::NatGateway)
        .collect();
    assert!(others.is_empty(), "{others:#?}");
    assert_eq!(
        surface
            .exposures()
            .iter()
            .filter(|e| e.kind == Kind::NatGateway)
            .count(),
        2
    );
    assert!(
        surface.not_analyzed.is_empty(),
        "{:?}",
        surface.not_analyzed
    );
}

#[test]
fn the_declared_surface_matches_and_the_rules_find_nothing() {
    let t = flask_api();
    let surface = audit_template(&t).unwrap();
    let declared: Declaration = Declaration::from_json(
        &std::fs::read_to_string(workspace_root().join("apps/flask-api/surface.json")).unwrap(),
    )
    .unwrap();
    let d = diff(&surface, &declared);
    assert!(d.is_empty(), "{d:#?}");
    let findings = check(&t, Some(&declared)).unwrap();
    assert!(
        !cloudwright_audit::fail_on(&findings, Severity::Info),
        "{findings:#?}"
    );
}
