//! [`FargateTaskDefinition`]: a Fargate task definition with its log group, a least-privilege
//! execution role passed by ARN, an optional task role, and containers whose reservations
//! fit the task.
//!
//! Adding a container returns a [`ContainerRef`]; its [`ContainerRef::port`] gives a
//! [`ContainerPort`], the only way to name a container and port to a load balancer. Neither
//! can be written by hand, so a service cannot name a container its task does not have:
//!
//! ```compile_fail,E0451
//! use cloudwright_compute::{ContainerPort, PortMapping};
//! // private fields: a container port cannot be made up, only obtained from a container
//! let pmm = ContainerPort { container: "pmm".to_owned(), mapping: PortMapping::tcp(80) };
//! ```
//!
//! ```
//! use cloudwright_compute::{Container, ContainerImage, FargateSize, FargateTaskDefinition};
//! use cloudwright_core::App;
//!
//! let mut app = App::new();
//! let mut stack = app.stack("Api")?;
//! let mut task = FargateTaskDefinition::new(FargateSize::ONE_VCPU_2GB);
//! let image = ContainerImage::from_uri("nginx:1.27").map_err(|e| stack.error(e))?;
//! let flask = task
//!     .add_container(Container::new("flask", image).port(80))
//!     .map_err(|e| stack.error(e))?;
//! let http = flask.port(80).map_err(|e| stack.error(e))?;
//! let task = stack.construct("Task", task)?;
//! assert_eq!(http.container(), "flask");
//! assert!(task.container("flask").is_ok());
//! assert!(task.container("pmm").is_err());
//! # Ok::<(), cloudwright_core::Error>(())
//! ```

use std::sync::atomic::{AtomicU64, Ordering};

use cloudwright_core::{Construct, DepTarget, Dependable, Handle, Json, Pseudo, Scope, Value};
use cloudwright_resources::ecs::task_definition as td;
use cloudwright_resources::{iam, logs};

use crate::container::{Container, PortMapping, Protocol, SecretSource};
use crate::error::Error;
use crate::fargate::FargateSize;
use crate::image::ImageRef;

/// Distinguishes task definitions, so a [`ContainerPort`] of one cannot be used with another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct TaskId(u64);

impl TaskId {
    fn next() -> TaskId {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        TaskId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// How long CloudWatch Logs keeps the task's logs: only the periods it offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RetentionDays(u32);

impl RetentionDays {
    /// The periods CloudWatch Logs offers, in days.
    pub const ALLOWED: [u32; 22] = [
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
        2922, 3288, 3653,
    ];
    /// One week.
    pub const ONE_WEEK: RetentionDays = RetentionDays(7);
    /// Two weeks.
    pub const TWO_WEEKS: RetentionDays = RetentionDays(14);
    /// One month (30 days), the default.
    pub const ONE_MONTH: RetentionDays = RetentionDays(30);
    /// Three months (90 days).
    pub const THREE_MONTHS: RetentionDays = RetentionDays(90);
    /// One year (365 days).
    pub const ONE_YEAR: RetentionDays = RetentionDays(365);

    /// A retention period, if CloudWatch Logs offers it.
    pub fn days(days: u32) -> Result<RetentionDays, Error> {
        if RetentionDays::ALLOWED.contains(&days) {
            Ok(RetentionDays(days))
        } else {
            Err(Error::InvalidRetention { days })
        }
    }

    /// The number of days.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for RetentionDays {
    fn default() -> Self {
        RetentionDays::ONE_MONTH
    }
}

/// The CPU architecture the task's images are built for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CpuArchitecture {
    /// x86-64 (the default).
    #[default]
    X86_64,
    /// 64-bit ARM (Graviton).
    Arm64,
}

/// A reference to a container added to a [`FargateTaskDefinition`]: only adding a container
/// makes one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerRef {
    task: TaskId,
    name: String,
    ports: Vec<PortMapping>,
}

impl ContainerRef {
    /// The container's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The container's port mappings.
    pub fn ports(&self) -> &[PortMapping] {
        &self.ports
    }

    /// The container's TCP `port`, if the container maps it; [`Error::UnmappedPort`] otherwise.
    pub fn port(&self, port: u16) -> Result<ContainerPort, Error> {
        self.port_mapping(PortMapping::tcp(port))
    }

    /// The container's `mapping`, if the container maps it.
    pub fn port_mapping(&self, mapping: PortMapping) -> Result<ContainerPort, Error> {
        if self.ports.contains(&mapping) {
            Ok(ContainerPort {
                task: self.task,
                container: self.name.clone(),
                mapping,
            })
        } else {
            Err(Error::UnmappedPort {
                container: self.name.clone(),
                port: mapping.container_port,
                protocol: mapping.protocol.name(),
                mapped: describe_ports(&self.ports),
            })
        }
    }
}

fn describe_ports(ports: &[PortMapping]) -> String {
    if ports.is_empty() {
        return "no ports".into();
    }
    ports
        .iter()
        .map(|p| format!("{}/{}", p.container_port, p.protocol.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A port of a container of a task definition, as a load balancer targets it. Only
/// [`ContainerRef::port`] makes one, so it always names a container and port that exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerPort {
    task: TaskId,
    container: String,
    mapping: PortMapping,
}

impl ContainerPort {
    /// The container's name.
    pub fn container(&self) -> &str {
        &self.container
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.mapping.container_port
    }

    /// The protocol.
    pub fn protocol(&self) -> Protocol {
        self.mapping.protocol
    }

    pub(crate) fn task(&self) -> TaskId {
        self.task
    }
}

#[derive(Clone, Debug, PartialEq)]
enum ExecutionRole {
    Create,
    Existing(Value),
}

#[derive(Clone, Debug, PartialEq)]
enum TaskRole {
    None,
    Create(Vec<Value>),
    Existing(Value),
}

/// A Fargate task definition (`awsvpc` networking, Linux), built into:
///
/// - `Logs`: an `AWS::Logs::LogGroup` with a retention period (default 30 days); every
///   container logs to it through the `awslogs` driver (region `${AWS::Region}`, a stream
///   prefix, default `ecs`);
/// - `ExecutionRole`: an `AWS::IAM::Role` for ECS itself, unless an existing one is given,
///   with least privilege: `ecr:GetAuthorizationToken` on `*` and the three pull actions on
///   the repositories of the ECR images only, `logs:CreateLogStream`/`logs:PutLogEvents` on
///   its own log group, and read access to exactly the secrets its containers use. It is
///   passed to the task definition by ARN (`Fn::GetAtt Role.Arn`);
/// - `TaskRole`: the application's role, only when asked for ([`Self::task_role`]);
/// - `TaskDefinition`: the `AWS::ECS::TaskDefinition`.
#[derive(Clone, Debug)]
pub struct FargateTaskDefinition {
    id: TaskId,
    size: FargateSize,
    family: Option<String>,
    containers: Vec<Container>,
    execution_role: ExecutionRole,
    task_role: TaskRole,
    retention: RetentionDays,
    stream_prefix: String,
    architecture: CpuArchitecture,
}

impl FargateTaskDefinition {
    /// A task definition of `size`, without containers yet.
    pub fn new(size: FargateSize) -> Self {
        FargateTaskDefinition {
            id: TaskId::next(),
            size,
            family: None,
            containers: Vec::new(),
            execution_role: ExecutionRole::Create,
            task_role: TaskRole::None,
            retention: RetentionDays::default(),
            stream_prefix: "ecs".into(),
            architecture: CpuArchitecture::default(),
        }
    }

    /// The task's size.
    pub fn size(&self) -> FargateSize {
        self.size
    }

    /// Sets the family name (default: generated by CloudFormation).
    pub fn family(mut self, family: impl Into<String>) -> Self {
        self.family = Some(family.into());
        self
    }

    /// Keeps logs for `retention` (default 30 days).
    pub fn log_retention(mut self, retention: RetentionDays) -> Self {
        self.retention = retention;
        self
    }

    /// The awslogs stream prefix (default `ecs`): streams are named
    /// `prefix/container/task-id`.
    pub fn log_stream_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.stream_prefix = prefix.into();
        self
    }

    /// The CPU architecture (default x86-64).
    pub fn cpu_architecture(mut self, architecture: CpuArchitecture) -> Self {
        self.architecture = architecture;
        self
    }

    /// Uses an existing execution role, by ARN, instead of creating one. It must allow
    /// whatever the containers need to start (pull the images, write the logs, read secrets).
    pub fn execution_role_arn(mut self, arn: impl Into<Value>) -> Self {
        self.execution_role = ExecutionRole::Existing(arn.into());
        self
    }

    /// Creates a task role for the application (assumable by ECS tasks of this account only)
    /// with these IAM policy statements (each a JSON object with `Effect`, `Action`,
    /// `Resource`: a `serde_json::Value`, or a [`Value`] map when it holds intrinsics). With no statements the role has no
    /// permissions; attach policies to the output's `task_role` later.
    pub fn task_role<S: Into<Json>>(mut self, statements: impl IntoIterator<Item = S>) -> Self {
        self.task_role = TaskRole::Create(statements.into_iter().map(|s| s.into().0).collect());
        self
    }

    /// Uses an existing task role, by ARN.
    pub fn task_role_arn(mut self, arn: impl Into<Value>) -> Self {
        self.task_role = TaskRole::Existing(arn.into());
        self
    }

    /// Adds a container. It is checked on its own (name, ports, environment, health check)
    /// and against the task: a unique name, its memory limit and reservation within the task's
    /// memory, the containers' CPU and memory reservations together within the task's.
    pub fn add_container(&mut self, container: Container) -> Result<ContainerRef, Error> {
        container.validate()?;
        if self.containers.iter().any(|c| c.name == container.name) {
            return Err(Error::DuplicateContainer {
                name: container.name,
            });
        }
        let task_cpu = self.size.cpu_units();
        let task_memory = self.size.memory_mib();
        for (setting, value) in [
            ("memory limit", container.memory_limit_mib),
            ("memory reservation", container.memory_reservation_mib),
        ] {
            if let Some(value) = value
                && value > task_memory
            {
                return Err(Error::ContainerMemoryExceedsTask {
                    container: container.name,
                    setting,
                    value,
                    task_memory,
                });
            }
        }
        let all = || self.containers.iter().chain(std::iter::once(&container));
        let cpus: Vec<(&str, u32)> = all()
            .filter_map(|c| c.cpu.map(|cpu| (c.name.as_str(), cpu)))
            .collect();
        let total_cpu: u64 = cpus.iter().map(|(_, c)| u64::from(*c)).sum();
        if total_cpu > u64::from(task_cpu) {
            return Err(Error::ContainerCpuExceedsTask {
                total: u32::try_from(total_cpu).unwrap_or(u32::MAX),
                task_cpu,
                detail: detail(&cpus, ""),
            });
        }
        let memories: Vec<(&str, u32)> = all()
            .filter_map(|c| {
                c.memory_reservation_mib
                    .or(c.memory_limit_mib)
                    .map(|m| (c.name.as_str(), m))
            })
            .collect();
        let total_memory: u64 = memories.iter().map(|(_, m)| u64::from(*m)).sum();
        if total_memory > u64::from(task_memory) {
            return Err(Error::ContainerMemoryReservationsExceedTask {
                total: u32::try_from(total_memory).unwrap_or(u32::MAX),
                task_memory,
                detail: detail(&memories, " MiB"),
            });
        }
        let reference = ContainerRef {
            task: self.id,
            name: container.name.clone(),
            ports: container.ports.clone(),
        };
        self.containers.push(container);
        Ok(reference)
    }

    /// [`Self::add_container`] for a builder chain; the reference is found again with
    /// [`TaskDefinitionOutput::container`].
    pub fn with_container(mut self, container: Container) -> Result<Self, Error> {
        self.add_container(container)?;
        Ok(self)
    }

    fn validate(&self) -> Result<(), Error> {
        if self.containers.is_empty() {
            return Err(Error::NoContainers);
        }
        if !self.containers.iter().any(|c| c.essential) {
            return Err(Error::NoEssentialContainer);
        }
        let prefix = &self.stream_prefix;
        if prefix.is_empty()
            || prefix.len() > 512
            || prefix.contains(':')
            || prefix.contains('*')
            || prefix.chars().any(char::is_control)
        {
            return Err(Error::InvalidLogStreamPrefix {
                prefix: prefix.clone(),
                reason: "use 1 to 512 characters without `:`, `*` or control characters".into(),
            });
        }
        Ok(())
    }
}

fn detail(items: &[(&str, u32)], unit: &str) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|(n, v)| format!("{n} {v}{unit}"))
        .collect();
    format!(" ({})", parts.join(", "))
}

/// What building a [`FargateTaskDefinition`] gives: handles to its resources, and the
/// references to its containers.
#[derive(Clone, Debug)]
pub struct TaskDefinitionOutput {
    id: TaskId,
    /// The task definition (`Ref` is its ARN).
    pub task_definition: Handle<td::TaskDefinition>,
    /// The execution role, when the construct created it.
    pub execution_role: Option<Handle<iam::Role>>,
    /// The task role, when the construct created it.
    pub task_role: Option<Handle<iam::Role>>,
    /// The log group the containers write to.
    pub log_group: Handle<logs::LogGroup>,
    /// The task's size.
    pub size: FargateSize,
    containers: Vec<ContainerRef>,
}

impl TaskDefinitionOutput {
    /// The task definition's ARN.
    pub fn arn(&self) -> Value {
        self.task_definition.r#ref()
    }

    /// The container named `name`, if the task has one.
    pub fn container(&self, name: &str) -> Result<ContainerRef, Error> {
        self.containers
            .iter()
            .find(|c| c.name == name)
            .cloned()
            .ok_or_else(|| Error::UnknownContainer {
                name: name.to_owned(),
                known: self
                    .containers
                    .iter()
                    .map(|c| c.name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// The containers.
    pub fn containers(&self) -> &[ContainerRef] {
        &self.containers
    }

    pub(crate) fn id(&self) -> TaskId {
        self.id
    }
}

impl Dependable for TaskDefinitionOutput {
    fn dependency_targets(&self) -> Vec<DepTarget> {
        let mut targets = self.task_definition.dependency_targets();
        targets.extend(self.log_group.dependency_targets());
        for role in self.execution_role.iter().chain(&self.task_role) {
            targets.extend(role.dependency_targets());
        }
        targets
    }
}

fn statement(actions: &[&str], resource: impl Into<Value>) -> Value {
    let action = match actions {
        [one] => Value::from(*one),
        many => Value::list(many.iter().copied()),
    };
    Value::map([
        ("Effect", Value::from("Allow")),
        ("Action", action),
        ("Resource", resource.into()),
    ])
}

fn document(statements: Vec<Value>) -> Value {
    Value::map([
        ("Version", Value::from("2012-10-17")),
        ("Statement", Value::List(statements)),
    ])
}

/// An inline policy of a role.
fn inline_policy(name: &str, document: Value) -> iam::role::Policy {
    iam::role::Policy::new(iam::role::PolicyRequired {
        policy_document: Json(document),
        policy_name: name.into(),
    })
}

fn one_or_list(mut values: Vec<Value>) -> Value {
    if values.len() == 1 {
        values.remove(0)
    } else {
        Value::List(values)
    }
}

/// The trust policy of a role assumed by ECS tasks; the task role is restricted to tasks of
/// this account and region, as the ECS documentation recommends.
fn ecs_tasks_trust(restricted: bool) -> Value {
    let mut stmt = vec![
        ("Effect", Value::from("Allow")),
        (
            "Principal",
            Value::map([("Service", Value::from("ecs-tasks.amazonaws.com"))]),
        ),
        ("Action", Value::from("sts:AssumeRole")),
    ];
    if restricted {
        stmt.push((
            "Condition",
            Value::map([
                (
                    "ArnLike",
                    Value::map([(
                        "aws:SourceArn",
                        Value::sub("arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:*"),
                    )]),
                ),
                (
                    "StringEquals",
                    Value::map([("aws:SourceAccount", Value::from(Pseudo::AccountId))]),
                ),
            ]),
        ));
    }
    document(vec![Value::map(stmt)])
}

impl FargateTaskDefinition {
    /// The execution role's policy statements.
    fn execution_statements(&self, images: &[ImageRef], log_group_arn: Value) -> Vec<Value> {
        let mut statements = Vec::new();
        let mut repositories: Vec<Value> = Vec::new();
        for image in images {
            if let Some(repo) = image.ecr() {
                let arn = repo.arn();
                if !repositories.contains(&arn) {
                    repositories.push(arn);
                }
            }
        }
        if !repositories.is_empty() {
            statements.push(statement(&["ecr:GetAuthorizationToken"], "*"));
            statements.push(statement(
                &[
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchGetImage",
                ],
                one_or_list(repositories),
            ));
        }
        statements.push(statement(
            &["logs:CreateLogStream", "logs:PutLogEvents"],
            log_group_arn,
        ));
        for (source, action) in [
            (
                SecretSource::SecretsManager,
                "secretsmanager:GetSecretValue",
            ),
            (SecretSource::SsmParameter, "ssm:GetParameters"),
        ] {
            let mut arns: Vec<Value> = Vec::new();
            for secret in self.containers.iter().flat_map(|c| c.secrets.values()) {
                if secret.source() == source && !arns.contains(secret.arn()) {
                    arns.push(secret.arn().clone());
                }
            }
            if !arns.is_empty() {
                statements.push(statement(&[action], one_or_list(arns)));
            }
        }
        statements
    }
}

fn container_definition(
    c: &Container,
    image: &ImageRef,
    log_group: &Handle<logs::LogGroup>,
    stream_prefix: &str,
) -> td::ContainerDefinition {
    let image = image.to_string();
    let mut def = td::ContainerDefinition::new(td::ContainerDefinitionRequired {
        image: image.into(),
        name: c.name.clone().into(),
    })
    .essential(c.essential)
    .log_configuration(
        td::LogConfiguration::new(td::LogConfigurationRequired {
            log_driver: "awslogs".into(),
        })
        .options(Json(Value::map([
            ("awslogs-group", log_group.r#ref()),
            ("awslogs-region", Value::from(Pseudo::Region)),
            ("awslogs-stream-prefix", Value::from(stream_prefix)),
        ]))),
    );
    if !c.ports.is_empty() {
        let mappings: Vec<td::PortMapping> = c
            .ports
            .iter()
            .map(|p| {
                td::PortMapping::new()
                    .container_port(p.container_port)
                    .protocol(match p.protocol {
                        Protocol::Tcp => td::Protocol::Tcp,
                        Protocol::Udp => td::Protocol::Udp,
                    })
            })
            .collect();
        def = def.port_mappings(mappings);
    }
    if !c.environment.is_empty() {
        let env: Vec<td::KeyValuePair> = c
            .environment
            .iter()
            .map(|(k, v)| td::KeyValuePair::new().name(k.clone()).value(v.clone()))
            .collect();
        def = def.environment(env);
    }
    if !c.secrets.is_empty() {
        let secrets: Vec<td::Secret> = c
            .secrets
            .iter()
            .map(|(k, s)| {
                td::Secret::new(td::SecretRequired {
                    name: k.clone().into(),
                    value_from: s.value_from().into(),
                })
            })
            .collect();
        def = def.secrets(secrets);
    }
    if let Some(cmd) = &c.command {
        def = def.command(cmd.clone());
    }
    if let Some(ep) = &c.entry_point {
        def = def.entry_point(ep.clone());
    }
    if let Some(check) = &c.health_check {
        let mut hc = td::HealthCheck::new()
            .command(check.command().to_vec())
            .interval(check.interval())
            .timeout(check.timeout())
            .retries(check.retry_count());
        if let Some(s) = check.start_period() {
            hc = hc.start_period(s);
        }
        def = def.health_check(hc);
    }
    if let Some(cpu) = c.cpu {
        def = def.cpu(cpu);
    }
    if let Some(m) = c.memory_limit_mib {
        def = def.memory(m);
    }
    if let Some(m) = c.memory_reservation_mib {
        def = def.memory_reservation(m);
    }
    if c.readonly_root_filesystem {
        def = def.readonly_root_filesystem(true);
    }
    if !c.drop_capabilities.is_empty() {
        def = def.linux_parameters(
            td::LinuxParameters::new()
                .capabilities(td::KernelCapabilities::new().drop(c.drop_capabilities.clone())),
        );
    }
    if let Some(u) = &c.user {
        def = def.user(u.clone());
    }
    if let Some(w) = &c.working_directory {
        def = def.working_directory(w.clone());
    }
    def
}

impl Construct for FargateTaskDefinition {
    type Output = TaskDefinitionOutput;

    fn build(self, scope: &mut Scope<'_>) -> Result<TaskDefinitionOutput, cloudwright_core::Error> {
        self.validate().map_err(|e| scope.error(e))?;
        // resolve every image before failing, so every missing lookup is recorded at once
        let mut images = Vec::new();
        let mut first_error = None;
        for c in &self.containers {
            match c.image.resolve(scope) {
                Ok(i) => images.push(i),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        if let Some(e) = first_error {
            return Err(e);
        }

        let log_group = scope.add(
            "Logs",
            logs::LogGroup::new().retention_in_days(self.retention.get()),
        )?;

        let (execution_role, execution_role_arn) = match &self.execution_role {
            ExecutionRole::Create => {
                let statements = self.execution_statements(&images, log_group.arn());
                let role = scope.add(
                    "ExecutionRole",
                    iam::Role::new(iam::RoleRequired {
                        assume_role_policy_document: Json(ecs_tasks_trust(false)),
                    })
                    .policies(vec![inline_policy("ExecutionPolicy", document(statements))]),
                )?;
                let arn = role.arn();
                (Some(role), arn)
            }
            ExecutionRole::Existing(arn) => (None, arn.clone()),
        };
        let (task_role, task_role_arn) = match &self.task_role {
            TaskRole::None => (None, None),
            TaskRole::Existing(arn) => (None, Some(arn.clone())),
            TaskRole::Create(statements) => {
                let mut role = iam::Role::new(iam::RoleRequired {
                    assume_role_policy_document: Json(ecs_tasks_trust(true)),
                });
                if !statements.is_empty() {
                    role = role.policies(vec![inline_policy(
                        "TaskPolicy",
                        document(statements.clone()),
                    )]);
                }
                let role = scope.add("TaskRole", role)?;
                let arn = role.arn();
                (Some(role), Some(arn))
            }
        };

        let definitions: Vec<td::ContainerDefinition> = self
            .containers
            .iter()
            .zip(&images)
            .map(|(c, i)| container_definition(c, i, &log_group, &self.stream_prefix))
            .collect();
        let mut task = td::TaskDefinition::new()
            .cpu(self.size.cpu_units().to_string())
            .memory(self.size.memory_mib().to_string())
            .network_mode(td::NetworkMode::Awsvpc)
            .requires_compatibilities(vec![td::RequiresCompatibility::Fargate])
            .runtime_platform(
                td::RuntimePlatform::new()
                    .cpu_architecture(match self.architecture {
                        CpuArchitecture::X86_64 => td::CpuArchitecture::X86_64,
                        CpuArchitecture::Arm64 => td::CpuArchitecture::Arm64,
                    })
                    .operating_system_family(td::OperatingSystemFamily::Linux),
            )
            .execution_role_arn(execution_role_arn)
            .container_definitions(definitions);
        if let Some(arn) = task_role_arn {
            task = task.task_role_arn(arn);
        }
        if let Some(family) = &self.family {
            task = task.family(family.clone());
        }
        let task_definition = scope.add("TaskDefinition", task)?;

        let containers = self
            .containers
            .iter()
            .map(|c| ContainerRef {
                task: self.id,
                name: c.name.clone(),
                ports: c.ports.clone(),
            })
            .collect();
        Ok(TaskDefinitionOutput {
            id: self.id,
            task_definition,
            execution_role,
            task_role,
            log_group,
            size: self.size,
            containers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::Secret;
    use crate::image::ContainerImage;

    fn image() -> ContainerImage {
        ContainerImage::from_uri("nginx:1.27").unwrap()
    }

    fn task() -> FargateTaskDefinition {
        FargateTaskDefinition::new(FargateSize::ONE_VCPU_2GB)
    }

    #[test]
    fn containers_whose_reservations_exceed_the_task_are_rejected() {
        // one container above the task's memory
        let e = task()
            .add_container(Container::new("a", image()).memory_limit_mib(4096))
            .unwrap_err();
        assert_eq!(
            e,
            Error::ContainerMemoryExceedsTask {
                container: "a".into(),
                setting: "memory limit",
                value: 4096,
                task_memory: 2048
            }
        );
        let e = task()
            .add_container(Container::new("a", image()).memory_reservation_mib(2049))
            .unwrap_err();
        assert!(matches!(
            e,
            Error::ContainerMemoryExceedsTask {
                setting: "memory reservation",
                ..
            }
        ));
        // CPU adds up over the containers
        let mut t = task();
        t.add_container(Container::new("a", image()).cpu(768))
            .unwrap();
        let e = t
            .add_container(Container::new("b", image()).cpu(512))
            .unwrap_err();
        assert!(
            matches!(
                &e,
                Error::ContainerCpuExceedsTask {
                    total: 1280,
                    task_cpu: 1024,
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("a 768, b 512"), "{e}");
        // so do memory reservations (a limit counts where no reservation is set)
        let mut t = task();
        t.add_container(Container::new("a", image()).memory_limit_mib(1536))
            .unwrap();
        let e = t
            .add_container(Container::new("b", image()).memory_reservation_mib(1024))
            .unwrap_err();
        assert!(matches!(
            e,
            Error::ContainerMemoryReservationsExceedTask {
                total: 2560,
                task_memory: 2048,
                ..
            }
        ));
        // exactly the task fits
        let mut t = task();
        t.add_container(
            Container::new("a", image())
                .cpu(512)
                .memory_reservation_mib(1024),
        )
        .unwrap();
        t.add_container(Container::new("b", image()).cpu(512).memory_limit_mib(1024))
            .unwrap();
        // the failed additions above left nothing behind
        assert_eq!(t.containers.len(), 2);
    }

    #[test]
    fn container_names_are_unique_and_ports_must_be_mapped() {
        let mut t = task();
        let web = t
            .add_container(Container::new("web", image()).port(80))
            .unwrap();
        assert_eq!(
            t.add_container(Container::new("web", image())).unwrap_err(),
            Error::DuplicateContainer { name: "web".into() }
        );
        let port = web.port(80).unwrap();
        assert_eq!((port.container(), port.port()), ("web", 80));
        assert!(matches!(
            web.port(8080),
            Err(Error::UnmappedPort { port: 8080, .. })
        ));
        assert!(web.port_mapping(PortMapping::udp(80)).is_err());
    }

    #[test]
    fn a_task_needs_an_essential_container_and_a_sane_log_prefix() {
        assert_eq!(task().validate(), Err(Error::NoContainers));
        let t = task()
            .with_container(Container::new("a", image()).essential(false))
            .unwrap();
        assert_eq!(t.validate(), Err(Error::NoEssentialContainer));
        let t = task()
            .with_container(Container::new("a", image()))
            .unwrap()
            .log_stream_prefix("a:b");
        assert!(matches!(
            t.validate(),
            Err(Error::InvalidLogStreamPrefix { .. })
        ));
    }

    #[test]
    fn retention_is_one_of_the_offered_periods() {
        assert_eq!(RetentionDays::default().get(), 30);
        assert_eq!(RetentionDays::days(14), Ok(RetentionDays::TWO_WEEKS));
        for bad in [0, 2, 31, 366, 10_000] {
            assert_eq!(
                RetentionDays::days(bad),
                Err(Error::InvalidRetention { days: bad })
            );
        }
    }

    #[test]
    fn the_execution_role_only_gets_what_the_containers_need() {
        let ecr = ContainerImage::from_uri(
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/my_flask_repo:v3",
        )
        .unwrap();
        let t = task()
            .with_container(
                Container::new("a", ecr).secret(
                    "TOKEN",
                    Secret::ssm_parameter("arn:aws:ssm:eu-west-1:123456789012:parameter/token")
                        .unwrap(),
                ),
            )
            .unwrap();
        let images: Vec<ImageRef> = t
            .containers
            .iter()
            .map(|c| match &c.image {
                ContainerImage::Uri(i) => i.clone(),
                ContainerImage::EcrLookup(_) => unreachable!(),
            })
            .collect();
        let doc = serde_json::to_value(Value::List(
            t.execution_statements(&images, Value::get_att("Logs", "Arn")),
        ))
        .unwrap();
        let actions: Vec<String> = doc
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Action"].to_string())
            .collect();
        assert_eq!(doc.as_array().unwrap().len(), 4, "{doc}");
        assert!(actions[0].contains("ecr:GetAuthorizationToken"));
        assert_eq!(doc[0]["Resource"], "*");
        assert_eq!(
            doc[1]["Resource"]["Fn::Sub"],
            "arn:${AWS::Partition}:ecr:eu-west-1:123456789012:repository/my_flask_repo"
        );
        assert_eq!(
            doc[2]["Resource"]["Fn::GetAtt"],
            serde_json::json!(["Logs", "Arn"])
        );
        assert_eq!(doc[3]["Action"], "ssm:GetParameters");
        // a public image needs no ECR permission at all
        let t = task().with_container(Container::new("a", image())).unwrap();
        let images = [ImageRef::parse("nginx:1.27").unwrap()];
        let statements = t.execution_statements(&images, Value::get_att("Logs", "Arn"));
        assert_eq!(statements.len(), 1);
        assert!(!Value::List(statements).to_string().contains("ecr:"));
    }
}
