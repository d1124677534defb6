//! The toolkit's one error type. Every message is a single paragraph that says what went wrong
//! and what to do about it; `main` prints it after `error: ` and exits non-zero.

use std::path::PathBuf;

/// Everything that can go wrong in the toolkit.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{action} {}: {source}. Check that the path exists and is accessible.", path.display())]
    Io {
        /// What was being done (`cannot read`, `cannot write`, ...).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// `cloudwright.json` (or another input file) is malformed.
    #[error("{} is not valid: {message}.", path.display())]
    InvalidFile {
        /// The file.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A command-line argument is wrong.
    #[error("{0}")]
    Usage(String),
    /// `cloudwright init` cannot create the app where it was asked to.
    #[error("cannot create an app in {}: {message}.", path.display())]
    Init {
        /// The directory (or the `--path` checkout).
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// `cloudwright migrate` could not migrate the template (nothing was written).
    #[error("{0}")]
    Migrate(#[from] cloudwright_migrate::Error),
    /// There is neither an app to run nor an assembly to read.
    #[error(
        "there is no app to run: create cloudwright.json in this directory with {{\"app\": \"cargo run -q -p my-app --\"}}, pass --app CMD, or read an existing cloud assembly with --assembly DIR."
    )]
    NoApp,
    /// The app could not be started.
    #[error(
        "cannot start the app `{command}`: {source}. Check the `app` command in cloudwright.json or --app."
    )]
    AppSpawn {
        /// The command line.
        command: String,
        /// Why it could not be started.
        source: std::io::Error,
    },
    /// The app exited with an error.
    #[error(
        "the app `{command}` failed ({status}). Its output follows; fix what it reports and run again.\n{output}"
    )]
    AppFailed {
        /// The command line.
        command: String,
        /// How it exited.
        status: String,
        /// What it printed on stderr (and stdout).
        output: String,
    },
    /// The app ran longer than its timeout and was stopped.
    #[error(
        "the app `{command}` did not finish within {seconds} s and was stopped (with every process it started); nothing was synthesized. Raise \"appTimeout\" in cloudwright.json or pass --app-timeout SECONDS if it needs longer. What it printed:\n{output}"
    )]
    AppTimeout {
        /// The command line.
        command: String,
        /// The timeout.
        seconds: u64,
        /// What it printed before it was stopped (the end, capped).
        output: String,
    },
    /// The app kept asking for context after the lookups were performed.
    #[error(
        "the app still reports missing context after {rounds} rounds of lookups ({keys}). Check that the app reads the context file cloudwright writes ({}): its `--context-file` flag must be honored.",
        context_file.display()
    )]
    LookupRounds {
        /// How many rounds ran.
        rounds: usize,
        /// The keys still missing.
        keys: String,
        /// The context file the lookups were written to.
        context_file: PathBuf,
    },
    /// The cloud assembly is missing or inconsistent.
    #[error("the cloud assembly in {} cannot be used: {message}. Synthesize it again (`cloudwright synth`).", dir.display())]
    Assembly {
        /// The assembly directory.
        dir: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A template differs from what the manifest recorded at synthesis (edited or replaced
    /// since): nothing is deployed from such an assembly.
    #[error(
        "the template {} of stack `{stack}` is not the one synthesized: its hash is {actual}, the manifest records {expected}. It was changed after synthesis; synthesize again (`cloudwright synth`) instead of editing the assembly."
        , file.display()
    )]
    TemplateChanged {
        /// The template file.
        file: PathBuf,
        /// The stack id.
        stack: String,
        /// The manifest's hash.
        expected: String,
        /// The file's hash.
        actual: String,
    },
    /// The credentials (or the role assumed) belong to another account than the stack (or
    /// lookup) is pinned to; nothing was changed.
    #[error("{0}")]
    AccountMismatch(Box<AccountMismatch>),
    /// A stack uses a lookup value answered by another account than the one it deploys into;
    /// nothing was changed.
    #[error("{0}")]
    LookupFromAnotherAccount(Box<crate::cloudformation::environment::LookupFromAnotherAccount>),
    /// A stack imports an export of a stack that resolves to another account or region;
    /// nothing was changed.
    #[error("{0}")]
    CrossEnvironmentImport(Box<crate::cloudformation::environment::CrossEnvironmentImport>),
    /// A weak reference's value could not be read from its producer.
    #[error(
        "stack `{consumer}` cannot be deployed: its parameter {parameter} is a weak reference to {source_output}, and {reason}. Nothing was changed in {consumer}."
    )]
    WeakReference {
        /// The consuming stack.
        consumer: String,
        /// Its parameter.
        parameter: String,
        /// `output O of stack P`.
        source_output: String,
        /// Why it could not be read.
        reason: String,
    },
    /// A deploy would remove or change an export other stacks still import.
    #[error(
        "refusing to deploy: stack `{stack}` would lose or change exports that other stacks still import, which CloudFormation refuses in the middle of the update (\"Export ... cannot be updated as it is in use\"):\n{exports}\nNothing was changed. The way out: make the importing stacks' references weak (`scope.weak_ref(value)`: the value is passed as a parameter at deploy, with no export and so no lock), or deploy in two steps: first the importing stacks without the import (`cloudwright deploy <stack> --exclusively`), then `{id}`."
    )]
    ExportLocked {
        /// The exporting stack.
        stack: String,
        /// Its id in the app.
        id: String,
        /// One line per export: what changes and who imports it.
        exports: String,
    },
    /// Whether a removed or changed export is still imported could not be checked.
    #[error(
        "refusing to deploy: stack `{stack}` would remove or change its export `{export}`, and cloudwright could not verify that no other stack imports it ({detail}). Nothing was changed. Check `aws cloudformation list-imports --export-name {export}` and run the deploy again when the call answers."
    )]
    ExportLockUnverified {
        /// The exporting stack.
        stack: String,
        /// The export.
        export: String,
        /// Why it could not be verified.
        detail: String,
    },
    /// The endpoint cannot run drift detection (it answered with a server error).
    #[error(
        "drift detection on stack `{stack}` is not available from this endpoint ({detail}). AWS CloudFormation runs it; some local endpoints (moto) do not implement it. Against AWS, run the command again later."
    )]
    DriftUnavailable {
        /// The stack.
        stack: String,
        /// What the endpoint answered.
        detail: String,
    },
    /// Drift detection failed without a result.
    #[error("drift detection on stack `{stack}` failed: {reason}")]
    DriftFailed {
        /// The stack.
        stack: String,
        /// CloudFormation's reason.
        reason: String,
    },
    /// A stack named on the command line is not in the assembly.
    #[error(
        "there is no stack `{name}` in the app; its stacks are: {available}. Use `cloudwright list` to see them."
    )]
    UnknownStack {
        /// The name given.
        name: String,
        /// The stacks that exist.
        available: String,
    },
    /// A context key names a lookup provider the toolkit does not know.
    #[error(
        "context key `{key}` asks for lookup provider `{provider}`, which cloudwright does not know; the known providers are vpc-provider and ecr-image-provider. Add the value to the context file by hand, or use a known provider."
    )]
    UnknownProvider {
        /// The context key.
        key: String,
        /// The provider asked for.
        provider: String,
    },
    /// A lookup's properties are wrong.
    #[error("context key `{key}`: {message}")]
    LookupProps {
        /// The context key.
        key: String,
        /// What is wrong and what is expected.
        message: String,
    },
    /// A lookup found nothing (or too much).
    #[error("context key `{key}`: {message}")]
    LookupFailed {
        /// The context key.
        key: String,
        /// What was not found and what to check.
        message: String,
    },
    /// No AWS credentials could be found.
    #[error(
        "no AWS credentials were found ({detail}). Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), or AWS_PROFILE naming a profile in ~/.aws/credentials, or run where an instance or task role is available; then run the command again."
    )]
    NoCredentials {
        /// What the SDK reported.
        detail: String,
    },
    /// No AWS region is configured.
    #[error(
        "no AWS region is set for {what}. Set AWS_REGION (or `region` in your AWS profile), or pin the stack's region in the app (StackProps::region); lookups use their own `region` property."
    )]
    NoRegion {
        /// What needed a region (`stack X`, `lookups`, ...).
        what: String,
    },
    /// The endpoint could not be reached.
    #[error(
        "cannot reach {endpoint} for {operation} ({detail}). Check the network connection and proxy settings; if AWS_ENDPOINT_URL is set, check that the service it points at is running."
    )]
    EndpointUnreachable {
        /// The endpoint (or a description of it).
        endpoint: String,
        /// The API call.
        operation: &'static str,
        /// What the SDK reported.
        detail: String,
    },
    /// The endpoint accepted the request but did not answer within the request timeout.
    #[error(
        "{endpoint} did not answer {operation} within the request timeout ({detail}). Check that the endpoint is up (if AWS_ENDPOINT_URL is set, the service it points at); if calls are just slow, raise the per-request timeout (CLOUDWRIGHT_REQUEST_TIMEOUT=SECONDS) or the command's --timeout."
    )]
    NoAnswer {
        /// The endpoint (or a description of it).
        endpoint: String,
        /// The API call.
        operation: &'static str,
        /// What the SDK reported.
        detail: String,
    },
    /// AWS answered a call with a server error (HTTP 5xx) even after retrying.
    #[error(
        "AWS is unavailable: {operation} failed with HTTP {status} ({code}: {message}) even after retrying with backoff. Run the command again later."
    )]
    ServiceFault {
        /// The API call.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
        /// The error code.
        code: String,
        /// What AWS said.
        message: String,
    },
    /// A stack's deploy stopped because AWS was unavailable (throttling, 5xx, no answer): what
    /// this run changed is said.
    #[error("stack `{stack}`: {cause} {changed}")]
    Unavailable {
        /// The stack.
        stack: String,
        /// The service failure (its own message).
        cause: Box<Error>,
        /// What this run changed before it stopped, and how a rerun converges.
        changed: String,
    },
    /// Another operation is changing the stack.
    #[error(
        "stack `{stack}` is being changed by another operation: {other}. This run changed nothing; wait for that operation to finish and deploy again (cloudwright waits for a stack in progress)."
    )]
    Conflict {
        /// The stack.
        stack: String,
        /// The other operation, as far as it can be named.
        other: String,
    },
    /// A call that changes a stack may or may not have reached AWS, and reading the stack back
    /// did not settle it.
    #[error(
        "stack `{stack}`: the outcome of {operation} is unknown ({detail}); {state}. Run `cloudwright deploy` again: it reads the stack's real state and converges."
    )]
    UnknownOutcome {
        /// The stack.
        stack: String,
        /// The call whose answer was lost.
        operation: &'static str,
        /// Why the answer is missing.
        detail: String,
        /// The stack's state as it could be read back.
        state: String,
    },
    /// Another cloudwright run holds the context file's lock for too long.
    #[error(
        "cannot write the context file {}: another cloudwright run has held its lock ({}) for more than {seconds} s. If no other run is active, delete the lock file and run again.",
        path.display(), lock.display()
    )]
    ContextLocked {
        /// The context file.
        path: PathBuf,
        /// The lock file.
        lock: PathBuf,
        /// How long this run waited.
        seconds: u64,
    },
    /// AWS kept throttling a call after the SDK's retries.
    #[error(
        "AWS throttled {operation} even after retrying with backoff ({detail}). Wait a minute and run the command again, lower --concurrency, or raise AWS_MAX_ATTEMPTS."
    )]
    Throttled {
        /// The API call.
        operation: &'static str,
        /// What AWS said.
        detail: String,
    },
    /// AWS denied a call (or rejected the credentials).
    #[error(
        "AWS denied {operation} ({code}: {detail}). The credentials in use are invalid, expired, or lack permission for this call: check which identity is used (`aws sts get-caller-identity`) and its IAM policies, or refresh the credentials."
    )]
    AccessDenied {
        /// The API call.
        operation: &'static str,
        /// The error code.
        code: String,
        /// What AWS said.
        detail: String,
    },
    /// Any other error AWS returned.
    #[error("{operation} failed: {code}: {message}")]
    Aws {
        /// The API call.
        operation: &'static str,
        /// The error code (or the kind of failure).
        code: String,
        /// What AWS said.
        message: String,
    },
    /// AWS answered with something the SDK could not decode; the raw body is shown.
    #[error(
        "{operation} failed and its response could not be decoded (HTTP {status}); the raw response body was: {body}"
    )]
    UnreadableResponse {
        /// The API call.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
        /// The raw body (or the SDK's description when there is none).
        body: String,
    },
    /// A template too large to pass inline and no bucket to upload it to.
    #[error(
        "the template of stack `{stack}` is {bytes} bytes, over CloudFormation's 51,200-byte limit for templates passed inline: pass --bucket BUCKET (an S3 bucket in the stack's region that you can write to) so cloudwright uploads it there."
    )]
    TemplateTooLarge {
        /// The stack.
        stack: String,
        /// The template size.
        bytes: usize,
    },
    /// Confirmation is needed but nobody can answer.
    #[error(
        "{action} needs confirmation, but standard input is not a terminal: pass --yes to proceed without asking."
    )]
    ConfirmationRequired {
        /// What needed confirming.
        action: String,
    },
    /// The user answered no.
    #[error("{action} was cancelled at the prompt; nothing was changed.")]
    Declined {
        /// What was declined.
        action: String,
    },
    /// The change set could not be created.
    #[error(
        "the change set for stack `{stack}` failed: {reason}. Fix the template (or its parameters) and deploy again."
    )]
    ChangeSetFailed {
        /// The stack.
        stack: String,
        /// CloudFormation's status reason.
        reason: String,
    },
    /// A deploy or delete failed.
    #[error("stack `{stack}` failed ({status}): {failure}. {outcome}")]
    StackFailed {
        /// The stack.
        stack: String,
        /// Its final status.
        status: String,
        /// The first failure: resource, type and reason.
        failure: String,
        /// What happened afterwards (rollback outcome) and what to do.
        outcome: String,
    },
    /// A stack is in a state nothing can be deployed onto.
    #[error("stack `{stack}` is in state {status} and cannot be {verb} as it is. {advice}")]
    StackState {
        /// The stack.
        stack: String,
        /// Its status.
        status: String,
        /// `deployed` or `deleted`.
        verb: &'static str,
        /// What to do.
        advice: String,
    },
    /// A stack operation did not finish in time.
    #[error(
        "stack `{stack}` is still {status} after {seconds} s; cloudwright stopped waiting but cancelled nothing. Look at the stack's events, then run the command again (it waits for a stack in progress) or raise --timeout."
    )]
    Timeout {
        /// The stack.
        stack: String,
        /// Its last status.
        status: String,
        /// The timeout.
        seconds: u64,
    },
    /// A stack's export is still imported by other stacks.
    #[error(
        "stack `{stack}` cannot be deleted: its export `{export}` is imported by {importers}. Destroy those stacks first, or remove the imports from them and deploy them."
    )]
    ExportInUse {
        /// The stack.
        stack: String,
        /// The export name.
        export: String,
        /// The importing stacks.
        importers: String,
    },
    /// Whether an export is still imported could not be checked.
    #[error(
        "stack `{stack}` was not deleted: cloudwright could not verify that its export `{export}` is no longer imported ({detail}). Check `aws cloudformation list-imports --export-name {export}` and delete the stack yourself if nothing imports it."
    )]
    ImportsUnverified {
        /// The stack.
        stack: String,
        /// The export name.
        export: String,
        /// Why it could not be verified.
        detail: String,
    },
    /// A stack's template could not be audited.
    #[error(
        "the template of stack `{stack}` cannot be audited: {message}. Synthesize it again (`cloudwright synth`) and check the template."
    )]
    Audit {
        /// The stack.
        stack: String,
        /// What the audit reported.
        message: String,
    },
    /// A deploy would expose more than the declared surface.
    #[error(
        "refusing to deploy: the stacks would expose what their declared surface does not:\n{exposed}\nNothing was deployed and no AWS call was made. If this exposure is intended, add it to the declaration (\"surface\" in cloudwright.json); otherwise fix the app. To deploy anyway, pass --allow-exposure."
    )]
    Exposure {
        /// One line per stack and exposure: `  stack X (declared in FILE): + GET /a (stage v1) on Api`.
        exposed: String,
    },
    /// Graphviz `dot` is not installed.
    #[error(
        "Graphviz `dot` was not found on PATH ({detail}), and `graph --svg` needs it. Install Graphviz (`apt-get install graphviz` on Debian/Ubuntu, `brew install graphviz` on macOS, or see https://graphviz.org/download/) and run again; without --svg, `cloudwright graph` prints the paths of the DOT files."
    )]
    GraphvizMissing {
        /// What went wrong looking for it.
        detail: String,
    },
    /// Graphviz `dot` failed on a graph.
    #[error("Graphviz `dot` failed to render {}: {message}", file.display())]
    Graphviz {
        /// The DOT file.
        file: PathBuf,
        /// Its exit status and output.
        message: String,
    },
    /// No container tool to build image assets with.
    #[error(
        "no container tool to build the image assets with: {detail}. Install one of docker, podman, buildah or finch, or set CLOUDWRIGHT_CONTAINER_TOOL to the one to use (a name on PATH or a path); no stack was changed."
    )]
    ContainerToolMissing {
        /// What was tried.
        detail: String,
    },
    /// The container tool failed building, logging in or pushing.
    #[error(
        "{step} failed: `{command}` ended with {status}; no stack was changed. The tool's output follows; fix what it reports and run again.\n{output}"
    )]
    ContainerTool {
        /// What was being done (`building image asset 1a2b3c4d5e6f`).
        step: String,
        /// The command line.
        command: String,
        /// How it ended.
        status: String,
        /// Its output (stdout, then stderr; the last 200 lines).
        output: String,
    },
    /// A tool needed to build a file asset is not installed.
    #[error(
        "{tool} is needed to build {what} and was not found ({detail}). Install it with `{install}` (scripts/test installs it into .venv), or set {variable} to its path; no stack was changed."
    )]
    BuildToolMissing {
        /// The tool (`cargo-zigbuild`).
        tool: &'static str,
        /// What needed it (`the Rust function asset 1a2b3c4d5e6f (package reader)`).
        what: String,
        /// Where it was looked for.
        detail: String,
        /// The install command.
        install: &'static str,
        /// The environment variable that names it.
        variable: &'static str,
    },
    /// The Rust standard library of a function's target is not installed.
    #[error(
        "the Rust function asset {hash} (package {package}) is built for {target}, whose standard library is not installed in {sysroot}. Run `rustup target add {target}`, or build the function for the other architecture; no stack was changed."
    )]
    RustTargetMissing {
        /// The asset's hash (short).
        hash: String,
        /// The package.
        package: String,
        /// The target triple.
        target: String,
        /// The toolchain's sysroot.
        sysroot: String,
    },
    /// The assets bucket exists but the credentials may not use it.
    #[error(
        "the assets bucket {bucket} exists but these credentials may not use it (HeadBucket: 403): it belongs to another account, or the credentials lack s3:ListBucket on it; no stack was changed."
    )]
    AssetBucketForbidden {
        /// The bucket.
        bucket: String,
    },
    /// Building or packaging a file asset failed.
    #[error("file asset {hash}: {message}; no stack was changed.")]
    FileAsset {
        /// The asset's hash (short).
        hash: String,
        /// What went wrong, with the tool's output when a tool failed.
        message: String,
    },
    /// The ECR repository an app names for an image asset does not exist.
    #[error(
        "the ECR repository `{repository}` in {region}, where the app puts image asset {hash}, does not exist; no stack was changed. Create it, or leave the asset's repository unset: cloudwright creates its default repository, `cloudwright-assets`, when it is missing."
    )]
    AssetRepositoryMissing {
        /// The repository.
        repository: String,
        /// The region.
        region: String,
        /// The asset's hash.
        hash: String,
    },
    /// The registry an image is pushed to could not be asked whether it has the image.
    #[error(
        "cannot check whether the registry {registry} has {image}: {detail}; no stack was changed. Check that the registry is running and reachable (CLOUDWRIGHT_ASSET_REGISTRY names it)."
    )]
    Registry {
        /// `repository:tag`.
        image: String,
        /// The registry host.
        registry: String,
        /// What went wrong.
        detail: String,
    },
    /// `--hotswap` for a stack marked as production in `cloudwright.json`.
    #[error(
        "--hotswap is refused for {stacks}: marked as production in {config} (\"production\"); deploy without --hotswap. Nothing was published or changed."
    )]
    HotswapRefused {
        /// The production stacks selected, comma-separated.
        stacks: String,
        /// The configuration file that marks them.
        config: String,
    },
    /// A hotswap call succeeded but what it started did not finish well.
    #[error(
        "stack `{stack}`: the hotswap of {resource} failed: {why}. The stack has drifted from its template; a full deploy (`cloudwright deploy` without --hotswap) brings it back in line."
    )]
    HotswapFailed {
        /// The stack.
        stack: String,
        /// The resource's logical id.
        resource: String,
        /// What went wrong.
        why: String,
    },
    /// A bug: a task panicked or similar.
    #[error(
        "internal error: {0}. This is a bug in cloudwright; please report it with the command that was run."
    )]
    Internal(String),
    /// Several stacks failed independently.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n\nerror: "))]
    Several(Vec<Error>),
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An [`Error::Io`] for reading `path`.
    pub fn read(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io {
            action: "cannot read",
            path,
            source,
        }
    }

    /// An [`Error::Io`] for writing `path`.
    pub fn write(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io {
            action: "cannot write",
            path,
            source,
        }
    }

    /// `err` as [`Error::Unavailable`] for `stack` (several joined with `` `, ` ``) when it is a
    /// failure of AWS itself (throttling, 5xx, no answer), saying what this run `changed`; any
    /// other error as it is.
    pub fn unavailable(stack: &str, err: Error, changed: &str) -> Error {
        if crate::aws::is_unavailable(&err) {
            Error::Unavailable {
                stack: stack.to_owned(),
                cause: Box::new(err),
                changed: changed.to_owned(),
            }
        } else {
            err
        }
    }

    /// [`Error::UnknownOutcome`]: the answer to `operation` on `stack` was lost with `err`, and
    /// reading the stack back failed too, with `read`.
    pub fn unknown_outcome(
        stack: &str,
        operation: &'static str,
        err: &Error,
        read: &Error,
    ) -> Error {
        Error::UnknownOutcome {
            stack: stack.to_owned(),
            operation,
            detail: err.to_string(),
            state: format!("reading the stack back failed too ({read})"),
        }
    }
}

/// What [`Error::AccountMismatch`] reports.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{what} is pinned to account {expected}, but {} belong{} to account {actual} ({identity}). Nothing was changed. {}",
    match role { Some(r) => format!("the role {r} assumed for it"), None => "the credentials in use".to_owned() },
    if role.is_some() { "s" } else { "" },
    match role {
        Some(_) => format!("Fix the role ARN of account {expected} in \"accounts\" of cloudwright.json."),
        None => format!("Use credentials of account {expected} (AWS_PROFILE), or name a role to assume for it in cloudwright.json: {{\"accounts\": {{\"{expected}\": {{\"role\": \"arn:aws:iam::{expected}:role/<name>\"}}}}}}."),
    }
)]
pub struct AccountMismatch {
    /// What needed the account (`stack `Api``, `context key ...`).
    pub what: String,
    /// The account it is pinned to.
    pub expected: String,
    /// The account of the credentials.
    pub actual: String,
    /// The caller identity's ARN.
    pub identity: String,
    /// The role assumed, if one was.
    pub role: Option<String>,
}
