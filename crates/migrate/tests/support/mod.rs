//! What the round-trip tests share: migrating templates into one app crate, checking it with
//! `cargo fmt --check` and clippy, building it (offline) and running it, and comparing the
//! synthesized templates with their inputs semantically. The crate and its target directory
//! live under the workspace's target directory (`migrate-apps/`), files rewritten only when
//! they change, so a rerun rebuilds only what changed.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value as Json, json};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// `$CARGO_TARGET_DIR/migrate-apps` (else the workspace's `target/migrate-apps`): where the
/// migrated apps build, kept between runs.
pub fn apps_target_dir() -> PathBuf {
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"));
    base.join("migrate-apps")
}

/// A directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> Self {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "cloudwright-{prefix}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what} failed:\n{text}");
    text
}

/// Migrates each `(stack name, template)` into a module of one app crate named `crate_name`,
/// checks the crate with rustfmt and clippy (`-D warnings`), builds and runs it, and returns
/// each stack's synthesized template, in order.
///
/// `features`: the cloudwright-resources features to build with instead of those the
/// migrated modules name (every service for crates whose types vary, so they share a build).
pub fn migrate_and_synth(
    crate_name: &str,
    templates: &[(String, Json)],
    features_override: Option<&[&str]>,
) -> Vec<Json> {
    let dir = TempDir::new(crate_name);
    let app = apps_target_dir().join("crates").join(crate_name);
    let write = |path: PathBuf, contents: &str| {
        if std::fs::read_to_string(&path).is_ok_and(|c| c == contents) {
            return;
        }
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
    };
    let mut features = BTreeSet::new();
    let mut modules = Vec::new();
    let mut manifest = String::new();
    for (i, (stack_name, template)) in templates.iter().enumerate() {
        let text = serde_json::to_string_pretty(template).unwrap();
        let options = cloudwright_migrate::Options::new(stack_name, crate_name, workspace());
        let migrated = cloudwright_migrate::migrate(&format!("{stack_name}.json"), &text, &options)
            .unwrap_or_else(|e| panic!("{stack_name}: {e}"));
        let lib = migrated.file("src/lib.rs").unwrap();
        let module = format!("m{i:03}");
        write(app.join("src").join(format!("{module}.rs")), &lib);
        modules.push(module);
        let m = migrated.file("Cargo.toml").unwrap();
        for f in m
            .lines()
            .find(|l| l.starts_with("cloudwright-resources"))
            .and_then(|l| l.split("features = [").nth(1))
            .unwrap_or("")
            .trim_end_matches([']', '}', ' '])
            .split(", ")
            .filter(|f| !f.is_empty())
        {
            features.insert(f.to_owned());
        }
        manifest = m;
    }
    // one crate: the manifest of the last, with every module's features
    let features: Vec<String> = match features_override {
        Some(f) => f.iter().map(|f| format!("{f:?}")).collect(),
        None => features.into_iter().collect(),
    };
    let manifest: String = manifest
        .lines()
        .map(|l| {
            if l.starts_with("cloudwright-resources") {
                let (head, _) = l.split_once("features = [").unwrap();
                format!("{head}features = [{}] }}", features.join(", "))
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    write(app.join("Cargo.toml"), &(manifest + "\n"));
    write(
        app.join("Cargo.lock"),
        &std::fs::read_to_string(workspace().join("Cargo.lock")).unwrap(),
    );
    let lib: String = modules.iter().map(|m| format!("pub mod {m};\n")).collect();
    write(
        app.join("src/lib.rs"),
        &format!("//! Migrated stacks.\n\n{lib}"),
    );
    let builds: String = modules
        .iter()
        .map(|m| format!("            {m}::build(app)?;\n"))
        .collect();
    let lib_name = crate_name.replace('-', "_");
    write(
        app.join("src/main.rs"),
        &format!(
            "//! Synthesizes every migrated stack.\n\nuse {lib_name}::*;\n\nfn main() -> std::process::ExitCode {{\n    cloudwright_core::run(\n        concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/cloudwright.context.json\"),\n        |app| {{\n{builds}            Ok(())\n        }},\n    )\n}}\n"
        ),
    );
    write(app.join("cloudwright.context.json"), "{}\n");

    let target = apps_target_dir();
    let cargo = || {
        let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        c.current_dir(&app)
            .env("CARGO_TARGET_DIR", &target)
            // built once per run: no incremental cache, no debug info (each saves gigabytes
            // for a crate of every service's types)
            .env("CARGO_INCREMENTAL", "0")
            .env("CARGO_PROFILE_DEV_DEBUG", "false")
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS");
        c
    };
    run(
        cargo().args(["fmt", "--check"]),
        "cargo fmt --check on the migrated crate",
    );
    run(
        cargo().args([
            "clippy",
            "--offline",
            "--quiet",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
        "cargo clippy -D warnings on the migrated crate",
    );
    run(
        cargo().args(["build", "--offline", "--quiet"]),
        "cargo build on the migrated crate",
    );
    let out = dir.0.join("out");
    run(
        Command::new(target.join("debug").join(crate_name))
            .current_dir(&app)
            .args(["--out", out.to_str().unwrap(), "--quiet"]),
        "running the migrated app",
    );
    templates
        .iter()
        .map(|(stack_name, _)| {
            let id = cloudwright_migrate::stack_id(stack_name);
            let path = out.join(format!("{id}.template.json"));
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            serde_json::from_str(&text).unwrap()
        })
        .collect()
}

/// Asserts that `synthesized` says what `original` says: the same resources (types,
/// properties, conditions, policies, metadata), parameters, mappings, conditions and
/// outputs, key order and formatting aside, the same `DependsOn` (as sets), and every
/// resource depending on the same set of resources through references and `DependsOn`.
pub fn assert_same(name: &str, original: &Json, synthesized: &Json) {
    let (a, deps_a) = normalize(original);
    let (b, deps_b) = normalize(synthesized);
    if a != b {
        let diff = first_difference(&a, &b, "");
        panic!("{name}: the synthesized template differs: {diff}");
    }
    let closure_a = closure(&deps_a);
    let closure_b = closure(&deps_b);
    assert_eq!(closure_a, closure_b, "{name}: the dependencies differ");
}

/// Where two JSON values first differ.
pub fn first_difference(a: &Json, b: &Json, path: &str) -> String {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) if u != v => {
                        return first_difference(u, v, &format!("{path}.{k}"));
                    }
                    (Some(u), None) => return format!("{path}.{k}: {u} was dropped"),
                    (None, Some(v)) => return format!("{path}.{k}: {v} was added"),
                    _ => {}
                }
            }
            format!("{path}: ?")
        }
        (Json::Array(x), Json::Array(y)) if x.len() == y.len() => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                if u != v {
                    return first_difference(u, v, &format!("{path}[{i}]"));
                }
            }
            format!("{path}: ?")
        }
        _ => format!("{path}: {a} became {b}"),
    }
}

type Deps = BTreeMap<String, BTreeSet<String>>;

/// The template with its written forms normalized, and each resource's direct dependencies
/// (references in properties, and `DependsOn`).
fn normalize(t: &Json) -> (Json, Deps) {
    let mut t = t.clone();
    let obj = t.as_object_mut().unwrap();
    obj.remove("AWSTemplateFormatVersion");
    let ids: BTreeSet<String> = obj
        .get("Resources")
        .and_then(Json::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut deps = Deps::new();
    if let Some(Json::Object(resources)) = obj.get_mut("Resources") {
        for (id, r) in resources.iter_mut() {
            let r = r.as_object_mut().unwrap();
            let d = deps.entry(id.clone()).or_default();
            // DependsOn as the set it is (a string is a list of one)
            let declared: BTreeSet<String> = match r.get("DependsOn") {
                Some(Json::String(s)) => [s.clone()].into(),
                Some(Json::Array(items)) => items
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect(),
                _ => BTreeSet::new(),
            };
            if declared.is_empty() {
                r.remove("DependsOn");
            } else {
                r.insert("DependsOn".into(), json!(declared));
            }
            d.extend(declared);
            if r.get("Properties")
                .is_some_and(|p| p.as_object().is_some_and(|m| m.is_empty()))
            {
                r.remove("Properties");
            }
            if let Some(p) = r.get("Properties") {
                refs(p, &ids, d);
            }
        }
    }
    if let Some(Json::Object(params)) = obj.get_mut("Parameters") {
        for p in params.values_mut() {
            for (k, v) in p.as_object_mut().unwrap().iter_mut() {
                match k.as_str() {
                    "MinLength" | "MaxLength" | "MinValue" | "MaxValue" => {
                        let n = match v {
                            Json::String(s) => s.parse::<f64>().unwrap(),
                            _ => v.as_f64().unwrap(),
                        };
                        *v = json!(n);
                    }
                    "NoEcho" => {
                        *v = json!(v.as_bool().unwrap_or_else(|| v.as_str() == Some("true")))
                    }
                    _ => {}
                }
            }
        }
    }
    let t = forms(&t);
    (t, deps)
}

/// Rewrites the forms of intrinsics that say the same: `Fn::GetAtt: "A.B"` as `[A, B]`,
/// `Fn::Sub: [t, {}]` as `t`.
fn forms(v: &Json) -> Json {
    match v {
        Json::Array(items) => Json::Array(items.iter().map(forms).collect()),
        Json::Object(m) => {
            if m.len() == 1 {
                if let Some(Json::String(s)) = m.get("Fn::GetAtt")
                    && let Some((a, b)) = s.split_once('.')
                {
                    return json!({"Fn::GetAtt": [a, b]});
                }
                if let Some(Json::Array(a)) = m.get("Fn::Sub")
                    && a.len() == 2
                    && a[1].as_object().is_some_and(|o| o.is_empty())
                {
                    return json!({"Fn::Sub": forms(&a[0])});
                }
            }
            Json::Object(m.iter().map(|(k, v)| (k.clone(), forms(v))).collect())
        }
        other => other.clone(),
    }
}

/// The resources `v` references.
fn refs(v: &Json, ids: &BTreeSet<String>, out: &mut BTreeSet<String>) {
    match v {
        Json::Array(items) => items.iter().for_each(|x| refs(x, ids, out)),
        Json::Object(m) => {
            if m.len() == 1 {
                match m.iter().next() {
                    Some((k, Json::String(s))) if k == "Ref" && ids.contains(s) => {
                        out.insert(s.clone());
                    }
                    Some((k, Json::Array(a))) if k == "Fn::GetAtt" => {
                        if let Some(s) = a
                            .first()
                            .and_then(Json::as_str)
                            .filter(|s| ids.contains(*s))
                        {
                            out.insert(s.to_owned());
                        }
                    }
                    Some((k, Json::String(s))) if k == "Fn::GetAtt" => {
                        if let Some((a, _)) = s.split_once('.').filter(|(a, _)| ids.contains(*a)) {
                            out.insert(a.to_owned());
                        }
                    }
                    Some((k, sub)) if k == "Fn::Sub" => {
                        let (t, vars) = match sub {
                            Json::String(t) => (t.as_str(), None),
                            Json::Array(a) => {
                                (a.first().and_then(Json::as_str).unwrap_or(""), a.get(1))
                            }
                            _ => ("", None),
                        };
                        let names = cloudwright_migrate::template::sub_names(t).unwrap_or_default();
                        for (n, _) in names {
                            let shadowed = vars.and_then(|v| v.get(n)).is_some();
                            if ids.contains(n) && !shadowed {
                                out.insert(n.to_owned());
                            }
                        }
                        if let Some(v) = vars {
                            refs(v, ids, out);
                        }
                        return;
                    }
                    _ => {}
                }
            }
            m.values().for_each(|x| refs(x, ids, out));
        }
        _ => {}
    }
}

fn closure(deps: &Deps) -> Deps {
    let mut out = Deps::new();
    for start in deps.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&String> = deps[start].iter().collect();
        while let Some(n) = stack.pop() {
            if seen.insert(n.clone()) {
                stack.extend(deps.get(n).into_iter().flatten());
            }
        }
        out.insert(start.clone(), seen);
    }
    out
}
