//! Reading a CloudFormation template: its resources by logical id, and the intrinsic functions
//! as CloudFormation writes them (`{"Ref": ..}`, `{"Fn::GetAtt": [..]}`, `{"Fn::Sub": ..}`,
//! `{"Fn::Join": ..}`, `{"Fn::ImportValue": ..}`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::Error;

/// One resource of the template.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Resource<'a> {
    /// Logical id.
    pub id: &'a str,
    /// `Type`.
    pub ty: &'a str,
    /// `Properties` (`Null` when absent).
    pub props: &'a Value,
    /// `Metadata`, if any.
    pub metadata: Option<&'a Value>,
}

impl<'a> Resource<'a> {
    /// A property (`Null` when absent).
    pub fn prop(&self, name: &str) -> &'a Value {
        self.props.get(name).unwrap_or(&Value::Null)
    }
}

/// A parsed template: resources by logical id and the names of its parameters.
#[derive(Debug)]
pub(crate) struct Template<'a> {
    pub resources: BTreeMap<&'a str, Resource<'a>>,
    pub parameters: BTreeSet<&'a str>,
    /// The template-level `Transform`, shown as text.
    pub transform: Option<String>,
    /// `Fn::ForEach::...` entries of `Resources` (expanded by a transform, not analyzed).
    pub for_each: Vec<&'a str>,
}

static NULL: Value = Value::Null;

impl<'a> Template<'a> {
    /// Indexes a template. Fails only if it is not a template at all.
    pub fn parse(root: &'a Value) -> Result<Self, Error> {
        let Some(obj) = root.as_object() else {
            return Err(Error::NotATemplate(
                "the document is not a JSON object".into(),
            ));
        };
        let Some(resources) = obj.get("Resources") else {
            return Err(Error::NotATemplate("it has no `Resources` section".into()));
        };
        let Some(resources) = resources.as_object() else {
            return Err(Error::NotATemplate("`Resources` is not an object".into()));
        };
        let mut out = BTreeMap::new();
        let mut for_each = Vec::new();
        for (id, body) in resources {
            if id.starts_with("Fn::ForEach") {
                for_each.push(id.as_str());
                continue;
            }
            let Some(body) = body.as_object() else {
                return Err(Error::InvalidResource {
                    resource: id.clone(),
                    message: "the resource is not an object".into(),
                });
            };
            let Some(ty) = body.get("Type").and_then(Value::as_str) else {
                return Err(Error::InvalidResource {
                    resource: id.clone(),
                    message: "the resource has no string `Type`".into(),
                });
            };
            out.insert(
                id.as_str(),
                Resource {
                    id: id.as_str(),
                    ty,
                    props: body.get("Properties").unwrap_or(&NULL),
                    metadata: body.get("Metadata"),
                },
            );
        }
        let parameters = obj
            .get("Parameters")
            .and_then(Value::as_object)
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        Ok(Template {
            resources: out,
            parameters,
            transform: obj.get("Transform").map(display),
            for_each,
        })
    }

    /// All resources of one type, in logical id order.
    pub fn of_type<'s>(&'s self, ty: &'s str) -> impl Iterator<Item = &'s Resource<'a>> + 's {
        self.resources.values().filter(move |r| r.ty == ty)
    }

    /// The resource a value points at with `Ref` or `Fn::GetAtt`, if it is one of `types`.
    pub fn target(&self, v: &Value, types: &[&str]) -> Option<&Resource<'a>> {
        let id = ref_name(v).or_else(|| get_att(v).map(|(id, _)| id))?;
        self.resources.get(id).filter(|r| types.contains(&r.ty))
    }

    /// The first resource of one of `types` that a value references anywhere inside it
    /// (`Ref`, `Fn::GetAtt`, `${..}` in `Fn::Sub`).
    pub fn referenced(&self, v: &Value, types: &[&str]) -> Option<&Resource<'a>> {
        references(v).into_iter().find_map(|id| {
            self.resources
                .get(id.as_str())
                .filter(|r| types.contains(&r.ty))
        })
    }

    /// How to show a value that names a resource: the logical id for a `Ref`/`Fn::GetAtt`,
    /// the text for a literal, a short rendering otherwise.
    pub fn name_of(&self, v: &Value) -> String {
        if let Some(id) = ref_name(v).or_else(|| get_att(v).map(|(id, _)| id)) {
            return id.to_owned();
        }
        display(v)
    }
}

/// `{"Ref": "X"}` gives `X`.
pub(crate) fn ref_name(v: &Value) -> Option<&str> {
    let o = v.as_object()?;
    if o.len() != 1 {
        return None;
    }
    o.get("Ref")?.as_str()
}

/// `{"Fn::GetAtt": ["X", "Attr"]}` or `{"Fn::GetAtt": "X.Attr"}` gives `(X, Attr)`.
pub(crate) fn get_att(v: &Value) -> Option<(&str, &str)> {
    let o = v.as_object()?;
    if o.len() != 1 {
        return None;
    }
    match o.get("Fn::GetAtt")? {
        Value::Array(a) if a.len() == 2 => Some((a[0].as_str()?, a[1].as_str()?)),
        Value::String(s) => s.split_once('.'),
        _ => None,
    }
}

/// A literal string (not an intrinsic).
pub(crate) fn literal_str(v: &Value) -> Option<&str> {
    v.as_str()
}

/// A literal port or number: a JSON number or a numeric string.
pub(crate) fn literal_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A literal port (0..=65535).
pub(crate) fn literal_port(v: &Value) -> Option<u16> {
    literal_int(v).and_then(|n| u16::try_from(n).ok())
}

/// A literal boolean: `true` or `"true"` (any case).
pub(crate) fn literal_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Every logical id (or parameter, or pseudo parameter) a value references: `Ref`, `Fn::GetAtt`,
/// and `${X}` / `${X.Attr}` inside `Fn::Sub` (not the Sub's own variables, not `${!literal}`).
pub(crate) fn references(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect_refs(v, &mut out);
    out
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        Value::Object(o) => {
            if let Some(id) = ref_name(v) {
                out.push(id.to_owned());
                return;
            }
            if let Some((id, _)) = get_att(v) {
                out.push(id.to_owned());
                return;
            }
            if o.len() == 1
                && let Some(sub) = o.get("Fn::Sub")
            {
                let (text, vars) = match sub {
                    Value::String(s) => (Some(s.as_str()), None),
                    Value::Array(a) => (a.first().and_then(Value::as_str), a.get(1)),
                    _ => (None, None),
                };
                let local: BTreeSet<&str> = vars
                    .and_then(Value::as_object)
                    .map(|m| m.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                if let Some(text) = text {
                    for name in sub_placeholders(text) {
                        let id = name.split('.').next().unwrap_or(name);
                        if !local.contains(name) && !local.contains(id) {
                            out.push(id.to_owned());
                        }
                    }
                }
                if let Some(vars) = vars {
                    collect_refs(vars, out);
                }
                return;
            }
            o.values().for_each(|x| collect_refs(x, out));
        }
        _ => {}
    }
}

/// The `${...}` placeholders of a `Fn::Sub` string, without `${!literal}` escapes.
pub(crate) fn sub_placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let name = after[..end].trim();
        if !name.starts_with('!') && !name.is_empty() {
            out.push(name);
        }
        rest = &after[end + 1..];
    }
    out
}

/// A value rendered as a string template: literals as they are, `Fn::Sub` as its text,
/// `Fn::Join` joined, anything that is not known until deploy time as `${...}`.
/// `http://${LoadBalancer.DNSName}:80/path` for a URI built with `Fn::Join` or `Fn::Sub`.
pub(crate) fn render(v: &Value) -> String {
    if let Some(s) = v.as_str() {
        return s.to_owned();
    }
    if let Value::Number(n) = v {
        return n.to_string();
    }
    if let Some(id) = ref_name(v) {
        return format!("${{{id}}}");
    }
    if let Some((id, att)) = get_att(v) {
        return format!("${{{id}.{att}}}");
    }
    if let Some(o) = v.as_object()
        && o.len() == 1
    {
        if let Some(sub) = o.get("Fn::Sub") {
            match sub {
                Value::String(s) => return s.clone(),
                Value::Array(a) => {
                    let Some(text) = a.first().and_then(Value::as_str) else {
                        return display(v);
                    };
                    let mut text = text.to_owned();
                    if let Some(vars) = a.get(1).and_then(Value::as_object) {
                        for (k, val) in vars {
                            let r = render(val);
                            text = text.replace(&format!("${{{k}}}"), &r);
                        }
                    }
                    return text;
                }
                _ => return display(v),
            }
        }
        if let Some(Value::Array(a)) = o.get("Fn::Join")
            && let [sep, Value::Array(parts)] = a.as_slice()
            && let Some(sep) = sep.as_str()
        {
            return parts.iter().map(render).collect::<Vec<_>>().join(sep);
        }
        if let Some(name) = o.get("Fn::ImportValue") {
            return format!("${{ImportValue:{}}}", render(name));
        }
    }
    format!("${{{}}}", display(v))
}

/// A short human rendering of any value: a literal as its text, `Ref X`, `X.Attr`,
/// `ImportValue(..)`, otherwise compact JSON.
pub(crate) fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "(absent)".into(),
        _ => {
            if let Some(id) = ref_name(v) {
                return format!("Ref {id}");
            }
            if let Some((id, att)) = get_att(v) {
                return format!("{id}.{att}");
            }
            if let Some(name) = v.get("Fn::ImportValue") {
                return format!("ImportValue({})", render(name));
            }
            if v.get("Fn::Sub").is_some() || v.get("Fn::Join").is_some() {
                return render(v);
            }
            serde_json::to_string(v).unwrap_or_else(|_| "(unprintable)".into())
        }
    }
}

/// The items of a list property that is a literal list (empty otherwise).
pub(crate) fn items(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_cover_sub_and_getatt() {
        let v = json!({"Fn::Sub": ["http://${Lb.DNSName}:${Port}/${!x}/${Local}", {"Local": {"Ref": "Other"}}]});
        assert_eq!(references(&v), vec!["Lb", "Port", "Other"]);
        assert_eq!(references(&json!({"Fn::GetAtt": "A.Arn"})), vec!["A"]);
    }

    #[test]
    fn render_join_and_sub() {
        let v = json!({"Fn::Join": ["", ["http://", {"Fn::GetAtt": ["Lb", "DNSName"]}, "/{p}"]]});
        assert_eq!(render(&v), "http://${Lb.DNSName}/{p}");
        let v = json!({"Fn::Sub": ["http://${D}:8080/", {"D": "example.com"}]});
        assert_eq!(render(&v), "http://example.com:8080/");
    }
}
