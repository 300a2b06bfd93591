//! Input that is not a migration someone wrote: a FIFO, a device, a huge file, deep nesting, a
//! legacy encoding. Nothing hangs or aborts; what cannot be read is named (exit 2) and the rest is
//! still checked.

// A test that cannot build its own input should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use support::{Scratch, drop_column_revision, stderr, stdout};

#[test]
#[cfg(unix)]
fn a_fifo_and_a_link_to_a_device_are_named_and_the_rest_is_checked() {
    let good = drop_column_revision("a1", None, "email");
    let scratch = Scratch::new(&[("versions/a1.py", good.as_bytes())]);
    let versions = scratch.path().join("versions");
    let fifo = std::process::Command::new("mkfifo")
        .arg(versions.join("fifo.py"))
        .status()
        .expect("mkfifo runs");
    assert!(fifo.success());
    std::os::unix::fs::symlink("/dev/zero", versions.join("zero.py")).expect("symlink");

    // Reading either would block or never end; the test harness would hang, not pass.
    let output = scratch.mrt(&["check", "versions", "--output-format", "concise"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let errors = stderr(&output);
    for name in ["fifo.py", "zero.py"] {
        assert!(
            errors.contains(&format!("{name}: not a regular file")),
            "{errors}"
        );
    }
    assert!(
        stdout(&output).contains("a1.py:8:29: MRT201"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_file_over_the_size_limit_is_named_and_not_read() {
    let good = drop_column_revision("a1", None, "email");
    let scratch = Scratch::new(&[("versions/a1.py", good.as_bytes())]);
    let huge = scratch.path().join("versions/huge.py");
    // Sparse: the limit is checked before a byte is read.
    std::fs::File::create(&huge)
        .and_then(|file| file.set_len(mrt_core::read::MAX_FILE_SIZE + 1))
        .expect("sparse file");
    let output = scratch.mrt(&["check", "versions", "--output-format", "concise"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("huge.py: larger than 32 MiB, the limit for a migration file"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).contains("MRT201"), "{}", stdout(&output));
}

#[test]
fn deep_nesting_on_the_worker_threads_is_mrt902_not_an_abort() {
    let deep = |revision: &str, parent: Option<&str>| {
        let parent = parent.map_or_else(|| "None".to_owned(), |p| format!("\"{p}\""));
        format!(
            "revision = \"{revision}\"\ndown_revision = {parent}\n\ndef upgrade():\n    x = {}\n\n\
             def downgrade():\n    pass\n",
            vec!["1"; 100_000].join("+")
        )
    };
    let (first, second) = (deep("a1", None), deep("a2", Some("a1")));
    let lists = format!(
        "revision = \"a3\"\ndown_revision = \"a2\"\n\ndef upgrade():\n    x = {}{}\n",
        "[".repeat(33_000),
        "]".repeat(33_000)
    );
    // Several files, so that rayon hands them to its worker threads.
    let scratch = Scratch::new(&[
        ("a1.py", first.as_bytes()),
        ("a2.py", second.as_bytes()),
        ("a3.py", lists.as_bytes()),
    ]);
    let output = scratch.mrt(&["check", ".", "--output-format", "concise"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = stdout(&output);
    assert_eq!(
        report
            .matches("MRT902 [error] Syntax error: nested more than 1000 levels deep")
            .count(),
        3,
        "{report}"
    );
    assert!(report.contains("in 3 migrations"), "{report}");
}

#[test]
fn pep_263_coding_comments_are_decoded() {
    let mut latin1 = b"# -*- coding: latin-1 -*-\n".to_vec();
    latin1.extend_from_slice(drop_column_revision("a1", None, "caf\u{e9}").as_bytes());
    // `é` as one Latin-1 byte, which is not UTF-8.
    let latin1: Vec<u8> = String::from_utf8(latin1)
        .unwrap()
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect();
    let mut cp1252 = b"# vim: set fileencoding=cp1252 :\n".to_vec();
    cp1252.extend_from_slice(
        &drop_column_revision("b1", Some("a1"), "QUOTE")
            .replace("QUOTE", "\u{93}q\u{94}")
            .chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap())
            .collect::<Vec<u8>>(),
    );
    let scratch = Scratch::new(&[("a1.py", &latin1), ("b1.py", &cp1252)]);
    let output = scratch.mrt(&["check", ".", "--output-format", "concise"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = stdout(&output);
    assert!(report.contains("`users.caf\u{e9}`"), "{report}");
    assert!(report.contains("`users.\u{201c}q\u{201d}`"), "{report}");

    // `mrt fix` would write UTF-8 under a Latin-1 comment: it leaves the file alone and says so.
    let fix = scratch.mrt(&["fix", "a1.py"]);
    assert!(
        stderr(&fix).contains("a1.py: not fixed: it is stored as iso-8859-1"),
        "{}",
        stderr(&fix)
    );
    assert_eq!(std::fs::read(scratch.path().join("a1.py")).unwrap(), latin1);
}

#[test]
fn schema_json_is_printed_when_a_file_is_unreadable_or_the_graph_has_a_cycle() {
    let first = drop_column_revision("a1", None, "email");
    let scratch = Scratch::new(&[("ok/a1.py", first.as_bytes()), ("ok/bad.py", b"\xff\xfe")]);
    let output = scratch.mrt(&["schema", "ok", "--format", "json"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["order"], serde_json::json!(["a1"]));
    assert!(
        report["errors"][0]
            .as_str()
            .unwrap()
            .contains("bad.py: not valid UTF-8")
    );

    let (a, b) = (
        drop_column_revision("a", Some("b"), "x"),
        drop_column_revision("b", Some("a"), "y"),
    );
    let cycle = Scratch::new(&[("a.py", a.as_bytes()), ("b.py", b.as_bytes())]);
    let output = cycle.mrt(&["schema", ".", "--format", "json"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["order"], serde_json::json!([]));
    assert!(report["errors"][0].as_str().unwrap().contains("cycle"));
}
