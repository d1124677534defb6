//! `cargo run -p app-people-serverless`: synthesizes the two stacks offline into
//! `cloudwright.out/` (the functions' directories become zip assets).

use std::process::ExitCode;

fn main() -> ExitCode {
    cloudwright_core::run(
        concat!(env!("CARGO_MANIFEST_DIR"), "/cloudwright.context.json"),
        app_people_serverless::build,
    )
}
