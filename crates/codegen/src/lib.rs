//! `cloudwright-codegen`: generates the typed resources of `cloudwright-resources` from the
//! CloudFormation resource provider schemas exported out of cfn-lint.
//!
//! Inputs, all under `crates/codegen/`:
//!
//! - `excluded.txt`: the `AWS::` types not generated, each with its reason (none today);
//! - `schemas/<service>-<type>.json`: their provider schemas, `schemas/getatts.json`: the
//!   `Fn::GetAtt` names cfn-lint accepts for each, and `schemas/SOURCE`: the cfn-lint version
//!   they came from. `export_schemas.py` writes all three; generating needs no Python.
//!
//! Output: `crates/resources/src/generated/`, one module per service and one file per type,
//! formatted with rustfmt. [`generate`] builds it in memory; the binary writes it
//! (`cargo run -p cloudwright-codegen`), and `tests/up_to_date.rs` checks that the committed
//! code is what [`generate`] produces.
//!
//! This crate is a development tool: nothing depends on it at run time.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value as Json;

pub mod docs;
mod emit;
pub mod every_type;
pub mod migrate_model;
pub mod model;
pub mod names;
pub mod shared;

/// A generation error: a message naming the file or type at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

pub(crate) fn err(msg: impl Into<String>) -> Error {
    Error(msg.into())
}

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Its path relative to the generated directory (`ec2/subnet.rs`).
    pub path: PathBuf,
    /// Its contents.
    pub contents: String,
}

/// `crates/codegen`: where the exclusion list and the schemas live.
pub fn codegen_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `crates/resources/src/generated`: where the generated code goes.
pub fn generated_dir() -> PathBuf {
    let codegen = codegen_dir();
    codegen
        .parent()
        .map_or_else(|| codegen.join(".."), Path::to_path_buf)
        .join("resources/src/generated")
}

/// The command that regenerates everything.
pub const REGENERATE: &str = "cargo run -p cloudwright-codegen";

/// The types excluded from generation, with their reasons, from an `excluded.txt` text:
/// `AWS::Service::Type  # reason` lines (`#` lines are comments).
pub fn parse_excluded(text: &str) -> Result<Vec<(String, String)>, Error> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (name, reason) = trimmed.split_once('#').unwrap_or((trimmed, ""));
        let (name, reason) = (name.trim(), reason.trim());
        if name.split("::").count() != 3 || name.contains(char::is_whitespace) {
            return Err(err(format!(
                "excluded.txt line {}: not a resource type name: {name:?}",
                i + 1
            )));
        }
        if reason.is_empty() {
            return Err(err(format!(
                "excluded.txt line {}: {name} has no reason (`{name}  # why`)",
                i + 1
            )));
        }
        if out.iter().any(|(t, _)| t == name) {
            return Err(err(format!(
                "excluded.txt line {}: {name} is listed twice",
                i + 1
            )));
        }
        out.push((name.to_owned(), reason.to_owned()));
    }
    Ok(out)
}

/// The types excluded from generation (`crates/codegen/excluded.txt`), with their reasons.
pub fn excluded(codegen_dir: &Path) -> Result<Vec<(String, String)>, Error> {
    parse_excluded(&read(&codegen_dir.join("excluded.txt"))?)
}

/// The types the construct crates use (`crates/codegen/constructs.txt`): what the
/// `constructs` feature of cloudwright-resources, on by default, compiles.
pub fn constructs(codegen_dir: &Path) -> Result<BTreeSet<String>, Error> {
    let path = codegen_dir.join("constructs.txt");
    let known: BTreeSet<String> = types(codegen_dir)?.into_iter().collect();
    let mut out = BTreeSet::new();
    for (i, line) in read(&path)?.lines().enumerate() {
        let name = line.split('#').next().unwrap_or("").trim();
        if name.is_empty() {
            continue;
        }
        if !known.contains(name) {
            return Err(err(format!(
                "{} line {}: {name:?} is not a generated type",
                path.display(),
                i + 1
            )));
        }
        if !out.insert(name.to_owned()) {
            return Err(err(format!(
                "{} line {}: {name} is listed twice",
                path.display(),
                i + 1
            )));
        }
    }
    Ok(out)
}

/// The types to generate: every type `export_schemas.py` exported (the keys of
/// `schemas/getatts.json`), sorted.
pub fn types(codegen_dir: &Path) -> Result<Vec<String>, Error> {
    let path = codegen_dir.join("schemas/getatts.json");
    let getatts = parse_json(&path)?;
    let map = getatts
        .as_object()
        .ok_or_else(|| err(format!("{}: not an object", path.display())))?;
    Ok(map.keys().cloned().collect())
}

/// The schema file name of a type (`AWS::EC2::Subnet` → `ec2-subnet.json`), as
/// `export_schemas.py` writes it.
pub fn schema_file_name(type_name: &str) -> String {
    let parts: Vec<String> = type_name
        .split("::")
        .skip(1)
        .map(str::to_lowercase)
        .collect();
    format!("{}.json", parts.join("-"))
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| {
        err(format!(
            "{}: {e} (run `python3 crates/codegen/export_schemas.py` to export the schemas)",
            path.display()
        ))
    })
}

fn parse_json(path: &Path) -> Result<Json, Error> {
    serde_json::from_str(&read(path)?).map_err(|e| err(format!("{}: {e}", path.display())))
}

/// The cfn-lint version recorded in `schemas/SOURCE` (`cfn-lint 1.51.0` on its first line).
pub fn cfn_lint_version(codegen_dir: &Path) -> Result<String, Error> {
    let path = codegen_dir.join("schemas/SOURCE");
    let text = read(&path)?;
    text.lines()
        .find_map(|l| l.strip_prefix("cfn-lint "))
        .map(|v| v.trim().to_owned())
        .ok_or_else(|| err(format!("{}: no `cfn-lint X.Y.Z` line", path.display())))
}

/// Generates the code of every exported type, formatted, in memory.
pub fn generate(codegen_dir: &Path) -> Result<Vec<GeneratedFile>, Error> {
    let types = types(codegen_dir)?;
    let gates = emit::Gates::new(constructs(codegen_dir)?);
    let version = cfn_lint_version(codegen_dir)?;
    let header = emit::header(&version);
    let getatts_path = codegen_dir.join("schemas/getatts.json");
    let getatts = parse_json(&getatts_path)?;

    let docs = parse_json(&codegen_dir.join("schemas/docs.json"))?;
    let api_enums = parse_json(&codegen_dir.join("schemas/api_enums.json"))?;
    let extensions = parse_json(&codegen_dir.join("schemas/extensions.json"))?;
    let regional = parse_json(&codegen_dir.join("schemas/regions.json"))?;
    let regions: Vec<String> = regional
        .get("regions")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if regions.len() > 64 {
        return Err(err(format!(
            "schemas/regions.json: {} regions do not fit the 64-bit region masks",
            regions.len()
        )));
    }

    let mut models = Vec::new();
    let mut failed = Vec::new();
    for type_name in &types {
        let path = codegen_dir
            .join("schemas")
            .join(schema_file_name(type_name));
        let mut schema = parse_json(&path)?;
        if let Some(d) = docs.get(type_name) {
            add_descriptions(&mut schema, d);
        }
        if let Some(enums) = api_enums
            .get("types")
            .and_then(|t| t.get(type_name))
            .and_then(Json::as_object)
        {
            add_api_enums(&mut schema, enums);
        }
        // cfn-lint's extension schemas of the type (export_extensions.py), for the model
        if let (Some(list), Some(s)) = (extensions.get(type_name), schema.as_object_mut()) {
            s.insert("x-cfn-lint-extensions".into(), list.clone());
        }
        // cfn-lint's region-keyed values of the type (export_regions.py)
        if let (Some(list), Some(s)) = (
            regional.get("types").and_then(|t| t.get(type_name)),
            schema.as_object_mut(),
        ) {
            s.insert("x-cfn-lint-regions".into(), list.clone());
        }
        if schema.get("typeName").and_then(Json::as_str) != Some(type_name.as_str()) {
            return Err(err(format!(
                "{}: typeName is not {type_name}",
                path.display()
            )));
        }
        let attrs: BTreeMap<String, String> = getatts
            .get(type_name)
            .and_then(Json::as_object)
            .ok_or_else(|| {
                err(format!(
                    "{}: no entry for {type_name} (run `python3 crates/codegen/export_schemas.py`)",
                    getatts_path.display()
                ))
            })?
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect();
        match model::resource_model(&schema, &attrs) {
            Ok(model) => models.push(model),
            Err(e) => failed.push(format!("{type_name}: {e}")),
        }
    }
    if !failed.is_empty() {
        return Err(err(format!(
            "{} types cannot be generated (fix the generator, or list them in excluded.txt \
             with the reason):\n  {}",
            failed.len(),
            failed.join("\n  ")
        )));
    }

    let mut services: BTreeMap<String, Vec<&model::ResourceModel>> = BTreeMap::new();
    for m in &models {
        services.entry(m.service_mod.clone()).or_default().push(m);
    }
    let mut shared = BTreeMap::new();
    for (service_mod, ms) in &mut services {
        ms.sort_by(|a, b| a.module.cmp(&b.module));
        if ms.iter().any(|m| m.module == shared::MODULE) {
            return Err(err(format!(
                "a resource module of {service_mod} is named `{}`, like the shared module",
                shared::MODULE
            )));
        }
        shared.insert(service_mod.clone(), shared::plan(ms));
    }
    let mut files = Vec::new();
    files.push(GeneratedFile {
        path: PathBuf::from("mod.rs"),
        contents: emit::root_file(&services, &shared, &header, &gates, &regions),
    });
    for (service_mod, ms) in &services {
        let service = ms[0]
            .type_name
            .split("::")
            .nth(1)
            .unwrap_or(service_mod.as_str())
            .to_owned();
        let sh = &shared[service_mod];
        files.push(GeneratedFile {
            path: PathBuf::from(service_mod).join("mod.rs"),
            contents: emit::service_file(&service, ms, &header, sh, &gates),
        });
        if !sh.used_by.is_empty() {
            files.push(GeneratedFile {
                path: PathBuf::from(service_mod).join(format!("{}.rs", shared::MODULE)),
                contents: emit::shared_file(&service, sh, &header, &gates, ms),
            });
        }
        for m in ms.iter() {
            files.push(GeneratedFile {
                path: PathBuf::from(service_mod).join(format!("{}.rs", m.module)),
                contents: emit::resource_file(m, &header, sh),
            });
        }
    }
    files.push(GeneratedFile {
        path: PathBuf::from(every_type::TEST_PATH),
        contents: every_type::test_file(
            &models,
            &every_type::Samples::read(codegen_dir)?,
            &header,
        )?,
    });
    format_all(&mut files)?;
    // not Rust: written after formatting
    files.push(GeneratedFile {
        path: PathBuf::from(migrate_model::MODEL_PATH),
        contents: migrate_model::model_file(&models, &version),
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// `crates/resources/Cargo.toml`, whose `[features]` the generator keeps in step.
pub fn resources_manifest() -> PathBuf {
    generated_dir().join("../../Cargo.toml")
}

/// The facade crate's manifest, `crates/cloudwright/Cargo.toml`, whose service features pass
/// through to `cloudwright-resources` ([`facade_features_block`]).
pub fn facade_manifest() -> PathBuf {
    generated_dir().join("../../../cloudwright/Cargo.toml")
}

const FEATURES_BEGIN: &str =
    "# @generated by cloudwright-codegen: a feature per service, and `full`";
const FEATURES_END: &str = "# @end of generated features";

/// The generated part of `cloudwright-resources`' `[features]`: one feature per service
/// module of the exported types, and `full` with all of them.
pub fn features_block(codegen_dir: &Path) -> Result<String, Error> {
    let types = types(codegen_dir)?;
    let services: std::collections::BTreeSet<String> = types
        .iter()
        .filter_map(|t| t.split("::").nth(1).map(str::to_lowercase))
        .collect();
    let mut out = format!("{FEATURES_BEGIN}\n");
    out.push_str(&format!(
        "# only the types the construct crates use (crates/codegen/{}.txt); on by default\n{} = []\n",
        emit::CONSTRUCTS,
        emit::CONSTRUCTS
    ));
    for s in &services {
        out.push_str(&format!("{s} = []\n"));
    }
    let all: Vec<String> = services.iter().map(|s| format!("{s:?}")).collect();
    out.push_str(&format!("full = [{}]\n{FEATURES_END}", all.join(", ")));
    Ok(out)
}

/// The generated part of the facade crate `cloudwright`'s `[features]`: each service feature
/// of `cloudwright-resources` passed through under the same name, and `full`. (The
/// resources' `constructs` feature is always on: the construct crates need it.)
pub fn facade_features_block(codegen_dir: &Path) -> Result<String, Error> {
    let types = types(codegen_dir)?;
    let services: std::collections::BTreeSet<String> = types
        .iter()
        .filter_map(|t| t.split("::").nth(1).map(str::to_lowercase))
        .collect();
    let mut out = format!("{FEATURES_BEGIN}\n");
    for s in &services {
        out.push_str(&format!("{s} = [\"cloudwright-resources/{s}\"]\n"));
    }
    out.push_str(&format!(
        "full = [\"cloudwright-resources/full\"]\n{FEATURES_END}"
    ));
    Ok(out)
}

/// `manifest` with its generated features block replaced by `block`, or an error when the
/// markers are missing.
pub fn with_features(manifest: &str, block: &str) -> Result<String, Error> {
    let start = manifest
        .find(FEATURES_BEGIN)
        .ok_or_else(|| err(format!("no `{FEATURES_BEGIN}` line in the Cargo.toml")))?;
    let end = manifest[start..]
        .find(FEATURES_END)
        .map(|i| start + i + FEATURES_END.len())
        .ok_or_else(|| err(format!("no `{FEATURES_END}` line in the Cargo.toml")))?;
    Ok(format!("{}{block}{}", &manifest[..start], &manifest[end..]))
}

/// Puts the enums `export_api_enums.py` found in the AWS API models
/// (`schemas/api_enums.json`: JSON pointers into the schema and their values) into the
/// schema as `x-api-enum`, which the generator checks as it checks `enum` but which does not
/// change the property's Rust type (it stays a string). A pointer the schema no longer has is
/// skipped (the export is rerun with the schemas).
fn add_api_enums(schema: &mut Json, enums: &serde_json::Map<String, Json>) {
    for (pointer, values) in enums {
        if let Some(Json::Object(node)) = schema.pointer_mut(pointer) {
            node.insert("x-api-enum".into(), values.clone());
        }
    }
}

/// Puts the documentation prose exported by `export_docs.py` (`schemas/docs.json`, from
/// `@aws-cdk/aws-service-spec`) into a schema as `description`s, where the schema has none:
/// the type's, its properties' (attributes' for read-only ones) and its definitions'.
pub fn add_descriptions(schema: &mut Json, docs: &Json) {
    fn set(target: Option<&mut Json>, text: Option<&Json>) {
        if let (Some(Json::Object(t)), Some(Json::String(text))) = (target, text)
            && !t.contains_key("description")
            && !text.trim().is_empty()
        {
            t.insert("description".into(), Json::String(text.clone()));
        }
    }
    fn set_properties(obj: &mut Json, docs: Option<&Json>) {
        let Some(Json::Object(docs)) = docs else {
            return;
        };
        for (name, text) in docs {
            set(
                obj.get_mut("properties").and_then(|p| p.get_mut(name)),
                Some(text),
            );
        }
    }
    set(Some(schema), docs.get("doc"));
    set_properties(schema, docs.get("properties"));
    set_properties(schema, docs.get("attributes"));
    if let Some(Json::Object(types)) = docs.get("types") {
        for (name, t) in types {
            let Some(def) = schema.get_mut("definitions").and_then(|d| d.get_mut(name)) else {
                continue;
            };
            set(Some(def), t.get("doc"));
            set_properties(def, t.get("properties"));
        }
    }
}

/// Formats every file with [`rustfmt`], a rustfmt process per file, on as many threads as
/// the machine has cores.
fn format_all(files: &mut [GeneratedFile]) -> Result<(), Error> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = files.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks_mut(chunk)
            .map(|part| {
                scope.spawn(move || -> Result<(), Error> {
                    for f in part {
                        f.contents = rustfmt(&f.contents)
                            .map_err(|e| err(format!("{}: {e}", f.path.display())))?;
                    }
                    Ok(())
                })
            })
            .collect();
        workers.into_iter().try_for_each(|w| {
            w.join()
                .unwrap_or_else(|_| Err(err("a rustfmt thread panicked")))
        })
    })
}

/// Formats Rust source with rustfmt (`$RUSTFMT`, else `rustfmt` on `PATH`), edition 2024,
/// as `cargo fmt` formats the workspace.
pub fn rustfmt(source: &str) -> Result<String, Error> {
    let bin = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    // run from the workspace root, so a rustfmt.toml there applies as it does to `cargo fmt`
    let root = codegen_dir().join("../..");
    let mut child = Command::new(&bin)
        .args(["--edition", "2024"])
        .current_dir(&root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| err(format!("cannot run {}: {e}", bin.to_string_lossy())))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(source.as_bytes())
            .map_err(|e| err(format!("rustfmt: {e}")))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| err(format!("rustfmt: {e}")))?;
    if !out.status.success() {
        return Err(err(format!(
            "rustfmt failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    String::from_utf8(out.stdout).map_err(|e| err(format!("rustfmt: {e}")))
}

/// How the files on disk differ from `files`: a line per file that differs, is missing, or
/// is on disk but no longer generated.
pub fn compare(files: &[GeneratedFile], dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    // paths as the workspace spells them, when the directory is inside it
    let root = codegen_dir().join("../..");
    let shown = |p: &Path| -> String {
        std::fs::canonicalize(p)
            .ok()
            .zip(std::fs::canonicalize(&root).ok())
            .and_then(|(p, r)| p.strip_prefix(r).ok().map(|p| p.display().to_string()))
            .unwrap_or_else(|| p.display().to_string())
    };
    for f in files {
        let path = dir.join(&f.path);
        match std::fs::read_to_string(&path) {
            Ok(on_disk) if on_disk == f.contents => {}
            Ok(on_disk) => {
                let line = on_disk
                    .lines()
                    .zip(f.contents.lines())
                    .position(|(a, b)| a != b)
                    .map_or_else(
                        || on_disk.lines().count().min(f.contents.lines().count()) + 1,
                        |i| i + 1,
                    );
                problems.push(format!(
                    "{} differs from what the generator produces (first at line {line})",
                    shown(&path)
                ));
            }
            Err(_) => problems.push(format!("{} is missing", path.display())),
        }
    }
    for stale in rust_files(dir) {
        let rel = stale.strip_prefix(dir).unwrap_or(&stale);
        if !files.iter().any(|f| f.path == rel) {
            problems.push(format!("{} is no longer generated (stale)", shown(&stale)));
        }
    }
    problems
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
    out
}

/// Writes `files` under `dir`, removing `.rs` files that are no longer generated (and
/// directories left empty). Returns how many files changed.
pub fn write(files: &[GeneratedFile], dir: &Path) -> Result<usize, Error> {
    let io = |p: &Path, e: std::io::Error| err(format!("{}: {e}", p.display()));
    let mut changed = 0;
    for f in files {
        let path = dir.join(&f.path);
        if std::fs::read_to_string(&path).is_ok_and(|s| s == f.contents) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        std::fs::write(&path, &f.contents).map_err(|e| io(&path, e))?;
        changed += 1;
    }
    for stale in rust_files(dir) {
        let rel = stale.strip_prefix(dir).unwrap_or(&stale).to_path_buf();
        if !files.iter().any(|f| f.path == rel) {
            std::fs::remove_file(&stale).map_err(|e| io(&stale, e))?;
            changed += 1;
            if let Some(parent) = stale.parent()
                && parent != dir
                && std::fs::read_dir(parent).is_ok_and(|mut d| d.next().is_none())
            {
                std::fs::remove_dir(parent).map_err(|e| io(parent, e))?;
            }
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excluded_needs_a_reason_per_type() {
        let ex = parse_excluded("# c\n\nAWS::EC2::VPC  # too odd\n").unwrap();
        assert_eq!(ex, vec![("AWS::EC2::VPC".to_owned(), "too odd".to_owned())]);
        assert!(parse_excluded("AWS::EC2::VPC\n").is_err());
        assert!(parse_excluded("AWS::EC2 # x\n").is_err());
        assert!(parse_excluded("AWS::EC2::VPC # a\nAWS::EC2::VPC # b\n").is_err());
    }

    #[test]
    fn schema_file_names_match_the_export_script() {
        assert_eq!(schema_file_name("AWS::EC2::Subnet"), "ec2-subnet.json");
        assert_eq!(
            schema_file_name("AWS::ElasticLoadBalancingV2::TargetGroup"),
            "elasticloadbalancingv2-targetgroup.json"
        );
    }
}
