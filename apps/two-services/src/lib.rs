//! `app-two-services`: the construct crates composed differently from `app-flask-api`, to
//! show reuse across stacks and within a stack.
//!
//! Two stacks in eu-west-1:
//! - `Network`: a new VPC ([`VPC_CIDR`]) with a public and a private /24 in each of two
//!   zones and one shared NAT gateway. It declares no outputs: what `Services` uses from it
//!   (the VPC id, the private subnet ids) becomes exports here and `Fn::ImportValue` there.
//! - `Services`: one ECS cluster and the [`PrivateServiceApi`] pattern (`Web`): one internal
//!   network load balancer in the private subnets, per entry of [`SERVICES`] a Fargate task
//!   and service ([`web_service`]) attached to its own listener/target group of that load
//!   balancer (admitting only its port from the load balancer's subnets, scaling on CPU), and
//!   one REST API exposing one route per service: `GET /<name>` to that service's port.
//!
//! One REST API for both services: AWS lets a network load balancer be the target of only one
//! REST API VPC link, so the API reaches both listeners through its one link.

use std::time::Duration;

use cloudwright_compute::{
    AutoScaling, Cluster, Container, ContainerImage, FargateSize, FargateTaskDefinition,
};
use cloudwright_core::{App, Error, StackProps};
use cloudwright_ingress::Route;
use cloudwright_network::{NatStrategy, NewVpc, Subnets};
use cloudwright_patterns::{ApiService, PrivateServiceApi};
/// The region both stacks are for.
pub const REGION: &str = "eu-west-1";
/// The network stack's id and name.
pub const NETWORK_STACK: &str = "Network";
/// The services stack's id and name.
pub const SERVICES_STACK: &str = "Services";
/// The new VPC's IPv4 block.
pub const VPC_CIDR: &str = "10.20.0.0/16";
/// The image every service runs (configured at start to listen on its port and answer its
/// public path, see [`nginx_command`]).
pub const IMAGE: &str = "public.ecr.aws/nginx/nginx:1.27";
/// The title of the one public REST API.
pub const API_TITLE: &str = "two-services";
/// The services: name and port (the load balancer listens on the port the container does).
/// The first is the load balancer's primary port, the others additional ports.
pub const SERVICES: [(&str, u16); 2] = [("orders", 8080), ("catalog", 8081)];

/// The public path of the service `name`: `/<name>`.
pub fn public_path(name: &str) -> String {
    format!("/{name}")
}

/// The container command that configures nginx for a service and starts it: listen on `port`
/// (the image's default server listens on 80), answer `<path>` with `<name>` as plain text
/// (the public route's integration forwards the path as it is), and keep serving the welcome
/// page on `/` (the load balancer's health check).
pub fn nginx_command(name: &str, port: u16, path: &str) -> String {
    format!(
        "cat > /etc/nginx/conf.d/default.conf <<'CONF'
server {{
    listen {port};
    location = {path} {{
        default_type text/plain;
        return 200 '{name}\\n';
    }}
    location / {{
        root /usr/share/nginx/html;
        index index.html;
    }}
}}
CONF
exec nginx -g 'daemon off;'"
    )
}

/// One web service of the app, as a service of the [`PrivateServiceApi`] pattern: a Fargate
/// task running [`IMAGE`] on `port`, answering on `/<name>` (its one public route), scaling
/// from 1 to 4 tasks on CPU.
pub fn web_service(name: &str, port: u16) -> ApiService {
    let command = nginx_command(name, port, &public_path(name));
    let mut task = FargateTaskDefinition::new(FargateSize::QUARTER_VCPU_HALF_GB);
    let container = task.add_container(
        Container::new(name, ContainerImage::from_uri(IMAGE))
            .port(port)
            .command(["sh", "-c", command.as_str()]),
    );
    ApiService::new(construct_id(name), task, &container, port)
        .route(Route::get(public_path(name)).public())
        .auto_scaling(AutoScaling::new(1, 4).target_cpu_utilization(60.0))
}

/// `orders` → `Orders`: the construct id of a service.
fn construct_id(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// Builds the `Network` and `Services` stacks into `app`.
pub fn build(app: &mut App) -> Result<(), Error> {
    app.set_region(REGION);
    let mut network_stack = app.stack_with(
        NETWORK_STACK,
        StackProps::new()
            .description("A new VPC: public and private subnets in two zones, one NAT gateway"),
    )?;
    let vpc = network_stack.construct("Vpc", NewVpc::new(VPC_CIDR))?;
    let network = network_stack.construct(
        "Subnets",
        Subnets::new(vpc)
            .availability_zones(2)
            .nat(NatStrategy::Single),
    )?;

    let mut stack = app.stack_with(
        SERVICES_STACK,
        StackProps::new()
            .description("Two Fargate services behind one internal NLB and one public REST API"),
    )?;
    let cluster = stack.construct("Cluster", Cluster::new())?;
    // one API, one VPC link to the load balancer, one listener and route per service
    let web = SERVICES.into_iter().fold(
        PrivateServiceApi::new(API_TITLE, &network.private(), &cluster)
            .nlb(|nlb| nlb.deregistration_delay(Duration::from_secs(30)))
            .api(|api| api.description("The public routes of the orders and catalog services")),
        |web, (name, port)| web.service(web_service(name, port)),
    );
    stack.construct("Web", web)?;
    Ok(())
}
