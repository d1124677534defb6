//! Routing for the subnet tiers: a public route table to the internet gateway, NAT gateways
//! with Elastic IPs in the public subnets, private route tables through them (and, for
//! dual-stack subnets, `::/0` through an egress-only internet gateway), and an isolated route
//! table with no route out.

use cloudwright_core::{Construct, Error as CoreError, Handle, ResourceRef, Scope};
use cloudwright_resources::ec2;

use crate::subnets::{NatStrategy, Subnet};
use crate::vpc::Vpc;

/// What routing made.
#[derive(Clone, Debug, Default)]
pub struct RoutingOutput {
    /// The public subnets' route table.
    pub public_route_table: Option<Handle<ec2::RouteTable>>,
    /// One route table per private subnet, in zone order.
    pub private_route_tables: Vec<Handle<ec2::RouteTable>>,
    /// The isolated subnets' route table (no route out of the VPC).
    pub isolated_route_table: Option<Handle<ec2::RouteTable>>,
    /// NAT gateways, in zone order.
    pub nat_gateways: Vec<Handle<ec2::NatGateway>>,
    /// The NAT gateways' Elastic IPs.
    pub elastic_ips: Vec<Handle<ec2::Eip>>,
    /// The egress-only internet gateway of dual-stack private subnets (IPv6 out, nothing in).
    pub egress_only_internet_gateway: Option<Handle<ec2::EgressOnlyInternetGateway>>,
    /// Per tier (public, private, isolated) and subnet: the route table association and the
    /// routes out that the subnet's traffic needs.
    pub(crate) ready: [Vec<Vec<ResourceRef>>; 3],
}

/// The routing of a set of subnets. Built by [`Subnets`](crate::Subnets) into its own scope.
pub(crate) struct Routing<'a> {
    pub vpc: &'a Vpc,
    pub public: &'a [Subnet],
    pub private: &'a [Subnet],
    pub isolated: &'a [Subnet],
    pub nat: NatStrategy,
    pub ipv6: bool,
}

impl Construct for Routing<'_> {
    type Output = RoutingOutput;
    fn build(self, scope: &mut Scope<'_>) -> Result<RoutingOutput, CoreError> {
        let mut out = RoutingOutput::default();
        let vpc_id = self.vpc.id();

        if !self.public.is_empty()
            && let Some(igw) = self.vpc.internet_gateway_id()
        {
            let table = scope.add("PublicRouteTable", ec2::RouteTable::new(vpc_id.clone()))?;
            let mut routes = Vec::new();
            let route = scope.add(
                "PublicDefaultRoute",
                ec2::Route::new(table.r#ref())
                    .destination_cidr_block("0.0.0.0/0")
                    .gateway_id(igw.clone()),
            )?;
            if let Some(ready) = &self.vpc.gateway_ready {
                scope.add_dependency(&route, ready);
            }
            routes.push(route.resource_ref().clone());
            if self.ipv6 {
                let route6 = scope.add(
                    "PublicDefaultRouteIpv6",
                    ec2::Route::new(table.r#ref())
                        .destination_ipv6_cidr_block("::/0")
                        .gateway_id(igw),
                )?;
                if let Some(ready) = &self.vpc.gateway_ready {
                    scope.add_dependency(&route6, ready);
                }
                routes.push(route6.resource_ref().clone());
            }
            for (i, s) in self.public.iter().enumerate() {
                let association = scope.add(
                    &format!("PublicSubnet{}RouteTableAssociation", i + 1),
                    ec2::SubnetRouteTableAssociation::new(
                        ec2::SubnetRouteTableAssociationRequired {
                            route_table_id: table.r#ref().into(),
                            subnet_id: s.id().into(),
                        },
                    ),
                )?;
                let mut ready = vec![association.resource_ref().clone()];
                ready.extend(routes.iter().cloned());
                out.ready[0].push(ready);
            }
            out.public_route_table = Some(table);
        }

        let nat_count = match self.nat {
            _ if self.private.is_empty() || self.public.is_empty() => 0,
            NatStrategy::PerAz => self.public.len().min(self.private.len()),
            NatStrategy::Single => 1,
            NatStrategy::None => 0,
        };
        for (i, public) in self.public.iter().take(nat_count).enumerate() {
            let eip = scope.add(&format!("NatEip{}", i + 1), ec2::Eip::new().domain("vpc"))?;
            let nat = scope.add(
                &format!("NatGateway{}", i + 1),
                ec2::NatGateway::new()
                    .subnet_id(public.id())
                    .allocation_id(eip.allocation_id()),
            )?;
            if let Some(ready) = &self.vpc.gateway_ready {
                scope.add_dependency(&nat, ready);
            }
            out.elastic_ips.push(eip);
            out.nat_gateways.push(nat);
        }

        if self.ipv6 && !self.private.is_empty() {
            out.egress_only_internet_gateway = Some(scope.add(
                "EgressOnlyInternetGateway",
                ec2::EgressOnlyInternetGateway::new(vpc_id.clone()),
            )?);
        }
        for (i, s) in self.private.iter().enumerate() {
            let table = scope.add(
                &format!("PrivateRouteTable{}", i + 1),
                ec2::RouteTable::new(vpc_id.clone()),
            )?;
            let mut ready = Vec::new();
            if !out.nat_gateways.is_empty() {
                let nat = &out.nat_gateways[i.min(out.nat_gateways.len() - 1)];
                let route = scope.add(
                    &format!("PrivateDefaultRoute{}", i + 1),
                    ec2::Route::new(table.r#ref())
                        .destination_cidr_block("0.0.0.0/0")
                        .nat_gateway_id(nat.r#ref()),
                )?;
                ready.push(route.resource_ref().clone());
            }
            if let Some(eigw) = &out.egress_only_internet_gateway {
                let route = scope.add(
                    &format!("PrivateDefaultRouteIpv6{}", i + 1),
                    ec2::Route::new(table.r#ref())
                        .destination_ipv6_cidr_block("::/0")
                        .egress_only_internet_gateway_id(eigw.r#ref()),
                )?;
                ready.push(route.resource_ref().clone());
            }
            let association = scope.add(
                &format!("PrivateSubnet{}RouteTableAssociation", i + 1),
                ec2::SubnetRouteTableAssociation::new(ec2::SubnetRouteTableAssociationRequired {
                    route_table_id: table.r#ref().into(),
                    subnet_id: s.id().into(),
                }),
            )?;
            ready.insert(0, association.resource_ref().clone());
            out.ready[1].push(ready);
            out.private_route_tables.push(table);
        }

        if !self.isolated.is_empty() {
            let table = scope.add("IsolatedRouteTable", ec2::RouteTable::new(vpc_id))?;
            for (i, s) in self.isolated.iter().enumerate() {
                let association = scope.add(
                    &format!("IsolatedSubnet{}RouteTableAssociation", i + 1),
                    ec2::SubnetRouteTableAssociation::new(
                        ec2::SubnetRouteTableAssociationRequired {
                            route_table_id: table.r#ref().into(),
                            subnet_id: s.id().into(),
                        },
                    ),
                )?;
                out.ready[2].push(vec![association.resource_ref().clone()]);
            }
            out.isolated_route_table = Some(table);
        }
        Ok(out)
    }
}
