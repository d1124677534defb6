//! The hand-wired resource types through cfn-lint: the 37 types the construct crates, the
//! README and the property tests use (every other generated type is exercised by the
//! generated every-type test).
//!
//! - `required_only`: one instance of every type with only its required properties (plus the
//!   few that cfn-lint requires beyond the schema's `required`, each marked with the rule),
//!   wired together with refs where a type needs another;
//! - `wired`: the same types configured as the mission uses them, exercising nested property
//!   types, enums, `Json` documents and attribute getters.
//!
//! Both synthesize into one stack each; cfn-lint must report no errors.

use cloudwright_core::{App, Json, Pseudo, Value};
use cloudwright_resources::{
    apigateway, applicationautoscaling, certificatemanager, ec2, ecs, elasticloadbalancingv2, iam,
    kms, lambda, logs, s3, sqs,
};

fn wired_template() -> Result<String, cloudwright_core::Error> {
    let app = App::new();
    let mut s = app.stack("Wired")?;

    // EC2
    let vpc = s.add("Vpc", ec2::Vpc::new().cidr_block("10.0.0.0/16"))?;
    s.add(
        "VpcCidrBlock",
        ec2::VpcCidrBlock::new(vpc.r#ref()).cidr_block("10.1.0.0/16"),
    )?;
    let igw = s.add("InternetGateway", ec2::InternetGateway::new())?;
    s.add(
        "VpcGatewayAttachment",
        ec2::VpcGatewayAttachment::new(vpc.r#ref()).internet_gateway_id(igw.r#ref()),
    )?;
    let subnet = s.add(
        "Subnet",
        ec2::Subnet::new(vpc.r#ref()).cidr_block("10.0.0.0/24"),
    )?;
    let subnet2 = s.add(
        "Subnet2",
        ec2::Subnet::new(vpc.vpc_id())
            .cidr_block("10.0.1.0/24")
            .availability_zone(Value::az(1)),
    )?;
    let table = s.add("RouteTable", ec2::RouteTable::new(vpc.r#ref()))?;
    s.add(
        "Route",
        ec2::Route::new(table.r#ref())
            .destination_cidr_block("0.0.0.0/0")
            .gateway_id(igw.r#ref()),
    )?;
    s.add(
        "SubnetRouteTableAssociation",
        ec2::SubnetRouteTableAssociation::new(ec2::SubnetRouteTableAssociationRequired {
            route_table_id: table.r#ref().into(),
            subnet_id: subnet.r#ref().into(),
        }),
    )?;
    s.add(
        "EgressOnlyInternetGateway",
        ec2::EgressOnlyInternetGateway::new(vpc.r#ref()),
    )?;
    s.add(
        "Key",
        kms::Key::new()
            .enable_key_rotation(true)
            .key_policy(Json(Value::map([
                ("Version", Value::from("2012-10-17")),
                (
                    "Statement",
                    Value::List(vec![Value::map([
                        ("Effect", Value::from("Allow")),
                        (
                            "Principal",
                            Value::map([(
                                "AWS",
                                Value::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root"),
                            )]),
                        ),
                        ("Action", Value::from("kms:*")),
                        ("Resource", Value::from("*")),
                    ])]),
                ),
            ]))),
    )?;
    let eip = s.add("Eip", ec2::Eip::new())?;
    s.add(
        "NatGateway",
        ec2::NatGateway::new()
            .subnet_id(subnet.r#ref())
            .allocation_id(eip.allocation_id()),
    )?;
    let sg = s.add(
        "SecurityGroup",
        ec2::SecurityGroup::new("all types").vpc_id(vpc.r#ref()),
    )?;
    s.add(
        "SecurityGroupIngress",
        ec2::SecurityGroupIngress::new("tcp")
            .group_id(sg.group_id())
            .cidr_ip("10.0.0.0/16")
            .from_port(80)
            .to_port(80),
    )?;
    s.add(
        "SecurityGroupEgress",
        ec2::SecurityGroupEgress::new(ec2::SecurityGroupEgressRequired {
            group_id: sg.group_id(),
            ip_protocol: "-1".into(),
        })
        .cidr_ip("0.0.0.0/0"),
    )?;

    // Elastic Load Balancing v2
    let lb = s.add(
        "LoadBalancer",
        elasticloadbalancingv2::LoadBalancer::new()
            .r#type(elasticloadbalancingv2::load_balancer::LoadBalancerType::Network)
            .scheme(elasticloadbalancingv2::load_balancer::Scheme::Internal)
            .subnets(vec![subnet.r#ref(), subnet2.r#ref()]),
    )?;
    let tg = s.add(
        "TargetGroup",
        elasticloadbalancingv2::TargetGroup::new()
            .target_type(elasticloadbalancingv2::target_group::TargetType::Ip)
            .protocol(elasticloadbalancingv2::target_group::Protocol::Tcp)
            .port(80)
            .vpc_id(vpc.r#ref()),
    )?;
    {
        use elasticloadbalancingv2::listener::{Action, ActionType};
        s.add(
            "Listener",
            elasticloadbalancingv2::Listener::new(elasticloadbalancingv2::ListenerRequired {
                default_actions: vec![
                    Action::new(ActionType::Forward).target_group_arn(tg.r#ref()),
                ]
                .into(),
                load_balancer_arn: lb.r#ref().into(),
            })
            .port(80)
            .protocol(elasticloadbalancingv2::listener::Protocol::Tcp),
        )?;
    }

    // API Gateway
    let api = s.add(
        "RestApi",
        apigateway::RestApi::new().name("all-types").body(Value::from_json(
            &serde_json::json!({
                "openapi": "3.0.1",
                "info": {"title": "all-types", "version": "1"},
                "paths": {"/": {"get": {
                    "x-amazon-apigateway-integration": {"type": "mock", "requestTemplates": {"application/json": "{\"statusCode\": 200}"}},
                    "responses": {"200": {"description": "ok"}}
                }}}
            }),
        )),
    )?;
    let deployment = s.add("Deployment", apigateway::Deployment::new(api.r#ref()))?;
    let stage = s.add(
        "Stage",
        apigateway::Stage::new(api.r#ref())
            .stage_name("v1")
            .deployment_id(deployment.r#ref()),
    )?;
    s.add(
        "VpcLink",
        apigateway::VpcLink::new(apigateway::VpcLinkRequired {
            name: "all-types".into(),
            target_arns: vec![lb.r#ref()].into(),
        }),
    )?;
    let cert = s.add(
        "Certificate",
        certificatemanager::Certificate::new("api.example.com"),
    )?;
    let domain = s.add(
        "DomainName",
        apigateway::DomainName::new()
            .domain_name("api.example.com")
            .regional_certificate_arn(cert.r#ref())
            .endpoint_configuration(
                apigateway::domain_name::EndpointConfiguration::new().types(vec!["REGIONAL"]),
            ),
    )?;
    s.add(
        "BasePathMapping",
        apigateway::BasePathMapping::new(domain.r#ref())
            .rest_api_id(api.r#ref())
            .stage(stage.r#ref()),
    )?;
    let api_role = s.add(
        "ApiGatewayLogsRole",
        iam::Role::new(assume_role("apigateway.amazonaws.com")).managed_policy_arns(vec![
            Value::sub(
                "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
            ),
        ]),
    )?;
    s.add(
        "Account",
        apigateway::Account::new().cloud_watch_role_arn(api_role.arn()),
    )?;

    // ECS, IAM, logs, autoscaling
    let cluster = s.add("Cluster", ecs::Cluster::new())?;
    let log_group = s.add("LogGroup", logs::LogGroup::new())?;
    let role = s.add(
        "Role",
        iam::Role::new(assume_role("ecs-tasks.amazonaws.com")),
    )?;
    s.add(
        "Policy",
        iam::Policy::new(iam::PolicyRequired {
            policy_document: serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": "*"
                }]
            })
            .into(),
            policy_name: "all-types-logs".into(),
        })
        .roles(vec![role.r#ref()]),
    )?;
    let task = {
        use ecs::task_definition::{
            ContainerDefinition, ContainerDefinitionRequired, LogConfiguration,
        };
        s.add(
            "TaskDefinition",
            ecs::TaskDefinition::new().container_definitions(vec![
                ContainerDefinition::new(ContainerDefinitionRequired {
                    image: "public.ecr.aws/nginx/nginx:latest".into(),
                    name: "web".into(),
                })
                .memory(512)
                .log_configuration(LogConfiguration::new("awslogs").options(Value::map([
                    ("awslogs-group", log_group.r#ref()),
                    ("awslogs-region", Value::from(Pseudo::Region)),
                    ("awslogs-stream-prefix", Value::from("web")),
                ]))),
            ]),
        )?
    };
    let service = s.add(
        "Service",
        ecs::Service::new()
            .cluster(cluster.r#ref())
            .task_definition(task.r#ref())
            .desired_count(1),
    )?;
    let target = s.add(
        "ScalableTarget",
        applicationautoscaling::ScalableTarget::new(applicationautoscaling::ScalableTargetRequired { max_capacity: 2.into(), min_capacity: 1.into(), resource_id: Value::sub("service/${Cluster}/${Service.Name}").into(), scalable_dimension: applicationautoscaling::scalable_target::ScalableDimension::EcsServiceDesiredCount, service_namespace: applicationautoscaling::scalable_target::ServiceNamespace::Ecs }),
    )?;
    {
        use applicationautoscaling::scaling_policy::{
            PolicyType, PredefinedMetricSpecification, PredefinedMetricType,
            TargetTrackingScalingPolicyConfiguration,
        };
        s.add(
            "ScalingPolicy",
            applicationautoscaling::ScalingPolicy::new(
                applicationautoscaling::ScalingPolicyRequired {
                    policy_name: "cpu".into(),
                    policy_type: PolicyType::TargetTrackingScaling,
                },
            )
            .scaling_target_id(target.r#ref())
            .target_tracking_scaling_policy_configuration(
                TargetTrackingScalingPolicyConfiguration::new(50.0)
                    .predefined_metric_specification(PredefinedMetricSpecification::new(
                        PredefinedMetricType::EcsServiceAverageCpuUtilization,
                    )),
            ),
        )?;
    }
    let _ = service;

    // Lambda, S3, SQS: a function with inline code, a bucket and a queue feeding it
    let bucket = s.add("Bucket", s3::Bucket::new())?;
    let queue = s.add("Queue", sqs::Queue::new())?;
    let function = s.add(
        "Function",
        lambda::Function::new(lambda::FunctionRequired {
            code: lambda::function::Code::new()
                .zip_file("def handler(event, context):\n    return None\n")
                .into(),
            role: "arn:aws:iam::123456789012:role/all-types".into(),
        })
        .runtime(lambda::function::Runtime::Python3_12)
        .handler("index.handler")
        .environment(lambda::function::Environment::new().variables(Value::map([
            ("BUCKET", bucket.r#ref()),
            ("QUEUE", Value::from(queue.queue_url())),
        ]))),
    )?;
    let _ = (function.arn(), bucket.arn(), queue.arn());

    let assembly = app.synth()?;
    Ok(assembly.stacks[0].template.clone())
}

fn assume_role(service: &str) -> serde_json::Value {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sts:AssumeRole"
        }]
    })
}

fn required_only_template() -> Result<String, cloudwright_core::Error> {
    let app = App::new();
    let mut s = app.stack("AllTypes")?;
    let arn = |rest: &str| Value::sub(format!("arn:${{AWS::Partition}}:{rest}"));

    // EC2
    // E3058: one of CidrBlock, Ipv4IpamPoolId, ... is required
    let vpc = s.add("Vpc", ec2::Vpc::new().cidr_block("10.0.0.0/16"))?;
    s.add("VpcCidrBlock", ec2::VpcCidrBlock::new(vpc.vpc_id()))?;
    s.add("InternetGateway", ec2::InternetGateway::new())?;
    s.add(
        "VpcGatewayAttachment",
        ec2::VpcGatewayAttachment::new(vpc.vpc_id()),
    )?;
    // E3058 again
    let subnet = s.add(
        "Subnet",
        ec2::Subnet::new(vpc.vpc_id()).cidr_block("10.0.0.0/24"),
    )?;
    let subnet2 = s.add(
        "Subnet2",
        ec2::Subnet::new(vpc.vpc_id()).cidr_block("10.0.1.0/24"),
    )?;
    let table = s.add("RouteTable", ec2::RouteTable::new(vpc.vpc_id()))?;
    s.add("Route", ec2::Route::new(table.route_table_id()))?;
    s.add(
        "SubnetRouteTableAssociation",
        ec2::SubnetRouteTableAssociation::new(ec2::SubnetRouteTableAssociationRequired {
            route_table_id: table.route_table_id(),
            subnet_id: subnet.subnet_id(),
        }),
    )?;
    s.add("Eip", ec2::Eip::new())?;
    s.add("NatGateway", ec2::NatGateway::new())?;
    s.add(
        "EgressOnlyInternetGateway",
        ec2::EgressOnlyInternetGateway::new(vpc.vpc_id()),
    )?;
    s.add("Key", kms::Key::new())?;
    let sg = s.add("SecurityGroup", ec2::SecurityGroup::new("all types"))?;
    // E3014: a source is required; E3687: ports are required for tcp
    s.add(
        "SecurityGroupIngress",
        ec2::SecurityGroupIngress::new("tcp")
            .group_id(sg.group_id())
            .cidr_ip("10.0.0.0/16")
            .from_port(443)
            .to_port(443),
    )?;
    // E3014: a destination is required
    s.add(
        "SecurityGroupEgress",
        ec2::SecurityGroupEgress::new(ec2::SecurityGroupEgressRequired {
            group_id: sg.group_id(),
            ip_protocol: "-1".into(),
        })
        .cidr_ip("0.0.0.0/0"),
    )?;

    // Elastic Load Balancing v2
    // E3014: Subnets or SubnetMappings is required; E3680: two of them for an application LB
    let lb = s.add(
        "LoadBalancer",
        elasticloadbalancingv2::LoadBalancer::new()
            .subnets(vec![subnet.subnet_id(), subnet2.subnet_id()]),
    )?;
    let tg = s.add("TargetGroup", elasticloadbalancingv2::TargetGroup::new())?;
    {
        use elasticloadbalancingv2::listener::{Action, ActionType};
        s.add(
            "Listener",
            elasticloadbalancingv2::Listener::new(elasticloadbalancingv2::ListenerRequired {
                default_actions: vec![
                    Action::new(ActionType::Forward).target_group_arn(tg.target_group_arn()),
                ]
                .into(),
                load_balancer_arn: lb.load_balancer_arn(),
            }),
        )?;
    }

    // API Gateway
    // E3660: Name is required without a Body
    let api = s.add("RestApi", apigateway::RestApi::new().name("all-types"))?;
    s.add("Deployment", apigateway::Deployment::new(api.rest_api_id()))?;
    s.add("Stage", apigateway::Stage::new(api.rest_api_id()))?;
    s.add(
        "VpcLink",
        apigateway::VpcLink::new(apigateway::VpcLinkRequired {
            name: "all-types".into(),
            target_arns: vec![lb.load_balancer_arn()].into(),
        }),
    )?;
    let domain = s.add("DomainName", apigateway::DomainName::new())?;
    s.add(
        "BasePathMapping",
        apigateway::BasePathMapping::new(domain.r#ref()),
    )?;
    s.add("Account", apigateway::Account::new())?;

    // ECS, IAM, logs, autoscaling, certificates
    s.add("Cluster", ecs::Cluster::new())?;
    s.add("TaskDefinition", ecs::TaskDefinition::new())?;
    s.add("Service", ecs::Service::new())?;
    let role = s.add(
        "Role",
        iam::Role::new(assume_role("ecs-tasks.amazonaws.com")),
    )?;
    // E3003: one of Roles, Groups, Users is required
    s.add(
        "Policy",
        iam::Policy::new(iam::PolicyRequired {
            policy_document: serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": arn("logs:*:*:*")}]
            })
            .into(),
            policy_name: "all-types".into(),
        })
        .roles(vec![role.r#ref()]),
    )?;
    s.add("LogGroup", logs::LogGroup::new())?;
    {
        use applicationautoscaling::scalable_target::{ScalableDimension, ServiceNamespace};
        let target = s.add(
            "ScalableTarget",
            applicationautoscaling::ScalableTarget::new(
                applicationautoscaling::ScalableTargetRequired {
                    max_capacity: 2.into(),
                    min_capacity: 1.into(),
                    resource_id: "service/all-types/web".into(),
                    scalable_dimension: ScalableDimension::EcsServiceDesiredCount,
                    service_namespace: ServiceNamespace::Ecs,
                },
            ),
        )?;
        // E3014: ScalingTargetId or ResourceId is required
        s.add(
            "ScalingPolicy",
            applicationautoscaling::ScalingPolicy::new(
                applicationautoscaling::ScalingPolicyRequired {
                    policy_name: "all-types".into(),
                    policy_type:
                        applicationautoscaling::scaling_policy::PolicyType::TargetTrackingScaling,
                },
            )
            .scaling_target_id(target.r#ref()),
        )?;
    }
    s.add(
        "Certificate",
        certificatemanager::Certificate::new("api.example.com"),
    )?;

    // Lambda, S3, SQS (the function's Runtime and Handler: cfn-lint E3678 and W2533 ask for them
    // with inline code)
    s.add("Bucket", s3::Bucket::new())?;
    s.add("Queue", sqs::Queue::new())?;
    s.add(
        "Function",
        lambda::Function::new(lambda::FunctionRequired {
            code: lambda::function::Code::new()
                .zip_file("def handler(event, context):\n    return None\n")
                .into(),
            role: "arn:aws:iam::123456789012:role/all-types".into(),
        })
        .runtime(lambda::function::Runtime::Python3_12)
        .handler("index.handler"),
    )?;

    Ok(app.synth()?.stacks[0].template.clone())
}

/// The types these templates wire by hand, sorted.
const HAND_WIRED: &[&str] = &[
    "AWS::ApiGateway::Account",
    "AWS::ApiGateway::BasePathMapping",
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::DomainName",
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Stage",
    "AWS::ApiGateway::VpcLink",
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::CertificateManager::Certificate",
    "AWS::EC2::EIP",
    "AWS::EC2::EgressOnlyInternetGateway",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::NatGateway",
    "AWS::EC2::Route",
    "AWS::EC2::RouteTable",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::Subnet",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::VPC",
    "AWS::EC2::VPCCidrBlock",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::ECS::Cluster",
    "AWS::ECS::Service",
    "AWS::ECS::TaskDefinition",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::IAM::Policy",
    "AWS::IAM::Role",
    "AWS::KMS::Key",
    "AWS::Lambda::Function",
    "AWS::Logs::LogGroup",
    "AWS::S3::Bucket",
    "AWS::SQS::Queue",
];

fn assert_has_every_type(template: &str) {
    let parsed: serde_json::Value =
        serde_json::from_str(template).unwrap_or_else(|e| panic!("template is not JSON: {e}"));
    let Some(resources) = parsed["Resources"].as_object() else {
        panic!("template without Resources:\n{template}");
    };
    for type_name in HAND_WIRED {
        assert!(
            cloudwright_resources::facts(type_name).is_some(),
            "{type_name} is not generated"
        );
        assert!(
            resources
                .values()
                .any(|r| r["Type"].as_str() == Some(*type_name)),
            "no {type_name} in the template"
        );
    }
}

#[test]
fn every_type_with_its_required_properties_passes_cfn_lint() {
    let template = required_only_template().unwrap_or_else(|e| panic!("synth failed: {e}"));
    assert_has_every_type(&template);
    cloudwright_tests::assert_lint_no_errors("AllTypes", &template);
}

#[test]
fn every_type_wired_as_the_mission_uses_it_passes_cfn_lint() {
    let template = wired_template().unwrap_or_else(|e| panic!("synth failed: {e}"));
    assert_has_every_type(&template);
    cloudwright_tests::assert_lint_no_errors("Wired", &template);
}
