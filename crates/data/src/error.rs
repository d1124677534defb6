//! The one error type of the data constructs.

impl From<Error> for cloudwright_core::Error {
    /// Lets `?` turn a data error into the core error; the scope that built the construct
    /// adds its path.
    fn from(e: Error) -> Self {
        cloudwright_core::Error::construct(e)
    }
}

/// What the data constructs reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// One attribute is a key of the table or of an index with two different types.
    #[error(
        "attribute `{attribute}` is a key with two types: {first} ({first_where}) and {second} ({second_where}); a DynamoDB attribute definition has one type"
    )]
    ConflictingAttributeType {
        /// The attribute's name.
        attribute: String,
        /// The first type.
        first: &'static str,
        /// Where the first type was given.
        first_where: String,
        /// The second type.
        second: &'static str,
        /// Where the second type was given.
        second_where: String,
    },
    /// An attribute or index name DynamoDB would refuse.
    #[error("{what} `{name}`: {reason}")]
    InvalidName {
        /// `attribute` or `index`.
        what: &'static str,
        /// The name.
        name: String,
        /// Why.
        reason: String,
    },
    /// Two indexes share a name.
    #[error("two indexes are named `{0}`")]
    DuplicateIndex(String),
    /// A local secondary index on a table without a sort key.
    #[error(
        "local secondary index `{0}`: the table has no sort key; a local index shares the table's partition key and needs the table to have a sort key"
    )]
    LocalIndexWithoutSortKey(String),
    /// More indexes than DynamoDB allows.
    #[error("{count} {kind} secondary indexes; DynamoDB allows at most {max}")]
    TooManyIndexes {
        /// `global` or `local`.
        kind: &'static str,
        /// How many were given.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A duration outside what the setting takes, or not in whole seconds.
    #[error("{setting} is {given:?}; it takes whole seconds from {min}s to {max}s")]
    DurationOutOfRange {
        /// The setting, `visibility_timeout`.
        setting: &'static str,
        /// What was given.
        given: std::time::Duration,
        /// The smallest value in seconds.
        min: u64,
        /// The largest value in seconds.
        max: u64,
    },
    /// A number outside what the setting takes.
    #[error("{setting} is {given}; it takes {min} to {max}")]
    OutOfRange {
        /// The setting, `max_receive_count`.
        setting: &'static str,
        /// What was given.
        given: u64,
        /// The smallest value.
        min: u64,
        /// The largest value.
        max: u64,
    },
    /// A FIFO queue's dead-letter queue must be FIFO too, and a standard queue's standard.
    #[error(
        "the dead-letter queue of a {queue} queue must be a {queue} queue too; it is a {dead_letter} queue"
    )]
    DeadLetterQueueKind {
        /// `FIFO` or `standard`.
        queue: &'static str,
        /// `FIFO` or `standard`.
        dead_letter: &'static str,
    },
}
