use mrt_core::{Finding, MigrationContext, Rule};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports a Django migration whose file name says it is squashed (`*squash*`) but which has no
    /// `replaces = [...]`.
    ///
    /// ## Why is this bad?
    /// Without `replaces`, Django treats it as a new migration on top of the ones it was meant to
    /// stand for: on a database that already ran them it applies the same operations again and
    /// fails, and the migration graph keeps both copies.
    ///
    /// ## Example
    /// ```python
    /// # shop/migrations/0001_squashed_0004_totals.py
    /// class Migration(migrations.Migration):
    ///     operations = [...]
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// class Migration(migrations.Migration):
    ///     replaces = [("shop", "0001_initial"), ("shop", "0004_totals")]
    ///     operations = [...]
    /// ```
    ///
    /// ## Known problems
    /// Only the file name tells that a migration was squashed; a squash renamed by hand is not
    /// recognised.
    pub(crate) struct SquashedMissingReplaces {
        code: "MRT602",
        name: "squashed-missing-replaces",
        severity: Warning,
        frameworks: [Django],
        fix: None,
        summary: "a squashed migration file without `replaces` re-applies what it squashed",
    }
}

impl Rule for SquashedMissingReplaces {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(meta) = cx.migration.django() else {
            return;
        };
        if !meta.name.to_ascii_lowercase().contains("squash") || !meta.replaces.is_empty() {
            return;
        }
        findings.push(
            Finding::new(
                cx.migration.anchor(),
                format!("`{}` is named as a squashed migration but has no `replaces`: Django will apply it on top of the migrations it squashes", meta.name),
            )
            .with_help("List the squashed migrations in `replaces = [(\"app\", \"name\"), ...]`"),
        );
    }
}
