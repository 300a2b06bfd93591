//! `gen-chain DIR N`: writes a generated chain of N Alembic revisions into DIR.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, count] = args.as_slice() else {
        eprintln!("usage: gen-chain DIR N");
        return ExitCode::from(2);
    };
    let Ok(count) = count.parse::<usize>() else {
        eprintln!("gen-chain: N must be a whole number, got `{count}`");
        return ExitCode::from(2);
    };
    match mrt_benches::write_alembic_chain(std::path::Path::new(dir), count) {
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
