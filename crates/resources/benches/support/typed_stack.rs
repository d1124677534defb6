//! The bench's stack, shared by `benches/synth.rs` and `examples/synth_loop.rs` (which runs it
//! under callgrind): one stack at CloudFormation's 500-resource limit of typed security groups.

use cloudwright_core::{App, Handle, Output, Value};
use cloudwright_resources::ec2::SecurityGroup;
use cloudwright_resources::ec2::security_group::Ingress;

/// The shape of `crates/core/benches/synth.rs`'s stack (chains of references, `Fn::Sub`,
/// declared dependencies, stack tags, outputs), made of typed security groups with literal
/// descriptions (pattern and length), ingress rules (CIDR format, protocol, ports) and a
/// literal VPC id (format) where there is nothing to reference.
pub fn typed_stack(app: &App, n: usize) {
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
