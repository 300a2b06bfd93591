use mrt_core::ir::{ConstraintDef, ConstraintKind, Name, OpKind, Operation};
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{label, name_of, name_range, same_name};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports a downgrade that re-adds a `UNIQUE` or `PRIMARY KEY` constraint, or a unique index,
    /// that its upgrade dropped: `create_unique_constraint` / `create_primary_key` /
    /// `create_index(..., unique=True)` or the SQL forms in `downgrade()`, named like a constraint
    /// or index the upgrade drops.
    ///
    /// ## Why is this bad?
    /// Once the upgrade has run, the application may write rows the constraint would have
    /// rejected: duplicates, or NULLs in a primary key column. The rollback then fails on them,
    /// when a rollback is needed most.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.drop_constraint("uq_users_email", "users", type_="unique")
    ///
    /// def downgrade():
    ///     op.create_unique_constraint("uq_users_email", "users", ["email"])
    /// ```
    ///
    /// Use instead:
    ///
    /// Resolve the duplicates in the downgrade before re-adding the constraint, and say so:
    /// ```python
    /// def downgrade():
    ///     op.execute(DEDUPLICATE_USERS_BY_EMAIL)
    ///     op.create_unique_constraint("uq_users_email", "users", ["email"])  # noqa: MRT110 deduplicated above
    /// ```
    ///
    /// ## Known problems
    /// A key the upgrade's own unique key already guaranteed is quiet: when the upgrade created a
    /// unique key on the same table (or on the name it renamed the table to) whose columns are all
    /// among the re-added key's (`unique(team)` replacing `unique(team, role)`, a primary key
    /// moved with its table's rename), every row written since is distinct on the re-added key.
    /// Deduplication before the constraint is not recognised. Django migrations are not checked:
    /// the unique constraints a Django reverse re-adds are not read yet.
    pub(crate) struct DowngradeReimposesUnique {
        code: "MRT110",
        name: "downgrade-reimposes-unique",
        severity: Warning,
        frameworks: [Alembic],
        fix: None,
        summary: "a downgrade re-adding a unique or primary key constraint fails on rows written since",
    }
}

impl Rule for DowngradeReimposesUnique {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let (Some(upgrade), Some(downgrade)) = (&cx.migration.upgrade, &cx.migration.downgrade)
        else {
            return;
        };
        let dropped_by_upgrade = |name: &str| {
            upgrade.ops.iter().any(|op| match &op.kind {
                OpKind::DropConstraint { name: dropped, .. }
                | OpKind::DropIndex { name: dropped, .. } => same_name(dropped, name),
                _ => false,
            })
        };
        for op in &downgrade.ops {
            let Some((what, name, table, columns)) = unique_key_created(&op.kind) else {
                continue;
            };
            let Some(constraint) = name_of(name).filter(|name| dropped_by_upgrade(name)) else {
                continue;
            };
            if kept_by_a_stricter_key(&upgrade.ops, table, columns) {
                continue;
            }
            findings.push(
                Finding::new(
                    name_range(name, op),
                    format!(
                        "The downgrade re-adds {what} `{constraint}` on {}: it fails on the rows written since the upgrade that it would have rejected",
                        label(table, "its table")
                    ),
                )
                .with_help("Resolve duplicates (or NULL keys) in the downgrade before re-adding it")
                .within(op.range),
            );
        }
    }
}

/// A unique key an operation creates: what it is, its name, its table and its columns.
fn unique_key_created(kind: &OpKind) -> Option<(&'static str, &Name, &Name, &[String])> {
    match kind {
        OpKind::CreateConstraint(constraint) => {
            let ConstraintDef {
                kind,
                name,
                table,
                columns,
                ..
            } = &**constraint;
            match kind {
                ConstraintKind::Unique => Some(("unique constraint", name, table, columns)),
                ConstraintKind::PrimaryKey => Some(("primary key", name, table, columns)),
                _ => None,
            }
        }
        OpKind::CreateIndex {
            name,
            table,
            unique: true,
            columns,
            ..
        } => Some(("unique index", name, table, columns)),
        _ => None,
    }
}

/// Whether the upgrade created, on the same table (under any name the upgrade renames it to), a
/// unique key whose columns are all among `columns`: every row written while it held is distinct
/// on them, so re-adding the wider key cannot fail (`unique(team)` in the upgrade,
/// `unique(team, role)` back in the downgrade; a primary key moved with its table's rename).
fn kept_by_a_stricter_key(upgrade: &[Operation], table: &Name, columns: &[String]) -> bool {
    let Some(table) = name_of(table) else {
        return false;
    };
    let mut names = vec![table];
    for op in upgrade {
        if let OpKind::RenameTable {
            old: Some(old),
            new: Some(new),
        } = &op.kind
            && names
                .iter()
                .any(|name| name.eq_ignore_ascii_case(&old.value))
        {
            names.push(&new.value);
        }
    }
    upgrade.iter().any(|op| {
        unique_key_created(&op.kind).is_some_and(|(_, _, on, created)| {
            names.iter().any(|name| same_name(on, name))
                && !created.is_empty()
                && created
                    .iter()
                    .all(|column| columns.iter().any(|c| c.eq_ignore_ascii_case(column)))
        })
    })
}
