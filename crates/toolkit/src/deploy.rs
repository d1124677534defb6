//! `cloudwright deploy`: stacks in dependency order (independent ones concurrently), each
//! through a change set that is shown and confirmed before it runs (or directly with
//! `--method direct`), with events streamed until the stack settles.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_cloudformation::types::{Capability, ChangeSetStatus, ChangeSetType, Parameter, Tag};
use serde_json::Value;
use tokio::sync::Mutex;
use tokio::task::JoinSet;

use crate::assembly::{CloudAssembly, Extend, Schedule};
use crate::aws::{Aws, service_error};
use crate::diff::diff_templates;
use crate::error::{Error, Result};
use crate::events::{self, EventWatch, Outcome, Reporter, first_failure};
use crate::facts::SchemaRules;
use crate::stacks::{self, Backoff, Cfn, StackInfo};
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
    /// The role to assume per account (`"accounts"` in `cloudwright.json`, [`crate::accounts`]).
    pub accounts: BTreeMap<String, crate::config::AccountConfig>,
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

/// An operation the endpoint rejected outright: a failure naming the likely resource, and
/// the state the stack was left in.
async fn rejected(cfn: &Cfn, job: &Job, template: &Value, err: Error) -> Error {
    let (mut failure, message) = match &err {
        Error::Aws {
            operation,
            code,
            message,
        } => (
            format!("{operation} was rejected: {code}: {message}"),
            message,
        ),
        Error::UnreadableResponse {
            operation,
            status,
            body,
        } => (
            format!(
                "{operation} was rejected with a response the SDK could not decode (HTTP {status}; moto sends some errors as JSON where XML belongs), raw body: {body}"
            ),
            body,
        ),
        _ => return err,
    };
    let suspects = suspect_resources(template, message);
    if !suspects.is_empty() {
        failure.push_str(&format!(" (likely {})", suspects.join(" or ")));
    }
    let status = stacks::describe(cfn, &job.name)
        .await
        .ok()
        .flatten()
        .map(|i| i.status);
    let outcome = match &status {
        Some(s) if events::busy(s) => format!(
            "The endpoint left the stack in {s}, which it may never leave (moto does this): delete it (`aws cloudformation delete-stack --stack-name {}`, or restart a local endpoint) after fixing the template, then deploy again.",
            job.name
        ),
        Some(s) => format!("The stack is {s}; fix the template and deploy again."),
        None => "Nothing was created; fix the template and deploy again.".into(),
    };
    Error::StackFailed {
        stack: job.name.clone(),
        status: status.unwrap_or_else(|| "not created".into()),
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
    /// The access to the stack's account, verified ([`crate::accounts`]).
    aws: Aws,
    /// Parameters filled from other stacks' outputs at deploy ([`crate::weak`]).
    weak: Vec<crate::weak::WeakInput>,
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
    aws: &Aws,
    assembly: &CloudAssembly,
    opts: DeployOptions,
) -> Result<BTreeMap<String, Deployed>> {
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
    // every stack's account is checked before any stack is touched
    let accounts = crate::accounts::Accounts::new(aws, &opts.accounts);
    let mut access = crate::accounts::resolve(&accounts, &selected).await?;
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
            weak.push(crate::weak::WeakInput {
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
    let planned: Vec<crate::export_lock::Planned<'_>> = selected
        .iter()
        .filter_map(|s| jobs.get(&s.id))
        .map(|j| crate::export_lock::Planned {
            id: &j.id,
            name: &j.name,
            region: j.region.as_deref(),
            template: &j.template,
            aws: &j.aws,
        })
        .collect();
    crate::export_lock::check(&planned).await?;
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
        crate::context_file::write_atomically(path, text.as_bytes())?;
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
    let digest = job.hash.trim_start_matches("sha256:");
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
        Some(s) if s.status != "DELETE_COMPLETE" => {
            rep.finish(&s.status);
            Err(Error::StackFailed {
                failure: first_failure(rep.seen())
                    .map(|f| f.to_string())
                    .or(s.reason.clone())
                    .unwrap_or_else(|| "no reason given".into()),
                outcome: Outcome::from_status(&s.status, rep.seen()).describe(&info.name),
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
    if !events::busy(&info.status) {
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
        status: "DELETE_COMPLETE".into(),
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
    let capabilities = required_capabilities(&template);

    // the stack as it is now: wait for an operation in progress, clear a failed create
    let mut existing = match stacks::describe(&cfn, &job.name).await? {
        Some(info) => Some(settle(shared, &cfn, info, deadline).await?),
        None => None,
    };
    if let Some(info) = existing.clone() {
        match info.status.as_str() {
            "ROLLBACK_COMPLETE" => {
                shared.reporter.println(&format!(
                    "{}: the stack is in ROLLBACK_COMPLETE after a failed create; deleting it to create it again",
                    job.name
                ));
                delete_and_wait(shared, &cfn, &info, deadline).await?;
                existing = None;
            }
            "REVIEW_IN_PROGRESS" if shared.opts.method == Method::Direct => {
                shared.reporter.println(&format!(
                    "{}: the stack only holds a change set that was never executed; deleting it to create the stack directly",
                    job.name
                ));
                delete_and_wait(shared, &cfn, &info, deadline).await?;
                existing = None;
            }
            "DELETE_COMPLETE" => existing = None,
            "ROLLBACK_FAILED"
            | "UPDATE_ROLLBACK_FAILED"
            | "DELETE_FAILED"
            | "IMPORT_ROLLBACK_FAILED" => {
                return Err(Error::StackState {
                    stack: job.name.clone(),
                    status: info.status.clone(),
                    verb: "deployed",
                    advice: match info.status.as_str() {
                        "UPDATE_ROLLBACK_FAILED" => format!(
                            "Continue the rollback first (`aws cloudformation continue-update-rollback --stack-name {}`), then deploy again.",
                            job.name
                        ),
                        _ => format!(
                            "Delete it (`cloudwright destroy {}`, retaining what cannot be deleted) and deploy again.",
                            job.id
                        ),
                    },
                });
            }
            _ => {}
        }
    }
    let is_update = existing
        .as_ref()
        .is_some_and(|i| i.status != "REVIEW_IN_PROGRESS");
    let template_url = upload_template(shared, &job, &cfn).await?;
    let stack_keys = [job.id.as_str(), job.name.as_str()];
    // weak references: the producers' outputs as they are now, as this stack's parameters
    let mut params = shared.params.clone();
    for (k, v) in crate::weak::resolve(&job.name, &job.weak).await? {
        params
            .per_stack
            .entry(job.id.clone())
            .or_default()
            .insert(k, v);
    }
    let parameters = plan_parameters(
        &job.name,
        &template,
        &params,
        &stack_keys,
        existing
            .as_ref()
            .filter(|_| is_update)
            .map(|i| i.parameters.as_slice()),
    )?;
    let sdk_parameters: Vec<Parameter> = parameters
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
    let sdk_tags: Vec<Tag> = shared
        .tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect();
    let sdk_caps: Vec<Capability> = capabilities.iter().map(|c| Capability::from(*c)).collect();

    let (stack_id, watermark, total) = match shared.opts.method {
        Method::ChangeSet => {
            let Some(run) = change_set(
                shared,
                &cfn,
                &job,
                &template,
                is_update,
                existing.as_ref(),
                template_url.as_deref(),
                &sdk_parameters,
                &sdk_tags,
                &sdk_caps,
                deadline,
            )
            .await?
            else {
                return no_changes(shared, &cfn, &job).await;
            };
            run
        }
        Method::Direct => {
            let deployed_template = match (&existing, is_update) {
                (Some(info), true) => stacks::deployed_template(&cfn, &info.id).await?,
                _ => None,
            };
            let deployed_json: Option<Value> = deployed_template
                .as_deref()
                .and_then(|t| crate::diff::deployed_json(t).ok());
            let diff = diff_templates(deployed_json.as_ref(), &template, &SchemaRules);
            let explicit_params = parameters
                .iter()
                .any(|(_, v)| matches!(v, ParameterValue::Value(_)));
            // no --tags leaves the stack's tags as they are
            let same_tags = shared.tags.is_empty()
                || existing.as_ref().is_some_and(|i| {
                    let mut a = i.tags.clone();
                    let mut b = shared.tags.clone();
                    a.sort();
                    b.sort();
                    a == b
                });
            if is_update && diff.is_empty() && !explicit_params && same_tags {
                return no_changes(shared, &cfn, &job).await;
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
            if is_update {
                let id = existing.as_ref().map(|i| i.id.clone()).unwrap_or_default();
                let watermark = stacks::newest_event(&cfn, &id).await?;
                let result = cfn
                    .client
                    .update_stack()
                    .stack_name(&id)
                    .set_role_arn(shared.opts.role_arn.clone())
                    .set_template_body(template_url.is_none().then(|| job.template.clone()))
                    .set_template_url(template_url.clone())
                    .set_parameters(non_empty(&sdk_parameters))
                    .set_tags(non_empty(&sdk_tags))
                    .set_capabilities(non_empty(&sdk_caps))
                    .send()
                    .await;
                match result {
                    Ok(_) => (id, watermark, job.resource_count),
                    Err(e)
                        if service_error(&e)
                            .is_some_and(|(c, m)| c == "ValidationError" && is_no_change(m)) =>
                    {
                        return no_changes(shared, &cfn, &job).await;
                    }
                    Err(e) => {
                        return Err(
                            rejected(&cfn, &job, &template, cfn.error("UpdateStack", e)).await
                        );
                    }
                }
            } else {
                let out = cfn
                    .client
                    .create_stack()
                    .stack_name(&job.name)
                    .set_role_arn(shared.opts.role_arn.clone())
                    .set_template_body(template_url.is_none().then(|| job.template.clone()))
                    .set_template_url(template_url.clone())
                    .set_parameters(non_empty(&sdk_parameters))
                    .set_tags(non_empty(&sdk_tags))
                    .set_capabilities(non_empty(&sdk_caps))
                    .send()
                    .await;
                let out = match out {
                    Ok(o) => o,
                    Err(e) => {
                        return Err(
                            rejected(&cfn, &job, &template, cfn.error("CreateStack", e)).await
                        );
                    }
                };
                (
                    out.stack_id().unwrap_or(&job.name).to_owned(),
                    None,
                    job.resource_count,
                )
            }
        }
    };

    // follow the operation until the stack settles (time spent at a prompt does not count)
    let deadline = Instant::now() + shared.opts.timeout;
    let mut watch = EventWatch::since(watermark);
    let verb = if is_update { "updating" } else { "creating" };
    let mut rep = shared.reporter.stack(&job.name, verb, total);
    let end = stacks::wait_settled(
        &cfn,
        &stack_id,
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
            return Err(e);
        }
    };
    let Some(info) = end else {
        rep.finish("gone");
        return Err(Error::StackFailed {
            stack: job.name.clone(),
            status: "DELETE_COMPLETE".into(),
            failure: "the stack disappeared while it was being deployed".into(),
            outcome: "Something else deleted it; deploy again.".into(),
        });
    };
    if events::deploy_succeeded(&info.status) {
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
        outcome: Outcome::from_status(&info.status, rep.seen()).describe(&job.name),
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

/// Creates a change set, waits for it, shows it and asks; returns the stack id, the event
/// watermark and the number of changes once it is executing, or `None` when it holds no
/// changes.
#[allow(clippy::too_many_arguments)]
async fn change_set(
    shared: &Shared,
    cfn: &Cfn,
    job: &Job,
    template: &Value,
    is_update: bool,
    existing: Option<&StackInfo>,
    template_url: Option<&str>,
    parameters: &[Parameter],
    tags: &[Tag],
    capabilities: &[Capability],
    deadline: Instant,
) -> Result<Option<(String, Option<String>, usize)>> {
    let name = change_set_name();
    let kind = if is_update {
        ChangeSetType::Update
    } else {
        ChangeSetType::Create
    };
    let created = cfn
        .client
        .create_change_set()
        .stack_name(&job.name)
        .set_role_arn(shared.opts.role_arn.clone())
        .change_set_name(&name)
        .change_set_type(kind.clone())
        .set_template_body(template_url.is_none().then(|| job.template.clone()))
        .set_template_url(template_url.map(str::to_owned))
        .set_parameters(non_empty(parameters))
        .set_tags(non_empty(tags))
        .set_capabilities(non_empty(capabilities))
        .description(format!("cloudwright deploy of {}", job.id))
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
        Err(e) => return Err(rejected(cfn, job, template, cfn.error("CreateChangeSet", e)).await),
    };
    let change_set_id = created.id().unwrap_or(&name).to_owned();
    let stack_id = created
        .stack_id()
        .map(str::to_owned)
        .or_else(|| existing.map(|i| i.id.clone()))
        .unwrap_or_else(|| job.name.clone());

    // wait for the change set, then read all its changes
    let mut backoff = Backoff::default();
    let mut changes = Vec::new();
    let (status, reason) = loop {
        let out = cfn
            .client
            .describe_change_set()
            .change_set_name(&change_set_id)
            .stack_name(&stack_id)
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
                    .change_set_name(&change_set_id)
                    .stack_name(&stack_id)
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
            break (status, out.status_reason().unwrap_or("").to_owned());
        }
        if Instant::now() >= deadline {
            return Err(Error::Timeout {
                stack: job.name.clone(),
                status: "change set CREATE_IN_PROGRESS".into(),
                seconds: shared.opts.timeout.as_secs(),
            });
        }
        tokio::time::sleep(backoff.next_delay()).await;
    };

    let cleanup = |cfn: Cfn, change_set_id: String, stack_id: String| async move {
        let _ = cfn
            .client
            .delete_change_set()
            .change_set_name(&change_set_id)
            .stack_name(&stack_id)
            .send()
            .await;
        if !is_update {
            // a CREATE change set leaves an empty stack in REVIEW_IN_PROGRESS
            let _ = cfn.client.delete_stack().stack_name(&stack_id).send().await;
        }
    };
    if status == Some(ChangeSetStatus::Failed) {
        cleanup(cfn.clone(), change_set_id, stack_id).await;
        if is_no_change(&reason) {
            return Ok(None);
        }
        return Err(Error::ChangeSetFailed {
            stack: job.name.clone(),
            reason,
        });
    }
    if status != Some(ChangeSetStatus::CreateComplete) {
        return Err(Error::ChangeSetFailed {
            stack: job.name.clone(),
            reason: format!(
                "it ended in {}",
                status.as_ref().map_or("an unknown status", |s| s.as_str())
            ),
        });
    }

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
        "{}: change set {name} ({}), {} change{}\n",
        job.name,
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
        .filter(|c| c.resource_type().is_some_and(crate::diff::is_security_type))
        .filter_map(|c| c.logical_resource_id())
        .collect();
    if !security.is_empty() {
        text.push_str(&format!(
            "security-relevant changes (security groups, their rules, IAM): {}\n",
            security.join(", ")
        ));
    }
    if let Err(e) = ui::confirm(
        &shared.reporter,
        &shared.prompt,
        shared.opts.yes,
        text.trim_end(),
        &format!("Execute this change set on {}?", job.name),
        &format!("deploying {}", job.name),
    )
    .await
    {
        cleanup(cfn.clone(), change_set_id, stack_id).await;
        return Err(e);
    }
    let watermark = stacks::newest_event(cfn, &stack_id).await?;
    if let Err(e) = cfn
        .client
        .execute_change_set()
        .change_set_name(&change_set_id)
        .stack_name(&stack_id)
        .send()
        .await
    {
        return Err(rejected(cfn, job, template, cfn.error("ExecuteChangeSet", e)).await);
    }
    Ok(Some((stack_id, watermark, rows.len())))
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
