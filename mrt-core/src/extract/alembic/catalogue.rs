//! The Alembic `op` catalogue: each function's parameters, as one table, and how a call of it is
//! lowered into an IR operation.

use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::Ranged;

use crate::extract::python::{argument, bool_literal, keyword};
use crate::ir::{AlterColumn, Batch, ConstraintDef, ConstraintKind, ForeignKey, OpKind, Spanned};

use super::{Frame, Walker};

/// The parameters each `op` function the extractor reads takes, in Alembic's positional order:
/// one table of signatures instead of a position written at every argument. The batch form of a
/// call (`batch_op.drop_column("c")`) has no table parameter: the block gives it, and the
/// parameters after it move one position to the left.
const OP_SIGNATURES: &[(&str, &[&str])] = &[
    ("create_table", &["table_name"]),
    ("drop_table", &["table_name"]),
    ("rename_table", &["old_table_name", "new_table_name"]),
    ("add_column", &["table_name", "column"]),
    ("drop_column", &["table_name", "column_name"]),
    ("alter_column", &["table_name", "column_name"]),
    ("create_index", &["index_name", "table_name", "columns"]),
    ("drop_index", &["index_name", "table_name"]),
    (
        "create_unique_constraint",
        &["constraint_name", "table_name", "columns"],
    ),
    (
        "create_primary_key",
        &["constraint_name", "table_name", "columns"],
    ),
    (
        "create_check_constraint",
        &["constraint_name", "table_name", "condition"],
    ),
    (
        "create_foreign_key",
        &[
            "constraint_name",
            "source_table",
            "referent_table",
            "local_cols",
            "remote_cols",
        ],
    ),
    (
        "drop_constraint",
        &["constraint_name", "table_name", "type_"],
    ),
    ("bulk_insert", &["table", "rows"]),
    ("execute", &["sqltext"]),
];

/// The parameters of a table that a batch block gives.
const TABLE_PARAMETERS: &[&str] = &["table_name", "source_table"];

/// The arguments of one `op` call, read by parameter name through [`OP_SIGNATURES`].
pub(super) struct OpArguments<'c> {
    call: &'c ExprCall,
    /// The function's parameters, from [`OP_SIGNATURES`].
    signature: &'static [&'static str],
    /// A batch method: the table parameters are not in its signature (the block gives them).
    batch: bool,
}

impl<'c> OpArguments<'c> {
    pub(super) fn of(function: &str, call: &'c ExprCall, batch: bool) -> Self {
        let signature = OP_SIGNATURES
            .iter()
            .find(|(name, _)| *name == function)
            .map_or(&[][..], |(_, parameters)| *parameters);
        Self {
            call,
            signature,
            batch,
        }
    }

    /// The argument given for `parameter`, by keyword or at its position; `None` when the call
    /// does not give it or the function has no such parameter.
    pub(super) fn get(&self, parameter: &str) -> Option<&'c Expr> {
        let position = self
            .signature
            .iter()
            .filter(|name| !(self.batch && TABLE_PARAMETERS.contains(name)))
            .position(|name| *name == parameter)?;
        argument(self.call, parameter, position)
    }
}

impl<'a> Walker<'_, 'a> {
    /// Lowers a call of the `op` function `name` (or of a batch method, when `batch` is given).
    pub(super) fn lower_op(
        &self,
        name: &'a str,
        call: &'a ExprCall,
        frame: &Frame<'a>,
        batch: Option<&Batch>,
    ) -> Option<OpKind> {
        // Calls that return a value or configure are no operation (the catalogue of `op`
        // functions is `effect::op_function_effect`).
        if crate::effect::op_function_effect(name) == crate::effect::Effect::Nothing {
            return None;
        }
        let args = OpArguments::of(name, call, batch.is_some());
        let name_of = |parameter: &str| self.name_value(args.get(parameter), frame);
        // A batch method takes its table from the block.
        let table = |parameter: &str| match batch {
            Some(batch) => batch.table.clone(),
            None => name_of(parameter),
        };
        let kind = match name {
            "create_table" => self.create_table(call, frame),
            "drop_table" => OpKind::DropTable {
                table: name_of("table_name"),
            },
            "rename_table" => OpKind::RenameTable {
                old: name_of("old_table_name"),
                new: name_of("new_table_name"),
            },
            "add_column" => {
                let column = self.column(args.get("column")?, frame, 0)?;
                OpKind::AddColumn {
                    table: table("table_name"),
                    column: Box::new(column),
                }
            }
            "drop_column" => OpKind::DropColumn {
                table: table("table_name"),
                column: name_of("column_name"),
            },
            "alter_column" => OpKind::AlterColumn(Box::new(AlterColumn {
                table: table("table_name"),
                column: name_of("column_name"),
                nullable: self.bool_arg(call, "nullable"),
                type_text: self.type_arg(call, "type_", frame),
                new_name: keyword(call, "new_column_name").and_then(|expr| {
                    self.string(expr, frame, 0)
                        .map(|value| Spanned::new(value, self.at(expr.range())))
                }),
                server_default: self.default_arg(call, "server_default", frame),
                existing_type: self.type_arg(call, "existing_type", frame),
                existing_nullable: self.bool_arg(call, "existing_nullable"),
                existing_server_default: self.default_arg(call, "existing_server_default", frame),
            })),
            "create_index" => OpKind::CreateIndex {
                name: name_of("index_name"),
                table: table("table_name"),
                columns: self.strings_arg(args.get("columns"), frame),
                // `unique=unique` in a helper reads the flag its caller passed.
                unique: keyword(call, "unique")
                    .and_then(|flag| bool_literal(Self::resolve(flag, frame)))
                    .unwrap_or(false),
                concurrently: self
                    .bool_arg(call, "postgresql_concurrently")
                    .is_some_and(|concurrently| concurrently.value),
            },
            "drop_index" => OpKind::DropIndex {
                name: name_of("index_name"),
                table: table("table_name"),
                concurrently: self
                    .bool_arg(call, "postgresql_concurrently")
                    .is_some_and(|concurrently| concurrently.value),
            },
            "create_unique_constraint" | "create_primary_key" | "create_check_constraint" => {
                let kind = match name {
                    "create_unique_constraint" => ConstraintKind::Unique,
                    "create_primary_key" => ConstraintKind::PrimaryKey,
                    _ => ConstraintKind::Check,
                };
                // A check constraint has a condition where the others have columns.
                let columns = self.strings_arg(args.get("columns"), frame);
                let condition = args
                    .get("condition")
                    .map(|expr| self.module.source[expr.range()].to_owned());
                OpKind::CreateConstraint(Box::new(ConstraintDef {
                    kind,
                    name: name_of("constraint_name"),
                    table: table("table_name"),
                    columns,
                    foreign_key: None,
                    condition,
                    not_valid: self
                        .bool_arg(call, "postgresql_not_valid")
                        .is_some_and(|not_valid| not_valid.value),
                    range: self.at(call.range()),
                }))
            }
            "create_foreign_key" => OpKind::CreateConstraint(Box::new(ConstraintDef {
                kind: ConstraintKind::ForeignKey,
                name: name_of("constraint_name"),
                table: table("source_table"),
                columns: self.strings_arg(args.get("local_cols"), frame),
                foreign_key: Some(ForeignKey {
                    name: None,
                    target: args
                        .get("referent_table")
                        .and_then(|expr| self.string(expr, frame, 0))
                        .unwrap_or_default(),
                    ondelete: self.ondelete(call, frame),
                    range: self.at(call.range()),
                }),
                condition: None,
                not_valid: self
                    .bool_arg(call, "postgresql_not_valid")
                    .is_some_and(|not_valid| not_valid.value),
                range: self.at(call.range()),
            })),
            "drop_constraint" => OpKind::DropConstraint {
                name: name_of("constraint_name"),
                table: table("table_name"),
                kind: args
                    .get("type_")
                    .and_then(|expr| self.string(expr, frame, 0))
                    .and_then(|kind| ConstraintKind::from_alembic_type(&kind)),
            },
            "bulk_insert" => OpKind::BulkInsert {
                table: args
                    .get("table")
                    .and_then(|expr| self.table_object(expr, frame)),
            },
            other => OpKind::Other {
                name: other.to_owned(),
            },
        };
        Some(kind)
    }
}
