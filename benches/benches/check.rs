//! Extraction, loading (with and without the lowering cache), linting, and the findings cache over
//! generated chains of 1k and 10k revisions.

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mrt_core::{Linter, Project, Settings, SourceFile};

/// The two generated chains: `sparse` (few findings) and `dense` (tens of thousands of findings,
/// thousands fixable).
#[derive(Debug, Clone, Copy)]
enum Chain {
    Sparse,
    Dense,
}

impl Chain {
    fn files(self, n: usize) -> Vec<mrt_benches::GeneratedFile> {
        match self {
            Chain::Sparse => mrt_benches::alembic_chain(n),
            Chain::Dense => mrt_benches::dense_chain(n),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Chain::Sparse => "sparse",
            Chain::Dense => "dense",
        }
    }
}

fn sources(n: usize) -> (Vec<SourceFile>, u64) {
    chain_sources(Chain::Sparse, n)
}

fn chain_sources(chain: Chain, n: usize) -> (Vec<SourceFile>, u64) {
    let files = chain.files(n);
    let bytes = files.iter().map(|file| file.text.len() as u64).sum();
    let sources = files
        .into_iter()
        .map(|file| SourceFile::new(file.name, file.text))
        .collect();
    (sources, bytes)
}

fn extraction(c: &mut Criterion) {
    let mut group = c.benchmark_group("extract");
    group.sample_size(10);
    for n in [1_000, 10_000] {
        let (files, bytes) = sources(n);
        group.throughput(Throughput::Bytes(bytes));
        group.bench_with_input(BenchmarkId::from_parameter(n), &files, |b, files| {
            b.iter(|| {
                let copies = files
                    .iter()
                    .map(|f| SourceFile::new(f.path.clone(), f.text.clone()));
                black_box(Project::from_sources(copies))
            });
        });
    }
    group.finish();
}

fn lint(c: &mut Criterion) {
    let rules = mrt_rules::registry()
        .select(&[], &[], &[])
        .unwrap_or_default();
    let linter = Linter::new(rules, Settings::default());
    over_projects(c, "lint", |project| black_box(linter.check(project)).len());
}

/// The schema replay alone (every revision's upgrade and downgrade played on the model, residue
/// compared), over the generated chains.
fn replay(c: &mut Criterion) {
    let settings = Settings::default();
    over_projects(c, "replay", |project| {
        black_box(mrt_core::schema::replay(project, &settings, None));
        0
    });
}

/// Runs `work` over the projects of the generated 1k and 10k chains, as the benchmark group
/// `name`.
fn over_projects(c: &mut Criterion, name: &str, work: impl Fn(&Project) -> usize) {
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    for n in [1_000, 10_000] {
        let (files, bytes) = sources(n);
        let project = Project::from_sources(files);
        group.throughput(Throughput::Bytes(bytes));
        group.bench_with_input(BenchmarkId::from_parameter(n), &project, |b, project| {
            b.iter(|| work(project));
        });
    }
    group.finish();
}

/// The linter `mrt check` runs: every default rule, with the fixes outlined on the findings.
fn check_linter() -> Linter {
    let rules = mrt_rules::registry()
        .select(&[], &[], &[])
        .unwrap_or_default();
    Linter::new(rules, Settings::default())
        .with_fixer(mrt_fix::fixer())
        .with_fix_detail(mrt_core::fix::FixDetail::Outline)
}

/// What `mrt check --output-format json` does after reading the files, on both chains: extraction,
/// every default rule, the fixes that mark fixable findings (outlined on them, as `mrt check` asks),
/// and the JSON report.
fn check(c: &mut Criterion) {
    let linter = check_linter();
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    for chain in [Chain::Sparse, Chain::Dense] {
        for n in [1_000, 10_000] {
            let (files, bytes) = chain_sources(chain, n);
            group.throughput(Throughput::Bytes(bytes));
            group.bench_with_input(BenchmarkId::new(chain.name(), n), &files, |b, files| {
                b.iter(|| {
                    let copies = files
                        .iter()
                        .map(|f| SourceFile::new(f.path.clone(), f.text.clone()));
                    let project = Project::from_sources(copies);
                    let diagnostics = linter.check(&project);
                    let fixes = mrt_cli::output::fix_notes(&diagnostics);
                    let mut summary = mrt_cli::output::Summary::default();
                    summary.add(&project);
                    summary.count(&diagnostics);
                    summary.count_fixes(&fixes);
                    let report =
                        mrt_cli::output::Report::new(&diagnostics, &summary).with_fixes(&fixes);
                    let mut out = Vec::new();
                    let written = mrt_cli::output::write(
                        &report,
                        mrt_cli::output::OutputFormat::Json,
                        &mut out,
                    );
                    black_box((written.is_ok(), out.len()))
                });
            });
        }
    }
    group.finish();
}

/// The findings cache on the dense chain, the project loaded: every revision judged by the replay
/// and its findings written (the findings file removed before each run, as after an edit to the
/// first revision), and every revision's findings read back (no revision changed). What `mrt
/// check` adds to the report is in `check` above.
fn findings(c: &mut Criterion) {
    let linter = check_linter();
    let mut group = c.benchmark_group("findings");
    group.sample_size(10);
    for n in [1_000, 10_000] {
        let (files, _) = chain_sources(Chain::Dense, n);
        let project = Project::from_sources(files);
        let dir =
            std::env::temp_dir().join(format!("mrt-bench-findings-{n}-{}", std::process::id()));
        let cache = mrt_core::cache::CacheDir::new(&dir, "bench");
        group.bench_function(BenchmarkId::new("judged-and-kept", n), |b| {
            b.iter_batched(
                || {
                    let _ = std::fs::remove_file(dir.join("findings"));
                },
                |()| black_box(linter.check_cached(&project, &cache)),
                BatchSize::PerIteration,
            );
        });
        let _ = linter.check_cached(&project, &cache);
        group.bench_function(BenchmarkId::new("read-back", n), |b| {
            b.iter(|| black_box(linter.check_cached(&project, &cache)));
        });
        let _ = std::fs::remove_dir_all(&dir);
    }
    group.finish();
}

/// Reading a dense chain from disk into a project: every file parsed and lowered (`--no-cache`),
/// and every file's lowering read back from a filled lowering cache (what `mrt check` does after
/// a run over the same tree), the files known by their stamps (not opened).
fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    for n in [1_000, 10_000] {
        let dir = std::env::temp_dir().join(format!("mrt-bench-load-{n}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let versions = dir.join("versions");
        let written = mrt_benches::write_dense_chain(&versions, n);
        if written.is_err() {
            eprintln!("load/{n}: cannot write the chain under {}", dir.display());
            continue;
        }
        let paths = [versions];
        let cache = mrt_core::cache::CacheDir::new(dir.join("cache"), "bench");
        group.bench_function(BenchmarkId::new("parsed", n), |b| {
            b.iter(|| black_box(Project::load_excluding(&paths, &|_| false)));
        });
        // Files changed in the last two seconds are opened: the chain is left to settle first, so
        // that the filled cache holds every file's stamp.
        std::thread::sleep(std::time::Duration::from_secs(3));
        let _ = Project::load_cached(&paths, &|_| false, &cache);
        group.bench_function(BenchmarkId::new("cached", n), |b| {
            b.iter(|| black_box(Project::load_cached(&paths, &|_| false, &cache)));
        });
        let _ = std::fs::remove_dir_all(&dir);
    }
    group.finish();
}

/// Extraction and lint over real migrations: the directory named by `MRT_BENCH_CORPUS` (for
/// example the airflow-core `versions/` directory that `scripts/fetch-corpus.sh` downloads).
/// Skipped when the variable is not set.
fn corpus(c: &mut Criterion) {
    let Some(dir) = std::env::var_os("MRT_BENCH_CORPUS") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let mut files: Vec<SourceFile> = Vec::new();
    let mut pending = vec![dir];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "py")
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                files.push(SourceFile::new(path, text));
            }
        }
    }
    let bytes: u64 = files.iter().map(|file| file.text.len() as u64).sum();
    let rules = mrt_rules::registry()
        .select(&[], &[], &[])
        .unwrap_or_default();
    let linter = Linter::new(rules, Settings::default());
    let mut group = c.benchmark_group("corpus");
    group.sample_size(20);
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("extract", |b| {
        b.iter(|| {
            let copies = files
                .iter()
                .map(|f| SourceFile::new(f.path.clone(), f.text.clone()));
            black_box(Project::from_sources(copies))
        });
    });
    let project = Project::from_sources(
        files
            .iter()
            .map(|f| SourceFile::new(f.path.clone(), f.text.clone())),
    );
    group.bench_function("lint", |b| b.iter(|| black_box(linter.check(&project))));
    group.finish();
}

criterion_group!(
    benches, extraction, lint, replay, check, findings, load, corpus
);
criterion_main!(benches);
