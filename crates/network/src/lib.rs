//! `cloudwright-network`: Amazon VPC networking — VPCs, subnets, routing, VPC endpoints and
//! security groups.
//!
//! - [`cidr`]: a pure allocator (no CloudFormation involved): given a VPC's CIDR blocks and the
//!   subnets already in it, it finds free, aligned space for new subnets, first fit.
//! - [`ExistingVpc`] reads a VPC from context (the toolkit's `vpc-provider` lookup);
//!   [`NewVpc`] creates one with its internet gateway.
//! - [`Subnets`]: public, private and isolated tiers across availability zones, CIDRs from the
//!   allocator at synthesis (so they show in the template and the diff), with routing: a public
//!   route table to the internet gateway, NAT gateways per zone or one shared, private route
//!   tables through them.
//! - [`GatewayEndpoint`]: gateway VPC endpoints for S3 and DynamoDB on a [`SubnetGroup`]'s
//!   route tables.
//! - [`SecurityGroup`]: least privilege by default; the one security-group implementation,
//!   which every construct that needs a group builds through ([`check_cidr`] says what an
//!   open block is: prefix length 0).
//!
//! Like every construct crate, it never calls AWS.

pub mod cidr;
mod endpoint;
mod error;
mod routing;
mod security_group;
mod subnets;
mod vpc;

pub use endpoint::{GatewayEndpoint, GatewayEndpointOutput, GatewayService};
pub use error::Error;
pub use routing::RoutingOutput;
pub use security_group::{
    CidrFamily, CidrLiteral, Port, SecurityGroup, SecurityGroupOutput, Source, check_cidr,
};
pub use subnets::{MAX_AZS, NatStrategy, Subnet, SubnetGroup, Subnets, SubnetsOutput, Tier};
pub use vpc::{ExistingVpc, NewVpc, SubnetContext, VPC_PROVIDER, Vpc, VpcContext, VpcLookup};
