//! A source file: its path, its text, and line/column lookup computed only when needed.

use std::path::PathBuf;
use std::sync::OnceLock;

use ruff_source_file::LineIndex;
use ruff_text_size::{TextRange, TextSize};

/// A file's path and text. Line and column are computed only when printing, from a line index built
/// on first use.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as given or discovered (relative paths stay relative).
    pub path: PathBuf,
    /// The file's text.
    pub text: String,
    /// The encoding the file was decoded from, when it was not UTF-8 (see
    /// [`crate::read::decode_python`]): writing `text` back needs it.
    encoding: Option<crate::read::Encoding>,
    line_index: OnceLock<LineIndex>,
}

/// A one-based line and column (the column counts characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Location {
    /// One-based line.
    pub line: usize,
    /// One-based column, in characters.
    pub column: usize,
}

impl SourceFile {
    /// Wraps a file's text.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
            encoding: None,
            line_index: OnceLock::new(),
        }
    }

    /// A file of no path and no text: what a migration read back from the lowering cache holds
    /// until it is given the source it was found with.
    pub(crate) fn unread() -> std::sync::Arc<Self> {
        std::sync::Arc::new(Self::new(PathBuf::new(), String::new()))
    }

    /// The same file, marked as decoded from `encoding` (`None`: UTF-8).
    #[must_use]
    pub fn decoded_from(mut self, encoding: Option<crate::read::Encoding>) -> Self {
        self.encoding = encoding;
        self
    }

    /// The encoding the file is stored in when it is not UTF-8: `mrt fix` leaves such files alone
    /// rather than rewrite them in another encoding.
    pub fn encoding(&self) -> Option<crate::read::Encoding> {
        self.encoding
    }

    fn index(&self) -> &LineIndex {
        self.line_index
            .get_or_init(|| LineIndex::from_source_text(&self.text))
    }

    /// The line and column of a byte offset.
    pub fn location(&self, offset: TextSize) -> Location {
        let line_column = self.index().line_column(offset, &self.text);
        Location {
            line: line_column.line.get(),
            column: line_column.column.get(),
        }
    }

    /// The one-based line of a byte offset.
    pub fn line_of(&self, offset: TextSize) -> usize {
        self.index().line_index(offset).get()
    }

    /// The lines (one-based, inclusive) a range spans. An empty range spans its start line.
    pub fn line_span(&self, range: TextRange) -> (usize, usize) {
        let start = self.line_of(range.start());
        let end = if range.is_empty() {
            start
        } else {
            self.line_of(range.end() - TextSize::from(1))
        };
        (start, end)
    }

    /// The text of a one-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(line) = ruff_source_file::OneIndexed::new(line) else {
            return "";
        };
        let range = self.index().line_range(line, &self.text);
        self.text[range].trim_end_matches(['\r', '\n'])
    }

    /// The text of a range.
    pub fn slice(&self, range: TextRange) -> &str {
        &self.text[range]
    }
}
