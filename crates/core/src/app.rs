//! [`App`]: the root of the construct tree, holding stacks and the context.

use crate::assembly::Assembly;
use crate::construct::{AppState, Scope};
use crate::context::{Context, MissingContext};
use crate::error::Error;
use crate::stack::{StackData, StackProps};
use crate::synth;

/// An app: stacks built from constructs, synthesized together.
///
/// ```
/// use cloudwright_core::{App, Output, RawResource};
///
/// let app = App::new();
/// let mut network = app.stack("Network")?;
/// let topic = network.add("Topic", RawResource::new("AWS::SNS::Topic"))?;
/// let mut service = app.stack("Service")?;
/// service.add_output("TopicArn", Output::new(topic.r#ref()))?;
/// let assembly = app.synth()?;
/// // the reference became an export in Network and an import in Service
/// assert_eq!(assembly.stacks[1].dependencies, vec!["Network".to_string()]);
/// assert!(assembly.stacks[1].template.contains("Fn::ImportValue"));
/// # Ok::<(), cloudwright_core::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct App {
    state: AppState,
    region: Option<String>,
}

impl App {
    /// An app with an empty context.
    pub fn new() -> Self {
        App::default()
    }

    /// An app with the given context.
    pub fn with_context(context: Context) -> Self {
        App {
            state: AppState {
                context,
                ..AppState::default()
            },
            region: None,
        }
    }

    /// Sets the region of every stack that does not name its own ([`StackProps::region`]),
    /// added before or after the call.
    ///
    /// ```
    /// use cloudwright_core::{App, StackProps};
    ///
    /// let mut app = App::new();
    /// app.set_region("eu-west-1");
    /// let network = app.stack("Network")?;
    /// let edge = app.stack_with("Edge", StackProps::new().region("us-east-1"))?;
    /// assert_eq!(network.region(), Some("eu-west-1"));
    /// assert_eq!(edge.region(), Some("us-east-1"));
    /// // a stack added before the call gets the region too
    /// let mut app = App::new();
    /// app.stack("Early")?;
    /// app.set_region("eu-west-1");
    /// assert_eq!(app.synth()?.stacks[0].region.as_deref(), Some("eu-west-1"));
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    pub fn set_region(&mut self, region: impl Into<String>) {
        let region = region.into();
        // no scope is alive (this takes `&mut self`), so the stacks can change under them
        for stack in self.state.stacks.get_mut() {
            if !stack.region_explicit {
                stack.props.region = Some(region.clone());
            }
        }
        self.region = Some(region);
    }

    /// The context.
    pub fn context(&self) -> &Context {
        &self.state.context
    }

    /// Adds a stack named `id` and returns its root scope.
    ///
    /// Scopes of several stacks can be alive at once, so one stack can use what another
    /// made while both are being built.
    pub fn stack(&self, id: &str) -> Result<Scope<'_>, Error> {
        self.stack_with(id, StackProps::default())
    }

    /// Adds a stack with settings and returns its root scope.
    pub fn stack_with(&self, id: &str, mut props: StackProps) -> Result<Scope<'_>, Error> {
        validate_stack_name(id, id)?;
        if let Some(name) = &props.stack_name {
            validate_stack_name(id, name)?;
        }
        let region_explicit = props.region.is_some();
        if !region_explicit {
            props.region.clone_from(&self.region);
        }
        let name = props.stack_name.clone().unwrap_or_else(|| id.to_owned());
        let index = {
            let mut stacks = self.state.stacks.borrow_mut();
            if stacks
                .iter()
                .any(|s| &*s.id == id || s.stack_name() == name)
            {
                return Err(Error::DuplicateStack(id.to_owned()));
            }
            let mut data = StackData::new(id, props);
            data.region_explicit = region_explicit;
            stacks.push(data);
            stacks.len() - 1
        };
        Scope::root(&self.state, index).ok_or_else(|| Error::DuplicateStack(id.to_owned()))
    }

    /// Context lookups that constructs asked for and did not find.
    pub fn missing_context(&self) -> Vec<MissingContext> {
        self.state.missing.borrow().clone()
    }

    /// Synthesizes every stack: checks references, dependencies and limits, and renders the
    /// templates. Nothing is written; see [`Assembly::write`].
    pub fn synth(&self) -> Result<Assembly, Error> {
        if let Some(m) = self.state.missing.borrow().first() {
            return Err(Error::MissingContext {
                key: m.key.clone(),
                provider: m.query.provider.clone(),
                file: self.state.context.file_name(),
            });
        }
        // scope tags: merged ones go into the resources' properties for the time of synthesis
        // only, shared ones are lent to the checks and written beside the properties
        let mut stacks = self.state.stacks.borrow_mut();
        let mut tags = synth::apply_tags(&mut stacks);
        let refused = synth::check_resources(&mut stacks, &mut tags);
        let result = synth::synthesize(&stacks, &tags, refused);
        synth::restore_tags(&mut stacks, tags);
        drop(stacks);
        let mut assembly = result?;
        assembly.assets = self.state.assets.borrow().values().cloned().collect();
        assembly.file_assets = self.state.file_assets.borrow().values().cloned().collect();
        Ok(assembly)
    }
}

fn validate_stack_name(id: &str, name: &str) -> Result<(), Error> {
    let bad = |reason: &str| {
        Err(Error::InvalidId {
            path: id.to_owned(),
            id: name.to_owned(),
            reason: reason.to_owned(),
        })
    };
    let mut chars = name.chars();
    match chars.next() {
        None => return bad("stack names must not be empty"),
        Some(c) if !c.is_ascii_alphabetic() => return bad("stack names must start with a letter"),
        _ => {}
    }
    if chars.any(|c| !c.is_ascii_alphanumeric() && c != '-') {
        return bad("stack names may contain only ASCII letters, digits and hyphens");
    }
    if name.len() > 128 {
        return bad("stack names may be at most 128 characters");
    }
    Ok(())
}
