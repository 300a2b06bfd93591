use mrt_core::{Finding, ProjectContext, ProjectFinding, Rule};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports every revision on a cycle of `down_revision` or `depends_on` references. The
    /// members are listed once, on the member that comes first in the output; the others point
    /// there, so a long cycle gives short findings.
    ///
    /// ## Why is this bad?
    /// Alembic cannot order the revisions: every command that reads the history fails, including
    /// the one that would fix it. Cycles appear when a revision file is copied and its
    /// `down_revision` edited by hand.
    ///
    /// ## Example
    /// ```python
    /// # a.py
    /// revision = "a"
    /// down_revision = "b"
    ///
    /// # b.py
    /// revision = "b"
    /// down_revision = "a"
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// # a.py
    /// revision = "a"
    /// down_revision = None
    /// ```
    ///
    /// ## Known problems
    /// A revision whose id could not be read statically is not part of the graph.
    pub(crate) struct RevisionCycle {
        code: "MRT903",
        name: "revision-cycle",
        severity: Error,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "revisions that descend from themselves: no command can order them",
    }
}

impl Rule for RevisionCycle {
    fn check_project(&self, cx: &ProjectContext<'_>, findings: &mut Vec<ProjectFinding>) {
        let project = cx.project;
        for cycle in project.graph.cycles() {
            // The members are listed once, on the member that comes first in the output; the
            // others point there, so that a cycle of N revisions reports N short findings rather
            // than N lists of N ids.
            let Some(&listed) = cycle
                .iter()
                .min_by_key(|&&at| project.migration_at(at).path())
            else {
                continue;
            };
            let listed_id = project
                .migration_at(listed)
                .revision_id()
                .unwrap_or_default();
            let ids: Vec<String> = cycle
                .iter()
                .filter_map(|&at| project.migration_at(at).revision_id())
                .map(|id| format!("`{id}`"))
                .collect();
            for &at in &cycle {
                let migration = project.migration_at(at);
                let range = migration
                    .parents_range
                    .unwrap_or_else(|| migration.anchor());
                let id = migration.revision_id().unwrap_or_default();
                let message = if at == listed {
                    format!(
                        "Revision `{id}` is on a cycle of {} revisions: {}",
                        cycle.len(),
                        ids.join(", ")
                    )
                } else {
                    format!(
                        "Revision `{id}` is on the cycle of {} revisions listed at `{listed_id}`",
                        cycle.len()
                    )
                };
                findings.push(ProjectFinding {
                    migration: project.graph_position(at),
                    finding: Finding::new(range, message).with_help(
                        "Point one `down_revision` of the cycle at the revision it really follows",
                    ),
                });
            }
        }
    }
}
