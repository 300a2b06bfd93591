use mrt_core::{Finding, MigrationContext, Rule};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports a migration file that does not parse as Python, with the parser's message and
    /// position.
    ///
    /// ## Why is this bad?
    /// Alembic or Django will fail to load it, and nothing else can be checked in the parts the
    /// parser could not read.
    ///
    /// ## Example
    /// ```python
    /// def upgrade()
    ///     op.drop_column("users", "email")
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// def upgrade():
    ///     op.drop_column("users", "email")  # noqa: MRT201 reviewed
    /// ```
    ///
    /// ## Known problems
    /// Only the first error is reported: what follows it is often a consequence. Rules that judge
    /// a whole body (MRT101, MRT102) stay quiet on such a file; rules about single operations still
    /// report what the parser recovered. A file that does not parse counts as a migration when
    /// its tokens name a revision (`revision` and `upgrade`, or `down_revision`) or a Django
    /// migration, and always when it lies in a `versions` directory: Alembic imports every `.py`
    /// file there, so one broken file stops the whole directory from loading, even when no
    /// revision can be read from it. Elsewhere (a helper module) it stays quiet.
    pub(crate) struct SyntaxError {
        code: "MRT902",
        name: "syntax-error",
        severity: Error,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "the migration file does not parse",
    }
}

impl Rule for SyntaxError {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let errors = &cx.migration.syntax_errors;
        let Some(first) = errors.first() else {
            return;
        };
        let more = match errors.len() {
            1 => String::new(),
            2 => " (and 1 more error)".to_owned(),
            n => format!(" (and {} more errors)", n - 1),
        };
        findings.push(Finding::new(
            first.range,
            format!("Syntax error: {}{more}", first.message),
        ));
    }
}
