//! The style of a migration file, so generated code reads like the rest of it: its indentation,
//! its names for `op` and `sqlalchemy`, its quotes and line endings.

/// How a file writes things.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Style {
    /// One level of indentation (`"    "`, `"  "`, `"\t"`).
    pub indent: String,
    /// The name `alembic.op` goes by (`op`), `None` when the file does not import it.
    pub op: Option<String>,
    /// The name `sqlalchemy` goes by (`sa`), `None` when the file does not import it as a module.
    pub sa: Option<String>,
    /// The quote for string literals.
    pub quote: char,
    /// The line ending.
    pub newline: &'static str,
}

impl Default for Style {
    fn default() -> Self {
        Self {
            indent: "    ".to_owned(),
            op: Some("op".to_owned()),
            sa: Some("sa".to_owned()),
            quote: '"',
            newline: "\n",
        }
    }
}

/// How many single- and double-quoted strings open an argument (`('` or `, '`): the quote the
/// file's calls use. One pass over the bytes; it runs for every file that gets a fix.
fn quotes_opening_arguments(text: &str) -> (usize, usize) {
    let (mut singles, mut doubles) = (0, 0);
    let mut before = [0u8; 2];
    for &byte in text.as_bytes() {
        if matches!(byte, b'\'' | b'"') && (before[1] == b'(' || before == *b", ") {
            if byte == b'\'' {
                singles += 1;
            } else {
                doubles += 1;
            }
        }
        before = [before[1], byte];
    }
    (singles, doubles)
}

impl Style {
    /// Reads the style of a file's text.
    pub fn detect(text: &str) -> Self {
        // Python ends a line at `\r\n`, `\n` or a lone `\r`; new lines end the way the file's do.
        // `contains('\r')` is a fast byte search; most files have no carriage return at all.
        let carriage_returns = text.contains('\r');
        let newline = if !carriage_returns {
            "\n"
        } else if text.contains("\r\n") {
            "\r\n"
        } else if !text.contains('\n') {
            "\r"
        } else {
            "\n"
        };
        let mut op = None;
        let mut sa = None;
        let mut indent = None;
        let mut read = |line: &str| {
            let trimmed = line.trim_end();
            if let Some(rest) = trimmed.strip_prefix("from alembic import ") {
                for item in rest.trim_matches(|c| c == '(' || c == ')').split(',') {
                    let mut words = item.split_whitespace();
                    if words.next() == Some("op") {
                        op = Some(match (words.next(), words.next()) {
                            (Some("as"), Some(alias)) => alias.to_owned(),
                            _ => "op".to_owned(),
                        });
                    }
                }
            } else if let Some(rest) = trimmed.strip_prefix("import ") {
                for item in rest.split(',') {
                    let mut words = item.split_whitespace();
                    if words.next() == Some("sqlalchemy") {
                        sa = Some(match (words.next(), words.next()) {
                            (Some("as"), Some(alias)) => alias.to_owned(),
                            _ => "sqlalchemy".to_owned(),
                        });
                    }
                }
            }
            if indent.is_none() {
                let level = indentation(line);
                // The first indented line of code sets one level.
                if !level.is_empty()
                    && !line.trim().is_empty()
                    && !line.trim_start().starts_with('#')
                {
                    indent = Some(level.to_owned());
                }
            }
        };
        // Without a carriage return, lines end at `\n` alone: a split on one byte is a fast search.
        if carriage_returns {
            text.split(['\r', '\n']).for_each(&mut read);
        } else {
            text.split('\n').for_each(&mut read);
        }
        let (singles, doubles) = quotes_opening_arguments(text);
        Self {
            indent: indent.unwrap_or_else(|| "    ".to_owned()),
            op,
            sa,
            quote: if singles > doubles { '\'' } else { '"' },
            newline,
        }
    }

    /// The name to call `op` functions on (`op` when the file has to import it).
    pub fn op_name(&self) -> &str {
        self.op.as_deref().unwrap_or("op")
    }

    /// The name of the `sqlalchemy` module (`sa` when the file has to import it).
    pub fn sa_name(&self) -> &str {
        self.sa.as_deref().unwrap_or("sa")
    }

    /// A Python string literal of `value`, in the file's quotes.
    pub fn string(&self, value: &str) -> String {
        let quote = if value.contains(self.quote) && !value.contains(other_quote(self.quote)) {
            other_quote(self.quote)
        } else {
            self.quote
        };
        let mut out = String::with_capacity(value.len() + 2);
        out.push(quote);
        for c in value.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c == quote => {
                    out.push('\\');
                    out.push(c);
                }
                c => out.push(c),
            }
        }
        out.push(quote);
        out
    }
}

/// The indentation of a line as Python counts it: the spaces and tabs after any form feeds at its
/// start (a form feed resets the count, so it is no part of an indentation to copy).
pub(crate) fn indentation(line: &str) -> &str {
    let line = line.trim_start_matches('\x0c');
    let width = line.len() - line.trim_start_matches([' ', '\t']).len();
    &line[..width]
}

/// The offset where the line holding `offset` starts: after the last `\n` or lone `\r` before it
/// (Python ends a line at either).
pub(crate) fn line_start(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .and_then(|before| before.rfind(['\r', '\n']))
        .map_or(0, |at| at + 1)
}

/// The offset just after the line break that ends the line holding `offset` (`\r\n` counted
/// whole), `None` on the last line.
pub(crate) fn next_line_start(text: &str, offset: usize) -> Option<usize> {
    let rest = text.get(offset..)?;
    let at = rest.find(['\r', '\n'])?;
    let width = if rest[at..].starts_with("\r\n") { 2 } else { 1 };
    Some(offset + at + width)
}

fn other_quote(quote: char) -> char {
    if quote == '"' { '\'' } else { '"' }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_aliases_indentation_and_quotes() {
        let text = "from alembic import op as o\nimport sqlalchemy as sqla\n\ndef upgrade():\n  o.drop_table('t')\n";
        let style = Style::detect(text);
        assert_eq!(style.op.as_deref(), Some("o"));
        assert_eq!(style.sa.as_deref(), Some("sqla"));
        assert_eq!(style.indent, "  ");
        assert_eq!(style.quote, '\'');
        assert_eq!(style.newline, "\n");
    }

    #[test]
    fn quotes_are_counted_where_they_open_an_argument() {
        assert_eq!(
            quotes_opening_arguments("f('a', \"b\", 'c')(\"\") x = 'd'; g(1,'e')"),
            (2, 2)
        );
    }

    #[test]
    fn a_file_without_imports_has_no_aliases() {
        let style = Style::detect("def upgrade():\n\tpass\n");
        assert_eq!((style.op.as_deref(), style.sa.as_deref()), (None, None));
        assert_eq!(style.indent, "\t");
        assert_eq!(style.op_name(), "op");
    }

    #[test]
    fn form_feeds_and_lone_carriage_returns_are_no_indentation() {
        let style = Style::detect("def upgrade():\r\x0c    op.drop_table('t')\r");
        assert_eq!(style.indent, "    ");
        assert_eq!(style.newline, "\r");
        let text = "a\r\nb\rc\nd";
        assert_eq!(line_start(text, text.find('c').unwrap_or_default()), 5);
        assert_eq!(next_line_start(text, 0), Some(3));
        assert_eq!(next_line_start(text, 3), Some(5));
        assert_eq!(next_line_start(text, 7), None);
        assert_eq!(indentation("\x0c\x0c \tx"), " \t");
    }

    #[test]
    fn strings_are_escaped() {
        let style = Style::default();
        assert_eq!(style.string("a\"b"), "'a\"b'");
        assert_eq!(style.string("it's \"x\""), "\"it's \\\"x\\\"\"");
        assert_eq!(style.string("a\\b"), "\"a\\\\b\"");
    }
}
