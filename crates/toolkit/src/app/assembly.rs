//! Reading a cloud assembly (`manifest.json` and the templates), choosing stacks by name, and
//! ordering them for deployment and destruction.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cloudwright_core::assembly::{MANIFEST_FILE, MANIFEST_VERSION};
use cloudwright_core::{Assembly, Manifest, ManifestStack};

use crate::app::run_dir::RunDir;
use crate::error::{Error, Result};

/// A cloud assembly, read and verified: its manifest, and every template's text held in
/// memory once its hash matched the manifest's `hash`. What the toolkit deploys, diffs and
/// audits is this text, never the file read again later (another synthesis may have replaced
/// it meanwhile).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloudAssembly {
    /// The directory.
    pub dir: PathBuf,
    /// Its manifest; stacks are in deployment order.
    pub manifest: Manifest,
    /// The verified template text of each stack, by stack id.
    templates: BTreeMap<String, String>,
    /// The synthesis run's own directory, when the assembly is in one (removed when the last
    /// clone of the assembly is dropped).
    run: Option<Arc<RunDir>>,
}

/// Whether `name` is a valid CloudFormation stack name: a letter, then letters, digits and
/// hyphens, at most 128 characters.
pub fn valid_stack_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 128
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Which stacks come along with the ones named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extend {
    /// Only the named stacks.
    None,
    /// The named stacks and everything they depend on (for deploy).
    Upstream,
    /// The named stacks and everything that depends on them (for destroy).
    Downstream,
}

/// Refuses a template (of stack `s`, in the assembly in `dir`) whose hash is not the one the
/// manifest records for it.
fn verify_hash(dir: &Path, s: &cloudwright_core::ManifestStack, template: &[u8]) -> Result<()> {
    let actual = cloudwright_core::assembly::template_hash(template);
    if actual == s.hash {
        return Ok(());
    }
    Err(Error::TemplateChanged {
        file: dir.join(&s.template_file),
        stack: s.id.clone(),
        expected: s.hash.clone(),
        actual,
    })
}

impl CloudAssembly {
    /// Reads the assembly in `dir`: the manifest (a version this toolkit knows, unique stack
    /// ids and names, valid stack names, dependencies in order), then every template, whose
    /// hash must match the manifest's.
    pub fn read(dir: &Path) -> Result<Self> {
        let manifest = Assembly::read_manifest(dir).map_err(|e| Error::Assembly {
            dir: dir.to_owned(),
            message: format!("{MANIFEST_FILE}: {e}"),
        })?;
        let mut assembly = CloudAssembly {
            dir: dir.to_owned(),
            manifest,
            templates: BTreeMap::new(),
            run: None,
        };
        assembly.check()?;
        for s in &assembly.manifest.stacks {
            let path = dir.join(&s.template_file);
            let bytes = std::fs::read(&path).map_err(Error::read(&path))?;
            verify_hash(dir, s, &bytes)?;
            let text = String::from_utf8(bytes).map_err(|e| Error::Assembly {
                dir: dir.to_owned(),
                message: format!("{} is not UTF-8: {e}", s.template_file),
            })?;
            assembly.templates.insert(s.id.clone(), text);
        }
        Ok(assembly)
    }

    /// [`CloudAssembly::read`] of the assembly a synthesis run wrote into its own directory,
    /// which lives as long as the assembly (or a clone of it) does.
    pub fn read_run(run: RunDir) -> Result<Self> {
        let mut assembly = CloudAssembly::read(&run.assembly())?;
        assembly.run = Some(Arc::new(run));
        Ok(assembly)
    }

    /// The synthesis run's own directory, when the assembly was read from one.
    pub fn run_dir(&self) -> Option<&RunDir> {
        self.run.as_deref()
    }

    /// An assembly from a manifest (for tests and tools).
    pub fn from_manifest(dir: PathBuf, manifest: Manifest) -> Result<Self> {
        Self::from_parts(dir, manifest, BTreeMap::new())
    }

    /// An assembly from a manifest and its templates by stack id, checked as
    /// [`CloudAssembly::read`] checks one (templates given are hashed against the manifest).
    pub fn from_parts(
        dir: PathBuf,
        manifest: Manifest,
        templates: BTreeMap<String, String>,
    ) -> Result<Self> {
        let a = CloudAssembly {
            dir,
            manifest,
            templates,
            run: None,
        };
        a.check()?;
        for s in &a.manifest.stacks {
            if let Some(t) = a.templates.get(&s.id) {
                verify_hash(&a.dir, s, t.as_bytes())?;
            }
        }
        Ok(a)
    }

    fn check(&self) -> Result<()> {
        let bad = |message: String| Error::Assembly {
            dir: self.dir.clone(),
            message,
        };
        if self.manifest.version != MANIFEST_VERSION {
            return Err(bad(format!(
                "{MANIFEST_FILE} has version {}, and this cloudwright reads version {MANIFEST_VERSION} only (synthesize with the cloudwright-core this CLI belongs to, or use the CLI of the app's version)",
                self.manifest.version
            )));
        }
        let mut ids = BTreeSet::new();
        let mut names = BTreeSet::new();
        for s in &self.manifest.stacks {
            if !ids.insert(s.id.as_str()) {
                return Err(bad(format!("{MANIFEST_FILE} lists stack `{}` twice", s.id)));
            }
            if !names.insert(s.stack_name.as_str()) {
                return Err(bad(format!(
                    "{MANIFEST_FILE} lists two stacks with the stack name `{}`",
                    s.stack_name
                )));
            }
            if !valid_stack_name(&s.stack_name) {
                let shown: String = s.stack_name.chars().take(40).collect();
                return Err(bad(format!(
                    "stack `{}` has the stack name `{shown}{}` ({} characters), which CloudFormation refuses: a stack name starts with a letter, holds only letters, digits and hyphens, and has at most 128 characters",
                    s.id,
                    if shown.len() < s.stack_name.len() {
                        "..."
                    } else {
                        ""
                    },
                    s.stack_name.chars().count()
                )));
            }
        }
        let mut seen = BTreeSet::new();
        for s in &self.manifest.stacks {
            for d in &s.dependencies {
                if !seen.contains(d.as_str()) {
                    return Err(Error::Assembly {
                        dir: self.dir.clone(),
                        message: format!(
                            "stack `{}` depends on `{d}`, which does not come before it in the manifest",
                            s.id
                        ),
                    });
                }
            }
            seen.insert(s.id.as_str());
        }
        Ok(())
    }

    /// The stacks, in deployment order.
    pub fn stacks(&self) -> &[ManifestStack] {
        &self.manifest.stacks
    }

    /// The stack with this id or CloudFormation name.
    pub fn stack(&self, name: &str) -> Option<&ManifestStack> {
        self.manifest
            .stacks
            .iter()
            .find(|s| s.id == name)
            .or_else(|| self.manifest.stacks.iter().find(|s| s.stack_name == name))
    }

    /// A stack's template text, as verified when the assembly was read.
    pub fn template(&self, stack: &ManifestStack) -> Result<String> {
        self.templates
            .get(&stack.id)
            .cloned()
            .ok_or_else(|| Error::Assembly {
                dir: self.dir.clone(),
                message: format!("the template of stack `{}` was not read", stack.id),
            })
    }

    /// The stacks named (all when `names` is empty), extended as asked, in deployment order.
    pub fn select(&self, names: &[String], extend: Extend) -> Result<Vec<&ManifestStack>> {
        select(&self.manifest.stacks, names, extend)
    }
}

/// [`CloudAssembly::select`] on a list of stacks in deployment order.
pub fn select<'a>(
    stacks: &'a [ManifestStack],
    names: &[String],
    extend: Extend,
) -> Result<Vec<&'a ManifestStack>> {
    if names.is_empty() {
        return Ok(stacks.iter().collect());
    }
    let mut chosen = BTreeSet::new();
    for name in names {
        let Some(s) = stacks
            .iter()
            .find(|s| &s.id == name)
            .or_else(|| stacks.iter().find(|s| &s.stack_name == name))
        else {
            let available = stacks
                .iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            return Err(Error::UnknownStack {
                name: name.clone(),
                available: if available.is_empty() {
                    "(none)".into()
                } else {
                    available
                },
            });
        };
        chosen.insert(s.id.as_str());
    }
    match extend {
        Extend::None => {}
        Extend::Upstream => {
            // dependencies come first in the manifest: walk backwards
            for s in stacks.iter().rev() {
                if chosen.contains(s.id.as_str()) {
                    chosen.extend(s.dependencies.iter().map(String::as_str));
                }
            }
        }
        Extend::Downstream => {
            for s in stacks {
                if s.dependencies.iter().any(|d| chosen.contains(d.as_str())) {
                    chosen.insert(s.id.as_str());
                }
            }
        }
    }
    Ok(stacks
        .iter()
        .filter(|s| chosen.contains(s.id.as_str()))
        .collect())
}

/// Schedules stacks for concurrent deployment: which may start now, given which are done and
/// which are running. A stack may start when every dependency that is part of the selection is
/// done.
#[derive(Clone, Debug)]
pub struct Schedule {
    pending: Vec<(String, Vec<String>)>,
    done: BTreeSet<String>,
}

impl Schedule {
    /// A schedule of `stacks` (in deployment order); dependencies outside them count as done.
    pub fn new(stacks: &[&ManifestStack]) -> Self {
        let ids: BTreeSet<&str> = stacks.iter().map(|s| s.id.as_str()).collect();
        Schedule {
            pending: stacks
                .iter()
                .map(|s| {
                    (
                        s.id.clone(),
                        s.dependencies
                            .iter()
                            .filter(|d| ids.contains(d.as_str()))
                            .cloned()
                            .collect(),
                    )
                })
                .collect(),
            done: BTreeSet::new(),
        }
    }

    /// Takes the next stack that may start now, if any.
    pub fn next_ready(&mut self) -> Option<String> {
        let i = self
            .pending
            .iter()
            .position(|(_, deps)| deps.iter().all(|d| self.done.contains(d)))?;
        Some(self.pending.remove(i).0)
    }

    /// Marks a stack done.
    pub fn finish(&mut self, id: &str) {
        self.done.insert(id.to_owned());
    }

    /// The stacks never started.
    pub fn remaining(&self) -> Vec<String> {
        self.pending.iter().map(|(id, _)| id.clone()).collect()
    }
}

/// Human-readable list of stacks in deployment order with their dependencies.
pub fn render_list(stacks: &[ManifestStack]) -> String {
    let names: HashMap<&str, &str> = stacks
        .iter()
        .map(|s| (s.id.as_str(), s.stack_name.as_str()))
        .collect();
    let width = stacks.iter().map(|s| s.id.len()).max().unwrap_or(0);
    let mut out = String::new();
    for s in stacks {
        out.push_str(&format!("{:<width$}", s.id));
        if s.stack_name != s.id {
            out.push_str(&format!("  (stack name {})", s.stack_name));
        }
        out.push_str(&format!(
            "  {} resource{}",
            s.resource_count,
            if s.resource_count == 1 { "" } else { "s" }
        ));
        out.push_str(&format!(
            "  account {}  region {}",
            s.account.as_deref().unwrap_or("(the credentials')"),
            s.region.as_deref().unwrap_or("(the default)")
        ));
        if s.dependencies.is_empty() {
            out.push_str("  no dependencies");
        } else {
            let deps: Vec<&str> = s
                .dependencies
                .iter()
                .map(|d| names.get(d.as_str()).copied().unwrap_or(d.as_str()))
                .collect();
            out.push_str(&format!("  depends on {}", deps.join(", ")));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn stack(id: &str, deps: &[&str]) -> ManifestStack {
        ManifestStack {
            id: id.into(),
            stack_name: id.into(),
            template_file: format!("{id}.template.json"),
            template_yaml_file: None,
            graph_file: format!("{id}.graph.dot"),
            region: None,
            account: None,
            dependencies: deps.iter().map(|d| (*d).to_owned()).collect(),
            weak_references: vec![],
            lookups: Default::default(),
            outputs: vec![],
            exports: vec![],
            resource_count: 1,
            template_bytes: 10,
            hash: String::new(),
        }
    }

    fn ids(v: &[&ManifestStack]) -> Vec<String> {
        v.iter().map(|s| s.id.clone()).collect()
    }

    fn app() -> Vec<ManifestStack> {
        vec![
            stack("Net", &[]),
            stack("Data", &[]),
            stack("Api", &["Net", "Data"]),
            stack("Web", &["Api"]),
            stack("Other", &[]),
        ]
    }

    #[test]
    fn selects_with_dependencies_or_dependents() {
        let s = app();
        assert_eq!(ids(&select(&s, &[], Extend::Upstream).unwrap()).len(), 5);
        assert_eq!(
            ids(&select(&s, &["Web".into()], Extend::Upstream).unwrap()),
            ["Net", "Data", "Api", "Web"]
        );
        assert_eq!(
            ids(&select(&s, &["Web".into()], Extend::None).unwrap()),
            ["Web"]
        );
        assert_eq!(
            ids(&select(&s, &["Net".into()], Extend::Downstream).unwrap()),
            ["Net", "Api", "Web"]
        );
        let e = select(&s, &["Nope".into()], Extend::None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`Nope`") && e.contains("Net, Data, Api, Web, Other"),
            "{e}"
        );
    }

    #[test]
    fn schedules_independent_stacks_together() {
        let s = app();
        let all = select(&s, &[], Extend::None).unwrap();
        let mut sched = Schedule::new(&all);
        assert_eq!(sched.next_ready().as_deref(), Some("Net"));
        assert_eq!(sched.next_ready().as_deref(), Some("Data"));
        assert_eq!(sched.next_ready().as_deref(), Some("Other"));
        assert_eq!(sched.next_ready(), None);
        sched.finish("Net");
        assert_eq!(sched.next_ready(), None);
        sched.finish("Data");
        assert_eq!(sched.next_ready().as_deref(), Some("Api"));
        assert_eq!(sched.remaining(), ["Web"]);
        // dependencies outside the selection do not block
        let only = select(&s, &["Web".into()], Extend::None).unwrap();
        assert_eq!(Schedule::new(&only).next_ready().as_deref(), Some("Web"));
    }

    #[test]
    fn lists_stacks_with_dependencies() {
        let text = render_list(&app());
        assert!(
            text.contains(
                "Api    1 resource  account (the credentials')  region (the default)  depends on Net, Data"
            ),
            "{text}"
        );
        assert!(text.starts_with("Net "), "{text}");
    }

    #[test]
    fn rejects_a_manifest_out_of_order() {
        let m = Manifest {
            version: MANIFEST_VERSION,
            stacks: vec![stack("B", &["A"]), stack("A", &[])],
        };
        assert!(CloudAssembly::from_manifest("x".into(), m).is_err());
    }
}
