//! The dependency graph as Graphviz DOT: resources grouped by construct path, edges styled by
//! what made them (Ref, Fn::GetAtt, Fn::Sub, DependsOn, cross-stack imports).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::graph::EdgeKind;

/// A resource node.
pub(crate) struct Node<'a> {
    pub logical_id: &'a str,
    pub type_name: &'a str,
    /// The construct path of the resource (`Network/PublicSubnet1`).
    pub path: &'a str,
}

/// An edge from a resource to a resource of the same stack (indices into the nodes).
pub(crate) struct LocalEdge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
}

/// An edge from a resource to something another stack exports.
pub(crate) struct ImportEdge {
    pub from: usize,
    pub stack: String,
    pub logical_id: String,
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

fn style(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Ref => "color=\"#1f77b4\"",
        EdgeKind::GetAtt => "color=\"#2ca02c\"",
        EdgeKind::Sub => "color=\"#9467bd\", style=dashed",
        EdgeKind::DependsOn => "color=\"#d62728\", style=bold",
    }
}

/// Renders a stack's graph. Edges point from a resource to what it needs.
pub(crate) fn render(
    stack: &str,
    nodes: &[Node<'_>],
    edges: &[LocalEdge],
    imports: &[ImportEdge],
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote(stack));
    out.push_str("  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=8];\n");
    // group by the construct path of each resource's parent
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, n) in nodes.iter().enumerate() {
        let parent = n.path.rsplit_once('/').map_or("", |(p, _)| p);
        groups.entry(parent).or_default().push(i);
    }
    for (cluster, (parent, members)) in groups.iter().enumerate() {
        let indent = if parent.is_empty() {
            "  "
        } else {
            let _ = writeln!(out, "  subgraph cluster_{cluster} {{");
            let _ = writeln!(
                out,
                "    label={}; style=dashed; color=gray;",
                quote(parent)
            );
            "    "
        };
        for &i in members {
            let n = &nodes[i];
            let _ = writeln!(
                out,
                "{indent}{} [label={}];",
                quote(n.logical_id),
                quote(&format!("{}\n{}", n.logical_id, n.type_name))
            );
        }
        if !parent.is_empty() {
            out.push_str("  }\n");
        }
    }
    for e in edges {
        let _ = writeln!(
            out,
            "  {} -> {} [label={}, {}];",
            quote(nodes[e.from].logical_id),
            quote(nodes[e.to].logical_id),
            quote(&e.kind.to_string()),
            style(e.kind)
        );
    }
    for i in imports {
        let external = format!("{}/{}", i.stack, i.logical_id);
        let _ = writeln!(
            out,
            "  {} [label={}, shape=box, style=\"rounded,dashed\", color=gray];",
            quote(&external),
            quote(&format!("{external}\n(stack {})", i.stack))
        );
        let _ = writeln!(
            out,
            "  {} -> {} [label=\"Fn::ImportValue\", color=\"#ff7f0e\", style=dotted];",
            quote(nodes[i.from].logical_id),
            quote(&external)
        );
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_groups_and_styled_edges() {
        let nodes = [
            Node {
                logical_id: "NetVpc",
                type_name: "AWS::EC2::VPC",
                path: "Net/Vpc",
            },
            Node {
                logical_id: "Topic",
                type_name: "AWS::SNS::Topic",
                path: "Topic",
            },
        ];
        let dot = render(
            "S",
            &nodes,
            &[LocalEdge {
                from: 1,
                to: 0,
                kind: EdgeKind::DependsOn,
            }],
            &[ImportEdge {
                from: 1,
                stack: "Other".into(),
                logical_id: "X".into(),
            }],
        );
        assert!(dot.starts_with("digraph \"S\" {"));
        assert!(
            dot.contains("subgraph cluster_1") && dot.contains("label=\"Net\""),
            "{dot}"
        );
        assert!(
            dot.contains("\"Topic\" -> \"NetVpc\" [label=\"DependsOn\""),
            "{dot}"
        );
        assert!(dot.contains("\"Topic\" -> \"Other/X\""), "{dot}");
    }
}
