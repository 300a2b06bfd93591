use mrt_core::ir::OpKind;
use mrt_core::{Finding, Framework, MigrationContext, Rule};

use super::{OLD_RELEASE, check_upgrade_ops};
use crate::helpers::{column_label, is_new_table, server_default};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an upgrade that adds a column rejecting NULL (`nullable=False`, a primary key, SQL
    /// `NOT NULL`, a Django field without `null=True`) to a table the previous release knows,
    /// without a default the database keeps: no `server_default=` (SQL `DEFAULT`), and for Django
    /// no `db_default=`. Opt-in: it runs only when selected (`--select MRT7`, `--select MRT704`).
    ///
    /// ## Why is this bad?
    /// During a rolling deploy the old application code keeps running against the new schema
    /// until every instance is replaced. Its `INSERT`s do not name the new column, so the
    /// database fills it with its default, which is NULL: every insert into the table fails the
    /// NOT NULL constraint until the last old instance is gone. A default that lives only in the
    /// application does not help the old code: SQLAlchemy's `default=` emits no DDL default, and
    /// Django's `default=` fills the existing rows and then drops the database default again.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.add_column("users", sa.Column("locale", sa.String(8), nullable=False, default="en"))
    /// ```
    ///
    /// Use instead:
    ///
    /// Give the column a default the database keeps (Django: `db_default=`):
    /// ```python
    /// def upgrade():
    ///     op.add_column("users", sa.Column("locale", sa.String(8), nullable=False, server_default="en"))
    /// ```
    /// or expand/contract: add it nullable, release code that writes it and backfill, then make
    /// it NOT NULL in a later release.
    ///
    /// ## Known problems
    /// The rule cannot see the application code: a table the old code never inserts into is
    /// reported too. A column added to a table created earlier in the same upgrade (or, with
    /// `--since`, after the release boundary) is not reported, nor one added to a table renamed
    /// earlier in the upgrade (MRT703 reports the rename), and neither are columns the
    /// database fills itself (`serial` types, `sa.Identity()` / `GENERATED ... AS IDENTITY`,
    /// computed columns, Django's `AutoField`s). Unlike MRT401, a Django `default=` (or an
    /// implicit one, like `''` for `blank=True` strings) does not keep the finding quiet.
    pub(crate) struct RollingAddNotNullColumnWithoutDefault {
        code: "MRT704",
        name: "rolling-add-not-null-column-without-default",
        severity: Warning,
        frameworks: [Alembic, Django],
        fix: None,
        opt_in: true,
        summary: "a NOT NULL column without a database default fails the previous release's inserts",
    }
}

impl Rule for RollingAddNotNullColumnWithoutDefault {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let django = cx.migration.framework == Framework::Django;
        check_upgrade_ops(cx, findings, |new_objects, ops, index| {
            let OpKind::AddColumn { table, column } = &ops[index].kind else {
                return None;
            };
            if !column.is_not_null()
                || server_default(column).is_some()
                || column.generated
                || is_new_table(new_objects, table, index)
            {
                return None;
            }
            let described = column_label(table.as_ref(), column.name.as_ref());
            let range = column.name.as_ref().map_or(column.range, |name| name.range);
            let (message, help) = if django {
                (
                    format!(
                        "NOT NULL field {described} is added without `db_default=`: the inserts of {OLD_RELEASE}, which do not set it, fail"
                    ),
                    "Give the field a `db_default=`, or add it with `null=True`, release code that sets it and backfill, then make it NOT NULL in a later release",
                )
            } else {
                (
                    format!(
                        "NOT NULL column {described} is added without a server default: the inserts of {OLD_RELEASE}, which do not name it, fail"
                    ),
                    "Give the column a `server_default=`, or add it nullable, release code that writes it and backfill, then set NOT NULL in a later release",
                )
            };
            Some(Finding::new(range, message).with_help(help))
        });
    }
}
