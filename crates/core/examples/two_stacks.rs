//! A small two-stack app built from raw resources: a network stack with a VPC and a service
//! stack whose security group uses the VPC across stacks (an export and an import appear by
//! themselves), a declared dependency, parameters, tags and outputs.
//!
//! Run it with `cargo run -p cloudwright-core --example two_stacks`; it writes
//! `cloudwright.out/`.

use std::process::ExitCode;

use cloudwright_core::{App, Error, Output, Parameter, RawResource, TagFormat, Value};

/// Builds the example's stacks into `app`.
pub fn build(app: &mut App) -> Result<(), Error> {
    let mut network = app.stack("Network")?;
    network.add_tag("project", "two-stacks");
    let vpc = network.add(
        "Vpc",
        RawResource::new("AWS::EC2::VPC")
            .property("CidrBlock", "10.0.0.0/16")
            .property("EnableDnsHostnames", true)
            .property("EnableDnsSupport", true)
            .with_tag_format(TagFormat::KeyValueList),
    )?;
    network.add_output(
        "VpcId",
        Output::new(vpc.r#ref()).description("The VPC's id"),
    )?;

    let mut service = app.stack("Service")?;
    let port = service.add_parameter(
        "Port",
        Parameter::new("Number")
            .default_value(8080)
            .description("The port the service listens on"),
    )?;
    let group = service.add(
        "Group",
        RawResource::new("AWS::EC2::SecurityGroup")
            .property("GroupDescription", "Tasks of the service")
            .property("VpcId", vpc.r#ref())
            .with_tag_format(TagFormat::KeyValueList),
    )?;
    let ingress = service.add(
        "Ingress",
        RawResource::new("AWS::EC2::SecurityGroupIngress")
            .property("GroupId", group.resource_ref().get_att("GroupId"))
            .property("IpProtocol", "tcp")
            .property("FromPort", port.r#ref())
            .property("ToPort", port.r#ref())
            .property("CidrIp", vpc.resource_ref().get_att("CidrBlock"))
            .property("Description", "the VPC may reach the service"),
    )?;
    let log = service.add(
        "Logs",
        RawResource::new("AWS::Logs::LogGroup").property("RetentionInDays", 14),
    )?;
    // the log group is only useful once the port is open: a declared dependency
    service.add_dependency(&log, &ingress);
    service.add_output(
        "GroupId",
        Output::new(group.resource_ref().get_att("GroupId"))
            .export(Value::sub("${AWS::StackName}-GroupId")),
    )?;
    Ok(())
}

#[allow(dead_code)] // also compiled into the workspace tests, which call `build` only
fn main() -> ExitCode {
    cloudwright_core::run("cloudwright.context.json", build)
}
