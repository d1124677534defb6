//! Where each stack goes, resolved: its account and region as pinned in the app, or, for a
//! stack that pins neither, the credentials' account (STS, asked once per command) and the
//! default region. Two checks before anything changes, which synthesis cannot make because it
//! does not know where an unpinned stack will go:
//!
//! - **Lookups**: a value the stack read from an account-less lookup key whose answering
//!   account is recorded ([`cloudwright_core::LOOKUP_ACCOUNTS`], the manifest's `lookups`)
//!   must come from the stack's own account ([`Error::LookupFromAnotherAccount`]). A value
//!   with no recorded account was written by hand: the user's statement, used as it is. A key
//!   that holds `account=` was looked up in that account, which
//!   [`crate::aws::accounts::resolve`] verifies.
//! - **Strong references**: a stack that imports another's export (`Fn::ImportValue`) must go
//!   to the producer's account and region, since exports do not cross either
//!   ([`Error::CrossEnvironmentImport`]). Synthesis refuses the pairs it can see, both pinned
//!   differently; this catches a pinned stack paired with an unpinned one.

use std::collections::{BTreeMap, BTreeSet};

use cloudwright_core::ManifestStack;
use serde_json::Value;

use crate::app::assembly::CloudAssembly;
use crate::aws::accounts::Accounts;
use crate::error::{Error, Result};

/// A stack's resolved account and region, and whether the app pinned each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Environment {
    /// The account id.
    pub account: String,
    /// Whether the app pinned the account (else: the credentials').
    pub account_pinned: bool,
    /// The region (`None`: unpinned and no default region configured).
    pub region: Option<String>,
    /// Whether the app pinned the region (else: the default region).
    pub region_pinned: bool,
}

impl Environment {
    /// Whether two environments are the same account and region.
    fn same_place(&self, other: &Environment) -> bool {
        self.account == other.account && self.region == other.region
    }
}

impl std::fmt::Display for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "account {} ({}), region {} ({})",
            self.account,
            if self.account_pinned {
                "pinned"
            } else {
                "unpinned: the credentials'"
            },
            self.region.as_deref().unwrap_or("unknown"),
            if self.region_pinned {
                "pinned"
            } else {
                "unpinned: the default region"
            }
        )
    }
}

/// Resolves stacks' environments, asking STS at most once.
struct Resolver<'a> {
    accounts: &'a Accounts,
}

impl Resolver<'_> {
    async fn account(&self, s: &ManifestStack) -> Result<String> {
        self.accounts
            .account_id(
                s.account.as_deref(),
                s.region.as_deref(),
                &format!("stack `{}`", s.id),
            )
            .await
    }

    async fn environment(&self, s: &ManifestStack) -> Result<Environment> {
        Ok(Environment {
            account: self.account(s).await?,
            account_pinned: s.account.is_some(),
            region: s
                .region
                .clone()
                .or_else(|| self.accounts.base().default_region().map(str::to_owned)),
            region_pinned: s.region.is_some(),
        })
    }
}

/// Whether a lookup key names its account (`...:account=<id>:...`): such a key was looked up
/// in that account, and is only used by stacks pinned to it.
fn keyed_by_account(key: &str) -> bool {
    crate::app::lookup::parse_key(key).map_or_else(
        || {
            key.split(':')
                .any(|segment| segment.starts_with("account="))
        },
        |q| q.props.contains_key("account"),
    )
}

/// The export names a template imports with a literal `Fn::ImportValue`.
pub fn imports(template: &Value) -> BTreeSet<String> {
    fn walk(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                if let (1, Some(Value::String(name))) = (m.len(), m.get("Fn::ImportValue")) {
                    out.insert(name.clone());
                }
                m.values().for_each(|x| walk(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(template, &mut out);
    out
}

/// Checks, before anything changes, that every selected stack reads lookup values answered by
/// its own account and imports only from stacks in its own account and region.
pub async fn check(
    accounts: &Accounts,
    assembly: &CloudAssembly,
    selected: &[&ManifestStack],
) -> Result<()> {
    let resolver = Resolver { accounts };
    for s in selected {
        // lookups answered by an account, in a key that does not name it
        let answered: Vec<(&String, &String)> = s
            .lookups
            .iter()
            .filter_map(|(key, account)| Some((key, account.as_ref()?)))
            .filter(|(key, _)| !keyed_by_account(key))
            .collect();
        if !answered.is_empty() {
            let account = resolver.account(s).await?;
            if let Some((key, answered_by)) = answered.into_iter().find(|(_, a)| **a != account) {
                return Err(Error::LookupFromAnotherAccount(Box::new(
                    LookupFromAnotherAccount {
                        stack: s.id.clone(),
                        key: key.clone(),
                        answered_by: answered_by.clone(),
                        account,
                        pinned: s.account.is_some(),
                    },
                )));
            }
        }
    }
    // imports: every export name the app's stacks declare, by producer
    let producers: BTreeMap<&str, &ManifestStack> = assembly
        .stacks()
        .iter()
        .flat_map(|p| p.exports.iter().map(move |e| (e.as_str(), p)))
        .collect();
    for s in selected {
        let text = assembly.template(s)?;
        let template: Value = serde_json::from_str(&text).map_err(|e| Error::Assembly {
            dir: assembly.dir.clone(),
            message: format!("the template of stack `{}` is not JSON: {e}", s.id),
        })?;
        for export in imports(&template) {
            let Some(producer) = producers.get(export.as_str()).filter(|p| p.id != s.id) else {
                continue; // an export from outside the app: CloudFormation checks it
            };
            // the same pins (both unpinned too) always resolve to the same place
            if producer.account == s.account && producer.region == s.region {
                continue;
            }
            let (consumer_env, producer_env) = (
                resolver.environment(s).await?,
                resolver.environment(producer).await?,
            );
            if !consumer_env.same_place(&producer_env) {
                return Err(Error::CrossEnvironmentImport(Box::new(
                    CrossEnvironmentImport {
                        consumer: s.id.clone(),
                        consumer_env,
                        producer: producer.id.clone(),
                        producer_env,
                        export,
                    },
                )));
            }
        }
    }
    Ok(())
}

/// What [`Error::LookupFromAnotherAccount`] reports.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "stack `{stack}` uses context key `{key}`, whose value was looked up in account {answered_by}, but the stack deploys into account {account}{}, and a value from one account is never used for another. Nothing was changed. Fix: {}, or look the value up again in account {account} (`cloudwright lookup --refresh` with its credentials).",
    if *pinned { "" } else { " (the credentials', as the stack pins no account)" },
    if *pinned {
        "look it up again"
    } else {
        "pin the stack's account (`StackProps::new().account(\"...\")`) so its lookups are keyed by account and looked up there"
    }
)]
pub struct LookupFromAnotherAccount {
    /// The stack's id.
    pub stack: String,
    /// The context key.
    pub key: String,
    /// The account recorded as having answered the lookup.
    pub answered_by: String,
    /// The account the stack deploys into.
    pub account: String,
    /// Whether the stack pins its account.
    pub pinned: bool,
}

/// What [`Error::CrossEnvironmentImport`] reports.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "stack `{consumer}` ({consumer_env}) imports the export `{export}` of stack `{producer}` ({producer_env}), and CloudFormation exports do not cross accounts or regions: it cannot deploy there. Nothing was changed. Fix: make the reference weak (`scope.weak_ref(value)`: a parameter filled from the producer's output at deploy), or pin both stacks to the same account and region."
)]
pub struct CrossEnvironmentImport {
    /// The importing stack.
    pub consumer: String,
    /// Where it goes.
    pub consumer_env: Environment,
    /// The exporting stack.
    pub producer: String,
    /// Where that goes.
    pub producer_env: Environment,
    /// The export imported.
    pub export: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_literal_imports_anywhere() {
        let t = serde_json::json!({
            "Resources": {"A": {"Properties": {
                "X": {"Fn::ImportValue": "P:Out"},
                "Y": [{"Fn::Join": ["", [{"Fn::ImportValue": "P:Other"}]]}],
                "Z": {"Fn::ImportValue": {"Fn::Sub": "${Name}"}}
            }}}
        });
        let found: Vec<String> = imports(&t).into_iter().collect();
        assert_eq!(found, ["P:Other", "P:Out"]);
    }

    #[test]
    fn keys_that_name_their_account_are_told_apart() {
        assert!(keyed_by_account(
            "vpc-provider:account=111111111111:filter.isDefault=true:region=eu-west-1"
        ));
        assert!(!keyed_by_account(
            "vpc-provider:filter.isDefault=true:region=eu-west-1"
        ));
        assert!(keyed_by_account("custom:account=1:x=y"));
        assert!(!keyed_by_account("plain"));
    }

    #[test]
    fn environments_say_what_was_pinned() {
        let e = Environment {
            account: "123456789012".into(),
            account_pinned: false,
            region: Some("eu-west-1".into()),
            region_pinned: false,
        };
        assert_eq!(
            e.to_string(),
            "account 123456789012 (unpinned: the credentials'), region eu-west-1 (unpinned: the default region)"
        );
    }
}
