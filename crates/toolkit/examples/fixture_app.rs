//! A small cloudwright app the toolkit's integration tests deploy to moto. The context value
//! `fixture` picks what it synthesizes:
//!
//! - `lookup`: looks up the VPC `vpcId` (vpc-provider) and the newest image of the ECR
//!   repository `repository` (ecr-image-provider), and allocates a /24 subnet beside the
//!   existing ones (the first /24 after the highest existing subnet; a stand-in for the
//!   network crate's allocator);
//! - `multi`: stack `CwNet` with a VPC, and stack `CwApp` with a subnet and a security group in
//!   it (a cross-stack reference: an export in CwNet, an import in CwApp); with `version=2`
//!   CwApp gets a second subnet; with `version=3` CwApp has a VPC of its own (no import);
//!   `netCidr` sets CwNet's VPC block (default 10.20.0.0/16; another one replaces the VPC);
//! - `single`: stack `CwSingle` with a parameter `Env` and a VPC (and a subnet with
//!   `version=2`);
//! - `pair`: two independent stacks, `CwLeft` and `CwRight`, each with a VPC;
//! - `fail`: stack `CwFail` with a network load balancer and a TCP listener, which moto rejects
//!   (it makes every load balancer an application load balancer);
//! - `iam`: stack `CwIam` with a named IAM role (needs CAPABILITY_NAMED_IAM);
//! - `logs`: stack `CwLogs` with two log groups of the same name (moto answers with JSON where
//!   the CloudFormation API has XML);
//! - `big`: stack `CwBig`, a VPC with 60 KB of metadata: a template over the 51,200-byte limit
//!   for inline templates;
//! - `asset`: stack `CwAsset` (eu-west-1) with a Fargate task definition whose container image
//!   is built from the directory given as context `assetDir` (`ContainerImage::from_asset`),
//!   published to the repository given as context `repository` (default: cloudwright's own);
//!   pinned to the account given as context `account`, if any;
//!   output `Image` is the image it runs;
//! - `service`: stack `CwHot` (eu-west-1), an ECS cluster running a Fargate service whose task
//!   definition's container image is built from `assetDir` (the hotswap and watch tests);
//!   context `count` sets the service's desired count (default 1) and `sg` its security
//!   group's description (default `fixture`), `env` an environment variable `GREETING` of the
//!   container;
//! - `files`: stack `CwFiles` (eu-west-1) with an IAM role and a Lambda function (python3.12)
//!   whose code is a file asset: the directory given as context `assetDir` (files matching
//!   context `ignore`, a pattern, left out), or with `rust=DIR` the Rust package in DIR built
//!   for `provided.al2023`; outputs `Bucket` and `Key` are where the code is;
//! - `retain`: stack `CwRetain` with a VPC and a log group `cloudwright-kept-logs` whose
//!   `DeletionPolicy` is `Retain` (what `destroy` reports it kept);
//! - `accounts`: stacks `CwAcctA` (pinned to account `accountA`, default 123456789012) and
//!   `CwAcctB` (pinned to `accountB`, default 222222222222), each with a VPC, both in
//!   eu-west-1; with `lookup=1` each looks up its account's default VPC (the lookup's key
//!   holds the account) and outputs its id as `DefaultVpc`;
//! - `pinned`: stack `CwPinned` pinned to account `account` (eu-west-1) with a VPC
//!   (`account=none`: no account pinned); with `lookup=1` it looks up the default VPC of
//!   eu-west-1 and outputs its id as `DefaultVpc`;
//! - `weak`: stack `CwProducer` (region `producerRegion`, default eu-west-1) with a VPC whose
//!   CIDR is `cidr` (default 10.80.0.0/16) and an SSM parameter named `/cloudwright/<label>`
//!   (default `blue`), and stack `CwConsumer` (region `consumerRegion`, default us-east-1,
//!   `none`: unpinned) with a security group whose
//!   description is the producer's VPC CIDR block: a reference across regions, plain (refused
//!   at synthesis) or, with `weak=1`, weak (a parameter filled at deploy), and then a second
//!   security group described by the SSM parameter's name (weak);
//! - `flask-api`: the flask-api app itself (run with its committed context file), for the
//!   CLI's `synth --yaml` test;
//! - `people-serverless`: the people-serverless app (two stacks, four functions whose code
//!   is zip assets), for its deploy to moto.
//!
//! Run it as `fixture_app -c fixture=multi --out DIR ...` (the runner's flags).

use std::net::Ipv4Addr;
use std::process::ExitCode;

use cloudwright_core::{
    App, ContextQuery, Error, Output, Parameter, RawResource, StackProps, Value,
};

fn text(app: &App, key: &str) -> Option<String> {
    app.context().get(key).map(|v| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// The first /24 at or after the end of the highest existing subnet.
fn next_subnet(existing: &[(Ipv4Addr, u32)], vpc: (Ipv4Addr, u32)) -> String {
    let end = existing
        .iter()
        .map(|(addr, len)| u32::from(*addr) + (1u32 << (32 - len)))
        .max()
        .unwrap_or(u32::from(vpc.0));
    let aligned = end.div_ceil(256) * 256;
    format!("{}/24", Ipv4Addr::from(aligned))
}

fn parse_cidr(c: &str) -> Option<(Ipv4Addr, u32)> {
    let (a, l) = c.split_once('/')?;
    Some((a.parse().ok()?, l.parse().ok()?))
}

fn lookup(app: &mut App) -> Result<(), Error> {
    let vpc_id = text(app, "vpcId").unwrap_or_default();
    let repository = text(app, "repository").unwrap_or_default();
    let mut stack = app.stack_with("CwLookup", StackProps::new().region("eu-west-1"))?;
    let vpc = stack.lookup(
        &ContextQuery::new("vpc-provider")
            .prop("region", "eu-west-1")
            .prop("vpcId", vpc_id.clone()),
    )?;
    let image = stack.lookup(
        &ContextQuery::new("ecr-image-provider")
            .prop("region", "eu-west-1")
            .prop("repositoryName", repository),
    )?;
    let vpc_cidr = vpc["cidrBlocks"][0]
        .as_str()
        .and_then(parse_cidr)
        .ok_or_else(|| stack.invalid("the looked-up VPC has no IPv4 CIDR block"))?;
    let existing: Vec<(Ipv4Addr, u32)> = vpc["subnets"]
        .as_array()
        .map(|s| {
            s.iter()
                .filter_map(|s| s["cidrBlock"].as_str().and_then(parse_cidr))
                .collect()
        })
        .unwrap_or_default();
    let az = vpc["availabilityZones"][0].as_str().unwrap_or("eu-west-1a");
    let subnet = stack.add(
        "Subnet",
        RawResource::new("AWS::EC2::Subnet")
            .property("VpcId", vpc["vpcId"].as_str().unwrap_or_default())
            .property("CidrBlock", next_subnet(&existing, vpc_cidr))
            .property("AvailabilityZone", az),
    )?;
    stack.add_output("SubnetId", Output::new(subnet.r#ref()))?;
    let uri = format!(
        "{}:{}",
        image["repositoryUri"].as_str().unwrap_or_default(),
        image["tag"].as_str().unwrap_or("latest")
    );
    stack.add_output("Image", Output::new(uri))?;
    Ok(())
}

fn multi(app: &mut App, version: u32) -> Result<(), Error> {
    let net_cidr = text(app, "netCidr").unwrap_or_else(|| "10.20.0.0/16".into());
    let mut net = app.stack("CwNet")?;
    let vpc = net.add(
        "Vpc",
        RawResource::new("AWS::EC2::VPC").property("CidrBlock", net_cidr),
    )?;
    net.add_output("VpcId", Output::new(vpc.r#ref()))?;
    let mut svc = app.stack("CwApp")?;
    // version 3: CwApp has a VPC of its own and no longer imports CwNet's
    let vpc = if version >= 3 {
        svc.add(
            "OwnVpc",
            RawResource::new("AWS::EC2::VPC").property("CidrBlock", "10.21.0.0/16"),
        )?
    } else {
        vpc
    };
    let net = if version >= 3 { "10.21" } else { "10.20" };
    let subnet = svc.add(
        "Subnet",
        RawResource::new("AWS::EC2::Subnet")
            .property("VpcId", vpc.r#ref())
            .property("CidrBlock", format!("{net}.1.0/24")),
    )?;
    let sg = svc.add(
        "Sg",
        RawResource::new("AWS::EC2::SecurityGroup")
            .property("GroupDescription", "fixture")
            .property("VpcId", vpc.r#ref()),
    )?;
    svc.add_output("SubnetId", Output::new(subnet.r#ref()))?;
    svc.add_output("SecurityGroupId", Output::new(sg.r#ref()))?;
    if version >= 2 {
        let second = svc.add(
            "Subnet2",
            RawResource::new("AWS::EC2::Subnet")
                .property("VpcId", vpc.r#ref())
                .property("CidrBlock", format!("{net}.2.0/24")),
        )?;
        svc.add_output("Subnet2Id", Output::new(second.r#ref()))?;
    }
    Ok(())
}

fn single(app: &mut App, version: u32) -> Result<(), Error> {
    let mut stack = app.stack("CwSingle")?;
    let env = stack.add_parameter("Env", Parameter::new("String").default_value("dev"))?;
    let vpc = stack.add(
        "Vpc",
        RawResource::new("AWS::EC2::VPC")
            .property("CidrBlock", "10.30.0.0/16")
            .property(
                "Tags",
                vec![Value::map([
                    ("Key", Value::from("Env")),
                    ("Value", env.r#ref()),
                ])],
            ),
    )?;
    stack.add_output("VpcId", Output::new(vpc.r#ref()))?;
    if version >= 2 {
        stack.add(
            "Subnet",
            RawResource::new("AWS::EC2::Subnet")
                .property("VpcId", vpc.r#ref())
                .property("CidrBlock", "10.30.1.0/24"),
        )?;
    }
    Ok(())
}

fn pair(app: &mut App) -> Result<(), Error> {
    for (name, cidr) in [("CwLeft", "10.70.0.0/16"), ("CwRight", "10.71.0.0/16")] {
        let mut stack = app.stack(name)?;
        let vpc = stack.add(
            "Vpc",
            RawResource::new("AWS::EC2::VPC").property("CidrBlock", cidr),
        )?;
        stack.add_output("VpcId", Output::new(vpc.r#ref()))?;
    }
    Ok(())
}

fn fail(app: &mut App) -> Result<(), Error> {
    let mut stack = app.stack("CwFail")?;
    let vpc = stack.add(
        "Vpc",
        RawResource::new("AWS::EC2::VPC").property("CidrBlock", "10.40.0.0/16"),
    )?;
    let a = stack.add(
        "SubnetA",
        RawResource::new("AWS::EC2::Subnet")
            .property("VpcId", vpc.r#ref())
            .property("CidrBlock", "10.40.1.0/24")
            .property("AvailabilityZone", "eu-west-1a"),
    )?;
    let b = stack.add(
        "SubnetB",
        RawResource::new("AWS::EC2::Subnet")
            .property("VpcId", vpc.r#ref())
            .property("CidrBlock", "10.40.2.0/24")
            .property("AvailabilityZone", "eu-west-1b"),
    )?;
    let lb = stack.add(
        "Nlb",
        RawResource::new("AWS::ElasticLoadBalancingV2::LoadBalancer")
            .property("Type", "network")
            .property("Scheme", "internal")
            .property("Subnets", vec![a.r#ref(), b.r#ref()]),
    )?;
    let tg = stack.add(
        "Targets",
        RawResource::new("AWS::ElasticLoadBalancingV2::TargetGroup")
            .property("Port", 80)
            .property("Protocol", "TCP")
            .property("TargetType", "ip")
            .property("VpcId", vpc.r#ref()),
    )?;
    stack.add(
        "ApiListener",
        RawResource::new("AWS::ElasticLoadBalancingV2::Listener")
            .property("LoadBalancerArn", lb.r#ref())
            .property("Port", 80)
            .property("Protocol", "TCP")
            .property(
                "DefaultActions",
                vec![Value::map([
                    ("Type", Value::from("forward")),
                    ("TargetGroupArn", tg.r#ref()),
                ])],
            ),
    )?;
    Ok(())
}

fn iam(app: &mut App) -> Result<(), Error> {
    let mut stack = app.stack("CwIam")?;
    let role = stack.add(
        "Role",
        RawResource::new("AWS::IAM::Role")
            .property("RoleName", "cloudwright-fixture-role")
            .property(
                "AssumeRolePolicyDocument",
                Value::from_json(&serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]})),
            ),
    )?;
    stack.add_output("RoleArn", Output::new(role.resource_ref().get_att("Arn")))?;
    Ok(())
}

fn big(app: &mut App) -> Result<(), Error> {
    let mut stack = app.stack("CwBig")?;
    let vpc = stack.add(
        "Vpc",
        RawResource::new("AWS::EC2::VPC").property("CidrBlock", "10.60.0.0/16"),
    )?;
    stack.set_metadata(&vpc, Value::map([("Padding", "x".repeat(60_000))]))?;
    Ok(())
}

fn logs(app: &mut App) -> Result<(), Error> {
    let mut stack = app.stack("CwLogs")?;
    for id in ["First", "Second"] {
        stack.add(
            id,
            RawResource::new("AWS::Logs::LogGroup").property("LogGroupName", "cloudwright-dup"),
        )?;
    }
    Ok(())
}

fn asset(app: &mut App) -> Result<(), Error> {
    use cloudwright_compute::{Container, ContainerImage, FargateSize, FargateTaskDefinition};
    let dir = text(app, "assetDir")
        .ok_or_else(|| Error::Usage("set -c assetDir=DIR for -c fixture=asset".into()))?;
    let repository = text(app, "repository");
    let mut props = StackProps::new().region("eu-west-1");
    if let Some(account) = text(app, "account") {
        props = props.account(account);
    }
    let mut stack = app.stack_with("CwAsset", props)?;
    let mut image = ContainerImage::from_asset(dir);
    if let Some(r) = repository {
        image = image.repository(r);
    }
    let mut task = FargateTaskDefinition::new(FargateSize::QUARTER_VCPU_HALF_GB);
    task.add_container(Container::new("app", image));
    let task = stack.construct("Task", task)?;
    stack.add_output("TaskDefinition", Output::new(task.arn()))?;
    Ok(())
}

fn files(app: &mut App) -> Result<(), Error> {
    use cloudwright_core::asset::{Architecture, FileAssetSource, file_asset_bucket};
    let source = match (text(app, "rust"), text(app, "assetDir")) {
        (Some(dir), _) => FileAssetSource::RustFunction {
            directory: dir.into(),
            architecture: match text(app, "arch").as_deref() {
                Some("arm64") => Architecture::Arm64,
                _ => Architecture::X86_64,
            },
        },
        (None, Some(dir)) => FileAssetSource::Directory {
            directory: dir.into(),
            ignore: text(app, "ignore").into_iter().collect(),
        },
        (None, None) => {
            return Err(Error::Usage(
                "set -c assetDir=DIR or -c rust=DIR for -c fixture=files".into(),
            ));
        }
    };
    let rust = matches!(source, FileAssetSource::RustFunction { .. });
    let mut stack = app.stack_with("CwFiles", StackProps::new().region("eu-west-1"))?;
    let asset = stack.add_file_asset(&source)?;
    let role = stack.add(
        "Role",
        RawResource::new("AWS::IAM::Role").property(
            "AssumeRolePolicyDocument",
            Value::from_json(
                &serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
            ),
        ),
    )?;
    let (runtime, handler) = if rust {
        ("provided.al2023", "bootstrap")
    } else {
        ("python3.12", "index.handler")
    };
    stack.add(
        "Function",
        RawResource::new("AWS::Lambda::Function")
            .property("Runtime", runtime)
            .property("Handler", handler)
            .property("Role", role.resource_ref().get_att("Arn"))
            .property(
                "Code",
                Value::from(std::collections::BTreeMap::from([
                    ("S3Bucket".to_owned(), file_asset_bucket()),
                    ("S3Key".to_owned(), Value::from(asset.object_key.clone())),
                ])),
            ),
    )?;
    stack.add_output("Bucket", Output::new(file_asset_bucket()))?;
    stack.add_output("Key", Output::new(Value::from(asset.object_key)))?;
    Ok(())
}

fn service(app: &mut App) -> Result<(), Error> {
    use cloudwright_compute::{Container, ContainerImage, FargateSize, FargateTaskDefinition};
    let dir = text(app, "assetDir")
        .ok_or_else(|| Error::Usage("set -c assetDir=DIR for -c fixture=service".into()))?;
    let count: u32 = text(app, "count").and_then(|c| c.parse().ok()).unwrap_or(1);
    let sg_description = text(app, "sg").unwrap_or_else(|| "fixture".into());
    let greeting = text(app, "env");
    let mut stack = app.stack_with("CwHot", StackProps::new().region("eu-west-1"))?;
    let vpc = stack.add(
        "Vpc",
        RawResource::new("AWS::EC2::VPC").property("CidrBlock", "10.80.0.0/16"),
    )?;
    let subnet = stack.add(
        "Subnet",
        RawResource::new("AWS::EC2::Subnet")
            .property("VpcId", vpc.r#ref())
            .property("CidrBlock", "10.80.1.0/24"),
    )?;
    let sg = stack.add(
        "Sg",
        RawResource::new("AWS::EC2::SecurityGroup")
            .property("GroupDescription", sg_description)
            .property("VpcId", vpc.r#ref()),
    )?;
    let cluster = stack.add("Cluster", RawResource::new("AWS::ECS::Cluster"))?;
    let mut task = FargateTaskDefinition::new(FargateSize::QUARTER_VCPU_HALF_GB);
    let mut container = Container::new("app", ContainerImage::from_asset(dir));
    if let Some(g) = greeting {
        container = container.env("GREETING", g);
    }
    task.add_container(container);
    let task = stack.construct("Task", task)?;
    stack.add(
        "Service",
        RawResource::new("AWS::ECS::Service")
            .property("Cluster", cluster.r#ref())
            .property("TaskDefinition", task.arn())
            .property("DesiredCount", count)
            .property("LaunchType", "FARGATE")
            .property(
                "NetworkConfiguration",
                Value::map([(
                    "AwsvpcConfiguration",
                    Value::map([
                        ("Subnets", Value::from(vec![subnet.r#ref()])),
                        ("SecurityGroups", Value::from(vec![sg.r#ref()])),
                    ]),
                )]),
            ),
    )?;
    Ok(())
}

fn retain(app: &mut App) -> Result<(), Error> {
    let mut stack = app.stack("CwRetain")?;
    stack.add(
        "Vpc",
        RawResource::new("AWS::EC2::VPC").property("CidrBlock", "10.40.0.0/16"),
    )?;
    let logs = stack.add(
        "Logs",
        RawResource::new("AWS::Logs::LogGroup").property("LogGroupName", "cloudwright-kept-logs"),
    )?;
    stack.set_deletion_policy(&logs, cloudwright_core::Policy::Retain)?;
    Ok(())
}

fn accounts(app: &mut App) -> Result<(), Error> {
    let with_lookup = text(app, "lookup").as_deref() == Some("1");
    for (id, key, default, cidr) in [
        ("CwAcctA", "accountA", "123456789012", "10.90.0.0/16"),
        ("CwAcctB", "accountB", "222222222222", "10.91.0.0/16"),
    ] {
        let account = text(app, key).unwrap_or_else(|| default.to_owned());
        let mut stack =
            app.stack_with(id, StackProps::new().region("eu-west-1").account(account))?;
        let vpc = stack.add(
            "Vpc",
            RawResource::new("AWS::EC2::VPC").property("CidrBlock", cidr),
        )?;
        stack.add_output("VpcId", Output::new(vpc.r#ref()))?;
        if with_lookup {
            let found = stack.lookup(
                &ContextQuery::new("vpc-provider")
                    .prop("region", "eu-west-1")
                    .prop("filter.isDefault", "true"),
            )?;
            let default_vpc = found["vpcId"].as_str().unwrap_or_default().to_owned();
            stack.add_output("DefaultVpc", Output::new(default_vpc))?;
        }
    }
    Ok(())
}

fn pinned(app: &mut App) -> Result<(), Error> {
    let account = text(app, "account").unwrap_or_else(|| "123456789012".into());
    let with_lookup = text(app, "lookup").as_deref() == Some("1");
    let props = match account.as_str() {
        "none" => StackProps::new().region("eu-west-1"),
        _ => StackProps::new().region("eu-west-1").account(account),
    };
    let mut stack = app.stack_with("CwPinned", props)?;
    stack.add(
        "Vpc",
        RawResource::new("AWS::EC2::VPC").property("CidrBlock", "10.92.0.0/16"),
    )?;
    if with_lookup {
        let found = stack.lookup(
            &ContextQuery::new("vpc-provider")
                .prop("region", "eu-west-1")
                .prop("filter.isDefault", "true"),
        )?;
        let default_vpc = found["vpcId"].as_str().unwrap_or_default().to_owned();
        stack.add_output("DefaultVpc", Output::new(default_vpc))?;
    }
    Ok(())
}

fn weak(app: &mut App) -> Result<(), Error> {
    let region = text(app, "producerRegion").unwrap_or_else(|| "eu-west-1".into());
    let cidr = text(app, "cidr").unwrap_or_else(|| "10.80.0.0/16".into());
    let label = text(app, "label").unwrap_or_else(|| "blue".into());
    let is_weak = text(app, "weak").as_deref() == Some("1");
    let mut producer = app.stack_with("CwProducer", StackProps::new().region(region))?;
    let vpc = producer.add(
        "Vpc",
        RawResource::new("AWS::EC2::VPC").property("CidrBlock", cidr),
    )?;
    let named = producer.add(
        "Label",
        RawResource::new("AWS::SSM::Parameter")
            .property("Name", format!("/cloudwright/{label}"))
            .property("Type", "String")
            .property("Value", "fixture"),
    )?;
    let consumer_props = match text(app, "consumerRegion").as_deref() {
        Some("none") => StackProps::new(),
        Some(r) => StackProps::new().region(r),
        None => StackProps::new().region("us-east-1"),
    };
    let mut consumer = app.stack_with("CwConsumer", consumer_props)?;
    let block = vpc.attribute("CidrBlock");
    let description = if is_weak {
        consumer.weak_ref(block)?
    } else {
        block
    };
    consumer.add(
        "Sg",
        RawResource::new("AWS::EC2::SecurityGroup").property("GroupDescription", description),
    )?;
    if is_weak {
        let name = consumer.weak_ref(named.r#ref())?;
        consumer.add(
            "LabelSg",
            RawResource::new("AWS::EC2::SecurityGroup").property("GroupDescription", name),
        )?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let context_file = std::env::temp_dir().join("cloudwright-fixture-default-context.json");
    cloudwright_core::run(context_file, |app| {
        let version = text(app, "version")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        match text(app, "fixture").as_deref() {
            Some("lookup") => lookup(app),
            Some("multi") => multi(app, version),
            Some("single") => single(app, version),
            Some("pair") => pair(app),
            Some("fail") => fail(app),
            Some("iam") => iam(app),
            Some("big") => big(app),
            Some("logs") => logs(app),
            Some("asset") => asset(app),
            Some("service") => service(app),
            Some("files") => files(app),
            Some("retain") => retain(app),
            Some("accounts") => accounts(app),
            Some("pinned") => pinned(app),
            Some("weak") => weak(app),
            Some("flask-api") => app_flask_api::build(app),
            Some("people-serverless") => app_people_serverless::build(app),
            other => Err(Error::Usage(format!(
                "set -c fixture=lookup|multi|single|pair|fail|iam|big|logs|asset|service|files|retain|accounts|pinned|weak|flask-api|people-serverless (got {other:?})"
            ))),
        }
    })
}
