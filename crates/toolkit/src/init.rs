//! `cloudwright init [DIR]`: a new app crate, ready to `cargo run`, `cargo test` and
//! `cloudwright synth` offline.
//!
//! The app depends on the facade crate `cloudwright` (by version, or on a local checkout with
//! `--path`, or on a git repository with `--git`) and, for its tests, on
//! `cloudwright-testing`. The files come from templates compiled into the CLI
//! (`crates/toolkit/templates/`): `common/` for every app, and one directory per
//! [`Template`] for the stack, its tests, its context file and its declared surface.
//!
//! Nothing partial is written: the app is assembled in a temporary sibling of `DIR` and
//! renamed into place; a `DIR` that exists and holds anything is refused.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A starting point for the app.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Template {
    /// One stack with one resource (a log group) to replace with yours.
    #[default]
    Empty,
    /// The Flask API architecture: the default VPC, an internal NLB, a REST API exposing one
    /// route, a Fargate service running an ECR image; sample lookups in its context file.
    FlaskApi,
}

impl Template {
    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Template::Empty => "empty",
            Template::FlaskApi => "flask-api",
        }
    }

    /// What it builds, for the README and the summary.
    fn description(self) -> &'static str {
        match self {
            Template::Empty => "one stack with a log group, the place to start adding resources.",
            Template::FlaskApi => {
                "a container service on ECS Fargate behind an internal network load balancer, \
                 reachable from the internet only through one API Gateway route."
            }
        }
    }

    /// `(src/lib.rs, tests/stack.rs, surface.json, cloudwright.context.json)`.
    fn files(self) -> [&'static str; 4] {
        match self {
            Template::Empty => [
                include_str!("../templates/empty/lib.rs.tmpl"),
                include_str!("../templates/empty/tests.rs.tmpl"),
                include_str!("../templates/empty/surface.json.tmpl"),
                include_str!("../templates/empty/context.json.tmpl"),
            ],
            Template::FlaskApi => [
                include_str!("../templates/flask-api/lib.rs.tmpl"),
                include_str!("../templates/flask-api/tests.rs.tmpl"),
                include_str!("../templates/flask-api/surface.json.tmpl"),
                include_str!("../templates/flask-api/context.json.tmpl"),
            ],
        }
    }
}

/// Where the app's cloudwright crates come from: a version on crates.io
/// ([`Source::this_version`]: this release's), a local checkout, or a git repository. The same
/// choice `cloudwright migrate` offers for the apps it writes.
pub use cloudwright_migrate::Source;

/// What `cloudwright init` was asked for.
#[derive(Clone, Debug)]
pub struct InitOptions {
    /// The directory to create (or an empty one to fill).
    pub dir: PathBuf,
    /// The package name; by default derived from the directory's name.
    pub name: Option<String>,
    /// The starting point.
    pub template: Template,
    /// Where the cloudwright crates come from.
    pub source: Source,
}

/// What was created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Created {
    /// The app's directory.
    pub dir: PathBuf,
    /// The package name.
    pub name: String,
    /// The stack's id.
    pub stack: String,
    /// The files written, relative to `dir`, in order.
    pub files: Vec<&'static str>,
    /// The manifest of a Cargo workspace above the app, if any: cargo builds the app only as
    /// one of its members (or with a `[workspace]` table of its own).
    pub enclosing_workspace: Option<PathBuf>,
}

/// Creates the app.
pub fn init(options: &InitOptions) -> Result<Created> {
    check_target(&options.dir)?;
    // an existing (empty) directory by its real path, so that `.` has a parent to stage in
    let dir = &match options.dir.canonicalize() {
        Ok(real) => real,
        Err(_) => options.dir.clone(),
    };
    let name = match &options.name {
        Some(name) => check_name(name, dir)?,
        None => name_from_dir(dir)?,
    };
    let lib = name.replace('-', "_");
    let stack = stack_id(&name);
    let (cloudwright, testing) = dependencies(&options.source)?;

    let [lib_rs, tests_rs, surface, context] = options.template.files();
    let files: [(&'static str, &str); 9] = [
        (
            "Cargo.toml",
            include_str!("../templates/common/Cargo.toml.tmpl"),
        ),
        (
            "README.md",
            include_str!("../templates/common/README.md.tmpl"),
        ),
        (
            ".gitignore",
            include_str!("../templates/common/gitignore.tmpl"),
        ),
        (
            "cloudwright.json",
            include_str!("../templates/common/cloudwright.json.tmpl"),
        ),
        ("cloudwright.context.json", context),
        ("surface.json", surface),
        (
            "src/main.rs",
            include_str!("../templates/common/main.rs.tmpl"),
        ),
        ("src/lib.rs", lib_rs),
        ("tests/stack.rs", tests_rs),
    ];
    let fill = |text: &str| {
        text.replace("{{name}}", &name)
            .replace("{{lib}}", &lib)
            .replace("{{stack}}", &stack)
            .replace("{{cloudwright}}", &cloudwright)
            .replace("{{testing}}", &testing)
            .replace("{{description}}", options.template.description())
    };

    let staging = staging_dir(dir)?;
    let written = (|| {
        for (path, text) in &files {
            let file = staging.join(path);
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent).map_err(Error::write(parent))?;
            }
            std::fs::write(&file, fill(text)).map_err(Error::write(&file))?;
        }
        move_into_place(&staging, dir)
    })();
    if written.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    written?;
    Ok(Created {
        dir: dir.clone(),
        name,
        stack,
        files: files.iter().map(|(path, _)| *path).collect(),
        enclosing_workspace: enclosing_workspace(dir),
    })
}

/// The nearest `Cargo.toml` above `dir` with a `[workspace]` table.
fn enclosing_workspace(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().skip(1).find_map(|above| {
        let manifest = above.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).ok()?;
        text.lines()
            .any(|line| line.trim() == "[workspace]")
            .then_some(manifest)
    })
}

/// The summary printed after `init`: what was made and what to run next.
pub fn summary(created: &Created, template: Template) -> String {
    let dir = created.dir.display();
    let mut out = format!(
        "created the app `{}` in {dir} (template {}): stack `{}`\n",
        created.name,
        template.name(),
        created.stack
    );
    for file in &created.files {
        out.push_str(&format!("  {file}\n"));
    }
    if let Some(workspace) = &created.enclosing_workspace {
        out.push_str(&format!(
            "note: {dir} is inside the Cargo workspace of {}: add it to that workspace's members, or add an empty `[workspace]` table to the app's Cargo.toml to build it on its own\n",
            workspace.display()
        ));
    }
    out.push_str(&format!(
        "next:\n  cd {dir}\n  cargo run            # synthesize offline into cloudwright.out/\n  \
         cargo test           # the stack's assertions and cfn-lint (pip install cfn-lint==1.51.0)\n  \
         cloudwright synth    # the same through the CLI; then audit, diff, deploy\n"
    ));
    out
}

/// Refuses a `dir` that exists and is not an empty directory.
fn check_target(dir: &Path) -> Result<()> {
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::read(dir)(e)),
        Ok(meta) if !meta.is_dir() => Err(Error::Init {
            path: dir.to_path_buf(),
            message: "it exists and is not a directory; name a new or empty directory".into(),
        }),
        Ok(_) => {
            let mut entries = std::fs::read_dir(dir).map_err(Error::read(dir))?;
            match entries.next() {
                None => Ok(()),
                Some(entry) => {
                    let first = entry
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .unwrap_or_default();
                    Err(Error::Init {
                        path: dir.to_path_buf(),
                        message: format!(
                            "the directory is not empty (it holds `{first}`); cloudwright init writes only into a new or empty directory"
                        ),
                    })
                }
            }
        }
    }
}

/// The package name derived from the directory's name: lower case, `-` for anything but
/// letters, digits, `-` and `_`.
fn name_from_dir(dir: &Path) -> Result<String> {
    let absolute = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(Error::read("the current directory"))?
            .join(dir)
    };
    let base = absolute
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .next_back()
        .unwrap_or_default();
    let name: String = base
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = name
        .trim_start_matches(|c: char| !c.is_ascii_lowercase())
        .trim_end_matches('-')
        .to_owned();
    check_name(&name, dir)
}

/// Names cargo or the dependencies would refuse.
const RESERVED: [&str; 14] = [
    "cloudwright",
    "cloudwright-testing",
    "cloudwright-core",
    "cloudwright-resources",
    "cloudwright-network",
    "cloudwright-ingress",
    "cloudwright-compute",
    "serde-json",
    "serde_json",
    "test",
    "core",
    "std",
    "alloc",
    "proc-macro",
];

fn check_name(name: &str, dir: &Path) -> Result<String> {
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(Error::Init {
            path: dir.to_path_buf(),
            message: format!(
                "`{name}` is not a usable package name (a letter, then letters, digits, `-` or `_`); pass --name NAME"
            ),
        });
    }
    if RESERVED.contains(&name.replace('_', "-").as_str()) || RESERVED.contains(&name) {
        return Err(Error::Init {
            path: dir.to_path_buf(),
            message: format!(
                "the package name `{name}` would clash with a dependency or a built-in crate; pass --name NAME"
            ),
        });
    }
    Ok(name.to_owned())
}

/// The stack id: the package name in PascalCase (`my-infra` → `MyInfra`).
fn stack_id(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// The dependency specifications of `cloudwright` and `cloudwright-testing`.
fn dependencies(source: &Source) -> Result<(String, String)> {
    match source {
        Source::Version(version) => {
            let version = toml_string(version);
            Ok((
                format!("{{ version = {version} }}"),
                format!("{{ version = {version} }}"),
            ))
        }
        Source::Git(url) => {
            let url = toml_string(url);
            Ok((format!("{{ git = {url} }}"), format!("{{ git = {url} }}")))
        }
        Source::Path(checkout) => {
            let checkout = checkout.canonicalize().map_err(|e| Error::Init {
                path: checkout.clone(),
                message: format!("--path must name a checkout of cloudwright: {e}"),
            })?;
            let mut out = Vec::new();
            for crate_dir in ["crates/cloudwright", "crates/testing"] {
                let dir = checkout.join(crate_dir);
                if !dir.join("Cargo.toml").is_file() {
                    return Err(Error::Init {
                        path: checkout.clone(),
                        message: format!(
                            "--path must name a checkout of cloudwright: it has no {crate_dir}/Cargo.toml"
                        ),
                    });
                }
                out.push(format!(
                    "{{ path = {} }}",
                    toml_string(&dir.to_string_lossy())
                ));
            }
            let testing = out.pop().unwrap_or_default();
            let cloudwright = out.pop().unwrap_or_default();
            Ok((cloudwright, testing))
        }
    }
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A fresh directory beside `dir` (same file system, so the final move is a rename).
fn staging_dir(dir: &Path) -> Result<PathBuf> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(Error::write(&parent))?;
    let base = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "app".into());
    let staging = parent.join(format!(".{base}.cloudwright-init-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir(&staging).map_err(Error::write(&staging))?;
    Ok(staging)
}

/// Renames `staging` to `dir`; into an existing (empty) `dir`, entry by entry, taking the moved
/// entries back out when one fails.
fn move_into_place(staging: &Path, dir: &Path) -> Result<()> {
    if !dir.exists() {
        return std::fs::rename(staging, dir).map_err(Error::write(dir));
    }
    let entries: Vec<PathBuf> = std::fs::read_dir(staging)
        .map_err(Error::read(staging))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    let mut moved = Vec::new();
    for from in entries {
        let Some(name) = from.file_name() else {
            continue;
        };
        let to = dir.join(name);
        if let Err(e) = std::fs::rename(&from, &to) {
            for (back_from, back_to) in moved.iter().rev() {
                let _ = std::fs::rename(back_to, back_from);
            }
            return Err(Error::write(&to)(e));
        }
        moved.push((from, to));
    }
    std::fs::remove_dir(staging).map_err(Error::write(staging))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_stack_ids() {
        assert_eq!(
            name_from_dir(Path::new("/tmp/My Infra")).ok(),
            Some("my-infra".into())
        );
        assert_eq!(
            name_from_dir(Path::new("/tmp/2-shop_api/")).ok(),
            Some("shop_api".into())
        );
        assert_eq!(stack_id("my-infra"), "MyInfra");
        assert_eq!(stack_id("shop_api2"), "ShopApi2");
        let err = check_name("cloudwright", Path::new("x"))
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("clash")));
        let err = name_from_dir(Path::new("/tmp/123"))
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("--name")));
    }

    #[test]
    fn an_enclosing_workspace_is_found() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let found = enclosing_workspace(&here.join("new-app")).and_then(|m| m.canonicalize().ok());
        assert_eq!(found, here.join("../../Cargo.toml").canonicalize().ok());
        assert_eq!(enclosing_workspace(Path::new("/")), None);
    }

    #[test]
    fn toml_strings_are_escaped() {
        assert_eq!(toml_string(r#"C:\a "b""#), r#""C:\\a \"b\"""#);
    }
}
