//! Intrinsic functions written as data (`Json`, `serde_json::json!`, `Value::from_json`) are
//! references like the typed ones: edges, dangling checks, cross-stack exports; or refused.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use cloudwright_core::{App, Error, Json, Output, RawResource, StackProps, Value};
use serde_json::json;

fn table() -> RawResource {
    RawResource::new("AWS::DynamoDB::Table")
}

/// A role whose policy names `resource`, the way a policy document is usually written.
fn role(resource: impl Into<Value>) -> RawResource {
    RawResource::new("AWS::IAM::Role").property(
        "Policies",
        Value::list([Value::map([
            ("PolicyName", Value::from("read")),
            (
                "PolicyDocument",
                Value::map([("Resource", resource.into())]),
            ),
        ])]),
    )
}

fn data(j: serde_json::Value) -> Value {
    Json::from(j).0
}

/// The templates of every stack of an app, in order.
fn templates(app: &App) -> Vec<(String, String)> {
    app.synth()
        .unwrap()
        .stacks
        .iter()
        .map(|s| (s.id.clone(), s.template.clone()))
        .collect()
}

#[test]
fn a_get_att_written_as_data_is_a_reference_like_the_typed_one() {
    let build = |typed: bool| {
        let app = App::new();
        let mut s = app.stack("S").unwrap();
        let t = s.add("Table", table()).unwrap();
        let resource = if typed {
            t.attribute("Arn")
        } else {
            data(json!({"Fn::GetAtt": ["Table", "Arn"]}))
        };
        s.add("Reader", role(resource)).unwrap();
        s.add_output("Arn", Output::new(data(json!({"Fn::GetAtt": "Table.Arn"}))))
            .unwrap();
        app
    };
    let (typed, read) = (build(true), build(false));
    assert_eq!(templates(&typed), templates(&read));
    let asm = read.synth().unwrap();
    let dot = &asm.stack("S").unwrap().graph_dot;
    assert!(
        dot.contains(r#""Reader" -> "Table" [label="Fn::GetAtt""#),
        "no edge from the data GetAtt:\n{dot}"
    );
}

#[test]
fn references_written_as_data_order_resources_and_close_cycles() {
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    let a = s
        .add(
            "A",
            RawResource::new("AWS::SNS::Topic")
                .property("DisplayName", data(json!({"Fn::Sub": "${B.TopicName}"}))),
        )
        .unwrap();
    s.add(
        "B",
        RawResource::new("AWS::SNS::Topic").property(
            "DisplayName",
            data(json!({"Fn::Join": ["-", [{"Ref": "A"}, "b"]]})),
        ),
    )
    .unwrap();
    let _ = a;
    let e = app.synth().unwrap_err();
    assert!(matches!(e, Error::Cycle { .. }), "{e}");
}

#[test]
fn a_typo_in_data_is_a_dangling_reference_naming_id_path_and_the_near_one() {
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    s.add("OrdersTable", table()).unwrap();
    s.add(
        "Reader",
        role(data(json!({"Fn::GetAtt": ["OrdersTabel", "Arn"]}))),
    )
    .unwrap();
    let e = app.synth().unwrap_err();
    let Error::DanglingReference {
        referrer,
        property,
        target,
        suggestion,
        ..
    } = &e
    else {
        panic!("{e}");
    };
    assert_eq!(referrer, "Reader");
    assert_eq!(property, "Properties.Policies[0].PolicyDocument.Resource");
    assert_eq!(target, "OrdersTabel.Arn");
    assert_eq!(suggestion.as_deref(), Some("OrdersTable"));
    assert!(e.to_string().contains("did you mean `OrdersTable`?"), "{e}");

    // in a Fn::Sub placeholder too
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    s.add("OrdersTable", table()).unwrap();
    s.add(
        "Reader",
        role(data(json!({"Fn::Sub": "${OrdersTabel.Arn}/index/*"}))),
    )
    .unwrap();
    let e = app.synth().unwrap_err();
    assert!(
        matches!(&e, Error::DanglingReference { target, .. } if target == "OrdersTabel.Arn"),
        "{e}"
    );
}

#[test]
fn malformed_and_hand_built_intrinsics_are_refused_with_the_typed_form() {
    let refused = |props: Value| {
        let app = App::new();
        let mut s = app.stack("S").unwrap();
        s.add("Table", table()).unwrap();
        s.add("Reader", role(props)).unwrap();
        app.synth().unwrap_err()
    };
    for (value, intrinsic, says) in [
        (
            data(json!({"Fn::GetAtt": ["Table"]})),
            "Fn::GetAtt",
            "handle.get_att",
        ),
        (data(json!({"Ref": 5})), "Ref", "handle.r#ref()"),
        (
            data(json!({"Fn::ToJsonString": {"a": 1}})),
            "Fn::ToJsonString",
            "LanguageExtensions",
        ),
        (Value::map([("Ref", "Table")]), "Ref", "built by hand"),
        (
            Value::map([("Fn::GetAtt", Value::list(["Table", "Arn"]))]),
            "Fn::GetAtt",
            "Value::from_json",
        ),
    ] {
        let e = refused(value);
        let Error::IntrinsicAsData {
            referrer,
            property,
            intrinsic: found,
            ..
        } = &e
        else {
            panic!("{e}");
        };
        assert_eq!(referrer, "Reader");
        assert_eq!(property, "Properties.Policies[0].PolicyDocument.Resource");
        assert_eq!(&**found, intrinsic);
        assert!(e.to_string().contains(says), "{e}");
    }

    // in metadata, outputs and conditions too
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    let t = s.add("Table", table()).unwrap();
    s.set_metadata(&t, data(json!({"Docs": {"Ref": ["Table"]}})))
        .unwrap();
    let e = app.synth().unwrap_err();
    assert!(
        matches!(&e, Error::IntrinsicAsData { property, .. } if property == "Metadata.Docs"),
        "{e}"
    );
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    s.add("Table", table()).unwrap();
    s.add_output("O", Output::new(Value::map([("Fn::Sub", "x")])))
        .unwrap();
    let e = app.synth().unwrap_err();
    assert!(
        matches!(&e, Error::IntrinsicAsData { referrer, .. } if referrer == "Outputs.O"),
        "{e}"
    );
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    s.add_condition("C", data(json!({"Fn::Not": [{"Condition": "Undeclared"}]})))
        .unwrap();
    let e = app.synth().unwrap_err();
    assert!(
        matches!(&e, Error::UnknownName { name, .. } if name == "Undeclared"),
        "{e}"
    );
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    s.add_condition("C", data(json!({"Condition": "Undeclared"})))
        .unwrap();
    let e = app.synth().unwrap_err();
    assert!(
        matches!(&e, Error::UnknownName { name, referrer, .. } if name == "Undeclared" && referrer == "Conditions.C"),
        "{e}"
    );
}

#[test]
fn data_that_only_looks_like_an_intrinsic_is_written_as_it_is() {
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    s.add(
        "Doc",
        RawResource::new("AWS::SSM::Document").property(
            "Content",
            data(json!({"Ref": "not a reference", "Other": 1, "Condition": "x"})),
        ),
    )
    .unwrap();
    let t = &templates(&app)[0].1;
    assert!(t.contains(r#""Ref": "not a reference""#), "{t}");
}

#[test]
fn a_reference_written_as_data_into_another_stack_is_exported_like_a_typed_one() {
    let build = |typed: bool| {
        let app = App::new();
        let mut producer = app.stack("Data").unwrap();
        let t = producer.add("Table", table()).unwrap();
        let mut consumer = app.stack("Api").unwrap();
        let (arn, name) = if typed {
            (t.attribute("Arn"), t.r#ref())
        } else {
            // what `json!` makes of handles: their stack is lost in the JSON
            let j = json!({"Arn": t.attribute("Arn"), "Name": t.r#ref()});
            (data(j["Arn"].clone()), data(j["Name"].clone()))
        };
        consumer.add("Reader", role(arn)).unwrap();
        consumer.add_output("TableName", Output::new(name)).unwrap();
        app
    };
    let typed = templates(&build(true));
    let read = templates(&build(false));
    assert_eq!(typed, read);
    assert!(
        read[0].1.contains("ExportsOutputFnGetAttTableArn"),
        "{}",
        read[0].1
    );
    assert!(
        read[1]
            .1
            .contains(r#""Fn::ImportValue": "Data:ExportsOutputFnGetAttTableArn""#)
    );
    let asm = build(false).synth().unwrap();
    assert_eq!(
        asm.stack("Api").unwrap().dependencies,
        vec!["Data".to_owned()]
    );
}

#[test]
fn a_reference_written_as_data_into_another_stack_is_refused_where_a_typed_one_is() {
    // another region: no export can be imported
    let app = App::new();
    let mut producer = app
        .stack_with("Data", StackProps::new().region("eu-west-1"))
        .unwrap();
    producer.add("Table", table()).unwrap();
    let mut consumer = app
        .stack_with("Api", StackProps::new().region("us-east-1"))
        .unwrap();
    consumer
        .add(
            "Reader",
            role(data(json!({"Fn::GetAtt": ["Table", "Arn"]}))),
        )
        .unwrap();
    let e = app.synth().unwrap_err();
    assert!(matches!(e, Error::CrossEnvironmentReference(_)), "{e}");

    // two other stacks hold the id: which one is meant cannot be known
    let app = App::new();
    app.stack("One").unwrap().add("Table", table()).unwrap();
    app.stack("Two").unwrap().add("Table", table()).unwrap();
    let mut consumer = app.stack("Api").unwrap();
    consumer
        .add("Reader", role(data(json!({"Ref": "Table"}))))
        .unwrap();
    let e = app.synth().unwrap_err();
    let Error::AmbiguousReference { stacks, target, .. } = &e else {
        panic!("{e}");
    };
    assert_eq!(target, "Table");
    assert_eq!(&**stacks, &["One".to_owned(), "Two".to_owned()]);
}

#[test]
fn a_sub_placeholder_written_as_data_into_another_stack_becomes_an_imported_variable() {
    // `${Table.Arn}` cannot be imported as a placeholder: it becomes a variable holding the
    // reference, as `Value::sub_with` with the handle's attribute writes it
    let build = |typed: bool| {
        let app = App::new();
        let t = app.stack("Data").unwrap().add("Table", table()).unwrap();
        let mut consumer = app.stack("Api").unwrap();
        let resource = if typed {
            Value::sub_with(
                "${TableArn}/index/${!Literal}${AWS::Region}${TableArn}",
                [("TableArn", t.attribute("Arn"))],
            )
        } else {
            data(json!({"Fn::Sub": "${Table.Arn}/index/${!Literal}${AWS::Region}${ Table.Arn }"}))
        };
        consumer.add("Reader", role(resource)).unwrap();
        app
    };
    let typed = templates(&build(true));
    let read = templates(&build(false));
    // the same export, import and order (`${ Table.Arn }` with spaces included)
    assert_eq!(typed[0], read[0]);
    let api: serde_json::Value = serde_json::from_str(&read[1].1).unwrap();
    assert_eq!(
        api["Resources"]["Reader"]["Properties"]["Policies"][0]["PolicyDocument"]["Resource"],
        json!({"Fn::Sub": [
            "${TableArn}/index/${!Literal}${AWS::Region}${TableArn}",
            {"TableArn": {"Fn::ImportValue": "Data:ExportsOutputFnGetAttTableArn"}}
        ]})
    );
    assert_eq!(typed[1], read[1]);

    // a variable of that name taken already: the next free one
    let app = App::new();
    app.stack("Data").unwrap().add("Table", table()).unwrap();
    let mut consumer = app.stack("Api").unwrap();
    consumer
        .add(
            "Reader",
            role(data(
                json!({"Fn::Sub": ["${TableArn}:${Table.Arn}", {"TableArn": "x"}]}),
            )),
        )
        .unwrap();
    let api: serde_json::Value = serde_json::from_str(&templates(&app)[1].1).unwrap();
    assert_eq!(
        api["Resources"]["Reader"]["Properties"]["Policies"][0]["PolicyDocument"]["Resource"],
        json!({"Fn::Sub": [
            "${TableArn}:${TableArn2}",
            {"TableArn": "x", "TableArn2": {"Fn::ImportValue": "Data:ExportsOutputFnGetAttTableArn"}}
        ]})
    );
}

#[test]
fn forms_cloudformation_honours_without_a_typed_one_are_written_and_their_references_checked() {
    // Fn::Join over a list a parameter holds, Fn::GetAtt of an attribute a parameter names
    let build = |table_id: &str| {
        let app = App::new();
        let mut s = app.stack("S").unwrap();
        s.add_parameter(
            "Subnets",
            cloudwright_core::Parameter::new("CommaDelimitedList"),
        )
        .unwrap();
        s.add_parameter("Attr", cloudwright_core::Parameter::new("String"))
            .unwrap();
        s.add("Table", table()).unwrap();
        s.add(
            "Reader",
            role(data(json!({"Fn::GetAtt": [table_id, {"Ref": "Attr"}]}))).property(
                "Description",
                data(json!({"Fn::Join": [",", {"Ref": "Subnets"}]})),
            ),
        )
        .unwrap();
        app
    };
    let asm = build("Table").synth().unwrap();
    let s = asm.stack("S").unwrap();
    let t: serde_json::Value = serde_json::from_str(&s.template).unwrap();
    let props = &t["Resources"]["Reader"]["Properties"];
    assert_eq!(
        props["Policies"][0]["PolicyDocument"]["Resource"],
        json!({"Fn::GetAtt": ["Table", {"Ref": "Attr"}]})
    );
    assert_eq!(
        props["Description"],
        json!({"Fn::Join": [",", {"Ref": "Subnets"}]})
    );
    assert!(
        s.graph_dot
            .contains(r#""Reader" -> "Table" [label="Fn::GetAtt""#),
        "{}",
        s.graph_dot
    );
    let e = build("Tabel").synth().unwrap_err();
    assert!(
        matches!(&e, Error::DanglingReference { target, suggestion, .. } if target == "Tabel" && suggestion.as_deref() == Some("Table")),
        "{e}"
    );

    // the references inside them are checked: a list parameter that is not declared
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    s.add(
        "Reader",
        table().property(
            "Description",
            data(json!({"Fn::Join": [",", {"Ref": "Subnet"}]})),
        ),
    )
    .unwrap();
    let e = app.synth().unwrap_err();
    assert!(
        matches!(&e, Error::DanglingReference { target, property, .. } if target == "Subnet" && property == "Properties.Description.Fn::Join[1]"),
        "{e}"
    );
}
