//! The one error type of the audit.

/// What the audit rejects. Odd property values inside a valid template are never errors: they
/// are reported as gaps in the surface; only input that is not a template at all is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not JSON (YAML templates are not read).
    #[error(
        "the template is not JSON ({reason}); YAML templates are not read: convert with `cfn-flip` first"
    )]
    NotJson {
        /// What the JSON parser said.
        reason: String,
    },
    /// The JSON is not a CloudFormation template.
    #[error("not a CloudFormation template: {0}")]
    NotATemplate(String),
    /// A resource entry is malformed (not an object, or no `Type`).
    #[error("resource `{resource}`: {message}")]
    InvalidResource {
        /// The logical id.
        resource: String,
        /// What is wrong.
        message: String,
    },
    /// A declaration of the intended surface could not be read.
    #[error("invalid surface declaration: {0}")]
    Declaration(String),
    /// A severity name that does not exist.
    #[error("unknown severity `{0}` (expected error, warning or info)")]
    UnknownSeverity(String),
    /// A report could not be serialized.
    #[error("cannot serialize the report: {0}")]
    Serialize(String),
}
