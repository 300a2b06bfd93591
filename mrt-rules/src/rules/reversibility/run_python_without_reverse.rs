use mrt_core::{Finding, MigrationContext, Rule};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports a Django `migrations.RunPython(code)` with no `reverse_code`, or with
    /// `reverse_code=None`.
    ///
    /// ## Why is this bad?
    /// Django derives the reverse of every schema operation, but not of Python code: a
    /// `RunPython` without a reverse makes the whole migration irreversible. `migrate app 0041`
    /// then stops with `IrreversibleError`, exactly when a rollback is needed, and every
    /// migration after it cannot be unapplied either.
    ///
    /// ## Example
    /// ```python
    /// class Migration(migrations.Migration):
    ///     operations = [
    ///         migrations.RunPython(fill_slugs),
    ///     ]
    /// ```
    ///
    /// Use instead:
    ///
    /// Give the code that undoes it, or `RunPython.noop` when undoing means doing nothing (the
    /// forward step is harmless to leave in place):
    /// ```python
    /// class Migration(migrations.Migration):
    ///     operations = [
    ///         migrations.RunPython(fill_slugs, reverse_code=migrations.RunPython.noop),
    ///     ]
    /// ```
    ///
    /// ## Known problems
    /// Whether a given `reverse_code` really undoes the forward code is not checked. A reverse
    /// passed through a variable counts as given. In a squashed migration (`replaces = [...]`)
    /// MRT601 reports it instead.
    pub(crate) struct RunPythonWithoutReverse {
        code: "MRT107",
        name: "run-python-without-reverse",
        severity: Error,
        frameworks: [Django],
        fix: None,
        summary: "RunPython without reverse_code makes the migration irreversible",
    }
}

impl Rule for RunPythonWithoutReverse {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        // In a squashed migration MRT601 reports it.
        if crate::helpers::is_squashed(cx.migration) {
            return;
        }
        for (op, range, explicit_none) in crate::helpers::irreversible_run_python(upgrade) {
            let message = if explicit_none {
                "`RunPython` has `reverse_code=None`: the migration cannot be unapplied"
            } else {
                "`RunPython` has no `reverse_code`: the migration cannot be unapplied"
            };
            findings.push(
                Finding::new(range, message)
                    .with_help("Pass `reverse_code=` a function that undoes it, or `migrations.RunPython.noop` when nothing needs undoing")
                    .within(op.range),
            );
        }
    }
}
