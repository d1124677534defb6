//! The PrivateServiceApi pattern on its own: lint-clean with its defaults, and its refusals.

use cloudwright_compute::{Cluster, Container, ContainerImage, FargateSize, FargateTaskDefinition};
use cloudwright_core::App;
use cloudwright_ingress::Route;
use cloudwright_network::SubnetGroup;
use cloudwright_patterns::{ApiService, Error, PrivateServiceApi};
use cloudwright_testing::{Template, assert_lint_clean_informational, fixtures};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn private() -> SubnetGroup {
    SubnetGroup::imported(fixtures::VPC_ID, fixtures::PRIVATE_SUBNETS)
}

#[test]
fn one_service_behind_one_route_is_lint_clean_and_exposes_only_that_route() -> TestResult {
    let app = App::new();
    let mut stack = app.stack("People")?;
    let cluster = stack.construct("Cluster", Cluster::new())?;
    let mut task = FargateTaskDefinition::new(FargateSize::HALF_VCPU_1GB);
    let web = task.add_container(
        Container::new(
            "web",
            ContainerImage::from_uri("public.ecr.aws/nginx/nginx:1.27"),
        )
        .port(8080),
    );
    let out = stack.construct(
        "People",
        PrivateServiceApi::new("people", &private(), &cluster).service(
            ApiService::new("Web", task, &web, 8080).route(Route::get("/{person}").public()),
        ),
    )?;
    assert_eq!(out.api.exposed_routes().len(), 1);
    drop(stack);
    let assembly = app.synth()?;
    assert_lint_clean_informational("People", &assembly.stacks[0].template);
    let t = Template::from_stack(&assembly, "People")?;
    t.resource_count_is("AWS::ECS::Service", 1)?;
    t.resource_count_is("AWS::ApiGateway::VpcLink", 1)?;
    Ok(())
}

#[test]
fn an_api_without_a_service_is_refused() -> TestResult {
    let app = App::new();
    let mut stack = app.stack("People")?;
    let cluster = stack.construct("Cluster", Cluster::new())?;
    let err = stack
        .construct(
            "People",
            PrivateServiceApi::new("people", &private(), &cluster),
        )
        .err()
        .ok_or("no service, no API")?;
    assert_eq!(err.downcast_ref::<Error>(), Some(&Error::NoServices));
    assert!(err.to_string().starts_with("People/People: "), "{err}");
    Ok(())
}
