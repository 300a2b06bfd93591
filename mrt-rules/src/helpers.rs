//! Facts about a body that several rules ask for.

use std::collections::BTreeSet;

use mrt_core::ir::{
    AlterColumn, Body, ColumnDef, ConstraintDef, Migration, Name, OpKind, Operation, Spanned,
};
use mrt_core::{MigrationContext, TextRange};

pub(crate) use mrt_core::facts::NewObjects;

/// Whether `table` was created earlier in the upgrade than the operation at `index` (or after the
/// release boundary, for [`mrt_core::facts::MigrationFacts::new_objects`]): it holds no rows yet, so nothing is locked
/// for long, no existing row can violate anything, and no running code uses it. An unread table
/// name is taken as an existing table.
pub(crate) fn is_new_table(new_objects: &NewObjects, table: &Name, index: usize) -> bool {
    name_of(table).is_some_and(|table| new_objects.table_before(table, index))
}

/// Whether `table.column` was added (or its table created) earlier in the upgrade than the
/// operation at `index`. A column whose table or name was not read is taken as existing.
pub(crate) fn is_new_column(
    new_objects: &NewObjects,
    table: &Name,
    column: &Name,
    index: usize,
) -> bool {
    match (table, column) {
        (Some(table), Some(column)) => {
            new_objects.column_before(&table.value, &column.value, index)
        }
        _ => false,
    }
}

/// The column type change made by `op` (`alter_column(type_=...)`, SQL `ALTER COLUMN ... TYPE`,
/// Django's `AlterField`), at `index` in the upgrade, with its new type; `None` for another
/// operation, or a column added (or a table created) earlier: it holds no values yet.
pub(crate) fn existing_column_type_change<'a>(
    new_objects: &NewObjects,
    op: &'a Operation,
    index: usize,
) -> Option<(&'a AlterColumn, &'a Spanned<String>)> {
    let OpKind::AlterColumn(alter) = &op.kind else {
        return None;
    };
    let type_text = alter.type_text.as_ref()?;
    if is_new_table(new_objects, &alter.table, index)
        || is_new_column(new_objects, &alter.table, &alter.column, index)
    {
        return None;
    }
    Some((alter, type_text))
}

/// The type the column altered by the upgrade operation at `index` had before: as the earlier
/// revisions left it, else as the call states it (`existing_type=`).
pub(crate) fn type_before<'a>(
    cx: &MigrationContext<'a>,
    alter: &'a AlterColumn,
    index: usize,
) -> Option<&'a str> {
    cx.replay
        .and_then(|replay| replay.type_before(index))
        .or_else(|| alter.existing_type.as_ref().map(|t| t.value.as_str()))
}

/// The column's server default, when it gives one: not absent, not an explicit `None`, and not
/// SQL `DEFAULT NULL` (which fills nothing).
pub(crate) fn server_default(column: &ColumnDef) -> Option<&Spanned<Option<String>>> {
    column.server_default.as_ref().filter(|default| {
        default
            .value
            .as_deref()
            .is_some_and(|text| !text.trim().eq_ignore_ascii_case("NULL"))
    })
}

/// Whether an operation after `index` in `ops` drops `table`: a drop of one of its columns before
/// that is reported once, as the table's drop.
pub(crate) fn table_dropped_after(ops: &[Operation], index: usize, table: &str) -> bool {
    TableDrops::of(&ops[index..]).dropped_after(0, table)
}

/// The last `drop_table` of each table of an upgrade: asking [`TableDrops::dropped_after`] for
/// every operation costs no scan of the rest of the upgrade each time.
pub(crate) struct TableDrops(std::collections::BTreeMap<String, usize>);

impl TableDrops {
    pub(crate) fn of(ops: &[Operation]) -> Self {
        let mut last = std::collections::BTreeMap::new();
        for (index, op) in ops.iter().enumerate() {
            if let OpKind::DropTable {
                table: Some(dropped),
            } = &op.kind
            {
                last.insert(dropped.value.to_ascii_lowercase(), index);
            }
        }
        Self(last)
    }

    /// Whether `table` is dropped at `index` or after it.
    pub(crate) fn dropped_after(&self, index: usize, table: &str) -> bool {
        self.0
            .get(&table.to_ascii_lowercase())
            .is_some_and(|&last| last >= index)
    }
}

/// The Django `RenameModel` earlier in `ops` than `index` that gave `table` its name, if there is
/// one: a drop on the renamed model in the same migration is MRT305's, reported once there.
pub(crate) fn renamed_model_before<'a>(
    cx: &MigrationContext<'_>,
    ops: &'a [Operation],
    index: usize,
    table: &str,
) -> Option<&'a Operation> {
    if cx.migration.framework != mrt_core::Framework::Django {
        return None;
    }
    ops[..index].iter().find(|op| {
        !op.context.from_sql
            && matches!(&op.kind, OpKind::RenameTable { new: Some(new), .. } if new.value == table)
    })
}

/// Whether the table dropped at `index` is replaced later in the upgrade by a copy: another table
/// renamed to its name, into which rows were inserted (the SQLite copy-and-swap of a rebuild).
pub(crate) fn replaced_by_copy(ops: &[Operation], index: usize, table: &str) -> bool {
    ops[index + 1..].iter().any(|op| {
        let OpKind::RenameTable {
            old: Some(copy),
            new: Some(new),
        } = &op.kind
        else {
            return false;
        };
        new.value.eq_ignore_ascii_case(table)
            && ops.iter().any(|other| {
                matches!(&other.kind, OpKind::InsertRows { table: Some(filled) }
                    if filled.value.eq_ignore_ascii_case(&copy.value))
            })
    })
}

/// Whether the rename at `index` sets a table aside to rebuild it (SQLite's other copy of a
/// rebuild: `ALTER TABLE t RENAME TO t_old`, `CREATE TABLE t`, `INSERT INTO t SELECT ... FROM
/// t_old`, `DROP TABLE t_old`): later in the upgrade a table of the old name is created and the
/// one set aside is dropped, so the name is there when the upgrade ends.
pub(crate) fn set_aside_for_rebuild(ops: &[Operation], index: usize) -> bool {
    let Some(OpKind::RenameTable {
        old: Some(old),
        new: Some(aside),
    }) = ops.get(index).map(|op| &op.kind)
    else {
        return false;
    };
    let later = &ops[index + 1..];
    later.iter().any(
        |op| matches!(&op.kind, OpKind::CreateTable { table, .. } if same_name(table, &old.value)),
    ) && later
        .iter()
        .any(|op| matches!(&op.kind, OpKind::DropTable { table } if same_name(table, &aside.value)))
}

/// Whether the table dropped at `index` was set aside for a rebuild ([`set_aside_for_rebuild`])
/// and rows were inserted into the rebuilt table: they came from it.
pub(crate) fn dropped_after_rebuild(ops: &[Operation], index: usize, table: &str) -> bool {
    ops[..index].iter().enumerate().any(|(at, op)| {
        match &op.kind {
        OpKind::RenameTable {
            old: Some(old),
            new: Some(aside),
        } if aside.value.eq_ignore_ascii_case(table) => {
            set_aside_for_rebuild(ops, at)
                && ops[at + 1..index].iter().any(|filled| {
                    matches!(&filled.kind, OpKind::InsertRows { table } if same_name(table, &old.value))
                })
        }
        _ => false,
    }
    })
}

/// How a message names a column: `` `table.column` ``, `` `column` ``, or "a column" when neither
/// name could be read statically.
pub(crate) fn column_label(
    table: Option<&Spanned<String>>,
    column: Option<&Spanned<String>>,
) -> String {
    match (table, column) {
        (Some(table), Some(column)) => format!("`{}.{}`", table.value, column.value),
        (None, Some(column)) => format!("`{}`", column.value),
        _ => "a column".to_owned(),
    }
}

/// How a message names a column with its kind: "column `` `table.column` ``", or "a column" when
/// its name could not be read.
pub(crate) fn column_phrase(
    table: Option<&Spanned<String>>,
    column: Option<&Spanned<String>>,
) -> String {
    match column {
        Some(_) => format!("column {}", column_label(table, column)),
        None => "a column".to_owned(),
    }
}

/// `text` with its first letter in upper case, for a name that starts a message.
pub(crate) fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The value of a name read statically, if it was.
pub(crate) fn name_of(name: &Name) -> Option<&str> {
    name.as_ref().map(|name| name.value.as_str())
}

/// Whether a name read statically equals `other`, ignoring case (SQL folds unquoted identifiers).
pub(crate) fn same_name(name: &Name, other: &str) -> bool {
    name_of(name).is_some_and(|name| name.eq_ignore_ascii_case(other))
}

/// Whether two names were both read and are equal, ignoring case.
pub(crate) fn both_same(a: &Name, b: &Name) -> bool {
    name_of(b).is_some_and(|b| same_name(a, b))
}

/// How a message names an object of `kind`: "table `` `users` ``", or, when its name could not be
/// read, the code that names it quoted ("the table of `` `op.drop_table(names[i])` ``"), so a
/// message never reads "table a table" and the reader sees which call is meant.
pub(crate) fn named_or_quoted(kind: &str, name: &Name, op: &Operation, source: &str) -> String {
    const LONGEST: usize = 80;
    if let Some(name) = name_of(name) {
        return format!("{kind} `{name}`");
    }
    let code = source
        .get(op.range.start().to_usize()..op.range.end().to_usize())
        .unwrap_or_default();
    // The first line of a call spread over several, enough to recognise it.
    let first_line = code.lines().next().unwrap_or_default().trim_end();
    let quoted = match first_line.char_indices().nth(LONGEST) {
        Some((cut, _)) => format!("{}…", &first_line[..cut]),
        None if first_line.len() < code.len() => format!("{first_line}…"),
        None => first_line.to_owned(),
    };
    if quoted.is_empty() {
        return format!("a {kind}");
    }
    format!("the {kind} of `{quoted}`")
}

/// How a message names an object: `` `name` ``, or `fallback` when the name could not be read.
pub(crate) fn label(name: &Name, fallback: &str) -> String {
    name_of(name).map_or_else(|| fallback.to_owned(), |name| format!("`{name}`"))
}

/// The operations of an optional body (an absent body has none).
pub(crate) fn ops_of(body: Option<&Body>) -> &[Operation] {
    body.map_or(&[], |body| body.ops.as_slice())
}

/// Whether the downgrade of a migration has an operation matching `reverses`.
pub(crate) fn downgrade_has(migration: &Migration, reverses: impl Fn(&OpKind) -> bool) -> bool {
    ops_of(migration.downgrade.as_ref())
        .iter()
        .any(|op| reverses(&op.kind))
}

/// The range a finding about a name points at: the name's, else the operation's.
pub(crate) fn name_range(name: &Name, op: &Operation) -> TextRange {
    name.as_ref().map_or(op.range, |name| name.range)
}

// ----- name-matched reverses ----------------------------------------------------------------------

/// The downgrade operations a reverse guard may look in, or `None` when another rule already owns
/// the fact that the downgrade reverses nothing: no downgrade (MRT101), a no-op one (MRT102), one
/// that only raises (MRT804), or a file with syntax errors (MRT902, whose bodies are partial).
pub(crate) fn reversing_downgrade(migration: &Migration) -> Option<&[Operation]> {
    if !migration.syntax_errors.is_empty() {
        return None;
    }
    let downgrade = migration.downgrade.as_ref()?;
    if downgrade.is_noop || downgrade.only_raises {
        return None;
    }
    Some(&downgrade.ops)
}

/// The downgrade operations the rules about a missing reverse search, or `None` when the downgrade
/// says itself that it reverses nothing (it only raises: MRT804) or the file has syntax errors
/// (MRT902: its bodies are partial). A missing downgrade and a no-op one search as empty: each
/// specific reverse is missing from them, and a reader of the finding at the upgrade operation
/// learns what a rollback leaves behind, which MRT101/MRT102's one finding at the function does
/// not say.
pub(crate) fn searched_downgrade(migration: &Migration) -> Option<&[Operation]> {
    if !migration.syntax_errors.is_empty() {
        return None;
    }
    match &migration.downgrade {
        // Django derives the downgrade: a missing one is no omission.
        None => migration.writes_downgrade().then_some(&[]),
        Some(downgrade) if downgrade.only_raises => None,
        Some(downgrade) => Some(&downgrade.ops),
    }
}

/// How a finding says that the downgrade does not undo an operation: by its operations, or
/// because it does nothing or does not exist, so that a finding on a revision with a `pass`
/// downgrade is not read as a partial reverse.
pub(crate) fn not_undone(migration: &Migration) -> &'static str {
    match &migration.downgrade {
        None => "is not undone, as the revision has no downgrade",
        Some(downgrade) if downgrade.is_noop => {
            "is not undone by the downgrade, which does nothing"
        }
        Some(_) => "is not undone by the downgrade",
    }
}

/// Whether `downgrade` undoes `upgrade_op`, matched by the names of the objects it touches (never
/// by "any operation of that kind"). Kinds without a schema inverse (data changes, unknown SQL)
/// are never reversed.
pub(crate) fn reverses(upgrade_op: &OpKind, downgrade: &[Operation]) -> bool {
    // Only an effect on a schema object has an inverse to look for.
    if upgrade_op.effect().object().is_none() {
        return false;
    }
    match upgrade_op {
        OpKind::CreateTable { table, .. } => drops_table(table, downgrade),
        OpKind::DropTable { table } => downgrade.iter().any(|op| {
            matches!(&op.kind, OpKind::CreateTable { table: created, .. } if both_same(table, created))
        }),
        OpKind::RenameTable { old, new } => renames_table_back(old, new, downgrade),
        OpKind::AddColumn { table, column } => downgrade.iter().any(|op| {
            matches!(&op.kind, OpKind::DropColumn { table: t, column: c }
                if both_same(table, t) && both_same(&column.name, c))
        }),
        OpKind::DropColumn { table, column } => downgrade.iter().any(|op| {
            matches!(&op.kind, OpKind::AddColumn { table: t, column: c }
                if both_same(table, t) && both_same(column, &c.name))
        }),
        OpKind::AlterColumn(alter) => alter_column_reversed(alter, downgrade),
        OpKind::CreateIndex { name, .. } => downgrade.iter().any(|op| {
            matches!(&op.kind, OpKind::DropIndex { name: dropped, .. } if both_same(name, dropped))
        }),
        OpKind::DropIndex { name, .. } => recreates_index(name, downgrade),
        OpKind::CreateConstraint(constraint) => downgrade.iter().any(|op| {
            matches!(&op.kind, OpKind::DropConstraint { name, table, .. }
                if both_same(&constraint.name, name) && both_same(&constraint.table, table))
        }),
        OpKind::DropConstraint { name, table, .. } => recreates_constraint(name, table, downgrade),
        OpKind::CreateView { name, .. } => downgrade.iter().any(|op| {
            matches!(&op.kind, OpKind::DropView { name: dropped, .. } if both_same(name, dropped))
        }),
        OpKind::DropView { name, .. } => downgrade.iter().any(|op| {
            matches!(&op.kind, OpKind::CreateView { name: created, .. } if both_same(name, created))
        }),
        OpKind::CreateTrigger { name, table } => downgrade.iter().any(|op| {
            matches!(&op.kind, OpKind::DropTrigger { name: dropped, table: on }
                if both_same(name, dropped) && tables_agree(table, on))
        }),
        OpKind::DropTrigger { name, table } => downgrade.iter().any(|op| {
            matches!(&op.kind, OpKind::CreateTrigger { name: created, table: on }
                if both_same(name, created) && tables_agree(table, on))
        }),
        OpKind::CreateType { name, .. } => downgrade.iter().any(|op| {
            matches!(&op.kind, OpKind::DropType { name: dropped } if both_same(name, dropped))
        }),
        OpKind::DropType { name } => downgrade.iter().any(|op| {
            matches!(&op.kind, OpKind::CreateType { name: created, .. } if both_same(name, created))
        }),
        _ => false,
    }
}

/// Whether `downgrade` renames table `new` back to `old`.
pub(crate) fn renames_table_back(old: &Name, new: &Name, downgrade: &[Operation]) -> bool {
    downgrade.iter().any(|op| {
        matches!(&op.kind, OpKind::RenameTable { old: from, new: to }
            if both_same(new, from) && both_same(old, to))
    })
}

/// Whether `downgrade` renames column `table.new_name` back to `table.column`.
pub(crate) fn renames_column_back(alter: &AlterColumn, downgrade: &[Operation]) -> bool {
    downgrade.iter().any(|op| {
        matches!(&op.kind, OpKind::AlterColumn(back)
            if same_table_across_renames(&alter.table, &back.table, downgrade)
                && both_same(&alter.new_name, &back.column)
                && both_same(&alter.column, &back.new_name))
    })
}

/// Whether two table names name the same table, directly or through a table rename in
/// `downgrade` (a downgrade that renames `asset` back to `dataset` and then the column of
/// `dataset` reverses an upgrade that renamed the table first, then its column).
fn same_table_across_renames(a: &Name, b: &Name, downgrade: &[Operation]) -> bool {
    both_same(a, b)
        || downgrade.iter().any(|op| {
            matches!(&op.kind, OpKind::RenameTable { old, new }
                if (both_same(a, old) && both_same(b, new)) || (both_same(a, new) && both_same(b, old)))
        })
}

/// Whether `downgrade` sets the nullability `alter` changed back (`nullable=False` undone by
/// `nullable=True` / `DROP NOT NULL`, and the other way round) on the same column, named by its
/// old or, when `alter` also renames it, its new name.
pub(crate) fn restores_nullable(alter: &AlterColumn, downgrade: &[Operation]) -> bool {
    let Some(nullable) = &alter.nullable else {
        return false;
    };
    downgrade_alters(alter, downgrade).any(|back| {
        back.nullable
            .as_ref()
            .is_some_and(|n| n.value != nullable.value)
    })
}

/// Whether `downgrade` has an index named `name`.
pub(crate) fn recreates_index(name: &Name, downgrade: &[Operation]) -> bool {
    downgrade.iter().any(|op| {
        matches!(&op.kind, OpKind::CreateIndex { name: created, .. } if both_same(name, created))
    })
}

/// Whether `downgrade` creates a constraint named `name` on `table`: `create_*_constraint`,
/// `create_primary_key`, `create_foreign_key`, SQL `ADD CONSTRAINT`, or a named constraint of a
/// re-created table; or an unnamed one that PostgreSQL names so. The table may be named as it is
/// before or after a rename in `downgrade` (a downgrade that renames the table back, then
/// re-creates the key on the old name).
pub(crate) fn recreates_constraint(name: &Name, table: &Name, downgrade: &[Operation]) -> bool {
    // A name read at run time (looked up in the catalogue by the migration) cannot be matched: a
    // constraint the downgrade creates on the same table may well be the one dropped, and an
    // error must not be claimed on a guess.
    // An unnamed one is created under the name PostgreSQL gives it (`<table>_<column>_fkey`).
    let matches = |constraint: &ConstraintDef| {
        same_table_across_renames(table, &constraint.table, downgrade)
            && (name.is_none()
                || both_same(name, &constraint.name)
                || constraint.name.is_none()
                    && name_of(name)
                        .zip(name_of(&constraint.table))
                        .is_some_and(|(name, on)| {
                            mrt_core::schema::is_postgres_default_name(
                                name,
                                on,
                                constraint.kind,
                                &constraint.columns,
                            )
                        }))
    };
    downgrade.iter().any(|op| match &op.kind {
        OpKind::CreateConstraint(constraint) => matches(constraint),
        OpKind::CreateTable { constraints, .. } => constraints.iter().any(matches),
        _ => false,
    })
}

/// Whether `downgrade` drops table `table`.
fn drops_table(table: &Name, downgrade: &[Operation]) -> bool {
    downgrade.iter().any(
        |op| matches!(&op.kind, OpKind::DropTable { table: dropped } if both_same(table, dropped)),
    )
}

/// Two tables that may be left out (`DROP TRIGGER t` names none): equal when both were given.
fn tables_agree(a: &Name, b: &Name) -> bool {
    a.is_none() || b.is_none() || both_same(a, b)
}

/// Whether every change `alter` makes (rename, nullability, default, type) is undone by
/// `downgrade`. An alter that changes nothing the IR models is not reversed.
fn alter_column_reversed(alter: &AlterColumn, downgrade: &[Operation]) -> bool {
    let changes = [
        alter.new_name.is_some(),
        alter.nullable.is_some(),
        alter.server_default.is_some(),
        alter.type_text.is_some(),
    ];
    if !changes.contains(&true) {
        return false;
    }
    alter_parts_reversed(alter, downgrade) == [true; 4]
}

/// For each change `alter` may make (rename, nullability, server default, type): whether it is
/// absent or undone by `downgrade`.
pub(crate) fn alter_parts_reversed(alter: &AlterColumn, downgrade: &[Operation]) -> [bool; 4] {
    [
        alter.new_name.is_none() || renames_column_back(alter, downgrade),
        alter.nullable.is_none() || restores_nullable(alter, downgrade),
        alter.server_default.is_none()
            || downgrade_alters(alter, downgrade).any(|back| back.server_default.is_some()),
        alter.type_text.is_none()
            || downgrade_alters(alter, downgrade).any(|back| back.type_text.is_some()),
    ]
}

/// The downgrade's alters of the column `alter` changes, by its old or new name.
fn downgrade_alters<'a>(
    alter: &'a AlterColumn,
    downgrade: &'a [Operation],
) -> impl Iterator<Item = &'a AlterColumn> {
    downgrade.iter().filter_map(move |op| match &op.kind {
        OpKind::AlterColumn(back)
            if both_same(&alter.table, &back.table)
                && (both_same(&alter.column, &back.column)
                    || both_same(&alter.new_name, &back.column)) =>
        {
            Some(&**back)
        }
        _ => None,
    })
}

/// The range a finding's suppression comments may sit on: the call. An operation lowered from SQL
/// has the statement as its range; it is widened to the call that ran the SQL, so a `# noqa` on the
/// first or last line of a multi-line `op.execute("""...""")` covers it.
pub(crate) fn operation_range(ops: &[Operation], index: usize) -> TextRange {
    let Some(op) = ops.get(index) else {
        return TextRange::default();
    };
    sql_record_of(ops, index).map_or(op.range, |record| record.range)
}

/// The raw SQL operation (`op.execute(...)`) the operation at `index` was lowered from, if it was.
fn sql_record_of(ops: &[Operation], index: usize) -> Option<&Operation> {
    if !ops.get(index)?.context.from_sql {
        return None;
    }
    ops[..index]
        .iter()
        .rev()
        .enumerate()
        .find_map(|(distance, earlier)| match earlier.kind {
            OpKind::Sql { lowered, .. } if lowered > distance => Some(earlier),
            _ => None,
        })
}

/// One add/update/drop sequence on a table (MRT208): a column is added to the table, the table is
/// rewritten with `UPDATE`, then a column of it that held data is dropped. Indexes into the
/// upgrade's operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MultiStep {
    /// The first `add_column` on the table.
    pub(crate) add: usize,
    /// The first `UPDATE` of the table after that add.
    pub(crate) update: usize,
    /// The drop that ends the sequence.
    pub(crate) drop: usize,
}

/// The multi-step destructive sequences of an upgrade. MRT208 reports each at its drop; MRT201 and
/// MRT206 stay quiet on those drops, and MRT103 on the `UPDATE`s inside a sequence, so the fact is
/// reported once.
#[derive(Debug, Default)]
pub(crate) struct MultiSteps {
    steps: Vec<MultiStep>,
    rewrites: BTreeSet<usize>,
}

impl MultiSteps {
    /// Finds, for every drop of a column that held data (not new in this upgrade), an `add_column`
    /// on the same table followed by an `UPDATE` of it, both before the drop. Steps on different
    /// tables, or in another order, are no sequence.
    pub(crate) fn of(upgrade: &Body, created: &NewObjects) -> Self {
        let ops = &upgrade.ops;
        // Most upgrades drop no column: no sequence ends in them, and nothing is looked up.
        if !ops
            .iter()
            .any(|op| matches!(op.kind, OpKind::DropColumn { .. }))
        {
            return Self::default();
        }
        // Per table (lower-cased): its first `add_column`, and its `UPDATE`s in order, so that
        // each drop looks up its sequence instead of scanning the operations before it.
        let mut first_add: std::collections::BTreeMap<String, usize> =
            std::collections::BTreeMap::new();
        let mut updates: std::collections::BTreeMap<String, Vec<usize>> =
            std::collections::BTreeMap::new();
        for (index, op) in ops.iter().enumerate() {
            let Some(table) = op.table() else { continue };
            match op.kind {
                OpKind::AddColumn { .. } => {
                    first_add.entry(table.to_ascii_lowercase()).or_insert(index);
                }
                OpKind::UpdateRows { .. } => {
                    updates
                        .entry(table.to_ascii_lowercase())
                        .or_default()
                        .push(index);
                }
                _ => {}
            }
        }
        let mut found = Self::default();
        // The last drop ending a sequence, per table: every `UPDATE` of the table between its
        // first add and that drop lies inside some sequence.
        let mut last_drop: std::collections::BTreeMap<String, usize> =
            std::collections::BTreeMap::new();
        for (drop, op) in ops.iter().enumerate() {
            let OpKind::DropColumn {
                table: Some(table),
                column: Some(column),
            } = &op.kind
            else {
                continue;
            };
            let table = table.value.as_str();
            if created.column_before(table, &column.value, drop) {
                continue;
            }
            let table_key = table.to_ascii_lowercase();
            let Some(&add) = first_add.get(&table_key).filter(|&&add| add < drop) else {
                continue;
            };
            let table_updates = updates.get(&table_key).map_or(&[][..], Vec::as_slice);
            let after_add = table_updates.partition_point(|&update| update <= add);
            let Some(&update) = table_updates
                .get(after_add)
                .filter(|&&update| update < drop)
            else {
                continue;
            };
            found.steps.push(MultiStep { add, update, drop });
            last_drop.insert(table_key, drop);
        }
        for (table_key, drop) in last_drop {
            let (Some(&add), Some(table_updates)) =
                (first_add.get(&table_key), updates.get(&table_key))
            else {
                continue;
            };
            found.rewrites.extend(
                table_updates
                    .iter()
                    .copied()
                    .filter(|&update| add < update && update < drop),
            );
        }
        found
    }

    /// The sequence the drop at `index` ends, if it ends one.
    pub(crate) fn ending_at(&self, index: usize) -> Option<&MultiStep> {
        // The steps are found in the order of their drops.
        self.steps
            .binary_search_by_key(&index, |step| step.drop)
            .ok()
            .map(|at| &self.steps[at])
    }

    /// Whether the `UPDATE` at `index` rewrites a table inside a sequence.
    pub(crate) fn rewrites_at(&self, index: usize) -> bool {
        self.rewrites.contains(&index)
    }
}

/// What the rules about a missing reverse need: the upgrade, the downgrade operations to search
/// (see [`searched_downgrade`]), and what the upgrade creates.
pub(crate) struct ReverseCheck<'a> {
    pub(crate) upgrade: &'a Body,
    pub(crate) downgrade: &'a [Operation],
    /// What the upgrade itself creates (its downgrade removes it), not what the release boundary
    /// makes new: an earlier revision's table is not this downgrade's to drop.
    pub(crate) new_objects: &'a NewObjects,
}

impl<'a> ReverseCheck<'a> {
    pub(crate) fn of(cx: &MigrationContext<'a>) -> Option<Self> {
        let migration = cx.migration;
        let upgrade = migration.upgrade.as_ref()?;
        let downgrade = searched_downgrade(migration)?;
        Some(Self {
            upgrade,
            downgrade,
            new_objects: cx.facts.created_in_upgrade(),
        })
    }
}

/// A column drop in an upgrade that loses data: not of a column added (or on a table created)
/// earlier in the upgrade, or on a table created after the release boundary (`--since`, like
/// MRT202 for the table itself), and not the end of a multi-step rewrite (MRT208 reports those).
pub(crate) struct LossyColumnDrop<'a> {
    pub(crate) index: usize,
    pub(crate) op: &'a Operation,
    pub(crate) table: &'a Name,
    pub(crate) column: &'a Name,
}

/// The lossy column drops of an upgrade, inside `batch_alter_table` blocks or outside them.
pub(crate) fn lossy_column_drops<'a>(
    cx: &MigrationContext<'a>,
    upgrade: &'a Body,
    in_batch: bool,
) -> Vec<LossyColumnDrop<'a>> {
    let new_objects = cx.facts.new_objects();
    let multi_steps = MultiSteps::of(upgrade, cx.facts.created_in_upgrade());
    upgrade
        .ops
        .iter()
        .enumerate()
        .filter_map(|(index, op)| {
            let OpKind::DropColumn { table, column } = &op.kind else {
                return None;
            };
            if op.context.batch.is_some() != in_batch || multi_steps.ending_at(index).is_some() {
                return None;
            }
            if is_new_column(new_objects, table, column, index)
                || copied_out_and_restored(cx.migration, &upgrade.ops, index, table, column)
            {
                return None;
            }
            Some(LossyColumnDrop {
                index,
                op,
                table,
                column,
            })
        })
        .collect()
}

/// Whether the column dropped at `index` had its data copied elsewhere before, and the downgrade
/// brings it back from there: earlier in the upgrade, SQL that names the column writes rows of
/// another table (`INSERT INTO backup SELECT id, c FROM t`, `UPDATE other SET x = t.c FROM t`),
/// and the downgrade re-adds `table.column` and writes it (`UPDATE t SET c = ...`). The loss is
/// answered; whether the SQL copies every value is not checked.
fn copied_out_and_restored(
    migration: &Migration,
    ops: &[Operation],
    index: usize,
    table: &Name,
    column: &Name,
) -> bool {
    let (Some(table), Some(column)) = (name_of(table), name_of(column)) else {
        return false;
    };
    let copied = (0..index).any(|at| {
        let (OpKind::InsertRows { table: written } | OpKind::UpdateRows { table: written, .. }) =
            &ops[at].kind
        else {
            return false;
        };
        name_of(written).is_some_and(|written| !written.eq_ignore_ascii_case(table))
            && sql_text_before(ops, at).is_some_and(|sql| names_word(sql, column))
    });
    let downgrade = ops_of(migration.downgrade.as_ref());
    let re_added = downgrade.iter().any(|op| {
        matches!(&op.kind, OpKind::AddColumn { table: on, column: def }
            if same_name(on, table) && same_name(&def.name, column))
    });
    let written_back = downgrade.iter().any(|op| {
        matches!(&op.kind, OpKind::UpdateRows { table: on, columns, .. }
            if same_name(on, table)
                && (columns.is_empty() || columns.iter().any(|c| c.eq_ignore_ascii_case(column))))
    });
    copied && re_added && written_back
}

/// The text of the raw SQL the operation at `index` was lowered from, when it was read.
fn sql_text_before(ops: &[Operation], index: usize) -> Option<&str> {
    match &sql_record_of(ops, index)?.kind {
        OpKind::Sql {
            text: mrt_core::ir::SqlText::Literal(text),
            ..
        } => Some(text),
        _ => None,
    }
}

/// Whether `text` has `word` as a whole identifier, ignoring case.
fn names_word(text: &str, word: &str) -> bool {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|part| part.eq_ignore_ascii_case(word))
}

/// Whether a dropped constraint is a foreign key: `type_="foreignkey"`, or, when the kind is not
/// given (SQL `DROP CONSTRAINT`, `drop_constraint` without `type_`), a name that says so
/// (`fk_...`, `..._fkey` as PostgreSQL names them, `..._fk`).
pub(crate) fn is_foreign_key(kind: Option<mrt_core::ir::ConstraintKind>, name: &Name) -> bool {
    match kind {
        Some(kind) => kind == mrt_core::ir::ConstraintKind::ForeignKey,
        None => name_of(name).is_some_and(|name| {
            let name = name.to_ascii_lowercase();
            name.starts_with("fk_") || name.ends_with("_fkey") || name.ends_with("_fk")
        }),
    }
}

/// Constraint drops of an upgrade that neither the rest of the upgrade nor the downgrade re-creates
/// by name and that `select` picks (by the operation and whether the constraint is a foreign key): `(index of the
/// operation, operation, constraint name, table)`.
pub(crate) fn unrecreated_constraint_drops<'a>(
    cx: &MigrationContext<'a>,
    select: impl Fn(&Operation, bool) -> bool,
) -> Vec<(usize, &'a Operation, &'a Name, &'a Name)> {
    let Some(check) = ReverseCheck::of(cx) else {
        return Vec::new();
    };
    let ops = &check.upgrade.ops;
    ops.iter()
        .enumerate()
        .filter_map(|(index, op)| {
            let OpKind::DropConstraint { name, table, kind } = &op.kind else {
                return None;
            };
            // An upgrade that drops a constraint to re-create it (another `ON DELETE`, other
            // columns) keeps it: after a rollback it is there. Whether its definition is
            // restored is MRT801's to say.
            let picked = select(op, is_foreign_key(*kind, name))
                && !recreates_constraint(name, table, &ops[index + 1..])
                && !replaced_by_same_unique_key(cx, ops, index, table)
                && !recreates_constraint(name, table, check.downgrade);
            picked.then_some((index, op, name, table))
        })
        .collect()
}

/// Whether the unique constraint dropped at `index` is replaced later in the upgrade by a unique
/// constraint or index on the same table and the same columns (under another name): the
/// uniqueness it enforced is kept. Its columns come from the replay of the earlier revisions.
fn replaced_by_same_unique_key(
    cx: &MigrationContext<'_>,
    ops: &[Operation],
    index: usize,
    table: &Name,
) -> bool {
    let Some(dropped) = cx
        .replay
        .and_then(|replay| replay.unique_columns_dropped_at(index))
    else {
        return false;
    };
    let same_columns = |columns: &[String]| {
        !columns.is_empty()
            && columns.len() == dropped.len()
            && columns
                .iter()
                .all(|column| dropped.iter().any(|d| d.eq_ignore_ascii_case(column)))
    };
    ops[index + 1..].iter().any(|op| match &op.kind {
        OpKind::CreateConstraint(constraint)
            if constraint.kind == mrt_core::ir::ConstraintKind::Unique =>
        {
            both_same(table, &constraint.table) && same_columns(&constraint.columns)
        }
        OpKind::CreateIndex {
            unique: true,
            table: on,
            columns,
            ..
        } => both_same(table, on) && same_columns(columns),
        _ => false,
    })
}

/// The codes one rule reports on one migration's text under some settings (for rules whose
/// findings depend on settings the fixture harness does not vary).
#[cfg(test)]
pub(crate) fn codes_under(
    rule: &'static dyn mrt_core::Rule,
    text: &str,
    settings: mrt_core::Settings,
) -> Vec<&'static str> {
    let project = mrt_core::Project::from_sources([mrt_core::SourceFile::new("a1.py", text)]);
    mrt_core::Linter::new(vec![rule], settings)
        .check(&project)
        .iter()
        .map(mrt_core::Diagnostic::code)
        .collect()
}

/// `RunPython` operations of an upgrade that nothing undoes (no `reverse_code`, or `None`): the
/// operation and the range to point at (the `reverse_code=None` argument, else the call).
pub(crate) fn irreversible_run_python(upgrade: &Body) -> Vec<(&Operation, TextRange, bool)> {
    upgrade
        .ops
        .iter()
        .filter_map(|op| match &op.kind {
            OpKind::RunPython {
                reverse: mrt_core::ir::Reverse::Missing,
                reverse_range,
            } => Some((
                op,
                reverse_range.unwrap_or(op.range),
                reverse_range.is_some(),
            )),
            _ => None,
        })
        .collect()
}

/// Whether a Django migration squashes others (`replaces = [...]`).
pub(crate) fn is_squashed(migration: &Migration) -> bool {
    migration
        .django()
        .is_some_and(|meta| !meta.replaces.is_empty())
}

/// An `alter_column(..., nullable=False)` (or SQL `SET NOT NULL`) of a column that existed before
/// the upgrade.
pub(crate) struct NotNullChange<'a> {
    pub(crate) index: usize,
    pub(crate) op: &'a Operation,
    pub(crate) alter: &'a AlterColumn,
    pub(crate) nullable: &'a Spanned<bool>,
}

/// The columns an upgrade makes NOT NULL, leaving out columns added (or tables created) earlier in
/// the same upgrade (they hold no NULLs and their downgrade removes them) and columns the call says
/// were NOT NULL already (`existing_nullable=False`).
pub(crate) fn not_null_on_existing_columns<'a>(
    upgrade: &'a Body,
    created: &NewObjects,
) -> Vec<NotNullChange<'a>> {
    not_null_changes(upgrade)
        .filter(|change| {
            !is_new_column(
                created,
                &change.alter.table,
                &change.alter.column,
                change.index,
            )
        })
        .collect()
}

/// Every column an upgrade makes NOT NULL, except those the call says were NOT NULL already
/// (`existing_nullable=False`).
pub(crate) fn not_null_changes(upgrade: &Body) -> impl Iterator<Item = NotNullChange<'_>> {
    upgrade.ops.iter().enumerate().filter_map(|(index, op)| {
        let OpKind::AlterColumn(alter) = &op.kind else {
            return None;
        };
        let nullable = alter.nullable.as_ref().filter(|nullable| !nullable.value)?;
        // `existing_nullable=False`: the column already rejects NULL, nothing changes.
        if alter
            .existing_nullable
            .as_ref()
            .is_some_and(|existing| !existing.value)
        {
            return None;
        }
        Some(NotNullChange {
            index,
            op,
            alter,
            nullable,
        })
    })
}

/// The NOT NULL changes (from SQL or from `alter_column`, as `from_sql` says) that the downgrade
/// does not undo.
pub(crate) fn unrestored_not_null<'a>(
    cx: &MigrationContext<'a>,
    from_sql: bool,
) -> Vec<NotNullChange<'a>> {
    let Some(check) = ReverseCheck::of(cx) else {
        return Vec::new();
    };
    not_null_on_existing_columns(check.upgrade, check.new_objects)
        .into_iter()
        .filter(|change| {
            change.op.context.from_sql == from_sql
                && !restores_nullable(change.alter, check.downgrade)
        })
        .collect()
}
