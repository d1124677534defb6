//! The construct tree: [`Construct`], [`Scope`], and dependencies between its nodes.

use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::context::{Context, ContextQuery, MissingContext};
use crate::error::Error;
use crate::id;
use crate::resource::{Handle, Policy, Resource, ResourceRef};
use crate::stack::{DepTarget, Mapping, Output, Parameter, ResourceEntry, StackData};
use crate::value::{Reference, Value};

/// The unit of reuse: something that adds resources (and other constructs) to a scope and
/// returns typed handles to what it made.
///
/// ```
/// use cloudwright_core::{Construct, Error, Handle, RawResource, Scope};
///
/// struct Topic { name: String }
///
/// impl Construct for Topic {
///     type Output = Handle<RawResource>;
///     fn build(self, scope: &mut Scope<'_>) -> Result<Self::Output, Error> {
///         scope.add("Topic", RawResource::new("AWS::SNS::Topic").property("DisplayName", self.name))
///     }
/// }
/// ```
pub trait Construct {
    /// What the construct gives back to its caller (handles, usually).
    type Output;
    /// Adds the construct's resources to `scope`.
    fn build(self, scope: &mut Scope<'_>) -> Result<Self::Output, Error>;
}

/// Something resources can depend on: a resource handle, a construct, or a collection of them.
pub trait Dependable {
    /// The resources (or construct subtrees) this stands for.
    fn dependency_targets(&self) -> Vec<DepTarget>;
}

impl<T: Resource> Dependable for Handle<T> {
    fn dependency_targets(&self) -> Vec<DepTarget> {
        self.resource_ref().dependency_targets()
    }
}

impl Dependable for ResourceRef {
    fn dependency_targets(&self) -> Vec<DepTarget> {
        vec![DepTarget::Resource {
            stack: Arc::from(self.stack()),
            logical_id: self.logical_id().to_owned(),
        }]
    }
}

impl<D: Dependable + ?Sized> Dependable for &D {
    fn dependency_targets(&self) -> Vec<DepTarget> {
        (**self).dependency_targets()
    }
}

impl<D: Dependable> Dependable for [D] {
    fn dependency_targets(&self) -> Vec<DepTarget> {
        self.iter()
            .flat_map(Dependable::dependency_targets)
            .collect()
    }
}

impl<D: Dependable> Dependable for Vec<D> {
    fn dependency_targets(&self) -> Vec<DepTarget> {
        self.as_slice().dependency_targets()
    }
}

/// A node of the construct tree, by path: depending on it means depending on every resource
/// beneath it, including ones added after the dependency was declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstructRef {
    stack: Arc<str>,
    path: String,
}

impl ConstructRef {
    /// The construct path within its stack (`""` for the stack itself).
    pub fn path(&self) -> &str {
        &self.path
    }
    /// The stack id.
    pub fn stack(&self) -> &str {
        &self.stack
    }
}

impl Dependable for ConstructRef {
    fn dependency_targets(&self) -> Vec<DepTarget> {
        vec![DepTarget::Subtree {
            stack: self.stack.clone(),
            path: self.path.clone(),
        }]
    }
}

/// A parameter in a stack; `r#ref()` gives its value.
#[derive(Clone, Debug, PartialEq)]
pub struct ParameterHandle(ResourceRef);

impl ParameterHandle {
    /// `{"Ref": parameter}`.
    pub fn r#ref(&self) -> Value {
        self.0.r#ref()
    }
    /// The parameter's logical id.
    pub fn logical_id(&self) -> &str {
        self.0.logical_id()
    }
}

/// A named condition in a stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionHandle(String);

impl ConditionHandle {
    /// The condition's name.
    pub fn name(&self) -> &str {
        &self.0
    }
    /// `{"Condition": name}`, for use inside other conditions.
    pub fn value(&self) -> Value {
        Value::Condition(self.0.clone())
    }
    /// `{"Fn::If": [name, when_true, when_false]}`.
    pub fn if_(&self, when_true: impl Into<Value>, when_false: impl Into<Value>) -> Value {
        Value::if_(self.0.clone(), when_true, when_false)
    }
}

/// A mapping in a stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MappingHandle(String);

impl MappingHandle {
    /// `{"Fn::FindInMap": [mapping, top, second]}`.
    pub fn find(&self, top_key: impl Into<Value>, second_key: impl Into<Value>) -> Value {
        Value::find_in_map(self.0.clone(), top_key, second_key)
    }
}

/// State shared by every scope of an app: the context and the lookups found missing.
#[derive(Debug, Default)]
pub(crate) struct Env {
    pub context: Context,
    pub missing: Vec<MissingContext>,
}

/// A node of the construct tree, through which constructs add what they make.
pub struct Scope<'a> {
    stack: &'a mut StackData,
    env: &'a mut Env,
    path: Vec<String>,
}

impl<'a> Scope<'a> {
    pub(crate) fn root(stack: &'a mut StackData, env: &'a mut Env) -> Self {
        Scope {
            stack,
            env,
            path: Vec::new(),
        }
    }

    /// The construct path of this scope within its stack, `A/B/C` (`""` at the stack root).
    pub fn path(&self) -> String {
        self.path.join("/")
    }

    fn child_path(&self, id: &str) -> String {
        if self.path.is_empty() {
            id.to_owned()
        } else {
            format!("{}/{id}", self.path())
        }
    }

    /// This scope as something to depend on.
    pub fn node(&self) -> ConstructRef {
        ConstructRef {
            stack: self.stack.id.clone(),
            path: self.path(),
        }
    }

    /// The id of the stack this scope is in.
    pub fn stack_id(&self) -> &str {
        &self.stack.id
    }

    /// The CloudFormation name of the stack this scope is in.
    pub fn stack_name(&self) -> &str {
        self.stack.stack_name()
    }

    /// The region the stack is meant for, if it was given.
    pub fn region(&self) -> Option<&str> {
        self.stack.props.region.as_deref()
    }

    /// The logical id a child with this id would get: the path in PascalCase.
    pub fn logical_id_for(&self, id: &str) -> String {
        let mut segments: Vec<&str> = self.path.iter().map(String::as_str).collect();
        segments.push(id);
        id::logical_id(&segments)
    }

    fn claim_node(&mut self, id: &str) -> Result<String, Error> {
        let display = format!("{}/{}", self.stack.id, self.child_path(id));
        id::validate_segment(id).map_err(|reason| Error::InvalidId {
            path: display.clone(),
            id: id.to_owned(),
            reason,
        })?;
        let path = self.child_path(id);
        if !self.stack.nodes.insert(path.clone()) {
            return Err(Error::DuplicateId {
                stack: self.stack.id.to_string(),
                logical_id: self.logical_id_for(id),
                first: display.clone(),
                second: display,
            });
        }
        Ok(path)
    }

    fn claim_logical_id(
        &mut self,
        logical_id: &str,
        path: &str,
        namespace: Namespace,
    ) -> Result<(), Error> {
        id::validate_logical_id(logical_id).map_err(|reason| Error::InvalidId {
            path: format!("{}/{path}", self.stack.id),
            id: logical_id.to_owned(),
            reason,
        })?;
        let owner = match namespace {
            Namespace::Resource => self.stack.owners.get(logical_id).cloned(),
            Namespace::Output => self.stack.outputs.get(logical_id).map(|o| o.0.clone()),
            Namespace::Condition => self.stack.conditions.get(logical_id).map(|c| c.0.clone()),
            Namespace::Mapping => self.stack.mappings.get(logical_id).map(|m| m.0.clone()),
        };
        if let Some(first) = owner {
            return Err(Error::DuplicateId {
                stack: self.stack.id.to_string(),
                logical_id: logical_id.to_owned(),
                first: format!("{}/{first}", self.stack.id),
                second: format!("{}/{path}", self.stack.id),
            });
        }
        if namespace == Namespace::Resource {
            self.stack
                .owners
                .insert(logical_id.to_owned(), path.to_owned());
        }
        Ok(())
    }

    /// Adds a resource under `id`; its logical id is the scope path plus `id` in PascalCase.
    pub fn add<T: Resource>(&mut self, id: &str, resource: T) -> Result<Handle<T>, Error> {
        let logical_id = self.logical_id_for(id);
        self.add_with_logical_id(id, &logical_id, resource)
    }

    /// Adds a resource under `id` with an explicit logical id: keeps the ids of a stack that
    /// already exists (renaming a resource replaces it in AWS).
    pub fn add_with_logical_id<T: Resource>(
        &mut self,
        id: &str,
        logical_id: &str,
        resource: T,
    ) -> Result<Handle<T>, Error> {
        let path = self.claim_node(id)?;
        self.claim_logical_id(logical_id, &path, Namespace::Resource)?;
        self.stack
            .resource_index
            .insert(logical_id.to_owned(), self.stack.resources.len());
        self.stack.resources.push(ResourceEntry {
            logical_id: logical_id.to_owned(),
            path,
            type_name: resource.type_name().to_owned(),
            properties: resource.to_value(),
            tag_format: resource.tag_format(),
            check: T::check,
            condition: None,
            deletion_policy: None,
            update_replace_policy: None,
            metadata: None,
        });
        Ok(Handle::new(ResourceRef::new(
            self.stack.id.clone(),
            logical_id,
        )))
    }

    /// Builds a child construct under `id`.
    pub fn construct<C: Construct>(&mut self, id: &str, construct: C) -> Result<C::Output, Error> {
        let path = self.claim_node(id)?;
        let mut child = Scope {
            stack: &mut *self.stack,
            env: &mut *self.env,
            path: path.split('/').map(str::to_owned).collect(),
        };
        construct.build(&mut child)
    }

    /// Declares that every resource under this scope (including ones added later) depends on
    /// `target`. Within a stack this becomes `DependsOn` (unless references already imply it);
    /// across stacks it orders the stacks.
    pub fn depends_on(&mut self, target: &(impl Dependable + ?Sized)) {
        let from = self.node();
        self.add_dependency(&from, target);
    }

    /// Declares that `from` depends on `to`; both may be resources or constructs.
    pub fn add_dependency(
        &mut self,
        from: &(impl Dependable + ?Sized),
        to: &(impl Dependable + ?Sized),
    ) {
        for f in from.dependency_targets() {
            for t in to.dependency_targets() {
                self.stack.dependencies.push((f.clone(), t));
            }
        }
    }

    fn entry<T: Resource>(&mut self, handle: &Handle<T>) -> Result<&mut ResourceEntry, Error> {
        let r = handle.resource_ref();
        let foreign = || Error::ForeignHandle {
            logical_id: r.logical_id().to_owned(),
            handle_stack: r.stack().to_owned(),
            scope_stack: self.stack.id.to_string(),
        };
        if r.stack() != &*self.stack.id {
            return Err(foreign());
        }
        match self.stack.resource_index.get(r.logical_id()) {
            Some(&i) => Ok(&mut self.stack.resources[i]),
            None => Err(foreign()),
        }
    }

    /// Sets the resource's `DeletionPolicy`.
    pub fn set_deletion_policy<T: Resource>(
        &mut self,
        handle: &Handle<T>,
        policy: Policy,
    ) -> Result<(), Error> {
        self.entry(handle)?.deletion_policy = Some(policy);
        Ok(())
    }

    /// Sets the resource's `UpdateReplacePolicy`.
    pub fn set_update_replace_policy<T: Resource>(
        &mut self,
        handle: &Handle<T>,
        policy: Policy,
    ) -> Result<(), Error> {
        self.entry(handle)?.update_replace_policy = Some(policy);
        Ok(())
    }

    /// Creates the resource only when `condition` holds.
    pub fn set_condition<T: Resource>(
        &mut self,
        handle: &Handle<T>,
        condition: &ConditionHandle,
    ) -> Result<(), Error> {
        self.entry(handle)?.condition = Some(condition.0.clone());
        Ok(())
    }

    /// Sets the resource's `Metadata`.
    pub fn set_metadata<T: Resource>(
        &mut self,
        handle: &Handle<T>,
        metadata: impl Into<Value>,
    ) -> Result<(), Error> {
        self.entry(handle)?.metadata = Some(metadata.into());
        Ok(())
    }

    /// Adds a template parameter under `id`.
    pub fn add_parameter(
        &mut self,
        id: &str,
        parameter: Parameter,
    ) -> Result<ParameterHandle, Error> {
        let path = self.claim_node(id)?;
        let logical_id = self.logical_id_for(id);
        self.claim_logical_id(&logical_id, &path, Namespace::Resource)?;
        self.stack.parameters.insert(logical_id.clone(), parameter);
        Ok(ParameterHandle(ResourceRef::new(
            self.stack.id.clone(),
            &logical_id,
        )))
    }

    /// Adds a template output under `id` (its logical id is the path in PascalCase).
    pub fn add_output(&mut self, id: &str, output: Output) -> Result<(), Error> {
        let path = self.claim_node(id)?;
        let logical_id = self.logical_id_for(id);
        self.claim_logical_id(&logical_id, &path, Namespace::Output)?;
        self.stack.outputs.insert(logical_id, (path, output));
        Ok(())
    }

    /// Adds a named condition.
    pub fn add_condition(
        &mut self,
        id: &str,
        condition: impl Into<Value>,
    ) -> Result<ConditionHandle, Error> {
        let path = self.claim_node(id)?;
        let name = self.logical_id_for(id);
        self.claim_logical_id(&name, &path, Namespace::Condition)?;
        self.stack
            .conditions
            .insert(name.clone(), (path, condition.into()));
        Ok(ConditionHandle(name))
    }

    /// Adds a mapping.
    pub fn add_mapping(&mut self, id: &str, mapping: Mapping) -> Result<MappingHandle, Error> {
        let path = self.claim_node(id)?;
        let name = self.logical_id_for(id);
        self.claim_logical_id(&name, &path, Namespace::Mapping)?;
        self.stack.mappings.insert(name.clone(), (path, mapping));
        Ok(MappingHandle(name))
    }

    /// Tags every taggable resource under this scope (deeper scopes win over shallower ones;
    /// tags set on a resource's own properties win over both).
    pub fn add_tag(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let path = self.path();
        self.stack.tags.push((path, key.into(), value.into()));
    }

    /// A plain context value (from the context file or a `-c key=value` override).
    pub fn context(&self, key: &str) -> Option<&serde_json::Value> {
        self.env.context.get(key)
    }

    /// The value of a context lookup. When it is missing, the lookup is recorded (the toolkit
    /// can perform it) and an [`Error::MissingContext`] names the key.
    pub fn lookup(&mut self, query: &ContextQuery) -> Result<serde_json::Value, Error> {
        let key = query.key();
        if let Some(v) = self.env.context.get(&key) {
            return Ok(v.clone());
        }
        if !self.env.missing.iter().any(|m| m.key == key) {
            self.env.missing.push(MissingContext {
                key: key.clone(),
                query: query.clone(),
            });
        }
        Err(Error::MissingContext {
            key,
            provider: query.provider.clone(),
            file: self.env.context.file_name(),
        })
    }

    /// [`Scope::lookup`], deserialized into `T`; a value of the wrong shape is an
    /// [`Error::InvalidContext`] naming the key, its file, and what serde found wrong.
    pub fn lookup_as<T: DeserializeOwned>(&mut self, query: &ContextQuery) -> Result<T, Error> {
        let v = self.lookup(query)?;
        let key = query.key();
        serde_json::from_value(v).map_err(|e| Error::InvalidContext {
            file: self.env.context.origin(&key),
            key,
            message: e.to_string(),
        })
    }

    /// An error about this construct's input, naming its path.
    pub fn invalid(&self, message: impl Into<String>) -> Error {
        Error::Invalid {
            path: format!("{}/{}", self.stack.id, self.path()),
            message: message.into(),
        }
    }

    /// An error from a construct crate, wrapped with this construct's path.
    pub fn error(&self, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error::construct(format!("{}/{}", self.stack.id, self.path()), source)
    }

    /// A `Ref` to a logical id of this stack, written by hand (checked at synthesis).
    pub fn local_ref(&self, logical_id: &str) -> Value {
        Value::Ref(Reference {
            stack: Some(self.stack.id.clone()),
            logical_id: logical_id.to_owned(),
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Namespace {
    Resource,
    Output,
    Condition,
    Mapping,
}
