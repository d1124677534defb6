//! Running the app and what it produced.
//!
//! - [`runner`]: the app command, in its own process group, under a timeout, its output
//!   captured up to a cap; [`synth`]: run it, perform the lookups it reports missing
//!   ([`lookup`]: `vpc-provider`, `ecr-image-provider`, in the stack's account), write them
//!   to the context file ([`context_file`], read-merge-write under a lock) and run it again;
//! - [`run_dir`]: each synthesis run's own assembly directory, published to the out
//!   directory afterwards, so a deploy ships what its own run synthesized;
//! - [`assembly`]: the manifest (version, unique stacks, valid names) and every template,
//!   checked against the manifest's hash; selecting and ordering stacks.

pub mod assembly;
pub mod context_file;
pub mod lookup;
pub mod run_dir;
pub mod runner;
pub mod synth;
