//! Compute that is reachable or receives public IP addresses: ECS services, EC2 instances,
//! launch templates, Lambda function URLs.

use serde_json::Value;

use crate::network::PublicSubnets;
use crate::surface::{ApiType, Gap, Integration, Kind, PublicIp, Route, Surface};
use crate::template::{Template, display, items, literal_bool, literal_str};

const SERVICE: &str = "AWS::ECS::Service";
const INSTANCE: &str = "AWS::EC2::Instance";
const SUBNET: &str = "AWS::EC2::Subnet";
const LAUNCH_TEMPLATE: &str = "AWS::EC2::LaunchTemplate";
const LAUNCH_CONFIGURATION: &str = "AWS::AutoScaling::LaunchConfiguration";
const FUNCTION_URL: &str = "AWS::Lambda::Url";
const LAMBDA_TYPES: &[&str] = &[
    "AWS::Lambda::Function",
    "AWS::Lambda::Alias",
    "AWS::Lambda::Version",
];

/// Adds ECS services, instances and launch templates with public IPs to the surface.
pub(crate) fn analyze(t: &Template<'_>, subnets: &PublicSubnets, s: &mut Surface) {
    for svc in t.of_type(SERVICE) {
        let vpc = svc
            .prop("NetworkConfiguration")
            .get("AwsvpcConfiguration")
            .unwrap_or(&Value::Null);
        let assign = vpc.get("AssignPublicIp").unwrap_or(&Value::Null);
        let detail = match assign {
            Value::Null => continue, // DISABLED is the default
            v => match literal_str(v) {
                Some(x) if x.eq_ignore_ascii_case("ENABLED") => {
                    "tasks get public IPs (AssignPublicIp ENABLED)".to_owned()
                }
                Some(_) => continue,
                None => format!(
                    "AssignPublicIp is `{}`, only known at deploy time: counted as ENABLED",
                    display(v)
                ),
            },
        };
        s.public_ips.push(PublicIp {
            kind: Kind::EcsService,
            resource: svc.id.to_owned(),
            resource_type: svc.ty.to_owned(),
            subnets: items(vpc.get("Subnets").unwrap_or(&Value::Null))
                .iter()
                .map(|v| t.name_of(v))
                .collect(),
            detail,
        });
    }

    for inst in t.of_type(INSTANCE) {
        let nis = items(inst.prop("NetworkInterfaces"));
        let associate: Vec<Option<bool>> = nis
            .iter()
            .filter_map(|n| n.get("AssociatePublicIpAddress"))
            .map(literal_bool)
            .collect();
        let subnet_v = inst
            .props
            .get("SubnetId")
            .or_else(|| nis.iter().find_map(|n| n.get("SubnetId")));
        let subnet = subnet_v.map(|v| t.name_of(v));
        let detail = if associate.contains(&Some(true)) {
            "AssociatePublicIpAddress true".to_owned()
        } else if associate.contains(&None) {
            "AssociatePublicIpAddress only known at deploy time: counted as true".to_owned()
        } else if !associate.is_empty() {
            continue; // explicitly false
        } else {
            match (subnet_v, &subnet) {
                (None, _) => "no subnet: it launches in the default VPC, whose default subnets \
                              assign public IPs"
                    .to_owned(),
                (Some(_), Some(name))
                    if subnets.get(name).is_some_and(|p| p.map_public_ip_on_launch) =>
                {
                    format!("in public subnet {name}, which maps public IPs on launch")
                }
                (Some(v), Some(name)) => {
                    if t.target(v, &[SUBNET]).is_none() && !subnets.contains_key(name) {
                        s.gaps.push(Gap {
                            resource: inst.id.to_owned(),
                            reason: format!(
                                "subnet {name} is not in the template: whether the instance \
                                 gets a public IP depends on it"
                            ),
                        });
                    }
                    continue;
                }
                (Some(_), None) => continue,
            }
        };
        s.public_ips.push(PublicIp {
            kind: Kind::Instance,
            resource: inst.id.to_owned(),
            resource_type: inst.ty.to_owned(),
            subnets: subnet.into_iter().collect(),
            detail,
        });
    }

    for lt in t.of_type(LAUNCH_TEMPLATE) {
        let nis = lt
            .prop("LaunchTemplateData")
            .get("NetworkInterfaces")
            .unwrap_or(&Value::Null);
        if items(nis)
            .iter()
            .any(|n| n.get("AssociatePublicIpAddress").and_then(literal_bool) == Some(true))
        {
            s.public_ips.push(PublicIp {
                kind: Kind::LaunchTemplate,
                resource: lt.id.to_owned(),
                resource_type: lt.ty.to_owned(),
                subnets: Vec::new(),
                detail: "instances launched from it get public IPs".into(),
            });
        }
    }
    for lc in t.of_type(LAUNCH_CONFIGURATION) {
        if literal_bool(lc.prop("AssociatePublicIpAddress")) == Some(true) {
            s.public_ips.push(PublicIp {
                kind: Kind::LaunchTemplate,
                resource: lc.id.to_owned(),
                resource_type: lc.ty.to_owned(),
                subnets: Vec::new(),
                detail: "instances launched from it get public IPs".into(),
            });
        }
    }

    for u in t.of_type(FUNCTION_URL) {
        let target = u.prop("TargetFunctionArn");
        s.routes.push(Route {
            api: u.id.to_owned(),
            api_type: ApiType::FunctionUrl,
            method: "ANY".into(),
            path: "/*".into(),
            stage: None,
            authorization: literal_str(u.prop("AuthType"))
                .map_or_else(|| display(u.prop("AuthType")), str::to_ascii_uppercase),
            integration: Integration::Lambda {
                function: t.referenced(target, LAMBDA_TYPES).map(|f| f.id.to_owned()),
                uri: Some(t.name_of(target)),
            },
        });
    }
}
