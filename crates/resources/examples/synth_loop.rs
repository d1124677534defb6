//! Builds and synthesizes the bench's stack of 500 typed security groups N times (first
//! argument), for callgrind: `valgrind --tool=callgrind target/release/examples/synth_loop 20`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]
use cloudwright_core::App;
use std::hint::black_box;

#[path = "../benches/support/typed_stack.rs"]
mod typed_stack;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1);
    for _ in 0..n {
        let app = App::new();
        typed_stack::typed_stack(&app, 500);
        black_box(app.synth().unwrap());
    }
}
