//! The dependency graph as Graphviz DOT: resources grouped by construct path, edges styled by
//! what made them (Ref, Fn::GetAtt, Fn::Sub, DependsOn, cross-stack imports).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::graph::EdgeKind;
use crate::pretty_json::first_escaped;

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

/// Writes the concatenation of `parts` into `out` as one DOT string (quoted and escaped),
/// without building it first.
fn push_quoted(out: &mut String, parts: &[&str]) {
    out.push('"');
    for part in parts {
        push_escaped(out, part);
    }
    out.push('"');
}

/// Writes `part` into `out` escaped for the inside of a DOT string.
fn push_escaped(out: &mut String, part: &str) {
    // runs without a character to escape are copied whole, found eight bytes at a time by the
    // JSON writer's search (whose escapes include DOT's: `"`, `\`, the control characters of
    // which DOT escapes only the line feed)
    let mut rest = part;
    while let Some(at) = first_escaped(rest.as_bytes()) {
        out.push_str(&rest[..at]);
        match rest.as_bytes()[at] {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            other => out.push(char::from(other)),
        }
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
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
    let mut out = String::with_capacity(256 + 96 * (nodes.len() + edges.len()));
    out.push_str("digraph ");
    push_quoted(&mut out, &[stack]);
    out.push_str(" {\n");
    out.push_str("  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=8];\n");
    // every node's id quoted once, for its line and every edge that names it
    let mut quoted = String::with_capacity(nodes.iter().map(|n| n.logical_id.len() + 2).sum());
    let mut ends = Vec::with_capacity(nodes.len());
    for n in nodes {
        push_quoted(&mut quoted, &[n.logical_id]);
        ends.push(quoted.len());
    }
    let id = |i: usize| -> &str {
        debug_assert!(i < ends.len(), "node {i} of {}", ends.len());
        let start = i
            .checked_sub(1)
            .and_then(|p| ends.get(p))
            .copied()
            .unwrap_or(0);
        ends.get(i)
            .and_then(|&end| quoted.get(start..end))
            .unwrap_or("\"\"")
    };
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
            out.push_str("    label=");
            push_quoted(&mut out, &[parent]);
            out.push_str("; style=dashed; color=gray;\n");
            "    "
        };
        for &i in members {
            let quoted_id = id(i);
            out.push_str(indent);
            out.push_str(quoted_id);
            out.push_str(" [label=");
            // the quoted id without its closing quote, then a line feed and the type
            out.push_str(quoted_id.strip_suffix('"').unwrap_or(quoted_id));
            out.push_str("\\n");
            push_escaped(&mut out, nodes[i].type_name);
            out.push_str("\"];\n");
        }
        if !parent.is_empty() {
            out.push_str("  }\n");
        }
    }
    for e in edges {
        out.push_str("  ");
        out.push_str(id(e.from));
        out.push_str(" -> ");
        out.push_str(id(e.to));
        // an edge kind's name has nothing to escape
        out.push_str(" [label=\"");
        out.push_str(e.kind.name());
        out.push_str("\", ");
        out.push_str(style(e.kind));
        out.push_str("];\n");
    }
    for i in imports {
        let external = [i.stack.as_str(), "/", i.logical_id.as_str()];
        out.push_str("  ");
        push_quoted(&mut out, &external);
        out.push_str(" [label=");
        push_quoted(
            &mut out,
            &[&i.stack, "/", &i.logical_id, "\n(stack ", &i.stack, ")"],
        );
        out.push_str(", shape=box, style=\"rounded,dashed\", color=gray];\n");
        out.push_str("  ");
        out.push_str(id(i.from));
        out.push_str(" -> ");
        push_quoted(&mut out, &external);
        out.push_str(" [label=\"Fn::ImportValue\", color=\"#ff7f0e\", style=dotted];\n");
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
        // byte for byte what the renderer wrote when it built each quoted string first
        let expected = r##"digraph "S" {
  rankdir=LR;
  node [shape=box, style=rounded, fontname="Helvetica", fontsize=10];
  edge [fontname="Helvetica", fontsize=8];
  "Topic" [label="Topic\nAWS::SNS::Topic"];
  subgraph cluster_1 {
    label="Net"; style=dashed; color=gray;
    "NetVpc" [label="NetVpc\nAWS::EC2::VPC"];
  }
  "Topic" -> "NetVpc" [label="DependsOn", color="#d62728", style=bold];
  "Other/X" [label="Other/X\n(stack Other)", shape=box, style="rounded,dashed", color=gray];
  "Topic" -> "Other/X" [label="Fn::ImportValue", color="#ff7f0e", style=dotted];
}
"##;
        assert_eq!(dot, expected);
        let mut quoted = String::new();
        push_quoted(&mut quoted, &["a\"b", "\\c\nd"]);
        assert_eq!(quoted, r#""a\"b\\c\nd""#);
    }

    #[test]
    fn quotes_as_the_character_by_character_escape_did() {
        let reference = |parts: &[&str]| {
            let mut out = String::from('"');
            for c in parts.iter().flat_map(|p| p.chars()) {
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
        };
        let specials = [
            '"', '\\', '\n', '\r', '\t', '\u{1}', '\u{1f}', ' ', '\u{7f}', 'é', '😀',
        ];
        for len in 0..20 {
            for at in 0..len {
                for special in specials {
                    let s: String = (0..len)
                        .map(|i| if i == at { special } else { 'a' })
                        .collect();
                    let mut quoted = String::new();
                    push_quoted(&mut quoted, &[&s, "-", &s]);
                    assert_eq!(quoted, reference(&[&s, "-", &s]), "{s:?}");
                }
            }
        }
    }

    /// A node's line and its edges quote the id once and reuse it: the same text as quoting
    /// each part where it is written, for ids and types with characters to escape.
    #[test]
    fn reused_quoted_ids_read_as_quoting_each_part() {
        let ids = ["a\"b\\c\nd", "plain", "", "\\", "é😀\"", "\n\n"];
        let types = ["AWS::X::Y", "Custom::\\\"Q\"\n"];
        let nodes: Vec<Node<'_>> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| Node {
                logical_id: id,
                type_name: types[i % 2],
                path: id,
            })
            .collect();
        let edges: Vec<LocalEdge> = (0..ids.len())
            .map(|i| LocalEdge {
                from: i,
                to: (i + 1) % ids.len(),
                kind: EdgeKind::Ref,
            })
            .collect();
        let dot = render("S", &nodes, &edges, &[]);
        let q = |parts: &[&str]| {
            let mut out = String::new();
            push_quoted(&mut out, parts);
            out
        };
        for (i, n) in nodes.iter().enumerate() {
            let line = format!(
                "  {} [label={}];\n",
                q(&[n.logical_id]),
                q(&[n.logical_id, "\n", n.type_name])
            );
            assert!(dot.contains(&line), "{line:?} not in {dot}");
            let to = &nodes[(i + 1) % nodes.len()];
            let edge = format!(
                "  {} -> {} [label={}, ",
                q(&[n.logical_id]),
                q(&[to.logical_id]),
                q(&[EdgeKind::Ref.name()])
            );
            assert!(dot.contains(&edge), "{edge:?} not in {dot}");
        }
    }
}
