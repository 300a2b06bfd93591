//! For the tests of crates that run real migrations (here, the binary's, the benches'): the Python
//! to run them with.

use std::path::PathBuf;
use std::process::Command;

/// `MRT_TEST_PYTHON` (else `python3`) when it can import `modules`. Where it cannot, the caller's
/// test says so and passes, except under CI (`CI` set), where a missing interpreter is a failure:
/// CI must run these tests, not skip them.
#[must_use]
pub fn python_with(modules: &[&str]) -> Option<PathBuf> {
    let python =
        std::env::var_os("MRT_TEST_PYTHON").map_or_else(|| PathBuf::from("python3"), PathBuf::from);
    let usable = Command::new(&python)
        .arg("-c")
        .arg(format!("import {}", modules.join(", ")))
        .status()
        .is_ok_and(|status| status.success());
    if usable {
        return Some(python);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must give these tests a Python with {} (MRT_TEST_PYTHON)",
        modules.join(", ")
    );
    eprintln!(
        "skipped: no Python with {} (set MRT_TEST_PYTHON)",
        modules.join(", ")
    );
    None
}

/// The entries of the system's temporary directory whose names start with `prefix`: what a run
/// left behind (`mrt-verify-pg-{pid}-` for an embedded cluster, `mrt-worker-{pid}-` for a
/// worker's directory).
#[must_use]
pub fn left_in_temp(prefix: &str) -> Vec<PathBuf> {
    std::fs::read_dir(std::env::temp_dir())
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.file_name().to_string_lossy().starts_with(prefix))
                .map(|entry| entry.path())
                .collect()
        })
        .unwrap_or_default()
}
