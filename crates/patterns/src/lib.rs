//! `cloudwright-patterns`: whole architectures as one construct, composed from the network,
//! ingress and compute crates, every piece still reachable for adjustment.
//!
//! - [`PrivateServiceApi`]: ECS services on Fargate in private subnets behind one internal
//!   Network Load Balancer, reachable from the internet only through the routes an API
//!   Gateway REST API declares (one VPC link, one listener per service), scaling with load.
//!
//! A pattern adds no resource type of its own: it wires constructs of the other crates, so
//! those crates never depend on each other only to offer a pattern (compute runs code and
//! does not need API Gateway).

mod error;
mod private_api;

pub use error::Error;
pub use private_api::{ApiService, ApiServiceOutput, PrivateServiceApi, PrivateServiceApiOutput};

/// The README's example, compiled and run as a doctest so that it keeps building.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
