//! The `app-two-services` app: a network stack and a services stack joined by cross-stack
//! references, two services behind one internal NLB on different ports, one public REST API
//! (one VPC link) with one route to each, and templates that pass cfn-lint with no findings at
//! all.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::collections::BTreeSet;

use cloudwright_core::assertions::{Match, Template};
use cloudwright_core::{App, Assembly};
use cloudwright_tests::assert_lint_clean;

fn template(asm: &Assembly, id: &str) -> Template {
    Template::from_stack(asm, id).unwrap()
}

fn synth() -> Assembly {
    let mut app = App::new();
    app_two_services::build(&mut app).unwrap();
    app.synth().unwrap()
}

#[test]
fn network_comes_first_and_services_imports_from_it() {
    let asm = synth();
    let ids: Vec<&str> = asm.stacks.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["Network", "Services"]);
    assert_eq!(asm.stack("Services").unwrap().dependencies, ["Network"]);
    assert!(asm.stack("Network").unwrap().dependencies.is_empty());

    let network = template(&asm, "Network");
    assert_eq!(
        network
            .find_resources("AWS::EC2::VPC", Match::any_value())
            .len(),
        1
    );
    assert_eq!(
        network.find_resources("AWS::EC2::VPC", Match::any_value())[0].1["Properties"]["CidrBlock"],
        "10.20.0.0/16"
    );
    assert_eq!(
        network
            .find_resources("AWS::EC2::Subnet", Match::any_value())
            .len(),
        4
    );
    assert_eq!(
        network
            .find_resources("AWS::EC2::NatGateway", Match::any_value())
            .len(),
        1
    );

    let services = &asm.stack("Services").unwrap().template;
    assert!(services.contains("Fn::ImportValue"), "{services}");
    for export in &asm.stack("Network").unwrap().exports {
        assert!(
            services.contains(export.as_str()),
            "{export} is not imported"
        );
    }
}

#[test]
fn two_services_share_one_nlb_on_different_ports() {
    let asm = synth();
    let services = template(&asm, "Services");

    assert_eq!(
        services
            .find_resources("AWS::ECS::Service", Match::any_value())
            .len(),
        2
    );
    assert_eq!(
        services
            .find_resources(
                "AWS::ElasticLoadBalancingV2::LoadBalancer",
                Match::any_value()
            )
            .len(),
        1
    );
    let listener_ports: BTreeSet<u64> = services
        .find_resources("AWS::ElasticLoadBalancingV2::Listener", Match::any_value())
        .iter()
        .map(|(_, l)| l["Properties"]["Port"].as_u64().unwrap())
        .collect();
    assert_eq!(listener_ports, BTreeSet::from([8080, 8081]));

    // each service registers its own port, and its security group admits only that port,
    // only from the load balancer's (private) subnets
    let mut container_ports = BTreeSet::new();
    for (id, service) in services.find_resources("AWS::ECS::Service", Match::any_value()) {
        let lbs = service["Properties"]["LoadBalancers"].as_array().unwrap();
        assert_eq!(lbs.len(), 1, "{id}");
        let port = lbs[0]["ContainerPort"].as_u64().unwrap();
        container_ports.insert(port);
        let group = &service["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"]
            [0]["Fn::GetAtt"][0];
        let ingress =
            services.json()["Resources"][group.as_str().unwrap()]["Properties"]["SecurityGroupIngress"]
                .as_array()
                .unwrap();
        assert_eq!(ingress.len(), 2, "{id}");
        for (rule, cidr) in ingress.iter().zip(["10.20.0.0/24", "10.20.1.0/24"]) {
            assert_eq!(rule["FromPort"], port, "{id}");
            assert_eq!(rule["ToPort"], port, "{id}");
            assert_eq!(rule["CidrIp"], cidr, "{id}");
        }
    }
    assert_eq!(container_ports, BTreeSet::from([8080, 8081]));

    // both scale on CPU
    let policies = services.find_resources(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        Match::any_value(),
    );
    assert_eq!(policies.len(), 2);
    for (id, p) in policies {
        assert_eq!(
            p["Properties"]["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]
                ["PredefinedMetricType"],
            "ECSServiceAverageCPUUtilization",
            "{id}"
        );
    }
}

#[test]
fn one_api_and_one_vpc_link_route_each_service_to_its_own_port() {
    let asm = synth();
    let services = template(&asm, "Services");

    // AWS allows one REST API VPC link per network load balancer: exactly one, to the NLB
    let links = services.find_resources("AWS::ApiGateway::VpcLink", Match::any_value());
    assert_eq!(links.len(), 1, "{links:?}");
    let (lb_id, _) = services.find_resources(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        Match::any_value(),
    )[0];
    assert_eq!(
        links[0].1["Properties"]["TargetArns"],
        serde_json::json!([{ "Ref": lb_id }])
    );
    // the body reaches the link and the load balancer through the stage's variables
    let stages = services.find_resources("AWS::ApiGateway::Stage", Match::any_value());
    assert_eq!(stages.len(), 1);
    assert_eq!(
        stages[0].1["Properties"]["Variables"],
        serde_json::json!({
            "vpcLinkId": { "Ref": links[0].0 },
            "loadBalancerDns": { "Fn::GetAtt": [lb_id, "DNSName"] },
        })
    );
    let link_ref = serde_json::json!("${stageVariables.vpcLinkId}");

    let apis = services.find_resources("AWS::ApiGateway::RestApi", Match::any_value());
    assert_eq!(apis.len(), 1);
    let paths = apis[0].1["Properties"]["Body"]["paths"]
        .as_object()
        .unwrap();
    let mut routes = BTreeSet::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let integration = &op["x-amazon-apigateway-integration"];
            assert_eq!(integration["connectionId"], link_ref, "{method} {path}");
            let uri = integration["uri"].as_str().unwrap();
            routes.insert((method.clone(), path.clone(), uri.to_owned()));
        }
    }
    assert_eq!(
        routes,
        BTreeSet::from([
            (
                "get".into(),
                "/catalog".into(),
                "http://${stageVariables.loadBalancerDns}:8081/catalog".into()
            ),
            (
                "get".into(),
                "/orders".into(),
                "http://${stageVariables.loadBalancerDns}:8080/orders".into()
            ),
        ])
    );

    // each service's nginx answers its own public path on its own port
    let mut commands = BTreeSet::new();
    for (_, task) in services.find_resources("AWS::ECS::TaskDefinition", Match::any_value()) {
        let command = task["Properties"]["ContainerDefinitions"][0]["Command"][2]
            .as_str()
            .unwrap();
        for (name, port) in [("orders", 8080), ("catalog", 8081)] {
            if command.contains(&format!("location = /{name} {{")) {
                assert!(command.contains(&format!("listen {port};")), "{command}");
                commands.insert(name);
            }
        }
    }
    assert_eq!(commands, BTreeSet::from(["catalog", "orders"]));
}

#[test]
fn both_templates_pass_cfn_lint_with_no_findings() {
    let asm = synth();
    for s in &asm.stacks {
        assert_lint_clean(&s.id, &s.template);
    }
}

#[test]
fn an_error_three_constructs_deep_names_the_full_path_once() {
    use app_two_services::web_service;
    use cloudwright_compute::Cluster;
    use cloudwright_network::SubnetGroup;
    use cloudwright_patterns::PrivateServiceApi;

    let build = |app: &mut App| -> Result<(), cloudwright_core::Error> {
        let mut stack = app.stack("Services")?;
        let private = SubnetGroup::imported("vpc-0123abcd", [("subnet-0000000a", "10.20.0.0/24")]);
        let cluster = stack.construct("Cluster", Cluster::new())?;
        // 9 tasks, but the service scales between 1 and 4: refused by the Fargate service,
        // inside the orders service of the pattern `Web`
        stack.construct(
            "Web",
            PrivateServiceApi::new("shop", &private, &cluster)
                .service(web_service("orders", 8080).desired_count(9)),
        )?;
        Ok(())
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let dir = cloudwright_testing::fixtures::TempDir::new("three-deep").unwrap();
    let code = cloudwright_core::runner::run_with(
        [
            "--out".to_string(),
            dir.path().join("out").display().to_string(),
        ],
        &dir.path().join("absent.context.json"),
        build,
        &mut out,
        &mut err,
    );
    let err = String::from_utf8(err).unwrap();
    assert_eq!(code, 1, "{err}");
    let path = "Services/Web/Orders/Service: ";
    assert_eq!(err.matches(path).count(), 1, "{err}");
    assert_eq!(err.matches("the desired count 9").count(), 1, "{err}");
    assert!(!err.contains("caused by"), "{err}");
    assert!(!dir.path().join("out").exists());
}
