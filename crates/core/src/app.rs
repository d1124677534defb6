//! [`App`]: the root of the construct tree, holding stacks and the context.

use crate::assembly::Assembly;
use crate::construct::{Env, Scope};
use crate::context::{Context, MissingContext};
use crate::error::Error;
use crate::stack::{StackData, StackProps};
use crate::synth;

/// An app: stacks built from constructs, synthesized together.
///
/// ```
/// use cloudwright_core::{App, Output, RawResource};
///
/// let mut app = App::new();
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
    stacks: Vec<StackData>,
    env: Env,
}

impl App {
    /// An app with an empty context.
    pub fn new() -> Self {
        App::default()
    }

    /// An app with the given context.
    pub fn with_context(context: Context) -> Self {
        App {
            stacks: Vec::new(),
            env: Env {
                context,
                missing: Vec::new(),
            },
        }
    }

    /// The context.
    pub fn context(&self) -> &Context {
        &self.env.context
    }

    /// Adds a stack named `id` and returns its root scope.
    pub fn stack(&mut self, id: &str) -> Result<Scope<'_>, Error> {
        self.stack_with(id, StackProps::default())
    }

    /// Adds a stack with settings and returns its root scope.
    pub fn stack_with(&mut self, id: &str, props: StackProps) -> Result<Scope<'_>, Error> {
        validate_stack_name(id, id)?;
        if let Some(name) = &props.stack_name {
            validate_stack_name(id, name)?;
        }
        let name = props.stack_name.clone().unwrap_or_else(|| id.to_owned());
        if self
            .stacks
            .iter()
            .any(|s| &*s.id == id || s.stack_name() == name)
        {
            return Err(Error::DuplicateStack(id.to_owned()));
        }
        self.stacks.push(StackData::new(id, props));
        let Some(stack) = self.stacks.last_mut() else {
            return Err(Error::DuplicateStack(id.to_owned()));
        };
        Ok(Scope::root(stack, &mut self.env))
    }

    /// Context lookups that constructs asked for and did not find.
    pub fn missing_context(&self) -> &[MissingContext] {
        &self.env.missing
    }

    /// Synthesizes every stack: checks references, dependencies and limits, and renders the
    /// templates. Nothing is written; see [`Assembly::write`].
    pub fn synth(&self) -> Result<Assembly, Error> {
        if let Some(m) = self.env.missing.first() {
            return Err(Error::MissingContext {
                key: m.key.clone(),
                provider: m.query.provider.clone(),
                file: self.env.context.file_name(),
            });
        }
        synth::synthesize(&self.stacks)
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
