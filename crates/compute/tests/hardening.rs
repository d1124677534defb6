//! Production defaults and hardening: Container Insights on, task logs retained, a
//! customer-managed log key, the deliberate exceptions recorded in `Metadata`, and a
//! hardened container with its scratch volume. Every template passes cfn-lint with zero
//! findings, informational ones included.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use cloudwright_compute::{
    Cluster, Container, ContainerImage, ContainerInsights, Egress, EgressRule, Error,
    FargateService, FargateSize, FargateTaskDefinition, LogKey,
};
use cloudwright_core::App;
use cloudwright_core::assertions::{Match, Template};
use cloudwright_ingress::InternalNlb;
use cloudwright_network::SubnetGroup;
use cloudwright_testing::fixtures::{PRIVATE_SUBNETS, VPC_ID};
use cloudwright_tests::assert_lint_clean_informational;
use serde_json::json;

const IMAGE: &str = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/my_flask_repo:v3";

/// Two private subnets of a VPC made elsewhere (the shared fixture).
fn private() -> SubnetGroup {
    SubnetGroup::imported(VPC_ID, PRIVATE_SUBNETS)
}

fn hardened() -> Container {
    Container::new("flask", ContainerImage::from_uri(IMAGE))
        .port(8080)
        .readonly_root_filesystem(true)
        .scratch_volume("/tmp")
        .drop_capabilities(["ALL"])
        .user("10001:10001")
}

/// A service of one hardened container behind an NLB listening on 80; `task` adjusts the
/// task definition. Returns the template text.
fn synth(task: impl FnOnce(FargateTaskDefinition) -> FargateTaskDefinition) -> String {
    let app = App::new();
    let mut stack = app.stack("Api").unwrap();
    let nlb = stack
        .construct(
            "Ingress",
            InternalNlb::new(&private(), 8080).listener_port(80),
        )
        .unwrap();
    let cluster = stack.construct("Cluster", Cluster::new()).unwrap();
    let mut definition = FargateTaskDefinition::new(FargateSize::ONE_VCPU_2GB);
    let flask = definition.add_container(hardened());
    let definition = stack.construct("Task", task(definition)).unwrap();
    stack
        .construct(
            "Service",
            FargateService::new(&cluster, &definition, &private()).attach(nlb.target(), &flask),
        )
        .unwrap();
    app.synth().unwrap().stacks[0].template.clone()
}

/// Checks the `cloudwright` exceptions a resource's Metadata states: exactly these, in
/// order, each as (its checks, a word of its reason); none at all when `expected` is empty.
fn has_exceptions(template: &Template, logical_id: &str, expected: &[(&[&str], &str)]) {
    let exceptions = |list: Match| {
        Match::object_like([("cloudwright", Match::object_like([("exceptions", list)]))])
    };
    let metadata = if expected.is_empty() {
        Match::not(exceptions(Match::array_with([Match::any_value()])))
    } else {
        exceptions(Match::array_equals(expected.iter().map(
            |(checks, word)| {
                Match::object_like([
                    ("checks", Match::exact(json!(checks))),
                    ("reason", Match::string_containing(*word)),
                ])
            },
        )))
    };
    template
        .resource_matches(logical_id, Match::object_like([("Metadata", metadata)]))
        .unwrap();
}

#[test]
fn container_insights_are_on_by_default_and_can_be_turned_off() {
    let text = synth(|t| t);
    let template = Template::parse(&text).unwrap();
    template
        .has_resource_properties(
            "AWS::ECS::Cluster",
            json!({"ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]}),
        )
        .unwrap();

    let app = App::new();
    let mut stack = app.stack("Api").unwrap();
    stack
        .construct(
            "Cluster",
            Cluster::new().container_insights(ContainerInsights::Disabled),
        )
        .unwrap();
    let template = Template::from_stack(&app.synth().unwrap(), "Api").unwrap();
    template
        .has_resource_properties(
            "AWS::ECS::Cluster",
            json!({"ClusterSettings": [{"Name": "containerInsights", "Value": "disabled"}]}),
        )
        .unwrap();
}

#[test]
fn task_logs_are_retained_and_service_managed_encryption_is_a_stated_exception() {
    let text = synth(|t| t);
    let template = Template::parse(&text).unwrap();
    template
        .has_resource(
            "AWS::Logs::LogGroup",
            Match::object_like([
                ("DeletionPolicy", Match::from(json!("Retain"))),
                ("UpdateReplacePolicy", json!("Retain").into()),
                (
                    "Properties",
                    Match::object_like([
                        ("RetentionInDays", Match::from(json!(30))),
                        ("KmsKeyId", Match::absent()),
                    ]),
                ),
                (
                    "Metadata",
                    json!({
                        "checkov": {"skip": [{"id": "CKV_AWS_158"}]},
                        "cfn_nag": {"rules_to_suppress": [{"id": "W84"}]}
                    })
                    .into(),
                ),
            ]),
        )
        .unwrap();
    has_exceptions(
        &template,
        "TaskLogs",
        &[(&["checkov:CKV_AWS_158", "cfn_nag:W84"], "log_key")],
    );
    assert_lint_clean_informational("hardened-service", &text);
}

#[test]
fn logs_can_go_with_the_stack() {
    let text = synth(FargateTaskDefinition::delete_logs_with_stack);
    let template = Template::parse(&text).unwrap();
    template
        .has_resource(
            "AWS::Logs::LogGroup",
            json!({"DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete"}),
        )
        .unwrap();
    // explicit, so cfn-lint's stateful-resource check (I3011) is satisfied either way
    assert_lint_clean_informational("logs-deleted", &text);
}

#[test]
fn a_log_key_encrypts_the_task_logs_and_lets_only_this_accounts_log_groups_use_it() {
    let app = App::new();
    let mut stack = app.stack("Api").unwrap();
    let key = stack.construct("LogKey", LogKey::new()).unwrap();
    stack
        .construct(
            "Task",
            FargateTaskDefinition::new(FargateSize::ONE_VCPU_2GB)
                .with_container(hardened())
                .log_key(&key),
        )
        .unwrap();
    let text = app.synth().unwrap().stacks[0].template.clone();
    let template = Template::parse(&text).unwrap();
    template
        .has_resource(
            "AWS::KMS::Key",
            json!({
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": {
                    "EnableKeyRotation": true,
                    "KeyPolicy": {"Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
                            "Action": "kms:*",
                            "Resource": "*"
                        },
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}},
                            "Action": [
                                "kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*",
                                "kms:GenerateDataKey*", "kms:Describe*"
                            ],
                            "Resource": "*",
                            "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": {
                                "Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*"
                            }}}
                        }
                    ]}
                }
            }),
        )
        .unwrap();
    template
        .has_resource(
            "AWS::Logs::LogGroup",
            Match::object_like([
                (
                    "Properties",
                    Match::from(json!({"KmsKeyId": {"Fn::GetAtt": ["LogKeyKey", "Arn"]}})),
                ),
                ("Metadata", Match::absent()),
            ]),
        )
        .unwrap();
    assert_lint_clean_informational("log-key", &text);
}

#[test]
fn a_key_made_elsewhere_is_given_by_arn() {
    let arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let text = synth(|t| t.log_key(arn));
    let template = Template::parse(&text).unwrap();
    template
        .has_resource_properties("AWS::Logs::LogGroup", json!({"KmsKeyId": arn}))
        .unwrap();
    has_exceptions(&template, "TaskLogs", &[]);
}

#[test]
fn the_hardened_container_runs_read_only_without_capabilities_as_the_images_user() {
    let text = synth(|t| t);
    let template = Template::parse(&text).unwrap();
    template
        .has_resource_properties(
            "AWS::ECS::TaskDefinition",
            json!({
                "Volumes": [{"Name": "flask-scratch-1"}],
                "ContainerDefinitions": [{
                    "Name": "flask",
                    "PortMappings": [{"ContainerPort": 8080}],
                    "ReadonlyRootFilesystem": true,
                    "User": "10001:10001",
                    "LinuxParameters": {"Capabilities": {"Drop": ["ALL"]}},
                    "MountPoints": [
                        {"SourceVolume": "flask-scratch-1", "ContainerPath": "/tmp", "ReadOnly": false}
                    ]
                }]
            }),
        )
        .unwrap();
    // the load balancer listens on 80 and reaches the tasks on 8080
    template
        .has_resource_properties("AWS::ElasticLoadBalancingV2::Listener", json!({"Port": 80}))
        .unwrap();
    template
        .has_resource_properties(
            "AWS::ECS::Service",
            json!({"LoadBalancers": [{"ContainerName": "flask", "ContainerPort": 8080}]}),
        )
        .unwrap();
}

#[test]
fn an_invalid_scratch_path_fails_the_build_naming_the_construct() {
    let app = App::new();
    let mut stack = app.stack("Api").unwrap();
    let e = stack
        .construct(
            "Task",
            FargateTaskDefinition::new(FargateSize::ONE_VCPU_2GB)
                .with_container(hardened().scratch_volume("scratch")),
        )
        .unwrap_err();
    assert!(matches!(
        e.downcast_ref::<Error>(),
        Some(Error::InvalidScratchVolume { path, .. }) if path == "scratch"
    ));
    assert!(e.to_string().starts_with("Api/Task"), "{e}");
}

#[test]
fn the_deliberate_exceptions_of_the_service_and_the_execution_role_say_why() {
    let text = synth(|t| t);
    let template = Template::parse(&text).unwrap();
    has_exceptions(
        &template,
        "ServiceSecurityGroup",
        &[(&["cfn_nag:W5"], "NAT gateway"), (&["cfn_nag:W9"], "")],
    );
    has_exceptions(
        &template,
        "TaskExecutionRole",
        &[(&["cfn_nag:W11"], "ecr:GetAuthorizationToken")],
    );

    // egress that is not HTTPS to anywhere needs no W5 exception; a public image needs no ECR
    let app = App::new();
    let mut stack = app.stack("Api").unwrap();
    let cluster = stack.construct("Cluster", Cluster::new()).unwrap();
    let task = stack
        .construct(
            "Task",
            FargateTaskDefinition::new(FargateSize::ONE_VCPU_2GB).with_container(
                Container::new("web", ContainerImage::from_uri("nginx:1.27")).port(8080),
            ),
        )
        .unwrap();
    stack
        .construct(
            "Service",
            FargateService::new(&cluster, &task, &private())
                .egress(Egress::Tcp(vec![EgressRule::tcp("172.31.0.0/16", 443)])),
        )
        .unwrap();
    let text = app.synth().unwrap().stacks[0].template.clone();
    let template = Template::parse(&text).unwrap();
    has_exceptions(&template, "ServiceSecurityGroup", &[]);
    has_exceptions(&template, "TaskExecutionRole", &[]);
}
