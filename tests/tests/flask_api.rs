//! The flask-api app's template: cfn-lint clean, identical to the reviewed snapshot, and
//! saying what the architecture means (one public route, nothing else reachable, least
//! privilege, no redundant DependsOn).
//!
//! After an intended change, refresh the snapshot with
//! `CLOUDWRIGHT_UPDATE_SNAPSHOTS=1 cargo test -p cloudwright-tests --test flask_api`
//! and review the diff of `tests/snapshots/FlaskApi.template.json`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::collections::{BTreeMap, BTreeSet};

use cloudwright_core::assertions::{Match, Template, snapshot};
use cloudwright_tests::{assert_lint_clean_informational, flask_api_template, workspace_root};
use serde_json::{Value as Json, json};

fn flask_api() -> Template {
    Template::parse(&flask_api_template()).unwrap()
}

#[test]
fn passes_cfn_lint_with_no_findings_informational_included() {
    assert_lint_clean_informational("FlaskApi", &flask_api_template());
}

#[test]
fn matches_the_reviewed_snapshot() {
    // the image tag is the hash of the service's source (tests/tests/flask_api_assets.rs):
    // the snapshot holds a placeholder, so editing the service does not touch it
    let text = flask_api_template();
    let t = Template::parse(&text).unwrap();
    let image = t.json()["Resources"]["TaskTaskDefinition"]["Properties"]["ContainerDefinitions"]
        [0]["Image"]["Fn::Sub"]
        .as_str()
        .unwrap();
    let tag = image.rsplit_once(':').unwrap().1;
    let file = workspace_root().join("tests/snapshots/FlaskApi.template.json");
    snapshot(file, &text.replace(tag, "<service-source-hash>")).unwrap();
}

#[test]
fn exactly_one_public_route() {
    let t = flask_api();
    let (_, api) = t.single_resource("AWS::ApiGateway::RestApi").unwrap();
    let paths = api["Properties"]["Body"]["paths"].as_object().unwrap();
    let routes: Vec<(String, String)> = paths
        .iter()
        .flat_map(|(p, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.clone(), p.clone()))
        })
        .collect();
    assert_eq!(
        routes,
        [("get".to_owned(), "/{person}/{firstname}".to_owned())]
    );
    let get = &paths["/{person}/{firstname}"]["get"];
    let integration = &get["x-amazon-apigateway-integration"];
    assert_eq!(integration["connectionType"], "VPC_LINK");
    assert_eq!(integration["type"], "http_proxy");
    let params = &integration["requestParameters"];
    assert_eq!(
        params["integration.request.path.person"],
        "method.request.path.person"
    );
    assert_eq!(
        params["integration.request.path.firstname"],
        "method.request.path.firstname"
    );
    assert_eq!(params["integration.request.header.X-Public-Request"], "'1'");
    let (_, stage) = t.single_resource("AWS::ApiGateway::Stage").unwrap();
    assert_eq!(stage["Properties"]["StageName"], "v1");
    // nothing else reaches the internet: no other API, no internet-facing load balancer
    assert!(
        t.find_resources("AWS::ApiGateway::Method", Match::any_value())
            .is_empty()
    );
    assert!(
        t.find_resources("AWS::ApiGatewayV2::Api", Match::any_value())
            .is_empty()
    );
}

#[test]
fn the_load_balancer_is_internal_and_tasks_get_no_public_ip() {
    let t = flask_api();
    let (_, lb) = t
        .single_resource("AWS::ElasticLoadBalancingV2::LoadBalancer")
        .unwrap();
    assert_eq!(lb["Properties"]["Scheme"], "internal");
    assert_eq!(lb["Properties"]["Type"], "network");
    assert_eq!(
        lb["Properties"]["Subnets"],
        json!([{"Ref": "NetworkPrivateSubnet1"}, {"Ref": "NetworkPrivateSubnet2"}])
    );
    let (_, svc) = t.single_resource("AWS::ECS::Service").unwrap();
    let net = &svc["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"];
    assert_eq!(net["AssignPublicIp"], "DISABLED");
    assert_eq!(
        net["Subnets"],
        json!([{"Ref": "NetworkPrivateSubnet1"}, {"Ref": "NetworkPrivateSubnet2"}])
    );
}

#[test]
fn the_task_security_group_admits_only_port_8080_from_the_load_balancer_subnets() {
    let t = flask_api();
    let groups = t.find_resources("AWS::EC2::SecurityGroup", Match::any_value());
    assert_eq!(groups.len(), 1);
    let ingress = groups[0].1["Properties"]["SecurityGroupIngress"]
        .as_array()
        .unwrap();
    // the load balancer lives in the two private subnets; its traffic comes from there only
    let subnet1 = t.resource("NetworkPrivateSubnet1").unwrap();
    let subnet2 = t.resource("NetworkPrivateSubnet2").unwrap();
    let lb_cidrs = [
        subnet1["Properties"]["CidrBlock"].clone(),
        subnet2["Properties"]["CidrBlock"].clone(),
    ];
    assert_eq!(ingress.len(), 2);
    for (rule, cidr) in ingress.iter().zip(&lb_cidrs) {
        assert_eq!(rule["IpProtocol"], "tcp", "{rule}");
        assert_eq!(rule["FromPort"], 8080, "{rule}");
        assert_eq!(rule["ToPort"], 8080, "{rule}");
        assert_eq!(&rule["CidrIp"], cidr, "{rule}");
    }
    assert!(
        t.find_resources("AWS::EC2::SecurityGroupIngress", Match::any_value())
            .is_empty()
    );
}

#[test]
fn the_service_waits_for_the_listener_and_its_nat_routes_and_names_a_container_that_exists() {
    let t = flask_api();
    let (_, svc) = t.single_resource("AWS::ECS::Service").unwrap();
    let (listener, _) = t
        .single_resource("AWS::ElasticLoadBalancingV2::Listener")
        .unwrap();
    assert_eq!(
        svc["DependsOn"],
        json!([
            listener,
            "NetworkPrivateDefaultRoute1",
            "NetworkPrivateDefaultRoute2",
            "NetworkPrivateSubnet1RouteTableAssociation",
            "NetworkPrivateSubnet2RouteTableAssociation"
        ])
    );
    let (_, task) = t.single_resource("AWS::ECS::TaskDefinition").unwrap();
    let names: Vec<&Json> = task["Properties"]["ContainerDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["Name"])
        .collect();
    assert_eq!(names, [&json!("flask")]);
    for lb in svc["Properties"]["LoadBalancers"].as_array().unwrap() {
        assert!(names.contains(&&lb["ContainerName"]), "{lb}");
        assert_eq!(lb["ContainerPort"], 8080);
    }
    assert_eq!(task["Properties"]["Cpu"], "1024");
    assert_eq!(task["Properties"]["Memory"], "2048");
    // the image is the service's source, built and tagged with its hash
    let image = &task["Properties"]["ContainerDefinitions"][0]["Image"]["Fn::Sub"];
    let image = image.as_str().unwrap();
    let (repository, tag) = image.rsplit_once(':').unwrap();
    assert_eq!(
        repository,
        "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/cloudwright-assets"
    );
    assert_eq!(tag.len(), 64, "{image}");
}

/// The Dockerfile's instruction `keyword` (the last one), continuation lines joined.
fn dockerfile(keyword: &str) -> String {
    let text = std::fs::read_to_string(workspace_root().join("apps/flask-api/service/Dockerfile"))
        .unwrap();
    let mut found = None;
    let mut current = String::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') || (current.is_empty() && line.is_empty()) {
            continue;
        }
        if let Some(head) = line.strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
            continue;
        }
        current.push_str(line);
        if let Some(rest) = current.strip_prefix(keyword)
            && rest.starts_with(' ')
        {
            found = Some(rest.trim().to_owned());
        }
        current.clear();
    }
    found.unwrap_or_else(|| panic!("the Dockerfile has no {keyword}"))
}

#[test]
fn the_container_runs_hardened_as_the_image_is_built() {
    let t = flask_api();
    let (_, task) = t.single_resource("AWS::ECS::TaskDefinition").unwrap();
    let flask = &task["Properties"]["ContainerDefinitions"][0];
    // the image's user, port and scratch directory are the task definition's
    assert_eq!(flask["User"], dockerfile("USER"));
    let cmd: Vec<String> = serde_json::from_str(&dockerfile("CMD")).unwrap();
    let arg = |name: &str| cmd[cmd.iter().position(|a| a == name).unwrap() + 1].clone();
    assert_eq!(arg("--bind"), "0.0.0.0:8080");
    assert_eq!(
        flask["PortMappings"],
        json!([{"ContainerPort": 8080, "Protocol": "tcp"}])
    );
    assert_eq!(dockerfile("EXPOSE"), "8080");
    assert_eq!(flask["ReadonlyRootFilesystem"], true);
    assert_eq!(
        flask["MountPoints"],
        json!([{"ContainerPath": arg("--worker-tmp-dir"), "ReadOnly": false, "SourceVolume": "flask-scratch-1"}])
    );
    assert_eq!(
        task["Properties"]["Volumes"],
        json!([{"Name": "flask-scratch-1"}])
    );
    assert_eq!(
        flask["LinuxParameters"]["Capabilities"],
        json!({"Drop": ["ALL"]})
    );
    // the load balancer keeps listening on 80, where the API's VPC link sends requests
    let (_, listener) = t
        .single_resource("AWS::ElasticLoadBalancingV2::Listener")
        .unwrap();
    assert_eq!(listener["Properties"]["Port"], 80);
    let (_, group) = t
        .single_resource("AWS::ElasticLoadBalancingV2::TargetGroup")
        .unwrap();
    assert_eq!(group["Properties"]["Port"], 8080);
}

#[test]
fn observability_is_on_and_logs_outlive_the_stack() {
    let t = flask_api();
    t.has_resource_properties(
        "AWS::ECS::Cluster",
        json!({"ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]}),
    )
    .unwrap();
    for (id, group) in t.find_resources("AWS::Logs::LogGroup", Match::any_value()) {
        assert_eq!(group["DeletionPolicy"], "Retain", "{id}");
        assert_eq!(group["UpdateReplacePolicy"], "Retain", "{id}");
        assert!(group["Properties"]["RetentionInDays"].is_u64(), "{id}");
    }
}

#[test]
fn each_deliberate_exception_of_compute_and_network_says_why() {
    let t = flask_api();
    let resources = t.json()["Resources"].as_object().unwrap();
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, r) in resources {
        for e in r["Metadata"]["cloudwright"]["exceptions"]
            .as_array()
            .into_iter()
            .flatten()
        {
            assert!(
                e["reason"].as_str().is_some_and(|r| r.len() > 20),
                "{id}: {e}"
            );
            for check in e["checks"].as_array().unwrap() {
                found
                    .entry(id.clone())
                    .or_default()
                    .push(check.as_str().unwrap().to_owned());
            }
        }
    }
    for (id, checks) in [
        ("TaskLogs", &["checkov:CKV_AWS_158", "cfn_nag:W84"][..]),
        ("TaskExecutionRole", &["cfn_nag:W11"]),
        ("ServiceSecurityGroup", &["cfn_nag:W5", "cfn_nag:W9"]),
        (
            "NetworkPublicSubnet1",
            &["checkov:CKV_AWS_130", "cfn_nag:W33"],
        ),
        (
            "NetworkPublicSubnet2",
            &["checkov:CKV_AWS_130", "cfn_nag:W33"],
        ),
    ] {
        assert_eq!(
            found.get(id).cloned().unwrap_or_default(),
            checks.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>(),
            "{id}"
        );
    }
}

#[test]
fn the_execution_role_is_passed_by_arn() {
    let t = flask_api();
    let (role, _) = t.single_resource("AWS::IAM::Role").unwrap();
    let (_, task) = t.single_resource("AWS::ECS::TaskDefinition").unwrap();
    assert_eq!(
        task["Properties"]["ExecutionRoleArn"],
        json!({"Fn::GetAtt": [role, "Arn"]})
    );
}

#[test]
fn scaling_is_cpu_target_tracking_from_2_to_10() {
    let t = flask_api();
    let (_, target) = t
        .single_resource("AWS::ApplicationAutoScaling::ScalableTarget")
        .unwrap();
    assert_eq!(target["Properties"]["MinCapacity"], 2);
    assert_eq!(target["Properties"]["MaxCapacity"], 10);
    let (_, policy) = t
        .single_resource("AWS::ApplicationAutoScaling::ScalingPolicy")
        .unwrap();
    assert_eq!(
        policy["Properties"]["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]
            ["PredefinedMetricType"],
        "ECSServiceAverageCPUUtilization"
    );
}

/// Every Ref / GetAtt / ${..} target inside a value.
fn references(v: &Json, out: &mut BTreeSet<String>) {
    match v {
        Json::Object(m) => {
            if let Some(Json::String(r)) = m.get("Ref") {
                out.insert(r.clone());
            }
            if let Some(Json::Array(a)) = m.get("Fn::GetAtt")
                && let Some(Json::String(r)) = a.first()
            {
                out.insert(r.clone());
            }
            let sub = match m.get("Fn::Sub") {
                Some(Json::String(s)) => Some(s.clone()),
                Some(Json::Array(a)) => a.first().and_then(|s| s.as_str()).map(str::to_owned),
                _ => None,
            };
            if let Some(s) = sub {
                for part in s.split("${").skip(1) {
                    let name = part.split('}').next().unwrap_or("");
                    out.insert(name.split('.').next().unwrap_or("").to_owned());
                }
            }
            for v in m.values() {
                references(v, out);
            }
        }
        Json::Array(a) => a.iter().for_each(|v| references(v, out)),
        _ => {}
    }
}

#[test]
fn no_depends_on_is_redundant() {
    let t = flask_api();
    let resources = t.json()["Resources"].as_object().unwrap();
    let mut edges: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (id, r) in resources {
        let mut refs = BTreeSet::new();
        references(&r["Properties"], &mut refs);
        refs.retain(|x| resources.contains_key(x));
        edges.insert(id, refs);
    }
    let reachable = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(n) = stack.pop() {
            for m in edges.get(n.as_str()).into_iter().flatten() {
                if m == to {
                    return true;
                }
                if seen.insert(m.clone()) {
                    stack.push(m.clone());
                }
            }
        }
        false
    };
    for (id, r) in resources {
        for d in r["DependsOn"].as_array().into_iter().flatten() {
            let d = d.as_str().unwrap();
            assert!(
                !reachable(id, d),
                "{id} DependsOn {d}, which its references already imply"
            );
        }
    }
}
