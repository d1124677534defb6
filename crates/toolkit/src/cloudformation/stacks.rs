//! CloudFormation stack calls shared by deploy, diff and destroy: describing a stack, its
//! deployed template, following its events, and waiting for it to settle.

use std::time::{Duration, Instant};

use aws_sdk_cloudformation::primitives::DateTimeFormat;
use aws_sdk_cloudformation::types::TemplateStage;

use crate::aws::{Api, service_error};
use crate::cloudformation::events::{EventWatch, StackEvent, StackReporter};
use crate::error::{Error, Result};

/// A CloudFormation client with its region.
pub type Cfn = Api<aws_sdk_cloudformation::Client>;

/// A deployed stack as far as the toolkit cares.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StackInfo {
    /// The stack id (ARN).
    pub id: String,
    /// The stack name.
    pub name: String,
    /// Its status.
    pub status: String,
    /// The status reason, if any.
    pub reason: Option<String>,
    /// Outputs: key, value, export name.
    pub outputs: Vec<(String, String, Option<String>)>,
    /// The names of its parameters.
    pub parameters: Vec<String>,
    /// Its tags.
    pub tags: Vec<(String, String)>,
}

/// A CloudFormation stack status, typed: what the deploy decides on is matched as variants,
/// not as strings. Statuses this toolkit does not act on specially are [`StackStatus::Other`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StackStatus {
    /// `CREATE_COMPLETE`.
    CreateComplete,
    /// `UPDATE_COMPLETE`.
    UpdateComplete,
    /// `IMPORT_COMPLETE`.
    ImportComplete,
    /// `REVIEW_IN_PROGRESS`: a stack that only holds a change set never executed.
    ReviewInProgress,
    /// `ROLLBACK_COMPLETE`: a create that failed and rolled back; only deletion is possible.
    RollbackComplete,
    /// `DELETE_COMPLETE`.
    DeleteComplete,
    /// `ROLLBACK_FAILED`: a failed create whose rollback failed too ([`StackStatus::stuck`]).
    RollbackFailed,
    /// `DELETE_FAILED` ([`StackStatus::stuck`]).
    DeleteFailed,
    /// `IMPORT_ROLLBACK_FAILED` ([`StackStatus::stuck`]).
    ImportRollbackFailed,
    /// `UPDATE_ROLLBACK_FAILED`: the rollback must be continued first.
    UpdateRollbackFailed,
    /// `UPDATE_ROLLBACK_COMPLETE`: a failed update, rolled back; deployable again.
    UpdateRollbackComplete,
    /// `CREATE_FAILED`: a create that failed without rolling back.
    CreateFailed,
    /// `UPDATE_FAILED`: an update that failed without rolling back.
    UpdateFailed,
    /// Any other `*_IN_PROGRESS`: an operation that must finish first.
    InProgress(String),
    /// Any other settled status (`IMPORT_ROLLBACK_COMPLETE`, ...).
    Other(String),
}

impl StackStatus {
    /// Reads CloudFormation's status text.
    pub fn parse(status: &str) -> StackStatus {
        match status {
            "CREATE_COMPLETE" => StackStatus::CreateComplete,
            "UPDATE_COMPLETE" => StackStatus::UpdateComplete,
            "IMPORT_COMPLETE" => StackStatus::ImportComplete,
            "REVIEW_IN_PROGRESS" => StackStatus::ReviewInProgress,
            "ROLLBACK_COMPLETE" => StackStatus::RollbackComplete,
            "DELETE_COMPLETE" => StackStatus::DeleteComplete,
            "UPDATE_ROLLBACK_FAILED" => StackStatus::UpdateRollbackFailed,
            "ROLLBACK_FAILED" => StackStatus::RollbackFailed,
            "DELETE_FAILED" => StackStatus::DeleteFailed,
            "IMPORT_ROLLBACK_FAILED" => StackStatus::ImportRollbackFailed,
            "UPDATE_ROLLBACK_COMPLETE" => StackStatus::UpdateRollbackComplete,
            "CREATE_FAILED" => StackStatus::CreateFailed,
            "UPDATE_FAILED" => StackStatus::UpdateFailed,
            s if s.ends_with("_IN_PROGRESS") => StackStatus::InProgress(s.to_owned()),
            s => StackStatus::Other(s.to_owned()),
        }
    }

    /// CloudFormation's text for it.
    pub fn as_str(&self) -> &str {
        match self {
            StackStatus::CreateComplete => "CREATE_COMPLETE",
            StackStatus::UpdateComplete => "UPDATE_COMPLETE",
            StackStatus::ImportComplete => "IMPORT_COMPLETE",
            StackStatus::ReviewInProgress => "REVIEW_IN_PROGRESS",
            StackStatus::RollbackComplete => "ROLLBACK_COMPLETE",
            StackStatus::DeleteComplete => "DELETE_COMPLETE",
            StackStatus::UpdateRollbackFailed => "UPDATE_ROLLBACK_FAILED",
            StackStatus::RollbackFailed => "ROLLBACK_FAILED",
            StackStatus::DeleteFailed => "DELETE_FAILED",
            StackStatus::ImportRollbackFailed => "IMPORT_ROLLBACK_FAILED",
            StackStatus::UpdateRollbackComplete => "UPDATE_ROLLBACK_COMPLETE",
            StackStatus::CreateFailed => "CREATE_FAILED",
            StackStatus::UpdateFailed => "UPDATE_FAILED",
            StackStatus::InProgress(s) | StackStatus::Other(s) => s,
        }
    }

    /// Whether a deploy ended well in this status.
    pub fn succeeded(&self) -> bool {
        matches!(
            self,
            StackStatus::CreateComplete | StackStatus::UpdateComplete | StackStatus::ImportComplete
        )
    }

    /// Whether an operation is running that must end before another starts.
    pub fn busy(&self) -> bool {
        matches!(self, StackStatus::InProgress(_))
    }

    /// Whether the status is not final (`*_IN_PROGRESS`, `REVIEW_IN_PROGRESS` included).
    pub fn in_progress(&self) -> bool {
        matches!(
            self,
            StackStatus::InProgress(_) | StackStatus::ReviewInProgress
        )
    }

    /// A failure nothing can be deployed onto (only deletion helps): `ROLLBACK_FAILED`,
    /// `DELETE_FAILED`, `IMPORT_ROLLBACK_FAILED`.
    pub fn stuck(&self) -> bool {
        matches!(
            self,
            StackStatus::RollbackFailed
                | StackStatus::DeleteFailed
                | StackStatus::ImportRollbackFailed
        )
    }
}

impl std::fmt::Display for StackStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl StackInfo {
    /// Its status, typed.
    pub fn state(&self) -> StackStatus {
        StackStatus::parse(&self.status)
    }
}

/// Describes a stack by name or id; `None` when it does not exist.
pub async fn describe(cfn: &Cfn, name_or_id: &str) -> Result<Option<StackInfo>> {
    let out = match cfn
        .client
        .describe_stacks()
        .stack_name(name_or_id)
        .send()
        .await
    {
        Ok(o) => o,
        Err(e)
            if service_error(&e)
                .is_some_and(|(c, m)| c == "ValidationError" && m.contains("does not exist")) =>
        {
            return Ok(None);
        }
        Err(e) => return Err(cfn.error("DescribeStacks", e)),
    };
    Ok(out.stacks().first().map(|s| StackInfo {
        id: s.stack_id().unwrap_or_default().to_owned(),
        name: s.stack_name().unwrap_or_default().to_owned(),
        status: s
            .stack_status()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        reason: s.stack_status_reason().map(str::to_owned),
        outputs: s
            .outputs()
            .iter()
            .map(|o| {
                (
                    o.output_key().unwrap_or_default().to_owned(),
                    o.output_value().unwrap_or_default().to_owned(),
                    o.export_name().map(str::to_owned),
                )
            })
            .collect(),
        parameters: s
            .parameters()
            .iter()
            .filter_map(|p| p.parameter_key().map(str::to_owned))
            .collect(),
        tags: s
            .tags()
            .iter()
            .map(|t| {
                (
                    t.key().unwrap_or_default().to_owned(),
                    t.value().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
    }))
}

/// The deployed template's text (`None` when the stack does not exist).
pub async fn deployed_template(cfn: &Cfn, name_or_id: &str) -> Result<Option<String>> {
    match cfn
        .client
        .get_template()
        .stack_name(name_or_id)
        .template_stage(TemplateStage::Original)
        .send()
        .await
    {
        Ok(o) => Ok(o.template_body().map(str::to_owned)),
        Err(e)
            if service_error(&e)
                .is_some_and(|(c, m)| c == "ValidationError" && m.contains("does not exist")) =>
        {
            Ok(None)
        }
        Err(e) => Err(cfn.error("GetTemplate", e)),
    }
}

fn convert(e: &aws_sdk_cloudformation::types::StackEvent) -> StackEvent {
    StackEvent {
        event_id: e.event_id().unwrap_or_default().to_owned(),
        stack_name: e.stack_name().unwrap_or_default().to_owned(),
        logical_resource_id: e.logical_resource_id().unwrap_or_default().to_owned(),
        physical_resource_id: e.physical_resource_id().map(str::to_owned),
        resource_type: e.resource_type().unwrap_or_default().to_owned(),
        timestamp: e
            .timestamp()
            .and_then(|t| t.fmt(DateTimeFormat::DateTime).ok())
            .unwrap_or_default(),
        resource_status: e
            .resource_status()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        resource_status_reason: e.resource_status_reason().map(str::to_owned),
    }
}

/// The newest event of a stack, the watermark for an operation about to start.
pub async fn newest_event(cfn: &Cfn, stack_id: &str) -> Result<Option<String>> {
    let out = cfn
        .client
        .describe_stack_events()
        .stack_name(stack_id)
        .send()
        .await
        .map_err(|e| cfn.error("DescribeStackEvents", e))?;
    Ok(out
        .stack_events()
        .first()
        .and_then(|e| e.event_id())
        .map(str::to_owned))
}

/// Reads events newer than the watch has seen (following pages until known events).
pub async fn new_events(
    cfn: &Cfn,
    stack_id: &str,
    watch: &mut EventWatch,
) -> Result<Vec<StackEvent>> {
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = cfn
            .client
            .describe_stack_events()
            .stack_name(stack_id)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| cfn.error("DescribeStackEvents", e))?;
        let page: Vec<StackEvent> = out.stack_events().iter().map(convert).collect();
        let (new, reached) = watch.take(&page);
        // pages come newest first: older pages go before what is already collected
        let mut merged = new;
        merged.append(&mut all);
        all = merged;
        token = out.next_token().map(str::to_owned);
        if reached || token.is_none() {
            return Ok(all);
        }
    }
}

/// Delays between polls: quick at first (local endpoints finish at once), then every 5 s.
#[derive(Clone, Debug, Default)]
pub struct Backoff(usize);

impl Backoff {
    /// The next delay.
    pub fn next_delay(&mut self) -> Duration {
        const STEPS: [u64; 6] = [200, 500, 1000, 2000, 3000, 5000];
        let d = STEPS[self.0.min(STEPS.len() - 1)];
        self.0 += 1;
        Duration::from_millis(d)
    }
}

/// Polls a stack until its status is no longer in progress, showing its events; returns the
/// final state. `None` when the stack disappeared (a delete that finished).
pub async fn wait_settled(
    cfn: &Cfn,
    stack_id: &str,
    stack_name: &str,
    watch: &mut EventWatch,
    reporter: &mut StackReporter,
    deadline: Instant,
    timeout: Duration,
) -> Result<Option<StackInfo>> {
    let mut backoff = Backoff::default();
    loop {
        let info = describe(cfn, stack_id).await?;
        let events = new_events(cfn, stack_id, watch).await.or_else(|e| {
            // a deleted stack may have no events to read any more
            if info.is_none() {
                Ok(Vec::new())
            } else {
                Err(e)
            }
        })?;
        reporter.events(events);
        match info {
            None => return Ok(None),
            Some(info) if !info.state().in_progress() => return Ok(Some(info)),
            Some(info) => {
                if Instant::now() >= deadline {
                    return Err(Error::Timeout {
                        stack: stack_name.to_owned(),
                        status: info.status,
                        seconds: timeout.as_secs(),
                    });
                }
            }
        }
        tokio::time::sleep(backoff.next_delay()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_statuses_are_typed() {
        for s in [
            "CREATE_COMPLETE",
            "UPDATE_COMPLETE",
            "REVIEW_IN_PROGRESS",
            "ROLLBACK_COMPLETE",
            "UPDATE_ROLLBACK_FAILED",
            "DELETE_FAILED",
            "UPDATE_IN_PROGRESS",
            "UPDATE_ROLLBACK_COMPLETE",
        ] {
            assert_eq!(StackStatus::parse(s).as_str(), s);
        }
        assert!(StackStatus::parse("UPDATE_COMPLETE").succeeded());
        assert!(!StackStatus::parse("UPDATE_ROLLBACK_COMPLETE").succeeded());
        assert!(StackStatus::parse("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS").busy());
        assert!(!StackStatus::parse("REVIEW_IN_PROGRESS").busy());
        assert_eq!(
            StackStatus::parse("DELETE_FAILED"),
            StackStatus::DeleteFailed
        );
        assert!(StackStatus::DeleteFailed.stuck());
        assert!(!StackStatus::UpdateRollbackFailed.stuck());
        assert!(StackStatus::parse("REVIEW_IN_PROGRESS").in_progress());
        assert!(!StackStatus::parse("ROLLBACK_COMPLETE").in_progress());
        // every status this toolkit names reads back as the same text
        for s in [
            "CREATE_COMPLETE",
            "UPDATE_COMPLETE",
            "IMPORT_COMPLETE",
            "REVIEW_IN_PROGRESS",
            "ROLLBACK_COMPLETE",
            "DELETE_COMPLETE",
            "ROLLBACK_FAILED",
            "DELETE_FAILED",
            "IMPORT_ROLLBACK_FAILED",
            "UPDATE_ROLLBACK_FAILED",
            "UPDATE_ROLLBACK_COMPLETE",
            "CREATE_FAILED",
            "UPDATE_FAILED",
            "CREATE_IN_PROGRESS",
            "IMPORT_ROLLBACK_COMPLETE",
        ] {
            assert_eq!(StackStatus::parse(s).as_str(), s);
        }
    }
}
