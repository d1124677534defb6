//! The one error type of the IAM constructs.

impl From<Error> for cloudwright_core::Error {
    /// Lets `?` turn an IAM error into the core error; the scope that built the construct adds
    /// its path.
    fn from(e: Error) -> Self {
        cloudwright_core::Error::construct(e)
    }
}

/// What the IAM builders and grants reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An action is not of the form `service:Action` (`s3:GetObject`, `dynamodb:Query`,
    /// `sqs:*`).
    #[error(
        "statement {statement}: action `{action}` is not of the form `service:Action` (a lowercase service prefix, a colon, letters, digits and `*`; e.g. `s3:GetObject`)"
    )]
    InvalidAction {
        /// The statement's index in its document (or its `Sid`).
        statement: String,
        /// The action as given.
        action: String,
    },
    /// A statement has no action.
    #[error("statement {statement}: no action; a statement must allow or deny at least one action")]
    NoActions {
        /// The statement's index in its document (or its `Sid`).
        statement: String,
    },
    /// An identity-based statement (a role's or a policy's) has no resource.
    #[error(
        "statement {statement}: no resource; name the resources (ARNs) it applies to, or `*` explicitly with `Statement::all_resources`"
    )]
    NoResources {
        /// The statement's index in its document (or its `Sid`).
        statement: String,
    },
    /// A resource-based statement (a bucket's, a queue's, a role's trust policy) has no
    /// principal.
    #[error(
        "statement {statement}: no principal; a resource policy's statement names who it applies to (`Principal::any()` for everyone, explicitly)"
    )]
    NoPrincipal {
        /// The statement's index in its document (or its `Sid`).
        statement: String,
    },
    /// An identity-based statement names a principal, which only resource policies may.
    #[error(
        "statement {statement}: a principal in an identity-based policy; only resource policies and trust policies name principals"
    )]
    UnexpectedPrincipal {
        /// The statement's index in its document (or its `Sid`).
        statement: String,
    },
    /// A `Sid` holds something else than ASCII letters and digits.
    #[error("statement {statement}: `Sid` `{sid}` may contain only ASCII letters and digits")]
    InvalidSid {
        /// The statement's index in its document.
        statement: String,
        /// The `Sid` as given.
        sid: String,
    },
    /// A grant's target has no role a policy can be attached to.
    #[error("{grantee} has no role to grant to: {fix}")]
    NoRole {
        /// What was given as the grantee.
        grantee: String,
        /// How to give it one.
        fix: String,
    },
    /// A grant was asked with no statement.
    #[error("grant `{grant}`: no statement to attach")]
    EmptyGrant {
        /// The grant's name.
        grant: String,
    },
}
