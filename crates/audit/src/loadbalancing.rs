//! Load balancers: which are internet-facing, their listeners, and where those forward.

use serde_json::Value;

use crate::surface::{Gap, Listener, PublicLoadBalancer, Surface, Target};
use crate::template::{Resource, Template, display, items, literal_port, literal_str};

pub(crate) const ELBV2: &str = "AWS::ElasticLoadBalancingV2::LoadBalancer";
pub(crate) const CLASSIC: &str = "AWS::ElasticLoadBalancing::LoadBalancer";
const LISTENER: &str = "AWS::ElasticLoadBalancingV2::Listener";
const RULE: &str = "AWS::ElasticLoadBalancingV2::ListenerRule";
const TARGET_GROUP: &str = "AWS::ElasticLoadBalancingV2::TargetGroup";

/// Whether a load balancer is internal: `Some(true)` for `Scheme: internal`, `Some(false)` for
/// an absent scheme (CloudFormation's default is internet-facing) or `internet-facing`, `None`
/// when the scheme is an expression.
pub(crate) fn is_internal(lb: &Resource<'_>) -> Option<bool> {
    match lb.prop("Scheme") {
        Value::Null => Some(false),
        v => match literal_str(v) {
            Some("internal") => Some(true),
            Some(_) => Some(false),
            None => None,
        },
    }
}

/// `application` (the default), `network` or `gateway` for ELBv2; `classic` for an ELB.
pub(crate) fn lb_type(lb: &Resource<'_>) -> String {
    if lb.ty == CLASSIC {
        return "classic".into();
    }
    match lb.prop("Type") {
        Value::Null => "application".into(),
        v => literal_str(v).map_or_else(|| display(v), str::to_owned),
    }
}

/// The ELBv2 listeners of a load balancer.
pub(crate) fn listeners(t: &Template<'_>, lb_id: &str) -> Vec<Listener> {
    t.of_type(LISTENER)
        .filter(|l| t.target(l.prop("LoadBalancerArn"), &[ELBV2]).map(|r| r.id) == Some(lb_id))
        .map(|l| Listener {
            resource: l.id.to_owned(),
            port: literal_port(l.prop("Port")),
            protocol: match l.prop("Protocol") {
                Value::Null => "(default)".into(),
                v => display(v),
            },
            targets: listener_targets(t, l),
        })
        .collect()
}

/// The target groups a listener forwards to: its default actions and its listener rules.
fn listener_targets(t: &Template<'_>, listener: &Resource<'_>) -> Vec<Target> {
    let mut out = Vec::new();
    action_targets(t, listener.prop("DefaultActions"), &mut out);
    for rule in t.of_type(RULE) {
        if t.target(rule.prop("ListenerArn"), &[LISTENER])
            .map(|r| r.id)
            == Some(listener.id)
        {
            action_targets(t, rule.prop("Actions"), &mut out);
        }
    }
    out.sort();
    out.dedup();
    out
}

fn action_targets(t: &Template<'_>, actions: &Value, out: &mut Vec<Target>) {
    for a in items(actions) {
        let mut arns: Vec<&Value> = Vec::new();
        if let Some(arn) = a.get("TargetGroupArn") {
            arns.push(arn);
        }
        if let Some(groups) = a.get("ForwardConfig").and_then(|f| f.get("TargetGroups")) {
            arns.extend(items(groups).iter().filter_map(|g| g.get("TargetGroupArn")));
        }
        for arn in arns {
            out.push(match t.target(arn, &[TARGET_GROUP]) {
                Some(tg) => Target {
                    resource: tg.id.to_owned(),
                    port: literal_port(tg.prop("Port")),
                },
                None => Target {
                    resource: display(arn),
                    port: None,
                },
            });
        }
    }
}

/// Adds the internet-facing load balancers to the surface.
pub(crate) fn analyze(t: &Template<'_>, s: &mut Surface) {
    for lb in t.of_type(ELBV2) {
        let ty = lb_type(lb);
        if ty == "gateway" {
            continue; // a Gateway Load Balancer has no scheme and no public endpoint
        }
        let internal = is_internal(lb);
        if internal == Some(true) {
            continue;
        }
        if internal.is_none() {
            s.gaps.push(Gap {
                resource: lb.id.to_owned(),
                reason: format!(
                    "scheme is `{}`, only known at deploy time: counted as internet-facing",
                    display(lb.prop("Scheme"))
                ),
            });
        }
        let scheme = match lb.prop("Scheme") {
            Value::Null => "internet-facing".to_owned(),
            v => display(v),
        };
        s.load_balancers.push(PublicLoadBalancer {
            resource: lb.id.to_owned(),
            lb_type: ty,
            scheme,
            listeners: listeners(t, lb.id),
        });
    }
    for lb in t.of_type(CLASSIC) {
        let internal = is_internal(lb);
        if internal == Some(true) {
            continue;
        }
        let listeners = items(lb.prop("Listeners"))
            .iter()
            .map(|l| Listener {
                resource: lb.id.to_owned(),
                port: l.get("LoadBalancerPort").and_then(literal_port),
                protocol: l.get("Protocol").map_or_else(|| "?".into(), display),
                targets: vec![Target {
                    resource: "instances".into(),
                    port: l.get("InstancePort").and_then(literal_port),
                }],
            })
            .collect();
        s.load_balancers.push(PublicLoadBalancer {
            resource: lb.id.to_owned(),
            lb_type: "classic".into(),
            scheme: match lb.prop("Scheme") {
                Value::Null => "internet-facing".to_owned(),
                v => display(v),
            },
            listeners,
        });
    }
}
