//! Text edits, fixes, and their application.

use mrt_core::TextSize;

pub use mrt_core::fix::{Applicability, Edit, Fix};

/// Whether two edits touch the same text. Two insertions at one offset overlap (their order would
/// be a guess); an insertion at the edge of a replacement does not.
fn overlaps(one: &Edit, other: &Edit) -> bool {
    if one.range.is_empty() && other.range.is_empty() {
        return one.range.start() == other.range.start();
    }
    one.range.start() < other.range.end() && other.range.start() < one.range.end()
        || one.range.is_empty()
            && other.range.start() < one.range.start()
            && one.range.start() < other.range.end()
        || other.range.is_empty()
            && one.range.start() < other.range.start()
            && other.range.start() < one.range.end()
}

/// The result of applying fixes to one text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Applied {
    /// The text with the applied fixes.
    pub text: String,
    /// How many fixes were applied.
    pub applied: usize,
    /// How many were skipped because they overlap one applied before them.
    pub skipped: usize,
    /// The positions (in the order given) of the fixes applied.
    pub accepted: Vec<usize>,
}

/// Applies `fixes` to `text`, in order; a fix with an edit that overlaps an edit of a fix already
/// accepted (or that falls outside the text) is skipped whole.
pub fn apply_fixes<'a>(text: &str, fixes: impl IntoIterator<Item = &'a Fix>) -> Applied {
    let mut accepted: Vec<&Edit> = Vec::new();
    let (mut applied, mut skipped) = (0, 0);
    let mut accepted_fixes = Vec::new();
    let len = TextSize::try_from(text.len()).unwrap_or(TextSize::new(u32::MAX));
    for (position, fix) in fixes.into_iter().enumerate() {
        let fits = fix.edits.iter().all(|edit| {
            edit.range.end() <= len
                && text.is_char_boundary(edit.range.start().to_usize())
                && text.is_char_boundary(edit.range.end().to_usize())
        });
        let clashes = fix.edits.iter().enumerate().any(|(nth, edit)| {
            accepted.iter().any(|other| overlaps(edit, other))
                || fix.edits[..nth].iter().any(|other| overlaps(edit, other))
        });
        if !fits || clashes {
            skipped += 1;
            continue;
        }
        accepted.extend(&fix.edits);
        accepted_fixes.push(position);
        applied += 1;
    }
    accepted.sort_by_key(|edit| (edit.range.start(), edit.range.end()));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in accepted {
        out.push_str(&text[at..edit.range.start().to_usize()]);
        out.push_str(&edit.replacement);
        at = edit.range.end().to_usize();
    }
    out.push_str(&text[at..]);
    Applied {
        text: out,
        applied,
        skipped,
        accepted: accepted_fixes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mrt_core::TextRange;

    fn range(start: u32, end: u32) -> TextRange {
        TextRange::new(start.into(), end.into())
    }

    fn fix(edits: Vec<Edit>) -> Fix {
        Fix {
            edits,
            applicability: Applicability::Safe,
            title: "test".to_owned(),
        }
    }

    #[test]
    fn edits_apply_in_offset_order() {
        let fixes = [
            fix(vec![Edit::replacement("X", range(4, 5))]),
            fix(vec![Edit::insertion("<", 0.into())]),
        ];
        let applied = apply_fixes("abc def", &fixes);
        assert_eq!(applied.text, "<abc Xef");
        assert_eq!((applied.applied, applied.skipped), (2, 0));
    }

    #[test]
    fn an_overlapping_fix_is_skipped_whole() {
        let fixes = [
            fix(vec![Edit::replacement("X", range(2, 5))]),
            fix(vec![
                Edit::insertion("!", 0.into()),
                Edit::replacement("Y", range(4, 6)),
            ]),
            fix(vec![Edit::insertion("?", 3.into())]),
        ];
        let applied = apply_fixes("abcdefg", &fixes);
        assert_eq!(applied.text, "abXfg");
        assert_eq!((applied.applied, applied.skipped), (1, 2));
    }

    #[test]
    fn insertions_at_the_edges_of_a_replacement_apply() {
        let fixes = [
            fix(vec![Edit::replacement("X", range(1, 2))]),
            fix(vec![Edit::insertion("<", 1.into())]),
            fix(vec![Edit::insertion(">", 2.into())]),
        ];
        assert_eq!(apply_fixes("abc", &fixes).text, "a<X>c");
    }

    #[test]
    fn an_edit_past_the_end_is_skipped() {
        let fixes = [fix(vec![Edit::replacement("X", range(2, 9))])];
        let applied = apply_fixes("abc", &fixes);
        assert_eq!(applied.text, "abc");
        assert_eq!(applied.skipped, 1);
    }
}
