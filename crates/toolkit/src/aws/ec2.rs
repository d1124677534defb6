//! The EC2 calls cloudwright makes, through our own Query API client ([`crate::aws::client`])
//! instead of `aws-sdk-ec2` (whose build alone took minutes and 8 GB of compiler memory).
//!
//! The read calls the VPC lookup needs are typed and paginated (`NextToken`):
//! [`Ec2::describe_vpcs`], [`Ec2::describe_subnets`], [`Ec2::describe_internet_gateways`],
//! [`Ec2::describe_availability_zones`]. Any other action can be called with [`Ec2::call`],
//! which returns the response document ([`Ec2Response`]). Response parsing is pure
//! ([`parse_page`]) and tested on recorded responses.

use aws_config::SdkConfig;

use crate::aws::client::{Backoff, Client, Protocol, Service, form_encode};
use crate::error::Error;

/// EC2's names and protocol.
pub const SERVICE: Service = Service {
    service_id: "EC2",
    signing_name: "ec2",
    endpoint_prefix: "ec2",
    protocol: Protocol::Ec2Query {
        version: "2016-11-15",
    },
};

/// An EC2 client for one region.
#[derive(Clone, Debug)]
pub struct Ec2 {
    client: Client,
}

/// A `Filter.N` of a Describe call: a name and the values any of which matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    /// The filter name (`vpc-id`, `isDefault`, `tag:Name`, ...).
    pub name: String,
    /// The values.
    pub values: Vec<String>,
}

impl Filter {
    /// A filter with one value.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Filter {
        Filter {
            name: name.into(),
            values: vec![value.into()],
        }
    }
}

/// A CIDR block association and its state (`associated`, `disassociated`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CidrAssociation {
    /// The block.
    pub cidr: String,
    /// Its association state, if reported.
    pub state: Option<String>,
}

impl CidrAssociation {
    /// Whether the block is currently associated.
    pub fn associated(&self) -> bool {
        self.state.as_deref() == Some("associated")
    }
}

/// A VPC as `DescribeVpcs` reports it (the fields cloudwright reads).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vpc {
    /// `vpc-...`.
    pub vpc_id: String,
    /// The primary IPv4 block.
    pub cidr_block: Option<String>,
    /// Every IPv4 block association.
    pub cidr_blocks: Vec<CidrAssociation>,
    /// Every IPv6 block association.
    pub ipv6_cidr_blocks: Vec<CidrAssociation>,
    /// Whether it is the region's default VPC.
    pub is_default: bool,
}

/// A subnet as `DescribeSubnets` reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subnet {
    /// `subnet-...`.
    pub subnet_id: String,
    /// Its VPC.
    pub vpc_id: Option<String>,
    /// Its IPv4 block (none for an IPv6-only subnet).
    pub cidr_block: Option<String>,
    /// Its IPv6 block associations.
    pub ipv6_cidr_blocks: Vec<CidrAssociation>,
    /// Its availability zone.
    pub availability_zone: Option<String>,
}

/// An internet gateway and its attachments (VPC id and state).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InternetGateway {
    /// `igw-...`.
    pub internet_gateway_id: String,
    /// `(vpc id, state)` per attachment.
    pub attachments: Vec<(String, Option<String>)>,
}

/// An availability zone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AvailabilityZone {
    /// `eu-west-1a`.
    pub zone_name: String,
    /// `available`, ...
    pub state: Option<String>,
    /// `availability-zone`, `local-zone`, `wavelength-zone`.
    pub zone_type: Option<String>,
    /// The region it belongs to.
    pub region_name: Option<String>,
}

/// The XML document of a successful EC2 response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ec2Response {
    operation: &'static str,
    body: String,
}

impl Ec2Response {
    /// The raw XML.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The text of the first element named `name` anywhere in the document (`vpcId` of a
    /// `CreateVpc` response, for example).
    pub fn text(&self, name: &str) -> Result<Option<String>, Error> {
        let doc = self.document()?;
        Ok(doc
            .descendants()
            .find(|n| n.has_tag_name(name))
            .and_then(|n| n.text())
            .map(|t| t.trim().to_owned()))
    }

    fn document(&self) -> Result<roxmltree::Document<'_>, Error> {
        roxmltree::Document::parse(&self.body)
            .map_err(|e| unreadable(self.operation, &self.body, &e))
    }
}

fn unreadable(operation: &'static str, body: &str, e: &dyn std::fmt::Display) -> Error {
    Error::UnreadableResponse {
        operation,
        status: 200,
        body: format!("{} (not the XML expected: {e})", body.trim()),
    }
}

/// One page of a Describe call: its items and the token of the next page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// `nextToken`, when there are more pages.
    pub next_token: Option<String>,
}

type Node<'a, 'i> = roxmltree::Node<'a, 'i>;

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| c.has_tag_name(name))
}

fn text(node: Node<'_, '_>, name: &str) -> Option<String> {
    child(node, name)
        .and_then(|c| c.text())
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// The `<item>` children of the set element `name` (empty when the set is absent).
fn items<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Vec<Node<'a, 'i>> {
    child(node, name)
        .map(|set| set.children().filter(|c| c.has_tag_name("item")).collect())
        .unwrap_or_default()
}

fn state(node: Node<'_, '_>, set: &str) -> Option<String> {
    child(node, set).and_then(|s| text(s, "state"))
}

fn associations(
    node: Node<'_, '_>,
    set: &str,
    block: &str,
    state_set: &str,
) -> Vec<CidrAssociation> {
    items(node, set)
        .into_iter()
        .filter_map(|a| {
            Some(CidrAssociation {
                cidr: text(a, block)?,
                state: state(a, state_set),
            })
        })
        .collect()
}

/// How one item of a Describe response is read.
pub trait Item: Sized {
    /// The set element holding the items (`vpcSet`).
    const SET: &'static str;
    /// Reads one `<item>`; `None` for an item without its id.
    fn parse(node: Node<'_, '_>) -> Option<Self>;
}

impl Item for Vpc {
    const SET: &'static str = "vpcSet";
    fn parse(n: Node<'_, '_>) -> Option<Vpc> {
        Some(Vpc {
            vpc_id: text(n, "vpcId")?,
            cidr_block: text(n, "cidrBlock"),
            cidr_blocks: associations(n, "cidrBlockAssociationSet", "cidrBlock", "cidrBlockState"),
            ipv6_cidr_blocks: associations(
                n,
                "ipv6CidrBlockAssociationSet",
                "ipv6CidrBlock",
                "ipv6CidrBlockState",
            ),
            is_default: text(n, "isDefault").as_deref() == Some("true"),
        })
    }
}

impl Item for Subnet {
    const SET: &'static str = "subnetSet";
    fn parse(n: Node<'_, '_>) -> Option<Subnet> {
        Some(Subnet {
            subnet_id: text(n, "subnetId")?,
            vpc_id: text(n, "vpcId"),
            cidr_block: text(n, "cidrBlock"),
            ipv6_cidr_blocks: associations(
                n,
                "ipv6CidrBlockAssociationSet",
                "ipv6CidrBlock",
                "ipv6CidrBlockState",
            ),
            availability_zone: text(n, "availabilityZone"),
        })
    }
}

impl Item for InternetGateway {
    const SET: &'static str = "internetGatewaySet";
    fn parse(n: Node<'_, '_>) -> Option<InternetGateway> {
        Some(InternetGateway {
            internet_gateway_id: text(n, "internetGatewayId")?,
            attachments: items(n, "attachmentSet")
                .into_iter()
                .filter_map(|a| Some((text(a, "vpcId")?, text(a, "state"))))
                .collect(),
        })
    }
}

impl Item for AvailabilityZone {
    const SET: &'static str = "availabilityZoneInfo";
    fn parse(n: Node<'_, '_>) -> Option<AvailabilityZone> {
        Some(AvailabilityZone {
            zone_name: text(n, "zoneName")?,
            state: text(n, "zoneState"),
            zone_type: text(n, "zoneType"),
            region_name: text(n, "regionName"),
        })
    }
}

/// Reads one page of a Describe response. A document whose root is not `<{operation}Response>`
/// (an HTML error page from a proxy, say) is an [`Error::UnreadableResponse`] with the body.
pub fn parse_page<T: Item>(operation: &'static str, body: &str) -> Result<Page<T>, Error> {
    let doc = roxmltree::Document::parse(body).map_err(|e| unreadable(operation, body, &e))?;
    let root = doc.root_element();
    if root.tag_name().name() != format!("{operation}Response") {
        return Err(unreadable(
            operation,
            body,
            &format!("the root element is <{}>", root.tag_name().name()),
        ));
    }
    Ok(Page {
        items: items(root, T::SET)
            .into_iter()
            .filter_map(T::parse)
            .collect(),
        next_token: text(root, "nextToken"),
    })
}

/// The form fields of `VpcId.N`-style ids and `Filter.N` filters.
pub fn describe_params(id_field: &str, ids: &[&str], filters: &[Filter]) -> Vec<(String, String)> {
    let mut params = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        params.push((format!("{id_field}.{}", i + 1), (*id).to_owned()));
    }
    for (i, f) in filters.iter().enumerate() {
        params.push((format!("Filter.{}.Name", i + 1), f.name.clone()));
        for (j, v) in f.values.iter().enumerate() {
            params.push((format!("Filter.{}.Value.{}", i + 1, j + 1), v.clone()));
        }
    }
    params
}

fn encode(params: &[(String, String)]) -> Vec<u8> {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

impl Ec2 {
    /// A client for the configuration's region; `what` names what needs it (for the error when
    /// no region is configured).
    pub fn new(config: &SdkConfig, what: &str) -> Result<Ec2, Error> {
        Ok(Ec2 {
            client: Client::new(config, SERVICE, what)?,
        })
    }

    /// The same client with other retry bounds.
    pub fn with_backoff(self, backoff: Backoff) -> Ec2 {
        Ec2 {
            client: self.client.with_backoff(backoff),
        }
    }

    /// The region called.
    pub fn region(&self) -> &str {
        self.client.region()
    }

    /// Calls any EC2 action with its form fields (`("CidrBlock", "10.0.0.0/16")`, ...).
    pub async fn call(
        &self,
        action: &'static str,
        params: &[(String, String)],
    ) -> Result<Ec2Response, Error> {
        let body = self.client.call(action, &encode(params)).await?;
        Ok(Ec2Response {
            operation: action,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }

    /// Calls a Describe action page by page until `nextToken` is absent, and returns every
    /// item. A token the service repeats ends the listing with an error rather than a loop.
    pub async fn describe_all<T: Item>(
        &self,
        action: &'static str,
        params: Vec<(String, String)>,
    ) -> Result<Vec<T>, Error> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut page_params = params.clone();
            if let Some(t) = &token {
                page_params.push(("NextToken".into(), t.clone()));
            }
            let response = self.call(action, &page_params).await?;
            let page: Page<T> = parse_page(action, response.body())?;
            all.extend(page.items);
            match page.next_token {
                Some(next) if token.as_deref() == Some(next.as_str()) => {
                    return Err(unreadable(
                        action,
                        response.body(),
                        &"the service returned the same nextToken twice",
                    ));
                }
                Some(next) => token = Some(next),
                None => return Ok(all),
            }
        }
    }

    /// `DescribeVpcs` by ids and filters, every page.
    pub async fn describe_vpcs(&self, ids: &[&str], filters: &[Filter]) -> Result<Vec<Vpc>, Error> {
        self.describe_all("DescribeVpcs", describe_params("VpcId", ids, filters))
            .await
    }

    /// `DescribeSubnets` by ids and filters, every page.
    pub async fn describe_subnets(
        &self,
        ids: &[&str],
        filters: &[Filter],
    ) -> Result<Vec<Subnet>, Error> {
        self.describe_all("DescribeSubnets", describe_params("SubnetId", ids, filters))
            .await
    }

    /// `DescribeInternetGateways` by filters, every page.
    pub async fn describe_internet_gateways(
        &self,
        filters: &[Filter],
    ) -> Result<Vec<InternetGateway>, Error> {
        self.describe_all(
            "DescribeInternetGateways",
            describe_params("InternetGatewayId", &[], filters),
        )
        .await
    }

    /// `DescribeAvailabilityZones` of the client's region (not paginated).
    pub async fn describe_availability_zones(&self) -> Result<Vec<AvailabilityZone>, Error> {
        self.describe_all("DescribeAvailabilityZones", Vec::new())
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_recorded_describe_vpcs_page() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>
    <vpcSet>
        <item>
            <vpcId>vpc-0a60eb65b4EXAMPLE</vpcId>
            <ownerId>111122223333</ownerId>
            <state>available</state>
            <cidrBlock>10.0.0.0/16</cidrBlock>
            <cidrBlockAssociationSet>
                <item>
                    <cidrBlock>10.0.0.0/16</cidrBlock>
                    <associationId>vpc-cidr-assoc-1</associationId>
                    <cidrBlockState><state>associated</state></cidrBlockState>
                </item>
                <item>
                    <cidrBlock>10.1.0.0/16</cidrBlock>
                    <associationId>vpc-cidr-assoc-2</associationId>
                    <cidrBlockState><state>disassociated</state></cidrBlockState>
                </item>
            </cidrBlockAssociationSet>
            <ipv6CidrBlockAssociationSet>
                <item>
                    <ipv6CidrBlock>2600:1f18:1::/56</ipv6CidrBlock>
                    <ipv6CidrBlockState><state>associated</state></ipv6CidrBlockState>
                </item>
            </ipv6CidrBlockAssociationSet>
            <tagSet><item><key>Name</key><value>main</value></item></tagSet>
            <isDefault>false</isDefault>
        </item>
        <item><ownerId>no id: skipped</ownerId></item>
    </vpcSet>
    <nextToken>eyJ2IjoiMiJ9</nextToken>
</DescribeVpcsResponse>"#;
        let page: Page<Vpc> = parse_page("DescribeVpcs", body).unwrap();
        assert_eq!(page.next_token.as_deref(), Some("eyJ2IjoiMiJ9"));
        assert_eq!(
            page.items,
            [Vpc {
                vpc_id: "vpc-0a60eb65b4EXAMPLE".into(),
                cidr_block: Some("10.0.0.0/16".into()),
                cidr_blocks: vec![
                    CidrAssociation {
                        cidr: "10.0.0.0/16".into(),
                        state: Some("associated".into())
                    },
                    CidrAssociation {
                        cidr: "10.1.0.0/16".into(),
                        state: Some("disassociated".into())
                    },
                ],
                ipv6_cidr_blocks: vec![CidrAssociation {
                    cidr: "2600:1f18:1::/56".into(),
                    state: Some("associated".into())
                }],
                is_default: false,
            }]
        );
    }

    #[test]
    fn reads_subnets_gateways_and_zones() {
        let subnets = r#"<DescribeSubnetsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><subnetSet><item><subnetId>subnet-1</subnetId><vpcId>vpc-1</vpcId><cidrBlock>10.0.1.0/24</cidrBlock><availabilityZone>eu-west-1a</availabilityZone><ipv6CidrBlockAssociationSet/></item></subnetSet></DescribeSubnetsResponse>"#;
        let page: Page<Subnet> = parse_page("DescribeSubnets", subnets).unwrap();
        assert_eq!(page.next_token, None);
        assert_eq!(
            page.items[0].availability_zone.as_deref(),
            Some("eu-west-1a")
        );
        assert_eq!(page.items[0].cidr_block.as_deref(), Some("10.0.1.0/24"));
        let igws = r#"<DescribeInternetGatewaysResponse><internetGatewaySet><item><internetGatewayId>igw-1</internetGatewayId><attachmentSet><item><vpcId>vpc-1</vpcId><state>available</state></item></attachmentSet></item></internetGatewaySet></DescribeInternetGatewaysResponse>"#;
        let page: Page<InternetGateway> = parse_page("DescribeInternetGateways", igws).unwrap();
        assert_eq!(
            page.items[0].attachments,
            [("vpc-1".to_owned(), Some("available".to_owned()))]
        );
        let zones = r#"<DescribeAvailabilityZonesResponse><availabilityZoneInfo><item><zoneName>eu-west-1a</zoneName><zoneState>available</zoneState><regionName>eu-west-1</regionName><zoneType>availability-zone</zoneType></item></availabilityZoneInfo></DescribeAvailabilityZonesResponse>"#;
        let page: Page<AvailabilityZone> = parse_page("DescribeAvailabilityZones", zones).unwrap();
        assert_eq!(page.items[0].state.as_deref(), Some("available"));
    }

    #[test]
    fn an_unexpected_document_is_unreadable_with_its_body() {
        let e =
            parse_page::<Vpc>("DescribeVpcs", "<html><body>proxy error</body></html>").unwrap_err();
        assert!(matches!(e, Error::UnreadableResponse { .. }), "{e:?}");
        assert!(e.to_string().contains("proxy error"), "{e}");
        assert!(e.to_string().contains("<html>"), "{e}");
        let e = parse_page::<Vpc>("DescribeVpcs", "{\"json\": 1}").unwrap_err();
        assert!(e.to_string().contains("{\"json\": 1}"), "{e}");
    }

    #[test]
    fn numbers_ids_and_filters_from_one() {
        let params = describe_params(
            "VpcId",
            &["vpc-1", "vpc-2"],
            &[
                Filter::new("tag:Name", "main"),
                Filter {
                    name: "state".into(),
                    values: vec!["a".into(), "b".into()],
                },
            ],
        );
        let text: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            text,
            [
                "VpcId.1=vpc-1",
                "VpcId.2=vpc-2",
                "Filter.1.Name=tag:Name",
                "Filter.1.Value.1=main",
                "Filter.2.Name=state",
                "Filter.2.Value.1=a",
                "Filter.2.Value.2=b",
            ]
        );
        assert_eq!(
            String::from_utf8(encode(&params[2..4])).unwrap(),
            "Filter.1.Name=tag%3AName&Filter.1.Value.1=main"
        );
    }
}
