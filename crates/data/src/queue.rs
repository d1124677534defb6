//! `Queue`: an SQS queue with a typed dead-letter queue, encryption and a TLS-only policy.

use std::time::Duration;

use cloudwright_core::{Construct, Error as CoreError, Handle, Json, Policy, Scope, Str, Value};
use cloudwright_iam::{
    Condition, Grant, Grantee, PolicyDocument, Principal, Statement, deny_insecure_transport,
};
use cloudwright_resources::{sns, sqs};

use crate::Error;
use crate::topic::{SubscriptionProtocol, TopicSubscription};

/// The dead-letter queue of a queue: after `max_receive_count` receives without a delete, a
/// message moves there. Rendered as the `RedrivePolicy`, so its keys cannot be misspelled:
///
/// ```compile_fail
/// use cloudwright_data::DeadLetterQueue;
/// # fn f(dlq: &cloudwright_data::QueueOutput) {
/// let d = DeadLetterQueue { queue: dlq, maxRecieveCount: 3 }; // no such field
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct DeadLetterQueue<'a> {
    /// The queue messages move to.
    pub queue: &'a QueueOutput,
    /// How many receives a message gets before it moves (1 to 1000).
    pub max_receive_count: u32,
}

/// How a queue is encrypted at rest.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum QueueEncryption {
    /// SQS-managed keys (SSE-SQS, the default): free, and any publisher (SNS, S3) can send.
    #[default]
    SqsManaged,
    /// A customer-managed KMS key by ARN; grants include the key's use. The key's policy must
    /// let the services that send (SNS for a subscription) use it.
    Kms(Value),
}

/// An SQS queue (`AWS::SQS::Queue`) with production defaults: encrypted (SSE-SQS), a queue
/// policy refusing every request not made over TLS, retained when the stack goes or the
/// queue is replaced, a visibility timeout of 30 s and a retention of 4 days unless set.
///
/// ```
/// use std::time::Duration;
/// use cloudwright_core::App;
/// use cloudwright_data::{DeadLetterQueue, Queue};
///
/// let app = App::new();
/// let mut stack = app.stack("Orders")?;
/// let dlq = stack.construct("Failed", Queue::new().retention(Duration::from_secs(14 * 86_400)))?;
/// let jobs = stack.construct(
///     "Jobs",
///     Queue::new()
///         .visibility_timeout(Duration::from_secs(180))
///         .dead_letter_queue(DeadLetterQueue { queue: &dlq, max_receive_count: 3 }),
/// )?;
/// assert_eq!(jobs.visibility_timeout(), Duration::from_secs(180));
/// let template = &app.synth()?.stacks[0].template;
/// assert!(template.contains(r#""maxReceiveCount": 3"#));
/// # Ok::<(), cloudwright_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Queue {
    visibility_timeout: Duration,
    retention: Duration,
    dead_letter: Option<(Value, u32, bool)>,
    encryption: QueueEncryption,
    fifo: bool,
    retain: bool,
    subscriptions: Vec<TopicSubscription>,
}

impl Default for Queue {
    fn default() -> Self {
        Queue::new()
    }
}

impl Queue {
    /// A standard queue with the defaults.
    pub fn new() -> Self {
        Queue {
            visibility_timeout: Duration::from_secs(30),
            retention: Duration::from_secs(4 * 86_400),
            dead_letter: None,
            encryption: QueueEncryption::SqsManaged,
            fifo: false,
            retain: true,
            subscriptions: Vec::new(),
        }
    }

    /// How long a received message stays invisible to other consumers (0 s to 12 h). A
    /// function consuming the queue needs at least its own timeout here.
    pub fn visibility_timeout(mut self, timeout: Duration) -> Self {
        self.visibility_timeout = timeout;
        self
    }

    /// How long an unconsumed message is kept (60 s to 14 days).
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// Moves messages received `max_receive_count` times to another queue.
    pub fn dead_letter_queue(mut self, dead_letter: DeadLetterQueue<'_>) -> Self {
        self.dead_letter = Some((
            dead_letter.queue.arn().into(),
            dead_letter.max_receive_count,
            dead_letter.queue.fifo,
        ));
        self
    }

    /// How the queue is encrypted.
    pub fn encryption(mut self, encryption: QueueEncryption) -> Self {
        self.encryption = encryption;
        self
    }

    /// A FIFO queue (exactly-once, ordered per message group).
    pub fn fifo(mut self) -> Self {
        self.fifo = true;
        self
    }

    /// Deletes the queue (and its messages) with the stack.
    pub fn delete_with_stack(mut self) -> Self {
        self.retain = false;
        self
    }

    /// Subscribes the queue to a topic: the subscription, and a statement of the queue's
    /// policy letting that topic (only) send to it.
    pub fn subscribe_to(mut self, subscription: TopicSubscription) -> Self {
        self.subscriptions.push(subscription);
        self
    }
}

fn whole_seconds(setting: &'static str, d: Duration, min: u64, max: u64) -> Result<i64, Error> {
    if d.subsec_nanos() != 0 || d.as_secs() < min || d.as_secs() > max {
        return Err(Error::DurationOutOfRange {
            setting,
            given: d,
            min,
            max,
        });
    }
    Ok(d.as_secs() as i64)
}

impl Construct for Queue {
    type Output = QueueOutput;

    fn build(self, scope: &mut Scope<'_>) -> Result<QueueOutput, CoreError> {
        let visibility = whole_seconds("visibility_timeout", self.visibility_timeout, 0, 43_200)?;
        let retention = whole_seconds("retention", self.retention, 60, 1_209_600)?;
        let mut queue = sqs::Queue::new()
            .visibility_timeout(visibility)
            .message_retention_period(retention);
        if let Some((arn, count, dlq_fifo)) = &self.dead_letter {
            if !(1..=1000).contains(count) {
                return Err(Error::OutOfRange {
                    setting: "max_receive_count",
                    given: u64::from(*count),
                    min: 1,
                    max: 1000,
                }
                .into());
            }
            if *dlq_fifo != self.fifo {
                let kind = |f: bool| if f { "FIFO" } else { "standard" };
                return Err(Error::DeadLetterQueueKind {
                    queue: kind(self.fifo),
                    dead_letter: kind(*dlq_fifo),
                }
                .into());
            }
            queue = queue.redrive_policy(Json(Value::map([
                ("deadLetterTargetArn", arn.clone()),
                ("maxReceiveCount", Value::from(i64::from(*count))),
            ])));
        }
        let key = match &self.encryption {
            QueueEncryption::SqsManaged => {
                queue = queue.sqs_managed_sse_enabled(true);
                None
            }
            QueueEncryption::Kms(arn) => {
                queue = queue.kms_master_key_id(arn.clone());
                Some(arn.clone())
            }
        };
        if self.fifo {
            queue = queue.fifo_queue(true);
        }
        let handle = scope.add("Queue", queue)?;
        let policy = if self.retain {
            Policy::Retain
        } else {
            Policy::Delete
        };
        scope.set_deletion_policy(&handle, policy)?;
        scope.set_update_replace_policy(&handle, policy)?;

        let mut statements = vec![deny_insecure_transport("sqs:*", [handle.arn()])];
        for s in &self.subscriptions {
            statements.push(
                Statement::allow()
                    .sid(format!("AllowTopic{}", statements.len()))
                    .principal(Principal::service("sns.amazonaws.com"))
                    .action("sqs:SendMessage")
                    .resource(handle.arn())
                    .condition(Condition::arn_equals("aws:SourceArn", s.topic_arn())),
            );
        }
        let queue_policy = scope.add(
            "Policy",
            sqs::QueuePolicy::new(sqs::QueuePolicyRequired {
                policy_document: PolicyDocument::resource_policy(statements).to_json()?,
                queues: vec![handle.queue_url()].into(),
            }),
        )?;
        let mut subscriptions = Vec::new();
        for (i, s) in self.subscriptions.iter().enumerate() {
            let id = if i == 0 {
                "Subscription".to_owned()
            } else {
                format!("Subscription{}", i + 1)
            };
            let sub = s.add(scope, &id, SubscriptionProtocol::Sqs, handle.arn())?;
            // SNS delivers only once the queue's policy lets it
            scope.add_dependency(&sub, &queue_policy);
            subscriptions.push(sub);
        }
        Ok(QueueOutput {
            queue: handle,
            policy: queue_policy,
            subscriptions,
            key,
            fifo: self.fifo,
            visibility_timeout: self.visibility_timeout,
        })
    }
}

/// What [`Queue`] builds; grants by intent.
#[derive(Debug, Clone)]
pub struct QueueOutput {
    /// The queue.
    pub queue: Handle<sqs::Queue>,
    /// Its TLS-only policy (and the topics allowed to send).
    pub policy: Handle<sqs::QueuePolicy>,
    /// Its subscriptions to topics.
    pub subscriptions: Vec<Handle<sns::Subscription>>,
    key: Option<Value>,
    fifo: bool,
    visibility_timeout: Duration,
}

/// The actions [`QueueOutput::grant_send`] allows.
pub const QUEUE_SEND_ACTIONS: &[&str] = &[
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:SendMessage",
];

/// The actions [`QueueOutput::grant_consume`] allows.
pub const QUEUE_CONSUME_ACTIONS: &[&str] = &[
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:ReceiveMessage",
];

/// The actions [`QueueOutput::grant_purge`] allows.
pub const QUEUE_PURGE_ACTIONS: &[&str] = &[
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:PurgeQueue",
];

impl QueueOutput {
    /// The queue's ARN.
    pub fn arn(&self) -> Str {
        self.queue.arn()
    }

    /// The queue's URL (`Ref`), what SDKs send to.
    pub fn url(&self) -> Value {
        self.queue.r#ref()
    }

    /// The queue's name.
    pub fn name(&self) -> Str {
        self.queue.queue_name()
    }

    /// The visibility timeout it was built with (a consuming function's timeout must fit).
    pub fn visibility_timeout(&self) -> Duration {
        self.visibility_timeout
    }

    /// Whether it is a FIFO queue.
    pub fn is_fifo(&self) -> bool {
        self.fifo
    }

    /// The customer-managed key, when it has one.
    pub fn key(&self) -> Option<&Value> {
        self.key.as_ref()
    }

    fn grant_queue(
        &self,
        scope: &mut Scope<'_>,
        grantee: &(impl Grantee + ?Sized),
        intent: &str,
        actions: &[&str],
        key_actions: &[&str],
    ) -> Result<Grant, CoreError> {
        let statements = vec![
            Statement::allow()
                .actions(actions.iter().copied())
                .resource(self.arn()),
        ];
        crate::grant_with_key(
            scope,
            grantee,
            &format!("{}{intent}", self.queue.logical_id()),
            statements,
            self.key.as_ref(),
            key_actions,
        )
    }

    /// Lets `grantee` send: [`QUEUE_SEND_ACTIONS`] on this queue; `kms:GenerateDataKey` and
    /// `kms:Decrypt` on a customer key.
    pub fn grant_send(
        &self,
        scope: &mut Scope<'_>,
        grantee: &(impl Grantee + ?Sized),
    ) -> Result<Grant, CoreError> {
        self.grant_queue(
            scope,
            grantee,
            "Send",
            QUEUE_SEND_ACTIONS,
            &["kms:Decrypt", "kms:GenerateDataKey"],
        )
    }

    /// Lets `grantee` receive and delete: [`QUEUE_CONSUME_ACTIONS`] on this queue;
    /// `kms:Decrypt` on a customer key.
    pub fn grant_consume(
        &self,
        scope: &mut Scope<'_>,
        grantee: &(impl Grantee + ?Sized),
    ) -> Result<Grant, CoreError> {
        self.grant_queue(
            scope,
            grantee,
            "Consume",
            QUEUE_CONSUME_ACTIONS,
            &["kms:Decrypt"],
        )
    }

    /// Lets `grantee` purge: [`QUEUE_PURGE_ACTIONS`] on this queue.
    pub fn grant_purge(
        &self,
        scope: &mut Scope<'_>,
        grantee: &(impl Grantee + ?Sized),
    ) -> Result<Grant, CoreError> {
        self.grant_queue(scope, grantee, "Purge", QUEUE_PURGE_ACTIONS, &[])
    }
}
