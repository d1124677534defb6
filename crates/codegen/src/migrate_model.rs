//! The type model `cloudwright migrate` embeds (`crates/migrate/src/types.json`): for every
//! generated type, the names the generator gave its Rust items, so migrated code calls
//! exactly the generated API.
//!
//! One line per type, `"AWS::S::T": {..}` with:
//!
//! - `m`: the module path under `cloudwright_resources` (`sqs::queue`), `f`: the cargo
//!   feature of its service, `r`: the resource struct's name;
//! - `s`: the structs (the resource's first, then its property types), each
//!   `[name, required struct name or "", [[cfn name, identifier, type, required], ..]]` (a
//!   struct with one required property has no required struct: its `new` takes the value);
//! - `e`: the enums, `{name: [[variant, value], ..]}`.
//!
//! Types are written compactly: `s` (Str), `i` (Int), `n` (Num), `b` (Bool), `j` (Json),
//! `l<type>` (List), `o<Name>` (a property-type struct), `e<Name>` (an enum).

use std::collections::BTreeSet;

use serde_json::{Value as Json, json};

use crate::model::{ResourceModel, StructDef, Ty};

/// Where the file goes, relative to the generated directory (`crates/resources/src/generated`).
pub const MODEL_PATH: &str = "../../../migrate/src/types.json";

/// The compact type code of `ty`.
pub fn ty_code(ty: &Ty) -> String {
    match ty {
        Ty::Str => "s".into(),
        Ty::Int => "i".into(),
        Ty::Num => "n".into(),
        Ty::Bool => "b".into(),
        Ty::Json => "j".into(),
        Ty::List(item) => format!("l{}", ty_code(item)),
        Ty::Struct { name, .. } => format!("o{name}"),
        Ty::Enum(name) => format!("e{name}"),
    }
}

/// The `...Required` struct name of `s` in `m` (as `emit` names it), or `""` when `s` has
/// none (fewer than two required properties: with one, `new` takes its value).
fn required_name(m: &ResourceModel, s: &StructDef) -> String {
    if !crate::emit::has_required_struct(s) {
        return String::new();
    }
    let taken: BTreeSet<String> = std::iter::once(&m.resource)
        .chain(&m.structs)
        .map(|s| s.name.clone())
        .chain(m.enums.iter().map(|e| e.name.clone()))
        .chain(std::iter::once(m.attributes_name()))
        .collect();
    crate::emit::required_name(s, &taken)
}

fn struct_entry(m: &ResourceModel, s: &StructDef) -> Json {
    let fields: Vec<Json> = s
        .fields
        .iter()
        .map(|f| json!([f.cfn, f.ident, ty_code(&f.ty), f.required]))
        .collect();
    json!([s.name, required_name(m, s), fields])
}

/// The file's contents for `models`.
pub fn model_file(models: &[ResourceModel], version: &str) -> String {
    let mut models: Vec<&ResourceModel> = models.iter().collect();
    models.sort_by(|a, b| a.type_name.cmp(&b.type_name));
    let mut lines = Vec::new();
    for m in models {
        let structs: Vec<Json> = std::iter::once(&m.resource)
            .chain(&m.structs)
            .map(|s| struct_entry(m, s))
            .collect();
        let enums: serde_json::Map<String, Json> = m
            .enums
            .iter()
            .map(|e| (e.name.clone(), json!(e.variants)))
            .collect();
        let feature = m
            .type_name
            .split("::")
            .nth(1)
            .map(str::to_lowercase)
            .unwrap_or_default();
        let entry = json!({
            "m": format!("{}::{}", m.service_mod, m.module),
            "f": feature,
            "r": m.resource.name,
            "s": structs,
            "e": enums,
        });
        lines.push(format!("{}:{entry}", Json::String(m.type_name.clone())));
    }
    format!(
        "{{\"generated\":\"by cloudwright-codegen from CloudFormation schemas (cfn-lint {version}); do not edit, regenerate with `cargo run -p cloudwright-codegen`\",\n\"types\":{{\n{}\n}}}}\n",
        lines.join(",\n")
    )
}
