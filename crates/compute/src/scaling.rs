//! Target tracking autoscaling of a Fargate service: [`AutoScaling`] says how, and
//! [`ServiceAutoScaling`] builds it (through [`FargateService::auto_scaling`] or on its own).
//!
//! The scalable target has no `RoleARN`, so Application Auto Scaling uses its service-linked
//! role for ECS (`AWSServiceRoleForApplicationAutoScaling_ECSService`), which it creates in
//! the account on first use.
//!
//! [`FargateService::auto_scaling`]: crate::FargateService::auto_scaling

use std::time::Duration;

use cloudwright_core::{Construct, DepTarget, Dependable, Handle, Scope, Value};
use cloudwright_resources::applicationautoscaling as aas;
use cloudwright_resources::applicationautoscaling::scaling_policy as sp;

use crate::error::{Error, secs, whole_seconds};
use crate::service::FargateServiceOutput;

/// The metric a policy keeps at its target.
#[derive(Clone, Debug, PartialEq)]
pub enum ScalingMetric {
    /// `ECSServiceAverageCPUUtilization`, in percent.
    Cpu,
    /// `ECSServiceAverageMemoryUtilization`, in percent.
    Memory,
    /// `ALBRequestCountPerTarget`: requests per task per minute. Only an Application Load
    /// Balancer reports it (a Network Load Balancer does not), and it needs the resource
    /// label `app/<lb name>/<lb id>/targetgroup/<tg name>/<tg id>`.
    AlbRequestCount {
        /// The resource label.
        resource_label: Value,
    },
}

impl ScalingMetric {
    fn id(&self) -> &'static str {
        match self {
            ScalingMetric::Cpu => "Cpu",
            ScalingMetric::Memory => "Memory",
            ScalingMetric::AlbRequestCount { .. } => "Requests",
        }
    }
}

/// How a service scales: between `min` and `max` tasks, by target tracking policies.
///
/// ```
/// use std::time::Duration;
/// use cloudwright_compute::AutoScaling;
/// let scaling = AutoScaling::new(2, 10)
///     .target_cpu_utilization(60.0)
///     .scale_in_cooldown(Duration::from_secs(300))
///     .scale_out_cooldown(Duration::from_secs(60));
/// # let _ = scaling;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct AutoScaling {
    min: u32,
    max: u32,
    policies: Vec<(ScalingMetric, f64)>,
    scale_in_cooldown: Duration,
    scale_out_cooldown: Duration,
    disable_scale_in: bool,
}

impl AutoScaling {
    /// Between `min` and `max` tasks. Add at least one target.
    pub fn new(min: u32, max: u32) -> Self {
        AutoScaling {
            min,
            max,
            policies: Vec::new(),
            scale_in_cooldown: Duration::from_secs(300),
            scale_out_cooldown: Duration::from_secs(60),
            disable_scale_in: false,
        }
    }

    /// The minimum number of tasks.
    pub fn min(&self) -> u32 {
        self.min
    }

    /// The maximum number of tasks.
    pub fn max(&self) -> u32 {
        self.max
    }

    /// Keeps the service's average CPU utilization at `percent` (above 0, at most 100).
    pub fn target_cpu_utilization(mut self, percent: f64) -> Self {
        self.policies.push((ScalingMetric::Cpu, percent));
        self
    }

    /// Keeps the service's average memory utilization at `percent` (above 0, at most 100).
    pub fn target_memory_utilization(mut self, percent: f64) -> Self {
        self.policies.push((ScalingMetric::Memory, percent));
        self
    }

    /// Keeps the requests per task per minute at `requests`; only with an Application Load
    /// Balancer (see [`ScalingMetric::AlbRequestCount`]).
    pub fn target_alb_requests_per_task(
        mut self,
        requests: f64,
        resource_label: impl Into<Value>,
    ) -> Self {
        self.policies.push((
            ScalingMetric::AlbRequestCount {
                resource_label: resource_label.into(),
            },
            requests,
        ));
        self
    }

    /// Time after a scale-in before another (whole seconds; default 300 s).
    pub fn scale_in_cooldown(mut self, cooldown: Duration) -> Self {
        self.scale_in_cooldown = cooldown;
        self
    }

    /// Time after a scale-out before another (whole seconds; default 60 s).
    pub fn scale_out_cooldown(mut self, cooldown: Duration) -> Self {
        self.scale_out_cooldown = cooldown;
        self
    }

    /// Only scale out; never remove tasks (default: scale both ways).
    pub fn disable_scale_in(mut self, disable: bool) -> Self {
        self.disable_scale_in = disable;
        self
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        let bad = |reason: String| Err(Error::InvalidScaling { reason });
        if self.max == 0 {
            return bad("the maximum number of tasks must be at least 1".into());
        }
        if self.min > self.max {
            return bad(format!(
                "the minimum ({}) is above the maximum ({})",
                self.min, self.max
            ));
        }
        if self.policies.is_empty() {
            return bad(
                "add a target (target_cpu_utilization, target_memory_utilization or target_alb_requests_per_task)"
                    .into(),
            );
        }
        for (i, (metric, target)) in self.policies.iter().enumerate() {
            if self.policies[..i]
                .iter()
                .any(|(m, _)| m.id() == metric.id())
            {
                return bad(format!("two targets for the same metric ({})", metric.id()));
            }
            let ok = match metric {
                ScalingMetric::Cpu | ScalingMetric::Memory => {
                    target.is_finite() && *target > 0.0 && *target <= 100.0
                }
                ScalingMetric::AlbRequestCount { .. } => target.is_finite() && *target > 0.0,
            };
            if !ok {
                return bad(format!(
                    "the {} target {target} is out of range ({})",
                    metric.id(),
                    match metric {
                        ScalingMetric::AlbRequestCount { .. } => "above 0",
                        _ => "a percentage above 0, at most 100",
                    }
                ));
            }
            if let ScalingMetric::AlbRequestCount { resource_label } = metric
                && let Some(label) = resource_label.as_str()
                && (!label.starts_with("app/") || !label.contains("/targetgroup/"))
            {
                return bad(format!(
                    "resource label `{label}` is not `app/<lb name>/<lb id>/targetgroup/<tg name>/<tg id>` (only an Application Load Balancer reports request counts)"
                ));
            }
        }
        for (what, secs) in [
            ("scale-in", self.scale_in_cooldown),
            ("scale-out", self.scale_out_cooldown),
        ] {
            let secs = whole_seconds("scaling cooldown", secs)?;
            if secs > 86_400 {
                return bad(format!("the {what} cooldown of {secs} s is above a day"));
            }
        }
        Ok(())
    }
}

/// Autoscaling of a service, built into `Target` (an
/// `AWS::ApplicationAutoScaling::ScalableTarget` on `ecs:service:DesiredCount`, without a
/// role: the service-linked role is used) and one `AWS::ApplicationAutoScaling::ScalingPolicy`
/// per target (`CpuPolicy`, `MemoryPolicy`, `RequestsPolicy`).
#[derive(Clone, Debug)]
pub struct ServiceAutoScaling {
    resource_id: Value,
    scaling: AutoScaling,
}

impl ServiceAutoScaling {
    /// Scales `service` as `scaling` says.
    pub fn new(service: &FargateServiceOutput, scaling: AutoScaling) -> Self {
        ServiceAutoScaling {
            resource_id: service.scaling_resource_id(),
            scaling,
        }
    }
}

/// What building [`ServiceAutoScaling`] gives.
#[derive(Clone, Debug)]
pub struct ServiceAutoScalingOutput {
    /// The scalable target.
    pub target: Handle<aas::ScalableTarget>,
    /// The target tracking policies, in the order they were added.
    pub policies: Vec<Handle<aas::ScalingPolicy>>,
}

impl Dependable for ServiceAutoScalingOutput {
    fn dependency_targets(&self) -> Vec<DepTarget> {
        let mut targets = self.target.dependency_targets();
        targets.extend(self.policies.dependency_targets());
        targets
    }
}

fn predefined(metric: sp::PredefinedMetricType) -> sp::PredefinedMetricSpecification {
    sp::PredefinedMetricSpecification::new(metric)
}

impl Construct for ServiceAutoScaling {
    type Output = ServiceAutoScalingOutput;

    fn build(
        self,
        scope: &mut Scope<'_>,
    ) -> Result<ServiceAutoScalingOutput, cloudwright_core::Error> {
        let s = &self.scaling;
        s.validate()?;
        let target = scope.add(
            "Target",
            aas::ScalableTarget::new(aas::ScalableTargetRequired {
                max_capacity: s.max.into(),
                min_capacity: s.min.into(),
                resource_id: self.resource_id.clone().into(),
                scalable_dimension: aas::scalable_target::ScalableDimension::EcsServiceDesiredCount,
                service_namespace: aas::scalable_target::ServiceNamespace::Ecs,
            }),
        )?;
        let mut policies = Vec::new();
        for (metric, value) in &s.policies {
            let spec = match metric {
                ScalingMetric::Cpu => {
                    predefined(sp::PredefinedMetricType::EcsServiceAverageCpuUtilization)
                }
                ScalingMetric::Memory => {
                    predefined(sp::PredefinedMetricType::EcsServiceAverageMemoryUtilization)
                }
                ScalingMetric::AlbRequestCount { resource_label } => {
                    predefined(sp::PredefinedMetricType::AlbRequestCountPerTarget)
                        .resource_label(resource_label.clone())
                }
            };
            let mut config = sp::TargetTrackingScalingPolicyConfiguration::new(*value)
                .predefined_metric_specification(spec)
                .scale_in_cooldown(secs(s.scale_in_cooldown))
                .scale_out_cooldown(secs(s.scale_out_cooldown));
            if s.disable_scale_in {
                config = config.disable_scale_in(true);
            }
            let name = format!("{}TargetTracking", metric.id());
            let policy = scope.add(
                &format!("{}Policy", metric.id()),
                aas::ScalingPolicy::new(aas::ScalingPolicyRequired {
                    policy_name: name.into(),
                    policy_type: sp::PolicyType::TargetTrackingScaling,
                })
                .scaling_target_id(target.r#ref())
                .target_tracking_scaling_policy_configuration(config),
            )?;
            policies.push(policy);
        }
        Ok(ServiceAutoScalingOutput { target, policies })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incoherent_scaling_is_rejected() {
        let bad = |a: AutoScaling| matches!(a.validate(), Err(Error::InvalidScaling { .. }));
        assert!(bad(AutoScaling::new(2, 10)));
        assert!(bad(AutoScaling::new(0, 0).target_cpu_utilization(50.0)));
        assert!(bad(AutoScaling::new(5, 2).target_cpu_utilization(50.0)));
        assert!(bad(AutoScaling::new(1, 2).target_cpu_utilization(0.0)));
        assert!(bad(AutoScaling::new(1, 2).target_cpu_utilization(101.0)));
        assert!(bad(
            AutoScaling::new(1, 2).target_memory_utilization(f64::NAN)
        ));
        assert!(bad(AutoScaling::new(1, 2)
            .target_cpu_utilization(50.0)
            .target_cpu_utilization(60.0)));
        assert!(bad(
            AutoScaling::new(1, 2).target_alb_requests_per_task(100.0, "net/x/y")
        ));
        assert!(bad(AutoScaling::new(1, 2)
            .target_cpu_utilization(50.0)
            .scale_in_cooldown(Duration::from_secs(100_000))));
        assert!(!bad(AutoScaling::new(0, 2)
            .target_cpu_utilization(50.0)
            .target_memory_utilization(75.0)
            .target_alb_requests_per_task(
                1000.0,
                "app/lb/0123456789abcdef/targetgroup/tg/0123456789abcdef"
            )));
    }
}
