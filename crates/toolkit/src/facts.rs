//! Facts about resource types that the diff needs: which properties are create-only (changing
//! one replaces the resource), from the generated resource schemas of `cloudwright-resources`,
//! with a small built-in table for common types that crate does not generate.
//!
//! Property paths are JSON pointers below `Properties` without the leading slash: `VpcId`, or
//! `SecurityGroupIngress/*/FromPort` with `*` for every item of a list.

/// What the diff needs to know to tell an update from a replacement.
pub trait ReplacementRules {
    /// The create-only property paths of a resource type: changing one replaces the resource.
    fn create_only(&self, type_name: &str) -> &[&str];
    /// Property paths whose change replaces the resource only in some cases.
    fn conditional_create_only(&self, _type_name: &str) -> &[&str] {
        &[]
    }
}

/// The rules from `cloudwright-resources` (and the built-in table for other types).
#[derive(Clone, Copy, Debug, Default)]
pub struct SchemaRules;

impl ReplacementRules for SchemaRules {
    fn create_only(&self, type_name: &str) -> &[&str] {
        create_only(type_name)
    }

    fn conditional_create_only(&self, type_name: &str) -> &[&str] {
        cloudwright_resources::facts(type_name).map_or(&[], |f| f.conditional_create_only)
    }
}

/// The create-only property paths of a resource type.
pub fn create_only(type_name: &str) -> &'static [&'static str] {
    match cloudwright_resources::facts(type_name) {
        Some(facts) => facts.create_only,
        None => builtin_create_only(type_name),
    }
}

/// A small built-in table (from the CloudFormation resource schemas' `createOnlyProperties`)
/// for the types cloudwright's constructs create.
pub fn builtin_create_only(type_name: &str) -> &'static [&'static str] {
    match type_name {
        "AWS::EC2::VPC" => &["CidrBlock", "Ipv4IpamPoolId", "Ipv4NetmaskLength"],
        "AWS::EC2::Subnet" => &[
            "AvailabilityZone",
            "AvailabilityZoneId",
            "CidrBlock",
            "Ipv4IpamPoolId",
            "Ipv4NetmaskLength",
            "Ipv6IpamPoolId",
            "Ipv6Native",
            "Ipv6NetmaskLength",
            "OutpostArn",
            "VpcId",
        ],
        "AWS::EC2::SecurityGroup" => &["GroupDescription", "GroupName", "VpcId"],
        "AWS::EC2::SecurityGroupIngress" => &[
            "CidrIp",
            "CidrIpv6",
            "FromPort",
            "GroupId",
            "GroupName",
            "IpProtocol",
            "SourcePrefixListId",
            "SourceSecurityGroupId",
            "SourceSecurityGroupName",
            "SourceSecurityGroupOwnerId",
            "ToPort",
        ],
        "AWS::EC2::SecurityGroupEgress" => &[
            "CidrIp",
            "CidrIpv6",
            "DestinationPrefixListId",
            "DestinationSecurityGroupId",
            "FromPort",
            "GroupId",
            "IpProtocol",
            "ToPort",
        ],
        "AWS::EC2::RouteTable" => &["VpcId"],
        "AWS::EC2::Route" => &[
            "DestinationCidrBlock",
            "DestinationIpv6CidrBlock",
            "DestinationPrefixListId",
            "RouteTableId",
        ],
        "AWS::EC2::SubnetRouteTableAssociation" => &["SubnetId"],
        "AWS::EC2::NatGateway" => &[
            "AllocationId",
            "ConnectivityType",
            "PrivateIpAddress",
            "SubnetId",
        ],
        "AWS::EC2::EIP" => &["Domain", "NetworkBorderGroup", "TransferAddress"],
        "AWS::EC2::VPCGatewayAttachment" => &["VpcId"],
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => &["Name", "Scheme", "Type"],
        "AWS::ElasticLoadBalancingV2::TargetGroup" => &[
            "Name",
            "Port",
            "Protocol",
            "ProtocolVersion",
            "TargetType",
            "VpcId",
        ],
        "AWS::ElasticLoadBalancingV2::Listener" => &["LoadBalancerArn"],
        "AWS::ECS::Cluster" => &["ClusterName"],
        "AWS::ECS::Service" => &[
            "Cluster",
            "DeploymentController",
            "LaunchType",
            "Role",
            "SchedulingStrategy",
            "ServiceName",
        ],
        "AWS::ECS::TaskDefinition" => &[
            "ContainerDefinitions",
            "Cpu",
            "EphemeralStorage",
            "ExecutionRoleArn",
            "Family",
            "InferenceAccelerators",
            "IpcMode",
            "Memory",
            "NetworkMode",
            "PidMode",
            "PlacementConstraints",
            "ProxyConfiguration",
            "RequiresCompatibilities",
            "RuntimePlatform",
            "TaskRoleArn",
            "Volumes",
        ],
        "AWS::IAM::Role" => &["Path", "RoleName"],
        "AWS::IAM::ManagedPolicy" => &["Description", "Groups", "ManagedPolicyName", "Path"],
        "AWS::IAM::InstanceProfile" => &["InstanceProfileName", "Path"],
        "AWS::IAM::User" => &["UserName"],
        "AWS::IAM::Group" => &["GroupName"],
        "AWS::Logs::LogGroup" => &["LogGroupName"],
        "AWS::ECR::Repository" => &["RepositoryName"],
        "AWS::ApiGateway::RestApi" => &[],
        "AWS::ApiGateway::Stage" => &["RestApiId", "StageName"],
        "AWS::ApiGateway::Deployment" => &["DeploymentCanarySettings", "RestApiId"],
        "AWS::ApiGateway::VpcLink" => &["TargetArns"],
        "AWS::ApiGateway::BasePathMapping" => &["BasePath", "DomainName"],
        "AWS::ApiGateway::DomainName" => &["DomainName"],
        "AWS::SQS::Queue" => &["FifoQueue", "QueueName"],
        "AWS::SNS::Topic" => &["FifoTopic", "TopicName"],
        "AWS::S3::Bucket" => &["BucketName", "ObjectLockEnabled"],
        _ => &[],
    }
}
