//! Unified diffs of fixed files, in the form `git apply` and `patch -p1` accept.

use std::fmt::Write as _;

/// A unified diff from `old` to `new` with `a/<path>` / `b/<path>` headers and three lines of
/// context; empty when the texts are equal.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let diff = similar::TextDiff::from_lines(old, new);
    let path = path.strip_prefix("./").unwrap_or(path);
    let (old_name, new_name) = (
        git_name(&format!("a/{path}")),
        git_name(&format!("b/{path}")),
    );
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        out.push_str(&hunk.to_string());
    }
    out
}

/// A file name in a `---`/`+++` line as git writes it, so that `git apply` reads it back: in
/// double quotes with C escapes when it holds a control character, a quote, a backslash or a
/// non-ASCII byte (octal, byte by byte); followed by a tab when it holds a space (the tab ends
/// the name).
fn git_name(name: &str) -> String {
    let needs_quotes = name
        .bytes()
        .any(|b| !(0x20..0x7f).contains(&b) || b == b'"' || b == b'\\');
    if !needs_quotes {
        return if name.contains(' ') {
            format!("{name}\t")
        } else {
            name.to_owned()
        };
    }
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for b in name.bytes() {
        match b {
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            0x0b => out.push_str("\\v"),
            0x0c => out.push_str("\\f"),
            b'\r' => out.push_str("\\r"),
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b if !(0x20..0x7f).contains(&b) => {
                let _ = write!(out, "\\{b:03o}");
            }
            b => out.push(char::from(b)),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified_diff("a.py", "x\n", "x\n"), "");
    }

    #[test]
    fn a_change_has_headers_and_a_hunk() {
        let diff = unified_diff("./v/a.py", "a\nb\n", "a\nc\n");
        assert_eq!(
            diff,
            "--- a/v/a.py\n+++ b/v/a.py\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
        );
    }

    #[test]
    fn odd_names_are_quoted_as_git_quotes_them() {
        assert_eq!(git_name("a/v/x.py"), "a/v/x.py");
        assert_eq!(git_name("a/v/my rev.py"), "a/v/my rev.py\t");
        assert_eq!(git_name("a/v/tab\there.py"), "\"a/v/tab\\there.py\"");
        assert_eq!(git_name("a/q\"b\\c.py"), "\"a/q\\\"b\\\\c.py\"");
        assert_eq!(git_name("a/é.py"), "\"a/\\303\\251.py\"");
        let diff = unified_diff("v/new\nline.py", "a\n", "b\n");
        assert!(
            diff.starts_with("--- \"a/v/new\\nline.py\"\n+++ \"b/v/new\\nline.py\"\n"),
            "{diff}"
        );
    }

    #[test]
    fn a_missing_final_newline_is_marked() {
        let diff = unified_diff("a.py", "a", "a\nb");
        assert!(diff.contains("\\ No newline at end of file"), "{diff}");
    }
}
