//! The `mrt` binary.

fn main() -> std::process::ExitCode {
    mrt_cli::main()
}
