//! Routes to Lambda functions beside routes to services in one API, and the authorization of
//! every route: IAM, a Cognito user pool, Lambda TOKEN and REQUEST authorizers, and the
//! explicit `public()`. The function is a stand-in: a raw `AWS::Lambda::Function` made from
//! the generated type, offered to the API through `LambdaTarget` as a function construct's
//! output would be.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use cloudwright_core::assertions::{Match, Template};
use cloudwright_core::{App, Handle, Scope, Value};
use cloudwright_ingress::{
    Authorization, CognitoAuthorizer, Error, IdentitySource, InternalNlb, LambdaAuthorizer,
    LambdaTarget, PublicApi, Route,
};
use cloudwright_resources::lambda::function::{Code, Runtime};
use cloudwright_resources::lambda::{Function, FunctionRequired};
use cloudwright_tests::{assert_lint_clean, assert_lint_clean_informational};
use serde_json::json;

/// What a function construct's output offers: its ARN and a stable id.
struct StandIn(Handle<Function>);

impl LambdaTarget for StandIn {
    fn function_arn(&self) -> Value {
        self.0.arn().into()
    }
    fn function_id(&self) -> String {
        self.0.logical_id().to_owned()
    }
}

fn function(scope: &mut Scope<'_>, id: &str) -> StandIn {
    let f = Function::new(FunctionRequired {
        code: Code::new()
            .zip_file("def handler(event, context):\n    return {'statusCode': 200}\n")
            .into(),
        role: "arn:aws:iam::123456789012:role/orders-handler".into(),
    })
    .runtime(Runtime::Python3_12)
    .handler("index.handler");
    StandIn(scope.add(id, f).unwrap())
}

const POOL: &str = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abcdefghi";

/// One API: `GET /{person}` to the service (public), and four routes to functions, each
/// authorized differently.
fn mixed_api() -> (App, cloudwright_ingress::PublicApiOutput) {
    let app = App::new();
    let mut stack = app.stack("Orders").unwrap();
    let nlb = stack
        .construct("Ingress", InternalNlb::new(&common::private_subnets(), 80))
        .unwrap();
    let orders = function(&mut stack, "OrdersFn");
    let checker = function(&mut stack, "CheckerFn");
    let tokens = LambdaAuthorizer::token("tokens", &checker, "Authorization")
        .validation_expression("^Bearer [-0-9a-zA-Z._]+$");
    let tenants = LambdaAuthorizer::request(
        "tenants",
        &checker,
        [
            IdentitySource::Header("X-Tenant".into()),
            IdentitySource::Query("key".into()),
        ],
    )
    .result_ttl(Duration::from_secs(60));
    let api = stack
        .construct(
            "Api",
            PublicApi::new("orders", &nlb)
                .route(Route::get("/{person}").public())
                .route_to_function(
                    Route::post("/orders").authorized(Authorization::Iam),
                    &orders,
                )
                .route_to_function(
                    Route::get("/orders/{id}")
                        .authorized(CognitoAuthorizer::new("users", POOL).scope("orders/read")),
                    &orders,
                )
                .route_to_function(Route::get("/reports").authorized(tokens.clone()), &orders)
                .route_to_function(Route::any("/tenants").authorized(tenants), &orders)
                .route_to_function(Route::delete("/orders/{id}").authorized(tokens), &orders),
        )
        .unwrap();
    (app, api)
}

fn template(app: &App) -> (String, Template) {
    let assembly = app.synth().unwrap();
    let text = assembly.stacks[0].template.clone();
    let t = Template::parse(&text).unwrap();
    (text, t)
}

fn route_source_arn(rest: &str) -> serde_json::Value {
    json!({"Fn::Sub": [
        format!("arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{Api}}/{rest}"),
        {"Api": {"Ref": "ApiRestApi"}}
    ]})
}

#[test]
fn each_function_route_has_a_permission_scoped_to_exactly_that_route() {
    let (app, _) = mixed_api();
    let (_, t) = template(&app);
    // four routes to the function, two authorizers of the checker (one permission each)
    t.resource_count_is("AWS::Lambda::Permission", 7).unwrap();
    for (id, rest) in [
        ("ApiInvokeOrdersFnPostOrders", "*/POST/orders"),
        ("ApiInvokeOrdersFnGetOrdersId", "*/GET/orders/*"),
        ("ApiInvokeOrdersFnDeleteOrdersId", "*/DELETE/orders/*"),
        ("ApiInvokeOrdersFnGetReports", "*/GET/reports"),
        ("ApiInvokeOrdersFnAnyTenants", "*/*/tenants"),
    ] {
        let p = t.resource(id).unwrap();
        assert!(
            Match::from(json!({"Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": {"Fn::GetAtt": ["OrdersFn", "Arn"]},
                "Principal": "apigateway.amazonaws.com",
                "SourceArn": route_source_arn(rest),
            }}))
            .matches(p),
            "{id}: {p:#}"
        );
    }
    for id in [
        "ApiInvokeCheckerFnAuthorizerTokens",
        "ApiInvokeCheckerFnAuthorizerTenants",
    ] {
        let p = t.resource(id).unwrap();
        assert!(
            Match::from(json!({"Properties": {
                "FunctionName": {"Fn::GetAtt": ["CheckerFn", "Arn"]},
                "Principal": "apigateway.amazonaws.com",
                "SourceArn": route_source_arn("authorizers/*"),
            }}))
            .matches(p),
            "{id}: {p:#}"
        );
    }
}

#[test]
fn the_body_integrates_functions_by_proxy_and_declares_each_routes_security() {
    let (app, _) = mixed_api();
    let (_, t) = template(&app);
    let invocations = |f: &str| {
        json!({"Fn::Sub": [
            "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Function}/invocations",
            {"Function": {"Fn::GetAtt": [f, "Arn"]}}
        ]})
    };
    t.has_resource_properties(
        "AWS::ApiGateway::RestApi",
        json!({"Body": {
            "paths": {
                "/{person}": {"get": {
                    "x-amazon-apigateway-integration": {"type": "http_proxy", "connectionType": "VPC_LINK"}
                }},
                "/orders": {"post": {
                    "security": [{"sigv4": []}],
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy", "httpMethod": "POST", "uri": invocations("OrdersFn")
                    }
                }},
                "/orders/{id}": {
                    "get": {"security": [{"users": ["orders/read"]}]},
                    "delete": {"security": [{"tokens": []}]}
                },
                "/reports": {"get": {"security": [{"tokens": []}]}},
                "/tenants": {"x-amazon-apigateway-any-method": {"security": [{"tenants": []}]}}
            },
            "components": {"securitySchemes": {
                "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
                          "x-amazon-apigateway-authtype": "awsSigv4"},
                "users": {"x-amazon-apigateway-authtype": "cognito_user_pools",
                          "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools", "providerARNs": [POOL]}},
                "tokens": {"name": "Authorization", "x-amazon-apigateway-authtype": "custom",
                           "x-amazon-apigateway-authorizer": {
                               "type": "token", "authorizerUri": invocations("CheckerFn"),
                               "authorizerResultTtlInSeconds": 300,
                               "identityValidationExpression": "^Bearer [-0-9a-zA-Z._]+$"}},
                "tenants": {"x-amazon-apigateway-authtype": "custom",
                            "x-amazon-apigateway-authorizer": {
                                "type": "request",
                                "identitySource": "method.request.header.X-Tenant, method.request.querystring.key",
                                "authorizerResultTtlInSeconds": 60}}
            }}
        }}),
    )
    .unwrap();
    // the public route has no security at all: API Gateway imports it as NONE
    t.has_resource_properties(
        "AWS::ApiGateway::RestApi",
        common::nested(
            &["Body", "paths", "/{person}", "get", "security"],
            Match::absent(),
        ),
    )
    .unwrap();
}

#[test]
fn the_mixed_api_is_lint_clean() {
    let (app, _) = mixed_api();
    let (text, _) = template(&app);
    assert_lint_clean("mixed-api", &text);
    assert_lint_clean_informational("mixed-api", &text);
}

#[test]
fn exposed_routes_say_who_may_call_them_and_what_serves_them() {
    let (_, api) = mixed_api();
    let routes = api.exposed_routes();
    let summary: Vec<(String, String, Option<String>)> = routes
        .iter()
        .map(|r| {
            (
                format!("{} {}", r.method, r.path),
                r.authorization.describe(),
                r.function.clone(),
            )
        })
        .collect();
    let orders = Some("OrdersFn".to_owned());
    assert_eq!(
        summary,
        [
            ("GET /{person}".into(), "NONE".into(), None),
            ("POST /orders".into(), "AWS_IAM".into(), orders.clone()),
            (
                "GET /orders/{id}".into(),
                "COGNITO_USER_POOLS (users)".into(),
                orders.clone()
            ),
            (
                "GET /reports".into(),
                "CUSTOM (tokens)".into(),
                orders.clone()
            ),
            (
                "ANY /tenants".into(),
                "CUSTOM (tenants)".into(),
                orders.clone()
            ),
            (
                "DELETE /orders/{id}".into(),
                "CUSTOM (tokens)".into(),
                orders
            ),
        ]
    );
    assert_eq!(routes[0].target_port, 80);
}

#[test]
fn an_api_of_functions_only_has_no_vpc_link_and_no_stage_variables() {
    let app = App::new();
    let mut stack = app.stack("People").unwrap();
    let people = function(&mut stack, "People");
    let api = stack
        .construct(
            "Api",
            PublicApi::for_functions("people")
                .route_to_function(Route::get("/{person}/{firstname}").public(), &people),
        )
        .unwrap();
    assert!(api.vpc_link.is_none());
    let (text, t) = template(&app);
    t.resource_count_is("AWS::ApiGateway::VpcLink", 0).unwrap();
    t.has_resource_properties(
        "AWS::ApiGateway::Stage",
        Match::object_like([
            ("Variables", Match::absent()),
            ("TracingEnabled", Match::from(json!(true))),
        ]),
    )
    .unwrap();
    t.has_resource_properties(
        "AWS::Lambda::Permission",
        json!({"SourceArn": route_source_arn("*/GET/*/*")}),
    )
    .unwrap();
    assert_lint_clean_informational("functions-only-api", &text);

    // a route to a service needs the load balancer the API was made without
    let app = App::new();
    let mut stack = app.stack("People").unwrap();
    let err = stack
        .construct(
            "Api",
            PublicApi::for_functions("people").route(Route::get("/x").public()),
        )
        .unwrap_err();
    assert!(matches!(
        err.downcast_ref::<Error>(),
        Some(Error::NoLoadBalancer { route }) if route == "GET /x"
    ));
}

/// Builds an API of one function with `routes` and returns the ingress error.
fn build_error(routes: impl FnOnce(&StandIn) -> Vec<Route>) -> Error {
    let app = App::new();
    let mut stack = app.stack("S").unwrap();
    let f = function(&mut stack, "Fn");
    let mut api = PublicApi::for_functions("t");
    for r in routes(&f) {
        api = api.route_to_function(r, &f);
    }
    common::ingress_error(stack.construct("Api", api).unwrap_err())
}

#[test]
fn a_route_that_says_nothing_about_authorization_does_not_build() {
    let err = build_error(|_| vec![Route::get("/a").public(), Route::post("/a")]);
    assert_eq!(
        err,
        Error::MissingAuthorization {
            route: "POST /a".into()
        }
    );
    assert!(err.to_string().contains("add `.public()`"), "{err}");

    // on a service route too, and for the catch-all
    let app = App::new();
    let mut stack = app.stack("S").unwrap();
    let nlb = stack
        .construct("Ingress", InternalNlb::new(&common::private_subnets(), 80))
        .unwrap();
    let err = stack
        .construct("Api", PublicApi::new("t", &nlb).route(Route::get("/x")))
        .unwrap_err();
    assert!(matches!(
        err.downcast_ref::<Error>(),
        Some(Error::MissingAuthorization { .. })
    ));
}

#[test]
fn bad_authorizers_are_refused_naming_them() {
    let err = build_error(|f| {
        vec![
            Route::get("/a").authorized(LambdaAuthorizer::token("auth", f, "Authorization")),
            Route::get("/b").authorized(LambdaAuthorizer::token("auth", f, "X-Token")),
        ]
    });
    assert_eq!(
        err,
        Error::ConflictingAuthorizers {
            name: "auth".into(),
            first: "GET /a".into(),
            second: "GET /b".into()
        }
    );

    let err = build_error(|f| {
        vec![
            Route::get("/a").authorized(
                LambdaAuthorizer::token("auth", f, "Authorization")
                    .result_ttl(Duration::from_secs(3601)),
            ),
        ]
    });
    assert!(
        matches!(&err, Error::InvalidAuthorizer { name, reason } if name == "auth" && reason.contains("0 to 3600")),
        "{err}"
    );

    let err = build_error(|f| {
        vec![
            Route::get("/a").authorized(
                LambdaAuthorizer::request("auth", f, [IdentitySource::Header("X".into())])
                    .validation_expression(".*"),
            ),
        ]
    });
    assert!(err.to_string().contains("TOKEN authorizers only"), "{err}");

    let err = build_error(|f| {
        vec![Route::get("/a").authorized(LambdaAuthorizer::request("auth", f, []))]
    });
    assert!(
        err.to_string().contains("at least one identity source"),
        "{err}"
    );

    let err =
        build_error(|_| vec![Route::get("/a").authorized(CognitoAuthorizer::new("sigv4", POOL))]);
    assert!(matches!(err, Error::InvalidAuthorizer { .. }), "{err}");
}

#[test]
fn a_raw_function_handle_is_a_lambda_target() {
    let app = App::new();
    let mut stack = app.stack("S").unwrap();
    let f = function(&mut stack, "Fn").0;
    assert_eq!(f.function_id(), "Fn");
    assert_eq!(
        serde_json::to_value(f.function_arn()).unwrap(),
        json!({"Fn::GetAtt": ["Fn", "Arn"]})
    );
}

#[test]
fn the_audit_shows_each_routes_authorization_and_the_scoped_permissions() {
    let (app, _) = mixed_api();
    let (text, _) = template(&app);
    let report = cloudwright_audit::audit(&serde_json::from_str(&text).unwrap(), None).unwrap();
    let s = &report.surface;
    let routes: Vec<(String, &str, String)> = s
        .routes
        .iter()
        .map(|r| {
            (
                format!("{} {}", r.method, r.path),
                r.authorization.as_str(),
                r.integration.describe(),
            )
        })
        .collect();
    let orders = "Lambda OrdersFn".to_owned();
    assert_eq!(
        routes,
        [
            ("ANY /tenants".into(), "CUSTOM (tenants)", orders.clone()),
            ("DELETE /orders/{id}".into(), "CUSTOM (tokens)", orders.clone()),
            ("GET /orders/{id}".into(), "COGNITO_USER_POOLS (users)", orders.clone()),
            ("GET /reports".into(), "CUSTOM (tokens)", orders.clone()),
            (
                "GET /{person}".into(),
                "NONE",
                "VPC link ApiVpcLink -> IngressLoadBalancer (internal) :80 -> IngressTargetGroup :80"
                    .into()
            ),
            ("POST /orders".into(), "AWS_IAM", orders),
        ]
    );
    assert!(s.not_analyzed.is_empty(), "{:?}", s.not_analyzed);
    assert!(s.public_resources.is_empty(), "{:?}", s.public_resources);
    // every permission names its source: no finding about them
    assert!(
        report
            .findings
            .iter()
            .all(|f| !f.rule.starts_with("LAMBDA")),
        "{:?}",
        report.findings
    );
    assert!(s.access.iter().any(|a| a.principal
        == "apigateway.amazonaws.com from arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ApiRestApi}/*/POST/orders"
        && a.resources == ["OrdersFn"]));
}
