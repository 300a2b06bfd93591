//! A deterministic fuzz run over the whole pipeline: every rule fixture and example migration,
//! mutated the way broken and hostile files look (cut short, bytes flipped, lines deleted or
//! repeated, deep nesting, huge literals, stray brackets and quotes), is extracted, linted with
//! every rule (the graph rules and the schema replay included), and given its fixes, which are
//! applied. Nothing may panic, and every mutant that still reads as a migration gives one.
//!
//! The mutations come from a fixed seed, so a failure names the file and mutant that reproduce
//! it. `MRT_FUZZ_ROUNDS` (default 1) sets the mutants per file and kind: CI runs
//! `MRT_FUZZ_ROUNDS=40 cargo test -p mrt-fix --test fuzz`, bounded by the corpus size.

// A test that cannot read its own corpus should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use mrt_core::extract::extract;
use mrt_core::{Linter, Project, Settings, SourceFile};

/// xorshift64*: deterministic, and enough to pick positions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `bound` (0 when `bound` is 0).
    fn below(&mut self, bound: usize) -> usize {
        if bound == 0 {
            return 0;
        }
        usize::try_from(self.next() % bound as u64).unwrap()
    }
}

fn python_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "py") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Text pasted into a file at a random point: what breaks parsers and recursions.
fn hostile_snippets() -> Vec<String> {
    vec![
        format!("x = {}\n", vec!["1"; 5_000].join(" + ")),
        format!("x = {}0{}\n", "[".repeat(3_000), "]".repeat(3_000)),
        format!("x = {}1\n", "not ".repeat(3_000)),
        format!(
            "op.execute(\"INSERT INTO t VALUES ('{}')\")\n",
            "x".repeat(1 << 20)
        ),
        format!(
            "op.execute(\"\"\"{}\"\"\")\n",
            "UPDATE t SET a = 1;\n".repeat(2_000)
        ),
        "op.execute(\"ALTER TABLE t DROP COLUMN\n".to_owned(),
        "def downgrade(:\n    op.drop_table(\n".to_owned(),
        "\"\"\"unterminated\n".to_owned(),
        "revision = \nrevision = (\ndown_revision = ['a', ('b',\n".to_owned(),
        "\u{0}\u{feff}\u{202e}\t\r\n\\\n".to_owned(),
        "    with op.batch_alter_table(\n".to_owned(),
        "class Migration(migrations.Migration):\n    operations = [migrations.RemoveField(\n"
            .to_owned(),
    ]
}

/// A mutant of `text` of kind `kind`.
fn mutate(text: &str, kind: usize, rng: &mut Rng, snippets: &[String]) -> String {
    let bytes = text.as_bytes();
    let cut = |at: usize| text.floor_char_boundary(at);
    match kind {
        // Cut short, as an editor buffer mid-edit.
        0 => text[..cut(rng.below(bytes.len()))].to_owned(),
        // Bytes flipped (made text again lossily, as a decoder would refuse them).
        1 => {
            let mut bytes = bytes.to_vec();
            for _ in 0..=rng.below(8) {
                let at = rng.below(bytes.len());
                if let Some(byte) = bytes.get_mut(at) {
                    *byte ^= 1 << rng.below(8);
                }
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }
        // A range deleted.
        2 => {
            let start = cut(rng.below(bytes.len()));
            let end = cut(start + rng.below(200));
            format!("{}{}", &text[..start], &text[end..])
        }
        // A range repeated.
        3 => {
            let start = cut(rng.below(bytes.len()));
            let end = cut(start + rng.below(400));
            format!("{}{}", &text[..end], &text[start..])
        }
        // A complete statement pasted between two lines: a deep expression, a huge literal.
        4 => {
            let line_starts: Vec<usize> = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(at, _)| at + 1))
                .collect();
            let at = line_starts[rng.below(line_starts.len())];
            let snippet = &snippets[rng.below(COMPLETE_SNIPPETS)];
            format!("{}{snippet}{}", &text[..at], &text[at..])
        }
        // Any snippet pasted anywhere, mid-token included.
        _ => {
            let at = cut(rng.below(bytes.len()));
            let snippet = &snippets[rng.below(snippets.len())];
            format!("{}{snippet}{}", &text[..at], &text[at..])
        }
    }
}

/// How many of [`hostile_snippets`], from the first, are complete statements.
const COMPLETE_SNIPPETS: usize = 5;

/// Mutation kinds; see [`mutate`].
const KINDS: usize = 6;

#[test]
fn mutated_migrations_never_panic_and_still_read() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = python_files(&root.join("mrt-rules/resources/fixtures"));
    files.extend(python_files(&root.join("examples/alembic")));
    assert!(files.len() > 100, "corpus: {} files", files.len());
    let rounds: usize = std::env::var("MRT_FUZZ_ROUNDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(1);
    let rules = mrt_rules::registry()
        .select(&["ALL".to_owned()], &[], &[])
        .expect("ALL selects");
    let linter = Linter::new(rules, Settings::default());
    let snippets = hostile_snippets();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut mutants, mut read, mut broken) = (0, 0, 0);
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable fixture");
        let original_reads = extract(Arc::new(SourceFile::new(path, text.as_str()))).is_some();
        for round in 0..rounds {
            for kind in 0..KINDS {
                let mutant = mutate(&text, kind, &mut rng, &snippets);
                mutants += 1;
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    let project = Project::from_sources([SourceFile::new(path, mutant.as_str())]);
                    let diagnostics = linter.check(&project);
                    let fixes = mrt_fix::fixes(&project, linter.settings());
                    let applied = mrt_fix::apply_fixes(&mutant, fixes.iter().map(|fix| &fix.fix));
                    let migration = project.migrations.first();
                    (
                        migration.is_some(),
                        migration.is_some_and(|m| !m.syntax_errors.is_empty()),
                        diagnostics.len(),
                        applied.text.len(),
                    )
                }));
                let Ok((is_migration, has_errors, _, _)) = outcome else {
                    panic!(
                        "{}: mutant {round}/{kind} panicked; its text:\n{mutant}",
                        path.display()
                    );
                };
                read += usize::from(is_migration);
                broken += usize::from(has_errors);
                // A statement pasted between lines keeps every line of the file (at worst it
                // lands in an indented block and breaks it): a migration stays one.
                if kind == 4 && original_reads {
                    assert!(
                        is_migration,
                        "{}: mutant {round}/{kind} no longer reads as a migration",
                        path.display()
                    );
                }
            }
        }
    }
    assert_eq!(mutants, files.len() * rounds * KINDS);
    // Most mutants still read as migrations, and many are broken: both paths are exercised.
    assert!(read * 2 > mutants, "{read} of {mutants} read as migrations");
    assert!(
        broken * 5 > mutants,
        "{broken} of {mutants} have syntax errors"
    );
}
