//! The ECS calls a hotswap makes, through the toolkit's own client ([`crate::aws::client`]) in ECS's
//! `awsJson1_1` protocol, instead of `aws-sdk-ecs`.
//!
//! [`register_input`] (a `RegisterTaskDefinition` input copying a described revision) and
//! [`rollout`] (whether a service's deployment of a revision has settled) are pure and
//! unit-tested; [`Ecs`] makes the calls.

use aws_config::SdkConfig;
use serde_json::{Map, Value, json};

use crate::aws::client::{Client, Protocol, Service};
use crate::error::Error;

/// ECS's names and protocol.
pub const SERVICE: Service = Service {
    service_id: "ECS",
    signing_name: "ecs",
    endpoint_prefix: "ecs",
    protocol: Protocol::AwsJson11 {
        target_prefix: "AmazonEC2ContainerServiceV20141113",
    },
};

/// The fields of a described task definition that `RegisterTaskDefinition` takes back as they
/// are. What is not listed is either set by ECS (`taskDefinitionArn`, `revision`, `status`,
/// `requiresAttributes`, `compatibilities`, `registeredAt`, `registeredBy`, `deregisteredAt`)
/// or not part of a registration.
pub const REGISTER_FIELDS: &[&str] = &[
    "family",
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "containerDefinitions",
    "volumes",
    "placementConstraints",
    "requiresCompatibilities",
    "cpu",
    "memory",
    "pidMode",
    "ipcMode",
    "proxyConfiguration",
    "inferenceAccelerators",
    "ephemeralStorage",
    "runtimePlatform",
    "enableFaultInjection",
];

/// A `RegisterTaskDefinition` input that registers `described` (the `taskDefinition` of a
/// `DescribeTaskDefinition` output) again as a new revision of its family: every registrable
/// field copied, `tags` (from `include: ["TAGS"]`) kept except the `aws:` ones (CloudFormation's
/// own, which ECS refuses in a registration), empty lists left out.
pub fn register_input(described: &Value, tags: Option<&Value>) -> Result<Value, String> {
    let Some(fields) = described.as_object() else {
        return Err("the described task definition is not an object".into());
    };
    if fields.get("family").and_then(Value::as_str).is_none() {
        return Err("the described task definition has no family".into());
    }
    let mut input = Map::new();
    for name in REGISTER_FIELDS {
        match fields.get(*name) {
            None | Some(Value::Null) => {}
            Some(Value::Array(a)) if a.is_empty() => {}
            Some(v) => {
                input.insert((*name).to_owned(), v.clone());
            }
        }
    }
    let kept: Vec<Value> = tags
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|t| !t["key"].as_str().is_some_and(|k| k.starts_with("aws:")))
        .cloned()
        .collect();
    if !kept.is_empty() {
        input.insert("tags".into(), Value::Array(kept));
    }
    Ok(Value::Object(input))
}

/// Where a service's rollout of a task definition revision stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rollout {
    /// The primary deployment runs the revision, is complete and alone.
    Settled,
    /// Still going: why, for the progress line.
    Pending(String),
    /// ECS gave up on it (`rolloutState` `FAILED`), or the service is not running the revision.
    Failed(String),
}

/// Whether the service (one element of `DescribeServices`' `services`) has settled on
/// `task_definition`: its primary deployment runs that revision and is `COMPLETED` (or, where
/// no `rolloutState` is reported, is the only deployment with as many tasks running as
/// desired).
pub fn rollout(service: &Value, task_definition: &str) -> Rollout {
    let deployments = service["deployments"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let primary = deployments
        .iter()
        .find(|d| d["status"].as_str() == Some("PRIMARY"));
    let Some(primary) = primary else {
        // services without deployment records (moto's, some controllers) report the revision
        // on the service itself
        return if service["taskDefinition"].as_str() == Some(task_definition) {
            Rollout::Settled
        } else {
            Rollout::Failed(format!(
                "the service runs {} instead of {task_definition}",
                service["taskDefinition"].as_str().unwrap_or("nothing")
            ))
        };
    };
    if primary["taskDefinition"].as_str() != Some(task_definition) {
        // ECS makes the new revision's deployment PRIMARY as soon as UpdateService returns;
        // endpoints that keep no deployment records (moto) only change the service's own
        // revision, which is then all there is to wait for
        if service["taskDefinition"].as_str() == Some(task_definition) {
            return Rollout::Settled;
        }
        return Rollout::Failed(format!(
            "its primary deployment runs {} instead of {task_definition}",
            primary["taskDefinition"].as_str().unwrap_or("nothing")
        ));
    }
    let running = primary["runningCount"].as_i64().unwrap_or(0);
    let desired = primary["desiredCount"].as_i64().unwrap_or(0);
    match primary["rolloutState"].as_str() {
        Some("FAILED") => Rollout::Failed(format!(
            "the deployment failed: {}",
            primary["rolloutStateReason"]
                .as_str()
                .unwrap_or("no reason given")
        )),
        Some("COMPLETED") if deployments.len() == 1 => Rollout::Settled,
        Some("COMPLETED") => Rollout::Pending(format!(
            "{} older deployment(s) draining",
            deployments.len() - 1
        )),
        Some(state) => Rollout::Pending(format!("{state}, {running}/{desired} tasks running")),
        None if deployments.len() == 1 && running >= desired => Rollout::Settled,
        None => Rollout::Pending(format!(
            "{running}/{desired} tasks running, {} deployment(s)",
            deployments.len()
        )),
    }
}

/// An ECS client for one region.
#[derive(Clone, Debug)]
pub struct Ecs {
    client: Client,
}

impl Ecs {
    /// A client for the configuration's region; `what` names what needs it.
    pub fn new(config: &SdkConfig, what: &str) -> Result<Ecs, Error> {
        Ok(Ecs {
            client: Client::new(config, SERVICE, what)?,
        })
    }

    /// Calls `operation` with a JSON `input` and returns its JSON output.
    pub async fn call(&self, operation: &'static str, input: &Value) -> Result<Value, Error> {
        self.client.call_json(operation, input).await
    }

    /// `DescribeTaskDefinition` with its tags: the `taskDefinition` and the `tags`.
    pub async fn describe_task_definition(&self, arn: &str) -> Result<(Value, Value), Error> {
        let mut out = self
            .call(
                "DescribeTaskDefinition",
                &json!({"taskDefinition": arn, "include": ["TAGS"]}),
            )
            .await?;
        Ok((out["taskDefinition"].take(), out["tags"].take()))
    }

    /// `RegisterTaskDefinition`; returns the new revision's ARN.
    pub async fn register_task_definition(&self, input: &Value) -> Result<String, Error> {
        let out = self.call("RegisterTaskDefinition", input).await?;
        out["taskDefinition"]["taskDefinitionArn"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| Error::UnreadableResponse {
                operation: "RegisterTaskDefinition",
                status: 200,
                body: format!("{out} (no taskDefinition.taskDefinitionArn)"),
            })
    }

    /// `UpdateService`: points `service` of `cluster` at `task_definition`.
    pub async fn update_service(
        &self,
        cluster: &str,
        service: &str,
        task_definition: &str,
    ) -> Result<(), Error> {
        self.call(
            "UpdateService",
            &json!({"cluster": cluster, "service": service, "taskDefinition": task_definition}),
        )
        .await
        .map(drop)
    }

    /// `DescribeServices` for one service; `None` when ECS does not know it.
    pub async fn describe_service(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Option<Value>, Error> {
        let mut out = self
            .call(
                "DescribeServices",
                &json!({"cluster": cluster, "services": [service]}),
            )
            .await?;
        Ok(out["services"]
            .as_array_mut()
            .and_then(|s| (!s.is_empty()).then(|| s.swap_remove(0))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registration_copies_what_ecs_takes_back() {
        let described = json!({
            "taskDefinitionArn": "arn:aws:ecs:eu-west-1:1:task-definition/app:3",
            "family": "app", "revision": 3, "status": "ACTIVE",
            "containerDefinitions": [{"name": "web", "image": "img:1"}],
            "cpu": "256", "memory": "512", "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"], "compatibilities": ["EC2", "FARGATE"],
            "requiresAttributes": [{"name": "x"}], "volumes": [], "placementConstraints": [],
            "executionRoleArn": "arn:aws:iam::1:role/exec", "registeredAt": 1.5,
            "registeredBy": "me", "taskRoleArn": null
        });
        let tags = json!([{"key": "team", "value": "a"},
            {"key": "aws:cloudformation:stack-name", "value": "CwHot"}]);
        assert_eq!(
            register_input(&described, Some(&tags)).unwrap(),
            json!({
                "family": "app",
                "containerDefinitions": [{"name": "web", "image": "img:1"}],
                "cpu": "256", "memory": "512", "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "executionRoleArn": "arn:aws:iam::1:role/exec",
                "tags": [{"key": "team", "value": "a"}]
            })
        );
        for none in [
            json!([]),
            json!([{"key": "aws:cloudformation:logical-id", "value": "T"}]),
        ] {
            assert_eq!(
                register_input(&described, Some(&none)).unwrap().get("tags"),
                None
            );
        }
        assert!(register_input(&json!({"cpu": "1"}), None).is_err());
        assert!(register_input(&json!([]), None).is_err());
    }

    #[test]
    fn a_rollout_settles_when_the_primary_deployment_is_complete_and_alone() {
        let arn = "td:2";
        let service =
            |deployments: Value| json!({"taskDefinition": arn, "deployments": deployments});
        assert_eq!(
            rollout(
                &service(json!([{"status": "PRIMARY", "taskDefinition": arn,
                    "rolloutState": "COMPLETED", "runningCount": 1, "desiredCount": 1}])),
                arn
            ),
            Rollout::Settled
        );
        assert_eq!(
            rollout(
                &service(json!([
                    {"status": "PRIMARY", "taskDefinition": arn, "rolloutState": "IN_PROGRESS",
                     "runningCount": 0, "desiredCount": 2},
                    {"status": "ACTIVE", "taskDefinition": "td:1"}])),
                arn
            ),
            Rollout::Pending("IN_PROGRESS, 0/2 tasks running".into())
        );
        assert!(matches!(
            rollout(
                &service(json!([{"status": "PRIMARY", "taskDefinition": arn,
                    "rolloutState": "FAILED", "rolloutStateReason": "circuit breaker"}])),
                arn
            ),
            Rollout::Failed(r) if r.contains("circuit breaker")
        ));
        assert!(matches!(
            rollout(
                &json!({"taskDefinition": "td:3",
                    "deployments": [{"status": "PRIMARY", "taskDefinition": "td:1"}]}),
                arn
            ),
            Rollout::Failed(r) if r.contains("td:1")
        ));
        // a stale deployment record, the service itself on the revision (moto)
        assert_eq!(
            rollout(
                &service(json!([{"status": "PRIMARY", "taskDefinition": "td:1"}])),
                arn
            ),
            Rollout::Settled
        );
        // no rolloutState: one deployment with its tasks running
        assert_eq!(
            rollout(
                &service(json!([{"status": "PRIMARY", "taskDefinition": arn,
                    "runningCount": 0, "desiredCount": 0}])),
                arn
            ),
            Rollout::Settled
        );
        // no deployments at all: the service's own revision decides
        assert_eq!(
            rollout(&json!({"taskDefinition": arn}), arn),
            Rollout::Settled
        );
        assert!(matches!(
            rollout(&json!({"taskDefinition": "td:1"}), arn),
            Rollout::Failed(_)
        ));
    }
}
