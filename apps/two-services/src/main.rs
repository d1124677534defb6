//! `cargo run -p app-two-services`: synthesizes the `Network` and `Services` stacks offline
//! into `cloudwright.out/` (no context lookups: the VPC is new and the images are URIs).

use std::process::ExitCode;

fn main() -> ExitCode {
    cloudwright_core::run(
        concat!(env!("CARGO_MANIFEST_DIR"), "/cloudwright.context.json"),
        app_two_services::build,
    )
}
