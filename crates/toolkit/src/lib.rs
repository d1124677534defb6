//! `cloudwright-cli`: the toolkit (binary `cloudwright`) that takes a cloudwright app to AWS.
//!
//! An app (a small binary built on `cloudwright-core`) synthesizes a cloud assembly offline:
//! CloudFormation templates and a `manifest.json`. This crate is everything that talks to AWS,
//! as the CDK's toolkit is to a CDK app, and it is the only crate of the workspace that
//! depends on AWS crates:
//!
//! - [`config`]: where the app, its context file and its assembly are (`cloudwright.json`);
//! - [`app_runner`] and [`synth`]: running the app, performing the context lookups it reports
//!   missing ([`lookup`]: `vpc-provider`, `ecr-image-provider`), writing them to the context
//!   file ([`context_file`]) and running it again;
//! - [`assembly`]: reading the assembly, selecting and ordering stacks;
//! - [`diff`]: synthesized against deployed templates, with replacements ([`facts`]) and
//!   security-relevant changes called out;
//! - [`deploy`] and [`destroy`]: change sets (or direct updates), confirmation, events and
//!   progress ([`events`]), outputs, failures with their first cause and rollback outcome;
//! - [`audit`]: the public surface of each stack (through `cloudwright-audit`), checked against
//!   the declared surface (`"surface"` in `cloudwright.json`) and the bundled policy rules; the
//!   deploy's refusal of undeclared exposure; the stacks' dependency graphs (DOT, SVG);
//! - [`publish`]: the assembly's container image assets built with the user's container tool
//!   ([`container`]: docker, podman, buildah or finch) and pushed to ECR (or to the registry
//!   [`registry`] names) before any stack is deployed;
//! - [`init`]: `cloudwright init`, a new app crate from a template (Cargo.toml on the
//!   `cloudwright` facade and `cloudwright-testing`, a stack, tests, context, surface);
//! - [`hotswap`]: `deploy --hotswap`: what differs between the deployed and the new template,
//!   whether a service's own API can change it in place ([`ecs`]: a task definition's container
//!   images, environment and command), and the fallback to a normal deploy with the reason;
//! - [`watch`]: `cloudwright watch`, the inner loop: a polling file watcher (ignore files
//!   honored), synthesize, publish, hotswap on each change, the services' log events streamed
//!   ([`logs`]: CloudWatch Logs);
//! - [`aws`] and [`error`]: SDK configuration (every request bounded by a timeout) and errors
//!   a user can act on, classified: the template, the service (unavailable), a conflict, an
//!   unknown outcome;
//! - [`interrupt`]: SIGINT/SIGTERM stop the app, delete unexecuted change sets and report each
//!   stack's state; the run marks by which a rerun recognizes what a killed run left;
//! - [`awsapi`], [`ec2`], [`ecr`], [`ecs`] and [`logs`]: the client of our own for EC2 (Query
//!   protocol, XML), ECR, ECS and CloudWatch Logs (`awsJson1_1`): SigV4 signing, the SDK's HTTPS connector, pagination, retries with
//!   backoff; used instead of `aws-sdk-ec2` and `aws-sdk-ecr`, whose builds cost minutes and GBs.
//!
//! AWS access uses aws-config's standard resolution of credentials, region and endpoint
//! (`AWS_ENDPOINT_URL` points it at a local endpoint such as moto), with the SDK's standard
//! retry mode (the client of our own reads the same retry settings). The pure parts (diffing, event interpretation, ordering, capabilities,
//! parameters) are unit-tested without AWS; the rest is tested against `moto_server`.

pub mod app_runner;
pub mod archive;
pub mod assembly;
pub mod audit;
pub mod aws;
pub mod awsapi;
pub mod config;
pub mod container;
pub mod context_file;
pub mod deploy;
pub mod destroy;
pub mod diff;
pub mod ec2;
pub mod ecr;
pub mod ecs;
pub mod error;
pub mod events;
pub mod facts;
pub mod file_assets;
pub mod hotswap;
pub mod init;
pub mod interrupt;
pub mod logs;
pub mod lookup;
pub mod migrate;
pub mod publish;
pub mod registry;
pub mod rust_function;
pub mod stacks;
pub mod synth;
pub mod ui;
pub mod watch;

pub use error::{Error, Result};
