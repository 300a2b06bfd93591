use mrt_core::graph::EdgeKind;
use mrt_core::{Finding, ProjectContext, ProjectFinding, Rule};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports a `down_revision` or `depends_on` that names no revision found under the checked
    /// paths.
    ///
    /// ## Why is this bad?
    /// Alembic stops with "Revision ... referenced from ... is not present": the parent was
    /// deleted, renamed, or lives in a version location that is not configured.
    ///
    /// ## Example
    /// ```python
    /// revision = "b2"
    /// down_revision = "a1"  # no file declares revision "a1"
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// revision = "b2"
    /// down_revision = "a0"  # the revision b2 really follows
    /// ```
    ///
    /// ## Known problems
    /// Check every version location together (`mrt check migrations/`), or revisions that chain
    /// across them are reported as missing.
    pub(crate) struct MissingParent {
        code: "MRT904",
        name: "missing-parent",
        severity: Error,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "a down_revision or depends_on names no known revision",
    }
}

impl Rule for MissingParent {
    fn check_project(&self, cx: &ProjectContext<'_>, findings: &mut Vec<ProjectFinding>) {
        let project = cx.project;
        for missing in project.graph.missing_references() {
            let migration = project.migration_at(missing.child);
            let (field, references) = match missing.kind {
                EdgeKind::Parent if migration.django().is_some() => {
                    ("dependencies", &migration.parents)
                }
                EdgeKind::Parent => ("down_revision", &migration.parents),
                EdgeKind::DependsOn => ("depends_on", &migration.depends_on),
            };
            let range = references
                .iter()
                .find(|reference| reference.value == missing.target)
                .map_or_else(|| migration.anchor(), |reference| reference.range);
            findings.push(ProjectFinding {
                migration: project.graph_position(missing.child),
                finding: Finding::new(
                    range,
                    format!(
                        "`{field}` names `{}`, but no revision with that id was found",
                        missing.target
                    ),
                )
                .with_help("Check the id, or check every version location together"),
            });
        }
    }
}
