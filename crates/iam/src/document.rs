//! Typed IAM policy documents: statements, effects, actions, resources, principals and
//! conditions, rendered to the [`Value`] the generated resource types take.

use cloudwright_core::{Json, Value};

use crate::Error;

/// The version every document is written in.
pub const POLICY_VERSION: &str = "2012-10-17";

/// Whether a statement allows or denies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    /// `"Allow"`.
    Allow,
    /// `"Deny"`.
    Deny,
}

impl Effect {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// Who a resource policy or a trust policy applies to. `*` is never implied: it is
/// [`Principal::any`].
#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    /// An AWS service, `ecs-tasks.amazonaws.com`.
    Service(String),
    /// An account by id (rendered as `arn:<partition>:iam::<id>:root`).
    Account(Value),
    /// This stack's own account.
    ThisAccount,
    /// An IAM principal by ARN (a role, a user).
    Arn(Value),
    /// Everyone (`"*"`); only ever written on purpose, usually with a condition.
    Any,
}

impl Principal {
    /// An AWS service principal: `Principal::service("lambda.amazonaws.com")`.
    pub fn service(name: impl Into<String>) -> Self {
        Principal::Service(name.into())
    }

    /// An account by its id.
    pub fn account(id: impl Into<Value>) -> Self {
        Principal::Account(id.into())
    }

    /// An IAM principal by its ARN.
    pub fn arn(arn: impl Into<Value>) -> Self {
        Principal::Arn(arn.into())
    }

    /// Everyone: `"Principal": {"AWS": "*"}`.
    pub fn any() -> Self {
        Principal::Any
    }

    /// The key and the value of the `Principal` element.
    fn entry(&self) -> (&'static str, Value) {
        match self {
            Principal::Service(name) => ("Service", Value::from(name.as_str())),
            Principal::Account(id) => (
                "AWS",
                match id.as_str() {
                    Some(literal) => {
                        Value::sub(format!("arn:${{AWS::Partition}}:iam::{literal}:root"))
                    }
                    None => Value::sub_with(
                        "arn:${AWS::Partition}:iam::${Account}:root",
                        [("Account", id.clone())],
                    ),
                },
            ),
            Principal::ThisAccount => (
                "AWS",
                Value::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root"),
            ),
            Principal::Arn(arn) => ("AWS", arn.clone()),
            Principal::Any => ("AWS", Value::from("*")),
        }
    }
}

/// One condition of a statement: an operator, a key and the values it is compared with.
///
/// ```
/// use cloudwright_iam::Condition;
/// let tls_only = Condition::bool("aws:SecureTransport", false);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    operator: String,
    key: String,
    values: Vec<Value>,
}

impl Condition {
    /// Any operator (`StringEquals`, `ArnLike`, `IpAddress`, ...), key and values.
    pub fn new<V: Into<Value>>(
        operator: impl Into<String>,
        key: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Condition {
            operator: operator.into(),
            key: key.into(),
            values: values.into_iter().map(Into::into).collect(),
        }
    }

    /// `Bool`: `Condition::bool("aws:SecureTransport", false)`.
    pub fn bool(key: impl Into<String>, value: bool) -> Self {
        Condition::new("Bool", key, [if value { "true" } else { "false" }])
    }

    /// `StringEquals`.
    pub fn string_equals(key: impl Into<String>, value: impl Into<Value>) -> Self {
        Condition::new("StringEquals", key, [value.into()])
    }

    /// `ArnLike`.
    pub fn arn_like(key: impl Into<String>, value: impl Into<Value>) -> Self {
        Condition::new("ArnLike", key, [value.into()])
    }

    /// `ArnEquals`.
    pub fn arn_equals(key: impl Into<String>, value: impl Into<Value>) -> Self {
        Condition::new("ArnEquals", key, [value.into()])
    }
}

/// One statement of a policy document.
///
/// Builders are infallible; [`PolicyDocument::render`] checks the statement (actions of the
/// form `service:Action`, at least one action, resources or a principal as the document's
/// kind needs).
///
/// ```
/// use cloudwright_core::Value;
/// use cloudwright_iam::Statement;
/// let read = Statement::allow()
///     .actions(["dynamodb:GetItem", "dynamodb:Query"])
///     .resource(Value::get_att("Orders", "Arn"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    sid: Option<String>,
    effect: Effect,
    actions: Vec<String>,
    resources: Vec<Value>,
    principals: Vec<Principal>,
    conditions: Vec<Condition>,
}

impl Statement {
    /// A statement with this effect and nothing else yet.
    pub fn new(effect: Effect) -> Self {
        Statement {
            sid: None,
            effect,
            actions: Vec::new(),
            resources: Vec::new(),
            principals: Vec::new(),
            conditions: Vec::new(),
        }
    }

    /// An `Allow` statement.
    pub fn allow() -> Self {
        Statement::new(Effect::Allow)
    }

    /// A `Deny` statement.
    pub fn deny() -> Self {
        Statement::new(Effect::Deny)
    }

    /// Names the statement (`Sid`: ASCII letters and digits).
    pub fn sid(mut self, sid: impl Into<String>) -> Self {
        self.sid = Some(sid.into());
        self
    }

    /// Adds one action, `service:Action`.
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.actions.push(action.into());
        self
    }

    /// Adds actions.
    pub fn actions<A: Into<String>>(mut self, actions: impl IntoIterator<Item = A>) -> Self {
        self.actions.extend(actions.into_iter().map(Into::into));
        self
    }

    /// Adds one resource (an ARN, literal or intrinsic).
    pub fn resource(mut self, arn: impl Into<Value>) -> Self {
        self.resources.push(arn.into());
        self
    }

    /// Adds resources.
    pub fn resources<V: Into<Value>>(mut self, arns: impl IntoIterator<Item = V>) -> Self {
        self.resources.extend(arns.into_iter().map(Into::into));
        self
    }

    /// Applies to every resource (`"Resource": "*"`), for the actions that take no resource
    /// (`ecr:GetAuthorizationToken`, `xray:PutTraceSegments`).
    pub fn all_resources(mut self) -> Self {
        self.resources.push(Value::from("*"));
        self
    }

    /// Adds a principal (resource and trust policies only).
    pub fn principal(mut self, principal: Principal) -> Self {
        self.principals.push(principal);
        self
    }

    /// Adds a condition; conditions of one operator are merged into one block.
    pub fn condition(mut self, condition: Condition) -> Self {
        self.conditions.push(condition);
        self
    }

    /// The statement's effect.
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// The statement's actions, as given.
    pub fn action_names(&self) -> &[String] {
        &self.actions
    }

    /// The statement's resources, as given.
    pub fn resource_values(&self) -> &[Value] {
        &self.resources
    }

    /// Checks the statement, `index` naming it in errors.
    fn check(&self, index: usize, kind: DocumentKind) -> Result<(), Error> {
        let name = match &self.sid {
            Some(sid) => format!("{index} (`{sid}`)"),
            None => index.to_string(),
        };
        if let Some(sid) = &self.sid
            && (sid.is_empty() || !sid.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            return Err(Error::InvalidSid {
                statement: name,
                sid: sid.clone(),
            });
        }
        if self.actions.is_empty() {
            return Err(Error::NoActions { statement: name });
        }
        if let Some(action) = self.actions.iter().find(|a| !is_action(a)) {
            return Err(Error::InvalidAction {
                statement: name,
                action: action.clone(),
            });
        }
        match kind {
            DocumentKind::Identity => {
                if !self.principals.is_empty() {
                    return Err(Error::UnexpectedPrincipal { statement: name });
                }
                if self.resources.is_empty() {
                    return Err(Error::NoResources { statement: name });
                }
            }
            DocumentKind::Resource => {
                if self.principals.is_empty() {
                    return Err(Error::NoPrincipal { statement: name });
                }
                if self.resources.is_empty() {
                    return Err(Error::NoResources { statement: name });
                }
            }
            DocumentKind::Trust => {
                if self.principals.is_empty() {
                    return Err(Error::NoPrincipal { statement: name });
                }
            }
        }
        Ok(())
    }

    /// The statement as a [`Value`] map (keys in CloudFormation's usual order is irrelevant:
    /// maps are sorted on output). Unchecked; [`PolicyDocument::render`] checks.
    pub fn to_value(&self) -> Value {
        let mut entries: Vec<(&str, Value)> = Vec::new();
        if let Some(sid) = &self.sid {
            entries.push(("Sid", Value::from(sid.as_str())));
        }
        entries.push(("Effect", Value::from(self.effect.as_str())));
        if !self.principals.is_empty() {
            let mut by_key: Vec<(&str, Vec<Value>)> = Vec::new();
            for p in &self.principals {
                let (key, value) = p.entry();
                match by_key.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, values)) => values.push(value),
                    None => by_key.push((key, vec![value])),
                }
            }
            entries.push((
                "Principal",
                Value::map(by_key.into_iter().map(|(k, v)| (k, one_or_list(v)))),
            ));
        }
        entries.push((
            "Action",
            one_or_list(
                self.actions
                    .iter()
                    .map(|a| Value::from(a.as_str()))
                    .collect(),
            ),
        ));
        if !self.resources.is_empty() {
            entries.push(("Resource", one_or_list(self.resources.clone())));
        }
        if !self.conditions.is_empty() {
            let mut by_operator: Vec<(&str, Vec<(&str, Value)>)> = Vec::new();
            for c in &self.conditions {
                let value = one_or_list(c.values.clone());
                match by_operator.iter_mut().find(|(op, _)| *op == c.operator) {
                    Some((_, keys)) => keys.push((c.key.as_str(), value)),
                    None => by_operator.push((c.operator.as_str(), vec![(c.key.as_str(), value)])),
                }
            }
            entries.push((
                "Condition",
                Value::map(by_operator.into_iter().map(|(op, keys)| {
                    let keys = keys.into_iter().map(|(k, v)| (k.to_owned(), v));
                    (op.to_owned(), Value::map(keys))
                })),
            ));
        }
        Value::map(entries)
    }
}

/// Whether `action` has the shape `service:Action`: a lowercase service prefix (letters,
/// digits, `-`), a colon, then letters, digits and `*` (at least one character).
pub fn is_action(action: &str) -> bool {
    if action == "*" {
        return true;
    }
    let Some((service, name)) = action.split_once(':') else {
        return false;
    };
    !service.is_empty()
        && service
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '*')
}

fn one_or_list(mut values: Vec<Value>) -> Value {
    if values.len() == 1 {
        values.remove(0)
    } else {
        Value::List(values)
    }
}

/// Which rules a document's statements follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DocumentKind {
    /// Attached to an identity: resources, no principal.
    Identity,
    /// Attached to a resource: a principal and resources.
    Resource,
    /// A role's trust policy: a principal, no resource needed.
    Trust,
}

/// A policy document: `{"Version": "2012-10-17", "Statement": [...]}`.
///
/// ```
/// use cloudwright_core::Value;
/// use cloudwright_iam::{PolicyDocument, Statement};
/// let document = PolicyDocument::identity([Statement::allow()
///     .action("sqs:SendMessage")
///     .resource(Value::get_att("Queue", "Arn"))]);
/// let json = serde_json::to_value(document.render()?).unwrap_or_default();
/// assert_eq!(json["Statement"][0]["Action"], "sqs:SendMessage");
/// # Ok::<(), cloudwright_iam::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    kind: DocumentKind,
    statements: Vec<Statement>,
}

impl PolicyDocument {
    /// An identity-based document (a role's inline policy, an `AWS::IAM::Policy`): every
    /// statement names resources and no principal.
    pub fn identity(statements: impl IntoIterator<Item = Statement>) -> Self {
        PolicyDocument {
            kind: DocumentKind::Identity,
            statements: statements.into_iter().collect(),
        }
    }

    /// A resource-based document (a bucket, queue or topic policy): every statement names a
    /// principal and resources.
    pub fn resource_policy(statements: impl IntoIterator<Item = Statement>) -> Self {
        PolicyDocument {
            kind: DocumentKind::Resource,
            statements: statements.into_iter().collect(),
        }
    }

    /// A role's trust policy (who may assume it): every statement names a principal.
    pub fn trust(statements: impl IntoIterator<Item = Statement>) -> Self {
        PolicyDocument {
            kind: DocumentKind::Trust,
            statements: statements.into_iter().collect(),
        }
    }

    /// Adds a statement.
    pub fn statement(mut self, statement: Statement) -> Self {
        self.statements.push(statement);
        self
    }

    /// The statements.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// Checks every statement and renders the document.
    pub fn render(&self) -> Result<Value, Error> {
        for (i, s) in self.statements.iter().enumerate() {
            s.check(i, self.kind)?;
        }
        Ok(Value::map([
            ("Version", Value::from(POLICY_VERSION)),
            (
                "Statement",
                Value::List(self.statements.iter().map(Statement::to_value).collect()),
            ),
        ]))
    }

    /// [`Self::render`] as the [`Json`] the generated resource types take.
    pub fn to_json(&self) -> Result<Json, Error> {
        self.render().map(Json)
    }
}

/// The statement that refuses every request not made over TLS, for a resource policy:
/// `Deny` `actions` on `resources` to everyone when `aws:SecureTransport` is `false`.
pub fn deny_insecure_transport<V: Into<Value>>(
    actions: &str,
    resources: impl IntoIterator<Item = V>,
) -> Statement {
    Statement::deny()
        .sid("DenyInsecureTransport")
        .principal(Principal::Any)
        .action(actions)
        .resources(resources)
        .condition(Condition::bool("aws:SecureTransport", false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudwright_core::Pseudo;

    #[test]
    fn actions_must_have_the_shape_service_colon_action() {
        for good in [
            "s3:GetObject",
            "dynamodb:*",
            "s3:Get*",
            "kms:Decrypt",
            "*",
            "execute-api:Invoke",
        ] {
            assert!(is_action(good), "{good}");
        }
        for bad in [
            "GetObject",
            "s3:",
            ":Get",
            "S3:GetObject",
            "s3:Get Object",
            "s3:Get:Object",
            "s3 :Get",
        ] {
            assert!(!is_action(bad), "{bad}");
        }
    }

    #[test]
    fn a_bad_action_is_named_with_its_statement() {
        let doc = PolicyDocument::identity([
            Statement::allow().action("s3:GetObject").all_resources(),
            Statement::allow()
                .sid("Write")
                .action("s3 PutObject")
                .all_resources(),
        ]);
        let err = doc.render().err();
        assert_eq!(
            err,
            Some(Error::InvalidAction {
                statement: "1 (`Write`)".into(),
                action: "s3 PutObject".into()
            })
        );
    }

    #[test]
    fn identity_statements_need_resources_and_no_principal() {
        let no_resource = PolicyDocument::identity([Statement::allow().action("s3:GetObject")]);
        assert!(matches!(
            no_resource.render(),
            Err(Error::NoResources { .. })
        ));
        let principal = PolicyDocument::identity([Statement::allow()
            .action("s3:GetObject")
            .all_resources()
            .principal(Principal::Any)]);
        assert!(matches!(
            principal.render(),
            Err(Error::UnexpectedPrincipal { .. })
        ));
        let no_principal = PolicyDocument::resource_policy([Statement::allow()
            .action("s3:GetObject")
            .all_resources()]);
        assert!(matches!(
            no_principal.render(),
            Err(Error::NoPrincipal { .. })
        ));
        let no_action = PolicyDocument::trust([Statement::allow().principal(Principal::Any)]);
        assert!(matches!(no_action.render(), Err(Error::NoActions { .. })));
    }

    #[test]
    fn renders_principals_and_merged_conditions() -> Result<(), Error> {
        let doc = PolicyDocument::resource_policy([deny_insecure_transport(
            "sqs:*",
            [Value::get_att("Queue", "Arn")],
        )
        .condition(Condition::string_equals(
            "aws:SourceAccount",
            Pseudo::AccountId,
        ))]);
        let json = serde_json::to_value(doc.render()?).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"Version": "2012-10-17", "Statement": [{
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "sqs:*",
                "Resource": {"Fn::GetAtt": ["Queue", "Arn"]},
                "Condition": {
                    "Bool": {"aws:SecureTransport": "false"},
                    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
                }
            }]})
        );
        Ok(())
    }

    #[test]
    fn principals_of_one_kind_become_a_list() -> Result<(), Error> {
        let doc = PolicyDocument::trust([Statement::allow()
            .action("sts:AssumeRole")
            .principal(Principal::service("lambda.amazonaws.com"))
            .principal(Principal::service("edgelambda.amazonaws.com"))
            .principal(Principal::ThisAccount)]);
        let json = serde_json::to_value(doc.render()?).unwrap_or_default();
        assert_eq!(
            json["Statement"][0]["Principal"],
            serde_json::json!({
                "Service": ["lambda.amazonaws.com", "edgelambda.amazonaws.com"],
                "AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
            })
        );
        Ok(())
    }
}
