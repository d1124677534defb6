//! A synthesis run's own assembly directory: each run of the app writes its assembly into a
//! fresh directory under the system's temporary directory, which nothing else writes, so a
//! command that synthesizes and then deploys ships exactly what its own run produced even
//! while another synthesis rewrites the project's `cloudwright.out`. The assembly is then
//! copied into the project's out directory (atomically: a sibling temporary directory renamed
//! into place) for people and tools to look at; the run directory is removed when the command
//! is done with it, and the next run removes those of runs that were killed.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A directory of one synthesis run, removed when dropped.
#[derive(Debug, PartialEq, Eq)]
pub struct RunDir {
    root: PathBuf,
    /// The assembly directory's name inside `root` (the project's out directory's name).
    name: String,
}

impl RunDir {
    /// Creates a new, empty run directory for an assembly that will be published as `out`.
    pub fn create(out: &Path) -> Result<RunDir> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        remove_abandoned(&std::env::temp_dir());
        let root = std::env::temp_dir().join(format!(
            "cloudwright-run-{}-{}-{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&root).map_err(Error::write(&root))?;
        if let Ok(mut live) = LIVE.lock() {
            live.push(root.clone());
        }
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "cloudwright.out".into());
        Ok(RunDir { root, name })
    }

    /// Where the app writes its assembly (`--out`).
    pub fn assembly(&self) -> PathBuf {
        self.root.join(&self.name)
    }

    /// Copies the run's assembly to `out`: into a sibling temporary directory, which then
    /// replaces `out` (a reader of `out` sees the old or the new assembly, never a mix).
    pub fn publish(&self, out: &Path) -> Result<()> {
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(Error::write(&parent))?;
        let unique = self
            .root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = parent.join(format!(".{}.tmp-{unique}", self.name));
        let old = parent.join(format!(".{}.old-{unique}", self.name));
        let result = (|| {
            copy_tree(&self.assembly(), &tmp)?;
            if out.is_dir() {
                std::fs::rename(out, &old).map_err(Error::write(out))?;
                std::fs::rename(&tmp, out).map_err(Error::write(out))?;
                std::fs::remove_dir_all(&old).map_err(Error::write(&old))?;
            } else {
                std::fs::rename(&tmp, out).map_err(Error::write(out))?;
            }
            Ok(())
        })();
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&tmp);
        }
        result
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
        if let Ok(mut live) = LIVE.lock() {
            live.retain(|r| *r != self.root);
        }
    }
}

/// The run directories of this process not yet dropped.
static LIVE: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Removes this process's run directories: a run stopped by SIGINT or SIGTERM exits without
/// dropping them ([`crate::interrupt`] calls this before it exits).
pub fn remove_live() {
    let roots = LIVE.lock().map(|l| l.clone()).unwrap_or_default();
    for root in roots {
        let _ = std::fs::remove_dir_all(&root);
    }
}

/// Removes the run directories in `temp` left by runs that were killed (SIGKILL skips the
/// removal on drop): those whose process no longer exists. Only where that can be known
/// (Linux's `/proc`); elsewhere they stay for the system to clean.
fn remove_abandoned(temp: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(temp) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("cloudwright-run-")
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Copies the directory `from` to `to` (which must not exist), recursively.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir(to).map_err(Error::write(to))?;
    for entry in std::fs::read_dir(from).map_err(Error::read(from))? {
        let entry = entry.map_err(Error::read(from))?;
        let source = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().map_err(Error::read(&source))?;
        if kind.is_dir() {
            copy_tree(&source, &target)?;
        } else {
            std::fs::copy(&source, &target).map_err(Error::write(&target))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_of_killed_runs_are_removed() {
        let temp = std::env::temp_dir().join(format!("cw-rundir-gc-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&temp);
        std::fs::create_dir_all(&temp).unwrap();
        // a pid no process has (above Linux's pid_max), ours, and something else
        let dead = temp.join("cloudwright-run-4294967294-0-1");
        let live = temp.join(format!("cloudwright-run-{}-0-1", std::process::id()));
        let other = temp.join("cloudwright-runner");
        for d in [&dead, &live, &other] {
            std::fs::create_dir_all(d.join("cloudwright.out")).unwrap();
        }
        remove_abandoned(&temp);
        assert_eq!(dead.exists(), !Path::new("/proc/self").exists());
        assert!(live.exists() && other.exists());
        std::fs::remove_dir_all(&temp).unwrap();
    }

    #[test]
    fn publishes_a_copy_and_cleans_up() {
        let base = std::env::temp_dir().join(format!("cw-rundir-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let out = base.join("cloudwright.out");
        let run = RunDir::create(&out).unwrap();
        let a = run.assembly();
        std::fs::create_dir_all(a.join("asset.x")).unwrap();
        std::fs::write(a.join("manifest.json"), "{}").unwrap();
        std::fs::write(a.join("asset.x/Dockerfile"), "FROM x").unwrap();
        run.publish(&out).unwrap();
        std::fs::write(a.join("manifest.json"), "{\"v\": 2}").unwrap();
        run.publish(&out).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("manifest.json")).unwrap(),
            "{\"v\": 2}"
        );
        assert!(out.join("asset.x/Dockerfile").is_file());
        let root = run.root.clone();
        drop(run);
        assert!(!root.exists());
        // nothing but the published directory is left beside it
        let left: Vec<_> = std::fs::read_dir(&base).unwrap().flatten().collect();
        assert_eq!(left.len(), 1);
        std::fs::remove_dir_all(&base).unwrap();
    }
}
