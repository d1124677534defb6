//! VPCs: an existing one read from context ([`ExistingVpc`]), or a new one ([`NewVpc`]), both
//! giving a [`Vpc`] that subnets, routing and security groups build on.

use cloudwright_core::violation::shorten;
use cloudwright_core::{Construct, ContextQuery, Error as CoreError, ResourceRef, Scope, Value};
use cloudwright_resources::constraint::Format;
use cloudwright_resources::ec2;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::Deserialize;

use crate::error::Error;

/// The context provider that describes an existing VPC.
pub const VPC_PROVIDER: &str = "vpc-provider";

/// A VPC the network constructs build into.
#[derive(Clone, Debug)]
pub struct Vpc {
    pub(crate) id: Value,
    pub(crate) ipv4_blocks: Vec<Ipv4Net>,
    pub(crate) ipv6_blocks: Vec<Ipv6Net>,
    /// A new VPC's Amazon-provided IPv6 block, known only at deploy time.
    pub(crate) ipv6_block_expr: Option<Value>,
    pub(crate) internet_gateway: Option<Value>,
    pub(crate) availability_zones: Vec<String>,
    pub(crate) existing_subnets: Vec<IpNet>,
    /// What IPv6 subnets must wait for (the VPC's IPv6 block association).
    pub(crate) ipv6_ready: Option<ResourceRef>,
    /// What routes to the internet gateway must wait for (its attachment to the VPC).
    pub(crate) gateway_ready: Option<ResourceRef>,
}

impl Vpc {
    /// The VPC id (a literal for an existing VPC, a `Ref` for a new one).
    pub fn id(&self) -> Value {
        self.id.clone()
    }

    /// The VPC's IPv4 CIDR blocks.
    pub fn ipv4_blocks(&self) -> &[Ipv4Net] {
        &self.ipv4_blocks
    }

    /// The VPC's IPv4 CIDR blocks as template values, for security group rules.
    pub fn ipv4_cidr_values(&self) -> Vec<Value> {
        self.ipv4_blocks
            .iter()
            .map(|b| Value::from(b.to_string()))
            .collect()
    }

    /// The VPC's IPv6 CIDR blocks known at synthesis (an existing VPC's).
    pub fn ipv6_blocks(&self) -> &[Ipv6Net] {
        &self.ipv6_blocks
    }

    /// Whether the VPC has (or will have) an IPv6 block.
    pub fn has_ipv6(&self) -> bool {
        !self.ipv6_blocks.is_empty() || self.ipv6_block_expr.is_some()
    }

    /// The internet gateway's id, if the VPC has one.
    pub fn internet_gateway_id(&self) -> Option<Value> {
        self.internet_gateway.clone()
    }

    /// The availability zones named by the context (empty for a new VPC without pinned zones).
    pub fn availability_zones(&self) -> &[String] {
        &self.availability_zones
    }

    /// The subnets that already exist in the VPC.
    pub fn existing_subnets(&self) -> &[IpNet] {
        &self.existing_subnets
    }
}

/// How to find the existing VPC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VpcLookup {
    /// By its id.
    Id(String),
    /// The account's default VPC in the region (as the original architecture does).
    Default,
    /// By a tag's value, e.g. `Name` = `shared`.
    Tag(String, String),
}

/// An existing VPC, described by context.
///
/// The context key is built by [`ContextQuery::key`]: the provider `vpc-provider`, then the
/// lookup's properties sorted by name, `region=<region>` and one of `vpcId=<id>`,
/// `filter.isDefault=true` or `tag:<Name>=<value>`:
///
/// ```
/// use cloudwright_network::ExistingVpc;
///
/// assert_eq!(
///     ExistingVpc::default_vpc("eu-west-1").query().key(),
///     "vpc-provider:filter.isDefault=true:region=eu-west-1"
/// );
/// assert_eq!(
///     ExistingVpc::by_id("vpc-0abc1234", "eu-west-1").query().key(),
///     "vpc-provider:region=eu-west-1:vpcId=vpc-0abc1234"
/// );
/// assert_eq!(
///     ExistingVpc::by_tag("Name", "prod", "us-east-1").query().key(),
///     "vpc-provider:region=us-east-1:tag:Name=prod"
/// );
/// ```
///
/// Its value has the shape documented in ARCHITECTURE.md (`vpcId`, `cidrBlocks`,
/// `ipv6CidrBlocks`, `internetGatewayId`, `availabilityZones`, `subnets`). `cloudwright
/// lookup` fills it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExistingVpc {
    /// How to find it.
    pub lookup: VpcLookup,
    /// The region it is in.
    pub region: String,
}

impl ExistingVpc {
    /// The VPC with this id.
    pub fn by_id(id: impl Into<String>, region: impl Into<String>) -> Self {
        ExistingVpc {
            lookup: VpcLookup::Id(id.into()),
            region: region.into(),
        }
    }

    /// The region's default VPC.
    pub fn default_vpc(region: impl Into<String>) -> Self {
        ExistingVpc {
            lookup: VpcLookup::Default,
            region: region.into(),
        }
    }

    /// The VPC tagged `key` = `value`.
    pub fn by_tag(
        key: impl Into<String>,
        value: impl Into<String>,
        region: impl Into<String>,
    ) -> Self {
        ExistingVpc {
            lookup: VpcLookup::Tag(key.into(), value.into()),
            region: region.into(),
        }
    }

    /// The context query this lookup makes.
    pub fn query(&self) -> ContextQuery {
        let q = ContextQuery::new(VPC_PROVIDER).prop("region", self.region.clone());
        match &self.lookup {
            VpcLookup::Id(id) => q.prop("vpcId", id.clone()),
            VpcLookup::Default => q.prop("filter.isDefault", "true"),
            VpcLookup::Tag(k, v) => q.prop(format!("tag:{k}"), v.clone()),
        }
    }
}

/// The JSON value of a `vpc-provider` context key.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VpcContext {
    /// The VPC id.
    pub vpc_id: String,
    /// Associated IPv4 CIDR blocks.
    pub cidr_blocks: Vec<String>,
    /// Associated IPv6 CIDR blocks.
    #[serde(default)]
    pub ipv6_cidr_blocks: Vec<String>,
    /// The attached internet gateway, if any.
    #[serde(default)]
    pub internet_gateway_id: Option<String>,
    /// The region's available availability zones.
    pub availability_zones: Vec<String>,
    /// The subnets that exist.
    #[serde(default)]
    pub subnets: Vec<SubnetContext>,
}

/// One existing subnet in a [`VpcContext`].
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubnetContext {
    /// The subnet id.
    pub subnet_id: String,
    /// Its IPv4 CIDR (`null` for an IPv6-only subnet).
    #[serde(default)]
    pub cidr_block: Option<String>,
    /// Its IPv6 CIDRs.
    #[serde(default)]
    pub ipv6_cidr_blocks: Vec<String>,
    /// Its availability zone.
    pub availability_zone: String,
}

impl VpcContext {
    /// Checks the value and turns it into a [`Vpc`]; `key` names the context key in errors.
    pub fn to_vpc(&self, key: &str) -> Result<Vpc, Error> {
        let cidr = |field: String, value: &str| -> Result<IpNet, Error> {
            value
                .trim()
                .parse::<IpNet>()
                .map_err(|e| Error::MalformedContextCidr {
                    key: key.to_owned(),
                    field,
                    value: value.to_owned(),
                    reason: e.to_string(),
                })
        };
        let mut ipv4_blocks = Vec::new();
        for (i, b) in self.cidr_blocks.iter().enumerate() {
            match cidr(format!("cidrBlocks[{i}]"), b)? {
                IpNet::V4(n) => ipv4_blocks.push(n.trunc()),
                IpNet::V6(_) => {
                    return Err(Error::MalformedContextCidr {
                        key: key.to_owned(),
                        field: format!("cidrBlocks[{i}]"),
                        value: b.clone(),
                        reason: "an IPv6 block belongs in ipv6CidrBlocks".into(),
                    });
                }
            }
        }
        if ipv4_blocks.is_empty() {
            return Err(Error::InvalidVpcContext {
                key: key.to_owned(),
                message: "`cidrBlocks` is empty: a VPC has at least one IPv4 block".into(),
            });
        }
        let mut ipv6_blocks = Vec::new();
        for (i, b) in self.ipv6_cidr_blocks.iter().enumerate() {
            match cidr(format!("ipv6CidrBlocks[{i}]"), b)? {
                IpNet::V6(n) => ipv6_blocks.push(n.trunc()),
                IpNet::V4(_) => {
                    return Err(Error::MalformedContextCidr {
                        key: key.to_owned(),
                        field: format!("ipv6CidrBlocks[{i}]"),
                        value: b.clone(),
                        reason: "an IPv4 block belongs in cidrBlocks".into(),
                    });
                }
            }
        }
        let mut existing = Vec::new();
        for (i, s) in self.subnets.iter().enumerate() {
            if let Some(block) = &s.cidr_block {
                existing.push(cidr(format!("subnets[{i}].cidrBlock"), block)?);
            }
            for (j, b) in s.ipv6_cidr_blocks.iter().enumerate() {
                existing.push(cidr(format!("subnets[{i}].ipv6CidrBlocks[{j}]"), b)?);
            }
        }
        if self.vpc_id.trim().is_empty() {
            return Err(Error::InvalidVpcContext {
                key: key.to_owned(),
                message: "`vpcId` is empty".into(),
            });
        }
        // ids go into a dozen properties; refuse a bad one here, naming the context field
        let id = |field: String, value: &str, format: Format| -> Result<(), Error> {
            if format.accepts(value) {
                return Ok(());
            }
            Err(Error::ContextValue {
                key: key.to_owned(),
                field,
                value: shorten(&serde_json::Value::from(value).to_string()),
                expected: format!("format {} ({})", format.name(), format.describe()),
            })
        };
        id("vpcId".into(), &self.vpc_id, Format::VpcId)?;
        for (i, s) in self.subnets.iter().enumerate() {
            id(
                format!("subnets[{i}].subnetId"),
                &s.subnet_id,
                Format::SubnetId,
            )?;
        }
        Ok(Vpc {
            id: Value::from(self.vpc_id.clone()),
            ipv4_blocks,
            ipv6_blocks,
            ipv6_block_expr: None,
            internet_gateway: self.internet_gateway_id.clone().map(Value::from),
            availability_zones: self.availability_zones.clone(),
            existing_subnets: existing,
            ipv6_ready: None,
            gateway_ready: None,
        })
    }
}

impl Construct for ExistingVpc {
    type Output = Vpc;
    fn build(self, scope: &mut Scope<'_>) -> Result<Vpc, CoreError> {
        let query = self.query();
        let ctx: VpcContext = scope.lookup_as(&query)?;
        Ok(ctx.to_vpc(&query.key())?)
    }
}

/// A new VPC with its own internet gateway.
///
/// ```
/// use cloudwright_core::App;
/// use cloudwright_network::NewVpc;
///
/// let app = App::new();
/// let mut stack = app.stack("Network")?;
/// let vpc = stack.construct("Vpc", NewVpc::new("10.20.0.0/16"))?;
/// assert_eq!(vpc.ipv4_blocks()[0].to_string(), "10.20.0.0/16");
/// // a block that is not one is reported with the construct's path
/// let err = stack.construct("Other", NewVpc::new("10.20.0.0/33")).unwrap_err();
/// assert!(err.to_string().starts_with("Network/Other: "), "{err}");
/// # Ok::<(), cloudwright_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewVpc {
    cidr: String,
    ipv6: bool,
    availability_zones: Vec<String>,
}

impl NewVpc {
    /// A VPC with this IPv4 block (`10.20.0.0/16`; checked when the VPC is built).
    pub fn new(cidr: impl Into<String>) -> Self {
        NewVpc {
            cidr: cidr.into(),
            ipv6: false,
            availability_zones: Vec::new(),
        }
    }

    /// Also requests an Amazon-provided IPv6 block.
    pub fn with_ipv6(mut self) -> Self {
        self.ipv6 = true;
        self
    }

    /// Pins the availability zones by name.
    pub fn pin_availability_zones<S: Into<String>>(
        mut self,
        zones: impl IntoIterator<Item = S>,
    ) -> Self {
        self.availability_zones = zones.into_iter().map(Into::into).collect();
        self
    }
}

impl Construct for NewVpc {
    type Output = Vpc;
    fn build(self, scope: &mut Scope<'_>) -> Result<Vpc, CoreError> {
        let cidr = self
            .cidr
            .parse::<Ipv4Net>()
            .map_err(|e| Error::InvalidVpcCidr {
                cidr: self.cidr.clone(),
                reason: e.to_string(),
            })?
            .trunc();
        let vpc = scope.add(
            "Vpc",
            ec2::Vpc::new()
                .cidr_block(cidr.to_string())
                .enable_dns_hostnames(true)
                .enable_dns_support(true),
        )?;
        let igw = scope.add("InternetGateway", ec2::InternetGateway::new())?;
        let attachment = scope.add(
            "GatewayAttachment",
            ec2::VpcGatewayAttachment::new(vpc.r#ref()).internet_gateway_id(igw.r#ref()),
        )?;
        let (ipv6_block_expr, ipv6_ready) = if self.ipv6 {
            let block = scope.add(
                "Ipv6Block",
                ec2::VpcCidrBlock::new(vpc.r#ref()).amazon_provided_ipv6_cidr_block(true),
            )?;
            (
                Some(Value::select(0, vpc.ipv6_cidr_blocks())),
                Some(block.resource_ref().clone()),
            )
        } else {
            (None, None)
        };
        Ok(Vpc {
            id: vpc.r#ref(),
            ipv4_blocks: vec![cidr],
            ipv6_blocks: Vec::new(),
            ipv6_block_expr,
            internet_gateway: Some(igw.r#ref()),
            availability_zones: self.availability_zones,
            existing_subnets: Vec::new(),
            ipv6_ready,
            gateway_ready: Some(attachment.resource_ref().clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(json: serde_json::Value) -> VpcContext {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn the_query_key_names_the_lookup() {
        assert_eq!(
            ExistingVpc::default_vpc("eu-west-1").query().key(),
            "vpc-provider:filter.isDefault=true:region=eu-west-1"
        );
        assert_eq!(
            ExistingVpc::by_id("vpc-1", "us-east-1").query().key(),
            "vpc-provider:region=us-east-1:vpcId=vpc-1"
        );
        assert_eq!(
            ExistingVpc::by_tag("Name", "shared", "us-east-1")
                .query()
                .key(),
            "vpc-provider:region=us-east-1:tag:Name=shared"
        );
    }

    #[test]
    fn ids_are_checked_where_they_enter() {
        let base = serde_json::json!({
            "vpcId": "vpc-0123abcd", "cidrBlocks": ["10.0.0.0/16"], "availabilityZones": ["a"],
            "subnets": [{"subnetId": "subnet-0123abcd", "cidrBlock": "10.0.0.0/24", "availabilityZone": "a"}]
        });
        assert!(ctx(base.clone()).to_vpc("k").is_ok());
        for (field, pointer, bad) in [
            ("vpcId", "/vpcId", "x".to_owned()),
            ("vpcId", "/vpcId", "10.0.0.0/16".to_owned()),
            ("vpcId", "/vpcId", format!("vpc-{}", "a".repeat(5000))),
            (
                "subnets[0].subnetId",
                "/subnets/0/subnetId",
                "vpc-0123abcd".to_owned(),
            ),
        ] {
            let mut json = base.clone();
            if let Some(v) = json.pointer_mut(pointer) {
                *v = bad.clone().into();
            }
            match ctx(json).to_vpc("k") {
                Err(Error::ContextValue {
                    key,
                    field: f,
                    value,
                    expected,
                }) => {
                    assert_eq!((key.as_str(), f.as_str()), ("k", field));
                    assert!(value.chars().count() < 100, "shortened: {value}");
                    assert!(expected.starts_with("format AWS::EC2::"), "{expected}");
                }
                other => panic!("{bad:.20}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_malformed_cidr_names_its_field() {
        let c = ctx(serde_json::json!({
            "vpcId": "vpc-0123abcd", "cidrBlocks": ["10.0.0.0/16"], "availabilityZones": ["a"],
            "subnets": [{"subnetId": "subnet-0123abcd", "cidrBlock": "10.0.300.0/24", "availabilityZone": "a"}]
        }));
        let e = c.to_vpc("k").unwrap_err().to_string();
        assert!(
            e.contains("subnets[0].cidrBlock") && e.contains("10.0.300.0/24"),
            "{e}"
        );
    }

    #[test]
    fn an_ipv6_only_subnet_has_no_ipv4_block() {
        let c = ctx(serde_json::json!({
            "vpcId": "vpc-0123abcd", "cidrBlocks": ["10.0.0.0/16"], "ipv6CidrBlocks": ["2001:db8::/56"],
            "availabilityZones": ["a"],
            "subnets": [{"subnetId": "subnet-0123abcd", "cidrBlock": null, "ipv6CidrBlocks": ["2001:db8::/64"], "availabilityZone": "a"}]
        }));
        let v = c.to_vpc("k").unwrap();
        assert_eq!(v.existing_subnets().len(), 1);
        assert!(
            v.existing_subnets()[0]
                .to_string()
                .starts_with("2001:db8::")
        );
    }

    #[test]
    fn host_bits_are_masked_and_families_checked() {
        let c = ctx(serde_json::json!({
            "vpcId": "vpc-0123abcd", "cidrBlocks": ["10.0.0.5/16"], "ipv6CidrBlocks": ["2001:db8::/56"],
            "availabilityZones": ["a"]
        }));
        let v = c.to_vpc("k").unwrap();
        assert_eq!(v.ipv4_blocks()[0].to_string(), "10.0.0.0/16");
        assert!(v.has_ipv6());
        let c = ctx(serde_json::json!({
            "vpcId": "vpc-0123abcd", "cidrBlocks": ["2001:db8::/56"], "availabilityZones": ["a"]
        }));
        assert!(
            c.to_vpc("k")
                .unwrap_err()
                .to_string()
                .contains("ipv6CidrBlocks")
        );
        let c = ctx(
            serde_json::json!({"vpcId": "vpc-0123abcd", "cidrBlocks": [], "availabilityZones": []}),
        );
        assert!(matches!(
            c.to_vpc("k"),
            Err(Error::InvalidVpcContext { .. })
        ));
    }
}
