//! Accounts against moto on 127.0.0.1: a stack pinned to another account than the
//! credentials' is refused before any call that changes anything (a recording proxy lists
//! every call); one command deploys an app spanning two accounts, assuming the role
//! `cloudwright.json` names for the second (moto accepts AssumeRole into another account id,
//! and the role's calls land in that account); `list` shows each stack's account and region;
//! a context value looked up in one account is looked up again for another.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudformation::config::Credentials;
use cloudwright_cli::aws::Aws;
use cloudwright_tests::{Moto, TempDir};
use serde_json::{Value, json};

mod common;
use common::recorder::Recorder;
use common::{fixture_app, ok, run, sdk, stack_status, stderr, stdout};

const ROLE_B: &str = "arn:aws:iam::222222222222:role/cloudwright-deploy";

fn project(mode: &str, extra: &str, accounts: Value) -> TempDir {
    let dir = TempDir::new("accounts");
    let config = json!({
        "app": format!("{} -c fixture={mode} {extra}", fixture_app().display()),
        "context": "cloudwright.context.json",
        "out": "cloudwright.out",
        "accounts": accounts,
    });
    std::fs::write(dir.path().join("cloudwright.json"), config.to_string()).unwrap();
    dir
}

/// An SDK configuration with the credentials of `role`, assumed through moto's STS.
async fn as_role(moto: &Moto, role: &str) -> SdkConfig {
    let base = sdk(moto).await;
    let creds = Aws::from_config(base.clone())
        .sts(Some("eu-west-1"), "the test")
        .unwrap()
        .assume_role(role, "test")
        .await
        .unwrap();
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(moto.endpoint())
        .region(Region::new("eu-west-1"))
        .credentials_provider(Credentials::new(
            creds.access_key_id,
            creds.secret_access_key,
            Some(creds.session_token),
            None,
            "tests",
        ))
        .load()
        .await
}

async fn stack_id(cfn: &aws_sdk_cloudformation::Client, name: &str) -> String {
    let o = cfn.describe_stacks().stack_name(name).send().await.unwrap();
    o.stacks()[0].stack_id().unwrap().to_owned()
}

/// The environment aiming the CLI at `endpoint` (the recorder) with moto's credentials.
fn env_for(moto: &Moto, endpoint: String) -> Vec<(&'static str, String)> {
    let mut env = moto.env();
    for (k, v) in env.iter_mut() {
        if *k == "AWS_ENDPOINT_URL" {
            *v = endpoint.clone();
        }
    }
    env
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stack_pinned_to_another_account_is_refused_before_any_change() {
    let moto = Moto::start();
    let recorder = Recorder::start(moto.port());
    let env = env_for(&moto, recorder.endpoint());
    let cfn = aws_sdk_cloudformation::Client::new(&sdk(&moto).await);

    let dir = project("pinned", "-c account=999999999999", json!({}));
    let o = run(dir.path(), &env, &["deploy", "--yes"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("stack `CwPinned` is pinned to account 999999999999")
            && e.contains("belong to account 123456789012")
            && e.contains("Nothing was changed")
            && e.contains(r#""accounts": {"999999999999": {"role""#),
        "{e}"
    );
    let calls = recorder.take();
    assert!(!calls.is_empty());
    assert!(
        calls.iter().all(|c| c == "sts:GetCallerIdentity"),
        "only the identity may be asked before the refusal: {calls:?}"
    );
    assert_eq!(stack_status(&cfn, "CwPinned").await, None);
    // destroy is refused the same way, before any call that changes anything
    let o = run(dir.path(), &env, &["destroy", "--yes"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("pinned to account 999999999999"),
        "{}",
        stderr(&o)
    );
    let calls = recorder.take();
    assert!(
        calls.iter().all(|c| c == "sts:GetCallerIdentity"),
        "{calls:?}"
    );

    // a role that lands in another account than the one it is named for is refused too
    let dir = project(
        "pinned",
        "-c account=222222222222",
        json!({"222222222222": {"role": "arn:aws:iam::333333333333:role/wrong"}}),
    );
    let o = run(dir.path(), &env, &["deploy", "--yes"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("pinned to account 222222222222")
            && e.contains("the role arn:aws:iam::333333333333:role/wrong assumed for it belongs to account 333333333333"),
        "{e}"
    );
    let calls = recorder.take();
    assert!(
        calls
            .iter()
            .all(|c| c == "sts:AssumeRole" || c == "sts:GetCallerIdentity"),
        "{calls:?}"
    );

    // the credentials' own account deploys
    let dir = project("pinned", "-c account=123456789012", json!({}));
    ok(&run(
        dir.path(),
        &env,
        &["deploy", "--yes", "--method", "direct"],
    ));
    assert_eq!(
        stack_status(&cfn, "CwPinned").await.as_deref(),
        Some("CREATE_COMPLETE")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_command_deploys_an_app_spanning_two_accounts() {
    let moto = Moto::start();
    let recorder = Recorder::start(moto.port());
    let env = env_for(&moto, recorder.endpoint());
    let dir = project("accounts", "", json!({"222222222222": {"role": ROLE_B}}));

    let listed = run(dir.path(), &env, &["list"]);
    ok(&listed);
    let text = stdout(&listed);
    assert!(
        text.contains("CwAcctA  1 resource  account 123456789012  region eu-west-1"),
        "{text}"
    );
    assert!(
        text.contains("CwAcctB  1 resource  account 222222222222  region eu-west-1"),
        "{text}"
    );
    recorder.take();

    let exec_role = "arn:aws:iam::123456789012:role/cfn-exec";
    ok(&run(
        dir.path(),
        &env,
        &[
            "deploy",
            "--yes",
            "--method",
            "direct",
            "--role-arn",
            exec_role,
        ],
    ));
    let calls = recorder.take();
    assert!(calls.contains(&"sts:AssumeRole".to_owned()), "{calls:?}");

    let own = aws_sdk_cloudformation::Client::new(&sdk(&moto).await);
    let b = aws_sdk_cloudformation::Client::new(&as_role(&moto, ROLE_B).await);
    assert!(stack_id(&own, "CwAcctA").await.contains(":123456789012:"));
    assert_eq!(
        stack_status(&own, "CwAcctB").await,
        None,
        "CwAcctB must not be in the credentials' account"
    );
    assert!(stack_id(&b, "CwAcctB").await.contains(":222222222222:"));
    assert_eq!(stack_status(&b, "CwAcctA").await, None);
    // --role-arn is the execution role CloudFormation was given
    let described = own
        .describe_stacks()
        .stack_name("CwAcctA")
        .send()
        .await
        .unwrap();
    assert_eq!(described.stacks()[0].role_arn(), Some(exec_role));

    // diff reads each deployed template in its account: nothing differs
    ok(&run(dir.path(), &env, &["diff", "--fail"]));

    // destroy goes to each stack's account too
    ok(&run(dir.path(), &env, &["destroy", "--yes"]));
    assert!(matches!(
        stack_status(&own, "CwAcctA").await.as_deref(),
        None | Some("DELETE_COMPLETE")
    ));
    assert!(matches!(
        stack_status(&b, "CwAcctB").await.as_deref(),
        None | Some("DELETE_COMPLETE")
    ));
}

/// `deploy --hotswap` works on each stack in its own account, as a normal deploy does: once
/// both stacks are deployed, a second hotswap finds nothing changed in either account and
/// changes nothing (it once read every stack in the credentials' account, found the second
/// stack "not deployed yet" and deployed it again through CloudFormation).
#[tokio::test(flavor = "multi_thread")]
async fn hotswap_reads_and_changes_each_stack_in_its_own_account() {
    let moto = Moto::start();
    let recorder = Recorder::start(moto.port());
    let env = env_for(&moto, recorder.endpoint());
    let dir = project("accounts", "", json!({"222222222222": {"role": ROLE_B}}));
    let hotswap = ["deploy", "--yes", "--hotswap", "--method", "direct"];

    let first = run(dir.path(), &env, &hotswap);
    ok(&first);
    let b = aws_sdk_cloudformation::Client::new(&as_role(&moto, ROLE_B).await);
    assert!(stack_id(&b, "CwAcctB").await.contains(":222222222222:"));
    recorder.take();

    let second = run(dir.path(), &env, &hotswap);
    ok(&second);
    let text = stdout(&second);
    for stack in ["CwAcctA", "CwAcctB"] {
        assert!(text.contains(&format!("{stack}: no changes")), "{text}");
    }
    assert!(!text.contains("not hotswappable"), "{text}");
    let calls = recorder.take();
    assert!(calls.contains(&"sts:AssumeRole".to_owned()), "{calls:?}");
    for call in &calls {
        assert!(
            ![
                "CreateStack",
                "UpdateStack",
                "CreateChangeSet",
                "ExecuteChangeSet"
            ]
            .iter()
            .any(|c| call.ends_with(&format!(":{c}"))),
            "a second hotswap changed a stack: {calls:?}"
        );
    }
    let own = aws_sdk_cloudformation::Client::new(&sdk(&moto).await);
    assert_eq!(stack_status(&own, "CwAcctB").await, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn context_looked_up_in_one_account_is_looked_up_again_in_another() {
    let moto = Moto::start();
    let env = moto.env();
    // both stacks in the credentials' account: one lookup
    let dir = project(
        "accounts",
        "-c lookup=1 -c accountB=123456789012",
        json!({"222222222222": {"role": ROLE_B}}),
    );
    let first = run(dir.path(), &env, &["synth"]);
    ok(&first);
    let context_file = dir.path().join("cloudwright.context.json");
    let key_a = "vpc-provider:account=123456789012:filter.isDefault=true:region=eu-west-1";
    let key_b = "vpc-provider:account=222222222222:filter.isDefault=true:region=eu-west-1";
    let context: Value =
        serde_json::from_str(&std::fs::read_to_string(&context_file).unwrap()).unwrap();
    assert_eq!(context.as_object().unwrap().len(), 1, "{context}");
    let vpc_a = context[key_a]["vpcId"].as_str().unwrap().to_owned();

    // the same app with CwAcctB in the other account: that account's value is looked up
    let config = json!({
        "app": format!("{} -c fixture=accounts -c lookup=1", fixture_app().display()),
        "context": "cloudwright.context.json",
        "out": "cloudwright.out",
        "accounts": {"222222222222": {"role": ROLE_B}},
    });
    std::fs::write(dir.path().join("cloudwright.json"), config.to_string()).unwrap();
    let second = run(dir.path(), &env, &["synth"]);
    ok(&second);
    assert!(
        stdout(&second).contains(&format!("looking up {key_b}")),
        "{}",
        stdout(&second)
    );
    assert!(!stdout(&second).contains(&format!("looking up {key_a}")));
    let context: Value =
        serde_json::from_str(&std::fs::read_to_string(&context_file).unwrap()).unwrap();
    let vpc_b = context[key_b]["vpcId"].as_str().unwrap().to_owned();
    assert_ne!(
        vpc_a, vpc_b,
        "account B's default VPC is another VPC: {context}"
    );
    // and it is account B's own default VPC
    let in_b = Aws::from_config(as_role(&moto, ROLE_B).await)
        .ec2(Some("eu-west-1"), "the test")
        .unwrap()
        .describe_vpcs(
            &[],
            &[cloudwright_cli::aws::ec2::Filter::new("isDefault", "true")],
        )
        .await
        .unwrap();
    assert_eq!(in_b[0].vpc_id, vpc_b);
    let template: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("cloudwright.out/CwAcctB.template.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(template["Outputs"]["DefaultVpc"]["Value"], json!(vpc_b));
}

#[tokio::test(flavor = "multi_thread")]
async fn image_assets_are_published_in_the_stacks_account() {
    let moto = Moto::start();
    let work = TempDir::new("accounts-asset");
    let ctx = work.path().join("image");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("Dockerfile"), "FROM scratch\nCOPY hello.txt /\n").unwrap();
    std::fs::write(ctx.join("hello.txt"), "hello\n").unwrap();
    let dir = project(
        "asset",
        &format!("-c account=222222222222 -c assetDir={}", ctx.display()),
        json!({"222222222222": {"role": ROLE_B}}),
    );
    ok(&run(dir.path(), &[], &["synth"]));
    let assets =
        cloudwright_core::Assembly::read_assets(&dir.path().join("cloudwright.out")).unwrap();
    let asset = assets.docker_images.values().next().unwrap().clone();

    // the image is already in account 222222222222's repository (and only there)
    let ecr = Aws::from_config(as_role(&moto, ROLE_B).await)
        .ecr(Some("eu-west-1"), "the test")
        .unwrap();
    ecr.call(
        "CreateRepository",
        &json!({"repositoryName": asset.repository_name}),
    )
    .await
    .unwrap();
    let manifest = json!({"schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1,
                   "digest": format!("sha256:{}", "2".repeat(64))},
        "layers": []});
    ecr.call(
        "PutImage",
        &json!({"repositoryName": asset.repository_name, "imageManifest": manifest.to_string(),
                "imageTag": asset.image_tag}),
    )
    .await
    .unwrap();

    // no container tool on PATH: found in the stack's account, nothing is built
    let mut env = moto.env();
    env.push(("PATH", String::new()));
    let o = run(dir.path(), &env, &["assets"]);
    ok(&o);
    assert!(
        stdout(&o).contains(&format!(
            "222222222222.dkr.ecr.eu-west-1.amazonaws.com/{}:{} is already in the registry",
            asset.repository_name, asset.image_tag
        )),
        "{}",
        stdout(&o)
    );
    // and the credentials' own account got no repository
    let own = Aws::from_config(sdk(&moto).await)
        .ecr(Some("eu-west-1"), "the test")
        .unwrap();
    let repos = own.call("DescribeRepositories", &json!({})).await.unwrap();
    assert_eq!(repos["repositories"], json!([]), "{repos}");
}

/// [`env_for`] with the credentials of `role` (assumed through moto's STS) instead of moto's.
async fn env_as_role(moto: &Moto, endpoint: String, role: &str) -> Vec<(&'static str, String)> {
    let creds = Aws::from_config(sdk(moto).await)
        .sts(Some("eu-west-1"), "the test")
        .unwrap()
        .assume_role(role, "test")
        .await
        .unwrap();
    let mut env = env_for(moto, endpoint);
    for (k, v) in env.iter_mut() {
        match *k {
            "AWS_ACCESS_KEY_ID" => *v = creds.access_key_id.clone(),
            "AWS_SECRET_ACCESS_KEY" => *v = creds.secret_access_key.clone(),
            "AWS_SESSION_TOKEN" => *v = creds.session_token.clone(),
            _ => {}
        }
    }
    env
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lookup_in_an_unpinned_stack_is_never_used_in_another_account() {
    const KEY: &str = "vpc-provider:filter.isDefault=true:region=eu-west-1";
    let moto = Moto::start();
    let recorder = Recorder::start(moto.port());
    let env_a = env_for(&moto, recorder.endpoint());
    let env_b = env_as_role(&moto, recorder.endpoint(), ROLE_B).await;
    let dir = project("pinned", "-c account=none -c lookup=1", json!({}));
    let context_file = dir.path().join("cloudwright.context.json");
    let read = |path: &std::path::Path| -> Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };

    // looked up with account A's credentials: the value and the account that answered it
    ok(&run(dir.path(), &env_a, &["synth"]));
    let context = read(&context_file);
    assert_eq!(context["$lookupAccounts"][KEY], "123456789012", "{context}");
    let vpc_a = context[KEY]["vpcId"].as_str().unwrap().to_owned();
    let manifest = read(&dir.path().join("cloudwright.out/manifest.json"));
    assert_eq!(
        manifest["stacks"][0]["lookups"],
        json!({ KEY: "123456789012" }),
        "{manifest}"
    );

    // deployed with account B's credentials: refused before any call that changes anything
    recorder.take();
    let o = run(
        dir.path(),
        &env_b,
        &["deploy", "--yes", "--method", "direct"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains(&format!("stack `CwPinned` uses context key `{KEY}`"))
            && e.contains("looked up in account 123456789012")
            && e.contains("deploys into account 222222222222 (the credentials'")
            && e.contains("pin the stack's account")
            && e.contains("cloudwright lookup --refresh")
            && e.contains("Nothing was changed"),
        "{e}"
    );
    let calls = recorder.take();
    assert!(
        calls.iter().all(|c| c == "sts:GetCallerIdentity"),
        "only the identity may be asked before the refusal: {calls:?}"
    );
    let own = aws_sdk_cloudformation::Client::new(&sdk(&moto).await);
    let b = aws_sdk_cloudformation::Client::new(&as_role(&moto, ROLE_B).await);
    assert_eq!(stack_status(&b, "CwPinned").await, None);
    assert_eq!(stack_status(&own, "CwPinned").await, None);
    // diff and hotswap read the same values: refused the same way
    for args in [&["diff"][..], &["deploy", "--yes", "--hotswap"][..]] {
        let o = run(dir.path(), &env_b, args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&o).contains("looked up in account 123456789012"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    assert_eq!(stack_status(&b, "CwPinned").await, None);

    // the fix: looked up again with B's credentials, it is B's value and deploys there
    ok(&run(dir.path(), &env_b, &["lookup", "--refresh"]));
    let context = read(&context_file);
    assert_eq!(context["$lookupAccounts"][KEY], "222222222222", "{context}");
    let vpc_b = context[KEY]["vpcId"].as_str().unwrap().to_owned();
    assert_ne!(vpc_a, vpc_b);
    ok(&run(
        dir.path(),
        &env_b,
        &["deploy", "--yes", "--method", "direct"],
    ));
    let described = b
        .describe_stacks()
        .stack_name("CwPinned")
        .send()
        .await
        .unwrap();
    let outputs = described.stacks()[0].outputs();
    assert_eq!(outputs[0].output_value(), Some(vpc_b.as_str()));
    // and now account A's credentials are refused the other way round
    let o = run(
        dir.path(),
        &env_a,
        &["deploy", "--yes", "--method", "direct"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("looked up in account 222222222222")
            && stderr(&o).contains("deploys into account 123456789012"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stack_status(&own, "CwPinned").await, None);

    // a value with no recorded account was written by hand: the user's statement, used as is
    let mut context = read(&context_file);
    context.as_object_mut().unwrap().remove("$lookupAccounts");
    std::fs::write(&context_file, context.to_string()).unwrap();
    ok(&run(
        dir.path(),
        &env_a,
        &["deploy", "--yes", "--method", "direct"],
    ));
    assert_eq!(
        stack_status(&own, "CwPinned").await.as_deref(),
        Some("CREATE_COMPLETE")
    );
}
