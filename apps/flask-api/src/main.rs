//! `app-flask-api`: synthesizes the Flask API stack (work in progress).

use std::process::ExitCode;

fn main() -> ExitCode {
    cloudwright_core::run(
        concat!(env!("CARGO_MANIFEST_DIR"), "/cloudwright.context.json"),
        |app| {
            app.stack("FlaskApi")?;
            Ok(())
        },
    )
}
