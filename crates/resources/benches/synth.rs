//! Synthesis of typed, checked resources: one stack at CloudFormation's 500-resource limit,
//! every resource a generated type whose literals are checked against its schema (patterns,
//! formats, lengths, enums, tags) at synthesis.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use cloudwright_core::App;
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/typed_stack.rs"]
mod typed_stack;
use typed_stack::typed_stack;

fn benches(c: &mut Criterion) {
    c.bench_function("resources/one stack of 500 typed, checked resources", |b| {
        b.iter(|| {
            let app = App::new();
            typed_stack(&app, 500);
            black_box(app.synth().unwrap())
        })
    });
    let built = App::new();
    typed_stack(&built, 500);
    c.bench_function(
        "resources/one stack of 500 typed, checked resources, synthesis only (built once)",
        |b| b.iter(|| black_box(built.synth().unwrap())),
    );
}

criterion_group!(synth, benches);
criterion_main!(synth);
