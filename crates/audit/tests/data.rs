//! Data and functions in the audit: buckets, queues, topics, tables and functions are
//! analyzed (public policies, ACLs, function URLs, permissions, encryption), IAM policies are
//! resolved to who may do what, each route shows its authorization, and deliberate exceptions
//! in `Metadata` silence the rules they name.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use cloudwright_audit::{
    Declaration, Kind, PublicResource, Severity, audit, audit_template, check, diff,
};
use serde_json::{Value, json};

/// What a stack of buckets, queues, topics, tables and functions holds, with one public bucket
/// policy, a public ACL, a NONE function URL, a permission for anyone, and roles with grants.
fn data_stack() -> Value {
    json!({"Resources": {
        "Receipts": {"Type": "AWS::S3::Bucket", "Properties": {
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true,
                "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": ["Key", "Arn"]}}}]}
        }},
        "ReceiptsPolicy": {"Type": "AWS::S3::BucketPolicy", "Properties": {
            "Bucket": {"Ref": "Receipts"},
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
                 "Resource": [{"Fn::GetAtt": ["Receipts", "Arn"]}, {"Fn::Sub": "${Receipts.Arn}/*"}],
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
            ]}
        }},
        "Website": {"Type": "AWS::S3::Bucket", "Properties": {"AccessControl": "PublicRead"}},
        "WebsitePolicy": {"Type": "AWS::S3::BucketPolicy", "Properties": {
            "Bucket": {"Ref": "Website"},
            "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                 "Resource": {"Fn::Sub": "${Website.Arn}/*"}}
            ]}
        }},
        "Orders": {"Type": "AWS::SQS::Queue", "Properties": {"KmsMasterKeyId": "alias/aws/sqs"}},
        "Plain": {"Type": "AWS::SQS::Queue", "Properties": {"SqsManagedSseEnabled": false}},
        "OrdersPolicy": {"Type": "AWS::SQS::QueuePolicy", "Properties": {
            "Queues": [{"Ref": "Orders"}],
            "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
                 "Resource": {"Fn::GetAtt": ["Orders", "Arn"]},
                 "Condition": {"ArnEquals": {"aws:SourceArn": {"Ref": "Events"}}}},
                {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                 "Resource": {"Fn::GetAtt": ["Orders", "Arn"]}}
            ]}
        }},
        "Events": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "EventsPolicy": {"Type": "AWS::SNS::TopicPolicy", "Properties": {
            "Topics": [{"Ref": "Events"}],
            "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": ["sns:Publish", "sns:Subscribe"],
                 "Resource": {"Ref": "Events"}}
            ]}
        }},
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
            "ResourcePolicy": {"PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "dynamodb:GetItem", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}
            ]}}
        }},
        "Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
             "Action": "kms:*", "Resource": "*"}
        ]}}},
        "Worker": {"Type": "AWS::Lambda::Function", "Properties": {
            "Role": {"Fn::GetAtt": ["WorkerRole", "Arn"]}, "Code": {"ZipFile": "x"},
            "Handler": "index.handler", "Runtime": "python3.12"}},
        "WorkerUrl": {"Type": "AWS::Lambda::Url", "Properties": {"AuthType": "NONE",
            "TargetFunctionArn": {"Fn::GetAtt": ["Worker", "Arn"]}}},
        "WorkerUrlPermission": {"Type": "AWS::Lambda::Permission", "Properties": {
            "Action": "lambda:InvokeFunctionUrl", "FunctionName": {"Ref": "Worker"},
            "Principal": "*", "FunctionUrlAuthType": "NONE"}},
        "AnyoneMayInvoke": {"Type": "AWS::Lambda::Permission", "Properties": {
            "Action": "lambda:InvokeFunction", "FunctionName": {"Fn::GetAtt": ["Worker", "Arn"]}, "Principal": "*"}},
        "FromS3": {"Type": "AWS::Lambda::Permission", "Properties": {
            "Action": "lambda:InvokeFunction", "FunctionName": {"Ref": "Worker"}, "Principal": "s3.amazonaws.com"}},
        "Trigger": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
            "FunctionName": {"Ref": "Worker"}, "EventSourceArn": {"Fn::GetAtt": ["Orders", "Arn"]}}},
        "WorkerRole": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "ManagedPolicyArns": [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}],
            "Policies": [{"PolicyName": "data", "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                 "Resource": {"Fn::GetAtt": ["Orders", "Arn"]}},
                {"Effect": "Allow", "Action": "s3:PutObject", "Resource": {"Fn::Sub": "${Receipts.Arn}/*"}}
            ]}}]
        }},
        "ReadTable": {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyName": "read-table", "Roles": [{"Ref": "WorkerRole"}],
            "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                 "Resource": [{"Fn::GetAtt": ["Table", "Arn"]}, {"Fn::Sub": "${Table.Arn}/index/*"}]}
            ]}
        }}
    }})
}

#[test]
fn no_resource_of_a_data_stack_is_left_unanalyzed() {
    let s = audit_template(&data_stack()).unwrap();
    assert!(s.not_analyzed.is_empty(), "{:?}", s.not_analyzed);
    assert!(s.gaps.is_empty(), "{:?}", s.gaps);
    let stores: Vec<(&str, &str, &str)> = s
        .data
        .iter()
        .map(|d| {
            (
                d.resource.as_str(),
                d.encryption.as_str(),
                d.public_access.as_str(),
            )
        })
        .collect();
    assert_eq!(
        stores,
        [
            ("Events", "none", ""),
            ("Orders", "SSE-KMS, key alias/aws/sqs", ""),
            ("Plain", "none", ""),
            ("Receipts", "aws:kms, key Key.Arn", "public access blocked"),
            ("Table", "AWS owned key (DynamoDB's default)", ""),
            (
                "Website",
                "SSE-S3 (S3's default)",
                "public access block off: BlockPublicAcls, BlockPublicPolicy, \
                 IgnorePublicAcls, RestrictPublicBuckets; ACL PublicRead"
            ),
        ]
    );
}

#[test]
fn public_policies_acls_and_permissions_are_public_resources() {
    let s = audit_template(&data_stack()).unwrap();
    let public: Vec<(&str, &str)> = s
        .public_resources
        .iter()
        .map(|p| (p.resource.as_str(), p.via.as_str()))
        .collect();
    // not public: the TLS-only Deny, the queue's statement narrowed by aws:SourceArn, the
    // table's narrowed by aws:PrincipalOrgID, the key's for the account, the function URL's
    // own permission (the URL is a route)
    assert_eq!(
        public,
        [
            ("Events", "EventsPolicy"),
            ("Website", "Website"),
            ("Website", "WebsitePolicy"),
            ("Worker", "AnyoneMayInvoke"),
        ]
    );
    let website = s
        .public_resources
        .iter()
        .find(|p| p.via == "WebsitePolicy")
        .unwrap();
    assert_eq!(
        website,
        &PublicResource {
            resource: "Website".into(),
            resource_type: "AWS::S3::Bucket".into(),
            via: "WebsitePolicy".into(),
            detail: "statement 0 allows anyone (Principal `*`, no condition narrowing it) \
                     s3:GetObject"
                .into(),
        }
    );
    // every public resource is an exposure a declaration must allow
    let widened = diff(&s, &Declaration::default());
    assert_eq!(
        widened
            .widens()
            .iter()
            .filter(|e| e.kind == Kind::PublicResource)
            .count(),
        4
    );
    let declared =
        Declaration::from_json(r#"{"publicResources": ["Website", "Events", "Worker"]}"#).unwrap();
    let d = diff(&s, &declared);
    assert!(
        d.widens().iter().all(|e| e.kind != Kind::PublicResource),
        "{:?}",
        d.widens()
    );
}

#[test]
fn the_none_function_url_is_a_route_and_a_finding() {
    let s = audit_template(&data_stack()).unwrap();
    let url: Vec<(&str, &str)> = s
        .routes
        .iter()
        .map(|r| (r.api.as_str(), r.authorization.as_str()))
        .collect();
    assert_eq!(url, [("WorkerUrl", "NONE")]);
    let findings = check(&data_stack(), None).unwrap();
    let got: Vec<(Severity, &str, &str)> = findings
        .iter()
        .map(|f| (f.severity, f.rule.as_str(), f.resource.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                Severity::Error,
                "RESOURCE_POLICY_NOT_PUBLIC",
                "AnyoneMayInvoke"
            ),
            (
                Severity::Error,
                "RESOURCE_POLICY_NOT_PUBLIC",
                "EventsPolicy"
            ),
            (Severity::Error, "S3_BUCKET_NO_PUBLIC_ACL", "Website"),
            (
                Severity::Error,
                "S3_BUCKET_PUBLIC_ACCESS_BLOCKED",
                "Website"
            ),
            (
                Severity::Error,
                "RESOURCE_POLICY_NOT_PUBLIC",
                "WebsitePolicy"
            ),
            (Severity::Warning, "SNS_TOPIC_ENCRYPTED", "Events"),
            (
                Severity::Warning,
                "LAMBDA_PERMISSION_SOURCE_SCOPED",
                "FromS3"
            ),
            (Severity::Warning, "SQS_QUEUE_ENCRYPTED", "Plain"),
            (Severity::Warning, "LAMBDA_URL_AUTH_NONE", "WorkerUrl"),
            (Severity::Info, "DYNAMODB_TABLE_KMS", "Table"),
        ]
    );
    let policy = findings
        .iter()
        .find(|f| f.resource == "WebsitePolicy")
        .unwrap();
    assert_eq!(policy.property, "PolicyDocument.Statement[0]");
}

#[test]
fn role_policies_resolve_to_who_may_do_what() {
    let s = audit_template(&data_stack()).unwrap();
    let role = "role WorkerRole (assumed by lambda.amazonaws.com) used by Worker";
    let of_role: Vec<(&str, Vec<&str>, Vec<&str>, &str)> = s
        .access
        .iter()
        .filter(|a| a.principal == role)
        .map(|a| {
            (
                a.intent.as_str(),
                a.actions.iter().map(String::as_str).collect(),
                a.resources.iter().map(String::as_str).collect(),
                a.via.as_str(),
            )
        })
        .collect();
    assert_eq!(
        of_role,
        [
            (
                "read",
                vec!["dynamodb:GetItem", "dynamodb:Query"],
                vec!["Table", "${Table.Arn}/index/*"],
                "ReadTable"
            ),
            (
                "read/write",
                vec![
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes"
                ],
                vec!["Orders"],
                "WorkerRole.Policies[data]"
            ),
            (
                "unknown (a managed policy outside the template)",
                vec![
                    "(managed policy arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole)"
                ],
                vec![],
                "WorkerRole.ManagedPolicyArns"
            ),
            (
                "write",
                vec!["s3:PutObject"],
                vec!["${Receipts.Arn}/*"],
                "WorkerRole.Policies[data]"
            ),
        ]
    );
    // a resource policy naming a service is who may do what too
    assert!(
        s.access
            .iter()
            .any(|a| a.principal.contains("sns.amazonaws.com")
                && a.actions == ["sqs:SendMessage"]
                && a.resources == ["Orders"]
                && a.via == "OrdersPolicy")
    );
}

#[test]
fn the_report_shows_data_public_resources_and_access() {
    let report = audit(&data_stack(), None).unwrap();
    let text = report.render_table();
    for expected in [
        "4 public bucket, queue, topic, table, key or function grants\n",
        "Public data and functions (resource policies, ACLs, permissions for anyone)",
        "Website   AWS::S3::Bucket",
        "Data stores",
        "Who may do what (IAM policies, resource policies, permissions)",
        "Not analyzed: none",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    let json: Value = serde_json::from_str(&cloudwright_audit::to_json(&report).unwrap()).unwrap();
    assert_eq!(json["surface"]["publicResources"][0]["resource"], "Events");
    assert!(json["surface"]["access"].as_array().unwrap().len() >= 5);
}

#[test]
fn exceptions_in_metadata_silence_the_rules_they_name() {
    let mut t = data_stack();
    // ours (what cloudwright_core::Exception writes), and Guard's own form
    t["Resources"]["Website"]["Metadata"] = json!({
        "cloudwright": {"exceptions": [{"checks": ["guard:S3_BUCKET_PUBLIC_ACCESS_BLOCKED",
            "guard:S3_BUCKET_NO_PUBLIC_ACL"], "reason": "a public website"}]}
    });
    t["Resources"]["Events"]["Metadata"] =
        json!({"guard": {"SuppressedRules": ["SNS_TOPIC_ENCRYPTED"]}});
    let report = audit(&t, None).unwrap();
    let rules: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.resource.as_str()))
        .collect();
    assert!(!rules.contains(&("S3_BUCKET_PUBLIC_ACCESS_BLOCKED", "Website")));
    assert!(!rules.contains(&("S3_BUCKET_NO_PUBLIC_ACL", "Website")));
    assert!(!rules.contains(&("SNS_TOPIC_ENCRYPTED", "Events")));
    // the rest stay, and the exception is shown with its reason
    assert!(rules.contains(&("RESOURCE_POLICY_NOT_PUBLIC", "WebsitePolicy")));
    assert!(
        report
            .exceptions
            .iter()
            .any(|e| e.resource == "Website" && e.reason == "a public website")
    );
    // an exception silences a rule, not the exposure: the bucket is still public
    assert!(
        report
            .surface
            .public_resources
            .iter()
            .any(|p| p.resource == "Website")
    );
}

#[test]
fn each_routes_authorization_is_named_from_the_body_and_from_methods() {
    let t = json!({"Resources": {
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Body": {
            "openapi": "3.0.1",
            "paths": {
                "/public": {"get": {"x-amazon-apigateway-integration": {"type": "mock"}}},
                "/signed": {"post": {"security": [{"sigv4": []}],
                    "x-amazon-apigateway-integration": {"type": "aws_proxy",
                        "uri": {"Fn::Sub": ["arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Function}/invocations",
                                {"Function": {"Fn::GetAtt": ["Fn", "Arn"]}}]}}}},
                "/users": {"get": {"security": [{"users": ["orders/read"]}],
                    "x-amazon-apigateway-integration": {"type": "mock"}}},
                "/tokens": {"get": {"security": [{"tokens": []}],
                    "x-amazon-apigateway-integration": {"type": "mock"}}}
            },
            "components": {"securitySchemes": {
                "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
                          "x-amazon-apigateway-authtype": "awsSigv4"},
                "users": {"type": "apiKey", "name": "Authorization", "in": "header",
                          "x-amazon-apigateway-authtype": "cognito_user_pools"},
                "tokens": {"type": "apiKey", "name": "Authorization", "in": "header",
                           "x-amazon-apigateway-authtype": "custom"}
            }}
        }}},
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": "arn:aws:iam::1:role/r", "Code": {"ZipFile": "x"}}},
        "Deployment": {"Type": "AWS::ApiGateway::Deployment", "Properties": {"RestApiId": {"Ref": "Api"}}},
        "Stage": {"Type": "AWS::ApiGateway::Stage", "Properties": {"RestApiId": {"Ref": "Api"},
            "DeploymentId": {"Ref": "Deployment"}, "StageName": "v1"}},
        "Tree": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "tree"}},
        "Checker": {"Type": "AWS::ApiGateway::Authorizer", "Properties": {"RestApiId": {"Ref": "Tree"},
            "Name": "checker", "Type": "TOKEN", "IdentitySource": "method.request.header.Authorization"}},
        "Get": {"Type": "AWS::ApiGateway::Method", "Properties": {"RestApiId": {"Ref": "Tree"},
            "ResourceId": {"Fn::GetAtt": ["Tree", "RootResourceId"]}, "HttpMethod": "GET",
            "AuthorizationType": "CUSTOM", "AuthorizerId": {"Ref": "Checker"},
            "Integration": {"Type": "MOCK"}}}
    }});
    let s = audit_template(&t).unwrap();
    let got: Vec<(&str, &str, &str)> = s
        .routes
        .iter()
        .map(|r| (r.api.as_str(), r.path.as_str(), r.authorization.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            // sorted by API, method, path: the GETs first
            ("Api", "/public", "NONE"),
            ("Api", "/tokens", "CUSTOM (tokens)"),
            ("Api", "/users", "COGNITO_USER_POOLS (users)"),
            ("Api", "/signed", "AWS_IAM"),
            ("Tree", "/", "CUSTOM (checker)"),
        ]
    );
    let signed = s.routes.iter().find(|r| r.path == "/signed").unwrap();
    assert_eq!(signed.integration.describe(), "Lambda Fn");
    let table = cloudwright_audit::render_table(&s);
    assert!(table.contains("COGNITO_USER_POOLS (users)"), "{table}");
}
