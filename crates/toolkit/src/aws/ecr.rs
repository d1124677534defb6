//! The ECR calls cloudwright makes, through the same client core as EC2 ([`crate::aws::client`])
//! in ECR's `awsJson1_1` protocol, instead of `aws-sdk-ecr`.
//!
//! [`Ecr::repository_uri`] and [`Ecr::images`] (paginated through `nextToken`) serve the image
//! lookup; [`Ecr::call`] calls any other operation with a JSON input (`CreateRepository`,
//! `PutImage`, `GetAuthorizationToken`, ...) and returns its JSON output.

use aws_config::SdkConfig;
use serde_json::{Value, json};

use crate::aws::client::{Client, Protocol, Service};
use crate::error::Error;

/// ECR's names and protocol.
pub const SERVICE: Service = Service {
    service_id: "ECR",
    signing_name: "ecr",
    endpoint_prefix: "api.ecr",
    protocol: Protocol::AwsJson11 {
        target_prefix: "AmazonEC2ContainerRegistry_V20150921",
    },
};

/// One image of a repository, as far as the lookup cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageInfo {
    /// `sha256:...`.
    pub digest: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// When it was pushed (seconds and nanoseconds since the epoch).
    pub pushed_at: Option<(i64, u32)>,
}

/// An ECR client for one region.
#[derive(Clone, Debug)]
pub struct Ecr {
    client: Client,
}

/// Seconds since the epoch, as JSON timestamps carry them (`1700000000.123`), split into
/// whole seconds and nanoseconds.
fn epoch(value: &Value) -> Option<(i64, u32)> {
    let seconds = value.as_f64().filter(|s| s.is_finite())?;
    let whole = seconds.floor();
    // in range for i64 by the check; the fraction is in [0, 1)
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let nanos = (((seconds - whole) * 1e9).round() as u32).min(999_999_999);
    (whole.abs() < 9.0e18).then(|| {
        #[allow(clippy::cast_possible_truncation)]
        let secs = whole as i64;
        (secs, nanos)
    })
}

/// The images of one `DescribeImages` page (`imageDetails`), skipping any without a digest.
pub fn parse_images(output: &Value) -> Vec<ImageInfo> {
    output["imageDetails"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|d| {
            Some(ImageInfo {
                digest: d["imageDigest"].as_str()?.to_owned(),
                tags: d["imageTags"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect(),
                pushed_at: epoch(&d["imagePushedAt"]),
            })
        })
        .collect()
}

impl Ecr {
    /// A client for the configuration's region; `what` names what needs it.
    pub fn new(config: &SdkConfig, what: &str) -> Result<Ecr, Error> {
        Ok(Ecr {
            client: Client::new(config, SERVICE, what)?,
        })
    }

    /// Calls `operation` with a JSON `input` and returns its JSON output.
    pub async fn call(&self, operation: &'static str, input: &Value) -> Result<Value, Error> {
        let body = self
            .client
            .call(operation, input.to_string().as_bytes())
            .await?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(json!({}));
        }
        serde_json::from_slice(&body).map_err(|e| Error::UnreadableResponse {
            operation,
            status: 200,
            body: format!(
                "{} (not the JSON expected: {e})",
                String::from_utf8_lossy(&body).trim()
            ),
        })
    }

    /// The URI of repository `name`; a missing repository is [`Error::Aws`] with code
    /// `RepositoryNotFoundException`.
    pub async fn repository_uri(&self, name: &str) -> Result<Option<String>, Error> {
        let out = self
            .call("DescribeRepositories", &json!({"repositoryNames": [name]}))
            .await?;
        Ok(out["repositories"]
            .as_array()
            .and_then(|r| r.iter().find_map(|r| r["repositoryUri"].as_str()))
            .map(str::to_owned))
    }

    /// Every image of repository `name`, page by page.
    pub async fn images(&self, name: &str) -> Result<Vec<ImageInfo>, Error> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut input = json!({"repositoryName": name});
            if let Some(t) = &token {
                input["nextToken"] = json!(t);
            }
            let out = self.call("DescribeImages", &input).await?;
            all.extend(parse_images(&out));
            match out["nextToken"].as_str().filter(|t| !t.is_empty()) {
                Some(next) if token.as_deref() == Some(next) => {
                    return Err(Error::UnreadableResponse {
                        operation: "DescribeImages",
                        status: 200,
                        body: format!("{out} (the service returned the same nextToken twice)"),
                    });
                }
                Some(next) => token = Some(next.to_owned()),
                None => return Ok(all),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_describe_images_page() {
        let page = json!({
            "imageDetails": [
                {"registryId": "123456789012", "repositoryName": "r",
                 "imageDigest": "sha256:aa", "imageTags": ["v1", "latest"],
                 "imageSizeInBytes": 1, "imagePushedAt": 1700000000.25},
                {"imageDigest": "sha256:bb"},
                {"imageTags": ["no-digest"]}
            ],
            "nextToken": "t"
        });
        assert_eq!(
            parse_images(&page),
            [
                ImageInfo {
                    digest: "sha256:aa".into(),
                    tags: vec!["v1".into(), "latest".into()],
                    pushed_at: Some((1_700_000_000, 250_000_000)),
                },
                ImageInfo {
                    digest: "sha256:bb".into(),
                    tags: vec![],
                    pushed_at: None,
                },
            ]
        );
        assert_eq!(parse_images(&json!({})), []);
        assert_eq!(epoch(&json!(-1.5)), Some((-2, 500_000_000)));
        assert_eq!(epoch(&json!("x")), None);
    }
}
