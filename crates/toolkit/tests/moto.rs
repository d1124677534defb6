//! The `cloudwright` binary against `moto_server` on 127.0.0.1: lookups, deploys (direct and
//! through change sets), updates, no-op redeploys, diffs, destroys, failures and errors.
//! State is asserted through the AWS SDK, not by reading the CLI's own output.
//!
//! The apps deployed are the `fixture_app` example of this package, which `cargo test`
//! builds before running these tests.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not production code

use std::path::Path;
use std::process::Command;

use cloudwright_cli::aws::ec2::Ec2;
use cloudwright_cli::aws::ecr::Ecr;
use cloudwright_tests::{Moto, TempDir};
use serde_json::{Value, json};

mod common;
use common::{fixture_app, ok, run, sdk, stack_status, stderr, stdout};

/// A project directory with `cloudwright.json` running the fixture app in `mode`.
fn project(mode: &str, extra: &str) -> TempDir {
    let dir = TempDir::new("toolkit");
    let config = json!({
        "app": format!("{} -c fixture={mode} {extra}", fixture_app().display()),
        "context": "ctx/cloudwright.context.json",
        "out": "cloudwright.out",
    });
    std::fs::write(dir.path().join("cloudwright.json"), config.to_string()).unwrap();
    dir
}

async fn outputs(cfn: &aws_sdk_cloudformation::Client, name: &str) -> Vec<(String, String)> {
    let o = cfn.describe_stacks().stack_name(name).send().await.unwrap();
    let mut v: Vec<(String, String)> = o.stacks()[0]
        .outputs()
        .iter()
        .map(|o| {
            (
                o.output_key().unwrap_or_default().to_owned(),
                o.output_value().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

async fn resources(cfn: &aws_sdk_cloudformation::Client, name: &str) -> Vec<String> {
    let o = cfn
        .describe_stack_resources()
        .stack_name(name)
        .send()
        .await
        .unwrap();
    let mut v: Vec<String> = o
        .stack_resources()
        .iter()
        .filter_map(|r| r.logical_resource_id().map(str::to_owned))
        .collect();
    v.sort();
    v
}

type Pairs = Vec<(String, String)>;

async fn parameters_and_tags(cfn: &aws_sdk_cloudformation::Client, name: &str) -> (Pairs, Pairs) {
    let o = cfn.describe_stacks().stack_name(name).send().await.unwrap();
    let s = &o.stacks()[0];
    let parameters = s
        .parameters()
        .iter()
        .map(|p| {
            (
                p.parameter_key().unwrap_or_default().to_owned(),
                p.parameter_value().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let tags = s
        .tags()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_owned(),
                t.value().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    (parameters, tags)
}

fn manifest(n: u32) -> String {
    json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023,
                   "digest": format!("sha256:{n:064x}")},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 32654,
                    "digest": format!("sha256:{:064x}", n + 1000)}]
    })
    .to_string()
}

async fn push(ecr: &Ecr, repo: &str, n: u32, tag: &str) -> String {
    let input = json!({"repositoryName": repo, "imageManifest": manifest(n), "imageTag": tag});
    let out = ecr.call("PutImage", &input).await.unwrap();
    out["image"]["imageId"]["imageDigest"]
        .as_str()
        .unwrap_or_else(|| panic!("no digest in {out}"))
        .to_owned()
}

/// Calls an EC2 action on moto and returns the text of the element `field` of its response.
async fn ec2_call(ec2: &Ec2, action: &'static str, params: &[(&str, &str)], field: &str) -> String {
    let params: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let response = ec2.call(action, &params).await.unwrap();
    response
        .text(field)
        .unwrap()
        .unwrap_or_else(|| panic!("no {field} in {}", response.body()))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_fill_the_context_and_synthesis_allocates_beside_existing_subnets() {
    let moto = Moto::start();
    let config = sdk(&moto).await;
    let ec2 = Ec2::new(&config, "tests").unwrap();
    let ecr = Ecr::new(&config, "tests").unwrap();

    // an unrelated VPC first, so the lookup has to pick the right one
    ec2_call(&ec2, "CreateVpc", &[("CidrBlock", "10.99.0.0/16")], "vpcId").await;
    let vpc_id = ec2_call(&ec2, "CreateVpc", &[("CidrBlock", "10.50.0.0/16")], "vpcId").await;
    let mut subnet_ids = Vec::new();
    for (cidr, az) in [
        ("10.50.3.0/24", "eu-west-1b"),
        ("10.50.0.0/24", "eu-west-1a"),
        ("10.50.1.0/24", "eu-west-1c"),
    ] {
        let params = [
            ("VpcId", vpc_id.as_str()),
            ("CidrBlock", cidr),
            ("AvailabilityZone", az),
        ];
        subnet_ids.push(ec2_call(&ec2, "CreateSubnet", &params, "subnetId").await);
    }
    let igw_id = ec2_call(&ec2, "CreateInternetGateway", &[], "internetGatewayId").await;
    let params = [("InternetGatewayId", igw_id.as_str()), ("VpcId", &vpc_id)];
    ec2_call(&ec2, "AttachInternetGateway", &params, "requestId").await;
    let create = |name: &str| json!({"repositoryName": name});
    ecr.call("CreateRepository", &create("my_flask_repo"))
        .await
        .unwrap();
    push(&ecr, "my_flask_repo", 1, "v1").await;
    // moto records push times in whole seconds: let the newer image be newer
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let digest2 = push(&ecr, "my_flask_repo", 2, "v2").await;
    ecr.call("CreateRepository", &create("empty_repo"))
        .await
        .unwrap();

    let extra = format!("-c vpcId={vpc_id} -c repository=my_flask_repo");
    let dir = project("lookup", &extra);
    let env = moto.env();

    // synth without context fails offline in the app, but the CLI performs the lookups
    let lookup = run(dir.path(), &env, &["lookup"]);
    ok(&lookup);
    assert!(stdout(&lookup).contains("2 lookups performed"));
    let context_file = dir.path().join("ctx/cloudwright.context.json");
    let context = read_json(&context_file);
    let vpc_key = format!("vpc-provider:region=eu-west-1:vpcId={vpc_id}");
    assert_eq!(
        context[&vpc_key],
        json!({
            "vpcId": vpc_id,
            "cidrBlocks": ["10.50.0.0/16"],
            "ipv6CidrBlocks": [],
            "internetGatewayId": igw_id,
            "availabilityZones": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
            "subnets": [
                {"subnetId": subnet_ids[1], "cidrBlock": "10.50.0.0/24", "ipv6CidrBlocks": [], "availabilityZone": "eu-west-1a"},
                {"subnetId": subnet_ids[2], "cidrBlock": "10.50.1.0/24", "ipv6CidrBlocks": [], "availabilityZone": "eu-west-1c"},
                {"subnetId": subnet_ids[0], "cidrBlock": "10.50.3.0/24", "ipv6CidrBlocks": [], "availabilityZone": "eu-west-1b"},
            ],
        })
    );
    let ecr_key = "ecr-image-provider:region=eu-west-1:repositoryName=my_flask_repo";
    assert_eq!(
        context[ecr_key],
        json!({
            "repositoryUri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/my_flask_repo",
            "tag": "v2",
            "digest": digest2,
        })
    );
    // sorted keys, pretty printed
    let text = std::fs::read_to_string(&context_file).unwrap();
    assert!(text.find("ecr-image-provider:").unwrap() < text.find("vpc-provider:").unwrap());
    assert!(text.starts_with("{\n  \""), "{text}");

    // with the context in place, synthesis allocates beside the existing subnets
    let synth = run(dir.path(), &env, &["synth"]);
    ok(&synth);
    let template = read_json(&dir.path().join("cloudwright.out/CwLookup.template.json"));
    let subnet = &template["Resources"]["Subnet"]["Properties"];
    assert_eq!(subnet["CidrBlock"], "10.50.4.0/24");
    assert_eq!(subnet["VpcId"], vpc_id.as_str());
    assert_eq!(subnet["AvailabilityZone"], "eu-west-1a");
    assert_eq!(
        template["Outputs"]["Image"]["Value"],
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/my_flask_repo:v2"
    );
    // `lookup` with everything present has nothing to do
    let again = run(dir.path(), &env, &["lookup"]);
    ok(&again);
    assert!(stdout(&again).contains("0 lookups performed"));

    // --refresh performs every lookup again: a newer image and a new subnet show up
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let digest3 = push(&ecr, "my_flask_repo", 3, "v3").await;
    let params = [
        ("VpcId", vpc_id.as_str()),
        ("CidrBlock", "10.50.8.0/22"),
        ("AvailabilityZone", "eu-west-1a"),
    ];
    ec2_call(&ec2, "CreateSubnet", &params, "subnetId").await;
    let refresh = run(dir.path(), &env, &["lookup", "--refresh"]);
    ok(&refresh);
    let context = read_json(&context_file);
    assert_eq!(context[ecr_key]["tag"], "v3");
    assert_eq!(context[ecr_key]["digest"], digest3.as_str());
    assert_eq!(context[&vpc_key]["subnets"].as_array().unwrap().len(), 4);
    ok(&run(dir.path(), &env, &["synth"]));
    let template = read_json(&dir.path().join("cloudwright.out/CwLookup.template.json"));
    assert_eq!(
        template["Resources"]["Subnet"]["Properties"]["CidrBlock"],
        "10.50.12.0/24"
    );

    // the default VPC and a VPC by tag, refreshed straight from the context file (no app)
    let params = [
        ("ResourceId.1", vpc_id.as_str()),
        ("Tag.1.Key", "Name"),
        ("Tag.1.Value", "main"),
    ];
    ec2_call(&ec2, "CreateTags", &params, "requestId").await;
    let bare = TempDir::new("toolkit-refresh");
    let default_key = "vpc-provider:filter.isDefault=true:region=eu-west-1";
    let tag_key = "vpc-provider:region=eu-west-1:tag:Name=main";
    std::fs::write(
        bare.path().join("cloudwright.context.json"),
        json!({default_key: null, tag_key: null, "plain": 1}).to_string(),
    )
    .unwrap();
    ok(&run(bare.path(), &env, &["lookup", "--refresh"]));
    let context = read_json(&bare.path().join("cloudwright.context.json"));
    assert_eq!(context["plain"], 1, "plain context values are kept");
    assert_eq!(context[tag_key]["vpcId"], vpc_id.as_str());
    let default = &context[default_key];
    assert_eq!(default["cidrBlocks"], json!(["172.31.0.0/16"]));
    let cidrs: Vec<&str> = default["subnets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["cidrBlock"].as_str().unwrap())
        .collect();
    assert_eq!(cidrs, ["172.31.0.0/20", "172.31.16.0/20", "172.31.32.0/20"]);

    // `synth` in a fresh project performs the missing lookups itself
    let fresh = project("lookup", &extra);
    let synth = run(fresh.path(), &env, &["synth"]);
    ok(&synth);
    assert!(stdout(&synth).contains(&format!("looking up {vpc_key}")));
    assert!(fresh.path().join("cloudwright.out/manifest.json").exists());

    // a repository without images is a clear error naming it
    let empty = project(
        "lookup",
        &format!("-c vpcId={vpc_id} -c repository=empty_repo"),
    );
    let failed = run(empty.path(), &env, &["lookup"]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        stderr(&failed).contains("`empty_repo`"),
        "{}",
        stderr(&failed)
    );
    assert!(stderr(&failed).contains("has no images"));
    // a VPC that does not exist too
    let missing = project(
        "lookup",
        "-c vpcId=vpc-0000000000 -c repository=my_flask_repo",
    );
    let failed = run(missing.path(), &env, &["lookup"]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        stderr(&failed).contains("no VPC with id vpc-0000000000"),
        "{}",
        stderr(&failed)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploys_updates_and_destroys_a_multi_stack_app_with_a_cross_stack_reference() {
    let moto = Moto::start();
    let config = sdk(&moto).await;
    let cfn = aws_sdk_cloudformation::Client::new(&config);
    let ec2 = Ec2::new(&config, "tests").unwrap();
    let env = moto.env();
    let dir = project("multi", "");

    let list = run(dir.path(), &env, &["list"]);
    ok(&list);
    let text = stdout(&list);
    assert!(
        text.find("CwNet").unwrap() < text.find("CwApp").unwrap(),
        "{text}"
    );
    assert!(text.contains("depends on CwNet"), "{text}");

    // nothing deployed yet: everything shows as added
    let diff = run(dir.path(), &env, &["diff", "--fail"]);
    assert_eq!(diff.status.code(), Some(1));
    assert!(stdout(&diff).contains("Stack CwApp (not deployed yet)"));
    assert!(stdout(&diff).contains("[+] AWS::EC2::SecurityGroup Sg [security]"));

    // moto gives a stack created through a change set no outputs or exports, so the
    // cross-stack deploy goes direct
    let deploy = run(
        dir.path(),
        &env,
        &[
            "deploy",
            "--method",
            "direct",
            "--yes",
            "--progress",
            "events",
            "--timeout",
            "60",
            "--outputs-file",
            "outputs.json",
        ],
    );
    ok(&deploy);
    assert_eq!(
        stack_status(&cfn, "CwNet").await.as_deref(),
        Some("CREATE_COMPLETE")
    );
    assert_eq!(
        stack_status(&cfn, "CwApp").await.as_deref(),
        Some("CREATE_COMPLETE")
    );
    let net = outputs(&cfn, "CwNet").await;
    let vpc_id = net
        .iter()
        .find(|(k, _)| k == "VpcId")
        .map(|(_, v)| v.clone())
        .unwrap();
    assert!(vpc_id.starts_with("vpc-"));
    let exports = cfn.list_exports().send().await.unwrap();
    let export = exports
        .exports()
        .iter()
        .find(|e| e.name() == Some("CwNet:ExportsOutputRefVpc"))
        .expect("the export of the VPC");
    assert_eq!(export.value(), Some(vpc_id.as_str()));
    let app = outputs(&cfn, "CwApp").await;
    let subnet_id = app
        .iter()
        .find(|(k, _)| k == "SubnetId")
        .map(|(_, v)| v.clone())
        .unwrap();
    // the import resolved: the subnet is in the VPC of the other stack
    let subnets = ec2.describe_subnets(&[&subnet_id], &[]).await.unwrap();
    assert_eq!(subnets[0].vpc_id.as_deref(), Some(vpc_id.as_str()));
    let written = read_json(&dir.path().join("outputs.json"));
    assert_eq!(written["CwNet"]["VpcId"], vpc_id.as_str());
    assert_eq!(written["CwApp"]["SubnetId"], subnet_id.as_str());

    // a redeploy with nothing changed changes nothing
    let noop = run(
        dir.path(),
        &env,
        &[
            "deploy",
            "--method",
            "direct",
            "--yes",
            "--progress",
            "events",
            "--timeout",
            "60",
        ],
    );
    ok(&noop);
    assert!(stdout(&noop).contains("CwNet: no changes"));
    assert!(stdout(&noop).contains("CwApp: no changes"));
    assert_eq!(
        stack_status(&cfn, "CwApp").await.as_deref(),
        Some("CREATE_COMPLETE")
    );
    let diff = run(dir.path(), &env, &["diff", "--fail"]);
    ok(&diff);
    assert_eq!(
        stdout(&diff).matches("There were no differences").count(),
        2
    );

    // an update adds a subnet to CwApp only
    let diff = run(dir.path(), &env, &["-c", "version=2", "diff", "CwApp"]);
    ok(&diff);
    assert!(stdout(&diff).contains("[+] AWS::EC2::Subnet Subnet2"));
    assert!(stdout(&diff).contains("[+] Subnet2Id"));
    let update = run(
        dir.path(),
        &env,
        &[
            "-c",
            "version=2",
            "deploy",
            "CwApp",
            "--method",
            "direct",
            "--yes",
            "--progress",
            "events",
            "--timeout",
            "60",
        ],
    );
    ok(&update);
    assert!(
        stdout(&update).contains("CwNet: no changes"),
        "dependencies deploy first"
    );
    assert_eq!(
        stack_status(&cfn, "CwApp").await.as_deref(),
        Some("UPDATE_COMPLETE")
    );
    assert_eq!(resources(&cfn, "CwApp").await, ["Sg", "Subnet", "Subnet2"]);
    assert!(
        outputs(&cfn, "CwApp")
            .await
            .iter()
            .any(|(k, v)| k == "Subnet2Id" && v.starts_with("subnet-"))
    );

    // CwNet alone cannot go while CwApp imports its export (moto's ListImports fails, so the
    // CLI scans the other stacks' templates)
    let refused = run(
        dir.path(),
        &env,
        &[
            "-c",
            "version=2",
            "destroy",
            "CwNet",
            "--exclusively",
            "--yes",
        ],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains(
            "stack `CwNet` cannot be deleted: its export `CwNet:ExportsOutputRefVpc` is imported by CwApp"
        ),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        stack_status(&cfn, "CwNet").await.as_deref(),
        Some("CREATE_COMPLETE")
    );

    // destroy without --yes and without a terminal refuses
    let unconfirmed = run(dir.path(), &env, &["destroy"]);
    assert_eq!(unconfirmed.status.code(), Some(1));
    assert!(stderr(&unconfirmed).contains("pass --yes"));

    // destroying CwNet takes its dependent with it, dependents first
    let destroy = run(
        dir.path(),
        &env,
        &[
            "-c",
            "version=2",
            "destroy",
            "CwNet",
            "--yes",
            "--progress",
            "events",
        ],
    );
    ok(&destroy);
    let text = stdout(&destroy);
    assert!(text.find("CwApp: deleted").unwrap() < text.find("CwNet: deleted").unwrap());
    assert_eq!(stack_status(&cfn, "CwApp").await, None);
    assert_eq!(stack_status(&cfn, "CwNet").await, None);
    // destroying again is fine: already deleted
    let again = run(dir.path(), &env, &["destroy", "--yes"]);
    ok(&again);
    assert!(stdout(&again).contains("CwApp: already deleted"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploys_a_stack_through_change_sets() {
    let moto = Moto::start();
    let config = sdk(&moto).await;
    let cfn = aws_sdk_cloudformation::Client::new(&config);
    let env = moto.env();
    let dir = project("single", "");
    let args = ["deploy", "--yes", "--progress", "events", "--timeout", "60"];

    let mut create_args = args.to_vec();
    create_args.extend([
        "--parameters",
        "CwSingle:Env=prod",
        "--tags",
        "team=platform",
    ]);
    let create = run(dir.path(), &env, &create_args);
    ok(&create);
    let text = stdout(&create);
    assert!(text.contains("CwSingle: change set cloudwright-"), "{text}");
    assert!(text.contains("(CREATE), 1 change"), "{text}");
    assert!(text.contains("Add     Vpc"), "{text}");
    assert_eq!(
        stack_status(&cfn, "CwSingle").await.as_deref(),
        Some("CREATE_COMPLETE")
    );
    assert_eq!(resources(&cfn, "CwSingle").await, ["Vpc"]);
    let (parameters, tags) = parameters_and_tags(&cfn, "CwSingle").await;
    assert_eq!(parameters, [("Env".to_owned(), "prod".to_owned())]);
    assert_eq!(tags, [("team".to_owned(), "platform".to_owned())]);

    // an empty change set means no changes, and it is cleaned up
    let noop = run(dir.path(), &env, &args);
    ok(&noop);
    assert!(stdout(&noop).contains("CwSingle: no changes"));
    let sets = cfn
        .list_change_sets()
        .stack_name("CwSingle")
        .send()
        .await
        .unwrap();
    assert!(
        sets.summaries()
            .iter()
            .all(|s| s.status().map(|s| s.as_str()) != Some("FAILED")),
        "the empty change set was deleted"
    );

    let mut update_args = vec!["-c", "version=2"];
    update_args.extend(args);
    let update = run(dir.path(), &env, &update_args);
    ok(&update);
    assert!(stdout(&update).contains("(UPDATE), 1 change"));
    assert!(stdout(&update).contains("Add     Subnet"));
    assert_eq!(
        stack_status(&cfn, "CwSingle").await.as_deref(),
        Some("UPDATE_COMPLETE")
    );
    assert_eq!(resources(&cfn, "CwSingle").await, ["Subnet", "Vpc"]);
    // a parameter not given again keeps its value, and so do the stack's tags
    let (parameters, tags) = parameters_and_tags(&cfn, "CwSingle").await;
    assert_eq!(parameters, [("Env".to_owned(), "prod".to_owned())]);
    assert_eq!(tags, [("team".to_owned(), "platform".to_owned())]);

    // without --yes and without a terminal, the change set is shown, not executed
    let unconfirmed = run(
        dir.path(),
        &env,
        &["deploy", "--progress", "events", "--timeout", "60"],
    );
    assert_eq!(unconfirmed.status.code(), Some(1));
    assert!(stdout(&unconfirmed).contains("Remove  Subnet"));
    assert!(stderr(&unconfirmed).contains("pass --yes"));
    assert_eq!(resources(&cfn, "CwSingle").await, ["Subnet", "Vpc"]);

    let destroy = run(dir.path(), &env, &["destroy", "--yes"]);
    ok(&destroy);
    assert_eq!(stack_status(&cfn, "CwSingle").await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploys_independent_stacks_concurrently() {
    let moto = Moto::start();
    let config = sdk(&moto).await;
    let cfn = aws_sdk_cloudformation::Client::new(&config);
    let env = moto.env();
    let dir = project("pair", "");
    let deploy = run(
        dir.path(),
        &env,
        &[
            "deploy",
            "--method",
            "direct",
            "--yes",
            "--concurrency",
            "2",
            "--progress",
            "events",
            "--timeout",
            "60",
        ],
    );
    ok(&deploy);
    assert_eq!(
        stack_status(&cfn, "CwLeft").await.as_deref(),
        Some("CREATE_COMPLETE")
    );
    assert_eq!(
        stack_status(&cfn, "CwRight").await.as_deref(),
        Some("CREATE_COMPLETE")
    );
    // a named stack alone
    let destroy = run(dir.path(), &env, &["destroy", "CwRight", "--yes"]);
    ok(&destroy);
    assert_eq!(stack_status(&cfn, "CwRight").await, None);
    assert_eq!(
        stack_status(&cfn, "CwLeft").await.as_deref(),
        Some("CREATE_COMPLETE")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_deploy_names_the_resource_and_reason() {
    let moto = Moto::start();
    let config = sdk(&moto).await;
    let cfn = aws_sdk_cloudformation::Client::new(&config);
    let env = moto.env();
    let dir = project("fail", "");

    // moto rejects ExecuteChangeSet outright (it makes the NLB an ALB, so a TCP listener fails)
    let cs = run(dir.path(), &env, &["deploy", "--yes", "--timeout", "30"]);
    assert_eq!(cs.status.code(), Some(1));
    let err = stderr(&cs);
    assert!(err.contains("stack `CwFail` failed"), "{err}");
    assert!(err.contains("ExecuteChangeSet was rejected"), "{err}");
    assert!(
        err.contains("Listener protocol 'TCP' must be one of 'HTTP, HTTPS'"),
        "{err}"
    );
    assert!(
        err.contains("likely ApiListener (AWS::ElasticLoadBalancingV2::Listener)"),
        "{err}"
    );

    // and CreateStack too, which leaves the stack in CREATE_IN_PROGRESS for good
    let direct = run(
        dir.path(),
        &env,
        &["deploy", "--yes", "--method", "direct", "--timeout", "30"],
    );
    assert_eq!(direct.status.code(), Some(1));
    let err = stderr(&direct);
    assert!(err.contains("CreateStack was rejected"), "{err}");
    assert!(err.contains("ApiListener"), "{err}");
    assert!(
        err.contains("left the stack in CREATE_IN_PROGRESS"),
        "{err}"
    );
    assert_eq!(
        stack_status(&cfn, "CwFail").await.as_deref(),
        Some("CREATE_IN_PROGRESS")
    );

    // a stack in progress is waited for, never raced; the wait has a timeout
    let started = std::time::Instant::now();
    let waited = run(
        dir.path(),
        &env,
        &["deploy", "--yes", "--method", "direct", "--timeout", "3"],
    );
    assert_eq!(waited.status.code(), Some(1));
    assert!(started.elapsed().as_secs() < 30);
    let err = stderr(&waited);
    assert!(
        err.contains("stack `CwFail` is still CREATE_IN_PROGRESS after 3 s"),
        "{err}"
    );
    assert!(stdout(&waited).contains("waiting for that to finish"));

    // moto reports some failures as JSON inside what should be XML: the raw body is shown
    let logs = project("logs", "");
    let json_error = run(
        logs.path(),
        &env,
        &["deploy", "--yes", "--method", "direct", "--timeout", "30"],
    );
    assert_eq!(json_error.status.code(), Some(1));
    let err = stderr(&json_error);
    assert!(err.contains("stack `CwLogs` failed"), "{err}");
    assert!(
        err.contains(r#"{"__type": "ResourceAlreadyExistsException", "message": "The specified log group already exists"}"#),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn templates_over_the_inline_limit_go_through_the_bucket() {
    let moto = Moto::start();
    let config = sdk(&moto).await;
    let cfn = aws_sdk_cloudformation::Client::new(&config);
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    let env = moto.env();
    let dir = project("big", "");

    let refused = run(
        dir.path(),
        &env,
        &["deploy", "--yes", "--method", "direct", "--timeout", "30"],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("pass --bucket BUCKET"),
        "{}",
        stderr(&refused)
    );
    // the app's own warning is passed on
    assert!(stderr(&refused).contains("warning: stack `CwBig`: template is"));

    s3.create_bucket()
        .bucket("cw-templates")
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let deployed = run(
        dir.path(),
        &env,
        &[
            "deploy",
            "--yes",
            "--method",
            "direct",
            "--timeout",
            "30",
            "--bucket",
            "cw-templates",
        ],
    );
    ok(&deployed);
    assert!(stdout(&deployed).contains("uploaded the template to s3://cw-templates/"));
    assert_eq!(
        stack_status(&cfn, "CwBig").await.as_deref(),
        Some("CREATE_COMPLETE")
    );
    let objects = s3
        .list_objects_v2()
        .bucket("cw-templates")
        .send()
        .await
        .unwrap();
    assert_eq!(objects.contents().len(), 1);
    // named by the hex digits of the template's hash in the manifest
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("cloudwright.out").join("manifest.json")).unwrap(),
    )
    .unwrap();
    let stack = manifest["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "CwBig")
        .unwrap();
    let hex = stack["hash"]
        .as_str()
        .unwrap()
        .strip_prefix("blake3:")
        .unwrap();
    assert_eq!(
        objects.contents()[0].key(),
        Some(
            format!(
                "cloudwright/{}/{hex}.template.json",
                stack["stackName"].as_str().unwrap()
            )
            .as_str()
        )
    );
}

#[test]
fn aws_configuration_problems_are_explained() {
    // an assembly to diff, synthesized by the fixture app
    let dir = TempDir::new("toolkit-errors");
    let out = Command::new(fixture_app())
        .args(["-c", "fixture=multi", "--out"])
        .arg(dir.path().join("asm"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let endpoint = format!("http://127.0.0.1:{port}");
    let creds = [
        ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
    ];
    let args = ["--assembly", "asm", "diff"];

    let mut env: Vec<(&str, String)> = creds.to_vec();
    env.push(("AWS_ENDPOINT_URL", endpoint.clone()));
    env.push(("AWS_REGION", "eu-west-1".into()));
    env.push(("AWS_MAX_ATTEMPTS", "1".into()));
    let unreachable = run(dir.path(), &env, &args);
    assert_eq!(unreachable.status.code(), Some(1));
    assert!(
        stderr(&unreachable).contains(&format!("cannot reach {endpoint} for GetTemplate")),
        "{}",
        stderr(&unreachable)
    );

    let no_region = run(
        dir.path(),
        &[
            creds[0].clone(),
            creds[1].clone(),
            ("AWS_ENDPOINT_URL", endpoint.clone()),
        ],
        &args,
    );
    assert_eq!(no_region.status.code(), Some(1));
    assert!(
        stderr(&no_region).contains("no AWS region is set for stack CwNet"),
        "{}",
        stderr(&no_region)
    );

    let no_credentials = run(
        dir.path(),
        &[
            ("AWS_ENDPOINT_URL", endpoint.clone()),
            ("AWS_REGION", "eu-west-1".into()),
        ],
        &args,
    );
    assert_eq!(no_credentials.status.code(), Some(1));
    assert!(
        stderr(&no_credentials).contains("no AWS credentials were found"),
        "{}",
        stderr(&no_credentials)
    );

    // no app and no assembly
    let nothing = run(dir.path(), &[], &["list"]);
    assert_eq!(nothing.status.code(), Some(1));
    assert!(stderr(&nothing).contains("there is no app to run"));

    // an unknown lookup provider in the context file
    std::fs::write(
        dir.path().join("cloudwright.context.json"),
        r#"{"ami-provider:name=x:region=eu-west-1": {}}"#,
    )
    .unwrap();
    let unknown = run(dir.path(), &[], &["lookup", "--refresh"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown)
            .contains("lookup provider `ami-provider`, which cloudwright does not know"),
        "{}",
        stderr(&unknown)
    );
}
