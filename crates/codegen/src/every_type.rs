//! The generated test `crates/resources/tests/every_type.rs`: every generated type built
//! through its typed API from the sample values of its required properties
//! (`samples/samples.json`, written and verified against cfn-lint by `export_samples.py`),
//! synthesized into templates of at most [`BATCH`] resources, each linted by cfn-lint.
//!
//! The sample of a type is its `Properties` object: its required properties, recursively the
//! required properties of the objects they hold, and what the schema's combinators ask for
//! (the first alternative of a `oneOf`, ...), which the test sets through setters. Each
//! value becomes the typed expression of its field's type: a string literal for `Str`, the
//! variant for an enum, `Type::new(TypeRequired { .. })` (or `Type::new(value)` with one
//! required property) for a property type, `vec![..]` for a
//! list, `serde_json::json!(..)` for `Json`. A sample that does not fit the model (an unknown
//! property, a string where the type is an integer, a value no enum variant has) is a
//! generation error naming the type and the property path.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value as Json;

use crate::model::{ResourceModel, StructDef, Ty};
use crate::{Error, err};

/// Where the test goes, relative to the generated directory (`crates/resources/src/generated`).
pub const TEST_PATH: &str = "../../tests/every_type.rs";

/// The most resources one template of the test holds (CloudFormation allows 500).
pub const BATCH: usize = 400;

/// The command that writes `samples/samples.json`.
pub const EXPORT_SAMPLES: &str = "python3 crates/codegen/export_samples.py";

/// The logical id a type's sample gets: its name without `AWS::` and the colons
/// (`AWS::EC2::Subnet` → `EC2Subnet`), as `export_samples.py` names it.
pub fn logical_id(type_name: &str) -> String {
    type_name.split("::").skip(1).collect()
}

/// The sample `Properties` of every type (`samples/samples.json`) and the cfn-lint rules
/// ignored per type (the `ignore` entries of `samples/overrides.json`).
pub struct Samples {
    properties: BTreeMap<String, Json>,
    ignored: BTreeMap<String, BTreeSet<String>>,
}

impl Samples {
    /// Reads them from `codegen_dir/samples/`.
    pub fn read(codegen_dir: &Path) -> Result<Self, Error> {
        let read = |name: &str| -> Result<Json, Error> {
            let path = codegen_dir.join("samples").join(name);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| err(format!("{}: {e} (run `{EXPORT_SAMPLES}`)", path.display())))?;
            serde_json::from_str(&text).map_err(|e| err(format!("{}: {e}", path.display())))
        };
        let properties = match read("samples.json")? {
            Json::Object(m) => m.into_iter().collect(),
            _ => return Err(err("samples/samples.json: not an object of types")),
        };
        let mut ignored: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let overrides = read("overrides.json")?;
        for entry in overrides
            .get("ignore")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let rule = entry.get("rule").and_then(Json::as_str).ok_or_else(|| {
                err(format!(
                    "samples/overrides.json: an `ignore` entry without a rule: {entry}"
                ))
            })?;
            for t in entry
                .get("types")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
            {
                ignored
                    .entry(t.to_owned())
                    .or_default()
                    .insert(rule.to_owned());
            }
        }
        Ok(Samples {
            properties,
            ignored,
        })
    }
}

/// The source of the test for `models` (every generated type), before rustfmt.
pub fn test_file(
    models: &[ResourceModel],
    samples: &Samples,
    header: &str,
) -> Result<String, Error> {
    let mut models: Vec<&ResourceModel> = models.iter().collect();
    models.sort_by(|a, b| a.type_name.cmp(&b.type_name));
    let known: BTreeSet<&str> = models.iter().map(|m| m.type_name.as_str()).collect();
    if let Some(extra) = samples
        .properties
        .keys()
        .chain(samples.ignored.keys())
        .find(|t| !known.contains(t.as_str()))
    {
        return Err(err(format!(
            "crates/codegen/samples: {extra} has a sample or an override but is not generated (run `{EXPORT_SAMPLES}`)"
        )));
    }

    let mut out = String::from(header);
    out.push_str(TEST_DOC);
    let _ = writeln!(out, "const BATCH: usize = {BATCH};\n");
    out.push_str(
        "/// Every generated type: its name and the function that adds its sample to a scope.\n",
    );
    out.push_str("static TYPES: &[(&str, AddFn)] = &[\n");
    for m in &models {
        let _ = writeln!(out, "    ({:?}, {}),", m.type_name, fn_name(m));
    }
    out.push_str("];\n\n");
    out.push_str(TEST_BODY);
    for m in &models {
        let props = samples.properties.get(&m.type_name).ok_or_else(|| {
            err(format!(
                "{}: no sample in crates/codegen/samples/samples.json (run `{EXPORT_SAMPLES}`)",
                m.type_name
            ))
        })?;
        let structs: BTreeMap<&str, &StructDef> =
            m.structs.iter().map(|s| (s.name.as_str(), s)).collect();
        let r = Render {
            model: m,
            structs: &structs,
        };
        let expr = r
            .object(&m.resource, props, "")
            .map_err(|e| err(format!("{}: sample {e}", m.type_name)))?;
        let ignored: Vec<String> = samples
            .ignored
            .get(&m.type_name)
            .into_iter()
            .flatten()
            .map(|r| format!("{r:?}"))
            .collect();
        let _ = writeln!(
            out,
            "fn {}(scope: &mut Scope<'_>) -> Result<(), Error> {{\n    \
             #[allow(unused_imports)]\n    use cloudwright_resources::{}::{}::*;\n    \
             add(scope, {:?}, {expr}, &[{}])\n}}\n",
            fn_name(m),
            m.service_mod,
            m.module,
            logical_id(&m.type_name),
            ignored.join(", ")
        );
    }
    Ok(out)
}

fn fn_name(m: &ResourceModel) -> String {
    format!("{}_{}", m.service_mod, m.module)
}

struct Render<'a> {
    model: &'a ResourceModel,
    structs: &'a BTreeMap<&'a str, &'a StructDef>,
}

impl Render<'_> {
    /// `Name::new(NameRequired { .. }).setter(..)` for an object sample of struct `s`.
    fn object(&self, s: &StructDef, value: &Json, path: &str) -> Result<String, String> {
        let Json::Object(map) = value else {
            return Err(format!("at {path:?}: {value} is not an object"));
        };
        for key in map.keys() {
            if !s.fields.iter().any(|f| &f.cfn == key) {
                return Err(format!(
                    "at {:?}: {} has no property {key}",
                    join(path, key),
                    s.name
                ));
            }
        }
        let mut required = Vec::new();
        let mut setters = String::new();
        for f in &s.fields {
            let at = join(path, &f.cfn);
            match (map.get(&f.cfn), f.required) {
                (Some(v), true) => {
                    let value = self.value(&f.ty, v, &at)?;
                    // a negative literal needs parentheses before `.into()`
                    let value = if value.starts_with('-') {
                        format!("({value})")
                    } else {
                        value
                    };
                    // an enum variant is already the field's type; the rest converts
                    let into = if matches!(f.ty, Ty::Enum(_)) && !is_intrinsic(v) {
                        ""
                    } else {
                        ".into()"
                    };
                    required.push((format!("{}: {value}{into}", f.ident), value));
                }
                (None, true) => {
                    return Err(format!("at {at:?}: the required {} is missing", f.cfn));
                }
                (Some(v), false) => {
                    let _ = write!(setters, ".{}({})", f.ident, self.value(&f.ty, v, &at)?);
                }
                (None, false) => {}
            }
        }
        let new = match required.as_slice() {
            [] => format!("{}::new()", s.name),
            // one required property: `new` takes its value (and converts it)
            [(_, value)] => format!("{}::new({value})", s.name),
            _ => {
                let fields: Vec<&str> = required.iter().map(|(f, _)| f.as_str()).collect();
                format!(
                    "{}::new({} {{ {} }})",
                    s.name,
                    self.required_name(s),
                    fields.join(", ")
                )
            }
        };
        Ok(format!("{new}{setters}"))
    }

    /// The `...Required` struct's name, as `emit` names it: `<Name>Required`, or
    /// `<Name>RequiredProps` when the module has a type of that name.
    fn required_name(&self, s: &StructDef) -> String {
        let name = format!("{}Required", s.name);
        let m = self.model;
        let taken = std::iter::once(&m.resource)
            .chain(&m.structs)
            .map(|s| s.name.clone())
            .chain(m.enums.iter().map(|e| e.name.clone()))
            .chain(std::iter::once(m.attributes_name()))
            .any(|n| n == name);
        if taken {
            format!("{}RequiredProps", s.name)
        } else {
            name
        }
    }

    /// A Rust expression of a type that converts into the field type of `ty`.
    fn value(&self, ty: &Ty, v: &Json, path: &str) -> Result<String, String> {
        let wrong = |what: &str| Err(format!("at {path:?}: {v} is not {what}"));
        if is_intrinsic(v) {
            // every typed property accepts an intrinsic (a `Value`)
            return intrinsic(v).ok_or_else(|| {
                format!("at {path:?}: {v} is not an intrinsic the test can write (Ref, Fn::Select, Fn::GetAZs)")
            });
        }
        match ty {
            Ty::Str => match v {
                Json::String(s) => Ok(format!("{s:?}")),
                _ => wrong("a string"),
            },
            Ty::Int => match v.as_i64() {
                Some(n) => Ok(format!("{n}i64")),
                None => wrong("an integer"),
            },
            Ty::Num => match v {
                Json::Number(n) if n.is_i64() => Ok(format!("{n}i64")),
                Json::Number(n) => match n.as_f64() {
                    Some(x) => Ok(format!("{x:?}f64")),
                    None => wrong("a number"),
                },
                _ => wrong("a number"),
            },
            Ty::Bool => match v {
                Json::Bool(b) => Ok(b.to_string()),
                _ => wrong("a boolean"),
            },
            Ty::Json => Ok(format!("serde_json::json!({v})")),
            Ty::Enum(name) => {
                let Json::String(s) = v else {
                    return wrong("a string");
                };
                let e = self
                    .model
                    .enums
                    .iter()
                    .find(|e| &e.name == name)
                    .ok_or_else(|| format!("at {path:?}: no enum {name}"))?;
                match e.variants.iter().find(|(_, value)| value == s) {
                    Some((variant, _)) => Ok(format!("{name}::{variant}")),
                    None => wrong(&format!("a value of {name}")),
                }
            }
            Ty::List(item) => {
                let Json::Array(items) = v else {
                    return wrong("a list");
                };
                if items.is_empty() {
                    return wrong("a list with an item (an empty one has no item type to infer)");
                }
                let items = items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| self.value(item, x, &join(path, &i.to_string())))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(format!("vec![{}]", items.join(", ")))
            }
            Ty::Struct { name, .. } => {
                let s = self
                    .structs
                    .get(name.as_str())
                    .ok_or_else(|| format!("at {path:?}: no struct {name}"))?;
                self.object(s, v, path)
            }
        }
    }
}

/// `{"Ref": ..}` or `{"Fn::...": ..}`.
fn is_intrinsic(v: &Json) -> bool {
    v.as_object()
        .is_some_and(|m| m.len() == 1 && m.keys().all(|k| k == "Ref" || k.starts_with("Fn::")))
}

/// The `cloudwright_core::Value` expression of an intrinsic: `Ref`, `Fn::Select` and
/// `Fn::GetAZs` of the region, or a literal inside one.
fn intrinsic(v: &Json) -> Option<String> {
    let Some((name, arg)) = v
        .as_object()
        .and_then(|m| m.iter().next())
        .filter(|_| is_intrinsic(v))
    else {
        return match v {
            Json::String(s) => Some(format!("cloudwright_core::Value::from({s:?})")),
            Json::Number(n) => n
                .as_u64()
                .map(|n| format!("cloudwright_core::Value::from({n}u64)")),
            _ => None,
        };
    };
    match (name.as_str(), arg) {
        ("Ref", Json::String(target)) => {
            Some(format!("cloudwright_core::Value::r#ref({target:?})"))
        }
        ("Fn::GetAZs", Json::String(region)) if region.is_empty() => {
            Some("cloudwright_core::Value::get_azs()".into())
        }
        ("Fn::Select", Json::Array(args)) if args.len() == 2 => Some(format!(
            "cloudwright_core::Value::select({}, {})",
            intrinsic(&args[0])?,
            intrinsic(&args[1])?
        )),
        _ => None,
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}/{key}")
    }
}

const TEST_DOC: &str = r#"
//! Every generated type, with only its required properties, synthesizes into templates of
//! at most `BATCH` resources that cfn-lint passes with zero findings, its informational
//! checks included.
//!
//! Each type is built through its typed API (`Type::new(TypeRequired { .. })`, or
//! `Type::new(value)` for a type with one required property, property
//! types as structs, enums as variants) from the sample values in
//! `crates/codegen/samples/samples.json`, which `crates/codegen/export_samples.py` derives
//! from the schemas and verifies. Every resource gets explicit deletion policies (cfn-lint's
//! I3011 asks stateful ones for them); the few cfn-lint rules that report a type whatever its
//! properties (a service that is shut down) are ignored for those types in their `Metadata`,
//! as `crates/codegen/samples/overrides.json` lists with the reason.
//!
//! cfn-lint is found through `$CFN_LINT`, the workspace's `.venv` (which `scripts/test`
//! creates), or `PATH`. Run it with `cargo test -p cloudwright-resources --features full
//! --test every_type`.

#![cfg(feature = "full")]
// every type, those of shut-down or sunsetting services (#[deprecated]) included
#![allow(deprecated)]

use cloudwright_core::{App, Error, Policy, Resource, Scope, Value};

mod common;
use common::lint_files;

type AddFn = fn(&mut Scope<'_>) -> Result<(), Error>;

"#;

const TEST_BODY: &str = r#"/// Adds `resource` under `id` with explicit deletion policies, and the cfn-lint rules
/// `ignore` names ignored for it.
fn add<T: Resource>(scope: &mut Scope<'_>, id: &str, resource: T, ignore: &[&str]) -> Result<(), Error> {
    let handle = scope.add_with_logical_id(id, id, resource)?;
    scope.set_deletion_policy(&handle, Policy::Delete)?;
    scope.set_update_replace_policy(&handle, Policy::Delete)?;
    if !ignore.is_empty() {
        let config = Value::map([("ignore_checks", Value::list(ignore.iter().copied()))]);
        let metadata = Value::map([("cfn-lint", Value::map([("config", config)]))]);
        scope.set_metadata(&handle, metadata)?;
    }
    Ok(())
}

fn logical_id(type_name: &str) -> String {
    type_name.split("::").skip(1).collect()
}

#[test]
fn every_generated_type_has_a_sample() {
    let facts: Vec<&str> = cloudwright_resources::all_facts().iter().map(|f| f.type_name).collect();
    let sampled: Vec<&str> = TYPES.iter().map(|(t, _)| *t).collect();
    assert_eq!(sampled, facts, "the test does not cover exactly the generated types");
}

#[test]
fn every_type_with_its_required_properties_passes_cfn_lint() {
    // each type alone: synthesis (the schema checks) accepts its sample
    let mut refused = Vec::new();
    for (type_name, add) in TYPES {
        let app = App::new();
        let result = app.stack("One").and_then(|mut scope| add(&mut scope)).and_then(|()| app.synth());
        if let Err(e) = result {
            refused.push(format!("{type_name}: {e}"));
        }
    }
    assert!(refused.is_empty(), "synthesis refused {} samples:\n  {}", refused.len(), refused.join("\n  "));

    // all of them, in stacks of at most BATCH resources, through one cfn-lint run
    let app = App::new();
    for (i, chunk) in TYPES.chunks(BATCH).enumerate() {
        let mut scope = app.stack(&format!("Batch{i}")).unwrap_or_else(|e| panic!("{e}"));
        for (type_name, add) in chunk {
            add(&mut scope).unwrap_or_else(|e| panic!("{type_name}: {e}"));
        }
    }
    let assembly = app.synth().unwrap_or_else(|e| panic!("synthesis failed: {e}"));
    let dir = std::env::temp_dir().join(format!("cloudwright-every-type-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files = Vec::new();
    for stack in &assembly.stacks {
        assert!(stack.resource_count <= BATCH, "{}: {} resources", stack.id, stack.resource_count);
        let file = dir.join(format!("{}.template.json", stack.id));
        std::fs::write(&file, &stack.template).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        files.push(file);
    }
    let findings = lint_files(&["--include-checks", "I"], &files);
    let _ = std::fs::remove_dir_all(&dir);
    let by_id: std::collections::BTreeMap<String, &str> =
        TYPES.iter().map(|(t, _)| (logical_id(t), *t)).collect();
    let mut failing: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for f in &findings {
        let path = f["Location"]["Path"].as_array().cloned().unwrap_or_default();
        let type_name = match path.as_slice() {
            [res, id, ..] if res == "Resources" => id.as_str().and_then(|id| by_id.get(id).copied()),
            _ => None,
        };
        let at: Vec<String> = path.iter().skip(2).map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned)).collect();
        failing.entry(type_name.unwrap_or("(outside any resource)")).or_default().push(format!(
            "{} {}: {}",
            f["Rule"]["Id"].as_str().unwrap_or("?"),
            at.join("/"),
            f["Message"].as_str().unwrap_or("?")
        ));
    }
    let report: Vec<String> = failing.iter().map(|(t, fs)| format!("{t}:\n    {}", fs.join("\n    "))).collect();
    assert!(
        failing.is_empty(),
        "cfn-lint findings for {} of {} types (samples: crates/codegen/samples):\n  {}",
        failing.len(),
        TYPES.len(),
        report.join("\n  ")
    );
}

"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> ResourceModel {
        let schema = serde_json::json!({
            "typeName": "AWS::Demo::Thing",
            "properties": {
                "Name": {"type": "string"},
                "Size": {"type": "integer"},
                "Kind": {"type": "string", "enum": ["small-one", "big"]},
                "Items": {"type": "array", "items": {"$ref": "#/definitions/Item"}},
                "Doc": {"type": "object"},
                "Zone": {"type": "string"}
            },
            "definitions": {
                "Item": {"type": "object", "properties": {"Key": {"type": "string"}}, "required": ["Key"]}
            },
            "required": ["Name", "Items"]
        });
        crate::model::resource_model(&schema, &BTreeMap::new()).unwrap()
    }

    fn samples(props: Json) -> Samples {
        Samples {
            properties: [("AWS::Demo::Thing".to_owned(), props)].into(),
            ignored: [("AWS::Demo::Thing".to_owned(), ["W3696".to_owned()].into())].into(),
        }
    }

    #[test]
    fn a_sample_becomes_typed_construction() {
        let props = serde_json::json!({
            "Name": "n", "Size": -2, "Kind": "small-one", "Items": [{"Key": "k"}],
            "Doc": {"a": 1}, "Zone": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
        });
        let out = test_file(&[model()], &samples(props), "// header\n").unwrap();
        for want in [
            "(\"AWS::Demo::Thing\", demo_thing),",
            "use cloudwright_resources::demo::thing::*;",
            "Thing::new(ThingRequired { items: vec![Item::new(\"k\")].into(), name: \"n\".into() })",
            ".size(-2i64)",
            ".kind(ThingKind::SmallOne)",
            ".doc(serde_json::json!({\"a\":1}))",
            ".zone(cloudwright_core::Value::select(cloudwright_core::Value::from(0u64), cloudwright_core::Value::get_azs()))",
            "\"DemoThing\"",
            "&[\"W3696\"]",
        ] {
            assert!(out.contains(want), "{want} not in\n{out}");
        }
    }

    #[test]
    fn a_sample_that_does_not_fit_the_model_is_an_error_naming_where() {
        let cases = [
            (
                serde_json::json!({"Name": "n"}),
                "the required Items is missing",
            ),
            (
                serde_json::json!({"Name": "n", "Items": [{"Key": "k"}], "Nope": 1}),
                "has no property Nope",
            ),
            (
                serde_json::json!({"Name": 5, "Items": [{"Key": "k"}]}),
                "at \"Name\": 5 is not a string",
            ),
            (
                serde_json::json!({"Name": "n", "Items": [{"Key": "k"}], "Kind": "huge"}),
                "is not a value of ThingKind",
            ),
            (
                serde_json::json!({"Name": "n", "Items": []}),
                "at \"Items\"",
            ),
        ];
        for (props, want) in cases {
            let e = test_file(&[model()], &samples(props), "").unwrap_err();
            assert!(
                e.0.contains("AWS::Demo::Thing") && e.0.contains(want),
                "{e}"
            );
        }
        let mut s = samples(serde_json::json!({}));
        s.properties.clear();
        let e = test_file(&[model()], &s, "").unwrap_err();
        assert!(e.0.contains("no sample"), "{e}");
    }

    #[test]
    fn logical_ids_drop_the_prefix_and_colons() {
        assert_eq!(logical_id("AWS::EC2::Subnet"), "EC2Subnet");
    }
}
