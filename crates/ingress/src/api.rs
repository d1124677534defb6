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

use cloudwright_core::{
    Construct, DepTarget, Dependable, Exception, Handle, Json, Output, Policy, Scope, Value,
};
use cloudwright_resources::RetentionDays;
use cloudwright_resources::apigateway::rest_api::EndpointConfiguration;
use cloudwright_resources::apigateway::stage::{AccessLogSetting, MethodSetting};
use cloudwright_resources::apigateway::{
    BasePathMapping, Deployment, DomainName, RestApi, Stage, VpcLink, VpcLinkRequired, domain_name,
};
use cloudwright_resources::certificatemanager::Certificate;
use cloudwright_resources::certificatemanager::certificate::DomainValidationOption;
use cloudwright_resources::lambda::{Permission, PermissionRequired};
use cloudwright_resources::logs::LogGroup;

use crate::account::{AccountRole, ApiGatewayAccount, ApiGatewayAccountOutput};
use crate::authorizer::Authorization;
use crate::domain::{CertificateSource, CustomDomain, CustomDomainOutput, EndpointType};
use crate::error::Error;
use crate::function::{FunctionRef, LambdaTarget};
use crate::nlb::{InternalNlbOutput, NlbPort};
use crate::openapi::{self, Destination, Integration, Operation};
use crate::routes::{Method, Route, Segment, ValidRoute, validate_routes};

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
            dns_name: nlb.dns_name().into(),
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
            dns_name: nlb.dns_name().into(),
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

/// Where a declared route goes: a load balancer port (the primary one when `None`) or a
/// function.
#[derive(Clone, Debug, PartialEq)]
enum RouteDestination {
    LoadBalancer(Option<RoutePort>),
    Function(FunctionRef),
}

/// A validated route with where it goes (the load balancer port and target port, or the
/// function) and who may call it.
#[derive(Clone, Debug, PartialEq)]
struct PortedRoute {
    route: ValidRoute,
    load_balancer_port: u16,
    target_port: u16,
    function: Option<FunctionRef>,
    authorization: Authorization,
}

/// Access logging of the stage.
///
/// API Gateway writes access logs only once the account's API Gateway CloudWatch role is set
/// (`AWS::ApiGateway::Account`, once per account and region); see [`AccountRole`].
///
/// ```
/// use cloudwright_core::Value;
/// use cloudwright_ingress::AccessLog;
/// use cloudwright_resources::RetentionDays;
///
/// // a log group of its own, kept two years, encrypted with a customer-managed key
/// let log = AccessLog::new_log_group(RetentionDays::TwoYears)
///     .encrypted_with(Value::get_att("LogKey", "Arn"));
/// # let _ = log;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct AccessLog {
    destination: AccessLogDestination,
    format: String,
    kms_key: Option<Value>,
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

/// The default access log format: one JSON object per request, on one line: who called
/// (`requestId`, `ip`, `caller`, `user`), what (`requestTime`, `httpMethod`, `resourcePath`,
/// `protocol`), how it went (`status`, `responseLength`, `responseLatency` in ms) and what the
/// service behind the VPC link did (`integrationStatus`, `integrationLatency`,
/// `integrationError`, and API Gateway's own `errorMessage`).
pub const DEFAULT_ACCESS_LOG_FORMAT: &str = concat!(
    r#"{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","#,
    r#""caller":"$context.identity.caller","user":"$context.identity.user","#,
    r#""requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","#,
    r#""resourcePath":"$context.resourcePath","status":"$context.status","#,
    r#""protocol":"$context.protocol","responseLength":"$context.responseLength","#,
    r#""responseLatency":"$context.responseLatency","#,
    r#""integrationStatus":"$context.integration.status","#,
    r#""integrationLatency":"$context.integration.latency","#,
    r#""integrationError":"$context.integration.error","#,
    r#""errorMessage":"$context.error.message"}"#
);

/// How long the access log group [`PublicApi`] makes by default keeps events: one year (what
/// checkov's CKV_AWS_338 asks for).
pub const DEFAULT_ACCESS_LOG_RETENTION: RetentionDays = RetentionDays::OneYear;

/// The default steady rate limit of every method, in requests per second: well under the
/// account's regional limit (10,000 per second, shared by every API of the account), so one
/// API cannot starve the others, and ample for one service's public routes.
pub const DEFAULT_THROTTLING_RATE: f64 = 100.0;

/// The default burst limit of every method, in requests: twice the default rate.
pub const DEFAULT_THROTTLING_BURST: u32 = 200;

/// The stage variable holding the VPC link's id; the OpenAPI body's integrations read it as
/// `${stageVariables.vpcLinkId}`.
pub const VPC_LINK_STAGE_VARIABLE: &str = "vpcLinkId";

/// The stage variable holding the load balancer's DNS name; the integration URIs read it as
/// `${stageVariables.loadBalancerDns}`.
pub const LOAD_BALANCER_DNS_STAGE_VARIABLE: &str = "loadBalancerDns";

impl AccessLog {
    /// Logs to an existing log group, by ARN, in the default format.
    pub fn to_log_group(arn: impl Into<Value>) -> Self {
        AccessLog {
            destination: AccessLogDestination::Existing(arn.into()),
            format: DEFAULT_ACCESS_LOG_FORMAT.into(),
            kms_key: None,
        }
    }

    /// Logs to a new log group keeping events for `retention`, in the default format.
    pub fn new_log_group(retention: RetentionDays) -> Self {
        AccessLog {
            destination: AccessLogDestination::NewLogGroup { retention },
            format: DEFAULT_ACCESS_LOG_FORMAT.into(),
            kms_key: None,
        }
    }

    /// Encrypts the new log group with a customer-managed KMS key, by ARN (whose key policy
    /// lets CloudWatch Logs use it). Only for [`AccessLog::new_log_group`]: a log group made
    /// elsewhere is encrypted where it is made, and building the API fails if both are asked.
    pub fn encrypted_with(mut self, key_arn: impl Into<Value>) -> Self {
        self.kms_key = Some(key_arn.into());
        self
    }

    /// The log line format (`$context` variables); it must include `$context.requestId` or
    /// `$context.extendedRequestId`.
    pub fn format(mut self, format: impl Into<String>) -> Self {
        self.format = format.into();
        self
    }

    fn validate(&self) -> Result<(), Error> {
        if let (AccessLogDestination::Existing(_), Some(key)) = (&self.destination, &self.kms_key) {
            return Err(Error::InvalidSetting {
                setting: "access log encryption key",
                value: serde_json::to_string(key).unwrap_or_default(),
                reason: "the access log group is not made by the API (`AccessLog::to_log_group`); \
                         encrypt it where it is made, or use `AccessLog::new_log_group`"
                    .into(),
            });
        }
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
///         .route(Route::get("/{person}/{firstname}").public())
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
///         .route(Route::get("/orders").public())
///         .route_to(Route::get("/catalog").public(), &nlb.additional[0]),
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
    target: Option<VpcLinkTarget>,
    routes: Vec<(Route, RouteDestination)>,
    proxy_all: Option<Authorization>,
    integration_headers: BTreeMap<String, String>,
    integration_timeout: Option<Duration>,
    endpoint: EndpointType,
    stage_name: String,
    throttling: Option<(f64, u32)>,
    tracing: bool,
    metrics: bool,
    access_log: Option<AccessLog>,
    account_role: AccountRole,
    domain: Option<CustomDomain>,
}

impl PublicApi {
    /// An API titled `title` in front of `target` (an [`InternalNlbOutput`], an [`ApiTarget`]
    /// or a [`VpcLinkTarget`]), with no routes yet, an EDGE endpoint and a stage `v1` with
    /// production defaults: access logs in [`DEFAULT_ACCESS_LOG_FORMAT`] to a log group of its
    /// own kept [`DEFAULT_ACCESS_LOG_RETENTION`] (and the account's API Gateway CloudWatch role,
    /// see [`AccountRole`]), X-Ray tracing, method metrics, and throttling at
    /// [`DEFAULT_THROTTLING_RATE`] requests per second with bursts of
    /// [`DEFAULT_THROTTLING_BURST`]. Each can be turned off; the stage's `Metadata` then says so
    /// (a [`cloudwright_core::Exception`]).
    pub fn new(title: impl Into<String>, target: impl Into<VpcLinkTarget>) -> Self {
        PublicApi::with_target(title.into(), Some(target.into()))
    }

    fn with_target(title: String, target: Option<VpcLinkTarget>) -> Self {
        PublicApi {
            title,
            version: "1.0".into(),
            description: None,
            target,
            routes: Vec::new(),
            proxy_all: None,
            integration_headers: BTreeMap::new(),
            integration_timeout: None,
            endpoint: EndpointType::Edge,
            stage_name: "v1".into(),
            throttling: Some((DEFAULT_THROTTLING_RATE, DEFAULT_THROTTLING_BURST)),
            tracing: true,
            metrics: true,
            access_log: Some(AccessLog::new_log_group(DEFAULT_ACCESS_LOG_RETENTION)),
            account_role: AccountRole::Create,
            domain: None,
        }
    }

    /// An API titled `title` whose routes all go to Lambda functions
    /// ([`route_to_function`](PublicApi::route_to_function)): no VPC link, no load balancer;
    /// the same stage defaults as [`PublicApi::new`]. A route to a service fails to build
    /// ([`Error::NoLoadBalancer`]).
    pub fn for_functions(title: impl Into<String>) -> Self {
        PublicApi::with_target(title.into(), None)
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
        self.routes
            .push((route, RouteDestination::LoadBalancer(None)));
        self
    }

    /// Exposes a route served by a Lambda function (an `aws_proxy` integration: the function
    /// gets the whole request and returns the whole response), beside routes to services.
    ///
    /// The API adds an `AWS::Lambda::Permission` letting API Gateway invoke the function for
    /// this route only: its source ARN is
    /// `arn:<partition>:execute-api:<region>:<account>:<api id>/*/<METHOD>/<path>`, path
    /// parameters as `*` (`ANY` as `*`).
    pub fn route_to_function(mut self, route: Route, function: &impl LambdaTarget) -> Self {
        self.routes
            .push((route, RouteDestination::Function(FunctionRef::of(function))));
        self
    }

    /// Exposes several routes, sent to the target's primary port.
    pub fn routes(mut self, routes: impl IntoIterator<Item = Route>) -> Self {
        self.routes.extend(
            routes
                .into_iter()
                .map(|r| (r, RouteDestination::LoadBalancer(None))),
        );
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
            RouteDestination::LoadBalancer(Some(RoutePort {
                listener: port.listener_port,
                target: Some(port.target_port),
            })),
        ));
        self
    }

    /// Exposes a route sent to the load balancer's listener on `listener_port`; building the
    /// API fails if the load balancer, as the API knows it (see [`VpcLinkTarget`]), has no
    /// listener there.
    pub fn route_to_port(mut self, route: Route, listener_port: u16) -> Self {
        self.routes.push((
            route,
            RouteDestination::LoadBalancer(Some(RoutePort {
                listener: listener_port,
                target: None,
            })),
        ));
        self
    }

    /// Also routes everything else: `ANY /{proxy+}` to the service on the primary port,
    /// authorized by `authorization` ([`Authorization::None`] for anyone). This exposes every
    /// endpoint of the service, internal ones included, so it is off unless asked for; it
    /// cannot be combined with routes that have a different variable segment at the root.
    pub fn proxy_all(mut self, authorization: impl Into<Authorization>) -> Self {
        self.proxy_all = Some(authorization.into());
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
    /// of up to `burst` requests (default [`DEFAULT_THROTTLING_RATE`] and
    /// [`DEFAULT_THROTTLING_BURST`]).
    pub fn throttling(mut self, rate: f64, burst: u32) -> Self {
        self.throttling = Some((rate, burst));
        self
    }

    /// No stage throttling: only the account's limits apply (recorded as an exception).
    pub fn without_throttling(mut self) -> Self {
        self.throttling = None;
        self
    }

    /// Turns X-Ray tracing of the stage on or off (on; off is recorded as an exception).
    pub fn tracing(mut self, enabled: bool) -> Self {
        self.tracing = enabled;
        self
    }

    /// Turns CloudWatch method metrics (`MetricsEnabled` for every method) on or off (on; off
    /// is recorded as an exception).
    pub fn metrics(mut self, enabled: bool) -> Self {
        self.metrics = enabled;
        self
    }

    /// Logs every request of the stage as `log` says (by default, a log group of its own kept
    /// [`DEFAULT_ACCESS_LOG_RETENTION`], in [`DEFAULT_ACCESS_LOG_FORMAT`]).
    pub fn access_log(mut self, log: AccessLog) -> Self {
        self.access_log = Some(log);
        self
    }

    /// No access logs (recorded as an exception); no account role is made either.
    pub fn without_access_log(mut self) -> Self {
        self.access_log = None;
        self
    }

    /// How the account's API Gateway CloudWatch role, which access logging needs, is set:
    /// [`AccountRole::Create`] (the default), [`AccountRole::AlreadySet`], or a shared
    /// [`ApiGatewayAccountOutput`] (`.account_role(&account)`).
    pub fn account_role(mut self, role: impl Into<AccountRole>) -> Self {
        self.account_role = role.into();
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
        if let Some(authorization) = &self.proxy_all {
            routes.push((
                Route::any("/{proxy+}").authorized(authorization.clone()),
                RouteDestination::LoadBalancer(None),
            ));
        }
        if routes.is_empty() {
            return Err(Error::NoRoutes {
                api: self.title.clone(),
            });
        }
        let plain: Vec<Route> = routes.iter().map(|(r, _)| r.clone()).collect();
        let valid = validate_routes(&plain)?;
        // one name, one authorizer
        let mut authorizers: BTreeMap<String, (&Authorization, &Route)> = BTreeMap::new();
        for (route, _) in &routes {
            let Some(authorization) = route.authorization() else {
                return Err(Error::MissingAuthorization {
                    route: route.to_string(),
                });
            };
            authorization.validate()?;
            if let Some(name) = authorization.authorizer_name() {
                match authorizers.get(name) {
                    Some((first, first_route)) if *first != authorization => {
                        return Err(Error::ConflictingAuthorizers {
                            name: name.to_owned(),
                            first: first_route.to_string(),
                            second: route.to_string(),
                        });
                    }
                    Some(_) => {}
                    None => {
                        authorizers.insert(name.to_owned(), (authorization, route));
                    }
                }
            }
        }
        valid
            .into_iter()
            .zip(routes.iter())
            .map(|(valid, (route, destination))| {
                let authorization = route
                    .authorization()
                    .cloned()
                    .unwrap_or(Authorization::None);
                match destination {
                    RouteDestination::LoadBalancer(port) => {
                        self.resolve_port(valid, *port, authorization)
                    }
                    RouteDestination::Function(function) => Ok(PortedRoute {
                        route: valid,
                        load_balancer_port: 0,
                        target_port: 0,
                        function: Some(function.clone()),
                        authorization,
                    }),
                }
            })
            .collect()
    }

    /// The load balancer and target ports of `route`, checked against the known listeners.
    fn resolve_port(
        &self,
        route: ValidRoute,
        port: Option<RoutePort>,
        authorization: Authorization,
    ) -> Result<PortedRoute, Error> {
        let Some(target) = &self.target else {
            return Err(Error::NoLoadBalancer {
                route: route.to_string(),
            });
        };
        let primary = &target.primary;
        let Some(port) = port else {
            return Ok(PortedRoute {
                route,
                load_balancer_port: primary.load_balancer_port,
                target_port: primary.target_port,
                function: None,
                authorization,
            });
        };
        let Some(target_port) = target.target_port_of(port.listener) else {
            return Err(Error::UnknownListenerPort {
                route: route.to_string(),
                port: port.listener,
                listening: target.listener_ports().collect(),
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
            function: None,
            authorization,
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

    /// The OpenAPI body this API is built with: each route's integration URI on its own load
    /// balancer port. The VPC link and the load balancer's DNS name are stage variables, so
    /// the body (and the deployment named after it) changes only with the routes, and a
    /// replaced link or load balancer updates the stage in place.
    fn body(&self, routes: &[PortedRoute]) -> Value {
        let timeout_millis = self
            .integration_timeout
            .map(|t| u32::try_from(t.as_millis()).unwrap_or(u32::MAX));
        let mut integration = Integration::new(
            Value::from(format!("${{stageVariables.{VPC_LINK_STAGE_VARIABLE}}}")),
            Value::from(format!(
                "${{stageVariables.{LOAD_BALANCER_DNS_STAGE_VARIABLE}}}"
            )),
            0,
        );
        integration.headers = self.integration_headers.clone();
        integration.timeout_millis = timeout_millis;
        let operations: Vec<Operation> = routes
            .iter()
            .map(|r| Operation {
                route: r.route.clone(),
                destination: match &r.function {
                    Some(f) => Destination::Function {
                        arn: f.arn.clone(),
                        timeout_millis,
                    },
                    None => Destination::LoadBalancer(Integration {
                        port: r.load_balancer_port,
                        ..integration.clone()
                    }),
                },
                authorization: r.authorization.clone(),
            })
            .collect();
        openapi::api_body(&self.title, &self.version, &operations)
    }
}

/// `arn:<partition>:execute-api:<region>:<account>:<api>/<rest>`.
fn execute_api_arn(rest_api: &Handle<RestApi>, rest: &str) -> Value {
    Value::sub_with(
        format!(
            "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{Api}}/{rest}"
        ),
        [("Api", rest_api.r#ref())],
    )
}

/// The part of an execute-api ARN after the stage that matches `route`: `GET/orders/*`
/// (parameters as `*`, `ANY` as `*`, the root as `GET/`).
fn route_arn_path(route: &ValidRoute) -> String {
    let method = match route.method {
        Method::Any => "*",
        m => m.as_str(),
    };
    let path: Vec<&str> = route
        .path
        .segments()
        .iter()
        .map(|s| match s {
            Segment::Literal(l) => l.as_str(),
            Segment::Param(_) | Segment::Greedy(_) => "*",
        })
        .collect();
    format!("{method}/{}", path.join("/"))
}

/// The words of a route for a logical id: `GetOrdersId` for `GET /orders/{id}`.
fn route_words(route: &ValidRoute) -> String {
    let mut out = cloudwright_core::id::logical_id(&[&route.method.as_str().to_ascii_lowercase()]);
    if route.path.segments().is_empty() {
        out.push_str("Root");
    }
    for s in route.path.segments() {
        let text = match s {
            Segment::Literal(l) => l.as_str(),
            Segment::Param(n) | Segment::Greedy(n) => n.as_str(),
        };
        let clean: String = text.chars().filter(char::is_ascii_alphanumeric).collect();
        out.push_str(&cloudwright_core::id::logical_id(&[&clean]));
    }
    out
}

/// A permission for API Gateway to invoke `function` from `source_arn`.
fn invoke_permission(function: &FunctionRef, source_arn: Value) -> Permission {
    Permission::new(PermissionRequired {
        action: "lambda:InvokeFunction".into(),
        function_name: function.arn.clone().into(),
        principal: "apigateway.amazonaws.com".into(),
    })
    .source_arn(source_arn)
}

impl PublicApi {
    /// One permission per route to a function (scoped to that route) and per Lambda
    /// authorizer (scoped to this API's authorizers), so API Gateway may invoke them.
    fn invoke_permissions(
        &self,
        scope: &mut Scope<'_>,
        rest_api: &Handle<RestApi>,
        routes: &[PortedRoute],
    ) -> Result<(), cloudwright_core::Error> {
        let mut authorizers = BTreeMap::new();
        for r in routes {
            if let Some(f) = &r.function {
                let id = format!("Invoke{}{}", f.id, route_words(&r.route));
                let source = execute_api_arn(rest_api, &format!("*/{}", route_arn_path(&r.route)));
                scope.add(&id, invoke_permission(f, source))?;
            }
            if let Authorization::Lambda(l) = &r.authorization {
                authorizers.insert(l.name.clone(), l.function.clone());
            }
        }
        for (name, function) in authorizers {
            let words: String = name
                .split(['-', '_'])
                .map(|w| cloudwright_core::id::logical_id(&[w]))
                .collect();
            let id = format!("Invoke{}Authorizer{}", function.id, words);
            scope.add(
                &id,
                invoke_permission(&function, execute_api_arn(rest_api, "authorizers/*")),
            )?;
        }
        Ok(())
    }

    /// Records on the stage every control that is off: caching always (a cost choice), and
    /// whatever the app turned off.
    fn stage_exceptions(
        &self,
        scope: &mut Scope<'_>,
        stage: &Handle<Stage>,
    ) -> Result<(), cloudwright_core::Error> {
        let mut exceptions = vec![
            Exception::new(
                "no cache cluster: it is billed by the hour whether used or not, and each route \
                 passes every request to its integration",
            )
            .checkov("CKV_AWS_120"),
            no_usage_plan("W63"),
        ];
        if self.access_log.is_none() {
            exceptions.push(
                Exception::new("access logging turned off by the app (without_access_log)")
                    .checkov("CKV_AWS_76")
                    .cfn_nag("W69"),
            );
        }
        if !self.tracing {
            exceptions.push(
                Exception::new("X-Ray tracing turned off by the app (tracing(false))")
                    .checkov("CKV_AWS_73"),
            );
        }
        if !self.metrics {
            exceptions.push(Exception::new(
                "method metrics turned off by the app (metrics(false))",
            ));
        }
        if self.throttling.is_none() {
            exceptions.push(Exception::new(
                "stage throttling turned off by the app (without_throttling): only the \
                 account's limits apply",
            ));
        }
        for e in exceptions {
            scope.add_exception(stage, e)?;
        }
        Ok(())
    }
}

/// One of cfn_nag's usage plan rules (`W63` stage, `W64` REST API, `W68` deployment): usage
/// plans meter callers by API key, and no route of this API requires one.
fn no_usage_plan(cfn_nag_rule: &str) -> Exception {
    Exception::new(
        "no usage plan: usage plans meter callers by API key, and no route requires one (each \
         is public or checked by its authorizer); the stage's throttling limits every caller",
    )
    .cfn_nag(cfn_nag_rule)
}

/// A route a built [`PublicApi`] exposes to the internet.
#[derive(Clone, Debug, PartialEq)]
pub struct ExposedRoute {
    /// The method (`ANY` matches every method).
    pub method: Method,
    /// The path template, as API Gateway matches it (`/{person}/{firstname}`).
    pub path: String,
    /// The stage it is deployed in; the invoke URL's path starts with it.
    pub stage: String,
    /// The load balancer port requests of this route go to (0 for a route to a function).
    pub load_balancer_port: u16,
    /// The service port behind that load balancer port (0 for a route to a function).
    pub target_port: u16,
    /// The id ([`LambdaTarget::function_id`]) of the function serving the route, if a
    /// function does.
    pub function: Option<String>,
    /// Who may call the route.
    pub authorization: Authorization,
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
    /// The VPC link to the load balancer (none for [`PublicApi::for_functions`]).
    pub vpc_link: Option<Handle<VpcLink>>,
    /// The deployment; its logical id ends with the first 8 hex digits of the body's hash.
    pub deployment: Handle<Deployment>,
    /// The stage.
    pub stage: Handle<Stage>,
    /// The access log group, when the API made one.
    pub access_log_group: Option<Handle<LogGroup>>,
    /// The account's API Gateway CloudWatch role, when the API made it
    /// ([`AccountRole::Create`] with access logging on).
    pub account: Option<ApiGatewayAccountOutput>,
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
                function: r.function.as_ref().map(|f| f.id.clone()),
                authorization: r.authorization.clone(),
                required_query: r.route.query.clone(),
                required_headers: r.route.headers.clone(),
            })
            .collect()
    }
}

impl Dependable for PublicApiOutput {
    fn dependency_targets(&self) -> Vec<DepTarget> {
        let mut out = self.rest_api.dependency_targets();
        if let Some(l) = &self.vpc_link {
            out.extend(l.dependency_targets());
        }
        out.extend(self.deployment.dependency_targets());
        out.extend(self.stage.dependency_targets());
        if let Some(g) = &self.access_log_group {
            out.extend(g.dependency_targets());
        }
        if let Some(a) = &self.account {
            out.extend(a.dependency_targets());
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

        let vpc_link = match &self.target {
            Some(target) => {
                let link_name = Value::sub(format!(
                    "${{AWS::StackName}}-{}",
                    scope.logical_id_for("VpcLink")
                ));
                Some(
                    scope.add(
                        "VpcLink",
                        VpcLink::new(VpcLinkRequired {
                            name: link_name.into(),
                            target_arns: vec![target.primary.load_balancer_arn.clone()].into(),
                        })
                        .description(format!(
                            "Links the REST API {} with its load balancer",
                            self.title
                        )),
                    )?,
                )
            }
            None => None,
        };

        let body = self.body(&routes);
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
        scope.add_exception(&rest_api, no_usage_plan("W64"))?;

        // a new logical id whenever the body changes: CloudFormation only deploys a stage
        // when its deployment is replaced, and nothing but the body may cause that; the VPC
        // link and the load balancer are stage variables, not part of the body
        let short = body_hash.get(..8).unwrap_or(&body_hash);
        let deployment = scope.add(
            &format!("Deployment{short}"),
            Deployment::new(rest_api.r#ref())
                .description(format!("Routes of OpenAPI body sha256:{short}")),
        )?;
        scope.add_exception(&deployment, no_usage_plan("W68"))?;

        self.invoke_permissions(scope, &rest_api, &routes)?;

        let mut stage = Stage::new(rest_api.r#ref())
            .stage_name(self.stage_name.as_str())
            .deployment_id(deployment.r#ref());
        if let (Some(link), Some(target)) = (&vpc_link, &self.target) {
            stage = stage.variables(Json(Value::map([
                (VPC_LINK_STAGE_VARIABLE, link.r#ref()),
                (
                    LOAD_BALANCER_DNS_STAGE_VARIABLE,
                    target.primary.dns_name.clone(),
                ),
            ])));
        }
        if self.tracing {
            stage = stage.tracing_enabled(true);
        }
        if self.metrics || self.throttling.is_some() {
            let mut setting = MethodSetting::new().http_method("*").resource_path("/*");
            if self.metrics {
                setting = setting.metrics_enabled(true);
            }
            if let Some((rate, burst)) = self.throttling {
                setting = setting
                    .throttling_rate_limit(rate)
                    .throttling_burst_limit(burst);
            }
            stage = stage.method_settings(vec![setting]);
        }
        let mut access_log_group = None;
        let mut log_group_exception = None;
        if let Some(log) = &self.access_log {
            let arn = match &log.destination {
                AccessLogDestination::Existing(arn) => arn.clone(),
                AccessLogDestination::NewLogGroup { retention } => {
                    let mut group = LogGroup::new().retention_in_days(retention.days());
                    if let Some(key) = &log.kms_key {
                        group = group.kms_key_id(key.clone());
                    }
                    let group = scope.add("AccessLogs", group)?;
                    // access logs outlive the stack: deleting or replacing it keeps them
                    scope.set_deletion_policy(&group, Policy::Retain)?;
                    scope.set_update_replace_policy(&group, Policy::Retain)?;
                    if log.kms_key.is_none() {
                        log_group_exception = Some(group.clone());
                    }
                    let arn = group.arn().into();
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
        if let Some(group) = &log_group_exception {
            scope.add_exception(
                group,
                Exception::new(
                    "encrypted by CloudWatch Logs with its own key; pass a customer-managed key \
                     with AccessLog::encrypted_with",
                )
                .checkov("CKV_AWS_158")
                .cfn_nag("W84")
                .guard("cloudwatch_log_group_encrypted_check"),
            )?;
        }
        let stage = scope.add("Stage", stage)?;
        let account = match (&self.access_log, &self.account_role) {
            (None, _) | (Some(_), AccountRole::AlreadySet) => None,
            (Some(_), AccountRole::Shared(account)) => {
                scope.add_dependency(&stage, account);
                None
            }
            (Some(_), AccountRole::Create) => {
                let account = scope.construct("CloudWatch", ApiGatewayAccount::new())?;
                scope.add_dependency(&stage, &account);
                Some(account)
            }
        };
        self.stage_exceptions(scope, &stage)?;

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
            account,
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
            let mut cert = Certificate::new(domain.name.as_str()).validation_method("DNS");
            if let Some(zone) = hosted_zone_id {
                cert = cert.domain_validation_options(vec![
                    DomainValidationOption::new(domain.name.as_str()).hosted_zone_id(zone.clone()),
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
    let mut mapping = BasePathMapping::new(domain_name.r#ref())
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
