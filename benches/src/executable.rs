//! A deterministic generator of Alembic chains that really run (on PostgreSQL and on SQLite), with
//! rollback faults planted where `mrt verify` must find them, each with the failure kind it must
//! report. Every other revision's downgrade is exact, so it must pass.
//!
//! Alterations go through `batch_alter_table`, which Alembic turns into plain `ALTER TABLE` on
//! PostgreSQL and into a table rebuild on SQLite, so one chain serves both databases.

use std::fmt::Write as _;

use crate::GeneratedFile;

/// What `mrt verify` must say of one revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The revision id.
    pub revision: String,
    /// The failure kind it must report; `None`: it must pass.
    pub kind: Option<&'static str>,
    /// What the revision does (its fault, if planted).
    pub what: &'static str,
}

#[derive(Debug, Clone)]
struct Column {
    name: String,
    /// `sa.String(40)`, `sa.Integer()`.
    sa_type: String,
    nullable: bool,
    /// `server_default=`, as written.
    default: Option<&'static str>,
}

#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<Column>,
    /// Some table's foreign key points here (it cannot be dropped first).
    referenced: bool,
    /// The table this one's `parent_id` refers to.
    parent: Option<String>,
    indexes: Vec<(String, String)>,
}

/// The faults, each with the kind `mrt verify` must report.
const FAULTS: &[(&str, &str)] = &[
    ("missing downgrade", "downgrade"),
    ("no-op downgrade", "schema"),
    ("partial downgrade", "schema"),
    ("dropped column, re-added empty", "data"),
    ("dropped table, re-created empty", "data"),
    ("backfill rewrites NULLs", "data"),
    ("NOT NULL column fails on existing rows", "upgrade"),
    ("downgrade raises", "downgrade"),
    ("dropped index not re-created", "schema"),
];

/// The chain of `n` revisions (ids `v00000`...); with `plant`, one revision in six carries a fault,
/// cycling through every kind.
pub fn executable_chain(n: usize, plant: bool) -> (Vec<GeneratedFile>, Vec<Expected>) {
    executable_chain_with(n, plant, false)
}

/// [`executable_chain`]; with `drops`, one revision in seven (of those neither planted nor
/// creating a table) drops a nullable column in a batch block, from a table other tables' foreign
/// keys refer to where there is one, and its downgrade adds the column back (empty: `mrt verify`
/// must report `data`). `mrt fix` must bring such a column back without rebuilding the table.
pub fn executable_chain_with(
    n: usize,
    plant: bool,
    drops: bool,
) -> (Vec<GeneratedFile>, Vec<Expected>) {
    let mut tables: Vec<Table> = Vec::new();
    let mut files = Vec::with_capacity(n);
    let mut expected = Vec::with_capacity(n);
    let mut faults = 0usize;
    for index in 0..n {
        let id = format!("v{index:05}");
        let parent = (index > 0).then(|| format!("v{:05}", index - 1));
        let (what, kind, upgrade, downgrade) = if tables.len() < 2 || index % 9 == 0 {
            let (up, down) = create_table(index, &mut tables);
            ("create table", None, up, down)
        } else if plant && index % 6 == 5 {
            let (what, kind) = FAULTS[faults % FAULTS.len()];
            faults += 1;
            let (up, down) = fault(what, index, &mut tables);
            (what, Some(kind), up, down)
        } else if drops
            && index % 7 == 4
            && let Some((up, down)) = drop_column(index, &mut tables)
        {
            ("drop column", Some("data"), up, Some(down))
        } else {
            let (what, up, down) = correct(index, &mut tables);
            (what, None, up, down)
        };
        files.push(GeneratedFile {
            name: format!("{id}_{}.py", what.replace([' ', ','], "_")),
            text: render(&id, parent.as_deref(), what, &upgrade, downgrade.as_deref()),
        });
        expected.push(Expected {
            revision: id,
            kind,
            what,
        });
    }
    (files, expected)
}

fn render(
    id: &str,
    parent: Option<&str>,
    what: &str,
    upgrade: &str,
    downgrade: Option<&str>,
) -> String {
    let mut text = format!(
        "\"\"\"{what}\n\nRevision ID: {id}\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = \"{id}\"\ndown_revision = {}\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n{upgrade}",
        parent.map_or_else(|| "None".to_owned(), |p| format!("\"{p}\""))
    );
    if let Some(downgrade) = downgrade {
        let _ = write!(text, "\n\ndef downgrade():\n{downgrade}");
    }
    text
}

fn create_table(index: usize, tables: &mut Vec<Table>) -> (String, Option<String>) {
    let name = format!("t{index:05}");
    let mut columns = vec![
        Column {
            name: "name".into(),
            sa_type: "sa.String(40)".into(),
            nullable: false,
            default: None,
        },
        Column {
            name: "note".into(),
            sa_type: "sa.String(80)".into(),
            nullable: true,
            default: None,
        },
        Column {
            name: "qty".into(),
            sa_type: "sa.Integer()".into(),
            nullable: true,
            default: None,
        },
    ];
    // Every other table refers to the one created before it.
    let parent = tables
        .last()
        .filter(|_| index % 2 == 1)
        .map(|table| table.name.clone());
    let mut up = format!(
        "    op.create_table(\n        \"{name}\",\n        sa.Column(\"id\", sa.Integer(), primary_key=True),\n"
    );
    for column in &columns {
        let _ = writeln!(
            up,
            "        sa.Column(\"{}\", {}, nullable={}),",
            column.name,
            column.sa_type,
            py_bool(column.nullable)
        );
    }
    if let Some(parent) = &parent {
        let _ = writeln!(
            up,
            "        sa.Column(\"parent_id\", sa.Integer(), sa.ForeignKey(\"{parent}.id\"), nullable=True),"
        );
        columns.push(Column {
            name: "parent_id".into(),
            sa_type: "sa.Integer()".into(),
            nullable: true,
            default: None,
        });
        if let Some(table) = tables.iter_mut().find(|t| &t.name == parent) {
            table.referenced = true;
        }
    }
    up.push_str("    )\n");
    let down = format!("    op.drop_table(\"{name}\")\n");
    tables.push(Table {
        name,
        columns,
        referenced: false,
        parent,
        indexes: Vec::new(),
    });
    (up, Some(down))
}

/// A revision whose downgrade is the exact reverse of its upgrade.
fn correct(index: usize, tables: &mut [Table]) -> (&'static str, String, Option<String>) {
    let pick = index % tables.len();
    let table = &mut tables[pick];
    let name = table.name.clone();
    match index % 5 {
        0 => {
            let column = format!("c{index:05}");
            table.columns.push(Column {
                name: column.clone(),
                sa_type: "sa.String(30)".into(),
                nullable: true,
                default: None,
            });
            (
                "add nullable column",
                format!(
                    "    op.add_column(\"{name}\", sa.Column(\"{column}\", sa.String(30), nullable=True))\n"
                ),
                Some(batch(&name, &format!("batch.drop_column(\"{column}\")"))),
            )
        }
        1 => {
            let index_name = format!("ix_{index:05}");
            table.indexes.push((index_name.clone(), "name".into()));
            (
                "create index",
                format!("    op.create_index(\"{index_name}\", \"{name}\", [\"name\"])\n"),
                Some(format!(
                    "    op.drop_index(\"{index_name}\", table_name=\"{name}\")\n"
                )),
            )
        }
        2 => {
            let Some(column) = table
                .columns
                .iter_mut()
                .find(|c| c.nullable && c.sa_type.contains("String"))
            else {
                return ("nothing", "    pass\n".into(), Some("    pass\n".into()));
            };
            let old = column.name.clone();
            let new = format!("r{index:05}");
            column.name.clone_from(&new);
            (
                "rename column",
                batch(
                    &name,
                    &format!("batch.alter_column(\"{old}\", new_column_name=\"{new}\")"),
                ),
                Some(batch(
                    &name,
                    &format!("batch.alter_column(\"{new}\", new_column_name=\"{old}\")"),
                )),
            )
        }
        3 => {
            let column = format!("s{index:05}");
            table.columns.push(Column {
                name: column.clone(),
                sa_type: "sa.Integer()".into(),
                nullable: true,
                default: None,
            });
            (
                "add column and backfill it",
                format!(
                    "    op.add_column(\"{name}\", sa.Column(\"{column}\", sa.Integer(), nullable=True))\n    op.execute(\"UPDATE {name} SET {column} = qty\")\n"
                ),
                Some(batch(&name, &format!("batch.drop_column(\"{column}\")"))),
            )
        }
        _ => {
            let column = format!("d{index:05}");
            table.columns.push(Column {
                name: column.clone(),
                sa_type: "sa.String(10)".into(),
                nullable: false,
                default: Some("\"x\""),
            });
            (
                "add column with a server default",
                format!(
                    "    op.add_column(\"{name}\", sa.Column(\"{column}\", sa.String(10), nullable=False, server_default=\"x\"))\n"
                ),
                Some(batch(&name, &format!("batch.drop_column(\"{column}\")"))),
            )
        }
    }
}

fn fault(what: &'static str, index: usize, tables: &mut Vec<Table>) -> (String, Option<String>) {
    let pick = index % tables.len();
    let name = tables[pick].name.clone();
    let column = format!("f{index:05}");
    let add = |column: &str| {
        format!(
            "    op.add_column(\"{name}\", sa.Column(\"{column}\", sa.String(30), nullable=True))\n"
        )
    };
    match what {
        "missing downgrade" => {
            tables[pick].columns.push(nullable_string(&column));
            (add(&column), None)
        }
        "no-op downgrade" => {
            tables[pick].columns.push(nullable_string(&column));
            (add(&column), Some("    pass\n".into()))
        }
        "partial downgrade" => {
            let second = format!("g{index:05}");
            tables[pick].columns.push(nullable_string(&column));
            tables[pick].columns.push(nullable_string(&second));
            (
                format!("{}{}", add(&column), add(&second)),
                Some(batch(&name, &format!("batch.drop_column(\"{column}\")"))),
            )
        }
        "dropped column, re-added empty" => {
            let table = &mut tables[pick];
            let Some(at) = table
                .columns
                .iter()
                .position(|c| c.nullable && c.name != "parent_id")
            else {
                return (String::from("    pass\n"), Some("    pass\n".into()));
            };
            let dropped = table.columns.remove(at);
            table.indexes.retain(|(_, on)| *on != dropped.name);
            (
                batch(&name, &format!("batch.drop_column(\"{}\")", dropped.name)),
                Some(format!(
                    "    op.add_column(\"{name}\", sa.Column(\"{}\", {}, nullable=True))\n",
                    dropped.name, dropped.sa_type
                )),
            )
        }
        "dropped table, re-created empty" => {
            let Some(at) = tables.iter().position(|t| !t.referenced) else {
                return (String::from("    pass\n"), Some("    pass\n".into()));
            };
            let table = tables.remove(at);
            let mut recreate = format!(
                "    op.create_table(\n        \"{}\",\n        sa.Column(\"id\", sa.Integer(), primary_key=True),\n",
                table.name
            );
            for column in &table.columns {
                let default = column
                    .default
                    .map(|value| format!(", server_default={value}"))
                    .unwrap_or_default();
                let _ = writeln!(
                    recreate,
                    "        sa.Column(\"{}\", {}, nullable={}{default}),",
                    column.name,
                    column.sa_type,
                    py_bool(column.nullable)
                );
            }
            recreate.push_str("    )\n");
            for (index_name, on) in &table.indexes {
                let _ = writeln!(
                    recreate,
                    "    op.create_index(\"{index_name}\", \"{}\", [\"{on}\"])",
                    table.name
                );
            }
            let recreate = match &table.parent {
                Some(parent) => recreate.replace(
                    "sa.Column(\"parent_id\", sa.Integer(), nullable=True)",
                    &format!("sa.Column(\"parent_id\", sa.Integer(), sa.ForeignKey(\"{parent}.id\"), nullable=True)"),
                ),
                None => recreate,
            };
            (
                format!("    op.drop_table(\"{}\")\n", table.name),
                Some(recreate),
            )
        }
        "backfill rewrites NULLs" => {
            let table = &mut tables[pick];
            let Some(target) = table
                .columns
                .iter_mut()
                .find(|c| c.nullable && c.sa_type.contains("String"))
            else {
                return (String::from("    pass\n"), Some("    pass\n".into()));
            };
            target.nullable = false;
            let target = target.clone();
            (
                format!(
                    "    op.execute(\"UPDATE {name} SET {0} = 'n/a' WHERE {0} IS NULL\")\n{1}",
                    target.name,
                    batch(
                        &name,
                        &format!(
                            "batch.alter_column(\"{}\", existing_type={}, nullable=False)",
                            target.name, target.sa_type
                        )
                    )
                ),
                Some(batch(
                    &name,
                    &format!(
                        "batch.alter_column(\"{}\", existing_type={}, nullable=True)",
                        target.name, target.sa_type
                    ),
                )),
            )
        }
        "NOT NULL column fails on existing rows" => {
            tables[pick].columns.push(Column {
                name: column.clone(),
                sa_type: "sa.Integer()".into(),
                nullable: false,
                default: None,
            });
            (
                batch(
                    &name,
                    &format!(
                        "batch.add_column(sa.Column(\"{column}\", sa.Integer(), nullable=False))"
                    ),
                ),
                Some(batch(&name, &format!("batch.drop_column(\"{column}\")"))),
            )
        }
        "downgrade raises" => {
            tables[pick].columns.push(nullable_string(&column));
            (
                add(&column),
                Some("    raise NotImplementedError(\"this revision cannot be undone\")\n".into()),
            )
        }
        _ => {
            // "dropped index not re-created": drop an index the downgrade forgets, or, when the
            // table has none yet, create one the downgrade forgets to drop.
            let upgrade = match tables[pick].indexes.pop() {
                Some((existing, _)) => {
                    format!("    op.drop_index(\"{existing}\", table_name=\"{name}\")\n")
                }
                None => {
                    format!("    op.create_index(\"ix_f{index:05}\", \"{name}\", [\"name\"])\n")
                }
            };
            (upgrade, Some("    pass\n".into()))
        }
    }
}

/// Drops a nullable column that no index, foreign key or backfill (`qty`) uses, preferring a table other tables
/// refer to; the downgrade adds it back as it was (without its rows).
fn drop_column(index: usize, tables: &mut [Table]) -> Option<(String, String)> {
    let droppable = |table: &Table| {
        table.columns.iter().position(|c| {
            c.nullable && c.default.is_none() && c.name != "parent_id" && c.name != "qty"
        })
    };
    let count = tables.len();
    let pick = (0..count)
        .map(|offset| (index + offset) % count)
        .filter(|&at| droppable(&tables[at]).is_some())
        .max_by_key(|&at| tables[at].referenced)?;
    let table = &mut tables[pick];
    let column = table.columns.remove(droppable(table)?);
    let name = &table.name;
    Some((
        batch(name, &format!("batch.drop_column(\"{}\")", column.name)),
        batch(
            name,
            &format!(
                "batch.add_column(sa.Column(\"{}\", {}, nullable=True))",
                column.name, column.sa_type
            ),
        ),
    ))
}

fn nullable_string(name: &str) -> Column {
    Column {
        name: name.to_owned(),
        sa_type: "sa.String(30)".into(),
        nullable: true,
        default: None,
    }
}

fn batch(table: &str, statement: &str) -> String {
    format!("    with op.batch_alter_table(\"{table}\") as batch:\n        {statement}\n")
}

fn py_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}
