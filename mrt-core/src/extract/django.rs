//! Lowering of Django migration modules into the Migration IR.
//!
//! Nothing is imported or run. A module is a Django migration when it defines, at its top level, a
//! `class Migration(...)` whose base ends in `Migration` (`migrations.Migration`, `Migration`).
//!
//! - The app label is the name of the directory that holds the `migrations` package (the file's
//!   grandparent directory), the migration name the file stem; the revision id is
//!   `"app_label.name"`, pointing at the class name.
//! - `dependencies` become the parents, written `"app.name"` like the id (a dependency on another
//!   app is a parent too: the prefix tells them apart). `__first__` / `__latest__` are kept as
//!   written; `migrations.swappable_dependency(settings.AUTH_USER_MODEL)` becomes
//!   `"__setting__.AUTH_USER_MODEL"`, since the app it names is only known at run time.
//! - `operations` become the upgrade body. There is no downgrade body: Django derives the reverse
//!   (every schema operation reverses itself; `RunPython` / `RunSQL` record what undoes them in
//!   [`OpKind::RunPython`] / [`OpKind::RunSql`]).
//!
//! Table and column names are the ones Django gives: a model's table is its `db_table` option, else
//! `{app_label}_{model_name.lower()}`; a field's column is its `db_column`, else its name, with `_id`
//! appended for a `ForeignKey`, `OneToOneField` or `ParentalKey`. A `ManyToManyField` adds no column
//! (its join table is left out). A column's `default` is the field's `default=`, else the value
//! Django fills existing rows with when it adds the column (`''` for a `blank=True` string field,
//! `now()` for `auto_now` / `auto_now_add`). Django emulates `on_delete` in Python: the `ondelete` recorded on a
//! foreign key is what the field declares, not DDL that Django emits.

use std::collections::HashMap;
use std::path::Path;

use ruff_python_ast::{Expr, ExprCall, Stmt, StmtClassDef};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::django_state::{FieldState, ModelStep};
use super::python::{
    ModuleConstants, argument, as_call, bool_literal, callee, evaluate_string, keyword,
    known_prefix, last_segment, string_literal,
};
use crate::ir::{
    AlterColumn, Body, ColumnDef, ConstraintDef, ConstraintKind, DjangoMeta, ForeignKey, Name,
    OpContext, OpKind, Operation, Reverse, Spanned, SqlReach, SqlText, SqlVia,
};

/// How deep `+` concatenations and nested `SeparateDatabaseAndState` may go.
const MAX_DEPTH: usize = 8;

/// Field classes whose column is `<name>_id` and holds a foreign key.
const FOREIGN_KEY_FIELDS: &[&str] = &["ForeignKey", "OneToOneField", "ParentalKey"];

/// What a Django migration module yields.
#[derive(Debug)]
pub(crate) struct DjangoModule {
    pub(crate) revision: Spanned<String>,
    pub(crate) parents: Vec<Spanned<String>>,
    pub(crate) parents_range: Option<TextRange>,
    pub(crate) meta: DjangoMeta,
    pub(crate) upgrade: Body,
}

/// The module-level `class Migration(<...>Migration)`, if there is one.
pub(crate) fn migration_class(suite: &[Stmt]) -> Option<&StmtClassDef> {
    suite.iter().rev().find_map(|stmt| match stmt {
        Stmt::ClassDef(class)
            if class.name.as_str() == "Migration"
                && class.bases().iter().any(|base| {
                    last_segment(base).is_some_and(|name| name.ends_with("Migration"))
                }) =>
        {
            Some(class)
        }
        _ => None,
    })
}

/// Lowers a Django migration module. `class` is `None` for a file that does not parse far enough
/// to show its class: it still gets its id (from the path) and an empty body.
/// `app_label` is the label the app's `apps.py` gives, when the caller read one; else the
/// directory holding the `migrations` package names the app.
pub(crate) fn lower(
    suite: &[Stmt],
    class: Option<&StmtClassDef>,
    source: &str,
    path: &Path,
    app_label: Option<&str>,
) -> DjangoModule {
    let app_label = app_label.map_or_else(
        || {
            path.parent()
                .and_then(Path::parent)
                .and_then(Path::file_name)
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default()
        },
        str::to_owned,
    );
    let name = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name_range = class.map_or_else(TextRange::default, |class| class.name.range());
    let mut module = DjangoModule {
        revision: Spanned::new(format!("{app_label}.{name}"), name_range),
        parents: Vec::new(),
        parents_range: None,
        meta: DjangoMeta {
            app_label: app_label.clone(),
            name,
            ..DjangoMeta::default()
        },
        upgrade: Body {
            range: class.map_or_else(TextRange::default, Ranged::range),
            name_range,
            ops: Vec::new(),
            is_noop: true,
            only_raises: false,
            statements: Vec::new(),
        },
    };
    let Some(class) = class else {
        return module;
    };
    let mut lowerer = Lowerer {
        source,
        constants: ModuleConstants::of(suite),
        app_label,
        tables: HashMap::new(),
        columns: HashMap::new(),
        ops: Vec::new(),
        steps: Vec::new(),
    };
    for stmt in &class.body {
        let Some((target, value)) = class_attribute(stmt) else {
            continue;
        };
        match target {
            "dependencies" => {
                module.parents = references(value);
                module.parents_range = Some(stmt.range());
            }
            "replaces" => {
                module.meta.replaces = references(value);
                module.meta.replaces_range = Some(stmt.range());
            }
            "run_before" => module.meta.run_before = references(value),
            "initial" => {
                module.meta.initial =
                    bool_literal(value).map(|flag| Spanned::new(flag, value.range()));
            }
            "atomic" => {
                module.meta.atomic =
                    bool_literal(value).map(|flag| Spanned::new(flag, value.range()));
            }
            "operations" => {
                module.upgrade.range = stmt.range();
                lowerer.operations(value, 0);
            }
            _ => {}
        }
    }
    module.upgrade.is_noop = lowerer.ops.is_empty();
    module.upgrade.ops = lowerer.ops;
    module.meta.model_steps = lowerer.steps;
    module
}

/// `NAME = value` or `NAME: annotation = value` in the class body.
fn class_attribute(stmt: &Stmt) -> Option<(&str, &Expr)> {
    match stmt {
        Stmt::Assign(assign) => match assign.targets.as_slice() {
            [Expr::Name(target)] => Some((target.id.as_str(), &*assign.value)),
            _ => None,
        },
        Stmt::AnnAssign(assign) => match (&*assign.target, &assign.value) {
            (Expr::Name(target), Some(value)) => Some((target.id.as_str(), &**value)),
            _ => None,
        },
        _ => None,
    }
}

/// The elements of a list or tuple literal.
fn elements(expr: &Expr) -> Option<&[Expr]> {
    match expr {
        Expr::List(list) => Some(&list.elts),
        Expr::Tuple(tuple) => Some(&tuple.elts),
        _ => None,
    }
}

/// Migration references: a list or tuple of `("app", "name")` pairs and `swappable_dependency`
/// calls. Entries that cannot be read are left out.
fn references(expr: &Expr) -> Vec<Spanned<String>> {
    elements(expr)
        .unwrap_or_default()
        .iter()
        .filter_map(reference)
        .collect()
}

fn reference(expr: &Expr) -> Option<Spanned<String>> {
    if let Some(call) = as_call(expr) {
        if callee(call) != Some("swappable_dependency") {
            return None;
        }
        let setting = call.arguments.args.first()?;
        let value = match string_literal(setting) {
            // `swappable_dependency("auth.User")`: Django depends on the app's first migration.
            Some(model) => format!("{}.__first__", model.split('.').next().unwrap_or(model)),
            None => format!("__setting__.{}", last_segment(setting)?),
        };
        return Some(Spanned::new(value, expr.range()));
    }
    let [app, name] = elements(expr)? else {
        return None;
    };
    let value = format!("{}.{}", string_literal(app)?, string_literal(name)?);
    Some(Spanned::new(value, expr.range()))
}

/// A string literal with its range.
fn spanned_string(expr: &Expr) -> Name {
    string_literal(expr).map(|value| Spanned::new(value.to_owned(), expr.range()))
}

/// `X.noop` (`migrations.RunPython.noop`, `RunSQL.noop`).
fn is_noop(expr: &Expr) -> bool {
    matches!(expr, Expr::Attribute(attribute) if attribute.attr.as_str() == "noop")
}

/// What undoes a `RunPython` / `RunSQL`, read from its reverse argument.
fn reverse_of(expr: Option<&Expr>) -> (Reverse, Option<TextRange>) {
    let Some(expr) = expr else {
        return (Reverse::Missing, None);
    };
    let reverse = match expr {
        Expr::NoneLiteral(_) => Reverse::Missing,
        _ if is_noop(expr) => Reverse::Noop,
        // `RunSQL.noop` is `""`; an empty list of statements does nothing as well.
        Expr::StringLiteral(literal) if literal.value.to_str().trim().is_empty() => Reverse::Noop,
        Expr::List(list) if list.elts.is_empty() => Reverse::Noop,
        Expr::Tuple(tuple) if tuple.elts.is_empty() => Reverse::Noop,
        _ => Reverse::Given,
    };
    (reverse, Some(expr.range()))
}

struct Lowerer<'a> {
    source: &'a str,
    /// The module's constants: SQL written once at the top (`SQL = "..."`) and run by `RunSQL`.
    constants: ModuleConstants<'a>,
    app_label: String,
    /// Model name (lower-case) -> table, for models whose table this migration set or renamed.
    tables: HashMap<String, String>,
    /// (table, field name) -> column, for fields this migration declared.
    columns: HashMap<(String, String), String>,
    ops: Vec<Operation>,
    /// How the operations refer to models, for the reading against the app's model state
    /// (`django_state.rs`).
    steps: Vec<ModelStep>,
}

impl Lowerer<'_> {
    fn text(&self, expr: &Expr) -> Spanned<String> {
        Spanned::new(self.source[expr.range()].to_owned(), expr.range())
    }

    fn push(&mut self, kind: OpKind, range: TextRange) {
        self.ops.push(Operation {
            kind,
            range,
            context: OpContext::default(),
        });
    }

    /// A list or tuple literal of operations, or a `+` concatenation of them.
    fn operations(&mut self, expr: &Expr, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        if let Expr::BinOp(binop) = expr
            && binop.op == ruff_python_ast::Operator::Add
        {
            self.operations(&binop.left, depth + 1);
            self.operations(&binop.right, depth + 1);
            return;
        }
        for item in elements(expr).unwrap_or_default() {
            if let Some(call) = as_call(item) {
                self.operation(call, depth);
            }
        }
    }

    /// The table of a model named by `expr` (a string literal), as this migration alone knows
    /// it, for the operation about to be pushed; recorded so that the app's earlier migrations
    /// can correct it.
    fn model_table(&mut self, expr: Option<&Expr>) -> Name {
        let table = self.model_table_here(expr)?;
        if let Some(model) = expr.and_then(string_literal) {
            self.steps.push(ModelStep::Table {
                op: self.ops.len(),
                model: model.to_lowercase(),
                written: table.value.clone(),
            });
        }
        Some(table)
    }

    /// The table of a model named by `expr`, as this migration alone knows it.
    fn model_table_here(&self, expr: Option<&Expr>) -> Name {
        let expr = expr?;
        let model = string_literal(expr)?.to_lowercase();
        let table = self
            .tables
            .get(&model)
            .cloned()
            .unwrap_or_else(|| self.default_table(&model));
        Some(Spanned::new(table, expr.range()))
    }

    fn default_table(&self, model_lower: &str) -> String {
        format!("{}_{model_lower}", self.app_label)
    }

    /// The column of field `field` (a string literal) of model `model`'s `table`, for the
    /// operation about to be pushed; recorded so that the field's declaration in an earlier
    /// migration can correct it.
    fn field_column(&mut self, model: Option<&Expr>, table: &Name, expr: Option<&Expr>) -> Name {
        let column = self.field_column_here(table, expr)?;
        if let (Some(model), Some(field)) = (
            model.and_then(string_literal),
            expr.and_then(string_literal),
        ) {
            self.steps.push(ModelStep::Column {
                op: self.ops.len(),
                model: model.to_lowercase(),
                field: field.to_owned(),
                written: column.value.clone(),
            });
        }
        Some(column)
    }

    /// The column of field `field` of `table`, as this migration alone knows it.
    fn field_column_here(&self, table: &Name, expr: Option<&Expr>) -> Name {
        let expr = expr?;
        let field = string_literal(expr)?;
        let column = table
            .as_ref()
            .and_then(|table| {
                self.columns
                    .get(&(table.value.clone(), field.to_owned()))
                    .cloned()
            })
            .unwrap_or_else(|| field.to_owned());
        Some(Spanned::new(column, expr.range()))
    }

    #[allow(clippy::too_many_lines)] // one arm per Django operation
    fn operation(&mut self, call: &ExprCall, depth: usize) {
        let Some(name) = callee(call) else { return };
        let range = call.range();
        let kind = match name {
            "CreateModel" => {
                self.create_model(call);
                return;
            }
            "DeleteModel" => {
                let model = argument(call, "name", 0);
                let table = self.model_table(model);
                if let Some(model) = model.and_then(string_literal) {
                    self.steps.push(ModelStep::Delete {
                        model: model.to_lowercase(),
                    });
                }
                OpKind::DropTable { table }
            }
            "RenameModel" => {
                let old_expr = argument(call, "old_name", 0);
                let new_expr = argument(call, "new_name", 1);
                let old = self.model_table_here(old_expr);
                let new = self.model_table_here(new_expr);
                if let (Some(old_model), Some(new_model)) = (
                    old_expr.and_then(string_literal),
                    new_expr.and_then(string_literal),
                ) {
                    if let Some(new) = &new {
                        self.tables
                            .insert(new_model.to_lowercase(), new.value.clone());
                    }
                    self.steps.push(ModelStep::Rename {
                        op: self.ops.len(),
                        old: old_model.to_lowercase(),
                        new: new_model.to_lowercase(),
                    });
                }
                OpKind::RenameTable { old, new }
            }
            "AlterModelTable" => {
                let model = argument(call, "name", 0);
                let old = self.model_table_here(model);
                let given = argument(call, "table", 1);
                let new = match given {
                    Some(Expr::NoneLiteral(none)) => model.and_then(string_literal).map(|model| {
                        Spanned::new(self.default_table(&model.to_lowercase()), none.range)
                    }),
                    Some(table) => spanned_string(table),
                    None => None,
                };
                if let (Some(model), Some(new)) = (model.and_then(string_literal), &new) {
                    self.tables.insert(model.to_lowercase(), new.value.clone());
                    self.steps.push(ModelStep::SetTable {
                        op: self.ops.len(),
                        model: model.to_lowercase(),
                        table: given.and_then(string_literal).map(str::to_owned),
                    });
                }
                OpKind::RenameTable { old, new }
            }
            "AddField" => {
                let model = argument(call, "model_name", 0);
                let table = self.model_table(model);
                let (Some(field_name), Some(field)) =
                    (argument(call, "name", 1), argument(call, "field", 2))
                else {
                    return;
                };
                let Some(column) = self.column(field_name, field, &table) else {
                    return; // ManyToManyField: no column
                };
                if let (Some(model), Some(name), Some(state)) = (
                    model.and_then(string_literal),
                    string_literal(field_name),
                    field_state(field, &column),
                ) {
                    self.steps.push(ModelStep::AddField {
                        model: model.to_lowercase(),
                        field: name.to_owned(),
                        state,
                    });
                }
                OpKind::AddColumn {
                    table,
                    column: Box::new(column),
                }
            }
            "RemoveField" => {
                let model = argument(call, "model_name", 0);
                let table = self.model_table(model);
                let field = argument(call, "name", 1);
                let column = self.field_column(model, &table, field);
                if let (Some(model), Some(field)) = (
                    model.and_then(string_literal),
                    field.and_then(string_literal),
                ) {
                    self.steps.push(ModelStep::RemoveField {
                        model: model.to_lowercase(),
                        field: field.to_owned(),
                    });
                }
                OpKind::DropColumn { table, column }
            }
            "AlterField" => {
                self.alter_field(call);
                return;
            }
            "RenameField" => {
                let model = argument(call, "model_name", 0);
                let table = self.model_table(model);
                let old_expr = argument(call, "old_name", 1);
                let column = self.field_column_here(&table, old_expr);
                let old_field = old_expr.and_then(string_literal);
                let new_expr = argument(call, "new_name", 2);
                let new_name = new_expr.and_then(spanned_string).map(|new| {
                    // A foreign key keeps its `_id` suffix.
                    match (old_field, &column) {
                        (Some(old), Some(column)) if column.value == format!("{old}_id") => {
                            Spanned::new(format!("{}_id", new.value), new.range)
                        }
                        _ => new,
                    }
                });
                if let (Some(model), Some(old), Some(new)) = (
                    model.and_then(string_literal),
                    old_field,
                    new_expr.and_then(string_literal),
                ) {
                    self.steps.push(ModelStep::RenameField {
                        op: self.ops.len(),
                        model: model.to_lowercase(),
                        old: old.to_owned(),
                        new: new.to_owned(),
                    });
                }
                OpKind::AlterColumn(Box::new(AlterColumn {
                    table,
                    column,
                    new_name,
                    ..AlterColumn::default()
                }))
            }
            "AddIndex" | "AddIndexConcurrently" => {
                let table = self.model_table(argument(call, "model_name", 0));
                let index = argument(call, "index", 1).and_then(as_call);
                OpKind::CreateIndex {
                    name: index
                        .and_then(|index| keyword(index, "name"))
                        .and_then(spanned_string),
                    table,
                    columns: index.map(field_names).unwrap_or_default(),
                    unique: false,
                    concurrently: name == "AddIndexConcurrently",
                }
            }
            "RemoveIndex" | "RemoveIndexConcurrently" => OpKind::DropIndex {
                name: argument(call, "name", 1).and_then(spanned_string),
                table: self.model_table(argument(call, "model_name", 0)),
                concurrently: name == "RemoveIndexConcurrently",
            },
            "AddConstraint" => {
                let table = self.model_table(argument(call, "model_name", 0));
                let Some(constraint) = argument(call, "constraint", 1) else {
                    return;
                };
                let inner = as_call(constraint);
                let kind = match inner.and_then(callee) {
                    Some("UniqueConstraint") => ConstraintKind::Unique,
                    _ => ConstraintKind::Check,
                };
                OpKind::CreateConstraint(Box::new(ConstraintDef {
                    kind,
                    name: inner
                        .and_then(|inner| keyword(inner, "name"))
                        .and_then(spanned_string),
                    table,
                    columns: inner.map(field_names).unwrap_or_default(),
                    foreign_key: None,
                    condition: None,
                    not_valid: false,
                    range: constraint.range(),
                }))
            }
            "RemoveConstraint" => OpKind::DropConstraint {
                name: argument(call, "name", 1).and_then(spanned_string),
                table: self.model_table(argument(call, "model_name", 0)),
                kind: None,
            },
            "RunPython" => {
                let (reverse, reverse_range) = reverse_of(argument(call, "reverse_code", 1));
                OpKind::RunPython {
                    reverse,
                    reverse_range,
                }
            }
            "RunSQL" => {
                self.run_sql(call);
                return;
            }
            "SeparateDatabaseAndState" => {
                if let Some(database) = argument(call, "database_operations", 0) {
                    self.operations(database, depth + 1);
                }
                return;
            }
            other => OpKind::Other {
                name: other.to_owned(),
            },
        };
        self.push(kind, range);
    }

    fn create_model(&mut self, call: &ExprCall) {
        let Some(model_expr) = argument(call, "name", 0) else {
            return;
        };
        let model = string_literal(model_expr).map(str::to_lowercase);
        let options = argument(call, "options", 2);
        let option = |key: &str| -> Option<&Expr> {
            let Some(Expr::Dict(dict)) = options else {
                return None;
            };
            dict.items.iter().find_map(|item| {
                (item.key.as_ref().and_then(string_literal) == Some(key)).then_some(&item.value)
            })
        };
        let table = match option("db_table").and_then(spanned_string) {
            Some(table) => Some(table),
            None => model
                .as_ref()
                .map(|model| Spanned::new(self.default_table(model), model_expr.range())),
        };
        if let (Some(model), Some(table)) = (&model, &table) {
            self.tables.insert(model.clone(), table.value.clone());
        }
        // Proxy and unmanaged models have no table of their own to create.
        let unmanaged = option("managed").and_then(bool_literal) == Some(false)
            || option("proxy").and_then(bool_literal) == Some(true);
        let mut columns = Vec::new();
        let mut fields = Vec::new();
        for field in argument(call, "fields", 1)
            .and_then(elements)
            .unwrap_or_default()
        {
            let Some([field_name, definition]) = elements(field) else {
                continue;
            };
            if let Some(column) = self.column(field_name, definition, &table) {
                if let (Some(name), Some(state)) =
                    (string_literal(field_name), field_state(definition, &column))
                {
                    fields.push((name.to_owned(), state));
                }
                columns.push(ColumnDef {
                    range: field.range(),
                    ..column
                });
            }
        }
        let Some(model) = model else {
            return;
        };
        self.steps.push(ModelStep::Create {
            model: model.clone(),
            table: option("db_table")
                .and_then(string_literal)
                .map(str::to_owned),
            managed: !unmanaged,
            fields,
        });
        if unmanaged {
            return;
        }
        if let Some(table) = &table {
            self.steps.push(ModelStep::Table {
                op: self.ops.len(),
                model,
                written: table.value.clone(),
            });
        }
        self.push(
            OpKind::CreateTable {
                table,
                columns,
                constraints: Vec::new(),
            },
            call.range(),
        );
    }

    /// `AlterField`: the update Django fills NULLs with when the field becomes NOT NULL with a
    /// default, the column as the field now declares it, and the index its `db_index` /
    /// `unique` asks for. Which of these the field changes only its earlier state
    /// says (`django_state.rs`).
    fn alter_field(&mut self, call: &ExprCall) {
        let model = argument(call, "model_name", 0);
        let table = self.model_table_here(model);
        let (Some(field_name), Some(field)) =
            (argument(call, "name", 1), argument(call, "field", 2))
        else {
            return;
        };
        let Some(column) = self.column(field_name, field, &table) else {
            return;
        };
        let state = field_state(field, &column);
        // Made NOT NULL with a default, Django first sets the default on the rows holding NULL.
        let fill_op = (column.is_not_null() && column.default.is_some()).then(|| {
            let fill = OpKind::UpdateRows {
                table: table.clone(),
                has_where: true,
                columns: column.name.iter().map(|name| name.value.clone()).collect(),
            };
            self.push_on_model(fill, call.range(), model, &table)
        });
        let index = (column.index || column.unique).then(|| OpKind::CreateIndex {
            name: None,
            table: table.clone(),
            columns: column.name.iter().map(|name| name.value.clone()).collect(),
            unique: column.unique,
            concurrently: false,
        });
        let alter = OpKind::AlterColumn(Box::new(AlterColumn {
            table: table.clone(),
            column: column.name,
            nullable: column.nullable,
            type_text: column.type_text,
            server_default: column.server_default,
            ..AlterColumn::default()
        }));
        let op = self.push_on_model(alter, call.range(), model, &table);
        let index_op = index.map(|index| self.push_on_model(index, field.range(), model, &table));
        if let (Some(model), Some(name), Some(state)) = (
            model.and_then(string_literal),
            string_literal(field_name),
            state,
        ) {
            self.steps.push(ModelStep::AlterField {
                op,
                fill_op,
                index_op,
                model: model.to_lowercase(),
                field: name.to_owned(),
                state,
            });
        }
    }

    /// Pushes an operation on the table of `model` (written `table`), recording the reference;
    /// returns the operation's index.
    fn push_on_model(
        &mut self,
        kind: OpKind,
        range: TextRange,
        model: Option<&Expr>,
        table: &Name,
    ) -> usize {
        if let (Some(model), Some(table)) = (model.and_then(string_literal), table) {
            self.steps.push(ModelStep::Table {
                op: self.ops.len(),
                model: model.to_lowercase(),
                written: table.value.clone(),
            });
        }
        self.push(kind, range);
        self.ops.len() - 1
    }

    /// A model field as a column; `None` for a field without a column (`ManyToManyField`). The
    /// column is remembered so later operations of this migration on the field find it.
    fn column(&mut self, field_name: &Expr, field: &Expr, table: &Name) -> Option<ColumnDef> {
        let call = as_call(field);
        let class = call.and_then(callee);
        if class == Some("ManyToManyField") {
            return None;
        }
        let is_foreign_key = class.is_some_and(|class| FOREIGN_KEY_FIELDS.contains(&class));
        let kw = |name: &str| call.and_then(|call| keyword(call, name));
        let flag = |name: &str| kw(name).and_then(bool_literal);
        let name = match kw("db_column").and_then(spanned_string) {
            Some(column) => Some(column),
            None => spanned_string(field_name).map(|name| {
                if is_foreign_key {
                    Spanned::new(format!("{}_id", name.value), name.range)
                } else {
                    name
                }
            }),
        };
        if let (Some(table), Some(field), Some(column)) = (table, string_literal(field_name), &name)
        {
            self.columns.insert(
                (table.value.clone(), field.to_owned()),
                column.value.clone(),
            );
        }
        // Django's fields are NOT NULL unless `null=True`.
        let nullable = match kw("null") {
            Some(null) => bool_literal(null).map(|flag| Spanned::new(flag, null.range())),
            None => Some(Spanned::new(false, field.range())),
        };
        let server_default = kw("db_default").map(|default| {
            let value = match default {
                Expr::NoneLiteral(_) => None,
                other => Some(self.source[other.range()].to_owned()),
            };
            Spanned::new(value, default.range())
        });
        let foreign_keys = match call {
            // `db_constraint=False`: the column refers to the table, no constraint checks it.
            Some(call) if is_foreign_key && flag("db_constraint") != Some(false) => {
                vec![ForeignKey {
                    name: None,
                    target: argument(call, "to", 0)
                        .map(|to| {
                            string_literal(to)
                                .map_or_else(|| self.source[to.range()].to_owned(), str::to_owned)
                        })
                        .unwrap_or_default(),
                    ondelete: argument(call, "on_delete", 1).and_then(|on_delete| {
                        last_segment(on_delete).map(|action| {
                            Spanned::new(
                                action.replace('_', " ").to_ascii_uppercase(),
                                on_delete.range(),
                            )
                        })
                    }),
                    range: call.range(),
                }]
            }
            _ => Vec::new(),
        };
        Some(ColumnDef {
            name,
            type_text: Some(call.map_or_else(|| self.text(field), |call| self.text(&call.func))),
            nullable,
            server_default,
            default: kw("default")
                .map(|default| self.text(default))
                .or_else(|| implicit_default(class, &flag, &kw)),
            primary_key: flag("primary_key") == Some(true),
            foreign_keys,
            unique: flag("unique") == Some(true) || class == Some("OneToOneField"),
            index: flag("db_index").unwrap_or(is_foreign_key),
            enum_type: None,
            generated: class
                .is_some_and(|class| class.ends_with("AutoField") || class == "GeneratedField"),
            range: field.range(),
        })
    }

    /// `RunSQL(sql, reverse_sql)`: a marker with its reverse, then the SQL of each statement.
    fn run_sql(&mut self, call: &ExprCall) {
        let (reverse, reverse_range) = reverse_of(argument(call, "reverse_sql", 1));
        self.push(
            OpKind::RunSql {
                reverse,
                reverse_range,
            },
            call.range(),
        );
        let Some(sql) = argument(call, "sql", 0) else {
            return;
        };
        match elements(sql) {
            Some(items) => {
                for item in items {
                    // `(sql, params)` pairs.
                    let statement = elements(item).map_or(Some(item), <[Expr]>::first);
                    if let Some(statement) = statement {
                        self.push_sql(statement, call);
                    }
                }
            }
            None => self.push_sql(sql, call),
        }
    }

    /// One `Sql` operation, then what its text lowers to (as Alembic's `op.execute`).
    fn push_sql(&mut self, statement: &Expr, call: &ExprCall) {
        let text = match sql_string(statement, &self.constants) {
            Some(sql) => SqlText::Literal(sql),
            None => SqlText::Unreadable(SqlReach::of_prefix(&known_prefix(
                statement,
                &self.constants,
                0,
            ))),
        };
        let lowered = match &text {
            SqlText::Literal(sql) => {
                super::sql::lower(sql, &placement(statement, sql, self.source))
            }
            SqlText::Unreadable(_) => super::sql::LoweredSql::default(),
        };
        let read_only = matches!(text, SqlText::Literal(_)) && lowered.read_only;
        self.push(
            OpKind::Sql {
                text,
                via: SqlVia::RunSql,
                lowered: lowered.ops.len(),
                read_only,
            },
            call.range(),
        );
        for (kind, range) in lowered.ops {
            self.ops.push(Operation {
                kind,
                range,
                context: OpContext {
                    from_sql: true,
                    ..OpContext::default()
                },
            });
        }
    }
}

/// Field arguments that decide the column's type, beside the class.
const TYPE_ARGUMENTS: &[&str] = &["max_length", "max_digits", "decimal_places", "dim", "size"];

/// What the model state keeps of a field declared by `field` and lowered to `column`; `None` when
/// the column's name could not be read.
fn field_state(field: &Expr, column: &ColumnDef) -> Option<FieldState> {
    let call = as_call(field);
    let class = call.and_then(callee).unwrap_or_default();
    let kw = |name: &str| call.and_then(|call| keyword(call, name));
    let literal = |expr: &Expr| match expr {
        Expr::NumberLiteral(number) => number.value.as_int().map(ToString::to_string),
        other => string_literal(other).map(|text| format!("{text:?}")),
    };
    let arguments: Vec<String> = TYPE_ARGUMENTS
        .iter()
        .filter_map(|name| {
            let value = kw(name)?;
            Some(format!(
                "{name}={}",
                literal(value).unwrap_or_else(|| "?".to_owned())
            ))
        })
        .collect();
    // The class as written (`models.CharField`), as the column's type text reads.
    let written = column
        .type_text
        .as_ref()
        .map_or(class, |text| text.value.as_str());
    let db_type = if arguments.is_empty() {
        written.to_owned()
    } else {
        format!("{written}({})", arguments.join(", "))
    };
    let max_length = kw("max_length").and_then(|value| match value {
        Expr::NumberLiteral(number) => number.value.as_int().and_then(ruff_python_ast::Int::as_u64),
        _ => None,
    });
    Some(FieldState {
        column: column.name.as_ref()?.value.clone(),
        explicit_column: kw("db_column").is_some(),
        foreign_key: FOREIGN_KEY_FIELDS.contains(&class),
        db_type,
        max_length,
        nullable: !column.is_not_null(),
        indexed: column.index,
        unique: column.unique || column.primary_key,
        range: field.range(),
    })
}

/// Field classes whose blank value is the empty string (Django's `empty_strings_allowed`).
const STRING_FIELDS: &[&str] = &[
    "SlugField",
    "EmailField",
    "URLField",
    "FileField",
    "ImageField",
    "FilePathField",
    "BinaryField",
];

/// The default Django's schema editor fills existing rows with when a NOT NULL field without
/// `default=` is added (`BaseDatabaseSchemaEditor._effective_default`): `''` for a `blank=True`
/// string field, the current time for `auto_now` / `auto_now_add`. Its range is the keyword that
/// implies it.
fn implicit_default<'e>(
    class: Option<&str>,
    flag: &dyn Fn(&str) -> Option<bool>,
    kw: &dyn Fn(&str) -> Option<&'e Expr>,
) -> Option<Spanned<String>> {
    if flag("null") == Some(true) {
        return None;
    }
    let is_string = class.is_some_and(|class| {
        class.ends_with("CharField")
            || class.ends_with("TextField")
            || STRING_FIELDS.contains(&class)
    });
    if is_string && flag("blank") == Some(true) {
        return kw("blank").map(|blank| Spanned::new("''".to_owned(), blank.range()));
    }
    ["auto_now", "auto_now_add"]
        .into_iter()
        .find(|name| flag(name) == Some(true))
        .and_then(kw)
        .map(|expr| Spanned::new("now()".to_owned(), expr.range()))
}

/// The fields an `Index(...)` / `UniqueConstraint(...)` names (`fields=[...]`), a leading `-`
/// (descending) dropped.
fn field_names(call: &ExprCall) -> Vec<String> {
    keyword(call, "fields")
        .and_then(elements)
        .unwrap_or_default()
        .iter()
        .filter_map(string_literal)
        .map(|field| field.trim_start_matches('-').to_owned())
        .collect()
}

/// SQL text read statically: `RunSQL.noop` (`""`), or a string the shared evaluator reads from
/// literals and the module's constants (`+`, `%`, `.format`, f-strings of those).
fn sql_string(expr: &Expr, constants: &ModuleConstants<'_>) -> Option<String> {
    if is_noop(expr) {
        return Some(String::new());
    }
    evaluate_string(expr, constants, 0)
}

/// Maps byte ranges of the SQL text to the file: exactly when the SQL is one plain string literal
/// whose source is its text (no escapes, no concatenation); else to the whole argument.
fn placement(
    statement: &Expr,
    sql: &str,
    source: &str,
) -> impl Fn(std::ops::Range<usize>) -> TextRange + use<> {
    let whole = statement.range();
    let mut exact = None;
    if let Expr::StringLiteral(literal) = statement
        && let [part] = literal.value.as_slice()
        && source.get(part.content_range().to_std_range()) == Some(sql)
    {
        exact = Some(part.content_range().start());
    }
    move |range: std::ops::Range<usize>| match exact {
        Some(start) => {
            let offset = |at: usize| start + TextSize::try_from(at).unwrap_or_default();
            TextRange::new(offset(range.start), offset(range.end))
        }
        None => whole,
    }
}

/// The `label` an app's `apps.py` gives its `AppConfig` (`class AdminConfig(AppConfig): label =
/// "wagtailadmin"`), which is the app label Django's migrations use.
pub(crate) fn app_config_label(source: &str) -> Option<String> {
    let parsed =
        ruff_python_parser::parse_unchecked_source(source, ruff_python_ast::PySourceType::Python);
    parsed.suite().iter().find_map(|stmt| {
        let ruff_python_ast::Stmt::ClassDef(class) = stmt else {
            return None;
        };
        let is_app_config = class.bases().iter().any(|base| {
            super::python::last_segment(base).is_some_and(|name| name.ends_with("AppConfig"))
        });
        if !is_app_config {
            return None;
        }
        class.body.iter().find_map(|stmt| match stmt {
            ruff_python_ast::Stmt::Assign(assign) => {
                match (assign.targets.as_slice(), &*assign.value) {
                    ([ruff_python_ast::Expr::Name(target)], value)
                        if target.id.as_str() == "label" =>
                    {
                        super::python::string_literal(value).map(str::to_owned)
                    }
                    _ => None,
                }
            }
            _ => None,
        })
    })
}

#[cfg(test)]
mod label_tests {
    use super::app_config_label;

    #[test]
    fn app_config_label_is_read_without_importing() {
        let apps = "from django.apps import AppConfig\n\n\nclass WagtailAdminAppConfig(AppConfig):\n    name = \"wagtail.admin\"\n    label = \"wagtailadmin\"\n";
        assert_eq!(app_config_label(apps).as_deref(), Some("wagtailadmin"));
        assert_eq!(
            app_config_label("class Config(AppConfig):\n    name = 'shop'\n"),
            None
        );
        assert_eq!(app_config_label("class Other:\n    label = 'x'\n"), None);
    }
}
