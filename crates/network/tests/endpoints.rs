//! Gateway VPC endpoints for S3 and DynamoDB on the route tables of subnet groups.

use cloudwright_core::{App, Context};
use cloudwright_network::{
    Error, ExistingVpc, GatewayEndpoint, GatewayService, SubnetGroup, Subnets,
};
use cloudwright_testing::{Match, Template, assert_lint_clean_informational};
use serde_json::json;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const KEY: &str = "vpc-provider:filter.isDefault=true:region=eu-west-1";

fn app() -> App {
    let mut ctx = Context::new();
    ctx.set(
        KEY,
        json!({
            "vpcId": "vpc-0abc1234",
            "cidrBlocks": ["172.31.0.0/16"],
            "ipv6CidrBlocks": [],
            "internetGatewayId": "igw-0abc1234",
            "availabilityZones": ["eu-west-1a", "eu-west-1b"],
            "subnets": []
        }),
        "test context",
    );
    App::with_context(ctx)
}

#[test]
fn s3_and_dynamodb_endpoints_attach_to_every_private_and_isolated_route_table() -> TestResult {
    let app = app();
    let mut stack = app.stack("Net")?;
    let vpc = stack.construct("Vpc", ExistingVpc::default_vpc("eu-west-1"))?;
    let net = stack.construct("Network", Subnets::new(vpc).isolated_prefix(24))?;
    assert_eq!(net.private().route_table_ids().len(), 2);
    assert_eq!(
        net.isolated().route_table_ids().len(),
        1,
        "one shared isolated table, once"
    );
    for (id, service) in [
        ("S3", GatewayService::S3),
        ("Dynamo", GatewayService::DynamoDb),
    ] {
        stack.construct(
            id,
            GatewayEndpoint::new(service, &net.private()).subnets(&net.isolated()),
        )?;
    }
    drop(stack);
    let assembly = app.synth()?;
    assert_lint_clean_informational("Net", &assembly.stacks[0].template);
    let t = Template::from_stack(&assembly, "Net")?;
    t.resource_count_is("AWS::EC2::VPCEndpoint", 2)?;
    t.has_resource_properties(
        "AWS::EC2::VPCEndpoint",
        Match::object_equals([
            ("VpcId", Match::exact(json!("vpc-0abc1234"))),
            ("VpcEndpointType", Match::exact(json!("Gateway"))),
            (
                "ServiceName",
                Match::exact(json!({"Fn::Sub": "com.amazonaws.${AWS::Region}.dynamodb"})),
            ),
            (
                "RouteTableIds",
                Match::exact(json!([
                    {"Ref": "NetworkPrivateRouteTable1"},
                    {"Ref": "NetworkPrivateRouteTable2"},
                    {"Ref": "NetworkIsolatedRouteTable"}
                ])),
            ),
        ]),
    )?;
    Ok(())
}

#[test]
fn imported_subnets_need_their_route_tables() -> TestResult {
    let app = App::new();
    let mut stack = app.stack("Net")?;
    let bare = SubnetGroup::imported("vpc-0abc1234", [("subnet-0000000a", "10.0.1.0/24")]);
    let err = stack
        .construct("S3", GatewayEndpoint::new(GatewayService::S3, &bare))
        .err()
        .ok_or("no route table, no endpoint")?;
    assert_eq!(
        err.downcast_ref::<Error>(),
        Some(&Error::NoRouteTables { service: "s3" })
    );
    assert!(err.to_string().contains("with_route_tables"), "{err}");
    stack.construct(
        "S3Ok",
        GatewayEndpoint::new(
            GatewayService::S3,
            &bare.with_route_tables(["rtb-0abc1234"]),
        ),
    )?;
    Ok(())
}
