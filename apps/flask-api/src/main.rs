//! `cargo run -p app-flask-api`: synthesizes the Flask API stack offline from the context
//! file beside this app, into `cloudwright.out/`.

use std::process::ExitCode;

fn main() -> ExitCode {
    cloudwright_core::run(
        concat!(env!("CARGO_MANIFEST_DIR"), "/cloudwright.context.json"),
        app_flask_api::build,
    )
}
