//! Running the app: its command split into words (no shell), with `--out DIR --context-file
//! FILE --missing-report FILE` appended, `-c key=value` for each override, and `--yaml` for
//! `synth --yaml`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cloudwright_core::MissingContext;

use crate::config::{AppCommand, Settings};
use crate::error::{Error, Result};

/// What one run of the app produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppOutcome {
    /// The assembly was written; this is what the app printed.
    Synthesized {
        /// The app's standard output (its summary).
        stdout: String,
        /// The warnings it printed on stderr (`warning: ...` lines).
        warnings: Vec<String>,
    },
    /// The app needs context lookups before it can synthesize.
    Missing(Vec<MissingContext>),
}

/// A temporary file path, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(stem: &str) -> Self {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        TempFile(std::env::temp_dir().join(format!(
            "cloudwright-{stem}-{}-{}.json",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        )))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The arguments appended to the app's command.
pub fn app_arguments(settings: &Settings, missing_report: &Path, quiet: bool) -> Vec<String> {
    let mut args = vec![
        "--out".to_owned(),
        settings.out.display().to_string(),
        "--context-file".to_owned(),
        settings.context_file.display().to_string(),
        "--missing-report".to_owned(),
        missing_report.display().to_string(),
    ];
    for c in &settings.context {
        args.push("-c".into());
        args.push(c.clone());
    }
    if quiet {
        args.push("--quiet".into());
    }
    if settings.yaml {
        args.push("--yaml".into());
    }
    args
}

/// Runs the app once. A run that fails but reports missing context is
/// [`AppOutcome::Missing`]; any other failure is [`Error::AppFailed`] with what the app printed.
pub fn run_app(app: &AppCommand, settings: &Settings, quiet: bool) -> Result<AppOutcome> {
    let report = TempFile::new("missing");
    let (program, args) = match app.words.split_first() {
        Some(split) => split,
        None => return Err(Error::NoApp),
    };
    let output = Command::new(program)
        .args(args)
        .args(app_arguments(settings, &report.0, quiet))
        .stdin(Stdio::null())
        .output()
        .map_err(|source| Error::AppSpawn {
            command: app.display.clone(),
            source,
        })?;
    let missing = read_missing_report(&report.0)?;
    if !missing.is_empty() {
        return Ok(AppOutcome::Missing(missing));
    }
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.success() {
        let warnings = stderr
            .lines()
            .filter(|l| l.starts_with("warning:"))
            .map(str::to_owned)
            .collect();
        return Ok(AppOutcome::Synthesized { stdout, warnings });
    }
    let mut shown = stderr.trim_end().to_owned();
    if !stdout.trim().is_empty() {
        if !shown.is_empty() {
            shown.push('\n');
        }
        shown.push_str(stdout.trim_end());
    }
    Err(Error::AppFailed {
        command: app.display.clone(),
        status: match output.status.code() {
            Some(code) => format!("exit status {code}"),
            None => "killed by a signal".into(),
        },
        output: shown,
    })
}

/// Reads the missing-context report an app wrote (an absent or empty file means none).
pub fn read_missing_report(path: &Path) -> Result<Vec<MissingContext>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::read(path)(e)),
    };
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_str(&text).map_err(|e| Error::InvalidFile {
        path: path.to_owned(),
        message: format!(
            "the app's missing-context report is not a JSON array of {{key, query: {{provider, props}}}}: {e}"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_missing_reports() {
        let f = TempFile::new("test");
        assert!(read_missing_report(&f.0).unwrap().is_empty());
        std::fs::write(
            &f.0,
            r#"[{"key": "vpc-provider:region=eu-west-1:vpcId=vpc-1", "query": {"provider": "vpc-provider", "props": {"region": "eu-west-1", "vpcId": "vpc-1"}}}]"#,
        )
        .unwrap();
        let m = read_missing_report(&f.0).unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].query.key(), m[0].key);
        std::fs::write(&f.0, "{").unwrap();
        assert!(read_missing_report(&f.0).is_err());
    }

    #[test]
    fn appends_runner_flags() {
        let settings = Settings {
            app: None,
            assembly: None,
            context_file: "ctx.json".into(),
            out: "out".into(),
            context: vec!["a=1".into()],
            surface: None,
            yaml: true,
            production: Vec::new(),
            watch: Default::default(),
            accounts: Default::default(),
        };
        assert_eq!(
            app_arguments(&settings, Path::new("/tmp/m.json"), true),
            [
                "--out",
                "out",
                "--context-file",
                "ctx.json",
                "--missing-report",
                "/tmp/m.json",
                "-c",
                "a=1",
                "--quiet",
                "--yaml"
            ]
        );
    }
}
