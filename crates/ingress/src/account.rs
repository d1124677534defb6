//! [`ApiGatewayAccount`]: the account-level setting API Gateway needs before any stage of the
//! account and region can write logs to CloudWatch.
//!
//! API Gateway writes access logs (and execution logs) with one IAM role per account and
//! region, set in `AWS::ApiGateway::Account`. Until it is set, creating a stage with access
//! logging fails with "CloudWatch Logs role ARN must be set in account settings to enable
//! logging". [`PublicApi`](crate::PublicApi) makes one of these by default whenever it logs
//! access, and its stage waits for it; [`AccountRole`] says when the account is set elsewhere.

use cloudwright_core::{Construct, DepTarget, Dependable, Handle, Json, Policy, Scope, Str, Value};
use cloudwright_resources::apigateway::Account;
use cloudwright_resources::iam::Role;

/// The AWS managed policy that lets API Gateway create log groups and streams and put events.
pub const PUSH_TO_CLOUDWATCH_LOGS_POLICY: &str =
    "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs";

/// The account and region's API Gateway CloudWatch role: an IAM role API Gateway assumes (with
/// the AWS managed policy `AmazonAPIGatewayPushToCloudWatchLogs`) and the
/// `AWS::ApiGateway::Account` resource that sets it.
///
/// The role is kept (`DeletionPolicy` and `UpdateReplacePolicy` `Retain`): the setting is one
/// per account and region, shared by every API there, and deleting the stack that happened to
/// set it must not break the logging of the others. Deleting the `Account` resource leaves the
/// setting as it is.
///
/// ```
/// use cloudwright_core::App;
/// use cloudwright_ingress::ApiGatewayAccount;
///
/// let app = App::new();
/// let mut stack = app.stack("Shared")?;
/// let account = stack.construct("ApiGatewayAccount", ApiGatewayAccount::new())?;
/// let template = &app.synth()?.stacks[0].template;
/// assert!(template.contains("AmazonAPIGatewayPushToCloudWatchLogs"));
/// assert!(account.account.logical_id().starts_with("ApiGatewayAccount"));
/// # Ok::<(), cloudwright_core::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiGatewayAccount {
    _private: (),
}

impl ApiGatewayAccount {
    /// The role and the account setting.
    pub fn new() -> Self {
        ApiGatewayAccount::default()
    }
}

/// What an [`ApiGatewayAccount`] made; depend on it (it is [`Dependable`]) before creating a
/// stage that logs, or pass it to [`PublicApi::account_role`](crate::PublicApi::account_role).
#[derive(Clone, Debug, PartialEq)]
pub struct ApiGatewayAccountOutput {
    /// The role API Gateway assumes to write logs.
    pub role: Handle<Role>,
    /// The `AWS::ApiGateway::Account` resource that sets it.
    pub account: Handle<Account>,
}

impl ApiGatewayAccountOutput {
    /// The role's ARN.
    pub fn role_arn(&self) -> Str {
        self.role.arn()
    }
}

impl Dependable for ApiGatewayAccountOutput {
    /// The account setting (which waits for its role).
    fn dependency_targets(&self) -> Vec<DepTarget> {
        self.account.dependency_targets()
    }
}

fn trust_policy() -> Value {
    Value::map([
        ("Version", Value::from("2012-10-17")),
        (
            "Statement",
            Value::List(vec![Value::map([
                ("Effect", Value::from("Allow")),
                (
                    "Principal",
                    Value::map([("Service", Value::from("apigateway.amazonaws.com"))]),
                ),
                ("Action", Value::from("sts:AssumeRole")),
            ])]),
        ),
    ])
}

impl Construct for ApiGatewayAccount {
    type Output = ApiGatewayAccountOutput;

    fn build(
        self,
        scope: &mut Scope<'_>,
    ) -> Result<ApiGatewayAccountOutput, cloudwright_core::Error> {
        let role = scope.add(
            "Role",
            Role::new(Json(trust_policy()))
                .description(
                    "Lets API Gateway write the logs of every API in this account and region",
                )
                .managed_policy_arns(vec![Value::sub(PUSH_TO_CLOUDWATCH_LOGS_POLICY)]),
        )?;
        scope.set_deletion_policy(&role, Policy::Retain)?;
        scope.set_update_replace_policy(&role, Policy::Retain)?;
        let account = scope.add("Account", Account::new().cloud_watch_role_arn(role.arn()))?;
        Ok(ApiGatewayAccountOutput { role, account })
    }
}

/// How a [`PublicApi`](crate::PublicApi) that logs access gets the account's API Gateway
/// CloudWatch role.
#[derive(Clone, Debug, PartialEq)]
pub enum AccountRole {
    /// The API makes an [`ApiGatewayAccount`] of its own and its stage waits for it (the
    /// default): a first deploy to a fresh account and region works.
    Create,
    /// The account and region already have the role set (by another stack, another tool or
    /// the console); the API adds nothing. A first deploy fails if it is not set.
    AlreadySet,
    /// One [`ApiGatewayAccount`] made elsewhere in the app (any stack) for several APIs; the
    /// stage waits for it (across stacks, its stack is deployed first).
    Shared(ApiGatewayAccountOutput),
}

impl From<&ApiGatewayAccountOutput> for AccountRole {
    fn from(account: &ApiGatewayAccountOutput) -> Self {
        AccountRole::Shared(account.clone())
    }
}
