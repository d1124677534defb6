//! Synthesis benchmarks: one stack at the 500-resource limit, and an app of 50 stacks wired
//! together with cross-stack references.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use cloudwright_core::{App, Handle, Output, RawResource, TagFormat, Value};
use criterion::{Criterion, criterion_group, criterion_main};

/// A stack of `n` resources in chains of references with some declared dependencies, tags
/// and outputs: the shape of a real stack at CloudFormation's limit.
fn big_stack(
    app: &App,
    id: &str,
    n: usize,
    import: Option<&Handle<RawResource>>,
) -> Handle<RawResource> {
    let mut s = app.stack(id).unwrap();
    s.add_tag("project", "bench");
    let mut prev: Option<Handle<RawResource>> = None;
    let mut first = None;
    for i in 0..n {
        let mut r = RawResource::new("AWS::EC2::SecurityGroup")
            .property("GroupDescription", format!("group {i}"))
            .with_tag_format(TagFormat::KeyValueList);
        if let Some(p) = &prev {
            r = r.property("VpcId", p.r#ref());
            if i % 3 == 0 {
                r = r.property(
                    "Description",
                    Value::sub(format!("${{{}.GroupId}}", p.logical_id())),
                );
            }
        } else if let Some(h) = import {
            r = r.property("VpcId", h.r#ref());
        }
        let h = s.add(&format!("Group{i}"), r).unwrap();
        if i % 10 == 0
            && let Some(f) = &first
        {
            s.add_dependency(&h, f);
        }
        if i % 50 == 0 {
            s.add_output(&format!("Out{i}"), Output::new(h.r#ref()))
                .unwrap();
        }
        first.get_or_insert_with(|| h.clone());
        prev = Some(h);
    }
    first.unwrap()
}

fn benches(c: &mut Criterion) {
    c.bench_function("synth/one stack of 500 resources", |b| {
        b.iter(|| {
            let app = App::new();
            big_stack(&app, "Big", 500, None);
            black_box(app.synth().unwrap())
        })
    });
    let built = App::new();
    big_stack(&built, "Big", 500, None);
    c.bench_function(
        "synth/one stack of 500 resources, synthesis only (app built once)",
        |b| b.iter(|| black_box(built.synth().unwrap())),
    );
    c.bench_function("synth/50 stacks of 40 resources, cross-stack", |b| {
        b.iter(|| {
            let app = App::new();
            let mut prev = None;
            for i in 0..50 {
                prev = Some(big_stack(&app, &format!("Stack{i}"), 40, prev.as_ref()));
            }
            black_box(app.synth().unwrap())
        })
    });
}

criterion_group!(synth, benches);
criterion_main!(synth);
