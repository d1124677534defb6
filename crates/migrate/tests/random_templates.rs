//! A property test: random templates built from the schemas (each resource a generated
//! type's sample, from `crates/codegen/samples/`, its string and number leaves replaced at
//! random by intrinsic functions; random parameters, conditions, mappings, outputs with
//! exports, `DependsOn`, deletion, update-replace, creation and update policies, metadata and
//! lower-case names) round-trip through migrate, build and synthesis. Seeded and bounded: the
//! same [`CASES`] templates every run, built into one crate (so it compiles once).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value as Json, json};

/// How many templates.
const CASES: usize = 24;
/// The most resources a template has.
const MAX_RESOURCES: usize = 6;

/// A small deterministic generator for the choices inside one template.
struct Choices(u64);

impl Choices {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// `value` with some string and number leaves replaced by intrinsics that may reference the
/// resources in `earlier`.
fn perturb(value: &Json, c: &mut Choices, earlier: &[String]) -> Json {
    match value {
        Json::Object(m) => Json::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), perturb(v, c, earlier)))
                .collect(),
        ),
        Json::Array(items) => Json::Array(items.iter().map(|v| perturb(v, c, earlier)).collect()),
        Json::String(s) if c.chance(35) => {
            let s = s.replace('$', "");
            match c.below(11) {
                0 => json!({"Fn::Sub": format!("${{Env}}-{s}")}),
                1 => json!({"Fn::If": ["IsProd", s, {"Ref": "AWS::NoValue"}]}),
                2 => json!({"Fn::Join": ["", [s, {"Ref": "AWS::Region"}]]}),
                3 => json!({"Fn::Select": [0, [s, "b"]]}),
                4 => json!({"Fn::FindInMap": ["Names", {"Ref": "AWS::Region"}, "Name"]}),
                5 => json!({"Ref": "env"}),
                6 => json!({"Fn::ImportValue": {"Fn::Sub": "${AWS::StackName}-shared"}}),
                7 => json!({"Fn::Base64": s}),
                8 if !earlier.is_empty() => {
                    let target = &earlier[c.below(earlier.len())];
                    json!({"Fn::GetAtt": [target, "Arn"]})
                }
                9 if !earlier.is_empty() => {
                    let target = &earlier[c.below(earlier.len())];
                    json!({"Fn::Sub": ["${Target}/${AWS::AccountId}", {"Target": {"Ref": target}}]})
                }
                _ => json!({"Fn::Select": [1, {"Fn::GetAZs": {"Ref": "AWS::Region"}}]}),
            }
        }
        Json::Number(_) if c.chance(30) => json!({"Ref": "Count"}),
        other => other.clone(),
    }
}

/// A template of the sample types `types` (indices into `samples`), shaped by `seed`.
fn template(samples: &[(&String, &Json)], types: &[usize], seed: u64) -> Json {
    let mut c = Choices(seed);
    let mut resources = Map::new();
    let mut outputs = Map::new();
    let mut ids: Vec<String> = Vec::new();
    for (i, &t) in types.iter().enumerate() {
        let (type_name, props) = samples[t];
        let short: String = type_name.split("::").skip(1).collect();
        // lower-case first letters too: the logical ids must be kept exactly
        let id = if c.chance(30) {
            format!("r{i}{short}")
        } else {
            format!("R{i}{short}")
        };
        let mut r = Map::new();
        r.insert("Type".into(), json!(type_name));
        r.insert("Properties".into(), perturb(props, &mut c, &ids));
        if !ids.is_empty() && c.chance(40) {
            let deps: Vec<&String> = ids.iter().filter(|_| c.chance(50)).collect();
            if !deps.is_empty() {
                r.insert("DependsOn".into(), json!(deps));
            }
        }
        if c.chance(25) {
            r.insert("Condition".into(), json!("IsProd"));
        }
        let policies = ["Delete", "Retain", "RetainExceptOnCreate"];
        if c.chance(50) {
            r.insert("DeletionPolicy".into(), json!(policies[c.below(3)]));
        }
        if c.chance(30) {
            r.insert("UpdateReplacePolicy".into(), json!(policies[c.below(3)]));
        }
        if c.chance(15) {
            r.insert(
                "CreationPolicy".into(),
                json!({"ResourceSignal": {"Count": 1, "Timeout": "PT5M"}}),
            );
        }
        if c.chance(15) {
            r.insert(
                "UpdatePolicy".into(),
                json!({"AutoScalingRollingUpdate": {"MinInstancesInService": {"Ref": "Count"}}}),
            );
        }
        if c.chance(25) {
            r.insert(
                "Metadata".into(),
                json!({"Owner": "team", "Env": {"Ref": "env"}}),
            );
        }
        if c.chance(40) {
            // an output sometimes named like its resource (the names are separate in a template)
            let name = match c.below(3) {
                0 => id.clone(),
                1 => format!("out{i}"),
                _ => format!("Out{i}"),
            };
            let mut o = Map::new();
            o.insert("Value".into(), json!({"Ref": id}));
            if c.chance(50) {
                o.insert(
                    "Export".into(),
                    json!({"Name": {"Fn::Sub": format!("${{AWS::StackName}}-{i}")}}),
                );
            }
            if c.chance(30) {
                o.insert("Description".into(), json!("made by the property test"));
            }
            if r.contains_key("Condition") {
                o.insert("Condition".into(), json!("IsProd"));
            }
            outputs.insert(name, Json::Object(o));
        }
        resources.insert(id.clone(), Json::Object(r));
        ids.push(id);
    }
    let mut t = json!({
        "Description": "a random template",
        "Parameters": {
            "env": {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"]},
            "Count": {"Type": "Number", "Default": 2, "MinValue": 1, "MaxValue": 10}
        },
        "Mappings": {"Names": {"eu-west-1": {"Name": "eu"}, "us-east-1": {"Name": "us"}}},
        "Conditions": {
            "IsProd": {"Fn::Equals": [{"Ref": "env"}, "prod"]},
            "notProd": {"Fn::Not": [{"Condition": "IsProd"}]},
            "Either": {"Fn::Or": [{"Condition": "IsProd"}, {"Fn::And": [{"Condition": "notProd"}, {"Fn::Equals": ["a", "a"]}]}]}
        },
        "Resources": resources,
    });
    // a template needs `Env` when a Sub uses it: a parameter of that name too
    t["Parameters"]["Env"] =
        json!({"Type": "String", "Default": "dev", "NoEcho": true, "MinLength": 1});
    if !outputs.is_empty() {
        t["Outputs"] = Json::Object(outputs);
    }
    t
}

#[test]
fn random_templates_round_trip() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen/samples/samples.json");
    let samples: Map<String, Json> =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let samples: Vec<(&String, &Json)> = samples.iter().collect();
    let strategy = (
        prop::collection::vec(0..samples.len(), 1..=MAX_RESOURCES),
        any::<u64>(),
    );
    let seed = [7u8; 32];
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed),
    );
    let templates: Vec<(String, Json)> = (0..CASES)
        .map(|i| {
            let (types, choice_seed) = strategy.new_tree(&mut runner).unwrap().current();
            (
                format!("random{i}"),
                template(&samples, &types, choice_seed),
            )
        })
        .collect();
    // every feature, as the samples test builds with, so the two share one build
    let model = cloudwright_migrate::types::Model::embedded().unwrap();
    let mut features: Vec<String> = Vec::new();
    for t in model.type_names() {
        let f = model.get(t).unwrap().unwrap().feature;
        if !features.contains(&f) {
            features.push(f);
        }
    }
    let features: Vec<&str> = features.iter().map(String::as_str).collect();
    let out = support::migrate_and_synth("migrated-random", &templates, Some(&features));
    for ((name, original), synthesized) in templates.iter().zip(&out) {
        support::assert_same(name, original, synthesized);
    }
}
