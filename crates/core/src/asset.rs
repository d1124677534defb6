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

/// `assets.json` of an assembly: the container images to publish.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetManifest {
    /// Format version.
    pub version: u32,
    /// The images, by hash.
    pub docker_images: BTreeMap<String, DockerImageAsset>,
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
        let meta = std::fs::metadata(&path).map_err(|e| (path.clone(), e))?;
        if meta.is_dir() {
            walk(&path, &rel, out)?;
        } else if meta.is_file() {
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
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    glob_at(&p, &t)
}

fn glob_at(p: &[char], t: &[char]) -> bool {
    match p.first() {
        None => t.is_empty(),
        Some('*') => (0..=t.len()).any(|skip| glob_at(&p[1..], &t[skip..])),
        Some('?') => !t.is_empty() && glob_at(&p[1..], &t[1..]),
        Some('[') => {
            let Some(close) = p.iter().skip(1).position(|c| *c == ']').map(|i| i + 1) else {
                return t.first() == Some(&'[') && glob_at(&p[1..], &t[1..]);
            };
            let Some(c) = t.first() else {
                return false;
            };
            let mut class = &p[1..close];
            let negated = matches!(class.first(), Some('!') | Some('^'));
            if negated {
                class = &class[1..];
            }
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == '-' {
                    hit |= (class[i]..=class[i + 2]).contains(c);
                    i += 3;
                } else {
                    hit |= class[i] == *c;
                    i += 1;
                }
            }
            hit != negated && glob_at(&p[close + 1..], &t[1..])
        }
        Some(c) => t.first() == Some(c) && glob_at(&p[1..], &t[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
