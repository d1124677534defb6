//! The blog post's ingress, rebuilt: an internal NLB in two private subnets, a TCP 80 target
//! group health-checked over HTTP on `/`, a listener on 80, a VPC link, and a REST API that
//! exposes exactly `GET /{person}/{firstname}` in stage `v1`. The template passes cfn-lint with
//! no findings, and its JSON says what the architecture needs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cloudwright_core::App;
use cloudwright_core::assertions::{Match, Template};
use cloudwright_ingress::{InternalNlb, Method, PublicApi, Route};
use cloudwright_network::SubnetGroup;
use cloudwright_tests::{assert_lint_clean, assert_lint_clean_informational};

fn synth() -> (String, Template, Vec<cloudwright_ingress::ExposedRoute>) {
    let app = App::new();
    let mut stack = app.stack("PersonIdentifier").unwrap();
    let nlb = stack
        .construct(
            "Ingress",
            InternalNlb::new(
                &SubnetGroup::imported(
                    "vpc-0a1b2c3d",
                    [
                        ("subnet-0aaaaaaaaaaaaaaaa", "10.0.1.0/24"),
                        ("subnet-0bbbbbbbbbbbbbbbb", "10.0.2.0/24"),
                    ],
                ),
                80,
            ),
        )
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
    let (lb_id, lb) = t
        .single_resource("AWS::ElasticLoadBalancingV2::LoadBalancer")
        .unwrap();
    let p = &lb["Properties"];
    assert_eq!(p["Scheme"], "internal");
    assert_eq!(p["Type"], "network");
    assert_eq!(
        p["Subnets"],
        serde_json::json!(["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"])
    );

    let (tg_id, tg) = t
        .single_resource("AWS::ElasticLoadBalancingV2::TargetGroup")
        .unwrap();
    let p = &tg["Properties"];
    assert_eq!(p["Protocol"], "TCP");
    assert_eq!(p["Port"], 80);
    assert_eq!(p["TargetType"], "ip");
    assert_eq!(p["VpcId"], "vpc-0a1b2c3d");
    assert_eq!(p["HealthCheckProtocol"], "HTTP");
    assert_eq!(p["HealthCheckPath"], "/");
    assert!(
        p.get("Name").is_none(),
        "no physical name: two stacks must coexist"
    );

    let (_, listener) = t
        .single_resource("AWS::ElasticLoadBalancingV2::Listener")
        .unwrap();
    let p = &listener["Properties"];
    assert_eq!(p["Port"], 80);
    assert_eq!(p["Protocol"], "TCP");
    assert_eq!(p["LoadBalancerArn"]["Ref"], lb_id);
    assert_eq!(p["DefaultActions"][0]["TargetGroupArn"]["Ref"], tg_id);

    let out = &t.json()["Outputs"]["IngressDnsName"];
    assert_eq!(
        out["Value"]["Fn::GetAtt"],
        serde_json::json!([lb_id, "DNSName"])
    );
    assert_eq!(
        out["Export"]["Name"]["Fn::Sub"],
        "${AWS::StackName}-IngressLoadBalancerDnsName"
    );
    assert_eq!(t.json()["Outputs"]["IngressArn"]["Value"]["Ref"], lb_id);
}

#[test]
fn the_api_exposes_exactly_one_route_through_the_vpc_link() {
    let (_, t, routes) = synth();
    let (lb_id, _) = t
        .single_resource("AWS::ElasticLoadBalancingV2::LoadBalancer")
        .unwrap();
    let (link_id, link) = t.single_resource("AWS::ApiGateway::VpcLink").unwrap();
    assert_eq!(
        link["Properties"]["TargetArns"],
        serde_json::json!([{ "Ref": lb_id }])
    );

    let (api_id, api) = t.single_resource("AWS::ApiGateway::RestApi").unwrap();
    let body = &api["Properties"]["Body"];
    assert_eq!(body["openapi"], "3.0.1");
    assert_eq!(body["info"]["title"], "person-identifier");
    assert!(body["info"]["version"].is_string());
    let paths = body["paths"].as_object().unwrap();
    assert_eq!(paths.len(), 1, "exactly one path");
    let item = paths["/{person}/{firstname}"].as_object().unwrap();
    assert_eq!(
        item.keys().collect::<Vec<_>>(),
        ["get"],
        "exactly one method"
    );
    assert!(
        !serde_json::to_string(body)
            .unwrap()
            .contains("x-amazon-apigateway-any-method"),
        "no ANY"
    );

    let op = &item["get"];
    let params = op["parameters"].as_array().unwrap();
    for (param, name) in params.iter().zip(["person", "firstname"]) {
        assert_eq!(param["name"], name);
        assert_eq!(param["in"], "path");
        assert_eq!(param["required"], true);
    }
    assert_eq!(params.len(), 2);
    assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()));

    let i = &op["x-amazon-apigateway-integration"];
    assert_eq!(i["type"], "http_proxy");
    assert_eq!(i["connectionType"], "VPC_LINK");
    // the link and the load balancer are stage variables: replacing them updates the stage
    assert_eq!(i["connectionId"], "${stageVariables.vpcLinkId}");
    assert_eq!(i["httpMethod"], "GET");
    assert_eq!(
        i["uri"],
        "http://${stageVariables.loadBalancerDns}:80/{person}/{firstname}"
    );
    assert_eq!(
        i["requestParameters"],
        serde_json::json!({
            "integration.request.path.person": "method.request.path.person",
            "integration.request.path.firstname": "method.request.path.firstname",
        })
    );

    let (dep_id, dep) = t.single_resource("AWS::ApiGateway::Deployment").unwrap();
    assert!(dep_id.starts_with("ApiDeployment") && dep_id.len() == "ApiDeployment".len() + 8);
    assert_eq!(dep["Properties"]["RestApiId"]["Ref"], api_id);
    let (_, stage) = t.single_resource("AWS::ApiGateway::Stage").unwrap();
    assert_eq!(stage["Properties"]["StageName"], "v1");
    assert_eq!(stage["Properties"]["DeploymentId"]["Ref"], dep_id);
    assert_eq!(stage["Properties"]["RestApiId"]["Ref"], api_id);
    assert_eq!(
        stage["Properties"]["Variables"],
        serde_json::json!({
            "vpcLinkId": { "Ref": link_id },
            "loadBalancerDns": { "Fn::GetAtt": [lb_id, "DNSName"] },
        })
    );

    // no base path mapping or domain without a custom domain, no redundant DependsOn
    assert!(
        t.find_resources("AWS::ApiGateway::BasePathMapping", Match::any_value())
            .is_empty()
    );
    assert!(
        t.find_resources("AWS::ApiGateway::DomainName", Match::any_value())
            .is_empty()
    );
    // the one DependsOn: the stage waits for the account's CloudWatch role (nothing refers to it)
    for (id, r) in t.json()["Resources"].as_object().unwrap() {
        if id == "ApiStage" {
            assert_eq!(r["DependsOn"], serde_json::json!(["ApiCloudWatchAccount"]));
        } else {
            assert!(r.get("DependsOn").is_none(), "{id} has a DependsOn");
        }
    }

    assert_eq!(
        t.json()["Outputs"]["ApiUrl"]["Value"]["Fn::Sub"][0],
        "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/v1/"
    );
    assert_eq!(t.json()["Outputs"]["ApiRestApiId"]["Value"]["Ref"], api_id);

    assert_eq!(routes.len(), 1);
    assert_eq!(routes[0].method, Method::Get);
    assert_eq!(routes[0].path, "/{person}/{firstname}");
    assert_eq!(routes[0].stage, "v1");
    assert_eq!(routes[0].target_port, 80);
    assert_eq!(routes[0].invoke_path(), "/v1/{person}/{firstname}");
}
