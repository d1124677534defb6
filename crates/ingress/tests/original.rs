//! The blog post's ingress, rebuilt: an internal NLB in two private subnets, a TCP 80 target
//! group health-checked over HTTP on `/`, a listener on 80, a VPC link, and a REST API that
//! exposes exactly `GET /{person}/{firstname}` in stage `v1`. The template passes cfn-lint with
//! no findings, and its JSON says what the architecture needs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cloudwright_core::App;
use cloudwright_core::assertions::{Match, Template};
use cloudwright_ingress::{Authorization, InternalNlb, Method, PublicApi, Route};
use cloudwright_tests::{assert_lint_clean, assert_lint_clean_informational};
use common::{logical_ids, nested};
use serde_json::json;

fn synth() -> (String, Template, Vec<cloudwright_ingress::ExposedRoute>) {
    let app = App::new();
    let mut stack = app.stack("PersonIdentifier").unwrap();
    let nlb = stack
        .construct("Ingress", InternalNlb::new(&common::private_subnets(), 80))
        .unwrap();
    let api = stack
        .construct(
            "Api",
            PublicApi::new("person-identifier", &nlb)
                .route(Route::get("/{person}/{firstname}").public()),
        )
        .unwrap();
    let routes = api.exposed_routes();
    let assembly = app.synth().unwrap();
    let template = assembly.stacks[0].template.clone();
    let json = Template::parse(&template).unwrap();
    (template, json, routes)
}

#[test]
fn the_original_ingress_is_lint_clean() {
    let (template, _, _) = synth();
    assert_lint_clean("original-ingress", &template);
    assert_lint_clean_informational("original-ingress", &template);
}

#[test]
fn the_load_balancer_is_internal_in_both_private_subnets() {
    let (_, t, _) = synth();
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        json!({
            "Scheme": "internal",
            "Type": "network",
            "Subnets": ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]
        }),
    )
    .unwrap();
    let (lb_id, _) = t
        .single_resource("AWS::ElasticLoadBalancingV2::LoadBalancer")
        .unwrap();
    let (tg_id, _) = t
        .single_resource("AWS::ElasticLoadBalancingV2::TargetGroup")
        .unwrap();
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        Match::object_like([
            ("Protocol", Match::from("TCP")),
            ("Port", Match::from(json!(80))),
            ("TargetType", Match::from("ip")),
            ("VpcId", Match::from("vpc-0a1b2c3d")),
            ("HealthCheckProtocol", Match::from("HTTP")),
            ("HealthCheckPath", Match::from("/")),
            // no physical name: two stacks must coexist
            ("Name", Match::absent()),
        ]),
    )
    .unwrap();
    t.resource_count_is("AWS::ElasticLoadBalancingV2::Listener", 1)
        .unwrap();
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::Listener",
        json!({
            "Port": 80,
            "Protocol": "TCP",
            "LoadBalancerArn": {"Ref": lb_id},
            "DefaultActions": [{"TargetGroupArn": {"Ref": tg_id}}]
        }),
    )
    .unwrap();
    t.has_output(
        "IngressDnsName",
        json!({
            "Value": {"Fn::GetAtt": [lb_id, "DNSName"]},
            "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-IngressLoadBalancerDnsName"}}
        }),
    )
    .unwrap();
    t.has_output("IngressArn", json!({"Value": {"Ref": lb_id}}))
        .unwrap();
}

#[test]
fn the_api_exposes_exactly_one_route_through_the_vpc_link() {
    let (template, t, routes) = synth();
    let (lb_id, _) = t
        .single_resource("AWS::ElasticLoadBalancingV2::LoadBalancer")
        .unwrap();
    let (link_id, _) = t.single_resource("AWS::ApiGateway::VpcLink").unwrap();
    t.has_resource_properties(
        "AWS::ApiGateway::VpcLink",
        json!({"TargetArns": [{"Ref": lb_id}]}),
    )
    .unwrap();

    // exactly one path with exactly one method, GET, public, and no ANY
    let (api_id, _) = t.single_resource("AWS::ApiGateway::RestApi").unwrap();
    let param = |name: &str| json!({"name": name, "in": "path", "required": true});
    t.has_resource_properties(
        "AWS::ApiGateway::RestApi",
        nested(
            &["Body"],
            Match::object_like([
                ("openapi", Match::from("3.0.1")),
                ("info", Match::from(json!({"title": "person-identifier", "version": "1.0"}))),
                ("components", Match::absent()),
                (
                    "paths",
                    Match::object_equals([(
                        "/{person}/{firstname}",
                        Match::object_equals([(
                            "get",
                            Match::object_like([
                                ("security", Match::absent()),
                                (
                                    "parameters",
                                    Match::from(json!([param("person"), param("firstname")])),
                                ),
                                ("responses", Match::any_value()),
                                (
                                    "x-amazon-apigateway-integration",
                                    Match::object_like([
                                        ("type", Match::from("http_proxy")),
                                        ("connectionType", Match::from("VPC_LINK")),
                                        // the link and the load balancer are stage variables:
                                        // replacing them updates the stage
                                        ("connectionId", Match::from("${stageVariables.vpcLinkId}")),
                                        ("httpMethod", Match::from("GET")),
                                        (
                                            "uri",
                                            Match::from("http://${stageVariables.loadBalancerDns}:80/{person}/{firstname}"),
                                        ),
                                        (
                                            "requestParameters",
                                            Match::exact(json!({
                                                "integration.request.path.person": "method.request.path.person",
                                                "integration.request.path.firstname": "method.request.path.firstname",
                                            })),
                                        ),
                                    ]),
                                ),
                            ]),
                        )]),
                    )]),
                ),
            ]),
        ),
    )
    .unwrap();
    assert!(
        !template.contains("x-amazon-apigateway-any-method"),
        "no ANY"
    );
    assert_eq!(routes[0].authorization, Authorization::None);

    let (dep_id, _) = t.single_resource("AWS::ApiGateway::Deployment").unwrap();
    assert!(dep_id.starts_with("ApiDeployment") && dep_id.len() == "ApiDeployment".len() + 8);
    t.has_resource_properties(
        "AWS::ApiGateway::Deployment",
        json!({"RestApiId": {"Ref": api_id}}),
    )
    .unwrap();
    t.has_resource_properties(
        "AWS::ApiGateway::Stage",
        Match::object_like([
            ("StageName", Match::from("v1")),
            ("DeploymentId", Match::from(json!({"Ref": dep_id}))),
            ("RestApiId", Match::from(json!({"Ref": api_id}))),
            (
                "Variables",
                Match::exact(json!({
                    "vpcLinkId": {"Ref": link_id},
                    "loadBalancerDns": {"Fn::GetAtt": [lb_id, "DNSName"]},
                })),
            ),
        ]),
    )
    .unwrap();

    // no base path mapping or domain without a custom domain, no redundant DependsOn
    t.resource_count_is("AWS::ApiGateway::BasePathMapping", 0)
        .unwrap();
    t.resource_count_is("AWS::ApiGateway::DomainName", 0)
        .unwrap();
    // the one DependsOn: the stage waits for the account's CloudWatch role (nothing refers to it)
    t.has_resource(
        "AWS::ApiGateway::Stage",
        json!({"DependsOn": ["ApiCloudWatchAccount"]}),
    )
    .unwrap();
    let no_depends_on = Match::object_like([("DependsOn", Match::absent())]);
    for id in logical_ids(&t) {
        if id != "ApiStage" {
            assert!(
                no_depends_on.matches(t.resource(&id).unwrap()),
                "{id} has a DependsOn"
            );
        }
    }

    t.has_output(
        "ApiUrl",
        json!({"Value": {"Fn::Sub": [
            "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/v1/",
            {"Api": {"Ref": api_id}}
        ]}}),
    )
    .unwrap();
    t.has_output("ApiRestApiId", json!({"Value": {"Ref": api_id}}))
        .unwrap();

    assert_eq!(routes.len(), 1);
    assert_eq!(routes[0].method, Method::Get);
    assert_eq!(routes[0].path, "/{person}/{firstname}");
    assert_eq!(routes[0].stage, "v1");
    assert_eq!(routes[0].target_port, 80);
    assert_eq!(routes[0].invoke_path(), "/v1/{person}/{firstname}");
}
