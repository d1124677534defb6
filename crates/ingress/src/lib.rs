//! `cloudwright-ingress`: what admits traffic. Load balancers and their targets, API Gateway
//! APIs with routes to services or Lambda functions, authorizers, custom domains; only what is
//! declared is reachable, and every route says who may call it.
//!
//! A service in private subnets sits behind an [`InternalNlb`], a network load balancer with
//! the `internal` scheme that nothing outside the VPC can reach. A [`PublicApi`], an API
//! Gateway REST API, reaches that load balancer through a VPC link and forwards only the
//! routes it declares; every other endpoint of the service stays private to callers inside
//! the VPC. The same API routes to Lambda functions ([`PublicApi::route_to_function`], or
//! [`PublicApi::for_functions`] without a load balancer): any function construct implementing
//! [`LambdaTarget`] (its ARN and a stable id), each with a permission scoped to its route.
//!
//! Every route chooses its [`Authorization`]: [`Route::public`] for anyone, or
//! [`Route::authorized`] with [`Authorization::Iam`], a [`CognitoAuthorizer`] or a
//! [`LambdaAuthorizer`] (TOKEN or REQUEST). A route that says neither does not build
//! ([`Error::MissingAuthorization`]): forgetting is never a silent `NONE`.
//!
//! - [`InternalNlb`] (load balancer, IP target group with an HTTP health check, TCP
//!   listeners, DNS name output) and its [`InternalNlbOutput`].
//! - [`routes`]: routes as data (`GET /{person}/{firstname}`) and validated path templates.
//! - [`openapi`]: the OpenAPI 3.0 body with API Gateway's integration extensions.
//! - [`PublicApi`] (VPC link, REST API, deployment, stage, outputs) and what it
//!   exposes ([`PublicApiOutput::exposed_routes`]); one API can route to several listeners of
//!   its load balancer ([`PublicApi::route_to`]), since a network load balancer can be the
//!   target of only one REST API VPC link.
//! - [`ApiGatewayAccount`]: the account and region's API Gateway CloudWatch role that access
//!   logging needs, and [`AccountRole`] (how a [`PublicApi`] gets it).
//! - [`CustomDomain`]: a domain name, its certificate and base path mapping.
//! - [`Authorization`], [`CognitoAuthorizer`], [`LambdaAuthorizer`], [`IdentitySource`]: who
//!   may call a route, written as OpenAPI security schemes in the body.
//! - [`LambdaTarget`]: what a function offers routes and authorizers.
//!
//! Errors are [`Error`]; `?` turns them into the core error, which names the construct path
//! (match on the variant with [`cloudwright_core::Error::downcast_ref`]).
//!
//! ```
//! use cloudwright_core::App;
//! use cloudwright_ingress::{InternalNlb, PublicApi, Route};
//! use cloudwright_network::SubnetGroup;
//!
//! let app = App::new();
//! let mut stack = app.stack("People")?;
//! // the subnets normally come from the network crate: `network.private()`
//! let private = SubnetGroup::imported("vpc-0123abcd", [("subnet-0000000a", "10.0.1.0/24"), ("subnet-0000000b", "10.0.2.0/24")]);
//! let nlb = stack.construct("Ingress", InternalNlb::new(&private, 80))?;
//! let api = stack.construct(
//!     "Api",
//!     PublicApi::new("person-identifier", &nlb).route(Route::get("/{person}/{firstname}").public()),
//! )?;
//! assert_eq!(api.exposed_routes()[0].target_port, 80);
//! let assembly = app.synth()?;
//! assert!(assembly.stacks[0].template.contains("AWS::ApiGateway::VpcLink"));
//! # Ok::<(), cloudwright_core::Error>(())
//! ```

mod account;
mod api;
mod authorizer;
mod domain;
mod error;
mod function;
mod nlb;
pub mod openapi;
pub mod routes;

pub use account::{
    AccountRole, ApiGatewayAccount, ApiGatewayAccountOutput, PUSH_TO_CLOUDWATCH_LOGS_POLICY,
};
pub use api::{
    AccessLog, AccessLogDestination, ApiTarget, DEFAULT_ACCESS_LOG_FORMAT,
    DEFAULT_ACCESS_LOG_RETENTION, DEFAULT_THROTTLING_BURST, DEFAULT_THROTTLING_RATE, ExposedRoute,
    LOAD_BALANCER_DNS_STAGE_VARIABLE, PublicApi, PublicApiOutput, VPC_LINK_STAGE_VARIABLE,
    VpcLinkTarget,
};
pub use authorizer::{
    Authorization, CognitoAuthorizer, DEFAULT_AUTHORIZER_TTL, IAM_SCHEME, IdentitySource,
    LambdaAuthorizer,
};
pub use domain::{CertificateSource, CustomDomain, CustomDomainOutput, EndpointType};
pub use error::Error;
pub use function::LambdaTarget;
pub use nlb::{HealthCheck, InternalNlb, InternalNlbOutput, LoadBalancerTarget, NlbPort};
pub use routes::{Method, PathTemplate, Route};
