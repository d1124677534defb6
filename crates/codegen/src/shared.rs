//! Property types shared within a service: a struct or enum that several resource types of
//! one service define identically (the same name, fields, types, constraints and, through
//! the types it refers to, the same whole structure) is emitted once, in
//! `<service>/shared.rs`, and each resource module re-exports it, so
//! `ecs::cluster::Tag` and `ecs::service::Tag` are the same type and keep their paths.
//!
//! Documentation does not count: the shared type carries the first user's prose and names
//! every user.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{EnumDef, ResourceModel, StructDef, Ty};

/// The module name of a service's shared property types.
pub const MODULE: &str = "shared";

/// What one service shares.
#[derive(Clone, Debug, Default)]
pub struct Shared {
    /// The shared structs, sorted by name, with their shapes rewritten to the shared
    /// module's patterns.
    pub structs: Vec<StructDef>,
    /// The shared enums, sorted by name.
    pub enums: Vec<EnumDef>,
    /// The shared module's distinct patterns (`PATTERN_<index>`).
    pub patterns: Vec<String>,
    /// Per resource module, the names it takes from the shared module.
    pub used_by: BTreeMap<String, BTreeSet<String>>,
}

impl Shared {
    /// Whether `module` takes the type `name` from the shared module.
    pub fn is_shared(&self, module: &str, name: &str) -> bool {
        self.used_by.get(module).is_some_and(|s| s.contains(name))
    }
}

/// The structure of a type of model `m`, with the types it refers to expanded (a type
/// already on the path is named, not expanded, so recursive types have a finite key).
fn key(
    m: &ResourceModel,
    name: &str,
    path: &mut Vec<String>,
    memo: &mut BTreeMap<String, String>,
) -> String {
    if path.iter().any(|p| p == name) {
        return format!("@{name}");
    }
    if let Some(k) = memo.get(name) {
        return k.clone();
    }
    if let Some(e) = m.enums.iter().find(|e| e.name == name) {
        let k = format!("enum {name} {:?}", e.variants);
        memo.insert(name.to_owned(), k.clone());
        return k;
    }
    let Some(s) = m.structs.iter().find(|s| s.name == name) else {
        return format!("?{name}");
    };
    path.push(name.to_owned());
    let mut out = format!("struct {name} {:?} {{", constraints_key(s, &m.patterns));
    let mut cyclic = false;
    for f in &s.fields {
        out.push_str(&format!(
            "{} {} {} {:?} {} ",
            f.cfn,
            f.ident,
            f.required,
            f.ty,
            with_pattern_text(&f.shape, &m.patterns)
        ));
        let mut refs = Vec::new();
        referenced(&f.ty, &mut refs);
        for r in refs {
            let k = key(m, &r, path, memo);
            cyclic |= k.contains('@');
            out.push_str(&k);
        }
        out.push(';');
    }
    out.push('}');
    path.pop();
    // a key that names a type on the path depends on the path: do not reuse it elsewhere
    if !cyclic {
        memo.insert(name.to_owned(), out.clone());
    }
    out
}

fn constraints_key(s: &StructDef, patterns: &[String]) -> String {
    let c = &s.constraints;
    format!(
        "{:?}{:?}{:?}{:?}{:?}{}{}{:?}{:?}",
        c.required,
        c.one_of,
        c.any_of,
        c.dependent_required,
        c.dependent_excluded,
        c.closed,
        with_pattern_text(&c.patterns, patterns),
        c.min_properties,
        c.max_properties
    )
}

/// The struct and enum names a type refers to.
pub fn referenced(ty: &Ty, out: &mut Vec<String>) {
    match ty {
        Ty::List(item) => referenced(item, out),
        Ty::Struct { name, .. } | Ty::Enum(name) => out.push(name.clone()),
        _ => {}
    }
}

/// `shape` with every `PATTERN_<i>` replaced by the pattern's text.
fn with_pattern_text(shape: &str, patterns: &[String]) -> String {
    map_patterns(shape, |i| format!("{:?}", patterns.get(i)))
}

/// `shape` with every `PATTERN_<i>` replaced by what `f(i)` says.
pub fn map_patterns(shape: &str, mut f: impl FnMut(usize) -> String) -> String {
    let mut out = String::new();
    let mut rest = shape;
    while let Some(at) = rest.find("PATTERN_") {
        out.push_str(&rest[..at]);
        let digits = &rest[at + "PATTERN_".len()..];
        let n = digits.len()
            - digits
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .len();
        match digits[..n].parse::<usize>() {
            Ok(i) => out.push_str(&f(i)),
            Err(_) => out.push_str("PATTERN_"),
        }
        rest = &digits[n..];
    }
    out.push_str(rest);
    out
}

/// The names of the types `name` refers to in model `m`, directly.
fn refs_of(m: &ResourceModel, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(s) = m.structs.iter().find(|s| s.name == name) {
        for f in &s.fields {
            referenced(&f.ty, &mut out);
        }
    }
    out
}

/// Works out what the resource types of one service (`models`, sorted by module) share.
pub fn plan(models: &[&ResourceModel]) -> Shared {
    // (name, structure) -> the models that define it so
    let mut groups: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, m) in models.iter().enumerate() {
        let mut memo = BTreeMap::new();
        let names = m
            .structs
            .iter()
            .map(|s| s.name.clone())
            .chain(m.enums.iter().map(|e| e.name.clone()));
        for name in names {
            let k = key(m, &name, &mut Vec::new(), &mut memo);
            groups.entry((name, k)).or_default().push(i);
        }
    }
    // per name, the structure most models share (at least two)
    let mut chosen: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    for ((name, k), users) in groups {
        if users.len() < 2 {
            continue;
        }
        let better = chosen
            .get(&name)
            .is_none_or(|(_, best)| users.len() > best.len());
        if better {
            chosen.insert(name, (k, users));
        }
    }
    // a shared type may only refer to shared types: drop the ones whose references are
    // not shared by every one of their users, until nothing changes
    loop {
        let mut drop = Vec::new();
        for (name, (_, users)) in &chosen {
            let ok = users.iter().all(|&i| {
                refs_of(models[i], name).iter().all(|r| {
                    chosen
                        .get(r)
                        .is_some_and(|(_, users_r)| users_r.contains(&i))
                })
            });
            if !ok {
                drop.push(name.clone());
            }
        }
        if drop.is_empty() {
            break;
        }
        for d in drop {
            chosen.remove(&d);
        }
    }

    let mut shared = Shared::default();
    for (name, (_, users)) in &chosen {
        let first = models[users[0]];
        let owners: Vec<String> = users
            .iter()
            .map(|&i| format!("`{}`", models[i].type_name))
            .collect();
        for &i in users {
            shared
                .used_by
                .entry(models[i].module.clone())
                .or_default()
                .insert(name.clone());
        }
        if let Some(e) = first.enums.iter().find(|e| &e.name == name) {
            let mut e = e.clone();
            e.doc.push(String::new());
            e.doc.push(format!("Shared by {}.", owners.join(", ")));
            shared.enums.push(e);
        } else if let Some(s) = first.structs.iter().find(|s| &s.name == name) {
            let mut s = s.clone();
            let mut to_shared = |shape: &str| {
                map_patterns(shape, |i| {
                    let p = first.patterns.get(i).cloned().unwrap_or_default();
                    let at = match shared.patterns.iter().position(|q| *q == p) {
                        Some(at) => at,
                        None => {
                            shared.patterns.push(p);
                            shared.patterns.len() - 1
                        }
                    };
                    format!("PATTERN_{at}")
                })
            };
            for f in &mut s.fields {
                f.shape = to_shared(&f.shape);
            }
            s.constraints.patterns = to_shared(&s.constraints.patterns);
            if let Some(first_line) = s.doc.first_mut() {
                *first_line = format!(
                    "The `{}` property type, shared by {}.",
                    name,
                    owners.join(", ")
                );
            }
            shared.structs.push(s);
        }
    }
    shared
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::resource_model;

    fn model(type_name: &str, tag_value_required: bool) -> ResourceModel {
        let required = if tag_value_required {
            serde_json::json!(["Key", "Value"])
        } else {
            serde_json::json!(["Key"])
        };
        resource_model(
            &serde_json::json!({
                "typeName": type_name,
                "properties": {
                    "Tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}},
                    "Rule": {"$ref": "#/definitions/Rule"}
                },
                "definitions": {
                    "Tag": {"type": "object", "properties": {
                        "Key": {"type": "string", "pattern": "^[a-z]+$"},
                        "Value": {"type": "string"}
                    }, "required": required},
                    "Rule": {"type": "object", "properties": {
                        "Tag": {"$ref": "#/definitions/Tag"},
                        "Next": {"$ref": "#/definitions/Rule"}
                    }}
                }
            }),
            &BTreeMap::new(),
        )
        .unwrap()
    }

    #[test]
    fn identical_types_are_shared_and_different_ones_stay() {
        let (a, b, c) = (
            model("AWS::Demo::A", true),
            model("AWS::Demo::B", true),
            model("AWS::Demo::C", false),
        );
        let s = plan(&[&a, &b, &c]);
        let names: Vec<&str> = s.structs.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Rule", "Tag"]);
        assert!(s.is_shared("a", "Tag") && s.is_shared("b", "Rule"));
        // C's Tag differs, so neither it nor the Rule that holds it is shared
        assert!(!s.is_shared("c", "Tag") && !s.is_shared("c", "Rule"));
        assert_eq!(s.patterns, ["^[a-z]+$"]);
        assert!(s.structs[1].doc[0].contains("`AWS::Demo::A`, `AWS::Demo::B`"));
    }

    #[test]
    fn patterns_are_renumbered() {
        assert_eq!(
            map_patterns("Some(&PATTERN_12), Some(&PATTERN_3)", |i| format!("P{i}")),
            "Some(&P12), Some(&P3)"
        );
    }
}
