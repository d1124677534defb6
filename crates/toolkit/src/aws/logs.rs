//! CloudWatch Logs for `cloudwright watch`: which log groups a stack's services write to, and
//! their new events, through the toolkit's own client ([`crate::aws::client`]) in the `awsJson1_1`
//! protocol (`Logs_20140328`), instead of `aws-sdk-cloudwatchlogs`.
//!
//! [`log_groups`] (which groups a template's containers write to) and [`new_events`] (the page's
//! events not seen yet) are pure and unit-tested.

use std::collections::{BTreeSet, HashSet};

use aws_config::SdkConfig;
use serde_json::{Value, json};

use crate::aws::client::{Client, Protocol, Service};
use crate::error::Error;

/// CloudWatch Logs' names and protocol.
pub const SERVICE: Service = Service {
    service_id: "CloudWatch Logs",
    signing_name: "logs",
    endpoint_prefix: "logs",
    protocol: Protocol::AwsJson11 {
        target_prefix: "Logs_20140328",
    },
};

/// Where a log group's name comes from in a template.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum GroupName {
    /// A literal name.
    Literal(String),
    /// The physical id of the stack's `AWS::Logs::LogGroup` with this logical id.
    Resource(String),
}

/// The log groups the containers of a template's task definitions write to with the
/// `awslogs` driver (`awslogs-group`: a literal or a `Ref` to a log group of the stack).
pub fn log_groups(template: &Value) -> BTreeSet<GroupName> {
    let mut groups = BTreeSet::new();
    let Some(resources) = template["Resources"].as_object() else {
        return groups;
    };
    for r in resources.values() {
        if r["Type"] != "AWS::ECS::TaskDefinition" {
            continue;
        }
        let containers = r["Properties"]["ContainerDefinitions"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        for c in containers {
            let config = &c["LogConfiguration"];
            if config["LogDriver"] != "awslogs" {
                continue;
            }
            match &config["Options"]["awslogs-group"] {
                Value::String(s) => {
                    groups.insert(GroupName::Literal(s.clone()));
                }
                v => {
                    if let Some(id) = v["Ref"].as_str() {
                        groups.insert(GroupName::Resource(id.to_owned()));
                    }
                }
            }
        }
    }
    groups
}

/// The events of a `FilterLogEvents` page not in `seen` (which they are added to), as
/// `(timestamp ms, stream, message)`.
pub fn new_events(page: &Value, seen: &mut HashSet<String>) -> Vec<(i64, String, String)> {
    page["events"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            let id = e["eventId"].as_str()?;
            if !seen.insert(id.to_owned()) {
                return None;
            }
            Some((
                e["timestamp"].as_i64().unwrap_or(0),
                e["logStreamName"].as_str().unwrap_or_default().to_owned(),
                e["message"]
                    .as_str()
                    .unwrap_or_default()
                    .trim_end()
                    .to_owned(),
            ))
        })
        .collect()
}

/// A CloudWatch Logs client for one region.
#[derive(Clone, Debug)]
pub struct Logs {
    client: Client,
}

impl Logs {
    /// A client for the configuration's region; `what` names what needs it.
    pub fn new(config: &SdkConfig, what: &str) -> Result<Logs, Error> {
        Ok(Logs {
            client: Client::new(config, SERVICE, what)?,
        })
    }

    /// The events of `group` since `start_ms` (epoch milliseconds) not in `seen`, every page.
    pub async fn events_since(
        &self,
        group: &str,
        start_ms: i64,
        seen: &mut HashSet<String>,
    ) -> Result<Vec<(i64, String, String)>, Error> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..100 {
            let mut input =
                json!({"logGroupName": group, "startTime": start_ms, "interleaved": true});
            if let Some(t) = &token {
                input["nextToken"] = json!(t);
            }
            let page = self.client.call_json("FilterLogEvents", &input).await?;
            all.extend(new_events(&page, seen));
            match page["nextToken"].as_str().filter(|t| !t.is_empty()) {
                Some(next) if token.as_deref() != Some(next) => token = Some(next.to_owned()),
                _ => break,
            }
        }
        all.sort();
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_groups_containers_log_to() {
        let t = json!({"Resources": {
            "Group": {"Type": "AWS::Logs::LogGroup"},
            "Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"ContainerDefinitions": [
                {"Name": "a", "LogConfiguration": {"LogDriver": "awslogs",
                    "Options": {"awslogs-group": {"Ref": "Group"}}}},
                {"Name": "b", "LogConfiguration": {"LogDriver": "awslogs",
                    "Options": {"awslogs-group": "/fixed"}}},
                {"Name": "c", "LogConfiguration": {"LogDriver": "awsfirelens"}},
                {"Name": "d"}
            ]}}
        }});
        assert_eq!(
            log_groups(&t),
            [
                GroupName::Literal("/fixed".into()),
                GroupName::Resource("Group".into())
            ]
            .into()
        );
        assert!(log_groups(&json!({})).is_empty());
    }

    #[test]
    fn reports_each_event_once() {
        let page = json!({"events": [
            {"eventId": "1", "timestamp": 5, "logStreamName": "s", "message": "hello\n"},
            {"eventId": "2", "timestamp": 6, "logStreamName": "s", "message": "again"},
            {"timestamp": 7, "message": "no id"}
        ]});
        let mut seen = HashSet::new();
        assert_eq!(
            new_events(&page, &mut seen),
            [
                (5, "s".to_owned(), "hello".to_owned()),
                (6, "s".to_owned(), "again".to_owned())
            ]
        );
        assert!(new_events(&page, &mut seen).is_empty());
    }
}
