//! The assembly's assets, published before any stack is deployed.
//!
//! - [`publish`]: container image assets built and pushed to ECR (or the registry
//!   [`registry`] names), skipped when the tag is already there;
//! - [`container_tool`]: the user's container tool (docker, podman, buildah or finch).

pub mod container_tool;
pub mod publish;
pub mod registry;
