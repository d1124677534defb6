//! Synthesis: from the stacks of an [`App`](crate::App) to templates, checked.
//!
//! For every stack: propagate tags, resolve every reference (a reference into another stack
//! becomes an export there and `Fn::ImportValue` here), build the dependency graph, reject
//! dangling references and cycles, emit `DependsOn` as the transitive reduction, check
//! CloudFormation's limits, and render the template deterministically. Then order the stacks.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::assembly::{Assembly, StackArtifact, WeakReference};
use crate::dot;
use crate::error::Error;
use crate::graph::{DependencyGraph, Edge, EdgeKind};
use crate::pretty_json::PrettyJson;
use crate::resource::{Policy, TagFormat};
use crate::stack::{DepTarget, StackData, WeakTarget};
use crate::value::{
    Pseudo, Reference, Segment, Value, intrinsic, is_intrinsic_key, path_text, sub_variables,
    typed_form,
};
use crate::violation::Violation;

/// CloudFormation quotas checked at synthesis.
pub mod limits {
    /// Resources per template.
    pub const RESOURCES: usize = 500;
    /// Outputs per template.
    pub const OUTPUTS: usize = 200;
    /// Parameters per template.
    pub const PARAMETERS: usize = 200;
    /// Mappings per template.
    pub const MAPPINGS: usize = 200;
    /// Template body size when uploaded through S3, in bytes.
    pub const TEMPLATE_BYTES: usize = 1_000_000;
    /// Template body size when passed inline to the API, in bytes.
    pub const INLINE_TEMPLATE_BYTES: usize = 51_200;
}

/// A reference from one stack into another.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Export {
    producer: Arc<str>,
    logical_id: String,
    attribute: Option<String>,
}

impl Export {
    fn output_id(&self) -> String {
        match &self.attribute {
            None => format!("ExportsOutputRef{}", self.logical_id),
            Some(a) => format!(
                "ExportsOutputFnGetAtt{}{}",
                self.logical_id,
                a.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
            ),
        }
    }

    fn export_name(&self, producer_name: &str) -> String {
        format!("{producer_name}:{}", self.output_id())
    }
}

struct Names<'a> {
    stacks: HashMap<&'a str, &'a StackData>,
}

impl Names<'_> {
    fn stack(&self, id: &str) -> Option<&StackData> {
        self.stacks.get(id).copied()
    }

    /// The stacks other than `except` that hold `logical_id` (a resource, or for a `Ref` a
    /// parameter), sorted by id.
    fn holders(&self, logical_id: &str, attribute: bool, except: &str) -> Vec<Arc<str>> {
        let mut found: Vec<Arc<str>> = self
            .stacks
            .values()
            .filter(|s| &*s.id != except && holds(s, logical_id, attribute))
            .map(|s| s.id.clone())
            .collect();
        found.sort();
        found
    }
}

/// Whether `s` holds `logical_id`: a resource, or for a `Ref` (no attribute) a parameter.
fn holds(s: &StackData, logical_id: &str, attribute: bool) -> bool {
    s.resource_index.contains_key(logical_id)
        || (!attribute && s.parameters.contains_key(logical_id))
}

/// The closest logical id (and for a `Ref` parameter) of `s` to a missing `logical_id`.
fn suggestion(s: &StackData, logical_id: &str, attribute: bool) -> Option<Box<str>> {
    let resources = s.resources.iter().map(|r| r.logical_id.as_str());
    let parameters = s
        .parameters
        .keys()
        .filter(|_| !attribute)
        .map(String::as_str);
    crate::id::closest(logical_id, resources.chain(parameters)).map(Box::from)
}

/// Synthesizes every stack. Stacks come out in deployment order.
/// `tags` are the scope tags [`apply_tags`] worked out, `refused` what
/// [`check_resources`] found.
pub(crate) fn synthesize(
    stacks: &[StackData],
    tags: &ScopeTags,
    refused: Vec<Option<(usize, Violation)>>,
) -> Result<Assembly, Error> {
    let names = Names {
        stacks: stacks.iter().map(|s| (&*s.id, s)).collect(),
    };
    let mut warnings = Vec::new();

    // 1. every reference (scope tags and schema checks are done before): local ones checked,
    // cross-stack ones collected
    let mut exports: BTreeMap<Arc<str>, BTreeSet<Export>> = BTreeMap::new();
    let mut stack_deps: BTreeMap<Arc<str>, BTreeSet<Arc<str>>> = BTreeMap::new();
    let mut prepared = Vec::with_capacity(stacks.len());
    for (s, refused) in stacks.iter().zip(refused) {
        let p = prepare(s, &names, &mut exports, &mut stack_deps, refused)?;
        prepared.push(p);
    }

    // weak references: a plain output in the producer, a parameter here, an ordering
    let mut weak_outputs: BTreeMap<Arc<str>, BTreeSet<WeakTarget>> = BTreeMap::new();
    let mut weak_refs: BTreeMap<Arc<str>, Vec<WeakReference>> = BTreeMap::new();
    for s in stacks {
        for (parameter, target) in &s.weak_refs {
            let shown = format!("{}/{}", target.producer, target.logical_id);
            let Some(producer) = names.stack(&target.producer) else {
                return Err(Error::DanglingReference {
                    stack: s.id.to_string(),
                    referrer: format!("Parameters.{parameter}"),
                    property: "weak_ref".into(),
                    target: format!("{shown} (no such stack)"),
                    suggestion: None,
                });
            };
            let attribute = target.attribute.is_some();
            if !holds(producer, &target.logical_id, attribute) {
                return Err(Error::DanglingReference {
                    stack: s.id.to_string(),
                    referrer: format!("Parameters.{parameter}"),
                    property: "weak_ref".into(),
                    target: shown,
                    suggestion: suggestion(producer, &target.logical_id, attribute),
                });
            }
            // the output's id keeps only the alphanumeric characters of the attribute, so two
            // targets can name one output (`TopicA.B`, `Topic.AB`): refused, not overwritten
            let in_producer = weak_outputs.entry(target.producer.clone()).or_default();
            if let Some(other) = in_producer
                .iter()
                .find(|o| *o != target && o.output_id() == target.output_id())
            {
                let show = |t: &WeakTarget| match &t.attribute {
                    Some(a) => format!("{}.{a}", t.logical_id),
                    None => t.logical_id.clone(),
                };
                return Err(Error::InvalidWeakRef {
                    stack: s.id.to_string(),
                    message: format!(
                        "weak references to `{}` and `{}` of stack `{}` would both be read from its output `{}`; rename one of the resources",
                        show(other),
                        show(target),
                        target.producer,
                        target.output_id()
                    ),
                });
            }
            in_producer.insert(target.clone());
            weak_refs
                .entry(s.id.clone())
                .or_default()
                .push(WeakReference {
                    parameter: parameter.clone(),
                    stack: target.producer.to_string(),
                    output: target.output_id(),
                });
            stack_deps
                .entry(s.id.clone())
                .or_default()
                .insert(target.producer.clone());
        }
    }

    // declared dependencies that cross stacks order the stacks
    for s in stacks {
        for (from, to) in &s.dependencies {
            if from.stack() != to.stack() {
                stack_deps
                    .entry(from.stack().clone())
                    .or_default()
                    .insert(to.stack().clone());
            }
        }
    }

    // 2. render each stack with its exports and imports
    let mut artifacts = Vec::with_capacity(stacks.len());
    let mut export_names: BTreeMap<String, String> = BTreeMap::new();
    for (i, (s, p)) in stacks.iter().zip(prepared).enumerate() {
        let own_exports = exports.get(&s.id).cloned().unwrap_or_default();
        let own_weak = weak_outputs.get(&s.id).cloned().unwrap_or_default();
        let mut artifact = render(
            s,
            p,
            |j| tags.shared(i, j),
            &own_exports,
            &own_weak,
            &names,
            &mut export_names,
        )?;
        artifact.weak_references = weak_refs.remove(&s.id).unwrap_or_default();
        if artifact.template.len() > limits::INLINE_TEMPLATE_BYTES {
            warnings.push(format!(
                "stack `{}`: template is {} bytes, over the {}-byte limit for inline templates; deploy it through an S3 bucket (`cloudwright deploy --bucket`)",
                s.id,
                artifact.template.len(),
                limits::INLINE_TEMPLATE_BYTES
            ));
        }
        artifacts.push(artifact);
    }
    for a in &mut artifacts {
        a.dependencies = stack_deps
            .get(&*a.id)
            .map(|d| d.iter().map(|x| x.to_string()).collect())
            .unwrap_or_default();
    }
    let artifacts = order_stacks(artifacts)?;
    Ok(Assembly {
        stacks: artifacts,
        warnings,
        assets: Vec::new(),
        file_assets: Vec::new(),
    })
}

/// A stack whose references are checked and whose graph is built.
struct Prepared {
    /// Whether a reference that names no stack refers into another stack (see
    /// [`RefChecker::foreign`]).
    foreign: bool,
    depends_on: Vec<Vec<String>>,
    dot: String,
}

fn prepare(
    s: &StackData,
    names: &Names<'_>,
    exports: &mut BTreeMap<Arc<str>, BTreeSet<Export>>,
    stack_deps: &mut BTreeMap<Arc<str>, BTreeSet<Arc<str>>>,
    refused: Option<(usize, Violation)>,
) -> Result<Prepared, Error> {
    let mut graph = DependencyGraph::borrowing(s.resources.iter().map(|r| r.logical_id.as_str()));
    let mut checker = RefChecker {
        stack: s,
        imports: Vec::new(),
        names,
        exports,
        stack_deps,
        foreign: false,
        segments: Vec::new(),
        found: Vec::new(),
        edges: Vec::new(),
    };
    let mut imports = Vec::new();
    for (i, r) in s.resources.iter().enumerate() {
        let referrer = r.logical_id.as_str();
        for (target, edge) in checker
            .check(referrer, "Properties", &r.properties)?
            .drain(..)
        {
            graph.add_edge(i, target, edge);
        }
        for (stack, logical_id) in checker.imports.drain(..) {
            imports.push(dot::ImportEdge {
                from: i,
                stack,
                logical_id,
            });
        }
        if let Some(c) = &r.condition {
            checker.condition(referrer, c)?;
        }
        if let Some(m) = &r.metadata {
            checker.check(referrer, "Metadata", m)?;
        }
        for (attribute, v) in [
            ("CreationPolicy", &r.creation_policy),
            ("UpdatePolicy", &r.update_policy),
        ] {
            if let Some(v) = v {
                checker.check(referrer, attribute, v)?;
            }
        }
    }
    for (id, (_, output)) in &s.outputs {
        let referrer = format!("Outputs.{id}");
        checker.check(&referrer, "Value", &output.value)?;
        if let Some(e) = &output.export_name {
            checker.check(&referrer, "Export.Name", e)?;
        }
        if let Some(c) = &output.condition {
            checker.condition(&referrer, c)?;
        }
    }
    for (name, (_, cond)) in &s.conditions {
        let referrer = format!("Conditions.{name}");
        checker.check(&referrer, "", cond)?;
        // `{"Condition": other}` read from JSON as a whole condition names another one
        if let Value::Map(m) = cond
            && m.len() == 1
            && let Some(Value::String(other)) = m.get("Condition")
        {
            checker.condition(&referrer, other)?;
        }
    }
    let foreign = checker.foreign;
    // the schema checks (run before, see `check_resources`) reported after the references, so
    // an intrinsic written as data is reported as such rather than as a map where the schema
    // wants a string
    if let Some((j, violation)) = refused
        && let Some(r) = s.resources.get(j)
    {
        return Err(Error::Constraint(Box::new(
            crate::violation::ResourceViolation {
                stack: s.id.to_string(),
                logical_id: r.logical_id.clone(),
                path: format!("{}/{}", s.id, r.path),
                type_name: r.type_name.clone(),
                violation,
            },
        )));
    }
    imports
        .sort_by(|a, b| (a.from, &a.stack, &a.logical_id).cmp(&(b.from, &b.stack, &b.logical_id)));
    imports.dedup_by(|a, b| (a.from, &a.stack, &a.logical_id) == (b.from, &b.stack, &b.logical_id));

    // declared dependencies within this stack, expanded to resources
    for (from, to) in &s.dependencies {
        if from.stack() != &s.id || to.stack() != &s.id {
            continue;
        }
        let targets = expand(s, to);
        for f in expand(s, from) {
            for &t in &targets {
                if targets.contains(&f) {
                    continue; // a member of the target group does not depend on the group
                }
                graph.add_edge(
                    f,
                    t,
                    Edge {
                        kind: EdgeKind::DependsOn,
                        property: String::new(),
                    },
                );
            }
        }
    }

    if let Some(cycle) = graph.find_cycle() {
        return Err(Error::Cycle {
            stack: s.id.to_string(),
            cycle: graph.describe_cycle(&cycle),
        });
    }
    let mut depends_on = vec![Vec::new(); s.resources.len()];
    let reduced = if s.props.depends_on_as_declared {
        graph.declared_edges()
    } else {
        graph.reduced_declared_edges()
    };
    for &(u, v) in &reduced {
        depends_on[u].push(s.resources[v].logical_id.clone());
    }
    for d in &mut depends_on {
        d.sort();
    }
    let mut edges: Vec<dot::LocalEdge> = graph
        .edges()
        .filter(|(_, _, e)| e.kind != EdgeKind::DependsOn)
        .map(|(from, to, e)| dot::LocalEdge {
            from,
            to,
            kind: e.kind,
        })
        .chain(reduced.iter().map(|&(from, to)| dot::LocalEdge {
            from,
            to,
            kind: EdgeKind::DependsOn,
        }))
        .collect();
    edges.sort_by_key(|e| (e.from, e.to, e.kind));
    edges.dedup_by_key(|e| (e.from, e.to, e.kind));
    let nodes: Vec<dot::Node<'_>> = s
        .resources
        .iter()
        .map(|r| dot::Node {
            logical_id: &r.logical_id,
            type_name: &r.type_name,
            path: &r.path,
        })
        .collect();
    let dot = dot::render(&s.id, &nodes, &edges, &imports);
    Ok(Prepared {
        foreign,
        depends_on,
        dot,
    })
}

fn expand(s: &StackData, target: &DepTarget) -> Vec<usize> {
    match target {
        DepTarget::Resource { logical_id, .. } => s
            .resource_index
            .get(logical_id)
            .copied()
            .into_iter()
            .collect(),
        DepTarget::Subtree { path, .. } => s
            .resources
            .iter()
            .enumerate()
            .filter(|(_, r)| is_under(&r.path, path))
            .map(|(i, _)| i)
            .collect(),
    }
}

fn is_under(path: &str, ancestor: &str) -> bool {
    ancestor.is_empty()
        || path == ancestor
        || (path.starts_with(ancestor) && path.as_bytes().get(ancestor.len()) == Some(&b'/'))
}

/// The scope tags of one synthesis. A resource that sets `Tags` itself has them merged with
/// the scope's and written into its properties for the time of synthesis ([`restore_tags`]
/// puts back what was there). The resources that set none (most) share one `Tags` value per
/// stack, format and set of scope tags: it is lent to each resource's schema check and
/// written beside its properties, never copied into them.
pub(crate) struct ScopeTags {
    /// Where merged `Tags` were written and what was there before.
    saved: Vec<(usize, usize, Option<Value>)>,
    /// Per stack, per resource, the index in `shared` of the `Tags` it takes.
    of_resource: Vec<Vec<Option<usize>>>,
    /// Per stack, the shared `Tags` values.
    shared: Vec<Vec<Value>>,
}

impl ScopeTags {
    /// The shared `Tags` resource `j` of stack `i` takes, if any.
    fn shared(&self, i: usize, j: usize) -> Option<&Value> {
        let k = (*self.of_resource.get(i)?.get(j)?)?;
        self.shared.get(i)?.get(k)
    }

    /// [`shared`](Self::shared), to lend it out and take it back.
    fn shared_mut(&mut self, i: usize, j: usize) -> Option<&mut Value> {
        let k = (*self.of_resource.get(i)?.get(j)?)?;
        self.shared.get_mut(i)?.get_mut(k)
    }
}

/// Works out the scope tags of every resource (see [`ScopeTags`]); merged ones are written
/// in place.
pub(crate) fn apply_tags(stacks: &mut [StackData]) -> ScopeTags {
    let mut tags = ScopeTags {
        saved: Vec::new(),
        of_resource: Vec::with_capacity(stacks.len()),
        shared: Vec::with_capacity(stacks.len()),
    };
    let mut applicable = Vec::new();
    for (i, s) in stacks.iter_mut().enumerate() {
        if s.tags.is_empty() {
            tags.of_resource.push(Vec::new());
            tags.shared.push(Vec::new());
            continue;
        }
        let mut of_resource = vec![None; s.resources.len()];
        // the shared `Tags` by format and by the scope tags that apply
        let mut fresh: Vec<(TagFormat, Vec<usize>, Value)> = Vec::new();
        for (j, r) in s.resources.iter_mut().enumerate() {
            if r.tag_format == TagFormat::None {
                continue;
            }
            applicable_tags(&s.tags, &r.path, &mut applicable);
            if applicable.is_empty() {
                continue;
            }
            let Value::Map(map) = &mut r.properties else {
                continue;
            };
            match map.get("Tags") {
                None => {
                    let k = match fresh
                        .iter()
                        .position(|(f, a, _)| *f == r.tag_format && *a == applicable)
                    {
                        Some(k) => k,
                        None => {
                            let Some(v) = merged_tags(&s.tags, &applicable, r.tag_format, None)
                            else {
                                continue;
                            };
                            fresh.push((r.tag_format, applicable.clone(), v));
                            fresh.len() - 1
                        }
                    };
                    if let Some(slot) = of_resource.get_mut(j) {
                        *slot = Some(k);
                    }
                }
                Some(own) => {
                    if let Some(v) = merged_tags(&s.tags, &applicable, r.tag_format, Some(own)) {
                        tags.saved.push((i, j, map.insert("Tags".into(), v)));
                    }
                }
            }
        }
        tags.of_resource.push(of_resource);
        tags.shared
            .push(fresh.into_iter().map(|(_, _, v)| v).collect());
    }
    tags
}

/// Puts back the `Tags` properties [`apply_tags`] replaced.
pub(crate) fn restore_tags(stacks: &mut [StackData], tags: ScopeTags) {
    for (i, j, before) in tags.saved {
        if let Some(r) = stacks.get_mut(i).and_then(|s| s.resources.get_mut(j))
            && let Value::Map(map) = &mut r.properties
        {
            match before {
                Some(v) => map.insert("Tags".into(), v),
                None => map.remove("Tags"),
            };
        }
    }
}

/// The first resource of each stack whose properties (with their scope tags) its schema or
/// its region refuses, and why: every check runs here, before [`synthesize`], which reports
/// them in its own order (a stack's references first). A shared `Tags` value is moved into
/// the properties for the time of the check and taken back.
pub(crate) fn check_resources(
    stacks: &mut [StackData],
    tags: &mut ScopeTags,
) -> Vec<Option<(usize, Violation)>> {
    let mut refused = Vec::with_capacity(stacks.len());
    for (i, s) in stacks.iter_mut().enumerate() {
        let region = s.props.region.as_deref();
        let mut first = None;
        for (j, r) in s.resources.iter_mut().enumerate() {
            let lent = match (&mut r.properties, tags.shared_mut(i, j)) {
                (Value::Map(map), Some(v)) => {
                    map.insert("Tags".into(), std::mem::replace(v, Value::Null));
                    true
                }
                _ => false,
            };
            let checked =
                (r.check)(&r.properties).and_then(|()| (r.check_region)(&r.properties, region));
            if lent
                && let Value::Map(map) = &mut r.properties
                && let Some(v) = map.remove("Tags")
                && let Some(slot) = tags.shared_mut(i, j)
            {
                *slot = v;
            }
            if let Err(violation) = checked {
                first = Some((j, violation));
                break;
            }
        }
        refused.push(first);
    }
    refused
}

/// The indexes of the scope `tags` that apply to a resource at `path`, shallower scopes
/// first (in the order they were added within one scope), into `out`.
fn applicable_tags(tags: &[(String, String, String)], path: &str, out: &mut Vec<usize>) {
    out.clear();
    out.extend(
        tags.iter()
            .enumerate()
            .filter(|(_, (p, _, _))| is_under(path, p))
            .map(|(i, _)| i),
    );
    let depth = |i: &usize| {
        let p = &tags[*i].0;
        p.matches('/').count() + usize::from(!p.is_empty())
    };
    if out.windows(2).any(|w| depth(&w[0]) > depth(&w[1])) {
        out.sort_by_key(|i| (depth(i), *i));
    }
}

/// The `Tags` property of a resource with the scope tags at `applicable` (indexes into
/// `tags`, shallower first) added to what it sets itself (`own`): a deeper scope's value wins,
/// a key the resource sets itself is kept. `None` when nothing changes.
fn merged_tags(
    tags: &[(String, String, String)],
    applicable: &[usize],
    format: TagFormat,
    own: Option<&Value>,
) -> Option<Value> {
    let mut merged: BTreeMap<&str, &str> = BTreeMap::new();
    for &i in applicable {
        let (_, k, v) = &tags[i];
        merged.insert(k, v);
    }
    match (format, own) {
        (TagFormat::KeyValueList, None) => Some(Value::List(
            merged
                .into_iter()
                .map(|(k, v)| Value::map([("Key", k), ("Value", v)]))
                .collect(),
        )),
        (TagFormat::KeyValueList, Some(Value::List(list))) => {
            let present = |k: &str| {
                list.iter().any(|t| match t {
                    Value::Map(m) => m.get("Key").and_then(Value::as_str) == Some(k),
                    _ => false,
                })
            };
            let mut list = list.clone();
            for (k, v) in merged {
                if !present(k) {
                    list.push(Value::map([("Key", k), ("Value", v)]));
                }
            }
            Some(Value::List(list))
        }
        (TagFormat::Map, None) => Some(Value::Map(
            merged
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k.to_owned()), v.into()))
                .collect(),
        )),
        (TagFormat::Map, Some(Value::Map(m))) => {
            let mut m = m.clone();
            for (k, v) in merged {
                m.entry(Cow::Owned(k.to_owned()))
                    .or_insert_with(|| v.into());
            }
            Some(Value::Map(m))
        }
        _ => None,
    }
}

struct RefChecker<'a, 'n> {
    stack: &'a StackData,
    /// Cross-stack references made by the resource being checked: (stack, logical id).
    imports: Vec<(String, String)>,
    names: &'a Names<'n>,
    exports: &'a mut BTreeMap<Arc<str>, BTreeSet<Export>>,
    stack_deps: &'a mut BTreeMap<Arc<str>, BTreeSet<Arc<str>>>,
    /// Whether a reference that names no stack (`Value::r#ref("X")`, or `{"Ref": "X"}` read
    /// from JSON) was found in another stack, the only one holding its logical id: it is then
    /// that stack's, exported there and imported here as a typed reference is.
    foreign: bool,
    /// Scratch space of [`check`](Self::check), kept between calls: the path being walked,
    /// what the walk found (with its property path), and the edges found.
    segments: Vec<Segment<'a>>,
    found: Vec<(String, &'a Value)>,
    edges: Vec<(usize, Edge)>,
}

impl<'a> RefChecker<'a, '_> {
    fn dangling(
        &self,
        referrer: &str,
        property: &str,
        target: String,
        suggestion: Option<Box<str>>,
    ) -> Error {
        Error::DanglingReference {
            stack: self.stack.id.to_string(),
            referrer: referrer.to_owned(),
            property: property.to_owned(),
            target,
            suggestion,
        }
    }

    fn condition(&self, referrer: &str, name: &str) -> Result<(), Error> {
        if self.stack.conditions.contains_key(name) {
            Ok(())
        } else {
            Err(Error::UnknownName {
                stack: self.stack.id.to_string(),
                referrer: referrer.to_owned(),
                kind: "condition",
                name: name.to_owned(),
            })
        }
    }

    /// Checks every reference inside `value`; returns the resource edges it makes (to be
    /// drained: the list is reused by the next call).
    fn check(
        &mut self,
        referrer: &str,
        root: &str,
        value: &'a Value,
    ) -> Result<&mut Vec<(usize, Edge)>, Error> {
        let mut found = std::mem::take(&mut self.found);
        let mut segments = std::mem::take(&mut self.segments);
        found.clear();
        segments.clear();
        // the path is written for what is found only
        value.walk_segments(&mut segments, &mut |segments, v| match v {
            Value::Ref(_)
            | Value::GetAtt(..)
            | Value::Sub(..)
            | Value::If(..)
            | Value::Condition(_)
            | Value::FindInMap(..) => found.push((path_text(root, segments), v)),
            Value::Map(m) if m.len() == 1 && m.keys().all(|k| is_intrinsic_key(k)) => {
                found.push((path_text(root, segments), v));
            }
            _ => {}
        });
        self.segments = segments;
        let result = self.check_found(referrer, &mut found);
        self.found = found;
        result?;
        Ok(&mut self.edges)
    }

    /// Checks what [`check`](Self::check)'s walk found, into `self.edges`.
    fn check_found(
        &mut self,
        referrer: &str,
        found: &mut Vec<(String, &'a Value)>,
    ) -> Result<(), Error> {
        self.edges.clear();
        for (property, v) in found.drain(..) {
            match v {
                Value::Ref(r) => {
                    if let Some(i) = self.target(referrer, &property, r, None)? {
                        let kind = EdgeKind::Ref;
                        self.edges.push((i, Edge { kind, property }));
                    }
                }
                Value::GetAtt(r, attr) => {
                    if let Some(i) = self.target(referrer, &property, r, Some(attr))? {
                        let kind = EdgeKind::GetAtt;
                        self.edges.push((i, Edge { kind, property }));
                    }
                }
                Value::Sub(template, vars) => {
                    let placeholders =
                        sub_variables(template).map_err(|offset| Error::InvalidSub {
                            stack: self.stack.id.to_string(),
                            referrer: referrer.to_owned(),
                            property: property.clone(),
                            template: template.clone(),
                            offset,
                        })?;
                    for p in placeholders {
                        if vars.contains_key(p.name) {
                            continue;
                        }
                        if p.name.starts_with("AWS::") {
                            if Pseudo::from_name(p.name).is_none() {
                                return Err(self.dangling(
                                    referrer,
                                    &property,
                                    p.name.to_owned(),
                                    None,
                                ));
                            }
                            continue;
                        }
                        let r = Reference::local(p.name);
                        let attr = p.attribute.map(str::to_owned);
                        if let Some(e) =
                            self.reference(referrer, &property, &r, attr.as_ref(), EdgeKind::Sub)?
                        {
                            self.edges.push(e);
                        }
                    }
                }
                Value::If(c, ..) => self.condition(referrer, c)?,
                Value::Condition(c) => self.condition(referrer, c)?,
                Value::FindInMap(m, ..) => {
                    if let Some(name) = m.as_str()
                        && !self.stack.mappings.contains_key(name)
                    {
                        return Err(Error::UnknownName {
                            stack: self.stack.id.to_string(),
                            referrer: referrer.to_owned(),
                            kind: "mapping",
                            name: name.to_owned(),
                        });
                    }
                }
                Value::Map(m) => {
                    if let Some((key, arg)) = m.iter().next()
                        && let Some(e) = self.untyped(referrer, &property, key, arg)?
                    {
                        self.edges.push(e);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A one-key map `{key: arg}` whose key is an intrinsic's: refused unless CloudFormation
    /// honours it as written and it has no typed form (its references inside are typed and
    /// checked by the walk; a `Fn::GetAtt` of a computed attribute is checked here, the edge
    /// returned).
    fn untyped(
        &mut self,
        referrer: &str,
        property: &str,
        key: &str,
        arg: &Value,
    ) -> Result<Option<(usize, Edge)>, Error> {
        let refuse = |problem: String, typed: &str| Error::IntrinsicAsData {
            stack: self.stack.id.to_string(),
            referrer: referrer.to_owned(),
            property: property.to_owned(),
            intrinsic: key.into(),
            problem: format!("{problem}; write {typed}"),
        };
        let not_typed = match intrinsic(key, arg) {
            Ok(_) => {
                return Err(refuse(
                    "is a map built by hand, which would be written without being checked".into(),
                    &format!(
                        "{} (or read it with Value::from_json, which turns intrinsics into their typed forms)",
                        typed_form(key)
                    ),
                ));
            }
            Err(e) if !e.honoured => return Err(refuse(e.problem, e.typed)),
            Err(e) => e,
        };
        let (Value::List(items), "Fn::GetAtt") = (arg, key) else {
            return Ok(None);
        };
        let Some(Value::String(id)) = items.first() else {
            return Ok(None);
        };
        if let Some(&i) = self.stack.resource_index.get(id) {
            return Ok(Some((
                i,
                Edge {
                    kind: EdgeKind::GetAtt,
                    property: property.to_owned(),
                },
            )));
        }
        if self.names.holders(id, true, &self.stack.id).is_empty() {
            let near = suggestion(self.stack, id, true);
            return Err(self.dangling(referrer, property, id.clone(), near));
        }
        Err(refuse(
            format!(
                "{} and names `{id}` of another stack, which cannot be exported without its attribute's name",
                not_typed.problem
            ),
            not_typed.typed,
        ))
    }

    fn reference(
        &mut self,
        referrer: &str,
        property: &str,
        r: &Reference,
        attribute: Option<&String>,
        kind: EdgeKind,
    ) -> Result<Option<(usize, Edge)>, Error> {
        let edge = |i| {
            let property = property.to_owned();
            (i, Edge { kind, property })
        };
        Ok(self.target(referrer, property, r, attribute)?.map(edge))
    }

    /// The index of the resource of this stack `r` points to, or `None` for a parameter, a
    /// pseudo parameter or another stack's resource (its export and import recorded).
    fn target(
        &mut self,
        referrer: &str,
        property: &str,
        r: &Reference,
        attribute: Option<&String>,
    ) -> Result<Option<usize>, Error> {
        let target_stack = r.stack.clone().unwrap_or_else(|| self.stack.id.clone());
        if target_stack != self.stack.id {
            let Some(producer) = self.names.stack(&target_stack) else {
                return Err(self.dangling(
                    referrer,
                    property,
                    format!("{target_stack}/{} (no such stack)", r.logical_id),
                    None,
                ));
            };
            if !holds(producer, &r.logical_id, attribute.is_some()) {
                return Err(self.dangling(
                    referrer,
                    property,
                    format!("{target_stack}/{}", r.logical_id),
                    suggestion(producer, &r.logical_id, attribute.is_some()),
                ));
            }
            let env = |s: &StackData| {
                format!(
                    "account {}, region {}",
                    s.props.account.as_deref().unwrap_or("unpinned"),
                    s.props.region.as_deref().unwrap_or("unpinned")
                )
            };
            let differ = |a: &Option<String>, b: &Option<String>| matches!((a, b), (Some(a), Some(b)) if a != b);
            if differ(&producer.props.region, &self.stack.props.region)
                || differ(&producer.props.account, &self.stack.props.account)
            {
                return Err(Error::CrossEnvironmentReference(Box::new(
                    crate::error::CrossEnvironment {
                        consumer: self.stack.id.to_string(),
                        consumer_env: env(self.stack),
                        producer: target_stack.to_string(),
                        producer_env: env(producer),
                        value: match attribute {
                            Some(a) => format!("{}.{a}", r.logical_id),
                            None => r.logical_id.clone(),
                        },
                        referrer: referrer.to_owned(),
                        property: property.to_owned(),
                    },
                )));
            }
            self.exports
                .entry(target_stack.clone())
                .or_default()
                .insert(Export {
                    producer: target_stack.clone(),
                    logical_id: r.logical_id.clone(),
                    attribute: attribute.cloned(),
                });
            self.imports
                .push((target_stack.to_string(), r.logical_id.clone()));
            self.stack_deps
                .entry(self.stack.id.clone())
                .or_default()
                .insert(target_stack);
            return Ok(None);
        }
        if let Some(&i) = self.stack.resource_index.get(&r.logical_id) {
            return Ok(Some(i));
        }
        let is_param = attribute.is_none() && self.stack.parameters.contains_key(&r.logical_id);
        let is_pseudo = attribute.is_none() && Pseudo::from_name(&r.logical_id).is_some();
        if is_param || is_pseudo {
            return Ok(None);
        }
        let target = match attribute {
            Some(a) => format!("{}.{a}", r.logical_id),
            None => r.logical_id.clone(),
        };
        if r.stack.is_none() {
            // named without a stack (by hand, or read from JSON): another stack's when that
            // is the only one holding the id
            let holders = self
                .names
                .holders(&r.logical_id, attribute.is_some(), &self.stack.id);
            match holders.as_slice() {
                [producer] => {
                    self.foreign = true;
                    let qualified = Reference {
                        stack: Some(producer.clone()),
                        logical_id: r.logical_id.clone(),
                    };
                    return self.target(referrer, property, &qualified, attribute);
                }
                [] => {}
                several => {
                    return Err(Error::AmbiguousReference {
                        stack: self.stack.id.to_string(),
                        referrer: referrer.to_owned(),
                        property: property.to_owned(),
                        target,
                        stacks: several.iter().map(|s| s.to_string()).collect(),
                    });
                }
            }
        }
        let near = suggestion(self.stack, &r.logical_id, attribute.is_some());
        Err(self.dangling(referrer, property, target, near))
    }
}

/// The stack a reference points into when that is not `stack`. `foreign`: the stack has
/// references that name no stack but point into another ([`RefChecker::foreign`]).
fn producer_of(
    r: &Reference,
    attribute: bool,
    stack: &StackData,
    names: &Names<'_>,
    foreign: bool,
) -> Option<Arc<str>> {
    match &r.stack {
        Some(t) => (*t != stack.id).then(|| t.clone()),
        None if foreign
            && !holds(stack, &r.logical_id, attribute)
            && Pseudo::from_name(&r.logical_id).is_none() =>
        {
            names
                .holders(&r.logical_id, attribute, &stack.id)
                .into_iter()
                .next()
        }
        None => None,
    }
}

/// Whether `value` holds a reference into another stack.
fn crosses_stacks(value: &Value, stack: &StackData, names: &Names<'_>, foreign: bool) -> bool {
    let mut found = false;
    value.visit(&mut |v| match v {
        Value::Ref(r) => found |= producer_of(r, false, stack, names, foreign).is_some(),
        Value::GetAtt(r, _) => found |= producer_of(r, true, stack, names, foreign).is_some(),
        _ => {}
    });
    found
}

/// Rewrites references into other stacks as imports (references within the stack serialize
/// as they are), borrowing when there is nothing to rewrite.
fn resolve<'v>(
    value: &'v Value,
    stack: &StackData,
    names: &Names<'_>,
    foreign: bool,
) -> Cow<'v, Value> {
    if names.stacks.len() == 1 {
        // the reference check refused every reference to a stack that is not there
        return Cow::Borrowed(value);
    }
    if foreign && let Some(v) = placeholders_to_variables(value, stack, names) {
        return Cow::Owned(imports(&v, stack, names, foreign).into_owned());
    }
    imports(value, stack, names, foreign)
}

/// `value` with every `Fn::Sub` placeholder (`${X}`, `${X.Attr}`) that names no stack but
/// another stack's resource turned into a variable holding the typed reference, which
/// [`imports`] then imports (a placeholder itself cannot be): `${Table.Arn}` becomes
/// `${TableArn}` with `TableArn` the reference. `None` when there is none.
fn placeholders_to_variables(value: &Value, stack: &StackData, names: &Names<'_>) -> Option<Value> {
    let mut changed = false;
    let out = value.map_refs(&mut |v| {
        let sub = sub_to_variables(v, stack, names);
        changed |= sub.is_some();
        sub
    });
    changed.then_some(out)
}

/// One `Fn::Sub` of [`placeholders_to_variables`] (its variables' values rewritten too).
fn sub_to_variables(v: &Value, stack: &StackData, names: &Names<'_>) -> Option<Value> {
    let Value::Sub(template, vars) = v else {
        return None;
    };
    let placeholders = sub_variables(template).ok()?;
    let mut renamed: BTreeMap<(&str, Option<&str>), String> = BTreeMap::new();
    let mut added: BTreeMap<String, Value> = BTreeMap::new();
    for p in &placeholders {
        let key = (p.name, p.attribute);
        if vars.contains_key(p.name) || p.name.starts_with("AWS::") || renamed.contains_key(&key) {
            continue;
        }
        let local = Reference::local(p.name);
        let Some(producer) = producer_of(&local, p.attribute.is_some(), stack, names, true) else {
            continue;
        };
        let base: String = p
            .name
            .chars()
            .chain(p.attribute.unwrap_or_default().chars())
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let taken = |var: &str| {
            vars.contains_key(var)
                || added.contains_key(var)
                || placeholders.iter().any(|q| q.name == var)
        };
        let mut var = base.clone();
        let mut n = 1;
        while taken(&var) {
            n += 1;
            var = format!("{base}{n}");
        }
        let qualified = Reference {
            stack: Some(producer),
            logical_id: p.name.to_owned(),
        };
        let reference = match p.attribute {
            Some(a) => Value::GetAtt(qualified, a.to_owned()),
            None => Value::Ref(qualified),
        };
        added.insert(var.clone(), reference);
        renamed.insert(key, var);
    }
    if renamed.is_empty() {
        return None;
    }
    let mut variables: BTreeMap<String, Value> = vars
        .iter()
        .map(|(k, x)| {
            let x = placeholders_to_variables(x, stack, names).unwrap_or_else(|| x.clone());
            (k.clone(), x)
        })
        .collect();
    variables.extend(added);
    Some(Value::Sub(
        rename_placeholders(template, &renamed),
        variables,
    ))
}

/// `template` with each placeholder `renamed` maps (by name and attribute) written as
/// `${variable}`; escapes (`${!Literal}`) and the other placeholders as they are.
fn rename_placeholders(template: &str, renamed: &BTreeMap<(&str, Option<&str>), String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            break;
        };
        let inner = &after[..end];
        out.push_str(&rest[..start]);
        let trimmed = inner.trim();
        let key = match trimmed.split_once('.') {
            Some((n, a)) => (n, Some(a)),
            None => (trimmed, None),
        };
        match renamed.get(&key).filter(|_| !inner.starts_with('!')) {
            Some(var) => {
                out.push_str("${");
                out.push_str(var);
                out.push('}');
            }
            None => out.push_str(&rest[start..start + 2 + end + 1]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The references of `value` into other stacks rewritten as imports, borrowing when there
/// is nothing to rewrite.
fn imports<'v>(
    value: &'v Value,
    stack: &StackData,
    names: &Names<'_>,
    foreign: bool,
) -> Cow<'v, Value> {
    if !crosses_stacks(value, stack, names, foreign) {
        return Cow::Borrowed(value);
    }
    Cow::Owned(value.map_refs(&mut |v| {
        let (r, attr) = match v {
            Value::Ref(r) => (r, None),
            Value::GetAtt(r, a) => (r, Some(a)),
            _ => return None,
        };
        let target = producer_of(r, attr.is_some(), stack, names, foreign)?;
        let producer = names.stack(&target)?;
        let export = Export {
            producer: target,
            logical_id: r.logical_id.clone(),
            attribute: attr.cloned(),
        };
        Some(Value::import_value(
            export.export_name(producer.stack_name()),
        ))
    }))
}

/// One resource as written.
struct ResourceBody<'a> {
    condition: Option<&'a str>,
    creation_policy: Option<Cow<'a, Value>>,
    deletion_policy: Option<&'static str>,
    depends_on: Vec<String>,
    metadata: Option<Cow<'a, Value>>,
    properties: Option<Cow<'a, Value>>,
    /// The scope tags written into `properties` as its `Tags` (see [`ScopeTags`]).
    tags: Option<&'a Value>,
    r#type: &'a str,
    update_policy: Option<Cow<'a, Value>>,
    update_replace_policy: Option<&'static str>,
}

impl ResourceBody<'_> {
    /// Writes the resource's attributes in alphabetical order, the ones not set left out.
    fn write(&self, w: &mut PrettyJson) {
        w.open_object();
        if let Some(c) = self.condition {
            w.key("Condition");
            w.string(c);
        }
        if let Some(p) = &self.creation_policy {
            w.key("CreationPolicy");
            w.value(p);
        }
        if let Some(p) = self.deletion_policy {
            w.key("DeletionPolicy");
            w.string(p);
        }
        if !self.depends_on.is_empty() {
            w.key("DependsOn");
            w.strings(self.depends_on.iter().map(String::as_str));
        }
        if let Some(m) = &self.metadata {
            w.key("Metadata");
            w.value(m);
        }
        if let Some(p) = &self.properties {
            w.key("Properties");
            match (&**p, self.tags) {
                (Value::Map(m), Some(tags)) => w.map_with(m, ("Tags", tags)),
                _ => w.value(p),
            }
        }
        w.key("Type");
        w.string(self.r#type);
        if let Some(p) = &self.update_policy {
            w.key("UpdatePolicy");
            w.value(p);
        }
        if let Some(p) = self.update_replace_policy {
            w.key("UpdateReplacePolicy");
            w.string(p);
        }
        w.close_object();
    }
}

/// One output as written: a declared output, an export for another stack, or the output
/// read for another stack's weak reference.
struct OutputBody<'a> {
    condition: Option<&'a str>,
    description: Option<&'a str>,
    export_name: Option<Cow<'a, Value>>,
    value: Cow<'a, Value>,
}

impl OutputBody<'_> {
    /// Writes the output's fields in alphabetical order, the ones not set left out.
    fn write(&self, w: &mut PrettyJson) {
        w.open_object();
        if let Some(c) = self.condition {
            w.key("Condition");
            w.string(c);
        }
        if let Some(d) = self.description {
            w.key("Description");
            w.string(d);
        }
        if let Some(name) = &self.export_name {
            w.key("Export");
            w.open_object();
            w.key("Name");
            w.value(name);
            w.close_object();
        }
        w.key("Value");
        w.value(&self.value);
        w.close_object();
    }
}

fn render<'t>(
    s: &StackData,
    p: Prepared,
    scope_tags: impl Fn(usize) -> Option<&'t Value>,
    exports: &BTreeSet<Export>,
    weak_outputs: &BTreeSet<WeakTarget>,
    names: &Names<'_>,
    export_names: &mut BTreeMap<String, String>,
) -> Result<StackArtifact, Error> {
    let limit = |what: &'static str, limit: usize, actual: usize| {
        if actual > limit {
            Err(Error::Limit {
                stack: s.id.to_string(),
                what,
                limit,
                actual,
            })
        } else {
            Ok(())
        }
    };
    limit("resources", limits::RESOURCES, s.resources.len())?;
    limit("parameters", limits::PARAMETERS, s.parameters.len())?;
    limit("mappings", limits::MAPPINGS, s.mappings.len())?;
    limit(
        "outputs (including exports for other stacks)",
        limits::OUTPUTS,
        s.outputs.len() + exports.len() + weak_outputs.len(),
    )?;

    let graph_dot = p.dot;
    let foreign = p.foreign;
    // by logical id (unique in a stack)
    let mut resources = Vec::with_capacity(s.resources.len());
    for (j, (r, depends_on)) in s.resources.iter().zip(p.depends_on).enumerate() {
        let props = resolve(&r.properties, s, names, foreign);
        let tags = scope_tags(j);
        let properties =
            (tags.is_some() || !matches!(&*props, Value::Map(m) if m.is_empty())).then_some(props);
        resources.push((
            r.logical_id.as_str(),
            ResourceBody {
                condition: r.condition.as_deref(),
                deletion_policy: r.deletion_policy.map(Policy::name),
                depends_on,
                metadata: r.metadata.as_ref().map(|m| resolve(m, s, names, foreign)),
                creation_policy: r
                    .creation_policy
                    .as_ref()
                    .map(|v| resolve(v, s, names, foreign)),
                update_policy: r
                    .update_policy
                    .as_ref()
                    .map(|v| resolve(v, s, names, foreign)),
                properties,
                tags,
                r#type: &r.type_name,
                update_replace_policy: r.update_replace_policy.map(Policy::name),
            },
        ));
    }
    let mut order: Vec<usize> = (0..resources.len()).collect();
    order.sort_unstable_by(|&i, &j| match (resources.get(i), resources.get(j)) {
        (Some((a, _)), Some((b, _))) => crate::value::name_cmp(a, b),
        (a, b) => a.is_some().cmp(&b.is_some()),
    });

    // one map of every output, by id (an id written twice keeps the last one written)
    let mut outputs = BTreeMap::new();
    let mut output_ids = Vec::new();
    let mut export_list = Vec::new();
    let mut claim_export = |name: String, output: &str| -> Result<(), Error> {
        let owner = format!("{}.{output}", s.id);
        if let Some(first) = export_names.insert(name.clone(), owner.clone()) {
            return Err(Error::DuplicateExport {
                name,
                first,
                second: owner,
            });
        }
        Ok(())
    };
    for (id, (_, o)) in &s.outputs {
        let export_name = match &o.export_name {
            Some(e) => {
                let e = resolve(e, s, names, foreign);
                if let Some(name) = static_string(&e, s.stack_name()) {
                    claim_export(name.clone(), id)?;
                    export_list.push(name);
                }
                Some(e)
            }
            None => None,
        };
        outputs.insert(
            id.clone(),
            OutputBody {
                condition: o.condition.as_deref(),
                description: o.description.as_deref(),
                export_name,
                value: resolve(&o.value, s, names, foreign),
            },
        );
        output_ids.push(id.clone());
    }
    for e in exports {
        let id = e.output_id();
        let name = e.export_name(s.stack_name());
        claim_export(name.clone(), &id)?;
        let value = match &e.attribute {
            None => Value::r#ref(e.logical_id.clone()),
            Some(a) => Value::get_att(e.logical_id.clone(), a.clone()),
        };
        outputs.insert(
            id.clone(),
            OutputBody {
                condition: None,
                description: None,
                export_name: Some(Cow::Owned(Value::String(name.clone()))),
                value: Cow::Owned(value),
            },
        );
        output_ids.push(id);
        export_list.push(name);
    }

    for w in weak_outputs {
        let id = w.output_id();
        let value = match &w.attribute {
            None => Value::r#ref(w.logical_id.clone()),
            Some(a) => Value::get_att(w.logical_id.clone(), a.clone()),
        };
        outputs.insert(
            id.clone(),
            OutputBody {
                condition: None,
                description: Some("read by cloudwright for a weak reference of another stack"),
                export_name: None,
                value: Cow::Owned(value),
            },
        );
        output_ids.push(id);
    }

    // the template's sections in alphabetical order, the empty ones left out; written into a
    // buffer that seldom needs to grow (2 KB a resource: a typed resource takes 0.6–0.9 KB),
    // whose spare capacity is kept (never touched, so never faulted in). A buffer reserved
    // closer to the size, or shrunk to it when done, made glibc's allocator give memory back to
    // the system and fault it in again on every synthesis of a loop (BENCHMARKS.md, issue 22's
    // sixth pass).
    let mut w = PrettyJson::with_capacity(4096 + 2048 * s.resources.len());
    w.open_object();
    w.key("AWSTemplateFormatVersion");
    w.string("2010-09-09");
    if !s.conditions.is_empty() {
        w.key("Conditions");
        w.open_object();
        for (k, (_, v)) in &s.conditions {
            w.key(k);
            w.value(&resolve(v, s, names, foreign));
        }
        w.close_object();
    }
    if let Some(d) = &s.props.description {
        w.key("Description");
        w.string(d);
    }
    if !s.mappings.is_empty() {
        w.key("Mappings");
        w.open_object();
        for (k, (_, m)) in &s.mappings {
            w.key(k);
            w.open_object();
            for (k2, second) in m {
                w.key(k2);
                w.open_object();
                for (k3, v) in second {
                    w.key(k3);
                    w.value(v);
                }
                w.close_object();
            }
            w.close_object();
        }
        w.close_object();
    }
    if !outputs.is_empty() {
        w.key("Outputs");
        w.open_object();
        for (id, o) in &outputs {
            w.key(id);
            o.write(&mut w);
        }
        w.close_object();
    }
    if !s.parameters.is_empty() {
        w.key("Parameters");
        w.open_object();
        for (k, p) in &s.parameters {
            w.key(k);
            w.json(&p.to_json());
        }
        w.close_object();
    }
    w.key("Resources");
    w.open_object();
    for (id, r) in order.iter().filter_map(|&i| resources.get(i)) {
        w.key(id);
        r.write(&mut w);
    }
    w.close_object();
    w.close_object();
    let mut text = w.finish();
    text.push('\n');
    limit("bytes in its template", limits::TEMPLATE_BYTES, text.len())?;
    let hash = crate::assembly::template_hash(text.as_bytes());
    Ok(StackArtifact {
        id: s.id.to_string(),
        stack_name: s.stack_name().to_owned(),
        description: s.props.description.clone(),
        region: s.props.region.clone(),
        account: s.props.account.clone(),
        resource_count: s.resources.len(),
        outputs: output_ids,
        exports: export_list,
        dependencies: Vec::new(),
        weak_references: Vec::new(),
        lookups: s.lookups.clone(),
        hash,
        template: text,
        graph_dot,
    })
}

/// The literal string a value always evaluates to in a stack, when it can be known at synthesis.
fn static_string(v: &Value, stack_name: &str) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Pseudo(Pseudo::StackName) => Some(stack_name.to_owned()),
        Value::Sub(t, vars) if vars.is_empty() => {
            let vars = sub_variables(t).ok()?;
            if vars
                .iter()
                .all(|v| v.name == "AWS::StackName" && v.attribute.is_none())
            {
                Some(t.replace("${AWS::StackName}", stack_name))
            } else {
                None
            }
        }
        Value::Join(d, items) => items
            .iter()
            .map(|i| static_string(i, stack_name))
            .collect::<Option<Vec<_>>>()
            .map(|parts| parts.join(d)),
        _ => None,
    }
}

/// Orders stacks so every stack comes after the stacks it depends on; ties keep the order in
/// which the stacks were added.
fn order_stacks(stacks: Vec<StackArtifact>) -> Result<Vec<StackArtifact>, Error> {
    let index: HashMap<String, usize> = stacks
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), i))
        .collect();
    let mut graph = DependencyGraph::new(stacks.iter().map(|s| s.id.clone()));
    for (i, s) in stacks.iter().enumerate() {
        for d in &s.dependencies {
            if let Some(&j) = index.get(d) {
                graph.add_edge(
                    i,
                    j,
                    Edge {
                        kind: EdgeKind::Ref,
                        property: String::new(),
                    },
                );
            }
        }
    }
    if let Some(cycle) = graph.find_cycle() {
        let names: Vec<&str> = cycle.iter().map(|(n, _)| graph.name(*n)).collect();
        return Err(Error::StackCycle(names.join(" -> ")));
    }
    let mut remaining: Vec<Option<StackArtifact>> = stacks.into_iter().map(Some).collect();
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::with_capacity(remaining.len());
    while out.len() < remaining.len() {
        let mut progressed = false;
        for slot in &mut remaining {
            let ready = slot
                .as_ref()
                .is_some_and(|s| s.dependencies.iter().all(|d| done.contains(d)));
            if ready && let Some(s) = slot.take() {
                done.insert(s.id.clone());
                out.push(s);
                progressed = true;
                break;
            }
        }
        if !progressed {
            break;
        }
    }
    Ok(out)
}
