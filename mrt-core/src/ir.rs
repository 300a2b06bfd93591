//! The Migration IR: what a migration does, independent of the framework and syntax it was written in.
//!
//! Every value that came from the source keeps its byte range, so rules can point at the exact
//! argument at fault and fixes can slice the user's own text.

use std::sync::Arc;

use ruff_text_size::TextRange;

use crate::noqa::Suppressions;
use crate::source::SourceFile;

/// The migration framework a file was written for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    /// Alembic revision files (`revision`, `down_revision`, `upgrade()`, `downgrade()`).
    Alembic,
    /// Django migration modules (`class Migration(migrations.Migration)`).
    Django,
    /// Plain-SQL migration directories: golang-migrate / sqlx `NNN_name.up.sql` and
    /// `NNN_name.down.sql` pairs, dbmate files with `-- migrate:up` / `-- migrate:down` sections.
    Sql,
}

impl Framework {
    /// Lower-case name, as written in configuration and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Framework::Alembic => "alembic",
            Framework::Django => "django",
            Framework::Sql => "sql",
        }
    }

    /// The framework whose rules check this one's migrations (the `frameworks` of a rule's
    /// declaration). Plain-SQL migrations are written like Alembic revisions, an upgrade and a
    /// downgrade by hand, and their SQL is lowered as Alembic's `op.execute` is: the rules written
    /// for that shape check them, and a rule needs no word of the SQL frontend.
    #[must_use]
    pub fn checked_as(self) -> Framework {
        match self {
            Framework::Alembic | Framework::Sql => Framework::Alembic,
            Framework::Django => Framework::Django,
        }
    }
}

/// A value read from the source together with where it was written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written: the literal, or the expression it was resolved from.
    pub range: TextRange,
}

impl<T> Spanned<T> {
    /// Pairs a value with its range.
    pub fn new(value: T, range: TextRange) -> Self {
        Self { value, range }
    }
}

impl Spanned<String> {
    /// The value as a string slice.
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// A name (table, column, index, constraint) read statically, if it could be.
pub type Name = Option<Spanned<String>>;

/// A syntax error found while parsing a migration file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SyntaxError {
    /// The parser's message.
    pub message: String,
    /// Where the parser stopped.
    pub range: TextRange,
}

/// One migration file, lowered.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Migration {
    /// The file it came from, with its text. Not stored by the lowering cache, which keys its
    /// entries on the text and gives a stored migration the source it was found with.
    #[serde(skip, default = "SourceFile::unread")]
    pub source: Arc<SourceFile>,
    /// The framework the file is written for.
    pub framework: Framework,
    /// The revision id (`revision = "..."`), if it could be read.
    pub revision: Option<Spanned<String>>,
    /// Parent revisions (`down_revision`): empty for a base, several for a merge.
    pub parents: Vec<Spanned<String>>,
    /// Where `down_revision` was assigned, if it was.
    pub parents_range: Option<TextRange>,
    /// `branch_labels`.
    pub branch_labels: Vec<Spanned<String>>,
    /// `depends_on`.
    pub depends_on: Vec<Spanned<String>>,
    /// The forward body (`upgrade()`), absent when the file has none.
    pub upgrade: Option<Body>,
    /// The reverse body (`downgrade()`), absent when the file has none.
    pub downgrade: Option<Body>,
    /// Syntax errors; a file with any is reported by MRT902 and has partial bodies.
    pub syntax_errors: Vec<SyntaxError>,
    /// The file's suppression comments.
    pub suppressions: Suppressions,
    /// What the framework declares beyond the fields every framework has.
    pub meta: FrameworkMeta,
}

/// What a migration declares that only its framework knows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum FrameworkMeta {
    /// An Alembic revision: its metadata are the common fields.
    Alembic,
    /// A Django migration's class attributes. Boxed, as is `Sql`: every migration carries a
    /// `FrameworkMeta`, and an inline Django one would make each Alembic migration 150 bytes
    /// larger to move and keep.
    Django(Box<DjangoMeta>),
    /// A plain-SQL migration's version and files.
    Sql(Box<SqlMeta>),
}

/// A plain-SQL migration: one version of a migrations directory.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SqlMeta {
    /// The version: the file name's leading digits (`001`, `20240102030405`).
    pub version: String,
    /// The name after the version (`create_users`).
    pub name: String,
    /// The `NNN_name.down.sql` file the downgrade was read from, for a golang-migrate / sqlx
    /// pair; `None` for a dbmate file (both sections in one file) or an up file without its down.
    pub down_file: Option<std::path::PathBuf>,
}

/// The class attributes of a Django migration other than `dependencies` and `operations`.
///
/// Migration references (`replaces`, `run_before`, and the `parents` of the [`Migration`]) are
/// written `"app_label.migration_name"`; `__first__` / `__latest__` are kept as written
/// (`"auth.__first__"`), and `migrations.swappable_dependency(settings.AUTH_USER_MODEL)` becomes
/// `"__setting__.AUTH_USER_MODEL"` (the app is only known at run time).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DjangoMeta {
    /// The app label: the directory holding the `migrations` package.
    pub app_label: String,
    /// The migration name: the file stem.
    pub name: String,
    /// `initial = True` / `False`, when written.
    pub initial: Option<Spanned<bool>>,
    /// `atomic = ...`, when written (Django's default is `True`, see [`DjangoMeta::is_atomic`]).
    pub atomic: Option<Spanned<bool>>,
    /// `replaces`: the migrations a squashed migration stands for.
    pub replaces: Vec<Spanned<String>>,
    /// Where `replaces` was assigned, if it was (an empty list is still a squash marker).
    pub replaces_range: Option<TextRange>,
    /// `run_before`: migrations that must run after this one.
    pub run_before: Vec<Spanned<String>>,
    /// How the operations refer to models and fields, in order: what reading them against the
    /// model state of the app's earlier migrations needs (`extract/django_state.rs`).
    pub(crate) model_steps: Vec<crate::extract::django_state::ModelStep>,
}

impl DjangoMeta {
    /// Whether the migration runs in one transaction (`atomic`, `True` unless written otherwise).
    pub fn is_atomic(&self) -> bool {
        self.atomic.as_ref().is_none_or(|atomic| atomic.value)
    }
}

/// What undoes a Django `RunPython` / `RunSQL` (the only Django operations that do not reverse
/// themselves).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reverse {
    /// No `reverse_code` / `reverse_sql`, or an explicit `None`: the operation is irreversible.
    Missing,
    /// `RunPython.noop` / `RunSQL.noop` (or `""`): reversible by doing nothing, on purpose.
    Noop,
    /// A reverse function or reverse SQL is given.
    Given,
}

impl Migration {
    /// The migration as it runs on a database with one of `dialect_names`: operations under a
    /// dialect test that excludes it are left out. `None` when nothing is left out.
    pub fn for_dialect(&self, dialect_names: &[&str]) -> Option<Self> {
        let runs = |op: &Operation| {
            op.context
                .dialects
                .iter()
                .all(|guard| guard.allows(dialect_names))
        };
        let excludes =
            |body: &Option<Body>| body.as_ref().is_some_and(|body| !body.ops.iter().all(runs));
        if !excludes(&self.upgrade) && !excludes(&self.downgrade) {
            return None;
        }
        let mut filtered = self.clone();
        for body in [&mut filtered.upgrade, &mut filtered.downgrade]
            .into_iter()
            .flatten()
        {
            let had_ops = !body.ops.is_empty();
            body.ops.retain(|op| runs(op));
            // Every operation is for other databases: on this one the body does nothing.
            if had_ops && body.ops.is_empty() {
                body.is_noop = true;
            }
        }
        Some(filtered)
    }

    /// A Django migration's class attributes; `None` for other frameworks.
    pub fn django(&self) -> Option<&DjangoMeta> {
        match &self.meta {
            FrameworkMeta::Django(meta) => Some(meta.as_ref()),
            _ => None,
        }
    }

    /// Whether the downgrade is written by hand, so that a missing one is the author's omission
    /// (Alembic's `downgrade()`, a down file or section); Django derives it from the operations.
    pub fn writes_downgrade(&self) -> bool {
        !matches!(self.meta, FrameworkMeta::Django(_))
    }

    /// The path of the file.
    pub fn path(&self) -> &std::path::Path {
        &self.source.path
    }

    /// The revision id as a string, if it was read.
    pub fn revision_id(&self) -> Option<&str> {
        self.revision.as_ref().map(Spanned::as_str)
    }

    /// Where to point a finding about the file as a whole: the revision id, else the start of the
    /// file. Every finding has a line, so every finding can be suppressed.
    pub fn anchor(&self) -> TextRange {
        self.revision
            .as_ref()
            .map_or_else(|| TextRange::empty(0.into()), |revision| revision.range)
    }
}

/// A function body (`upgrade()` or `downgrade()`), lowered to operations.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Body {
    /// The whole `def` statement.
    pub range: TextRange,
    /// The function's name, where findings about the body as a whole point.
    pub name_range: TextRange,
    /// The operations, in source order; helpers called from the body contribute theirs at the call.
    pub ops: Vec<Operation>,
    /// The body does nothing: only `pass`, a docstring, `...` or constants.
    pub is_noop: bool,
    /// The body only raises (for example `raise NotImplementedError`).
    pub only_raises: bool,
    /// The top-level statements of a Python function body, a leading docstring left out: where
    /// a fix inserts a statement among them. Empty for bodies that are not Python functions.
    pub statements: Vec<TextRange>,
}

/// Where an operation runs, beyond the body it is in.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OpContext {
    /// Inside `with op.batch_alter_table(T) as b:`: the table T and the `with` statement's range.
    /// Boxed: most operations are not in a batch block, and every operation carries a context.
    pub batch: Option<Box<Batch>>,
    /// Inside `with op.get_context().autocommit_block():`.
    pub autocommit: bool,
    /// Reached through a call of a module-level helper function: the helper's name.
    pub via_helper: Option<Box<str>>,
    /// Lowered from a statement of the raw SQL operation just before it.
    pub from_sql: bool,
    /// Conditions on the database dialect the operation runs under (`if dialect == "sqlite":`,
    /// an early `return` for PostgreSQL); it runs only where all of them allow.
    pub dialects: Vec<DialectGuard>,
}

/// A test of the dialect name (`bind.dialect.name == "sqlite"`, `dialect in ("mysql", "mssql")`,
/// `!=`, `not in`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DialectGuard {
    /// The dialect names tested, lower-case.
    pub names: Vec<String>,
    /// The operation runs when the dialect is NOT one of `names`.
    pub negated: bool,
}

impl DialectGuard {
    /// The opposite condition (the `else` branch).
    #[must_use]
    pub fn negated(&self) -> Self {
        Self {
            names: self.names.clone(),
            negated: !self.negated,
        }
    }

    /// Whether code under this guard runs on a database whose dialect has one of these names.
    pub fn allows(&self, dialect_names: &[&str]) -> bool {
        self.names
            .iter()
            .any(|name| dialect_names.contains(&name.as_str()))
            != self.negated
    }
}

/// A `batch_alter_table` block.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Batch {
    /// The table the block alters.
    pub table: Name,
    /// The `with` item (`op.batch_alter_table(...)`).
    pub range: TextRange,
}

/// One operation of a body.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Operation {
    /// What it does.
    pub kind: OpKind,
    /// The call (or, for a helper, the call of the helper; for SQL, the statement).
    pub range: TextRange,
    /// Where it runs.
    pub context: OpContext,
}

impl Operation {
    /// The table this operation acts on, if it has one and it was read.
    pub fn table(&self) -> Option<&str> {
        self.kind.table().map(Spanned::as_str)
    }
}

/// The kind of a constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintKind {
    /// `FOREIGN KEY`.
    ForeignKey,
    /// `UNIQUE`.
    Unique,
    /// `CHECK`.
    Check,
    /// `PRIMARY KEY`.
    PrimaryKey,
}

impl ConstraintKind {
    /// Reads Alembic's `type_=` argument of `drop_constraint`.
    pub fn from_alembic_type(text: &str) -> Option<Self> {
        match text {
            "foreignkey" => Some(Self::ForeignKey),
            "unique" => Some(Self::Unique),
            "check" => Some(Self::Check),
            "primary" => Some(Self::PrimaryKey),
            _ => None,
        }
    }
}

/// A foreign key on a column or a table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ForeignKey {
    /// The constraint's name, when the key is declared on a column with one
    /// (`sa.ForeignKey("users.id", name="fk_x")`, SQL `CONSTRAINT fk_x REFERENCES ...`).
    pub name: Name,
    /// The referenced target as written: `"users.id"` for a column key, the table for a constraint.
    pub target: String,
    /// `ondelete=`, upper-cased (`CASCADE`, `SET NULL`, ...).
    pub ondelete: Option<Spanned<String>>,
    /// Where the key was written.
    pub range: TextRange,
}

/// A column definition (`sa.Column(...)`, a Django field, SQL `ADD COLUMN`).
// Its flags are independent facts of a definition, as in `sa.Column(primary_key=, unique=, ...)`.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ColumnDef {
    /// The column name.
    pub name: Name,
    /// The type as written (`sa.String(length=50)`), if given.
    pub type_text: Option<Spanned<String>>,
    /// `nullable=`; `None` when not given (SQLAlchemy then makes it nullable unless it is a key).
    pub nullable: Option<Spanned<bool>>,
    /// `server_default=`: the expression's text; `Some` with `value == None` for an explicit `None`.
    pub server_default: Option<Spanned<Option<String>>>,
    /// Python-side `default=`: its text. It emits no DDL default.
    pub default: Option<Spanned<String>>,
    /// `primary_key=True`.
    pub primary_key: bool,
    /// Foreign keys declared on the column.
    pub foreign_keys: Vec<ForeignKey>,
    /// `unique=True` (a unique constraint comes with the column).
    pub unique: bool,
    /// `index=True` (an index comes with the column).
    pub index: bool,
    /// The database fills it: `sa.Identity()`, `GENERATED ... AS IDENTITY`, `serial` types,
    /// `sa.Computed(...)` / `GENERATED ALWAYS AS (...)`.
    pub generated: bool,
    /// A PostgreSQL enum type the column's type creates implicitly (`sa.Enum(..., name="mood")`,
    /// `postgresql.ENUM(..., name="mood")` without `create_type=False`).
    pub enum_type: Name,
    /// The whole definition.
    pub range: TextRange,
}

impl ColumnDef {
    /// Whether the column rejects NULL: `nullable=False`, or a primary key without `nullable=True`.
    pub fn is_not_null(&self) -> bool {
        match &self.nullable {
            Some(nullable) => !nullable.value,
            None => self.primary_key,
        }
    }
}

/// A table-level constraint (`create_table` argument, `create_*_constraint`, SQL `ADD CONSTRAINT`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ConstraintDef {
    /// What kind of constraint.
    pub kind: ConstraintKind,
    /// Its name, when it has one.
    pub name: Name,
    /// The table it belongs to (for a table-level argument: the created table).
    pub table: Name,
    /// The constrained columns, as far as they were read.
    pub columns: Vec<String>,
    /// For a foreign key: the referenced table and `ondelete=`.
    pub foreign_key: Option<ForeignKey>,
    /// For a check constraint: its condition as written (the Python argument's text, or SQL).
    pub condition: Option<String>,
    /// Added without checking the rows already there (SQL `NOT VALID`, Alembic's
    /// `postgresql_not_valid=True`); a later `VALIDATE CONSTRAINT` checks them.
    pub not_valid: bool,
    /// The whole definition.
    pub range: TextRange,
}

/// An `alter_column` call (or its SQL and Django forms).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AlterColumn {
    /// The table.
    pub table: Name,
    /// The column, by its current name.
    pub column: Name,
    /// `nullable=`.
    pub nullable: Option<Spanned<bool>>,
    /// `type_=`: the new type as written.
    pub type_text: Option<Spanned<String>>,
    /// `new_column_name=`.
    pub new_name: Name,
    /// `server_default=`: outer `None` when not given, inner `None` for an explicit `None` / `False`
    /// (drop the default).
    pub server_default: Option<Spanned<Option<String>>>,
    /// `existing_type=`.
    pub existing_type: Option<Spanned<String>>,
    /// `existing_nullable=`.
    pub existing_nullable: Option<Spanned<bool>>,
    /// `existing_server_default=`.
    pub existing_server_default: Option<Spanned<Option<String>>>,
}

/// Raw SQL run by a migration.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SqlText {
    /// Text read statically (literals, `text("...")`, literal concatenations).
    Literal(String),
    /// SQL built at run time (f-string, variable, `.format`) that cannot be read whole: what its
    /// known beginning shows it can reach.
    Unreadable(SqlReach),
}

/// What a statement that cannot be read whole can change, judged from the beginning of it that can
/// be read (`f"UPDATE users SET plan = '{plan}'"` only writes rows), so that one unreadable
/// statement makes opaque only what it could touch.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SqlReach {
    /// Nothing of it is known: any object.
    Anything,
    /// Rows only (`UPDATE`, `INSERT`, `DELETE`, `SELECT`, `WITH` ...): no schema object changes.
    Rows,
    /// One table, named before the unreadable part (`ALTER TABLE users ...`).
    Table(String),
}

impl SqlReach {
    /// What a statement whose text begins with `prefix` can reach. Only the first statement is
    /// judged: a `;` in the known part may start another, which could reach anything.
    pub fn of_prefix(prefix: &str) -> Self {
        if prefix.contains(';') {
            return SqlReach::Anything;
        }
        let mut words = prefix.split_whitespace();
        let first = words.next().unwrap_or_default().to_ascii_uppercase();
        match first.as_str() {
            "UPDATE" | "INSERT" | "DELETE" | "SELECT" | "WITH" => SqlReach::Rows,
            "ALTER"
                if words
                    .next()
                    .is_some_and(|word| word.eq_ignore_ascii_case("TABLE")) =>
            {
                let mut name = words.next();
                // `IF EXISTS` and `ONLY` come before the name.
                while let Some(word) = name
                    && matches!(word.to_ascii_uppercase().as_str(), "IF" | "EXISTS" | "ONLY")
                {
                    name = words.next();
                }
                // The name must be followed by more known text: `ALTER TABLE users` may go on
                // as `ALTER TABLE users_{suffix}`.
                match name {
                    Some(name)
                        if words.next().is_some() || prefix.ends_with(char::is_whitespace) =>
                    {
                        SqlReach::Table(name.trim_matches('"').to_owned())
                    }
                    _ => SqlReach::Anything,
                }
            }
            _ => SqlReach::Anything,
        }
    }
}

/// How the SQL was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SqlVia {
    /// `op.execute(...)`.
    Op,
    /// `connection.execute(...)`, `bind.execute(...)`, `op.get_bind().execute(...)`.
    Connection,
    /// `context.execute(...)`.
    Context,
    /// Django's `migrations.RunSQL(...)`.
    RunSql,
}

/// What an operation does.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum OpKind {
    /// `create_table`.
    CreateTable {
        /// The new table.
        table: Name,
        /// Its columns.
        columns: Vec<ColumnDef>,
        /// Its table-level constraints.
        constraints: Vec<ConstraintDef>,
    },
    /// `drop_table`.
    DropTable {
        /// The dropped table.
        table: Name,
    },
    /// `rename_table`.
    RenameTable {
        /// Old name.
        old: Name,
        /// New name.
        new: Name,
    },
    /// `add_column`.
    AddColumn {
        /// The table.
        table: Name,
        /// The new column.
        column: Box<ColumnDef>,
    },
    /// `drop_column`.
    DropColumn {
        /// The table.
        table: Name,
        /// The dropped column.
        column: Name,
    },
    /// `alter_column`.
    AlterColumn(Box<AlterColumn>),
    /// `create_index`.
    CreateIndex {
        /// Index name.
        name: Name,
        /// The table.
        table: Name,
        /// Indexed columns or expressions, as written.
        columns: Vec<String>,
        /// `unique=True`.
        unique: bool,
        /// `postgresql_concurrently=True` / `CONCURRENTLY`.
        concurrently: bool,
    },
    /// `drop_index`.
    DropIndex {
        /// Index name.
        name: Name,
        /// The table, when given.
        table: Name,
        /// `postgresql_concurrently=True` / `CONCURRENTLY`.
        concurrently: bool,
    },
    /// `create_foreign_key`, `create_unique_constraint`, `create_check_constraint`,
    /// `create_primary_key`.
    CreateConstraint(Box<ConstraintDef>),
    /// `drop_constraint`.
    DropConstraint {
        /// Constraint name.
        name: Name,
        /// The table.
        table: Name,
        /// `type_=`, when given.
        kind: Option<ConstraintKind>,
    },
    /// `bulk_insert`.
    BulkInsert {
        /// The table rows go into.
        table: Name,
    },
    /// Raw SQL. Each statement read from it follows as its own operation (with
    /// [`OpContext::from_sql`] set): `ALTER TABLE t DROP COLUMN c` is a [`OpKind::DropColumn`].
    Sql {
        /// The text, or the fact that it cannot be read.
        text: SqlText,
        /// How it was sent.
        via: SqlVia,
        /// How many operations right after this one were lowered from it.
        lowered: usize,
        /// Every statement only reads (`SELECT` without `setval`); false for unreadable SQL.
        read_only: bool,
    },
    /// `CREATE [OR REPLACE] [MATERIALIZED] VIEW`.
    CreateView {
        /// The view.
        name: Name,
        /// `MATERIALIZED`.
        materialized: bool,
        /// The statement's text, to re-create it.
        definition: String,
    },
    /// `DROP [MATERIALIZED] VIEW`.
    DropView {
        /// The view.
        name: Name,
        /// `MATERIALIZED`.
        materialized: bool,
    },
    /// `CREATE TYPE` (SQL, or implicitly by an enum column).
    CreateType {
        /// The type.
        name: Name,
        /// Its labels, for an enum.
        enum_values: Vec<String>,
    },
    /// `DROP TYPE`, or `.drop(bind)` of an enum.
    DropType {
        /// The type.
        name: Name,
    },
    /// `ALTER TYPE ... ADD VALUE`.
    AddEnumValue {
        /// The enum type.
        type_name: Name,
        /// The new label.
        value: String,
    },
    /// `CREATE [OR REPLACE] TRIGGER`.
    CreateTrigger {
        /// The trigger.
        name: Name,
        /// Its table.
        table: Name,
    },
    /// `DROP TRIGGER`.
    DropTrigger {
        /// The trigger.
        name: Name,
        /// Its table, when given.
        table: Name,
    },
    /// `TRUNCATE` (one per table).
    Truncate {
        /// The emptied table.
        table: Name,
    },
    /// `UPDATE`.
    UpdateRows {
        /// The updated table.
        table: Name,
        /// Whether the statement has a `WHERE`.
        has_where: bool,
        /// The columns its `SET` assigns, by their last name part; empty when they could not all
        /// be read (a `SET (a, b) = ...` list, a statement classified from its first words).
        columns: Vec<String>,
    },
    /// `DELETE`.
    DeleteRows {
        /// The table rows are deleted from.
        table: Name,
        /// Whether the statement has a `WHERE`.
        has_where: bool,
    },
    /// `INSERT`.
    InsertRows {
        /// The table rows go into.
        table: Name,
    },
    /// `ALTER SEQUENCE`, `setval(...)`.
    AlterSequence {
        /// The sequence, when it could be read.
        name: Name,
    },
    /// A SQL statement that changes something the IR does not model (a function, a grant, ...).
    OtherSql {
        /// Its leading keywords (`CREATE FUNCTION`).
        keyword: String,
    },
    /// Django's `migrations.RunPython(code, reverse_code)`.
    RunPython {
        /// What undoes it.
        reverse: Reverse,
        /// The `reverse_code` argument, when given (also when it is `None`).
        reverse_range: Option<TextRange>,
    },
    /// Django's `migrations.RunSQL(sql, reverse_sql)`: a marker for its reverse, followed by one
    /// [`OpKind::Sql`] (with [`SqlVia::RunSql`]) per statement of `sql`, each with what it lowers to.
    RunSql {
        /// What undoes it.
        reverse: Reverse,
        /// The `reverse_sql` argument, when given (also when it is `None`).
        reverse_range: Option<TextRange>,
    },
    /// Any other `op.*` call, kept by name so a house rule can match it.
    Other {
        /// The `op` function called (`create_table_comment`, ...).
        name: String,
    },
}

impl OpKind {
    /// The table this operation acts on, if it has one and it was read.
    pub fn table(&self) -> Option<&Spanned<String>> {
        match self {
            OpKind::CreateTable { table, .. }
            | OpKind::DropTable { table }
            | OpKind::AddColumn { table, .. }
            | OpKind::DropColumn { table, .. }
            | OpKind::CreateIndex { table, .. }
            | OpKind::DropIndex { table, .. }
            | OpKind::DropConstraint { table, .. }
            | OpKind::BulkInsert { table }
            | OpKind::CreateTrigger { table, .. }
            | OpKind::DropTrigger { table, .. }
            | OpKind::Truncate { table }
            | OpKind::UpdateRows { table, .. }
            | OpKind::DeleteRows { table, .. }
            | OpKind::InsertRows { table } => table.as_ref(),
            OpKind::AlterColumn(alter) => alter.table.as_ref(),
            OpKind::CreateConstraint(constraint) => constraint.table.as_ref(),
            OpKind::RenameTable { old, .. } => old.as_ref(),
            OpKind::Sql { .. }
            | OpKind::RunPython { .. }
            | OpKind::RunSql { .. }
            | OpKind::Other { .. }
            | OpKind::CreateView { .. }
            | OpKind::DropView { .. }
            | OpKind::CreateType { .. }
            | OpKind::DropType { .. }
            | OpKind::AddEnumValue { .. }
            | OpKind::AlterSequence { .. }
            | OpKind::OtherSql { .. } => None,
        }
    }
}
