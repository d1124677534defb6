//! [`PublicApi`]: an API Gateway REST API that exposes declared routes of a private service
//! to the internet through a VPC link to its internal network load balancer.
//!
//! Only what is declared is routed: every route becomes one operation of the generated
//! OpenAPI body, and there is no catch-all `ANY /{proxy+}` unless [`PublicApi::proxy_all`]
//! asks for one.
//!
//! One API has one VPC link, and AWS lets a network load balancer be the target of only one
//! REST API VPC link. Services behind different listeners of one load balancer therefore share
//! one API: [`PublicApi::route_to`] sends a route to another listener of the same load
//! balancer, through the same link.

use std::collections::BTreeMap;
use std::time::Duration;

use cloudwright_core::{Construct, DepTarget, Dependable, Handle, Json, Output, Scope, Value};
use cloudwright_resources::RetentionDays;
use cloudwright_resources::apigateway::rest_api::EndpointConfiguration;
use cloudwright_resources::apigateway::stage::{AccessLogSetting, MethodSetting};
use cloudwright_resources::apigateway::{
    BasePathMapping, BasePathMappingRequired, Deployment, DeploymentRequired, DomainName, RestApi,
    Stage, StageRequired, VpcLink, VpcLinkRequired, domain_name,
};
use cloudwright_resources::certificatemanager::certificate::{
    DomainValidationOption, DomainValidationOptionRequired,
};
use cloudwright_resources::certificatemanager::{Certificate, CertificateRequired};
use cloudwright_resources::logs::LogGroup;

use crate::domain::{CertificateSource, CustomDomain, CustomDomainOutput, EndpointType};
use crate::error::Error;
use crate::nlb::{InternalNlbOutput, NlbPort};
use crate::openapi::{self, Integration};
use crate::routes::{Method, Route, ValidRoute, validate_routes};

/// Where the API sends requests: a network load balancer (its ARN for the VPC link, its DNS
/// name and listener port for the integration URI) and the port the service behind it listens
/// on (reported by [`PublicApiOutput::exposed_routes`]).
///
/// The port is the one [`PublicApi::route`] uses; a [`VpcLinkTarget`] adds the other listeners
/// of the same load balancer that [`PublicApi::route_to`] may use.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiTarget {
    /// The network load balancer's ARN.
    pub load_balancer_arn: Value,
    /// The network load balancer's DNS name.
    pub dns_name: Value,
    /// The load balancer port the integration connects to.
    pub load_balancer_port: u16,
    /// The port of the service behind the load balancer.
    pub target_port: u16,
}

impl ApiTarget {
    /// One listener of a load balancer (e.g. one added with
    /// [`InternalNlb::additional_port`](crate::InternalNlb::additional_port)).
    pub fn for_port(nlb: &InternalNlbOutput, port: &NlbPort) -> Self {
        ApiTarget {
            load_balancer_arn: nlb.arn(),
            dns_name: nlb.dns_name(),
            load_balancer_port: port.listener_port,
            target_port: port.target_port,
        }
    }
}

impl From<&InternalNlbOutput> for ApiTarget {
    /// The primary listener of the load balancer.
    fn from(nlb: &InternalNlbOutput) -> Self {
        ApiTarget {
            load_balancer_arn: nlb.arn(),
            dns_name: nlb.dns_name(),
            load_balancer_port: nlb.listener_port(),
            target_port: nlb.target_port(),
        }
    }
}

/// The load balancer behind an API's one VPC link: the [`ApiTarget`] whose port
/// [`PublicApi::route`] uses, and every listener of that load balancer (listener port and target
/// port) that [`PublicApi::route_to`] and [`PublicApi::route_to_port`] may send routes to.
///
/// Made from an [`InternalNlbOutput`] it knows all the load balancer's listeners, the primary
/// one first; made from an [`ApiTarget`] it knows that target's port only, and
/// [`VpcLinkTarget::listener`] declares more.
///
/// ```
/// use cloudwright_core::Value;
/// use cloudwright_ingress::{ApiTarget, VpcLinkTarget};
///
/// let target = VpcLinkTarget::new(ApiTarget {
///     load_balancer_arn: Value::r#ref("Lb"),
///     dns_name: Value::get_att("Lb", "DNSName"),
///     load_balancer_port: 80,
///     target_port: 8080,
/// })
/// .listener(9090, 9090);
/// assert_eq!(target.listener_ports().collect::<Vec<_>>(), [80, 9090]);
/// assert_eq!(target.target_port_of(80), Some(8080));
/// assert_eq!(target.target_port_of(81), None);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct VpcLinkTarget {
    primary: ApiTarget,
    /// listener port -> target port, the primary's included
    listeners: BTreeMap<u16, u16>,
}

impl VpcLinkTarget {
    /// The load balancer of `primary`, knowing only `primary`'s listener.
    pub fn new(primary: ApiTarget) -> Self {
        let listeners = BTreeMap::from([(primary.load_balancer_port, primary.target_port)]);
        VpcLinkTarget { primary, listeners }
    }

    /// Declares another listener of the same load balancer: `listener_port`, forwarding to
    /// services on `target_port`.
    pub fn listener(mut self, listener_port: u16, target_port: u16) -> Self {
        if listener_port == self.primary.load_balancer_port {
            self.primary.target_port = target_port;
        }
        self.listeners.insert(listener_port, target_port);
        self
    }

    /// The target [`PublicApi::route`] uses.
    pub fn primary(&self) -> &ApiTarget {
        &self.primary
    }

    /// The listener ports routes may go to, in ascending order.
    pub fn listener_ports(&self) -> impl Iterator<Item = u16> + '_ {
        self.listeners.keys().copied()
    }

    /// The target port behind `listener_port`, if the load balancer listens there.
    pub fn target_port_of(&self, listener_port: u16) -> Option<u16> {
        self.listeners.get(&listener_port).copied()
    }
}

impl From<ApiTarget> for VpcLinkTarget {
    fn from(target: ApiTarget) -> Self {
        VpcLinkTarget::new(target)
    }
}

impl From<&InternalNlbOutput> for VpcLinkTarget {
    /// The primary listener, and every additional one.
    fn from(nlb: &InternalNlbOutput) -> Self {
        nlb.additional
            .iter()
            .fold(VpcLinkTarget::new(ApiTarget::from(nlb)), |target, port| {
                target.listener(port.listener_port, port.target_port)
            })
    }
}

/// The load balancer port a route was sent to, and the target port expected behind it (known
/// when the route was given an [`NlbPort`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct RoutePort {
    listener: u16,
    target: Option<u16>,
}

/// A validated route with the load balancer port and target port it goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PortedRoute {
    route: ValidRoute,
    load_balancer_port: u16,
    target_port: u16,
}

/// Access logging of the stage.
///
/// API Gateway writes access logs only once the account's API Gateway CloudWatch role is set
/// (`AWS::ApiGateway::Account`, once per account and region).
#[derive(Clone, Debug, PartialEq)]
pub struct AccessLog {
    destination: AccessLogDestination,
    format: String,
}

/// Where access logs go.
#[derive(Clone, Debug, PartialEq)]
pub enum AccessLogDestination {
    /// An existing log group (or Firehose stream), by ARN.
    Existing(Value),
    /// A log group made with the API, keeping events this long.
    NewLogGroup {
        /// How long the events are kept.
        retention: RetentionDays,
    },
}

/// The default access log format: one JSON object per request.
pub const DEFAULT_ACCESS_LOG_FORMAT: &str = concat!(
    r#"{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","#,
    r#""requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","#,
    r#""resourcePath":"$context.resourcePath","status":"$context.status","#,
    r#""protocol":"$context.protocol","responseLength":"$context.responseLength"}"#
);

impl AccessLog {
    /// Logs to an existing log group, by ARN, in the default format.
    pub fn to_log_group(arn: impl Into<Value>) -> Self {
        AccessLog {
            destination: AccessLogDestination::Existing(arn.into()),
            format: DEFAULT_ACCESS_LOG_FORMAT.into(),
        }
    }

    /// Logs to a new log group keeping events for `retention`, in the default format.
    pub fn new_log_group(retention: RetentionDays) -> Self {
        AccessLog {
            destination: AccessLogDestination::NewLogGroup { retention },
            format: DEFAULT_ACCESS_LOG_FORMAT.into(),
        }
    }

    /// The log line format (`$context` variables); it must include `$context.requestId` or
    /// `$context.extendedRequestId`.
    pub fn format(mut self, format: impl Into<String>) -> Self {
        self.format = format.into();
        self
    }

    fn validate(&self) -> Result<(), Error> {
        if !self.format.contains("$context.requestId")
            && !self.format.contains("$context.extendedRequestId")
        {
            return Err(Error::InvalidSetting {
                setting: "access log format",
                value: self.format.clone(),
                reason: "it must include `$context.requestId` or `$context.extendedRequestId`"
                    .into(),
            });
        }
        if self.format.contains("${") {
            return Err(Error::InvalidSetting {
                setting: "access log format",
                value: self.format.clone(),
                reason: "write variables as `$context.name`, without braces".into(),
            });
        }
        Ok(())
    }
}

/// A REST API exposing declared routes of a service behind an internal network load balancer.
///
/// It makes a VPC link to the load balancer, a REST API whose OpenAPI body declares exactly
/// the routes (each an `http_proxy` integration over the VPC link, path parameters declared and
/// mapped), a deployment whose logical id follows the body (so a change of routes redeploys
/// the stage), a stage, optionally a custom domain, and outputs of the invoke URL and API id.
///
/// Routes added with [`route`](PublicApi::route) go to the primary port of the target;
/// [`route_to`](PublicApi::route_to) sends a route to another listener of the same load
/// balancer, so several services behind one load balancer share one API and its one VPC link
/// (AWS allows one REST API VPC link per network load balancer).
///
/// ```
/// use cloudwright_core::App;
/// use cloudwright_ingress::{InternalNlb, PublicApi, Route};
/// use cloudwright_network::SubnetGroup;
///
/// let app = App::new();
/// let mut stack = app.stack("Service")?;
/// let private = SubnetGroup::imported("vpc-0123abcd", [("subnet-0000000a", "10.0.1.0/24"), ("subnet-0000000b", "10.0.2.0/24")]);
/// let nlb = stack.construct("Ingress", InternalNlb::new(&private, 80))?;
/// let api = stack.construct(
///     "Api",
///     PublicApi::new("person-identifier", &nlb)
///         .route(Route::get("/{person}/{firstname}"))
///         .integration_header("X-Public-Request", "1")
///         .throttling(50.0, 100),
/// )?;
/// let routes = api.exposed_routes();
/// assert_eq!(routes.len(), 1);
/// assert_eq!(routes[0].path, "/{person}/{firstname}");
/// assert_eq!(routes[0].stage, "v1");
/// assert!(api.deployment.logical_id().starts_with("ApiDeployment"));
/// app.synth()?;
/// # Ok::<(), cloudwright_core::Error>(())
/// ```
///
/// Two services behind two listeners of one load balancer, one API:
///
/// ```
/// use cloudwright_core::App;
/// use cloudwright_ingress::{InternalNlb, PublicApi, Route};
/// use cloudwright_network::SubnetGroup;
///
/// let app = App::new();
/// let mut stack = app.stack("Shop")?;
/// let private = SubnetGroup::imported("vpc-0123abcd", [("subnet-0000000a", "10.0.1.0/24"), ("subnet-0000000b", "10.0.2.0/24")]);
/// let nlb = stack.construct(
///     "Ingress",
///     InternalNlb::new(&private, 8080).additional_port(8081, 8081),
/// )?;
/// let api = stack.construct(
///     "Api",
///     PublicApi::new("shop", &nlb)
///         .route(Route::get("/orders"))
///         .route_to(Route::get("/catalog"), &nlb.additional[0]),
/// )?;
/// let ports: Vec<u16> = api.exposed_routes().iter().map(|r| r.load_balancer_port).collect();
/// assert_eq!(ports, [8080, 8081]);
/// # Ok::<(), cloudwright_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct PublicApi {
    title: String,
    version: String,
    description: Option<String>,
    target: VpcLinkTarget,
    routes: Vec<(Route, Option<RoutePort>)>,
    proxy_all: bool,
    integration_headers: BTreeMap<String, String>,
    integration_timeout: Option<Duration>,
    endpoint: EndpointType,
    stage_name: String,
    throttling: Option<(f64, u32)>,
    tracing: bool,
    access_log: Option<AccessLog>,
    domain: Option<CustomDomain>,
}

impl PublicApi {
    /// An API titled `title` in front of `target` (an [`InternalNlbOutput`], an [`ApiTarget`]
    /// or a [`VpcLinkTarget`]), with no routes yet, an EDGE endpoint and a stage `v1`.
    pub fn new(title: impl Into<String>, target: impl Into<VpcLinkTarget>) -> Self {
        PublicApi {
            title: title.into(),
            version: "1.0".into(),
            description: None,
            target: target.into(),
            routes: Vec::new(),
            proxy_all: false,
            integration_headers: BTreeMap::new(),
            integration_timeout: None,
            endpoint: EndpointType::Edge,
            stage_name: "v1".into(),
            throttling: None,
            tracing: false,
            access_log: None,
            domain: None,
        }
    }

    /// The version written in the OpenAPI `info` (`1.0`).
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// The REST API's description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Exposes a route, sent to the target's primary port.
    pub fn route(mut self, route: Route) -> Self {
        self.routes.push((route, None));
        self
    }

    /// Exposes several routes, sent to the target's primary port.
    pub fn routes(mut self, routes: impl IntoIterator<Item = Route>) -> Self {
        self.routes.extend(routes.into_iter().map(|r| (r, None)));
        self
    }

    /// Exposes a route sent to `port`, a listener of the same load balancer (e.g. one of
    /// [`InternalNlbOutput::additional`]), through the API's one VPC link.
    ///
    /// Building the API fails if the load balancer, as the API knows it (see
    /// [`VpcLinkTarget`]), has no listener on `port.listener_port` or that listener forwards to
    /// another target port (a port of another load balancer).
    pub fn route_to(mut self, route: Route, port: &NlbPort) -> Self {
        self.routes.push((
            route,
            Some(RoutePort {
                listener: port.listener_port,
                target: Some(port.target_port),
            }),
        ));
        self
    }

    /// Exposes a route sent to the load balancer's listener on `listener_port`; building the
    /// API fails if the load balancer, as the API knows it (see [`VpcLinkTarget`]), has no
    /// listener there.
    pub fn route_to_port(mut self, route: Route, listener_port: u16) -> Self {
        self.routes.push((
            route,
            Some(RoutePort {
                listener: listener_port,
                target: None,
            }),
        ));
        self
    }

    /// Also routes everything else: `ANY /{proxy+}` to the service on the primary port. This exposes every
    /// endpoint of the service, internal ones included, so it is off unless asked for; it
    /// cannot be combined with routes that have a different variable segment at the root.
    pub fn proxy_all(mut self) -> Self {
        self.proxy_all = true;
        self
    }

    /// Adds a constant header to every request the API forwards to the service
    /// (`integration.request.header.NAME = 'VALUE'`); callers cannot remove or change it.
    ///
    /// Why: a path template matches more than it seems. `GET /{person}/{firstname}` also
    /// matches `GET /internal/people`, so a public route can reach an endpoint meant only for
    /// callers inside the VPC. With `.integration_header("X-Public-Request", "1")`, the service
    /// can tell requests that came through the public API and refuse them on its internal
    /// endpoints, while callers inside the VPC (which reach the load balancer directly) do not
    /// send the header.
    pub fn integration_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.integration_headers.insert(name.into(), value.into());
        self
    }

    /// How long API Gateway waits for the service, 50 ms to 29 s in whole milliseconds
    /// (default 29 s).
    pub fn integration_timeout(mut self, timeout: Duration) -> Self {
        self.integration_timeout = Some(timeout);
        self
    }

    /// The endpoint type (EDGE by default); a custom domain gets the same.
    pub fn endpoint_type(mut self, endpoint: EndpointType) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// The stage name (`v1`).
    pub fn stage_name(mut self, name: impl Into<String>) -> Self {
        self.stage_name = name.into();
        self
    }

    /// Throttles every method of the stage: a steady `rate` of requests per second and bursts
    /// of up to `burst` requests (the account's limits apply when unset).
    pub fn throttling(mut self, rate: f64, burst: u32) -> Self {
        self.throttling = Some((rate, burst));
        self
    }

    /// Turns X-Ray tracing of the stage on or off (off).
    pub fn tracing(mut self, enabled: bool) -> Self {
        self.tracing = enabled;
        self
    }

    /// Logs every request of the stage.
    pub fn access_log(mut self, log: AccessLog) -> Self {
        self.access_log = Some(log);
        self
    }

    /// Serves the stage on a custom domain.
    pub fn domain(mut self, domain: CustomDomain) -> Self {
        self.domain = Some(domain);
        self
    }

    /// The routes to expose, validated together (`ANY /{proxy+}` last when opted in), with
    /// their ports.
    fn all_routes(&self) -> Result<Vec<PortedRoute>, Error> {
        let mut routes = self.routes.clone();
        if self.proxy_all {
            routes.push((Route::any("/{proxy+}"), None));
        }
        if routes.is_empty() {
            return Err(Error::NoRoutes {
                api: self.title.clone(),
            });
        }
        let plain: Vec<Route> = routes.iter().map(|(r, _)| r.clone()).collect();
        let valid = validate_routes(&plain)?;
        valid
            .into_iter()
            .zip(routes.iter().map(|(_, p)| *p))
            .map(|(route, port)| self.resolve_port(route, port))
            .collect()
    }

    /// The load balancer and target ports of `route`, checked against the known listeners.
    fn resolve_port(
        &self,
        route: ValidRoute,
        port: Option<RoutePort>,
    ) -> Result<PortedRoute, Error> {
        let primary = &self.target.primary;
        let Some(port) = port else {
            return Ok(PortedRoute {
                route,
                load_balancer_port: primary.load_balancer_port,
                target_port: primary.target_port,
            });
        };
        let Some(target_port) = self.target.target_port_of(port.listener) else {
            return Err(Error::UnknownListenerPort {
                route: route.to_string(),
                port: port.listener,
                listening: self.target.listener_ports().collect(),
            });
        };
        if let Some(expected) = port.target
            && expected != target_port
        {
            return Err(Error::ListenerTargetMismatch {
                route: route.to_string(),
                port: port.listener,
                target_port: expected,
                actual_target_port: target_port,
            });
        }
        Ok(PortedRoute {
            route,
            load_balancer_port: port.listener,
            target_port,
        })
    }

    fn validate(&self, region: Option<&str>) -> Result<Vec<PortedRoute>, Error> {
        let bad = |setting, value: &str, reason: &str| {
            Err(Error::InvalidSetting {
                setting,
                value: value.to_owned(),
                reason: reason.to_owned(),
            })
        };
        if self.title.trim().is_empty() {
            return bad("API title", &self.title, "it must not be empty");
        }
        if self.version.trim().is_empty() {
            return bad("API version", &self.version, "it must not be empty");
        }
        let stage_ok = !self.stage_name.is_empty()
            && self.stage_name.len() <= 128
            && self
                .stage_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
        if !stage_ok {
            return bad(
                "stage name",
                &self.stage_name,
                "use 1 to 128 ASCII letters, digits, `-` and `_`",
            );
        }
        for (name, value) in &self.integration_headers {
            let header_err = |reason: &str| {
                Err(Error::InvalidIntegrationHeader {
                    name: name.clone(),
                    reason: reason.to_owned(),
                })
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return header_err("header names contain only ASCII letters, digits and `-`");
            }
            if value.is_empty()
                || !value
                    .chars()
                    .all(|c| (c.is_ascii_graphic() || c == ' ') && c != '\'')
            {
                return header_err(
                    "the value must be non-empty printable ASCII without `'` (API Gateway quotes constant values with `'`)",
                );
            }
        }
        if let Some((rate, _)) = self.throttling
            && !(rate.is_finite() && rate >= 0.0)
        {
            return Err(Error::OutOfRange {
                setting: "throttling rate (requests per second)",
                value: rate.to_string(),
                allowed: "a finite number, 0 or more".into(),
            });
        }
        if let Some(t) = self.integration_timeout
            && (t.subsec_nanos() % 1_000_000 != 0 || !(50..=29_000).contains(&t.as_millis()))
        {
            let t = t.as_secs_f64() * 1000.0;
            return Err(Error::OutOfRange {
                setting: "integration timeout (milliseconds)",
                value: t.to_string(),
                allowed: "between 50 and 29000".into(),
            });
        }
        if let Some(log) = &self.access_log {
            log.validate()?;
        }
        if let Some(domain) = &self.domain {
            domain.validate(self.endpoint, region)?;
        }
        let routes = self.all_routes()?;
        for PortedRoute { route, .. } in &routes {
            for h in &route.headers {
                if self
                    .integration_headers
                    .keys()
                    .any(|c| c.eq_ignore_ascii_case(h))
                {
                    return Err(Error::HeaderConflict {
                        route: route.to_string(),
                        header: h.clone(),
                    });
                }
            }
        }
        Ok(routes)
    }

    /// The OpenAPI body this API would be built with, given the VPC link's id: each route's
    /// integration URI on its own load balancer port.
    fn body(&self, routes: &[PortedRoute], connection_id: Value) -> Value {
        let primary = &self.target.primary;
        let mut integration = Integration::new(
            connection_id,
            primary.dns_name.clone(),
            primary.load_balancer_port,
        );
        integration.headers = self.integration_headers.clone();
        integration.timeout_millis = self
            .integration_timeout
            .map(|t| u32::try_from(t.as_millis()).unwrap_or(u32::MAX));
        let routes: Vec<(ValidRoute, u16)> = routes
            .iter()
            .map(|r| (r.route.clone(), r.load_balancer_port))
            .collect();
        openapi::body_with_ports(&self.title, &self.version, &routes, &integration)
    }
}

/// A route a built [`PublicApi`] exposes to the internet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExposedRoute {
    /// The method (`ANY` matches every method).
    pub method: Method,
    /// The path template, as API Gateway matches it (`/{person}/{firstname}`).
    pub path: String,
    /// The stage it is deployed in; the invoke URL's path starts with it.
    pub stage: String,
    /// The load balancer port requests of this route go to.
    pub load_balancer_port: u16,
    /// The service port behind that load balancer port.
    pub target_port: u16,
    /// Query string parameters a request must carry.
    pub required_query: Vec<String>,
    /// Headers a request must carry.
    pub required_headers: Vec<String>,
}

impl ExposedRoute {
    /// The path under the default endpoint: `/v1/{person}/{firstname}`.
    pub fn invoke_path(&self) -> String {
        if self.path == "/" {
            format!("/{}/", self.stage)
        } else {
            format!("/{}{}", self.stage, self.path)
        }
    }
}

/// What a [`PublicApi`] made.
#[derive(Clone, Debug, PartialEq)]
pub struct PublicApiOutput {
    /// The REST API.
    pub rest_api: Handle<RestApi>,
    /// The VPC link to the load balancer.
    pub vpc_link: Handle<VpcLink>,
    /// The deployment; its logical id ends with the first 8 hex digits of the body's hash.
    pub deployment: Handle<Deployment>,
    /// The stage.
    pub stage: Handle<Stage>,
    /// The access log group, when the API made one.
    pub access_log_group: Option<Handle<LogGroup>>,
    /// The custom domain, if any.
    pub domain: Option<CustomDomainOutput>,
    stage_name: String,
    routes: Vec<PortedRoute>,
    body: Value,
    body_hash: String,
}

impl PublicApiOutput {
    /// The REST API's id.
    pub fn rest_api_id(&self) -> Value {
        self.rest_api.r#ref()
    }

    /// `https://<api>.execute-api.<region>.<suffix>/<stage>/`.
    pub fn invoke_url(&self) -> Value {
        Value::sub_with(
            format!(
                "https://${{Api}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{}/",
                self.stage_name
            ),
            [("Api", self.rest_api.r#ref())],
        )
    }

    /// The stage name.
    pub fn stage_name(&self) -> &str {
        &self.stage_name
    }

    /// The OpenAPI body of the REST API.
    pub fn body(&self) -> &Value {
        &self.body
    }

    /// The SHA-256 (hex) of the body's canonical JSON; the deployment's id uses its first 8
    /// digits.
    pub fn body_hash(&self) -> &str {
        &self.body_hash
    }

    /// Every route the API exposes, in declaration order (`ANY /{proxy+}` last when
    /// [`PublicApi::proxy_all`] was asked for), each with its own ports.
    pub fn exposed_routes(&self) -> Vec<ExposedRoute> {
        self.routes
            .iter()
            .map(|r| ExposedRoute {
                method: r.route.method,
                path: r.route.path.to_string(),
                stage: self.stage_name.clone(),
                load_balancer_port: r.load_balancer_port,
                target_port: r.target_port,
                required_query: r.route.query.clone(),
                required_headers: r.route.headers.clone(),
            })
            .collect()
    }
}

impl Dependable for PublicApiOutput {
    fn dependency_targets(&self) -> Vec<DepTarget> {
        let mut out = self.rest_api.dependency_targets();
        out.extend(self.vpc_link.dependency_targets());
        out.extend(self.deployment.dependency_targets());
        out.extend(self.stage.dependency_targets());
        if let Some(g) = &self.access_log_group {
            out.extend(g.dependency_targets());
        }
        if let Some(d) = &self.domain {
            out.extend(d.dependency_targets());
        }
        out
    }
}

impl Construct for PublicApi {
    type Output = PublicApiOutput;

    fn build(self, scope: &mut Scope<'_>) -> Result<PublicApiOutput, cloudwright_core::Error> {
        let region = scope.region().map(str::to_owned);
        let routes = self.validate(region.as_deref())?;

        let link_name = Value::sub(format!(
            "${{AWS::StackName}}-{}",
            scope.logical_id_for("VpcLink")
        ));
        let vpc_link = scope.add(
            "VpcLink",
            VpcLink::new(VpcLinkRequired {
                name: link_name.into(),
                target_arns: vec![self.target.primary.load_balancer_arn.clone()].into(),
            })
            .description(format!(
                "Links the REST API {} with its load balancer",
                self.title
            )),
        )?;

        let body = self.body(&routes, vpc_link.r#ref());
        let body_hash = openapi::body_hash(&body);
        let mut api = RestApi::new()
            .name(self.title.as_str())
            .body(Json(body.clone()))
            .endpoint_configuration(
                EndpointConfiguration::new().types(vec![self.endpoint.as_str()]),
            )
            .fail_on_warnings(true);
        if let Some(d) = &self.description {
            api = api.description(d.as_str());
        }
        let rest_api = scope.add("RestApi", api)?;

        // a new logical id whenever the body changes: CloudFormation only deploys a stage
        // when its deployment is replaced, and nothing but the body may cause that
        let short = body_hash.get(..8).unwrap_or(&body_hash);
        let deployment = scope.add(
            &format!("Deployment{short}"),
            Deployment::new(DeploymentRequired {
                rest_api_id: rest_api.r#ref().into(),
            })
            .description(format!("Routes of OpenAPI body sha256:{short}")),
        )?;

        let mut stage = Stage::new(StageRequired {
            rest_api_id: rest_api.r#ref().into(),
        })
        .stage_name(self.stage_name.as_str())
        .deployment_id(deployment.r#ref());
        if self.tracing {
            stage = stage.tracing_enabled(true);
        }
        if let Some((rate, burst)) = self.throttling {
            stage = stage.method_settings(vec![
                MethodSetting::new()
                    .http_method("*")
                    .resource_path("/*")
                    .throttling_rate_limit(rate)
                    .throttling_burst_limit(burst),
            ]);
        }
        let mut access_log_group = None;
        if let Some(log) = &self.access_log {
            let arn = match &log.destination {
                AccessLogDestination::Existing(arn) => arn.clone(),
                AccessLogDestination::NewLogGroup { retention } => {
                    let group = scope.add(
                        "AccessLogs",
                        LogGroup::new().retention_in_days(retention.days()),
                    )?;
                    let arn = group.arn();
                    access_log_group = Some(group);
                    arn
                }
            };
            stage = stage.access_log_setting(
                AccessLogSetting::new()
                    .destination_arn(arn)
                    .format(log.format.as_str()),
            );
        }
        let stage = scope.add("Stage", stage)?;

        let domain = match &self.domain {
            Some(d) => Some(build_domain(scope, d, self.endpoint, &rest_api, &stage)?),
            None => None,
        };

        let output = PublicApiOutput {
            rest_api,
            vpc_link,
            deployment,
            stage,
            access_log_group,
            domain,
            stage_name: self.stage_name.clone(),
            routes,
            body,
            body_hash,
        };
        scope.add_output(
            "Url",
            Output::new(output.invoke_url())
                .description(format!("The invoke URL of stage {}", self.stage_name)),
        )?;
        scope.add_output(
            "RestApiId",
            Output::new(output.rest_api_id()).description("The REST API's id"),
        )?;
        if let Some(d) = &output.domain {
            scope.add_output(
                "DomainTarget",
                Output::new(d.alias_target())
                    .description(format!("Point a DNS alias (or CNAME) for {} here", d.name)),
            )?;
            scope.add_output(
                "DomainHostedZoneId",
                Output::new(d.alias_hosted_zone_id())
                    .description("The hosted zone of the domain target, for a Route 53 alias"),
            )?;
        }
        Ok(output)
    }
}

fn build_domain(
    scope: &mut Scope<'_>,
    domain: &CustomDomain,
    endpoint: EndpointType,
    rest_api: &Handle<RestApi>,
    stage: &Handle<Stage>,
) -> Result<CustomDomainOutput, cloudwright_core::Error> {
    let (certificate_arn, certificate) = match &domain.certificate {
        CertificateSource::Existing(arn) => (arn.clone(), None),
        CertificateSource::NewDnsValidated { hosted_zone_id } => {
            let mut cert = Certificate::new(CertificateRequired {
                domain_name: domain.name.as_str().into(),
            })
            .validation_method("DNS");
            if let Some(zone) = hosted_zone_id {
                cert = cert.domain_validation_options(vec![
                    DomainValidationOption::new(DomainValidationOptionRequired {
                        domain_name: domain.name.as_str().into(),
                    })
                    .hosted_zone_id(zone.clone()),
                ]);
            }
            let handle = scope.add("Certificate", cert)?;
            (handle.r#ref(), Some(handle))
        }
    };
    let mut name = DomainName::new()
        .domain_name(domain.name.as_str())
        .endpoint_configuration(
            domain_name::EndpointConfiguration::new().types(vec![endpoint.as_str()]),
        )
        .security_policy("TLS_1_2");
    name = match endpoint {
        EndpointType::Edge => name.certificate_arn(certificate_arn),
        EndpointType::Regional => name.regional_certificate_arn(certificate_arn),
    };
    let domain_name = scope.add("DomainName", name)?;
    let mut mapping = BasePathMapping::new(BasePathMappingRequired {
        domain_name: domain_name.r#ref().into(),
    })
    .rest_api_id(rest_api.r#ref())
    .stage(stage.r#ref());
    if let Some(base) = &domain.base_path {
        mapping = mapping.base_path(base.as_str());
    }
    let base_path_mapping = scope.add("BasePathMapping", mapping)?;
    Ok(CustomDomainOutput {
        name: domain.name.clone(),
        base_path: domain.base_path.clone(),
        domain_name,
        base_path_mapping,
        certificate,
        endpoint,
    })
}
