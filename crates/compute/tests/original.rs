//! The compute part of the original blog post, rebuilt with the constructs and its defects
//! fixed: the template passes cfn-lint with no findings (informational included), and reads
//! as intended.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::time::Duration;

use cloudwright_compute::{
    AutoScaling, Cluster, Container, ContainerImage, ContainerRef, Cpu, FargateService,
    FargateSize, FargateTaskDefinition, FargateTaskDefinitionOutput,
};
use cloudwright_core::assertions::{Match, Template};
use cloudwright_core::{App, Context, Scope, StackProps, Value};
use cloudwright_ingress::LoadBalancerTarget;
use cloudwright_network::SubnetGroup;
use cloudwright_resources::ec2;
use cloudwright_resources::elasticloadbalancingv2 as elb;
use cloudwright_tests::assert_lint_clean_informational;
use serde_json::json;

const VPC_ID: &str = "vpc-0123456789abcdef0";
const VPC_CIDR: &str = "172.31.0.0/16";
const IMAGE: &str = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/my_flask_repo:v3";
const DIGEST: &str = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/// What the network and ingress crates provide, stood in by generated resources: two private
/// subnets in an existing VPC, an internal NLB, its IP target group and TCP listener.
struct Ingress {
    private: SubnetGroup,
    target: LoadBalancerTarget,
}

fn ingress(stack: &mut Scope<'_>) -> Ingress {
    let mut subnets = Vec::new();
    let mut placed = Vec::new();
    for (i, cidr) in ["172.31.100.0/24", "172.31.101.0/24"]
        .into_iter()
        .enumerate()
    {
        let subnet = stack
            .add(
                &format!("PrivateSubnet{}", i + 1),
                ec2::Subnet::new(VPC_ID)
                    .cidr_block(cidr)
                    .availability_zone(Value::az(i)),
            )
            .unwrap();
        subnets.push(subnet.r#ref());
        placed.push((subnet.r#ref(), cidr));
    }
    let lb = stack
        .add(
            "LoadBalancer",
            elb::LoadBalancer::new()
                .scheme(elb::load_balancer::Scheme::Internal)
                .r#type(elb::load_balancer::LoadBalancerType::Network)
                .subnets(subnets.clone()),
        )
        .unwrap();
    let target_group = stack
        .add(
            "TargetGroup",
            elb::TargetGroup::new()
                .port(80)
                .protocol(elb::target_group::Protocol::Tcp)
                .target_type(elb::target_group::TargetType::Ip)
                .health_check_protocol(elb::target_group::HealthCheckProtocol::Http)
                .health_check_path("/health")
                .health_check_interval_seconds(30)
                .vpc_id(VPC_ID),
        )
        .unwrap();
    let listener = stack
        .add(
            "Listener",
            elb::Listener::new(elb::ListenerRequired {
                default_actions: vec![
                    elb::listener::Action::new(elb::listener::ActionType::Forward)
                        .target_group_arn(target_group.r#ref()),
                ]
                .into(),
                load_balancer_arn: lb.r#ref().into(),
            })
            .port(80)
            .protocol(elb::listener::Protocol::Tcp),
        )
        .unwrap();
    Ingress {
        private: SubnetGroup::imported(VPC_ID, placed),
        target: LoadBalancerTarget::new(
            target_group.r#ref(),
            80,
            &listener,
            ["172.31.100.0/24", "172.31.101.0/24"],
        ),
    }
}

/// The task of the original: 1 vCPU, 2 GB, a `flask` container on port 80.
fn flask_task(image: ContainerImage) -> (FargateTaskDefinition, ContainerRef) {
    let mut task = FargateTaskDefinition::new(FargateSize::new(Cpu::Vcpu1, 2048).unwrap());
    let flask = task.add_container(Container::new("flask", image).port(80));
    (task, flask)
}

fn build_original(
    app: &App,
    image: ContainerImage,
) -> Result<FargateTaskDefinitionOutput, cloudwright_core::Error> {
    let mut stack = app.stack_with("FlaskApi", StackProps::new().region("eu-west-1"))?;
    let ingress = ingress(&mut stack);
    let cluster = stack.construct("Cluster", Cluster::new())?;
    let (task, flask) = flask_task(image);
    let task = stack.construct("Task", task)?;
    stack.construct(
        "Service",
        FargateService::new(&cluster, &task, &ingress.private)
            .desired_count(2)
            .attach(ingress.target, &flask)
            .auto_scaling(AutoScaling::new(2, 10).target_cpu_utilization(60.0)),
    )?;
    Ok(task)
}

fn template(app: &App) -> (String, Template) {
    let asm = app.synth().unwrap();
    let text = asm.stacks[0].template.clone();
    let template = Template::parse(&text).unwrap();
    (text, template)
}

#[test]
fn the_original_compute_part_synthesizes_lint_clean_with_its_defects_fixed() {
    let app = App::new();
    build_original(&app, ContainerImage::from_uri(IMAGE)).unwrap();
    let (text, t) = template(&app);
    assert_lint_clean_informational("FlaskApi", &text);

    // the cluster: no fixed name, Fargate capacity providers
    t.resource_count_is("AWS::ECS::Cluster", 1).unwrap();
    t.has_resource_properties(
        "AWS::ECS::Cluster",
        Match::object_like([
            ("ClusterName", Match::absent()),
            (
                "CapacityProviders",
                json!(["FARGATE", "FARGATE_SPOT"]).into(),
            ),
        ]),
    )
    .unwrap();

    // the task: 1 vCPU / 2 GB, the execution role by ARN, logs to its own group; its one
    // container has port 80, the one the load balancer names below
    t.resource_count_is("AWS::ECS::TaskDefinition", 1).unwrap();
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        Match::object_like([
            ("Cpu", Match::from("1024")),
            ("Memory", "2048".into()),
            ("NetworkMode", "awsvpc".into()),
            ("RequiresCompatibilities", json!(["FARGATE"]).into()),
            (
                "ExecutionRoleArn",
                Match::exact(json!({"Fn::GetAtt": ["TaskExecutionRole", "Arn"]})),
            ),
            (
                "ContainerDefinitions",
                Match::array_equals([Match::object_like([
                    ("Name", Match::from("flask")),
                    ("Image", IMAGE.into()),
                    ("Essential", true.into()),
                    (
                        "PortMappings",
                        Match::exact(json!([{"ContainerPort": 80, "Protocol": "tcp"}])),
                    ),
                    // no capabilities dropped
                    ("LinuxParameters", Match::absent()),
                    (
                        "LogConfiguration",
                        Match::exact(json!({"LogDriver": "awslogs", "Options": {
                            "awslogs-group": {"Ref": "TaskLogs"},
                            "awslogs-region": {"Ref": "AWS::Region"},
                            "awslogs-stream-prefix": "ecs"
                        }})),
                    ),
                ])]),
            ),
        ]),
    )
    .unwrap();
    t.has_resource_properties("AWS::Logs::LogGroup", json!({"RetentionInDays": 30}))
        .unwrap();

    // the execution role: pull from this repository only, write to this log group only
    t.resource_count_is("AWS::IAM::Role", 1)
        .expect("no task role unless asked for");
    t.has_resource_properties(
        "AWS::IAM::Role",
        Match::object_like([
            (
                "AssumeRolePolicyDocument",
                json!({"Statement": [{"Principal": {"Service": "ecs-tasks.amazonaws.com"}}]})
                    .into(),
            ),
            (
                "Policies",
                Match::array_equals([Match::object_like([(
                    "PolicyDocument",
                    Match::object_like([(
                        "Statement",
                        Match::exact(json!([
                            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
                            {"Effect": "Allow",
                                "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                                "Resource": {"Fn::Sub": "arn:${AWS::Partition}:ecr:eu-west-1:123456789012:repository/my_flask_repo"}},
                            {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                "Resource": {"Fn::GetAtt": ["TaskLogs", "Arn"]}},
                        ])),
                    )]),
                )])]),
            ),
        ]),
    )
    .unwrap();

    // the service: 2 tasks, private subnets, no public IP, behind the NLB (to the task's
    // container and port), after the listener
    t.resource_count_is("AWS::ECS::Service", 1).unwrap();
    t.has_resource(
        "AWS::ECS::Service",
        Match::object_like([
            ("DependsOn", Match::exact(json!(["Listener"]))),
            (
                "Properties",
                json!({
                    "DesiredCount": 2,
                    "LaunchType": "FARGATE",
                    "Cluster": {"Ref": "ClusterCluster"},
                    "TaskDefinition": {"Ref": "TaskTaskDefinition"},
                    "NetworkConfiguration": {"AwsvpcConfiguration": {
                        "AssignPublicIp": "DISABLED",
                        "Subnets": [{"Ref": "PrivateSubnet1"}, {"Ref": "PrivateSubnet2"}],
                        "SecurityGroups": [{"Fn::GetAtt": ["ServiceSecurityGroup", "GroupId"]}],
                    }},
                    "LoadBalancers": [{
                        "TargetGroupArn": {"Ref": "TargetGroup"},
                        "ContainerName": "flask",
                        "ContainerPort": 80,
                    }],
                    "DeploymentConfiguration": {
                        "DeploymentCircuitBreaker": {"Enable": true, "Rollback": true},
                    },
                    "HealthCheckGracePeriodSeconds": 60,
                })
                .into(),
            ),
        ]),
    )
    .unwrap();

    // the security group: tcp 80 from the load balancer's subnets, and nothing else in
    t.resource_count_is("AWS::EC2::SecurityGroup", 1).unwrap();
    t.has_resource_properties(
        "AWS::EC2::SecurityGroup",
        Match::object_like([
            ("VpcId", Match::from(VPC_ID)),
            (
                "SecurityGroupIngress",
                json!([
                    {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "172.31.100.0/24"},
                    {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "172.31.101.0/24"},
                ])
                .into(),
            ),
            (
                "SecurityGroupEgress",
                Match::exact(json!([{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                    "CidrIp": "0.0.0.0/0",
                    "Description": "HTTPS: ECR, CloudWatch Logs, Secrets Manager and other AWS APIs"}])),
            ),
        ]),
    )
    .unwrap();
    assert!(
        !text.contains("\"IpProtocol\": \"-1\""),
        "no all-protocol rule"
    );
    // EC2 accepts only these characters in group and rule descriptions: every description
    // in the template (the group's and its rules') is made of them
    let allowed = |d: &str| {
        d.chars()
            .all(|c| c.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(c))
    };
    let (_, group) = t.single_resource("AWS::EC2::SecurityGroup").unwrap();
    let mut descriptions = Vec::new();
    collect_descriptions(group, &mut descriptions);
    assert_eq!(descriptions.len(), 4, "the group's and its 3 rules'");
    assert!(descriptions.iter().all(|d| allowed(d)), "{descriptions:?}");

    // CPU target tracking between 2 and 10 tasks, with the service-linked role
    let (target_id, _) = t
        .single_resource("AWS::ApplicationAutoScaling::ScalableTarget")
        .unwrap();
    t.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget",
        Match::object_like([
            ("MinCapacity", Match::from(2)),
            ("MaxCapacity", 10.into()),
            ("ScalableDimension", "ecs:service:DesiredCount".into()),
            ("ServiceNamespace", "ecs".into()),
            ("RoleARN", Match::absent()),
            (
                "ResourceId",
                Match::exact(
                    json!({"Fn::Join": ["/", ["service", {"Ref": "ClusterCluster"},
                    {"Fn::GetAtt": ["ServiceService", "Name"]}]]}),
                ),
            ),
        ]),
    )
    .unwrap();
    t.resource_count_is("AWS::ApplicationAutoScaling::ScalingPolicy", 1)
        .unwrap();
    t.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        json!({
            "PolicyType": "TargetTrackingScaling",
            "ScalingTargetId": {"Ref": target_id},
            "TargetTrackingScalingPolicyConfiguration": {
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
                },
                "TargetValue": 60.0,
            },
        }),
    )
    .unwrap();
}

/// Every string under a `Description` or `GroupDescription` key in `value`.
fn collect_descriptions(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v.as_str()) {
                    ("Description" | "GroupDescription", Some(d)) => out.push(d.to_owned()),
                    _ => collect_descriptions(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_descriptions(v, out)),
        _ => {}
    }
}

#[test]
fn an_ecr_lookup_pins_the_image_by_digest_and_a_missing_one_is_recorded() {
    let lookup = || ContainerImage::from(ContainerImage::ecr_lookup("my_flask_repo"));
    // missing: recorded for the toolkit, with the stack's region
    let app = App::new();
    let e = build_original(&app, lookup()).unwrap_err();
    assert!(
        matches!(e, cloudwright_core::Error::MissingContext { .. }),
        "{e}"
    );
    let missing = app.missing_context();
    assert_eq!(missing.len(), 1);
    assert_eq!(
        missing[0].key,
        "ecr-image-provider:region=eu-west-1:repositoryName=my_flask_repo"
    );

    // present: the template names repositoryUri@digest, and the policy the repository
    let mut context = Context::new();
    context.set(
        &missing[0].key,
        json!({
            "repositoryUri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/my_flask_repo",
            "tag": "v3",
            "digest": DIGEST,
        }),
        "test",
    );
    let app = App::with_context(context);
    build_original(&app, lookup()).unwrap();
    let (text, t) = template(&app);
    assert_lint_clean_informational("FlaskApiPinned", &text);
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        json!({"ContainerDefinitions": [{
            "Image": format!("123456789012.dkr.ecr.eu-west-1.amazonaws.com/my_flask_repo@{DIGEST}")
        }]}),
    )
    .unwrap();
    assert!(text.contains("repository/my_flask_repo"));
}

fn compute_error(e: &cloudwright_core::Error) -> &cloudwright_compute::Error {
    e.downcast_ref::<cloudwright_compute::Error>()
        .unwrap_or_else(|| panic!("not a compute error: {e}"))
}

#[test]
fn a_service_cannot_register_a_container_of_another_task() {
    let app = App::new();
    let mut stack = app.stack("Api").unwrap();
    let ingress = ingress(&mut stack);
    let cluster = stack.construct("Cluster", Cluster::new()).unwrap();
    let image = || ContainerImage::from_uri("nginx:1.27");
    let (first_task, flask) = flask_task(image());
    let (other_task, _) = flask_task(image());
    let _flask = stack.construct("Flask", first_task).unwrap();
    let other = stack.construct("Other", other_task).unwrap();
    let e = stack
        .construct(
            "Service",
            FargateService::new(&cluster, &other, &ingress.private).attach(ingress.target, &flask),
        )
        .unwrap_err();
    assert_eq!(
        compute_error(&e),
        &cloudwright_compute::Error::ContainerOfAnotherTask {
            container: "flask".into(),
            task: "OtherTaskDefinition".into()
        }
    );
    // and a name the task does not have is an error, not a template
    assert!(matches!(
        other.container("pmm"),
        Err(cloudwright_compute::Error::UnknownContainer { .. })
    ));
}

#[test]
fn a_load_balanced_service_must_admit_someone_and_never_everyone() {
    // no source at all: the service's own error
    let no_source = service_error(Vec::new());
    assert_eq!(
        compute_error(&no_source),
        &cloudwright_compute::Error::NoIngressSource
    );
    assert!(
        no_source.to_string().starts_with("Api/Service: "),
        "{no_source}"
    );
    // an open block (any prefix length 0): refused by the network crate's security group
    for open in ["0.0.0.0/0", "10.0.0.0/0", "::/0"] {
        let e = service_error(vec![open]);
        assert_eq!(
            e.downcast_ref::<cloudwright_network::Error>(),
            Some(&cloudwright_network::Error::OpenIngress {
                group: "Api/Service".into(),
                cidr: open.into(),
            }),
            "{e}"
        );
        assert!(e.to_string().starts_with("Api/Service: "), "{e}");
    }
}

fn service_error(cidrs: Vec<&str>) -> cloudwright_core::Error {
    let app = App::new();
    let mut stack = app.stack("Api").unwrap();
    let ingress = ingress(&mut stack);
    let cluster = stack.construct("Cluster", Cluster::new()).unwrap();
    let (task, flask) = flask_task(ContainerImage::from_uri("nginx:1.27"));
    let task = stack.construct("Task", task).unwrap();
    let target = LoadBalancerTarget::new(
        ingress.target.target_group_arn().clone(),
        80,
        &ingress.target,
        cidrs,
    );
    stack
        .construct(
            "Service",
            FargateService::new(&cluster, &task, &ingress.private).attach(target, &flask),
        )
        .unwrap_err()
}

#[test]
fn every_option_together_is_lint_clean() {
    use cloudwright_compute::{
        CapacityProvider, CapacityProviderStrategy, CircuitBreaker, ContainerHealthCheck,
        ContainerInsights, CpuArchitecture, Egress, EgressRule, PlatformVersion, PropagateTags,
        RetentionDays, Secret,
    };
    let app = App::new();
    let mut stack = app.stack("Everything").unwrap();
    let ingress = ingress(&mut stack);
    let lb_group = stack
        .add(
            "LbGroup",
            ec2::SecurityGroup::new("the load balancer").vpc_id(VPC_ID),
        )
        .unwrap();
    let cluster = stack
        .construct(
            "Cluster",
            Cluster::new()
                .container_insights(ContainerInsights::Enabled)
                .default_strategy([
                    CapacityProviderStrategy::new(CapacityProvider::Fargate).base(1),
                    CapacityProviderStrategy::new(CapacityProvider::FargateSpot).weight(3),
                ]),
        )
        .unwrap();
    let mut task = FargateTaskDefinition::new(FargateSize::fixed::<2048, 4096>())
        .family("flask-api")
        .log_retention(RetentionDays::TwoWeeks)
        .log_stream_prefix("flask")
        .cpu_architecture(CpuArchitecture::Arm64)
        .task_role([cloudwright_iam::Statement::allow()
            .action("s3:GetObject")
            .resource("arn:aws:s3:::my-bucket/*")]);
    let flask = task.add_container(
        Container::new("flask", ContainerImage::from_uri(IMAGE))
            .port(80)
            .env("FLASK_ENV", "production")
            .env("LB_DNS", Value::get_att("LoadBalancer", "DNSName"))
            .secret(
                "DB_PASSWORD",
                Secret::secrets_manager_json_key(
                    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
                    "password",
                ),
            )
            .secret(
                "API_TOKEN",
                Secret::ssm_parameter("arn:aws:ssm:eu-west-1:123456789012:parameter/flask/token"),
            )
            .command(["gunicorn", "-b", "0.0.0.0:80", "app:app"])
            .health_check(
                ContainerHealthCheck::shell("curl -f http://localhost/health || exit 1")
                    .start_period(Duration::from_secs(30)),
            )
            .cpu(1536)
            .memory_limit_mib(3072)
            .memory_reservation_mib(2048)
            .readonly_root_filesystem(true)
            .drop_capabilities(["NET_RAW"])
            .user("1000")
            .working_directory("/app"),
    );
    task.add_container(
        Container::new(
            "sidecar",
            ContainerImage::from_uri(format!("public.ecr.aws/docker/library/busybox@{DIGEST}")),
        )
        .essential(false)
        .command(["sleep", "infinity"])
        .cpu(256)
        .memory_reservation_mib(256),
    );
    let task = stack.construct("Task", task).unwrap();
    assert!(task.task_role.is_some());
    stack
        .construct(
            "Service",
            FargateService::new(&cluster, &task, &ingress.private)
                .desired_count(3)
                .allow_from_security_group(lb_group.group_id())
                .allow_from_cidrs([Value::from(VPC_CIDR)])
                .egress(Egress::Tcp(vec![
                    EgressRule::tcp("0.0.0.0/0", 443),
                    EgressRule::tcp(VPC_CIDR, 5432),
                ]))
                .attach(ingress.target, &flask)
                .circuit_breaker(CircuitBreaker::Enabled)
                .deployment_percents(50, 150)
                .health_check_grace_period(Duration::from_secs(120))
                .platform_version(PlatformVersion::V1_4_0)
                .propagate_tags(PropagateTags::TaskDefinition)
                .capacity_provider_strategy([CapacityProviderStrategy::new(
                    CapacityProvider::FargateSpot,
                )
                .weight(1)])
                .auto_scaling(
                    AutoScaling::new(2, 20)
                        .target_cpu_utilization(55.0)
                        .target_memory_utilization(70.0)
                        .scale_in_cooldown(Duration::from_secs(600))
                        .scale_out_cooldown(Duration::from_secs(30)),
                ),
        )
        .unwrap();
    stack.add_tag("project", "flask-api");
    let (text, t) = template(&app);
    assert_lint_clean_informational("Everything", &text);

    // the execution role: ECR (one repository: the public image needs nothing), logs, and
    // each secret by ARN
    let execution_role = Match::object_like([(
        "Properties",
        Match::object_like([(
            "Policies",
            Match::array_with([Match::object_like([(
                "PolicyDocument",
                Match::object_like([(
                    "Statement",
                    Match::array_equals([
                        Match::any_value(),
                        Match::any_value(),
                        Match::any_value(),
                        Match::exact(
                            json!({"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                            "Resource": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"}),
                        ),
                        json!({"Action": "ssm:GetParameters"}).into(),
                    ]),
                )]),
            )])]),
        )]),
    )]);
    let ids: Vec<&str> = t
        .find_resources("AWS::IAM::Role", execution_role)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(ids, ["TaskExecutionRole"]);
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        Match::object_like([(
            "ContainerDefinitions",
            Match::array_with([Match::object_like([(
                "Secrets",
                Match::array_with([
                    Match::any_value(),
                    json!({"ValueFrom":
                        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password::"})
                    .into(),
                ]),
            )])]),
        )]),
    )
    .unwrap();
    assert!(!text.contains("hunter2"));
    // the load balancer's two subnets (from attach) and the VPC block inline; the group
    // as its own rule resource (the network crate's security group: no cycle between groups
    // admitting each other)
    t.has_resource_properties(
        "AWS::EC2::SecurityGroup",
        json!({"SecurityGroupIngress": [
            {"CidrIp": "172.31.100.0/24"},
            {"CidrIp": "172.31.101.0/24"},
            {"CidrIp": "172.31.0.0/16"},
        ]}),
    )
    .unwrap();
    t.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        Match::object_like([
            (
                "GroupId",
                Match::exact(json!({"Fn::GetAtt": ["ServiceSecurityGroup", "GroupId"]})),
            ),
            (
                "SourceSecurityGroupId",
                Match::exact(json!({"Fn::GetAtt": ["LbGroup", "GroupId"]})),
            ),
            ("FromPort", Match::exact(json!(80))),
        ]),
    )
    .unwrap();
    assert_eq!(
        t.find_resources(
            "AWS::ApplicationAutoScaling::ScalingPolicy",
            Match::any_value()
        )
        .len(),
        2
    );
    // the task role may be assumed for tasks of this account only
    let confused_deputy_guard = json!({"Properties": {"AssumeRolePolicyDocument": {"Statement": [
        {"Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}
    ]}}});
    let guarded: Vec<&str> = t
        .find_resources("AWS::IAM::Role", confused_deputy_guard)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert!(guarded.contains(&"TaskTaskRole"), "{guarded:?}");
}

#[test]
fn a_firelens_log_router_carries_the_other_containers_logs_lint_clean() {
    use cloudwright_compute::{FireLensOutput, LogRouter};
    let app = App::new();
    let mut stack = app
        .stack_with("Logs", StackProps::new().region("eu-west-1"))
        .unwrap();
    let ingress = ingress(&mut stack);
    let cluster = stack.construct("Cluster", Cluster::new()).unwrap();
    let mut task = FargateTaskDefinition::new(FargateSize::ONE_VCPU_2GB)
        .log_router(LogRouter::fluent_bit().output(FireLensOutput::CloudWatchLogs));
    let flask =
        task.add_container(Container::new("flask", ContainerImage::from_uri(IMAGE)).port(80));
    let task = stack.construct("Task", task).unwrap();
    stack
        .construct(
            "Service",
            FargateService::new(&cluster, &task, &ingress.private).attach(ingress.target, &flask),
        )
        .unwrap();
    let (text, t) = template(&app);
    assert_lint_clean_informational("FireLens", &text);

    // the router first, then the app container logging through it, started after it
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        Match::object_like([(
            "ContainerDefinitions",
            Match::array_equals([
                Match::from(json!({
                    "Name": "log-router",
                    "FirelensConfiguration": {"Type": "fluentbit"},
                    "LogConfiguration": {"LogDriver": "awslogs"},
                })),
                Match::object_like([
                    ("Name", Match::from("flask")),
                    (
                        "LogConfiguration",
                        Match::object_like([
                            ("LogDriver", Match::from("awsfirelens")),
                            (
                                "Options",
                                Match::object_like([(
                                    "log_group_name",
                                    Match::exact(json!({"Ref": "TaskLogs"})),
                                )]),
                            ),
                        ]),
                    ),
                    (
                        "DependsOn",
                        Match::exact(
                            json!([{"ContainerName": "log-router", "Condition": "START"}]),
                        ),
                    ),
                ]),
            ]),
        )]),
    )
    .unwrap();
    // the router writes with the task role, to the task's log group only
    t.has_resource_properties(
        "AWS::IAM::Role",
        json!({"Policies": [{"PolicyDocument": {"Statement": [{
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": {"Fn::GetAtt": ["TaskLogs", "Arn"]}
        }]}}]}),
    )
    .unwrap();
    t.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        Match::object_like([(
            "TaskRoleArn",
            Match::exact(json!({"Fn::GetAtt": ["TaskTaskRole", "Arn"]})),
        )]),
    )
    .unwrap();

    // Fluentd has no built-in CloudWatch output: its options must be given
    let mut fluentd = FargateTaskDefinition::new(FargateSize::ONE_VCPU_2GB).log_router(
        LogRouter::fluentd(ContainerImage::from_uri("fluent/fluentd:v1.17")),
    );
    fluentd.add_container(Container::new("app", ContainerImage::from_uri(IMAGE)));
    let e = stack.construct("Fluentd", fluentd).unwrap_err();
    assert!(matches!(
        compute_error(&e),
        cloudwright_compute::Error::InvalidLogRouter { .. }
    ));
}
