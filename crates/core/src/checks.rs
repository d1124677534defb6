//! The schema and region checks of a stack's resources ([`Resource::check`] and
//! [`Resource::check_region`]), run by one thread, or shared in chunks by two threads for a
//! large stack. Either way the error reported is the one of the first failing resource in the
//! stack's order.
//!
//! [`Resource::check`]: crate::Resource::check
//! [`Resource::check_region`]: crate::Resource::check_region

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::error::Error;
use crate::stack::StackData;

/// How many resources a thread claims at a time.
const CHUNK: usize = 16;

/// The checks of one stack's resources, which any number of threads may [`run`](Self::run)
/// together.
pub(crate) struct Checks<'s> {
    stack: &'s StackData,
    /// The first resource of the next chunk nobody has claimed.
    next: AtomicUsize,
    /// The first resource found failing (by index) and its error.
    failed: Mutex<Option<(usize, Error)>>,
}

impl<'s> Checks<'s> {
    /// The checks of `stack`'s resources, none run yet.
    pub(crate) fn new(stack: &'s StackData) -> Self {
        Checks {
            stack,
            next: AtomicUsize::new(0),
            failed: Mutex::new(None),
        }
    }

    /// Checks chunks of resources no other thread has claimed, until none is left or a
    /// resource before the next chunk has failed. Every chunk claimed is checked up to its
    /// first failure, so once all threads are done the failure kept is the stack's first.
    pub(crate) fn run(&self) {
        let resources = &self.stack.resources;
        let region = self.stack.props.region.as_deref();
        loop {
            let start = self.next.fetch_add(CHUNK, Ordering::Relaxed);
            if start >= resources.len() || self.failed_before(start) {
                return;
            }
            let end = (start + CHUNK).min(resources.len());
            for (i, r) in resources[start..end].iter().enumerate() {
                let checked =
                    (r.check)(&r.properties).and_then(|()| (r.check_region)(&r.properties, region));
                if let Err(violation) = checked {
                    let error = Error::Constraint(Box::new(crate::violation::ResourceViolation {
                        stack: self.stack.id.to_string(),
                        logical_id: r.logical_id.clone(),
                        path: format!("{}/{}", self.stack.id, r.path),
                        type_name: r.type_name.clone(),
                        violation,
                    }));
                    self.record(start + i, error);
                    return;
                }
            }
        }
    }

    /// The first failure, once every thread that ran the checks is done.
    pub(crate) fn finish(self) -> Result<(), Error> {
        match self
            .failed
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
        {
            Some((_, error)) => Err(error),
            None => Ok(()),
        }
    }

    fn failed_before(&self, index: usize) -> bool {
        let failed = self.failed.lock().unwrap_or_else(PoisonError::into_inner);
        matches!(&*failed, Some((i, _)) if *i < index)
    }

    fn record(&self, index: usize, error: Error) {
        let mut failed = self.failed.lock().unwrap_or_else(PoisonError::into_inner);
        if !matches!(&*failed, Some((i, _)) if *i < index) {
            *failed = Some((index, error));
        }
    }
}
