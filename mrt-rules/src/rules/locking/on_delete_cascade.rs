use mrt_core::ir::{ConstraintDef, ConstraintKind, ForeignKey, Name, OpKind, Operation, Spanned};
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{column_label, is_new_table, name_of};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports a foreign key with `ON DELETE CASCADE` added to an existing table:
    /// `op.create_foreign_key(..., ondelete="CASCADE")` (also in a batch block), `op.add_column`
    /// of a column with `sa.ForeignKey(..., ondelete="CASCADE")`, and SQL
    /// `ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY ... ON DELETE CASCADE` or
    /// `ADD COLUMN ... REFERENCES ... ON DELETE CASCADE`.
    ///
    /// ## Why is this bad?
    /// From now on one `DELETE` of a referenced row silently deletes every row pointing at it, and
    /// the rows pointing at those, down the chain: an accidental or bulk delete of a parent wipes
    /// data nobody asked to delete, and a large cascade locks every row it touches for the length
    /// of the transaction. Rows already in the table become subject to it the moment the upgrade
    /// runs.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.create_foreign_key(
    ///         "fk_orders_user", "orders", "users", ["user_id"], ["id"], ondelete="CASCADE"
    ///     )
    /// ```
    ///
    /// Use instead:
    ///
    /// Keep the default (`NO ACTION`) or `RESTRICT`, and delete the dependent rows explicitly where
    /// the application deletes a parent; or use `ondelete="SET NULL"` when the rows may outlive it:
    /// ```python
    /// def upgrade():
    ///     op.create_foreign_key("fk_orders_user", "orders", "users", ["user_id"], ["id"])
    /// ```
    ///
    /// ## Known problems
    /// A foreign key declared in `create_table`, or added to a table created earlier in the same
    /// upgrade, is not reported: the cascade is then part of the table's design from its first row.
    /// Where the cascade is intended, suppress with `# noqa: MRT204` and the reason.
    pub(crate) struct OnDeleteCascade {
        code: "MRT204",
        name: "on-delete-cascade",
        severity: Warning,
        frameworks: [Alembic],
        fix: None,
        summary: "a foreign key with ON DELETE CASCADE added to an existing table",
    }
}

impl Rule for OnDeleteCascade {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        let new_objects = cx.facts.new_objects();
        for (index, op) in upgrade.ops.iter().enumerate() {
            match &op.kind {
                OpKind::AddColumn { table, column } => {
                    if is_new_table(new_objects, table, index) {
                        continue;
                    }
                    // Labelled only when reported: most keys do not cascade.
                    let described = || {
                        format!(
                            "on column {}",
                            column_label(table.as_ref(), column.name.as_ref())
                        )
                    };
                    for key in &column.foreign_keys {
                        // `sa.ForeignKey("users.id")` names a column; SQL `REFERENCES users` a table.
                        let target = if op.context.from_sql {
                            key.target.as_str()
                        } else {
                            key.target
                                .rsplit_once('.')
                                .map_or(key.target.as_str(), |(table, _)| table)
                        };
                        report(findings, op, key, target, described);
                    }
                }
                OpKind::CreateConstraint(constraint) => {
                    let ConstraintDef {
                        kind: ConstraintKind::ForeignKey,
                        name,
                        table,
                        foreign_key: Some(key),
                        ..
                    } = &**constraint
                    else {
                        continue;
                    };
                    if is_new_table(new_objects, table, index) {
                        continue;
                    }
                    report(findings, op, key, &key.target, || {
                        constraint_label(name, table)
                    });
                }
                _ => {}
            }
        }
    }
}

fn report(
    findings: &mut Vec<Finding>,
    op: &Operation,
    key: &ForeignKey,
    target: &str,
    described: impl FnOnce() -> String,
) {
    let Some(ondelete) = cascade(key) else {
        return;
    };
    let target = if target.is_empty() {
        "the referenced table".to_owned()
    } else {
        format!("`{target}`")
    };
    findings.push(
        Finding::new(
            ondelete.range,
            format!(
                "Foreign key {} has ON DELETE CASCADE: deleting a row of {target} silently deletes the rows that reference it",
                described()
            ),
        )
        .with_help("Use the default (NO ACTION), RESTRICT or SET NULL and delete dependent rows explicitly; or suppress with `# noqa: MRT204` once the cascade is reviewed")
        .within(op.range),
    );
}

/// The key's `ondelete`, when it cascades.
fn cascade(key: &ForeignKey) -> Option<&Spanned<String>> {
    key.ondelete
        .as_ref()
        .filter(|ondelete| ondelete.value.trim().eq_ignore_ascii_case("CASCADE"))
}

/// How a message names a foreign key constraint: `` `fk` on `orders` ``.
fn constraint_label(name: &Name, table: &Name) -> String {
    match (name_of(name), name_of(table)) {
        (Some(name), Some(table)) => format!("`{name}` on `{table}`"),
        (None, Some(table)) => format!("on `{table}`"),
        (Some(name), None) => format!("`{name}`"),
        (None, None) => "added here".to_owned(),
    }
}
