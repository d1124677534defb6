//! Security groups whose default is least privilege: nothing comes in until a rule names a
//! port and a source, and "all traffic from anywhere" is refused outright. The one
//! implementation every construct builds its groups with.

use cloudwright_core::{Construct, Error as CoreError, Handle, Scope, Str, Value};
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

/// A rule's protocol and, unless every protocol, its port range.
type ProtocolPorts = (&'static str, Option<(i64, i64)>);

impl Port {
    /// The protocol and port range; `AllTraffic` has no ports (`-1`, ports ignored by EC2).
    fn parts(self) -> Result<ProtocolPorts, Error> {
        let (p, from, to) = self.range()?;
        Ok((p, (p != "-1").then_some((from, to))))
    }

    fn range(self) -> Result<(&'static str, i64, i64), Error> {
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

/// The address family of a CIDR block literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CidrFamily {
    /// `10.0.0.0/16`.
    Ipv4,
    /// `2001:db8::/56`.
    Ipv6,
}

/// A literal CIDR block, parsed: its family and prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CidrLiteral {
    /// IPv4 or IPv6.
    pub family: CidrFamily,
    /// The prefix length.
    pub prefix: u8,
}

impl CidrLiteral {
    /// Whether the block is every address of its family: a prefix length of 0, whatever the
    /// address bits (`0.0.0.0/0`, `::/0`, and `10.0.0.0/0` alike).
    pub fn is_open(self) -> bool {
        self.prefix == 0
    }
}

/// Checks a CIDR block: a literal must parse (`address/prefix`, IPv4 or IPv6); an intrinsic
/// (`Fn::GetAtt Vpc.CidrBlock`, an import) is taken as it is (`Ok(None)`).
///
/// ```
/// use cloudwright_core::Value;
/// use cloudwright_network::{CidrFamily, check_cidr};
/// let open = check_cidr(&Value::from("10.0.0.0/0"))?.map(|c| c.is_open());
/// assert_eq!(open, Some(true));
/// assert_eq!(check_cidr(&Value::from("::/0"))?.map(|c| c.family), Some(CidrFamily::Ipv6));
/// assert!(check_cidr(&Value::from("10.0.0.0")).is_err());
/// # Ok::<(), cloudwright_network::Error>(())
/// ```
pub fn check_cidr(cidr: &Value) -> Result<Option<CidrLiteral>, Error> {
    let Some(text) = cidr.as_str() else {
        return if cidr.is_literal() {
            Err(Error::InvalidCidr {
                cidr: cidr.to_string(),
                reason: "a CIDR block must be a string".into(),
            })
        } else {
            Ok(None)
        };
    };
    if !text.contains('/') {
        return Err(Error::InvalidCidr {
            cidr: text.to_owned(),
            reason: "expected address/prefix, e.g. 10.0.0.0/16".into(),
        });
    }
    let net: ipnet::IpNet = text.parse().map_err(|e| Error::InvalidCidr {
        cidr: text.to_owned(),
        reason: format!("{e}"),
    })?;
    Ok(Some(CidrLiteral {
        family: match net {
            ipnet::IpNet::V4(_) => CidrFamily::Ipv4,
            ipnet::IpNet::V6(_) => CidrFamily::Ipv6,
        },
        prefix: net.prefix_len(),
    }))
}

/// Where traffic may come from (or, for egress, go to).
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// A CIDR block: a literal of either family (rendered as `CidrIp` or `CidrIpv6` by what it
    /// is), an intrinsic taken as IPv4.
    Cidr(Value),
    /// An IPv6 CIDR given by an intrinsic (a literal may use [`Source::Cidr`]).
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
/// dependency cycle. Literal CIDR blocks are checked when the group is built; a block with a
/// prefix length of 0 is open (everyone): refused with every protocol and port, and
/// refused altogether by a group built with [`SecurityGroup::refuse_open_ingress`].
#[derive(Clone, Debug)]
pub struct SecurityGroup {
    vpc_id: Value,
    description: String,
    ingress: Vec<Rule>,
    egress: Option<Vec<Rule>>,
    refuse_open_ingress: bool,
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
    pub fn id(&self) -> Str {
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
            refuse_open_ingress: false,
        }
    }

    /// Refuses ingress from an open block on any port (for what sits behind a load
    /// balancer or is internal only).
    pub fn refuse_open_ingress(mut self) -> Self {
        self.refuse_open_ingress = true;
        self
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

    /// Replaces "all outbound traffic" with only these rules (to CIDR blocks: literals of
    /// either family, intrinsics taken as IPv4). No rule at all closes outbound traffic.
    pub fn restrict_outbound<V: Into<Value>, D: Into<String>>(
        mut self,
        rules: impl IntoIterator<Item = (Port, V, D)>,
    ) -> Self {
        self.egress = Some(
            rules
                .into_iter()
                .map(|(port, cidr, d)| Rule {
                    port,
                    source: Source::Cidr(cidr.into()),
                    description: d.into(),
                })
                .collect(),
        );
        self
    }

    fn check(&self, path: &str) -> Result<(), Error> {
        for r in self.ingress.iter().chain(self.egress.iter().flatten()) {
            r.port.parts()?;
            if let Source::Cidr(v) | Source::CidrIpv6(v) = &r.source {
                check_cidr(v)?;
            }
        }
        for r in &self.ingress {
            let (Source::Cidr(v) | Source::CidrIpv6(v)) = &r.source else {
                continue;
            };
            if check_cidr(v)?.is_some_and(CidrLiteral::is_open) {
                let cidr = v.as_str().unwrap_or_default().to_owned();
                if self.refuse_open_ingress {
                    return Err(Error::OpenIngress {
                        group: path.to_owned(),
                        cidr,
                    });
                }
                if r.port == Port::AllTraffic {
                    return Err(Error::OpenToTheWorld {
                        group: path.to_owned(),
                        cidr,
                    });
                }
            }
        }
        Ok(())
    }

    /// Builds the group directly in `scope` (not as a child construct): the group's id is
    /// `id`, and rules from other groups are `<id>IngressFromGroup<n>`. For constructs that
    /// keep the logical id their group always had.
    pub fn add_to(self, scope: &mut Scope<'_>, id: &str) -> Result<SecurityGroupOutput, CoreError> {
        self.build_as(scope, id, id)
    }

    fn build_as(
        self,
        scope: &mut Scope<'_>,
        group_id: &str,
        rule_prefix: &str,
    ) -> Result<SecurityGroupOutput, CoreError> {
        let path = if scope.path().is_empty() {
            format!("{}/{group_id}", scope.stack_id())
        } else {
            format!("{}/{}", scope.stack_id(), scope.path())
        };
        self.check(&path)?;
        let (inline, by_group): (Vec<&Rule>, Vec<&Rule>) = self
            .ingress
            .iter()
            .partition(|r| !matches!(r.source, Source::Group(_)));
        let mut group =
            ec2::SecurityGroup::new(self.description.clone()).vpc_id(self.vpc_id.clone());
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
                    ec2::security_group::Egress::new("icmp")
                        .cidr_ip("255.255.255.255/32")
                        .from_port(252)
                        .to_port(86)
                        .description("Disallow all traffic"),
                );
            }
            group = group.security_group_egress(rules);
        }
        let handle = scope.add(group_id, group)?;
        let mut group_rules = Vec::new();
        for (i, r) in by_group.iter().enumerate() {
            let (protocol, ports) = r.port.parts()?;
            let Source::Group(source) = &r.source else {
                continue;
            };
            let mut rule = ec2::SecurityGroupIngress::new(protocol)
                .group_id(handle.group_id())
                .source_security_group_id(source.clone())
                .description(r.description.clone());
            if let Some((from, to)) = ports {
                rule = rule.from_port(from).to_port(to);
            }
            group_rules.push(scope.add(&format!("{rule_prefix}IngressFromGroup{}", i + 1), rule)?);
        }
        Ok(SecurityGroupOutput {
            group: handle,
            group_rules,
        })
    }
}

/// Whether a CIDR value is an IPv6 literal.
fn is_ipv6_literal(v: &Value) -> bool {
    matches!(
        check_cidr(v),
        Ok(Some(CidrLiteral {
            family: CidrFamily::Ipv6,
            ..
        }))
    )
}

fn inline_rule(r: &Rule) -> Result<ec2::security_group::Ingress, Error> {
    let (protocol, ports) = r.port.parts()?;
    let mut rule = ec2::security_group::Ingress::new(protocol).description(r.description.clone());
    if let Some((from, to)) = ports {
        rule = rule.from_port(from).to_port(to);
    }
    rule = match &r.source {
        Source::Cidr(c) if is_ipv6_literal(c) => rule.cidr_ipv6(c.clone()),
        Source::Cidr(c) => rule.cidr_ip(c.clone()),
        Source::CidrIpv6(c) => rule.cidr_ipv6(c.clone()),
        Source::Group(g) => rule.source_security_group_id(g.clone()),
    };
    Ok(rule)
}

fn egress_rule(r: &Rule) -> Result<ec2::security_group::Egress, Error> {
    let (protocol, ports) = r.port.parts()?;
    let mut rule = ec2::security_group::Egress::new(protocol).description(r.description.clone());
    if let Some((from, to)) = ports {
        rule = rule.from_port(from).to_port(to);
    }
    rule = match &r.source {
        Source::Cidr(c) if is_ipv6_literal(c) => rule.cidr_ipv6(c.clone()),
        Source::Cidr(c) => rule.cidr_ip(c.clone()),
        Source::CidrIpv6(c) => rule.cidr_ipv6(c.clone()),
        Source::Group(g) => rule.destination_security_group_id(g.clone()),
    };
    Ok(rule)
}

impl Construct for SecurityGroup {
    type Output = SecurityGroupOutput;
    fn build(self, scope: &mut Scope<'_>) -> Result<SecurityGroupOutput, CoreError> {
        self.build_as(scope, "Group", "")
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

    #[test]
    fn an_open_block_is_any_block_of_prefix_length_zero() {
        // the rule both former implementations disagreed on: `10.0.0.0/0` is everyone too
        for open in ["0.0.0.0/0", "::/0", "10.0.0.0/0", "2001:db8::/0"] {
            let sg =
                SecurityGroup::new("vpc-1", "x").allow_from_cidr(Port::AllTraffic, open, "bad");
            assert!(
                matches!(sg.check("S/G"), Err(Error::OpenToTheWorld { .. })),
                "{open}"
            );
            let sg = SecurityGroup::new("vpc-1", "x")
                .refuse_open_ingress()
                .allow_from_cidr(Port::Tcp(80), open, "bad");
            assert_eq!(
                sg.check("S/G"),
                Err(Error::OpenIngress {
                    group: "S/G".into(),
                    cidr: open.into()
                }),
                "{open}"
            );
        }
        for closed in ["10.0.0.0/8", "0.0.0.0/1", "2001:db8::/56", "10.1.2.3/32"] {
            let sg = SecurityGroup::new("vpc-1", "x")
                .refuse_open_ingress()
                .allow_from_cidr(Port::AllTraffic, closed, "ok");
            assert_eq!(sg.check("S/G"), Ok(()), "{closed}");
        }
    }

    #[test]
    fn cidr_literals_are_checked_and_intrinsics_pass() {
        for bad in [
            "10.0.0.0",
            "10.0.0/16",
            "10.0.0.0/33",
            "x/8",
            "2001:db8::/129",
            "10.0.0.0/x",
        ] {
            assert!(
                matches!(
                    check_cidr(&Value::from(bad)),
                    Err(Error::InvalidCidr { .. })
                ),
                "{bad}"
            );
        }
        assert_eq!(check_cidr(&Value::get_att("Vpc", "CidrBlock")), Ok(None));
        assert!(check_cidr(&Value::from(16)).is_err());
        let sg = SecurityGroup::new("vpc-1", "x").allow_from_cidr(Port::Tcp(1), "10.0.0.0", "bad");
        assert!(matches!(sg.check("S/G"), Err(Error::InvalidCidr { .. })));
    }
}
