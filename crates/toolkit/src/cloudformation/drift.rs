//! `cloudwright drift [STACK...]`: CloudFormation drift detection per stack
//! (`DetectStackDrift`, then `DescribeStackDriftDetectionStatus` until it finishes, bounded by
//! `--timeout`), then `DescribeStackResourceDrifts` for the resources that were modified or
//! deleted outside CloudFormation, printed per resource with each property path and its
//! expected and actual values. The report is pure ([`StackDrift`], [`render`]).

use std::time::{Duration, Instant};

use aws_sdk_cloudformation::types::{
    StackDriftDetectionStatus as DetectionStatus, StackResourceDriftStatus,
};

use crate::cloudformation::stacks::{Backoff, Cfn};
use crate::error::{Error, Result};

/// One property that differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PropertyDrift {
    /// The property path (`/Tags/0/Value`).
    pub path: String,
    /// The value in the template.
    pub expected: Option<String>,
    /// The value the resource has.
    pub actual: Option<String>,
    /// `ADD`, `REMOVE` or `NOT_EQUAL`.
    pub kind: String,
}

/// One resource that drifted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceDrift {
    /// Its logical id.
    pub logical_id: String,
    /// Its type.
    pub resource_type: String,
    /// Its physical id.
    pub physical_id: Option<String>,
    /// `MODIFIED` or `DELETED`.
    pub status: String,
    /// What differs (none for a deleted resource).
    pub properties: Vec<PropertyDrift>,
}

/// The drift of one stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackDrift {
    /// The stack name.
    pub stack: String,
    /// `DRIFTED`, `IN_SYNC`, `NOT_CHECKED` or `UNKNOWN`.
    pub status: String,
    /// Why detection did not check everything, when it says so.
    pub reason: Option<String>,
    /// The drifted resources.
    pub resources: Vec<ResourceDrift>,
}

impl StackDrift {
    /// Whether anything drifted.
    pub fn drifted(&self) -> bool {
        self.status == "DRIFTED" || !self.resources.is_empty()
    }
}

/// The report, one block per stack.
pub fn render(drifts: &[StackDrift]) -> String {
    let mut out = String::new();
    for d in drifts {
        if !d.drifted() {
            out.push_str(&format!("{}: {} (no drift)\n", d.stack, d.status));
            continue;
        }
        out.push_str(&format!(
            "{}: DRIFTED, {} resource{} differ{} from the template\n",
            d.stack,
            d.resources.len(),
            if d.resources.len() == 1 { "" } else { "s" },
            if d.resources.len() == 1 { "s" } else { "" }
        ));
        for r in &d.resources {
            out.push_str(&format!(
                "  {} ({}{}): {}\n",
                r.logical_id,
                r.resource_type,
                r.physical_id
                    .as_deref()
                    .map(|p| format!(", {p}"))
                    .unwrap_or_default(),
                r.status
            ));
            for p in &r.properties {
                let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(absent)".into());
                out.push_str(&format!(
                    "    {} ({}): expected {}, actual {}\n",
                    p.path,
                    p.kind,
                    show(&p.expected),
                    show(&p.actual)
                ));
            }
        }
        if let Some(r) = &d.reason {
            out.push_str(&format!("  note: {r}\n"));
        }
    }
    out
}

/// A response body on one line, at most 160 characters.
fn short(body: &str) -> String {
    let line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(160) {
        Some((i, _)) => format!("{}...", &line[..i]),
        None => line,
    }
}

/// Runs drift detection on `stack` and reads what drifted, waiting at most `timeout`.
pub async fn detect(cfn: &Cfn, stack: &str, timeout: Duration) -> Result<StackDrift> {
    let deadline = Instant::now() + timeout;
    let unavailable = |e: Error| match e {
        Error::UnreadableResponse { status, body, .. } if status >= 500 => {
            Error::DriftUnavailable {
                stack: stack.to_owned(),
                detail: format!("HTTP {status}: {}", short(&body)),
            }
        }
        // a 5xx still there after the retries (moto answers DetectStackDrift with one)
        Error::ServiceFault {
            status,
            code,
            message,
            ..
        } => Error::DriftUnavailable {
            stack: stack.to_owned(),
            detail: format!("HTTP {status}: {}", short(&format!("{code}: {message}"))),
        },
        other => other,
    };
    let started = cfn
        .client
        .detect_stack_drift()
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| unavailable(cfn.error("DetectStackDrift", e)))?;
    let id = started
        .stack_drift_detection_id()
        .unwrap_or_default()
        .to_owned();
    let mut backoff = Backoff::default();
    let (status, reason) = loop {
        let s = cfn
            .client
            .describe_stack_drift_detection_status()
            .stack_drift_detection_id(&id)
            .send()
            .await
            .map_err(|e| unavailable(cfn.error("DescribeStackDriftDetectionStatus", e)))?;
        match s.detection_status() {
            Some(DetectionStatus::DetectionInProgress) | None => {}
            Some(DetectionStatus::DetectionFailed) => {
                let reason = s
                    .detection_status_reason()
                    .unwrap_or("no reason given")
                    .to_owned();
                // a partial result: what was checked is still reported
                match s.stack_drift_status() {
                    Some(st) if st.as_str() == "DRIFTED" => {
                        break (st.as_str().to_owned(), Some(reason));
                    }
                    _ => {
                        return Err(Error::DriftFailed {
                            stack: stack.to_owned(),
                            reason,
                        });
                    }
                }
            }
            Some(_) => {
                break (
                    s.stack_drift_status()
                        .map_or("UNKNOWN", |s| s.as_str())
                        .to_owned(),
                    None,
                );
            }
        }
        if Instant::now() >= deadline {
            return Err(Error::Timeout {
                stack: stack.to_owned(),
                status: "DETECTION_IN_PROGRESS (drift detection)".into(),
                seconds: timeout.as_secs(),
            });
        }
        let wait = backoff
            .next_delay()
            .min(deadline.saturating_duration_since(Instant::now()));
        tokio::time::sleep(wait).await;
    };
    let mut resources = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = cfn
            .client
            .describe_stack_resource_drifts()
            .stack_name(stack)
            .stack_resource_drift_status_filters(StackResourceDriftStatus::Modified)
            .stack_resource_drift_status_filters(StackResourceDriftStatus::Deleted)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| unavailable(cfn.error("DescribeStackResourceDrifts", e)))?;
        for r in page.stack_resource_drifts() {
            let status = r
                .stack_resource_drift_status()
                .map_or("UNKNOWN", |s| s.as_str())
                .to_owned();
            if status == "IN_SYNC" || status == "NOT_CHECKED" {
                continue;
            }
            resources.push(ResourceDrift {
                logical_id: r.logical_resource_id().unwrap_or_default().to_owned(),
                resource_type: r.resource_type().unwrap_or_default().to_owned(),
                physical_id: r.physical_resource_id().map(str::to_owned),
                status,
                properties: r
                    .property_differences()
                    .iter()
                    .map(|p| PropertyDrift {
                        path: p.property_path().unwrap_or_default().to_owned(),
                        // the SDK reads an absent value as ""
                        expected: p
                            .expected_value()
                            .filter(|v| !v.is_empty())
                            .map(str::to_owned),
                        actual: p
                            .actual_value()
                            .filter(|v| !v.is_empty())
                            .map(str::to_owned),
                        kind: p
                            .difference_type()
                            .map_or("NOT_EQUAL", |d| d.as_str())
                            .to_owned(),
                    })
                    .collect(),
            });
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    resources.sort_by(|a, b| a.logical_id.cmp(&b.logical_id));
    Ok(StackDrift {
        stack: stack.to_owned(),
        status,
        reason,
        resources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_what_differs_per_resource() {
        let drifted = StackDrift {
            stack: "Net".into(),
            status: "DRIFTED".into(),
            reason: None,
            resources: vec![
                ResourceDrift {
                    logical_id: "Vpc".into(),
                    resource_type: "AWS::EC2::VPC".into(),
                    physical_id: Some("vpc-1".into()),
                    status: "MODIFIED".into(),
                    properties: vec![PropertyDrift {
                        path: "/EnableDnsSupport".into(),
                        expected: Some("true".into()),
                        actual: Some("false".into()),
                        kind: "NOT_EQUAL".into(),
                    }],
                },
                ResourceDrift {
                    logical_id: "Sg".into(),
                    resource_type: "AWS::EC2::SecurityGroup".into(),
                    physical_id: None,
                    status: "DELETED".into(),
                    properties: vec![],
                },
            ],
        };
        let clean = StackDrift {
            stack: "App".into(),
            status: "IN_SYNC".into(),
            reason: None,
            resources: vec![],
        };
        assert!(drifted.drifted() && !clean.drifted());
        assert_eq!(
            render(&[drifted, clean]),
            "Net: DRIFTED, 2 resources differ from the template\n  Vpc (AWS::EC2::VPC, vpc-1): MODIFIED\n    /EnableDnsSupport (NOT_EQUAL): expected true, actual false\n  Sg (AWS::EC2::SecurityGroup): DELETED\nApp: IN_SYNC (no drift)\n"
        );
    }
}
