//! Gateway VPC endpoints: S3 and DynamoDB reached from subnets through their route tables,
//! without a NAT gateway and without leaving the AWS network.

use cloudwright_core::{Construct, Error as CoreError, Handle, Scope, Value};
use cloudwright_resources::ec2;

use crate::error::Error;
use crate::subnets::SubnetGroup;

/// The services a gateway endpoint serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GatewayService {
    /// Amazon S3 (`com.amazonaws.<region>.s3`).
    S3,
    /// Amazon DynamoDB (`com.amazonaws.<region>.dynamodb`).
    DynamoDb,
}

impl GatewayService {
    /// The service's short name in the endpoint service name.
    pub fn name(self) -> &'static str {
        match self {
            GatewayService::S3 => "s3",
            GatewayService::DynamoDb => "dynamodb",
        }
    }
}

/// A gateway VPC endpoint (`AWS::EC2::VPCEndpoint` of type `Gateway`) for S3 or DynamoDB,
/// attached to the route tables of one or more [`SubnetGroup`]s: their traffic to the
/// service takes the endpoint instead of the NAT gateway (free, and it never leaves AWS).
///
/// ```
/// use cloudwright_core::App;
/// use cloudwright_network::{GatewayEndpoint, GatewayService, SubnetGroup};
///
/// let app = App::new();
/// let mut stack = app.stack("Network")?;
/// let private = SubnetGroup::imported("vpc-0123456789abcdef0", [("subnet-0000000a", "10.0.1.0/24")])
///     .with_route_tables(["rtb-0123456789abcdef0"]);
/// stack.construct("S3Endpoint", GatewayEndpoint::new(GatewayService::S3, &private))?;
/// let template = &app.synth()?.stacks[0].template;
/// assert!(template.contains(r#""VpcEndpointType": "Gateway""#));
/// # Ok::<(), cloudwright_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct GatewayEndpoint {
    service: GatewayService,
    vpc_id: Value,
    route_tables: Vec<Value>,
}

impl GatewayEndpoint {
    /// An endpoint for `service` on the route tables of `subnets`.
    pub fn new(service: GatewayService, subnets: &SubnetGroup) -> Self {
        GatewayEndpoint {
            service,
            vpc_id: subnets.vpc_id().clone(),
            route_tables: subnets.route_table_ids().to_vec(),
        }
    }

    /// Also attaches to the route tables of `subnets` (of the same VPC).
    pub fn subnets(mut self, subnets: &SubnetGroup) -> Self {
        for t in subnets.route_table_ids() {
            if !self.route_tables.contains(t) {
                self.route_tables.push(t.clone());
            }
        }
        self
    }
}

/// What [`GatewayEndpoint`] made.
#[derive(Clone, Debug)]
pub struct GatewayEndpointOutput {
    /// The endpoint.
    pub endpoint: Handle<ec2::VpcEndpoint>,
}

impl GatewayEndpointOutput {
    /// The endpoint's id (`Ref`), for `aws:SourceVpce` conditions in resource policies.
    pub fn id(&self) -> Value {
        self.endpoint.r#ref()
    }
}

impl Construct for GatewayEndpoint {
    type Output = GatewayEndpointOutput;

    fn build(self, scope: &mut Scope<'_>) -> Result<GatewayEndpointOutput, CoreError> {
        if self.route_tables.is_empty() {
            return Err(Error::NoRouteTables {
                service: self.service.name(),
            }
            .into());
        }
        let endpoint = scope.add(
            "Endpoint",
            ec2::VpcEndpoint::new(self.vpc_id)
                .service_name(Value::sub(format!(
                    "com.amazonaws.${{AWS::Region}}.{}",
                    self.service.name()
                )))
                .vpc_endpoint_type(ec2::vpc_endpoint::VpcEndpointType::Gateway)
                .route_table_ids(self.route_tables),
        )?;
        Ok(GatewayEndpointOutput { endpoint })
    }
}
