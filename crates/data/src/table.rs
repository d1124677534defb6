//! `Table`: a DynamoDB table whose keys carry their attribute types, so the attribute
//! definitions are derived and cannot disagree with the key schema.

use std::collections::BTreeMap;

use cloudwright_core::{
    Construct, Error as CoreError, Exception, Handle, Policy, Scope, Str, Value,
};
use cloudwright_iam::{Grant, Grantee, Statement};
use cloudwright_resources::dynamodb;

use crate::Error;

/// The type of a key attribute: what `AttributeType` says in the attribute definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AttributeType {
    /// `S`: a string.
    String,
    /// `N`: a number.
    Number,
    /// `B`: binary.
    Binary,
}

impl AttributeType {
    /// `S`, `N` or `B`.
    pub fn code(self) -> &'static str {
        match self {
            AttributeType::String => "S",
            AttributeType::Number => "N",
            AttributeType::Binary => "B",
        }
    }
}

/// A key attribute: a name and its type. The key's role (`HASH` or `RANGE`) follows from where
/// it is used, so it is never written.
///
/// A key without a type does not exist:
///
/// ```compile_fail
/// use cloudwright_data::Table;
/// let table = Table::new("id"); // a name alone is not a key
/// ```
///
/// and there is no key type to misspell (`PARTITION` is not a `KeyType`):
///
/// ```compile_fail
/// use cloudwright_data::{Key, Table};
/// let table = Table::new(Key::string("id")).key_type("PARTITION");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    name: String,
    ty: AttributeType,
}

impl Key {
    /// A key attribute of `ty`.
    pub fn new(name: impl Into<String>, ty: AttributeType) -> Self {
        Key {
            name: name.into(),
            ty,
        }
    }

    /// A string key.
    pub fn string(name: impl Into<String>) -> Self {
        Key::new(name, AttributeType::String)
    }

    /// A number key.
    pub fn number(name: impl Into<String>) -> Self {
        Key::new(name, AttributeType::Number)
    }

    /// A binary key.
    pub fn binary(name: impl Into<String>) -> Self {
        Key::new(name, AttributeType::Binary)
    }

    /// The attribute's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The attribute's type.
    pub fn attribute_type(&self) -> AttributeType {
        self.ty
    }
}

/// Which attributes an index holds besides its keys.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Projection {
    /// Every attribute (the default).
    #[default]
    All,
    /// The table's and the index's keys only.
    KeysOnly,
    /// The keys and these attributes.
    Include(Vec<String>),
}

impl Projection {
    fn to_value(&self) -> Value {
        match self {
            Projection::All => Value::map([("ProjectionType", "ALL")]),
            Projection::KeysOnly => Value::map([("ProjectionType", "KEYS_ONLY")]),
            Projection::Include(names) => Value::map([
                ("ProjectionType", Value::from("INCLUDE")),
                (
                    "NonKeyAttributes",
                    Value::list(names.iter().map(String::as_str)),
                ),
            ]),
        }
    }
}

/// A global secondary index: its own partition key (and sort key).
#[derive(Debug, Clone, PartialEq)]
pub struct GlobalIndex {
    name: String,
    partition_key: Key,
    sort_key: Option<Key>,
    projection: Projection,
}

impl GlobalIndex {
    /// An index `name` partitioned by `partition_key`, projecting every attribute.
    pub fn new(name: impl Into<String>, partition_key: Key) -> Self {
        GlobalIndex {
            name: name.into(),
            partition_key,
            sort_key: None,
            projection: Projection::All,
        }
    }

    /// The index's sort key.
    pub fn sort_key(mut self, key: Key) -> Self {
        self.sort_key = Some(key);
        self
    }

    /// Which attributes it holds.
    pub fn projection(mut self, projection: Projection) -> Self {
        self.projection = projection;
        self
    }
}

/// A local secondary index: the table's partition key with another sort key.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalIndex {
    name: String,
    sort_key: Key,
    projection: Projection,
}

impl LocalIndex {
    /// An index `name` sorted by `sort_key`, projecting every attribute.
    pub fn new(name: impl Into<String>, sort_key: Key) -> Self {
        LocalIndex {
            name: name.into(),
            sort_key,
            projection: Projection::All,
        }
    }

    /// Which attributes it holds.
    pub fn projection(mut self, projection: Projection) -> Self {
        self.projection = projection;
        self
    }
}

/// How the table is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Billing {
    /// `PAY_PER_REQUEST` (the default): no capacity to plan, nothing to throttle at.
    #[default]
    OnDemand,
    /// `PROVISIONED` with these read and write capacity units (for the table and each global
    /// index).
    Provisioned {
        /// Read capacity units, at least 1.
        read: u32,
        /// Write capacity units, at least 1.
        write: u32,
    },
}

/// How the table is encrypted at rest.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum TableEncryption {
    /// With a key AWS owns (the default, free; recorded as an exception to the
    /// customer-managed-key checks).
    #[default]
    AwsOwned,
    /// With the account's AWS-managed key `alias/aws/dynamodb`.
    AwsManaged,
    /// With a customer-managed KMS key, by ARN; grants include the key's use.
    CustomerKey(Value),
}

/// A DynamoDB table (`AWS::DynamoDB::Table`) with production defaults: on-demand billing,
/// point-in-time recovery, encryption at rest, deletion protection off but the table
/// retained (`DeletionPolicy` and `UpdateReplacePolicy` `Retain`) when the stack goes or the
/// table is replaced.
///
/// ```
/// use cloudwright_core::App;
/// use cloudwright_data::{GlobalIndex, Key, Table};
///
/// let app = App::new();
/// let mut stack = app.stack("Orders")?;
/// let orders = stack.construct(
///     "Orders",
///     Table::new(Key::string("id"))
///         .sort_key(Key::number("created"))
///         .global_index(GlobalIndex::new("byCustomer", Key::string("customer"))),
/// )?;
/// let template = &app.synth()?.stacks[0].template;
/// assert!(template.contains(r#""AttributeName": "customer""#));
/// # Ok::<(), cloudwright_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    partition_key: Key,
    sort_key: Option<Key>,
    global_indexes: Vec<GlobalIndex>,
    local_indexes: Vec<LocalIndex>,
    billing: Billing,
    encryption: TableEncryption,
    point_in_time_recovery: Result<(), String>,
    retain: Result<(), String>,
    time_to_live: Option<String>,
    table_name: Option<String>,
}

impl Table {
    /// A table partitioned by `partition_key`.
    pub fn new(partition_key: Key) -> Self {
        Table {
            partition_key,
            sort_key: None,
            global_indexes: Vec::new(),
            local_indexes: Vec::new(),
            billing: Billing::OnDemand,
            encryption: TableEncryption::AwsOwned,
            point_in_time_recovery: Ok(()),
            retain: Ok(()),
            time_to_live: None,
            table_name: None,
        }
    }

    /// The table's sort key.
    pub fn sort_key(mut self, key: Key) -> Self {
        self.sort_key = Some(key);
        self
    }

    /// Adds a global secondary index.
    pub fn global_index(mut self, index: GlobalIndex) -> Self {
        self.global_indexes.push(index);
        self
    }

    /// Adds a local secondary index (the table needs a sort key).
    pub fn local_index(mut self, index: LocalIndex) -> Self {
        self.local_indexes.push(index);
        self
    }

    /// How the table is billed (on demand by default).
    pub fn billing(mut self, billing: Billing) -> Self {
        self.billing = billing;
        self
    }

    /// How the table is encrypted.
    pub fn encryption(mut self, encryption: TableEncryption) -> Self {
        self.encryption = encryption;
        self
    }

    /// Turns point-in-time recovery off, for `reason` (recorded in the table's `Metadata`).
    pub fn without_point_in_time_recovery(mut self, reason: impl Into<String>) -> Self {
        self.point_in_time_recovery = Err(reason.into());
        self
    }

    /// Deletes the table with the stack (and on replacement), for `reason` (recorded).
    pub fn delete_with_stack(mut self, reason: impl Into<String>) -> Self {
        self.retain = Err(reason.into());
        self
    }

    /// Expires items at the epoch seconds in `attribute`.
    pub fn time_to_live(mut self, attribute: impl Into<String>) -> Self {
        self.time_to_live = Some(attribute.into());
        self
    }

    /// A fixed table name (by default CloudFormation names it, so copies of a stack coexist).
    pub fn table_name(mut self, name: impl Into<String>) -> Self {
        self.table_name = Some(name.into());
        self
    }

    /// The attribute definitions: every key of the table and its indexes, once, sorted by
    /// name; one attribute with two types is an error naming both places.
    fn attribute_definitions(&self) -> Result<Vec<Value>, Error> {
        let mut seen: BTreeMap<&str, (AttributeType, String)> = BTreeMap::new();
        let mut keys: Vec<(&Key, String)> =
            vec![(&self.partition_key, "the table's partition key".into())];
        if let Some(k) = &self.sort_key {
            keys.push((k, "the table's sort key".into()));
        }
        for i in &self.global_indexes {
            keys.push((
                &i.partition_key,
                format!("index `{}`'s partition key", i.name),
            ));
            if let Some(k) = &i.sort_key {
                keys.push((k, format!("index `{}`'s sort key", i.name)));
            }
        }
        for i in &self.local_indexes {
            keys.push((&i.sort_key, format!("index `{}`'s sort key", i.name)));
        }
        for (key, place) in keys {
            check_name("attribute", &key.name, 1, 255)?;
            match seen.get(key.name.as_str()) {
                Some((ty, first)) if *ty != key.ty => {
                    return Err(Error::ConflictingAttributeType {
                        attribute: key.name.clone(),
                        first: ty.code(),
                        first_where: first.clone(),
                        second: key.ty.code(),
                        second_where: place,
                    });
                }
                Some(_) => {}
                None => {
                    seen.insert(&key.name, (key.ty, place));
                }
            }
        }
        Ok(seen
            .into_iter()
            .map(|(name, (ty, _))| {
                Value::map([
                    ("AttributeName", Value::from(name)),
                    ("AttributeType", Value::from(ty.code())),
                ])
            })
            .collect())
    }

    fn check_indexes(&self) -> Result<(), Error> {
        if self.global_indexes.len() > 20 {
            return Err(Error::TooManyIndexes {
                kind: "global",
                count: self.global_indexes.len(),
                max: 20,
            });
        }
        if self.local_indexes.len() > 5 {
            return Err(Error::TooManyIndexes {
                kind: "local",
                count: self.local_indexes.len(),
                max: 5,
            });
        }
        let mut names: Vec<&str> = Vec::new();
        for name in self
            .global_indexes
            .iter()
            .map(|i| i.name.as_str())
            .chain(self.local_indexes.iter().map(|i| i.name.as_str()))
        {
            check_name("index", name, 3, 255)?;
            if name
                .chars()
                .any(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))
            {
                return Err(Error::InvalidName {
                    what: "index",
                    name: name.to_owned(),
                    reason: "may contain only letters, digits, `_`, `-` and `.`".into(),
                });
            }
            if names.contains(&name) {
                return Err(Error::DuplicateIndex(name.to_owned()));
            }
            names.push(name);
        }
        if let Some(i) = self.local_indexes.first()
            && self.sort_key.is_none()
        {
            return Err(Error::LocalIndexWithoutSortKey(i.name.clone()));
        }
        if let Billing::Provisioned { read, write } = self.billing
            && (read == 0 || write == 0)
        {
            return Err(Error::OutOfRange {
                setting: "provisioned capacity units",
                given: u64::from(read.min(write)),
                min: 1,
                max: u64::from(u32::MAX),
            });
        }
        Ok(())
    }
}

fn check_name(what: &'static str, name: &str, min: usize, max: usize) -> Result<(), Error> {
    if name.len() < min || name.len() > max {
        return Err(Error::InvalidName {
            what,
            name: name.to_owned(),
            reason: format!("must be {min} to {max} characters long"),
        });
    }
    Ok(())
}

fn key_schema(partition: &Key, sort: Option<&Key>) -> Value {
    let mut keys = vec![Value::map([
        ("AttributeName", Value::from(partition.name.as_str())),
        ("KeyType", Value::from("HASH")),
    ])];
    if let Some(sort) = sort {
        keys.push(Value::map([
            ("AttributeName", Value::from(sort.name.as_str())),
            ("KeyType", Value::from("RANGE")),
        ]));
    }
    Value::List(keys)
}

fn throughput(read: u32, write: u32) -> Value {
    Value::map([
        ("ReadCapacityUnits", Value::from(i64::from(read))),
        ("WriteCapacityUnits", Value::from(i64::from(write))),
    ])
}

impl Construct for Table {
    type Output = TableOutput;

    fn build(self, scope: &mut Scope<'_>) -> Result<TableOutput, CoreError> {
        self.check_indexes()?;
        let definitions = self.attribute_definitions()?;
        let mut table = dynamodb::Table::new(cloudwright_core::Json(key_schema(
            &self.partition_key,
            self.sort_key.as_ref(),
        )))
        .attribute_definitions(Value::List(definitions));
        match self.billing {
            Billing::OnDemand => table = table.billing_mode("PAY_PER_REQUEST"),
            Billing::Provisioned { read, write } => {
                table = table
                    .billing_mode("PROVISIONED")
                    .provisioned_throughput(throughput(read, write));
            }
        }
        if !self.global_indexes.is_empty() {
            let indexes: Vec<Value> = self
                .global_indexes
                .iter()
                .map(|i| {
                    let mut entries = vec![
                        ("IndexName", Value::from(i.name.as_str())),
                        (
                            "KeySchema",
                            key_schema(&i.partition_key, i.sort_key.as_ref()),
                        ),
                        ("Projection", i.projection.to_value()),
                    ];
                    if let Billing::Provisioned { read, write } = self.billing {
                        entries.push(("ProvisionedThroughput", throughput(read, write)));
                    }
                    Value::map(entries)
                })
                .collect();
            table = table.global_secondary_indexes(Value::List(indexes));
        }
        if !self.local_indexes.is_empty() {
            let indexes: Vec<Value> = self
                .local_indexes
                .iter()
                .map(|i| {
                    Value::map([
                        ("IndexName", Value::from(i.name.as_str())),
                        (
                            "KeySchema",
                            key_schema(&self.partition_key, Some(&i.sort_key)),
                        ),
                        ("Projection", i.projection.to_value()),
                    ])
                })
                .collect();
            table = table.local_secondary_indexes(Value::List(indexes));
        }
        if self.point_in_time_recovery.is_ok() {
            table = table.point_in_time_recovery_specification(Value::map([(
                "PointInTimeRecoveryEnabled",
                true,
            )]));
        }
        let key = match &self.encryption {
            TableEncryption::AwsOwned => None,
            TableEncryption::AwsManaged => {
                table = table.sse_specification(Value::map([
                    ("SSEEnabled", Value::from(true)),
                    ("SSEType", Value::from("KMS")),
                ]));
                None
            }
            TableEncryption::CustomerKey(arn) => {
                table = table.sse_specification(Value::map([
                    ("SSEEnabled", Value::from(true)),
                    ("SSEType", Value::from("KMS")),
                    ("KMSMasterKeyId", arn.clone()),
                ]));
                Some(arn.clone())
            }
        };
        if let Some(attribute) = &self.time_to_live {
            table = table.time_to_live_specification(Value::map([
                ("AttributeName", Value::from(attribute.as_str())),
                ("Enabled", Value::from(true)),
            ]));
        }
        if let Some(name) = &self.table_name {
            table = table.table_name(name.as_str());
        }
        let handle = scope.add("Table", table)?;
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
        if let Err(reason) = &self.point_in_time_recovery {
            scope.add_exception(
                &handle,
                Exception::new(reason.clone())
                    .checkov("CKV_AWS_28")
                    .guard("DYNAMODB_PITR_ENABLED"),
            )?;
        }
        if key.is_none() {
            scope.add_exception(
                &handle,
                Exception::new(
                    "encrypted at rest with an AWS-owned or AWS-managed key: no key to manage or pay for; pass TableEncryption::CustomerKey to control the key",
                )
                .checkov("CKV_AWS_119"),
            )?;
        }
        Ok(TableOutput {
            table: handle,
            key,
            has_indexes: !self.global_indexes.is_empty() || !self.local_indexes.is_empty(),
        })
    }
}

/// What [`Table`] builds; grants by intent.
#[derive(Debug, Clone)]
pub struct TableOutput {
    /// The table.
    pub table: Handle<dynamodb::Table>,
    key: Option<Value>,
    has_indexes: bool,
}

/// The actions [`TableOutput::grant_read_data`] allows.
pub const TABLE_READ_ACTIONS: &[&str] = &[
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
];

/// The actions [`TableOutput::grant_write_data`] allows.
pub const TABLE_WRITE_ACTIONS: &[&str] = &[
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
];

/// The key actions a reader of a customer-key table needs.
pub const KEY_DECRYPT_ACTIONS: &[&str] = &["kms:Decrypt", "kms:DescribeKey"];

/// The key actions a writer of a customer-key table needs.
pub const KEY_ENCRYPT_DECRYPT_ACTIONS: &[&str] = &[
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
];

impl TableOutput {
    /// The table's name (`Ref`).
    pub fn name(&self) -> Value {
        self.table.r#ref()
    }

    /// The table's ARN.
    pub fn arn(&self) -> Str {
        self.table.arn()
    }

    /// The customer-managed key, when it has one.
    pub fn key(&self) -> Option<&Value> {
        self.key.as_ref()
    }

    /// The ARNs a data grant names: the table, and `<table>/index/*` when it has indexes.
    pub fn data_arns(&self) -> Vec<Value> {
        let mut arns = vec![Value::from(self.arn())];
        if self.has_indexes {
            arns.push(crate::arn_with_suffix(self.arn(), "/index/*"));
        }
        arns
    }

    fn grant_data(
        &self,
        scope: &mut Scope<'_>,
        grantee: &(impl Grantee + ?Sized),
        intent: &str,
        actions: &[&str],
        key_actions: &[&str],
    ) -> Result<Grant, CoreError> {
        let statements = vec![
            Statement::allow()
                .actions(actions.iter().copied())
                .resources(self.data_arns()),
        ];
        crate::grant_with_key(
            scope,
            grantee,
            &format!("{}{intent}", self.table.logical_id()),
            statements,
            self.key.as_ref(),
            key_actions,
        )
    }

    /// Lets `grantee` read items: [`TABLE_READ_ACTIONS`] on the table and its indexes, and
    /// [`KEY_DECRYPT_ACTIONS`] on a customer key.
    pub fn grant_read_data(
        &self,
        scope: &mut Scope<'_>,
        grantee: &(impl Grantee + ?Sized),
    ) -> Result<Grant, CoreError> {
        self.grant_data(
            scope,
            grantee,
            "ReadData",
            TABLE_READ_ACTIONS,
            KEY_DECRYPT_ACTIONS,
        )
    }

    /// Lets `grantee` write items: [`TABLE_WRITE_ACTIONS`] on the table and its indexes, and
    /// [`KEY_ENCRYPT_DECRYPT_ACTIONS`] on a customer key.
    pub fn grant_write_data(
        &self,
        scope: &mut Scope<'_>,
        grantee: &(impl Grantee + ?Sized),
    ) -> Result<Grant, CoreError> {
        self.grant_data(
            scope,
            grantee,
            "WriteData",
            TABLE_WRITE_ACTIONS,
            KEY_ENCRYPT_DECRYPT_ACTIONS,
        )
    }

    /// Both: the union of the two, in one policy.
    pub fn grant_read_write_data(
        &self,
        scope: &mut Scope<'_>,
        grantee: &(impl Grantee + ?Sized),
    ) -> Result<Grant, CoreError> {
        self.grant_data(
            scope,
            grantee,
            "ReadWriteData",
            &crate::sorted([TABLE_READ_ACTIONS, TABLE_WRITE_ACTIONS].concat()),
            KEY_ENCRYPT_DECRYPT_ACTIONS,
        )
    }
}
