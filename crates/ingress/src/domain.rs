//! Custom domains of a [`PublicApi`](crate::PublicApi): an API Gateway domain name with a
//! certificate (an existing one, or a new DNS-validated ACM certificate) and the base path
//! mapping that points it at the API's stage.
//!
//! A base path mapping only exists together with its domain name: the original template
//! emitted a mapping without a domain, which CloudFormation cannot create.

use cloudwright_core::{DepTarget, Dependable, Handle, Str, Value};
use cloudwright_resources::apigateway::{BasePathMapping, DomainName};
use cloudwright_resources::certificatemanager::Certificate;

use crate::error::Error;

/// The API's endpoint type. A custom domain gets the same type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum EndpointType {
    /// Edge-optimized: served through CloudFront; a custom domain needs a certificate in
    /// us-east-1.
    #[default]
    Edge,
    /// Regional: served from the stack's region; a custom domain needs a certificate there.
    Regional,
}

impl EndpointType {
    /// The name API Gateway uses (`EDGE`, `REGIONAL`).
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointType::Edge => "EDGE",
            EndpointType::Regional => "REGIONAL",
        }
    }
}

/// Where a custom domain's certificate comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum CertificateSource {
    /// An existing ACM certificate, by ARN.
    Existing(Value),
    /// A new ACM certificate for the domain, validated through DNS. With a hosted zone id,
    /// CloudFormation writes the validation record itself; without one, the stack waits until
    /// someone adds the record shown in the ACM console.
    NewDnsValidated {
        /// The Route 53 hosted zone of the domain, if CloudFormation should validate it.
        hosted_zone_id: Option<Value>,
    },
}

/// A custom domain for the API: `api.example.com` (optionally under a base path) serving the
/// API's stage.
///
/// ```
/// use cloudwright_ingress::CustomDomain;
///
/// let existing = CustomDomain::new("api.example.com", "arn:aws:acm:us-east-1:123456789012:certificate/abc");
/// let new_cert = CustomDomain::with_new_certificate("api.example.com")
///     .hosted_zone_id("Z0123456789ABCDEFGHIJ")
///     .base_path("people");
/// # let _ = (existing, new_cert);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CustomDomain {
    pub(crate) name: String,
    pub(crate) certificate: CertificateSource,
    pub(crate) base_path: Option<String>,
}

impl CustomDomain {
    /// The domain `name` with an existing ACM certificate (in us-east-1 for an EDGE API, in
    /// the stack's region for a REGIONAL one).
    pub fn new(name: impl Into<String>, certificate_arn: impl Into<Value>) -> Self {
        CustomDomain {
            name: name.into(),
            certificate: CertificateSource::Existing(certificate_arn.into()),
            base_path: None,
        }
    }

    /// The domain `name` with a new DNS-validated ACM certificate made in the stack.
    pub fn with_new_certificate(name: impl Into<String>) -> Self {
        CustomDomain {
            name: name.into(),
            certificate: CertificateSource::NewDnsValidated {
                hosted_zone_id: None,
            },
            base_path: None,
        }
    }

    /// The Route 53 hosted zone in which a new certificate's validation record is written.
    pub fn hosted_zone_id(mut self, zone: impl Into<Value>) -> Self {
        if let CertificateSource::NewDnsValidated { hosted_zone_id } = &mut self.certificate {
            *hosted_zone_id = Some(zone.into());
        }
        self
    }

    /// Serves the stage under `https://domain/<base_path>/` instead of the domain's root.
    pub fn base_path(mut self, path: impl Into<String>) -> Self {
        self.base_path = Some(path.into());
        self
    }

    /// The domain name.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn validate(
        &self,
        endpoint: EndpointType,
        region: Option<&str>,
    ) -> Result<(), Error> {
        validate_domain_name(&self.name)?;
        if let Some(base) = &self.base_path {
            let ok = !base.is_empty()
                && base.len() <= 255
                && base
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
            if !ok {
                return Err(Error::InvalidSetting {
                    setting: "base path",
                    value: base.clone(),
                    reason: "use ASCII letters, digits, `.`, `_` and `-` (no slashes); leave it unset to map the domain's root".into(),
                });
            }
        }
        if let (CertificateSource::NewDnsValidated { .. }, EndpointType::Edge, Some(region)) =
            (&self.certificate, endpoint, region)
            && region != "us-east-1"
        {
            return Err(Error::EdgeCertificateRegion {
                region: region.to_owned(),
            });
        }
        Ok(())
    }
}

fn validate_domain_name(name: &str) -> Result<(), Error> {
    let bad = |reason: &str| {
        Err(Error::InvalidSetting {
            setting: "domain name",
            value: name.to_owned(),
            reason: reason.to_owned(),
        })
    };
    if name.len() > 253 {
        return bad("a domain name has at most 253 characters");
    }
    let labels: Vec<&str> = name.split('.').collect();
    if labels.len() < 2 {
        return bad("use a fully qualified name such as `api.example.com`");
    }
    for (i, label) in labels.iter().enumerate() {
        if i == 0 && *label == "*" {
            continue;
        }
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !ok {
            return bad(
                "each label has 1 to 63 ASCII letters, digits or inner hyphens, separated by dots",
            );
        }
    }
    Ok(())
}

/// What a custom domain made.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomDomainOutput {
    /// The domain name.
    pub name: String,
    /// The base path, if any.
    pub base_path: Option<String>,
    /// The API Gateway domain name resource.
    pub domain_name: Handle<DomainName>,
    /// The mapping from the domain (and base path) to the stage.
    pub base_path_mapping: Handle<BasePathMapping>,
    /// The certificate, when the stack made one.
    pub certificate: Option<Handle<Certificate>>,
    /// The endpoint type of the domain.
    pub endpoint: EndpointType,
}

impl CustomDomainOutput {
    /// The host name a DNS alias (or CNAME) for the domain points to: the CloudFront
    /// distribution (EDGE) or the regional domain name (REGIONAL).
    pub fn alias_target(&self) -> Str {
        match self.endpoint {
            EndpointType::Edge => self.domain_name.distribution_domain_name(),
            EndpointType::Regional => self.domain_name.regional_domain_name(),
        }
    }

    /// The hosted zone id of [`Self::alias_target`], for a Route 53 alias record.
    pub fn alias_hosted_zone_id(&self) -> Str {
        match self.endpoint {
            EndpointType::Edge => self.domain_name.distribution_hosted_zone_id(),
            EndpointType::Regional => self.domain_name.regional_hosted_zone_id(),
        }
    }

    /// `https://name/` or `https://name/base_path/`.
    pub fn url(&self) -> String {
        match &self.base_path {
            Some(b) => format!("https://{}/{b}/", self.name),
            None => format!("https://{}/", self.name),
        }
    }
}

impl Dependable for CustomDomainOutput {
    fn dependency_targets(&self) -> Vec<DepTarget> {
        let mut out = self.domain_name.dependency_targets();
        out.extend(self.base_path_mapping.dependency_targets());
        if let Some(c) = &self.certificate {
            out.extend(c.dependency_targets());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_names_are_checked() {
        for good in ["api.example.com", "*.example.com", "a-b.c.io"] {
            assert!(validate_domain_name(good).is_ok(), "{good}");
        }
        for bad in [
            "localhost",
            "api..example.com",
            "-a.example.com",
            "a b.com",
            "api.example.com.",
        ] {
            assert!(
                matches!(
                    validate_domain_name(bad),
                    Err(Error::InvalidSetting {
                        setting: "domain name",
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_new_edge_certificate_must_be_in_us_east_1() {
        let d = CustomDomain::with_new_certificate("api.example.com");
        assert!(d.validate(EndpointType::Edge, Some("us-east-1")).is_ok());
        assert!(
            d.validate(EndpointType::Regional, Some("eu-west-1"))
                .is_ok()
        );
        assert_eq!(
            d.validate(EndpointType::Edge, Some("eu-west-1")),
            Err(Error::EdgeCertificateRegion {
                region: "eu-west-1".into()
            })
        );
        let existing =
            CustomDomain::new("api.example.com", "arn:aws:acm:us-east-1:1:certificate/x");
        assert!(
            existing
                .validate(EndpointType::Edge, Some("eu-west-1"))
                .is_ok()
        );
        assert!(matches!(
            existing.base_path("a/b").validate(EndpointType::Edge, None),
            Err(Error::InvalidSetting {
                setting: "base path",
                ..
            })
        ));
    }
}
