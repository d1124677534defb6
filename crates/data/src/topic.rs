//! `Topic`: an SNS topic, encrypted, TLS only, with typed subscriptions.

use cloudwright_core::{Construct, Error as CoreError, Handle, Json, Scope, Str, Value};
use cloudwright_iam::{Grant, Grantee, PolicyDocument, Statement, deny_insecure_transport};
use cloudwright_resources::sns;

/// The key SNS encrypts with when no other is given: the account's AWS-managed SNS key.
pub const AWS_MANAGED_SNS_KEY: &str = "alias/aws/sns";

/// How a topic is encrypted at rest.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum TopicEncryption {
    /// The AWS-managed key `alias/aws/sns` (the default): encrypted at rest with nothing to
    /// manage; its key policy lets only principals of this account publish through SNS, which
    /// is what a topic without cross-account or service publishers needs. Services that
    /// publish on their own (S3 notifications, CloudWatch alarms) need [`Self::Kms`] with a key
    /// policy allowing them.
    #[default]
    AwsManaged,
    /// A customer-managed key by ARN (or alias); `grant_publish` includes its use.
    Kms(Value),
}

/// Where a subscription delivers: what `Protocol` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubscriptionProtocol {
    /// An SQS queue (endpoint: the queue's ARN).
    Sqs,
    /// A Lambda function (endpoint: the function's ARN; the function needs an
    /// `AWS::Lambda::Permission` for `sns.amazonaws.com` from this topic, which
    /// `FunctionOutput::subscribe_to` of the compute crate adds with the subscription).
    Lambda,
}

impl SubscriptionProtocol {
    fn as_str(self) -> &'static str {
        match self {
            SubscriptionProtocol::Sqs => "sqs",
            SubscriptionProtocol::Lambda => "lambda",
        }
    }
}

/// A subscription to a topic, made by what subscribes, which adds the permission SNS needs
/// to deliver to it: a queue with [`Queue::subscribe_to`](crate::Queue::subscribe_to) (a
/// statement of the queue's policy), a Lambda function with `FunctionOutput::subscribe_to`
/// of the compute crate (an `AWS::Lambda::Permission` for this topic only; compute depends
/// on this crate, not the other way).
#[derive(Debug, Clone, PartialEq)]
pub struct TopicSubscription {
    topic_arn: Value,
    topic_id: String,
    fifo: bool,
    raw_message_delivery: bool,
    filter_policy: Option<Value>,
}

impl TopicSubscription {
    /// A subscription to `topic`.
    pub fn new(topic: &TopicOutput) -> Self {
        TopicSubscription {
            topic_arn: topic.arn(),
            topic_id: topic.topic.logical_id().to_owned(),
            fifo: topic.fifo,
            raw_message_delivery: false,
            filter_policy: None,
        }
    }

    /// Delivers the message body as published, without SNS's JSON envelope.
    pub fn raw_message_delivery(mut self) -> Self {
        self.raw_message_delivery = true;
        self
    }

    /// Delivers only the messages whose attributes match this filter policy.
    pub fn filter_policy(mut self, policy: impl Into<Json>) -> Self {
        self.filter_policy = Some(policy.into().0);
        self
    }

    /// The topic's ARN (for the permission the endpoint's side writes).
    pub fn topic_arn(&self) -> Value {
        self.topic_arn.clone()
    }

    /// The topic's logical id (`EventsTopic`), for naming what the endpoint's side adds.
    pub fn topic_logical_id(&self) -> &str {
        &self.topic_id
    }

    /// Whether the topic is a FIFO topic (which delivers to SQS queues only).
    pub fn is_fifo(&self) -> bool {
        self.fifo
    }

    /// Adds the `AWS::SNS::Subscription` of `endpoint` under `id`; the caller adds the
    /// permission SNS needs on the endpoint.
    pub fn add(
        &self,
        scope: &mut Scope<'_>,
        id: &str,
        protocol: SubscriptionProtocol,
        endpoint: impl Into<Str>,
    ) -> Result<Handle<sns::Subscription>, CoreError> {
        scope.add(id, self.resource(protocol, endpoint))
    }

    /// As [`add`](Self::add), with the logical id given whole (not prefixed with the
    /// scope's path): for an endpoint's side that names what it adds after itself.
    pub fn add_with_logical_id(
        &self,
        scope: &mut Scope<'_>,
        logical_id: &str,
        protocol: SubscriptionProtocol,
        endpoint: impl Into<Str>,
    ) -> Result<Handle<sns::Subscription>, CoreError> {
        scope.add_with_logical_id(logical_id, logical_id, self.resource(protocol, endpoint))
    }

    fn resource(
        &self,
        protocol: SubscriptionProtocol,
        endpoint: impl Into<Str>,
    ) -> sns::Subscription {
        let mut sub = sns::Subscription::new(sns::SubscriptionRequired {
            protocol: protocol.as_str().into(),
            topic_arn: self.topic_arn.clone().into(),
        })
        .endpoint(endpoint);
        if self.raw_message_delivery {
            sub = sub.raw_message_delivery(true);
        }
        if let Some(filter) = &self.filter_policy {
            sub = sub.filter_policy(Json(filter.clone()));
        }
        sub
    }
}

/// An SNS topic (`AWS::SNS::Topic`): encrypted ([`TopicEncryption`]), with a topic policy
/// refusing every request not made over TLS.
///
/// ```
/// use cloudwright_core::App;
/// use cloudwright_data::{Queue, Topic, TopicSubscription};
///
/// let app = App::new();
/// let mut stack = app.stack("Orders")?;
/// let events = stack.construct("Events", Topic::new())?;
/// stack.construct(
///     "Audit",
///     Queue::new().subscribe_to(TopicSubscription::new(&events).raw_message_delivery()),
/// )?;
/// let template = &app.synth()?.stacks[0].template;
/// assert!(template.contains(r#""Protocol": "sqs""#));
/// # Ok::<(), cloudwright_core::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Topic {
    encryption: TopicEncryption,
    display_name: Option<String>,
    fifo: bool,
}

impl Topic {
    /// A standard topic encrypted with the AWS-managed key.
    pub fn new() -> Self {
        Topic::default()
    }

    /// How the topic is encrypted.
    pub fn encryption(mut self, encryption: TopicEncryption) -> Self {
        self.encryption = encryption;
        self
    }

    /// The display name (for SMS and email subscriptions).
    pub fn display_name(mut self, name: impl Into<String>) -> Self {
        self.display_name = Some(name.into());
        self
    }

    /// A FIFO topic.
    pub fn fifo(mut self) -> Self {
        self.fifo = true;
        self
    }
}

impl Construct for Topic {
    type Output = TopicOutput;

    fn build(self, scope: &mut Scope<'_>) -> Result<TopicOutput, CoreError> {
        let (key_id, key) = match &self.encryption {
            TopicEncryption::AwsManaged => (Value::from(AWS_MANAGED_SNS_KEY), None),
            TopicEncryption::Kms(arn) => (arn.clone(), Some(arn.clone())),
        };
        let mut topic = sns::Topic::new().kms_master_key_id(key_id);
        if let Some(name) = &self.display_name {
            topic = topic.display_name(name.as_str());
        }
        if self.fifo {
            topic = topic.fifo_topic(true);
        }
        let handle = scope.add("Topic", topic)?;
        let policy = scope.add(
            "Policy",
            sns::TopicPolicy::new(sns::TopicPolicyRequired {
                policy_document: PolicyDocument::resource_policy([deny_insecure_transport(
                    "sns:Publish",
                    [handle.r#ref()],
                )])
                .to_json()?,
                topics: vec![handle.r#ref()].into(),
            }),
        )?;
        Ok(TopicOutput {
            topic: handle,
            policy,
            key,
            fifo: self.fifo,
        })
    }
}

/// What [`Topic`] builds.
#[derive(Debug, Clone)]
pub struct TopicOutput {
    /// The topic.
    pub topic: Handle<sns::Topic>,
    /// Its TLS-only policy.
    pub policy: Handle<sns::TopicPolicy>,
    key: Option<Value>,
    fifo: bool,
}

impl TopicOutput {
    /// The topic's ARN (`Ref`).
    pub fn arn(&self) -> Value {
        self.topic.r#ref()
    }

    /// Whether it is a FIFO topic.
    pub fn is_fifo(&self) -> bool {
        self.fifo
    }

    /// The customer-managed key, when it has one.
    pub fn key(&self) -> Option<&Value> {
        self.key.as_ref()
    }

    /// The topic's name.
    pub fn name(&self) -> Str {
        self.topic.topic_name()
    }

    /// Lets `grantee` publish: `sns:Publish` on this topic; `kms:Decrypt` and
    /// `kms:GenerateDataKey` on a customer key.
    pub fn grant_publish(
        &self,
        scope: &mut Scope<'_>,
        grantee: &(impl Grantee + ?Sized),
    ) -> Result<Grant, CoreError> {
        let statements = vec![
            Statement::allow()
                .action("sns:Publish")
                .resource(self.arn()),
        ];
        crate::grant_with_key(
            scope,
            grantee,
            &format!("{}Publish", self.topic.logical_id()),
            statements,
            self.key.as_ref(),
            &["kms:Decrypt", "kms:GenerateDataKey"],
        )
    }
}
