//! A deterministic generator of finding-dense Alembic chains.
//!
//! The sparse chain of `alembic_chain` has few findings, so it measures extraction and the
//! replay but hardly the work that grows with findings: the `[*]` fixes, joining them to
//! findings, and output. This chain is shaped like a busy real project instead: about 4.6
//! operations a file; one revision in fifty a merge of two branches; enum columns (types created
//! implicitly); table and column renames (foreign keys retargeted); and downgrades that are
//! missing, only `pass`, partial or full. A 10k chain yields over 20k findings of many codes, a few
//! thousand of them fixable.
//!
//! The generator keeps the schema its upgrades build (per block of fifty revisions: tables, their
//! columns and indexes), so that operations name objects that exist and the findings are the
//! ones a reviewer would get, not errors about unknown tables.

use std::fmt::Write as _;

use crate::{GeneratedFile, Lcg};

/// Revisions per block: each block starts with wide tables of its own and ends with a merge.
const BLOCK: usize = 50;
/// Tables the first revision of a block creates.
const TABLES: usize = 8;

#[derive(Debug, Clone)]
struct Table {
    name: String,
    /// Columns besides `id` that later revisions may drop, rename or alter.
    columns: Vec<String>,
    /// Indexes still present.
    indexes: Vec<String>,
    /// Enum types on this table's columns.
    enums: Vec<String>,
}

/// How a revision's downgrade is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Downgrade {
    /// No `downgrade()` at all.
    Missing,
    /// `downgrade()` is only `pass`.
    Pass,
    /// Some reverse operations left out.
    Partial,
    /// Every reverse operation.
    Full,
}

/// One operation of an upgrade and its exact reverse (`None` when none exists).
struct Step {
    upgrade: String,
    reverse: Option<String>,
}

/// The finding-dense chain of `n` revisions.
pub fn dense_chain(n: usize) -> Vec<GeneratedFile> {
    let mut files = Vec::with_capacity(n);
    let mut tables: Vec<Table> = Vec::new();
    for index in 0..n {
        let mut rng = Lcg(index as u64 ^ 0x2545_f491_4f6c_dd1d);
        let at = index % BLOCK;
        let parents = parents(index);
        let (upgrade, downgrade) = if at == 0 {
            tables = block_tables(index, &mut rng);
            (block_upgrade(&tables), Some(block_downgrade(&tables)))
        } else if at == BLOCK - 1 {
            // The merge of the two branches: nothing to do either way.
            ("    pass\n".to_owned(), Some("    pass\n".to_owned()))
        } else if at >= BLOCK - 3 {
            // The two sibling branches each create a table of their own, so that the merge
            // joins two schemas that differ.
            branch_table(index, &mut rng)
        } else {
            steps(index, &mut rng, &mut tables)
        };
        files.push(render(index, &parents, &upgrade, downgrade.as_deref()));
    }
    files
}

/// Writes the dense chain of `n` revisions into `dir` (created if needed).
pub fn write_dense_chain(dir: &std::path::Path, n: usize) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let mut bytes = 0;
    for file in dense_chain(n) {
        bytes += file.text.len();
        std::fs::write(dir.join(&file.name), &file.text)?;
    }
    Ok(bytes)
}

fn id(index: usize) -> String {
    format!("d{index:06}")
}

/// The parents of revision `index`: the one before, except that the last-but-one revision of a
/// block branches off beside its predecessor and the last one merges both.
fn parents(index: usize) -> Vec<String> {
    let at = index % BLOCK;
    if index == 0 {
        Vec::new()
    } else if at == BLOCK - 2 && index >= 2 {
        vec![id(index - 2)]
    } else if at == BLOCK - 1 {
        vec![id(index - 2), id(index - 1)]
    } else {
        vec![id(index - 1)]
    }
}

fn render(
    index: usize,
    parents: &[String],
    upgrade: &str,
    downgrade: Option<&str>,
) -> GeneratedFile {
    let id = id(index);
    let parent = match parents {
        [] => "None".to_owned(),
        [one] => format!("\"{one}\""),
        many => format!(
            "({})",
            many.iter()
                .map(|p| format!("\"{p}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut text = String::with_capacity(1024 + upgrade.len() * 2);
    let _ = write!(
        text,
        "\"\"\"dense step {index}\n\nRevision ID: {id}\nRevises: {revises}\nCreate Date: 2026-01-01 00:00:00.000000\n\"\"\"\nimport sqlalchemy as sa\nfrom alembic import op\n\nrevision = \"{id}\"\ndown_revision = {parent}\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n{upgrade}",
        revises = parents.join(", "),
    );
    if let Some(downgrade) = downgrade {
        let _ = write!(text, "\n\ndef downgrade():\n{downgrade}");
    }
    GeneratedFile {
        name: format!("{id}_dense.py"),
        text,
    }
}

fn block_tables(index: usize, rng: &mut Lcg) -> Vec<Table> {
    (0..TABLES)
        .map(|table| {
            let name = format!("t{index}_{table}");
            let columns = (0..4 + rng.below(4)).map(|c| format!("c{c}")).collect();
            Table {
                indexes: vec![format!("ix_{name}_c0")],
                enums: vec![format!("e_{name}_state")],
                name,
                columns,
            }
        })
        .collect()
}

/// Creates the block's tables: each with an enum column, an index, and (past the first) a foreign
/// key to the first, so that renaming a table retargets foreign keys.
fn block_upgrade(tables: &[Table]) -> String {
    let mut upgrade = String::new();
    for (at, table) in tables.iter().enumerate() {
        let _ = writeln!(upgrade, "    op.create_table(\n        \"{}\",", table.name);
        upgrade.push_str("        sa.Column(\"id\", sa.Integer(), nullable=False),\n");
        for (c, column) in table.columns.iter().enumerate() {
            let _ = writeln!(
                upgrade,
                "        sa.Column(\"{column}\", sa.String(length={}), nullable=True),",
                16 + c * 8
            );
        }
        let _ = writeln!(
            upgrade,
            "        sa.Column(\"state\", sa.Enum(\"new\", \"done\", name=\"{}\"), nullable=True),",
            table.enums[0]
        );
        if at > 0 {
            let _ = writeln!(
                upgrade,
                "        sa.Column(\"parent_id\", sa.Integer(), sa.ForeignKey(\"{}.id\"), nullable=True),",
                tables[0].name
            );
        }
        upgrade.push_str("        sa.PrimaryKeyConstraint(\"id\"),\n    )\n");
        let _ = writeln!(
            upgrade,
            "    op.create_index(\"{}\", \"{}\", [\"c0\"], unique=False)",
            table.indexes[0], table.name
        );
    }
    upgrade
}

/// Drops the block's tables (in reverse, children first) but not their enum types: MRT503 for
/// every table, fixable.
fn block_downgrade(tables: &[Table]) -> String {
    let mut downgrade = String::new();
    for table in tables.iter().rev() {
        let _ = writeln!(
            downgrade,
            "    op.drop_index(\"{}\", table_name=\"{}\")",
            table.indexes[0], table.name
        );
        let _ = writeln!(downgrade, "    op.drop_table(\"{}\")", table.name);
    }
    downgrade
}

fn branch_table(index: usize, rng: &mut Lcg) -> (String, Option<String>) {
    let name = format!("b{index}");
    let columns = 2 + rng.below(3);
    let mut upgrade = format!(
        "    op.create_table(\n        \"{name}\",\n        sa.Column(\"id\", sa.Integer(), nullable=False),\n"
    );
    for column in 0..columns {
        let _ = writeln!(
            upgrade,
            "        sa.Column(\"v{column}\", sa.Integer(), nullable=True),"
        );
    }
    upgrade.push_str("        sa.PrimaryKeyConstraint(\"id\"),\n    )\n");
    (upgrade, Some(format!("    op.drop_table(\"{name}\")\n")))
}

/// Three to six operations on the block's tables, with a downgrade of the mode drawn for this
/// revision.
fn steps(index: usize, rng: &mut Lcg, tables: &mut [Table]) -> (String, Option<String>) {
    let count = 3 + rng.below(4);
    let steps: Vec<Step> = (0..count).map(|at| step(index, at, rng, tables)).collect();
    let mode = match rng.below(20) {
        0 => Downgrade::Missing,
        1 => Downgrade::Pass,
        2..=4 => Downgrade::Partial,
        _ => Downgrade::Full,
    };
    let upgrade: String = steps.iter().map(|step| step.upgrade.as_str()).collect();
    let downgrade = match mode {
        Downgrade::Missing => None,
        Downgrade::Pass => Some("    pass\n".to_owned()),
        Downgrade::Partial | Downgrade::Full => {
            let mut downgrade = String::new();
            for (at, step) in steps.iter().enumerate().rev() {
                // A partial downgrade forgets every other reverse operation.
                if mode == Downgrade::Partial && at % 2 == 0 {
                    continue;
                }
                if let Some(reverse) = &step.reverse {
                    downgrade.push_str(reverse);
                }
            }
            if downgrade.is_empty() {
                downgrade.push_str("    pass\n");
            }
            Some(downgrade)
        }
    };
    (upgrade, downgrade)
}

#[allow(clippy::too_many_lines)] // one arm per kind of operation, each short
fn step(index: usize, at: usize, rng: &mut Lcg, tables: &mut [Table]) -> Step {
    let pick = rng.below(tables.len() as u64);
    let table = &mut tables[pick];
    let name = table.name.clone();
    let fresh = format!("x{index}_{at}");
    match rng.below(14) {
        0 => {
            table.columns.push(fresh.clone());
            Step {
                upgrade: format!(
                    "    op.add_column(\"{name}\", sa.Column(\"{fresh}\", sa.Integer(), nullable=True))\n"
                ),
                reverse: Some(format!("    op.drop_column(\"{name}\", \"{fresh}\")\n")),
            }
        }
        1 => {
            table.columns.push(fresh.clone());
            Step {
                upgrade: format!(
                    "    op.add_column(\"{name}\", sa.Column(\"{fresh}\", sa.Integer(), nullable=False))\n"
                ),
                reverse: Some(format!("    op.drop_column(\"{name}\", \"{fresh}\")\n")),
            }
        }
        2 => {
            let type_name = format!("e_{fresh}");
            table.columns.push(fresh.clone());
            table.enums.push(type_name.clone());
            Step {
                upgrade: format!(
                    "    op.add_column(\"{name}\", sa.Column(\"{fresh}\", sa.Enum(\"a\", \"b\", \"c\", name=\"{type_name}\"), nullable=True))\n"
                ),
                reverse: Some(format!(
                    "    op.drop_column(\"{name}\", \"{fresh}\")\n    op.execute(\"DROP TYPE {type_name}\")\n"
                )),
            }
        }
        3 if table.columns.len() > 2 => {
            let column = table.columns.remove(rng.below(table.columns.len() as u64));
            Step {
                upgrade: format!("    op.drop_column(\"{name}\", \"{column}\")\n"),
                reverse: Some(format!(
                    "    op.add_column(\"{name}\", sa.Column(\"{column}\", sa.String(length=32), nullable=True))\n"
                )),
            }
        }
        4 => {
            let which = rng.below(table.columns.len() as u64);
            let old = std::mem::replace(&mut table.columns[which], fresh.clone());
            Step {
                upgrade: format!(
                    "    op.alter_column(\"{name}\", \"{old}\", new_column_name=\"{fresh}\")\n"
                ),
                reverse: Some(format!(
                    "    op.alter_column(\"{name}\", \"{fresh}\", new_column_name=\"{old}\")\n"
                )),
            }
        }
        5 => {
            let new = format!("{}_r{index}", name.split("_r").next().unwrap_or(&name));
            table.name.clone_from(&new);
            Step {
                upgrade: format!("    op.rename_table(\"{name}\", \"{new}\")\n"),
                reverse: Some(format!("    op.rename_table(\"{new}\", \"{name}\")\n")),
            }
        }
        6 => {
            let column = &table.columns[rng.below(table.columns.len() as u64)];
            Step {
                upgrade: format!(
                    "    op.alter_column(\"{name}\", \"{column}\", existing_type=sa.String(length=32), nullable=False)\n"
                ),
                reverse: Some(format!(
                    "    op.alter_column(\"{name}\", \"{column}\", existing_type=sa.String(length=32), nullable=True)\n"
                )),
            }
        }
        7 => {
            let column = &table.columns[rng.below(table.columns.len() as u64)];
            Step {
                upgrade: format!(
                    "    op.alter_column(\"{name}\", \"{column}\", type_=sa.Text(), existing_type=sa.String(length=32))\n"
                ),
                reverse: Some(format!(
                    "    op.alter_column(\"{name}\", \"{column}\", type_=sa.String(length=32), existing_type=sa.Text())\n"
                )),
            }
        }
        8 => {
            let column = table.columns[rng.below(table.columns.len() as u64)].clone();
            let index_name = format!("ix_{fresh}");
            table.indexes.push(index_name.clone());
            Step {
                upgrade: format!(
                    "    op.create_index(\"{index_name}\", \"{name}\", [\"{column}\"], unique=False)\n"
                ),
                reverse: Some(format!(
                    "    op.drop_index(\"{index_name}\", table_name=\"{name}\")\n"
                )),
            }
        }
        9 => {
            let column = &table.columns[rng.below(table.columns.len() as u64)];
            let constraint = format!("uq_{fresh}");
            Step {
                upgrade: format!(
                    "    op.create_unique_constraint(\"{constraint}\", \"{name}\", [\"{column}\"])\n"
                ),
                reverse: Some(format!(
                    "    op.drop_constraint(\"{constraint}\", \"{name}\", type_=\"unique\")\n"
                )),
            }
        }
        10 if !table.indexes.is_empty() => {
            let index_name = table.indexes.remove(rng.below(table.indexes.len() as u64));
            Step {
                upgrade: format!("    op.drop_index(\"{index_name}\", table_name=\"{name}\")\n"),
                reverse: Some(format!(
                    "    op.create_index(\"{index_name}\", \"{name}\", [\"id\"], unique=False)\n"
                )),
            }
        }
        11 => {
            let constraint = format!("fk_{fresh}");
            Step {
                upgrade: format!(
                    "    op.create_foreign_key(\"{constraint}\", \"{name}\", \"{name}\", [\"id\"], [\"id\"], ondelete=\"CASCADE\")\n"
                ),
                reverse: Some(format!(
                    "    op.drop_constraint(\"{constraint}\", \"{name}\", type_=\"foreignkey\")\n"
                )),
            }
        }
        12 => {
            let type_name = &table.enums[rng.below(table.enums.len() as u64)];
            Step {
                upgrade: format!(
                    "    op.execute(\"ALTER TYPE {type_name} ADD VALUE IF NOT EXISTS 'v{index}'\")\n"
                ),
                reverse: None,
            }
        }
        _ => {
            let column = &table.columns[rng.below(table.columns.len() as u64)];
            Step {
                upgrade: format!(
                    "    op.execute(\"UPDATE {name} SET {column} = lower({column}) WHERE id > 0\")\n"
                ),
                reverse: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_chain_is_deterministic_with_merges() {
        let first = dense_chain(120);
        let second = dense_chain(120);
        assert!(first.iter().zip(&second).all(|(a, b)| a.text == b.text));
        assert!(
            first[49]
                .text
                .contains("down_revision = (\"d000047\", \"d000048\")")
        );
        assert!(first[48].text.contains("down_revision = \"d000046\""));
        assert!(
            first
                .iter()
                .any(|file| !file.text.contains("def downgrade"))
        );
    }
}
