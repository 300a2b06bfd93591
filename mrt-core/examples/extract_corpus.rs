//! Extraction throughput on a directory of migrations, single-threaded, for profiling
//! (`valgrind --tool=callgrind`) and for measuring the parser's floor.
//!
//! ```text
//! cargo run --release -p mrt-core --example extract_corpus -- DIR [extract|parse|dump] [ROUNDS]
//! ```
//!
//! `extract` runs `mrt_core::extract::extract` on every file (parse and lowering); `parse` runs only
//! `ruff_python_parser::parse_unchecked_source`, the parse that extraction starts with: the floor
//! extraction cannot go below. Prints bytes, time and MB/s (10^6 bytes per second, one thread).
//! `dump` prints every migration's IR (`Debug`) instead, to diff extraction before and after a
//! change.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use mrt_core::SourceFile;
use ruff_python_ast::PySourceType;

fn python_files(dir: &Path, found: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            python_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "py")
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            found.push((path, text));
        }
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: extract_corpus DIR [extract|parse|dump] [ROUNDS]");
        return ExitCode::from(2);
    };
    let mode = args.next().unwrap_or_else(|| "extract".to_owned());
    let rounds: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let mut files = Vec::new();
    python_files(Path::new(&dir), &mut files);
    files.sort();
    let bytes: usize = files.iter().map(|(_, text)| text.len()).sum();

    let start = Instant::now();
    let mut migrations = 0usize;
    for _ in 0..rounds {
        for (path, text) in &files {
            match mode.as_str() {
                "parse" => {
                    let parsed =
                        ruff_python_parser::parse_unchecked_source(text, PySourceType::Python);
                    black_box(&parsed);
                }
                "dump" => {
                    let source = Arc::new(SourceFile::new(path.clone(), text.clone()));
                    if let Some(migration) = mrt_core::extract::extract(source) {
                        migrations += 1;
                        println!(
                            "{}\n{:#?}",
                            path.display(),
                            (
                                (
                                    &migration.framework,
                                    &migration.revision,
                                    &migration.parents
                                ),
                                (&migration.parents_range, &migration.branch_labels),
                                (&migration.depends_on, &migration.django()),
                                &migration.upgrade,
                                &migration.downgrade,
                                &migration.syntax_errors,
                                &migration.suppressions,
                            )
                        );
                    }
                }
                "extract" => {
                    let source = Arc::new(SourceFile::new(path.clone(), text.clone()));
                    if black_box(mrt_core::extract::extract(source)).is_some() {
                        migrations += 1;
                    }
                }
                other => {
                    eprintln!("unknown mode `{other}` (extract, parse or dump)");
                    return ExitCode::from(2);
                }
            }
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let megabytes = (bytes * rounds) as f64 / 1e6;
    println!(
        "{mode}: {} files, {bytes} bytes x {rounds} rounds, {migrations} migrations, {elapsed:.3} s, {:.1} MB/s (one thread)",
        files.len(),
        megabytes / elapsed
    );
    ExitCode::SUCCESS
}
