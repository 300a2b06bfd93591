use mrt_core::{Finding, MigrationContext, Rule};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports a `downgrade()` that only raises (`raise NotImplementedError(...)`).
    ///
    /// ## Why is this bad?
    /// It is honest: the revision cannot be rolled back. But a rollback plan that meets it in an
    /// incident stops there, so the decision must be recorded where reviewers and operators see
    /// it: in `[tool.mrt.skip]`, with what is lost, why, how to recover, who reviewed it and when.
    /// A skipped revision is listed in every report and this finding goes away.
    ///
    /// ## Example
    /// ```python
    /// def downgrade():
    ///     raise NotImplementedError("data is merged, cannot split it again")
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [tool.mrt.skip]
    /// "3f2a9c" = "merges duplicate accounts; restore from the pre-deploy snapshot; reviewed by A. Ng, 2026-10-02"
    /// ```
    ///
    /// ## Known problems
    /// A downgrade that raises only on some paths (after an `if`) is not reported.
    pub(crate) struct IrreversibleDowngrade {
        code: "MRT804",
        name: "irreversible-downgrade",
        severity: Warning,
        frameworks: [Alembic],
        fix: None,
        summary: "downgrade() only raises: document the decision in [tool.mrt.skip]",
    }
}

impl Rule for IrreversibleDowngrade {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let migration = cx.migration;
        let Some(downgrade) = &migration.downgrade else {
            return;
        };
        if !downgrade.only_raises || !migration.syntax_errors.is_empty() {
            return;
        }
        let revision = migration.revision_id().unwrap_or("this revision");
        findings.push(
            Finding::new(
                downgrade.name_range,
                format!("`downgrade()` only raises: `{revision}` cannot be rolled back"),
            )
            .with_help(format!("Record the decision in `[tool.mrt.skip]` as `\"{revision}\" = \"<what is lost, why, how to recover, who reviewed, when>\"`"))
            .within(downgrade.range),
        );
    }
}
