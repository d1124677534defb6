//! `cloudwright-data`: where applications keep data and pass messages — Amazon S3 buckets,
//! DynamoDB tables, SQS queues and SNS topics — as constructs with production defaults and
//! least-privilege grants.
//!
//! - [`Bucket`]: public access blocked, ACLs disabled (`BucketOwnerEnforced`), encrypted
//!   (SSE-S3 or a KMS key), versioned, a TLS-only bucket policy, retained; server access logs
//!   to a log bucket or an exception stating why not.
//! - [`Table`]: keys typed with their attribute types ([`Key::string`], [`Key::number`], ...),
//!   so the attribute definitions and key schema are derived and cannot disagree; on-demand
//!   by default ([`Billing`]), point-in-time recovery, encryption ([`TableEncryption`]),
//!   retained, global and local secondary indexes.
//! - [`Queue`]: a typed [`DeadLetterQueue`] (the redrive policy is rendered), SSE-SQS or KMS
//!   encryption, a TLS-only queue policy, the visibility timeout and retention as
//!   [`Duration`](std::time::Duration)s, subscriptions to topics.
//! - [`Topic`]: encrypted ([`TopicEncryption`]), a TLS-only topic policy, typed
//!   [`TopicSubscription`]s.
//!
//! Every deliberate exception to a scanner check (AWS-owned keys, no access logs, ...) is
//! recorded in the resource's `Metadata` with its reason. Every output gives its ARN, name
//! and URL as values for environment variables, and grants by intent to any
//! [`Grantee`](cloudwright_iam::Grantee) (a role, a Fargate task, a function): each writes one
//! `AWS::IAM::Policy` naming exactly this resource's ARNs (a table and its indexes, a
//! bucket's objects or the bucket) and the key's use when a customer key encrypts it.
//!
//! ```
//! use cloudwright_core::App;
//! use cloudwright_data::{Key, Table};
//! use cloudwright_iam::{Principal, Role};
//!
//! let app = App::new();
//! let mut stack = app.stack("Orders")?;
//! let orders = stack.construct("Orders", Table::new(Key::string("id")))?;
//! let worker = stack.construct("Worker", Role::new(Principal::service("lambda.amazonaws.com")))?;
//! let grant = orders.grant_read_write_data(&mut stack, &worker)?;
//! assert_eq!(grant.policy.logical_id(), "WorkerRoleOrdersTableReadWriteDataPolicy");
//! # Ok::<(), cloudwright_core::Error>(())
//! ```

mod bucket;
mod error;
mod queue;
mod table;
mod topic;

pub use bucket::{
    BUCKET_DELETE_ACTIONS, BUCKET_GET_ACTIONS, BUCKET_LIST_ACTIONS, BUCKET_PUT_ACTIONS, Bucket,
    BucketEncryption, BucketOutput, DEFAULT_NO_ACCESS_LOGS_REASON,
};
pub use error::Error;
pub use queue::{
    DeadLetterQueue, QUEUE_CONSUME_ACTIONS, QUEUE_PURGE_ACTIONS, QUEUE_SEND_ACTIONS, Queue,
    QueueEncryption, QueueOutput,
};
pub use table::{
    AttributeType, Billing, GlobalIndex, KEY_DECRYPT_ACTIONS, KEY_ENCRYPT_DECRYPT_ACTIONS, Key,
    LocalIndex, Projection, TABLE_READ_ACTIONS, TABLE_WRITE_ACTIONS, Table, TableEncryption,
    TableOutput,
};
pub use topic::{
    AWS_MANAGED_SNS_KEY, SubscriptionProtocol, Topic, TopicEncryption, TopicOutput,
    TopicSubscription,
};

/// Grants `statements` on a resource to `grantee`, plus `key_actions` on the resource's
/// customer key when it has one (and there are key actions): one `AWS::IAM::Policy` named
/// `name` (`<Resource><Intent>`).
fn grant_with_key(
    scope: &mut cloudwright_core::Scope<'_>,
    grantee: &(impl cloudwright_iam::Grantee + ?Sized),
    name: &str,
    mut statements: Vec<cloudwright_iam::Statement>,
    key: Option<&cloudwright_core::Value>,
    key_actions: &[&str],
) -> Result<cloudwright_iam::Grant, cloudwright_core::Error> {
    if let Some(key) = key
        && !key_actions.is_empty()
    {
        statements.push(
            cloudwright_iam::Statement::allow()
                .actions(key_actions.iter().copied())
                .resource(key.clone()),
        );
    }
    cloudwright_iam::grant(scope, grantee, name, statements)
}

/// Actions sorted, each once (the union of two intents' action lists).
fn sorted(mut actions: Vec<&str>) -> Vec<&str> {
    actions.sort_unstable();
    actions.dedup();
    actions
}

/// `<arn><suffix>` as `Fn::Sub` with the ARN as a variable (what cfn-lint prefers to a
/// `Fn::Join`), so a reference into another stack still resolves.
fn arn_with_suffix(
    arn: impl Into<cloudwright_core::Value>,
    suffix: &str,
) -> cloudwright_core::Value {
    cloudwright_core::Value::sub_with(format!("${{Arn}}{suffix}"), [("Arn", arn.into())])
}
