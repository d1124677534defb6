//! Fixtures construct tests share: subnets of a VPC made elsewhere, a stack holding one
//! construct, a temporary directory.
//!
//! ```
//! use cloudwright_core::{Construct, RawResource, Scope};
//! use cloudwright_testing::fixtures::{self, PRIVATE_SUBNETS, VPC_ID};
//!
//! /// The construct under test.
//! struct Orders;
//! impl Construct for Orders {
//!     type Output = ();
//!     fn build(self, scope: &mut Scope<'_>) -> Result<(), cloudwright_core::Error> {
//!         scope.add("Queue", RawResource::new("AWS::SQS::Queue"))?;
//!         Ok(())
//!     }
//! }
//!
//! assert_eq!(PRIVATE_SUBNETS.len(), 2);
//! assert!(VPC_ID.starts_with("vpc-"));
//! let (text, template) = fixtures::one_construct("Test", "Orders", Orders)?;
//! template.resource_count_is("AWS::SQS::Queue", 1)?;
//! assert!(text.contains("OrdersQueue"));
//! let dir = fixtures::TempDir::new("example")?;
//! assert!(dir.path().is_dir());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};

use cloudwright_core::assertions::Template;
use cloudwright_core::{App, Construct};

use crate::lint::Error;

/// The id of a VPC made elsewhere, for [`PRIVATE_SUBNETS`]
/// (`SubnetGroup::imported(VPC_ID, PRIVATE_SUBNETS)` in the network crate).
pub const VPC_ID: &str = "vpc-0a1b2c3d";

/// Two private subnets of [`VPC_ID`] in two zones: id and IPv4 block.
pub const PRIVATE_SUBNETS: [(&str, &str); 2] = [
    ("subnet-0aaaaaaaaaaaaaaaa", "10.0.1.0/24"),
    ("subnet-0bbbbbbbbbbbbbbbb", "10.0.2.0/24"),
];

/// Synthesizes an app of one stack `stack` holding `construct` as `id`: the template's text
/// and the template for assertions. Errors are the build's or the synthesis's, naming the
/// construct path (match a construct crate's error with
/// [`cloudwright_core::Error::downcast_ref`]).
pub fn one_construct<C: Construct>(
    stack: &str,
    id: &str,
    construct: C,
) -> Result<(String, Template), cloudwright_core::Error> {
    let app = App::new();
    app.stack(stack)?.construct(id, construct)?;
    let assembly = app.synth()?;
    let text = assembly
        .stacks
        .iter()
        .find(|s| s.id == stack)
        .map(|s| s.template.clone())
        .unwrap_or_default();
    let template = Template::parse(&text).map_err(cloudwright_core::Error::construct)?;
    Ok((text, template))
}

/// A fresh, empty temporary directory, removed with what it holds when dropped.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates one in the system's temporary directory whose name starts with
    /// `cloudwright-<prefix>-`, unique within and across processes.
    pub fn new(prefix: &str) -> Result<TempDir, Error> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "cloudwright-{prefix}-{}-{}-{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
            path: dir.clone(),
            source,
        })?;
        Ok(TempDir(dir))
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
