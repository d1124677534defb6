//! Property tests of the dependency graph through full synthesis, against brute-force oracles.
//!
//! - For random DAGs of references (Ref, GetAtt, Sub) plus declared dependencies, the emitted
//!   `DependsOn` preserves exactly the reachability of all edges, and no emitted edge is implied
//!   by the others.
//! - For random graphs that contain a cycle, synthesis fails and the reported cycle is a real
//!   cycle of the graph.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::collections::BTreeSet;

use cloudwright_core::{App, Error, Handle, RawResource, Value};
use proptest::prelude::*;
use serde_json::Value as Json;

#[derive(Clone, Copy, Debug)]
enum Kind {
    Ref,
    GetAtt,
    Sub,
    DependsOn,
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        Just(Kind::Ref),
        Just(Kind::GetAtt),
        Just(Kind::Sub),
        Just(Kind::DependsOn)
    ]
}

fn name(i: usize) -> String {
    format!("R{i}")
}

/// Builds a stack with `n` resources and the given edges `(from, to, kind)`.
fn build(n: usize, edges: &[(usize, usize, Kind)]) -> App {
    let app = App::new();
    let mut s = app.stack("S").unwrap();
    let mut handles: Vec<Handle<RawResource>> = Vec::new();
    for i in 0..n {
        let refs: Vec<Value> = edges
            .iter()
            .filter(|e| e.0 == i)
            .filter_map(|&(_, to, k)| match k {
                Kind::Ref => Some(Value::r#ref(name(to))),
                Kind::GetAtt => Some(Value::get_att(name(to), "Arn")),
                Kind::Sub => Some(Value::sub(format!("x-${{{}}}", name(to)))),
                Kind::DependsOn => None,
            })
            .collect();
        let mut r = RawResource::new("AWS::SNS::Topic");
        if !refs.is_empty() {
            r = r.property("Refs", Value::List(refs));
        }
        handles.push(s.add(&name(i), r).unwrap());
    }
    for &(from, to, k) in edges {
        if matches!(k, Kind::DependsOn) {
            s.add_dependency(&handles[from], &handles[to]);
        }
    }
    app
}

/// reach[u][v]: v reachable from u by a path of length >= 1.
fn closure(n: usize, edges: &BTreeSet<(usize, usize)>) -> Vec<Vec<bool>> {
    let mut r = vec![vec![false; n]; n];
    for &(u, v) in edges {
        r[u][v] = true;
    }
    for k in 0..n {
        for i in 0..n {
            if r[i][k] {
                let via = r[k].clone();
                for (j, reachable) in via.into_iter().enumerate() {
                    r[i][j] |= reachable;
                }
            }
        }
    }
    r
}

fn index(id: &str) -> usize {
    id.trim_start_matches('R').parse().unwrap()
}

/// Reads back (reference edges, DependsOn edges) from a synthesized template.
type Edges = BTreeSet<(usize, usize)>;

fn edges_in(template: &Json, n: usize) -> (Edges, Edges) {
    let mut refs = BTreeSet::new();
    let mut deps = BTreeSet::new();
    for i in 0..n {
        let r = &template["Resources"][name(i)];
        if let Some(list) = r["Properties"]["Refs"].as_array() {
            for v in list {
                let target = if let Some(t) = v.get("Ref") {
                    t.as_str().unwrap().to_owned()
                } else if let Some(t) = v.get("Fn::GetAtt") {
                    t[0].as_str().unwrap().to_owned()
                } else {
                    let s = v["Fn::Sub"].as_str().unwrap();
                    s.trim_start_matches("x-${")
                        .trim_end_matches('}')
                        .to_owned()
                };
                refs.insert((i, index(&target)));
            }
        }
        if let Some(d) = r.get("DependsOn") {
            for t in d.as_array().unwrap() {
                deps.insert((i, index(t.as_str().unwrap())));
            }
        }
    }
    (refs, deps)
}

/// A random DAG: edges only from a higher index to a lower one.
fn dag() -> impl Strategy<Value = (usize, Vec<(usize, usize, Kind)>)> {
    (2usize..16).prop_flat_map(|n| {
        let edge = (1..n).prop_flat_map(move |from| (Just(from), 0..from, kind()));
        (Just(n), proptest::collection::vec(edge, 0..40))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn depends_on_keeps_reachability_and_is_irredundant((n, edges) in dag()) {
        let app = build(n, &edges);
        let asm = app.synth().unwrap();
        let t: Json = serde_json::from_str(&asm.stacks[0].template).unwrap();
        let (refs, deps) = edges_in(&t, n);

        let all: BTreeSet<(usize, usize)> = edges.iter().map(|&(u, v, _)| (u, v)).collect();
        let emitted: BTreeSet<(usize, usize)> = refs.union(&deps).copied().collect();
        prop_assert_eq!(closure(n, &all), closure(n, &emitted), "reachability changed");

        for &d in &deps {
            prop_assert!(!refs.contains(&d), "DependsOn {:?} duplicates a reference", d);
            let mut without = emitted.clone();
            without.remove(&d);
            prop_assert!(!closure(n, &without)[d.0][d.1], "DependsOn {:?} is implied by the others", d);
        }
    }

    #[test]
    fn a_cycle_is_reported_and_is_real(
        (n, mut edges) in dag(),
        ring in proptest::collection::vec((any::<prop::sample::Index>(), kind()), 1..6),
    ) {
        // close a ring through distinct nodes, so the graph surely has a cycle
        let mut nodes: Vec<usize> = ring.iter().map(|(i, _)| i.index(n)).collect();
        nodes.sort_unstable();
        nodes.dedup();
        for (pos, &node) in nodes.iter().enumerate() {
            let next = nodes[(pos + 1) % nodes.len()];
            // a resource declared to depend on itself is ignored, so a one-node ring refers
            let k = if nodes.len() == 1 { Kind::Ref } else { ring[pos % ring.len()].1 };
            edges.push((node, next, k));
        }
        let app = build(n, &edges);
        let err = app.synth().unwrap_err();
        let Error::Cycle { cycle, .. } = &err else {
            return Err(TestCaseError::fail(format!("expected a cycle error, got {err}")));
        };
        let path = cycle.split(" (").next().unwrap();
        let ids: Vec<usize> = path.split(" -> ").map(index).collect();
        prop_assert!(ids.len() >= 2);
        prop_assert_eq!(ids.first(), ids.last());
        let all: BTreeSet<(usize, usize)> = edges.iter().map(|&(u, v, _)| (u, v)).collect();
        for w in ids.windows(2) {
            prop_assert!(all.contains(&(w[0], w[1])), "{} -> {} is not an edge: {}", w[0], w[1], cycle);
        }
    }
}
