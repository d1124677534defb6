//! `Role`: an IAM role assumed by a principal, with managed policies and inline statements.

use cloudwright_core::{
    Construct, Dependable, Error as CoreError, Handle, Json, ResourceRef, Scope, Str, Value,
};
use cloudwright_resources::iam;

use crate::{Condition, Grantee, PolicyDocument, Principal, Statement};

/// An AWS managed policy by name: `arn:<partition>:iam::aws:policy/<name>`.
///
/// ```
/// use cloudwright_iam::aws_managed_policy;
/// let basic = aws_managed_policy("service-role/AWSLambdaBasicExecutionRole");
/// ```
pub fn aws_managed_policy(name: &str) -> Value {
    Value::sub(format!("arn:${{AWS::Partition}}:iam::aws:policy/{name}"))
}

/// An IAM role (`AWS::IAM::Role`) that `assumed_by` may assume.
///
/// The inline statements become one inline policy named `Policy`; grants from data
/// constructs attach their own `AWS::IAM::Policy` to the role afterwards.
///
/// ```
/// use cloudwright_core::{App, Value};
/// use cloudwright_iam::{Principal, Role, Statement};
///
/// let app = App::new();
/// let mut stack = app.stack("Demo")?;
/// let role = stack.construct(
///     "Worker",
///     Role::new(Principal::service("lambda.amazonaws.com"))
///         .statement(Statement::allow().action("xray:PutTraceSegments").all_resources()),
/// )?;
/// assert_eq!(role.role.logical_id(), "WorkerRole");
/// # Ok::<(), cloudwright_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Role {
    assumed_by: Principal,
    trust_conditions: Vec<Condition>,
    managed_policies: Vec<Value>,
    statements: Vec<Statement>,
    description: Option<String>,
}

impl Role {
    /// A role `principal` may assume (`sts:AssumeRole`).
    pub fn new(assumed_by: Principal) -> Self {
        Role {
            assumed_by,
            trust_conditions: Vec::new(),
            managed_policies: Vec::new(),
            statements: Vec::new(),
            description: None,
        }
    }

    /// Restricts who may assume it (e.g. `aws:SourceAccount`), in the trust policy.
    pub fn trust_condition(mut self, condition: Condition) -> Self {
        self.trust_conditions.push(condition);
        self
    }

    /// Attaches a managed policy by ARN ([`aws_managed_policy`] for AWS's).
    pub fn managed_policy(mut self, arn: impl Into<Value>) -> Self {
        self.managed_policies.push(arn.into());
        self
    }

    /// Adds an inline statement (identity-based: resources, no principal).
    pub fn statement(mut self, statement: Statement) -> Self {
        self.statements.push(statement);
        self
    }

    /// Adds inline statements.
    pub fn statements(mut self, statements: impl IntoIterator<Item = Statement>) -> Self {
        self.statements.extend(statements);
        self
    }

    /// The role's description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// What [`Role`] builds.
#[derive(Debug, Clone)]
pub struct RoleOutput {
    /// The role.
    pub role: Handle<iam::Role>,
}

impl RoleOutput {
    /// The role's ARN (`Fn::GetAtt Role.Arn`).
    pub fn arn(&self) -> Str {
        self.role.arn()
    }

    /// The role's name (`Ref Role`).
    pub fn name(&self) -> Value {
        self.role.r#ref()
    }
}

impl Grantee for RoleOutput {
    fn grantee_role(&self) -> Result<RoleRef, crate::Error> {
        Ok(RoleRef::from_handle(&self.role))
    }
}

impl Dependable for RoleOutput {
    fn dependency_targets(&self) -> Vec<cloudwright_core::DepTarget> {
        self.role.dependency_targets()
    }
}

impl Construct for Role {
    type Output = RoleOutput;

    fn build(self, scope: &mut Scope<'_>) -> Result<RoleOutput, CoreError> {
        let mut trust = Statement::allow()
            .action("sts:AssumeRole")
            .principal(self.assumed_by);
        for c in self.trust_conditions {
            trust = trust.condition(c);
        }
        let mut role = iam::Role::new(PolicyDocument::trust([trust]).to_json()?);
        if !self.managed_policies.is_empty() {
            role = role.managed_policy_arns(self.managed_policies);
        }
        if !self.statements.is_empty() {
            let document = PolicyDocument::identity(self.statements).render()?;
            role = role.policies(vec![iam::role::Policy::new(iam::role::PolicyRequired {
                policy_document: Json(document),
                policy_name: "Policy".into(),
            })]);
        }
        if let Some(d) = self.description {
            role = role.description(d);
        }
        let role = scope.add("Role", role)?;
        Ok(RoleOutput { role })
    }
}

/// A role a grant can attach a policy to: its logical reference, name and ARN.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleRef {
    role: ResourceRef,
}

impl RoleRef {
    /// The role of a handle (of any construct's role).
    pub fn from_handle(role: &Handle<iam::Role>) -> Self {
        RoleRef {
            role: role.resource_ref().clone(),
        }
    }

    /// The role's logical id.
    pub fn logical_id(&self) -> &str {
        self.role.logical_id()
    }

    /// The role's name (`Ref`), what `AWS::IAM::Policy.Roles` takes.
    pub fn name(&self) -> Value {
        self.role.r#ref()
    }

    /// The role's ARN (`Fn::GetAtt Role.Arn`).
    pub fn arn(&self) -> Value {
        self.role.get_att("Arn")
    }

    /// The untyped reference.
    pub fn resource_ref(&self) -> &ResourceRef {
        &self.role
    }
}

impl Grantee for RoleRef {
    fn grantee_role(&self) -> Result<RoleRef, crate::Error> {
        Ok(self.clone())
    }
}

impl Grantee for Handle<iam::Role> {
    fn grantee_role(&self) -> Result<RoleRef, crate::Error> {
        Ok(RoleRef::from_handle(self))
    }
}
