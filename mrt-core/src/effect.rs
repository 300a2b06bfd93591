//! What an IR operation does to the database, decided once, on the operation.
//!
//! The schema model (`schema::apply`), the inverses of `mrt-fix`, and the extraction's list of `op`
//! functions that are not operations all ask [`OpKind::effect`] (and [`op_function_effect`] for an
//! `op.*` call the IR keeps by name) instead of each keeping its own list.

use crate::ir::{OpKind, SqlReach, SqlText};

/// The kind of database object an operation acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Object {
    /// A table.
    Table,
    /// A column of a table.
    Column,
    /// An index.
    Index,
    /// A table constraint (foreign key, unique, check, primary key).
    Constraint,
    /// A view or materialized view.
    View,
    /// A type (an enum's labels included).
    Type,
    /// A trigger.
    Trigger,
    /// A sequence.
    Sequence,
}

/// What an operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Effect {
    /// Creates an object.
    Creates(Object),
    /// Drops an object.
    Drops(Object),
    /// Renames an object.
    Renames(Object),
    /// Changes an existing object (a column's type or nullability, an enum's labels).
    Alters(Object),
    /// Writes or deletes rows, or runs code taken to do so (`RunPython`); the schema stays.
    WritesData,
    /// Changes something the IR does not model (a comment, a function, a grant): the model's
    /// objects stay as they were, but a downgrade has something to undo.
    Unmodelled,
    /// Changes nothing: a call that returns a value or configures (`op.get_bind()`, `op.f(...)`),
    /// or a record whose statements follow as their own operations (readable SQL, `RunSQL`).
    Nothing,
    /// May change anything, and what cannot be read: SQL built at run time, a statement on
    /// modelled objects that could not be lowered, an `op` call nothing knows.
    Opaque,
}

impl Effect {
    /// Whether the effect is on a schema object the IR models (create, drop, rename, alter).
    pub fn object(self) -> Option<Object> {
        match self {
            Effect::Creates(object)
            | Effect::Drops(object)
            | Effect::Renames(object)
            | Effect::Alters(object) => Some(object),
            Effect::WritesData | Effect::Unmodelled | Effect::Nothing | Effect::Opaque => None,
        }
    }
}

impl OpKind {
    /// What this operation does to the database.
    pub fn effect(&self) -> Effect {
        match self {
            OpKind::CreateTable { .. } => Effect::Creates(Object::Table),
            OpKind::DropTable { .. } => Effect::Drops(Object::Table),
            OpKind::RenameTable { .. } => Effect::Renames(Object::Table),
            OpKind::AddColumn { .. } => Effect::Creates(Object::Column),
            OpKind::DropColumn { .. } => Effect::Drops(Object::Column),
            // A rename of the column is one of the changes an `alter_column` makes.
            OpKind::AlterColumn(_) => Effect::Alters(Object::Column),
            OpKind::CreateIndex { .. } => Effect::Creates(Object::Index),
            OpKind::DropIndex { .. } => Effect::Drops(Object::Index),
            OpKind::CreateConstraint(_) => Effect::Creates(Object::Constraint),
            OpKind::DropConstraint { .. } => Effect::Drops(Object::Constraint),
            OpKind::CreateView { .. } => Effect::Creates(Object::View),
            OpKind::DropView { .. } => Effect::Drops(Object::View),
            OpKind::CreateType { .. } => Effect::Creates(Object::Type),
            OpKind::DropType { .. } => Effect::Drops(Object::Type),
            OpKind::AddEnumValue { .. } => Effect::Alters(Object::Type),
            OpKind::CreateTrigger { .. } => Effect::Creates(Object::Trigger),
            OpKind::DropTrigger { .. } => Effect::Drops(Object::Trigger),
            OpKind::AlterSequence { .. } => Effect::Alters(Object::Sequence),
            OpKind::BulkInsert { .. }
            | OpKind::Truncate { .. }
            | OpKind::UpdateRows { .. }
            | OpKind::DeleteRows { .. }
            | OpKind::InsertRows { .. }
            | OpKind::RunPython { .. } => Effect::WritesData,
            OpKind::Sql {
                text: SqlText::Unreadable(reach),
                ..
            } => match reach {
                SqlReach::Anything => Effect::Opaque,
                SqlReach::Rows => Effect::WritesData,
                // Some change to one table's columns, keys or indexes: the model holds that table
                // as unknown for the revision, and judges the rest.
                SqlReach::Table(_) => Effect::Alters(Object::Table),
            },
            OpKind::Sql { .. } | OpKind::RunSql { .. } => Effect::Nothing,
            OpKind::OtherSql { keyword } => {
                if only_controls_the_session(keyword) {
                    Effect::Nothing
                } else if names_modelled_objects(keyword) {
                    Effect::Opaque
                } else {
                    Effect::Unmodelled
                }
            }
            OpKind::Other { name } => op_function_effect(name),
        }
    }
}

/// What an `op.*` function the IR has no operation for does: the one catalogue of those calls.
/// Extraction keeps no operation for those that change [`Effect::Nothing`].
pub fn op_function_effect(name: &str) -> Effect {
    match name {
        // They return values or configure. `invoke` and `run_async` run an operation object or a
        // function the extractor does not follow: they are not read, as before this catalogue.
        "f" | "get_bind" | "get_context" | "batch_alter_table" | "inline_literal"
        | "implementation_for" | "register_operation" | "invoke" | "run_async" => Effect::Nothing,
        // The model holds no comments; a downgrade still has one to undo.
        "create_table_comment" | "drop_table_comment" => Effect::Unmodelled,
        _ => Effect::Opaque,
    }
}

/// Whether a SQL statement only sets or shows state of the session or transaction that runs the
/// migration (`SET lock_timeout`, `RESET ROLE`, `SHOW`, SQLite's `PRAGMA foreign_keys`), or
/// controls the transaction (`COMMIT`, `BEGIN`): the database keeps no object or row of it. (The
/// few SQLite pragmas written to the file, `user_version` for one, are taken as settings too.)
fn only_controls_the_session(keyword: &str) -> bool {
    let first = keyword.split_whitespace().next().unwrap_or_default();
    [
        "SET", "RESET", "SHOW", "PRAGMA", "COMMIT", "END", "BEGIN", "START", "ROLLBACK",
    ]
    .iter()
    .any(|word| first.eq_ignore_ascii_case(word))
}

/// Whether a SQL statement the lowering did not turn into an operation may change tables,
/// columns, indexes, types, views, triggers or sequences.
fn names_modelled_objects(keyword: &str) -> bool {
    let keyword = keyword.to_ascii_uppercase();
    [
        "TABLE",
        "INDEX",
        "VIEW",
        "TYPE",
        "TRIGGER",
        "SEQUENCE",
        "COLUMN",
        "CONSTRAINT",
    ]
    .iter()
    .any(|object| keyword.contains(object))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_settings_change_nothing() {
        for keyword in [
            "SET LOCK_TIMEOUT",
            "PRAGMA FOREIGN_KEYS",
            "reset role",
            "SHOW",
            "COMMIT",
        ] {
            let effect = OpKind::OtherSql {
                keyword: keyword.to_owned(),
            }
            .effect();
            assert_eq!(effect, Effect::Nothing, "{keyword}");
        }
        let grant = OpKind::OtherSql {
            keyword: "GRANT".to_owned(),
        };
        assert_eq!(grant.effect(), Effect::Unmodelled);
    }

    fn other(name: &str) -> Effect {
        OpKind::Other {
            name: name.to_owned(),
        }
        .effect()
    }

    #[test]
    fn op_functions_have_one_effect_for_every_reader() {
        // Not operations: extraction keeps none, the model and the inverses skip them.
        for name in ["f", "get_bind", "get_context", "invoke", "run_async"] {
            assert_eq!(other(name), Effect::Nothing, "{name}");
        }
        // A comment: nothing the model holds changes, but it is not "nothing".
        assert_eq!(other("create_table_comment"), Effect::Unmodelled);
        // An `op` call no one knows may change anything.
        assert_eq!(other("create_exclude_constraint"), Effect::Opaque);
        // Django operations kept by name are unknown too.
        assert_eq!(other("AlterModelOptions"), Effect::Opaque);
    }

    #[test]
    fn sql_statements_that_were_not_lowered() {
        let sql = |keyword: &str| {
            OpKind::OtherSql {
                keyword: keyword.to_owned(),
            }
            .effect()
        };
        assert_eq!(sql("CREATE FUNCTION"), Effect::Unmodelled);
        assert_eq!(sql("GRANT SELECT"), Effect::Unmodelled);
        assert_eq!(sql("ALTER TABLE"), Effect::Opaque);
        assert_eq!(sql("DROP SEQUENCE"), Effect::Opaque);
    }

    #[test]
    fn unreadable_sql_reaches_what_its_known_beginning_names() {
        let effect = |prefix: &str| {
            OpKind::Sql {
                text: SqlText::Unreadable(SqlReach::of_prefix(prefix)),
                via: crate::ir::SqlVia::Op,
                lowered: 0,
                read_only: false,
            }
            .effect()
        };
        assert_eq!(effect("UPDATE users SET plan = '"), Effect::WritesData);
        assert_eq!(effect("insert into audit values ("), Effect::WritesData);
        assert_eq!(
            effect("ALTER TABLE users ALTER COLUMN "),
            Effect::Alters(Object::Table)
        );
        assert_eq!(
            SqlReach::of_prefix("ALTER TABLE IF EXISTS ONLY \"users\" ADD "),
            SqlReach::Table("users".to_owned())
        );
        // The table's name itself may go on: `ALTER TABLE users_{suffix}`.
        assert_eq!(effect("ALTER TABLE users"), Effect::Opaque);
        assert_eq!(effect("ALTER TABLE "), Effect::Opaque);
        // A second statement may follow the first.
        assert_eq!(effect("UPDATE t SET a = 1; "), Effect::Opaque);
        assert_eq!(effect("DROP TABLE "), Effect::Opaque);
        assert_eq!(effect(""), Effect::Opaque);
    }

    #[test]
    fn schema_effects_name_their_object() {
        let drop = OpKind::DropIndex {
            name: None,
            table: None,
            concurrently: true,
        };
        assert_eq!(drop.effect(), Effect::Drops(Object::Index));
        assert_eq!(drop.effect().object(), Some(Object::Index));
        assert_eq!(
            OpKind::Truncate { table: None }.effect(),
            Effect::WritesData
        );
        assert_eq!(OpKind::Truncate { table: None }.effect().object(), None);
    }
}
