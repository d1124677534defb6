//! The construct tree: [`Construct`], [`Scope`], and dependencies between its nodes.

use std::cell::{RefCell, RefMut};
use std::collections::BTreeMap;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::asset::{DockerImageAsset, DockerImageSource, FileAsset, FileAssetSource};
use crate::context::{Context, ContextQuery, MissingContext};
use crate::error::Error;
use crate::exception::Exception;
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
            stack: self.stack_arc().clone(),
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

/// A node of the construct tree, through which constructs add what they make.
///
/// Scopes of different stacks of one [`App`](crate::App) can be alive at the same time: the
/// app is shared, not borrowed mutably, so a second stack can use what the first made without
/// ending the first one's scope.
pub struct Scope<'a> {
    app: &'a AppState,
    index: usize,
    stack_id: Arc<str>,
    stack_name: String,
    region: Option<String>,
    /// The construct path within the stack, `A/B/C` (`""` at the stack root).
    path: String,
}

/// What every scope of an app shares: the stacks being built, the context, and the lookups
/// found missing.
#[derive(Debug, Default)]
pub(crate) struct AppState {
    pub context: Context,
    pub stacks: RefCell<Vec<StackData>>,
    pub missing: RefCell<Vec<MissingContext>>,
    pub assets: RefCell<BTreeMap<String, DockerImageAsset>>,
    pub file_assets: RefCell<BTreeMap<String, FileAsset>>,
}

impl<'a> Scope<'a> {
    pub(crate) fn root(app: &'a AppState, index: usize) -> Option<Self> {
        let stacks = app.stacks.borrow();
        let stack = stacks.get(index)?;
        let scope = Scope {
            app,
            index,
            stack_id: stack.id.clone(),
            stack_name: stack.stack_name().to_owned(),
            region: stack.props.region.clone(),
            path: String::new(),
        };
        drop(stacks);
        Some(scope)
    }

    /// The stack's data, borrowed for one operation (never held across a construct's build).
    fn data(&self) -> RefMut<'a, StackData> {
        RefMut::map(self.app.stacks.borrow_mut(), |s| &mut s[self.index])
    }

    /// The construct path of this scope within its stack, `A/B/C` (`""` at the stack root).
    pub fn path(&self) -> String {
        self.path.clone()
    }

    fn child_path(&self, id: &str) -> Arc<str> {
        if self.path.is_empty() {
            Arc::from(id)
        } else {
            let mut path = String::with_capacity(self.path.len() + 1 + id.len());
            path.push_str(&self.path);
            path.push('/');
            path.push_str(id);
            Arc::from(path)
        }
    }

    /// This scope as something to depend on.
    pub fn node(&self) -> ConstructRef {
        ConstructRef {
            stack: self.stack_id.clone(),
            path: self.path(),
        }
    }

    /// The id of the stack this scope is in.
    pub fn stack_id(&self) -> &str {
        &self.stack_id
    }

    /// The CloudFormation name of the stack this scope is in.
    pub fn stack_name(&self) -> &str {
        &self.stack_name
    }

    /// The region the stack is meant for: its own, else the app's default, if either was
    /// given.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The account the stack is meant for ([`StackProps::account`](crate::StackProps::account)),
    /// if it names one.
    pub fn account(&self) -> Option<String> {
        self.app
            .stacks
            .borrow()
            .get(self.index)
            .and_then(|s| s.props.account.clone())
    }

    /// The query as this stack asks it: with `account=<account>` added when the stack names
    /// an account and the query does not, so a value looked up in one account is never used
    /// for a stack of another (the key differs, and the toolkit looks it up in that account).
    fn in_account(&self, query: &ContextQuery) -> ContextQuery {
        match self.account() {
            Some(account) if !query.props.contains_key("account") => {
                query.clone().prop("account", account)
            }
            _ => query.clone(),
        }
    }

    /// The logical id a child with this id would get: the path in PascalCase.
    pub fn logical_id_for(&self, id: &str) -> String {
        if self.path.is_empty() {
            return id::logical_id_of([id].into_iter(), id.len());
        }
        let segments = self.path.split('/').chain([id]);
        id::logical_id_of(segments, self.path.len() + id.len())
    }

    /// Claims the child node `id` of this scope: its path, unless the id is invalid or taken
    /// (shared with the stack's set of nodes, and a resource's entry).
    fn claim_node(&mut self, id: &str) -> Result<Arc<str>, Error> {
        let path = self.child_path(id);
        let display = || format!("{}/{path}", self.stack_id);
        id::validate_segment(id).map_err(|reason| Error::InvalidId {
            path: display(),
            id: id.to_owned(),
            reason,
        })?;
        if !self.data().nodes.insert(path.clone()) {
            return Err(Error::DuplicateId {
                stack: self.stack_id.to_string(),
                logical_id: self.logical_id_for(id),
                first: display(),
                second: display(),
            });
        }
        Ok(path)
    }

    /// Checks that `logical_id` is valid and free in its namespace, for the node at `path`;
    /// the caller records it (a parameter in `owners`; a resource's id is checked and claimed
    /// in one step when its entry is added).
    fn check_logical_id(
        &self,
        logical_id: &str,
        path: &str,
        namespace: Namespace,
    ) -> Result<(), Error> {
        self.validate_logical_id(logical_id, path)?;
        let stack = self.data();
        let owner = match namespace {
            // resources and parameters share one namespace
            Namespace::Resource => match stack.resource_index.get(logical_id) {
                Some(&i) => stack.resources.get(i).map(|r| r.path.to_string()),
                None => stack.owners.get(logical_id).cloned(),
            },
            Namespace::Output => stack.outputs.get(logical_id).map(|o| o.0.clone()),
            Namespace::Condition => stack.conditions.get(logical_id).map(|c| c.0.clone()),
            Namespace::Mapping => stack.mappings.get(logical_id).map(|m| m.0.clone()),
        };
        match owner {
            Some(first) => Err(self.duplicate_id(logical_id, &first, path)),
            None => Ok(()),
        }
    }

    /// Checks `logical_id` against CloudFormation's rules, for the node at `path`.
    fn validate_logical_id(&self, logical_id: &str, path: &str) -> Result<(), Error> {
        id::validate_logical_id(logical_id).map_err(|reason| Error::InvalidId {
            path: format!("{}/{path}", self.stack_id),
            id: logical_id.to_owned(),
            reason,
        })
    }

    /// The error for `logical_id` claimed at `second` when the node at `first` has it.
    fn duplicate_id(&self, logical_id: &str, first: &str, second: &str) -> Error {
        Error::DuplicateId {
            stack: self.stack_id.to_string(),
            logical_id: logical_id.to_owned(),
            first: format!("{}/{first}", self.stack_id),
            second: format!("{}/{second}", self.stack_id),
        }
    }

    /// Claims a parameter's logical id (resources are claimed by their entry).
    fn claim_parameter_id(&mut self, logical_id: &str, path: &str) -> Result<(), Error> {
        self.check_logical_id(logical_id, path, Namespace::Resource)?;
        self.data()
            .owners
            .insert(logical_id.to_owned(), path.to_owned());
        Ok(())
    }

    /// Adds a resource under `id`; its logical id is the scope path plus `id` in PascalCase.
    pub fn add<T: Resource>(&mut self, id: &str, resource: T) -> Result<Handle<T>, Error> {
        let logical_id = self.logical_id_for(id);
        self.add_entry(id, logical_id, resource)
    }

    /// Adds a resource under `id` with an explicit logical id: keeps the ids of a stack that
    /// already exists (renaming a resource replaces it in AWS).
    pub fn add_with_logical_id<T: Resource>(
        &mut self,
        id: &str,
        logical_id: &str,
        resource: T,
    ) -> Result<Handle<T>, Error> {
        self.add_entry(id, logical_id.to_owned(), resource)
    }

    /// Claims the node and the logical id, and records the resource, its properties taken
    /// from it (not copied).
    fn add_entry<T: Resource>(
        &mut self,
        id: &str,
        logical_id: String,
        resource: T,
    ) -> Result<Handle<T>, Error> {
        let path = self.claim_node(id)?;
        // (claiming the node checked an id equal to it)
        if logical_id != id {
            self.validate_logical_id(&logical_id, &path)?;
        }
        // one string for the handles and the index, the path's own when they are equal (a
        // child of the stack's root whose id is already PascalCase)
        let shared = if *path == *logical_id {
            path.clone()
        } else {
            Arc::from(logical_id.as_str())
        };
        let type_name = resource.type_name().to_owned();
        let tag_format = resource.tag_format();
        let properties = resource.into_value();
        let mut stack = self.data();
        let index = stack.resources.len();
        // resources and parameters share one namespace: the id is free when no parameter has
        // it and the index takes it (one lookup)
        let first = match stack.owners.get(&*logical_id) {
            Some(owner) => Some(owner.clone()),
            None => stack
                .resource_index
                .claim(shared.clone(), index)
                .err()
                .and_then(|i| stack.resources.get(i))
                .map(|r| r.path.to_string()),
        };
        if let Some(first) = first {
            drop(stack);
            return Err(self.duplicate_id(&logical_id, &first, &path));
        }
        stack.resources.push(ResourceEntry {
            logical_id,
            path,
            type_name,
            properties,
            tag_format,
            check: T::check,
            check_region: T::check_region,
            condition: None,
            deletion_policy: None,
            update_replace_policy: None,
            metadata: None,
            creation_policy: None,
            update_policy: None,
        });
        Ok(Handle::new(ResourceRef::new(self.stack_id.clone(), shared)))
    }

    /// Builds a child construct under `id`. An error leaving its `build` that does not name a
    /// construct path yet gets this child's path (so the deepest construct being built is
    /// named, once).
    pub fn construct<C: Construct>(&mut self, id: &str, construct: C) -> Result<C::Output, Error> {
        let path = self.claim_node(id)?;
        let mut child = Scope {
            app: self.app,
            index: self.index,
            stack_id: self.stack_id.clone(),
            stack_name: self.stack_name.clone(),
            region: self.region.clone(),
            path: path.to_string(),
        };
        construct
            .build(&mut child)
            .map_err(|e| e.placed(|| format!("{}/{path}", self.stack_id)))
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
        let targets = to.dependency_targets();
        let mut stack = self.data();
        for f in from.dependency_targets() {
            for t in &targets {
                stack.dependencies.push((f.clone(), t.clone()));
            }
        }
    }

    fn with_entry<T: Resource>(
        &mut self,
        handle: &Handle<T>,
        f: impl FnOnce(&mut ResourceEntry),
    ) -> Result<(), Error> {
        let r = handle.resource_ref();
        let foreign = || Error::ForeignHandle {
            logical_id: r.logical_id().to_owned(),
            handle_stack: r.stack().to_owned(),
            scope_stack: self.stack_id.to_string(),
        };
        if r.stack() != &*self.stack_id {
            return Err(foreign());
        }
        let mut stack = self.data();
        let Some(&i) = stack.resource_index.get(r.logical_id()) else {
            return Err(foreign());
        };
        match stack.resources.get_mut(i) {
            Some(entry) => {
                f(entry);
                Ok(())
            }
            None => Err(foreign()),
        }
    }

    /// Sets the resource's `DeletionPolicy`. [`Policy::Snapshot`] on a type that cannot be
    /// snapshotted (see [`Policy::SNAPSHOT_TYPES`]) is an [`Error::Invalid`].
    pub fn set_deletion_policy<T: Resource>(
        &mut self,
        handle: &Handle<T>,
        policy: Policy,
    ) -> Result<(), Error> {
        self.with_policy(handle, policy, "DeletionPolicy", |e| {
            e.deletion_policy = Some(policy)
        })
    }

    /// Sets the resource's `UpdateReplacePolicy` ([`Policy::Snapshot`] only on
    /// [`Policy::SNAPSHOT_TYPES`], as for [`Scope::set_deletion_policy`]).
    pub fn set_update_replace_policy<T: Resource>(
        &mut self,
        handle: &Handle<T>,
        policy: Policy,
    ) -> Result<(), Error> {
        self.with_policy(handle, policy, "UpdateReplacePolicy", |e| {
            e.update_replace_policy = Some(policy)
        })
    }

    fn with_policy<T: Resource>(
        &mut self,
        handle: &Handle<T>,
        policy: Policy,
        attribute: &str,
        f: impl FnOnce(&mut ResourceEntry),
    ) -> Result<(), Error> {
        let mut refused = None;
        self.with_entry(handle, |e| {
            if policy == Policy::Snapshot && !Policy::SNAPSHOT_TYPES.contains(&e.type_name.as_str())
            {
                refused = Some(Error::Invalid {
                    path: e.path.to_string(),
                    message: format!(
                        "resource `{}` ({}): {attribute} Snapshot is only valid for {}; use \
                         Retain to keep its data",
                        e.logical_id,
                        e.type_name,
                        Policy::SNAPSHOT_TYPES.join(", ")
                    ),
                });
            } else {
                f(e);
            }
        })?;
        refused.map_or(Ok(()), Err)
    }

    /// Creates the resource only when `condition` holds.
    pub fn set_condition<T: Resource>(
        &mut self,
        handle: &Handle<T>,
        condition: &ConditionHandle,
    ) -> Result<(), Error> {
        let name = condition.0.clone();
        self.with_entry(handle, |e| e.condition = Some(name))
    }

    /// Sets the resource's `Metadata` (replacing what is there, exceptions included: call it
    /// before [`Scope::add_exception`]).
    pub fn set_metadata<T: Resource>(
        &mut self,
        handle: &Handle<T>,
        metadata: impl Into<Value>,
    ) -> Result<(), Error> {
        let metadata = metadata.into();
        self.with_entry(handle, |e| e.metadata = Some(metadata))
    }

    /// Sets the resource's `CreationPolicy` (signals to wait for, auto scaling creation
    /// settings), written as given.
    pub fn set_creation_policy<T: Resource>(
        &mut self,
        handle: &Handle<T>,
        policy: impl Into<Value>,
    ) -> Result<(), Error> {
        let policy = policy.into();
        self.with_entry(handle, |e| e.creation_policy = Some(policy))
    }

    /// Sets the resource's `UpdatePolicy` (rolling or replacing updates of an auto scaling
    /// group, ...), written as given.
    pub fn set_update_policy<T: Resource>(
        &mut self,
        handle: &Handle<T>,
        policy: impl Into<Value>,
    ) -> Result<(), Error> {
        let policy = policy.into();
        self.with_entry(handle, |e| e.update_policy = Some(policy))
    }

    /// Records a deliberate exception to a security or best-practice check on the resource,
    /// in its `Metadata` (beside what is there), for scanners and for `cloudwright audit`.
    pub fn add_exception<T: Resource>(
        &mut self,
        handle: &Handle<T>,
        exception: Exception,
    ) -> Result<(), Error> {
        self.with_entry(handle, |e| exception.merge_into(&mut e.metadata))
    }

    /// Adds a container image asset built from `source`: hashes its context now and records
    /// it for the assembly (`assets.json` and `asset.<hash>/`), so the toolkit publishes it
    /// before deploying. The returned asset names the repository and the tag to reference.
    pub fn add_docker_image_asset(
        &mut self,
        source: &DockerImageSource,
    ) -> Result<DockerImageAsset, Error> {
        let asset = DockerImageAsset::from_source(source)?;
        self.app
            .assets
            .borrow_mut()
            .entry(asset.hash.clone())
            .or_insert_with(|| asset.clone());
        Ok(asset)
    }

    /// Adds a file asset made from `source` (a directory zipped, or a Rust function built at
    /// publish time): hashes it now and records it for the assembly (`assets.json`, and the
    /// directory's files under `asset.<hash>/`), so the toolkit uploads its zip to the assets
    /// bucket before deploying. The returned asset names the object key to reference (with
    /// [`crate::asset::file_asset_bucket`] as the bucket).
    pub fn add_file_asset(&mut self, source: &FileAssetSource) -> Result<FileAsset, Error> {
        let asset = FileAsset::from_source(source)?;
        self.app
            .file_assets
            .borrow_mut()
            .entry(asset.hash.clone())
            .or_insert_with(|| asset.clone());
        Ok(asset)
    }

    /// Adds a template parameter under `id`.
    pub fn add_parameter(
        &mut self,
        id: &str,
        parameter: Parameter,
    ) -> Result<ParameterHandle, Error> {
        let logical_id = self.logical_id_for(id);
        self.add_parameter_with_logical_id(id, &logical_id, parameter)
    }

    /// Adds a template parameter under `id` with an explicit logical id (as
    /// [`Scope::add_with_logical_id`] does for resources: keeps the names of a template that
    /// already exists).
    pub fn add_parameter_with_logical_id(
        &mut self,
        id: &str,
        logical_id: &str,
        parameter: Parameter,
    ) -> Result<ParameterHandle, Error> {
        let path = self.claim_node(id)?;
        let logical_id = logical_id.to_owned();
        self.claim_parameter_id(&logical_id, &path)?;
        self.data().parameters.insert(logical_id.clone(), parameter);
        Ok(ParameterHandle(ResourceRef::new(
            self.stack_id.clone(),
            Arc::from(logical_id),
        )))
    }

    /// A weak reference to a value of another stack: instead of an export there and
    /// `Fn::ImportValue` here, the producer gets a plain output, this stack a `String`
    /// parameter, and the manifest records which parameter comes from which stack's output
    /// (`weakReferences`). The toolkit reads the producer's output (DescribeStacks) when it
    /// deploys this stack and passes it as the parameter. So the reference works across
    /// regions and accounts (where imports cannot), and the producer stays free to change or
    /// remove the value (no export lock); the price is that nothing stops the producer from
    /// changing it under a deployed consumer until the consumer is deployed again.
    ///
    /// `value` is a `Ref` or `Fn::GetAtt` of a resource (or a `Ref` of a parameter) of
    /// another stack; the result is a `Ref` of the parameter, to use where `value` would be.
    ///
    /// ```
    /// use cloudwright_core::{App, RawResource, StackProps};
    ///
    /// let app = App::new();
    /// let mut edge = app.stack_with("Edge", StackProps::new().region("us-east-1"))?;
    /// let cert = edge.add("Cert", RawResource::new("AWS::CertificateManager::Certificate")
    ///     .property("DomainName", "example.com"))?;
    /// let mut api = app.stack_with("Api", StackProps::new().region("eu-west-1"))?;
    /// let arn = api.weak_ref(cert.r#ref())?;
    /// api.add("Topic", RawResource::new("AWS::SNS::Topic").property("DisplayName", arn))?;
    /// let assembly = app.synth()?;
    /// let consumer = assembly.stack("Api").unwrap();
    /// assert_eq!(consumer.weak_references[0].stack, "Edge");
    /// assert!(consumer.template.contains("\"WeakRefEdgeCert\""));
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    pub fn weak_ref(&mut self, value: Value) -> Result<Value, Error> {
        let invalid = |message: String| Error::InvalidWeakRef {
            stack: self.stack_id.to_string(),
            message,
        };
        let (r, attribute) = match &value {
            Value::Ref(r) => (r, None),
            Value::GetAtt(r, a) => (r, Some(a.clone())),
            other => {
                let shown = serde_json::to_string(other).unwrap_or_default();
                return Err(invalid(format!("got {shown}")));
            }
        };
        let Some(producer) = r.stack.clone().filter(|p| *p != self.stack_id) else {
            return Err(invalid(format!(
                "`{}` is in this stack: refer to it directly",
                r.logical_id
            )));
        };
        let alnum = |s: &str| {
            s.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        };
        let base = format!(
            "WeakRef{}{}{}",
            alnum(&producer),
            alnum(&r.logical_id),
            attribute.as_deref().map(alnum).unwrap_or_default()
        );
        let wanted = crate::stack::WeakTarget {
            producer: producer.clone(),
            logical_id: r.logical_id.clone(),
            attribute: attribute.clone(),
        };
        // the name drops what is not alphanumeric and runs the parts together, so different
        // targets can share it (`Ref` of `TopicTopicName` and `Topic.TopicName`, stack
        // `Net-A` and `NetA`): the same target reuses its parameter, another gets a number
        let mut parameter = base.clone();
        for n in 2.. {
            match self.data().weak_refs.get(&parameter) {
                Some(existing) if *existing == wanted => return Ok(Value::r#ref(parameter)),
                Some(_) => parameter = format!("{base}{n}"),
                None => break,
            }
        }
        let target = match &attribute {
            Some(a) => format!("{producer}/{}.{a}", r.logical_id),
            None => format!("{producer}/{}", r.logical_id),
        };
        self.claim_parameter_id(&parameter, &format!("weak reference to {target}"))?;
        let mut data = self.data();
        data.parameters.insert(
            parameter.clone(),
            Parameter::new("String").description(format!(
                "{target}, passed by cloudwright at deploy (a weak reference)"
            )),
        );
        data.weak_refs.insert(parameter.clone(), wanted);
        Ok(Value::r#ref(parameter))
    }

    /// Adds a template output under `id` (its logical id is the path in PascalCase).
    pub fn add_output(&mut self, id: &str, output: Output) -> Result<(), Error> {
        let logical_id = self.logical_id_for(id);
        self.add_output_with_logical_id(id, &logical_id, output)
    }

    /// Adds a template output under `id` with an explicit logical id.
    pub fn add_output_with_logical_id(
        &mut self,
        id: &str,
        logical_id: &str,
        output: Output,
    ) -> Result<(), Error> {
        let path = self.claim_node(id)?;
        self.check_logical_id(logical_id, &path, Namespace::Output)?;
        self.data()
            .outputs
            .insert(logical_id.to_owned(), (path.to_string(), output));
        Ok(())
    }

    /// Adds a named condition.
    pub fn add_condition(
        &mut self,
        id: &str,
        condition: impl Into<Value>,
    ) -> Result<ConditionHandle, Error> {
        let name = self.logical_id_for(id);
        self.add_condition_with_logical_id(id, &name, condition)
    }

    /// Adds a named condition under `id` with an explicit name.
    pub fn add_condition_with_logical_id(
        &mut self,
        id: &str,
        name: &str,
        condition: impl Into<Value>,
    ) -> Result<ConditionHandle, Error> {
        let path = self.claim_node(id)?;
        let name = name.to_owned();
        self.check_logical_id(&name, &path, Namespace::Condition)?;
        self.data()
            .conditions
            .insert(name.clone(), (path.to_string(), condition.into()));
        Ok(ConditionHandle(name))
    }

    /// Adds a mapping.
    pub fn add_mapping(&mut self, id: &str, mapping: Mapping) -> Result<MappingHandle, Error> {
        let name = self.logical_id_for(id);
        self.add_mapping_with_logical_id(id, &name, mapping)
    }

    /// Adds a mapping under `id` with an explicit name.
    pub fn add_mapping_with_logical_id(
        &mut self,
        id: &str,
        name: &str,
        mapping: Mapping,
    ) -> Result<MappingHandle, Error> {
        let path = self.claim_node(id)?;
        let name = name.to_owned();
        self.check_logical_id(&name, &path, Namespace::Mapping)?;
        self.data()
            .mappings
            .insert(name.clone(), (path.to_string(), mapping));
        Ok(MappingHandle(name))
    }

    /// Tags every taggable resource under this scope (deeper scopes win over shallower ones;
    /// tags set on a resource's own properties win over both).
    pub fn add_tag(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let path = self.path();
        self.data().tags.push((path, key.into(), value.into()));
    }

    /// A plain context value (from the context file or a `-c key=value` override).
    pub fn context(&self, key: &str) -> Option<&'a serde_json::Value> {
        self.app.context.get(key)
    }

    /// A plain context value parsed with [`FromStr`](std::str::FromStr): `Ok(None)` when the
    /// key is absent, and an [`Error::InvalidContext`] naming the key, where it came from and
    /// what the parser said when the value is not a string or does not parse.
    ///
    /// ```
    /// use cloudwright_core::{App, Context};
    ///
    /// let mut context = Context::default();
    /// context.set("replicas", "three".into(), "a test");
    /// let app = App::with_context(context);
    /// let stack = app.stack("Demo")?;
    /// let err = stack.context_parse::<u32>("replicas").unwrap_err();
    /// assert!(err.to_string().contains("context key `replicas`"));
    /// assert_eq!(stack.context_parse::<u32>("absent")?, None);
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    pub fn context_parse<T>(&self, key: &str) -> Result<Option<T>, Error>
    where
        T: std::str::FromStr,
        T::Err: std::fmt::Display,
    {
        let Some(value) = self.context(key) else {
            return Ok(None);
        };
        let invalid = |message: String| Error::InvalidContext {
            key: key.to_owned(),
            file: self.app.context.origin(key),
            message,
        };
        let text = value
            .as_str()
            .ok_or_else(|| invalid(format!("expected a string, found {value}")))?;
        text.parse::<T>()
            .map(Some)
            .map_err(|e| invalid(e.to_string()))
    }

    /// The value of a context lookup. When it is missing, the lookup is recorded (the toolkit
    /// can perform it) and an [`Error::MissingContext`] names the key. In a stack that names
    /// its account, the query gets an `account` property (unless it has one), so its key says
    /// which account the value belongs to:
    ///
    /// ```
    /// use cloudwright_core::{App, ContextQuery, StackProps};
    ///
    /// let app = App::new();
    /// let mut stack = app.stack_with("Net", StackProps::new().account("111111111111"))?;
    /// let q = ContextQuery::new("vpc-provider").prop("region", "eu-west-1").prop("vpcId", "vpc-1");
    /// assert!(stack.lookup(&q).is_err());
    /// let missing = app.missing_context();
    /// assert_eq!(missing[0].key, "vpc-provider:account=111111111111:region=eu-west-1:vpcId=vpc-1");
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    pub fn lookup(&mut self, query: &ContextQuery) -> Result<serde_json::Value, Error> {
        let query = &self.in_account(query);
        let key = query.key();
        if let Some(v) = self.app.context.get(&key) {
            // the manifest says which lookups the stack used and who answered them, so
            // deploy can refuse a value answered by another account than the stack's
            let answered = self.app.context.lookup_account(&key).map(str::to_owned);
            self.data().lookups.insert(key, answered);
            return Ok(v.clone());
        }
        let mut missing = self.app.missing.borrow_mut();
        if !missing.iter().any(|m| m.key == key) {
            missing.push(MissingContext {
                key: key.clone(),
                query: query.clone(),
            });
        }
        Err(Error::MissingContext {
            key,
            provider: query.provider.clone(),
            file: self.app.context.file_name(),
        })
    }

    /// [`Scope::lookup`], deserialized into `T`; a value of the wrong shape is an
    /// [`Error::InvalidContext`] naming the key, its file, and what serde found wrong.
    pub fn lookup_as<T: DeserializeOwned>(&mut self, query: &ContextQuery) -> Result<T, Error> {
        let v = self.lookup(query)?;
        let key = self.in_account(query).key();
        serde_json::from_value(v).map_err(|e| Error::InvalidContext {
            file: self.app.context.origin(&key),
            key,
            message: e.to_string(),
        })
    }

    /// An error about this construct's input, naming its path.
    pub fn invalid(&self, message: impl Into<String>) -> Error {
        Error::Invalid {
            path: format!("{}/{}", self.stack_id, self.path()),
            message: message.into(),
        }
    }

    /// A `Ref` to a logical id of this stack, written by hand (checked at synthesis).
    pub fn local_ref(&self, logical_id: &str) -> Value {
        Value::Ref(Reference {
            stack: Some(self.stack_id.clone()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{App, RawResource};

    fn duplicate(e: Error) -> (String, String, String) {
        match e {
            Error::DuplicateId {
                logical_id,
                first,
                second,
                ..
            } => (logical_id, first, second),
            other => panic!("not a duplicate id: {other}"),
        }
    }

    #[test]
    fn resources_and_parameters_share_one_namespace() {
        let app = App::new();
        let mut s = app.stack("S").unwrap();
        s.add("Topic", RawResource::new("AWS::SNS::Topic")).unwrap();
        let e = s
            .add_parameter_with_logical_id("Param", "Topic", Parameter::new("String"))
            .unwrap_err();
        assert_eq!(
            duplicate(e),
            ("Topic".into(), "S/Topic".into(), "S/Param".into())
        );
        s.add_parameter("Name", Parameter::new("String")).unwrap();
        let e = s
            .add_with_logical_id("Queue", "Name", RawResource::new("AWS::SQS::Queue"))
            .unwrap_err();
        assert_eq!(
            duplicate(e),
            ("Name".into(), "S/Name".into(), "S/Queue".into())
        );
        let e = s
            .add_with_logical_id("Again", "Topic", RawResource::new("AWS::SQS::Queue"))
            .unwrap_err();
        assert_eq!(
            duplicate(e),
            ("Topic".into(), "S/Topic".into(), "S/Again".into())
        );
        // outputs have a namespace of their own
        s.add_output_with_logical_id("Out", "Topic", Output::new("x"))
            .unwrap();
    }

    #[test]
    fn invalid_ids_name_the_path_they_were_given_at() {
        let app = App::new();
        let mut s = app.stack("S").unwrap();
        let e = s
            .add("a-b", RawResource::new("AWS::SNS::Topic"))
            .unwrap_err();
        assert!(
            matches!(&e, Error::InvalidId { path, id, .. } if path == "S/a-b" && id == "a-b"),
            "{e}"
        );
        let e = s
            .add_with_logical_id("Topic", "Bad_Id", RawResource::new("AWS::SNS::Topic"))
            .unwrap_err();
        let Error::InvalidId { path, id, reason } = &e else {
            panic!("not an invalid id: {e}");
        };
        assert_eq!((path.as_str(), id.as_str()), ("S/Topic", "Bad_Id"));
        assert!(reason.contains("'_'"), "{reason}");
    }
}
