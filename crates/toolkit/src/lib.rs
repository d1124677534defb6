//! `cloudwright-cli`: the toolkit (binary `cloudwright`) that takes a cloudwright app to AWS.
//!
//! An app (a small binary built on `cloudwright-core`) synthesizes a cloud assembly offline:
//! CloudFormation templates and a `manifest.json`. This crate is everything that talks to AWS,
//! as the CDK's toolkit is to a CDK app, and it is the only crate of the workspace that
//! depends on AWS crates. Its modules are grouped by job:
//!
//! - [`app`]: running the app and what it produced: the app process (timeout, capped
//!   output, its own process group), context lookups and the context file (written under a
//!   lock), each run's own assembly directory, reading the assembly (every template checked
//!   against the manifest's hash), selecting and ordering stacks;
//! - [`cloudformation`]: stacks through CloudFormation: diff (replacements from the schemas'
//!   facts), deploy and destroy (change sets or direct updates, events and progress, typed
//!   stack states, what a destroy kept), weak references and the export lock, hotswap, drift;
//! - [`assets`]: container image assets built with the user's container tool and pushed to
//!   ECR (or the registry configured) before any stack is deployed;
//! - [`aws`]: access to AWS: SDK configuration (every request bounded by a timeout), each
//!   stack's account checked against the caller identity (the role to assume per account),
//!   and the client of our own for the Query and JSON APIs (EC2, ECR, ECS, CloudWatch Logs,
//!   STS) instead of SDK crates whose builds cost minutes and GBs;
//! - the commands beside those: [`config`] (`cloudwright.json`), [`audit`] and [`graph`]
//!   (the public surface, the deploy's exposure check, dependency graphs), [`init`] and
//!   [`migrate`] (new apps, apps from templates), [`watch`] (the inner loop), [`interrupt`]
//!   (SIGINT/SIGTERM: the app stopped, unexecuted change sets deleted, each stack's state
//!   said), [`ui`] and [`error`] (errors a user can act on, classified: the template, the
//!   service, a conflict, an unknown outcome).
//!
//! AWS access uses aws-config's standard resolution of credentials, region and endpoint
//! (`AWS_ENDPOINT_URL` points it at a local endpoint such as moto), with the SDK's standard
//! retry mode (the client of our own reads the same retry settings). The pure parts (diffing,
//! event interpretation, ordering, capabilities, parameters) are unit-tested without AWS; the
//! rest is tested against `moto_server`, with faults injected by a proxy in front of it.

pub mod app;
pub mod assets;
pub mod audit;
pub mod aws;
pub mod cloudformation;
pub mod config;
pub mod error;
pub mod graph;
pub mod init;
pub mod interrupt;
pub mod migrate;
pub mod ui;
pub mod watch;

pub use error::{Error, Result};
