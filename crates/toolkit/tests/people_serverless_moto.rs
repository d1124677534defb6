//! The people-serverless app deployed to moto with `cloudwright deploy`: the four functions'
//! zips are published to the assets bucket before any stack, then both stacks are created —
//! the table, the queues, the buckets, the functions (from their zips in moto's S3), the event
//! source mapping, the schedule and the API.
//!
//! What moto does not implement, listed and asserted here as for the flask app: moto does not
//! read a REST API's OpenAPI `Body`, so the API's `AWS::ApiGateway::Deployment` fails with "The
//! REST API doesn't contain any methods" (seen when this test was written: a stack it fails
//! stays CREATE_IN_PROGRESS in moto, so the test does not provoke it). The API stack is
//! deployed from the same assembly without the deployment and what depends on it, found by
//! reference and asserted to be exactly the deployment and the stage. moto creates the Lambda
//! permissions without a physical id, and its CloudFormation has no
//! `AWS::Lambda::EventInvokeConfig` (the nightly function's on-failure destination): it skips
//! it, so the stack lists no such resource (both asserted).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not production code

use std::collections::BTreeSet;
use std::path::Path;

use cloudwright_tests::{Moto, TempDir};
use serde_json::{Value, json};

mod common;
use common::{fixture_app, run, sdk, stack_status, stderr, stdout};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_publishes_the_zips_and_creates_both_stacks() {
    let moto = Moto::start();
    let config = sdk(&moto).await;
    let dir = TempDir::new("people-serverless-moto");
    let app = json!({
        "app": format!("{} -c fixture=people-serverless", fixture_app().display()),
        "context": "cloudwright.context.json",
        "out": "cloudwright.out",
    });
    std::fs::write(dir.path().join("cloudwright.json"), app.to_string()).unwrap();
    let env = moto.env();
    let args = [
        "deploy",
        "--yes",
        "--method",
        "direct",
        "--progress",
        "events",
    ];

    // the data stack, with every asset published first
    let out = run(dir.path(), &env, &[&args[..], &["PeopleData"]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("publishing 4 file assets to eu-west-1"),
        "{text}"
    );
    assert_eq!(text.matches("uploaded s3://").count(), 4, "{text}");
    let first_stack = text.find("CREATE_IN_PROGRESS").unwrap();
    assert!(
        text.rfind("uploaded s3://").unwrap() < first_stack,
        "{text}"
    );

    // what moto rejects in the API stack, and the API stack without it
    let assembly = dir.path().join("cloudwright.out");
    let template: Value = serde_json::from_str(
        &std::fs::read_to_string(assembly.join("PeopleApi.template.json")).unwrap(),
    )
    .unwrap();
    let rejected = moto_rejects(&template);
    let types: Vec<&str> = rejected
        .iter()
        .map(|id| template["Resources"][id]["Type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        ["AWS::ApiGateway::Deployment", "AWS::ApiGateway::Stage"],
        "{rejected:?}"
    );
    let mut trimmed = template.clone();
    let resources = trimmed["Resources"].as_object_mut().unwrap();
    for id in &rejected {
        resources.remove(id);
    }
    let outputs: Vec<String> = trimmed["Outputs"]
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(_, v)| refers_to(v, &rejected))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default();
    for k in outputs {
        trimmed["Outputs"].as_object_mut().unwrap().remove(&k);
    }
    let copy = TempDir::new("people-serverless-trimmed");
    copy_dir(&assembly, copy.path());
    let trimmed_text = serde_json::to_string_pretty(&trimmed).unwrap();
    std::fs::write(copy.path().join("PeopleApi.template.json"), &trimmed_text).unwrap();
    // deploy checks every template against the manifest's hash: the trimmed one is recorded
    let manifest_path = copy.path().join("manifest.json");
    let mut manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    for stack in manifest["stacks"].as_array_mut().unwrap() {
        if stack["id"] == "PeopleApi" {
            stack["hash"] = Value::String(cloudwright_core::assembly::template_hash(
                trimmed_text.as_bytes(),
            ));
        }
    }
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();
    let out = run(
        dir.path(),
        &env,
        &[
            &["--assembly", copy.path().to_str().unwrap()][..],
            &args[..],
            &["PeopleApi"],
        ]
        .concat(),
    );
    assert!(out.status.success(), "{}", stderr(&out));

    let cfn = aws_sdk_cloudformation::Client::new(&config);
    for stack in ["PeopleData", "PeopleApi"] {
        assert_eq!(
            stack_status(&cfn, stack).await.as_deref(),
            Some("CREATE_COMPLETE"),
            "{stack}"
        );
    }
    let mut created = std::collections::BTreeMap::new();
    for stack in ["PeopleData", "PeopleApi"] {
        let resources = cfn
            .describe_stack_resources()
            .stack_name(stack)
            .send()
            .await
            .unwrap();
        for r in resources.stack_resources() {
            created.insert(
                r.logical_resource_id().unwrap_or_default().to_owned(),
                (
                    r.resource_type().unwrap_or_default().to_owned(),
                    r.physical_resource_id().unwrap_or_default().to_owned(),
                ),
            );
        }
    }
    eprintln!("{created:#?}");
    for (id, ty) in [
        ("PeopleTable", "AWS::DynamoDB::Table"),
        ("WritesQueue", "AWS::SQS::Queue"),
        ("WritesFailedQueue", "AWS::SQS::Queue"),
        ("NightlyFailedQueue", "AWS::SQS::Queue"),
        ("AuditBucket", "AWS::S3::Bucket"),
        ("AccessLogsBucket", "AWS::S3::Bucket"),
        ("ReaderFunction", "AWS::Lambda::Function"),
        ("EnqueueFunction", "AWS::Lambda::Function"),
        ("WorkerFunction", "AWS::Lambda::Function"),
        ("NightlyFunction", "AWS::Lambda::Function"),
        (
            "WorkerFunctionWritesQueueSource",
            "AWS::Lambda::EventSourceMapping",
        ),
        ("NightlyFunctionNightlyRule", "AWS::Events::Rule"),
    ] {
        let (got, physical) = created.get(id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(got, ty, "{id}");
        assert!(!physical.is_empty(), "{id} has no physical id");
    }

    // moto 5.2.1 creates the Lambda permissions (the routes' and the schedule's) without a
    // physical id: listed, and asserted so that a moto that fills them in is noticed
    let permissions: Vec<&String> = created
        .iter()
        .filter(|(_, (ty, _))| ty == "AWS::Lambda::Permission")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(permissions.len(), 3, "{permissions:?}");
    for id in permissions {
        assert_eq!(created[id].1, "", "{id}");
    }
    // moto 5.2.1 skips the EventInvokeConfig it does not implement (the template has it)
    assert_eq!(
        template["Resources"]["NightlyInvokeConfig"]["Type"],
        "AWS::Lambda::EventInvokeConfig"
    );
    assert!(!created.contains_key("NightlyInvokeConfig"), "{created:#?}");

    // the second deploy publishes nothing
    let again = run(dir.path(), &env, &[&args[..], &["PeopleData"]].concat());
    assert!(again.status.success(), "{}", stderr(&again));
    let text = stdout(&again);
    assert_eq!(
        text.matches("is already there; not built or uploaded")
            .count(),
        4,
        "{text}"
    );
    assert!(!text.contains("uploaded s3://"), "{text}");
}

/// Whether `value` refers to any of `ids` (`Ref`, `Fn::GetAtt`, `${Id}` or `${Id.Attr}` in a
/// `Fn::Sub`, `DependsOn`).
fn refers_to(value: &Value, ids: &BTreeSet<String>) -> bool {
    let text = value.to_string();
    ids.iter().any(|id| {
        text.contains(&format!("{{\"Ref\":\"{id}\"}}"))
            || text.contains(&format!("[\"{id}\","))
            || text.contains(&format!("${{{id}}}"))
            || text.contains(&format!("${{{id}."))
            || text.contains(&format!("\"DependsOn\":\"{id}\""))
            || value["DependsOn"]
                .as_array()
                .is_some_and(|d| d.iter().any(|x| x == id.as_str()))
    })
}

/// The API's deployments (moto cannot deploy a REST API defined by an OpenAPI body) and every
/// resource that refers to them, transitively.
fn moto_rejects(template: &Value) -> BTreeSet<String> {
    let resources = template["Resources"].as_object().unwrap();
    let mut out: BTreeSet<String> = resources
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::ApiGateway::Deployment")
        .map(|(id, _)| id.clone())
        .collect();
    loop {
        let more: Vec<String> = resources
            .iter()
            .filter(|(id, r)| !out.contains(*id) && refers_to(r, &out))
            .map(|(id, _)| id.clone())
            .collect();
        if more.is_empty() {
            return out;
        }
        out.extend(more);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
