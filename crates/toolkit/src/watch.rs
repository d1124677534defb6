//! `cloudwright watch`: the inner loop. Deploys once (hotswapping what it can), then watches
//! the project's files; when they change (debounced), it synthesizes again, republishes the
//! image assets whose contexts changed and hotswaps (or, with `--no-hotswap`, deploys
//! normally), while the log events of the stacks' services stream to the terminal. A stop
//! request (Ctrl-C, SIGTERM) ends it cleanly with exit status 0.
//!
//! Watching is a small polling [`Watcher`]: every poll interval it records the modification
//! time and size of every watched file and compares them with the previous round. No crate, no
//! platform notification API: a round over a project of a few thousand files costs a few
//! milliseconds (BENCHMARKS.md), and polling behaves the same on every file system (network
//! mounts and containers included, where inotify misses changes).
//!
//! What is watched: the project directory (where `cloudwright.json` is) and the directories
//! `"watch": {"include": [...]}` adds. What is not ([`Filter`]): `.git`, `target`,
//! `node_modules`, `.venv` and `__pycache__` directories at any depth, the assembly directory,
//! the context file, the patterns of `"watch": {"exclude": [...]}`, and below any directory
//! with a `.dockerignore` (an image asset's build context), what that file leaves out of the
//! build. Symbolic links are not followed.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use cloudwright_core::asset::IgnorePatterns;
use serde_json::Value;

use crate::app::assembly::{CloudAssembly, Extend};
use crate::app::synth::Say;
use crate::aws::Aws;
use crate::aws::logs::{GroupName, Logs, log_groups};
use crate::cloudformation::deploy::DeployOptions;
use crate::config::Settings;
use crate::error::{Error, Result};

/// Names of directories (or files) never watched, at any depth. Compared by name, not as
/// patterns: a round checks every entry, and a pattern with `**` costs far more.
pub const IGNORED_NAMES: &[&str] = &[".git", "target", "node_modules", ".venv", "__pycache__"];

/// What is left out of the watch.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    names: Vec<String>,
    patterns: IgnorePatterns,
}

impl Filter {
    /// The defaults, the assembly directory and context file (when inside `project`), and
    /// the configured `exclude` patterns.
    pub fn new(project: &Path, settings: &Settings) -> Filter {
        let mut lines = Vec::new();
        for path in [&settings.out, &settings.context_file] {
            // a relative path (`--out DIR`) is relative to the current directory, the project
            let rel = if path.is_relative() {
                Some(path.as_path())
            } else {
                path.strip_prefix(project).ok()
            };
            if let Some(rel) = rel {
                lines.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
        lines.extend(settings.watch.exclude.iter().cloned());
        Filter::from_patterns(&lines)
    }

    /// A filter of [`IGNORED_NAMES`] and these patterns (`.dockerignore` syntax).
    pub fn from_patterns(lines: &[String]) -> Filter {
        Filter {
            names: IGNORED_NAMES.iter().map(|s| (*s).to_owned()).collect(),
            patterns: IgnorePatterns::parse(&lines.join("\n")),
        }
    }

    /// Whether `rel` (relative to a watched root, `/`-separated) is left out.
    pub fn excludes(&self, rel: &str) -> bool {
        rel.split('/')
            .any(|part| self.names.iter().any(|n| n == part))
            || self.patterns.excludes(rel)
    }
}

/// A file's state as the watcher compares it.
pub type Stamp = (Option<SystemTime>, u64);

/// Every watched file with its modification time and size.
pub type Snapshot = BTreeMap<PathBuf, Stamp>;

/// The files of the watched roots, polled.
#[derive(Clone, Debug)]
pub struct Watcher {
    roots: Vec<PathBuf>,
    filter: Filter,
}

impl Watcher {
    /// A watcher of `roots` leaving out what `filter` says.
    pub fn new(roots: Vec<PathBuf>, filter: Filter) -> Watcher {
        Watcher { roots, filter }
    }

    /// The watched roots.
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// One round: every watched file now. Files that vanish or cannot be read during the round
    /// are skipped (the next round sees them again or not).
    pub fn scan(&self) -> Snapshot {
        let mut out = Snapshot::new();
        for root in &self.roots {
            let mut scopes = Vec::new();
            self.walk(root, "", &mut scopes, &mut out);
        }
        out
    }

    fn walk(
        &self,
        dir: &Path,
        rel: &str,
        scopes: &mut Vec<(String, IgnorePatterns)>,
        out: &mut Snapshot,
    ) {
        let pushed = match std::fs::read_to_string(dir.join(".dockerignore")) {
            Ok(text) => {
                scopes.push((rel.to_owned(), IgnorePatterns::parse(&text)));
                true
            }
            Err(_) => false,
        };
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let child = if rel.is_empty() {
                    name.clone()
                } else {
                    format!("{rel}/{name}")
                };
                if self.filter.excludes(&child) || docker_ignored(scopes, &child, &name) {
                    continue;
                }
                let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
                    continue;
                };
                if meta.is_dir() {
                    self.walk(&entry.path(), &child, scopes, out);
                } else if meta.is_file() {
                    out.insert(entry.path(), (meta.modified().ok(), meta.len()));
                }
            }
        }
        if pushed {
            scopes.pop();
        }
    }
}

/// Whether a `.dockerignore` above `rel` leaves it out of its build context (the Dockerfile
/// and the ignore file itself always count: a change to them changes the image).
fn docker_ignored(scopes: &[(String, IgnorePatterns)], rel: &str, name: &str) -> bool {
    if name == ".dockerignore" || name == "Dockerfile" {
        return false;
    }
    scopes.iter().any(|(base, patterns)| {
        let inner = if base.is_empty() {
            Some(rel)
        } else {
            rel.strip_prefix(base.as_str())
                .and_then(|r| r.strip_prefix('/'))
        };
        inner.is_some_and(|r| patterns.excludes(r))
    })
}

/// The files added, removed or changed between two rounds.
pub fn changed(before: &Snapshot, after: &Snapshot) -> BTreeSet<PathBuf> {
    let mut out: BTreeSet<PathBuf> = before
        .iter()
        .filter(|(p, s)| after.get(*p) != Some(*s))
        .map(|(p, _)| p.clone())
        .collect();
    out.extend(after.keys().filter(|p| !before.contains_key(*p)).cloned());
    out
}

/// Collects changes until none came for the debounce interval.
#[derive(Clone, Debug, Default)]
pub struct Debounce {
    pending: BTreeSet<PathBuf>,
    last: Option<Instant>,
}

impl Debounce {
    /// Records the changes of one round seen at `now`.
    pub fn observe(&mut self, changes: BTreeSet<PathBuf>, now: Instant) {
        if !changes.is_empty() {
            self.pending.extend(changes);
            self.last = Some(now);
        }
    }

    /// The pending changes once `quiet` has passed since the last one (and resets).
    pub fn take_if_quiet(&mut self, now: Instant, quiet: Duration) -> Option<BTreeSet<PathBuf>> {
        let last = self.last?;
        if now.duration_since(last) < quiet {
            return None;
        }
        self.last = None;
        Some(std::mem::take(&mut self.pending))
    }
}

/// Options of `cloudwright watch`.
#[derive(Clone, Debug)]
pub struct WatchOptions {
    /// Hotswap what can be (`false`: `--no-hotswap`, a normal deploy each time).
    pub hotswap: bool,
    /// The deploy's options (stacks, method, timeout, ...).
    pub deploy: DeployOptions,
    /// How often the files are polled.
    pub poll: Duration,
    /// How long the files must stay unchanged before a change is acted on.
    pub debounce: Duration,
    /// Stream the services' log events.
    pub logs: bool,
}

/// Runs the watch until `stop` is set.
pub async fn watch(
    aws: &Aws,
    settings: &Settings,
    project: &Path,
    opts: WatchOptions,
    stop: Arc<AtomicBool>,
    out: &dyn Say,
) -> Result<()> {
    if settings.app.is_none() || settings.assembly.is_some() {
        return Err(Error::Usage(
            "watch runs the app after each change: it needs \"app\" in cloudwright.json or --app, and cannot be combined with --assembly".into(),
        ));
    }
    let mut roots = vec![project.to_owned()];
    for dir in &settings.watch.include {
        if !dir.is_dir() {
            return Err(Error::Usage(format!(
                "\"watch\": {{\"include\"}} names {}, which is not a directory",
                dir.display()
            )));
        }
        roots.push(dir.clone());
    }
    let watcher = Watcher::new(roots, Filter::new(project, settings));
    let mut snapshot = watcher.scan();
    let started_ms = epoch_ms(SystemTime::now());
    let mut streams: Option<tokio::task::JoinHandle<()>> = None;

    let mut reason = "first deploy".to_owned();
    loop {
        out.say(&format!("watch: {reason}; synthesizing"));
        let cycle = cycle(aws, settings, &opts, out);
        let result = tokio::select! {
            r = cycle => r,
            () = stopped(&stop) => break,
        };
        match result {
            Ok(assembly) if opts.logs => {
                if let Some(task) = streams.take() {
                    task.abort();
                }
                match stream_targets(aws, &assembly, &opts.deploy).await {
                    Ok(targets) if !targets.is_empty() => {
                        let names: Vec<String> = targets.iter().map(|(_, g)| g.clone()).collect();
                        out.say(&format!(
                            "watch: streaming the log events of {}",
                            names.join(", ")
                        ));
                        streams = Some(tokio::spawn(stream_logs(targets, started_ms)));
                    }
                    Ok(_) => {}
                    Err(e) => out.say(&format!("watch: cannot find the log groups: {e}")),
                }
            }
            Ok(_) => {}
            // a refusal stays a refusal: no later round would be allowed either
            Err(e @ Error::HotswapRefused { .. }) => return Err(e),
            Err(e) => out.say(&format!("watch: error: {e}")),
        }
        out.say(&format!(
            "watch: watching {} for changes (Ctrl-C stops)",
            watcher
                .roots()
                .iter()
                .map(|r| r.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        let mut debounce = Debounce::default();
        let changes = loop {
            if stop.load(Ordering::SeqCst) {
                break None;
            }
            tokio::time::sleep(opts.poll).await;
            let now = watcher.scan();
            debounce.observe(changed(&snapshot, &now), Instant::now());
            snapshot = now;
            if let Some(c) = debounce.take_if_quiet(Instant::now(), opts.debounce) {
                break Some(c);
            }
        };
        let Some(changes) = changes else {
            break;
        };
        let shown: Vec<String> = changes
            .iter()
            .take(5)
            .map(|p| {
                watcher
                    .roots()
                    .iter()
                    .find_map(|r| p.strip_prefix(r).ok())
                    .unwrap_or(p)
                    .display()
                    .to_string()
            })
            .collect();
        reason = format!(
            "{} file(s) changed ({}{})",
            changes.len(),
            shown.join(", "),
            if changes.len() > shown.len() {
                ", ..."
            } else {
                ""
            }
        );
    }
    if let Some(task) = streams.take() {
        task.abort();
    }
    out.say("watch: stopped");
    Ok(())
}

/// A flag set by the first SIGINT (Ctrl-C) or SIGTERM, which [`watch`] stops on; a second
/// one exits the process at once with status 1.
pub fn stop_on_signals() -> Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(signal, 1, stop.clone())
            .and_then(|_| signal_hook::flag::register(signal, stop.clone()))
            .map_err(|e| Error::Internal(format!("cannot handle signal {signal}: {e}")))?;
    }
    // the app runs in its own process group, out of the terminal's reach: stop it too
    crate::interrupt::stop_also_on(stop.clone());
    Ok(stop)
}

async fn stopped(stop: &AtomicBool) {
    while !stop.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn epoch_ms(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// One round: synthesize, publish, hotswap or deploy.
async fn cycle(
    aws: &Aws,
    settings: &Settings,
    opts: &WatchOptions,
    out: &dyn Say,
) -> Result<CloudAssembly> {
    let (assembly, _) = crate::app::synth::synthesize(aws, settings, out).await?;
    let selected = assembly.select(
        &opts.deploy.stacks,
        if opts.deploy.exclusively {
            Extend::None
        } else {
            Extend::Upstream
        },
    )?;
    if opts.hotswap {
        crate::cloudformation::hotswap::refuse_production(settings, &selected)?;
    }
    for line in
        crate::audit::check_exposure(&assembly, &selected, settings.surface.as_ref(), false)?
    {
        out.say(&line);
    }
    let accounts = crate::aws::accounts::Accounts::new(aws, &settings.accounts);
    crate::assets::publish::publish(&accounts, &assembly, &selected, out).await?;
    if opts.hotswap {
        crate::cloudformation::hotswap::deploy(&accounts, &assembly, opts.deploy.clone(), out)
            .await?;
    } else {
        crate::cloudformation::deploy::deploy(&accounts, &assembly, opts.deploy.clone()).await?;
    }
    Ok(assembly)
}

/// The log groups the selected stacks' containers write to, with the region to read them in.
async fn stream_targets(
    aws: &Aws,
    assembly: &CloudAssembly,
    deploy: &DeployOptions,
) -> Result<Vec<(Logs, String)>> {
    let selected = assembly.select(
        &deploy.stacks,
        if deploy.exclusively {
            Extend::None
        } else {
            Extend::Upstream
        },
    )?;
    let mut targets = Vec::new();
    for s in selected {
        let template: Value = serde_json::from_str(&assembly.template(s)?).unwrap_or_default();
        let groups = log_groups(&template);
        if groups.is_empty() {
            continue;
        }
        let what = format!("the logs of stack {}", s.stack_name);
        let logs = Logs::new(&aws.config(s.region.as_deref(), &what)?, &what)?;
        let cfn = aws.cloudformation(s.region.as_deref(), &what)?;
        let mut physical = BTreeMap::new();
        if groups.iter().any(|g| matches!(g, GroupName::Resource(_))) {
            let described = cfn
                .client
                .describe_stack_resources()
                .stack_name(&s.stack_name)
                .send()
                .await
                .map_err(|e| cfn.error("DescribeStackResources", e))?;
            for r in described.stack_resources() {
                if let (Some(l), Some(p)) = (r.logical_resource_id(), r.physical_resource_id()) {
                    physical.insert(l.to_owned(), p.to_owned());
                }
            }
        }
        for g in groups {
            let name = match g {
                GroupName::Literal(n) => Some(n),
                GroupName::Resource(id) => physical.get(&id).cloned(),
            };
            if let Some(n) = name {
                targets.push((logs.clone(), n));
            }
        }
    }
    Ok(targets)
}

/// Prints the new events of each group every two seconds, until aborted. A group that cannot
/// be read (not created yet, denied) is reported once per distinct error.
async fn stream_logs(targets: Vec<(Logs, String)>, start_ms: i64) {
    let mut seen = HashSet::new();
    let mut last_error: BTreeMap<String, String> = BTreeMap::new();
    loop {
        for (logs, group) in &targets {
            match logs.events_since(group, start_ms, &mut seen).await {
                Ok(events) => {
                    last_error.remove(group);
                    for (_, stream, message) in events {
                        println!("[{group}] {stream} | {message}");
                    }
                }
                Err(e) => {
                    let text = e.to_string();
                    if last_error.get(group) != Some(&text) {
                        println!("watch: cannot read the log events of {group}: {text}");
                        last_error.insert(group.clone(), text);
                    }
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Dir(PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn dir(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("cw-watch-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn rels(root: &Path, paths: &BTreeSet<PathBuf>) -> Vec<String> {
        paths
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn a_round_sees_edits_additions_and_removals_but_not_what_is_excluded() {
        let d = dir("scan");
        let root = &d.0;
        for rel in [
            "src/main.rs",
            "service/Dockerfile",
            "service/app.py",
            "service/notes.md",
            "service/cache/x.bin",
            "target/debug/out",
            "sub/target/x",
            ".git/HEAD",
            "cloudwright.out/manifest.json",
            "cloudwright.context.json",
            "docs/guide.md",
            "service/__pycache__/app.pyc",
        ] {
            write(root, rel, "1");
        }
        write(root, "service/.dockerignore", "*.md\ncache\n");
        let settings = Settings {
            app: None,
            assembly: None,
            context_file: root.join("cloudwright.context.json"),
            out: root.join("cloudwright.out"),
            context: Vec::new(),
            surface: None,
            yaml: false,
            production: Vec::new(),
            watch: crate::config::WatchConfig {
                exclude: vec!["docs/**".into()],
                include: Vec::new(),
            },
            app_timeout: crate::app::runner::DEFAULT_APP_TIMEOUT,
            accounts: Default::default(),
        };
        let w = Watcher::new(vec![root.clone()], Filter::new(root, &settings));
        // `--out DIR` given relative to the project
        let relative = Settings {
            out: PathBuf::from("elsewhere/out"),
            ..settings.clone()
        };
        assert!(Filter::new(root, &relative).excludes("elsewhere/out/manifest.json"));
        let first = w.scan();
        let seen: Vec<String> = first
            .keys()
            .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            seen,
            [
                "service/.dockerignore",
                "service/Dockerfile",
                "service/app.py",
                "src/main.rs"
            ]
        );
        write(root, "service/app.py", "22");
        write(root, "src/lib.rs", "new");
        std::fs::remove_file(root.join("src/main.rs")).unwrap();
        for ignored in [
            "service/notes.md",
            "service/cache/y",
            "target/debug/out2",
            "docs/more.md",
            "cloudwright.out/a.template.json",
        ] {
            write(root, ignored, "2");
        }
        let second = w.scan();
        assert_eq!(
            rels(root, &changed(&first, &second)),
            ["service/app.py", "src/lib.rs", "src/main.rs"]
        );
        assert!(changed(&second, &w.scan()).is_empty());
    }

    #[test]
    fn changes_wait_for_a_quiet_interval() {
        let t0 = Instant::now();
        let quiet = Duration::from_millis(300);
        let mut d = Debounce::default();
        assert_eq!(d.take_if_quiet(t0, quiet), None);
        d.observe([PathBuf::from("a")].into(), t0);
        d.observe(BTreeSet::new(), t0 + Duration::from_millis(200));
        assert_eq!(
            d.take_if_quiet(t0 + Duration::from_millis(200), quiet),
            None
        );
        d.observe([PathBuf::from("b")].into(), t0 + Duration::from_millis(250));
        assert_eq!(
            d.take_if_quiet(t0 + Duration::from_millis(500), quiet),
            None
        );
        assert_eq!(
            d.take_if_quiet(t0 + Duration::from_millis(550), quiet),
            Some([PathBuf::from("a"), PathBuf::from("b")].into())
        );
        assert_eq!(d.take_if_quiet(t0 + Duration::from_secs(5), quiet), None);
    }
}
