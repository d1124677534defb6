//! A small client core for AWS APIs called without their SDK crate: endpoint resolution,
//! SigV4 signing (`aws-sigv4`), the SDK's own HTTP connector, retries with backoff, and
//! service errors turned into [`Error`]s a user can act on.
//!
//! Configuration comes from the same [`SdkConfig`] the SDK clients use (aws-config's chain:
//! credentials from the environment, profiles, SSO or instance roles; the region;
//! `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`; `AWS_MAX_ATTEMPTS`; timeouts).
//!
//! Two wire protocols are supported: the Query protocol of EC2 (form-encoded requests, XML
//! responses; see [`crate::aws::ec2`]) and `awsJson1_1` (a JSON body and an `X-Amz-Target` header,
//! as ECR speaks it). A protocol only decides how a request body is framed and how an error
//! response is read; signing, transport and retries are shared.

use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::http::{
    HttpConnector, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::identity::Identity;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use aws_types::service_config::ServiceConfigKey;

use crate::aws::{THROTTLING, service_failure};
use crate::error::Error;

/// How a service frames requests and reports errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// The EC2 Query protocol: `Action=...&Version=...` form bodies, XML responses, errors as
    /// `<Response><Errors><Error><Code>`.
    Ec2Query {
        /// The API version sent with every request (`2016-11-15` for EC2).
        version: &'static str,
    },
    /// `awsJson1_1`: a JSON body, `X-Amz-Target: <prefix>.<Operation>`, errors as
    /// `{"__type": "...", "message": "..."}`.
    AwsJson11 {
        /// The target prefix (`AmazonEC2ContainerRegistry_V20150921` for ECR).
        target_prefix: &'static str,
    },
}

/// A service: its names and its protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Service {
    /// The service id the SDK uses for `AWS_ENDPOINT_URL_<ID>` and profile sections (`EC2`).
    pub service_id: &'static str,
    /// The SigV4 signing name (`ec2`).
    pub signing_name: &'static str,
    /// The host prefix of the regional endpoint (`ec2` in `ec2.eu-west-1.amazonaws.com`).
    pub endpoint_prefix: &'static str,
    /// The wire protocol.
    pub protocol: Protocol,
}

/// Retries: how many attempts in all, and the bounds of the exponential backoff between them
/// (full jitter: each wait is uniformly random up to `min(max, initial × 2^retry)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// Attempts in all, at least 1.
    pub max_attempts: u32,
    /// The bound of the first wait.
    pub initial: Duration,
    /// The largest bound.
    pub max: Duration,
}

impl Backoff {
    /// The SDK's standard mode: 3 attempts, 1 s initial bound, 20 s at most.
    pub const STANDARD: Backoff = Backoff {
        max_attempts: 3,
        initial: Duration::from_secs(1),
        max: Duration::from_secs(20),
    };

    /// The bound of the wait before retry number `retry` (1 for the first retry).
    pub fn bound(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.initial.saturating_mul(factor).min(self.max)
    }
}

/// A configured client of one service in one region.
#[derive(Clone, Debug)]
pub struct Client {
    service: Service,
    region: String,
    url: String,
    /// The endpoint as error messages name it.
    described: String,
    credentials: Option<SharedCredentialsProvider>,
    connector: SharedHttpConnector,
    backoff: Backoff,
    /// The bound of one attempt (the configuration's operation attempt or read timeout).
    attempt_timeout: Duration,
    /// The bound of a call with its retries, if the configuration sets one.
    operation_timeout: Option<Duration>,
}

/// Why one attempt failed, before deciding whether to retry.
enum Attempt {
    /// Connection refused, reset, timed out: retried.
    Transport(String),
    /// No answer within the attempt's timeout: retried.
    NoAnswer(String),
    /// An error response with its code (if it could be read).
    Failed {
        status: u16,
        code: Option<String>,
        message: String,
        body: String,
    },
}

/// The SDK's default HTTP(S) connector with the configuration's timeouts (also used, unsigned,
/// for the registry calls of [`crate::assets::registry`]).
pub fn connector(config: &SdkConfig) -> Result<SharedHttpConnector, Error> {
    let mut settings = HttpConnectorSettings::builder();
    if let Some(timeouts) = config.timeout_config() {
        settings.set_connect_timeout(timeouts.connect_timeout());
        settings.set_read_timeout(timeouts.read_timeout());
    }
    aws_smithy_http_client::default_connector(&settings.build(), config.sleep_impl())
        .map(SharedHttpConnector::new)
        .ok_or_else(|| Error::Internal("the HTTPS connector is not compiled in".into()))
}

impl Client {
    /// A client for `service` in the configuration's region, through the SDK's default HTTPS
    /// connector with the configuration's timeouts.
    pub fn new(config: &SdkConfig, service: Service, what: &str) -> Result<Client, Error> {
        let region = config
            .region()
            .map(|r| r.as_ref().to_owned())
            .filter(|r| !r.is_empty())
            .ok_or_else(|| Error::NoRegion {
                what: what.to_owned(),
            })?;
        let connector = connector(config)?;
        let backoff = config
            .retry_config()
            .map_or(Backoff::STANDARD, |r| Backoff {
                max_attempts: r.max_attempts().max(1),
                initial: r.initial_backoff(),
                max: r.max_backoff(),
            });
        let configured = config
            .service_config()
            .and_then(|c| {
                c.load_config(
                    ServiceConfigKey::builder()
                        .service_id(service.service_id)
                        .env("AWS_ENDPOINT_URL")
                        .profile("endpoint_url")
                        .build()
                        .ok()?,
                )
            })
            .or_else(|| config.endpoint_url().map(str::to_owned));
        let (mut url, described) = match configured {
            Some(url) => (url.clone(), url),
            None => {
                let suffix = if region.starts_with("cn-") {
                    "amazonaws.com.cn"
                } else {
                    "amazonaws.com"
                };
                (
                    format!("https://{}.{region}.{suffix}", service.endpoint_prefix),
                    format!("the AWS endpoint in region {region}"),
                )
            }
        };
        // requests go to the endpoint's root path, `/` when it names none
        if !url
            .split_once("://")
            .is_some_and(|(_, rest)| rest.contains('/'))
        {
            url.push('/');
        }
        let timeouts = config.timeout_config();
        let attempt_timeout = timeouts
            .and_then(|t| t.operation_attempt_timeout().or(t.read_timeout()))
            .unwrap_or_else(crate::aws::request_timeout);
        let operation_timeout = timeouts.and_then(|t| t.operation_timeout());
        Ok(Client {
            service,
            region,
            url,
            described,
            credentials: config.credentials_provider(),
            connector,
            backoff,
            attempt_timeout,
            operation_timeout,
        })
    }

    /// The same client with other retry bounds (tests use short waits).
    pub fn with_backoff(mut self, backoff: Backoff) -> Client {
        self.backoff = backoff;
        self
    }

    /// The region called.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Calls an `awsJson1_1` operation with a JSON `input` and returns its JSON output (an
    /// empty body reads as `{}`).
    pub async fn call_json(
        &self,
        operation: &'static str,
        input: &serde_json::Value,
    ) -> Result<serde_json::Value, Error> {
        let body = self.call(operation, input.to_string().as_bytes()).await?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::json!({}));
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

    /// Calls `operation` with a request body framed for the service's protocol (form fields
    /// without `Action`/`Version` for the Query protocol, a JSON document for `awsJson1_1`)
    /// and returns the response body of a success. Throttling, 5xx responses and transport
    /// failures are retried with backoff; service errors come back as [`Error::Aws`] with
    /// their code (matchable), or the clearer variants for throttling and denied calls.
    pub async fn call(&self, operation: &'static str, payload: &[u8]) -> Result<Vec<u8>, Error> {
        match self.operation_timeout {
            Some(bound) => {
                match tokio::time::timeout(bound, self.call_unbounded(operation, payload)).await {
                    Ok(r) => r,
                    Err(_) => Err(Error::NoAnswer {
                        endpoint: self.described.clone(),
                        operation,
                        detail: format!("no answer within {} s, retries included", bound.as_secs()),
                    }),
                }
            }
            None => self.call_unbounded(operation, payload).await,
        }
    }

    async fn call_unbounded(
        &self,
        operation: &'static str,
        payload: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let credentials = match &self.credentials {
            Some(provider) => {
                provider
                    .provide_credentials()
                    .await
                    .map_err(|e| Error::NoCredentials {
                        detail: crate::aws::chain(&e),
                    })?
            }
            None => {
                return Err(Error::NoCredentials {
                    detail: "no credentials provider is configured".into(),
                });
            }
        };
        let identity: Identity = credentials.into();
        let (content_type, target, body) = match self.service.protocol {
            Protocol::Ec2Query { version } => {
                let mut body = format!("Action={operation}&Version={version}").into_bytes();
                if !payload.is_empty() {
                    body.push(b'&');
                    body.extend_from_slice(payload);
                }
                (
                    "application/x-www-form-urlencoded; charset=utf-8",
                    None,
                    body,
                )
            }
            Protocol::AwsJson11 { target_prefix } => (
                "application/x-amz-json-1.1",
                Some(format!("{target_prefix}.{operation}")),
                if payload.is_empty() {
                    b"{}".to_vec()
                } else {
                    payload.to_vec()
                },
            ),
        };

        let mut retry = 0;
        loop {
            let attempt = self.attempt(&identity, content_type, target.as_deref(), &body);
            let outcome = match tokio::time::timeout(self.attempt_timeout, attempt).await {
                Ok(o) => o?,
                Err(_) => Err(Attempt::NoAnswer(format!(
                    "no answer within {} s",
                    self.attempt_timeout.as_secs()
                ))),
            };
            let failure = match outcome {
                Ok(body) => return Ok(body),
                Err(failure) => failure,
            };
            let retryable = match &failure {
                Attempt::Transport(_) | Attempt::NoAnswer(_) => true,
                Attempt::Failed { status, code, .. } => {
                    *status >= 500 || code.as_deref().is_some_and(|c| THROTTLING.contains(&c))
                }
            };
            retry += 1;
            if !retryable || retry >= self.backoff.max_attempts {
                return Err(self.failure(operation, failure));
            }
            let bound = self.backoff.bound(retry);
            let wait = bound.mul_f64(fastrand::f64());
            tokio::time::sleep(wait).await;
        }
    }

    /// One signed request. `Err` only for what no retry can fix (a request that cannot be
    /// built or signed); `Ok(Err(_))` for a failure that might pass on retry.
    async fn attempt(
        &self,
        identity: &Identity,
        content_type: &str,
        target: Option<&str>,
        body: &[u8],
    ) -> Result<Result<Vec<u8>, Attempt>, Error> {
        let internal = |what: &str, e: &dyn std::fmt::Display| {
            Error::Internal(format!("cannot {what} a request to {}: {e}", self.url))
        };
        let mut headers = vec![("content-type", content_type.to_owned())];
        if let Some(t) = target {
            headers.push(("x-amz-target", t.to_owned()));
        }
        let params = v4::SigningParams::builder()
            .identity(identity)
            .region(&self.region)
            .name(self.service.signing_name)
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| internal("sign", &e))?
            .into();
        let signable = SignableRequest::new(
            "POST",
            &self.url,
            headers.iter().map(|(k, v)| (*k, v.as_str())),
            SignableBody::Bytes(body),
        )
        .map_err(|e| internal("sign", &e))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| internal("sign", &e))?
            .into_parts();
        let mut request = http::Request::builder().method("POST").uri(&self.url);
        for (k, v) in &headers {
            request = request.header(*k, v);
        }
        let mut request = request
            .body(SdkBody::from(body.to_vec()))
            .map_err(|e| internal("build", &e))?;
        instructions.apply_to_request_http1x(&mut request);
        let request = HttpRequest::try_from(request).map_err(|e| internal("build", &e))?;

        let response = match self.connector.call(request).await {
            Ok(r) => r,
            Err(e) => {
                let detail = crate::aws::chain(&e);
                // the connector's read timeout: the endpoint took the request and never
                // answered, which is not an endpoint that cannot be reached (a connect timeout)
                let read_timeout = e.is_timeout() && !detail.contains("connect");
                return Ok(Err(if read_timeout {
                    Attempt::NoAnswer(detail)
                } else {
                    Attempt::Transport(detail)
                }));
            }
        };
        let status = response.status().as_u16();
        let error_type = response
            .headers()
            .get("x-amzn-errortype")
            .map(str::to_owned);
        let bytes = match ByteStream::new(response.into_body()).collect().await {
            Ok(b) => b.into_bytes().to_vec(),
            Err(e) => return Ok(Err(Attempt::Transport(crate::aws::chain(&e)))),
        };
        if (200..300).contains(&status) {
            return Ok(Ok(bytes));
        }
        let text = String::from_utf8_lossy(&bytes).trim().to_owned();
        let (code, message) = match self.service.protocol {
            Protocol::Ec2Query { .. } => query_error(&text),
            Protocol::AwsJson11 { .. } => json_error(&text, error_type.as_deref()),
        }
        .map_or((None, String::new()), |(c, m)| (Some(c), m));
        Ok(Err(Attempt::Failed {
            status,
            code,
            message,
            body: text,
        }))
    }

    fn failure(&self, operation: &'static str, failure: Attempt) -> Error {
        match failure {
            Attempt::Transport(detail) => Error::EndpointUnreachable {
                endpoint: self.described.clone(),
                operation,
                detail,
            },
            Attempt::NoAnswer(detail) => Error::NoAnswer {
                endpoint: self.described.clone(),
                operation,
                detail,
            },
            Attempt::Failed {
                status,
                code: Some(code),
                message,
                ..
            } if status >= 500 && !THROTTLING.contains(&code.as_str()) => Error::ServiceFault {
                operation,
                status,
                code,
                message,
            },
            Attempt::Failed {
                code: Some(code),
                message,
                ..
            } => service_failure(operation, &code, message),
            Attempt::Failed { status, body, .. } => Error::UnreadableResponse {
                operation,
                status,
                body: if body.is_empty() {
                    "(empty)".into()
                } else {
                    body
                },
            },
        }
    }
}

/// The code and message of a Query protocol error body (`<Response><Errors><Error>` as EC2
/// writes it, or `<ErrorResponse><Error>` as other Query services do).
pub fn query_error(body: &str) -> Option<(String, String)> {
    let doc = roxmltree::Document::parse(body).ok()?;
    let error = doc
        .descendants()
        .find(|n| n.has_tag_name("Error") && n.children().any(|c| c.has_tag_name("Code")))?;
    let text = |name: &str| {
        error
            .children()
            .find(|c| c.has_tag_name(name))
            .and_then(|c| c.text())
            .map(|t| t.trim().to_owned())
    };
    let code = text("Code").filter(|c| !c.is_empty())?;
    Some((code, text("Message").unwrap_or_default()))
}

/// The code and message of an `awsJson1_1` error: the `X-Amzn-ErrorType` header or the body's
/// `__type`/`code`, without a namespace (`ns#Code`) or trailing `:detail`.
pub fn json_error(body: &str, header: Option<&str>) -> Option<(String, String)> {
    let value: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let field = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| value.get(*n).and_then(|v| v.as_str()))
            .map(str::to_owned)
    };
    let raw = header
        .map(str::to_owned)
        .or_else(|| field(&["__type", "code"]))?;
    let code = raw.split(':').next().unwrap_or(&raw);
    let code = code.rsplit('#').next().unwrap_or(code).trim();
    if code.is_empty() {
        return None;
    }
    Some((
        code.to_owned(),
        field(&["message", "Message", "errorMessage"]).unwrap_or_default(),
    ))
}

/// Percent-encodes a form field name or value (RFC 3986 unreserved characters kept).
pub fn form_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_query_errors() {
        let ec2 = r#"<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code><Message>The vpc ID 'vpc-1' does not exist</Message></Error></Errors><RequestID>r</RequestID></Response>"#;
        assert_eq!(
            query_error(ec2),
            Some((
                "InvalidVpcID.NotFound".into(),
                "The vpc ID 'vpc-1' does not exist".into()
            ))
        );
        let sts = r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>"#;
        assert_eq!(
            query_error(sts),
            Some(("Throttling".into(), "Rate exceeded".into()))
        );
        assert_eq!(query_error("<html>bad gateway</html>"), None);
        assert_eq!(query_error("not xml"), None);
    }

    #[test]
    fn reads_json_errors() {
        assert_eq!(
            json_error(
                r#"{"__type":"com.amazonaws.ecr#RepositoryNotFoundException","message":"no"}"#,
                None
            ),
            Some(("RepositoryNotFoundException".into(), "no".into()))
        );
        assert_eq!(
            json_error(
                "{}",
                Some("ThrottlingException:http://internal.amazon.com/")
            ),
            Some(("ThrottlingException".into(), String::new()))
        );
        assert_eq!(json_error("<html/>", None), None);
    }

    #[test]
    fn encodes_form_fields() {
        assert_eq!(form_encode("tag:Name"), "tag%3AName");
        assert_eq!(form_encode("a b/c~d_e.f-g"), "a%20b%2Fc~d_e.f-g");
        assert_eq!(form_encode("é"), "%C3%A9");
    }

    #[test]
    fn backoff_doubles_up_to_the_bound() {
        let b = Backoff {
            max_attempts: 5,
            initial: Duration::from_millis(100),
            max: Duration::from_millis(300),
        };
        let bounds: Vec<u128> = (1..=4).map(|r| b.bound(r).as_millis()).collect();
        assert_eq!(bounds, [100, 200, 300, 300]);
        assert_eq!(Backoff::STANDARD.bound(40), Duration::from_secs(20));
    }
}
