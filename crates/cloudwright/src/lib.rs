//! `cloudwright`: infrastructure as code for AWS, in Rust. One dependency for an app.
//!
//! This crate is the library an app depends on. It re-exports the construct crates, each as a
//! module, and passes the resource service features through to `cloudwright-resources`. The
//! constructs need no feature; a feature adds the typed raw resources of one service beyond
//! the types the constructs use:
//!
//! ```toml
//! [dependencies]
//! cloudwright = "0.1"   # or { version = "0.1", features = ["rds"] } for raw RDS resources
//! ```
//!
//! - [`core`] (`cloudwright-core`): values and intrinsics, constructs, stacks, the app,
//!   synthesis, the app runner ([`run`]), `assertions` for stack tests;
//! - [`resources`] (`cloudwright-resources`): a typed struct per CloudFormation resource type,
//!   one cargo feature per service (this crate has the same features: `s3`, `sqs`, `lambda`,
//!   ..., `full`); the default compiles only the types the construct crates use;
//! - [`network`] (`cloudwright-network`): VPCs, subnets with allocated CIDRs, routing, NAT,
//!   gateway endpoints, security groups;
//! - [`ingress`] (`cloudwright-ingress`): an internal NLB, a REST API exposing only declared
//!   routes, custom domains;
//! - [`compute`] (`cloudwright-compute`): what runs code: ECS on Fargate (autoscaling,
//!   FireLens) and Lambda functions with their code and event sources;
//! - [`iam`] (`cloudwright-iam`): typed policy documents, roles, grants, who-may-what
//!   assertions;
//! - [`data`] (`cloudwright-data`): S3 buckets, DynamoDB tables, SQS queues, SNS topics with
//!   production defaults and grants by intent;
//! - [`patterns`] (`cloudwright-patterns`): whole architectures as one construct
//!   (`PrivateServiceApi`);
//! - [`prelude`]: the names most apps use, `use cloudwright::prelude::*;`.
//!
//! # Why the library is `cloudwright` and the CLI is `cloudwright-cli`
//!
//! An app's build must not compile the AWS SDK: the constructs synthesize offline, and only
//! the command-line toolkit talks to AWS. If one package were both, every app would build the
//! SDK (minutes, and gigabytes of compiler memory). So, as `sqlx`/`sqlx-cli` and
//! `diesel`/`diesel_cli` do, the library takes the short name, which `cargo add cloudwright`
//! finds, and the toolkit is the package `cloudwright-cli` whose binary is still named
//! `cloudwright`: `cargo install cloudwright-cli` installs the `cloudwright` command.
//! Tests use `cloudwright-testing` (cfn-lint, snapshots, the assertions) as a
//! dev-dependency; this crate re-exports nothing of it.
//!
//! ```
//! use cloudwright::prelude::*;
//!
//! /// Builds the app's stacks (`main` calls `cloudwright::run(CONTEXT_FILE, build)`).
//! fn build(app: &mut App) -> Result<(), Error> {
//!     app.set_region("eu-west-1");
//!     let mut stack = app.stack("Network")?;
//!     let vpc = stack.construct("Vpc", NewVpc::new("10.0.0.0/16"))?;
//!     stack.construct("Subnets", Subnets::new(vpc).nat(NatStrategy::Single))?;
//!     Ok(())
//! }
//!
//! let mut app = App::new();
//! build(&mut app)?;
//! let assembly = app.synth()?;
//! assert_eq!(assembly.stacks[0].id, "Network");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use cloudwright_compute as compute;
pub use cloudwright_core as core;
pub use cloudwright_data as data;
pub use cloudwright_iam as iam;
pub use cloudwright_ingress as ingress;
pub use cloudwright_network as network;
pub use cloudwright_patterns as patterns;
pub use cloudwright_resources as resources;

pub use cloudwright_core::{App, Error, run};

/// The names most apps use: `use cloudwright::prelude::*;`.
///
/// The app and its values from `cloudwright-core`, and the main constructs of the network,
/// ingress, compute, IAM, data and patterns crates. Each crate's own error type stays in its module
/// ([`crate::network::Error`], ...); construct errors convert into the core
/// [`crate::core::Error`] with `?`.
pub mod prelude {
    pub use cloudwright_compute::{
        AutoScaling, Cluster, Code, Container, ContainerImage, FargateService, FargateSize,
        FargateTaskDefinition, Function, Runtime, S3EventSource, Schedule, SqsEventSource,
    };
    pub use cloudwright_core::{
        App, Construct, Context, Error, Handle, Output, Policy, RawResource, Scope, StackProps,
        Value,
    };
    pub use cloudwright_data::{
        Billing, Bucket, BucketEncryption, DeadLetterQueue, GlobalIndex, Key, LocalIndex, Queue,
        QueueEncryption, Table, TableEncryption, Topic, TopicEncryption, TopicSubscription,
    };
    pub use cloudwright_iam::{
        Condition, Effect, Grantee, PolicyDocument, Principal, Role, Statement,
    };
    pub use cloudwright_ingress::{Authorization, HealthCheck, InternalNlb, PublicApi, Route};
    pub use cloudwright_network::{
        ExistingVpc, GatewayEndpoint, GatewayService, NatStrategy, NewVpc, SecurityGroup, Subnets,
    };
    pub use cloudwright_patterns::{ApiService, PrivateServiceApi};
}
