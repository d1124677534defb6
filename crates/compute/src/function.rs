//! `Function`: an AWS Lambda function with production defaults, and its event sources.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use cloudwright_core::asset::{Architecture, FileAssetSource, file_asset_bucket};
use cloudwright_core::{
    Construct, DepTarget, Dependable, Exception, Handle, Json, Policy, Scope, Str, Value,
};
use cloudwright_iam::{
    Grantee, Principal, Role, RoleOutput, RoleRef, Statement, aws_managed_policy,
};
use cloudwright_network::{Port, SecurityGroup, SubnetGroup};
use cloudwright_resources::{RetentionDays, ec2, lambda, logs};

use crate::error::{Error, whole_seconds};
use crate::image::ImageAsset;
use crate::service::Deps;

/// The largest inline source CloudFormation takes for `ZipFile` that this construct accepts
/// (4 KiB, the classic limit: larger code belongs in a directory asset).
pub const INLINE_CODE_LIMIT: usize = 4096;

/// A Lambda runtime (the managed ones currently supported for new functions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Runtime {
    /// `python3.12`
    Python3_12,
    /// `python3.13`
    Python3_13,
    /// `nodejs20.x`
    Nodejs20,
    /// `nodejs22.x`
    Nodejs22,
    /// `java21`
    Java21,
    /// `provided.al2023`: a custom runtime (a `bootstrap` executable), e.g. a Rust binary.
    ProvidedAl2023,
}

impl Runtime {
    /// Lambda's identifier (`python3.12`).
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Python3_12 => "python3.12",
            Runtime::Python3_13 => "python3.13",
            Runtime::Nodejs20 => "nodejs20.x",
            Runtime::Nodejs22 => "nodejs22.x",
            Runtime::Java21 => "java21",
            Runtime::ProvidedAl2023 => "provided.al2023",
        }
    }

    fn resource(self) -> lambda::function::Runtime {
        use lambda::function::Runtime as R;
        match self {
            Runtime::Python3_12 => R::Python3_12,
            Runtime::Python3_13 => R::Python3_13,
            Runtime::Nodejs20 => R::Nodejs20X,
            Runtime::Nodejs22 => R::Nodejs22X,
            Runtime::Java21 => R::Java21,
            Runtime::ProvidedAl2023 => R::ProvidedAl2023,
        }
    }

    /// Whether CloudFormation can take its code inline (`ZipFile`: Python and Node.js).
    fn takes_inline_code(self) -> bool {
        matches!(
            self,
            Runtime::Python3_12 | Runtime::Python3_13 | Runtime::Nodejs20 | Runtime::Nodejs22
        )
    }
}

/// Where a function's code comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Code {
    /// A directory zipped as a file asset (what `ignore` patterns match is left out,
    /// `.dockerignore` syntax), uploaded by the toolkit before deploying.
    Directory {
        /// The directory.
        directory: PathBuf,
        /// Patterns of what to leave out.
        ignore: Vec<String>,
    },
    /// Source text in the template (`ZipFile`, at most [`INLINE_CODE_LIMIT`] bytes; Python
    /// and Node.js only): the file `index.py`/`index.js`.
    Inline(String),
    /// A container image built from a directory (a [`ImageAsset`]).
    Image(ImageAsset),
    /// A Rust package in the workspace, built at publish time for `provided.al2023` (its
    /// binary as `bootstrap`).
    RustPackage(PathBuf),
}

impl Code {
    /// The files of `directory`, zipped. A relative `directory` is relative to the working
    /// directory of the app's process (the crate's directory under `cargo run`; join it to
    /// `env!("CARGO_MANIFEST_DIR")` to be independent of it).
    pub fn from_directory(directory: impl Into<PathBuf>) -> Code {
        Code::Directory {
            directory: directory.into(),
            ignore: Vec::new(),
        }
    }

    /// The files of `directory` except what `patterns` match (`*.pyc`, `tests/**`, ...).
    pub fn from_directory_excluding<P: Into<String>>(
        directory: impl Into<PathBuf>,
        patterns: impl IntoIterator<Item = P>,
    ) -> Code {
        Code::Directory {
            directory: directory.into(),
            ignore: patterns.into_iter().map(Into::into).collect(),
        }
    }

    /// Source text in the template.
    pub fn inline(source: impl Into<String>) -> Code {
        Code::Inline(source.into())
    }

    /// A container image built from a directory (`ContainerImage::from_asset(dir)`).
    pub fn from_image(image: ImageAsset) -> Code {
        Code::Image(image)
    }

    /// The Rust package in `directory` (with its `Cargo.toml`), built for Lambda at publish.
    pub fn from_rust_package(directory: impl Into<PathBuf>) -> Code {
        Code::RustPackage(directory.into())
    }
}

/// Where failed asynchronous invocations go (`AWS::Lambda::EventInvokeConfig`), by ARN: a
/// queue or a topic. The function's role is allowed to send there.
#[derive(Clone, Debug, PartialEq)]
pub enum FailureDestination {
    /// An SQS queue's ARN.
    Queue(Value),
    /// An SNS topic's ARN.
    Topic(Value),
}

/// An AWS Lambda function (`AWS::Lambda::Function`) with what a production team turns on:
///
/// - `ServiceRole`: its role (an iam [`Role`]), allowed to write to its log group, to send
///   traces (X-Ray) and, in a VPC, to manage its network interfaces (AWS's
///   `AWSLambdaVPCAccessExecutionRole`); the built function is a [`Grantee`], so a table's or
///   queue's grants reach it.
/// - `Logs`: its log group, retention 30 days by default, kept when the stack goes (as a
///   task's), named in the function's `LoggingConfig`.
/// - `Function`: memory (default 128 MB), timeout (default 3 s), environment, X-Ray tracing
///   `Active` by default, reserved concurrency when set, `x86_64` unless asked for `arm64`.
/// - placed in a [`SubnetGroup`] when asked: a `SecurityGroup` without ingress and with HTTPS
///   out, and the function created after the subnets' routes (as a Fargate service).
/// - `InvokeConfig`: failed asynchronous invocations sent to a queue or topic, when asked.
///
/// Code comes from a directory (a zip asset), inline text, an image asset or a Rust package.
///
/// ```
/// use std::time::Duration;
/// use cloudwright_compute::{Code, Function, Runtime};
/// use cloudwright_core::App;
///
/// let app = App::new();
/// let mut stack = app.stack("Api")?;
/// let f = stack.construct(
///     "Hello",
///     Function::new(Runtime::Python3_12, "index.handler", Code::inline("def handler(e, c):\n    return e\n"))
///         .memory_mb(256)
///         .timeout(Duration::from_secs(10))
///         .env("STAGE", "prod"),
/// )?;
/// assert_eq!(f.function.logical_id(), "HelloFunction");
/// # Ok::<(), cloudwright_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Function {
    code: Code,
    runtime: Option<Runtime>,
    handler: Option<String>,
    memory_mb: u32,
    timeout: Duration,
    environment: BTreeMap<String, Value>,
    tracing: bool,
    retention: RetentionDays,
    retain_logs: bool,
    reserved_concurrency: Option<u32>,
    subnets: Option<SubnetGroup>,
    architecture: Architecture,
    on_failure: Option<FailureDestination>,
    statements: Vec<Statement>,
    description: Option<String>,
}

impl Function {
    /// A function of `runtime` whose entry point is `handler` (`index.handler`,
    /// `app.handler`, `com.example.Handler::handleRequest`), running `code`.
    pub fn new(runtime: Runtime, handler: impl Into<String>, code: Code) -> Self {
        Function {
            runtime: Some(runtime),
            handler: Some(handler.into()),
            ..Function::bare(code)
        }
    }

    /// A function built from the Rust package in `directory` (`provided.al2023`, handler
    /// `bootstrap`).
    pub fn rust(directory: impl Into<PathBuf>) -> Self {
        Function {
            runtime: Some(Runtime::ProvidedAl2023),
            handler: Some("bootstrap".into()),
            ..Function::bare(Code::RustPackage(directory.into()))
        }
    }

    /// A function running a container image built from a directory.
    pub fn image(image: ImageAsset) -> Self {
        Function::bare(Code::Image(image))
    }

    fn bare(code: Code) -> Self {
        Function {
            code,
            runtime: None,
            handler: None,
            memory_mb: 128,
            timeout: Duration::from_secs(3),
            environment: BTreeMap::new(),
            tracing: true,
            retention: RetentionDays::default(),
            retain_logs: true,
            reserved_concurrency: None,
            subnets: None,
            architecture: Architecture::X86_64,
            on_failure: None,
            statements: Vec::new(),
            description: None,
        }
    }

    /// Memory in MB (128 to 10,240; default 128). CPU is allocated in proportion.
    pub fn memory_mb(mut self, mb: u32) -> Self {
        self.memory_mb = mb;
        self
    }

    /// How long one invocation may run (whole seconds, 1 s to 15 min; default 3 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets an environment variable (a literal or a reference: a table's name, a queue's URL).
    pub fn env(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.environment.insert(name.into(), value.into());
        self
    }

    /// Turns X-Ray tracing off (on, `Active`, by default).
    pub fn without_tracing(mut self) -> Self {
        self.tracing = false;
        self
    }

    /// Keeps logs for `retention` (default 30 days).
    pub fn log_retention(mut self, retention: RetentionDays) -> Self {
        self.retention = retention;
        self
    }

    /// Deletes the log group with the stack (it is kept by default).
    pub fn delete_logs_with_stack(mut self) -> Self {
        self.retain_logs = false;
        self
    }

    /// Reserves (and caps) concurrent executions.
    pub fn reserved_concurrency(mut self, executions: u32) -> Self {
        self.reserved_concurrency = Some(executions);
        self
    }

    /// Runs in these subnets (private ones: `network.private()`), with a security group of
    /// its own, created after the subnets' routes.
    pub fn in_subnets(mut self, subnets: &SubnetGroup) -> Self {
        self.subnets = Some(subnets.clone());
        self
    }

    /// Runs on arm64 (Graviton) instead of x86_64.
    pub fn arm64(mut self) -> Self {
        self.architecture = Architecture::Arm64;
        self
    }

    /// Sends failed asynchronous invocations to a queue or topic.
    pub fn on_failure(mut self, destination: FailureDestination) -> Self {
        self.on_failure = Some(destination);
        self
    }

    /// Adds a statement to the role's inline policy (prefer a data construct's grants).
    pub fn statement(mut self, statement: Statement) -> Self {
        self.statements.push(statement);
        self
    }

    /// The function's description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    fn invalid(setting: &'static str, reason: impl Into<String>) -> Error {
        Error::InvalidFunction {
            setting,
            reason: reason.into(),
        }
    }

    fn validate(&self) -> Result<u32, Error> {
        if !(128..=10_240).contains(&self.memory_mb) {
            return Err(Self::invalid(
                "memory_mb",
                format!("{} MB is outside 128 to 10,240 MB", self.memory_mb),
            ));
        }
        let timeout = whole_seconds("timeout", self.timeout)?;
        if !(1..=900).contains(&timeout) {
            return Err(Self::invalid(
                "timeout",
                format!("{timeout} s is outside 1 s to 900 s (15 minutes)"),
            ));
        }
        if self.reserved_concurrency == Some(0) {
            return Err(Self::invalid(
                "reserved_concurrency",
                "0 stops every invocation; leave it unset for the account's unreserved pool",
            ));
        }
        if let Code::Inline(source) = &self.code {
            if source.len() > INLINE_CODE_LIMIT {
                return Err(Error::InlineCodeTooLarge {
                    bytes: source.len(),
                    limit: INLINE_CODE_LIMIT,
                });
            }
            if let Some(r) = self.runtime.filter(|r| !r.takes_inline_code()) {
                return Err(Self::invalid(
                    "code",
                    format!(
                        "inline code is for Python and Node.js runtimes, not {}; use Code::from_directory",
                        r.name()
                    ),
                ));
            }
        }
        for name in self.environment.keys() {
            let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ok {
                return Err(Self::invalid(
                    "env",
                    format!(
                        "`{name}` is not a valid variable name (a letter, then letters, digits and _)"
                    ),
                ));
            }
        }
        Ok(timeout)
    }
}

/// What [`Function`] builds.
#[derive(Debug, Clone)]
pub struct FunctionOutput {
    /// The function.
    pub function: Handle<lambda::Function>,
    /// Its role.
    pub role: RoleOutput,
    /// Its log group.
    pub log_group: Handle<logs::LogGroup>,
    /// Its security group, when it runs in subnets.
    pub security_group: Option<Handle<ec2::SecurityGroup>>,
    /// Where failed asynchronous invocations go, when set.
    pub invoke_config: Option<Handle<lambda::EventInvokeConfig>>,
    timeout: Duration,
}

impl FunctionOutput {
    /// The function's ARN (`Fn::GetAtt Function.Arn`).
    pub fn arn(&self) -> Str {
        self.function.arn()
    }

    /// The function's name (`Ref`).
    pub fn name(&self) -> Value {
        self.function.r#ref()
    }

    /// The function's logical id (for a `AWS::Lambda::Permission` a route adds).
    pub fn logical_id(&self) -> &str {
        self.function.logical_id()
    }

    /// The timeout it was built with.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The ARN of its log group.
    pub fn log_group_arn(&self) -> Str {
        self.log_group.arn()
    }
}

impl Grantee for FunctionOutput {
    fn grantee_role(&self) -> Result<RoleRef, cloudwright_iam::Error> {
        Ok(RoleRef::from_handle(&self.role.role))
    }

    /// The function: it (and through it, its event source mappings) waits for the grant.
    fn grantee_dependents(&self) -> Vec<cloudwright_core::ResourceRef> {
        vec![self.function.resource_ref().clone()]
    }
}

impl cloudwright_ingress::LambdaTarget for FunctionOutput {
    fn function_arn(&self) -> Value {
        self.arn().into()
    }

    fn function_id(&self) -> String {
        self.logical_id().to_owned()
    }
}

impl Dependable for FunctionOutput {
    fn dependency_targets(&self) -> Vec<DepTarget> {
        self.function.dependency_targets()
    }
}

impl Construct for Function {
    type Output = FunctionOutput;

    fn build(self, scope: &mut Scope<'_>) -> Result<FunctionOutput, cloudwright_core::Error> {
        let timeout = self.validate()?;

        // the code first: a missing directory is the likeliest mistake
        let mut package_image = false;
        let code = match &self.code {
            Code::Directory { directory, ignore } => {
                let asset = scope.add_file_asset(&FileAssetSource::Directory {
                    directory: directory.clone(),
                    ignore: ignore.clone(),
                })?;
                lambda::function::Code::new()
                    .s3_bucket(file_asset_bucket())
                    .s3_key(asset.object_key)
            }
            Code::RustPackage(directory) => {
                let asset = scope.add_file_asset(&FileAssetSource::RustFunction {
                    directory: directory.clone(),
                    architecture: self.architecture,
                })?;
                lambda::function::Code::new()
                    .s3_bucket(file_asset_bucket())
                    .s3_key(asset.object_key)
            }
            Code::Inline(source) => lambda::function::Code::new().zip_file(source.clone()),
            Code::Image(image) => {
                package_image = true;
                let platform = match self.architecture {
                    Architecture::X86_64 => "linux/amd64",
                    Architecture::Arm64 => "linux/arm64",
                };
                let resolved =
                    crate::ContainerImage::Asset(image.clone()).resolve(scope, platform)?;
                lambda::function::Code::new().image_uri(resolved.uri())
            }
        };
        if !package_image && (self.runtime.is_none() || self.handler.is_none()) {
            return Err(Self::invalid(
                "runtime",
                "a zip function needs a runtime and a handler: use Function::new(runtime, handler, code)",
            )
            .into());
        }

        let group = logs::LogGroup::new().retention_in_days(self.retention.days());
        let log_group = scope.add("Logs", group)?;
        let policy = if self.retain_logs {
            Policy::Retain
        } else {
            Policy::Delete
        };
        scope.set_deletion_policy(&log_group, policy)?;
        scope.set_update_replace_policy(&log_group, policy)?;
        scope.add_exception(
            &log_group,
            Exception::new("service-managed encryption: CloudWatch Logs encrypts every log group")
                .checkov("CKV_AWS_158")
                .cfn_nag("W84"),
        )?;

        let mut statements = vec![
            Statement::allow()
                .actions(["logs:CreateLogStream", "logs:PutLogEvents"])
                .resource(log_group.arn()),
        ];
        if self.tracing {
            statements.push(
                Statement::allow()
                    .actions(["xray:PutTelemetryRecords", "xray:PutTraceSegments"])
                    .all_resources(),
            );
        }
        match &self.on_failure {
            Some(FailureDestination::Queue(arn)) => statements.push(
                Statement::allow()
                    .action("sqs:SendMessage")
                    .resource(arn.clone()),
            ),
            Some(FailureDestination::Topic(arn)) => statements.push(
                Statement::allow()
                    .action("sns:Publish")
                    .resource(arn.clone()),
            ),
            None => {}
        }
        statements.extend(self.statements.iter().cloned());
        let mut role = Role::new(Principal::service("lambda.amazonaws.com"))
            .description(format!(
                "The Lambda function {}/{}",
                scope.stack_id(),
                scope.path()
            ))
            .statements(statements);
        if self.subnets.is_some() {
            role = role.managed_policy(aws_managed_policy(
                "service-role/AWSLambdaVPCAccessExecutionRole",
            ));
        }
        let role = scope.construct("Service", role)?;
        if self.tracing {
            scope.add_exception(
                &role.role,
                Exception::new(
                    "X-Ray's PutTraceSegments and PutTelemetryRecords take no resource: `*` is the only form",
                )
                .cfn_nag("W11")
                .checkov("CKV_AWS_111"),
            )?;
        }

        let mut function = lambda::Function::new(lambda::FunctionRequired {
            code: code.into(),
            role: role.arn(),
        })
        .memory_size(i64::from(self.memory_mb))
        .timeout(i64::from(timeout))
        .architectures(vec![match self.architecture {
            Architecture::X86_64 => lambda::function::Architecture::X86_64,
            Architecture::Arm64 => lambda::function::Architecture::Arm64,
        }])
        .logging_config(lambda::function::LoggingConfig::new().log_group(log_group.r#ref()));
        if package_image {
            function = function.package_type(lambda::function::PackageType::Image);
        } else {
            if let Some(r) = self.runtime {
                function = function.runtime(r.resource());
            }
            if let Some(h) = &self.handler {
                function = function.handler(h.clone());
            }
        }
        if !self.environment.is_empty() {
            function = function.environment(
                lambda::function::Environment::new()
                    .variables(Json(Value::from(self.environment.clone()))),
            );
        }
        if self.tracing {
            function = function.tracing_config(
                lambda::function::TracingConfig::new()
                    .mode(lambda::function::TracingConfigMode::Active),
            );
        }
        if let Some(n) = self.reserved_concurrency {
            function = function.reserved_concurrent_executions(i64::from(n));
        }
        if let Some(d) = &self.description {
            function = function.description(d.clone());
        }
        let mut security_group = None;
        if let Some(subnets) = &self.subnets {
            let group = SecurityGroup::new(
                subnets.vpc_id().clone(),
                format!("The Lambda function {}/{}", scope.stack_id(), scope.path()),
            )
            .refuse_open_ingress()
            .restrict_outbound([(Port::Tcp(443), "0.0.0.0/0", "HTTPS to AWS APIs")])
            .add_to(scope, "SecurityGroup")?
            .group;
            scope.add_exception(
                &group,
                Exception::new(
                    "HTTPS to anywhere: AWS APIs are reached through the NAT gateway at addresses that are not fixed",
                )
                .cfn_nag("W5"),
            )?;
            function = function.vpc_config(
                lambda::function::VpcConfig::new()
                    .subnet_ids(subnets.ids().to_vec())
                    .security_group_ids(vec![group.id()]),
            );
            security_group = Some(group);
        }
        let function = scope.add("Function", function)?;
        if let Some(subnets) = &self.subnets {
            let routes = subnets.dependency_targets();
            if !routes.is_empty() {
                scope.add_dependency(&function, &Deps(routes));
            }
        } else {
            scope.add_exception(
                &function,
                Exception::new(
                    "not in a VPC: it reaches only AWS APIs through its role; place it with in_subnets when it needs private resources",
                )
                .checkov("CKV_AWS_117"),
            )?;
        }
        if self.reserved_concurrency.is_none() {
            scope.add_exception(
                &function,
                Exception::new(
                    "no reserved concurrency: it scales within the account's unreserved pool",
                )
                .checkov("CKV_AWS_115"),
            )?;
        }
        // checkov reads only `DeadLetterConfig`; the invoke configuration's on-failure
        // destination is the newer form of the same thing
        scope.add_exception(
            &function,
            Exception::new(if self.on_failure.is_some() {
                "no DeadLetterConfig: failed asynchronous invocations go to the on-failure destination of its EventInvokeConfig, which keeps the error with the event"
            } else {
                "no dead-letter queue or on-failure destination: a synchronous caller receives the error and a queue source keeps failed messages in the queue's dead-letter queue; an asynchronous invocation (a schedule, a topic, EventBridge) that still fails after Lambda's two retries is dropped unless on_failure is set"
            })
            .checkov("CKV_AWS_116"),
        )?;
        if !self.environment.is_empty() {
            scope.add_exception(
                &function,
                Exception::new(
                    "environment encrypted with Lambda's service key; it holds names, not secrets",
                )
                .checkov("CKV_AWS_173"),
            )?;
        }
        let invoke_config = match &self.on_failure {
            Some(FailureDestination::Queue(arn) | FailureDestination::Topic(arn)) => {
                let config = scope.add(
                    "InvokeConfig",
                    lambda::EventInvokeConfig::new(lambda::EventInvokeConfigRequired {
                        function_name: function.r#ref().into(),
                        qualifier: "$LATEST".into(),
                    })
                    .destination_config(
                        lambda::event_invoke_config::DestinationConfig::new()
                            .on_failure(lambda::event_invoke_config::OnFailure::new(arn.clone())),
                    ),
                )?;
                // the role must allow sending before Lambda validates the destination
                scope.add_dependency(&config, &role);
                Some(config)
            }
            None => None,
        };
        Ok(FunctionOutput {
            function,
            role,
            log_group,
            security_group,
            invoke_config,
            timeout: self.timeout,
        })
    }
}
