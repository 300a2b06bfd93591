//! `gen-planted DIR N`: writes a chain of N revisions with planted broken downgrades into DIR, and
//! prints the planted revisions (id, kind, expected codes) one per line.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(count)) = (args.next(), args.next()) else {
        eprintln!("usage: gen-planted DIR N");
        return ExitCode::from(2);
    };
    let Ok(count) = count.parse::<usize>() else {
        eprintln!("gen-planted: N must be a number, not `{count}`");
        return ExitCode::from(2);
    };
    let dir = PathBuf::from(dir);
    let (files, planted) = mrt_benches::planted_chain(count);
    if let Err(error) = std::fs::create_dir_all(&dir) {
        eprintln!("gen-planted: cannot create {}: {error}", dir.display());
        return ExitCode::from(2);
    }
    for file in files {
        let path = dir.join(&file.name);
        if let Err(error) = std::fs::write(&path, file.text) {
            eprintln!("gen-planted: cannot write {}: {error}", path.display());
            return ExitCode::from(2);
        }
    }
    for plant in planted {
        println!(
            "{} {} {}",
            plant.revision,
            plant.codes.join(","),
            plant.kind
        );
    }
    ExitCode::SUCCESS
}
