//! `app-two-services`: the construct crates composed differently from `app-flask-api`, to
//! show reuse across stacks and within a stack.
//!
//! Two stacks in eu-west-1:
//! - `Network`: a new VPC ([`VPC_CIDR`]) with a public and a private /24 in each of two
//!   zones and one shared NAT gateway. It declares no outputs: what `Services` uses from it
//!   (the VPC id, the private subnet ids) becomes exports here and `Fn::ImportValue` there.
//! - `Services`: one ECS cluster, one internal network load balancer in the private
//!   subnets, and per entry of [`SERVICES`] a [`WebService`]: a Fargate task and service
//!   registered behind its own listener/target group of that load balancer, admitting only
//!   its port from the VPC's CIDR, scaling on CPU, with a REST API exposing one route.
//!
//! One REST API per service: a [`PublicApi`] targets one load balancer port
//! ([`ApiTarget::for_port`]), so two ports need two APIs.

use cloudwright_compute::{
    AutoScaling, Cluster, ClusterOutput, Container, ContainerImage, FargateService, FargateSize,
    FargateTaskDefinition, ServiceOutput,
};
use cloudwright_core::{App, Construct, Error, Scope, StackProps};
use cloudwright_ingress::{
    ApiTarget, InternalNlb, InternalNlbOutput, NlbPort, PublicApi, PublicApiOutput, Route,
};
use cloudwright_network::{NatStrategy, NewVpc, Subnets, SubnetsOutput};

/// The region both stacks are for.
pub const REGION: &str = "eu-west-1";
/// The network stack's id and name.
pub const NETWORK_STACK: &str = "Network";
/// The services stack's id and name.
pub const SERVICES_STACK: &str = "Services";
/// The new VPC's IPv4 block.
pub const VPC_CIDR: &str = "10.20.0.0/16";
/// The image every service runs (set to listen on its port at start).
pub const IMAGE: &str = "public.ecr.aws/nginx/nginx:1.27";
/// The services: name and port (the load balancer listens on the port the container does).
/// The first is the load balancer's primary port, the others additional ports.
pub const SERVICES: [(&str, u16); 2] = [("orders", 8080), ("catalog", 8081)];

/// One web service of the app: a Fargate task running [`IMAGE`] on `port`, its service in
/// the private subnets behind one port of a shared internal NLB, and a public REST API that
/// exposes `route` only.
///
/// Built into `<Id>/Task`, `<Id>/Service` (security group, service, scaling) and `<Id>/Api`.
pub struct WebService<'a> {
    /// The service's name (the container's name and the API's title).
    pub name: String,
    /// The port the container listens on; it must be the target port of `nlb_port`.
    pub port: u16,
    /// The image, by URI.
    pub image: String,
    /// The one route the API exposes.
    pub route: Route,
    /// The cluster the service runs in.
    pub cluster: &'a ClusterOutput,
    /// The VPC and its subnets (from the network stack).
    pub network: &'a SubnetsOutput,
    /// The shared load balancer.
    pub nlb: &'a InternalNlbOutput,
    /// The listener and target group of the load balancer for this service.
    pub nlb_port: &'a NlbPort,
}

/// What a [`WebService`] made.
#[derive(Clone, Debug)]
pub struct WebServiceOutput {
    /// The Fargate service.
    pub service: ServiceOutput,
    /// The public API.
    pub api: PublicApiOutput,
}

impl Construct for WebService<'_> {
    type Output = WebServiceOutput;

    fn build(self, scope: &mut Scope<'_>) -> Result<WebServiceOutput, Error> {
        if self.nlb_port.target_port != self.port {
            return Err(scope.invalid(format!(
                "the service listens on {} but its load balancer port forwards to {}",
                self.port, self.nlb_port.target_port
            )));
        }
        let image = ContainerImage::from_uri(&self.image).map_err(|e| scope.error(e))?;
        // nginx listens on 80; move it to the service's port before starting it
        let listen = format!(
            "sed -i 's/80;/{};/' /etc/nginx/conf.d/default.conf && exec nginx -g 'daemon off;'",
            self.port
        );
        let mut task = FargateTaskDefinition::new(FargateSize::QUARTER_VCPU_HALF_GB);
        let container = task
            .add_container(
                Container::new(self.name.as_str(), image)
                    .port(self.port)
                    .command(["sh", "-c", listen.as_str()]),
            )
            .map_err(|e| scope.error(e))?;
        let http = container.port(self.port).map_err(|e| scope.error(e))?;
        let task = scope.construct("Task", task)?;

        let vpc = &self.network.vpc;
        let service = scope.construct(
            "Service",
            FargateService::new(
                self.cluster,
                &task,
                vpc.id(),
                self.network.private_subnet_ids(),
            )
            .desired_count(1)
            .allow_from_cidrs(vpc.ipv4_cidr_values())
            .load_balancer(self.nlb_port.target_group_arn(), http)
            .depends_on(&self.nlb_port.listener)
            .auto_scaling(AutoScaling::new(1, 4).target_cpu_utilization(60.0)),
        )?;
        let api = scope.construct(
            "Api",
            PublicApi::new(
                self.name.as_str(),
                ApiTarget::for_port(self.nlb, self.nlb_port),
            )
            .description(format!("The public route of the {} service", self.name))
            .route(self.route),
        )?;
        Ok(WebServiceOutput { service, api })
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
    let network = {
        let mut stack = app.stack_with(
            NETWORK_STACK,
            StackProps {
                region: Some(REGION.into()),
                description: Some(
                    "A new VPC: public and private subnets in two zones, one NAT gateway".into(),
                ),
                ..StackProps::default()
            },
        )?;
        let cidr = VPC_CIDR
            .parse()
            .map_err(|e| Error::construct(format!("{NETWORK_STACK}/Vpc"), e))?;
        let vpc = stack.construct("Vpc", NewVpc::new(cidr))?;
        stack.construct(
            "Subnets",
            Subnets::new(vpc)
                .availability_zones(2)
                .nat(NatStrategy::Single),
        )?
    };

    let mut stack = app.stack_with(
        SERVICES_STACK,
        StackProps {
            region: Some(REGION.into()),
            description: Some(
                "Two Fargate services behind one internal NLB, one public REST API each".into(),
            ),
            ..StackProps::default()
        },
    )?;
    let [(_, primary), additional @ ..] = SERVICES;
    let nlb = additional.iter().fold(
        InternalNlb::new(network.vpc.id(), network.private_subnet_ids(), primary)
            .deregistration_delay(30),
        |nlb, &(_, port)| nlb.additional_port(port, port),
    );
    let nlb = stack.construct("Ingress", nlb)?;
    let cluster = stack.construct("Cluster", Cluster::new())?;
    for ((name, port), nlb_port) in SERVICES.into_iter().zip(nlb.ports()) {
        stack.construct(
            &construct_id(name),
            WebService {
                name: name.into(),
                port,
                image: IMAGE.into(),
                route: Route::get("/"),
                cluster: &cluster,
                network: &network,
                nlb: &nlb,
                nlb_port,
            },
        )?;
    }
    Ok(())
}
