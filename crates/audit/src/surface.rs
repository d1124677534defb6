//! The public surface of a template: what it exposes to the internet, and what the audit could
//! not see.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::template::Template;
use crate::{Error, apigateway, compute, data, iam, loadbalancing, network};

/// Everything a template exposes to the internet, plus what the audit could not analyze.
///
/// Lists are sorted (by logical id, then by what distinguishes their items), so two audits of the
/// same template give identical reports. Serialized field names are stable (camelCase).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Surface {
    /// API Gateway routes reachable from the internet, one per stage, and Lambda function URLs.
    pub routes: Vec<Route>,
    /// API Gateway APIs with a `PRIVATE` endpoint: not public, listed for the record.
    pub private_apis: Vec<String>,
    /// Internet-facing load balancers and their listeners.
    pub load_balancers: Vec<PublicLoadBalancer>,
    /// Security group ingress rules open to `0.0.0.0/0` or `::/0` (or to a CIDR only known at
    /// deploy time).
    pub open_ingress: Vec<OpenIngress>,
    /// Subnets with a default route to an internet gateway (context: a subnet exposes nothing by
    /// itself; what receives a public IP in it is listed in `publicIps`).
    pub public_subnets: Vec<PublicSubnet>,
    /// What receives a public IP address: NAT gateways, ECS services, instances, Elastic IPs,
    /// launch templates.
    pub public_ips: Vec<PublicIp>,
    /// Data and functions that anyone may reach: resource policies allowing `*` without a
    /// narrowing condition (buckets, queues, topics, tables, keys), public bucket ACLs,
    /// Lambda permissions for `*`.
    #[serde(default)]
    pub public_resources: Vec<PublicResource>,
    /// The data stores (buckets, queues, topics, tables): encryption and public access.
    #[serde(default)]
    pub data: Vec<DataStore>,
    /// Who may do what: each statement of a role's policies (inline, `AWS::IAM::Policy`,
    /// `AWS::IAM::ManagedPolicy`), of resource policies naming a principal, and each Lambda
    /// permission, resolved to actions on resources.
    #[serde(default)]
    pub access: Vec<Access>,
    /// What the audit saw but could not resolve (a body in S3, a port from a parameter, ...).
    pub gaps: Vec<Gap>,
    /// Resource types the audit does not analyze, with how many and which.
    pub not_analyzed: Vec<NotAnalyzed>,
    /// How many resources the template has.
    pub resource_count: usize,
}

/// The kind of an exposure: what a declaration allows and a diff reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    /// An API Gateway route.
    Route,
    /// A listener of an internet-facing load balancer.
    LoadBalancer,
    /// A security group ingress rule open to the world.
    OpenIngress,
    /// A NAT gateway with a public IP (egress; expected in most VPCs).
    NatGateway,
    /// An ECS service whose tasks get public IPs.
    EcsService,
    /// An EC2 instance with a public IP.
    Instance,
    /// An Elastic IP attached to an instance or network interface.
    ElasticIp,
    /// A launch template or launch configuration that assigns public IPs.
    LaunchTemplate,
    /// A bucket, queue, topic, table, key or function anyone may reach through its policy,
    /// ACL or permission.
    PublicResource,
}

impl Kind {
    /// A short human name.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Route => "route",
            Kind::LoadBalancer => "public load balancer",
            Kind::OpenIngress => "open ingress",
            Kind::NatGateway => "NAT gateway egress",
            Kind::EcsService => "ECS service with public IP",
            Kind::Instance => "instance with public IP",
            Kind::ElasticIp => "Elastic IP",
            Kind::LaunchTemplate => "launch template with public IP",
            Kind::PublicResource => "public resource",
        }
    }
}

/// Which API Gateway flavour a route belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ApiType {
    /// `AWS::ApiGateway::RestApi`.
    Rest,
    /// `AWS::ApiGatewayV2::Api` with `ProtocolType: HTTP`.
    Http,
    /// `AWS::ApiGatewayV2::Api` with `ProtocolType: WEBSOCKET`.
    Websocket,
    /// `AWS::Lambda::Url`: a Lambda function URL (one route, `ANY /*`, no stage).
    FunctionUrl,
}

/// A route reachable from the internet through API Gateway.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Route {
    /// The API's logical id (or its id, for an API outside the template).
    pub api: String,
    /// REST, HTTP or WebSocket API.
    pub api_type: ApiType,
    /// `GET`, `POST`, ..., `ANY` for any method (`WS` for a WebSocket route key).
    pub method: String,
    /// The path, `/{person}/{firstname}`; `$default` for an HTTP API's default route.
    pub path: String,
    /// The stage name; `None` when the template deploys the API to no stage.
    pub stage: Option<String>,
    /// `NONE`, `AWS_IAM`, `COGNITO_USER_POOLS`, `CUSTOM`, `JWT`, or the security scheme names
    /// of an OpenAPI operation.
    pub authorization: String,
    /// Where requests go.
    pub integration: Integration,
}

/// Where an API Gateway route sends requests.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Integration {
    /// Through a VPC link to a load balancer inside the VPC.
    VpcLink {
        /// The VPC link's logical id (or id).
        vpc_link: String,
        /// The load balancer behind it, if known.
        load_balancer: Option<String>,
        /// Whether that load balancer is internal, if known.
        internal: Option<bool>,
        /// The listener port the integration uses (from the URI, or its scheme's default).
        listener_port: Option<u16>,
        /// The listener's target group, if known.
        target_group: Option<String>,
        /// The target group's port, if known.
        target_group_port: Option<u16>,
        /// The integration URI, intrinsics shown as `${...}`.
        uri: Option<String>,
    },
    /// A Lambda function.
    Lambda {
        /// The function's logical id, if it is in the template.
        function: Option<String>,
        /// The integration URI.
        uri: Option<String>,
    },
    /// HTTP to a URL over the internet.
    Http {
        /// The URL.
        uri: Option<String>,
    },
    /// Another AWS service (SQS, Step Functions, ...).
    AwsService {
        /// The integration URI or subtype.
        uri: Option<String>,
    },
    /// A mock integration: API Gateway answers itself.
    Mock,
    /// No integration could be read.
    Unknown {
        /// What was found.
        detail: String,
    },
}

/// An internet-facing load balancer.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicLoadBalancer {
    /// Logical id.
    pub resource: String,
    /// `application`, `network` or `classic`.
    pub lb_type: String,
    /// `internet-facing`, or the expression when the scheme is not a literal.
    pub scheme: String,
    /// Its listeners (none if it has none in the template).
    pub listeners: Vec<Listener>,
}

/// A load balancer listener.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Listener {
    /// The listener's logical id (the load balancer's for a classic ELB).
    pub resource: String,
    /// The port, if a literal.
    pub port: Option<u16>,
    /// `HTTP`, `HTTPS`, `TCP`, `TLS`, `UDP`, `TCP_UDP`, ...
    pub protocol: String,
    /// Where it forwards: target groups (default action and listener rules) with their ports;
    /// for a classic ELB, the instance port.
    pub targets: Vec<Target>,
}

/// A target group a listener forwards to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// Logical id of the target group (or `instances` for a classic ELB).
    pub resource: String,
    /// Its port, if known.
    pub port: Option<u16>,
}

/// A security group ingress rule open to the world.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenIngress {
    /// The security group (logical id, or its id/name when outside the template).
    pub security_group: String,
    /// Where the rule is written: `Sg.SecurityGroupIngress[0]` or an ingress resource's id.
    pub rule: String,
    /// `all` (IpProtocol `-1`), `tcp`, `udp`, `icmp`, `icmpv6`, or the protocol number.
    pub protocol: String,
    /// First port (`None`: all ports).
    pub from_port: Option<i64>,
    /// Last port (`None`: all ports).
    pub to_port: Option<i64>,
    /// `0.0.0.0/0`, `::/0`, or the expression when only known at deploy time.
    pub cidr: String,
    /// Resources in the template that use the group.
    pub used_by: Vec<String>,
}

/// A resource anyone may reach, and through what.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicResource {
    /// The bucket, queue, topic, table, key or function (logical id, or as the policy names
    /// it when it is outside the template).
    pub resource: String,
    /// Its CloudFormation type (`(outside the template)` when it is not in it).
    pub resource_type: String,
    /// The policy, bucket (ACL) or permission that makes it public.
    pub via: String,
    /// What is allowed: the statement and its actions, or the ACL.
    pub detail: String,
}

/// A bucket, queue, topic or table: its encryption and how public access is blocked.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataStore {
    /// Logical id.
    pub resource: String,
    /// CloudFormation type.
    pub resource_type: String,
    /// `SSE-S3 (S3's default)`, `SSE-KMS, key Key.Arn`, `none`, ...
    pub encryption: String,
    /// For buckets: `public access blocked`, or the block settings that are off, and a public
    /// ACL.
    pub public_access: String,
}

/// One statement of who may do what.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Access {
    /// Who: `role TaskRole (assumed by ecs-tasks.amazonaws.com) used by TaskDefinition`, a
    /// service principal, an account.
    pub principal: String,
    /// `Allow` or `Deny`.
    pub effect: String,
    /// `read`, `write`, `read/write`, `invoke`, `all` (a `*` action).
    pub intent: String,
    /// The actions, as written.
    pub actions: Vec<String>,
    /// The resources: logical ids for `Ref`/`Fn::GetAtt`, string templates otherwise
    /// (`${Bucket.Arn}/*`).
    pub resources: Vec<String>,
    /// Where the statement is: `Role.Policies[name]`, a policy's or permission's logical id.
    pub via: String,
}

/// A subnet with a default route to an internet gateway.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicSubnet {
    /// The subnet (logical id, or id for a subnet outside the template).
    pub subnet: String,
    /// Its route table.
    pub route_table: String,
    /// The internet gateway.
    pub gateway: String,
    /// `0.0.0.0/0` or `::/0`.
    pub destination: String,
    /// Whether instances launched there get a public IPv4 address by default.
    pub map_public_ip_on_launch: bool,
}

/// Something that receives a public IP address.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicIp {
    /// What it is.
    pub kind: Kind,
    /// Logical id.
    pub resource: String,
    /// CloudFormation type.
    pub resource_type: String,
    /// The subnets it is in (if known).
    pub subnets: Vec<String>,
    /// Human detail.
    pub detail: String,
}

/// Something the audit saw but could not resolve.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Gap {
    /// Logical id.
    pub resource: String,
    /// What could not be resolved.
    pub reason: String,
}

/// A resource type the audit does not analyze.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotAnalyzed {
    /// The CloudFormation type.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// How many resources of it.
    pub count: usize,
    /// Their logical ids.
    pub resources: Vec<String>,
}

/// One exposure, in the uniform shape a diff reports.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Exposure {
    /// What kind.
    pub kind: Kind,
    /// The logical id that exposes it (the API for a route, the listener for a load balancer).
    pub resource: String,
    /// Human summary: `GET /{person}/{firstname} (stage v1) on ApiGateway`.
    pub summary: String,
}

/// Resource types the audit analyzes (their public parts are in the surface).
pub const ANALYZED_TYPES: &[&str] = &[
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Resource",
    "AWS::ApiGateway::Method",
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::Stage",
    "AWS::ApiGateway::VpcLink",
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Stage",
    "AWS::ApiGatewayV2::VpcLink",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::ListenerRule",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::ElasticLoadBalancing::LoadBalancer",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::NatGateway",
    "AWS::EC2::EIP",
    "AWS::EC2::EIPAssociation",
    "AWS::EC2::Instance",
    "AWS::EC2::LaunchTemplate",
    "AWS::AutoScaling::LaunchConfiguration",
    "AWS::ECS::Service",
    "AWS::Lambda::Url",
    "AWS::Lambda::Permission",
    "AWS::Lambda::Function",
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::SQS::Queue",
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::Topic",
    "AWS::SNS::TopicPolicy",
    "AWS::DynamoDB::Table",
    "AWS::KMS::Key",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
];

/// Resource types known to have no public surface of their own: analyzed, nothing public.
/// (Their effect, if any, shows through the analyzed types: a listener through its load
/// balancer, a route table through its routes.)
pub const NOTHING_PUBLIC_TYPES: &[&str] = &[
    // API Gateway parts that only configure an API analyzed above.
    "AWS::ApiGateway::Account",
    "AWS::ApiGateway::ApiKey",
    "AWS::ApiGateway::Authorizer",
    "AWS::ApiGateway::BasePathMapping",
    "AWS::ApiGateway::DomainName",
    "AWS::ApiGateway::GatewayResponse",
    "AWS::ApiGateway::Model",
    "AWS::ApiGateway::RequestValidator",
    "AWS::ApiGateway::UsagePlan",
    "AWS::ApiGateway::UsagePlanKey",
    "AWS::ApiGatewayV2::ApiMapping",
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::ApiGatewayV2::Deployment",
    "AWS::ApiGatewayV2::DomainName",
    "AWS::ApiGatewayV2::IntegrationResponse",
    "AWS::ApiGatewayV2::Model",
    "AWS::ApiGatewayV2::RouteResponse",
    // Networking plumbing.
    "AWS::EC2::VPC",
    "AWS::EC2::VPCCidrBlock",
    "AWS::EC2::SubnetCidrBlock",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::EgressOnlyInternetGateway",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::NetworkAcl",
    "AWS::EC2::NetworkAclEntry",
    "AWS::EC2::SubnetNetworkAclAssociation",
    "AWS::EC2::DHCPOptions",
    "AWS::EC2::VPCDHCPOptionsAssociation",
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::FlowLog",
    "AWS::EC2::PrefixList",
    "AWS::EC2::NetworkInterface",
    "AWS::EC2::Volume",
    "AWS::EC2::VolumeAttachment",
    "AWS::EC2::KeyPair",
    "AWS::EC2::PlacementGroup",
    "AWS::ElasticLoadBalancingV2::ListenerCertificate",
    "AWS::ServiceDiscovery::PrivateDnsNamespace",
    "AWS::ServiceDiscovery::Service",
    // Compute definitions (what runs is analyzed through services and instances).
    "AWS::ECS::Cluster",
    "AWS::ECS::TaskDefinition",
    "AWS::ECS::CapacityProvider",
    "AWS::ECS::ClusterCapacityProviderAssociations",
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::Lambda::Version",
    "AWS::Lambda::Alias",
    "AWS::Lambda::LayerVersion",
    // Triggers and delivery settings: they send events to a function or queue of the
    // template, which is analyzed; nothing is reachable through them.
    "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::SNS::Subscription",
    "AWS::Events::Rule",
    "AWS::Scheduler::Schedule",
    // Identity, logs, monitoring, configuration: no network endpoint.
    "AWS::IAM::InstanceProfile",
    "AWS::Logs::LogGroup",
    "AWS::Logs::LogStream",
    "AWS::Logs::MetricFilter",
    "AWS::Logs::SubscriptionFilter",
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::Dashboard",
    "AWS::SSM::Parameter",
    "AWS::SecretsManager::Secret",
    "AWS::KMS::Alias",
    "AWS::CloudFormation::WaitCondition",
    "AWS::CloudFormation::WaitConditionHandle",
    "AWS::CDK::Metadata",
];

/// Audits a template given as JSON text.
pub fn audit_template_str(text: &str) -> Result<Surface, Error> {
    let value: Value = serde_json::from_str(text).map_err(|e| Error::NotJson {
        reason: e.to_string(),
    })?;
    audit_template(&value)
}

/// Audits a template: its public surface. Fails only if the value is not a template.
pub fn audit_template(template: &Value) -> Result<Surface, Error> {
    let t = Template::parse(template)?;
    let mut s = Surface {
        resource_count: t.resources.len(),
        ..Surface::default()
    };
    if let Some(transform) = &t.transform {
        s.gaps.push(Gap {
            resource: "(template)".into(),
            reason: format!(
                "the template uses Transform `{transform}`: this audit reads it as written, \
                 before the transform expands it"
            ),
        });
    }
    for id in &t.for_each {
        s.gaps.push(Gap {
            resource: (*id).to_owned(),
            reason: "resources generated by Fn::ForEach are not analyzed".into(),
        });
    }
    let subnets = network::public_subnets(&t);
    apigateway::analyze(&t, &mut s);
    loadbalancing::analyze(&t, &mut s);
    network::analyze(&t, &subnets, &mut s);
    compute::analyze(&t, &subnets, &mut s);
    data::analyze(&t, &mut s);
    iam::analyze(&t, &mut s);
    s.public_subnets = subnets.into_values().collect();

    let mut unknown: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for r in t.resources.values() {
        if !ANALYZED_TYPES.contains(&r.ty) && !NOTHING_PUBLIC_TYPES.contains(&r.ty) {
            unknown.entry(r.ty).or_default().push(r.id.to_owned());
        }
    }
    s.not_analyzed = unknown
        .into_iter()
        .map(|(ty, resources)| NotAnalyzed {
            resource_type: ty.to_owned(),
            count: resources.len(),
            resources,
        })
        .collect();

    s.routes.sort();
    s.routes.dedup();
    s.private_apis.sort();
    s.private_apis.dedup();
    s.load_balancers.sort();
    s.open_ingress.sort();
    s.public_subnets.sort();
    s.public_ips.sort();
    s.public_resources.sort();
    s.public_resources.dedup();
    s.data.sort();
    s.access.sort();
    s.access.dedup();
    s.gaps.sort();
    s.gaps.dedup();
    Ok(s)
}

impl Surface {
    /// Every exposure in one uniform list (what a diff compares): routes, load balancer
    /// listeners, open ingress rules, public IPs. Public subnets are context, not exposures.
    pub fn exposures(&self) -> Vec<Exposure> {
        let mut out = Vec::new();
        out.extend(self.routes.iter().map(Route::exposure));
        for lb in &self.load_balancers {
            out.extend(lb.exposures().into_iter().map(|(_, e)| e));
        }
        out.extend(self.open_ingress.iter().map(OpenIngress::exposure));
        out.extend(self.public_ips.iter().map(PublicIp::exposure));
        out.extend(self.public_resources.iter().map(PublicResource::exposure));
        out
    }

    /// Whether nothing at all is exposed (NAT gateway egress included).
    pub fn is_private(&self) -> bool {
        self.exposures().is_empty()
    }
}

impl PublicLoadBalancer {
    /// One exposure per listener (one for the load balancer if it has no listener), with the
    /// listener's port.
    pub fn exposures(&self) -> Vec<(Option<u16>, Exposure)> {
        if self.listeners.is_empty() {
            return vec![(
                None,
                Exposure {
                    kind: Kind::LoadBalancer,
                    resource: self.resource.clone(),
                    summary: format!(
                        "{} load balancer {} (no listener in the template)",
                        self.lb_type, self.resource
                    ),
                },
            )];
        }
        self.listeners
            .iter()
            .map(|l| {
                (
                    l.port,
                    Exposure {
                        kind: Kind::LoadBalancer,
                        resource: l.resource.clone(),
                        summary: format!(
                            "{} load balancer {} listening on {} {}",
                            self.lb_type,
                            self.resource,
                            l.protocol,
                            port_text(l.port)
                        ),
                    },
                )
            })
            .collect()
    }
}

impl PublicResource {
    /// The exposure.
    pub fn exposure(&self) -> Exposure {
        Exposure {
            kind: Kind::PublicResource,
            resource: self.resource.clone(),
            summary: format!(
                "{} is public through {}: {}",
                self.resource, self.via, self.detail
            ),
        }
    }
}

impl PublicIp {
    /// The exposure.
    pub fn exposure(&self) -> Exposure {
        Exposure {
            kind: self.kind,
            resource: self.resource.clone(),
            summary: format!("{}: {} ({})", self.kind.label(), self.resource, self.detail),
        }
    }
}

impl Route {
    /// The exposure.
    pub fn exposure(&self) -> Exposure {
        Exposure {
            kind: Kind::Route,
            resource: self.api.clone(),
            summary: self.describe(),
        }
    }

    /// `GET /{person}/{firstname} (stage v1) on ApiGateway`.
    pub fn describe(&self) -> String {
        if self.api_type == ApiType::FunctionUrl {
            return format!(
                "{} {} (Lambda function URL {})",
                self.method, self.path, self.api
            );
        }
        let stage = match &self.stage {
            Some(s) => format!("stage {s}"),
            None => "no stage in the template".into(),
        };
        format!("{} {} ({stage}) on {}", self.method, self.path, self.api)
    }
}

impl OpenIngress {
    /// The exposure.
    pub fn exposure(&self) -> Exposure {
        Exposure {
            kind: Kind::OpenIngress,
            resource: self.security_group.clone(),
            summary: self.describe(),
        }
    }

    /// `all protocols, all ports from 0.0.0.0/0 into FargateSecurityGroup`.
    pub fn describe(&self) -> String {
        format!(
            "{} from {} into {} ({})",
            self.ports_text(),
            self.cidr,
            self.security_group,
            self.rule
        )
    }

    /// `all protocols, all ports`, `tcp 443`, `tcp 1024-2048`, `icmp`.
    pub fn ports_text(&self) -> String {
        if self.protocol == "all" {
            return "all protocols, all ports".into();
        }
        match (self.from_port, self.to_port) {
            (Some(a), Some(b)) if a == b => format!("{} {a}", self.protocol),
            (Some(-1), _) | (_, Some(-1)) | (None, None) => format!("{} all ports", self.protocol),
            (Some(a), Some(b)) => format!("{} {a}-{b}", self.protocol),
            (Some(a), None) | (None, Some(a)) => format!("{} {a}", self.protocol),
        }
    }
}

impl Integration {
    /// `VPC link ApiGatewayVpcLink -> LoadBalancer (internal) :80 -> TargetGroup :80`.
    pub fn describe(&self) -> String {
        match self {
            Integration::VpcLink {
                vpc_link,
                load_balancer,
                internal,
                listener_port,
                target_group,
                target_group_port,
                ..
            } => {
                let mut s = format!("VPC link {vpc_link}");
                if let Some(lb) = load_balancer {
                    let scheme = match internal {
                        Some(true) => " (internal)",
                        Some(false) => " (internet-facing)",
                        None => "",
                    };
                    s.push_str(&format!(" -> {lb}{scheme} {}", port_text(*listener_port)));
                } else {
                    s.push_str(" -> (load balancer unknown)");
                }
                if let Some(tg) = target_group {
                    s.push_str(&format!(" -> {tg} {}", port_text(*target_group_port)));
                }
                s
            }
            Integration::Lambda { function, uri } => match (function, uri) {
                (Some(f), _) => format!("Lambda {f}"),
                (None, Some(u)) => format!("Lambda {u}"),
                (None, None) => "Lambda".into(),
            },
            Integration::Http { uri } => {
                format!(
                    "HTTP to {} (over the internet)",
                    uri.as_deref().unwrap_or("?")
                )
            }
            Integration::AwsService { uri } => {
                format!("AWS service {}", uri.as_deref().unwrap_or("?"))
            }
            Integration::Mock => "mock (answered by API Gateway)".into(),
            Integration::Unknown { detail } => format!("unknown: {detail}"),
        }
    }
}

/// `:80`, or `:?` when not known.
pub(crate) fn port_text(p: Option<u16>) -> String {
    match p {
        Some(p) => format!(":{p}"),
        None => ":?".into(),
    }
}
