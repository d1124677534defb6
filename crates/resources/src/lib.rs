//! `cloudwright-resources`: typed CloudFormation resources, generated from the CloudFormation
//! resource provider schemas (as cfn-lint ships them), the way the CDK's L1 classes and
//! troposphere's classes are generated.
//!
//! Every `AWS::` resource type cfn-lint 1.51.0 knows for us-east-1 is generated: 1,583 types
//! in 277 services, one module per service namespace, lower-case ([`ec2`],
//! [`elasticloadbalancingv2`], [`ecs`], `s3`, `sqs`, `lambda`, `dynamodb`, ...); in each, one
//! submodule per resource type holding the resource struct, its attributes struct and its
//! property types, with the resource and attributes structs re-exported at the service level
//! (`ec2::Subnet`, `ecs::task_definition::ContainerDefinition`). Property types that several
//! types of a service define identically live once in the service's `shared` module and are
//! re-exported by each user's module. [`TYPES`] names the types compiled in. The code under
//! `generated/` is written by `cargo run -p cloudwright-codegen` (see
//! `crates/resources/README.md`); do not edit it by hand.
//!
//! Each service module is behind a cargo feature of the same name, which compiles every type
//! of the service; `full` turns on every one. The default feature, `constructs`, compiles
//! exactly the types the construct crates use (`crates/codegen/constructs.txt`), so a default
//! build compiles 34 of the 1,583 types.
//!
//! # Shape of a generated type
//!
//! - `new` takes what is required and nothing else: `Type::new()` when no property is
//!   required; `Type::new(value)` when exactly one is (`Subnet::new(vpc.vpc_id())`, about
//!   2,150 of the structs: with one value there is nothing to mix up, and it converts as its
//!   setter does); `Type::new(TypeRequired { .. })` when two or more are, each by name, so two
//!   of the same type (a container's `Image` and `Name`) cannot be swapped. Every other
//!   property has a chainable setter named after it in `snake_case` (`Type` becomes
//!   `r#type`). Fields are public too.
//! - Types are named after their CloudFormation names, whatever they are
//!   (`AWS::ApiGateway::Resource` is `apigateway::Resource`, beside `apigateway::RestApi`):
//!   the generated code names everything it uses by its full path, so no name is reserved.
//! - Property values are typed: [`Str`](cloudwright_core::Str),
//!   [`Int`](cloudwright_core::Int), [`Num`](cloudwright_core::Num),
//!   [`Bool`](cloudwright_core::Bool), [`List<T>`](cloudwright_core::List),
//!   [`Json`](cloudwright_core::Json) for free-form documents and anything with several
//!   types, generated structs (held as [`Obj<T>`]) for nested objects, and generated enums for
//!   string enums. Each one also accepts an intrinsic [`Value`](cloudwright_core::Value)
//!   (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::If`, ...), so the wrong kind of literal does not
//!   compile but any intrinsic does.
//! - String enums have a variant per allowed value (`ActionType::Forward` serializes as
//!   `"forward"`) and `Expr(Value)` for an intrinsic or a value the schema does not list yet;
//!   setters take `impl Into<TheEnum>`, and `Value` converts into it.
//! - [`ToValue`](cloudwright_core::ToValue) yields the `Properties` map with the
//!   CloudFormation names, unset optionals left out.
//! - [`Resource`](cloudwright_core::Resource) gives the type name and the tag format, and
//!   `Type::TYPE_NAME` and `Type::FACTS` ([`ResourceFacts`]) are associated constants.
//! - `TypeAttributes` has a getter per `Fn::GetAtt` attribute that cfn-lint accepts for the
//!   type, returning the attribute's type as the schema gives it: `role.arn()` is a
//!   [`Str`](cloudwright_core::Str), `vpc.ipv6_cidr_blocks()` a
//!   [`List<Str>`](cloudwright_core::List), an integer attribute an
//!   [`Int`](cloudwright_core::Int), an object a [`Json`](cloudwright_core::Json) (the few
//!   attributes the schema leaves untyped return a [`Value`](cloudwright_core::Value));
//!   [`Handle<Type>`](cloudwright_core::Handle) dereferences to it, and `handle.r#ref()` is
//!   the `Ref` (a `Value`, which every property accepts).
//!
//! ```
//! use cloudwright_core::{App, Str, Value};
//! use cloudwright_resources::ec2::{Subnet, Vpc};
//! use cloudwright_resources::elasticloadbalancingv2::{
//!     listener, Listener, ListenerRequired, LoadBalancer, TargetGroup,
//! };
//! use cloudwright_resources::elasticloadbalancingv2::load_balancer::{LoadBalancerType, Scheme};
//!
//! let app = App::new();
//! let mut stack = app.stack("Demo")?;
//! let vpc = stack.add("Vpc", Vpc::new().cidr_block("10.0.0.0/16"))?;
//! let subnet = stack.add(
//!     "Subnet",
//!     Subnet::new(vpc.vpc_id())
//!         .cidr_block("10.0.0.0/24")
//!         .availability_zone(Value::az(0))
//!         .map_public_ip_on_launch(false),
//! )?;
//! let lb = stack.add(
//!     "Nlb",
//!     LoadBalancer::new()
//!         .r#type(LoadBalancerType::Network)
//!         .scheme(Scheme::Internal)
//!         .subnets(vec![subnet.subnet_id()]),
//! )?;
//! let tg = stack.add("Targets", TargetGroup::new().port(80).vpc_id(vpc.r#ref()))?;
//! stack.add(
//!     "Listener",
//!     Listener::new(ListenerRequired {
//!         default_actions: vec![listener::Action::new(listener::ActionType::Forward)
//!             .target_group_arn(tg.r#ref())]
//!         .into(),
//!         load_balancer_arn: lb.r#ref().into(),
//!     })
//!     .port(80)
//!     .protocol(listener::Protocol::Tcp),
//! )?;
//! let _dns: Str = lb.dns_name();
//! let template = &app.synth()?.stacks[0].template;
//! assert!(template.contains(r#""Type": "network""#));
//! assert!(template.contains(r#""Fn::GetAtt": ["#));
//! # Ok::<(), cloudwright_core::Error>(())
//! ```
//!
//! # Type errors are compile errors
//!
//! A boolean property takes a boolean (or an intrinsic):
//!
//! ```
//! use cloudwright_core::Value;
//! use cloudwright_resources::ec2::Subnet;
//! Subnet::new(Value::r#ref("Vpc")).map_public_ip_on_launch(true);
//! Subnet::new(Value::r#ref("Vpc")).map_public_ip_on_launch(Value::if_("Public", true, false));
//! ```
//!
//! and not a string:
//!
//! ```compile_fail,E0277
//! use cloudwright_core::Value;
//! use cloudwright_resources::ec2::Subnet;
//! Subnet::new(Value::r#ref("Vpc")).map_public_ip_on_launch("yes");
//! ```
//!
//! Attributes are typed too. An integer property takes an integer, an intrinsic written by
//! hand (a `Value`: `Ref` of a parameter, `Fn::ImportValue`, ...) or an integer attribute; a
//! string property takes a string attribute, and a list attribute goes through `Fn::Select`:
//!
//! ```
//! use cloudwright_core::{App, Value};
//! use cloudwright_resources::ec2::{Subnet, Vpc};
//! use cloudwright_resources::iam::Role;
//! use cloudwright_resources::logs::LogGroup;
//! let app = App::new();
//! let mut stack = app.stack("Demo")?;
//! let role = stack.add("Role", Role::new(serde_json::json!({})))?;
//! let vpc = stack.add("Vpc", Vpc::new().cidr_block("10.0.0.0/16"))?;
//! LogGroup::new().retention_in_days(30).log_group_name(role.role_id());
//! LogGroup::new().retention_in_days(Value::r#ref("Days"));
//! LogGroup::new().retention_in_days(Value::import_value("Days"));
//! Subnet::new(vpc.vpc_id()).ipv6_cidr_block(Value::select(0, vpc.ipv6_cidr_blocks()));
//! # Ok::<(), cloudwright_core::Error>(())
//! ```
//!
//! but a string attribute (the role's ARN) where an integer belongs does not compile,
//!
//! ```compile_fail,E0277
//! use cloudwright_core::App;
//! use cloudwright_resources::iam::Role;
//! use cloudwright_resources::logs::LogGroup;
//! let app = App::new();
//! let mut stack = app.stack("Demo")?;
//! let role = stack.add("Role", Role::new(serde_json::json!({})))?;
//! LogGroup::new().retention_in_days(role.arn());
//! # Ok::<(), cloudwright_core::Error>(())
//! ```
//!
//! nor a list attribute (the VPC's IPv6 blocks) where a string belongs:
//!
//! ```compile_fail,E0277
//! use cloudwright_core::App;
//! use cloudwright_resources::ec2::{Subnet, Vpc};
//! let app = App::new();
//! let mut stack = app.stack("Demo")?;
//! let vpc = stack.add("Vpc", Vpc::new().cidr_block("10.0.0.0/16"))?;
//! Subnet::new(vpc.vpc_id()).ipv6_cidr_block(vpc.ipv6_cidr_blocks());
//! # Ok::<(), cloudwright_core::Error>(())
//! ```
//!
//! An attribute the type has is a method of its handle:
//!
//! ```
//! use cloudwright_core::App;
//! use cloudwright_resources::elasticloadbalancingv2::LoadBalancer;
//! let app = App::new();
//! let mut stack = app.stack("Demo")?;
//! let lb = stack.add("Lb", LoadBalancer::new())?;
//! let dns = lb.dns_name();
//! # Ok::<(), cloudwright_core::Error>(())
//! ```
//!
//! and a misspelled one does not compile:
//!
//! ```compile_fail,E0599
//! use cloudwright_core::App;
//! use cloudwright_resources::elasticloadbalancingv2::LoadBalancer;
//! let app = App::new();
//! let mut stack = app.stack("Demo")?;
//! let lb = stack.add("Lb", LoadBalancer::new())?;
//! let dns = lb.dns_nam();
//! # Ok::<(), cloudwright_core::Error>(())
//! ```
//!
//! A required property cannot be left out: `Subnet::new()` without a VPC id does not compile
//! either,
//!
//! ```compile_fail,E0061
//! use cloudwright_resources::ec2::Subnet;
//! let subnet = Subnet::new();
//! ```
//!
//! nor does a `...Required` with one missing, and required properties are named, so two of
//! the same type (a container's `Image` and `Name`) cannot be swapped silently:
//!
//! ```compile_fail,E0063
//! use cloudwright_resources::ecs::task_definition::{ContainerDefinition, ContainerDefinitionRequired};
//! let web = ContainerDefinition::new(ContainerDefinitionRequired { image: "nginx".into() });
//! ```
//!
//! # Constraints are checked at synthesis
//!
//! Every literal value is checked against the schema when the stack is synthesized;
//! intrinsics pass through. The error names the stack, the logical id, the construct path,
//! the property path, the value and the constraint:
//!
//! ```
//! use cloudwright_core::{App, Error, Value};
//! use cloudwright_resources::ec2::Subnet;
//!
//! let app = App::new();
//! let mut stack = app.stack("Net")?;
//! stack.add(
//!     "Subnet",
//!     Subnet::new("vpc-0123abcd").cidr_block("10.0.0.1/24"),
//! )?;
//! let Err(Error::Constraint(v)) = app.synth() else { panic!("accepted") };
//! assert_eq!(v.logical_id, "Subnet");
//! assert_eq!(v.violation.property, "CidrBlock");
//! assert_eq!(v.violation.constraint, "format ipv4-network");
//! # Ok::<(), cloudwright_core::Error>(())
//! ```
//!
//! Values that depend on the region (cfn-lint's region-keyed instance, node and class types:
//! E3628, E3670, E3025, ...) are checked against the stack's region
//! ([`Resource::check_region`](cloudwright_core::Resource::check_region), see [`regional`]):
//! an Amazon MQ broker on `mq.m7i.large` synthesizes in `ap-east-2` and is refused in
//! `us-east-1`, naming the regions that offer it.
//!
//! # Schema facts
//!
//! [`facts`] looks a generated type's [`ResourceFacts`] up by name: create-only properties
//! (whose change replaces the resource), write-only and read-only ones, the primary
//! identifier, attributes and tagging.
//!
//! ```
//! let subnet = cloudwright_resources::facts("AWS::EC2::Subnet").unwrap();
//! assert!(subnet.replaces_on_change("CidrBlock"));
//! assert!(!subnet.replaces_on_change("MapPublicIpOnLaunch"));
//! assert_eq!(subnet.primary_identifier, ["SubnetId"]);
//! assert_eq!(cloudwright_resources::ec2::Subnet::FACTS, subnet);
//! ```

pub mod constraint;
mod generated;
pub mod pattern;
pub mod regional;
mod retention;
mod rules;
mod support;

#[allow(unused_imports)] // nothing to re-export when no service feature is on
pub use generated::*;
pub use retention::RetentionDays;
pub use support::{Obj, PropertyType, ResourceFacts};

/// The facts of a type by its CloudFormation name (`AWS::EC2::Subnet`), whichever service
/// features are on (every `AWS::` type cfn-lint knows), or `None` for a type it does not.
pub fn facts(type_name: &str) -> Option<&'static ResourceFacts> {
    generated::ALL_FACTS
        .binary_search_by(|f| f.type_name.cmp(type_name))
        .ok()
        .map(|i| generated::ALL_FACTS[i])
}

/// Checks a resource's `Properties` against the schema of its type (`AWS::SQS::Queue`), as
/// synthesis does for a typed resource: `None` when the type is not compiled in (its service's
/// feature is off) or unknown.
///
/// ```
/// use cloudwright_core::Value;
/// let queue = Value::map([("VisibilityTimeout", Value::from(50_000))]);
/// let refused = cloudwright_resources::check_properties("AWS::SQS::Queue", &queue);
/// assert!(matches!(refused, Some(Err(_))), "over the maximum of 43,200 seconds");
/// assert!(cloudwright_resources::check_properties("AWS::Nope::Thing", &queue).is_none());
/// ```
pub fn check_properties(
    type_name: &str,
    properties: &cloudwright_core::Value,
) -> Option<Result<(), cloudwright_core::Violation>> {
    generated::CHECKS
        .binary_search_by(|(name, _)| (*name).cmp(type_name))
        .ok()
        .map(|i| (generated::CHECKS[i].1)(properties))
}

/// The distinct schema patterns of the generated types that [`pattern`] cannot compile
/// (a backreference; see that module), sorted. Values are not checked against these; every other pattern is
/// checked. Compiles every pattern, so it takes a moment; synthesis compiles lazily.
pub fn unchecked_patterns() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = generated::ALL_PATTERNS
        .iter()
        .filter(|p| !p.is_checkable())
        .map(|p| p.source())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// How many distinct `pattern`s the generated types check values against (including the
/// [`unchecked_patterns`]).
pub fn pattern_count() -> usize {
    let mut all: Vec<&str> = generated::ALL_PATTERNS.iter().map(|p| p.source()).collect();
    all.sort_unstable();
    all.dedup();
    all.len()
}

/// The facts of every type, whichever service features are on, sorted by type name.
pub fn all_facts() -> &'static [&'static ResourceFacts] {
    generated::ALL_FACTS
}

#[cfg(test)]
mod tests {
    use cloudwright_core::{Pseudo, ToValue, Value};

    use super::*;

    #[test]
    fn facts_are_sorted_and_found_by_name() {
        let all = all_facts();
        assert!(all.windows(2).all(|w| w[0].type_name < w[1].type_name));
        for f in all {
            assert_eq!(facts(f.type_name), Some(*f));
        }
        assert_eq!(facts("AWS::Nope::Nope"), None);
        assert_eq!(facts("AWS::EC2::VPC").map(|f| f.taggable), Some(true));
    }

    #[test]
    fn unchecked_patterns_are_exactly_those_that_do_not_compile() {
        let unchecked = unchecked_patterns();
        for p in &unchecked {
            assert!(pattern::Regex::new(p).is_err(), "{p} compiles");
        }
        assert!(pattern_count() > unchecked.len());
        // the schemas' Python-isms are translated, not given up on
        assert!(
            !unchecked.contains(&"^([a-z,A-Z,0-9,. _\\-:/()#,@[\\]+=&;\\{\\}!$*])*$"),
            "{unchecked:?}"
        );
    }

    #[test]
    fn properties_serialize_with_cloudformation_names_and_skip_unset_ones() {
        let subnet = ec2::Subnet::new(Value::r#ref("Vpc"))
            .cidr_block("10.0.0.0/24")
            .map_public_ip_on_launch(false);
        assert_eq!(
            subnet.to_value(),
            Value::map([
                ("CidrBlock", Value::from("10.0.0.0/24")),
                ("MapPublicIpOnLaunch", Value::from(false)),
                ("VpcId", Value::r#ref("Vpc")),
            ])
        );
    }

    #[test]
    fn enums_serialize_to_their_exact_strings_or_the_intrinsic() {
        use elasticloadbalancingv2::load_balancer::{IpAddressType, LoadBalancerType};
        assert_eq!(
            IpAddressType::DualstackWithoutPublicIpv4.to_value(),
            Value::from("dualstack-without-public-ipv4")
        );
        assert_eq!(LoadBalancerType::Network.to_value(), Value::from("network"));
        let e: LoadBalancerType = Value::r#ref("LbType").into();
        assert_eq!(e.to_value(), Value::r#ref("LbType"));
    }

    #[test]
    fn nested_objects_accept_the_struct_or_an_intrinsic() {
        use ecs::task_definition::{
            ContainerDefinition, ContainerDefinitionRequired, PortMapping, Protocol,
        };
        let web = || ContainerDefinitionRequired {
            image: "nginx".into(),
            name: "web".into(),
        };
        let typed = ContainerDefinition::new(web()).port_mappings(vec![
            PortMapping::new()
                .container_port(80)
                .protocol(Protocol::Tcp),
        ]);
        assert_eq!(
            typed.to_value(),
            Value::map([
                ("Image", Value::from("nginx")),
                ("Name", Value::from("web")),
                (
                    "PortMappings",
                    Value::list([Value::map([
                        ("ContainerPort", Value::from(80)),
                        ("Protocol", Value::from("tcp")),
                    ])])
                ),
            ])
        );
        let conditional =
            ecs::task_definition::ContainerDefinition::new(web()).health_check(Value::if_(
                "Checks",
                Value::map([("Command", vec!["CMD", "true"])]),
                Pseudo::NoValue,
            ));
        assert!(matches!(
            conditional.health_check,
            Some(Obj::Expr(Value::If(..)))
        ));
    }

    #[test]
    fn lists_accept_items_or_an_intrinsic() {
        let lb = elasticloadbalancingv2::LoadBalancer::new()
            .subnets(Value::split(",", Value::import_value("Subnets")));
        assert_eq!(
            lb.to_value(),
            Value::map([("Subnets", Value::split(",", Value::import_value("Subnets")))])
        );
    }
}
