//! Extraction of Alembic revision files into the IR: metadata in every template form, `op` however
//! imported, batch and autocommit blocks, helpers, `op.f`, keyword arguments.

// A test that cannot read its own fixtures should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;

use mrt_core::SourceFile;
use mrt_core::extract::extract;
use mrt_core::ir::{ConstraintKind, Migration, OpKind, SqlReach, SqlText, SqlVia};

fn lower(text: &str) -> Migration {
    extract(Arc::new(SourceFile::new("m.py", text))).expect("a revision file")
}

fn ids(values: &[mrt_core::ir::Spanned<String>]) -> Vec<&str> {
    values.iter().map(|value| value.value.as_str()).collect()
}

fn upgrade_ops(migration: &Migration) -> &[mrt_core::ir::Operation] {
    &migration.upgrade.as_ref().expect("upgrade").ops
}

#[test]
fn modern_template_with_annotations() {
    let migration = lower(
        r#"
from typing import Sequence, Union
revision: str = "ae1027a6acf"
down_revision: Union[str, None] = "1975ea83b712"
branch_labels: Union[str, Sequence[str], None] = ("feature",)
depends_on: Union[str, Sequence[str], None] = ["other", "third"]

def upgrade() -> None:
    pass

def downgrade() -> None:
    pass
"#,
    );
    assert_eq!(migration.revision_id(), Some("ae1027a6acf"));
    assert_eq!(ids(&migration.parents), vec!["1975ea83b712"]);
    assert_eq!(ids(&migration.branch_labels), vec!["feature"]);
    assert_eq!(ids(&migration.depends_on), vec!["other", "third"]);
    let upgrade = migration.upgrade.as_ref().expect("upgrade");
    assert!(upgrade.is_noop);
}

#[test]
fn old_template_merge_none_and_u_strings() {
    let merge = lower(
        "revision = u'abc'\ndown_revision = ('p1', u'p2')\nbranch_labels = 'solo'\ndef upgrade():\n    pass\n",
    );
    assert_eq!(merge.revision_id(), Some("abc"));
    assert_eq!(ids(&merge.parents), vec!["p1", "p2"]);
    assert_eq!(ids(&merge.branch_labels), vec!["solo"]);
    assert!(merge.downgrade.is_none());

    let base = lower(
        "revision = 'b'\ndown_revision = None\ndepends_on = None\ndef upgrade():\n    pass\n",
    );
    assert!(base.parents.is_empty());
    assert!(base.parents_range.is_some());

    let sequence = lower(
        "revision = 'c'\ndown_revision: Sequence[str] = ['x', 'y']\ndef upgrade():\n    pass\n",
    );
    assert_eq!(ids(&sequence.parents), vec!["x", "y"]);
}

#[test]
fn not_a_revision_file() {
    let source = |text: &str| extract(Arc::new(SourceFile::new("x.py", text)));
    assert!(
        source("def upgrade():\n    pass\n").is_none(),
        "no revision"
    );
    assert!(source("revision = 'a'\n").is_none(), "no upgrade");
    assert!(source("").is_none());
    assert!(
        source("def helper(:\n").is_none(),
        "broken, but nothing names a revision"
    );
}

#[test]
fn op_however_imported() {
    let migration = lower(
        r#"
from alembic import op as o
from alembic.op import drop_table as dt
import alembic
revision = "r"
def upgrade():
    o.drop_table("a")
    dt("b")
    alembic.op.drop_table("c")
def downgrade():
    pass
"#,
    );
    let tables: Vec<&str> = upgrade_ops(&migration)
        .iter()
        .filter_map(|op| op.table())
        .collect();
    assert_eq!(tables, vec!["a", "b", "c"]);
}

#[test]
fn batch_blocks_target_their_table_and_shift_arguments() {
    let migration = lower(
        r#"
from alembic import op
import sqlalchemy as sa
revision = "r"
def upgrade():
    with op.batch_alter_table("users", schema=None) as b:
        b.drop_column("email")
        b.add_column(sa.Column("nick", sa.String(5), nullable=False, server_default="x"))
        b.create_index(b.f("ix_users_nick"), ["nick"], unique=True)
        b.create_foreign_key("fk_users_org", "orgs", ["org_id"], ["id"], ondelete="cascade")
        b.drop_constraint("uq_users_email", type_="unique")
    op.drop_column("other", "c")
"#,
    );
    let ops = upgrade_ops(&migration);
    assert_eq!(ops.len(), 6);
    for op in &ops[..5] {
        assert_eq!(op.table(), Some("users"), "{:?}", op.kind);
        assert!(op.context.batch.is_some());
    }
    assert!(ops[5].context.batch.is_none());
    let OpKind::DropColumn { column, .. } = &ops[0].kind else {
        panic!("{:?}", ops[0].kind)
    };
    assert_eq!(column.as_ref().map(|c| c.value.as_str()), Some("email"));
    let OpKind::AddColumn { column, .. } = &ops[1].kind else {
        panic!("{:?}", ops[1].kind)
    };
    assert!(column.is_not_null());
    assert_eq!(
        column.type_text.as_ref().map(|t| t.value.as_str()),
        Some("sa.String(5)")
    );
    assert_eq!(
        column.server_default.as_ref().map(|d| d.value.as_deref()),
        Some(Some("x"))
    );
    let OpKind::CreateIndex {
        name,
        columns,
        unique,
        ..
    } = &ops[2].kind
    else {
        panic!()
    };
    assert_eq!(
        name.as_ref().map(|n| n.value.as_str()),
        Some("ix_users_nick")
    );
    assert_eq!(columns, &vec!["nick".to_owned()]);
    assert!(unique);
    let OpKind::CreateConstraint(fk) = &ops[3].kind else {
        panic!()
    };
    assert_eq!(fk.kind, ConstraintKind::ForeignKey);
    let key = fk.foreign_key.as_ref().expect("foreign key");
    assert_eq!(key.target, "orgs");
    assert_eq!(
        key.ondelete.as_ref().map(|o| o.value.as_str()),
        Some("CASCADE")
    );
    let OpKind::DropConstraint { kind, name, .. } = &ops[4].kind else {
        panic!()
    };
    assert_eq!(*kind, Some(ConstraintKind::Unique));
    assert_eq!(
        name.as_ref().map(|n| n.value.as_str()),
        Some("uq_users_email")
    );
}

#[test]
fn autocommit_block_and_sql_forms() {
    let migration = lower(
        r#"
from alembic import op
import sqlalchemy as sa
from sqlalchemy import text
revision = "r"
def upgrade():
    with op.get_context().autocommit_block():
        op.execute("CREATE INDEX CONCURRENTLY ix ON t (c)")
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE t SET a = 1 " "WHERE b"))
    op.get_bind().execute(text("DELETE FROM t" + " WHERE x"))
    op.execute(f"DROP TABLE {name}")
    op.execute(sa.text(query))
"#,
    );
    let ops = upgrade_ops(&migration);
    assert!(ops[0].context.autocommit);
    let sql: Vec<(&SqlText, SqlVia, bool)> = ops
        .iter()
        .filter_map(|op| match &op.kind {
            OpKind::Sql { text, via, .. } => Some((text, *via, op.context.autocommit)),
            _ => None,
        })
        .collect();
    assert_eq!(
        sql[0].0,
        &SqlText::Literal("CREATE INDEX CONCURRENTLY ix ON t (c)".to_owned())
    );
    assert_eq!(
        sql[1],
        (
            &SqlText::Literal("UPDATE t SET a = 1 WHERE b".to_owned()),
            SqlVia::Connection,
            false
        )
    );
    assert_eq!(
        sql[2],
        (
            &SqlText::Literal("DELETE FROM t WHERE x".to_owned()),
            SqlVia::Connection,
            false
        )
    );
    // Nothing of them is known but that they run SQL: they may touch anything.
    assert_eq!(sql[3].0, &SqlText::Unreadable(SqlReach::Anything));
    assert_eq!(sql[4].0, &SqlText::Unreadable(SqlReach::Anything));
    // Each readable statement follows its SQL operation, lowered, in the same context.
    assert!(matches!(
        &ops[1].kind,
        OpKind::CreateIndex {
            concurrently: true,
            ..
        }
    ));
    assert!(ops[1].context.from_sql && ops[1].context.autocommit);
    assert!(matches!(
        &ops[3].kind,
        OpKind::UpdateRows {
            has_where: true,
            ..
        }
    ));
    assert!(matches!(
        &ops[5].kind,
        OpKind::DeleteRows {
            has_where: true,
            ..
        }
    ));
}

#[test]
fn sql_statements_point_into_the_string_when_it_is_plain() {
    let text = "from alembic import op\nrevision = 'r'\ndef upgrade():\n    op.execute(\"\"\"\n        SELECT 1;\n        ALTER TABLE t DROP COLUMN c;\n    \"\"\")\n    op.execute('ALTER TABLE t DROP COLUMN \\x64')\n";
    let migration = lower(text);
    let ops = upgrade_ops(&migration);
    assert_eq!(&text[ops[1].range], "ALTER TABLE t DROP COLUMN c");
    // An escape sequence: offsets in the value are not offsets in the file, so the whole argument.
    assert_eq!(&text[ops[3].range], "'ALTER TABLE t DROP COLUMN \\x64'");
    assert!(matches!(&ops[3].kind, OpKind::DropColumn { column: Some(c), .. } if c.value == "d"));
}

#[test]
fn helpers_contribute_their_ops_at_the_call() {
    let text = r#"
from alembic import op
revision = "r"
TABLE = "accounts"
def _drop(table, column="legacy"):
    op.drop_column(table, column)
def _with_batch(name):
    return op.batch_alter_table(name)
def _recursive():
    _recursive()
def upgrade():
    _drop(TABLE)
    _drop("users", column="email")
    _recursive()
    with _with_batch("orders") as batch_op:
        batch_op.drop_column("note")
def downgrade():
    pass
"#;
    let migration = lower(text);
    let ops = upgrade_ops(&migration);
    assert_eq!(ops.len(), 3);
    let drops: Vec<(Option<&str>, Option<&str>)> = ops
        .iter()
        .map(|op| match &op.kind {
            OpKind::DropColumn { table, column } => (
                table.as_ref().map(|t| t.value.as_str()),
                column.as_ref().map(|c| c.value.as_str()),
            ),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        drops,
        vec![
            (Some("accounts"), Some("legacy")),
            (Some("users"), Some("email")),
            (Some("orders"), Some("note"))
        ]
    );
    // The helper's operation is placed at the call in upgrade().
    assert_eq!(&text[ops[1].range], r#"_drop("users", column="email")"#);
    assert_eq!(ops[1].context.via_helper.as_deref(), Some("_drop"));
    assert!(ops[2].context.batch.is_some());
}

/// A column built by a helper is reported at the call that built it, every part of it: its enum
/// type and its key's name too (both were once left at the helper's line).
#[test]
fn a_column_helper_places_every_range_at_its_call() {
    let text = r#"
from alembic import op
import sqlalchemy as sa
revision = "r"
def status_column():
    return sa.Column(
        "status",
        sa.Enum("draft", "done", name="status_kind"),
        sa.ForeignKey("states.name", name="fk_status"),
    )
def upgrade():
    op.add_column("tasks", status_column())
"#;
    let migration = lower(text);
    let [op] = upgrade_ops(&migration) else {
        panic!("one operation")
    };
    let OpKind::AddColumn { column, .. } = &op.kind else {
        panic!("{:?}", op.kind)
    };
    let call = "status_column()";
    let enum_type = column.enum_type.as_ref().expect("an enum type");
    assert_eq!(enum_type.value, "status_kind");
    assert_eq!(&text[enum_type.range], call);
    let key = column.foreign_keys.first().expect("a foreign key");
    let key_name = key.name.as_ref().expect("a named key");
    assert_eq!(key_name.value, "fk_status");
    assert_eq!(&text[key_name.range], call);
    assert_eq!(&text[key.range], call);
    assert_eq!(&text[column.range], call);
}

#[test]
fn keyword_arguments_and_op_f() {
    let migration = lower(
        r#"
from alembic import op
import sqlalchemy as sa
revision = "r"
def upgrade():
    op.create_table(
        "t",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("org_id", sa.Integer, sa.ForeignKey("orgs.id", ondelete="SET NULL")),
        sa.UniqueConstraint("org_id", name="uq_t_org"),
    )
    op.drop_index(index_name=op.f("ix_t_a"), table_name="t")
    op.alter_column(table_name="t", column_name="a", new_column_name="b", nullable=False,
                    existing_type=sa.String(10), server_default=None)
    op.rename_table(old_table_name="t", new_table_name="u")
    op.bulk_insert(sa.table("u", sa.column("id")), [{"id": 1}])
    op.create_table_comment("u", "comment")
"#,
    );
    let ops = upgrade_ops(&migration);
    let OpKind::CreateTable {
        table,
        columns,
        constraints,
    } = &ops[0].kind
    else {
        panic!()
    };
    assert_eq!(table.as_ref().map(|t| t.value.as_str()), Some("t"));
    assert_eq!(columns.len(), 2);
    assert!(columns[0].primary_key && columns[0].is_not_null());
    assert_eq!(columns[1].foreign_keys[0].target, "orgs.id");
    assert_eq!(constraints[0].kind, ConstraintKind::Unique);
    assert_eq!(constraints[0].columns, vec!["org_id".to_owned()]);
    let OpKind::DropIndex { name, table, .. } = &ops[1].kind else {
        panic!()
    };
    assert_eq!(
        (
            name.as_ref().map(|n| n.value.as_str()),
            table.as_ref().map(|t| t.value.as_str())
        ),
        (Some("ix_t_a"), Some("t"))
    );
    let OpKind::AlterColumn(alter) = &ops[2].kind else {
        panic!()
    };
    assert_eq!(alter.new_name.as_ref().map(|n| n.value.as_str()), Some("b"));
    assert_eq!(alter.nullable.as_ref().map(|n| n.value), Some(false));
    assert_eq!(
        alter.existing_type.as_ref().map(|t| t.value.as_str()),
        Some("sa.String(10)")
    );
    assert_eq!(
        alter.server_default.as_ref().map(|d| d.value.clone()),
        Some(None)
    );
    assert!(matches!(&ops[3].kind, OpKind::RenameTable { new: Some(new), .. } if new.value == "u"));
    assert!(matches!(&ops[4].kind, OpKind::BulkInsert { table: Some(t) } if t.value == "u"));
    assert!(matches!(&ops[5].kind, OpKind::Other { name } if name == "create_table_comment"));
}

#[test]
fn body_shapes() {
    let migration = lower(
        "revision = 'r'\ndef upgrade():\n    '''doc'''\n    ...\ndef downgrade():\n    raise NotImplementedError('no way back')\n",
    );
    assert!(
        migration
            .upgrade
            .as_ref()
            .is_some_and(|b| b.is_noop && !b.only_raises)
    );
    assert!(
        migration
            .downgrade
            .as_ref()
            .is_some_and(|b| !b.is_noop && b.only_raises)
    );
}

#[test]
fn syntax_errors_are_kept_with_what_could_be_read() {
    let migration = lower("revision = 'r'\ndown_revision = 'p'\ndef upgrade(:\n    pass\n");
    assert!(!migration.syntax_errors.is_empty());
    assert_eq!(migration.revision_id(), Some("r"));
}

#[test]
fn dialect_tests_guard_their_branches() {
    let migration = lower(
        r#"
from alembic import op
revision = "r"
def upgrade():
    bind = op.get_bind()
    dialect = bind.dialect.name
    if dialect == "sqlite":
        op.drop_column("a", "sqlite_only")
    elif dialect in ("mysql", "mariadb"):
        op.drop_column("a", "mysql_only")
    else:
        op.drop_column("a", "others")
    if not op.get_context().dialect.name != "postgresql":
        op.drop_column("a", "postgres_only")
    if bind.engine.name == "postgresql":
        return
    op.drop_column("a", "after_return")
"#,
    );
    let runs_on = |dialect: &[&str]| -> Vec<String> {
        let filtered = migration
            .for_dialect(dialect)
            .unwrap_or_else(|| migration.clone());
        filtered
            .upgrade
            .expect("upgrade")
            .ops
            .iter()
            .filter_map(|op| match &op.kind {
                OpKind::DropColumn {
                    column: Some(c), ..
                } => Some(c.value.clone()),
                _ => None,
            })
            .collect()
    };
    assert_eq!(runs_on(&["postgresql"]), vec!["others", "postgres_only"]);
    assert_eq!(runs_on(&["sqlite"]), vec!["sqlite_only", "after_return"]);
    assert_eq!(
        runs_on(&["mysql", "mariadb"]),
        vec!["mysql_only", "after_return"]
    );
}

#[test]
fn loops_over_literals_are_unrolled_and_nested_functions_walked() {
    let text = r#"
from alembic import op
revision = "r"
RENAMES = (("dataset", "asset"), ("dataset_event", "asset_event"))
def upgrade():
    for old, new in RENAMES:
        op.rename_table(old, new)
    for table in ["a", "b"]:
        op.drop_column(table, "x")
    for row in rows_from_somewhere():
        op.drop_column(row, "y")
    def _indexes():
        op.create_index("ix_a", "a", ["z"])
    _indexes()
"#;
    let migration = lower(text);
    let ops = upgrade_ops(&migration);
    let described: Vec<String> = ops
        .iter()
        .map(|op| match &op.kind {
            OpKind::RenameTable {
                old: Some(old),
                new: Some(new),
            } => format!("rename {} {}", old.value, new.value),
            OpKind::DropColumn { table, .. } => {
                format!("drop {}", table.as_ref().map_or("?", |t| t.value.as_str()))
            }
            OpKind::CreateIndex {
                name: Some(name), ..
            } => format!("index {}", name.value),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        described,
        vec![
            "rename dataset asset",
            "rename dataset_event asset_event",
            "drop a",
            "drop b",
            "drop ?",
            "index ix_a"
        ]
    );
    assert_eq!(&text[ops[5].range], "_indexes()");
}

#[test]
fn f_strings_with_known_values_are_read() {
    let migration = lower(
        r#"
from alembic import op
revision = "r"
OWNER = "app"
def upgrade():
    for table in ("connection", "variable"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"{table}_team_id_fkey"), type_="foreignkey")
    op.execute(f"ALTER TABLE users OWNER TO {OWNER}")
    op.execute(f"ALTER TABLE users OWNER TO {OWNER!r}")
    op.execute(f"ALTER TABLE users OWNER TO {owner()}")
"#,
    );
    let ops = upgrade_ops(&migration);
    let names: Vec<&str> = ops
        .iter()
        .filter_map(|op| match &op.kind {
            OpKind::DropConstraint {
                name: Some(name), ..
            } => Some(name.value.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        names,
        vec!["connection_team_id_fkey", "variable_team_id_fkey"]
    );
    let sql: Vec<&SqlText> = ops
        .iter()
        .filter_map(|op| match &op.kind {
            OpKind::Sql { text, .. } => Some(text),
            _ => None,
        })
        .collect();
    assert_eq!(
        sql[0],
        &SqlText::Literal("ALTER TABLE users OWNER TO app".to_owned())
    );
    // A conversion is not followed, nor a call: what comes before them names the one table the
    // statement can touch.
    let users = SqlText::Unreadable(SqlReach::Table("users".to_owned()));
    assert_eq!(sql[1], &users, "a conversion is not followed");
    assert_eq!(sql[2], &users);
}
