//! The network: subnets routed to an internet gateway, security group rules open to the world,
//! NAT gateways and Elastic IPs.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::surface::{Kind, OpenIngress, PublicIp, PublicSubnet, Surface};
use crate::template::{
    Resource, Template, display, items, literal_bool, literal_int, literal_str, references,
};

const SUBNET: &str = "AWS::EC2::Subnet";
const ROUTE: &str = "AWS::EC2::Route";
const ASSOCIATION: &str = "AWS::EC2::SubnetRouteTableAssociation";
const IGW: &str = "AWS::EC2::InternetGateway";
pub(crate) const SECURITY_GROUP: &str = "AWS::EC2::SecurityGroup";
pub(crate) const INGRESS: &str = "AWS::EC2::SecurityGroupIngress";
const EGRESS: &str = "AWS::EC2::SecurityGroupEgress";
const NAT: &str = "AWS::EC2::NatGateway";
const EIP: &str = "AWS::EC2::EIP";
const EIP_ASSOCIATION: &str = "AWS::EC2::EIPAssociation";
const INSTANCE: &str = "AWS::EC2::Instance";

/// Public subnets by name (logical id, or id for a subnet outside the template).
pub(crate) type PublicSubnets = BTreeMap<String, PublicSubnet>;

/// The internet gateway a route's `GatewayId` names: a literal `igw-...`, a `Ref` to an
/// `AWS::EC2::InternetGateway`, or (conservatively) any value only known at deploy time, such as
/// a parameter or an import. `None` for anything else (a virtual private gateway `vgw-...`).
fn internet_gateway(t: &Template<'_>, v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => s.starts_with("igw-").then(|| s.clone()),
        _ => {
            if let Some(r) = t.target(v, &[IGW]) {
                return Some(r.id.to_owned());
            }
            if let Some(id) = crate::template::ref_name(v)
                && t.resources.contains_key(id)
            {
                return None; // a resource of another type (a VPN gateway)
            }
            Some(format!("{} (assumed an internet gateway)", display(v)))
        }
    }
}

/// Subnets whose route table has a default route (`0.0.0.0/0` or `::/0`) to an internet gateway.
pub(crate) fn public_subnets(t: &Template<'_>) -> PublicSubnets {
    // Route table name -> (gateway, destination).
    let mut tables: BTreeMap<String, (String, String)> = BTreeMap::new();
    for r in t.of_type(ROUTE) {
        let Some(gateway) = internet_gateway(t, r.prop("GatewayId")) else {
            continue;
        };
        let v4 = r.prop("DestinationCidrBlock");
        let v6 = r.prop("DestinationIpv6CidrBlock");
        let destination = match (literal_str(v4), literal_str(v6)) {
            (Some("0.0.0.0/0"), _) => "0.0.0.0/0".to_owned(),
            (_, Some("::/0")) => "::/0".to_owned(),
            (Some(_), _) | (_, Some(_)) => continue, // a more specific route
            _ if v4.is_null() && v6.is_null() => continue,
            _ => display(if v4.is_null() { v6 } else { v4 }),
        };
        let table = t.name_of(r.prop("RouteTableId"));
        tables.entry(table).or_insert((gateway, destination));
    }
    let mut out = PublicSubnets::new();
    for a in t.of_type(ASSOCIATION) {
        let table = t.name_of(a.prop("RouteTableId"));
        let Some((gateway, destination)) = tables.get(&table) else {
            continue;
        };
        let subnet = t.name_of(a.prop("SubnetId"));
        let map_public_ip_on_launch = t
            .target(a.prop("SubnetId"), &[SUBNET])
            .is_some_and(|s| literal_bool(s.prop("MapPublicIpOnLaunch")) == Some(true));
        out.entry(subnet.clone()).or_insert(PublicSubnet {
            subnet,
            route_table: table,
            gateway: gateway.clone(),
            destination: destination.clone(),
            map_public_ip_on_launch,
        });
    }
    out
}

/// Adds open ingress rules, NAT gateways and attached Elastic IPs to the surface.
pub(crate) fn analyze(t: &Template<'_>, subnets: &PublicSubnets, s: &mut Surface) {
    for sg in t.of_type(SECURITY_GROUP) {
        for (i, rule) in items(sg.prop("SecurityGroupIngress")).iter().enumerate() {
            if let Some(open) = open_rule(rule) {
                s.open_ingress.push(OpenIngress {
                    security_group: sg.id.to_owned(),
                    rule: format!("{}.SecurityGroupIngress[{i}]", sg.id),
                    used_by: used_by(t, sg.id),
                    ..open
                });
            }
        }
    }
    for ing in t.of_type(INGRESS) {
        if let Some(open) = open_rule(ing.props) {
            let group = match t.target(ing.prop("GroupId"), &[SECURITY_GROUP]) {
                Some(g) => g.id.to_owned(),
                None if !ing.prop("GroupId").is_null() => display(ing.prop("GroupId")),
                None => display(ing.prop("GroupName")),
            };
            s.open_ingress.push(OpenIngress {
                used_by: used_by(t, &group),
                security_group: group,
                rule: ing.id.to_owned(),
                ..open
            });
        }
    }
    for nat in t.of_type(NAT) {
        if literal_str(nat.prop("ConnectivityType")) == Some("private") {
            continue;
        }
        let subnet = t.name_of(nat.prop("SubnetId"));
        let eip = match nat.prop("AllocationId") {
            Value::Null => "no Elastic IP allocation".to_owned(),
            v => format!("Elastic IP {}", t.name_of(v)),
        };
        let where_ = if subnets.contains_key(&subnet) {
            "public subnet"
        } else {
            "subnet"
        };
        s.public_ips.push(PublicIp {
            kind: Kind::NatGateway,
            resource: nat.id.to_owned(),
            resource_type: nat.ty.to_owned(),
            detail: format!("outbound only, through {eip}, in {where_} {subnet}"),
            subnets: vec![subnet],
        });
    }
    for eip in t.of_type(EIP) {
        if let Some(instance) = eip.props.get("InstanceId") {
            s.public_ips.push(PublicIp {
                kind: Kind::ElasticIp,
                resource: eip.id.to_owned(),
                resource_type: eip.ty.to_owned(),
                subnets: instance_subnets(t, instance),
                detail: format!("attached to instance {}", t.name_of(instance)),
            });
        }
    }
    for a in t.of_type(EIP_ASSOCIATION) {
        let target = match (a.props.get("InstanceId"), a.props.get("NetworkInterfaceId")) {
            (Some(i), _) => format!("instance {}", t.name_of(i)),
            (None, Some(n)) => format!("network interface {}", t.name_of(n)),
            (None, None) => "nothing named".to_owned(),
        };
        let address = a
            .props
            .get("AllocationId")
            .or_else(|| a.props.get("EIP"))
            .map_or_else(|| "an Elastic IP".to_owned(), |v| t.name_of(v));
        s.public_ips.push(PublicIp {
            kind: Kind::ElasticIp,
            resource: a.id.to_owned(),
            resource_type: a.ty.to_owned(),
            subnets: a
                .props
                .get("InstanceId")
                .map(|i| instance_subnets(t, i))
                .unwrap_or_default(),
            detail: format!("{address} attached to {target}"),
        });
    }
}

fn instance_subnets(t: &Template<'_>, instance: &Value) -> Vec<String> {
    t.target(instance, &[INSTANCE])
        .and_then(|i| i.props.get("SubnetId"))
        .map(|s| vec![t.name_of(s)])
        .unwrap_or_default()
}

/// Whether a literal block is every address of its family: a prefix length of 0, whatever
/// the address bits (`0.0.0.0/0`, `::/0`, `10.0.0.0/0`), the rule `cloudwright-network`'s
/// security groups apply.
fn is_open_block(text: &str) -> bool {
    text.split_once('/').is_some_and(|(address, prefix)| {
        prefix.parse::<u8>() == Ok(0) && address.parse::<std::net::IpAddr>().is_ok()
    })
}

/// An ingress rule open to everyone (a block of prefix length 0), or to a CIDR only known at
/// deploy time. (Rules from a security group or a prefix list are not open.)
fn open_rule(rule: &Value) -> Option<OpenIngress> {
    let cidr = [rule.get("CidrIp"), rule.get("CidrIpv6")]
        .into_iter()
        .flatten()
        .find_map(|c| match literal_str(c) {
            Some(v) if is_open_block(v) => Some(v.to_owned()),
            Some(_) => None,
            None => Some(display(c)),
        })?;
    let protocol = protocol_name(rule.get("IpProtocol").unwrap_or(&Value::Null));
    let (from_port, to_port) = if protocol == "all" {
        (None, None)
    } else {
        (
            rule.get("FromPort").and_then(literal_int),
            rule.get("ToPort").and_then(literal_int),
        )
    };
    Some(OpenIngress {
        security_group: String::new(),
        rule: String::new(),
        protocol,
        from_port,
        to_port,
        cidr,
        used_by: Vec::new(),
    })
}

/// `all` for `-1`, names for the usual protocol numbers, the literal otherwise.
pub(crate) fn protocol_name(v: &Value) -> String {
    let raw = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.to_ascii_lowercase(),
        Value::Null => return "(absent)".into(),
        other => return display(other),
    };
    match raw.as_str() {
        "-1" | "all" => "all".into(),
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        "58" => "icmpv6".into(),
        _ => raw,
    }
}

/// The resources that use a security group (not other groups' rules that name it).
fn used_by(t: &Template<'_>, sg: &str) -> Vec<String> {
    let skip = [SECURITY_GROUP, INGRESS, EGRESS];
    t.resources
        .values()
        .filter(|r: &&Resource<'_>| r.id != sg && !skip.contains(&r.ty))
        .filter(|r| references(r.props).iter().any(|id| id == sg))
        .map(|r| r.id.to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::is_open_block;

    #[test]
    fn an_open_block_is_any_block_of_prefix_length_zero() {
        for open in ["0.0.0.0/0", "::/0", "10.0.0.0/0", "2001:db8::/0"] {
            assert!(is_open_block(open), "{open}");
        }
        for closed in [
            "10.0.0.0/8",
            "0.0.0.0/1",
            "::/1",
            "x/0",
            "10.0.0.0",
            "10.0.0.0/00x",
        ] {
            assert!(!is_open_block(closed), "{closed}");
        }
    }
}
