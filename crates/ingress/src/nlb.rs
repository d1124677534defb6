//! [`InternalNlb`]: an internal network load balancer in private subnets, forwarding TCP to an
//! IP target group (the tasks of a Fargate service) that is health-checked over HTTP.
//!
//! Being `internal`, the load balancer gets no public address: only the VPC (and whatever the
//! VPC link of a [`PublicApi`](crate::PublicApi) forwards) can reach it.

use std::time::Duration;

use cloudwright_core::{
    Construct, DepTarget, Dependable, Exception, Handle, Output, Scope, Str, Value,
};
use cloudwright_network::SubnetGroup;
use cloudwright_resources::elasticloadbalancingv2::listener::{Action, ActionType};
use cloudwright_resources::elasticloadbalancingv2::load_balancer::{
    LoadBalancerAttribute, LoadBalancerType, Scheme,
};
use cloudwright_resources::elasticloadbalancingv2::target_group::{
    HealthCheckProtocol, Matcher, Protocol, TargetGroupAttribute, TargetType,
};
use cloudwright_resources::elasticloadbalancingv2::{
    Listener, ListenerRequired, LoadBalancer, TargetGroup, listener,
};

use crate::error::{Error, secs, whole_seconds};

/// The HTTP health check of the target group.
///
/// The defaults are gentle on a small service: a network load balancer's health checks come
/// from many checkers at once (several per node and zone) and it does not promise to keep to
/// the interval, so a target can see dozens of checks per interval. The interval therefore
/// defaults to 60 seconds, with 3 checks to turn healthy or unhealthy: a new task takes about
/// three minutes to receive traffic; lower the interval when faster deployments matter more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthCheck {
    /// The HTTP path checked (`/`).
    pub path: String,
    /// The port checked; `None` checks the port traffic goes to.
    pub port: Option<u16>,
    /// Time between checks, 5 to 300 whole seconds (60 s).
    pub interval: Duration,
    /// Time without a response that fails a check, 2 to 120 whole seconds and less than the
    /// interval (10 s).
    pub timeout: Duration,
    /// Consecutive successes that make a target healthy, 2 to 10 (3).
    pub healthy_threshold: u32,
    /// Consecutive failures that make a target unhealthy, 2 to 10 (3).
    pub unhealthy_threshold: u32,
    /// HTTP codes that count as healthy (`200-399`).
    pub success_codes: String,
}

impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck {
            path: "/".into(),
            port: None,
            interval: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
            healthy_threshold: 3,
            unhealthy_threshold: 3,
            success_codes: "200-399".into(),
        }
    }
}

impl HealthCheck {
    /// An HTTP health check of `path`, with the default settings.
    pub fn http(path: impl Into<String>) -> Self {
        HealthCheck {
            path: path.into(),
            ..HealthCheck::default()
        }
    }

    /// Checks this port instead of the traffic port.
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Time between checks (5 to 300 whole seconds).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Time without a response that fails a check (2 to 120 whole seconds, less than the
    /// interval).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Consecutive successes and failures that change a target's state (2 to 10 each).
    pub fn thresholds(mut self, healthy: u32, unhealthy: u32) -> Self {
        self.healthy_threshold = healthy;
        self.unhealthy_threshold = unhealthy;
        self
    }

    /// HTTP codes that count as healthy: `200`, `200,204` or `200-399` (within 200-599).
    pub fn success_codes(mut self, codes: impl Into<String>) -> Self {
        self.success_codes = codes.into();
        self
    }

    fn validate(&self) -> Result<(), Error> {
        let interval = whole_seconds("health check interval", self.interval)?;
        let timeout = whole_seconds("health check timeout", self.timeout)?;
        range("health check interval (seconds)", interval, 5, 300)?;
        range("health check timeout (seconds)", timeout, 2, 120)?;
        if timeout >= interval {
            return Err(Error::OutOfRange {
                setting: "health check timeout (seconds)",
                value: timeout.to_string(),
                allowed: format!("less than the interval ({interval} seconds)"),
            });
        }
        range("healthy threshold count", self.healthy_threshold, 2, 10)?;
        range("unhealthy threshold count", self.unhealthy_threshold, 2, 10)?;
        if let Some(p) = self.port {
            port("health check port", p)?;
        }
        let path_ok = self.path.starts_with('/')
            && self.path.len() <= 1024
            && self.path.chars().all(|c| c.is_ascii_graphic());
        if !path_ok {
            return Err(Error::InvalidSetting {
                setting: "health check path",
                value: self.path.clone(),
                reason: "it must start with `/`, have at most 1024 characters, and contain no spaces or non-ASCII characters".into(),
            });
        }
        let codes_ok = !self.success_codes.is_empty()
            && self.success_codes.split(',').all(|part| {
                let mut bounds = part.splitn(2, '-');
                bounds.all(|b| b.parse::<u16>().is_ok_and(|c| (200..=599).contains(&c)))
            });
        if !codes_ok {
            return Err(Error::InvalidSetting {
                setting: "health check success codes",
                value: self.success_codes.clone(),
                reason: "use codes between 200 and 599, like `200`, `200,204` or `200-399`".into(),
            });
        }
        Ok(())
    }
}

fn range(setting: &'static str, value: u32, min: u32, max: u32) -> Result<(), Error> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(Error::OutOfRange {
            setting,
            value: value.to_string(),
            allowed: format!("between {min} and {max}"),
        })
    }
}

fn port(setting: &'static str, value: u16) -> Result<(), Error> {
    if value == 0 {
        Err(Error::OutOfRange {
            setting,
            value: "0".into(),
            allowed: "between 1 and 65535".into(),
        })
    } else {
        Ok(())
    }
}

/// An internal network load balancer in private subnets, with an IP target group (TCP on the
/// service port, HTTP health check) and a TCP listener; optionally more listener/target pairs.
///
/// No physical names are set, so two stacks (or two instances in one stack) can coexist.
///
/// ```
/// use std::time::Duration;
/// use cloudwright_core::App;
/// use cloudwright_ingress::{HealthCheck, InternalNlb};
/// use cloudwright_network::SubnetGroup;
///
/// let app = App::new();
/// let mut stack = app.stack("Service")?;
/// // normally `network.private()` of the network crate's `Subnets`
/// let private = SubnetGroup::imported("vpc-0123abcd", [("subnet-0000000a", "10.0.1.0/24"), ("subnet-0000000b", "10.0.2.0/24")]);
/// let nlb = stack.construct(
///     "Ingress",
///     InternalNlb::new(&private, 80)
///         .health_check(HealthCheck::http("/health").interval(Duration::from_secs(60)))
///         .deregistration_delay(Duration::from_secs(30)),
/// )?;
/// assert_eq!(nlb.target_port(), 80);
/// assert_eq!(nlb.load_balancer.logical_id(), "IngressLoadBalancer");
/// let template = &app.synth()?.stacks[0].template;
/// assert!(template.contains(r#""Scheme": "internal""#));
/// # Ok::<(), cloudwright_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct InternalNlb {
    vpc_id: Value,
    subnets: Vec<Value>,
    source_cidrs: Vec<Value>,
    target_port: u16,
    listener_port: Option<u16>,
    additional: Vec<(u16, u16)>,
    health_check: HealthCheck,
    deregistration_delay: Option<Duration>,
    cross_zone: Option<bool>,
    security_groups: Vec<Value>,
}

impl InternalNlb {
    /// A load balancer in `subnets` (normally the private ones), forwarding TCP on `port` to
    /// targets listening on `port`.
    pub fn new(subnets: &SubnetGroup, port: u16) -> Self {
        InternalNlb {
            vpc_id: subnets.vpc_id().clone(),
            subnets: subnets.ids().to_vec(),
            source_cidrs: subnets.ipv4_cidrs().to_vec(),
            target_port: port,
            listener_port: None,
            additional: Vec::new(),
            health_check: HealthCheck::default(),
            deregistration_delay: None,
            cross_zone: None,
            security_groups: Vec::new(),
        }
    }

    /// Listens on `port` instead of the target port.
    pub fn listener_port(mut self, port: u16) -> Self {
        self.listener_port = Some(port);
        self
    }

    /// Adds a listener on `listener_port` forwarding to a target group of its own on
    /// `target_port` (same health check settings).
    pub fn additional_port(mut self, listener_port: u16, target_port: u16) -> Self {
        self.additional.push((listener_port, target_port));
        self
    }

    /// The health check of every target group.
    pub fn health_check(mut self, check: HealthCheck) -> Self {
        self.health_check = check;
        self
    }

    /// How long a deregistering target keeps its connections (0 to 3600 whole seconds; AWS's
    /// default is 300 s).
    pub fn deregistration_delay(mut self, delay: Duration) -> Self {
        self.deregistration_delay = Some(delay);
        self
    }

    /// Whether each load balancer node spreads traffic over the targets of every zone (off by
    /// default for network load balancers; cross-zone traffic is billed).
    pub fn cross_zone(mut self, enabled: bool) -> Self {
        self.cross_zone = Some(enabled);
        self
    }

    /// Attaches security groups (ids) to the load balancer, so a service's security group can
    /// admit exactly the load balancer's traffic by group rather than by address range.
    ///
    /// The groups filter traffic from inside the VPC; traffic arriving through the VPC link
    /// (PrivateLink) is not subject to them (`EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic`
    /// is `off`), so the public API keeps working. A load balancer created without security
    /// groups cannot get them later without being replaced.
    pub fn security_groups<S: Into<Value>>(mut self, groups: impl IntoIterator<Item = S>) -> Self {
        self.security_groups = groups.into_iter().map(Into::into).collect();
        self
    }

    fn validate(&self) -> Result<(), Error> {
        if self.subnets.is_empty() {
            return Err(Error::NoSubnets);
        }
        self.health_check.validate()?;
        let mut seen = std::collections::BTreeSet::new();
        for (listener, target) in self.ports() {
            port("listener port", listener)?;
            port("target port", target)?;
            if !seen.insert(listener) {
                return Err(Error::DuplicateListenerPort { port: listener });
            }
        }
        if let Some(d) = self.deregistration_delay {
            let d = whole_seconds("deregistration delay", d)?;
            range("deregistration delay (seconds)", d, 0, 3600)?;
        }
        Ok(())
    }

    /// (listener port, target port) pairs, the primary first.
    fn ports(&self) -> Vec<(u16, u16)> {
        let mut out = vec![(
            self.listener_port.unwrap_or(self.target_port),
            self.target_port,
        )];
        out.extend(self.additional.iter().copied());
        out
    }

    fn target_group(&self, target_port: u16) -> TargetGroup {
        let hc = &self.health_check;
        let mut tg = TargetGroup::new()
            .target_type(TargetType::Ip)
            .protocol(Protocol::Tcp)
            .port(target_port)
            .vpc_id(self.vpc_id.clone())
            .health_check_enabled(true)
            .health_check_protocol(HealthCheckProtocol::Http)
            .health_check_path(hc.path.as_str())
            .health_check_interval_seconds(secs(hc.interval))
            .health_check_timeout_seconds(secs(hc.timeout))
            .healthy_threshold_count(hc.healthy_threshold)
            .unhealthy_threshold_count(hc.unhealthy_threshold)
            .matcher(Matcher::new().http_code(hc.success_codes.as_str()));
        if let Some(p) = hc.port {
            tg = tg.health_check_port(p.to_string());
        }
        // Targets see the load balancer's own addresses as the source (in its subnets), never
        // the client's: what a service attached to this target admits rests on it, so it is
        // set rather than left to the default.
        let mut attributes = vec![
            TargetGroupAttribute::new()
                .key("preserve_client_ip.enabled")
                .value("false"),
        ];
        if let Some(d) = self.deregistration_delay {
            attributes.push(
                TargetGroupAttribute::new()
                    .key("deregistration_delay.timeout_seconds")
                    .value(secs(d).to_string()),
            );
        }
        tg.target_group_attributes(attributes)
    }
}

/// One listener of an [`InternalNlb`] and the target group it forwards to.
#[derive(Clone, Debug, PartialEq)]
pub struct NlbPort {
    /// The listener.
    pub listener: Handle<Listener>,
    /// Its target group.
    pub target_group: Handle<TargetGroup>,
    /// The port the load balancer listens on.
    pub listener_port: u16,
    /// The port targets receive traffic on.
    pub target_port: u16,
}

impl NlbPort {
    /// The target group's ARN.
    pub fn target_group_arn(&self) -> Value {
        self.target_group.r#ref()
    }
}

/// A target group of a load balancer, passed whole to whatever registers targets in it (a
/// Fargate service's `attach`): its ARN, the port targets receive traffic on, what targets
/// must wait for (the listener that attaches the group to the load balancer), and where the
/// traffic comes from (the load balancer's subnets, or its security groups).
#[derive(Clone, Debug, PartialEq)]
pub struct LoadBalancerTarget {
    target_group_arn: Value,
    target_port: u16,
    ready: Vec<DepTarget>,
    source_cidrs: Vec<Value>,
    source_security_groups: Vec<Value>,
}

impl LoadBalancerTarget {
    /// A target group made elsewhere: its ARN, the target port, the listener (or anything)
    /// that must exist before targets register, and the IPv4 blocks traffic comes from.
    pub fn new<C: Into<Value>>(
        target_group_arn: impl Into<Value>,
        target_port: u16,
        ready: &(impl Dependable + ?Sized),
        source_cidrs: impl IntoIterator<Item = C>,
    ) -> Self {
        LoadBalancerTarget {
            target_group_arn: target_group_arn.into(),
            target_port,
            ready: ready.dependency_targets(),
            source_cidrs: source_cidrs.into_iter().map(Into::into).collect(),
            source_security_groups: Vec::new(),
        }
    }

    /// The target group's ARN.
    pub fn target_group_arn(&self) -> &Value {
        &self.target_group_arn
    }

    /// The port targets receive traffic on.
    pub fn target_port(&self) -> u16 {
        self.target_port
    }

    /// The IPv4 blocks the load balancer's traffic comes from (its subnets), when it has no
    /// security groups.
    pub fn source_cidrs(&self) -> &[Value] {
        &self.source_cidrs
    }

    /// The load balancer's security groups: when it has any, targets admit them instead of
    /// address blocks.
    pub fn source_security_groups(&self) -> &[Value] {
        &self.source_security_groups
    }
}

impl Dependable for LoadBalancerTarget {
    /// The listener (and target group): targets must not register before the group is
    /// attached to the load balancer.
    fn dependency_targets(&self) -> Vec<DepTarget> {
        self.ready.clone()
    }
}

impl Dependable for NlbPort {
    fn dependency_targets(&self) -> Vec<DepTarget> {
        let mut out = self.listener.dependency_targets();
        out.extend(self.target_group.dependency_targets());
        out
    }
}

/// What an [`InternalNlb`] made.
#[derive(Clone, Debug, PartialEq)]
pub struct InternalNlbOutput {
    /// The load balancer.
    pub load_balancer: Handle<LoadBalancer>,
    /// The primary listener and target group.
    pub primary: NlbPort,
    /// Listeners added with [`InternalNlb::additional_port`], in order.
    pub additional: Vec<NlbPort>,
    source_cidrs: Vec<Value>,
    security_groups: Vec<Value>,
}

impl InternalNlbOutput {
    /// The load balancer's DNS name.
    pub fn dns_name(&self) -> Str {
        self.load_balancer.dns_name()
    }

    /// The load balancer's ARN.
    pub fn arn(&self) -> Value {
        self.load_balancer.r#ref()
    }

    /// The primary target group's ARN.
    pub fn target_group_arn(&self) -> Value {
        self.primary.target_group_arn()
    }

    /// The primary target group, to attach a service to (`FargateService::attach`).
    pub fn target(&self) -> LoadBalancerTarget {
        self.target_of(&self.primary)
    }

    /// The target group behind `listener_port`, if the load balancer listens there.
    pub fn target_at(&self, listener_port: u16) -> Option<LoadBalancerTarget> {
        self.ports()
            .find(|p| p.listener_port == listener_port)
            .map(|p| self.target_of(p))
    }

    fn target_of(&self, port: &NlbPort) -> LoadBalancerTarget {
        LoadBalancerTarget {
            target_group_arn: port.target_group_arn(),
            target_port: port.target_port,
            ready: port.dependency_targets(),
            source_cidrs: self.source_cidrs.clone(),
            source_security_groups: self.security_groups.clone(),
        }
    }

    /// The primary target group.
    pub fn target_group(&self) -> &Handle<TargetGroup> {
        &self.primary.target_group
    }

    /// The primary listener: a service registering targets should depend on it (the target
    /// group must be attached to the load balancer before a service can use it).
    pub fn listener(&self) -> &Handle<Listener> {
        &self.primary.listener
    }

    /// The port the primary target group sends traffic to (the container port).
    pub fn target_port(&self) -> u16 {
        self.primary.target_port
    }

    /// The port the primary listener listens on.
    pub fn listener_port(&self) -> u16 {
        self.primary.listener_port
    }

    /// Every listener/target group pair, the primary first.
    pub fn ports(&self) -> impl Iterator<Item = &NlbPort> {
        std::iter::once(&self.primary).chain(&self.additional)
    }
}

impl Dependable for InternalNlbOutput {
    fn dependency_targets(&self) -> Vec<DepTarget> {
        let mut out = self.load_balancer.dependency_targets();
        for p in self.ports() {
            out.extend(p.dependency_targets());
        }
        out
    }
}

impl Construct for InternalNlb {
    type Output = InternalNlbOutput;

    fn build(self, scope: &mut Scope<'_>) -> Result<InternalNlbOutput, cloudwright_core::Error> {
        self.validate()?;

        let mut lb = LoadBalancer::new()
            .r#type(LoadBalancerType::Network)
            .scheme(Scheme::Internal)
            .subnets(self.subnets.clone());
        if !self.security_groups.is_empty() {
            lb = lb
                .security_groups(self.security_groups.clone())
                .enforce_security_group_inbound_rules_on_private_link_traffic("off");
        }
        if let Some(enabled) = self.cross_zone {
            lb = lb.load_balancer_attributes(vec![
                LoadBalancerAttribute::new()
                    .key("load_balancing.cross_zone.enabled")
                    .value(if enabled { "true" } else { "false" }),
            ]);
        }
        let load_balancer = scope.add("LoadBalancer", lb)?;
        // controls that do not apply, said instead of adding dead resources
        scope.add_exception(
            &load_balancer,
            Exception::new(
                "no access logs: network load balancers write them only for TLS listeners, and \
                 these are TCP (TLS ends at API Gateway)",
            )
            .checkov("CKV_AWS_91")
            .cfn_nag("W52")
            .guard("elbv2_logging_enabled_check"),
        )?;
        scope.add_exception(
            &load_balancer,
            Exception::new(
                "no deletion protection: the stack owns the load balancer, and protection would \
                 make deleting or replacing it through the stack fail",
            )
            .checkov("CKV_AWS_150"),
        )?;

        let mut ports = Vec::new();
        for (i, (listener_port, target_port)) in self.ports().into_iter().enumerate() {
            let suffix = if i == 0 {
                String::new()
            } else {
                listener_port.to_string()
            };
            let target_group = scope.add(
                &format!("TargetGroup{suffix}"),
                self.target_group(target_port),
            )?;
            let listener = scope.add(
                &format!("Listener{suffix}"),
                Listener::new(ListenerRequired {
                    default_actions: vec![
                        Action::new(ActionType::Forward).target_group_arn(target_group.r#ref()),
                    ]
                    .into(),
                    load_balancer_arn: load_balancer.r#ref().into(),
                })
                .port(listener_port)
                .protocol(listener::Protocol::Tcp),
            )?;
            ports.push(NlbPort {
                listener,
                target_group,
                listener_port,
                target_port,
            });
        }

        let export = format!("${{AWS::StackName}}-{}DnsName", load_balancer.logical_id());
        scope.add_output(
            "DnsName",
            Output::new(load_balancer.dns_name())
                .description("The DNS name of the internal network load balancer")
                .export(Value::sub(export)),
        )?;
        scope.add_output(
            "Arn",
            Output::new(load_balancer.r#ref())
                .description("The ARN of the internal network load balancer"),
        )?;

        let mut ports = ports.into_iter();
        let Some(primary) = ports.next() else {
            return Err(Error::NoSubnets.into());
        };
        Ok(InternalNlbOutput {
            load_balancer,
            primary,
            additional: ports.collect(),
            source_cidrs: self.source_cidrs,
            security_groups: self.security_groups,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_check_ranges_are_checked() {
        assert!(HealthCheck::default().validate().is_ok());
        assert!(matches!(
            HealthCheck::default()
                .interval(Duration::from_secs(3))
                .validate(),
            Err(Error::OutOfRange {
                setting: "health check interval (seconds)",
                ..
            })
        ));
        assert!(matches!(
            HealthCheck::default()
                .interval(Duration::from_secs(10))
                .timeout(Duration::from_secs(10))
                .validate(),
            Err(Error::OutOfRange {
                setting: "health check timeout (seconds)",
                ..
            })
        ));
        assert!(matches!(
            HealthCheck::default().thresholds(1, 3).validate(),
            Err(Error::OutOfRange { .. })
        ));
        assert!(matches!(
            HealthCheck::http("health").validate(),
            Err(Error::InvalidSetting {
                setting: "health check path",
                ..
            })
        ));
        assert!(
            HealthCheck::default()
                .success_codes("200,204")
                .validate()
                .is_ok()
        );
        assert!(matches!(
            HealthCheck::default().success_codes("100-200").validate(),
            Err(Error::InvalidSetting { .. })
        ));
    }

    #[test]
    fn durations_must_be_whole_seconds() {
        assert!(matches!(
            HealthCheck::default()
                .interval(Duration::from_millis(30_500))
                .validate(),
            Err(Error::FractionalDuration {
                setting: "health check interval",
                ..
            })
        ));
    }

    #[test]
    fn props_are_checked() {
        let none = SubnetGroup::imported("vpc", Vec::<(&str, &str)>::new());
        let one = SubnetGroup::imported("vpc", [("s", "10.0.0.0/24")]);
        assert_eq!(
            InternalNlb::new(&none, 80).validate(),
            Err(Error::NoSubnets)
        );
        assert_eq!(
            InternalNlb::new(&one, 80)
                .additional_port(80, 8080)
                .validate(),
            Err(Error::DuplicateListenerPort { port: 80 })
        );
        assert!(matches!(
            InternalNlb::new(&one, 0).validate(),
            Err(Error::OutOfRange { .. })
        ));
        assert!(matches!(
            InternalNlb::new(&one, 80)
                .deregistration_delay(Duration::from_secs(4000))
                .validate(),
            Err(Error::OutOfRange { .. })
        ));
    }
}
