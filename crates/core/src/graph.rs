//! The dependency graph of one stack's resources (petgraph), with cycle reporting and the
//! transitive reduction that decides which declared dependencies become `DependsOn`.

use std::collections::{HashSet, VecDeque};
use std::fmt;

use petgraph::algo::toposort;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

/// What made an edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// `{"Ref": ..}`
    Ref,
    /// `{"Fn::GetAtt": ..}`
    GetAtt,
    /// `${..}` inside `Fn::Sub`
    Sub,
    /// A declared dependency.
    DependsOn,
}

impl EdgeKind {
    /// The intrinsic or attribute that made the edge (`Ref`, `Fn::GetAtt`, `Fn::Sub`,
    /// `DependsOn`): what [`Display`](fmt::Display) writes.
    pub fn name(self) -> &'static str {
        match self {
            EdgeKind::Ref => "Ref",
            EdgeKind::GetAtt => "Fn::GetAtt",
            EdgeKind::Sub => "Fn::Sub",
            EdgeKind::DependsOn => "DependsOn",
        }
    }
}

impl fmt::Display for EdgeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An edge: the referrer depends on the target because of `kind` at `property`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// What made it.
    pub kind: EdgeKind,
    /// The property path in the referrer (empty for declared dependencies).
    pub property: String,
}

/// A directed graph: an edge `a -> b` means `a` depends on `b` (b must exist first). Its
/// nodes are named by `N`: owned names by default, or names borrowed from where they live.
#[derive(Debug)]
pub struct DependencyGraph<N = String> {
    graph: DiGraph<N, Edge>,
}

/// An empty graph of owned names (the one type `DependencyGraph::default()` names, as
/// before the graph could borrow them).
impl Default for DependencyGraph {
    fn default() -> Self {
        DependencyGraph {
            graph: DiGraph::new(),
        }
    }
}

impl DependencyGraph {
    /// A graph with one node per name, in the given order.
    pub fn new<S: Into<String>>(nodes: impl IntoIterator<Item = S>) -> Self {
        DependencyGraph::named(nodes.into_iter().map(Into::into))
    }
}

impl<'a> DependencyGraph<&'a str> {
    /// A graph with one node per name, in the given order, the names borrowed.
    pub fn borrowing(nodes: impl IntoIterator<Item = &'a str>) -> Self {
        DependencyGraph::named(nodes)
    }
}

impl<N: AsRef<str>> DependencyGraph<N> {
    fn named(nodes: impl IntoIterator<Item = N>) -> Self {
        let mut graph = DiGraph::new();
        for n in nodes {
            graph.add_node(n);
        }
        DependencyGraph { graph }
    }

    /// The number of nodes.
    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    /// Whether there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    /// The name of node `i`.
    pub fn name(&self, i: usize) -> &str {
        self.graph[NodeIndex::new(i)].as_ref()
    }

    /// Adds `from -> to` (node indices as given to [`DependencyGraph::new`] or
    /// [`DependencyGraph::borrowing`]).
    pub fn add_edge(&mut self, from: usize, to: usize, edge: Edge) {
        self.graph
            .add_edge(NodeIndex::new(from), NodeIndex::new(to), edge);
    }

    /// Every edge as `(from, to, edge)`.
    pub fn edges(&self) -> impl Iterator<Item = (usize, usize, &Edge)> {
        self.graph
            .edge_references()
            .map(|e| (e.source().index(), e.target().index(), e.weight()))
    }

    /// A cycle, if there is one: the nodes in order, the first repeated at the end, with the
    /// edge that leads from each node to the next.
    pub fn find_cycle(&self) -> Option<Vec<(usize, Option<&Edge>)>> {
        let start = match toposort(&self.graph, None) {
            Ok(_) => return None,
            Err(c) => c.node_id(),
        };
        // Breadth-first search from `start` back to `start`: the shortest cycle through it.
        let mut parent: Vec<Option<(NodeIndex, petgraph::graph::EdgeIndex)>> =
            vec![None; self.graph.node_count()];
        let mut queue = VecDeque::new();
        let mut seen = HashSet::new();
        for e in self.graph.edges(start) {
            if e.target() == start {
                return Some(vec![
                    (start.index(), Some(e.weight())),
                    (start.index(), None),
                ]);
            }
            if seen.insert(e.target()) {
                parent[e.target().index()] = Some((start, e.id()));
                queue.push_back(e.target());
            }
        }
        while let Some(n) = queue.pop_front() {
            for e in self.graph.edges(n) {
                if e.target() == start {
                    let mut rev = vec![(n, e.id())];
                    let mut cur = n;
                    while let Some((p, pe)) = parent[cur.index()] {
                        rev.push((p, pe));
                        cur = p;
                        if p == start {
                            break;
                        }
                    }
                    rev.reverse();
                    let mut out: Vec<(usize, Option<&Edge>)> = rev
                        .into_iter()
                        .map(|(node, edge)| (node.index(), Some(&self.graph[edge])))
                        .collect();
                    // start at the node added first, so the report does not depend on
                    // where the search happened to begin
                    let first = out
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, (n, _))| *n)
                        .map_or(0, |(i, _)| i);
                    out.rotate_left(first);
                    out.push((out[0].0, None));
                    return Some(out);
                }
                if seen.insert(e.target()) {
                    parent[e.target().index()] = Some((n, e.id()));
                    queue.push_back(e.target());
                }
            }
        }
        None
    }

    /// Renders a cycle from [`DependencyGraph::find_cycle`]: `A -> B -> A (A -> B: Ref at
    /// Properties.X; B -> A: DependsOn)`.
    pub fn describe_cycle(&self, cycle: &[(usize, Option<&Edge>)]) -> String {
        let names: Vec<&str> = cycle.iter().map(|(n, _)| self.name(*n)).collect();
        let reasons: Vec<String> = cycle
            .windows(2)
            .filter_map(|w| {
                let edge = w[0].1?;
                let how = if edge.property.is_empty() {
                    edge.kind.to_string()
                } else {
                    format!("{} at {}", edge.kind, edge.property)
                };
                Some(format!(
                    "{} -> {}: {how}",
                    self.name(w[0].0),
                    self.name(w[1].0)
                ))
            })
            .collect();
        format!("{} ({})", names.join(" -> "), reasons.join("; "))
    }

    /// Every declared dependency (`DependsOn` edge), deduplicated and sorted: what a stack
    /// with `depends_on_as_declared` writes.
    pub fn declared_edges(&self) -> Vec<(usize, usize)> {
        let mut declared: Vec<(usize, usize)> = self
            .graph
            .edge_references()
            .filter(|e| e.weight().kind == EdgeKind::DependsOn)
            .map(|e| (e.source().index(), e.target().index()))
            .collect();
        declared.sort_unstable();
        declared.dedup();
        declared
    }

    /// The declared dependencies to emit as `DependsOn`: those in the transitive reduction of
    /// all edges that are not already reference edges. The graph must be acyclic.
    ///
    /// An edge `u -> v` is in the transitive reduction of a DAG iff no other path leads from
    /// `u` to `v`. So the emitted set keeps every node's reachability, and no emitted edge is
    /// implied by the others together with the references.
    pub fn reduced_declared_edges(&self) -> Vec<(usize, usize)> {
        let n = self.graph.node_count();
        let words = n.div_ceil(64);
        let Ok(order) = toposort(&self.graph, None) else {
            return Vec::new();
        };
        // every edge once, sorted: the successors of `u` are `edges[start[u]..start[u + 1]]`
        let mut edges: Vec<(usize, usize)> = Vec::with_capacity(self.graph.edge_count());
        // which pairs are references, sorted
        let mut refs: Vec<(usize, usize)> = Vec::new();
        let mut declared: Vec<(usize, usize)> = Vec::new();
        for e in self.graph.edge_references() {
            let (u, v) = (e.source().index(), e.target().index());
            edges.push((u, v));
            if e.weight().kind == EdgeKind::DependsOn {
                declared.push((u, v));
            } else {
                refs.push((u, v));
            }
        }
        for pairs in [&mut edges, &mut refs, &mut declared] {
            pairs.sort_unstable();
            pairs.dedup();
        }
        let mut start = vec![0usize; n + 1];
        for &(u, _) in &edges {
            start[u + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let succ = |u: usize| edges[start[u]..start[u + 1]].iter().map(|&(_, w)| w);
        // reach[u]: every node reachable from u by a path of length >= 1
        let mut reach = vec![0u64; n * words];
        for &node in order.iter().rev() {
            let u = node.index();
            for w in succ(u) {
                let (dst, src) = (u * words, w * words);
                for i in 0..words {
                    let bit = reach[src + i];
                    reach[dst + i] |= bit;
                }
                reach[dst + w / 64] |= 1 << (w % 64);
            }
        }
        let reachable =
            |from: usize, to: usize| reach[from * words + to / 64] & (1 << (to % 64)) != 0;
        declared
            .into_iter()
            .filter(|pair| refs.binary_search(pair).is_err())
            .filter(|&(u, v)| !succ(u).any(|w| w != v && reachable(w, v)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(kind: EdgeKind) -> Edge {
        Edge {
            kind,
            property: if kind == EdgeKind::DependsOn {
                String::new()
            } else {
                "Properties.X".into()
            },
        }
    }

    #[test]
    fn declared_edges_implied_by_references_are_dropped() {
        // A -Ref-> B -Ref-> C, A -DependsOn-> C (implied), A -DependsOn-> D (kept)
        let mut g = DependencyGraph::new(["A", "B", "C", "D"]);
        g.add_edge(0, 1, edge(EdgeKind::Ref));
        g.add_edge(1, 2, edge(EdgeKind::GetAtt));
        g.add_edge(0, 2, edge(EdgeKind::DependsOn));
        g.add_edge(0, 3, edge(EdgeKind::DependsOn));
        g.add_edge(0, 1, edge(EdgeKind::DependsOn));
        assert_eq!(g.reduced_declared_edges(), vec![(0, 3)]);
    }

    #[test]
    fn a_cycle_is_reported_in_order_with_its_edges() {
        let mut g = DependencyGraph::new(["A", "B", "C"]);
        g.add_edge(0, 1, edge(EdgeKind::Ref));
        g.add_edge(1, 2, edge(EdgeKind::Sub));
        g.add_edge(2, 0, edge(EdgeKind::DependsOn));
        let c = g.find_cycle().unwrap();
        let text = g.describe_cycle(&c);
        assert_eq!(c.first().map(|x| x.0), c.last().map(|x| x.0));
        assert!(text.contains("DependsOn"), "{text}");
        assert_eq!(c.len(), 4);
    }

    #[test]
    fn a_self_reference_is_a_cycle() {
        let mut g = DependencyGraph::new(["A"]);
        g.add_edge(0, 0, edge(EdgeKind::Ref));
        let c = g.find_cycle().unwrap();
        assert_eq!(g.describe_cycle(&c), "A -> A (A -> A: Ref at Properties.X)");
    }
}
