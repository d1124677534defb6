//! `Bucket`: an S3 bucket that is private, owner-enforced, encrypted, versioned, TLS only and
//! retained unless told otherwise.

use cloudwright_core::{
    Construct, Error as CoreError, Exception, Handle, Policy, Pseudo, Scope, Str, Value,
};
use cloudwright_iam::{
    Condition, Grant, Grantee, PolicyDocument, Principal, Statement, deny_insecure_transport,
};
use cloudwright_resources::s3;

/// How a bucket's objects are encrypted at rest.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum BucketEncryption {
    /// S3-managed keys (SSE-S3, `AES256`, the default).
    #[default]
    S3Managed,
    /// A customer-managed KMS key by ARN (SSE-KMS, with an S3 bucket key to cut KMS calls);
    /// grants include the key's use.
    Kms(Value),
}

/// Where a bucket's server access logs go.
#[derive(Debug, Clone, PartialEq)]
enum AccessLogs {
    To { bucket: Value, prefix: String },
    Off(String),
}

/// An S3 bucket (`AWS::S3::Bucket`) with production defaults:
///
/// - every public access block setting on, ACLs disabled (`BucketOwnerEnforced`);
/// - default encryption ([`BucketEncryption`], SSE-S3 unless a KMS key is given);
/// - versioning;
/// - a bucket policy refusing every request not made over TLS;
/// - kept when the stack goes or the bucket is replaced (`Retain`);
/// - server access logs to another bucket ([`Self::server_access_logs`]) or, by default,
///   none, recorded as an exception with its reason ([`Self::without_access_logs`] to
///   state yours).
///
/// ```
/// use cloudwright_core::App;
/// use cloudwright_data::Bucket;
///
/// let app = App::new();
/// let mut stack = app.stack("Receipts")?;
/// let logs = stack.construct(
///     "AccessLogs",
///     Bucket::new()
///         .receives_access_logs()
///         .without_access_logs("the access-log bucket does not log its own writes"),
/// )?;
/// let receipts = stack.construct("Receipts", Bucket::new().server_access_logs(&logs, "receipts/"))?;
/// let template = &app.synth()?.stacks[0].template;
/// assert!(template.contains(r#""ObjectOwnership": "BucketOwnerEnforced""#));
/// # Ok::<(), cloudwright_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Bucket {
    encryption: BucketEncryption,
    versioned: Result<(), String>,
    access_logs: AccessLogs,
    receives_access_logs: bool,
    retain: Result<(), String>,
    event_bridge: bool,
}

impl Default for Bucket {
    fn default() -> Self {
        Bucket::new()
    }
}

/// The reason recorded when a bucket has no server access logs and none was given.
pub const DEFAULT_NO_ACCESS_LOGS_REASON: &str = "no server access logs: object-level access is recorded by CloudTrail data events where needed; give server_access_logs a log bucket to keep S3's own logs";

impl Bucket {
    /// A bucket with the defaults.
    pub fn new() -> Self {
        Bucket {
            encryption: BucketEncryption::S3Managed,
            versioned: Ok(()),
            access_logs: AccessLogs::Off(DEFAULT_NO_ACCESS_LOGS_REASON.into()),
            receives_access_logs: false,
            retain: Ok(()),
            event_bridge: false,
        }
    }

    /// Sends the bucket's object events to Amazon EventBridge, where rules route them (to a
    /// function, a queue): no notification configuration naming its targets, so no
    /// dependency cycle between the bucket and a target's permission.
    pub fn event_bridge_notifications(mut self) -> Self {
        self.event_bridge = true;
        self
    }

    /// How objects are encrypted.
    pub fn encryption(mut self, encryption: BucketEncryption) -> Self {
        self.encryption = encryption;
        self
    }

    /// Turns versioning off, for `reason` (recorded).
    pub fn without_versioning(mut self, reason: impl Into<String>) -> Self {
        self.versioned = Err(reason.into());
        self
    }

    /// Writes server access logs into `bucket` under `prefix`. The target must have been
    /// built with [`Self::receives_access_logs`].
    pub fn server_access_logs(mut self, bucket: &BucketOutput, prefix: impl Into<String>) -> Self {
        self.access_logs = AccessLogs::To {
            bucket: bucket.name(),
            prefix: prefix.into(),
        };
        self
    }

    /// No server access logs, for `reason` (recorded in `Metadata`).
    pub fn without_access_logs(mut self, reason: impl Into<String>) -> Self {
        self.access_logs = AccessLogs::Off(reason.into());
        self
    }

    /// Lets S3's logging service write access logs of this account's buckets here (a
    /// statement of the bucket policy).
    pub fn receives_access_logs(mut self) -> Self {
        self.receives_access_logs = true;
        self
    }

    /// Deletes the bucket with the stack, for `reason` (recorded). CloudFormation deletes
    /// only an empty bucket.
    pub fn delete_with_stack(mut self, reason: impl Into<String>) -> Self {
        self.retain = Err(reason.into());
        self
    }
}

impl Construct for Bucket {
    type Output = BucketOutput;

    fn build(self, scope: &mut Scope<'_>) -> Result<BucketOutput, CoreError> {
        let (rule, key) = match &self.encryption {
            BucketEncryption::S3Managed => (
                Value::map([(
                    "ServerSideEncryptionByDefault",
                    Value::map([("SSEAlgorithm", "AES256")]),
                )]),
                None,
            ),
            BucketEncryption::Kms(arn) => (
                Value::map([
                    (
                        "ServerSideEncryptionByDefault",
                        Value::map([
                            ("SSEAlgorithm", Value::from("aws:kms")),
                            ("KMSMasterKeyID", arn.clone()),
                        ]),
                    ),
                    ("BucketKeyEnabled", Value::from(true)),
                ]),
                Some(arn.clone()),
            ),
        };
        let mut bucket = s3::Bucket::new()
            .public_access_block_configuration(Value::map([
                ("BlockPublicAcls", true),
                ("BlockPublicPolicy", true),
                ("IgnorePublicAcls", true),
                ("RestrictPublicBuckets", true),
            ]))
            .ownership_controls(Value::map([(
                "Rules",
                Value::list([Value::map([("ObjectOwnership", "BucketOwnerEnforced")])]),
            )]))
            .bucket_encryption(Value::map([(
                "ServerSideEncryptionConfiguration",
                Value::list([rule]),
            )]));
        if self.versioned.is_ok() {
            bucket = bucket.versioning_configuration(Value::map([("Status", "Enabled")]));
        }
        if let AccessLogs::To {
            bucket: target,
            prefix,
        } = &self.access_logs
        {
            bucket = bucket.logging_configuration(Value::map([
                ("DestinationBucketName", target.clone()),
                ("LogFilePrefix", Value::from(prefix.as_str())),
            ]));
        }
        if self.event_bridge {
            bucket = bucket.notification_configuration(Value::map([(
                "EventBridgeConfiguration",
                Value::map([("EventBridgeEnabled", true)]),
            )]));
        }
        let handle = scope.add("Bucket", bucket)?;
        match &self.retain {
            Ok(()) => {
                scope.set_deletion_policy(&handle, Policy::Retain)?;
                scope.set_update_replace_policy(&handle, Policy::Retain)?;
            }
            Err(reason) => {
                scope.set_deletion_policy(&handle, Policy::Delete)?;
                scope.set_update_replace_policy(&handle, Policy::Delete)?;
                scope.add_exception(&handle, Exception::new(reason.clone()))?;
            }
        }
        if let AccessLogs::Off(reason) = &self.access_logs {
            scope.add_exception(
                &handle,
                Exception::new(reason.clone())
                    .checkov("CKV_AWS_18")
                    .cfn_nag("W35")
                    .guard("S3_BUCKET_LOGGING_ENABLED"),
            )?;
        }
        if let Err(reason) = &self.versioned {
            scope.add_exception(
                &handle,
                Exception::new(reason.clone())
                    .checkov("CKV_AWS_21")
                    .guard("S3_BUCKET_VERSIONING_ENABLED"),
            )?;
        }
        if key.is_none() {
            scope.add_exception(
                &handle,
                Exception::new(
                    "encrypted with S3-managed keys (SSE-S3): no key to manage; pass BucketEncryption::Kms to control the key",
                )
                .checkov("CKV_AWS_145"),
            )?;
        }
        let objects = crate::arn_with_suffix(handle.arn(), "/*");
        let mut statements = vec![deny_insecure_transport(
            "s3:*",
            [Value::from(handle.arn()), objects.clone()],
        )];
        if self.receives_access_logs {
            statements.push(
                Statement::allow()
                    .sid("AllowServerAccessLogs")
                    .principal(Principal::service("logging.s3.amazonaws.com"))
                    .action("s3:PutObject")
                    .resource(objects)
                    .condition(Condition::string_equals(
                        "aws:SourceAccount",
                        Pseudo::AccountId,
                    )),
            );
        }
        let policy = scope.add(
            "Policy",
            s3::BucketPolicy::new(s3::BucketPolicyRequired {
                bucket: handle.r#ref().into(),
                policy_document: PolicyDocument::resource_policy(statements).to_json()?,
            }),
        )?;
        Ok(BucketOutput {
            bucket: handle,
            policy,
            key,
            event_bridge: self.event_bridge,
        })
    }
}

/// What [`Bucket`] builds; grants by intent.
#[derive(Debug, Clone)]
pub struct BucketOutput {
    /// The bucket.
    pub bucket: Handle<s3::Bucket>,
    /// Its TLS-only policy.
    pub policy: Handle<s3::BucketPolicy>,
    key: Option<Value>,
    event_bridge: bool,
}

/// The object actions [`BucketOutput::grant_get`] allows (on `<bucket>/*`).
pub const BUCKET_GET_ACTIONS: &[&str] = &["s3:GetObject"];
/// The bucket actions a reader also gets (on the bucket itself): listing keys.
pub const BUCKET_LIST_ACTIONS: &[&str] = &["s3:ListBucket"];
/// The object actions [`BucketOutput::grant_put`] allows.
pub const BUCKET_PUT_ACTIONS: &[&str] = &["s3:AbortMultipartUpload", "s3:PutObject"];
/// The object actions [`BucketOutput::grant_delete`] allows.
pub const BUCKET_DELETE_ACTIONS: &[&str] = &["s3:DeleteObject"];

impl BucketOutput {
    /// The bucket's name (`Ref`).
    pub fn name(&self) -> Value {
        self.bucket.r#ref()
    }

    /// The bucket's ARN.
    pub fn arn(&self) -> Str {
        self.bucket.arn()
    }

    /// The ARN of its objects matching `pattern` (`*` for all): `<arn>/<pattern>`.
    pub fn arn_for_objects(&self, pattern: &str) -> Value {
        crate::arn_with_suffix(self.arn(), &format!("/{pattern}"))
    }

    /// Whether its object events go to EventBridge ([`Bucket::event_bridge_notifications`]).
    pub fn sends_events_to_event_bridge(&self) -> bool {
        self.event_bridge
    }

    /// The customer-managed key, when it has one.
    pub fn key(&self) -> Option<&Value> {
        self.key.as_ref()
    }

    /// The bucket's regional domain name.
    pub fn regional_domain_name(&self) -> Str {
        self.bucket.regional_domain_name()
    }

    fn grant_objects(
        &self,
        scope: &mut Scope<'_>,
        grantee: &(impl Grantee + ?Sized),
        intent: &str,
        object_actions: &[&str],
        list: bool,
        key_actions: &[&str],
    ) -> Result<Grant, CoreError> {
        let mut statements = vec![
            Statement::allow()
                .actions(object_actions.iter().copied())
                .resource(self.arn_for_objects("*")),
        ];
        if list {
            statements.push(
                Statement::allow()
                    .actions(BUCKET_LIST_ACTIONS.iter().copied())
                    .resource(self.arn()),
            );
        }
        crate::grant_with_key(
            scope,
            grantee,
            &format!("{}{intent}", self.bucket.logical_id()),
            statements,
            self.key.as_ref(),
            key_actions,
        )
    }

    /// Lets `grantee` read: `s3:GetObject` on the objects, `s3:ListBucket` on the bucket,
    /// `kms:Decrypt` on a KMS key.
    pub fn grant_read(
        &self,
        scope: &mut Scope<'_>,
        grantee: &(impl Grantee + ?Sized),
    ) -> Result<Grant, CoreError> {
        self.grant_objects(
            scope,
            grantee,
            "Read",
            BUCKET_GET_ACTIONS,
            true,
            &["kms:Decrypt"],
        )
    }

    /// Lets `grantee` write: put and delete objects ([`BUCKET_PUT_ACTIONS`],
    /// [`BUCKET_DELETE_ACTIONS`]); `kms:GenerateDataKey` and `kms:Decrypt` (multipart
    /// uploads) on a KMS key.
    pub fn grant_write(
        &self,
        scope: &mut Scope<'_>,
        grantee: &(impl Grantee + ?Sized),
    ) -> Result<Grant, CoreError> {
        let actions = [BUCKET_PUT_ACTIONS, BUCKET_DELETE_ACTIONS].concat();
        self.grant_objects(
            scope,
            grantee,
            "Write",
            &crate::sorted(actions),
            false,
            &["kms:Decrypt", "kms:GenerateDataKey"],
        )
    }

    /// Both: read and write in one policy.
    pub fn grant_read_write(
        &self,
        scope: &mut Scope<'_>,
        grantee: &(impl Grantee + ?Sized),
    ) -> Result<Grant, CoreError> {
        let actions = [
            BUCKET_GET_ACTIONS,
            BUCKET_PUT_ACTIONS,
            BUCKET_DELETE_ACTIONS,
        ]
        .concat();
        self.grant_objects(
            scope,
            grantee,
            "ReadWrite",
            &crate::sorted(actions),
            true,
            &["kms:Decrypt", "kms:GenerateDataKey"],
        )
    }

    /// Lets `grantee` put objects only ([`BUCKET_PUT_ACTIONS`]); `kms:GenerateDataKey` and
    /// `kms:Decrypt` on a KMS key.
    pub fn grant_put(
        &self,
        scope: &mut Scope<'_>,
        grantee: &(impl Grantee + ?Sized),
    ) -> Result<Grant, CoreError> {
        self.grant_objects(
            scope,
            grantee,
            "Put",
            BUCKET_PUT_ACTIONS,
            false,
            &["kms:Decrypt", "kms:GenerateDataKey"],
        )
    }

    /// Lets `grantee` get objects by key only ([`BUCKET_GET_ACTIONS`], no listing);
    /// `kms:Decrypt` on a KMS key.
    pub fn grant_get(
        &self,
        scope: &mut Scope<'_>,
        grantee: &(impl Grantee + ?Sized),
    ) -> Result<Grant, CoreError> {
        self.grant_objects(
            scope,
            grantee,
            "Get",
            BUCKET_GET_ACTIONS,
            false,
            &["kms:Decrypt"],
        )
    }

    /// Lets `grantee` delete objects ([`BUCKET_DELETE_ACTIONS`]).
    pub fn grant_delete(
        &self,
        scope: &mut Scope<'_>,
        grantee: &(impl Grantee + ?Sized),
    ) -> Result<Grant, CoreError> {
        self.grant_objects(scope, grantee, "Delete", BUCKET_DELETE_ACTIONS, false, &[])
    }
}
