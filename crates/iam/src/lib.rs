//! `cloudwright-iam`: AWS Identity and Access Management as typed values and constructs.
//!
//! - [`PolicyDocument`], [`Statement`], [`Effect`], [`Principal`], [`Condition`]: policy
//!   documents built from types instead of JSON. Actions are checked for the shape
//!   `service:Action`, identity statements must name resources (`*` only through
//!   [`Statement::all_resources`]), resource and trust statements must name a principal
//!   (everyone only through [`Principal::any`]). They render to the [`Value`](cloudwright_core::Value)
//!   / [`Json`](cloudwright_core::Json) the generated `AWS::IAM::*`, bucket, queue and topic
//!   policy types take.
//! - [`Role`]: an `AWS::IAM::Role` assumed by a principal, with managed policies and inline
//!   statements.
//! - [`Grantee`] and [`grant`]: anything with a role (a [`RoleOutput`], a role handle, a
//!   Fargate task definition, a Lambda function) receives grants; a grant attaches exactly
//!   the statements it names to that role as one `AWS::IAM::Policy`, with a logical id
//!   derived from the role and the grant.
//! - [`assertions`]: "may this role do that on this resource", "who may", asked of a
//!   synthesized template in a test.
//!
//! Pure: nothing here calls AWS. Whether an action exists in its service is checked at
//! synthesis by `cloudwright-resources`; this crate checks its form.

pub mod assertions;
mod document;
mod error;
mod grant;
mod role;

pub use document::{
    Condition, Effect, POLICY_VERSION, PolicyDocument, Principal, Statement,
    deny_insecure_transport, is_action,
};
pub use error::Error;
pub use grant::{Grant, Grantee, grant};
pub use role::{Role, RoleOutput, RoleRef, aws_managed_policy};
