//! What invokes a function: an SQS queue (an event source mapping), a schedule, a bucket's
//! object events (EventBridge rules with the permission to invoke) and an SNS topic (a
//! subscription with the permission to invoke).

use std::time::Duration;

use cloudwright_core::{Error as CoreError, Handle, Scope};
use cloudwright_core::{Json, Str, Value};
use cloudwright_data::{BucketOutput, QueueOutput, SubscriptionProtocol, TopicSubscription};
use cloudwright_resources::{events, lambda, sns};

use crate::error::{Error, whole_seconds};
use crate::function::FunctionOutput;
use crate::service::Deps;

/// How a function reads a queue (`AWS::Lambda::EventSourceMapping`).
///
/// ```
/// use std::time::Duration;
/// use cloudwright_compute::{Code, Function, Runtime, SqsEventSource};
/// use cloudwright_core::App;
/// use cloudwright_data::Queue;
///
/// let app = App::new();
/// let mut stack = app.stack("Jobs")?;
/// let queue = stack.construct("Jobs", Queue::new().visibility_timeout(Duration::from_secs(60)))?;
/// let worker = stack.construct(
///     "Worker",
///     Function::new(Runtime::Python3_12, "index.handler", Code::inline("def handler(e, c):\n    return {}\n"))
///         .timeout(Duration::from_secs(10)),
/// )?;
/// worker.add_sqs_source(&mut stack, &queue, SqsEventSource::new().batch_size(5).report_batch_item_failures())?;
/// # Ok::<(), cloudwright_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqsEventSource {
    batch_size: u32,
    max_batching_window: Option<Duration>,
    report_batch_item_failures: bool,
}

impl Default for SqsEventSource {
    fn default() -> Self {
        SqsEventSource::new()
    }
}

impl SqsEventSource {
    /// Batches of up to 10 messages, no batching window, the whole batch retried on failure.
    pub fn new() -> Self {
        SqsEventSource {
            batch_size: 10,
            max_batching_window: None,
            report_batch_item_failures: false,
        }
    }

    /// Up to `n` messages per invocation (1 to 10,000; over 10 needs a batching window; a FIFO
    /// queue takes at most 10).
    pub fn batch_size(mut self, n: u32) -> Self {
        self.batch_size = n;
        self
    }

    /// Waits up to `window` (whole seconds, at most 300 s) to fill a batch.
    pub fn max_batching_window(mut self, window: Duration) -> Self {
        self.max_batching_window = Some(window);
        self
    }

    /// Partial batch responses (`ReportBatchItemFailures`): the function returns the ids of
    /// the messages that failed, and only those are retried.
    pub fn report_batch_item_failures(mut self) -> Self {
        self.report_batch_item_failures = true;
        self
    }
}

/// When a scheduled function runs: an EventBridge schedule expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// `cron(minutes hours day-of-month month day-of-week year)`, UTC.
    Cron(String),
    /// `rate(...)`, every so many whole minutes.
    Rate(Duration),
}

impl Schedule {
    /// A cron schedule of EventBridge's six fields, UTC (`"0 3 * * ? *"`: every night at
    /// 03:00).
    pub fn cron(fields: impl Into<String>) -> Schedule {
        Schedule::Cron(fields.into())
    }

    /// Every `every` (whole minutes, at least one).
    pub fn rate(every: Duration) -> Schedule {
        Schedule::Rate(every)
    }

    /// The `ScheduleExpression`, or what is wrong.
    pub fn expression(&self) -> Result<String, Error> {
        let bad = |reason: String| Error::InvalidEventSource {
            setting: "schedule",
            reason,
        };
        match self {
            Schedule::Cron(fields) => {
                let n = fields.split_whitespace().count();
                if n != 6 {
                    return Err(bad(format!(
                        "cron `{fields}` has {n} fields; EventBridge takes six: minutes hours day-of-month month day-of-week year (`0 3 * * ? *`)"
                    )));
                }
                Ok(format!(
                    "cron({})",
                    fields.split_whitespace().collect::<Vec<_>>().join(" ")
                ))
            }
            Schedule::Rate(every) => {
                let secs = every.as_secs();
                if every.subsec_nanos() != 0 || secs == 0 || secs % 60 != 0 {
                    return Err(bad(format!(
                        "rate {every:?} is not a whole number of minutes (at least one)"
                    )));
                }
                let minutes = secs / 60;
                Ok(if minutes % (24 * 60) == 0 {
                    let d = minutes / (24 * 60);
                    format!("rate({d} day{})", if d == 1 { "" } else { "s" })
                } else if minutes % 60 == 0 {
                    let h = minutes / 60;
                    format!("rate({h} hour{})", if h == 1 { "" } else { "s" })
                } else {
                    format!(
                        "rate({minutes} minute{})",
                        if minutes == 1 { "" } else { "s" }
                    )
                })
            }
        }
    }
}

/// Which object events of a bucket invoke a function ([`FunctionOutput::add_s3_source`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3EventSource {
    detail_types: Vec<&'static str>,
    prefix: Option<String>,
    suffix: Option<String>,
}

impl S3EventSource {
    /// Objects created (put, copied, completed multipart uploads).
    pub fn object_created() -> Self {
        S3EventSource {
            detail_types: vec!["Object Created"],
            prefix: None,
            suffix: None,
        }
    }

    /// Objects deleted.
    pub fn object_deleted() -> Self {
        S3EventSource {
            detail_types: vec!["Object Deleted"],
            prefix: None,
            suffix: None,
        }
    }

    /// Only keys starting with `prefix` (`uploads/`).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// Only keys ending with `suffix` (`.json`).
    pub fn suffix(mut self, suffix: impl Into<String>) -> Self {
        self.suffix = Some(suffix.into());
        self
    }
}

/// What [`FunctionOutput::add_schedule`] and [`FunctionOutput::add_s3_source`] add.
#[derive(Clone, Debug)]
pub struct ScheduleOutput {
    /// The EventBridge rule.
    pub rule: Handle<events::Rule>,
    /// The permission letting EventBridge (this rule only) invoke the function.
    pub permission: Handle<lambda::Permission>,
}

/// What [`FunctionOutput::subscribe_to`] adds.
#[derive(Clone, Debug)]
pub struct TopicSourceOutput {
    /// The subscription (protocol `lambda`, endpoint the function's ARN).
    pub subscription: Handle<sns::Subscription>,
    /// The permission letting SNS invoke the function for this topic only.
    pub permission: Handle<lambda::Permission>,
}

impl FunctionOutput {
    /// Lets `principal` (a service) invoke the function, only from `source_arn`.
    fn invoke_permission(
        &self,
        scope: &mut Scope<'_>,
        logical_id: &str,
        principal: &str,
        source_arn: impl Into<Str>,
    ) -> Result<Handle<lambda::Permission>, CoreError> {
        scope.add_with_logical_id(
            logical_id,
            logical_id,
            lambda::Permission::new(lambda::PermissionRequired {
                action: "lambda:InvokeFunction".into(),
                function_name: self.arn(),
                principal: principal.into(),
            })
            .source_arn(source_arn),
        )
    }

    /// Invokes the function with what is published to a topic: the subscription
    /// `<Function><Topic>Subscription` (protocol `lambda`, with the subscription's raw
    /// delivery and filter policy) and the permission `<Function><Topic>Permission` letting
    /// `sns.amazonaws.com` invoke the function for that topic only (`SourceArn`); the
    /// subscription waits for the permission, so no message is delivered before SNS may
    /// invoke. SNS invokes asynchronously: a function subscribed to a topic should have a
    /// failure destination (`Function::on_failure`). A FIFO topic, which delivers to SQS
    /// queues only, is refused.
    ///
    /// ```
    /// use cloudwright_compute::{Code, Function, Runtime};
    /// use cloudwright_core::App;
    /// use cloudwright_data::{Topic, TopicSubscription};
    ///
    /// let app = App::new();
    /// let mut stack = app.stack("Orders")?;
    /// let events = stack.construct("Events", Topic::new())?;
    /// let audit = stack.construct(
    ///     "Audit",
    ///     Function::new(Runtime::Python3_12, "index.handler", Code::inline("def handler(e, c):\n    return {}\n")),
    /// )?;
    /// let source = audit.subscribe_to(&mut stack, TopicSubscription::new(&events))?;
    /// assert_eq!(source.subscription.logical_id(), "AuditFunctionEventsTopicSubscription");
    /// assert_eq!(source.permission.logical_id(), "AuditFunctionEventsTopicPermission");
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    pub fn subscribe_to(
        &self,
        scope: &mut Scope<'_>,
        subscription: TopicSubscription,
    ) -> Result<TopicSourceOutput, CoreError> {
        let function = self.logical_id().to_owned();
        let topic = subscription.topic_logical_id().to_owned();
        if subscription.is_fifo() {
            return Err(Error::InvalidEventSource {
                setting: "topic",
                reason: format!(
                    "{topic} is a FIFO topic, which delivers to SQS queues only; subscribe a FIFO queue to it and read that queue with add_sqs_source"
                ),
            }
            .into());
        }
        let permission = self.invoke_permission(
            scope,
            &format!("{function}{topic}Permission"),
            "sns.amazonaws.com",
            subscription.topic_arn(),
        )?;
        let subscription_id = format!("{function}{topic}Subscription");
        let subscription = subscription.add_with_logical_id(
            scope,
            &subscription_id,
            SubscriptionProtocol::Lambda,
            self.arn(),
        )?;
        scope.add_dependency(&subscription, &permission);
        Ok(TopicSourceOutput {
            subscription,
            permission,
        })
    }

    /// Invokes the function with the messages of `queue`: an event source mapping
    /// (`<Function><Queue>Source`), the function's role granted `queue.grant_consume` (the
    /// mapping waits for that policy). A queue whose visibility timeout is shorter than the
    /// function's timeout is refused, naming both.
    pub fn add_sqs_source(
        &self,
        scope: &mut Scope<'_>,
        queue: &QueueOutput,
        source: SqsEventSource,
    ) -> Result<Handle<lambda::EventSourceMapping>, CoreError> {
        let function = self.logical_id().to_owned();
        let queue_id = queue.queue.logical_id().to_owned();
        if queue.visibility_timeout() < self.timeout() {
            let timeout = self.timeout().as_secs();
            return Err(Error::VisibilityTimeoutTooShort {
                queue: queue_id,
                visibility: queue.visibility_timeout().as_secs(),
                function,
                timeout,
                recommended: timeout * 6,
            }
            .into());
        }
        let bad = |setting, reason: String| Error::InvalidEventSource { setting, reason };
        let max = if queue.is_fifo() { 10 } else { 10_000 };
        if source.batch_size == 0 || source.batch_size > max {
            return Err(bad(
                "batch_size",
                format!("{} is outside 1 to {max}", source.batch_size),
            )
            .into());
        }
        let window = match source.max_batching_window {
            Some(w) => Some(whole_seconds("max_batching_window", w)?),
            None => None,
        };
        if window.is_some_and(|w| w > 300) {
            return Err(bad("max_batching_window", "at most 300 s".into()).into());
        }
        if source.batch_size > 10 && window.unwrap_or(0) == 0 {
            return Err(bad(
                "batch_size",
                format!(
                    "{} messages per batch need a batching window of at least 1 s (max_batching_window)",
                    source.batch_size
                ),
            )
            .into());
        }
        let grant = queue.grant_consume(scope, self)?;
        let id = format!("{function}{queue_id}Source");
        let mut mapping = lambda::EventSourceMapping::new(self.name())
            .event_source_arn(queue.arn())
            .batch_size(i64::from(source.batch_size));
        if let Some(w) = window {
            mapping = mapping.maximum_batching_window_in_seconds(i64::from(w));
        }
        if source.report_batch_item_failures {
            mapping = mapping.function_response_types(vec![
                lambda::event_source_mapping::FunctionResponseType::ReportBatchItemFailures,
            ]);
        }
        let mapping = scope.add_with_logical_id(&id, &id, mapping)?;
        // Lambda checks the role's permission on the queue when the mapping is created
        scope.add_dependency(
            &mapping,
            &Deps(cloudwright_core::Dependable::dependency_targets(&grant)),
        );
        Ok(mapping)
    }

    /// Invokes the function on `bucket`'s object events: an EventBridge rule
    /// `<Function><Bucket>EventsRule` matching the bucket's name (and the key's prefix and
    /// suffix), and the permission for that rule only. The bucket sends its events to
    /// EventBridge (`Bucket::event_bridge_notifications`) rather than naming the function in a
    /// notification configuration, which avoids the cycle where the bucket waits for the
    /// function's permission and the permission names the bucket. A bucket without
    /// EventBridge notifications is refused, naming the setting.
    pub fn add_s3_source(
        &self,
        scope: &mut Scope<'_>,
        bucket: &BucketOutput,
        source: S3EventSource,
    ) -> Result<ScheduleOutput, CoreError> {
        let bucket_id = bucket.bucket.logical_id().to_owned();
        if !bucket.sends_events_to_event_bridge() {
            return Err(Error::InvalidEventSource {
                setting: "s3",
                reason: format!(
                    "bucket {bucket_id} does not send its object events to EventBridge; build it with `Bucket::new().event_bridge_notifications()`"
                ),
            }
            .into());
        }
        let mut key = Vec::new();
        if let Some(p) = &source.prefix {
            key.push(Value::map([("prefix", Value::from(p.clone()))]));
        }
        if let Some(s) = &source.suffix {
            key.push(Value::map([("suffix", Value::from(s.clone()))]));
        }
        let mut detail = vec![(
            "bucket",
            Value::map([("name", Value::from(vec![bucket.name()]))]),
        )];
        if !key.is_empty() {
            detail.push(("object", Value::map([("key", Value::from(key))])));
        }
        let pattern = Value::map([
            ("source", Value::from(vec!["aws.s3"])),
            (
                "detail-type",
                Value::from(
                    source
                        .detail_types
                        .iter()
                        .map(|d| Value::from(*d))
                        .collect::<Vec<_>>(),
                ),
            ),
            ("detail", Value::map(detail)),
        ]);
        let id = format!("{bucket_id}Events");
        let function = self.logical_id().to_owned();
        let rule_id = format!("{function}{id}Rule");
        let rule = scope.add_with_logical_id(
            &rule_id,
            &rule_id,
            events::Rule::new()
                .event_pattern(Json(pattern))
                .state(events::rule::RuleState::Enabled)
                .targets(vec![events::rule::Target::new(
                    events::rule::TargetRequired {
                        arn: self.arn(),
                        id: "Function".into(),
                    },
                )]),
        )?;
        let permission = self.invoke_permission(
            scope,
            &format!("{function}{id}Permission"),
            "events.amazonaws.com",
            rule.arn(),
        )?;
        Ok(ScheduleOutput { rule, permission })
    }

    /// Invokes the function on `schedule`: an EventBridge rule `<Function><id>Rule` and the
    /// permission for that rule only (`<Function><id>Permission`).
    pub fn add_schedule(
        &self,
        scope: &mut Scope<'_>,
        id: &str,
        schedule: &Schedule,
    ) -> Result<ScheduleOutput, CoreError> {
        let expression = schedule.expression()?;
        let function = self.logical_id().to_owned();
        let rule_id = format!("{function}{id}Rule");
        let rule = scope.add_with_logical_id(
            &rule_id,
            &rule_id,
            events::Rule::new()
                .schedule_expression(expression)
                .state(events::rule::RuleState::Enabled)
                .targets(vec![events::rule::Target::new(
                    events::rule::TargetRequired {
                        arn: self.arn(),
                        id: "Function".into(),
                    },
                )]),
        )?;
        let permission = self.invoke_permission(
            scope,
            &format!("{function}{id}Permission"),
            "events.amazonaws.com",
            rule.arn(),
        )?;
        Ok(ScheduleOutput { rule, permission })
    }
}
