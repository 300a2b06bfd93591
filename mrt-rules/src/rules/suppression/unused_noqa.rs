use mrt_core::noqa::DirectiveUse;
use mrt_core::{Finding, MigrationContext, Rule};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports a suppression comment (`# noqa`, `# noqa: MRT201`, `# mrt: ignore`, `# mrt: noqa`)
    /// that suppresses nothing, and an `MRT` code in one that names no rule.
    ///
    /// ## Why is this bad?
    /// A stale `# noqa` hides the next real finding on that line: the drop it once excused is gone,
    /// and the comment now silently excuses whatever is written there next. A mistyped code
    /// (`MRT210` for `MRT201`) suppresses nothing while looking reviewed.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.add_column("users", sa.Column("nickname", sa.Text()))  # noqa: MRT201
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// def upgrade():
    ///     op.add_column("users", sa.Column("nickname", sa.Text()))
    /// ```
    ///
    /// ## Known problems
    /// Codes of other tools (`E501`, `F401`) are left alone, and so are codes of rules this run
    /// does not check (`--ignore`, `--select`): whether they would suppress something is unknown.
    /// With `--since`, comments in older revisions are still judged against their own findings.
    pub(crate) struct UnusedNoqa {
        code: "MRT802",
        name: "unused-noqa",
        severity: Warning,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "a suppression comment that suppresses nothing, or names an unknown code",
    }
}

impl Rule for UnusedNoqa {
    fn check_suppressions(
        &self,
        _cx: &MigrationContext<'_>,
        uses: &[DirectiveUse],
        findings: &mut Vec<Finding>,
    ) {
        for usage in uses.iter().filter(|usage| !usage.used) {
            let scope = if usage.file_level { "file-level " } else { "" };
            match &usage.code {
                None => findings.push(
                    Finding::new(
                        usage.directive.range,
                        format!("This {scope}suppression comment suppresses nothing"),
                    )
                    .with_help("Remove it"),
                ),
                Some((code, range)) if is_ours(code) && !crate::registry().knows_code(code) => {
                    findings.push(
                        Finding::new(
                            *range,
                            format!("`{code}` is not a rule code: it suppresses nothing"),
                        )
                        .with_help("Check the code with `mrt rules`"),
                    );
                }
                Some((code, range)) if usage.enabled => findings.push(
                    Finding::new(
                        *range,
                        format!("`{code}` suppresses nothing in this {scope}comment"),
                    )
                    .with_help(format!("Remove `{code}` from the comment")),
                ),
                Some(_) => {}
            }
        }
    }
}

/// Codes of this tool (`MRT...`); other tools' codes in the same comment are theirs to judge.
fn is_ours(code: &str) -> bool {
    code.len() > 3 && code[..3].eq_ignore_ascii_case("MRT")
}
