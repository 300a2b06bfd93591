//! The `mrt` binary as a user runs it: exit codes, messages, and output on the shipped examples.

// A test that cannot read its own fixtures should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn mrt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mrt"))
        .args(args)
        .current_dir(workspace_root())
        .output()
        .expect("the mrt binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh directory under the system temp dir, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(files: &[(&str, &str)]) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "mrt-cli-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        for (name, text) in files {
            std::fs::write(dir.join(name), text).expect("write fixture");
        }
        Self(dir)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("utf-8 temp path")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn examples_report_the_planted_findings_at_their_lines() {
    let output = mrt(&["check", "examples/alembic", "--output-format", "concise"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn full_output_underlines_the_argument_and_gives_help() {
    let output = mrt(&[
        "check",
        "examples/alembic/versions/0002_drop_legacy_columns.py",
    ]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn json_output_has_the_documented_fields() {
    let output = mrt(&["check", "examples/alembic", "--output-format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    assert_eq!(report["version"], 1);
    let findings = report["findings"].as_array().expect("findings array");
    assert_eq!(findings.len(), 6);
    let first = &findings[0];
    for field in [
        "code",
        "name",
        "severity",
        "message",
        "path",
        "revision",
        "line",
        "column",
        "end_line",
        "end_column",
    ] {
        assert!(
            first.get(field).is_some(),
            "finding lacks `{field}`: {first}"
        );
    }
    assert_eq!(first["code"], "MRT201");
    assert_eq!(first["revision"], "0002");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(17), Some(29))
    );
    let summary = &report["summary"];
    assert_eq!(summary["migrations"], 5);
    assert_eq!(summary["revisions"], 5);
    assert_eq!(summary["parent_links"], 4);
    assert_eq!(summary["unknown_parents"], 0);
}

#[test]
fn a_syntax_error_is_a_finding_and_the_others_are_still_checked() {
    let scratch = Scratch::new(&[
        (
            "a_broken.py",
            "from alembic import op\nrevision = 'r2'\ndown_revision = 'r1'\n\ndef upgrade(:\n    pass\n\ndef downgrade():\n    pass\n",
        ),
        (
            "b_valid.py",
            "from alembic import op\nrevision = 'r1'\ndown_revision = None\n\ndef upgrade():\n    op.drop_column('users', 'email')\n\ndef downgrade():\n    pass\n",
        ),
        (
            "c_clean.py",
            "from alembic import op\nrevision = 'r3'\ndown_revision = 'r2'\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n",
        ),
    ]);
    let output = mrt(&["check", scratch.path(), "--output-format", "concise"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("a_broken.py:5:13: MRT902 [error] Syntax error:"),
        "{text}"
    );
    assert!(text.contains("b_valid.py:6:29: MRT201"), "{text}");
    assert!(text.contains("b_valid.py:8:5: MRT102"), "{text}");
    assert!(!text.contains("c_clean.py"), "{text}");
}

#[test]
fn a_missing_path_is_named_and_exits_2() {
    let output = mrt(&["check", "examples/alembic", "no/such/dir"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no/such/dir: no such file or directory"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_unreadable_file_is_named_and_exits_2() {
    let scratch = Scratch::new(&[]);
    std::fs::write(
        Path::new(scratch.path()).join("latin1.py"),
        b"revision = '\xe9'\n",
    )
    .expect("write");
    let output = mrt(&["check", scratch.path()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("latin1.py: not valid UTF-8"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn noqa_on_any_line_of_a_multi_line_call_suppresses_only_its_code() {
    let call = |noqa_line: usize, code: &str| {
        let mut lines = [
            "    op.drop_column(",
            "        \"users\",",
            "        \"email\",",
            "    )",
        ];
        let annotated = format!("{}  # noqa: {code}", lines[noqa_line]);
        lines[noqa_line] = &annotated;
        let body = lines.join("\n");
        format!(
            "from alembic import op\nrevision = 'x'\ndown_revision = None\n\ndef upgrade():\n{body}\n\ndef downgrade():\n    op.execute('SELECT 1')\n"
        )
    };
    for line in 0..4 {
        let suppressed = Scratch::new(&[("m.py", &call(line, "MRT201"))]);
        let output = mrt(&["check", suppressed.path(), "--output-format", "concise"]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "noqa on line {line}: {}",
            stdout(&output)
        );

        let other = Scratch::new(&[("m.py", &call(line, "MRT202"))]);
        let output = mrt(&["check", other.path(), "--output-format", "concise"]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "MRT202 on line {line} must not suppress"
        );
        assert!(stdout(&output).contains("MRT201"));
    }
}

#[test]
fn select_and_ignore_choose_rules_and_unknown_selectors_exit_2() {
    let ignored = mrt(&[
        "check",
        "examples/alembic",
        "--ignore",
        "MRT1,MRT2",
        "--output-format",
        "concise",
    ]);
    assert_eq!(ignored.status.code(), Some(0), "{}", stdout(&ignored));
    let selected = mrt(&[
        "check",
        "examples/alembic",
        "--select",
        "drop-column",
        "--output-format",
        "concise",
    ]);
    assert_eq!(
        stdout(&selected)
            .lines()
            .filter(|line| line.contains(": MRT"))
            .count(),
        1
    );
    let unknown = mrt(&["check", "examples/alembic", "--select", "MRT999"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("MRT999"));
}

#[test]
fn rules_lists_and_rule_explains() {
    let list = mrt(&["rules"]);
    assert_eq!(list.status.code(), Some(0));
    let text = stdout(&list);
    for code in ["MRT101", "MRT102", "MRT201", "MRT206", "MRT902"] {
        assert!(text.contains(code), "{code} missing from:\n{text}");
    }
    let rule = mrt(&["rule", "MRT201"]);
    assert_eq!(rule.status.code(), Some(0));
    let page = stdout(&rule);
    assert!(page.starts_with("# drop-column (MRT201)"));
    assert!(page.contains("## Why is this bad?"));
    let alias = mrt(&["rule", "MRT209"]);
    assert_eq!(stdout(&alias), page);
    let unknown = mrt(&["rule", "MRT999"]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn bad_usage_exits_2() {
    let output = mrt(&["check", "--output-format", "xml"]);
    assert_eq!(output.status.code(), Some(2));
    let output = mrt(&["check", "--dialect", "oracle"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("oracle"));
}

#[test]
fn graph_formats_show_heads_and_bases() {
    let dir = "mrt-rules/resources/fixtures/multiple_heads/labelled_fork";
    let text = mrt(&["graph", dir]);
    assert_eq!(text.status.code(), Some(0));
    insta::assert_snapshot!("graph_text", stdout(&text));
    let json = mrt(&["graph", dir, "--format", "json"]);
    let graph: serde_json::Value = serde_json::from_slice(&json.stdout).expect("valid JSON");
    assert_eq!(graph["heads"], serde_json::json!(["c1", "e2", "e2b"]));
    assert_eq!(graph["bases"], serde_json::json!(["base"]));
    assert_eq!(graph["revisions"][0]["revision"], "base");
    assert_eq!(
        graph["revisions"][1]["branch_labels"],
        serde_json::json!(["contract"])
    );
    insta::assert_snapshot!(
        "graph_dot",
        stdout(&mrt(&["graph", dir, "--format", "dot"]))
    );
    insta::assert_snapshot!(
        "graph_mermaid",
        stdout(&mrt(&["graph", dir, "--format", "mermaid"]))
    );
}

#[test]
fn since_reports_only_newer_revisions_and_rejects_unknown_ones() {
    let all = mrt(&["check", "examples/alembic", "--output-format", "concise"]);
    assert!(stdout(&all).contains("0002_drop_legacy_columns.py"));
    let since = mrt(&[
        "check",
        "examples/alembic",
        "--since",
        "0002",
        "--output-format",
        "concise",
    ]);
    assert_eq!(since.status.code(), Some(1));
    let text = stdout(&since);
    assert!(!text.contains("0002_drop_legacy_columns.py"), "{text}");
    assert!(text.contains("0003_index_with_noop_downgrade.py"), "{text}");
    assert!(text.contains("0004_add_signup_source.py"), "{text}");
    let head = mrt(&["check", "examples/alembic", "--since", "0005"]);
    assert_eq!(
        head.status.code(),
        Some(0),
        "nothing descends from the head"
    );
    let unknown = mrt(&["check", "examples/alembic", "--since", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("unknown revision `nope`"),
        "{}",
        stderr(&unknown)
    );
    let ambiguous = mrt(&["check", "examples/alembic", "--since", "000"]);
    assert_eq!(ambiguous.status.code(), Some(2));
    assert!(stderr(&ambiguous).contains("ambiguous"));
}

#[test]
fn graph_rules_report_forks_and_can_be_suppressed() {
    let fork = Scratch::new(&[
        (
            "base.py",
            "revision = 'base'\ndown_revision = None\ndef upgrade():\n    pass\ndef downgrade():\n    pass\n",
        ),
        (
            "a.py",
            "revision = 'a'  # noqa: MRT901\ndown_revision = 'base'\ndef upgrade():\n    pass\ndef downgrade():\n    pass\n",
        ),
        (
            "b.py",
            "revision = 'b'\ndown_revision = 'base'\ndef upgrade():\n    pass\ndef downgrade():\n    pass\n",
        ),
    ]);
    let output = mrt(&["check", fork.path(), "--output-format", "concise"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("b.py:1:12: MRT901"), "{text}");
    assert!(!text.contains("a.py"), "suppressed on a.py: {text}");
}

#[test]
fn a_file_given_alone_is_checked_against_the_graph_of_its_directory() {
    // A pre-commit hook passes only changed files: their parents live in the sibling files.
    let output = mrt(&[
        "check",
        "examples/alembic/versions/0003_index_with_noop_downgrade.py",
        "--output-format",
        "concise",
    ]);
    let text = stdout(&output);
    assert!(!text.contains("MRT904"), "{text}");
    assert!(
        text.contains("0003_index_with_noop_downgrade.py:19:5: MRT102"),
        "{text}"
    );
    assert!(
        !text.contains("0004"),
        "siblings are context, not checked: {text}"
    );

    let fork = "mrt-rules/resources/fixtures/multiple_heads/fork/a1.py";
    let output = mrt(&["check", fork, "--output-format", "concise"]);
    assert!(
        stdout(&output).contains("a1.py:3:12: MRT901"),
        "{}",
        stdout(&output)
    );
    assert!(!stdout(&output).contains("b2.py"));
}

#[test]
fn since_counts_tables_created_after_the_release_as_new() {
    // r1 creates `reports` after the release r0; r2 indexes it. Not yet released, the table holds
    // no production rows: building the index there locks nothing that matters.
    let revision = |id: &str, parent: &str, upgrade: &str, downgrade: &str| {
        format!(
            "import sqlalchemy as sa\nfrom alembic import op\n\nrevision = \"{id}\"\ndown_revision = {parent}\n\n\ndef upgrade():\n    {upgrade}\n\n\ndef downgrade():\n    {downgrade}\n"
        )
    };
    let r0 = revision(
        "r0",
        "None",
        "op.create_table(\"users\", sa.Column(\"id\", sa.Integer(), primary_key=True))",
        "op.drop_table(\"users\")",
    );
    let r1 = revision(
        "r1",
        "\"r0\"",
        "op.create_table(\"reports\", sa.Column(\"id\", sa.Integer(), primary_key=True), sa.Column(\"day\", sa.Date()))",
        "op.drop_table(\"reports\")",
    );
    let r2 = revision(
        "r2",
        "\"r1\"",
        "op.create_index(\"ix_reports_day\", \"reports\", [\"day\"])",
        "op.drop_index(\"ix_reports_day\", table_name=\"reports\")",
    );
    let scratch = Scratch::new(&[("r0.py", &r0), ("r1.py", &r1), ("r2.py", &r2)]);
    let check = |since: &str| {
        let output = mrt(&[
            "check",
            scratch.path(),
            "--since",
            since,
            "--strict",
            "--output-format",
            "concise",
        ]);
        stdout(&output)
    };
    let before_table = check("r0");
    assert!(!before_table.contains("MRT407"), "{before_table}");
    let after_table = check("r1");
    assert!(
        after_table.contains("r2.py:9:21: MRT407"),
        "the table was released with r1: {after_table}"
    );
}
