//! The registry image assets are pushed to when `CLOUDWRIGHT_ASSET_REGISTRY` overrides ECR's
//! registry host (tests against a local registry, air-gapped mirrors), and the one call
//! cloudwright makes to such a registry itself: whether a tag's manifest is there
//! (`HEAD /v2/<repository>/manifests/<tag>`, the Docker Registry HTTP API v2 / OCI
//! distribution API), and its digest.
//!
//! The value is `host[:port]`, optionally with a scheme: `http://` for plain HTTP, `https://`
//! for TLS. Without a scheme, a loopback host (`127.0.0.1`, `localhost`, `[::1]`) is plain HTTP,
//! as docker treats it, and any other host is HTTPS.

use std::net::IpAddr;

use aws_config::SdkConfig;
use aws_smithy_runtime_api::client::http::HttpConnector;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;

use crate::error::{Error, Result};

/// The environment variable that overrides the registry host.
pub const REGISTRY_VARIABLE: &str = "CLOUDWRIGHT_ASSET_REGISTRY";

/// The manifest media types asked for: OCI and Docker, single images and indexes.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";

/// A registry named by [`REGISTRY_VARIABLE`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryOverride {
    /// `host[:port]`, as image names carry it.
    pub host: String,
    /// Whether it speaks plain HTTP.
    pub plain_http: bool,
}

impl RegistryOverride {
    /// Reads a value of [`REGISTRY_VARIABLE`]; an empty value is no override.
    pub fn parse(value: &str) -> Result<Option<RegistryOverride>> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(None);
        }
        let bad = |why: &str| {
            Error::Usage(format!(
                "{REGISTRY_VARIABLE} is `{value}`, which is not a registry: {why}. Give `host:port`, optionally with `http://` (plain HTTP) or `https://`, such as `127.0.0.1:5000`."
            ))
        };
        let (scheme, rest) = match value.split_once("://") {
            Some((s, rest)) => (Some(s.to_ascii_lowercase()), rest),
            None => (None, value),
        };
        let host = rest.strip_suffix('/').unwrap_or(rest);
        if host.is_empty() {
            return Err(bad("it has no host"));
        }
        if host.contains(['/', '@', '?', '#', ' ']) {
            return Err(bad("only a host and port may be given, without a path"));
        }
        let plain_http = match scheme.as_deref() {
            Some("http") => true,
            Some("https") => false,
            Some(other) => return Err(bad(&format!("the scheme `{other}` is not http or https"))),
            None => is_loopback(host),
        };
        Ok(Some(RegistryOverride {
            host: host.to_owned(),
            plain_http,
        }))
    }

    /// This process's override, if any.
    pub fn from_env() -> Result<Option<RegistryOverride>> {
        match std::env::var(REGISTRY_VARIABLE) {
            Ok(v) => RegistryOverride::parse(&v),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(Error::Usage(format!(
                "{REGISTRY_VARIABLE} is not valid UTF-8"
            ))),
        }
    }

    /// The URL of a tag's manifest.
    pub fn manifest_url(&self, repository: &str, tag: &str) -> String {
        format!(
            "{}://{}/v2/{repository}/manifests/{tag}",
            if self.plain_http { "http" } else { "https" },
            self.host
        )
    }

    /// The digest of `repository:tag` in the registry (`HEAD` of its manifest), or `None` when
    /// the registry does not have it (404) or does not let us read without credentials
    /// (401, 403: then the push decides). Anything else is [`Error::Registry`].
    pub async fn manifest_digest(
        &self,
        config: &SdkConfig,
        repository: &str,
        tag: &str,
    ) -> Result<Option<String>> {
        let url = self.manifest_url(repository, tag);
        let failed = |detail: String| Error::Registry {
            image: format!("{repository}:{tag}"),
            registry: self.host.clone(),
            detail,
        };
        let connector = crate::aws::client::connector(config)?;
        let request = http::Request::builder()
            .method("HEAD")
            .uri(&url)
            .header("accept", MANIFEST_ACCEPT)
            .body(SdkBody::empty())
            .map_err(|e| failed(format!("the request to {url} cannot be built: {e}")))?;
        let request = HttpRequest::try_from(request)
            .map_err(|e| failed(format!("the request to {url} cannot be built: {e}")))?;
        let response = connector
            .call(request)
            .await
            .map_err(|e| failed(format!("HEAD {url}: {}", crate::aws::chain(&e))))?;
        match response.status().as_u16() {
            200 => Ok(Some(
                response
                    .headers()
                    .get("docker-content-digest")
                    .unwrap_or_default()
                    .to_owned(),
            )),
            401 | 403 | 404 => Ok(None),
            status => Err(failed(format!("HEAD {url} answered HTTP {status}"))),
        }
    }
}

/// Whether `host` (with or without a port) is this machine.
fn is_loopback(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_override() {
        let parse = |v: &str| RegistryOverride::parse(v).unwrap();
        assert_eq!(parse(""), None);
        for (value, host, plain) in [
            ("127.0.0.1:5000", "127.0.0.1:5000", true),
            ("localhost:5000/", "localhost:5000", true),
            ("[::1]:5000", "[::1]:5000", true),
            ("registry.internal:5000", "registry.internal:5000", false),
            ("http://registry.internal", "registry.internal", true),
            ("HTTPS://127.0.0.1:5000", "127.0.0.1:5000", false),
        ] {
            assert_eq!(
                parse(value),
                Some(RegistryOverride {
                    host: host.into(),
                    plain_http: plain
                }),
                "{value}"
            );
        }
        for bad in ["ftp://h", "http://", "h:5000/path", "user@h"] {
            let e = RegistryOverride::parse(bad).unwrap_err().to_string();
            assert!(e.contains(REGISTRY_VARIABLE) && e.contains(bad), "{e}");
        }
        assert_eq!(
            parse("127.0.0.1:5000").unwrap().manifest_url("a/b", "t"),
            "http://127.0.0.1:5000/v2/a/b/manifests/t"
        );
    }
}
