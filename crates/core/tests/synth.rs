//! Synthesis: ids, references, dependencies, limits, context, cross-stack wiring, tags.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use cloudwright_core::{
    App, Construct, ContextQuery, Error, Handle, Output, Parameter, RawResource, Scope, StackProps,
    TagFormat, Value,
};
use serde_json::Value as Json;

fn topic() -> RawResource {
    RawResource::new("AWS::SNS::Topic")
}

fn template(app: &App, stack: &str) -> Json {
    let asm = app.synth().unwrap();
    serde_json::from_str(&asm.stack(stack).unwrap().template).unwrap()
}

#[test]
fn logical_ids_are_pascal_case_paths() {
    struct Pair;
    impl Construct for Pair {
        type Output = Handle<RawResource>;
        fn build(self, scope: &mut Scope<'_>) -> Result<Self::Output, Error> {
            scope.add("first", topic())
        }
    }
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    let h = s.construct("network", Pair).unwrap();
    assert_eq!(h.logical_id(), "NetworkFirst");
    let t = template(&app, "S");
    assert!(t["Resources"]["NetworkFirst"].is_object());
}

#[test]
fn duplicate_ids_name_both_paths() {
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    s.add("Topic", topic()).unwrap();
    let e = s.add("Topic", topic()).unwrap_err();
    assert!(matches!(e, Error::DuplicateId { .. }), "{e}");
    assert!(e.to_string().contains("S/Topic"), "{e}");

    // different paths, same PascalCase id
    struct One(&'static str);
    impl Construct for One {
        type Output = ();
        fn build(self, scope: &mut Scope<'_>) -> Result<(), Error> {
            scope.add(self.0, topic()).map(|_| ())
        }
    }
    s.construct("A", One("BC")).unwrap();
    let e = s.construct("AB", One("C")).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("`ABC`") && msg.contains("S/A/BC") && msg.contains("S/AB/C"),
        "{msg}"
    );
}

#[test]
fn invalid_ids_are_rejected() {
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    for bad in ["", "has-dash", "spa ce", "ünï"] {
        let e = s.add(bad, topic()).unwrap_err();
        assert!(matches!(e, Error::InvalidId { .. }), "{bad}: {e}");
    }
    let long = "A".repeat(256);
    assert!(s.add(&long, topic()).is_err());
    assert!(s.add_with_logical_id("Ok", "bad_id", topic()).is_err());
    assert!(matches!(app.stack("1st"), Err(Error::InvalidId { .. })));
    assert!(app.stack("S").is_err(), "duplicate stack");
}

#[test]
fn explicit_logical_ids_are_kept() {
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    let h = s
        .add_with_logical_id("Topic", "LegacyTopicName", topic())
        .unwrap();
    assert_eq!(h.logical_id(), "LegacyTopicName");
    let e = s
        .add_with_logical_id("Other", "LegacyTopicName", topic())
        .unwrap_err();
    assert!(e.to_string().contains("S/Topic") && e.to_string().contains("S/Other"));
}

#[test]
fn dangling_references_name_referrer_property_and_target() {
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    s.add(
        "Topic",
        topic().property(
            "Tags",
            Value::list([Value::map([("Value", Value::r#ref("Nope"))])]),
        ),
    )
    .unwrap();
    let e = app.synth().unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::DanglingReference { .. }));
    assert!(
        msg.contains("`Topic`")
            && msg.contains("Properties.Tags[0].Value")
            && msg.contains("`Nope`"),
        "{msg}"
    );
}

#[test]
fn sub_placeholders_are_references() {
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    s.add("A", topic()).unwrap();
    s.add(
        "B",
        topic().property(
            "DisplayName",
            Value::sub_with(
                "${A.TopicName}-${AWS::Region}-${Var}-${!Lit}",
                [("Var", "x")],
            ),
        ),
    )
    .unwrap();
    app.synth().unwrap();

    let app = App::new();
    let mut s = app.stack("S").unwrap();
    s.add(
        "B",
        topic().property("DisplayName", Value::sub("${Missing}")),
    )
    .unwrap();
    let msg = app.synth().unwrap_err().to_string();
    assert!(msg.contains("`Missing`"), "{msg}");

    let app = App::new();
    let mut s = app.stack("S").unwrap();
    s.add("B", topic().property("DisplayName", Value::sub("${Open")))
        .unwrap();
    assert!(matches!(app.synth(), Err(Error::InvalidSub { .. })));
}

#[test]
fn parameters_and_pseudo_parameters_resolve_but_get_att_on_a_parameter_does_not() {
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    let p = s.add_parameter("Name", Parameter::new("String")).unwrap();
    s.add(
        "T",
        topic()
            .property("DisplayName", p.r#ref())
            .property("TopicName", Value::r#ref("AWS::StackName")),
    )
    .unwrap();
    let t = template(&app, "S");
    assert_eq!(t["Parameters"]["Name"]["Type"], "String");

    let app = App::new();
    let mut s = app.stack("S").unwrap();
    s.add_parameter("Name", Parameter::new("String")).unwrap();
    s.add(
        "T",
        topic().property("DisplayName", Value::get_att("Name", "X")),
    )
    .unwrap();
    assert!(matches!(app.synth(), Err(Error::DanglingReference { .. })));
}

#[test]
fn a_cycle_is_an_error_that_prints_it_in_order() {
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    let a = s
        .add("A", topic().property("DisplayName", Value::r#ref("B")))
        .unwrap();
    s.add(
        "B",
        topic().property("DisplayName", Value::get_att("C", "TopicName")),
    )
    .unwrap();
    let c = s.add("C", topic()).unwrap();
    s.add_dependency(&c, &a);
    let e = app.synth().unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::Cycle { .. }), "{msg}");
    assert!(msg.contains("A -> B -> C -> A"), "{msg}");
    assert!(
        msg.contains("A -> B: Ref at Properties.DisplayName"),
        "{msg}"
    );
    assert!(msg.contains("C -> A: DependsOn"), "{msg}");
}

#[test]
fn declared_dependencies_become_a_reduced_depends_on() {
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    let c = s.add("C", topic()).unwrap();
    let b = s
        .add("B", topic().property("DisplayName", c.r#ref()))
        .unwrap();
    let d = s.add("D", topic()).unwrap();
    let a = s
        .add("A", topic().property("DisplayName", b.r#ref()))
        .unwrap();
    s.add_dependency(&a, &c); // implied by A -> B -> C
    s.add_dependency(&a, &b); // implied by the reference
    s.add_dependency(&a, &d); // needed
    s.add_dependency(&a, &d); // twice is once
    let t = template(&app, "S");
    assert_eq!(t["Resources"]["A"]["DependsOn"], serde_json::json!(["D"]));
    assert!(t["Resources"]["B"].get("DependsOn").is_none());
}

#[test]
fn a_stack_can_keep_its_depends_on_as_declared() {
    let app = App::new();
    let mut s = app
        .stack_with("S", StackProps::new().depends_on_as_declared())
        .unwrap();
    let c = s.add("C", topic()).unwrap();
    let b = s
        .add("B", topic().property("DisplayName", c.r#ref()))
        .unwrap();
    s.add_dependency(&b, &c); // implied by the reference, kept
    s.add_dependency(&b, &c); // twice is once
    let t = template(&app, "S");
    assert_eq!(t["Resources"]["B"]["DependsOn"], serde_json::json!(["C"]));
}

#[test]
fn creation_and_update_policies_are_written_and_their_references_checked() {
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    let p = s.add_parameter("Min", Parameter::new("Number")).unwrap();
    let t = s.add("T", topic()).unwrap();
    s.set_creation_policy(
        &t,
        Value::map([("ResourceSignal", Value::map([("Count", Value::from(1))]))]),
    )
    .unwrap();
    s.set_update_policy(
        &t,
        Value::map([(
            "AutoScalingRollingUpdate",
            Value::map([("MinInstancesInService", p.r#ref())]),
        )]),
    )
    .unwrap();
    let tpl = template(&app, "S");
    assert_eq!(
        tpl["Resources"]["T"]["CreationPolicy"]["ResourceSignal"]["Count"],
        1
    );
    assert_eq!(
        tpl["Resources"]["T"]["UpdatePolicy"]["AutoScalingRollingUpdate"]["MinInstancesInService"],
        serde_json::json!({"Ref": "Min"})
    );
    let bad = App::new();
    let mut s = bad.stack("S").unwrap();
    let t = s.add("T", topic()).unwrap();
    s.set_update_policy(&t, Value::r#ref("Gone")).unwrap();
    let e = bad.synth().unwrap_err().to_string();
    assert!(e.contains("Gone"), "{e}");
}

#[test]
fn names_of_every_kind_can_be_kept_as_written() {
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    s.add_parameter_with_logical_id("P", "env", Parameter::new("String"))
        .unwrap();
    s.add_condition_with_logical_id("C", "isProd", Value::equals(Value::r#ref("env"), "prod"))
        .unwrap();
    s.add_mapping_with_logical_id("M", "names", Default::default())
        .unwrap();
    s.add_with_logical_id("Topic", "topic", topic()).unwrap();
    s.add_output_with_logical_id("O", "topic", Output::new(Value::r#ref("topic")))
        .unwrap();
    let t = template(&app, "S");
    assert!(t["Parameters"].get("env").is_some(), "{t}");
    assert!(t["Conditions"].get("isProd").is_some(), "{t}");
    assert!(t["Outputs"].get("topic").is_some(), "{t}");
    assert!(t["Resources"].get("topic").is_some(), "{t}");
}

#[test]
fn construct_dependencies_expand_to_every_resource_beneath() {
    struct Group;
    impl Construct for Group {
        type Output = cloudwright_core::ConstructRef;
        fn build(self, scope: &mut Scope<'_>) -> Result<Self::Output, Error> {
            scope.add("One", topic())?;
            scope.add("Two", topic())?;
            Ok(scope.node())
        }
    }
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    let group = s.construct("Group", Group).unwrap();
    let user = s.add("User", topic()).unwrap();
    s.add_dependency(&user, &group);
    let t = template(&app, "S");
    assert_eq!(
        t["Resources"]["User"]["DependsOn"],
        serde_json::json!(["GroupOne", "GroupTwo"])
    );
}

#[test]
fn a_scope_depending_on_its_own_child_does_not_make_a_cycle() {
    struct Service;
    impl Construct for Service {
        type Output = ();
        fn build(self, scope: &mut Scope<'_>) -> Result<(), Error> {
            let listener = scope.add("Listener", topic())?;
            scope.depends_on(&listener);
            scope.add("Tasks", topic())?;
            Ok(())
        }
    }
    let app = App::new();
    app.stack("S").unwrap().construct("Svc", Service).unwrap();
    let t = template(&app, "S");
    assert_eq!(
        t["Resources"]["SvcTasks"]["DependsOn"],
        serde_json::json!(["SvcListener"])
    );
    assert!(t["Resources"]["SvcListener"].get("DependsOn").is_none());
}

#[test]
fn the_501st_resource_is_an_error() {
    let app = App::new();
    let mut s = app.stack("Big").unwrap();
    for i in 0..500 {
        s.add(&format!("T{i}"), topic()).unwrap();
    }
    assert!(app.synth().is_ok());
    let mut s = app.stack("Bigger").unwrap();
    for i in 0..501 {
        s.add(&format!("T{i}"), topic()).unwrap();
    }
    let e = app.synth().unwrap_err();
    assert!(
        matches!(
            e,
            Error::Limit {
                limit: 500,
                actual: 501,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("Bigger") && e.to_string().contains("501 resources"));
}

#[test]
fn too_many_outputs_and_parameters_are_errors() {
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    let t = s.add("T", topic()).unwrap();
    for i in 0..201 {
        s.add_output(&format!("O{i}"), Output::new(t.r#ref()))
            .unwrap();
    }
    assert!(matches!(app.synth(), Err(Error::Limit { limit: 200, .. })));
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    for i in 0..201 {
        s.add_parameter(&format!("P{i}"), Parameter::new("String"))
            .unwrap();
    }
    assert!(matches!(
        app.synth(),
        Err(Error::Limit {
            what: "parameters",
            ..
        })
    ));
}

#[test]
fn missing_context_is_recorded_and_named() {
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    let q = ContextQuery::new("vpc-provider").prop("vpcId", "vpc-1");
    let e = s.lookup(&q).unwrap_err();
    assert!(matches!(e, Error::MissingContext { .. }));
    assert!(e.to_string().contains("vpc-provider:vpcId=vpc-1"), "{e}");
    assert!(e.to_string().contains("cloudwright lookup"), "{e}");
    assert_eq!(app.missing_context().len(), 1);
    assert_eq!(app.missing_context()[0].query, q);
    assert!(matches!(app.synth(), Err(Error::MissingContext { .. })));
}

#[test]
fn context_of_the_wrong_shape_names_the_key() {
    let mut ctx = cloudwright_core::Context::new();
    ctx.set("p:a=b", serde_json::json!({"vpcId": 3}), "ctx.json");
    let app = App::with_context(ctx);
    let mut s = app.stack("S").unwrap();
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Vpc {
        #[serde(rename = "vpcId")]
        vpc_id: String,
    }
    let e = s
        .lookup_as::<Vpc>(&ContextQuery::new("p").prop("a", "b"))
        .unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("p:a=b") && msg.contains("ctx.json"), "{msg}");
}

#[test]
fn references_across_stacks_become_exports_and_imports() {
    let app = App::new();
    let mut net = app.stack("Network").unwrap();
    let vpc = net
        .add(
            "Vpc",
            RawResource::new("AWS::EC2::VPC").property("CidrBlock", "10.0.0.0/16"),
        )
        .unwrap();
    let mut svc = app.stack("Service").unwrap();
    svc.add(
        "Sg",
        RawResource::new("AWS::EC2::SecurityGroup")
            .property("GroupDescription", "x")
            .property("VpcId", vpc.r#ref())
            .property("Description", vpc.resource_ref().get_att("CidrBlock")),
    )
    .unwrap();
    let asm = app.synth().unwrap();
    assert_eq!(
        asm.stacks.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["Network", "Service"]
    );
    let service = asm.stack("Service").unwrap();
    assert_eq!(service.dependencies, ["Network"]);
    let t: Json = serde_json::from_str(&service.template).unwrap();
    assert_eq!(
        t["Resources"]["Sg"]["Properties"]["VpcId"],
        serde_json::json!({"Fn::ImportValue": "Network:ExportsOutputRefVpc"})
    );
    let n: Json = serde_json::from_str(&asm.stack("Network").unwrap().template).unwrap();
    assert_eq!(
        n["Outputs"]["ExportsOutputFnGetAttVpcCidrBlock"]["Export"]["Name"],
        "Network:ExportsOutputFnGetAttVpcCidrBlock"
    );
    assert_eq!(
        n["Outputs"]["ExportsOutputRefVpc"]["Value"],
        serde_json::json!({"Ref": "Vpc"})
    );
}

#[test]
fn stacks_come_out_in_dependency_order_and_cycles_between_stacks_are_errors() {
    let app = App::new();
    let a = app.stack("Late").unwrap().add("T", topic()).unwrap();
    let b = app.stack("Early").unwrap().add("T", topic()).unwrap();
    assert!(app.stack("Late").is_err(), "duplicate stack is rejected");
    // Late depends on Early through a declared dependency across stacks
    let mut extra = app.stack("Mid").unwrap();
    extra.add_dependency(&a, &b);
    let asm = app.synth().unwrap();
    let order: Vec<&str> = asm.stacks.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(order, ["Early", "Late", "Mid"]);

    let app = App::new();
    let a = app.stack("A").unwrap().add("T", topic()).unwrap();
    let b = app
        .stack("B")
        .unwrap()
        .add("T", topic().property("DisplayName", a.r#ref()))
        .unwrap();
    app.stack("C").unwrap().add_dependency(&a, &b);
    assert!(matches!(app.synth(), Err(Error::StackCycle(_))));
}

#[test]
fn duplicate_export_names_are_errors() {
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    let t = s.add("T", topic()).unwrap();
    s.add_output("One", Output::new(t.r#ref()).export("shared"))
        .unwrap();
    let mut s2 = app.stack("S2").unwrap();
    s2.add_output(
        "Two",
        Output::new("x").export(Value::sub("${AWS::StackName}")),
    )
    .unwrap();
    app.synth().unwrap();
    let mut s3 = app.stack("shared").unwrap();
    s3.add_output(
        "Three",
        Output::new("y").export(Value::sub("${AWS::StackName}")),
    )
    .unwrap();
    let e = app.synth().unwrap_err();
    assert!(matches!(e, Error::DuplicateExport { .. }), "{e}");
    assert!(
        e.to_string().contains("S.One") && e.to_string().contains("shared.Three"),
        "{e}"
    );
}

#[test]
fn tags_propagate_to_taggable_resources_deeper_scopes_winning() {
    struct Inner;
    impl Construct for Inner {
        type Output = ();
        fn build(self, scope: &mut Scope<'_>) -> Result<(), Error> {
            scope.add_tag("team", "inner");
            scope.add(
                "Tagged",
                RawResource::new("AWS::EC2::VPC")
                    .property("CidrBlock", "10.0.0.0/16")
                    .property(
                        "Tags",
                        Value::list([Value::map([("Key", "own"), ("Value", "kept")])]),
                    )
                    .with_tag_format(TagFormat::KeyValueList),
            )?;
            scope.add("Untaggable", topic())?;
            scope.add(
                "MapTagged",
                RawResource::new("AWS::SSM::Parameter")
                    .property("Type", "String")
                    .property("Value", "v")
                    .with_tag_format(TagFormat::Map),
            )?;
            Ok(())
        }
    }
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    s.add_tag("team", "outer");
    s.add_tag("app", "demo");
    s.construct("In", Inner).unwrap();
    let t = template(&app, "S");
    assert_eq!(
        t["Resources"]["InTagged"]["Properties"]["Tags"],
        serde_json::json!([
            {"Key": "own", "Value": "kept"},
            {"Key": "app", "Value": "demo"},
            {"Key": "team", "Value": "inner"}
        ])
    );
    assert!(t["Resources"]["InUntaggable"].get("Properties").is_none());
    assert_eq!(
        t["Resources"]["InMapTagged"]["Properties"]["Tags"],
        serde_json::json!({"app": "demo", "team": "inner"})
    );
}

#[test]
fn conditions_mappings_and_resource_attributes_render() {
    let app = App::new();
    let mut s = app
        .stack_with("S", cloudwright_core::StackProps::new().description("demo"))
        .unwrap();
    let env = s
        .add_parameter(
            "Env",
            Parameter::new("String")
                .allowed_values(["dev", "prod"])
                .default_value("dev"),
        )
        .unwrap();
    let prod = s
        .add_condition("IsProd", Value::equals(env.r#ref(), "prod"))
        .unwrap();
    let m = s
        .add_mapping(
            "Sizes",
            [(
                "dev".to_owned(),
                [("Count".to_owned(), Value::from(1))].into(),
            )]
            .into(),
        )
        .unwrap();
    let t = s
        .add(
            "T",
            topic().property("DisplayName", prod.if_(m.find(env.r#ref(), "Count"), "x")),
        )
        .unwrap();
    s.set_condition(&t, &prod).unwrap();
    s.set_deletion_policy(&t, cloudwright_core::Policy::Retain)
        .unwrap();
    s.set_update_replace_policy(&t, cloudwright_core::Policy::Retain)
        .unwrap();
    s.set_metadata(&t, Value::map([("Note", "x")])).unwrap();
    let tpl = template(&app, "S");
    assert_eq!(tpl["Description"], "demo");
    assert_eq!(
        tpl["Conditions"]["IsProd"],
        serde_json::json!({"Fn::Equals": [{"Ref": "Env"}, "prod"]})
    );
    assert_eq!(tpl["Mappings"]["Sizes"]["dev"]["Count"], 1);
    let r = &tpl["Resources"]["T"];
    assert_eq!(r["Condition"], "IsProd");
    assert_eq!(r["DeletionPolicy"], "Retain");
    assert_eq!(r["UpdateReplacePolicy"], "Retain");
    assert_eq!(r["Metadata"]["Note"], "x");

    // an undeclared condition is an error
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    s.add(
        "T",
        topic().property("DisplayName", Value::if_("Nope", "a", "b")),
    )
    .unwrap();
    assert!(matches!(
        app.synth(),
        Err(Error::UnknownName {
            kind: "condition",
            ..
        })
    ));
}

#[test]
fn a_handle_from_another_stack_cannot_be_configured_here() {
    let app = App::new();
    let t = app.stack("A").unwrap().add("T", topic()).unwrap();
    let mut b = app.stack("B").unwrap();
    let e = b
        .set_deletion_policy(&t, cloudwright_core::Policy::Retain)
        .unwrap_err();
    assert!(matches!(e, Error::ForeignHandle { .. }), "{e}");
}

#[test]
fn synthesis_is_deterministic() {
    let build = || {
        let app = App::new();
        let mut s = app.stack("S").unwrap();
        let mut prev = s.add("T0", topic()).unwrap();
        for i in 1..50 {
            prev = s
                .add(
                    &format!("T{i}"),
                    topic().property("DisplayName", prev.r#ref()),
                )
                .unwrap();
        }
        app.synth().unwrap()
    };
    assert_eq!(build(), build());
}

/// A construct three levels deep whose innermost part rejects its input.
struct Outer;
struct Middle;
struct Inner;

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("the inner part refuses")]
struct Refused;

impl From<Refused> for Error {
    fn from(e: Refused) -> Error {
        Error::construct(e)
    }
}

impl Construct for Inner {
    type Output = ();
    fn build(self, scope: &mut Scope<'_>) -> Result<(), Error> {
        scope.add("Topic", RawResource::new("AWS::SNS::Topic"))?;
        Err(Refused)?
    }
}
impl Construct for Middle {
    type Output = ();
    fn build(self, scope: &mut Scope<'_>) -> Result<(), Error> {
        scope.construct("Inner", Inner)
    }
}
impl Construct for Outer {
    type Output = ();
    fn build(self, scope: &mut Scope<'_>) -> Result<(), Error> {
        scope.construct("Middle", Middle)
    }
}

#[test]
fn an_error_three_constructs_deep_names_the_full_path_once() {
    let app = App::new();
    let mut stack = app.stack("Orders").unwrap();
    let err = stack.construct("Outer", Outer).unwrap_err();
    assert_eq!(err.path(), Some("Orders/Outer/Middle/Inner"));
    assert_eq!(err.downcast_ref::<Refused>(), Some(&Refused));
    let text = err.to_string();
    assert_eq!(text, "Orders/Outer/Middle/Inner: the inner part refuses");
    assert!(
        std::error::Error::source(&err).is_none(),
        "the cause is printed once, in the message"
    );
}

#[test]
fn scopes_of_two_stacks_are_alive_at_once() {
    let app = App::new();
    let mut network = app.stack("Network").unwrap();
    let mut service = app.stack("Service").unwrap();
    let topic = network
        .add("Topic", RawResource::new("AWS::SNS::Topic"))
        .unwrap();
    service
        .add(
            "Queue",
            RawResource::new("AWS::SQS::Queue")
                .property("QueueName", topic.resource_ref().get_att("TopicName")),
        )
        .unwrap();
    // the first stack is still usable after the second was created
    network
        .add("Other", RawResource::new("AWS::SNS::Topic"))
        .unwrap();
    let assembly = app.synth().unwrap();
    assert_eq!(assembly.stacks[1].dependencies, vec!["Network".to_string()]);
}

#[test]
fn snapshot_policies_only_on_types_that_can_be_snapshotted() {
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    let t = s.add("T", topic()).unwrap();
    let e = s
        .set_deletion_policy(&t, cloudwright_core::Policy::Snapshot)
        .unwrap_err();
    assert_eq!(e.path(), Some("T"));
    let text = e.to_string();
    assert!(
        text.contains("resource `T` (AWS::SNS::Topic): DeletionPolicy Snapshot is only valid for"),
        "{text}"
    );
    assert!(
        s.set_update_replace_policy(&t, cloudwright_core::Policy::Snapshot)
            .is_err()
    );
    // refused means not set: the template has no policy
    drop(s);
    let out = app.synth().unwrap();
    assert!(!out.stacks[0].template.contains("Snapshot"));

    let app = App::new();
    let mut s = app.stack("S").unwrap();
    let v = s
        .add(
            "V",
            RawResource::new("AWS::EC2::Volume").property("AvailabilityZone", "eu-west-1a"),
        )
        .unwrap();
    s.set_deletion_policy(&v, cloudwright_core::Policy::Snapshot)
        .unwrap();
    drop(s);
    let out = app.synth().unwrap();
    assert!(
        out.stacks[0]
            .template
            .contains("\"DeletionPolicy\": \"Snapshot\"")
    );
}

#[test]
fn references_across_accounts_or_regions_are_refused_unless_weak() {
    for (producer, consumer) in [
        (
            StackProps::new()
                .account("111111111111")
                .region("eu-west-1"),
            StackProps::new()
                .account("222222222222")
                .region("eu-west-1"),
        ),
        (
            StackProps::new().region("eu-west-1"),
            StackProps::new().region("us-east-1"),
        ),
    ] {
        let app = App::new();
        let mut p = app.stack_with("Producer", producer).unwrap();
        let t = p.add("Topic", topic()).unwrap();
        let mut c = app.stack_with("Consumer", consumer).unwrap();
        c.add(
            "Sub",
            RawResource::new("AWS::SNS::Subscription").property("TopicArn", t.r#ref()),
        )
        .unwrap();
        let e = app.synth().unwrap_err();
        assert!(matches!(e, Error::CrossEnvironmentReference(..)), "{e:?}");
        let text = e.to_string();
        assert!(
            text.contains("stack `Consumer`")
                && text.contains("refers to `Topic` of stack `Producer`")
                && text.contains("Sub` `Properties.TopicArn`")
                && text.contains("weak_ref"),
            "{text}"
        );
    }
    // an unpinned stack may refer to a pinned one: synthesis cannot know where the unpinned
    // one will go, so `cloudwright deploy` compares both stacks' resolved accounts and regions
    // before any change and refuses a difference (toolkit tests/references.rs)
    let app = App::new();
    let mut p = app
        .stack_with("Producer", StackProps::new().region("eu-west-1"))
        .unwrap();
    let t = p.add("Topic", topic()).unwrap();
    let mut c = app.stack("Consumer").unwrap();
    c.add(
        "Sub",
        RawResource::new("AWS::SNS::Subscription").property("TopicArn", t.r#ref()),
    )
    .unwrap();
    assert!(app.synth().is_ok());
}

#[test]
fn a_weak_reference_is_a_parameter_filled_from_a_plain_output() {
    let app = App::new();
    let mut p = app
        .stack_with("Producer", StackProps::new().account("111111111111"))
        .unwrap();
    let t = p.add("Topic", topic()).unwrap();
    let mut c = app
        .stack_with("Consumer", StackProps::new().account("222222222222"))
        .unwrap();
    let arn = c.weak_ref(t.r#ref()).unwrap();
    let name = c.weak_ref(t.attribute("TopicName")).unwrap();
    assert_eq!(
        c.weak_ref(t.r#ref()).unwrap(),
        arn,
        "the same reference, one parameter"
    );
    c.add(
        "Sub",
        RawResource::new("AWS::SNS::Subscription")
            .property("TopicArn", arn)
            .property("Endpoint", name),
    )
    .unwrap();
    // wrong inputs name the stack
    let e = c.weak_ref(Value::from("literal")).unwrap_err().to_string();
    assert!(e.contains("weak_ref in stack `Consumer`"), "{e}");
    let own = c.add("Own", topic()).unwrap();
    let e = c.weak_ref(own.r#ref()).unwrap_err().to_string();
    assert!(e.contains("`Own` is in this stack"), "{e}");

    let asm = app.synth().unwrap();
    let consumer = asm.stack("Consumer").unwrap();
    assert_eq!(consumer.dependencies, ["Producer"]);
    let refs: Vec<(&str, &str, &str)> = consumer
        .weak_references
        .iter()
        .map(|w| (w.parameter.as_str(), w.stack.as_str(), w.output.as_str()))
        .collect();
    assert_eq!(
        refs,
        [
            ("WeakRefProducerTopic", "Producer", "WeakOutputRefTopic"),
            (
                "WeakRefProducerTopicTopicName",
                "Producer",
                "WeakOutputFnGetAttTopicTopicName"
            ),
        ]
    );
    let c: Json = serde_json::from_str(&consumer.template).unwrap();
    assert_eq!(c["Parameters"]["WeakRefProducerTopic"]["Type"], "String");
    assert_eq!(
        c["Resources"]["Sub"]["Properties"]["TopicArn"],
        serde_json::json!({"Ref": "WeakRefProducerTopic"})
    );
    let p: Json = serde_json::from_str(&asm.stack("Producer").unwrap().template).unwrap();
    assert_eq!(
        p["Outputs"]["WeakOutputFnGetAttTopicTopicName"]["Value"],
        serde_json::json!({"Fn::GetAtt": ["Topic", "TopicName"]})
    );
    assert!(p["Outputs"]["WeakOutputRefTopic"].get("Export").is_none());
    let manifest = serde_json::to_value(asm.manifest()).unwrap();
    assert_eq!(
        manifest["stacks"][1]["weakReferences"][0]["output"],
        "WeakOutputRefTopic"
    );
}

#[test]
fn weak_references_whose_names_collide_get_their_own_parameters() {
    let app = App::new();
    let mut p = app
        .stack_with("Producer", StackProps::new().region("us-east-1"))
        .unwrap();
    // `Ref` of `TopicTopicName` and `Topic.TopicName` both read WeakRefProducerTopicTopicName
    let t = p.add("Topic", topic()).unwrap();
    let tt = p.add("TopicTopicName", topic()).unwrap();
    let mut c = app
        .stack_with("Consumer", StackProps::new().region("eu-west-1"))
        .unwrap();
    let by_attribute = c.weak_ref(t.attribute("TopicName")).unwrap();
    let by_ref = c.weak_ref(tt.r#ref()).unwrap();
    assert_ne!(by_attribute, by_ref, "two targets, two parameters");
    assert_eq!(
        c.weak_ref(tt.r#ref()).unwrap(),
        by_ref,
        "the same target again, the same parameter"
    );
    assert_eq!(c.weak_ref(t.attribute("TopicName")).unwrap(), by_attribute);
    c.add(
        "Sub",
        RawResource::new("AWS::SNS::Subscription")
            .property("TopicArn", by_ref)
            .property("Endpoint", by_attribute),
    )
    .unwrap();
    let asm = app.synth().unwrap();
    let refs: Vec<(&str, &str)> = asm
        .stack("Consumer")
        .unwrap()
        .weak_references
        .iter()
        .map(|w| (w.parameter.as_str(), w.output.as_str()))
        .collect();
    assert_eq!(
        refs,
        [
            (
                "WeakRefProducerTopicTopicName",
                "WeakOutputFnGetAttTopicTopicName"
            ),
            (
                "WeakRefProducerTopicTopicName2",
                "WeakOutputRefTopicTopicName"
            ),
        ]
    );
    let c: Json = serde_json::from_str(&asm.stack("Consumer").unwrap().template).unwrap();
    assert_eq!(
        c["Resources"]["Sub"]["Properties"]["TopicArn"],
        serde_json::json!({"Ref": "WeakRefProducerTopicTopicName2"})
    );

    // two targets whose producer output ids coincide are refused, naming both
    let app = App::new();
    let mut p = app
        .stack_with("Producer", StackProps::new().region("us-east-1"))
        .unwrap();
    let a = p.add("TopicA", topic()).unwrap();
    let b = p.add("Topic", topic()).unwrap();
    let mut c = app
        .stack_with("Consumer", StackProps::new().region("eu-west-1"))
        .unwrap();
    let first = c.weak_ref(a.attribute("B")).unwrap();
    let second = c.weak_ref(b.attribute("AB")).unwrap();
    c.add(
        "Sub",
        RawResource::new("AWS::SNS::Subscription")
            .property("TopicArn", first)
            .property("Endpoint", second),
    )
    .unwrap();
    let e = app.synth().unwrap_err();
    assert!(matches!(e, Error::InvalidWeakRef { .. }), "{e:?}");
    let text = e.to_string();
    assert!(
        text.contains("`TopicA.B` and `Topic.AB`")
            && text.contains("output `WeakOutputFnGetAttTopicAB`"),
        "{text}"
    );
}

#[test]
fn the_manifest_records_each_stacks_lookups_and_the_account_that_answered() {
    let mut context = cloudwright_core::Context::new();
    let q = ContextQuery::new("vpc-provider")
        .prop("region", "eu-west-1")
        .prop("filter.isDefault", "true");
    let pinned_q = q.clone().prop("account", "222222222222");
    let by_hand = ContextQuery::new("vpc-provider")
        .prop("region", "eu-west-1")
        .prop("vpcId", "vpc-1");
    for query in [&q, &pinned_q, &by_hand] {
        context.set(&query.key(), serde_json::json!({"vpcId": "vpc-1"}), "test");
    }
    context.set_lookup_account(&q.key(), "123456789012");
    let app = App::with_context(context);
    let mut unpinned = app.stack("Unpinned").unwrap();
    unpinned.lookup(&q).unwrap();
    unpinned.lookup(&by_hand).unwrap();
    unpinned.add("Topic", topic()).unwrap();
    let mut pinned = app
        .stack_with("Pinned", StackProps::new().account("222222222222"))
        .unwrap();
    pinned.lookup(&q).unwrap();
    pinned.add("Topic", topic()).unwrap();
    let mut none = app.stack("None").unwrap();
    none.add("Topic", topic()).unwrap();
    let asm = app.synth().unwrap();
    let manifest = serde_json::to_value(asm.manifest()).unwrap();
    let lookups = |id: &str| {
        manifest["stacks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()
            .get("lookups")
            .cloned()
    };
    assert_eq!(
        lookups("Unpinned"),
        Some(serde_json::json!({
            q.key(): "123456789012",
            by_hand.key(): null,
        }))
    );
    assert_eq!(
        lookups("Pinned"),
        Some(serde_json::json!({ pinned_q.key(): null }))
    );
    assert_eq!(lookups("None"), None, "no lookups, no entry");
}
