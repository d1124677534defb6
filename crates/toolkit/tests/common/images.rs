//! Building and pushing image assets for real in tests: buildah (vfs storage, chroot isolation,
//! no daemon) and a `docker-registry` on 127.0.0.1. Without them a test prints why and passes,
//! except under CI (env `CI` set), where it fails.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether buildah and docker-registry are installed; outside CI a missing one skips the test
/// with the reason printed, under CI it fails it.
pub fn tools_present() -> bool {
    let missing: Vec<&str> = ["buildah", "docker-registry"]
        .into_iter()
        .filter(|t| {
            Command::new(t)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_err()
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    let why = format!(
        "{} not installed (apt-get install buildah docker-registry; scripts/test does it)",
        missing.join(" and ")
    );
    assert!(std::env::var_os("CI").is_none(), "under CI: {why}");
    eprintln!("SKIPPED: {why}");
    false
}

/// A free port on 127.0.0.1 (nothing listens on it once returned).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `docker-registry` on 127.0.0.1 at a free port, storing under `dir`. Stopped when dropped.
pub struct Registry {
    child: Child,
    /// Its port.
    pub port: u16,
}

impl Registry {
    /// Starts it and waits (30 s at most) until it listens.
    pub fn start(dir: &Path) -> Registry {
        Registry::start_with(dir, false)
    }

    /// Starts one that refuses every push (maintenance read-only mode).
    pub fn start_read_only(dir: &Path) -> Registry {
        Registry::start_with(dir, true)
    }

    fn start_with(dir: &Path, read_only: bool) -> Registry {
        let port = free_port();
        let config = dir.join(format!("registry-{port}.yml"));
        let mut text = format!(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\n",
            dir.join(format!("registry-{port}")).display()
        );
        if read_only {
            text.push_str("  maintenance:\n    readonly:\n      enabled: true\n");
        }
        text.push_str(&format!("http:\n  addr: 127.0.0.1:{port}\n"));
        std::fs::write(&config, text).unwrap();
        let mut child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("docker-registry exited at start: {status}");
            }
            assert!(Instant::now() < deadline, "docker-registry did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Registry { child, port }
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The environment buildah runs in: vfs storage and chroot isolation under `dir`, its own
/// registry credentials file, `HOME` there too (so nothing it writes lands in a watched
/// project).
pub fn buildah_env(dir: &Path) -> Vec<(&'static str, String)> {
    let conf = dir.join("storage.conf");
    std::fs::write(
        &conf,
        format!(
            "[storage]\ndriver = \"vfs\"\ngraphroot = \"{}\"\nrunroot = \"{}\"\n",
            dir.join("containers/storage").display(),
            dir.join("containers/run").display()
        ),
    )
    .unwrap();
    vec![
        ("CLOUDWRIGHT_CONTAINER_TOOL", "buildah".into()),
        ("CONTAINERS_STORAGE_CONF", conf.display().to_string()),
        ("BUILDAH_ISOLATION", "chroot".into()),
        (
            "REGISTRY_AUTH_FILE",
            dir.join("containers/auth.json").display().to_string(),
        ),
        ("HOME", dir.display().to_string()),
    ]
}
