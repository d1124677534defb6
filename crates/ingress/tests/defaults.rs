//! Production defaults of `PublicApi` and `InternalNlb`: access logs (JSON, own log group,
//! retained), the account's API Gateway CloudWatch role, X-Ray tracing, method metrics,
//! throttling; each control that is off stated in `Metadata`; stage variables for the VPC link
//! and the load balancer. Every template passes cfn-lint with informational checks included.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cloudwright_core::assertions::{Match, Template};
use cloudwright_core::{App, Value};
use cloudwright_ingress::{
    AccessLog, AccountRole, ApiGatewayAccount, ApiTarget, DEFAULT_ACCESS_LOG_FORMAT,
    DEFAULT_THROTTLING_BURST, DEFAULT_THROTTLING_RATE, Error, InternalNlb, PublicApi, Route,
};
use cloudwright_resources::RetentionDays;
use cloudwright_tests::assert_lint_clean_informational;
use common::{nested, private_subnets as private};
use serde_json::{Value as Json, json};

fn target(load_balancer: &str) -> ApiTarget {
    ApiTarget {
        load_balancer_arn: Value::r#ref(load_balancer),
        dns_name: Value::get_att(load_balancer, "DNSName"),
        load_balancer_port: 80,
        target_port: 80,
    }
}

fn api() -> PublicApi {
    PublicApi::new("people", target("IngressLoadBalancer")).route(Route::get("/{person}").public())
}

/// The load balancer `Ingress` and `api` in one stack.
fn synth(api: PublicApi) -> (String, Template) {
    let app = App::new();
    let mut stack = app.stack("People").unwrap();
    stack
        .construct("Ingress", InternalNlb::new(&private(), 80))
        .unwrap();
    stack.construct("Api", api).unwrap();
    let template = app.synth().unwrap().stacks[0].template.clone();
    let parsed = Template::parse(&template).unwrap();
    (template, parsed)
}

/// The checks named by the resource's `cloudwright` exceptions (`checkov:CKV_AWS_120`, ...;
/// `reason:<why>` for one naming no check), as the audit reads them, each with a one-line
/// reason that is also written in the scanner's own form.
fn exceptions(t: &Template, id: &str) -> Vec<String> {
    let resource = t.resource(id).unwrap();
    let mut checks = Vec::new();
    for e in cloudwright_audit::exceptions(t.json()).unwrap() {
        if e.resource != id {
            continue;
        }
        let reason = &e.reason;
        assert!(!reason.is_empty() && !reason.contains('\n'), "{id}: {e:?}");
        for c in &e.checks {
            let (tool, check) = c.split_once(':').unwrap();
            let form = match tool {
                "checkov" => nested(
                    &["Metadata", "checkov", "skip"],
                    Match::array_with([json!({"id": check, "comment": reason})]),
                ),
                "cfn_nag" => nested(
                    &["Metadata", "cfn_nag", "rules_to_suppress"],
                    Match::array_with([json!({"id": check, "reason": reason})]),
                ),
                "guard" => nested(
                    &["Metadata", "guard", "SuppressedRules"],
                    Match::array_with([json!(check)]),
                ),
                other => panic!("unknown tool {other}"),
            };
            assert!(
                form.matches(resource),
                "{id}: {c} is not in {tool}'s own form"
            );
        }
        if e.checks.is_empty() {
            checks.push(format!("reason:{reason}"));
        }
        checks.extend(e.checks);
    }
    checks
}

#[test]
fn the_stage_logs_traces_measures_and_throttles_by_default() {
    let (template, t) = synth(api());
    assert_lint_clean_informational("api-defaults", &template);
    t.has_resource_properties(
        "AWS::ApiGateway::Stage",
        json!({
            "TracingEnabled": true,
            "MethodSettings": [{
                "HttpMethod": "*",
                "ResourcePath": "/*",
                "MetricsEnabled": true,
                "ThrottlingRateLimit": DEFAULT_THROTTLING_RATE,
                "ThrottlingBurstLimit": DEFAULT_THROTTLING_BURST,
            }],
            "AccessLogSetting": {
                "DestinationArn": {"Fn::GetAtt": ["ApiAccessLogs", "Arn"]},
                "Format": DEFAULT_ACCESS_LOG_FORMAT
            }
        }),
    )
    .unwrap();

    // one JSON object per request, on one line, with the fields an operator needs
    let format: Json = serde_json::from_str(DEFAULT_ACCESS_LOG_FORMAT).unwrap();
    assert!(
        Match::from(json!({
            "requestId": "$context.requestId",
            "ip": "$context.identity.sourceIp",
            "caller": "$context.identity.caller",
            "httpMethod": "$context.httpMethod",
            "resourcePath": "$context.resourcePath",
            "status": "$context.status",
            "responseLatency": "$context.responseLatency",
            "integrationStatus": "$context.integration.status",
            "integrationError": "$context.integration.error",
            "protocol": "$context.protocol",
            "requestTime": "$context.requestTime",
            "responseLength": "$context.responseLength",
        }))
        .matches(&format),
        "{format:#}"
    );
    assert!(!DEFAULT_ACCESS_LOG_FORMAT.contains('\n'));

    // its own log group: retention set, kept when the stack goes
    t.resource_count_is("AWS::Logs::LogGroup", 1).unwrap();
    t.has_resource(
        "AWS::Logs::LogGroup",
        json!({
            "Properties": {"RetentionInDays": 365},
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain"
        }),
    )
    .unwrap();
}

#[test]
fn access_logging_brings_the_account_role_and_the_stage_waits_for_it() {
    let (_, t) = synth(api());
    t.resource_count_is("AWS::IAM::Role", 1).unwrap();
    t.has_resource(
        "AWS::IAM::Role",
        Match::object_like([
            ("DeletionPolicy", Match::from("Retain")),
            ("UpdateReplacePolicy", Match::from("Retain")),
            (
                "Properties",
                Match::object_like([
                    ("Policies", Match::absent()),
                    ("RoleName", Match::absent()),
                    (
                        "AssumeRolePolicyDocument",
                        Match::from(json!({"Statement": [{
                            "Action": "sts:AssumeRole",
                            "Effect": "Allow",
                            "Principal": {"Service": "apigateway.amazonaws.com"},
                        }]})),
                    ),
                    (
                        "ManagedPolicyArns",
                        Match::from(json!([{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"}])),
                    ),
                ]),
            ),
        ]),
    )
    .unwrap();
    t.resource_count_is("AWS::ApiGateway::Account", 1).unwrap();
    t.has_resource_properties(
        "AWS::ApiGateway::Account",
        json!({"CloudWatchRoleArn": {"Fn::GetAtt": ["ApiCloudWatchRole", "Arn"]}}),
    )
    .unwrap();
    t.has_resource(
        "AWS::ApiGateway::Stage",
        json!({"DependsOn": ["ApiCloudWatchAccount"]}),
    )
    .unwrap();
}

#[test]
fn every_control_can_be_turned_off_and_each_is_then_stated() {
    let off = api()
        .without_access_log()
        .tracing(false)
        .metrics(false)
        .without_throttling();
    let (template, t) = synth(off);
    assert_lint_clean_informational("api-controls-off", &template);
    t.has_resource(
        "AWS::ApiGateway::Stage",
        Match::object_like([
            ("DependsOn", Match::absent()),
            (
                "Properties",
                Match::object_like([
                    ("AccessLogSetting", Match::absent()),
                    ("TracingEnabled", Match::absent()),
                    ("MethodSettings", Match::absent()),
                ]),
            ),
        ]),
    )
    .unwrap();
    // no log group and no account role without access logs
    for ty in [
        "AWS::Logs::LogGroup",
        "AWS::ApiGateway::Account",
        "AWS::IAM::Role",
    ] {
        t.resource_count_is(ty, 0).unwrap();
    }

    let stated = exceptions(&t, "ApiStage");
    for check in ["checkov:CKV_AWS_76", "cfn_nag:W69", "checkov:CKV_AWS_73"] {
        assert!(stated.contains(&check.to_owned()), "{check} in {stated:?}");
    }
    assert!(
        stated.iter().any(|c| c.contains("metrics(false)")),
        "{stated:?}"
    );
    assert!(
        stated.iter().any(|c| c.contains("without_throttling")),
        "{stated:?}"
    );

    // on by default: none of those is stated
    let (_, on) = synth(api());
    let stated = exceptions(&on, "ApiStage");
    assert_eq!(stated, ["checkov:CKV_AWS_120", "cfn_nag:W63"]);
}

#[test]
fn deliberate_exceptions_are_in_the_metadata_of_the_resources_they_concern() {
    let (_, t) = synth(api());
    assert_eq!(
        exceptions(&t, "ApiStage"),
        ["checkov:CKV_AWS_120", "cfn_nag:W63"]
    );
    assert_eq!(exceptions(&t, "ApiRestApi"), ["cfn_nag:W64"]);
    let (deployment, _) = t.single_resource("AWS::ApiGateway::Deployment").unwrap();
    assert_eq!(exceptions(&t, deployment), ["cfn_nag:W68"]);
    assert_eq!(
        exceptions(&t, "IngressLoadBalancer"),
        [
            "checkov:CKV_AWS_91",
            "cfn_nag:W52",
            "guard:elbv2_logging_enabled_check",
            "checkov:CKV_AWS_150"
        ]
    );
    assert_eq!(
        exceptions(&t, "ApiAccessLogs"),
        [
            "checkov:CKV_AWS_158",
            "cfn_nag:W84",
            "guard:cloudwatch_log_group_encrypted_check"
        ]
    );
    // the role, link and listeners need none
    for id in ["ApiCloudWatchRole", "ApiVpcLink", "IngressListener"] {
        assert!(exceptions(&t, id).is_empty(), "{id}");
    }
}

#[test]
fn a_customer_managed_key_encrypts_the_access_log_group() {
    let key = Value::import_value("Shared-LogKeyArn");
    let (template, t) = synth(
        api().access_log(AccessLog::new_log_group(RetentionDays::TwoYears).encrypted_with(key)),
    );
    assert_lint_clean_informational("api-log-key", &template);
    t.has_resource_properties(
        "AWS::Logs::LogGroup",
        json!({
            "KmsKeyId": {"Fn::ImportValue": "Shared-LogKeyArn"},
            "RetentionInDays": 731
        }),
    )
    .unwrap();
    assert!(exceptions(&t, "ApiAccessLogs").is_empty());

    // a log group made elsewhere is encrypted where it is made
    let err = common::fixtures::one_construct(
        "People",
        "Api",
        api().access_log(
            AccessLog::to_log_group("arn:aws:logs:eu-west-1:123456789012:log-group:api")
                .encrypted_with("arn:aws:kms:eu-west-1:123456789012:key/abc"),
        ),
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("People/Api: "), "{err}");
    assert!(matches!(
        err.downcast_ref::<Error>(),
        Some(Error::InvalidSetting {
            setting: "access log encryption key",
            ..
        })
    ));
}

#[test]
fn an_account_role_set_elsewhere_or_shared_is_not_made_again() {
    // already set in the account: nothing added, nothing waited for
    let (template, t) = synth(api().account_role(AccountRole::AlreadySet));
    assert_lint_clean_informational("api-account-already-set", &template);
    t.resource_count_is("AWS::ApiGateway::Account", 0).unwrap();
    t.resource_count_is("AWS::IAM::Role", 0).unwrap();
    t.has_resource(
        "AWS::ApiGateway::Stage",
        Match::object_like([
            ("DependsOn", Match::absent()),
            (
                "Properties",
                Match::object_like([("AccessLogSetting", Match::any_value())]),
            ),
        ]),
    )
    .unwrap();

    // one shared by two APIs of another stack: both stages wait for it, across stacks
    let app = App::new();
    let mut shared = app.stack("Shared").unwrap();
    let account = shared
        .construct("ApiGatewayAccount", ApiGatewayAccount::new())
        .unwrap();
    let mut people = app.stack("People").unwrap();
    for name in ["Public", "Partner"] {
        let nlb = people
            .construct(&format!("{name}Nlb"), InternalNlb::new(&private(), 80))
            .unwrap();
        people
            .construct(
                &format!("{name}Api"),
                PublicApi::new(name, &nlb)
                    .route(Route::get("/{person}").public())
                    .account_role(&account),
            )
            .unwrap();
    }
    let assembly = app.synth().unwrap();
    let names: Vec<&str> = assembly.stacks.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(names, ["Shared", "People"], "the account's stack first");
    let shared_t = Template::from_stack(&assembly, "Shared").unwrap();
    let (account_id, _) = shared_t
        .single_resource("AWS::ApiGateway::Account")
        .unwrap();
    assert_eq!(account_id, "ApiGatewayAccountAccount");
    let people_t = Template::from_stack(&assembly, "People").unwrap();
    people_t
        .resource_count_is("AWS::ApiGateway::Account", 0)
        .unwrap();
    people_t.resource_count_is("AWS::IAM::Role", 0).unwrap();
    for s in &assembly.stacks {
        assert_lint_clean_informational(&s.id, &s.template);
    }
}

#[test]
fn a_replaced_load_balancer_or_link_updates_the_stage_not_the_deployment() {
    let (_, a) = synth(api());
    let other = PublicApi::new("people", target("OtherLoadBalancer"))
        .route(Route::get("/{person}").public());
    let app = App::new();
    let mut stack = app.stack("People").unwrap();
    stack
        .construct("Other", InternalNlb::new(&private(), 80))
        .unwrap();
    stack.construct("Api", other).unwrap();
    let b = Template::from_stack(&app.synth().unwrap(), "People").unwrap();

    // same body, same deployment: the target lives in the stage's variables
    let deployment = |t: &Template| {
        t.single_resource("AWS::ApiGateway::Deployment")
            .unwrap()
            .0
            .to_owned()
    };
    assert_eq!(deployment(&a), deployment(&b));
    let body_of_a = a
        .resource("ApiRestApi")
        .unwrap()
        .pointer("/Properties/Body")
        .unwrap()
        .clone();
    b.has_resource_properties(
        "AWS::ApiGateway::RestApi",
        Match::object_like([("Body", Match::exact(body_of_a))]),
    )
    .unwrap();
    a.has_resource_properties(
        "AWS::ApiGateway::Stage",
        Match::object_like([(
            "Variables",
            Match::exact(json!({
                "loadBalancerDns": {"Fn::GetAtt": ["IngressLoadBalancer", "DNSName"]},
                "vpcLinkId": {"Ref": "ApiVpcLink"},
            })),
        )]),
    )
    .unwrap();
    b.has_resource_properties(
        "AWS::ApiGateway::Stage",
        json!({"Variables": {"loadBalancerDns": {"Fn::GetAtt": ["OtherLoadBalancer", "DNSName"]}}}),
    )
    .unwrap();
    a.has_resource_properties(
        "AWS::ApiGateway::RestApi",
        nested(
            &[
                "Body",
                "paths",
                "/{person}",
                "get",
                "x-amazon-apigateway-integration",
            ],
            Match::from(json!({
                "connectionId": "${stageVariables.vpcLinkId}",
                "uri": "http://${stageVariables.loadBalancerDns}:80/{person}"
            })),
        ),
    )
    .unwrap();
}
