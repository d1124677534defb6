//! [`LogKey`]: a customer-managed KMS key that CloudWatch Logs may use to encrypt the log
//! groups of this account and region.
//!
//! ```
//! use cloudwright_compute::{Container, ContainerImage, FargateSize, FargateTaskDefinition, LogKey};
//! use cloudwright_core::App;
//!
//! let app = App::new();
//! let mut stack = app.stack("Api")?;
//! let key = stack.construct("LogKey", LogKey::new())?;
//! let task = FargateTaskDefinition::new(FargateSize::ONE_VCPU_2GB)
//!     .with_container(Container::new("web", ContainerImage::from_uri("nginx:1.27")).port(8080))
//!     .log_key(&key); // or the ARN of a key made elsewhere
//! stack.construct("Task", task)?;
//! let template = &app.synth()?.stacks[0].template;
//! assert!(template.contains(r#""KmsKeyId": {"#));
//! assert!(template.contains(r#""EnableKeyRotation": true"#));
//! # Ok::<(), cloudwright_core::Error>(())
//! ```

use cloudwright_core::{Construct, DepTarget, Dependable, Handle, Json, Policy, Scope, Str, Value};
use cloudwright_resources::kms;

/// The actions CloudWatch Logs needs on a key that encrypts log groups.
const LOGS_ACTIONS: [&str; 5] = [
    "kms:Encrypt*",
    "kms:Decrypt*",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:Describe*",
];

/// A symmetric KMS key for CloudWatch Logs, built into `Key` (an `AWS::KMS::Key`):
///
/// - automatic yearly rotation on;
/// - a key policy that keeps the account in control (the account root, so that IAM policies
///   of the account decide who administers and uses it, and the key can never become
///   unmanageable) and lets the regional CloudWatch Logs service
///   (`logs.<region>.amazonaws.com`) encrypt and decrypt with it, only for log groups of this
///   account and region (the `kms:EncryptionContext:aws:logs:arn` condition);
/// - `DeletionPolicy` and `UpdateReplacePolicy` `Retain`: log groups are retained when their
///   stack goes, and their events can only be read while the key exists.
///
/// Give it to a task's log group with
/// [`FargateTaskDefinition::log_key`](crate::FargateTaskDefinition::log_key).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogKey {
    description: Option<String>,
}

impl LogKey {
    /// A key with the policy above.
    pub fn new() -> Self {
        LogKey::default()
    }

    /// The key's description (default: says what it is for).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The key policy.
    fn policy() -> Value {
        let account_root = Value::map([
            ("Sid", Value::from("AccountAdministersTheKey")),
            ("Effect", Value::from("Allow")),
            (
                "Principal",
                Value::map([(
                    "AWS",
                    Value::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root"),
                )]),
            ),
            ("Action", Value::from("kms:*")),
            ("Resource", Value::from("*")),
        ]);
        let logs = Value::map([
            (
                "Sid",
                Value::from("CloudWatchLogsEncryptsLogGroupsOfThisAccount"),
            ),
            ("Effect", Value::from("Allow")),
            (
                "Principal",
                Value::map([("Service", Value::sub("logs.${AWS::Region}.amazonaws.com"))]),
            ),
            ("Action", Value::list(LOGS_ACTIONS)),
            ("Resource", Value::from("*")),
            (
                "Condition",
                Value::map([(
                    "ArnLike",
                    Value::map([(
                        "kms:EncryptionContext:aws:logs:arn",
                        Value::sub(
                            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*",
                        ),
                    )]),
                )]),
            ),
        ]);
        Value::map([
            ("Version", Value::from("2012-10-17")),
            ("Statement", Value::list([account_root, logs])),
        ])
    }
}

/// What building a [`LogKey`] gives.
#[derive(Clone, Debug)]
pub struct LogKeyOutput {
    /// The key (`Ref` is its id).
    pub key: Handle<kms::Key>,
}

impl LogKeyOutput {
    /// The key's ARN (what a log group's `KmsKeyId` takes).
    pub fn arn(&self) -> Str {
        self.key.arn()
    }
}

impl From<&LogKeyOutput> for Value {
    /// The key's ARN.
    fn from(key: &LogKeyOutput) -> Value {
        key.arn().into()
    }
}

impl Dependable for LogKeyOutput {
    fn dependency_targets(&self) -> Vec<DepTarget> {
        self.key.dependency_targets()
    }
}

impl Construct for LogKey {
    type Output = LogKeyOutput;

    fn build(self, scope: &mut Scope<'_>) -> Result<LogKeyOutput, cloudwright_core::Error> {
        let description = self.description.unwrap_or_else(|| {
            "Encrypts CloudWatch Logs log groups of this account and region".into()
        });
        let key = scope.add(
            "Key",
            kms::Key::new()
                .description(description)
                .enable_key_rotation(true)
                .key_policy(Json(LogKey::policy())),
        )?;
        scope.set_deletion_policy(&key, Policy::Retain)?;
        scope.set_update_replace_policy(&key, Policy::Retain)?;
        Ok(LogKeyOutput { key })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_keeps_the_account_in_control_and_scopes_logs_to_this_account() {
        let policy = serde_json::to_value(LogKey::policy()).unwrap_or_default();
        let statements = policy["Statement"].as_array().cloned().unwrap_or_default();
        assert_eq!(statements.len(), 2);
        assert_eq!(
            statements[0]["Principal"]["AWS"]["Fn::Sub"],
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"
        );
        assert_eq!(statements[0]["Action"], "kms:*");
        let logs = &statements[1];
        assert_eq!(
            logs["Principal"]["Service"]["Fn::Sub"],
            "logs.${AWS::Region}.amazonaws.com"
        );
        assert_eq!(logs["Action"], serde_json::json!(LOGS_ACTIONS));
        assert_eq!(
            logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]["Fn::Sub"],
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*"
        );
    }
}
