//! The real `app-flask-api` stack against `moto_server` on 127.0.0.1: what moto 5.2 accepts of
//! it, what it rejects and why, and a deploy and destroy of the largest part it accepts.
//!
//! The app is synthesized in process, unchanged, from a context that `cloudwright lookup
//! --refresh` filled from moto (moto's default VPC with an internet gateway attached, and an
//! image in `my_flask_repo`), exactly as in a real account. The part of the stack moto accepts
//! is computed by removing the resources moto rejects and every resource that refers to a
//! removed one (Ref, Fn::GetAtt, Fn::Sub, DependsOn): no resource property is ever edited.
//! State is asserted through the AWS SDK. See "flask-api on moto" in the README for the gaps.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not production code

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;

use aws_config::SdkConfig;
use cloudwright_cli::aws::ec2::{Ec2, Filter};
use cloudwright_cli::aws::ecr::Ecr;
use cloudwright_core::{App, Context};
use cloudwright_tests::{Moto, TempDir, workspace_root};
use serde_json::{Value, json};

mod common;
use common::{ok, run, sdk, stack_status, stderr};

const STACK: &str = "FlaskApi";
const VPC_KEY: &str = "vpc-provider:filter.isDefault=true:region=eu-west-1";
const ECR_KEY: &str = "ecr-image-provider:region=eu-west-1:repositoryName=my_flask_repo";
/// Every wait of the CLI is bounded by this (moto answers synchronously).
const TIMEOUT: &str = "60";

/// What moto 5.2 rejects outright (CreateStack fails and the stack stays CREATE_IN_PROGRESS).
const REJECTED_LISTENER: &str = "Listener protocol 'TCP' must be one of 'HTTP, HTTPS'";
const REJECTED_DEPLOYMENT: &str = "The REST API doesn't contain any methods";

/// The text of the child element `name` of `node`.
fn xml_text(node: roxmltree::Node<'_, '_>, name: &str) -> Option<String> {
    node.children()
        .find(|c| c.has_tag_name(name))
        .and_then(|c| c.text())
        .map(str::to_owned)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A moto account prepared as the app's context describes one, and the app synthesized for it.
struct Account {
    moto: Moto,
    config: SdkConfig,
    dir: TempDir,
    vpc_id: String,
    /// The assembly of the unchanged app, in `dir/full`.
    full: PathBuf,
}

impl Account {
    /// Starts moto; attaches an internet gateway to its default VPC (172.31.0.0/16 with
    /// 172.31.0.0/20, 172.31.16.0/20 and 172.31.32.0/20, as in the committed context) and
    /// pushes an image; refreshes a copy of the committed context file from moto with the CLI;
    /// synthesizes the app in process from it.
    async fn prepare() -> Account {
        let moto = Moto::start();
        let config = sdk(&moto).await;
        let ec2 = Ec2::new(&config, "tests").unwrap();
        let ecr = Ecr::new(&config, "tests").unwrap();

        let vpcs = ec2
            .describe_vpcs(&[], &[Filter::new("isDefault", "true")])
            .await
            .unwrap();
        let vpc = &vpcs[0];
        let vpc_id = vpc.vpc_id.clone();
        assert_eq!(vpc.cidr_block.as_deref(), Some("172.31.0.0/16"));
        let igw = ec2.call("CreateInternetGateway", &[]).await.unwrap();
        let igw_id = igw.text("internetGatewayId").unwrap().unwrap();
        let attach = [
            ("InternetGatewayId".to_owned(), igw_id.clone()),
            ("VpcId".to_owned(), vpc_id.clone()),
        ];
        ec2.call("AttachInternetGateway", &attach).await.unwrap();
        let repository = json!({"repositoryName": app_flask_api::REPOSITORY});
        ecr.call("CreateRepository", &repository).await.unwrap();
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023,
                       "digest": format!("sha256:{:064x}", 1)},
            "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 32654,
                        "digest": format!("sha256:{:064x}", 2)}]
        });
        let image = json!({"repositoryName": app_flask_api::REPOSITORY,
                           "imageManifest": manifest.to_string(), "imageTag": "v1"});
        ecr.call("PutImage", &image).await.unwrap();

        // the committed context, refreshed from moto: same keys and shape, moto's ids
        let dir = TempDir::new("flask-api-moto");
        let committed = workspace_root().join("apps/flask-api/cloudwright.context.json");
        let context_file = dir.path().join("cloudwright.context.json");
        std::fs::copy(&committed, &context_file).unwrap();
        ok(&run(dir.path(), &moto.env(), &["lookup", "--refresh"]));
        let (before, after) = (read_json(&committed), read_json(&context_file));
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&before), keys(&after));
        let vpc_value = &after[VPC_KEY];
        assert_eq!(vpc_value["vpcId"], vpc_id.as_str());
        assert_eq!(vpc_value["internetGatewayId"], igw_id.as_str());
        for field in ["cidrBlocks", "availabilityZones"] {
            assert_eq!(vpc_value[field], before[VPC_KEY][field], "{field}");
        }
        let cidrs = |v: &Value| {
            v["subnets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["cidrBlock"].clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(cidrs(vpc_value), cidrs(&before[VPC_KEY]));
        assert_eq!(after[ECR_KEY]["tag"], "v1");

        // the app, unchanged, synthesized in process
        // with the image looked up in ECR (`-c image=lookup`), the path this test covers; the
        // default, an image asset built from `service/`, is published in tests/assets.rs
        let mut context = Context::from_file(&context_file).unwrap();
        context.set_override("image=lookup").unwrap();
        let mut app = App::with_context(context);
        app_flask_api::build(&mut app).unwrap();
        let full = dir.path().join("full");
        app.synth().unwrap().write(&full).unwrap();
        Account {
            moto,
            config,
            dir,
            vpc_id,
            full,
        }
    }

    fn template(&self) -> Value {
        read_json(&self.full.join(format!("{STACK}.template.json")))
    }

    /// Writes an assembly `name` holding the app's template minus the closure of `roots`;
    /// returns its directory and the resources removed.
    fn subset(&self, name: &str, roots: &BTreeSet<String>) -> (PathBuf, BTreeSet<String>) {
        let (template, removed) = without(&self.template(), roots);
        let dir = self.dir.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let text = serde_json::to_string_pretty(&template).unwrap();
        std::fs::write(dir.join(format!("{STACK}.template.json")), &text).unwrap();
        let mut manifest = read_json(&self.full.join("manifest.json"));
        let entry = &mut manifest["stacks"][0];
        entry["resourceCount"] = json!(template["Resources"].as_object().unwrap().len());
        entry["templateBytes"] = json!(text.len());
        let outputs: Vec<Value> = entry["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| template["Outputs"].get(o.as_str().unwrap()).is_some())
            .cloned()
            .collect();
        entry["outputs"] = Value::Array(outputs);
        // the CLI checks every template against the hash its manifest records
        entry["hash"] = json!(cloudwright_core::assembly::template_hash(text.as_bytes()));
        std::fs::write(
            dir.join("manifest.json"),
            serde_json::to_string_pretty(&manifest).unwrap(),
        )
        .unwrap();
        (dir, removed)
    }

    fn run(&self, args: &[&str]) -> Output {
        run(self.dir.path(), &self.moto.env(), args)
    }

    /// `deploy --method direct` of the assembly in `dir`.
    fn deploy(&self, dir: &Path) -> Output {
        self.run(&[
            "--assembly",
            dir.to_str().unwrap(),
            "deploy",
            "--yes",
            "--method",
            "direct",
            "--timeout",
            TIMEOUT,
        ])
    }
}

/// The resources a value refers to: `Ref` (pseudo parameters aside), `Fn::GetAtt` (both
/// forms), and the `${Name}` / `${Name.Attr}` of `Fn::Sub` (literal `${!...}` aside).
fn references(value: &Value, into: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("Ref", Value::String(name)) if !name.starts_with("AWS::") => {
                        into.insert(name.clone());
                    }
                    ("Fn::GetAtt", Value::Array(parts)) => {
                        if let Some(Value::String(name)) = parts.first() {
                            into.insert(name.clone());
                        }
                    }
                    ("Fn::GetAtt", Value::String(s)) => {
                        into.insert(s.split('.').next().unwrap_or_default().to_owned());
                    }
                    ("Fn::Sub", Value::String(s)) => sub_names(s, into),
                    ("Fn::Sub", Value::Array(parts)) => {
                        let mut names = BTreeSet::new();
                        if let Some(Value::String(s)) = parts.first() {
                            sub_names(s, &mut names);
                        }
                        // names bound in the variable map shadow resources in the string,
                        // and their values are walked like any other
                        if let Some(Value::Object(vars)) = parts.get(1) {
                            for var in vars.keys() {
                                names.remove(var);
                            }
                            for v in vars.values() {
                                references(v, into);
                            }
                        }
                        into.extend(names);
                    }
                    _ => references(v, into),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, into)),
        _ => {}
    }
}

fn sub_names(s: &str, into: &mut BTreeSet<String>) {
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let name = &after[..end];
        if !name.starts_with('!') && !name.starts_with("AWS::") {
            into.insert(name.split('.').next().unwrap_or_default().to_owned());
        }
        rest = &after[end + 1..];
    }
}

/// The resources `resource` depends on: its references and its `DependsOn`.
fn dependencies(resource: &Value) -> BTreeSet<String> {
    let mut deps = BTreeSet::new();
    for part in ["Properties", "Condition", "Metadata"] {
        if let Some(v) = resource.get(part) {
            references(v, &mut deps);
        }
    }
    match resource.get("DependsOn") {
        Some(Value::String(d)) => {
            deps.insert(d.clone());
        }
        Some(Value::Array(ds)) => {
            deps.extend(ds.iter().filter_map(|d| d.as_str().map(str::to_owned)))
        }
        _ => {}
    }
    deps
}

/// `template` without `roots` and every resource that depends on a removed one, transitively;
/// outputs that refer to a removed resource go too. Nothing else changes.
fn without(template: &Value, roots: &BTreeSet<String>) -> (Value, BTreeSet<String>) {
    let resources = template["Resources"].as_object().unwrap();
    let deps: BTreeMap<&String, BTreeSet<String>> = resources
        .iter()
        .map(|(id, r)| (id, dependencies(r)))
        .collect();
    let mut removed = roots.clone();
    loop {
        let more: Vec<String> = deps
            .iter()
            .filter(|(id, d)| !removed.contains(**id) && d.iter().any(|x| removed.contains(x)))
            .map(|(id, _)| (*id).clone())
            .collect();
        if more.is_empty() {
            break;
        }
        removed.extend(more);
    }
    let mut out = template.clone();
    out["Resources"]
        .as_object_mut()
        .unwrap()
        .retain(|id, _| !removed.contains(id));
    if let Some(outputs) = out.get_mut("Outputs").and_then(Value::as_object_mut) {
        outputs.retain(|_, o| {
            let mut refs = BTreeSet::new();
            references(o, &mut refs);
            refs.is_disjoint(&removed)
        });
    }
    (out, removed)
}

/// The resources of `template` of a type moto rejects (see the module docs): a listener on a
/// load balancer moto creates as an application one (TCP/TLS/UDP), and an API Gateway
/// deployment of a REST API whose `Body` moto ignores.
fn rejected_by_moto(template: &Value, listener: bool, deployment: bool) -> BTreeSet<String> {
    template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| match r["Type"].as_str() {
            Some("AWS::ElasticLoadBalancingV2::Listener") => {
                listener && !matches!(r["Properties"]["Protocol"].as_str(), Some("HTTP" | "HTTPS"))
            }
            Some("AWS::ApiGateway::Deployment") => deployment,
            _ => false,
        })
        .map(|(id, _)| id.clone())
        .collect()
}

fn ids(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// Removes the generated suffix of the API deployment's logical id.
fn generic(ids: &BTreeSet<String>) -> BTreeSet<String> {
    ids.iter()
        .map(|id| {
            if id.starts_with("ApiDeployment") {
                "ApiDeployment*".to_owned()
            } else {
                id.clone()
            }
        })
        .collect()
}

/// Asserts that deploying `assembly` fails because moto rejects CreateStack with `reason`, and
/// that the stack is left in CREATE_IN_PROGRESS.
async fn assert_rejected(account: &Account, assembly: &Path, reason: &str) {
    let cfn = aws_sdk_cloudformation::Client::new(&account.config);
    let started = std::time::Instant::now();
    let out = account.deploy(assembly);
    assert!(started.elapsed().as_secs() < 90);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("CreateStack was rejected"), "{err}");
    assert!(err.contains(reason), "{err}");
    assert!(
        err.contains("left the stack in CREATE_IN_PROGRESS"),
        "{err}"
    );
    assert_eq!(
        stack_status(&cfn, STACK).await.as_deref(),
        Some("CREATE_IN_PROGRESS")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moto_rejects_the_whole_stack_for_two_resources() {
    // the whole stack: moto stops at the first of the two rejections it meets
    let account = Account::prepare().await;
    assert_rejected(&account, &account.full.clone(), REJECTED_DEPLOYMENT).await;
    drop(account);

    // each rejection on its own, in a fresh account each (a rejected CreateStack leaves the
    // resources created so far behind, and their subnets would conflict)
    let account = Account::prepare().await;
    let roots = rejected_by_moto(&account.template(), false, true);
    let (dir, removed) = account.subset("no-deployment", &roots);
    assert_eq!(generic(&removed), ids(&["ApiDeployment*", "ApiStage"]));
    assert_rejected(&account, &dir, REJECTED_LISTENER).await;
    drop(account);

    let account = Account::prepare().await;
    let roots = rejected_by_moto(&account.template(), true, false);
    let (dir, removed) = account.subset("no-listener", &roots);
    assert_eq!(
        removed,
        ids(&[
            "IngressListener",
            "ServiceScalingCpuPolicy",
            "ServiceScalingTarget",
            "ServiceService"
        ])
    );
    assert_rejected(&account, &dir, REJECTED_DEPLOYMENT).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_largest_part_moto_accepts_deploys_and_destroys() {
    let account = Account::prepare().await;
    let cfn = aws_sdk_cloudformation::Client::new(&account.config);
    let ec2 = Ec2::new(&account.config, "tests").unwrap();
    let full = account.template();
    let roots = rejected_by_moto(&full, true, true);
    let (dir, removed) = account.subset("accepted", &roots);
    assert_eq!(
        generic(&removed),
        ids(&[
            "ApiDeployment*",
            "ApiStage",
            "IngressListener",
            "ServiceScalingCpuPolicy",
            "ServiceScalingTarget",
            "ServiceService"
        ])
    );
    let subset = read_json(&dir.join(format!("{STACK}.template.json")));
    let kept: BTreeSet<String> = subset["Resources"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        kept.len() + removed.len(),
        full["Resources"].as_object().unwrap().len()
    );
    // every kept resource is the app's, byte for byte
    for id in &kept {
        assert_eq!(subset["Resources"][id], full["Resources"][id], "{id}");
    }
    // every output survives (none refers to a removed resource)
    assert_eq!(subset["Outputs"], full["Outputs"]);

    ok(&account.deploy(&dir));
    let stacks = cfn
        .describe_stacks()
        .stack_name(STACK)
        .send()
        .await
        .unwrap();
    let stack = &stacks.stacks()[0];
    assert_eq!(
        stack.stack_status().map(|s| s.as_str()),
        Some("CREATE_COMPLETE")
    );
    let outputs: BTreeMap<String, String> = stack
        .outputs()
        .iter()
        .map(|o| {
            (
                o.output_key().unwrap_or_default().to_owned(),
                o.output_value().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        outputs.keys().cloned().collect::<BTreeSet<_>>(),
        ids(&["ApiRestApiId", "ApiUrl", "IngressArn", "IngressDnsName"])
    );
    // moto creates the network load balancer as an application load balancer
    assert!(
        outputs["IngressArn"].contains(":loadbalancer/app/"),
        "{}",
        outputs["IngressArn"]
    );

    // the stack's resources: all kept ones but the VPC link and the account setting, which moto
    // skips silently and lists as resources without a logical id, type or physical id
    let described = cfn
        .describe_stack_resources()
        .stack_name(STACK)
        .send()
        .await
        .unwrap();
    let (anonymous, named): (Vec<_>, Vec<_>) = described
        .stack_resources()
        .iter()
        .partition(|r| r.logical_resource_id().unwrap_or_default().is_empty());
    assert_eq!(anonymous.len(), 2, "{anonymous:?}");
    for r in &anonymous {
        assert_eq!(r.resource_type().unwrap_or_default(), "");
        assert_eq!(r.physical_resource_id().unwrap_or_default(), "");
    }
    let physical: BTreeMap<String, String> = named
        .iter()
        .map(|r| {
            (
                r.logical_resource_id().unwrap_or_default().to_owned(),
                r.physical_resource_id().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let mut expected = kept.clone();
    expected.remove("ApiVpcLink");
    expected.remove("ApiCloudWatchAccount");
    // the new production resources are among those created: the API's access log group,
    // the account's CloudWatch role and the task's (retained) log group
    for id in ["ApiAccessLogs", "ApiCloudWatchRole", "TaskLogs"] {
        assert!(expected.contains(id), "{id} is not deployed: {expected:?}");
    }
    assert_eq!(physical.keys().cloned().collect::<BTreeSet<_>>(), expected);
    for (id, p) in &physical {
        assert!(!p.is_empty(), "{id} has no physical id");
    }
    assert!(physical["ClusterCluster"].starts_with("FlaskApi-ClusterCluster-"));
    assert!(physical["TaskTaskDefinition"].starts_with("arn:aws:ecs:eu-west-1:"));

    // the four subnets, with the CIDRs the app allocated beside the default VPC's
    let subnet_ids: Vec<&str> = kept
        .iter()
        .filter(|id| subset["Resources"][*id]["Type"] == "AWS::EC2::Subnet")
        .map(|id| physical[id].as_str())
        .collect();
    assert_eq!(subnet_ids.len(), 4);
    let subnets = ec2.describe_subnets(&subnet_ids, &[]).await.unwrap();
    let mut got: Vec<(String, String)> = subnets
        .iter()
        .map(|s| {
            assert_eq!(s.vpc_id.as_deref(), Some(account.vpc_id.as_str()));
            (s.subnet_id.clone(), s.cidr_block.clone().unwrap())
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, String)> = kept
        .iter()
        .filter(|id| subset["Resources"][*id]["Type"] == "AWS::EC2::Subnet")
        .map(|id| {
            (
                physical[id].clone(),
                subset["Resources"][id]["Properties"]["CidrBlock"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    want.sort();
    assert_eq!(got, want);
    let mut cidrs: Vec<&str> = want.iter().map(|(_, c)| c.as_str()).collect();
    cidrs.sort();
    assert_eq!(
        cidrs,
        [
            "172.31.48.0/24",
            "172.31.49.0/24",
            "172.31.50.0/24",
            "172.31.51.0/24"
        ]
    );

    // a NAT gateway per zone, each in its public subnet
    let nats = ec2
        .call(
            "DescribeNatGateways",
            &[
                (
                    "NatGatewayId.1".into(),
                    physical["NetworkNatGateway1"].clone(),
                ),
                (
                    "NatGatewayId.2".into(),
                    physical["NetworkNatGateway2"].clone(),
                ),
            ],
        )
        .await
        .unwrap();
    let doc = roxmltree::Document::parse(nats.body()).unwrap();
    let mut nat_subnets: Vec<(String, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("natGatewaySet"))
        .flat_map(|set| set.children().filter(|c| c.has_tag_name("item")))
        .map(|n| {
            assert_eq!(xml_text(n, "state").as_deref(), Some("available"));
            (
                xml_text(n, "natGatewayId").unwrap(),
                xml_text(n, "subnetId").unwrap(),
            )
        })
        .collect();
    nat_subnets.sort();
    let mut want_nat = vec![
        (
            physical["NetworkNatGateway1"].clone(),
            physical["NetworkPublicSubnet1"].clone(),
        ),
        (
            physical["NetworkNatGateway2"].clone(),
            physical["NetworkPublicSubnet2"].clone(),
        ),
    ];
    want_nat.sort();
    assert_eq!(nat_subnets, want_nat);

    // default routes: public through the internet gateway, private through their NAT gateway
    let igw = read_json(&account.dir.path().join("cloudwright.context.json"))[VPC_KEY]
        ["internetGatewayId"]
        .as_str()
        .unwrap()
        .to_owned();
    for (table, target) in [
        ("NetworkPublicRouteTable", igw.clone()),
        (
            "NetworkPrivateRouteTable1",
            physical["NetworkNatGateway1"].clone(),
        ),
        (
            "NetworkPrivateRouteTable2",
            physical["NetworkNatGateway2"].clone(),
        ),
    ] {
        let tables = ec2
            .call(
                "DescribeRouteTables",
                &[("RouteTableId.1".into(), physical[table].clone())],
            )
            .await
            .unwrap();
        let doc = roxmltree::Document::parse(tables.body()).unwrap();
        let rt = doc
            .descendants()
            .find(|n| {
                n.has_tag_name("item")
                    && n.parent().is_some_and(|p| p.has_tag_name("routeTableSet"))
            })
            .unwrap_or_else(|| panic!("{table}: not found: {}", tables.body()));
        assert_eq!(
            xml_text(rt, "vpcId").as_deref(),
            Some(account.vpc_id.as_str()),
            "{table}"
        );
        let default = rt
            .descendants()
            .find(|r| {
                r.has_tag_name("item")
                    && xml_text(*r, "destinationCidrBlock").as_deref() == Some("0.0.0.0/0")
            })
            .unwrap_or_else(|| panic!("{table}: no default route: {}", tables.body()));
        let via = xml_text(default, "gatewayId")
            .or(xml_text(default, "natGatewayId"))
            .unwrap_or_default();
        assert_eq!(via, target, "{table}");
    }

    // destroy: the stack is gone and so are its four subnets; but moto 5.2 evaluates the
    // outputs of a deleted stack again when DescribeStacks is called with its id (as the CLI
    // does to see DELETE_COMPLETE), which creates the load balancer's two private subnets
    // again, with new ids
    ok(&account.run(&[
        "--assembly",
        dir.to_str().unwrap(),
        "destroy",
        "--yes",
        "--timeout",
        TIMEOUT,
    ]));
    assert_eq!(stack_status(&cfn, STACK).await, None);
    let left = ec2
        .describe_subnets(&[], &[Filter::new("vpc-id", &account.vpc_id)])
        .await
        .unwrap();
    let context = read_json(&account.dir.path().join("cloudwright.context.json"));
    let defaults: BTreeSet<&str> = context[VPC_KEY]["subnets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["subnetId"].as_str().unwrap())
        .collect();
    let mut recreated = Vec::new();
    for s in &left {
        let id = s.subnet_id.as_str();
        assert!(
            !subnet_ids.contains(&id),
            "{id} of the stack was not deleted"
        );
        if !defaults.contains(id) {
            recreated.push(s.cidr_block.clone().unwrap());
        }
    }
    eprintln!("subnets moto left behind after destroy: {recreated:?}");
    recreated.sort();
    assert!(
        recreated.is_empty() || recreated == ["172.31.48.0/24", "172.31.49.0/24"],
        "{recreated:?}"
    );
    assert_eq!(left.len(), defaults.len() + recreated.len());
}
