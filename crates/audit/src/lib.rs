//! `cloudwright-audit`: before anything is deployed, a precise account of what a CloudFormation
//! template exposes to the internet, checked against what was intended, plus policy rules.
//!
//! It reads any JSON template (ours or not; intrinsics as CloudFormation writes them) and never
//! calls AWS.
//!
//! - [`audit_template`] gives the [`Surface`]: API Gateway routes reachable from the internet
//!   (REST APIs from their OpenAPI `Body` or `Resource`/`Method` tree, HTTP/WebSocket APIs from
//!   their `Body`, quick-create `Target` or `Route`s), per stage, with where each integration goes
//!   (VPC link → load balancer → listener port → target group port; Lambda; HTTP over the
//!   internet; mock); internet-facing load balancers and their listeners; security group ingress
//!   open to `0.0.0.0/0`/`::/0`; subnets routed to an internet gateway; what receives a public IP
//!   (NAT gateways, ECS services, instances, Elastic IPs, launch templates); data and functions
//!   anyone may reach ([`PublicResource`]: bucket, queue, topic, table and key policies allowing
//!   `*` without a narrowing condition, public bucket ACLs, Lambda permissions for `*`); the
//!   data stores with their encryption and public access block ([`DataStore`]); who may do
//!   what ([`Access`]: role policies, resource policies and permissions resolved to actions on
//!   resources); each route's authorization (`AWS_IAM`, `COGNITO_USER_POOLS (name)`,
//!   `CUSTOM (name)`, `NONE`). What it could not
//!   resolve is listed as a gap, and resource types it does not analyze are listed as such
//!   ([`NOTHING_PUBLIC_TYPES`] are known to have no public surface of their own).
//! - [`Declaration`] is the intended surface (JSON), and [`diff`] compares: [`SurfaceDiff::widens`]
//!   is what is exposed but not declared, what a deploy refuses.
//! - [`check`] runs the bundled policy rules ([`RULES`]); [`fail_on`] decides `--fail-on`.
//! - [`render_table`], [`render_diff`], [`render_findings`] are for humans; [`to_json`] for
//!   machines (stable camelCase field names); [`audit`] gives all of it as one [`Report`].
//!
//! ```
//! let template = serde_json::json!({"Resources": {"Lb": {
//!     "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
//!     "Properties": {"Scheme": "internet-facing"}}}});
//! let surface = cloudwright_audit::audit_template(&template)?;
//! assert_eq!(surface.load_balancers[0].resource, "Lb");
//! let declared = cloudwright_audit::Declaration::from_json(r#"{"publicLoadBalancers": ["Lb"]}"#)?;
//! assert!(cloudwright_audit::diff(&surface, &declared).widens().is_empty());
//! # Ok::<(), cloudwright_audit::Error>(())
//! ```
//!
//! Policy rules are implemented natively with Guard-style rule ids rather than through the
//! `cfn-guard` crate: as a library it costs about 3.5 minutes and ~120 crates to build on two
//! cores, and it turns on serde_json's `preserve_order` feature for every crate built with it,
//! which would change the key order of the templates cloudwright synthesizes. User `.guard`
//! files are therefore not supported (run the `cfn-guard` CLI on the synthesized templates).
//! Resources suppress a rule as with cfn-guard: `"Metadata": {"guard": {"SuppressedRules": [..]}}`.
//!
//! Not modelled (conservative where it matters): `Condition`s (a conditional resource is counted
//! as created), parameter values (a port or CIDR from a parameter is shown as the expression; an
//! open CIDR or scheme only known at deploy time counts as open/public), YAML templates, nested
//! stacks (listed as not analyzed).

mod apigateway;
mod compute;
mod data;
mod declaration;
mod error;
mod exceptions;
mod iam;
mod loadbalancing;
mod network;
mod report;
mod rules;
mod surface;
mod template;

pub use declaration::{
    Declaration, DeclaredIngress, DeclaredKind, DeclaredLoadBalancer, DeclaredRoute, Missing,
    SurfaceDiff, diff,
};
pub use error::Error;
pub use exceptions::{DeclaredException, exceptions};
pub use report::{
    Report, audit, render_diff, render_exceptions, render_findings, render_table, to_json,
};
pub use rules::{
    DYNAMODB_TABLE_KMS, ECS_SERVICE_NO_PUBLIC_IP, Finding, IAM_ROLE_PASSED_BY_ARN,
    LAMBDA_PERMISSION_SOURCE_SCOPED, LAMBDA_URL_AUTH_NONE, LB_INTERNAL_UNLESS_DECLARED,
    LOG_GROUP_RETENTION, NO_HARDCODED_PHYSICAL_NAMES, PHYSICAL_NAME_PROPERTIES,
    RESOURCE_POLICY_NOT_PUBLIC, ROLE_ARN_PROPERTIES, RULES, RuleInfo, S3_BUCKET_NO_PUBLIC_ACL,
    S3_BUCKET_PUBLIC_ACCESS_BLOCKED, SG_NO_ADMIN_PORTS_FROM_ANYWHERE,
    SG_NO_ALL_PROTOCOLS_FROM_ANYWHERE, SNS_TOPIC_ENCRYPTED, SQS_QUEUE_ENCRYPTED, Severity, check,
    fail_on,
};
pub use surface::{
    ANALYZED_TYPES, Access, ApiType, DataStore, Exposure, Gap, Integration, Kind, Listener,
    NOTHING_PUBLIC_TYPES, NotAnalyzed, OpenIngress, PublicIp, PublicLoadBalancer, PublicResource,
    PublicSubnet, Route, Surface, Target, audit_template, audit_template_str,
};
