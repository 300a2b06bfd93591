//! PostgreSQL: the catalogue from `pg_catalog`, rows as text, and databases copied from a template
//! (`CREATE DATABASE ... TEMPLATE`), which is how one revision is tried without touching the rest.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use postgres::{Client, NoTls};

use crate::catalog::{Catalog, Column, Constraint, ConstraintKind, Table};
use crate::url::PgUrl;

/// Schemas that belong to PostgreSQL itself.
const SYSTEM_SCHEMAS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'";

pub(crate) fn connect(url: &PgUrl) -> Result<Client, String> {
    url.client_config()
        .connect(NoTls)
        .map_err(|error| describe(&error))
}

/// The error with PostgreSQL's own message and detail, which `Display` of the client hides.
pub(crate) fn describe(error: &postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_owned(),
        };
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// `schema.name`, or `name` in `public`.
fn qualified(schema: &str, name: &str) -> String {
    if schema == "public" {
        name.to_owned()
    } else {
        format!("{schema}.{name}")
    }
}

/// A quoted identifier, schema-qualified where the name says so.
pub(crate) fn quote_table(name: &str) -> String {
    match name.split_once('.') {
        Some((schema, table)) => format!("{}.{}", quote(schema), quote(table)),
        None => quote(name),
    }
}

pub(crate) fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

pub(crate) fn catalog(client: &mut Client) -> Result<Catalog, String> {
    let mut catalog = Catalog::default();
    let enums = client
        .query(
            &format!(
                "SELECT n.nspname, t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
                 FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
                 JOIN pg_namespace n ON n.oid = t.typnamespace WHERE {SYSTEM_SCHEMAS}
                 GROUP BY n.nspname, t.typname"
            ),
            &[],
        )
        .map_err(|e| describe(&e))?;
    for row in enums {
        let name = qualified(row.get(0), row.get(1));
        catalog.enums.insert(name, row.get(2));
    }
    let columns = client
        .query(
            &format!(
                "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                        NOT a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
                        a.attidentity <> '' OR a.attgenerated <> '', tn.nspname, t.typname, t.typtype::text
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                 JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace tn ON tn.oid = t.typnamespace
                 LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
                 WHERE c.relkind IN ('r', 'p') AND {SYSTEM_SCHEMAS}
                 ORDER BY n.nspname, c.relname, a.attnum"
            ),
            &[],
        )
        .map_err(|e| describe(&e))?;
    for row in columns {
        let table = qualified(row.get(0), row.get(1));
        let default: Option<String> = row.get(5);
        let sequence_default = default
            .as_deref()
            .is_some_and(|default| default.starts_with("nextval("));
        let enum_labels = (row.get::<_, String>(9) == "e")
            .then(|| {
                catalog
                    .enums
                    .get(&qualified(row.get(7), row.get(8)))
                    .cloned()
            })
            .flatten();
        catalog
            .tables
            .entry(table)
            .or_default()
            .columns
            .push(Column {
                name: row.get(2),
                data_type: row.get(3),
                nullable: row.get(4),
                default,
                generated: row.get::<_, bool>(6) || sequence_default,
                enum_labels,
            });
    }
    let constraints = client
        .query(
            &format!(
                "SELECT n.nspname, c.relname, con.conname, con.contype::text, pg_get_constraintdef(con.oid),
                        ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
                              JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord),
                        fn.nspname, fc.relname,
                        ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
                              JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord)
                 FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                 LEFT JOIN pg_class fc ON fc.oid = con.confrelid
                 LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
                 WHERE con.contype IN ('p', 'f', 'u', 'c', 'x') AND {SYSTEM_SCHEMAS}"
            ),
            &[],
        )
        .map_err(|e| describe(&e))?;
    for row in constraints {
        let table = qualified(row.get(0), row.get(1));
        let kind = match row.get::<_, String>(3).as_str() {
            "p" => ConstraintKind::PrimaryKey,
            "f" => ConstraintKind::ForeignKey,
            "u" => ConstraintKind::Unique,
            "c" => ConstraintKind::Check,
            _ => ConstraintKind::Exclusion,
        };
        let references = match (
            row.get::<_, Option<String>>(6),
            row.get::<_, Option<String>>(7),
        ) {
            (Some(schema), Some(name)) => Some((qualified(&schema, &name), row.get(8))),
            _ => None,
        };
        if let Some(entry) = catalog.tables.get_mut(&table) {
            entry.constraints.insert(
                row.get(2),
                Constraint {
                    kind,
                    columns: row.get(5),
                    definition: row.get(4),
                    references,
                },
            );
        }
    }
    let indexes = client
        .query(
            &format!(
                "SELECT n.nspname, t.relname, i.relname, pg_get_indexdef(ix.indexrelid)
                 FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid
                 JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
                 WHERE {SYSTEM_SCHEMAS}
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid AND con.contype IN ('p', 'u', 'x'))"
            ),
            &[],
        )
        .map_err(|e| describe(&e))?;
    for row in indexes {
        let table = qualified(row.get(0), row.get(1));
        if let Some(entry) = catalog.tables.get_mut(&table) {
            entry.indexes.insert(row.get(2), row.get(3));
        }
    }
    let views = client
        .query(
            &format!(
                "SELECT n.nspname, c.relname, pg_get_viewdef(c.oid)
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind IN ('v', 'm') AND {SYSTEM_SCHEMAS}"
            ),
            &[],
        )
        .map_err(|e| describe(&e))?;
    for row in views {
        catalog
            .views
            .insert(qualified(row.get(0), row.get(1)), row.get(2));
    }
    let sequences = client
        .query(
            &format!(
                "SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL)
                 FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
                 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {SYSTEM_SCHEMAS}"
            ),
            &[],
        )
        .map_err(|e| describe(&e))?;
    for row in sequences {
        let name: String = row.get(1);
        // The migration tools' own tables' sequences are theirs too.
        if crate::catalog::BOOKKEEPING_TABLES
            .iter()
            .any(|table| name.starts_with(table))
        {
            continue;
        }
        catalog
            .sequences
            .insert(qualified(row.get(0), row.get(1)), row.get(2));
    }
    let triggers = client
        .query(
            &format!(
                "SELECT n.nspname, c.relname, tg.tgname, pg_get_triggerdef(tg.oid)
                 FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE NOT tg.tgisinternal AND {SYSTEM_SCHEMAS}"
            ),
            &[],
        )
        .map_err(|e| describe(&e))?;
    for row in triggers {
        let name = format!(
            "{}.{}",
            qualified(row.get(0), row.get(1)),
            row.get::<_, String>(2)
        );
        catalog.triggers.insert(name, row.get(3));
    }
    Ok(catalog)
}

/// Every row of a table, each column as its text form (NULL as `None`), in a stable order.
pub(crate) fn rows(
    client: &mut Client,
    table: &str,
    columns: &[String],
) -> Result<Vec<Vec<Option<String>>>, String> {
    if columns.is_empty() {
        return Ok(Vec::new());
    }
    let select: Vec<String> = columns
        .iter()
        .map(|column| format!("{}::text", quote(column)))
        .collect();
    let sql = format!(
        "SELECT {} FROM {} ORDER BY 1",
        select.join(", "),
        quote_table(table)
    );
    let found = client.query(&sql, &[]).map_err(|e| describe(&e))?;
    Ok(found
        .iter()
        .map(|row| (0..columns.len()).map(|at| row.get(at)).collect())
        .collect())
}

/// The first non-NULL value of these columns in a table, as text (for foreign keys of seeds).
pub(crate) fn some_row(
    client: &mut Client,
    table: &str,
    columns: &[String],
) -> Result<Option<Vec<String>>, String> {
    let select: Vec<String> = columns
        .iter()
        .map(|column| format!("{}::text", quote(column)))
        .collect();
    let filter: Vec<String> = columns
        .iter()
        .map(|column| format!("{} IS NOT NULL", quote(column)))
        .collect();
    let sql = format!(
        "SELECT {} FROM {} WHERE {} LIMIT 1",
        select.join(", "),
        quote_table(table),
        filter.join(" AND ")
    );
    let found = client.query(&sql, &[]).map_err(|e| describe(&e))?;
    Ok(found
        .first()
        .map(|row| (0..columns.len()).map(|at| row.get(at)).collect()))
}

/// The revisions in a version table, if it exists.
pub(crate) fn versions(client: &mut Client, table: &str) -> Result<Vec<String>, String> {
    let exists = client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&quote_table(table)])
        .map_err(|e| describe(&e))?;
    if !exists.get::<_, bool>(0) {
        return Ok(Vec::new());
    }
    let found = client
        .query(
            &format!(
                "SELECT {} FROM {}",
                version_column(table),
                quote_table(table)
            ),
            &[],
        )
        .map_err(|e| describe(&e))?;
    Ok(found.iter().map(|row| row.get(0)).collect())
}

/// What names an applied migration in a version table: Alembic's revision, Django's
/// `app.name`.
pub(crate) fn version_column(table: &str) -> &'static str {
    if table == "django_migrations" {
        "(app || '.' || name)::text"
    } else {
        "version_num::text"
    }
}

/// Names of the user tables and types of the database, to refuse a non-empty scratch database.
pub(crate) fn existing_objects(client: &mut Client) -> Result<Vec<String>, String> {
    let found = client
        .query(
            &format!(
                "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND {SYSTEM_SCHEMAS}
                 UNION ALL
                 SELECT t.typname::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                 WHERE t.typtype = 'e' AND {SYSTEM_SCHEMAS}
                 ORDER BY 1 LIMIT 20"
            ),
            &[],
        )
        .map_err(|e| describe(&e))?;
    Ok(found.iter().map(|row| row.get(0)).collect())
}

/// Removes every user schema object: what `--allow-nonempty` and the final clean-up do to a scratch
/// database.
pub(crate) fn wipe(client: &mut Client) -> Result<(), String> {
    let schemas = client
        .query(
            &format!(
                "SELECT n.nspname::text FROM pg_namespace n WHERE {SYSTEM_SCHEMAS}
                 AND n.nspowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
                 AND n.nspname <> 'public'"
            ),
            &[],
        )
        .map_err(|e| describe(&e))?;
    let mut sql = String::new();
    for row in schemas {
        let _ = write!(sql, "DROP SCHEMA IF EXISTS {} CASCADE;", quote(row.get(0)));
    }
    sql.push_str("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;");
    client.batch_execute(&sql).map_err(|e| describe(&e))
}

/// Empties every user table (not the version table): a revision whose upgrade fails on the seeded
/// rows is tried again on empty tables.
pub(crate) fn truncate(
    client: &mut Client,
    tables: &BTreeMap<String, Table>,
) -> Result<(), String> {
    let names: Vec<String> = tables
        .keys()
        .filter(|name| !crate::catalog::BOOKKEEPING_TABLES.contains(&name.as_str()))
        .map(|name| quote_table(name))
        .collect();
    if names.is_empty() {
        return Ok(());
    }
    client
        .batch_execute(&format!("TRUNCATE {} CASCADE", names.join(", ")))
        .map_err(|e| describe(&e))
}
