//! Django migrations read against the model state the app's earlier migrations build.
//!
//! One file alone cannot name its tables and columns: `AddField("post", ...)` acts on the table
//! that `CreateModel("Post", options={"db_table": "blog_posts"})` set two migrations earlier, a
//! `RemoveField` of a `ForeignKey` drops `author_id`, and an `AlterField` restates the whole field,
//! so only the field's earlier state says what changed. Lowering a file records, beside its
//! operations, how they refer to models and fields ([`ModelStep`]); once every file is lowered
//! (and the app labels are settled), [`read_against_model_state`] replays the steps of each app in
//! dependency order, as Django's `ProjectState` does, and rewrites the operations:
//!
//! - table names become the model's table at that point (`db_table`, `AlterModelTable`,
//!   `RenameModel`, the settled app label);
//! - columns of fields declared in earlier migrations get their real name (`author_id`,
//!   `db_column`);
//! - an `AlterField` keeps only what changed (type, nullability), with the earlier value as the
//!   `existing_*` one, and the index or unique constraint it adds only when the field had none;
//! - a `RenameModel` of a model with its own `db_table` renames nothing (Django leaves the table);
//! - operations on unmanaged and proxy models are dropped (Django runs no DDL for them).
//!
//! A model no migration here created (its history is elsewhere) keeps what the file says, and an
//! `AlterField` on it claims no change: nothing is guessed.

use std::collections::{HashMap, HashSet};

use ruff_text_size::TextRange;

use crate::ir::{AlterColumn, FrameworkMeta, Migration, OpKind, Spanned};

/// What a Django field says about its column, as far as the migration reader compares fields.
// Its flags are independent facts of a field declaration, as Django's own keyword arguments are.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FieldState {
    /// The column (`db_column`, else the name, `_id` appended for a foreign key).
    pub(crate) column: String,
    /// Whether the column name was given (`db_column`): a rename of the field keeps it.
    pub(crate) explicit_column: bool,
    /// Whether the column holds a foreign key (its name follows the field's name plus `_id`).
    pub(crate) foreign_key: bool,
    /// The field class as written and the arguments that decide the column type
    /// (`models.CharField(max_length=200)`): two fields with equal `db_type` have the same column type.
    pub(crate) db_type: String,
    /// `CharField`'s `max_length`, when it is an integer literal (for the widening rule).
    pub(crate) max_length: Option<u64>,
    /// `null=True`.
    pub(crate) nullable: bool,
    /// An index comes with the field (`db_index=True`, a foreign key unless `db_index=False`).
    pub(crate) indexed: bool,
    /// `unique=True` (or a `OneToOneField`).
    pub(crate) unique: bool,
    /// Where the field was written.
    pub(crate) range: TextRange,
}

/// How one operation of a Django migration refers to models and fields, or how it changes the
/// model state, in the order the operations run. Model names are lower-case.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum ModelStep {
    /// The table names written `written` in operation `op` name the table of `model`.
    Table {
        op: usize,
        model: String,
        written: String,
    },
    /// The column written `written` in operation `op` is field `field` of `model`.
    Column {
        op: usize,
        model: String,
        field: String,
        written: String,
    },
    Create {
        model: String,
        /// `db_table`, when given.
        table: Option<String>,
        /// False for `managed=False` and proxy models: Django runs no DDL for them.
        managed: bool,
        fields: Vec<(String, FieldState)>,
    },
    Delete {
        model: String,
    },
    /// `RenameModel`, lowered at `op` to a rename of the table.
    Rename {
        op: usize,
        old: String,
        new: String,
    },
    /// `AlterModelTable` (`table: None` restores the default name), lowered at `op`.
    SetTable {
        op: usize,
        model: String,
        table: Option<String>,
    },
    AddField {
        model: String,
        field: String,
        state: FieldState,
    },
    RemoveField {
        model: String,
        field: String,
    },
    /// `AlterField`, lowered at `op` to an `AlterColumn`, at `fill_op` to the update of the NULL
    /// rows Django runs when a field with a default becomes NOT NULL (kept only when the field
    /// was nullable), and at `index_op` to the index its `db_index` / `unique` asks for (kept
    /// only when the field had none).
    AlterField {
        op: usize,
        fill_op: Option<usize>,
        index_op: Option<usize>,
        model: String,
        field: String,
        state: FieldState,
    },
    /// `RenameField`, lowered at `op` to a column rename.
    RenameField {
        op: usize,
        model: String,
        old: String,
        new: String,
    },
}

#[derive(Debug, Clone)]
struct ModelState {
    /// `db_table` (or `AlterModelTable`), when the model has a table name of its own.
    table: Option<String>,
    managed: bool,
    fields: HashMap<String, FieldState>,
}

/// Rewrites the operations of every Django migration among `migrations` as described in the
/// module documentation. Each app is replayed on its own, in dependency order.
pub(crate) fn read_against_model_state(migrations: &mut [Migration]) {
    let mut apps: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, migration) in migrations.iter().enumerate() {
        if let Some(meta) = migration.django() {
            apps.entry(meta.app_label.clone()).or_default().push(index);
        }
    }
    let mut labels: Vec<String> = apps.keys().cloned().collect();
    labels.sort();
    for label in labels {
        let Some(members) = apps.get(&label) else {
            continue;
        };
        let mut models: HashMap<String, ModelState> = HashMap::new();
        for index in dependency_order(migrations, members) {
            if let Some(migration) = migrations.get_mut(index) {
                replay(migration, &label, &mut models);
            }
        }
    }
}

/// The migrations of one app (indices into `migrations`), each after the migrations of the app
/// it depends on; ties, and what a cycle leaves, in name order. Kahn's algorithm over the app's
/// own edges, so a long chain costs no more than its edges.
fn dependency_order(migrations: &[Migration], members: &[usize]) -> Vec<usize> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    let name_of = |index: usize| {
        migrations[index]
            .django()
            .map(|meta| meta.name.as_str())
            .unwrap_or_default()
    };
    let by_name: HashMap<&str, usize> = members
        .iter()
        .map(|&index| (name_of(index), index))
        .collect();
    // A parent is written `"label.name"` as in the source; the name alone finds it in this app,
    // whatever label the directory turned out to have.
    let mut waiting_on: HashMap<usize, usize> = HashMap::new();
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    for &index in members {
        let mut parents: Vec<usize> = migrations[index]
            .parents
            .iter()
            .filter_map(|parent| parent.value.split_once('.'))
            .filter_map(|(_, name)| by_name.get(name).copied())
            .filter(|&parent| parent != index)
            .collect();
        parents.sort_unstable();
        parents.dedup();
        waiting_on.insert(index, parents.len());
        for parent in parents {
            children.entry(parent).or_default().push(index);
        }
    }
    let mut ready: BinaryHeap<Reverse<(&str, usize)>> = members
        .iter()
        .filter(|index| waiting_on.get(index) == Some(&0))
        .map(|&index| Reverse((name_of(index), index)))
        .collect();
    let mut order = Vec::with_capacity(members.len());
    let mut done: HashSet<usize> = HashSet::new();
    let mut by_name_order: Vec<usize> = members.to_vec();
    by_name_order.sort_by_key(|&index| name_of(index));
    let mut next_left = 0;
    while order.len() < members.len() {
        let next = if let Some(Reverse((_, index))) = ready.pop() {
            index
        } else {
            // A cycle: take the first left, in name order, so every migration is read once.
            while by_name_order
                .get(next_left)
                .is_some_and(|index| done.contains(index))
            {
                next_left += 1;
            }
            let Some(&index) = by_name_order.get(next_left) else {
                break;
            };
            index
        };
        if !done.insert(next) {
            continue;
        }
        order.push(next);
        for &child in children.get(&next).map(Vec::as_slice).unwrap_or_default() {
            if let Some(count) = waiting_on.get_mut(&child) {
                *count = count.saturating_sub(1);
                if *count == 0 && !done.contains(&child) {
                    ready.push(Reverse((name_of(child), child)));
                }
            }
        }
    }
    order
}

fn default_table(label: &str, model: &str) -> String {
    format!("{label}_{model}")
}

fn table_of(models: &HashMap<String, ModelState>, label: &str, model: &str) -> String {
    models
        .get(model)
        .and_then(|state| state.table.clone())
        .unwrap_or_else(|| default_table(label, model))
}

/// Replays one migration's steps on `models`, rewriting its operations.
fn replay(migration: &mut Migration, label: &str, models: &mut HashMap<String, ModelState>) {
    let FrameworkMeta::Django(meta) = &mut migration.meta else {
        return;
    };
    // Taken while the operations are rewritten, and put back: a project built again from the
    // same lowered files replays them again.
    let steps = std::mem::take(&mut meta.model_steps);
    replay_steps(migration, &steps, label, models);
    if let FrameworkMeta::Django(meta) = &mut migration.meta {
        meta.model_steps = steps;
    }
}

/// Replays `steps` on `models`, rewriting the operations of `migration`.
fn replay_steps(
    migration: &mut Migration,
    steps: &[ModelStep],
    label: &str,
    models: &mut HashMap<String, ModelState>,
) {
    let Some(upgrade) = migration.upgrade.as_mut() else {
        return;
    };
    let ops = &mut upgrade.ops;
    let mut dropped: HashSet<usize> = HashSet::new();
    for step in steps.iter().cloned() {
        match step {
            ModelStep::Table { op, model, written } => {
                if models.get(&model).is_some_and(|state| !state.managed) {
                    dropped.insert(op);
                }
                let table = table_of(models, label, &model);
                if let Some(op) = ops.get_mut(op) {
                    for name in table_names(&mut op.kind) {
                        if name.value == written {
                            name.value.clone_from(&table);
                        }
                    }
                }
            }
            ModelStep::Column {
                op,
                model,
                field,
                written,
            } => {
                let Some(column) = field_state(models, &model, &field).map(|f| f.column.clone())
                else {
                    continue;
                };
                if let Some(name) = ops.get_mut(op).and_then(|op| column_name(&mut op.kind))
                    && name.value == written
                {
                    name.value = column;
                }
            }
            ModelStep::Create {
                model,
                table,
                managed,
                fields,
            } => {
                models.insert(
                    model,
                    ModelState {
                        table,
                        managed,
                        fields: fields.into_iter().collect(),
                    },
                );
            }
            ModelStep::Delete { model } => {
                models.remove(&model);
            }
            ModelStep::Rename { op, old, new } => {
                let old_table = table_of(models, label, &old);
                let state = models.remove(&old);
                let managed = state.as_ref().is_none_or(|state| state.managed);
                if let Some(state) = state {
                    models.insert(new.clone(), state);
                }
                let new_table = table_of(models, label, &new);
                // A model with its own `db_table` keeps its table: Django renames nothing.
                if old_table == new_table || !managed {
                    dropped.insert(op);
                }
                if let Some(OpKind::RenameTable {
                    old: Some(old),
                    new: Some(new),
                }) = ops.get_mut(op).map(|op| &mut op.kind)
                {
                    old.value = old_table;
                    new.value = new_table;
                }
            }
            ModelStep::SetTable { op, model, table } => {
                let old_table = table_of(models, label, &model);
                if let Some(state) = models.get_mut(&model) {
                    state.table.clone_from(&table);
                    if !state.managed {
                        dropped.insert(op);
                    }
                }
                let new_table = table.unwrap_or_else(|| default_table(label, &model));
                if old_table == new_table {
                    dropped.insert(op);
                }
                if let Some(OpKind::RenameTable { old, new }) =
                    ops.get_mut(op).map(|op| &mut op.kind)
                {
                    if let Some(old) = old {
                        old.value = old_table;
                    }
                    if let Some(new) = new {
                        new.value = new_table;
                    }
                }
            }
            ModelStep::AddField {
                model,
                field,
                state,
            } => {
                if let Some(model) = models.get_mut(&model) {
                    model.fields.insert(field, state);
                }
            }
            ModelStep::RemoveField { model, field } => {
                if let Some(model) = models.get_mut(&model) {
                    model.fields.remove(&field);
                }
            }
            ModelStep::AlterField {
                op,
                fill_op,
                index_op,
                model,
                field,
                state,
            } => {
                let before = field_state(models, &model, &field).cloned();
                let change = FieldChange {
                    before: before.as_ref(),
                    after: &state,
                };
                for (step_op, keep) in [
                    (fill_op, change.fills_nulls()),
                    (index_op, change.adds_index()),
                ] {
                    if let Some(step_op) = step_op
                        && !keep
                    {
                        dropped.insert(step_op);
                    }
                }
                if let Some(OpKind::AlterColumn(alter)) = ops.get_mut(op).map(|op| &mut op.kind) {
                    change.rewrite(alter);
                }
                if let Some(model) = models.get_mut(&model) {
                    model.fields.insert(field, state);
                }
            }
            ModelStep::RenameField {
                op,
                model,
                old,
                new,
            } => {
                let Some(mut state) = models
                    .get_mut(&model)
                    .and_then(|model| model.fields.remove(&old))
                else {
                    continue;
                };
                let old_column = state.column.clone();
                if !state.explicit_column {
                    state.column = if state.foreign_key {
                        format!("{new}_id")
                    } else {
                        new.clone()
                    };
                }
                let new_column = state.column.clone();
                if let Some(model) = models.get_mut(&model) {
                    model.fields.insert(new, state);
                }
                if let Some(OpKind::AlterColumn(alter)) = ops.get_mut(op).map(|op| &mut op.kind) {
                    if let Some(column) = alter.column.as_mut() {
                        column.value = old_column;
                    }
                    if let Some(new_name) = alter.new_name.as_mut() {
                        new_name.value.clone_from(&new_column);
                    }
                    // `db_column` given: the field is renamed, the column is not.
                    if alter
                        .column
                        .as_ref()
                        .is_some_and(|column| column.value == new_column)
                    {
                        dropped.insert(op);
                    }
                }
            }
        }
    }
    if dropped.is_empty() {
        return;
    }
    let mut index = 0;
    ops.retain(|_| {
        let keep = !dropped.contains(&index);
        index += 1;
        keep
    });
    upgrade.is_noop = ops.is_empty();
}

/// An `AlterField` read against the field's earlier state (`None`: declared by no migration here).
struct FieldChange<'a> {
    before: Option<&'a FieldState>,
    after: &'a FieldState,
}

impl FieldChange<'_> {
    /// A nullable field with a default becomes NOT NULL: Django updates the NULL rows first.
    fn fills_nulls(&self) -> bool {
        self.before
            .is_some_and(|before| before.nullable && !self.after.nullable)
    }

    /// The field gains an index (`db_index`, a foreign key) or a unique constraint.
    fn adds_index(&self) -> bool {
        self.before.is_some_and(|before| {
            (self.after.unique && !before.unique)
                || (self.after.indexed && !before.indexed && !before.unique)
        })
    }

    /// Keeps in `alter` only what the field changes, with the earlier value as `existing_*`.
    fn rewrite(&self, alter: &mut AlterColumn) {
        // The field's history is elsewhere: no change is claimed.
        let Some(before) = self.before else {
            alter.nullable = None;
            alter.type_text = None;
            return;
        };
        if before.nullable == self.after.nullable {
            alter.nullable = None;
        } else {
            alter.existing_nullable = Some(Spanned::new(before.nullable, before.range));
        }
        if changes_type(before, self.after) {
            alter.type_text = Some(Spanned::new(self.after.db_type.clone(), self.after.range));
            alter.existing_type = Some(Spanned::new(before.db_type.clone(), before.range));
        } else {
            alter.type_text = None;
        }
    }
}

fn field_state<'a>(
    models: &'a HashMap<String, ModelState>,
    model: &str,
    field: &str,
) -> Option<&'a FieldState> {
    models.get(model)?.fields.get(field)
}

/// Django fields stored as `varchar(max_length)`, with the length Django gives them when the
/// field does not (`None`: `max_length` is required).
const VARCHAR_FIELDS: &[(&str, Option<u64>)] = &[
    ("CharField", None),
    ("EmailField", Some(254)),
    ("URLField", Some(200)),
    ("SlugField", Some(50)),
    ("FileField", Some(100)),
    ("ImageField", Some(100)),
    ("FilePathField", Some(100)),
];

/// Django's own field classes: the column type of any other class (a project's `RichTextField`,
/// `WagtailImageField`) depends on code that is not read, and often is its base class's.
const BUILTIN_FIELDS: &[&str] = &[
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BinaryField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "DecimalField",
    "DurationField",
    "EmailField",
    "FileField",
    "FilePathField",
    "FloatField",
    "ForeignKey",
    "GenericIPAddressField",
    "ImageField",
    "IntegerField",
    "JSONField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallAutoField",
    "SmallIntegerField",
    "TextField",
    "TimeField",
    "URLField",
    "UUIDField",
];

/// Whether altering `before` into `after` changes the column's type in a way PostgreSQL rewrites
/// the table for: a `varchar` made longer, or turned into `text` (`TextField`), keeps its rows as
/// they are; a class that is not Django's own is not judged.
fn changes_type(before: &FieldState, after: &FieldState) -> bool {
    if before.db_type == after.db_type {
        return false;
    }
    // The class without its module (`models.CharField(max_length=20)` -> `CharField`).
    let class = |state: &FieldState| {
        let written = state.db_type.split('(').next().unwrap_or_default();
        written.rsplit('.').next().unwrap_or_default().to_owned()
    };
    if ![before, after]
        .iter()
        .all(|state| BUILTIN_FIELDS.contains(&class(state).as_str()))
    {
        return false;
    }
    let varchar_length = |state: &FieldState| {
        let class = class(state);
        let (_, default) = VARCHAR_FIELDS.iter().find(|(name, _)| *name == class)?;
        state.max_length.or(*default)
    };
    let Some(old) = varchar_length(before) else {
        return true;
    };
    let widens = class(after) == "TextField" || varchar_length(after).is_some_and(|new| new >= old);
    !widens
}

/// The table names of an operation the Django lowering produces.
fn table_names(kind: &mut OpKind) -> Vec<&mut Spanned<String>> {
    let names: Vec<&mut Option<Spanned<String>>> = match kind {
        OpKind::CreateTable { table, .. }
        | OpKind::DropTable { table }
        | OpKind::AddColumn { table, .. }
        | OpKind::DropColumn { table, .. }
        | OpKind::CreateIndex { table, .. }
        | OpKind::DropIndex { table, .. }
        | OpKind::DropConstraint { table, .. }
        | OpKind::UpdateRows { table, .. } => vec![table],
        OpKind::AlterColumn(alter) => vec![&mut alter.table],
        OpKind::CreateConstraint(constraint) => vec![&mut constraint.table],
        OpKind::RenameTable { old, new } => vec![old, new],
        _ => Vec::new(),
    };
    names.into_iter().filter_map(Option::as_mut).collect()
}

/// The column an operation on one existing column names.
fn column_name(kind: &mut OpKind) -> Option<&mut Spanned<String>> {
    match kind {
        OpKind::DropColumn { column, .. } => column.as_mut(),
        OpKind::AlterColumn(alter) => alter.column.as_mut(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::ir::{Migration, OpKind};
    use crate::{Project, SourceFile};

    fn project(files: &[(&str, &str)]) -> Project {
        Project::from_sources(
            files
                .iter()
                .map(|(path, text)| SourceFile::new(*path, (*text).to_owned())),
        )
    }

    fn migration<'a>(project: &'a Project, name: &str) -> &'a Migration {
        project
            .migrations
            .iter()
            .find(|migration| migration.path().ends_with(name))
            .unwrap_or_else(|| panic!("no migration {name}"))
    }

    fn tables(migration: &Migration) -> Vec<String> {
        migration
            .upgrade
            .iter()
            .flat_map(|body| &body.ops)
            .filter_map(|op| op.table().map(str::to_owned))
            .collect()
    }

    const INITIAL: &str = r#"
from django.db import migrations, models

class Migration(migrations.Migration):
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Order",
            fields=[
                ("id", models.AutoField(primary_key=True)),
                ("customer", models.ForeignKey("shop.Customer", on_delete=models.CASCADE)),
                ("note", models.TextField(null=True)),
            ],
            options={"db_table": "orders"},
        ),
        migrations.CreateModel(name="Item", fields=[("id", models.AutoField(primary_key=True))]),
    ]
"#;

    #[test]
    fn tables_and_columns_come_from_earlier_migrations() {
        let later = r#"
from django.db import migrations, models

class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.RemoveField("order", "customer"),
        migrations.AlterModelTable("item", "shop_items"),
        migrations.AddField("item", "sku", models.CharField(max_length=10, null=True)),
        migrations.RenameModel("Order", "Purchase"),
        migrations.AlterField("purchase", "note", models.TextField(default="")),
    ]
"#;
        let project = project(&[
            ("shop/migrations/0001_initial.py", INITIAL),
            ("shop/migrations/0002_later.py", later),
        ]);
        let later = migration(&project, "0002_later.py");
        // The rename of a model with its own `db_table` renames no table: it is gone.
        assert_eq!(
            tables(later),
            ["orders", "shop_item", "shop_items", "orders", "orders"],
            "RemoveField, AlterModelTable, AddField, the update of NULLs, AlterField"
        );
        let ops = &later
            .upgrade
            .as_ref()
            .map(|body| body.ops.clone())
            .unwrap_or_default();
        assert!(
            matches!(&ops[0].kind, OpKind::DropColumn { column: Some(column), .. } if column.value == "customer_id")
        );
        // `AlterModelTable` renames the default table to the given one.
        assert!(
            matches!(&ops[1].kind, OpKind::RenameTable { old: Some(old), new: Some(new) } if old.value == "shop_item" && new.value == "shop_items")
        );
        // NOT NULL with a default: Django's update of the NULL rows, then the change.
        assert!(matches!(&ops[3].kind, OpKind::UpdateRows { .. }));
        let OpKind::AlterColumn(alter) = &ops[4].kind else {
            panic!("{:?}", ops[4]);
        };
        assert_eq!(alter.nullable.as_ref().map(|n| n.value), Some(false));
        assert_eq!(
            alter.existing_nullable.as_ref().map(|n| n.value),
            Some(true)
        );
        assert_eq!(alter.type_text, None, "the type did not change");
    }

    #[test]
    fn a_label_other_apps_use_names_the_tables() {
        let other = r#"
from django.db import migrations

class Migration(migrations.Migration):
    dependencies = [("wagtailshop", "0001_initial")]
    operations = []
"#;
        let project = project(&[
            ("shop/migrations/0001_initial.py", INITIAL),
            ("shop/migrations/0002_other.py", other),
        ]);
        assert_eq!(
            tables(migration(&project, "0001_initial.py")),
            ["orders", "wagtailshop_item"]
        );
    }

    #[test]
    fn migrations_are_replayed_in_dependency_order_not_name_order() {
        let first = INITIAL.replace("dependencies = []", "dependencies = []  # runs first");
        let second = r#"
from django.db import migrations, models

class Migration(migrations.Migration):
    dependencies = [("shop", "zz_initial")]
    operations = [migrations.AddField("order", "memo", models.TextField(null=True))]
"#;
        let project = project(&[
            ("shop/migrations/zz_initial.py", first.as_str()),
            ("shop/migrations/aa_memo.py", second),
        ]);
        assert_eq!(tables(migration(&project, "aa_memo.py")), ["orders"]);
    }

    #[test]
    fn alter_field_index_is_kept_only_when_new() {
        let later = r#"
from django.db import migrations, models

class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AlterField("order", "note", models.TextField(null=True, db_index=True)),
        migrations.AlterField("order", "customer", models.ForeignKey("shop.Customer", on_delete=models.PROTECT)),
    ]
"#;
        let project = project(&[
            ("shop/migrations/0001_initial.py", INITIAL),
            ("shop/migrations/0002_later.py", later),
        ]);
        let kinds: Vec<&str> = migration(&project, "0002_later.py")
            .upgrade
            .iter()
            .flat_map(|body| &body.ops)
            .map(|op| match op.kind {
                OpKind::AlterColumn(_) => "alter",
                OpKind::CreateIndex { .. } => "index",
                _ => "other",
            })
            .collect();
        // `note` gains an index; `customer` had its foreign-key index already.
        assert_eq!(kinds, ["alter", "index", "alter"]);
    }
}
