//! The checks cloudwright makes beyond the resource schemas (IAM policy documents, DynamoDB
//! keys and billing mode) and the schema keywords that need cfn-lint's semantics (`anyOf`/
//! `oneOf` of typed strings and of union objects, `enumCaseInsensitive`, `patternProperties`,
//! `prefixItems`), case by case against cfn-lint itself: every case is run through the
//! generated type's `Resource::check` and, as a one-resource template, through cfn-lint, and
//! the two verdicts must be the expected one. The cases where cloudwright refuses what
//! cfn-lint accepts are marked `beyond`: they fail at deploy, which cfn-lint does not know.
//! Below those, cfn-lint's region-keyed values (instance types per region): refused at synth
//! in a stack of a region that does not offer them, and in agreement with cfn-lint run with
//! `--regions` of the stack's region.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::path::PathBuf;

use cloudwright_core::{Resource, Value, Violation};
use cloudwright_resources::{dynamodb, iam, s3};
use serde_json::json;

struct Case {
    name: &'static str,
    type_name: &'static str,
    properties: serde_json::Value,
    /// `None`: accepted; `Some(path)`: refused at this property path.
    refused_at: Option<&'static str>,
    /// Refused by cloudwright, accepted by cfn-lint (a deploy-time failure cfn-lint misses).
    beyond: bool,
}

fn policy(statement: serde_json::Value) -> serde_json::Value {
    json!({
        "PolicyName": "p",
        "Roles": ["r"],
        "PolicyDocument": {"Version": "2012-10-17", "Statement": statement}
    })
}

fn bucket_policy(statement: serde_json::Value) -> serde_json::Value {
    json!({
        "Bucket": "b",
        "PolicyDocument": {"Version": "2012-10-17", "Statement": statement}
    })
}

fn table(extra: serde_json::Value) -> serde_json::Value {
    let mut t = json!({
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]
    });
    if let (Some(t), Some(extra)) = (t.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            t.insert(k.clone(), v.clone());
        }
    }
    t
}

fn with(mut base: serde_json::Value, extra: serde_json::Value) -> serde_json::Value {
    if let (Some(b), Some(extra)) = (base.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            b.insert(k.clone(), v.clone());
        }
    }
    base
}

fn redshift(extra: serde_json::Value) -> serde_json::Value {
    with(
        json!({"ClusterType": "single-node", "DBName": "app", "MasterUsername": "admin",
            "NodeType": "ra3.large"}),
        extra,
    )
}

fn broker(extra: serde_json::Value) -> serde_json::Value {
    with(
        json!({"BrokerName": "b", "DeploymentMode": "SINGLE_INSTANCE", "EngineType": "ACTIVEMQ",
            "HostInstanceType": "mq.t3.micro", "PubliclyAccessible": false}),
        extra,
    )
}

fn lattice(definition: serde_json::Value) -> serde_json::Value {
    json!({"Name": "cfg", "ResourceConfigurationType": "SINGLE",
        "ResourceConfigurationDefinition": definition})
}

fn function(variables: serde_json::Value) -> serde_json::Value {
    json!({"Code": {"ZipFile": "x"}, "Runtime": "python3.12", "Handler": "index.h",
        "Role": "arn:aws:iam::123456789012:role/a", "Environment": {"Variables": variables}})
}

const ARN: &str = "arn:aws:dynamodb:us-east-1:123456789012:table/orders";

fn cases() -> Vec<Case> {
    let c = |name, type_name, properties, refused_at| Case {
        name,
        type_name,
        properties,
        refused_at,
        beyond: false,
    };
    let allow = |action: &str| json!([{"Effect": "Allow", "Action": [action], "Resource": ARN}]);
    vec![
        c(
            "policy_ok",
            "AWS::IAM::Policy",
            policy(allow("dynamodb:GetItem")),
            None,
        ),
        c(
            "policy_wildcard_ok",
            "AWS::IAM::Policy",
            policy(allow("dynamodb:Get*")),
            None,
        ),
        c(
            "action_that_does_not_exist",
            "AWS::IAM::Policy",
            policy(allow("dynamodb:GetItems")),
            Some("PolicyDocument/Statement/0/Action/0"),
        ),
        c(
            "wildcard_matching_nothing",
            "AWS::IAM::Policy",
            policy(allow("dynamodb:Fetch*")),
            Some("PolicyDocument/Statement/0/Action/0"),
        ),
        c(
            "unknown_service",
            "AWS::IAM::Policy",
            policy(allow("dynamo:GetItem")),
            Some("PolicyDocument/Statement/0/Action/0"),
        ),
        c(
            "principal_in_identity_policy",
            "AWS::IAM::Policy",
            policy(
                json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Principal": "*"}]),
            ),
            Some("PolicyDocument/Statement/0/Principal"),
        ),
        c(
            "missing_effect",
            "AWS::IAM::Policy",
            policy(json!([{"Action": "s3:GetObject", "Resource": "*"}])),
            Some("PolicyDocument/Statement/0/Effect"),
        ),
        c(
            "lowercase_effect",
            "AWS::IAM::Policy",
            policy(json!([{"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}])),
            Some("PolicyDocument/Statement/0/Effect"),
        ),
        c(
            "action_and_not_action",
            "AWS::IAM::Policy",
            policy(
                json!([{"Effect": "Allow", "Action": "s3:GetObject", "NotAction": "s3:PutObject", "Resource": "*"}]),
            ),
            Some("PolicyDocument/Statement/0/NotAction"),
        ),
        c(
            "resource_not_an_arn",
            "AWS::IAM::Policy",
            policy(
                json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "bucket/key"}]),
            ),
            Some("PolicyDocument/Statement/0/Resource"),
        ),
        c(
            "unknown_condition_operator",
            "AWS::IAM::Policy",
            policy(
                json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                "Condition": {"StringEqual": {"aws:SourceAccount": "123456789012"}}}]),
            ),
            Some("PolicyDocument/Statement/0/Condition/StringEqual"),
        ),
        c(
            "duplicate_sid",
            "AWS::IAM::Policy",
            policy(json!([
                {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                {"Sid": "A", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}])),
            Some("PolicyDocument/Statement/1/Sid"),
        ),
        c(
            "bad_version",
            "AWS::IAM::Policy",
            json!({"PolicyName": "p", "Roles": ["r"], "PolicyDocument": {"Version": "2012-10-18",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}),
            Some("PolicyDocument/Version"),
        ),
        c(
            "trust_ok",
            "AWS::IAM::Role",
            json!({"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}),
            None,
        ),
        c(
            "trust_with_resource",
            "AWS::IAM::Role",
            json!({"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": "*"}]}}),
            Some("AssumeRolePolicyDocument/Statement/0/Resource"),
        ),
        c(
            "inline_policy_of_a_role",
            "AWS::IAM::Role",
            json!({"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                "Policies": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "sqs:SendMessages", "Resource": "*"}]}}]}),
            Some("Policies/0/PolicyDocument/Statement/0/Action"),
        ),
        c(
            "bucket_policy_ok",
            "AWS::S3::BucketPolicy",
            bucket_policy(
                json!([{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                "Resource": "arn:aws:s3:::b/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]),
            ),
            None,
        ),
        c(
            "bucket_policy_other_service",
            "AWS::S3::BucketPolicy",
            bucket_policy(
                json!([{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
                "Resource": "arn:aws:s3:::b/*"}]),
            ),
            Some("PolicyDocument/Statement/0/Action"),
        ),
        c(
            "bucket_policy_without_principal",
            "AWS::S3::BucketPolicy",
            bucket_policy(
                json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]),
            ),
            Some("PolicyDocument/Statement/0"),
        ),
        c("table_ok", "AWS::DynamoDB::Table", table(json!({})), None),
        c(
            "table_with_index_ok",
            "AWS::DynamoDB::Table",
            table(json!({
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "N"}, {"AttributeName": "g", "AttributeType": "S"}],
                "GlobalSecondaryIndexes": [{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"}}]
            })),
            None,
        ),
        c(
            "key_type_partition",
            "AWS::DynamoDB::Table",
            table(json!({"KeySchema": [{"AttributeName": "pk", "KeyType": "PARTITION"}]})),
            Some("KeySchema/0/KeyType"),
        ),
        c(
            "range_key_first",
            "AWS::DynamoDB::Table",
            table(json!({
                "KeySchema": [{"AttributeName": "pk", "KeyType": "RANGE"}, {"AttributeName": "sk", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}]
            })),
            Some("KeySchema/0/KeyType"),
        ),
        c(
            "attribute_definitions_missing_a_key",
            "AWS::DynamoDB::Table",
            table(json!({"AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]})),
            Some("AttributeDefinitions"),
        ),
        // anyOf of typed strings: a KMS key as ARN, id or alias
        c(
            "kms_key_in_none_of_its_forms",
            "AWS::Redshift::Cluster",
            redshift(json!({"KmsKeyId": "xyz"})),
            Some("KmsKeyId"),
        ),
        c(
            "kms_key_as_an_alias",
            "AWS::Redshift::Cluster",
            redshift(json!({"KmsKeyId": "alias/app"})),
            None,
        ),
        // an enum or patterns in any case, with enumCaseInsensitive beside them
        c(
            "mq_deployment_mode_with_dashes",
            "AWS::AmazonMQ::Broker",
            broker(json!({"DeploymentMode": "CLUSTER-MULTI-AZ"})),
            Some("DeploymentMode"),
        ),
        c(
            "mq_modes_in_any_case",
            "AWS::AmazonMQ::Broker",
            broker(json!({"DeploymentMode": "cluster_multi_az", "EngineType": "ActiveMQ"})),
            None,
        ),
        // oneOf of patterns
        c(
            "global_cluster_source_of_neither_form",
            "AWS::RDS::GlobalCluster",
            json!({"SourceDBClusterIdentifier": "my_cluster!"}),
            Some("SourceDBClusterIdentifier"),
        ),
        c(
            "global_cluster_source_arn",
            "AWS::RDS::GlobalCluster",
            json!({"SourceDBClusterIdentifier": "arn:aws:rds:us-east-1:123456789012:cluster:abc"}),
            None,
        ),
        // enumCaseInsensitive alone
        c(
            "batch_log_driver_in_any_case",
            "AWS::Batch::JobDefinition",
            json!({"Type": "container", "ContainerProperties": {"Image": "x",
                "LogConfiguration": {"LogDriver": "AwsLogs"}}}),
            None,
        ),
        c(
            "batch_log_driver_unknown",
            "AWS::Batch::JobDefinition",
            json!({"Type": "container", "ContainerProperties": {"Image": "x",
                "LogConfiguration": {"LogDriver": "cloudwatch"}}}),
            Some("ContainerProperties/LogConfiguration/LogDriver"),
        ),
        // union objects (oneOf of closed objects)
        c(
            "union_object_ok",
            "AWS::VpcLattice::ResourceConfiguration",
            lattice(json!({"IpResource": "10.0.0.1"})),
            None,
        ),
        c(
            "union_object_typo",
            "AWS::VpcLattice::ResourceConfiguration",
            lattice(json!({"IpResourse": "10.0.0.1"})),
            Some("ResourceConfigurationDefinition"),
        ),
        c(
            "union_object_two_forms",
            "AWS::VpcLattice::ResourceConfiguration",
            lattice(
                json!({"IpResource": "10.0.0.1", "ArnResource": "arn:aws:rds:us-east-1:123456789012:db:x"}),
            ),
            Some("ResourceConfigurationDefinition"),
        ),
        c(
            "union_object_valid_under_each",
            "AWS::IoTFleetWise::SignalCatalog",
            json!({"Nodes": [{}]}),
            Some("Nodes/0"),
        ),
        c(
            "union_object_branch",
            "AWS::IoTFleetWise::SignalCatalog",
            json!({"Nodes": [{"Branch": {"FullyQualifiedName": "a.b"}}]}),
            None,
        ),
        // patternProperties: map keys
        c(
            "environment_variable_name_not_matching",
            "AWS::Lambda::Function",
            function(json!({"1": "x"})),
            Some("Environment/Variables/1"),
        ),
        c(
            "environment_variable_names_matching",
            "AWS::Lambda::Function",
            function(json!({"TABLE_NAME": "x", "_a1": "y", "LIST": ["x"]})),
            None,
        ),
        c(
            "custom_resource_properties_of_its_own",
            "AWS::CloudFormation::CustomResource",
            json!({"ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "Flag": true, "Nested": {"a": [1]}}),
            None,
        ),
        // prefixItems beyond DynamoDB::Table's own rule: a global table's key schema
        c(
            "global_table_range_key_first",
            "AWS::DynamoDB::GlobalTable",
            json!({"Replicas": [{"Region": "us-east-1"}], "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "RANGE"},
                    {"AttributeName": "sk", "KeyType": "HASH"}]}),
            Some("KeySchema/0/KeyType"),
        ),
        c(
            "global_table_ok",
            "AWS::DynamoDB::GlobalTable",
            json!({"Replicas": [{"Region": "us-east-1"}], "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}),
            None,
        ),
        // cfn-lint's extension schemas (if/then, `false`), compiled at codegen
        c(
            "pay_per_request_with_throughput",
            "AWS::DynamoDB::Table",
            table(
                json!({"ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}),
            ),
            Some("ProvisionedThroughput"),
        ),
        c(
            "provisioned_without_throughput",
            "AWS::DynamoDB::Table",
            table(json!({"BillingMode": "PROVISIONED"})),
            Some("ProvisionedThroughput"),
        ),
        c(
            "icmp_port_range_half_open",
            "AWS::EC2::SecurityGroup",
            json!({"GroupDescription": "d", "SecurityGroupIngress": [{"IpProtocol": "icmp",
                "FromPort": -1, "ToPort": 80, "CidrIp": "10.0.0.0/8"}]}),
            Some("SecurityGroupIngress/0/ToPort"),
        ),
        c(
            "icmp_all",
            "AWS::EC2::SecurityGroup",
            json!({"GroupDescription": "d", "SecurityGroupIngress": [{"IpProtocol": "icmp",
                "FromPort": -1, "ToPort": -1, "CidrIp": "10.0.0.0/8"}]}),
            None,
        ),
        c(
            "ingress_port_range_half_open",
            "AWS::EC2::SecurityGroupIngress",
            json!({"GroupId": "sg-12345678", "IpProtocol": "tcp", "FromPort": -1, "ToPort": 80,
                "CidrIp": "10.0.0.0/8"}),
            Some("ToPort"),
        ),
        c(
            "db_instance_engine_version_ok",
            "AWS::RDS::DBInstance",
            json!({"Engine": "mysql", "EngineVersion": "8.0.40", "DBInstanceClass": "db.t3.micro",
                "AllocatedStorage": "20", "MasterUsername": "admin", "ManageMasterUserPassword": true}),
            None,
        ),
        c(
            "db_instance_engine_version_unknown",
            "AWS::RDS::DBInstance",
            json!({"Engine": "mysql", "EngineVersion": "5.1", "DBInstanceClass": "db.t3.micro",
                "AllocatedStorage": "20", "MasterUsername": "admin", "ManageMasterUserPassword": true}),
            Some("EngineVersion"),
        ),
        c(
            "db_cluster_engine_version_ok",
            "AWS::RDS::DBCluster",
            json!({"Engine": "aurora-postgresql", "EngineVersion": "16.6", "MasterUsername": "admin",
                "ManageMasterUserPassword": true}),
            None,
        ),
        c(
            "db_cluster_engine_version_unknown",
            "AWS::RDS::DBCluster",
            json!({"Engine": "aurora-postgresql", "EngineVersion": "9.9", "MasterUsername": "admin",
                "ManageMasterUserPassword": true}),
            Some("EngineVersion"),
        ),
        c(
            "cache_cluster_engine_version_ok",
            "AWS::ElastiCache::CacheCluster",
            json!({"Engine": "redis", "EngineVersion": "7.1", "CacheNodeType": "cache.t3.micro",
                "NumCacheNodes": 1}),
            None,
        ),
        c(
            "cache_cluster_engine_version_unknown",
            "AWS::ElastiCache::CacheCluster",
            json!({"Engine": "redis", "EngineVersion": "1.0", "CacheNodeType": "cache.t3.micro",
                "NumCacheNodes": 1}),
            Some("EngineVersion"),
        ),
        c(
            "fifo_queue_deduplication",
            "AWS::SQS::Queue",
            json!({"FifoQueue": true, "QueueName": "q.fifo", "ContentBasedDeduplication": true}),
            None,
        ),
        c(
            "standard_queue_deduplication",
            "AWS::SQS::Queue",
            json!({"ContentBasedDeduplication": true}),
            Some("ContentBasedDeduplication"),
        ),
        c(
            "application_load_balancer_in_one_subnet",
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            json!({"Type": "application", "Subnets": ["subnet-12345678"]}),
            Some("Subnets"),
        ),
        c(
            "application_load_balancer_in_two_subnets",
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            json!({"Type": "application", "Subnets": ["subnet-12345678", "subnet-87654321"]}),
            None,
        ),
        c(
            "network_load_balancer_in_one_subnet",
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            json!({"Type": "network", "Subnets": ["subnet-12345678"]}),
            None,
        ),
        c(
            "inline_code_without_runtime",
            "AWS::Lambda::Function",
            json!({"Code": {"ZipFile": "x"}, "Handler": "index.h",
                "Role": "arn:aws:iam::123456789012:role/a"}),
            Some("Runtime"),
        ),
        c(
            "image_function_with_handler",
            "AWS::Lambda::Function",
            json!({"Code": {"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/r:latest"},
                "PackageType": "Image", "Handler": "index.h",
                "Role": "arn:aws:iam::123456789012:role/a"}),
            Some("Handler"),
        ),
        c(
            "image_function",
            "AWS::Lambda::Function",
            json!({"Code": {"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/r:latest"},
                "PackageType": "Image", "Role": "arn:aws:iam::123456789012:role/a"}),
            None,
        ),
        c(
            "bucket_acl_without_ownership_controls",
            "AWS::S3::Bucket",
            json!({"AccessControl": "PublicRead"}),
            Some("OwnershipControls"),
        ),
        Case {
            name: "billing_mode_on_demand",
            type_name: "AWS::DynamoDB::Table",
            properties: table(json!({"BillingMode": "ON_DEMAND"})),
            refused_at: Some("BillingMode"),
            beyond: true,
        },
    ]
}

fn check(type_name: &str, properties: &Value) -> Result<(), Violation> {
    match type_name {
        "AWS::IAM::Policy" => <iam::Policy as Resource>::check(properties),
        "AWS::IAM::Role" => <iam::Role as Resource>::check(properties),
        "AWS::S3::BucketPolicy" => <s3::BucketPolicy as Resource>::check(properties),
        "AWS::DynamoDB::Table" => <dynamodb::Table as Resource>::check(properties),
        other => cloudwright_resources::check_properties(other, properties)
            .unwrap_or_else(|| panic!("{other} is not compiled in")),
    }
}

#[test]
fn policy_and_table_rules_agree_with_cfn_lint() {
    let dir = cloudwright_tests::TempDir::new("rules");
    let cases = cases();
    let mut files: Vec<PathBuf> = Vec::new();
    for case in &cases {
        let resource = json!({"Type": case.type_name, "Properties": case.properties,
            "DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete"});
        let template = json!({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {"R": resource}
        });
        let file = dir.path().join(format!("{}.template.json", case.name));
        std::fs::write(&file, serde_json::to_string_pretty(&template).unwrap()).unwrap();
        files.push(file);
    }
    let refs: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).collect();
    let findings = cloudwright_tests::cfn_lint_files(&refs);
    let mut disagreements = Vec::new();
    for (case, file) in cases.iter().zip(&files) {
        let ours = check(case.type_name, &Value::from_json(&case.properties));
        let lint: Vec<&String> = findings
            .iter()
            .filter(|l| l.starts_with(&format!("{}:", file.display())))
            .collect();
        match (&ours, case.refused_at) {
            (Ok(()), None) => {}
            (Err(v), Some(path)) if v.property == path => {}
            _ => disagreements.push(format!(
                "{}: cloudwright said {ours:?}, expected refusal at {:?}",
                case.name, case.refused_at
            )),
        }
        let lint_refuses = !lint.is_empty();
        let lint_expected = case.refused_at.is_some() && !case.beyond;
        if lint_refuses != lint_expected {
            disagreements.push(format!(
                "{}: cfn-lint {} (expected {}): {lint:?}",
                case.name,
                if lint_refuses { "refused" } else { "accepted" },
                if lint_expected {
                    "a refusal"
                } else {
                    "acceptance"
                },
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// What a user sees: the stack, the resource, the path, the value and the fix.
#[test]
fn an_action_that_does_not_exist_is_refused_at_synth_with_the_nearest_one_named() {
    let app = cloudwright_core::App::new();
    let mut stack = app.stack("Orders").unwrap();
    let doc = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["dynamodb:GetItems"], "Resource": ARN}]});
    stack
        .add(
            "Reader",
            iam::Policy::new(iam::PolicyRequired {
                policy_document: doc.into(),
                policy_name: "reader".into(),
            })
            .roles(vec!["r"]),
        )
        .unwrap();
    let err = app.synth().unwrap_err().to_string();
    for part in [
        "Reader",
        "PolicyDocument/Statement/0/Action/0",
        "\"dynamodb:GetItems\"",
        "has no action `getitems`",
        "did you mean dynamodb:getitem?",
    ] {
        assert!(err.contains(part), "{part:?} not in {err}");
    }
}

// ---- region-keyed values (cfn-lint's CfnLintJsonSchemaRegional rules), checked at synth with
// the stack's region by `Resource::check_region`

/// A resource of a generated type `T` built from JSON properties: synthesis runs `T`'s
/// checks (schema and region) on them, as on the typed struct.
struct As<T>(&'static str, serde_json::Value, std::marker::PhantomData<T>);

fn as_type<T: Resource>(type_name: &'static str, properties: serde_json::Value) -> As<T> {
    As(type_name, properties, std::marker::PhantomData)
}

impl<T: Resource> cloudwright_core::ToValue for As<T> {
    fn to_value(&self) -> Value {
        Value::from_json(&self.1)
    }
}

impl<T: Resource> Resource for As<T> {
    type Attributes = cloudwright_core::RawAttributes;
    fn type_name(&self) -> &str {
        self.0
    }
    fn check(properties: &Value) -> Result<(), Violation> {
        T::check(properties)
    }
    fn check_region(properties: &Value, region: Option<&str>) -> Result<(), Violation> {
        T::check_region(properties, region)
    }
}

/// Synthesizes one resource in a stack of `region` (`None`: no region): the violation, or
/// the template.
fn synth_in<T: Resource>(
    region: Option<&str>,
    resource: As<T>,
) -> Result<String, Box<cloudwright_core::ResourceViolation>> {
    let app = cloudwright_core::App::new();
    let props = match region {
        Some(r) => cloudwright_core::StackProps::new().region(r),
        None => cloudwright_core::StackProps::new(),
    };
    let mut stack = app.stack_with("Regional", props).unwrap();
    stack.add("R", resource).unwrap();
    match app.synth() {
        Ok(assembly) => Ok(assembly.stacks[0].template.clone()),
        Err(cloudwright_core::Error::Constraint(v)) => Err(v),
        Err(e) => panic!("{e}"),
    }
}

fn mq(host: &str) -> serde_json::Value {
    broker(json!({"HostInstanceType": host}))
}

fn db(engine: &str, class: &str, license: Option<&str>) -> serde_json::Value {
    let mut p = json!({"Engine": engine, "DBInstanceClass": class, "AllocatedStorage": "20",
        "MasterUsername": "admin", "ManageMasterUserPassword": true});
    if let Some(l) = license {
        p["LicenseModel"] = json!(l);
    }
    p
}

/// The issue's example. cfn-lint 1.51.0's E3628 data lists the same 1,338 EC2 instance
/// types for each of its 38 regions, so no EC2 type is offered in one region and not in
/// another there; and the EC2 schema's own enum (1,212 types) refuses a misspelling first.
/// What E3628 adds on EC2: the 7 types the schema lists and no region offers any more
/// (`cc1.4xlarge`), refused in every region. The region-dependent case is shown on Amazon MQ
/// (E3670), whose data does differ by region.
#[test]
fn an_instance_type_not_offered_in_the_stack_s_region_is_refused_at_synth() {
    use cloudwright_resources::{amazonmq, ec2};
    let ec2 = |t: &str| as_type::<ec2::Instance>("AWS::EC2::Instance", json!({"InstanceType": t}));
    assert!(synth_in(Some("eu-south-2"), ec2("t3.micro")).is_ok());
    let v = synth_in(Some("eu-south-2"), ec2("cc1.4xlarge")).unwrap_err();
    let text = v.to_string();
    for part in [
        "resource `R`",
        "property `InstanceType`",
        "\"cc1.4xlarge\"",
        "cfn-lint E3628",
        "not offered in eu-south-2 nor in any other region",
    ] {
        assert!(text.contains(part), "{part:?} not in {text}");
    }
    assert!(
        synth_in(None, ec2("cc1.4xlarge")).is_err(),
        "offered nowhere"
    );

    // mq.m7i.large: only ap-east-2 and ap-southeast-6; mq.m5.large: everywhere but those
    let broker = |t: &str| as_type::<amazonmq::Broker>("AWS::AmazonMQ::Broker", mq(t));
    assert!(synth_in(Some("ap-east-2"), broker("mq.m7i.large")).is_ok());
    let v = synth_in(Some("us-east-1"), broker("mq.m7i.large")).unwrap_err();
    assert_eq!(
        (v.violation.property.as_str(), v.violation.value.as_str()),
        ("HostInstanceType", "\"mq.m7i.large\"")
    );
    assert_eq!(
        v.violation.constraint,
        "cfn-lint E3670 (Validate the instance types for an AmazonMQ Broker): not offered in \
         us-east-1; offered in 2 of the 38 regions with data: ap-east-2, ap-southeast-6"
    );
    assert!(synth_in(Some("us-east-1"), broker("mq.m5.large")).is_ok());
    assert!(synth_in(Some("ap-east-2"), broker("mq.m5.large")).is_err());

    // no region: only what no region offers is refused; a region cfn-lint has no data for
    // (or does not know) accepts everything
    assert!(synth_in(None, broker("mq.m7i.large")).is_ok());
    let v = synth_in(None, broker("mq.m7i.lrage")).unwrap_err();
    assert!(
        v.violation.constraint.ends_with(
            "the stack has no region, and the value is not offered in any region; did you \
             mean \"mq.m7i.large\"?"
        ),
        "{}",
        v.violation.constraint
    );
    assert!(synth_in(Some("xx-nowhere-1"), broker("mq.m7i.lrage")).is_ok());
}

#[test]
fn an_rds_instance_class_is_checked_against_the_engine_s_classes_in_the_region() {
    use cloudwright_resources::rds::DbInstance;
    let rds = |p| as_type::<DbInstance>("AWS::RDS::DBInstance", p);
    // db.x2g.large for MySQL: eu-west-1 and the three US commercial regions but us-west-1
    assert!(synth_in(Some("us-east-1"), rds(db("mysql", "db.x2g.large", None))).is_ok());
    let v = synth_in(Some("ap-south-1"), rds(db("mysql", "db.x2g.large", None))).unwrap_err();
    assert_eq!(v.violation.property, "DBInstanceClass");
    assert!(
        v.violation.constraint.starts_with(
            "cfn-lint E3025 (Validates RDS DB Instance Class) for Engine \"mysql\" without \
             LicenseModel: not offered in ap-south-1; offered in 4 of the 38 regions with \
             data: eu-west-1, us-east-1, us-east-2, us-west-2"
        ),
        "{}",
        v.violation.constraint
    );
    // SQL Server Express runs on small classes only; MySQL on db.m5.large
    let ex = |class| db("sqlserver-ex", class, Some("license-included"));
    assert!(synth_in(Some("us-east-1"), rds(ex("db.t3.micro"))).is_ok());
    let v = synth_in(Some("us-east-1"), rds(ex("db.m5.large"))).unwrap_err();
    assert!(
        v.violation.constraint.contains(
            "for Engine \"sqlserver-ex\" and LicenseModel \"license-included\": not offered in \
             us-east-1 nor in any other region"
        ),
        "{}",
        v.violation.constraint
    );
    assert!(synth_in(Some("us-east-1"), rds(db("mysql", "db.m5.large", None))).is_ok());
    // an engine written as an intrinsic: no condition holds, nothing checked
    let mut by_ref = db("mysql", "db.x2g.large", None);
    by_ref["Engine"] = json!({"Ref": "AWS::StackName"});
    assert!(synth_in(Some("ap-south-1"), rds(by_ref)).is_ok());
}

/// For a handful of (type, region, value) samples, synthesis and cfn-lint `--regions <region>`
/// on the same template agree about the rule.
#[test]
fn region_checks_agree_with_cfn_lint_run_for_the_region() {
    use cloudwright_resources::{amazonmq, ec2, elasticache, rds, redshift};
    struct Sample {
        name: &'static str,
        type_name: &'static str,
        region: &'static str,
        properties: serde_json::Value,
        rule: &'static str,
    }
    let s = |name, type_name, region, properties, rule| Sample {
        name,
        type_name,
        region,
        properties,
        rule,
    };
    let cache = |t: &str| json!({"CacheNodeType": t, "Engine": "redis", "NumCacheNodes": 1});
    let samples = [
        s(
            "ec2_ok",
            "AWS::EC2::Instance",
            "eu-south-2",
            json!({"InstanceType": "t3.micro"}),
            "E3628",
        ),
        s(
            "ec2_retired",
            "AWS::EC2::Instance",
            "eu-south-2",
            json!({"InstanceType": "cc1.4xlarge"}),
            "E3628",
        ),
        s(
            "mq_m7i_us",
            "AWS::AmazonMQ::Broker",
            "us-east-1",
            mq("mq.m7i.large"),
            "E3670",
        ),
        s(
            "mq_m7i_ap",
            "AWS::AmazonMQ::Broker",
            "ap-east-2",
            mq("mq.m7i.large"),
            "E3670",
        ),
        s(
            "mq_m5_ap",
            "AWS::AmazonMQ::Broker",
            "ap-east-2",
            mq("mq.m5.large"),
            "E3670",
        ),
        s(
            "mq_t3_ap6",
            "AWS::AmazonMQ::Broker",
            "ap-southeast-6",
            mq("mq.t3.micro"),
            "E3670",
        ),
        s(
            "mq_t3_ca",
            "AWS::AmazonMQ::Broker",
            "ca-west-1",
            mq("mq.t3.micro"),
            "E3670",
        ),
        s(
            "rds_x2g_us",
            "AWS::RDS::DBInstance",
            "us-east-1",
            db("mysql", "db.x2g.large", None),
            "E3025",
        ),
        s(
            "rds_x2g_ap",
            "AWS::RDS::DBInstance",
            "ap-south-1",
            db("mysql", "db.x2g.large", None),
            "E3025",
        ),
        s(
            "rds_ex_m5",
            "AWS::RDS::DBInstance",
            "us-east-1",
            db("sqlserver-ex", "db.m5.large", Some("license-included")),
            "E3025",
        ),
        s(
            "rds_ex_t3",
            "AWS::RDS::DBInstance",
            "us-east-1",
            db("sqlserver-ex", "db.t3.micro", Some("license-included")),
            "E3025",
        ),
        s(
            "rds_gpl_x2g",
            "AWS::RDS::DBInstance",
            "ap-south-1",
            db("mysql", "db.x2g.large", Some("general-public-license")),
            "E3025",
        ),
        s(
            "rds_no_condition",
            "AWS::RDS::DBInstance",
            "ap-south-1",
            db("mysql", "db.x2g.large", Some("license-included")),
            "E3025",
        ),
        s(
            "cache_typo",
            "AWS::ElastiCache::CacheCluster",
            "eu-west-1",
            cache("cache.t3.mircro"),
            "E3647",
        ),
        s(
            "cache_ok",
            "AWS::ElastiCache::CacheCluster",
            "eu-west-1",
            cache("cache.t3.micro"),
            "E3647",
        ),
        s(
            "redshift_ok",
            "AWS::Redshift::Cluster",
            "sa-east-1",
            redshift(json!({})),
            "E3667",
        ),
        s(
            "redshift_typo",
            "AWS::Redshift::Cluster",
            "sa-east-1",
            redshift(json!({"NodeType": "ra3.lrage"})),
            "E3667",
        ),
    ];
    let dir = cloudwright_tests::TempDir::new("regions");
    let mut refused = 0;
    let mut verdicts = Vec::new();
    for sample in &samples {
        let p = sample.properties.clone();
        let t = sample.type_name;
        let r = Some(sample.region);
        let ours = match t {
            "AWS::EC2::Instance" => synth_in(r, as_type::<ec2::Instance>(t, p)),
            "AWS::AmazonMQ::Broker" => synth_in(r, as_type::<amazonmq::Broker>(t, p)),
            "AWS::RDS::DBInstance" => synth_in(r, as_type::<rds::DbInstance>(t, p)),
            "AWS::ElastiCache::CacheCluster" => {
                synth_in(r, as_type::<elasticache::CacheCluster>(t, p))
            }
            "AWS::Redshift::Cluster" => synth_in(r, as_type::<redshift::Cluster>(t, p)),
            other => panic!("{other}"),
        };
        // the template synthesis writes, the region check left out when it refused
        let template = match &ours {
            Ok(template) => template.clone(),
            Err(v) => {
                assert!(
                    v.violation.constraint.contains(sample.rule),
                    "{}: {v}",
                    sample.name
                );
                refused += 1;
                let raw = sample
                    .properties
                    .as_object()
                    .unwrap()
                    .iter()
                    .fold(cloudwright_core::RawResource::new(t), |raw, (k, v)| {
                        raw.property(k.as_str(), Value::from_json(v))
                    });
                let app = cloudwright_core::App::new();
                app.stack("Regional").unwrap().add("R", raw).unwrap();
                app.synth().unwrap().stacks[0].template.clone()
            }
        };
        let file = dir.path().join(format!("{}.template.json", sample.name));
        std::fs::write(&file, template).unwrap();
        verdicts.push((sample, file, ours.is_err()));
    }
    // one cfn-lint run per region
    let mut disagreements = Vec::new();
    let mut regions: Vec<&str> = samples.iter().map(|s| s.region).collect();
    regions.sort_unstable();
    regions.dedup();
    for region in regions {
        let here: Vec<_> = verdicts
            .iter()
            .filter(|(s, _, _)| s.region == region)
            .collect();
        let files: Vec<&std::path::Path> = here.iter().map(|(_, f, _)| f.as_path()).collect();
        let findings = cloudwright_testing::lint_files(&files, &["--regions", region])
            .unwrap_or_else(|e| panic!("{e}"));
        for (sample, file, synth_refuses) in here {
            let mine: Vec<&String> = findings
                .iter()
                .filter(|f| f.starts_with(&format!("{}:", file.display())))
                .collect();
            let lint_refuses = mine
                .iter()
                .any(|f| f.contains(&format!(":{}:", sample.rule)));
            if lint_refuses != *synth_refuses {
                disagreements.push(format!(
                    "{} ({} in {region}): synth {}, cfn-lint {}: {mine:?}",
                    sample.name,
                    sample.type_name,
                    if *synth_refuses {
                        "refused"
                    } else {
                        "accepted"
                    },
                    if lint_refuses { "refused" } else { "accepted" },
                ));
            }
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    assert_eq!(refused, 9, "the samples refused at synth");
}
