//! SQL run by a migration is lowered to the same operations as the Python calls: one case per
//! statement kind, written the ways migrations write them (multi-line, `IF [NOT] EXISTS`, quoted and
//! schema-qualified names), through `op.execute` like a user's file.

// A test that cannot lower its own fixtures should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;

use mrt_core::SourceFile;
use mrt_core::extract::extract;
use mrt_core::ir::{OpKind, Operation};

/// The operations lowered from `sql` run with `op.execute("""...""")` in an upgrade.
fn lowered(sql: &str) -> Vec<Operation> {
    let text = format!(
        "from alembic import op\nrevision = 'r'\ndef upgrade():\n    op.execute(\n        \"\"\"\n{sql}\n        \"\"\"\n    )\n"
    );
    let migration = extract(Arc::new(SourceFile::new("m.py", text))).expect("a revision file");
    let ops = migration.upgrade.expect("upgrade").ops;
    assert!(
        matches!(ops[0].kind, OpKind::Sql { .. }),
        "{:?}",
        ops[0].kind
    );
    ops.into_iter().skip(1).collect()
}

/// `Kind field=value ...`: the variant name and the names it carries, for compact expectations.
fn describe(op: &Operation) -> String {
    let debug = format!("{:?}", op.kind);
    let variant = debug
        .split([' ', '(', '{'])
        .next()
        .unwrap_or_default()
        .to_owned();
    let names: Vec<String> = debug
        .match_indices("value: \"")
        .map(|(at, _)| {
            let rest = &debug[at + 8..];
            rest[..rest.find('"').unwrap_or(0)].to_owned()
        })
        .collect();
    if names.is_empty() {
        variant
    } else {
        format!("{variant} {}", names.join(" "))
    }
}

fn check(sql: &str, expected: &[&str]) {
    let ops = lowered(sql);
    let described: Vec<String> = ops.iter().map(describe).collect();
    assert_eq!(described, expected, "for {sql}");
    for op in &ops {
        assert!(op.context.from_sql);
    }
}

#[test]
fn alter_table_columns() {
    check(
        "ALTER TABLE IF EXISTS public.users\n    ADD COLUMN nickname varchar(50) NOT NULL DEFAULT 'x'",
        &["AddColumn users nickname VARCHAR(50)"],
    );
    let added = lowered("ALTER TABLE users ADD COLUMN n int NOT NULL DEFAULT 0");
    let OpKind::AddColumn { column, .. } = &added[0].kind else {
        panic!("{:?}", added[0].kind)
    };
    assert!(column.is_not_null());
    assert_eq!(
        column
            .server_default
            .as_ref()
            .and_then(|d| d.value.as_deref()),
        Some("0")
    );
    check(
        "ALTER TABLE \"Users\" DROP COLUMN IF EXISTS \"Email\"",
        &["DropColumn Users Email"],
    );
    check(
        "ALTER TABLE users RENAME COLUMN mail TO email",
        &["AlterColumn users mail email"],
    );
    check(
        "ALTER TABLE users ALTER COLUMN age TYPE bigint USING age::bigint",
        &["AlterColumn users age BIGINT"],
    );
    check(
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL",
        &["AlterColumn users email"],
    );
    check(
        "ALTER TABLE users ALTER COLUMN email DROP NOT NULL",
        &["AlterColumn users email"],
    );
    check(
        "ALTER TABLE users ALTER COLUMN active SET DEFAULT true",
        &["AlterColumn users active"],
    );
    check(
        "ALTER TABLE users ALTER COLUMN active DROP DEFAULT",
        &["AlterColumn users active"],
    );
    check(
        "ALTER TABLE accounts RENAME TO customers",
        &["RenameTable accounts customers"],
    );
}

#[test]
fn alter_table_constraints() {
    check(
        "ALTER TABLE orders\n  ADD CONSTRAINT fk_orders_user FOREIGN KEY (user_id)\n  REFERENCES users (id) ON DELETE CASCADE",
        &["CreateConstraint fk_orders_user orders CASCADE"],
    );
    check(
        "ALTER TABLE orders DROP CONSTRAINT IF EXISTS fk_orders_user",
        &["DropConstraint fk_orders_user orders"],
    );
    check(
        "ALTER TABLE users ADD CONSTRAINT uq_email UNIQUE (email)",
        &["CreateConstraint uq_email users"],
    );
}

#[test]
fn indexes_views_types_triggers() {
    check(
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix_users_email\n    ON public.users (email)",
        &["CreateIndex ix_users_email users"],
    );
    check(
        "CREATE INDEX ON users (lower(email))",
        &["CreateIndex users"],
    );
    check(
        "DROP INDEX CONCURRENTLY IF EXISTS public.ix_users_email",
        &["DropIndex ix_users_email"],
    );
    check(
        "CREATE OR REPLACE VIEW active_users AS\n    SELECT * FROM users WHERE active",
        &["CreateView active_users"],
    );
    check(
        "CREATE MATERIALIZED VIEW stats AS SELECT count(*) FROM users",
        &["CreateView stats"],
    );
    check(
        "DROP MATERIALIZED VIEW IF EXISTS stats",
        &["DropView stats"],
    );
    check(
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
        &["CreateType mood"],
    );
    check("DROP TYPE IF EXISTS mood", &["DropType mood"]);
    check(
        "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'ecstatic' AFTER 'happy'",
        &["AddEnumValue mood ecstatic"],
    );
    check(
        "CREATE OR REPLACE TRIGGER set_updated BEFORE UPDATE ON accounts\n    FOR EACH ROW EXECUTE FUNCTION touch()",
        &["CreateTrigger set_updated accounts"],
    );
    check(
        "DROP TRIGGER IF EXISTS set_updated ON accounts",
        &["DropTrigger set_updated accounts"],
    );
}

#[test]
fn data_statements_and_sequences() {
    check("TRUNCATE TABLE audit_log", &["Truncate audit_log"]);
    check(
        "UPDATE users\n   SET active = true\n WHERE last_login > now() - interval '1 year'",
        &["UpdateRows users"],
    );
    check("DELETE FROM sessions", &["DeleteRows sessions"]);
    check(
        "DELETE FROM sessions WHERE expires_at < now()",
        &["DeleteRows sessions"],
    );
    check(
        "INSERT INTO settings (key, value) VALUES ('a', 'b')",
        &["InsertRows settings"],
    );
    check(
        "ALTER SEQUENCE users_id_seq RESTART WITH 1000",
        &["AlterSequence users_id_seq"],
    );
    check(
        "SELECT setval('users_id_seq', 1000)",
        &["AlterSequence users_id_seq"],
    );
    check("SELECT count(*) FROM users", &[]);
}

/// Whether a `WHERE` limits the statement itself: one inside a subquery does not.
fn has_where(sql: &str) -> bool {
    match &lowered(sql)[0].kind {
        OpKind::UpdateRows { has_where, .. } | OpKind::DeleteRows { has_where, .. } => *has_where,
        other => panic!("not UPDATE or DELETE: {other:?}"),
    }
}

#[test]
fn where_of_the_statement_not_of_a_subquery() {
    assert!(!has_where(
        "UPDATE task SET owner = (SELECT id FROM users WHERE users.name = task.owner_name)"
    ));
    assert!(has_where(
        "UPDATE task SET owner = (SELECT id FROM users WHERE users.name = task.owner_name) WHERE owner IS NULL"
    ));
    assert!(!has_where("DELETE FROM ONLY sessions"));
    assert!(has_where(
        "DELETE FROM public.sessions USING users WHERE sessions.user_id = users.id"
    ));
    check(
        "UPDATE ONLY \"Task\" AS t SET state = 'queued' WHERE t.state IS NULL",
        &["UpdateRows Task"],
    );
    check(
        "WITH stale AS (SELECT id FROM sessions) DELETE FROM sessions WHERE id IN (SELECT id FROM stale)",
        &["DeleteRows sessions"],
    );
}

#[test]
fn tables() {
    check(
        "CREATE TABLE IF NOT EXISTS audit (\n  id serial PRIMARY KEY,\n  user_id int REFERENCES users (id) ON DELETE SET NULL\n)",
        &["CreateTable audit id serial user_id INT SET NULL"],
    );
    check(
        "DROP TABLE IF EXISTS public.audit, legacy",
        &["DropTable audit", "DropTable legacy"],
    );
}

#[test]
fn keywords_in_comments_and_literals_are_not_statements() {
    check(
        "-- DROP TABLE users;\nSELECT 'TRUNCATE audit_log' /* DELETE FROM sessions */",
        &[],
    );
    check(
        "CREATE FUNCTION purge() RETURNS trigger AS $$\nBEGIN\n  DELETE FROM sessions;\n  RETURN NEW;\nEND\n$$ LANGUAGE plpgsql",
        &["OtherSql"],
    );
}

#[test]
fn unparsable_statements_are_classified_by_tokens() {
    check(
        "ALTER TABLE users DROP COLUMN email CASCADE ((( garbage",
        &["DropColumn users email"],
    );
    check(
        "ALTER TABLE users ALTER COLUMN email DROP NOT NULL, RENAME TO members ((( garbage",
        &["AlterColumn users email", "RenameTable users members"],
    );
    check(
        "UPDATE ONLY accounts SET x = 1 WHERE id = 1 RETURNING ((( garbage",
        &["UpdateRows accounts"],
    );
}

#[test]
fn statements_of_a_multi_statement_string_each_point_at_their_line() {
    let ops = lowered("ALTER TABLE a DROP COLUMN x;\n        ALTER TABLE b DROP COLUMN y;");
    assert_eq!(ops.len(), 2);
    assert!(ops[0].range.start() < ops[1].range.start());
}
