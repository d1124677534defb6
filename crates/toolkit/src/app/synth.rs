//! Synthesis with lookups: run the app; when it reports missing context, perform those
//! lookups, write them into the context file, and run it again (a bounded number of rounds).
//! Also `lookup`, which fills or refreshes every lookup key of the app.

use std::collections::BTreeSet;

use cloudwright_core::ContextQuery;

use crate::app::assembly::CloudAssembly;
use crate::app::context_file::ContextFile;
use crate::app::lookup;
use crate::app::run_dir::RunDir;
use crate::app::runner::{AppOutcome, run_app};
use crate::aws::Aws;
use crate::config::Settings;
use crate::error::{Error, Result};

/// The most app runs one synthesis makes (each may fill several lookups).
pub const MAX_ROUNDS: usize = 10;

/// Where output goes.
pub trait Say {
    /// Prints one line for the user.
    fn say(&self, line: &str);
}

/// Prints to stdout.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stdout;

impl Say for Stdout {
    fn say(&self, line: &str) {
        println!("{line}");
    }
}

/// Prints to stderr (when stdout carries data, such as a diff).
#[derive(Clone, Copy, Debug, Default)]
pub struct Stderr;

impl Say for Stderr {
    fn say(&self, line: &str) {
        eprintln!("{line}");
    }
}

/// Runs lookups and records their values in the context file.
async fn fill(
    aws: &Aws,
    settings: &Settings,
    queries: &[(String, ContextQuery)],
    out: &dyn Say,
) -> Result<()> {
    for (key, _) in queries {
        out.say(&format!("looking up {key}"));
    }
    let accounts = crate::aws::accounts::Accounts::new(aws, &settings.accounts);
    let (found, failure) = lookup::perform_all(&accounts, queries).await;
    if !found.values.is_empty() {
        // under the file's lock: a concurrent run's values are merged, never overwritten
        ContextFile::update(&settings.context_file, |file| file.record(&found))?;
        out.say(&format!(
            "wrote {} context value{} to {}",
            found.values.len(),
            if found.values.len() == 1 { "" } else { "s" },
            settings.context_file.display()
        ));
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Runs the app until it synthesizes, performing the lookups it reports missing in between.
/// Returns the app's summary output with the assembly.
pub async fn synthesize(
    aws: &Aws,
    settings: &Settings,
    out: &dyn Say,
) -> Result<(CloudAssembly, String)> {
    let app = settings.app.as_ref().ok_or(Error::NoApp)?;
    // the app writes into this run's own directory: what this command deploys is what this
    // run synthesized, whatever another synthesis does to the project's out directory
    let run = RunDir::create(&settings.out)?;
    let run_settings = Settings {
        out: run.assembly(),
        ..settings.clone()
    };
    let mut filled: BTreeSet<String> = BTreeSet::new();
    for _ in 0..MAX_ROUNDS {
        match run_app(app, &run_settings, false)? {
            AppOutcome::Synthesized { stdout, warnings } => {
                for w in warnings {
                    eprintln!("{w}");
                }
                // the summary names the project's out directory, where the assembly goes
                let stdout = stdout.replace(
                    &run.assembly().display().to_string(),
                    &settings.out.display().to_string(),
                );
                let assembly = CloudAssembly::read_run(run)?;
                if let Some(run) = assembly.run_dir() {
                    run.publish(&settings.out)?;
                }
                return Ok((assembly, stdout));
            }
            AppOutcome::Missing(missing) => {
                let again: Vec<&str> = missing
                    .iter()
                    .filter(|m| filled.contains(&m.key))
                    .map(|m| m.key.as_str())
                    .collect();
                if !again.is_empty() {
                    return Err(Error::LookupRounds {
                        rounds: filled.len(),
                        keys: again.join(", "),
                        context_file: settings.context_file.clone(),
                    });
                }
                let queries: Vec<(String, ContextQuery)> =
                    missing.into_iter().map(|m| (m.key, m.query)).collect();
                filled.extend(queries.iter().map(|(k, _)| k.clone()));
                fill(aws, settings, &queries, out).await?;
            }
        }
    }
    Err(Error::LookupRounds {
        rounds: MAX_ROUNDS,
        keys: filled.into_iter().collect::<Vec<_>>().join(", "),
        context_file: settings.context_file.clone(),
    })
}

/// The assembly to work on: the one named by `--assembly`, or the app's, synthesized (with
/// lookups) first.
pub async fn assembly(aws: &Aws, settings: &Settings, out: &dyn Say) -> Result<CloudAssembly> {
    match &settings.assembly {
        Some(dir) => CloudAssembly::read(dir),
        None => Ok(synthesize(aws, settings, out).await?.0),
    }
}

/// `cloudwright lookup`: with `refresh`, performs again every lookup key already in the
/// context file; then fills every key the app still reports missing. Returns how many keys
/// were looked up.
pub async fn lookup(aws: &Aws, settings: &Settings, refresh: bool, out: &dyn Say) -> Result<usize> {
    let mut count = 0;
    if refresh {
        let file = ContextFile::read(&settings.context_file)?;
        let queries: Vec<(String, ContextQuery)> = file
            .values
            .keys()
            .filter_map(|k| lookup::parse_key(k).map(|q| (k.clone(), q)))
            .collect();
        if queries.is_empty() {
            out.say(&format!(
                "{} has no lookup keys to refresh",
                settings.context_file.display()
            ));
        }
        count += queries.len();
        fill(aws, settings, &queries, out).await?;
    }
    let Some(app) = settings.app.as_ref() else {
        if refresh {
            return Ok(count);
        }
        return Err(Error::NoApp);
    };
    let mut filled: BTreeSet<String> = BTreeSet::new();
    for _ in 0..MAX_ROUNDS {
        match run_app(app, settings, true)? {
            AppOutcome::Synthesized { .. } => {
                if count == 0 {
                    out.say("every lookup the app needs is in the context file");
                }
                return Ok(count);
            }
            AppOutcome::Missing(missing) => {
                let queries: Vec<(String, ContextQuery)> = missing
                    .into_iter()
                    .filter(|m| !filled.contains(&m.key))
                    .map(|m| (m.key, m.query))
                    .collect();
                if queries.is_empty() {
                    return Err(Error::LookupRounds {
                        rounds: filled.len(),
                        keys: filled.into_iter().collect::<Vec<_>>().join(", "),
                        context_file: settings.context_file.clone(),
                    });
                }
                filled.extend(queries.iter().map(|(k, _)| k.clone()));
                count += queries.len();
                fill(aws, settings, &queries, out).await?;
            }
        }
    }
    Err(Error::LookupRounds {
        rounds: MAX_ROUNDS,
        keys: filled.into_iter().collect::<Vec<_>>().join(", "),
        context_file: settings.context_file.clone(),
    })
}
