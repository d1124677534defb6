//! Helpers shared by the workspace integration tests: start and stop `moto_server` on
//! 127.0.0.1, synthesize the demo apps, temporary directories; cfn-lint comes from the public
//! `cloudwright-testing` crate (re-exported here so the tests keep their imports).
//!
//! Tools are found, in order, through an environment variable (`CFN_LINT`, `MOTO_SERVER`),
//! the project-local virtualenv (`.venv/bin/` at the workspace root, which `scripts/test`
//! creates), and `PATH`.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The flask-api app's one template, synthesized in process from the context file it ships
/// with.
pub fn flask_api_template() -> String {
    let file = workspace_root().join("apps/flask-api/cloudwright.context.json");
    let context = match cloudwright_core::Context::from_file(&file) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    };
    let mut app = cloudwright_core::App::with_context(context);
    if let Err(e) = app_flask_api::build(&mut app) {
        panic!("{e}");
    }
    match app.synth() {
        Ok(assembly) => assembly.stacks[0].template.clone(),
        Err(e) => panic!("{e}"),
    }
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The path of a tool: `$VAR`, else `.venv/bin/NAME`, else `NAME` on `PATH`.
pub fn tool(var: &str, name: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(var) {
        return PathBuf::from(p);
    }
    let local = workspace_root().join(".venv/bin").join(name);
    if local.exists() {
        return local;
    }
    PathBuf::from(name)
}

/// The Python that runs cfn-lint (it has cfn-lint's `regex` module): the one beside
/// `$CFN_LINT` when that is set, else `.venv/bin/python`, else `python3` on `PATH`.
pub fn cfn_lint_python() -> PathBuf {
    if let Some(lint) = std::env::var_os("CFN_LINT") {
        let python = Path::new(&lint).with_file_name("python");
        if python.exists() {
            return python;
        }
    }
    let local = workspace_root().join(".venv/bin/python");
    if local.exists() {
        return local;
    }
    PathBuf::from("python3")
}

/// A fresh, empty temporary directory, removed when dropped: the shared fixture
/// [`cloudwright_testing::fixtures::TempDir`] for callers that treat failing to make one as a
/// panic. New tests use the fixture itself, which returns a `Result`.
#[derive(Debug)]
pub struct TempDir(cloudwright_testing::fixtures::TempDir);

impl TempDir {
    /// Creates one whose name starts with `cloudwright-<prefix>-`; panics when it cannot,
    /// naming the directory and the cause.
    pub fn new(prefix: &str) -> Self {
        match cloudwright_testing::fixtures::TempDir::new(prefix) {
            Ok(dir) => TempDir(dir),
            Err(e) => panic!("{e}"),
        }
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

pub use cloudwright_testing::{
    assert_lint_clean, assert_lint_clean_informational, assert_lint_no_errors,
};

/// Runs `cfn-lint` on template files (through `cloudwright-testing`); returns its findings
/// (empty when clean).
///
/// Panics when cfn-lint cannot be run at all, because a lint that silently did not run
/// would let every template pass.
pub fn cfn_lint_files(files: &[&Path]) -> Vec<String> {
    cloudwright_testing::lint_files(files, &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// Writes `template` to a temporary file named `name` and lints it.
pub fn cfn_lint_template(name: &str, template: &str) -> Vec<String> {
    cloudwright_testing::lint_template(name, template, &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// A `moto_server` on 127.0.0.1 at a free port, stopped when dropped.
pub struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    /// Starts `moto_server` on 127.0.0.1 and waits until it answers.
    pub fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port on 127.0.0.1: {e}"));
        let bin = tool("MOTO_SERVER", "moto_server");
        let mut child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {} ({e}); run scripts/test, which installs moto into .venv",
                    bin.display()
                )
            });
        // drain stderr so the server never blocks on a full pipe
        if let Some(stderr) = child.stderr.take() {
            std::thread::spawn(move || for _ in BufReader::new(stderr).lines() {});
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("moto_server did not start on 127.0.0.1:{port} within 30 s");
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("moto_server exited at start: {status}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Moto { child, port }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Environment for an AWS SDK client or the CLI aimed at this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_SESSION_TOKEN", "testing".into()),
            ("AWS_REGION", "eu-west-1".into()),
            ("AWS_DEFAULT_REGION", "eu-west-1".into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ]
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
