//! `cloudwright migrate`: a template in, an app crate out (cloudwright-migrate does the work).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Where the template comes from.
#[derive(Clone, Debug)]
pub enum Source {
    /// A template file.
    File(PathBuf),
    /// A deployed stack's template (GetTemplate), and the stack's name.
    Stack {
        /// The stack name.
        name: String,
        /// Its template's text.
        text: String,
    },
}

/// The template stack `name` was deployed with (JSON or YAML, as it was submitted).
pub async fn deployed(aws: &crate::aws::Aws, name: &str) -> Result<String, Error> {
    let cfn = aws.cloudformation(None, &format!("stack {name}"))?;
    crate::cloudformation::stacks::deployed_template(&cfn, name)
        .await?
        .ok_or_else(|| {
            Error::Usage(format!(
                "there is no stack `{name}` to migrate (check the name and the region)"
            ))
        })
}

/// What `cloudwright migrate` was asked.
#[derive(Clone, Debug)]
pub struct MigrateOptions {
    /// The template.
    pub source: Source,
    /// The app directory (default: the stack name, in the current directory).
    pub dir: Option<PathBuf>,
    /// The stack name (default: the template's file name without its extensions).
    pub stack_name: Option<String>,
    /// The crate's package name (default: the directory's name).
    pub name: Option<String>,
    /// The cloudwright checkout for path dependencies (default: the one this cloudwright was
    /// built from, when it is still there; else the released version).
    pub checkout: Option<PathBuf>,
    /// A git repository of cloudwright for git dependencies (an unreleased version).
    pub git: Option<String>,
}

/// The checkout this cloudwright was built from, if it is still there.
fn own_checkout() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.join("crates/core/Cargo.toml")
        .is_file()
        .then(|| root.canonicalize().ok())
        .flatten()
}

/// A package name from a directory name: lower case, `-` for anything else.
fn package_name(dir: &Path) -> String {
    let raw = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut out: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    out = out.trim_matches('-').to_owned();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "app-");
    }
    out
}

/// Migrates the template into a new app directory; returns the report to print.
pub fn migrate(o: &MigrateOptions) -> Result<String, Error> {
    let (file, text, default_name) = match &o.source {
        Source::File(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
                action: "cannot read",
                path: path.clone(),
                source,
            })?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let stem = name.split('.').next().unwrap_or_default().to_owned();
            (path.display().to_string(), text, stem)
        }
        Source::Stack { name, text } => (format!("stack {name}"), text.clone(), name.clone()),
    };
    let stack_name = o.stack_name.clone().unwrap_or(default_name);
    if stack_name.is_empty()
        || !stack_name.starts_with(|c: char| c.is_ascii_alphabetic())
        || !stack_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(Error::Usage(format!(
            "`{stack_name}` is not a stack name (a letter, then letters, digits and hyphens); pass --stack-name NAME"
        )));
    }
    let dir = o.dir.clone().unwrap_or_else(|| PathBuf::from(&stack_name));
    let name = o.name.clone().unwrap_or_else(|| package_name(&dir));
    // as `cloudwright init`: a checkout by path, a git repository, or the released version
    let source = match (&o.checkout, &o.git) {
        (Some(p), _) => {
            cloudwright_migrate::Source::Path(p.canonicalize().map_err(|source| Error::Io {
                action: "cannot find the cloudwright checkout",
                path: p.clone(),
                source,
            })?)
        }
        (None, Some(url)) => cloudwright_migrate::Source::Git(url.clone()),
        (None, None) => match own_checkout() {
            Some(checkout) => cloudwright_migrate::Source::Path(checkout),
            None => cloudwright_migrate::Source::this_version(),
        },
    };
    let mut options = cloudwright_migrate::Options::new(&stack_name, &name, "");
    options.source = source;
    let mut migrated = cloudwright_migrate::migrate(&file, &text, &options)?;
    // a checkout's lock file: the app builds with the versions cloudwright was tested with,
    // offline too
    if let cloudwright_migrate::Source::Path(checkout) = &options.source
        && let Ok(lock) = std::fs::read_to_string(checkout.join("Cargo.lock"))
    {
        migrated.files.push((PathBuf::from("Cargo.lock"), lock));
    }
    migrated.write(&dir)?;
    let mut report = format!(
        "migrated {} resources of {file} into {} (stack {stack_name}, crate {name})\n",
        migrated.resources,
        dir.display()
    );
    if !migrated.formatted {
        let _ = writeln!(
            report,
            "  rustfmt could not run: src/lib.rs is not formatted (run `cargo fmt` there)"
        );
    }
    for f in &migrated.fallbacks {
        let _ = writeln!(report, "  raw resource (not typed) {f}");
    }
    for v in &migrated.untyped_values {
        let _ = writeln!(report, "  value kept as written: {v}");
    }
    let _ = writeln!(
        report,
        "next: cd {} && cargo run (synthesizes), then `cloudwright diff` against the deployed stack",
        dir.display()
    );
    Ok(report)
}
