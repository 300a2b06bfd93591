//! `gen-verify-chain DIR N [--clean] [--drops]`: writes an executable Alembic chain of N revisions
//! into DIR (with rollback faults planted in one revision of six, unless `--clean`; with `--drops`,
//! correct revisions that drop a column, whose rows no downgrade brings back), and prints what
//! `mrt verify` must say of each revision: `id passed` or `id failed KIND`, then what it does.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let clean = args.iter().any(|arg| arg == "--clean");
    let drops = args.iter().any(|arg| arg == "--drops");
    let positional: Vec<&String> = args.iter().filter(|arg| !arg.starts_with("--")).collect();
    let [dir, count] = positional.as_slice() else {
        eprintln!("usage: gen-verify-chain DIR N [--clean] [--drops]");
        return ExitCode::from(2);
    };
    let Ok(count) = count.parse::<usize>() else {
        eprintln!("gen-verify-chain: N must be a number, not `{count}`");
        return ExitCode::from(2);
    };
    let dir = PathBuf::from(dir);
    let (files, expected) = mrt_benches::executable_chain_with(count, !clean, drops);
    if let Err(error) = std::fs::create_dir_all(&dir) {
        eprintln!("gen-verify-chain: cannot create {}: {error}", dir.display());
        return ExitCode::from(2);
    }
    for file in files {
        let path = dir.join(&file.name);
        if let Err(error) = std::fs::write(&path, file.text) {
            eprintln!("gen-verify-chain: cannot write {}: {error}", path.display());
            return ExitCode::from(2);
        }
    }
    for revision in expected {
        match revision.kind {
            Some(kind) => println!("{} failed {kind} {}", revision.revision, revision.what),
            None => println!("{} passed {}", revision.revision, revision.what),
        }
    }
    ExitCode::SUCCESS
}
