//! Synthesis of typed, checked resources: one stack at CloudFormation's 500-resource limit,
//! every resource a generated type whose literals are checked against its schema (patterns,
//! formats, lengths, enums, tags) at synthesis.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use cloudwright_core::{App, Handle, Output, Value};
use cloudwright_resources::ec2::SecurityGroup;
use cloudwright_resources::ec2::security_group::Ingress;
use criterion::{Criterion, criterion_group, criterion_main};

/// The shape of `crates/core/benches/synth.rs`'s stack (chains of references, `Fn::Sub`,
/// declared dependencies, stack tags, outputs), made of typed security groups with literal
/// descriptions (pattern and length), ingress rules (CIDR format, protocol, ports) and a
/// literal VPC id (format) where there is nothing to reference.
fn typed_stack(app: &App, n: usize) {
    let mut s = app.stack("Typed").unwrap();
    s.add_tag("project", "bench");
    let mut prev: Option<Handle<SecurityGroup>> = None;
    let mut first: Option<Handle<SecurityGroup>> = None;
    for i in 0..n {
        let mut g = SecurityGroup::new(format!("group {i}")).security_group_ingress(vec![
            Ingress::new("tcp")
                .cidr_ip(format!("10.{}.{}.0/24", i / 256, i % 256))
                .from_port(443)
                .to_port(443)
                .description("https from the subnet"),
        ]);
        g = match &prev {
            Some(p) => {
                let g = g.vpc_id(p.vpc_id());
                if i % 3 == 0 {
                    g.group_name(Value::sub(format!("${{{}.GroupId}}-next", p.logical_id())))
                } else {
                    g
                }
            }
            None => g.vpc_id("vpc-0123abcd"),
        };
        let h = s.add(&format!("Group{i}"), g).unwrap();
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
}

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
