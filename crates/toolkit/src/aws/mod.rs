//! AWS access: configuration through aws-config's standard chain (credentials, region,
//! `AWS_ENDPOINT_URL`, retries with backoff in the SDK's standard mode), clients per region, and
//! SDK errors turned into [`Error`]s a user can act on.
//!
//! Submodules: [`accounts`] (each stack's account checked against the caller identity, over
//! [`sts`]; the role to assume per account), [`client`] (our own SigV4 client for the Query and
//! JSON protocols) and the services it speaks to: [`ec2`], [`ecr`], [`ecs`], [`logs`], [`sts`].

pub mod accounts;
pub mod client;
pub mod ec2;
pub mod ecr;
pub mod ecs;
pub mod logs;
pub mod sts;

use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudformation::config::http::HttpResponse;
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};

use crate::error::Error;

/// The loaded AWS configuration, from which clients for any region are made.
#[derive(Clone, Debug)]
pub struct Aws {
    base: SdkConfig,
    /// The command's `--timeout`, when it has one ([`Aws::bounded`]).
    overall: Option<Duration>,
}

/// Whether an error says AWS could not be used for a while (throttling, server errors, an
/// endpoint that cannot be reached or does not answer), as opposed to a refusal of what was
/// asked: retried with backoff already, and never the template's fault.
pub fn is_unavailable(e: &Error) -> bool {
    matches!(
        e,
        Error::Throttled { .. }
            | Error::ServiceFault { .. }
            | Error::NoAnswer { .. }
            | Error::EndpointUnreachable { .. }
    )
}

/// Error codes AWS uses for throttling (retried with backoff).
pub const THROTTLING: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
    "ProvisionedThroughputExceededException",
];

/// Error codes AWS uses for denied calls and rejected credentials.
const DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "AuthFailure",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "ExpiredToken",
    "ExpiredTokenException",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "InvalidAccessKeyId",
    "MissingAuthenticationToken",
    "IncompleteSignature",
    "RequestExpired",
    "OptInRequired",
];

/// The default bound of one request (connecting, sending, and reading its whole answer):
/// `CLOUDWRIGHT_REQUEST_TIMEOUT` (seconds) overrides it.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The bound of connecting to an endpoint.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The per-request timeout: `CLOUDWRIGHT_REQUEST_TIMEOUT` seconds, else
/// [`DEFAULT_REQUEST_TIMEOUT`].
pub fn request_timeout() -> Duration {
    std::env::var("CLOUDWRIGHT_REQUEST_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map_or(DEFAULT_REQUEST_TIMEOUT, Duration::from_secs)
}

/// Timeouts for every client: connecting, reading, one attempt, and (when given) the whole
/// operation with its retries.
pub fn timeouts(request: Duration, overall: Option<Duration>) -> TimeoutConfig {
    let mut t = TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT.min(request))
        .read_timeout(request)
        .operation_attempt_timeout(request);
    if let Some(o) = overall {
        t = t.operation_timeout(o);
    }
    t.build()
}

impl Aws {
    /// Loads the configuration the standard way (environment, profiles, instance metadata),
    /// every request bounded by [`request_timeout`].
    pub async fn load() -> Aws {
        Aws {
            overall: None,
            base: aws_config::defaults(BehaviorVersion::latest())
                .timeout_config(timeouts(request_timeout(), None))
                .load()
                .await,
        }
    }

    /// The same configuration with no request (retries included) allowed to take longer
    /// than `overall` (a command's `--timeout`), nor one attempt longer than the request
    /// timeout.
    pub fn bounded(&self, overall: Duration) -> Aws {
        let request = request_timeout().min(overall);
        Aws {
            overall: Some(overall),
            base: self
                .base
                .to_builder()
                .timeout_config(timeouts(request, Some(overall)))
                .build(),
        }
    }

    /// A configuration from an explicit `SdkConfig` (for tests and embedding).
    pub fn from_config(base: SdkConfig) -> Aws {
        Aws {
            base,
            overall: None,
        }
    }

    /// The command's `--timeout`, when it has one: what else the command waits for (an
    /// asset's external build and push tools) is bounded by it too.
    pub fn overall(&self) -> Option<Duration> {
        self.overall
    }

    /// The same configuration with other credentials (a role's, from STS `AssumeRole`).
    pub fn with_credentials(&self, credentials: &crate::aws::sts::RoleCredentials) -> Aws {
        let credentials = aws_credential_types::Credentials::new(
            credentials.access_key_id.clone(),
            credentials.secret_access_key.clone(),
            Some(credentials.session_token.clone()),
            None,
            "cloudwright-assume-role",
        );
        Aws {
            overall: self.overall,
            base: self
                .base
                .to_builder()
                .credentials_provider(
                    aws_credential_types::provider::SharedCredentialsProvider::new(credentials),
                )
                .build(),
        }
    }

    /// An STS client (our own Query API client, [`crate::aws::sts`]) in `region`, the default
    /// region, or us-east-1 when neither is set (STS answers for every region).
    pub fn sts(&self, region: Option<&str>, what: &str) -> Result<crate::aws::sts::Sts, Error> {
        let region = region.or(self.default_region()).unwrap_or("us-east-1");
        crate::aws::sts::Sts::new(&self.config(Some(region), what)?, what)
    }

    /// The configured default region, if any.
    pub fn default_region(&self) -> Option<&str> {
        self.base.region().map(Region::as_ref)
    }

    /// The configuration for `region`, or for the default region; `what` names what needs a
    /// region for the error when there is none.
    pub fn config(&self, region: Option<&str>, what: &str) -> Result<SdkConfig, Error> {
        match region {
            Some(r) => Ok(self
                .base
                .to_builder()
                .region(Region::new(r.to_owned()))
                .build()),
            None if self.base.region().is_some() => Ok(self.base.clone()),
            None => Err(Error::NoRegion {
                what: what.to_owned(),
            }),
        }
    }

    /// A CloudFormation client.
    pub fn cloudformation(
        &self,
        region: Option<&str>,
        what: &str,
    ) -> Result<Api<aws_sdk_cloudformation::Client>, Error> {
        let config = self.config(region, what)?;
        Ok(Api::new(
            aws_sdk_cloudformation::Client::new(&config),
            &config,
        ))
    }

    /// An EC2 client (our own Query API client, [`crate::aws::ec2`]).
    pub fn ec2(&self, region: Option<&str>, what: &str) -> Result<crate::aws::ec2::Ec2, Error> {
        crate::aws::ec2::Ec2::new(&self.config(region, what)?, what)
    }

    /// An ECR client (our own `awsJson1_1` client, [`crate::aws::ecr`]).
    pub fn ecr(&self, region: Option<&str>, what: &str) -> Result<crate::aws::ecr::Ecr, Error> {
        crate::aws::ecr::Ecr::new(&self.config(region, what)?, what)
    }

    /// An S3 client.
    pub fn s3(&self, region: Option<&str>, what: &str) -> Result<Api<aws_sdk_s3::Client>, Error> {
        let config = self.config(region, what)?;
        // path-style addressing works with any endpoint, including a local one
        let s3 = aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(self.base.endpoint_url().is_some())
            .build();
        Ok(Api::new(aws_sdk_s3::Client::from_conf(s3), &config))
    }
}

/// A client with what is needed to explain its errors.
#[derive(Clone, Debug)]
pub struct Api<C> {
    /// The SDK client.
    pub client: C,
    /// The region it calls.
    pub region: String,
    endpoint: String,
}

impl<C> Api<C> {
    fn new(client: C, config: &SdkConfig) -> Self {
        let region = config
            .region()
            .map(|r| r.as_ref().to_owned())
            .unwrap_or_default();
        let endpoint = match config.endpoint_url() {
            Some(url) => url.to_owned(),
            None => format!("the AWS endpoint in region {region}"),
        };
        Api {
            client,
            region,
            endpoint,
        }
    }

    /// Turns an SDK error of `operation` into an [`Error`].
    pub fn error<E>(&self, operation: &'static str, err: SdkError<E, HttpResponse>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        classify(&self.endpoint, operation, err)
    }
}

/// The error code and message of a service error, if the error is one.
pub fn service_error<E: ProvideErrorMetadata>(
    err: &SdkError<E, HttpResponse>,
) -> Option<(&str, &str)> {
    match err {
        SdkError::ServiceError(_) => Some((err.code()?, err.message().unwrap_or(""))),
        _ => None,
    }
}

fn raw_body(response: &HttpResponse) -> String {
    let body = response
        .body()
        .bytes()
        .map(|b| String::from_utf8_lossy(b).trim().to_owned())
        .unwrap_or_default();
    if body.is_empty() {
        "(empty)".into()
    } else {
        body
    }
}

fn mentions_credentials(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    d.contains("no providers in chain provided credentials")
        || d.contains("credentials provider was not enabled")
        || d.contains("credential provider was not enabled")
        || d.contains("credentialsnotloaded")
        || d.contains("noidentityresolver")
        || (d.contains("credential") && (d.contains("not loaded") || d.contains("could not load")))
        || d.contains("failed to load credentials")
}

/// An error and its sources as one line: `a: b: c`, whitespace collapsed, repeats dropped.
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if !text.is_empty() && !parts.last().is_some_and(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// A service error of `operation` with its `code`: throttling and denied calls get their own
/// variants (with advice), any other code is an [`Error::Aws`].
pub fn service_failure(operation: &'static str, code: &str, message: String) -> Error {
    if THROTTLING.contains(&code) {
        Error::Throttled {
            operation,
            detail: format!("{code}: {message}"),
        }
    } else if DENIED.contains(&code) {
        Error::AccessDenied {
            operation,
            code: code.to_owned(),
            detail: message,
        }
    } else {
        Error::Aws {
            operation,
            code: code.to_owned(),
            message,
        }
    }
}

/// Classifies an SDK error: unreachable endpoint, missing credentials or region, throttling,
/// access denied, undecodable response (with its raw body), or a service error.
pub fn classify<E>(endpoint: &str, operation: &'static str, err: SdkError<E, HttpResponse>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let detail = chain(&err);
    match &err {
        SdkError::DispatchFailure(d) if d.is_timeout() => Error::NoAnswer {
            endpoint: endpoint.to_owned(),
            operation,
            detail,
        },
        SdkError::DispatchFailure(d) if d.is_io() => Error::EndpointUnreachable {
            endpoint: endpoint.to_owned(),
            operation,
            detail,
        },
        SdkError::TimeoutError(_) => Error::NoAnswer {
            endpoint: endpoint.to_owned(),
            operation,
            detail,
        },
        SdkError::DispatchFailure(_) | SdkError::ConstructionFailure(_) => {
            if mentions_credentials(&detail) {
                Error::NoCredentials { detail }
            } else if detail.to_ascii_lowercase().contains("region") {
                Error::NoRegion {
                    what: operation.to_owned(),
                }
            } else if matches!(&err, SdkError::DispatchFailure(_)) {
                // the request was sent, or not, and no answer came back (a connection closed
                // before the response, a reset): the endpoint failed, not the request
                Error::EndpointUnreachable {
                    endpoint: endpoint.to_owned(),
                    operation,
                    detail,
                }
            } else {
                Error::Aws {
                    operation,
                    code: "request failed".into(),
                    message: detail,
                }
            }
        }
        SdkError::ResponseError(r) if r.raw().status().as_u16() >= 500 => Error::ServiceFault {
            operation,
            status: r.raw().status().as_u16(),
            code: "unreadable response".into(),
            message: raw_body(r.raw()),
        },
        SdkError::ResponseError(r) => Error::UnreadableResponse {
            operation,
            status: r.raw().status().as_u16(),
            body: raw_body(r.raw()),
        },
        SdkError::ServiceError(s) => {
            let message = err.message().unwrap_or("").to_owned();
            let status = s.raw().status().as_u16();
            match err.code() {
                Some(code) if status >= 500 && !THROTTLING.contains(&code) => Error::ServiceFault {
                    operation,
                    status,
                    code: code.to_owned(),
                    message,
                },
                Some(code) => service_failure(operation, code, message),
                None if status >= 500 => Error::ServiceFault {
                    operation,
                    status,
                    code: "unreadable response".into(),
                    message: raw_body(s.raw()),
                },
                None => Error::UnreadableResponse {
                    operation,
                    status: s.raw().status().as_u16(),
                    body: raw_body(s.raw()),
                },
            }
        }
        _ => Error::Aws {
            operation,
            code: "request failed".into(),
            message: detail,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use aws_sdk_cloudformation::error::ErrorMetadata;
    use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksError;
    use aws_sdk_s3::primitives::SdkBody;

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse::new(status.try_into().unwrap(), SdkBody::from(body))
    }

    fn service(code: Option<&str>, message: &str, body: &str) -> Error {
        let mut meta = ErrorMetadata::builder().message(message);
        if let Some(c) = code {
            meta = meta.code(c);
        }
        let err = SdkError::service_error(
            DescribeStacksError::generic(meta.build()),
            response(400, body),
        );
        classify("http://127.0.0.1:1", "DescribeStacks", err)
    }

    #[test]
    fn classifies_service_errors() {
        let e = service(Some("Throttling"), "Rate exceeded", "");
        assert!(matches!(e, Error::Throttled { .. }), "{e:?}");
        assert!(
            e.to_string()
                .contains("throttled DescribeStacks even after retrying"),
            "{e}"
        );
        let e = service(Some("AccessDenied"), "User: arn:x is not authorized", "");
        assert!(matches!(e, Error::AccessDenied { .. }), "{e:?}");
        assert!(
            e.to_string()
                .contains("AWS denied DescribeStacks (AccessDenied: User: arn:x"),
            "{e}"
        );
        let e = service(
            Some("ExpiredToken"),
            "The security token included in the request is expired",
            "",
        );
        assert!(matches!(e, Error::AccessDenied { .. }), "{e:?}");
        let e = service(
            Some("ValidationError"),
            "Stack with id X does not exist",
            "",
        );
        assert_eq!(
            e.to_string(),
            "DescribeStacks failed: ValidationError: Stack with id X does not exist"
        );
        // what the SDK makes of JSON where XML belongs: no code, and the raw body is shown
        let body = r#"{"__type": "ResourceAlreadyExistsException", "message": "The specified log group already exists"}"#;
        let e = service(None, "", body);
        assert!(
            e.to_string()
                .contains(&format!("(HTTP 400); the raw response body was: {body}")),
            "{e}"
        );
    }

    #[test]
    fn undecodable_responses_show_the_raw_body() {
        let undecodable = |status: u16, body: &str| {
            let err: SdkError<DescribeStacksError, HttpResponse> = SdkError::response_error(
                std::io::Error::other("XmlDecodeError: invalid XML"),
                response(status, body),
            );
            classify("http://127.0.0.1:1", "ListImports", err)
        };
        let e = undecodable(400, "<!doctype html><title>400 Bad Request</title>");
        assert_eq!(
            e.to_string(),
            "ListImports failed and its response could not be decoded (HTTP 400); the raw response body was: <!doctype html><title>400 Bad Request</title>"
        );
        // a server error is AWS being unavailable, whatever its body
        let e = undecodable(
            500,
            "<!doctype html><title>500 Internal Server Error</title>",
        );
        assert!(
            matches!(e, Error::ServiceFault { status: 500, .. }),
            "{e:?}"
        );
        assert!(is_unavailable(&e));
        assert!(
            e.to_string().starts_with(
                "AWS is unavailable: ListImports failed with HTTP 500 (unreadable response: <!doctype html>"
            ),
            "{e}"
        );
    }

    #[test]
    fn recognizes_missing_credentials() {
        assert!(mentions_credentials(
            "dispatch failure: other: the credential provider was not enabled: no providers in chain provided credentials"
        ));
        assert!(!mentions_credentials("io error: connection refused"));
    }
}
