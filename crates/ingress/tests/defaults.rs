//! Production defaults of `PublicApi` and `InternalNlb`: access logs (JSON, own log group,
//! retained), the account's API Gateway CloudWatch role, X-Ray tracing, method metrics,
//! throttling; each control that is off stated in `Metadata`; stage variables for the VPC link
//! and the load balancer. Every template passes cfn-lint with informational checks included.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cloudwright_core::{App, Value};
use cloudwright_ingress::{
    AccessLog, AccountRole, ApiGatewayAccount, ApiTarget, DEFAULT_THROTTLING_BURST,
    DEFAULT_THROTTLING_RATE, Error, InternalNlb, PublicApi, Route,
};
use cloudwright_network::SubnetGroup;
use cloudwright_resources::RetentionDays;
use cloudwright_tests::assert_lint_clean_informational;
use serde_json::{Value as Json, json};

fn private() -> SubnetGroup {
    SubnetGroup::imported(
        "vpc-0a1b2c3d",
        [
            ("subnet-0aaaaaaaaaaaaaaaa", "10.0.1.0/24"),
            ("subnet-0bbbbbbbbbbbbbbbb", "10.0.2.0/24"),
        ],
    )
}

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
fn synth(api: PublicApi) -> (String, Json) {
    let app = App::new();
    let mut stack = app.stack("People").unwrap();
    stack
        .construct("Ingress", InternalNlb::new(&private(), 80))
        .unwrap();
    stack.construct("Api", api).unwrap();
    let template = app.synth().unwrap().stacks[0].template.clone();
    let json = serde_json::from_str(&template).unwrap();
    (template, json)
}

fn ids_of(t: &Json, type_name: &str) -> Vec<String> {
    t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == type_name)
        .map(|(id, _)| id.clone())
        .collect()
}

/// The checks named by the resource's `cloudwright` exceptions (`checkov:CKV_AWS_120`, ...),
/// each with a non-empty reason that is also in the scanners' own forms.
fn exceptions(t: &Json, id: &str) -> Vec<String> {
    let metadata = &t["Resources"][id]["Metadata"];
    let Some(list) = metadata["cloudwright"]["exceptions"].as_array() else {
        return Vec::new();
    };
    let mut checks = Vec::new();
    for e in list {
        let reason = e["reason"].as_str().unwrap();
        assert!(!reason.is_empty() && !reason.contains('\n'), "{id}: {e}");
        for c in e["checks"].as_array().unwrap() {
            let c = c.as_str().unwrap().to_owned();
            let (tool, check) = c.split_once(':').unwrap();
            let written = match tool {
                "checkov" => metadata["checkov"]["skip"]
                    .as_array()
                    .unwrap()
                    .contains(&json!({"id": check, "comment": reason})),
                "cfn_nag" => metadata["cfn_nag"]["rules_to_suppress"]
                    .as_array()
                    .unwrap()
                    .contains(&json!({"id": check, "reason": reason})),
                "guard" => metadata["guard"]["SuppressedRules"]
                    .as_array()
                    .unwrap()
                    .contains(&json!(check)),
                other => panic!("unknown tool {other}"),
            };
            assert!(written, "{id}: {c} is not in {tool}'s own form");
            checks.push(c);
        }
        if e["checks"].as_array().unwrap().is_empty() {
            checks.push(format!("reason:{reason}"));
        }
    }
    checks
}

#[test]
fn the_stage_logs_traces_measures_and_throttles_by_default() {
    let (template, t) = synth(api());
    assert_lint_clean_informational("api-defaults", &template);
    let stage = &t["Resources"]["ApiStage"]["Properties"];
    assert_eq!(stage["TracingEnabled"], true);
    assert_eq!(
        stage["MethodSettings"],
        json!([{
            "HttpMethod": "*",
            "ResourcePath": "/*",
            "MetricsEnabled": true,
            "ThrottlingRateLimit": DEFAULT_THROTTLING_RATE,
            "ThrottlingBurstLimit": DEFAULT_THROTTLING_BURST,
        }])
    );

    // one JSON object per request, with the fields an operator needs
    let log = &stage["AccessLogSetting"];
    assert_eq!(
        log["DestinationArn"],
        json!({"Fn::GetAtt": ["ApiAccessLogs", "Arn"]})
    );
    let format: Json = serde_json::from_str(log["Format"].as_str().unwrap()).unwrap();
    for (field, variable) in [
        ("requestId", "$context.requestId"),
        ("ip", "$context.identity.sourceIp"),
        ("caller", "$context.identity.caller"),
        ("httpMethod", "$context.httpMethod"),
        ("resourcePath", "$context.resourcePath"),
        ("status", "$context.status"),
        ("responseLatency", "$context.responseLatency"),
        ("integrationStatus", "$context.integration.status"),
        ("integrationError", "$context.integration.error"),
        ("protocol", "$context.protocol"),
        ("requestTime", "$context.requestTime"),
        ("responseLength", "$context.responseLength"),
    ] {
        assert_eq!(format[field], variable, "{field}");
    }
    assert!(!log["Format"].as_str().unwrap().contains('\n'));

    // its own log group: retention set, kept when the stack goes
    let group = &t["Resources"]["ApiAccessLogs"];
    assert_eq!(group["Properties"]["RetentionInDays"], 365);
    assert_eq!(group["DeletionPolicy"], "Retain");
    assert_eq!(group["UpdateReplacePolicy"], "Retain");
    assert_eq!(ids_of(&t, "AWS::Logs::LogGroup"), ["ApiAccessLogs"]);
}

#[test]
fn access_logging_brings_the_account_role_and_the_stage_waits_for_it() {
    let (_, t) = synth(api());
    assert_eq!(ids_of(&t, "AWS::IAM::Role"), ["ApiCloudWatchRole"]);
    let role = &t["Resources"]["ApiCloudWatchRole"];
    assert_eq!(role["DeletionPolicy"], "Retain");
    assert_eq!(role["UpdateReplacePolicy"], "Retain");
    let p = &role["Properties"];
    assert_eq!(
        p["AssumeRolePolicyDocument"]["Statement"],
        json!([{
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "apigateway.amazonaws.com"},
        }])
    );
    assert_eq!(
        p["ManagedPolicyArns"],
        json!([{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"}])
    );
    assert!(p.get("Policies").is_none() && p.get("RoleName").is_none());

    assert_eq!(
        ids_of(&t, "AWS::ApiGateway::Account"),
        ["ApiCloudWatchAccount"]
    );
    assert_eq!(
        t["Resources"]["ApiCloudWatchAccount"]["Properties"]["CloudWatchRoleArn"],
        json!({"Fn::GetAtt": ["ApiCloudWatchRole", "Arn"]})
    );
    assert_eq!(
        t["Resources"]["ApiStage"]["DependsOn"],
        json!(["ApiCloudWatchAccount"])
    );
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
    let stage = &t["Resources"]["ApiStage"];
    let p = &stage["Properties"];
    for key in ["AccessLogSetting", "TracingEnabled", "MethodSettings"] {
        assert!(p.get(key).is_none(), "{key} is set");
    }
    assert!(stage.get("DependsOn").is_none());
    // no log group and no account role without access logs
    assert!(ids_of(&t, "AWS::Logs::LogGroup").is_empty());
    assert!(ids_of(&t, "AWS::ApiGateway::Account").is_empty());
    assert!(ids_of(&t, "AWS::IAM::Role").is_empty());

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
    let deployment = &ids_of(&t, "AWS::ApiGateway::Deployment")[0];
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
    let group = &t["Resources"]["ApiAccessLogs"];
    assert_eq!(
        group["Properties"]["KmsKeyId"],
        json!({"Fn::ImportValue": "Shared-LogKeyArn"})
    );
    assert_eq!(group["Properties"]["RetentionInDays"], 731);
    assert!(exceptions(&t, "ApiAccessLogs").is_empty());

    // a log group made elsewhere is encrypted where it is made
    let app = App::new();
    let mut stack = app.stack("People").unwrap();
    let err = stack
        .construct(
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
    assert!(ids_of(&t, "AWS::ApiGateway::Account").is_empty());
    assert!(ids_of(&t, "AWS::IAM::Role").is_empty());
    assert!(t["Resources"]["ApiStage"].get("DependsOn").is_none());
    assert!(t["Resources"]["ApiStage"]["Properties"]["AccessLogSetting"].is_object());

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
    let shared_t: Json = serde_json::from_str(&assembly.stacks[0].template).unwrap();
    assert_eq!(
        ids_of(&shared_t, "AWS::ApiGateway::Account"),
        ["ApiGatewayAccountAccount"]
    );
    let people_t: Json = serde_json::from_str(&assembly.stacks[1].template).unwrap();
    assert!(ids_of(&people_t, "AWS::ApiGateway::Account").is_empty());
    assert!(ids_of(&people_t, "AWS::IAM::Role").is_empty());
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
    let b: Json = serde_json::from_str(&app.synth().unwrap().stacks[0].template).unwrap();

    // same body, same deployment: the target lives in the stage's variables
    let deployment = ids_of(&a, "AWS::ApiGateway::Deployment");
    assert_eq!(deployment, ids_of(&b, "AWS::ApiGateway::Deployment"));
    assert_eq!(
        a["Resources"]["ApiRestApi"]["Properties"]["Body"],
        b["Resources"]["ApiRestApi"]["Properties"]["Body"]
    );
    let vars = |t: &Json| t["Resources"]["ApiStage"]["Properties"]["Variables"].clone();
    assert_eq!(
        vars(&a),
        json!({
            "loadBalancerDns": {"Fn::GetAtt": ["IngressLoadBalancer", "DNSName"]},
            "vpcLinkId": {"Ref": "ApiVpcLink"},
        })
    );
    assert_eq!(
        vars(&b)["loadBalancerDns"],
        json!({"Fn::GetAtt": ["OtherLoadBalancer", "DNSName"]})
    );
    let integration = &a["Resources"]["ApiRestApi"]["Properties"]["Body"]["paths"]["/{person}"]["get"]
        ["x-amazon-apigateway-integration"];
    assert_eq!(integration["connectionId"], "${stageVariables.vpcLinkId}");
    assert_eq!(
        integration["uri"],
        "http://${stageVariables.loadBalancerDns}:80/{person}"
    );
}
