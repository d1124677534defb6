//! Runs the in-process synthesis of the bench N times (first argument), for callgrind.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]
use cloudwright_core::{App, Context};
use std::hint::black_box;
use std::path::Path;
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1);
    let ctx = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/cloudwright.context.json"
    ));
    for _ in 0..n {
        let mut app = App::with_context(Context::from_file(ctx).unwrap());
        app_flask_api::build(&mut app).unwrap();
        black_box(app.synth().unwrap());
    }
}
