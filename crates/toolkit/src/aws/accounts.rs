//! Accounts: the AWS access each stack is worked on with, checked against the account the
//! stack is pinned to (`StackProps::account`, `account` in the manifest) before anything
//! changes.
//!
//! A stack pinned to an account is reached with the role `cloudwright.json` names for that
//! account (`{"accounts": {"222222222222": {"role": "arn:aws:iam::222222222222:role/deploy"}}}`,
//! assumed through STS with the credentials in use), or else with the credentials in use as
//! they are. Either way STS `GetCallerIdentity` must then say that account: a stack pinned to
//! 999999999999 is never deployed into 123456789012 because those were the credentials at
//! hand. A stack that names no account is deployed with the credentials in use, unchecked.
//!
//! The role is per account rather than per stack because it is a fact about how the account
//! is reached (as the CDK's bootstrap deploy role is one per account and region), not about
//! the app: the same app deploys with other roles in another organization. Lookups use it too
//! (a context key that holds `account=<id>` is looked up in that account).

use std::collections::BTreeMap;

use tokio::sync::Mutex;

use crate::aws::Aws;
use crate::aws::sts::CallerIdentity;
use crate::config::AccountConfig;
use crate::error::{Error, Result};

/// The session name of the roles the toolkit assumes (visible in CloudTrail).
pub const SESSION_NAME: &str = "cloudwright";

/// AWS access per account, resolved once per command.
#[derive(Debug)]
pub struct Accounts {
    base: Aws,
    roles: BTreeMap<String, AccountConfig>,
    /// The credentials' own identity, once asked.
    own: Mutex<Option<CallerIdentity>>,
    /// Access per account already resolved and verified.
    resolved: Mutex<BTreeMap<String, Aws>>,
}

impl Accounts {
    /// Access to the accounts in `roles` (and to any account the credentials in use belong to).
    pub fn new(base: &Aws, roles: &BTreeMap<String, AccountConfig>) -> Accounts {
        Accounts {
            base: base.clone(),
            roles: roles.clone(),
            own: Mutex::new(None),
            resolved: Mutex::new(BTreeMap::new()),
        }
    }

    /// The access for work in `account` (none: the credentials in use), verified: after
    /// assuming the account's role, if it has one, the caller identity must be that account.
    /// `what` is what the access is for (`stack Api`, `context key ...`), named in errors.
    pub async fn access(
        &self,
        account: Option<&str>,
        region: Option<&str>,
        what: &str,
    ) -> Result<Aws> {
        let Some(account) = account else {
            return Ok(self.base.clone());
        };
        if let Some(aws) = self.resolved.lock().await.get(account) {
            return Ok(aws.clone());
        }
        let (aws, identity, role) = match self.roles.get(account) {
            Some(config) => {
                let creds = self
                    .base
                    .sts(region, what)?
                    .assume_role(&config.role, SESSION_NAME)
                    .await?;
                let aws = self.base.with_credentials(&creds);
                let identity = aws.sts(region, what)?.caller_identity().await?;
                (aws, identity, Some(config.role.clone()))
            }
            None => (
                self.base.clone(),
                self.own_identity(region, what).await?,
                None,
            ),
        };
        if identity.account != account {
            return Err(Error::AccountMismatch(Box::new(
                crate::error::AccountMismatch {
                    what: what.to_owned(),
                    expected: account.to_owned(),
                    actual: identity.account,
                    identity: identity.arn,
                    role,
                },
            )));
        }
        self.resolved
            .lock()
            .await
            .insert(account.to_owned(), aws.clone());
        Ok(aws)
    }

    /// The id of `account`, or (none) of the credentials' own account, asked of STS once per
    /// command.
    pub async fn account_id(
        &self,
        account: Option<&str>,
        region: Option<&str>,
        what: &str,
    ) -> Result<String> {
        match account {
            Some(account) => Ok(account.to_owned()),
            None => Ok(self.own_identity(region, what).await?.account),
        }
    }

    /// The credentials in use, unchanged: the access of a stack that names no account.
    pub fn base(&self) -> &Aws {
        &self.base
    }

    async fn own_identity(&self, region: Option<&str>, what: &str) -> Result<CallerIdentity> {
        let mut own = self.own.lock().await;
        if let Some(id) = own.as_ref() {
            return Ok(id.clone());
        }
        let id = self.base.sts(region, what)?.caller_identity().await?;
        *own = Some(id.clone());
        Ok(id)
    }
}

/// The verified access for each of `stacks` (by stack id), resolved in order: the first stack
/// whose account cannot be reached or does not match stops it, before anything changes.
pub async fn resolve(
    accounts: &Accounts,
    stacks: &[&cloudwright_core::ManifestStack],
) -> Result<BTreeMap<String, Aws>> {
    let mut out = BTreeMap::new();
    for s in stacks {
        let aws = accounts
            .access(
                s.account.as_deref(),
                s.region.as_deref(),
                &format!("stack `{}`", s.id),
            )
            .await?;
        out.insert(s.id.clone(), aws);
    }
    Ok(out)
}
