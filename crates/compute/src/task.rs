//! [`FargateTaskDefinition`]: a Fargate task definition with its log group, a least-privilege
//! execution role passed by ARN, an optional task role, and containers whose reservations
//! fit the task.
//!
//! Adding a container returns a [`ContainerRef`], the only way to name a container to a
//! service's `attach`. It cannot be written by hand, so a service cannot name a container its
//! task does not have:
//!
//! ```compile_fail,E0451
//! use cloudwright_compute::ContainerRef;
//! // private fields: a container reference cannot be made up, only obtained from a task
//! let pmm = ContainerRef { name: "pmm".to_owned(), ports: Vec::new() };
//! ```
//!
//! ```
//! use cloudwright_compute::{Container, ContainerImage, FargateSize, FargateTaskDefinition};
//! use cloudwright_core::App;
//!
//! let app = App::new();
//! let mut stack = app.stack("Api")?;
//! let mut task = FargateTaskDefinition::new(FargateSize::ONE_VCPU_2GB);
//! let flask = task.add_container(Container::new("flask", ContainerImage::from_uri("nginx:1.27")).port(80));
//! let task = stack.construct("Task", task)?;
//! assert_eq!(flask.name(), "flask");
//! assert!(task.container("flask").is_ok());
//! assert!(task.container("pmm").is_err());
//! # Ok::<(), cloudwright_core::Error>(())
//! ```

use std::sync::atomic::{AtomicU64, Ordering};

use cloudwright_core::{
    Construct, DepTarget, Dependable, Exception, Handle, Json, Policy, Pseudo, Scope, Value,
};
use cloudwright_iam::{Condition, Grantee, PolicyDocument, Principal, RoleRef, Statement};
use cloudwright_resources::ecs::task_definition as td;
use cloudwright_resources::{RetentionDays, iam, logs};

use crate::container::{Container, PortMapping, Protocol, SecretSource};
use crate::error::{Error, secs};
use crate::fargate::FargateSize;
use crate::firelens::{FireLensOutput, LogRouter, LogRouterType};
use crate::image::ResolvedImage;

/// Distinguishes task definitions, so a [`ContainerPort`] of one cannot be used with another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct TaskId(u64);

impl TaskId {
    fn next() -> TaskId {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        TaskId(NEXT.fetch_add(1, Ordering::Relaxed))
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
    pub(crate) fn task(&self) -> TaskId {
        self.task
    }

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
}

#[derive(Clone, Debug, PartialEq)]
enum ExecutionRole {
    Create,
    Existing(Value),
}

#[derive(Clone, Debug, PartialEq)]
enum TaskRole {
    None,
    Create(Vec<Statement>),
    Existing(Value),
}

/// A Fargate task definition (`awsvpc` networking, Linux), built into:
///
/// - `Logs`: an `AWS::Logs::LogGroup` with a retention period (default 30 days), kept when
///   the stack is deleted or the group replaced (`DeletionPolicy` and `UpdateReplacePolicy`
///   `Retain`, unless [`Self::delete_logs_with_stack`]), encrypted with a customer-managed key
///   given by [`Self::log_key`] (else with CloudWatch Logs' own encryption, recorded as a
///   deliberate exception to checkov `CKV_AWS_158` and cfn_nag `W84` in its `Metadata`);
///   every container logs to it through the `awslogs` driver (region `${AWS::Region}`, a
///   stream prefix, default `ecs`);
/// - `ExecutionRole`: an `AWS::IAM::Role` for ECS itself, unless an existing one is given,
///   with least privilege: `ecr:GetAuthorizationToken` on `*` and the three pull actions on
///   the repositories of the ECR images only, `logs:CreateLogStream`/`logs:PutLogEvents` on
///   its own log group, and read access to exactly the secrets its containers use. It is
///   passed to the task definition by ARN (`Fn::GetAtt Role.Arn`). `ecr:GetAuthorizationToken`
///   has no resource-level permissions, so its `*` is recorded as an exception to cfn_nag
///   `W11`;
/// - `TaskRole`: the application's role, only when asked for ([`Self::task_role`]);
/// - `TaskDefinition`: the `AWS::ECS::TaskDefinition`, with a task-level volume for every
///   [`Container::scratch_volume`].
#[derive(Clone, Debug)]
pub struct FargateTaskDefinition {
    id: TaskId,
    size: FargateSize,
    family: Option<String>,
    containers: Vec<Container>,
    execution_role: ExecutionRole,
    task_role: TaskRole,
    retention: RetentionDays,
    retain_logs: bool,
    log_key: Option<Value>,
    stream_prefix: String,
    architecture: CpuArchitecture,
    log_router: Option<LogRouter>,
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
            retain_logs: true,
            log_key: None,
            stream_prefix: "ecs".into(),
            architecture: CpuArchitecture::default(),
            log_router: None,
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

    /// Deletes the log group with the stack (and when it is replaced) instead of keeping it
    /// (`DeletionPolicy` and `UpdateReplacePolicy` `Delete`): for short-lived stacks whose
    /// logs nobody needs afterwards.
    pub fn delete_logs_with_stack(mut self) -> Self {
        self.retain_logs = false;
        self
    }

    /// Encrypts the log group with this customer-managed KMS key: a [`LogKey`](crate::LogKey)'s
    /// output (`&key`) or the ARN of a key whose policy lets CloudWatch Logs use it.
    pub fn log_key(mut self, key: impl Into<Value>) -> Self {
        self.log_key = Some(key.into());
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

    /// Routes the logs of every container through a FireLens log router container (Fluent
    /// Bit or Fluentd): the router logs itself with `awslogs`, the others use the
    /// `awsfirelens` driver with the router's output and start after it. With the default
    /// output (the task's log group) the task role is granted writing to that group.
    pub fn log_router(mut self, router: LogRouter) -> Self {
        self.log_router = Some(router);
        self
    }

    /// Uses an existing execution role, by ARN, instead of creating one. It must allow
    /// whatever the containers need to start (pull the images, write the logs, read secrets).
    pub fn execution_role_arn(mut self, arn: impl Into<Value>) -> Self {
        self.execution_role = ExecutionRole::Existing(arn.into());
        self
    }

    /// Creates a task role for the application (assumable by ECS tasks of this account only)
    /// with these inline IAM statements ([`Statement`]s of `cloudwright-iam`, checked when
    /// the task is built). With none (`task_role([])`) the role has no permissions yet: the
    /// built task is a [`Grantee`](cloudwright_iam::Grantee), so data constructs' grants
    /// attach their policies to it afterwards (`table.grant_read_data(&mut stack, &task)`).
    pub fn task_role(mut self, statements: impl IntoIterator<Item = Statement>) -> Self {
        self.task_role = TaskRole::Create(statements.into_iter().collect());
        self
    }

    /// Uses an existing task role, by ARN.
    pub fn task_role_arn(mut self, arn: impl Into<Value>) -> Self {
        self.task_role = TaskRole::Existing(arn.into());
        self
    }

    /// Adds a container, and gives the reference a service attaches to a load balancer with.
    /// When the task definition is built, the container is checked on its own (name, ports,
    /// environment, health check) and against the task: a unique name, its memory limit and
    /// reservation within the task's memory, the containers' CPU and memory reservations
    /// together within the task's.
    pub fn add_container(&mut self, container: Container) -> ContainerRef {
        let reference = ContainerRef {
            task: self.id,
            name: container.name.clone(),
            ports: container.ports.clone(),
        };
        self.containers.push(container);
        reference
    }

    /// [`Self::add_container`] for a builder chain; the reference is found again with
    /// [`FargateTaskDefinitionOutput::container`].
    pub fn with_container(mut self, container: Container) -> Self {
        self.add_container(container);
        self
    }

    /// Checks `container` against the ones before it.
    fn check_container(&self, index: usize, container: &Container) -> Result<(), Error> {
        container.validate()?;
        let before = &self.containers[..index];
        if before.iter().any(|c| c.name == container.name) {
            return Err(Error::DuplicateContainer {
                name: container.name.clone(),
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
                    container: container.name.clone(),
                    setting,
                    value,
                    task_memory,
                });
            }
        }
        let all = || before.iter().chain(std::iter::once(container));
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
        Ok(())
    }

    fn validate(&self) -> Result<(), Error> {
        if self.containers.is_empty() {
            return Err(Error::NoContainers);
        }
        for (i, c) in self.containers.iter().enumerate() {
            self.check_container(i, c)?;
        }
        if !self.containers.iter().any(|c| c.essential) {
            return Err(Error::NoEssentialContainer);
        }
        if let Some(router) = &self.log_router {
            if self.containers.iter().any(|c| c.name == router.name) {
                return Err(Error::DuplicateContainer {
                    name: router.name.clone(),
                });
            }
            if router.r#type == LogRouterType::Fluentd
                && router.output == FireLensOutput::CloudWatchLogs
            {
                return Err(Error::InvalidLogRouter {
                    reason: "the CloudWatch Logs output is Fluent Bit's; give Fluentd its output options".into(),
                });
            }
            if let FireLensOutput::Options(options) = &router.output
                && !options.contains_key("Name")
                && !options.contains_key("@type")
            {
                return Err(Error::InvalidLogRouter {
                    reason: "the output options must name the output plugin (`Name` for Fluent Bit, `@type` for Fluentd)".into(),
                });
            }
            let task_memory = self.size.memory_mib();
            let total: u32 = self
                .containers
                .iter()
                .filter_map(|c| c.memory_reservation_mib.or(c.memory_limit_mib))
                .sum::<u32>()
                .saturating_add(router.memory_reservation_mib);
            if total > task_memory {
                return Err(Error::ContainerMemoryReservationsExceedTask {
                    total,
                    task_memory,
                    detail: format!(
                        " (with {} MiB for the log router)",
                        router.memory_reservation_mib
                    ),
                });
            }
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
pub struct FargateTaskDefinitionOutput {
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

impl FargateTaskDefinitionOutput {
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

impl Grantee for FargateTaskDefinitionOutput {
    /// The task role, which grants reach; a task without one (or with an existing role given
    /// by ARN) is [`cloudwright_iam::Error::NoRole`].
    fn grantee_role(&self) -> Result<RoleRef, cloudwright_iam::Error> {
        match &self.task_role {
            Some(role) => Ok(RoleRef::from_handle(role)),
            None => Err(cloudwright_iam::Error::NoRole {
                grantee: format!(
                    "the task definition `{}`",
                    self.task_definition.logical_id()
                ),
                fix: "give it a task role with `FargateTaskDefinition::task_role([])` (a role given by ARN with `task_role_arn` is not this stack's to attach policies to: grant to that role's handle instead)".into(),
            }),
        }
    }
    /// The task definition: every service running it waits for the grant.
    fn grantee_dependents(&self) -> Vec<cloudwright_core::ResourceRef> {
        vec![self.task_definition.resource_ref().clone()]
    }
}

impl Dependable for FargateTaskDefinitionOutput {
    fn dependency_targets(&self) -> Vec<DepTarget> {
        let mut targets = self.task_definition.dependency_targets();
        targets.extend(self.log_group.dependency_targets());
        for role in self.execution_role.iter().chain(&self.task_role) {
            targets.extend(role.dependency_targets());
        }
        targets
    }
}

/// An inline policy of a role.
fn inline_policy(name: &str, document: Value) -> iam::role::Policy {
    iam::role::Policy::new(iam::role::PolicyRequired {
        policy_document: Json(document),
        policy_name: name.into(),
    })
}

/// The trust policy of a role assumed by ECS tasks; the task role is restricted to tasks of
/// this account and region, as the ECS documentation recommends.
fn ecs_tasks_trust(restricted: bool) -> PolicyDocument {
    let mut statement = Statement::allow()
        .principal(Principal::service("ecs-tasks.amazonaws.com"))
        .action("sts:AssumeRole");
    if restricted {
        statement = statement
            .condition(Condition::arn_like(
                "aws:SourceArn",
                Value::sub("arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:*"),
            ))
            .condition(Condition::string_equals(
                "aws:SourceAccount",
                Pseudo::AccountId,
            ));
    }
    PolicyDocument::trust([statement])
}

impl FargateTaskDefinition {
    /// The execution role's policy statements.
    fn execution_statements(
        &self,
        images: &[ResolvedImage],
        log_group_arn: Value,
    ) -> Vec<Statement> {
        let mut statements = Vec::new();
        let mut repositories: Vec<Value> = Vec::new();
        for image in images {
            if let Some(arn) = image.ecr_repository_arn()
                && !repositories.contains(&arn)
            {
                repositories.push(arn);
            }
        }
        if !repositories.is_empty() {
            statements.push(
                Statement::allow()
                    .action("ecr:GetAuthorizationToken")
                    .all_resources(),
            );
            statements.push(
                Statement::allow()
                    .actions([
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:GetDownloadUrlForLayer",
                        "ecr:BatchGetImage",
                    ])
                    .resources(repositories),
            );
        }
        statements.push(
            Statement::allow()
                .actions(["logs:CreateLogStream", "logs:PutLogEvents"])
                .resource(log_group_arn),
        );
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
                statements.push(Statement::allow().action(action).resources(arns));
            }
        }
        statements
    }
}

/// How the task's (non-router) containers log.
enum ContainerLogs {
    /// Straight to the task's log group.
    AwsLogs(td::LogConfiguration),
    /// Through the FireLens router, started after it.
    FireLens {
        options: td::LogConfiguration,
        router: String,
    },
}

fn container_definition(
    c: &Container,
    image: &ResolvedImage,
    logs: &ContainerLogs,
) -> td::ContainerDefinition {
    let image = image.uri();
    let mut def = td::ContainerDefinition::new(td::ContainerDefinitionRequired {
        image: image.into(),
        name: c.name.clone().into(),
    })
    .essential(c.essential);
    def = match logs {
        ContainerLogs::AwsLogs(config) => def.log_configuration(config.clone()),
        ContainerLogs::FireLens { options, router } => {
            def.log_configuration(options.clone()).depends_on(vec![
                td::ContainerDependency::new()
                    .container_name(router.clone())
                    .condition(td::ContainerDependencyCondition::Start),
            ])
        }
    };
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
            .command(check.command.clone())
            .interval(secs(check.interval))
            .timeout(secs(check.timeout))
            .retries(check.retries);
        if let Some(s) = check.start_period {
            hc = hc.start_period(secs(s));
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
    let scratch = c.scratch_volumes();
    if !scratch.is_empty() {
        def = def.mount_points(
            scratch
                .into_iter()
                .map(|(volume, path)| {
                    td::MountPoint::new()
                        .source_volume(volume)
                        .container_path(path)
                        .read_only(false)
                })
                .collect::<Vec<_>>(),
        );
    }
    def
}

impl Construct for FargateTaskDefinition {
    type Output = FargateTaskDefinitionOutput;

    fn build(
        self,
        scope: &mut Scope<'_>,
    ) -> Result<FargateTaskDefinitionOutput, cloudwright_core::Error> {
        self.validate()?;
        // resolve every image before failing, so every missing lookup is recorded at once
        let mut images = Vec::new();
        let mut first_error = None;
        let router_image = self.log_router.as_ref().map(|r| &r.image);
        let platform = match self.architecture {
            CpuArchitecture::X86_64 => "linux/amd64",
            CpuArchitecture::Arm64 => "linux/arm64",
        };
        for image in self.containers.iter().map(|c| &c.image).chain(router_image) {
            match image.resolve(scope, platform) {
                Ok(i) => images.push(i),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        if let Some(e) = first_error {
            return Err(e);
        }

        let mut group = logs::LogGroup::new().retention_in_days(self.retention.days());
        if let Some(key) = &self.log_key {
            group = group.kms_key_id(key.clone());
        }
        let log_group = scope.add("Logs", group)?;
        // explicit either way: a log group is stateful
        let policy = if self.retain_logs {
            Policy::Retain
        } else {
            Policy::Delete
        };
        scope.set_deletion_policy(&log_group, policy)?;
        scope.set_update_replace_policy(&log_group, policy)?;
        if self.log_key.is_none() {
            scope.add_exception(
                &log_group,
                Exception::new(
                    "service-managed encryption: CloudWatch Logs encrypts every log group; pass a customer-managed key with log_key",
                )
                .checkov("CKV_AWS_158")
                .cfn_nag("W84"),
            )?;
        }

        let (execution_role, execution_role_arn) = match &self.execution_role {
            ExecutionRole::Create => {
                let statements = self.execution_statements(&images, log_group.arn().into());
                // ECR images need ecr:GetAuthorizationToken, on `*`
                let wildcard = images.iter().any(|i| i.ecr_repository_arn().is_some());
                let role = scope.add(
                    "ExecutionRole",
                    iam::Role::new(ecs_tasks_trust(false).to_json()?).policies(vec![
                        inline_policy(
                            "ExecutionPolicy",
                            PolicyDocument::identity(statements).render()?,
                        ),
                    ]),
                )?;
                if wildcard {
                    scope.add_exception(
                        &role,
                        Exception::new(
                            "ecr:GetAuthorizationToken has no resource-level permissions, so its resource is *; every other statement names its resources",
                        )
                        .cfn_nag("W11"),
                    )?;
                }
                let arn = Value::from(role.arn());
                (Some(role), arn)
            }
            ExecutionRole::Existing(arn) => (None, arn.clone()),
        };
        // the router's CloudWatch output writes with the task role
        let router_statements: Vec<Statement> = match &self.log_router {
            Some(r) if r.output == FireLensOutput::CloudWatchLogs => vec![
                Statement::allow()
                    .actions(["logs:CreateLogStream", "logs:PutLogEvents"])
                    .resource(log_group.arn()),
            ],
            _ => Vec::new(),
        };
        let task_role_kind = match (&self.task_role, router_statements.is_empty()) {
            (TaskRole::None, false) => TaskRole::Create(router_statements),
            (TaskRole::Create(statements), false) => TaskRole::Create(
                statements
                    .iter()
                    .cloned()
                    .chain(router_statements)
                    .collect(),
            ),
            (other, _) => other.clone(),
        };
        let (task_role, task_role_arn) = match &task_role_kind {
            TaskRole::None => (None, None),
            TaskRole::Existing(arn) => (None, Some(arn.clone())),
            TaskRole::Create(statements) => {
                let mut role = iam::Role::new(ecs_tasks_trust(true).to_json()?);
                if !statements.is_empty() {
                    role = role.policies(vec![inline_policy(
                        "TaskPolicy",
                        PolicyDocument::identity(statements.clone()).render()?,
                    )]);
                }
                let role = scope.add("TaskRole", role)?;
                let arn = Value::from(role.arn());
                (Some(role), Some(arn))
            }
        };

        let awslogs = td::LogConfiguration::new("awslogs").options(Json(Value::map([
            ("awslogs-group", log_group.r#ref()),
            ("awslogs-region", Value::from(Pseudo::Region)),
            (
                "awslogs-stream-prefix",
                Value::from(self.stream_prefix.as_str()),
            ),
        ])));
        let mut definitions: Vec<td::ContainerDefinition> = Vec::new();
        let app_logs = match (&self.log_router, images.get(self.containers.len())) {
            (Some(router), Some(image)) => {
                let image = image.uri();
                definitions.push(
                    td::ContainerDefinition::new(td::ContainerDefinitionRequired {
                        image: image.into(),
                        name: router.name.clone().into(),
                    })
                    .essential(true)
                    .memory_reservation(router.memory_reservation_mib)
                    .firelens_configuration(
                        td::FirelensConfiguration::new()
                            .r#type(match router.r#type {
                                LogRouterType::FluentBit => {
                                    td::FirelensConfigurationType::Fluentbit
                                }
                                LogRouterType::Fluentd => td::FirelensConfigurationType::Fluentd,
                            })
                            .options(Json(Value::map([(
                                "enable-ecs-log-metadata",
                                Value::from(if router.enable_ecs_log_metadata {
                                    "true"
                                } else {
                                    "false"
                                }),
                            )]))),
                    )
                    .log_configuration(awslogs.clone()),
                );
                let options = match &router.output {
                    FireLensOutput::CloudWatchLogs => Value::map([
                        ("Name", Value::from("cloudwatch_logs")),
                        ("region", Value::from(Pseudo::Region)),
                        ("log_group_name", log_group.r#ref()),
                        (
                            "log_stream_prefix",
                            Value::from(format!("{}/", self.stream_prefix)),
                        ),
                        ("auto_create_group", Value::from("false")),
                    ]),
                    FireLensOutput::Options(options) => Value::from(options.clone()),
                };
                ContainerLogs::FireLens {
                    options: td::LogConfiguration::new("awsfirelens").options(Json(options)),
                    router: router.name.clone(),
                }
            }
            _ => ContainerLogs::AwsLogs(awslogs),
        };
        definitions.extend(
            self.containers
                .iter()
                .zip(&images)
                .map(|(c, i)| container_definition(c, i, &app_logs)),
        );
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
        let volumes: Vec<td::Volume> = self
            .containers
            .iter()
            .flat_map(Container::scratch_volumes)
            .map(|(name, _)| td::Volume::new().name(name))
            .collect();
        if !volumes.is_empty() {
            task = task.volumes(volumes);
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
        Ok(FargateTaskDefinitionOutput {
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
    use crate::image::{ContainerImage, ImageRef};

    fn image() -> ContainerImage {
        ContainerImage::from_uri("nginx:1.27")
    }

    fn task() -> FargateTaskDefinition {
        FargateTaskDefinition::new(FargateSize::ONE_VCPU_2GB)
    }

    #[test]
    fn containers_whose_reservations_exceed_the_task_are_rejected() {
        // one container above the task's memory
        let e = task()
            .with_container(Container::new("a", image()).memory_limit_mib(4096))
            .validate()
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
            .with_container(Container::new("a", image()).memory_reservation_mib(2049))
            .validate()
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
        t.add_container(Container::new("a", image()).cpu(768));
        t.add_container(Container::new("b", image()).cpu(512));
        let e = t.validate().unwrap_err();
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
        t.add_container(Container::new("a", image()).memory_limit_mib(1536));
        t.add_container(Container::new("b", image()).memory_reservation_mib(1024));
        let e = t.validate().unwrap_err();
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
        );
        t.add_container(Container::new("b", image()).cpu(512).memory_limit_mib(1024));
        assert_eq!(t.validate(), Ok(()));
    }

    #[test]
    fn container_names_are_unique_and_ports_must_be_mapped() {
        let mut t = task();
        let web = t.add_container(Container::new("web", image()).port(80));
        t.add_container(Container::new("web", image()));
        assert_eq!(
            t.validate(),
            Err(Error::DuplicateContainer { name: "web".into() })
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
        let t = task().with_container(Container::new("a", image()).essential(false));
        assert_eq!(t.validate(), Err(Error::NoEssentialContainer));
        let t = task()
            .with_container(Container::new("a", image()))
            .log_stream_prefix("a:b");
        assert!(matches!(
            t.validate(),
            Err(Error::InvalidLogStreamPrefix { .. })
        ));
    }

    #[test]
    fn the_execution_role_only_gets_what_the_containers_need() {
        let ecr = ContainerImage::from_uri(
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/my_flask_repo:v3",
        );
        let t = task().with_container(Container::new("a", ecr).secret(
            "TOKEN",
            Secret::ssm_parameter("arn:aws:ssm:eu-west-1:123456789012:parameter/token"),
        ));
        let images: Vec<ResolvedImage> = t
            .containers
            .iter()
            .map(|c| match &c.image {
                ContainerImage::Uri(text) => ResolvedImage::Ref(ImageRef::parse(text).unwrap()),
                ContainerImage::Parsed(i) => ResolvedImage::Ref(i.clone()),
                ContainerImage::EcrLookup(_) | ContainerImage::Asset(_) => unreachable!(),
            })
            .collect();
        let doc = serde_json::to_value(Value::List(
            t.execution_statements(&images, Value::get_att("Logs", "Arn"))
                .iter()
                .map(Statement::to_value)
                .collect(),
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
        let t = task().with_container(Container::new("a", image()));
        let images = [ResolvedImage::Ref(ImageRef::parse("nginx:1.27").unwrap())];
        let statements = t.execution_statements(&images, Value::get_att("Logs", "Arn"));
        assert_eq!(statements.len(), 1);
        assert!(
            statements
                .iter()
                .all(|s| s.action_names().iter().all(|a| !a.starts_with("ecr:")))
        );
    }
}
