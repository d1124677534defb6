//! `cloudwright-core`: the construct tree at the heart of cloudwright.
//!
//! Everything else builds on five ideas, kept small on purpose:
//!
//! - [`Value`]: a CloudFormation value, literal or intrinsic, that serializes to exactly the
//!   JSON CloudFormation expects; typed wrappers ([`Str`], [`Int`], [`Bool`], [`List`], ...) make
//!   generated resource properties reject the wrong kind of literal at compile time.
//! - [`Resource`] and [`Handle`]: a resource type, and what adding one returns: typed `Ref` and
//!   `Fn::GetAtt` getters (through `Deref` to the type's generated attributes).
//! - [`Construct`] and [`Scope`]: the unit of reuse, and the node of the construct tree it
//!   builds into. Logical ids are construct paths in PascalCase.
//! - [`App`]: stacks, the [`Context`] they read, and synthesis. A reference from one stack into
//!   another becomes an export and an `Fn::ImportValue`, and orders the stacks.
//! - The dependency graph ([`graph`]): every `Ref`, `Fn::GetAtt`, `${..}` and declared
//!   dependency (written as data in a [`Json`] value too); dangling references and cycles
//!   are errors; `DependsOn` is emitted as a transitive reduction.
//!
//! Construct crates never call AWS and never print. An app's `main` calls [`run`].
//!
//! ```
//! use cloudwright_core::{App, Output, RawResource, Value};
//!
//! let app = App::new();
//! let mut stack = app.stack("Demo")?;
//! let queue = stack.add("Queue", RawResource::new("AWS::SQS::Queue"))?;
//! let alarm = stack.add(
//!     "Alarm",
//!     RawResource::new("AWS::SNS::Topic").property("DisplayName", queue.r#ref()),
//! )?;
//! stack.add_output("AlarmTopic", Output::new(alarm.r#ref()))?;
//! let assembly = app.synth()?;
//! assert!(assembly.stacks[0].template.contains(r#""Ref": "Queue""#));
//! # Ok::<(), cloudwright_core::Error>(())
//! ```

mod app;
pub mod assembly;
pub mod assertions;
pub mod asset;
mod construct;
pub mod context;
mod dot;
mod error;
mod exception;
pub mod graph;
pub mod id;
pub mod map;
mod pretty_json;
mod resource;
pub mod runner;
pub mod sha256;
mod stack;
mod synth;
pub mod value;
pub mod violation;
pub mod yaml;

pub use app::App;
pub use assembly::{Assembly, Formats, Manifest, ManifestStack, StackArtifact, WeakReference};
pub use asset::{Architecture, DockerImageAsset, DockerImageSource, FileAsset, FileAssetSource};
pub use construct::{
    ConditionHandle, Construct, ConstructRef, Dependable, MappingHandle, ParameterHandle, Scope,
};
pub use context::{Context, ContextQuery, LOOKUP_ACCOUNTS, MissingContext};
pub use error::{ConstructError, CrossEnvironment, Error, Result};
pub use exception::Exception;
pub use resource::{Handle, Policy, RawAttributes, RawResource, Resource, ResourceRef, TagFormat};
pub use runner::run;
pub use stack::{DepTarget, Mapping, Output, Parameter, StackProps};
pub use synth::limits;
pub use value::{Bool, Int, Json, List, Map, Num, Pseudo, Reference, Str, ToValue, Value};
pub use violation::{ResourceViolation, Violation};
