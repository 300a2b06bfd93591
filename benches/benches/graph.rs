//! The revision graph of linear chains with a merge every 100 revisions: build, heads, bases and
//! the cycle check, as `mrt check` does them.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mrt_core::graph::{RevisionGraph, RevisionNode};

/// `n` revisions: a main line, with a side branch forked and merged back every 100 revisions.
fn revisions(n: usize) -> Vec<RevisionNode> {
    (0..n)
        .map(|i| {
            let parents = match i {
                0 => Vec::new(),
                _ if i % 100 == 50 => vec![format!("r{:06}", i - 2)],
                _ if i % 100 == 51 => vec![format!("r{:06}", i - 2), format!("r{:06}", i - 1)],
                _ => vec![format!("r{:06}", i - 1)],
            };
            RevisionNode {
                id: format!("r{i:06}"),
                parents,
                ..RevisionNode::default()
            }
        })
        .collect()
}

fn graph(c: &mut Criterion) {
    let mut group = c.benchmark_group("graph");
    for n in [1_000, 10_000, 100_000] {
        let nodes = revisions(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(
            BenchmarkId::new("build+heads+bases+cycles", n),
            &nodes,
            |b, nodes| {
                b.iter(|| {
                    let graph = RevisionGraph::build(nodes);
                    black_box((graph.heads(), graph.bases(), graph.cycles()))
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, graph);
criterion_main!(benches);
