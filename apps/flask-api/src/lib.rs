//! `app-flask-api`: the architecture of "Deploying a scalable Flask API using AWS
//! CloudFormation, Fargate and Python", rebuilt from cloudwright's constructs with the
//! original's defects fixed.
//!
//! One stack, `FlaskApi`, in eu-west-1:
//! - the account's default VPC, from context; two private and two public /24 subnets
//!   allocated beside the subnets already there; a public route table to the VPC's internet
//!   gateway, a NAT gateway with an Elastic IP per zone, private route tables through them;
//! - an internal network load balancer in the private subnets (listening on TCP 80,
//!   forwarding to the containers' port 8080, HTTP health check);
//! - a REST API (stage `v1`) exposing only `GET /{person}/{firstname}` through a VPC link;
//!   every other endpoint of the Flask app stays reachable only from inside the VPC;
//! - an ECS cluster with Container Insights, a Fargate task (1 vCPU, 2 GB) with one
//!   hardened container `flask` on port 8080 built from `service/` (an image asset:
//!   `cloudwright deploy` builds and pushes it, tagged with the hash of its source; a
//!   read-only root file system with a scratch volume at `/tmp`, every Linux capability
//!   dropped, the image's non-root user 10001), its log group kept when the stack goes, two
//!   tasks in the private subnets behind the load balancer, scaling from 2 to 10 on CPU.
//!
//! `-c nat=single` shares one NAT gateway instead of one per zone; `-c image=lookup` runs the
//! newest image pushed by hand to the ECR repository `my_flask_repo` instead (pinned by
//! digest, from the context file).

use cloudwright_compute::{
    AutoScaling, Cluster, Container, ContainerImage, FargateService, FargateSize,
    FargateTaskDefinition,
};
use cloudwright_core::{App, Error, StackProps};
use cloudwright_ingress::{HealthCheck, InternalNlb, PublicApi, Route};
use cloudwright_network::{ExistingVpc, NatStrategy, Subnets};

/// The region the stack is for.
pub const REGION: &str = "eu-west-1";
/// The stack's id and name.
pub const STACK: &str = "FlaskApi";
/// The ECR repository the image is looked up in with `-c image=lookup`.
pub const REPOSITORY: &str = "my_flask_repo";
/// The Flask service's source: the image is built from it (the default).
pub const SERVICE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/service");
/// The port the container listens on: unprivileged, because the container drops every Linux
/// capability (`NET_BIND_SERVICE` included) and Fargate cannot add one back.
pub const PORT: u16 = 8080;
/// The port the load balancer listens on (what the API's VPC link integration calls).
pub const LISTENER_PORT: u16 = 80;
/// The image's user and group (`USER 10001:10001` in `service/Dockerfile`).
pub const USER: &str = "10001:10001";
/// The writable directory of the read-only container: gunicorn's `--worker-tmp-dir` and the
/// system's temporary directory.
pub const SCRATCH: &str = "/tmp";
/// The header the API sets on every request it forwards; the Flask app refuses
/// `/internal/...` requests that carry it, since `GET /{person}/{firstname}` would otherwise
/// match `GET /internal/people`.
pub const PUBLIC_REQUEST_HEADER: &str = "X-Public-Request";

/// Builds the `FlaskApi` stack into `app`.
pub fn build(app: &mut App) -> Result<(), Error> {
    app.set_region(REGION);
    let mut stack = app.stack_with(
        STACK,
        StackProps::new().description(
            "Flask API on ECS Fargate behind an internal NLB; API Gateway exposes only GET /{person}/{firstname}",
        ),
    )?;
    let nat = stack
        .context_parse::<NatStrategy>("nat")?
        .unwrap_or_default();

    let vpc = stack.construct("Vpc", ExistingVpc::default_vpc(REGION))?;
    let network = stack.construct("Network", Subnets::new(vpc).nat(nat))?;

    let nlb = stack.construct(
        "Ingress",
        InternalNlb::new(&network.private(), PORT)
            .listener_port(LISTENER_PORT)
            .health_check(HealthCheck::http("/health")),
    )?;
    stack.construct(
        "Api",
        PublicApi::new("person-identifier", &nlb)
            .route(Route::get("/{person}/{firstname}").public())
            .stage_name("v1")
            .integration_header(PUBLIC_REQUEST_HEADER, "1"),
    )?;

    let cluster = stack.construct("Cluster", Cluster::new())?;
    // the image: built from the service's source (`-c serviceDirectory=DIR` to build
    // another copy), or the newest one pushed to the repository by hand (`-c image=lookup`)
    let image = match stack.context("image").and_then(|v| v.as_str()) {
        Some("lookup") => ContainerImage::from(ContainerImage::ecr_lookup(REPOSITORY)),
        _ => {
            let dir = stack
                .context("serviceDirectory")
                .and_then(|v| v.as_str())
                .unwrap_or(SERVICE_DIR);
            ContainerImage::from(ContainerImage::from_asset(dir))
        }
    };
    let mut task = FargateTaskDefinition::new(FargateSize::ONE_VCPU_2GB);
    let flask = task.add_container(
        Container::new("flask", image)
            .port(PORT)
            .readonly_root_filesystem(true)
            .scratch_volume(SCRATCH)
            .drop_capabilities(["ALL"])
            .user(USER),
    );
    let task = stack.construct("Task", task)?;
    stack.construct(
        "Service",
        FargateService::new(&cluster, &task, &network.private())
            .desired_count(2)
            .attach(nlb.target(), &flask)
            .auto_scaling(AutoScaling::new(2, 10).target_cpu_utilization(60.0)),
    )?;
    Ok(())
}
