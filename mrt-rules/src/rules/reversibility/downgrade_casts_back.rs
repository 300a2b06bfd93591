use mrt_core::ir::{AlterColumn, OpKind, Spanned};
use mrt_core::schema::{postgres_alters_in_place, widens_integer};
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{column_label, name_of, same_name};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports a downgrade that casts a column back to the type it had before its upgrade changed
    /// it: `alter_column(t, c, type_=...)` or SQL `ALTER COLUMN c TYPE ...` in `downgrade()` on a
    /// column whose type `upgrade()` changed, and a Django `AlterField` that changes a field's
    /// type (Django's reverse casts it back).
    ///
    /// ## Why is this bad?
    /// Values written after the upgrade need not fit the old type: a longer string, a wider
    /// number, text that is not a valid integer. The cast back then fails and the rollback stops,
    /// or, with a `USING` expression that maps what does not convert to NULL, the values are lost.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.alter_column("users", "name", type_=sa.String(200), existing_type=sa.String(50))
    ///
    /// def downgrade():
    ///     op.alter_column("users", "name", type_=sa.String(50), existing_type=sa.String(200))
    /// ```
    ///
    /// Use instead:
    ///
    /// Make the values fit before the cast, and say what is lost:
    /// ```python
    /// def downgrade():
    ///     op.execute("UPDATE users SET name = left(name, 50) WHERE length(name) > 50")
    ///     op.alter_column("users", "name", type_=sa.String(50))  # noqa: MRT111 truncated above
    /// ```
    ///
    /// ## Known problems
    /// A cast back that loses nothing is quiet: to unbounded text (every value converts to it),
    /// `jsonb` back to `json` (every `jsonb` value is valid `json`), a string widened back (a
    /// longer `VARCHAR`, `VARCHAR` to `TEXT`), an integer widened back (`smallint` back to
    /// `integer`, Django's `PositiveSmallIntegerField` back to `PositiveIntegerField`), or the same
    /// type written another way (`sa.String(255)` for `VARCHAR(255)`, `FLOAT` for `FLOAT(53)`).
    /// Other widening casts (`real` back to `double precision`) are still reported. A Django type
    /// change is only seen when the field's earlier state is declared by a migration here.
    pub(crate) struct DowngradeCastsBack {
        code: "MRT111",
        name: "downgrade-casts-back",
        severity: Warning,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "a downgrade casting a column back fails or loses values written since the upgrade",
    }
}

/// Whether casting a column of type `from` back to `to` cannot fail: `to` is unbounded text (it
/// holds any value), both are JSON (every `jsonb` value is a `json` value), `to` is a wider
/// integer, or PostgreSQL changes the type in place.
fn casts_back_safely(from: &str, to: &str) -> bool {
    let unbounded_text = plain_type(to).is_some_and(|(name, arguments)| {
        arguments.is_empty()
            && matches!(
                name.as_str(),
                "text" | "string" | "unicodetext" | "unicode" | "varchar" | "character varying"
            )
    });
    let json_from_json = plain_type(to).is_some_and(|(name, _)| name == "json")
        && plain_type(from).is_some_and(|(name, _)| name == "json" || name == "jsonb");
    unbounded_text
        || json_from_json
        || widens_integer(from, to)
        || postgres_alters_in_place(from, to)
}

/// A type written as one call or name, as its bare name in lower case and its arguments:
/// `postgresql.JSONB(astext_type=sa.Text())` is `jsonb` with `astext_type=sa.Text()`. `None` for
/// anything more (`sa.String(36).with_variant(...)`).
fn plain_type(type_text: &str) -> Option<(String, &str)> {
    let text = type_text.trim();
    let (head, arguments) = match text.split_once('(') {
        Some((head, rest)) => (head, rest.strip_suffix(')')?),
        None => (text, ""),
    };
    // A `)` that closes more than the arguments opened ends the first call: another follows.
    let mut depth = 0usize;
    for c in arguments.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.checked_sub(1)?,
            _ => {}
        }
    }
    let name = head.rsplit('.').next().unwrap_or_default().trim();
    Some((name.to_ascii_lowercase(), arguments.trim()))
}

fn type_change(kind: &OpKind) -> Option<(&AlterColumn, &Spanned<String>)> {
    let OpKind::AlterColumn(alter) = kind else {
        return None;
    };
    Some((alter, alter.type_text.as_ref()?))
}

impl Rule for DowngradeCastsBack {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        let help = "Make the values written since fit the old type before the cast (or keep the new type), and document what is lost";
        // A framework that derives the downgrade (Django) reverses each operation itself: read
        // what the operation says the column was.
        if !cx.migration.writes_downgrade() {
            for op in &upgrade.ops {
                let Some((alter, new_type)) = type_change(&op.kind) else {
                    continue;
                };
                let Some(old_type) = alter
                    .existing_type
                    .as_ref()
                    .filter(|_| !op.context.from_sql)
                    .filter(|old| !casts_back_safely(&new_type.value, &old.value))
                else {
                    continue;
                };
                findings.push(
                    Finding::new(
                        new_type.range,
                        format!(
                            "Undoing this migration casts {} back to `{}`: values written since that do not fit make the rollback fail",
                            column_label(alter.table.as_ref(), alter.column.as_ref()),
                            old_type.value
                        ),
                    )
                    .with_help(help)
                    .within(op.range),
                );
            }
            return;
        }
        let Some(downgrade) = &cx.migration.downgrade else {
            return;
        };
        for op in &downgrade.ops {
            let Some((alter, old_type)) = type_change(&op.kind) else {
                continue;
            };
            let (Some(table), Some(column)) = (name_of(&alter.table), name_of(&alter.column))
            else {
                continue;
            };
            let upgrade_type = upgrade.ops.iter().rev().find_map(|earlier| {
                type_change(&earlier.kind)
                    .filter(|(changed, _)| {
                        same_name(&changed.table, table) && same_name(&changed.column, column)
                    })
                    .map(|(_, new_type)| new_type)
            });
            // A cast back that widens, or names the same type another way, loses nothing.
            let Some(upgrade_type) = upgrade_type else {
                continue;
            };
            if casts_back_safely(&upgrade_type.value, &old_type.value) {
                continue;
            }
            findings.push(
                Finding::new(
                    old_type.range,
                    format!(
                        "The downgrade casts {} back to `{}`: values written since the upgrade that do not fit make the rollback fail",
                        column_label(alter.table.as_ref(), alter.column.as_ref()),
                        old_type.value
                    ),
                )
                .with_help(help)
                .within(op.range),
            );
        }
    }
}
