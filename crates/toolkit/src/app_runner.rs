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

/// How much of each of the app's output streams is kept (the rest is counted and dropped).
pub const OUTPUT_CAP: usize = 4 * 1024 * 1024;

/// How much of the app's output an error message shows (its end, where the error usually is).
pub const SHOWN_CAP: usize = 64 * 1024;

/// The default for how long one run of the app may take (`appTimeout`, `--app-timeout`).
pub const DEFAULT_APP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

/// One output stream of the app, read up to [`OUTPUT_CAP`].
#[derive(Default)]
struct Captured {
    kept: Vec<u8>,
    dropped: u64,
}

impl Captured {
    fn read(mut from: impl std::io::Read) -> Captured {
        let mut c = Captured::default();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => return c,
                Ok(n) => {
                    let room = OUTPUT_CAP.saturating_sub(c.kept.len()).min(n);
                    c.kept.extend_from_slice(&buf[..room]);
                    c.dropped += (n - room) as u64;
                }
            }
        }
    }

    fn text(&self) -> String {
        let mut t = String::from_utf8_lossy(&self.kept).into_owned();
        if self.dropped > 0 {
            t.push_str(&format!(
                "\n[output truncated: cloudwright kept the first {} MB and dropped {} more bytes]",
                OUTPUT_CAP / (1024 * 1024),
                self.dropped
            ));
        }
        t
    }
}

/// The end of `text`, at most [`SHOWN_CAP`] bytes, with a note when it was cut.
fn shown_tail(text: &str) -> String {
    if text.len() <= SHOWN_CAP {
        return text.to_owned();
    }
    let mut start = text.len() - SHOWN_CAP;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!(
        "[output truncated: only its last {} KB are shown]\n{}",
        SHOWN_CAP / 1024,
        &text[start..]
    )
}

/// What an error shows of the app's output: the end of stderr, then the end of stdout.
fn shown(stdout: &str, stderr: &str) -> String {
    let mut shown = shown_tail(stderr.trim_end());
    if !stdout.trim().is_empty() {
        if !shown.is_empty() {
            shown.push('\n');
        }
        shown.push_str(&shown_tail(stdout.trim_end()));
    }
    shown
}

/// Runs the app once, in a process group of its own (so stopping it stops what it started),
/// for at most `settings.app_timeout`, keeping at most [`OUTPUT_CAP`] bytes of each output
/// stream. A run that fails but reports missing context is [`AppOutcome::Missing`]; any other
/// failure is [`Error::AppFailed`] with (the end of) what the app printed, a run over the
/// timeout [`Error::AppTimeout`].
pub fn run_app(app: &AppCommand, settings: &Settings, quiet: bool) -> Result<AppOutcome> {
    use std::os::unix::process::CommandExt;
    let report = TempFile::new("missing");
    let (program, args) = match app.words.split_first() {
        Some(split) => split,
        None => return Err(Error::NoApp),
    };
    let mut child = Command::new(program)
        .args(args)
        .args(app_arguments(settings, &report.0, quiet))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|source| Error::AppSpawn {
            command: app.display.clone(),
            source,
        })?;
    let pid = child.id();
    crate::interrupt::child_started(pid);
    let out = child
        .stdout
        .take()
        .map(|o| std::thread::spawn(move || Captured::read(o)));
    let err = child
        .stderr
        .take()
        .map(|e| std::thread::spawn(move || Captured::read(e)));
    let started = std::time::Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if started.elapsed() >= settings.app_timeout => {
                crate::interrupt::stop_group(pid, std::time::Duration::from_secs(2));
                let _ = child.wait();
                break Err(());
            }
            // a signal stops cloudwright: the app (out of the terminal's reach) stops with it
            Ok(None) if crate::interrupt::stopping() => {
                crate::interrupt::stop_app(pid);
                if let Ok(status) = child.wait() {
                    break Ok(status);
                }
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(20)),
            Err(source) => {
                crate::interrupt::stop_group(pid, std::time::Duration::from_secs(2));
                crate::interrupt::child_ended(pid);
                return Err(Error::AppSpawn {
                    command: app.display.clone(),
                    source,
                });
            }
        }
    };
    // whatever the app started in its group and left running goes with it
    if status.is_ok() {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stderr(Stdio::null())
            .status();
    }
    crate::interrupt::child_ended(pid);
    let join = |h: Option<std::thread::JoinHandle<Captured>>| {
        h.and_then(|h| h.join().ok()).unwrap_or_default()
    };
    let (stdout, stderr) = (join(out).text(), join(err).text());
    let Ok(status) = status else {
        return Err(Error::AppTimeout {
            command: app.display.clone(),
            seconds: settings.app_timeout.as_secs(),
            output: shown(&stdout, &stderr),
        });
    };
    let missing = read_missing_report(&report.0)?;
    if !missing.is_empty() {
        return Ok(AppOutcome::Missing(missing));
    }
    if status.success() {
        let warnings = stderr
            .lines()
            .filter(|l| l.starts_with("warning:"))
            .map(str::to_owned)
            .collect();
        return Ok(AppOutcome::Synthesized { stdout, warnings });
    }
    Err(Error::AppFailed {
        command: app.display.clone(),
        status: match status.code() {
            Some(code) => format!("exit status {code}"),
            None => "killed by a signal".into(),
        },
        output: shown(&stdout, &stderr),
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
    use std::io::Read;

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
    fn shows_the_end_of_long_output() {
        let long = format!("{}the error", "x".repeat(SHOWN_CAP * 2));
        let shown = shown_tail(&long);
        assert!(shown.len() < SHOWN_CAP + 100);
        assert!(shown.starts_with("[output truncated"), "{}", &shown[..80]);
        assert!(shown.ends_with("the error"));
        assert_eq!(shown_tail("short"), "short");
        let c = Captured::read(std::io::repeat(b'a').take(OUTPUT_CAP as u64 + 10));
        assert_eq!(c.kept.len(), OUTPUT_CAP);
        assert_eq!(c.dropped, 10);
        assert!(c.text().ends_with("dropped 10 more bytes]"));
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
            app_timeout: DEFAULT_APP_TIMEOUT,
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
