//! Constructs wire themselves: a service attached to a load balancer target, with no
//! dependency written by hand, waits for the listener and for the NAT routes of its subnets,
//! and admits the target port from the load balancer's subnets only. An error raised three
//! constructs deep names the full construct path, once.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use cloudwright_compute::{
    Cluster, ClusterOutput, Container, ContainerImage, ContainerRef, FargateService, FargateSize,
    FargateTaskDefinition, FargateTaskDefinitionOutput,
};
use cloudwright_core::assertions::{Match, Template};
use cloudwright_core::{App, Scope};
use cloudwright_ingress::InternalNlb;
use cloudwright_ingress::InternalNlbOutput;
use cloudwright_network::{NatStrategy, NewVpc, Subnets, SubnetsOutput};
use cloudwright_tests::assert_lint_clean;
use serde_json::json;

/// A new VPC with private subnets in `zones` zones (a NAT gateway each), an internal NLB on
/// 8080, a cluster, and a task whose container `web` listens on `container_port`.
fn shop(
    stack: &mut Scope<'_>,
    zones: usize,
    container_port: u16,
) -> (
    SubnetsOutput,
    InternalNlbOutput,
    ClusterOutput,
    FargateTaskDefinitionOutput,
    ContainerRef,
) {
    let vpc = stack.construct("Vpc", NewVpc::new("10.30.0.0/16")).unwrap();
    let network = stack
        .construct(
            "Network",
            Subnets::new(vpc)
                .availability_zones(zones)
                .nat(NatStrategy::PerAz),
        )
        .unwrap();
    let nlb = stack
        .construct("Ingress", InternalNlb::new(&network.private(), 8080))
        .unwrap();
    let cluster = stack.construct("Cluster", Cluster::new()).unwrap();
    let mut task = FargateTaskDefinition::new(FargateSize::HALF_VCPU_1GB);
    let web = task.add_container(
        Container::new(
            "web",
            ContainerImage::from_uri("public.ecr.aws/nginx/nginx:1.27"),
        )
        .port(container_port),
    );
    let task = stack.construct("Task", task).unwrap();
    (network, nlb, cluster, task, web)
}

#[test]
fn an_attached_service_waits_for_its_listener_and_nat_routes_and_admits_only_the_lb_subnets() {
    let app = App::new();
    let mut stack = app.stack("Shop").unwrap();
    let (network, nlb, cluster, task, web) = shop(&mut stack, 3, 8080);
    stack
        .construct(
            "Service",
            FargateService::new(&cluster, &task, &network.private()).attach(nlb.target(), &web),
        )
        .unwrap();
    let assembly = app.synth().unwrap();
    assert_lint_clean("Wiring", &assembly.stacks[0].template);
    let t = Template::from_stack(&assembly, "Shop").unwrap();

    // the listener and, per private subnet, its route table association and NAT route: the
    // transitive reduction keeps exactly these (the NAT gateways, EIPs and route tables are
    // implied by the routes' references)
    t.has_resource(
        "AWS::ECS::Service",
        json!({"DependsOn": [
            "IngressListener",
            "NetworkPrivateDefaultRoute1",
            "NetworkPrivateDefaultRoute2",
            "NetworkPrivateDefaultRoute3",
            "NetworkPrivateSubnet1RouteTableAssociation",
            "NetworkPrivateSubnet2RouteTableAssociation",
            "NetworkPrivateSubnet3RouteTableAssociation",
        ]}),
    )
    .unwrap();
    // the private subnets' blocks, on the target port, and nothing else
    let private_cidrs: Vec<_> = (1..=3)
        .map(|i| {
            t.resource(&format!("NetworkPrivateSubnet{i}")).unwrap()["Properties"]["CidrBlock"]
                .clone()
        })
        .collect();
    let rules: Vec<_> = private_cidrs
        .iter()
        .map(|cidr| json!({"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "CidrIp": cidr}))
        .collect();
    t.has_resource_properties(
        "AWS::EC2::SecurityGroup",
        Match::object_like([(
            "SecurityGroupIngress",
            Match::array_equals(rules.into_iter().map(Match::from)),
        )]),
    )
    .unwrap();
    assert!(
        !private_cidrs.contains(&json!("10.30.0.0/16")),
        "not the whole VPC"
    );
    // the public subnets' blocks are not admitted
    for i in 1..=3 {
        let public =
            &t.resource(&format!("NetworkPublicSubnet{i}")).unwrap()["Properties"]["CidrBlock"];
        assert!(
            !t.json()
                .to_string()
                .contains(&format!("\"CidrIp\":{public}"))
        );
    }
}

#[test]
fn a_container_that_does_not_map_the_target_port_is_refused_naming_the_service() {
    let app = App::new();
    let mut stack = app.stack("Shop").unwrap();
    let (network, nlb, cluster, task, web) = shop(&mut stack, 2, 80);
    let err = stack
        .construct(
            "Service",
            FargateService::new(&cluster, &task, &network.private()).attach(nlb.target(), &web),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Shop/Service: container `web` has no port mapping for tcp port 8080; it maps 80/tcp"
    );
    assert!(matches!(
        err.downcast_ref::<cloudwright_compute::Error>(),
        Some(cloudwright_compute::Error::UnmappedPort { port: 8080, .. })
    ));
}
