//! `app-two-services`: the construct crates composed differently from `app-flask-api`, to
//! show reuse across stacks and within a stack.
//!
//! Two stacks in eu-west-1:
//! - `Network`: a new VPC ([`VPC_CIDR`]) with a public and a private /24 in each of two
//!   zones and one shared NAT gateway. It declares no outputs: what `Services` uses from it
//!   (the VPC id, the private subnet ids) becomes exports here and `Fn::ImportValue` there.
//! - `Services`: one ECS cluster, one internal network load balancer in the private
//!   subnets, per entry of [`SERVICES`] a [`WebService`] (a Fargate task and service
//!   attached to its own listener/target group of that load balancer, admitting only its port
//!   from the load balancer's subnets, scaling on CPU), and one REST API exposing one route per
//!   service: `GET /<name>` to that service's load balancer port.
//!
//! One REST API for both services: AWS lets a network load balancer be the target of only one
//! REST API VPC link, so the API reaches both listeners through its one link
//! ([`PublicApi::route_to`]).

use cloudwright_compute::{
    AutoScaling, Cluster, ClusterOutput, Container, ContainerImage, FargateService,
    FargateServiceOutput, FargateSize, FargateTaskDefinition,
};
use cloudwright_core::{App, Construct, Error, Scope, StackProps};
use std::time::Duration;

use cloudwright_ingress::{InternalNlb, InternalNlbOutput, PublicApi, Route};
use cloudwright_network::{NatStrategy, NewVpc, Subnets, SubnetsOutput};

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

/// One web service of the app: a Fargate task running [`IMAGE`] on `port`, answering on
/// `/<name>`, and its service in the private subnets behind one port of a shared internal NLB.
/// The public route to it belongs to the app's one [`PublicApi`].
///
/// Built into `<Id>/Task` and `<Id>/Service` (security group, service, scaling).
pub struct WebService<'a> {
    /// The service's name (the container's name; its public path is `/<name>`).
    pub name: String,
    /// The port the container listens on; it must be the target port of `nlb_port`.
    pub port: u16,
    /// The image, by URI.
    pub image: String,
    /// The cluster the service runs in.
    pub cluster: &'a ClusterOutput,
    /// The VPC and its subnets (from the network stack).
    pub network: &'a SubnetsOutput,
    /// The shared load balancer.
    pub nlb: &'a InternalNlbOutput,
    /// The port the load balancer listens on for this service.
    pub nlb_port: u16,
}

impl Construct for WebService<'_> {
    type Output = FargateServiceOutput;

    fn build(self, scope: &mut Scope<'_>) -> Result<FargateServiceOutput, Error> {
        let Some(target) = self.nlb.target_at(self.nlb_port) else {
            return Err(scope.invalid(format!(
                "the load balancer does not listen on port {}",
                self.nlb_port
            )));
        };
        if target.target_port() != self.port {
            return Err(scope.invalid(format!(
                "the service listens on {} but its load balancer port forwards to {}",
                self.port,
                target.target_port()
            )));
        }
        let command = nginx_command(&self.name, self.port, &public_path(&self.name));
        let mut task = FargateTaskDefinition::new(FargateSize::QUARTER_VCPU_HALF_GB);
        let container = task.add_container(
            Container::new(
                self.name.as_str(),
                ContainerImage::from_uri(self.image.as_str()),
            )
            .port(self.port)
            .command(["sh", "-c", command.as_str()]),
        );
        let task = scope.construct("Task", task)?;

        scope.construct(
            "Service",
            FargateService::new(self.cluster, &task, &self.network.private())
                .desired_count(1)
                .attach(target, &container)
                .auto_scaling(AutoScaling::new(1, 4).target_cpu_utilization(60.0)),
        )
    }
}

/// PascalCase construct id of a service name (`orders` -> `Orders`).
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
    let [(_, primary), additional @ ..] = SERVICES;
    let nlb = additional.iter().fold(
        InternalNlb::new(&network.private(), primary).deregistration_delay(Duration::from_secs(30)),
        |nlb, &(_, port)| nlb.additional_port(port, port),
    );
    let nlb = stack.construct("Ingress", nlb)?;
    let cluster = stack.construct("Cluster", Cluster::new())?;
    // one API, one VPC link to the load balancer, one route per service to its own port
    let mut api = PublicApi::new(API_TITLE, &nlb)
        .description("The public routes of the orders and catalog services");
    for ((name, port), nlb_port) in SERVICES.into_iter().zip(nlb.ports()) {
        stack.construct(
            &construct_id(name),
            WebService {
                name: name.into(),
                port,
                image: IMAGE.into(),
                cluster: &cluster,
                network: &network,
                nlb: &nlb,
                nlb_port: nlb_port.listener_port,
            },
        )?;
        api = api.route_to(Route::get(public_path(name)), nlb_port);
    }
    stack.construct("Api", api)?;
    Ok(())
}
