//! `deploy --hotswap` and `watch` against moto, with image assets built for real (buildah) and
//! pushed to a `docker-registry` on 127.0.0.1. Every call the CLI makes goes through a recording
//! proxy in front of moto ([`common::recorder`]), so the tests assert which calls were made:
//! an image edit is a new task definition revision and a service update through ECS with no
//! CloudFormation update; anything else is a normal deploy with the reason printed; a stack
//! marked as production is refused before any call.
//!
//! The fixture app's `service` mode is the stack: a VPC, subnet, security group, ECS cluster, a
//! Fargate task definition whose image is an asset, and a service running it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use cloudwright_cli::aws::client::Client;
use cloudwright_cli::aws::ecs::Ecs;
use cloudwright_tests::{Moto, TempDir};
use serde_json::{Value, json};

mod common;
use common::images::{Registry, buildah_env, tools_present};
use common::recorder::Recorder;
use common::{fixture_app, run, sdk, stderr, stdout};

const STACK: &str = "CwHot";

/// CloudFormation calls that change a stack.
const CFN_UPDATES: &[&str] = &[
    "cloudformation:CreateStack",
    "cloudformation:UpdateStack",
    "cloudformation:CreateChangeSet",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:DeleteStack",
];

/// A project running the fixture app's `service` mode on its own `image/` context, with more
/// of `cloudwright.json` from `extra`.
fn project(extra: Value) -> (TempDir, PathBuf) {
    let dir = TempDir::new("toolkit-hotswap");
    let ctx = dir.path().join("image");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM scratch\nCOPY hello.txt /hello.txt\n",
    )
    .unwrap();
    std::fs::write(ctx.join("hello.txt"), "version 1\n").unwrap();
    std::fs::write(ctx.join(".dockerignore"), "notes.md\n").unwrap();
    let mut config = json!({
        "app": format!("{} -c fixture=service -c assetDir={}", fixture_app().display(), ctx.display()),
        "context": "cloudwright.context.json",
        "out": "cloudwright.out",
    });
    if let (Some(c), Some(e)) = (config.as_object_mut(), extra.as_object()) {
        c.extend(e.clone());
    }
    std::fs::write(dir.path().join("cloudwright.json"), config.to_string()).unwrap();
    (dir, ctx)
}

/// The environment: moto behind the recorder, buildah and the registry.
fn environment(
    moto: &Moto,
    recorder: &Recorder,
    work: &Path,
    registry: &Registry,
) -> Vec<(&'static str, String)> {
    let mut env: Vec<(&'static str, String)> = moto
        .env()
        .into_iter()
        .filter(|(k, _)| *k != "AWS_ENDPOINT_URL")
        .collect();
    env.push(("AWS_ENDPOINT_URL", recorder.endpoint()));
    env.extend(buildah_env(work));
    env.push(("CLOUDWRIGHT_ASSET_REGISTRY", registry.host()));
    env
}

/// The stack's physical ids by logical id.
async fn physical(
    cfn: &aws_sdk_cloudformation::Client,
) -> std::collections::BTreeMap<String, String> {
    cfn.describe_stack_resources()
        .stack_name(STACK)
        .send()
        .await
        .unwrap()
        .stack_resources()
        .iter()
        .map(|r| {
            (
                r.logical_resource_id().unwrap().to_owned(),
                r.physical_resource_id().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The task definition the stack's service runs, and that definition's first image.
async fn service_image(ecs: &Ecs, cfn: &aws_sdk_cloudformation::Client) -> (String, String) {
    let ids = physical(cfn).await;
    let service = ecs
        .describe_service(&ids["Cluster"], &ids["Service"])
        .await
        .unwrap()
        .expect("the service exists");
    let td = service["taskDefinition"].as_str().unwrap().to_owned();
    let (described, _) = ecs.describe_task_definition(&td).await.unwrap();
    let image = described["containerDefinitions"][0]["image"]
        .as_str()
        .unwrap()
        .to_owned();
    (td, image)
}

fn image_tag(project: &Path) -> String {
    let assets = cloudwright_core::Assembly::read_assets(&project.join("cloudwright.out")).unwrap();
    assets.docker_images.into_values().next().unwrap().image_tag
}

const DEPLOY: &[&str] = &[
    "deploy",
    "--yes",
    "--method",
    "direct",
    "--progress",
    "events",
];

fn with(args: &[&'static str], more: &[&'static str]) -> Vec<&'static str> {
    let mut v = args.to_vec();
    v.extend_from_slice(more);
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_edit_is_hotswapped_through_ecs_without_a_cloudformation_update() {
    if !tools_present() {
        return;
    }
    let moto = Moto::start();
    let recorder = Recorder::start(moto.port());
    let config = sdk(&moto).await;
    let cfn = aws_sdk_cloudformation::Client::new(&config);
    let ecs = Ecs::new(&config, "test").unwrap();
    let work = TempDir::new("toolkit-hotswap-work");
    let registry = Registry::start(work.path());
    let (dir, ctx) = project(json!({}));
    let env = environment(&moto, &recorder, work.path(), &registry);

    // the first deploy creates the stack: --hotswap falls back to a normal deploy
    let first = run(dir.path(), &env, &with(DEPLOY, &["--hotswap"]));
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains(
            "CwHot: not hotswappable, deploying it normally: the stack is not deployed yet"
        ),
        "{}",
        stdout(&first)
    );
    assert!(
        recorder
            .take()
            .contains(&"cloudformation:CreateStack".to_owned())
    );
    let (td1, image1) = service_image(&ecs, &cfn).await;
    let tag1 = image_tag(dir.path());
    assert!(image1.ends_with(&format!(":{tag1}")), "{image1}");

    // an edit of the image's source: a new tag, hotswapped
    std::fs::write(ctx.join("hello.txt"), "version 2\n").unwrap();
    let second = run(dir.path(), &env, &with(DEPLOY, &["--hotswap"]));
    let out = stdout(&second);
    assert!(second.status.success(), "{}", stderr(&second));
    let tag2 = image_tag(dir.path());
    assert_ne!(tag1, tag2);
    let calls = recorder.take();
    for absent in CFN_UPDATES {
        assert!(!calls.iter().any(|c| c == absent), "{absent} in {calls:?}");
    }
    let ecs_calls: Vec<&str> = calls
        .iter()
        .filter(|c| c.starts_with("ecs:"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        ecs_calls,
        [
            "ecs:DescribeServices",
            "ecs:DescribeTaskDefinition",
            "ecs:RegisterTaskDefinition",
            "ecs:UpdateService",
            "ecs:DescribeServices"
        ],
        "{calls:?}"
    );
    assert!(
        calls.contains(&"cloudformation:GetTemplate".to_owned()),
        "{calls:?}"
    );
    assert!(
        out.contains(&format!(
            "pushing {}/cloudwright-assets:{tag2}",
            registry.host()
        )),
        "{out}"
    );
    assert!(
        out.contains("CwHot: hotswapped TaskTaskDefinition (AWS::ECS::TaskDefinition), Service (AWS::ECS::Service). The stack has drifted from its template"),
        "{out}"
    );
    assert!(out.contains(&format!("container app: image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/cloudwright-assets:{tag2}")), "{out}");

    // the service runs a new revision with the new image; CloudFormation still records the old
    let (td2, image2) = service_image(&ecs, &cfn).await;
    assert_ne!(td1, td2);
    assert!(td2.ends_with(":2"), "{td2}");
    assert_eq!(
        image2,
        format!("123456789012.dkr.ecr.eu-west-1.amazonaws.com/cloudwright-assets:{tag2}")
    );
    assert_eq!(physical(&cfn).await["TaskTaskDefinition"], td1);
    // everything else of the revision is copied
    let (old, _) = ecs.describe_task_definition(&td1).await.unwrap();
    let (new, _) = ecs.describe_task_definition(&td2).await.unwrap();
    for field in ["family", "cpu", "memory", "networkMode", "executionRoleArn"] {
        assert_eq!(old[field], new[field], "{field}");
    }
    assert_eq!(
        old["containerDefinitions"][0]["logConfiguration"],
        new["containerDefinitions"][0]["logConfiguration"]
    );

    // nothing changed since: the deployed template still differs, but the service already
    // runs a revision with these values
    let third = run(dir.path(), &env, &with(DEPLOY, &["--hotswap"]));
    assert!(third.status.success());
    assert!(
        stdout(&third).contains(&format!("CwHot: TaskTaskDefinition: its services already run {td2}, which has these values (an earlier hotswap); nothing to change")),
        "{}",
        stdout(&third)
    );
    assert!(
        stdout(&third).contains("CwHot: no changes"),
        "{}",
        stdout(&third)
    );
    let calls = recorder.take();
    assert!(
        !calls
            .iter()
            .any(|c| c.starts_with("ecs:Register") || c.starts_with("ecs:Update")),
        "{calls:?}"
    );

    // a full deploy brings the stack back in line: the template is the truth
    let full = run(dir.path(), &env, DEPLOY);
    assert!(full.status.success(), "{}", stderr(&full));
    assert!(
        recorder
            .take()
            .contains(&"cloudformation:UpdateStack".to_owned())
    );
    // (moto's CloudFormation update of ECS resources re-creates the cluster and registers no
    // revision, so what it leaves cannot be compared with the template; AWS registers a new
    // revision from the template and updates the service to it)
    assert_eq!(
        common::stack_status(&cfn, STACK).await.as_deref(),
        Some("UPDATE_COMPLETE")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anything_else_falls_back_to_a_full_deploy_saying_why() {
    if !tools_present() {
        return;
    }
    let moto = Moto::start();
    let recorder = Recorder::start(moto.port());
    let work = TempDir::new("toolkit-hotswap-work");
    let registry = Registry::start(work.path());
    let (dir, ctx) = project(json!({}));
    let env = environment(&moto, &recorder, work.path(), &registry);
    assert!(run(dir.path(), &env, DEPLOY).status.success());
    recorder.take();

    // an environment variable: hotswapped
    let env_change = run(
        dir.path(),
        &env,
        &with(DEPLOY, &["--hotswap", "-c", "env=hi"]),
    );
    assert!(env_change.status.success(), "{}", stderr(&env_change));
    assert!(
        stdout(&env_change).contains("container app: environment changed"),
        "{}",
        stdout(&env_change)
    );
    let calls = recorder.take();
    assert!(
        !calls.iter().any(|c| CFN_UPDATES.contains(&c.as_str())),
        "{calls:?}"
    );
    assert!(
        calls.contains(&"ecs:RegisterTaskDefinition".to_owned()),
        "{calls:?}"
    );

    // a security group's description (and the image too): the whole stack deploys normally
    std::fs::write(ctx.join("hello.txt"), "version 2\n").unwrap();
    let sg = run(
        dir.path(),
        &env,
        &with(DEPLOY, &["--hotswap", "-c", "env=hi", "-c", "sg=changed"]),
    );
    assert!(sg.status.success(), "{}", stderr(&sg));
    assert!(
        stdout(&sg).contains("CwHot: not hotswappable, deploying it normally: Sg (AWS::EC2::SecurityGroup): GroupDescription: changed, and AWS::EC2::SecurityGroup has no hotswap"),
        "{}",
        stdout(&sg)
    );
    let calls = recorder.take();
    assert!(
        calls.contains(&"cloudformation:UpdateStack".to_owned()),
        "{calls:?}"
    );
    assert!(
        !calls.iter().any(|c| c.starts_with("ecs:Register")),
        "{calls:?}"
    );

    // the service's desired count
    let count = run(
        dir.path(),
        &env,
        &with(
            DEPLOY,
            &[
                "--hotswap",
                "-c",
                "env=hi",
                "-c",
                "sg=changed",
                "-c",
                "count=2",
            ],
        ),
    );
    assert!(count.status.success(), "{}", stderr(&count));
    assert!(
        stdout(&count).contains("not hotswappable, deploying it normally: Service (AWS::ECS::Service): DesiredCount: changed"),
        "{}",
        stdout(&count)
    );
    let calls = recorder.take();
    assert!(
        calls.contains(&"cloudformation:UpdateStack".to_owned()),
        "{calls:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_in_the_ecs_calls_stop_the_hotswap_with_what_failed() {
    if !tools_present() {
        return;
    }
    let moto = Moto::start();
    let recorder = Recorder::start(moto.port());
    let config = sdk(&moto).await;
    let cfn = aws_sdk_cloudformation::Client::new(&config);
    let ecs = Ecs::new(&config, "test").unwrap();
    let work = TempDir::new("toolkit-hotswap-work");
    let registry = Registry::start(work.path());
    let (dir, ctx) = project(json!({}));
    let env = environment(&moto, &recorder, work.path(), &registry);
    assert!(run(dir.path(), &env, DEPLOY).status.success());
    let (td1, _) = service_image(&ecs, &cfn).await;
    recorder.take();
    std::fs::write(ctx.join("hello.txt"), "version 2\n").unwrap();
    let hotswap = with(DEPLOY, &["--hotswap", "--timeout", "2"]);

    // registration denied: nothing else is called, the service keeps its revision
    recorder.answer(
        "ecs:RegisterTaskDefinition",
        400,
        r#"{"__type":"AccessDeniedException","message":"not authorized to perform ecs:RegisterTaskDefinition"}"#,
    );
    let denied = run(dir.path(), &env, &hotswap);
    assert_eq!(denied.status.code(), Some(1));
    assert!(
        stderr(&denied).contains("RegisterTaskDefinition"),
        "{}",
        stderr(&denied)
    );
    assert!(
        stderr(&denied).contains("not authorized"),
        "{}",
        stderr(&denied)
    );
    let calls = recorder.take();
    assert!(
        !calls
            .iter()
            .any(|c| c == "ecs:UpdateService" || CFN_UPDATES.contains(&c.as_str())),
        "{calls:?}"
    );
    assert_eq!(service_image(&ecs, &cfn).await.0, td1);
    recorder.forget_answers();

    // the new revision's deployment fails: the error says so, and that the stack drifted
    let (family, _) = td1.rsplit_once(':').unwrap();
    let td2 = format!("{family}:2");
    recorder.answer(
        "ecs:DescribeServices",
        200,
        &json!({"services": [{"taskDefinition": td1, "deployments": [
            {"status": "PRIMARY", "taskDefinition": td2, "rolloutState": "FAILED",
             "rolloutStateReason": "tasks failed to start"}]}]})
        .to_string(),
    );
    let failed = run(dir.path(), &env, &hotswap);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        stderr(&failed).contains("stack `CwHot`: the hotswap of Service failed: the deployment failed: tasks failed to start. The stack has drifted from its template"),
        "{}",
        stderr(&failed)
    );
    recorder.forget_answers();

    // a deployment that never settles: bounded by --timeout
    let td3 = format!("{family}:3");
    recorder.answer(
        "ecs:DescribeServices",
        200,
        &json!({"services": [{"taskDefinition": td1, "deployments": [
            {"status": "PRIMARY", "taskDefinition": td3, "rolloutState": "IN_PROGRESS",
             "runningCount": 0, "desiredCount": 1},
            {"status": "ACTIVE", "taskDefinition": td1}]}]})
        .to_string(),
    );
    let started = Instant::now();
    let slow = run(dir.path(), &env, &hotswap);
    assert_eq!(slow.status.code(), Some(1));
    assert!(
        stderr(&slow)
            .contains("its deployment did not settle within 2 s (IN_PROGRESS, 0/1 tasks running)"),
        "{}",
        stderr(&slow)
    );
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn a_production_stack_refuses_hotswap_before_any_call() {
    let moto = Moto::start();
    let recorder = Recorder::start(moto.port());
    let (dir, _) = project(json!({"production": ["CwHot"]}));
    let mut env: Vec<(&'static str, String)> = moto
        .env()
        .into_iter()
        .filter(|(k, _)| *k != "AWS_ENDPOINT_URL")
        .collect();
    env.push(("AWS_ENDPOINT_URL", recorder.endpoint()));
    let o = run(dir.path(), &env, &with(DEPLOY, &["--hotswap"]));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o)
            .contains("--hotswap is refused for CwHot: marked as production in cloudwright.json"),
        "{}",
        stderr(&o)
    );
    assert_eq!(recorder.take(), Vec::<String>::new());
    let w = run(dir.path(), &env, &["watch", "--method", "direct"]);
    assert_eq!(w.status.code(), Some(1));
    assert!(
        stderr(&w).contains("--hotswap is refused for CwHot"),
        "{}",
        stderr(&w)
    );
    assert_eq!(recorder.take(), Vec::<String>::new());
}

/// Lines a child prints, read on a thread.
struct Lines {
    rx: mpsc::Receiver<String>,
    all: Vec<String>,
}

impl Lines {
    /// Waits (up to `limit`) for a line containing `text`; panics with what came otherwise.
    fn wait_for(&mut self, text: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(line) => {
                    eprintln!("watch> {line}");
                    self.all.push(line.clone());
                    if line.contains(text) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no line with `{text}` within {limit:?}; got:\n{}",
                    self.all.join("\n")
                ),
            }
        }
    }

    /// Everything printed within `span`.
    fn drain_for(&mut self, span: Duration) -> Vec<String> {
        let deadline = Instant::now() + span;
        let mut got = Vec::new();
        while let Ok(line) = self
            .rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            eprintln!("watch> {line}");
            self.all.push(line.clone());
            got.push(line);
        }
        got
    }

    fn count(&self, text: &str) -> usize {
        self.all.iter().filter(|l| l.contains(text)).count()
    }
}

/// Stops the watch however the test ends.
struct Reap(std::process::Child);

impl Drop for Reap {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// `cloudwright watch` in `dir` (polling every 100 ms, 300 ms debounce), its stdout read line by
/// line on a thread.
fn spawn_watch(dir: &Path, env: &[(&'static str, String)], more: &[&str]) -> (Reap, Lines) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cloudwright"))
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_CONFIG_FILE", dir.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.join("no-aws-credentials"),
        )
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args([
            "watch",
            "--method",
            "direct",
            "--progress",
            "events",
            "--poll",
            "100",
            "--debounce",
            "300",
        ])
        .args(more)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (
        Reap(child),
        Lines {
            rx,
            all: Vec::new(),
        },
    )
}

/// Sends SIGINT and waits (30 s at most) for the exit status.
fn interrupt(child: &mut Reap) -> std::process::ExitStatus {
    let kill = Command::new("kill")
        .args(["-INT", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(s) = child.0.try_wait().unwrap() {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "watch did not stop within 30 s of SIGINT"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Processes whose command line mentions `needle` (other than this test).
fn processes_mentioning(needle: &str) -> Vec<String> {
    let me = std::process::id().to_string();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .chars()
                .all(|c| c.is_ascii_digit())
        })
        .filter(|e| e.file_name().to_string_lossy() != me)
        .filter_map(|e| {
            let cmd = std::fs::read(e.path().join("cmdline")).ok()?;
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            cmd.contains(needle)
                .then(|| format!("{}: {cmd}", e.file_name().to_string_lossy()))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_hotswaps_one_edit_ignores_ignored_files_streams_logs_and_stops_on_sigint() {
    if !tools_present() {
        return;
    }
    let moto = Moto::start();
    let recorder = Recorder::start(moto.port());
    let config = sdk(&moto).await;
    let cfn = aws_sdk_cloudformation::Client::new(&config);
    let work = TempDir::new("toolkit-hotswap-work");
    let registry = Registry::start(work.path());
    let (dir, ctx) = project(json!({"watch": {"exclude": ["scratch/**"]}}));
    std::fs::create_dir_all(dir.path().join("scratch")).unwrap();
    let env = environment(&moto, &recorder, work.path(), &registry);

    let (mut child, mut lines) = spawn_watch(dir.path(), &env, &[]);

    // the first round deploys the stack
    lines.wait_for("watch: first deploy; synthesizing", Duration::from_secs(30));
    lines.wait_for("watch: watching", Duration::from_secs(240));
    assert!(lines.count("CREATE_COMPLETE") > 0, "{:?}", lines.all);
    let group = lines
        .all
        .iter()
        .find_map(|l| l.strip_prefix("watch: streaming the log events of "))
        .expect("a log group is streamed")
        .to_owned();
    recorder.take();

    // one edit of the image's source: one synth, one hotswap
    std::fs::write(ctx.join("hello.txt"), "version 2\n").unwrap();
    lines.wait_for(
        "file(s) changed (image/hello.txt); synthesizing",
        Duration::from_secs(30),
    );
    lines.wait_for(
        "CwHot: hotswapped TaskTaskDefinition",
        Duration::from_secs(240),
    );
    lines.wait_for("watch: watching", Duration::from_secs(60));
    assert_eq!(lines.count("; synthesizing"), 2, "{:?}", lines.all);
    assert_eq!(lines.count("hotswapped TaskTaskDefinition"), 1);
    let calls = recorder.take();
    assert!(
        !calls.iter().any(|c| CFN_UPDATES.contains(&c.as_str())),
        "{calls:?}"
    );
    assert_eq!(
        calls
            .iter()
            .filter(|c| *c == "ecs:RegisterTaskDefinition")
            .count(),
        1,
        "{calls:?}"
    );

    // ignored files: the image's .dockerignore, the configured exclude, the assembly, .git
    std::fs::write(ctx.join("notes.md"), "ignored by .dockerignore\n").unwrap();
    std::fs::write(
        dir.path().join("scratch/x"),
        "excluded in cloudwright.json\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("cloudwright.out/x"), "the assembly\n").unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join(".git/HEAD"), "ref\n").unwrap();
    let after = lines.drain_for(Duration::from_secs(3));
    assert!(
        !after.iter().any(|l| l.contains("synthesizing")),
        "{after:?}"
    );
    assert!(
        !recorder
            .take()
            .iter()
            .any(|c| c.starts_with("ecs:") || c.starts_with("cloudformation:Update"))
    );

    // a log event of the service shows up
    let logs = Client::new(&config, cloudwright_cli::aws::logs::SERVICE, "test").unwrap();
    logs.call_json(
        "CreateLogStream",
        &json!({"logGroupName": group, "logStreamName": "app/app/1"}),
    )
    .await
    .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    logs.call_json(
        "PutLogEvents",
        &json!({"logGroupName": group, "logStreamName": "app/app/1",
                "logEvents": [{"timestamp": now, "message": "hello from the service"}]}),
    )
    .await
    .unwrap();
    lines.wait_for(
        &format!("[{group}] app/app/1 | hello from the service"),
        Duration::from_secs(20),
    );

    // Ctrl-C: exit 0, nothing left running
    let status = interrupt(&mut child);
    assert_eq!(status.code(), Some(0), "{:?}", lines.all);
    lines.drain_for(Duration::from_millis(200));
    assert!(lines.count("watch: stopped") == 1, "{:?}", lines.all);
    let left = processes_mentioning(&dir.path().display().to_string());
    assert!(left.is_empty(), "processes left behind: {left:?}");
    // the stack is still there, as the watch left it
    assert!(cfn.describe_stacks().stack_name(STACK).send().await.is_ok());
}

#[test]
fn the_flask_api_service_image_is_hotswappable() {
    // the main app's own template: a new image tag for its task definition (what an edit of
    // `service/` makes) is a hotswap of the task definition and of the service that runs it
    use cloudwright_cli::cloudformation::hotswap::{
        Change, Evaluator, Plan, plan, resolve_containers,
    };
    let old: Value = serde_json::from_str(&cloudwright_tests::flask_api_template()).unwrap();
    let resources = old["Resources"].as_object().unwrap();
    let (td_id, td) = resources
        .iter()
        .find(|(_, r)| r["Type"] == "AWS::ECS::TaskDefinition")
        .unwrap();
    // an image asset: {"Fn::Sub": "${AWS::AccountId}.dkr.ecr...:<tag>"}
    let image = td["Properties"]["ContainerDefinitions"][0]["Image"]["Fn::Sub"]
        .as_str()
        .unwrap();
    let (repository, _) = image.rsplit_once(':').unwrap();
    let mut new = old.clone();
    new["Resources"][td_id]["Properties"]["ContainerDefinitions"][0]["Image"] =
        json!({"Fn::Sub": format!("{repository}:{}", "f".repeat(64))});
    assert_ne!(old, new);
    let Plan::Hotswap(changes) = plan(&old, &new) else {
        panic!("not a hotswap: {:?}", plan(&old, &new));
    };
    let Change::TaskDefinition(change) = &changes[0];
    assert_eq!(&change.logical_id, td_id);
    assert_eq!(change.services.len(), 1, "{change:?}");
    // its values resolve against a deployed stack's physical ids
    let physical = resources
        .keys()
        .map(|k| (k.clone(), format!("{k}-physical")))
        .collect();
    let eval = Evaluator::for_stack(
        "arn:aws:cloudformation:eu-west-1:123456789012:stack/FlaskApi/u",
        physical,
    )
    .unwrap();
    let resolved = resolve_containers(change, &eval).unwrap();
    assert!(
        resolved[0].fields["image"]
            .as_ref()
            .and_then(Value::as_str)
            .unwrap()
            .ends_with(&"f".repeat(64)),
        "{resolved:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_with_no_hotswap_deploys_each_change_through_cloudformation() {
    if !tools_present() {
        return;
    }
    let moto = Moto::start();
    let recorder = Recorder::start(moto.port());
    let work = TempDir::new("toolkit-hotswap-work");
    let registry = Registry::start(work.path());
    let (dir, ctx) = project(json!({}));
    let env = environment(&moto, &recorder, work.path(), &registry);
    let (mut child, mut lines) = spawn_watch(dir.path(), &env, &["--no-hotswap", "--no-logs"]);
    lines.wait_for("watch: watching", Duration::from_secs(240));
    recorder.take();
    std::fs::write(ctx.join("hello.txt"), "version 2\n").unwrap();
    lines.wait_for(
        "file(s) changed (image/hello.txt); synthesizing",
        Duration::from_secs(30),
    );
    lines.wait_for("UPDATE_COMPLETE", Duration::from_secs(240));
    lines.wait_for("watch: watching", Duration::from_secs(60));
    let calls = recorder.take();
    assert!(
        calls.contains(&"cloudformation:UpdateStack".to_owned()),
        "{calls:?}"
    );
    assert!(!calls.iter().any(|c| c.starts_with("ecs:")), "{calls:?}");
    assert_eq!(lines.count("hotswapped"), 0);
    assert_eq!(lines.count("streaming the log events"), 0);
    assert_eq!(interrupt(&mut child).code(), Some(0));
}
