//! The person API served by Lambda functions, in two stacks:
//!
//! - `PeopleData`: the `People` table (partition key `person`, sort key `firstname`, on-demand,
//!   point-in-time recovery, encrypted with the account's AWS-managed key, retained), the `Writes` queue with its dead-letter queue
//!   `WritesFailed` (after 5 receives), the `NightlyFailed` queue (the nightly report's
//!   failed runs), the `Audit` bucket (encrypted, public access blocked, versioned, TLS only,
//!   retained) logging to `AccessLogs`.
//! - `PeopleApi`: four Python functions, each with its code in `functions/<name>/` (a zip
//!   asset the toolkit uploads): `Reader` serves `GET /{person}/{firstname}` (public, as the
//!   main app's route) and may only read the table; `Enqueue` serves
//!   `POST /{person}/{firstname}` (IAM-authorized) and may only send to the queue; `Worker`
//!   consumes the queue (partial batch responses), writes the table and puts audit objects;
//!   `Nightly` runs at 03:00 UTC, reads the table and puts a report object; EventBridge
//!   invokes it asynchronously, so a run that still fails after Lambda's retries goes to
//!   `NightlyFailed` (its on-failure destination) instead of being dropped.
//!
//! No IAM policy is written by hand: every permission is a grant of a data construct (or the
//! function's own: its log group, X-Ray, sending to its failure destination).

use std::time::Duration;

use cloudwright_compute::{
    Code, FailureDestination, Function, FunctionOutput, Runtime, Schedule, SqsEventSource,
};
use cloudwright_core::{App, Error, StackProps};
use cloudwright_data::{Bucket, DeadLetterQueue, Key, Queue, Table, TableEncryption};
use cloudwright_ingress::{Authorization, PublicApi, Route};

/// The region the stacks deploy to.
pub const REGION: &str = "eu-west-1";
/// The data stack.
pub const DATA_STACK: &str = "PeopleData";
/// The API stack.
pub const API_STACK: &str = "PeopleApi";
/// The functions' code, one directory each.
pub const FUNCTIONS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/functions");
/// The worker's timeout; the queue's visibility timeout is six times it.
pub const WORKER_TIMEOUT: Duration = Duration::from_secs(20);

fn python(name: &str) -> Function {
    Function::new(
        Runtime::Python3_12,
        "index.handler",
        Code::from_directory_excluding(format!("{FUNCTIONS_DIR}/{name}"), ["__pycache__", "*.pyc"]),
    )
    .memory_mb(256)
    .timeout(Duration::from_secs(10))
    .description(format!("people-serverless {name}"))
}

/// What [`build`] made, for tests.
pub struct Built {
    /// `GET /{person}/{firstname}`.
    pub reader: FunctionOutput,
    /// `POST /{person}/{firstname}`.
    pub enqueue: FunctionOutput,
    /// The queue's consumer.
    pub worker: FunctionOutput,
    /// The nightly report.
    pub nightly: FunctionOutput,
}

/// Adds both stacks to `app`.
pub fn build(app: &mut App) -> Result<(), Error> {
    build_with(app).map(|_| ())
}

/// Adds both stacks to `app` and returns the functions.
pub fn build_with(app: &mut App) -> Result<Built, Error> {
    app.set_region(REGION);
    let mut data = app.stack_with(
        DATA_STACK,
        StackProps::new().description("The people table, the write queue and the audit bucket"),
    )?;
    let table = data.construct(
        "People",
        Table::new(Key::string("person"))
            .sort_key(Key::string("firstname"))
            .encryption(TableEncryption::AwsManaged),
    )?;
    let failed = data.construct("WritesFailed", Queue::new())?;
    let writes = data.construct(
        "Writes",
        Queue::new()
            .visibility_timeout(WORKER_TIMEOUT * 6)
            .dead_letter_queue(DeadLetterQueue {
                queue: &failed,
                max_receive_count: 5,
            }),
    )?;
    // where the nightly report's failed asynchronous invocations go
    let nightly_failed = data.construct("NightlyFailed", Queue::new())?;
    let logs = data.construct(
        "AccessLogs",
        Bucket::new()
            .receives_access_logs()
            .without_access_logs("the access log bucket does not log itself"),
    )?;
    let audit = data.construct("Audit", Bucket::new().server_access_logs(&logs, "audit/"))?;
    drop(data);

    let mut api_stack = app.stack_with(
        API_STACK,
        StackProps::new().description("The person API: functions, routes and the nightly report"),
    )?;
    let s = &mut api_stack;
    let reader = s.construct("Reader", python("reader").env("TABLE_NAME", table.name()))?;
    table.grant_read_data(s, &reader)?;

    let enqueue = s.construct("Enqueue", python("enqueue").env("QUEUE_URL", writes.url()))?;
    writes.grant_send(s, &enqueue)?;

    let worker = s.construct(
        "Worker",
        python("worker")
            .timeout(WORKER_TIMEOUT)
            .env("TABLE_NAME", table.name())
            .env("AUDIT_BUCKET", audit.name()),
    )?;
    table.grant_write_data(s, &worker)?;
    audit.grant_put(s, &worker)?;
    worker.add_sqs_source(
        s,
        &writes,
        SqsEventSource::new()
            .batch_size(10)
            .report_batch_item_failures(),
    )?;

    let nightly = s.construct(
        "Nightly",
        python("nightly")
            .timeout(Duration::from_secs(300))
            .env("TABLE_NAME", table.name())
            .env("AUDIT_BUCKET", audit.name())
            .on_failure(FailureDestination::Queue(nightly_failed.arn().into())),
    )?;
    table.grant_read_data(s, &nightly)?;
    audit.grant_put(s, &nightly)?;
    nightly.add_schedule(s, "Nightly", &Schedule::cron("0 3 * * ? *"))?;

    s.construct(
        "Api",
        PublicApi::for_functions("people")
            .route_to_function(Route::get("/{person}/{firstname}").public(), &reader)
            .route_to_function(
                Route::post("/{person}/{firstname}").authorized(Authorization::Iam),
                &enqueue,
            ),
    )?;
    Ok(Built {
        reader,
        enqueue,
        worker,
        nightly,
    })
}
