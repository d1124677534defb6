//! `cloudwright graph`: each stack's dependency graph (the assembly's DOT files), rendered to
//! SVG with Graphviz `dot` on request.

use std::path::{Path, PathBuf};

use crate::app::assembly::{CloudAssembly, Extend};
use crate::error::{Error, Result};

/// The DOT files of the named stacks (all when `names` is empty), in deployment order.
pub fn graph_files(assembly: &CloudAssembly, names: &[String]) -> Result<Vec<PathBuf>> {
    assembly
        .select(names, Extend::None)?
        .into_iter()
        .map(|s| {
            let path = assembly.dir.join(&s.graph_file);
            if path.is_file() {
                Ok(path)
            } else {
                Err(Error::Assembly {
                    dir: assembly.dir.clone(),
                    message: format!(
                        "the graph of stack `{}` ({}) is missing",
                        s.id, s.graph_file
                    ),
                })
            }
        })
        .collect()
}

/// Renders a DOT file to SVG beside it (`X.graph.dot` → `X.graph.svg`) with Graphviz `dot`
/// found on `PATH`; returns the SVG's path.
pub fn render_svg(dot: &Path) -> Result<PathBuf> {
    let svg = dot.with_extension("svg");
    let output = std::process::Command::new("dot")
        .arg("-Tsvg")
        .arg("-o")
        .arg(&svg)
        .arg(dot)
        .output()
        .map_err(|e| Error::GraphvizMissing {
            detail: if e.kind() == std::io::ErrorKind::NotFound {
                "no `dot` executable in any PATH directory".into()
            } else {
                format!("it cannot be started: {e}")
            },
        })?;
    if !output.status.success() {
        return Err(Error::Graphviz {
            file: dot.to_owned(),
            message: format!(
                "{}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        });
    }
    Ok(svg)
}
