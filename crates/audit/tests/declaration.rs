#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The declared surface and the diff against the actual one.

use cloudwright_audit::{
    Declaration, DeclaredKind, Error, Kind, SurfaceDiff, audit, audit_template, audit_template_str,
    diff, render_diff, to_json,
};
use serde_json::{Value, json};

const FLASK_API: &str = include_str!("templates/flask_api.json");

const FLASK_DECLARATION: &str = r#"{
  "routes": [{"method": "GET", "path": "/{person}/{firstname}", "stage": "v1"}],
  "publicLoadBalancers": [],
  "openIngress": [],
  "allowNatGateways": true
}"#;

#[test]
fn exact_match_passes() {
    let s = audit_template_str(FLASK_API).unwrap();
    let d = diff(&s, &Declaration::from_json(FLASK_DECLARATION).unwrap());
    assert!(d.is_empty(), "{d:?}");
    assert!(d.widens().is_empty());
    assert_eq!(render_diff(&d), "The surface matches the declaration.\n");
}

#[test]
fn nat_gateways_must_be_allowed() {
    let s = audit_template_str(FLASK_API).unwrap();
    let d = diff(
        &s,
        &Declaration::from_json(
            r#"{"routes": [{"method": "GET", "path": "/{person}/{firstname}/"}]}"#,
        )
        .unwrap(),
    );
    let widened: Vec<(Kind, &str)> = d
        .widens()
        .iter()
        .map(|e| (e.kind, e.resource.as_str()))
        .collect();
    assert_eq!(
        widened,
        vec![
            (Kind::NatGateway, "NetworkNat1"),
            (Kind::NatGateway, "NetworkNat2")
        ]
    );
    assert!(
        d.missing.is_empty(),
        "a route without a stage and a trailing slash still matches"
    );
}

/// The flask template with one more route: the internal endpoint, exposed by mistake.
fn widened_template() -> Value {
    let mut t: Value = serde_json::from_str(FLASK_API).unwrap();
    let paths = t["Resources"]["IngressApi"]["Properties"]["Body"]["paths"]
        .as_object_mut()
        .unwrap();
    paths.insert(
        "/internal/people".into(),
        json!({"get": {"x-amazon-apigateway-integration": {
            "type": "http_proxy", "connectionType": "VPC_LINK", "connectionId": {"Ref": "IngressVpcLink"},
            "httpMethod": "GET", "uri": {"Fn::Sub": "http://${IngressLoadBalancer.DNSName}/internal/people"}}}}),
    );
    t
}

#[test]
fn widening_is_detected() {
    let declared = Declaration::from_json(FLASK_DECLARATION).unwrap();
    let report = audit(&widened_template(), Some(&declared)).unwrap();
    let d = report.diff.unwrap();
    assert!(!d.is_empty());
    assert_eq!(d.widens().len(), 1);
    assert_eq!(d.widens()[0].kind, Kind::Route);
    assert_eq!(
        d.widens()[0].summary,
        "GET /internal/people (stage v1) on IngressApi"
    );
    assert!(d.missing.is_empty());
    assert!(
        render_diff(&d)
            .contains("  + GET /internal/people (stage v1) on IngressApi (exposed, not declared)")
    );
}

#[test]
fn declared_but_not_exposed() {
    let s = audit_template_str(FLASK_API).unwrap();
    let declared = Declaration::from_json(
        r#"{"routes": [{"method": "GET", "path": "/{person}/{firstname}", "stage": "v2"},
                       {"method": "ANY", "path": "/{person}/{firstname}", "stage": "v1"}],
            "publicLoadBalancers": [{"resource": "Alb", "ports": [443]}],
            "openIngress": [{"protocol": "tcp", "port": 443}],
            "publicIps": ["Bastion"],
            "allowNatGateways": true}"#,
    )
    .unwrap();
    let d = diff(&s, &declared);
    assert!(d.widens().is_empty(), "ANY covers GET: {:?}", d.widened);
    let missing: Vec<(DeclaredKind, &str)> = d
        .missing
        .iter()
        .map(|m| (m.kind, m.declared.as_str()))
        .collect();
    assert_eq!(
        missing,
        vec![
            (DeclaredKind::Route, "GET /{person}/{firstname} (stage v2)"),
            (DeclaredKind::LoadBalancer, "load balancer Alb on port 443"),
            (DeclaredKind::OpenIngress, "tcp port 443"),
            (DeclaredKind::PublicIp, "public IP on Bastion"),
        ]
    );
    assert!(!d.is_empty());
    assert!(render_diff(&d).contains("  - load balancer Alb on port 443 (declared, not exposed)"));
}

#[test]
fn load_balancer_ports_and_ingress_are_matched_precisely() {
    let t = json!({"Resources": {
        "Alb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"SecurityGroups": [{"Ref": "AlbSg"}]}},
        "AlbSg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "alb", "SecurityGroupIngress": [
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"},
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0"}]}},
        "Https": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"LoadBalancerArn": {"Ref": "Alb"}, "Port": 443, "Protocol": "HTTPS"}},
        "Http": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"LoadBalancerArn": {"Ref": "Alb"}, "Port": 80, "Protocol": "HTTP"}}
    }});
    let s = audit_template(&t).unwrap();
    let declared = Declaration::from_json(
        r#"{"publicLoadBalancers": [{"resource": "Alb", "ports": [443]}],
            "openIngress": [{"securityGroup": "AlbSg", "protocol": "6", "fromPort": 443, "toPort": 443, "cidr": "0.0.0.0/0"}]}"#,
    )
    .unwrap();
    let d = diff(&s, &declared);
    let widened: Vec<(Kind, &str)> = d
        .widens()
        .iter()
        .map(|e| (e.kind, e.resource.as_str()))
        .collect();
    assert_eq!(
        widened,
        vec![(Kind::LoadBalancer, "Http"), (Kind::OpenIngress, "AlbSg")]
    );
    assert_eq!(
        d.widens()[0].summary,
        "application load balancer Alb listening on HTTP :80"
    );
    assert_eq!(
        d.widens()[1].summary,
        "tcp 80 from 0.0.0.0/0 into AlbSg (AlbSg.SecurityGroupIngress[1])"
    );
    assert!(d.missing.is_empty());

    let all = Declaration::from_json(
        r#"{"publicLoadBalancers": ["Alb"], "openIngress": [{"securityGroup": "AlbSg"}]}"#,
    )
    .unwrap();
    assert!(diff(&s, &all).is_empty());
}

#[test]
fn declarations_are_strict() {
    assert!(matches!(
        Declaration::from_json(r#"{"route": []}"#),
        Err(Error::Declaration(_))
    ));
    assert!(matches!(
        Declaration::from_json(r#"{"routes": [{"path": "/x"}]}"#),
        Err(Error::Declaration(_))
    ));
    let empty = Declaration::from_json("{}").unwrap();
    assert_eq!(empty, Declaration::default());
    let v = json!({"routes": [{"method": "GET", "path": "/"}], "allowNatGateways": true});
    let d = Declaration::from_value(&v).unwrap();
    assert_eq!(Declaration::from_json(&to_json(&d).unwrap()).unwrap(), d);
}

#[test]
fn diff_json_round_trips_and_carries_warnings() {
    let t = json!({"Resources": {
        "Thing": {"Type": "AWS::Foo::Bar"},
        "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Scheme": {"Ref": "P"}}}
    }});
    let d = diff(&audit_template(&t).unwrap(), &Declaration::default());
    assert_eq!(d.widens().len(), 1);
    assert_eq!(d.not_analyzed.len(), 1);
    assert_eq!(d.gaps.len(), 1);
    let back: SurfaceDiff = serde_json::from_str(&to_json(&d).unwrap()).unwrap();
    assert_eq!(back, d);
    let v: Value = serde_json::from_str(&to_json(&d).unwrap()).unwrap();
    assert_eq!(v["widened"][0]["kind"], "loadBalancer");
    assert!(render_diff(&d).contains("warning: 1 unresolved item and 1 resource not analyzed"));
}
