//! A deterministic generator of realistic chains with planted broken downgrades.
//!
//! The generator keeps the schema the chain builds (tables, their columns with type and
//! nullability, their indexes), so every downgrade it writes is the exact reverse of its upgrade,
//! except in planted revisions: one revision in ten has its downgrade missing, empty, or a partial
//! or wrong reverse. Each planted revision says which findings must report it.

use std::fmt::Write as _;

use crate::{GeneratedFile, Lcg};

/// A revision whose downgrade was broken on purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planted {
    /// Its revision id.
    pub revision: String,
    /// What is wrong with it.
    pub kind: &'static str,
    /// Codes of which at least one must be reported in the revision.
    pub codes: &'static [&'static str],
}

/// Codes that say a downgrade does not reverse its upgrade: none of them may fire on a
/// revision whose downgrade is correct.
pub const REVERSE_CODES: &[&str] = &[
    "MRT101", "MRT102", "MRT205", "MRT207", "MRT301", "MRT302", "MRT402", "MRT403", "MRT408",
    "MRT409", "MRT410", "MRT502", "MRT503", "MRT801",
];

#[derive(Debug, Clone)]
struct Column {
    name: String,
    length: usize,
    nullable: bool,
}

#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<Column>,
    /// Index names with their columns.
    indexes: Vec<(String, Vec<String>)>,
}

/// The chain of `n` revisions, and the planted ones among them.
pub fn planted_chain(n: usize) -> (Vec<GeneratedFile>, Vec<Planted>) {
    let mut tables: Vec<Table> = Vec::new();
    let mut files = Vec::with_capacity(n);
    let mut planted = Vec::new();
    for index in 0..n {
        let mut rng = Lcg(index as u64 ^ 0x5851_f42d_4c95_7f2d);
        let id = format!("p{index:05}");
        let (upgrade, downgrade) = if tables.len() < 3 || index % 25 == 0 {
            create_table(index, &mut tables)
        } else if index % 10 == 7 {
            let (upgrade, downgrade, kind, codes) = broken(index, &mut rng, &mut tables);
            planted.push(Planted {
                revision: id.clone(),
                kind,
                codes,
            });
            (upgrade, downgrade)
        } else {
            correct(index, &mut rng, &mut tables)
        };
        files.push(render(index, &id, &upgrade, downgrade.as_deref()));
    }
    (files, planted)
}

fn render(index: usize, id: &str, upgrade: &str, downgrade: Option<&str>) -> GeneratedFile {
    let parent = if index == 0 {
        "None".to_owned()
    } else {
        format!("\"p{:05}\"", index - 1)
    };
    let mut text = format!(
        "\"\"\"Generated revision {index}.\"\"\"\nimport sqlalchemy as sa\nfrom alembic import op\n\nrevision = \"{id}\"\ndown_revision = {parent}\n\n\ndef upgrade():\n{upgrade}"
    );
    if let Some(downgrade) = downgrade {
        let _ = write!(text, "\n\ndef downgrade():\n{downgrade}");
    }
    GeneratedFile {
        name: format!("{id}.py"),
        text,
    }
}

fn create_table(index: usize, tables: &mut Vec<Table>) -> (String, Option<String>) {
    let name = format!("t{index}");
    let columns: Vec<Column> = (0..4)
        .map(|at| Column {
            name: format!("c{at}"),
            length: 20 + at * 10,
            nullable: true,
        })
        .collect();
    let mut upgrade = format!(
        "    op.create_table(\n        \"{name}\",\n        sa.Column(\"id\", sa.Integer(), primary_key=True),\n"
    );
    for column in &columns {
        let _ = writeln!(
            upgrade,
            "        sa.Column(\"{}\", sa.String(length={}), nullable=True),",
            column.name, column.length
        );
    }
    upgrade.push_str("    )\n");
    let index_name = format!("ix_{name}_c0");
    let _ = writeln!(
        upgrade,
        "    op.create_index(\"{index_name}\", \"{name}\", [\"c0\"])"
    );
    let downgrade = format!(
        "    op.drop_index(\"{index_name}\", table_name=\"{name}\")\n    op.drop_table(\"{name}\")\n"
    );
    tables.push(Table {
        name,
        columns,
        indexes: vec![(index_name, vec!["c0".to_owned()])],
    });
    (upgrade, Some(downgrade))
}

/// A change with its exact reverse.
fn correct(index: usize, rng: &mut Lcg, tables: &mut [Table]) -> (String, Option<String>) {
    let at = rng.below(tables.len() as u64);
    let table = &mut tables[at];
    let name = table.name.clone();
    match rng.below(5) {
        0 => {
            let column = format!("x{index}");
            table.columns.push(Column {
                name: column.clone(),
                length: 40,
                nullable: true,
            });
            (
                format!(
                    "    op.add_column(\"{name}\", sa.Column(\"{column}\", sa.String(length=40), nullable=True))\n"
                ),
                Some(format!("    op.drop_column(\"{name}\", \"{column}\")\n")),
            )
        }
        1 => {
            let column = format!("b{index}");
            let index_name = format!("ix_{name}_{column}");
            table.columns.push(Column {
                name: column.clone(),
                length: 30,
                nullable: true,
            });
            table
                .indexes
                .push((index_name.clone(), vec![column.clone()]));
            (
                format!(
                    "    with op.batch_alter_table(\"{name}\") as batch_op:\n        batch_op.add_column(sa.Column(\"{column}\", sa.String(length=30), nullable=True))\n        batch_op.create_index(\"{index_name}\", [\"{column}\"])\n"
                ),
                Some(format!(
                    "    with op.batch_alter_table(\"{name}\") as batch_op:\n        batch_op.drop_index(\"{index_name}\")\n        batch_op.drop_column(\"{column}\")\n"
                )),
            )
        }
        2 => {
            let column = {
                let pick = rng.below(table.columns.len() as u64);
                &mut table.columns[pick]
            };
            let (old, new) = (column.length, column.length + 10);
            column.length = new;
            (
                format!(
                    "    op.alter_column(\"{name}\", \"{}\", type_=sa.String(length={new}), existing_type=sa.String(length={old}))\n",
                    column.name
                ),
                Some(format!(
                    "    op.alter_column(\"{name}\", \"{}\", type_=sa.String(length={old}), existing_type=sa.String(length={new}))\n",
                    column.name
                )),
            )
        }
        3 => {
            let column = {
                let pick = rng.below(table.columns.len() as u64);
                &mut table.columns[pick]
            };
            let (from, to) = (column.nullable, !column.nullable);
            column.nullable = to;
            let to_text = if to { "True" } else { "False" };
            let from_text = if from { "True" } else { "False" };
            (
                format!(
                    "    op.alter_column(\"{name}\", \"{}\", nullable={to_text}, existing_type=sa.String(length={}))  # noqa: MRT213\n",
                    column.name, column.length
                ),
                Some(format!(
                    "    op.alter_column(\"{name}\", \"{}\", nullable={from_text}, existing_type=sa.String(length={}))\n",
                    column.name, column.length
                )),
            )
        }
        _ => {
            let column = {
                let pick = rng.below(table.columns.len() as u64);
                &mut table.columns[pick]
            };
            let (old, new) = (column.name.clone(), format!("{}_r{index}", column.name));
            column.name.clone_from(&new);
            for indexed in table.indexes.iter_mut().flat_map(|(_, columns)| columns) {
                if *indexed == old {
                    indexed.clone_from(&new);
                }
            }
            (
                format!("    op.alter_column(\"{name}\", \"{old}\", new_column_name=\"{new}\")\n"),
                Some(format!(
                    "    op.alter_column(\"{name}\", \"{new}\", new_column_name=\"{old}\")\n"
                )),
            )
        }
    }
}

type Broken = (
    String,
    Option<String>,
    &'static str,
    &'static [&'static str],
);

/// A change whose downgrade is wrong in one of eight ways.
fn broken(index: usize, rng: &mut Lcg, tables: &mut [Table]) -> Broken {
    let at = rng.below(tables.len() as u64);
    let table = &mut tables[at];
    let name = table.name.clone();
    let column = format!("y{index}");
    let add = format!(
        "    op.add_column(\"{name}\", sa.Column(\"{column}\", sa.String(length=40), nullable=True))\n"
    );
    let kind = (index / 10) % 8;
    if kind <= 2 {
        table.columns.push(Column {
            name: column.clone(),
            length: 40,
            nullable: true,
        });
    }
    match kind {
        0 => (add, None, "missing downgrade", &["MRT101"]),
        1 => (
            add,
            Some("    pass\n".to_owned()),
            "no-op downgrade",
            &["MRT102"],
        ),
        2 => {
            // The column's index is created too, and the downgrade drops another column.
            let index_name = format!("ix_{name}_{column}");
            table
                .indexes
                .push((index_name.clone(), vec![column.clone()]));
            (
                format!("{add}    op.create_index(\"{index_name}\", \"{name}\", [\"{column}\"])\n"),
                Some(format!(
                    "    op.drop_index(\"{index_name}\", table_name=\"{name}\")\n"
                )),
                "partial reverse: column left",
                &["MRT801"],
            )
        }
        3 => {
            let target = {
                let pick = rng.below(table.columns.len() as u64);
                &mut table.columns[pick]
            };
            let (old, new) = (target.length, target.length + 10);
            target.length = new;
            (
                format!(
                    "    op.alter_column(\"{name}\", \"{}\", type_=sa.String(length={new}), existing_type=sa.String(length={old}))\n",
                    target.name
                ),
                Some(format!(
                    "    op.alter_column(\"{name}\", \"{}\", type_=sa.String(length={}), existing_type=sa.String(length={new}))\n",
                    target.name,
                    old + 5
                )),
                "wrong reverse: type",
                &["MRT801"],
            )
        }
        4 => {
            let target = {
                let pick = rng.below(table.columns.len() as u64);
                &mut table.columns[pick]
            };
            let (old, new) = (target.name.clone(), format!("{}_r{index}", target.name));
            target.name.clone_from(&new);
            for indexed in table.indexes.iter_mut().flat_map(|(_, columns)| columns) {
                if *indexed == old {
                    indexed.clone_from(&new);
                }
            }
            (
                format!("    op.alter_column(\"{name}\", \"{old}\", new_column_name=\"{new}\")\n"),
                Some("    op.execute(\"SELECT 1\")\n".to_owned()),
                "partial reverse: rename not undone",
                &["MRT302", "MRT801"],
            )
        }
        5 => {
            // The upgrade drops the index: later revisions no longer see it.
            let Some((index_name, indexed)) = table.indexes.pop() else {
                return (add, None, "missing downgrade", &["MRT101"]);
            };
            let mut restored = indexed.clone();
            restored.push("id".to_owned());
            let quoted = |columns: &[String]| {
                columns
                    .iter()
                    .map(|column| format!("\"{column}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            (
                format!("    op.drop_index(\"{index_name}\", table_name=\"{name}\")\n"),
                Some(format!(
                    "    op.create_index(\"{index_name}\", \"{name}\", [{}])\n",
                    quoted(&restored)
                )),
                "wrong reverse: index columns",
                &["MRT801"],
            )
        }
        6 => {
            let created = format!("side{index}");
            (
                format!(
                    "    op.create_table(\"{created}\", sa.Column(\"id\", sa.Integer(), primary_key=True))\n{add}"
                ),
                Some(format!("    op.drop_column(\"{name}\", \"{column}\")\n")),
                "partial reverse: table left",
                &["MRT801"],
            )
        }
        _ => {
            let target = table.columns.iter_mut().find(|column| column.nullable);
            match target {
                Some(target) => {
                    target.nullable = false;
                    (
                        format!(
                            "    op.alter_column(\"{name}\", \"{}\", nullable=False, existing_type=sa.String(length={}))  # noqa: MRT213\n",
                            target.name, target.length
                        ),
                        Some("    op.execute(\"SELECT 1\")\n".to_owned()),
                        "partial reverse: NOT NULL kept",
                        &["MRT402", "MRT801"],
                    )
                }
                None => (add.clone(), None, "missing downgrade", &["MRT101"]),
            }
        }
    }
}
