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

impl Style {
    /// Reads the style of a file's text.
    pub fn detect(text: &str) -> Self {
        let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let mut op = None;
        let mut sa = None;
        let mut indent = None;
        for line in text.lines() {
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
                let width = line.len() - line.trim_start().len();
                // The first indented line of code sets one level.
                if width > 0 && !line.trim().is_empty() && !line.trim_start().starts_with('#') {
                    indent = Some(line[..width].to_owned());
                }
            }
        }
        let doubles = text.matches("(\"").count() + text.matches(", \"").count();
        let singles = text.matches("('").count() + text.matches(", '").count();
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
    fn a_file_without_imports_has_no_aliases() {
        let style = Style::detect("def upgrade():\n\tpass\n");
        assert_eq!((style.op.as_deref(), style.sa.as_deref()), (None, None));
        assert_eq!(style.indent, "\t");
        assert_eq!(style.op_name(), "op");
    }

    #[test]
    fn strings_are_escaped() {
        let style = Style::default();
        assert_eq!(style.string("a\"b"), "'a\"b'");
        assert_eq!(style.string("it's \"x\""), "\"it's \\\"x\\\"\"");
        assert_eq!(style.string("a\\b"), "\"a\\\\b\"");
    }
}
