//! The one error type of `cloudwright-core`.

use std::path::PathBuf;

/// Everything that can go wrong while building constructs, synthesizing or writing an assembly.
///
/// Every variant names where the problem is (stack, construct path, logical id, property path or
/// file) so the message can be acted on without a debugger.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A construct, resource, output or stack id is not a valid CloudFormation logical id.
    #[error("invalid id `{id}` at `{path}`: {reason}")]
    InvalidId {
        /// The construct path where the id was given.
        path: String,
        /// The offending id.
        id: String,
        /// Why it is invalid.
        reason: String,
    },
    /// Two constructs or resources would get the same logical id.
    #[error("duplicate logical id `{logical_id}` in stack `{stack}`: `{first}` and `{second}`")]
    DuplicateId {
        /// The stack.
        stack: String,
        /// The logical id both would get.
        logical_id: String,
        /// The construct path that claimed it first.
        first: String,
        /// The construct path that claimed it second.
        second: String,
    },
    /// Two stacks with the same id or stack name.
    #[error("duplicate stack `{0}`")]
    DuplicateStack(String),
    /// A handle was used with a scope of another stack where only the same stack makes sense.
    #[error(
        "`{logical_id}` belongs to stack `{handle_stack}` and cannot be configured from stack `{scope_stack}`"
    )]
    ForeignHandle {
        /// The handle's logical id.
        logical_id: String,
        /// The stack the handle belongs to.
        handle_stack: String,
        /// The stack of the scope it was used with.
        scope_stack: String,
    },
    /// A `Ref`, `Fn::GetAtt` or `${..}` points at nothing.
    #[error(
        "dangling reference in stack `{stack}`: `{referrer}` at `{property}` refers to `{target}`, which does not exist"
    )]
    DanglingReference {
        /// The stack.
        stack: String,
        /// The logical id (or `Outputs.X`) that holds the reference.
        referrer: String,
        /// The property path of the reference.
        property: String,
        /// The missing target.
        target: String,
    },
    /// A reference to a condition or mapping that is not declared.
    #[error("`{referrer}` in stack `{stack}` uses {kind} `{name}`, which is not declared")]
    UnknownName {
        /// The stack.
        stack: String,
        /// Who uses it.
        referrer: String,
        /// `condition` or `mapping`.
        kind: &'static str,
        /// The undeclared name.
        name: String,
    },
    /// An `Fn::Sub` template with an unterminated `${`.
    #[error(
        "`{referrer}` in stack `{stack}` at `{property}`: unterminated `${{` at byte {offset} of Fn::Sub template `{template}`"
    )]
    InvalidSub {
        /// The stack.
        stack: String,
        /// Who holds the template.
        referrer: String,
        /// The property path.
        property: String,
        /// The template.
        template: String,
        /// Byte offset of the unterminated placeholder.
        offset: usize,
    },
    /// The resources of a stack depend on each other in a cycle.
    #[error("dependency cycle in stack `{stack}`: {cycle}")]
    Cycle {
        /// The stack.
        stack: String,
        /// The cycle, `A -> B (Ref at X) -> A`.
        cycle: String,
    },
    /// Stacks depend on each other in a cycle.
    #[error("stacks depend on each other in a cycle: {0}")]
    StackCycle(String),
    /// A CloudFormation quota is exceeded.
    #[error("stack `{stack}` has {actual} {what}; CloudFormation allows at most {limit}")]
    Limit {
        /// The stack.
        stack: String,
        /// What is counted (`resources`, `outputs`, ...).
        what: &'static str,
        /// The quota.
        limit: usize,
        /// The count.
        actual: usize,
    },
    /// Two outputs export the same name.
    #[error("export name `{name}` is used by both `{first}` and `{second}`")]
    DuplicateExport {
        /// The export name.
        name: String,
        /// `Stack.Output` that exports it first.
        first: String,
        /// `Stack.Output` that exports it second.
        second: String,
    },
    /// A construct needs a context value that is not there.
    #[error(
        "missing context key `{key}` (provider `{provider}`): run `cloudwright lookup` to fill it from AWS, or add it to {file}"
    )]
    MissingContext {
        /// The key.
        key: String,
        /// The lookup provider that can fill it.
        provider: String,
        /// The context file it belongs in.
        file: String,
    },
    /// A context value exists but does not have the expected shape.
    #[error("context key `{key}` in {file}: {message}")]
    InvalidContext {
        /// The key.
        key: String,
        /// The context file (or `-c` flag) it came from.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A context file that cannot be read or parsed.
    #[error("context file {}: {message}", file.display())]
    ContextFile {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A command-line flag of the app runner is wrong.
    #[error("{0}")]
    Usage(String),
    /// A literal property value breaks a constraint of its type's schema (pattern, enum,
    /// range, length, item count, required property, ...), found at synthesis.
    #[error("{0}")]
    Constraint(Box<crate::violation::ResourceViolation>),
    /// A construct rejected its input.
    #[error("{path}: {message}")]
    Invalid {
        /// The construct path.
        path: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// An error from a construct crate, kept whole so a caller can downcast and match it.
    #[error("{path}: {source}")]
    Construct {
        /// The construct path where it happened.
        path: String,
        /// The construct crate's own error.
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
}

impl Error {
    /// Wraps a construct crate's error with the path of the construct that raised it.
    pub fn construct(
        path: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Construct {
            path: path.into(),
            source: Box::new(source),
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
