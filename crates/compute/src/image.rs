//! Container images: references parsed and validated, ECR repositories recognized, and ECR
//! lookups from context that pin an image by digest.

use std::fmt;
use std::str::FromStr;

use std::collections::BTreeMap;
use std::path::PathBuf;

use cloudwright_core::asset::DEFAULT_ASSET_REPOSITORY;
use cloudwright_core::{ContextQuery, DockerImageSource, Scope, Value};
use serde::Deserialize;

use crate::error::Error;

/// The context provider the toolkit implements for [`ContainerImage::ecr_lookup`].
pub const ECR_IMAGE_PROVIDER: &str = "ecr-image-provider";

/// A parsed image reference: `[registry/]repository[:tag][@digest]`, with a tag or a digest
/// (or both).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImageRef {
    registry: Option<String>,
    repository: String,
    tag: Option<String>,
    digest: Option<String>,
}

impl ImageRef {
    /// Parses and validates a reference. It must have a tag (`:v3`) or a digest
    /// (`@sha256:<64 hex>`): an image without either is whatever `latest` is at deploy time.
    pub fn parse(image: &str) -> Result<ImageRef, Error> {
        let bad = |reason: &str| Error::InvalidImage {
            image: image.to_owned(),
            reason: reason.to_owned(),
        };
        let parsed = parse_name_tag_digest(image).map_err(|r| bad(&r))?;
        if parsed.tag.is_none() && parsed.digest.is_none() {
            return Err(bad(
                "give a tag (`:v3`) or a digest (`@sha256:...`); an untagged image is whatever `latest` is at deploy time",
            ));
        }
        Ok(parsed)
    }

    /// The registry host (with port, if any); `None` for Docker Hub short names.
    pub fn registry(&self) -> Option<&str> {
        self.registry.as_deref()
    }

    /// The repository path within the registry.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag, if any.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest (`sha256:...`), if any.
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// The ECR repository this image lives in, if its registry is an ECR registry.
    pub fn ecr(&self) -> Option<EcrRepository> {
        let registry = self.registry.as_deref()?;
        let (account, region) = parse_ecr_registry(registry)?;
        Some(EcrRepository {
            account: account.to_owned(),
            region: region.to_owned(),
            name: self.repository.clone(),
        })
    }
}

impl FromStr for ImageRef {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        ImageRef::parse(s)
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(r) = &self.registry {
            write!(f, "{r}/")?;
        }
        f.write_str(&self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// A private ECR repository, as recognized from an image's registry host
/// (`<account>.dkr.ecr.<region>.amazonaws.com`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EcrRepository {
    account: String,
    region: String,
    name: String,
}

impl EcrRepository {
    /// The account id that owns the repository.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The repository's region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The repository name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The repository's ARN (in the stack's partition), for IAM policies.
    pub fn arn(&self) -> Value {
        Value::sub(format!(
            "arn:${{AWS::Partition}}:ecr:{}:{}:repository/{}",
            self.region, self.account, self.name
        ))
    }
}

/// Container images: references parsed and validated, ECR repositories recognized, and ECR
/// lookups from context that pin an image by digest.
///
/// An image is either a reference given as text ([`ContainerImage::from_uri`]: a registry,
/// repository and a tag or digest, checked with Docker's reference grammar) or an ECR lookup
/// ([`ContainerImage::ecr_lookup`]) that the toolkit fills into the context file. A lookup
/// pins the digest, so the template names `repositoryUri@sha256:...` and a deploy never picks
/// up a different image behind the same tag.
///
/// ```
/// use cloudwright_compute::{ContainerImage, ImageRef};
///
/// let image = ImageRef::parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/my_flask_repo:v3")?;
/// let ecr = image.ecr().expect("an ECR image");
/// assert_eq!((ecr.account(), ecr.region(), ecr.name()), ("123456789012", "eu-west-1", "my_flask_repo"));
/// assert!(ImageRef::parse("nginx").is_err()); // no tag or digest
/// let _ = ContainerImage::ecr_lookup("my_flask_repo").region("eu-west-1");
/// # Ok::<(), cloudwright_compute::Error>(())
/// ```
///
/// The image of a container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContainerImage {
    /// A reference given as text, parsed when the task definition is built (so a mistake is
    /// reported with the construct's path).
    Uri(String),
    /// A parsed reference.
    Parsed(ImageRef),
    /// An ECR lookup, resolved from context when the task definition is built.
    EcrLookup(EcrLookup),
    /// An image built from a directory and published by the toolkit before it deploys.
    Asset(ImageAsset),
}

/// An image built from a directory ([`ContainerImage::from_asset`]): its build context is
/// hashed at synthesis, and the template names it by a tag derived from the hash in the
/// repository it is published to, so changing one byte of the context changes the tag and
/// therefore the task definition. The platform follows the task's CPU architecture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageAsset {
    directory: PathBuf,
    dockerfile: String,
    ignore_file: String,
    build_args: BTreeMap<String, String>,
    target: Option<String>,
    repository: String,
}

impl ImageAsset {
    /// Builds from this Dockerfile (relative to the directory; default `Dockerfile`).
    pub fn dockerfile(mut self, path: impl Into<String>) -> Self {
        self.dockerfile = path.into();
        self
    }

    /// Reads what to leave out of the context from this file (default `.dockerignore`).
    pub fn ignore_file(mut self, path: impl Into<String>) -> Self {
        self.ignore_file = path.into();
        self
    }

    /// Passes `--build-arg name=value` (part of the hash).
    pub fn build_arg(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.build_args.insert(name.into(), value.into());
        self
    }

    /// Builds this stage of a multi-stage Dockerfile.
    pub fn target(mut self, stage: impl Into<String>) -> Self {
        self.target = Some(stage.into());
        self
    }

    /// Publishes to this existing ECR repository instead of the toolkit's
    /// (`cloudwright-assets`, created when missing).
    pub fn repository(mut self, name: impl Into<String>) -> Self {
        self.repository = name.into();
        self
    }

    /// Hashes the context and records the asset in the assembly.
    fn resolve(
        &self,
        scope: &mut Scope<'_>,
        platform: &str,
    ) -> Result<ResolvedImage, cloudwright_core::Error> {
        validate_repository_name(&self.repository)?;
        let asset = scope.add_docker_image_asset(&DockerImageSource {
            directory: self.directory.clone(),
            dockerfile: self.dockerfile.clone(),
            ignore_file: self.ignore_file.clone(),
            build_args: self.build_args.clone(),
            target: self.target.clone(),
            platform: platform.to_owned(),
            repository_name: self.repository.clone(),
        })?;
        Ok(ResolvedImage::Asset {
            repository: asset.repository_name,
            tag: asset.image_tag,
        })
    }
}

impl From<ImageAsset> for ContainerImage {
    fn from(asset: ImageAsset) -> Self {
        ContainerImage::Asset(asset)
    }
}

/// An image as the task definition names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResolvedImage {
    /// A reference known at synthesis.
    Ref(ImageRef),
    /// An asset in an ECR repository of the account and region deployed to.
    Asset {
        /// The repository.
        repository: String,
        /// The tag (the context's hash).
        tag: String,
    },
}

impl ResolvedImage {
    /// The `Image` of the container definition.
    pub fn uri(&self) -> Value {
        match self {
            ResolvedImage::Ref(r) => Value::from(r.to_string()),
            ResolvedImage::Asset { repository, tag } => Value::sub(format!(
                "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{repository}:{tag}"
            )),
        }
    }

    /// The ARN of the ECR repository the image is pulled from, if it is in ECR.
    pub fn ecr_repository_arn(&self) -> Option<Value> {
        match self {
            ResolvedImage::Ref(r) => r.ecr().map(|repo| repo.arn()),
            ResolvedImage::Asset { repository, .. } => Some(Value::sub(format!(
                "arn:${{AWS::Partition}}:ecr:${{AWS::Region}}:${{AWS::AccountId}}:repository/{repository}"
            ))),
        }
    }
}

impl ContainerImage {
    /// An image reference given as text, `[registry/]repository(:tag|@digest)`; it is parsed
    /// and validated when the task definition is built.
    pub fn from_uri(image: impl Into<String>) -> ContainerImage {
        ContainerImage::Uri(image.into())
    }

    /// The newest image of an ECR repository, pinned by digest, from the context (provider
    /// `ecr-image-provider`, props `region` and `repositoryName`). The region defaults to the
    /// stack's.
    /// The repository name is checked when the task definition is built.
    pub fn ecr_lookup(repository_name: impl Into<String>) -> EcrLookup {
        EcrLookup {
            repository_name: repository_name.into(),
            region: None,
        }
    }

    /// An image built from the directory `dir` (its `Dockerfile`, what its `.dockerignore`
    /// leaves in) and published by `cloudwright deploy` (or `cloudwright assets`) before the
    /// stack is deployed.
    ///
    /// ```
    /// use cloudwright_compute::{Container, ContainerImage, FargateSize, FargateTaskDefinition};
    /// use cloudwright_core::App;
    ///
    /// let dir = std::env::temp_dir().join(format!("cw-asset-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// std::fs::write(dir.join("Dockerfile"), "FROM scratch\nCOPY hello /\n").unwrap();
    /// std::fs::write(dir.join("hello"), "hi").unwrap();
    ///
    /// let app = App::new();
    /// let mut stack = app.stack("Api")?;
    /// let mut task = FargateTaskDefinition::new(FargateSize::HALF_VCPU_1GB);
    /// task.add_container(Container::new("app", ContainerImage::from_asset(&dir)));
    /// stack.construct("Task", task)?;
    /// let assembly = app.synth()?;
    /// let tag = &assembly.assets[0].image_tag;
    /// assert!(assembly.stacks[0].template.contains(&format!("cloudwright-assets:{tag}")));
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    pub fn from_asset(dir: impl Into<PathBuf>) -> ImageAsset {
        ImageAsset {
            directory: dir.into(),
            dockerfile: "Dockerfile".into(),
            ignore_file: ".dockerignore".into(),
            build_args: BTreeMap::new(),
            target: None,
            repository: DEFAULT_ASSET_REPOSITORY.into(),
        }
    }

    /// The reference this image resolves to for a task of `platform` (`linux/amd64`); an ECR
    /// lookup reads (or records) its context, an asset is hashed and recorded.
    pub fn resolve(
        &self,
        scope: &mut Scope<'_>,
        platform: &str,
    ) -> Result<ResolvedImage, cloudwright_core::Error> {
        match self {
            ContainerImage::Uri(text) => Ok(ResolvedImage::Ref(ImageRef::parse(text)?)),
            ContainerImage::Parsed(image) => Ok(ResolvedImage::Ref(image.clone())),
            ContainerImage::EcrLookup(lookup) => lookup.resolve(scope).map(ResolvedImage::Ref),
            ContainerImage::Asset(asset) => asset.resolve(scope, platform),
        }
    }
}

impl From<ImageRef> for ContainerImage {
    fn from(image: ImageRef) -> Self {
        ContainerImage::Parsed(image)
    }
}

impl From<EcrLookup> for ContainerImage {
    fn from(lookup: EcrLookup) -> Self {
        ContainerImage::EcrLookup(lookup)
    }
}

/// An ECR image lookup from context; see [`ContainerImage::ecr_lookup`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcrLookup {
    repository_name: String,
    region: Option<String>,
}

/// The context value of an ECR image lookup: the contract with the toolkit.
///
/// ```json
/// {"repositoryUri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/my_flask_repo",
///  "tag": "v3", "digest": "sha256:<64 hex>"}
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EcrImageContext {
    /// The repository URI, without tag or digest.
    pub repository_uri: String,
    /// The tag the newest image was pushed with, if it has one (informational).
    #[serde(default)]
    pub tag: Option<String>,
    /// The image's digest.
    pub digest: String,
}

impl EcrLookup {
    /// Looks the repository up in `region` instead of the stack's region.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The repository name.
    pub fn repository_name(&self) -> &str {
        &self.repository_name
    }

    /// The context query for `region`.
    pub fn query(&self, region: &str) -> ContextQuery {
        ContextQuery::new(ECR_IMAGE_PROVIDER)
            .prop("region", region)
            .prop("repositoryName", self.repository_name.clone())
    }

    /// Reads the lookup from the context: `repositoryUri@digest`. A missing value is recorded
    /// for the toolkit and returned as core's `MissingContext` error.
    pub fn resolve(&self, scope: &mut Scope<'_>) -> Result<ImageRef, cloudwright_core::Error> {
        let region = match self
            .region
            .clone()
            .or_else(|| scope.region().map(str::to_owned))
        {
            Some(r) => r,
            None => {
                return Err(Error::LookupRegionUnknown {
                    repository: self.repository_name.clone(),
                }
                .into());
            }
        };
        validate_repository_name(&self.repository_name)?;
        let found: EcrImageContext = scope.lookup_as(&self.query(&region))?;
        Ok(self.pin(&found)?)
    }

    /// The pinned reference for a lookup's value: checks that it names this repository, and
    /// that the digest is a digest.
    pub fn pin(&self, found: &EcrImageContext) -> Result<ImageRef, Error> {
        let bad = |reason: String| Error::InvalidImageLookup {
            repository: self.repository_name.clone(),
            reason,
        };
        let name = parse_name_tag_digest(&found.repository_uri)
            .map_err(|r| bad(format!("repositoryUri `{}`: {r}", found.repository_uri)))?;
        if name.tag.is_some() || name.digest.is_some() {
            return Err(bad(format!(
                "repositoryUri `{}` with a tag or digest; expected the bare repository URI",
                found.repository_uri
            )));
        }
        if name.ecr().is_none() {
            return Err(bad(format!(
                "repositoryUri `{}`, which is not an ECR repository",
                found.repository_uri
            )));
        }
        if name.repository != self.repository_name {
            return Err(bad(format!(
                "repositoryUri `{}`, which is another repository",
                found.repository_uri
            )));
        }
        validate_digest(&found.digest)
            .map_err(|r| bad(format!("digest `{}`: {r}", found.digest)))?;
        Ok(ImageRef {
            digest: Some(found.digest.clone()),
            ..name
        })
    }
}

/// Parses `[registry/]repository[:tag][@digest]` without requiring a tag or digest.
fn parse_name_tag_digest(image: &str) -> Result<ImageRef, String> {
    if image.is_empty() {
        return Err("it is empty".into());
    }
    if image.len() > 255 + 128 + 200 {
        return Err("it is too long".into());
    }
    if let Some(c) = image.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("it contains {c:?}"));
    }
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => {
            validate_digest(d)?;
            (r, Some(d.to_owned()))
        }
        None => (image, None),
    };
    // a colon after the last slash starts the tag (a colon before it is a registry port)
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].find(':') {
        Some(i) => {
            let tag = &rest[last_slash + i + 1..];
            validate_tag(tag)?;
            (&rest[..last_slash + i], Some(tag.to_owned()))
        }
        None => (rest, None),
    };
    let (registry, repository) = match name.split_once('/') {
        Some((first, path))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            validate_registry(first)?;
            (Some(first.to_owned()), path)
        }
        _ => (None, name),
    };
    validate_repository_path(repository)?;
    Ok(ImageRef {
        registry,
        repository: repository.to_owned(),
        tag,
        digest,
    })
}

fn validate_registry(host: &str) -> Result<(), String> {
    let (domain, port) = match host.rsplit_once(':') {
        Some((d, p)) => (d, Some(p)),
        None => (host, None),
    };
    if let Some(p) = port
        && (p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.parse::<u16>().is_err())
    {
        return Err(format!("registry `{host}` has an invalid port"));
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if domain.is_empty() || !domain.split('.').all(label_ok) {
        return Err(format!("registry `{host}` is not a valid host name"));
    }
    Ok(())
}

fn validate_repository_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("the repository name is empty".into());
    }
    if path.len() > 255 {
        return Err("the repository name is longer than 255 characters".into());
    }
    for component in path.split('/') {
        if !is_path_component(component) {
            return Err(format!(
                "repository path component `{component}` must be lowercase letters and digits, separated by `.`, `_`, `__` or dashes"
            ));
        }
    }
    Ok(())
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn is_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

fn validate_tag(tag: &str) -> Result<(), String> {
    let b = tag.as_bytes();
    let word = |x: u8| x.is_ascii_alphanumeric() || x == b'_';
    if b.is_empty() {
        return Err("the tag after `:` is empty".into());
    }
    if b.len() > 128 {
        return Err("the tag is longer than 128 characters".into());
    }
    if !word(b[0]) || !b.iter().all(|&x| word(x) || x == b'.' || x == b'-') {
        return Err(format!(
            "tag `{tag}` must be letters, digits, `_`, `.` and `-`, not starting with `.` or `-`"
        ));
    }
    Ok(())
}

fn validate_digest(digest: &str) -> Result<(), String> {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return Err(format!(
            "digest `{digest}` must be `sha256:<64 hex digits>`"
        ));
    };
    let len = match algorithm {
        "sha256" => 64,
        "sha512" => 128,
        _ => {
            return Err(format!(
                "digest algorithm `{algorithm}` is not sha256 or sha512"
            ));
        }
    };
    if hex.len() != len
        || !hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(format!(
            "digest `{digest}` must be `{algorithm}:` and {len} lowercase hex digits"
        ));
    }
    Ok(())
}

/// `<12 digits>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]` → (account, region).
fn parse_ecr_registry(host: &str) -> Option<(&str, &str)> {
    let host = host
        .strip_suffix(".amazonaws.com")
        .or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
    let (account, rest) = host.split_once('.')?;
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let region = rest
        .strip_prefix("dkr.ecr.")
        .or_else(|| rest.strip_prefix("dkr.ecr-fips."))?;
    let region_ok = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    region_ok.then_some((account, region))
}

/// ECR repository names: 2 to 256 characters, path components of lowercase letters and
/// digits separated by `.`, `_` or `-`.
fn validate_repository_name(name: &str) -> Result<(), Error> {
    let bad = |reason: &str| Error::InvalidRepositoryName {
        name: name.to_owned(),
        reason: reason.to_owned(),
    };
    if name.len() < 2 || name.len() > 256 {
        return Err(bad("it must be 2 to 256 characters long"));
    }
    if !name.split('/').all(is_path_component) {
        return Err(bad(
            "use lowercase letters and digits separated by `.`, `_`, `-` or `/`",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn references_parse_into_their_parts() {
        type Case<'a> = (&'a str, Option<&'a str>, &'a str, Option<&'a str>);
        let cases: [Case<'_>; 5] = [
            ("nginx:1.27", None, "nginx", Some("1.27")),
            (
                "library/nginx:latest",
                None,
                "library/nginx",
                Some("latest"),
            ),
            (
                "public.ecr.aws/docker/library/python:3.13-slim",
                Some("public.ecr.aws"),
                "docker/library/python",
                Some("3.13-slim"),
            ),
            (
                "localhost:5000/app:dev",
                Some("localhost:5000"),
                "app",
                Some("dev"),
            ),
            (
                "registry.example.com:443/a/b__c:v_1",
                Some("registry.example.com:443"),
                "a/b__c",
                Some("v_1"),
            ),
        ];
        for (text, registry, repo, tag) in cases {
            let r = ImageRef::parse(text).unwrap();
            assert_eq!(r.registry(), registry, "{text}");
            assert_eq!(r.repository(), repo, "{text}");
            assert_eq!(r.tag(), tag, "{text}");
            assert_eq!(r.to_string(), text);
        }
        assert!(ImageRef::parse("ghcr.io/org/my-app_x.y@").is_err());
        let pinned = ImageRef::parse(&format!("nginx@{DIGEST}")).unwrap();
        assert_eq!(pinned.digest(), Some(DIGEST));
        assert_eq!(pinned.tag(), None);
        let both = ImageRef::parse(&format!("nginx:1@{DIGEST}")).unwrap();
        assert_eq!((both.tag(), both.digest()), (Some("1"), Some(DIGEST)));
    }

    #[test]
    fn bad_references_are_rejected_with_a_reason() {
        for (text, reason) in [
            ("", "empty"),
            ("nginx", "tag"),
            ("Nginx:1", "lowercase"),
            ("nginx:", "empty"),
            ("nginx:-x", "tag"),
            ("nginx:a b", "contains"),
            ("nginx@sha256:abc", "64"),
            ("nginx@md5:0123", "algorithm"),
            ("reg.io/a//b:1", "component"),
            ("reg.io/-a:1", "component"),
            ("reg.io:x/a:1", "port"),
            ("reg..io/a:1", "host"),
            ("a..b:1", "component"),
        ] {
            let e = ImageRef::parse(text).unwrap_err();
            assert!(matches!(e, Error::InvalidImage { .. }), "{text}");
            assert!(e.to_string().contains(reason), "{text}: {e}");
        }
        let long_tag = format!("nginx:{}", "a".repeat(129));
        assert!(ImageRef::parse(&long_tag).is_err());
    }

    #[test]
    fn ecr_registries_are_recognized() {
        let i =
            ImageRef::parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:v3").unwrap();
        let ecr = i.ecr().unwrap();
        assert_eq!(ecr.account(), "123456789012");
        assert_eq!(ecr.region(), "eu-west-1");
        assert_eq!(ecr.name(), "team/app");
        assert_eq!(
            serde_json::to_string(&ecr.arn()).unwrap(),
            r#"{"Fn::Sub":"arn:${AWS::Partition}:ecr:eu-west-1:123456789012:repository/team/app"}"#
        );
        let cn = ImageRef::parse("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:v").unwrap();
        assert_eq!(cn.ecr().unwrap().region(), "cn-north-1");
        for not_ecr in [
            "public.ecr.aws/docker/library/python:3",
            "12345678901.dkr.ecr.eu-west-1.amazonaws.com/app:v",
            "123456789012.dkr.ecs.eu-west-1.amazonaws.com/app:v",
            "nginx:1",
        ] {
            assert!(
                ImageRef::parse(not_ecr).unwrap().ecr().is_none(),
                "{not_ecr}"
            );
        }
    }

    #[test]
    fn a_lookup_pins_the_digest_of_its_repository() {
        let lookup = ContainerImage::ecr_lookup("my_flask_repo");
        assert_eq!(
            lookup.query("eu-west-1").key(),
            "ecr-image-provider:region=eu-west-1:repositoryName=my_flask_repo"
        );
        let value: EcrImageContext = serde_json::from_value(serde_json::json!({
            "repositoryUri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/my_flask_repo",
            "tag": "v3",
            "digest": DIGEST,
        }))
        .unwrap();
        let pinned = lookup.pin(&value).unwrap();
        assert_eq!(
            pinned.to_string(),
            format!("123456789012.dkr.ecr.eu-west-1.amazonaws.com/my_flask_repo@{DIGEST}")
        );
        let mut other = value.clone();
        other.repository_uri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/other".into();
        assert!(matches!(
            lookup.pin(&other),
            Err(Error::InvalidImageLookup { .. })
        ));
        let mut tagged = value.clone();
        tagged.repository_uri.push_str(":v3");
        assert!(lookup.pin(&tagged).is_err());
        let mut bad_digest = value.clone();
        bad_digest.digest = "sha256:xyz".into();
        assert!(lookup.pin(&bad_digest).is_err());
        let mut not_ecr = value;
        not_ecr.repository_uri = "docker.io/my_flask_repo".into();
        assert!(lookup.pin(&not_ecr).is_err());
    }

    #[test]
    fn repository_names_are_checked() {
        for ok in ["my_flask_repo", "team/app", "a.b-c"] {
            assert!(validate_repository_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a", "App", "a//b", "/a", "a/", "a b"] {
            assert!(
                matches!(
                    validate_repository_name(bad),
                    Err(Error::InvalidRepositoryName { .. })
                ),
                "{bad}"
            );
        }
    }
}
