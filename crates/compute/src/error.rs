//! The one error type of `cloudwright-compute`.

impl From<Error> for cloudwright_core::Error {
    /// Lets `?` turn a compute error into the core error; the scope that built the construct
    /// adds its path.
    fn from(e: Error) -> Self {
        cloudwright_core::Error::construct(e)
    }
}

/// Whole seconds of `d`, or [`Error::FractionalDuration`].
pub(crate) fn whole_seconds(setting: &'static str, d: std::time::Duration) -> Result<u32, Error> {
    if d.subsec_nanos() != 0 {
        return Err(Error::FractionalDuration { setting, value: d });
    }
    Ok(secs(d))
}

/// Whole seconds of a duration (saturating), once `whole_seconds` has checked it.
pub(crate) fn secs(d: std::time::Duration) -> u32 {
    u32::try_from(d.as_secs()).unwrap_or(u32::MAX)
}

/// Everything the compute constructs reject. Each variant names what is wrong and, where it
/// helps, what would be accepted.
///
/// `?` turns them into the core error, which names the path of the construct being built; a
/// caller matches on the variant with
/// [`Error::downcast_ref`](cloudwright_core::Error::downcast_ref).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A duration that is not a whole number of seconds.
    #[error("{setting}: {value:?} is not a whole number of seconds")]
    FractionalDuration {
        /// The setting.
        setting: &'static str,
        /// The duration given.
        value: std::time::Duration,
    },
    /// A function setting Lambda does not accept.
    #[error("function {setting}: {reason}")]
    InvalidFunction {
        /// The setting (`memory_mb`, `timeout`, ...).
        setting: &'static str,
        /// What is wrong and what is accepted.
        reason: String,
    },
    /// Inline function code over the limit.
    #[error(
        "inline code is {bytes} bytes, over the {limit}-byte limit for ZipFile; put it in a directory and use Code::from_directory"
    )]
    InlineCodeTooLarge {
        /// Its size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// A queue whose visibility timeout is shorter than the consuming function's timeout:
    /// messages would become visible again while the function still works on them (what
    /// cfn-lint reports as E3505, here refused at synth).
    #[error(
        "queue {queue}: its visibility timeout ({visibility} s) is shorter than the timeout of function {function} ({timeout} s), so messages would be delivered again while being processed; set the queue's visibility_timeout to at least {timeout} s (AWS recommends 6 times the function's timeout, {recommended} s), or shorten the function's timeout"
    )]
    VisibilityTimeoutTooShort {
        /// The queue's logical id.
        queue: String,
        /// Its visibility timeout, in seconds.
        visibility: u64,
        /// The function's logical id.
        function: String,
        /// The function's timeout, in seconds.
        timeout: u64,
        /// Six times the function's timeout.
        recommended: u64,
    },
    /// An event source setting Lambda does not accept.
    #[error("event source {setting}: {reason}")]
    InvalidEventSource {
        /// The setting.
        setting: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A scratch volume that cannot be mounted as given.
    #[error("container `{container}`: scratch volume `{path}`: {reason}")]
    InvalidScratchVolume {
        /// The container.
        container: String,
        /// The path given.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A FireLens log router that cannot work as configured.
    #[error("log router: {reason}")]
    InvalidLogRouter {
        /// What is wrong.
        reason: String,
    },
    /// A container of another task definition was given to a service.
    #[error(
        "container `{container}` belongs to another task definition than the service's `{task}`"
    )]
    ContainerOfAnotherTask {
        /// The container.
        container: String,
        /// The service's task definition (its logical id).
        task: String,
    },
    /// Fargate does not run a task of this CPU with this memory.
    #[error(
        "Fargate does not support {memory_mib} MiB of memory with {cpu} CPU units; with {cpu} units it allows {allowed} MiB"
    )]
    UnsupportedFargateSize {
        /// CPU units asked for.
        cpu: u32,
        /// Memory asked for, in MiB.
        memory_mib: u32,
        /// The memory sizes this CPU allows, in words.
        allowed: String,
    },
    /// Not a Fargate CPU size.
    #[error(
        "Fargate has no task size of {cpu_units} CPU units; use 256, 512, 1024, 2048, 4096, 8192 or 16384"
    )]
    UnsupportedFargateCpu {
        /// CPU units asked for.
        cpu_units: u32,
    },
    /// A container image reference that cannot be used.
    #[error("invalid container image `{image}`: {reason}")]
    InvalidImage {
        /// The reference as given.
        image: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An ECR repository name that ECR would not accept.
    #[error("invalid ECR repository name `{name}`: {reason}")]
    InvalidRepositoryName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The context value of an ECR image lookup is not usable.
    #[error("the ECR image lookup for repository `{repository}` returned {reason}")]
    InvalidImageLookup {
        /// The repository looked up.
        repository: String,
        /// What is wrong with the value.
        reason: String,
    },
    /// An ECR lookup needs a region, and neither the image nor the stack has one.
    #[error(
        "the ECR image lookup for repository `{repository}` needs a region: set it on the image (`.region(..)`) or on the stack (`StackProps::region`)"
    )]
    LookupRegionUnknown {
        /// The repository looked up.
        repository: String,
    },
    /// A container name ECS would not accept.
    #[error(
        "invalid container name `{name}`: use 1 to 255 ASCII letters, digits, hyphens and underscores"
    )]
    InvalidContainerName {
        /// The name as given.
        name: String,
    },
    /// Two containers of one task definition with the same name.
    #[error("the task definition already has a container named `{name}`")]
    DuplicateContainer {
        /// The name.
        name: String,
    },
    /// A task definition without containers.
    #[error("a task definition needs at least one container")]
    NoContainers,
    /// A task definition whose containers are all non-essential.
    #[error("at least one container of a task definition must be essential")]
    NoEssentialContainer,
    /// A port that is not 1 to 65535, or mapped twice in a container.
    #[error("container `{container}`: {reason}")]
    InvalidPort {
        /// The container.
        container: String,
        /// What is wrong.
        reason: String,
    },
    /// An environment variable or secret name that is empty, or set twice.
    #[error("container `{container}`: {reason}")]
    InvalidEnvironment {
        /// The container.
        container: String,
        /// What is wrong.
        reason: String,
    },
    /// A secret reference that is not an ARN of the expected service.
    #[error("invalid secret `{arn}`: {reason}")]
    InvalidSecret {
        /// The ARN as given.
        arn: String,
        /// What is wrong.
        reason: String,
    },
    /// A health check setting outside what ECS accepts.
    #[error("container `{container}`: health check {setting} is {value}; ECS accepts {allowed}")]
    InvalidHealthCheck {
        /// The container.
        container: String,
        /// The setting (`interval`, `timeout`, `retries`, `start period`, `command`).
        setting: &'static str,
        /// The value given.
        value: String,
        /// The accepted range.
        allowed: &'static str,
    },
    /// The containers reserve more CPU than the task has.
    #[error(
        "the containers reserve {total} CPU units together{detail}, but the task has {task_cpu}"
    )]
    ContainerCpuExceedsTask {
        /// Sum of the containers' CPU units.
        total: u32,
        /// The task's CPU units.
        task_cpu: u32,
        /// Which containers, in words.
        detail: String,
    },
    /// One container's memory setting exceeds the task's memory.
    #[error(
        "container `{container}`: its {setting} of {value} MiB exceeds the task's {task_memory} MiB"
    )]
    ContainerMemoryExceedsTask {
        /// The container.
        container: String,
        /// `memory limit` or `memory reservation`.
        setting: &'static str,
        /// The value, in MiB.
        value: u32,
        /// The task's memory, in MiB.
        task_memory: u32,
    },
    /// The containers' memory reservations add up to more than the task's memory.
    #[error(
        "the containers reserve {total} MiB of memory together{detail}, but the task has {task_memory} MiB"
    )]
    ContainerMemoryReservationsExceedTask {
        /// Sum of the reservations (or limits, where no reservation is set), in MiB.
        total: u32,
        /// The task's memory, in MiB.
        task_memory: u32,
        /// Which containers, in words.
        detail: String,
    },
    /// A container's memory reservation is above its own hard limit.
    #[error(
        "container `{container}`: its memory reservation of {reservation} MiB is above its memory limit of {limit} MiB"
    )]
    ReservationAboveLimit {
        /// The container.
        container: String,
        /// The soft limit, in MiB.
        reservation: u32,
        /// The hard limit, in MiB.
        limit: u32,
    },
    /// A memory or CPU value of zero.
    #[error("container `{container}`: {setting} must be greater than zero")]
    ZeroResource {
        /// The container.
        container: String,
        /// `cpu`, `memory limit` or `memory reservation`.
        setting: &'static str,
    },
    /// A container has no mapping for the port asked for.
    #[error(
        "container `{container}` has no port mapping for {protocol} port {port}; it maps {mapped}"
    )]
    UnmappedPort {
        /// The container.
        container: String,
        /// The port asked for.
        port: u16,
        /// The protocol asked for.
        protocol: &'static str,
        /// The ports it maps, in words.
        mapped: String,
    },
    /// The task definition has no container of this name.
    #[error("the task definition has no container named `{name}`; it has {known}")]
    UnknownContainer {
        /// The name asked for.
        name: String,
        /// The containers it has.
        known: String,
    },
    /// A container reference used with a task definition it does not belong to.
    #[error(
        "container `{container}` belongs to another task definition than the service's (`{task}`)"
    )]
    ForeignContainer {
        /// The container.
        container: String,
        /// The logical id of the service's task definition.
        task: String,
    },
    /// A log retention period CloudWatch Logs does not offer.
    #[error(
        "CloudWatch Logs cannot keep logs for {days} days; use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653"
    )]
    InvalidRetention {
        /// The days asked for.
        days: u32,
    },
    /// A log stream prefix the awslogs driver would reject.
    #[error("invalid log stream prefix `{prefix}`: {reason}")]
    InvalidLogStreamPrefix {
        /// The prefix as given.
        prefix: String,
        /// What is wrong.
        reason: String,
    },
    /// Cluster settings ECS rejects.
    #[error("invalid cluster: {reason}")]
    InvalidCluster {
        /// What is wrong.
        reason: String,
    },
    /// An egress rule to port 0.
    #[error("egress rule to `{cidr}`: port 0 is not a port")]
    InvalidEgressPort {
        /// The destination block as given.
        cidr: String,
    },
    /// A service without subnets.
    #[error("a Fargate service needs at least one subnet")]
    NoSubnets,
    /// A service registered in a load balancer that nothing may reach.
    #[error(
        "the service is registered in a load balancer, but its security group admits no one: call `allow_from_cidrs` (the VPC's CIDR blocks, for an NLB) or `allow_from_security_group` (the load balancer's group)"
    )]
    NoIngressSource,
    /// Deployment settings ECS rejects.
    #[error("invalid deployment configuration: {reason}")]
    InvalidDeployment {
        /// What is wrong.
        reason: String,
    },
    /// Autoscaling settings that cannot work.
    #[error("invalid autoscaling configuration: {reason}")]
    InvalidScaling {
        /// What is wrong.
        reason: String,
    },
}
