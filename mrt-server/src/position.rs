//! Byte offsets (what diagnostics and edits carry) to and from LSP positions, whose columns count
//! UTF-16 code units (the protocol's default encoding; a character outside the Basic Multilingual
//! Plane counts two).

use lsp_types::{Position, Range};
use mrt_core::{TextRange, TextSize};

/// The start offsets of a text's lines, for converting in both directions.
#[derive(Debug)]
pub(crate) struct LineIndex {
    /// Byte offset where each line starts; the first is 0.
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        // `\r\n`, `\n` and a lone `\r` end a line, as in the Python tokenizer and the LSP spec.
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            match bytes[at] {
                b'\r' if bytes.get(at + 1) == Some(&b'\n') => {
                    starts.push(at + 2);
                    at += 1;
                }
                b'\n' | b'\r' => starts.push(at + 1),
                _ => {}
            }
            at += 1;
        }
        Self { starts }
    }

    /// The LSP position of a byte offset (clamped to the text; an offset inside a character
    /// counts from that character's start).
    pub(crate) fn position(&self, text: &str, offset: TextSize) -> Position {
        let offset = floor_char_boundary(text, offset.to_usize().min(text.len()));
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let start = self.starts[line];
        let character: usize = text[start..offset].chars().map(char::len_utf16).sum();
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            character: u32::try_from(character).unwrap_or(u32::MAX),
        }
    }

    /// The LSP range of a byte range.
    pub(crate) fn range(&self, text: &str, range: TextRange) -> Range {
        Range {
            start: self.position(text, range.start()),
            end: self.position(text, range.end()),
        }
    }

    /// The byte offset of an LSP position. A line past the end is the end of the text; a column
    /// past the end of its line is the end of the line (as the spec asks).
    pub(crate) fn offset(&self, text: &str, position: Position) -> TextSize {
        let line = usize::try_from(position.line).unwrap_or(usize::MAX);
        let Some(&start) = self.starts.get(line) else {
            return size(text.len());
        };
        let end = self.starts.get(line + 1).copied().unwrap_or(text.len());
        let line_text = text[start..end].trim_end_matches(['\r', '\n']);
        let wanted = usize::try_from(position.character).unwrap_or(usize::MAX);
        let mut units = 0;
        for (at, character) in line_text.char_indices() {
            if units >= wanted {
                return size(start + at);
            }
            units += character.len_utf16();
        }
        size(start + line_text.len())
    }

    /// The byte offset of the end of a (zero-based) line, before its line ending.
    pub(crate) fn line_end(&self, text: &str, line: usize) -> TextSize {
        let Some(&start) = self.starts.get(line) else {
            return size(text.len());
        };
        let end = self.starts.get(line + 1).copied().unwrap_or(text.len());
        size(start + text[start..end].trim_end_matches(['\r', '\n']).len())
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Texts are files of a language server's session: far below 4 GiB.
fn size(offset: usize) -> TextSize {
    TextSize::try_from(offset).unwrap_or(TextSize::new(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn columns_count_utf16_units() {
        // `é` is 2 bytes and 1 unit; `𝄞` is 4 bytes and 2 units.
        let text = "x = 1\n# é𝄞 op.drop_column\r\nlast";
        let index = LineIndex::new(text);
        let drop = text.find("op.drop").map(TextSize::try_from);
        let Some(Ok(drop)) = drop else {
            panic!("the test text holds op.drop");
        };
        assert_eq!(index.position(text, drop), at(1, 6));
        assert_eq!(index.offset(text, at(1, 6)), drop);
        let last = TextSize::try_from(text.find("last").unwrap_or(0)).unwrap_or_default();
        assert_eq!(index.position(text, last), at(2, 0));
        assert_eq!(index.offset(text, at(2, 0)), last);
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let text = "ab\ncd";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(text, at(0, 99)), TextSize::new(2));
        assert_eq!(index.offset(text, at(9, 0)), TextSize::new(5));
        assert_eq!(index.position(text, TextSize::new(99)), at(1, 2));
        assert_eq!(index.line_end(text, 0), TextSize::new(2));
    }

    #[test]
    fn an_offset_inside_a_character_counts_from_its_start() {
        let text = "é";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, TextSize::new(1)), at(0, 0));
    }
}
