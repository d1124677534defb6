//! The OpenAPI 3.0 body of a REST API, generated from routes.
//!
//! API Gateway imports OpenAPI 3.0 (and Swagger 2.0) with its `x-amazon-apigateway-*`
//! extensions; this module writes OpenAPI 3.0.1, the version API Gateway itself exports. Each
//! route becomes one operation whose `x-amazon-apigateway-integration` is an `http_proxy`
//! integration over a VPC link to the load balancer, with every path parameter declared and
//! mapped into the integration request. The body is a [`Value`] because it holds intrinsics
//! (the VPC link's `Ref`, an `Fn::Sub` with the load balancer's DNS name).
//!
//! ```
//! use cloudwright_core::Value;
//! use cloudwright_ingress::openapi::{self, Integration};
//! use cloudwright_ingress::routes::{validate_routes, Route};
//!
//! let routes = validate_routes(&[Route::get("/{person}/{firstname}")])?;
//! let integration = Integration::new(Value::r#ref("Link"), Value::get_att("Lb", "DNSName"), 80);
//! let body = openapi::body("people", "1.0", &routes, &integration);
//! let json = serde_json::to_value(&body).unwrap();
//! let op = &json["paths"]["/{person}/{firstname}"]["get"];
//! assert_eq!(
//!     op["x-amazon-apigateway-integration"]["requestParameters"]["integration.request.path.person"],
//!     "method.request.path.person"
//! );
//! assert_eq!(openapi::body_hash(&body).len(), 64);
//! # Ok::<(), cloudwright_ingress::Error>(())
//! ```

use std::collections::BTreeMap;

use cloudwright_core::{Map, Value};

use crate::authorizer::{Authorization, LambdaAuthorizerKind};
use crate::function::FunctionRef;
use crate::routes::{Segment, ValidRoute};

/// The OpenAPI version written.
pub const OPENAPI_VERSION: &str = "3.0.1";

/// The name of the request validator routes with required query strings or headers use.
pub const PARAMS_VALIDATOR: &str = "params-only";

/// Where every route's integration goes: a VPC link to a load balancer port (the default one:
/// [`body_with_ports`] sends each route to a port of its own on the same load balancer).
#[derive(Clone, Debug, PartialEq)]
pub struct Integration {
    /// The VPC link's id (its `Ref`, or a stage variable such as
    /// `${stageVariables.vpcLinkId}`).
    pub connection_id: Value,
    /// The load balancer's DNS name: an intrinsic (written into an `Fn::Sub`) or a literal
    /// host written as is, such as a stage variable (`${stageVariables.loadBalancerDns}`).
    pub dns_name: Value,
    /// The load balancer port.
    pub port: u16,
    /// Constant headers added to every integration request (name -> value).
    pub headers: BTreeMap<String, String>,
    /// The integration timeout, in milliseconds (API Gateway's default when `None`).
    pub timeout_millis: Option<u32>,
}

impl Integration {
    /// An integration to `dns_name:port` through the VPC link `connection_id`.
    pub fn new(connection_id: Value, dns_name: Value, port: u16) -> Integration {
        Integration {
            connection_id,
            dns_name,
            port,
            headers: BTreeMap::new(),
            timeout_millis: None,
        }
    }
}

fn param(name: &str, location: &str) -> Value {
    Value::map([
        ("name", Value::from(name)),
        ("in", Value::from(location)),
        ("required", Value::from(true)),
        ("schema", Value::map([("type", "string")])),
    ])
}

/// Where one operation's requests go.
#[derive(Clone, Debug, PartialEq)]
pub enum Destination {
    /// A load balancer port through a VPC link (`http_proxy`), as `Integration` says (its
    /// `port` is this operation's).
    LoadBalancer(Integration),
    /// A Lambda function (`aws_proxy`: the function gets the whole request and answers with
    /// the whole response).
    Function {
        /// The function's ARN.
        arn: Value,
        /// The integration timeout, in milliseconds (API Gateway's default when `None`).
        timeout_millis: Option<u32>,
    },
}

/// One operation of the body: a route, where it goes, and who may call it.
#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    /// The route.
    pub route: ValidRoute,
    /// Where its requests go.
    pub destination: Destination,
    /// Who may call it.
    pub authorization: Authorization,
}

fn operation(op: &Operation) -> Value {
    let route = &op.route;
    let mut parameters = Vec::new();
    let mut mappings: Map = Map::new();
    for seg in route.path.segments() {
        if let Segment::Param(n) | Segment::Greedy(n) = seg {
            parameters.push(param(n, "path"));
            mappings.insert(
                format!("integration.request.path.{n}").into(),
                format!("method.request.path.{n}").into(),
            );
        }
    }
    for q in &route.query {
        parameters.push(param(q, "query"));
        mappings.insert(
            format!("integration.request.querystring.{q}").into(),
            format!("method.request.querystring.{q}").into(),
        );
    }
    for h in &route.headers {
        parameters.push(param(h, "header"));
        mappings.insert(
            format!("integration.request.header.{h}").into(),
            format!("method.request.header.{h}").into(),
        );
    }
    let x_integration = match &op.destination {
        Destination::LoadBalancer(integration) => {
            load_balancer_integration(route, integration, mappings)
        }
        Destination::Function {
            arn,
            timeout_millis,
        } => {
            // a proxy integration passes the whole request on: no parameter mappings
            let function = FunctionRef {
                arn: arn.clone(),
                id: String::new(),
            };
            let mut x = Map::from([
                ("type".into(), Value::from("aws_proxy")),
                // Lambda is always invoked with POST, whatever the route's method
                ("httpMethod".into(), "POST".into()),
                ("uri".into(), function.invocation_uri()),
                ("passthroughBehavior".into(), "when_no_match".into()),
            ]);
            if let Some(t) = timeout_millis {
                x.insert("timeoutInMillis".into(), (*t).into());
            }
            x
        }
    };
    let mut out = Map::from([
        (
            "responses".into(),
            Value::map([(
                "200",
                Value::map([("description", "The service's response, passed through")]),
            )]),
        ),
        (
            "x-amazon-apigateway-integration".into(),
            Value::Map(x_integration),
        ),
    ]);
    if !parameters.is_empty() {
        out.insert("parameters".into(), Value::List(parameters));
    }
    if !route.query.is_empty() || !route.headers.is_empty() {
        out.insert(
            "x-amazon-apigateway-request-validator".into(),
            PARAMS_VALIDATOR.into(),
        );
    }
    if let Some(name) = op.authorization.authorizer_name() {
        let scopes: Vec<Value> = match &op.authorization {
            Authorization::Cognito(c) => c.scopes.iter().map(|s| Value::from(s.as_str())).collect(),
            _ => Vec::new(),
        };
        out.insert(
            "security".into(),
            Value::List(vec![Value::map([(name.to_owned(), Value::List(scopes))])]),
        );
    }
    Value::Map(out)
}

fn load_balancer_integration(
    route: &ValidRoute,
    integration: &Integration,
    mut mappings: Map,
) -> Map {
    let port = integration.port;
    // constants last: they win over anything a caller could send
    for (name, value) in &integration.headers {
        mappings.insert(
            format!("integration.request.header.{name}").into(),
            format!("'{value}'").into(),
        );
    }
    let uri = match &integration.dns_name {
        // a literal host (a stage variable such as `${stageVariables.loadBalancerDns}`) is
        // written as is: CloudFormation must not substitute it
        Value::String(host) => Value::from(format!(
            "http://{host}:{port}{}",
            route.path.integration_path()
        )),
        dns => Value::sub_with(
            format!("http://${{Dns}}:{}{}", port, route.path.integration_path()),
            [("Dns", dns.clone())],
        ),
    };
    let mut x_integration = Map::from([
        ("type".into(), Value::from("http_proxy")),
        ("connectionType".into(), "VPC_LINK".into()),
        ("connectionId".into(), integration.connection_id.clone()),
        ("httpMethod".into(), route.method.as_str().into()),
        ("uri".into(), uri),
        ("passthroughBehavior".into(), "when_no_match".into()),
    ]);
    if !mappings.is_empty() {
        x_integration.insert("requestParameters".into(), Value::Map(mappings));
    }
    if let Some(t) = integration.timeout_millis {
        x_integration.insert("timeoutInMillis".into(), t.into());
    }
    x_integration
}

/// The security scheme (`components.securitySchemes.<name>`) of an authorization, if it has
/// one.
fn security_scheme(authorization: &Authorization) -> Option<Value> {
    let header = |name: &str, authtype: &str| {
        Map::from([
            ("type".into(), Value::from("apiKey")),
            ("name".into(), Value::from(name)),
            ("in".into(), Value::from("header")),
            ("x-amazon-apigateway-authtype".into(), Value::from(authtype)),
        ])
    };
    match authorization {
        Authorization::None => None,
        Authorization::Iam => Some(Value::Map(header("Authorization", "awsSigv4"))),
        Authorization::Cognito(c) => {
            let mut scheme = header("Authorization", "cognito_user_pools");
            scheme.insert(
                "x-amazon-apigateway-authorizer".into(),
                Value::map([
                    ("type", Value::from("cognito_user_pools")),
                    ("providerARNs", Value::List(c.user_pool_arns.clone())),
                ]),
            );
            Some(Value::Map(scheme))
        }
        Authorization::Lambda(l) => {
            let (name, kind) = match &l.kind {
                LambdaAuthorizerKind::Token { header } => (header.as_str(), "token"),
                // the name of a REQUEST authorizer's scheme is not read
                LambdaAuthorizerKind::Request { .. } => ("Unused", "request"),
            };
            let mut scheme = header(name, "custom");
            let mut authorizer = Map::from([
                ("type".into(), Value::from(kind)),
                ("authorizerUri".into(), l.function.invocation_uri()),
                (
                    "authorizerResultTtlInSeconds".into(),
                    Value::from(l.ttl.as_secs()),
                ),
            ]);
            if let LambdaAuthorizerKind::Request { .. } = &l.kind {
                authorizer.insert("identitySource".into(), l.identity_source().into());
            }
            if let Some(v) = &l.validation {
                authorizer.insert("identityValidationExpression".into(), v.as_str().into());
            }
            scheme.insert(
                "x-amazon-apigateway-authorizer".into(),
                Value::Map(authorizer),
            );
            Some(Value::Map(scheme))
        }
    }
}

/// The OpenAPI body declaring exactly `routes`, each integrated through `integration`.
pub fn body(title: &str, version: &str, routes: &[ValidRoute], integration: &Integration) -> Value {
    let routes: Vec<(ValidRoute, u16)> = routes
        .iter()
        .map(|r| (r.clone(), integration.port))
        .collect();
    body_with_ports(title, version, &routes, integration)
}

/// The OpenAPI body declaring exactly `routes`, each integrated through `integration` (its VPC
/// link, DNS name, headers and timeout) but on its own load balancer port: one VPC link to one
/// load balancer can serve routes on several of its listeners.
///
/// ```
/// use cloudwright_core::Value;
/// use cloudwright_ingress::openapi::{self, Integration};
/// use cloudwright_ingress::routes::Route;
///
/// let orders = Route::get("/orders").validate()?;
/// let catalog = Route::get("/catalog").validate()?;
/// let integration = Integration::new(Value::r#ref("Link"), Value::get_att("Lb", "DNSName"), 8080);
/// let body = openapi::body_with_ports("shop", "1.0", &[(orders, 8080), (catalog, 8081)], &integration);
/// let json = serde_json::to_value(&body).unwrap();
/// let uri = &json["paths"]["/catalog"]["get"]["x-amazon-apigateway-integration"]["uri"];
/// assert_eq!(uri["Fn::Sub"][0], "http://${Dns}:8081/catalog");
/// # Ok::<(), cloudwright_ingress::Error>(())
/// ```
pub fn body_with_ports(
    title: &str,
    version: &str,
    routes: &[(ValidRoute, u16)],
    integration: &Integration,
) -> Value {
    let operations: Vec<Operation> = routes
        .iter()
        .map(|(route, port)| Operation {
            route: route.clone(),
            destination: Destination::LoadBalancer(Integration {
                port: *port,
                ..integration.clone()
            }),
            authorization: Authorization::None,
        })
        .collect();
    api_body(title, version, &operations)
}

/// The OpenAPI body declaring exactly `operations`: each route's integration (a load balancer
/// port or a function), its required parameters, and its security (the schemes of every
/// authorizer used, in `components.securitySchemes`; IAM's is named `sigv4`; a public route
/// has no `security`, which API Gateway imports as `NONE`).
///
/// ```
/// use cloudwright_core::Value;
/// use cloudwright_ingress::openapi::{self, Destination, Operation};
/// use cloudwright_ingress::routes::Route;
/// use cloudwright_ingress::Authorization;
///
/// let op = Operation {
///     route: Route::post("/orders").validate()?,
///     destination: Destination::Function { arn: Value::get_att("Fn", "Arn"), timeout_millis: None },
///     authorization: Authorization::Iam,
/// };
/// let json = serde_json::to_value(openapi::api_body("orders", "1.0", &[op])).unwrap();
/// let post = &json["paths"]["/orders"]["post"];
/// assert_eq!(post["x-amazon-apigateway-integration"]["type"], "aws_proxy");
/// assert_eq!(post["security"][0]["sigv4"], serde_json::json!([]));
/// assert_eq!(json["components"]["securitySchemes"]["sigv4"]["x-amazon-apigateway-authtype"], "awsSigv4");
/// # Ok::<(), cloudwright_ingress::Error>(())
/// ```
pub fn api_body(title: &str, version: &str, operations: &[Operation]) -> Value {
    let mut paths: Map = Map::new();
    let mut schemes: Map = Map::new();
    for op in operations {
        let item = paths
            .entry(op.route.path.to_string().into())
            .or_insert_with(|| Value::Map(Map::new()));
        if let Value::Map(ops) = item {
            ops.insert(op.route.method.openapi_key().into(), operation(op));
        }
        if let (Some(name), Some(scheme)) = (
            op.authorization.authorizer_name(),
            security_scheme(&op.authorization),
        ) {
            schemes.insert(name.to_owned().into(), scheme);
        }
    }
    let mut doc = Map::from([
        ("openapi".into(), Value::from(OPENAPI_VERSION)),
        (
            "info".into(),
            Value::map([("title", title), ("version", version)]),
        ),
        ("paths".into(), Value::Map(paths)),
    ]);
    if !schemes.is_empty() {
        doc.insert(
            "components".into(),
            Value::map([("securitySchemes", Value::Map(schemes))]),
        );
    }
    if operations
        .iter()
        .any(|o| !o.route.query.is_empty() || !o.route.headers.is_empty())
    {
        doc.insert(
            "x-amazon-apigateway-request-validators".into(),
            Value::map([(
                PARAMS_VALIDATOR,
                Value::map([
                    ("validateRequestParameters", true),
                    ("validateRequestBody", false),
                ]),
            )]),
        );
    }
    Value::Map(doc)
}

/// The SHA-256 (lower-case hex) of the body's canonical JSON: keys sorted (maps are ordered),
/// no whitespace, intrinsics as written in the template.
pub fn body_hash(body: &Value) -> String {
    let text = serde_json::to_string(body).unwrap_or_default();
    cloudwright_core::sha256::sha256_hex(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::{Route, validate_routes};

    fn integration() -> Integration {
        Integration::new(Value::r#ref("Link"), Value::get_att("Lb", "DNSName"), 8080)
    }

    #[test]
    fn greedy_paths_map_the_parameter_without_plus() {
        let routes = validate_routes(&[Route::any("/api/{proxy+}")]).unwrap();
        let json = serde_json::to_value(body("t", "1", &routes, &integration())).unwrap();
        let op = &json["paths"]["/api/{proxy+}"]["x-amazon-apigateway-any-method"];
        let i = &op["x-amazon-apigateway-integration"];
        assert_eq!(i["httpMethod"], "ANY");
        assert_eq!(i["uri"]["Fn::Sub"][0], "http://${Dns}:8080/api/{proxy}");
        assert_eq!(
            i["requestParameters"]["integration.request.path.proxy"],
            "method.request.path.proxy"
        );
        assert_eq!(op["parameters"][0]["name"], "proxy");
        assert!(json.get("x-amazon-apigateway-request-validators").is_none());
    }

    #[test]
    fn required_query_and_headers_are_validated_and_mapped() {
        let routes = validate_routes(&[Route::get("/people")
            .require_query("q")
            .require_header("X-Tenant")])
        .unwrap();
        let mut i = integration();
        i.headers.insert("X-Public-Request".into(), "1".into());
        let json = serde_json::to_value(body("t", "1", &routes, &i)).unwrap();
        let op = &json["paths"]["/people"]["get"];
        assert_eq!(
            op["x-amazon-apigateway-request-validator"],
            PARAMS_VALIDATOR
        );
        let m = &op["x-amazon-apigateway-integration"]["requestParameters"];
        assert_eq!(
            m["integration.request.querystring.q"],
            "method.request.querystring.q"
        );
        assert_eq!(
            m["integration.request.header.X-Tenant"],
            "method.request.header.X-Tenant"
        );
        assert_eq!(m["integration.request.header.X-Public-Request"], "'1'");
        assert_eq!(
            json["x-amazon-apigateway-request-validators"][PARAMS_VALIDATOR]["validateRequestParameters"],
            true
        );
    }

    #[test]
    fn a_literal_host_is_written_as_is_without_fn_sub() {
        let routes = validate_routes(&[Route::get("/{person}")]).unwrap();
        let i = Integration::new(
            Value::from("${stageVariables.vpcLinkId}"),
            Value::from("${stageVariables.loadBalancerDns}"),
            8080,
        );
        let json = serde_json::to_value(body("t", "1", &routes, &i)).unwrap();
        let x = &json["paths"]["/{person}"]["get"]["x-amazon-apigateway-integration"];
        assert_eq!(
            x["uri"],
            "http://${stageVariables.loadBalancerDns}:8080/{person}"
        );
        assert_eq!(x["connectionId"], "${stageVariables.vpcLinkId}");
    }

    #[test]
    fn the_hash_follows_the_body() {
        let a = validate_routes(&[Route::get("/a")]).unwrap();
        let b = validate_routes(&[Route::get("/b")]).unwrap();
        let ha = body_hash(&body("t", "1", &a, &integration()));
        assert_eq!(ha, body_hash(&body("t", "1", &a, &integration())));
        assert_ne!(ha, body_hash(&body("t", "1", &b, &integration())));
    }
}
