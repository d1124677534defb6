//! Subnets in tiers across availability zones, with their CIDRs from the allocator and the
//! routing each tier needs.

use std::fmt;
use std::str::FromStr;

use cloudwright_core::{
    Construct, DepTarget, Dependable, Error as CoreError, Exception, Handle, ResourceRef, Scope,
    Value,
};
use cloudwright_resources::ec2;
use ipnet::IpNet;

use crate::cidr::{CidrAllocator, Request, Strategy};
use crate::error::Error;
use crate::routing::{Routing, RoutingOutput};
use crate::vpc::Vpc;

/// The most availability zones a [`Subnets`] construct spreads over.
pub const MAX_AZS: usize = 16;

/// A subnet tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    /// Routed to the internet gateway; instances may get public IPs. Holds NAT gateways.
    Public,
    /// Routed out through a NAT gateway; nothing inside is reachable from the internet.
    Private,
    /// No route out of the VPC at all.
    Isolated,
}

impl Tier {
    /// The tier's name in construct ids (`Public`, `Private`, `Isolated`).
    pub fn name(self) -> &'static str {
        match self {
            Tier::Public => "Public",
            Tier::Private => "Private",
            Tier::Isolated => "Isolated",
        }
    }
}

/// How private subnets reach the internet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NatStrategy {
    /// One NAT gateway per availability zone; each private subnet uses its own zone's (no
    /// cross-zone dependency: a zone failure takes out only that zone).
    #[default]
    PerAz,
    /// One NAT gateway shared by every private subnet (cheaper, one zone's failure cuts all).
    Single,
    /// No NAT gateway: private subnets have no route out.
    None,
}

impl FromStr for NatStrategy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "per-az" => Ok(NatStrategy::PerAz),
            "single" => Ok(NatStrategy::Single),
            "none" => Ok(NatStrategy::None),
            other => Err(Error::UnknownNatStrategy(other.to_owned())),
        }
    }
}

impl fmt::Display for NatStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NatStrategy::PerAz => "per-az",
            NatStrategy::Single => "single",
            NatStrategy::None => "none",
        })
    }
}

/// One subnet made by [`Subnets`].
#[derive(Clone, Debug)]
pub struct Subnet {
    /// The subnet resource.
    pub handle: Handle<ec2::Subnet>,
    /// Its tier.
    pub tier: Tier,
    /// Its availability zone (`Fn::Select` of `Fn::GetAZs`, or a pinned name).
    pub availability_zone: Value,
    /// The zone's name when the context or a pin tells it.
    pub availability_zone_name: Option<String>,
    /// Its IPv4 CIDR, allocated at synthesis.
    pub cidr: IpNet,
    /// Its IPv6 CIDR, when the subnets are dual-stack.
    pub ipv6_cidr: Option<Value>,
    /// What traffic from the subnet needs before it flows: the route table association and
    /// the routes out (to the NAT gateway, the internet gateway or, for IPv6 from a private
    /// subnet, the egress-only internet gateway).
    pub routes: Vec<ResourceRef>,
    /// Its route table's id (`Ref`), once routing is built.
    pub route_table: Option<Value>,
}

impl Subnet {
    /// `{"Ref": subnet}`: the subnet id.
    pub fn id(&self) -> Value {
        self.handle.r#ref()
    }
}

/// Subnets to place something in, passed whole: the VPC they are in, the subnets' ids and
/// IPv4 blocks, and (as a [`Dependable`]) the routes their traffic needs, so what is placed
/// in them is created after its way out exists.
///
/// [`SubnetsOutput::private`] (or `public`, `isolated`) gives one; [`SubnetGroup::imported`]
/// describes subnets made elsewhere.
///
/// ```
/// use cloudwright_core::Dependable;
/// use cloudwright_network::SubnetGroup;
///
/// let group = SubnetGroup::imported(
///     "vpc-0123456789abcdef0",
///     [("subnet-0000000a", "10.0.1.0/24"), ("subnet-0000000b", "10.0.2.0/24")],
/// );
/// assert_eq!(group.ids().len(), 2);
/// assert_eq!(group.ipv4_cidrs()[1], "10.0.2.0/24".into());
/// assert!(group.dependency_targets().is_empty()); // nothing of ours to wait for
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SubnetGroup {
    vpc_id: Value,
    ids: Vec<Value>,
    ipv4_cidrs: Vec<Value>,
    routes: Vec<ResourceRef>,
    route_tables: Vec<Value>,
}

impl SubnetGroup {
    /// Subnets made elsewhere, by id with their IPv4 blocks (which security groups admit
    /// traffic from), in the VPC `vpc_id`.
    pub fn imported<I: Into<Value>, C: Into<Value>>(
        vpc_id: impl Into<Value>,
        subnets: impl IntoIterator<Item = (I, C)>,
    ) -> Self {
        let (ids, ipv4_cidrs) = subnets
            .into_iter()
            .map(|(i, c)| (i.into(), c.into()))
            .unzip();
        SubnetGroup {
            vpc_id: vpc_id.into(),
            ids,
            ipv4_cidrs,
            routes: Vec::new(),
            route_tables: Vec::new(),
        }
    }

    /// The route tables of subnets made elsewhere, by id (gateway endpoints attach to them).
    pub fn with_route_tables<V: Into<Value>>(mut self, ids: impl IntoIterator<Item = V>) -> Self {
        self.route_tables = ids.into_iter().map(Into::into).collect();
        self
    }

    fn of(vpc: &Vpc, subnets: &[Subnet]) -> Self {
        SubnetGroup {
            vpc_id: vpc.id(),
            ids: subnets.iter().map(Subnet::id).collect(),
            ipv4_cidrs: subnets
                .iter()
                .map(|s| Value::from(s.cidr.to_string()))
                .collect(),
            routes: subnets.iter().flat_map(|s| s.routes.clone()).collect(),
            route_tables: {
                let mut tables: Vec<Value> = Vec::new();
                for t in subnets.iter().filter_map(|s| s.route_table.clone()) {
                    if !tables.contains(&t) {
                        tables.push(t);
                    }
                }
                tables
            },
        }
    }

    /// The subnets' route tables (each once), in zone order.
    pub fn route_table_ids(&self) -> &[Value] {
        &self.route_tables
    }

    /// The VPC's id.
    pub fn vpc_id(&self) -> &Value {
        &self.vpc_id
    }

    /// The subnets' ids, in zone order.
    pub fn ids(&self) -> &[Value] {
        &self.ids
    }

    /// The subnets' IPv4 blocks, in zone order.
    pub fn ipv4_cidrs(&self) -> &[Value] {
        &self.ipv4_cidrs
    }

    /// Whether the group has no subnet.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

impl Dependable for SubnetGroup {
    /// The routes the subnets' traffic needs (route table associations, default routes).
    fn dependency_targets(&self) -> Vec<DepTarget> {
        self.routes.dependency_targets()
    }
}

/// Public, private and (optionally) isolated subnets in N availability zones of a [`Vpc`],
/// CIDRs allocated beside the subnets that exist, with routing.
///
/// Requests are allocated private tier first, then public, then isolated, zone by zone (the
/// order of the original architecture), first fit at the lowest free address.
#[derive(Clone, Debug)]
pub struct Subnets {
    vpc: Vpc,
    azs: usize,
    public_prefix: Option<u8>,
    private_prefix: Option<u8>,
    isolated_prefix: Option<u8>,
    nat: NatStrategy,
    ipv6: bool,
    strategy: Strategy,
    pinned_azs: Vec<String>,
}

/// What [`Subnets`] made.
#[derive(Clone, Debug)]
pub struct SubnetsOutput {
    /// The VPC.
    pub vpc: Vpc,
    /// Public subnets, one per zone.
    pub public: Vec<Subnet>,
    /// Private subnets, one per zone.
    pub private: Vec<Subnet>,
    /// Isolated subnets, one per zone.
    pub isolated: Vec<Subnet>,
    /// Route tables and NAT gateways.
    pub routing: RoutingOutput,
}

impl SubnetsOutput {
    /// The private subnets, to place services and internal load balancers in.
    pub fn private(&self) -> SubnetGroup {
        SubnetGroup::of(&self.vpc, &self.private)
    }

    /// The public subnets.
    pub fn public(&self) -> SubnetGroup {
        SubnetGroup::of(&self.vpc, &self.public)
    }

    /// The isolated subnets.
    pub fn isolated(&self) -> SubnetGroup {
        SubnetGroup::of(&self.vpc, &self.isolated)
    }
}

impl Subnets {
    /// Two zones, a public and a private /24 in each, a NAT gateway per zone.
    pub fn new(vpc: Vpc) -> Self {
        Subnets {
            vpc,
            azs: 2,
            public_prefix: Some(24),
            private_prefix: Some(24),
            isolated_prefix: None,
            nat: NatStrategy::PerAz,
            ipv6: false,
            strategy: Strategy::InOrder,
            pinned_azs: Vec::new(),
        }
    }

    /// Names the availability zones instead of selecting them by index with `Fn::GetAZs`
    /// (which lists a region's zones in alphabetical order, the order the VPC lookup records).
    /// Pinned names make the template region-specific.
    pub fn pin_availability_zones<S: Into<String>>(
        mut self,
        zones: impl IntoIterator<Item = S>,
    ) -> Self {
        self.pinned_azs = zones.into_iter().map(Into::into).collect();
        self
    }

    /// How many availability zones to spread over.
    pub fn availability_zones(mut self, count: usize) -> Self {
        self.azs = count;
        self
    }

    /// The public tier's prefix length (default /24).
    pub fn public_prefix(mut self, prefix: u8) -> Self {
        self.public_prefix = Some(prefix);
        self
    }

    /// No public tier (and so no NAT gateways: use [`NatStrategy::None`] with it).
    pub fn without_public(mut self) -> Self {
        self.public_prefix = None;
        self
    }

    /// The private tier's prefix length (default /24).
    pub fn private_prefix(mut self, prefix: u8) -> Self {
        self.private_prefix = Some(prefix);
        self
    }

    /// No private tier.
    pub fn without_private(mut self) -> Self {
        self.private_prefix = None;
        self
    }

    /// Adds an isolated tier (no route out of the VPC) with this prefix length.
    pub fn isolated_prefix(mut self, prefix: u8) -> Self {
        self.isolated_prefix = Some(prefix);
        self
    }

    /// How private subnets reach the internet.
    pub fn nat(mut self, nat: NatStrategy) -> Self {
        self.nat = nat;
        self
    }

    /// Gives every subnet an IPv6 /64 too (the VPC must have an IPv6 block). Public subnets
    /// route `::/0` to the internet gateway; private subnets route it to one egress-only
    /// internet gateway of the VPC (outbound only, as a NAT gateway is for IPv4); isolated
    /// subnets have no route out.
    pub fn dual_stack(mut self) -> Self {
        self.ipv6 = true;
        self
    }

    /// Allocates the batch largest-first, to reduce fragmentation.
    pub fn largest_first(mut self) -> Self {
        self.strategy = Strategy::LargestFirst;
        self
    }

    fn plan(&self) -> Result<Vec<(Tier, usize, u8)>, Error> {
        if self.azs == 0 || self.azs > MAX_AZS {
            return Err(Error::AzCount {
                got: self.azs,
                max: MAX_AZS,
            });
        }
        let zones = self.zone_names();
        if !zones.is_empty() && zones.len() < self.azs {
            return Err(Error::NotEnoughAzs {
                asked: self.azs,
                available: zones.len(),
                names: zones.join(", "),
            });
        }
        if self.public_prefix.is_some() && self.vpc.internet_gateway.is_none() {
            return Err(Error::NoInternetGateway {
                vpc: self.vpc.id.to_string(),
            });
        }
        if self.nat != NatStrategy::None
            && self.private_prefix.is_some()
            && self.public_prefix.is_none()
        {
            return Err(Error::NatWithoutPublicSubnets {
                strategy: self.nat.to_string(),
            });
        }
        if self.ipv6 && !self.vpc.has_ipv6() {
            return Err(Error::NoIpv6Block);
        }
        let mut plan = Vec::new();
        for (tier, prefix) in [
            (Tier::Private, self.private_prefix),
            (Tier::Public, self.public_prefix),
            (Tier::Isolated, self.isolated_prefix),
        ] {
            if let Some(p) = prefix {
                for az in 0..self.azs {
                    plan.push((tier, az, p));
                }
            }
        }
        Ok(plan)
    }

    /// The zone names known at synthesis: the pinned ones, else the VPC's from context.
    fn zone_names(&self) -> &[String] {
        if self.pinned_azs.is_empty() {
            &self.vpc.availability_zones
        } else {
            &self.pinned_azs
        }
    }

    fn az_value(&self, index: usize) -> Value {
        match self.pinned_azs.get(index) {
            Some(name) => Value::from(name.clone()),
            None => Value::az(index),
        }
    }
}

impl Construct for Subnets {
    type Output = SubnetsOutput;
    fn build(self, scope: &mut Scope<'_>) -> Result<SubnetsOutput, CoreError> {
        let plan = self.plan()?;
        let blocks = self
            .vpc
            .ipv4_blocks
            .iter()
            .map(|b| IpNet::V4(*b))
            .chain(self.vpc.ipv6_blocks.iter().map(|b| IpNet::V6(*b)));
        let mut allocator = CidrAllocator::new(blocks, self.vpc.existing_subnets.iter().copied());
        let requests: Vec<Request> = plan.iter().map(|&(_, _, p)| Request::v4(p)).collect();
        let subnet_id = |tier: Tier, az: usize| format!("{}Subnet{}", tier.name(), az + 1);
        // the allocator numbers its requests; say which subnet a request is
        let named = |e: crate::cidr::Error| -> Error {
            match e.request_index().and_then(|i| plan.get(i)) {
                Some(&(tier, az, _)) => Error::SubnetCidr {
                    subnet: subnet_id(tier, az),
                    source: e,
                },
                None => Error::Cidr(e),
            }
        };
        let cidrs = allocator
            .allocate_all(&requests, self.strategy)
            .map_err(named)?;
        let ipv6: Vec<Option<Value>> = if !self.ipv6 {
            vec![None; plan.len()]
        } else if self.vpc.ipv6_blocks.is_empty() {
            // a new VPC's block is known only at deploy time: carve /64s with Fn::Cidr
            let expr = self.vpc.ipv6_block_expr.clone().unwrap_or(Value::Null);
            (0..plan.len())
                .map(|i| {
                    Some(Value::select(
                        i,
                        Value::cidr(expr.clone(), plan.len().max(1), 64),
                    ))
                })
                .collect()
        } else {
            let v6 = allocator
                .allocate_all(&vec![Request::v6_default(); plan.len()], Strategy::InOrder)
                .map_err(named)?;
            v6.into_iter()
                .map(|n| Some(Value::from(n.to_string())))
                .collect()
        };

        let mut out = SubnetsOutput {
            vpc: self.vpc.clone(),
            public: Vec::new(),
            private: Vec::new(),
            isolated: Vec::new(),
            routing: RoutingOutput::default(),
        };
        for ((&(tier, az, _), cidr), ipv6_cidr) in plan.iter().zip(cidrs).zip(ipv6) {
            let az_value = self.az_value(az);
            let mut subnet = ec2::Subnet::new(self.vpc.id())
                .cidr_block(cidr.to_string())
                .availability_zone(az_value.clone());
            if tier == Tier::Public {
                subnet = subnet.map_public_ip_on_launch(true);
            }
            if let Some(v6) = &ipv6_cidr {
                subnet = subnet.ipv6_cidr_block(v6.clone());
            }
            let id = subnet_id(tier, az);
            let handle = scope.add(&id, subnet)?;
            if tier == Tier::Public {
                scope.add_exception(
                    &handle,
                    Exception::new(
                        "the public tier by design: it holds the NAT gateways and anything deliberately internet-facing; services go in the private tier",
                    )
                    .checkov("CKV_AWS_130")
                    .cfn_nag("W33"),
                )?;
            }
            if ipv6_cidr.is_some()
                && let Some(ready) = &self.vpc.ipv6_ready
            {
                scope.add_dependency(&handle, ready);
            }
            let s = Subnet {
                handle,
                tier,
                availability_zone: az_value,
                availability_zone_name: self.zone_names().get(az).cloned(),
                cidr,
                ipv6_cidr,
                routes: Vec::new(),
                route_table: None,
            };
            match tier {
                Tier::Public => out.public.push(s),
                Tier::Private => out.private.push(s),
                Tier::Isolated => out.isolated.push(s),
            }
        }
        out.routing = Routing {
            vpc: &self.vpc,
            public: &out.public,
            private: &out.private,
            isolated: &out.isolated,
            nat: self.nat,
            ipv6: self.ipv6,
        }
        .build(scope)?;
        let ready = std::mem::take(&mut out.routing.ready);
        for (subnets, ready) in [&mut out.public, &mut out.private, &mut out.isolated]
            .into_iter()
            .zip(ready)
        {
            for (subnet, routes) in subnets.iter_mut().zip(ready) {
                subnet.routes = routes;
            }
        }
        for s in &mut out.public {
            s.route_table = out.routing.public_route_table.as_ref().map(|t| t.r#ref());
        }
        for (s, t) in out
            .private
            .iter_mut()
            .zip(&out.routing.private_route_tables)
        {
            s.route_table = Some(t.r#ref());
        }
        for s in &mut out.isolated {
            s.route_table = out.routing.isolated_route_table.as_ref().map(|t| t.r#ref());
        }
        Ok(out)
    }
}
