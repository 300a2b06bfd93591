use mrt_core::ir::{Body, OpKind, Operation};
use mrt_core::schema::{ObjectKey, ResidueKind, RevisionResidue};
use mrt_core::{Finding, MigrationContext, Rule};

mrt_core::declare_rule! {
    /// ## What it does
    /// Replays the whole chain on a model of the schema, without a database: for each revision,
    /// the schema built by every earlier revision, then the revision's `upgrade()`, then its
    /// `downgrade()`. Reports what differs from the schema before the revision: a table, column,
    /// index, constraint, enum type, view or trigger left behind or not restored, a column type,
    /// nullability or server default not put back, a foreign key restored with another
    /// `ON DELETE`, an index restored on other columns.
    ///
    /// ## Why is this bad?
    /// `alembic downgrade` reports success and the schema is not what the previous release
    /// expects. The next `upgrade` fails on an object that is still there, or the old code runs
    /// against a column that changed type. Each such difference is a rollback that only looks
    /// like one.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.alter_column("users", "email", type_=sa.String(320), existing_type=sa.String(255))
    ///     op.create_index("ix_users_email", "users", ["email"])
    ///
    /// def downgrade():
    ///     op.drop_index("ix_users_email", table_name="users")
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// def downgrade():
    ///     op.drop_index("ix_users_email", table_name="users")
    ///     op.alter_column("users", "email", type_=sa.String(255), existing_type=sa.String(320))
    /// ```
    ///
    /// ## Fix safety
    /// Where the residue is the missing inverse of one upgrade operation (an object the upgrade
    /// created and the downgrade leaves, or one it dropped or changed and the downgrade does not
    /// restore), `mrt fix` adds that inverse to the existing `downgrade()`, read from the schema
    /// just before the operation, placed where the reverse order of the upgrade puts it: after the
    /// statements that undo later operations, else at the top of the body; for an `alter_column`
    /// only the changes the downgrade does not undo. The fix is safe when every step is known,
    /// unsafe when some step is a `# TODO(mrt):` note (a table or column no revision defines, a NOT
    /// NULL column coming back without a default), and only displayed when nothing is. A residue
    /// the downgrade causes itself (it restores an object with another definition, or drops
    /// something else) has no fix.
    ///
    /// ## Known problems
    /// The model knows what the migrations say. Objects created before the first migration, by
    /// SQL built at run time, or by statements it cannot read are uncertain, and nothing is
    /// claimed about them. SQL built at run time makes uncertain only what its known beginning
    /// lets it touch: rows only (`f"UPDATE users SET plan = '{plan}'"`: the schema is judged), one
    /// table (`"ALTER TABLE users ADD %s" % column`: the rest is judged), or anything (a revision
    /// with SQL nothing of which is known is not judged at all). Types and
    /// server defaults are compared by their text, with common spellings folded
    /// (`sa.String(length=50)` is `VARCHAR(50)`), and module constants among a type's arguments
    /// put in (`sa.String(MAX_LEN)` with `MAX_LEN = 36` is `sa.String(36)`); a type with variants
    /// is the type it is on the configured dialect (`sa.String(36).with_variant(postgresql.UUID(),
    /// "postgresql")` is `UUID` on PostgreSQL, `VARCHAR(36)` elsewhere). Tables created by
    /// a helper that wraps `op.create_table` are modelled with every column, those passed through
    /// its `*columns` or spread from a list constant (`*AUDIT_COLUMNS`) included. Where a more specific rule reports an object
    /// the downgrade does not touch at all (MRT301, MRT302, MRT402, MRT403, MRT408, MRT409,
    /// MRT205, MRT207, MRT502, MRT503), this rule stays quiet on it; revisions without a
    /// downgrade (MRT101) or with an empty one (MRT102) are left to those rules.
    pub(crate) struct DowngradeDoesNotRestoreSchema {
        code: "MRT801",
        name: "downgrade-does-not-restore-schema",
        severity: Error,
        frameworks: [Alembic],
        fix: Sometimes,
        fix_title: "Add the missing inverse of this operation to `downgrade()`",
        summary: "upgrade then downgrade does not give back the schema before the revision",
    }
}

impl Rule for DowngradeDoesNotRestoreSchema {
    fn uses_schema(&self) -> bool {
        true
    }

    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let migration = cx.migration;
        let Some(replay) = cx.replay else { return };
        if replay.opaque || !migration.syntax_errors.is_empty() {
            return;
        }
        let (Some(upgrade), Some(downgrade)) = (&migration.upgrade, &migration.downgrade) else {
            return;
        };
        if downgrade.is_noop || downgrade.only_raises {
            return;
        }
        for found in &replay.residue {
            if reported_by_specific_rule(found, upgrade) {
                continue;
            }
            let (range, operation) = where_caused(found, upgrade, downgrade);
            // The missing inverse of the upgrade operation the finding points at, when the
            // residue is that: a residue the downgrade caused itself has no fix.
            let remedy = found
                .upgrade_op
                .and_then(|_| cause(&found.residue.object, found.residue.kind, &upgrade.ops))
                .and_then(|index| crate::remedy::residue_inverse(migration, index));
            findings.push(
                Finding::new(range, found.residue.message.clone())
                    .with_help(help(found))
                    .within(operation)
                    .with_remedy(remedy),
            );
        }
    }
}

/// The operation that caused the residue: the upgrade's last operation on the object, else the
/// downgrade's, else the downgrade as a whole.
fn where_caused(
    found: &RevisionResidue,
    upgrade: &Body,
    downgrade: &Body,
) -> (mrt_core::TextRange, mrt_core::TextRange) {
    let op = found
        .upgrade_op
        .and_then(|at| upgrade.ops.get(at))
        .or_else(|| found.downgrade_op.and_then(|at| downgrade.ops.get(at)));
    match op {
        Some(op) => (op.range, op.range),
        None => (downgrade.name_range, downgrade.range),
    }
}

/// The last upgrade operation whose inverse would remove the residue on `object`.
fn cause(object: &ObjectKey, kind: ResidueKind, ops: &[Operation]) -> Option<usize> {
    let same = |name: &mrt_core::ir::Name, key: &str| {
        name.as_ref()
            .is_some_and(|name| name.value.eq_ignore_ascii_case(key))
    };
    ops.iter().rposition(|op| match (object, kind, &op.kind) {
        (ObjectKey::Table(t), ResidueKind::Left, OpKind::CreateTable { table, .. })
        | (ObjectKey::Table(t), ResidueKind::Missing, OpKind::DropTable { table }) => {
            same(table, t)
        }
        (ObjectKey::Column(t, c), ResidueKind::Left, OpKind::AddColumn { table, column }) => {
            same(table, t) && same(&column.name, c)
        }
        (ObjectKey::Column(t, c), ResidueKind::Missing, OpKind::DropColumn { table, column }) => {
            same(table, t) && same(column, c)
        }
        (ObjectKey::Column(t, c), ResidueKind::Changed, OpKind::AlterColumn(alter)) => {
            same(&alter.table, t)
                && (same(&alter.column, c) || same(&alter.new_name, c))
                && (alter.nullable.is_some()
                    || alter.type_text.is_some()
                    || alter.server_default.is_some())
        }
        (ObjectKey::Index(i), ResidueKind::Left, OpKind::CreateIndex { name, .. })
        | (ObjectKey::Index(i), ResidueKind::Missing, OpKind::DropIndex { name, .. })
        | (ObjectKey::View(i), ResidueKind::Left, OpKind::CreateView { name, .. })
        | (ObjectKey::View(i), ResidueKind::Missing, OpKind::DropView { name, .. })
        | (ObjectKey::Trigger(i), ResidueKind::Left, OpKind::CreateTrigger { name, .. })
        | (ObjectKey::Type(i), ResidueKind::Left, OpKind::CreateType { name, .. })
        | (ObjectKey::Type(i), ResidueKind::Missing, OpKind::DropType { name }) => same(name, i),
        (ObjectKey::Constraint(t, n), ResidueKind::Left, OpKind::CreateConstraint(def)) => {
            same(&def.table, t) && same(&def.name, n)
        }
        (
            ObjectKey::Constraint(t, n),
            ResidueKind::Missing,
            OpKind::DropConstraint { name, table, .. },
        ) => same(table, t) && same(name, n),
        _ => false,
    })
}

fn help(found: &RevisionResidue) -> &'static str {
    match found.residue.kind {
        ResidueKind::Left => "Undo this in `downgrade()`: drop what the upgrade created",
        ResidueKind::Missing => "Re-create it in `downgrade()` with its original definition",
        ResidueKind::Changed => {
            "Put the original definition back in `downgrade()` (the `existing_*` arguments of the upgrade say what it was)"
        }
    }
}

/// Whether a name-matched reverse rule already reports this object: the upgrade operation that
/// caused it is of that rule's kind and the downgrade does not touch the object at all.
fn reported_by_specific_rule(found: &RevisionResidue, upgrade: &Body) -> bool {
    if found.downgrade_op.is_some() {
        return false;
    }
    let cause = found.upgrade_op.and_then(|at| upgrade.ops.get(at));
    let object = &found.residue.object;
    match (object, found.residue.kind) {
        // MRT503 / MRT502: created and never dropped.
        (ObjectKey::Type(_) | ObjectKey::Trigger(_), ResidueKind::Left) => true,
        // MRT207: a view dropped and not re-created.
        (ObjectKey::View(_), ResidueKind::Missing) => {
            cause.is_some_and(|op| matches!(op.kind, OpKind::DropView { .. }))
        }
        // MRT408: an index dropped and not re-created.
        (ObjectKey::Index(_), ResidueKind::Missing) => {
            cause.is_some_and(|op| matches!(op.kind, OpKind::DropIndex { .. }))
        }
        // MRT205 / MRT409 / MRT410: a constraint dropped and not re-created.
        (ObjectKey::Constraint(..), ResidueKind::Missing) => {
            cause.is_some_and(|op| matches!(op.kind, OpKind::DropConstraint { .. }))
        }
        // MRT301: a table renamed and not renamed back.
        (ObjectKey::Table(_), _) => {
            cause.is_some_and(|op| matches!(op.kind, OpKind::RenameTable { .. }))
        }
        // MRT302 (renamed column), MRT402 / MRT403 (made NOT NULL).
        (ObjectKey::Column(..), _) => cause.is_some_and(renames_or_sets_not_null),
        _ => false,
    }
}

fn renames_or_sets_not_null(op: &Operation) -> bool {
    let OpKind::AlterColumn(alter) = &op.kind else {
        return false;
    };
    alter.new_name.is_some()
        || alter
            .nullable
            .as_ref()
            .is_some_and(|nullable| !nullable.value)
}
