//! Context lookups: the providers that fill context keys from AWS.
//!
//! - `vpc-provider` (props `region` and exactly one of `vpcId`, `filter.isDefault` = `"true"`,
//!   or `tag:<Name>`): the VPC, its associated CIDR blocks, internet gateway, the region's
//!   availability zones and its subnets ([`VpcContext`]).
//! - `ecr-image-provider` (props `region`, `repositoryName`): the repository URI and the newest
//!   image's first tag and digest ([`EcrImageContext`]).
//!
//! Both take an optional `account` property (a stack that names its account adds it): the
//! lookup then runs in that account ([`crate::aws::accounts`]: its role, and STS confirming it),
//! so a value looked up in one account is never used for a stack in another.
//!
//! Parsing a query and shaping the result are pure; [`perform`] calls AWS.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use cloudwright_core::ContextQuery;
use serde::{Deserialize, Serialize};

use crate::aws::Aws;
use crate::aws::ec2::Filter;
use crate::error::{Error, Result};

/// The VPC lookup provider's name.
pub const VPC_PROVIDER: &str = "vpc-provider";
/// The ECR image lookup provider's name.
pub const ECR_IMAGE_PROVIDER: &str = "ecr-image-provider";

/// How a VPC is chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VpcSelector {
    /// By id (`vpcId`).
    Id(String),
    /// The account's default VPC in the region (`filter.isDefault` = `"true"`).
    Default,
    /// By tag (`tag:<Name>` = value).
    Tag {
        /// The tag key.
        key: String,
        /// The tag value.
        value: String,
    },
}

/// A parsed lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// `vpc-provider`.
    Vpc {
        /// The region to look in.
        region: String,
        /// Which VPC.
        selector: VpcSelector,
    },
    /// `ecr-image-provider`.
    EcrImage {
        /// The region to look in.
        region: String,
        /// The repository name.
        repository: String,
    },
}

/// The value of a `vpc-provider` key: the contract with the network crate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VpcContext {
    /// `vpc-...`.
    pub vpc_id: String,
    /// The associated IPv4 blocks, primary first.
    pub cidr_blocks: Vec<String>,
    /// The associated IPv6 blocks.
    pub ipv6_cidr_blocks: Vec<String>,
    /// The attached internet gateway, if any.
    pub internet_gateway_id: Option<String>,
    /// The region's available availability zones, sorted.
    pub availability_zones: Vec<String>,
    /// The VPC's subnets, sorted by IPv4 CIDR.
    pub subnets: Vec<SubnetContext>,
}

/// One existing subnet in a [`VpcContext`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubnetContext {
    /// `subnet-...`.
    pub subnet_id: String,
    /// Its IPv4 CIDR (`null` only for an IPv6-only subnet).
    pub cidr_block: Option<String>,
    /// Its associated IPv6 blocks.
    pub ipv6_cidr_blocks: Vec<String>,
    /// Its availability zone.
    pub availability_zone: String,
}

/// The value of an `ecr-image-provider` key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EcrImageContext {
    /// `<account>.dkr.ecr.<region>.amazonaws.com/<name>`.
    pub repository_uri: String,
    /// The newest image's first tag (`null` when it has none).
    pub tag: Option<String>,
    /// The newest image's digest, `sha256:...`.
    pub digest: String,
}

/// Parses a context key back into its query: `provider:name=value:...` (a value containing
/// `:` is kept whole). Keys that are not lookups (no provider with properties) give `None`.
pub fn parse_key(key: &str) -> Option<ContextQuery> {
    let segments: Vec<&str> = key.split(':').collect();
    let (provider, rest) = segments.split_first()?;
    if !provider.ends_with("-provider") || rest.is_empty() {
        return None;
    }
    let mut props = Vec::new();
    if !parse_props(rest, &mut props) {
        return None;
    }
    let query = props
        .into_iter()
        .fold(ContextQuery::new(*provider), |q, (k, v)| q.prop(k, v));
    (query.key() == key).then_some(query)
}

/// Splits `name=value` segments (joined by `:`) into properties in strictly increasing name
/// order, as [`ContextQuery::key`] writes them. Names and values may contain `:`; where that
/// is ambiguous, a new property is preferred over a longer value.
fn parse_props(segments: &[&str], props: &mut Vec<(String, String)>) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        return !props.is_empty();
    };
    // start a new property whose name may span segments up to the first `=`
    let mut name = String::new();
    for (i, seg) in segments.iter().enumerate() {
        if !name.is_empty() {
            name.push(':');
        }
        match seg.split_once('=') {
            Some((k, v)) => {
                name.push_str(k);
                let ordered = props.last().is_none_or(|(last, _)| *last < name);
                if !name.is_empty() && ordered {
                    props.push((name.clone(), v.to_owned()));
                    if parse_props(&segments[i + 1..], props) {
                        return true;
                    }
                    props.pop();
                }
                break;
            }
            None => name.push_str(seg),
        }
    }
    // or continue the previous value
    if let Some((_, v)) = props.last_mut() {
        let before = v.len();
        v.push(':');
        v.push_str(first);
        if parse_props(rest, props) {
            return true;
        }
        if let Some((_, v)) = props.last_mut() {
            v.truncate(before);
        }
    }
    false
}

impl Lookup {
    /// Validates a query's provider and properties.
    pub fn parse(key: &str, query: &ContextQuery) -> Result<Lookup> {
        let bad = |message: String| Error::LookupProps {
            key: key.to_owned(),
            message,
        };
        let props = &query.props;
        let region = || {
            props
                .get("region")
                .filter(|r| !r.is_empty())
                .cloned()
                .ok_or_else(|| {
                    bad(format!(
                        "the {} lookup needs a `region` property (the region to look in)",
                        query.provider
                    ))
                })
        };
        let unknown = |allowed: &dyn Fn(&str) -> bool| -> Result<()> {
            let extra: Vec<&str> = props
                .keys()
                .map(String::as_str)
                .filter(|k| !allowed(k))
                .collect();
            if extra.is_empty() {
                Ok(())
            } else {
                Err(bad(format!(
                    "the {} lookup does not know the propert{} {}",
                    query.provider,
                    if extra.len() == 1 { "y" } else { "ies" },
                    extra.join(", ")
                )))
            }
        };
        match query.provider.as_str() {
            VPC_PROVIDER => {
                unknown(&|k| {
                    k == "region"
                        || k == "vpcId"
                        || k == "filter.isDefault"
                        || k.starts_with("tag:")
                })?;
                let region = region()?;
                let mut selectors = Vec::new();
                for (k, v) in props {
                    match k.as_str() {
                        "vpcId" => selectors.push(VpcSelector::Id(v.clone())),
                        "filter.isDefault" if v == "true" => selectors.push(VpcSelector::Default),
                        "filter.isDefault" => {
                            return Err(bad(format!(
                                "`filter.isDefault` must be \"true\" (the account's default VPC), not {v:?}"
                            )));
                        }
                        k if k.starts_with("tag:") && k.len() > 4 => {
                            selectors.push(VpcSelector::Tag {
                                key: k[4..].to_owned(),
                                value: v.clone(),
                            })
                        }
                        "region" => {}
                        k => return Err(bad(format!("`{k}` needs a tag name after `tag:`"))),
                    }
                }
                match selectors.len() {
                    1 => Ok(Lookup::Vpc {
                        region,
                        selector: selectors.remove(0),
                    }),
                    n => Err(bad(format!(
                        "the vpc-provider lookup needs exactly one of `vpcId`, `filter.isDefault` = \"true\" or `tag:<Name>`, but has {n}"
                    ))),
                }
            }
            ECR_IMAGE_PROVIDER => {
                unknown(&|k| k == "region" || k == "repositoryName")?;
                let region = region()?;
                let repository = props
                    .get("repositoryName")
                    .filter(|r| !r.is_empty())
                    .cloned()
                    .ok_or_else(|| {
                        bad(
                            "the ecr-image-provider lookup needs a `repositoryName` property"
                                .into(),
                        )
                    })?;
                Ok(Lookup::EcrImage { region, repository })
            }
            other => Err(Error::UnknownProvider {
                key: key.to_owned(),
                provider: other.to_owned(),
            }),
        }
    }

    /// The region the lookup runs in.
    pub fn region(&self) -> &str {
        match self {
            Lookup::Vpc { region, .. } | Lookup::EcrImage { region, .. } => region,
        }
    }
}

/// Sorts subnets by IPv4 CIDR (address, then prefix length); IPv6-only subnets go last.
pub fn sort_subnets(subnets: &mut [SubnetContext]) {
    fn key(s: &SubnetContext) -> (u8, u32, u8, String) {
        let parsed = s.cidr_block.as_deref().and_then(|c| {
            let (addr, len) = c.split_once('/')?;
            Some((addr.parse::<Ipv4Addr>().ok()?, len.parse::<u8>().ok()?))
        });
        match parsed {
            Some((addr, len)) => (0, u32::from(addr), len, s.subnet_id.clone()),
            None => (1, 0, 0, s.subnet_id.clone()),
        }
    }
    subnets.sort_by_key(key);
}

pub use crate::aws::ecr::ImageInfo;

/// The newest image by push time (the later one in the list on a tie).
pub fn newest_image(images: &[ImageInfo]) -> Option<&ImageInfo> {
    images
        .iter()
        .enumerate()
        .max_by_key(|(i, im)| (im.pushed_at, *i))
        .map(|(_, im)| im)
}

/// Performs one lookup; returns the context value.
pub async fn perform(aws: &Aws, key: &str, lookup: &Lookup) -> Result<serde_json::Value> {
    let value = match lookup {
        Lookup::Vpc { region, selector } => {
            serde_json::to_value(lookup_vpc(aws, key, region, selector).await?)
        }
        Lookup::EcrImage { region, repository } => {
            serde_json::to_value(lookup_image(aws, key, region, repository).await?)
        }
    };
    value.map_err(|e| Error::LookupFailed {
        key: key.to_owned(),
        message: e.to_string(),
    })
}

async fn lookup_vpc(
    aws: &Aws,
    key: &str,
    region: &str,
    selector: &VpcSelector,
) -> Result<VpcContext> {
    let ec2 = aws.ec2(Some(region), "the vpc-provider lookup")?;
    let (ids, filters, what) = match selector {
        VpcSelector::Id(id) => (vec![id.as_str()], vec![], format!("with id {id}")),
        VpcSelector::Default => (
            vec![],
            vec![Filter::new("isDefault", "true")],
            "marked default".to_owned(),
        ),
        VpcSelector::Tag { key, value } => (
            vec![],
            vec![Filter::new(format!("tag:{key}"), value)],
            format!("tagged {key}={value}"),
        ),
    };
    let vpcs = match ec2.describe_vpcs(&ids, &filters).await {
        Ok(v) => v,
        Err(Error::Aws { code, .. }) if code == "InvalidVpcID.NotFound" => Vec::new(),
        Err(e) => return Err(e),
    };
    let vpc = match vpcs.as_slice() {
        [vpc] => vpc,
        [] => {
            return Err(Error::LookupFailed {
                key: key.to_owned(),
                message: format!(
                    "there is no VPC {what} in region {region} for the account in use. Check the region and the account (AWS_PROFILE), and the id or tag."
                ),
            });
        }
        many => {
            return Err(Error::LookupFailed {
                key: key.to_owned(),
                message: format!(
                    "{} VPCs are {what} in region {region} ({}); make the lookup specific, e.g. by vpcId.",
                    many.len(),
                    many.iter()
                        .map(|v| v.vpc_id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    };
    let vpc_id = vpc.vpc_id.clone();

    let mut cidr_blocks: Vec<String> = Vec::new();
    if let Some(primary) = &vpc.cidr_block {
        let primary_associated = vpc
            .cidr_blocks
            .iter()
            .any(|a| &a.cidr == primary && a.associated());
        if primary_associated || vpc.cidr_blocks.is_empty() {
            cidr_blocks.push(primary.clone());
        }
    }
    for a in vpc.cidr_blocks.iter().filter(|a| a.associated()) {
        if !cidr_blocks.contains(&a.cidr) {
            cidr_blocks.push(a.cidr.clone());
        }
    }
    let ipv6_cidr_blocks = vpc
        .ipv6_cidr_blocks
        .iter()
        .filter(|a| a.associated())
        .map(|a| a.cidr.clone())
        .collect();

    let gateways = ec2
        .describe_internet_gateways(&[Filter::new("attachment.vpc-id", &vpc_id)])
        .await?;
    let mut gateway_ids: Vec<String> = gateways
        .into_iter()
        .filter(|g| {
            g.attachments
                .iter()
                .any(|(v, state)| *v == vpc_id && state.as_deref() != Some("detached"))
        })
        .map(|g| g.internet_gateway_id)
        .collect();
    gateway_ids.sort();

    let zones = ec2.describe_availability_zones().await?;
    let mut availability_zones: Vec<String> = zones
        .into_iter()
        .filter(|z| z.state.as_deref() == Some("available"))
        .filter(|z| {
            z.zone_type
                .as_deref()
                .is_none_or(|t| t == "availability-zone")
        })
        .filter(|z| z.region_name.as_deref().is_none_or(|r| r == region))
        .map(|z| z.zone_name)
        .collect();
    availability_zones.sort();
    availability_zones.dedup();

    let subnets = ec2
        .describe_subnets(&[], &[Filter::new("vpc-id", &vpc_id)])
        .await?;
    let mut subnets: Vec<SubnetContext> = subnets
        .into_iter()
        .filter(|s| s.vpc_id.as_deref().is_none_or(|v| v == vpc_id))
        .map(|s| SubnetContext {
            subnet_id: s.subnet_id,
            cidr_block: s.cidr_block,
            ipv6_cidr_blocks: s
                .ipv6_cidr_blocks
                .into_iter()
                .filter(|a| a.associated())
                .map(|a| a.cidr)
                .collect(),
            availability_zone: s.availability_zone.unwrap_or_default(),
        })
        .collect();
    sort_subnets(&mut subnets);

    Ok(VpcContext {
        vpc_id,
        cidr_blocks,
        ipv6_cidr_blocks,
        internet_gateway_id: gateway_ids.into_iter().next(),
        availability_zones,
        subnets,
    })
}

async fn lookup_image(
    aws: &Aws,
    key: &str,
    region: &str,
    repository: &str,
) -> Result<EcrImageContext> {
    let ecr = aws.ecr(Some(region), "the ecr-image-provider lookup")?;
    let not_found = || Error::LookupFailed {
        key: key.to_owned(),
        message: format!(
            "there is no ECR repository `{repository}` in region {region} for the account in use. Check the name, the region and the account, or create the repository and push an image."
        ),
    };
    let repository_uri = match ecr.repository_uri(repository).await {
        Ok(uri) => uri.ok_or_else(not_found)?,
        Err(Error::Aws { code, .. }) if code == "RepositoryNotFoundException" => {
            return Err(not_found());
        }
        Err(e) => return Err(e),
    };
    let images = ecr.images(repository).await?;
    let newest = newest_image(&images).ok_or_else(|| Error::LookupFailed {
        key: key.to_owned(),
        message: format!(
            "the ECR repository `{repository}` in region {region} has no images. Push an image to it (docker push {repository_uri}:TAG) and run the lookup again."
        ),
    })?;
    Ok(EcrImageContext {
        repository_uri,
        tag: newest.tags.first().cloned(),
        digest: newest.digest.clone(),
    })
}

/// What [`perform_all`] found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Found {
    /// The values, by key.
    pub values: BTreeMap<String, serde_json::Value>,
    /// For each key that names no account, the account whose credentials answered it (STS),
    /// recorded in the context file ([`cloudwright_core::LOOKUP_ACCOUNTS`]) so that deploy can
    /// refuse the value for a stack in another account.
    pub answered_by: BTreeMap<String, String>,
}

/// Performs lookups for `queries` (key and query) and returns the values by key; the first
/// failure stops and is returned after the values found so far.
pub async fn perform_all(
    accounts: &crate::aws::accounts::Accounts,
    queries: &[(String, ContextQuery)],
) -> (Found, Option<Error>) {
    let mut found = Found::default();
    for (key, query) in queries {
        let result = async {
            // `account` (added by the stack that names its account) says where to look: with
            // that account's role, and only once STS confirms the account
            let mut query = query.clone();
            let account = query.props.remove("account");
            let lookup = Lookup::parse(key, &query)?;
            let what = format!("context key `{key}`");
            let aws = accounts
                .access(account.as_deref(), Some(lookup.region()), &what)
                .await?;
            // a key without `account=` is answered by whatever account the credentials are
            // in: that account is recorded with the value
            let answered_by = match account {
                Some(_) => None,
                None => Some(
                    accounts
                        .account_id(None, Some(lookup.region()), &what)
                        .await?,
                ),
            };
            Ok::<_, Error>((perform(&aws, key, &lookup).await?, answered_by))
        }
        .await;
        match result {
            Ok((v, answered_by)) => {
                found.values.insert(key.clone(), v);
                if let Some(a) = answered_by {
                    found.answered_by.insert(key.clone(), a);
                }
            }
            Err(e) => return (found, Some(e)),
        }
    }
    (found, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(provider: &str, props: &[(&str, &str)]) -> ContextQuery {
        props
            .iter()
            .fold(ContextQuery::new(provider), |q, (k, v)| q.prop(*k, *v))
    }

    #[test]
    fn parses_vpc_queries() {
        let by_id = q(VPC_PROVIDER, &[("region", "eu-west-1"), ("vpcId", "vpc-1")]);
        assert_eq!(
            Lookup::parse("k", &by_id).unwrap(),
            Lookup::Vpc {
                region: "eu-west-1".into(),
                selector: VpcSelector::Id("vpc-1".into())
            }
        );
        let default = q(
            VPC_PROVIDER,
            &[("region", "eu-west-1"), ("filter.isDefault", "true")],
        );
        assert_eq!(
            Lookup::parse("k", &default).unwrap(),
            Lookup::Vpc {
                region: "eu-west-1".into(),
                selector: VpcSelector::Default
            }
        );
        let tag = q(VPC_PROVIDER, &[("region", "r"), ("tag:Name", "main")]);
        assert!(matches!(
            Lookup::parse("k", &tag).unwrap(),
            Lookup::Vpc { selector: VpcSelector::Tag { key, value }, .. } if key == "Name" && value == "main"
        ));
        for (bad, needle) in [
            (q(VPC_PROVIDER, &[("vpcId", "vpc-1")]), "region"),
            (q(VPC_PROVIDER, &[("region", "r")]), "exactly one"),
            (
                q(
                    VPC_PROVIDER,
                    &[("region", "r"), ("vpcId", "a"), ("tag:N", "b")],
                ),
                "has 2",
            ),
            (
                q(VPC_PROVIDER, &[("region", "r"), ("filter.isDefault", "no")]),
                "must be",
            ),
            (q(VPC_PROVIDER, &[("region", "r"), ("cidr", "x")]), "cidr"),
        ] {
            let e = Lookup::parse("k", &bad).unwrap_err().to_string();
            assert!(e.contains(needle), "{e}");
        }
    }

    #[test]
    fn parses_ecr_queries_and_rejects_unknown_providers() {
        let ok = q(
            ECR_IMAGE_PROVIDER,
            &[("region", "eu-west-1"), ("repositoryName", "repo")],
        );
        assert_eq!(
            Lookup::parse("k", &ok).unwrap(),
            Lookup::EcrImage {
                region: "eu-west-1".into(),
                repository: "repo".into()
            }
        );
        let e = Lookup::parse("k", &q(ECR_IMAGE_PROVIDER, &[("region", "r")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("repositoryName"), "{e}");
        let e = Lookup::parse("ami:x=1", &q("ami-provider", &[("x", "1")]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`ami-provider`") && e.contains("vpc-provider and ecr-image-provider"),
            "{e}"
        );
    }

    #[test]
    fn keys_parse_back_into_queries() {
        let query = q(
            VPC_PROVIDER,
            &[
                ("region", "eu-west-1"),
                ("tag:aws:cloudformation:stack-name", "Net"),
            ],
        );
        assert_eq!(parse_key(&query.key()), Some(query));
        let query = q(
            ECR_IMAGE_PROVIDER,
            &[("region", "r"), ("repositoryName", "a/b")],
        );
        assert_eq!(parse_key(&query.key()), Some(query));
        assert_eq!(parse_key("plain-key"), None);
        assert_eq!(parse_key("vpcId"), None);
    }

    #[test]
    fn sorts_subnets_by_cidr_numerically() {
        let s = |id: &str, cidr: Option<&str>| SubnetContext {
            subnet_id: id.into(),
            cidr_block: cidr.map(str::to_owned),
            ipv6_cidr_blocks: vec![],
            availability_zone: "a".into(),
        };
        let mut v = vec![
            s("c", Some("10.0.128.0/20")),
            s("v6", None),
            s("b", Some("10.0.16.0/20")),
            s("a", Some("10.0.2.0/24")),
            s("z", Some("9.255.0.0/24")),
        ];
        sort_subnets(&mut v);
        let ids: Vec<&str> = v.iter().map(|s| s.subnet_id.as_str()).collect();
        assert_eq!(ids, ["z", "a", "b", "c", "v6"]);
    }

    #[test]
    fn the_vpc_value_keeps_the_contract_shape() {
        let v = VpcContext {
            vpc_id: "vpc-0abc1234".into(),
            cidr_blocks: vec!["172.31.0.0/16".into()],
            ipv6_cidr_blocks: vec![],
            internet_gateway_id: None,
            availability_zones: vec!["eu-west-1a".into()],
            subnets: vec![SubnetContext {
                subnet_id: "subnet-1".into(),
                cidr_block: Some("172.31.0.0/20".into()),
                ipv6_cidr_blocks: vec![],
                availability_zone: "eu-west-1a".into(),
            }],
        };
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"vpcId":"vpc-0abc1234","cidrBlocks":["172.31.0.0/16"],"ipv6CidrBlocks":[],"internetGatewayId":null,"availabilityZones":["eu-west-1a"],"subnets":[{"subnetId":"subnet-1","cidrBlock":"172.31.0.0/20","ipv6CidrBlocks":[],"availabilityZone":"eu-west-1a"}]}"#
        );
    }

    #[test]
    fn picks_the_newest_image() {
        let im = |d: &str, t: Option<(i64, u32)>| ImageInfo {
            digest: d.into(),
            tags: vec![d.into()],
            pushed_at: t,
        };
        let v = vec![
            im("a", Some((10, 0))),
            im("b", Some((20, 5))),
            im("c", Some((20, 1))),
            im("d", None),
        ];
        assert_eq!(newest_image(&v).unwrap().digest, "b");
        assert_eq!(newest_image(&[]), None);
        let tie = vec![im("a", Some((1, 0))), im("b", Some((1, 0)))];
        assert_eq!(newest_image(&tie).unwrap().digest, "b");
    }
}
