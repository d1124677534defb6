//! `PublicApi` and `InternalNlb` beyond the original: the deployment id follows the body and
//! nothing else, custom domains, options, errors, and several instances side by side.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use cloudwright_core::assertions::{Match, Template};
use cloudwright_core::{App, StackProps, Value};
use cloudwright_ingress::{
    AccessLog, ApiTarget, Authorization, CustomDomain, DEFAULT_ACCESS_LOG_FORMAT, EndpointType,
    Error, HealthCheck, InternalNlb, Method, PublicApi, Route,
};
use cloudwright_network::SubnetGroup;
use cloudwright_resources::RetentionDays;
use cloudwright_tests::assert_lint_clean;
use common::{ingress_error as construct_error, logical_ids, nested, private_subnets as private};
use serde_json::json;

fn nlb() -> InternalNlb {
    InternalNlb::new(&private(), 80)
}

fn api_target() -> ApiTarget {
    ApiTarget {
        load_balancer_arn: Value::r#ref("IngressLoadBalancer"),
        dns_name: Value::get_att("IngressLoadBalancer", "DNSName"),
        load_balancer_port: 80,
        target_port: 80,
    }
}

/// The original's API, aimed at the load balancer `synth` builds as `Ingress`.
fn api() -> PublicApi {
    PublicApi::new("person-identifier", api_target())
        .route(Route::get("/{person}/{firstname}").public())
}

/// Builds the load balancer and `api` into a stack (in `region`, if given).
fn synth_with(
    api: PublicApi,
    region: Option<&str>,
) -> Result<(String, Template), cloudwright_core::Error> {
    let app = App::new();
    let mut stack = app.stack_with(
        "People",
        match region {
            Some(r) => StackProps::new().region(r),
            None => StackProps::new(),
        },
    )?;
    stack.construct("Ingress", nlb())?;
    stack.construct("Api", api)?;
    let template = app.synth()?.stacks[0].template.clone();
    let parsed = Template::parse(&template).unwrap();
    Ok((template, parsed))
}

fn synth(api: PublicApi) -> (String, Template) {
    synth_with(api, None).unwrap()
}

/// The logical id of the one deployment.
fn deployment_id(t: &Template) -> String {
    t.single_resource("AWS::ApiGateway::Deployment")
        .unwrap()
        .0
        .to_owned()
}

/// The ids of every resource, with the deployment's id replaced by a placeholder.
fn ids_except_deployment(t: &Template) -> Vec<String> {
    let dep = deployment_id(t);
    logical_ids(t)
        .into_iter()
        .map(|k| if k == dep { "<deployment>".into() } else { k })
        .collect()
}

/// The pattern of a REST API whose body has `method` on `path` integrated with `integration`.
fn operation(path: &str, method: &str, integration: serde_json::Value) -> Match {
    nested(
        &[
            "Body",
            "paths",
            path,
            method,
            "x-amazon-apigateway-integration",
        ],
        Match::from(integration),
    )
}

#[test]
fn a_change_of_routes_changes_the_deployment_id_and_nothing_else() {
    let (_, base) = synth(api());
    let base_id = deployment_id(&base);

    for changed in [
        api().route(Route::get("/people").public()),
        api().route(Route::post("/{person}/{firstname}").public()),
        api().integration_header("X-Public-Request", "1"),
        api().version("2.0"),
        PublicApi::new("person-identifier", api_target())
            .route(Route::get("/{person}/{name}").public()),
        // who may call a route is part of the body too
        PublicApi::new("person-identifier", api_target())
            .route(Route::get("/{person}/{firstname}").authorized(Authorization::Iam)),
    ] {
        let (_, t) = synth(changed);
        assert_ne!(deployment_id(&t), base_id);
        // only the deployment's id differs
        assert_eq!(ids_except_deployment(&t), ids_except_deployment(&base));
    }

    for same in [
        api().stage_name("prod"),
        api().throttling(10.0, 20),
        api().throttling(1000.0, 2000),
        api().tracing(false),
        api().metrics(false),
        api().without_throttling(),
        api().without_access_log(),
        api().endpoint_type(EndpointType::Regional),
        api().description("The people API"),
        api().access_log(AccessLog::new_log_group(RetentionDays::OneMonth)),
        api().domain(CustomDomain::new(
            "api.example.com",
            "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        )),
    ] {
        let (_, t) = synth(same);
        assert_eq!(deployment_id(&t), base_id);
    }
    // declaring the same routes in another order is the same body
    let (_, a) = synth(
        api()
            .route(Route::get("/a").public())
            .route(Route::get("/b").public()),
    );
    let (_, b) = synth(
        api()
            .route(Route::get("/b").public())
            .route(Route::get("/a").public()),
    );
    assert_eq!(deployment_id(&a), deployment_id(&b));
}

#[test]
fn stage_settings_land_on_the_stage() {
    let (template, t) = synth(
        api()
            .stage_name("prod")
            .throttling(50.0, 100)
            .tracing(true)
            .access_log(AccessLog::new_log_group(RetentionDays::OneMonth)),
    );
    assert_lint_clean("api-stage-settings", &template);
    t.has_resource_properties(
        "AWS::ApiGateway::Stage",
        json!({
            "StageName": "prod",
            "TracingEnabled": true,
            "MethodSettings": [{
                "HttpMethod": "*", "ResourcePath": "/*",
                "ThrottlingRateLimit": 50.0, "ThrottlingBurstLimit": 100
            }],
            "AccessLogSetting": {
                "DestinationArn": {"Fn::GetAtt": ["ApiAccessLogs", "Arn"]},
                "Format": DEFAULT_ACCESS_LOG_FORMAT
            }
        }),
    )
    .unwrap();
    t.has_resource_properties("AWS::Logs::LogGroup", json!({"RetentionInDays": 30}))
        .unwrap();
    t.has_output(
        "ApiUrl",
        json!({"Value": {"Fn::Sub": [
            "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/prod/",
            {"Api": {"Ref": "ApiRestApi"}}
        ]}}),
    )
    .unwrap();
}

#[test]
fn a_custom_domain_adds_a_domain_name_and_a_base_path_mapping() {
    let (_, without) = synth(api());
    for ty in [
        "AWS::ApiGateway::DomainName",
        "AWS::ApiGateway::BasePathMapping",
        "AWS::CertificateManager::Certificate",
    ] {
        without.resource_count_is(ty, 0).unwrap();
    }

    // an existing certificate, EDGE
    let (template, t) = synth(api().domain(CustomDomain::new(
        "api.example.com",
        "arn:aws:acm:us-east-1:123456789012:certificate/abc",
    )));
    assert_lint_clean("api-domain-edge", &template);
    t.has_resource_properties(
        "AWS::ApiGateway::DomainName",
        json!({
            "DomainName": "api.example.com",
            "CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
            "EndpointConfiguration": {"Types": ["EDGE"]}
        }),
    )
    .unwrap();
    t.has_resource_properties(
        "AWS::ApiGateway::BasePathMapping",
        Match::object_like([
            ("DomainName", Match::from(json!({"Ref": "ApiDomainName"}))),
            ("RestApiId", Match::from(json!({"Ref": "ApiRestApi"}))),
            ("Stage", Match::from(json!({"Ref": "ApiStage"}))),
            ("BasePath", Match::absent()),
        ]),
    )
    .unwrap();
    t.has_output(
        "ApiDomainTarget",
        json!({"Value": {"Fn::GetAtt": ["ApiDomainName", "DistributionDomainName"]}}),
    )
    .unwrap();
    // the only DependsOn: the stage waits for the account's CloudWatch role
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

    // a new DNS-validated certificate, REGIONAL, under a base path
    let (template, t) = synth_with(
        api().endpoint_type(EndpointType::Regional).domain(
            CustomDomain::with_new_certificate("api.example.com")
                .hosted_zone_id("Z0123456789ABCDEFGHIJ")
                .base_path("people"),
        ),
        Some("eu-west-1"),
    )
    .unwrap();
    assert_lint_clean("api-domain-regional", &template);
    t.has_resource_properties(
        "AWS::CertificateManager::Certificate",
        json!({
            "DomainName": "api.example.com",
            "ValidationMethod": "DNS",
            "DomainValidationOptions": [{"HostedZoneId": "Z0123456789ABCDEFGHIJ"}]
        }),
    )
    .unwrap();
    t.has_resource_properties(
        "AWS::ApiGateway::DomainName",
        Match::object_like([
            (
                "RegionalCertificateArn",
                Match::from(json!({"Ref": "ApiCertificate"})),
            ),
            ("CertificateArn", Match::absent()),
            (
                "EndpointConfiguration",
                Match::from(json!({"Types": ["REGIONAL"]})),
            ),
        ]),
    )
    .unwrap();
    t.has_resource_properties(
        "AWS::ApiGateway::RestApi",
        json!({"EndpointConfiguration": {"Types": ["REGIONAL"]}}),
    )
    .unwrap();
    t.has_resource_properties(
        "AWS::ApiGateway::BasePathMapping",
        json!({"BasePath": "people"}),
    )
    .unwrap();
}

#[test]
fn a_new_edge_certificate_outside_us_east_1_is_an_error() {
    let err = synth_with(
        api().domain(CustomDomain::with_new_certificate("api.example.com")),
        Some("eu-west-1"),
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("People/Api: "), "{err}");
    assert_eq!(
        construct_error(err),
        Error::EdgeCertificateRegion {
            region: "eu-west-1".into()
        }
    );
}

#[test]
fn nothing_undeclared_is_routed_unless_proxy_all_is_asked_for() {
    let (template, _) = synth(api());
    assert!(!template.contains("{proxy+}"));

    // proxy_all next to a root variable of another name cannot be built by API Gateway
    let err = synth_with(api().proxy_all(Authorization::None), None).unwrap_err();
    assert!(matches!(
        construct_error(err),
        Error::ConflictingParameters { .. }
    ));

    let app = App::new();
    let mut stack = app.stack("People").unwrap();
    let nlb = stack.construct("Ingress", nlb()).unwrap();
    let api = stack
        .construct(
            "Api",
            PublicApi::new("everything", &nlb)
                .route(Route::get("/health").public())
                .proxy_all(Authorization::Iam),
        )
        .unwrap();
    let exposed: Vec<_> = api
        .exposed_routes()
        .into_iter()
        .map(|r| (r.method, r.path, r.authorization))
        .collect();
    assert_eq!(
        exposed,
        [
            (Method::Get, "/health".to_owned(), Authorization::None),
            (Method::Any, "/{proxy+}".to_owned(), Authorization::Iam)
        ]
    );
    let template = app.synth().unwrap().stacks[0].template.clone();
    let t = Template::parse(&template).unwrap();
    t.has_resource_properties(
        "AWS::ApiGateway::RestApi",
        nested(
            &[
                "Body",
                "paths",
                "/{proxy+}",
                "x-amazon-apigateway-any-method",
            ],
            Match::from(json!({"security": [{"sigv4": []}]})),
        ),
    )
    .unwrap();
    assert_lint_clean("api-proxy-all", &template);
}

#[test]
fn the_integration_header_is_a_constant_mapping() {
    let (template, t) = synth(
        api().integration_header("X-Public-Request", "1").route(
            Route::get("/people")
                .public()
                .require_query("q")
                .require_header("X-Tenant"),
        ),
    );
    assert_lint_clean("api-integration-header", &template);
    for path in ["/{person}/{firstname}", "/people"] {
        t.has_resource_properties(
            "AWS::ApiGateway::RestApi",
            operation(
                path,
                "get",
                json!({"requestParameters": {"integration.request.header.X-Public-Request": "'1'"}}),
            ),
        )
        .unwrap();
    }
    t.has_resource_properties(
        "AWS::ApiGateway::RestApi",
        nested(
            &["Body", "paths", "/people", "get"],
            Match::from(json!({"x-amazon-apigateway-request-validator": "params-only"})),
        ),
    )
    .unwrap();

    // a route may not ask callers for the header the API sets itself
    let err = synth_with(
        api()
            .integration_header("X-Public-Request", "1")
            .route(Route::get("/x").public().require_header("x-public-request")),
        None,
    )
    .unwrap_err();
    assert!(matches!(construct_error(err), Error::HeaderConflict { .. }));
    let err = synth_with(api().integration_header("X-Public-Request", "it's"), None).unwrap_err();
    assert!(matches!(
        construct_error(err),
        Error::InvalidIntegrationHeader { .. }
    ));
}

#[test]
fn invalid_props_are_errors_not_panics() {
    type Check = fn(&Error) -> bool;
    let cases: Vec<(PublicApi, Check)> = vec![
        (PublicApi::new("empty", api_target()), |e| {
            matches!(e, Error::NoRoutes { .. })
        }),
        (api().route(Route::get("/a//b").public()), |e| {
            matches!(e, Error::EmptySegment { position: 3, .. })
        }),
        (
            api().route(Route::get("/{person}/{firstname}").public()),
            |e| matches!(e, Error::DuplicateRoute { .. }),
        ),
        (api().stage_name("v 1"), |e| {
            matches!(
                e,
                Error::InvalidSetting {
                    setting: "stage name",
                    ..
                }
            )
        }),
        (api().throttling(f64::NAN, 1), |e| {
            matches!(e, Error::OutOfRange { .. })
        }),
        (api().integration_timeout(Duration::from_secs(30)), |e| {
            matches!(e, Error::OutOfRange { .. })
        }),
        (
            api().access_log(
                AccessLog::new_log_group(RetentionDays::OneWeek).format("$context.status"),
            ),
            |e| matches!(e, Error::InvalidSetting { .. }),
        ),
        (
            api().domain(CustomDomain::new("localhost", "arn:aws:acm:x")),
            |e| {
                matches!(
                    e,
                    Error::InvalidSetting {
                        setting: "domain name",
                        ..
                    }
                )
            },
        ),
    ];
    for (api, check) in cases {
        let err = construct_error(synth_with(api, None).unwrap_err());
        assert!(check(&err), "unexpected {err:?}");
    }
    let route_err =
        construct_error(synth_with(api().route(Route::get("/a//b").public()), None).unwrap_err());
    assert_eq!(
        route_err.to_string(),
        "route `GET /a//b`: empty path segment at position 3 (two `/` in a row or a trailing `/`)"
    );

    let app = App::new();
    let mut stack = app.stack("People").unwrap();
    let err = stack
        .construct(
            "Ingress",
            InternalNlb::new(
                &SubnetGroup::imported("vpc", Vec::<(&str, &str)>::new()),
                80,
            ),
        )
        .unwrap_err();
    assert_eq!(construct_error(err), Error::NoSubnets);
    let err = stack
        .construct(
            "Ingress2",
            nlb().health_check(
                HealthCheck::http("/")
                    .interval(Duration::from_secs(5))
                    .timeout(Duration::from_secs(6)),
            ),
        )
        .unwrap_err();
    assert!(matches!(construct_error(err), Error::OutOfRange { .. }));
}

#[test]
fn load_balancer_options_and_extra_ports() {
    let app = App::new();
    let mut stack = app.stack("People").unwrap();
    let out = stack
        .construct(
            "Ingress",
            InternalNlb::new(&private(), 8080)
                .listener_port(80)
                .additional_port(9090, 9090)
                .health_check(
                    HealthCheck::http("/health")
                        .port(8081)
                        .interval(Duration::from_secs(120))
                        .timeout(Duration::from_secs(20))
                        .thresholds(2, 4)
                        .success_codes("200"),
                )
                .deregistration_delay(Duration::from_secs(30))
                .cross_zone(true)
                .security_groups(["sg-0123456789abcdef0"]),
        )
        .unwrap();
    assert_eq!(out.listener_port(), 80);
    assert_eq!(out.target_port(), 8080);
    assert_eq!(out.ports().count(), 2);
    assert_eq!(
        out.additional[0].listener.logical_id(),
        "IngressListener9090"
    );
    assert_eq!(out.target_group().logical_id(), "IngressTargetGroup");
    // a service depends on the listener; the API reaches the listener port
    let api = stack
        .construct(
            "Api",
            PublicApi::new("people", &out).route(Route::get("/people").public()),
        )
        .unwrap();
    assert_eq!(api.exposed_routes()[0].load_balancer_port, 80);
    assert_eq!(api.exposed_routes()[0].target_port, 8080);
    let metrics = stack
        .construct(
            "MetricsApi",
            PublicApi::new("metrics", ApiTarget::for_port(&out, &out.additional[0]))
                .route(Route::get("/metrics").public()),
        )
        .unwrap();
    assert_eq!(metrics.exposed_routes()[0].load_balancer_port, 9090);

    let template = app.synth().unwrap().stacks[0].template.clone();
    assert_lint_clean("nlb-options", &template);
    let t = Template::parse(&template).unwrap();
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        json!({
            "LoadBalancerAttributes": [{"Key": "load_balancing.cross_zone.enabled", "Value": "true"}],
            "SecurityGroups": ["sg-0123456789abcdef0"],
            "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic": "off"
        }),
    )
    .unwrap();
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        json!({
            "Port": 8080,
            "HealthCheckPort": "8081",
            "HealthCheckIntervalSeconds": 120,
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 4,
            "Matcher": {"HttpCode": "200"},
            "TargetGroupAttributes": [
                {"Key": "preserve_client_ip.enabled", "Value": "false"},
                {"Key": "deregistration_delay.timeout_seconds", "Value": "30"}
            ]
        }),
    )
    .unwrap();
    t.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        json!({"Port": 9090}),
    )
    .unwrap();
    t.resource_count_is("AWS::ElasticLoadBalancingV2::Listener", 2)
        .unwrap();
    for port in [80, 9090] {
        t.has_resource_properties(
            "AWS::ElasticLoadBalancingV2::Listener",
            json!({"Port": port}),
        )
        .unwrap();
    }
    t.has_resource_properties(
        "AWS::ApiGateway::RestApi",
        operation(
            "/people",
            "get",
            json!({"uri": "http://${stageVariables.loadBalancerDns}:80/people"}),
        ),
    )
    .unwrap();
    t.has_resource_properties(
        "AWS::ApiGateway::RestApi",
        operation(
            "/metrics",
            "get",
            json!({"uri": "http://${stageVariables.loadBalancerDns}:9090/metrics"}),
        ),
    )
    .unwrap();
}

#[test]
fn two_ingresses_coexist_in_one_stack_and_across_stacks() {
    let app = App::new();
    let mut stack = app.stack("People").unwrap();
    for name in ["Public", "Partner"] {
        let nlb = stack.construct(&format!("{name}Nlb"), nlb()).unwrap();
        stack
            .construct(
                &format!("{name}Api"),
                PublicApi::new(name, &nlb).route(Route::get("/{person}/{firstname}").public()),
            )
            .unwrap();
    }
    let template = app.synth().unwrap().stacks[0].template.clone();
    assert_lint_clean("two-ingresses", &template);

    // the load balancer in one stack, the API in another: an export/import pair appears
    let app = App::new();
    let mut network = app.stack("Network").unwrap();
    let nlb = network.construct("Ingress", nlb()).unwrap();
    let mut edge = app.stack("Edge").unwrap();
    edge.construct(
        "Api",
        PublicApi::new("people", &nlb).route(Route::get("/{person}/{firstname}").public()),
    )
    .unwrap();
    let assembly = app.synth().unwrap();
    for s in &assembly.stacks {
        assert_lint_clean(&format!("split-{}", s.id), &s.template);
    }
    let edge = assembly.stacks.iter().find(|s| s.id == "Edge").unwrap();
    assert!(edge.template.contains("Fn::ImportValue"));
    assert_eq!(edge.dependencies, ["Network"]);
}

/// A load balancer listening on 8080 (primary) and 8081, built into a stack with `api`.
fn two_port_nlb() -> InternalNlb {
    InternalNlb::new(&private(), 8080).additional_port(8081, 9081)
}

#[test]
fn one_api_routes_to_two_ports_through_one_vpc_link() {
    let app = App::new();
    let mut stack = app.stack("Shop").unwrap();
    let nlb = stack.construct("Ingress", two_port_nlb()).unwrap();
    let api = stack
        .construct(
            "Api",
            PublicApi::new("shop", &nlb)
                .route(Route::get("/orders").public())
                .route_to(Route::get("/catalog").public(), &nlb.additional[0])
                .route_to_port(Route::post("/catalog/{item}").public(), 8081)
                .route_to(Route::get("/orders/{item}").public(), &nlb.primary),
        )
        .unwrap();

    let exposed: Vec<(String, u16, u16)> = api
        .exposed_routes()
        .into_iter()
        .map(|r| {
            (
                format!("{} {}", r.method, r.path),
                r.load_balancer_port,
                r.target_port,
            )
        })
        .collect();
    assert_eq!(
        exposed,
        [
            ("GET /orders".into(), 8080, 8080),
            ("GET /catalog".into(), 8081, 9081),
            ("POST /catalog/{item}".into(), 8081, 9081),
            ("GET /orders/{item}".into(), 8080, 8080),
        ]
    );

    let template = app.synth().unwrap().stacks[0].template.clone();
    assert_lint_clean("two-ports-one-api", &template);
    let t = Template::parse(&template).unwrap();
    t.resource_count_is("AWS::ApiGateway::VpcLink", 1).unwrap();
    t.resource_count_is("AWS::ApiGateway::RestApi", 1).unwrap();
    t.has_resource_properties(
        "AWS::ApiGateway::VpcLink",
        json!({"TargetArns": [{"Ref": "IngressLoadBalancer"}]}),
    )
    .unwrap();
    // every integration goes through the one link (the stage's variable), on its own port
    for (path, method, port) in [
        ("/orders", "get", 8080),
        ("/catalog", "get", 8081),
        ("/catalog/{item}", "post", 8081),
        ("/orders/{item}", "get", 8080),
    ] {
        t.has_resource_properties(
            "AWS::ApiGateway::RestApi",
            operation(
                path,
                method,
                json!({
                    "connectionId": "${stageVariables.vpcLinkId}",
                    "uri": format!("http://${{stageVariables.loadBalancerDns}}:{port}{path}")
                }),
            ),
        )
        .unwrap();
    }
    t.has_resource_properties(
        "AWS::ApiGateway::Stage",
        json!({"Variables": {"vpcLinkId": {"Ref": "ApiVpcLink"}}}),
    )
    .unwrap();
}

#[test]
fn the_port_of_a_route_is_part_of_the_deployment_hash() {
    let build = |to_additional: bool| {
        let app = App::new();
        let mut stack = app.stack("Shop").unwrap();
        let nlb = stack.construct("Ingress", two_port_nlb()).unwrap();
        let api = PublicApi::new("shop", &nlb).route(Route::get("/orders").public());
        let api = if to_additional {
            api.route_to(Route::get("/catalog").public(), &nlb.additional[0])
        } else {
            api.route(Route::get("/catalog").public())
        };
        stack.construct("Api", api).unwrap();
        Template::from_stack(&app.synth().unwrap(), "Shop").unwrap()
    };
    let (primary, additional) = (build(false), build(true));
    assert_ne!(deployment_id(&primary), deployment_id(&additional));
    assert_eq!(
        ids_except_deployment(&primary),
        ids_except_deployment(&additional)
    );
    // routing to the primary port explicitly is the same as `route`
    let app = App::new();
    let mut stack = app.stack("Shop").unwrap();
    let nlb = stack.construct("Ingress", two_port_nlb()).unwrap();
    stack
        .construct(
            "Api",
            PublicApi::new("shop", &nlb)
                .route(Route::get("/orders").public())
                .route_to_port(Route::get("/catalog").public(), 8080),
        )
        .unwrap();
    let explicit = Template::from_stack(&app.synth().unwrap(), "Shop").unwrap();
    assert_eq!(deployment_id(&explicit), deployment_id(&primary));
}

#[test]
fn a_route_to_a_port_the_load_balancer_lacks_is_an_error() {
    let app = App::new();
    let mut stack = app.stack("Shop").unwrap();
    let nlb = stack.construct("Ingress", two_port_nlb()).unwrap();
    let err = stack
        .construct(
            "Api",
            PublicApi::new("shop", &nlb)
                .route(Route::get("/orders").public())
                .route_to_port(Route::get("/catalog").public(), 9090),
        )
        .unwrap_err();
    assert!(err.to_string().contains("port 9090"), "{err}");
    assert_eq!(
        construct_error(err),
        Error::UnknownListenerPort {
            route: "GET /catalog".into(),
            port: 9090,
            listening: vec![8080, 8081],
        }
    );

    // a listener of another load balancer: unknown port, or a known port forwarding elsewhere
    let other = stack
        .construct(
            "Other",
            InternalNlb::new(
                &SubnetGroup::imported(
                    "vpc-0a1b2c3d",
                    [("subnet-0aaaaaaaaaaaaaaaa", "10.0.1.0/24")],
                ),
                8080,
            )
            .additional_port(8082, 8082)
            .additional_port(8081, 8081),
        )
        .unwrap();
    let err = stack
        .construct(
            "Api2",
            PublicApi::new("shop", &nlb).route_to(Route::get("/x").public(), &other.additional[0]),
        )
        .unwrap_err();
    assert!(matches!(
        construct_error(err),
        Error::UnknownListenerPort { port: 8082, .. }
    ));
    let err = stack
        .construct(
            "Api3",
            PublicApi::new("shop", &nlb).route_to(Route::get("/x").public(), &other.additional[1]),
        )
        .unwrap_err();
    assert_eq!(
        construct_error(err),
        Error::ListenerTargetMismatch {
            route: "GET /x".into(),
            port: 8081,
            target_port: 8081,
            actual_target_port: 9081,
        }
    );

    // an API made from one `ApiTarget` knows that port only
    let err = stack
        .construct(
            "Api4",
            PublicApi::new("shop", ApiTarget::for_port(&nlb, &nlb.primary))
                .route_to(Route::get("/catalog").public(), &nlb.additional[0]),
        )
        .unwrap_err();
    assert!(matches!(
        construct_error(err),
        Error::UnknownListenerPort { port: 8081, .. }
    ));
}
