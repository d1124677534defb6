//! The data constructs deployed to moto (CloudFormation on 127.0.0.1 through boto3): the
//! table, queues, topic, bucket, role and grant policies are created with the settings the
//! constructs wrote; what moto's CloudFormation does not implement (resource policies, the
//! SNS subscription, the bucket's versioning, public access block and ownership controls) is
//! listed and asserted so a moto upgrade that starts creating it is noticed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::process::Command;
use std::time::Duration;

use cloudwright_core::App;
use cloudwright_data::{
    Bucket, DeadLetterQueue, GlobalIndex, Key, Queue, Table, Topic, TopicSubscription,
};
use cloudwright_iam::{Principal, Role};
use cloudwright_tests::{Moto, TempDir, cfn_lint_python};
use serde_json::Value as Json;

const SCRIPT: &str = r#"
import json, sys, boto3
kw = dict(endpoint_url=sys.argv[1], region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing")
cfn = boto3.client("cloudformation", **kw)
cfn.create_stack(StackName="data", TemplateBody=open(sys.argv[2]).read(), Capabilities=["CAPABILITY_IAM"])
stack = cfn.describe_stacks(StackName="data")["Stacks"][0]
listed = cfn.describe_stack_resources(StackName="data")["StackResources"]
resources = {r["LogicalResourceId"]: r for r in listed if "LogicalResourceId" in r}
template = json.load(open(sys.argv[2]))["Resources"]
out = {"status": stack["StackStatus"], "not_created": sorted(set(template) - set(resources)),
       "types_not_created": sorted({template[l]["Type"] for l in set(template) - set(resources)})}
phys = lambda lid: resources[lid]["PhysicalResourceId"]
def attempt(f):
    try:
        return f()
    except Exception as e:
        return "not applied by moto: " + type(e).__name__ + " " + str(getattr(e, "response", {}).get("Error", {}).get("Code", ""))
ddb = boto3.client("dynamodb", **kw)
t = ddb.describe_table(TableName=phys("OrdersTable"))["Table"]
out["table"] = {"keys": t["KeySchema"], "attributes": sorted(a["AttributeName"] + ":" + a["AttributeType"] for a in t["AttributeDefinitions"]),
                "billing": t.get("BillingModeSummary", {}).get("BillingMode"), "indexes": [i["IndexName"] for i in t.get("GlobalSecondaryIndexes", [])]}
sqs = boto3.client("sqs", **kw)
attrs = sqs.get_queue_attributes(QueueUrl=phys("JobsQueue"), AttributeNames=["All"])["Attributes"]
out["queue"] = {"redrive": json.loads(attrs.get("RedrivePolicy", "{}")), "visibility": attrs.get("VisibilityTimeout"), "sse": attrs.get("SqsManagedSseEnabled")}
s3 = boto3.client("s3", **kw)
bucket = phys("ReceiptsBucket")
out["bucket"] = {"versioning": attempt(lambda: s3.get_bucket_versioning(Bucket=bucket).get("Status")),
                 "encryption": attempt(lambda: s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]),
                 "public_access": attempt(lambda: s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]),
                 "ownership": attempt(lambda: s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"][0]["ObjectOwnership"]),
                 "policy": attempt(lambda: json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]["Effect"])}
sns = boto3.client("sns", **kw)
subs = sns.list_subscriptions()["Subscriptions"]
out["subscriptions"] = [s["Protocol"] for s in subs]
iam = boto3.client("iam", **kw)
role = phys("WorkerRole")
out["role_policies"] = sorted(iam.list_role_policies(RoleName=role)["PolicyNames"])
print(json.dumps(out))
"#;

#[test]
fn the_data_constructs_deploy_to_moto_with_their_settings() {
    let app = App::new();
    let mut stack = app.stack("Data").unwrap();
    let orders = stack
        .construct(
            "Orders",
            Table::new(Key::string("id"))
                .sort_key(Key::number("created"))
                .global_index(GlobalIndex::new("byCustomer", Key::string("customer"))),
        )
        .unwrap();
    let failed = stack.construct("Failed", Queue::new()).unwrap();
    let jobs = stack
        .construct(
            "Jobs",
            Queue::new()
                .visibility_timeout(Duration::from_secs(180))
                .dead_letter_queue(DeadLetterQueue {
                    queue: &failed,
                    max_receive_count: 3,
                }),
        )
        .unwrap();
    let events = stack.construct("Events", Topic::new()).unwrap();
    stack
        .construct(
            "Audit",
            Queue::new().subscribe_to(TopicSubscription::new(&events)),
        )
        .unwrap();
    let receipts = stack.construct("Receipts", Bucket::new()).unwrap();
    let worker = stack
        .construct(
            "Worker",
            Role::new(Principal::service("lambda.amazonaws.com")),
        )
        .unwrap();
    orders.grant_read_write_data(&mut stack, &worker).unwrap();
    jobs.grant_consume(&mut stack, &worker).unwrap();
    receipts.grant_put(&mut stack, &worker).unwrap();
    events.grant_publish(&mut stack, &worker).unwrap();
    drop(stack);
    let assembly = app.synth().unwrap();
    let dir = TempDir::new("data-moto");
    let file = dir.path().join("Data.template.json");
    std::fs::write(&file, &assembly.stacks[0].template).unwrap();

    let moto = Moto::start();
    let output = Command::new(cfn_lint_python())
        .arg("-c")
        .arg(SCRIPT)
        .arg(moto.endpoint())
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out: Json = serde_json::from_slice(&output.stdout).unwrap();
    println!("{out:#}");
    assert_eq!(out["status"], "CREATE_COMPLETE");
    assert_eq!(
        out["table"]["attributes"],
        serde_json::json!(["created:N", "customer:S", "id:S"])
    );
    assert_eq!(out["table"]["billing"], "PAY_PER_REQUEST");
    assert_eq!(out["table"]["indexes"], serde_json::json!(["byCustomer"]));
    assert_eq!(out["queue"]["redrive"]["maxReceiveCount"], 3);
    assert_eq!(out["queue"]["visibility"], "180");
    assert_eq!(out["queue"]["sse"], "true");
    assert_eq!(out["bucket"]["encryption"], "AES256");
    // what moto 5.2.1's CloudFormation does not create or apply, so a moto that starts to is
    // noticed (each is checked against the template by the construct tests and cfn-lint)
    assert_eq!(
        out["types_not_created"],
        serde_json::json!([
            "AWS::S3::BucketPolicy",
            "AWS::SNS::Subscription",
            "AWS::SNS::TopicPolicy",
            "AWS::SQS::QueuePolicy"
        ])
    );
    assert_eq!(out["subscriptions"], serde_json::json!([]));
    assert_eq!(out["bucket"]["versioning"], Json::Null);
    for setting in ["public_access", "ownership", "policy"] {
        let value = out["bucket"][setting].as_str().unwrap_or_default();
        assert!(
            value.starts_with("not applied by moto"),
            "{setting}: {value}"
        );
    }
    assert_eq!(
        out["role_policies"],
        serde_json::json!([
            "WorkerRoleEventsTopicPublishPolicy",
            "WorkerRoleJobsQueueConsumePolicy",
            "WorkerRoleOrdersTableReadWriteDataPolicy",
            "WorkerRoleReceiptsBucketPutPolicy"
        ])
    );
}
