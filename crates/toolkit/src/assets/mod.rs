//! The assembly's assets, published before any stack is deployed.
//!
//! - [`publish`]: container image assets built and pushed to ECR (or the registry
//!   [`registry`] names), skipped when the tag is already there;
//! - [`container_tool`]: the user's container tool (docker, podman, buildah or finch);
//! - [`file_assets`]: file (zip) assets uploaded to the assets bucket (created on first use:
//!   encrypted, public access blocked, TLS only, old objects expiring), skipped when the key
//!   is there; [`archive`]: the deterministic zip (sorted entries, fixed timestamps and
//!   modes); [`rust_function`]: a Rust package built for Lambda's `provided.al2023` with
//!   cargo-zigbuild (glibc 2.34), its binary as `bootstrap`;
//! - [`tool_process`]: those external tools run in process groups of their own, stopped on
//!   SIGINT/SIGTERM and after the command's `--timeout`.

pub mod archive;
pub mod container_tool;
pub mod file_assets;
pub mod publish;
pub mod registry;
pub mod rust_function;
pub mod tool_process;

/// The first 12 hex digits of an asset's hash, as messages name the asset.
pub(crate) use cloudwright_core::asset::short_hash as short;
