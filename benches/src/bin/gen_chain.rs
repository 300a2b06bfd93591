//! `gen-chain [--dense] DIR N`: writes a generated chain of N Alembic revisions into DIR.
//!
//! The default chain is sparse (few findings); `--dense` writes the finding-dense chain (merges,
//! enum columns, renames, missing and partial downgrades).

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let dense = args.first().is_some_and(|arg| arg == "--dense");
    if dense {
        args.remove(0);
    }
    let [dir, count] = args.as_slice() else {
        eprintln!("usage: gen-chain [--dense] DIR N");
        return ExitCode::from(2);
    };
    let Ok(count) = count.parse::<usize>() else {
        eprintln!("gen-chain: N must be a whole number, got `{count}`");
        return ExitCode::from(2);
    };
    let dir_path = std::path::Path::new(dir);
    let written = if dense {
        mrt_benches::write_dense_chain(dir_path, count)
    } else {
        mrt_benches::write_alembic_chain(dir_path, count)
    };
    match written {
        Ok(bytes) => {
            println!("wrote {count} revisions ({bytes} bytes) to {dir}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("gen-chain: {dir}: {error}");
            ExitCode::from(2)
        }
    }
}
