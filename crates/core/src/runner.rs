//! The app runner: what an app's `main` calls. It reads flags and the context, builds the
//! app, synthesizes, writes the assembly and prints a summary, or prints the error chain and
//! exits non-zero without writing anything.
//!
//! Flags: `--out DIR` (default `cloudwright.out`), `-c/--context key=value` (repeatable),
//! `--context-file FILE`, `--quiet`, `--missing-report FILE` (where the toolkit asks for
//! the lookups still missing, as JSON), and `--yaml` (YAML templates beside the JSON ones).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use crate::app::App;
use crate::assembly::{Assembly, Formats};
use crate::context::Context;
use crate::error::Error;

/// The default output directory.
pub const DEFAULT_OUT: &str = "cloudwright.out";

/// Parsed runner flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunArgs {
    /// Where the assembly goes.
    pub out: PathBuf,
    /// The context file.
    pub context_file: PathBuf,
    /// `key=value` overrides, in order.
    pub overrides: Vec<String>,
    /// Print nothing but errors.
    pub quiet: bool,
    /// Where to write the lookups still missing, if anywhere.
    pub missing_report: Option<PathBuf>,
    /// Also write `<Stack>.template.yaml` beside each JSON template.
    pub yaml: bool,
}

const USAGE: &str = "usage: <app> [--out DIR] [-c key=value]... [--context-file FILE] [--quiet] [--missing-report FILE] [--yaml]";

impl RunArgs {
    /// Parses flags (without the program name); `default_context_file` is the app's own.
    pub fn parse(
        args: impl IntoIterator<Item = String>,
        default_context_file: &Path,
    ) -> Result<Option<Self>, Error> {
        let mut parsed = RunArgs {
            out: PathBuf::from(DEFAULT_OUT),
            context_file: default_context_file.to_owned(),
            overrides: Vec::new(),
            quiet: false,
            missing_report: None,
            yaml: false,
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
                _ => (arg.clone(), None),
            };
            let mut value = |name: &str| {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| Error::Usage(format!("{name} needs a value\n{USAGE}")))
            };
            match flag.as_str() {
                "--out" | "-o" => parsed.out = PathBuf::from(value("--out")?),
                "-c" | "--context" => parsed.overrides.push(value("--context")?),
                "--context-file" => parsed.context_file = PathBuf::from(value("--context-file")?),
                "--missing-report" => {
                    parsed.missing_report = Some(PathBuf::from(value("--missing-report")?))
                }
                "--quiet" | "-q" => parsed.quiet = true,
                "--yaml" => parsed.yaml = true,
                "--help" | "-h" => return Ok(None),
                other => {
                    return Err(Error::Usage(format!("unknown argument `{other}`\n{USAGE}")));
                }
            }
        }
        Ok(Some(parsed))
    }
}

/// Runs an app from the process's arguments. `default_context_file` is the app's context file
/// (usually `concat!(env!("CARGO_MANIFEST_DIR"), "/cloudwright.context.json")`).
pub fn run(
    default_context_file: impl AsRef<Path>,
    build: impl FnOnce(&mut App) -> Result<(), Error>,
) -> ExitCode {
    let code = run_with(
        std::env::args().skip(1),
        default_context_file.as_ref(),
        build,
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    );
    ExitCode::from(code)
}

/// [`run`] with explicit arguments and output streams; returns the exit code.
pub fn run_with(
    args: impl IntoIterator<Item = String>,
    default_context_file: &Path,
    build: impl FnOnce(&mut App) -> Result<(), Error>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let started = Instant::now();
    let args = match RunArgs::parse(args, default_context_file) {
        Ok(Some(a)) => a,
        Ok(None) => {
            let _ = writeln!(out, "{USAGE}");
            return 0;
        }
        Err(e) => {
            report_error(err, &e);
            return 2;
        }
    };
    let mut app = None;
    let result = synthesize(&args, build, &mut app);
    if let (Some(path), Some(app)) = (&args.missing_report, &app) {
        let report = serde_json::to_string_pretty(&app.missing_context()).unwrap_or_default();
        if let Err(source) = std::fs::write(path, report) {
            report_error(
                err,
                &Error::Io {
                    path: path.clone(),
                    source,
                },
            );
            return 1;
        }
    }
    let formats = Formats { yaml: args.yaml };
    match result.and_then(|assembly| {
        assembly
            .write_formats(&args.out, formats)
            .map(|()| assembly)
    }) {
        Ok(assembly) => {
            for w in &assembly.warnings {
                let _ = writeln!(err, "warning: {w}");
            }
            if !args.quiet {
                let _ = summary(out, &assembly, &args.out, started);
            }
            0
        }
        Err(e) => {
            report_error(err, &e);
            1
        }
    }
}

fn synthesize(
    args: &RunArgs,
    build: impl FnOnce(&mut App) -> Result<(), Error>,
    slot: &mut Option<App>,
) -> Result<Assembly, Error> {
    let mut context = Context::from_file(&args.context_file)?;
    for o in &args.overrides {
        context.set_override(o)?;
    }
    let app = slot.insert(App::with_context(context));
    build(app)?;
    app.synth()
}

fn report_error(err: &mut dyn Write, e: &(dyn std::error::Error + 'static)) {
    let _ = writeln!(err, "error: {e}");
    let mut source = e.source();
    while let Some(s) = source {
        let _ = writeln!(err, "  caused by: {s}");
        source = s.source();
    }
    let _ = writeln!(err, "nothing was written");
}

/// `path` relative to the working directory when it is beneath it, as the summary's templates
/// are shown.
fn shown(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

fn summary(
    out: &mut dyn Write,
    assembly: &Assembly,
    dir: &Path,
    started: Instant,
) -> std::io::Result<()> {
    let rows: Vec<[String; 5]> = assembly
        .stacks
        .iter()
        .map(|s| {
            [
                s.id.clone(),
                s.resource_count.to_string(),
                s.outputs.len().to_string(),
                s.template.len().to_string(),
                dir.join(s.template_file()).display().to_string(),
            ]
        })
        .collect();
    let header = ["Stack", "Resources", "Outputs", "Bytes", "Template"];
    let mut widths = header.map(str::len);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.len());
        }
    }
    let line = |out: &mut dyn Write, cells: [&str; 5]| {
        writeln!(
            out,
            "{:<w0$}  {:>w1$}  {:>w2$}  {:>w3$}  {}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            cells[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
        )
    };
    line(out, header)?;
    for r in &rows {
        line(out, [&r[0], &r[1], &r[2], &r[3], &r[4]])?;
    }
    // the assets the stacks need, which the CLI publishes before deploying them
    for a in &assembly.assets {
        writeln!(
            out,
            "image asset {} from {} ({})",
            crate::asset::short_hash(&a.hash),
            shown(&a.source_directory),
            a.platform
        )?;
    }
    for a in &assembly.file_assets {
        let what = match &a.packaging {
            crate::asset::Packaging::RustFunction {
                package, target, ..
            } => format!("Rust package {package} built for {target}"),
            _ => format!("zip of {}", shown(&a.source_directory)),
        };
        writeln!(
            out,
            "file asset {}: {what}",
            crate::asset::short_hash(&a.hash)
        )?;
    }
    if !assembly.assets.is_empty() || !assembly.file_assets.is_empty() {
        writeln!(
            out,
            "(`cloudwright deploy` publishes the assets before the stacks; `cloudwright assets` only publishes them)"
        )?;
    }
    writeln!(
        out,
        "synthesized {} stack{} to {} in {:.1} ms",
        assembly.stacks.len(),
        if assembly.stacks.len() == 1 { "" } else { "s" },
        dir.display(),
        started.elapsed().as_secs_f64() * 1000.0
    )
}
