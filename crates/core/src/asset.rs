//! Assets: files an app ships beside its templates. A [`DockerImageAsset`] is a container
//! image built from a directory: its build context is hashed at synthesis (offline,
//! deterministic: the same files give the same hash on any machine, in any order), the
//! template names the image by a tag derived from the hash, and the assembly carries the
//! context (`asset.<hash>/`) and `assets.json` saying what to build and where to push it, for
//! the toolkit to publish before it deploys.
//!
//! What is sent to the build follows the context's ignore file (`.dockerignore` syntax:
//! `*`, `**`, `?`, `!` to re-include, `#` comments; a pattern matching a directory excludes
//! what is under it). The Dockerfile and the ignore file are always part of the context.
//!
//! A [`FileAsset`] is a zip uploaded to the account's assets bucket ([`file_asset_bucket`])
//! under `<hash>.zip`: a directory's files (copied into `asset.<hash>/`; the hash covers the
//! sorted relative paths, each file's mode (executable or not) and contents, so it is the same
//! on any machine and in any file order), or a Rust package built at publish time for Lambda
//! (the hash covers the package's files, the workspace's lock file and `Cargo.toml`, and the
//! target). The toolkit makes the zip deterministically (sorted entries, fixed timestamps and
//! modes) and uploads it unless the key is already there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::sha256::Sha256;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The repository assets are pushed to unless a construct names another: created by the
/// toolkit when missing (immutable tags, scan on push, a lifecycle rule).
pub const DEFAULT_ASSET_REPOSITORY: &str = "cloudwright-assets";

/// What to build a container image from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DockerImageSource {
    /// The build context directory.
    pub directory: PathBuf,
    /// The Dockerfile, relative to the context (`Dockerfile`).
    pub dockerfile: String,
    /// The file listing what to leave out of the context, relative to it (`.dockerignore`).
    pub ignore_file: String,
    /// `--build-arg`s.
    pub build_args: BTreeMap<String, String>,
    /// The target stage, for multi-stage Dockerfiles.
    pub target: Option<String>,
    /// The platform to build for (`linux/amd64`, `linux/arm64`).
    pub platform: String,
    /// The repository to push to.
    pub repository_name: String,
}

/// A container image asset: its source, the files of its context and their hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DockerImageAsset {
    /// sha256 (hex) of the context's files and the build settings.
    pub hash: String,
    /// The Dockerfile, relative to the context.
    pub dockerfile: String,
    /// `--build-arg`s.
    pub build_args: BTreeMap<String, String>,
    /// The target stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The platform.
    pub platform: String,
    /// The repository to push to.
    pub repository_name: String,
    /// The tag the image is pushed with (derived from the hash).
    pub image_tag: String,
    /// The context directory inside the assembly (`asset.<hash>`).
    pub directory: String,
    /// The context's files, relative, `/`-separated, sorted.
    pub files: Vec<String>,
    /// Where the context was read from (not written to the assembly).
    #[serde(skip)]
    pub source_directory: PathBuf,
}

/// `assets.json` of an assembly: the container images and the files to publish.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetManifest {
    /// Format version.
    pub version: u32,
    /// The images, by hash.
    pub docker_images: BTreeMap<String, DockerImageAsset>,
    /// The file assets (zips uploaded to the assets bucket), by hash.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, FileAsset>,
}

/// The assets file inside an assembly.
pub const ASSETS_FILE: &str = "assets.json";

impl DockerImageAsset {
    /// Reads the context of `source` and hashes it. Fails (naming the path) when the
    /// directory or its Dockerfile is missing or a file cannot be read.
    pub fn from_source(source: &DockerImageSource) -> Result<DockerImageAsset, Error> {
        let dir = &source.directory;
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| Error::Io { path, source }
        };
        if !dir.is_dir() {
            return Err(Error::Io {
                path: dir.clone(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "the image's build context is not a directory",
                ),
            });
        }
        let dockerfile = dir.join(&source.dockerfile);
        if !dockerfile.is_file() {
            return Err(Error::Io {
                path: dockerfile,
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "the image's Dockerfile is missing",
                ),
            });
        }
        let patterns = match std::fs::read_to_string(dir.join(&source.ignore_file)) {
            Ok(text) => IgnorePatterns::parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => IgnorePatterns::default(),
            Err(e) => {
                return Err(Error::Io {
                    path: dir.join(&source.ignore_file),
                    source: e,
                });
            }
        };
        let mut files = Vec::new();
        walk(dir, "", &mut files).map_err(|(path, e)| Error::Io { path, source: e })?;
        let always = [source.dockerfile.as_str(), source.ignore_file.as_str()];
        files.retain(|f| always.contains(&f.as_str()) || !patterns.excludes(f));
        files.sort();

        let mut h = Sha256::new();
        h.update(b"cloudwright docker image asset v1\0");
        for (k, v) in [
            ("dockerfile", source.dockerfile.as_str()),
            ("platform", source.platform.as_str()),
            ("target", source.target.as_deref().unwrap_or("")),
        ] {
            h.update(k.as_bytes());
            h.update(b"=");
            h.update(v.as_bytes());
            h.update(b"\0");
        }
        for (k, v) in &source.build_args {
            h.update(b"arg:");
            h.update(k.as_bytes());
            h.update(b"=");
            h.update(v.as_bytes());
            h.update(b"\0");
        }
        for f in &files {
            let path = dir.join(f);
            let bytes = std::fs::read(&path).map_err(io(&path))?;
            h.update(f.as_bytes());
            h.update(b"\0");
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(&bytes);
        }
        let hash = h.finish_hex();
        Ok(DockerImageAsset {
            image_tag: hash.clone(),
            directory: format!("asset.{hash}"),
            hash,
            dockerfile: source.dockerfile.clone(),
            build_args: source.build_args.clone(),
            target: source.target.clone(),
            platform: source.platform.clone(),
            repository_name: source.repository_name.clone(),
            files,
            source_directory: dir.clone(),
        })
    }
}

/// The prefix of the S3 bucket file assets are uploaded to: the toolkit creates
/// `cloudwright-assets-<account>-<region>` on first use (encrypted, public access blocked,
/// TLS-only policy, old objects expiring), and templates name it with [`file_asset_bucket`].
pub const FILE_ASSET_BUCKET_PREFIX: &str = "cloudwright-assets";

/// The first 12 hex digits of an asset's hash: how the run summary and the toolkit's messages
/// name an asset (the whole hash where it is shorter).
pub fn short_hash(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// The name of the assets bucket of the account and region a stack deploys to, as a template
/// value (`Fn::Sub` of `cloudwright-assets-${AWS::AccountId}-${AWS::Region}`), as image
/// assets name their repository by the account and region of the stack.
pub fn file_asset_bucket() -> crate::value::Value {
    crate::value::Value::sub(format!(
        "{FILE_ASSET_BUCKET_PREFIX}-${{AWS::AccountId}}-${{AWS::Region}}"
    ))
}

/// The CPU architecture a compiled asset is built for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Architecture {
    /// x86-64 (Lambda's `x86_64`).
    X86_64,
    /// 64-bit ARM (Lambda's `arm64`, Graviton).
    Arm64,
}

impl Architecture {
    /// The Rust target triple (glibc, Linux) of the architecture.
    pub fn rust_target(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64-unknown-linux-gnu",
            Architecture::Arm64 => "aarch64-unknown-linux-gnu",
        }
    }

    /// Lambda's name of the architecture (`x86_64`, `arm64`).
    pub fn lambda_name(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }
    }
}

/// What a file asset is made from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileAssetSource {
    /// The files of a directory, zipped as they are.
    Directory {
        /// The directory.
        directory: PathBuf,
        /// What to leave out (`.dockerignore` syntax: `*`, `**`, `?`, `!` re-includes).
        ignore: Vec<String>,
    },
    /// A Rust package (a directory with a `Cargo.toml` in a workspace with a `Cargo.lock`),
    /// built at publish time for Lambda's `provided.al2023` runtime: its binary zipped as
    /// `bootstrap`.
    RustFunction {
        /// The package's directory.
        directory: PathBuf,
        /// The architecture to build for.
        architecture: Architecture,
    },
}

/// How the toolkit turns a file asset into the object it uploads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Packaging {
    /// The asset's files (copied into the assembly) zipped deterministically.
    #[serde(rename_all = "camelCase")]
    ZipDirectory,
    /// A Rust package built for Lambda (glibc 2.34) and its binary zipped as `bootstrap`.
    #[serde(rename_all = "camelCase")]
    RustFunction {
        /// The package name.
        package: String,
        /// The package's `Cargo.toml` (absolute: it is built in its workspace).
        manifest_path: String,
        /// The Rust target triple.
        target: String,
        /// The glibc version the binary may require at most (`2.34`, Amazon Linux 2023's).
        glibc: String,
    },
}

/// One file of a file asset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetFile {
    /// The path, relative to the asset's directory, `/`-separated.
    pub path: String,
    /// Whether it is executable (zipped with mode 0755, else 0644).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub executable: bool,
}

/// A file asset: an object (a zip) the toolkit makes from a directory or builds from a Rust
/// package, and uploads to the assets bucket under [`FileAsset::object_key`] before deploying.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileAsset {
    /// sha256 (hex) of the sources: sorted relative paths, their modes and contents (and, for
    /// a Rust package, the lock file and the target).
    pub hash: String,
    /// The S3 key of the zip (`<hash>.zip`).
    pub object_key: String,
    /// How the zip is made.
    pub packaging: Packaging,
    /// Where the files are inside the assembly (`asset.<hash>`), for a directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<String>,
    /// The files hashed, sorted (for a directory: what is zipped).
    pub files: Vec<AssetFile>,
    /// Where the files were read from (not written to the assembly).
    #[serde(skip)]
    pub source_directory: PathBuf,
}

/// The Glibc version Lambda's `provided.al2023` runtime has (Amazon Linux 2023).
pub const LAMBDA_GLIBC: &str = "2.34";

impl FileAsset {
    /// Reads and hashes the source. Fails (naming the path) when the directory is missing, a
    /// file cannot be read, or a Rust package has no `Cargo.toml` name or no `Cargo.lock`.
    pub fn from_source(source: &FileAssetSource) -> Result<FileAsset, Error> {
        match source {
            FileAssetSource::Directory { directory, ignore } => {
                let patterns = IgnorePatterns::parse(&ignore.join("\n"));
                let files = list_files(directory, &patterns, "a file asset's directory")?;
                let mut h = Sha256::new();
                h.update(b"cloudwright file asset v1\0zip-directory\0");
                hash_files(&mut h, directory, &files)?;
                let hash = h.finish_hex();
                Ok(FileAsset {
                    object_key: format!("{hash}.zip"),
                    directory: Some(format!("asset.{hash}")),
                    hash,
                    packaging: Packaging::ZipDirectory,
                    files,
                    source_directory: directory.clone(),
                })
            }
            FileAssetSource::RustFunction {
                directory,
                architecture,
            } => rust_function(directory, *architecture),
        }
    }
}

fn not_found(path: &Path, what: &str) -> Error {
    Error::Io {
        path: path.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, what.to_owned()),
    }
}

/// The files under `dir` that `patterns` leave in, sorted, with their executable bit.
fn list_files(dir: &Path, patterns: &IgnorePatterns, what: &str) -> Result<Vec<AssetFile>, Error> {
    if !dir.is_dir() {
        return Err(not_found(dir, &format!("{what} is not a directory")));
    }
    let mut paths = Vec::new();
    walk(dir, "", &mut paths).map_err(|(path, e)| Error::Io { path, source: e })?;
    paths.retain(|f| !patterns.excludes(f));
    paths.sort();
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let full = dir.join(&path);
        let meta = std::fs::metadata(&full).map_err(|source| Error::Io {
            path: full.clone(),
            source,
        })?;
        files.push(AssetFile {
            path,
            executable: is_executable(&meta),
        });
    }
    Ok(files)
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &std::fs::Metadata) -> bool {
    false
}

/// Adds each file's path, mode (executable or not) and contents to the hash.
fn hash_files(h: &mut Sha256, dir: &Path, files: &[AssetFile]) -> Result<(), Error> {
    for f in files {
        let path = dir.join(&f.path);
        let bytes = std::fs::read(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        h.update(f.path.as_bytes());
        h.update(b"\0");
        h.update(if f.executable { b"755\0" } else { b"644\0" });
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    Ok(())
}

/// The value of `key = "..."` in the `[package]` table of a `Cargo.toml` (a line-based read:
/// enough for the package name, without a TOML parser in core).
pub fn cargo_package_field(manifest: &str, key: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
            continue;
        }
        if !in_package {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if k.trim() != key {
            continue;
        }
        let v = v.trim();
        let v = v.split_once('#').map_or(v, |(before, _)| before).trim();
        return v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .map(str::to_owned);
    }
    None
}

/// A Rust function's asset: the package's files (without `target/`, `.git`, `.venv` and
/// `cloudwright.out`), the workspace's lock
/// file and `Cargo.toml` (profiles), and the target.
fn rust_function(directory: &Path, architecture: Architecture) -> Result<FileAsset, Error> {
    let manifest = directory.join("Cargo.toml");
    let text = match std::fs::read_to_string(&manifest) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(not_found(
                &manifest,
                "a Rust function's package has no Cargo.toml",
            ));
        }
        Err(source) => {
            return Err(Error::Io {
                path: manifest,
                source,
            });
        }
    };
    let package = cargo_package_field(&text, "name").ok_or_else(|| Error::Invalid {
        path: String::new(),
        message: format!(
            "{}: no `name = \"...\"` in its [package] table; a Rust function is built from a package",
            manifest.display()
        ),
    })?;
    let absolute = std::path::absolute(directory).map_err(|source| Error::Io {
        path: directory.to_owned(),
        source,
    })?;
    let root = absolute
        .ancestors()
        .find(|d| d.join("Cargo.lock").is_file())
        .ok_or_else(|| Error::Invalid {
            path: String::new(),
            message: format!(
                "{}: no Cargo.lock in it or a directory above it; a Rust function's asset hash covers its lock file (run `cargo generate-lockfile`)",
                absolute.display()
            ),
        })?
        .to_owned();
    // build output, VCS data, virtualenvs and assemblies are not sources
    let patterns = IgnorePatterns::parse("target\n.git\n.venv\ncloudwright.out\n");
    let files = list_files(&absolute, &patterns, "a Rust function's package")?;
    let target = architecture.rust_target();
    let mut h = Sha256::new();
    h.update(b"cloudwright file asset v1\0rust-function\0");
    h.update(package.as_bytes());
    h.update(b"\0");
    h.update(target.as_bytes());
    h.update(b"\0");
    h.update(LAMBDA_GLIBC.as_bytes());
    h.update(b"\0");
    for shared in ["Cargo.lock", "Cargo.toml"] {
        let path = root.join(shared);
        if path == absolute.join(shared) {
            continue; // the package's own, hashed with its files
        }
        match std::fs::read(&path) {
            Ok(bytes) => {
                h.update(b"workspace:");
                h.update(shared.as_bytes());
                h.update((bytes.len() as u64).to_le_bytes());
                h.update(&bytes);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(Error::Io { path, source }),
        }
    }
    hash_files(&mut h, &absolute, &files)?;
    let hash = h.finish_hex();
    Ok(FileAsset {
        object_key: format!("{hash}.zip"),
        hash,
        packaging: Packaging::RustFunction {
            package,
            manifest_path: absolute.join("Cargo.toml").to_string_lossy().into_owned(),
            target: target.to_owned(),
            glibc: LAMBDA_GLIBC.to_owned(),
        },
        directory: None,
        files,
        source_directory: absolute,
    })
}

/// Every regular file under `dir`, as `/`-separated paths relative to the context.
fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<(), (PathBuf, std::io::Error)> {
    let entries = std::fs::read_dir(dir).map_err(|e| (dir.to_owned(), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| (dir.to_owned(), e))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        // the directory entry's type needs no system call; a symbolic link is followed
        let mut kind = entry.file_type().map_err(|e| (path.clone(), e))?;
        if kind.is_symlink() {
            kind = std::fs::metadata(&path)
                .map_err(|e| (path.clone(), e))?
                .file_type();
        }
        if kind.is_dir() {
            walk(&path, &rel, out)?;
        } else if kind.is_file() {
            out.push(rel);
        }
    }
    Ok(())
}

/// The patterns of a `.dockerignore` file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IgnorePatterns(Vec<(bool, Vec<String>)>);

impl IgnorePatterns {
    /// Parses the file's text: one pattern a line, `#` comments, `!` re-includes.
    pub fn parse(text: &str) -> Self {
        let mut patterns = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (negated, pattern) = match line.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, line),
            };
            let segments: Vec<String> = pattern
                .trim_start_matches("./")
                .split('/')
                .filter(|s| !s.is_empty() && *s != ".")
                .map(str::to_owned)
                .collect();
            if !segments.is_empty() {
                patterns.push((negated, segments));
            }
        }
        IgnorePatterns(patterns)
    }

    /// Whether `path` (relative, `/`-separated) is left out: the last pattern matching it,
    /// or one of its parent directories, decides.
    pub fn excludes(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.split('/').collect();
        let mut excluded = false;
        for (negated, pattern) in &self.0 {
            let hit = (1..=parts.len()).any(|n| matches(pattern, &parts[..n]));
            if hit {
                excluded = !negated;
            }
        }
        excluded
    }
}

/// Whether the pattern's segments match the path's segments exactly (`**` spans any number).
fn matches(pattern: &[String], path: &[&str]) -> bool {
    match (pattern.split_first(), path.split_first()) {
        (None, None) => true,
        (None, Some(_)) => false,
        (Some((p, rest)), _) if p == "**" => {
            (0..=path.len()).any(|skip| matches(rest, &path[skip..]))
        }
        (Some(_), None) => false,
        (Some((p, rest)), Some((s, path_rest))) => glob(p, s) && matches(rest, path_rest),
    }
}

/// `*`, `?` and `[...]` classes (`[a-z]`, `[!abc]`) within one segment.
fn glob(pattern: &str, text: &str) -> bool {
    // most segments are a plain name or a lone `*`: no walk, no allocation
    if !pattern.contains(['*', '?', '[']) {
        return pattern == text;
    }
    if pattern == "*" {
        return true;
    }
    glob_at(pattern, text)
}

/// [`glob`] on what is left of the pattern and of the text (character by character).
fn glob_at(p: &str, t: &str) -> bool {
    let mut pattern = p.chars();
    let Some(first) = pattern.next() else {
        return t.is_empty();
    };
    let rest = pattern.as_str();
    let mut text = t.chars();
    let next = text.next();
    let t_rest = text.as_str();
    match first {
        '*' => t
            .char_indices()
            .map(|(i, _)| i)
            .chain([t.len()])
            .any(|skip| glob_at(rest, &t[skip..])),
        '?' => next.is_some() && glob_at(rest, t_rest),
        '[' => {
            // the class ends at the first `]` after the `[`
            let Some(close) = rest.find(']') else {
                return next == Some('[') && glob_at(rest, t_rest);
            };
            let Some(c) = next else {
                return false;
            };
            let class: Vec<char> = rest[..close].chars().collect();
            let mut class = class.as_slice();
            let negated = matches!(class.first(), Some('!') | Some('^'));
            if negated {
                class = &class[1..];
            }
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == '-' {
                    hit |= (class[i]..=class[i + 2]).contains(&c);
                    i += 3;
                } else {
                    hit |= class[i] == c;
                    i += 1;
                }
            }
            hit != negated && glob_at(&rest[close + 1..], t_rest)
        }
        c => next == Some(c) && glob_at(rest, t_rest),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rust_function_hash_covers_sources_lock_file_and_target_not_build_output() {
        let root = std::env::temp_dir().join(format!("cw-rust-asset-{}", std::process::id()));
        let pkg = root.join("functions/reader");
        std::fs::create_dir_all(pkg.join("src")).unwrap();
        std::fs::write(
            root.join("Cargo.toml"),
            "[workspace]\nmembers = [\"functions/*\"]\n",
        )
        .unwrap();
        std::fs::write(root.join("Cargo.lock"), "version = 4\n").unwrap();
        std::fs::write(
            pkg.join("Cargo.toml"),
            "[package]\nname = \"reader\" # the function\nversion = \"0.1.0\"\n",
        )
        .unwrap();
        std::fs::write(pkg.join("src/main.rs"), "fn main() {}\n").unwrap();
        let hash = |arch| {
            FileAsset::from_source(&FileAssetSource::RustFunction {
                directory: pkg.clone(),
                architecture: arch,
            })
            .unwrap()
        };
        let first = hash(Architecture::X86_64);
        assert!(
            matches!(&first.packaging, Packaging::RustFunction { package, .. } if package == "reader")
        );
        std::fs::create_dir_all(pkg.join("target/release")).unwrap();
        std::fs::write(pkg.join("target/release/reader"), "binary").unwrap();
        assert_eq!(
            hash(Architecture::X86_64).hash,
            first.hash,
            "build output is not a source"
        );
        assert_ne!(hash(Architecture::Arm64).hash, first.hash);
        std::fs::write(
            root.join("Cargo.lock"),
            "version = 4\n# a dependency changed\n",
        )
        .unwrap();
        let locked = hash(Architecture::X86_64);
        assert_ne!(locked.hash, first.hash, "the lock file is covered");
        std::fs::write(pkg.join("src/main.rs"), "fn main() { println!(); }\n").unwrap();
        assert_ne!(hash(Architecture::X86_64).hash, locked.hash);
        // no package name, no lock file: errors naming the path
        std::fs::write(pkg.join("Cargo.toml"), "[workspace]\n").unwrap();
        let err = FileAsset::from_source(&FileAssetSource::RustFunction {
            directory: pkg.clone(),
            architecture: Architecture::X86_64,
        })
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("Cargo.toml") && err.contains("[package]"),
            "{err}"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn ignore_patterns_follow_dockerignore() {
        let p = IgnorePatterns::parse(
            "# comment\n*.pyc\n__pycache__\ntests/**\n!tests/keep.txt\n/build\n",
        );
        assert!(p.excludes("a.pyc"));
        assert!(!p.excludes("pkg/a.pyc"), "* does not cross directories");
        assert!(p.excludes("__pycache__/x.py"));
        assert!(p.excludes("tests/test_app.py"));
        assert!(!p.excludes("tests/keep.txt"));
        assert!(p.excludes("build/out.bin"));
        assert!(!p.excludes("app.py"));
        let deep = IgnorePatterns::parse("**/*.log\n");
        assert!(deep.excludes("a.log") && deep.excludes("x/y/z.log"));
        assert!(glob("a?c*", "abcdef") && !glob("a?c", "ac"));
        assert!(glob("*.py[cod]", "x.pyc") && !glob("*.py[cod]", "x.py"));
        assert!(glob("[!a]b", "xb") && !glob("[!a]b", "ab") && glob("v[0-9]", "v7"));
        // the Flask service's allow-list
        let allow = IgnorePatterns::parse(
            "*\n!requirements.txt\n!person_api/\n**/__pycache__\n**/*.py[cod]\n",
        );
        assert!(!allow.excludes("person_api/app.py"));
        assert!(!allow.excludes("requirements.txt"));
        assert!(allow.excludes("tests/test_app.py"));
        assert!(allow.excludes("README.md"));
        assert!(allow.excludes("person_api/__pycache__/app.cpython-312.pyc"));
        assert!(allow.excludes("person_api/app.pyc"));
    }
}
