//! Extraction and linting over generated chains of 1k and 10k revisions.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mrt_core::{Linter, Project, Settings, SourceFile};

fn sources(n: usize) -> (Vec<SourceFile>, u64) {
    let files = mrt_benches::alembic_chain(n);
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
    let mut group = c.benchmark_group("lint");
    group.sample_size(10);
    for n in [1_000, 10_000] {
        let (files, bytes) = sources(n);
        let project = Project::from_sources(files);
        group.throughput(Throughput::Bytes(bytes));
        group.bench_with_input(BenchmarkId::from_parameter(n), &project, |b, project| {
            b.iter(|| black_box(linter.check(project)));
        });
    }
    group.finish();
}

criterion_group!(benches, extraction, lint);
criterion_main!(benches);
