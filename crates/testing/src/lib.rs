//! `cloudwright-testing`: testing the stacks of a cloudwright app.
//!
//! A dev-dependency for an app's tests (`cargo add --dev cloudwright-testing`):
//!
//! - [`lint`]: cfn-lint on a synthesized template, stack or whole assembly, with
//!   [`assert_lint_clean`], [`assert_lint_clean_informational`] (cfn-lint's informational
//!   checks too), [`assert_lint_no_errors`], [`assert_stack_lint_clean`] and
//!   [`assert_assembly_lint_clean`]. cfn-lint is found through `$CFN_LINT`, a `.venv` at the
//!   crate's directory or any directory above it (the project or workspace root), or `PATH`;
//!   when it is missing the error says how to install it (`pip install cfn-lint==1.51.0`, the
//!   version cloudwright's generated types are checked against).
//! - [`assertions`] (re-exported from `cloudwright-core`): [`Template`] with
//!   `resource_count_is`, `has_resource_properties`, `has_output`, ...; [`Match`] patterns; and
//!   [`snapshot`], which compares a template with a reviewed file
//!   (`CLOUDWRIGHT_UPDATE_SNAPSHOTS=1 cargo test` writes it).
//!
//! - [`fixtures`]: what construct tests share: [`fixtures::PRIVATE_SUBNETS`] of
//!   [`fixtures::VPC_ID`], [`fixtures::one_construct`] (a stack holding one construct,
//!   synthesized), [`fixtures::TempDir`].
//!
//! It depends on nothing but `cloudwright-core`: no demo app, no audit, no AWS.
//!
//! ```no_run
//! use cloudwright_core::{App, RawResource};
//! use cloudwright_testing::{Template, assert_stack_lint_clean};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let app = App::new();
//! app.stack("Shop")?.add("Orders", RawResource::new("AWS::SQS::Queue"))?;
//! let assembly = app.synth()?;
//! Template::from_stack(&assembly, "Shop")?.resource_count_is("AWS::SQS::Queue", 1)?;
//! assert_stack_lint_clean(&assembly, "Shop"); // panics with cfn-lint's findings
//! # Ok(())
//! # }
//! ```

pub mod fixtures;
pub mod lint;

pub use cloudwright_core::assertions::{self, AssertionError, Match, Template, snapshot};
pub use lint::{
    CFN_LINT_INSTALL, Error, assert_assembly_lint_clean, assert_lint_clean,
    assert_lint_clean_informational, assert_lint_no_errors, assert_stack_lint_clean, cfn_lint,
    lint_assembly, lint_files, lint_stack, lint_template,
};
