//! `cloudwright deploy --hotswap`: when the only difference between a stack's deployed template
//! and its new one is what a service's own API can change in place, change it there instead of
//! through CloudFormation, and fall back to a normal deploy for everything else.
//!
//! The decision is pure and unit-tested: [`plan`] compares the two templates and says either
//! [`Plan::Hotswap`] (with the [`Change`]s), [`Plan::NoChange`], or [`Plan::Fallback`] with the
//! [`NotHotswappable`] reasons (which resource, which property). [`Evaluator`] resolves the
//! intrinsics of a new value (`Ref`, `Fn::Sub`, `Fn::Join`, pseudo parameters) against the
//! deployed stack's physical ids. [`apply_task_definition`] then makes the ECS calls.
//!
//! Hotswappable today: an `AWS::ECS::TaskDefinition`'s `ContainerDefinitions[*].Image`,
//! `Environment` and `Command`: a new revision is registered (everything else copied from
//! the current one) and every `AWS::ECS::Service` of the stack whose `TaskDefinition` refers to
//! it is updated to it, then the deployment is awaited. A resource's `Metadata` and the
//! template's `Description` and `Metadata` are ignored. Everything else falls back.
//!
//! Functions' code and configuration (`AWS::Lambda::Function`) are meant to slot in as a
//! second [`Change`] variant: a `match` arm in [`resource_change`] deciding what differs, and
//! an `apply_function` beside [`apply_task_definition`] (`UpdateFunctionCode`, wait until
//! active, `UpdateFunctionConfiguration`). They wait for the function constructs.
//!
//! A hotswap leaves the stack drifted from its template: CloudFormation still records the
//! old revision. The next full deploy (without `--hotswap`) brings the stack back in line.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::app::assembly::CloudAssembly;
use crate::app::synth::Say;
use crate::aws::Aws;
use crate::aws::ecs::{Ecs, Rollout, register_input};
use crate::cloudformation::stacks::{self, Cfn};
use crate::error::{Error, Result};

/// The properties of a container definition a hotswap changes.
pub const CONTAINER_PROPERTIES: &[&str] = &["Image", "Environment", "Command"];

/// Template sections whose differences do not matter to the deployed resources.
pub const IGNORED_SECTIONS: &[&str] = &["AWSTemplateFormatVersion", "Description", "Metadata"];

/// Why a stack cannot be hotswapped: what differs, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotHotswappable {
    /// The resource's logical id, or `None` for a template section.
    pub resource: Option<String>,
    /// The resource's type (empty for a template section).
    pub resource_type: String,
    /// The property path (`ContainerDefinitions[0].Memory`), attribute or section.
    pub property: String,
    /// Why.
    pub why: String,
}

impl std::fmt::Display for NotHotswappable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.resource {
            Some(id) => write!(
                f,
                "{id} ({}): {}: {}",
                self.resource_type, self.property, self.why
            ),
            None => write!(f, "{}: {}", self.property, self.why),
        }
    }
}

/// The hotswappable changes of one container.
#[derive(Clone, Debug, PartialEq)]
pub struct ContainerChange {
    /// The container's `Name` as the template has it.
    pub name: Value,
    /// Its index in `ContainerDefinitions`.
    pub index: usize,
    /// The changed properties with their new template values (`None`: removed).
    pub properties: BTreeMap<String, Option<Value>>,
}

/// A task definition to register again with changed containers.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskDefinitionChange {
    /// The task definition's logical id.
    pub logical_id: String,
    /// The containers that change.
    pub containers: Vec<ContainerChange>,
    /// The stack's services whose `TaskDefinition` refers to it.
    pub services: Vec<ServiceRef>,
}

/// A service of the stack that runs a task definition.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceRef {
    /// Its logical id.
    pub logical_id: String,
    /// Its `Cluster` property as the template has it (`None`: the `default` cluster).
    pub cluster: Option<Value>,
}

/// A change made through a service's own API.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A new revision of an ECS task definition, and its services updated to it.
    TaskDefinition(TaskDefinitionChange),
}

/// What to do with a stack.
#[derive(Clone, Debug, PartialEq)]
pub enum Plan {
    /// The templates are the same (apart from what is ignored).
    NoChange,
    /// Everything that differs can be hotswapped.
    Hotswap(Vec<Change>),
    /// Something cannot: deploy normally.
    Fallback(Vec<NotHotswappable>),
}

fn section_reason(section: &str) -> NotHotswappable {
    NotHotswappable {
        resource: None,
        resource_type: String::new(),
        property: section.to_owned(),
        why: "this template section changed".into(),
    }
}

fn resource_type(r: &Value) -> String {
    r["Type"].as_str().unwrap_or_default().to_owned()
}

/// Compares a stack's deployed template with its new one and decides whether a hotswap can
/// make the difference.
pub fn plan(deployed: &Value, new: &Value) -> Plan {
    let empty = serde_json::Map::new();
    let old_top = deployed.as_object().unwrap_or(&empty);
    let new_top = new.as_object().unwrap_or(&empty);
    let mut reasons = Vec::new();
    let sections: BTreeSet<&String> = old_top.keys().chain(new_top.keys()).collect();
    for section in sections {
        if section == "Resources" || IGNORED_SECTIONS.contains(&section.as_str()) {
            continue;
        }
        if old_top.get(section) != new_top.get(section) {
            reasons.push(section_reason(section));
        }
    }
    let old_resources = deployed["Resources"].as_object().unwrap_or(&empty);
    let new_resources = new["Resources"].as_object().unwrap_or(&empty);
    let ids: BTreeSet<&String> = old_resources.keys().chain(new_resources.keys()).collect();
    let mut changes = Vec::new();
    for id in ids {
        match (old_resources.get(id), new_resources.get(id)) {
            (Some(old), None) => reasons.push(NotHotswappable {
                resource: Some(id.clone()),
                resource_type: resource_type(old),
                property: "(resource)".into(),
                why: "removed".into(),
            }),
            (None, Some(new)) => reasons.push(NotHotswappable {
                resource: Some(id.clone()),
                resource_type: resource_type(new),
                property: "(resource)".into(),
                why: "added".into(),
            }),
            (Some(old), Some(new)) => match resource_change(id, old, new, new_resources) {
                Ok(Some(c)) => changes.push(c),
                Ok(None) => {}
                Err(mut r) => reasons.append(&mut r),
            },
            (None, None) => {}
        }
    }
    if !reasons.is_empty() {
        Plan::Fallback(reasons)
    } else if changes.is_empty() {
        Plan::NoChange
    } else {
        Plan::Hotswap(changes)
    }
}

/// What changed in one resource present in both templates: nothing, a hotswappable change,
/// or the reasons it is not hotswappable. Each resource type with a hotswap has its arm here.
pub fn resource_change(
    id: &str,
    old: &Value,
    new: &Value,
    new_resources: &serde_json::Map<String, Value>,
) -> Result<Option<Change>, Vec<NotHotswappable>> {
    let ty = resource_type(new);
    let reason = |property: String, why: &str| NotHotswappable {
        resource: Some(id.to_owned()),
        resource_type: ty.clone(),
        property,
        why: why.to_owned(),
    };
    if resource_type(old) != ty {
        return Err(vec![reason(
            "Type".into(),
            &format!("the type changed from {}", resource_type(old)),
        )]);
    }
    let empty = serde_json::Map::new();
    let old_attrs = old.as_object().unwrap_or(&empty);
    let new_attrs = new.as_object().unwrap_or(&empty);
    let mut reasons = Vec::new();
    let attrs: BTreeSet<&String> = old_attrs.keys().chain(new_attrs.keys()).collect();
    for attr in attrs {
        if matches!(attr.as_str(), "Properties" | "Metadata" | "Type") {
            continue;
        }
        if old_attrs.get(attr) != new_attrs.get(attr) {
            reasons.push(reason(
                attr.clone(),
                "this resource attribute is not hotswappable",
            ));
        }
    }
    let old_props = old["Properties"].as_object().unwrap_or(&empty);
    let new_props = new["Properties"].as_object().unwrap_or(&empty);
    if old_props == new_props {
        return if reasons.is_empty() {
            Ok(None)
        } else {
            Err(reasons)
        };
    }
    let change = match ty.as_str() {
        "AWS::ECS::TaskDefinition" => {
            task_definition_change(id, old_props, new_props, new_resources)
                .map(|c| c.map(Change::TaskDefinition))
        }
        // "AWS::Lambda::Function" => function_change(...) once function constructs exist
        _ => {
            let props: BTreeSet<&String> = old_props.keys().chain(new_props.keys()).collect();
            Err(props
                .into_iter()
                .filter(|p| old_props.get(*p) != new_props.get(*p))
                .map(|p| {
                    reason(
                        p.clone(),
                        &format!("changed, and {ty} has no hotswap (only an ECS task definition's container images, environment and command do)"),
                    )
                })
                .collect())
        }
    };
    match change {
        Ok(c) if reasons.is_empty() => Ok(c),
        Ok(_) => Err(reasons),
        Err(mut r) => {
            reasons.append(&mut r);
            Err(reasons)
        }
    }
}

fn task_definition_change(
    id: &str,
    old: &serde_json::Map<String, Value>,
    new: &serde_json::Map<String, Value>,
    new_resources: &serde_json::Map<String, Value>,
) -> Result<Option<TaskDefinitionChange>, Vec<NotHotswappable>> {
    let reason = |property: String, why: &str| NotHotswappable {
        resource: Some(id.to_owned()),
        resource_type: "AWS::ECS::TaskDefinition".into(),
        property,
        why: why.to_owned(),
    };
    let mut reasons = Vec::new();
    let props: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for p in props {
        if p != "ContainerDefinitions" && old.get(p) != new.get(p) {
            reasons.push(reason(
                p.clone(),
                "changed (a hotswap changes only containers' Image, Environment and Command)",
            ));
        }
    }
    let none = Vec::new();
    let old_containers = old
        .get("ContainerDefinitions")
        .and_then(Value::as_array)
        .unwrap_or(&none);
    let new_containers = new
        .get("ContainerDefinitions")
        .and_then(Value::as_array)
        .unwrap_or(&none);
    if old_containers.len() != new_containers.len() {
        reasons.push(reason(
            "ContainerDefinitions".into(),
            &format!(
                "containers were added or removed ({} before, {} now)",
                old_containers.len(),
                new_containers.len()
            ),
        ));
        return Err(reasons);
    }
    let mut containers = Vec::new();
    let empty = serde_json::Map::new();
    for (index, (o, n)) in old_containers.iter().zip(new_containers).enumerate() {
        let o = o.as_object().unwrap_or(&empty);
        let n = n.as_object().unwrap_or(&empty);
        let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
        let mut properties = BTreeMap::new();
        for k in keys {
            if o.get(k) == n.get(k) {
                continue;
            }
            if CONTAINER_PROPERTIES.contains(&k.as_str()) {
                properties.insert(k.clone(), n.get(k).cloned());
            } else {
                reasons.push(reason(
                    format!("ContainerDefinitions[{index}].{k}"),
                    "changed (a hotswap changes only containers' Image, Environment and Command)",
                ));
            }
        }
        if !properties.is_empty() {
            containers.push(ContainerChange {
                name: n.get("Name").cloned().unwrap_or(Value::Null),
                index,
                properties,
            });
        }
    }
    if !reasons.is_empty() {
        return Err(reasons);
    }
    if containers.is_empty() {
        return Ok(None);
    }
    let reference = json!({"Ref": id});
    let services = new_resources
        .iter()
        .filter(|(_, r)| {
            r["Type"] == "AWS::ECS::Service" && r["Properties"]["TaskDefinition"] == reference
        })
        .map(|(sid, r)| ServiceRef {
            logical_id: sid.clone(),
            cluster: r["Properties"].get("Cluster").cloned(),
        })
        .collect();
    Ok(Some(TaskDefinitionChange {
        logical_id: id.to_owned(),
        containers,
        services,
    }))
}

/// Resolves template values against a deployed stack: pseudo parameters, `Ref` to a resource
/// (its physical id), `Fn::Sub` and `Fn::Join`. Anything else (`Fn::GetAtt`, parameters,
/// conditions, imports) is an error naming it, and the stack falls back to a normal deploy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Evaluator {
    /// `AWS::AccountId`, `AWS::Region`, ... by name.
    pub pseudo: BTreeMap<String, String>,
    /// Physical ids by logical id.
    pub physical: BTreeMap<String, String>,
}

impl Evaluator {
    /// An evaluator for the stack whose id (ARN) is `stack_id`, with its resources' physical
    /// ids.
    pub fn for_stack(stack_id: &str, physical: BTreeMap<String, String>) -> Result<Self, String> {
        // arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>
        let parts: Vec<&str> = stack_id.splitn(6, ':').collect();
        let (partition, region, account, rest) = match parts.as_slice() {
            ["arn", p, "cloudformation", r, a, rest] => (*p, *r, *a, *rest),
            _ => return Err(format!("the stack id `{stack_id}` is not a stack ARN")),
        };
        let name = rest.split('/').nth(1).unwrap_or_default();
        let suffix = if partition == "aws-cn" {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        let pseudo = [
            ("AWS::AccountId", account),
            ("AWS::Region", region),
            ("AWS::Partition", partition),
            ("AWS::URLSuffix", suffix),
            ("AWS::StackName", name),
            ("AWS::StackId", stack_id),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        Ok(Evaluator { pseudo, physical })
    }

    fn name(&self, name: &str) -> Result<String, String> {
        self.pseudo
            .get(name)
            .or_else(|| self.physical.get(name))
            .cloned()
            .ok_or_else(|| {
                format!("`{name}` is neither a pseudo parameter nor a deployed resource of the stack (parameters are not evaluated)")
            })
    }

    /// The value with every intrinsic resolved.
    pub fn evaluate(&self, value: &Value) -> Result<Value, String> {
        match value {
            Value::Array(items) => items
                .iter()
                .map(|v| self.evaluate(v))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Value::Object(map) if map.len() == 1 => {
                let (key, arg) = map
                    .iter()
                    .next()
                    .map_or(("", &Value::Null), |(k, v)| (k.as_str(), v));
                match key {
                    "Ref" => arg
                        .as_str()
                        .ok_or_else(|| format!("Ref of {arg}"))
                        .and_then(|n| self.name(n))
                        .map(Value::String),
                    "Fn::Sub" => self.sub(arg).map(Value::String),
                    "Fn::Join" => self.join(arg).map(Value::String),
                    k if k.starts_with("Fn::") || k == "Condition" => {
                        Err(format!("{k} is not evaluated by a hotswap"))
                    }
                    _ => self.object(map),
                }
            }
            Value::Object(map) => self.object(map),
            other => Ok(other.clone()),
        }
    }

    fn object(&self, map: &serde_json::Map<String, Value>) -> Result<Value, String> {
        map.iter()
            .map(|(k, v)| Ok((k.clone(), self.evaluate(v)?)))
            .collect::<Result<serde_json::Map<_, _>, String>>()
            .map(Value::Object)
    }

    fn text(&self, value: &Value) -> Result<String, String> {
        match self.evaluate(value)? {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(format!("{other} is not a string")),
        }
    }

    fn join(&self, arg: &Value) -> Result<String, String> {
        let (Some(sep), Some(items)) = (arg[0].as_str(), arg[1].as_array()) else {
            return Err(format!("Fn::Join of {arg}"));
        };
        Ok(items
            .iter()
            .map(|v| self.text(v))
            .collect::<Result<Vec<_>, _>>()?
            .join(sep))
    }

    fn sub(&self, arg: &Value) -> Result<String, String> {
        let (template, vars) = match arg {
            Value::String(s) => (s.as_str(), None),
            Value::Array(a) if a.len() == 2 => (
                a[0].as_str().ok_or_else(|| format!("Fn::Sub of {arg}"))?,
                a[1].as_object(),
            ),
            _ => return Err(format!("Fn::Sub of {arg}")),
        };
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            // `${!Literal}` is the literal `${Literal}`
            if let Some(literal) = after.strip_prefix('!') {
                out.push_str("${");
                rest = literal;
                continue;
            }
            let end = after
                .find('}')
                .ok_or_else(|| format!("Fn::Sub `{template}` has an unclosed ${{"))?;
            let name = &after[..end];
            let value = match vars.and_then(|v| v.get(name)) {
                Some(v) => self.text(v)?,
                None if name.contains('.') => {
                    return Err(format!(
                        "${{{name}}} (an attribute) is not evaluated by a hotswap"
                    ));
                }
                None => self.name(name)?,
            };
            out.push_str(&value);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// A container change with its values resolved, in ECS's API shape (`image`, `environment`
/// as `[{"name", "value"}]`, `command`); `None` removes the field.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedContainer {
    /// The container's name.
    pub name: String,
    /// ECS field name → new value.
    pub fields: BTreeMap<&'static str, Option<Value>>,
}

/// Resolves a task definition change's container values with `eval`.
pub fn resolve_containers(
    change: &TaskDefinitionChange,
    eval: &Evaluator,
) -> Result<Vec<ResolvedContainer>, String> {
    let mut out = Vec::new();
    for c in &change.containers {
        let name = match eval.evaluate(&c.name)? {
            Value::String(s) => s,
            other => {
                return Err(format!(
                    "container {} has no name to find it by ({other})",
                    c.index
                ));
            }
        };
        let mut fields = BTreeMap::new();
        for (property, value) in &c.properties {
            let value = value.as_ref().map(|v| eval.evaluate(v)).transpose()?;
            let (field, value) = match property.as_str() {
                "Image" => ("image", value),
                "Command" => ("command", value),
                "Environment" => (
                    "environment",
                    value.map(|v| {
                        Value::Array(
                            v.as_array()
                                .map(Vec::as_slice)
                                .unwrap_or_default()
                                .iter()
                                .map(|e| json!({"name": e["Name"], "value": e["Value"]}))
                                .collect(),
                        )
                    }),
                ),
                other => return Err(format!("{other} is not hotswappable")),
            };
            fields.insert(field, value);
        }
        out.push(ResolvedContainer { name, fields });
    }
    Ok(out)
}

/// Applies resolved container changes to a `RegisterTaskDefinition` input.
pub fn edit_containers(input: &mut Value, containers: &[ResolvedContainer]) -> Result<(), String> {
    for c in containers {
        let definition = input["containerDefinitions"]
            .as_array_mut()
            .and_then(|defs| defs.iter_mut().find(|d| d["name"] == c.name.as_str()))
            .ok_or_else(|| format!("the deployed task definition has no container `{}`", c.name))?;
        let Some(fields) = definition.as_object_mut() else {
            return Err(format!("container `{}` is not an object", c.name));
        };
        for (field, value) in &c.fields {
            match value {
                Some(v) => {
                    fields.insert((*field).to_owned(), v.clone());
                }
                None => {
                    fields.remove(*field);
                }
            }
        }
    }
    Ok(())
}

/// What a hotswap of one stack did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hotswapped {
    /// `Logical (Type)` of every resource changed outside CloudFormation.
    pub resources: Vec<String>,
    /// The API calls made, in order (`ecs:RegisterTaskDefinition`, ...).
    pub calls: Vec<&'static str>,
}

/// What `deploy --hotswap` decided for one stack.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// Nothing to do.
    NoChange,
    /// Hotswapped.
    Hotswapped(Hotswapped),
    /// Needs a normal deploy, for these reasons.
    Fallback(Vec<String>),
}

/// Decides and, when it can, hotswaps stack `id` of the assembly; `timeout` bounds the wait
/// for each service's deployment. Nothing is changed when the answer is a fallback.
pub async fn hotswap_stack(
    aws: &Aws,
    assembly: &CloudAssembly,
    id: &str,
    timeout: Duration,
    out: &dyn Say,
) -> Result<Decision> {
    let stack = assembly.stack(id).ok_or_else(|| Error::UnknownStack {
        name: id.to_owned(),
        available: assembly
            .stacks()
            .iter()
            .map(|s| s.id.clone())
            .collect::<Vec<_>>()
            .join(", "),
    })?;
    let name = &stack.stack_name;
    let what = format!("stack {name}");
    let cfn = aws.cloudformation(stack.region.as_deref(), &what)?;
    let Some(info) = stacks::describe(&cfn, name).await? else {
        return Ok(Decision::Fallback(vec![
            "the stack is not deployed yet".into(),
        ]));
    };
    if !matches!(
        info.status.as_str(),
        "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "UPDATE_ROLLBACK_COMPLETE" | "IMPORT_COMPLETE"
    ) {
        return Ok(Decision::Fallback(vec![format!(
            "the stack is {}",
            info.status
        )]));
    }
    let Some(deployed) = stacks::deployed_template(&cfn, &info.id).await? else {
        return Ok(Decision::Fallback(vec![
            "the stack is not deployed yet".into(),
        ]));
    };
    let Ok(deployed) = serde_json::from_str::<Value>(&deployed) else {
        return Ok(Decision::Fallback(vec![
            "the deployed template is not JSON (it was not deployed by cloudwright)".into(),
        ]));
    };
    let new: Value =
        serde_json::from_str(&assembly.template(stack)?).map_err(|e| Error::Assembly {
            dir: assembly.dir.clone(),
            message: format!("{}: {e}", stack.template_file),
        })?;
    let changes = match plan(&deployed, &new) {
        Plan::NoChange => return Ok(Decision::NoChange),
        Plan::Fallback(reasons) => {
            return Ok(Decision::Fallback(
                reasons.iter().map(ToString::to_string).collect(),
            ));
        }
        Plan::Hotswap(changes) => changes,
    };
    let physical = physical_ids(&cfn, &info.id).await?;
    let eval = match Evaluator::for_stack(&info.id, physical) {
        Ok(e) => e,
        Err(why) => return Ok(Decision::Fallback(vec![why])),
    };
    // resolve everything before the first change is made
    let mut work = Vec::new();
    for change in &changes {
        match change {
            Change::TaskDefinition(td) => match resolve_containers(td, &eval) {
                Ok(containers) => work.push((td, containers)),
                Err(why) => {
                    return Ok(Decision::Fallback(vec![format!(
                        "{} (AWS::ECS::TaskDefinition): {why}",
                        td.logical_id
                    )]));
                }
            },
        }
    }
    for (td, _) in &work {
        for s in &td.services {
            let cluster_ok = s.cluster.as_ref().is_none_or(|c| eval.text(c).is_ok());
            if !eval.physical.contains_key(&s.logical_id) || !cluster_ok {
                return Ok(Decision::Fallback(vec![format!(
                    "{} (AWS::ECS::Service): its physical id or Cluster cannot be resolved",
                    s.logical_id
                )]));
            }
        }
    }
    let ecs = Ecs::new(&aws.config(stack.region.as_deref(), &what)?, &what)?;
    let mut done = Hotswapped {
        resources: Vec::new(),
        calls: vec![
            "cloudformation:DescribeStacks",
            "cloudformation:GetTemplate",
            "cloudformation:DescribeStackResources",
        ],
    };
    for (td, containers) in work {
        apply_task_definition(&ecs, name, td, &containers, &eval, timeout, out, &mut done).await?;
    }
    if done.resources.is_empty() {
        return Ok(Decision::NoChange);
    }
    out.say(&format!(
        "{name}: hotswapped {}. The stack has drifted from its template (CloudFormation still records the previous values) until the next full deploy (`cloudwright deploy` without --hotswap).",
        done.resources.join(", ")
    ));
    Ok(Decision::Hotswapped(done))
}

async fn physical_ids(cfn: &Cfn, stack_id: &str) -> Result<BTreeMap<String, String>> {
    let out = cfn
        .client
        .describe_stack_resources()
        .stack_name(stack_id)
        .send()
        .await
        .map_err(|e| cfn.error("DescribeStackResources", e))?;
    Ok(out
        .stack_resources()
        .iter()
        .filter_map(|r| {
            Some((
                r.logical_resource_id()?.to_owned(),
                r.physical_resource_id()?.to_owned(),
            ))
        })
        .collect())
}

/// Registers the new revision of a task definition and moves the services that use it onto
/// it, waiting (up to `timeout` per service) for each deployment to settle.
#[allow(clippy::too_many_arguments)]
pub async fn apply_task_definition(
    ecs: &Ecs,
    stack: &str,
    change: &TaskDefinitionChange,
    containers: &[ResolvedContainer],
    eval: &Evaluator,
    timeout: Duration,
    out: &dyn Say,
    done: &mut Hotswapped,
) -> Result<()> {
    let id = &change.logical_id;
    let current = eval.physical.get(id).ok_or_else(|| Error::Aws {
        operation: "DescribeStackResources",
        code: "NoPhysicalId".into(),
        message: format!("stack {stack} has no deployed resource {id}"),
    })?;
    // the revision the services run now: after an earlier hotswap it is not the one the stack
    // records, and it may already be what the template asks for
    let mut running = BTreeSet::new();
    for s in &change.services {
        let cluster = match &s.cluster {
            None => Some("default".to_owned()),
            Some(c) => eval.text(c).ok(),
        };
        let (Some(service), Some(cluster)) = (eval.physical.get(&s.logical_id), cluster) else {
            continue;
        };
        let described = ecs.describe_service(&cluster, service).await?;
        done.calls.push("ecs:DescribeServices");
        if let Some(td) = described
            .as_ref()
            .and_then(|d| d["taskDefinition"].as_str())
        {
            running.insert(td.to_owned());
        }
    }
    let read = |described: &Value, tags: &Value| -> Result<Value> {
        register_input(described, Some(tags)).map_err(|why| Error::UnreadableResponse {
            operation: "DescribeTaskDefinition",
            status: 200,
            body: format!("{described} ({why})"),
        })
    };
    let edit = |input: &mut Value, arn: &str| -> Result<()> {
        edit_containers(input, containers).map_err(|why| Error::Aws {
            operation: "DescribeTaskDefinition",
            code: "ContainerNotFound".into(),
            message: format!("{arn}: {why}; deploy without --hotswap"),
        })
    };
    if let (1, Some(now)) = (running.len(), running.first())
        && now != current
    {
        let (described, tags) = ecs.describe_task_definition(now).await?;
        done.calls.push("ecs:DescribeTaskDefinition");
        let as_is = read(&described, &tags)?;
        let mut edited = as_is.clone();
        edit(&mut edited, now)?;
        if edited == as_is {
            out.say(&format!(
                "{stack}: {id}: its services already run {now}, which has these values (an earlier hotswap); nothing to change"
            ));
            return Ok(());
        }
    }
    let (described, tags) = ecs.describe_task_definition(current).await?;
    done.calls.push("ecs:DescribeTaskDefinition");
    let mut input = read(&described, &tags)?;
    edit(&mut input, current)?;
    let revision = ecs.register_task_definition(&input).await?;
    done.calls.push("ecs:RegisterTaskDefinition");
    for c in containers {
        let what: Vec<String> = c
            .fields
            .iter()
            .map(|(f, v)| match (f, v) {
                (&"image", Some(Value::String(i))) => format!("image {i}"),
                (f, Some(_)) => format!("{f} changed"),
                (f, None) => format!("{f} removed"),
            })
            .collect();
        out.say(&format!(
            "{stack}: {id}: container {}: {}",
            c.name,
            what.join(", ")
        ));
    }
    out.say(&format!("{stack}: {id}: registered {revision}"));
    done.resources
        .push(format!("{id} (AWS::ECS::TaskDefinition)"));
    if change.services.is_empty() {
        out.say(&format!(
            "{stack}: {id}: no service of the stack uses it; nothing else to update"
        ));
    }
    for ServiceRef {
        logical_id: service_id,
        cluster,
    } in &change.services
    {
        let service = eval.physical.get(service_id).ok_or_else(|| Error::Aws {
            operation: "DescribeStackResources",
            code: "NoPhysicalId".into(),
            message: format!("stack {stack} has no deployed resource {service_id}"),
        })?;
        let cluster = match cluster {
            None => "default".to_owned(),
            Some(c) => eval.text(c).map_err(|why| Error::HotswapFailed {
                stack: stack.to_owned(),
                resource: service_id.clone(),
                why: format!("its Cluster cannot be evaluated: {why}"),
            })?,
        };
        ecs.update_service(&cluster, service, &revision).await?;
        done.calls.push("ecs:UpdateService");
        out.say(&format!(
            "{stack}: {service_id}: updated to {revision}; waiting for its deployment"
        ));
        let started = Instant::now();
        let deadline = started + timeout;
        let mut delay = Duration::from_millis(500);
        loop {
            let described = ecs.describe_service(&cluster, service).await?;
            done.calls.push("ecs:DescribeServices");
            let state = match described {
                Some(s) => crate::aws::ecs::rollout(&s, &revision),
                None => Rollout::Failed(format!("ECS does not know service {service}")),
            };
            match state {
                Rollout::Settled => break,
                Rollout::Failed(why) => {
                    return Err(Error::HotswapFailed {
                        stack: stack.to_owned(),
                        resource: service_id.clone(),
                        why,
                    });
                }
                Rollout::Pending(why) if Instant::now() + delay > deadline => {
                    return Err(Error::HotswapFailed {
                        stack: stack.to_owned(),
                        resource: service_id.clone(),
                        why: format!(
                            "its deployment did not settle within {} s ({why}); cloudwright stopped waiting but cancelled nothing",
                            timeout.as_secs()
                        ),
                    });
                }
                Rollout::Pending(_) => {
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(10));
                }
            }
        }
        out.say(&format!(
            "{stack}: {service_id}: deployment settled in {:.1} s",
            started.elapsed().as_secs_f64()
        ));
        done.resources
            .push(format!("{service_id} (AWS::ECS::Service)"));
    }
    Ok(())
}

/// `cloudwright deploy --hotswap`: every selected stack is hotswapped when it can be (in
/// dependency order), each in its own account (the role `cloudwright.json` names for it,
/// verified, as a normal deploy does); the stacks that cannot are then deployed normally, after
/// the reasons are printed. Every stack's account is checked before anything changes; stacks
/// marked as production are refused by [`refuse_production`] before this is called.
pub async fn deploy(
    accounts: &crate::aws::accounts::Accounts,
    assembly: &CloudAssembly,
    opts: crate::cloudformation::deploy::DeployOptions,
    out: &dyn Say,
) -> Result<BTreeMap<String, Decision>> {
    let selected = assembly.select(
        &opts.stacks,
        if opts.exclusively {
            crate::app::assembly::Extend::None
        } else {
            crate::app::assembly::Extend::Upstream
        },
    )?;
    let access = crate::aws::accounts::resolve(accounts, &selected).await?;
    crate::cloudformation::environment::check(accounts, assembly, &selected).await?;
    let mut decisions = BTreeMap::new();
    let mut fallback = Vec::new();
    for s in &selected {
        let aws = access.get(&s.id).unwrap_or(accounts.base());
        let decision = hotswap_stack(aws, assembly, &s.id, opts.timeout, out).await?;
        match &decision {
            Decision::NoChange => out.say(&format!("{}: no changes", s.stack_name)),
            Decision::Hotswapped(_) => {}
            Decision::Fallback(reasons) => {
                out.say(&format!(
                    "{}: not hotswappable, deploying it normally: {}",
                    s.stack_name,
                    reasons.join("; ")
                ));
                fallback.push(s.id.clone());
            }
        }
        decisions.insert(s.stack_name.clone(), decision);
    }
    if !fallback.is_empty() {
        crate::cloudformation::deploy::deploy(
            accounts,
            assembly,
            crate::cloudformation::deploy::DeployOptions {
                stacks: fallback,
                exclusively: true,
                ..opts
            },
        )
        .await?;
    }
    Ok(decisions)
}

/// The selected stacks marked as production in `cloudwright.json`; `--hotswap` must refuse
/// them before anything is published or called.
pub fn refuse_production(
    settings: &crate::config::Settings,
    stacks: &[&cloudwright_core::ManifestStack],
) -> Result<()> {
    let marked: Vec<&str> = stacks
        .iter()
        .filter(|s| settings.is_production(&s.id, &s.stack_name))
        .map(|s| s.stack_name.as_str())
        .collect();
    if marked.is_empty() {
        return Ok(());
    }
    Err(Error::HotswapRefused {
        stacks: marked.join(", "),
        config: crate::config::CONFIG_FILE.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(image: &str, extra: Value) -> Value {
        let mut t = json!({
            "Description": "d",
            "Resources": {
                "Cluster": {"Type": "AWS::ECS::Cluster"},
                "Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
                    "Cpu": "256", "Memory": "512",
                    "ContainerDefinitions": [
                        {"Name": "app", "Image": {"Fn::Sub": image}, "Memory": 512,
                         "Environment": [{"Name": "A", "Value": "1"}]},
                        {"Name": "sidecar", "Image": "fluent:1"}
                    ]}},
                "Service": {"Type": "AWS::ECS::Service", "Properties": {
                    "Cluster": {"Ref": "Cluster"}, "TaskDefinition": {"Ref": "Task"},
                    "DesiredCount": 1}},
                "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "g"}}
            },
            "Outputs": {"Task": {"Value": {"Ref": "Task"}}}
        });
        if let (Some(r), Some(extra)) = (t["Resources"].as_object_mut(), extra.as_object()) {
            for (k, v) in extra {
                r.insert(k.clone(), v.clone());
            }
        }
        t
    }

    const V1: &str = "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/repo:v1";
    const V2: &str = "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/repo:v2";

    #[test]
    fn an_image_change_is_a_hotswap_of_the_task_definition_and_its_services() {
        let old = template(V1, json!({}));
        let mut new = template(V2, json!({}));
        new["Description"] = json!("another description");
        new["Resources"]["Sg"]["Metadata"] = json!({"note": "metadata does not matter"});
        let Plan::Hotswap(changes) = plan(&old, &new) else {
            panic!("{:?}", plan(&old, &new));
        };
        assert_eq!(
            changes,
            [Change::TaskDefinition(TaskDefinitionChange {
                logical_id: "Task".into(),
                containers: vec![ContainerChange {
                    name: json!("app"),
                    index: 0,
                    properties: [("Image".to_owned(), Some(json!({"Fn::Sub": V2})))].into(),
                }],
                services: vec![ServiceRef {
                    logical_id: "Service".into(),
                    cluster: Some(json!({"Ref": "Cluster"})),
                }],
            })]
        );
        assert_eq!(plan(&old, &old.clone()), Plan::NoChange);
        // environment and command are hotswappable too, removals included
        let mut env = old.clone();
        env["Resources"]["Task"]["Properties"]["ContainerDefinitions"][0]["Environment"] =
            json!([{"Name": "A", "Value": "2"}]);
        env["Resources"]["Task"]["Properties"]["ContainerDefinitions"][1]["Command"] =
            json!(["run"]);
        let Plan::Hotswap(changes) = plan(&old, &env) else {
            panic!("not a hotswap");
        };
        let Change::TaskDefinition(td) = &changes[0];
        assert_eq!(td.containers.len(), 2);
        assert_eq!(td.containers[1].properties["Command"], Some(json!(["run"])));
        let Plan::Hotswap(changes) = plan(&env, &old) else {
            panic!("not a hotswap");
        };
        let Change::TaskDefinition(td) = &changes[0];
        assert_eq!(td.containers[1].properties["Command"], None);
    }

    fn reasons(old: &Value, new: &Value) -> Vec<String> {
        match plan(old, new) {
            Plan::Fallback(r) => r.iter().map(ToString::to_string).collect(),
            other => panic!("expected a fallback, got {other:?}"),
        }
    }

    #[test]
    fn anything_else_falls_back_naming_the_resource_and_property() {
        let old = template(V1, json!({}));
        let mut sg = template(V2, json!({}));
        sg["Resources"]["Sg"]["Properties"]["GroupDescription"] = json!("h");
        assert_eq!(
            reasons(&old, &sg),
            [
                "Sg (AWS::EC2::SecurityGroup): GroupDescription: changed, and AWS::EC2::SecurityGroup has no hotswap (only an ECS task definition's container images, environment and command do)"
            ]
        );
        let mut count = old.clone();
        count["Resources"]["Service"]["Properties"]["DesiredCount"] = json!(2);
        assert!(
            reasons(&old, &count)[0]
                .starts_with("Service (AWS::ECS::Service): DesiredCount: changed")
        );
        let mut memory = template(V2, json!({}));
        memory["Resources"]["Task"]["Properties"]["ContainerDefinitions"][0]["Memory"] =
            json!(1024);
        assert_eq!(
            reasons(&old, &memory),
            [
                "Task (AWS::ECS::TaskDefinition): ContainerDefinitions[0].Memory: changed (a hotswap changes only containers' Image, Environment and Command)"
            ]
        );
        let mut cpu = old.clone();
        cpu["Resources"]["Task"]["Properties"]["Cpu"] = json!("512");
        assert!(
            reasons(&old, &cpu)[0].starts_with("Task (AWS::ECS::TaskDefinition): Cpu: changed")
        );
        let mut fewer = old.clone();
        fewer["Resources"]["Task"]["Properties"]["ContainerDefinitions"]
            .as_array_mut()
            .unwrap()
            .pop();
        assert!(
            reasons(&old, &fewer)[0].contains("containers were added or removed (2 before, 1 now)")
        );
        let added = template(V1, json!({"Queue": {"Type": "AWS::SQS::Queue"}}));
        assert_eq!(
            reasons(&old, &added),
            ["Queue (AWS::SQS::Queue): (resource): added"]
        );
        assert_eq!(
            reasons(&added, &old),
            ["Queue (AWS::SQS::Queue): (resource): removed"]
        );
        let mut depends = old.clone();
        depends["Resources"]["Task"]["DependsOn"] = json!(["Sg"]);
        assert!(
            reasons(&old, &depends)[0].starts_with("Task (AWS::ECS::TaskDefinition): DependsOn:")
        );
        let mut outputs = template(V2, json!({}));
        outputs["Outputs"]["More"] = json!({"Value": "x"});
        assert_eq!(
            reasons(&old, &outputs),
            ["Outputs: this template section changed"]
        );
        let mut ty = old.clone();
        ty["Resources"]["Sg"]["Type"] = json!("AWS::EC2::Subnet");
        assert!(reasons(&old, &ty)[0].contains("the type changed from AWS::EC2::SecurityGroup"));
    }

    fn evaluator() -> Evaluator {
        Evaluator::for_stack(
            "arn:aws:cloudformation:eu-west-1:123456789012:stack/CwHot/abc-123",
            [("Cluster".to_owned(), "cw-cluster".to_owned())].into(),
        )
        .unwrap()
    }

    #[test]
    fn values_are_evaluated_against_the_deployed_stack() {
        let e = evaluator();
        assert_eq!(
            e.evaluate(&json!({"Fn::Sub": V2})).unwrap(),
            json!("123456789012.dkr.ecr.eu-west-1.amazonaws.com/repo:v2")
        );
        assert_eq!(
            e.evaluate(&json!({"Fn::Sub": ["${C}/${AWS::StackName}/${!Literal}", {"C": {"Ref": "Cluster"}}]}))
                .unwrap(),
            json!("cw-cluster/CwHot/${Literal}")
        );
        assert_eq!(
            e.evaluate(&json!([{"Name": "A", "Value": {"Fn::Join": ["-", ["a", {"Ref": "AWS::Partition"}, 1]]}}]))
                .unwrap(),
            json!([{"Name": "A", "Value": "a-aws-1"}])
        );
        assert!(
            e.evaluate(&json!({"Fn::GetAtt": ["Cluster", "Arn"]}))
                .unwrap_err()
                .contains("Fn::GetAtt")
        );
        assert!(
            e.evaluate(&json!({"Ref": "Env"}))
                .unwrap_err()
                .contains("`Env`")
        );
        assert!(
            e.evaluate(&json!({"Fn::Sub": "${Cluster.Arn}"}))
                .unwrap_err()
                .contains("attribute")
        );
        assert!(e.evaluate(&json!({"Fn::Sub": "${Cluster"})).is_err());
        let cn = Evaluator::for_stack(
            "arn:aws-cn:cloudformation:cn-north-1:1:stack/S/u",
            BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(cn.pseudo["AWS::URLSuffix"], "amazonaws.com.cn");
        assert!(Evaluator::for_stack("CwHot", BTreeMap::new()).is_err());
    }

    #[test]
    fn resolved_containers_edit_a_registration() {
        let old = template(V1, json!({}));
        let mut new = template(V2, json!({}));
        new["Resources"]["Task"]["Properties"]["ContainerDefinitions"][0]["Environment"] =
            json!([{"Name": "A", "Value": {"Ref": "Cluster"}}]);
        new["Resources"]["Task"]["Properties"]["ContainerDefinitions"][1]["Command"] =
            json!(["go"]);
        let Plan::Hotswap(changes) = plan(&old, &new) else {
            panic!("not a hotswap");
        };
        let Change::TaskDefinition(td) = &changes[0];
        let resolved = resolve_containers(td, &evaluator()).unwrap();
        let mut input = json!({"family": "f", "containerDefinitions": [
            {"name": "app", "image": "old", "memory": 512, "environment": [{"name": "A", "value": "1"}]},
            {"name": "sidecar", "image": "fluent:1", "command": ["old"]}]});
        edit_containers(&mut input, &resolved).unwrap();
        assert_eq!(
            input,
            json!({"family": "f", "containerDefinitions": [
                {"name": "app", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/repo:v2",
                 "memory": 512, "environment": [{"name": "A", "value": "cw-cluster"}]},
                {"name": "sidecar", "image": "fluent:1", "command": ["go"]}]})
        );
        let mut other = json!({"family": "f", "containerDefinitions": [{"name": "x"}]});
        assert!(
            edit_containers(&mut other, &resolved)
                .unwrap_err()
                .contains("no container `app`")
        );
    }
}
