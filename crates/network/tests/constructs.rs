//! The network constructs: the original architecture's case, dual-stack, several blocks, a new
//! VPC, and bad input. Every template passes cfn-lint with no findings, informational included.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use cloudwright_core::assertions::{Match, Template};
use cloudwright_core::{App, Context, Error as CoreError};
use cloudwright_network::{
    Error, ExistingVpc, NatStrategy, NewVpc, Port, SecurityGroup, Subnets, SubnetsOutput,
};
use cloudwright_tests::assert_lint_clean_informational;
use serde_json::{Value as Json, json};

const KEY: &str = "vpc-provider:filter.isDefault=true:region=eu-west-1";

fn default_vpc() -> Json {
    json!({
        "vpcId": "vpc-0abc1234",
        "cidrBlocks": ["172.31.0.0/16"],
        "ipv6CidrBlocks": [],
        "internetGatewayId": "igw-0abc1234",
        "availabilityZones": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        "subnets": [
            {"subnetId": "subnet-0000000a", "cidrBlock": "172.31.0.0/20", "ipv6CidrBlocks": [], "availabilityZone": "eu-west-1a"},
            {"subnetId": "subnet-0000000b", "cidrBlock": "172.31.16.0/20", "ipv6CidrBlocks": [], "availabilityZone": "eu-west-1b"},
            {"subnetId": "subnet-0000000c", "cidrBlock": "172.31.32.0/20", "ipv6CidrBlocks": [], "availabilityZone": "eu-west-1c"}
        ]
    })
}

fn app_with(value: Json) -> App {
    let mut ctx = Context::new();
    ctx.set(KEY, value, "test context");
    App::with_context(ctx)
}

fn synth_network(
    value: Json,
    subnets: impl FnOnce(cloudwright_network::Vpc) -> Subnets,
) -> Result<(SubnetsOutput, Template, String), CoreError> {
    let app = app_with(value);
    let mut s = app.stack("Net")?;
    let vpc = s.construct("Vpc", ExistingVpc::default_vpc("eu-west-1"))?;
    let out = s.construct("Network", subnets(vpc))?;
    let asm = app.synth()?;
    let text = asm.stacks[0].template.clone();
    Ok((out, Template::parse(&text).unwrap(), text))
}

/// The logical ids of the resources of a type matching `pattern` (a whole resource).
fn ids(t: &Template, resource_type: &str, pattern: impl Into<Match>) -> Vec<String> {
    t.find_resources(resource_type, pattern)
        .into_iter()
        .map(|(id, _)| id.to_owned())
        .collect()
}

#[test]
fn the_original_case_allocates_beside_the_existing_subnets() {
    let (out, t, text) = synth_network(default_vpc(), Subnets::new).unwrap();
    for (id, cidr) in [
        ("NetworkPrivateSubnet1", "172.31.48.0/24"),
        ("NetworkPrivateSubnet2", "172.31.49.0/24"),
        ("NetworkPublicSubnet1", "172.31.50.0/24"),
        ("NetworkPublicSubnet2", "172.31.51.0/24"),
    ] {
        t.resource_properties_match(id, json!({"CidrBlock": cidr}))
            .unwrap();
    }
    t.resource_properties_match("NetworkPublicSubnet1", json!({"MapPublicIpOnLaunch": true}))
        .unwrap();
    t.resource_properties_match(
        "NetworkPrivateSubnet1",
        Match::object_like([("MapPublicIpOnLaunch", Match::absent())]),
    )
    .unwrap();
    t.resource_properties_match(
        "NetworkPrivateSubnet2",
        Match::object_like([(
            "AvailabilityZone",
            Match::exact(json!({"Fn::Select": [1, {"Fn::GetAZs": ""}]})),
        )]),
    )
    .unwrap();
    assert_eq!(
        out.private[1].availability_zone_name.as_deref(),
        Some("eu-west-1b")
    );
    // public route table to the internet gateway
    t.resource_properties_match(
        "NetworkPublicDefaultRoute",
        json!({"GatewayId": "igw-0abc1234", "DestinationCidrBlock": "0.0.0.0/0"}),
    )
    .unwrap();
    // one NAT per zone, in that zone's public subnet, each private subnet through its own
    for n in 1..=2 {
        t.resource_properties_match(
            &format!("NetworkNatGateway{n}"),
            Match::object_like([(
                "SubnetId",
                Match::exact(json!({"Ref": format!("NetworkPublicSubnet{n}")})),
            )]),
        )
        .unwrap();
        t.resource_properties_match(
            &format!("NetworkPrivateDefaultRoute{n}"),
            Match::object_like([(
                "NatGatewayId",
                Match::exact(json!({"Ref": format!("NetworkNatGateway{n}")})),
            )]),
        )
        .unwrap();
        t.resource_properties_match(&format!("NetworkNatEip{n}"), json!({"Domain": "vpc"}))
            .unwrap();
    }
    assert_eq!(out.private.len(), 2);
    assert_eq!(out.routing.nat_gateways.len(), 2);
    // the existing VPC's resources are not redefined, and no DependsOn is needed
    assert!(!text.contains("AWS::EC2::VPC\""));
    assert!(!text.contains("DependsOn"));
    assert_lint_clean_informational("original-network", &text);
}

#[test]
fn a_single_shared_nat_gateway_serves_every_private_subnet() {
    let (out, t, text) = synth_network(default_vpc(), |v| {
        Subnets::new(v)
            .availability_zones(3)
            .nat(NatStrategy::Single)
    })
    .unwrap();
    assert_eq!(out.routing.nat_gateways.len(), 1);
    for n in 1..=3 {
        t.resource_properties_match(
            &format!("NetworkPrivateDefaultRoute{n}"),
            Match::object_like([(
                "NatGatewayId",
                Match::exact(json!({"Ref": "NetworkNatGateway1"})),
            )]),
        )
        .unwrap();
    }
    assert_lint_clean_informational("single-nat", &text);
}

#[test]
fn pinned_zones_are_named_and_counted() {
    let (_, t, _) = synth_network(default_vpc(), |v| {
        Subnets::new(v).pin_availability_zones(["eu-west-1c", "eu-west-1a"])
    })
    .unwrap();
    t.resource_properties_match(
        "NetworkPublicSubnet1",
        json!({"AvailabilityZone": "eu-west-1c"}),
    )
    .unwrap();
    let msg = error_of(default_vpc(), |v| {
        Subnets::new(v).pin_availability_zones(["eu-west-1a"])
    });
    assert!(
        msg.contains("2 availability zones") && msg.contains("only 1"),
        "{msg}"
    );
}

#[test]
fn an_isolated_tier_has_no_route_out() {
    let (out, t, text) = synth_network(default_vpc(), |v| {
        Subnets::new(v).isolated_prefix(28).nat(NatStrategy::None)
    })
    .unwrap();
    assert_eq!(out.isolated.len(), 2);
    assert_eq!(out.isolated[0].cidr.prefix_len(), 28);
    assert_eq!(
        ids(&t, "AWS::EC2::Route", Match::any_value()),
        ["NetworkPublicDefaultRoute"]
    );
    assert_lint_clean_informational("isolated", &text);
}

#[test]
fn dual_stack_subnets_get_a_64_each_from_the_56() {
    let mut ctx = default_vpc();
    ctx["ipv6CidrBlocks"] = json!(["2a05:d018:abc:de00::/56"]);
    ctx["subnets"][0]["ipv6CidrBlocks"] = json!(["2a05:d018:abc:de00::/64"]);
    let (_, t, text) = synth_network(ctx, |v| Subnets::new(v).dual_stack()).unwrap();
    t.resource_properties_match(
        "NetworkPrivateSubnet1",
        json!({"Ipv6CidrBlock": "2a05:d018:abc:de01::/64"}),
    )
    .unwrap();
    t.resource_properties_match(
        "NetworkPublicSubnet2",
        json!({"Ipv6CidrBlock": "2a05:d018:abc:de04::/64"}),
    )
    .unwrap();
    t.resource_properties_match(
        "NetworkPublicDefaultRouteIpv6",
        json!({"DestinationIpv6CidrBlock": "::/0"}),
    )
    .unwrap();
    assert_lint_clean_informational("dual-stack", &text);
}

#[test]
fn dual_stack_private_subnets_get_ipv6_egress_through_one_egress_only_gateway() {
    let mut ctx = default_vpc();
    ctx["ipv6CidrBlocks"] = json!(["2a05:d018:abc:de00::/56"]);
    let (out, t, text) =
        synth_network(ctx, |v| Subnets::new(v).dual_stack().isolated_prefix(24)).unwrap();
    assert_eq!(
        ids(
            &t,
            "AWS::EC2::EgressOnlyInternetGateway",
            Match::any_value()
        ),
        ["NetworkEgressOnlyInternetGateway"]
    );
    t.resource_properties_match(
        "NetworkEgressOnlyInternetGateway",
        json!({"VpcId": "vpc-0abc1234"}),
    )
    .unwrap();
    for i in 1..=2 {
        t.resource_properties_match(
            &format!("NetworkPrivateDefaultRouteIpv6{i}"),
            Match::object_like([
                ("DestinationIpv6CidrBlock", Match::from("::/0")),
                (
                    "EgressOnlyInternetGatewayId",
                    Match::exact(json!({"Ref": "NetworkEgressOnlyInternetGateway"})),
                ),
                (
                    "RouteTableId",
                    Match::exact(json!({"Ref": format!("NetworkPrivateRouteTable{i}")})),
                ),
            ]),
        )
        .unwrap();
        // what a service placed in the subnet waits for includes its IPv6 route out
        let ready: Vec<&str> = out.private[i - 1]
            .routes
            .iter()
            .map(|r| r.logical_id())
            .collect();
        assert!(
            ready.contains(&format!("NetworkPrivateDefaultRouteIpv6{i}").as_str()),
            "{ready:?}"
        );
    }
    // the isolated tier stays without a route out, IPv6 included
    let isolated_routes = ids(
        &t,
        "AWS::EC2::Route",
        json!({"Properties": {"RouteTableId": {"Ref": "NetworkIsolatedRouteTable"}}}),
    );
    assert_eq!(isolated_routes, Vec::<String>::new());
    assert_lint_clean_informational("dual-stack-egress", &text);
}

#[test]
fn ipv4_only_subnets_have_no_egress_only_gateway() {
    let (out, t, _) = synth_network(default_vpc(), Subnets::new).unwrap();
    assert!(out.routing.egress_only_internet_gateway.is_none());
    t.resource_count_is("AWS::EC2::EgressOnlyInternetGateway", 0)
        .unwrap();
}

#[test]
fn public_subnets_state_why_they_map_public_ips() {
    let (_, t, _) = synth_network(default_vpc(), Subnets::new).unwrap();
    t.resource_matches(
        "NetworkPublicSubnet1",
        Match::object_like([
            ("Properties", json!({"MapPublicIpOnLaunch": true}).into()),
            (
                "Metadata",
                Match::object_like([
                    (
                        "checkov",
                        Match::object_like([(
                            "skip",
                            Match::array_with([json!({"id": "CKV_AWS_130"})]),
                        )]),
                    ),
                    (
                        "cfn_nag",
                        Match::object_like([(
                            "rules_to_suppress",
                            Match::array_with([json!({"id": "W33"})]),
                        )]),
                    ),
                    (
                        "cloudwright",
                        // the exception says why: the NAT gateways live there
                        Match::object_like([(
                            "exceptions",
                            Match::array_with([Match::object_like([(
                                "reason",
                                Match::string_containing("NAT gateways"),
                            )])]),
                        )]),
                    ),
                ]),
            ),
        ]),
    )
    .unwrap();
    // private subnets map no public IP and need no exception
    t.resource_matches(
        "NetworkPrivateSubnet1",
        Match::object_like([("Metadata", Match::absent())]),
    )
    .unwrap();
}

#[test]
fn a_full_first_block_spills_into_the_next_block_in_numeric_order() {
    let ctx = json!({
        "vpcId": "vpc-0123abcd",
        "cidrBlocks": ["10.10.0.0/22", "10.9.0.0/22"],
        "internetGatewayId": "igw-0123abcd",
        "availabilityZones": ["eu-west-1a", "eu-west-1b"],
        "subnets": [
            {"subnetId": "subnet-000000a1", "cidrBlock": "10.9.0.0/23", "availabilityZone": "eu-west-1a"},
            {"subnetId": "subnet-000000a2", "cidrBlock": "10.9.2.0/24", "availabilityZone": "eu-west-1b"}
        ]
    });
    let (_, t, text) = synth_network(ctx, Subnets::new).unwrap();
    // 10.9.0.0/22 (numerically first) has one /24 left; the rest go to 10.10.0.0/22
    for (id, cidr) in [
        ("NetworkPrivateSubnet1", "10.9.3.0/24"),
        ("NetworkPrivateSubnet2", "10.10.0.0/24"),
        ("NetworkPublicSubnet1", "10.10.1.0/24"),
        ("NetworkPublicSubnet2", "10.10.2.0/24"),
    ] {
        t.resource_properties_match(id, json!({"CidrBlock": cidr}))
            .unwrap();
    }
    assert_lint_clean_informational("multi-block", &text);
}

#[test]
fn a_new_dual_stack_vpc_with_its_own_gateway() {
    let app = App::new();
    let mut s = app.stack("Fresh").unwrap();
    let vpc = s
        .construct("Vpc", NewVpc::new("10.0.0.0/16").with_ipv6())
        .unwrap();
    let net = s
        .construct(
            "Network",
            Subnets::new(vpc.clone()).availability_zones(3).dual_stack(),
        )
        .unwrap();
    let sg = s
        .construct(
            "Web",
            SecurityGroup::new(vpc.id(), "web tier").allow_from_vpc(
                Port::Tcp(80),
                &vpc,
                "http from the VPC",
            ),
        )
        .unwrap();
    let _ = (net, sg);
    let asm = app.synth().unwrap();
    let t = Template::from_stack(&asm, "Fresh").unwrap();
    // IPv6 subnets wait for the block; routes and NAT gateways for the gateway attachment
    t.resource_matches(
        "NetworkPrivateSubnet1",
        Match::object_like([
            (
                "Properties",
                Match::object_like([(
                    "AvailabilityZone",
                    Match::object_like([(
                        "Fn::Select",
                        Match::array_equals([Match::from(0), Match::any_value()]),
                    )]),
                )]),
            ),
            ("DependsOn", Match::exact(json!(["VpcIpv6Block"]))),
        ]),
    )
    .unwrap();
    t.resource_matches(
        "NetworkPublicDefaultRoute",
        Match::object_like([("DependsOn", Match::exact(json!(["VpcGatewayAttachment"])))]),
    )
    .unwrap();
    t.resource_properties_match(
        "WebGroup",
        Match::object_like([(
            "SecurityGroupIngress",
            Match::array_with([json!({"CidrIp": "10.0.0.0/16"})]),
        )]),
    )
    .unwrap();
    assert_lint_clean_informational("new-vpc", &asm.stacks[0].template);
}

fn error_of(value: Json, subnets: impl FnOnce(cloudwright_network::Vpc) -> Subnets) -> String {
    let e = synth_network(value, subnets).unwrap_err();
    let msg = e.to_string();
    match &e {
        CoreError::Construct { .. } => {
            assert!(e.downcast_ref::<Error>().is_some(), "{msg}");
            assert!(e.path().is_some_and(|p| p.contains('/')), "{msg}");
        }
        CoreError::InvalidContext { .. } => {}
        other => panic!("unexpected error kind: {other}"),
    }
    msg
}

#[test]
fn a_malformed_cidr_in_context_names_the_key_and_field() {
    let mut ctx = default_vpc();
    ctx["subnets"][1]["cidrBlock"] = json!("172.31.16.0/33");
    let msg = error_of(ctx, Subnets::new);
    assert!(
        msg.contains(KEY) && msg.contains("subnets[1].cidrBlock") && msg.contains("172.31.16.0/33"),
        "{msg}"
    );
}

#[test]
fn a_context_value_of_the_wrong_shape_names_the_key() {
    let mut ctx = default_vpc();
    ctx.as_object_mut().unwrap().remove("cidrBlocks");
    let msg = error_of(ctx, Subnets::new);
    assert!(msg.contains(KEY) && msg.contains("cidrBlocks"), "{msg}");
}

#[test]
fn a_prefix_out_of_range_is_an_error() {
    let msg = error_of(default_vpc(), |v| Subnets::new(v).private_prefix(29));
    assert!(msg.contains("/29"), "{msg}");
    let msg = error_of(default_vpc(), |v| Subnets::new(v).public_prefix(15));
    assert!(msg.contains("/15"), "{msg}");
}

#[test]
fn a_full_vpc_is_an_error_naming_the_largest_free_block() {
    let msg = error_of(default_vpc(), |v| {
        Subnets::new(v).private_prefix(17).public_prefix(17)
    });
    assert!(
        msg.contains("no room") && msg.contains("largest free block"),
        "{msg}"
    );
    // the subnet that did not fit is named, not only the allocator's request number
    assert!(msg.contains("subnet `"), "{msg}");
    let msg = error_of(default_vpc(), |v| Subnets::new(v).private_prefix(29));
    assert!(msg.contains("subnet `PrivateSubnet1`"), "{msg}");
}

#[test]
fn fewer_azs_than_asked_is_an_error() {
    let msg = error_of(default_vpc(), |v| Subnets::new(v).availability_zones(4));
    assert!(
        msg.contains("4 availability zones") && msg.contains("eu-west-1c"),
        "{msg}"
    );
    let msg = error_of(default_vpc(), |v| Subnets::new(v).availability_zones(0));
    assert!(msg.contains("between 1"), "{msg}");
}

#[test]
fn an_unknown_nat_strategy_is_an_error() {
    let e = "per-region".parse::<NatStrategy>().unwrap_err();
    assert!(matches!(e, Error::UnknownNatStrategy(_)));
    assert!(e.to_string().contains("per-az"), "{e}");
    assert_eq!(
        "single".parse::<NatStrategy>().unwrap(),
        NatStrategy::Single
    );
}

#[test]
fn public_subnets_without_an_internet_gateway_are_an_error() {
    let mut ctx = default_vpc();
    ctx["internetGatewayId"] = Json::Null;
    let msg = error_of(ctx, Subnets::new);
    assert!(msg.contains("internet gateway"), "{msg}");
}

#[test]
fn missing_context_names_the_key() {
    let app = App::new();
    let mut s = app.stack("Net").unwrap();
    let e = s
        .construct("Vpc", ExistingVpc::default_vpc("eu-west-1"))
        .unwrap_err();
    assert!(e.to_string().contains(KEY), "{e}");
    assert_eq!(app.missing_context()[0].key, KEY);
}
