//! Assertions on synthesized templates, for testing stacks (in the spirit of the AWS CDK's
//! `Template` assertions).
//!
//! Build a stack, synthesize it, take one stack's [`Template`] and check what matters: how many
//! resources of a type, that some resource has certain properties, an output. Patterns are
//! [`Match`]es; a `serde_json::Value` (`json!({..})`) converts into one and matches
//! *object-like* at every depth: an object matches when the keys it names match, whatever else
//! the actual object holds; arrays match element by element and must have the same length
//! (use [`Match::array_with`] for "contains, in order").
//!
//! Every check returns `Result<(), AssertionError>`; there are no panicking variants. In a test,
//! return `Result<(), Box<dyn std::error::Error>>` and use `?`, or call `.unwrap()`: both print
//! the whole message, which names the closest candidate and every JSON path where it differs.
//!
//! ```
//! use cloudwright_core::assertions::{Match, Template};
//! use cloudwright_core::{App, Output, RawResource, Value};
//! use serde_json::json;
//!
//! let app = App::new();
//! let mut stack = app.stack("Queues")?;
//! let dlq = stack.add("Dlq", RawResource::new("AWS::SQS::Queue"))?;
//! let queue = stack.add(
//!     "Orders",
//!     RawResource::new("AWS::SQS::Queue")
//!         .property("VisibilityTimeout", Value::from(60))
//!         .property(
//!             "RedrivePolicy",
//!             Value::map([
//!                 ("deadLetterTargetArn", dlq.resource_ref().get_att("Arn")),
//!                 ("maxReceiveCount", Value::from(5)),
//!             ]),
//!         ),
//! )?;
//! stack.add_output("OrdersUrl", Output::new(queue.r#ref()))?;
//! let assembly = app.synth()?;
//!
//! let template = Template::from_stack(&assembly, "Queues")?;
//! template.resource_count_is("AWS::SQS::Queue", 2)?;
//! // object-like: only the keys named here are compared
//! template.has_resource_properties(
//!     "AWS::SQS::Queue",
//!     json!({"RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]}}}),
//! )?;
//! // matchers where a literal cannot say it
//! template.has_resource_properties(
//!     "AWS::SQS::Queue",
//!     Match::object_like([
//!         ("FifoQueue", Match::absent()),
//!         ("VisibilityTimeout", Match::any_value()),
//!     ]),
//! )?;
//! template.has_output("OrdersUrl", json!({"Value": {"Ref": "Orders"}}))?;
//!
//! // a failure names the closest resource and the path where it differs
//! let failure = template
//!     .has_resource_properties("AWS::SQS::Queue", json!({"VisibilityTimeout": 30}))
//!     .err()
//!     .map(|e| e.to_string());
//! assert_eq!(
//!     failure.as_deref(),
//!     Some(
//!         "no resource of type `AWS::SQS::Queue` matches: the closest of 2 is `Orders`, \
//!          which differs at\n  Properties.VisibilityTimeout: expected 30, got 60"
//!     )
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Whole templates are compared with [`snapshot`], which rewrites the committed file when
//! [`UPDATE_SNAPSHOTS_ENV`] is set:
//!
//! ```no_run
//! # fn demo(assembly: &cloudwright_core::Assembly) -> Result<(), Box<dyn std::error::Error>> {
//! let text = &assembly.stack("Queues").ok_or("no stack Queues")?.template;
//! cloudwright_core::assertions::snapshot("tests/snapshots/Queues.template.json", text)?;
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde_json::{Map, Value as Json};

use crate::assembly::Assembly;

/// The environment variable that makes [`snapshot`] rewrite the snapshot instead of failing:
/// `CLOUDWRIGHT_UPDATE_SNAPSHOTS=1 cargo test`. Any value other than empty or `0` counts.
pub const UPDATE_SNAPSHOTS_ENV: &str = "CLOUDWRIGHT_UPDATE_SNAPSHOTS";

/// How many differing paths or lines a failure message lists before summarizing the rest.
const SHOWN: usize = 10;

/// How many characters of a JSON value a failure message shows.
const SHOWN_CHARS: usize = 120;

/// Why an assertion failed, in words meant for the person reading the test output.
///
/// Its `Debug` form is the message itself, so `.unwrap()` and a test returning `Err` print it
/// as written, on several lines.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AssertionError {
    message: String,
}

impl AssertionError {
    fn new(message: impl Into<String>) -> Self {
        AssertionError {
            message: message.into(),
        }
    }

    /// The message: what was expected, what was found, and where.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Debug for AssertionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// One stack's synthesized template, to assert on.
///
/// It is checked when made: a JSON object whose `Resources` (if any) are objects with a string
/// `Type` and whose `Outputs` (if any) are objects, so every assertion can rely on that shape.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    json: Json,
}

impl Template {
    /// The template of the stack `stack_id` in a synthesized assembly (`app.synth()?`).
    pub fn from_stack(assembly: &Assembly, stack_id: &str) -> Result<Self, AssertionError> {
        let Some(stack) = assembly.stack(stack_id) else {
            let ids: Vec<&str> = assembly.stacks.iter().map(|s| s.id.as_str()).collect();
            return Err(AssertionError::new(format!(
                "the assembly has no stack `{stack_id}`; its stacks: {}",
                id_list(&ids)
            )));
        };
        Self::parse(&stack.template)
            .map_err(|e| AssertionError::new(format!("stack `{stack_id}`: {e}")))
    }

    /// A template from its JSON text.
    pub fn parse(text: &str) -> Result<Self, AssertionError> {
        let json = serde_json::from_str(text)
            .map_err(|e| AssertionError::new(format!("the template is not JSON: {e}")))?;
        Self::from_json(json)
    }

    /// A template from a JSON value.
    pub fn from_json(json: Json) -> Result<Self, AssertionError> {
        let bad = |message: String| Err(AssertionError::new(message));
        let Some(top) = json.as_object() else {
            return bad(format!(
                "a template is a JSON object, got {}",
                show(Some(&json))
            ));
        };
        for section in ["Resources", "Outputs"] {
            match top.get(section) {
                None | Some(Json::Object(_)) => {}
                Some(other) => {
                    return bad(format!(
                        "{section}: expected an object, got {}",
                        show(Some(other))
                    ));
                }
            }
        }
        if let Some(Json::Object(resources)) = top.get("Resources") {
            for (id, resource) in resources {
                let path = join(&join("", "Resources"), id);
                match resource.get("Type") {
                    Some(Json::String(_)) => {}
                    _ => {
                        return bad(format!(
                            "{path}: a resource is an object with a string `Type`, got {}",
                            show(Some(resource))
                        ));
                    }
                }
            }
        }
        if let Some(Json::Object(outputs)) = top.get("Outputs") {
            for (id, output) in outputs {
                if !output.is_object() {
                    let path = join(&join("", "Outputs"), id);
                    return bad(format!(
                        "{path}: an output is an object, got {}",
                        show(Some(output))
                    ));
                }
            }
        }
        Ok(Template { json })
    }

    /// The whole template.
    pub fn json(&self) -> &Json {
        &self.json
    }

    /// Checks that the template has exactly `count` resources of type `resource_type`.
    pub fn resource_count_is(
        &self,
        resource_type: &str,
        count: usize,
    ) -> Result<(), AssertionError> {
        let found = self.of_type(resource_type);
        if found.len() == count {
            return Ok(());
        }
        let ids: Vec<&str> = found.iter().map(|(id, _)| *id).collect();
        let mut message = format!(
            "expected {count} resource(s) of type `{resource_type}`, found {}",
            found.len()
        );
        if found.is_empty() {
            message.push_str(&format!("; the template's types: {}", self.type_list()));
        } else {
            message.push_str(&format!(": {}", id_list(&ids)));
        }
        Err(AssertionError::new(message))
    }

    /// Checks that at least one resource of type `resource_type` has `Properties` matching
    /// `properties` (a resource without `Properties` is matched as if they were `{}`).
    pub fn has_resource_properties(
        &self,
        resource_type: &str,
        properties: impl Into<Match>,
    ) -> Result<(), AssertionError> {
        self.has(resource_type, &properties.into(), Part::Properties)
    }

    /// Checks that at least one resource of type `resource_type` matches `resource` as a whole
    /// (`Properties`, `DependsOn`, `Metadata`, `DeletionPolicy`, `Condition`, ...).
    pub fn has_resource(
        &self,
        resource_type: &str,
        resource: impl Into<Match>,
    ) -> Result<(), AssertionError> {
        self.has(resource_type, &resource.into(), Part::Whole)
    }

    /// The resources of type `resource_type` that match `resource` as a whole, by logical id
    /// (sorted). `Match::any_value()` finds them all.
    pub fn find_resources(
        &self,
        resource_type: &str,
        resource: impl Into<Match>,
    ) -> Vec<(&str, &Json)> {
        let matcher = resource.into();
        self.of_type(resource_type)
            .into_iter()
            .filter(|(_, r)| matcher.matches(r))
            .collect()
    }

    /// The one resource of type `resource_type`: its logical id and the resource; an error
    /// unless there is exactly one.
    pub fn single_resource(&self, resource_type: &str) -> Result<(&str, &Json), AssertionError> {
        self.resource_count_is(resource_type, 1)?;
        self.of_type(resource_type)
            .into_iter()
            .next()
            .ok_or_else(|| AssertionError::new(format!("no resource of type `{resource_type}`")))
    }

    /// The resource with this logical id.
    pub fn resource(&self, logical_id: &str) -> Result<&Json, AssertionError> {
        self.section("Resources").get(logical_id).ok_or_else(|| {
            let ids: Vec<&str> = self
                .section("Resources")
                .keys()
                .map(String::as_str)
                .collect();
            AssertionError::new(format!(
                "the template has no resource `{logical_id}`; its resources: {}",
                id_list(&ids)
            ))
        })
    }

    /// Checks that the resource with this logical id matches `resource` as a whole
    /// (`Type`, `Properties`, `DependsOn`, `Metadata`, ...): for a test about one particular
    /// resource among several of its type.
    ///
    /// ```
    /// use cloudwright_core::assertions::Template;
    /// use serde_json::json;
    ///
    /// let t = Template::from_json(json!({"Resources": {
    ///     "Public": {"Type": "AWS::EC2::Subnet", "Properties": {"MapPublicIpOnLaunch": true}},
    ///     "Private": {"Type": "AWS::EC2::Subnet", "Properties": {}},
    /// }}))?;
    /// t.resource_matches("Public", json!({"Properties": {"MapPublicIpOnLaunch": true}}))?;
    /// assert!(t.resource_matches("Private", json!({"Properties": {"MapPublicIpOnLaunch": true}})).is_err());
    /// # Ok::<(), cloudwright_core::assertions::AssertionError>(())
    /// ```
    pub fn resource_matches(
        &self,
        logical_id: &str,
        resource: impl Into<Match>,
    ) -> Result<(), AssertionError> {
        let actual = self.resource(logical_id)?;
        let mismatches = resource.into().mismatches(actual, "");
        if mismatches.is_empty() {
            return Ok(());
        }
        Err(AssertionError::new(format!(
            "resource `{logical_id}` differs at{}",
            list_mismatches(&mismatches)
        )))
    }

    /// Checks that the resource with this logical id has `Properties` matching `properties`
    /// (a resource without `Properties` is matched as if they were `{}`).
    pub fn resource_properties_match(
        &self,
        logical_id: &str,
        properties: impl Into<Match>,
    ) -> Result<(), AssertionError> {
        let actual = self.resource(logical_id)?;
        let no_properties = Json::Object(Map::new());
        let mismatches = properties.into().mismatches(
            actual.get("Properties").unwrap_or(&no_properties),
            "Properties",
        );
        if mismatches.is_empty() {
            return Ok(());
        }
        Err(AssertionError::new(format!(
            "resource `{logical_id}` differs at{}",
            list_mismatches(&mismatches)
        )))
    }

    /// Checks that the output `output_id` exists and matches `output` (an object with `Value`,
    /// and `Description`, `Export`, `Condition` when given).
    pub fn has_output(
        &self,
        output_id: &str,
        output: impl Into<Match>,
    ) -> Result<(), AssertionError> {
        let outputs = self.section("Outputs");
        let Some(actual) = outputs.get(output_id) else {
            let ids: Vec<&str> = outputs.keys().map(String::as_str).collect();
            return Err(AssertionError::new(format!(
                "the template has no output `{output_id}`; its outputs: {}",
                id_list(&ids)
            )));
        };
        let mismatches = output.into().mismatches(actual, "");
        if mismatches.is_empty() {
            return Ok(());
        }
        Err(AssertionError::new(format!(
            "output `{output_id}` differs at{}",
            list_mismatches(&mismatches)
        )))
    }

    /// The outputs that match `output`, by logical id (sorted).
    pub fn find_outputs(&self, output: impl Into<Match>) -> Vec<(&str, &Json)> {
        let matcher = output.into();
        sorted(self.section("Outputs"))
            .into_iter()
            .filter(|(_, o)| matcher.matches(o))
            .collect()
    }

    fn section(&self, name: &str) -> &Map<String, Json> {
        static EMPTY: std::sync::OnceLock<Map<String, Json>> = std::sync::OnceLock::new();
        match self.json.get(name) {
            Some(Json::Object(map)) => map,
            _ => EMPTY.get_or_init(Map::new),
        }
    }

    fn of_type(&self, resource_type: &str) -> Vec<(&str, &Json)> {
        sorted(self.section("Resources"))
            .into_iter()
            .filter(|(_, r)| r.get("Type").and_then(Json::as_str) == Some(resource_type))
            .collect()
    }

    fn type_list(&self) -> String {
        let mut types: Vec<&str> = self
            .section("Resources")
            .values()
            .filter_map(|r| r.get("Type").and_then(Json::as_str))
            .collect();
        types.sort_unstable();
        types.dedup();
        id_list(&types)
    }

    fn has(&self, resource_type: &str, matcher: &Match, part: Part) -> Result<(), AssertionError> {
        let candidates = self.of_type(resource_type);
        if candidates.is_empty() {
            return Err(AssertionError::new(format!(
                "the template has no resource of type `{resource_type}`; its types: {}",
                self.type_list()
            )));
        }
        let no_properties = Json::Object(Map::new());
        let mut closest: Option<(&str, Vec<Mismatch>, usize)> = None;
        for (id, resource) in &candidates {
            let mismatches = match part {
                Part::Properties => matcher.mismatches(
                    resource.get("Properties").unwrap_or(&no_properties),
                    "Properties",
                ),
                Part::Whole => matcher.mismatches(resource, ""),
            };
            if mismatches.is_empty() {
                return Ok(());
            }
            let cost = mismatches.iter().map(|m| m.cost).sum::<usize>();
            if closest.as_ref().is_none_or(|(_, _, best)| cost < *best) {
                closest = Some((id, mismatches, cost));
            }
        }
        let (id, mismatches) = closest.map(|(id, m, _)| (id, m)).unwrap_or_default();
        let which = match candidates.len() {
            1 => format!("the only one, `{id}`,"),
            n => format!("the closest of {n} is `{id}`, which"),
        };
        Err(AssertionError::new(format!(
            "no resource of type `{resource_type}` matches: {which} differs at{}",
            list_mismatches(&mismatches)
        )))
    }
}

#[derive(Clone, Copy)]
enum Part {
    Properties,
    Whole,
}

/// A pattern for JSON values: a literal, or a matcher where a literal cannot say it.
///
/// A `serde_json::Value` (and `&str`, `String`, `bool`, numbers) converts into a `Match`:
/// objects match *object-like* (the keys named must match, others are ignored) at every depth,
/// arrays match element by element with the same length, everything else by equality (numbers
/// by value: `80` equals `80.0`).
#[derive(Clone, Debug, PartialEq)]
pub struct Match(Kind);

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    /// A string, number, bool or null, compared by equality.
    Scalar(Json),
    /// The named keys match; with `exact`, no other keys are present.
    Object {
        entries: BTreeMap<String, Match>,
        exact: bool,
    },
    /// Element by element, the same length; with `subsequence`, the elements appear in this
    /// order among others.
    Array {
        items: Vec<Match>,
        subsequence: bool,
    },
    Absent,
    AnyValue,
    StringContaining(String),
    Not(Box<Match>),
}

/// One place where a value does not match.
#[derive(Clone, Debug, PartialEq)]
struct Mismatch {
    path: String,
    message: String,
    /// How far off this is, to pick the closest candidate: 1 for a wrong value, the number of
    /// expectations of a wrongly shaped subtree, one more when it is missing altogether, so a
    /// resource that has the key with another value is closer than one without it.
    cost: usize,
}

impl Match {
    /// An object with at least these keys, each matching its pattern; other keys are ignored.
    /// `Match::object_like([("Scheme", Match::from("internal")), ("Name", Match::absent())])`
    pub fn object_like<K: Into<String>, M: Into<Match>>(
        entries: impl IntoIterator<Item = (K, M)>,
    ) -> Match {
        Match::object(entries, false)
    }

    /// An object with exactly these keys, each matching its pattern. Nested literals are still
    /// object-like; use [`Match::exact`] for a literal equal at every depth.
    pub fn object_equals<K: Into<String>, M: Into<Match>>(
        entries: impl IntoIterator<Item = (K, M)>,
    ) -> Match {
        Match::object(entries, true)
    }

    /// An array containing elements that match these patterns, in this order, possibly with
    /// other elements before, between and after them (as the CDK's `Match.arrayWith`).
    pub fn array_with<M: Into<Match>>(items: impl IntoIterator<Item = M>) -> Match {
        Match(Kind::Array {
            items: items.into_iter().map(Into::into).collect(),
            subsequence: true,
        })
    }

    /// An array of exactly as many elements as patterns, each matching its pattern.
    pub fn array_equals<M: Into<Match>>(items: impl IntoIterator<Item = M>) -> Match {
        Match(Kind::Array {
            items: items.into_iter().map(Into::into).collect(),
            subsequence: false,
        })
    }

    /// The key is not present (as an object entry's pattern).
    pub fn absent() -> Match {
        Match(Kind::Absent)
    }

    /// Any value that is present and not `null`.
    pub fn any_value() -> Match {
        Match(Kind::AnyValue)
    }

    /// Equal to `value` at every depth: objects have exactly its keys, arrays its elements.
    pub fn exact(value: Json) -> Match {
        match value {
            Json::Object(map) => {
                Match::object(map.into_iter().map(|(k, v)| (k, Match::exact(v))), true)
            }
            Json::Array(items) => Match::array_equals(items.into_iter().map(Match::exact)),
            scalar => Match(Kind::Scalar(scalar)),
        }
    }

    /// Matches a string that contains `part`: for free text such as a stated reason or a
    /// description, where the test cares about a word and not the whole sentence.
    ///
    /// ```
    /// use cloudwright_core::assertions::Match;
    /// use serde_json::json;
    ///
    /// let reason = Match::object_like([("reason", Match::string_containing("NAT gateways"))]);
    /// assert!(reason.matches(&json!({"reason": "the public tier holds the NAT gateways"})));
    /// assert!(!reason.matches(&json!({"reason": "internet-facing"})));
    /// assert!(!reason.matches(&json!({"reason": 7})));
    /// ```
    pub fn string_containing(part: impl Into<String>) -> Match {
        Match(Kind::StringContaining(part.into()))
    }

    /// Anything that does not match `pattern` (including nothing at all).
    pub fn not(pattern: impl Into<Match>) -> Match {
        Match(Kind::Not(Box::new(pattern.into())))
    }

    /// Whether `value` matches.
    pub fn matches(&self, value: &Json) -> bool {
        let mut out = Vec::new();
        self.check(Some(value), "", &mut out);
        out.is_empty()
    }

    fn object<K: Into<String>, M: Into<Match>>(
        entries: impl IntoIterator<Item = (K, M)>,
        exact: bool,
    ) -> Match {
        Match(Kind::Object {
            entries: entries
                .into_iter()
                .map(|(k, m)| (k.into(), m.into()))
                .collect(),
            exact,
        })
    }

    fn mismatches(&self, value: &Json, path: &str) -> Vec<Mismatch> {
        let mut out = Vec::new();
        self.check(Some(value), path, &mut out);
        out
    }

    /// The number of expectations in this pattern: what missing it entirely costs.
    fn weight(&self) -> usize {
        match &self.0 {
            Kind::Object { entries, .. } => 1 + entries.values().map(Match::weight).sum::<usize>(),
            Kind::Array { items, .. } => 1 + items.iter().map(Match::weight).sum::<usize>(),
            Kind::Not(inner) => inner.weight(),
            Kind::Scalar(_) | Kind::Absent | Kind::AnyValue | Kind::StringContaining(_) => 1,
        }
    }

    /// Appends to `out` every place where `actual` (`None`: not present) does not match.
    fn check(&self, actual: Option<&Json>, path: &str, out: &mut Vec<Mismatch>) {
        let mut fail = |message: String, cost: usize| {
            out.push(Mismatch {
                path: path.to_owned(),
                message,
                cost,
            })
        };
        match (&self.0, actual) {
            (Kind::Absent, None) => {}
            (Kind::Absent, Some(v)) => fail(format!("expected no value, got {}", show(Some(v))), 1),
            (Kind::Not(inner), _) => {
                if inner.check_quietly(actual) {
                    fail(
                        format!("expected not {inner}, got {}", show(actual)),
                        inner.weight(),
                    );
                }
            }
            (_, None) => fail(format!("missing (expected {self})"), 1 + self.weight()),
            (Kind::AnyValue, Some(Json::Null)) => fail("expected any value, got null".into(), 1),
            (Kind::AnyValue, Some(_)) => {}
            (Kind::StringContaining(part), Some(Json::String(text))) => {
                if !text.contains(part.as_str()) {
                    fail(
                        format!(
                            "expected a string containing {}, got {}",
                            Json::from(part.as_str()),
                            show(actual)
                        ),
                        1,
                    );
                }
            }
            (Kind::Scalar(expected), Some(v)) => {
                if !scalar_eq(expected, v) {
                    fail(
                        format!("expected {}, got {}", show(Some(expected)), show(Some(v))),
                        1,
                    );
                }
            }
            (Kind::Object { entries, exact }, Some(Json::Object(map))) => {
                for (key, pattern) in entries {
                    pattern.check(map.get(key), &join(path, key), out);
                }
                if *exact {
                    for (key, v) in map.iter().filter(|(k, _)| !entries.contains_key(*k)) {
                        out.push(Mismatch {
                            path: join(path, key),
                            message: format!("unexpected key (got {})", show(Some(v))),
                            cost: 1,
                        });
                    }
                }
            }
            (
                Kind::Array {
                    items,
                    subsequence: false,
                },
                Some(Json::Array(elements)),
            ) => {
                if elements.len() != items.len() {
                    fail(
                        format!(
                            "expected {} element(s), got {}: {}",
                            items.len(),
                            elements.len(),
                            show(actual)
                        ),
                        1 + elements.len().abs_diff(items.len()),
                    );
                    return;
                }
                for (i, (pattern, element)) in items.iter().zip(elements).enumerate() {
                    pattern.check(Some(element), &format!("{path}[{i}]"), out);
                }
            }
            (
                Kind::Array {
                    items,
                    subsequence: true,
                },
                Some(Json::Array(elements)),
            ) => {
                let mut next = 0;
                for (j, pattern) in items.iter().enumerate() {
                    let rest = elements.iter().enumerate().skip(next);
                    match rest.clone().find(|(_, e)| pattern.matches(e)) {
                        Some((i, _)) => next = i + 1,
                        None => {
                            let closest = rest
                                .map(|(i, e)| pattern.mismatches(e, &format!("{path}[{i}]")))
                                .min_by_key(|m| m.iter().map(|m| m.cost).sum::<usize>())
                                .and_then(|m| m.into_iter().next())
                                .map(|m| {
                                    format!(" (closest: {}: {})", shown_path(&m.path), m.message)
                                })
                                .unwrap_or_default();
                            let from = if next == 0 {
                                String::new()
                            } else {
                                format!(" after [{}]", next - 1)
                            };
                            fail(
                                format!(
                                    "no element{from} matches pattern [{j}] {pattern}{closest}; got {}",
                                    show(actual)
                                ),
                                items[j..].iter().map(Match::weight).sum(),
                            );
                            return;
                        }
                    }
                }
            }
            (_, Some(v)) => fail(
                format!("expected {self}, got {}", show(Some(v))),
                self.weight(),
            ),
        }
    }

    fn check_quietly(&self, actual: Option<&Json>) -> bool {
        let mut out = Vec::new();
        self.check(actual, "", &mut out);
        out.is_empty()
    }
}

/// The pattern as its constructors would write it: literals as JSON (objects object-like),
/// `object_equals({..})`, `array_with([..])`, `absent()`, `any_value()`, `not(..)`.
impl fmt::Display for Match {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        self.render(&mut text);
        f.write_str(&truncate(text))
    }
}

impl Match {
    fn render(&self, out: &mut String) {
        let list = |out: &mut String, items: &[Match]| {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                item.render(out);
            }
            out.push(']');
        };
        match &self.0 {
            Kind::Scalar(v) => out.push_str(&v.to_string()),
            Kind::Object { entries, exact } => {
                if *exact {
                    out.push_str("object_equals(");
                }
                out.push('{');
                for (i, (k, m)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&Json::String(k.clone()).to_string());
                    out.push_str(": ");
                    m.render(out);
                }
                out.push('}');
                if *exact {
                    out.push(')');
                }
            }
            Kind::Array {
                items,
                subsequence: true,
            } => {
                out.push_str("array_with(");
                list(out, items);
                out.push(')');
            }
            Kind::Array {
                items,
                subsequence: false,
            } => list(out, items),
            Kind::Absent => out.push_str("absent()"),
            Kind::AnyValue => out.push_str("any_value()"),
            Kind::StringContaining(part) => {
                out.push_str("string_containing(");
                out.push_str(&Json::from(part.as_str()).to_string());
                out.push(')');
            }
            Kind::Not(inner) => {
                out.push_str("not(");
                inner.render(out);
                out.push(')');
            }
        }
    }
}

impl From<Json> for Match {
    fn from(value: Json) -> Self {
        match value {
            Json::Object(map) => Match::object_like(map),
            Json::Array(items) => Match::array_equals(items),
            scalar => Match(Kind::Scalar(scalar)),
        }
    }
}

impl From<&Json> for Match {
    fn from(value: &Json) -> Self {
        Match::from(value.clone())
    }
}

macro_rules! scalar_patterns {
    ($($t:ty),*) => {$(
        impl From<$t> for Match {
            fn from(value: $t) -> Self {
                Match(Kind::Scalar(Json::from(value)))
            }
        }
    )*};
}
scalar_patterns!(&str, String, bool, i32, i64, u32, u64, f64);

fn scalar_eq(expected: &Json, actual: &Json) -> bool {
    match (expected, actual) {
        (Json::Number(a), Json::Number(b)) if a.is_f64() || b.is_f64() => a.as_f64() == b.as_f64(),
        _ => expected == actual,
    }
}

/// `path.key`, or `path["key"]` when the key is not a plain name.
fn join(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (path.is_empty(), plain) {
        (true, true) => key.to_owned(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{}]", Json::String(key.to_owned())),
    }
}

fn shown_path(path: &str) -> &str {
    if path.is_empty() { "(root)" } else { path }
}

fn show(value: Option<&Json>) -> String {
    match value {
        None => "nothing".into(),
        Some(v) => truncate(v.to_string()),
    }
}

fn truncate(text: String) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

fn id_list(ids: &[&str]) -> String {
    if ids.is_empty() {
        return "none".into();
    }
    let mut text = ids
        .iter()
        .take(SHOWN * 2)
        .map(|id| format!("`{id}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > SHOWN * 2 {
        text.push_str(&format!(" and {} more", ids.len() - SHOWN * 2));
    }
    text
}

fn list_mismatches(mismatches: &[Mismatch]) -> String {
    let mut text = String::new();
    for m in mismatches.iter().take(SHOWN) {
        text.push_str(&format!("\n  {}: {}", shown_path(&m.path), m.message));
    }
    if mismatches.len() > SHOWN {
        text.push_str(&format!("\n  ... and {} more", mismatches.len() - SHOWN));
    }
    text
}

fn sorted(map: &Map<String, Json>) -> Vec<(&str, &Json)> {
    let mut entries: Vec<(&str, &Json)> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
    entries.sort_unstable_by_key(|(k, _)| *k);
    entries
}

/// Compares `actual` with the committed snapshot file at `path`.
///
/// When [`UPDATE_SNAPSHOTS_ENV`] is set (to anything but empty or `0`), a missing or different
/// file is (re)written instead, creating its directory, and the check passes: review the diff
/// and commit it. Otherwise a difference is an error showing the first differing lines.
///
/// A relative `path` is relative to the current directory, which `cargo test` sets to the root
/// of the package under test.
pub fn snapshot(path: impl AsRef<Path>, actual: &str) -> Result<(), AssertionError> {
    let update = update_requested(std::env::var_os(UPDATE_SNAPSHOTS_ENV).as_deref());
    compare_snapshot(path.as_ref(), actual, update)
}

fn update_requested(value: Option<&std::ffi::OsStr>) -> bool {
    value.is_some_and(|v| !v.is_empty() && v != "0")
}

fn compare_snapshot(path: &Path, actual: &str, update: bool) -> Result<(), AssertionError> {
    let io = |e: std::io::Error| AssertionError::new(format!("snapshot {}: {e}", path.display()));
    let expected = match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(e)),
    };
    if expected.as_deref() == Some(actual) {
        return Ok(());
    }
    if update {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        return std::fs::write(path, actual).map_err(io);
    }
    let rerun = format!(
        "if the change is intended, rerun with {UPDATE_SNAPSHOTS_ENV}=1 and review the diff"
    );
    let Some(expected) = expected else {
        return Err(AssertionError::new(format!(
            "snapshot {} does not exist; {rerun}",
            path.display()
        )));
    };
    Err(AssertionError::new(format!(
        "differs from the snapshot {}{}\n{rerun}",
        path.display(),
        first_difference(&expected, actual)
    )))
}

/// The differing lines between the common first and last lines, numbered, `-` expected and
/// `+` actual.
fn first_difference(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.split('\n').collect();
    let a: Vec<&str> = actual.split('\n').collect();
    let prefix = e.iter().zip(&a).take_while(|(x, y)| x == y).count();
    let suffix = e[prefix..]
        .iter()
        .rev()
        .zip(a[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (e_mid, a_mid) = (&e[prefix..e.len() - suffix], &a[prefix..a.len() - suffix]);
    let mut text = format!(
        " from line {}: {} line(s) expected, {} line(s) got",
        prefix + 1,
        e_mid.len(),
        a_mid.len()
    );
    for (sign, lines) in [('-', e_mid), ('+', a_mid)] {
        for (i, line) in lines.iter().enumerate().take(SHOWN) {
            text.push_str(&format!("\n{:>5} {sign} {line}", prefix + i + 1));
        }
        if lines.len() > SHOWN {
            text.push_str(&format!(
                "\n      {sign} ... and {} more",
                lines.len() - SHOWN
            ));
        }
    }
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report
mod tests {
    use super::*;
    use serde_json::json;

    fn failure<T: fmt::Debug>(result: Result<T, AssertionError>) -> String {
        result.expect_err("expected a failure").message().to_owned()
    }

    fn check(pattern: impl Into<Match>, actual: Json) -> Result<(), String> {
        let m = pattern.into().mismatches(&actual, "X");
        if m.is_empty() {
            Ok(())
        } else {
            Err(list_mismatches(&m).trim_start().to_owned())
        }
    }

    #[test]
    fn literals_are_object_like_at_every_depth() {
        let actual = json!({"A": {"B": 1, "C": 2}, "D": "x"});
        assert_eq!(check(json!({"A": {"B": 1}}), actual.clone()), Ok(()));
        assert_eq!(check(json!({}), actual.clone()), Ok(()));
        assert_eq!(
            check(json!({"A": {"B": 2}}), actual.clone()),
            Err("X.A.B: expected 2, got 1".into())
        );
        assert_eq!(
            check(json!({"A": {"E": true}}), actual.clone()),
            Err("X.A.E: missing (expected true)".into())
        );
        assert_eq!(
            check(json!({"D": {"E": 1}}), actual),
            Err(r#"X.D: expected {"E": 1}, got "x""#.into())
        );
    }

    #[test]
    fn literal_arrays_match_element_by_element_with_the_same_length() {
        let actual = json!({"L": [{"P": 80, "Q": "tcp"}, {"P": 443}]});
        assert_eq!(
            check(json!({"L": [{"P": 80}, {"P": 443}]}), actual.clone()),
            Ok(())
        );
        assert_eq!(
            check(json!({"L": [{"P": 80}, {"P": 8443}]}), actual.clone()),
            Err("X.L[1].P: expected 8443, got 443".into())
        );
        assert_eq!(
            check(json!({"L": [{"P": 80}]}), actual),
            Err(r#"X.L: expected 1 element(s), got 2: [{"P":80,"Q":"tcp"},{"P":443}]"#.into())
        );
    }

    #[test]
    fn scalars_compare_by_value_and_type() {
        assert_eq!(check(json!(80), json!(80.0)), Ok(()));
        assert_eq!(check(80, json!(80)), Ok(()));
        assert_eq!(
            check(json!(80), json!("80")),
            Err(r#"X: expected 80, got "80""#.into())
        );
        assert_eq!(check("a", json!("a")), Ok(()));
        assert_eq!(
            check(true, json!(false)),
            Err("X: expected true, got false".into())
        );
        assert_eq!(check(json!(null), json!(null)), Ok(()));
        assert_eq!(
            check(u64::MAX, json!(u64::MAX - 1)),
            Err("X: expected 18446744073709551615, got 18446744073709551614".into())
        );
    }

    #[test]
    fn object_equals_refuses_other_keys_but_nested_literals_stay_object_like() {
        let actual = json!({"A": {"B": 1, "C": 2}, "D": "x"});
        let pattern = || Match::object_equals([("A", json!({"B": 1})), ("D", json!("x"))]);
        assert_eq!(check(pattern(), actual.clone()), Ok(()));
        assert_eq!(
            check(Match::object_equals([("A", json!({"B": 1}))]), actual),
            Err(r#"X.D: unexpected key (got "x")"#.into())
        );
        assert_eq!(
            check(pattern(), json!([])),
            Err(r#"X: expected object_equals({"A": {"B": 1}, "D": "x"}), got []"#.into())
        );
    }

    #[test]
    fn exact_is_equality_at_every_depth() {
        let actual = json!({"A": {"B": 1, "C": 2}, "L": [1, 2]});
        assert_eq!(check(Match::exact(actual.clone()), actual.clone()), Ok(()));
        assert_eq!(
            check(
                Match::exact(json!({"A": {"B": 1}, "L": [1, 2]})),
                actual.clone()
            ),
            Err("X.A.C: unexpected key (got 2)".into())
        );
        assert_eq!(
            check(
                Match::exact(json!({"A": {"B": 1, "C": 2}, "L": [1]})),
                actual
            ),
            Err("X.L: expected 1 element(s), got 2: [1,2]".into())
        );
    }

    #[test]
    fn array_with_finds_the_patterns_in_order_among_other_elements() {
        let actual = json!(["a", {"P": 1, "Q": 2}, "b", "c"]);
        assert_eq!(check(Match::array_with(["a", "c"]), actual.clone()), Ok(()));
        assert_eq!(check(Match::array_with(["b"]), actual.clone()), Ok(()));
        assert_eq!(
            check(Match::array_with([json!({"P": 1})]), actual.clone()),
            Ok(())
        );
        assert_eq!(
            check(Match::array_with(Vec::<Json>::new()), json!([])),
            Ok(())
        );
        assert_eq!(
            check(Match::array_with(["c", "a"]), actual.clone()),
            Err(r#"X: no element after [3] matches pattern [1] "a"; got ["a",{"P":1,"Q":2},"b","c"]"#.into())
        );
        assert_eq!(
            check(Match::array_with([json!({"P": 2})]), actual.clone()),
            Err(r#"X: no element matches pattern [0] {"P": 2} (closest: X[1].P: expected 2, got 1); got ["a",{"P":1,"Q":2},"b","c"]"#.into())
        );
        assert_eq!(
            check(Match::array_with(["a"]), json!("a")),
            Err(r#"X: expected array_with(["a"]), got "a""#.into())
        );
    }

    #[test]
    fn array_equals_holds_matchers() {
        let actual = json!([{"Ref": "A"}, "x"]);
        let pattern = |second: Match| Match::array_equals([json!({"Ref": "A"}).into(), second]);
        assert_eq!(check(pattern(Match::any_value()), actual.clone()), Ok(()));
        assert_eq!(
            check(pattern(Match::absent()), actual),
            Err(r#"X[1]: expected no value, got "x""#.into())
        );
    }

    #[test]
    fn absent_and_any_value() {
        let actual = json!({"A": 1, "N": null});
        assert_eq!(
            check(Match::object_like([("B", Match::absent())]), actual.clone()),
            Ok(())
        );
        assert_eq!(
            check(Match::object_like([("A", Match::absent())]), actual.clone()),
            Err("X.A: expected no value, got 1".into())
        );
        assert_eq!(
            check(
                Match::object_like([("A", Match::any_value())]),
                actual.clone()
            ),
            Ok(())
        );
        assert_eq!(
            check(
                Match::object_like([("B", Match::any_value())]),
                actual.clone()
            ),
            Err("X.B: missing (expected any_value())".into())
        );
        assert_eq!(
            check(Match::object_like([("N", Match::any_value())]), actual),
            Err("X.N: expected any value, got null".into())
        );
    }

    #[test]
    fn not_inverts_including_absence() {
        let actual = json!({"Scheme": "internal"});
        let not_public = || Match::object_like([("Scheme", Match::not("internet-facing"))]);
        assert_eq!(check(not_public(), actual), Ok(()));
        assert_eq!(check(not_public(), json!({})), Ok(()));
        assert_eq!(
            check(not_public(), json!({"Scheme": "internet-facing"})),
            Err(r#"X.Scheme: expected not "internet-facing", got "internet-facing""#.into())
        );
        let present = Match::object_like([("A", Match::not(Match::absent()))]);
        assert_eq!(check(present.clone(), json!({"A": 1})), Ok(()));
        assert_eq!(
            check(present, json!({})),
            Err("X.A: expected not absent(), got nothing".into())
        );
        assert!(Match::not(json!({"A": 1})).matches(&json!({"A": 2})));
        assert!(!Match::not(json!({"A": 1})).matches(&json!({"A": 1, "B": 2})));
    }

    #[test]
    fn unusual_keys_are_quoted_in_paths_and_long_values_cut() {
        let actual = json!({"paths": {"/{p}": {"a.b": 1}}});
        assert_eq!(
            check(json!({"paths": {"/{p}": {"a.b": 2}}}), actual),
            Err(r#"X.paths["/{p}"]["a.b"]: expected 2, got 1"#.into())
        );
        let long = "y".repeat(300);
        let message = check(json!("x"), json!(long)).unwrap_err();
        assert_eq!(
            message,
            format!("X: expected \"x\", got \"{}…", "y".repeat(119))
        );
    }

    #[test]
    fn patterns_render_as_their_constructors_write_them() {
        let m = Match::object_like([
            ("A", Match::array_with([Match::any_value()])),
            ("B", Match::not(Match::absent())),
            ("C", Match::exact(json!({"D": [1]}))),
        ]);
        assert_eq!(
            m.to_string(),
            r#"{"A": array_with([any_value()]), "B": not(absent()), "C": object_equals({"D": [1]})}"#
        );
    }

    fn demo() -> Template {
        Template::from_json(json!({
            "Resources": {
                "Public": {"Type": "AWS::ECS::Service", "Properties": {
                    "NetworkConfiguration": {"AwsvpcConfiguration": {
                        "AssignPublicIp": "ENABLED", "Subnets": [{"Ref": "A"}]}}}},
                "Other": {"Type": "AWS::ECS::Service", "Properties": {"Cluster": "c"}},
                "Queue": {"Type": "AWS::SQS::Queue", "DependsOn": ["Other", "Public"]},
                "Bare": {"Type": "AWS::SQS::Queue"},
            },
            "Outputs": {
                "Url": {"Value": {"Ref": "Queue"}, "Export": {"Name": "url"}},
                "Name": {"Value": "n"},
            },
        }))
        .unwrap()
    }

    #[test]
    fn counts_resources_of_a_type() {
        let t = demo();
        t.resource_count_is("AWS::ECS::Service", 2).unwrap();
        t.resource_count_is("AWS::S3::Bucket", 0).unwrap();
        assert_eq!(
            failure(t.resource_count_is("AWS::ECS::Service", 1)),
            "expected 1 resource(s) of type `AWS::ECS::Service`, found 2: `Other`, `Public`"
        );
        assert_eq!(
            failure(t.resource_count_is("AWS::S3::Bucket", 1)),
            "expected 1 resource(s) of type `AWS::S3::Bucket`, found 0; the template's types: `AWS::ECS::Service`, `AWS::SQS::Queue`"
        );
    }

    #[test]
    fn has_resource_properties_names_the_closest_candidate_and_the_path() {
        let t = demo();
        t.has_resource_properties(
            "AWS::ECS::Service",
            json!({"NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": "ENABLED"}}}),
        )
        .unwrap();
        t.has_resource_properties("AWS::ECS::Service", json!({"Cluster": "c"}))
            .unwrap();
        // a resource without Properties matches as {}
        t.has_resource_properties("AWS::SQS::Queue", json!({}))
            .unwrap();
        assert_eq!(
            failure(t.has_resource_properties(
                "AWS::ECS::Service",
                json!({"NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": "DISABLED"}}}),
            )),
            "no resource of type `AWS::ECS::Service` matches: the closest of 2 is `Public`, which differs at\n  \
             Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp: expected \"DISABLED\", got \"ENABLED\""
        );
        assert_eq!(
            failure(t.has_resource_properties("AWS::SQS::Queue", json!({"FifoQueue": true}))),
            "no resource of type `AWS::SQS::Queue` matches: the closest of 2 is `Bare`, which differs at\n  \
             Properties.FifoQueue: missing (expected true)"
        );
        assert_eq!(
            failure(t.has_resource_properties("AWS::ECS::Servic", json!({}))),
            "the template has no resource of type `AWS::ECS::Servic`; its types: `AWS::ECS::Service`, `AWS::SQS::Queue`"
        );
    }

    #[test]
    fn the_closest_candidate_is_the_one_with_the_least_missing() {
        let t = Template::from_json(json!({"Resources": {
            "A": {"Type": "T", "Properties": {"X": {"Y": 1, "Z": 2}}},
            "B": {"Type": "T", "Properties": {}},
        }}))
        .unwrap();
        // B misses the whole of X, A only one value inside it
        let message = failure(t.has_resource_properties("T", json!({"X": {"Y": 1, "Z": 3}})));
        assert_eq!(
            message,
            "no resource of type `T` matches: the closest of 2 is `A`, which differs at\n  \
             Properties.X.Z: expected 3, got 2"
        );
    }

    #[test]
    fn has_resource_sees_the_whole_resource() {
        let t = demo();
        t.has_resource(
            "AWS::SQS::Queue",
            Match::object_like([("DependsOn", Match::array_with(["Public"]))]),
        )
        .unwrap();
        assert_eq!(
            failure(t.has_resource("AWS::SQS::Queue", json!({"DependsOn": ["Public"]}))),
            "no resource of type `AWS::SQS::Queue` matches: the closest of 2 is `Queue`, which differs at\n  \
             DependsOn: expected 1 element(s), got 2: [\"Other\",\"Public\"]"
        );
    }

    #[test]
    fn many_differences_are_summarized() {
        let t = Template::from_json(json!({"Resources": {"A": {"Type": "T"}}})).unwrap();
        let pattern = Match::object_like((0..12).map(|i| (format!("K{i:02}"), i)));
        let message = failure(t.has_resource_properties("T", pattern));
        assert!(
            message.starts_with(
                "no resource of type `T` matches: the only one, `A`, differs at\n  Properties.K00: missing (expected 0)\n"
            ),
            "{message}"
        );
        assert!(
            message.contains("\n  Properties.K09: missing (expected 9)\n  ... and 2 more"),
            "{message}"
        );
        assert!(!message.contains("K10"), "{message}");
    }

    #[test]
    fn finds_resources_sorted_by_logical_id() {
        let t = demo();
        let ids = |found: Vec<(&str, &Json)>| {
            found
                .into_iter()
                .map(|(id, _)| id.to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ids(t.find_resources("AWS::ECS::Service", Match::any_value())),
            ["Other", "Public"]
        );
        assert_eq!(
            ids(t.find_resources(
                "AWS::SQS::Queue",
                Match::object_like([("DependsOn", Match::any_value())])
            )),
            ["Queue"]
        );
        assert_eq!(
            ids(t.find_resources("AWS::S3::Bucket", Match::any_value())),
            Vec::<String>::new()
        );
    }

    #[test]
    fn single_resource_and_resource_by_id() {
        let t = demo();
        assert_eq!(
            failure(t.single_resource("AWS::ECS::Service")),
            "expected 1 resource(s) of type `AWS::ECS::Service`, found 2: `Other`, `Public`"
        );
        let t2 =
            Template::from_json(json!({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})).unwrap();
        assert_eq!(t2.single_resource("AWS::SQS::Queue").unwrap().0, "Q");
        assert_eq!(
            t.resource("Bare").unwrap(),
            &json!({"Type": "AWS::SQS::Queue"})
        );
        assert_eq!(
            failure(t.resource("Missing")),
            "the template has no resource `Missing`; its resources: `Bare`, `Other`, `Public`, `Queue`"
        );
    }

    #[test]
    fn string_containing_looks_inside_strings_only() {
        check(Match::string_containing("NAT"), json!("the NAT gateways")).unwrap();
        assert_eq!(
            check(Match::string_containing("NAT"), json!("internet")).unwrap_err(),
            "X: expected a string containing \"NAT\", got \"internet\""
        );
        assert_eq!(
            check(Match::string_containing("NAT"), json!(["NAT"])).unwrap_err(),
            "X: expected string_containing(\"NAT\"), got [\"NAT\"]"
        );
        assert_eq!(
            check(json!({"A": 1}), json!({})).map(|_| ()),
            Err("X.A: missing (expected 1)".to_owned())
        );
        assert_eq!(
            check(
                Match::object_like([("R", Match::string_containing("x"))]),
                json!({})
            )
            .unwrap_err(),
            "X.R: missing (expected string_containing(\"x\"))"
        );
    }

    #[test]
    fn one_resource_by_logical_id() {
        let t = demo();
        t.resource_matches("Queue", json!({"DependsOn": ["Other", "Public"]}))
            .unwrap();
        t.resource_properties_match("Other", json!({"Cluster": "c"}))
            .unwrap();
        t.resource_properties_match("Bare", Match::object_like([("X", Match::absent())]))
            .unwrap();
        assert_eq!(
            failure(t.resource_properties_match("Public", json!({"Cluster": "c"}))),
            "resource `Public` differs at\n  Properties.Cluster: missing (expected \"c\")"
        );
        assert_eq!(
            failure(t.resource_matches("Bare", json!({"DependsOn": ["Other"]}))),
            "resource `Bare` differs at\n  DependsOn: missing (expected [\"Other\"])"
        );
        assert_eq!(
            failure(t.resource_properties_match("Missing", json!({}))),
            "the template has no resource `Missing`; its resources: `Bare`, `Other`, `Public`, `Queue`"
        );
    }

    #[test]
    fn outputs() {
        let t = demo();
        t.has_output("Url", json!({"Value": {"Ref": "Queue"}}))
            .unwrap();
        t.has_output("Name", Match::object_like([("Export", Match::absent())]))
            .unwrap();
        assert_eq!(
            failure(t.has_output("Url", json!({"Export": {"Name": "other"}}))),
            "output `Url` differs at\n  Export.Name: expected \"other\", got \"url\""
        );
        assert_eq!(
            failure(t.has_output("Nope", json!({}))),
            "the template has no output `Nope`; its outputs: `Name`, `Url`"
        );
        assert_eq!(
            failure(t.has_output("Url", json!("x"))),
            "output `Url` differs at\n  (root): expected \"x\", got {\"Export\":{\"Name\":\"url\"},\"Value\":{\"Ref\":\"Queue\"}}"
        );
        let found: Vec<&str> = t
            .find_outputs(Match::object_like([("Export", Match::any_value())]))
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(found, ["Url"]);
        assert_eq!(t.find_outputs(Match::any_value()).len(), 2);
    }

    #[test]
    fn malformed_templates_are_refused_with_the_place() {
        assert_eq!(
            failure(Template::parse("{")),
            "the template is not JSON: EOF while parsing an object at line 1 column 1"
        );
        assert_eq!(
            failure(Template::from_json(json!([]))),
            "a template is a JSON object, got []"
        );
        assert_eq!(
            failure(Template::from_json(json!({"Resources": []}))),
            "Resources: expected an object, got []"
        );
        assert_eq!(
            failure(Template::from_json(
                json!({"Resources": {"A": {"Properties": {}}}})
            )),
            "Resources.A: a resource is an object with a string `Type`, got {\"Properties\":{}}"
        );
        assert_eq!(
            failure(Template::from_json(json!({"Outputs": {"O": "v"}}))),
            "Outputs.O: an output is an object, got \"v\""
        );
        let empty = Template::parse("{}").unwrap();
        empty.resource_count_is("T", 0).unwrap();
        assert_eq!(empty.json(), &json!({}));
    }

    #[test]
    fn from_stack_reads_a_synthesized_stack() {
        let app = crate::App::new();
        let mut stack = app.stack("Demo").unwrap();
        stack
            .add("Queue", crate::RawResource::new("AWS::SQS::Queue"))
            .unwrap();
        let assembly = app.synth().unwrap();
        let t = Template::from_stack(&assembly, "Demo").unwrap();
        t.resource_count_is("AWS::SQS::Queue", 1).unwrap();
        assert_eq!(
            failure(Template::from_stack(&assembly, "Nope")),
            "the assembly has no stack `Nope`; its stacks: `Demo`"
        );
    }

    #[test]
    fn errors_debug_print_as_their_message() {
        let e = AssertionError::new("line one\n  line two");
        assert_eq!(format!("{e:?}"), "line one\n  line two");
        assert_eq!(e.to_string(), "line one\n  line two");
    }

    #[test]
    fn the_update_variable_counts_unless_empty_or_zero() {
        use std::ffi::OsStr;
        assert!(update_requested(Some(OsStr::new("1"))));
        assert!(update_requested(Some(OsStr::new("yes"))));
        assert!(!update_requested(Some(OsStr::new("0"))));
        assert!(!update_requested(Some(OsStr::new(""))));
        assert!(!update_requested(None));
    }

    struct Scratch(std::path::PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!(
                "cloudwright-assertions-{}-{name}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn a_missing_snapshot_fails_unless_updating_which_writes_it() {
        let dir = Scratch::new("missing");
        let file = dir.0.join("snapshots/S.json");
        let message = failure(compare_snapshot(&file, "a\n", false));
        assert_eq!(
            message,
            format!(
                "snapshot {} does not exist; if the change is intended, rerun with CLOUDWRIGHT_UPDATE_SNAPSHOTS=1 and review the diff",
                file.display()
            )
        );
        assert!(!file.exists());
        compare_snapshot(&file, "a\n", true).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "a\n");
        compare_snapshot(&file, "a\n", false).unwrap();
    }

    #[test]
    fn a_different_snapshot_shows_the_first_differing_lines_or_is_rewritten() {
        let dir = Scratch::new("differs");
        let file = dir.0.join("S.json");
        std::fs::create_dir_all(&dir.0).unwrap();
        std::fs::write(&file, "{\n  \"A\": 1,\n  \"B\": 2,\n  \"C\": 3\n}\n").unwrap();
        let actual = "{\n  \"A\": 1,\n  \"B\": 20,\n  \"B2\": 21,\n  \"C\": 3\n}\n";
        let message = failure(compare_snapshot(&file, actual, false));
        assert_eq!(
            message,
            format!(
                "differs from the snapshot {} from line 3: 1 line(s) expected, 2 line(s) got\n    \
                 3 -   \"B\": 2,\n    \
                 3 +   \"B\": 20,\n    \
                 4 +   \"B2\": 21,\n\
                 if the change is intended, rerun with CLOUDWRIGHT_UPDATE_SNAPSHOTS=1 and review the diff",
                file.display()
            )
        );
        compare_snapshot(&file, actual, true).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), actual);
    }

    #[test]
    fn snapshot_differences_are_shown_even_at_the_ends_and_summarized_when_long() {
        assert_eq!(
            first_difference("a\n", "a"),
            " from line 2: 1 line(s) expected, 0 line(s) got\n    2 - "
        );
        let expected: String = (0..30).map(|i| format!("{i}\n")).collect();
        let text = first_difference(&expected, "x\n");
        assert!(
            text.starts_with(" from line 1: 30 line(s) expected, 1 line(s) got\n    1 - 0\n"),
            "{text}"
        );
        assert!(
            text.ends_with("\n   10 - 9\n      - ... and 20 more\n    1 + x"),
            "{text}"
        );
    }
}
