//! What invokes a function: an SQS queue (an event source mapping) and a schedule (an
//! EventBridge rule with the permission to invoke).

use std::time::Duration;

use cloudwright_core::{Error as CoreError, Handle, Scope};
use cloudwright_data::QueueOutput;
use cloudwright_resources::{events, lambda};

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

/// What [`FunctionOutput::add_schedule`] adds.
#[derive(Clone, Debug)]
pub struct ScheduleOutput {
    /// The EventBridge rule.
    pub rule: Handle<events::Rule>,
    /// The permission letting EventBridge (this rule only) invoke the function.
    pub permission: Handle<lambda::Permission>,
}

impl FunctionOutput {
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
        let mut mapping = lambda::EventSourceMapping::new(lambda::EventSourceMappingRequired {
            function_name: self.name().into(),
        })
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
                        arn: self.arn().into(),
                        id: "Function".into(),
                    },
                )]),
        )?;
        let permission_id = format!("{function}{id}Permission");
        let permission = scope.add_with_logical_id(
            &permission_id,
            &permission_id,
            lambda::Permission::new(lambda::PermissionRequired {
                action: "lambda:InvokeFunction".into(),
                function_name: self.arn().into(),
                principal: "events.amazonaws.com".into(),
            })
            .source_arn(rule.arn()),
        )?;
        Ok(ScheduleOutput { rule, permission })
    }
}
