//! The app's context file: a JSON object of context keys, read whole and written back with
//! sorted keys and pretty printing, atomically (a temporary file beside it, then a rename).
//!
//! Runs that write it at the same time (lookups of several `cloudwright` processes) go through
//! [`ContextFile::update`]: a lock file beside it (`<file>.lock`, created with `O_EXCL`,
//! holding the owner's host and process id) serializes read, merge and write, so no run's
//! values are lost. A lock whose process is gone, or older than [`STALE_LOCK`], is taken over:
//! by one run at a time (holding `<file>.lock.takeover`, also `O_EXCL`), which reads the owner
//! again before removing it, so two runs that found it stale cannot both take it over.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The context file's contents.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContextFile {
    /// Where it lives.
    pub path: PathBuf,
    /// Its keys and values, sorted.
    pub values: BTreeMap<String, serde_json::Value>,
}

impl ContextFile {
    /// Reads the file; one that does not exist is empty.
    pub fn read(path: &Path) -> Result<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(ContextFile {
                    path: path.to_owned(),
                    values: BTreeMap::new(),
                });
            }
            Err(e) => return Err(Error::read(path)(e)),
        };
        let values = if text.trim().is_empty() {
            BTreeMap::new()
        } else {
            serde_json::from_str(&text).map_err(|e| Error::InvalidFile {
                path: path.to_owned(),
                message: format!(
                    "a context file must hold one JSON object of context keys ({e}); fix or delete it"
                ),
            })?
        };
        Ok(ContextFile {
            path: path.to_owned(),
            values,
        })
    }

    /// Writes the file atomically: pretty JSON, sorted keys, trailing newline.
    pub fn write(&self) -> Result<()> {
        let mut text = serde_json::to_string_pretty(&sorted(&self.values)).map_err(|e| {
            Error::InvalidFile {
                path: self.path.clone(),
                message: e.to_string(),
            }
        })?;
        text.push('\n');
        write_atomically(&self.path, text.as_bytes())
    }
}

impl ContextFile {
    /// Merges lookup values in, with the account that answered each account-less key
    /// ([`cloudwright_core::LOOKUP_ACCOUNTS`]); a key filled again without a recorded account
    /// (named in its key instead) loses any account recorded for it before.
    pub fn record(&mut self, found: &crate::app::lookup::Found) {
        self.values.extend(found.values.clone());
        let mut accounts = match self.values.remove(cloudwright_core::LOOKUP_ACCOUNTS) {
            Some(serde_json::Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        };
        for key in found.values.keys() {
            match found.answered_by.get(key) {
                Some(a) => accounts.insert(key.clone(), a.clone().into()),
                None => accounts.remove(key),
            };
        }
        if !accounts.is_empty() {
            self.values.insert(
                cloudwright_core::LOOKUP_ACCOUNTS.to_owned(),
                serde_json::Value::Object(accounts),
            );
        }
    }
}

/// How long a run waits for another run's lock on the context file.
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// A lock older than this is taken over whatever its owner (no write takes this long).
pub const STALE_LOCK: std::time::Duration = std::time::Duration::from_secs(60);

impl ContextFile {
    /// Reads the file, lets `change` merge into it, and writes it back, holding the file's
    /// lock throughout so that concurrent runs never overwrite each other's values.
    pub fn update(path: &Path, change: impl FnOnce(&mut ContextFile)) -> Result<()> {
        let _lock = Lock::acquire(path)?;
        let mut file = ContextFile::read(path)?;
        change(&mut file);
        file.write()
    }
}

/// The context file's lock, removed when dropped.
struct Lock(PathBuf);

impl Lock {
    fn path(file: &Path) -> PathBuf {
        let mut name = file.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        file.with_file_name(name)
    }

    fn acquire(file: &Path) -> Result<Lock> {
        use std::io::Write;
        let path = Lock::path(file);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(Error::write(dir))?;
        }
        let me = crate::interrupt::RunMark::this();
        let started = std::time::Instant::now();
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => {
                    f.write_all(me.text().as_bytes())
                        .map_err(Error::write(&path))?;
                    return Ok(Lock(path));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if Lock::stale(&path) && Lock::take_over(&path) {
                        continue;
                    }
                    if started.elapsed() >= LOCK_WAIT {
                        return Err(Error::ContextLocked {
                            path: file.to_owned(),
                            lock: path,
                            seconds: LOCK_WAIT.as_secs(),
                        });
                    }
                    std::thread::sleep(std::time::Duration::from_millis(10 + fastrand::u64(0..30)));
                }
                Err(e) => return Err(Error::write(&path)(e)),
            }
        }
    }

    /// Removes the stale lock at `path`, if it is still stale once this run alone may take it
    /// over; returns whether it tried (else: another run is taking it over, wait).
    ///
    /// Two runs that both found the lock stale must not both remove "it": the first would
    /// remove the dead run's lock and create its own, and the second, acting on what it read
    /// before, would then remove that live lock. So a taker first creates `<lock>.takeover`
    /// (`O_EXCL`: one taker at a time) and, holding it, reads the owner again right before
    /// removing the lock: a lock created meanwhile by a live run is then seen as live.
    fn take_over(path: &Path) -> bool {
        let mut name = path.as_os_str().to_owned();
        name.push(".takeover");
        let guard = PathBuf::from(name);
        if std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&guard)
            .is_err()
        {
            // a taker that died holding the guard (within microseconds of work) leaves it:
            // one as old as a stale lock is removed
            let old = std::fs::metadata(&guard)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > STALE_LOCK);
            if old {
                let _ = std::fs::remove_file(&guard);
            }
            return false;
        }
        if Lock::stale(path) {
            let _ = std::fs::remove_file(path);
        }
        let _ = std::fs::remove_file(&guard);
        true
    }

    /// Whether a lock was left by a run that is gone: its process no longer runs on this
    /// host, or it is older than [`STALE_LOCK`].
    fn stale(path: &Path) -> bool {
        let old = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_LOCK);
        if old {
            return true;
        }
        match std::fs::read_to_string(path) {
            Ok(text) => crate::interrupt::RunMark::parse(&text)
                .and_then(|m| m.running())
                .is_some_and(|running| !running),
            Err(_) => false,
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A copy of the values with every nested object's keys sorted too (whatever order
/// `serde_json` keeps objects in).
fn sorted(values: &BTreeMap<String, serde_json::Value>) -> BTreeMap<String, Sorted> {
    values
        .iter()
        .map(|(k, v)| (k.clone(), Sorted::from(v)))
        .collect()
}

/// A JSON value whose objects serialize with sorted keys.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Sorted {
    Object(BTreeMap<String, Sorted>),
    Array(Vec<Sorted>),
    Other(serde_json::Value),
}

impl From<&serde_json::Value> for Sorted {
    fn from(v: &serde_json::Value) -> Self {
        match v {
            serde_json::Value::Object(m) => Sorted::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), Sorted::from(v)))
                    .collect(),
            ),
            serde_json::Value::Array(a) => Sorted::Array(a.iter().map(Sorted::from).collect()),
            other => Sorted::Other(other.clone()),
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so
/// readers see the old or the new file, never half of one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(Error::write(&dir))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(Error::write(path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_sorted_pretty_json_and_reads_it_back() {
        let dir = std::env::temp_dir().join(format!("cw-ctxfile-{}", std::process::id()));
        let path = dir.join("sub/ctx.json");
        let mut f = ContextFile::read(&path).unwrap();
        assert!(f.values.is_empty());
        f.values
            .insert("b".into(), json!({"z": 1, "a": [{"y": 2, "x": 1}]}));
        f.values.insert("a".into(), json!("v"));
        f.write().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "{\n  \"a\": \"v\",\n  \"b\": {\n    \"a\": [\n      {\n        \"x\": 1,\n        \"y\": 2\n      }\n    ],\n    \"z\": 1\n  }\n}\n"
        );
        assert_eq!(ContextFile::read(&path).unwrap(), f);
        std::fs::write(&path, "[1]").unwrap();
        let e = ContextFile::read(&path).unwrap_err().to_string();
        assert!(e.contains("ctx.json") && e.contains("JSON object"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn updates_take_the_lock_and_a_dead_owners_lock_is_taken_over() {
        let dir = std::env::temp_dir().join(format!("cw-ctxlock-{}", std::process::id()));
        let path = dir.join("ctx.json");
        ContextFile::update(&path, |f| {
            f.values.insert("a".into(), json!(1));
        })
        .unwrap();
        let lock = Lock::path(&path);
        assert!(!lock.exists(), "the lock is removed after the write");
        // a lock left by a process that is gone (a killed run) does not block
        std::fs::write(
            &lock,
            format!("[run {}:{}]", crate::interrupt::host_name(), u32::MAX - 1),
        )
        .unwrap();
        assert!(Lock::stale(&lock));
        ContextFile::update(&path, |f| {
            f.values.insert("b".into(), json!(2));
        })
        .unwrap();
        assert_eq!(ContextFile::read(&path).unwrap().values.len(), 2);
        // a live owner's lock is not stale
        std::fs::write(&lock, crate::interrupt::RunMark::this().text()).unwrap();
        assert!(!Lock::stale(&lock));
        // a taker that found the lock stale before a live run replaced it (the race of two
        // takers) reads the owner again under the takeover guard and leaves the live lock
        assert!(Lock::take_over(&lock));
        assert!(lock.exists(), "a live run's lock was taken over");
        // while another run holds the guard, no one takes over
        let mut guard = lock.as_os_str().to_owned();
        guard.push(".takeover");
        std::fs::write(&guard, "").unwrap();
        std::fs::write(
            &lock,
            format!("[run {}:{}]", crate::interrupt::host_name(), u32::MAX - 1),
        )
        .unwrap();
        assert!(!Lock::take_over(&lock));
        assert!(lock.exists());
        std::fs::remove_file(&guard).unwrap();
        assert!(Lock::take_over(&lock));
        assert!(!lock.exists(), "a dead run's lock is removed");
        std::fs::write(&lock, crate::interrupt::RunMark::this().text()).unwrap();
        // threads updating at once keep every value
        std::fs::remove_file(&lock).unwrap();
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let path = path.clone();
                std::thread::spawn(move || {
                    for j in 0..5 {
                        ContextFile::update(&path, |f| {
                            f.values.insert(format!("k{i}-{j}"), json!(j));
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(ContextFile::read(&path).unwrap().values.len(), 42);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn lookups_record_the_account_that_answered_beside_their_values() {
        let mut f = ContextFile::default();
        f.values.insert("hand".into(), json!(1));
        let mut found = crate::app::lookup::Found::default();
        found
            .values
            .insert("vpc-provider:region=r:vpcId=a".into(), json!("A"));
        found.answered_by.insert(
            "vpc-provider:region=r:vpcId=a".into(),
            "123456789012".into(),
        );
        f.record(&found);
        assert_eq!(
            f.values[cloudwright_core::LOOKUP_ACCOUNTS],
            json!({"vpc-provider:region=r:vpcId=a": "123456789012"})
        );
        // looked up again under a key that names the account instead: no record left
        let mut again = crate::app::lookup::Found::default();
        again
            .values
            .insert("vpc-provider:region=r:vpcId=a".into(), json!("B"));
        f.record(&again);
        assert_eq!(f.values.get(cloudwright_core::LOOKUP_ACCOUNTS), None);
        assert_eq!(f.values["hand"], json!(1));
    }
}
