//! Publishing an assembly's file assets (`assets.json` `files`): for each region the stacks
//! deploy to, the account's assets bucket `cloudwright-assets-<account>-<region>` (created on
//! first use), and each asset's zip uploaded under `<hash>.zip` unless `HeadObject` finds the
//! key already there (the key is the hash of the sources, so an object under it is the same
//! zip). A directory asset is zipped from its copy in the assembly (`asset.<hash>/`); a Rust
//! function is built first ([`crate::assets::rust_function`]). The zip is deterministic
//! ([`crate::assets::archive`]): the same sources give the same bytes on any machine.
//!
//! Why direct S3 calls rather than a bootstrap stack (as the CDK has): as for the image
//! repository ([`crate::assets::publish`]), the object must exist before the stack that reads it is
//! created, the bucket is the only thing publishing needs, and a few idempotent calls at
//! publish time work in any account and region without a separate `bootstrap` command, its
//! stack and its version checks. The bucket is made safe when it is created: default
//! encryption (SSE-S3), every public access block on, object ownership enforced, a policy
//! denying any request not made over TLS (left out only when the endpoint itself is plain HTTP,
//! a local emulator such as moto, which enforces it and would lock the toolkit out), and a lifecycle rule expiring objects after
//! [`ASSET_EXPIRY_DAYS`] days (Lambda keeps its own copy of a function's code, so an expired
//! object is only needed again by a deploy, which uploads it again when it is missing) and
//! aborting incomplete uploads after a day.

use std::path::Path;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    AbortIncompleteMultipartUpload, BucketLifecycleConfiguration, BucketLocationConstraint,
    CreateBucketConfiguration, ExpirationStatus, LifecycleExpiration, LifecycleRule,
    LifecycleRuleFilter, ObjectOwnership, OwnershipControls, OwnershipControlsRule,
    PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};
use cloudwright_core::asset::{FILE_ASSET_BUCKET_PREFIX, FileAsset, Packaging};
use serde_json::{Value, json};

use crate::app::synth::Say;
use crate::assets::archive::{Entry, zip};
use crate::assets::publish::{Outcome, Published};
use crate::assets::short;
use crate::aws::{Api, Aws};
use crate::error::{Error, Result};

/// After how many days the assets bucket's objects expire.
pub const ASSET_EXPIRY_DAYS: i32 = 365;

/// The assets bucket of an account and region (what templates name with
/// [`cloudwright_core::asset::file_asset_bucket`]).
pub fn bucket_name(account: &str, region: &str) -> String {
    format!("{FILE_ASSET_BUCKET_PREFIX}-{account}-{region}")
}

/// The bucket policy: any request not made over TLS is denied.
pub fn tls_only_policy(bucket: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}
        }]
    })
}

/// The zip of a file asset: a directory's files from the assembly, or a Rust function built
/// (its binary as `bootstrap`, executable). `start` is where build tools are looked for.
pub async fn package(asset: &FileAsset, assembly_dir: &Path, start: &Path) -> Result<Vec<u8>> {
    package_within(asset, assembly_dir, start, None).await
}

/// [`package`], a Rust function's build bounded by `timeout` (the command's `--timeout`).
pub async fn package_within(
    asset: &FileAsset,
    assembly_dir: &Path,
    start: &Path,
    timeout: Option<std::time::Duration>,
) -> Result<Vec<u8>> {
    let hash = short(&asset.hash).to_owned();
    let entries = match &asset.packaging {
        Packaging::ZipDirectory => {
            let Some(directory) = &asset.directory else {
                return Err(Error::FileAsset {
                    hash,
                    message: "assets.json names no directory for it".into(),
                });
            };
            let dir = assembly_dir.join(directory);
            let mut entries = Vec::with_capacity(asset.files.len());
            for f in &asset.files {
                let path = dir.join(&f.path);
                let data = std::fs::read(&path).map_err(|source| Error::Io {
                    action: "cannot read the file asset's file",
                    path,
                    source,
                })?;
                entries.push(Entry {
                    name: f.path.clone(),
                    executable: f.executable,
                    data,
                });
            }
            entries
        }
        Packaging::RustFunction { .. } => vec![Entry {
            name: "bootstrap".into(),
            executable: true,
            data: crate::assets::rust_function::build(asset, start, timeout).await?,
        }],
    };
    zip(&entries).map_err(|e| Error::FileAsset {
        hash,
        message: e.to_string(),
    })
}

/// The HTTP status of a failed S3 call, if it got a response.
fn status<E, R: HasStatus>(err: &aws_sdk_s3::error::SdkError<E, R>) -> Option<u16> {
    err.raw_response().map(HasStatus::status_code)
}

/// A response's status (to read it from an SDK error).
trait HasStatus {
    fn status_code(&self) -> u16;
}

impl HasStatus for aws_smithy_runtime_api::http::Response {
    fn status_code(&self) -> u16 {
        self.status().as_u16()
    }
}

/// Makes sure the assets bucket exists in `region`: creates and hardens it when missing.
/// `tls_only` adds the policy denying requests not made over TLS (off only for a plain-HTTP
/// endpoint, a local emulator, which the policy would lock out). Returns whether it was
/// created.
pub async fn ensure_bucket(
    s3: &Api<aws_sdk_s3::Client>,
    bucket: &str,
    region: &str,
    tls_only: bool,
) -> Result<bool> {
    match s3.client.head_bucket().bucket(bucket).send().await {
        Ok(_) => return Ok(false),
        Err(e) if status(&e) == Some(404) => {}
        Err(e) if status(&e) == Some(403) => {
            return Err(Error::AssetBucketForbidden {
                bucket: bucket.to_owned(),
            });
        }
        Err(e) => return Err(s3.error("HeadBucket", e)),
    }
    let mut create = s3.client.create_bucket().bucket(bucket);
    if region != "us-east-1" {
        create = create.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build(),
        );
    }
    match create.send().await {
        Ok(_) => {}
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_bucket_already_owned_by_you()) =>
        {
            return Ok(false);
        }
        Err(e) => return Err(s3.error("CreateBucket", e)),
    }
    let internal = |e: aws_sdk_s3::error::BuildError| Error::Internal(e.to_string());
    s3.client
        .put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .block_public_policy(true)
                .ignore_public_acls(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .map_err(|e| s3.error("PutPublicAccessBlock", e))?;
    s3.client
        .put_bucket_ownership_controls()
        .bucket(bucket)
        .ownership_controls(
            OwnershipControls::builder()
                .rules(
                    OwnershipControlsRule::builder()
                        .object_ownership(ObjectOwnership::BucketOwnerEnforced)
                        .build()
                        .map_err(internal)?,
                )
                .build()
                .map_err(internal)?,
        )
        .send()
        .await
        .map_err(|e| s3.error("PutBucketOwnershipControls", e))?;
    s3.client
        .put_bucket_encryption()
        .bucket(bucket)
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(
                    ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(
                            ServerSideEncryptionByDefault::builder()
                                .sse_algorithm(ServerSideEncryption::Aes256)
                                .build()
                                .map_err(internal)?,
                        )
                        .build(),
                )
                .build()
                .map_err(internal)?,
        )
        .send()
        .await
        .map_err(|e| s3.error("PutBucketEncryption", e))?;
    if tls_only {
        s3.client
            .put_bucket_policy()
            .bucket(bucket)
            .policy(tls_only_policy(bucket).to_string())
            .send()
            .await
            .map_err(|e| s3.error("PutBucketPolicy", e))?;
    }
    s3.client
        .put_bucket_lifecycle_configuration()
        .bucket(bucket)
        .lifecycle_configuration(
            BucketLifecycleConfiguration::builder()
                .rules(
                    LifecycleRule::builder()
                        .id("expire-old-assets")
                        .status(ExpirationStatus::Enabled)
                        .filter(LifecycleRuleFilter::builder().prefix("").build())
                        .expiration(
                            LifecycleExpiration::builder()
                                .days(ASSET_EXPIRY_DAYS)
                                .build(),
                        )
                        .abort_incomplete_multipart_upload(
                            AbortIncompleteMultipartUpload::builder()
                                .days_after_initiation(1)
                                .build(),
                        )
                        .build()
                        .map_err(internal)?,
                )
                .build()
                .map_err(internal)?,
        )
        .send()
        .await
        .map_err(|e| s3.error("PutBucketLifecycleConfiguration", e))?;
    Ok(true)
}

/// Publishes every file asset into `account`'s assets bucket in `region`: the bucket made sure
/// of, each key checked with `HeadObject`, and the zip made and uploaded when missing. `zips`
/// keeps the zips made, by asset hash, across the accounts and regions of one run, so a Rust
/// function is built once however many places it goes to. The first failure stops it.
pub async fn publish(
    aws: &Aws,
    account: &str,
    region: &str,
    assembly_dir: &Path,
    assets: &[&FileAsset],
    zips: &mut std::collections::BTreeMap<String, Vec<u8>>,
    out: &dyn Say,
) -> Result<Vec<Published>> {
    let mut done = Vec::new();
    if assets.is_empty() {
        return Ok(done);
    }
    let start = std::env::current_dir().unwrap_or_else(|_| assembly_dir.to_owned());
    let n = assets.len();
    out.say(&format!(
        "publishing {n} file asset{} to {region} (account {account})",
        if n == 1 { "" } else { "s" },
    ));
    {
        let bucket = bucket_name(account, region);
        let s3 = aws.s3(Some(region), "publishing file assets")?;
        let plain_http = aws
            .config(Some(region), "publishing file assets")?
            .endpoint_url()
            .is_some_and(|u| u.starts_with("http://"));
        if ensure_bucket(&s3, &bucket, region, !plain_http).await? {
            out.say(&format!(
                "created S3 bucket {bucket} for file assets (encrypted, public access blocked, {}, objects expire after {ASSET_EXPIRY_DAYS} days)",
                if plain_http {
                    "no TLS-only policy: the endpoint is plain HTTP, which it would deny"
                } else {
                    "TLS only"
                }
            ));
        }
        for asset in assets {
            let tag = short(&asset.hash);
            let location = format!("s3://{bucket}/{}", asset.object_key);
            let head = s3
                .client
                .head_object()
                .bucket(&bucket)
                .key(&asset.object_key)
                .send()
                .await;
            match head {
                Ok(_) => {
                    out.say(&format!(
                        "file asset {tag}: {location} is already there; not built or uploaded"
                    ));
                    done.push(Published {
                        hash: asset.hash.clone(),
                        region: region.to_owned(),
                        image: location,
                        outcome: Outcome::Present,
                        digest: None,
                    });
                    continue;
                }
                Err(e) if status(&e) == Some(404) => {}
                Err(e) => return Err(s3.error("HeadObject", e)),
            }
            let bytes = match zips.get(&asset.hash) {
                Some(b) => b.clone(),
                None => {
                    if matches!(asset.packaging, Packaging::RustFunction { .. }) {
                        out.say(&format!("file asset {tag}: building the Rust function"));
                    }
                    let b = package_within(asset, assembly_dir, &start, aws.overall()).await?;
                    zips.insert(asset.hash.clone(), b.clone());
                    b
                }
            };
            let size = bytes.len();
            s3.client
                .put_object()
                .bucket(&bucket)
                .key(&asset.object_key)
                .content_type("application/zip")
                .body(ByteStream::from(bytes))
                .send()
                .await
                .map_err(|e| s3.error("PutObject", e))?;
            out.say(&format!(
                "file asset {tag}: uploaded {location} ({size} bytes)"
            ));
            done.push(Published {
                hash: asset.hash.clone(),
                region: region.to_owned(),
                image: location,
                outcome: Outcome::Pushed,
                digest: None,
            });
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_is_named_by_account_and_region_and_denies_plain_http() {
        assert_eq!(
            bucket_name("123456789012", "eu-west-1"),
            "cloudwright-assets-123456789012-eu-west-1"
        );
        let p = tls_only_policy("b");
        assert_eq!(p["Statement"][0]["Effect"], "Deny");
        assert_eq!(
            p["Statement"][0]["Condition"]["Bool"]["aws:SecureTransport"],
            "false"
        );
        assert_eq!(p["Statement"][0]["Resource"][1], "arn:aws:s3:::b/*");
    }
}
