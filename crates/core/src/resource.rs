//! Resources: the trait typed resources implement, the raw escape hatch, and handles.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::Arc;

use crate::value::{Map, Reference, ToValue, Value};
use crate::violation::Violation;

/// How a resource type carries tags, so tags applied to a scope can be propagated into it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagFormat {
    /// The type has no tags.
    None,
    /// `Tags: [{"Key": .., "Value": ..}]`, the common form.
    KeyValueList,
    /// `Tags: {"key": "value"}`.
    Map,
}

/// A CloudFormation resource type with its properties.
///
/// Generated types in `cloudwright-resources` implement it; [`RawResource`] implements it for
/// any type name. [`ToValue::into_value`] yields the `Properties` map ([`Scope::add`](crate::Scope::add)
/// takes the resource).
pub trait Resource: ToValue {
    /// The typed attribute getters of this type, reached through a [`Handle`]'s `Deref`.
    type Attributes: From<ResourceRef> + Clone + fmt::Debug;

    /// The CloudFormation type name, e.g. `AWS::EC2::Subnet`.
    fn type_name(&self) -> &str;

    /// How the type carries tags.
    fn tag_format(&self) -> TagFormat {
        TagFormat::None
    }

    /// Checks the `Properties` map this type synthesizes to (scope tags applied) against the
    /// type's schema: every literal value, intrinsics passing through. Synthesis calls it and
    /// turns a [`Violation`] into [`Error::Constraint`](crate::Error::Constraint). Types without
    /// a schema (like [`RawResource`]) accept everything.
    fn check(properties: &Value) -> Result<(), Violation>
    where
        Self: Sized,
    {
        let _ = properties;
        Ok(())
    }

    /// Checks the `Properties` map against the values the stack's `region` offers (cfn-lint's
    /// region-keyed rules: instance types, node types, instance classes). Synthesis calls it
    /// after [`Resource::check`] with the stack's region ([`StackProps::region`](crate::StackProps::region),
    /// else the app's); `None` for a stack without one, where a type should refuse only what
    /// no region offers. Types without region-keyed values accept everything.
    fn check_region(properties: &Value, region: Option<&str>) -> Result<(), Violation>
    where
        Self: Sized,
    {
        let _ = (properties, region);
        Ok(())
    }
}

/// The check a scope keeps with each resource, [`Resource::check`] of its type.
pub(crate) type CheckFn = fn(&Value) -> Result<(), Violation>;

/// The region check a scope keeps with each resource, [`Resource::check_region`] of its type.
pub(crate) type RegionCheckFn = fn(&Value, Option<&str>) -> Result<(), Violation>;

/// A resource of any type, with untyped properties: the escape hatch for types that are not
/// generated.
///
/// ```
/// use cloudwright_core::{RawResource, Value};
/// let topic = RawResource::new("AWS::SNS::Topic").property("DisplayName", "alerts");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RawResource {
    type_name: String,
    properties: Map,
    tag_format: TagFormat,
}

impl RawResource {
    /// A resource of `type_name` with no properties.
    pub fn new(type_name: impl Into<String>) -> Self {
        RawResource {
            type_name: type_name.into(),
            properties: Map::new(),
            tag_format: TagFormat::None,
        }
    }

    /// Sets a property.
    pub fn property(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.properties
            .insert(Cow::Owned(name.into()), value.into());
        self
    }

    /// Declares how the type carries tags, so scope tags propagate into it.
    pub fn with_tag_format(mut self, format: TagFormat) -> Self {
        self.tag_format = format;
        self
    }
}

impl ToValue for RawResource {
    fn to_value(&self) -> Value {
        Value::Map(self.properties.clone())
    }
    fn into_value(self) -> Value {
        Value::Map(self.properties)
    }
}

impl Resource for RawResource {
    type Attributes = RawAttributes;
    fn type_name(&self) -> &str {
        &self.type_name
    }
    fn tag_format(&self) -> TagFormat {
        self.tag_format
    }
}

/// Attributes of a [`RawResource`]: any name, unchecked.
#[derive(Clone, Debug)]
pub struct RawAttributes(ResourceRef);

impl From<ResourceRef> for RawAttributes {
    fn from(r: ResourceRef) -> Self {
        RawAttributes(r)
    }
}

impl RawAttributes {
    /// `Fn::GetAtt` of any attribute name (unchecked).
    pub fn attribute(&self, name: &str) -> Value {
        self.0.get_att(name)
    }
}

/// A resource in a stack: its stack id and logical id. Untyped; see [`Handle`].
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceRef {
    stack: Arc<str>,
    logical_id: Arc<str>,
}

impl fmt::Debug for ResourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.stack, self.logical_id)
    }
}

impl ResourceRef {
    /// A reference holding `logical_id` itself (shared with whoever else holds it).
    pub(crate) fn new(stack: Arc<str>, logical_id: Arc<str>) -> Self {
        ResourceRef { stack, logical_id }
    }

    /// The id of the stack the resource lives in.
    pub fn stack(&self) -> &str {
        &self.stack
    }

    /// The id of the stack the resource lives in, shared.
    pub(crate) fn stack_arc(&self) -> &Arc<str> {
        &self.stack
    }

    /// The resource's logical id.
    pub fn logical_id(&self) -> &str {
        &self.logical_id
    }

    /// `{"Ref": ..}` to the resource (resolved across stacks at synthesis).
    pub fn r#ref(&self) -> Value {
        Value::Ref(self.reference())
    }

    /// `{"Fn::GetAtt": [.., attribute]}`. Generated attribute getters call this; prefer them,
    /// since a misspelled name here is only caught by CloudFormation.
    pub fn get_att(&self, attribute: &str) -> Value {
        Value::GetAtt(self.reference(), attribute.to_owned())
    }

    fn reference(&self) -> Reference {
        Reference {
            stack: Some(self.stack.clone()),
            logical_id: String::from(&*self.logical_id),
        }
    }
}

/// What adding a resource of type `T` to a scope returns: typed references to it.
///
/// `Handle<T>` dereferences to `T::Attributes`, so the generated attribute getters read as
/// methods of the handle (`lb.dns_name()`), and an attribute the type does not have does not
/// compile.
pub struct Handle<T: Resource> {
    reference: ResourceRef,
    attributes: T::Attributes,
    _type: PhantomData<fn() -> T>,
}

impl<T: Resource> Handle<T> {
    pub(crate) fn new(reference: ResourceRef) -> Self {
        Handle {
            attributes: T::Attributes::from(reference.clone()),
            reference,
            _type: PhantomData,
        }
    }

    /// `{"Ref": ..}` to the resource; what it returns depends on the type (usually its id).
    pub fn r#ref(&self) -> Value {
        self.reference.r#ref()
    }

    /// The logical id in its stack.
    pub fn logical_id(&self) -> &str {
        self.reference.logical_id()
    }

    /// The untyped reference.
    pub fn resource_ref(&self) -> &ResourceRef {
        &self.reference
    }
}

impl<T: Resource> Clone for Handle<T> {
    fn clone(&self) -> Self {
        Handle {
            reference: self.reference.clone(),
            attributes: self.attributes.clone(),
            _type: PhantomData,
        }
    }
}

impl<T: Resource> fmt::Debug for Handle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Handle({:?})", self.reference)
    }
}

impl<T: Resource> PartialEq for Handle<T> {
    fn eq(&self, other: &Self) -> bool {
        self.reference == other.reference
    }
}

impl<T: Resource> Deref for Handle<T> {
    type Target = T::Attributes;
    fn deref(&self) -> &T::Attributes {
        &self.attributes
    }
}

impl<T: Resource> From<&Handle<T>> for Value {
    fn from(h: &Handle<T>) -> Value {
        h.r#ref()
    }
}

/// `DeletionPolicy` / `UpdateReplacePolicy` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Delete the physical resource.
    Delete,
    /// Keep the physical resource.
    Retain,
    /// Keep it only while the stack is not being deleted.
    RetainExceptOnCreate,
    /// Take a snapshot first: only for [`Policy::SNAPSHOT_TYPES`] (refused elsewhere).
    Snapshot,
}

impl Policy {
    /// The types CloudFormation can snapshot on deletion or replacement (as cfn-lint's
    /// `E3035` knows them).
    pub const SNAPSHOT_TYPES: [&'static str; 8] = [
        "AWS::DocDB::DBCluster",
        "AWS::EC2::Volume",
        "AWS::ElastiCache::CacheCluster",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::Neptune::DBCluster",
        "AWS::RDS::DBCluster",
        "AWS::RDS::DBInstance",
        "AWS::Redshift::Cluster",
    ];

    /// The name CloudFormation uses.
    pub fn name(self) -> &'static str {
        match self {
            Policy::Delete => "Delete",
            Policy::Retain => "Retain",
            Policy::RetainExceptOnCreate => "RetainExceptOnCreate",
            Policy::Snapshot => "Snapshot",
        }
    }
}
