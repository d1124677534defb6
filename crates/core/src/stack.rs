//! What a stack holds before synthesis: resources, parameters, outputs, conditions, mappings,
//! tags and declared dependencies.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::id::{IdIndex, IdMap, IdSet};
use crate::resource::{CheckFn, Policy, RegionCheckFn, TagFormat};
use crate::value::Value;

/// Settings of one stack, built with short setters:
///
/// ```
/// use cloudwright_core::StackProps;
/// let props = StackProps::new().description("The orders service").region("eu-west-1");
/// assert_eq!(props.region.as_deref(), Some("eu-west-1"));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct StackProps {
    /// The CloudFormation stack name; defaults to the stack's id.
    pub stack_name: Option<String>,
    /// The template's `Description`.
    pub description: Option<String>,
    /// The region the stack is meant for (recorded in the manifest for the toolkit); defaults
    /// to the app's ([`App::set_region`](crate::App::set_region)).
    pub region: Option<String>,
    /// The account the stack is meant for (recorded in the manifest for the toolkit).
    pub account: Option<String>,
    /// Write every declared dependency between resources as `DependsOn`, even one that a
    /// reference or another dependency already implies (by default synthesis writes the
    /// transitive reduction). A stack migrated from a template sets it, so its template keeps
    /// the `DependsOn` it was deployed with.
    pub depends_on_as_declared: bool,
}

impl StackProps {
    /// No settings: the stack name is the id, the region the app's.
    pub fn new() -> Self {
        StackProps::default()
    }

    /// Sets the CloudFormation stack name (default: the stack's id).
    pub fn stack_name(mut self, name: impl Into<String>) -> Self {
        self.stack_name = Some(name.into());
        self
    }

    /// Sets the template's `Description`.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the region the stack is for.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Writes every declared dependency as `DependsOn`, implied ones included (see
    /// [`StackProps::depends_on_as_declared`]).
    pub fn depends_on_as_declared(mut self) -> Self {
        self.depends_on_as_declared = true;
        self
    }

    /// Sets the account the stack is for.
    pub fn account(mut self, account: impl Into<String>) -> Self {
        self.account = Some(account.into());
        self
    }
}

/// A template parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// The parameter type: `String`, `Number`, `List<Number>`, `CommaDelimitedList`,
    /// `AWS::EC2::VPC::Id`, `AWS::SSM::Parameter::Value<String>`, ...
    pub r#type: String,
    /// Default value.
    pub default: Option<Value>,
    /// Description.
    pub description: Option<String>,
    /// Allowed values.
    pub allowed_values: Vec<Value>,
    /// A regular expression the value must match.
    pub allowed_pattern: Option<String>,
    /// Shown when the value does not satisfy the constraints.
    pub constraint_description: Option<String>,
    /// Minimum length of a string.
    pub min_length: Option<u32>,
    /// Maximum length of a string.
    pub max_length: Option<u32>,
    /// Minimum of a number.
    pub min_value: Option<f64>,
    /// Maximum of a number.
    pub max_value: Option<f64>,
    /// Mask the value in the console and API output.
    pub no_echo: bool,
}

impl Parameter {
    /// A parameter of the given CloudFormation parameter type.
    pub fn new(r#type: impl Into<String>) -> Self {
        Parameter {
            r#type: r#type.into(),
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
        }
    }

    /// Sets the default.
    pub fn default_value(mut self, v: impl Into<Value>) -> Self {
        self.default = Some(v.into());
        self
    }

    /// Sets the description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }

    /// Sets the allowed values.
    pub fn allowed_values<V: Into<Value>>(mut self, vs: impl IntoIterator<Item = V>) -> Self {
        self.allowed_values = vs.into_iter().map(Into::into).collect();
        self
    }

    pub(crate) fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("Type".into(), self.r#type.clone().into());
        let mut put = |k: &str, v: Option<serde_json::Value>| {
            if let Some(v) = v {
                m.insert(k.into(), v);
            }
        };
        put("Default", self.default.as_ref().map(to_json));
        put("Description", self.description.clone().map(Into::into));
        put(
            "AllowedValues",
            (!self.allowed_values.is_empty())
                .then(|| self.allowed_values.iter().map(to_json).collect()),
        );
        put(
            "AllowedPattern",
            self.allowed_pattern.clone().map(Into::into),
        );
        put(
            "ConstraintDescription",
            self.constraint_description.clone().map(Into::into),
        );
        put("MinLength", self.min_length.map(Into::into));
        put("MaxLength", self.max_length.map(Into::into));
        put("MinValue", self.min_value.map(Into::into));
        put("MaxValue", self.max_value.map(Into::into));
        put("NoEcho", self.no_echo.then_some(true.into()));
        serde_json::Value::Object(m)
    }
}

/// A template output.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    /// The value.
    pub value: Value,
    /// Description.
    pub description: Option<String>,
    /// Export name, making the value importable by other stacks of the account and region.
    pub export_name: Option<Value>,
    /// A condition under which the output exists.
    pub condition: Option<String>,
}

impl Output {
    /// An output of `value`.
    pub fn new(value: impl Into<Value>) -> Self {
        Output {
            value: value.into(),
            description: None,
            export_name: None,
            condition: None,
        }
    }

    /// Sets the description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }

    /// Exports the output under `name`.
    pub fn export(mut self, name: impl Into<Value>) -> Self {
        self.export_name = Some(name.into());
        self
    }
}

/// A template mapping: top-level key -> second-level key -> value.
pub type Mapping = BTreeMap<String, BTreeMap<String, Value>>;

pub(crate) fn to_json(v: &Value) -> serde_json::Value {
    // Serializing a `Value` cannot fail: it holds no maps with non-string keys and no floats
    // that JSON cannot express (non-finite floats become `Null` on construction).
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// What a declared dependency points at.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DepTarget {
    /// One resource.
    Resource {
        /// The stack id.
        stack: Arc<str>,
        /// The logical id.
        logical_id: String,
    },
    /// Every resource under a construct path (including ones added later).
    Subtree {
        /// The stack id.
        stack: Arc<str>,
        /// The construct path (`""` is the whole stack).
        path: String,
    },
}

impl DepTarget {
    pub(crate) fn stack(&self) -> &Arc<str> {
        match self {
            DepTarget::Resource { stack, .. } | DepTarget::Subtree { stack, .. } => stack,
        }
    }
}

/// What a weak reference's parameter is filled from: a resource (or parameter) of another
/// stack, through a plain output there.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct WeakTarget {
    pub producer: Arc<str>,
    pub logical_id: String,
    pub attribute: Option<String>,
}

impl WeakTarget {
    /// The producer's output that carries the value.
    pub fn output_id(&self) -> String {
        match &self.attribute {
            None => format!("WeakOutputRef{}", self.logical_id),
            Some(a) => format!(
                "WeakOutputFnGetAtt{}{}",
                self.logical_id,
                a.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
            ),
        }
    }
}

/// One resource as added.
#[derive(Clone, Debug)]
pub(crate) struct ResourceEntry {
    pub logical_id: String,
    /// The construct path, shared with the stack's set of claimed nodes.
    pub path: Arc<str>,
    pub type_name: String,
    pub properties: Value,
    pub tag_format: TagFormat,
    /// The type's schema check, run at synthesis.
    pub check: CheckFn,
    /// The type's check of region-keyed values, run at synthesis with the stack's region.
    pub check_region: RegionCheckFn,
    pub condition: Option<String>,
    pub deletion_policy: Option<Policy>,
    pub update_replace_policy: Option<Policy>,
    pub metadata: Option<Value>,
    pub creation_policy: Option<Value>,
    pub update_policy: Option<Value>,
}

/// Everything added to one stack.
#[derive(Debug)]
pub(crate) struct StackData {
    pub id: Arc<str>,
    pub props: StackProps,
    pub resources: Vec<ResourceEntry>,
    pub resource_index: IdIndex,
    /// Owner path of every parameter's logical id. Parameters and resources share one
    /// namespace; a resource's owner is its entry's path, found through `resource_index`.
    pub owners: IdMap<String>,
    pub parameters: BTreeMap<String, Parameter>,
    pub outputs: BTreeMap<String, (String, Output)>,
    pub conditions: BTreeMap<String, (String, Value)>,
    pub mappings: BTreeMap<String, (String, Mapping)>,
    pub nodes: IdSet,
    pub tags: Vec<(String, String, String)>,
    pub dependencies: Vec<(DepTarget, DepTarget)>,
    /// Whether the region was given for this stack (not taken from the app's).
    pub region_explicit: bool,
    /// Weak references: parameter logical id -> what fills it at deploy.
    pub weak_refs: BTreeMap<String, WeakTarget>,
    /// The lookup keys this stack read, each with the account recorded as answering it.
    pub lookups: BTreeMap<String, Option<String>>,
}

/// How many resources (and construct nodes) a stack's list and tables are sized for at the
/// start: CloudFormation's limit of resources a stack, so filling a stack never moves its
/// entries or rehashes its tables (the memory of an emptier stack is reserved, not touched).
const RESERVED: usize = 500;

impl StackData {
    pub fn new(id: &str, props: StackProps) -> Self {
        StackData {
            id: Arc::from(id),
            props,
            resources: Vec::with_capacity(RESERVED),
            resource_index: IdIndex::with_capacity(RESERVED),
            owners: IdMap::default(),
            parameters: BTreeMap::new(),
            outputs: BTreeMap::new(),
            conditions: BTreeMap::new(),
            mappings: BTreeMap::new(),
            nodes: IdSet::with_capacity_and_hasher(RESERVED, Default::default()),
            tags: Vec::new(),
            dependencies: Vec::new(),
            region_explicit: false,
            weak_refs: BTreeMap::new(),
            lookups: BTreeMap::new(),
        }
    }

    pub fn stack_name(&self) -> &str {
        self.props.stack_name.as_deref().unwrap_or(&self.id)
    }
}
