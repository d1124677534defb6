//! [`InternalNlb`]: an internal network load balancer in private subnets, forwarding TCP to an
//! IP target group (the tasks of a Fargate service) that is health-checked over HTTP.
//!
//! Being `internal`, the load balancer gets no public address: only the VPC (and whatever the
//! VPC link of a [`PublicApi`](crate::PublicApi) forwards) can reach it.

use cloudwright_core::{Construct, DepTarget, Dependable, Handle, Output, Scope, Value};
use cloudwright_resources::elasticloadbalancingv2::listener::{Action, ActionRequired, ActionType};
use cloudwright_resources::elasticloadbalancingv2::load_balancer::{
    LoadBalancerAttribute, LoadBalancerType, Scheme,
};
use cloudwright_resources::elasticloadbalancingv2::target_group::{
    HealthCheckProtocol, Matcher, Protocol, TargetGroupAttribute, TargetType,
};
use cloudwright_resources::elasticloadbalancingv2::{
    Listener, ListenerRequired, LoadBalancer, TargetGroup, listener,
};

use crate::error::Error;

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
    /// Seconds between checks, 5 to 300 (60).
    pub interval_seconds: u32,
    /// Seconds without a response that fail a check, 2 to 120 and less than the interval (10).
    pub timeout_seconds: u32,
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
            interval_seconds: 60,
            timeout_seconds: 10,
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

    /// Seconds between checks (5 to 300).
    pub fn interval(mut self, seconds: u32) -> Self {
        self.interval_seconds = seconds;
        self
    }

    /// Seconds without a response that fail a check (2 to 120, less than the interval).
    pub fn timeout(mut self, seconds: u32) -> Self {
        self.timeout_seconds = seconds;
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
        range(
            "health check interval (seconds)",
            self.interval_seconds,
            5,
            300,
        )?;
        range(
            "health check timeout (seconds)",
            self.timeout_seconds,
            2,
            120,
        )?;
        if self.timeout_seconds >= self.interval_seconds {
            return Err(Error::OutOfRange {
                setting: "health check timeout (seconds)",
                value: self.timeout_seconds.to_string(),
                allowed: format!("less than the interval ({} seconds)", self.interval_seconds),
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
/// use cloudwright_core::App;
/// use cloudwright_ingress::{HealthCheck, InternalNlb};
///
/// let mut app = App::new();
/// let mut stack = app.stack("Service")?;
/// let nlb = stack.construct(
///     "Ingress",
///     InternalNlb::new("vpc-0123abcd", ["subnet-0000000a", "subnet-0000000b"], 80)
///         .health_check(HealthCheck::http("/health").interval(60))
///         .deregistration_delay(30),
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
    target_port: u16,
    listener_port: Option<u16>,
    additional: Vec<(u16, u16)>,
    health_check: HealthCheck,
    deregistration_delay: Option<u32>,
    cross_zone: Option<bool>,
    security_groups: Vec<Value>,
}

impl InternalNlb {
    /// A load balancer in `subnets` (subnet ids, normally private ones) of the VPC `vpc_id`,
    /// forwarding TCP on `port` to targets listening on `port`.
    pub fn new<S: Into<Value>>(
        vpc_id: impl Into<Value>,
        subnets: impl IntoIterator<Item = S>,
        port: u16,
    ) -> Self {
        InternalNlb {
            vpc_id: vpc_id.into(),
            subnets: subnets.into_iter().map(Into::into).collect(),
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

    /// Seconds a deregistering target keeps its connections (0 to 3600; AWS's default is 300).
    pub fn deregistration_delay(mut self, seconds: u32) -> Self {
        self.deregistration_delay = Some(seconds);
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
            .health_check_interval_seconds(hc.interval_seconds)
            .health_check_timeout_seconds(hc.timeout_seconds)
            .healthy_threshold_count(hc.healthy_threshold)
            .unhealthy_threshold_count(hc.unhealthy_threshold)
            .matcher(Matcher::new().http_code(hc.success_codes.as_str()));
        if let Some(p) = hc.port {
            tg = tg.health_check_port(p.to_string());
        }
        if let Some(d) = self.deregistration_delay {
            tg = tg.target_group_attributes(vec![
                TargetGroupAttribute::new()
                    .key("deregistration_delay.timeout_seconds")
                    .value(d.to_string()),
            ]);
        }
        tg
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
    /// The target group's ARN, for a service's load balancer registration.
    pub fn target_group_arn(&self) -> Value {
        self.target_group.r#ref()
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
}

impl InternalNlbOutput {
    /// The load balancer's DNS name.
    pub fn dns_name(&self) -> Value {
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
        self.validate().map_err(|e| scope.error(e))?;

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
                        Action::new(ActionRequired {
                            r#type: ActionType::Forward,
                        })
                        .target_group_arn(target_group.r#ref()),
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
            return Err(scope.error(Error::NoSubnets));
        };
        Ok(InternalNlbOutput {
            load_balancer,
            primary,
            additional: ports.collect(),
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
            HealthCheck::default().interval(3).validate(),
            Err(Error::OutOfRange {
                setting: "health check interval (seconds)",
                ..
            })
        ));
        assert!(matches!(
            HealthCheck::default().interval(10).timeout(10).validate(),
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
    fn props_are_checked() {
        let none: [&str; 0] = [];
        assert_eq!(
            InternalNlb::new("vpc", none, 80).validate(),
            Err(Error::NoSubnets)
        );
        assert_eq!(
            InternalNlb::new("vpc", ["s"], 80)
                .additional_port(80, 8080)
                .validate(),
            Err(Error::DuplicateListenerPort { port: 80 })
        );
        assert!(matches!(
            InternalNlb::new("vpc", ["s"], 0).validate(),
            Err(Error::OutOfRange { .. })
        ));
        assert!(matches!(
            InternalNlb::new("vpc", ["s"], 80)
                .deregistration_delay(4000)
                .validate(),
            Err(Error::OutOfRange { .. })
        ));
    }
}
