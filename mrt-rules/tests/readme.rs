//! What the README says of the library: its snippet is the crate documentation's (compiled as a
//! doctest), and its count of rules is the registry's.

// A test that cannot read the README should stop loudly.
#![allow(clippy::expect_used)]

use std::path::Path;

/// The first code block fenced with `fence` after `after` in `text`.
fn block<'a>(text: &'a str, after: &str, fence: &str) -> &'a str {
    let from = text.find(after).expect("the marker");
    let start = text[from..].find(fence).expect("the fence") + from + fence.len();
    let end = text[start..].find("```").expect("the closing fence") + start;
    &text[start..end]
}

#[test]
fn readme_snippet_is_the_doctest() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../README.md")).expect("README");
    let lib = std::fs::read_to_string(root.join("src/lib.rs")).expect("lib.rs");
    let mut docs = String::new();
    for line in lib.lines().filter_map(|line| line.strip_prefix("//!")) {
        docs.push_str(line.strip_prefix(' ').unwrap_or(line));
        docs.push('\n');
    }
    let in_readme = block(&readme, "## Using the library", "```rust\n");
    let in_docs = block(&docs, "the README's snippet", "```no_run\n");
    assert_eq!(
        in_readme, in_docs,
        "README.md and mrt-rules/src/lib.rs differ"
    );
}

#[test]
fn readme_counts_the_rollback_risk_patterns() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../README.md")).expect("README");
    let words = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    // The README names the others one by one: the graph rules, MRT802, MRT803, MRT902, and the
    // rolling-deploy rules MRT701 to MRT705.
    let named = [
        "MRT802", "MRT803", "MRT901", "MRT902", "MRT903", "MRT904", "MRT905", "MRT906",
    ];
    let patterns = mrt_rules::registry()
        .rules()
        .iter()
        .map(|rule| rule.meta().code)
        .filter(|code| mrt_rules::is_builtin(code))
        .filter(|code| !code.starts_with("MRT7") && !named.contains(code))
        .count();
    assert!(
        words.contains(&format!("the {patterns} rollback-risk patterns")),
        "README.md should say \"the {patterns} rollback-risk patterns\""
    );
}

#[test]
fn readme_starts_with_run_and_test_in_one_profile_and_ci_runs_that_test() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../README.md")).expect("README");
    let first = block(&readme, "# mrt", "```sh\n");
    let commands: Vec<&str> = first
        .lines()
        .map(|line| line.split('#').next().unwrap_or(line).trim())
        .collect();
    assert_eq!(
        commands,
        [
            "cargo run -p mrt-cli -- check examples/alembic",
            "cargo test --workspace"
        ],
        "the README's first commands: one dev build for both"
    );
    let ci = std::fs::read_to_string(root.join("../.ci/run")).expect(".ci/run");
    assert!(
        ci.lines().any(|line| line.trim() == commands[1]),
        ".ci/run runs the README's test command"
    );
}
