//! `mrt graph`: the revision graph as text, JSON, Graphviz or Mermaid.

use std::fmt::Write as _;

use mrt_core::Project;
use mrt_core::graph::EdgeKind;
use mrt_core::ir::Spanned;
use serde::Serialize;

use crate::Status;
use crate::args::{GraphArgs, GraphFormat};

pub(crate) fn run(args: &GraphArgs) -> Result<Status, String> {
    let (project, errors) = crate::load_project(&args.paths)?;
    let view = View::of(&project);
    let text = match args.format {
        GraphFormat::Text => view.text(),
        GraphFormat::Json => view.json()?,
        GraphFormat::Dot => view.dot(),
        GraphFormat::Mermaid => view.mermaid(),
    };
    crate::write_stdout(&text)?;
    Ok(if errors.is_empty() {
        Status::Success
    } else {
        Status::Error
    })
}

/// The graph's facts, by graph position, computed once for every format.
struct View<'a> {
    project: &'a Project,
    /// Graph positions, oldest first when the graph is acyclic, else in path order.
    order: Vec<usize>,
    acyclic: bool,
    heads: Vec<usize>,
    bases: Vec<usize>,
    branch_points: Vec<usize>,
    merge_points: Vec<usize>,
}

#[derive(Serialize)]
struct JsonGraph<'a> {
    revisions: Vec<JsonRevision<'a>>,
    heads: Vec<&'a str>,
    bases: Vec<&'a str>,
    branch_points: Vec<&'a str>,
    merge_points: Vec<&'a str>,
    missing: Vec<JsonMissing<'a>>,
    cycles: Vec<Vec<&'a str>>,
    duplicates: Vec<&'a str>,
}

#[derive(Serialize)]
struct JsonRevision<'a> {
    revision: &'a str,
    path: String,
    parents: Vec<&'a str>,
    depends_on: Vec<&'a str>,
    branch_labels: Vec<&'a str>,
}

#[derive(Serialize)]
struct JsonMissing<'a> {
    revision: &'a str,
    references: &'a str,
    field: &'static str,
}

impl<'a> View<'a> {
    fn of(project: &'a Project) -> Self {
        let graph = &project.graph;
        let topological = graph.topological_order();
        let acyclic = topological.is_some();
        let order = topological.unwrap_or_else(|| (0..graph.len_positions()).collect());
        Self {
            project,
            order,
            acyclic,
            heads: graph.heads(),
            bases: graph.bases(),
            branch_points: graph.branch_points(),
            merge_points: graph.merge_points(),
        }
    }

    fn id(&self, position: usize) -> &'a str {
        self.project
            .migration_at(position)
            .revision_id()
            .unwrap_or("?")
    }

    fn ids(&self, positions: &[usize]) -> Vec<&'a str> {
        positions.iter().map(|&at| self.id(at)).collect()
    }

    fn path(&self, position: usize) -> String {
        self.project
            .migration_at(position)
            .path()
            .display()
            .to_string()
    }

    fn list(&self, label: &str, positions: &[usize]) -> String {
        if positions.is_empty() {
            return format!("{label}: none\n");
        }
        let mut text = format!("{label} ({}):\n", positions.len());
        for &at in positions {
            let _ = writeln!(text, "  {}  {}", self.id(at), self.path(at));
        }
        text
    }

    fn text(&self) -> String {
        let mut text = String::new();
        text.push_str(&self.list("Heads", &self.heads));
        text.push_str(&self.list("Bases", &self.bases));
        text.push_str(&self.list("Branch points", &self.branch_points));
        text.push_str(&self.list("Merge points", &self.merge_points));
        let cycles = self.project.graph.cycles();
        if !cycles.is_empty() {
            for cycle in &cycles {
                let _ = writeln!(text, "Cycle: {}", self.ids(cycle).join(" -> "));
            }
        }
        let _ = writeln!(
            text,
            "\nHistory ({}, newest first):",
            if self.acyclic {
                "topological"
            } else {
                "cyclic graph, path order"
            }
        );
        for &at in self.order.iter().rev() {
            let migration = self.project.migration_at(at);
            let parents = strs(&migration.parents);
            let from = if parents.is_empty() {
                "<base>".to_owned()
            } else {
                parents.join(", ")
            };
            let mut marks = Vec::new();
            if self.heads.contains(&at) {
                marks.push("head");
            }
            if self.branch_points.contains(&at) {
                marks.push("branchpoint");
            }
            if self.merge_points.contains(&at) {
                marks.push("mergepoint");
            }
            let marks = if marks.is_empty() {
                String::new()
            } else {
                format!(" ({})", marks.join(") ("))
            };
            let labels = strs(&migration.branch_labels);
            let labels = if labels.is_empty() {
                String::new()
            } else {
                format!(" [{}]", labels.join(", "))
            };
            let _ = writeln!(
                text,
                "{from} -> {}{marks}{labels}, {}",
                self.id(at),
                self.path(at)
            );
        }
        text
    }

    fn json(&self) -> Result<String, String> {
        let graph = &self.project.graph;
        let revisions = self
            .order
            .iter()
            .map(|&at| {
                let migration = self.project.migration_at(at);
                JsonRevision {
                    revision: self.id(at),
                    path: self.path(at),
                    parents: strs(&migration.parents),
                    depends_on: strs(&migration.depends_on),
                    branch_labels: strs(&migration.branch_labels),
                }
            })
            .collect();
        let report = JsonGraph {
            revisions,
            heads: self.ids(&self.heads),
            bases: self.ids(&self.bases),
            branch_points: self.ids(&self.branch_points),
            merge_points: self.ids(&self.merge_points),
            missing: graph
                .missing_references()
                .iter()
                .map(|missing| JsonMissing {
                    revision: self.id(missing.child),
                    references: &missing.target,
                    field: match missing.kind {
                        EdgeKind::Parent => "down_revision",
                        EdgeKind::DependsOn => "depends_on",
                    },
                })
                .collect(),
            cycles: graph.cycles().iter().map(|cycle| self.ids(cycle)).collect(),
            duplicates: graph.duplicates().iter().map(|d| d.id.as_str()).collect(),
        };
        serde_json::to_string_pretty(&report)
            .map(|text| text + "\n")
            .map_err(|error| error.to_string())
    }

    /// Edges as `(parent, child, kind)` graph positions, in history order.
    fn edges(&self) -> Vec<(usize, usize, EdgeKind)> {
        let graph = &self.project.graph;
        let mut edges = Vec::new();
        for &child in &self.order {
            for parent in graph.parents(child) {
                edges.push((parent, child, EdgeKind::Parent));
            }
            let migration = self.project.migration_at(child);
            for dependency in &migration.depends_on {
                if let Some(parent) = graph.position(dependency.as_str()) {
                    edges.push((parent, child, EdgeKind::DependsOn));
                }
            }
        }
        edges
    }

    fn dot(&self) -> String {
        let mut text = String::from(
            "digraph revisions {\n  rankdir=BT;\n  node [shape=box, fontname=\"monospace\"];\n",
        );
        for &at in &self.order {
            let shape = if self.heads.contains(&at) {
                ", style=bold"
            } else {
                ""
            };
            let _ = writeln!(
                text,
                "  \"{}\" [label=\"{}\\n{}\"{shape}];",
                escape(self.id(at)),
                escape(self.id(at)),
                escape(&file_name(&self.path(at)))
            );
        }
        for (parent, child, kind) in self.edges() {
            let style = if kind == EdgeKind::DependsOn {
                " [style=dashed]"
            } else {
                ""
            };
            let _ = writeln!(
                text,
                "  \"{}\" -> \"{}\"{style};",
                escape(self.id(parent)),
                escape(self.id(child))
            );
        }
        text.push_str("}\n");
        text
    }

    fn mermaid(&self) -> String {
        let mut text = String::from("flowchart BT\n");
        for &at in &self.order {
            let _ = writeln!(text, "  n{at}[\"{}\"]", self.id(at).replace('"', "#quot;"));
        }
        for (parent, child, kind) in self.edges() {
            let arrow = if kind == EdgeKind::DependsOn {
                "-.->"
            } else {
                "-->"
            };
            let _ = writeln!(text, "  n{parent} {arrow} n{child}");
        }
        text
    }
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

fn file_name(path: &str) -> String {
    std::path::Path::new(path).file_name().map_or_else(
        || path.to_owned(),
        |name| name.to_string_lossy().into_owned(),
    )
}

fn strs(values: &[Spanned<String>]) -> Vec<&str> {
    values.iter().map(Spanned::as_str).collect()
}
