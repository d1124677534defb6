//! The data constructs on synthesized stacks: production defaults, cfn-lint clean with
//! informational checks, each grant's exact actions and resources, and the mistakes that
//! cannot pass.

use std::time::Duration;

use cloudwright_core::{App, Assembly, Scope, Value};
use cloudwright_data::{
    Billing, Bucket, BucketEncryption, DeadLetterQueue, Error, GlobalIndex, Key, LocalIndex,
    Projection, Queue, QueueEncryption, Table, TableEncryption, Topic, TopicEncryption,
    TopicSubscription,
};
use cloudwright_iam::assertions::{IamAssertions, Permission};
use cloudwright_iam::{Principal, Role, RoleOutput};
use cloudwright_testing::{Match, Template, assert_lint_clean_informational};
use serde_json::json;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// One of a bucket's grant methods.
type BucketGrant = fn(
    &cloudwright_data::BucketOutput,
    &mut Scope<'_>,
    &RoleOutput,
) -> Result<cloudwright_iam::Grant, cloudwright_core::Error>;

const KEY: &str = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";

fn allow(action: &str, resource: &str) -> Permission {
    Permission {
        allow: true,
        action: action.into(),
        resource: resource.into(),
    }
}

fn allows(actions: &[&str], resource: &str) -> Vec<Permission> {
    actions.iter().map(|a| allow(a, resource)).collect()
}

fn sorted(mut v: Vec<Permission>) -> Vec<Permission> {
    v.sort();
    v
}

fn worker(stack: &mut Scope<'_>) -> Result<RoleOutput, cloudwright_core::Error> {
    stack.construct(
        "Worker",
        Role::new(Principal::service("lambda.amazonaws.com")),
    )
}

/// One stack, `f` adding constructs and grants to the `WorkerRole`; lint-clean checked.
fn synth(
    f: impl FnOnce(&mut Scope<'_>, &RoleOutput) -> Result<(), cloudwright_core::Error>,
) -> Result<(Assembly, Template), Box<dyn std::error::Error>> {
    let app = App::new();
    let mut stack = app.stack("Data")?;
    let role = worker(&mut stack)?;
    f(&mut stack, &role)?;
    drop(stack);
    let assembly = app.synth()?;
    assert_lint_clean_informational("Data", &assembly.stacks[0].template);
    let template = Template::from_stack(&assembly, "Data")?;
    Ok((assembly, template))
}

#[test]
fn every_construct_with_its_defaults_is_lint_clean_including_informational() -> TestResult {
    let (_, t) = synth(|s, _| {
        s.construct("Orders", Table::new(Key::string("id")))?;
        let dlq = s.construct("Failed", Queue::new())?;
        s.construct(
            "Jobs",
            Queue::new().dead_letter_queue(DeadLetterQueue {
                queue: &dlq,
                max_receive_count: 5,
            }),
        )?;
        let topic = s.construct("Events", Topic::new())?;
        s.construct(
            "Audit",
            Queue::new().subscribe_to(TopicSubscription::new(&topic)),
        )?;
        let logs = s.construct(
            "Logs",
            Bucket::new()
                .receives_access_logs()
                .without_access_logs("the log bucket does not log itself"),
        )?;
        let receipts = s.construct(
            "Receipts",
            Bucket::new()
                .server_access_logs(&logs, "receipts/")
                .event_bridge_notifications(),
        )?;
        assert!(receipts.sends_events_to_event_bridge());
        Ok(())
    })?;
    // the table
    t.has_resource(
        "AWS::DynamoDB::Table",
        Match::object_like([
            ("DeletionPolicy", Match::exact(json!("Retain"))),
            ("UpdateReplacePolicy", Match::exact(json!("Retain"))),
            (
                "Properties",
                Match::object_like([
                    ("BillingMode", Match::exact(json!("PAY_PER_REQUEST"))),
                    (
                        "KeySchema",
                        Match::exact(json!([{"AttributeName": "id", "KeyType": "HASH"}])),
                    ),
                    (
                        "AttributeDefinitions",
                        Match::exact(json!([{"AttributeName": "id", "AttributeType": "S"}])),
                    ),
                    (
                        "PointInTimeRecoverySpecification",
                        Match::exact(json!({"PointInTimeRecoveryEnabled": true})),
                    ),
                ]),
            ),
        ]),
    )?;
    // the queue with its dead-letter queue, encrypted, TLS only
    t.has_resource_properties(
        "AWS::SQS::Queue",
        Match::object_like([
            (
                "RedrivePolicy",
                Match::exact(json!({"deadLetterTargetArn": {"Fn::GetAtt": ["FailedQueue", "Arn"]}, "maxReceiveCount": 5})),
            ),
            ("SqsManagedSseEnabled", Match::exact(json!(true))),
            ("VisibilityTimeout", Match::exact(json!(30))),
            ("MessageRetentionPeriod", Match::exact(json!(345600))),
        ]),
    )?;
    t.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        Match::object_like([(
            "PolicyDocument",
            Match::object_like([(
                "Statement",
                Match::array_with([Match::object_like([
                    ("Effect", Match::exact(json!("Deny"))),
                    (
                        "Condition",
                        Match::exact(json!({"Bool": {"aws:SecureTransport": "false"}})),
                    ),
                ])]),
            )]),
        )]),
    )?;
    // the subscribed queue lets exactly that topic send
    t.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        Match::object_like([(
            "PolicyDocument",
            Match::object_like([(
                "Statement",
                Match::array_with([Match::object_like([
                    (
                        "Principal",
                        Match::exact(json!({"Service": "sns.amazonaws.com"})),
                    ),
                    ("Action", Match::exact(json!("sqs:SendMessage"))),
                    (
                        "Condition",
                        Match::exact(
                            json!({"ArnEquals": {"aws:SourceArn": {"Ref": "EventsTopic"}}}),
                        ),
                    ),
                ])]),
            )]),
        )]),
    )?;
    t.has_resource_properties(
        "AWS::SNS::Subscription",
        Match::object_like([
            ("Protocol", Match::exact(json!("sqs"))),
            (
                "Endpoint",
                Match::exact(json!({"Fn::GetAtt": ["AuditQueue", "Arn"]})),
            ),
            ("TopicArn", Match::exact(json!({"Ref": "EventsTopic"}))),
        ]),
    )?;
    t.has_resource_properties(
        "AWS::SNS::Topic",
        Match::object_like([("KmsMasterKeyId", Match::exact(json!("alias/aws/sns")))]),
    )?;
    // the bucket
    t.has_resource(
        "AWS::S3::Bucket",
        Match::object_like([
            ("DeletionPolicy", Match::exact(json!("Retain"))),
            (
                "Properties",
                Match::object_like([
                    (
                        "PublicAccessBlockConfiguration",
                        Match::exact(json!({"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true})),
                    ),
                    (
                        "OwnershipControls",
                        Match::exact(json!({"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})),
                    ),
                    ("VersioningConfiguration", Match::exact(json!({"Status": "Enabled"}))),
                    (
                        "NotificationConfiguration",
                        Match::exact(json!({"EventBridgeConfiguration": {"EventBridgeEnabled": true}})),
                    ),
                    (
                        "LoggingConfiguration",
                        Match::exact(json!({"DestinationBucketName": {"Ref": "LogsBucket"}, "LogFilePrefix": "receipts/"})),
                    ),
                ]),
            ),
        ]),
    )?;
    // the exceptions are stated with their reasons
    let skips = |id: &str| {
        Match::object_like([(
            "checkov",
            Match::object_like([("skip", Match::array_with([json!({"id": id})]))]),
        )])
    };
    t.resource_matches(
        "LogsBucket",
        Match::object_like([(
            "Metadata",
            Match::object_like([
                (
                    "cloudwright",
                    Match::object_like([(
                        "exceptions",
                        Match::array_with([Match::object_like([(
                            "reason",
                            Match::string_containing("the log bucket does not log itself"),
                        )])]),
                    )]),
                ),
                (
                    "checkov",
                    Match::object_like([(
                        "skip",
                        Match::array_with([json!({"id": "CKV_AWS_18"})]),
                    )]),
                ),
            ]),
        )]),
    )?;
    t.resource_matches(
        "OrdersTable",
        Match::object_like([("Metadata", skips("CKV_AWS_119"))]),
    )?;
    // nobody was granted anything
    assert!(
        t.who_may("dynamodb:GetItem", "${OrdersTable.Arn}")
            .is_empty()
    );
    // the resource policies allow only SNS into the subscribed queue and S3's logging
    // service into the log bucket; nothing reaches the receipts bucket through its policy
    assert_eq!(
        t.resource_policy_allows("sqs:SendMessage", "${AuditQueue.Arn}"),
        ["Service:sns.amazonaws.com"]
    );
    assert!(
        t.resource_policy_allows("sqs:SendMessage", "${JobsQueue.Arn}")
            .is_empty()
    );
    assert_eq!(
        t.resource_policy_allows("s3:PutObject", "${LogsBucket.Arn}/receipts/x"),
        ["Service:logging.s3.amazonaws.com"]
    );
    assert!(
        t.resource_policy_allows("s3:GetObject", "${ReceiptsBucket.Arn}/x")
            .is_empty()
    );
    Ok(())
}

#[test]
fn table_grants_name_the_table_its_indexes_and_the_key() -> TestResult {
    let (_, t) = synth(|s, w| {
        let plain = s.construct("Plain", Table::new(Key::string("id")))?;
        plain.grant_read_data(s, w)?;
        let indexed = s.construct(
            "Orders",
            Table::new(Key::string("id"))
                .sort_key(Key::number("created"))
                .global_index(
                    GlobalIndex::new("byCustomer", Key::string("customer"))
                        .sort_key(Key::number("created")),
                )
                .local_index(
                    LocalIndex::new("byStatus", Key::string("status"))
                        .projection(Projection::KeysOnly),
                )
                .encryption(TableEncryption::CustomerKey(Value::from(KEY))),
        )?;
        indexed.grant_write_data(s, w)?;
        let both = s.construct("Both", Table::new(Key::binary("id")))?;
        both.grant_read_write_data(s, w)?;
        Ok(())
    })?;
    let read = [
        "dynamodb:BatchGetItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:DescribeTable",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:Scan",
    ];
    let write = [
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteItem",
        "dynamodb:DescribeTable",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    ];
    let key = [
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
    ];
    let mut expected = allows(&read, "${PlainTable.Arn}");
    expected.extend(allows(&write, "${OrdersTable.Arn}"));
    expected.extend(allows(&write, "${OrdersTable.Arn}/index/*"));
    expected.extend(allows(&key, KEY));
    let mut both: Vec<&str> = read.iter().chain(&write).copied().collect();
    both.sort_unstable();
    both.dedup();
    expected.extend(allows(&both, "${BothTable.Arn}"));
    assert_eq!(t.permissions("WorkerRole"), sorted(expected));
    assert!(t.may(
        "WorkerRole",
        "dynamodb:PutItem",
        "${OrdersTable.Arn}/index/byCustomer"
    ));
    assert!(!t.may("WorkerRole", "dynamodb:GetItem", "${OrdersTable.Arn}"));
    // derived definitions: every key once, sorted; the local index shares the partition key
    t.resource_properties_match(
        "OrdersTable",
        Match::object_like([
            (
                "AttributeDefinitions",
                Match::exact(json!([
                    {"AttributeName": "created", "AttributeType": "N"},
                    {"AttributeName": "customer", "AttributeType": "S"},
                    {"AttributeName": "id", "AttributeType": "S"},
                    {"AttributeName": "status", "AttributeType": "S"}
                ])),
            ),
            (
                "LocalSecondaryIndexes",
                Match::array_with([Match::object_like([(
                    "KeySchema",
                    Match::exact(json!([
                        {"AttributeName": "id", "KeyType": "HASH"},
                        {"AttributeName": "status", "KeyType": "RANGE"}
                    ])),
                )])]),
            ),
        ]),
    )?;
    Ok(())
}

#[test]
fn provisioned_billing_is_typed_and_reaches_the_indexes() -> TestResult {
    let (_, t) = synth(|s, _| {
        s.construct(
            "Orders",
            Table::new(Key::string("id"))
                .billing(Billing::Provisioned { read: 5, write: 2 })
                .global_index(GlobalIndex::new("byCustomer", Key::string("customer"))),
        )?;
        Ok(())
    })?;
    let throughput = json!({"ReadCapacityUnits": 5, "WriteCapacityUnits": 2});
    t.resource_properties_match(
        "OrdersTable",
        Match::object_like([
            ("BillingMode", Match::from("PROVISIONED")),
            ("ProvisionedThroughput", Match::exact(throughput.clone())),
            (
                "GlobalSecondaryIndexes",
                Match::array_with([Match::object_like([(
                    "ProvisionedThroughput",
                    Match::exact(throughput),
                )])]),
            ),
        ]),
    )?;
    Ok(())
}

#[test]
fn queue_grants() -> TestResult {
    let (_, t) = synth(|s, w| {
        let jobs = s.construct("Jobs", Queue::new())?;
        jobs.grant_send(s, w)?;
        let secret = s.construct(
            "Secret",
            Queue::new().encryption(QueueEncryption::Kms(Value::from(KEY))),
        )?;
        secret.grant_consume(s, w)?;
        secret.grant_purge(s, w)?;
        Ok(())
    })?;
    let mut expected = allows(
        &[
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
            "sqs:SendMessage",
        ],
        "${JobsQueue.Arn}",
    );
    expected.extend(allows(
        &[
            "sqs:ChangeMessageVisibility",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
            "sqs:PurgeQueue",
            "sqs:ReceiveMessage",
        ],
        "${SecretQueue.Arn}",
    ));
    expected.extend(allows(&["kms:Decrypt"], KEY));
    assert_eq!(t.permissions("WorkerRole"), sorted(expected));
    t.has_resource_properties(
        "AWS::IAM::Policy",
        Match::object_like([(
            "PolicyName",
            Match::exact(json!("WorkerRoleSecretQueuePurgePolicy")),
        )]),
    )?;
    Ok(())
}

#[test]
fn topic_grant_and_customer_key() -> TestResult {
    let (_, t) = synth(|s, w| {
        let plain = s.construct("Plain", Topic::new())?;
        plain.grant_publish(s, w)?;
        let keyed = s.construct(
            "Keyed",
            Topic::new().encryption(TopicEncryption::Kms(Value::from(KEY))),
        )?;
        keyed.grant_publish(s, w)?;
        Ok(())
    })?;
    let mut expected = vec![
        allow("sns:Publish", "${PlainTopic}"),
        allow("sns:Publish", "${KeyedTopic}"),
    ];
    expected.extend(allows(&["kms:Decrypt", "kms:GenerateDataKey"], KEY));
    assert_eq!(t.permissions("WorkerRole"), sorted(expected));
    Ok(())
}

#[test]
fn bucket_grants_separate_objects_from_the_bucket() -> TestResult {
    let grants: [(&str, BucketGrant); 6] = [
        ("read", |b, s, w| b.grant_read(s, w)),
        ("write", |b, s, w| b.grant_write(s, w)),
        ("read_write", |b, s, w| b.grant_read_write(s, w)),
        ("put", |b, s, w| b.grant_put(s, w)),
        ("get", |b, s, w| b.grant_get(s, w)),
        ("delete", |b, s, w| b.grant_delete(s, w)),
    ];
    let objects = "${ReceiptsBucket.Arn}/*";
    let bucket = "${ReceiptsBucket.Arn}";
    for (name, f) in grants {
        for kms in [false, true] {
            let (_, t) = synth(|s, w| {
                let mut b = Bucket::new();
                if kms {
                    b = b.encryption(BucketEncryption::Kms(Value::from(KEY)));
                }
                let b = s.construct("Receipts", b)?;
                f(&b, s, w)?;
                Ok(())
            })?;
            let mut expected = match name {
                "read" => {
                    let mut v = allows(&["s3:GetObject"], objects);
                    v.push(allow("s3:ListBucket", bucket));
                    v
                }
                "write" => allows(
                    &["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:PutObject"],
                    objects,
                ),
                "read_write" => {
                    let mut v = allows(
                        &[
                            "s3:AbortMultipartUpload",
                            "s3:DeleteObject",
                            "s3:GetObject",
                            "s3:PutObject",
                        ],
                        objects,
                    );
                    v.push(allow("s3:ListBucket", bucket));
                    v
                }
                "put" => allows(&["s3:AbortMultipartUpload", "s3:PutObject"], objects),
                "get" => allows(&["s3:GetObject"], objects),
                _ => allows(&["s3:DeleteObject"], objects),
            };
            if kms {
                expected.extend(match name {
                    "read" | "get" => allows(&["kms:Decrypt"], KEY),
                    "delete" => Vec::new(),
                    _ => allows(&["kms:Decrypt", "kms:GenerateDataKey"], KEY),
                });
            }
            assert_eq!(
                t.permissions("WorkerRole"),
                sorted(expected),
                "grant_{name}, kms {kms}"
            );
        }
    }
    Ok(())
}

fn build_error(
    f: impl FnOnce(&mut Scope<'_>) -> Result<(), cloudwright_core::Error>,
) -> Result<cloudwright_core::Error, Box<dyn std::error::Error>> {
    let app = App::new();
    let mut stack = app.stack("Data")?;
    match f(&mut stack) {
        Ok(()) => Err("the build should fail".into()),
        Err(e) => Ok(e),
    }
}

#[test]
fn a_key_with_two_types_is_refused_naming_both_places() -> TestResult {
    let err = build_error(|s| {
        s.construct(
            "Orders",
            Table::new(Key::string("id")).global_index(GlobalIndex::new("byId", Key::number("id"))),
        )?;
        Ok(())
    })?;
    assert_eq!(
        err.downcast_ref::<Error>(),
        Some(&Error::ConflictingAttributeType {
            attribute: "id".into(),
            first: "S",
            first_where: "the table's partition key".into(),
            second: "N",
            second_where: "index `byId`'s partition key".into(),
        })
    );
    assert!(err.to_string().contains("Orders"), "{err}");
    Ok(())
}

#[test]
fn a_local_index_needs_a_sort_key() -> TestResult {
    let err = build_error(|s| {
        s.construct(
            "Orders",
            Table::new(Key::string("id"))
                .local_index(LocalIndex::new("byDate", Key::string("date"))),
        )?;
        Ok(())
    })?;
    assert_eq!(
        err.downcast_ref::<Error>(),
        Some(&Error::LocalIndexWithoutSortKey("byDate".into()))
    );
    Ok(())
}

#[test]
fn queue_settings_out_of_range_are_refused() -> TestResult {
    let err = build_error(|s| {
        s.construct(
            "Jobs",
            Queue::new().visibility_timeout(Duration::from_secs(50_000)),
        )?;
        Ok(())
    })?;
    assert!(
        matches!(
            err.downcast_ref::<Error>(),
            Some(Error::DurationOutOfRange {
                setting: "visibility_timeout",
                ..
            })
        ),
        "{err}"
    );
    let err = build_error(|s| {
        s.construct(
            "Jobs",
            Queue::new().visibility_timeout(Duration::from_millis(1500)),
        )?;
        Ok(())
    })?;
    assert!(
        matches!(
            err.downcast_ref::<Error>(),
            Some(Error::DurationOutOfRange { .. })
        ),
        "{err}"
    );
    let err = build_error(|s| {
        let dlq = s.construct("Failed", Queue::new())?;
        s.construct(
            "Jobs",
            Queue::new().dead_letter_queue(DeadLetterQueue {
                queue: &dlq,
                max_receive_count: 0,
            }),
        )?;
        Ok(())
    })?;
    assert!(
        matches!(
            err.downcast_ref::<Error>(),
            Some(Error::OutOfRange {
                setting: "max_receive_count",
                ..
            })
        ),
        "{err}"
    );
    let err = build_error(|s| {
        let dlq = s.construct("Failed", Queue::new())?;
        s.construct(
            "Jobs",
            Queue::new().fifo().dead_letter_queue(DeadLetterQueue {
                queue: &dlq,
                max_receive_count: 3,
            }),
        )?;
        Ok(())
    })?;
    assert!(
        matches!(
            err.downcast_ref::<Error>(),
            Some(Error::DeadLetterQueueKind { .. })
        ),
        "{err}"
    );
    Ok(())
}

#[test]
fn a_grant_reaches_a_table_of_another_stack_through_an_import() -> TestResult {
    let app = App::new();
    let mut data = app.stack("Data")?;
    let orders = data.construct(
        "Orders",
        Table::new(Key::string("id"))
            .global_index(GlobalIndex::new("byCustomer", Key::string("c"))),
    )?;
    let mut service = app.stack("Service")?;
    let worker = worker(&mut service)?;
    orders.grant_read_data(&mut service, &worker)?;
    drop((data, service));
    let assembly = app.synth()?;
    for stack in &assembly.stacks {
        assert_lint_clean_informational(&stack.id, &stack.template);
    }
    let t = Template::from_stack(&assembly, "Service")?;
    let policy = t.resource("WorkerRoleOrdersTableReadDataPolicy")?;
    let text = policy.to_string();
    assert!(text.contains("Fn::ImportValue"), "{text}");
    Ok(())
}
