//! [`PrivateServiceApi`]: one construct for Fargate services in
//! private subnets behind an internal network load balancer, reachable from the internet only
//! through the routes a REST API declares (one VPC link, one listener per service), scaling
//! with load, secure by default, every piece reachable for adjustment.

use cloudwright_core::{Construct, Error as CoreError, Scope};
use cloudwright_ingress::{InternalNlb, InternalNlbOutput, PublicApi, PublicApiOutput, Route};
use cloudwright_network::SubnetGroup;

use cloudwright_compute::{
    AutoScaling, ClusterOutput, ContainerRef, FargateService, FargateServiceOutput,
    FargateTaskDefinition, FargateTaskDefinitionOutput,
};

use crate::error::Error;

type Adjust<T> = Box<dyn FnOnce(T) -> T>;

/// One service of a [`PrivateServiceApi`]: its task definition, the container the load
/// balancer sends traffic to and on which port, and the public routes that reach it.
pub struct ApiService {
    id: String,
    task: FargateTaskDefinition,
    container: ContainerRef,
    port: u16,
    routes: Vec<Route>,
    desired_count: u32,
    scaling: Option<AutoScaling>,
    adjust: Option<Adjust<FargateService>>,
}

impl ApiService {
    /// The service `id` (its construct id) running `task`, whose `container` listens on
    /// `port`; the load balancer listens on the same port.
    pub fn new(
        id: impl Into<String>,
        task: FargateTaskDefinition,
        container: &ContainerRef,
        port: u16,
    ) -> Self {
        ApiService {
            id: id.into(),
            task,
            container: container.clone(),
            port,
            routes: Vec::new(),
            desired_count: 1,
            scaling: None,
            adjust: None,
        }
    }

    /// Exposes `route` from the internet, to this service. A service without routes is
    /// reachable from inside the VPC only.
    pub fn route(mut self, route: Route) -> Self {
        self.routes.push(route);
        self
    }

    /// How many tasks to keep running (default 1).
    pub fn desired_count(mut self, count: u32) -> Self {
        self.desired_count = count;
        self
    }

    /// Scales the service with load.
    pub fn auto_scaling(mut self, scaling: AutoScaling) -> Self {
        self.scaling = Some(scaling);
        self
    }

    /// Adjusts the Fargate service before it is built (egress, deployment settings, ...).
    pub fn adjust(mut self, f: impl FnOnce(FargateService) -> FargateService + 'static) -> Self {
        self.adjust = Some(Box::new(f));
        self
    }
}

/// [`PrivateServiceApi`]: one construct for Fargate services in
/// private subnets behind an internal network load balancer, reachable from the internet only
/// through the routes a REST API declares (one VPC link, one listener per service), scaling
/// with load, secure by default, every piece reachable for adjustment.
///
/// ```
/// use std::time::Duration;
/// use cloudwright_compute::{
///     AutoScaling, Cluster, Container, ContainerImage, FargateSize, FargateTaskDefinition,
/// };
/// use cloudwright_patterns::{ApiService, PrivateServiceApi};
/// use cloudwright_core::App;
/// use cloudwright_ingress::{HealthCheck, Route};
/// use cloudwright_network::SubnetGroup;
///
/// let app = App::new();
/// let mut stack = app.stack("People")?;
/// // normally `network.private()` of the network crate's `Subnets`
/// let private = SubnetGroup::imported("vpc-0123abcd", [("subnet-0000000a", "10.0.1.0/24"), ("subnet-0000000b", "10.0.2.0/24")]);
/// let cluster = stack.construct("Cluster", Cluster::new())?;
/// let mut task = FargateTaskDefinition::new(FargateSize::ONE_VCPU_2GB);
/// let flask = task.add_container(Container::new("flask", ContainerImage::from_uri("nginx:1.27")).port(80));
/// let people = stack.construct(
///     "People",
///     PrivateServiceApi::new("person-identifier", &private, &cluster)
///         .service(
///             ApiService::new("Flask", task, &flask, 80)
///                 .route(Route::get("/{person}/{firstname}").public())
///                 .desired_count(2)
///                 .auto_scaling(AutoScaling::new(2, 10).target_cpu_utilization(60.0)),
///         )
///         // every piece can be adjusted before it is built
///         .nlb(|nlb| nlb.health_check(HealthCheck::http("/health").interval(Duration::from_secs(30)))),
/// )?;
/// assert_eq!(people.api.exposed_routes().len(), 1);
/// assert_eq!(people.service("Flask")?.service.service.logical_id(), "PeopleFlaskServiceService");
/// // a service is reached by its id; a typo is named with the ids there are
/// let typo = people.service("Flsak").err().map(|e| e.to_string()).unwrap_or_default();
/// assert!(typo.contains("did you mean `Flask`?"), "{typo}");
/// app.synth()?;
/// # Ok::<(), cloudwright_core::Error>(())
/// ```
///
/// Fargate services exposed only through declared API routes, built into:
///
/// - `Ingress`: an [`InternalNlb`] in the subnets, one listener and target group per service
///   port (the first service's is the primary);
/// - `<service id>/Task` and `<service id>/Service`: each service's task definition and
///   Fargate service, attached to its target (so its security group admits only the load
///   balancer's subnets, and it waits for its listener and its subnets' routes);
/// - `Api`: a [`PublicApi`] with one VPC link, routing each declared route to its service's
///   listener; nothing else is reachable from the internet.
pub struct PrivateServiceApi<'a> {
    title: String,
    subnets: SubnetGroup,
    cluster: &'a ClusterOutput,
    services: Vec<ApiService>,
    nlb: Option<Adjust<InternalNlb>>,
    api: Option<Adjust<PublicApi>>,
}

impl<'a> PrivateServiceApi<'a> {
    /// An API titled `title` in front of services placed in `subnets` (normally the private
    /// ones) of `cluster`.
    pub fn new(
        title: impl Into<String>,
        subnets: &SubnetGroup,
        cluster: &'a ClusterOutput,
    ) -> Self {
        PrivateServiceApi {
            title: title.into(),
            subnets: subnets.clone(),
            cluster,
            services: Vec::new(),
            nlb: None,
            api: None,
        }
    }

    /// Adds a service (each on a port of its own).
    pub fn service(mut self, service: ApiService) -> Self {
        self.services.push(service);
        self
    }

    /// Adjusts the load balancer before it is built (health check, deregistration delay,
    /// security groups, ...).
    pub fn nlb(mut self, f: impl FnOnce(InternalNlb) -> InternalNlb + 'static) -> Self {
        self.nlb = Some(Box::new(f));
        self
    }

    /// Adjusts the API before it is built (stage, throttling, access logs, custom domain,
    /// integration headers, ...).
    pub fn api(mut self, f: impl FnOnce(PublicApi) -> PublicApi + 'static) -> Self {
        self.api = Some(Box::new(f));
        self
    }
}

/// One service of a [`PrivateServiceApiOutput`].
#[derive(Clone, Debug)]
pub struct ApiServiceOutput {
    /// The service's construct id.
    pub id: String,
    /// Its task definition.
    pub task: FargateTaskDefinitionOutput,
    /// Its Fargate service.
    pub service: FargateServiceOutput,
}

/// What a [`PrivateServiceApi`] made: every piece.
#[derive(Clone, Debug)]
pub struct PrivateServiceApiOutput {
    /// The internal load balancer.
    pub nlb: InternalNlbOutput,
    /// The REST API.
    pub api: PublicApiOutput,
    /// The services, in the order they were added.
    pub services: Vec<ApiServiceOutput>,
}

impl PrivateServiceApiOutput {
    /// The service added as `id`, to reach its task (for grants) or its Fargate service by
    /// name rather than by position:
    /// `table.grant_read_write_data(&mut stack, &web.service("Orders")?.task)?`.
    pub fn service(&self, id: &str) -> Result<&ApiServiceOutput, Error> {
        self.services.iter().find(|s| s.id == id).ok_or_else(|| {
            let ids = || self.services.iter().map(|s| s.id.as_str());
            Error::NoSuchService {
                id: id.to_owned(),
                known: ids().collect::<Vec<_>>().join(", "),
                hint: cloudwright_core::id::closest(id, ids())
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default(),
            }
        })
    }
}

/// A service's task and Fargate service, in a scope of their own.
struct ServiceParts<'a> {
    service: ApiService,
    subnets: &'a SubnetGroup,
    cluster: &'a ClusterOutput,
    nlb: &'a InternalNlbOutput,
}

impl Construct for ServiceParts<'_> {
    type Output = ApiServiceOutput;
    fn build(self, scope: &mut Scope<'_>) -> Result<ApiServiceOutput, CoreError> {
        let s = self.service;
        let target = self
            .nlb
            .target_at(s.port)
            .ok_or(Error::NoListenerForPort { port: s.port })?;
        let task = scope.construct("Task", s.task)?;
        let mut fargate = FargateService::new(self.cluster, &task, self.subnets)
            .desired_count(s.desired_count)
            .attach(target, &s.container);
        if let Some(scaling) = s.scaling {
            fargate = fargate.auto_scaling(scaling);
        }
        if let Some(adjust) = s.adjust {
            fargate = adjust(fargate);
        }
        let service = scope.construct("Service", fargate)?;
        Ok(ApiServiceOutput {
            id: s.id,
            task,
            service,
        })
    }
}

impl Construct for PrivateServiceApi<'_> {
    type Output = PrivateServiceApiOutput;

    fn build(self, scope: &mut Scope<'_>) -> Result<PrivateServiceApiOutput, CoreError> {
        let Some((first, rest)) = self.services.split_first() else {
            return Err(Error::NoServices.into());
        };
        let mut nlb = InternalNlb::new(&self.subnets, first.port);
        for s in rest {
            nlb = nlb.additional_port(s.port, s.port);
        }
        if let Some(adjust) = self.nlb {
            nlb = adjust(nlb);
        }
        let nlb = scope.construct("Ingress", nlb)?;

        let mut api = PublicApi::new(self.title, &nlb);
        for s in &self.services {
            for route in &s.routes {
                api = api.route_to_port(route.clone(), s.port);
            }
        }
        if let Some(adjust) = self.api {
            api = adjust(api);
        }
        let api = scope.construct("Api", api)?;

        let mut services = Vec::new();
        for service in self.services {
            let id = service.id.clone();
            services.push(scope.construct(
                &id,
                ServiceParts {
                    service,
                    subnets: &self.subnets,
                    cluster: self.cluster,
                    nlb: &nlb,
                },
            )?);
        }
        Ok(PrivateServiceApiOutput { nlb, api, services })
    }
}
