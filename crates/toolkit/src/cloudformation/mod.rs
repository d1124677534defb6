//! Stacks through CloudFormation.
//!
//! - [`diff`]: synthesized against deployed templates, replacements ([`facts`]: create-only
//!   properties from the resource schemas) and security-relevant changes called out;
//! - [`deploy`] and [`destroy`]: change sets or direct updates, confirmation, events and
//!   progress ([`events`]), typed stack states ([`stacks`]), failures with their first cause
//!   and rollback outcome, what a destroy kept;
//! - [`environment`]: each stack's resolved account and region; lookup values answered by
//!   another account and imports across accounts or regions, refused before any change;
//! - [`weak`]: weak references filled from the producers' outputs at deploy; [`export_lock`]:
//!   an update removing or changing an export still imported, refused before any change;
//! - [`hotswap`]: `deploy --hotswap`, a task definition's images, environment and command
//!   changed through ECS's own API, or the reason for a normal deploy;
//! - [`drift`]: `cloudwright drift`.

pub mod deploy;
pub mod destroy;
pub mod diff;
pub mod drift;
pub mod environment;
pub mod events;
pub mod export_lock;
pub mod facts;
pub mod hotswap;
pub mod stacks;
pub mod weak;
