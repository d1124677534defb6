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
        "dangling reference in stack `{stack}`: `{referrer}` at `{property}` refers to `{target}`, which does not exist{}",
        did_you_mean(suggestion)
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
        /// The closest logical id or parameter that does exist, when one is near (boxed, to
        /// keep `Error` small).
        suggestion: Option<Box<str>>,
    },
    /// A reference that names no stack (`Value::r#ref("X")`, or `{"Ref": "X"}` read from
    /// JSON) to a logical id that is not in its own stack but in several others.
    #[error(
        "ambiguous reference in stack `{stack}`: `{referrer}` at `{property}` refers to `{target}`, which is not in this stack but in stacks {}; use the typed reference of the one meant (`handle.r#ref()`, `handle.get_att(..)`), which names its stack",
        stacks.join(", ")
    )]
    AmbiguousReference {
        /// The stack.
        stack: String,
        /// The logical id (or `Outputs.X`) that holds the reference.
        referrer: String,
        /// The property path of the reference.
        property: String,
        /// The logical id referred to.
        target: String,
        /// The stacks (by id) that hold it, sorted.
        stacks: Box<[String]>,
    },
    /// An intrinsic function written as data (a map whose only key is `Ref` or `Fn::...`)
    /// that synthesis cannot honour as a reference: malformed (`{"Ref": 5}`, a `Fn::GetAtt`
    /// of one item), without a typed form (`Fn::ToJsonString`), or a map built by hand
    /// (`Value::map([("Ref", ..)])`), which would be written without being checked.
    /// [`Value::from_json`](crate::Value::from_json) turns well-formed ones into their typed
    /// forms.
    #[error(
        "`{referrer}` in stack `{stack}` at `{property}`: `{intrinsic}` written as data {problem}"
    )]
    IntrinsicAsData {
        /// The stack.
        stack: String,
        /// The logical id (or `Outputs.X`) that holds it.
        referrer: String,
        /// The property path of the map.
        property: String,
        /// The intrinsic function's name (`Fn::GetAtt`; boxed, to keep `Error` small).
        intrinsic: Box<str>,
        /// What is wrong with it, and the typed form to write instead.
        problem: String,
    },
    /// A reference from one stack into another stack of another region or account: an export
    /// can only be imported in its own account and region, so it would fail at deploy.
    #[error("{0}")]
    CrossEnvironmentReference(Box<CrossEnvironment>),
    /// [`Scope::weak_ref`](crate::Scope::weak_ref) was given something other than a reference
    /// to a resource of another stack.
    #[error(
        "weak_ref in stack `{stack}`: {message}; it takes a `Ref` or `Fn::GetAtt` of a resource in another stack (`handle.r#ref()`, `handle.get_att(..)`)"
    )]
    InvalidWeakRef {
        /// The stack.
        stack: String,
        /// What was given.
        message: String,
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
    #[error("{}{message}", prefix(path))]
    Invalid {
        /// The construct path, `Stack/Construct/...` (empty until the scope that built the
        /// construct adds it on the way out).
        path: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// An error from a construct crate (its own `Error` enum, converted with `?`), with the
    /// path of the deepest construct that was being built when it happened.
    ///
    /// Match on the construct crate's variant with [`Error::downcast_ref`].
    #[error("{}{error}", prefix(path))]
    Construct {
        /// The construct path, `Stack/Construct/...` (empty until the scope that built the
        /// construct adds it on the way out).
        path: String,
        /// The construct crate's own error. Its text (and its own causes) are part of this
        /// error's message, so it is not repeated as a separate cause.
        error: ConstructError,
    },
}

fn did_you_mean(suggestion: &Option<Box<str>>) -> String {
    suggestion
        .as_ref()
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

fn prefix(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("{path}: ")
    }
}

/// A construct crate's error inside [`Error::Construct`]: displays the error and its causes
/// on one line (`outer: inner`), so a report prints each cause once.
pub struct ConstructError(Box<dyn std::error::Error + Send + Sync + 'static>);

impl ConstructError {
    /// The construct crate's error.
    pub fn get(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl std::fmt::Debug for ConstructError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}

impl std::fmt::Display for ConstructError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(c) = cause {
            write!(f, ": {c}")?;
            cause = c.source();
        }
        Ok(())
    }
}

impl Error {
    /// A construct crate's error, to be placed by the scope it leaves: what construct crates'
    /// `From<TheirError> for cloudwright_core::Error` impls call, so that `?` works in
    /// [`Construct::build`](crate::Construct::build) and the path of the construct being built
    /// is added on the way out.
    ///
    /// ```
    /// use cloudwright_core::{App, Construct, Error, Scope};
    ///
    /// #[derive(Debug, thiserror::Error, PartialEq)]
    /// enum QueueError {
    ///     #[error("a queue holds messages for 60 seconds to 14 days, not {0} seconds")]
    ///     Retention(u32),
    /// }
    /// impl From<QueueError> for Error {
    ///     fn from(e: QueueError) -> Error {
    ///         Error::construct(e)
    ///     }
    /// }
    ///
    /// struct Queue { retention: u32 }
    /// impl Construct for Queue {
    ///     type Output = ();
    ///     fn build(self, _scope: &mut Scope<'_>) -> Result<(), Error> {
    ///         if self.retention < 60 {
    ///             Err(QueueError::Retention(self.retention))?;
    ///         }
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let app = App::new();
    /// let mut stack = app.stack("Orders")?;
    /// let err = stack.construct("Queue", Queue { retention: 5 }).unwrap_err();
    /// assert_eq!(err.path(), Some("Orders/Queue"));
    /// assert_eq!(err.downcast_ref::<QueueError>(), Some(&QueueError::Retention(5)));
    /// assert_eq!(
    ///     err.to_string(),
    ///     "Orders/Queue: a queue holds messages for 60 seconds to 14 days, not 5 seconds"
    /// );
    /// # Ok::<(), Error>(())
    /// ```
    pub fn construct(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::Construct {
            path: String::new(),
            error: ConstructError(Box::new(error)),
        }
    }

    /// The construct crate's error of type `E` inside [`Error::Construct`], to match on its
    /// variants; `None` for any other error.
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        match self {
            Error::Construct { error, .. } => error.get().downcast_ref::<E>(),
            _ => None,
        }
    }

    /// The construct path the error names (`Stack/Construct/...`), for errors raised by
    /// constructs.
    pub fn path(&self) -> Option<&str> {
        match self {
            Error::Construct { path, .. } | Error::Invalid { path, .. } if !path.is_empty() => {
                Some(path)
            }
            _ => None,
        }
    }

    /// Adds `path` to a construct error that does not name one yet (what [`Scope::construct`]
    /// does with the errors leaving a construct's `build`).
    ///
    /// [`Scope::construct`]: crate::Scope::construct
    pub(crate) fn placed(mut self, at: impl FnOnce() -> String) -> Self {
        if let Error::Construct { path, .. } | Error::Invalid { path, .. } = &mut self
            && path.is_empty()
        {
            *path = at();
        }
        self
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What [`Error::CrossEnvironmentReference`] reports: both stacks, where each is meant to be,
/// and the value referred to.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "stack `{consumer}` ({consumer_env}) refers to `{value}` of stack `{producer}` ({producer_env}) at `{referrer}` `{property}`: CloudFormation imports an export only in its own account and region. Make the reference weak (`scope.weak_ref(value)`: the toolkit reads the producer's output at deploy and passes it as a parameter), or put both stacks in one account and region"
)]
pub struct CrossEnvironment {
    /// The stack holding the reference.
    pub consumer: String,
    /// Its account and region.
    pub consumer_env: String,
    /// The stack referred to.
    pub producer: String,
    /// Its account and region.
    pub producer_env: String,
    /// The value: `LogicalId` or `LogicalId.Attribute`.
    pub value: String,
    /// The logical id (or `Outputs.X`) holding the reference.
    pub referrer: String,
    /// The property path of the reference.
    pub property: String,
}
