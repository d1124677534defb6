//! The hand-written pieces the generated code builds on.

use std::borrow::Cow;

use cloudwright_core::{TagFormat, ToValue, Value};

/// A property whose type is a generated struct: the struct, or an intrinsic function that
/// yields the whole object (`Fn::If` between two configurations, `AWS::NoValue`, ...).
///
/// Setters take `impl Into<Obj<T>>`, so both a `T` and a [`Value`] are accepted:
///
/// ```
/// use cloudwright_core::{Pseudo, Value};
/// use cloudwright_resources::ecs::task_definition::{
///     ContainerDefinition, ContainerDefinitionRequired, HealthCheck,
/// };
///
/// let nginx = || ContainerDefinitionRequired { image: "nginx".into(), name: "web".into() };
/// let check = HealthCheck::new().command(vec!["CMD-SHELL", "curl -f http://localhost/ || exit 1"]);
/// let web = ContainerDefinition::new(nginx()).health_check(check);
/// let plain = ContainerDefinition::new(nginx())
///     .health_check(Value::if_("WithChecks", Value::map([("Command", vec!["CMD", "true"])]), Pseudo::NoValue));
/// # let _ = (web, plain);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Obj<T> {
    /// The typed object.
    Props(T),
    /// An intrinsic function (or any value) that yields the object.
    Expr(Value),
}

/// Implemented by every generated property type (the structs nested in resources), so that
/// they convert into [`Obj`].
pub trait PropertyType: ToValue {}

impl<T: PropertyType> From<T> for Obj<T> {
    fn from(v: T) -> Self {
        Obj::Props(v)
    }
}

impl<T> From<Value> for Obj<T> {
    fn from(v: Value) -> Self {
        Obj::Expr(v)
    }
}

impl<T: ToValue> ToValue for Obj<T> {
    fn to_value(&self) -> Value {
        match self {
            Obj::Props(v) => v.to_value(),
            Obj::Expr(v) => v.clone(),
        }
    }
    fn into_value(self) -> Value {
        match self {
            Obj::Props(v) => v.into_value(),
            Obj::Expr(v) => v,
        }
    }
}

/// What a resource type's schema says about it, kept as data for the tools that need it
/// (the diff needs `create_only` to tell an update from a replacement).
///
/// Property paths are JSON pointers without the `/properties/` prefix: `VpcId`, or
/// `Configuration/ManagedStorageConfiguration/FargateEphemeralStorageKmsKeyId`, with `*` for
/// every item of a list (`SecurityGroupIngress/*/FromPort`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResourceFacts {
    /// The CloudFormation type name.
    pub type_name: &'static str,
    /// The type's documentation page.
    pub documentation_url: &'static str,
    /// The properties that identify a resource (what `Ref` usually returns).
    pub primary_identifier: &'static [&'static str],
    /// The properties the constructor takes, sorted.
    pub required: &'static [&'static str],
    /// Properties whose change replaces the resource.
    pub create_only: &'static [&'static str],
    /// Properties whose change replaces the resource under conditions the schema does not
    /// express.
    pub conditional_create_only: &'static [&'static str],
    /// Properties CloudFormation accepts but never returns (secrets, ...).
    pub write_only: &'static [&'static str],
    /// Properties CloudFormation returns but does not accept: they are attributes.
    pub read_only: &'static [&'static str],
    /// The `Fn::GetAtt` attribute names (as cfn-lint accepts them).
    pub attributes: &'static [&'static str],
    /// Whether the type can be tagged.
    pub taggable: bool,
    /// How it carries tags.
    pub tag_format: TagFormat,
}

impl ResourceFacts {
    /// Whether changing the property at `path` replaces the resource: it is a create-only
    /// property or lies inside one (conditionally create-only ones are not counted).
    pub fn replaces_on_change(&self, path: &str) -> bool {
        self.create_only.iter().any(|c| path_within(path, c))
    }

    /// Whether the type has this `Fn::GetAtt` attribute.
    pub fn has_attribute(&self, name: &str) -> bool {
        self.attributes.contains(&name)
    }
}

/// Whether `path` is `prefix` or inside it, segment by segment (`*` matches any segment).
fn path_within(path: &str, prefix: &str) -> bool {
    let mut path = path.split('/');
    prefix
        .split('/')
        .all(|want| path.next().is_some_and(|got| want == "*" || want == got))
}

/// Builds the `Value::Map` of a generated struct's set properties, taking them (its
/// `into_value`; unused when no service feature is on).
///
/// The map is built in place, one insertion a property: the generated code adds them in
/// sorted order, so each is appended to the map's vector without a search.
#[allow(dead_code)]
pub(crate) struct MapBuilder(cloudwright_core::Map);

#[allow(dead_code)]
impl MapBuilder {
    #[inline]
    pub(crate) fn new() -> Self {
        MapBuilder(cloudwright_core::Map::new())
    }

    /// A property that is always set.
    #[inline]
    pub(crate) fn req<T: ToValue>(mut self, name: &'static str, value: T) -> Self {
        self.0.insert(Cow::Borrowed(name), value.into_value());
        self
    }

    /// A property that is set only when `Some`.
    #[inline]
    pub(crate) fn opt<T: ToValue>(mut self, name: &'static str, value: Option<T>) -> Self {
        if let Some(v) = value {
            self.0.insert(Cow::Borrowed(name), v.into_value());
        }
        self
    }

    #[inline]
    pub(crate) fn build(self) -> Value {
        Value::Map(self.0)
    }
}

/// An object rule with no constraint: generated rules name what they check and take the rest
/// from it (`ObjRule { required: &["Name"], ..OBJ_RULE }`).
#[allow(dead_code)] // unused when no service feature is on
pub(crate) const OBJ_RULE: crate::constraint::ObjRule = crate::constraint::ObjRule {
    properties: &[],
    required: &[],
    one_of: &[],
    any_of: &[],
    dependent_required: &[],
    dependent_excluded: &[],
    patterns: &[],
    min_properties: None,
    max_properties: None,
    closed: false,
    tagged: false,
};

/// What every generated module imports (unused when no service feature is on).
#[allow(unused_imports)]
pub(crate) mod prelude {
    pub(crate) use super::{MapBuilder, OBJ_RULE};
    pub(crate) use crate::constraint::{
        self, Extension, Format, IfRule, ListRule, NumRule, ObjRule, Pattern, Shape, StrRule,
        json_type,
    };
    pub(crate) use crate::regional::{LicenseModel, Regional, When};
    pub(crate) use crate::{Obj, PropertyType, ResourceFacts};
    pub(crate) use cloudwright_core::{
        Bool, Int, Json, List, Num, Resource, ResourceRef, Str, TagFormat, ToValue, Value,
        Violation,
    };
}

/// A generated type's schema check of its `Properties` (its `Resource::check`).
pub(crate) type CheckFn = fn(&cloudwright_core::Value) -> Result<(), cloudwright_core::Violation>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_only_paths_match_nested_properties() {
        let facts = ResourceFacts {
            type_name: "X",
            documentation_url: "",
            primary_identifier: &[],
            required: &[],
            create_only: &["VpcId", "Rules/*/Port", "Config/Key"],
            conditional_create_only: &[],
            write_only: &[],
            read_only: &[],
            attributes: &["Arn"],
            taggable: false,
            tag_format: TagFormat::None,
        };
        assert!(facts.replaces_on_change("VpcId"));
        assert!(facts.replaces_on_change("Rules/3/Port"));
        assert!(facts.replaces_on_change("Config/Key/Inner"));
        assert!(!facts.replaces_on_change("Config"));
        assert!(!facts.replaces_on_change("VpcIds"));
        assert!(!facts.replaces_on_change("Rules/3/Protocol"));
        assert!(facts.has_attribute("Arn"));
        assert!(!facts.has_attribute("Nope"));
    }
}
