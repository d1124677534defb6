//! Reading a CloudFormation template: its sections, and every value as an [`Expr`] whose
//! intrinsic functions are recognized and whose names are checked against the template.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json};

use crate::error::Error;

/// The pseudo parameters, with the name of their `cloudwright_core::Pseudo` variant.
pub const PSEUDO: &[(&str, &str)] = &[
    ("AWS::AccountId", "AccountId"),
    ("AWS::NotificationARNs", "NotificationArns"),
    ("AWS::NoValue", "NoValue"),
    ("AWS::Partition", "Partition"),
    ("AWS::Region", "Region"),
    ("AWS::StackId", "StackId"),
    ("AWS::StackName", "StackName"),
    ("AWS::URLSuffix", "UrlSuffix"),
];

/// Intrinsic functions CloudFormation has that `cloudwright_core::Value` has no form for
/// (the `AWS::LanguageExtensions` transform's, and the `Rules` section's): kept as written.
const UNTYPED_FUNCTIONS: &[&str] = &[
    "Fn::Transform",
    "Fn::Length",
    "Fn::ToJsonString",
    "Fn::ForEach",
    "Fn::Contains",
    "Fn::EachMemberEquals",
    "Fn::EachMemberIn",
    "Fn::RefAll",
    "Fn::ValueOf",
    "Fn::ValueOfAll",
];

/// A value of the template, intrinsic functions recognized.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, as written.
    Number(serde_json::Number),
    /// A string.
    String(String),
    /// A list.
    List(Vec<Expr>),
    /// An object that is not an intrinsic function.
    Map(BTreeMap<String, Expr>),
    /// `{"Ref": logical id}` of a resource or parameter.
    Ref(String),
    /// `{"Ref": "AWS::..."}`: the `Pseudo` variant's name.
    Pseudo(&'static str),
    /// `Fn::GetAtt` (either form).
    GetAtt(String, String),
    /// `Fn::Sub` with its variables.
    Sub(String, BTreeMap<String, Expr>),
    /// `Fn::Join` of a literal list.
    Join(String, Vec<Expr>),
    /// `Fn::Select`
    Select(Box<Expr>, Box<Expr>),
    /// `Fn::GetAZs`
    GetAzs(Box<Expr>),
    /// `Fn::Split`
    Split(String, Box<Expr>),
    /// `Fn::ImportValue`
    ImportValue(Box<Expr>),
    /// `Fn::If`
    If(String, Box<Expr>, Box<Expr>),
    /// `Fn::Base64`
    Base64(Box<Expr>),
    /// `Fn::Cidr`
    Cidr(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `Fn::FindInMap`
    FindInMap(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `Fn::Equals`
    Equals(Box<Expr>, Box<Expr>),
    /// `Fn::And`
    And(Vec<Expr>),
    /// `Fn::Or`
    Or(Vec<Expr>),
    /// `Fn::Not`
    Not(Box<Expr>),
    /// `{"Condition": name}` inside a condition.
    Condition(String),
    /// An intrinsic function in a form `Value` cannot express (`Fn::Join` of a `Ref` to a
    /// list, `Fn::Length`, ...): its name and argument as written, and why.
    Untyped {
        /// The function (`Fn::Join`).
        name: String,
        /// Its argument.
        arg: Box<Expr>,
        /// Why it is not typed.
        reason: String,
    },
}

impl Expr {
    /// Calls `f` on this value and every value inside it.
    pub fn visit<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::Null
            | Expr::Bool(_)
            | Expr::Number(_)
            | Expr::String(_)
            | Expr::Ref(_)
            | Expr::Pseudo(_)
            | Expr::GetAtt(..)
            | Expr::Condition(_) => {}
            Expr::List(items) | Expr::Join(_, items) | Expr::And(items) | Expr::Or(items) => {
                items.iter().for_each(|v| v.visit(f));
            }
            Expr::Map(m) | Expr::Sub(_, m) => m.values().for_each(|v| v.visit(f)),
            Expr::Select(a, b) | Expr::Equals(a, b) | Expr::If(_, a, b) => {
                a.visit(f);
                b.visit(f);
            }
            Expr::Cidr(a, b, c) | Expr::FindInMap(a, b, c) => {
                a.visit(f);
                b.visit(f);
                c.visit(f);
            }
            Expr::GetAzs(a)
            | Expr::Split(_, a)
            | Expr::ImportValue(a)
            | Expr::Base64(a)
            | Expr::Not(a) => a.visit(f),
            Expr::Untyped { arg, .. } => arg.visit(f),
        }
    }

    /// The first reason a part of this value is [`Expr::Untyped`], if any.
    pub fn untyped_reason(&self) -> Option<String> {
        let mut found = None;
        self.visit(&mut |e| {
            if let (None, Expr::Untyped { name, reason, .. }) = (&found, e) {
                found = Some(format!("{name}: {reason}"));
            }
        });
        found
    }
}

/// A template parameter, as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// `Type`
    pub r#type: String,
    /// `Default`
    pub default: Option<Expr>,
    /// `Description`
    pub description: Option<String>,
    /// `AllowedValues`
    pub allowed_values: Vec<Expr>,
    /// `AllowedPattern`
    pub allowed_pattern: Option<String>,
    /// `ConstraintDescription`
    pub constraint_description: Option<String>,
    /// `MinLength`
    pub min_length: Option<u32>,
    /// `MaxLength`
    pub max_length: Option<u32>,
    /// `MinValue`
    pub min_value: Option<f64>,
    /// `MaxValue`
    pub max_value: Option<f64>,
    /// `NoEcho`
    pub no_echo: bool,
}

/// A resource, as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    /// Its logical id.
    pub logical_id: String,
    /// `Type`
    pub type_name: String,
    /// `Properties`, by name.
    pub properties: BTreeMap<String, Expr>,
    /// `DependsOn`
    pub depends_on: Vec<String>,
    /// `Condition`
    pub condition: Option<String>,
    /// `DeletionPolicy`
    pub deletion_policy: Option<String>,
    /// `UpdateReplacePolicy`
    pub update_replace_policy: Option<String>,
    /// `Metadata`
    pub metadata: Option<Expr>,
    /// `CreationPolicy`
    pub creation_policy: Option<Expr>,
    /// `UpdatePolicy`
    pub update_policy: Option<Expr>,
}

/// An output, as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    /// `Value`
    pub value: Expr,
    /// `Description`
    pub description: Option<String>,
    /// `Export.Name`
    pub export_name: Option<Expr>,
    /// `Condition`
    pub condition: Option<String>,
}

/// A template's sections.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Template {
    /// `Description`
    pub description: Option<String>,
    /// `Parameters`, by logical id.
    pub parameters: BTreeMap<String, Parameter>,
    /// `Mappings`: name → top-level key → second-level key → value.
    pub mappings: BTreeMap<String, BTreeMap<String, BTreeMap<String, Expr>>>,
    /// `Conditions`, by name.
    pub conditions: BTreeMap<String, Expr>,
    /// `Resources`, by logical id.
    pub resources: BTreeMap<String, Resource>,
    /// `Outputs`, by logical id.
    pub outputs: BTreeMap<String, Output>,
}

/// The deletion and update-replace policies CloudFormation has.
pub const POLICIES: &[&str] = &["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"];

/// Reads a template from a JSON document (as [`crate::yaml`] also produces): every section,
/// every intrinsic function, and every name they use checked.
pub fn from_json(file: &str, doc: &Json) -> Result<Template, Error> {
    let r = Reader { file };
    let top = r.object(doc, "")?;
    let mut t = Template::default();
    for (key, v) in top {
        match key.as_str() {
            "AWSTemplateFormatVersion" => {
                if v.as_str() != Some("2010-09-09") {
                    return Err(
                        r.invalid(key, "the only template format version is \"2010-09-09\"")
                    );
                }
            }
            "Description" => t.description = Some(r.string(v, key)?.to_owned()),
            "Parameters" => {
                for (id, p) in r.object(v, key)? {
                    let path = format!("Parameters.{id}");
                    r.logical_id(id, &path)?;
                    t.parameters.insert(id.clone(), r.parameter(p, &path)?);
                }
            }
            "Mappings" => {
                for (name, m) in r.object(v, key)? {
                    let path = format!("Mappings.{name}");
                    r.logical_id(name, &path)?;
                    let mut top = BTreeMap::new();
                    for (k1, second) in r.object(m, &path)? {
                        let p1 = format!("{path}.{k1}");
                        let mut inner = BTreeMap::new();
                        for (k2, value) in r.object(second, &p1)? {
                            inner.insert(k2.clone(), r.expr(value, &format!("{p1}.{k2}"), false)?);
                        }
                        top.insert(k1.clone(), inner);
                    }
                    t.mappings.insert(name.clone(), top);
                }
            }
            "Conditions" => {
                for (name, c) in r.object(v, key)? {
                    let path = format!("Conditions.{name}");
                    r.logical_id(name, &path)?;
                    t.conditions.insert(name.clone(), r.expr(c, &path, true)?);
                }
            }
            "Resources" => {
                for (id, res) in r.object(v, key)? {
                    let path = format!("Resources.{id}");
                    r.logical_id(id, &path)?;
                    t.resources.insert(id.clone(), r.resource(id, res, &path)?);
                }
            }
            "Outputs" => {
                for (id, o) in r.object(v, key)? {
                    let path = format!("Outputs.{id}");
                    r.logical_id(id, &path)?;
                    t.outputs.insert(id.clone(), r.output(o, &path)?);
                }
            }
            "Metadata" | "Transform" | "Rules" | "Hooks" => {
                return Err(Error::Unsupported {
                    file: file.to_owned(),
                    path: key.clone(),
                    message: format!(
                        "a template-level `{key}` section has no equivalent in a cloudwright stack; \
                         remove it from the template (or deploy the template as it is)"
                    ),
                });
            }
            other => return Err(r.invalid(other, "not a template section")),
        }
    }
    if t.resources.is_empty() {
        return Err(r.invalid("Resources", "a template needs at least one resource"));
    }
    Names::new(&t).check(file, &t)?;
    Ok(t)
}

struct Reader<'a> {
    file: &'a str,
}

impl Reader<'_> {
    fn invalid(&self, path: &str, message: impl Into<String>) -> Error {
        Error::Invalid {
            file: self.file.to_owned(),
            path: if path.is_empty() {
                "(top)".into()
            } else {
                path.to_owned()
            },
            message: message.into(),
        }
    }

    fn object<'j>(&self, v: &'j Json, path: &str) -> Result<&'j Map<String, Json>, Error> {
        v.as_object()
            .ok_or_else(|| self.invalid(path, format!("expected an object, found {}", kind(v))))
    }

    fn string<'j>(&self, v: &'j Json, path: &str) -> Result<&'j str, Error> {
        v.as_str()
            .ok_or_else(|| self.invalid(path, format!("expected a string, found {}", kind(v))))
    }

    fn logical_id(&self, id: &str, path: &str) -> Result<(), Error> {
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) || id.len() > 255 {
            return Err(self.invalid(
                path,
                "names may contain only ASCII letters and digits (1 to 255)",
            ));
        }
        Ok(())
    }

    fn parameter(&self, v: &Json, path: &str) -> Result<Parameter, Error> {
        let m = self.object(v, path)?;
        let at = |k: &str| format!("{path}.{k}");
        let ty = m
            .get("Type")
            .ok_or_else(|| self.invalid(path, "a parameter needs a `Type`"))?;
        let mut p = Parameter {
            r#type: self.string(ty, &at("Type"))?.to_owned(),
            default: None,
            description: None,
            allowed_values: Vec::new(),
            allowed_pattern: None,
            constraint_description: None,
            min_length: None,
            max_length: None,
            min_value: None,
            max_value: None,
            no_echo: false,
        };
        let number = |v: &Json, k: &str| -> Result<f64, Error> {
            match v {
                Json::Number(n) => n.as_f64(),
                Json::String(s) => s.trim().parse().ok(),
                _ => None,
            }
            .ok_or_else(|| self.invalid(&at(k), format!("expected a number, found {}", kind(v))))
        };
        let length = |v: &Json, k: &str| -> Result<u32, Error> {
            let n = number(v, k)?;
            if n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) {
                Ok(n as u32)
            } else {
                Err(self.invalid(&at(k), "expected a non-negative integer"))
            }
        };
        for (k, v) in m {
            match k.as_str() {
                "Type" => {}
                "Default" => p.default = Some(self.expr(v, &at(k), false)?),
                "Description" => p.description = Some(self.string(v, &at(k))?.to_owned()),
                "AllowedValues" => {
                    let Json::Array(items) = v else {
                        return Err(self.invalid(&at(k), "expected a list"));
                    };
                    p.allowed_values = items
                        .iter()
                        .enumerate()
                        .map(|(i, x)| self.expr(x, &format!("{}[{i}]", at(k)), false))
                        .collect::<Result<_, _>>()?;
                }
                "AllowedPattern" => p.allowed_pattern = Some(self.string(v, &at(k))?.to_owned()),
                "ConstraintDescription" => {
                    p.constraint_description = Some(self.string(v, &at(k))?.to_owned());
                }
                "MinLength" => p.min_length = Some(length(v, k)?),
                "MaxLength" => p.max_length = Some(length(v, k)?),
                "MinValue" => p.min_value = Some(number(v, k)?),
                "MaxValue" => p.max_value = Some(number(v, k)?),
                "NoEcho" => {
                    p.no_echo = match v {
                        Json::Bool(b) => *b,
                        Json::String(s) if s.eq_ignore_ascii_case("true") => true,
                        Json::String(s) if s.eq_ignore_ascii_case("false") => false,
                        _ => return Err(self.invalid(&at(k), "expected true or false")),
                    };
                }
                other => return Err(self.invalid(&at(other), "not a parameter attribute")),
            }
        }
        Ok(p)
    }

    fn resource(&self, id: &str, v: &Json, path: &str) -> Result<Resource, Error> {
        let m = self.object(v, path)?;
        let at = |k: &str| format!("{path}.{k}");
        let ty = m
            .get("Type")
            .ok_or_else(|| self.invalid(path, "a resource needs a `Type`"))?;
        let mut r = Resource {
            logical_id: id.to_owned(),
            type_name: self.string(ty, &at("Type"))?.to_owned(),
            properties: BTreeMap::new(),
            depends_on: Vec::new(),
            condition: None,
            deletion_policy: None,
            update_replace_policy: None,
            metadata: None,
            creation_policy: None,
            update_policy: None,
        };
        for (k, v) in m {
            match k.as_str() {
                "Type" => {}
                "Properties" => {
                    for (name, value) in self.object(v, &at(k))? {
                        let p = format!("{path}.Properties.{name}");
                        r.properties
                            .insert(name.clone(), self.expr(value, &p, false)?);
                    }
                }
                "DependsOn" => {
                    r.depends_on = match v {
                        Json::String(s) => vec![s.clone()],
                        Json::Array(items) => items
                            .iter()
                            .enumerate()
                            .map(|(i, x)| {
                                self.string(x, &format!("{}[{i}]", at(k)))
                                    .map(str::to_owned)
                            })
                            .collect::<Result<_, _>>()?,
                        _ => {
                            return Err(
                                self.invalid(&at(k), "expected a logical id or a list of them")
                            );
                        }
                    };
                    r.depends_on.sort();
                    r.depends_on.dedup();
                }
                "Condition" => r.condition = Some(self.string(v, &at(k))?.to_owned()),
                "DeletionPolicy" | "UpdateReplacePolicy" => {
                    let policy = self.string(v, &at(k))?;
                    if !POLICIES.contains(&policy) {
                        return Err(self.invalid(
                            &at(k),
                            format!("`{policy}` is not one of {}", POLICIES.join(", ")),
                        ));
                    }
                    if k == "DeletionPolicy" {
                        r.deletion_policy = Some(policy.to_owned());
                    } else {
                        r.update_replace_policy = Some(policy.to_owned());
                    }
                }
                "Metadata" => r.metadata = Some(self.expr(v, &at(k), false)?),
                "CreationPolicy" => r.creation_policy = Some(self.expr(v, &at(k), false)?),
                "UpdatePolicy" => r.update_policy = Some(self.expr(v, &at(k), false)?),
                other => return Err(self.invalid(&at(other), "not a resource attribute")),
            }
        }
        Ok(r)
    }

    fn output(&self, v: &Json, path: &str) -> Result<Output, Error> {
        let m = self.object(v, path)?;
        let at = |k: &str| format!("{path}.{k}");
        let value = m
            .get("Value")
            .ok_or_else(|| self.invalid(path, "an output needs a `Value`"))?;
        let mut o = Output {
            value: self.expr(value, &at("Value"), false)?,
            description: None,
            export_name: None,
            condition: None,
        };
        for (k, v) in m {
            match k.as_str() {
                "Value" => {}
                "Description" => o.description = Some(self.string(v, &at(k))?.to_owned()),
                "Condition" => o.condition = Some(self.string(v, &at(k))?.to_owned()),
                "Export" => {
                    let e = self.object(v, &at(k))?;
                    let name = e
                        .get("Name")
                        .filter(|_| e.len() == 1)
                        .ok_or_else(|| self.invalid(&at(k), "an export is `{\"Name\": ..}`"))?;
                    o.export_name = Some(self.expr(name, &format!("{}.Name", at(k)), false)?);
                }
                other => return Err(self.invalid(&at(other), "not an output attribute")),
            }
        }
        Ok(o)
    }

    /// A value; `condition` when it is (inside) a condition, where `{"Condition": name}` is
    /// a function.
    fn expr(&self, v: &Json, path: &str, condition: bool) -> Result<Expr, Error> {
        Ok(match v {
            Json::Null => Expr::Null,
            Json::Bool(b) => Expr::Bool(*b),
            Json::Number(n) => Expr::Number(n.clone()),
            Json::String(s) => Expr::String(s.clone()),
            Json::Array(items) => Expr::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| self.expr(x, &format!("{path}[{i}]"), condition))
                    .collect::<Result<_, _>>()?,
            ),
            Json::Object(m) => {
                if let Some((name, arg)) = m.iter().next().filter(|_| m.len() == 1) {
                    let is_fn = name == "Ref"
                        || name.starts_with("Fn::")
                        || (condition && name == "Condition");
                    if is_fn {
                        return self.function(name, arg, &format!("{path}.{name}"), condition);
                    }
                }
                Expr::Map(
                    m.iter()
                        .map(|(k, x)| Ok((k.clone(), self.expr(x, &join_key(path, k), false)?)))
                        .collect::<Result<_, Error>>()?,
                )
            }
        })
    }

    fn function(&self, name: &str, arg: &Json, path: &str, cond: bool) -> Result<Expr, Error> {
        let bad = |form: &str| self.invalid(path, format!("{name} takes {form}, found {arg}"));
        let args = |n: usize, form: &str| -> Result<&Vec<Json>, Error> {
            match arg {
                Json::Array(a) if a.len() == n => Ok(a),
                _ => Err(bad(form)),
            }
        };
        let sub = |v: &Json, i: usize| self.expr(v, &format!("{path}[{i}]"), cond);
        let boxed = |v: &Json, i: usize| sub(v, i).map(Box::new);
        let untyped = |reason: &str| -> Result<Expr, Error> {
            Ok(Expr::Untyped {
                name: name.to_owned(),
                arg: Box::new(self.expr(arg, path, cond)?),
                reason: reason.to_owned(),
            })
        };
        Ok(match name {
            "Ref" => {
                let target = arg.as_str().ok_or_else(|| bad("a logical id"))?;
                if target.starts_with("AWS::") {
                    let (_, variant) =
                        PSEUDO.iter().find(|(n, _)| *n == target).ok_or_else(|| {
                            Error::Dangling {
                                file: self.file.to_owned(),
                                path: path.to_owned(),
                                kind: "pseudo parameter",
                                target: target.to_owned(),
                            }
                        })?;
                    Expr::Pseudo(variant)
                } else {
                    Expr::Ref(target.to_owned())
                }
            }
            "Condition" => Expr::Condition(
                arg.as_str()
                    .ok_or_else(|| bad("a condition name"))?
                    .to_owned(),
            ),
            "Fn::GetAtt" => match arg {
                Json::String(s) => match s.split_once('.') {
                    Some((id, attr)) if !id.is_empty() && !attr.is_empty() => {
                        Expr::GetAtt(id.to_owned(), attr.to_owned())
                    }
                    _ => return Err(bad("[logical id, attribute] or \"LogicalId.Attribute\"")),
                },
                Json::Array(a) if a.len() == 2 => match (&a[0], &a[1]) {
                    (Json::String(id), Json::String(attr)) => {
                        Expr::GetAtt(id.clone(), attr.clone())
                    }
                    (Json::String(_), _) => {
                        return untyped("an attribute name computed by a function");
                    }
                    _ => return Err(bad("[logical id, attribute]")),
                },
                _ => return Err(bad("[logical id, attribute]")),
            },
            "Fn::Sub" => match arg {
                Json::String(t) => Expr::Sub(t.clone(), BTreeMap::new()),
                Json::Array(a) if a.len() == 2 => {
                    let (Json::String(t), Json::Object(vars)) = (&a[0], &a[1]) else {
                        return match &a[1] {
                            Json::Object(_) => untyped("a template computed by a function"),
                            _ => Err(bad("a template or [template, {variables}]")),
                        };
                    };
                    let vars = vars
                        .iter()
                        .map(|(k, v)| {
                            Ok((k.clone(), self.expr(v, &format!("{path}[1].{k}"), cond)?))
                        })
                        .collect::<Result<_, Error>>()?;
                    Expr::Sub(t.clone(), vars)
                }
                _ => return Err(bad("a template or [template, {variables}]")),
            },
            "Fn::Join" => {
                let a = args(2, "[delimiter, [values]]")?;
                match (&a[0], &a[1]) {
                    (Json::String(d), Json::Array(items)) => Expr::Join(
                        d.clone(),
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, x)| self.expr(x, &format!("{path}[1][{i}]"), cond))
                            .collect::<Result<_, _>>()?,
                    ),
                    (Json::String(_), Json::Object(_)) => {
                        return untyped("the list is computed by a function");
                    }
                    _ => return Err(bad("[delimiter, [values]]")),
                }
            }
            "Fn::Select" => {
                let a = args(2, "[index, list]")?;
                Expr::Select(boxed(&a[0], 0)?, boxed(&a[1], 1)?)
            }
            "Fn::GetAZs" => Expr::GetAzs(Box::new(self.expr(arg, path, cond)?)),
            "Fn::Split" => {
                let a = args(2, "[delimiter, source]")?;
                match &a[0] {
                    Json::String(d) => Expr::Split(d.clone(), boxed(&a[1], 1)?),
                    _ => return Err(bad("[delimiter, source]")),
                }
            }
            "Fn::ImportValue" => Expr::ImportValue(Box::new(self.expr(arg, path, cond)?)),
            "Fn::If" => {
                let a = args(3, "[condition, value if true, value if false]")?;
                match &a[0] {
                    Json::String(c) => Expr::If(c.clone(), boxed(&a[1], 1)?, boxed(&a[2], 2)?),
                    _ => return Err(bad("[condition name, value if true, value if false]")),
                }
            }
            "Fn::Base64" => Expr::Base64(Box::new(self.expr(arg, path, cond)?)),
            "Fn::Cidr" => {
                let a = args(3, "[block, count, bits]")?;
                Expr::Cidr(boxed(&a[0], 0)?, boxed(&a[1], 1)?, boxed(&a[2], 2)?)
            }
            "Fn::FindInMap" => match arg {
                Json::Array(a) if a.len() == 3 => {
                    Expr::FindInMap(boxed(&a[0], 0)?, boxed(&a[1], 1)?, boxed(&a[2], 2)?)
                }
                Json::Array(a) if a.len() == 4 => {
                    return untyped("a default value (AWS::LanguageExtensions)");
                }
                _ => return Err(bad("[mapping, top-level key, second-level key]")),
            },
            "Fn::Equals" => {
                let a = args(2, "[value, value]")?;
                Expr::Equals(boxed(&a[0], 0)?, boxed(&a[1], 1)?)
            }
            "Fn::And" | "Fn::Or" => {
                let Json::Array(a) = arg else {
                    return Err(bad("a list of conditions"));
                };
                let items = a
                    .iter()
                    .enumerate()
                    .map(|(i, x)| self.expr(x, &format!("{path}[{i}]"), true))
                    .collect::<Result<Vec<_>, _>>()?;
                if name == "Fn::And" {
                    Expr::And(items)
                } else {
                    Expr::Or(items)
                }
            }
            "Fn::Not" => {
                let a = args(1, "[condition]")?;
                Expr::Not(Box::new(self.expr(&a[0], &format!("{path}[0]"), true)?))
            }
            n if UNTYPED_FUNCTIONS.contains(&n) => {
                return untyped("cloudwright's values have no form for it");
            }
            n => {
                return Err(Error::UnknownIntrinsic {
                    file: self.file.to_owned(),
                    path: path.to_owned(),
                    name: n.to_owned(),
                });
            }
        })
    }
}

fn join_key(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

/// The names a template defines, for checking what its values use.
struct Names<'t> {
    resources: BTreeSet<&'t str>,
    parameters: BTreeSet<&'t str>,
    conditions: BTreeSet<&'t str>,
    mappings: BTreeSet<&'t str>,
}

impl<'t> Names<'t> {
    fn new(t: &'t Template) -> Self {
        Names {
            resources: t.resources.keys().map(String::as_str).collect(),
            parameters: t.parameters.keys().map(String::as_str).collect(),
            conditions: t.conditions.keys().map(String::as_str).collect(),
            mappings: t.mappings.keys().map(String::as_str).collect(),
        }
    }

    fn check(&self, file: &str, t: &Template) -> Result<(), Error> {
        let dangling = |path: &str, kind: &'static str, target: &str| Error::Dangling {
            file: file.to_owned(),
            path: path.to_owned(),
            kind,
            target: target.to_owned(),
        };
        for (id, p) in &t.parameters {
            if self.resources.contains(id.as_str()) {
                return Err(Error::Invalid {
                    file: file.to_owned(),
                    path: format!("Parameters.{id}"),
                    message: "a resource has the same logical id".into(),
                });
            }
            if let Some(d) = &p.default {
                self.value(file, &format!("Parameters.{id}.Default"), d)?;
            }
        }
        for (name, c) in &t.conditions {
            self.value(file, &format!("Conditions.{name}"), c)?;
        }
        for (id, r) in &t.resources {
            let path = format!("Resources.{id}");
            for (name, v) in &r.properties {
                self.value(file, &format!("{path}.Properties.{name}"), v)?;
            }
            for (attribute, v) in [
                ("Metadata", &r.metadata),
                ("CreationPolicy", &r.creation_policy),
                ("UpdatePolicy", &r.update_policy),
            ] {
                if let Some(v) = v {
                    self.value(file, &format!("{path}.{attribute}"), v)?;
                }
            }
            for d in &r.depends_on {
                if !self.resources.contains(d.as_str()) {
                    return Err(dangling(&format!("{path}.DependsOn"), "resource", d));
                }
                if d == id {
                    return Err(Error::Invalid {
                        file: file.to_owned(),
                        path: format!("{path}.DependsOn"),
                        message: "a resource cannot depend on itself".into(),
                    });
                }
            }
            if let Some(c) = &r.condition
                && !self.conditions.contains(c.as_str())
            {
                return Err(dangling(&format!("{path}.Condition"), "condition", c));
            }
        }
        for (id, o) in &t.outputs {
            let path = format!("Outputs.{id}");
            self.value(file, &format!("{path}.Value"), &o.value)?;
            if let Some(e) = &o.export_name {
                self.value(file, &format!("{path}.Export.Name"), e)?;
            }
            if let Some(c) = &o.condition
                && !self.conditions.contains(c.as_str())
            {
                return Err(dangling(&format!("{path}.Condition"), "condition", c));
            }
        }
        Ok(())
    }

    /// Checks every name `v` uses; errors name `path` (the value's place).
    fn value(&self, file: &str, path: &str, v: &Expr) -> Result<(), Error> {
        let mut err = None;
        v.visit(&mut |e| {
            if err.is_some() {
                return;
            }
            let missing = |kind: &'static str, target: &str| {
                Some(Error::Dangling {
                    file: file.to_owned(),
                    path: path.to_owned(),
                    kind,
                    target: target.to_owned(),
                })
            };
            match e {
                Expr::Ref(id)
                    if !self.resources.contains(id.as_str())
                        && !self.parameters.contains(id.as_str()) =>
                {
                    err = missing("resource or parameter", id);
                }
                Expr::GetAtt(id, _) if !self.resources.contains(id.as_str()) => {
                    err = missing("resource", id);
                }
                Expr::If(c, ..) | Expr::Condition(c) if !self.conditions.contains(c.as_str()) => {
                    err = missing("condition", c);
                }
                Expr::FindInMap(m, ..) => {
                    if let Expr::String(name) = &**m
                        && !self.mappings.contains(name.as_str())
                    {
                        err = missing("mapping", name);
                    }
                }
                Expr::Sub(template, vars) => match sub_names(template) {
                    Err(offset) => {
                        err = Some(Error::Invalid {
                            file: file.to_owned(),
                            path: path.to_owned(),
                            message: format!("Fn::Sub: an unterminated `${{` at byte {offset}"),
                        });
                    }
                    Ok(names) => {
                        for (name, attr) in names {
                            if vars.contains_key(name) {
                                continue;
                            }
                            let known = if name.starts_with("AWS::") {
                                attr.is_none() && PSEUDO.iter().any(|(n, _)| *n == name)
                            } else if attr.is_some() {
                                self.resources.contains(name)
                            } else {
                                self.resources.contains(name) || self.parameters.contains(name)
                            };
                            if !known {
                                let target =
                                    attr.map_or_else(|| name.to_owned(), |a| format!("{name}.{a}"));
                                err = missing("Fn::Sub placeholder", &target);
                                return;
                            }
                        }
                    }
                },
                _ => {}
            }
        });
        err.map_or(Ok(()), Err)
    }
}

/// The `${name}` / `${name.attribute}` placeholders of an `Fn::Sub` template (`${!x}`
/// escapes skipped), or the byte offset of an unterminated one.
pub fn sub_names(template: &str) -> Result<Vec<(&str, Option<&str>)>, usize> {
    let mut out = Vec::new();
    let mut rest = template;
    let mut offset = 0;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err(offset + start);
        };
        let inner = &after[..end];
        if !inner.starts_with('!') {
            let inner = inner.trim();
            out.push(match inner.split_once('.') {
                Some((n, a)) => (n, Some(a)),
                None => (inner, None),
            });
        }
        let consumed = start + 2 + end + 1;
        offset += consumed;
        rest = &rest[consumed..];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(t: Json) -> Result<Template, Error> {
        from_json("t.json", &t)
    }

    fn queue(props: Json) -> Json {
        json!({"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": props}}})
    }

    #[test]
    fn intrinsics_are_recognized_in_every_form() {
        let t = read(json!({
            "Parameters": {"Env": {"Type": "String"}},
            "Conditions": {"C": {"Fn::Not": [{"Condition": "D"}]}, "D": {"Fn::Equals": [{"Ref": "Env"}, "x"]}},
            "Resources": {
                "A": {"Type": "AWS::SNS::Topic"},
                "Q": {"Type": "AWS::SQS::Queue", "Properties": {
                    "A": {"Fn::GetAtt": "A.TopicName"},
                    "B": {"Fn::Sub": ["${X}-${A.TopicName}-${AWS::Region}", {"X": {"Ref": "Env"}}]},
                    "C": {"Fn::If": ["C", {"Ref": "AWS::NoValue"}, 1]},
                    "D": {"Fn::Join": [",", {"Ref": "Env"}]}
                }}
            }
        }))
        .unwrap();
        let p = &t.resources["Q"].properties;
        assert_eq!(p["A"], Expr::GetAtt("A".into(), "TopicName".into()));
        assert!(matches!(&p["B"], Expr::Sub(_, vars) if vars["X"] == Expr::Ref("Env".into())));
        assert!(matches!(&p["C"], Expr::If(c, t, _) if c == "C" && **t == Expr::Pseudo("NoValue")));
        assert!(
            p["D"]
                .untyped_reason()
                .is_some_and(|r| r.starts_with("Fn::Join"))
        );
        assert_eq!(
            t.conditions["C"],
            Expr::Not(Box::new(Expr::Condition("D".into())))
        );
    }

    #[test]
    fn malformed_templates_are_errors_naming_the_place() {
        let unknown = read(queue(json!({"QueueName": {"Fn::Nope": 1}}))).unwrap_err();
        assert!(
            matches!(&unknown, Error::UnknownIntrinsic { path, name, .. } if path == "Resources.Q.Properties.QueueName.Fn::Nope" && name == "Fn::Nope"),
            "{unknown}"
        );
        for (t, kind, target) in [
            (
                queue(json!({"QueueName": {"Ref": "Gone"}})),
                "resource or parameter",
                "Gone",
            ),
            (
                queue(json!({"QueueName": {"Fn::GetAtt": ["Gone", "Arn"]}})),
                "resource",
                "Gone",
            ),
            (
                queue(json!({"QueueName": {"Fn::Sub": "${Gone}"}})),
                "Fn::Sub placeholder",
                "Gone",
            ),
            (
                queue(json!({"QueueName": {"Fn::If": ["Gone", "a", "b"]}})),
                "condition",
                "Gone",
            ),
            (
                queue(json!({"QueueName": {"Fn::FindInMap": ["Gone", "a", "b"]}})),
                "mapping",
                "Gone",
            ),
            (
                queue(json!({"QueueName": {"Ref": "AWS::Nope"}})),
                "pseudo parameter",
                "AWS::Nope",
            ),
        ] {
            let e = read(t).unwrap_err();
            assert!(
                matches!(&e, Error::Dangling { kind: k, target: t, .. } if *k == kind && t == target),
                "{e}"
            );
        }
        let e =
            read(json!({"Transform": "AWS::Serverless-2016-10-31", "Resources": {}})).unwrap_err();
        assert!(
            matches!(e, Error::Unsupported { ref path, .. } if path == "Transform"),
            "{e}"
        );
        let e = read(json!({"Resources": {"Q": {"Type": "AWS::SQS::Queue", "UpdatePolicy": {"Ref": "Gone"}}}}))
            .unwrap_err();
        assert!(
            matches!(e, Error::Dangling { ref path, .. } if path == "Resources.Q.UpdatePolicy"),
            "{e}"
        );
        let e = read(
            json!({"Resources": {"Q": {"Type": "AWS::SQS::Queue", "DeletionPolicy": "Keep"}}}),
        )
        .unwrap_err();
        assert!(
            matches!(e, Error::Invalid { ref path, .. } if path == "Resources.Q.DeletionPolicy"),
            "{e}"
        );
        let e = read(json!({"Resources": {"Bad-Id": {"Type": "AWS::SQS::Queue"}}})).unwrap_err();
        assert!(
            matches!(e, Error::Invalid { ref path, .. } if path == "Resources.Bad-Id"),
            "{e}"
        );
        let e = read(queue(json!({"QueueName": {"Fn::Select": [0]}}))).unwrap_err();
        assert!(
            e.to_string().contains("Fn::Select takes [index, list]"),
            "{e}"
        );
    }
}
