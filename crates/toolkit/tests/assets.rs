//! Publishing container image assets for real: the `cloudwright` binary builds a `FROM scratch`
//! image asset of the `fixture_app` example with buildah (no daemon: vfs storage, chroot
//! isolation), pushes it to a real registry on 127.0.0.1 (Debian's `docker-registry`, through
//! `CLOUDWRIGHT_ASSET_REGISTRY`), creates the repository through the ECR API of `moto_server`,
//! and deploys the stack that runs the image to moto. The failures (no container tool, a build
//! that fails, a push the registry refuses, a registry that is not there) end before any stack
//! exists.
//!
//! buildah and docker-registry come from apt (`scripts/test` installs them). Without them the
//! tests print why and pass, except under CI (env `CI` set), where they fail.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not production code

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Output;

use cloudwright_cli::aws::client::{Client, Protocol, Service};
use cloudwright_cli::aws::ecr::Ecr;
use cloudwright_tests::{Moto, TempDir};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

mod common;
use common::images::{Registry, buildah_env, free_port, tools_present};
use common::{fixture_app, run, sdk, stack_status};

const STACK: &str = "CwAsset";
const REPOSITORY: &str = "cloudwright-assets";

/// A plain HTTP/1.1 request to 127.0.0.1:`port`: status, headers (lowercase names), body.
fn http(
    method: &str,
    port: u16,
    path: &str,
    accept: &str,
) -> (u16, BTreeMap<String, String>, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: {accept}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if let Some(n) = headers.get("content-length").and_then(|n| n.parse().ok()) {
        body.truncate(n);
    }
    (status, headers, body)
}

/// A build context: a Dockerfile and a file it copies.
fn context(dir: &Path, dockerfile: &str) -> PathBuf {
    let ctx = dir.join("image");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("Dockerfile"), dockerfile).unwrap();
    std::fs::write(ctx.join("hello.txt"), "hello from an image asset\n").unwrap();
    ctx
}

/// A project running the fixture app's `asset` mode on `ctx`.
fn project(ctx: &Path) -> TempDir {
    let dir = TempDir::new("toolkit-assets");
    let config = json!({
        "app": format!("{} -c fixture=asset -c assetDir={}", fixture_app().display(), ctx.display()),
        "context": "cloudwright.context.json",
        "out": "cloudwright.out",
    });
    std::fs::write(dir.path().join("cloudwright.json"), config.to_string()).unwrap();
    dir
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The asset the assembly in `dir` holds (exactly one).
fn the_asset(dir: &Path) -> cloudwright_core::asset::DockerImageAsset {
    let assets = cloudwright_core::Assembly::read_assets(&dir.join("cloudwright.out")).unwrap();
    assert_eq!(assets.docker_images.len(), 1);
    assets.docker_images.into_values().next().unwrap()
}

/// ECS through the toolkit's signed client (the toolkit has no ECS SDK).
const ECS: Service = Service {
    service_id: "ECS",
    signing_name: "ecs",
    endpoint_prefix: "ecs",
    protocol: Protocol::AwsJson11 {
        target_prefix: "AmazonEC2ContainerServiceV20141113",
    },
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_builds_pushes_then_deploys_and_a_second_deploy_publishes_nothing() {
    if !tools_present() {
        return;
    }
    let moto = Moto::start();
    let config = sdk(&moto).await;
    let cfn = aws_sdk_cloudformation::Client::new(&config);
    let work = TempDir::new("toolkit-assets-work");
    let registry = Registry::start(work.path());
    let ctx = context(
        work.path(),
        "FROM scratch\nCOPY hello.txt /hello.txt\nCMD [\"/hello\"]\n",
    );
    let dir = project(&ctx);
    let mut env = moto.env();
    env.extend(buildah_env(work.path()));
    env.push(("CLOUDWRIGHT_ASSET_REGISTRY", registry.host()));
    let args = [
        "deploy",
        "--yes",
        "--method",
        "direct",
        "--progress",
        "events",
    ];

    let first = run(dir.path(), &env, &args);
    let (out, err) = text(&first);
    assert!(first.status.success(), "{err}");
    let asset = the_asset(dir.path());
    let image = format!("{}/{REPOSITORY}:{}", registry.host(), asset.image_tag);
    for step in [
        format!("created ECR repository {REPOSITORY} in eu-west-1"),
        format!("building {image} with buildah"),
        format!("logging in to {} with buildah", registry.host()),
        format!("pushing {image}"),
    ] {
        assert!(out.contains(&step), "missing `{step}` in:\n{out}");
    }
    // publishing comes before the stack
    let pushed = out.find("pushed in").unwrap();
    assert!(
        out.find("CREATE_IN_PROGRESS").is_some_and(|s| s > pushed),
        "{out}"
    );

    // the image is in the registry, with the digest cloudwright reported
    let (status, headers, body) = http(
        "GET",
        registry.port,
        &format!("/v2/{REPOSITORY}/manifests/{}", asset.image_tag),
        cloudwright_cli::assets::registry::MANIFEST_ACCEPT,
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let digest = format!("sha256:{:x}", Sha256::digest(&body));
    assert_eq!(headers["docker-content-digest"], digest);
    assert!(out.contains(&format!("(digest {digest})")), "{out}");
    let manifest: Value = serde_json::from_slice(&body).unwrap();
    let layers = manifest["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 1, "{manifest}");
    let layer = layers[0]["digest"].as_str().unwrap();
    let (status, _, blob) = http(
        "GET",
        registry.port,
        &format!("/v2/{REPOSITORY}/blobs/{layer}"),
        "*/*",
    );
    assert_eq!(status, 200);
    assert_eq!(format!("sha256:{:x}", Sha256::digest(&blob)), layer);

    // the repository cloudwright created through the ECR API
    let ecr = Ecr::new(&config, "test").unwrap();
    let repos = ecr
        .call(
            "DescribeRepositories",
            &json!({"repositoryNames": [REPOSITORY]}),
        )
        .await
        .unwrap();
    let repo = &repos["repositories"][0];
    assert_eq!(repo["imageTagMutability"], "IMMUTABLE");
    assert_eq!(repo["imageScanningConfiguration"]["scanOnPush"], true);
    let policy = ecr
        .call("GetLifecyclePolicy", &json!({"repositoryName": REPOSITORY}))
        .await
        .unwrap();
    let policy: Value =
        serde_json::from_str(policy["lifecyclePolicyText"].as_str().unwrap()).unwrap();
    assert_eq!(policy, cloudwright_cli::assets::publish::lifecycle_policy());

    // the stack runs exactly that image
    assert_eq!(
        stack_status(&cfn, STACK).await.as_deref(),
        Some("CREATE_COMPLETE")
    );
    let described = cfn
        .describe_stacks()
        .stack_name(STACK)
        .send()
        .await
        .unwrap();
    let arn = described.stacks()[0]
        .outputs()
        .iter()
        .find(|o| o.output_key() == Some("TaskDefinition"))
        .and_then(|o| o.output_value())
        .unwrap()
        .to_owned();
    let ecs = Client::new(&config, ECS, "test").unwrap();
    let task = ecs
        .call(
            "DescribeTaskDefinition",
            json!({"taskDefinition": arn}).to_string().as_bytes(),
        )
        .await
        .unwrap();
    let task: Value = serde_json::from_slice(&task).unwrap();
    assert_eq!(
        task["taskDefinition"]["containerDefinitions"][0]["image"],
        format!(
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/{REPOSITORY}:{}",
            asset.image_tag
        )
    );

    // again: the tag is there, so nothing is built or pushed
    let second = run(dir.path(), &env, &args);
    let (out, err) = text(&second);
    assert!(second.status.success(), "{err}");
    assert!(
        out.contains(&format!(
            "{image} is already in the registry; not built or pushed"
        )),
        "{out}"
    );
    for absent in [
        "building",
        "logging in",
        "pushing",
        "created ECR repository",
    ] {
        assert!(!out.contains(absent), "`{absent}` in:\n{out}");
    }
    let (_, again, _) = http(
        "HEAD",
        registry.port,
        &format!("/v2/{REPOSITORY}/manifests/{}", asset.image_tag),
        cloudwright_cli::assets::registry::MANIFEST_ACCEPT,
    );
    assert_eq!(again["docker-content-digest"], digest);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_already_in_ecr_needs_no_container_tool() {
    // the ECR path (no registry override): DescribeImages finds the tag, so no tool is needed
    let moto = Moto::start();
    let config = sdk(&moto).await;
    let cfn = aws_sdk_cloudformation::Client::new(&config);
    let work = TempDir::new("toolkit-assets-work");
    let ctx = context(work.path(), "FROM scratch\nCOPY hello.txt /\n");
    let dir = project(&ctx);
    let mut env = moto.env();
    env.push(("PATH", String::new()));
    let synth = run(dir.path(), &env, &["synth"]);
    assert!(synth.status.success());
    let asset = the_asset(dir.path());

    let ecr = Ecr::new(&config, "test").unwrap();
    ecr.call("CreateRepository", &json!({"repositoryName": REPOSITORY}))
        .await
        .unwrap();
    let manifest = json!({"schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1,
                   "digest": format!("sha256:{}", "1".repeat(64))},
        "layers": []});
    ecr.call(
        "PutImage",
        &json!({"repositoryName": REPOSITORY, "imageManifest": manifest.to_string(),
                "imageTag": asset.image_tag}),
    )
    .await
    .unwrap();

    let assets = run(dir.path(), &env, &["assets"]);
    let (out, err) = text(&assets);
    assert!(assets.status.success(), "{err}");
    assert!(
        out.contains(&format!(
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/{REPOSITORY}:{} is already in the registry; not built or pushed",
            asset.image_tag
        )),
        "{out}"
    );
    assert_eq!(stack_status(&cfn, STACK).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_stop_before_any_stack_with_a_clear_message() {
    if !tools_present() {
        return;
    }
    let moto = Moto::start();
    let config = sdk(&moto).await;
    let cfn = aws_sdk_cloudformation::Client::new(&config);
    let work = TempDir::new("toolkit-assets-work");
    let args = ["deploy", "--yes", "--method", "direct"];
    let fails = |o: &Output, wants: &[&str]| {
        let (_, err) = text(o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        for w in wants {
            assert!(err.contains(w), "missing `{w}` in:\n{err}");
        }
    };

    // no container tool: none on PATH (the ECR path: the tag is not in the repository)
    let good = context(work.path(), "FROM scratch\nCOPY hello.txt /\n");
    let dir = project(&good);
    let mut env = moto.env();
    env.push(("PATH", String::new()));
    fails(
        &run(dir.path(), &env, &args),
        &[
            "no container tool to build the image assets with",
            "none of docker, podman, buildah, finch was found on PATH",
            "CLOUDWRIGHT_CONTAINER_TOOL",
            "no stack was changed",
        ],
    );
    assert_eq!(stack_status(&cfn, STACK).await, None);

    // a build that fails: the tool's own output is shown
    let bad_dir = TempDir::new("toolkit-assets-bad");
    let bad = context(bad_dir.path(), "FROM scratch\nCOPY no-such-file.txt /\n");
    let registry = Registry::start(work.path());
    let mut env = moto.env();
    env.extend(buildah_env(work.path()));
    env.push(("CLOUDWRIGHT_ASSET_REGISTRY", registry.host()));
    fails(
        &run(project(&bad).path(), &env, &args),
        &[
            "building image asset",
            "buildah bud",
            "no-such-file.txt",
            "no stack was changed",
        ],
    );
    assert_eq!(stack_status(&cfn, STACK).await, None);

    // a push the registry refuses (read-only): the tool's output is shown
    let read_only = Registry::start_read_only(work.path());
    let mut env = moto.env();
    env.extend(buildah_env(work.path()));
    env.push(("CLOUDWRIGHT_ASSET_REGISTRY", read_only.host()));
    fails(
        &run(dir.path(), &env, &args),
        &[
            "pushing image asset",
            &format!("to {}", read_only.host()),
            "405",
            "no stack was changed",
        ],
    );
    assert_eq!(stack_status(&cfn, STACK).await, None);

    // a registry that is not listening
    let closed = format!("127.0.0.1:{}", free_port());
    let mut env = moto.env();
    env.extend(buildah_env(work.path()));
    env.push(("CLOUDWRIGHT_ASSET_REGISTRY", closed.clone()));
    fails(
        &run(dir.path(), &env, &args),
        &[
            &format!("cannot check whether the registry {closed} has {REPOSITORY}:"),
            "no stack was changed",
        ],
    );
    assert_eq!(stack_status(&cfn, STACK).await, None);
}

#[test]
fn an_app_without_image_assets_publishes_nothing_and_asks_nothing() {
    // no region, no credentials, no endpoint: any AWS call would fail
    let dir = TempDir::new("toolkit-assets-none");
    let config = json!({"app": format!("{} -c fixture=single", fixture_app().display())});
    std::fs::write(dir.path().join("cloudwright.json"), config.to_string()).unwrap();
    let o = run(dir.path(), &[("PATH", String::new())], &["assets"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert_eq!(out, "the app has no assets\n");
}
