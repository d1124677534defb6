//! Security groups whose default is least privilege: nothing comes in until a rule names a
//! port and a source, and "all traffic from anywhere" is refused outright.

use cloudwright_core::{Construct, Error as CoreError, Handle, Scope, Value};
use cloudwright_resources::ec2;

use crate::error::Error;
use crate::vpc::Vpc;

/// A protocol and port range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Port {
    /// One TCP port.
    Tcp(u16),
    /// A TCP port range, inclusive.
    TcpRange(u16, u16),
    /// One UDP port.
    Udp(u16),
    /// A UDP port range, inclusive.
    UdpRange(u16, u16),
    /// Every protocol and port. Refused from `0.0.0.0/0` and `::/0`.
    AllTraffic,
}

impl Port {
    fn parts(self) -> Result<(&'static str, i64, i64), Error> {
        let range = |p, a: u16, b: u16| {
            if a > b {
                Err(Error::EmptyPortRange { from: a, to: b })
            } else {
                Ok((p, i64::from(a), i64::from(b)))
            }
        };
        match self {
            Port::Tcp(p) => range("tcp", p, p),
            Port::TcpRange(a, b) => range("tcp", a, b),
            Port::Udp(p) => range("udp", p, p),
            Port::UdpRange(a, b) => range("udp", a, b),
            Port::AllTraffic => Ok(("-1", -1, -1)),
        }
    }
}

/// Where traffic may come from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// An IPv4 CIDR.
    Cidr(Value),
    /// An IPv6 CIDR.
    CidrIpv6(Value),
    /// Another security group, by id.
    Group(Value),
}

#[derive(Clone, Debug, PartialEq)]
struct Rule {
    port: Port,
    source: Source,
    description: String,
}

/// A security group. By default no inbound traffic is admitted and all outbound traffic is
/// (as CloudFormation's own default); [`SecurityGroup::restrict_outbound`] narrows that.
///
/// Rules from CIDRs are inline; rules from other security groups are separate
/// `AWS::EC2::SecurityGroupIngress` resources, so two groups may admit each other without a
/// dependency cycle.
#[derive(Clone, Debug)]
pub struct SecurityGroup {
    vpc_id: Value,
    description: String,
    ingress: Vec<Rule>,
    egress: Option<Vec<Rule>>,
}

/// What [`SecurityGroup`] made.
#[derive(Clone, Debug)]
pub struct SecurityGroupOutput {
    /// The group.
    pub group: Handle<ec2::SecurityGroup>,
    /// The ingress rules from other groups.
    pub group_rules: Vec<Handle<ec2::SecurityGroupIngress>>,
}

impl SecurityGroupOutput {
    /// The group's id.
    pub fn id(&self) -> Value {
        self.group.group_id()
    }
}

impl SecurityGroup {
    /// A group in `vpc_id` that admits nothing.
    pub fn new(vpc_id: impl Into<Value>, description: impl Into<String>) -> Self {
        SecurityGroup {
            vpc_id: vpc_id.into(),
            description: description.into(),
            ingress: Vec::new(),
            egress: None,
        }
    }

    /// Admits `port` from `source`.
    pub fn allow(mut self, port: Port, source: Source, description: impl Into<String>) -> Self {
        self.ingress.push(Rule {
            port,
            source,
            description: description.into(),
        });
        self
    }

    /// Admits `port` from an IPv4 CIDR.
    pub fn allow_from_cidr(
        self,
        port: Port,
        cidr: impl Into<Value>,
        description: impl Into<String>,
    ) -> Self {
        self.allow(port, Source::Cidr(cidr.into()), description)
    }

    /// Admits `port` from an IPv6 CIDR.
    pub fn allow_from_ipv6_cidr(
        self,
        port: Port,
        cidr: impl Into<Value>,
        description: impl Into<String>,
    ) -> Self {
        self.allow(port, Source::CidrIpv6(cidr.into()), description)
    }

    /// Admits `port` from members of another security group.
    pub fn allow_from_group(
        self,
        port: Port,
        group_id: impl Into<Value>,
        description: impl Into<String>,
    ) -> Self {
        self.allow(port, Source::Group(group_id.into()), description)
    }

    /// Admits `port` from every CIDR block of the VPC (IPv4 and IPv6 known at synthesis).
    pub fn allow_from_vpc(mut self, port: Port, vpc: &Vpc, description: &str) -> Self {
        for b in vpc.ipv4_blocks() {
            self = self.allow_from_cidr(port, b.to_string(), description);
        }
        for b in vpc.ipv6_blocks() {
            self = self.allow_from_ipv6_cidr(port, b.to_string(), description);
        }
        self
    }

    /// Replaces "all outbound traffic" with only these rules (to IPv4 CIDRs).
    pub fn restrict_outbound<V: Into<Value>>(
        mut self,
        rules: impl IntoIterator<Item = (Port, V, &'static str)>,
    ) -> Self {
        self.egress = Some(
            rules
                .into_iter()
                .map(|(port, cidr, d)| Rule {
                    port,
                    source: Source::Cidr(cidr.into()),
                    description: d.to_owned(),
                })
                .collect(),
        );
        self
    }

    fn check(&self, path: &str) -> Result<(), Error> {
        for r in self.ingress.iter().chain(self.egress.iter().flatten()) {
            r.port.parts()?;
        }
        for r in &self.ingress {
            let open = match &r.source {
                Source::Cidr(v) => v.as_str() == Some("0.0.0.0/0"),
                Source::CidrIpv6(v) => v.as_str() == Some("::/0"),
                Source::Group(_) => false,
            };
            if open && r.port == Port::AllTraffic {
                let (Source::Cidr(v) | Source::CidrIpv6(v) | Source::Group(v)) = &r.source;
                return Err(Error::OpenToTheWorld {
                    group: path.to_owned(),
                    cidr: v.as_str().unwrap_or_default().to_owned(),
                });
            }
        }
        Ok(())
    }
}

fn inline_rule(r: &Rule) -> Result<ec2::security_group::Ingress, Error> {
    let (protocol, from, to) = r.port.parts()?;
    let mut rule = ec2::security_group::Ingress::new(ec2::security_group::IngressRequired {
        ip_protocol: protocol.into(),
    })
    .from_port(from)
    .to_port(to)
    .description(r.description.clone());
    rule = match &r.source {
        Source::Cidr(c) => rule.cidr_ip(c.clone()),
        Source::CidrIpv6(c) => rule.cidr_ipv6(c.clone()),
        Source::Group(g) => rule.source_security_group_id(g.clone()),
    };
    Ok(rule)
}

fn egress_rule(r: &Rule) -> Result<ec2::security_group::Egress, Error> {
    let (protocol, from, to) = r.port.parts()?;
    let mut rule = ec2::security_group::Egress::new(ec2::security_group::EgressRequired {
        ip_protocol: protocol.into(),
    })
    .from_port(from)
    .to_port(to)
    .description(r.description.clone());
    rule = match &r.source {
        Source::Cidr(c) => rule.cidr_ip(c.clone()),
        Source::CidrIpv6(c) => rule.cidr_ipv6(c.clone()),
        Source::Group(g) => rule.destination_security_group_id(g.clone()),
    };
    Ok(rule)
}

impl Construct for SecurityGroup {
    type Output = SecurityGroupOutput;
    fn build(self, scope: &mut Scope<'_>) -> Result<SecurityGroupOutput, CoreError> {
        let path = format!("{}/{}", scope.stack_id(), scope.path());
        self.check(&path)?;
        let (inline, by_group): (Vec<&Rule>, Vec<&Rule>) = self
            .ingress
            .iter()
            .partition(|r| !matches!(r.source, Source::Group(_)));
        let mut group = ec2::SecurityGroup::new(ec2::SecurityGroupRequired {
            group_description: self.description.clone().into(),
        })
        .vpc_id(self.vpc_id.clone());
        if !inline.is_empty() {
            let rules = inline
                .iter()
                .map(|r| inline_rule(r))
                .collect::<Result<Vec<_>, _>>()?;
            group = group.security_group_ingress(rules);
        }
        if let Some(egress) = &self.egress {
            let mut rules = egress
                .iter()
                .map(egress_rule)
                .collect::<Result<Vec<_>, _>>()?;
            if rules.is_empty() {
                // CloudFormation adds "allow all" when no egress rule is given; a rule that
                // matches nothing keeps the group closed (the CDK does the same)
                rules.push(
                    ec2::security_group::Egress::new(ec2::security_group::EgressRequired {
                        ip_protocol: "icmp".into(),
                    })
                    .cidr_ip("255.255.255.255/32")
                    .from_port(252)
                    .to_port(86)
                    .description("Disallow all traffic"),
                );
            }
            group = group.security_group_egress(rules);
        }
        let handle = scope.add("Group", group)?;
        let mut group_rules = Vec::new();
        for (i, r) in by_group.iter().enumerate() {
            let (protocol, from, to) = r.port.parts()?;
            let Source::Group(source) = &r.source else {
                continue;
            };
            group_rules.push(
                scope.add(
                    &format!("IngressFromGroup{}", i + 1),
                    ec2::SecurityGroupIngress::new(ec2::SecurityGroupIngressRequired {
                        ip_protocol: protocol.into(),
                    })
                    .group_id(handle.group_id())
                    .source_security_group_id(source.clone())
                    .from_port(from)
                    .to_port(to)
                    .description(r.description.clone()),
                )?,
            );
        }
        Ok(SecurityGroupOutput {
            group: handle,
            group_rules,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_traffic_from_anywhere_is_refused() {
        let sg =
            SecurityGroup::new("vpc-1", "x").allow_from_cidr(Port::AllTraffic, "0.0.0.0/0", "bad");
        assert!(matches!(sg.check("S/G"), Err(Error::OpenToTheWorld { .. })));
        let sg =
            SecurityGroup::new("vpc-1", "x").allow_from_ipv6_cidr(Port::AllTraffic, "::/0", "bad");
        assert!(sg.check("S/G").is_err());
        let sg =
            SecurityGroup::new("vpc-1", "x").allow_from_cidr(Port::Tcp(443), "0.0.0.0/0", "https");
        assert!(sg.check("S/G").is_ok());
        let sg = SecurityGroup::new("vpc-1", "x").allow_from_cidr(
            Port::TcpRange(9, 1),
            "10.0.0.0/8",
            "r",
        );
        assert!(matches!(sg.check("S/G"), Err(Error::EmptyPortRange { .. })));
    }
}
