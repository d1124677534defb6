//! The EC2 and ECR clients against a local HTTP server on 127.0.0.1 that replays recorded
//! responses (`tests/ec2/*.xml` in EC2's documented wire format; ECR's JSON inline):
//! pagination through `NextToken`, retries with backoff on throttling, errors that are not
//! retried, the signed request itself.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not production code

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::{Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_types::retry::RetryConfig;
use cloudwright_cli::Error;
use cloudwright_cli::aws::ec2::{Ec2, Filter};
use cloudwright_cli::aws::ecr::Ecr;

/// A request as the server received it.
#[derive(Clone, Debug)]
struct Received {
    head: String,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    }
}

/// Serves `responses` (status, body) in order, one per connection, and records the requests.
/// Past the end of the list it answers 599 so a test that sends too much fails clearly.
fn replay(responses: Vec<(u16, String)>) -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&received);
    std::thread::spawn(move || {
        let mut responses = responses.into_iter();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let length = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            log.lock().unwrap().push(Received {
                head,
                body: String::from_utf8(body).unwrap(),
            });
            let (status, text) = responses
                .next()
                .unwrap_or((599, "no more recorded responses".into()));
            let reply = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: text/xml;charset=UTF-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                text.len()
            );
            stream.write_all(reply.as_bytes()).unwrap();
        }
    });
    (url, received)
}

fn recorded(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/ec2/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A configuration for `url` with test credentials and `attempts` attempts 5 ms apart at most.
fn config(url: &str, attempts: u32) -> SdkConfig {
    SdkConfig::builder()
        .region(Region::new("eu-west-1"))
        .endpoint_url(url)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDTESTING",
            "secret",
            None,
            None,
            "tests",
        )))
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(attempts)
                .with_initial_backoff(Duration::from_millis(5))
                .with_max_backoff(Duration::from_millis(5)),
        )
        .build()
}

/// An EC2 client of `url`.
fn client(url: &str, attempts: u32) -> Ec2 {
    Ec2::new(&config(url, attempts), "tests").unwrap()
}

fn form(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

#[tokio::test]
async fn describe_vpcs_follows_next_token_through_every_page() {
    let (url, received) = replay(vec![
        (200, recorded("describe-vpcs-page1.xml")),
        (200, recorded("describe-vpcs-page2.xml")),
        (200, recorded("describe-vpcs-page3.xml")),
    ]);
    let vpcs = client(&url, 3)
        .describe_vpcs(&[], &[Filter::new("tag:Name", "main")])
        .await
        .unwrap();
    let ids: Vec<&str> = vpcs.iter().map(|v| v.vpc_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "vpc-0000000000000001a",
            "vpc-0000000000000002b",
            "vpc-0000000000000003c"
        ]
    );
    assert_eq!(vpcs[2].cidr_block.as_deref(), Some("10.3.0.0/16"));

    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 3);
    let tokens: Vec<Option<String>> = received
        .iter()
        .map(|r| {
            let fields = form(&r.body);
            assert!(fields.contains(&("Action".into(), "DescribeVpcs".into())));
            assert!(fields.contains(&("Version".into(), "2016-11-15".into())));
            assert!(fields.contains(&("Filter.1.Name".into(), "tag%3AName".into())));
            assert!(fields.contains(&("Filter.1.Value.1".into(), "main".into())));
            fields
                .iter()
                .find(|(k, _)| k == "NextToken")
                .map(|(_, v)| v.clone())
        })
        .collect();
    // the second token has `+`, `/` and `=`, as base64 tokens do: they are percent-encoded
    assert_eq!(
        tokens,
        [
            None,
            Some("page-2-token".into()),
            Some("page%2B3%2Ftoken%3D".into())
        ]
    );
    // every request is a signed form POST
    for r in &received {
        assert!(r.head.starts_with("POST / HTTP/1.1\r\n"), "{}", r.head);
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("application/x-www-form-urlencoded; charset=utf-8")
        );
        let auth = r.header("authorization").unwrap();
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDTESTING/")
                && auth.contains("/eu-west-1/ec2/aws4_request, SignedHeaders="),
            "{auth}"
        );
        assert!(r.header("x-amz-date").is_some());
    }
}

#[tokio::test]
async fn throttling_is_retried_with_backoff_until_it_passes() {
    let (url, received) = replay(vec![
        (503, recorded("request-limit-exceeded.xml")),
        (503, recorded("request-limit-exceeded.xml")),
        (200, recorded("describe-vpcs-page3.xml")),
    ]);
    let vpcs = client(&url, 3)
        .describe_vpcs(&["vpc-0000000000000003c"], &[])
        .await
        .unwrap();
    assert_eq!(vpcs.len(), 1);
    let received = received.lock().unwrap();
    assert_eq!(received.len(), 3);
    // the same request each time
    assert!(received.iter().all(|r| r.body == received[0].body));
    assert!(received[0].body.contains("VpcId.1=vpc-0000000000000003c"));
}

#[tokio::test]
async fn throttling_past_the_last_attempt_is_a_throttled_error() {
    let (url, received) = replay(vec![
        (503, recorded("request-limit-exceeded.xml")),
        (503, recorded("request-limit-exceeded.xml")),
        (503, recorded("request-limit-exceeded.xml")),
    ]);
    let e = client(&url, 2).describe_vpcs(&[], &[]).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Throttled {
                operation: "DescribeVpcs",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        e.to_string().contains(
            "AWS throttled DescribeVpcs even after retrying with backoff (RequestLimitExceeded: Request limit exceeded.)"
        ),
        "{e}"
    );
    assert_eq!(received.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn client_errors_are_not_retried_and_keep_their_code() {
    let (url, received) = replay(vec![
        (400, recorded("invalid-vpc-id.xml")),
        (401, recorded("auth-failure.xml")),
    ]);
    let ec2 = client(&url, 3);
    let e = ec2
        .describe_vpcs(&["vpc-0000000000"], &[])
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Aws { operation: "DescribeVpcs", code, .. } if code == "InvalidVpcID.NotFound"),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "DescribeVpcs failed: InvalidVpcID.NotFound: The vpc ID 'vpc-0000000000' does not exist"
    );
    let e = ec2.describe_subnets(&[], &[]).await.unwrap_err();
    assert!(matches!(e, Error::AccessDenied { .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains("AWS denied DescribeSubnets (AuthFailure: AWS was not able"),
        "{e}"
    );
    assert_eq!(received.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn unreadable_answers_show_the_raw_body_after_retrying_server_errors() {
    let page = "<html><title>502 Bad Gateway</title></html>".to_owned();
    let (url, received) = replay(vec![(502, page.clone()), (502, page.clone()), (200, page)]);
    let ec2 = client(&url, 2);
    let e = ec2.describe_vpcs(&[], &[]).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "DescribeVpcs failed and its response could not be decoded (HTTP 502); the raw response body was: <html><title>502 Bad Gateway</title></html>"
    );
    assert_eq!(received.lock().unwrap().len(), 2);
    // a 200 with a body that is not the operation's response
    let e = ec2.describe_vpcs(&[], &[]).await.unwrap_err();
    assert!(
        matches!(e, Error::UnreadableResponse { status: 200, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("502 Bad Gateway"), "{e}");
}

#[tokio::test]
async fn a_repeated_next_token_stops_with_an_error() {
    let (url, _) = replay(vec![
        (200, recorded("describe-vpcs-page1.xml")),
        (200, recorded("describe-vpcs-page1.xml")),
    ]);
    let e = client(&url, 1).describe_vpcs(&[], &[]).await.unwrap_err();
    assert!(e.to_string().contains("the same nextToken twice"), "{e}");
}

#[tokio::test]
async fn an_endpoint_nobody_listens_on_is_unreachable() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let e = client(&url, 2).describe_vpcs(&[], &[]).await.unwrap_err();
    assert!(matches!(e, Error::EndpointUnreachable { .. }), "{e:?}");
    assert!(
        e.to_string()
            .starts_with(&format!("cannot reach {url} for DescribeVpcs")),
        "{e}"
    );
}

#[tokio::test]
async fn ecr_speaks_json_pages_through_next_token_and_retries_throttling() {
    let page = |digest: &str, next: Option<&str>| {
        let mut v = serde_json::json!({"imageDetails": [
            {"imageDigest": digest, "imageTags": ["v"], "imagePushedAt": 1700000000.5}
        ]});
        if let Some(n) = next {
            v["nextToken"] = serde_json::json!(n);
        }
        v.to_string()
    };
    let throttled =
        r#"{"__type":"com.amazonaws.ecr#ThrottlingException","message":"Rate exceeded"}"#;
    let (url, received) = replay(vec![
        (200, page("sha256:a", Some("n/1+"))),
        (400, throttled.to_owned()),
        (200, page("sha256:b", None)),
        (
            400,
            r#"{"__type":"RepositoryNotFoundException","message":"The repository with name 'x' does not exist"}"#
                .to_owned(),
        ),
    ]);
    let ecr = Ecr::new(&config(&url, 3), "tests").unwrap();
    let images = ecr.images("repo").await.unwrap();
    let digests: Vec<&str> = images.iter().map(|i| i.digest.as_str()).collect();
    assert_eq!(digests, ["sha256:a", "sha256:b"]);
    assert_eq!(images[0].pushed_at, Some((1_700_000_000, 500_000_000)));
    let e = ecr.repository_uri("x").await.unwrap_err();
    assert!(
        matches!(&e, Error::Aws { operation: "DescribeRepositories", code, .. } if code == "RepositoryNotFoundException"),
        "{e:?}"
    );

    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 4);
    let bodies: Vec<serde_json::Value> = received
        .iter()
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    assert_eq!(bodies[0], serde_json::json!({"repositoryName": "repo"}));
    // the retry repeats the second page's request, token and all
    assert_eq!(
        bodies[1],
        serde_json::json!({"repositoryName": "repo", "nextToken": "n/1+"})
    );
    assert_eq!(bodies[2], bodies[1]);
    assert_eq!(bodies[3], serde_json::json!({"repositoryNames": ["x"]}));
    for (r, target) in received.iter().zip([
        "DescribeImages",
        "DescribeImages",
        "DescribeImages",
        "DescribeRepositories",
    ]) {
        assert_eq!(
            r.header("x-amz-target"),
            Some(format!("AmazonEC2ContainerRegistry_V20150921.{target}"))
        );
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("application/x-amz-json-1.1")
        );
        let auth = r.header("authorization").unwrap();
        assert!(auth.contains("/eu-west-1/ecr/aws4_request"), "{auth}");
    }
}
