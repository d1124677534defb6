//! Interruptions: what a run leaves behind when SIGINT or SIGTERM stops it.
//!
//! `main` installs [`install`] for every command but `watch` (which stops on its own flag).
//! A signal then ends the run in a known way instead of killing it mid-step: the app processes
//! the run started are stopped (their whole process group, so `cargo run` does not leave the
//! app behind), the change sets the run created and did not execute are deleted (with the
//! empty stack a `CREATE` change set made), and each stack the run was deploying is described
//! so the message says which state it is in. A second signal ends the process at once.
//!
//! A run killed outright (SIGKILL) can do none of this; what it leaves is recognized by the
//! next run through [`RunMark`]: every change set carries the host and process id of the run
//! that created it in its description, so a rerun deletes one whose process is gone and
//! refuses (as a conflict) one whose process still runs.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::cloudformation::stacks::Cfn;
use crate::error::{Error, Result};

/// The signal that stopped the run (0 while none has).
static SIGNAL: AtomicUsize = AtomicUsize::new(0);

/// The process groups of the app processes running now.
static CHILDREN: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// The external tools running now (an asset's container build or push, `cargo zigbuild`),
/// each the leader of its own process group, with the name to report.
static TOOLS: Mutex<Vec<(u32, String)>> = Mutex::new(Vec::new());

/// Records a running external tool (the leader of its own process group), stopped with
/// everything it started if the run is interrupted.
pub fn tool_started(pid: u32, name: &str) {
    if let Ok(mut t) = TOOLS.lock() {
        t.push((pid, name.to_owned()));
    }
}

/// Forgets an external tool that ended.
pub fn tool_ended(pid: u32) {
    if let Ok(mut t) = TOOLS.lock() {
        t.retain(|(p, _)| *p != pid);
    }
}

/// Change sets created and not executed, and stacks being deployed.
static WORK: Mutex<Vec<Work>> = Mutex::new(Vec::new());

/// Something an interruption has to clean up or report.
#[derive(Clone, Debug)]
enum Work {
    /// A change set this run created and has not executed.
    ChangeSet {
        cfn: Cfn,
        stack: String,
        stack_id: String,
        change_set_id: String,
        create: bool,
    },
    /// A stack this run is changing (executing, creating, updating, deleting).
    Stack { cfn: Cfn, stack: String },
}

/// Registers SIGINT and SIGTERM. The first one sets the flag [`watch`] acts on; a second
/// one exits at once with status 130.
pub fn install() -> Result<()> {
    let flag = Arc::new(AtomicUsize::new(0));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let first = Arc::new(std::sync::atomic::AtomicBool::new(false));
        signal_hook::flag::register_conditional_shutdown(signal, 130, first.clone())
            .and_then(|_| signal_hook::flag::register(signal, first))
            .and_then(|_| signal_hook::flag::register_usize(signal, flag.clone(), signal as usize))
            .map_err(|e| Error::Internal(format!("cannot handle signal {signal}: {e}")))?;
    }
    // one thread copies the flag into the static the rest of the run reads
    std::thread::spawn(move || {
        loop {
            let s = flag.load(Ordering::SeqCst);
            if s != 0 {
                SIGNAL.store(s, Ordering::SeqCst);
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    Ok(())
}

/// The signal that stopped the run, if one did.
pub fn signalled() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        s => i32::try_from(s).ok(),
    }
}

/// Other flags a signal sets (`watch`'s own stop flag).
static ALSO: Mutex<Vec<Arc<std::sync::atomic::AtomicBool>>> = Mutex::new(Vec::new());

/// Makes [`stopping`] true when `flag` is set too (`watch` stops on its own flag; the app it
/// is running must stop with it).
pub fn stop_also_on(flag: Arc<std::sync::atomic::AtomicBool>) {
    if let Ok(mut a) = ALSO.lock() {
        a.push(flag);
    }
}

/// Whether the run is being stopped by a signal: the app must not be waited for.
pub fn stopping() -> bool {
    signalled().is_some()
        || ALSO
            .lock()
            .is_ok_and(|a| a.iter().any(|f| f.load(Ordering::SeqCst)))
}

/// The signal's name.
pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        signal_hook::consts::SIGINT => "SIGINT",
        signal_hook::consts::SIGTERM => "SIGTERM",
        _ => "a signal",
    }
}

/// Records a running app process (the leader of its own process group).
pub fn child_started(pid: u32) {
    if let Ok(mut c) = CHILDREN.lock() {
        c.push(pid);
    }
}

/// App processes stopped because of a signal (reported by [`watch`]).
static STOPPED: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Stops an app process (its group) because the run is being stopped, and records it.
pub fn stop_app(pid: u32) {
    stop_group(pid, Duration::from_secs(2));
    if let Ok(mut s) = STOPPED.lock() {
        s.push(pid);
    }
}

/// Forgets an app process that ended.
pub fn child_ended(pid: u32) {
    if let Ok(mut c) = CHILDREN.lock() {
        c.retain(|p| *p != pid);
    }
}

/// Stops a process group: SIGTERM, then SIGKILL after `grace` if its leader still runs.
pub fn stop_group(pid: u32, grace: Duration) {
    let group = format!("-{pid}");
    let _ = std::process::Command::new("kill")
        .args(["-TERM", "--", &group])
        .stderr(std::process::Stdio::null())
        .status();
    let until = std::time::Instant::now() + grace;
    while std::time::Instant::now() < until && alive(pid) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = std::process::Command::new("kill")
        .args(["-KILL", "--", &group])
        .stderr(std::process::Stdio::null())
        .status();
}

/// Whether a process of this machine runs (a zombie, ended but not reaped, does not).
pub fn alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        return match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            // `pid (comm) state ...`; comm may hold spaces and parentheses
            Ok(stat) => stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .is_some_and(|state| state != "Z" && state != "X"),
            Err(_) => false,
        };
    }
    std::process::Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Records a change set this run created and has not executed.
pub fn change_set_created(
    cfn: &Cfn,
    stack: &str,
    stack_id: &str,
    change_set_id: &str,
    create: bool,
) {
    if let Ok(mut w) = WORK.lock() {
        w.push(Work::ChangeSet {
            cfn: cfn.clone(),
            stack: stack.to_owned(),
            stack_id: stack_id.to_owned(),
            change_set_id: change_set_id.to_owned(),
            create,
        });
    }
}

/// Forgets a change set (executed or deleted).
pub fn change_set_done(change_set_id: &str) {
    if let Ok(mut w) = WORK.lock() {
        w.retain(
            |x| !matches!(x, Work::ChangeSet { change_set_id: id, .. } if id == change_set_id),
        );
    }
}

/// Records a stack this run is changing.
pub fn stack_started(cfn: &Cfn, stack: &str) {
    if let Ok(mut w) = WORK.lock() {
        w.push(Work::Stack {
            cfn: cfn.clone(),
            stack: stack.to_owned(),
        });
    }
}

/// Forgets a stack whose operation this run saw end.
pub fn stack_done(stack: &str) {
    if let Ok(mut w) = WORK.lock() {
        w.retain(|x| !matches!(x, Work::Stack { stack: s, .. } if s == stack));
    }
}

/// Each stack once, at its first entry, wherever its other entries are: a stack's change set
/// and the stack itself are registered by different steps, not necessarily one after the other.
fn once_each<T>(mut stacks: Vec<(T, String)>) -> Vec<(T, String)> {
    let mut seen = std::collections::BTreeSet::new();
    stacks.retain(|(_, stack)| seen.insert(stack.clone()));
    stacks
}

/// Waits for a signal, then cleans up what the run leaves, prints what state it leaves each
/// stack in, and exits (130 after SIGINT, 143 after SIGTERM). Spawned by `main`.
pub async fn watch() {
    let signal = loop {
        if let Some(s) = signalled() {
            break s;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let running: Vec<u32> = CHILDREN.lock().map(|c| c.clone()).unwrap_or_default();
    for pid in &running {
        stop_app(*pid);
    }
    let tools: Vec<(u32, String)> = TOOLS.lock().map(|t| t.clone()).unwrap_or_default();
    for (pid, _) in &tools {
        stop_group(*pid, Duration::from_secs(2));
    }
    let mut children: Vec<u32> = STOPPED.lock().map(|s| s.clone()).unwrap_or_default();
    children.sort_unstable();
    children.dedup();
    lines_push(&format!(
        "interrupted by {}; cloudwright stopped",
        signal_name(signal)
    ));
    for (pid, name) in &tools {
        lines_push(&format!("  stopped {name} (process {pid})"));
    }
    if !children.is_empty() {
        lines_push(&format!(
            "  stopped the app (process {})",
            children
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let work: Vec<Work> = WORK.lock().map(|w| w.clone()).unwrap_or_default();
    // bounded: a cleanup that cannot reach AWS must not keep the process alive
    let cleanup = async {
        let mut stacks: Vec<(Cfn, String)> = Vec::new();
        for w in work {
            match w {
                Work::ChangeSet {
                    cfn,
                    stack,
                    stack_id,
                    change_set_id,
                    create,
                } => {
                    let line =
                        delete_change_set(&cfn, &stack, &stack_id, &change_set_id, create).await;
                    lines_push(&line);
                    stacks.push((cfn, stack));
                }
                Work::Stack { cfn, stack } => stacks.push((cfn, stack)),
            }
        }
        for (cfn, stack) in once_each(stacks) {
            let state = match crate::cloudformation::stacks::describe(&cfn, &stack).await {
                Ok(Some(info)) => format!("is {}", info.status),
                Ok(None) => "does not exist".to_owned(),
                Err(e) => format!("could not be described ({e})"),
            };
            lines_push(&format!(
                "  stack `{stack}` {state}{}",
                if state.contains("_IN_PROGRESS") && !state.contains("REVIEW") {
                    "; CloudFormation goes on with it: `cloudwright deploy` again waits for it and converges"
                } else {
                    ""
                }
            ));
        }
    };
    let done = tokio::time::timeout(Duration::from_secs(15), cleanup).await;
    for l in PENDING_LINES.lock().map(|l| l.clone()).unwrap_or_default() {
        eprintln!("{l}");
    }
    if done.is_err() {
        eprintln!(
            "  the cleanup did not finish within 15 s; run `cloudwright deploy` again to converge"
        );
    }
    crate::app::run_dir::remove_live();
    std::process::exit(128 + signal);
}

static PENDING_LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn lines_push(line: &str) {
    if let Ok(mut l) = PENDING_LINES.lock() {
        l.push(line.to_owned());
    }
}

/// Deletes a change set that was never executed (and the empty stack a `CREATE` change set
/// made); returns a line saying what was done.
pub async fn delete_change_set(
    cfn: &Cfn,
    stack: &str,
    stack_id: &str,
    change_set_id: &str,
    create: bool,
) -> String {
    let deleted = cfn
        .client
        .delete_change_set()
        .change_set_name(change_set_id)
        .stack_name(stack_id)
        .send()
        .await;
    let mut line = match deleted {
        Ok(_) => format!("  deleted the unexecuted change set of stack `{stack}`"),
        Err(e) => format!(
            "  could not delete the change set {change_set_id} of stack `{stack}` ({})",
            cfn.error("DeleteChangeSet", e)
        ),
    };
    if create {
        // a CREATE change set leaves an empty stack in REVIEW_IN_PROGRESS
        match cfn.client.delete_stack().stack_name(stack_id).send().await {
            Ok(_) => line.push_str(" and the empty stack it made"),
            Err(e) => line.push_str(&format!(
                "; could not delete the empty stack ({})",
                cfn.error("DeleteStack", e)
            )),
        }
    }
    line
}

/// Who created a change set: `run <host>:<pid>` in its description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunMark {
    /// The host name.
    pub host: String,
    /// The process id.
    pub pid: u32,
}

impl RunMark {
    /// This process.
    pub fn this() -> RunMark {
        RunMark {
            host: host_name(),
            pid: std::process::id(),
        }
    }

    /// The text put in a change set's description.
    pub fn text(&self) -> String {
        format!("[run {}:{}]", self.host, self.pid)
    }

    /// The mark in a description, if it has one.
    pub fn parse(description: &str) -> Option<RunMark> {
        let rest = description.split("[run ").nth(1)?;
        let inner = rest.split(']').next()?;
        let (host, pid) = inner.rsplit_once(':')?;
        Some(RunMark {
            host: host.to_owned(),
            pid: pid.parse().ok()?,
        })
    }

    /// Whether the run that made the mark still runs: `Some` on this host, `None` when it ran
    /// on another host (nothing here can tell).
    pub fn running(&self) -> Option<bool> {
        (self.host == host_name()).then(|| alive(self.pid))
    }
}

/// This machine's host name (`unknown` when it cannot be read).
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_stack_is_reported_once_at_its_first_entry_wherever_the_others_are() {
        let stacks = vec![
            (1, "Api".to_owned()),
            (2, "Net".to_owned()),
            (3, "Api".to_owned()),
            (4, "Net".to_owned()),
            (5, "Data".to_owned()),
        ];
        let once: Vec<(i32, String)> = once_each(stacks);
        assert_eq!(
            once,
            vec![
                (1, "Api".to_owned()),
                (2, "Net".to_owned()),
                (5, "Data".to_owned())
            ]
        );
    }

    #[test]
    fn run_marks_round_trip() {
        let m = RunMark {
            host: "build-1".into(),
            pid: 4242,
        };
        let d = format!("cloudwright deploy of Api {}", m.text());
        assert_eq!(RunMark::parse(&d), Some(m));
        assert_eq!(RunMark::parse("cloudwright deploy of Api"), None);
        assert_eq!(RunMark::parse("[run x:notapid]"), None);
        let me = RunMark::this();
        assert_eq!(me.running(), Some(true));
        let gone = RunMark {
            host: me.host.clone(),
            pid: u32::MAX - 1,
        };
        assert_eq!(gone.running(), Some(false));
        let elsewhere = RunMark {
            host: format!("{}-other", me.host),
            pid: 1,
        };
        assert_eq!(elsewhere.running(), None);
    }
}
