//! CloudFormation values: literals, intrinsic functions and pseudo parameters.
//!
//! [`Value`] is the untyped tree every property ends up as. It serializes to exactly the JSON
//! CloudFormation expects (`{"Ref": ..}`, `{"Fn::GetAtt": [..]}`, ...). References carry the
//! stack they point into, so synthesis can turn a reference across stacks into an
//! export/import pair.
//!
//! The typed wrappers [`Str`], [`Int`], [`Num`], [`Bool`], [`List`] and [`Json`] are what
//! generated resource properties accept: each admits its literal type or any intrinsic
//! [`Value`], and nothing else, so `true` where a string belongs does not compile.
//!
//! They are also what generated attribute getters return (`role.arn()` is a [`Str`],
//! `subnet.ipv6_cidr_blocks()` a `List<Str>`), and one wrapper does not convert into another:
//! a string attribute where an integer belongs does not compile. The only conversions
//! between them are the ones CloudFormation makes: an [`Int`] is a [`Num`]. A [`Value`] is
//! untyped (an intrinsic written by hand: `Value::r#ref`, `Value::sub`, `Value::import_value`,
//! a parameter's reference) and converts into every wrapper; every wrapper converts into a
//! [`Value`] (`Value::from(role.arn())`) to be combined with others (`Value::join`, ...).
//!
//! ```
//! use cloudwright_core::{Int, List, Num, Str, Value};
//! fn timeout(t: impl Into<Int>) -> Int { t.into() }
//! let arn = Str(Value::get_att("Role", "Arn"));
//! timeout(30);
//! timeout(Value::r#ref("TimeoutParameter")); // an intrinsic goes anywhere
//! let _: Num = Int::from(5).into();
//! let _: Value = arn.into();
//! let _: Value = List::<Str>::Expr(Value::get_azs()).into();
//! ```
//!
//! ```compile_fail,E0277
//! use cloudwright_core::{Int, Str, Value};
//! fn timeout(t: impl Into<Int>) -> Int { t.into() }
//! let arn = Str(Value::get_att("Role", "Arn"));
//! timeout(arn); // a string is not an integer
//! ```
//!
//! ```
//! use cloudwright_core::{Pseudo, Value};
//!
//! let url = Value::sub("https://${Api}.execute-api.${AWS::Region}.amazonaws.com/v1");
//! let json = serde_json::to_string(&url).unwrap();
//! assert_eq!(json, r#"{"Fn::Sub":"https://${Api}.execute-api.${AWS::Region}.amazonaws.com/v1"}"#);
//! assert_eq!(serde_json::to_string(&Value::from(Pseudo::Region)).unwrap(), r#"{"Ref":"AWS::Region"}"#);
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

pub use crate::map::Map;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// A reference target: a logical id, optionally qualified with the stack it lives in.
///
/// References made through a [`Handle`](crate::Handle) are always qualified; references
/// written by hand (`Value::r#ref("X")`) are local to the stack they are used in.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference {
    /// The stack (by construct id) the target lives in; `None` means "the stack it is used in".
    pub stack: Option<Arc<str>>,
    /// The logical id of the target resource or parameter.
    pub logical_id: String,
}

impl Reference {
    /// A reference to `logical_id` in the stack where it is used.
    pub fn local(logical_id: impl Into<String>) -> Self {
        Reference {
            stack: None,
            logical_id: logical_id.into(),
        }
    }
}

/// CloudFormation's pseudo parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pseudo {
    /// `AWS::AccountId`
    AccountId,
    /// `AWS::NotificationARNs`
    NotificationArns,
    /// `AWS::NoValue`: removes the property it is assigned to.
    NoValue,
    /// `AWS::Partition`
    Partition,
    /// `AWS::Region`
    Region,
    /// `AWS::StackId`
    StackId,
    /// `AWS::StackName`
    StackName,
    /// `AWS::URLSuffix`
    UrlSuffix,
}

impl Pseudo {
    /// Every pseudo parameter.
    pub const ALL: [Pseudo; 8] = [
        Pseudo::AccountId,
        Pseudo::NotificationArns,
        Pseudo::NoValue,
        Pseudo::Partition,
        Pseudo::Region,
        Pseudo::StackId,
        Pseudo::StackName,
        Pseudo::UrlSuffix,
    ];

    /// The name CloudFormation uses, e.g. `AWS::Region`.
    pub fn name(self) -> &'static str {
        match self {
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::NotificationArns => "AWS::NotificationARNs",
            Pseudo::NoValue => "AWS::NoValue",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::Region => "AWS::Region",
            Pseudo::StackId => "AWS::StackId",
            Pseudo::StackName => "AWS::StackName",
            Pseudo::UrlSuffix => "AWS::URLSuffix",
        }
    }

    /// The pseudo parameter with this name, if any.
    pub fn from_name(name: &str) -> Option<Pseudo> {
        Pseudo::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// `a.cmp(b)`: the order a [`Map`]'s keys and a template's logical ids are written in, compared
/// in place, eight bytes at a time, without the call into the C library that `str::cmp`
/// makes. Names are short and most differ early, where that call is most of the cost.
///
/// ```
/// use std::cmp::Ordering;
/// use cloudwright_core::value::name_cmp;
/// assert_eq!(name_cmp("SecurityGroupEgress", "SecurityGroupIngress"), Ordering::Less);
/// assert_eq!(name_cmp("Group10", "Group1"), Ordering::Greater);
/// assert_eq!(name_cmp("Tags", "Tags"), Ordering::Equal);
/// ```
#[inline]
pub fn name_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut i = 0;
    // whole words while both have one: big-endian, so that the first differing byte decides
    while let (Some(x), Some(y)) = (a.get(i..i + 8), b.get(i..i + 8)) {
        let (Ok(x), Ok(y)) = (<[u8; 8]>::try_from(x), <[u8; 8]>::try_from(y)) else {
            break;
        };
        let (x, y) = (u64::from_be_bytes(x), u64::from_be_bytes(y));
        if x != y {
            return x.cmp(&y);
        }
        i += 8;
    }
    let (a, b) = (
        a.get(i..).unwrap_or_default(),
        b.get(i..).unwrap_or_default(),
    );
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

/// A CloudFormation value: a literal or an intrinsic function.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// JSON `null`.
    Null,
    /// A string literal.
    String(String),
    /// A number literal.
    Number(serde_json::Number),
    /// A boolean literal.
    Bool(bool),
    /// A list.
    List(Vec<Value>),
    /// A map; keys are written in sorted order. A key is borrowed when it is known when
    /// the program is written (`"Tags".into()`), owned otherwise (`name.to_owned().into()`).
    Map(Map),
    /// `{"Ref": logical id}` of a resource or parameter.
    Ref(Reference),
    /// `{"Ref": "AWS::..."}`.
    Pseudo(Pseudo),
    /// `{"Fn::GetAtt": [logical id, attribute]}`.
    GetAtt(Reference, String),
    /// `{"Fn::Sub": template}` or `{"Fn::Sub": [template, variables]}`.
    Sub(String, BTreeMap<String, Value>),
    /// `{"Fn::Join": [delimiter, values]}`.
    Join(String, Vec<Value>),
    /// `{"Fn::Select": [index, list]}`.
    Select(Box<Value>, Box<Value>),
    /// `{"Fn::GetAZs": region}` (`""` means the stack's region).
    GetAzs(Box<Value>),
    /// `{"Fn::Split": [delimiter, source]}`.
    Split(String, Box<Value>),
    /// `{"Fn::ImportValue": export name}`.
    ImportValue(Box<Value>),
    /// `{"Fn::If": [condition, when true, when false]}`.
    If(String, Box<Value>, Box<Value>),
    /// `{"Fn::Base64": value}`.
    Base64(Box<Value>),
    /// `{"Fn::Cidr": [ip block, count, cidr bits]}`.
    Cidr(Box<Value>, Box<Value>, Box<Value>),
    /// `{"Fn::FindInMap": [map, top-level key, second-level key]}`.
    FindInMap(Box<Value>, Box<Value>, Box<Value>),
    /// `{"Fn::Equals": [a, b]}` (conditions).
    Equals(Box<Value>, Box<Value>),
    /// `{"Fn::And": [..]}` (conditions).
    And(Vec<Value>),
    /// `{"Fn::Or": [..]}` (conditions).
    Or(Vec<Value>),
    /// `{"Fn::Not": [condition]}` (conditions).
    Not(Box<Value>),
    /// `{"Condition": name}`: a reference to a named condition inside another condition.
    Condition(String),
}

impl Value {
    /// `{"Ref": logical_id}` to a resource or parameter of the stack it is used in.
    pub fn r#ref(logical_id: impl Into<String>) -> Value {
        Value::Ref(Reference::local(logical_id))
    }

    /// `{"Fn::GetAtt": [logical_id, attribute]}` in the stack it is used in.
    pub fn get_att(logical_id: impl Into<String>, attribute: impl Into<String>) -> Value {
        Value::GetAtt(Reference::local(logical_id), attribute.into())
    }

    /// `{"Fn::Sub": template}`: `${LogicalId}`, `${LogicalId.Attribute}` and
    /// `${AWS::Region}`-style placeholders, checked at synthesis.
    pub fn sub(template: impl Into<String>) -> Value {
        Value::Sub(template.into(), BTreeMap::new())
    }

    /// `{"Fn::Sub": [template, variables]}`: placeholders named in `variables` take their
    /// values (which may be references into other stacks).
    pub fn sub_with<K: Into<String>, V: Into<Value>>(
        template: impl Into<String>,
        variables: impl IntoIterator<Item = (K, V)>,
    ) -> Value {
        Value::Sub(
            template.into(),
            variables
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// `{"Fn::Join": [delimiter, values]}`.
    pub fn join<V: Into<Value>>(
        delimiter: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Value {
        Value::Join(
            delimiter.into(),
            values.into_iter().map(Into::into).collect(),
        )
    }

    /// `{"Fn::Select": [index, list]}`.
    pub fn select(index: impl Into<Value>, list: impl Into<Value>) -> Value {
        Value::Select(Box::new(index.into()), Box::new(list.into()))
    }

    /// `{"Fn::GetAZs": ""}`: the availability zones of the stack's region.
    pub fn get_azs() -> Value {
        Value::GetAzs(Box::new(Value::String(String::new())))
    }

    /// `{"Fn::Select": [index, {"Fn::GetAZs": ""}]}`: the n-th availability zone of the region.
    pub fn az(index: usize) -> Value {
        Value::select(index as u64, Value::get_azs())
    }

    /// `{"Fn::Split": [delimiter, source]}`.
    pub fn split(delimiter: impl Into<String>, source: impl Into<Value>) -> Value {
        Value::Split(delimiter.into(), Box::new(source.into()))
    }

    /// `{"Fn::ImportValue": name}`.
    pub fn import_value(name: impl Into<Value>) -> Value {
        Value::ImportValue(Box::new(name.into()))
    }

    /// `{"Fn::If": [condition, when_true, when_false]}`.
    pub fn if_(
        condition: impl Into<String>,
        when_true: impl Into<Value>,
        when_false: impl Into<Value>,
    ) -> Value {
        Value::If(
            condition.into(),
            Box::new(when_true.into()),
            Box::new(when_false.into()),
        )
    }

    /// `{"Fn::Base64": value}`.
    pub fn base64(value: impl Into<Value>) -> Value {
        Value::Base64(Box::new(value.into()))
    }

    /// `{"Fn::Cidr": [block, count, cidr_bits]}`.
    pub fn cidr(block: impl Into<Value>, count: impl Into<Value>, bits: impl Into<Value>) -> Value {
        Value::Cidr(
            Box::new(block.into()),
            Box::new(count.into()),
            Box::new(bits.into()),
        )
    }

    /// `{"Fn::FindInMap": [map, top_key, second_key]}`.
    pub fn find_in_map(
        map: impl Into<Value>,
        top_key: impl Into<Value>,
        second_key: impl Into<Value>,
    ) -> Value {
        Value::FindInMap(
            Box::new(map.into()),
            Box::new(top_key.into()),
            Box::new(second_key.into()),
        )
    }

    /// `{"Fn::Equals": [a, b]}`.
    pub fn equals(a: impl Into<Value>, b: impl Into<Value>) -> Value {
        Value::Equals(Box::new(a.into()), Box::new(b.into()))
    }

    /// `{"Fn::Not": [condition]}`.
    pub fn not(condition: impl Into<Value>) -> Value {
        Value::Not(Box::new(condition.into()))
    }

    /// A map literal from key/value pairs. A key is a string literal (kept as it is, no
    /// allocation) or an owned `String`; a key borrowed from somewhere else is given owned
    /// (`name.to_owned()`). A key given twice keeps its last value. See [`Map`] to build one
    /// step by step.
    ///
    /// ```
    /// use cloudwright_core::Value;
    ///
    /// let tag = Value::map([("Key", "team"), ("Value", "payments")]);
    /// let name: &str = "BuildId";
    /// let settings = Value::map([(name.to_owned(), Value::from(7)), ("Tag".to_owned(), tag)]);
    /// let Value::Map(m) = &settings else { unreachable!() };
    /// assert_eq!(m.get("BuildId"), Some(&Value::from(7)));
    /// assert_eq!(m.len(), 2);
    /// ```
    pub fn map<K: Into<Cow<'static, str>>, V: Into<Value>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Value {
        Value::Map(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// A list literal.
    pub fn list<V: Into<Value>>(items: impl IntoIterator<Item = V>) -> Value {
        Value::List(items.into_iter().map(Into::into).collect())
    }

    /// The string literal inside, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this is a literal (contains no intrinsic function anywhere inside).
    pub fn is_literal(&self) -> bool {
        match self {
            Value::Null | Value::String(_) | Value::Number(_) | Value::Bool(_) => true,
            Value::List(items) => items.iter().all(Value::is_literal),
            Value::Map(m) => m.values().all(Value::is_literal),
            _ => false,
        }
    }

    /// Converts JSON into a value. Literals stay literals; every intrinsic function written as
    /// data (an object whose only key is `Ref` or `Fn::...`, and `{"Condition": name}` inside
    /// `Fn::And`/`Fn::Or`/`Fn::Not`) becomes its typed form, so synthesis sees it as the
    /// reference it is: a dependency edge, a dangling-reference check, a cross-stack
    /// export/import:
    ///
    /// ```
    /// use cloudwright_core::Value;
    /// let v = Value::from_json(&serde_json::json!({"Resource": {"Fn::GetAtt": "Table.Arn"}}));
    /// assert_eq!(v, Value::map([("Resource", Value::get_att("Table", "Arn"))]));
    /// ```
    ///
    /// An intrinsic without a typed form stays a one-key map. Synthesis writes it as it is
    /// where CloudFormation honours it so (`Fn::Join` over a list parameter, `Fn::GetAtt` of
    /// an attribute a function names, `Fn::Transform`), with the references inside checked,
    /// and refuses the others ([`Error::IntrinsicAsData`](crate::Error::IntrinsicAsData):
    /// malformed, `{"Ref": 5}`, or a function CloudFormation would refuse here) naming the
    /// property path and the typed form to write instead. An object with `Ref` beside other
    /// keys is data.
    pub fn from_json(json: &serde_json::Value) -> Value {
        Value::read_json(json, false)
    }

    /// [`Value::from_json`]; `condition` when `json` is an argument of `Fn::And`, `Fn::Or` or
    /// `Fn::Not`, where `{"Condition": name}` names a condition.
    fn read_json(json: &serde_json::Value, condition: bool) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.clone()),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(a) => {
                Value::List(a.iter().map(|v| Value::read_json(v, condition)).collect())
            }
            serde_json::Value::Object(o) => {
                if o.len() == 1
                    && let Some((key, arg)) = o.iter().next()
                {
                    if condition
                        && key == "Condition"
                        && let serde_json::Value::String(name) = arg
                    {
                        return Value::Condition(name.clone());
                    }
                    if is_intrinsic_key(key) {
                        let in_condition = matches!(key.as_str(), "Fn::And" | "Fn::Or" | "Fn::Not");
                        let arg = Value::read_json(arg, in_condition);
                        return match intrinsic(key, &arg) {
                            Ok(v) => v,
                            Err(_) => Value::Map(Map::from([(Cow::Owned(key.clone()), arg)])),
                        };
                    }
                }
                Value::Map(
                    o.iter()
                        .map(|(k, v)| (Cow::Owned(k.clone()), Value::read_json(v, false)))
                        .collect(),
                )
            }
        }
    }

    /// Calls `f` with each value directly inside this one and the path segment that leads
    /// to it (`[0]`, `.Key`, `{Fn::Sub $Var}`, or nothing for single-argument functions).
    fn for_each_child<'a>(&'a self, f: &mut dyn FnMut(Segment<'a>, &'a Value)) {
        match self {
            Value::Null
            | Value::String(_)
            | Value::Number(_)
            | Value::Bool(_)
            | Value::Ref(_)
            | Value::Pseudo(_)
            | Value::GetAtt(..)
            | Value::Condition(_) => {}
            Value::List(items) | Value::Join(_, items) | Value::And(items) | Value::Or(items) => {
                for (i, v) in items.iter().enumerate() {
                    f(Segment::Index(i), v);
                }
            }
            Value::Map(m) => m.iter().for_each(|(k, v)| f(Segment::Key(k), v)),
            Value::Sub(_, vars) => vars.iter().for_each(|(k, v)| f(Segment::SubVar(k), v)),
            Value::Select(a, b) | Value::Equals(a, b) | Value::If(_, a, b) => {
                f(Segment::Index(0), a);
                f(Segment::Index(1), b);
            }
            Value::Cidr(a, b, c) | Value::FindInMap(a, b, c) => {
                f(Segment::Index(0), a);
                f(Segment::Index(1), b);
                f(Segment::Index(2), c);
            }
            Value::GetAzs(a)
            | Value::Split(_, a)
            | Value::ImportValue(a)
            | Value::Base64(a)
            | Value::Not(a) => f(Segment::Argument, a),
        }
    }

    /// Visits this value and every value nested inside it, depth first, with the property
    /// path of each (`Tags[0].Key`).
    pub fn walk<'a>(&'a self, path: &mut String, f: &mut dyn FnMut(&str, &'a Value)) {
        f(path, self);
        let len = path.len();
        self.for_each_child(&mut |seg, v| {
            seg.push_to(path, len == 0);
            v.walk(path, f);
            path.truncate(len);
        });
    }

    /// Like [`Value::walk`], but the path is kept as the segments that lead to each value
    /// (below `self`), written out only where wanted, with [`path_text`].
    /// `f` is called directly (not through a `dyn`), and maps, lists and literals, most of a
    /// template, are walked here rather than through [`for_each_child`](Self::for_each_child).
    pub(crate) fn walk_segments<'a, F: FnMut(&[Segment<'a>], &'a Value)>(
        &'a self,
        segments: &mut Vec<Segment<'a>>,
        f: &mut F,
    ) {
        f(segments, self);
        match self {
            Value::Null | Value::String(_) | Value::Number(_) | Value::Bool(_) => {}
            Value::Map(m) => {
                for (k, v) in m {
                    segments.push(Segment::Key(k));
                    v.walk_segments(segments, f);
                    segments.pop();
                }
            }
            Value::List(items) => {
                for (i, v) in items.iter().enumerate() {
                    segments.push(Segment::Index(i));
                    v.walk_segments(segments, f);
                    segments.pop();
                }
            }
            _ => self.for_each_child(&mut |seg, v| {
                segments.push(seg);
                v.walk_segments(segments, f);
                segments.pop();
            }),
        }
    }

    /// Visits this value and every value nested inside it, depth first (no paths: cheaper
    /// than [`Value::walk`]).
    pub fn visit<'a>(&'a self, f: &mut dyn FnMut(&'a Value)) {
        f(self);
        self.for_each_child(&mut |_, v| v.visit(f));
    }

    /// Rewrites every nested value bottom-up with `f` (used to resolve cross-stack references).
    pub fn map_refs(&self, f: &mut dyn FnMut(&Value) -> Option<Value>) -> Value {
        if let Some(v) = f(self) {
            return v;
        }
        let b = |v: &Value, f: &mut dyn FnMut(&Value) -> Option<Value>| Box::new(v.map_refs(f));
        match self {
            Value::Null
            | Value::String(_)
            | Value::Number(_)
            | Value::Bool(_)
            | Value::Ref(_)
            | Value::Pseudo(_)
            | Value::GetAtt(..)
            | Value::Condition(_) => self.clone(),
            Value::List(items) => Value::List(items.iter().map(|v| v.map_refs(f)).collect()),
            Value::Join(d, items) => {
                Value::Join(d.clone(), items.iter().map(|v| v.map_refs(f)).collect())
            }
            Value::And(items) => Value::And(items.iter().map(|v| v.map_refs(f)).collect()),
            Value::Or(items) => Value::Or(items.iter().map(|v| v.map_refs(f)).collect()),
            Value::Map(m) => {
                Value::Map(m.iter().map(|(k, v)| (k.clone(), v.map_refs(f))).collect())
            }
            Value::Sub(t, vars) => Value::Sub(
                t.clone(),
                vars.iter()
                    .map(|(k, v)| (k.clone(), v.map_refs(f)))
                    .collect(),
            ),
            Value::Select(a, c) => Value::Select(b(a, f), b(c, f)),
            Value::Equals(a, c) => Value::Equals(b(a, f), b(c, f)),
            Value::If(n, a, c) => Value::If(n.clone(), b(a, f), b(c, f)),
            Value::Cidr(a, c, d) => Value::Cidr(b(a, f), b(c, f), b(d, f)),
            Value::FindInMap(a, c, d) => Value::FindInMap(b(a, f), b(c, f), b(d, f)),
            Value::GetAzs(a) => Value::GetAzs(b(a, f)),
            Value::Split(d, a) => Value::Split(d.clone(), b(a, f)),
            Value::ImportValue(a) => Value::ImportValue(b(a, f)),
            Value::Base64(a) => Value::Base64(b(a, f)),
            Value::Not(a) => Value::Not(b(a, f)),
        }
    }
}

/// How a nested value is reached from its parent, for property paths.
#[derive(Clone, Copy)]
pub(crate) enum Segment<'a> {
    Index(usize),
    Key(&'a str),
    SubVar(&'a str),
    Argument,
}

impl Segment<'_> {
    /// Writes this segment at the end of `path` (`[0]`, `.Key`, or `Key` when `first`).
    fn push_to(self, path: &mut String, first: bool) {
        match self {
            Segment::Index(i) => {
                // a one-digit index without the formatter (most lists are short)
                match u32::try_from(i).ok().and_then(|d| char::from_digit(d, 10)) {
                    Some(digit) => {
                        path.push('[');
                        path.push(digit);
                        path.push(']');
                    }
                    None => {
                        use std::fmt::Write;
                        let _ = write!(path, "[{i}]");
                    }
                }
            }
            Segment::Key(k) => {
                if !first {
                    path.push('.');
                }
                path.push_str(k);
            }
            Segment::SubVar(k) => {
                path.push_str("{Fn::Sub $");
                path.push_str(k);
                path.push('}');
            }
            Segment::Argument => {}
        }
    }
}

/// The property path [`Value::walk`] gives the value that `segments` lead to from `root`.
pub(crate) fn path_text(root: &str, segments: &[Segment<'_>]) -> String {
    let mut path = String::with_capacity(root.len() + 16 * segments.len());
    path.push_str(root);
    for seg in segments {
        let first = path.is_empty();
        seg.push_to(&mut path, first);
    }
    path
}

/// One `${...}` placeholder of an `Fn::Sub` template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubVariable<'a> {
    /// The name before the first dot: a variable, logical id, parameter or pseudo parameter.
    pub name: &'a str,
    /// The attribute after the first dot (`${Lb.DNSName}`), if any.
    pub attribute: Option<&'a str>,
}

/// The placeholders of an `Fn::Sub` template, in order. `${!Literal}` is an escape and yields
/// nothing. An unterminated `${` is returned as `Err` with its byte offset.
pub fn sub_variables(template: &str) -> Result<Vec<SubVariable<'_>>, usize> {
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
            let (name, attribute) = match inner.split_once('.') {
                Some((n, a)) => (n, Some(a)),
                None => (inner, None),
            };
            out.push(SubVariable { name, attribute });
        }
        let consumed = start + 2 + end + 1;
        offset += consumed;
        rest = &rest[consumed..];
    }
    Ok(out)
}

/// Whether a map key makes a one-key map an intrinsic function to CloudFormation.
pub(crate) fn is_intrinsic_key(key: &str) -> bool {
    key == "Ref" || key.starts_with("Fn::")
}

/// Why a one-key map `{key: arg}` (`key` an intrinsic's name) has no typed form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NotTyped {
    /// What is wrong with it, or why it has no typed form.
    pub problem: String,
    /// The typed form to use instead.
    pub typed: &'static str,
    /// CloudFormation honours it as written (`Fn::Join` over a list an intrinsic yields,
    /// `Fn::GetAtt` of a computed attribute name, `Fn::Transform`): synthesis writes it as
    /// data and checks the references inside it. Otherwise it would fail at deploy and
    /// synthesis refuses it.
    pub honoured: bool,
}

/// The typed form of an intrinsic written as data, `{key: arg}` with `arg` already read.
pub(crate) fn intrinsic(key: &str, arg: &Value) -> Result<Value, NotTyped> {
    let typed = typed_form(key);
    let bad = |takes: &str| NotTyped {
        problem: format!("takes {takes}, got {arg}"),
        typed,
        honoured: false,
    };
    let untyped = |problem: &str| NotTyped {
        problem: problem.to_owned(),
        typed,
        honoured: true,
    };
    let items = match arg {
        Value::List(items) => items.as_slice(),
        _ => &[],
    };
    // a value that can stand for a scalar: a string or an intrinsic, not a list or map literal
    let scalar = |v: &Value| {
        !matches!(
            v,
            Value::List(_) | Value::Map(_) | Value::Null | Value::Bool(_) | Value::Number(_)
        )
    };
    let b = |v: &Value| Box::new(v.clone());
    match (key, arg, items) {
        ("Ref", Value::String(id), _) if !id.is_empty() => {
            Ok(Pseudo::from_name(id).map_or_else(|| Value::r#ref(id.clone()), Value::Pseudo))
        }
        ("Ref", ..) => Err(bad("a logical id or parameter name (a non-empty string)")),
        ("Fn::GetAtt", Value::String(s), _) => match s.split_once('.') {
            Some((id, attr)) if !id.is_empty() && !attr.is_empty() => Ok(Value::get_att(id, attr)),
            _ => Err(bad("[logical id, attribute] or \"LogicalId.Attribute\"")),
        },
        ("Fn::GetAtt", _, [Value::String(id), Value::String(attr)])
            if !id.is_empty() && !attr.is_empty() =>
        {
            Ok(Value::get_att(id.clone(), attr.clone()))
        }
        ("Fn::GetAtt", _, [Value::String(id), attr]) if !id.is_empty() && !attr.is_literal() => {
            Err(untyped(
                "names its attribute with a function, which has no typed form",
            ))
        }
        ("Fn::GetAtt", ..) => Err(bad("[logical id, attribute] or \"LogicalId.Attribute\"")),
        ("Fn::Sub", Value::String(t), _) => Ok(Value::Sub(t.clone(), BTreeMap::new())),
        ("Fn::Sub", _, [Value::String(t), Value::Map(vars)]) => {
            let vars = vars.iter().map(|(k, v)| (k.to_string(), v.clone()));
            Ok(Value::Sub(t.clone(), vars.collect()))
        }
        ("Fn::Sub", ..) => Err(bad("a template string or [template, {variables}]")),
        ("Fn::Join", _, [Value::String(d), Value::List(values)]) => {
            Ok(Value::Join(d.clone(), values.clone()))
        }
        ("Fn::Join", _, [Value::String(_), list]) if !list.is_literal() => Err(untyped(
            "joins a list a function yields, which has no typed form",
        )),
        ("Fn::Join", ..) => Err(bad("[delimiter, [values]]")),
        ("Fn::Select", _, [i, list]) => Ok(Value::Select(b(i), b(list))),
        ("Fn::Select", ..) => Err(bad("[index, list]")),
        ("Fn::GetAZs", v, _) if scalar(v) => Ok(Value::GetAzs(b(v))),
        ("Fn::GetAZs", ..) => Err(bad("a region (a string, \"\" for the stack's)")),
        ("Fn::Split", _, [Value::String(d), source]) => Ok(Value::Split(d.clone(), b(source))),
        ("Fn::Split", ..) => Err(bad("[delimiter, source]")),
        ("Fn::ImportValue", v, _) if scalar(v) => Ok(Value::ImportValue(b(v))),
        ("Fn::ImportValue", ..) => Err(bad("an export name")),
        ("Fn::If", _, [Value::String(c), a, f]) => Ok(Value::If(c.clone(), b(a), b(f))),
        ("Fn::If", ..) => Err(bad("[condition name, value if true, value if false]")),
        ("Fn::Base64", v, _) if scalar(v) => Ok(Value::Base64(b(v))),
        ("Fn::Base64", ..) => Err(bad("a string")),
        ("Fn::Cidr", _, [block, count, bits]) => Ok(Value::Cidr(b(block), b(count), b(bits))),
        ("Fn::Cidr", ..) => Err(bad("[ip block, count, cidr bits]")),
        ("Fn::FindInMap", _, [m, top, second]) => Ok(Value::FindInMap(b(m), b(top), b(second))),
        ("Fn::FindInMap", ..) => Err(bad(
            "[mapping, top-level key, second-level key] (a default value needs the AWS::LanguageExtensions transform)",
        )),
        ("Fn::Equals", _, [x, y]) => Ok(Value::Equals(b(x), b(y))),
        ("Fn::Equals", ..) => Err(bad("[value, value]")),
        ("Fn::And" | "Fn::Or", _, conditions) if (2..=10).contains(&conditions.len()) => {
            let conditions = conditions.to_vec();
            Ok(if key == "Fn::And" {
                Value::And(conditions)
            } else {
                Value::Or(conditions)
            })
        }
        ("Fn::And" | "Fn::Or", ..) => Err(bad("a list of 2 to 10 conditions")),
        ("Fn::Not", _, [c]) => Ok(Value::Not(b(c))),
        ("Fn::Not", ..) => Err(bad("[condition]")),
        ("Fn::Transform", ..) => Err(untyped("runs a macro, which has no typed form")),
        ("Fn::ToJsonString" | "Fn::Length" | "Fn::ForEach", ..) => Err(bad_form(
            "needs the AWS::LanguageExtensions transform, which cloudwright's templates do not declare",
            typed,
        )),
        (
            "Fn::Contains"
            | "Fn::EachMemberEquals"
            | "Fn::EachMemberIn"
            | "Fn::RefAll"
            | "Fn::ValueOf"
            | "Fn::ValueOfAll",
            ..,
        ) => Err(bad_form(
            "belongs to a template's Rules section, which cloudwright's templates do not have",
            typed,
        )),
        _ => Err(bad_form(
            "is not an intrinsic function CloudFormation knows",
            typed,
        )),
    }
}

fn bad_form(problem: &str, typed: &'static str) -> NotTyped {
    NotTyped {
        problem: problem.to_owned(),
        typed,
        honoured: false,
    }
}

/// The typed form of each intrinsic, for messages.
pub(crate) fn typed_form(key: &str) -> &'static str {
    match key {
        "Ref" => "handle.r#ref() or Value::r#ref(logical_id)",
        "Fn::GetAtt" => {
            "handle.get_att(..) (or a generated attribute getter) or Value::get_att(logical_id, attribute)"
        }
        "Fn::Sub" => "Value::sub(template) or Value::sub_with(template, variables)",
        "Fn::Join" => "Value::join(delimiter, values)",
        "Fn::Select" => "Value::select(index, list)",
        "Fn::GetAZs" => "Value::get_azs()",
        "Fn::Split" => "Value::split(delimiter, source)",
        "Fn::ImportValue" => "Value::import_value(name)",
        "Fn::If" => "condition.if_(a, b) or Value::if_(condition, a, b)",
        "Fn::Base64" => "Value::base64(value)",
        "Fn::Cidr" => "Value::cidr(block, count, bits)",
        "Fn::FindInMap" => "mapping.find(top, second) or Value::find_in_map(mapping, top, second)",
        "Fn::Equals" => "Value::equals(a, b)",
        "Fn::And" => "Value::And(conditions)",
        "Fn::Or" => "Value::Or(conditions)",
        "Fn::Not" => "Value::not(condition)",
        _ => "a typed Value (cloudwright_core::Value has no form for this function)",
    }
}

fn one<S: Serializer, V: Serialize + ?Sized>(s: S, key: &str, v: &V) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(1))?;
    m.serialize_entry(key, v)?;
    m.end()
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::String(v) => s.serialize_str(v),
            Value::Number(n) => n.serialize(s),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::List(items) => items.serialize(s),
            Value::Map(m) => m.serialize(s),
            Value::Ref(r) => one(s, "Ref", &r.logical_id),
            Value::Pseudo(p) => one(s, "Ref", p.name()),
            Value::GetAtt(r, a) => one(s, "Fn::GetAtt", &[r.logical_id.as_str(), a.as_str()]),
            Value::Sub(t, vars) if vars.is_empty() => one(s, "Fn::Sub", t),
            Value::Sub(t, vars) => one(s, "Fn::Sub", &(t, vars)),
            Value::Join(d, items) => one(s, "Fn::Join", &(d, items)),
            Value::Select(i, l) => one(s, "Fn::Select", &(i, l)),
            Value::GetAzs(r) => one(s, "Fn::GetAZs", r),
            Value::Split(d, v) => one(s, "Fn::Split", &(d, v)),
            Value::ImportValue(v) => one(s, "Fn::ImportValue", v),
            Value::If(c, a, b) => one(s, "Fn::If", &(c, a, b)),
            Value::Base64(v) => one(s, "Fn::Base64", v),
            Value::Cidr(a, b, c) => one(s, "Fn::Cidr", &(a, b, c)),
            Value::FindInMap(a, b, c) => one(s, "Fn::FindInMap", &(a, b, c)),
            Value::Equals(a, b) => one(s, "Fn::Equals", &(a, b)),
            Value::And(items) => one(s, "Fn::And", items),
            Value::Or(items) => one(s, "Fn::Or", items),
            Value::Not(v) => one(s, "Fn::Not", &[&**v]),
            Value::Condition(c) => one(s, "Condition", c),
        }
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::String(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::String(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::String(v.clone())
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<Pseudo> for Value {
    fn from(p: Pseudo) -> Self {
        Value::Pseudo(p)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
    }
}
macro_rules! int_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::Number(serde_json::Number::from(v))
            }
        }
    )*};
}
int_from!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize);

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Self {
        Value::List(v.into_iter().map(Into::into).collect())
    }
}
impl<T: Into<Value>> From<BTreeMap<String, T>> for Value {
    fn from(v: BTreeMap<String, T>) -> Self {
        Value::Map(v.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}
/// `Value::Map(map)`.
impl From<Map> for Value {
    fn from(map: Map) -> Self {
        Value::Map(map)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// Conversion of a typed property (or any value) into a [`Value`] tree.
///
/// Generated resource property structs implement it by building a [`Value::Map`] of their
/// set properties under their CloudFormation names.
pub trait ToValue {
    /// The value this becomes in a template.
    fn to_value(&self) -> Value;

    /// The value this becomes, taking it: what it holds moves into the value instead of being
    /// copied ([`Scope::add`](crate::Scope::add) takes a resource's properties so). The default
    /// is [`ToValue::to_value`]; generated types and the typed wrappers move their fields.
    fn into_value(self) -> Value
    where
        Self: Sized,
    {
        self.to_value()
    }
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
    fn into_value(self) -> Value {
        self
    }
}
impl<T: ToValue> ToValue for Vec<T> {
    fn to_value(&self) -> Value {
        Value::List(self.iter().map(ToValue::to_value).collect())
    }
    fn into_value(self) -> Value {
        Value::List(self.into_iter().map(ToValue::into_value).collect())
    }
}
impl<T: ToValue> ToValue for BTreeMap<String, T> {
    fn to_value(&self) -> Value {
        Value::Map(
            self.iter()
                .map(|(k, v)| (Cow::Owned(k.clone()), v.to_value()))
                .collect(),
        )
    }
    fn into_value(self) -> Value {
        Value::Map(
            self.into_iter()
                .map(|(k, v)| (k.into(), v.into_value()))
                .collect(),
        )
    }
}
impl<T: ToValue> ToValue for Box<T> {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
    fn into_value(self) -> Value {
        (*self).into_value()
    }
}

macro_rules! typed_wrapper {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name(pub Value);

        impl From<Value> for $name {
            fn from(v: Value) -> Self {
                $name(v)
            }
        }
        impl From<&Value> for $name {
            fn from(v: &Value) -> Self {
                $name(v.clone())
            }
        }
        impl From<Pseudo> for $name {
            fn from(p: Pseudo) -> Self {
                $name(Value::Pseudo(p))
            }
        }
        impl From<$name> for Value {
            fn from(v: $name) -> Self {
                v.0
            }
        }
        impl ToValue for $name {
            fn to_value(&self) -> Value {
                self.0.clone()
            }
            fn into_value(self) -> Value {
                self.0
            }
        }
        /// Serializes as the value it holds, so a typed attribute goes into `json!` as it is.
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.0.serialize(s)
            }
        }
    };
}

typed_wrapper!(
    /// A string property: a string literal or any intrinsic that yields one.
    Str
);
typed_wrapper!(
    /// An integer property: an integer literal or any intrinsic that yields one.
    Int
);
typed_wrapper!(
    /// A number property: a number literal or any intrinsic that yields one.
    Num
);
typed_wrapper!(
    /// A boolean property: `true`/`false` or any intrinsic that yields one.
    Bool
);
typed_wrapper!(
    /// A free-form JSON property (e.g. an IAM policy document or an OpenAPI body).
    Json
);

impl From<&str> for Str {
    fn from(v: &str) -> Self {
        Str(v.into())
    }
}
impl From<String> for Str {
    fn from(v: String) -> Self {
        Str(v.into())
    }
}
impl From<&String> for Str {
    fn from(v: &String) -> Self {
        Str(v.into())
    }
}
impl From<bool> for Bool {
    fn from(v: bool) -> Self {
        Bool(v.into())
    }
}
macro_rules! num_wrapper_from {
    ($w:ident: $($t:ty),*) => {$(
        impl From<$t> for $w {
            fn from(v: $t) -> Self {
                $w(v.into())
            }
        }
    )*};
}
num_wrapper_from!(Int: i8, i16, i32, i64, u8, u16, u32, u64, usize, isize);
num_wrapper_from!(Num: i8, i16, i32, i64, u8, u16, u32, u64, usize, isize, f64);
/// A [`Map`] as a free-form property (`.tags(map)` where `Tags` is JSON).
impl From<Map> for Json {
    fn from(map: Map) -> Self {
        Json(Value::Map(map))
    }
}
impl From<BTreeMap<String, Value>> for Json {
    fn from(v: BTreeMap<String, Value>) -> Self {
        Json(Value::from(v))
    }
}
/// Typed items (property types, values) as a free-form property, e.g. a list of generated
/// property-type structs for a property the schema also lets be a JSON string:
///
/// ```
/// use cloudwright_core::{Json, Value};
/// let j: Json = vec![Value::from("a"), Value::from("b")].into();
/// assert_eq!(j.0, Value::list([Value::from("a"), Value::from("b")]));
/// ```
impl<T: ToValue> From<Vec<T>> for Json {
    fn from(v: Vec<T>) -> Self {
        Json(v.into_value())
    }
}
impl From<serde_json::Value> for Json {
    fn from(v: serde_json::Value) -> Self {
        Json(Value::from_json(&v))
    }
}

/// A list property: literal items of a typed kind, or an intrinsic that yields a list
/// (`Fn::GetAZs`, `Fn::Split`, a `List<...>` parameter, ...).
#[derive(Clone, Debug, PartialEq)]
pub enum List<T> {
    /// Literal items.
    Items(Vec<T>),
    /// An intrinsic that yields the whole list.
    Expr(Value),
}

impl<T, X: Into<T>> From<Vec<X>> for List<T> {
    fn from(v: Vec<X>) -> Self {
        List::Items(v.into_iter().map(Into::into).collect())
    }
}
impl<T> From<Value> for List<T> {
    fn from(v: Value) -> Self {
        List::Expr(v)
    }
}
impl<T: ToValue> From<List<T>> for Value {
    fn from(v: List<T>) -> Self {
        v.into_value()
    }
}
/// An integer is a number (an `Int` attribute where a `Num` property belongs).
impl From<Int> for Num {
    fn from(v: Int) -> Self {
        Num(v.0)
    }
}
/// Serializes as its value: literal items as a JSON array, an intrinsic as itself.
impl<T: ToValue> Serialize for List<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

impl<T: ToValue> ToValue for List<T> {
    fn to_value(&self) -> Value {
        match self {
            List::Items(items) => items.to_value(),
            List::Expr(v) => v.clone(),
        }
    }
    fn into_value(self) -> Value {
        match self {
            List::Items(items) => items.into_value(),
            List::Expr(v) => v,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match serde_json::to_string(self) {
            Ok(s) => f.write_str(&s),
            Err(_) => Err(fmt::Error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// `name_cmp` orders as `str::cmp` does: names from a small alphabet (so that many
        /// share long prefixes, across the eight-byte words), of every length to 40, and
        /// any text.
        #[test]
        fn name_cmp_is_str_cmp(
            a in "[ab\\x00\\xff-]{0,40}",
            b in "[ab\\x00\\xff-]{0,40}",
            x in ".{0,20}",
            y in ".{0,20}",
        ) {
            proptest::prop_assert_eq!(name_cmp(&a, &b), a.cmp(&b));
            let (ab, ba) = (format!("{a}{b}"), format!("{b}{a}"));
            proptest::prop_assert_eq!(name_cmp(&ab, &ba), ab.cmp(&ba));
            proptest::prop_assert_eq!(name_cmp(&a, &ab), a.cmp(&ab));
            proptest::prop_assert_eq!(name_cmp(&x, &y), x.cmp(&y));
            proptest::prop_assert_eq!(name_cmp(&x, &x), std::cmp::Ordering::Equal);
        }
    }

    fn json(v: &Value) -> String {
        serde_json::to_string(v).unwrap()
    }

    #[test]
    fn intrinsics_serialize_to_cloudformation_json() {
        assert_eq!(json(&Value::r#ref("Vpc")), r#"{"Ref":"Vpc"}"#);
        assert_eq!(
            json(&Value::get_att("Lb", "DNSName")),
            r#"{"Fn::GetAtt":["Lb","DNSName"]}"#
        );
        assert_eq!(
            json(&Value::sub_with("${A}-x", [("A", "b")])),
            r#"{"Fn::Sub":["${A}-x",{"A":"b"}]}"#
        );
        assert_eq!(
            json(&Value::join(",", ["a", "b"])),
            r#"{"Fn::Join":[",",["a","b"]]}"#
        );
        assert_eq!(
            json(&Value::az(1)),
            r#"{"Fn::Select":[1,{"Fn::GetAZs":""}]}"#
        );
        assert_eq!(
            json(&Value::split(",", Value::import_value("X"))),
            r#"{"Fn::Split":[",",{"Fn::ImportValue":"X"}]}"#
        );
        assert_eq!(
            json(&Value::if_("C", 1, Pseudo::NoValue)),
            r#"{"Fn::If":["C",1,{"Ref":"AWS::NoValue"}]}"#
        );
        assert_eq!(json(&Value::base64("x")), r#"{"Fn::Base64":"x"}"#);
        assert_eq!(
            json(&Value::cidr("10.0.0.0/16", 4, 8)),
            r#"{"Fn::Cidr":["10.0.0.0/16",4,8]}"#
        );
        assert_eq!(
            json(&Value::find_in_map("M", Pseudo::Region, "Ami")),
            r#"{"Fn::FindInMap":["M",{"Ref":"AWS::Region"},"Ami"]}"#
        );
        assert_eq!(
            json(&Value::And(vec![
                Value::equals(Value::r#ref("P"), "x"),
                Value::not(Value::Condition("C".into()))
            ])),
            r#"{"Fn::And":[{"Fn::Equals":[{"Ref":"P"},"x"]},{"Fn::Not":[{"Condition":"C"}]}]}"#
        );
        assert_eq!(json(&Value::Or(vec![])), r#"{"Fn::Or":[]}"#);
    }

    #[test]
    fn pseudo_parameters_round_trip_by_name() {
        for p in Pseudo::ALL {
            assert_eq!(Pseudo::from_name(p.name()), Some(p));
        }
        assert_eq!(Pseudo::from_name("AWS::Nope"), None);
    }

    #[test]
    fn sub_variables_are_parsed() {
        let vars = sub_variables("http://${Lb.DNSName}:${Port}/${!Literal}${AWS::Region}").unwrap();
        assert_eq!(
            vars,
            vec![
                SubVariable {
                    name: "Lb",
                    attribute: Some("DNSName")
                },
                SubVariable {
                    name: "Port",
                    attribute: None
                },
                SubVariable {
                    name: "AWS::Region",
                    attribute: None
                },
            ]
        );
        assert_eq!(sub_variables("abc ${oops"), Err(4));
    }

    #[test]
    fn walk_reports_property_paths() {
        let v = Value::map([(
            "Tags",
            Value::list([Value::map([("Key", Value::r#ref("X"))])]),
        )]);
        let mut seen = Vec::new();
        v.walk(&mut String::new(), &mut |p, v| {
            if let Value::Ref(r) = v {
                seen.push((p.to_owned(), r.logical_id.clone()));
            }
        });
        assert_eq!(seen, vec![("Tags[0].Key".to_owned(), "X".to_owned())]);
    }

    #[test]
    fn walk_writes_indexes_of_one_and_more_digits() {
        let v = Value::List((0..12).map(|i| Value::r#ref(format!("R{i}"))).collect());
        let mut seen = Vec::new();
        v.walk(&mut "Items".to_owned(), &mut |p, v| {
            if let Value::Ref(_) = v {
                seen.push(p.to_owned());
            }
        });
        let expected: Vec<String> = (0..12).map(|i| format!("Items[{i}]")).collect();
        assert_eq!(seen, expected);
    }

    fn read(j: serde_json::Value) -> Value {
        Value::from_json(&j)
    }

    #[test]
    fn intrinsics_read_from_json_are_typed() {
        use serde_json::json;
        let cases = [
            (json!({"Ref": "Table"}), Value::r#ref("Table")),
            (json!({"Ref": "AWS::Region"}), Value::from(Pseudo::Region)),
            (
                json!({"Fn::GetAtt": ["Table", "Arn"]}),
                Value::get_att("Table", "Arn"),
            ),
            (
                json!({"Fn::GetAtt": "Db.Endpoint.Address"}),
                Value::get_att("Db", "Endpoint.Address"),
            ),
            (
                json!({"Fn::Sub": "${Table.Arn}/*"}),
                Value::sub("${Table.Arn}/*"),
            ),
            (
                json!({"Fn::Sub": ["${T}/*", {"T": {"Fn::GetAtt": ["Table", "Arn"]}}]}),
                Value::sub_with("${T}/*", [("T", Value::get_att("Table", "Arn"))]),
            ),
            (
                json!({"Fn::Join": [":", ["a", {"Ref": "B"}]]}),
                Value::join(":", [Value::from("a"), Value::r#ref("B")]),
            ),
            (json!({"Fn::Select": [1, {"Fn::GetAZs": ""}]}), Value::az(1)),
            (
                json!({"Fn::Split": [",", {"Fn::ImportValue": "X"}]}),
                Value::split(",", Value::import_value("X")),
            ),
            (
                json!({"Fn::If": ["C", 1, {"Ref": "AWS::NoValue"}]}),
                Value::if_("C", 1, Pseudo::NoValue),
            ),
            (json!({"Fn::Base64": "x"}), Value::base64("x")),
            (
                json!({"Fn::Cidr": ["10.0.0.0/16", 4, 8]}),
                Value::cidr("10.0.0.0/16", 4, 8),
            ),
            (
                json!({"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "Ami"]}),
                Value::find_in_map("M", Pseudo::Region, "Ami"),
            ),
            (
                json!({"Fn::And": [{"Fn::Equals": [{"Ref": "P"}, "x"]}, {"Fn::Not": [{"Condition": "C"}]}]}),
                Value::And(vec![
                    Value::equals(Value::r#ref("P"), "x"),
                    Value::not(Value::Condition("C".into())),
                ]),
            ),
            (
                json!({"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]}),
                Value::Or(vec![
                    Value::Condition("A".into()),
                    Value::Condition("B".into()),
                ]),
            ),
        ];
        for (j, typed) in cases {
            let v = read(j.clone());
            assert_eq!(v, typed, "{j}");
            // written back exactly as read (the "A.B" GetAtt in its list form)
            if j.get("Fn::GetAtt").is_none_or(serde_json::Value::is_array) {
                assert_eq!(serde_json::to_value(&v).unwrap(), j);
            }
        }
    }

    #[test]
    fn data_that_only_looks_like_an_intrinsic_stays_data() {
        use serde_json::json;
        // `Ref` beside other keys, `Condition` outside a condition, keys that are not intrinsics
        for j in [
            json!({"Ref": "X", "Other": 1}),
            json!({"Condition": "C"}),
            json!({"Statement": [{"Effect": "Allow", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}),
            json!({"ref": "X"}),
            json!({"Fn": "X"}),
        ] {
            let v = read(j.clone());
            assert!(v.is_literal(), "{j} read as {v:?}");
            assert_eq!(serde_json::to_value(&v).unwrap(), j);
        }
        // nested intrinsics inside data are read at any depth
        let v = read(json!({"Statement": [{"Resource": {"Fn::GetAtt": ["T", "Arn"]}}]}));
        assert_eq!(
            v,
            Value::map([(
                "Statement",
                Value::list([Value::map([("Resource", Value::get_att("T", "Arn"))])])
            )])
        );
    }

    #[test]
    fn malformed_intrinsics_stay_one_key_maps_with_a_reason() {
        use serde_json::json;
        for (j, problem) in [
            (json!({"Ref": 5}), "a logical id"),
            (json!({"Ref": ""}), "a logical id"),
            (json!({"Fn::GetAtt": ["Table"]}), "[logical id, attribute]"),
            (json!({"Fn::GetAtt": "Table"}), "[logical id, attribute]"),
            (
                json!({"Fn::Sub": ["${A}", ["not a map"]]}),
                "[template, {variables}]",
            ),
            (json!({"Fn::If": [1, "a", "b"]}), "[condition name"),
            (json!({"Fn::And": [{"Condition": "A"}]}), "2 to 10"),
            (
                json!({"Fn::FindInMap": ["M", "a", "b", {"DefaultValue": "x"}]}),
                "LanguageExtensions",
            ),
            (json!({"Fn::Length": [1, 2]}), "LanguageExtensions"),
            (json!({"Fn::Nope": "x"}), "not an intrinsic function"),
            (json!({"Fn::ValueOf": ["P", "Tag"]}), "Rules"),
            (
                json!({"Fn::Sub": [{"Fn::Join": ["", ["a"]]}, {}]}),
                "template string",
            ),
        ] {
            let v = read(j.clone());
            let Value::Map(m) = &v else {
                panic!("{j} read as {v:?}");
            };
            let (key, arg) = m.iter().next().unwrap();
            let e = intrinsic(key, arg).unwrap_err();
            assert!(e.problem.contains(problem), "{j}: {}", e.problem);
            assert!(!e.honoured, "{j}");
            assert_eq!(serde_json::to_value(&v).unwrap(), j);
        }
        // forms CloudFormation honours that have no typed form: data, references inside typed
        for j in [
            json!({"Fn::GetAtt": ["Table", {"Ref": "Attr"}]}),
            json!({"Fn::Join": [",", {"Ref": "List"}]}),
            json!({"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}}),
        ] {
            let v = read(j.clone());
            let Value::Map(m) = &v else {
                panic!("{j} read as {v:?}");
            };
            let (key, arg) = m.iter().next().unwrap();
            assert!(intrinsic(key, arg).unwrap_err().honoured, "{j}");
            assert_eq!(serde_json::to_value(&v).unwrap(), j);
        }
        let v = read(json!({"Fn::Join": [",", {"Ref": "List"}]}));
        assert_eq!(
            v,
            Value::map([(
                "Fn::Join",
                Value::list([Value::from(","), Value::r#ref("List")])
            )])
        );
        // a malformed intrinsic inside a well-formed one stays a map inside the typed form
        let v = read(json!({"Fn::Join": ["", [{"Ref": 5}]]}));
        assert_eq!(v, Value::join("", [Value::map([("Ref", 5)])]));
        // Fn::Transform is honoured by CloudFormation as data; its arguments are still read
        let v = read(
            json!({"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": {"Fn::Sub": "s3://${B}/x"}}}}),
        );
        assert_eq!(
            v,
            Value::map([(
                "Fn::Transform",
                Value::map([
                    ("Name", Value::from("AWS::Include")),
                    (
                        "Parameters",
                        Value::map([("Location", Value::sub("s3://${B}/x"))])
                    )
                ])
            )])
        );
    }

    #[test]
    fn json_properties_read_intrinsics() {
        let j: Json = serde_json::json!({"Resource": [{"Fn::GetAtt": ["Table", "Arn"]}]}).into();
        assert_eq!(
            j.0,
            Value::map([("Resource", Value::list([Value::get_att("Table", "Arn")]))])
        );
    }

    #[test]
    fn typed_wrappers_accept_literals_and_intrinsics() {
        let s: Str = "a".into();
        assert_eq!(s.to_value(), Value::from("a"));
        let s: Str = Value::r#ref("X").into();
        assert_eq!(s.to_value(), Value::r#ref("X"));
        let l: List<Str> = vec!["a", "b"].into();
        assert_eq!(l.to_value(), Value::list(["a", "b"]));
        let l: List<Str> = Value::get_azs().into();
        assert_eq!(l.to_value(), Value::get_azs());
        let i: Int = 5u16.into();
        assert_eq!(json(&i.0), "5");
    }

    #[test]
    fn typed_values_convert_back_into_values() {
        let azs: List<Str> = List::Expr(Value::get_azs());
        assert_eq!(Value::from(azs), Value::get_azs());
        let items: List<Str> = vec!["a", "b"].into();
        assert_eq!(Value::from(items), Value::list(["a", "b"]));
        let port = Int(Value::get_att("Db", "Endpoint.Port"));
        let n: Num = port.into();
        assert_eq!(n.0, Value::get_att("Db", "Endpoint.Port"));
        let arn = Str(Value::get_att("Role", "Arn"));
        assert_eq!(Value::from(arn), Value::get_att("Role", "Arn"));
    }
}
