//! Suppression comments: `# noqa`, `# noqa: CODES`, legacy `# mrt: ignore[: CODES]`, and the
//! file-level `# mrt: noqa[: CODES]`.
//!
//! Comments come from the tokenizer, so `# noqa` inside a string literal is never a directive.

use ruff_text_size::TextRange;

/// Which codes a directive names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Codes {
    /// No list: every finding is suppressed.
    All,
    /// These codes, upper-cased, each with its range in the comment. Codes of other tools
    /// (`E501`) are kept: they simply match no rule of ours.
    Listed(Vec<(String, TextRange)>),
}

impl Codes {
    /// Whether the directive covers a rule with this code or one of these aliases.
    pub fn covers(&self, code: &str, aliases: &[&str]) -> bool {
        match self {
            Codes::All => true,
            Codes::Listed(codes) => codes
                .iter()
                .any(|(listed, _)| listed == code || aliases.contains(&listed.as_str())),
        }
    }
}

/// A directive on one line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LineDirective {
    /// One-based line of the comment.
    pub line: usize,
    /// The codes it names.
    pub codes: Codes,
    /// The directive's text in the comment (`noqa: MRT201`).
    pub range: TextRange,
}

/// Every suppression directive of a file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Suppressions {
    /// Line directives, sorted by line.
    pub lines: Vec<LineDirective>,
    /// File-level directives (`# mrt: noqa`).
    pub file: Vec<LineDirective>,
}

/// Which directive (and which code in it) suppressed a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DirectiveRef {
    /// A file-level directive (`# mrt: noqa`), else a line directive.
    pub file_level: bool,
    /// Index into [`Suppressions::file`] or [`Suppressions::lines`].
    pub index: usize,
    /// Index of the code in its list; `None` for a directive without codes.
    pub code: Option<usize>,
}

/// A directive's code (or the directive as a whole, when it lists none), and whether it
/// suppressed anything: what MRT802 judges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveUse {
    /// The directive.
    pub directive: LineDirective,
    /// The code, upper-cased, and its range; `None` for a directive that lists no code.
    pub code: Option<(String, TextRange)>,
    /// It suppressed at least one finding.
    pub used: bool,
    /// A file-level directive.
    pub file_level: bool,
    /// The code names a rule this run checks (a directive for a rule not run is not unused).
    pub enabled: bool,
}

impl Suppressions {
    /// Whether a finding of a rule, spanning the given lines (inclusive), is suppressed.
    pub fn suppresses(&self, code: &str, aliases: &[&str], lines: (usize, usize)) -> bool {
        !self.suppressing(code, aliases, lines).is_empty()
    }

    /// Every directive (and code) that suppresses a finding of a rule spanning the given lines.
    pub fn suppressing(
        &self,
        code: &str,
        aliases: &[&str],
        lines: (usize, usize),
    ) -> Vec<DirectiveRef> {
        let (first, last) = lines;
        let start = self.lines.partition_point(|d| d.line < first);
        let line_directives = self.lines[start..]
            .iter()
            .enumerate()
            .take_while(|(_, d)| d.line <= last)
            .map(|(offset, d)| (false, start + offset, d));
        let file_directives = self
            .file
            .iter()
            .enumerate()
            .map(|(index, d)| (true, index, d));
        let mut found = Vec::new();
        for (file_level, index, directive) in file_directives.chain(line_directives) {
            let code = match &directive.codes {
                Codes::All => None,
                Codes::Listed(codes) => {
                    let matching = codes.iter().position(|(listed, _)| {
                        listed == code || aliases.contains(&listed.as_str())
                    });
                    match matching {
                        Some(position) => Some(position),
                        None => continue,
                    }
                }
            };
            found.push(DirectiveRef {
                file_level,
                index,
                code,
            });
        }
        found
    }

    /// Every directive's codes with whether they were used; `enabled` says whether a code names a
    /// rule of this run.
    pub fn uses(
        &self,
        used: &std::collections::HashSet<DirectiveRef>,
        enabled: impl Fn(&str) -> bool,
    ) -> Vec<DirectiveUse> {
        let file = self
            .file
            .iter()
            .enumerate()
            .map(|(index, d)| (true, index, d));
        let lines = self
            .lines
            .iter()
            .enumerate()
            .map(|(index, d)| (false, index, d));
        let mut uses = Vec::new();
        for (file_level, index, directive) in file.chain(lines) {
            let reference = |code| DirectiveRef {
                file_level,
                index,
                code,
            };
            match &directive.codes {
                Codes::All => uses.push(DirectiveUse {
                    directive: directive.clone(),
                    code: None,
                    used: used.contains(&reference(None)),
                    file_level,
                    enabled: true,
                }),
                Codes::Listed(codes) => {
                    for (position, (code, range)) in codes.iter().enumerate() {
                        uses.push(DirectiveUse {
                            directive: directive.clone(),
                            code: Some((code.clone(), *range)),
                            used: used.contains(&reference(Some(position))),
                            file_level,
                            enabled: enabled(code),
                        });
                    }
                }
            }
        }
        uses
    }
}

/// What kind of directive a comment holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectiveScope {
    /// Applies to the line it is on.
    Line,
    /// Applies to the whole file.
    File,
}

/// Reads the directives of one comment (the text from `#` to the end of the line). A comment may
/// hold several (`# type: ignore  # noqa: MRT201`); each `#` starts a candidate.
pub fn parse_comment(comment: &str, comment_start: u32) -> Vec<(DirectiveScope, Codes, TextRange)> {
    let mut found = Vec::new();
    for (hash, _) in comment.match_indices('#') {
        let after_hash = &comment[hash + 1..];
        let body = after_hash.trim_start();
        let body_start = hash + 1 + (after_hash.len() - body.len());
        let Some((scope, rest_start)) = directive_keyword(body) else {
            continue;
        };
        let codes_at = body_start + rest_start;
        let (codes, codes_end) =
            parse_codes(&comment[codes_at..], comment_start + offset(codes_at));
        let end = codes_at + codes_end;
        let range = TextRange::new(
            (comment_start + offset(body_start)).into(),
            (comment_start + offset(end)).into(),
        );
        found.push((scope, codes, range));
    }
    found
}

fn offset(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// Matches `noqa`, `mrt: noqa`, `mrt: ignore` (any case) at the start of `body`; returns the scope and
/// the index just after the keyword. Runs on every comment of every file, so it compares in place
/// rather than lower-casing a copy of the comment.
fn directive_keyword(body: &str) -> Option<(DirectiveScope, usize)> {
    if strip_keyword(body, "noqa").is_some() && !continues_word(body, 4) {
        return Some((DirectiveScope::Line, 4));
    }
    let rest = strip_keyword(body, "mrt")?;
    let rest = rest.trim_start();
    let rest = rest.strip_prefix(':')?;
    let rest_trimmed = rest.trim_start();
    let consumed = body.len() - rest_trimmed.len();
    if strip_keyword(rest_trimmed, "noqa").is_some() && !continues_word(rest_trimmed, 4) {
        Some((DirectiveScope::File, consumed + 4))
    } else if strip_keyword(rest_trimmed, "ignore").is_some() && !continues_word(rest_trimmed, 6) {
        Some((DirectiveScope::Line, consumed + 6))
    } else {
        None
    }
}

/// `text` after `keyword` (lower-case ASCII), if it starts with it in any case.
fn strip_keyword<'a>(text: &'a str, keyword: &str) -> Option<&'a str> {
    let head = text.as_bytes().get(..keyword.len())?;
    // The head matched ASCII bytes, so `keyword.len()` is a character boundary.
    head.eq_ignore_ascii_case(keyword.as_bytes())
        .then(|| &text[keyword.len()..])
}

fn continues_word(text: &str, at: usize) -> bool {
    text.as_bytes()
        .get(at)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

/// Reads `: CODE, CODE CODE` after a keyword; returns the codes and the index in `rest` where the
/// list ends. No colon, or a colon with no code: all codes.
fn parse_codes(rest: &str, rest_start: u32) -> (Codes, usize) {
    let trimmed = rest.trim_start();
    let Some(list) = trimmed.strip_prefix(':') else {
        return (Codes::All, 0);
    };
    let mut index = rest.len() - list.len();
    let mut end = index;
    let mut codes = Vec::new();
    loop {
        index += rest[index..]
            .find(|c: char| c != ',' && !c.is_whitespace())
            .unwrap_or(rest.len() - index);
        let word_len = code_len(&rest[index..]);
        if word_len == 0 {
            break;
        }
        let start = rest_start + offset(index);
        codes.push((
            rest[index..index + word_len].to_ascii_uppercase(),
            TextRange::new(start.into(), (start + offset(word_len)).into()),
        ));
        index += word_len;
        end = index;
    }
    if codes.is_empty() {
        (Codes::All, end)
    } else {
        (Codes::Listed(codes), end)
    }
}

/// Length of a code (`MRT201`, `E501`: letters then digits) at the start of `text`, or 0.
fn code_len(text: &str) -> usize {
    let letters = text.bytes().take_while(u8::is_ascii_alphabetic).count();
    let digits = text[letters..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    if letters == 0 || digits == 0 || continues_word(text, letters + digits) {
        0
    } else {
        letters + digits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes_of(comment: &str) -> Vec<(DirectiveScope, Codes)> {
        parse_comment(comment, 0)
            .into_iter()
            .map(|(scope, codes, _)| (scope, codes))
            .collect()
    }

    fn listed(codes: &[&str]) -> Vec<String> {
        codes.iter().map(|c| (*c).to_owned()).collect()
    }

    fn names(codes: &Codes) -> Vec<String> {
        match codes {
            Codes::All => vec!["*".to_owned()],
            Codes::Listed(list) => list.iter().map(|(c, _)| c.clone()).collect(),
        }
    }

    #[test]
    fn blanket_noqa() {
        assert_eq!(codes_of("# noqa"), vec![(DirectiveScope::Line, Codes::All)]);
        assert_eq!(codes_of("#NOQA"), vec![(DirectiveScope::Line, Codes::All)]);
    }

    #[test]
    fn listed_codes_any_separator_and_case() {
        let parsed = codes_of("# noqa : mrt201,MRT202  E501 trailing words");
        assert_eq!(parsed.len(), 1);
        assert_eq!(names(&parsed[0].1), listed(&["MRT201", "MRT202", "E501"]));
    }

    #[test]
    fn noqa_after_another_comment() {
        let parsed = codes_of("# type: ignore  # noqa: MRT201");
        assert_eq!(names(&parsed[0].1), listed(&["MRT201"]));
    }

    #[test]
    fn legacy_and_file_level() {
        assert_eq!(
            codes_of("# mrt: ignore"),
            vec![(DirectiveScope::Line, Codes::All)]
        );
        let file = codes_of("# mrt: noqa: MRT101");
        assert_eq!(file[0].0, DirectiveScope::File);
        assert_eq!(names(&file[0].1), listed(&["MRT101"]));
    }

    #[test]
    fn words_that_only_start_like_a_directive_are_not_directives() {
        assert!(codes_of("# noqas are great").is_empty());
        assert!(codes_of("# mrt: ignored").is_empty());
        assert!(codes_of("# see the noqa docs").is_empty());
    }

    #[test]
    fn code_ranges_point_into_the_comment() {
        let comment = "# noqa: MRT201";
        let parsed = parse_comment(comment, 100);
        let Codes::Listed(codes) = &parsed[0].1 else {
            panic!("expected listed codes");
        };
        assert_eq!(codes[0].1, TextRange::new(108.into(), 114.into()));
        assert_eq!(parsed[0].2, TextRange::new(102.into(), 114.into()));
    }

    #[test]
    fn suppression_spans_lines() {
        let suppressions = Suppressions {
            lines: vec![LineDirective {
                line: 5,
                codes: Codes::Listed(vec![("MRT209".to_owned(), TextRange::default())]),
                range: TextRange::default(),
            }],
            file: Vec::new(),
        };
        assert!(suppressions.suppresses("MRT201", &["MRT209"], (3, 6)));
        assert!(!suppressions.suppresses("MRT201", &["MRT209"], (6, 8)));
        assert!(!suppressions.suppresses("MRT202", &[], (3, 6)));
    }
}
