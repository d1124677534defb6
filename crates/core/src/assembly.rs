//! The cloud assembly: templates and a manifest, written atomically to a directory.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::asset::{ASSETS_FILE, AssetManifest, DockerImageAsset, FileAsset};
use crate::error::Error;

/// The manifest's file name inside an assembly directory.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The version of the manifest format. Version 2 records each template's hash as BLAKE3
/// ([`template_hash`]); version 1 recorded its SHA-256.
pub const MANIFEST_VERSION: u32 = 2;

/// The hash the manifest records for a template's text, `blake3:<64 lower-case hex digits>`:
/// the toolkit refuses to deploy a template file that no longer matches it, and names a large
/// template's upload by it.
///
/// BLAKE3 rather than SHA-256: it is an identity for the toolkit only (nothing outside
/// cloudwright reads it), and it hashes a large template about three and a half times as fast
/// as SHA-256 does with the CPU's SHA instructions (a 318 KB template: about 50 µs against
/// 176 µs, a tenth of the synthesis of a 500-resource stack).
///
/// ```
/// use cloudwright_core::assembly::template_hash;
/// assert_eq!(
///     template_hash(b""),
///     "blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
/// );
/// // as Python's `blake3` package computes it
/// assert_eq!(
///     template_hash(b"abc"),
///     "blake3:6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"
/// );
/// ```
pub fn template_hash(template: &[u8]) -> String {
    format!("blake3:{}", blake3::hash(template).to_hex())
}

/// How many times [`Assembly::write`] sets aside an assembly in its way (another process
/// publishing to the same directory at the same time) before it gives up.
const PUBLISH_ATTEMPTS: usize = 8;

/// One synthesized stack.
#[derive(Clone, Debug, PartialEq)]
pub struct StackArtifact {
    /// The stack's id in the app.
    pub id: String,
    /// The CloudFormation stack name.
    pub stack_name: String,
    /// The template's description.
    pub description: Option<String>,
    /// The region it is meant for, if given.
    pub region: Option<String>,
    /// The account it is meant for, if given.
    pub account: Option<String>,
    /// The number of resources.
    pub resource_count: usize,
    /// The logical ids of its outputs.
    pub outputs: Vec<String>,
    /// The export names it declares.
    pub exports: Vec<String>,
    /// The ids of the stacks it depends on.
    pub dependencies: Vec<String>,
    /// Its parameters the toolkit fills at deploy from other stacks' outputs.
    pub weak_references: Vec<WeakReference>,
    /// The context lookup keys it used, each with the account recorded as having answered it
    /// ([`crate::context::LOOKUP_ACCOUNTS`]; none when the value was written by hand).
    pub lookups: BTreeMap<String, Option<String>>,
    /// [`template_hash`] of the template text.
    pub hash: String,
    /// The template, as JSON text.
    pub template: String,
    /// The dependency graph, as Graphviz DOT.
    pub graph_dot: String,
}

impl StackArtifact {
    /// The template's file name inside the assembly.
    pub fn template_file(&self) -> String {
        format!("{}.template.json", self.id)
    }

    /// The dependency graph's file name inside the assembly.
    pub fn graph_file(&self) -> String {
        format!("{}.graph.dot", self.id)
    }

    /// The YAML template's file name inside the assembly (written with [`Formats::yaml`]).
    pub fn yaml_file(&self) -> String {
        format!("{}.template.yaml", self.id)
    }

    /// The template as YAML ([`crate::yaml`]): the same document, long-form intrinsics.
    pub fn template_yaml(&self) -> Result<String, Error> {
        let value: serde_json::Value =
            serde_json::from_str(&self.template).map_err(|e| Error::Invalid {
                path: self.template_file(),
                message: format!("the synthesized template is not JSON: {e}"),
            })?;
        Ok(crate::yaml::to_yaml(&value))
    }
}

/// Which template formats an assembly is written in. The JSON template is always written (the
/// manifest's `templateFile`, what the toolkit deploys); YAML is written beside it on request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Formats {
    /// Also write `<Stack>.template.yaml`, named in the manifest as `templateYamlFile`.
    pub yaml: bool,
}

/// The result of synthesis: stacks in deployment order, and warnings worth showing.
#[derive(Clone, Debug, PartialEq)]
pub struct Assembly {
    /// The stacks, each after the stacks it depends on.
    pub stacks: Vec<StackArtifact>,
    /// Things that are not errors but deserve attention (e.g. a template too large to inline).
    pub warnings: Vec<String>,
    /// Container images to build and publish before deploying, by hash.
    pub assets: Vec<DockerImageAsset>,
    /// Files (zips) to make and upload before deploying, by hash.
    pub file_assets: Vec<FileAsset>,
}

/// A parameter of a stack that the toolkit fills at deploy with another stack's output (a
/// weak reference, [`Scope::weak_ref`](crate::Scope::weak_ref)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WeakReference {
    /// The parameter of this stack.
    pub parameter: String,
    /// The id of the stack whose output fills it.
    pub stack: String,
    /// That stack's output.
    pub output: String,
}

/// `manifest.json`: what the toolkit reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Format version.
    pub version: u32,
    /// The stacks in deployment order.
    pub stacks: Vec<ManifestStack>,
}

/// One stack in `manifest.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestStack {
    /// The stack's id in the app.
    pub id: String,
    /// The CloudFormation stack name.
    pub stack_name: String,
    /// The template file, relative to the assembly directory.
    pub template_file: String,
    /// The dependency graph (Graphviz DOT), relative to the assembly directory.
    pub graph_file: String,
    /// The region, if the app pinned one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The account, if the app pinned one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Ids of the stacks this one depends on.
    pub dependencies: Vec<String>,
    /// Parameters filled at deploy from other stacks' outputs (weak references).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weak_references: Vec<WeakReference>,
    /// The context lookup keys the stack used, each with the account that answered it (`null`:
    /// none recorded, a value written by hand); deploy compares them with the stack's account.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub lookups: BTreeMap<String, Option<String>>,
    /// Output logical ids.
    pub outputs: Vec<String>,
    /// Export names.
    pub exports: Vec<String>,
    /// Number of resources.
    pub resource_count: usize,
    /// The YAML template, relative to the assembly directory, when one was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_yaml_file: Option<String>,
    /// Template size in bytes.
    pub template_bytes: usize,
    /// [`template_hash`] of the template file.
    pub hash: String,
}

impl Assembly {
    /// The manifest describing these stacks, written as JSON only.
    pub fn manifest(&self) -> Manifest {
        self.manifest_for(Formats::default())
    }

    /// The manifest describing these stacks written in `formats`.
    pub fn manifest_for(&self, formats: Formats) -> Manifest {
        Manifest {
            version: MANIFEST_VERSION,
            stacks: self
                .stacks
                .iter()
                .map(|s| ManifestStack {
                    id: s.id.clone(),
                    stack_name: s.stack_name.clone(),
                    template_file: s.template_file(),
                    template_yaml_file: formats.yaml.then(|| s.yaml_file()),
                    graph_file: s.graph_file(),
                    region: s.region.clone(),
                    account: s.account.clone(),
                    dependencies: s.dependencies.clone(),
                    weak_references: s.weak_references.clone(),
                    lookups: s.lookups.clone(),
                    outputs: s.outputs.clone(),
                    exports: s.exports.clone(),
                    resource_count: s.resource_count,
                    template_bytes: s.template.len(),
                    hash: s.hash.clone(),
                })
                .collect(),
        }
    }

    /// The stack with this id.
    pub fn stack(&self, id: &str) -> Option<&StackArtifact> {
        self.stacks.iter().find(|s| s.id == id)
    }

    /// Writes the assembly to `dir`: first into a sibling temporary directory, which then
    /// replaces `dir`. A failure leaves `dir` as it was.
    pub fn write(&self, dir: &Path) -> Result<(), Error> {
        self.write_formats(dir, Formats::default())
    }

    /// [`Assembly::write`] in `formats` (JSON templates, and YAML beside them on request).
    ///
    /// An assembly already at `dir` that is exactly this one (the same files with the same
    /// bytes, the same asset directories, nothing else) is left as it is: nothing is written,
    /// which is the common case of synthesizing again without a change, and as atomic as a
    /// replacement (a reader sees these files either way).
    pub fn write_formats(&self, dir: &Path, formats: Formats) -> Result<(), Error> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| Error::Io { path, source }
        };
        let files = self.files(formats)?;
        if self.is_written_at(dir, &files) {
            return Ok(());
        }
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "cloudwright.out".into());
        // unique to this process and this call (threads of one process may write at once)
        static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let unique = format!(
            "{}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
            CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let tmp = parent.join(format!(".{name}.tmp-{unique}"));
        let result = (|| {
            std::fs::create_dir(&tmp).map_err(io(&tmp))?;
            for (name, bytes) in &files {
                let f = tmp.join(name);
                std::fs::write(&f, bytes).map_err(io(&f))?;
            }
            // one look (another writer may set `dir` aside between two)
            if std::fs::metadata(dir).is_ok_and(|m| !m.is_dir()) {
                return Err(Error::Io {
                    path: dir.to_owned(),
                    source: std::io::Error::other("exists and is not a directory"),
                });
            }
            let reused = self.write_assets(&tmp, dir)?;
            // an asset context already in the assembly under its content hash is moved
            // across instead of copied again (the hash covers every file)
            let mut moved = Vec::new();
            for context in &reused {
                let d = context.directory;
                if std::fs::rename(dir.join(d), tmp.join(d)).is_ok() {
                    moved.push(d);
                } else {
                    context.copy_into(&tmp)?;
                }
            }
            // `dir` is set aside and `tmp` renamed into its place; another process publishing
            // to `dir` at the same time (two deploys in one directory) may put it back in the
            // way or take it away between the two renames: then again, the last one wins
            let mut set_aside = Vec::new();
            let mut failure = None;
            for attempt in 0..=PUBLISH_ATTEMPTS {
                let in_the_way = match std::fs::rename(&tmp, dir) {
                    Ok(()) => break,
                    Err(e) => e,
                };
                let retry = attempt < PUBLISH_ATTEMPTS
                    && matches!(
                        in_the_way.kind(),
                        std::io::ErrorKind::DirectoryNotEmpty | std::io::ErrorKind::AlreadyExists
                    );
                if !retry {
                    failure = Some(in_the_way);
                    break;
                }
                let old = parent.join(format!(".{name}.old-{unique}-{attempt}"));
                match std::fs::rename(dir, &old) {
                    Ok(()) => set_aside.push(old),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {} // gone meanwhile
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
            }
            if let Some(source) = failure {
                // `dir` back as it was: the assembly set aside first, the contexts moved out
                if let Some(first) = set_aside.first() {
                    let _ = std::fs::rename(first, dir);
                }
                for d in moved {
                    let _ = std::fs::rename(tmp.join(d), dir.join(d));
                }
                return Err(Error::Io {
                    path: dir.to_owned(),
                    source,
                });
            }
            for old in set_aside {
                std::fs::remove_dir_all(&old).map_err(io(&old))?;
            }
            Ok(())
        })();
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&tmp);
        }
        result
    }

    /// The files at the top of the assembly directory, by name, with their contents: each
    /// stack's template (and YAML template) and graph, the manifest, and `assets.json` when
    /// there are assets.
    fn files(&self, formats: Formats) -> Result<Vec<AssemblyFile<'_>>, Error> {
        let mut files = Vec::new();
        for s in &self.stacks {
            files.push((s.template_file(), Cow::Borrowed(s.template.as_bytes())));
            if formats.yaml {
                files.push((s.yaml_file(), Cow::Owned(s.template_yaml()?.into_bytes())));
            }
            files.push((s.graph_file(), Cow::Borrowed(s.graph_dot.as_bytes())));
        }
        let mut manifest =
            serde_json::to_string_pretty(&self.manifest_for(formats)).map_err(|e| {
                Error::Invalid {
                    path: MANIFEST_FILE.into(),
                    message: e.to_string(),
                }
            })?;
        manifest.push('\n');
        files.push((MANIFEST_FILE.to_owned(), Cow::Owned(manifest.into_bytes())));
        if !self.assets.is_empty() || !self.file_assets.is_empty() {
            let text = self.assets_text()?;
            files.push((ASSETS_FILE.to_owned(), Cow::Owned(text.into_bytes())));
        }
        Ok(files)
    }

    /// Whether `dir` holds exactly this assembly: these `files` with these bytes, a directory
    /// for each asset context (named by the hash of every file in it, as when it is moved
    /// across by a rewrite), and nothing else. Any doubt (an unreadable entry) is a no.
    fn is_written_at(&self, dir: &Path, files: &[AssemblyFile<'_>]) -> bool {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return false;
        };
        let contexts = self.contexts();
        let mut found = 0;
        for entry in entries {
            let Ok(entry) = entry else { return false };
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                return false;
            };
            let Ok(kind) = entry.file_type() else {
                return false;
            };
            let expected = if kind.is_file() {
                files.iter().any(|(n, _)| n == name)
            } else if kind.is_dir() {
                contexts.iter().any(|c| c.directory == name)
            } else {
                false
            };
            if !expected {
                return false;
            }
            found += 1;
        }
        found == files.len() + contexts.len()
            && files.iter().all(|(name, bytes)| {
                std::fs::read(dir.join(name)).is_ok_and(|on_disk| on_disk == bytes.as_ref())
            })
    }

    /// `assets.json`'s text.
    fn assets_text(&self) -> Result<String, Error> {
        let manifest = AssetManifest {
            version: 1,
            docker_images: self
                .assets
                .iter()
                .map(|a| (a.hash.clone(), a.clone()))
                .collect(),
            files: self
                .file_assets
                .iter()
                .map(|a| (a.hash.clone(), a.clone()))
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&manifest).map_err(|e| Error::Invalid {
            path: ASSETS_FILE.into(),
            message: e.to_string(),
        })?;
        text.push('\n');
        Ok(text)
    }

    /// Each asset's context under `asset.<hash>/` (`assets.json` is one of
    /// [`files`](Assembly::files)). A context the assembly at `current` already holds under
    /// the same hash is not copied: it is returned, for the caller to move across.
    fn write_assets(&self, dir: &Path, current: &Path) -> Result<Vec<AssetContext<'_>>, Error> {
        let mut reused = Vec::new();
        for context in self.contexts() {
            if current.join(context.directory).is_dir() {
                reused.push(context);
            } else {
                context.copy_into(dir)?;
            }
        }
        Ok(reused)
    }

    /// The directories of the image and file assets whose files the assembly carries.
    fn contexts(&self) -> Vec<AssetContext<'_>> {
        let images = self.assets.iter().map(|a| AssetContext {
            directory: &a.directory,
            source: &a.source_directory,
            files: a.files.iter().map(String::as_str).collect(),
        });
        let files = self.file_assets.iter().filter_map(|a| {
            Some(AssetContext {
                directory: a.directory.as_deref()?,
                source: &a.source_directory,
                files: a.files.iter().map(|f| f.path.as_str()).collect(),
            })
        });
        images.chain(files).collect()
    }

    /// Reads `assets.json` of an assembly directory (an empty manifest when there is none).
    pub fn read_assets(dir: &Path) -> Result<AssetManifest, Error> {
        let f = dir.join(ASSETS_FILE);
        let text = match std::fs::read_to_string(&f) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(AssetManifest::default());
            }
            Err(source) => return Err(Error::Io { path: f, source }),
        };
        serde_json::from_str(&text).map_err(|e| Error::Io {
            path: f,
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })
    }

    /// Reads the manifest of an assembly directory.
    pub fn read_manifest(dir: &Path) -> Result<Manifest, Error> {
        let f = dir.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&f).map_err(|source| Error::Io {
            path: f.clone(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| Error::Io {
            path: f,
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })
    }
}

/// A file at the top of an assembly directory: its name and its contents.
type AssemblyFile<'a> = (String, Cow<'a, [u8]>);

/// An asset's directory in the assembly (`asset.<hash>`), named by a hash of every file it
/// holds: what [`Assembly::write`] copies from the source, or moves across from the assembly
/// it replaces.
struct AssetContext<'a> {
    directory: &'a str,
    source: &'a Path,
    files: Vec<&'a str>,
}

impl AssetContext<'_> {
    /// Copies the files from the source into `assembly/<directory>`.
    fn copy_into(&self, assembly: &Path) -> Result<(), Error> {
        for file in &self.files {
            let from = self.source.join(file);
            let to = assembly.join(self.directory).join(file);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                    path: parent.to_owned(),
                    source,
                })?;
            }
            std::fs::copy(&from, &to).map_err(|source| Error::Io { path: from, source })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::{App, Assembly, RawResource};

    fn assembly(topics: usize) -> Assembly {
        let app = App::new();
        let mut stack = app.stack("Demo").unwrap();
        for i in 0..topics {
            stack
                .add(&format!("Topic{i}"), RawResource::new("AWS::SNS::Topic"))
                .unwrap();
        }
        app.synth().unwrap()
    }

    /// What is in `parent` besides the assembly directory: temporary or set-aside copies.
    fn leftovers(parent: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(parent)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "out")
            .collect();
        names.sort();
        names
    }

    /// A new empty directory for one test.
    fn scratch(test: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "cloudwright-assembly-{test}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn template_at(dir: &Path) -> String {
        std::fs::read_to_string(dir.join("Demo.template.json")).unwrap()
    }

    #[test]
    fn a_write_replaces_what_is_there_and_leaves_nothing_beside_it() {
        let parent = scratch("replaces");
        let out = parent.join("out");
        let (one, two) = (assembly(1), assembly(2));
        one.write(&out).unwrap();
        assert_eq!(template_at(&out), one.stacks[0].template);
        two.write(&out).unwrap();
        assert_eq!(template_at(&out), two.stacks[0].template);
        two.write(&out).unwrap(); // the same again: left as it is
        assert_eq!(template_at(&out), two.stacks[0].template);
        assert_eq!(leftovers(&parent), Vec::<String>::new());
        std::fs::remove_dir_all(&parent).unwrap();
    }

    /// Three writers publishing different assemblies to one directory at the same time (deploys
    /// in one directory): every write succeeds, the directory ends as one of them
    /// whole, and no temporary or set-aside copy is left.
    #[test]
    fn writers_racing_for_one_directory_all_succeed_and_the_last_one_wins() {
        let parent = scratch("racing");
        let out = parent.join("out");
        let candidates = [assembly(1), assembly(2), assembly(3)];
        std::thread::scope(|scope| {
            for w in 0..3 {
                let (candidates, out) = (&candidates, &out);
                scope.spawn(move || {
                    for round in 0..40 {
                        let a = &candidates[(w + round) % candidates.len()];
                        if let Err(e) = a.write(out) {
                            panic!("writer {w}, round {round}: {e}");
                        }
                    }
                });
            }
        });
        let written = template_at(&out);
        let manifest = std::fs::read_to_string(out.join(super::MANIFEST_FILE)).unwrap();
        assert!(
            candidates
                .iter()
                .any(|a| a.stacks[0].template == written && manifest.contains(&a.stacks[0].hash)),
            "the directory holds none of the assemblies whole"
        );
        assert_eq!(leftovers(&parent), Vec::<String>::new());
        std::fs::remove_dir_all(&parent).unwrap();
    }
}
