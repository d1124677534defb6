//! Questions about who may do what, asked of a synthesized [`Template`].
//!
//! A role's permissions are its inline `Policies`, the `AWS::IAM::Policy` and
//! `AWS::IAM::ManagedPolicy` resources of the template attached to it (`Roles: [{"Ref": ..}]`,
//! or `ManagedPolicyArns` naming a managed policy of the template). AWS managed policies
//! outside the template are not read: [`IamAssertions::external_policies`] lists them, so a
//! test can say which roles carry one. A resource is named as the statements name it, in
//! `Fn::Sub` form: `${Orders.Arn}` for `{"Fn::GetAtt": ["Orders", "Arn"]}`, `${Bucket}` for a
//! `Ref`, `${Bucket.Arn}/*` for a `Fn::Join` or `Fn::Sub` of the two; a literal ARN as itself.
//! A statement's `*` wildcards match any characters, as IAM's do; actions match ignoring case.
//! A `Deny` that matches wins. Conditions are not evaluated (a conditional `Allow` counts);
//! `NotAction` and `NotResource` statements are not read (the builder of this crate never
//! writes them).
//!
//! ```
//! use cloudwright_core::{App, Value, assertions::Template};
//! use cloudwright_iam::{Principal, Role, Statement, assertions::IamAssertions};
//!
//! let app = App::new();
//! let mut stack = app.stack("Demo")?;
//! stack.add("Bucket", cloudwright_core::RawResource::new("AWS::S3::Bucket"))?;
//! stack.construct(
//!     "Worker",
//!     Role::new(Principal::service("lambda.amazonaws.com")).statement(
//!         Statement::allow().action("s3:GetObject").resource(Value::sub("${Bucket.Arn}/*")),
//!     ),
//! )?;
//! let template = Template::from_stack(&app.synth()?, "Demo")?;
//! assert!(template.may("WorkerRole", "s3:GetObject", "${Bucket.Arn}/receipts/1.json"));
//! assert!(!template.may("WorkerRole", "s3:PutObject", "${Bucket.Arn}/receipts/1.json"));
//! assert_eq!(template.who_may("s3:GetObject", "${Bucket.Arn}/a"), ["WorkerRole"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use cloudwright_core::assertions::Template;
use serde_json::Value as Json;

/// One allowed or denied (action, resource) pair of a role, as its statements write them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Permission {
    /// `true` for `Allow`, `false` for `Deny`.
    pub allow: bool,
    /// The action (or pattern) as written.
    pub action: String,
    /// The resource (or pattern) in `Fn::Sub` form.
    pub resource: String,
}

/// Questions about roles' permissions, answered from a template.
pub trait IamAssertions {
    /// The logical ids of the template's roles.
    fn roles(&self) -> Vec<String>;

    /// Every (effect, action, resource) a role's statements write, sorted: what a test
    /// compares with the exact set it expects.
    fn permissions(&self, role: &str) -> Vec<Permission>;

    /// Whether `role` may perform `action` on `resource` (allowed and not denied).
    fn may(&self, role: &str, action: &str, resource: &str) -> bool;

    /// The roles that may perform `action` on `resource`, sorted.
    fn who_may(&self, action: &str, resource: &str) -> Vec<String>;

    /// The principals the template's resource policies (bucket, queue and topic policies,
    /// inline queue and topic policies, a table's `ResourcePolicy`) allow `action` on
    /// `resource`, as `Service:sns.amazonaws.com`, `AWS:*`, ..., sorted: who else reaches the
    /// resource besides the roles (conditions not evaluated).
    fn resource_policy_allows(&self, action: &str, resource: &str) -> Vec<String>;

    /// The policies attached to `role` by an ARN that is not a managed policy of the template
    /// (AWS managed policies, `arn:${AWS::Partition}:iam::aws:policy/...`, or another
    /// stack's), sorted, in `Fn::Sub` form: what [`may`](Self::may) and
    /// [`who_may`](Self::who_may) cannot read.
    fn external_policies(&self, role: &str) -> Vec<String>;
}

impl IamAssertions for Template {
    fn roles(&self) -> Vec<String> {
        resources(self)
            .filter(|(_, r)| r["Type"] == "AWS::IAM::Role")
            .map(|(id, _)| id.clone())
            .collect()
    }

    fn permissions(&self, role: &str) -> Vec<Permission> {
        let mut out: Vec<Permission> = Vec::new();
        for statement in statements_of(self, role) {
            let allow = statement["Effect"] == "Allow";
            for action in strings_or_list(&statement["Action"]) {
                for resource in one_or_many(&statement["Resource"]) {
                    out.push(Permission {
                        allow,
                        action: action.clone(),
                        resource: sub_form(resource),
                    });
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    fn may(&self, role: &str, action: &str, resource: &str) -> bool {
        let mut allowed = false;
        for p in self.permissions(role) {
            if glob(&p.action.to_ascii_lowercase(), &action.to_ascii_lowercase())
                && glob(&p.resource, resource)
            {
                if !p.allow {
                    return false;
                }
                allowed = true;
            }
        }
        allowed
    }

    fn who_may(&self, action: &str, resource: &str) -> Vec<String> {
        self.roles()
            .into_iter()
            .filter(|r| self.may(r, action, resource))
            .collect()
    }

    fn resource_policy_allows(&self, action: &str, resource: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (_, r) in resources(self) {
            let document = match r["Type"].as_str() {
                Some(
                    "AWS::S3::BucketPolicy"
                    | "AWS::SQS::QueuePolicy"
                    | "AWS::SNS::TopicPolicy"
                    | "AWS::SQS::QueueInlinePolicy"
                    | "AWS::SNS::TopicInlinePolicy",
                ) => &r["Properties"]["PolicyDocument"],
                Some("AWS::DynamoDB::Table") => {
                    &r["Properties"]["ResourcePolicy"]["PolicyDocument"]
                }
                _ => continue,
            };
            for statement in one_or_many(&document["Statement"]) {
                if statement["Effect"] != "Allow" {
                    continue;
                }
                let action_matches = strings_or_list(&statement["Action"])
                    .iter()
                    .any(|a| glob(&a.to_ascii_lowercase(), &action.to_ascii_lowercase()));
                let resource_matches = one_or_many(&statement["Resource"])
                    .into_iter()
                    .any(|v| glob(&sub_form(v), resource));
                if !(action_matches && resource_matches) {
                    continue;
                }
                match &statement["Principal"] {
                    Json::String(p) => out.push(format!("AWS:{p}")),
                    Json::Object(kinds) => {
                        for (kind, values) in kinds {
                            for v in one_or_many(values) {
                                out.push(format!("{kind}:{}", sub_form(v)));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    fn external_policies(&self, role: &str) -> Vec<String> {
        let Some(r) = self.json()["Resources"].get(role) else {
            return Vec::new();
        };
        let in_template = |arn: &Json| {
            arn.get("Ref")
                .and_then(Json::as_str)
                .and_then(|id| self.json()["Resources"].get(id))
                .is_some_and(|p| p["Type"] == "AWS::IAM::ManagedPolicy")
        };
        let mut out: Vec<String> = one_or_many(&r["Properties"]["ManagedPolicyArns"])
            .into_iter()
            .filter(|arn| !in_template(arn))
            .map(sub_form)
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

fn resources(template: &Template) -> impl Iterator<Item = (&String, &Json)> {
    template
        .json()
        .get("Resources")
        .and_then(Json::as_object)
        .into_iter()
        .flat_map(|m| m.iter())
}

/// Whether `value` is `{"Ref": id}` or a list holding it.
fn refers_to(value: &Json, id: &str) -> bool {
    one_or_many(value)
        .iter()
        .any(|v| v.get("Ref").and_then(Json::as_str) == Some(id))
}

/// Every statement that applies to `role`.
fn statements_of<'a>(template: &'a Template, role: &str) -> Vec<&'a Json> {
    let mut documents: Vec<&Json> = Vec::new();
    let mut managed: BTreeMap<&str, &Json> = BTreeMap::new();
    for (id, r) in resources(template) {
        let props = &r["Properties"];
        match r["Type"].as_str() {
            Some("AWS::IAM::Role") if id == role => {
                for p in one_or_many(&props["Policies"]) {
                    documents.push(&p["PolicyDocument"]);
                }
            }
            Some("AWS::IAM::Policy") if refers_to(&props["Roles"], role) => {
                documents.push(&props["PolicyDocument"]);
            }
            Some("AWS::IAM::ManagedPolicy") => {
                if refers_to(&props["Roles"], role) {
                    documents.push(&props["PolicyDocument"]);
                } else {
                    managed.insert(id, &props["PolicyDocument"]);
                }
            }
            _ => {}
        }
    }
    if let Some(r) = template.json()["Resources"].get(role) {
        for arn in one_or_many(&r["Properties"]["ManagedPolicyArns"]) {
            if let Some(id) = arn.get("Ref").and_then(Json::as_str)
                && let Some(doc) = managed.get(id)
            {
                documents.push(doc);
            }
        }
    }
    documents
        .into_iter()
        .flat_map(|d| one_or_many(&d["Statement"]))
        .collect()
}

fn one_or_many(value: &Json) -> Vec<&Json> {
    match value {
        Json::Null => Vec::new(),
        Json::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

fn strings_or_list(value: &Json) -> Vec<String> {
    one_or_many(value)
        .into_iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// A resource value in `Fn::Sub` form.
pub fn sub_form(value: &Json) -> String {
    if let Some(s) = value.as_str() {
        return s.to_owned();
    }
    if let Some(id) = value.get("Ref").and_then(Json::as_str) {
        return format!("${{{id}}}");
    }
    if let Some(att) = value.get("Fn::GetAtt") {
        let parts = strings_or_list(att);
        if let Some(s) = att.as_str() {
            return format!("${{{s}}}");
        }
        return format!("${{{}}}", parts.join("."));
    }
    if let Some(sub) = value.get("Fn::Sub") {
        return match sub {
            Json::String(s) => s.clone(),
            Json::Array(items) => {
                let mut text = items
                    .first()
                    .and_then(Json::as_str)
                    .unwrap_or("")
                    .to_owned();
                if let Some(vars) = items.get(1).and_then(Json::as_object) {
                    for (k, v) in vars {
                        text = text.replace(&format!("${{{k}}}"), &sub_form(v));
                    }
                }
                text
            }
            other => other.to_string(),
        };
    }
    if let Some(Json::Array(join)) = value.get("Fn::Join") {
        let delimiter = join.first().and_then(Json::as_str).unwrap_or("");
        let parts: Vec<String> = join
            .get(1)
            .map(one_or_many)
            .unwrap_or_default()
            .into_iter()
            .map(sub_form)
            .collect();
        return parts.join(delimiter);
    }
    value.to_string()
}

/// IAM's wildcard match: `*` any run of characters, `?` one character.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_iam() {
        assert!(glob("*", "anything"));
        assert!(glob("${B.Arn}/*", "${B.Arn}/a/b"));
        assert!(!glob("${B.Arn}/*", "${B.Arn}"));
        assert!(glob("s3:get*", "s3:getobject"));
        assert!(!glob("s3:get*", "s3:putobject"));
        assert!(glob("a?c", "abc"));
    }

    #[test]
    fn a_table_s_resource_policy_and_inline_queue_policies_are_read() {
        let template = Template::parse(
            &serde_json::json!({"Resources": {
                "Orders": {"Type": "AWS::DynamoDB::Table", "Properties": {
                    "ResourcePolicy": {"PolicyDocument": {"Statement": [{
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
                        "Action": "dynamodb:GetItem",
                        "Resource": "*"}]}}}},
                "Jobs": {"Type": "AWS::SQS::Queue"},
                "JobsPolicy": {"Type": "AWS::SQS::QueueInlinePolicy", "Properties": {
                    "Queue": {"Ref": "Jobs"},
                    "PolicyDocument": {"Statement": [{
                        "Effect": "Allow",
                        "Principal": {"Service": "sns.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": {"Fn::GetAtt": ["Jobs", "Arn"]}}]}}}
            }})
            .to_string(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            template.resource_policy_allows("dynamodb:GetItem", "${Orders.Arn}"),
            ["AWS:arn:aws:iam::210987654321:root"]
        );
        assert!(
            template
                .resource_policy_allows("dynamodb:PutItem", "${Orders.Arn}")
                .is_empty()
        );
        assert_eq!(
            template.resource_policy_allows("sqs:SendMessage", "${Jobs.Arn}"),
            ["Service:sns.amazonaws.com"]
        );
    }

    #[test]
    fn policies_attached_by_arn_outside_the_template_are_listed() {
        let template = Template::parse(
            &serde_json::json!({"Resources": {
                "Own": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
                    "PolicyDocument": {"Statement": []}}},
                "Worker": {"Type": "AWS::IAM::Role", "Properties": {
                    "AssumeRolePolicyDocument": {},
                    "ManagedPolicyArns": [
                        {"Ref": "Own"},
                        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonDynamoDBFullAccess"},
                        {"Fn::ImportValue": "Shared:PolicyArn"}]}},
                "Plain": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}}
            }})
            .to_string(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            template.external_policies("Worker"),
            [
                "arn:${AWS::Partition}:iam::aws:policy/AmazonDynamoDBFullAccess",
                r#"{"Fn::ImportValue":"Shared:PolicyArn"}"#,
            ]
        );
        assert!(template.external_policies("Plain").is_empty());
        assert!(template.external_policies("Missing").is_empty());
    }

    #[test]
    fn intrinsics_read_in_sub_form() {
        let join = serde_json::json!({"Fn::Join": ["", [{"Fn::GetAtt": ["B", "Arn"]}, "/*"]]});
        assert_eq!(sub_form(&join), "${B.Arn}/*");
        assert_eq!(sub_form(&serde_json::json!({"Ref": "T"})), "${T}");
        assert_eq!(
            sub_form(&serde_json::json!({"Fn::GetAtt": "T.Arn"})),
            "${T.Arn}"
        );
        let sub =
            serde_json::json!({"Fn::Sub": ["${X}/index/*", {"X": {"Fn::GetAtt": ["T", "Arn"]}}]});
        assert_eq!(sub_form(&sub), "${T.Arn}/index/*");
    }
}
