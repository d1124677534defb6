//! Checks beyond the resource schemas, as cfn-lint makes them with its own rules: IAM policy
//! documents wherever a resource embeds one ([`iam`]: structure, and actions that exist), and
//! DynamoDB tables' keys ([`dynamodb`]). Every generated type's `Resource::check` runs
//! [`check`] after its schema checks; a type without rules here costs one string match.

mod dynamodb;
pub(crate) mod iam;

use cloudwright_core::{Value, Violation};

use iam::PolicyKind;

/// The rules of `type_name` on a resource's final properties.
pub(crate) fn check(type_name: &str, properties: &Value) -> Result<(), Violation> {
    use PolicyKind::{Identity, Resource, Trust};
    match type_name {
        "AWS::IAM::Policy"
        | "AWS::IAM::ManagedPolicy"
        | "AWS::IAM::UserPolicy"
        | "AWS::IAM::RolePolicy"
        | "AWS::IAM::GroupPolicy" => document(properties, "PolicyDocument", Identity),
        "AWS::IAM::Role" => {
            document(properties, "AssumeRolePolicyDocument", Trust)?;
            inline_policies(properties)
        }
        "AWS::IAM::User" | "AWS::IAM::Group" => inline_policies(properties),
        "AWS::SSO::PermissionSet" => document(properties, "InlinePolicy", Identity),
        "AWS::S3::BucketPolicy" => document(
            properties,
            "PolicyDocument",
            Resource {
                service: Some("s3"),
            },
        ),
        "AWS::SQS::QueuePolicy" => document(
            properties,
            "PolicyDocument",
            Resource {
                service: Some("sqs"),
            },
        ),
        "AWS::SNS::TopicPolicy" => document(
            properties,
            "PolicyDocument",
            Resource {
                service: Some("sns"),
            },
        ),
        "AWS::KMS::Key" => document(properties, "KeyPolicy", Resource { service: None }),
        "AWS::OpenSearchService::Domain" => {
            document(properties, "AccessPolicies", Resource { service: None })
        }
        "AWS::DynamoDB::Table" => dynamodb::table(properties),
        _ => Ok(()),
    }
}

/// `path/segment`, or `segment` at the top (the property paths a [`Violation`] names).
fn at(path: &str, segment: &str) -> String {
    if path.is_empty() {
        segment.to_owned()
    } else {
        format!("{path}/{segment}")
    }
}

fn document(properties: &Value, name: &str, kind: PolicyKind) -> Result<(), Violation> {
    match properties {
        Value::Map(m) => match m.get(name) {
            Some(doc) => iam::check_document(doc, name, kind),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

/// `Policies/*/PolicyDocument` of a role, user or group.
fn inline_policies(properties: &Value) -> Result<(), Violation> {
    if let Value::Map(m) = properties
        && let Some(Value::List(policies)) = m.get("Policies")
    {
        for (i, policy) in policies.iter().enumerate() {
            if let Value::Map(p) = policy
                && let Some(doc) = p.get("PolicyDocument")
            {
                iam::check_document(
                    doc,
                    &format!("Policies/{i}/PolicyDocument"),
                    PolicyKind::Identity,
                )?;
            }
        }
    }
    Ok(())
}
