//! The fixture harness: every rule has a directory of fixtures under `resources/fixtures/<rule>/`,
//! with positive and negative cases. Each expected finding is annotated on the line it starts on:
//! `# error: MRT201` (or `# warning: MRT401` for a warning; several codes separated by commas; in a
//! `.sql` fixture, `-- error: MRT201`). The
//! harness lints with every default rule and fails on any finding missing or extra, or reported
//! with another severity. The fixtures of an opt-in rule (`MRT7xx`) are linted with every rule, the
//! opt-in ones included, as `--select ALL --extend-select MRT7` would.
//!
//! A `.py` file directly in a rule's directory is a project of its own; a subdirectory is one
//! project of all the `.py` and `.sql` files under it, however deep (for rules about the revision
//! graph; for Django fixtures: `<rule>/<case>/<app>/migrations/0001_x.py` gives app label `<app>`;
//! for plain-SQL migration directories: `<rule>/sql_<case>/001_x.up.sql`). A directory's
//! `mrt.toml` sets the target (`dialect`, `postgres-version`) its project is linted for.

// A test that cannot read its own fixtures should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use mrt_core::{Diagnostic, Linter, Project, Settings, SourceFile};

fn fixtures_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("resources/fixtures")
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.expect("readable fixture directory").path())
        .collect();
    entries.sort();
    entries
}

/// The `.py` and `.sql` files under `dir`, nested directories included (a Django fixture lives in
/// `<app>/migrations/`, where the app label comes from).
fn migration_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in sorted_entries(dir) {
        if path.is_dir() {
            files.extend(migration_files(&path));
        } else if path
            .extension()
            .is_some_and(|ext| ext == "py" || ext == "sql")
        {
            files.push(path);
        }
    }
    files
}

/// `(file name, line, severity, code)` of every annotation in a file.
fn annotations(path: &Path, text: &str) -> BTreeSet<(String, usize, String, String)> {
    let file = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let mut expected = BTreeSet::new();
    for (index, line) in text.lines().enumerate() {
        for severity in ["error", "warning"] {
            // `#` comments in Python, `--` comments in SQL.
            let found = ["#", "--"].iter().find_map(|comment| {
                let marker = format!("{comment} {severity}: ");
                line.find(&marker).map(|at| at + marker.len())
            });
            let Some(codes_at) = found else {
                continue;
            };
            let codes = line[codes_at..]
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|word| !word.is_empty())
                .take_while(|word| is_code(word));
            for code in codes {
                expected.insert((
                    file.clone(),
                    index + 1,
                    severity.to_owned(),
                    code.to_owned(),
                ));
            }
        }
    }
    expected
}

fn is_code(word: &str) -> bool {
    let letters = word.bytes().take_while(u8::is_ascii_uppercase).count();
    letters > 0 && word.len() > letters && word[letters..].bytes().all(|b| b.is_ascii_digit())
}

fn found(diagnostics: &[Diagnostic]) -> BTreeSet<(String, usize, String, String)> {
    diagnostics
        .iter()
        .map(|diagnostic| {
            (
                diagnostic
                    .path()
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                diagnostic.start().line,
                diagnostic.severity().as_str().to_owned(),
                diagnostic.code().to_owned(),
            )
        })
        .collect()
}

fn render(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let start = diagnostic.start();
        let _ = writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            diagnostic
                .path()
                .file_name()
                .unwrap_or_default()
                .to_string_lossy(),
            start.line,
            start.column,
            diagnostic.code(),
            diagnostic.severity().as_str(),
            diagnostic.message
        );
        if let Some(help) = &diagnostic.help {
            let _ = writeln!(out, "    help: {help}");
        }
    }
    if out.is_empty() {
        out.push_str("(no findings)\n");
    }
    out
}

/// Lints one project (a file, or a directory of files) and compares with its annotations.
fn check_project(files: &[PathBuf], linter: &Linter) -> (Vec<String>, String) {
    let sources: Vec<SourceFile> = files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).expect("readable fixture");
            let relative = path.strip_prefix(fixtures_root()).unwrap_or(path);
            SourceFile::new(relative, text)
        })
        .collect();
    let mut expected = BTreeSet::new();
    for source in &sources {
        expected.extend(annotations(&source.path, &source.text));
    }
    let project = Project::from_sources(sources);
    let diagnostics = linter.check(&project);
    let actual = found(&diagnostics);
    let mut problems = Vec::new();
    for missing in expected.difference(&actual) {
        problems.push(format!("missing {missing:?}"));
    }
    for extra in actual.difference(&expected) {
        problems.push(format!("unexpected {extra:?}"));
    }
    (problems, render(&diagnostics))
}

/// A linter with the rules of `linter` and the target a fixture directory's `mrt.toml` sets
/// (`dialect`, `postgres-version`), for rules whose findings depend on it; `None` without one.
fn configured_linter(dir: &Path, linter: &Linter) -> Option<Linter> {
    let path = dir.join("mrt.toml");
    if !path.is_file() {
        return None;
    }
    let config = mrt_core::config::Config::load(&path)
        .expect("valid fixture configuration")
        .expect("fixture configuration with options");
    let mut settings = Settings::default();
    if let Some(dialect) = &config.options.dialect {
        settings.dialect = mrt_core::Dialect::parse(dialect).expect("known fixture dialect");
    }
    settings.postgres_version = config.options.postgres_version;
    Some(Linter::new(linter.rules().to_vec(), settings))
}

#[test]
fn fixtures_report_exactly_their_annotations() {
    let registry = mrt_rules::registry();
    let default_linter = Linter::new(
        registry.select(&[], &[], &[]).expect("default selection"),
        Settings::default(),
    );
    let every_rule_linter = Linter::new(registry.rules().to_vec(), Settings::default());
    let mut problems = Vec::new();
    let mut snapshots = BTreeSet::new();
    for rule in registry.rules() {
        let meta = rule.meta();
        let dir = fixtures_root().join(meta.name.replace('-', "_"));
        if !dir.is_dir() {
            problems.push(format!(
                "{}: no fixture directory {}",
                meta.code,
                dir.display()
            ));
            continue;
        }
        let linter = if meta.opt_in {
            &every_rule_linter
        } else {
            &default_linter
        };
        let mut positives = 0;
        let mut negatives = 0;
        for entry in sorted_entries(&dir) {
            let files = if entry.is_dir() {
                migration_files(&entry)
            } else if entry.extension().is_some_and(|ext| ext == "py") {
                vec![entry.clone()]
            } else {
                continue;
            };
            let configured = entry
                .is_dir()
                .then(|| configured_linter(&entry, linter))
                .flatten();
            let (mut found_problems, rendered) =
                check_project(&files, configured.as_ref().unwrap_or(linter));
            let mut annotated = 0;
            for file in &files {
                let text = std::fs::read_to_string(file).expect("readable fixture");
                annotated += annotations(file, &text)
                    .iter()
                    .filter(|a| a.3 == meta.code)
                    .count();
            }
            if annotated == 0 {
                negatives += 1;
            } else {
                positives += annotated;
            }
            let name = entry
                .strip_prefix(fixtures_root())
                .unwrap_or(&entry)
                .to_string_lossy()
                .replace(['/', '.'], "_");
            snapshots.insert(format!("{name}.snap"));
            insta::with_settings!({ snapshot_path => "../resources/snapshots", prepend_module_to_snapshot => false }, {
                insta::assert_snapshot!(name, rendered);
            });
            problems.extend(
                found_problems
                    .drain(..)
                    .map(|p| format!("{}: {p}", entry.display())),
            );
        }
        if positives == 0 {
            problems.push(format!("{}: no fixture annotates a finding", meta.code));
        }
        if negatives == 0 {
            problems.push(format!(
                "{}: no negative fixture (a file with no {} finding)",
                meta.code, meta.code
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "fixture problems:\n{}",
        problems.join("\n")
    );
}
