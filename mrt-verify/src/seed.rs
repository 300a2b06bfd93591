//! Seed rows: before each revision is tried, every table whose shape changed since it was last seeded
//! (a new table, a new column) gets two new rows, one with every column set and one with every
//! nullable column NULL, parents before children, values that fit each column's type, length, enum
//! and CHECK constraint, unique across the run, and deterministic from the seed. Rows seeded earlier
//! stay, so a column added by one revision and dropped by a later one holds values to lose.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use crate::catalog::{Catalog, Column, ConstraintKind, Table};
use crate::db::{Backend, Database};

/// Which of the two rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fill {
    /// Every nullable column NULL.
    Sparse,
    /// Every column set.
    Full,
}

/// The seeding state of one run.
#[derive(Debug)]
pub struct Seeder {
    seed: u64,
    next: u64,
    /// The shape each table had when it was last seeded.
    shapes: HashMap<String, String>,
}

impl Seeder {
    /// A seeder whose values derive from `seed`.
    pub fn new(seed: u64) -> Self {
        Seeder {
            seed,
            next: 1,
            shapes: HashMap::new(),
        }
    }

    /// Forgets what was seeded (the tables were emptied): every table is seeded again.
    pub fn forget(&mut self) {
        self.shapes.clear();
    }

    /// Seeds the tables of `catalog` that need rows; returns notes on tables that could not be
    /// seeded (a value no type rule fits, a foreign key to an empty table).
    pub fn seed(&mut self, session: &mut dyn Database, catalog: &Catalog) -> Vec<String> {
        let mut notes = Vec::new();
        for name in parents_first(catalog) {
            let Some(table) = catalog.tables.get(name) else {
                continue;
            };
            let shape = table.shape();
            if self.shapes.get(name) == Some(&shape) {
                continue;
            }
            self.shapes.insert(name.to_owned(), shape);
            for fill in [Fill::Sparse, Fill::Full] {
                if let Err(note) = self.insert(session, name, table, fill) {
                    notes.push(note);
                }
            }
        }
        notes
    }

    fn insert(
        &mut self,
        session: &mut dyn Database,
        name: &str,
        table: &Table,
        fill: Fill,
    ) -> Result<(), String> {
        let n = self.next;
        self.next += 1;
        let mut values: BTreeMap<&str, Option<String>> = BTreeMap::new();
        for key in table.foreign_keys() {
            let Some((parent, parent_columns)) = &key.references else {
                continue;
            };
            let row = if fill == Fill::Sparse && key.columns.iter().all(|c| nullable(table, c)) {
                None
            } else {
                session.some_row(parent, parent_columns)?
            };
            match row {
                Some(row) => {
                    for (column, value) in key.columns.iter().zip(row) {
                        values.insert(column.as_str(), Some(value));
                    }
                }
                None if key.columns.iter().all(|c| nullable(table, c)) => {
                    for column in &key.columns {
                        values.insert(column.as_str(), None);
                    }
                }
                None => {
                    return Err(format!(
                        "table `{name}`: no row of `{parent}` to refer to, so no {} row was seeded",
                        fill.describe()
                    ));
                }
            }
        }
        for column in &table.columns {
            if column.generated || values.contains_key(column.name.as_str()) {
                continue;
            }
            let value = match fill {
                Fill::Sparse if column.nullable => None,
                _ => Some(self.value(column, n, session.backend())),
            };
            values.insert(column.name.as_str(), value);
        }
        let first = insert_statement(session, name, table, &values);
        let Err(error) = session.execute(&first) else {
            return Ok(());
        };
        // A CHECK the generic values miss: take the literals the check itself names.
        let mut fitted = values.clone();
        let mut changed = false;
        for constraint in table.constraints.values() {
            if constraint.kind != ConstraintKind::Check {
                continue;
            }
            let literals = quoted_literals(&constraint.definition);
            let Some(literal) = literals.first() else {
                continue;
            };
            for column in &table.columns {
                if mentions(&constraint.definition, &column.name)
                    && fitted
                        .get(column.name.as_str())
                        .is_some_and(Option::is_some)
                {
                    fitted.insert(column.name.as_str(), Some(literal.clone()));
                    changed = true;
                }
            }
        }
        if changed
            && session
                .execute(&insert_statement(session, name, table, &fitted))
                .is_ok()
        {
            return Ok(());
        }
        Err(format!(
            "table `{name}`: the {} row could not be inserted: {error}",
            fill.describe()
        ))
    }

    /// A value that fits the column's type, as text.
    fn value(&self, column: &Column, n: u64, backend: Backend) -> String {
        if let Some(labels) = column.enum_labels.as_ref().filter(|l| !l.is_empty()) {
            return labels[usize::try_from(n).unwrap_or(0) % labels.len()].clone();
        }
        let kind = column.data_type.to_ascii_lowercase();
        let length = declared_length(&kind);
        let base = kind.split('(').next().unwrap_or(&kind).trim();
        if kind.ends_with("[]") {
            return "{}".to_owned();
        }
        let day = n % 28 + 1;
        let month = n % 12 + 1;
        match base {
            "smallint" | "int2" | "smallserial" => ((n % 30_000) + 1).to_string(),
            b if b.contains("int") || b.contains("serial") => n.to_string(),
            "boolean" | "bool" => match (backend, n.is_multiple_of(2)) {
                (Backend::Sqlite, true) => "1".to_owned(),
                (Backend::Sqlite, false) => "0".to_owned(),
                (Backend::Postgres, true) => "true".to_owned(),
                (Backend::Postgres, false) => "false".to_owned(),
            },
            "numeric" | "decimal" => numeric(&kind, n),
            "real" | "double precision" | "float" | "float4" | "float8" | "double" => {
                format!("{n}.5")
            }
            "uuid" => uuid(self.seed, n, true),
            "date" => format!("2024-{month:02}-{day:02}"),
            b if b.starts_with("timestamp") || b == "datetime" => {
                let zone = if b.contains("with time zone") {
                    "+00"
                } else {
                    ""
                };
                format!("2024-{month:02}-{day:02} 12:{:02}:00{zone}", n % 60)
            }
            b if b.starts_with("time") => format!("12:34:{:02}", n % 60),
            "interval" => format!("{n} days"),
            "json" | "jsonb" => format!("{{\"mrt\": {n}}}"),
            "bytea" => format!("\\x6d7274{n:02x}"),
            "blob" | "tsvector" => format!("mrt{n}"),
            "inet" | "cidr" => format!("192.0.2.{}", n % 254 + 1),
            "macaddr" => format!("08:00:2b:00:00:{:02x}", n % 256),
            "money" => format!("{n}.25"),
            "xml" => format!("<mrt n=\"{n}\"/>"),
            "point" => format!("({n},1)"),
            "bit" | "bit varying" | "varbit" => "1".to_owned(),
            // SQLAlchemy's Uuid is CHAR(32) on databases without a uuid type.
            "char" | "character" if length == Some(32) => uuid(self.seed, n, false),
            _ => text(&column.name, n, self.seed, length),
        }
    }
}

impl Fill {
    fn describe(self) -> &'static str {
        match self {
            Fill::Sparse => "NULL-filled",
            Fill::Full => "fully set",
        }
    }
}

fn nullable(table: &Table, column: &str) -> bool {
    table.column(column).is_none_or(|c| c.nullable)
}

/// `INSERT INTO t (a, b) VALUES (...)`, each value a literal of the column's type.
fn insert_statement(
    session: &dyn Database,
    name: &str,
    table: &Table,
    values: &BTreeMap<&str, Option<String>>,
) -> String {
    let mut columns = Vec::new();
    let mut literals = Vec::new();
    for column in &table.columns {
        let Some(value) = values.get(column.name.as_str()) else {
            continue;
        };
        columns.push(session.quote(&column.name));
        literals.push(literal(session.backend(), column, value.as_deref()));
    }
    let table_name = session.quote_table(name);
    if columns.is_empty() {
        return format!("INSERT INTO {table_name} DEFAULT VALUES");
    }
    format!(
        "INSERT INTO {table_name} ({}) VALUES ({})",
        columns.join(", "),
        literals.join(", ")
    )
}

fn literal(backend: Backend, column: &Column, value: Option<&str>) -> String {
    let Some(value) = value else {
        return "NULL".to_owned();
    };
    let quoted = format!("'{}'", value.replace('\'', "''"));
    match backend {
        Backend::Postgres => format!("{quoted}::{}", column.data_type),
        Backend::Sqlite => {
            let kind = column.data_type.to_ascii_uppercase();
            let numeric = kind.contains("INT")
                || kind.contains("REAL")
                || kind.contains("FLOA")
                || kind.contains("DOUB")
                || kind.contains("NUMERIC")
                || kind.contains("DECIMAL")
                || kind.contains("BOOL");
            if numeric && value.parse::<f64>().is_ok() {
                value.to_owned()
            } else {
                quoted
            }
        }
    }
}

/// The length in `character varying(20)`, `char(32)`.
fn declared_length(kind: &str) -> Option<usize> {
    let open = kind.find('(')?;
    let close = kind[open..].find(')')? + open;
    kind[open + 1..close].split(',').next()?.trim().parse().ok()
}

/// A number that fits `numeric(p, s)`.
fn numeric(kind: &str, n: u64) -> String {
    let Some(open) = kind.find('(') else {
        return format!("{n}.5");
    };
    let inside = kind[open + 1..].trim_end_matches(')');
    let mut parts = inside
        .split(',')
        .map(|part| part.trim().parse::<u32>().unwrap_or(0));
    let precision = parts.next().unwrap_or(0);
    let scale = parts.next().unwrap_or(0);
    let whole_digits = precision.saturating_sub(scale);
    let limit = 10u64.saturating_pow(whole_digits.min(18));
    let whole = if whole_digits == 0 { 0 } else { n % limit };
    if scale > 0 {
        format!("{whole}.{}", "5".repeat(scale.min(6) as usize))
    } else {
        whole.to_string()
    }
}

/// A string unique in the run that fits `length`.
fn text(column: &str, n: u64, seed: u64, length: Option<usize>) -> String {
    let full = format!("{column} {n} s{seed}");
    let Some(length) = length else {
        return full;
    };
    let suffix = n.to_string();
    if length <= suffix.len() {
        return suffix[suffix.len() - length..].to_owned();
    }
    let prefix: String = column.chars().take(length - suffix.len() - 1).collect();
    format!("{prefix}-{suffix}")
}

/// A UUID (or its 32 hex digits) that depends on the seed and the row number.
fn uuid(seed: u64, n: u64, dashed: bool) -> String {
    let high = mix(seed ^ n.rotate_left(17));
    let low = mix(high ^ n);
    let hex = format!("{high:016x}{low:016x}");
    if !dashed {
        return hex;
    }
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// splitmix64: a fixed mixing function, so values are deterministic from the seed.
fn mix(mut value: u64) -> u64 {
    value = value.wrapping_add(0x9e37_79b9_7f4a_7c15);
    value = (value ^ (value >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    value = (value ^ (value >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    value ^ (value >> 31)
}

/// The quoted string literals of a CHECK definition (`status IN ('a', 'b')` -> `a`, `b`).
fn quoted_literals(definition: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = definition;
    while let Some(start) = rest.find('\'') {
        let after = &rest[start + 1..];
        let mut value = String::new();
        let mut chars = after.char_indices().peekable();
        let mut end = after.len();
        while let Some((at, c)) = chars.next() {
            if c == '\'' {
                if chars.peek().is_some_and(|(_, next)| *next == '\'') {
                    value.push('\'');
                    chars.next();
                    continue;
                }
                end = at + 1;
                break;
            }
            value.push(c);
        }
        found.push(value);
        rest = &after[end.min(after.len())..];
    }
    found
}

/// Whether a definition names the column as a whole word.
fn mentions(definition: &str, column: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    definition.match_indices(column).any(|(at, _)| {
        let before = definition[..at].chars().next_back();
        let after = definition[at + column.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

/// The tables in an order where every table comes after the tables its foreign keys refer to
/// (cycles broken by name order).
fn parents_first(catalog: &Catalog) -> Vec<&str> {
    let names: BTreeSet<&str> = catalog
        .user_tables()
        .map(|(name, _)| name.as_str())
        .collect();
    let mut waiting: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (name, table) in catalog.user_tables() {
        let parents = table
            .foreign_keys()
            .filter_map(|key| key.references.as_ref())
            .map(|(parent, _)| parent.as_str())
            .filter(|parent| *parent != name.as_str() && names.contains(parent))
            .collect();
        waiting.insert(name.as_str(), parents);
    }
    let mut order = Vec::with_capacity(waiting.len());
    while !waiting.is_empty() {
        let ready: Vec<&str> = waiting
            .iter()
            .filter(|(_, parents)| parents.is_empty())
            .map(|(name, _)| *name)
            .collect();
        // A cycle of foreign keys: take the first table and go on.
        let ready = if ready.is_empty() {
            waiting.keys().take(1).copied().collect()
        } else {
            ready
        };
        for name in ready {
            waiting.remove(name);
            for parents in waiting.values_mut() {
                parents.remove(name);
            }
            order.push(name);
        }
    }
    order
}

/// A short description of a row, for messages.
pub(crate) fn describe_row(columns: &[String], row: &[Option<String>]) -> String {
    let mut text = String::from("(");
    for (at, (column, value)) in columns.iter().zip(row).enumerate().take(4) {
        if at > 0 {
            text.push_str(", ");
        }
        match value {
            Some(value) => {
                let short: String = value.chars().take(24).collect();
                let _ = write!(text, "{column}={short:?}");
            }
            None => {
                let _ = write!(text, "{column}=NULL");
            }
        }
    }
    if columns.len() > 4 {
        text.push_str(", ...");
    }
    text.push(')');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_fit_lengths_and_numeric_precision() {
        assert_eq!(text("email", 12, 1, Some(5)), "em-12");
        assert_eq!(text("email", 123_456, 1, Some(3)), "456");
        assert_eq!(text("e", 7, 3, None), "e 7 s3");
        assert_eq!(declared_length("character varying(20)"), Some(20));
        assert_eq!(numeric("numeric(4,2)", 1234), "34.55");
        assert_eq!(numeric("numeric(2,2)", 9), "0.55");
        assert_eq!(uuid(1, 2, true).len(), 36);
        assert_ne!(uuid(1, 2, true), uuid(1, 3, true));
        assert_eq!(uuid(1, 2, true), uuid(1, 2, true));
    }

    #[test]
    fn check_literals_and_whole_word_mentions() {
        assert_eq!(
            quoted_literals("CHECK ((status)::text = ANY (ARRAY['new'::text, 'it''s'::text]))"),
            ["new", "it's"]
        );
        assert!(mentions("CHECK (status IN ('a'))", "status"));
        assert!(!mentions("CHECK (old_status IN ('a'))", "status"));
    }
}
