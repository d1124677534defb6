//! The README's "Typed resources" example, compiled, synthesized and linted: a typed S3
//! bucket and SQS queue wired into a construct through their typed attributes.

use cloudwright_core::{App, Construct, Error, Handle, Scope, Value};
use cloudwright_resources::{iam, lambda, s3, sqs};

/// A function that takes jobs from a queue and writes results into a bucket.
struct Worker {
    queue: Handle<sqs::Queue>,
    bucket: Handle<s3::Bucket>,
}

impl Construct for Worker {
    type Output = Handle<lambda::Function>;

    fn build(self, scope: &mut Scope<'_>) -> Result<Self::Output, Error> {
        let role = scope.add(
            "Role",
            iam::Role::new(serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"Service": "lambda.amazonaws.com"}}]
            })),
        )?;
        scope.add(
            "Function",
            lambda::Function::new(lambda::FunctionRequired {
                code: lambda::function::Code::new()
                    .zip_file("def handler(event, context):\n    return None\n")
                    .into(),
                role: role.arn(), // Fn::GetAtt Role.Arn: a `Str`, so only a string property takes it
            })
            .runtime(lambda::function::Runtime::Python3_12)
            .handler("index.handler")
            .timeout(30) // 0 or 901 would fail synthesis: the schema says 1 to 900
            .environment(lambda::function::Environment::new().variables(Value::map([
                ("QUEUE_URL", Value::from(self.queue.queue_url())),
                ("BUCKET", self.bucket.r#ref()),
            ]))),
        )
    }
}

fn readme_stack() -> Result<String, Error> {
    let app = App::new();
    let mut stack = app.stack("Jobs")?;
    let bucket = stack.add(
        "Results",
        s3::Bucket::new().versioning_configuration(s3::bucket::VersioningConfiguration::new(
            s3::bucket::VersioningConfigurationStatus::Enabled,
        )),
    )?;
    let queue = stack.add("Jobs", sqs::Queue::new().visibility_timeout(60))?;
    stack.construct("Worker", Worker { queue, bucket })?;
    Ok(app.synth()?.stacks.remove(0).template)
}

#[test]
fn the_readme_example_synthesizes_and_lints_clean() {
    let template = readme_stack().unwrap_or_else(|e| panic!("{e}"));
    assert!(template.contains(r#""QueueUrl""#), "{template}");
    cloudwright_tests::assert_lint_clean("ReadmeJobs", &template);
}

/// The README's error example: a timeout beyond the schema's maximum.
struct TooSlow;

impl Construct for TooSlow {
    type Output = ();
    fn build(self, scope: &mut Scope<'_>) -> Result<(), Error> {
        scope.add(
            "Function",
            lambda::Function::new(lambda::FunctionRequired {
                code: lambda::function::Code::new().zip_file("x").into(),
                role: "arn:aws:iam::123456789012:role/worker".into(),
            })
            .runtime(lambda::function::Runtime::Python3_12)
            .handler("index.handler")
            .timeout(901),
        )?;
        Ok(())
    }
}

#[test]
fn the_readme_error_message_is_what_synthesis_says() {
    let app = App::new();
    let mut stack = app.stack("Jobs").unwrap_or_else(|e| panic!("{e}"));
    stack
        .construct("Worker", TooSlow)
        .unwrap_or_else(|e| panic!("{e}"));
    let err = app.synth().err().map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some(
            "stack `Jobs`: resource `WorkerFunction` (AWS::Lambda::Function at construct path \
             `Jobs/Worker/Function`), property `Timeout`: value 901 breaks maximum 900"
        )
    );
}
