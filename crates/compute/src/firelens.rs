//! FireLens: a log router container (Fluent Bit or Fluentd) that receives the logs of every
//! other container of the task through the `awsfirelens` log driver and sends them on.

use std::collections::BTreeMap;

use cloudwright_core::Value;

use crate::image::ContainerImage;

/// The AWS for Fluent Bit image the router runs unless told otherwise.
pub const DEFAULT_FLUENT_BIT_IMAGE: &str =
    "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4";

/// Which log router runs in the FireLens container.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogRouterType {
    /// Fluent Bit (the default; AWS's image bundles the CloudWatch, Firehose and Kinesis
    /// outputs).
    #[default]
    FluentBit,
    /// Fluentd.
    Fluentd,
}

/// Where the router sends the other containers' logs.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum FireLensOutput {
    /// The task's own log group, through Fluent Bit's `cloudwatch_logs` output (the default).
    /// The task role gets `logs:CreateLogStream` and `logs:PutLogEvents` on that group only
    /// (a task role is created when the task has none; with an existing role, grant them
    /// yourself).
    #[default]
    CloudWatchLogs,
    /// The `awsfirelens` options as given (`Name` of the output plugin and its settings):
    /// Firehose, Kinesis, OpenSearch, a third party. Grant what the output needs through
    /// the task role ([`FargateTaskDefinition::task_role`](crate::FargateTaskDefinition::task_role)).
    Options(BTreeMap<String, Value>),
}

/// FireLens: a log router container (Fluent Bit or Fluentd) that receives the logs of every
/// other container of the task through the `awsfirelens` log driver and sends them on.
///
/// ```
/// use cloudwright_compute::{
///     Container, ContainerImage, FargateSize, FargateTaskDefinition, FireLensOutput, LogRouter,
/// };
/// use cloudwright_core::App;
///
/// let app = App::new();
/// let mut stack = app.stack("Api")?;
/// let mut task = FargateTaskDefinition::new(FargateSize::ONE_VCPU_2GB)
///     // the router logs itself with awslogs; the others go through it to CloudWatch Logs
///     .log_router(LogRouter::fluent_bit().output(FireLensOutput::CloudWatchLogs));
/// task.add_container(Container::new("app", ContainerImage::from_uri("nginx:1.27")).port(80));
/// let task = stack.construct("Task", task)?;
/// let template = &app.synth()?.stacks[0].template;
/// assert!(template.contains(r#""LogDriver": "awsfirelens""#));
/// assert!(template.contains(r#""Type": "fluentbit""#));
/// # let _ = task;
/// # Ok::<(), cloudwright_core::Error>(())
/// ```
///
/// A FireLens log router container for a task definition: see
/// [`FargateTaskDefinition::log_router`](crate::FargateTaskDefinition::log_router).
///
/// The router is an essential container named `log-router` that writes its own logs with
/// the `awslogs` driver to the task's log group; every other container logs through it
/// (`awsfirelens`) and starts after it (`DependsOn` condition `START`).
#[derive(Clone, Debug, PartialEq)]
pub struct LogRouter {
    pub(crate) name: String,
    pub(crate) r#type: LogRouterType,
    pub(crate) image: ContainerImage,
    pub(crate) output: FireLensOutput,
    pub(crate) memory_reservation_mib: u32,
    pub(crate) enable_ecs_log_metadata: bool,
}

impl LogRouter {
    /// AWS for Fluent Bit ([`DEFAULT_FLUENT_BIT_IMAGE`]), sending to the task's log group.
    pub fn fluent_bit() -> Self {
        LogRouter {
            name: "log-router".into(),
            r#type: LogRouterType::FluentBit,
            image: ContainerImage::from_uri(DEFAULT_FLUENT_BIT_IMAGE),
            output: FireLensOutput::default(),
            memory_reservation_mib: 50,
            enable_ecs_log_metadata: true,
        }
    }

    /// Fluentd from `image`; give the output's options with [`Self::output`].
    pub fn fluentd(image: impl Into<ContainerImage>) -> Self {
        LogRouter {
            r#type: LogRouterType::Fluentd,
            image: image.into(),
            ..LogRouter::fluent_bit()
        }
    }

    /// Runs this image instead of the default one.
    pub fn image(mut self, image: impl Into<ContainerImage>) -> Self {
        self.image = image.into();
        self
    }

    /// Where the other containers' logs go (default: the task's log group).
    pub fn output(mut self, output: FireLensOutput) -> Self {
        self.output = output;
        self
    }

    /// The router container's name (default `log-router`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Memory reserved for the router, MiB (default 50, as AWS recommends).
    pub fn memory_reservation_mib(mut self, mib: u32) -> Self {
        self.memory_reservation_mib = mib;
        self
    }

    /// Whether the router adds the ECS metadata (cluster, task ARN, container) to each
    /// record (default on).
    pub fn ecs_log_metadata(mut self, enabled: bool) -> Self {
        self.enable_ecs_log_metadata = enabled;
        self
    }
}
