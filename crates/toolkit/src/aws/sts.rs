//! STS over the client core ([`crate::aws::client`]): `GetCallerIdentity` (which account the
//! credentials belong to) and `AssumeRole` (credentials of a role in another account). STS
//! speaks the Query protocol as EC2 does (form-encoded `Action`/`Version`, XML responses,
//! errors as `<ErrorResponse><Error><Code>`), so no SDK crate is needed. Response parsing is
//! pure ([`parse_identity`], [`parse_credentials`]).

use aws_config::SdkConfig;

use crate::aws::client::{Client, Protocol, Service, form_encode};
use crate::error::Error;

/// STS's names and protocol.
pub const SERVICE: Service = Service {
    service_id: "STS",
    signing_name: "sts",
    endpoint_prefix: "sts",
    protocol: Protocol::Ec2Query {
        version: "2011-06-15",
    },
};

/// Who the credentials are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerIdentity {
    /// The 12-digit account id.
    pub account: String,
    /// The identity's ARN.
    pub arn: String,
}

/// Temporary credentials from `AssumeRole`.
#[derive(Clone, PartialEq, Eq)]
pub struct RoleCredentials {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token.
    pub session_token: String,
}

impl std::fmt::Debug for RoleCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoleCredentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// An STS client for one region.
#[derive(Clone, Debug)]
pub struct Sts {
    client: Client,
}

impl Sts {
    /// A client in the configuration's region; `what` names what needs it for errors.
    pub fn new(config: &SdkConfig, what: &str) -> Result<Sts, Error> {
        Ok(Sts {
            client: Client::new(config, SERVICE, what)?,
        })
    }

    /// `GetCallerIdentity`.
    pub async fn caller_identity(&self) -> Result<CallerIdentity, Error> {
        let body = self.client.call("GetCallerIdentity", b"").await?;
        parse_identity(&String::from_utf8_lossy(&body)).ok_or_else(|| Error::UnreadableResponse {
            operation: "GetCallerIdentity",
            status: 200,
            body: String::from_utf8_lossy(&body).trim().to_owned(),
        })
    }

    /// `AssumeRole` of `role_arn` with the session name `session`.
    pub async fn assume_role(
        &self,
        role_arn: &str,
        session: &str,
    ) -> Result<RoleCredentials, Error> {
        let payload = format!(
            "RoleArn={}&RoleSessionName={}",
            form_encode(role_arn),
            form_encode(session)
        );
        let body = self.client.call("AssumeRole", payload.as_bytes()).await?;
        parse_credentials(&String::from_utf8_lossy(&body)).ok_or_else(|| {
            Error::UnreadableResponse {
                operation: "AssumeRole",
                status: 200,
                body: String::from_utf8_lossy(&body).trim().to_owned(),
            }
        })
    }
}

fn text_of(doc: &roxmltree::Document<'_>, name: &str) -> Option<String> {
    doc.descendants()
        .find(|n| n.has_tag_name(name))
        .and_then(|n| n.text())
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// Reads a `GetCallerIdentityResponse`.
pub fn parse_identity(xml: &str) -> Option<CallerIdentity> {
    let doc = roxmltree::Document::parse(xml).ok()?;
    Some(CallerIdentity {
        account: text_of(&doc, "Account")?,
        arn: text_of(&doc, "Arn").unwrap_or_default(),
    })
}

/// Reads the `Credentials` of an `AssumeRoleResponse`.
pub fn parse_credentials(xml: &str) -> Option<RoleCredentials> {
    let doc = roxmltree::Document::parse(xml).ok()?;
    Some(RoleCredentials {
        access_key_id: text_of(&doc, "AccessKeyId")?,
        secret_access_key: text_of(&doc, "SecretAccessKey")?,
        session_token: text_of(&doc, "SessionToken")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_recorded_responses() {
        let identity = r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/Alice</Arn>
    <UserId>AKIAI44QH8DHBEXAMPLE</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"#;
        assert_eq!(
            parse_identity(identity),
            Some(CallerIdentity {
                account: "123456789012".into(),
                arn: "arn:aws:iam::123456789012:user/Alice".into()
            })
        );
        let assumed = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser><Arn>arn:aws:sts::222222222222:assumed-role/x/cw</Arn><AssumedRoleId>ARO:cw</AssumedRoleId></AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
      <SecretAccessKey>secret</SecretAccessKey>
      <SessionToken>token</SessionToken>
      <Expiration>2026-12-05T17:00:00Z</Expiration>
    </Credentials>
  </AssumeRoleResult>
</AssumeRoleResponse>"#;
        let c = parse_credentials(assumed).unwrap();
        assert_eq!(c.access_key_id, "ASIAEXAMPLE");
        assert_eq!(c.session_token, "token");
        assert!(!format!("{c:?}").contains("secret"));
        assert_eq!(parse_identity("<x/>"), None);
        assert_eq!(parse_credentials("not xml"), None);
    }
}
