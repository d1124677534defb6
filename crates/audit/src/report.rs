//! Output: human tables and JSON for machines, and the combined [`Report`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Error;
use crate::declaration::{Declaration, SurfaceDiff, diff};
use crate::exceptions::{DeclaredException, exceptions};
use crate::rules::{Finding, check};
use crate::surface::{Surface, audit_template, port_text};

/// Everything `cloudwright audit` shows for one template: the surface, its diff against the
/// declaration (if one was given), and the bundled rules' findings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The public surface.
    pub surface: Surface,
    /// The diff against the declared surface, if a declaration was given.
    pub diff: Option<SurfaceDiff>,
    /// Findings of the bundled rules.
    pub findings: Vec<Finding>,
    /// The checks the template deliberately does not meet, and why (from `Metadata`).
    #[serde(default)]
    pub exceptions: Vec<DeclaredException>,
}

/// Audits a template: surface, diff against `declared` (if given), and bundled rules.
pub fn audit(template: &Value, declared: Option<&Declaration>) -> Result<Report, Error> {
    let surface = audit_template(template)?;
    let findings = check(template, declared)?;
    let diff = declared.map(|d| diff(&surface, d));
    let exceptions = exceptions(template)?;
    Ok(Report {
        surface,
        diff,
        findings,
        exceptions,
    })
}

impl Report {
    /// The human rendering: surface table, diff, findings.
    pub fn render_table(&self) -> String {
        let mut out = render_table(&self.surface);
        if let Some(d) = &self.diff {
            out.push('\n');
            out.push_str(&render_diff(d));
        }
        out.push('\n');
        out.push_str(&render_findings(&self.findings));
        out.push('\n');
        out.push_str(&render_exceptions(&self.exceptions));
        out
    }
}

/// The deliberate exceptions as a table: resource, checks, reason.
pub fn render_exceptions(exceptions: &[DeclaredException]) -> String {
    if exceptions.is_empty() {
        return "Deliberate exceptions: none\n".into();
    }
    let mut out = format!(
        "Deliberate exceptions: {}\n",
        plural(exceptions.len(), "exception", "exceptions")
    );
    out.push_str(&table(
        &["RESOURCE", "TYPE", "CHECKS", "REASON"],
        &exceptions
            .iter()
            .map(|e| {
                vec![
                    e.resource.clone(),
                    e.resource_type.clone(),
                    e.checks.join(", "),
                    e.reason.clone(),
                ]
            })
            .collect::<Vec<_>>(),
    ));
    out
}

/// Pretty JSON of any report type ([`Surface`], [`SurfaceDiff`], [`Report`], findings).
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    serde_json::to_string_pretty(value).map_err(|e| Error::Serialize(e.to_string()))
}

/// Column-aligned rows under a header, indented by two spaces.
fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        let mut s = String::from(" ");
        for (i, c) in cells.into_iter().enumerate() {
            s.push(' ');
            s.push_str(c);
            if i < last {
                let pad = widths
                    .get(i)
                    .copied()
                    .unwrap_or(0)
                    .saturating_sub(c.chars().count());
                s.push_str(&" ".repeat(pad + 1));
            }
        }
        s.trim_end().to_owned() + "\n"
    };
    let mut out = line(headers.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

fn section(out: &mut String, title: &str, headers: &[&str], rows: Vec<Vec<String>>) {
    out.push('\n');
    if rows.is_empty() {
        out.push_str(&format!("{title}: none\n"));
    } else {
        out.push_str(&format!("{title}\n"));
        out.push_str(&table(headers, &rows));
    }
}

/// The surface as human tables.
pub fn render_table(s: &Surface) -> String {
    let nat = s
        .public_ips
        .iter()
        .filter(|p| p.kind == crate::Kind::NatGateway)
        .count();
    let listeners: usize = s.load_balancers.iter().map(|l| l.listeners.len()).sum();
    let mut out = format!(
        "Public surface ({} resources): {}, {} ({}), {}, {} ({} NAT gateway egress), {}\n",
        s.resource_count,
        plural(s.routes.len(), "route", "routes"),
        plural(
            s.load_balancers.len(),
            "internet-facing load balancer",
            "internet-facing load balancers"
        ),
        plural(listeners, "listener", "listeners"),
        plural(
            s.open_ingress.len(),
            "open ingress rule",
            "open ingress rules"
        ),
        plural(s.public_ips.len(), "public IP", "public IPs"),
        nat,
        plural(
            s.public_resources.len(),
            "public bucket, queue, topic, table, key or function grant",
            "public bucket, queue, topic, table, key or function grants"
        ),
    );

    section(
        &mut out,
        "Routes reachable from the internet (API Gateway, Lambda function URLs)",
        &["STAGE", "METHOD", "PATH", "API", "AUTH", "INTEGRATION"],
        s.routes
            .iter()
            .map(|r| {
                vec![
                    match (&r.stage, r.api_type) {
                        (Some(stage), _) => stage.clone(),
                        (None, crate::ApiType::FunctionUrl) => "-".into(),
                        (None, _) => "(none)".into(),
                    },
                    r.method.clone(),
                    r.path.clone(),
                    r.api.clone(),
                    r.authorization.clone(),
                    r.integration.describe(),
                ]
            })
            .collect(),
    );

    let mut lb_rows = Vec::new();
    for lb in &s.load_balancers {
        if lb.listeners.is_empty() {
            lb_rows.push(vec![
                lb.resource.clone(),
                lb.lb_type.clone(),
                "(no listener)".into(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        for l in &lb.listeners {
            lb_rows.push(vec![
                lb.resource.clone(),
                lb.lb_type.clone(),
                l.resource.clone(),
                port_text(l.port),
                l.protocol.clone(),
                l.targets
                    .iter()
                    .map(|t| format!("{} {}", t.resource, port_text(t.port)))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]);
        }
    }
    section(
        &mut out,
        "Internet-facing load balancers",
        &[
            "LOAD BALANCER",
            "TYPE",
            "LISTENER",
            "PORT",
            "PROTOCOL",
            "FORWARDS TO",
        ],
        lb_rows,
    );

    section(
        &mut out,
        "Security group ingress open to the world",
        &[
            "SECURITY GROUP",
            "PROTOCOL/PORTS",
            "FROM",
            "RULE",
            "USED BY",
        ],
        s.open_ingress
            .iter()
            .map(|i| {
                vec![
                    i.security_group.clone(),
                    i.ports_text(),
                    i.cidr.clone(),
                    i.rule.clone(),
                    i.used_by.join(", "),
                ]
            })
            .collect(),
    );

    section(
        &mut out,
        "Public IPs",
        &["KIND", "RESOURCE", "SUBNETS", "DETAIL"],
        s.public_ips
            .iter()
            .map(|p| {
                vec![
                    p.kind.label().to_owned(),
                    p.resource.clone(),
                    p.subnets.join(", "),
                    p.detail.clone(),
                ]
            })
            .collect(),
    );

    section(
        &mut out,
        "Public data and functions (resource policies, ACLs, permissions for anyone)",
        &["RESOURCE", "TYPE", "THROUGH", "DETAIL"],
        s.public_resources
            .iter()
            .map(|p| {
                vec![
                    p.resource.clone(),
                    p.resource_type.clone(),
                    p.via.clone(),
                    p.detail.clone(),
                ]
            })
            .collect(),
    );

    section(
        &mut out,
        "Data stores",
        &["RESOURCE", "TYPE", "ENCRYPTION", "PUBLIC ACCESS"],
        s.data
            .iter()
            .map(|d| {
                vec![
                    d.resource.clone(),
                    d.resource_type.clone(),
                    d.encryption.clone(),
                    d.public_access.clone(),
                ]
            })
            .collect(),
    );

    section(
        &mut out,
        "Who may do what (IAM policies, resource policies, permissions)",
        &[
            "PRINCIPAL",
            "EFFECT",
            "INTENT",
            "ACTIONS",
            "RESOURCES",
            "VIA",
        ],
        s.access
            .iter()
            .map(|a| {
                vec![
                    a.principal.clone(),
                    a.effect.clone(),
                    a.intent.clone(),
                    a.actions.join(", "),
                    a.resources.join(", "),
                    a.via.clone(),
                ]
            })
            .collect(),
    );

    section(
        &mut out,
        "Public subnets (default route to an internet gateway)",
        &[
            "SUBNET",
            "ROUTE TABLE",
            "GATEWAY",
            "DESTINATION",
            "PUBLIC IP ON LAUNCH",
        ],
        s.public_subnets
            .iter()
            .map(|p| {
                vec![
                    p.subnet.clone(),
                    p.route_table.clone(),
                    p.gateway.clone(),
                    p.destination.clone(),
                    if p.map_public_ip_on_launch {
                        "yes"
                    } else {
                        "no"
                    }
                    .into(),
                ]
            })
            .collect(),
    );

    if !s.private_apis.is_empty() {
        out.push_str(&format!(
            "\nPrivate APIs (not public): {}\n",
            s.private_apis.join(", ")
        ));
    }

    section(
        &mut out,
        "Could not resolve",
        &["RESOURCE", "REASON"],
        s.gaps
            .iter()
            .map(|g| vec![g.resource.clone(), g.reason.clone()])
            .collect(),
    );

    out.push('\n');
    if s.not_analyzed.is_empty() {
        out.push_str("Not analyzed: none (every resource type is known)\n");
    } else {
        out.push_str("Not analyzed (their public surface, if any, is not in this report)\n");
        for n in &s.not_analyzed {
            out.push_str(&format!(
                "  {} ({}): {}\n",
                n.resource_type,
                n.count,
                n.resources.join(", ")
            ));
        }
    }
    out
}

/// The diff as human text: `+` exposed but not declared, `-` declared but not exposed.
pub fn render_diff(d: &SurfaceDiff) -> String {
    let mut out = String::new();
    if d.is_empty() {
        out.push_str("The surface matches the declaration.\n");
    } else {
        out.push_str("The surface differs from the declaration:\n");
        for w in &d.widened {
            out.push_str(&format!("  + {} (exposed, not declared)\n", w.summary));
        }
        for m in &d.missing {
            out.push_str(&format!("  - {} (declared, not exposed)\n", m.declared));
        }
    }
    if !d.gaps.is_empty() || !d.not_analyzed.is_empty() {
        out.push_str(&format!(
            "  warning: {} and {} not analyzed: the comparison cannot vouch for them\n",
            plural(d.gaps.len(), "unresolved item", "unresolved items"),
            plural(
                d.not_analyzed.iter().map(|n| n.count).sum(),
                "resource",
                "resources"
            ),
        ));
    }
    out
}

/// The findings as a table, worst first.
pub fn render_findings(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "Policy rules: no findings\n".into();
    }
    let mut out = format!(
        "Policy rules: {}\n",
        plural(findings.len(), "finding", "findings")
    );
    out.push_str(&table(
        &["SEVERITY", "RULE", "RESOURCE", "PROPERTY", "MESSAGE"],
        &findings
            .iter()
            .map(|f| {
                vec![
                    f.severity.to_string(),
                    f.rule.clone(),
                    f.resource.clone(),
                    f.property.clone(),
                    f.message.clone(),
                ]
            })
            .collect::<Vec<_>>(),
    ));
    out
}
