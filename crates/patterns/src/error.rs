//! The one error type of the patterns.

impl From<Error> for cloudwright_core::Error {
    /// Lets `?` turn a pattern's error into the core error; the scope that built the
    /// construct adds its path.
    fn from(e: Error) -> Self {
        cloudwright_core::Error::construct(e)
    }
}

/// What the patterns reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A [`PrivateServiceApi`](crate::PrivateServiceApi) with no service.
    #[error("the API has no service behind it; add one with `.service(...)`")]
    NoServices,
    /// A service's port has no listener on the load balancer (an adjustment removed it).
    #[error("the load balancer has no listener on port {port} for the service")]
    NoListenerForPort {
        /// The service's port.
        port: u16,
    },
    /// [`PrivateServiceApiOutput::service`](crate::PrivateServiceApiOutput::service) asked for
    /// an id no service has.
    #[error("the API has no service `{id}` (its services: {known}){hint}")]
    NoSuchService {
        /// The id asked for.
        id: String,
        /// The services' ids, comma-separated.
        known: String,
        /// `; did you mean ...?` when one is close, else empty.
        hint: String,
    },
}
