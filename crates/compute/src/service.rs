//! [`FargateService`]: tasks of a task definition kept running in private subnets, behind a
//! security group that admits only the load balancer, registered in a target group through a
//! typed container port, and created only once the listener exists.
//!
//! ```
//! use cloudwright_compute::{
//!     AutoScaling, Cluster, Container, ContainerImage, FargateService, FargateSize,
//!     FargateTaskDefinition,
//! };
//! use cloudwright_core::{App, RawResource};
//! use cloudwright_ingress::LoadBalancerTarget;
//! use cloudwright_network::SubnetGroup;
//!
//! let app = App::new();
//! let mut stack = app.stack("Api")?;
//! // stand-ins for what the network and ingress crates provide
//! let listener = stack.add("Listener", RawResource::new("AWS::ElasticLoadBalancingV2::Listener"))?;
//! let private = SubnetGroup::imported(
//!     "vpc-0123456789abcdef0",
//!     [("subnet-0123456789abcdef0", "10.0.1.0/24"), ("subnet-0123456789abcdef1", "10.0.2.0/24")],
//! );
//! let target = LoadBalancerTarget::new(
//!     "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/0123456789abcdef",
//!     80,
//!     &listener,
//!     ["10.0.1.0/24", "10.0.2.0/24"],
//! );
//!
//! let cluster = stack.construct("Cluster", Cluster::new())?;
//! let mut task = FargateTaskDefinition::new(FargateSize::ONE_VCPU_2GB);
//! let flask = task.add_container(Container::new("flask", ContainerImage::from_uri("nginx:1.27")).port(80));
//! let task = stack.construct("Task", task)?;
//! let service = stack.construct(
//!     "Service",
//!     FargateService::new(&cluster, &task, &private)
//!         .desired_count(2)
//!         .attach(target, &flask)
//!         .auto_scaling(AutoScaling::new(2, 10).target_cpu_utilization(60.0)),
//! )?;
//! # let _ = service.name();
//! # Ok::<(), cloudwright_core::Error>(())
//! ```

use std::time::Duration;

use cloudwright_core::{Construct, DepTarget, Dependable, Exception, Handle, Scope, Str, Value};
use cloudwright_ingress::LoadBalancerTarget;
use cloudwright_network::{Port, SecurityGroup, Source, SubnetGroup};
use cloudwright_resources::ecs::service as es;
use cloudwright_resources::{ec2, ecs};

use crate::cluster::{
    CapacityProvider, CapacityProviderStrategy, ClusterOutput, strategy_items, validate_strategy,
};
use crate::container::{PortMapping, Protocol};
use crate::error::{Error, secs, whole_seconds};
use crate::scaling::{AutoScaling, ServiceAutoScaling, ServiceAutoScalingOutput};
use crate::task::{ContainerRef, FargateTaskDefinitionOutput, TaskId};

/// A list of dependency targets, as something to depend on.
pub(crate) struct Deps(pub(crate) Vec<DepTarget>);

impl Dependable for Deps {
    fn dependency_targets(&self) -> Vec<DepTarget> {
        self.0.clone()
    }
}

/// The deployment circuit breaker: stops a deployment whose tasks keep failing to start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CircuitBreaker {
    /// Stops a failing deployment and rolls back to the last one that worked (the default).
    #[default]
    Rollback,
    /// Stops a failing deployment, without rolling back.
    Enabled,
    /// No circuit breaker: a failing deployment retries until CloudFormation times out.
    Disabled,
}

/// The Fargate platform version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PlatformVersion {
    /// `LATEST` (the default).
    #[default]
    Latest,
    /// `1.4.0`.
    V1_4_0,
}

/// Where ECS copies tags to the tasks it starts from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PropagateTags {
    /// The service's tags (the default).
    #[default]
    Service,
    /// The task definition's tags.
    TaskDefinition,
    /// Tags are not propagated.
    None,
}

/// What the service's tasks may reach.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Egress {
    /// HTTPS (TCP 443) anywhere: enough to pull images from ECR, write logs and read secrets
    /// through a NAT gateway or VPC endpoints (the default). DNS to the VPC's resolver is not
    /// filtered by security groups.
    #[default]
    HttpsOnly,
    /// Everything, anywhere (the EC2 default). Simple, but it lets a compromised task reach
    /// anything.
    AllowAll,
    /// Exactly these TCP rules, and nothing else (add HTTPS yourself if the tasks pull from
    /// ECR through a NAT gateway).
    Tcp(Vec<EgressRule>),
}

/// A TCP egress rule: `port` to `cidr`.
#[derive(Clone, Debug, PartialEq)]
pub struct EgressRule {
    /// The destination block (a literal is checked; an intrinsic is taken as IPv4).
    pub cidr: Value,
    /// The port.
    pub port: u16,
}

impl EgressRule {
    /// TCP `port` to `cidr`.
    pub fn tcp(cidr: impl Into<Value>, port: u16) -> Self {
        EgressRule {
            cidr: cidr.into(),
            port,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Capacity {
    LaunchType,
    Strategy(Vec<CapacityProviderStrategy>),
}

/// A Fargate service, built into:
///
/// - `SecurityGroup`: the tasks' group. It admits TCP (or UDP) on the load balancers'
///   container ports (without load balancers: on every mapped port of the task's
///   containers) from the given CIDR blocks ([`Self::allow_from_cidrs`]: the VPC's blocks
///   for an NLB without security groups, which forwards client addresses from inside the
///   VPC) or security group ([`Self::allow_from_security_group`]), and nothing else. Egress
///   is HTTPS only unless [`Self::egress`] says otherwise. Its `Metadata` states the
///   deliberate exceptions: the default HTTPS egress to anywhere (cfn_nag `W5`: AWS APIs
///   through the NAT gateway) and admitting a load balancer's subnets rather than single
///   addresses (cfn_nag `W9`).
/// - `Service`: the `AWS::ECS::Service`, in the given (private) subnets with no public IP,
///   with a deployment circuit breaker that rolls back, minimum healthy 100% and maximum
///   200%, tags propagated from the service, and a `DependsOn` on whatever
///   [`Self::depends_on`] names (the listener: tasks must not be registered in a target group
///   before it is attached to a load balancer).
/// - `Scaling`: target tracking autoscaling, when [`Self::auto_scaling`] is set.
#[derive(Clone, Debug)]
pub struct FargateService {
    cluster_name: Value,
    cluster_providers: Vec<CapacityProvider>,
    task_id: TaskId,
    task_arn: Value,
    task_logical_id: String,
    task_containers: Vec<ContainerRef>,
    vpc_id: Value,
    subnets: Vec<Value>,
    placement_ready: Vec<DepTarget>,
    desired_count: u32,
    assign_public_ip: bool,
    ingress: Vec<Source>,
    egress: Egress,
    targets: Vec<(LoadBalancerTarget, ContainerRef)>,
    depends_on: Vec<DepTarget>,
    circuit_breaker: CircuitBreaker,
    min_healthy_percent: u32,
    max_percent: u32,
    grace_period: Option<Duration>,
    platform_version: PlatformVersion,
    propagate_tags: PropagateTags,
    capacity: Capacity,
    service_name: Option<String>,
    scaling: Option<AutoScaling>,
}

impl FargateService {
    /// A service of one task of `task` in `cluster`, placed in `subnets` (normally the
    /// private ones: `network.private()`). The service is created after the routes its
    /// subnets need (so tasks can pull images through the NAT gateway from the start).
    pub fn new(
        cluster: &ClusterOutput,
        task: &FargateTaskDefinitionOutput,
        subnets: &SubnetGroup,
    ) -> Self {
        let mut service = FargateService::in_cluster_named(cluster.name(), task, subnets);
        service.cluster_providers = cluster.capacity_providers().to_vec();
        service
    }

    /// [`Self::new`] for a cluster made elsewhere, by name.
    pub fn in_cluster_named(
        cluster_name: impl Into<Value>,
        task: &FargateTaskDefinitionOutput,
        subnets: &SubnetGroup,
    ) -> Self {
        FargateService {
            cluster_name: cluster_name.into(),
            cluster_providers: vec![CapacityProvider::Fargate, CapacityProvider::FargateSpot],
            task_id: task.id(),
            task_arn: task.arn(),
            task_logical_id: task.task_definition.logical_id().to_owned(),
            task_containers: task.containers().to_vec(),
            vpc_id: subnets.vpc_id().clone(),
            subnets: subnets.ids().to_vec(),
            placement_ready: subnets.dependency_targets(),
            desired_count: 1,
            assign_public_ip: false,
            ingress: Vec::new(),
            egress: Egress::default(),
            targets: Vec::new(),
            depends_on: Vec::new(),
            circuit_breaker: CircuitBreaker::default(),
            min_healthy_percent: 100,
            max_percent: 200,
            grace_period: None,
            platform_version: PlatformVersion::default(),
            propagate_tags: PropagateTags::default(),
            capacity: Capacity::LaunchType,
            service_name: None,
            scaling: None,
        }
    }

    /// How many tasks to keep running (default 1).
    pub fn desired_count(mut self, count: u32) -> Self {
        self.desired_count = count;
        self
    }

    /// Gives the tasks public IPs (default: none; the tasks live in private subnets).
    pub fn assign_public_ip(mut self, assign: bool) -> Self {
        self.assign_public_ip = assign;
        self
    }

    /// Admits traffic to the service's ports from these CIDR blocks: for an NLB without
    /// security groups, the VPC's CIDR blocks. An open block (`0.0.0.0/0`, `::/0`) is an
    /// error. Intrinsic values are taken as IPv4 blocks.
    pub fn allow_from_cidrs<V: Into<Value>>(mut self, cidrs: impl IntoIterator<Item = V>) -> Self {
        self.ingress
            .extend(cidrs.into_iter().map(|c| Source::Cidr(c.into())));
        self
    }

    /// Admits traffic to the service's ports from a security group (the load balancer's).
    pub fn allow_from_security_group(mut self, group_id: impl Into<Value>) -> Self {
        self.ingress.push(Source::Group(group_id.into()));
        self
    }

    /// Sets what the tasks may reach (default HTTPS only).
    pub fn egress(mut self, egress: Egress) -> Self {
        self.egress = egress;
        self
    }

    /// Puts `container` (of the service's task definition) behind a load balancer's target
    /// group, at the target's port, in one call: the container must map that port; the tasks'
    /// security group admits the port from where the load balancer's traffic comes (its
    /// subnets' blocks, or its security groups) and nothing else; and the service is created
    /// only after the listener that attaches the target group to the load balancer.
    ///
    /// `nlb.target()` of an `InternalNlb` gives the target.
    pub fn attach(mut self, target: LoadBalancerTarget, container: &ContainerRef) -> Self {
        self.targets.push((target, container.clone()));
        self
    }

    /// Creates the service only after `target`, beyond what it already waits for (its
    /// subnets' routes, the listeners of the targets it is attached to).
    pub fn depends_on(mut self, target: &(impl Dependable + ?Sized)) -> Self {
        self.depends_on.extend(target.dependency_targets());
        self
    }

    /// Sets the deployment circuit breaker (default: rollback).
    pub fn circuit_breaker(mut self, breaker: CircuitBreaker) -> Self {
        self.circuit_breaker = breaker;
        self
    }

    /// Sets the share of tasks (percent of the desired count) that must stay healthy during a
    /// deployment (0 to 100; default 100) and that may run at once (at least 100, and above
    /// the minimum; default 200).
    pub fn deployment_percents(mut self, min_healthy: u32, max: u32) -> Self {
        self.min_healthy_percent = min_healthy;
        self.max_percent = max;
        self
    }

    /// Time after a task starts during which failed load balancer health checks do not
    /// count (whole seconds; default 60 s with a load balancer).
    pub fn health_check_grace_period(mut self, grace: Duration) -> Self {
        self.grace_period = Some(grace);
        self
    }

    /// Sets the Fargate platform version (default `LATEST`).
    pub fn platform_version(mut self, version: PlatformVersion) -> Self {
        self.platform_version = version;
        self
    }

    /// Sets where tags propagate to tasks from (default the service).
    pub fn propagate_tags(mut self, from: PropagateTags) -> Self {
        self.propagate_tags = from;
        self
    }

    /// Places tasks by a capacity provider strategy (`FARGATE_SPOT` for cheaper tasks)
    /// instead of the `FARGATE` launch type.
    pub fn capacity_provider_strategy(
        mut self,
        strategy: impl IntoIterator<Item = CapacityProviderStrategy>,
    ) -> Self {
        self.capacity = Capacity::Strategy(strategy.into_iter().collect());
        self
    }

    /// Gives the service a fixed name (default: generated, so copies of the stack coexist).
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        self.service_name = Some(name.into());
        self
    }

    /// Scales the service with load.
    pub fn auto_scaling(mut self, scaling: AutoScaling) -> Self {
        self.scaling = Some(scaling);
        self
    }

    fn validate(&self) -> Result<(), Error> {
        if self.subnets.is_empty() {
            return Err(Error::NoSubnets);
        }
        for (target, container) in &self.targets {
            if container.task() != self.task_id
                || !self
                    .task_containers
                    .iter()
                    .any(|c| c.name() == container.name())
            {
                return Err(Error::ContainerOfAnotherTask {
                    container: container.name().to_owned(),
                    task: self.task_logical_id.clone(),
                });
            }
            container.port(target.target_port())?;
            if target.source_cidrs().is_empty() && target.source_security_groups().is_empty() {
                return Err(Error::NoIngressSource);
            }
        }
        // CIDR blocks are checked by the security group (network's, the one implementation)
        if let Egress::Tcp(rules) = &self.egress
            && let Some(rule) = rules.iter().find(|r| r.port == 0)
        {
            return Err(Error::InvalidEgressPort {
                cidr: rule.cidr.to_string(),
            });
        }
        if self.min_healthy_percent > 100 {
            return Err(Error::InvalidDeployment {
                reason: format!(
                    "minimum healthy percent {} is above 100",
                    self.min_healthy_percent
                ),
            });
        }
        if self.max_percent < 100 {
            return Err(Error::InvalidDeployment {
                reason: format!("maximum percent {} is below 100", self.max_percent),
            });
        }
        if self.max_percent <= self.min_healthy_percent {
            return Err(Error::InvalidDeployment {
                reason: format!(
                    "with minimum healthy {}% and maximum {}% ECS can neither stop an old task nor start a new one; raise the maximum or lower the minimum",
                    self.min_healthy_percent, self.max_percent
                ),
            });
        }
        if let Some(g) = self.grace_period
            && whole_seconds("health check grace period", g)? > 2_147_483_647
        {
            let g = g.as_secs();
            return Err(Error::InvalidDeployment {
                reason: format!("health check grace period {g} s is too long"),
            });
        }
        if let Some(name) = &self.service_name
            && (name.is_empty()
                || name.len() > 255
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        {
            return Err(Error::InvalidDeployment {
                reason: format!(
                    "service name `{name}`: use 1 to 255 letters, digits, hyphens and underscores"
                ),
            });
        }
        if let Capacity::Strategy(strategy) = &self.capacity {
            validate_strategy(strategy, &self.cluster_providers)
                .map_err(|reason| Error::InvalidDeployment { reason })?;
        }
        if let Some(scaling) = &self.scaling {
            scaling.validate()?;
            if !(scaling.min()..=scaling.max()).contains(&self.desired_count) {
                return Err(Error::InvalidScaling {
                    reason: format!(
                        "the desired count {} is outside the scaling range {} to {}",
                        self.desired_count,
                        scaling.min(),
                        scaling.max()
                    ),
                });
            }
        }
        Ok(())
    }

    /// The ports the security group opens to the sources given with `allow_from_*`: the
    /// attached targets' ports, or every mapped port.
    fn ingress_ports(&self) -> Vec<PortMapping> {
        let mut ports: Vec<PortMapping> = if self.targets.is_empty() {
            self.task_containers
                .iter()
                .flat_map(|c| c.ports().iter().copied())
                .collect()
        } else {
            self.targets
                .iter()
                .map(|(t, _)| PortMapping::tcp(t.target_port()))
                .collect()
        };
        ports.sort();
        ports.dedup();
        ports
    }

    /// (port, source) pairs the security group admits: each attached target's port from
    /// where its load balancer's traffic comes, then the `allow_from_*` sources.
    fn ingress_rules(&self) -> Vec<(PortMapping, Source)> {
        let mut rules = Vec::new();
        for (target, _) in &self.targets {
            let port = PortMapping::tcp(target.target_port());
            if target.source_security_groups().is_empty() {
                for cidr in target.source_cidrs() {
                    rules.push((port, Source::Cidr(cidr.clone())));
                }
            } else {
                for group in target.source_security_groups() {
                    rules.push((port, Source::Group(group.clone())));
                }
            }
        }
        for port in self.ingress_ports() {
            for source in &self.ingress {
                rules.push((port, source.clone()));
            }
        }
        let mut unique = Vec::new();
        for rule in rules {
            if !unique.contains(&rule) {
                unique.push(rule);
            }
        }
        unique
    }

    /// The tasks' group, through the network crate's [`SecurityGroup`]: open blocks refused
    /// (the tasks sit behind a load balancer).
    fn security_group(&self, description: String) -> SecurityGroup {
        let mut group = SecurityGroup::new(self.vpc_id.clone(), description).refuse_open_ingress();
        for (port, source) in self.ingress_rules() {
            let protocol = port.protocol.name();
            let p = port.container_port;
            let net_port = match port.protocol {
                Protocol::Udp => Port::Udp(p),
                _ => Port::Tcp(p),
            };
            let description = match &source {
                Source::Group(_) => format!("{protocol} {p} from the load balancer"),
                _ => format!("{protocol} {p} from the load balancer network"),
            };
            group = group.allow(net_port, source, description);
        }
        let egress: Vec<(Port, Value, String)> = match &self.egress {
            Egress::HttpsOnly => vec![(
                Port::Tcp(443),
                Value::from("0.0.0.0/0"),
                "HTTPS: ECR, CloudWatch Logs, Secrets Manager and other AWS APIs".into(),
            )],
            Egress::AllowAll => vec![(
                Port::AllTraffic,
                Value::from("0.0.0.0/0"),
                "all traffic".into(),
            )],
            Egress::Tcp(rules) => rules
                .iter()
                .map(|r| (Port::Tcp(r.port), r.cidr.clone(), format!("tcp {}", r.port)))
                .collect(),
        };
        group.restrict_outbound(egress)
    }
}

/// What building a [`FargateService`] gives.
#[derive(Clone, Debug)]
pub struct FargateServiceOutput {
    /// The service (`Ref` is its ARN).
    pub service: Handle<ecs::Service>,
    /// The tasks' security group.
    pub security_group: Handle<ec2::SecurityGroup>,
    /// The autoscaling resources, when the service scales.
    pub scaling: Option<ServiceAutoScalingOutput>,
    cluster_name: Value,
}

impl FargateServiceOutput {
    /// The service's name.
    pub fn name(&self) -> Str {
        self.service.name()
    }

    /// The service's ARN.
    pub fn arn(&self) -> Value {
        self.service.r#ref()
    }

    /// The tasks' security group id (to admit them elsewhere, e.g. in a database's group).
    pub fn security_group_id(&self) -> Str {
        self.security_group.group_id()
    }

    /// The cluster's name.
    pub fn cluster_name(&self) -> &Value {
        &self.cluster_name
    }

    /// The Application Auto Scaling resource id, `service/<cluster>/<service>`.
    pub fn scaling_resource_id(&self) -> Value {
        Value::join(
            "/",
            [
                Value::from("service"),
                self.cluster_name.clone(),
                self.service.name().into(),
            ],
        )
    }
}

impl Dependable for FargateServiceOutput {
    fn dependency_targets(&self) -> Vec<DepTarget> {
        let mut targets = self.service.dependency_targets();
        targets.extend(self.security_group.dependency_targets());
        targets
    }
}

impl Construct for FargateService {
    type Output = FargateServiceOutput;

    fn build(self, scope: &mut Scope<'_>) -> Result<FargateServiceOutput, cloudwright_core::Error> {
        self.validate()?;
        let description = format!(
            "Tasks of the Fargate service {}/{}",
            scope.stack_id(),
            scope.path()
        );
        let security_group = self
            .security_group(description)
            .add_to(scope, "SecurityGroup")?
            .group;
        if self.egress == Egress::HttpsOnly {
            scope.add_exception(
                &security_group,
                Exception::new(
                    "HTTPS to anywhere: ECR, CloudWatch Logs and other AWS APIs are reached through the NAT gateway at addresses that are not fixed",
                )
                .cfn_nag("W5"),
            )?;
        }
        if self.targets.iter().any(|(target, _)| {
            target.source_security_groups().is_empty() && !target.source_cidrs().is_empty()
        }) {
            scope.add_exception(
                &security_group,
                Exception::new(
                    "admits the load balancer's subnets: an NLB's addresses in them are not known before it exists",
                )
                .cfn_nag("W9"),
            )?;
        }

        let mut deployment = es::DeploymentConfiguration::new()
            .minimum_healthy_percent(self.min_healthy_percent)
            .maximum_percent(self.max_percent);
        let (enable, rollback) = match self.circuit_breaker {
            CircuitBreaker::Rollback => (true, true),
            CircuitBreaker::Enabled => (true, false),
            CircuitBreaker::Disabled => (false, false),
        };
        if enable {
            deployment = deployment.deployment_circuit_breaker(es::DeploymentCircuitBreaker::new(
                es::DeploymentCircuitBreakerRequired {
                    enable: enable.into(),
                    rollback: rollback.into(),
                },
            ));
        }
        let mut service = ecs::Service::new()
            .cluster(self.cluster_name.clone())
            .task_definition(self.task_arn.clone())
            .desired_count(self.desired_count)
            .network_configuration(
                es::NetworkConfiguration::new().awsvpc_configuration(
                    es::AwsVpcConfiguration::new()
                        .assign_public_ip(if self.assign_public_ip {
                            es::AssignPublicIp::Enabled
                        } else {
                            es::AssignPublicIp::Disabled
                        })
                        .security_groups(vec![security_group.group_id()])
                        .subnets(self.subnets.clone()),
                ),
            )
            .deployment_configuration(deployment)
            .enable_ecs_managed_tags(true);
        service = match &self.capacity {
            Capacity::LaunchType => service.launch_type(es::LaunchType::Fargate),
            Capacity::Strategy(strategy) => service.capacity_provider_strategy(
                strategy_items(strategy)
                    .into_iter()
                    .map(|(provider, weight, base)| {
                        let item = es::CapacityProviderStrategyItem::new()
                            .capacity_provider(provider)
                            .weight(weight);
                        if base > 0 { item.base(base) } else { item }
                    })
                    .collect::<Vec<_>>(),
            ),
        };
        if let PlatformVersion::V1_4_0 = self.platform_version {
            service = service.platform_version("1.4.0");
        } else {
            service = service.platform_version("LATEST");
        }
        service = match self.propagate_tags {
            PropagateTags::Service => service.propagate_tags(es::PropagateTags::Service),
            PropagateTags::TaskDefinition => {
                service.propagate_tags(es::PropagateTags::TaskDefinition)
            }
            PropagateTags::None => service,
        };
        let grace = self.grace_period.map(secs);
        if !self.targets.is_empty() {
            let lbs: Vec<es::LoadBalancer> = self
                .targets
                .iter()
                .map(|(target, container)| {
                    es::LoadBalancer::new()
                        .container_name(container.name())
                        .container_port(target.target_port())
                        .target_group_arn(target.target_group_arn().clone())
                })
                .collect();
            service = service
                .load_balancers(lbs)
                .health_check_grace_period_seconds(grace.unwrap_or(60));
        } else if let Some(g) = grace {
            service = service.health_check_grace_period_seconds(g);
        }
        if let Some(name) = &self.service_name {
            service = service.service_name(name.clone());
        }
        let service = scope.add("Service", service)?;
        let mut waits_for = self.placement_ready.clone();
        for (target, _) in &self.targets {
            waits_for.extend(target.dependency_targets());
        }
        waits_for.extend(self.depends_on.iter().cloned());
        if !waits_for.is_empty() {
            scope.add_dependency(&service, &Deps(waits_for));
        }

        let mut output = FargateServiceOutput {
            service,
            security_group,
            scaling: None,
            cluster_name: self.cluster_name.clone(),
        };
        if let Some(scaling) = self.scaling {
            let scaling = scope.construct("Scaling", ServiceAutoScaling::new(&output, scaling))?;
            output.scaling = Some(scaling);
        }
        Ok(output)
    }
}
