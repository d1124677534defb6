//! The external tools asset publishing runs (the container tool's build, tag, login and push;
//! `cargo zigbuild` for a Rust function): each runs in a process group of its own, is stopped
//! with everything it started when the run gets SIGINT or SIGTERM (as the app is,
//! [`crate::interrupt`]), and is stopped after the command's `--timeout`
//! ([`crate::aws::Aws::overall`]), so a hung build cannot keep a deploy alive.

use std::process::{Output, Stdio};
use std::time::Duration;

use tokio::io::AsyncWriteExt;

/// How a tool run ended.
#[derive(Debug)]
pub enum Ended {
    /// It exited (successfully or not) with this output.
    Exited(Output),
    /// It ran past the timeout and was stopped with its process group.
    TimedOut(Duration),
}

/// Runs `command` (its standard output and error captured, `stdin` written to its input), for
/// at most `timeout`. `name` is what an interruption reports it stopped.
pub async fn run(
    mut command: tokio::process::Command,
    name: &str,
    stdin: Option<&[u8]>,
    timeout: Option<Duration>,
) -> std::io::Result<Ended> {
    command
        .process_group(0)
        .kill_on_drop(true)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn()?;
    let pid = child.id();
    if let Some(pid) = pid {
        crate::interrupt::tool_started(pid, name);
    }
    if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // a tool that exits without reading its input shows that in its status
        let _ = pipe.write_all(bytes).await;
        drop(pipe);
    }
    let waited = match timeout {
        Some(limit) => tokio::time::timeout(limit, child.wait_with_output())
            .await
            .map_err(|_| limit),
        None => Ok(child.wait_with_output().await),
    };
    let ended = match waited {
        Ok(output) => output.map(Ended::Exited),
        Err(limit) => {
            // the leader was killed when its wait was dropped; what it started goes too
            if let Some(pid) = pid {
                let _ = tokio::task::spawn_blocking(move || {
                    crate::interrupt::stop_group(pid, Duration::from_secs(2));
                })
                .await;
            }
            Ok(Ended::TimedOut(limit))
        }
    };
    if let Some(pid) = pid {
        crate::interrupt::tool_ended(pid);
    }
    ended
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_tool_over_its_timeout_is_stopped_with_what_it_started() {
        let dir = std::env::temp_dir().join(format!("cw-tool-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pids = dir.join("pids");
        let mut command = tokio::process::Command::new("sh");
        command.arg("-c").arg(format!(
            "sleep 120 & echo $! > {p}; echo $$ >> {p}; wait",
            p = pids.display()
        ));
        let started = std::time::Instant::now();
        let ended = run(command, "a test tool", None, Some(Duration::from_secs(1)))
            .await
            .unwrap();
        assert!(matches!(ended, Ended::TimedOut(_)), "{ended:?}");
        assert!(started.elapsed() < Duration::from_secs(10));
        for pid in std::fs::read_to_string(&pids).unwrap().split_whitespace() {
            let pid: u32 = pid.parse().unwrap();
            assert!(
                !crate::interrupt::alive(pid),
                "process {pid} of the tool still runs"
            );
        }
        // a tool that finishes in time gives its output, its input written
        let mut command = tokio::process::Command::new("cat");
        command.arg("-");
        match run(
            command,
            "cat",
            Some(b"hello"),
            Some(Duration::from_secs(30)),
        )
        .await
        .unwrap()
        {
            Ended::Exited(out) => assert_eq!(out.stdout, b"hello"),
            other => panic!("{other:?}"),
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
