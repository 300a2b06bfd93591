//! The `mrt` binary.

// Parsing thousands of files allocates many small AST nodes from both cores at once; mimalloc
// handles that with less contention than the system allocator: `mrt check` of the 10k chain
// went from 358 ms to 250 ms (median of 15, scripts/bench_cli.py), peak memory 82 -> 125 MB.
// Without transparent huge pages (feature `no_thp`) its peak stays lower: with the schema replay
// and fixes in, 10k chain 0.31 s / 150 MB with huge pages, 0.35 s / 125 MB without (system
// allocator: 0.50 s / 114 MB).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    mrt_cli::main()
}
