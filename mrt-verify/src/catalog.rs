//! What a database holds, read from its own catalogue (not from the migrations): tables with their
//! columns, keys, constraints and indexes; enum types, views, sequences, triggers. Two snapshots are
//! compared object by object, so a residue names exactly what the downgrade left or lost.

use std::collections::{BTreeMap, BTreeSet};

/// The tables the migration tool keeps for itself: never seeded, never compared.
pub(crate) const BOOKKEEPING_TABLES: &[&str] = &["alembic_version", "django_migrations"];

/// A snapshot of a database's schema.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    /// Tables by name (`schema.name` outside the default schema).
    pub tables: BTreeMap<String, Table>,
    /// Enum types and their labels, in order.
    pub enums: BTreeMap<String, Vec<String>>,
    /// Views (and materialized views) and their definitions.
    pub views: BTreeMap<String, String>,
    /// Sequences and their data types.
    pub sequences: BTreeMap<String, String>,
    /// Triggers (`table.trigger`) and their definitions.
    pub triggers: BTreeMap<String, String>,
}

/// One table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// Columns in their order in the table.
    pub columns: Vec<Column>,
    /// Constraints by name (or, where the database keeps no name, by what they are).
    pub constraints: BTreeMap<String, Constraint>,
    /// Indexes that back no constraint, by name, with their definition.
    pub indexes: BTreeMap<String, String>,
}

/// One column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// Its type as the database prints it (`character varying(20)`).
    pub data_type: String,
    /// Whether it accepts NULL.
    pub nullable: bool,
    /// Its default expression, as the database prints it.
    pub default: Option<String>,
    /// The database fills it itself (identity, a sequence default, a generated column): seeds
    /// leave it out.
    pub generated: bool,
    /// The labels of its enum type, for seeding.
    pub enum_labels: Option<Vec<String>>,
}

/// What kind of constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConstraintKind {
    /// PRIMARY KEY.
    PrimaryKey,
    /// FOREIGN KEY.
    ForeignKey,
    /// UNIQUE.
    Unique,
    /// CHECK.
    Check,
    /// EXCLUDE.
    Exclusion,
}

/// One constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    /// What kind.
    pub kind: ConstraintKind,
    /// Its columns, in order.
    pub columns: Vec<String>,
    /// Its definition as the database prints it (`FOREIGN KEY (a) REFERENCES t(id) ON DELETE
    /// CASCADE`): what is compared.
    pub definition: String,
    /// For a foreign key: the referred table and columns.
    pub references: Option<(String, Vec<String>)>,
}

impl Table {
    /// The column of that name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|column| column.name == name)
    }

    /// The primary key's columns, if the table has one.
    pub fn primary_key(&self) -> Option<&[String]> {
        self.constraints
            .values()
            .find(|constraint| constraint.kind == ConstraintKind::PrimaryKey)
            .map(|constraint| constraint.columns.as_slice())
    }

    /// The foreign keys.
    pub fn foreign_keys(&self) -> impl Iterator<Item = &Constraint> {
        self.constraints
            .values()
            .filter(|constraint| constraint.kind == ConstraintKind::ForeignKey)
    }

    /// What seeding depends on: a table whose shape changed needs new rows.
    pub(crate) fn shape(&self) -> String {
        let mut shape = String::new();
        for column in &self.columns {
            shape.push_str(&column.name);
            shape.push(' ');
            shape.push_str(&column.data_type);
            shape.push(if column.nullable { '?' } else { '!' });
            shape.push(';');
        }
        shape
    }
}

/// One difference between the schema before a revision and after its upgrade and downgrade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Residue {
    /// The object (`users`, `users.phone`, `index ix_users_email`).
    pub object: String,
    /// The table it belongs to, if any.
    pub table: Option<String>,
    /// What differs.
    pub message: String,
}

impl Catalog {
    /// The user's tables, without the migration tools' own.
    pub fn user_tables(&self) -> impl Iterator<Item = (&String, &Table)> {
        self.tables
            .iter()
            .filter(|(name, _)| !BOOKKEEPING_TABLES.contains(&name.as_str()))
    }

    /// Everything that differs from `before` in `self` (the schema after upgrade and downgrade).
    pub fn residue_against(&self, before: &Catalog) -> Vec<Residue> {
        let mut found = Vec::new();
        let tables: BTreeSet<&String> = before.tables.keys().chain(self.tables.keys()).collect();
        for name in tables {
            if BOOKKEEPING_TABLES.contains(&name.as_str()) {
                continue;
            }
            match (before.tables.get(name), self.tables.get(name)) {
                (Some(_), None) => found.push(Residue {
                    object: name.clone(),
                    table: Some(name.clone()),
                    message: format!("table `{name}` is missing after the downgrade"),
                }),
                (None, Some(_)) => found.push(Residue {
                    object: name.clone(),
                    table: Some(name.clone()),
                    message: format!("table `{name}` is left behind by the downgrade"),
                }),
                (Some(old), Some(new)) => table_residue(name, old, new, &mut found),
                (None, None) => {}
            }
        }
        named_residue(
            "enum type",
            &before.enums,
            &self.enums,
            &mut found,
            |labels| labels.join(", "),
        );
        named_residue("view", &before.views, &self.views, &mut found, Clone::clone);
        named_residue(
            "sequence",
            &before.sequences,
            &self.sequences,
            &mut found,
            Clone::clone,
        );
        named_residue(
            "trigger",
            &before.triggers,
            &self.triggers,
            &mut found,
            Clone::clone,
        );
        found
    }

    /// The tables whose schema differs between the two snapshots (created, dropped or altered).
    pub fn changed_tables<'a>(&'a self, other: &'a Catalog) -> BTreeSet<&'a str> {
        let mut changed = BTreeSet::new();
        for (name, table) in &self.tables {
            if other.tables.get(name) != Some(table) {
                changed.insert(name.as_str());
            }
        }
        for name in other.tables.keys() {
            if !self.tables.contains_key(name) {
                changed.insert(name.as_str());
            }
        }
        changed
    }
}

fn table_residue(name: &str, old: &Table, new: &Table, found: &mut Vec<Residue>) {
    let table = Some(name.to_owned());
    for column in &old.columns {
        let object = format!("{name}.{}", column.name);
        let Some(after) = new.column(&column.name) else {
            found.push(Residue {
                object: object.clone(),
                table: table.clone(),
                message: format!(
                    "column `{object}` ({}) is missing after the downgrade",
                    describe_column(column)
                ),
            });
            continue;
        };
        if after.data_type != column.data_type {
            found.push(Residue {
                object: object.clone(),
                table: table.clone(),
                message: format!(
                    "column `{object}` is {} after the downgrade, was {}",
                    after.data_type, column.data_type
                ),
            });
        }
        if after.nullable != column.nullable {
            found.push(Residue {
                object: object.clone(),
                table: table.clone(),
                message: format!(
                    "column `{object}` is {} after the downgrade, was {}",
                    nullability(after.nullable),
                    nullability(column.nullable)
                ),
            });
        }
        if after.default != column.default && !(after.generated && column.generated) {
            found.push(Residue {
                object: object.clone(),
                table: table.clone(),
                message: format!(
                    "column `{object}` has default {} after the downgrade, was {}",
                    describe_default(after.default.as_deref()),
                    describe_default(column.default.as_deref())
                ),
            });
        }
    }
    for column in &new.columns {
        if old.column(&column.name).is_none() {
            let object = format!("{name}.{}", column.name);
            found.push(Residue {
                message: format!("column `{object}` is left behind by the downgrade"),
                object,
                table: table.clone(),
            });
        }
    }
    let keys: BTreeSet<&String> = old
        .constraints
        .keys()
        .chain(new.constraints.keys())
        .collect();
    for key in keys {
        let object = format!("constraint {key} on {name}");
        let message = match (old.constraints.get(key), new.constraints.get(key)) {
            (Some(before), None) => format!(
                "constraint `{key}` on `{name}` ({}) is missing after the downgrade",
                before.definition
            ),
            (None, Some(after)) => format!(
                "constraint `{key}` on `{name}` ({}) is left behind by the downgrade",
                after.definition
            ),
            (Some(before), Some(after)) if before.definition != after.definition => format!(
                "constraint `{key}` on `{name}` is `{}` after the downgrade, was `{}`",
                after.definition, before.definition
            ),
            _ => continue,
        };
        found.push(Residue {
            object,
            table: table.clone(),
            message,
        });
    }
    let indexes: BTreeSet<&String> = old.indexes.keys().chain(new.indexes.keys()).collect();
    for index in indexes {
        let object = format!("index {index}");
        let message = match (old.indexes.get(index), new.indexes.get(index)) {
            (Some(before), None) => {
                format!("index `{index}` on `{name}` is missing after the downgrade ({before})")
            }
            (None, Some(after)) => {
                format!("index `{index}` on `{name}` is left behind by the downgrade ({after})")
            }
            (Some(before), Some(after)) if before != after => {
                format!("index `{index}` is `{after}` after the downgrade, was `{before}`")
            }
            _ => continue,
        };
        found.push(Residue {
            object,
            table: table.clone(),
            message,
        });
    }
}

fn named_residue<T: PartialEq>(
    what: &str,
    before: &BTreeMap<String, T>,
    after: &BTreeMap<String, T>,
    found: &mut Vec<Residue>,
    describe: impl Fn(&T) -> String,
) {
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for name in names {
        let message = match (before.get(name), after.get(name)) {
            (Some(_), None) => format!("{what} `{name}` is missing after the downgrade"),
            (None, Some(_)) => format!("{what} `{name}` is left behind by the downgrade"),
            (Some(old), Some(new)) if old != new => format!(
                "{what} `{name}` is `{}` after the downgrade, was `{}`",
                describe(new),
                describe(old)
            ),
            _ => continue,
        };
        found.push(Residue {
            object: format!("{what} {name}"),
            table: None,
            message,
        });
    }
}

fn nullability(nullable: bool) -> &'static str {
    if nullable { "NULL" } else { "NOT NULL" }
}

fn describe_column(column: &Column) -> String {
    format!("{} {}", column.data_type, nullability(column.nullable))
}

fn describe_default(default: Option<&str>) -> String {
    match default {
        Some(default) => format!("`{default}`"),
        None => "none".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, data_type: &str, nullable: bool) -> Column {
        Column {
            name: name.into(),
            data_type: data_type.into(),
            nullable,
            ..Column::default()
        }
    }

    #[test]
    fn residue_names_each_object_that_differs() {
        let mut before = Catalog::default();
        let mut users = Table {
            columns: vec![
                column("id", "integer", false),
                column("phone", "character varying(20)", true),
            ],
            ..Table::default()
        };
        users
            .indexes
            .insert("ix_phone".into(), "CREATE INDEX ix_phone".into());
        before.tables.insert("users".into(), users.clone());
        before
            .enums
            .insert("mood".into(), vec!["sad".into(), "ok".into()]);

        let mut after = before.clone();
        assert!(after.residue_against(&before).is_empty());
        let table = after.tables.get_mut("users").unwrap();
        table.columns[1].nullable = false;
        table.indexes.clear();
        table.columns.push(column("left", "text", true));
        after.enums.clear();
        after
            .tables
            .insert("alembic_version".into(), Table::default());

        let residue = after.residue_against(&before);
        let objects: Vec<&str> = residue.iter().map(|r| r.object.as_str()).collect();
        assert_eq!(
            objects,
            [
                "users.phone",
                "users.left",
                "index ix_phone",
                "enum type mood"
            ]
        );
        assert!(
            residue[0]
                .message
                .contains("NOT NULL after the downgrade, was NULL")
        );
    }
}
