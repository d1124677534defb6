//! `cloudwright deploy`: stacks in dependency order (independent ones concurrently), each
//! through a change set that is shown and confirmed before it runs (or directly with
//! `--method direct`), with events streamed until the stack settles.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_cloudformation::types::{
    Capability, ChangeSetStatus, ChangeSetType, ExecutionStatus, Parameter, Tag,
};
use serde_json::Value;
use tokio::sync::Mutex;
use tokio::task::JoinSet;

use crate::app::assembly::{CloudAssembly, Extend, Schedule};
use crate::aws::{Aws, is_unavailable, service_error};
use crate::cloudformation::diff::diff_templates;
use crate::cloudformation::events::{self, EventWatch, Outcome, Reporter, first_failure};
use crate::cloudformation::facts::SchemaRules;
use crate::cloudformation::stacks::{self, Backoff, Cfn, StackInfo, StackStatus};
use crate::error::{Error, Result};
use crate::interrupt::RunMark;
use crate::ui;

/// CloudFormation's limit for a template passed inline, in bytes.
pub const INLINE_TEMPLATE_LIMIT: usize = 51_200;

/// How a stack is deployed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// Create a change set, show it, confirm, execute it.
    #[default]
    ChangeSet,
    /// CreateStack / UpdateStack without a change set (the template diff is shown instead).
    Direct,
}

/// Options of `cloudwright deploy`.
#[derive(Clone, Debug)]
pub struct DeployOptions {
    /// The stacks to deploy (all when empty).
    pub stacks: Vec<String>,
    /// Deploy only the named stacks, not their dependencies.
    pub exclusively: bool,
    /// How many independent stacks deploy at once.
    pub concurrency: usize,
    /// Change set or direct.
    pub method: Method,
    /// Do not ask for confirmation.
    pub yes: bool,
    /// `Stack:Key=Value` or `Key=Value`.
    pub parameters: Vec<String>,
    /// `Key=Value` stack tags.
    pub tags: Vec<String>,
    /// Where to write the outputs as JSON.
    pub outputs_file: Option<PathBuf>,
    /// How long one stack may take.
    pub timeout: Duration,
    /// An S3 bucket for templates over the inline limit.
    pub bucket: Option<String>,
    /// How events are shown.
    pub display: events::Display,
    /// Let CloudFormation adopt resources that already exist outside any stack
    /// (`ImportExistingResources` on the change set; change sets only).
    pub import_existing: bool,
    /// The CloudFormation execution role (`--role-arn`): the role CloudFormation assumes to
    /// create, update and delete the stacks' resources, instead of the caller's permissions.
    pub role_arn: Option<String>,
}

/// CloudFormation capabilities a template needs: `CAPABILITY_IAM` for IAM resources,
/// `CAPABILITY_NAMED_IAM` when one has an explicit name, `CAPABILITY_AUTO_EXPAND` for macros.
pub fn required_capabilities(template: &Value) -> Vec<&'static str> {
    const NAMED: &[(&str, &str)] = &[
        ("AWS::IAM::Role", "RoleName"),
        ("AWS::IAM::User", "UserName"),
        ("AWS::IAM::Group", "GroupName"),
        ("AWS::IAM::ManagedPolicy", "ManagedPolicyName"),
        ("AWS::IAM::InstanceProfile", "InstanceProfileName"),
    ];
    let mut iam = false;
    let mut named = false;
    if let Some(resources) = template.get("Resources").and_then(Value::as_object) {
        for r in resources.values() {
            let t = r.get("Type").and_then(Value::as_str).unwrap_or("");
            if t.starts_with("AWS::IAM::") {
                iam = true;
                if let Some((_, prop)) = NAMED.iter().find(|(ty, _)| *ty == t)
                    && r.get("Properties").and_then(|p| p.get(*prop)).is_some()
                {
                    named = true;
                }
            }
        }
    }
    let mut caps = Vec::new();
    if named {
        caps.push("CAPABILITY_NAMED_IAM");
    } else if iam {
        caps.push("CAPABILITY_IAM");
    }
    if template.get("Transform").is_some() {
        caps.push("CAPABILITY_AUTO_EXPAND");
    }
    caps
}

/// Whether a status reason says there was nothing to change (an empty change set, or an
/// update with the same template).
pub fn is_no_change(reason: &str) -> bool {
    reason.contains("didn't contain changes")
        || reason.contains("No updates are to be performed")
        || reason.contains("does not contain any changes")
}

/// `--parameters`, parsed: for every stack, and per stack.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParameterArgs {
    /// `Key=Value`: for every stack that declares `Key`.
    pub global: BTreeMap<String, String>,
    /// `Stack:Key=Value`.
    pub per_stack: BTreeMap<String, BTreeMap<String, String>>,
}

/// Parses `--parameters` values.
pub fn parse_parameters(args: &[String]) -> Result<ParameterArgs> {
    let mut p = ParameterArgs::default();
    for a in args {
        let Some((left, value)) = a.split_once('=') else {
            return Err(Error::Usage(format!(
                "--parameters `{a}` must be Key=Value or Stack:Key=Value"
            )));
        };
        match left.split_once(':') {
            Some((stack, key)) if !stack.is_empty() && !key.is_empty() => {
                p.per_stack
                    .entry(stack.to_owned())
                    .or_default()
                    .insert(key.to_owned(), value.to_owned());
            }
            None if !left.is_empty() => {
                p.global.insert(left.to_owned(), value.to_owned());
            }
            _ => {
                return Err(Error::Usage(format!(
                    "--parameters `{a}` must be Key=Value or Stack:Key=Value"
                )));
            }
        }
    }
    Ok(p)
}

/// Parses `--tags Key=Value` values.
pub fn parse_tags(args: &[String]) -> Result<Vec<(String, String)>> {
    args.iter()
        .map(|a| match a.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
            _ => Err(Error::Usage(format!("--tags `{a}` must be Key=Value"))),
        })
        .collect()
}

/// A parameter value to pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParameterValue {
    /// This value.
    Value(String),
    /// Keep the deployed value.
    UsePrevious,
}

/// The parameters to pass to a stack: given values for parameters the template declares
/// (per-stack values win over global ones), and, on update, the previous value for declared
/// parameters that are not given and were set before. Per-stack values for undeclared
/// parameters are an error.
pub fn plan_parameters(
    stack: &str,
    template: &Value,
    args: &ParameterArgs,
    stack_keys: &[&str],
    previous: Option<&[String]>,
) -> Result<Vec<(String, ParameterValue)>> {
    let mut declared: Vec<&str> = template
        .get("Parameters")
        .and_then(Value::as_object)
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    declared.sort_unstable();
    let mut given: BTreeMap<String, String> = args
        .global
        .iter()
        .filter(|(k, _)| declared.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for key in stack_keys {
        if let Some(per) = args.per_stack.get(*key) {
            for (k, v) in per {
                if !declared.contains(&k.as_str()) {
                    return Err(Error::Usage(format!(
                        "--parameters {key}:{k}=...: stack `{stack}` has no parameter `{k}` (it declares: {})",
                        if declared.is_empty() {
                            "none".to_owned()
                        } else {
                            declared.join(", ")
                        }
                    )));
                }
                given.insert(k.clone(), v.clone());
            }
        }
    }
    let mut out: Vec<(String, ParameterValue)> = Vec::new();
    for d in declared {
        if let Some(v) = given.remove(d) {
            out.push((d.to_owned(), ParameterValue::Value(v)));
        } else if previous.is_some_and(|p| p.iter().any(|x| x == d)) {
            out.push((d.to_owned(), ParameterValue::UsePrevious));
        }
    }
    Ok(out)
}

/// The resources an error message most likely is about, as `Id (Type)`: a resource whose
/// logical id the message names scores highest, then one whose properties hold a value the
/// message quotes, then one whose type the message names. Endpoints that reject a stack
/// operation outright (rather than failing a resource in the events) often say only what was
/// wrong, not where.
pub fn suspect_resources(template: &Value, message: &str) -> Vec<String> {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return Vec::new();
    };
    let words: Vec<&str> = message
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut quoted: Vec<&str> = Vec::new();
    for q in ['\'', '"'] {
        quoted.extend(
            message
                .split(q)
                .skip(1)
                .step_by(2)
                .filter(|t| !t.is_empty()),
        );
    }
    fn holds(v: &Value, token: &str) -> bool {
        match v {
            Value::String(s) => s == token,
            Value::Number(n) => n.to_string() == token,
            Value::Array(a) => a.iter().any(|x| holds(x, token)),
            Value::Object(m) => m.values().any(|x| holds(x, token)),
            _ => false,
        }
    }
    let mut scored: Vec<(u32, String)> = resources
        .iter()
        .map(|(id, r)| {
            let t = r.get("Type").and_then(Value::as_str).unwrap_or("");
            let short = t.rsplit("::").next().unwrap_or("");
            let mut score = 0;
            if words.contains(&id.as_str()) {
                score += 4;
            }
            if let Some(props) = r.get("Properties")
                && quoted.iter().any(|q| holds(props, q))
            {
                score += 2;
            }
            if !short.is_empty() && words.contains(&short) {
                score += 1;
            }
            (score, format!("{id} ({t})"))
        })
        .filter(|(score, _)| *score > 0)
        .collect();
    let best = scored.iter().map(|(s, _)| *s).max().unwrap_or(0);
    scored.retain(|(s, _)| *s == best);
    scored.into_iter().map(|(_, r)| r).collect()
}

/// Whether a rejection says another operation holds the stack (a concurrent create, an
/// operation in progress).
pub fn is_conflict(code: &str, message: &str) -> bool {
    matches!(
        code,
        "AlreadyExistsException"
            | "OperationInProgressException"
            | "ConcurrentModificationException"
    ) || message.contains("state and can not be updated")
        || message.contains("state and cannot be updated")
        || message.contains("_IN_PROGRESS state")
}

/// Whether a rejection is about the template or its parameters: the only failures whose
/// advice is to fix the template.
pub fn is_template_fault(code: &str) -> bool {
    matches!(
        code,
        "ValidationError"
            | "InsufficientCapabilitiesException"
            | "InvalidParameterValue"
            | "InvalidParameterCombination"
            | "MissingParameter"
    )
}

/// A service failure in the checks that run before any stack is touched (accounts, the
/// export lock): classified as [`unavailable`] is, saying that nothing was changed.
fn before_any_change(stacks: &[&str], err: Error) -> Error {
    Error::unavailable(&stacks.join("`, `"), err, "Nothing was changed.")
}

/// An operation the endpoint rejected outright, classified: another operation on the stack
/// (a [`Error::Conflict`]), the template or its parameters (a failure naming the likely
/// resource, "fix the template"), or anything else AWS refused (its reason, no advice about
/// the template); with the state the stack was left in.
async fn rejected(cfn: &Cfn, job: &Job, template: &Value, err: Error) -> Error {
    let (code, mut failure, message) = match &err {
        Error::Aws {
            operation,
            code,
            message,
        } => (
            Some(code.clone()),
            format!("{operation} was rejected: {code}: {message}"),
            message.clone(),
        ),
        Error::UnreadableResponse {
            operation,
            status,
            body,
        } => (
            None,
            format!(
                "{operation} was rejected with a response the SDK could not decode (HTTP {status}; moto sends some errors as JSON where XML belongs), raw body: {body}"
            ),
            body.clone(),
        ),
        _ => return err,
    };
    if code.as_deref().is_some_and(|c| is_conflict(c, &message)) {
        return Error::Conflict {
            stack: job.name.clone(),
            other: failure,
        };
    }
    // the stack (or its change set) this run saw is gone: deleted meanwhile
    if code.as_deref() == Some("ValidationError") && message.contains("does not exist") {
        return Error::Conflict {
            stack: job.name.clone(),
            other: format!(
                "the stack was deleted while this run deployed it (a destroy at the same time?); {failure}"
            ),
        };
    }
    // an undecodable 4xx is moto's JSON for a resource's error: the template's
    let template_fault = code.as_deref().is_none_or(is_template_fault);
    let suspects = suspect_resources(template, &message);
    if template_fault && !suspects.is_empty() {
        failure.push_str(&format!(" (likely {})", suspects.join(" or ")));
    }
    let state = stacks::describe(cfn, &job.name)
        .await
        .ok()
        .flatten()
        .map(|i| i.state());
    let fix = if template_fault {
        "fix the template and deploy again"
    } else {
        "deploy again once what AWS reported is resolved"
    };
    let outcome = match &state {
        Some(s) if s.busy() => format!(
            "The endpoint left the stack in {s}, which it may never leave (moto does this): delete it (`aws cloudformation delete-stack --stack-name {}`, or restart a local endpoint), {fix}.",
            job.name
        ),
        Some(s) => format!("The stack is {s}; {fix}."),
        None => format!("Nothing was created; {fix}."),
    };
    Error::StackFailed {
        stack: job.name.clone(),
        status: state.map_or_else(|| "not created".into(), |s| s.to_string()),
        failure,
        outcome,
    }
}

/// `None` for an empty list: CloudFormation reads an empty list as "remove them all" (tags),
/// while an absent one leaves things as they are.
fn non_empty<T: Clone>(items: &[T]) -> Option<Vec<T>> {
    (!items.is_empty()).then(|| items.to_vec())
}

/// The change set's name for this deploy.
fn change_set_name() -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    format!("cloudwright-{ms}")
}

/// One stack to deploy.
#[derive(Clone, Debug)]
struct Job {
    /// The access to the stack's account, verified ([`crate::aws::accounts`]).
    aws: Aws,
    /// Parameters filled from other stacks' outputs at deploy ([`crate::cloudformation::weak`]).
    weak: Vec<crate::cloudformation::weak::WeakInput>,
    id: String,
    name: String,
    region: Option<String>,
    template: String,
    hash: String,
    resource_count: usize,
}

/// What a deployed stack ended with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deployed {
    /// The stack name.
    pub name: String,
    /// Whether anything changed.
    pub changed: bool,
    /// Its outputs.
    pub outputs: BTreeMap<String, String>,
}

struct Shared {
    opts: DeployOptions,
    params: ParameterArgs,
    tags: Vec<(String, String)>,
    reporter: Reporter,
    prompt: Mutex<()>,
}

/// Deploys the selected stacks of an assembly. Returns the deployed stacks by name.
pub async fn deploy(
    accounts: &crate::aws::accounts::Accounts,
    assembly: &CloudAssembly,
    opts: DeployOptions,
) -> Result<BTreeMap<String, Deployed>> {
    let aws = accounts.base();
    let params = parse_parameters(&opts.parameters)?;
    let tags = parse_tags(&opts.tags)?;
    let selected = assembly.select(
        &opts.stacks,
        if opts.exclusively {
            Extend::None
        } else {
            Extend::Upstream
        },
    )?;
    // every stack's account is checked before any stack is touched (resolved once per
    // command: the caller may have resolved them already, to publish assets)
    let names: Vec<&str> = selected.iter().map(|s| s.stack_name.as_str()).collect();
    let mut access = crate::aws::accounts::resolve(accounts, &selected)
        .await
        .map_err(|e| before_any_change(&names, e))?;
    // lookup values and imports from the stacks' own accounts and regions only
    crate::cloudformation::environment::check(accounts, assembly, &selected)
        .await
        .map_err(|e| before_any_change(&names, e))?;
    let mut jobs: HashMap<String, Job> = HashMap::new();
    for s in &selected {
        let mut weak = Vec::new();
        for w in &s.weak_references {
            let Some(producer) = assembly.stack(&w.stack) else {
                return Err(Error::Assembly {
                    dir: assembly.dir.clone(),
                    message: format!(
                        "stack `{}` has a weak reference to stack `{}`, which is not in the assembly",
                        s.id, w.stack
                    ),
                });
            };
            weak.push(crate::cloudformation::weak::WeakInput {
                parameter: w.parameter.clone(),
                producer_id: producer.id.clone(),
                producer: producer.stack_name.clone(),
                region: producer.region.clone(),
                output: w.output.clone(),
                aws: accounts
                    .access(
                        producer.account.as_deref(),
                        producer.region.as_deref(),
                        &format!("stack `{}`", producer.id),
                    )
                    .await?,
            });
        }
        jobs.insert(
            s.id.clone(),
            Job {
                weak,
                aws: access.remove(&s.id).unwrap_or_else(|| aws.clone()),
                id: s.id.clone(),
                name: s.stack_name.clone(),
                region: s.region.clone(),
                template: assembly.template(s)?,
                hash: s.hash.clone(),
                resource_count: s.resource_count,
            },
        );
    }
    // exports other stacks import must survive the update: checked before anything changes
    let planned: Vec<crate::cloudformation::export_lock::Planned<'_>> = selected
        .iter()
        .filter_map(|s| jobs.get(&s.id))
        .map(|j| crate::cloudformation::export_lock::Planned {
            id: &j.id,
            name: &j.name,
            region: j.region.as_deref(),
            template: &j.template,
            aws: &j.aws,
        })
        .collect();
    crate::cloudformation::export_lock::check(&planned)
        .await
        .map_err(|e| before_any_change(&names, e))?;
    let concurrency = opts.concurrency.max(1);
    let shared = Arc::new(Shared {
        reporter: Reporter::new(opts.display),
        opts,
        params,
        tags,
        prompt: Mutex::new(()),
    });
    let mut schedule = Schedule::new(&selected);
    let mut running: JoinSet<(String, Result<Deployed>)> = JoinSet::new();
    let mut results = BTreeMap::new();
    let mut errors = Vec::new();
    loop {
        if errors.is_empty() {
            while running.len() < concurrency {
                let Some(id) = schedule.next_ready() else {
                    break;
                };
                let Some(job) = jobs.remove(&id) else {
                    continue;
                };
                let shared = shared.clone();
                running.spawn(async move {
                    let id = job.id.clone();
                    (id, deploy_stack(&shared, job).await)
                });
            }
        }
        match running.join_next().await {
            None => break,
            Some(Ok((id, Ok(deployed)))) => {
                schedule.finish(&id);
                results.insert(deployed.name.clone(), deployed);
            }
            Some(Ok((_, Err(e)))) => errors.push(e),
            Some(Err(e)) => errors.push(Error::Internal(format!("a deploy task failed: {e}"))),
        }
    }
    let skipped = schedule.remaining();
    if !skipped.is_empty() && !errors.is_empty() {
        shared.reporter.println(&format!(
            "not deployed because of the failure: {}",
            skipped.join(", ")
        ));
    }
    if let Some(path) = &shared.opts.outputs_file {
        let mut existing: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (name, d) in &results {
            existing.insert(name.clone(), d.outputs.clone());
        }
        let mut text = serde_json::to_string_pretty(&existing).map_err(|e| Error::InvalidFile {
            path: path.clone(),
            message: e.to_string(),
        })?;
        text.push('\n');
        crate::app::context_file::write_atomically(path, text.as_bytes())?;
    }
    match errors.len() {
        0 => Ok(results),
        1 => Err(errors.remove(0)),
        _ => Err(Error::Several(errors)),
    }
}

async fn upload_template(shared: &Shared, job: &Job, cfn: &Cfn) -> Result<Option<String>> {
    if job.template.len() <= INLINE_TEMPLATE_LIMIT {
        return Ok(None);
    }
    let Some(bucket) = &shared.opts.bucket else {
        return Err(Error::TemplateTooLarge {
            stack: job.name.clone(),
            bytes: job.template.len(),
        });
    };
    let s3 = job
        .aws
        .s3(Some(&cfn.region), &format!("stack {}", job.name))?;
    // the manifest's `blake3:<hex>`, named by its hex digits
    let digest = job
        .hash
        .split_once(':')
        .map_or(job.hash.as_str(), |(_, hex)| hex);
    let key = format!("cloudwright/{}/{digest}.template.json", job.name);
    s3.client
        .put_object()
        .bucket(bucket)
        .key(&key)
        .content_type("application/json")
        .body(job.template.clone().into_bytes().into())
        .send()
        .await
        .map_err(|e| s3.error("PutObject", e))?;
    shared.reporter.println(&format!(
        "{}: uploaded the template to s3://{bucket}/{key}",
        job.name
    ));
    Ok(Some(format!(
        "https://{bucket}.s3.{}.amazonaws.com/{key}",
        cfn.region
    )))
}

/// Deletes a stack and waits until it is gone (used to clear a failed create).
async fn delete_and_wait(
    shared: &Shared,
    cfn: &Cfn,
    info: &StackInfo,
    deadline: Instant,
) -> Result<()> {
    let watermark = stacks::newest_event(cfn, &info.id).await?;
    cfn.client
        .delete_stack()
        .stack_name(&info.id)
        .send()
        .await
        .map_err(|e| cfn.error("DeleteStack", e))?;
    let mut watch = EventWatch::since(watermark);
    let mut rep = shared.reporter.stack(&info.name, "deleting", 0);
    let end = stacks::wait_settled(
        cfn,
        &info.id,
        &info.name,
        &mut watch,
        &mut rep,
        deadline,
        shared.opts.timeout,
    )
    .await?;
    match end {
        Some(s) if s.state() != StackStatus::DeleteComplete => {
            rep.finish(&s.status);
            Err(Error::StackFailed {
                failure: first_failure(rep.seen())
                    .map(|f| f.to_string())
                    .or(s.reason.clone())
                    .unwrap_or_else(|| "no reason given".into()),
                outcome: Outcome::from_status(&s.state(), rep.seen()).describe(&info.name),
                stack: info.name.clone(),
                status: s.status,
            })
        }
        _ => {
            rep.finish("deleted");
            Ok(())
        }
    }
}

/// Waits for a stack that is in progress to settle.
async fn settle(
    shared: &Shared,
    cfn: &Cfn,
    info: StackInfo,
    deadline: Instant,
) -> Result<StackInfo> {
    if !info.state().busy() {
        return Ok(info);
    }
    shared.reporter.println(&format!(
        "{}: the stack is {}; waiting for that to finish before deploying",
        info.name, info.status
    ));
    let watermark = stacks::newest_event(cfn, &info.id).await?;
    let mut watch = EventWatch::since(watermark);
    let mut rep = shared.reporter.stack(&info.name, "waiting", 0);
    let end = stacks::wait_settled(
        cfn,
        &info.id,
        &info.name,
        &mut watch,
        &mut rep,
        deadline,
        shared.opts.timeout,
    )
    .await?;
    rep.finish("settled");
    Ok(end.unwrap_or(StackInfo {
        status: StackStatus::DeleteComplete.as_str().into(),
        ..info
    }))
}

fn outputs_of(info: &StackInfo) -> BTreeMap<String, String> {
    info.outputs
        .iter()
        .map(|(k, v, _)| (k.clone(), v.clone()))
        .collect()
}

fn print_outputs(shared: &Shared, info: &StackInfo) {
    if info.outputs.is_empty() {
        return;
    }
    let mut text = format!("{} outputs:", info.name);
    for (k, v, export) in &info.outputs {
        text.push_str(&format!("\n  {}.{k} = {v}", info.name));
        if let Some(e) = export {
            text.push_str(&format!("  (exported as {e})"));
        }
    }
    shared.reporter.println(&text);
}

/// What one stack's deploy sends to CloudFormation: the template (inline or uploaded), the
/// parameters, tags and capabilities, and the stack as it is.
struct StackRequest<'a> {
    job: &'a Job,
    template: &'a Value,
    template_url: Option<String>,
    planned: Vec<(String, ParameterValue)>,
    parameters: Vec<Parameter>,
    tags: Vec<Tag>,
    capabilities: Vec<Capability>,
    existing: Option<StackInfo>,
    is_update: bool,
    deadline: Instant,
}

impl StackRequest<'_> {
    fn template_body(&self) -> Option<String> {
        self.template_url
            .is_none()
            .then(|| self.job.template.clone())
    }
}

/// An operation started on a stack, to follow until it settles.
struct Started {
    stack_id: String,
    watermark: Option<String>,
    total: usize,
    is_update: bool,
}

async fn deploy_stack(shared: &Shared, job: Job) -> Result<Deployed> {
    let started = Instant::now();
    let deadline = started + shared.opts.timeout;
    let cfn = job
        .aws
        .cloudformation(job.region.as_deref(), &format!("stack {}", job.name))?;
    let template: Value = serde_json::from_str(&job.template).map_err(|e| Error::Assembly {
        dir: PathBuf::from("."),
        message: format!("the template of stack `{}` is not JSON: {e}", job.id),
    })?;
    let nothing = "Nothing was changed.";
    let existing = current_stack(shared, &cfn, &job, deadline)
        .await
        .map_err(|e| Error::unavailable(&job.name, e, nothing))?;
    let request = prepare(shared, &cfn, &job, &template, existing, deadline)
        .await
        .map_err(|e| Error::unavailable(&job.name, e, nothing))?;
    let operation = match shared.opts.method {
        Method::ChangeSet => change_set(shared, &cfn, &request).await?,
        Method::Direct => direct(shared, &cfn, &request).await?,
    };
    match operation {
        Some(op) => follow(shared, &cfn, &job, op, started, deadline).await,
        None => no_changes(shared, &cfn, &job)
            .await
            .map_err(|e| Error::unavailable(&job.name, e, nothing)),
    }
}

/// The stack as it is, ready for a deploy: change sets left by interrupted runs cleaned up
/// (another live run's refused as a conflict), an operation in progress waited for, a failed
/// create deleted. `None` when there is no stack to update.
async fn current_stack(
    shared: &Shared,
    cfn: &Cfn,
    job: &Job,
    deadline: Instant,
) -> Result<Option<StackInfo>> {
    let Some(info) = stacks::describe(cfn, &job.name).await? else {
        return Ok(None);
    };
    let info = clear_left_change_sets(shared, cfn, job, info, deadline).await?;
    let Some(info) = info else {
        return Ok(None);
    };
    let info = settle(shared, cfn, info, deadline).await?;
    match info.state() {
        StackStatus::RollbackComplete => {
            shared.reporter.println(&format!(
                "{}: the stack is in ROLLBACK_COMPLETE after a failed create; deleting it to create it again",
                job.name
            ));
            delete_and_wait(shared, cfn, &info, deadline).await?;
            Ok(None)
        }
        StackStatus::ReviewInProgress if shared.opts.method == Method::Direct => {
            shared.reporter.println(&format!(
                "{}: the stack only holds a change set that was never executed; deleting it to create the stack directly",
                job.name
            ));
            delete_and_wait(shared, cfn, &info, deadline).await?;
            Ok(None)
        }
        StackStatus::DeleteComplete => Ok(None),
        StackStatus::UpdateRollbackFailed => Err(Error::StackState {
            stack: job.name.clone(),
            status: info.status.clone(),
            verb: "deployed",
            advice: format!(
                "Continue the rollback first (`aws cloudformation continue-update-rollback --stack-name {}`), then deploy again.",
                job.name
            ),
        }),
        s if s.stuck() => Err(Error::StackState {
            stack: job.name.clone(),
            status: s.as_str().to_owned(),
            verb: "deployed",
            advice: format!(
                "Delete it (`cloudwright destroy {}`, retaining what cannot be deleted) and deploy again.",
                job.id
            ),
        }),
        _ => Ok(Some(info)),
    }
}

/// A change set of the stack, as the run guard reads it.
struct ChangeSetSeen {
    id: String,
    stack_id: String,
    mark: Option<RunMark>,
    executed: bool,
    created: (i64, u32),
}

/// The stack's change sets (every page; only those of this stack name, whatever the endpoint
/// returns). Credentials not allowed `cloudformation:ListChangeSets` see none: the run guard
/// is then skipped rather than the deploy refused.
async fn change_sets_of(cfn: &Cfn, stack: &str) -> Result<Vec<ChangeSetSeen>> {
    match listed_change_sets(cfn, stack).await {
        Err(Error::AccessDenied { .. }) => Ok(Vec::new()),
        other => other,
    }
}

async fn listed_change_sets(cfn: &Cfn, stack: &str) -> Result<Vec<ChangeSetSeen>> {
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = cfn
            .client
            .list_change_sets()
            .stack_name(stack)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| cfn.error("ListChangeSets", e))?;
        for s in out.summaries() {
            if s.stack_name().is_some_and(|n| n != stack) {
                continue;
            }
            all.push(ChangeSetSeen {
                id: s.change_set_id().unwrap_or_default().to_owned(),
                stack_id: s.stack_id().unwrap_or_default().to_owned(),
                mark: s.description().and_then(RunMark::parse),
                executed: !matches!(
                    s.execution_status(),
                    Some(ExecutionStatus::Available | ExecutionStatus::Unavailable) | None
                ),
                created: s
                    .creation_time()
                    .map_or((0, 0), |t| (t.secs(), t.subsec_nanos())),
            });
        }
        token = out.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(all);
        }
    }
}

/// Whether a change set belongs to a run that may still be deploying: a live process on this
/// host, or an unexecuted change set of a run on another host (which nothing here can check).
fn live_run(c: &ChangeSetSeen, me: &RunMark) -> bool {
    match &c.mark {
        Some(m) if m == me => false,
        Some(m) => m.running().unwrap_or(!c.executed),
        None => false,
    }
}

/// The run guard before a deploy: a change set another live cloudwright run created on this
/// stack is a [`Error::Conflict`]; an unexecuted one whose run is gone (killed) is deleted, and
/// so is the empty `REVIEW_IN_PROGRESS` stack it left. Returns the stack as it is then.
async fn clear_left_change_sets(
    shared: &Shared,
    cfn: &Cfn,
    job: &Job,
    info: StackInfo,
    deadline: Instant,
) -> Result<Option<StackInfo>> {
    let me = RunMark::this();
    let sets = change_sets_of(cfn, &job.name).await?;
    if let Some(other) = sets.iter().find(|c| live_run(c, &me)) {
        return Err(Error::Conflict {
            stack: job.name.clone(),
            other: describe_run(other),
        });
    }
    let stale: Vec<&ChangeSetSeen> = sets
        .iter()
        .filter(|c| !c.executed && c.mark.as_ref().is_some_and(|m| m.running() == Some(false)))
        .collect();
    for c in &stale {
        let line =
            crate::interrupt::delete_change_set(cfn, &job.name, &c.stack_id, &c.id, false).await;
        shared.reporter.println(&format!(
            "{}: {} (left by an interrupted run, {})",
            job.name,
            line.trim(),
            c.mark
                .as_ref()
                .map_or_else(String::new, |m| format!("process {} on {}", m.pid, m.host))
        ));
    }
    if !stale.is_empty() && info.state() == StackStatus::ReviewInProgress {
        shared.reporter.println(&format!(
            "{}: deleting the empty stack in REVIEW_IN_PROGRESS that the interrupted run left",
            job.name
        ));
        delete_and_wait(shared, cfn, &info, deadline).await?;
        return Ok(None);
    }
    Ok(Some(info))
}

fn describe_run(c: &ChangeSetSeen) -> String {
    match &c.mark {
        Some(m) => format!(
            "cloudwright run {} on {} (change set {}{})",
            m.pid,
            m.host,
            c.id,
            if c.executed { ", executed" } else { "" }
        ),
        None => format!("change set {}", c.id),
    }
}

/// The run guard after this run's change set exists: another live run's change set created
/// earlier (or the stack created by another run at the same time) wins, and this run yields.
async fn earlier_run(
    cfn: &Cfn,
    job: &Job,
    change_set_id: &str,
    stack_id: &str,
    create: bool,
) -> Result<Option<String>> {
    let me = RunMark::this();
    let sets = change_sets_of(cfn, &job.name).await?;
    let ours = sets
        .iter()
        .find(|c| c.id == change_set_id)
        .map_or((i64::MAX, u32::MAX), |c| c.created);
    let first = sets
        .iter()
        .filter(|c| c.id != change_set_id && live_run(c, &me))
        .filter(|c| (c.created, c.id.as_str()) < (ours, change_set_id))
        .min_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    if let Some(c) = first {
        return Ok(Some(describe_run(c)));
    }
    if create
        && let Some(info) = stacks::describe(cfn, &job.name).await?
        && info.id != stack_id
    {
        return Ok(Some(format!(
            "another deploy created the stack ({}) at the same time",
            info.id
        )));
    }
    Ok(None)
}

/// Uploads the template if it is too large to pass inline, plans the parameters, and builds
/// what the calls send.
async fn prepare<'a>(
    shared: &Shared,
    cfn: &Cfn,
    job: &'a Job,
    template: &'a Value,
    existing: Option<StackInfo>,
    deadline: Instant,
) -> Result<StackRequest<'a>> {
    let is_update = existing
        .as_ref()
        .is_some_and(|i| i.state() != StackStatus::ReviewInProgress);
    let template_url = upload_template(shared, job, cfn).await?;
    let stack_keys = [job.id.as_str(), job.name.as_str()];
    // weak references: the producers' outputs as they are now, as this stack's parameters
    let mut params = shared.params.clone();
    for (k, v) in crate::cloudformation::weak::resolve(&job.name, &job.weak).await? {
        params
            .per_stack
            .entry(job.id.clone())
            .or_default()
            .insert(k, v);
    }
    let planned = plan_parameters(
        &job.name,
        template,
        &params,
        &stack_keys,
        existing
            .as_ref()
            .filter(|_| is_update)
            .map(|i| i.parameters.as_slice()),
    )?;
    let parameters = planned
        .iter()
        .map(|(k, v)| match v {
            ParameterValue::Value(v) => Parameter::builder()
                .parameter_key(k)
                .parameter_value(v)
                .build(),
            ParameterValue::UsePrevious => Parameter::builder()
                .parameter_key(k)
                .use_previous_value(true)
                .build(),
        })
        .collect();
    let tags = shared
        .tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect();
    let capabilities = required_capabilities(template)
        .iter()
        .map(|c| Capability::from(*c))
        .collect();
    Ok(StackRequest {
        job,
        template,
        template_url,
        planned,
        parameters,
        tags,
        capabilities,
        existing,
        is_update,
        deadline,
    })
}

/// `--method direct`: the template diff shown and confirmed, then CreateStack or UpdateStack.
/// A call whose answer is lost is settled by reading the stack back.
async fn direct(shared: &Shared, cfn: &Cfn, req: &StackRequest<'_>) -> Result<Option<Started>> {
    let job = req.job;
    let nothing = "Nothing was changed.";
    let deployed_template = match (&req.existing, req.is_update) {
        (Some(info), true) => stacks::deployed_template(cfn, &info.id)
            .await
            .map_err(|e| Error::unavailable(&job.name, e, nothing))?,
        _ => None,
    };
    let deployed_json: Option<Value> = deployed_template
        .as_deref()
        .and_then(|t| crate::cloudformation::diff::deployed_json(t).ok());
    let diff = diff_templates(deployed_json.as_ref(), req.template, &SchemaRules);
    let explicit_params = req
        .planned
        .iter()
        .any(|(_, v)| matches!(v, ParameterValue::Value(_)));
    // no --tags leaves the stack's tags as they are
    let same_tags = shared.tags.is_empty()
        || req.existing.as_ref().is_some_and(|i| {
            let mut a = i.tags.clone();
            let mut b = shared.tags.clone();
            a.sort();
            b.sort();
            a == b
        });
    if req.is_update && diff.is_empty() && !explicit_params && same_tags {
        return Ok(None);
    }
    ui::confirm(
        &shared.reporter,
        &shared.prompt,
        shared.opts.yes,
        &diff.render(&job.name),
        &format!("Deploy these changes to {}?", job.name),
        &format!("deploying {}", job.name),
    )
    .await?;
    crate::interrupt::stack_started(cfn, &job.name);
    if req.is_update {
        direct_update(shared, cfn, req).await
    } else {
        direct_create(shared, cfn, req).await
    }
}

/// `UpdateStack`; a lost answer is settled by the stack's events (new ones: it took effect).
async fn direct_update(
    shared: &Shared,
    cfn: &Cfn,
    req: &StackRequest<'_>,
) -> Result<Option<Started>> {
    let job = req.job;
    let nothing = "Nothing was changed.";
    let id = req
        .existing
        .as_ref()
        .map(|i| i.id.clone())
        .unwrap_or_default();
    let watermark = stacks::newest_event(cfn, &id)
        .await
        .map_err(|e| Error::unavailable(&job.name, e, nothing))?;
    let result = cfn
        .client
        .update_stack()
        .stack_name(&id)
        .set_role_arn(shared.opts.role_arn.clone())
        .set_template_body(req.template_body())
        .set_template_url(req.template_url.clone())
        .set_parameters(non_empty(&req.parameters))
        .set_tags(non_empty(&req.tags))
        .set_capabilities(non_empty(&req.capabilities))
        .send()
        .await;
    let started = Started {
        stack_id: id.clone(),
        watermark: watermark.clone(),
        total: job.resource_count,
        is_update: true,
    };
    match result {
        Ok(_) => Ok(Some(started)),
        Err(e)
            if service_error(&e)
                .is_some_and(|(c, m)| c == "ValidationError" && is_no_change(m)) =>
        {
            Ok(None)
        }
        Err(e) => {
            let err = cfn.error("UpdateStack", e);
            if !is_unavailable(&err) {
                return Err(rejected(cfn, job, req.template, err).await);
            }
            // the request may have reached AWS: new events say it did
            match stacks::newest_event(cfn, &id).await {
                Ok(now) if now != watermark => {
                    lost_answer(shared, job, "UpdateStack", &err);
                    Ok(Some(started))
                }
                Ok(_) => Err(Error::unavailable(&job.name, err, nothing)),
                Err(read) => Err(Error::unknown_outcome(
                    &job.name,
                    "UpdateStack",
                    &err,
                    &read,
                )),
            }
        }
    }
}

/// `CreateStack`; a lost answer is settled by whether the stack exists.
async fn direct_create(
    shared: &Shared,
    cfn: &Cfn,
    req: &StackRequest<'_>,
) -> Result<Option<Started>> {
    let job = req.job;
    let nothing = "Nothing was changed.";
    let out = cfn
        .client
        .create_stack()
        .stack_name(&job.name)
        .set_role_arn(shared.opts.role_arn.clone())
        .set_template_body(req.template_body())
        .set_template_url(req.template_url.clone())
        .set_parameters(non_empty(&req.parameters))
        .set_tags(non_empty(&req.tags))
        .set_capabilities(non_empty(&req.capabilities))
        .send()
        .await;
    match out {
        Ok(o) => Ok(Some(Started {
            stack_id: o.stack_id().unwrap_or(&job.name).to_owned(),
            watermark: None,
            total: job.resource_count,
            is_update: false,
        })),
        Err(e) => {
            let err = cfn.error("CreateStack", e);
            if !is_unavailable(&err) {
                return Err(rejected(cfn, job, req.template, err).await);
            }
            match stacks::describe(cfn, &job.name).await {
                Ok(Some(info)) if info.state() != StackStatus::ReviewInProgress => {
                    lost_answer(shared, job, "CreateStack", &err);
                    Ok(Some(Started {
                        stack_id: info.id,
                        watermark: None,
                        total: job.resource_count,
                        is_update: false,
                    }))
                }
                Ok(_) => Err(Error::unavailable(&job.name, err, nothing)),
                Err(read) => Err(Error::unknown_outcome(
                    &job.name,
                    "CreateStack",
                    &err,
                    &read,
                )),
            }
        }
    }
}

/// Says that a call's answer was lost but reading the stack back shows it took effect.
fn lost_answer(shared: &Shared, job: &Job, operation: &str, err: &Error) {
    shared.reporter.println(&format!(
        "{}: the answer to {operation} was lost ({err}), but the stack shows it took effect; following it",
        job.name
    ));
}

/// Follows a started operation until the stack settles (time spent at a prompt does not
/// count) and reports how it ended.
async fn follow(
    shared: &Shared,
    cfn: &Cfn,
    job: &Job,
    op: Started,
    started: Instant,
    deadline: Instant,
) -> Result<Deployed> {
    let mut watch = EventWatch::since(op.watermark);
    let verb = if op.is_update { "updating" } else { "creating" };
    let mut rep = shared.reporter.stack(&job.name, verb, op.total);
    let end = stacks::wait_settled(
        cfn,
        &op.stack_id,
        &job.name,
        &mut watch,
        &mut rep,
        deadline,
        shared.opts.timeout,
    )
    .await;
    let end = match end {
        Ok(e) => e,
        Err(e) => {
            rep.finish("stopped waiting");
            return Err(Error::unavailable(
                &job.name,
                e,
                "The stack's operation had started and CloudFormation goes on with it; deploy again to wait for it and see how it ends.",
            ));
        }
    };
    crate::interrupt::stack_done(&job.name);
    let Some(info) = end else {
        rep.finish("gone");
        return Err(Error::StackFailed {
            stack: job.name.clone(),
            status: StackStatus::DeleteComplete.as_str().into(),
            failure: "the stack disappeared while it was being deployed".into(),
            outcome:
                "Something else deleted it (a destroy running at the same time?); deploy again."
                    .into(),
        });
    };
    if info.state().succeeded() {
        rep.finish(&info.status);
        shared.reporter.println(&format!(
            "{}: {} in {:.1} s",
            job.name,
            info.status,
            started.elapsed().as_secs_f64()
        ));
        print_outputs(shared, &info);
        return Ok(Deployed {
            name: job.name.clone(),
            changed: true,
            outputs: outputs_of(&info),
        });
    }
    rep.finish(&info.status);
    let failure = first_failure(rep.seen())
        .map(|f| f.to_string())
        .or(info.reason.clone().filter(|r| !r.is_empty()))
        .unwrap_or_else(|| "CloudFormation gave no reason".into());
    Err(Error::StackFailed {
        stack: job.name.clone(),
        outcome: Outcome::from_status(&info.state(), rep.seen()).describe(&job.name),
        status: info.status,
        failure,
    })
}

async fn no_changes(shared: &Shared, cfn: &Cfn, job: &Job) -> Result<Deployed> {
    let info = stacks::describe(cfn, &job.name).await?.unwrap_or_default();
    shared
        .reporter
        .println(&format!("{}: no changes", job.name));
    print_outputs(shared, &info);
    Ok(Deployed {
        name: job.name.clone(),
        changed: false,
        outputs: outputs_of(&info),
    })
}

/// A change set as it settled: its status, reason and changes.
struct SettledChangeSet {
    status: Option<ChangeSetStatus>,
    reason: String,
    changes: Vec<aws_sdk_cloudformation::types::ResourceChange>,
}

/// Waits for a change set to settle, then reads all its changes.
async fn wait_change_set(
    shared: &Shared,
    cfn: &Cfn,
    req: &StackRequest<'_>,
    change_set_id: &str,
    stack_id: &str,
) -> Result<SettledChangeSet> {
    let mut backoff = Backoff::default();
    let mut changes = Vec::new();
    loop {
        let out = cfn
            .client
            .describe_change_set()
            .change_set_name(change_set_id)
            .stack_name(stack_id)
            .send()
            .await
            .map_err(|e| cfn.error("DescribeChangeSet", e))?;
        let status = out.status().cloned();
        let settled = !matches!(
            status,
            Some(ChangeSetStatus::CreatePending | ChangeSetStatus::CreateInProgress) | None
        );
        if settled {
            changes.extend(
                out.changes()
                    .iter()
                    .filter_map(|c| c.resource_change().cloned()),
            );
            let mut token = out.next_token().map(str::to_owned);
            while let Some(t) = token {
                let page = cfn
                    .client
                    .describe_change_set()
                    .change_set_name(change_set_id)
                    .stack_name(stack_id)
                    .next_token(t)
                    .send()
                    .await
                    .map_err(|e| cfn.error("DescribeChangeSet", e))?;
                changes.extend(
                    page.changes()
                        .iter()
                        .filter_map(|c| c.resource_change().cloned()),
                );
                token = page.next_token().map(str::to_owned);
            }
            return Ok(SettledChangeSet {
                status,
                reason: out.status_reason().unwrap_or("").to_owned(),
                changes,
            });
        }
        if Instant::now() >= req.deadline {
            return Err(Error::Timeout {
                stack: req.job.name.clone(),
                status: "change set CREATE_IN_PROGRESS".into(),
                seconds: shared.opts.timeout.as_secs(),
            });
        }
        tokio::time::sleep(backoff.next_delay()).await;
    }
}

/// Whether a change set whose `ExecuteChangeSet` answer was lost was executed: its execution
/// status, or (when it cannot be described) the stack's status and events.
async fn was_executed(
    cfn: &Cfn,
    req: &StackRequest<'_>,
    change_set_id: &str,
    stack_id: &str,
    watermark: &Option<String>,
) -> Result<bool> {
    let described = cfn
        .client
        .describe_change_set()
        .change_set_name(change_set_id)
        .stack_name(stack_id)
        .send()
        .await;
    if let Ok(out) = &described {
        match out.execution_status() {
            Some(
                ExecutionStatus::ExecuteComplete
                | ExecutionStatus::ExecuteInProgress
                | ExecutionStatus::ExecuteFailed,
            ) => return Ok(true),
            Some(ExecutionStatus::Available) => return Ok(false),
            _ => {}
        }
    }
    if req.is_update {
        Ok(stacks::newest_event(cfn, stack_id).await? != *watermark)
    } else {
        Ok(stacks::describe(cfn, stack_id)
            .await?
            .is_some_and(|i| i.state() != StackStatus::ReviewInProgress))
    }
}

/// A change set this run created and has not executed yet: what deleting it needs.
struct OpenChangeSet<'a> {
    cfn: &'a Cfn,
    job: &'a Job,
    id: String,
    stack_id: String,
    create: bool,
}

impl OpenChangeSet<'_> {
    /// Deletes it (and the empty stack a CREATE change set made); says what was done.
    async fn discard(&self) -> String {
        crate::interrupt::change_set_done(&self.id);
        crate::interrupt::delete_change_set(
            self.cfn,
            &self.job.name,
            &self.stack_id,
            &self.id,
            self.create,
        )
        .await
    }

    /// A step's result; on failure the change set is deleted first, and the error says so.
    async fn or_discard<T>(&self, result: Result<T>) -> Result<T> {
        match result {
            Ok(t) => Ok(t),
            Err(e) => {
                let line = self.discard().await;
                Err(Error::unavailable(
                    &self.job.name,
                    e,
                    &format!("The stack was not changed; {}.", line.trim()),
                ))
            }
        }
    }
}

/// `CreateChangeSet` with this run's [`RunMark`] in its description; `None` when the endpoint
/// refuses it for holding no changes.
async fn create_change_set<'a>(
    shared: &Shared,
    cfn: &'a Cfn,
    req: &StackRequest<'a>,
    name: &str,
    kind: &ChangeSetType,
) -> Result<Option<OpenChangeSet<'a>>> {
    let job = req.job;
    let created = cfn
        .client
        .create_change_set()
        .stack_name(&job.name)
        .set_role_arn(shared.opts.role_arn.clone())
        .change_set_name(name)
        .change_set_type(kind.clone())
        .set_template_body(req.template_body())
        .set_template_url(req.template_url.clone())
        .set_parameters(non_empty(&req.parameters))
        .set_tags(non_empty(&req.tags))
        .set_capabilities(non_empty(&req.capabilities))
        .description(format!(
            "cloudwright deploy of {} {}",
            job.id,
            RunMark::this().text()
        ))
        .set_import_existing_resources(shared.opts.import_existing.then_some(true))
        .send()
        .await;
    let created = match created {
        Ok(c) => c,
        // some endpoints refuse an empty change set outright instead of failing it
        Err(e)
            if service_error(&e)
                .is_some_and(|(c, m)| c == "ValidationError" && is_no_change(m)) =>
        {
            return Ok(None);
        }
        Err(e) => {
            let err = cfn.error("CreateChangeSet", e);
            if is_unavailable(&err) {
                return Err(Error::unavailable(
                    &job.name,
                    err,
                    "The stack was not changed; a change set the request may have created carries this run's mark, and the next deploy deletes it.",
                ));
            }
            return Err(rejected(cfn, job, req.template, err).await);
        }
    };
    let open = OpenChangeSet {
        cfn,
        job,
        id: created.id().unwrap_or(name).to_owned(),
        stack_id: created
            .stack_id()
            .map(str::to_owned)
            .or_else(|| req.existing.as_ref().map(|i| i.id.clone()))
            .unwrap_or_else(|| job.name.clone()),
        create: !req.is_update,
    };
    crate::interrupt::change_set_created(cfn, &job.name, &open.stack_id, &open.id, open.create);
    Ok(Some(open))
}

/// `ExecuteChangeSet`. A rejection deletes the change set; a lost answer is settled by reading
/// back whether it was executed.
async fn execute_change_set(
    shared: &Shared,
    req: &StackRequest<'_>,
    open: &OpenChangeSet<'_>,
    watermark: &Option<String>,
) -> Result<()> {
    let (cfn, job) = (open.cfn, req.job);
    crate::interrupt::stack_started(cfn, &job.name);
    let executed = cfn
        .client
        .execute_change_set()
        .change_set_name(&open.id)
        .stack_name(&open.stack_id)
        .send()
        .await;
    let Err(e) = executed else {
        crate::interrupt::change_set_done(&open.id);
        return Ok(());
    };
    let err = cfn.error("ExecuteChangeSet", e);
    if !is_unavailable(&err) {
        open.discard().await;
        return Err(rejected(cfn, job, req.template, err).await);
    }
    // the request may have reached AWS: read back whether it did
    match was_executed(cfn, req, &open.id, &open.stack_id, watermark).await {
        Ok(true) => {
            crate::interrupt::change_set_done(&open.id);
            lost_answer(shared, job, "ExecuteChangeSet", &err);
            Ok(())
        }
        Ok(false) => {
            let line = open.discard().await;
            Err(Error::unavailable(
                &job.name,
                err,
                &format!(
                    "The change set was not executed, so the stack was not changed; {}.",
                    line.trim()
                ),
            ))
        }
        Err(read) => {
            crate::interrupt::change_set_done(&open.id);
            Err(Error::unknown_outcome(
                &job.name,
                "ExecuteChangeSet",
                &err,
                &read,
            ))
        }
    }
}

/// Creates a change set, waits for it, shows it and asks; returns the operation once it is
/// executing, or `None` when it holds no changes. The change set carries this run's
/// [`RunMark`]; a change set of another live run on the same stack makes this run yield (a
/// [`Error::Conflict`]); one this run does not execute is deleted.
async fn change_set(shared: &Shared, cfn: &Cfn, req: &StackRequest<'_>) -> Result<Option<Started>> {
    let job = req.job;
    let name = change_set_name();
    let kind = if req.is_update {
        ChangeSetType::Update
    } else {
        ChangeSetType::Create
    };
    let Some(open) = create_change_set(shared, cfn, req, &name, &kind).await? else {
        return Ok(None);
    };
    let settled = open
        .or_discard(wait_change_set(shared, cfn, req, &open.id, &open.stack_id).await)
        .await?;
    let earlier = earlier_run(cfn, job, &open.id, &open.stack_id, open.create).await;
    if let Some(other) = open.or_discard(earlier).await? {
        open.discard().await;
        return Err(Error::Conflict {
            stack: job.name.clone(),
            other,
        });
    }
    if settled.status != Some(ChangeSetStatus::CreateComplete) {
        open.discard().await;
        if settled.status == Some(ChangeSetStatus::Failed) && is_no_change(&settled.reason) {
            return Ok(None);
        }
        let reason = match &settled.status {
            Some(ChangeSetStatus::Failed) => settled.reason,
            other => format!(
                "it ended in {}",
                other.as_ref().map_or("an unknown status", |s| s.as_str())
            ),
        };
        return Err(Error::ChangeSetFailed {
            stack: job.name.clone(),
            reason,
        });
    }
    let text = render_change_set(&job.name, &name, &kind, &settled.changes);
    let confirmed = ui::confirm(
        &shared.reporter,
        &shared.prompt,
        shared.opts.yes,
        text.trim_end(),
        &format!("Execute this change set on {}?", job.name),
        &format!("deploying {}", job.name),
    )
    .await;
    if let Err(e) = confirmed {
        open.discard().await;
        return Err(e);
    }
    let watermark = open
        .or_discard(stacks::newest_event(cfn, &open.stack_id).await)
        .await?;
    execute_change_set(shared, req, &open, &watermark).await?;
    Ok(Some(Started {
        stack_id: open.stack_id.clone(),
        watermark,
        total: settled.changes.len(),
        is_update: req.is_update,
    }))
}

/// The change set as a table, with security-relevant changes called out.
fn render_change_set(
    stack: &str,
    name: &str,
    kind: &ChangeSetType,
    changes: &[aws_sdk_cloudformation::types::ResourceChange],
) -> String {
    let rows: Vec<[String; 4]> = changes
        .iter()
        .map(|c| {
            [
                c.action().map_or("-", |a| a.as_str()).to_owned(),
                c.logical_resource_id().unwrap_or("-").to_owned(),
                c.resource_type().unwrap_or("-").to_owned(),
                c.replacement().map_or("-", |r| r.as_str()).to_owned(),
            ]
        })
        .collect();
    let mut text = format!(
        "{stack}: change set {name} ({}), {} change{}\n",
        kind.as_str(),
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    );
    text.push_str(&ui::table(
        &["Action", "LogicalId", "Type", "Replacement"],
        &rows,
    ));
    let security: Vec<&str> = changes
        .iter()
        .filter(|c| {
            c.resource_type()
                .is_some_and(crate::cloudformation::diff::is_security_type)
        })
        .filter_map(|c| c.logical_resource_id())
        .collect();
    if !security.is_empty() {
        text.push_str(&format!(
            "security-relevant changes (security groups, their rules, IAM): {}\n",
            security.join(", ")
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn detects_capabilities() {
        assert!(
            required_capabilities(&json!({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}))
                .is_empty()
        );
        assert_eq!(
            required_capabilities(
                &json!({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}}}})
            ),
            ["CAPABILITY_IAM"]
        );
        assert_eq!(
            required_capabilities(&json!({"Resources": {
                "P": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "inline"}},
                "R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "my-role"}}}})),
            ["CAPABILITY_NAMED_IAM"]
        );
        assert_eq!(
            required_capabilities(&json!({"Resources": {
                "P": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "inline"}}}})),
            ["CAPABILITY_IAM"],
            "an inline policy's name does not make it a named IAM resource"
        );
        assert_eq!(
            required_capabilities(
                &json!({"Transform": "AWS::Serverless-2016-10-31", "Resources": {}})
            ),
            ["CAPABILITY_AUTO_EXPAND"]
        );
    }

    #[test]
    fn suspects_the_resource_an_error_is_about() {
        let template = json!({"Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.7.0.0/16"}},
            "Sub": {"Type": "AWS::EC2::Subnet", "Properties": {"CidrBlock": "10.99.1.0/24"}},
            "Tg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Protocol": "TCP", "Port": 80}},
            "ApiListener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"Protocol": "TCP", "Port": 80}}}});
        assert_eq!(
            suspect_resources(
                &template,
                "Listener protocol 'TCP' must be one of 'HTTP, HTTPS'"
            ),
            ["ApiListener (AWS::ElasticLoadBalancingV2::Listener)"]
        );
        assert_eq!(
            suspect_resources(&template, "The CIDR '10.99.1.0/24' is invalid."),
            ["Sub (AWS::EC2::Subnet)"]
        );
        assert_eq!(
            suspect_resources(&template, "Template error: Vpc is wrong"),
            ["Vpc (AWS::EC2::VPC)"]
        );
        assert!(suspect_resources(&template, "Internal failure").is_empty());
    }

    #[test]
    fn classifies_rejections() {
        assert!(is_conflict(
            "AlreadyExistsException",
            "Stack [CwSingle] already exists"
        ));
        assert!(is_conflict(
            "ValidationError",
            "Stack:arn:x is in UPDATE_IN_PROGRESS state and can not be updated."
        ));
        assert!(!is_conflict("ValidationError", "Template format error"));
        assert!(is_template_fault("ValidationError"));
        assert!(is_template_fault("InsufficientCapabilitiesException"));
        assert!(!is_template_fault("LimitExceededException"));
    }

    #[test]
    fn the_run_guard_tells_live_runs_from_left_ones() {
        let me = RunMark::this();
        let seen = |mark: Option<RunMark>, executed: bool| ChangeSetSeen {
            id: "cs".into(),
            stack_id: "st".into(),
            mark,
            executed,
            created: (0, 0),
        };
        let other_live = RunMark {
            host: me.host.clone(),
            pid: std::os::unix::process::parent_id(),
        };
        let dead = RunMark {
            host: me.host.clone(),
            pid: u32::MAX - 1,
        };
        let remote = RunMark {
            host: format!("{}-elsewhere", me.host),
            pid: 7,
        };
        assert!(!live_run(&seen(Some(me.clone()), false), &me), "our own");
        assert!(live_run(&seen(Some(other_live.clone()), false), &me));
        assert!(live_run(&seen(Some(other_live), true), &me), "executing");
        assert!(
            !live_run(&seen(Some(dead), false), &me),
            "killed: cleaned up"
        );
        assert!(live_run(&seen(Some(remote.clone()), false), &me));
        assert!(!live_run(&seen(Some(remote), true), &me));
        assert!(!live_run(&seen(None, false), &me), "not cloudwright's");
    }

    #[test]
    fn recognizes_no_change_reasons() {
        assert!(is_no_change(
            "The submitted information didn't contain changes. Submit different information to create a change set."
        ));
        assert!(is_no_change("No updates are to be performed."));
        assert!(!is_no_change(
            "Template format error: Unresolved resource dependencies [X]"
        ));
    }

    #[test]
    fn parses_and_plans_parameters() {
        let args = parse_parameters(&[
            "Env=prod".into(),
            "Api:Image=repo:1.2".into(),
            "Api:Size=2".into(),
        ])
        .unwrap();
        assert_eq!(args.global["Env"], "prod");
        assert_eq!(args.per_stack["Api"]["Image"], "repo:1.2");
        let template = json!({"Parameters": {"Env": {"Type": "String"}, "Image": {"Type": "String"},
            "Size": {"Type": "Number"}, "Old": {"Type": "String"}, "New": {"Type": "String"}}});
        let plan = plan_parameters(
            "Api",
            &template,
            &args,
            &["Api"],
            Some(&["Old".to_owned(), "Image".to_owned()]),
        )
        .unwrap();
        assert_eq!(
            plan,
            vec![
                ("Env".into(), ParameterValue::Value("prod".into())),
                ("Image".into(), ParameterValue::Value("repo:1.2".into())),
                ("Old".into(), ParameterValue::UsePrevious),
                ("Size".into(), ParameterValue::Value("2".into())),
            ]
        );
        // global values for parameters a stack does not declare are not passed to it
        let plan = plan_parameters("Web", &json!({}), &args, &["Web"], None).unwrap();
        assert!(plan.is_empty());
        // a per-stack value for an undeclared parameter is an error
        let e = plan_parameters("Api", &json!({"Parameters": {}}), &args, &["Api"], None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("has no parameter `Image`"), "{e}");
        assert!(parse_parameters(&["novalue".into()]).is_err());
        assert!(parse_parameters(&[":K=v".into()]).is_err());
        assert_eq!(
            parse_tags(&["team=platform".into(), "cost=a=b".into()]).unwrap(),
            [
                ("team".into(), "platform".into()),
                ("cost".into(), "a=b".into())
            ]
        );
        assert!(parse_tags(&["=x".into()]).is_err());
    }
}
