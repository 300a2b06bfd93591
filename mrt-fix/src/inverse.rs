//! The inverse of an upgrade: for each operation, what undoes it, read from the schema the chain
//! defines just before the operation. Inverses come in reverse order.

use std::cell::Cell;
use std::collections::HashSet;

use mrt_core::Dialect;
use mrt_core::effect::Effect;
use mrt_core::ir::{AlterColumn, ColumnDef, ConstraintKind, OpKind, Operation, Spanned, SqlText};
use mrt_core::schema::{Column, Constraint, Schema, Scratch, Table};

use crate::style::Style;

/// An argument of a generated call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Arg {
    /// A positional argument, rendered.
    Pos(String),
    /// A keyword argument, its value rendered.
    Kw(&'static str, String),
    /// The table, positional: left out inside a batch block.
    Table(String),
    /// The table as `table_name=`: left out inside a batch block.
    TableKw(String),
}

/// One step of a generated downgrade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// A call of an `op` function; inside `batch_alter_table(table)` when `batch` (the table as
    /// rendered: quoted, or the expression the migration wrote) is set.
    Op {
        /// The function.
        method: &'static str,
        /// Its arguments.
        args: Vec<Arg>,
        /// The batch block's table.
        batch: Option<String>,
    },
    /// A statement, rendered (`sa.Enum(name="mood").drop(op.get_bind(), checkfirst=True)`).
    Code(String),
    /// Something that cannot be reversed from what the migrations say: a `# TODO(mrt):` comment.
    Todo(String),
}

/// The inverse of an upgrade's operations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Inverse {
    /// The steps, in the order the downgrade runs them.
    pub(crate) steps: Vec<Step>,
    /// Generated code names `sqlalchemy`.
    pub(crate) uses_sa: bool,
}

impl Inverse {
    /// Some step needs a person: the fix is unsafe.
    pub(crate) fn needs_review(&self) -> bool {
        self.steps.iter().any(|step| matches!(step, Step::Todo(_)))
    }

    /// Some step is code (not only comments).
    pub(crate) fn has_code(&self) -> bool {
        self.steps.iter().any(|step| !matches!(step, Step::Todo(_)))
    }
}

/// The inverse of `ops` run on `before`.
pub(crate) fn invert(
    ops: &[Operation],
    before: &Schema,
    source: &str,
    style: &Style,
    dialect: Dialect,
) -> Inverse {
    let generator = Generator::new(style, source, dialect);
    let mut state = Scratch::new(before, ops);
    // Only the types this upgrade names can matter, so the schema is asked about those by name
    // rather than every enum type of the chain being collected for each fixed revision.
    let mut implicit_types = KnownTypes::new(|name| before.enum_type(name).is_some());
    let mut per_op = Vec::with_capacity(ops.len());
    for op in ops {
        let mut steps = Vec::new();
        generator.inverse_of(op, &state, &mut steps);
        // An enum type a column creates implicitly goes away after the last column using it.
        if generator.has_enum_types() {
            generator.drop_implicit_types(
                created_columns(&op.kind),
                &mut implicit_types,
                &mut steps,
            );
        }
        if let OpKind::CreateType {
            name: Some(name), ..
        } = &op.kind
        {
            implicit_types.insert(&name.value);
        }
        per_op.push(steps);
        state.apply(op);
    }
    Inverse {
        steps: per_op.into_iter().rev().flatten().collect(),
        uses_sa: generator.uses_sa.get(),
    }
}

/// What of one operation [`invert_one`] reverses.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Part<'a> {
    /// The operation, or a reduced copy of it (an `alter_column` with only the changes the
    /// downgrade does not undo).
    Op(&'a Operation),
    /// Only the enum types its columns create implicitly and that are not in the schema before
    /// it, except those named in `kept` (dropped elsewhere already).
    EnumTypes {
        /// Lower-cased names of types not to drop.
        kept: &'a [String],
    },
}

/// An upgrade played on the schema before it, up to some operation. The inverses of several
/// operations of one upgrade, asked in the order of the operations (as a revision's findings
/// are), play each operation once rather than the whole prefix for each.
pub(crate) struct PlayedUpTo<'a> {
    before: &'a Schema,
    ops: &'a [Operation],
    state: Scratch<'a>,
    played: usize,
}

impl<'a> PlayedUpTo<'a> {
    pub(crate) fn new(before: &'a Schema, ops: &'a [Operation]) -> Self {
        Self {
            before,
            ops,
            state: Scratch::new(before, ops),
            played: 0,
        }
    }

    /// The schema with the operations before `ops[index]` played (played again from the start
    /// when an earlier operation is asked for after a later one).
    fn before_op(&mut self, index: usize) -> &Scratch<'a> {
        let index = index.min(self.ops.len());
        if index < self.played {
            self.state = Scratch::new(self.before, self.ops);
            self.played = 0;
        }
        for op in &self.ops[self.played..index] {
            self.state.apply(op);
        }
        self.played = index;
        &self.state
    }
}

/// The inverse of `upgrade.ops[index]` alone (or of [`Part`] of it), read on the schema before
/// the upgrade with the operations before it played.
pub(crate) fn invert_one(
    upgrade: &mut PlayedUpTo<'_>,
    index: usize,
    part: Part<'_>,
    source: &str,
    style: &Style,
    dialect: Dialect,
) -> Inverse {
    let generator = Generator::new(style, source, dialect);
    let ops = upgrade.ops;
    let state = upgrade.before_op(index);
    let mut steps = Vec::new();
    match part {
        Part::Op(op) => generator.inverse_of(op, state, &mut steps),
        Part::EnumTypes { kept } => {
            let mut seen = KnownTypes::new(|name| state.enum_type(name).is_some());
            for name in kept {
                seen.insert(name);
            }
            let columns = ops
                .get(index)
                .map_or(&[][..], |op| created_columns(&op.kind));
            generator.drop_implicit_types(columns, &mut seen, &mut steps);
        }
    }
    Inverse {
        steps,
        uses_sa: generator.uses_sa.get(),
    }
}

/// The enum types known to exist at some point of an upgrade: those of the schema before it
/// (asked by name), and those the upgrade created or dropped so far (lower-cased names).
struct KnownTypes<F> {
    in_schema: F,
    added: HashSet<String>,
}

impl<F: Fn(&str) -> bool> KnownTypes<F> {
    fn new(in_schema: F) -> Self {
        Self {
            in_schema,
            added: HashSet::new(),
        }
    }

    /// Records `name`; `true` when it was not known yet.
    fn insert(&mut self, name: &str) -> bool {
        let lowered = name.to_lowercase();
        if self.added.contains(&lowered) || (self.in_schema)(name) {
            return false;
        }
        self.added.insert(lowered)
    }
}

pub(crate) fn created_columns(kind: &OpKind) -> &[ColumnDef] {
    match kind {
        OpKind::CreateTable { columns, .. } => columns,
        OpKind::AddColumn { column, .. } => std::slice::from_ref(column),
        _ => &[],
    }
}

struct Generator<'a> {
    style: &'a Style,
    /// The migration's text: defaults of its own operations are sliced from it, as written.
    source: &'a str,
    dialect: Dialect,
    uses_sa: Cell<bool>,
}

impl<'g> Generator<'g> {
    /// Drops the enum types `columns` create implicitly and `seen` does not hold yet (recording
    /// them there).
    fn drop_implicit_types(
        &self,
        columns: &[ColumnDef],
        seen: &mut KnownTypes<impl Fn(&str) -> bool>,
        steps: &mut Vec<Step>,
    ) {
        for column in columns {
            if let Some(name) = &column.enum_type
                && seen.insert(&name.value)
            {
                steps.push(Step::Code(format!(
                    "{}.Enum(name={}).drop({}.get_bind(), checkfirst=True)",
                    self.sa(),
                    self.style.string(&name.value),
                    self.style.op_name()
                )));
            }
        }
    }

    fn new(style: &'g Style, source: &'g str, dialect: Dialect) -> Self {
        Self {
            style,
            source,
            dialect,
            uses_sa: Cell::new(false),
        }
    }

    /// A server default of an operation of this migration, as written (the model keeps the
    /// value read from a Python string; SQL is SQL already).
    fn written(&self, default: &Spanned<Option<String>>, from_sql: bool) -> Option<String> {
        let value = default.value.as_ref()?;
        if from_sql {
            return Some(value.clone());
        }
        let range = default.range.start().to_usize()..default.range.end().to_usize();
        Some(
            self.source
                .get(range)
                .map_or_else(|| value.clone(), str::to_owned),
        )
    }

    fn sa(&self) -> &str {
        self.uses_sa.set(true);
        self.style.sa_name()
    }

    fn has_enum_types(&self) -> bool {
        matches!(self.dialect, Dialect::Postgresql | Dialect::Generic)
    }

    fn s(&self, value: &str) -> String {
        self.style.string(value)
    }

    /// A name read from this migration, as its source wrote it: quoted when it was a string,
    /// verbatim when it was an expression whose text stands for it (`Model.__tablename__`).
    fn name(&self, name: &Spanned<String>) -> String {
        let range = name.range.start().to_usize()..name.range.end().to_usize();
        match self.source.get(range) {
            Some(written)
                if written == name.value
                    && !written.starts_with(['"', '\''])
                    && written.contains('.') =>
            {
                written.to_owned()
            }
            _ => self.s(&name.value),
        }
    }

    fn list(&self, values: &[String]) -> String {
        let items: Vec<String> = values.iter().map(|value| self.s(value)).collect();
        format!("[{}]", items.join(", "))
    }

    fn execute(&self, sql: &str) -> Step {
        Step::Op {
            method: "execute",
            args: vec![Arg::Pos(self.s(sql))],
            batch: None,
        }
    }

    fn inverse_of(&self, op: &Operation, state: &Scratch<'_>, steps: &mut Vec<Step>) {
        // The block's table, with the upgrade block's own `recreate=` mode: whether the table is
        // rebuilt is the author's choice, and rebuilding one on PostgreSQL drops what depends on
        // it (a primary key a foreign key needs).
        let batch = op.context.batch.as_ref().and_then(|batch| {
            let table = self.name(batch.table.as_ref()?);
            Some(
                match self
                    .source
                    .get(batch.range.start().to_usize()..batch.range.end().to_usize())
                    .and_then(recreate_mode)
                {
                    Some(mode) => format!("{table}, recreate={mode}"),
                    None => table,
                },
            )
        });
        let todo = |steps: &mut Vec<Step>, what: String| steps.push(Step::Todo(what));
        match &op.kind {
            OpKind::CreateTable {
                table: Some(table), ..
            } => steps.push(Step::Op {
                method: "drop_table",
                args: vec![Arg::Pos(self.name(table))],
                batch: None,
            }),
            OpKind::DropTable { table: Some(table) } => match state.table(&table.value) {
                Some(found) if !found.partial => self.create_table(found, state, steps),
                _ => todo(
                    steps,
                    format!(
                        "re-create table `{}`: no revision read here defines all of it",
                        table.value
                    ),
                ),
            },
            OpKind::RenameTable {
                old: Some(old),
                new: Some(new),
            } => steps.push(Step::Op {
                method: "rename_table",
                args: vec![Arg::Pos(self.name(new)), Arg::Pos(self.name(old))],
                batch: None,
            }),
            OpKind::AddColumn {
                table: Some(table),
                column,
            } if column.name.is_some() => steps.extend(column.name.as_ref().map(|name| Step::Op {
                method: "drop_column",
                args: vec![Arg::Table(self.name(table)), Arg::Pos(self.name(name))],
                batch,
            })),
            OpKind::DropColumn {
                table: Some(table),
                column: Some(column),
            } => self.re_add_column(&table.value, &column.value, state, batch.as_ref(), steps),
            OpKind::AlterColumn(alter) => {
                self.alter_back(alter, op.context.from_sql, state, batch, steps);
            }
            OpKind::CreateIndex {
                name: Some(name),
                table: Some(table),
                ..
            } => steps.push(Step::Op {
                method: "drop_index",
                args: vec![Arg::Pos(self.name(name)), Arg::TableKw(self.name(table))],
                batch,
            }),
            OpKind::DropIndex {
                name: Some(name), ..
            } => {
                let found = state
                    .index_table(&name.value)
                    .and_then(|table| Some((table, table.index(&name.value)?)));
                match found {
                    Some((table, index)) => {
                        steps.push(self.create_index(&table.name, index, batch));
                    }
                    None => todo(
                        steps,
                        format!(
                            "re-create index `{}`: no revision read here defines it",
                            name.value
                        ),
                    ),
                }
            }
            OpKind::CreateConstraint(def) => {
                let (Some(name), Some(table)) = (&def.name, &def.table) else {
                    return todo(
                        steps,
                        "drop the unnamed constraint created here: name it in upgrade() to drop it by name"
                            .to_owned(),
                    );
                };
                steps.push(Step::Op {
                    method: "drop_constraint",
                    args: vec![
                        Arg::Pos(self.name(name)),
                        Arg::Table(self.name(table)),
                        Arg::Kw("type_", self.s(alembic_type(def.kind))),
                    ],
                    batch,
                });
            }
            OpKind::DropConstraint {
                name: Some(name),
                table: Some(table),
                ..
            } => {
                let found = state.table(&table.value).and_then(|found| {
                    found.constraints.iter().find(|constraint| {
                        constraint
                            .name
                            .as_deref()
                            .is_some_and(|existing| existing.eq_ignore_ascii_case(&name.value))
                    })
                });
                match found {
                    Some(constraint) => {
                        self.create_constraint(&table.value, constraint, state, batch, steps);
                    }
                    None => todo(
                        steps,
                        format!(
                            "re-create constraint `{}` on `{}`: no revision read here defines it",
                            name.value, table.value
                        ),
                    ),
                }
            }
            OpKind::CreateView {
                name: Some(name),
                materialized,
                ..
            } => {
                let kind = if *materialized {
                    "MATERIALIZED VIEW"
                } else {
                    "VIEW"
                };
                steps.push(self.execute(&format!("DROP {kind} {}", name.value)));
            }
            OpKind::DropView {
                name: Some(name), ..
            } => {
                match state
                    .views()
                    .find(|view| view.name.eq_ignore_ascii_case(&name.value))
                {
                    Some(view) => steps.push(self.execute(&view.definition)),
                    None => todo(
                        steps,
                        format!(
                            "re-create view `{}`: no revision read here defines it",
                            name.value
                        ),
                    ),
                }
            }
            OpKind::CreateType {
                name: Some(name), ..
            } => {
                steps.push(self.execute(&format!("DROP TYPE {}", name.value)));
            }
            OpKind::DropType { name: Some(name) } => {
                match state
                    .enum_types()
                    .find(|found| found.name.eq_ignore_ascii_case(&name.value))
                {
                    Some(found) if !found.values.is_empty() => {
                        let labels: Vec<String> = found
                            .values
                            .iter()
                            .map(|value| format!("'{}'", value.replace('\'', "''")))
                            .collect();
                        steps.push(self.execute(&format!(
                            "CREATE TYPE {} AS ENUM ({})",
                            found.name,
                            labels.join(", ")
                        )));
                    }
                    _ => todo(
                        steps,
                        format!(
                            "re-create type `{}`: its labels are not known here",
                            name.value
                        ),
                    ),
                }
            }
            OpKind::AddEnumValue { type_name, value } => todo(
                steps,
                format!(
                    "label `{value}` added to enum type `{}` cannot be removed (PostgreSQL has no DROP VALUE): re-create the type without it, after moving rows off it",
                    type_name.as_ref().map_or("?", |name| name.value.as_str())
                ),
            ),
            OpKind::CreateTrigger {
                name: Some(name),
                table,
            } => {
                let on = match (self.dialect, table) {
                    (Dialect::Sqlite | Dialect::Mysql, _) | (_, None) => String::new(),
                    (_, Some(table)) => format!(" ON {}", table.value),
                };
                steps.push(self.execute(&format!("DROP TRIGGER {}{on}", name.value)));
            }
            OpKind::DropTrigger { name, .. } => todo(
                steps,
                format!(
                    "re-create trigger `{}`: its definition is not modelled",
                    name.as_ref().map_or("?", |name| name.value.as_str())
                ),
            ),
            OpKind::Truncate { table } | OpKind::DeleteRows { table, .. } => todo(
                steps,
                format!(
                    "rows deleted from `{}` by upgrade() cannot be restored: restore them from a backup",
                    name_or(table)
                ),
            ),
            OpKind::UpdateRows { table, .. } => todo(
                steps,
                format!(
                    "rows of `{}` updated by upgrade(): write the UPDATE that restores the old values",
                    name_or(table)
                ),
            ),
            OpKind::InsertRows { table } | OpKind::BulkInsert { table } => todo(
                steps,
                format!(
                    "rows inserted into `{}` by upgrade(): delete them here if they must go",
                    name_or(table)
                ),
            ),
            OpKind::AlterSequence { name } => todo(
                steps,
                format!(
                    "sequence `{}` changed by upgrade(): set it back",
                    name_or(name)
                ),
            ),
            OpKind::Sql {
                text,
                lowered,
                read_only,
                ..
            } => match text {
                SqlText::Unreadable(_) => todo(
                    steps,
                    "reverse the SQL built at run time in upgrade()".to_owned(),
                ),
                SqlText::Literal(sql) if *lowered == 0 && !*read_only => todo(
                    steps,
                    format!("reverse this SQL of upgrade(): {}", one_line(sql)),
                ),
                // Its statements follow as operations, each reversed on its own.
                SqlText::Literal(_) => {}
            },
            OpKind::OtherSql { keyword } => todo(
                steps,
                format!("reverse the `{keyword}` statement of upgrade()"),
            ),
            OpKind::Other { .. } if op.kind.effect() == Effect::Nothing => {}
            OpKind::Other { name } => todo(steps, format!("reverse `op.{name}(...)` of upgrade()")),
            _ => todo(
                steps,
                "reverse an operation of upgrade() whose names could not be read".to_owned(),
            ),
        }
    }

    fn create_table(&self, table: &Table, state: &Scratch<'_>, steps: &mut Vec<Step>) {
        let named_primary_key = table
            .constraints
            .iter()
            .any(|constraint| constraint.kind == ConstraintKind::PrimaryKey);
        let mut args = vec![Arg::Pos(self.s(&table.name))];
        let mut todos = Vec::new();
        for column in &table.columns {
            match self.column(column, !named_primary_key) {
                Some(rendered) => args.push(Arg::Pos(rendered)),
                None => todos.push(format!(
                    "the type of `{}.{}` is not written in Python here: add the column by hand",
                    table.name, column.name
                )),
            }
        }
        for constraint in &table.constraints {
            match self.table_constraint(constraint, state) {
                Ok(rendered) => args.push(Arg::Pos(rendered)),
                Err(why) => todos.push(why),
            }
        }
        steps.push(Step::Op {
            method: "create_table",
            args,
            batch: None,
        });
        for index in &table.indexes {
            steps.push(self.create_index(&table.name, index, None));
        }
        for trigger in &table.triggers {
            todos.push(format!(
                "re-create trigger `{trigger}` on `{}`: its definition is not modelled",
                table.name
            ));
        }
        steps.extend(todos.into_iter().map(Step::Todo));
    }

    /// `sa.Column("name", type, ...)`; `None` when the type is not known as Python.
    fn column(&self, column: &Column, primary_key: bool) -> Option<String> {
        let type_text = column
            .type_text
            .as_deref()
            .filter(|text| is_python_type(text))
            .map(|text| self.rename_sa(text))?;
        let mut out = format!("{}.Column({}, {type_text}", self.sa(), self.s(&column.name));
        if primary_key && column.primary_key {
            out.push_str(", primary_key=True");
        }
        if let Some(default) = &column.server_default {
            out = out + ", server_default=" + &self.default(default);
        }
        out.push_str(if column.nullable {
            ", nullable=True)"
        } else {
            ", nullable=False)"
        });
        Some(out)
    }

    /// A server default as Python. The model keeps a Python string's value and `text("...")`'s
    /// SQL alike: numbers, quoted literals, calls and SQL keywords go back through `sa.text(...)`,
    /// other words as a Python string (SQLAlchemy quotes it), Python expressions as written.
    fn default(&self, text: &str) -> String {
        let text = text.trim();
        let head = text.split('(').next().unwrap_or(text);
        let python = head.contains('.') && is_dotted(head) || head == "text" && text.len() > 4;
        let quoted = text.len() >= 2
            && (text.starts_with('"') && text.ends_with('"')
                || text.starts_with('\'') && text.ends_with('\''));
        if python || quoted {
            return self.rename_sa(text);
        }
        let sql = text.parse::<f64>().is_ok()
            || text.starts_with('\'')
            || text.contains('(')
            || !text.is_empty()
                && text
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit());
        if sql {
            format!("{}.text({})", self.sa(), self.s(text))
        } else {
            self.s(text)
        }
    }

    /// A check condition as Python: a string or expression as written, SQL as a string.
    fn condition(&self, text: &str) -> String {
        let text = text.trim();
        let head = text.split('(').next().unwrap_or(text);
        if text.starts_with(['"', '\'']) && text.ends_with(['"', '\''])
            || head.contains('.') && is_dotted(head)
        {
            self.rename_sa(text)
        } else {
            self.s(text)
        }
    }

    /// An expression written in another file, with that file's name for `sqlalchemy` replaced by
    /// this file's.
    fn rename_sa(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while !rest.is_empty() {
            let boundary = out
                .chars()
                .last()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.'));
            let alias = ["sqlalchemy.", "sqla.", "sa."]
                .into_iter()
                .find(|alias| boundary && rest.starts_with(alias));
            if let Some(alias) = alias {
                out.push_str(self.sa());
                out.push('.');
                rest = &rest[alias.len()..];
            } else {
                let c = rest.chars().next().unwrap_or_default();
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        out
    }

    fn table_constraint(
        &self,
        constraint: &Constraint,
        state: &Scratch<'_>,
    ) -> Result<String, String> {
        let name = constraint
            .name
            .as_ref()
            .map(|name| format!(", name={}", self.s(name)))
            .unwrap_or_default();
        let columns: Vec<String> = constraint.columns.iter().map(|c| self.s(c)).collect();
        match constraint.kind {
            ConstraintKind::PrimaryKey => Ok(format!(
                "{}.PrimaryKeyConstraint({}{name})",
                self.sa(),
                columns.join(", ")
            )),
            ConstraintKind::Unique => Ok(format!(
                "{}.UniqueConstraint({}{name})",
                self.sa(),
                columns.join(", ")
            )),
            ConstraintKind::ForeignKey => {
                let (referred, remote) = Self::remote(constraint, state)?;
                let remote: Vec<String> = remote
                    .iter()
                    .map(|column| format!("{referred}.{column}"))
                    .collect();
                let ondelete = constraint
                    .ondelete
                    .as_ref()
                    .map(|on| format!(", ondelete={}", self.s(on)))
                    .unwrap_or_default();
                Ok(format!(
                    "{}.ForeignKeyConstraint({}, {}{name}{ondelete})",
                    self.sa(),
                    self.list(&constraint.columns),
                    self.list(&remote)
                ))
            }
            ConstraintKind::Check => match &constraint.condition {
                Some(condition) => Ok(format!(
                    "{}.CheckConstraint({}{name})",
                    self.sa(),
                    self.condition(condition)
                )),
                None => Err(check_todo(constraint)),
            },
        }
    }

    /// The referred table and its columns: the referred table's primary key, as the model keeps
    /// no remote columns.
    fn remote(
        constraint: &Constraint,
        state: &Scratch<'_>,
    ) -> Result<(String, Vec<String>), String> {
        let referred = constraint.referred_table.clone().unwrap_or_default();
        let found = state.table(&referred).map(Table::primary_key);
        match found {
            Some(key) if !key.is_empty() && key.len() == constraint.columns.len() => {
                Ok((referred, key.into_iter().map(str::to_owned).collect()))
            }
            _ => Err(format!(
                "re-create the foreign key on `{}` to `{referred}`: the referred columns are not known",
                constraint.columns.join(", ")
            )),
        }
    }

    fn create_index(
        &self,
        table: &str,
        index: &mrt_core::schema::Index,
        batch: Option<String>,
    ) -> Step {
        let columns: Vec<String> = index
            .columns
            .iter()
            .map(|column| {
                if is_identifier(column) {
                    self.s(column)
                } else {
                    format!("{}.text({})", self.sa(), self.s(column))
                }
            })
            .collect();
        let mut args = vec![
            Arg::Pos(self.s(&index.name)),
            Arg::Table(self.s(table)),
            Arg::Pos(format!("[{}]", columns.join(", "))),
        ];
        if index.unique {
            args.push(Arg::Kw("unique", "True".to_owned()));
        }
        Step::Op {
            method: "create_index",
            args,
            batch,
        }
    }

    fn create_constraint(
        &self,
        table: &str,
        constraint: &Constraint,
        state: &Scratch<'_>,
        batch: Option<String>,
        steps: &mut Vec<Step>,
    ) {
        let name = constraint
            .name
            .as_ref()
            .map_or_else(|| "None".to_owned(), |name| self.s(name));
        let (method, mut args) = match constraint.kind {
            ConstraintKind::Check => match &constraint.condition {
                Some(condition) => (
                    "create_check_constraint",
                    vec![
                        Arg::Pos(name),
                        Arg::Table(self.s(table)),
                        Arg::Pos(self.condition(condition)),
                    ],
                ),
                None => return steps.push(Step::Todo(check_todo(constraint))),
            },
            ConstraintKind::PrimaryKey => (
                "create_primary_key",
                vec![
                    Arg::Pos(name),
                    Arg::Table(self.s(table)),
                    Arg::Pos(self.list(&constraint.columns)),
                ],
            ),
            ConstraintKind::Unique => (
                "create_unique_constraint",
                vec![
                    Arg::Pos(name),
                    Arg::Table(self.s(table)),
                    Arg::Pos(self.list(&constraint.columns)),
                ],
            ),
            ConstraintKind::ForeignKey => match Self::remote(constraint, state) {
                Ok((referred, remote)) => (
                    "create_foreign_key",
                    vec![
                        Arg::Pos(name),
                        Arg::Table(self.s(table)),
                        Arg::Pos(self.s(&referred)),
                        Arg::Pos(self.list(&constraint.columns)),
                        Arg::Pos(self.list(&remote)),
                    ],
                ),
                Err(why) => return steps.push(Step::Todo(why)),
            },
        };
        if let Some(on) = &constraint.ondelete {
            args.push(Arg::Kw("ondelete", self.s(on)));
        }
        steps.push(Step::Op {
            method,
            args,
            batch,
        });
    }

    fn re_add_column(
        &self,
        table: &str,
        column: &str,
        state: &Scratch<'_>,
        batch: Option<&String>,
        steps: &mut Vec<Step>,
    ) {
        let found = state.table(table);
        let Some(definition) = found.and_then(|found| found.column(column)) else {
            return steps.push(Step::Todo(format!(
                "re-create column `{table}.{column}`: no revision read here defines it"
            )));
        };
        let Some(rendered) = self.column(definition, true) else {
            return steps.push(Step::Todo(format!(
                "re-create column `{table}.{column}`: its type is not written in Python here"
            )));
        };
        if !definition.nullable && definition.server_default.is_none() && !definition.primary_key {
            steps.push(Step::Todo(format!(
                "`{table}.{column}` comes back NOT NULL without a default: existing rows need a value first"
            )));
        }
        let mut args = vec![Arg::Table(self.s(table)), Arg::Pos(rendered)];
        // On SQLite a batch block re-creates the table: the column goes back where it was. Elsewhere
        // the table is not rebuilt to place a column (that would drop a primary key foreign keys
        // depend on and create its enum types again); the column comes back at the end.
        if batch.is_some()
            && self.dialect == Dialect::Sqlite
            && let Some(found) = found
            && let Some(at) = found
                .columns
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(column))
        {
            if let Some(previous) = at.checked_sub(1).and_then(|i| found.columns.get(i)) {
                args.push(Arg::Kw("insert_after", self.s(&previous.name)));
            } else if let Some(next) = found.columns.get(at + 1) {
                args.push(Arg::Kw("insert_before", self.s(&next.name)));
            }
        }
        steps.push(Step::Op {
            method: "add_column",
            args,
            batch: batch.cloned(),
        });
        // The database dropped indexes and constraints on the column with it.
        let Some(found) = found else { return };
        let mentions = |columns: &[String]| columns.iter().any(|c| c.eq_ignore_ascii_case(column));
        for index in found
            .indexes
            .iter()
            .filter(|index| mentions(&index.columns))
        {
            steps.push(self.create_index(&found.name, index, batch.cloned()));
        }
        for constraint in found
            .constraints
            .iter()
            .filter(|constraint| mentions(&constraint.columns))
        {
            self.create_constraint(&found.name, constraint, state, batch.cloned(), steps);
        }
    }

    fn alter_back(
        &self,
        alter: &AlterColumn,
        from_sql: bool,
        state: &Scratch<'_>,
        batch: Option<String>,
        steps: &mut Vec<Step>,
    ) {
        let (Some(table), Some(column)) = (&alter.table, &alter.column) else {
            return steps.push(Step::Todo(
                "reverse an alter_column whose table or column could not be read".to_owned(),
            ));
        };
        let (table, column) = (&table.value, &column.value);
        let previous = state.table(table).and_then(|found| found.column(column));
        let current = alter.new_name.as_ref().map_or(column, |name| &name.value);
        let mut args = vec![Arg::Table(self.s(table)), Arg::Pos(self.s(current))];
        let mut todos = Vec::new();
        let mut changes = false;
        if alter.new_name.is_some() {
            args.push(Arg::Kw("new_column_name", self.s(column)));
            changes = true;
        }
        let previous_type = previous
            .and_then(|c| c.type_text.clone())
            .or_else(|| alter.existing_type.as_ref().map(|t| t.value.clone()));
        let previous_nullable = previous
            .map(|c| c.nullable)
            .or_else(|| alter.existing_nullable.as_ref().map(|n| n.value));
        let previous_default: Option<Option<String>> = match previous {
            Some(found) => Some(found.server_default.clone()),
            None => alter
                .existing_server_default
                .as_ref()
                .map(|d| self.written(d, from_sql)),
        };
        if alter.type_text.is_some() {
            match previous_type.as_deref().filter(|text| is_python_type(text)) {
                Some(text) => {
                    args.push(Arg::Kw("type_", self.rename_sa(text)));
                    changes = true;
                }
                None => todos.push(format!(
                    "set the type of `{table}.{current}` back: the previous type is not known"
                )),
            }
        }
        if alter.nullable.is_some() {
            match previous_nullable {
                Some(nullable) => {
                    args.push(Arg::Kw("nullable", python_bool(nullable)));
                    changes = true;
                }
                None => todos.push(format!(
                    "set the nullability of `{table}.{current}` back: it is not known"
                )),
            }
        }
        if alter.server_default.is_some() {
            match &previous_default {
                Some(default) => {
                    let rendered = default
                        .as_deref()
                        .map_or_else(|| "None".to_owned(), |text| self.default(text));
                    args.push(Arg::Kw("server_default", rendered));
                    changes = true;
                }
                None => todos.push(format!(
                    "set the server default of `{table}.{current}` back: it is not known"
                )),
            }
        }
        // What the column is when the downgrade runs: after the upgrade.
        let existing_type = alter
            .type_text
            .as_ref()
            .map(|t| t.value.clone())
            .or(previous_type)
            .filter(|text| is_python_type(text));
        if let Some(text) = existing_type {
            args.push(Arg::Kw("existing_type", self.rename_sa(&text)));
        }
        let existing_nullable = alter
            .nullable
            .as_ref()
            .map(|n| n.value)
            .or(previous_nullable);
        if let Some(nullable) = existing_nullable {
            args.push(Arg::Kw("existing_nullable", python_bool(nullable)));
        }
        let existing_default = match &alter.server_default {
            Some(default) => self.written(default, from_sql),
            None => previous_default.flatten(),
        };
        if let Some(default) = existing_default {
            args.push(Arg::Kw("existing_server_default", self.default(&default)));
        }
        if changes {
            steps.push(Step::Op {
                method: "alter_column",
                args,
                batch,
            });
        }
        steps.extend(todos.into_iter().map(Step::Todo));
    }
}

fn check_todo(constraint: &Constraint) -> String {
    format!(
        "re-create check constraint {}: its condition is not modelled",
        constraint
            .name
            .as_deref()
            .map_or_else(|| "(unnamed)".to_owned(), |name| format!("`{name}`"))
    )
}

fn alembic_type(kind: ConstraintKind) -> &'static str {
    match kind {
        ConstraintKind::ForeignKey => "foreignkey",
        ConstraintKind::Unique => "unique",
        ConstraintKind::Check => "check",
        ConstraintKind::PrimaryKey => "primary",
    }
}

fn python_bool(value: bool) -> String {
    if value { "True" } else { "False" }.to_owned()
}

fn name_or(name: &mrt_core::ir::Name) -> &str {
    name.as_ref().map_or("?", |name| name.value.as_str())
}

fn one_line(sql: &str) -> String {
    let compact: Vec<&str> = sql.split_whitespace().collect();
    let compact = compact.join(" ");
    if compact.chars().count() > 60 {
        compact.chars().take(57).collect::<String>() + "..."
    } else {
        compact
    }
}

fn is_dotted(text: &str) -> bool {
    text.split('.').all(is_identifier)
}

fn is_identifier(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with(|c: char| c.is_ascii_digit())
        && text.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// Whether a type text is a Python expression (`sa.String(50)`, `String`, `postgresql.JSONB()`)
/// rather than SQL (`VARCHAR(50)`, `integer`): SQL texts come from `op.execute` statements.
pub(crate) fn is_python_type(text: &str) -> bool {
    let head = text.split('(').next().unwrap_or(text).trim();
    let readable = !head.is_empty()
        && head
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
    let camel = head.starts_with(|c: char| c.is_ascii_uppercase())
        && head.chars().any(|c| c.is_ascii_lowercase());
    readable && (head.contains('.') || camel)
}

/// The `recreate=` argument of a `batch_alter_table(...)` call, as written (`"always"`).
fn recreate_mode(call: &str) -> Option<&str> {
    let at = call.find("recreate")? + "recreate".len();
    let rest = call[at..].trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let end = rest[1..].find(quote)? + 2;
    Some(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_and_sql_types_are_told_apart() {
        assert!(is_python_type("sa.String(length=50)"));
        assert!(is_python_type("String"));
        assert!(is_python_type("postgresql.JSONB()"));
        assert!(!is_python_type("VARCHAR(50)"));
        assert!(!is_python_type("integer"));
        assert!(!is_python_type("timestamp with time zone"));
    }
}
