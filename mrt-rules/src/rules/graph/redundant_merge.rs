use mrt_core::{Finding, ProjectContext, ProjectFinding, Rule};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports a merge revision whose parents are exactly those of another merge revision (each
    /// merge after the first, in path order, is reported).
    ///
    /// ## Why is this bad?
    /// Two developers ran `alembic merge heads` on their own branches. Each merge joins the same
    /// heads, and together they create two new heads: the problem they were meant to solve.
    ///
    /// ## Example
    /// ```python
    /// # m1.py
    /// down_revision = ("a1", "b2")
    ///
    /// # m2.py
    /// down_revision = ("b2", "a1")
    /// ```
    ///
    /// Use instead:
    ///
    /// Keep one merge revision; delete the other (or point it at the first if it carries operations).
    ///
    /// ## Known problems
    /// Only merges over the same set of parents are compared; a merge that joins a superset is not
    /// reported.
    pub(crate) struct RedundantMerge {
        code: "MRT906",
        name: "redundant-merge",
        severity: Warning,
        frameworks: [Alembic],
        fix: None,
        summary: "two merge revisions join the same parents and re-create two heads",
    }
}

impl Rule for RedundantMerge {
    fn check_project(&self, cx: &ProjectContext<'_>, findings: &mut Vec<ProjectFinding>) {
        let project = cx.project;
        for group in project.graph.redundant_merges() {
            let Some((&first, rest)) = group.split_first() else {
                continue;
            };
            let first_id = project
                .migration_at(first)
                .revision_id()
                .unwrap_or_default();
            for &at in rest {
                let migration = project.migration_at(at);
                let range = migration
                    .parents_range
                    .unwrap_or_else(|| migration.anchor());
                findings.push(ProjectFinding {
                    migration: project.graph_position(at),
                    finding: Finding::new(
                        range,
                        format!(
                            "Merge revision `{}` joins the same parents as merge `{first_id}`",
                            migration.revision_id().unwrap_or_default()
                        ),
                    )
                    .with_help("Keep one of the two merges"),
                });
            }
        }
    }
}
