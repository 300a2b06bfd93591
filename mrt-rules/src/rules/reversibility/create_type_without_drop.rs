use mrt_core::ir::{ColumnDef, Name, OpKind, Operation};
use mrt_core::{Dialect, Finding, MigrationContext, Rule};

use crate::helpers::{self, ReverseCheck};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports a PostgreSQL type created by an upgrade that its downgrade does not drop: SQL
    /// `CREATE TYPE name`, `enum.create(bind)`, and the enum types `create_table` / `add_column`
    /// create implicitly for a column typed `sa.Enum(..., name="mood")` or `postgresql.ENUM(...)`.
    ///
    /// ## Why is this bad?
    /// `op.drop_table` does not drop the enum types its columns created, and autogenerate writes
    /// nothing for them: after a rollback the type stays, and the next upgrade fails with
    /// `type "mood" already exists`. The revision can then neither go forward nor back without
    /// a hand-written fix.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.create_table("pets", sa.Column("mood", sa.Enum("sad", "ok", name="mood")))
    ///
    /// def downgrade():
    ///     op.drop_table("pets")
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// def downgrade():
    ///     op.drop_table("pets")
    ///     sa.Enum(name="mood").drop(op.get_bind(), checkfirst=True)
    /// ```
    ///
    /// ## Fix safety
    /// `mrt fix` adds the drop to the existing `downgrade()`: `op.execute("DROP TYPE name")` for a
    /// `CREATE TYPE`, placed after the statements that undo later operations; and for a type a
    /// column creates implicitly, `sa.Enum(name=...).drop(op.get_bind(), checkfirst=True)` after
    /// the statement that drops the table or column using it (when the downgrade does not drop that
    /// either, the fix of MRT801 drops it first, and a second round of `mrt fix` adds the type).
    /// The fix is safe.
    ///
    /// ## Known problems
    /// Types are matched by name: a downgrade that drops them through SQL built at run time is not
    /// recognised; one built from values the linter knows (`"DROP TYPE %s" % MOOD`,
    /// `f"DROP TYPE {MOOD}"`, `sa.Enum(name=MOOD).drop(bind)` with `MOOD` a module constant) is.
    /// `create_type=False` (the type is managed elsewhere) is not reported. A chain configured for
    /// SQLite (`dialect = "sqlite"`) has no types: SQLAlchemy stores an enum there as text with a
    /// check, and nothing is left to drop. A downgrade that only raises is left to MRT804; a
    /// missing or empty one (`pass`) is reported here too, beside MRT101 or MRT102, and the message
    /// says which.
    pub(crate) struct CreateTypeWithoutDrop {
        code: "MRT503",
        name: "create-type-without-drop",
        severity: Error,
        frameworks: [Alembic],
        fix: Sometimes,
        fix_title: "Drop the type in `downgrade()`",
        summary: "a type (an enum) created by an upgrade that its downgrade does not drop",
    }
}

impl Rule for CreateTypeWithoutDrop {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        if cx.settings.dialect == Dialect::Sqlite {
            return;
        }
        let Some(ReverseCheck {
            upgrade, downgrade, ..
        }) = ReverseCheck::of(cx)
        else {
            return;
        };
        let mut reported: Vec<&str> = Vec::new();
        for (index, op) in upgrade.ops.iter().enumerate() {
            for name in created_types(op) {
                let Some(type_name) = helpers::name_of(name) else {
                    continue;
                };
                if reported
                    .iter()
                    .any(|seen| seen.eq_ignore_ascii_case(type_name))
                    || drops_type(name, downgrade)
                {
                    continue;
                }
                reported.push(type_name);
                findings.push(
                    Finding::new(
                        helpers::name_range(name, op),
                        format!("Type `{type_name}` is created by the upgrade but not dropped by the downgrade: after a rollback the next upgrade fails on it"),
                    )
                    .with_help(format!("Drop it in `downgrade()`: `sa.Enum(name=\"{type_name}\").drop(op.get_bind(), checkfirst=True)` or `DROP TYPE {type_name}`"))
                    .within(helpers::operation_range(&upgrade.ops, index))
                    .with_remedy(crate::remedy::missing_inverse(cx.migration, index)),
                );
            }
        }
    }
}

/// The types an operation creates: explicitly, or through its columns' enum types.
fn created_types(op: &Operation) -> Vec<&Name> {
    let columns: &[ColumnDef] = match &op.kind {
        OpKind::CreateType { name, .. } => return vec![name],
        OpKind::CreateTable { columns, .. } => columns,
        OpKind::AddColumn { column, .. } => std::slice::from_ref(column),
        _ => return Vec::new(),
    };
    columns
        .iter()
        .filter(|column| column.enum_type.is_some())
        .map(|column| &column.enum_type)
        .collect()
}

fn drops_type(name: &Name, downgrade: &[Operation]) -> bool {
    downgrade
        .iter()
        .any(|op| matches!(&op.kind, OpKind::DropType { name: dropped } if helpers::both_same(name, dropped)))
}

#[cfg(test)]
mod tests {
    use mrt_core::{Dialect, Settings};

    use super::CreateTypeWithoutDrop;

    const MIGRATION: &str = r#"
import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = None


def upgrade():
    op.add_column("pets", sa.Column("mood", sa.Enum("sad", "ok", name="mood")))


def downgrade():
    op.drop_column("pets", "mood")
"#;

    fn codes(dialect: Dialect) -> Vec<&'static str> {
        let mut settings = Settings::default();
        settings.dialect = dialect;
        crate::helpers::codes_under(&CreateTypeWithoutDrop, MIGRATION, settings)
    }

    #[test]
    fn an_enum_left_behind_is_reported_where_types_exist() {
        assert_eq!(codes(Dialect::Postgresql), ["MRT503"]);
    }

    #[test]
    fn sqlite_has_no_types_to_leave_behind() {
        assert_eq!(codes(Dialect::Sqlite), Vec::<&str>::new());
    }
}
