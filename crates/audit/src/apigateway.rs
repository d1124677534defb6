//! API Gateway: the routes a REST, HTTP or WebSocket API exposes, per stage, and where their
//! integrations go.
//!
//! REST APIs are read from their `Body` (Swagger 2.0 or OpenAPI 3 `paths` with
//! `x-amazon-apigateway-integration`) and from `AWS::ApiGateway::Resource`/`Method` resources,
//! whose path is built from the resource tree (`ParentId` up to the API's `RootResourceId`).
//! HTTP and WebSocket APIs are read from their `Body`, their quick-create `Target`, and
//! `AWS::ApiGatewayV2::Route` resources. Stages come from `Stage` resources that refer to the
//! API directly or through a `Deployment`, and from a `Deployment`'s own `StageName`.
//!
//! Integrations are resolved per stage: a `${stageVariables.name}` in a connection id or URI
//! (a VPC link id or load balancer host kept out of the body, so that replacing them updates
//! the stage instead of needing a new deployment) is read from that stage's `Variables`; a
//! variable the stage does not set is a gap.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::loadbalancing::{ELBV2, is_internal, listeners};
use crate::surface::{ApiType, Gap, Integration, Route, Surface};
use crate::template::{
    Resource, Template, display, get_att, items, literal_bool, literal_port, literal_str, render,
};

const REST_API: &str = "AWS::ApiGateway::RestApi";
const RESOURCE: &str = "AWS::ApiGateway::Resource";
const METHOD: &str = "AWS::ApiGateway::Method";
const DEPLOYMENT: &str = "AWS::ApiGateway::Deployment";
const STAGE: &str = "AWS::ApiGateway::Stage";
const VPC_LINK: &str = "AWS::ApiGateway::VpcLink";
const V2_API: &str = "AWS::ApiGatewayV2::Api";
const V2_ROUTE: &str = "AWS::ApiGatewayV2::Route";
const V2_INTEGRATION: &str = "AWS::ApiGatewayV2::Integration";
const V2_STAGE: &str = "AWS::ApiGatewayV2::Stage";
const V2_VPC_LINK: &str = "AWS::ApiGatewayV2::VpcLink";
const LISTENER: &str = "AWS::ElasticLoadBalancingV2::Listener";
const LAMBDA_TYPES: &[&str] = &[
    "AWS::Lambda::Function",
    "AWS::Lambda::Alias",
    "AWS::Lambda::Version",
];

/// A route before stages are applied.
struct RawRoute<'a> {
    method: String,
    path: String,
    authorization: String,
    integration: Pending<'a>,
}

/// An integration as written (resolved per stage, which may set stage variables it uses), or
/// already known.
enum Pending<'a> {
    Raw(RawIntegration<'a>),
    Known(Integration),
}

/// A stage: its name and the stage variables it sets.
struct StageInfo<'a> {
    name: String,
    variables: Option<&'a serde_json::Map<String, Value>>,
}

/// An integration as written, before it is resolved.
#[derive(Default)]
struct RawIntegration<'a> {
    ty: Option<String>,
    uri: Option<&'a Value>,
    connection_type: Option<String>,
    connection_id: Option<&'a Value>,
    subtype: Option<&'a Value>,
}

/// Adds every public API Gateway route to the surface.
pub(crate) fn analyze(t: &Template<'_>, s: &mut Surface) {
    rest_apis(t, s);
    v2_apis(t, s);
}

/// `/a/b/` and `/a/b` are the same path; the root is `/`.
pub(crate) fn normalize_path(p: &str) -> String {
    let trimmed = p.trim();
    if trimmed.starts_with('$') {
        return trimmed.to_owned();
    }
    let t = trimmed.trim_end_matches('/');
    if t.is_empty() {
        "/".into()
    } else if t.starts_with('/') {
        t.to_owned()
    } else {
        format!("/{t}")
    }
}

fn upper(v: &Value) -> Option<String> {
    literal_str(v).map(str::to_ascii_uppercase)
}

fn push_routes<'a>(
    t: &Template<'a>,
    s: &mut Surface,
    api: &str,
    api_type: ApiType,
    raws: Vec<RawRoute<'a>>,
    stages: &[StageInfo<'a>],
) {
    if raws.is_empty() {
        return;
    }
    if stages.is_empty() {
        s.gaps.push(Gap {
            resource: api.to_owned(),
            reason: "the API is deployed to no stage in this template: its routes are listed \
                     without a stage and become public once deployed"
                .into(),
        });
    }
    let no_stage = [StageInfo {
        name: String::new(),
        variables: None,
    }];
    let (stages, named) = if stages.is_empty() {
        (&no_stage[..], false)
    } else {
        (stages, true)
    };
    let mut unset: Vec<(String, String)> = Vec::new();
    for r in raws {
        for stage in stages {
            let integration = match &r.integration {
                Pending::Known(i) => i.clone(),
                Pending::Raw(raw) => {
                    if named {
                        for name in raw.stage_variables() {
                            let set = stage.variables.is_some_and(|v| v.contains_key(&name));
                            if !set && !unset.contains(&(stage.name.clone(), name.clone())) {
                                unset.push((stage.name.clone(), name));
                            }
                        }
                    }
                    resolve(t, raw, stage.variables)
                }
            };
            s.routes.push(Route {
                api: api.to_owned(),
                api_type,
                method: r.method.clone(),
                path: r.path.clone(),
                stage: named.then(|| stage.name.clone()),
                authorization: r.authorization.clone(),
                integration,
            });
        }
    }
    for (stage, name) in unset {
        s.gaps.push(Gap {
            resource: api.to_owned(),
            reason: format!(
                "stage `{stage}` does not set the stage variable `{name}` its integrations use: \
                 where they go is unknown"
            ),
        });
    }
}

/// The names in `${stageVariables.name}` placeholders of `text`.
fn stage_variable_names(text: &str) -> Vec<String> {
    const PREFIX: &str = "${stageVariables.";
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(PREFIX) {
        let after = &rest[start + PREFIX.len()..];
        let Some(end) = after.find('}') else {
            break;
        };
        out.push(after[..end].to_owned());
        rest = &after[end..];
    }
    out
}

/// `text` with each `${stageVariables.name}` the stage sets replaced by its value as text.
fn substitute_stage_variables(
    text: &str,
    variables: Option<&serde_json::Map<String, Value>>,
) -> String {
    let Some(vars) = variables else {
        return text.to_owned();
    };
    let mut out = text.to_owned();
    for name in stage_variable_names(text) {
        if let Some(v) = vars.get(&name) {
            out = out.replace(&format!("${{stageVariables.{name}}}"), &render(v));
        }
    }
    out
}

impl RawIntegration<'_> {
    /// The stage variables its connection id and URI use.
    fn stage_variables(&self) -> Vec<String> {
        let mut names = Vec::new();
        for v in [self.connection_id, self.uri].into_iter().flatten() {
            for name in stage_variable_names(&render(v)) {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        names
    }
}

fn stage_name<'a>(
    s: &mut Surface,
    stage: &Resource<'a>,
    v: &Value,
    variables: Option<&'a Value>,
    out: &mut Vec<StageInfo<'a>>,
) {
    let name = match literal_str(v) {
        Some(name) => name.to_owned(),
        None => {
            s.gaps.push(Gap {
                resource: stage.id.to_owned(),
                reason: format!("stage name `{}` is only known at deploy time", display(v)),
            });
            display(v)
        }
    };
    out.push(StageInfo {
        name,
        variables: variables.and_then(Value::as_object),
    });
}

/// Sorted by name, one per name (the first seen keeps its variables).
fn dedup_stages(stages: &mut Vec<StageInfo<'_>>) {
    stages.sort_by(|a, b| a.name.cmp(&b.name));
    stages.dedup_by(|a, b| a.name == b.name);
}

// ---------------------------------------------------------------------------------------------
// REST APIs
// ---------------------------------------------------------------------------------------------

fn rest_apis<'a>(t: &Template<'a>, s: &mut Surface) {
    for api in t.of_type(REST_API) {
        let types = api.prop("EndpointConfiguration").get("Types");
        if let Some(types) = types {
            if items(types)
                .iter()
                .any(|v| literal_str(v) == Some("PRIVATE"))
            {
                s.private_apis.push(api.id.to_owned());
                continue;
            }
            if !types.is_array() || items(types).iter().any(|v| literal_str(v).is_none()) {
                s.gaps.push(Gap {
                    resource: api.id.to_owned(),
                    reason: format!(
                        "endpoint types `{}` are only known at deploy time: counted as public",
                        display(types)
                    ),
                });
            }
        }
        let mut raws = Vec::new();
        match api.props.get("Body") {
            Some(body) if body.get("paths").is_some_and(Value::is_object) => {
                raws.extend(body_routes(body));
            }
            Some(body) => s.gaps.push(Gap {
                resource: api.id.to_owned(),
                reason: format!(
                    "`Body` has no `paths` object (`{}`): its routes are not analyzed",
                    short(body)
                ),
            }),
            None => {}
        }
        if api.props.get("BodyS3Location").is_some() {
            s.gaps.push(Gap {
                resource: api.id.to_owned(),
                reason: "the API definition is in S3 (`BodyS3Location`): its routes are not \
                         analyzed"
                    .into(),
            });
        }
        for m in t.of_type(METHOD) {
            if t.target(m.prop("RestApiId"), &[REST_API]).map(|r| r.id) == Some(api.id) {
                raws.push(method_route(t, s, api.id, m));
            }
        }
        let stages = rest_stages(t, s, api.id);
        push_routes(t, s, api.id, ApiType::Rest, raws, &stages);
    }
    // Methods added to an API that is not in this template.
    let mut outside: BTreeMap<String, Vec<RawRoute<'a>>> = BTreeMap::new();
    for m in t.of_type(METHOD) {
        if t.target(m.prop("RestApiId"), &[REST_API]).is_none() {
            let api = display(m.prop("RestApiId"));
            let raw = method_route(t, s, &api, m);
            outside.entry(api).or_default().push(raw);
        }
    }
    for (api, raws) in outside {
        push_routes(t, s, &api, ApiType::Rest, raws, &[]);
    }
}

fn rest_stages<'a>(t: &Template<'a>, s: &mut Surface, api: &str) -> Vec<StageInfo<'a>> {
    let mut out = Vec::new();
    let api_of_deployment = |d: &Value| {
        t.target(d, &[DEPLOYMENT])
            .and_then(|d| t.target(d.prop("RestApiId"), &[REST_API]))
            .map(|r| r.id)
    };
    for st in t.of_type(STAGE) {
        let direct = t.target(st.prop("RestApiId"), &[REST_API]).map(|r| r.id);
        if direct == Some(api)
            || (direct.is_none() && api_of_deployment(st.prop("DeploymentId")) == Some(api))
        {
            let variables = st.props.get("Variables");
            stage_name(s, st, st.prop("StageName"), variables, &mut out);
        }
    }
    for d in t.of_type(DEPLOYMENT) {
        if t.target(d.prop("RestApiId"), &[REST_API]).map(|r| r.id) == Some(api)
            && let Some(name) = d.props.get("StageName")
        {
            let variables = d.prop("StageDescription").get("Variables");
            stage_name(s, d, name, variables, &mut out);
        }
    }
    dedup_stages(&mut out);
    out
}

fn method_route<'a>(
    t: &Template<'a>,
    s: &mut Surface,
    api: &str,
    m: &Resource<'a>,
) -> RawRoute<'a> {
    let method = upper(m.prop("HttpMethod")).unwrap_or_else(|| display(m.prop("HttpMethod")));
    let path = match resource_path(t, m.prop("ResourceId"), 0) {
        Some(p) => normalize_path(&p),
        None => {
            s.gaps.push(Gap {
                resource: m.id.to_owned(),
                reason: format!(
                    "the method's resource `{}` does not lead to the root of {api}: path unknown",
                    display(m.prop("ResourceId"))
                ),
            });
            format!("{{unresolved {}}}", display(m.prop("ResourceId")))
        }
    };
    let mut authorization = upper(m.prop("AuthorizationType")).unwrap_or_else(|| "NONE".into());
    if let Some(id) = m.props.get("AuthorizerId") {
        let name = t.target(id, &["AWS::ApiGateway::Authorizer"]).map_or_else(
            || display(id),
            |a| literal_str(a.prop("Name")).unwrap_or(a.id).to_owned(),
        );
        authorization.push_str(&format!(" ({name})"));
    }
    if literal_bool(m.prop("ApiKeyRequired")) == Some(true) {
        authorization.push_str("+API_KEY");
    }
    let i = m.prop("Integration");
    let raw = RawIntegration {
        ty: i.get("Type").and_then(upper),
        uri: i.get("Uri"),
        connection_type: i.get("ConnectionType").and_then(upper),
        connection_id: i.get("ConnectionId"),
        subtype: None,
    };
    RawRoute {
        method,
        path,
        authorization,
        integration: Pending::Raw(raw),
    }
}

/// The path of an `AWS::ApiGateway::Resource` (or of the root: `""`), following `ParentId`.
fn resource_path(t: &Template<'_>, v: &Value, depth: usize) -> Option<String> {
    if depth > 64 {
        return None; // a cycle: not a tree
    }
    if let Some((id, att)) = get_att(v)
        && att == "RootResourceId"
        && t.resources.get(id).is_some_and(|r| r.ty == REST_API)
    {
        return Some(String::new());
    }
    let r = t.target(v, &[RESOURCE])?;
    let parent = resource_path(t, r.prop("ParentId"), depth + 1)?;
    let part = literal_str(r.prop("PathPart")).map_or_else(
        || format!("{{{}}}", display(r.prop("PathPart"))),
        str::to_owned,
    );
    Some(format!("{parent}/{part}"))
}

// ---------------------------------------------------------------------------------------------
// OpenAPI bodies (REST and HTTP APIs)
// ---------------------------------------------------------------------------------------------

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn body_routes<'a>(body: &'a Value) -> Vec<RawRoute<'a>> {
    let mut out = Vec::new();
    let Some(paths) = body.get("paths").and_then(Value::as_object) else {
        return out;
    };
    let global_security = body.get("security");
    // OpenAPI 3 `components.securitySchemes`, Swagger 2 `securityDefinitions`
    let schemes = body
        .pointer("/components/securitySchemes")
        .or_else(|| body.get("securityDefinitions"));
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (key, op) in item {
            let k = key.to_ascii_lowercase();
            let method = if METHODS.contains(&k.as_str()) {
                k.to_ascii_uppercase()
            } else if k == "x-amazon-apigateway-any-method" {
                "ANY".into()
            } else {
                continue;
            };
            let security = op.get("security").or(global_security);
            let i = op.get("x-amazon-apigateway-integration");
            let integration = match i {
                Some(i) => Pending::Raw(RawIntegration {
                    ty: i.get("type").and_then(upper),
                    uri: i.get("uri"),
                    connection_type: i.get("connectionType").and_then(upper),
                    connection_id: i.get("connectionId"),
                    subtype: i.get("integrationSubtype"),
                }),
                None => Pending::Known(Integration::Unknown {
                    detail: "the operation has no x-amazon-apigateway-integration".into(),
                }),
            };
            out.push(RawRoute {
                method,
                path: normalize_path(path),
                authorization: security_names(security, schemes),
                integration,
            });
        }
    }
    out
}

/// `NONE` for no security requirement, else each scheme as API Gateway applies it:
/// `AWS_IAM`, `COGNITO_USER_POOLS (name)`, `CUSTOM (name)`, `API_KEY`, or the scheme's name
/// when the body does not define it.
fn security_names(security: Option<&Value>, schemes: Option<&Value>) -> String {
    let describe = |name: &str| -> String {
        let scheme = schemes.and_then(|s| s.get(name));
        let authtype = scheme
            .and_then(|s| s.get("x-amazon-apigateway-authtype"))
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase);
        match authtype.as_deref() {
            Some("awssigv4") => "AWS_IAM".into(),
            Some("cognito_user_pools") => format!("COGNITO_USER_POOLS ({name})"),
            Some("custom") => format!("CUSTOM ({name})"),
            Some(other) => format!("{} ({name})", other.to_ascii_uppercase()),
            None if scheme
                .and_then(|s| s.get("x-amazon-apigateway-authorizer"))
                .is_some() =>
            {
                format!("CUSTOM ({name})")
            }
            None if scheme.and_then(|s| s.get("type")).and_then(Value::as_str)
                == Some("apiKey") =>
            {
                "API_KEY".into()
            }
            None => name.to_owned(),
        }
    };
    let mut names: Vec<String> = security
        .map(items)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|o| o.keys().map(|k| describe(k)))
        .collect();
    names.sort_unstable();
    names.dedup();
    if names.is_empty() {
        "NONE".into()
    } else {
        names.join(",")
    }
}

// ---------------------------------------------------------------------------------------------
// Integrations
// ---------------------------------------------------------------------------------------------

fn resolve<'a>(
    t: &Template<'a>,
    raw: &RawIntegration<'a>,
    variables: Option<&'a serde_json::Map<String, Value>>,
) -> Integration {
    let uri_text = raw
        .uri
        .map(|u| substitute_stage_variables(&render(u), variables));
    if raw.ty.as_deref() == Some("MOCK") {
        return Integration::Mock;
    }
    if raw.connection_type.as_deref() == Some("VPC_LINK") {
        return vpc_link(t, raw, uri_text, variables);
    }
    match raw.ty.as_deref() {
        Some("AWS_PROXY" | "AWS") => {
            let function = raw.uri.and_then(|u| t.referenced(u, LAMBDA_TYPES));
            let is_lambda =
                function.is_some() || uri_text.as_deref().is_some_and(|u| u.contains(":lambda:"));
            if is_lambda {
                Integration::Lambda {
                    function: function.map(|f| f.id.to_owned()),
                    uri: uri_text,
                }
            } else {
                Integration::AwsService {
                    uri: uri_text.or_else(|| raw.subtype.map(display)),
                }
            }
        }
        Some("HTTP" | "HTTP_PROXY") => Integration::Http { uri: uri_text },
        Some(other) => Integration::Unknown {
            detail: format!("integration type {other}"),
        },
        None => Integration::Unknown {
            detail: "no integration type".into(),
        },
    }
}

fn vpc_link<'a>(
    t: &Template<'a>,
    raw: &RawIntegration<'a>,
    uri: Option<String>,
    variables: Option<&'a serde_json::Map<String, Value>>,
) -> Integration {
    // `${stageVariables.name}` as the whole connection id: the stage's value
    let connection_id = raw.connection_id.map(|c| {
        literal_str(c)
            .and_then(|text| {
                let name = text.strip_prefix("${stageVariables.")?.strip_suffix('}')?;
                variables?.get(name)
            })
            .unwrap_or(c)
    });
    let link = connection_id.and_then(|c| t.target(c, &[VPC_LINK, V2_VPC_LINK]));
    let vpc_link = match (link, connection_id) {
        (Some(l), _) => l.id.to_owned(),
        (None, Some(c)) => display(c),
        (None, None) => "(no connectionId)".into(),
    };
    // HTTP APIs: the integration URI is the listener's ARN.
    if let Some(listener) = raw.uri.and_then(|u| t.referenced(u, &[LISTENER])) {
        let lb = t.target(listener.prop("LoadBalancerArn"), &[ELBV2]);
        let port = literal_port(listener.prop("Port"));
        let tg = lb
            .map(|lb| listeners(t, lb.id))
            .unwrap_or_default()
            .into_iter()
            .find(|l| l.resource == listener.id)
            .and_then(|l| l.targets.into_iter().next());
        return Integration::VpcLink {
            vpc_link,
            load_balancer: lb.map(|l| l.id.to_owned()),
            internal: lb.and_then(is_internal),
            listener_port: port,
            target_group: tg.as_ref().map(|t| t.resource.clone()),
            target_group_port: tg.and_then(|t| t.port),
            uri,
        };
    }
    // REST APIs: the VPC link targets a network load balancer; the URI's port picks the listener.
    let lb = link.filter(|l| l.ty == VPC_LINK).and_then(|l| {
        items(l.prop("TargetArns"))
            .iter()
            .find_map(|a| t.target(a, &[ELBV2]))
    });
    let port = uri.as_deref().and_then(uri_port);
    let target = lb.and_then(|lb| {
        listeners(t, lb.id)
            .into_iter()
            .find(|l| l.port.is_some() && l.port == port)
            .and_then(|l| l.targets.into_iter().next())
    });
    Integration::VpcLink {
        vpc_link,
        load_balancer: lb.map(|l| l.id.to_owned()),
        internal: lb.and_then(is_internal),
        listener_port: port,
        target_group: target.as_ref().map(|t| t.resource.clone()),
        target_group_port: target.and_then(|t| t.port),
        uri,
    }
}

/// The port of a URI template: explicit (`http://${Dns}:8080/x`) or the scheme's default
/// (80 for http, 443 for https). `None` when the port is only known at deploy time.
pub(crate) fn uri_port(uri: &str) -> Option<u16> {
    let (scheme, rest) = uri.split_once("://")?;
    let authority = strip_placeholders(rest.split('/').next().unwrap_or(""));
    match authority.rsplit_once(':') {
        Some((_, port)) => port.parse().ok(),
        None => match scheme.to_ascii_lowercase().as_str() {
            "http" => Some(80),
            "https" => Some(443),
            _ => None,
        },
    }
}

/// `${A.B}:80` → `:80`.
fn strip_placeholders(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => rest = &rest[start + end + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn short(v: &Value) -> String {
    let mut s = display(v);
    if s.chars().count() > 60 {
        s = s.chars().take(57).collect::<String>() + "...";
    }
    s
}

// ---------------------------------------------------------------------------------------------
// HTTP and WebSocket APIs
// ---------------------------------------------------------------------------------------------

fn v2_apis<'a>(t: &Template<'a>, s: &mut Surface) {
    for api in t.of_type(V2_API) {
        let api_type = match upper(api.prop("ProtocolType")).as_deref() {
            Some("WEBSOCKET") => ApiType::Websocket,
            _ => ApiType::Http,
        };
        let mut stages = Vec::new();
        for st in t.of_type(V2_STAGE) {
            if t.target(st.prop("ApiId"), &[V2_API]).map(|r| r.id) == Some(api.id) {
                let variables = st.props.get("StageVariables");
                stage_name(s, st, st.prop("StageName"), variables, &mut stages);
            }
        }
        let mut raws = Vec::new();
        if let Some(target) = api.props.get("Target") {
            // Quick create: a `$default` route and an auto-deployed `$default` stage.
            let function = t.referenced(target, LAMBDA_TYPES);
            let text = render(target);
            let integration = if function.is_some() || text.contains(":lambda:") {
                Integration::Lambda {
                    function: function.map(|f| f.id.to_owned()),
                    uri: Some(text),
                }
            } else {
                Integration::Http { uri: Some(text) }
            };
            raws.push(RawRoute {
                method: "ANY".into(),
                path: "$default".into(),
                authorization: "NONE".into(),
                integration: Pending::Known(integration),
            });
            stages.push(StageInfo {
                name: "$default".into(),
                variables: None,
            });
        }
        match api.props.get("Body") {
            Some(body) if body.get("paths").is_some_and(Value::is_object) => {
                raws.extend(body_routes(body));
            }
            Some(body) => s.gaps.push(Gap {
                resource: api.id.to_owned(),
                reason: format!(
                    "`Body` has no `paths` object (`{}`): its routes are not analyzed",
                    short(body)
                ),
            }),
            None => {}
        }
        if api.props.get("BodyS3Location").is_some() {
            s.gaps.push(Gap {
                resource: api.id.to_owned(),
                reason: "the API definition is in S3 (`BodyS3Location`): its routes are not \
                         analyzed"
                    .into(),
            });
        }
        for r in t.of_type(V2_ROUTE) {
            if t.target(r.prop("ApiId"), &[V2_API]).map(|a| a.id) == Some(api.id) {
                raws.push(v2_route(t, r, api_type));
            }
        }
        dedup_stages(&mut stages);
        push_routes(t, s, api.id, api_type, raws, &stages);
    }
    let mut outside: BTreeMap<String, Vec<RawRoute<'a>>> = BTreeMap::new();
    for r in t.of_type(V2_ROUTE) {
        if t.target(r.prop("ApiId"), &[V2_API]).is_none() {
            outside
                .entry(display(r.prop("ApiId")))
                .or_default()
                .push(v2_route(t, r, ApiType::Http));
        }
    }
    for (api, raws) in outside {
        push_routes(t, s, &api, ApiType::Http, raws, &[]);
    }
}

fn v2_route<'a>(t: &Template<'a>, r: &Resource<'a>, api_type: ApiType) -> RawRoute<'a> {
    let key =
        literal_str(r.prop("RouteKey")).map_or_else(|| display(r.prop("RouteKey")), str::to_owned);
    let (method, path) = match key.split_once(' ') {
        Some((m, p)) => (m.to_ascii_uppercase(), normalize_path(p)),
        None if key == "$default" && api_type == ApiType::Http => ("ANY".into(), key.clone()),
        None if api_type == ApiType::Websocket => ("WS".into(), key.clone()),
        None => ("ANY".into(), key.clone()),
    };
    let authorization = upper(r.prop("AuthorizationType")).unwrap_or_else(|| "NONE".into());
    let integration = match r.props.get("Target") {
        None => Pending::Known(Integration::Unknown {
            detail: "the route has no target integration".into(),
        }),
        Some(target) => match t.referenced(target, &[V2_INTEGRATION]) {
            Some(i) => Pending::Raw(RawIntegration {
                ty: upper(i.prop("IntegrationType")),
                uri: i.props.get("IntegrationUri"),
                connection_type: upper(i.prop("ConnectionType")),
                connection_id: i.props.get("ConnectionId"),
                subtype: i.props.get("IntegrationSubtype"),
            }),
            None => Pending::Known(Integration::Unknown {
                detail: format!("target {}", render(target)),
            }),
        },
    };
    RawRoute {
        method,
        path,
        authorization,
        integration,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_from_uris() {
        assert_eq!(uri_port("http://${Lb.DNSName}/{person}"), Some(80));
        assert_eq!(uri_port("https://example.com/x"), Some(443));
        assert_eq!(uri_port("http://${Lb.DNSName}:8080/x"), Some(8080));
        assert_eq!(uri_port("http://${Dns}:${Port}/x"), None);
        assert_eq!(uri_port("no uri"), None);
    }

    #[test]
    fn paths_normalize() {
        assert_eq!(normalize_path("/a/b/"), "/a/b");
        assert_eq!(normalize_path(""), "/");
        assert_eq!(normalize_path("a"), "/a");
        assert_eq!(normalize_path("$default"), "$default");
    }
}
