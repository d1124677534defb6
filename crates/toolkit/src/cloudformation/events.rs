//! Stack events: which are new since an operation began, progress (resources done of total),
//! the first failure and the rollback outcome, and showing them as a progress bar in a
//! terminal or as plain lines otherwise.
//!
//! The interpretation is pure and works on events in CloudFormation's own shape
//! (`DescribeStackEvents`), so it is tested on recorded sequences.

use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::sync::{Arc, Mutex};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Deserialize;

use crate::cloudformation::stacks::StackStatus;

/// The resource type of the stack itself in its own events.
pub const STACK_TYPE: &str = "AWS::CloudFormation::Stack";

/// One stack event, as `DescribeStackEvents` returns it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StackEvent {
    /// Unique id of the event.
    pub event_id: String,
    /// The stack's name.
    pub stack_name: String,
    /// The logical id of the resource (the stack name for the stack itself).
    pub logical_resource_id: String,
    /// The physical id, once known.
    #[serde(default)]
    pub physical_resource_id: Option<String>,
    /// The resource type.
    pub resource_type: String,
    /// When, as RFC 3339 text.
    pub timestamp: String,
    /// `CREATE_IN_PROGRESS`, `CREATE_FAILED`, ...
    pub resource_status: String,
    /// Why, when CloudFormation says.
    #[serde(default)]
    pub resource_status_reason: Option<String>,
}

impl StackEvent {
    /// Whether this is an event of the stack itself rather than of one of its resources.
    pub fn is_stack(&self) -> bool {
        self.resource_type == STACK_TYPE && self.logical_resource_id == self.stack_name
    }

    /// `HH:MM:SS` of the timestamp.
    pub fn time(&self) -> &str {
        self.timestamp
            .split_once('T')
            .map(|(_, t)| t.get(..8).unwrap_or(t))
            .unwrap_or(&self.timestamp)
    }

    /// One line: time, status, type, logical id and reason.
    pub fn line(&self) -> String {
        let mut s = format!(
            "{} | {:<28} | {:<40} | {}",
            self.time(),
            self.resource_status,
            self.resource_type,
            self.logical_resource_id
        );
        if let Some(r) = self
            .resource_status_reason
            .as_deref()
            .filter(|r| !r.is_empty())
        {
            s.push_str(&format!(" | {r}"));
        }
        s
    }
}

/// Parses a recorded `DescribeStackEvents` response (`{"StackEvents": [...]}`, newest first).
pub fn parse_recorded(json: &str) -> Result<Vec<StackEvent>, serde_json::Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Page {
        stack_events: Vec<StackEvent>,
    }
    serde_json::from_str::<Page>(json).map(|p| p.stack_events)
}

/// Whether a stack or resource status is still in progress.
pub fn in_progress(status: &str) -> bool {
    status.ends_with("_IN_PROGRESS")
}

/// Tracks which events are new since an operation began. CloudFormation lists events newest
/// first; the watermark is the newest event that existed before the operation.
#[derive(Clone, Debug, Default)]
pub struct EventWatch {
    watermark: Option<String>,
    seen: HashSet<String>,
    reached_watermark: bool,
}

impl EventWatch {
    /// Watches for events newer than `watermark` (all events when `None`: a new stack).
    pub fn since(watermark: Option<String>) -> Self {
        EventWatch {
            watermark,
            seen: HashSet::new(),
            reached_watermark: false,
        }
    }

    /// Takes one page (newest first). Returns the new events, oldest first, and whether the
    /// page reached events already known (so older pages need not be read).
    pub fn take(&mut self, newest_first: &[StackEvent]) -> (Vec<StackEvent>, bool) {
        let mut new = Vec::new();
        let mut reached = false;
        for e in newest_first {
            if Some(&e.event_id) == self.watermark.as_ref() {
                self.reached_watermark = true;
                reached = true;
                break;
            }
            if self.seen.contains(&e.event_id) {
                reached = true;
                break;
            }
            new.push(e.clone());
        }
        for e in &new {
            self.seen.insert(e.event_id.clone());
        }
        new.reverse();
        (new, reached)
    }
}

/// Resources done of total, from the events of one operation.
#[derive(Clone, Debug, Default)]
pub struct Progress {
    total: usize,
    done: BTreeSet<String>,
}

impl Progress {
    /// Progress over `total` resources.
    pub fn new(total: usize) -> Self {
        Progress {
            total,
            done: BTreeSet::new(),
        }
    }

    /// Counts a resource done when it reaches a final status.
    pub fn observe(&mut self, e: &StackEvent) {
        if !e.is_stack() && !in_progress(&e.resource_status) {
            self.done.insert(e.logical_resource_id.clone());
        }
    }

    /// Resources done so far (at most the total).
    pub fn done(&self) -> usize {
        self.done.len().min(self.total)
    }

    /// The total.
    pub fn total(&self) -> usize {
        self.total.max(self.done.len())
    }
}

/// The first failure of an operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The logical id of the resource (or the stack).
    pub logical_id: String,
    /// Its type.
    pub resource_type: String,
    /// The failed status.
    pub status: String,
    /// CloudFormation's reason.
    pub reason: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.resource_type == STACK_TYPE {
            write!(f, "{}", self.reason)
        } else {
            write!(
                f,
                "{} ({}) {}: {}",
                self.logical_id, self.resource_type, self.status, self.reason
            )
        }
    }
}

fn is_cancellation(reason: &str) -> bool {
    reason.contains("Resource creation cancelled")
        || reason.contains("Resource update cancelled")
        || reason.contains("Resource deletion cancelled")
}

/// The first resource that failed, in event order (events oldest first). Cancellations of
/// resources that were in flight when another failed are skipped. Falls back to the stack's
/// own failure reason when no resource reports one.
pub fn first_failure(events: &[StackEvent]) -> Option<Failure> {
    let failure = |e: &StackEvent| Failure {
        logical_id: e.logical_resource_id.clone(),
        resource_type: e.resource_type.clone(),
        status: e.resource_status.clone(),
        reason: e.resource_status_reason.clone().unwrap_or_default(),
    };
    events
        .iter()
        .find(|e| {
            !e.is_stack()
                && e.resource_status.ends_with("_FAILED")
                && !is_cancellation(e.resource_status_reason.as_deref().unwrap_or(""))
        })
        .or_else(|| {
            events.iter().find(|e| {
                !e.is_stack()
                    && e.resource_status.ends_with("_FAILED")
                    && e.resource_status_reason.is_some()
            })
        })
        .or_else(|| {
            events.iter().find(|e| {
                e.is_stack()
                    && (e.resource_status.ends_with("_FAILED")
                        || e.resource_status.contains("ROLLBACK_IN_PROGRESS"))
                    && e.resource_status_reason
                        .as_deref()
                        .is_some_and(|r| !r.is_empty())
            })
        })
        .map(failure)
}

/// What happened after a failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The operation succeeded.
    Succeeded,
    /// A failed create was rolled back: the stack exists, empty, in `ROLLBACK_COMPLETE`.
    CreateRolledBack,
    /// A failed update was rolled back: the stack is as it was before.
    UpdateRolledBack,
    /// The rollback itself failed; these resources (logical id, reason) could not be rolled back.
    RollbackFailed(Vec<(String, String)>),
    /// The operation failed and was not rolled back (rollback disabled).
    NotRolledBack,
    /// A delete failed; these resources (logical id, reason) were not deleted.
    DeleteFailed(Vec<(String, String)>),
    /// A final status this interpretation does not know.
    Other(String),
}

impl Outcome {
    /// Interprets a final stack status with the operation's events (oldest first).
    pub fn from_status(status: &StackStatus, events: &[StackEvent]) -> Outcome {
        let failed_during = |after: &dyn Fn(&StackEvent) -> bool, statuses: &[&str]| {
            let mut started = false;
            let mut out = Vec::new();
            for e in events {
                if after(e) {
                    started = true;
                }
                if started && !e.is_stack() && statuses.contains(&e.resource_status.as_str()) {
                    out.push((
                        e.logical_resource_id.clone(),
                        e.resource_status_reason.clone().unwrap_or_default(),
                    ));
                }
            }
            out
        };
        let rollback_started = |e: &StackEvent| {
            e.is_stack()
                && (e.resource_status == "ROLLBACK_IN_PROGRESS"
                    || e.resource_status == "UPDATE_ROLLBACK_IN_PROGRESS")
        };
        match status {
            s if s.succeeded() => Outcome::Succeeded,
            StackStatus::DeleteComplete => Outcome::Succeeded,
            StackStatus::RollbackComplete => Outcome::CreateRolledBack,
            StackStatus::UpdateRollbackComplete => Outcome::UpdateRolledBack,
            StackStatus::RollbackFailed
            | StackStatus::UpdateRollbackFailed
            | StackStatus::ImportRollbackFailed => Outcome::RollbackFailed(failed_during(
                &rollback_started,
                &["DELETE_FAILED", "UPDATE_FAILED"],
            )),
            StackStatus::CreateFailed | StackStatus::UpdateFailed => Outcome::NotRolledBack,
            StackStatus::DeleteFailed => {
                Outcome::DeleteFailed(failed_during(&|_| true, &["DELETE_FAILED"]))
            }
            other => Outcome::Other(other.as_str().to_owned()),
        }
    }

    /// What happened and what to do, for the user.
    pub fn describe(&self, stack: &str) -> String {
        let list = |v: &[(String, String)]| {
            v.iter()
                .map(|(id, reason)| {
                    if reason.is_empty() {
                        id.clone()
                    } else {
                        format!("{id} ({reason})")
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Outcome::Succeeded => "It succeeded.".into(),
            Outcome::CreateRolledBack => format!(
                "The create was rolled back and the stack is left empty in ROLLBACK_COMPLETE; fix the cause and deploy again (cloudwright deletes and recreates `{stack}`)."
            ),
            Outcome::UpdateRolledBack => format!(
                "The update was rolled back: `{stack}` is as it was before the deploy. Fix the cause and deploy again."
            ),
            Outcome::RollbackFailed(v) if v.is_empty() => format!(
                "The rollback failed too. Fix what blocks it, then continue the rollback (`aws cloudformation continue-update-rollback --stack-name {stack}`) or delete the stack."
            ),
            Outcome::RollbackFailed(v) => format!(
                "The rollback failed too; these resources could not be rolled back: {}. Fix what blocks them, then continue the rollback (`aws cloudformation continue-update-rollback --stack-name {stack}`, which can skip them) or delete the stack.",
                list(v)
            ),
            Outcome::NotRolledBack => format!(
                "Rollback was disabled, so the resources created so far remain; fix the cause and deploy again, or destroy `{stack}`."
            ),
            Outcome::DeleteFailed(v) if v.is_empty() => {
                format!("The stack was not deleted; fix the cause and destroy `{stack}` again.")
            }
            Outcome::DeleteFailed(v) => format!(
                "These resources were not deleted: {}. Fix the cause (or retain them) and destroy `{stack}` again.",
                list(v)
            ),
            Outcome::Other(s) => format!("The stack ended in {s}."),
        }
    }
}

/// How events are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Display {
    /// A progress bar per stack (in a terminal), with failures printed above it.
    Bar,
    /// One line per event.
    Lines,
    /// Nothing.
    Quiet,
}

/// Shows the events of concurrent stack operations.
#[derive(Clone)]
pub struct Reporter {
    display: Display,
    multi: MultiProgress,
    out: Arc<Mutex<()>>,
}

impl Reporter {
    /// A reporter; `Display::Bar` falls back to lines when stderr is not a terminal.
    pub fn new(display: Display) -> Self {
        let display = match display {
            Display::Bar if !std::io::IsTerminal::is_terminal(&std::io::stderr()) => Display::Lines,
            d => d,
        };
        let multi = if display == Display::Bar {
            MultiProgress::new()
        } else {
            MultiProgress::with_draw_target(ProgressDrawTarget::hidden())
        };
        Reporter {
            display,
            multi,
            out: Arc::new(Mutex::new(())),
        }
    }

    /// How events are shown.
    pub fn display(&self) -> Display {
        self.display
    }

    /// Prints a line to stdout without tearing progress bars.
    pub fn println(&self, line: &str) {
        let _guard = self.out.lock();
        let print = || {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        };
        if self.display == Display::Bar {
            self.multi.suspend(print);
        } else {
            print();
        }
    }

    /// Runs `f` (a prompt, a table) with progress bars hidden.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.multi.suspend(f)
    }

    /// Starts showing one stack operation over `total` resources.
    pub fn stack(&self, stack: &str, verb: &str, total: usize) -> StackReporter {
        let bar = if self.display == Display::Bar {
            let bar = self.multi.add(ProgressBar::new(total as u64));
            let style =
                ProgressStyle::with_template("{prefix:.bold} {bar:30.cyan/blue} {pos}/{len} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_prefix(stack.to_owned());
            bar.set_message(verb.to_owned());
            Some(bar)
        } else {
            None
        };
        StackReporter {
            reporter: self.clone(),
            stack: stack.to_owned(),
            progress: Progress::new(total),
            events: Vec::new(),
            bar,
        }
    }
}

/// Shows the events of one stack operation and keeps them for the final verdict.
pub struct StackReporter {
    reporter: Reporter,
    stack: String,
    progress: Progress,
    events: Vec<StackEvent>,
    bar: Option<ProgressBar>,
}

impl StackReporter {
    /// Shows new events (oldest first).
    pub fn events(&mut self, new: Vec<StackEvent>) {
        for e in new {
            self.progress.observe(&e);
            match self.reporter.display {
                Display::Lines => self
                    .reporter
                    .println(&format!("{} | {}", self.stack, e.line())),
                Display::Bar => {
                    if e.resource_status.ends_with("_FAILED") {
                        self.reporter
                            .println(&format!("{} | {}", self.stack, e.line()));
                    }
                    if let Some(bar) = &self.bar {
                        bar.set_length(self.progress.total() as u64);
                        bar.set_position(self.progress.done() as u64);
                        bar.set_message(format!("{} {}", e.resource_status, e.logical_resource_id));
                    }
                }
                Display::Quiet => {}
            }
            self.events.push(e);
        }
    }

    /// The events seen, oldest first.
    pub fn seen(&self) -> &[StackEvent] {
        &self.events
    }

    /// Stops the bar with a final message.
    pub fn finish(&self, message: &str) {
        if let Some(bar) = &self.bar {
            bar.finish_with_message(message.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A failed create, recorded from CloudFormation (`aws cloudformation describe-stack-events`,
    /// newest first): the subnet's CIDR is outside the VPC, the security group is cancelled,
    /// and the stack rolls back to ROLLBACK_COMPLETE.
    const FAILED_CREATE: &str = r#"{"StackEvents": [
      {"StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/App/1", "EventId": "e10", "StackName": "App", "LogicalResourceId": "App", "PhysicalResourceId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/App/1", "ResourceType": "AWS::CloudFormation::Stack", "Timestamp": "2025-01-10T10:01:40.123Z", "ResourceStatus": "ROLLBACK_COMPLETE"},
      {"StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/App/1", "EventId": "Sg-DELETE_COMPLETE-2025-01-10T10:01:39.000Z", "StackName": "App", "LogicalResourceId": "Sg", "PhysicalResourceId": "sg-0123", "ResourceType": "AWS::EC2::SecurityGroup", "Timestamp": "2025-01-10T10:01:39.000Z", "ResourceStatus": "DELETE_COMPLETE"},
      {"StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/App/1", "EventId": "Subnet-DELETE_COMPLETE-2025-01-10T10:01:30.000Z", "StackName": "App", "LogicalResourceId": "Subnet", "PhysicalResourceId": "", "ResourceType": "AWS::EC2::Subnet", "Timestamp": "2025-01-10T10:01:30.000Z", "ResourceStatus": "DELETE_COMPLETE"},
      {"StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/App/1", "EventId": "e7", "StackName": "App", "LogicalResourceId": "App", "PhysicalResourceId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/App/1", "ResourceType": "AWS::CloudFormation::Stack", "Timestamp": "2025-01-10T10:01:20.000Z", "ResourceStatus": "ROLLBACK_IN_PROGRESS", "ResourceStatusReason": "The following resource(s) failed to create: [Sg, Subnet]. Rollback requested by user."},
      {"StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/App/1", "EventId": "Sg-CREATE_FAILED-2025-01-10T10:01:19.000Z", "StackName": "App", "LogicalResourceId": "Sg", "PhysicalResourceId": "sg-0123", "ResourceType": "AWS::EC2::SecurityGroup", "Timestamp": "2025-01-10T10:01:19.000Z", "ResourceStatus": "CREATE_FAILED", "ResourceStatusReason": "Resource creation cancelled"},
      {"StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/App/1", "EventId": "Subnet-CREATE_FAILED-2025-01-10T10:01:18.000Z", "StackName": "App", "LogicalResourceId": "Subnet", "PhysicalResourceId": "", "ResourceType": "AWS::EC2::Subnet", "Timestamp": "2025-01-10T10:01:18.000Z", "ResourceStatus": "CREATE_FAILED", "ResourceStatusReason": "Resource handler returned message: \"The CIDR '10.1.0.0/24' is invalid. (Service: Ec2, Status Code: 400, Request ID: 5c1c)\" (RequestToken: 9e3a, HandlerErrorCode: InvalidRequest)"},
      {"StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/App/1", "EventId": "Sg-CREATE_IN_PROGRESS-2025-01-10T10:01:12.000Z", "StackName": "App", "LogicalResourceId": "Sg", "PhysicalResourceId": "sg-0123", "ResourceType": "AWS::EC2::SecurityGroup", "Timestamp": "2025-01-10T10:01:12.000Z", "ResourceStatus": "CREATE_IN_PROGRESS", "ResourceStatusReason": "Resource creation Initiated"},
      {"StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/App/1", "EventId": "Subnet-CREATE_IN_PROGRESS-2025-01-10T10:01:11.000Z", "StackName": "App", "LogicalResourceId": "Subnet", "PhysicalResourceId": "", "ResourceType": "AWS::EC2::Subnet", "Timestamp": "2025-01-10T10:01:11.000Z", "ResourceStatus": "CREATE_IN_PROGRESS"},
      {"StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/App/1", "EventId": "Vpc-CREATE_COMPLETE-2025-01-10T10:01:10.000Z", "StackName": "App", "LogicalResourceId": "Vpc", "PhysicalResourceId": "vpc-0abc", "ResourceType": "AWS::EC2::VPC", "Timestamp": "2025-01-10T10:01:10.000Z", "ResourceStatus": "CREATE_COMPLETE"},
      {"StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/App/1", "EventId": "Vpc-CREATE_IN_PROGRESS-2025-01-10T10:00:58.000Z", "StackName": "App", "LogicalResourceId": "Vpc", "PhysicalResourceId": "", "ResourceType": "AWS::EC2::VPC", "Timestamp": "2025-01-10T10:00:58.000Z", "ResourceStatus": "CREATE_IN_PROGRESS"},
      {"StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/App/1", "EventId": "e1", "StackName": "App", "LogicalResourceId": "App", "PhysicalResourceId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/App/1", "ResourceType": "AWS::CloudFormation::Stack", "Timestamp": "2025-01-10T10:00:55.000Z", "ResourceStatus": "CREATE_IN_PROGRESS", "ResourceStatusReason": "User Initiated"}
    ]}"#;

    /// A failed update whose rollback also failed: the listener update fails, and restoring
    /// the old target group fails during UPDATE_ROLLBACK_IN_PROGRESS.
    const FAILED_ROLLBACK: &str = r#"{"StackEvents": [
      {"EventId": "u9", "StackName": "Api", "LogicalResourceId": "Api", "ResourceType": "AWS::CloudFormation::Stack", "Timestamp": "2025-02-01T08:10:00Z", "ResourceStatus": "UPDATE_ROLLBACK_FAILED", "ResourceStatusReason": "The following resource(s) failed to update: [TargetGroup]."},
      {"EventId": "u8", "StackName": "Api", "LogicalResourceId": "TargetGroup", "PhysicalResourceId": "arn:tg", "ResourceType": "AWS::ElasticLoadBalancingV2::TargetGroup", "Timestamp": "2025-02-01T08:09:59Z", "ResourceStatus": "UPDATE_FAILED", "ResourceStatusReason": "Target group 'arn:tg' is currently in use by a listener or a rule"},
      {"EventId": "u7", "StackName": "Api", "LogicalResourceId": "TargetGroup", "PhysicalResourceId": "arn:tg", "ResourceType": "AWS::ElasticLoadBalancingV2::TargetGroup", "Timestamp": "2025-02-01T08:09:50Z", "ResourceStatus": "UPDATE_IN_PROGRESS"},
      {"EventId": "u6", "StackName": "Api", "LogicalResourceId": "Api", "ResourceType": "AWS::CloudFormation::Stack", "Timestamp": "2025-02-01T08:09:40Z", "ResourceStatus": "UPDATE_ROLLBACK_IN_PROGRESS", "ResourceStatusReason": "The following resource(s) failed to update: [Listener]."},
      {"EventId": "u5", "StackName": "Api", "LogicalResourceId": "Listener", "PhysicalResourceId": "arn:listener", "ResourceType": "AWS::ElasticLoadBalancingV2::Listener", "Timestamp": "2025-02-01T08:09:39Z", "ResourceStatus": "UPDATE_FAILED", "ResourceStatusReason": "Resource handler returned message: \"Protocol 'TCP' is not supported for load balancers of type 'application'\""},
      {"EventId": "u4", "StackName": "Api", "LogicalResourceId": "Listener", "PhysicalResourceId": "arn:listener", "ResourceType": "AWS::ElasticLoadBalancingV2::Listener", "Timestamp": "2025-02-01T08:09:30Z", "ResourceStatus": "UPDATE_IN_PROGRESS"},
      {"EventId": "u3", "StackName": "Api", "LogicalResourceId": "TargetGroup", "PhysicalResourceId": "arn:tg2", "ResourceType": "AWS::ElasticLoadBalancingV2::TargetGroup", "Timestamp": "2025-02-01T08:09:29Z", "ResourceStatus": "UPDATE_COMPLETE"},
      {"EventId": "u2", "StackName": "Api", "LogicalResourceId": "TargetGroup", "PhysicalResourceId": "arn:tg", "ResourceType": "AWS::ElasticLoadBalancingV2::TargetGroup", "Timestamp": "2025-02-01T08:09:20Z", "ResourceStatus": "UPDATE_IN_PROGRESS", "ResourceStatusReason": "Requested update requires the creation of a new physical resource; hence creating one."},
      {"EventId": "u1", "StackName": "Api", "LogicalResourceId": "Api", "ResourceType": "AWS::CloudFormation::Stack", "Timestamp": "2025-02-01T08:09:10Z", "ResourceStatus": "UPDATE_IN_PROGRESS", "ResourceStatusReason": "User Initiated"},
      {"EventId": "old", "StackName": "Api", "LogicalResourceId": "Api", "ResourceType": "AWS::CloudFormation::Stack", "Timestamp": "2025-01-01T08:00:00Z", "ResourceStatus": "CREATE_COMPLETE"}
    ]}"#;

    /// What moto emits: stack-level events only, no reasons.
    const MOTO_CREATE: &str = r#"{"StackEvents": [
      {"EventId": "m2", "StackName": "Net", "LogicalResourceId": "Net", "PhysicalResourceId": "arn:net", "ResourceType": "AWS::CloudFormation::Stack", "Timestamp": "2025-03-01T00:00:01Z", "ResourceStatus": "CREATE_COMPLETE"},
      {"EventId": "m1", "StackName": "Net", "LogicalResourceId": "Net", "PhysicalResourceId": "arn:net", "ResourceType": "AWS::CloudFormation::Stack", "Timestamp": "2025-03-01T00:00:00Z", "ResourceStatus": "CREATE_IN_PROGRESS", "ResourceStatusReason": "User Initiated"}
    ]}"#;

    fn chronological(json: &str) -> Vec<StackEvent> {
        let mut w = EventWatch::since(None);
        w.take(&parse_recorded(json).unwrap()).0
    }

    #[test]
    fn finds_the_first_real_failure_not_the_cancellations() {
        let events = chronological(FAILED_CREATE);
        let f = first_failure(&events).unwrap();
        assert_eq!(f.logical_id, "Subnet");
        assert_eq!(f.resource_type, "AWS::EC2::Subnet");
        assert!(
            f.reason.contains("The CIDR '10.1.0.0/24' is invalid"),
            "{f}"
        );
        assert!(
            f.to_string()
                .starts_with("Subnet (AWS::EC2::Subnet) CREATE_FAILED: ")
        );
        assert_eq!(
            Outcome::from_status(&StackStatus::parse("ROLLBACK_COMPLETE"), &events),
            Outcome::CreateRolledBack
        );
        assert!(
            Outcome::CreateRolledBack
                .describe("App")
                .contains("deletes and recreates `App`")
        );
    }

    #[test]
    fn reports_resources_a_failed_rollback_left_behind() {
        let mut w = EventWatch::since(Some("old".into()));
        let (events, reached) = w.take(&parse_recorded(FAILED_ROLLBACK).unwrap());
        assert!(reached);
        assert_eq!(events.len(), 9);
        assert_eq!(events[0].event_id, "u1");
        let f = first_failure(&events).unwrap();
        assert_eq!(f.logical_id, "Listener");
        let outcome = Outcome::from_status(&StackStatus::parse("UPDATE_ROLLBACK_FAILED"), &events);
        assert_eq!(
            outcome,
            Outcome::RollbackFailed(vec![(
                "TargetGroup".into(),
                "Target group 'arn:tg' is currently in use by a listener or a rule".into()
            )])
        );
        assert!(outcome.describe("Api").contains("continue-update-rollback"));
    }

    #[test]
    fn counts_progress_per_resource() {
        let events = chronological(FAILED_CREATE);
        let mut p = Progress::new(3);
        for e in &events[..5] {
            p.observe(e);
        }
        // Vpc done; Subnet and Sg only started
        assert_eq!((p.done(), p.total()), (1, 3));
        for e in &events {
            p.observe(e);
        }
        assert_eq!((p.done(), p.total()), (3, 3));
    }

    #[test]
    fn takes_only_new_events_across_polls() {
        let all = parse_recorded(FAILED_CREATE).unwrap();
        let mut w = EventWatch::since(None);
        // first poll sees the oldest four events
        let (first, _) = w.take(&all[7..]);
        assert_eq!(first.len(), 4);
        assert_eq!(first[0].event_id, "e1");
        // the next poll returns everything, newest first: only the rest is new
        let (second, reached) = w.take(&all);
        assert!(reached);
        assert_eq!(second.len(), 7);
        assert_eq!(second.last().unwrap().resource_status, "ROLLBACK_COMPLETE");
        assert!(w.take(&all).0.is_empty());
    }

    #[test]
    fn falls_back_to_the_stack_reason_when_resources_say_nothing() {
        let events = chronological(MOTO_CREATE);
        assert_eq!(first_failure(&events), None);
        let mut p = Progress::new(2);
        events.iter().for_each(|e| p.observe(e));
        assert_eq!(p.done(), 0);
        let stack_only = vec![StackEvent {
            event_id: "x".into(),
            stack_name: "S".into(),
            logical_resource_id: "S".into(),
            resource_type: STACK_TYPE.into(),
            resource_status: "ROLLBACK_IN_PROGRESS".into(),
            resource_status_reason: Some("The following resource(s) failed to create: [A].".into()),
            ..StackEvent::default()
        }];
        assert_eq!(
            first_failure(&stack_only).unwrap().to_string(),
            "The following resource(s) failed to create: [A]."
        );
    }

    #[test]
    fn interprets_final_statuses() {
        assert_eq!(
            Outcome::from_status(&StackStatus::parse("UPDATE_COMPLETE"), &[]),
            Outcome::Succeeded
        );
        assert_eq!(
            Outcome::from_status(&StackStatus::parse("UPDATE_ROLLBACK_COMPLETE"), &[]),
            Outcome::UpdateRolledBack
        );
        assert_eq!(
            Outcome::from_status(&StackStatus::parse("CREATE_FAILED"), &[]),
            Outcome::NotRolledBack
        );
        assert!(in_progress("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"));
        assert!(!in_progress("ROLLBACK_COMPLETE"));
        assert_eq!(chronological(MOTO_CREATE)[0].time(), "00:00:00");
    }
}
