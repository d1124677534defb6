//! Grants: the least statements a resource gives to anything with a role, attached to that
//! role as an `AWS::IAM::Policy`.

use cloudwright_core::{
    DepTarget, Dependable, Error as CoreError, Handle, ResourceRef, Scope, sha256,
};
use cloudwright_resources::iam;

use crate::{Error, PolicyDocument, RoleRef, Statement};

/// Anything with a role a grant can reach: a [`Role`](crate::Role)'s output, a role handle,
/// a Fargate task definition (its task role), a Lambda function (its execution role).
pub trait Grantee {
    /// The role grants attach their policies to, or [`Error::NoRole`] saying how to give the
    /// grantee one.
    fn grantee_role(&self) -> Result<RoleRef, Error>;

    /// What runs with the role and must not start before a grant's permissions exist: a
    /// grant in the same stack makes each depend on its policy, as the CDK does (a Lambda
    /// function, so its event source mappings wait; a task definition, so every service
    /// running it waits). A bare role has none.
    fn grantee_dependents(&self) -> Vec<ResourceRef> {
        Vec::new()
    }
}

impl<G: Grantee + ?Sized> Grantee for &G {
    fn grantee_role(&self) -> Result<RoleRef, Error> {
        (**self).grantee_role()
    }
    fn grantee_dependents(&self) -> Vec<ResourceRef> {
        (**self).grantee_dependents()
    }
}

/// What a grant added: the policy attached to the grantee's role. The grantee's own
/// [dependents](Grantee::grantee_dependents) already wait for it; depend on it from anything
/// else that must not start before the permission exists.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The `AWS::IAM::Policy`.
    pub policy: Handle<iam::Policy>,
    /// The role it is attached to.
    pub role: RoleRef,
}

impl Dependable for Grant {
    fn dependency_targets(&self) -> Vec<DepTarget> {
        self.policy.dependency_targets()
    }
}

/// The longest `PolicyName` IAM takes.
const MAX_POLICY_NAME: usize = 128;

/// Attaches `statements` to `grantee`'s role as one `AWS::IAM::Policy`, added to `scope`.
///
/// `name` says what is granted on what, in letters and digits (`OrdersTableReadData`): the
/// policy's logical id is the role's logical id followed by `name` and `Policy`
/// (`WorkerRoleOrdersTableReadDataPolicy`), so it is stable whatever scope asks; the
/// `PolicyName` is the same id (shortened with a hash beyond IAM's 128 characters).
/// Granting the same thing to the same role twice is a duplicate id. What runs with the role
/// in the same stack ([`Grantee::grantee_dependents`]) gets a `DependsOn` on the policy, so it
/// never starts without the permission; in another stack, the export of the role orders the
/// stacks the other way, so that wait is not possible and is not declared.
///
/// ```
/// use cloudwright_core::{App, Value};
/// use cloudwright_iam::{grant, Principal, Role, Statement};
///
/// let app = App::new();
/// let mut stack = app.stack("Demo")?;
/// let worker = stack.construct("Worker", Role::new(Principal::service("lambda.amazonaws.com")))?;
/// let g = grant(
///     &mut stack,
///     &worker,
///     "QueueSend",
///     vec![Statement::allow().action("sqs:SendMessage").resource(Value::get_att("Queue", "Arn"))],
/// )?;
/// assert_eq!(g.policy.logical_id(), "WorkerRoleQueueSendPolicy");
/// # Ok::<(), cloudwright_core::Error>(())
/// ```
pub fn grant(
    scope: &mut Scope<'_>,
    grantee: &(impl Grantee + ?Sized),
    name: &str,
    statements: Vec<Statement>,
) -> Result<Grant, CoreError> {
    if statements.is_empty() {
        return Err(Error::EmptyGrant {
            grant: name.to_owned(),
        }
        .into());
    }
    let role = grantee.grantee_role()?;
    let logical_id = format!("{}{name}Policy", role.logical_id());
    let document = PolicyDocument::identity(statements).to_json()?;
    let policy_name = if logical_id.len() <= MAX_POLICY_NAME {
        logical_id.clone()
    } else {
        let hash = sha256::sha256_hex(logical_id.as_bytes());
        format!("{}{}", &logical_id[..MAX_POLICY_NAME - 16], &hash[..16])
    };
    let policy = scope.add_with_logical_id(
        &logical_id,
        &logical_id,
        iam::Policy::new(iam::PolicyRequired {
            policy_document: document,
            policy_name: policy_name.into(),
        })
        .roles(vec![role.name()]),
    )?;
    let policy_stack = policy.resource_ref().stack().to_owned();
    let waiting: Vec<ResourceRef> = grantee
        .grantee_dependents()
        .into_iter()
        .filter(|r| r.stack() == policy_stack)
        .collect();
    scope.add_dependency(&waiting, &policy);
    Ok(Grant { policy, role })
}
