//! Rust emission: the source of an app crate whose stack synthesizes a [`Template`].
//!
//! Each resource becomes a function that builds it through its generated type
//! (`Type::new(TypeRequired { .. })`, or `Type::new(value)` with one required property,
//! setters, property-type structs, enum variants) and adds
//! it with its logical id; values that do not fit the generated field types go in as
//! `cloudwright_core::Value`s, which every field accepts. A resource that cannot be typed (a
//! type that is not generated, a property its type does not have, an intrinsic function
//! `Value` has no form for) is a `RawResource` with a `// migrate: <reason>` comment.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::Error;
use crate::template::{Expr, Output, Parameter, Resource, Template};
use crate::types::{Model, StructDef, Ty, TypeDef};

/// What emission produced: the sources and what the reader should know.
#[derive(Debug)]
pub struct Emitted {
    /// `src/lib.rs`, unformatted.
    pub lib_rs: String,
    /// The cargo features of cloudwright-resources the typed resources need, sorted.
    pub features: Vec<String>,
    /// The resources that could not be typed, each `logical id: reason`.
    pub fallbacks: Vec<String>,
    /// Values that went in as `Value` inside typed resources, each `path: reason`.
    pub untyped_values: Vec<String>,
}

/// The kind of Rust expression a rendering gives, so list items can be checked to share one
/// type before they go into a `vec![..]`.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// `"text"` (a `&str`).
    Str,
    /// `5i64`
    Int,
    /// `1.5f64`
    Float,
    /// `true`
    Bool,
    /// A `cloudwright_core::Value`.
    Value,
    /// A property-type struct.
    Struct(String),
    /// An enum variant.
    Enum(String),
    /// A `vec![..]` of an item kind.
    Vec(Box<Kind>),
}

/// Renders the `src/lib.rs` of the app for `t`.
pub fn lib_rs(
    t: &Template,
    model: &Model,
    file: &str,
    stack_id: &str,
    stack_name: &str,
) -> Result<Emitted, Error> {
    let mut out = String::new();
    let mut features = BTreeSet::new();
    let mut fallbacks = Vec::new();
    let mut untyped_values = Vec::new();

    // node ids: every kind's logical id is kept; the construct ids must be unique across
    // kinds, so a name two kinds share gets a kind prefix
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for name in t
        .parameters
        .keys()
        .chain(t.outputs.keys())
        .chain(t.conditions.keys())
        .chain(t.mappings.keys())
        .chain(t.resources.keys())
    {
        *counts.entry(name.as_str()).or_default() += 1;
    }
    let node_id = |prefix: &str, name: &str| -> String {
        if counts.get(name).copied().unwrap_or(0) > 1 {
            format!("{prefix}{name}")
        } else {
            name.to_owned()
        }
    };
    let mut fn_names = FnNames::default();

    let _ = writeln!(
        out,
        "//! The stack `{stack_name}`, migrated from `{file}` by `cloudwright migrate`: it \
         synthesizes the same template, with the same logical ids, so deploying it over the \
         existing stack replaces nothing.\n"
    );
    out.push_str(
        "// types of retired services are #[deprecated]; a migrated stack may still hold them\n\
         #![allow(deprecated)]\n\n\
         use cloudwright_core::{self as cw, App, Error, Scope};\n\n",
    );
    let _ = writeln!(
        out,
        "/// The stack's id in the app.\npub const STACK: &str = {stack_id:?};\n"
    );
    let _ = writeln!(
        out,
        "/// The CloudFormation stack this app deploys.\npub const STACK_NAME: &str = {stack_name:?};\n"
    );

    let mut build = String::new();
    // the DependsOn as written, implied ones included: the template stays what was deployed
    let mut props = String::from("cw::StackProps::new().depends_on_as_declared()");
    if stack_name != stack_id {
        props.push_str(".stack_name(STACK_NAME)");
    }
    if let Some(d) = &t.description {
        let _ = write!(props, ".description({d:?})");
    }
    let _ = writeln!(build, "let mut stack = app.stack_with(STACK, {props})?;");

    for (id, p) in &t.parameters {
        let node = node_id("Parameter", id);
        let param = parameter(p);
        if node == *id && starts_upper(id) {
            let _ = writeln!(build, "stack.add_parameter({id:?}, {param})?;");
        } else {
            let _ = writeln!(
                build,
                "stack.add_parameter_with_logical_id({node:?}, {id:?}, {param})?;"
            );
        }
    }
    for (name, m) in &t.mappings {
        let node = node_id("Mapping", name);
        let mut rows = Vec::new();
        for (k1, second) in m {
            let cells: Vec<String> = second
                .iter()
                .map(|(k2, v)| format!("({k2:?}.to_owned(), {})", value(v)))
                .collect();
            rows.push(format!(
                "({k1:?}.to_owned(), std::collections::BTreeMap::from([{}]))",
                cells.join(", ")
            ));
        }
        let mapping = format!("cw::Mapping::from([{}])", rows.join(", "));
        if node == *name && starts_upper(name) {
            let _ = writeln!(build, "stack.add_mapping({name:?}, {mapping})?;");
        } else {
            let _ = writeln!(
                build,
                "stack.add_mapping_with_logical_id({node:?}, {name:?}, {mapping})?;"
            );
        }
    }
    let mut condition_vars: BTreeMap<&str, String> = BTreeMap::new();
    let used_conditions: BTreeSet<&str> = t
        .resources
        .values()
        .filter_map(|r| r.condition.as_deref())
        .collect();
    for (name, c) in &t.conditions {
        let node = node_id("Condition", name);
        let bind = if used_conditions.contains(name.as_str()) {
            let var = fn_names.claim(&format!("condition_{}", snake(name)));
            let b = format!("let {var} = ");
            condition_vars.insert(name, var);
            b
        } else {
            String::new()
        };
        let note = c
            .untyped_reason()
            .map(|r| format!("// migrate: {r}\n"))
            .unwrap_or_default();
        if node == *name && starts_upper(name) {
            let _ = writeln!(
                build,
                "{note}{bind}stack.add_condition({name:?}, {})?;",
                value(c)
            );
        } else {
            let _ = writeln!(
                build,
                "{note}{bind}stack.add_condition_with_logical_id({node:?}, {name:?}, {})?;",
                value(c)
            );
        }
    }

    // resources: a function each
    let depended: BTreeSet<&str> = t
        .resources
        .values()
        .flat_map(|r| r.depends_on.iter().map(String::as_str))
        .collect();
    let mut vars: BTreeMap<&str, String> = BTreeMap::new();
    let mut functions = String::new();
    for (id, r) in &t.resources {
        let name = fn_names.claim(&snake(id));
        let node = node_id("Resource", id);
        let rendered = resource(r, model, &mut features, &mut untyped_values)?;
        let (body, comment) = match rendered {
            Ok((body, notes)) => (body, notes),
            Err(reason) => {
                fallbacks.push(format!("{id}: {reason}"));
                (raw_resource(r), vec![reason])
            }
        };
        let cond_param = r.condition.as_deref().and_then(|c| condition_vars.get(c));
        let needs_ref = !r.depends_on.is_empty() || depended.contains(id.as_str());
        let returns = if needs_ref { "cw::ResourceRef" } else { "()" };
        let _ = writeln!(functions, "/// `{id}` ({}).", r.type_name);
        let cond_arg = if cond_param.is_some() {
            ", condition: &cw::ConditionHandle"
        } else {
            ""
        };
        let _ = writeln!(
            functions,
            "fn {name}(stack: &mut Scope<'_>{cond_arg}) -> Result<{returns}, Error> {{"
        );
        for c in &comment {
            let _ = writeln!(functions, "// migrate: {c}");
        }
        functions.push_str(&body);
        let uses_handle = needs_ref
            || r.deletion_policy.is_some()
            || r.update_replace_policy.is_some()
            || cond_param.is_some()
            || r.metadata.is_some()
            || r.creation_policy.is_some()
            || r.update_policy.is_some();
        let bind = if uses_handle { "let handle = " } else { "" };
        let _ = writeln!(
            functions,
            "{bind}stack.add_with_logical_id({node:?}, {id:?}, resource)?;"
        );
        if let Some(p) = &r.deletion_policy {
            let _ = writeln!(
                functions,
                "stack.set_deletion_policy(&handle, cw::Policy::{p})?;"
            );
        }
        if let Some(p) = &r.update_replace_policy {
            let _ = writeln!(
                functions,
                "stack.set_update_replace_policy(&handle, cw::Policy::{p})?;"
            );
        }
        if cond_param.is_some() {
            functions.push_str("stack.set_condition(&handle, condition)?;\n");
        }
        if let Some(m) = &r.metadata {
            if let Some(reason) = m.untyped_reason() {
                let _ = writeln!(functions, "// migrate: Metadata: {reason}");
            }
            let _ = writeln!(functions, "stack.set_metadata(&handle, {})?;", value(m));
        }
        for (setter, attribute, v) in [
            ("set_creation_policy", "CreationPolicy", &r.creation_policy),
            ("set_update_policy", "UpdatePolicy", &r.update_policy),
        ] {
            if let Some(v) = v {
                if let Some(reason) = v.untyped_reason() {
                    let _ = writeln!(functions, "// migrate: {attribute}: {reason}");
                }
                let _ = writeln!(functions, "stack.{setter}(&handle, {})?;", value(v));
            }
        }
        if needs_ref {
            functions.push_str("Ok(handle.resource_ref().clone())\n}\n\n");
        } else {
            functions.push_str("Ok(())\n}\n\n");
        }
        let args = cond_param.map_or_else(String::new, |v| format!(", &{v}"));
        if needs_ref {
            let var = fn_names.claim(&format!("{name}_ref"));
            let _ = writeln!(build, "let {var} = {name}(&mut stack{args})?;");
            vars.insert(id, var);
        } else {
            let _ = writeln!(build, "{name}(&mut stack{args})?;");
        }
    }
    for (id, r) in &t.resources {
        for d in &r.depends_on {
            if let (Some(from), Some(to)) = (vars.get(id.as_str()), vars.get(d.as_str())) {
                let _ = writeln!(build, "stack.add_dependency(&{from}, &{to});");
            }
        }
    }
    for (id, o) in &t.outputs {
        let node = node_id("Output", id);
        let note = std::iter::once(&o.value)
            .chain(&o.export_name)
            .find_map(Expr::untyped_reason)
            .map(|r| format!("// migrate: {r}\n"))
            .unwrap_or_default();
        let output = output(o);
        if node == *id && starts_upper(id) {
            let _ = writeln!(build, "{note}stack.add_output({id:?}, {output})?;");
        } else {
            let _ = writeln!(
                build,
                "{note}stack.add_output_with_logical_id({node:?}, {id:?}, {output})?;"
            );
        }
    }
    build.push_str("Ok(())\n");

    out.push_str(
        "/// Builds the app: the one stack, as the template describes it.\n\
         pub fn build(app: &mut App) -> Result<(), Error> {\n",
    );
    out.push_str(&build);
    out.push_str("}\n\n");
    out.push_str(&functions);
    Ok(Emitted {
        lib_rs: out,
        features: features.into_iter().collect(),
        fallbacks,
        untyped_values,
    })
}

fn starts_upper(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
}

/// Function and variable names, unique within the file.
#[derive(Default)]
struct FnNames(BTreeSet<String>);

impl FnNames {
    fn claim(&mut self, base: &str) -> String {
        let base = if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
            format!("r_{base}")
        } else {
            base.to_owned()
        };
        let reserved = [
            "build",
            "stack",
            "app",
            "handle",
            "resource",
            "condition",
            "main",
        ];
        let mut name = base.clone();
        let mut n = 1;
        while reserved.contains(&name.as_str())
            || RUST_KEYWORDS.contains(&name.as_str())
            || self.0.contains(&name)
        {
            n += 1;
            name = format!("{base}_{n}");
        }
        self.0.insert(name.clone());
        name
    }
}

const RUST_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// `snake_case` of a logical id, for function names.
pub fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        }
    }
    out
}

fn parameter(p: &Parameter) -> String {
    let mut s = format!("cw::Parameter::new({:?})", p.r#type);
    if let Some(d) = &p.default {
        let _ = write!(s, ".default_value({})", value(d));
    }
    if let Some(d) = &p.description {
        let _ = write!(s, ".description({d:?})");
    }
    if !p.allowed_values.is_empty() {
        let items: Vec<String> = p.allowed_values.iter().map(value).collect();
        let _ = write!(s, ".allowed_values([{}])", items.join(", "));
    }
    let mut rest = Vec::new();
    if let Some(v) = &p.allowed_pattern {
        rest.push(format!("allowed_pattern: Some({v:?}.to_owned())"));
    }
    if let Some(v) = &p.constraint_description {
        rest.push(format!("constraint_description: Some({v:?}.to_owned())"));
    }
    if let Some(v) = p.min_length {
        rest.push(format!("min_length: Some({v})"));
    }
    if let Some(v) = p.max_length {
        rest.push(format!("max_length: Some({v})"));
    }
    if let Some(v) = p.min_value {
        rest.push(format!("min_value: Some({})", float(v)));
    }
    if let Some(v) = p.max_value {
        rest.push(format!("max_value: Some({})", float(v)));
    }
    if p.no_echo {
        rest.push("no_echo: true".into());
    }
    if rest.is_empty() {
        s
    } else {
        format!("cw::Parameter {{ {}, ..{s} }}", rest.join(", "))
    }
}

fn float(v: f64) -> String {
    format!("{v:?}f64")
}

fn output(o: &Output) -> String {
    let mut s = format!("cw::Output::new({})", value(&o.value));
    if let Some(d) = &o.description {
        let _ = write!(s, ".description({d:?})");
    }
    if let Some(e) = &o.export_name {
        let _ = write!(s, ".export({})", value(e));
    }
    match &o.condition {
        Some(c) => format!("cw::Output {{ condition: Some({c:?}.to_owned()), ..{s} }}"),
        None => s,
    }
}

/// The `RawResource` of `r`: every property as a `Value`.
fn raw_resource(r: &Resource) -> String {
    let mut s = format!("let resource = cw::RawResource::new({:?})", r.type_name);
    for (name, v) in &r.properties {
        let _ = write!(s, ".property({name:?}, {})", value(v));
    }
    s.push_str(";\n");
    s
}

/// The typed construction of `r` (`let resource = ..;` and notes), or why it cannot be typed.
fn resource(
    r: &Resource,
    model: &Model,
    features: &mut BTreeSet<String>,
    untyped_values: &mut Vec<String>,
) -> Result<Result<(String, Vec<String>), String>, Error> {
    let Some(def) = model.get(&r.type_name)? else {
        return Ok(Err(format!(
            "{} is not a generated type (cloudwright-resources has no struct for it)",
            r.type_name
        )));
    };
    if let Some(reason) = r.properties.values().find_map(Expr::untyped_reason) {
        return Ok(Err(reason));
    }
    let mut typed = Typed {
        def: &def,
        notes: Vec::new(),
    };
    let props: BTreeMap<String, Expr> = r.properties.clone();
    let expr = match typed.object(
        &def.resource,
        &props,
        &format!("Resources.{}.Properties", r.logical_id),
    ) {
        Ok(e) => e,
        Err(reason) => return Ok(Err(reason)),
    };
    features.insert(def.feature.clone());
    untyped_values.extend(typed.notes.iter().cloned());
    let body = format!(
        "use cloudwright_resources::{}::*;\nlet resource = {expr};\n",
        def.module
    );
    Ok(Ok((body, typed.notes)))
}

struct Typed<'a> {
    def: &'a TypeDef,
    notes: Vec<String>,
}

impl Typed<'_> {
    /// `Name::new(NameRequired { .. }).setter(..)` (`Name::new(value)` with one required
    /// property) for the properties `map` of struct `s`;
    /// an error when a property is unknown or a required one missing.
    fn object(
        &mut self,
        s: &StructDef,
        map: &BTreeMap<String, Expr>,
        path: &str,
    ) -> Result<String, String> {
        if let Some(unknown) = map.keys().find(|k| s.field(k).is_none()) {
            return Err(format!(
                "{path}.{unknown}: {} has no property {unknown}",
                s.name
            ));
        }
        let mut required = Vec::new();
        let mut setters = String::new();
        for f in &s.fields {
            let at = format!("{path}.{}", f.cfn);
            match (map.get(&f.cfn), f.required) {
                (Some(v), true) => {
                    let (value, kind) = self.typed(&f.ty, v, &at)?;
                    let expr = if matches!(kind, Kind::Enum(_)) {
                        value.clone()
                    } else if value.starts_with('-') {
                        format!("({value}).into()")
                    } else {
                        format!("{value}.into()")
                    };
                    required.push((format!("{}: {expr}", f.ident), value));
                }
                (None, true) => return Err(format!("{at}: the required {} is missing", f.cfn)),
                (Some(v), false) => {
                    let (expr, _) = self.typed(&f.ty, v, &at)?;
                    let _ = write!(setters, ".{}({expr})", f.ident);
                }
                (None, false) => {}
            }
        }
        let new = match (&s.required, required.as_slice()) {
            (_, []) => format!("{}::new()", s.name),
            // one required property: `new` takes its value and converts it
            (None, [(_, value)]) => format!("{}::new({value})", s.name),
            (Some(req), _) => {
                let fields: Vec<&str> = required.iter().map(|(f, _)| f.as_str()).collect();
                format!("{}::new({req} {{ {} }})", s.name, fields.join(", "))
            }
            (None, _) => {
                return Err(format!(
                    "{path}: the type model has no required struct for {}",
                    s.name
                ));
            }
        };
        Ok(format!("{new}{setters}"))
    }

    /// An expression converting into the field type `ty` for `v`, and its kind.
    fn typed(&mut self, ty: &Ty, v: &Expr, path: &str) -> Result<(String, Kind), String> {
        let as_value = |this: &mut Self, why: Option<String>| {
            if let Some(why) = why {
                this.notes.push(format!("{path}: {why}"));
            }
            Ok((value(v), Kind::Value))
        };
        let literal = matches!(
            v,
            Expr::Null
                | Expr::Bool(_)
                | Expr::Number(_)
                | Expr::String(_)
                | Expr::List(_)
                | Expr::Map(_)
        );
        if !literal {
            // every field accepts an intrinsic function
            return as_value(self, None);
        }
        match (ty, v) {
            (Ty::Str, Expr::String(s)) => Ok((format!("{s:?}"), Kind::Str)),
            (Ty::Int, Expr::Number(n)) if n.is_i64() => Ok((format!("{n}i64"), Kind::Int)),
            (Ty::Num, Expr::Number(n)) if n.is_i64() => Ok((format!("{n}i64"), Kind::Int)),
            (Ty::Num, Expr::Number(n)) if n.is_f64() => match n.as_f64() {
                Some(x) => Ok((float(x), Kind::Float)),
                None => as_value(self, None),
            },
            (Ty::Bool, Expr::Bool(b)) => Ok((b.to_string(), Kind::Bool)),
            (Ty::Json, _) => as_value(self, None),
            (Ty::Enum(name), Expr::String(s)) => {
                let variant = self
                    .def
                    .enums
                    .get(name)
                    .and_then(|vs| vs.iter().find(|(_, value)| value == s));
                match variant {
                    Some((variant, _)) => {
                        Ok((format!("{name}::{variant}"), Kind::Enum(name.clone())))
                    }
                    None => as_value(self, Some(format!("{s:?} is not a value {name} lists"))),
                }
            }
            (Ty::List(item), Expr::List(items)) => {
                if items.is_empty() {
                    return as_value(self, None);
                }
                let mut rendered = Vec::new();
                for (i, x) in items.iter().enumerate() {
                    rendered.push(self.typed(item, x, &format!("{path}[{i}]"))?);
                }
                let first = rendered[0].1.clone();
                let same = rendered.iter().all(|(_, k)| *k == first);
                let struct_items = matches!(**item, Ty::Struct(_));
                if same && !(struct_items && first == Kind::Value) {
                    let exprs: Vec<String> = rendered.into_iter().map(|(e, _)| e).collect();
                    Ok((
                        format!("vec![{}]", exprs.join(", ")),
                        Kind::Vec(Box::new(first)),
                    ))
                } else {
                    as_value(self, None)
                }
            }
            (Ty::Struct(name), Expr::Map(m)) => {
                let Some(s) = self.def.structs.get(name) else {
                    return Err(format!("{path}: the type model has no struct {name}"));
                };
                match self.object(s, m, path) {
                    Ok(e) => Ok((e, Kind::Struct(name.clone()))),
                    // a property type that does not fit (a property it does not have): the
                    // whole object as a value, which the field accepts
                    Err(why) => as_value(self, Some(why)),
                }
            }
            (_, Expr::Null) => as_value(self, None),
            _ => as_value(self, None),
        }
    }
}

/// A `cloudwright_core::Value` expression for `e` (`cw` is `cloudwright_core`).
pub fn value(e: &Expr) -> String {
    let b = |x: &Expr| value(x);
    let list = |items: &[Expr]| items.iter().map(value).collect::<Vec<_>>().join(", ");
    match e {
        Expr::Null => "cw::Value::Null".into(),
        Expr::Bool(v) => format!("cw::Value::from({v})"),
        Expr::Number(n) => {
            if let Some(i) = n.as_i64() {
                format!("cw::Value::from({i}i64)")
            } else if let Some(u) = n.as_u64() {
                format!("cw::Value::from({u}u64)")
            } else {
                format!("cw::Value::from({})", float(n.as_f64().unwrap_or(0.0)))
            }
        }
        Expr::String(s) => format!("cw::Value::from({s:?})"),
        Expr::List(items) => format!("cw::Value::List(vec![{}])", list(items)),
        Expr::Map(m) if m.is_empty() => "cw::Value::Map(cw::Map::new())".into(),
        Expr::Map(m) => {
            let pairs: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("({k:?}, {})", value(v)))
                .collect();
            format!("cw::Value::map([{}])", pairs.join(", "))
        }
        Expr::Ref(id) => format!("cw::Value::r#ref({id:?})"),
        Expr::Pseudo(p) => format!("cw::Value::Pseudo(cw::Pseudo::{p})"),
        Expr::GetAtt(id, a) => format!("cw::Value::get_att({id:?}, {a:?})"),
        Expr::Sub(t, vars) if vars.is_empty() => format!("cw::Value::sub({t:?})"),
        Expr::Sub(t, vars) => {
            let pairs: Vec<String> = vars
                .iter()
                .map(|(k, v)| format!("({k:?}, {})", value(v)))
                .collect();
            format!("cw::Value::sub_with({t:?}, [{}])", pairs.join(", "))
        }
        Expr::Join(d, items) if items.is_empty() => {
            format!("cw::Value::Join({d:?}.to_owned(), vec![])")
        }
        Expr::Join(d, items) => format!("cw::Value::join({d:?}, [{}])", list(items)),
        Expr::Select(i, l) => format!("cw::Value::select({}, {})", b(i), b(l)),
        Expr::GetAzs(r) if **r == Expr::String(String::new()) => "cw::Value::get_azs()".into(),
        Expr::GetAzs(r) => format!("cw::Value::GetAzs(std::boxed::Box::new({}))", b(r)),
        Expr::Split(d, s) => format!("cw::Value::split({d:?}, {})", b(s)),
        Expr::ImportValue(v) => format!("cw::Value::import_value({})", b(v)),
        Expr::If(c, t, f) => format!("cw::Value::if_({c:?}, {}, {})", b(t), b(f)),
        Expr::Base64(v) => format!("cw::Value::base64({})", b(v)),
        Expr::Cidr(x, y, z) => format!("cw::Value::cidr({}, {}, {})", b(x), b(y), b(z)),
        Expr::FindInMap(x, y, z) => format!("cw::Value::find_in_map({}, {}, {})", b(x), b(y), b(z)),
        Expr::Equals(x, y) => format!("cw::Value::equals({}, {})", b(x), b(y)),
        Expr::And(items) => format!("cw::Value::And(vec![{}])", list(items)),
        Expr::Or(items) => format!("cw::Value::Or(vec![{}])", list(items)),
        Expr::Not(v) => format!("cw::Value::not({})", b(v)),
        Expr::Condition(c) => format!("cw::Value::Condition({c:?}.to_owned())"),
        Expr::Untyped { name, arg, .. } => format!("cw::Value::map([({name:?}, {})])", b(arg)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn emit(t: serde_json::Value) -> Emitted {
        let t = crate::template::from_json("t.json", &t).unwrap();
        lib_rs(&t, &Model::embedded().unwrap(), "t.json", "S", "s").unwrap()
    }

    #[test]
    fn resources_are_built_through_their_generated_types() {
        let e = emit(
            json!({"Resources": {"Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
                "NetworkMode": "awsvpc", "Cpu": "1024", "RequiresCompatibilities": ["FARGATE"],
                "ContainerDefinitions": [{"Name": "web", "Image": "nginx", "Essential": true,
                    "PortMappings": [{"ContainerPort": 80}]}]
            }}}}),
        );
        for want in [
            "use cloudwright_resources::ecs::task_definition::*;",
            ".network_mode(NetworkMode::Awsvpc)",
            ".cpu(\"1024\")",
            "ContainerDefinition::new(ContainerDefinitionRequired {",
            ".port_mappings(vec![PortMapping::new().container_port(80i64)])",
            ".essential(true)",
            "stack.add_with_logical_id(\"Task\", \"Task\", resource)?;",
        ] {
            assert!(e.lib_rs.contains(want), "{want} not in\n{}", e.lib_rs);
        }
        assert_eq!(e.features, ["ecs"]);
        assert!(e.fallbacks.is_empty());
    }

    #[test]
    fn what_cannot_be_typed_is_raw_or_a_value_with_the_reason() {
        let e = emit(json!({"Resources": {
            "Q": {"Type": "AWS::SQS::Queue", "Properties": {"Nope": 1}},
            "T": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"NetworkMode": "carrier-pigeon"}}
        }}));
        assert!(
            e.lib_rs
                .contains("// migrate: Resources.Q.Properties.Nope: Queue has no property Nope"),
            "{}",
            e.lib_rs
        );
        assert!(e.lib_rs.contains("cw::RawResource::new(\"AWS::SQS::Queue\").property(\"Nope\", cw::Value::from(1i64))"), "{}", e.lib_rs);
        assert!(
            e.lib_rs
                .contains(".network_mode(cw::Value::from(\"carrier-pigeon\"))"),
            "{}",
            e.lib_rs
        );
        assert_eq!(e.fallbacks.len(), 1);
        assert!(
            e.untyped_values[0].contains("is not a value NetworkMode lists"),
            "{:?}",
            e.untyped_values
        );
    }

    #[test]
    fn one_required_property_is_new_s_argument_and_types_keep_their_names() {
        let e = emit(json!({"Resources": {
            "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": "vpc-1"}},
            "Path": {"Type": "AWS::ApiGateway::Resource", "Properties": {
                "ParentId": "p", "PathPart": "x", "RestApiId": "r"}}
        }}));
        for want in [
            "Subnet::new(\"vpc-1\")",
            // `AWS::ApiGateway::Resource` is `Resource`: no name is reserved
            "Resource::new(ResourceRequired { parent_id: \"p\".into(), path_part: \"x\".into(), rest_api_id: \"r\".into() })",
        ] {
            assert!(e.lib_rs.contains(want), "{want} not in\n{}", e.lib_rs);
        }
    }

    #[test]
    fn names_two_kinds_share_or_in_lower_case_are_kept() {
        let e = emit(json!({
            "Parameters": {"env": {"Type": "String"}},
            "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
            "Outputs": {"Q": {"Value": {"Ref": "Q"}}}
        }));
        for want in [
            "stack.add_parameter_with_logical_id(\"env\", \"env\",",
            "stack.add_with_logical_id(\"ResourceQ\", \"Q\", resource)?;",
            "stack.add_output_with_logical_id(\"OutputQ\", \"Q\",",
            "cw::StackProps::new().depends_on_as_declared()",
        ] {
            assert!(e.lib_rs.contains(want), "{want} not in\n{}", e.lib_rs);
        }
    }
}
