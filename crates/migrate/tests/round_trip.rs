//! Round trips: a template migrated, built and synthesized gives the template back
//! (semantically: key order, formatting and the written form of intrinsics aside), for the
//! original troposphere template of the main app, a hand-written YAML template, and every
//! generated type's sample.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value as Json, json};

#[test]
fn the_troposphere_template_of_the_main_app_round_trips() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/troposphere-seed.template.json");
    let original: Json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let yaml_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/short-form.template.yaml");
    let yaml = cloudwright_migrate::yaml::parse(
        "short-form.template.yaml",
        &std::fs::read_to_string(&yaml_path).unwrap(),
    )
    .unwrap();
    let out = support::migrate_and_synth(
        "migrated-seed",
        &[
            ("flask-api-seed".to_owned(), original.clone()),
            ("orders".to_owned(), yaml.clone()),
        ],
        None,
    );
    support::assert_same("the troposphere template", &original, &out[0]);
    support::assert_same("the short-form YAML template", &yaml, &out[1]);
}

/// The logical id `export_samples.py` gives a type's sample: `AWS::EC2::Subnet` → `EC2Subnet`.
fn logical_id(type_name: &str) -> String {
    type_name.split("::").skip(1).collect()
}

#[test]
fn every_generated_types_sample_round_trips() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen/samples/samples.json");
    let samples: serde_json::Map<String, Json> =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(samples.len() > 1500, "{} samples", samples.len());
    let model = cloudwright_migrate::types::Model::embedded().unwrap();
    assert_eq!(
        model.type_names().collect::<Vec<_>>(),
        samples.keys().map(String::as_str).collect::<Vec<_>>(),
        "the type model and the samples name the same types"
    );
    let types: Vec<(&String, &Json)> = samples.iter().collect();
    let templates: Vec<(String, Json)> = types
        .chunks(400)
        .enumerate()
        .map(|(i, chunk)| {
            let resources: serde_json::Map<String, Json> = chunk
                .iter()
                .map(|(t, props)| (logical_id(t), json!({"Type": t, "Properties": props})))
                .collect();
            (format!("samples{i}"), json!({ "Resources": resources }))
        })
        .collect();
    // every sample is typed: none falls back to a raw resource
    for (name, t) in &templates {
        let options = cloudwright_migrate::Options::new(name, "x", support::workspace());
        let m = cloudwright_migrate::migrate(name, &t.to_string(), &options).unwrap();
        assert!(
            m.fallbacks.is_empty(),
            "{name}: raw resources:\n  {}",
            m.fallbacks.join("\n  ")
        );
    }
    let out = support::migrate_and_synth("migrated-samples", &templates, None);
    for ((name, original), synthesized) in templates.iter().zip(&out) {
        support::assert_same(name, original, synthesized);
    }
}
