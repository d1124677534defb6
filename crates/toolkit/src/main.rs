//! The `cloudwright` command line.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use cloudwright_audit::Severity;
use cloudwright_cli::app::assembly::Extend;
use cloudwright_cli::app::synth::{Stderr, Stdout};
use cloudwright_cli::aws::Aws;
use cloudwright_cli::cloudformation::deploy::{DeployOptions, Method};
use cloudwright_cli::cloudformation::destroy::DestroyOptions;
use cloudwright_cli::config::{Overrides, Settings};
use cloudwright_cli::watch::WatchOptions;
use cloudwright_cli::{
    Error, app::assembly, app::synth, assets::publish, audit, cloudformation::deploy,
    cloudformation::destroy, cloudformation::diff, cloudformation::drift, cloudformation::events,
    cloudformation::hotswap, graph, init, interrupt, migrate, watch,
};

/// Synthesize, look up, diff, deploy and destroy the CloudFormation stacks of a cloudwright app.
///
/// The app is found through cloudwright.json in the current directory
/// ({"app": "cargo run -q -p my-app --", "context": "cloudwright.context.json", "out": "cloudwright.out",
/// "surface": "surface.json"}),
/// or --app CMD; --assembly DIR reads an existing cloud assembly instead of running the app.
/// AWS credentials, region and endpoint come from the standard AWS configuration
/// (environment, profiles, AWS_ENDPOINT_URL).
#[derive(Debug, Parser)]
#[command(name = "cloudwright", version)]
struct Cli {
    /// The command that runs the app (overrides "app" in cloudwright.json).
    #[arg(long, global = true, value_name = "CMD")]
    app: Option<String>,
    /// Read this cloud assembly instead of running the app.
    #[arg(long, global = true, value_name = "DIR")]
    assembly: Option<PathBuf>,
    /// Where the app writes its assembly (overrides "out").
    #[arg(long, global = true, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The app's context file, where lookups are written (overrides "context").
    #[arg(long, global = true, value_name = "FILE")]
    context_file: Option<PathBuf>,
    /// A context value passed on to the app (repeatable).
    #[arg(short = 'c', long = "context", global = true, value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// Stop the app (and what it started) when one run takes longer than this (overrides
    /// "appTimeout"; default 600).
    #[arg(long, global = true, value_name = "SECONDS")]
    app_timeout: Option<u64>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
enum Progress {
    /// A progress bar per stack in a terminal (plain lines otherwise).
    #[default]
    Bar,
    /// One line per stack event.
    Events,
}

impl From<Progress> for events::Display {
    fn from(p: Progress) -> Self {
        match p {
            Progress::Bar => events::Display::Bar,
            Progress::Events => events::Display::Lines,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the app, performing the context lookups it reports missing, and write the assembly.
    Synth {
        /// Also write each template as YAML (`<Stack>.template.yaml`, long-form intrinsics).
        #[arg(long)]
        yaml: bool,
    },
    /// Fill every context lookup the app needs (or, with --refresh, perform them all again).
    Lookup {
        /// Perform again every lookup already in the context file.
        #[arg(long)]
        refresh: bool,
    },
    /// List the stacks in deployment order with their dependencies.
    List,
    /// Compare synthesized templates with the deployed ones.
    Diff {
        /// Stacks to compare (all when none are named).
        stacks: Vec<String>,
        /// Exit with status 1 when there are differences.
        #[arg(long)]
        fail: bool,
    },
    /// Run CloudFormation drift detection on deployed stacks and print, per resource modified
    /// or deleted outside CloudFormation, each property that differs (path, expected, actual).
    /// Exits 1 when a stack has drifted, 0 when every stack is in sync.
    Drift {
        /// Stacks to check (all when none are named).
        stacks: Vec<String>,
        /// Give up waiting for a stack's detection after this many seconds.
        #[arg(long, default_value_t = 300, value_name = "SECONDS")]
        timeout: u64,
    },
    /// Audit the stacks' templates: public surface, difference from the declared surface
    /// ("surface" in cloudwright.json) and policy rules. Exits 1 when a surface differs from
    /// its declaration or findings reach --fail-on.
    Audit {
        /// Stacks to audit (all when none are named).
        stacks: Vec<String>,
        /// Print the machine-readable report (JSON) instead of tables.
        #[arg(long)]
        json: bool,
        /// Exit with status 1 when a finding has this severity or worse.
        #[arg(long, value_name = "error|warning|info", default_value = "error", value_parser = parse_severity)]
        fail_on: Severity,
    },
    /// Print the paths of the stacks' dependency graphs (Graphviz DOT); --svg renders them.
    Graph {
        /// Stacks whose graphs to show (all when none are named).
        stacks: Vec<String>,
        /// Render each <Stack>.graph.dot to <Stack>.graph.svg beside it with Graphviz `dot`.
        #[arg(long)]
        svg: bool,
    },
    /// Publish the app's container image assets: build each image whose tag is not yet in its
    /// ECR repository (in every region the stacks deploy to) with docker, podman, buildah or
    /// finch (CLOUDWRIGHT_CONTAINER_TOOL, or the first on PATH), log in and push it. The
    /// default repository, cloudwright-assets, is created when missing.
    /// CLOUDWRIGHT_ASSET_REGISTRY=HOST:PORT pushes to that registry instead.
    Assets,
    /// Deploy stacks (and the stacks they depend on) in dependency order, after publishing the
    /// app's image assets (as `cloudwright assets`). A stack whose public surface widens beyond
    /// its declared surface is refused unless --allow-exposure.
    Deploy {
        /// Stacks to deploy (all when none are named).
        stacks: Vec<String>,
        /// Deploy only the named stacks, not their dependencies.
        #[arg(long, short = 'e')]
        exclusively: bool,
        /// How many independent stacks to deploy at once.
        #[arg(long, default_value_t = 1, value_name = "N")]
        concurrency: usize,
        /// change-set: show a change set and execute it; direct: CreateStack/UpdateStack.
        #[arg(long, value_enum, default_value_t = Method::ChangeSet)]
        method: Method,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
        /// Stack parameters: Key=Value (every stack declaring Key) or Stack:Key=Value.
        #[arg(long = "parameters", value_name = "[STACK:]KEY=VALUE")]
        parameters: Vec<String>,
        /// Tags for the stacks (CloudFormation propagates them to resources).
        #[arg(long = "tags", value_name = "KEY=VALUE")]
        tags: Vec<String>,
        /// Write the stacks' outputs to this file as JSON: {"Stack": {"Output": "value"}}.
        #[arg(long, value_name = "FILE")]
        outputs_file: Option<PathBuf>,
        /// Give up waiting for a stack after this many seconds.
        #[arg(long, default_value_t = 1800, value_name = "SECONDS")]
        timeout: u64,
        /// An S3 bucket to upload templates over 51,200 bytes to.
        #[arg(long, value_name = "BUCKET")]
        bucket: Option<String>,
        /// How to show stack events.
        #[arg(long, value_enum, default_value_t = Progress::Bar)]
        progress: Progress,
        /// Deploy even when a stack exposes what its declared surface does not.
        #[arg(long)]
        allow_exposure: bool,
        /// Change what can be changed in place through the services' own APIs (an ECS task
        /// definition's container images, environment and command) instead of CloudFormation,
        /// and deploy normally what cannot. Leaves the stack drifted until the next full deploy.
        /// Refused for stacks marked as production ("production" in cloudwright.json).
        #[arg(long)]
        hotswap: bool,
        /// Adopt resources that already exist outside any stack instead of creating them
        /// (CloudFormation's ImportExistingResources): only resources with a static custom
        /// name in the template, a DeletionPolicy of Retain or RetainExceptOnCreate, of a
        /// type that supports import, not in another stack. Change sets only.
        #[arg(long)]
        import_existing: bool,
        /// The CloudFormation execution role: CloudFormation assumes it to change the stacks'
        /// resources (the caller then needs only CloudFormation permissions and iam:PassRole).
        #[arg(long, value_name = "ARN")]
        role_arn: Option<String>,
    },
    /// Write the Rust source of an app whose stack synthesizes TEMPLATE (JSON or YAML), with
    /// its logical ids kept, so deploying the app over the stack replaces nothing: typed
    /// resources, intrinsics as typed calls, parameters, conditions, mappings, outputs. What
    /// cannot be typed becomes a raw resource with a `// migrate:` comment. Writes nothing
    /// when the template is malformed.
    Migrate {
        /// The template (`.json`, `.yaml`, `.yml`, `.template`); with --from-stack, none.
        #[arg(required_unless_present = "from_stack")]
        template: Option<PathBuf>,
        /// The directory to create (default: the stack name); must not exist or be empty.
        /// With --from-stack, the only positional argument.
        dir: Option<PathBuf>,
        /// The CloudFormation stack to take over (default: the template's file name without
        /// its extensions).
        #[arg(long, value_name = "NAME")]
        stack_name: Option<String>,
        /// The app crate's package name (default: the directory's name).
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// A checkout of the cloudwright workspace for path dependencies (default: the one
        /// this cloudwright was built from, when it is still there; else the released version).
        #[arg(long, value_name = "CHECKOUT", conflicts_with = "git")]
        path: Option<PathBuf>,
        /// Depend on cloudwright from this git repository (an unreleased version) instead of
        /// a checkout or the released version.
        #[arg(long, value_name = "URL")]
        git: Option<String>,
        /// Read the template of this deployed stack (GetTemplate) instead of a file; it is
        /// also the stack name, and DIR the directory.
        #[arg(long, value_name = "STACK", conflicts_with = "stack_name")]
        from_stack: Option<String>,
    },
    /// Deploy, then watch the app's files: on a change, synthesize again, republish changed
    /// image assets and hotswap (or deploy normally with --no-hotswap), streaming the
    /// services' log events meanwhile. Ctrl-C stops. Never asks for confirmation.
    Watch {
        /// Stacks to deploy (all when none are named).
        stacks: Vec<String>,
        /// Deploy only the named stacks, not their dependencies.
        #[arg(long, short = 'e')]
        exclusively: bool,
        /// Deploy normally (CloudFormation) after each change instead of hotswapping.
        #[arg(long)]
        no_hotswap: bool,
        /// change-set or direct, for the deploys that are not hotswaps.
        #[arg(long, value_enum, default_value_t = Method::ChangeSet)]
        method: Method,
        /// Give up waiting for a stack or a service's deployment after this many seconds.
        #[arg(long, default_value_t = 1800, value_name = "SECONDS")]
        timeout: u64,
        /// How to show stack events.
        #[arg(long, value_enum, default_value_t = Progress::Bar)]
        progress: Progress,
        /// How often to look at the files, in milliseconds.
        #[arg(long, default_value_t = 300, value_name = "MS")]
        poll: u64,
        /// How long files must stay unchanged before acting, in milliseconds.
        #[arg(long, default_value_t = 300, value_name = "MS")]
        debounce: u64,
        /// Do not stream the services' log events.
        #[arg(long)]
        no_logs: bool,
    },
    /// Create a new app crate in DIR (new or empty; default: the current directory).
    ///
    /// Cargo.toml (depending on the `cloudwright` crate and, for tests, `cloudwright-testing`),
    /// src/main.rs and src/lib.rs with one stack, cloudwright.json, a context file, a declared
    /// surface, tests (assertions and cfn-lint), .gitignore and a README. `cargo run`,
    /// `cargo test` and `cloudwright synth` work in it at once.
    Init(InitArgs),
    /// Delete stacks (and the stacks that depend on them), dependents first.
    Destroy {
        /// Stacks to delete (all when none are named).
        stacks: Vec<String>,
        /// Delete only the named stacks, not the stacks that depend on them.
        #[arg(long, short = 'e')]
        exclusively: bool,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
        /// Give up waiting for a stack after this many seconds.
        #[arg(long, default_value_t = 1800, value_name = "SECONDS")]
        timeout: u64,
        /// How to show stack events.
        #[arg(long, value_enum, default_value_t = Progress::Bar)]
        progress: Progress,
        /// The CloudFormation execution role CloudFormation assumes to delete the resources.
        #[arg(long, value_name = "ARN")]
        role_arn: Option<String>,
    },
}

/// `cloudwright init`'s arguments.
#[derive(Debug, clap::Args)]
struct InitArgs {
    /// The app's directory: created, or an existing empty one.
    dir: Option<PathBuf>,
    /// The starting point.
    #[arg(long, value_enum, default_value_t = TemplateArg::Empty)]
    template: TemplateArg,
    /// Depend on a local checkout of cloudwright (path dependencies on its crates).
    #[arg(long, value_name = "CHECKOUT", conflicts_with = "git")]
    path: Option<PathBuf>,
    /// Depend on cloudwright from a git repository (an unreleased version).
    #[arg(long, value_name = "URL")]
    git: Option<String>,
    /// The package name (default: from the directory's name).
    #[arg(long)]
    name: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum TemplateArg {
    /// One stack with a log group, to replace with your resources.
    Empty,
    /// The Flask API architecture: internal NLB, one public API route, a Fargate service.
    FlaskApi,
}

fn init(args: &InitArgs) -> Result<ExitCode, Error> {
    let template = match args.template {
        TemplateArg::Empty => init::Template::Empty,
        TemplateArg::FlaskApi => init::Template::FlaskApi,
    };
    let source = match (&args.path, &args.git) {
        (Some(path), _) => init::Source::Path(path.clone()),
        (None, Some(url)) => init::Source::Git(url.clone()),
        (None, None) => init::Source::this_version(),
    };
    let created = init::init(&init::InitOptions {
        dir: args.dir.clone().unwrap_or_else(|| PathBuf::from(".")),
        name: args.name.clone(),
        template,
        source,
    })?;
    print!("{}", init::summary(&created, template));
    Ok(ExitCode::SUCCESS)
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse::<Severity>()
        .map_err(|_| format!("`{s}` is not a severity: use error, warning or info"))
}

async fn run(cli: Cli) -> Result<ExitCode, Error> {
    // init reads no cloudwright.json and needs no AWS configuration
    if let Command::Init(args) = &cli.command {
        return init(args);
    }
    if let Command::Migrate {
        template,
        dir,
        stack_name,
        name,
        path,
        git,
        from_stack,
    } = cli.command
    {
        // with --from-stack there is no template file: the one positional is the directory
        let (template, dir) = match (&from_stack, template, dir) {
            (Some(_), Some(_), Some(_)) => {
                return Err(Error::Usage(
                    "with --from-stack, give only the directory (no TEMPLATE)".into(),
                ));
            }
            (Some(_), Some(d), None) => (None, Some(d)),
            (_, t, d) => (t, d),
        };
        let source = match (from_stack, template) {
            (Some(stack), _) => {
                let aws = Aws::load().await;
                let text = migrate::deployed(&aws, &stack).await?;
                migrate::Source::Stack { name: stack, text }
            }
            (None, Some(path)) => migrate::Source::File(path),
            (None, None) => {
                return Err(Error::Usage(
                    "migrate needs a TEMPLATE file or --from-stack STACK".into(),
                ));
            }
        };
        let report = migrate::migrate(&migrate::MigrateOptions {
            source,
            dir,
            stack_name,
            name,
            checkout: path,
            git,
        })?;
        print!("{report}");
        return Ok(ExitCode::SUCCESS);
    }
    let cwd = std::env::current_dir().map_err(Error::read("the current directory"))?;
    let mut settings = Settings::resolve(
        &cwd,
        Overrides {
            app: cli.app,
            assembly: cli.assembly,
            context_file: cli.context_file,
            out: cli.out,
            context: cli.context,
            app_timeout: cli.app_timeout,
        },
    )?;
    let aws = Aws::load().await;
    // SIGINT/SIGTERM stop the app, delete unexecuted change sets and say what each stack is
    // left in (`watch` stops on its own flag)
    if !matches!(cli.command, Command::Watch { .. }) {
        interrupt::install()?;
        tokio::spawn(interrupt::watch());
    }
    match cli.command {
        Command::Synth { yaml } => {
            settings.yaml = yaml;
            if settings.assembly.is_some() {
                return Err(Error::Usage(
                    "synth runs the app: it cannot be combined with --assembly".into(),
                ));
            }
            let (_, summary) = synth::synthesize(&aws, &settings, &Stdout).await?;
            print!("{summary}");
        }
        Command::Lookup { refresh } => {
            let n = synth::lookup(&aws, &settings, refresh, &Stdout).await?;
            println!(
                "{n} lookup{} performed; context file {}",
                if n == 1 { "" } else { "s" },
                settings.context_file.display()
            );
        }
        Command::List => {
            let a = synth::assembly(&aws, &settings, &Stderr).await?;
            print!("{}", assembly::render_list(a.stacks()));
        }
        Command::Diff { stacks, fail } => {
            let a = synth::assembly(&aws, &settings, &Stderr).await?;
            let accounts = cloudwright_cli::aws::accounts::Accounts::new(&aws, &settings.accounts);
            let differs = diff::diff_stacks(&accounts, &a, &stacks).await?;
            if fail && differs {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Drift { stacks, timeout } => {
            // each call too, not only the polling, ends within --timeout
            let aws = aws.bounded(Duration::from_secs(timeout));
            let a = synth::assembly(&aws, &settings, &Stderr).await?;
            let selected = a.select(&stacks, Extend::None)?;
            let accounts = cloudwright_cli::aws::accounts::Accounts::new(&aws, &settings.accounts);
            let mut drifted = false;
            for s in selected {
                let access = accounts
                    .access(
                        s.account.as_deref(),
                        s.region.as_deref(),
                        &format!("stack `{}`", s.id),
                    )
                    .await?;
                let cfn = access
                    .cloudformation(s.region.as_deref(), &format!("stack {}", s.stack_name))?;
                let report =
                    drift::detect(&cfn, &s.stack_name, Duration::from_secs(timeout)).await?;
                drifted |= report.drifted();
                print!("{}", drift::render(&[report]));
            }
            if drifted {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Audit {
            stacks,
            json,
            fail_on,
        } => {
            let a = synth::assembly(&aws, &settings, &Stderr).await?;
            let report = audit::audit_stacks(&a, &stacks, settings.surface.as_ref(), fail_on)?;
            if json {
                let text = cloudwright_audit::to_json(&report)
                    .map_err(|e| Error::Internal(format!("cannot serialize the audit: {e}")))?;
                println!("{text}");
            } else {
                print!("{}", audit::render(&report));
            }
            if !report.passed {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Graph { stacks, svg } => {
            let a = synth::assembly(&aws, &settings, &Stderr).await?;
            for dot in graph::graph_files(&a, &stacks)? {
                if svg {
                    println!("{}", graph::render_svg(&dot)?.display());
                } else {
                    println!("{}", dot.display());
                }
            }
        }
        Command::Assets => {
            let a = synth::assembly(&aws, &settings, &Stdout).await?;
            let stacks: Vec<_> = a.stacks().iter().collect();
            let accounts = cloudwright_cli::aws::accounts::Accounts::new(&aws, &settings.accounts);
            let done = publish::publish(&accounts, &a, &stacks, &Stdout).await?;
            if done.is_empty() {
                println!("the app has no assets");
            }
        }
        Command::Deploy {
            stacks,
            exclusively,
            concurrency,
            method,
            yes,
            parameters,
            tags,
            outputs_file,
            timeout,
            bucket,
            progress,
            allow_exposure,
            hotswap,
            import_existing,
            role_arn,
        } => {
            if import_existing && method == Method::Direct {
                return Err(Error::Usage(
                    "--import-existing works through change sets: drop --method direct".into(),
                ));
            }
            let aws = aws.bounded(Duration::from_secs(timeout));
            let a = synth::assembly(&aws, &settings, &Stdout).await?;
            let selected = a.select(
                &stacks,
                if exclusively {
                    Extend::None
                } else {
                    Extend::Upstream
                },
            )?;
            if hotswap {
                hotswap::refuse_production(&settings, &selected)?;
            }
            // every stack's account, before anything is published or deployed
            let accounts = cloudwright_cli::aws::accounts::Accounts::new(&aws, &settings.accounts);
            cloudwright_cli::aws::accounts::resolve(&accounts, &selected).await?;
            let accounts = &accounts;
            for line in
                audit::check_exposure(&a, &selected, settings.surface.as_ref(), allow_exposure)?
            {
                println!("{line}");
            }
            // lookup values and imports from the stacks' own accounts and regions, before
            // anything is published
            cloudwright_cli::cloudformation::environment::check(accounts, &a, &selected).await?;
            publish::publish(accounts, &a, &selected, &Stdout).await?;
            let opts = DeployOptions {
                stacks,
                exclusively,
                concurrency,
                method,
                yes,
                parameters,
                tags,
                outputs_file,
                timeout: Duration::from_secs(timeout),
                bucket,
                display: progress.into(),
                import_existing,
                role_arn,
            };
            if hotswap {
                hotswap::deploy(accounts, &a, opts, &Stdout).await?;
            } else {
                deploy::deploy(accounts, &a, opts).await?;
            }
        }
        Command::Watch {
            stacks,
            exclusively,
            no_hotswap,
            method,
            timeout,
            progress,
            poll,
            debounce,
            no_logs,
        } => {
            let aws = aws.bounded(Duration::from_secs(timeout));
            let stop = watch::stop_on_signals()?;
            let opts = WatchOptions {
                hotswap: !no_hotswap,
                deploy: DeployOptions {
                    stacks,
                    exclusively,
                    concurrency: 1,
                    method,
                    yes: true,
                    parameters: Vec::new(),
                    tags: Vec::new(),
                    outputs_file: None,
                    timeout: Duration::from_secs(timeout),
                    bucket: None,
                    display: progress.into(),
                    import_existing: false,
                    role_arn: None,
                },
                poll: Duration::from_millis(poll.max(10)),
                debounce: Duration::from_millis(debounce),
                logs: !no_logs,
            };
            watch::watch(&aws, &settings, &cwd, opts, stop, &Stdout).await?;
        }
        Command::Migrate { .. } => {
            return Err(Error::Internal(
                "migrate is handled before the settings".into(),
            ));
        }
        Command::Destroy {
            stacks,
            exclusively,
            yes,
            timeout,
            progress,
            role_arn,
        } => {
            let aws = aws.bounded(Duration::from_secs(timeout));
            let a = synth::assembly(&aws, &settings, &Stdout).await?;
            destroy::destroy(
                &aws,
                &a,
                DestroyOptions {
                    stacks,
                    exclusively,
                    yes,
                    timeout: Duration::from_secs(timeout),
                    display: progress.into(),
                    role_arn,
                    accounts: settings.accounts.clone(),
                },
            )
            .await?;
        }
        Command::Init(args) => return init(&args),
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            // a signal stopped the run: the interrupt watcher reports and exits
            if interrupt::signalled().is_some() {
                std::thread::sleep(Duration::from_secs(30));
            }
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
