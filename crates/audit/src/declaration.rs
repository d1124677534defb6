//! The intended surface, declared as data, and the diff between it and what a template exposes.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Error;
use crate::apigateway::normalize_path;
use crate::network::protocol_name;
use crate::surface::{Exposure, Gap, Kind, NotAnalyzed, OpenIngress, Route, Surface};

/// What a stack is meant to expose. Deserializes from JSON such as
///
/// ```json
/// {"routes": [{"method": "GET", "path": "/{person}/{firstname}", "stage": "v1"}],
///  "publicLoadBalancers": [], "openIngress": [], "allowNatGateways": true}
/// ```
///
/// Every field may be omitted (an empty list, `false`); unknown fields are an error, so a typo
/// does not silently allow nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Declaration {
    /// Routes meant to be public.
    #[serde(default)]
    pub routes: Vec<DeclaredRoute>,
    /// Load balancers meant to be internet-facing: a logical id, or
    /// `{"resource": "Alb", "ports": [443]}` to allow only those listener ports.
    #[serde(default)]
    pub public_load_balancers: Vec<DeclaredLoadBalancer>,
    /// Security group rules meant to be open to the world.
    #[serde(default)]
    pub open_ingress: Vec<DeclaredIngress>,
    /// Logical ids of ECS services, instances, Elastic IPs or launch templates meant to have
    /// public IPs.
    #[serde(default)]
    pub public_ips: Vec<String>,
    /// Whether NAT gateways (outbound only) are expected.
    #[serde(default)]
    pub allow_nat_gateways: bool,
    /// Logical ids of buckets, queues, topics, tables, keys or functions meant to be reachable
    /// by anyone (a public website bucket, a public webhook).
    #[serde(default)]
    pub public_resources: Vec<String>,
}

/// A route meant to be public.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeclaredRoute {
    /// `GET`, ...; `ANY` allows every method on the path.
    pub method: String,
    /// The path, `/{person}/{firstname}`.
    pub path: String,
    /// The stage; omitted: any stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// The API's logical id; omitted: any API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
}

/// A load balancer meant to be internet-facing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DeclaredLoadBalancer {
    /// Any listener of this load balancer (logical id).
    Any(String),
    /// Only these listener ports.
    Ports {
        /// Logical id.
        resource: String,
        /// Listener ports.
        ports: Vec<u16>,
    },
}

/// A security group rule meant to be open to the world. Every field given must match; an
/// omitted field matches anything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeclaredIngress {
    /// The security group's logical id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_group: Option<String>,
    /// `tcp`, `udp`, `icmp`, `all` (or `-1`), or a protocol number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// A single port (the rule must be exactly this port).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    /// First port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_port: Option<i64>,
    /// Last port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_port: Option<i64>,
    /// `0.0.0.0/0` or `::/0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
}

impl Declaration {
    /// Reads a declaration from JSON text.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        serde_json::from_str(text).map_err(|e| Error::Declaration(e.to_string()))
    }

    /// Reads a declaration from a JSON value.
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        Self::deserialize(value).map_err(|e| Error::Declaration(e.to_string()))
    }

    /// Whether a load balancer (logical id) is declared public, on any port.
    pub fn allows_load_balancer(&self, resource: &str) -> bool {
        self.public_load_balancers
            .iter()
            .any(|d| d.resource() == resource)
    }
}

impl DeclaredLoadBalancer {
    /// The load balancer's logical id.
    pub fn resource(&self) -> &str {
        match self {
            DeclaredLoadBalancer::Any(r) | DeclaredLoadBalancer::Ports { resource: r, .. } => r,
        }
    }
}

impl DeclaredRoute {
    fn matches(&self, r: &Route) -> bool {
        (self.method.eq_ignore_ascii_case("ANY") || self.method.eq_ignore_ascii_case(&r.method))
            && normalize_path(&self.path) == r.path
            && self
                .stage
                .as_ref()
                .is_none_or(|s| r.stage.as_ref() == Some(s))
            && self.api.as_ref().is_none_or(|a| *a == r.api)
    }

    fn describe(&self) -> String {
        let mut s = format!(
            "{} {}",
            self.method.to_ascii_uppercase(),
            normalize_path(&self.path)
        );
        if let Some(stage) = &self.stage {
            s.push_str(&format!(" (stage {stage})"));
        }
        if let Some(api) = &self.api {
            s.push_str(&format!(" on {api}"));
        }
        s
    }
}

impl DeclaredIngress {
    fn matches(&self, i: &OpenIngress) -> bool {
        let (from, to) = match self.port {
            Some(p) => (Some(p), Some(p)),
            None => (self.from_port, self.to_port),
        };
        self.security_group
            .as_ref()
            .is_none_or(|g| *g == i.security_group)
            && self
                .protocol
                .as_ref()
                .is_none_or(|p| protocol_name(&Value::String(p.clone())) == i.protocol)
            && from.is_none_or(|f| i.from_port == Some(f))
            && to.is_none_or(|t| i.to_port == Some(t))
            && self.cidr.as_ref().is_none_or(|c| *c == i.cidr)
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(p) = &self.protocol {
            parts.push(protocol_name(&Value::String(p.clone())));
        }
        match (self.port, self.from_port, self.to_port) {
            (Some(p), _, _) => parts.push(format!("port {p}")),
            (None, Some(a), Some(b)) => parts.push(format!("ports {a}-{b}")),
            (None, Some(a), None) | (None, None, Some(a)) => parts.push(format!("port {a}")),
            (None, None, None) => {}
        }
        if let Some(c) = &self.cidr {
            parts.push(format!("from {c}"));
        }
        if let Some(g) = &self.security_group {
            parts.push(format!("into {g}"));
        }
        if parts.is_empty() {
            "any open ingress".into()
        } else {
            parts.join(" ")
        }
    }
}

/// Which list of the declaration an item comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeclaredKind {
    /// `routes`.
    Route,
    /// `publicLoadBalancers`.
    LoadBalancer,
    /// `openIngress`.
    OpenIngress,
    /// `publicIps`.
    PublicIp,
    /// `publicResources`.
    PublicResource,
}

/// Something declared but not exposed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Missing {
    /// Which list of the declaration.
    pub kind: DeclaredKind,
    /// The declaration, in words.
    pub declared: String,
}

/// The difference between the actual surface and the declared one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SurfaceDiff {
    /// Exposed but not declared: what a deploy refuses.
    pub widened: Vec<Exposure>,
    /// Declared but not exposed.
    pub missing: Vec<Missing>,
    /// What the audit could not resolve (from the surface): worth a warning, never silent.
    pub gaps: Vec<Gap>,
    /// Resource types the audit does not analyze (from the surface).
    pub not_analyzed: Vec<NotAnalyzed>,
}

impl SurfaceDiff {
    /// What is exposed but not declared. A deploy refuses a non-empty list unless told
    /// `--allow-exposure`.
    pub fn widens(&self) -> &[Exposure] {
        &self.widened
    }

    /// Whether the actual surface is exactly the declared one (nothing widened, nothing
    /// missing). Gaps and unanalyzed types do not count: show them as warnings.
    pub fn is_empty(&self) -> bool {
        self.widened.is_empty() && self.missing.is_empty()
    }
}

/// Compares the actual surface with the declared one.
pub fn diff(actual: &Surface, declared: &Declaration) -> SurfaceDiff {
    let mut widened = Vec::new();
    let mut missing = Vec::new();

    let mut route_used = vec![false; declared.routes.len()];
    for r in &actual.routes {
        let mut covered = false;
        for (i, d) in declared.routes.iter().enumerate() {
            if d.matches(r) {
                route_used[i] = true;
                covered = true;
            }
        }
        if !covered {
            widened.push(r.exposure());
        }
    }
    for (d, used) in declared.routes.iter().zip(route_used) {
        if !used {
            missing.push(Missing {
                kind: DeclaredKind::Route,
                declared: d.describe(),
            });
        }
    }

    // Load balancers: each declared (resource, port) pair is one item.
    let lb_items: Vec<(&str, Option<u16>)> = declared
        .public_load_balancers
        .iter()
        .flat_map(|d| match d {
            DeclaredLoadBalancer::Any(r) => vec![(r.as_str(), None)],
            DeclaredLoadBalancer::Ports { resource, ports } => ports
                .iter()
                .map(|p| (resource.as_str(), Some(*p)))
                .collect(),
        })
        .collect();
    let mut lb_used = vec![false; lb_items.len()];
    for lb in &actual.load_balancers {
        for (port, exposure) in lb.exposures() {
            let mut covered = false;
            for (i, (r, p)) in lb_items.iter().enumerate() {
                if *r == lb.resource && (p.is_none() || *p == port) {
                    lb_used[i] = true;
                    covered = true;
                }
            }
            if !covered {
                widened.push(exposure);
            }
        }
    }
    for ((r, p), used) in lb_items.iter().zip(lb_used) {
        if !used {
            missing.push(Missing {
                kind: DeclaredKind::LoadBalancer,
                declared: match p {
                    Some(p) => format!("load balancer {r} on port {p}"),
                    None => format!("load balancer {r}"),
                },
            });
        }
    }

    let mut ingress_used = vec![false; declared.open_ingress.len()];
    for i in &actual.open_ingress {
        let mut covered = false;
        for (k, d) in declared.open_ingress.iter().enumerate() {
            if d.matches(i) {
                ingress_used[k] = true;
                covered = true;
            }
        }
        if !covered {
            widened.push(i.exposure());
        }
    }
    for (d, used) in declared.open_ingress.iter().zip(ingress_used) {
        if !used {
            missing.push(Missing {
                kind: DeclaredKind::OpenIngress,
                declared: d.describe(),
            });
        }
    }

    let mut ip_used = vec![false; declared.public_ips.len()];
    for p in &actual.public_ips {
        if p.kind == Kind::NatGateway && declared.allow_nat_gateways {
            continue;
        }
        let mut covered = false;
        for (k, d) in declared.public_ips.iter().enumerate() {
            if *d == p.resource {
                ip_used[k] = true;
                covered = true;
            }
        }
        if !covered {
            widened.push(p.exposure());
        }
    }
    for (d, used) in declared.public_ips.iter().zip(ip_used) {
        if !used {
            missing.push(Missing {
                kind: DeclaredKind::PublicIp,
                declared: format!("public IP on {d}"),
            });
        }
    }

    let mut resource_used = vec![false; declared.public_resources.len()];
    for p in &actual.public_resources {
        let mut covered = false;
        for (k, d) in declared.public_resources.iter().enumerate() {
            if *d == p.resource {
                resource_used[k] = true;
                covered = true;
            }
        }
        if !covered {
            widened.push(p.exposure());
        }
    }
    for (d, used) in declared.public_resources.iter().zip(resource_used) {
        if !used {
            missing.push(Missing {
                kind: DeclaredKind::PublicResource,
                declared: format!("public resource {d}"),
            });
        }
    }

    widened.sort();
    missing.sort();
    SurfaceDiff {
        widened,
        missing,
        gaps: actual.gaps.clone(),
        not_analyzed: actual.not_analyzed.clone(),
    }
}
