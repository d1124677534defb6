//! References between stacks against moto on 127.0.0.1: a reference across regions is refused
//! at synthesis naming both stacks and the value, and at deploy, before any change, when one
//! of the stacks is unpinned and resolves elsewhere than the other; the same app with a weak reference deploys,
//! and a changed producer output reaches the consumer at its next deploy. The export lock: a
//! deploy that would remove an export another stack imports is refused before any change,
//! whether the importers come from ListImports (a recorded response in CloudFormation's shape,
//! served by the recording proxy) or, as on moto, whose ListImports answers HTTP 500, from a
//! scan of the stacks' templates; when neither answers, the deploy is refused as unverified.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use cloudwright_tests::{Moto, TempDir};
use serde_json::{Value, json};

mod common;
use common::recorder::Recorder;
use common::{fixture_app, ok, run, sdk, stack_status, stderr};

fn project(mode: &str, extra: &str) -> TempDir {
    let dir = TempDir::new("references");
    let config = json!({
        "app": format!("{} -c fixture={mode} {extra}", fixture_app().display()),
        "context": "cloudwright.context.json",
        "out": "cloudwright.out",
    });
    std::fs::write(dir.path().join("cloudwright.json"), config.to_string()).unwrap();
    dir
}

fn env_for(moto: &Moto, endpoint: String) -> Vec<(&'static str, String)> {
    let mut env = moto.env();
    for (k, v) in env.iter_mut() {
        if *k == "AWS_ENDPOINT_URL" {
            *v = endpoint.clone();
        }
    }
    env
}

async fn parameter(cfn: &aws_sdk_cloudformation::Client, stack: &str, key: &str) -> Option<String> {
    let o = cfn
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .unwrap();
    o.stacks()[0]
        .parameters()
        .iter()
        .find(|p| p.parameter_key() == Some(key))
        .and_then(|p| p.parameter_value().map(str::to_owned))
}

async fn template(cfn: &aws_sdk_cloudformation::Client, stack: &str) -> Value {
    let o = cfn.get_template().stack_name(stack).send().await.unwrap();
    serde_json::from_str(o.template_body().unwrap()).unwrap()
}

/// Calls that change something.
fn changes(calls: &[String]) -> Vec<&String> {
    calls
        .iter()
        .filter(|c| {
            [
                "CreateStack",
                "UpdateStack",
                "DeleteStack",
                "CreateChangeSet",
                "ExecuteChangeSet",
            ]
            .iter()
            .any(|op| c.ends_with(&format!(":{op}")))
        })
        .collect()
}

#[test]
fn a_reference_across_regions_is_refused_at_synth() {
    let dir = project("weak", "");
    let o = run(dir.path(), &[], &["synth"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("stack `CwConsumer` (account unpinned, region us-east-1) refers to `Vpc.CidrBlock` of stack `CwProducer` (account unpinned, region eu-west-1)")
            && e.contains("scope.weak_ref(value)"),
        "{e}"
    );
    assert!(!dir.path().join("cloudwright.out").exists());
    // in one region the same reference is an import
    let same = project("weak", "-c producerRegion=us-east-1");
    ok(&run(same.path(), &[], &["synth"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_from_a_pinned_stack_into_an_unpinned_one_elsewhere_is_refused_before_any_change()
{
    let moto = Moto::start();
    let recorder = Recorder::start(moto.port());
    // moto's environment: the default region is eu-west-1
    let env = env_for(&moto, recorder.endpoint());
    let config = sdk(&moto).await;
    let eu = aws_sdk_cloudformation::Client::new(&config);
    let us = aws_sdk_cloudformation::Client::from_conf(
        aws_sdk_cloudformation::config::Builder::from(&config)
            .region(aws_config::Region::new("us-east-1"))
            .build(),
    );
    // the producer pinned to us-east-1, the consumer unpinned: synthesis cannot tell where
    // the consumer goes, so the reference is an import
    let dir = project("weak", "-c producerRegion=us-east-1 -c consumerRegion=none");
    ok(&run(dir.path(), &[], &["synth"]));
    let consumer =
        std::fs::read_to_string(dir.path().join("cloudwright.out/CwConsumer.template.json"))
            .unwrap();
    assert!(consumer.contains("Fn::ImportValue"), "{consumer}");

    recorder.take();
    let o = run(dir.path(), &env, &["deploy", "--yes", "--method", "direct"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("stack `CwConsumer` (account 123456789012 (unpinned: the credentials'), region eu-west-1 (unpinned: the default region)) imports the export")
            && e.contains("of stack `CwProducer` (account 123456789012 (unpinned: the credentials'), region us-east-1 (pinned))")
            && e.contains("scope.weak_ref(value)")
            && e.contains("pin both stacks to the same account and region")
            && e.contains("Nothing was changed"),
        "{e}"
    );
    let calls = recorder.take();
    assert!(changes(&calls).is_empty(), "{calls:?}");
    assert_eq!(stack_status(&us, "CwProducer").await, None);
    assert_eq!(stack_status(&eu, "CwConsumer").await, None);

    // where the default region is the producer's, both resolve to us-east-1: it deploys
    let in_us: Vec<(&str, String)> = env
        .iter()
        .map(|(k, v)| match *k {
            "AWS_REGION" | "AWS_DEFAULT_REGION" => (*k, "us-east-1".to_owned()),
            _ => (*k, v.clone()),
        })
        .collect();
    ok(&run(
        dir.path(),
        &in_us,
        &["deploy", "--yes", "--method", "direct"],
    ));
    assert_eq!(
        stack_status(&us, "CwConsumer").await.as_deref(),
        Some("CREATE_COMPLETE")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_weak_reference_deploys_across_regions_and_follows_the_producer() {
    let moto = Moto::start();
    let config = sdk(&moto).await;
    let eu = aws_sdk_cloudformation::Client::new(&config);
    let us = aws_sdk_cloudformation::Client::from_conf(
        aws_sdk_cloudformation::config::Builder::from(&config)
            .region(aws_config::Region::new("us-east-1"))
            .build(),
    );
    let dir = project("weak", "-c weak=1");
    ok(&run(
        dir.path(),
        &moto.env(),
        &["deploy", "--yes", "--method", "direct"],
    ));
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("cloudwright.out/manifest.json")).unwrap(),
    )
    .unwrap();
    let consumer = manifest["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "CwConsumer")
        .unwrap();
    assert_eq!(
        consumer["weakReferences"],
        json!([{"parameter": "WeakRefCwProducerLabel", "stack": "CwProducer",
                "output": "WeakOutputRefLabel"},
               {"parameter": "WeakRefCwProducerVpcCidrBlock", "stack": "CwProducer",
                "output": "WeakOutputFnGetAttVpcCidrBlock"}])
    );
    let producer_template = template(&eu, "CwProducer").await;
    assert!(
        !producer_template.to_string().contains("Export"),
        "a weak reference makes no export: {producer_template}"
    );
    assert!(
        !template(&us, "CwConsumer")
            .await
            .to_string()
            .contains("Fn::ImportValue")
    );
    assert_eq!(
        parameter(&us, "CwConsumer", "WeakRefCwProducerVpcCidrBlock")
            .await
            .as_deref(),
        Some("10.80.0.0/16")
    );
    assert_eq!(
        stack_status(&eu, "CwConsumer").await,
        None,
        "the consumer is in us-east-1"
    );

    assert_eq!(
        parameter(&us, "CwConsumer", "WeakRefCwProducerLabel")
            .await
            .as_deref(),
        Some("/cloudwright/blue")
    );

    // the producer's output changes (the parameter is renamed): the next deploy passes the
    // new value to the consumer
    ok(&run(
        dir.path(),
        &moto.env(),
        &["-c", "label=green", "deploy", "--yes", "--method", "direct"],
    ));
    assert_eq!(
        parameter(&us, "CwConsumer", "WeakRefCwProducerLabel")
            .await
            .as_deref(),
        Some("/cloudwright/green")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deploy_that_would_remove_an_imported_export_is_refused_before_any_change() {
    let moto = Moto::start();
    let recorder = Recorder::start(moto.port());
    let env = env_for(&moto, recorder.endpoint());
    let cfn = aws_sdk_cloudformation::Client::new(&sdk(&moto).await);
    let dir = project("multi", "");
    ok(&run(
        dir.path(),
        &env,
        &["deploy", "--yes", "--method", "direct"],
    ));
    let before = template(&cfn, "CwNet").await;
    assert!(before.to_string().contains("Export"), "{before}");
    recorder.take();

    // moto answers ListImports with HTTP 500: the importers come from the templates
    let o = run(
        dir.path(),
        &env,
        &["-c", "version=3", "deploy", "--yes", "--method", "direct"],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("stack `CwNet` would lose or change exports")
            && e.contains("removes export `CwNet:ExportsOutputRefVpc")
            && e.contains("imported by CwApp")
            && e.contains("scope.weak_ref(value)")
            && e.contains("--exclusively")
            && e.contains("Nothing was changed"),
        "{e}"
    );
    let calls = recorder.take();
    assert!(
        calls.contains(&"cloudformation:ListImports".to_owned()),
        "{calls:?}"
    );
    assert!(changes(&calls).is_empty(), "{calls:?}");
    assert_eq!(template(&cfn, "CwNet").await, before);

    // replacing the exported VPC changes the export's value: refused the same way
    let o = run(
        dir.path(),
        &env,
        &[
            "-c",
            "netCidr=10.22.0.0/16",
            "deploy",
            "--yes",
            "--method",
            "direct",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("changes the value of export `CwNet:ExportsOutputRefVpc")
            && e.contains("imported by CwApp"),
        "{e}"
    );
    assert!(changes(&recorder.take()).is_empty());
    assert_eq!(template(&cfn, "CwNet").await, before);

    // a recorded ListImports response in CloudFormation's shape names the importers
    recorder.answer(
        "cloudformation:ListImports",
        200,
        r#"<ListImportsResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <ListImportsResult>
    <Imports>
      <member>BillingStack</member>
      <member>CwApp</member>
    </Imports>
  </ListImportsResult>
  <ResponseMetadata><RequestId>5ccc7dcd-744c-11e5-be70-1b08c228efb3</RequestId></ResponseMetadata>
</ListImportsResponse>"#,
    );
    let o = run(
        dir.path(),
        &env,
        &["-c", "version=3", "deploy", "--yes", "--method", "direct"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("imported by BillingStack, CwApp"),
        "{}",
        stderr(&o)
    );
    assert!(changes(&recorder.take()).is_empty());

    // neither ListImports nor the scan answers: refused, unverified
    recorder.forget_answers();
    recorder.answer("cloudformation:ListImports", 500, "");
    recorder.answer("cloudformation:ListStacks", 500, "");
    let o = run(
        dir.path(),
        &env,
        &["-c", "version=3", "deploy", "--yes", "--method", "direct"],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("could not verify that no other stack imports it")
            && e.contains("ListImports")
            && e.contains("Nothing was changed"),
        "{e}"
    );
    assert!(changes(&recorder.take()).is_empty());
    recorder.forget_answers();

    // the way out, in two steps: the importer first, then the exporter
    ok(&run(
        dir.path(),
        &env,
        &[
            "-c",
            "version=3",
            "deploy",
            "CwApp",
            "--exclusively",
            "--yes",
            "--method",
            "direct",
        ],
    ));
    ok(&run(
        dir.path(),
        &env,
        &["-c", "version=3", "deploy", "--yes", "--method", "direct"],
    ));
    assert!(!template(&cfn, "CwNet").await.to_string().contains("Export"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_weak_reference_to_an_output_that_cannot_be_read_stops_before_the_consumer_changes() {
    let moto = Moto::start();
    let config = sdk(&moto).await;
    let us = aws_sdk_cloudformation::Client::from_conf(
        aws_sdk_cloudformation::config::Builder::from(&config)
            .region(aws_config::Region::new("us-east-1"))
            .build(),
    );
    let dir = project("weak", "-c weak=1");
    // the producer is not deployed
    let o = run(
        dir.path(),
        &moto.env(),
        &["deploy", "CwConsumer", "--exclusively", "--yes"],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("stack `CwConsumer` cannot be deployed: its parameter WeakRefCwProducerLabel is a weak reference to output WeakOutputRefLabel of stack CwProducer")
            && e.contains("stack CwProducer is not deployed; deploy it first (`cloudwright deploy CwProducer`)"),
        "{e}"
    );
    assert_eq!(stack_status(&us, "CwConsumer").await, None);

    // moto gives a stack created through a change set no outputs: said so
    ok(&run(
        dir.path(),
        &moto.env(),
        &["deploy", "CwProducer", "--exclusively", "--yes"],
    ));
    let o = run(
        dir.path(),
        &moto.env(),
        &["deploy", "CwConsumer", "--exclusively", "--yes"],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("stack CwProducer (CREATE_COMPLETE) has no output WeakOutputRefLabel")
            && e.contains("--method direct"),
        "{e}"
    );
    assert_eq!(stack_status(&us, "CwConsumer").await, None);
}
