//! Publishing an assembly's container image assets (`assets.json`): for each region the
//! stacks deploy to and each image, make sure its ECR repository exists, and when the image's
//! tag is not there yet, build it with the user's container tool ([`crate::assets::container_tool`]) from
//! its context in the assembly, log in with an ECR token and push it. `cloudwright assets`
//! does only this; `cloudwright deploy` does it before it touches any stack.
//!
//! The default repository (`cloudwright-assets`) is created here when it is missing, with
//! immutable tags, scan on push and a lifecycle policy ([`lifecycle_policy`]); a repository an
//! app names is used as it is and must exist. Why a repository the toolkit creates rather than
//! a bootstrap stack, as the CDK has: the image must be in the repository before the stack that
//! runs it is created, and a repository is the only thing publishing needs, so one idempotent
//! API call at publish time replaces a separate `bootstrap` command, its stack and its version
//! checks, and works in any account and region the app deploys to without preparation.
//!
//! With [`REGISTRY_VARIABLE`] set, images go to that registry instead of ECR's registry host
//! (the repository is still created through the ECR API, and the login still uses the ECR
//! token), and whether a tag exists is asked of that registry.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

use cloudwright_core::Assembly;
use cloudwright_core::asset::{DEFAULT_ASSET_REPOSITORY, DockerImageAsset};
use serde_json::{Value, json};

use crate::app::assembly::CloudAssembly;
use crate::app::synth::Say;
use crate::assets::container_tool::ContainerTool;
use crate::assets::registry::{REGISTRY_VARIABLE, RegistryOverride};
use crate::assets::short;
use crate::aws::Aws;
use crate::aws::ecr::Ecr;
use crate::error::{Error, Result};

/// How many tagged images the default repository's lifecycle policy keeps.
pub const KEEP_TAGGED_IMAGES: u32 = 100;

/// The lifecycle policy of the default repository: untagged images (left behind by nothing
/// cloudwright pushes, but by tools that retag) expire after a day; beyond the newest
/// [`KEEP_TAGGED_IMAGES`] images, the oldest expire.
pub fn lifecycle_policy() -> Value {
    json!({"rules": [
        {"rulePriority": 1, "description": "expire untagged images after a day",
         "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                       "countUnit": "days", "countNumber": 1},
         "action": {"type": "expire"}},
        {"rulePriority": 2,
         "description": format!("keep the newest {KEEP_TAGGED_IMAGES} images"),
         "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                       "countNumber": KEEP_TAGGED_IMAGES},
         "action": {"type": "expire"}}
    ]})
}

/// The `CreateRepository` input of the default repository.
pub fn create_repository_input(name: &str) -> Value {
    json!({
        "repositoryName": name,
        "imageTagMutability": "IMMUTABLE",
        "imageScanningConfiguration": {"scanOnPush": true},
        "tags": [{"Key": "cloudwright:asset-repository", "Value": "true"}],
    })
}

/// What happened to one image in one region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The tag was already in the repository: neither built nor pushed.
    Present,
    /// Built (or retagged) and pushed; for a file asset, zipped (built) and uploaded.
    Pushed,
}

/// An asset published (or found) in a region: an image, or a file asset's zip.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    /// The asset's hash.
    pub hash: String,
    /// The region.
    pub region: String,
    /// `registry/repository:tag`, or `s3://bucket/key` for a file asset.
    pub image: String,
    /// What was done.
    pub outcome: Outcome,
    /// The manifest digest in the registry, when it reported one.
    pub digest: Option<String>,
}

/// The regions `stacks` deploy to (their own, or the default region).
pub fn regions<'a>(
    aws: &Aws,
    stacks: impl IntoIterator<Item = &'a cloudwright_core::ManifestStack>,
) -> Result<Vec<String>> {
    let mut out = BTreeSet::new();
    for s in stacks {
        let region = s
            .region
            .clone()
            .or_else(|| aws.default_region().map(str::to_owned))
            .ok_or_else(|| Error::NoRegion {
                what: format!("the image assets of stack {}", s.stack_name),
            })?;
        out.insert(region);
    }
    Ok(out.into_iter().collect())
}

/// State across the images of one run: the tool (found when first needed), the images built
/// (hash to name), the registries logged in to.
struct Run<'a> {
    aws: &'a Aws,
    dir: &'a Path,
    registry: Option<RegistryOverride>,
    out: &'a dyn Say,
    tool: Option<ContainerTool>,
    built: BTreeMap<String, String>,
    logged_in: BTreeSet<String>,
}

/// Publishes every asset of `assembly` into the account (with its role from `accounts`,
/// checked with STS) and region of each of `stacks`: the file assets
/// ([`crate::assets::file_assets`]), then the images, each once per account and region. Returns
/// what was done per asset and region (nothing, without asking for a region, when the assembly
/// has no assets); the first failure stops it (nothing after it is built, pushed or uploaded).
pub async fn publish(
    accounts: &crate::aws::accounts::Accounts,
    assembly: &CloudAssembly,
    stacks: &[&cloudwright_core::ManifestStack],
    out: &dyn Say,
) -> Result<Vec<Published>> {
    let aws = accounts.base();
    let manifest = Assembly::read_assets(&assembly.dir).map_err(|e| Error::Assembly {
        dir: assembly.dir.clone(),
        message: e.to_string(),
    })?;
    if manifest.docker_images.is_empty() && manifest.files.is_empty() {
        return Ok(Vec::new());
    }
    let regions = regions(aws, stacks.iter().copied())?;
    // where to publish: each account (none: the credentials in use) and region of the stacks
    let mut targets: BTreeMap<(Option<String>, String), Aws> = BTreeMap::new();
    for s in stacks {
        let region = s
            .region
            .clone()
            .or_else(|| aws.default_region().map(str::to_owned))
            .unwrap_or_default();
        if let std::collections::btree_map::Entry::Vacant(slot) =
            targets.entry((s.account.clone(), region.clone()))
        {
            let access = accounts
                .access(
                    s.account.as_deref(),
                    Some(&region),
                    &format!("the assets of stack `{}`", s.id),
                )
                .await?;
            slot.insert(access);
        }
    }
    // file assets: into the assets bucket of each account and region the stacks deploy to
    let files: Vec<_> = manifest.files.values().collect();
    let mut done = Vec::new();
    let mut zips = BTreeMap::new();
    if !files.is_empty() {
        for ((account, region), access) in &targets {
            let account = accounts
                .account_id(account.as_deref(), Some(region), "publishing file assets")
                .await?;
            done.extend(
                crate::assets::file_assets::publish(
                    access,
                    &account,
                    region,
                    &assembly.dir,
                    &files,
                    &mut zips,
                    out,
                )
                .await?,
            );
        }
    }
    if manifest.docker_images.is_empty() {
        return Ok(done);
    }
    let mut run = Run {
        aws,
        dir: &assembly.dir,
        registry: RegistryOverride::from_env()?,
        out,
        tool: None,
        built: BTreeMap::new(),
        logged_in: BTreeSet::new(),
    };
    let n = manifest.docker_images.len();
    out.say(&format!(
        "publishing {n} image asset{} to {}",
        if n == 1 { "" } else { "s" },
        regions.join(", ")
    ));
    for ((_, region), access) in &targets {
        let ecr = access.ecr(Some(region), "publishing image assets")?;
        let mut repositories: BTreeMap<&str, String> = BTreeMap::new();
        for asset in manifest.docker_images.values() {
            let name = asset.repository_name.as_str();
            if !repositories.contains_key(name) {
                let uri = run.repository(&ecr, region, asset).await?;
                repositories.insert(name, uri);
            }
            let uri = repositories.get(name).cloned().unwrap_or_default();
            done.push(run.image(&ecr, region, &uri, asset).await?);
        }
    }
    Ok(done)
}

impl Run<'_> {
    /// The URI of the asset's repository in `region`, creating the default one when missing.
    async fn repository(
        &self,
        ecr: &Ecr,
        region: &str,
        asset: &DockerImageAsset,
    ) -> Result<String> {
        let name = &asset.repository_name;
        match ecr.repository_uri(name).await {
            Ok(Some(uri)) => return Ok(uri),
            Ok(None) => {}
            Err(Error::Aws { code, .. }) if code == "RepositoryNotFoundException" => {}
            Err(e) => return Err(e),
        }
        if name != DEFAULT_ASSET_REPOSITORY {
            return Err(Error::AssetRepositoryMissing {
                repository: name.clone(),
                region: region.to_owned(),
                hash: asset.hash.clone(),
            });
        }
        let created = match ecr
            .call("CreateRepository", &create_repository_input(name))
            .await
        {
            Ok(out) => out["repository"]["repositoryUri"]
                .as_str()
                .map(str::to_owned),
            // created by a concurrent run since we looked
            Err(Error::Aws { code, .. }) if code == "RepositoryAlreadyExistsException" => {
                ecr.repository_uri(name).await?
            }
            Err(e) => return Err(e),
        };
        let uri = created.ok_or_else(|| Error::UnreadableResponse {
            operation: "CreateRepository",
            status: 200,
            body: format!("no repositoryUri for repository {name}"),
        })?;
        ecr.call(
            "PutLifecyclePolicy",
            &json!({"repositoryName": name, "lifecyclePolicyText": lifecycle_policy().to_string()}),
        )
        .await?;
        self.out.say(&format!(
            "created ECR repository {name} in {region} (immutable tags, scan on push, lifecycle policy: untagged images expire after a day, the newest {KEEP_TAGGED_IMAGES} images are kept)"
        ));
        Ok(uri)
    }

    /// The digest of the asset's tag where it is pushed to, or `None` when it is not there.
    async fn present(
        &self,
        ecr: &Ecr,
        region: &str,
        asset: &DockerImageAsset,
    ) -> Result<Option<String>> {
        if let Some(registry) = &self.registry {
            let config = self.aws.config(Some(region), "publishing image assets")?;
            return registry
                .manifest_digest(&config, &asset.repository_name, &asset.image_tag)
                .await;
        }
        let input = json!({"repositoryName": asset.repository_name,
                           "imageIds": [{"imageTag": asset.image_tag}]});
        match ecr.call("DescribeImages", &input).await {
            Ok(out) => Ok(crate::aws::ecr::parse_images(&out)
                .into_iter()
                .next()
                .map(|i| i.digest)),
            Err(Error::Aws { code, .. }) if code == "ImageNotFoundException" => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Publishes one image to one region's repository (`uri`).
    async fn image(
        &mut self,
        ecr: &Ecr,
        region: &str,
        uri: &str,
        asset: &DockerImageAsset,
    ) -> Result<Published> {
        let ecr_host = uri.split('/').next().unwrap_or(uri);
        let (host, plain_http) = match &self.registry {
            Some(r) => (r.host.clone(), r.plain_http),
            None => (ecr_host.to_owned(), false),
        };
        let image = format!("{host}/{}:{}", asset.repository_name, asset.image_tag);
        let tag = short(&asset.hash);
        if let Some(digest) = self.present(ecr, region, asset).await? {
            self.out.say(&format!(
                "image asset {tag}: {image} is already in the registry; not built or pushed"
            ));
            return Ok(Published {
                hash: asset.hash.clone(),
                region: region.to_owned(),
                image,
                outcome: Outcome::Present,
                digest: Some(digest).filter(|d| !d.is_empty()),
            });
        }
        if self.tool.is_none() {
            self.tool = Some(ContainerTool::from_env()?);
        }
        let Some(tool) = self.tool.clone() else {
            return Err(Error::Internal(
                "no container tool after finding one".into(),
            ));
        };
        let step_start = Instant::now();
        match self.built.get(&asset.hash) {
            Some(built) if built == &image => {}
            Some(built) => {
                let built = built.clone();
                tool.run(
                    &format!("tagging image asset {tag}"),
                    &tool.tag_args(&built, &image),
                    None,
                    self.aws.overall(),
                )
                .await?;
            }
            None => {
                let context = self.dir.join(&asset.directory);
                self.out.say(&format!(
                    "image asset {tag}: building {image} with {} from {}",
                    tool.kind.name(),
                    context.display()
                ));
                tool.run(
                    &format!("building image asset {tag}"),
                    &tool.build_args(asset, &context, &image),
                    None,
                    self.aws.overall(),
                )
                .await?;
                self.out.say(&format!(
                    "image asset {tag}: built in {:.1} s",
                    step_start.elapsed().as_secs_f64()
                ));
                self.built.insert(asset.hash.clone(), image.clone());
            }
        }
        if !self.logged_in.contains(&host) {
            let (user, password) = authorization(ecr).await?;
            self.out.say(&format!(
                "logging in to {host} with {}{}",
                tool.kind.name(),
                if self.registry.is_some() {
                    format!(" ({REGISTRY_VARIABLE})")
                } else {
                    String::new()
                }
            ));
            tool.run(
                &format!("logging in to {host}"),
                &tool.login_args(&host, &user, plain_http),
                Some(password.as_bytes()),
                self.aws.overall(),
            )
            .await?;
            self.logged_in.insert(host.clone());
        }
        let push_start = Instant::now();
        self.out.say(&format!("image asset {tag}: pushing {image}"));
        tool.run(
            &format!("pushing image asset {tag} to {host}"),
            &tool.push_args(&image, plain_http),
            None,
            self.aws.overall(),
        )
        .await?;
        let digest = self.present(ecr, region, asset).await?;
        self.out.say(&format!(
            "image asset {tag}: pushed in {:.1} s{}",
            push_start.elapsed().as_secs_f64(),
            digest
                .as_deref()
                .filter(|d| !d.is_empty())
                .map(|d| format!(" (digest {d})"))
                .unwrap_or_default()
        ));
        Ok(Published {
            hash: asset.hash.clone(),
            region: region.to_owned(),
            image,
            outcome: Outcome::Pushed,
            digest: digest.filter(|d| !d.is_empty()),
        })
    }
}

/// The registry user and password of an ECR authorization token (base64 `AWS:password`).
pub fn decode_token(token: &str) -> Option<(String, String)> {
    let bytes = aws_smithy_types::base64::decode(token.trim()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// A registry login from `GetAuthorizationToken`.
async fn authorization(ecr: &Ecr) -> Result<(String, String)> {
    let out = ecr.call("GetAuthorizationToken", &json!({})).await?;
    out["authorizationData"][0]["authorizationToken"]
        .as_str()
        .and_then(decode_token)
        .ok_or_else(|| Error::UnreadableResponse {
            operation: "GetAuthorizationToken",
            status: 200,
            body: format!(
                "{} (no base64 `user:password` authorizationToken)",
                out["authorizationData"].as_array().map_or(0, Vec::len)
            ),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_tokens() {
        assert_eq!(decode_token("QVdTOnB3"), Some(("AWS".into(), "pw".into())));
        assert_eq!(
            decode_token("QVdTOnA6dw=="),
            Some(("AWS".into(), "p:w".into()))
        );
        assert_eq!(decode_token("not base64!"), None);
        assert_eq!(decode_token("cHc="), None); // "pw": no user
    }

    #[test]
    fn the_default_repository_is_immutable_scanned_and_cleaned() {
        let input = create_repository_input("r");
        assert_eq!(input["imageTagMutability"], "IMMUTABLE");
        assert_eq!(input["imageScanningConfiguration"]["scanOnPush"], true);
        let rules = lifecycle_policy();
        let rules = rules["rules"].as_array().unwrap();
        assert_eq!(rules[0]["selection"]["tagStatus"], "untagged");
        assert_eq!(rules[0]["selection"]["countNumber"], 1);
        // ECR requires the `any` rule to have the highest priority number
        assert_eq!(rules[1]["selection"]["tagStatus"], "any");
        assert!(rules[1]["rulePriority"].as_u64() > rules[0]["rulePriority"].as_u64());
    }
}
