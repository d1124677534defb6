//! Data and messaging: S3 buckets, SQS queues, SNS topics, DynamoDB tables (and KMS keys, whose
//! policies gate the data they encrypt), and who outside the account may reach them: resource
//! policies granting `*`, bucket ACLs, public access blocks turned off, Lambda permissions
//! for anyone.

use serde_json::Value;

use crate::surface::{DataStore, PublicResource, Surface};
use crate::template::{Resource, Template, display, items, literal_bool, literal_str, render};

pub(crate) const BUCKET: &str = "AWS::S3::Bucket";
pub(crate) const BUCKET_POLICY: &str = "AWS::S3::BucketPolicy";
pub(crate) const QUEUE: &str = "AWS::SQS::Queue";
pub(crate) const QUEUE_POLICY: &str = "AWS::SQS::QueuePolicy";
pub(crate) const TOPIC: &str = "AWS::SNS::Topic";
pub(crate) const TOPIC_POLICY: &str = "AWS::SNS::TopicPolicy";
pub(crate) const TABLE: &str = "AWS::DynamoDB::Table";
pub(crate) const KEY: &str = "AWS::KMS::Key";
pub(crate) const PERMISSION: &str = "AWS::Lambda::Permission";

/// The four settings of a bucket's public access block.
pub(crate) const BLOCK_SETTINGS: [&str; 4] = [
    "BlockPublicAcls",
    "BlockPublicPolicy",
    "IgnorePublicAcls",
    "RestrictPublicBuckets",
];

/// Canned ACLs that grant access outside the account.
pub(crate) const PUBLIC_ACLS: [&str; 3] = ["PublicRead", "PublicReadWrite", "AuthenticatedRead"];

/// Condition keys that narrow a statement for `*` to known callers (an account, an
/// organization, a source resource, a network): such a statement is not public.
const NARROWING_KEYS: &[&str] = &[
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "aws:userid",
    "aws:username",
    "kms:calleraccount",
    "s3:dataaccesspointaccount",
    "s3:dataaccesspointarn",
];

/// The statements of a policy document (one object or a list).
pub(crate) fn statements(document: &Value) -> Vec<&Value> {
    match document.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    }
}

/// Whether a principal is everyone: `"*"`, `{"AWS": "*"}` or a list holding `"*"`.
pub(crate) fn is_everyone(principal: &Value) -> bool {
    match principal {
        Value::String(s) => s == "*",
        Value::Object(o) => o.get("AWS").is_some_and(|a| match a {
            Value::String(s) => s == "*",
            Value::Array(list) => list.iter().any(|x| x.as_str() == Some("*")),
            _ => false,
        }),
        _ => false,
    }
}

/// Whether a statement's condition narrows it to known callers.
fn narrowed(statement: &Value) -> bool {
    let Some(condition) = statement.get("Condition").and_then(Value::as_object) else {
        return false;
    };
    condition.values().filter_map(Value::as_object).any(|keys| {
        keys.keys()
            .any(|k| NARROWING_KEYS.contains(&k.to_ascii_lowercase().as_str()))
    })
}

/// The actions of a statement, as written.
pub(crate) fn actions(statement: &Value) -> Vec<String> {
    match statement.get("Action") {
        Some(Value::Array(a)) => a.iter().map(render).collect(),
        Some(v) => vec![render(v)],
        None => match statement.get("NotAction") {
            Some(v) => vec![format!("everything but {}", display(v))],
            None => Vec::new(),
        },
    }
}

/// The statements of `document` that allow everyone without narrowing: `(index, summary)`.
pub(crate) fn public_statements(document: &Value) -> Vec<(usize, String)> {
    statements(document)
        .into_iter()
        .enumerate()
        .filter(|(_, s)| {
            let allow = s
                .get("Effect")
                .and_then(literal_str)
                .is_none_or(|e| e == "Allow");
            allow && s.get("Principal").is_some_and(is_everyone) && !narrowed(s)
        })
        .map(|(i, s)| {
            (
                i,
                format!(
                    "statement {i} allows anyone (Principal `*`, no condition narrowing it) {}",
                    actions(s).join(", ")
                ),
            )
        })
        .collect()
}

/// The policy document of a policy resource, and the data stores it applies to.
pub(crate) fn policy_targets<'a>(r: &Resource<'a>) -> (&'a Value, Vec<&'a Value>) {
    match r.ty {
        BUCKET_POLICY => (r.prop("PolicyDocument"), vec![r.prop("Bucket")]),
        QUEUE_POLICY => (
            r.prop("PolicyDocument"),
            items(r.prop("Queues")).iter().collect(),
        ),
        TOPIC_POLICY => (
            r.prop("PolicyDocument"),
            items(r.prop("Topics")).iter().collect(),
        ),
        TABLE => (
            r.prop("ResourcePolicy")
                .get("PolicyDocument")
                .unwrap_or(&Value::Null),
            Vec::new(),
        ),
        KEY => (r.prop("KeyPolicy"), Vec::new()),
        _ => (&Value::Null, Vec::new()),
    }
}

/// Whether a Lambda permission lets anyone invoke: principal `*` with no source ARN, source
/// account or organization.
pub(crate) fn permission_is_public(p: &Resource<'_>) -> bool {
    literal_str(p.prop("Principal")) == Some("*")
        && p.props.get("SourceArn").is_none()
        && p.props.get("SourceAccount").is_none()
        && p.props.get("PrincipalOrgID").is_none()
        && p.props.get("FunctionUrlAuthType").is_none()
}

/// The encryption of a data store, in words.
fn encryption(r: &Resource<'_>) -> String {
    match r.ty {
        BUCKET => {
            let rule = items(
                r.prop("BucketEncryption")
                    .get("ServerSideEncryptionConfiguration")
                    .unwrap_or(&Value::Null),
            )
            .first()
            .and_then(|x| x.get("ServerSideEncryptionByDefault"));
            match rule {
                None => "SSE-S3 (S3's default)".into(),
                Some(d) => {
                    let algo = d.get("SSEAlgorithm").map_or_else(|| "?".into(), display);
                    match d.get("KMSMasterKeyID") {
                        Some(k) => format!("{algo}, key {}", display(k)),
                        None => algo,
                    }
                }
            }
        }
        QUEUE => match r.props.get("KmsMasterKeyId") {
            Some(k) => format!("SSE-KMS, key {}", display(k)),
            None if literal_bool(r.prop("SqsManagedSseEnabled")) == Some(false) => "none".into(),
            None => "SSE-SQS (SQS's default)".into(),
        },
        TOPIC => match r.props.get("KmsMasterKeyId") {
            Some(k) => format!("SSE-KMS, key {}", display(k)),
            None => "none".into(),
        },
        TABLE => {
            let sse = r.prop("SSESpecification");
            if literal_bool(sse.get("SSEEnabled").unwrap_or(&Value::Null)) == Some(true) {
                match sse.get("KMSMasterKeyId") {
                    Some(k) => format!("KMS, key {}", display(k)),
                    None => "KMS, AWS managed key".into(),
                }
            } else {
                "AWS owned key (DynamoDB's default)".into()
            }
        }
        _ => String::new(),
    }
}

/// How public access to a bucket is blocked, in words: the settings that are off.
pub(crate) fn blocks_off(r: &Resource<'_>) -> Vec<&'static str> {
    let block = r.prop("PublicAccessBlockConfiguration");
    BLOCK_SETTINGS
        .into_iter()
        .filter(|k| literal_bool(block.get(*k).unwrap_or(&Value::Null)) != Some(true))
        .collect()
}

/// Adds the data stores and what makes any of them public to the surface.
pub(crate) fn analyze(t: &Template<'_>, s: &mut Surface) {
    let stores = [BUCKET, QUEUE, TOPIC, TABLE];
    for ty in stores {
        for r in t.of_type(ty) {
            let mut public_access = Vec::new();
            if ty == BUCKET {
                let off = blocks_off(r);
                public_access.push(if off.is_empty() {
                    "public access blocked".to_owned()
                } else {
                    format!("public access block off: {}", off.join(", "))
                });
                if let Some(acl) = literal_str(r.prop("AccessControl"))
                    && PUBLIC_ACLS.contains(&acl)
                {
                    public_access.push(format!("ACL {acl}"));
                    s.public_resources.push(PublicResource {
                        resource: r.id.to_owned(),
                        resource_type: r.ty.to_owned(),
                        via: r.id.to_owned(),
                        detail: format!("canned ACL {acl} grants access outside the account"),
                    });
                }
            }
            s.data.push(DataStore {
                resource: r.id.to_owned(),
                resource_type: r.ty.to_owned(),
                encryption: encryption(r),
                public_access: public_access.join("; "),
            });
        }
    }

    // resource policies: of their own (bucket, queue, topic policies) or inline (tables, keys)
    for ty in [BUCKET_POLICY, QUEUE_POLICY, TOPIC_POLICY, TABLE, KEY] {
        for p in t.of_type(ty) {
            let (document, targets) = policy_targets(p);
            for (_, detail) in public_statements(document) {
                let names: Vec<String> = if targets.is_empty() {
                    vec![p.id.to_owned()]
                } else {
                    targets.iter().map(|v| t.name_of(v)).collect()
                };
                for name in names {
                    let resource_type = t
                        .resources
                        .get(name.as_str())
                        .map_or_else(|| "(outside the template)".to_owned(), |r| r.ty.to_owned());
                    s.public_resources.push(PublicResource {
                        resource: name,
                        resource_type,
                        via: p.id.to_owned(),
                        detail: detail.clone(),
                    });
                }
            }
        }
    }

    for p in t.of_type(PERMISSION) {
        if permission_is_public(p) {
            let function = t.name_of(p.prop("FunctionName"));
            s.public_resources.push(PublicResource {
                resource_type: t
                    .resources
                    .get(function.as_str())
                    .map_or_else(|| "(outside the template)".to_owned(), |r| r.ty.to_owned()),
                resource: function,
                via: p.id.to_owned(),
                detail: format!(
                    "anyone may {} (Principal `*`, no SourceArn, SourceAccount or PrincipalOrgID)",
                    display(p.prop("Action"))
                ),
            });
        }
    }
}
