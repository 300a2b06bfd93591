//! Playing IR operations onto a [`Schema`].

use std::sync::Arc;

use super::{
    Column, Constraint, EnumType, Index, ObjectKey, Schema, Sequence, Table, Touched, View, key,
};
use crate::effect::Effect;
use crate::ir::{
    AlterColumn, ColumnDef, ConstraintDef, ConstraintKind, Name, OpKind, Operation, Spanned,
    SqlReach, SqlText,
};

/// How operations are played.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ApplyOptions {
    /// The database has named enum types (PostgreSQL): `sa.Enum(name=...)` columns create one.
    pub(crate) enum_types: bool,
    /// Tables created now are after the release boundary.
    pub(crate) unreleased: bool,
    /// SQLite: a primary key column created by SQL without `NOT NULL` accepts NULL.
    pub(crate) sqlite: bool,
    /// The SQLAlchemy names of the configured dialect: which `.with_variant(...)` of a type
    /// applies (none for the generic dialect).
    pub(crate) dialect_names: &'static [&'static str],
}

/// Plays operations onto a schema, remembering which operation last touched each object (so a
/// residue can point at its cause) and whether any operation could not be read at all.
pub(crate) struct Applier<'s> {
    pub(crate) schema: &'s mut Schema,
    pub(crate) options: ApplyOptions,
    /// Objects touched, with the index of the operation that touched them, in order.
    pub(crate) touches: Vec<(ObjectKey, usize)>,
    /// The first operation whose effect cannot be known (SQL built at run time, an `op` call the
    /// model does not know): nothing can be said of the body as a whole.
    pub(crate) opaque: Option<usize>,
    /// Objects an operation expected and the model did not know (an index dropped that no
    /// revision created): uncertain for the whole revision, even once the other body re-creates
    /// them.
    pub(crate) unknown: std::collections::BTreeSet<ObjectKey>,
    /// Tables an operation acted on that the model did not know: they existed before the
    /// revision, with contents the model never saw.
    pub(crate) discovered: std::collections::BTreeMap<String, String>,
    /// The migration's text, so that a server default is kept as written (`"x"`, `sa.text("0")`)
    /// rather than as the value extraction read from it.
    source: Option<&'s str>,
    /// The operation being played was lowered from SQL: its defaults are SQL already.
    from_sql: bool,
    /// The operation being played is inside a `batch_alter_table` block.
    in_batch: bool,
    current: usize,
}

impl Schema {
    /// Plays one operation onto the schema. Operations on objects the schema does not know mark
    /// them uncertain rather than guessing.
    pub fn apply(&mut self, op: &Operation) {
        Applier::new(self, ApplyOptions::default()).apply(0, op);
    }
}

impl<'s> Applier<'s> {
    pub(crate) fn new(schema: &'s mut Schema, options: ApplyOptions) -> Self {
        Self {
            schema,
            options,
            touches: Vec::new(),
            opaque: None,
            unknown: std::collections::BTreeSet::new(),
            discovered: std::collections::BTreeMap::new(),
            source: None,
            from_sql: false,
            in_batch: false,
            current: 0,
        }
    }

    /// Keeps server defaults as `source` (the migration's text) writes them.
    pub(crate) fn with_source(mut self, source: &'s str) -> Self {
        self.source = Some(source);
        self
    }

    /// A server default as written: the Python expression's text, or the SQL.
    fn default_text(&self, default: &Spanned<Option<String>>) -> Option<String> {
        let value = default.value.as_ref()?;
        if self.from_sql {
            return Some(value.clone());
        }
        let written = self.source.and_then(|source| {
            source.get(usize::from(default.range.start())..usize::from(default.range.end()))
        });
        Some(written.map_or_else(|| value.clone(), str::to_owned))
    }

    pub(crate) fn apply_all(&mut self, ops: &[Operation]) {
        for (index, op) in ops.iter().enumerate() {
            self.apply(index, op);
        }
    }

    fn touch(&mut self, object: ObjectKey) {
        self.touches.push((object, self.current));
    }

    fn mark_unknown(&mut self, object: ObjectKey) {
        self.unknown.insert(object.clone());
        self.schema.mark_uncertain(object);
    }

    fn make_opaque(&mut self) {
        self.opaque.get_or_insert(self.current);
    }

    pub(crate) fn apply(&mut self, index: usize, op: &Operation) {
        self.current = index;
        self.from_sql = op.context.from_sql;
        self.in_batch = op.context.batch.is_some();
        // What the operation does is decided on the operation; only what it does to an object is
        // played here.
        match op.kind.effect() {
            Effect::Opaque => return self.make_opaque(),
            Effect::WritesData | Effect::Unmodelled | Effect::Nothing => return,
            _ => {}
        }
        match &op.kind {
            OpKind::CreateTable {
                table,
                columns,
                constraints,
            } => self.create_table(table, columns, constraints),
            OpKind::DropTable { table } => self.drop_table(table),
            OpKind::RenameTable { old, new } => self.rename_table(old, new),
            OpKind::AddColumn { table, column } => self.add_column(table, column),
            OpKind::DropColumn { table, column } => self.drop_column(table, column),
            OpKind::AlterColumn(alter) => self.alter_column(alter),
            OpKind::CreateIndex {
                name,
                table,
                columns,
                unique,
                ..
            } => self.create_index(name, table, columns, *unique),
            OpKind::DropIndex { name, table, .. } => self.drop_index(name, table),
            OpKind::CreateConstraint(def) => self.create_constraint(def),
            OpKind::DropConstraint { name, table, .. } => self.drop_constraint(name, table),
            OpKind::CreateView {
                name,
                materialized,
                definition,
            } => {
                let Some(name) = name else {
                    return self.make_opaque();
                };
                let view = View {
                    name: name.value.clone(),
                    materialized: *materialized,
                    definition: definition.clone(),
                };
                let object = ObjectKey::View(key(&name.value));
                self.schema.views.insert(key(&name.value), view);
                self.schema.uncertain.remove(&object);
                self.touch(object);
            }
            OpKind::DropView { name, .. } => {
                let Some(name) = name else {
                    return self.make_opaque();
                };
                let object = ObjectKey::View(key(&name.value));
                if self.schema.views.remove(&key(&name.value)).is_none() {
                    self.mark_unknown(object.clone());
                }
                self.touch(object);
            }
            OpKind::CreateType { name, enum_values } => {
                let Some(name) = name else {
                    return self.make_opaque();
                };
                self.create_type(&name.value, enum_values.clone());
            }
            OpKind::DropType { name } => {
                let Some(name) = name else {
                    return self.make_opaque();
                };
                let object = ObjectKey::Type(key(&name.value));
                if self.schema.types.remove(&key(&name.value)).is_none() {
                    self.mark_unknown(object.clone());
                }
                self.touch(object);
            }
            OpKind::AddEnumValue { type_name, value } => {
                let Some(name) = type_name else {
                    return self.make_opaque();
                };
                let object = ObjectKey::Type(key(&name.value));
                match self.schema.types.get_mut(&key(&name.value)) {
                    Some(found) => found.values.push(value.clone()),
                    None => self.mark_unknown(object.clone()),
                }
                self.touch(object);
            }
            OpKind::CreateTrigger { name, table } => self.create_trigger(name, table),
            OpKind::DropTrigger { name, .. } => self.drop_trigger(name),
            OpKind::AlterSequence { name } => {
                // A sequence's value is data: the model keeps only that the sequence exists.
                if let Some(name) = name {
                    self.schema
                        .sequences
                        .get_or_insert_with(key(&name.value), || Sequence {
                            name: name.value.clone(),
                        });
                }
            }
            // SQL built at run time on one named table: that table cannot be known after it, the
            // rest of the schema can.
            OpKind::Sql {
                text: SqlText::Unreadable(SqlReach::Table(table)),
                ..
            } => {
                let object = ObjectKey::Table(key(table));
                self.mark_unknown(object.clone());
                self.touch(object);
            }
            // An effect on an object the model has no arm for: it cannot follow it.
            _ => self.make_opaque(),
        }
    }

    /// The table named `name`, to change; a table the model does not know is taken to exist,
    /// partially known.
    fn table_mut(&mut self, name: &str) -> &mut Table {
        let table_key = key(name);
        if !self.schema.tables.contains_key(&table_key) {
            self.discovered.insert(table_key.clone(), name.to_owned());
        }
        let table = self
            .schema
            .tables
            .get_or_insert_with(table_key, || Arc::new(Table::new(name, true)));
        Arc::make_mut(table)
    }

    fn create_table(&mut self, table: &Name, columns: &[ColumnDef], constraints: &[ConstraintDef]) {
        let Some(table) = table else {
            return self.make_opaque();
        };
        let table_key = key(&table.value);
        self.schema.remove_table(&table_key);
        let mut created = Table::new(&table.value, false);
        created.unreleased = self.options.unreleased;
        self.schema
            .uncertain
            .retain(|object| object.table() != Some(table_key.as_str()));
        self.schema
            .insert_table(table_key.clone(), Arc::new(created));
        self.touch(ObjectKey::Table(table_key));
        for column in columns {
            self.add_column(&Some(table.clone()), column);
        }
        for constraint in constraints {
            self.add_constraint(&table.value, constraint);
        }
    }

    fn drop_table(&mut self, table: &Name) {
        let Some(table) = table else {
            return self.make_opaque();
        };
        let table_key = key(&table.value);
        let object = ObjectKey::Table(table_key.clone());
        if self.schema.remove_table(&table_key).is_none() {
            self.mark_unknown(object.clone());
        }
        self.touch(object);
    }

    fn rename_table(&mut self, old: &Name, new: &Name) {
        let (Some(old), Some(new)) = (old, new) else {
            return self.make_opaque();
        };
        let (old_key, new_key) = (key(&old.value), key(&new.value));
        let table = if let Some(table) = self.schema.remove_table(&old_key) {
            let mut table = Table::clone(&table);
            table.name.clone_from(&new.value);
            table
        } else {
            self.mark_unknown(ObjectKey::Table(old_key.clone()));
            Table::new(&new.value, true)
        };
        self.schema.retarget_foreign_keys(&old_key, &new.value);
        self.schema.insert_table(new_key.clone(), Arc::new(table));
        self.touch(ObjectKey::Table(old_key));
        self.touch(ObjectKey::Table(new_key));
    }

    fn add_column(&mut self, table: &Name, def: &ColumnDef) {
        let (Some(table), Some(name)) = (table, &def.name) else {
            return self.make_opaque();
        };
        let column = Column {
            name: name.value.clone(),
            type_text: def.type_text.as_ref().map(|text| text.value.clone()),
            nullable: if self.from_sql && self.options.sqlite && def.nullable.is_none() {
                true
            } else {
                !def.is_not_null()
            },
            server_default: def
                .server_default
                .as_ref()
                .and_then(|default| self.default_text(default)),
            primary_key: def.primary_key,
        };
        let target = self.table_mut(&table.value);
        match target.column_mut(&name.value) {
            Some(existing) => *existing = column,
            None => target.columns.push(Arc::new(column)),
        }
        // Only keys, unique constraints and indexes name the column: most columns have none.
        let columns = || vec![name.value.clone()];
        for foreign_key in &def.foreign_keys {
            target.constraints.push(Arc::new(Constraint {
                kind: ConstraintKind::ForeignKey,
                name: foreign_key.name.as_ref().map(|name| name.value.clone()),
                columns: columns(),
                referred_table: Some(referred_table(&foreign_key.target)),
                ondelete: foreign_key.ondelete.as_ref().map(|on| on.value.clone()),
                condition: None,
            }));
        }
        let index_name = def
            .index
            .then(|| format!("ix_{}_{}", table.value, name.value));
        if def.unique && index_name.is_none() {
            target.constraints.push(Arc::new(Constraint {
                kind: ConstraintKind::Unique,
                name: None,
                columns: columns(),
                referred_table: None,
                ondelete: None,
                condition: None,
            }));
        }
        let table_key = key(&table.value);
        let object = ObjectKey::Column(table_key.clone(), key(&name.value));
        self.schema.uncertain.remove(&object);
        self.touch(object);
        if let Some(index_name) = index_name {
            // SQLAlchemy names the index of `index=True` `ix_<table>_<column>`.
            self.insert_index(&table_key, &table.value, index_name, columns(), def.unique);
        }
        if self.options.enum_types
            && let Some(enum_type) = &def.enum_type
            && !self.schema.types.contains_key(&key(&enum_type.value))
        {
            self.create_type(&enum_type.value, Vec::new());
        }
    }

    fn drop_column(&mut self, table: &Name, column: &Name) {
        let (Some(table), Some(column)) = (table, column) else {
            return self.make_opaque();
        };
        let table_key = key(&table.value);
        let object = ObjectKey::Column(table_key.clone(), key(&column.value));
        let keeps_indexes = self.options.sqlite && !self.in_batch;
        let target = self.table_mut(&table.value);
        let before = target.columns.len();
        target
            .columns
            .retain(|existing| !existing.name.eq_ignore_ascii_case(&column.value));
        let found = target.columns.len() < before;
        // PostgreSQL drops indexes and constraints on the column with it, and so does a batch
        // block's copy of the table; SQLite's own DROP COLUMN refuses while an index uses the
        // column, so there the index stays (and the downgrade that forgot it is reported).
        target
            .constraints
            .retain(|constraint| !mentions(&constraint.columns, &column.value));
        let dropped_indexes: Vec<String> = target
            .indexes
            .iter()
            .filter(|index| !keeps_indexes && mentions(&index.columns, &column.value))
            .map(|index| key(&index.name))
            .collect();
        target
            .indexes
            .retain(|index| keeps_indexes || !mentions(&index.columns, &column.value));
        for name in dropped_indexes {
            self.schema.index_tables.remove(&name);
        }
        if !found {
            self.mark_unknown(object.clone());
        }
        self.touch(object);
    }

    fn alter_column(&mut self, alter: &AlterColumn) {
        let (Some(table), Some(column)) = (&alter.table, &alter.column) else {
            return self.make_opaque();
        };
        let table_key = key(&table.value);
        let mut object = ObjectKey::Column(table_key.clone(), key(&column.value));
        let existing_default = alter
            .existing_server_default
            .as_ref()
            .and_then(|default| self.default_text(default));
        let new_default = alter
            .server_default
            .as_ref()
            .map(|default| self.default_text(default));
        let target = self.table_mut(&table.value);
        let known = target.column(&column.value).is_some();
        if !known {
            // Altering a column the model never saw: what it was before is unknown, so nothing
            // can be said of it; what the call states is recorded all the same.
            target.columns.push(Arc::new(Column {
                name: column.value.clone(),
                type_text: alter.existing_type.as_ref().map(|t| t.value.clone()),
                nullable: alter.existing_nullable.as_ref().is_none_or(|n| n.value),
                server_default: existing_default,
                primary_key: false,
            }));
        }
        let Some(existing) = target.column_mut(&column.value) else {
            return;
        };
        if let Some(nullable) = &alter.nullable {
            existing.nullable = nullable.value;
        }
        if let Some(type_text) = &alter.type_text {
            existing.type_text = Some(type_text.value.clone());
        }
        if let Some(default) = new_default {
            existing.server_default = default;
        }
        if let Some(new_name) = &alter.new_name {
            existing.name.clone_from(&new_name.value);
            for constraint in &mut target.constraints {
                if mentions(&constraint.columns, &column.value) {
                    rename_in(
                        &mut Arc::make_mut(constraint).columns,
                        &column.value,
                        &new_name.value,
                    );
                }
            }
            for index in &mut target.indexes {
                if mentions(&index.columns, &column.value) {
                    rename_in(
                        &mut Arc::make_mut(index).columns,
                        &column.value,
                        &new_name.value,
                    );
                }
            }
            self.touch(object.clone());
            if !known {
                self.mark_unknown(object);
            }
            object = ObjectKey::Column(table_key, key(&new_name.value));
        }
        if !known {
            self.mark_unknown(object.clone());
        }
        self.touch(object);
    }

    fn create_index(&mut self, name: &Name, table: &Name, columns: &[String], unique: bool) {
        let (Some(name), Some(table)) = (name, table) else {
            return self.make_opaque();
        };
        self.insert_index(
            &key(&table.value),
            &table.value,
            name.value.clone(),
            columns.to_vec(),
            unique,
        );
    }

    fn insert_index(
        &mut self,
        table_key: &str,
        table: &str,
        name: String,
        columns: Vec<String>,
        unique: bool,
    ) {
        let index_key = key(&name);
        // An index of that name elsewhere goes away (CREATE INDEX would fail; the model follows
        // the migration).
        if let Some(owner) = self.schema.index_tables.remove(&index_key)
            && let Some(other) = self.schema.tables.get_mut(&owner)
        {
            Arc::make_mut(other)
                .indexes
                .retain(|index| !index.name.eq_ignore_ascii_case(&name));
        }
        let target = self.table_mut(table);
        target.indexes.push(Arc::new(Index {
            name,
            columns,
            unique,
        }));
        self.schema
            .index_tables
            .insert(index_key.clone(), table_key.to_owned());
        let object = ObjectKey::Index(index_key);
        self.schema.uncertain.remove(&object);
        self.touch(object);
    }

    fn drop_index(&mut self, name: &Name, table: &Name) {
        let Some(name) = name else {
            return self.make_opaque();
        };
        let index_key = key(&name.value);
        let object = ObjectKey::Index(index_key.clone());
        let owner = self
            .schema
            .index_tables
            .remove(&index_key)
            .or_else(|| table.as_ref().map(|table| key(&table.value)));
        let mut found = false;
        if let Some(owner) = owner
            && let Some(target) = self.schema.tables.get_mut(&owner)
        {
            let target = Arc::make_mut(target);
            let before = target.indexes.len();
            target
                .indexes
                .retain(|index| !index.name.eq_ignore_ascii_case(&name.value));
            found = target.indexes.len() < before;
        }
        if !found {
            self.mark_unknown(object.clone());
        }
        self.touch(object);
    }

    fn create_constraint(&mut self, def: &ConstraintDef) {
        let Some(table) = &def.table else {
            return self.make_opaque();
        };
        self.add_constraint(&table.value.clone(), def);
    }

    fn add_constraint(&mut self, table: &str, def: &ConstraintDef) {
        let table_key = key(table);
        let name = def.name.as_ref().map(|name| name.value.clone());
        let target = self.table_mut(table);
        if def.kind == ConstraintKind::PrimaryKey {
            for column in &mut target.columns {
                if def
                    .columns
                    .iter()
                    .any(|name| name.eq_ignore_ascii_case(&column.name))
                {
                    let column = Arc::make_mut(column);
                    column.primary_key = true;
                    column.nullable = false;
                }
            }
        }
        let constraint = Constraint {
            kind: def.kind,
            name: name.clone(),
            columns: def.columns.clone(),
            referred_table: def
                .foreign_key
                .as_ref()
                .map(|foreign_key| referred_table(&foreign_key.target)),
            ondelete: def
                .foreign_key
                .as_ref()
                .and_then(|foreign_key| foreign_key.ondelete.as_ref())
                .map(|on| on.value.clone()),
            condition: def.condition.clone(),
        };
        target
            .constraints
            .retain(|existing| !existing.same_object(&constraint, &target.name));
        target.constraints.push(Arc::new(constraint));
        match name {
            Some(name) => {
                let object = ObjectKey::Constraint(table_key, key(&name));
                self.schema.uncertain.remove(&object);
                self.touch(object);
            }
            None => self.touch(ObjectKey::Table(table_key)),
        }
    }

    fn drop_constraint(&mut self, name: &Name, table: &Name) {
        let (Some(name), Some(table)) = (name, table) else {
            return self.make_opaque();
        };
        let table_key = key(&table.value);
        let object = ObjectKey::Constraint(table_key, key(&name.value));
        let target = self.table_mut(&table.value);
        let named = |constraint: &Constraint| {
            constraint
                .name
                .as_deref()
                .is_some_and(|existing| existing.eq_ignore_ascii_case(&name.value))
        };
        let was_primary_key = target
            .constraints
            .iter()
            .any(|constraint| named(constraint) && constraint.kind == ConstraintKind::PrimaryKey);
        let before = target.constraints.len();
        target.constraints.retain(|constraint| !named(constraint));
        if target.constraints.len() == before {
            // An unnamed constraint goes by the name PostgreSQL gave it.
            target.constraints.retain(|constraint| {
                constraint.name.is_some() || !constraint.goes_by(&name.value, &target.name)
            });
        }
        let removed = target.constraints.len() < before;
        if removed && was_primary_key {
            // The columns of a dropped primary key stop being the key.
            for column in target
                .columns
                .iter_mut()
                .filter(|column| column.primary_key)
            {
                Arc::make_mut(column).primary_key = false;
            }
        }
        let found = removed;
        if !found {
            self.mark_unknown(object.clone());
        }
        self.touch(object);
    }

    fn create_type(&mut self, name: &str, values: Vec<String>) {
        let object = ObjectKey::Type(key(name));
        self.schema.types.insert(
            key(name),
            EnumType {
                name: name.to_owned(),
                values,
            },
        );
        self.schema.uncertain.remove(&object);
        self.touch(object);
    }

    fn create_trigger(&mut self, name: &Name, table: &Name) {
        let (Some(name), Some(table)) = (name, table) else {
            return self.make_opaque();
        };
        let trigger_key = key(&name.value);
        self.drop_trigger_named(&trigger_key);
        let table_key = key(&table.value);
        self.table_mut(&table.value)
            .triggers
            .push(name.value.clone());
        self.schema
            .trigger_tables
            .insert(trigger_key.clone(), table_key);
        let object = ObjectKey::Trigger(trigger_key);
        self.schema.uncertain.remove(&object);
        self.touch(object);
    }

    fn drop_trigger(&mut self, name: &Name) {
        let Some(name) = name else {
            return self.make_opaque();
        };
        let trigger_key = key(&name.value);
        let object = ObjectKey::Trigger(trigger_key.clone());
        if !self.drop_trigger_named(&trigger_key) {
            self.mark_unknown(object.clone());
        }
        self.touch(object);
    }

    fn drop_trigger_named(&mut self, trigger_key: &str) -> bool {
        let Some(owner) = self.schema.trigger_tables.remove(trigger_key) else {
            return false;
        };
        if let Some(table) = self.schema.tables.get_mut(&owner) {
            Arc::make_mut(table)
                .triggers
                .retain(|trigger| key(trigger) != trigger_key);
        }
        true
    }
}

/// Whether `columns` names `column` (case-insensitively): renaming it changes them.
fn mentions(columns: &[String], column: &str) -> bool {
    columns.iter().any(|name| name.eq_ignore_ascii_case(column))
}

fn rename_in(columns: &mut [String], old: &str, new: &str) {
    for column in columns {
        if column.eq_ignore_ascii_case(old) {
            new.clone_into(column);
        }
    }
}

/// The table of a foreign key target: `"users.id"` -> `users`, `"auth.users.id"` -> `auth.users`,
/// a constraint's referent table as is.
fn referred_table(target: &str) -> String {
    match target.rsplit_once('.') {
        Some((table, _column)) if !table.is_empty() => table.to_owned(),
        _ => target.to_owned(),
    }
}

/// The objects that a body's operations name, so that a revision's replay can work on a copy of
/// just those.
pub(crate) fn touched_by<'a>(ops: impl IntoIterator<Item = &'a Operation>, touched: &mut Touched) {
    let table = |name: &Name, touched: &mut Touched| {
        if let Some(name) = name {
            touched.tables.insert(key(&name.value));
        }
    };
    for op in ops {
        match &op.kind {
            OpKind::CreateTable {
                table: name,
                columns,
                constraints,
            } => {
                table(name, touched);
                for column in columns {
                    if let Some(enum_type) = &column.enum_type {
                        touched.types.insert(key(&enum_type.value));
                    }
                }
                // Tables a foreign key refers to are not changed by it.
                let _ = constraints;
            }
            OpKind::AddColumn {
                table: name,
                column,
            } => {
                table(name, touched);
                if let Some(enum_type) = &column.enum_type {
                    touched.types.insert(key(&enum_type.value));
                }
            }
            OpKind::RenameTable { old, new } => {
                table(old, touched);
                table(new, touched);
            }
            OpKind::CreateIndex {
                name, table: on, ..
            }
            | OpKind::DropIndex {
                name, table: on, ..
            } => {
                table(on, touched);
                if let Some(name) = name {
                    touched
                        .indexes
                        .insert(key(&name.value), on.as_ref().map(|table| key(&table.value)));
                }
            }
            OpKind::CreateTrigger { name, table: on } | OpKind::DropTrigger { name, table: on } => {
                table(on, touched);
                if let Some(name) = name {
                    touched.triggers.insert(key(&name.value));
                }
            }
            OpKind::CreateView { name, .. } | OpKind::DropView { name, .. } => {
                if let Some(name) = name {
                    touched.views.insert(key(&name.value));
                }
            }
            OpKind::CreateType { name, .. } | OpKind::DropType { name } => {
                if let Some(name) = name {
                    touched.types.insert(key(&name.value));
                }
            }
            OpKind::AddEnumValue { type_name, .. } => {
                if let Some(name) = type_name {
                    touched.types.insert(key(&name.value));
                }
            }
            OpKind::AlterSequence { name } => {
                if let Some(name) = name {
                    touched.sequences.insert(key(&name.value));
                }
            }
            OpKind::Sql {
                text: SqlText::Unreadable(SqlReach::Table(name)),
                ..
            } => {
                touched.tables.insert(key(name));
            }
            other => {
                if let Some(name) = other.table() {
                    touched.tables.insert(key(&name.value));
                }
            }
        }
    }
}
