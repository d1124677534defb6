//! The flask-api app's template: cfn-lint clean, identical to the reviewed snapshot, and
//! saying what the architecture means (one public route, nothing else reachable, least
//! privilege, no redundant DependsOn).
//!
//! After an intended change, refresh the snapshot with
//! `CLOUDWRIGHT_UPDATE_SNAPSHOTS=1 cargo test -p cloudwright-tests --test flask_api`
//! and review the diff of `tests/snapshots/FlaskApi.template.json`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::collections::{BTreeMap, BTreeSet};

use cloudwright_core::{App, Context};
use cloudwright_tests::{assert_lint_clean, workspace_root};
use serde_json::{Value as Json, json};

fn synthesize() -> String {
    let ctx = Context::from_file(&workspace_root().join("apps/flask-api/cloudwright.context.json"))
        .unwrap();
    let mut app = App::with_context(ctx);
    app_flask_api::build(&mut app).unwrap();
    let asm = app.synth().unwrap();
    assert_eq!(asm.stacks.len(), 1);
    asm.stacks[0].template.clone()
}

fn template() -> Json {
    serde_json::from_str(&synthesize()).unwrap()
}

fn of_type<'a>(t: &'a Json, type_name: &str) -> Vec<(&'a String, &'a Json)> {
    t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == type_name)
        .collect()
}

fn one<'a>(t: &'a Json, type_name: &str) -> (&'a String, &'a Json) {
    let all = of_type(t, type_name);
    assert_eq!(all.len(), 1, "expected one {type_name}");
    all[0]
}

#[test]
fn passes_cfn_lint_with_no_findings() {
    assert_lint_clean("FlaskApi", &synthesize());
}

#[test]
fn matches_the_reviewed_snapshot() {
    let text = synthesize();
    let file = workspace_root().join("tests/snapshots/FlaskApi.template.json");
    if std::env::var_os("CLOUDWRIGHT_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&file, &text).unwrap();
    }
    let expected = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        expected == text,
        "the template differs from {}; if the change is intended, rerun with CLOUDWRIGHT_UPDATE_SNAPSHOTS=1 and review the diff",
        file.display()
    );
}

#[test]
fn exactly_one_public_route() {
    let t = template();
    let (_, api) = one(&t, "AWS::ApiGateway::RestApi");
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
    let (_, stage) = one(&t, "AWS::ApiGateway::Stage");
    assert_eq!(stage["Properties"]["StageName"], "v1");
    // nothing else reaches the internet: no other API, no internet-facing load balancer
    assert!(of_type(&t, "AWS::ApiGateway::Method").is_empty());
    assert!(of_type(&t, "AWS::ApiGatewayV2::Api").is_empty());
}

fn one_named<'a>(t: &'a Json, logical_id: &'a str) -> (&'a str, &'a Json) {
    (logical_id, &t["Resources"][logical_id])
}

#[test]
fn the_load_balancer_is_internal_and_tasks_get_no_public_ip() {
    let t = template();
    let (_, lb) = one(&t, "AWS::ElasticLoadBalancingV2::LoadBalancer");
    assert_eq!(lb["Properties"]["Scheme"], "internal");
    assert_eq!(lb["Properties"]["Type"], "network");
    assert_eq!(
        lb["Properties"]["Subnets"],
        json!([{"Ref": "NetworkPrivateSubnet1"}, {"Ref": "NetworkPrivateSubnet2"}])
    );
    let (_, svc) = one(&t, "AWS::ECS::Service");
    let net = &svc["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"];
    assert_eq!(net["AssignPublicIp"], "DISABLED");
    assert_eq!(
        net["Subnets"],
        json!([{"Ref": "NetworkPrivateSubnet1"}, {"Ref": "NetworkPrivateSubnet2"}])
    );
}

#[test]
fn the_task_security_group_admits_only_port_80_from_the_load_balancer_subnets() {
    let t = template();
    let groups = of_type(&t, "AWS::EC2::SecurityGroup");
    assert_eq!(groups.len(), 1);
    let ingress = groups[0].1["Properties"]["SecurityGroupIngress"]
        .as_array()
        .unwrap();
    // the load balancer lives in the two private subnets; its traffic comes from there only
    let (_, subnet1) = one_named(&t, "NetworkPrivateSubnet1");
    let (_, subnet2) = one_named(&t, "NetworkPrivateSubnet2");
    let lb_cidrs = [
        subnet1["Properties"]["CidrBlock"].clone(),
        subnet2["Properties"]["CidrBlock"].clone(),
    ];
    assert_eq!(ingress.len(), 2);
    for (rule, cidr) in ingress.iter().zip(&lb_cidrs) {
        assert_eq!(rule["IpProtocol"], "tcp", "{rule}");
        assert_eq!(rule["FromPort"], 80, "{rule}");
        assert_eq!(rule["ToPort"], 80, "{rule}");
        assert_eq!(&rule["CidrIp"], cidr, "{rule}");
    }
    assert!(of_type(&t, "AWS::EC2::SecurityGroupIngress").is_empty());
}

#[test]
fn the_service_waits_for_the_listener_and_its_nat_routes_and_names_a_container_that_exists() {
    let t = template();
    let (_, svc) = one(&t, "AWS::ECS::Service");
    let (listener, _) = one(&t, "AWS::ElasticLoadBalancingV2::Listener");
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
    let (_, task) = one(&t, "AWS::ECS::TaskDefinition");
    let names: Vec<&Json> = task["Properties"]["ContainerDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["Name"])
        .collect();
    assert_eq!(names, [&json!("flask")]);
    for lb in svc["Properties"]["LoadBalancers"].as_array().unwrap() {
        assert!(names.contains(&&lb["ContainerName"]), "{lb}");
        assert_eq!(lb["ContainerPort"], 80);
    }
    assert_eq!(task["Properties"]["Cpu"], "1024");
    assert_eq!(task["Properties"]["Memory"], "2048");
    let image = task["Properties"]["ContainerDefinitions"][0]["Image"]
        .as_str()
        .unwrap();
    assert!(
        image.starts_with("123456789012.dkr.ecr.eu-west-1.amazonaws.com/my_flask_repo@sha256:"),
        "the image is pinned by digest: {image}"
    );
}

#[test]
fn the_execution_role_is_passed_by_arn() {
    let t = template();
    let (role, _) = one(&t, "AWS::IAM::Role");
    let (_, task) = one(&t, "AWS::ECS::TaskDefinition");
    assert_eq!(
        task["Properties"]["ExecutionRoleArn"],
        json!({"Fn::GetAtt": [role, "Arn"]})
    );
}

#[test]
fn scaling_is_cpu_target_tracking_from_2_to_10() {
    let t = template();
    let (_, target) = one(&t, "AWS::ApplicationAutoScaling::ScalableTarget");
    assert_eq!(target["Properties"]["MinCapacity"], 2);
    assert_eq!(target["Properties"]["MaxCapacity"], 10);
    let (_, policy) = one(&t, "AWS::ApplicationAutoScaling::ScalingPolicy");
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
    let t = template();
    let resources = t["Resources"].as_object().unwrap();
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
