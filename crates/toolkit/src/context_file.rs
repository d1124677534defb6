//! The app's context file: a JSON object of context keys, read whole and written back with
//! sorted keys and pretty printing, atomically (a temporary file beside it, then a rename).

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
}
