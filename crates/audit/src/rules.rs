//! Policy rules over a template: the bundled rule set.
//!
//! The rules are the ones a CloudFormation Guard rule file would hold, implemented natively
//! (see the crate documentation for why cfn-guard is not a dependency). A resource opts out of a
//! rule the way cfn-guard resources do: `"Metadata": {"guard": {"SuppressedRules": ["ID"]}}`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Error;
use crate::data::{
    BLOCK_SETTINGS, BUCKET, BUCKET_POLICY, KEY, PERMISSION, PUBLIC_ACLS, QUEUE, QUEUE_POLICY,
    TABLE, TOPIC, TOPIC_POLICY, blocks_off, permission_is_public, policy_targets,
    public_statements,
};
use crate::declaration::Declaration;
use crate::loadbalancing::{CLASSIC, ELBV2, is_internal, lb_type};
use crate::network::{INGRESS, SECURITY_GROUP, protocol_name};
use crate::template::{
    Resource, Template, display, items, literal_int, literal_str, ref_name, references, render,
};

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Likely a mistake.
    Warning,
    /// A defect: insecure or broken.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

impl FromStr for Severity {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "warning" | "warn" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            _ => Err(Error::UnknownSeverity(s.to_owned())),
        }
    }
}

/// A bundled rule: its id, severity and what it checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleInfo {
    /// Stable id, as in a Guard rule file.
    pub id: &'static str,
    /// Severity of its findings.
    pub severity: Severity,
    /// What it checks.
    pub summary: &'static str,
}

/// An IAM role passed where an ARN is required is a name (a `Ref` to the role, or a literal).
pub const IAM_ROLE_PASSED_BY_ARN: RuleInfo = RuleInfo {
    id: "IAM_ROLE_PASSED_BY_ARN",
    severity: Severity::Error,
    summary: "roles are passed by ARN: ECS TaskDefinition ExecutionRoleArn/TaskRoleArn, Lambda \
              Function Role, Step Functions RoleArn, API Gateway Account CloudWatchRoleArn must \
              not be a Ref to an AWS::IAM::Role (its name) or a literal that is not an arn:",
};

/// Security group ingress on all protocols from anywhere.
pub const SG_NO_ALL_PROTOCOLS_FROM_ANYWHERE: RuleInfo = RuleInfo {
    id: "SG_NO_ALL_PROTOCOLS_FROM_ANYWHERE",
    severity: Severity::Error,
    summary: "no security group ingress on all protocols (IpProtocol -1) from 0.0.0.0/0 or ::/0",
};

/// SSH or RDP open to the world.
pub const SG_NO_ADMIN_PORTS_FROM_ANYWHERE: RuleInfo = RuleInfo {
    id: "SG_NO_ADMIN_PORTS_FROM_ANYWHERE",
    severity: Severity::Error,
    summary: "no security group ingress to SSH (22) or RDP (3389) from 0.0.0.0/0 or ::/0",
};

/// Internet-facing load balancers that were not declared public.
pub const LB_INTERNAL_UNLESS_DECLARED: RuleInfo = RuleInfo {
    id: "LB_INTERNAL_UNLESS_DECLARED",
    severity: Severity::Warning,
    summary: "load balancers are internal unless the surface declaration lists them in \
              publicLoadBalancers",
};

/// Physical names that make a second copy of the stack (or a replacement) fail.
pub const NO_HARDCODED_PHYSICAL_NAMES: RuleInfo = RuleInfo {
    id: "NO_HARDCODED_PHYSICAL_NAMES",
    severity: Severity::Warning,
    summary: "no hard-coded physical names that must be unique in the account or region (a \
              second stack, or a replacement, would collide); a name built from a parameter, \
              AWS::StackName or a resource attribute is fine",
};

/// Log groups without retention keep logs (and bill) forever.
pub const LOG_GROUP_RETENTION: RuleInfo = RuleInfo {
    id: "LOG_GROUP_RETENTION",
    severity: Severity::Warning,
    summary: "AWS::Logs::LogGroup sets RetentionInDays",
};

/// ECS services whose tasks get public IPs.
pub const ECS_SERVICE_NO_PUBLIC_IP: RuleInfo = RuleInfo {
    id: "ECS_SERVICE_NO_PUBLIC_IP",
    severity: Severity::Warning,
    summary: "ECS services do not assign public IPs to tasks (AssignPublicIp ENABLED)",
};

/// Buckets block every kind of public access.
pub const S3_BUCKET_PUBLIC_ACCESS_BLOCKED: RuleInfo = RuleInfo {
    id: "S3_BUCKET_PUBLIC_ACCESS_BLOCKED",
    severity: Severity::Error,
    summary: "S3 buckets set PublicAccessBlockConfiguration with BlockPublicAcls, \
              BlockPublicPolicy, IgnorePublicAcls and RestrictPublicBuckets all true",
};

/// Buckets grant nothing through canned ACLs.
pub const S3_BUCKET_NO_PUBLIC_ACL: RuleInfo = RuleInfo {
    id: "S3_BUCKET_NO_PUBLIC_ACL",
    severity: Severity::Error,
    summary: "S3 buckets do not set a public canned ACL (PublicRead, PublicReadWrite, \
              AuthenticatedRead)",
};

/// Resource policies and permissions do not allow anyone.
pub const RESOURCE_POLICY_NOT_PUBLIC: RuleInfo = RuleInfo {
    id: "RESOURCE_POLICY_NOT_PUBLIC",
    severity: Severity::Error,
    summary: "bucket, queue, topic, table and key policies have no Allow statement for \
              Principal `*` without a condition narrowing it to an account, organization, \
              source or network; Lambda permissions are not for `*` without a source",
};

/// Service principals invoking a function are scoped to their source.
pub const LAMBDA_PERMISSION_SOURCE_SCOPED: RuleInfo = RuleInfo {
    id: "LAMBDA_PERMISSION_SOURCE_SCOPED",
    severity: Severity::Warning,
    summary: "a Lambda permission for a service principal sets SourceArn or SourceAccount \
              (otherwise that service acting for any account may invoke the function)",
};

/// Function URLs authenticate callers.
pub const LAMBDA_URL_AUTH_NONE: RuleInfo = RuleInfo {
    id: "LAMBDA_URL_AUTH_NONE",
    severity: Severity::Warning,
    summary: "Lambda function URLs use AuthType AWS_IAM (NONE lets anyone on the internet \
              invoke the function)",
};

/// Queues are encrypted at rest.
pub const SQS_QUEUE_ENCRYPTED: RuleInfo = RuleInfo {
    id: "SQS_QUEUE_ENCRYPTED",
    severity: Severity::Warning,
    summary: "SQS queues are encrypted: KmsMasterKeyId, or SQS-managed encryption (not \
              SqsManagedSseEnabled false)",
};

/// Topics are encrypted at rest.
pub const SNS_TOPIC_ENCRYPTED: RuleInfo = RuleInfo {
    id: "SNS_TOPIC_ENCRYPTED",
    severity: Severity::Warning,
    summary: "SNS topics set KmsMasterKeyId (SNS does not encrypt messages at rest otherwise)",
};

/// Tables are encrypted with a KMS key the account can audit.
pub const DYNAMODB_TABLE_KMS: RuleInfo = RuleInfo {
    id: "DYNAMODB_TABLE_KMS",
    severity: Severity::Info,
    summary: "DynamoDB tables set SSESpecification.SSEEnabled (a KMS key whose use CloudTrail \
              records) rather than the AWS owned key",
};

/// The bundled rule set.
pub const RULES: &[RuleInfo] = &[
    IAM_ROLE_PASSED_BY_ARN,
    SG_NO_ALL_PROTOCOLS_FROM_ANYWHERE,
    SG_NO_ADMIN_PORTS_FROM_ANYWHERE,
    LB_INTERNAL_UNLESS_DECLARED,
    NO_HARDCODED_PHYSICAL_NAMES,
    LOG_GROUP_RETENTION,
    ECS_SERVICE_NO_PUBLIC_IP,
    S3_BUCKET_PUBLIC_ACCESS_BLOCKED,
    S3_BUCKET_NO_PUBLIC_ACL,
    RESOURCE_POLICY_NOT_PUBLIC,
    LAMBDA_PERMISSION_SOURCE_SCOPED,
    LAMBDA_URL_AUTH_NONE,
    SQS_QUEUE_ENCRYPTED,
    SNS_TOPIC_ENCRYPTED,
    DYNAMODB_TABLE_KMS,
];

/// Properties that take a role ARN, by resource type.
pub const ROLE_ARN_PROPERTIES: &[(&str, &str)] = &[
    ("AWS::ECS::TaskDefinition", "ExecutionRoleArn"),
    ("AWS::ECS::TaskDefinition", "TaskRoleArn"),
    ("AWS::Lambda::Function", "Role"),
    ("AWS::StepFunctions::StateMachine", "RoleArn"),
    ("AWS::ApiGateway::Account", "CloudWatchRoleArn"),
];

/// Physical-name properties that must be unique in the account or region, by resource type.
///
/// Deliberately absent, because they need not be unique: `AWS::ApiGateway::RestApi` `Name`,
/// `AWS::ApiGateway::VpcLink` `Name`, `AWS::ECS::TaskDefinition` `Family` (revisions),
/// `AWS::ECS::Service` `ServiceName` (unique only within its cluster), tags.
pub const PHYSICAL_NAME_PROPERTIES: &[(&str, &str)] = &[
    ("AWS::ElasticLoadBalancingV2::TargetGroup", "Name"),
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", "Name"),
    (
        "AWS::ElasticLoadBalancing::LoadBalancer",
        "LoadBalancerName",
    ),
    ("AWS::ECS::Cluster", "ClusterName"),
    ("AWS::IAM::Role", "RoleName"),
    ("AWS::IAM::ManagedPolicy", "ManagedPolicyName"),
    ("AWS::IAM::InstanceProfile", "InstanceProfileName"),
    ("AWS::IAM::User", "UserName"),
    ("AWS::IAM::Group", "GroupName"),
    ("AWS::Logs::LogGroup", "LogGroupName"),
    ("AWS::S3::Bucket", "BucketName"),
    ("AWS::DynamoDB::Table", "TableName"),
    ("AWS::SQS::Queue", "QueueName"),
    ("AWS::SNS::Topic", "TopicName"),
    ("AWS::Lambda::Function", "FunctionName"),
    ("AWS::EC2::SecurityGroup", "GroupName"),
    ("AWS::ECR::Repository", "RepositoryName"),
    ("AWS::SecretsManager::Secret", "Name"),
    ("AWS::SSM::Parameter", "Name"),
    ("AWS::KMS::Alias", "AliasName"),
    ("AWS::CloudWatch::Alarm", "AlarmName"),
    ("AWS::Events::Rule", "Name"),
    ("AWS::StepFunctions::StateMachine", "StateMachineName"),
    ("AWS::Kinesis::Stream", "Name"),
    ("AWS::RDS::DBInstance", "DBInstanceIdentifier"),
    ("AWS::RDS::DBCluster", "DBClusterIdentifier"),
];

/// A rule's finding on one resource.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// How bad.
    pub severity: Severity,
    /// The rule id.
    pub rule: String,
    /// The resource's logical id.
    pub resource: String,
    /// Its CloudFormation type.
    pub resource_type: String,
    /// The property path, `SecurityGroupIngress[0]`.
    pub property: String,
    /// What is wrong and what to do.
    pub message: String,
}

/// Whether any finding is at least as severe as `threshold` (for `--fail-on`).
pub fn fail_on(findings: &[Finding], threshold: Severity) -> bool {
    findings.iter().any(|f| f.severity >= threshold)
}

/// Runs the bundled rules over a template. `declared` is the intended surface, if any: load
/// balancers it lists are allowed to be internet-facing. Findings are sorted worst first, then
/// by resource and rule.
pub fn check(template: &Value, declared: Option<&Declaration>) -> Result<Vec<Finding>, Error> {
    let t = Template::parse(template)?;
    let mut out = Vec::new();
    role_by_arn(&t, &mut out);
    security_groups(&t, &mut out);
    load_balancers(&t, declared, &mut out);
    physical_names(&t, &mut out);
    log_retention(&t, &mut out);
    ecs_public_ip(&t, &mut out);
    data_rules(&t, &mut out);
    out.retain(|f| !suppressed(&t, f));
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.resource.cmp(&b.resource))
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.property.cmp(&b.property))
    });
    out.dedup();
    Ok(out)
}

fn finding(
    rule: &RuleInfo,
    r: &Resource<'_>,
    property: impl Into<String>,
    message: String,
) -> Finding {
    Finding {
        severity: rule.severity,
        rule: rule.id.to_owned(),
        resource: r.id.to_owned(),
        resource_type: r.ty.to_owned(),
        property: property.into(),
        message,
    }
}

/// The resource's `Metadata` names the rule: Guard's `guard.SuppressedRules`, or one of
/// cloudwright's exceptions (`cloudwright.exceptions[].checks` holding `guard:ID`).
fn suppressed(t: &Template<'_>, f: &Finding) -> bool {
    let Some(metadata) = t
        .resources
        .get(f.resource.as_str())
        .and_then(|r| r.metadata)
    else {
        return false;
    };
    let guard = metadata
        .get("guard")
        .and_then(|g| g.get("SuppressedRules"))
        .is_some_and(|s| items(s).iter().any(|x| x.as_str() == Some(f.rule.as_str())));
    let ours = format!("guard:{}", f.rule);
    let cloudwright = items(
        metadata
            .pointer("/cloudwright/exceptions")
            .unwrap_or(&Value::Null),
    )
    .iter()
    .any(|e| {
        items(e.get("checks").unwrap_or(&Value::Null))
            .iter()
            .any(|c| c.as_str() == Some(ours.as_str()))
    });
    guard || cloudwright
}

fn data_rules(t: &Template<'_>, out: &mut Vec<Finding>) {
    for b in t.of_type(BUCKET) {
        let off = blocks_off(b);
        if !off.is_empty() {
            out.push(finding(
                &S3_BUCKET_PUBLIC_ACCESS_BLOCKED,
                b,
                "PublicAccessBlockConfiguration",
                format!(
                    "{} not true: set all four of {} to true",
                    off.join(", "),
                    BLOCK_SETTINGS.join(", ")
                ),
            ));
        }
        if let Some(acl) = literal_str(b.prop("AccessControl"))
            && PUBLIC_ACLS.contains(&acl)
        {
            out.push(finding(
                &S3_BUCKET_NO_PUBLIC_ACL,
                b,
                "AccessControl",
                format!(
                    "ACL {acl} grants access outside the account: remove it (and set \
                     OwnershipControls to BucketOwnerEnforced)"
                ),
            ));
        }
    }
    for ty in [BUCKET_POLICY, QUEUE_POLICY, TOPIC_POLICY, TABLE, KEY] {
        for p in t.of_type(ty) {
            let (document, _) = policy_targets(p);
            let path = match ty {
                TABLE => "ResourcePolicy.PolicyDocument",
                KEY => "KeyPolicy",
                _ => "PolicyDocument",
            };
            for (i, detail) in public_statements(document) {
                out.push(finding(
                    &RESOURCE_POLICY_NOT_PUBLIC,
                    p,
                    format!("{path}.Statement[{i}]"),
                    format!(
                        "{detail}: name the principals, or add a condition such as \
                         aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID"
                    ),
                ));
            }
        }
    }
    for p in t.of_type(PERMISSION) {
        if permission_is_public(p) {
            out.push(finding(
                &RESOURCE_POLICY_NOT_PUBLIC,
                p,
                "Principal",
                "anyone may invoke the function: name the principal, and set SourceArn or \
                 SourceAccount"
                    .into(),
            ));
            continue;
        }
        let service =
            literal_str(p.prop("Principal")).is_some_and(|x| x.ends_with(".amazonaws.com"));
        if service
            && p.props.get("FunctionUrlAuthType").is_none()
            && p.props.get("SourceArn").is_none()
            && p.props.get("SourceAccount").is_none()
        {
            out.push(finding(
                &LAMBDA_PERMISSION_SOURCE_SCOPED,
                p,
                "SourceArn",
                format!(
                    "{} may invoke the function on behalf of any account's resources: set \
                     SourceArn to the resource that invokes it (or SourceAccount)",
                    display(p.prop("Principal"))
                ),
            ));
        }
    }
    for u in t.of_type("AWS::Lambda::Url") {
        if literal_str(u.prop("AuthType")).is_some_and(|a| a.eq_ignore_ascii_case("NONE")) {
            out.push(finding(
                &LAMBDA_URL_AUTH_NONE,
                u,
                "AuthType",
                "anyone on the internet may invoke the function through its URL: use AWS_IAM, \
                 or put the function behind an API with an authorizer"
                    .into(),
            ));
        }
    }
    for q in t.of_type(QUEUE) {
        if q.props.get("KmsMasterKeyId").is_none()
            && crate::template::literal_bool(q.prop("SqsManagedSseEnabled")) == Some(false)
        {
            out.push(finding(
                &SQS_QUEUE_ENCRYPTED,
                q,
                "SqsManagedSseEnabled",
                "messages are stored unencrypted: remove SqsManagedSseEnabled false, or set \
                 KmsMasterKeyId"
                    .into(),
            ));
        }
    }
    for topic in t.of_type(TOPIC) {
        if topic.props.get("KmsMasterKeyId").is_none() {
            out.push(finding(
                &SNS_TOPIC_ENCRYPTED,
                topic,
                "KmsMasterKeyId",
                "messages are stored unencrypted: set KmsMasterKeyId (alias/aws/sns, or a \
                 customer managed key that the publishers may use)"
                    .into(),
            ));
        }
    }
    for table in t.of_type(TABLE) {
        let sse = table.prop("SSESpecification");
        if crate::template::literal_bool(sse.get("SSEEnabled").unwrap_or(&Value::Null))
            != Some(true)
        {
            out.push(finding(
                &DYNAMODB_TABLE_KMS,
                table,
                "SSESpecification.SSEEnabled",
                "encrypted with the AWS owned key, whose use the account cannot audit: set \
                 SSEEnabled true (and KMSMasterKeyId for a customer managed key)"
                    .into(),
            ));
        }
    }
}

fn role_by_arn(t: &Template<'_>, out: &mut Vec<Finding>) {
    for (ty, prop) in ROLE_ARN_PROPERTIES {
        for r in t.of_type(ty) {
            let Some(v) = r.props.get(*prop) else {
                continue;
            };
            let problem = if let Some(s) = literal_str(v) {
                (!s.starts_with("arn:"))
                    .then(|| format!("`{s}` is a role name, not an ARN: pass the role's ARN"))
            } else if let Some(id) = ref_name(v) {
                t.resources
                    .get(id)
                    .filter(|x| x.ty == "AWS::IAM::Role")
                    .map(|_| {
                        format!(
                            "`Ref {id}` gives the role's name, not its ARN: use \
                             `{{\"Fn::GetAtt\": [\"{id}\", \"Arn\"]}}`"
                        )
                    })
            } else if v.get("Fn::Sub").is_some() || v.get("Fn::Join").is_some() {
                let text = render(v);
                let role_name = t
                    .of_type("AWS::IAM::Role")
                    .find(|x| text.starts_with(&format!("${{{}}}", x.id)));
                match role_name {
                    Some(x) => Some(format!(
                        "`{text}` starts with the name of role {}, not its ARN: use \
                         `{{\"Fn::GetAtt\": [\"{}\", \"Arn\"]}}`",
                        x.id, x.id
                    )),
                    None if !text.starts_with("arn:") && !text.starts_with("${") => {
                        Some(format!("`{text}` is not an ARN: pass the role's ARN"))
                    }
                    None => None,
                }
            } else {
                None
            };
            if let Some(message) = problem {
                out.push(finding(&IAM_ROLE_PASSED_BY_ARN, r, *prop, message));
            }
        }
    }
}

/// Every ingress rule of the template: inline and separate.
fn ingress_rules<'a>(t: &'a Template<'a>) -> Vec<(&'a Resource<'a>, String, &'a Value)> {
    let mut out = Vec::new();
    for sg in t.of_type(SECURITY_GROUP) {
        for (i, rule) in items(sg.prop("SecurityGroupIngress")).iter().enumerate() {
            out.push((sg, format!("SecurityGroupIngress[{i}]"), rule));
        }
    }
    for ing in t.of_type(INGRESS) {
        out.push((ing, String::new(), ing.props));
    }
    out
}

fn world_cidr(rule: &Value) -> Option<&str> {
    [rule.get("CidrIp"), rule.get("CidrIpv6")]
        .into_iter()
        .flatten()
        .filter_map(literal_str)
        .find(|c| *c == "0.0.0.0/0" || *c == "::/0")
}

fn security_groups(t: &Template<'_>, out: &mut Vec<Finding>) {
    for (r, path, rule) in ingress_rules(t) {
        let Some(cidr) = world_cidr(rule) else {
            continue;
        };
        let protocol = protocol_name(rule.get("IpProtocol").unwrap_or(&Value::Null));
        if protocol == "all" {
            out.push(finding(
                &SG_NO_ALL_PROTOCOLS_FROM_ANYWHERE,
                r,
                path,
                format!(
                    "ingress on all protocols and ports from {cidr}: open only the port the \
                     service listens on, to the load balancer or VPC it is reached from"
                ),
            ));
            continue;
        }
        if protocol != "tcp" {
            continue;
        }
        let from = rule.get("FromPort").and_then(literal_int);
        let to = rule.get("ToPort").and_then(literal_int).or(from);
        for (port, name) in [(22, "SSH"), (3389, "RDP")] {
            let hit = match (from, to) {
                (Some(a), Some(b)) => (a == -1) || (a <= port && port <= b),
                _ => false,
            };
            if hit {
                out.push(finding(
                    &SG_NO_ADMIN_PORTS_FROM_ANYWHERE,
                    r,
                    path.clone(),
                    format!("{name} (tcp {port}) open to {cidr}: use SSM Session Manager or a narrow CIDR"),
                ));
            }
        }
    }
}

fn load_balancers(t: &Template<'_>, declared: Option<&Declaration>, out: &mut Vec<Finding>) {
    for lb in t.of_type(ELBV2).chain(t.of_type(CLASSIC)) {
        if lb.ty == ELBV2 && lb_type(lb) == "gateway" {
            continue;
        }
        if is_internal(lb) == Some(true) {
            continue;
        }
        if declared.is_some_and(|d| d.allows_load_balancer(lb.id)) {
            continue;
        }
        let scheme = match lb.prop("Scheme") {
            Value::Null => "no Scheme (internet-facing by default)".to_owned(),
            v => format!("Scheme `{}`", display(v)),
        };
        out.push(finding(
            &LB_INTERNAL_UNLESS_DECLARED,
            lb,
            "Scheme",
            format!(
                "{scheme}, not declared public: set `Scheme: internal`, or list {} in \
                 publicLoadBalancers",
                lb.id
            ),
        ));
    }
}

/// Whether a name is fixed: a literal, or an expression of nothing stack-specific.
fn hard_coded(t: &Template<'_>, v: &Value) -> bool {
    if v.is_string() {
        return true;
    }
    if !v.is_object() || contains_key(v, "Fn::ImportValue") {
        return false;
    }
    !references(v).iter().any(|r| {
        r == "AWS::StackName"
            || r == "AWS::StackId"
            || t.parameters.contains(r.as_str())
            || t.resources.contains_key(r.as_str())
    })
}

fn contains_key(v: &Value, key: &str) -> bool {
    match v {
        Value::Object(o) => o.contains_key(key) || o.values().any(|x| contains_key(x, key)),
        Value::Array(a) => a.iter().any(|x| contains_key(x, key)),
        _ => false,
    }
}

fn physical_names(t: &Template<'_>, out: &mut Vec<Finding>) {
    for (ty, prop) in PHYSICAL_NAME_PROPERTIES {
        for r in t.of_type(ty) {
            let Some(v) = r.props.get(*prop) else {
                continue;
            };
            if hard_coded(t, v) {
                out.push(finding(
                    &NO_HARDCODED_PHYSICAL_NAMES,
                    r,
                    *prop,
                    format!(
                        "{prop} is fixed (`{}`): a second stack, or a replacement of this \
                         resource, fails with a name conflict; omit it, or build it from \
                         AWS::StackName",
                        render(v)
                    ),
                ));
            }
        }
    }
}

fn log_retention(t: &Template<'_>, out: &mut Vec<Finding>) {
    for r in t.of_type("AWS::Logs::LogGroup") {
        if r.props.get("RetentionInDays").is_none() {
            out.push(finding(
                &LOG_GROUP_RETENTION,
                r,
                "RetentionInDays",
                "no RetentionInDays: logs are kept, and billed, forever".into(),
            ));
        }
    }
}

fn ecs_public_ip(t: &Template<'_>, out: &mut Vec<Finding>) {
    for r in t.of_type("AWS::ECS::Service") {
        let v = r
            .prop("NetworkConfiguration")
            .get("AwsvpcConfiguration")
            .and_then(|a| a.get("AssignPublicIp"));
        if v.and_then(literal_str)
            .is_some_and(|s| s.eq_ignore_ascii_case("ENABLED"))
        {
            out.push(finding(
                &ECS_SERVICE_NO_PUBLIC_IP,
                r,
                "NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp",
                "tasks get public IPs: run them in private subnets behind a load balancer, \
                 with NAT for egress"
                    .into(),
            ));
        }
    }
}
