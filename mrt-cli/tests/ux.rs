//! What a ruff user expects of the command line: a warning when nothing was checked, standard
//! input, `--show-settings` / `--show-files`, `--color`, `--quiet` / `--verbose`, `--statistics` in
//! JSON, one `--output-format` everywhere, and `fix --since` / `--postgres-version`.

// A test that cannot build its own input should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use support::{Scratch, drop_column_revision, stderr, stdout};

fn chain() -> Scratch {
    let (first, second) = (
        drop_column_revision("a1", None, "email"),
        drop_column_revision("b2", Some("a1"), "phone"),
    );
    Scratch::new(&[
        ("versions/a1.py", first.as_bytes()),
        ("versions/b2.py", second.as_bytes()),
        ("helpers/util.py", b"def helper():\n    return 1\n"),
    ])
}

#[test]
fn nothing_to_check_is_a_warning_naming_the_paths() {
    let scratch = chain();
    std::fs::create_dir_all(scratch.path().join("empty")).unwrap();
    for path in ["empty", "helpers"] {
        let output = scratch.mrt(&["check", path]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert!(
            stderr(&output).contains(&format!("warning: No migrations found under {path}")),
            "{}",
            stderr(&output)
        );
        assert!(
            !stdout(&output).contains("All checks passed"),
            "{}",
            stdout(&output)
        );
    }
    let quiet = scratch.mrt(&["check", "empty", "--quiet"]);
    assert_eq!(stderr(&quiet), "");
    assert_eq!(stdout(&quiet), "");
}

#[test]
fn standard_input_is_checked_against_the_graph_of_its_directory() {
    let scratch = chain();
    // `b2` is a child of `a1`, which only the directory holds: no unknown-parent MRT904.
    let text = drop_column_revision("b2", Some("a1"), "fax");
    let output = scratch.mrt_with(
        &[
            "check",
            "-",
            "--stdin-filename",
            "versions/b2.py",
            "--output-format",
            "concise",
        ],
        &[],
        Some(&text),
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = stdout(&output);
    assert!(report.contains("versions/b2.py:8:29: MRT201"), "{report}");
    assert!(
        report.contains("`users.fax`"),
        "the buffer, not the file: {report}"
    );
    assert!(!report.contains("MRT904"), "{report}");
    assert!(
        !report.contains("a1.py"),
        "siblings are context only: {report}"
    );
    assert!(report.contains("in 1 migration in 1 file"), "{report}");

    let mixed = scratch.mrt_with(&["check", "-", "versions"], &[], Some(&text));
    assert_eq!(mixed.status.code(), Some(2));
    assert!(stderr(&mixed).contains("must be the only path"));
}

#[test]
fn show_settings_says_where_each_value_came_from() {
    let scratch = chain();
    std::fs::write(
        scratch.path().join("mrt.toml"),
        "dialect = \"sqlite\"\nignore = [\"MRT202\"]\nper-file-ignores = { \"versions/a1.py\" = [\"MRT201\"] }\n",
    )
    .unwrap();
    let output = scratch.mrt(&[
        "check",
        "versions",
        "--show-settings",
        "--ignore",
        "MRT203",
        "--postgres-version",
        "15",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let config = text
        .lines()
        .find_map(|line| line.strip_prefix("configuration = "))
        .expect("the configuration named");
    assert!(config.ends_with("mrt.toml"), "{text}");
    for line in [
        format!("dialect = \"sqlite\"  # {config}"),
        format!("ignore = [\"MRT202\", \"MRT203\"]  # {config} + command line"),
        "postgres-version = 15  # command line".to_owned(),
        "strict = false  # default".to_owned(),
        format!(
            "per-file-ignores = {{\"versions/a1.py\": [\"MRT201\"]}}  # {config} (globs relative to "
        ),
    ] {
        assert!(text.contains(&line), "{line} in:\n{text}");
    }
    assert!(!text.contains("\"MRT202\", \"MRT203\", \"MRT204\""));
}

#[test]
fn show_files_lists_the_migrations_that_would_be_checked() {
    let scratch = chain();
    let output = scratch.mrt(&["check", ".", "--show-files"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "./versions/a1.py\n./versions/b2.py\n");
}

#[test]
fn color_always_and_never() {
    let scratch = chain();
    let always = scratch.mrt(&["check", "versions", "--color", "always"]);
    assert!(
        stdout(&always).contains("\x1b[1;31mMRT201\x1b[0m"),
        "{}",
        stdout(&always)
    );
    let concise = scratch.mrt(&[
        "check",
        "versions",
        "--color=always",
        "--output-format",
        "concise",
    ]);
    assert!(stdout(&concise).contains("\x1b[1mversions/a1.py\x1b[0m:8:29: \x1b[1;31mMRT201"));
    // Into a pipe `auto` is plain, and JSON never has colour.
    for args in [
        &["check", "versions"][..],
        &["check", "versions", "--color", "never"],
        &[
            "check",
            "versions",
            "--color",
            "always",
            "--output-format",
            "json",
        ],
    ] {
        let output = scratch.mrt(args);
        assert!(!stdout(&output).contains('\x1b'), "{args:?}");
    }
}

#[test]
fn quiet_prints_findings_only_and_verbose_says_what_was_read() {
    let scratch = chain();
    let quiet = scratch.mrt(&["check", "versions", "-q", "--output-format", "concise"]);
    assert_eq!(quiet.status.code(), Some(1));
    let lines: Vec<String> = stdout(&quiet).lines().map(str::to_owned).collect();
    // MRT201 and MRT102 in each file, and no summary line.
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(
        lines.iter().all(|line| line.contains(" [error] ")),
        "{lines:?}"
    );

    let verbose = scratch.mrt(&["check", "versions", "--verbose"]);
    assert!(
        stderr(&verbose)
            .contains("mrt: no configuration: 2 files read under versions, 2 migrations checked"),
        "{}",
        stderr(&verbose)
    );
}

#[test]
fn statistics_follow_the_output_format() {
    let scratch = chain();
    let output = scratch.mrt(&[
        "check",
        "versions",
        "--statistics",
        "--output-format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let counts: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    // Most frequent first, then by code.
    assert_eq!(counts[0]["code"], "MRT102");
    assert_eq!(counts[1]["code"], "MRT201");
    assert_eq!(counts[1]["count"], 2);
    assert_eq!(counts[1]["name"], "drop-column");
    assert!(counts[0]["fixable"].is_u64());
}

#[test]
fn graph_and_schema_take_output_format_and_format() {
    let scratch = chain();
    for command in ["graph", "schema"] {
        let long = scratch.mrt(&[command, "versions", "--output-format", "json"]);
        assert_eq!(long.status.code(), Some(0), "{}", stderr(&long));
        let alias = scratch.mrt(&[command, "versions", "--format", "json"]);
        assert_eq!(stdout(&long), stdout(&alias));
        serde_json::from_slice::<serde_json::Value>(&long.stdout).expect("JSON");
    }
}

#[test]
fn fix_takes_since_and_postgres_version() {
    let scratch = chain();
    let output = scratch.mrt(&[
        "fix",
        "versions",
        "--diff",
        "--since",
        "a1",
        "--postgres-version",
        "11",
    ]);
    assert!(
        output.status.code().is_some_and(|code| code < 2),
        "{}",
        stderr(&output)
    );
    let unknown = scratch.mrt(&["fix", "versions", "--since", "zz"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("--since: unknown revision `zz`"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn help_and_the_hook_name_both_frameworks() {
    let scratch = chain();
    let help = scratch.mrt(&["--help"]);
    assert!(
        stdout(&help).contains("Alembic and Django migrations"),
        "{}",
        stdout(&help)
    );
    let hook = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.pre-commit-hooks.yaml"),
    )
    .unwrap();
    assert!(
        hook.contains("Check Alembic and Django migrations"),
        "{hook}"
    );
}
