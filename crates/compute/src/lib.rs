//! `cloudwright-compute`: what runs code — ECS on Fargate and AWS Lambda — as constructs.
//!
//! - [`Function`]: a Lambda function ([`Runtime`], handler, memory, `Duration` timeout,
//!   environment, X-Ray on, a retained log group, reserved concurrency, optional placement in
//!   a subnet group, failure destinations) whose [`Code`] comes from a directory (a zip
//!   asset), inline text (at most 4 KiB), an image asset or a Rust package built for
//!   `provided.al2023`; its role is an iam `Role` and the built function is a `Grantee`.
//!   Event sources: [`SqsEventSource`] (`add_sqs_source`: the consume grant added, a queue
//!   whose visibility timeout is below the function's timeout refused), [`Schedule`]
//!   (`add_schedule`: an EventBridge rule and the permission for it), [`S3EventSource`]
//!   (`add_s3_source`: a bucket's object events through EventBridge) and a data crate
//!   `TopicSubscription` (`subscribe_to`: the SNS subscription and the permission for that
//!   topic only).
//! - [`Cluster`]: an ECS cluster with the `FARGATE` and `FARGATE_SPOT` capacity providers
//!   (no fixed name unless asked for, so copies of a stack coexist).
//! - [`FargateTaskDefinition`]: a task of a [`FargateSize`] (only the CPU/memory pairs Fargate
//!   supports exist), [`Container`]s whose images are given by reference, looked up in ECR and
//!   pinned by digest ([`ContainerImage::ecr_lookup`]) or built from a directory
//!   ([`ContainerImage::from_asset`]), whose reservations must fit the task, logging to a log
//!   group it creates (or through a FireLens [`LogRouter`]), with a least-privilege execution
//!   role passed by ARN.
//! - [`FargateService`]: the tasks in private subnets without public IPs (created after their
//!   subnets' routes), [`attach`](FargateService::attach)ed to a load balancer's target: the
//!   security group admits only the load balancer's subnets on the target port, the service
//!   waits for the listener; a circuit breaker rolls back failed deployments.
//! - [`AutoScaling`]: target tracking on CPU, memory or ALB request count.
//! - [`LogKey`]: a customer-managed KMS key CloudWatch Logs may use for this account's log
//!   groups ([`FargateTaskDefinition::log_key`]).
//!
//! What a production team turns on is on by default (Container Insights, log groups kept
//! when the stack goes), and where a check is deliberately not met (an HTTPS egress to
//! anywhere, `ecr:GetAuthorizationToken` on `*`, service-managed log encryption) the
//! resource's `Metadata` says why, for checkov, cfn_nag and `cloudwright audit`.
//!
//! Constructs are pure: they read context (for ECR lookups) and files (image assets) and add
//! resources, and never call AWS. Invalid input is an [`Error`]; `?` turns it into the core
//! error, which names the construct's path.
//!
//! ```
//! use cloudwright_compute::{
//!     AutoScaling, Cluster, Container, ContainerImage, FargateService, FargateSize,
//!     FargateTaskDefinition,
//! };
//! use cloudwright_core::App;
//! use cloudwright_ingress::InternalNlb;
//! use cloudwright_network::SubnetGroup;
//!
//! let app = App::new();
//! let mut stack = app.stack("Api")?;
//! // normally `network.private()` of the network crate's `Subnets`
//! let private = SubnetGroup::imported(
//!     "vpc-0123456789abcdef0",
//!     [("subnet-0123456789abcdef0", "10.0.1.0/24"), ("subnet-0123456789abcdef1", "10.0.2.0/24")],
//! );
//! let nlb = stack.construct("Ingress", InternalNlb::new(&private, 80))?;
//! let cluster = stack.construct("Cluster", Cluster::new())?;
//! let mut task = FargateTaskDefinition::new(FargateSize::ONE_VCPU_2GB);
//! let flask = task.add_container(Container::new(
//!     "flask",
//!     ContainerImage::from_uri("123456789012.dkr.ecr.eu-west-1.amazonaws.com/my_flask_repo:v3"),
//! ).port(80));
//! let task = stack.construct("Task", task)?;
//! stack.construct(
//!     "Service",
//!     FargateService::new(&cluster, &task, &private)
//!         .desired_count(2)
//!         .attach(nlb.target(), &flask)
//!         .auto_scaling(AutoScaling::new(2, 10).target_cpu_utilization(60.0)),
//! )?;
//! let template = &app.synth()?.stacks[0].template;
//! assert!(template.contains(r#""AssignPublicIp": "DISABLED""#));
//! # Ok::<(), cloudwright_core::Error>(())
//! ```

mod cluster;
mod container;
mod error;
mod event_source;
mod fargate;
mod firelens;
mod function;
mod image;
mod log_key;
mod scaling;
mod service;
mod task;

pub use cloudwright_resources::RetentionDays;
pub use cluster::{
    CapacityProvider, CapacityProviderStrategy, Cluster, ClusterOutput, ContainerInsights,
};
pub use container::{Container, ContainerHealthCheck, PortMapping, Protocol, Secret, SecretSource};
pub use error::Error;
pub use event_source::{
    S3EventSource, Schedule, ScheduleOutput, SqsEventSource, TopicSourceOutput,
};
pub use fargate::{Cpu, FargateSize};
pub use firelens::{DEFAULT_FLUENT_BIT_IMAGE, FireLensOutput, LogRouter, LogRouterType};
pub use function::{
    Code, FailureDestination, Function, FunctionOutput, INLINE_CODE_LIMIT, Runtime,
};
pub use image::{
    ContainerImage, ECR_IMAGE_PROVIDER, EcrImageContext, EcrLookup, EcrRepository, ImageAsset,
    ImageRef, ResolvedImage,
};
pub use log_key::{LogKey, LogKeyOutput};
pub use scaling::{AutoScaling, ScalingMetric, ServiceAutoScaling, ServiceAutoScalingOutput};
pub use service::{
    CircuitBreaker, Egress, EgressRule, FargateService, FargateServiceOutput, PlatformVersion,
    PropagateTags,
};
pub use task::{
    ContainerPort, ContainerRef, CpuArchitecture, FargateTaskDefinition,
    FargateTaskDefinitionOutput,
};
