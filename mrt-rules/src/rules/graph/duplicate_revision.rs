use mrt_core::{Finding, ProjectContext, ProjectFinding, Rule};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports two or more files declaring the same revision id; each file after the first (in path
    /// order) is reported, naming the first.
    ///
    /// ## Why is this bad?
    /// Alembic keeps one of them and silently ignores the other, or stops with an error, depending
    /// on the version: a migration written for production never runs.
    ///
    /// ## Example
    /// ```python
    /// # versions/1a2b_add_email.py
    /// revision = "1a2b"
    ///
    /// # versions/1a2b_add_email_copy.py
    /// revision = "1a2b"
    /// ```
    ///
    /// Use instead:
    ///
    /// Give the copy a new id (`alembic revision` generates one) and point its `down_revision` at
    /// the revision it follows.
    ///
    /// ## Known problems
    /// Ids are compared exactly, as Alembic does, within one environment: an id declared again in
    /// another directory that no history joins to the first (an initial revision copied into a
    /// second environment, run with its own version table) is that environment's own, and its
    /// children there descend from it.
    pub(crate) struct DuplicateRevision {
        code: "MRT905",
        name: "duplicate-revision",
        severity: Error,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "two files declare the same revision id",
    }
}

impl Rule for DuplicateRevision {
    fn check_project(&self, cx: &ProjectContext<'_>, findings: &mut Vec<ProjectFinding>) {
        let project = cx.project;
        for duplicate in project.graph.duplicates() {
            let Some((&first, rest)) = duplicate.positions.split_first() else {
                continue;
            };
            let first_path = project.migration_at(first).path().display().to_string();
            for &at in rest {
                let migration = project.migration_at(at);
                findings.push(ProjectFinding {
                    migration: project.graph_position(at),
                    finding: Finding::new(
                        migration.anchor(),
                        format!(
                            "Revision id `{}` is already declared by {first_path}",
                            duplicate.id
                        ),
                    )
                    .with_help("Give this revision a new id"),
                });
            }
        }
    }
}
