//! `cloudwright drift` on 127.0.0.1. moto answers DetectStackDrift with HTTP 500, so the
//! detection itself is exercised on responses recorded in CloudFormation's real shapes (the
//! Query protocol's XML), served by the recording proxy in front of moto for the three drift
//! actions; everything else (the deploy before it) goes to moto. Plus: moto's own 500 gives a
//! clear error, and a detection that never finishes stops at --timeout.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use std::time::{Duration, Instant};

use cloudwright_tests::{Moto, TempDir};
use serde_json::json;

mod common;
use common::recorder::Recorder;
use common::{fixture_app, ok, run, stderr, stdout};

const DETECT: &str = r#"<DetectStackDriftResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <DetectStackDriftResult>
    <StackDriftDetectionId>2f2b2d60-df86-11ea-bea1-0a2a0fd1f6a5</StackDriftDetectionId>
  </DetectStackDriftResult>
  <ResponseMetadata><RequestId>2f5e4a3c-df86-11ea-8f6c-0e3b7b6c1d2f</RequestId></ResponseMetadata>
</DetectStackDriftResponse>"#;

fn status(detection: &str, drift: &str, count: u32) -> String {
    format!(
        r#"<DescribeStackDriftDetectionStatusResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <DescribeStackDriftDetectionStatusResult>
    <StackId>arn:aws:cloudformation:eu-west-1:123456789012:stack/CwSingle/5f1e2a60-df80-11ea-a3f4-0a2a0fd1f6a5</StackId>
    <StackDriftDetectionId>2f2b2d60-df86-11ea-bea1-0a2a0fd1f6a5</StackDriftDetectionId>
    <StackDriftStatus>{drift}</StackDriftStatus>
    <DetectionStatus>{detection}</DetectionStatus>
    <DriftedStackResourceCount>{count}</DriftedStackResourceCount>
    <Timestamp>2026-12-05T16:00:00.000Z</Timestamp>
  </DescribeStackDriftDetectionStatusResult>
  <ResponseMetadata><RequestId>3a1b4c5d-df86-11ea-8f6c-0e3b7b6c1d2f</RequestId></ResponseMetadata>
</DescribeStackDriftDetectionStatusResponse>"#
    )
}

const DRIFTS: &str = r#"<DescribeStackResourceDriftsResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <DescribeStackResourceDriftsResult>
    <StackResourceDrifts>
      <member>
        <StackId>arn:aws:cloudformation:eu-west-1:123456789012:stack/CwSingle/5f1e2a60-df80-11ea-a3f4-0a2a0fd1f6a5</StackId>
        <LogicalResourceId>Vpc</LogicalResourceId>
        <PhysicalResourceId>vpc-0a1b2c3d4e5f60718</PhysicalResourceId>
        <ResourceType>AWS::EC2::VPC</ResourceType>
        <ExpectedProperties>{"CidrBlock":"10.30.0.0/16","Tags":[{"Key":"Env","Value":"dev"}]}</ExpectedProperties>
        <ActualProperties>{"CidrBlock":"10.30.0.0/16","Tags":[{"Key":"Env","Value":"prod"}],"EnableDnsSupport":false}</ActualProperties>
        <PropertyDifferences>
          <member>
            <PropertyPath>/Tags/0/Value</PropertyPath>
            <ExpectedValue>dev</ExpectedValue>
            <ActualValue>prod</ActualValue>
            <DifferenceType>NOT_EQUAL</DifferenceType>
          </member>
          <member>
            <PropertyPath>/EnableDnsSupport</PropertyPath>
            <ActualValue>false</ActualValue>
            <DifferenceType>ADD</DifferenceType>
          </member>
        </PropertyDifferences>
        <StackResourceDriftStatus>MODIFIED</StackResourceDriftStatus>
        <Timestamp>2026-12-05T16:00:01.000Z</Timestamp>
      </member>
      <member>
        <StackId>arn:aws:cloudformation:eu-west-1:123456789012:stack/CwSingle/5f1e2a60-df80-11ea-a3f4-0a2a0fd1f6a5</StackId>
        <LogicalResourceId>Subnet</LogicalResourceId>
        <PhysicalResourceId>subnet-0f1e2d3c4b5a69788</PhysicalResourceId>
        <ResourceType>AWS::EC2::Subnet</ResourceType>
        <ExpectedProperties>{"CidrBlock":"10.30.1.0/24"}</ExpectedProperties>
        <PropertyDifferences/>
        <StackResourceDriftStatus>DELETED</StackResourceDriftStatus>
        <Timestamp>2026-12-05T16:00:01.000Z</Timestamp>
      </member>
    </StackResourceDrifts>
  </DescribeStackResourceDriftsResult>
  <ResponseMetadata><RequestId>4b2c5d6e-df86-11ea-8f6c-0e3b7b6c1d2f</RequestId></ResponseMetadata>
</DescribeStackResourceDriftsResponse>"#;

const NO_DRIFTS: &str = r#"<DescribeStackResourceDriftsResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <DescribeStackResourceDriftsResult>
    <StackResourceDrifts/>
  </DescribeStackResourceDriftsResult>
  <ResponseMetadata><RequestId>5c3d6e7f-df86-11ea-8f6c-0e3b7b6c1d2f</RequestId></ResponseMetadata>
</DescribeStackResourceDriftsResponse>"#;

fn project() -> TempDir {
    let dir = TempDir::new("drift");
    let config = json!({
        "app": format!("{} -c fixture=single -c version=2", fixture_app().display()),
        "out": "cloudwright.out",
    });
    std::fs::write(dir.path().join("cloudwright.json"), config.to_string()).unwrap();
    dir
}

fn env_for(moto: &Moto, endpoint: String) -> Vec<(&'static str, String)> {
    let mut env = moto.env();
    for (k, v) in env.iter_mut() {
        if *k == "AWS_ENDPOINT_URL" {
            *v = endpoint.clone();
        }
    }
    env
}

#[test]
fn drift_prints_each_difference_and_exits_1_or_0() {
    let moto = Moto::start();
    let recorder = Recorder::start(moto.port());
    let env = env_for(&moto, recorder.endpoint());
    let dir = project();
    ok(&run(
        dir.path(),
        &env,
        &["deploy", "--yes", "--method", "direct"],
    ));

    // moto's own answer: HTTP 500, explained
    let o = run(dir.path(), &env, &["drift"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains(
            "drift detection on stack `CwSingle` is not available from this endpoint (HTTP 500"
        ) && e.contains("moto"),
        "{e}"
    );
    assert!(stdout(&o).is_empty());

    // recorded responses: drifted
    recorder.take();
    recorder.answer("cloudformation:DetectStackDrift", 200, DETECT);
    recorder.answer(
        "cloudformation:DescribeStackDriftDetectionStatus",
        200,
        &status("DETECTION_COMPLETE", "DRIFTED", 2),
    );
    recorder.answer("cloudformation:DescribeStackResourceDrifts", 200, DRIFTS);
    let o = run(dir.path(), &env, &["drift", "CwSingle"]);
    assert_eq!(o.status.code(), Some(1), "drift exits 1");
    assert_eq!(
        stdout(&o),
        "CwSingle: DRIFTED, 2 resources differ from the template\n  \
         Subnet (AWS::EC2::Subnet, subnet-0f1e2d3c4b5a69788): DELETED\n  \
         Vpc (AWS::EC2::VPC, vpc-0a1b2c3d4e5f60718): MODIFIED\n    \
         /Tags/0/Value (NOT_EQUAL): expected dev, actual prod\n    \
         /EnableDnsSupport (ADD): expected (absent), actual false\n"
    );
    let calls = recorder.take();
    assert_eq!(
        calls,
        [
            "cloudformation:DetectStackDrift",
            "cloudformation:DescribeStackDriftDetectionStatus",
            "cloudformation:DescribeStackResourceDrifts"
        ]
    );

    // in sync: exit 0
    recorder.forget_answers();
    recorder.answer("cloudformation:DetectStackDrift", 200, DETECT);
    recorder.answer(
        "cloudformation:DescribeStackDriftDetectionStatus",
        200,
        &status("DETECTION_COMPLETE", "IN_SYNC", 0),
    );
    recorder.answer("cloudformation:DescribeStackResourceDrifts", 200, NO_DRIFTS);
    let o = run(dir.path(), &env, &["drift"]);
    ok(&o);
    assert_eq!(stdout(&o), "CwSingle: IN_SYNC (no drift)\n");

    // a detection that never finishes stops at --timeout, naming the stack
    recorder.forget_answers();
    recorder.answer("cloudformation:DetectStackDrift", 200, DETECT);
    recorder.answer(
        "cloudformation:DescribeStackDriftDetectionStatus",
        200,
        &status("DETECTION_IN_PROGRESS", "UNKNOWN", 0),
    );
    let started = Instant::now();
    let o = run(dir.path(), &env, &["drift", "--timeout", "2"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(
            "stack `CwSingle` is still DETECTION_IN_PROGRESS (drift detection) after 2 s"
        ),
        "{}",
        stderr(&o)
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}
