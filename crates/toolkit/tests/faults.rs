//! The fault-injection suite: the `cloudwright` binary against moto through a proxy on
//! 127.0.0.1 that delays calls, answers with 5xx or throttling, never answers, drops replies
//! after forwarding, or signals the CLI at a chosen call (`common/faults.rs`); and runs racing
//! each other. Each test asserts the exit code, the message, and the stack state and files
//! left behind (through the SDK against moto directly, not the CLI's own output).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not production code

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use cloudwright_tests::{Moto, TempDir};
use serde_json::json;

mod common;
use common::faults::{Fault, Faults};
use common::{fixture_app, sdk, stack_status};

/// A project directory with `cloudwright.json` running the fixture app in `mode`.
fn project(mode: &str, extra: &str) -> TempDir {
    let dir = TempDir::new("faults");
    let config = json!({
        "app": format!("{} -c fixture={mode} {extra}", fixture_app().display()),
        "context": "cloudwright.context.json",
        "out": "cloudwright.out",
    });
    std::fs::write(dir.path().join("cloudwright.json"), config.to_string()).unwrap();
    dir
}

/// The temporary directory of the CLI runs in `dir` (their own: what a run leaves there is
/// this test's to see).
fn tmp_of(dir: &Path) -> std::path::PathBuf {
    dir.join("tmp")
}

/// The CLI in `dir` with a clean environment aimed at `endpoint` (the proxy).
fn command(dir: &Path, endpoint: &str, extra_env: &[(&str, &str)], args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cloudwright"));
    std::fs::create_dir_all(tmp_of(dir)).unwrap();
    c.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TMPDIR", tmp_of(dir))
        .env("HOME", dir)
        .env("AWS_CONFIG_FILE", dir.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "eu-west-1")
        .envs(extra_env.iter().copied())
        .args(args)
        .stdin(Stdio::null());
    c
}

fn show(args: &[&str], out: &Output) {
    eprintln!(
        "$ cloudwright {}\n--- status {:?}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn run(dir: &Path, endpoint: &str, args: &[&str]) -> (Output, Duration) {
    run_env(dir, endpoint, &[], args)
}

fn run_env(dir: &Path, endpoint: &str, env: &[(&str, &str)], args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let out = command(dir, endpoint, env, args).output().unwrap();
    let took = started.elapsed();
    show(args, &out);
    (out, took)
}

fn spawn(dir: &Path, endpoint: &str, args: &[&str]) -> Child {
    command(dir, endpoint, &[], args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(child: Child, args: &[&str]) -> Output {
    let out = child.wait_with_output().unwrap();
    show(args, &out);
    out
}

/// The synthesis run directories (`cloudwright-run-<pid>-...`) in the runs' temporary
/// directory.
fn run_dirs(dir: &Path) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(tmp_of(dir))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("cloudwright-run-"))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// What a failed or interrupted deploy of `stack` leaves in its project: no run directory,
/// no half-published out directory or lock, and in `cloudwright.out` the assembly this run
/// synthesized (published before the deploy began: what was attempted stays visible).
fn assert_files_left(dir: &Path, stack: &str) {
    assert_eq!(run_dirs(dir), Vec::<String>::new(), "run directories left");
    let mut stray: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".cloudwright.out") || n.ends_with(".lock"))
        .collect();
    stray.sort();
    assert_eq!(stray, Vec::<String>::new(), "partial files left");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("cloudwright.out/manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["stacks"][0]["id"], stack, "{manifest}");
    let template = manifest["stacks"][0]["templateFile"].as_str().unwrap();
    assert!(dir.join("cloudwright.out").join(template).is_file());
}

/// How long a run ended after the first `operation` reached the proxy: a hung call's timeout,
/// once (a second wait would double it).
fn since_first(proxy: &Faults, operation: &str) -> Duration {
    proxy
        .first(operation)
        .map(|at| at.elapsed())
        .unwrap_or_else(|| panic!("{operation} never reached the proxy"))
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The unexecuted change sets moto holds for `stack`.
async fn open_change_sets(cfn: &aws_sdk_cloudformation::Client, stack: &str) -> usize {
    let sets = cfn
        .list_change_sets()
        .stack_name(stack)
        .send()
        .await
        .unwrap();
    sets.summaries()
        .iter()
        .filter(|s| s.stack_name() == Some(stack))
        .filter(|s| s.execution_status().map(|e| e.as_str()) == Some("AVAILABLE"))
        .count()
}

/// How many stacks of this name moto lists that are not deleted.
async fn live_stacks(cfn: &aws_sdk_cloudformation::Client, stack: &str) -> usize {
    let list = cfn.list_stacks().send().await.unwrap();
    list.stack_summaries()
        .iter()
        .filter(|s| s.stack_name() == Some(stack))
        .filter(|s| s.stack_status().map(|x| x.as_str()) != Some("DELETE_COMPLETE"))
        .count()
}

const DEPLOY: &[&str] = &["deploy", "--yes", "--progress", "events"];

/// Makes moto load its CloudFormation and ECR backends (its first call of a service can take
/// seconds on a busy machine), so a short `--timeout` measures the fault, not moto's start.
async fn warm(moto: &Moto) {
    let config = sdk(moto).await;
    aws_sdk_cloudformation::Client::new(&config)
        .list_stacks()
        .send()
        .await
        .unwrap();
    cloudwright_cli::aws::ecr::Ecr::new(&config, "tests")
        .unwrap()
        .call("DescribeRepositories", &json!({}))
        .await
        .unwrap();
}

fn deploy_args(timeout: &'static str) -> Vec<&'static str> {
    let mut a = DEPLOY.to_vec();
    a.extend(["--timeout", timeout]);
    a
}

// ---- 1. bounded everywhere -------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_describe_stacks_ends_within_the_timeout_naming_call_and_endpoint() {
    let moto = Moto::start();
    let cfn = aws_sdk_cloudformation::Client::new(&sdk(&moto).await);
    warm(&moto).await;
    let proxy = Faults::start(moto.port());
    proxy.always("DescribeStacks", Fault::Hang);
    let dir = project("single", "");
    let (out, took) = run(dir.path(), &proxy.endpoint(), &deploy_args("8"));
    let waited = since_first(&proxy, "DescribeStacks");
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    // one 8 s wait from the hung call on, not two
    assert!(
        waited >= Duration::from_secs(7) && waited < Duration::from_secs(12),
        "ended {waited:?} after the hung call (took {took:?} in all)"
    );
    assert!(err.contains("did not answer DescribeStacks"), "{err}");
    assert!(err.contains(&proxy.endpoint()), "{err}");
    assert!(err.contains("Nothing was changed"), "{err}");
    assert!(!err.contains("fix the template"), "{err}");
    assert_eq!(stack_status(&cfn, "CwSingle").await, None);
    assert_files_left(dir.path(), "CwSingle");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_describe_change_set_ends_within_the_timeout_and_cleans_up() {
    let moto = Moto::start();
    let cfn = aws_sdk_cloudformation::Client::new(&sdk(&moto).await);
    warm(&moto).await;
    let proxy = Faults::start(moto.port());
    proxy.always("DescribeChangeSet", Fault::Hang);
    let dir = project("single", "");
    let (out, took) = run(dir.path(), &proxy.endpoint(), &deploy_args("8"));
    let waited = since_first(&proxy, "DescribeChangeSet");
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    // one 8 s wait, then the cleanup (moto answers it at once)
    assert!(
        waited >= Duration::from_secs(7) && waited < Duration::from_secs(13),
        "ended {waited:?} after the hung call (took {took:?} in all)"
    );
    assert!(err.contains("did not answer DescribeChangeSet"), "{err}");
    assert!(err.contains(&proxy.endpoint()), "{err}");
    assert!(
        err.contains("deleted the unexecuted change set of stack `CwSingle` and the empty stack"),
        "{err}"
    );
    assert_eq!(stack_status(&cfn, "CwSingle").await, None);
    assert_eq!(open_change_sets(&cfn, "CwSingle").await, 0);
    assert_files_left(dir.path(), "CwSingle");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_ecr_describe_images_ends_within_the_timeout() {
    let moto = Moto::start();
    let cfn = aws_sdk_cloudformation::Client::new(&sdk(&moto).await);
    warm(&moto).await;
    let proxy = Faults::start(moto.port());
    proxy.always("DescribeImages", Fault::Hang);
    let dir = TempDir::new("faults-asset");
    let ctx = dir.path().join("image");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("Dockerfile"), "FROM scratch\n").unwrap();
    let config = json!({
        "app": format!("{} -c fixture=asset -c assetDir={}", fixture_app().display(), ctx.display()),
    });
    std::fs::write(dir.path().join("cloudwright.json"), config.to_string()).unwrap();
    let (out, took) = run(dir.path(), &proxy.endpoint(), &deploy_args("8"));
    let waited = since_first(&proxy, "DescribeImages");
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        waited >= Duration::from_secs(7) && waited < Duration::from_secs(12),
        "ended {waited:?} after the hung call (took {took:?} in all)"
    );
    assert!(err.contains("did not answer DescribeImages"), "{err}");
    assert!(err.contains(&proxy.endpoint()), "{err}");
    assert_eq!(stack_status(&cfn, "CwAsset").await, None);
    assert_files_left(dir.path(), "CwAsset");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_describe_vpcs_during_lookup_ends_within_the_request_timeout() {
    let moto = Moto::start();
    warm(&moto).await;
    let proxy = Faults::start(moto.port());
    proxy.always("DescribeVpcs", Fault::Hang);
    let dir = project("pinned", "-c account=none -c lookup=1");
    // no --timeout: only the per-request timeout bounds the call (one attempt, so the bound
    // is the timeout itself, not the timeout times the retries)
    let (out, took) = run_env(
        dir.path(),
        &proxy.endpoint(),
        &[
            ("CLOUDWRIGHT_REQUEST_TIMEOUT", "3"),
            ("AWS_MAX_ATTEMPTS", "1"),
        ],
        &["lookup"],
    );
    let waited = since_first(&proxy, "DescribeVpcs");
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        waited >= Duration::from_millis(2500) && waited < Duration::from_secs(6),
        "ended {waited:?} after the hung call (took {took:?} in all)"
    );
    assert!(err.contains("did not answer DescribeVpcs"), "{err}");
    assert!(err.contains(&proxy.endpoint()), "{err}");
    // nothing was written: no value, no lock, no run directory
    assert!(!dir.path().join("cloudwright.context.json").exists());
    assert!(!dir.path().join("cloudwright.context.json.lock").exists());
    assert_eq!(run_dirs(dir.path()), Vec::<String>::new());
}

/// Whether a process runs (zombies, not yet reaped by an init that may never reap them, do
/// not).
fn running(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(')')
                .and_then(|(_, r)| r.split_whitespace().next().map(str::to_owned))
        })
        .is_some_and(|state| state != "Z" && state != "X")
}

/// A script the app command runs (`sh FILE`).
fn script(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    format!("sh {}", path.display())
}

#[test]
fn an_app_printing_300_mb_is_capped_and_the_error_stays_small() {
    let dir = TempDir::new("faults-loud");
    let app = script(
        dir.path(),
        "loud.sh",
        "head -c 300000000 /dev/zero | tr '\\0' x\necho the real error >&2\nexit 3\n",
    );
    let (out, took) = run(dir.path(), "http://127.0.0.1:9", &["synth", "--app", &app]);
    let (stdout, err) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.len() < 200_000, "the error is {} bytes", err.len());
    assert!(stdout.is_empty());
    assert!(
        err.contains("failed (exit status 3)"),
        "{}",
        &err[..err.len().min(500)]
    );
    assert!(err.contains("the real error"));
    assert!(
        err.contains("output truncated"),
        "{}",
        &err[..err.len().min(500)]
    );
    assert!(took < Duration::from_secs(60), "took {took:?}");
    assert!(!dir.path().join("cloudwright.out").exists());
}

#[test]
fn an_app_over_its_timeout_is_stopped_with_what_it_started() {
    let dir = TempDir::new("faults-slow");
    let pids = dir.path().join("pids");
    let app = script(
        dir.path(),
        "slow.sh",
        &format!(
            "echo $$ > {p}\nsleep 120 &\necho $! >> {p}\necho started\nwait\n",
            p = pids.display()
        ),
    );
    let (out, took) = run(
        dir.path(),
        "http://127.0.0.1:9",
        &["synth", "--app", &app, "--app-timeout", "2"],
    );
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(
        err.contains("did not finish within 2 s and was stopped"),
        "{err}"
    );
    assert!(err.contains("started"), "{err}");
    for pid in std::fs::read_to_string(&pids).unwrap().split_whitespace() {
        assert!(!running(pid), "process {pid} of the app is still running");
    }
}

/// A container tool (`docker`, by its name) that starts a child and waits, writing both
/// process ids to `pids`.
fn hanging_docker(dir: &Path, pids: &Path) -> std::path::PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let docker = bin.join("docker");
    std::fs::write(
        &docker,
        format!(
            "#!/bin/sh\nsleep 120 &\necho $! >> {p}\necho $$ >> {p}\nwait\n",
            p = pids.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).unwrap();
    docker
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_container_build_is_stopped_by_the_timeout_and_by_sigterm() {
    let moto = Moto::start();
    let cfn = aws_sdk_cloudformation::Client::new(&sdk(&moto).await);
    warm(&moto).await;
    let dir = TempDir::new("faults-tool");
    let ctx = dir.path().join("image");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("Dockerfile"), "FROM scratch\n").unwrap();
    let pids = dir.path().join("pids");
    let docker = hanging_docker(dir.path(), &pids);
    let config = json!({
        "app": format!("{} -c fixture=asset -c assetDir={}", fixture_app().display(), ctx.display()),
    });
    std::fs::write(dir.path().join("cloudwright.json"), config.to_string()).unwrap();
    let tool = docker.display().to_string();
    let env = [("CLOUDWRIGHT_CONTAINER_TOOL", tool.as_str())];

    // --timeout bounds the build: stopped with the process it started
    let (out, took) = run_env(dir.path(), &moto.endpoint(), &env, &deploy_args("4"));
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("building image asset")
            && err.contains("a stop after 4 s (the command's --timeout)")
            && err.contains("no stack was changed"),
        "{err}"
    );
    assert!(took < Duration::from_secs(30), "took {took:?}");
    let started = std::fs::read_to_string(&pids).unwrap();
    assert_eq!(started.split_whitespace().count(), 2, "{started}");
    for pid in started.split_whitespace() {
        assert!(!running(pid), "process {pid} of the build still runs");
    }
    assert_eq!(stack_status(&cfn, "CwAsset").await, None);
    assert_eq!(run_dirs(dir.path()), Vec::<String>::new());

    // SIGTERM while it builds: stopped, and said
    std::fs::remove_file(&pids).unwrap();
    let args = deploy_args("60");
    let child = command(dir.path(), &moto.endpoint(), &env, &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::read_to_string(&pids)
        .map(|t| t.lines().count() < 2)
        .unwrap_or(true)
    {
        assert!(Instant::now() < deadline, "the build did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let out = finish(child, &args);
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(143), "{err}");
    assert!(err.contains("interrupted by SIGTERM"), "{err}");
    assert!(err.contains("stopped docker (process"), "{err}");
    for pid in std::fs::read_to_string(&pids).unwrap().split_whitespace() {
        assert!(!running(pid), "process {pid} of the build was orphaned");
    }
    assert_eq!(stack_status(&cfn, "CwAsset").await, None);
    assert_eq!(run_dirs(dir.path()), Vec::<String>::new());
}

// ---- 3. honest errors ----------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_is_retried_then_reported_as_aws_unavailable() {
    let moto = Moto::start();
    let cfn = aws_sdk_cloudformation::Client::new(&sdk(&moto).await);
    let proxy = Faults::start(moto.port());
    proxy.always("DescribeStacks", Fault::Throttle);
    let dir = project("single", "");
    let (out, _) = run(dir.path(), &proxy.endpoint(), &deploy_args("60"));
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("AWS throttled DescribeStacks even after retrying"),
        "{err}"
    );
    assert!(err.contains("Nothing was changed"), "{err}");
    assert!(!err.contains("fix the template"), "{err}");
    let tries = proxy
        .calls()
        .iter()
        .filter(|c| *c == "DescribeStacks")
        .count();
    assert!(tries >= 2, "retried: {tries} calls");
    assert_eq!(stack_status(&cfn, "CwSingle").await, None);
    assert_files_left(dir.path(), "CwSingle");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_on_create_change_set_changes_nothing_and_says_so() {
    let moto = Moto::start();
    let cfn = aws_sdk_cloudformation::Client::new(&sdk(&moto).await);
    let proxy = Faults::start(moto.port());
    proxy.always("CreateChangeSet", Fault::Status(503));
    let dir = project("single", "");
    let (out, _) = run(dir.path(), &proxy.endpoint(), &deploy_args("60"));
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("AWS is unavailable: CreateChangeSet failed with HTTP 503"),
        "{err}"
    );
    assert!(err.contains("The stack was not changed"), "{err}");
    assert!(!err.contains("fix the template"), "{err}");
    assert_eq!(stack_status(&cfn, "CwSingle").await, None);
    assert_files_left(dir.path(), "CwSingle");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_reply_after_execute_change_set_reads_the_stack_back() {
    let moto = Moto::start();
    let cfn = aws_sdk_cloudformation::Client::new(&sdk(&moto).await);
    let proxy = Faults::start(moto.port());
    proxy.always("ExecuteChangeSet", Fault::DropReply);
    let dir = project("single", "");
    let (out, _) = run(dir.path(), &proxy.endpoint(), &deploy_args("60"));
    let (stdout, err) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        stdout.contains("the answer to ExecuteChangeSet was lost"),
        "{stdout}"
    );
    assert!(stdout.contains("CwSingle: CREATE_COMPLETE"), "{stdout}");
    assert!(!err.contains("fix the template"), "{err}");
    assert_eq!(
        stack_status(&cfn, "CwSingle").await.as_deref(),
        Some("CREATE_COMPLETE")
    );
    assert_files_left(dir.path(), "CwSingle");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_direct_creates_end_in_one_stack_and_a_named_conflict() {
    let moto = Moto::start();
    let cfn = aws_sdk_cloudformation::Client::new(&sdk(&moto).await);
    let proxy = Faults::start(moto.port());
    // both runs find no stack, then their CreateStack calls arrive one after the other: the
    // second 1.5 s after the first (moto creates a stack while it answers, but two creates
    // of one name arriving at the same instant race inside moto and both succeed, which is
    // moto's race, not the one under test)
    for delay in [1500, 3000] {
        proxy.rule(
            "CreateStack",
            Fault::Delay(Duration::from_millis(delay)),
            0,
            1,
        );
    }
    let dir = project("single", "");
    let mut args = deploy_args("60");
    args.extend(["--method", "direct"]);
    let a = spawn(dir.path(), &proxy.endpoint(), &args);
    let b = spawn(dir.path(), &proxy.endpoint(), &args);
    let outs = [finish(a, &args), finish(b, &args)];
    let codes: Vec<Option<i32>> = outs.iter().map(|o| o.status.code()).collect();
    assert!(
        codes.contains(&Some(0)) && codes.contains(&Some(1)),
        "{codes:?}"
    );
    let loser = outs.iter().find(|o| o.status.code() == Some(1)).unwrap();
    let (_, err) = text(loser);
    assert!(
        err.contains("is being changed by another operation") && err.contains("AlreadyExists"),
        "{err}"
    );
    assert!(!err.contains("fix the template"), "{err}");
    assert_eq!(live_stacks(&cfn, "CwSingle").await, 1);
    assert_eq!(
        stack_status(&cfn, "CwSingle").await.as_deref(),
        Some("CREATE_COMPLETE")
    );
    assert_files_left(dir.path(), "CwSingle");
}

// ---- 4. interruptions ----------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_change_set_deploys_at_once_one_is_refused_as_a_conflict() {
    let moto = Moto::start();
    let cfn = aws_sdk_cloudformation::Client::new(&sdk(&moto).await);
    let proxy = Faults::start(moto.port());
    proxy.rule(
        "CreateChangeSet",
        Fault::Delay(Duration::from_millis(1500)),
        0,
        2,
    );
    let dir = project("single", "");
    let args = deploy_args("60");
    let a = spawn(dir.path(), &proxy.endpoint(), &args);
    let b = spawn(dir.path(), &proxy.endpoint(), &args);
    let outs = [finish(a, &args), finish(b, &args)];
    let codes: Vec<Option<i32>> = outs.iter().map(|o| o.status.code()).collect();
    assert!(
        codes.contains(&Some(0)) && codes.contains(&Some(1)),
        "{codes:?}"
    );
    let loser = outs.iter().find(|o| o.status.code() == Some(1)).unwrap();
    let (_, err) = text(loser);
    assert!(
        err.contains("is being changed by another operation"),
        "{err}"
    );
    assert!(err.contains("This run changed nothing"), "{err}");
    assert_eq!(live_stacks(&cfn, "CwSingle").await, 1);
    assert_eq!(
        stack_status(&cfn, "CwSingle").await.as_deref(),
        Some("CREATE_COMPLETE")
    );
    assert_eq!(open_change_sets(&cfn, "CwSingle").await, 0);
    assert_files_left(dir.path(), "CwSingle");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_while_the_change_set_is_created_deletes_it_and_says_so() {
    let moto = Moto::start();
    let cfn = aws_sdk_cloudformation::Client::new(&sdk(&moto).await);
    let proxy = Faults::start(moto.port());
    proxy.rule("DescribeChangeSet", Fault::Signal("INT"), 0, 1);
    let dir = project("single", "");
    let args = deploy_args("60");
    let child = spawn(dir.path(), &proxy.endpoint(), &args);
    proxy.target(child.id());
    let out = finish(child, &args);
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted by SIGINT"), "{err}");
    assert!(
        err.contains("deleted the unexecuted change set of stack `CwSingle` and the empty stack"),
        "{err}"
    );
    assert!(err.contains("stack `CwSingle` does not exist"), "{err}");
    assert_eq!(stack_status(&cfn, "CwSingle").await, None);
    assert_eq!(open_change_sets(&cfn, "CwSingle").await, 0);
    assert_files_left(dir.path(), "CwSingle");
}

#[test]
fn sigterm_while_the_app_runs_stops_the_app() {
    let dir = TempDir::new("faults-term");
    let pids = dir.path().join("pids");
    let app = script(
        dir.path(),
        "slow.sh",
        &format!(
            "sleep 120 &\necho $! >> {p}\necho $$ >> {p}\nwait\n",
            p = pids.display()
        ),
    );
    let args = ["synth", "--app", app.as_str()];
    let child = spawn(dir.path(), "http://127.0.0.1:9", &args);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::read_to_string(&pids)
        .map(|t| t.lines().count() < 2)
        .unwrap_or(true)
    {
        assert!(Instant::now() < deadline, "the app did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let out = finish(child, &args);
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(143), "{err}");
    assert!(err.contains("interrupted by SIGTERM"), "{err}");
    assert!(err.contains("stopped the app"), "{err}");
    for pid in std::fs::read_to_string(&pids).unwrap().split_whitespace() {
        assert!(!running(pid), "process {pid} of the app was orphaned");
    }
    // the app never finished: no run directory left, nothing published
    assert_eq!(run_dirs(dir.path()), Vec::<String>::new());
    assert!(!dir.path().join("cloudwright.out").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rerun_after_sigkill_during_change_set_creation_cleans_up_and_converges() {
    let moto = Moto::start();
    let cfn = aws_sdk_cloudformation::Client::new(&sdk(&moto).await);
    let proxy = Faults::start(moto.port());
    proxy.rule("DescribeChangeSet", Fault::Signal("KILL"), 0, 1);
    let dir = project("single", "");
    let args = deploy_args("60");
    let child = spawn(dir.path(), &proxy.endpoint(), &args);
    proxy.target(child.id());
    let pid = child.id();
    let killed = finish(child, &args);
    assert_eq!(killed.status.code(), None, "killed by SIGKILL");
    // SIGKILL skips every cleanup: the run's own directory stays (README: the next run
    // removes it)
    let left = run_dirs(dir.path());
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(
        left[0].starts_with(&format!("cloudwright-run-{pid}-")),
        "{left:?}"
    );
    // what a killed run leaves: an empty stack holding an unexecuted change set
    assert_eq!(
        stack_status(&cfn, "CwSingle").await.as_deref(),
        Some("REVIEW_IN_PROGRESS")
    );
    assert_eq!(open_change_sets(&cfn, "CwSingle").await, 1);

    let (out, _) = run(dir.path(), &proxy.endpoint(), &args);
    let (stdout, err) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(stdout.contains("left by an interrupted run"), "{stdout}");
    assert_eq!(
        stack_status(&cfn, "CwSingle").await.as_deref(),
        Some("CREATE_COMPLETE")
    );
    assert_eq!(live_stacks(&cfn, "CwSingle").await, 1);
    assert_eq!(open_change_sets(&cfn, "CwSingle").await, 0);
    // the rerun removed the killed run's directory, and its own
    assert_files_left(dir.path(), "CwSingle");
}

// ---- 2. no lost writes -----------------------------------------------------------------

/// An app that needs the lookups `vpc-provider:region=eu-west-1:tag:K<n>=x` for its four
/// keys (`4 × ID + 0..3`), one per run, reporting the first one its context file lacks.
const LOOKUP_APP: &str = r#"id=$1; shift
while [ $# -gt 0 ]; do
  case $1 in
    --context-file) ctx=$2; shift;;
    --missing-report) rep=$2; shift;;
  esac
  shift
done
for j in 0 1 2 3; do
  k="K$((id * 4 + j))"
  if ! grep -q "tag:$k=x\"" "$ctx" 2>/dev/null; then
    printf '[{"key":"vpc-provider:region=eu-west-1:tag:%s=x","query":{"provider":"vpc-provider","props":{"region":"eu-west-1","tag:%s":"x"}}}]' "$k" "$k" > "$rep"
    exit 1
  fi
done
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_lookups_keep_every_value() {
    const RUNS: usize = 8;
    const KEYS: usize = RUNS * 4;
    let moto = Moto::start();
    let config = sdk(&moto).await;
    let ec2 = cloudwright_cli::aws::ec2::Ec2::new(&config, "tests").unwrap();
    // the default VPC, tagged K0..K31 = x: each key a lookup of its own
    let vpcs = ec2
        .call(
            "DescribeVpcs",
            &[
                ("Filter.1.Name".to_owned(), "isDefault".to_owned()),
                ("Filter.1.Value.1".to_owned(), "true".to_owned()),
            ],
        )
        .await
        .unwrap();
    let vpc = vpcs.text("vpcId").unwrap().unwrap();
    let mut tags = vec![("ResourceId.1".to_owned(), vpc.clone())];
    for n in 0..KEYS {
        tags.push((format!("Tag.{}.Key", n + 1), format!("K{n}")));
        tags.push((format!("Tag.{}.Value", n + 1), "x".to_owned()));
    }
    ec2.call("CreateTags", &tags).await.unwrap();

    let dir = TempDir::new("faults-lookups");
    let app = dir.path().join("app.sh");
    std::fs::write(&app, LOOKUP_APP).unwrap();
    let context = dir.path().join("cloudwright.context.json");
    let children: Vec<(Child, Vec<String>)> = (0..RUNS)
        .map(|id| {
            let args = vec![
                "lookup".to_owned(),
                "--app".to_owned(),
                format!("sh {} {id}", app.display()),
            ];
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            (spawn(dir.path(), &moto.endpoint(), &refs), args)
        })
        .collect();
    for (child, args) in children {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = finish(child, &refs);
        let (stdout, err) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{err}");
        assert!(!err.contains("still reports missing context"), "{err}");
        assert!(stdout.contains("4 lookups performed"), "{stdout}");
    }
    let values: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&context).unwrap()).unwrap();
    for n in 0..KEYS {
        let key = format!("vpc-provider:region=eu-west-1:tag:K{n}=x");
        assert_eq!(
            values.get(&key).and_then(|v| v["vpcId"].as_str()),
            Some(vpc.as_str()),
            "{key} was lost"
        );
    }
    assert!(
        !dir.path().join("cloudwright.context.json.lock").exists(),
        "no lock is left behind"
    );
}

// ---- 5. destroy reports what it kept ---------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destroy_names_the_retained_resources_with_their_physical_ids() {
    let moto = Moto::start();
    let config = sdk(&moto).await;
    let cfn = aws_sdk_cloudformation::Client::new(&config);
    let dir = project("retain", "");
    let (out, _) = run(dir.path(), &moto.endpoint(), &deploy_args("60"));
    assert_eq!(out.status.code(), Some(0));
    let (out, _) = run(dir.path(), &moto.endpoint(), &["destroy", "--yes"]);
    let (stdout, err) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        stdout.contains("CwRetain: deleted in")
            && stdout.contains("kept 1 resource that still exists"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "kept Logs (AWS::Logs::LogGroup) cloudwright-kept-logs [DeletionPolicy Retain]"
        ),
        "{stdout}"
    );
    assert_eq!(stack_status(&cfn, "CwRetain").await, None);
    // the log group is still there, as the output says
    let logs = cloudwright_cli::aws::client::Client::new(
        &config,
        cloudwright_cli::aws::logs::SERVICE,
        "tests",
    )
    .unwrap();
    let groups = logs
        .call_json(
            "DescribeLogGroups",
            &json!({"logGroupNamePrefix": "cloudwright-kept-logs"}),
        )
        .await
        .unwrap();
    assert_eq!(
        groups["logGroups"].as_array().map(Vec::len),
        Some(1),
        "{groups}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deploy_racing_a_destroy_is_a_conflict_not_the_templates_fault() {
    let moto = Moto::start();
    let cfn = aws_sdk_cloudformation::Client::new(&sdk(&moto).await);
    let proxy = Faults::start(moto.port());
    let dir = project("single", "");
    let (out, _) = run(dir.path(), &proxy.endpoint(), &deploy_args("60"));
    assert_eq!(out.status.code(), Some(0));
    // the update's change set is held back while a destroy deletes the stack
    proxy.rule(
        "CreateChangeSet",
        Fault::Delay(Duration::from_secs(5)),
        0,
        1,
    );
    let mut update = deploy_args("60");
    update.extend(["-c", "version=2"]);
    // the first deploy's CreateChangeSet went through the proxy too: wait for a new one
    let change_sets = || {
        proxy
            .calls()
            .iter()
            .filter(|c| *c == "CreateChangeSet")
            .count()
    };
    let before = change_sets();
    let child = spawn(dir.path(), &proxy.endpoint(), &update);
    let deadline = Instant::now() + Duration::from_secs(30);
    while change_sets() <= before {
        assert!(
            Instant::now() < deadline,
            "the deploy never created its change set"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let (destroyed, _) = run(dir.path(), &moto.endpoint(), &["destroy", "--yes"]);
    assert_eq!(destroyed.status.code(), Some(0));
    let out = finish(child, &update);
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("is being changed by another operation"),
        "{err}"
    );
    assert!(err.contains("deleted while this run deployed it"), "{err}");
    assert!(!err.contains("fix the template"), "{err}");
    assert_eq!(stack_status(&cfn, "CwSingle").await, None);
    assert_files_left(dir.path(), "CwSingle");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_reply_to_delete_stack_is_read_back_and_the_destroy_completes() {
    let moto = Moto::start();
    let cfn = aws_sdk_cloudformation::Client::new(&sdk(&moto).await);
    let proxy = Faults::start(moto.port());
    let dir = project("single", "");
    let (out, _) = run(dir.path(), &proxy.endpoint(), &deploy_args("60"));
    assert_eq!(out.status.code(), Some(0));
    proxy.always("DeleteStack", Fault::DropReply);
    let (out, _) = run(
        dir.path(),
        &proxy.endpoint(),
        &["destroy", "--yes", "--timeout", "60"],
    );
    let (stdout, err) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        stdout.contains("the answer to DeleteStack was lost"),
        "{stdout}"
    );
    assert!(stdout.contains("CwSingle: deleted in"), "{stdout}");
    assert_eq!(stack_status(&cfn, "CwSingle").await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_after_the_change_set_was_executed_reports_the_stacks_state() {
    let moto = Moto::start();
    let cfn = aws_sdk_cloudformation::Client::new(&sdk(&moto).await);
    let proxy = Faults::start(moto.port());
    // the first DescribeStackEvents is the watermark before ExecuteChangeSet; the second is
    // the deploy following the stack
    proxy.rule("DescribeStackEvents", Fault::Signal("INT"), 1, 1);
    let dir = project("single", "");
    let args = deploy_args("60");
    let child = spawn(dir.path(), &proxy.endpoint(), &args);
    proxy.target(child.id());
    let out = finish(child, &args);
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted by SIGINT"), "{err}");
    assert!(!err.contains("deleted the unexecuted change set"), "{err}");
    assert!(err.contains("stack `CwSingle` is CREATE_COMPLETE"), "{err}");
    assert_eq!(
        stack_status(&cfn, "CwSingle").await.as_deref(),
        Some("CREATE_COMPLETE")
    );
    assert_files_left(dir.path(), "CwSingle");
}
