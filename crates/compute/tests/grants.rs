//! A task definition receives grants through its task role.

use cloudwright_core::App;
use cloudwright_data::{Key, Table};
use cloudwright_iam::assertions::IamAssertions;
use cloudwright_testing::Template;

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[test]
fn a_task_definition_is_a_grantee_reached_through_its_task_role() -> TestResult {
    use cloudwright_compute::{Container, ContainerImage, FargateSize, FargateTaskDefinition};
    let app = App::new();
    let mut stack = app.stack("Data")?;
    let table = stack.construct("Orders", Table::new(Key::string("id")))?;
    let mut task = FargateTaskDefinition::new(FargateSize::HALF_VCPU_1GB).task_role([]);
    task.add_container(Container::new(
        "app",
        ContainerImage::from_uri("public.ecr.aws/docker/library/busybox:1.36"),
    ));
    let task = stack.construct("Task", task)?;
    table.grant_read_write_data(&mut stack, &task)?;
    let mut bare = FargateTaskDefinition::new(FargateSize::HALF_VCPU_1GB);
    bare.add_container(Container::new(
        "app",
        ContainerImage::from_uri("public.ecr.aws/docker/library/busybox:1.36"),
    ));
    let bare = stack.construct("Bare", bare)?;
    let err = table
        .grant_read_data(&mut stack, &bare)
        .err()
        .ok_or("no role, no grant")?;
    assert!(err.to_string().contains("task_role([])"), "{err}");
    drop(stack);
    let t = Template::from_stack(&app.synth()?, "Data")?;
    assert_eq!(
        t.who_may("dynamodb:PutItem", "${OrdersTable.Arn}"),
        ["TaskTaskRole"]
    );
    // the task definition (and so every service running it) waits for the grant's policy
    let policy = t
        .find_resources("AWS::IAM::Policy", cloudwright_testing::Match::any_value())
        .into_iter()
        .map(|(id, _)| id.to_owned())
        .find(|id| id.starts_with("TaskTaskRole"))
        .ok_or("the grant's policy")?;
    let definition = t
        .find_resources(
            "AWS::ECS::TaskDefinition",
            cloudwright_testing::Match::any_value(),
        )
        .into_iter()
        .find(|(id, _)| id.starts_with("Task"))
        .ok_or("the task definition")?
        .1;
    let depends_on = definition["DependsOn"].clone();
    let waits = depends_on.as_str() == Some(policy.as_str())
        || depends_on
            .as_array()
            .is_some_and(|a| a.iter().any(|d| d.as_str() == Some(policy.as_str())));
    assert!(waits, "{definition}");
    Ok(())
}
