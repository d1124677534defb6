//! From a CloudFormation resource provider schema to the model of the Rust code to emit.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json};

use crate::docs::{code, sanitize};
use crate::names::{field, pascal, singular};
use crate::{Error, err};

/// The Rust type of a property.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    /// `Str`
    Str,
    /// `Int`
    Int,
    /// `Num`
    Num,
    /// `Bool`
    Bool,
    /// `Json`: free-form objects, several types, anything not expressible.
    Json,
    /// `List<T>`
    List(Box<Ty>),
    /// A generated struct (`Obj<T>` as a field; boxed when the definition is recursive).
    Struct {
        /// Its Rust name.
        name: String,
        /// Whether the field holds it in a `Box`.
        boxed: bool,
    },
    /// A generated string enum.
    Enum(String),
}

/// One property of a struct.
#[derive(Clone, Debug)]
pub struct Field {
    /// The CloudFormation name.
    pub cfn: String,
    /// The field, setter and parameter identifier (maybe `r#...`).
    pub ident: String,
    /// Its type.
    pub ty: Ty,
    /// Whether the constructor takes it.
    pub required: bool,
    /// Doc comment lines.
    pub doc: Vec<String>,
    /// The `constraint::Shape` expression its values are checked against.
    pub shape: String,
}

/// The object-level constraints of a struct (`constraint::ObjRule` without the properties).
#[derive(Clone, Debug, Default)]
pub struct ObjConstraints {
    /// `required`.
    pub required: Vec<String>,
    /// `oneOf` of required sets (and `requiredXor` as singleton sets).
    pub one_of: Vec<Vec<Vec<String>>>,
    /// `anyOf` of required sets (and cfn-lint's `requiredOr` as singleton sets).
    pub any_of: Vec<Vec<Vec<String>>>,
    /// `dependentRequired` and list-valued `dependencies`.
    pub dependent_required: Vec<(String, Vec<String>)>,
    /// `dependentExcluded`.
    pub dependent_excluded: Vec<(String, Vec<String>)>,
    /// `additionalProperties: false` (names a `patternProperties` pattern matches are
    /// admitted).
    pub closed: bool,
    /// `patternProperties`: the `ObjRule::patterns` expression (`&[(&PATTERN_i, shape)]`),
    /// empty when there are none.
    pub patterns: String,
    /// `minProperties`.
    pub min_properties: Option<u64>,
    /// `maxProperties`.
    pub max_properties: Option<u64>,
}

/// A struct: the resource's properties or a property type.
#[derive(Clone, Debug)]
pub struct StructDef {
    /// Its Rust name.
    pub name: String,
    /// Doc comment lines.
    pub doc: Vec<String>,
    /// Properties, sorted by CloudFormation name.
    pub fields: Vec<Field>,
    /// Its object-level constraints.
    pub constraints: ObjConstraints,
}

/// A string enum.
#[derive(Clone, Debug)]
pub struct EnumDef {
    /// Its Rust name.
    pub name: String,
    /// Doc comment lines.
    pub doc: Vec<String>,
    /// `(variant, exact string)`, in schema order.
    pub variants: Vec<(String, String)>,
}

/// A `Fn::GetAtt` attribute.
#[derive(Clone, Debug)]
pub struct Attr {
    /// The attribute name (`DNSName`, `Endpoint.Address`).
    pub name: String,
    /// The getter's name.
    pub method: String,
    /// The type the getter returns (what the schema says the attribute is: `Str`, `Int`,
    /// `List<Str>`, ...); `None` when the schema does not say (the getter returns `Value`).
    pub ty: Option<Ty>,
    /// Doc comment lines.
    pub doc: Vec<String>,
}

/// Schema facts kept as data.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// `primaryIdentifier`, as property paths.
    pub primary_identifier: Vec<String>,
    /// `required`.
    pub required: Vec<String>,
    /// `createOnlyProperties`.
    pub create_only: Vec<String>,
    /// `conditionalCreateOnlyProperties`.
    pub conditional_create_only: Vec<String>,
    /// `writeOnlyProperties`.
    pub write_only: Vec<String>,
    /// `readOnlyProperties`.
    pub read_only: Vec<String>,
    /// Whether the type is taggable.
    pub taggable: bool,
}

/// Everything generated for one resource type.
#[derive(Clone, Debug)]
pub struct ResourceModel {
    /// `AWS::EC2::Subnet`
    pub type_name: String,
    /// `ec2`
    pub service_mod: String,
    /// `subnet`
    pub module: String,
    /// The documentation URL.
    pub doc_url: String,
    /// The resource's own struct.
    pub resource: StructDef,
    /// Property types, sorted by name.
    pub structs: Vec<StructDef>,
    /// String enums, sorted by name.
    pub enums: Vec<EnumDef>,
    /// `Fn::GetAtt` attributes, sorted by name.
    pub attrs: Vec<Attr>,
    /// `TagFormat` variant name.
    pub tag_format: &'static str,
    /// Schema facts.
    pub facts: Facts,
    /// The distinct `pattern`s its shapes use, `PATTERN_<index>` in the module.
    pub patterns: Vec<String>,
    /// When the schema's `lifecycle` says the service is shut down, sunsetting or in
    /// maintenance (cfn-lint's E3710, W3696, W3697): the note of the struct's
    /// `#[deprecated]`.
    pub deprecation: Option<String>,
    /// The schema's `tagging.taggable` is true: its `Tags` are checked as cfn-lint's E3024
    /// checks them (`ObjRule::tagged`).
    pub tags_checked: bool,
    /// cfn-lint's extension schemas of the type, compiled.
    pub extensions: Vec<ExtensionDef>,
    /// The extension schemas of the type not compiled, each with the reason.
    pub extensions_skipped: Vec<String>,
    /// cfn-lint's region-keyed values of the type (`schemas/regions.json`).
    pub regional: Vec<RegionalDef>,
}

/// One entry of `schemas/regions.json`: a region-keyed rule's values on some paths of a type.
#[derive(Clone, Debug)]
pub struct RegionalDef {
    /// cfn-lint's rule id.
    pub rule: String,
    /// The rule's description.
    pub description: String,
    /// Where below `Properties` (`*` for list items).
    pub paths: Vec<String>,
    /// Conditions (any of): the engine and what `LicenseModel` must be (`None`: anything;
    /// `Some(None)`: absent).
    pub when: Vec<(String, Option<Option<String>>)>,
    /// Whether `Engine` is lowercased before comparing.
    pub engine_lowercased: bool,
    /// The mask of regions with data.
    pub regions: u64,
    /// The sorted values, each with the mask of regions offering it.
    pub values: Vec<(String, u64)>,
}

/// The region-keyed entries a schema carries (`x-cfn-lint-regions`, put there from
/// `schemas/regions.json`).
fn regional(schema: &Json) -> Result<Vec<RegionalDef>, String> {
    let Some(Json::Array(entries)) = schema.get("x-cfn-lint-regions") else {
        return Ok(Vec::new());
    };
    let text = |e: &Json, k: &str| e.get(k).and_then(Json::as_str).unwrap_or("").to_owned();
    let mask = |t: &str| u64::from_str_radix(t, 16).map_err(|e| format!("mask {t:?}: {e}"));
    let mut out = Vec::new();
    for e in entries {
        let strings = |k: &str| -> Vec<&Json> {
            e.get(k)
                .and_then(Json::as_array)
                .map(|a| a.iter().collect())
                .unwrap_or_default()
        };
        let mut values = Vec::new();
        for v in strings("values") {
            let pair = v.as_array().map(Vec::as_slice).unwrap_or_default();
            match pair {
                [Json::String(name), Json::String(m)] => values.push((name.clone(), mask(m)?)),
                _ => return Err(format!("regions.json: a value is not [name, mask]: {v}")),
            }
        }
        if !values.windows(2).all(|w| w[0].0 < w[1].0) {
            return Err(format!(
                "regions.json: {} values not sorted",
                text(e, "rule")
            ));
        }
        let when = strings("when")
            .into_iter()
            .map(|w| {
                let engine = text(w, "Engine");
                let license = match w.get("LicenseModel") {
                    None => None,
                    Some(Json::Null) => Some(None),
                    Some(l) => Some(Some(l.as_str().unwrap_or_default().to_owned())),
                };
                (engine, license)
            })
            .collect();
        out.push(RegionalDef {
            rule: text(e, "rule"),
            description: text(e, "description"),
            paths: strings("paths")
                .into_iter()
                .filter_map(Json::as_str)
                .map(str::to_owned)
                .collect(),
            when,
            engine_lowercased: e
                .get("engine_lowercased")
                .and_then(Json::as_bool)
                .unwrap_or(false),
            regions: mask(&text(e, "regions"))?,
            values,
        });
    }
    Ok(out)
}

impl ResourceModel {
    /// The `...Attributes` struct's name.
    pub fn attributes_name(&self) -> String {
        format!("{}Attributes", self.resource.name)
    }
}

/// Property names too generic to name an enum on their own (`Type` → `ActionType`).
const GENERIC: &[&str] = &[
    "Type",
    "Name",
    "Format",
    "Mode",
    "Scope",
    "Condition",
    "Status",
    "State",
    "Kind",
    "Value",
    "Statistic",
    "Logging",
    "Permission",
    "Strategy",
];

/// The CloudFormation documentation URL of a resource type (`aws-resource-ec2-subnet.html`).
pub fn resource_doc_url(type_name: &str) -> String {
    let parts: Vec<String> = type_name
        .split("::")
        .skip(1)
        .map(str::to_lowercase)
        .collect();
    format!(
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-{}.html",
        parts.join("-")
    )
}

/// The CloudFormation documentation URL of a property type of a resource type.
pub fn property_doc_url(type_name: &str, property_type: &str) -> String {
    let parts: Vec<String> = type_name
        .split("::")
        .skip(1)
        .map(str::to_lowercase)
        .collect();
    format!(
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-{}-{}.html",
        parts.join("-"),
        property_type.to_lowercase()
    )
}

fn strip_pointer(p: &str) -> String {
    p.strip_prefix("/properties/").unwrap_or(p).to_owned()
}

fn string_list(schema: &Json, key: &str) -> Vec<String> {
    schema
        .get(key)
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(strip_pointer)
                .collect()
        })
        .unwrap_or_default()
}

enum Kind<'a> {
    Str,
    Int,
    Num,
    Bool,
    Json,
    StrEnum(Vec<String>),
    List(Option<&'a Json>),
    Object,
}

fn kind(schema: &Json) -> Kind<'_> {
    let ty = match schema.get("type") {
        Some(Json::String(t)) => Some(t.as_str()),
        Some(Json::Array(ts)) if ts.len() == 1 => ts[0].as_str(),
        Some(Json::Array(_)) => return Kind::Json,
        _ => None,
    };
    let props = schema
        .get("properties")
        .and_then(Json::as_object)
        .filter(|p| !p.is_empty());
    match ty {
        Some("string") => match schema.get("enum").and_then(Json::as_array) {
            Some(values) if !values.is_empty() && values.iter().all(Json::is_string) => {
                Kind::StrEnum(
                    values
                        .iter()
                        .filter_map(Json::as_str)
                        .map(str::to_owned)
                        .collect(),
                )
            }
            _ => Kind::Str,
        },
        Some("integer") => Kind::Int,
        Some("number") => Kind::Num,
        Some("boolean") => Kind::Bool,
        Some("array") => Kind::List(schema.get("items")),
        Some("object") | None => match props {
            Some(_) => Kind::Object,
            None => Kind::Json,
        },
        Some(_) => Kind::Json,
    }
}

/// The `constraint::json_type` bits of JSON type names, or `None` for a name with no bit.
fn type_bits(names: &[&str]) -> Option<u8> {
    let mut mask = 0;
    for n in names {
        mask |= match *n {
            "object" => 1,
            "string" => 2,
            "array" => 4,
            "number" | "integer" => 8,
            "boolean" => 16,
            _ => return None,
        };
    }
    Some(mask)
}

/// `Shape::Typed` of a mask of `constraint::json_type` bits.
fn typed_mask(mask: u8) -> String {
    let names = ["OBJECT", "STRING", "ARRAY", "NUMBER", "BOOLEAN"];
    let bits: Vec<String> = (0..5)
        .filter(|i| mask & (1 << i) != 0)
        .map(|i| format!("json_type::{}", names[i]))
        .collect();
    format!("Shape::Typed({})", bits.join(" | "))
}

/// What a definition is, for naming it before use.
fn def_is_named(schema: &Json) -> bool {
    schema.get("$ref").is_none() && matches!(kind(schema), Kind::Object | Kind::StrEnum(_))
}

fn ref_key(r: &str) -> Result<&str, Error> {
    r.strip_prefix("#/definitions/")
        .filter(|k| !k.contains('/'))
        .ok_or_else(|| err(format!("unsupported $ref {r:?}")))
}

/// A short phrase describing a schema's type, for docs: "a string", "a list of integers".
fn phrase(root: &Json, schema: &Json, depth: usize) -> String {
    if depth > 8 {
        return "a value".into();
    }
    if let Some(r) = schema.get("$ref").and_then(Json::as_str) {
        return match ref_key(r).ok().and_then(|k| root["definitions"].get(k)) {
            Some(def) if def_is_named(def) => match kind(def) {
                Kind::StrEnum(_) => format!("a `{}` value", r.rsplit('/').next().unwrap_or(r)),
                _ => format!("a `{}` object", r.rsplit('/').next().unwrap_or(r)),
            },
            Some(def) => phrase(root, def, depth + 1),
            None => "a value".into(),
        };
    }
    match kind(schema) {
        Kind::Str => "a string".into(),
        Kind::Int => "an integer".into(),
        Kind::Num => "a number".into(),
        Kind::Bool => "a boolean".into(),
        Kind::Json => "a JSON value".into(),
        Kind::StrEnum(_) => "one of a set of strings".into(),
        Kind::Object => "an object".into(),
        Kind::List(items) => {
            let item = items.map_or_else(|| "a value".into(), |i| phrase(root, i, depth + 1));
            format!("a list of {}", plural(&item))
        }
    }
}

/// "a string" → "strings", "a list of strings" → "lists of strings".
fn plural(phrase: &str) -> String {
    let bare = phrase
        .strip_prefix("a ")
        .or_else(|| phrase.strip_prefix("an "))
        .unwrap_or(phrase);
    if let Some(rest) = bare.strip_prefix("list of ") {
        format!("lists of {rest}")
    } else if let Some(rest) = bare.strip_prefix("one of ") {
        format!("values, each one of {rest}")
    } else {
        format!("{bare}s")
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    }
}

/// The phrase for a generated field type, linking generated types.
fn ty_phrase(ty: &Ty) -> String {
    match ty {
        Ty::Str => "a string".into(),
        Ty::Int => "an integer".into(),
        Ty::Num => "a number".into(),
        Ty::Bool => "a boolean".into(),
        Ty::Json => "a JSON value".into(),
        Ty::Struct { name, .. } => format!("{} [`{name}`] object", article(name)),
        Ty::Enum(name) => format!("{} [`{name}`] value", article(name)),
        Ty::List(item) => format!("a list of {}", plural(&ty_phrase(item))),
    }
}

/// Constraint facts of a property schema, for docs.
fn constraints(schema: &Json) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(f) = schema.get("format").and_then(Json::as_str) {
        out.push(format!("format {}", code(f)));
    }
    if let Some(p) = schema.get("pattern").and_then(Json::as_str) {
        out.push(format!("pattern {}", code(p)));
    }
    let range = |lo: &str, hi: &str, what: &str| -> Option<String> {
        let lo = schema.get(lo).filter(|v| v.is_number());
        let hi = schema.get(hi).filter(|v| v.is_number());
        match (lo, hi) {
            (Some(l), Some(h)) => Some(format!("{what} {l} to {h}")),
            (Some(l), None) => Some(format!("{what} at least {l}")),
            (None, Some(h)) => Some(format!("{what} at most {h}")),
            (None, None) => None,
        }
    };
    out.extend(range("minLength", "maxLength", "length"));
    out.extend(range("minimum", "maximum", "value"));
    out.extend(range("minItems", "maxItems", "items"));
    if let Some(Json::Array(values)) = schema.get("enum")
        && !values.iter().all(Json::is_string)
    {
        let vs: Vec<String> = values.iter().map(Json::to_string).collect();
        out.push(format!("one of {}", vs.join(", ")));
    }
    if let Some(d) = schema.get("default") {
        out.push(format!("default {}", code(&d.to_string())));
    }
    out
}

fn description(schema: &Json) -> Vec<String> {
    schema
        .get("description")
        .and_then(Json::as_str)
        .map(sanitize)
        .unwrap_or_default()
}

#[derive(Clone, Debug, PartialEq)]
enum Taken {
    Reserved,
    Struct,
    Enum(Vec<String>),
}

struct Builder<'a> {
    root: &'a Json,
    type_name: &'a str,
    defs: &'a Map<String, Json>,
    /// Rust names in use in the module.
    taken: BTreeMap<String, Taken>,
    /// Definition key → Rust name.
    def_names: BTreeMap<String, String>,
    /// Definitions reachable from themselves.
    cyclic: BTreeSet<String>,
    /// Definitions built or being built.
    started: BTreeSet<String>,
    structs: BTreeMap<String, StructDef>,
    enums: BTreeMap<String, EnumDef>,
    /// Top-level facts, for field docs.
    create_only: BTreeSet<String>,
    conditional_create_only: BTreeSet<String>,
    write_only: BTreeSet<String>,
    deprecated: BTreeSet<String>,
    /// Distinct patterns, in order of first use.
    patterns: Vec<String>,
}

fn collect_refs(schema: &Json, out: &mut BTreeSet<String>) {
    match schema {
        Json::Object(m) => {
            if let Some(r) = m.get("$ref").and_then(Json::as_str)
                && let Ok(k) = ref_key(r)
            {
                out.insert(k.to_owned());
            }
            m.values().for_each(|v| collect_refs(v, out));
        }
        Json::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

impl<'a> Builder<'a> {
    fn new(root: &'a Json, type_name: &'a str, resource_name: &str) -> Result<Self, Error> {
        static EMPTY: std::sync::OnceLock<Map<String, Json>> = std::sync::OnceLock::new();
        let defs = root
            .get("definitions")
            .and_then(Json::as_object)
            .unwrap_or_else(|| EMPTY.get_or_init(Map::new));
        // the generated code names everything it uses by its full path
        // (`::cloudwright_core::Value`), so only the module's own generated names are taken
        let mut taken: BTreeMap<String, Taken> = BTreeMap::new();
        taken.insert(resource_name.to_owned(), Taken::Reserved);
        taken.insert(format!("{resource_name}Attributes"), Taken::Reserved);

        // every named definition gets its name up front, so names do not depend on use order
        let mut def_names = BTreeMap::new();
        for (key, def) in defs {
            if !def_is_named(def) {
                continue;
            }
            let base = pascal(key);
            let mut name = base.clone();
            if taken.contains_key(&name) {
                name = format!("{base}Property");
            }
            let mut n = 2;
            while taken.contains_key(&name) {
                name = format!("{base}Property{n}");
                n += 1;
            }
            taken.insert(
                name.clone(),
                match kind(def) {
                    Kind::StrEnum(values) => Taken::Enum(values),
                    _ => Taken::Struct,
                },
            );
            def_names.insert(key.clone(), name);
        }

        // recursive definitions: a field of their type needs a Box
        let graph: BTreeMap<&String, BTreeSet<String>> = defs
            .iter()
            .map(|(k, v)| {
                let mut refs = BTreeSet::new();
                collect_refs(v, &mut refs);
                (k, refs)
            })
            .collect();
        let mut cyclic = BTreeSet::new();
        for start in defs.keys() {
            let mut seen = BTreeSet::new();
            let mut stack: Vec<String> = graph[start].iter().cloned().collect();
            while let Some(k) = stack.pop() {
                if k == *start {
                    cyclic.insert(start.clone());
                    break;
                }
                if seen.insert(k.clone())
                    && let Some(next) = graph.get(&k)
                {
                    stack.extend(next.iter().cloned());
                }
            }
        }

        let set = |key: &str| -> BTreeSet<String> { string_list(root, key).into_iter().collect() };
        Ok(Builder {
            root,
            type_name,
            defs,
            taken,
            def_names,
            cyclic,
            started: BTreeSet::new(),
            structs: BTreeMap::new(),
            enums: BTreeMap::new(),
            create_only: set("createOnlyProperties"),
            conditional_create_only: set("conditionalCreateOnlyProperties"),
            write_only: set("writeOnlyProperties"),
            deprecated: set("deprecatedProperties"),
            patterns: Vec::new(),
        })
    }

    /// A name for an inline type: the property's name, else prefixed with its owner's.
    fn inline_name(&mut self, owner: &str, hint: &str, what: Taken) -> String {
        let base = pascal(hint);
        let mut candidates = Vec::new();
        if !GENERIC.contains(&base.as_str()) {
            candidates.push(base.clone());
        }
        candidates.push(format!("{owner}{base}"));
        for c in &candidates {
            match self.taken.get(c) {
                None => {
                    self.taken.insert(c.clone(), what);
                    return c.clone();
                }
                // the same enum under the same name: share it
                Some(t @ Taken::Enum(_)) if *t == what => return c.clone(),
                Some(_) => {}
            }
        }
        let last = candidates.last().cloned().unwrap_or(base);
        let mut n = 2;
        loop {
            let c = format!("{last}{n}");
            if !self.taken.contains_key(&c) {
                self.taken.insert(c.clone(), what);
                return c;
            }
            n += 1;
        }
    }

    fn ty(&mut self, schema: &Json, owner: &str, hint: &str) -> Result<Ty, Error> {
        if let Some(r) = schema.get("$ref").and_then(Json::as_str) {
            if let Some(prop) = r.strip_prefix("#/properties/").filter(|p| !p.contains('/')) {
                // a reference to a top-level property's schema: the same type as that property
                let target = self
                    .root
                    .get("properties")
                    .and_then(|p| p.get(prop))
                    .filter(|t| t.get("$ref").and_then(Json::as_str) != Some(r))
                    .ok_or_else(|| err(format!("{}: dangling $ref {r}", self.type_name)))?;
                return self.ty(target, owner, hint);
            }
            let key = ref_key(r)?;
            let def = self
                .defs
                .get(key)
                .ok_or_else(|| err(format!("{}: dangling $ref {r}", self.type_name)))?;
            let Some(name) = self.def_names.get(key).cloned() else {
                // a definition that is a plain value (a string with a pattern, ...)
                return self.ty(def, owner, hint);
            };
            if self.started.insert(key.to_owned()) {
                match kind(def) {
                    Kind::StrEnum(values) => self.add_enum(&name, &values, key),
                    Kind::Object => {
                        let s = self.build_struct(&name, def, key, false)?;
                        self.structs.insert(name.clone(), s);
                    }
                    _ => {}
                }
            }
            return Ok(match kind(def) {
                Kind::StrEnum(_) => Ty::Enum(name),
                _ => Ty::Struct {
                    name,
                    boxed: self.cyclic.contains(key),
                },
            });
        }
        Ok(match kind(schema) {
            Kind::Str => Ty::Str,
            Kind::Int => Ty::Int,
            Kind::Num => Ty::Num,
            Kind::Bool => Ty::Bool,
            Kind::Json => Ty::Json,
            Kind::StrEnum(values) => {
                let name = self.inline_name(owner, hint, Taken::Enum(values.clone()));
                if !self.enums.contains_key(&name) {
                    self.add_enum(&name, &values, hint);
                }
                Ty::Enum(name)
            }
            Kind::List(items) => match items {
                Some(items) => Ty::List(Box::new(self.ty(items, owner, &singular(hint))?)),
                None => Ty::List(Box::new(Ty::Json)),
            },
            Kind::Object => {
                let name = self.inline_name(owner, hint, Taken::Struct);
                let s = self.build_struct(&name, schema, hint, false)?;
                self.structs.insert(name.clone(), s);
                Ty::Struct { name, boxed: false }
            }
        })
    }

    fn add_enum(&mut self, name: &str, values: &[String], cfn_name: &str) {
        let mut variants: Vec<(String, String)> = Vec::new();
        for v in values {
            let mut ident = pascal(v);
            if ident == "Expr" {
                ident = "ExprValue".into();
            }
            let base = ident.clone();
            let mut n = 2;
            while variants.iter().any(|(i, _)| *i == ident) {
                ident = format!("{base}{n}");
                n += 1;
            }
            variants.push((ident, v.clone()));
        }
        let doc = vec![format!(
            "The values of `{cfn_name}` (`{}`), and [`Self::Expr`] for an intrinsic function \
                 or a value the schema does not list yet.",
            self.type_name
        )];
        self.enums.insert(
            name.to_owned(),
            EnumDef {
                name: name.to_owned(),
                doc,
                variants,
            },
        );
    }

    /// The fields of an object schema. `top` is the resource itself (read-only properties
    /// are attributes, not fields).
    fn build_struct(
        &mut self,
        name: &str,
        schema: &Json,
        cfn_name: &str,
        top: bool,
    ) -> Result<StructDef, Error> {
        let required: BTreeSet<&str> = schema
            .get("required")
            .and_then(Json::as_array)
            .map(|a| a.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        let read_only: BTreeSet<String> = if top {
            string_list(self.root, "readOnlyProperties")
                .into_iter()
                .collect()
        } else {
            BTreeSet::new()
        };
        let mut fields = Vec::new();
        let props = schema
            .get("properties")
            .and_then(Json::as_object)
            .cloned()
            .unwrap_or_default();
        for (prop, prop_schema) in &props {
            if read_only.contains(prop) {
                continue;
            }
            let ty = self.ty(prop_schema, name, prop)?;
            let is_required = required.contains(prop.as_str());
            let doc = self.field_doc(prop, prop_schema, &ty, is_required, top);
            let shape = match ty {
                Ty::Json => match self.alternatives_shape(prop_schema, name, prop) {
                    Some(s) => s,
                    None => self.json_shape(prop_schema, 0),
                },
                _ => self.shape(prop_schema, &ty),
            };
            fields.push(Field {
                cfn: prop.clone(),
                ident: field(prop),
                ty,
                required: is_required,
                doc,
                shape,
            });
        }
        let mut seen = BTreeSet::new();
        for f in &fields {
            if !seen.insert(f.ident.clone()) {
                return Err(err(format!(
                    "{}: two properties of {name} map to the field {}",
                    self.type_name, f.ident
                )));
            }
        }
        let doc = if top {
            Vec::new()
        } else {
            let mut doc = vec![format!(
                "The `{cfn_name}` property type of `{}`.",
                self.type_name
            )];
            let d = description(schema);
            if !d.is_empty() {
                doc.push(String::new());
                doc.extend(d);
            }
            doc.push(String::new());
            doc.push(format!(
                "Documentation: <{}>",
                property_doc_url(self.type_name, cfn_name)
            ));
            doc
        };
        let mut constraints = obj_constraints(schema);
        constraints.patterns = self.pattern_properties(schema, 0);
        Ok(StructDef {
            name: name.to_owned(),
            doc,
            fields,
            constraints,
        })
    }

    fn field_doc(
        &self,
        prop: &str,
        schema: &Json,
        ty: &Ty,
        required: bool,
        top: bool,
    ) -> Vec<String> {
        let mut doc = vec![format!(
            "`{prop}`: {}{}.",
            ty_phrase(ty),
            if required { ", required" } else { "" }
        )];
        let mut desc = description(schema);
        let mut facts = constraints(schema);
        if let Some(r) = schema.get("$ref").and_then(Json::as_str)
            && let Ok(k) = ref_key(r)
            && let Some(def) = self.defs.get(k)
            && !def_is_named(def)
        {
            facts.extend(constraints(def));
            if desc.is_empty() {
                desc = description(def);
            }
        }
        if let Some(items) = schema.get("items") {
            let item_facts = constraints(items);
            if !item_facts.is_empty() {
                facts.push(format!("each item: {}", item_facts.join(", ")));
            }
        }
        if top {
            if self.create_only.contains(prop) {
                facts.push("create-only: changing it replaces the resource".into());
            }
            if self.conditional_create_only.contains(prop) {
                facts.push(
                    "changing it may replace the resource (conditionally create-only)".into(),
                );
            }
            if self.write_only.contains(prop) {
                facts.push("write-only: CloudFormation does not return it".into());
            }
            if self.deprecated.contains(prop) {
                facts.push("deprecated".into());
            }
        }
        if !desc.is_empty() {
            doc.push(String::new());
            doc.extend(desc);
        }
        if !facts.is_empty() {
            doc.push(String::new());
            let mut line = facts.join("; ");
            if let Some(first) = line.get(..1) {
                line = format!("{}{}", first.to_uppercase(), &line[1..]);
            }
            doc.push(format!("{line}."));
        }
        doc
    }

    /// The schema at a `/properties/A/B` pointer, following `$ref`s.
    fn at_pointer(&self, pointer: &str) -> Option<&'a Json> {
        // CloudFormation's pointers name properties, not JSON keys: `/properties/A/B` is
        // `properties.A.properties.B`, and `*` is every item of a list
        let mut cur = self.root;
        for seg in pointer.strip_prefix("/properties/")?.split('/') {
            while let Some(r) = cur.get("$ref").and_then(Json::as_str) {
                cur = self.deref(r)?;
            }
            cur = if seg == "*" {
                cur.get("items")?
            } else {
                cur.get("properties")?.get(seg)?
            };
        }
        while let Some(r) = cur.get("$ref").and_then(Json::as_str) {
            cur = self.deref(r)?;
        }
        Some(cur)
    }
}

/// Builds the model of one resource type from its schema and cfn-lint's `GetAtt` names.
pub fn resource_model(
    schema: &Json,
    getatts: &BTreeMap<String, String>,
) -> Result<ResourceModel, Error> {
    let type_name = schema
        .get("typeName")
        .and_then(Json::as_str)
        .ok_or_else(|| err("schema without typeName"))?;
    let parts: Vec<&str> = type_name.split("::").collect();
    let [_, service, resource] = parts[..] else {
        return Err(err(format!("not a resource type name: {type_name}")));
    };
    // named after the CloudFormation name, whatever it is (`AWS::ApiGateway::Resource` is
    // `Resource`): the generated code refers to what it uses by full paths
    let rust_name = pascal(resource);
    let mut b = Builder::new(schema, type_name, &rust_name)?;
    let mut top = b.build_struct(&rust_name, schema, resource, true)?;

    let doc_url = schema
        .get("documentationUrl")
        .and_then(Json::as_str)
        .filter(|u| u.starts_with("https://docs.aws.amazon.com/"))
        .map_or_else(|| resource_doc_url(type_name), str::to_owned);

    let facts = Facts {
        primary_identifier: string_list(schema, "primaryIdentifier"),
        required: {
            let mut r = string_list(schema, "required");
            r.sort();
            r
        },
        create_only: string_list(schema, "createOnlyProperties"),
        conditional_create_only: string_list(schema, "conditionalCreateOnlyProperties"),
        write_only: string_list(schema, "writeOnlyProperties"),
        read_only: string_list(schema, "readOnlyProperties"),
        taggable: schema
            .get("tagging")
            .and_then(|t| t.get("taggable"))
            .or_else(|| schema.get("taggable"))
            .and_then(Json::as_bool)
            .unwrap_or(true),
    };

    // tags: a list of Key/Value objects, or a map
    let tag_property = schema
        .get("tagging")
        .and_then(|t| t.get("tagProperty"))
        .and_then(Json::as_str)
        .unwrap_or("/properties/Tags");
    let tag_format = match b.at_pointer(tag_property) {
        Some(tags) if facts.taggable => match kind(tags) {
            Kind::List(Some(items)) => {
                let item = b.at_pointer_from(items);
                let has = |k: &str| {
                    item.and_then(|i| i.get("properties"))
                        .and_then(|p| p.get(k))
                };
                if has("Key").is_some() && has("Value").is_some() {
                    "KeyValueList"
                } else {
                    "None"
                }
            }
            Kind::Object | Kind::Json => "Map",
            _ => "None",
        },
        _ => "None",
    };

    // attributes, named as cfn-lint accepts them
    let mut attrs = Vec::new();
    let mut methods = BTreeSet::new();
    for (name, pointer) in getatts {
        if name.contains(['\\', '*', '(', '[']) {
            continue; // a pattern (Outputs\..*): not a fixed attribute
        }
        let mut method = field(&name.replace('.', "_"));
        if matches!(method.as_str(), "r#ref" | "logical_id" | "resource_ref") {
            method = format!("{}_attribute", method.trim_start_matches("r#"));
        }
        if !methods.insert(method.clone()) {
            return Err(err(format!(
                "{type_name}: two attributes map to the getter {method}"
            )));
        }
        let described = b
            .at_pointer(pointer)
            .map(|s| phrase(schema, s, 0))
            .unwrap_or_else(|| "a value".into());
        let mut doc = vec![format!("`Fn::GetAtt` `{name}`: {described}.")];
        if let Some(s) = b.at_pointer(pointer) {
            let d = description(s);
            if !d.is_empty() {
                doc.push(String::new());
                doc.extend(d);
            }
        }
        attrs.push(Attr {
            name: name.clone(),
            method,
            ty: b.at_pointer(pointer).and_then(|s| b.attr_ty(s)),
            doc,
        });
    }

    // the resource's own doc
    let mut doc = vec![format!("The `{type_name}` resource.")];
    let d = description(schema);
    if !d.is_empty() {
        doc.push(String::new());
        doc.extend(d);
    }
    doc.push(String::new());
    doc.push(match facts.primary_identifier.as_slice() {
        [one] => format!("`Ref` returns its `{one}` (the primary identifier)."),
        [] => "`Ref` returns its physical id.".into(),
        many => format!(
            "`Ref` returns the primary identifier, which is composite here ({}): see the \
             documentation for which part `Ref` returns.",
            many.iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    });
    let attributes_name = format!("{rust_name}Attributes");
    doc.push(if attrs.is_empty() {
        format!("It has no `Fn::GetAtt` attributes ([`{attributes_name}`] is empty).")
    } else {
        format!(
            "`Fn::GetAtt` attributes are the methods of [`{attributes_name}`], which \
             `Handle<{rust_name}>` dereferences to."
        )
    });
    let required_fields: Vec<String> = top
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| format!("`{}`", f.cfn))
        .collect();
    doc.push(String::new());
    doc.push(if required_fields.is_empty() {
        "No property is required: [`Self::new`] takes none; optional ones have setters.".into()
    } else {
        format!(
            "[`Self::new`] takes the required properties ({}); optional ones have setters.",
            required_fields.join(", ")
        )
    });
    if !facts.create_only.is_empty() {
        doc.push(format!(
            "Create-only properties (changing one replaces the resource): {}.",
            facts
                .create_only
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    doc.push(String::new());
    doc.push(format!("Documentation: <{doc_url}>"));
    top.doc = doc;

    let (extensions, extensions_skipped) = b.extensions();
    let regional = regional(schema).map_err(|e| err(format!("{type_name}: {e}")))?;
    let module = crate::names::module(resource);
    Ok(ResourceModel {
        type_name: type_name.to_owned(),
        service_mod: service.to_lowercase(),
        module,
        doc_url,
        resource: top,
        structs: b.structs.into_values().collect(),
        enums: b.enums.into_values().collect(),
        attrs,
        tag_format,
        facts,
        patterns: b.patterns,
        deprecation: deprecation(schema),
        tags_checked: schema
            .get("tagging")
            .and_then(|t| t.get("taggable"))
            .and_then(Json::as_bool)
            .unwrap_or(false),
        extensions,
        extensions_skipped,
        regional,
    })
}

/// The `#[deprecated]` note of a type whose schema has a `lifecycle` cfn-lint reports.
fn deprecation(schema: &Json) -> Option<String> {
    let lifecycle = schema.get("lifecycle")?;
    let status = lifecycle.get("status").and_then(Json::as_str)?;
    let date = lifecycle.get("date").and_then(Json::as_str);
    let on = |prefix: &str| date.map(|d| format!(" {prefix} {d}")).unwrap_or_default();
    Some(match status {
        "shutdown" => format!(
            "the service was shut down{}: CloudFormation cannot create this type (cfn-lint E3710)",
            on("on")
        ),
        "sunset" => format!(
            "the service is being shut down{}: plan to migrate (cfn-lint W3696)",
            on("on")
        ),
        "maintenance" => format!(
            "the service is in maintenance mode{}: consider an alternative (cfn-lint W3697)",
            on("since")
        ),
        _ => return None,
    })
}

/// The formats cfn-lint checks, by schema name, and their `constraint::Format` variants.
const FORMATS: &[(&str, &str)] = &[
    ("AWS::EC2::VPC.Id", "VpcId"),
    ("AWS::EC2::Subnet.Id", "SubnetId"),
    ("AWS::EC2::SecurityGroup.Id", "SecurityGroupId"),
    ("AWS::EC2::SecurityGroup.Name", "SecurityGroupName"),
    ("AWS::EC2::Image.Id", "ImageId"),
    ("AWS::Logs::LogGroup.Name", "LogGroupName"),
    ("AWS::IAM::Role.Arn", "IamRoleArn"),
    ("AWS::KMS::Key.Arn", "KmsKeyArn"),
    ("AWS::KMS::Key.Id", "KmsKeyId"),
    ("AWS::KMS::Alias.AliasName", "KmsAliasName"),
    ("AWS::Lambda::Function.Arn", "LambdaFunctionArn"),
    ("AWS::Lambda::Function.Name", "LambdaFunctionName"),
    ("AWS::ACM::Certificate.Arn", "AcmCertificateArn"),
    ("AWS::SNS::Topic.Arn", "SnsTopicArn"),
    ("AWS::S3::Bucket.Name", "S3BucketName"),
    ("ipv4-network", "Ipv4Network"),
    ("ipv6-network", "Ipv6Network"),
    ("ipv4", "Ipv4"),
    ("ipv6", "Ipv6"),
    ("date-time", "DateTime"),
    ("date", "Date"),
];

fn opt_num(v: Option<&Json>) -> String {
    match v.and_then(Json::as_f64) {
        Some(n) => format!("Some({n:?})"),
        None => "None".into(),
    }
}

fn opt_u64(v: Option<&Json>) -> String {
    match v.and_then(Json::as_u64) {
        Some(n) => format!("Some({n})"),
        None => "None".into(),
    }
}

/// `Shape::AnyOf`/`Shape::OneOf` of built alternatives; `None` when it would accept every
/// value its type allows (an `anyOf` with an unconstrained alternative, such as the
/// `relationshipRef`-only ones).
fn union_of(keyword: &str, shapes: Vec<String>) -> Option<String> {
    const FREE: [&str; 5] = [
        "Shape::Any",
        "Shape::STR",
        "Shape::INT",
        "Shape::NUM",
        "Shape::Bool",
    ];
    if shapes.is_empty()
        || (keyword == "anyOf" && shapes.iter().any(|s| FREE.contains(&s.as_str())))
    {
        return None;
    }
    let variant = if keyword == "oneOf" { "OneOf" } else { "AnyOf" };
    Some(format!("Shape::{variant}(&[{}])", shapes.join(", ")))
}

/// The shapes that must all accept a value: one shape as it is, several as
/// `Shape::AllOf` (unconstrained ones left out).
fn all_of(parts: Vec<String>) -> String {
    let mut parts: Vec<String> = parts.into_iter().filter(|p| p != "Shape::Any").collect();
    match parts.len() {
        0 => "Shape::Any".into(),
        1 => parts.remove(0),
        _ => format!("Shape::AllOf(&[{}])", parts.join(", ")),
    }
}

/// `&[&[&["A"], &["B"]]]`: the `one_of`/`any_of` of an `ObjRule`.
fn sets_list(v: &[Vec<Vec<String>>]) -> String {
    let outer: Vec<String> = v
        .iter()
        .map(|alts| {
            let inner: Vec<String> = alts.iter().map(|a| str_list(a)).collect();
            format!("&[{}]", inner.join(", "))
        })
        .collect();
    format!("&[{}]", outer.join(", "))
}

/// `&[("A", &["B"])]`: the `dependent_required`/`dependent_excluded` of an `ObjRule`.
fn deps_list(v: &[(String, Vec<String>)]) -> String {
    let items: Vec<String> = v
        .iter()
        .map(|(k, l)| format!("({k:?}, {})", str_list(l)))
        .collect();
    format!("&[{}]", items.join(", "))
}

fn str_list(a: &[String]) -> String {
    let items: Vec<String> = a.iter().map(|s| format!("{s:?}")).collect();
    format!("&[{}]", items.join(", "))
}

/// The required sets of a `oneOf`/`anyOf`, when every alternative is only a required set
/// (with the object's own `properties`/`type`/`title`, which add nothing checkable here).
fn required_sets(alternatives: &Json) -> Option<Vec<Vec<String>>> {
    let alts = alternatives.as_array()?;
    let mut sets = Vec::new();
    for alt in alts {
        let obj = alt.as_object()?;
        if obj.keys().any(|k| {
            !matches!(
                k.as_str(),
                "required" | "properties" | "additionalProperties" | "title" | "type"
            )
        }) {
            return None;
        }
        let req: Vec<String> = obj
            .get("required")?
            .as_array()?
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        if req.is_empty() {
            return None;
        }
        sets.push(req);
    }
    (!sets.is_empty()).then_some(sets)
}

fn dependency_lists(v: Option<&Json>) -> Vec<(String, Vec<String>)> {
    let Some(m) = v.and_then(Json::as_object) else {
        return Vec::new();
    };
    m.iter()
        .filter_map(|(k, v)| {
            let list: Vec<String> = v
                .as_array()?
                .iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect();
            Some((k.clone(), list))
        })
        .collect()
}

/// The object-level constraints of an object schema.
fn obj_constraints(schema: &Json) -> ObjConstraints {
    let mut c = ObjConstraints {
        required: string_array(schema.get("required")),
        // `additionalProperties: false` beside `patternProperties` closes the object only
        // to names no pattern matches (`ObjRule::patterns`)
        closed: schema.get("additionalProperties") == Some(&Json::Bool(false)),
        ..ObjConstraints::default()
    };
    c.one_of.extend(schema.get("oneOf").and_then(required_sets));
    c.any_of.extend(schema.get("anyOf").and_then(required_sets));
    let or = string_array(schema.get("requiredOr"));
    if !or.is_empty() {
        c.any_of.push(or.into_iter().map(|p| vec![p]).collect());
    }
    let xor = string_array(schema.get("requiredXor"));
    if !xor.is_empty() {
        c.one_of.push(xor.into_iter().map(|p| vec![p]).collect());
    }
    c.dependent_required = dependency_lists(schema.get("dependentRequired"));
    c.dependent_required
        .extend(dependency_lists(schema.get("dependencies")));
    c.dependent_excluded = dependency_lists(schema.get("dependentExcluded"));
    c.min_properties = schema.get("minProperties").and_then(Json::as_u64);
    c.max_properties = schema.get("maxProperties").and_then(Json::as_u64);
    c
}

fn string_array(v: Option<&Json>) -> Vec<String> {
    v.and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

impl<'a> Builder<'a> {
    /// The schema a `$ref` points at: a definition (`#/definitions/X`) or a top-level
    /// property (`#/properties/X`).
    fn deref(&self, r: &str) -> Option<&'a Json> {
        if let Some(prop) = r.strip_prefix("#/properties/") {
            return self.root.get("properties")?.get(prop);
        }
        self.defs.get(ref_key(r).ok()?)
    }

    /// The first value of `key` along `schema` and the plain definitions it `$ref`s.
    fn lookup(&self, schema: &Json, key: &str) -> Option<Json> {
        let mut cur = schema;
        for _ in 0..8 {
            if let Some(v) = cur.get(key) {
                return Some(v.clone());
            }
            let r = cur.get("$ref").and_then(Json::as_str)?;
            cur = self.deref(r)?;
        }
        None
    }

    fn pattern_index(&mut self, p: &str) -> usize {
        match self.patterns.iter().position(|q| q == p) {
            Some(i) => i,
            None => {
                self.patterns.push(p.to_owned());
                self.patterns.len() - 1
            }
        }
    }

    /// For a free-form (`Json`) property whose schema is a `oneOf`/`anyOf`: the alternatives
    /// that are definitions (`$ref`) or lists of them keep their generated types and rules
    /// (`Shape::Object(&RULE_..)`), the others are built inline; `None` when the property
    /// has no such keyword (its `json_shape` then covers it).
    fn alternatives_shape(&mut self, schema: &Json, owner: &str, hint: &str) -> Option<String> {
        let (keyword, alternatives) = match self.lookup(schema, "oneOf") {
            Some(a) => ("oneOf", a),
            None => ("anyOf", self.lookup(schema, "anyOf")?),
        };
        let alternatives = alternatives.as_array()?.clone();
        let mut shapes = Vec::new();
        for alt in &alternatives {
            let typed = alt.get("$ref").is_some()
                || matches!(kind(alt), Kind::List(Some(items)) if items.get("$ref").is_some());
            let shape = match typed.then(|| self.ty(alt, owner, hint)) {
                Some(Ok(ty)) => Some(self.shape(alt, &ty)),
                _ => self.alt_shape(alt, &Ty::Json, 0),
            };
            shapes.push(shape?);
        }
        let union = union_of(keyword, shapes)?;
        let base = self.json_base(schema, 0);
        Some(all_of(vec![base, union]))
    }

    /// The shape of a free-form (`Json`) value: the JSON types its schema allows and, where
    /// an object form lists `properties` (an object-or-string such as SQS's
    /// `RedrivePolicy`) or `patternProperties` (a map), those checked by an inline rule (no
    /// Rust type is made for them), and its `anyOf`/`oneOf` alternatives. `Shape::Any` when
    /// the schema allows every type and says nothing else checkable.
    fn json_shape(&mut self, schema: &Json, depth: usize) -> String {
        let base = self.json_base(schema, depth);
        self.with_combinators(schema, base, &Ty::Json, depth)
    }

    /// [`Self::json_shape`] without the combinators.
    fn json_base(&mut self, schema: &Json, depth: usize) -> String {
        const ALL: u8 = 31; // object, string, array, number, boolean
        let mask = match self.lookup(schema, "type") {
            Some(Json::String(t)) => type_bits(&[t.as_str()]),
            Some(Json::Array(ts)) => {
                type_bits(&ts.iter().filter_map(Json::as_str).collect::<Vec<_>>())
            }
            _ => Some(ALL),
        };
        let Some(mask) = mask else {
            return "Shape::Any".into(); // a type name with no bit (`null`): leave it
        };
        let props = self
            .lookup(schema, "properties")
            .and_then(|p| p.as_object().cloned())
            .unwrap_or_default();
        let patterns = self
            .lookup(schema, "patternProperties")
            .and_then(|p| p.as_object().cloned())
            .unwrap_or_default();
        let object = if mask & 1 != 0 && depth < 4 && (!props.is_empty() || !patterns.is_empty()) {
            Some(self.inline_rule(schema, &props, depth))
        } else {
            None
        };
        // the string form of an object-or-string (`PolicyDocument`, `Content`) keeps its
        // `pattern` and lengths
        let string = (mask & 2 != 0
            && mask != ALL
            && ["pattern", "minLength", "maxLength"]
                .iter()
                .any(|k| self.lookup(schema, k).is_some()))
        .then(|| self.own_shape(schema, &Ty::Str, depth));
        let mut forms = Vec::new();
        let mut rest = mask;
        if let Some(o) = object {
            forms.push(o);
            rest &= !1;
        }
        if let Some(s) = string {
            forms.push(s);
            rest &= !2;
        }
        if rest != 0 && !(forms.is_empty() && rest == ALL) {
            forms.push(typed_mask(rest));
        }
        match forms.len() {
            0 => "Shape::Any".into(),
            1 => forms.remove(0),
            _ => format!("Shape::AnyOf(&[{}])", forms.join(", ")),
        }
    }

    /// `shape` with the `anyOf`/`oneOf` and `prefixItems` of `schema` beside it
    /// (`Shape::AllOf`); `ty` is the value's type, which an alternative that names no type
    /// of its own inherits (`{"format": "AWS::KMS::Key.Arn"}` under a string).
    fn with_combinators(&mut self, schema: &Json, shape: String, ty: &Ty, depth: usize) -> String {
        let mut parts = vec![shape];
        if depth <= 6 {
            for keyword in ["anyOf", "oneOf"] {
                let Some(Json::Array(alternatives)) = self.lookup(schema, keyword) else {
                    continue;
                };
                let shapes: Option<Vec<String>> = alternatives
                    .iter()
                    .map(|alt| self.alt_shape(alt, ty, depth + 1))
                    .collect();
                if let Some(union) = shapes.and_then(|s| union_of(keyword, s)) {
                    parts.push(union);
                }
            }
            if let (Some(Json::Array(prefix)), Ty::List(item)) =
                (self.lookup(schema, "prefixItems"), ty)
            {
                let shapes: Option<Vec<String>> = prefix
                    .iter()
                    .map(|p| self.alt_shape(p, item, depth + 1))
                    .collect();
                if let Some(shapes) = shapes.filter(|s| s.iter().any(|s| s != "Shape::Any")) {
                    parts.push(format!("Shape::Items(&[{}])", shapes.join(", ")));
                }
            }
        }
        all_of(parts)
    }

    /// The shape of one alternative of an `anyOf`/`oneOf` (or one `prefixItems` entry)
    /// for a value of type `ty`: built inline; an alternative naming no type of its own and
    /// no object or list keyword constrains the value as its type (`ty`) would.
    fn alt_shape(&mut self, alt: &Json, ty: &Ty, depth: usize) -> Option<String> {
        if depth > 6 {
            return None;
        }
        // `$ref` with keywords beside it: both apply (cfn-lint); merged
        let mut alt = alt.clone();
        for _ in 0..8 {
            let Some(r) = alt.get("$ref").and_then(Json::as_str).map(str::to_owned) else {
                break;
            };
            let mut target = self.deref(&r)?.clone();
            if let (Some(t), Some(a)) = (target.as_object_mut(), alt.as_object()) {
                for (k, v) in a {
                    if k != "$ref" {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
            alt = target;
        }
        let object_keywords = [
            "properties",
            "required",
            "additionalProperties",
            "patternProperties",
        ];
        let has_type = alt.get("type").is_some()
            || object_keywords.iter().any(|k| alt.get(*k).is_some())
            || alt.get("items").is_some();
        if !has_type {
            let ty = match ty {
                Ty::Enum(_) => Ty::Str,
                Ty::Struct { .. } => Ty::Json,
                t => t.clone(),
            };
            return Some(match ty {
                Ty::Json => self.json_shape(&alt, depth),
                Ty::List(_) => {
                    let s = self.inline_shape(&alt, depth);
                    self.with_combinators(&alt, s, &ty, depth)
                }
                _ => self.shape_at(&alt, &ty, depth),
            });
        }
        if alt.get("type").is_none() && object_keywords.iter().any(|k| alt.get(*k).is_some()) {
            // an object's keywords without a type: they apply to objects only
            let mut typed = alt.clone();
            if let Some(o) = typed.as_object_mut() {
                o.insert("type".into(), Json::String("object".into()));
            }
            return Some(self.inline_shape(&typed, depth));
        }
        Some(self.inline_shape(&alt, depth))
    }

    /// `Shape::Object` of an inline rule for an object form's `properties`, its
    /// `patternProperties` and its object-level constraints.
    fn inline_rule(
        &mut self,
        schema: &Json,
        props: &serde_json::Map<String, Json>,
        depth: usize,
    ) -> String {
        let mut names: Vec<&String> = props.keys().collect();
        names.sort();
        let mut entries = Vec::new();
        for name in names {
            let shape = self.inline_shape(&props[name], depth + 1);
            entries.push(format!("({name:?}, {shape})"));
        }
        let c = obj_constraints(schema);
        let mut set = Vec::new();
        if !entries.is_empty() {
            set.push(format!("properties: &[{}]", entries.join(", ")));
        }
        if !c.required.is_empty() {
            set.push(format!("required: {}", str_list(&c.required)));
        }
        if !c.one_of.is_empty() {
            set.push(format!("one_of: {}", sets_list(&c.one_of)));
        }
        if !c.any_of.is_empty() {
            set.push(format!("any_of: {}", sets_list(&c.any_of)));
        }
        if !c.dependent_required.is_empty() {
            set.push(format!(
                "dependent_required: {}",
                deps_list(&c.dependent_required)
            ));
        }
        if !c.dependent_excluded.is_empty() {
            set.push(format!(
                "dependent_excluded: {}",
                deps_list(&c.dependent_excluded)
            ));
        }
        let patterns = self.pattern_properties(schema, depth);
        if !patterns.is_empty() {
            set.push(format!("patterns: {patterns}"));
        }
        if let Some(n) = c.min_properties {
            set.push(format!("min_properties: Some({n})"));
        }
        if let Some(n) = c.max_properties {
            set.push(format!("max_properties: Some({n})"));
        }
        if c.closed {
            set.push("closed: true".into());
        }
        format!(
            "Shape::Object(&ObjRule {{ {}, ..OBJ_RULE }})",
            set.join(", ")
        )
    }

    /// The `ObjRule::patterns` of a schema's `patternProperties` (`&[(&PATTERN_i, shape)]`),
    /// or an empty string when it has none.
    fn pattern_properties(&mut self, schema: &Json, depth: usize) -> String {
        let Some(Json::Object(patterns)) = self.lookup(schema, "patternProperties") else {
            return String::new();
        };
        if patterns.is_empty() {
            return String::new();
        }
        let mut entries = Vec::new();
        for (pattern, value) in &patterns {
            let at = self.pattern_index(pattern);
            let shape = if depth < 4 {
                self.inline_shape(value, depth + 1)
            } else {
                "Shape::Any".into()
            };
            entries.push(format!("(&PATTERN_{at}, {shape})"));
        }
        format!("&[{}]", entries.join(", "))
    }

    /// The shape of a property inside an inline rule: scalars and lists with their
    /// constraints, objects as free-form values of their own (no Rust type is made).
    fn inline_shape(&mut self, schema: &Json, depth: usize) -> String {
        let mut cur = schema;
        for _ in 0..8 {
            match cur
                .get("$ref")
                .and_then(Json::as_str)
                .and_then(|r| self.deref(r))
            {
                Some(next) => cur = next,
                None => break,
            }
        }
        let schema = cur.clone();
        match kind(&schema) {
            Kind::Str | Kind::StrEnum(_) => self.shape_at(&schema, &Ty::Str, depth),
            Kind::Int => self.shape_at(&schema, &Ty::Int, depth),
            Kind::Num => self.shape_at(&schema, &Ty::Num, depth),
            Kind::Bool => self.shape_at(&schema, &Ty::Bool, depth),
            Kind::List(items) => {
                let items = items.cloned();
                let item_shape = match &items {
                    Some(i) if depth < 4 => self.inline_shape(i, depth + 1),
                    _ => "Shape::Any".into(),
                };
                let list = format!(
                    "Shape::List(&ListRule {{ items: {item_shape}, min_items: {}, max_items: {}, unique: {} }})",
                    opt_u64(schema.get("minItems")),
                    opt_u64(schema.get("maxItems")),
                    schema.get("uniqueItems") == Some(&Json::Bool(true)),
                );
                // the item type an alternative or a positional item inherits: free-form
                self.with_combinators(&schema, list, &Ty::List(Box::new(Ty::Json)), depth)
            }
            Kind::Object | Kind::Json => self.json_shape(&schema, depth),
        }
    }

    /// The `constraint::Shape` expression of a property of type `ty`, with its
    /// `anyOf`/`oneOf`/`prefixItems` beside it.
    fn shape(&mut self, schema: &Json, ty: &Ty) -> String {
        self.shape_at(schema, ty, 0)
    }

    /// [`Self::shape`] at a depth of nested alternatives and inline rules (bounded, so
    /// recursive definitions end).
    fn shape_at(&mut self, schema: &Json, ty: &Ty, depth: usize) -> String {
        let own = self.own_shape(schema, ty, depth);
        match ty {
            // a struct's rule holds its own combinators (of required sets); a free-form
            // value's shape has them already
            Ty::Struct { .. } | Ty::Json => own,
            _ => self.with_combinators(schema, own, ty, depth),
        }
    }

    /// [`Self::shape`] without the combinators.
    fn own_shape(&mut self, schema: &Json, ty: &Ty, depth: usize) -> String {
        match ty {
            Ty::Json => self.json_shape(schema, depth),
            // a `pattern` beside the boolean type (`true|false`): checked on its string form
            Ty::Bool => match self
                .lookup(schema, "pattern")
                .as_ref()
                .and_then(Json::as_str)
            {
                Some(p) => format!(
                    "Shape::AllOf(&[Shape::Bool, Shape::Str(&StrRule {{ pattern: Some(&PATTERN_{}), ..StrRule::ANY }})])",
                    self.pattern_index(p)
                ),
                None => "Shape::Bool".into(),
            },
            Ty::Struct { name, .. } => format!("Shape::Object(&RULE_{name})"),
            Ty::Int | Ty::Num => {
                let allowed: Vec<String> = self
                    .lookup(schema, "enum")
                    .as_ref()
                    .and_then(Json::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Json::as_f64)
                            .map(|n| format!("{n:?}"))
                            .collect()
                    })
                    .unwrap_or_default();
                let (min, max) = (
                    opt_num(self.lookup(schema, "minimum").as_ref()),
                    opt_num(self.lookup(schema, "maximum").as_ref()),
                );
                let kind = if *ty == Ty::Int { "Int" } else { "Num" };
                let multiple_of = match self.lookup(schema, "multipleOf") {
                    Some(Json::Number(d)) => {
                        d.as_f64().map(|f| format!("Some(({f:?}, {}))", d.is_f64()))
                    }
                    _ => None,
                };
                if min == "None" && max == "None" && allowed.is_empty() && multiple_of.is_none() {
                    return format!("Shape::{}", kind.to_uppercase());
                }
                let mut set = Vec::new();
                if min != "None" {
                    set.push(format!("min: {min}"));
                }
                if max != "None" {
                    set.push(format!("max: {max}"));
                }
                if !allowed.is_empty() {
                    set.push(format!("allowed: &[{}]", allowed.join(", ")));
                }
                if let Some(m) = multiple_of {
                    set.push(format!("multiple_of: {m}"));
                }
                let rest = if set.len() < 4 {
                    ", ..NumRule::ANY"
                } else {
                    ""
                };
                format!("Shape::{kind}(&NumRule {{ {}{rest} }})", set.join(", "))
            }
            Ty::Str | Ty::Enum(_) => {
                let pattern = match self
                    .lookup(schema, "pattern")
                    .as_ref()
                    .and_then(Json::as_str)
                {
                    Some(p) => format!("Some(&PATTERN_{})", self.pattern_index(p)),
                    None => "None".into(),
                };
                let format = match self
                    .lookup(schema, "format")
                    .as_ref()
                    .and_then(Json::as_str)
                    .and_then(|f| FORMATS.iter().find(|(n, _)| *n == f))
                {
                    Some((_, variant)) => format!("Some(Format::{variant})"),
                    None => "None".into(),
                };
                let allowed: Vec<String> = self
                    .lookup(schema, "enum")
                    .or_else(|| self.lookup(schema, "const").map(|c| Json::Array(vec![c])))
                    .or_else(|| self.lookup(schema, "x-api-enum"))
                    .as_ref()
                    .and_then(Json::as_array)
                    .filter(|a| a.iter().all(Json::is_string))
                    .map(|a| {
                        a.iter()
                            .filter_map(Json::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                // cfn-lint's `enumCaseInsensitive`
                let any_case: Vec<String> = self
                    .lookup(schema, "enumCaseInsensitive")
                    .as_ref()
                    .and_then(Json::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Json::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                let (min, max) = (
                    opt_u64(self.lookup(schema, "minLength").as_ref()),
                    opt_u64(self.lookup(schema, "maxLength").as_ref()),
                );
                if [&min, &max, &pattern, &format].iter().all(|s| *s == "None")
                    && allowed.is_empty()
                    && any_case.is_empty()
                {
                    return "Shape::STR".into();
                }
                // only what is constrained; the rest from `StrRule::ANY`
                let mut set = Vec::new();
                for (name, v) in [("min_len", &min), ("max_len", &max), ("pattern", &pattern)] {
                    if v != "None" {
                        set.push(format!("{name}: {v}"));
                    }
                }
                if !allowed.is_empty() {
                    set.push(format!("allowed: {}", str_list(&allowed)));
                }
                if !any_case.is_empty() {
                    set.push(format!("allowed_any_case: {}", str_list(&any_case)));
                }
                if format != "None" {
                    set.push(format!("format: {format}"));
                }
                let rest = if set.len() < 6 {
                    ", ..StrRule::ANY"
                } else {
                    ""
                };
                format!("Shape::Str(&StrRule {{ {}{rest} }})", set.join(", "))
            }
            Ty::List(item) => {
                let items_schema = self.lookup(schema, "items");
                let item_shape = match &items_schema {
                    Some(i) => self.shape_at(i, item, depth),
                    None => "Shape::Any".into(),
                };
                format!(
                    "Shape::List(&ListRule {{ items: {item_shape}, min_items: {}, max_items: {}, unique: {} }})",
                    opt_u64(self.lookup(schema, "minItems").as_ref()),
                    opt_u64(self.lookup(schema, "maxItems").as_ref()),
                    self.lookup(schema, "uniqueItems") == Some(Json::Bool(true)),
                )
            }
        }
    }

    /// The type of an attribute's value: a string enum is a `Str` (an attribute has no
    /// generated enum of its own), an object or anything else free-form is `Json`, a list's
    /// items are typed the same way (lists of lists and of objects: `List<Json>`).
    fn attr_ty(&self, schema: &'a Json) -> Option<Ty> {
        let schema = self.at_pointer_from(schema)?;
        Some(match kind(schema) {
            Kind::Str | Kind::StrEnum(_) => Ty::Str,
            Kind::Int => Ty::Int,
            Kind::Num => Ty::Num,
            Kind::Bool => Ty::Bool,
            Kind::Json | Kind::Object => Ty::Json,
            Kind::List(items) => {
                let item = items
                    .and_then(|i| self.at_pointer_from(i))
                    .map(|i| match kind(i) {
                        Kind::Str | Kind::StrEnum(_) => Ty::Str,
                        Kind::Int => Ty::Int,
                        Kind::Num => Ty::Num,
                        Kind::Bool => Ty::Bool,
                        _ => Ty::Json,
                    })
                    .unwrap_or(Ty::Json);
                Ty::List(Box::new(item))
            }
        })
    }

    fn at_pointer_from(&self, mut cur: &'a Json) -> Option<&'a Json> {
        while let Some(r) = cur.get("$ref").and_then(Json::as_str) {
            cur = self.deref(r)?;
        }
        Some(cur)
    }
}

/// One of cfn-lint's extension schemas compiled for a type (`constraint::Extension`).
#[derive(Clone, Debug)]
pub struct ExtensionDef {
    /// cfn-lint's rule id.
    pub rule: String,
    /// Where below `Properties` (`*` for each item).
    pub path: String,
    /// The rule's description.
    pub description: String,
    /// The `constraint::Shape` expression.
    pub shape: String,
}

impl<'a> Builder<'a> {
    /// Whether the schema carries region-keyed values for cfn-lint's `rule`
    /// (`x-cfn-lint-regions`, from `schemas/regions.json`).
    fn has_regional(&self, rule: &str) -> bool {
        matches!(self.root.get("x-cfn-lint-regions"), Some(Json::Array(entries))
            if entries.iter().any(|e| e.get("rule").and_then(Json::as_str) == Some(rule)))
    }

    /// The extension schemas `export_extensions.py` exported for this type (put into the
    /// schema as `x-cfn-lint-extensions`), compiled; the ones that use a keyword the shapes
    /// cannot state exactly (cross-resource `cfnGather`, `$data`, `contains`,
    /// `propertyNames`, ...) or that were not exported (too large; region-keyed ones not in
    /// `schemas/regions.json`, whose are checked by the type's `REGIONAL` instead) are named
    /// in the second list with the reason.
    fn extensions(&mut self) -> (Vec<ExtensionDef>, Vec<String>) {
        let mut done = Vec::new();
        let mut skipped = Vec::new();
        let Some(Json::Array(entries)) = self.root.get("x-cfn-lint-extensions") else {
            return (done, skipped);
        };
        for e in entries {
            let text = |k: &str| e.get(k).and_then(Json::as_str).unwrap_or("").to_owned();
            let (rule, path) = (text("rule"), text("path"));
            let shape = match e.get("schema") {
                Some(schema) => self.ext_shape(schema, 0),
                None => None,
            };
            match shape {
                Some(shape) => done.push(ExtensionDef {
                    rule,
                    path,
                    description: text("description"),
                    shape,
                }),
                // checked by the type's `REGIONAL` (schemas/regions.json) instead
                None if e.get("region_keyed").is_some() && self.has_regional(&rule) => {}
                None => {
                    let why = if e.get("region_keyed").is_some() {
                        "region-keyed, not exported"
                    } else if e.get("too_large").is_some() {
                        "too large, not exported"
                    } else {
                        "a keyword not compiled"
                    };
                    skipped.push(format!("{rule} at `{path}`: {why}"));
                }
            }
        }
        (done, skipped)
    }

    /// An extension schema node as a shape, or `None` when it uses a keyword that cannot
    /// be stated exactly (an inexact part inside an `if` or `not` would refuse what
    /// cfn-lint accepts).
    fn ext_shape(&mut self, node: &Json, depth: usize) -> Option<String> {
        if depth > 12 {
            return None;
        }
        let obj = match node {
            Json::Bool(true) => return Some("Shape::Any".into()),
            Json::Bool(false) => return Some("Shape::Never".into()),
            Json::Object(o) => o,
            _ => return None,
        };
        const KNOWN: [&str; 21] = [
            "description",
            "type",
            "properties",
            "required",
            "enum",
            "const",
            "pattern",
            "if",
            "then",
            "else",
            "allOf",
            "anyOf",
            "oneOf",
            "not",
            "minimum",
            "maximum",
            "additionalProperties",
            "dependentExcluded",
            "items",
            "minItems",
            "maxItems",
        ];
        // `additionalProperties` only as `false` (or `true`, which says nothing)
        if obj
            .get("additionalProperties")
            .is_some_and(|a| !matches!(a, Json::Bool(_)))
        {
            return None;
        }
        if obj.keys().any(|k| !KNOWN.contains(&k.as_str())) {
            return None;
        }
        let mut parts = Vec::new();
        let ty = obj.get("type");
        if let Some(t) = ty {
            let names: Vec<&str> = match t {
                Json::String(s) => vec![s.as_str()],
                Json::Array(a) => a.iter().filter_map(Json::as_str).collect(),
                _ => return None,
            };
            parts.push(typed_mask(type_bits(&names).filter(|m| *m != 0)?));
        }
        // enum / const / pattern: compared in string form, as cfn-lint's `equal` compares
        // scalars (a pattern leaves objects and lists alone)
        let mut allowed: Option<Vec<String>> = None;
        if let Some(v) = obj.get("enum").or_else(|| obj.get("const")) {
            let values: Vec<&Json> = match (obj.get("enum"), v) {
                (Some(Json::Array(a)), _) => a.iter().collect(),
                (None, c) => vec![c],
                _ => return None,
            };
            let mut forms = Vec::new();
            for v in values {
                forms.push(match v {
                    Json::String(s) => s.clone(),
                    Json::Bool(b) => b.to_string(),
                    Json::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
                    _ => return None,
                });
            }
            allowed = Some(forms);
        }
        if let Some(values) = &allowed {
            parts.push(format!(
                "Shape::Str(&StrRule {{ allowed: {}, ..StrRule::ANY }})",
                str_list(values)
            ));
        }
        if let Some(p) = obj.get("pattern") {
            let p = p.as_str()?;
            let at = self.pattern_index(p);
            parts.push(format!(
                "Shape::AnyOf(&[Shape::Str(&StrRule {{ pattern: Some(&PATTERN_{at}), ..StrRule::ANY }}), Shape::Typed(json_type::OBJECT | json_type::ARRAY)])"
            ));
        }
        if obj.contains_key("minimum") || obj.contains_key("maximum") {
            // a range applies to numbers; only with a numeric type stated
            let numeric = matches!(ty, Some(Json::String(t)) if t == "integer" || t == "number");
            if !numeric {
                return None;
            }
            let kind = if ty == Some(&Json::String("integer".into())) {
                "Int"
            } else {
                "Num"
            };
            parts.push(format!(
                "Shape::{kind}(&NumRule {{ min: {}, max: {}, ..NumRule::ANY }})",
                opt_num(obj.get("minimum")),
                opt_num(obj.get("maximum"))
            ));
        }
        if ["items", "minItems", "maxItems"]
            .iter()
            .any(|k| obj.contains_key(*k))
        {
            let items = match obj.get("items") {
                Some(i) => self.ext_shape(i, depth + 1)?,
                None => "Shape::Any".into(),
            };
            let count = |k: &str| -> Option<String> {
                match obj.get(k) {
                    None => Some("None".into()),
                    Some(v) => v.as_u64().map(|n| format!("Some({n})")),
                }
            };
            // they say nothing of a value that is not a list
            parts.push(format!(
                "Shape::AnyOf(&[Shape::List(&ListRule {{ items: {items}, min_items: {}, max_items: {}, unique: false }}), Shape::Typed(json_type::OBJECT | json_type::STRING | json_type::NUMBER | json_type::BOOLEAN)])",
                count("minItems")?,
                count("maxItems")?
            ));
        }
        let closed = obj.get("additionalProperties") == Some(&Json::Bool(false));
        let excluded = dependency_lists(obj.get("dependentExcluded"));
        if obj.contains_key("properties")
            || obj.contains_key("required")
            || closed
            || !excluded.is_empty()
        {
            let mut entries = Vec::new();
            if let Some(props) = obj.get("properties") {
                let props = props.as_object()?;
                let mut names: Vec<&String> = props.keys().collect();
                names.sort();
                for name in names {
                    let shape = self.ext_shape(&props[name], depth + 1)?;
                    entries.push(format!("({name:?}, {shape})"));
                }
            }
            let required = string_array(obj.get("required"));
            let mut set = Vec::new();
            if !entries.is_empty() {
                set.push(format!("properties: &[{}]", entries.join(", ")));
            }
            if !required.is_empty() {
                set.push(format!("required: {}", str_list(&required)));
            }
            if !excluded.is_empty() {
                set.push(format!("dependent_excluded: {}", deps_list(&excluded)));
            }
            if closed {
                set.push("closed: true".into());
            }
            // `properties`/`required` say nothing of a value that is not an object
            if !set.is_empty() {
                parts.push(format!(
                    "Shape::AnyOf(&[Shape::Object(&ObjRule {{ {}, ..OBJ_RULE }}), Shape::Typed(json_type::STRING | json_type::ARRAY | json_type::NUMBER | json_type::BOOLEAN)])",
                    set.join(", ")
                ));
            }
        }
        if let Some(cond) = obj.get("if") {
            let cond = self.ext_shape(cond, depth + 1)?;
            let then = match obj.get("then") {
                Some(t) => self.ext_shape(t, depth + 1)?,
                None => "Shape::Any".into(),
            };
            let otherwise = match obj.get("else") {
                Some(e) => self.ext_shape(e, depth + 1)?,
                None => "Shape::Any".into(),
            };
            parts.push(format!(
                "Shape::If(&IfRule {{ cond: {cond}, then: {then}, otherwise: {otherwise} }})"
            ));
        }
        for (keyword, variant) in [("allOf", "AllOf"), ("anyOf", "AnyOf"), ("oneOf", "OneOf")] {
            if let Some(list) = obj.get(keyword) {
                let shapes: Option<Vec<String>> = list
                    .as_array()?
                    .iter()
                    .map(|s| self.ext_shape(s, depth + 1))
                    .collect();
                parts.push(format!("Shape::{variant}(&[{}])", shapes?.join(", ")));
            }
        }
        if let Some(inner) = obj.get("not") {
            let inner = self.ext_shape(inner, depth + 1)?;
            parts.push(format!("Shape::Not(&{inner})"));
        }
        Some(match parts.len() {
            0 => "Shape::Any".into(),
            1 => parts.remove(0),
            _ => format!("Shape::AllOf(&[{}])", parts.join(", ")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(schema: serde_json::Value, getatts: &[(&str, &str)]) -> ResourceModel {
        let getatts = getatts
            .iter()
            .map(|(a, p)| ((*a).to_owned(), (*p).to_owned()))
            .collect();
        resource_model(&schema, &getatts).unwrap()
    }

    fn field<'a>(s: &'a StructDef, cfn: &str) -> &'a Field {
        s.fields.iter().find(|f| f.cfn == cfn).unwrap()
    }

    #[test]
    fn types_names_and_read_only_properties() {
        let m = model(
            serde_json::json!({
                "typeName": "AWS::Demo::Thing",
                "properties": {
                    "Id": {"type": "string"},
                    "Name": {"type": "string"},
                    "Type": {"type": "string", "enum": ["a-b", "C_D"]},
                    "Count": {"type": "integer"},
                    "Ratio": {"type": "number"},
                    "On": {"type": "boolean"},
                    "Doc": {"type": ["object", "string"]},
                    "Labels": {"type": "object", "patternProperties": {".*": {"type": "string"}}},
                    "Items": {"type": "array", "items": {"$ref": "#/definitions/Item"}},
                    "Tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}}
                },
                "definitions": {
                    "Item": {"type": "object", "properties": {
                        "Kind": {"type": "string", "enum": ["x"]},
                        "Child": {"$ref": "#/definitions/Item"}
                    }, "required": ["Kind"]},
                    "Tag": {"type": "object", "properties": {
                        "Key": {"type": "string"}, "Value": {"type": "string"}
                    }}
                },
                "required": ["Name"],
                "readOnlyProperties": ["/properties/Id"],
                "createOnlyProperties": ["/properties/Name"],
                "primaryIdentifier": ["/properties/Id"]
            }),
            &[("Id", "/properties/Id")],
        );
        let r = &m.resource;
        assert!(
            r.fields.iter().all(|f| f.cfn != "Id"),
            "read-only is not a field"
        );
        assert_eq!(field(r, "Name").ty, Ty::Str);
        assert!(field(r, "Name").required);
        assert_eq!(field(r, "Type").ty, Ty::Enum("ThingType".into()));
        assert_eq!(field(r, "Type").ident, "r#type");
        assert_eq!(field(r, "Count").ty, Ty::Int);
        assert_eq!(field(r, "Ratio").ty, Ty::Num);
        assert_eq!(field(r, "On").ty, Ty::Bool);
        assert_eq!(field(r, "Doc").ty, Ty::Json);
        assert_eq!(field(r, "Labels").ty, Ty::Json);
        assert_eq!(
            field(r, "Items").ty,
            Ty::List(Box::new(Ty::Struct {
                name: "Item".into(),
                boxed: true
            }))
        );
        let item = m.structs.iter().find(|s| s.name == "Item").unwrap();
        assert_eq!(
            field(item, "Child").ty,
            Ty::Struct {
                name: "Item".into(),
                boxed: true
            },
            "a recursive definition is boxed"
        );
        assert_eq!(field(item, "Kind").ty, Ty::Enum("ItemKind".into()));
        let e = m.enums.iter().find(|e| e.name == "ThingType").unwrap();
        assert_eq!(
            e.variants,
            vec![("AB".into(), "a-b".into()), ("CD".into(), "C_D".into())]
        );
        assert_eq!(m.tag_format, "KeyValueList");
        assert_eq!(m.attrs.len(), 1);
        assert_eq!(m.attrs[0].method, "id");
        assert_eq!(m.facts.create_only, vec!["Name"]);
        assert!(
            m.resource
                .doc
                .iter()
                .any(|l| l.contains("`Ref` returns its `Id`"))
        );
    }

    #[test]
    fn tags_as_a_map_and_dotted_attributes() {
        let m = model(
            serde_json::json!({
                "typeName": "AWS::Demo::Db",
                "properties": {
                    "Tags": {"type": "object", "patternProperties": {".*": {"type": "string"}}},
                    "Endpoint": {"type": "object", "properties": {
                        "Address": {"type": "string"},
                        "Port": {"type": "integer"}
                    }},
                    "Ids": {"type": "array", "items": {"$ref": "#/definitions/Id"}},
                    "Config": {"type": "object", "properties": {"A": {"type": "string"}}}
                },
                "definitions": {"Id": {"type": "string", "enum": ["a", "b"]}},
                "readOnlyProperties": ["/properties/Endpoint/Address", "/properties/Endpoint/Port",
                    "/properties/Ids", "/properties/Config"]
            }),
            &[
                ("Endpoint.Address", "/properties/Endpoint/Address"),
                ("Endpoint.Port", "/properties/Endpoint/Port"),
                ("Ids", "/properties/Ids"),
                ("Config", "/properties/Config"),
                ("Nowhere", "/properties/Nowhere"),
            ],
        );
        assert_eq!(m.tag_format, "Map");
        let attr = |name: &str| m.attrs.iter().find(|a| a.name == name).unwrap();
        assert_eq!(attr("Endpoint.Address").method, "endpoint_address");
        assert!(attr("Endpoint.Address").doc[0].contains("a string"));
        // getters are typed as the schema says: a string enum is a string
        assert_eq!(attr("Endpoint.Address").ty, Some(Ty::Str));
        assert_eq!(attr("Endpoint.Port").ty, Some(Ty::Int));
        assert_eq!(attr("Ids").ty, Some(Ty::List(Box::new(Ty::Str))));
        assert_eq!(attr("Config").ty, Some(Ty::Json));
        assert_eq!(attr("Nowhere").ty, None, "no schema: an untyped Value");
    }

    #[test]
    fn a_type_is_named_after_its_cloudformation_name() {
        let m = model(
            serde_json::json!({
                "typeName": "AWS::Demo::Value",
                "properties": {"Value": {"$ref": "#/definitions/Value"}},
                "definitions": {"Value": {"type": "object", "properties": {"A": {"type": "string"}}}},
                "taggable": false
            }),
            &[],
        );
        // no name is reserved: the generated code names `::cloudwright_core::Value` in full;
        // the definition is renamed only because the resource has its name
        assert_eq!(m.resource.name, "Value");
        assert_eq!(
            field(&m.resource, "Value").ty,
            Ty::Struct {
                name: "ValueProperty".into(),
                boxed: false
            }
        );
        assert_eq!(m.tag_format, "None");
    }
}
