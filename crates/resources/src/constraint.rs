//! The schema constraints of generated types as data, and the check synthesis runs on them.
//!
//! Each generated type has a static [`ObjRule`] per object (the resource's `Properties` and
//! each property type), built from the schema's `pattern`, `enum`, `format`,
//! `minimum`/`maximum`, `minLength`/`maxLength`, `minItems`/`maxItems`, `required`,
//! `oneOf`/`anyOf` of required sets, cfn-lint's `requiredXor` and `requiredOr`,
//! `dependentRequired` (and `dependencies` lists) and `dependentExcluded`. cfn-lint's
//! rule-level cross-property checks that are not schema keywords (`E3045` an S3
//! `AccessControl` without `OwnershipControls`, `E3048` a Fargate task without `Cpu`, `E3688` a port range
//! with `-1` at one end only, ...)
//! are not made here. [`check`] walks a value against a rule: every literal is
//! checked, every intrinsic function (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::If`, ...) passes
//! through, since its value is only known at deploy time.
//!
//! Patterns are compiled once, on first use, by [`crate::pattern`], an engine for the
//! dialect they are written in (Python's `regex` module, cfn-lint's), lookarounds included.
//! A pattern it cannot compile (the one backreference among the schemas) is never reported
//! as checked: it is listed in [`unchecked_patterns`](crate::unchecked_patterns) and
//! [`Pattern::is_checkable`] says so.
//!
//! The same rules check values that enter from elsewhere, e.g. a context file:
//!
//! ```
//! use cloudwright_resources::constraint::Format;
//! assert!(Format::VpcId.accepts("vpc-0123abcd"));
//! assert!(!Format::VpcId.accepts("x"));
//! assert!(!Format::VpcId.accepts("10.0.0.0/16"));
//! assert!(Format::Ipv4Network.accepts("10.0.0.0/16"));
//! assert!(!Format::Ipv4Network.accepts("10.0.0.1/16"), "host bits set");
//! ```

use std::cmp::Ordering;
use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

use cloudwright_core::id::closest;
use cloudwright_core::{Value, Violation};

use crate::pattern::Regex;

/// What a value must be.
#[derive(Debug)]
pub enum Shape {
    /// Anything (free-form JSON, several types, `Json` properties): not checked.
    Any,
    /// A string.
    Str(&'static StrRule),
    /// An integer.
    Int(&'static NumRule),
    /// A number.
    Num(&'static NumRule),
    /// A boolean.
    Bool,
    /// A list.
    List(&'static ListRule),
    /// An object with known properties.
    Object(&'static ObjRule),
    /// `anyOf`: at least one of the alternatives accepts the literal (a free-form
    /// property's forms, the formats of a KMS key, an enum or a pattern, ...).
    AnyOf(&'static [Shape]),
    /// `oneOf`: exactly one of the alternatives accepts the literal (union objects, whose
    /// alternatives each have a property of their own; cfn-lint's semantics: a literal two
    /// alternatives accept is refused).
    OneOf(&'static [Shape]),
    /// Every one of these shapes accepts the literal: a value's own shape beside its
    /// `anyOf`/`oneOf`/`prefixItems`.
    AllOf(&'static [Shape]),
    /// `prefixItems`: item `i` of a list is checked against shape `i` (positional items;
    /// the items beyond them, and the list itself, are left to the shapes beside it).
    Items(&'static [Shape]),
    /// The `false` schema: no value may be here (cfn-lint's extension schemas use it for a
    /// property another one excludes).
    Never,
    /// `not`: the value must not satisfy the shape (decided on literals only: a value an
    /// intrinsic function could make satisfy it passes).
    Not(&'static Shape),
    /// `if`/`then`/`else`: when the literal satisfies the condition, `then`; when it does
    /// not, `else`; when an intrinsic function leaves the condition open, neither.
    If(&'static IfRule),
    /// A value of one of these JSON types (a mask of the [`json_type`] bits), its content
    /// unchecked: a free-form form of an [`AnyOf`](Shape::AnyOf) (`"type": ["object",
    /// "string"]`).
    Typed(u8),
}

/// The parts of a [`Shape::If`].
#[derive(Debug)]
pub struct IfRule {
    /// `if`.
    pub cond: Shape,
    /// `then` ([`Shape::Any`] when absent).
    pub then: Shape,
    /// `else` ([`Shape::Any`] when absent).
    pub otherwise: Shape,
}

/// One of cfn-lint's extension schemas (its `cfnlint/data/schemas/extensions/`, exported by
/// `crates/codegen/export_extensions.py`): the rule that applies it, where, and the shape.
#[derive(Debug)]
pub struct Extension {
    /// cfn-lint's rule id (`E3638`).
    pub rule: &'static str,
    /// Where it applies below `Properties` (`BlockDeviceMappings/*/Ebs`; empty: the whole
    /// properties; `*` is every item of a list).
    pub path: &'static str,
    /// The rule's description.
    pub description: &'static str,
    /// What the value there must satisfy.
    pub shape: Shape,
}

/// Checks a resource's properties against cfn-lint's extension schemas of its type; a
/// violation names the rule.
pub fn check_extensions(extensions: &[Extension], properties: &Value) -> Result<(), Violation> {
    if extensions_accept(extensions, properties) {
        return Ok(());
    }
    // one refuses: each in order, quietly then in full, for the first one's violation
    let mut path = String::new();
    for ext in extensions {
        if check_extension_at::<Quiet>(ext, ext.path, properties, &mut path).is_err() {
            path.clear();
            check_extension_at::<Full>(ext, ext.path, properties, &mut path).map_err(|e| {
                Full::note(e, || {
                    format!(" (cfn-lint {}: {})", ext.rule, ext.description)
                })
            })?;
        }
        path.clear();
    }
    Ok(())
}

/// Whether every extension accepts the properties, quietly: each distinct path walked once
/// (the extensions of a type mostly share a few), with every extension on it checked where
/// it leads, and a literal map there read once for all of them (see [`MapView`]).
fn extensions_accept(extensions: &[Extension], properties: &Value) -> bool {
    let top = match properties {
        Value::Map(map) => Some(map),
        _ => None,
    };
    for (i, ext) in extensions.iter().enumerate() {
        if extensions[..i].iter().any(|e| same_path(e.path, ext.path)) {
            continue; // checked with the first extension on its path
        }
        let on_path = &extensions[i..];
        let mut visit = |v: &Value| {
            let view = MapView::of(v);
            on_path
                .iter()
                .filter(|e| same_path(e.path, ext.path))
                .all(|e| match view {
                    Some(view) => map_accepts(&e.shape, v, view),
                    None => check_value::<Quiet>(&e.shape, v, &mut String::new()).is_ok(),
                })
        };
        let accepted = match top {
            Some(top) if !ext.path.is_empty() => {
                let (segment, rest) = first_segment(ext.path);
                top.get(segment)
                    .is_none_or(|v| visit_path(rest, v, &mut visit))
            }
            _ => visit_path(ext.path, properties, &mut visit),
        };
        if !accepted {
            return false;
        }
    }
    true
}

/// Whether two extension paths are the same (mostly the same static text: compared by address
/// first).
fn same_path(a: &str, b: &str) -> bool {
    std::ptr::eq(a, b) || a == b
}

/// A literal map an extension schema is checked on, read once for all the shapes that look
/// at it: the map, and whether every value is a scalar (a string, number or boolean: no
/// `null`, no intrinsic, nothing inside).
#[derive(Clone, Copy)]
struct MapView<'a> {
    map: &'a cloudwright_core::Map,
    flat: bool,
}

impl<'a> MapView<'a> {
    /// The view of `value` when it is a literal map.
    fn of(value: &'a Value) -> Option<Self> {
        let Value::Map(map) = value else {
            return None;
        };
        if !is_literal(value) {
            return None;
        }
        let flat = map
            .values()
            .all(|v| matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_)));
        Some(MapView { map, flat })
    }
}

/// A map's entries with their keys as `&str`, in order.
fn named_entries(map: &cloudwright_core::Map) -> impl Iterator<Item = (&str, &Value)> {
    map.iter().map(|(k, v)| (&**k, v))
}

/// Whether `shape` accepts the literal map `value` whose view is `view`: what
/// `check_value::<Quiet>` answers, with what the view read of the map not read again by every
/// object shape and condition, and a flat map's free-form parts (an
/// `else` that is anything, an open object's other keys) settled without a walk.
fn map_accepts(shape: &Shape, value: &Value, view: MapView) -> bool {
    match shape {
        Shape::If(rule) => match if view.flat {
            decide_flat(&rule.cond, view)
        } else {
            decide_in(&rule.cond, value, Some(view))
        } {
            Some(true) => map_accepts(&rule.then, value, view),
            Some(false) => map_accepts(&rule.otherwise, value, view),
            None => check_value::<Quiet>(shape, value, &mut String::new()).is_ok(),
        },
        // nothing inside a flat map can be `null`
        Shape::Any if view.flat => true,
        Shape::Typed(mask) => typed_accepts(*mask, value),
        // a map is none of these types
        Shape::Never | Shape::Str(_) | Shape::Int(_) | Shape::Num(_) | Shape::Bool => false,
        Shape::List(_) => false,
        Shape::AllOf(all) => all.iter().all(|s| map_accepts(s, value, view)),
        Shape::AnyOf(alternatives) => alternatives.iter().any(|s| map_accepts(s, value, view)),
        Shape::Object(rule) => {
            let map = view.map;
            let mut path = String::new();
            names_accepted(rule, map.len(), |n| map.contains_key(n))
                && (!rule.tagged
                    || map
                        .get("Tags")
                        .is_none_or(|tags| check_tags::<Quiet>(tags, &mut path).is_ok()))
                // an open object naming no property of a flat map: every key is free-form,
                // and a scalar has nothing inside
                && ((view.flat
                    && !rule.closed
                    && rule.properties.is_empty()
                    && rule.patterns.is_empty())
                    || check_entries_quietly::<Quiet>(rule, named_entries(map), &mut path)
                        .is_ok())
        }
        _ => check_value::<Quiet>(shape, value, &mut String::new()).is_ok(),
    }
}

/// Whether `visit` accepts every value `rest` leads to from `value` (as
/// [`check_extension_at`] walks it: `*` is every item of a list, a name a key of a map; a
/// step that does not apply leads nowhere).
fn visit_path(rest: &str, value: &Value, visit: &mut dyn FnMut(&Value) -> bool) -> bool {
    if rest.is_empty() {
        return visit(value);
    }
    let (segment, rest) = first_segment(rest);
    match (segment, value) {
        ("*", Value::List(items)) => items.iter().all(|item| visit_path(rest, item, visit)),
        (name, Value::Map(map)) => map.get(name).is_none_or(|v| visit_path(rest, v, visit)),
        _ => true,
    }
}

fn check_extension_at<R: Report>(
    ext: &Extension,
    rest: &str,
    value: &Value,
    path: &mut String,
) -> Result<(), R::Error> {
    if rest.is_empty() {
        return check_value::<R>(&ext.shape, value, path);
    }
    let (segment, rest) = first_segment(rest);
    let len = path.len();
    match (segment, value) {
        ("*", Value::List(items)) => {
            for (i, item) in items.iter().enumerate() {
                push_index::<R>(path, i);
                check_extension_at::<R>(ext, rest, item, path)?;
                path.truncate(len);
            }
        }
        (name, Value::Map(map)) => {
            if let Some(v) = map.get(name) {
                push_segment::<R>(path, name);
                check_extension_at::<R>(ext, rest, v, path)?;
                path.truncate(len);
            }
        }
        _ => {}
    }
    Ok(())
}

/// A path's first segment and the rest (`""` after the last one).
pub(crate) fn first_segment(path: &str) -> (&str, &str) {
    split_at_slash(path).unwrap_or((path, ""))
}

/// The text before and after its first `/` (`split_once('/')`, by bytes: on the few short
/// segments of a path or a network the searcher costs more).
fn split_at_slash(text: &str) -> Option<(&str, &str)> {
    let i = text.bytes().position(|b| b == b'/')?;
    Some((&text[..i], &text[i + 1..]))
}

/// The bits of [`Shape::Typed`].
pub mod json_type {
    /// An object.
    pub const OBJECT: u8 = 1;
    /// A string.
    pub const STRING: u8 = 2;
    /// An array.
    pub const ARRAY: u8 = 4;
    /// A number (integer or not).
    pub const NUMBER: u8 = 8;
    /// A boolean.
    pub const BOOLEAN: u8 = 16;
}

fn type_bit(value: &Value) -> u8 {
    match value {
        Value::Map(_) => json_type::OBJECT,
        Value::String(_) => json_type::STRING,
        Value::List(_) => json_type::ARRAY,
        Value::Number(_) => json_type::NUMBER,
        Value::Bool(_) => json_type::BOOLEAN,
        _ => 0,
    }
}

/// Whether `value` is of one of the JSON types of `mask` as cfn-lint reads types (its
/// `_raw_type`): a number or a boolean is a string (CloudFormation passes it on as one), a
/// string is a number when Python's `float()` reads it, a boolean when it is one of the
/// boolean spellings.
fn typed_accepts(mask: u8, value: &Value) -> bool {
    match value {
        Value::String(s) => {
            mask & json_type::STRING != 0
                || (mask & json_type::NUMBER != 0 && python_float(s).is_some())
                || (mask & json_type::BOOLEAN != 0 && BOOLEAN_STRINGS.contains(&s.as_str()))
        }
        Value::Number(_) => mask & (json_type::STRING | json_type::NUMBER) != 0,
        Value::Bool(_) => mask & (json_type::STRING | json_type::BOOLEAN) != 0,
        other => type_bit(other) & mask != 0,
    }
}

/// Constraints of a string.
#[derive(Debug)]
pub struct StrRule {
    /// `minLength` (characters).
    pub min_len: Option<u64>,
    /// `maxLength` (characters).
    pub max_len: Option<u64>,
    /// `pattern`, searched (not anchored unless the pattern anchors itself).
    pub pattern: Option<&'static Pattern>,
    /// `enum`: the allowed values (empty: any).
    pub allowed: &'static [&'static str],
    /// cfn-lint's `enumCaseInsensitive`: the allowed values, compared once both sides are
    /// lowercased (empty: any).
    pub allowed_any_case: &'static [&'static str],
    /// `format`, when cfn-lint checks it.
    pub format: Option<Format>,
}

impl StrRule {
    /// No constraint.
    pub const ANY: StrRule = StrRule {
        min_len: None,
        max_len: None,
        pattern: None,
        allowed: &[],
        allowed_any_case: &[],
        format: None,
    };
}

impl Shape {
    /// A string with no constraint.
    pub const STR: Shape = Shape::Str(&StrRule::ANY);
    /// An integer with no constraint.
    pub const INT: Shape = Shape::Int(&NumRule::ANY);
    /// A number with no constraint.
    pub const NUM: Shape = Shape::Num(&NumRule::ANY);
}

/// Constraints of an integer or number.
#[derive(Debug)]
pub struct NumRule {
    /// `minimum`.
    pub min: Option<f64>,
    /// `maximum`.
    pub max: Option<f64>,
    /// `enum`: the allowed values (empty: any).
    pub allowed: &'static [f64],
    /// `multipleOf`, and whether the schema writes it as a float (`1.0`): cfn-lint then
    /// requires `value / d` to be integral, else `value % d` to be zero (Python's two
    /// branches, which round differently).
    pub multiple_of: Option<(f64, bool)>,
}

impl NumRule {
    /// No constraint.
    pub const ANY: NumRule = NumRule {
        min: None,
        max: None,
        allowed: &[],
        multiple_of: None,
    };
}

/// Constraints of a list.
#[derive(Debug)]
pub struct ListRule {
    /// Each item.
    pub items: Shape,
    /// `minItems`.
    pub min_items: Option<u64>,
    /// `maxItems`.
    pub max_items: Option<u64>,
    /// `uniqueItems`: no two literal items are equal.
    pub unique: bool,
}

/// Constraints of an object.
#[derive(Debug)]
pub struct ObjRule {
    /// Its properties by CloudFormation name, sorted.
    pub properties: &'static [(&'static str, Shape)],
    /// `required`.
    pub required: &'static [&'static str],
    /// `oneOf` of required sets (and `requiredXor`): exactly one set is present in full.
    pub one_of: &'static [&'static [&'static [&'static str]]],
    /// `anyOf` of required sets (and `requiredOr`): at least one set is present in full.
    pub any_of: &'static [&'static [&'static [&'static str]]],
    /// `dependentRequired`: when the first is present, so are the others.
    pub dependent_required: &'static [(&'static str, &'static [&'static str])],
    /// `dependentExcluded`: when the first is present, none of the others is.
    pub dependent_excluded: &'static [(&'static str, &'static [&'static str])],
    /// `patternProperties`: a key a pattern matches (searched, as cfn-lint does) has its
    /// value checked against that pattern's shape.
    pub patterns: &'static [(&'static Pattern, Shape)],
    /// `minProperties`: at least this many keys.
    pub min_properties: Option<u64>,
    /// `maxProperties`: at most this many keys.
    pub max_properties: Option<u64>,
    /// `additionalProperties: false`: a property neither listed nor matched by a pattern is
    /// refused.
    pub closed: bool,
    /// A taggable resource's properties: `Tags` is checked as cfn-lint's E3024 checks it
    /// (keys 1 to 128 characters, none starting `aws:`, each key once; values at most 256).
    pub tagged: bool,
}

/// A schema `pattern`, compiled on first use.
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<Option<Regex>>,
}

impl std::fmt::Debug for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pattern({:?})", self.source)
    }
}

impl Pattern {
    /// A pattern from its source (not compiled until first used).
    pub const fn new(source: &'static str) -> Self {
        Pattern {
            source,
            compiled: OnceLock::new(),
        }
    }

    /// The pattern as the schema writes it.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Whether the pattern compiles, so values are checked against it.
    pub fn is_checkable(&self) -> bool {
        self.regex().is_some()
    }

    fn regex(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| Regex::new(self.source).ok())
            .as_ref()
    }

    /// `Some(matched)` (anywhere in `text`, as Python's `regex.search`), or `None` when the
    /// pattern cannot be checked (it does not compile).
    pub fn search(&self, text: &str) -> Option<bool> {
        self.regex().map(|r| r.is_match(text))
    }
}

/// The `format` values cfn-lint 1.51.0 checks (its `E1103`/`E1150`-`E1162` rules and its
/// JSON-schema format checker), with the same patterns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `AWS::EC2::VPC.Id`: `vpc-` and 8 or 17 hex digits.
    VpcId,
    /// `AWS::EC2::Subnet.Id`: `subnet-` and 8 or 17 hex digits.
    SubnetId,
    /// `AWS::EC2::SecurityGroup.Id`: `sg-` and 8 or 17 hex digits.
    SecurityGroupId,
    /// `AWS::EC2::SecurityGroup.Name`.
    SecurityGroupName,
    /// `AWS::EC2::Image.Id`: `ami-` and 8 or 17 characters.
    ImageId,
    /// `AWS::Logs::LogGroup.Name`.
    LogGroupName,
    /// `AWS::IAM::Role.Arn`.
    IamRoleArn,
    /// `AWS::KMS::Key.Arn`.
    KmsKeyArn,
    /// `AWS::KMS::Key.Id`: a key id, a multi-region key id or an alias.
    KmsKeyId,
    /// `AWS::KMS::Alias.AliasName`.
    KmsAliasName,
    /// `AWS::Lambda::Function.Arn`.
    LambdaFunctionArn,
    /// `AWS::Lambda::Function.Name`.
    LambdaFunctionName,
    /// `AWS::ACM::Certificate.Arn`.
    AcmCertificateArn,
    /// `AWS::SNS::Topic.Arn`.
    SnsTopicArn,
    /// `AWS::S3::Bucket.Name`.
    S3BucketName,
    /// `ipv4-network`: an IPv4 network with no host bits set (`10.0.0.0/16`).
    Ipv4Network,
    /// `ipv6-network`: an IPv6 network with no host bits set.
    Ipv6Network,
    /// `ipv4`.
    Ipv4,
    /// `ipv6`.
    Ipv6,
    /// `date-time` (RFC 3339).
    DateTime,
    /// `date` (`YYYY-MM-DD`).
    Date,
}

const ARN_PREFIX: &str = r"^arn:aws[a-zA-Z-]*:";

type Lazy = OnceLock<Option<Regex>>;

static VPC_ID: Lazy = OnceLock::new();
static SUBNET_ID: Lazy = OnceLock::new();
static SG_ID: Lazy = OnceLock::new();
static SG_NAME: Lazy = OnceLock::new();
static IMAGE_ID: Lazy = OnceLock::new();
static LOG_GROUP: Lazy = OnceLock::new();
static IAM_ROLE_ARN: Lazy = OnceLock::new();
static KMS_KEY_ARN: Lazy = OnceLock::new();
static KMS_KEY_ID: Lazy = OnceLock::new();
static KMS_ALIAS: Lazy = OnceLock::new();
static LAMBDA_ARN: Lazy = OnceLock::new();
static LAMBDA_NAME: Lazy = OnceLock::new();
static ACM_ARN: Lazy = OnceLock::new();
static SNS_ARN: Lazy = OnceLock::new();
static S3_BUCKET: Lazy = OnceLock::new();
static DATE_TIME: Lazy = OnceLock::new();
static DATE: Lazy = OnceLock::new();

fn format_regex(cell: &'static Lazy, source: impl FnOnce() -> String) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(&source()).ok()).as_ref()
}

impl Format {
    /// Every format, for tests and listings.
    pub const ALL: [Format; 21] = [
        Format::VpcId,
        Format::SubnetId,
        Format::SecurityGroupId,
        Format::SecurityGroupName,
        Format::ImageId,
        Format::LogGroupName,
        Format::IamRoleArn,
        Format::KmsKeyArn,
        Format::KmsKeyId,
        Format::KmsAliasName,
        Format::LambdaFunctionArn,
        Format::LambdaFunctionName,
        Format::AcmCertificateArn,
        Format::SnsTopicArn,
        Format::S3BucketName,
        Format::Ipv4Network,
        Format::Ipv6Network,
        Format::Ipv4,
        Format::Ipv6,
        Format::DateTime,
        Format::Date,
    ];

    /// The name the schemas use.
    pub fn name(self) -> &'static str {
        match self {
            Format::VpcId => "AWS::EC2::VPC.Id",
            Format::SubnetId => "AWS::EC2::Subnet.Id",
            Format::SecurityGroupId => "AWS::EC2::SecurityGroup.Id",
            Format::SecurityGroupName => "AWS::EC2::SecurityGroup.Name",
            Format::ImageId => "AWS::EC2::Image.Id",
            Format::LogGroupName => "AWS::Logs::LogGroup.Name",
            Format::IamRoleArn => "AWS::IAM::Role.Arn",
            Format::KmsKeyArn => "AWS::KMS::Key.Arn",
            Format::KmsKeyId => "AWS::KMS::Key.Id",
            Format::KmsAliasName => "AWS::KMS::Alias.AliasName",
            Format::LambdaFunctionArn => "AWS::Lambda::Function.Arn",
            Format::LambdaFunctionName => "AWS::Lambda::Function.Name",
            Format::AcmCertificateArn => "AWS::ACM::Certificate.Arn",
            Format::SnsTopicArn => "AWS::SNS::Topic.Arn",
            Format::S3BucketName => "AWS::S3::Bucket.Name",
            Format::Ipv4Network => "ipv4-network",
            Format::Ipv6Network => "ipv6-network",
            Format::Ipv4 => "ipv4",
            Format::Ipv6 => "ipv6",
            Format::DateTime => "date-time",
            Format::Date => "date",
        }
    }

    /// What the format is, in words, for error messages.
    pub fn describe(self) -> &'static str {
        match self {
            Format::VpcId => "`vpc-` and 8 or 17 hex digits",
            Format::SubnetId => "`subnet-` and 8 or 17 hex digits",
            Format::SecurityGroupId => "`sg-` and 8 or 17 hex digits",
            Format::ImageId => "`ami-` and 8 or 17 characters",
            Format::Ipv4Network => "an IPv4 network like `10.0.0.0/16`, no host bits set",
            Format::Ipv6Network => "an IPv6 network like `2001:db8::/56`, no host bits set",
            Format::Ipv4 => "an IPv4 address",
            Format::Ipv6 => "an IPv6 address",
            Format::DateTime => "an RFC 3339 date and time",
            Format::Date => "a date `YYYY-MM-DD`",
            Format::S3BucketName => "3 to 63 of `a-z0-9.-`, not starting or ending with `.`/`-`",
            Format::IamRoleArn
            | Format::KmsKeyArn
            | Format::LambdaFunctionArn
            | Format::AcmCertificateArn
            | Format::SnsTopicArn => "an ARN of that type",
            Format::SecurityGroupName
            | Format::LogGroupName
            | Format::KmsKeyId
            | Format::KmsAliasName
            | Format::LambdaFunctionName => "a name of that form",
        }
    }

    /// The format a schema names, when it is one cfn-lint checks.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether `text` has the format.
    pub fn accepts(self, text: &str) -> bool {
        let arn = |rest: &str| format!("{ARN_PREFIX}{rest}");
        let re = match self {
            Format::Ipv4Network => return ipv4_network(text),
            Format::Ipv6Network => return ipv6_network(text),
            Format::Ipv4 => return text.parse::<Ipv4Addr>().is_ok(),
            Format::Ipv6 => return !text.contains('%') && text.parse::<Ipv6Addr>().is_ok(),
            Format::VpcId => format_regex(&VPC_ID, || {
                r"^vpc-(([0-9A-Fa-f]{8})|([0-9A-Fa-f]{17}))$".into()
            }),
            Format::SubnetId => format_regex(&SUBNET_ID, || {
                r"^subnet-(([0-9A-Fa-f]{8})|([0-9A-Fa-f]{17}))$".into()
            }),
            Format::SecurityGroupId => {
                format_regex(&SG_ID, || r"^sg-([a-fA-F0-9]{8}|[a-fA-F0-9]{17})$".into())
            }
            Format::SecurityGroupName => format_regex(&SG_NAME, || {
                r"^[a-zA-Z0-9 \._\-:\/()#\,@\[\]+=&;\{\}!\$\*]+$".into()
            }),
            Format::ImageId => {
                format_regex(&IMAGE_ID, || r"^ami-([0-9a-z]{8}|[0-9a-z]{17})$".into())
            }
            Format::LogGroupName => {
                format_regex(&LOG_GROUP, || r"^[\.\-_\/#A-Za-z0-9]{1,512}\Z".into())
            }
            Format::IamRoleArn => format_regex(&IAM_ROLE_ARN, || arn(r"iam::\d{12}:role/.+$")),
            Format::KmsKeyArn => format_regex(&KMS_KEY_ARN, || {
                arn(r"kms:[a-z0-9-]+:\d{12}:(key|alias)/.+$")
            }),
            Format::KmsKeyId => format_regex(&KMS_KEY_ID, || {
                r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|alias/[a-zA-Z0-9/_-]+)$".into()
            }),
            Format::KmsAliasName => format_regex(&KMS_ALIAS, || r"^alias/[a-zA-Z0-9:/_-]+$".into()),
            Format::LambdaFunctionArn => format_regex(&LAMBDA_ARN, || {
                arn(r"lambda:[a-z0-9-]+:\d{12}:function:.+(:.+)?$")
            }),
            Format::LambdaFunctionName => {
                format_regex(&LAMBDA_NAME, || r"^[a-zA-Z0-9_-]{1,140}$".into())
            }
            Format::AcmCertificateArn => {
                format_regex(&ACM_ARN, || arn(r"acm:[a-z0-9-]+:\d{12}:certificate/.+$"))
            }
            Format::SnsTopicArn => format_regex(&SNS_ARN, || arn(r"sns:[a-z0-9-]+:\d{12}:.+$")),
            Format::S3BucketName => format_regex(&S3_BUCKET, || {
                r"^(?![.\-])(?!.*\.\.)(?!.*\-\.)(?!.*\.\-)[a-z0-9.\-]{3,63}(?<![.\-])$".into()
            }),
            Format::DateTime => format_regex(&DATE_TIME, || {
                r"^[0-9]{4}-(0[1-9]|1[0-2])-[0-9]{2}T([01][0-9]|2[0123]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-][+-]([01][0-9]|2[0123]):[0-5][0-9])$".into()
            }),
            Format::Date => format_regex(&DATE, || r"^[0-9]{4}-(0[1-9]|1[0-2])-[0-9]{2}$".into()),
        };
        // cfn-lint matches from the start (`re.match`); every pattern above is anchored
        re.is_some_and(|r| r.is_match(text))
    }
}

/// `a.b.c.d/len` (or a bare address) with no host bits set, as Python's `IPv4Network`.
fn ipv4_network(text: &str) -> bool {
    let (addr, len) = split_at_slash(text).unwrap_or((text, "32"));
    if len_has_sign_or_zeros(len) {
        return false;
    }
    let (Ok(addr), Ok(len)) = (addr.parse::<Ipv4Addr>(), len.parse::<u32>()) else {
        return false;
    };
    len <= 32 && u32::from(addr).checked_shl(len).unwrap_or(0) == 0
}

/// `addr/len` (or a bare address) with no host bits set, as Python's `IPv6Network`.
fn ipv6_network(text: &str) -> bool {
    let (addr, len) = split_at_slash(text).unwrap_or((text, "128"));
    if len_has_sign_or_zeros(len) {
        return false;
    }
    let (Ok(addr), Ok(len)) = (addr.parse::<Ipv6Addr>(), len.parse::<u32>()) else {
        return false;
    };
    len <= 128 && u128::from(addr).checked_shl(len).unwrap_or(0) == 0
}

/// A prefix length `+8` or `08`: Rust's integer parsing takes them, Python's network parsing
/// does not (the default length given for a bare address has neither).
fn len_has_sign_or_zeros(len: &str) -> bool {
    len.starts_with('+') || (len.len() > 1 && len.starts_with('0'))
}

/// How a failed check is reported: in full (a [`Violation`] naming the path, the value and
/// the constraint), or as a bare "no" while the alternatives of an `anyOf`/`oneOf` are tried,
/// so that trying them builds no message and allocates nothing.
trait Report {
    type Error;
    /// Whether an intrinsic function passes (it is known at deploy time only); the
    /// condition of an `if` and the body of a `not` are decided on literals alone.
    const INTRINSICS_PASS: bool = true;
    /// Whether a failure is reported in full: otherwise nothing about it is worked out (which
    /// alternative of a union was meant, ...), since only "no" is kept.
    const DETAILED: bool = false;
    fn fail(path: &str, value: &Value, constraint: impl FnOnce() -> String) -> Self::Error;
    /// `error` with a note on where it was found appended to its constraint.
    fn note(error: Self::Error, note: impl FnOnce() -> String) -> Self::Error;
}

/// Violations in full.
struct Full;

impl Report for Full {
    type Error = Violation;
    const DETAILED: bool = true;
    fn fail(path: &str, value: &Value, constraint: impl FnOnce() -> String) -> Violation {
        Violation::new(path, value, constraint())
    }
    fn note(mut error: Violation, note: impl FnOnce() -> String) -> Violation {
        error.constraint.push_str(&note());
        error
    }
}

/// Only whether the value is accepted.
struct Quiet;

impl Report for Quiet {
    type Error = ();
    fn fail(_: &str, _: &Value, _: impl FnOnce() -> String) {}
    fn note(_: (), _: impl FnOnce() -> String) {}
}

/// Only whether the value is accepted on its literals alone (an intrinsic fails).
struct Strict;

impl Report for Strict {
    type Error = ();
    const INTRINSICS_PASS: bool = false;
    fn fail(_: &str, _: &Value, _: impl FnOnce() -> String) {}
    fn note(_: (), _: impl FnOnce() -> String) {}
}

/// Checks `value` (the `Properties` map of a resource) against `rule`.
///
/// Quietly first (no path, no message: what accepting costs), and only when that refuses,
/// again in full for the violation. Both take the same decisions: `Quiet` differs from
/// `Full` only in what it reports.
pub fn check(rule: &ObjRule, value: &Value) -> Result<(), Violation> {
    let mut path = String::new();
    if check_object::<Quiet>(rule, value, &mut path).is_ok() {
        return Ok(());
    }
    path.clear();
    check_object::<Full>(rule, value, &mut path)
}

/// Checks one value against a shape; `path` is where it is (for the violation).
pub fn check_shape(shape: &Shape, value: &Value, path: &str) -> Result<(), Violation> {
    if check_value::<Quiet>(shape, value, &mut String::new()).is_ok() {
        return Ok(());
    }
    let mut path = path.to_owned();
    check_value::<Full>(shape, value, &mut path)
}

/// Whether `value` satisfies `shape` (what [`check_shape`] checks, without building a
/// violation).
pub fn accepts(shape: &Shape, value: &Value) -> bool {
    let mut path = String::new();
    check_value::<Quiet>(shape, value, &mut path).is_ok()
}

/// Whether `value` is known at synthesis: not an intrinsic function, typed or written as data
/// (a map whose only key is `Ref` or `Fn::...`: synthesis keeps as data the forms `Value` has
/// no type for, `Fn::Join` over a list parameter, `Fn::Transform`, ..., after checking the
/// references inside them).
#[inline]
fn is_literal(value: &Value) -> bool {
    match value {
        Value::Null | Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::List(_) => true,
        Value::Map(m) => m.len() != 1 || !m.keys().all(|k| k == "Ref" || k.starts_with("Fn::")),
        _ => false,
    }
}

/// Whether `value` holds no intrinsic function at any depth ([`is_literal`] all the way down).
fn literal_throughout(value: &Value) -> bool {
    is_literal(value)
        && match value {
            Value::List(items) => items.iter().all(literal_throughout),
            Value::Map(m) => m.values().all(literal_throughout),
            _ => true,
        }
}

/// The condition of an `if` decided in one pass where the literals settle it: `Some(true)`
/// when the strict check accepts `value` (the `then` branch), `Some(false)` when the strict
/// and the quiet check both refuse it (the `else` branch: no intrinsic can make it hold),
/// `None` when an intrinsic or a shape this does not follow leaves it to those two checks.
/// Each shape it follows answers as [`check_value`] does: a scalar has no intrinsic inside,
/// so the quiet check decides it for both; an object's rules on names are literal.
fn decide(shape: &Shape, value: &Value) -> Option<bool> {
    decide_in(shape, value, None)
}

/// [`decide`], with `view` the view of `value` when it has one (its entries are then not
/// copied again, and a flat map's other keys are known to be scalars).
fn decide_in(shape: &Shape, value: &Value, view: Option<MapView>) -> Option<bool> {
    if matches!(value, Value::Null) || matches!(shape, Shape::Never) {
        return Some(false);
    }
    if !is_literal(value) {
        return None;
    }
    let scalar = matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_));
    match shape {
        Shape::Typed(mask) => Some(typed_accepts(*mask, value)),
        // a string rule on a scalar: what `check_value` would call, without its tests of the
        // value that have been made above
        Shape::Str(rule) if scalar => Some(match value {
            Value::String(s) => check_str::<Quiet>(rule, s, value, "").is_ok(),
            _ => check_str_form::<Quiet>(rule, value, "").is_ok(),
        }),
        Shape::Int(_) | Shape::Num(_) | Shape::Bool if scalar => {
            Some(check_value::<Quiet>(shape, value, &mut String::new()).is_ok())
        }
        // a list or an object is none of these types
        Shape::Str(_) | Shape::Int(_) | Shape::Num(_) | Shape::Bool => Some(false),
        Shape::AllOf(all) => all_hold(all.iter().map(|part| decide_in(part, value, view))),
        Shape::AnyOf(alternatives) => {
            any_holds(alternatives.iter().map(|alt| decide_in(alt, value, view)))
        }
        Shape::Object(rule) => {
            let Value::Map(map) = value else {
                return Some(false); // a literal of another type
            };
            // the tags' own rules, a closed object's other keys and patterns are left to the
            // checks
            if rule.tagged || rule.closed || !rule.patterns.is_empty() {
                return None;
            }
            let get = |n: &str| map.get(n);
            // a flat map's other keys are scalars: nothing to look at
            if view.is_some_and(|v| v.flat) {
                decide_object(rule, map.len(), get, std::iter::empty())
            } else {
                decide_object(rule, map.len(), get, named_entries(map))
            }
        }
        _ => None,
    }
}

/// [`decide_in`] on a flat literal map (`view.flat`): the same answers, from a function small
/// enough that the few levels of a condition (an `anyOf` of an object form and the other
/// types, an object naming one property) cost little each.
fn decide_flat(shape: &Shape, view: MapView) -> Option<bool> {
    match shape {
        Shape::Typed(mask) => Some(mask & json_type::OBJECT != 0),
        // a map is none of these types
        Shape::Never | Shape::Str(_) | Shape::Int(_) | Shape::Num(_) | Shape::Bool => Some(false),
        Shape::AllOf(all) => all_hold(all.iter().map(|part| decide_flat_part(part, view))),
        Shape::AnyOf(alternatives) => {
            any_holds(alternatives.iter().map(|alt| decide_flat_part(alt, view)))
        }
        Shape::Object(rule) => {
            if rule.tagged || rule.closed || !rule.patterns.is_empty() {
                return None;
            }
            let map = view.map;
            // the other keys are scalars: nothing to look at
            decide_object(rule, map.len(), |n| map.get(n), std::iter::empty())
        }
        _ => None,
    }
}

/// [`decide_flat`] on a part of an `allOf`/`anyOf`: a type (beside most object forms of the
/// extension schemas: "an object, or any other type") settled without another call.
#[inline]
fn decide_flat_part(shape: &Shape, view: MapView) -> Option<bool> {
    match shape {
        Shape::Typed(mask) => Some(mask & json_type::OBJECT != 0),
        _ => decide_flat(shape, view),
    }
}

/// [`decide`] on a map's value: a string rule or a type on a scalar (most values a condition
/// tests) answered here, without [`decide`]'s general tests.
#[inline]
fn decide_value(shape: &Shape, value: &Value) -> Option<bool> {
    match (shape, value) {
        (Shape::Str(rule), Value::String(s)) => {
            Some(check_str::<Quiet>(rule, s, value, "").is_ok())
        }
        (Shape::Str(rule), Value::Number(_) | Value::Bool(_)) => {
            Some(check_str_form::<Quiet>(rule, value, "").is_ok())
        }
        (Shape::Typed(mask), Value::String(_) | Value::Number(_) | Value::Bool(_)) => {
            Some(typed_accepts(*mask, value))
        }
        _ => decide(shape, value),
    }
}

/// [`decide`] on an open object without patterns: `get` finds a key's value, `entries` are
/// the map's.
fn decide_object<'a>(
    rule: &ObjRule,
    count: usize,
    get: impl Fn(&str) -> Option<&'a Value>,
    mut entries: impl Iterator<Item = (&'a str, &'a Value)>,
) -> Option<bool> {
    // the values first: a condition is mostly refuted by one (a protocol, a port), and a
    // refusal anywhere is the answer whatever the names say
    let values_hold = all_hold(
        rule.properties
            .iter()
            .filter_map(|(name, shape)| get(name).map(|v| decide_value(shape, v))),
    );
    if values_hold == Some(false) {
        return Some(false);
    }
    if !names_accepted(rule, count, |n| get(n).is_some()) {
        return Some(false);
    }
    // the keys it does not list are free-form: a scalar passes, anything else is left to
    // the checks (an intrinsic or a `null` inside)
    let others_hold = entries.all(|(k, v)| {
        matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_))
            || rule
                .properties
                .binary_search_by(|(n, _)| name_cmp(n, k))
                .is_ok()
    });
    (values_hold == Some(true) && others_hold).then_some(true)
}

/// Whether every part holds, each decided in turn (`Some(false)` at the first refuted;
/// `Some(true)` when all hold; `None` when none is refuted and one cannot be decided).
#[inline]
fn all_hold(parts: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    let mut decided = true;
    for part in parts {
        match part {
            Some(false) => return Some(false),
            Some(true) => {}
            None => decided = false,
        }
    }
    decided.then_some(true)
}

/// Whether some alternative holds, each decided in turn (`Some(true)` at the first that holds;
/// `Some(false)` when all are refuted; `None` when none holds and one cannot be decided).
#[inline]
fn any_holds(alternatives: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    let mut decided = true;
    for alt in alternatives {
        match alt {
            Some(true) => return Some(true),
            Some(false) => {}
            None => decided = false,
        }
    }
    decided.then_some(false)
}

/// Whether an object's rules on its names hold (`required`, `minProperties`,
/// `maxProperties`, the `oneOf`/`anyOf` of required sets, `dependentRequired`,
/// `dependentExcluded`): what [`check_object`] checks before the values, as a yes or no.
/// `has` says whether the map has a key, `count` how many it has.
fn names_accepted(rule: &ObjRule, count: usize, has: impl Fn(&str) -> bool) -> bool {
    let has_all = |set: &[&str]| set.iter().all(|p| has(p));
    let count = count as u64;
    rule.required.iter().all(|r| has(r))
        && rule.min_properties.is_none_or(|min| count >= min)
        && rule.max_properties.is_none_or(|max| count <= max)
        && rule
            .one_of
            .iter()
            .all(|sets| sets.iter().filter(|s| has_all(s)).count() == 1)
        && rule
            .any_of
            .iter()
            .all(|sets| sets.iter().any(|s| has_all(s)))
        && rule
            .dependent_required
            .iter()
            .all(|(when, then)| !has(when) || then.iter().all(|p| has(p)))
        && rule
            .dependent_excluded
            .iter()
            .all(|(when, excluded)| !has(when) || !excluded.iter().any(|p| has(p)))
}

/// [`check_object`] when only "no" is reported: the rules on names, the tags, then each value
/// in one merge of the sorted keys with the sorted properties (no search per key, no path, no
/// message: a failure anywhere is the same "no").
fn check_map_quietly<R: Report>(
    rule: &ObjRule,
    map: &cloudwright_core::Map,
    path: &mut String,
) -> Result<(), R::Error> {
    if !names_accepted(rule, map.len(), |n| map.contains_key(n)) {
        return Err(R::fail(path, &Value::Null, String::new));
    }
    if rule.tagged
        && let Some(tags) = map.get("Tags")
    {
        check_tags::<R>(tags, path)?;
    }
    check_entries_quietly::<R>(rule, named_entries(map), path)
}

/// The values of a quiet object check, in one merge of the sorted keys with the sorted
/// properties.
fn check_entries_quietly<'a, R: Report>(
    rule: &ObjRule,
    entries: impl Iterator<Item = (&'a str, &'a Value)>,
    path: &mut String,
) -> Result<(), R::Error> {
    let mut next = 0; // every listed property before it sorts before the key
    for (name, v) in entries {
        let known = loop {
            match rule.properties.get(next) {
                None => break None,
                Some((n, shape)) => match name_cmp(n, name) {
                    Ordering::Less => next += 1,
                    Ordering::Equal => break Some(shape),
                    Ordering::Greater => break None,
                },
            }
        };
        if let Some(shape) = known {
            check_value::<R>(shape, v, path)?;
        }
        // `patternProperties` (a pattern that cannot be checked matches)
        let mut matched = false;
        for (pattern, shape) in rule.patterns {
            if pattern.search(name) != Some(false) {
                matched = true;
                check_value::<R>(shape, v, path)?;
            }
        }
        if known.is_none() && !matched {
            if rule.closed {
                return Err(R::fail(path, v, String::new));
            }
            // a name an open object admits: free-form, but never null
            if !matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_)) {
                check_value::<R>(&Shape::Any, v, path)?;
            }
        }
    }
    Ok(())
}

/// `value` against `shape`, reported as `R` reports; `path` is where it is.
///
/// The commonest leaves (a string rule on a string, an integer rule on a number) are answered
/// here, as [`check_general`] answers them, without entering it: most calls are on them.
#[inline]
fn check_value<R: Report>(shape: &Shape, value: &Value, path: &mut String) -> Result<(), R::Error> {
    match (shape, value) {
        (Shape::Str(rule), Value::String(s)) => check_str::<R>(rule, s, value, path),
        (Shape::Int(rule), Value::Number(n)) => match n.as_f64().filter(|n| n.fract() == 0.0) {
            Some(n) => check_num::<R>(rule, n, value, path),
            None => Err(R::fail(path, value, || "type integer".into())),
        },
        _ => check_general::<R>(shape, value, path),
    }
}

/// [`check_value`] for any shape and value (kept apart, so that the leaves answered there
/// need none of its set-up).
#[inline(never)]
fn check_general<R: Report>(
    shape: &Shape,
    value: &Value,
    path: &mut String,
) -> Result<(), R::Error> {
    if matches!(value, Value::Null) {
        return Err(R::fail(path, value, || NO_NULL.into()));
    }
    if matches!(shape, Shape::Never) {
        return Err(R::fail(path, value, || {
            "no value here (the schema is `false`)".into()
        }));
    }
    if !is_literal(value) {
        // an intrinsic: known at deploy time only
        return if R::INTRINSICS_PASS {
            Ok(())
        } else {
            Err(R::fail(path, value, String::new))
        };
    }
    match shape {
        Shape::Never => Ok(()), // refused above
        Shape::Not(inner) => {
            let len = path.len();
            let satisfied = check_value::<Strict>(inner, value, path).is_ok();
            path.truncate(len);
            if satisfied {
                Err(R::fail(path, value, || format!("not: {}", describe(inner))))
            } else {
                Ok(())
            }
        }
        Shape::If(rule) => {
            // most conditions are settled by a literal or two (a protocol, a port): decided
            // in one pass when they are, else strictly and then quietly below
            let decided = decide(&rule.cond, value);
            if decided == Some(true) {
                return check_value::<R>(&rule.then, value, path)
                    .map_err(|e| R::note(e, || format!(" (if {})", describe(&rule.cond))));
            }
            if decided == Some(false) {
                return check_value::<R>(&rule.otherwise, value, path)
                    .map_err(|e| R::note(e, || format!(" (if not {})", describe(&rule.cond))));
            }
            let len = path.len();
            let proven = check_value::<Strict>(&rule.cond, value, path).is_ok();
            path.truncate(len);
            if proven {
                return check_value::<R>(&rule.then, value, path)
                    .map_err(|e| R::note(e, || format!(" (if {})", describe(&rule.cond))));
            }
            // with no intrinsic inside, the quiet check would take the strict one's path
            let possible =
                !literal_throughout(value) && check_value::<Quiet>(&rule.cond, value, path).is_ok();
            path.truncate(len);
            if possible {
                return Ok(()); // an intrinsic leaves the condition open
            }
            check_value::<R>(&rule.otherwise, value, path)
                .map_err(|e| R::note(e, || format!(" (if not {})", describe(&rule.cond))))
        }
        Shape::Any => no_null_inside::<R>(value, path),
        Shape::Str(rule) => match value {
            Value::String(s) => check_str::<R>(rule, s, value, path),
            // CloudFormation passes numbers and booleans on as strings: their string forms
            // are checked against the enum and the pattern, as cfn-lint does
            Value::Number(_) | Value::Bool(_) => check_str_form::<R>(rule, value, path),
            _ => Err(R::fail(path, value, || "type string".into())),
        },
        Shape::Int(rule) | Shape::Num(rule) => {
            let integer = matches!(shape, Shape::Int(_));
            let n = match value {
                Value::Number(n) => n.as_f64().filter(|n| !integer || n.fract() == 0.0),
                // cfn-lint reads a string with Python's int() or float()
                Value::String(s) if integer => python_int(s),
                Value::String(s) => python_float(s),
                _ => None,
            };
            let Some(n) = n else {
                return Err(R::fail(path, value, || {
                    if integer {
                        "type integer".into()
                    } else {
                        "type number".into()
                    }
                }));
            };
            check_num::<R>(rule, n, value, path)
        }
        Shape::Bool => match value {
            Value::Bool(_) => Ok(()),
            // exactly the spellings cfn-lint (and CloudFormation) take
            Value::String(s) if BOOLEAN_STRINGS.contains(&s.as_str()) => Ok(()),
            _ => Err(R::fail(path, value, || {
                "type boolean (true, True, TRUE, false, False or FALSE)".into()
            })),
        },
        Shape::List(rule) => {
            let Value::List(items) = value else {
                return Err(R::fail(path, value, || "type array".into()));
            };
            let n = items.len() as u64;
            if let Some(min) = rule.min_items
                && n < min
            {
                return Err(R::fail(path, value, || format!("minItems {min}")));
            }
            if let Some(max) = rule.max_items
                && n > max
            {
                return Err(R::fail(path, value, || format!("maxItems {max}")));
            }
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                push_index::<R>(path, i);
                check_value::<R>(&rule.items, item, path)?;
                if rule.unique
                    && is_literal(item)
                    && let Some(first) = items[..i]
                        .iter()
                        .position(|earlier| same_item(earlier, item))
                {
                    return Err(R::fail(path, item, || {
                        format!("uniqueItems (the same as item {first})")
                    }));
                }
                path.truncate(len);
            }
            Ok(())
        }
        Shape::Items(prefix) => {
            // `prefixItems`: item i against shape i; items beyond them are left to `items`
            let Value::List(items) = value else {
                return Ok(());
            };
            for (i, (item, shape)) in items.iter().zip(prefix.iter()).enumerate() {
                let len = path.len();
                push_index::<R>(path, i);
                check_value::<R>(shape, item, path).map_err(|e| {
                    R::note(e, || {
                        format!(" (prefixItems: item {i} of a positional list)")
                    })
                })?;
                path.truncate(len);
            }
            Ok(())
        }
        Shape::Object(rule) => check_object::<R>(rule, value, path),
        Shape::Typed(mask) => {
            if typed_accepts(*mask, value) {
                Ok(())
            } else {
                Err(R::fail(path, value, || {
                    format!("type {}", type_names(*mask))
                }))
            }
        }
        Shape::AllOf(all) => {
            for s in all.iter() {
                check_value::<R>(s, value, path)?;
            }
            Ok(())
        }
        Shape::AnyOf(alternatives) => {
            for alt in alternatives.iter() {
                if quietly_accepts::<R>(alt, value, path) {
                    return Ok(());
                }
            }
            Err(union_failure::<R>("anyOf", alternatives, value, path, 0))
        }
        Shape::OneOf(alternatives) => {
            let mut valid = 0;
            // an alternative the generator could only keep as "some object" (or anything)
            // accepts more than the schema's does: two of them accepting says nothing about
            // whether exactly one of the real ones would, so only precise ones can refuse
            let mut loose = false;
            for alt in alternatives.iter() {
                if quietly_accepts::<R>(alt, value, path) {
                    valid += 1;
                    loose |= matches!(alt, Shape::Any | Shape::Typed(_));
                }
            }
            if valid == 1 || (valid > 1 && loose) {
                Ok(())
            } else {
                Err(union_failure::<R>(
                    "oneOf",
                    alternatives,
                    value,
                    path,
                    valid,
                ))
            }
        }
    }
}

/// Whether `shape` accepts `value`, with `path` left as it was; intrinsics pass as they do
/// for `R` (not inside the condition of an `if`).
fn quietly_accepts<R: Report>(shape: &Shape, value: &Value, path: &mut String) -> bool {
    let len = path.len();
    let ok = if R::INTRINSICS_PASS {
        check_value::<Quiet>(shape, value, path).is_ok()
    } else {
        check_value::<Strict>(shape, value, path).is_ok()
    };
    path.truncate(len);
    ok
}

/// The violation of an `anyOf`/`oneOf` no alternative (or, for `oneOf`, more than one)
/// accepts: the violation of the alternative the literal was meant for when there is one
/// (the only one of its JSON type, or the object form naming most of its keys), else the
/// literal against the list of alternatives.
fn union_failure<R: Report>(
    keyword: &'static str,
    alternatives: &[Shape],
    value: &Value,
    path: &mut String,
    valid: usize,
) -> R::Error {
    if !R::DETAILED {
        return R::fail(path, value, String::new);
    }
    if valid >= 2 {
        return R::fail(path, value, || {
            format!(
                "{keyword}: exactly one alternative, but {valid} accept it: {}",
                describe_all(alternatives)
            )
        });
    }
    if let Some((i, by_keys)) = intended(alternatives, value) {
        let len = path.len();
        let result = check_value::<R>(&alternatives[i], value, path);
        path.truncate(len);
        if let Err(e) = result {
            if !by_keys {
                return e; // the only form of its JSON type: its violation says it all
            }
            return R::note(e, || {
                format!(
                    " (the {keyword} alternative {} of {}: {})",
                    i + 1,
                    alternatives.len(),
                    describe(&alternatives[i])
                )
            });
        }
    }
    R::fail(path, value, || {
        format!(
            "{keyword}: none of the alternatives accepts it: {}",
            describe_all(alternatives)
        )
    })
}

/// The alternative a literal was meant for: the only one of its JSON type (`false`), or, for
/// an object, the object form whose properties name most of its keys (`true`).
fn intended(alternatives: &[Shape], value: &Value) -> Option<(usize, bool)> {
    let mut same = alternatives
        .iter()
        .enumerate()
        .filter(|(_, a)| same_kind(a, value));
    let first = same.next()?;
    if same.next().is_none() {
        return Some((first.0, false));
    }
    let Value::Map(map) = value else {
        return None;
    };
    let named = |shape: &Shape| -> usize {
        let Some(rule) = object_rule(shape) else {
            return 0;
        };
        map.keys()
            .filter(|k| {
                rule.properties
                    .binary_search_by(|(n, _)| (*n).cmp(&**k))
                    .is_ok()
            })
            .count()
    };
    let scores: Vec<usize> = alternatives.iter().map(named).collect();
    let best = scores.iter().copied().max().filter(|m| *m > 0)?;
    let mut at = scores.iter().enumerate().filter(|(_, s)| **s == best);
    let (i, _) = at.next()?;
    at.next().is_none().then_some((i, true))
}

/// The object rule of an object shape (or of the first object part of an `allOf`).
fn object_rule(shape: &Shape) -> Option<&ObjRule> {
    match shape {
        Shape::Object(rule) => Some(rule),
        Shape::AllOf(all) => all.iter().find_map(object_rule),
        _ => None,
    }
}

/// Whether two list items are the same for `uniqueItems`, as cfn-lint compares them
/// (`cfnlint/jsonschema/_utils.py` `equal`): CloudFormation passes scalars on as strings, so
/// `37` and `"37"` are the same item, a boolean and a boolean word compare case-insensitively
/// (`true`, `"TRUE"`), `1` and `1.0` are equal; lists and objects compare item by item.
fn same_item(a: &Value, b: &Value) -> bool {
    let scalar = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(_) => Some(python_number(v)),
            Value::Bool(true) => Some("True".into()),
            Value::Bool(false) => Some("False".into()),
            _ => None,
        }
    };
    let boolean_word = |v: &Value| match v {
        Value::Bool(_) => true,
        Value::String(s) => s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false"),
        _ => false,
    };
    match (a, b) {
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_item(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_item(v, w)))
        }
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Bool(_) | Value::String(_), Value::Bool(_) | Value::String(_))
            if boolean_word(a) || boolean_word(b) =>
        {
            match (scalar(a), scalar(b)) {
                (Some(p), Some(q)) => p.eq_ignore_ascii_case(&q),
                _ => false,
            }
        }
        (Value::String(_), _) | (_, Value::String(_)) => match (scalar(a), scalar(b)) {
            (Some(p), Some(q)) => p == q,
            _ => false,
        },
        _ => a == b,
    }
}

/// Whether `value` is of the JSON type `shape` expects.
fn same_kind(shape: &Shape, value: &Value) -> bool {
    type_bit(value) & kind_bits(shape) != 0
}

/// The JSON types a shape is about.
fn kind_bits(shape: &Shape) -> u8 {
    match shape {
        Shape::Str(_) => json_type::STRING,
        Shape::Int(_) | Shape::Num(_) => json_type::NUMBER,
        Shape::Bool => json_type::BOOLEAN,
        Shape::List(_) | Shape::Items(_) => json_type::ARRAY,
        Shape::Object(_) => json_type::OBJECT,
        Shape::Typed(mask) => *mask,
        Shape::Any | Shape::Never | Shape::Not(_) | Shape::If(_) => 0,
        Shape::AllOf(all) => all.iter().map(kind_bits).find(|b| *b != 0).unwrap_or(0),
        Shape::AnyOf(alts) | Shape::OneOf(alts) => alts.iter().fold(0, |m, a| m | kind_bits(a)),
    }
}

/// The JSON type names of a mask of [`json_type`] bits: `object or string`.
fn type_names(mask: u8) -> String {
    let names = ["object", "string", "array", "number", "boolean"];
    let picked: Vec<&str> = (0..5)
        .filter(|i| mask & (1 << i) != 0)
        .map(|i| names[i])
        .collect();
    picked.join(" or ")
}

/// A shape in words, for the violation of an `anyOf`/`oneOf`.
pub fn describe(shape: &Shape) -> String {
    match shape {
        Shape::Any => "any value".into(),
        Shape::Str(rule) => {
            let mut parts = Vec::new();
            if !rule.allowed.is_empty() {
                parts.push(enum_constraint(rule.allowed));
            }
            if !rule.allowed_any_case.is_empty() {
                parts.push(format!(
                    "{} in any case",
                    enum_constraint(rule.allowed_any_case)
                ));
            }
            if let Some(p) = rule.pattern {
                parts.push(format!("pattern {}", p.source()));
            }
            if let Some(f) = rule.format {
                parts.push(format!("format {}", f.name()));
            }
            if let Some(min) = rule.min_len {
                parts.push(format!("minLength {min}"));
            }
            if let Some(max) = rule.max_len {
                parts.push(format!("maxLength {max}"));
            }
            if parts.is_empty() {
                "a string".into()
            } else {
                parts.join(" and ")
            }
        }
        Shape::Int(rule) | Shape::Num(rule) => {
            let mut s = String::from(if matches!(shape, Shape::Int(_)) {
                "an integer"
            } else {
                "a number"
            });
            if !rule.allowed.is_empty() {
                let _ = write!(s, " in {:?}", rule.allowed);
            }
            if let Some(min) = rule.min {
                let _ = write!(s, " at least {min}");
            }
            if let Some(max) = rule.max {
                let _ = write!(s, " at most {max}");
            }
            s
        }
        Shape::Bool => "a boolean".into(),
        Shape::List(_) | Shape::Items(_) => "a list".into(),
        Shape::Object(rule) => {
            let names = |set: &[&str]| -> String {
                let shown: Vec<&str> = set.iter().take(4).copied().collect();
                let more = if set.len() > 4 { ", ..." } else { "" };
                format!("{}{more}", shown.join(", "))
            };
            if !rule.required.is_empty() {
                format!("an object with {}", names(rule.required))
            } else if rule.closed && !rule.properties.is_empty() {
                let props: Vec<&str> = rule.properties.iter().map(|(n, _)| *n).collect();
                format!("an object of only {}", names(&props))
            } else {
                "an object".into()
            }
        }
        Shape::Typed(mask) => format!("a value of type {}", type_names(*mask)),
        Shape::AllOf(all) => {
            let parts: Vec<String> = all.iter().map(describe).collect();
            parts.join(" and ")
        }
        Shape::Never => "no value".into(),
        Shape::Not(inner) => format!("not {}", describe(inner)),
        Shape::If(rule) => format!(
            "if {} then {} else {}",
            describe(&rule.cond),
            describe(&rule.then),
            describe(&rule.otherwise)
        ),
        Shape::AnyOf(alts) => format!("any of ({})", describe_all(alts)),
        Shape::OneOf(alts) => format!("exactly one of ({})", describe_all(alts)),
    }
}

fn describe_all(alternatives: &[Shape]) -> String {
    let parts: Vec<String> = alternatives
        .iter()
        .enumerate()
        .map(|(i, a)| format!("({}) {}", i + 1, describe(a)))
        .collect();
    parts.join("; ")
}

/// A property name as a path segment, written in place when `R` reports where a failure is
/// (a quiet check, trying alternatives, keeps no path).
fn push_segment<R: Report>(path: &mut String, segment: &str) {
    if !R::DETAILED {
        return;
    }
    if !path.is_empty() {
        path.push('/');
    }
    path.push_str(segment);
}

/// A list index as a path segment, written in place (as [`push_segment`]).
fn push_index<R: Report>(path: &mut String, i: usize) {
    if !R::DETAILED {
        return;
    }
    if !path.is_empty() {
        path.push('/');
    }
    let _ = write!(path, "{i}");
}

/// A tag key cfn-lint (E3024) and AWS accept: not empty, and not in the reserved `aws:`
/// namespace (a key of one line: `.` stops at a newline).
/// (The pattern itself is kept for the test that holds [`tag_key_matches`] to it.)
#[cfg(test)]
static TAG_KEY: Pattern = Pattern::new("^(?!aws:).+$");

/// Whether the tag key pattern (`^(?!aws:).+$`) matches `key`, without the pattern engine (every
/// tag of every resource is checked): not starting `aws:`, and one line of at least one
/// character (`.` stops at a newline; `$` holds at the end or before a final newline).
fn tag_key_matches(key: &str) -> bool {
    let line = key.bytes().position(|b| b == b'\n').unwrap_or(key.len());
    !key.starts_with("aws:") && line >= 1 && (line == key.len() || line + 1 == key.len())
}

/// The `Tags` of a taggable resource, as cfn-lint's E3024 (its `tagging.json`) checks them:
/// a list of `Key`/`Value` objects (keys 1 to 128 characters, not starting `aws:`, no key
/// twice; values at most 256) or a map of the same.
fn check_tags<R: Report>(tags: &Value, path: &mut String) -> Result<(), R::Error> {
    // lengths in characters, counted only when the bytes could exceed the bound
    let key_problem = |k: &str| -> Option<&'static str> {
        if k.is_empty() || (k.len() > 128 && k.chars().count() > 128) {
            Some("tag key of 1 to 128 characters (E3024)")
        } else if !tag_key_matches(k) {
            Some("tag key not in the reserved aws: namespace (pattern ^(?!aws:).+$, E3024)")
        } else {
            None
        }
    };
    let value_ok = |value: &Value, path: &str| -> Result<(), R::Error> {
        match value {
            Value::String(v) if v.len() > 256 && v.chars().count() > 256 => {
                Err(R::fail(path, value, || {
                    "tag value of at most 256 characters (E3024)".into()
                }))
            }
            _ => Ok(()),
        }
    };
    match tags {
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                let Value::Map(tag) = item else { continue }; // the type check reports it
                let len = path.len();
                push_index::<R>(path, i);
                let Some(key) = tag.get("Key") else {
                    push_segment::<R>(path, "Key");
                    return Err(R::fail(path, &Value::Null, || {
                        "required property Key (E3024: a tag has a Key)".into()
                    }));
                };
                let l = path.len();
                push_segment::<R>(path, "Key");
                if let Value::String(k) = key
                    && let Some(c) = key_problem(k)
                {
                    return Err(R::fail(path, key, || c.into()));
                }
                if is_literal(key)
                    && items[..i].iter().any(|earlier| match earlier {
                        Value::Map(e) => e.get("Key") == Some(key),
                        _ => false,
                    })
                {
                    return Err(R::fail(path, key, || {
                        "each tag key once (E3024: items not unique for Key)".into()
                    }));
                }
                path.truncate(l);
                if let Some(value) = tag.get("Value") {
                    push_segment::<R>(path, "Value");
                    value_ok(value, path)?;
                }
                path.truncate(len);
            }
            Ok(())
        }
        Value::Map(map) => {
            for (k, v) in map {
                let len = path.len();
                push_segment::<R>(path, k);
                if let Some(c) = key_problem(k) {
                    return Err(R::fail(path, &Value::String(k.to_string()), || c.into()));
                }
                value_ok(v, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        // cfn-lint's tagging schema: `type: [array, object]`
        Value::String(_) | Value::Number(_) | Value::Bool(_) => Err(R::fail(path, tags, || {
            "type array or object (E3024: a list of Key/Value objects or a map)".into()
        })),
        _ => Ok(()),
    }
}

/// What a `null` literal violates.
const NO_NULL: &str = "no null values (CloudFormation refuses `null` anywhere in a template: leave the property unset)";

/// The spellings of a boolean in a string that cfn-lint and CloudFormation take.
const BOOLEAN_STRINGS: [&str; 6] = ["true", "True", "TRUE", "false", "False", "FALSE"];

/// A string as Python's `int()` reads it (what cfn-lint uses for an integer given as a
/// string): surrounding whitespace, an optional sign, decimal digits with single underscores
/// between them. No fraction, no exponent: `"28e0"` and `"1.0"` are not integers.
fn python_int(s: &str) -> Option<f64> {
    let t = s.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if !python_digits(digits) {
        return None;
    }
    t.replace('_', "").parse::<f64>().ok()
}

/// A string as Python's `float()` reads it: whitespace around, an optional sign, digits
/// (single underscores between digits), a fraction, an exponent, or `inf`/`infinity`/`nan`
/// in any case.
fn python_float(s: &str) -> Option<f64> {
    let t = s.trim();
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    let lower = unsigned.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return t.to_ascii_lowercase().parse::<f64>().ok();
    }
    let (mantissa, exponent) = match lower.split_once('e') {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (lower.as_str(), None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let part = |p: &str| p.is_empty() || python_digits(p);
    if (whole.is_empty() && fraction.is_empty())
        || !part(whole)
        || !part(fraction)
        || exponent.is_some_and(|e| !python_digits(e))
    {
        return None;
    }
    t.replace('_', "").parse::<f64>().ok()
}

/// One or more ASCII digits, with single underscores only between two digits.
fn python_digits(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('_')
        && !s.ends_with('_')
        && !s.contains("__")
        && s.bytes().all(|b| b.is_ascii_digit() || b == b'_')
}

/// A number as Python writes it (`str()` of an int or a float: `1`, `1.0`, `3.25`, `1e+16`,
/// `1.5e-05`), the form cfn-lint compares with a string enum or pattern.
pub(crate) fn python_number(value: &Value) -> String {
    let Value::Number(n) = value else {
        return String::new();
    };
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let Some(f) = n.as_f64() else {
        return n.to_string();
    };
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    // the shortest digits that read back as `f` (Python's repr), a tie rounded to even as
    // Python rounds it: Rust's shortest form gives the count, its exact form the digits
    let shortest = format!("{:e}", f.abs());
    let count = shortest
        .split('e')
        .next()
        .map_or(1, |m| m.replace('.', "").len());
    let exact = format!("{:.*e}", count.saturating_sub(1), f.abs());
    let (mantissa, exponent) = exact.split_once('e').unwrap_or((&exact, "0"));
    let digits = mantissa.replace('.', "");
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if f < 0.0 { "-" } else { "" };
    if (-4..16).contains(&exponent) {
        let point = exponent + 1; // digits before the decimal point
        let text = if point <= 0 {
            format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
        } else if point as usize >= digits.len() {
            format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
        } else {
            format!(
                "{}.{}",
                &digits[..point as usize],
                &digits[point as usize..]
            )
        };
        format!("{sign}{text}")
    } else {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let e_sign = if exponent < 0 { '-' } else { '+' };
        format!("{sign}{first}{rest}e{e_sign}{:02}", exponent.unsigned_abs())
    }
}

/// A number's or a boolean's string form checked against a string rule, as cfn-lint checks
/// it: the enum compares Python's `str()` of a number (a boolean matches `true`/`false` in
/// any case), the pattern searches its JSON form; lengths and formats apply to strings only.
fn check_str_form<R: Report>(rule: &StrRule, value: &Value, path: &str) -> Result<(), R::Error> {
    // no enum and no pattern: nothing applies to a string form, whatever it is
    if rule.allowed.is_empty() && rule.allowed_any_case.is_empty() && rule.pattern.is_none() {
        return Ok(());
    }
    let form = match value {
        Value::Number(n) if n.is_i64() || n.is_u64() => {
            // an integer's string form written on the stack: no allocation on this common path
            let mut buf = [0u8; 21];
            let digits = match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => decimal(u, false, &mut buf),
                (None, Some(i)) => decimal(i.unsigned_abs(), i < 0, &mut buf),
                _ => return check_str::<R>(rule, &python_number(value), value, path),
            };
            if rule.allowed_any_case.is_empty() && rule.pattern.is_none() {
                // only the enum applies (`check_str`'s first test), and an integer's digits
                // are never a boolean word: the bytes are compared as they are
                if rule.allowed.iter().any(|a| a.as_bytes() == digits) {
                    return Ok(());
                }
                return Err(R::fail(path, value, || enum_constraint(rule.allowed)));
            }
            let text = std::str::from_utf8(digits).unwrap_or_default();
            return check_str::<R>(rule, text, value, path);
        }
        Value::Number(_) => python_number(value),
        Value::Bool(true) => return check_str::<R>(rule, "true", value, path),
        Value::Bool(false) => return check_str::<R>(rule, "false", value, path),
        _ => return Ok(()),
    };
    check_str::<R>(rule, &form, value, path)
}

/// The decimal digits of an integer (`-` before them when `negative`), written at the end of
/// `buf`: the bytes of what `n.to_string()` writes, without allocating.
fn decimal(mut n: u64, negative: bool, buf: &mut [u8; 21]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if negative {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

/// Whether `text` is one of the enum values `allowed`: exactly, or, for the boolean words,
/// in any case (cfn-lint compares `"TRUE"` with `"true"` as booleans).
fn enum_has(allowed: &[&str], text: &str) -> bool {
    allowed.contains(&text)
        || ((text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false"))
            && allowed.iter().any(|a| a.eq_ignore_ascii_case(text)))
}

/// Whether `text` and `allowed` are equal once both are lowercased as Python's
/// `str.lower()` does (cfn-lint's `enumCaseInsensitive`), without allocating.
fn eq_lowercased(text: &str, allowed: &str) -> bool {
    text.chars()
        .flat_map(char::to_lowercase)
        .eq(allowed.chars().flat_map(char::to_lowercase))
}

fn enum_constraint(allowed: &[&str]) -> String {
    let mut c = String::from("enum [");
    for (i, a) in allowed.iter().enumerate() {
        if i > 0 {
            c.push_str(", ");
        }
        let _ = write!(c, "{a:?}");
    }
    c.push(']');
    c
}

/// Refuses a `null` anywhere inside a free-form literal (CloudFormation refuses it in any
/// position); intrinsics inside are left alone.
fn no_null_inside<R: Report>(value: &Value, path: &mut String) -> Result<(), R::Error> {
    let visit = |child: &Value, path: &mut String, len: usize| {
        match child {
            Value::Null => return Err(R::fail(path, child, || NO_NULL.into())),
            // nothing inside (most children): no call, no path to restore
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {}
            _ => no_null_inside::<R>(child, path)?,
        }
        path.truncate(len);
        Ok(())
    };
    match value {
        Value::List(items) => items.iter().enumerate().try_for_each(|(i, v)| {
            let len = path.len();
            push_index::<R>(path, i);
            visit(v, path, len)
        }),
        Value::Map(map) => map.iter().try_for_each(|(k, v)| {
            let len = path.len();
            push_segment::<R>(path, k);
            visit(v, path, len)
        }),
        _ => Ok(()),
    }
}

/// `s` against a string rule; `value` is where it came from: lengths and formats apply to a
/// string only, not to the string form of a number or boolean (as in cfn-lint).
fn check_str<R: Report>(
    rule: &StrRule,
    s: &str,
    value: &Value,
    path: &str,
) -> Result<(), R::Error> {
    let string = matches!(value, Value::String(_));
    if !rule.allowed.is_empty() && !enum_has(rule.allowed, s) {
        return Err(R::fail(path, value, || enum_constraint(rule.allowed)));
    }
    if !rule.allowed_any_case.is_empty()
        && !rule.allowed_any_case.iter().any(|a| eq_lowercased(s, a))
    {
        return Err(R::fail(path, value, || {
            format!(
                "enumCaseInsensitive {} (any case)",
                enum_constraint(rule.allowed_any_case).trim_start_matches("enum ")
            )
        }));
    }
    // the length in characters, counted once and only when a bound needs it (a length in
    // bytes is at least that: within a maximum in bytes, it is within it in characters)
    let chars = || s.chars().count() as u64;
    if let Some(min) = rule.min_len
        && string
        && min > 0
        && chars() < min
    {
        return Err(R::fail(path, value, || format!("minLength {min}")));
    }
    if let Some(max) = rule.max_len
        && string
        && s.len() as u64 > max
        && chars() > max
    {
        return Err(R::fail(path, value, || format!("maxLength {max}")));
    }
    if let Some(p) = rule.pattern
        && p.search(s) == Some(false)
    {
        return Err(R::fail(path, value, || format!("pattern {}", p.source())));
    }
    if let Some(f) = rule.format
        && string
        && !f.accepts(s)
    {
        return Err(R::fail(path, value, || format!("format {}", f.name())));
    }
    Ok(())
}

fn check_num<R: Report>(rule: &NumRule, n: f64, value: &Value, path: &str) -> Result<(), R::Error> {
    if !rule.allowed.is_empty() && !rule.allowed.contains(&n) {
        return Err(R::fail(path, value, || format!("enum {:?}", rule.allowed)));
    }
    if let Some(min) = rule.min
        && n < min
    {
        return Err(R::fail(path, value, || format!("minimum {min}")));
    }
    if let Some(max) = rule.max
        && n > max
    {
        return Err(R::fail(path, value, || format!("maximum {max}")));
    }
    if let Some((d, float)) = rule.multiple_of
        && d != 0.0
        && n.is_finite()
    {
        let failed = if float {
            let q = n / d;
            q.trunc() != q
        } else {
            n % d != 0.0
        };
        if failed {
            return Err(R::fail(path, value, || format!("multipleOf {d}")));
        }
    }
    Ok(())
}

fn names(set: &[&str]) -> String {
    set.join(", ")
}

/// `a.cmp(b)` for names, by their first bytes when they differ there (most do): no call to
/// compare the rest.
fn name_cmp(a: &str, b: &str) -> Ordering {
    match (a.as_bytes().first(), b.as_bytes().first()) {
        (Some(x), Some(y)) if x != y => x.cmp(y),
        _ => a.cmp(b),
    }
}

fn check_object<R: Report>(
    rule: &ObjRule,
    value: &Value,
    path: &mut String,
) -> Result<(), R::Error> {
    let Value::Map(map) = value else {
        if is_literal(value) && !matches!(value, Value::Null) {
            return Err(R::fail(path, value, || "type object".into()));
        }
        return Ok(());
    };
    if !R::DETAILED {
        return check_map_quietly::<R>(rule, map, path);
    }
    // in full from here: a quiet check has been decided above
    let at = |path: &str, name: &str| {
        if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}/{name}")
        }
    };
    // a property set to `null` is refused as such, before it counts as present (or not) for
    // `required`, `oneOf` and the other rules on names
    if let Some((name, null)) = map.iter().find(|(_, v)| matches!(v, Value::Null)) {
        return Err(R::fail(&at(path, name), null, || NO_NULL.into()));
    }
    for req in rule.required {
        if !map.contains_key(req) {
            return Err(R::fail(&at(path, req), &Value::Null, || {
                format!("required property {req}")
            }));
        }
    }
    let count = map.len() as u64;
    if let Some(min) = rule.min_properties
        && count < min
    {
        return Err(R::fail(path, value, || format!("minProperties {min}")));
    }
    if let Some(max) = rule.max_properties
        && count > max
    {
        return Err(R::fail(path, value, || format!("maxProperties {max}")));
    }
    let has_all = |set: &[&str]| set.iter().all(|p| map.contains_key(p));
    let sets_text = |sets: &[&[&str]]| -> String {
        let options: Vec<String> = sets.iter().map(|s| format!("[{}]", names(s))).collect();
        options.join(" or ")
    };
    for sets in rule.one_of {
        let n = sets.iter().filter(|s| has_all(s)).count();
        if n != 1 {
            return Err(R::fail(path, value, || {
                format!("oneOf: exactly one of {} (found {n})", sets_text(sets))
            }));
        }
    }
    for sets in rule.any_of {
        if !sets.iter().any(|s| has_all(s)) {
            return Err(R::fail(path, value, || {
                format!("anyOf: at least one of {}", sets_text(sets))
            }));
        }
    }
    for (when, then) in rule.dependent_required {
        if map.contains_key(when)
            && let Some(missing) = then.iter().find(|p| !map.contains_key(p))
        {
            return Err(R::fail(&at(path, missing), &Value::Null, || {
                format!("dependentRequired: {when} requires {missing}")
            }));
        }
    }
    for (when, excluded) in rule.dependent_excluded {
        if map.contains_key(when)
            && let Some((both, value)) = excluded.iter().find_map(|p| Some((p, map.get(p)?)))
        {
            return Err(R::fail(&at(path, both), value, || {
                format!("dependentExcluded: {when} excludes {both}")
            }));
        }
    }
    if rule.tagged
        && let Some(tags) = map.get("Tags")
    {
        let len = path.len();
        push_segment::<R>(path, "Tags");
        check_tags::<R>(tags, path)?;
        path.truncate(len);
    }
    let mut next = 0; // every listed property before it sorts before the key
    for (name, v) in map {
        let len = path.len();
        push_segment::<R>(path, name);
        // the keys and the listed properties are both sorted: one merge over the two finds
        // each key's property (or that it has none) in fewer comparisons than a search each
        let known = loop {
            match rule.properties.get(next) {
                None => break Err(next),
                Some((n, _)) => match name_cmp(n, name) {
                    Ordering::Less => next += 1,
                    Ordering::Equal => break Ok(next),
                    Ordering::Greater => break Err(next),
                },
            }
        };
        if let Ok(i) = known {
            check_value::<R>(&rule.properties[i].1, v, path)?;
        }
        // `patternProperties`: the value of every key a pattern matches is checked against
        // that pattern's schema (a pattern that cannot be checked matches)
        let mut matched = false;
        for (pattern, shape) in rule.patterns {
            if pattern.search(name) != Some(false) {
                matched = true;
                check_value::<R>(shape, v, path)?;
            }
        }
        if known.is_err() && !matched {
            if rule.closed {
                return Err(R::fail(path, v, || {
                    if rule.patterns.is_empty() {
                        let known = rule.properties.iter().map(|(n, _)| *n);
                        let hint = match closest(name, known) {
                            Some(near) => format!("; did you mean {near}?"),
                            None => String::new(),
                        };
                        format!("additionalProperties false (no property {name} here{hint})")
                    } else {
                        let patterns: Vec<&str> =
                            rule.patterns.iter().map(|(p, _)| p.source()).collect();
                        format!(
                            "additionalProperties false (the key {name} matches none of the patterns {})",
                            patterns.join(", ")
                        )
                    }
                }));
            }
            // a name an open object admits: free-form, but never null (a string, number or
            // boolean has nothing inside)
            if !matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_)) {
                check_value::<R>(&Shape::Any, v, path)?;
            }
        }
        path.truncate(len);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The extensions walked once per distinct path accept exactly what each one, walked on
    /// its own, accepts.
    #[cfg(any(feature = "ec2", feature = "constructs"))]
    #[test]
    fn extensions_sharing_a_path_decide_as_each_alone() {
        use crate::ec2::security_group::schema::EXTENSIONS;
        let rule = |protocol: &str, from: Option<i64>, to: Option<i64>| {
            let mut m = vec![
                ("CidrIp", Value::from("10.0.0.0/24")),
                ("IpProtocol", Value::from(protocol)),
            ];
            m.extend(from.map(|f| ("FromPort", Value::from(f))));
            m.extend(to.map(|t| ("ToPort", Value::from(t))));
            Value::map(m)
        };
        let rules = [
            rule("tcp", Some(443), Some(443)),
            rule("tcp", None, None),
            rule("icmp", Some(-1), Some(-1)),
            rule("icmp", Some(-1), Some(3)),
            rule("-1", None, None),
            Value::r#ref("Rule"),
        ];
        let mut cases = vec![
            Value::from("x"),
            Value::map([("GroupDescription", Value::from("g"))]),
        ];
        for a in &rules {
            for b in &rules {
                for (ingress, egress) in [(a, b), (b, a)] {
                    cases.push(Value::map([
                        ("GroupDescription", Value::from("g")),
                        (
                            "SecurityGroupIngress",
                            Value::list([ingress.clone(), a.clone()]),
                        ),
                        ("SecurityGroupEgress", Value::list([egress.clone()])),
                    ]));
                }
            }
        }
        let (mut yes, mut no) = (0, 0);
        for props in &cases {
            let alone = EXTENSIONS
                .iter()
                .all(|e| check_extension_at::<Quiet>(e, e.path, props, &mut String::new()).is_ok());
            assert_eq!(extensions_accept(&EXTENSIONS, props), alone, "{props:?}");
            assert_eq!(
                check_extensions(&EXTENSIONS, props).is_ok(),
                alone,
                "{props:?}"
            );
            if alone { yes += 1 } else { no += 1 }
        }
        assert!(yes > 5 && no > 5, "{yes} accepted, {no} refused");
    }

    /// The quiet check of an object (one merge of keys and properties, names first) takes the
    /// decisions of the full one, on closed and open objects, with and without patterns.
    #[cfg(any(feature = "ec2", feature = "constructs"))]
    #[test]
    fn the_quiet_object_check_decides_as_the_full_one() {
        use crate::ec2::security_group::schema::{RULE_Ingress, RULE_SecurityGroup};
        static OPEN: ObjRule = ObjRule {
            properties: &[("FromPort", Shape::INT), ("IpProtocol", Shape::STR)],
            required: &["IpProtocol"],
            ..crate::support::OBJ_RULE
        };
        static KEYS: Pattern = Pattern::new("^[A-Z]");
        static PATTERNED: ObjRule = ObjRule {
            properties: &[("FromPort", Shape::INT)],
            patterns: &[(&KEYS, Shape::STR)],
            ..crate::support::OBJ_RULE
        };
        let entries = [
            ("CidrIp", Value::from("10.0.0.0/24")),
            ("CidrIp", Value::from("10.0.0.1/24")),
            ("CidrIpv6", Value::from("2001:db8::/56")),
            ("Description", Value::from("d")),
            ("FromPort", Value::from(443)),
            ("FromPort", Value::from("x")),
            ("FromPort", Value::Null),
            ("IpProtocol", Value::from("tcp")),
            ("IpProtocol", Value::r#ref("P")),
            ("SourceSecurityGroupId", Value::from("sg-0123abcd")),
            ("Zzz", Value::from(1)),
            ("aaa", Value::list([Value::Null])),
            ("aab", Value::list([Value::from(1)])),
            (
                "Tags",
                Value::list([Value::map([("Key", Value::from("aws:x"))])]),
            ),
            ("GroupDescription", Value::from("g")),
            ("SecurityGroupEgress", Value::List(Vec::new())),
        ];
        let mut checked = 0;
        // every subset of up to four entries (a key twice keeps the later value)
        let n = entries.len();
        for a in 0..n {
            for b in a..n {
                for c in b..n {
                    for d in c..n {
                        let picked = [a, b, c, d].map(|i| entries[i].clone());
                        let value = Value::map(picked);
                        for rule in [&RULE_Ingress, &RULE_SecurityGroup, &OPEN, &PATTERNED] {
                            let quiet =
                                check_object::<Quiet>(rule, &value, &mut String::new()).is_ok();
                            let full = check_object::<Full>(rule, &value, &mut String::new());
                            assert_eq!(quiet, full.is_ok(), "{value:?}: {full:?}");
                            checked += 1;
                        }
                    }
                }
            }
        }
        // large maps: past the twelve keys the checks once copied to the stack, and past the
        // eight a `Map` reads in order (it bisects them)
        for skip in 0..n {
            let mut big: Vec<(String, Value)> = (0..n)
                .filter(|i| *i != skip)
                .map(|i| (entries[i].0.to_owned(), entries[i].1.clone()))
                .collect();
            big.extend((0..6).map(|i| (format!("Extra{i}"), Value::from("x"))));
            let value = Value::map(big);
            assert!(matches!(&value, Value::Map(m) if m.len() > 12));
            for rule in [&RULE_Ingress, &RULE_SecurityGroup, &OPEN, &PATTERNED] {
                let quiet = check_object::<Quiet>(rule, &value, &mut String::new()).is_ok();
                let full = check_object::<Full>(rule, &value, &mut String::new());
                assert_eq!(quiet, full.is_ok(), "{value:?}: {full:?}");
            }
        }
        assert!(checked > 10_000);
    }

    #[cfg(any(feature = "ec2", feature = "constructs"))]
    #[test]
    fn an_if_decided_in_one_pass_takes_the_branch_the_strict_and_quiet_checks_take() {
        use crate::ec2::security_group::schema::EXTENSIONS;
        let rule = |protocol: Value, from: Option<Value>, to: Option<Value>| {
            let mut m = vec![
                ("CidrIp", Value::from("10.0.0.0/24")),
                ("IpProtocol", protocol),
            ];
            m.extend(from.map(|f| ("FromPort", f)));
            m.extend(to.map(|t| ("ToPort", t)));
            Value::map(m)
        };
        let ports = [
            None,
            Some(Value::from(-1)),
            Some(Value::from("-1")),
            Some(Value::from(443)),
            Some(Value::Null),
            Some(Value::r#ref("Port")),
            Some(Value::list([Value::from(1)])),
        ];
        let protocols = [
            Value::from("tcp"),
            Value::from("icmp"),
            Value::from("1"),
            Value::from(6),
            Value::from(-1),
            Value::from(true),
            Value::Null,
            Value::r#ref("Protocol"),
            Value::map([("a", Value::from(1)), ("b", Value::Null)]),
        ];
        let mut values = vec![
            Value::from("x"),
            Value::from(1),
            Value::List(Vec::new()),
            Value::r#ref("Rule"),
            Value::map([("FromPort", Value::from(1)), ("Other", Value::Null)]),
            Value::map([
                ("IpProtocol", Value::from("tcp")),
                ("Extra", Value::r#ref("X")),
            ]),
        ];
        for p in &protocols {
            for f in &ports {
                for t in &ports {
                    values.push(rule(p.clone(), f.clone(), t.clone()));
                }
            }
        }
        // every `if` condition of the extensions, depth first
        let mut shapes = Vec::new();
        for ext in &EXTENSIONS {
            all_shapes(&ext.shape, &mut shapes);
        }
        let conds: Vec<&'static Shape> = shapes
            .into_iter()
            .filter_map(|s| match s {
                Shape::If(rule) => Some(&rule.cond),
                _ => None,
            })
            .collect();
        assert!(conds.len() >= 8, "{} conditions", conds.len());
        let (mut yes, mut no) = (0, 0);
        for cond in conds {
            for v in &values {
                let strict = check_value::<Strict>(cond, v, &mut String::new()).is_ok();
                let quiet = check_value::<Quiet>(cond, v, &mut String::new()).is_ok();
                match decide(cond, v) {
                    Some(true) => {
                        yes += 1;
                        assert!(strict, "{cond:?} on {v:?}");
                    }
                    Some(false) => {
                        no += 1;
                        assert!(!strict && !quiet, "{cond:?} on {v:?}");
                    }
                    None => {}
                }
            }
        }
        assert!(yes > 50 && no > 50, "decided {yes} yes, {no} no");
    }

    /// Every shape inside `shape` (itself included), depth first.
    fn all_shapes(shape: &'static Shape, out: &mut Vec<&'static Shape>) {
        out.push(shape);
        match shape {
            Shape::If(rule) => {
                for s in [&rule.cond, &rule.then, &rule.otherwise] {
                    all_shapes(s, out);
                }
            }
            Shape::AllOf(all) | Shape::AnyOf(all) | Shape::OneOf(all) | Shape::Items(all) => {
                all.iter().for_each(|s| all_shapes(s, out))
            }
            Shape::Not(inner) => all_shapes(inner, out),
            Shape::List(rule) => all_shapes(&rule.items, out),
            Shape::Object(rule) => rule.properties.iter().for_each(|(_, s)| all_shapes(s, out)),
            _ => {}
        }
    }

    /// A map's view (entries read once, flat or not) answers for every shape of the extension
    /// schemas as the quiet check does, and so does `decide` given the view.
    #[cfg(any(feature = "ec2", feature = "constructs"))]
    #[test]
    fn a_map_read_once_is_checked_as_the_quiet_check_does() {
        use crate::ec2::{security_group, security_group_ingress};
        let mut shapes = Vec::new();
        #[allow(unused_mut)]
        let mut extensions = vec![
            &security_group::schema::EXTENSIONS[..],
            &security_group_ingress::schema::EXTENSIONS[..],
        ];
        #[cfg(feature = "constructs")]
        extensions.extend([
            &crate::ecs::task_definition::schema::EXTENSIONS[..],
            &crate::elasticloadbalancingv2::target_group::schema::EXTENSIONS[..],
            &crate::lambda::function::schema::EXTENSIONS[..],
        ]);
        for exts in extensions {
            for ext in exts {
                all_shapes(&ext.shape, &mut shapes);
            }
        }
        let values = [
            Value::from("tcp"),
            Value::from(-1),
            Value::from(443),
            Value::from("-1"),
            Value::from("icmp"),
            Value::from(1),
            Value::from(true),
            Value::Null,
            Value::r#ref("P"),
            Value::list([Value::from(1)]),
            Value::map([("a", Value::Null)]),
        ];
        let keys = ["CidrIp", "FromPort", "IpProtocol", "ToPort", "Tags", "Ebs"];
        let mut maps = vec![Value::map(Vec::<(&str, Value)>::new())];
        for (i, k) in keys.iter().enumerate() {
            for v in &values {
                for k2 in &keys[i + 1..] {
                    for v2 in &values[..7] {
                        maps.push(Value::map([
                            (*k, v.clone()),
                            (*k2, v2.clone()),
                            ("IpProtocol", Value::from("icmp")),
                        ]));
                        maps.push(Value::map([(*k, v.clone()), (*k2, v2.clone())]));
                    }
                }
            }
        }
        let (mut checked, mut flat) = (0, 0);
        for v in &maps {
            let Some(view) = MapView::of(v) else {
                continue;
            };
            for shape in &shapes {
                let quiet = check_value::<Quiet>(shape, v, &mut String::new()).is_ok();
                assert_eq!(map_accepts(shape, v, view), quiet, "{shape:?} on {v:?}");
                assert_eq!(
                    decide_in(shape, v, Some(view)),
                    decide(shape, v),
                    "{shape:?} on {v:?}"
                );
                if view.flat {
                    flat += 1;
                    assert_eq!(
                        decide_flat(shape, view),
                        decide(shape, v),
                        "{shape:?} on {v:?}"
                    );
                }
                if let Value::Map(map) = v {
                    for value in map.values() {
                        assert_eq!(decide_value(shape, value), decide(shape, value));
                    }
                }
                checked += 1;
            }
        }
        assert!(
            checked > 10_000 && flat > 1_000,
            "{checked} checked, {flat} flat"
        );
    }

    #[test]
    fn the_tag_key_test_is_the_tag_key_pattern() {
        for key in [
            "", "a", "aws:", "aws:x", "AWS:x", "aws", "awsx", "aw:s", "a\n", "a\nb", "\n", "\na",
            "a\n\n", "é", "éaws:", " aws:", "aws:\n", "x\r", "ab\nc\n",
        ] {
            assert_eq!(
                tag_key_matches(key),
                TAG_KEY.search(key) == Some(true),
                "{key:?}"
            );
        }
    }

    #[test]
    fn an_intrinsic_kept_as_data_passes_as_an_intrinsic() {
        static NAME: StrRule = StrRule {
            min_len: Some(1),
            max_len: Some(5),
            ..StrRule::ANY
        };
        let join = Value::map([(
            "Fn::Join",
            Value::list([Value::from(","), Value::r#ref("Names")]),
        )]);
        assert!(check_shape(&Shape::Str(&NAME), &join, "Name").is_ok());
        // a map that merely has such a key beside others is data, and checked
        let data = Value::map([("Ref", Value::from("x")), ("Other", Value::from(1))]);
        assert!(check_shape(&Shape::Str(&NAME), &data, "Name").is_err());
    }

    static NAME_PATTERN: Pattern = Pattern::new("^[a-z]+$");
    static LOOKAROUND: Pattern = Pattern::new("^(?!aws:)[a-z:]+$");
    static RULE: ObjRule = ObjRule {
        properties: &[
            (
                "Name",
                Shape::Str(&StrRule {
                    min_len: Some(2),
                    max_len: Some(5),
                    pattern: Some(&NAME_PATTERN),
                    allowed: &[],
                    allowed_any_case: &[],
                    format: None,
                }),
            ),
            (
                "Ports",
                Shape::List(&ListRule {
                    items: Shape::Int(&NumRule {
                        min: Some(0.0),
                        max: Some(65535.0),
                        allowed: &[],
                        multiple_of: None,
                    }),
                    min_items: Some(1),
                    max_items: Some(2),
                    unique: true,
                }),
            ),
            (
                "Prefix",
                Shape::Str(&StrRule {
                    min_len: None,
                    max_len: None,
                    pattern: Some(&LOOKAROUND),
                    allowed: &[],
                    allowed_any_case: &[],
                    format: None,
                }),
            ),
            ("Tags", Shape::Any),
            (
                "Vpc",
                Shape::Str(&StrRule {
                    min_len: None,
                    max_len: None,
                    pattern: None,
                    allowed: &[],
                    allowed_any_case: &[],
                    format: Some(Format::VpcId),
                }),
            ),
            ("X", Shape::Bool),
            ("Y", Shape::Bool),
        ],
        required: &["Name"],
        one_of: &[&[&["X"], &["Y"]]],
        any_of: &[],
        dependent_required: &[],
        dependent_excluded: &[],
        patterns: &[],
        min_properties: None,
        max_properties: None,
        closed: true,
        tagged: true,
    };

    fn props(extra: &[(&'static str, Value)]) -> Value {
        let mut m = vec![("Name", Value::from("abc")), ("X", Value::from(true))];
        m.extend(extra.iter().cloned());
        Value::map(m)
    }

    fn constraint(v: Value) -> Option<(String, String)> {
        check(&RULE, &v).err().map(|e| (e.property, e.constraint))
    }

    /// Every format accepts a value of that form: a format whose pattern failed to compile
    /// would refuse everything.
    #[test]
    fn every_format_accepts_a_value_of_its_form() {
        let example = |f: Format| match f {
            Format::VpcId => "vpc-0123abcd",
            Format::SubnetId => "subnet-0123abcd",
            Format::SecurityGroupId => "sg-0123abcd",
            Format::SecurityGroupName => "web",
            Format::ImageId => "ami-0123abcd",
            Format::LogGroupName => "/app/logs",
            Format::IamRoleArn => "arn:aws:iam::123456789012:role/app",
            Format::KmsKeyArn => {
                "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
            }
            Format::KmsKeyId => "1234abcd-12ab-34cd-56ef-1234567890ab",
            Format::KmsAliasName => "alias/app",
            Format::LambdaFunctionArn => "arn:aws:lambda:us-east-1:123456789012:function:f",
            Format::LambdaFunctionName => "f",
            Format::AcmCertificateArn => "arn:aws:acm:us-east-1:123456789012:certificate/abc",
            Format::SnsTopicArn => "arn:aws:sns:us-east-1:123456789012:topic",
            Format::S3BucketName => "my-bucket",
            Format::Ipv4Network => "10.0.0.0/16",
            Format::Ipv6Network => "2001:db8::/56",
            Format::Ipv4 => "10.0.0.1",
            Format::Ipv6 => "2001:db8::1",
            Format::DateTime => "2026-11-26T12:00:00Z",
            Format::Date => "2026-11-26",
        };
        for f in Format::ALL {
            assert!(
                f.accepts(example(f)),
                "{} refuses {:?}",
                f.name(),
                example(f)
            );
        }
    }

    #[test]
    fn one_of_several_forms() {
        // a list of key objects, or a free-form JSON string/object (DynamoDB's KeySchema)
        static KEY: ObjRule = ObjRule {
            properties: &[("AttributeName", Shape::STR), ("KeyType", Shape::STR)],
            required: &["AttributeName", "KeyType"],
            closed: true,
            ..crate::support::OBJ_RULE
        };
        static FORMS: Shape = Shape::AnyOf(&[
            Shape::List(&ListRule {
                items: Shape::Object(&KEY),
                min_items: Some(1),
                max_items: Some(2),
                unique: false,
            }),
            Shape::Typed(json_type::OBJECT | json_type::STRING),
        ]);
        let key = |k: &'static str| {
            Value::map([
                ("AttributeName", Value::from("id")),
                (k, Value::from("HASH")),
            ])
        };
        assert!(check_shape(&FORMS, &Value::list([key("KeyType")]), "KeySchema").is_ok());
        let e = check_shape(&FORMS, &Value::list([key("KeyTyp")]), "KeySchema").unwrap_err();
        assert_eq!(e.property, "KeySchema/0/KeyType");
        let e = check_shape(&FORMS, &Value::List(Vec::new()), "KeySchema").unwrap_err();
        assert_eq!(e.constraint, "minItems 1");
        // the free-form alternative takes anything else
        assert!(check_shape(&FORMS, &Value::from("{}"), "KeySchema").is_ok());
        assert!(check_shape(&FORMS, &Value::map([("K", Value::from(1))]), "KeySchema").is_ok());
        // a boolean is a string to cfn-lint (CloudFormation passes it on as one)
        assert!(check_shape(&FORMS, &Value::from(true), "KeySchema").is_ok());
        static OBJECT_ONLY: Shape = Shape::Typed(json_type::OBJECT);
        assert!(check_shape(&OBJECT_ONLY, &Value::from(true), "P").is_err());
        static NUMBER_OR_ARRAY: Shape = Shape::Typed(json_type::NUMBER | json_type::ARRAY);
        assert!(accepts(&NUMBER_OR_ARRAY, &Value::from("1.5")));
        assert!(!accepts(&NUMBER_OR_ARRAY, &Value::from("one")));
        static LIST_OR_OBJECT: Shape = Shape::AnyOf(&[
            Shape::List(&ListRule {
                items: Shape::Any,
                min_items: None,
                max_items: None,
                unique: false,
            }),
            Shape::Typed(json_type::OBJECT),
        ]);
        assert!(check_shape(&LIST_OR_OBJECT, &Value::from(true), "KeySchema").is_err());
        // a form that is all checked: a value of no form is refused
        static STR_OR_INT: Shape = Shape::AnyOf(&[Shape::STR, Shape::INT]);
        let e = check_shape(&STR_OR_INT, &Value::List(Vec::new()), "P").unwrap_err();
        assert_eq!(
            e.constraint,
            "anyOf: none of the alternatives accepts it: (1) a string; (2) an integer"
        );
    }

    /// A string with alternatives of formats (a KMS key as ARN, id or alias), of an enum or
    /// patterns in any case, and `enumCaseInsensitive` beside them (AmazonMQ's
    /// `DeploymentMode`): a literal must satisfy one alternative, and the violation names
    /// them all.
    #[test]
    fn typed_string_alternatives() {
        static KMS: Shape = Shape::AllOf(&[
            Shape::Str(&StrRule {
                max_len: Some(2048),
                ..StrRule::ANY
            }),
            Shape::AnyOf(&[
                Shape::Str(&StrRule {
                    format: Some(Format::KmsKeyArn),
                    ..StrRule::ANY
                }),
                Shape::Str(&StrRule {
                    format: Some(Format::KmsKeyId),
                    ..StrRule::ANY
                }),
                Shape::Str(&StrRule {
                    format: Some(Format::KmsAliasName),
                    ..StrRule::ANY
                }),
            ]),
        ]);
        for ok in [
            "alias/app",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ] {
            assert_eq!(
                check_shape(&KMS, &Value::from(ok), "KmsKeyId"),
                Ok(()),
                "{ok}"
            );
        }
        // a number is not a string: formats do not apply to it (cfn-lint's reading)
        assert_eq!(check_shape(&KMS, &Value::from(12), "KmsKeyId"), Ok(()));
        let e = check_shape(&KMS, &Value::from("xyz"), "KmsKeyId").unwrap_err();
        assert_eq!(e.property, "KmsKeyId");
        assert_eq!(e.value, "\"xyz\"");
        assert_eq!(
            e.constraint,
            "anyOf: none of the alternatives accepts it: (1) format AWS::KMS::Key.Arn; \
             (2) format AWS::KMS::Key.Id; (3) format AWS::KMS::Alias.AliasName"
        );

        static SINGLE: Pattern = Pattern::new("^[Ss][Ii][Nn][Gg][Ll][Ee]$");
        static MODE: Shape = Shape::AllOf(&[
            Shape::Str(&StrRule {
                allowed_any_case: &["cluster_multi_az", "single"],
                ..StrRule::ANY
            }),
            Shape::AnyOf(&[
                Shape::Str(&StrRule {
                    allowed: &["SINGLE", "CLUSTER_MULTI_AZ"],
                    ..StrRule::ANY
                }),
                Shape::Str(&StrRule {
                    pattern: Some(&SINGLE),
                    ..StrRule::ANY
                }),
            ]),
        ]);
        assert_eq!(check_shape(&MODE, &Value::from("Single"), "M"), Ok(()));
        assert_eq!(
            check_shape(&MODE, &Value::from("CLUSTER_MULTI_AZ"), "M"),
            Ok(())
        );
        let e = check_shape(&MODE, &Value::from("CLUSTER-MULTI-AZ"), "M").unwrap_err();
        assert!(e.constraint.starts_with("enumCaseInsensitive"), "{e:?}");
        // in the case-insensitive enum, but in no alternative
        let e = check_shape(&MODE, &Value::from("cluster_multi_az"), "M").unwrap_err();
        assert!(e.constraint.starts_with("anyOf: none"), "{e:?}");
        // lowercased as Python lowercases: the Kelvin sign is a k
        assert!(eq_lowercased("\u{212A}ey", "key"));
        assert!(!eq_lowercased("keys", "key"));
    }

    /// Union objects: each alternative a closed object with a property of its own; a
    /// literal must be exactly one of them, and a mistake inside one is reported where it is.
    #[test]
    fn union_objects() {
        static IP: Pattern = Pattern::new("^[0-9.]+$");
        static UNION: Shape = Shape::OneOf(&[
            Shape::Object(&ObjRule {
                properties: &[(
                    "IpResource",
                    Shape::Str(&StrRule {
                        pattern: Some(&IP),
                        ..StrRule::ANY
                    }),
                )],
                required: &["IpResource"],
                closed: true,
                ..crate::support::OBJ_RULE
            }),
            Shape::Object(&ObjRule {
                properties: &[("DnsResource", Shape::STR)],
                required: &["DnsResource"],
                closed: true,
                ..crate::support::OBJ_RULE
            }),
        ]);
        let one = |k: &'static str, v: &str| Value::map([(k, Value::from(v))]);
        assert_eq!(
            check_shape(&UNION, &one("IpResource", "10.0.0.1"), "D"),
            Ok(())
        );
        assert!(accepts(&UNION, &one("DnsResource", "db.example.com")));
        let e = check_shape(&UNION, &one("IpResource", "ten"), "D").unwrap_err();
        assert_eq!(e.property, "D/IpResource");
        assert_eq!(
            e.constraint,
            "pattern ^[0-9.]+$ (the oneOf alternative 1 of 2: an object with IpResource)"
        );
        let e = check_shape(&UNION, &one("IpResourse", "10.0.0.1"), "D").unwrap_err();
        assert_eq!(e.property, "D");
        assert!(
            e.constraint.starts_with("oneOf: none of the alternatives accepts it: (1) an object with IpResource; (2) an object with DnsResource"),
            "{e:?}"
        );
        let both = Value::map([
            ("IpResource", Value::from("10.0.0.1")),
            ("DnsResource", Value::from("x")),
        ]);
        assert!(check_shape(&UNION, &both, "D").is_err());
        // two alternatives that accept the same literal: refused, as cfn-lint refuses it
        static LOOSE: Shape = Shape::OneOf(&[
            Shape::Object(&ObjRule {
                properties: &[("A", Shape::STR)],
                closed: true,
                ..crate::support::OBJ_RULE
            }),
            Shape::Object(&ObjRule {
                properties: &[("B", Shape::STR)],
                closed: true,
                ..crate::support::OBJ_RULE
            }),
        ]);
        let e = check_shape(&LOOSE, &Value::map(Vec::<(&str, Value)>::new()), "Node").unwrap_err();
        assert!(
            e.constraint
                .starts_with("oneOf: exactly one alternative, but 2 accept it"),
            "{e:?}"
        );
        assert_eq!(check_shape(&LOOSE, &one("A", "x"), "Node"), Ok(()));
        // alternatives kept only as "an object" say nothing about which of the schema's would
        // accept it: two of them accepting is not refused
        static UNKNOWN: Shape = Shape::OneOf(&[
            Shape::Typed(json_type::OBJECT),
            Shape::Typed(json_type::OBJECT),
        ]);
        assert_eq!(check_shape(&UNKNOWN, &one("S3", "x"), "Schema"), Ok(()));
        assert!(check_shape(&UNKNOWN, &Value::from(3), "Schema").is_err());
        // an intrinsic is known at deploy time only
        assert_eq!(check_shape(&UNION, &Value::r#ref("P"), "D"), Ok(()));
    }

    /// `patternProperties`: keys are checked against the key pattern, values against its
    /// shape; with `additionalProperties: false` only matching keys are admitted.
    #[test]
    fn map_keys_and_values() {
        static KEY: Pattern = Pattern::new("^[a-z]+$");
        static MAP: Shape = Shape::Object(&ObjRule {
            patterns: &[(
                &KEY,
                Shape::Str(&StrRule {
                    max_len: Some(3),
                    ..StrRule::ANY
                }),
            )],
            closed: true,
            ..crate::support::OBJ_RULE
        });
        let map = |k: &'static str, v: &str| Value::map([(k, Value::from(v))]);
        assert_eq!(check_shape(&MAP, &map("team", "a"), "Labels"), Ok(()));
        let e = check_shape(&MAP, &map("Team", "a"), "Labels").unwrap_err();
        assert_eq!(e.property, "Labels/Team");
        assert_eq!(
            e.constraint,
            "additionalProperties false (the key Team matches none of the patterns ^[a-z]+$)"
        );
        let e = check_shape(&MAP, &map("team", "abcd"), "Labels").unwrap_err();
        assert_eq!(
            (e.property.as_str(), e.constraint.as_str()),
            ("Labels/team", "maxLength 3")
        );
        // open: a key no pattern matches is free-form
        static OPEN: Shape = Shape::Object(&ObjRule {
            patterns: &[(&KEY, Shape::INT)],
            ..crate::support::OBJ_RULE
        });
        assert_eq!(check_shape(&OPEN, &map("Team", "x"), "M"), Ok(()));
        assert!(check_shape(&OPEN, &map("team", "x"), "M").is_err());
    }

    /// `if`/`then`/`else` and `false` (cfn-lint's extension schemas): the condition is
    /// decided on literals; an intrinsic leaves it open, and then neither branch applies.
    #[test]
    fn if_then_else_on_literals_only() {
        static MODE: Shape = Shape::If(&IfRule {
            cond: Shape::Object(&ObjRule {
                properties: &[(
                    "BillingMode",
                    Shape::Str(&StrRule {
                        allowed: &["PROVISIONED"],
                        ..StrRule::ANY
                    }),
                )],
                required: &["BillingMode"],
                ..crate::support::OBJ_RULE
            }),
            then: Shape::Object(&ObjRule {
                required: &["ProvisionedThroughput"],
                ..crate::support::OBJ_RULE
            }),
            otherwise: Shape::Object(&ObjRule {
                properties: &[("ProvisionedThroughput", Shape::Never)],
                ..crate::support::OBJ_RULE
            }),
        });
        let props = |mode: Value, throughput: bool| {
            let mut m = vec![("BillingMode", mode)];
            if throughput {
                m.push(("ProvisionedThroughput", Value::map([("R", Value::from(1))])));
            }
            Value::map(m)
        };
        assert_eq!(
            check_shape(&MODE, &props("PROVISIONED".into(), true), ""),
            Ok(())
        );
        let e = check_shape(&MODE, &props("PROVISIONED".into(), false), "").unwrap_err();
        assert!(
            e.constraint
                .starts_with("required property ProvisionedThroughput"),
            "{e:?}"
        );
        let e = check_shape(&MODE, &props("PAY_PER_REQUEST".into(), true), "").unwrap_err();
        assert_eq!(e.property, "ProvisionedThroughput");
        assert_eq!(
            check_shape(&MODE, &props("PAY_PER_REQUEST".into(), false), ""),
            Ok(())
        );
        // an intrinsic: neither branch
        assert_eq!(
            check_shape(&MODE, &props(Value::r#ref("Mode"), true), ""),
            Ok(())
        );
        assert_eq!(
            check_shape(&MODE, &props(Value::r#ref("Mode"), false), ""),
            Ok(())
        );
        // `not` is decided on literals too
        static NOT_ONE: Shape = Shape::Not(&Shape::Str(&StrRule {
            allowed: &["-1"],
            ..StrRule::ANY
        }));
        assert!(check_shape(&NOT_ONE, &Value::from(-1), "P").is_err());
        assert_eq!(check_shape(&NOT_ONE, &Value::from(80), "P"), Ok(()));
        assert_eq!(check_shape(&NOT_ONE, &Value::r#ref("P"), "P"), Ok(()));
    }

    /// `multipleOf` as cfn-lint computes it: a float divisor wants an integral quotient,
    /// an integer one a zero remainder; a string is read with `float()`.
    #[test]
    fn multiple_of() {
        static RATE: Shape = Shape::Num(&NumRule {
            multiple_of: Some((1.0, true)),
            ..NumRule::ANY
        });
        assert!(check_shape(&RATE, &Value::from("37.63"), "SamplingRate").is_err());
        assert_eq!(
            check_shape(&RATE, &Value::from("37"), "SamplingRate"),
            Ok(())
        );
        static STEP: Shape = Shape::Int(&NumRule {
            multiple_of: Some((5.0, false)),
            ..NumRule::ANY
        });
        assert_eq!(check_shape(&STEP, &Value::from(15), "S"), Ok(()));
        let e = check_shape(&STEP, &Value::from(16), "S").unwrap_err();
        assert_eq!(e.constraint, "multipleOf 5");
    }

    /// `prefixItems`: positional items (a DynamoDB key schema's HASH, then RANGE).
    #[test]
    fn positional_items() {
        static KEYS: Shape = Shape::AllOf(&[
            Shape::List(&ListRule {
                items: Shape::Any,
                min_items: None,
                max_items: Some(2),
                unique: false,
            }),
            Shape::Items(&[
                Shape::Str(&StrRule {
                    allowed: &["HASH"],
                    ..StrRule::ANY
                }),
                Shape::Str(&StrRule {
                    allowed: &["RANGE"],
                    ..StrRule::ANY
                }),
            ]),
        ]);
        let keys = |k: &[&str]| Value::List(k.iter().map(|s| Value::from(*s)).collect());
        assert_eq!(check_shape(&KEYS, &keys(&["HASH", "RANGE"]), "K"), Ok(()));
        assert_eq!(check_shape(&KEYS, &keys(&["HASH"]), "K"), Ok(()));
        let e = check_shape(&KEYS, &keys(&["RANGE", "HASH"]), "K").unwrap_err();
        assert_eq!(e.property, "K/0");
        assert!(e.constraint.contains("prefixItems"), "{e:?}");
    }

    #[test]
    fn literals_are_checked_and_intrinsics_pass() {
        assert_eq!(constraint(props(&[])), None);
        assert_eq!(
            constraint(props(&[("Name", Value::from("a"))])),
            Some(("Name".into(), "minLength 2".into()))
        );
        assert_eq!(
            constraint(props(&[("Name", Value::from("ABC"))])),
            Some(("Name".into(), "pattern ^[a-z]+$".into()))
        );
        assert_eq!(constraint(props(&[("Name", Value::r#ref("P"))])), None);
        assert_eq!(
            constraint(props(&[(
                "Ports",
                Value::list([Value::from(80), Value::from(70000)])
            )])),
            Some(("Ports/1".into(), "maximum 65535".into()))
        );
        assert_eq!(
            constraint(props(&[("Ports", Value::List(Vec::new()))])),
            Some(("Ports".into(), "minItems 1".into()))
        );
        assert_eq!(
            constraint(props(&[("Ports", Value::list([Value::sub("${P}")]))])),
            None
        );
        assert_eq!(
            constraint(props(&[("Prefix", Value::from("aws:x"))])),
            Some(("Prefix".into(), "pattern ^(?!aws:)[a-z:]+$".into())),
            "lookarounds are checked"
        );
        assert_eq!(
            constraint(props(&[("Vpc", Value::from("x"))])),
            Some(("Vpc".into(), "format AWS::EC2::VPC.Id".into()))
        );
        assert_eq!(
            constraint(props(&[("Other", Value::from(1))])),
            Some((
                "Other".into(),
                "additionalProperties false (no property Other here)".into()
            ))
        );
        assert_eq!(
            constraint(props(&[("Nmae", Value::from("abc"))])),
            Some((
                "Nmae".into(),
                "additionalProperties false (no property Nmae here; did you mean Name?)".into()
            ))
        );
        assert_eq!(
            closest(
                "maxRecieveCount",
                ["deadLetterTargetArn", "maxReceiveCount"]
            ),
            Some("maxReceiveCount")
        );
        assert_eq!(closest("vpcid", ["VpcId"]), Some("VpcId"));
        assert_eq!(closest("Tags", ["Name", "Ports"]), None);
    }

    #[test]
    fn strings_read_as_numbers_as_cfn_lint_reads_them() {
        // Python's int(): no exponent, no fraction; whitespace, sign and digit underscores
        for ok in ["80", " 80 ", "+80", "8_0", "0"] {
            assert!(python_int(ok).is_some(), "{ok:?}");
        }
        for bad in [
            "0e0", "28e0", "1.0", "8__0", "_80", "80_", "", " ", "0x10", "eighty",
        ] {
            assert_eq!(python_int(bad), None, "{bad:?}");
        }
        assert_eq!(
            constraint(props(&[("Ports", Value::list([Value::from("28e0")]))])),
            Some(("Ports/0".into(), "type integer".into()))
        );
        assert_eq!(
            constraint(props(&[("Ports", Value::list([Value::from(" 443 ")]))])),
            None
        );
        // Python's float()
        for ok in [
            "1",
            "1.5",
            ".5",
            "5.",
            "1e5",
            "1E-5",
            "-2.5e+3",
            "1_000.5",
            "inf",
            "-Infinity",
            "nan",
        ] {
            assert!(python_float(ok).is_some(), "{ok:?}");
        }
        for bad in [
            "", ".", "e5", "1e", "1_", "1.5.5", "0x1p3", "infinit", "1__0",
        ] {
            assert_eq!(python_float(bad), None, "{bad:?}");
        }
    }

    /// Python itself is the oracle: seeded random texts over the characters that matter go
    /// through `int()` and `float()`, random floats through `str()`, in one python3 process,
    /// and every answer must agree with ours.
    #[test]
    fn number_reading_and_writing_agree_with_python() {
        let mut seed: u64 = 0x5eed_cafe;
        let mut next = move |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        const ALPHABET: &[u8] = b"0123456789_.eE+- infatyINFx";
        let texts: Vec<String> = (0..20_000)
            .map(|_| {
                let len = 1 + next(7) as usize;
                (0..len)
                    .map(|_| ALPHABET[next(ALPHABET.len() as u64) as usize] as char)
                    .collect()
            })
            .collect();
        let floats: Vec<f64> = (0..5_000)
            .map(|i| {
                let mantissa = (next(1_000_000_007) as f64) / (1 + next(1000)) as f64;
                let exponent = next(45) as i32 - 22;
                let f = mantissa * 10f64.powi(exponent);
                if i % 2 == 0 { f } else { -f }
            })
            .collect();
        let input = serde_json::json!({"texts": texts, "floats": floats}).to_string();
        let script = r#"
import json, sys
d = json.load(sys.stdin)
def ok(f, t):
    try:
        f(t); return True
    except ValueError:
        return False
print(json.dumps({"int": [ok(int, t) for t in d["texts"]],
                  "float": [ok(float, t) for t in d["texts"]],
                  "str": [str(f) for f in d["floats"]]}))
"#;
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        let mut child = match std::process::Command::new(&python)
            .args(["-c", script])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
        {
            Ok(c) => c,
            Err(e) => panic!("cannot run {python} (the oracle): {e}"),
        };
        if let Some(mut stdin) = child.stdin.take() {
            use std::io::Write as _;
            stdin
                .write_all(input.as_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let answers: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
        let mut checked = [0usize; 2];
        for (i, t) in texts.iter().enumerate() {
            assert_eq!(
                python_int(t).is_some(),
                answers["int"][i] == true,
                "int({t:?})"
            );
            assert_eq!(
                python_float(t).is_some(),
                answers["float"][i] == true,
                "float({t:?})"
            );
            checked[0] += usize::from(answers["int"][i] == true);
            checked[1] += usize::from(answers["float"][i] == true);
        }
        assert!(
            checked[0] > 1000 && checked[1] > 1000,
            "too few valid texts: {checked:?}"
        );
        for (i, f) in floats.iter().enumerate() {
            let ours = python_number(&Value::from(*f));
            assert_eq!(
                ours,
                answers["str"][i].as_str().unwrap_or_default(),
                "str({f:e})"
            );
        }
    }

    #[test]
    fn integers_are_written_as_to_string_writes_them() {
        let mut buf = [0u8; 21];
        for n in [0, 7, 10, 443, 65535, u64::MAX] {
            assert_eq!(decimal(n, false, &mut buf), n.to_string().as_bytes());
        }
        for n in [-1i64, -443, i64::MIN] {
            assert_eq!(
                decimal(n.unsigned_abs(), true, &mut buf),
                n.to_string().as_bytes()
            );
        }
    }

    #[test]
    fn booleans_take_only_cfn_lint_spellings() {
        for ok in BOOLEAN_STRINGS {
            assert_eq!(check_shape(&Shape::Bool, &Value::from(ok), "B"), Ok(()));
        }
        for bad in ["fAlse", "tRUE", "yes", "1", ""] {
            let e = check_shape(&Shape::Bool, &Value::from(bad), "B").unwrap_err();
            assert!(e.constraint.starts_with("type boolean"), "{bad:?}: {e:?}");
        }
    }

    #[test]
    fn numbers_and_booleans_are_checked_in_their_string_forms() {
        static TYPE: StrRule = StrRule {
            allowed: &["A", "B"],
            ..StrRule::ANY
        };
        static NAME: Pattern = Pattern::new("^[a-zA-Z][a-zA-Z0-9-]*$");
        static NAMED: StrRule = StrRule {
            pattern: Some(&NAME),
            ..StrRule::ANY
        };
        static PORTS: StrRule = StrRule {
            allowed: &["1", "2.5", "true"],
            ..StrRule::ANY
        };
        let shape = |r: &'static StrRule| Shape::Str(r);
        // `Type: 1` is not in the enum; `SegmentDefinitionName: 3.25` does not match
        let e = check_shape(&shape(&TYPE), &Value::from(1), "Type").unwrap_err();
        assert_eq!(e.constraint, "enum [\"A\", \"B\"]");
        let e =
            check_shape(&shape(&NAMED), &Value::from(3.25), "SegmentDefinitionName").unwrap_err();
        assert_eq!(e.constraint, "pattern ^[a-zA-Z][a-zA-Z0-9-]*$");
        let e = check_shape(&shape(&TYPE), &Value::from(true), "Type").unwrap_err();
        assert!(e.constraint.starts_with("enum"));
        // the forms that match
        assert_eq!(check_shape(&shape(&PORTS), &Value::from(1), "P"), Ok(()));
        assert_eq!(check_shape(&shape(&PORTS), &Value::from(2.5), "P"), Ok(()));
        assert_eq!(check_shape(&shape(&PORTS), &Value::from(true), "P"), Ok(()));
        assert_eq!(
            check_shape(&shape(&PORTS), &Value::from("TRUE"), "P"),
            Ok(())
        );
        assert!(check_shape(&shape(&PORTS), &Value::from(false), "P").is_err());
        assert!(
            check_shape(&shape(&PORTS), &Value::from(1.0), "P").is_err(),
            "1.0 is not 1"
        );
        // Python's str() of floats
        let py = |f: f64| python_number(&Value::from(f));
        assert_eq!(py(1.0), "1.0");
        assert_eq!(py(3.25), "3.25");
        assert_eq!(py(1e16), "1e+16");
        assert_eq!(py(1.5e-5), "1.5e-05");
        assert_eq!(py(0.0001), "0.0001");
        assert_eq!(py(123456789012345.6), "123456789012345.6");
    }

    #[test]
    fn null_is_refused_everywhere() {
        let e = constraint(props(&[("Vpc", Value::Null)])).unwrap_or_default();
        assert_eq!(e.0, "Vpc");
        assert!(e.1.starts_with("no null values"), "{e:?}");
        // a required property set to null is not present
        let e = constraint(Value::map([
            ("Name", Value::Null),
            ("X", Value::from(true)),
        ]))
        .unwrap_or_default();
        assert_eq!(e.0, "Name");
        // inside free-form JSON too
        let nested = Value::map([("a", Value::list([Value::from(1), Value::Null]))]);
        let e = check_shape(&Shape::Any, &nested, "Doc").unwrap_err();
        assert_eq!(e.property, "Doc/a/1");
        // but not inside an intrinsic's arguments, which synthesis checks elsewhere
        assert_eq!(check_shape(&Shape::Any, &Value::r#ref("P"), "Doc"), Ok(()));
    }

    #[test]
    fn tags_are_checked_as_cfn_lint_e3024_does() {
        let tag =
            |k: &str, v: &str| Value::map([("Key", Value::from(k)), ("Value", Value::from(v))]);
        let with = |tags: Value| constraint(props(&[("Tags", tags)]));
        assert_eq!(with(Value::list([tag("team", "a"), tag("env", "b")])), None);
        let (p, c) = with(Value::list([tag("team", "a"), tag("team", "b")])).unwrap_or_default();
        assert_eq!(p, "Tags/1/Key");
        assert!(c.starts_with("each tag key once"), "{c}");
        let (p, c) =
            with(Value::list([tag("aws:cloudformation:stack-name", "x")])).unwrap_or_default();
        assert_eq!(p, "Tags/0/Key");
        assert!(c.contains("aws:"), "{c}");
        assert!(with(Value::list([tag("", "x")])).is_some());
        assert!(with(Value::list([tag(&"k".repeat(129), "x")])).is_some());
        assert!(with(Value::list([tag("k", &"v".repeat(257))])).is_some());
        assert_eq!(with(Value::list([tag("k", &"v".repeat(256))])), None);
        // the map form
        assert_eq!(with(Value::map([("team", Value::from("a"))])), None);
        assert_eq!(
            with(Value::map([("aws:x", Value::from("a"))])).map(|e| e.0),
            Some("Tags/aws:x".into())
        );
        // intrinsic keys are not compared
        let r = |p: &str| Value::map([("Key", Value::r#ref(p)), ("Value", Value::from("v"))]);
        assert_eq!(with(Value::list([r("P"), r("P")])), None);
    }

    #[test]
    fn tag_objects_have_a_key_and_tags_are_a_list_or_a_map() {
        let with = |tags: Value| constraint(props(&[("Tags", tags)]));
        let (p, c) =
            with(Value::list([Value::map([("Value", Value::from("v"))])])).unwrap_or_default();
        assert_eq!(p, "Tags/0/Key");
        assert!(c.starts_with("required property Key"), "{c}");
        let (p, c) = with(Value::from("{}")).unwrap_or_default();
        assert_eq!(p, "Tags");
        assert!(c.starts_with("type array or object"), "{c}");
        assert_eq!(with(Value::r#ref("Tags")), None);
    }

    #[test]
    fn unique_items_compare_as_cfn_lint_does() {
        let n = |f: f64| Value::from(f);
        let s = |t: &str| Value::from(t);
        // CloudFormation passes scalars on as strings
        assert!(same_item(&Value::from(37), &s("37")));
        assert!(same_item(&Value::from(1), &n(1.0)));
        assert!(!same_item(&s("1"), &n(1.0)), "str(1.0) is 1.0");
        assert!(same_item(&Value::from(true), &s("TRUE")));
        assert!(same_item(&s("false"), &s("False")));
        assert!(!same_item(&Value::from(true), &Value::from(1)));
        assert!(!same_item(&s("a"), &s("A")));
        let obj = |v: Value| Value::map([("Top", v), ("Left", Value::from(1))]);
        assert!(same_item(&obj(Value::from(37)), &obj(s("37"))));
        assert!(!same_item(&obj(Value::from(37)), &obj(s("38"))));
        assert!(same_item(
            &Value::list([Value::from(2)]),
            &Value::list([s("2")])
        ));
        static LIST: Shape = Shape::List(&ListRule {
            items: Shape::Any,
            min_items: None,
            max_items: None,
            unique: true,
        });
        let e =
            check_shape(&LIST, &Value::list([obj(Value::from(3)), obj(s("3"))]), "L").unwrap_err();
        assert_eq!(e.property, "L/1");
    }

    #[test]
    fn a_string_form_takes_numbers_and_booleans() {
        static FORMS: Shape = Shape::Typed(json_type::OBJECT | json_type::STRING);
        assert_eq!(check_shape(&FORMS, &Value::from(3), "P"), Ok(()));
        assert_eq!(check_shape(&FORMS, &Value::from(false), "P"), Ok(()));
        assert!(check_shape(&FORMS, &Value::list([Value::from("a")]), "P").is_err());
        static OBJ: Shape = Shape::Typed(json_type::OBJECT);
        assert!(check_shape(&OBJ, &Value::from(3), "P").is_err());
    }

    #[test]
    fn a_null_is_reported_before_the_rules_on_names() {
        // `X` or `Y`, exactly one: a null `Y` beside `X` is reported as the null
        let e = constraint(Value::map([
            ("Name", Value::from("abc")),
            ("X", Value::from(true)),
            ("Y", Value::Null),
        ]))
        .unwrap_or_default();
        assert_eq!(e.0, "Y");
        assert!(e.1.starts_with("no null values"), "{e:?}");
    }

    #[test]
    fn required_and_one_of() {
        assert_eq!(
            constraint(Value::map([("X", Value::from(true))])),
            Some(("Name".into(), "required property Name".into()))
        );
        let both = props(&[("Y", Value::from(false))]);
        assert_eq!(
            constraint(both).map(|c| c.1),
            Some("oneOf: exactly one of [X] or [Y] (found 2)".into())
        );
    }

    #[test]
    fn formats_follow_cfn_lint() {
        for (f, ok, bad) in [
            (Format::VpcId, "vpc-0123456789abcdef0", "vpc-123"),
            (Format::SubnetId, "subnet-0123abcd", "10.0.0.0/24"),
            (Format::Ipv4Network, "10.0.0.0/8", "10.0.0.0/33"),
            (Format::Ipv6Network, "2001:db8::/32", "2001:db8::1/32"),
            (Format::S3BucketName, "my.bucket-1", "my..bucket"),
            (Format::DateTime, "2024-01-02T03:04:05Z", "2024-01-02"),
        ] {
            assert!(f.accepts(ok), "{} {ok}", f.name());
            assert!(!f.accepts(bad), "{} {bad}", f.name());
            assert_eq!(Format::from_name(f.name()), Some(f));
        }
    }
}
