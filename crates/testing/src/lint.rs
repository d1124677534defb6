//! cfn-lint on synthesized templates.
//!
//! Every function returns cfn-lint's findings in its `parseable` format, one line each
//! (`file:line:column:line:column:rule:message`); an empty list means clean. A lint that could
//! not run is an [`Error`], never an empty list, so a missing cfn-lint cannot let a template
//! pass. The `assert_*` functions panic with the findings and the template.

use std::path::{Path, PathBuf};
use std::process::Command;

use cloudwright_core::Assembly;

/// How to install the cfn-lint cloudwright is checked against.
pub const CFN_LINT_INSTALL: &str = "pip install cfn-lint==1.51.0";

/// Why cfn-lint could not lint.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No cfn-lint was found.
    #[error(
        "cfn-lint not found (looked at: {tried}); install it with `{CFN_LINT_INSTALL}`, into a virtualenv at the project root (`python3 -m venv .venv && .venv/bin/{CFN_LINT_INSTALL}`, found automatically) or anywhere on PATH, or set CFN_LINT to its path"
    )]
    Missing {
        /// The places looked at.
        tried: String,
    },
    /// cfn-lint was found but could not be started.
    #[error("cannot run cfn-lint at {path}: {source}; reinstall it with `{CFN_LINT_INSTALL}`")]
    Start {
        /// The cfn-lint that was tried.
        path: PathBuf,
        /// Why it did not start.
        source: std::io::Error,
    },
    /// cfn-lint ran but failed (its exit status 1, or no findings with a failing status).
    #[error("cfn-lint failed (exit status {status:?}):\n{output}")]
    Failed {
        /// Its exit status.
        status: Option<i32>,
        /// What it printed.
        output: String,
    },
    /// A template could not be written for cfn-lint to read.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The assembly has no stack of that id.
    #[error("the assembly has no stack `{0}`")]
    NoStack(String),
}

/// The cfn-lint to run: `$CFN_LINT` when set, else `.venv/bin/cfn-lint` in the crate's
/// directory (`$CARGO_MANIFEST_DIR`, which cargo sets for tests) or the current directory or
/// any directory above them, else `cfn-lint` on `PATH`.
pub fn cfn_lint() -> Result<PathBuf, Error> {
    let mut starts: Vec<PathBuf> = Vec::new();
    for start in [
        std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from),
        std::env::current_dir().ok(),
    ]
    .into_iter()
    .flatten()
    {
        if !starts.contains(&start) {
            starts.push(start);
        }
    }
    locate(
        std::env::var_os("CFN_LINT"),
        &starts,
        std::env::var_os("PATH"),
    )
}

/// [`cfn_lint`] over explicit inputs: the `CFN_LINT` value, the directories to search upwards
/// from for `.venv`, and the `PATH` value.
fn locate(
    var: Option<std::ffi::OsString>,
    starts: &[PathBuf],
    path: Option<std::ffi::OsString>,
) -> Result<PathBuf, Error> {
    if let Some(var) = var {
        let var = PathBuf::from(var);
        return if var.is_file() {
            Ok(var)
        } else {
            Err(Error::Missing {
                tried: format!("CFN_LINT={}", var.display()),
            })
        };
    }
    let mut tried = Vec::new();
    for start in starts {
        for dir in start.ancestors() {
            for venv in [".venv/bin/cfn-lint", ".venv/Scripts/cfn-lint.exe"] {
                let candidate = dir.join(venv);
                if candidate.is_file() {
                    return Ok(candidate);
                }
            }
        }
        tried.push(format!("{}/.venv and above", start.display()));
    }
    if let Some(paths) = path {
        for dir in std::env::split_paths(&paths) {
            for name in ["cfn-lint", "cfn-lint.exe"] {
                let candidate = dir.join(name);
                if candidate.is_file() {
                    return Ok(candidate);
                }
            }
        }
    }
    tried.push("PATH".into());
    Err(Error::Missing {
        tried: tried.join(", "),
    })
}

/// Runs cfn-lint on template files with extra arguments (`--include-checks I`, ...).
pub fn lint_files(files: &[&Path], args: &[&str]) -> Result<Vec<String>, Error> {
    let bin = cfn_lint()?;
    let out = Command::new(&bin)
        .args(["--format", "parseable"])
        .args(args)
        .arg("--")
        .args(files)
        .output()
        .map_err(|source| Error::Start {
            path: bin.clone(),
            source,
        })?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    // cfn-lint exits 0 when clean, and with a bit mask (2 error, 4 warning, 8 info) otherwise;
    // 1 means it failed to run.
    if out.status.code() == Some(1) || (!out.status.success() && stdout.trim().is_empty()) {
        return Err(Error::Failed {
            status: out.status.code(),
            output: format!("{}{stdout}", String::from_utf8_lossy(&out.stderr)),
        });
    }
    Ok(stdout.lines().map(str::to_owned).collect())
}

/// Writes `template` to a temporary file `<name>.template.json` and lints it.
pub fn lint_template(name: &str, template: &str, args: &[&str]) -> Result<Vec<String>, Error> {
    let dir = TempDir::new()?;
    let file = dir.write(name, template)?;
    lint_files(&[&file], args)
}

/// Lints one stack of a synthesized assembly.
pub fn lint_stack(
    assembly: &Assembly,
    stack_id: &str,
    args: &[&str],
) -> Result<Vec<String>, Error> {
    let stack = assembly
        .stack(stack_id)
        .ok_or_else(|| Error::NoStack(stack_id.to_owned()))?;
    lint_template(&stack.id, &stack.template, args)
}

/// Lints every stack of a synthesized assembly in one cfn-lint run.
pub fn lint_assembly(assembly: &Assembly, args: &[&str]) -> Result<Vec<String>, Error> {
    let dir = TempDir::new()?;
    let files = assembly
        .stacks
        .iter()
        .map(|s| dir.write(&s.id, &s.template))
        .collect::<Result<Vec<_>, _>>()?;
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    lint_files(&refs, args)
}

/// Asserts that cfn-lint's default checks (errors and warnings) find nothing in `template`.
///
/// Panics with the findings and the template, or when cfn-lint cannot run.
#[track_caller]
pub fn assert_lint_clean(name: &str, template: &str) {
    check(name, template, lint_template(name, template, &[]), "");
}

/// Asserts that cfn-lint finds nothing even with its informational checks switched on
/// (`--include-checks I`, which cfn-lint leaves off by default).
#[track_caller]
pub fn assert_lint_clean_informational(name: &str, template: &str) {
    let findings = lint_template(name, template, &["--include-checks", "I"]);
    check(name, template, findings, " (informational included)");
}

/// Asserts that cfn-lint reports no errors (warnings and informational findings allowed).
#[track_caller]
pub fn assert_lint_no_errors(name: &str, template: &str) {
    let findings = lint_template(name, template, &[]).map(|all| {
        all.into_iter()
            .filter(|f| {
                f.split(':')
                    .any(|part| part.starts_with('E') && part.len() == 5)
            })
            .collect()
    });
    check(name, template, findings, " (errors)");
}

/// Asserts that cfn-lint's default checks find nothing in one stack of `assembly`.
#[track_caller]
pub fn assert_stack_lint_clean(assembly: &Assembly, stack_id: &str) {
    match assembly.stack(stack_id) {
        Some(stack) => assert_lint_clean(&stack.id, &stack.template),
        None => panic!("{}", Error::NoStack(stack_id.to_owned())),
    }
}

/// Asserts that cfn-lint's default checks find nothing in any stack of `assembly`.
#[track_caller]
pub fn assert_assembly_lint_clean(assembly: &Assembly) {
    match lint_assembly(assembly, &[]) {
        Ok(findings) if findings.is_empty() => {}
        Ok(findings) => panic!("cfn-lint findings:\n{}", findings.join("\n")),
        Err(e) => panic!("{e}"),
    }
}

#[track_caller]
fn check(name: &str, template: &str, findings: Result<Vec<String>, Error>, what: &str) {
    match findings {
        Ok(findings) if findings.is_empty() => {}
        Ok(findings) => panic!(
            "cfn-lint findings{what} for {name}:\n{}\n--- template ---\n{template}",
            findings.join("\n")
        ),
        Err(e) => panic!("{e}"),
    }
}

/// A fresh temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<Self, Error> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "cloudwright-lint-{}-{}-{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
            path: dir.clone(),
            source,
        })?;
        Ok(TempDir(dir))
    }

    /// Writes `<name>.template.json` (the name made file-safe) and returns its path.
    fn write(&self, name: &str, template: &str) -> Result<PathBuf, Error> {
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let file = self.0.join(format!("{safe}.template.json"));
        std::fs::write(&file, template).map_err(|source| Error::Io {
            path: file.clone(),
            source,
        })?;
        Ok(file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_cfn_lint_says_how_to_install_it() {
        let dir = TempDir::new().unwrap_or_else(|e| panic!("{e}"));
        let err = locate(
            None,
            std::slice::from_ref(&dir.0),
            Some(dir.0.clone().into_os_string()),
        )
        .err()
        .unwrap_or_else(|| panic!("found a cfn-lint in an empty directory"));
        let message = err.to_string();
        assert!(matches!(err, Error::Missing { .. }), "{message}");
        assert!(
            message.contains("pip install cfn-lint==1.51.0"),
            "{message}"
        );
        assert!(message.contains(".venv and above"), "{message}");

        let err = locate(Some(dir.0.join("nothing").into_os_string()), &[], None)
            .err()
            .unwrap_or_else(|| panic!("CFN_LINT naming nothing was accepted"));
        assert!(err.to_string().contains("CFN_LINT="), "{err}");
    }

    #[test]
    fn a_venv_above_the_start_is_found() {
        let dir = TempDir::new().unwrap_or_else(|e| panic!("{e}"));
        let bin = dir.0.join(".venv/bin");
        let nested = dir.0.join("crates/app");
        for d in [&bin, &nested] {
            std::fs::create_dir_all(d).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(bin.join("cfn-lint"), "").unwrap_or_else(|e| panic!("{e}"));
        let found = locate(None, &[nested], None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(found, bin.join("cfn-lint"));
    }
}
