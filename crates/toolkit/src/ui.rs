//! Talking to the user: confirmation prompts and tables.

use std::io::{BufRead, IsTerminal, Write};

use tokio::sync::Mutex;

use crate::cloudformation::events::Reporter;
use crate::error::{Error, Result};

/// Shows `text`, then asks `question`, unless `yes`. Without a terminal on stdin (and without
/// `yes`) it is an error telling to pass `--yes`. Prompts of concurrent stacks take turns.
pub async fn confirm(
    reporter: &Reporter,
    turn: &Mutex<()>,
    yes: bool,
    text: &str,
    question: &str,
    action: &str,
) -> Result<()> {
    let _turn = turn.lock().await;
    if yes {
        if !text.is_empty() {
            reporter.println(text);
        }
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        if !text.is_empty() {
            reporter.println(text);
        }
        return Err(Error::ConfirmationRequired {
            action: action.to_owned(),
        });
    }
    let reporter = reporter.clone();
    let text = text.to_owned();
    let question = question.to_owned();
    let answer = tokio::task::spawn_blocking(move || {
        reporter.suspend(|| {
            let mut out = std::io::stdout().lock();
            if !text.is_empty() {
                let _ = writeln!(out, "{text}");
            }
            let _ = write!(out, "{question} [y/N] ");
            let _ = out.flush();
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).map(|_| line)
        })
    })
    .await
    .map_err(|e| Error::Internal(format!("the prompt failed: {e}")))?
    .map_err(Error::read("standard input"))?;
    if is_yes(&answer) {
        Ok(())
    } else {
        Err(Error::Declined {
            action: action.to_owned(),
        })
    }
}

/// Whether an answer means yes.
pub fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// A plain text table with a header, columns padded to their widest cell.
pub fn table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> String {
    let mut widths = header.map(str::len);
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::from("  ");
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == N {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}  ", w = widths[i]));
            }
        }
        s.trim_end().to_owned() + "\n"
    };
    let mut out = line(header.to_vec());
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_tables() {
        let t = table(
            &["Action", "LogicalId", "Replacement"],
            &[
                ["Add".into(), "Subnet".into(), "-".into()],
                ["Modify".into(), "Vpc".into(), "True".into()],
            ],
        );
        assert_eq!(
            t,
            "  Action  LogicalId  Replacement\n  Add     Subnet     -\n  Modify  Vpc        True\n"
        );
    }

    #[test]
    fn reads_answers() {
        assert!(is_yes("y\n") && is_yes(" YES ") && !is_yes("") && !is_yes("no"));
    }
}
