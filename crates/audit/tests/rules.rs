#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The bundled policy rules.

use cloudwright_audit::{
    Declaration, Error, Finding, RULES, Severity, audit, check, fail_on, render_findings,
};
use serde_json::{Value, json};

const FLASK_API: &str = include_str!("templates/flask_api.json");
const ORIGINAL_POST: &str = include_str!("templates/original_post.json");

fn ids(findings: &[Finding]) -> Vec<(&str, &str, Severity)> {
    findings
        .iter()
        .map(|f| (f.rule.as_str(), f.resource.as_str(), f.severity))
        .collect()
}

#[test]
fn the_original_posts_flaws_are_flagged() {
    let template: Value = serde_json::from_str(ORIGINAL_POST).unwrap();
    let findings = check(&template, None).unwrap();
    assert_eq!(
        ids(&findings),
        vec![
            (
                "SG_NO_ALL_PROTOCOLS_FROM_ANYWHERE",
                "FargateSecurityGroup",
                Severity::Error
            ),
            ("IAM_ROLE_PASSED_BY_ARN", "TaskDefinition", Severity::Error),
            (
                "NO_HARDCODED_PHYSICAL_NAMES",
                "ECSCluster",
                Severity::Warning
            ),
            ("LOG_GROUP_RETENTION", "LogGroup", Severity::Warning),
            ("NO_HARDCODED_PHYSICAL_NAMES", "LogGroup", Severity::Warning),
            (
                "NO_HARDCODED_PHYSICAL_NAMES",
                "TargetGroup",
                Severity::Warning
            ),
        ]
    );
    let role = &findings[1];
    assert_eq!(role.property, "ExecutionRoleArn");
    assert!(role.message.contains("Fn::GetAtt"), "{}", role.message);
    assert_eq!(findings[0].property, "SecurityGroupIngress[0]");
    assert!(fail_on(&findings, Severity::Error));

    // And the open group is in the surface.
    let report = audit(&template, None).unwrap();
    assert_eq!(report.surface.open_ingress.len(), 1);
    assert_eq!(
        report.surface.open_ingress[0].security_group,
        "FargateSecurityGroup"
    );

    let table = render_findings(&findings);
    assert!(
        table.contains("error     IAM_ROLE_PASSED_BY_ARN"),
        "{table}"
    );
}

#[test]
fn the_flask_api_template_is_clean() {
    let template: Value = serde_json::from_str(FLASK_API).unwrap();
    let findings = check(&template, None).unwrap();
    assert!(findings.is_empty(), "{findings:?}");
    assert!(!fail_on(&findings, Severity::Info));
    assert_eq!(render_findings(&findings), "Policy rules: no findings\n");
}

fn task(role: Value) -> Value {
    json!({"Resources": {
        "ExecutionRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
        "Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"ExecutionRoleArn": role, "ContainerDefinitions": []}}
    }, "Parameters": {"RoleParam": {"Type": "String"}}})
}

#[test]
fn roles_must_be_passed_by_arn() {
    let flagged = [
        json!({"Ref": "ExecutionRole"}),
        json!("ecsTaskExecutionRole"),
        json!({"Fn::Sub": "${ExecutionRole}"}),
        json!({"Fn::Join": ["", ["role/", "x"]]}),
    ];
    for role in flagged {
        let f = check(&task(role.clone()), None).unwrap();
        assert_eq!(
            ids(&f),
            vec![("IAM_ROLE_PASSED_BY_ARN", "Task", Severity::Error)],
            "{role}"
        );
    }
    let fine = [
        json!({"Fn::GetAtt": ["ExecutionRole", "Arn"]}),
        json!({"Fn::GetAtt": "ExecutionRole.Arn"}),
        json!("arn:aws:iam::123456789012:role/ecsTaskExecutionRole"),
        json!({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/x"}),
        json!({"Ref": "RoleParam"}),
        json!({"Fn::ImportValue": "shared-execution-role-arn"}),
    ];
    for role in fine {
        let f = check(&task(role.clone()), None).unwrap();
        assert!(f.is_empty(), "{role}: {f:?}");
    }
    // Lambda functions too.
    let t = json!({"Resources": {
        "R": {"Type": "AWS::IAM::Role", "Properties": {}},
        "F": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Ref": "R"}}}
    }});
    assert_eq!(
        ids(&check(&t, None).unwrap()),
        vec![("IAM_ROLE_PASSED_BY_ARN", "F", Severity::Error)]
    );
}

#[test]
fn world_open_ingress_rules() {
    let t = json!({"Resources": {
        "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "x", "SecurityGroupIngress": [
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"},
            {"IpProtocol": "tcp", "FromPort": 0, "ToPort": 1024, "CidrIpv6": "::/0"},
            {"IpProtocol": -1, "CidrIp": "10.0.0.0/8"}
        ]}},
        "Rdp": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {"GroupId": {"Ref": "Sg"}, "IpProtocol": "tcp", "FromPort": "3389", "ToPort": "3389", "CidrIp": "0.0.0.0/0"}},
        "All": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {"GroupId": {"Ref": "Sg"}, "IpProtocol": "-1", "CidrIpv6": "::/0"}}
    }});
    let f = check(&t, None).unwrap();
    assert_eq!(
        ids(&f),
        vec![
            ("SG_NO_ALL_PROTOCOLS_FROM_ANYWHERE", "All", Severity::Error),
            ("SG_NO_ADMIN_PORTS_FROM_ANYWHERE", "Rdp", Severity::Error),
            ("SG_NO_ADMIN_PORTS_FROM_ANYWHERE", "Sg", Severity::Error),
        ]
    );
    assert_eq!(f[2].property, "SecurityGroupIngress[1]");
}

#[test]
fn public_load_balancers_must_be_declared() {
    let t = json!({"Resources": {
        "Alb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Subnets": ["s"]}},
        "Nlb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Scheme": "internal", "Type": "network"}},
        "Gwlb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Type": "gateway"}}
    }});
    let f = check(&t, None).unwrap();
    assert_eq!(
        ids(&f),
        vec![("LB_INTERNAL_UNLESS_DECLARED", "Alb", Severity::Warning)]
    );
    assert!(f[0].message.contains("internet-facing by default"));
    let declared = Declaration::from_json(r#"{"publicLoadBalancers": ["Alb"]}"#).unwrap();
    assert!(check(&t, Some(&declared)).unwrap().is_empty());
    assert!(fail_on(&f, Severity::Warning));
    assert!(!fail_on(&f, Severity::Error));
}

#[test]
fn physical_names_from_the_stack_are_fine() {
    let t = json!({"Resources": {
        "A": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": {"Fn::Sub": "${AWS::StackName}-cluster"}}},
        "B": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": {"Fn::Sub": "${AWS::Region}-cluster"}}},
        "C": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": {"Ref": "Name"}}},
        "D": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "person-identifier"}},
        "E": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": {"Fn::Join": ["-", ["app", "role"]]}}},
        "F": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 14, "LogGroupName": {"Fn::Sub": "/ecs/${A}"}}}
    }, "Parameters": {"Name": {"Type": "String"}}});
    assert_eq!(
        ids(&check(&t, None).unwrap()),
        vec![
            ("NO_HARDCODED_PHYSICAL_NAMES", "B", Severity::Warning),
            ("NO_HARDCODED_PHYSICAL_NAMES", "E", Severity::Warning),
        ]
    );
}

#[test]
fn suppressed_rules_and_public_ecs_services() {
    let t = json!({"Resources": {
        "Svc": {"Type": "AWS::ECS::Service", "Properties": {"NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": "ENABLED"}}}},
        "Quiet": {"Type": "AWS::Logs::LogGroup", "Metadata": {"guard": {"SuppressedRules": ["LOG_GROUP_RETENTION"]}}},
        "Loud": {"Type": "AWS::Logs::LogGroup"}
    }});
    assert_eq!(
        ids(&check(&t, None).unwrap()),
        vec![
            ("LOG_GROUP_RETENTION", "Loud", Severity::Warning),
            ("ECS_SERVICE_NO_PUBLIC_IP", "Svc", Severity::Warning),
        ]
    );
}

#[test]
fn severities_parse_and_order() {
    assert_eq!("error".parse::<Severity>().unwrap(), Severity::Error);
    assert_eq!("Warning".parse::<Severity>().unwrap(), Severity::Warning);
    assert_eq!("info".parse::<Severity>().unwrap(), Severity::Info);
    assert!(matches!(
        "fatal".parse::<Severity>(),
        Err(Error::UnknownSeverity(_))
    ));
    assert!(Severity::Info < Severity::Warning && Severity::Warning < Severity::Error);
    let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
}
