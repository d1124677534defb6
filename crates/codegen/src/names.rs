//! Turning CloudFormation names into Rust identifiers.

/// Words the schemas spell with an inner capital that is not a word boundary.
const FIXED_WORDS: &[(&str, &str)] = &[("IPv", "Ipv"), ("FSx", "Fsx")];

/// Rust keywords (strict and reserved, edition 2024): fields and parameters get `r#`.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "super", "Self"];

/// `snake_case` of a CloudFormation name: `DNSName` → `dns_name`, `Ipv6CidrBlock` →
/// `ipv6_cidr_block`, `dualstack-without-public-ipv4` → `dualstack_without_public_ipv4`.
pub fn snake(name: &str) -> String {
    let mut fixed = name.to_owned();
    for (from, to) in FIXED_WORDS {
        fixed = fixed.replace(from, to);
    }
    let chars: Vec<char> = fixed.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// `PascalCase` of a CloudFormation name: `VPCGatewayAttachment` → `VpcGatewayAttachment`,
/// `TCP_UDP` → `TcpUdp`, `X86_64` → `X86_64` (an underscore stays between two digits).
pub fn pascal(name: &str) -> String {
    let mut out = String::new();
    for part in snake(name).split('_').filter(|p| !p.is_empty()) {
        if out.ends_with(|c: char| c.is_ascii_digit())
            && part.starts_with(|c: char| c.is_ascii_digit())
        {
            out.push('_');
        }
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    if NOT_RAW.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// A field, parameter or method identifier for a CloudFormation name (`Type` → `r#type`).
pub fn field(name: &str) -> String {
    let mut s = snake(name);
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    escape_keyword(s)
}

/// A module (and file) name for a CloudFormation name: `snake_case`, with a trailing `_` for
/// a keyword (`Type` → `type_`), since a file cannot be named `r#type.rs`.
pub fn module(name: &str) -> String {
    let mut s = snake(name);
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'm');
    }
    if KEYWORDS.contains(&s.as_str()) || NOT_RAW.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// `r#` before a keyword; a trailing `_` for the keywords that cannot be raw.
pub fn escape_keyword(s: String) -> String {
    if NOT_RAW.contains(&s.as_str()) {
        format!("{s}_")
    } else if KEYWORDS.contains(&s.as_str()) {
        format!("r#{s}")
    } else {
        s
    }
}

/// The name an item of a list called `name` gets: `RequiresCompatibilities` →
/// `RequiresCompatibility`, `LifecycleStages` → `LifecycleStage`.
pub fn singular(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("ies") {
        format!("{stem}y")
    } else if name.ends_with("ss") || name.ends_with("us") {
        name.to_owned()
    } else if let Some(stem) = name.strip_suffix('s') {
        stem.to_owned()
    } else {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_handles_acronyms_and_digits() {
        for (from, to) in [
            ("DNSName", "dns_name"),
            ("CanonicalHostedZoneID", "canonical_hosted_zone_id"),
            ("Ipv6CidrBlock", "ipv6_cidr_block"),
            ("IPv6Address", "ipv6_address"),
            ("PrivateIPv4Address", "private_ipv4_address"),
            (
                "FSxWindowsFileServerVolumeConfiguration",
                "fsx_windows_file_server_volume_configuration",
            ),
            ("EnableDns64", "enable_dns64"),
            (
                "EnableResourceNameDnsAAAARecord",
                "enable_resource_name_dns_aaaa_record",
            ),
            ("S3BucketName", "s3_bucket_name"),
            ("VPCGatewayAttachment", "vpc_gateway_attachment"),
            ("EIP", "eip"),
            ("RoleARN", "role_arn"),
            (
                "appstream:fleet:DesiredCapacity",
                "appstream_fleet_desired_capacity",
            ),
            (
                "dualstack-without-public-ipv4",
                "dualstack_without_public_ipv4",
            ),
            (
                "BlockPublicAccessStates.InternetGatewayBlockMode",
                "block_public_access_states_internet_gateway_block_mode",
            ),
        ] {
            assert_eq!(snake(from), to, "{from}");
        }
    }

    #[test]
    fn pascal_case_normalizes_acronyms() {
        for (from, to) in [
            ("VPC", "Vpc"),
            ("VPCCidrBlock", "VpcCidrBlock"),
            ("TCP_UDP", "TcpUdp"),
            ("HTTP_301", "Http301"),
            ("X86_64", "X86_64"),
            ("ALBRequestCountPerTarget", "AlbRequestCountPerTarget"),
            (
                "EC2SpotFleetRequestAverageCPUUtilization",
                "Ec2SpotFleetRequestAverageCpuUtilization",
            ),
            ("awsvpc", "Awsvpc"),
            ("internet-facing", "InternetFacing"),
            ("1", "V1"),
            ("self", "Self_"),
        ] {
            assert_eq!(pascal(from), to, "{from}");
        }
    }

    #[test]
    fn keywords_become_raw_identifiers() {
        assert_eq!(field("Type"), "r#type");
        assert_eq!(field("Self"), "self_");
        assert_eq!(field("VpcId"), "vpc_id");
        assert_eq!(module("Type"), "type_");
        assert_eq!(module("VPCEndpoint"), "vpc_endpoint");
    }

    #[test]
    fn singular_of_list_names() {
        assert_eq!(singular("RequiresCompatibilities"), "RequiresCompatibility");
        assert_eq!(singular("LifecycleStages"), "LifecycleStage");
        assert_eq!(singular("Permissions"), "Permission");
        assert_eq!(singular("Address"), "Address");
    }
}
