use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{irreversible_run_python, is_squashed};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports a `RunPython` without `reverse_code` (or with `reverse_code=None`) inside a squashed
    /// Django migration (one with `replaces = [...]`).
    ///
    /// ## Why is this bad?
    /// A squashed migration stands in for every migration it replaces. One irreversible data step
    /// in it makes the whole squashed range impossible to unapply, even where the original
    /// migrations could be reversed one by one; and `squashmigrations` copies `RunPython` calls
    /// as they were, so the loss of reversibility goes unnoticed in review.
    ///
    /// ## Example
    /// ```python
    /// class Migration(migrations.Migration):
    ///     replaces = [("shop", "0001_initial"), ("shop", "0002_backfill")]
    ///     operations = [migrations.RunPython(backfill_totals)]
    /// ```
    ///
    /// Use instead:
    /// ```python
    ///     operations = [migrations.RunPython(backfill_totals, migrations.RunPython.noop)]
    /// ```
    ///
    /// ## Known problems
    /// Reported instead of MRT107, so the fact is reported once. Whether a given reverse undoes
    /// the forward code is not checked.
    pub(crate) struct SquashedRunPythonWithoutReverse {
        code: "MRT601",
        name: "squashed-run-python-without-reverse",
        severity: Error,
        frameworks: [Django],
        fix: None,
        summary: "a squashed migration holds a RunPython without reverse: the whole range cannot be unapplied",
    }
}

impl Rule for SquashedRunPythonWithoutReverse {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        if !is_squashed(cx.migration) {
            return;
        }
        let replaced = cx.migration.django().map_or(0, |meta| meta.replaces.len());
        for (op, range, _) in irreversible_run_python(upgrade) {
            findings.push(
                Finding::new(
                    range,
                    format!("`RunPython` without `reverse_code` in a migration that squashes {replaced}: none of them can be unapplied"),
                )
                .with_help("Pass `reverse_code=` (or `migrations.RunPython.noop`) in the squashed migration")
                .within(op.range),
            );
        }
    }
}
