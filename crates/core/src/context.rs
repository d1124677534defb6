//! Context: values an app reads at synthesis (from `cloudwright.context.json` and `-c`
//! overrides), and the record of lookups that are still missing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The file name of the context file beside an app.
pub const CONTEXT_FILE: &str = "cloudwright.context.json";

/// The context file's entry that records, for each lookup key without `account=`, the account
/// whose credentials answered it: `{"$lookupAccounts": {"vpc-provider:...": "123456789012"}}`.
/// The toolkit writes it when it performs a lookup; it is not a context value (no lookup key
/// starts with `$`, and [`Context::get`] never returns it). Synthesis copies the accounts of
/// the keys each stack used into the manifest (`lookups`), and deploy refuses a stack whose
/// account differs from the one that answered.
pub const LOOKUP_ACCOUNTS: &str = "$lookupAccounts";

/// What a construct asks the context for: a lookup provider and its properties. The key is
/// derived from both, so the same question always has the same key.
///
/// ```
/// use cloudwright_core::ContextQuery;
/// let q = ContextQuery::new("vpc-provider")
///     .prop("region", "eu-west-1")
///     .prop("filter.isDefault", "true");
/// assert_eq!(q.key(), "vpc-provider:filter.isDefault=true:region=eu-west-1");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextQuery {
    /// The lookup provider (`vpc-provider`, `ecr-image-provider`, ...).
    pub provider: String,
    /// The lookup's properties, in key order.
    pub props: BTreeMap<String, String>,
}

impl ContextQuery {
    /// A query for `provider` with no properties yet.
    pub fn new(provider: impl Into<String>) -> Self {
        ContextQuery {
            provider: provider.into(),
            props: BTreeMap::new(),
        }
    }

    /// Adds a lookup property.
    pub fn prop(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.props.insert(name.into(), value.into());
        self
    }

    /// The context key: `provider:name=value:...` with properties in name order.
    pub fn key(&self) -> String {
        let mut key = self.provider.clone();
        for (k, v) in &self.props {
            key.push(':');
            key.push_str(k);
            key.push('=');
            key.push_str(v);
        }
        key
    }
}

/// A context key that a construct asked for and did not find.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingContext {
    /// The key.
    pub key: String,
    /// The lookup that fills it.
    pub query: ContextQuery,
}

/// The context an app synthesizes with.
#[derive(Clone, Debug, Default)]
pub struct Context {
    values: BTreeMap<String, serde_json::Value>,
    origins: BTreeMap<String, String>,
    file: Option<PathBuf>,
    /// [`LOOKUP_ACCOUNTS`]: the account that answered each account-less lookup key.
    lookup_accounts: BTreeMap<String, String>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Context::default()
    }

    /// Reads a context file: a JSON object of keys to values. A file that does not exist gives
    /// an empty context that remembers the path (it is where missing keys belong).
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let mut ctx = Context {
            file: Some(path.to_owned()),
            ..Context::default()
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ctx),
            Err(source) => {
                return Err(Error::Io {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| Error::ContextFile {
                file: path.to_owned(),
                message: format!("not valid JSON: {e}"),
            })?;
        let serde_json::Value::Object(map) = json else {
            return Err(Error::ContextFile {
                file: path.to_owned(),
                message: "must hold a JSON object of context keys".into(),
            });
        };
        for (k, v) in map {
            if k == LOOKUP_ACCOUNTS {
                ctx.lookup_accounts =
                    read_lookup_accounts(v).map_err(|message| Error::ContextFile {
                        file: path.to_owned(),
                        message,
                    })?;
                continue;
            }
            ctx.origins.insert(k.clone(), path.display().to_string());
            ctx.values.insert(k, v);
        }
        Ok(ctx)
    }

    /// Sets `key` from a `key=value` command-line override. The value is parsed as JSON when
    /// it is valid JSON, and taken as a string otherwise.
    pub fn set_override(&mut self, assignment: &str) -> Result<(), Error> {
        let Some((key, value)) = assignment.split_once('=') else {
            return Err(Error::Usage(format!(
                "context override `{assignment}` must have the form key=value"
            )));
        };
        if key.is_empty() {
            return Err(Error::Usage(format!(
                "context override `{assignment}` has an empty key"
            )));
        }
        let v = serde_json::from_str(value)
            .unwrap_or_else(|_| serde_json::Value::String(value.to_owned()));
        self.set(key, v, format!("the override -c {key}=..."));
        Ok(())
    }

    /// Sets a value, remembering where it came from for error messages.
    pub fn set(&mut self, key: &str, value: serde_json::Value, origin: impl Into<String>) {
        self.values.insert(key.to_owned(), value);
        self.origins.insert(key.to_owned(), origin.into());
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&serde_json::Value> {
        self.values.get(key)
    }

    /// Where the value of `key` came from (a file path or `-c`).
    pub fn origin(&self, key: &str) -> String {
        self.origins
            .get(key)
            .cloned()
            .unwrap_or_else(|| self.file_name())
    }

    /// The account whose credentials answered the lookup `key` (recorded by the toolkit in
    /// [`LOOKUP_ACCOUNTS`]), if one is recorded.
    pub fn lookup_account(&self, key: &str) -> Option<&str> {
        self.lookup_accounts.get(key).map(String::as_str)
    }

    /// Records that `account` answered the lookup `key` (as the toolkit's record in the
    /// context file does).
    pub fn set_lookup_account(&mut self, key: &str, account: impl Into<String>) {
        self.lookup_accounts.insert(key.to_owned(), account.into());
    }

    /// The context file, if the context came from one.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    pub(crate) fn file_name(&self) -> String {
        self.file
            .as_ref()
            .map_or_else(|| CONTEXT_FILE.to_owned(), |f| f.display().to_string())
    }
}

/// Reads the [`LOOKUP_ACCOUNTS`] entry: an object of lookup keys to account ids.
fn read_lookup_accounts(v: serde_json::Value) -> Result<BTreeMap<String, String>, String> {
    let bad = |what: String| {
        format!(
            "`{LOOKUP_ACCOUNTS}` (written by cloudwright lookups) must map lookup keys to 12-digit account ids, but {what}; delete the entry to take the values as your own"
        )
    };
    let serde_json::Value::Object(map) = v else {
        return Err(bad(format!("holds {v}")));
    };
    map.into_iter()
        .map(|(key, account)| match account {
            serde_json::Value::String(a)
                if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Ok((key, a))
            }
            other => Err(bad(format!("`{key}` maps to {other}"))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_parse_json_or_fall_back_to_strings() {
        let mut c = Context::new();
        c.set_override("a=1").unwrap();
        c.set_override("b=hello").unwrap();
        c.set_override("c={\"x\":true}").unwrap();
        assert_eq!(c.get("a"), Some(&serde_json::json!(1)));
        assert_eq!(c.get("b"), Some(&serde_json::json!("hello")));
        assert_eq!(c.get("c"), Some(&serde_json::json!({"x": true})));
        assert!(c.set_override("novalue").is_err());
        assert!(c.set_override("=x").is_err());
    }

    #[test]
    fn a_bad_context_file_names_the_file() {
        let dir = std::env::temp_dir().join(format!("cw-ctx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("bad.json");
        std::fs::write(&f, "{ nope").unwrap();
        let e = Context::from_file(&f).unwrap_err().to_string();
        assert!(
            e.contains("bad.json") && e.contains("not valid JSON"),
            "{e}"
        );
        std::fs::write(&f, "[1]").unwrap();
        let e = Context::from_file(&f).unwrap_err().to_string();
        assert!(e.contains("JSON object"), "{e}");
        std::fs::write(&f, r#"{"$lookupAccounts": {"k": "me"}}"#).unwrap();
        let e = Context::from_file(&f).unwrap_err().to_string();
        assert!(
            e.contains("`k` maps to \"me\"") && e.contains("12-digit"),
            "{e}"
        );
        std::fs::write(&f, r#"{"$lookupAccounts": {"k": "123456789012"}, "k": 1}"#).unwrap();
        let read = Context::from_file(&f).unwrap();
        assert_eq!(read.get("$lookupAccounts"), None, "not a context value");
        assert_eq!(read.lookup_account("k"), Some("123456789012"));
        assert_eq!(read.get("k"), Some(&serde_json::json!(1)));
        let missing = Context::from_file(&dir.join("none.json")).unwrap();
        assert!(missing.get("x").is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
