use mrt_core::{Finding, ProjectContext, ProjectFinding, Rule};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports a revision graph with more than one head on the same line of history: two revisions
    /// that both name the same parent (or descend from the same branch), with no merge joining
    /// them. Each head is reported, naming the others.
    ///
    /// ## Why is this bad?
    /// `alembic upgrade head` refuses to run ("Multiple head revisions are present"), usually in the
    /// deploy pipeline, after both branches were merged in version control. `alembic heads` never
    /// fails, so teams only learn it there.
    ///
    /// ## Example
    /// ```python
    /// # versions/a1_add_email.py
    /// revision = "a1"
    /// down_revision = "base"
    ///
    /// # versions/b2_add_phone.py
    /// revision = "b2"
    /// down_revision = "base"
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// # versions/c3_merge.py (alembic merge heads)
    /// revision = "c3"
    /// down_revision = ("a1", "b2")
    /// ```
    ///
    /// For Django, each app must have one leaf node (a migration no other migration of the app
    /// depends on); more is what `manage.py migrate` calls "Conflicting migrations detected".
    ///
    /// ## Known problems
    /// Heads on distinct labelled branches (`branch_labels`, as in expand/contract layouts) are
    /// intentional and not reported: heads are grouped by the labels in force at them, and only a
    /// group with several heads is. A label set from a name the linter cannot resolve
    /// (`branch_labels = (BRANCH,)` with `BRANCH` imported) is a label all the same, named by its
    /// source text.
    ///
    /// Heads are counted per Alembic environment: histories that never meet (no `down_revision`
    /// or `depends_on` joins them) and live in different directories are taken for separate
    /// environments, each run on its own (a plugin's migrations, another service's in a
    /// monorepo), with a head each. Two such histories that one `alembic.ini` lists together in
    /// `version_locations` do make `upgrade head` fail, and are not reported; two in one directory
    /// are.
    pub(crate) struct MultipleHeads {
        code: "MRT901",
        name: "multiple-heads",
        severity: Error,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "more than one head on one branch: `alembic upgrade head` fails",
    }
}

impl Rule for MultipleHeads {
    fn check_project(&self, cx: &ProjectContext<'_>, findings: &mut Vec<ProjectFinding>) {
        let project = cx.project;
        for group in project.graph.conflicting_heads() {
            let ids: Vec<&str> = group
                .iter()
                .filter_map(|&head| project.migration_at(head).revision_id())
                .collect();
            for &head in &group {
                let migration = project.migration_at(head);
                let id = migration.revision_id().unwrap_or_default();
                let others: Vec<String> = ids
                    .iter()
                    .filter(|other| **other != id)
                    .map(|other| format!("`{other}`"))
                    .collect();
                let finding = match migration.django() {
                    Some(meta) => Finding::new(
                        migration.anchor(),
                        format!(
                            "Migration `{id}` is one of {} leaf nodes of app `{}` (also {}): Django stops with \"Conflicting migrations detected\"",
                            group.len(),
                            meta.app_label,
                            others.join(", ")
                        ),
                    )
                    .with_help(format!("Join them with a merge migration: `python manage.py makemigrations --merge {}`", meta.app_label)),
                    None => Finding::new(
                        migration.anchor(),
                        format!(
                            "Revision `{id}` is one of {} heads (also {}): `alembic upgrade head` will fail",
                            group.len(),
                            others.join(", ")
                        ),
                    )
                    .with_help(format!("Join them with a merge revision: `alembic merge -m \"merge heads\" {}`", ids.join(" "))),
                };
                findings.push(ProjectFinding {
                    migration: project.graph_position(head),
                    finding,
                });
            }
        }
    }
}
