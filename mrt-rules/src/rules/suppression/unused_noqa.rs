use mrt_core::noqa::DirectiveUse;
use mrt_core::{Finding, MigrationContext, Rule, TextRange};

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
    /// So is a bare `# noqa`, which every Python linter reads (it may excuse flake8's `E501` on
    /// that line); `# mrt: ignore` and `# mrt: noqa` are this tool's own and are reported.
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
        cx: &MigrationContext<'_>,
        uses: &[DirectiveUse],
        findings: &mut Vec<Finding>,
    ) {
        for usage in uses.iter().filter(|usage| !usage.used) {
            let scope = if usage.file_level { "file-level " } else { "" };
            match &usage.code {
                // A bare `# noqa` is read by every Python linter (flake8, ruff, pylint's
                // plugins): that it excuses nothing of ours says nothing of theirs.
                None if !names_this_tool(&cx.migration.source.text, usage.directive.range) => {}
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

/// Whether the directive at `range` is this tool's own (`mrt: ignore`, `mrt: noqa`) rather than
/// the `noqa` other linters share.
fn names_this_tool(text: &str, range: TextRange) -> bool {
    text.get(range.start().to_usize()..range.end().to_usize())
        .and_then(|directive| directive.get(..3))
        .is_some_and(|head| head.eq_ignore_ascii_case("mrt"))
}

/// Codes of this tool (`MRT...`); other tools' codes in the same comment are theirs to judge.
fn is_ours(code: &str) -> bool {
    code.len() > 3 && code[..3].eq_ignore_ascii_case("MRT")
}
