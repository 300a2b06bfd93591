//! Unified diffs of fixed files, in the form `git apply` and `patch -p1` accept.

/// A unified diff from `old` to `new` with `a/<path>` / `b/<path>` headers and three lines of
/// context; empty when the texts are equal.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let diff = similar::TextDiff::from_lines(old, new);
    let path = path.strip_prefix("./").unwrap_or(path);
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        out.push_str(&hunk.to_string());
    }
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
    fn a_missing_final_newline_is_marked() {
        let diff = unified_diff("a.py", "a", "a\nb");
        assert!(diff.contains("\\ No newline at end of file"), "{diff}");
    }
}
