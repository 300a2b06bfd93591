//! The plain-SQL frontend: migration directories as golang-migrate, sqlx and dbmate write them.
//!
//! - `NNN_name.up.sql` with `NNN_name.down.sql` beside it (golang-migrate, sqlx `-r`): the up file
//!   is the migration, its down file the downgrade. An up file without its down file has no
//!   downgrade (MRT101).
//! - `NNN_name.sql` with `-- migrate:up` and `-- migrate:down` sections (dbmate). Without a
//!   `-- migrate:down` line the file has no downgrade; an empty section is a no-op one (MRT102).
//! - `NNN_name.sql` without sections is not read: it may be SQL that a Python migration loads, and
//!   sqlx's simple (irreversible) migrations cannot be told from it.
//!
//! Each statement is lowered by the same code as Alembic's `op.execute` text (`sql.rs`), so every
//! rule reads it as it reads SQL anywhere else. The version (the leading digits) is the revision
//! id (`<directory>/<version>` when several directories are checked together, as versions repeat
//! across them); versions of one directory form a chain in numeric order, each the parent of the
//! next, and heads are counted per directory.
//!
//! Ranges point into the up (or dbmate) file. A down file is another file: the findings about its
//! statements (few rules look at a downgrade's own operations) are placed at the top of the up
//! file, and suppression comments in it are not read.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use mrt_graph::RevisionNode;
use ruff_text_size::{TextRange, TextSize};

use super::frontend::{Frontend, LowerContext};
use crate::ir::{
    Body, Framework, FrameworkMeta, Migration, OpContext, Operation, Spanned, SqlMeta,
};
use crate::noqa::{DirectiveScope, LineDirective, Suppressions, parse_comment};
use crate::source::SourceFile;

/// The plain-SQL migration frontend.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SqlDirectory;

/// What a file name says: `(version, name, kind)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Up,
    Down,
    Single,
}

fn parse_name(path: &Path) -> Option<(&str, &str, FileKind)> {
    let file = path.file_name()?.to_str()?;
    let stem = file.strip_suffix(".sql")?;
    let (stem, kind) = if let Some(stem) = stem.strip_suffix(".up") {
        (stem, FileKind::Up)
    } else if let Some(stem) = stem.strip_suffix(".down") {
        (stem, FileKind::Down)
    } else {
        (stem, FileKind::Single)
    };
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let (version, rest) = stem.split_at(digits);
    Some((version, rest.trim_start_matches('_'), kind))
}

impl Frontend for SqlDirectory {
    fn detects(&self, path: &Path) -> bool {
        parse_name(path).is_some()
    }

    fn lower(&self, source: Arc<SourceFile>, cx: &LowerContext<'_>) -> Option<Migration> {
        let (version, name, kind) = parse_name(&source.path)?;
        let (version, name) = (version.to_owned(), name.to_owned());
        let text = source.text.as_str();
        let (upgrade, downgrade, down_file) = match kind {
            // Read with its up file.
            FileKind::Down => return None,
            FileKind::Up => {
                let down_path = down_path_of(&source.path);
                let down = down_path
                    .as_deref()
                    .and_then(|path| (cx.read_sibling)(path));
                let upgrade = body(text, 0..text.len(), TextRange::empty(0.into()), &|range| {
                    file_range(range, 0)
                });
                // The down file's offsets are not this file's: see the module's note.
                let downgrade = down.as_deref().map(|down| {
                    body(down, 0..down.len(), TextRange::empty(0.into()), &|_| {
                        TextRange::empty(0.into())
                    })
                });
                let down_file = down.is_some().then_some(down_path).flatten();
                (Some(upgrade), downgrade, down_file)
            }
            FileKind::Single => {
                let sections = Sections::of(text);
                match sections.up {
                    Some(marker) => {
                        // A section runs to the other marker when that one follows, else to the
                        // end of the file (dbmate accepts the sections in either order).
                        let end_of = |start: usize, other: Option<Marker>| {
                            other
                                .map(|other| other.start)
                                .filter(|&other| other > start)
                                .unwrap_or(text.len())
                        };
                        let up_end = end_of(marker.start, sections.down);
                        let upgrade = body(text, marker.end..up_end, marker.range, &|range| {
                            file_range(range, marker.end)
                        });
                        let downgrade = sections.down.map(|down| {
                            let down_end = end_of(down.start, Some(marker));
                            body(text, down.end..down_end, down.range, &|range| {
                                file_range(range, down.end)
                            })
                        });
                        (Some(upgrade), downgrade, None)
                    }
                    // A versioned `.sql` file without sections may be SQL an Alembic revision
                    // reads (`versions/sql/0001_function.sql`): not a migration of its own.
                    None => return None,
                }
            }
        };
        let suppressions = suppressions(&source);
        Some(Migration {
            framework: Framework::Sql,
            revision: Some(Spanned::new(version.clone(), TextRange::empty(0.into()))),
            // The previous version of the directory, once every file is read (`link`).
            parents: Vec::new(),
            parents_range: None,
            branch_labels: Vec::new(),
            depends_on: Vec::new(),
            upgrade,
            downgrade,
            syntax_errors: Vec::new(),
            suppressions,
            meta: FrameworkMeta::Sql(Box::new(SqlMeta {
                version,
                name,
                down_file,
            })),
            source,
        })
    }

    fn link(&self, migrations: &mut [Migration]) {
        // Versions per directory, in numeric order (leading zeros do not count).
        let mut chains: std::collections::BTreeMap<PathBuf, Vec<(String, usize)>> =
            std::collections::BTreeMap::new();
        for (index, migration) in migrations.iter().enumerate() {
            let FrameworkMeta::Sql(meta) = &migration.meta else {
                continue;
            };
            let dir = migration.path().parent().map(Path::to_path_buf);
            chains
                .entry(dir.unwrap_or_default())
                .or_default()
                .push((meta.version.clone(), index));
        }
        // One directory (the usual project): a revision is its version. Several: versions repeat
        // across them, so each is named after its directory too.
        let qualify = chains.len() > 1;
        for (dir, chain) in &mut chains {
            chain.sort_by(|(a, _), (b, _)| numeric_order(a, b));
            let id = |version: &str| {
                if qualify {
                    format!("{}/{version}", dir.display())
                } else {
                    version.to_owned()
                }
            };
            let mut previous: Option<String> = None;
            for (version, index) in chain.iter() {
                let Some(migration) = migrations.get_mut(*index) else {
                    continue;
                };
                let revision = id(version);
                migration.revision =
                    Some(Spanned::new(revision.clone(), TextRange::empty(0.into())));
                migration.parents = previous
                    .iter()
                    .map(|parent| Spanned::new(parent.clone(), TextRange::empty(0.into())))
                    .collect();
                previous = Some(revision);
            }
        }
    }

    fn graph_nodes(&self, migrations: &[Migration]) -> Vec<(usize, RevisionNode)> {
        migrations
            .iter()
            .enumerate()
            .filter(|(_, migration)| migration.framework == Framework::Sql)
            .filter_map(|(index, migration)| {
                Some((
                    index,
                    RevisionNode {
                        id: migration.revision_id()?.to_owned(),
                        parents: migration
                            .parents
                            .iter()
                            .map(|parent| parent.value.clone())
                            .collect(),
                        depends_on: Vec::new(),
                        branch_labels: Vec::new(),
                        // Each directory is a chain of its own: heads are counted per directory.
                        group: migration
                            .path()
                            .parent()
                            .map(|dir| dir.display().to_string()),
                        location: None,
                    },
                ))
            })
            .collect()
    }
}

/// Versions compare as numbers: `9` before `10`, `001` equal to `1` (then by text).
fn numeric_order(a: &str, b: &str) -> std::cmp::Ordering {
    let (ta, tb) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
    ta.len().cmp(&tb.len()).then(ta.cmp(tb)).then(a.cmp(b))
}

fn down_path_of(up: &Path) -> Option<PathBuf> {
    let file = up.file_name()?.to_str()?;
    let stem = file.strip_suffix(".up.sql")?;
    Some(up.with_file_name(format!("{stem}.down.sql")))
}

fn text_size(len: usize) -> TextSize {
    TextSize::new(u32::try_from(len).unwrap_or(u32::MAX))
}

/// A range of a section's text, as a range of the file.
fn file_range(range: std::ops::Range<usize>, section_start: usize) -> TextRange {
    TextRange::new(
        text_size(section_start + range.start),
        text_size(section_start + range.end),
    )
}

/// The statements of `text[section]`, lowered; `marker` is where findings about the body as a
/// whole point.
fn body(
    text: &str,
    section: std::ops::Range<usize>,
    marker: TextRange,
    place: &dyn Fn(std::ops::Range<usize>) -> TextRange,
) -> Body {
    let Some(sql) = text.get(section.clone()) else {
        return Body::default();
    };
    let lowered = super::sql::lower(sql, place);
    let ops: Vec<Operation> = lowered
        .ops
        .into_iter()
        .map(|(kind, range)| Operation {
            kind,
            range,
            context: OpContext {
                from_sql: true,
                ..OpContext::default()
            },
        })
        .collect();
    Body {
        range: place(0..sql.len()),
        name_range: marker,
        is_noop: ops.is_empty(),
        only_raises: false,
        ops,
        statements: Vec::new(),
    }
}

/// A `-- migrate:up` / `-- migrate:down` line: the marker's range, and where its section starts
/// (the next line).
#[derive(Debug, Clone, Copy)]
struct Marker {
    start: usize,
    end: usize,
    range: TextRange,
}

#[derive(Debug, Default)]
struct Sections {
    up: Option<Marker>,
    down: Option<Marker>,
}

impl Sections {
    /// dbmate's markers: a line that starts with `-- migrate:up` or `-- migrate:down` (options such
    /// as `transaction:false` may follow).
    fn of(text: &str) -> Self {
        let mut sections = Self::default();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            let end = start + line.len();
            for (keyword, slot) in [
                ("-- migrate:up", &mut sections.up),
                ("-- migrate:down", &mut sections.down),
            ] {
                if slot.is_none() && trimmed.starts_with(keyword) {
                    let at = start + indent;
                    *slot = Some(Marker {
                        start: at,
                        end,
                        range: TextRange::new(text_size(at), text_size(at + keyword.len())),
                    });
                }
            }
            start = end;
        }
        sections
    }
}

/// The suppression comments of a SQL file: `-- noqa: MRT201`, `-- mrt: noqa` (read like Python's
/// `#` comments). `--` inside a single-quoted string is no comment.
fn suppressions(source: &SourceFile) -> Suppressions {
    let mut found = Suppressions::default();
    let text = source.text.as_str();
    let mut in_string = false;
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let bytes = line.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            match bytes[at] {
                b'\'' => in_string = !in_string,
                b'-' if !in_string && bytes.get(at + 1) == Some(&b'-') => {
                    // The directive parser reads `#` comments: the second `-` stands for the `#`.
                    let comment = format!("#{}", line[at + 2..].trim_end_matches(['\n', '\r']));
                    let start = u32::try_from(line_start + at + 1).unwrap_or(u32::MAX);
                    for (scope, codes, range) in parse_comment(&comment, start) {
                        let directive = LineDirective {
                            line: source.line_of(text_size(line_start + at)),
                            codes,
                            range,
                        };
                        match scope {
                            DirectiveScope::Line => found.lines.push(directive),
                            DirectiveScope::File => found.file.push(directive),
                        }
                    }
                    break;
                }
                _ => {}
            }
            at += 1;
        }
        line_start += line.len();
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        assert_eq!(
            parse_name(Path::new("m/001_create_users.up.sql")),
            Some(("001", "create_users", FileKind::Up))
        );
        assert_eq!(
            parse_name(Path::new("20240102030405_add.down.sql")),
            Some(("20240102030405", "add", FileKind::Down))
        );
        assert_eq!(
            parse_name(Path::new("3_x.sql")),
            Some(("3", "x", FileKind::Single))
        );
        assert_eq!(parse_name(Path::new("schema.sql")), None);
        assert_eq!(parse_name(Path::new("001_x.py")), None);
    }

    #[test]
    fn dbmate_sections_in_either_order() {
        let text = "-- migrate:down\nDROP TABLE t;\n-- migrate:up\nCREATE TABLE t (id int);\n";
        let source = Arc::new(SourceFile::new("1_x.sql", text));
        let cx = LowerContext {
            app_label: None,
            read_sibling: &|_| None,
        };
        let migration = SqlDirectory.lower(source, &cx).expect("a migration");
        let kinds = |body: Option<&Body>| -> Vec<String> {
            body.expect("a section")
                .ops
                .iter()
                .map(|op| format!("{:?}", op.kind.effect()))
                .collect()
        };
        assert_eq!(kinds(migration.upgrade.as_ref()), ["Creates(Table)"]);
        assert_eq!(kinds(migration.downgrade.as_ref()), ["Drops(Table)"]);
    }

    #[test]
    fn versions_order_as_numbers() {
        let mut versions = vec!["10", "9", "001", "2"];
        versions.sort_by(|a, b| numeric_order(a, b));
        assert_eq!(versions, ["001", "2", "9", "10"]);
    }

    #[test]
    fn dbmate_sections_and_suppressions() {
        let text = "-- migrate:up\nALTER TABLE t DROP COLUMN c; -- noqa: MRT201\n\n-- migrate:down transaction:false\n";
        let source = Arc::new(SourceFile::new("1_x.sql", text));
        let cx = LowerContext {
            app_label: None,
            read_sibling: &|_| None,
        };
        let migration = SqlDirectory.lower(source, &cx).expect("a migration");
        let upgrade = migration.upgrade.as_ref().expect("an upgrade");
        assert_eq!(upgrade.ops.len(), 1);
        assert_eq!(&text[upgrade.ops[0].range], "ALTER TABLE t DROP COLUMN c");
        let downgrade = migration.downgrade.as_ref().expect("a down section");
        assert!(downgrade.is_noop);
        assert_eq!(&text[downgrade.name_range], "-- migrate:down");
        assert_eq!(migration.suppressions.lines.len(), 1);
        assert_eq!(migration.suppressions.lines[0].line, 2);
        assert_eq!(&text[migration.suppressions.lines[0].range], "noqa: MRT201");
    }
}
