//! The one error type of the network constructs.

use crate::cidr;

impl From<Error> for cloudwright_core::Error {
    /// Lets `?` turn a network error into the core error; the scope that built the construct
    /// adds its path.
    fn from(e: Error) -> Self {
        cloudwright_core::Error::construct(e)
    }
}

impl From<cidr::Error> for cloudwright_core::Error {
    fn from(e: cidr::Error) -> Self {
        cloudwright_core::Error::construct(Error::from(e))
    }
}

/// What the network constructs reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// CIDR allocation failed (no room, prefix out of range, ...).
    #[error(transparent)]
    Cidr(#[from] cidr::Error),
    /// A subnet's CIDR could not be allocated: the allocator's error, with the subnet named.
    #[error("cannot allocate a CIDR for subnet `{subnet}`: {source}")]
    SubnetCidr {
        /// The subnet's construct id, e.g. `PrivateSubnet1`.
        subnet: String,
        /// What the allocator said.
        #[source]
        source: cidr::Error,
    },
    /// A CIDR in the VPC's context value is not a CIDR.
    #[error("context key `{key}`: `{field}` is `{value}`, which is not a valid CIDR ({reason})")]
    MalformedContextCidr {
        /// The context key.
        key: String,
        /// The field inside the value, e.g. `subnets[2].cidrBlock`.
        field: String,
        /// The offending text.
        value: String,
        /// What the parser said.
        reason: String,
    },
    /// A new VPC's IPv4 block is not an IPv4 CIDR.
    #[error("the VPC block `{cidr}` is not an IPv4 CIDR ({reason})")]
    InvalidVpcCidr {
        /// The text given.
        cidr: String,
        /// What the parser said.
        reason: String,
    },
    /// A value in the VPC's context does not have the form its CloudFormation property takes
    /// (the same check synthesis applies to literals, made where the value enters).
    #[error("context key `{key}`: `{field}` is {value}, which is not {expected}")]
    ContextValue {
        /// The context key.
        key: String,
        /// The field inside the value, e.g. `vpcId` or `subnets[2].subnetId`.
        field: String,
        /// The offending value as JSON, shortened.
        value: String,
        /// What it must be: `format AWS::EC2::VPC.Id` (`vpc-` and 8 or 17 hex digits).
        expected: String,
    },
    /// The VPC's context value is unusable for another reason.
    #[error("context key `{key}`: {message}")]
    InvalidVpcContext {
        /// The context key.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// More availability zones were asked for than the VPC's region offers (per the context).
    #[error(
        "{asked} availability zones were asked for, but the VPC has only {available} ({names})"
    )]
    NotEnoughAzs {
        /// How many were asked for.
        asked: usize,
        /// How many there are.
        available: usize,
        /// Their names.
        names: String,
    },
    /// Zero availability zones, or more than the construct supports.
    #[error("availability zone count must be between 1 and {max}, got {got}")]
    AzCount {
        /// What was asked for.
        got: usize,
        /// The most supported.
        max: usize,
    },
    /// A NAT strategy name that does not exist.
    #[error(
        "unknown NAT strategy `{0}`: use `per-az` (one NAT gateway per availability zone), `single` (one shared) or `none`"
    )]
    UnknownNatStrategy(String),
    /// Public subnets need an internet gateway.
    #[error(
        "public subnets need an internet gateway, and VPC `{vpc}` has none in the context; attach one, or ask for private subnets only"
    )]
    NoInternetGateway {
        /// The VPC id.
        vpc: String,
    },
    /// Private subnets routed through NAT gateways need public subnets to hold them.
    #[error(
        "NAT gateways live in public subnets: with NAT strategy `{strategy}` the public tier must be present"
    )]
    NatWithoutPublicSubnets {
        /// The strategy asked for.
        strategy: String,
    },
    /// IPv6 subnets asked for in a VPC with no IPv6 block.
    #[error("IPv6 subnets were asked for, but the VPC has no IPv6 CIDR block")]
    NoIpv6Block,
    /// A security group rule that would open every protocol and port to the internet.
    #[error(
        "security group `{group}`: all traffic from `{cidr}` would open every port to the internet; name the ports instead"
    )]
    OpenToTheWorld {
        /// The group's construct path.
        group: String,
        /// The source CIDR.
        cidr: String,
    },
    /// Ingress from an open block into a group that refuses it
    /// ([`SecurityGroup::refuse_open_ingress`](crate::SecurityGroup::refuse_open_ingress)).
    #[error(
        "security group `{group}`: ingress from `{cidr}` would admit anyone; admit only the load balancer's traffic (the VPC's CIDR blocks for an NLB, or the load balancer's security group)"
    )]
    OpenIngress {
        /// The group's construct path.
        group: String,
        /// The source CIDR.
        cidr: String,
    },
    /// A CIDR block that is not one.
    #[error("invalid CIDR block `{cidr}`: {reason}")]
    InvalidCidr {
        /// The block as given.
        cidr: String,
        /// What is wrong.
        reason: String,
    },
    /// A gateway endpoint with no route table to attach to.
    #[error(
        "the {service} gateway endpoint has no route table to attach to: pass subnets made by `Subnets`, or give imported subnets their route tables with `SubnetGroup::with_route_tables`"
    )]
    NoRouteTables {
        /// `s3` or `dynamodb`.
        service: &'static str,
    },
    /// A port range whose start is after its end.
    #[error("port range {from}-{to} is empty")]
    EmptyPortRange {
        /// The first port.
        from: u16,
        /// The last port.
        to: u16,
    },
}
