//! The JSON report and JSON lines. The schema is documented in `docs/json-output.md`; `version`
//! changes when a field is removed or changes meaning (adding fields does not).

use std::fmt::Write as _;

use rayon::prelude::*;
use serde::Serialize;

use super::FixNote;
use super::{Located, Report};

/// Findings rendered on the thread pool before they are written: output stays streamed, in
/// batches of this many, so a report of 100,000 findings is never held whole.
const BATCH: usize = 1024;

/// Findings one task of the thread pool renders.
const CHUNK: usize = 256;

/// Writes the report to `out`. The findings, most of a report's bytes, are written by
/// [`write_finding`] in parallel batches; the rest (errors, skipped revisions, the summary) by
/// serde. The layout is `serde_json`'s pretty one, two spaces an indent.
pub(super) fn write(report: &Report<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let errors: Vec<JsonError> = report
        .errors
        .iter()
        .map(|error| JsonError {
            path: error.path().map(|path| path.display().to_string()),
            message: error.to_string(),
        })
        .collect();
    out.write_all(b"{\n  \"version\": 1,\n  \"findings\": [")?;
    for (batch_number, batch) in report.diagnostics.chunks(BATCH).enumerate() {
        let first = batch_number * BATCH;
        let rendered: Vec<String> = batch
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(chunk_number, chunk)| {
                // Sized for the findings of the dense chains (about 600 bytes each).
                let mut text = String::with_capacity(chunk.len() * 768);
                for offset in 0..chunk.len() {
                    let index = first + chunk_number * CHUNK + offset;
                    text.push_str(if index == 0 { "\n    " } else { ",\n    " });
                    write_finding(&mut text, report, index, Some(2));
                }
                text
            })
            .collect();
        for text in rendered {
            out.write_all(text.as_bytes())?;
        }
    }
    if !report.diagnostics.is_empty() {
        out.write_all(b"\n  ")?;
    }
    out.write_all(b"],\n")?;
    for (name, value) in [
        ("errors", nested(&errors)),
        ("skipped", nested(&report.skipped)),
        ("summary", nested(report.summary)),
    ] {
        let comma = if name == "summary" { "" } else { "," };
        writeln!(out, "  \"{name}\": {value}{comma}")?;
    }
    out.write_all(b"}\n")
}

/// A value serde writes pretty, indented to sit one level into the report. Its strings hold no
/// raw newline (JSON escapes them), so each newline starts a line of the value.
fn nested(value: &impl Serialize) -> String {
    super::to_json(value, true).trim_end().replace('\n', "\n  ")
}

#[derive(Serialize)]
struct JsonError {
    path: Option<String>,
    message: String,
}

/// Appends the finding at `index` of the report as a JSON object: pretty at `depth` levels of
/// indent, or compact (`None`). The fields are those `docs/json-output.md` lists, in its order.
fn write_finding(out: &mut String, report: &Report<'_>, index: usize, depth: Option<usize>) {
    let located = Located::of(&report.diagnostics[index]);
    let diagnostic = located.diagnostic;
    let mut object = Object::begin(out, depth);
    object.string("code", diagnostic.code());
    object.string("name", diagnostic.rule.name);
    object.string("severity", diagnostic.severity().as_str());
    object.string("message", &diagnostic.message);
    object.optional_string("help", diagnostic.help.as_deref());
    object.string("path", &located.path);
    object.optional_string("revision", diagnostic.revision.as_deref());
    object.number("line", located.start.line);
    object.number("column", located.start.column);
    object.number("end_line", located.end.line);
    object.number("end_column", located.end.column);
    object.number("offset", diagnostic.range.start().to_usize());
    object.number("end_offset", diagnostic.range.end().to_usize());
    match report.fix(index) {
        Some(FixNote {
            title,
            applicability,
        }) => {
            let mut fix = object.nested("fix");
            fix.string("title", title);
            fix.string("applicability", applicability.as_str());
            fix.end();
        }
        None => object.null("fix"),
    }
    object.end();
}

/// One JSON object being written member by member, laid out as `serde_json` lays it out.
struct Object<'o> {
    out: &'o mut String,
    /// Levels of indent of the line the object starts on; `None` for compact JSON.
    depth: Option<usize>,
    members: usize,
}

impl<'o> Object<'o> {
    fn begin(out: &'o mut String, depth: Option<usize>) -> Self {
        out.push('{');
        Self {
            out,
            depth,
            members: 0,
        }
    }

    /// Starts a member. Keys are the writer's own names, which need no escape.
    fn key(&mut self, key: &str) {
        // Three appends a member: a report writes tens of thousands of them.
        const OPENINGS: [&str; 6] = [
            "\n  \"",
            "\n    \"",
            "\n      \"",
            "\n        \"",
            "\n          \"",
            "\n            \"",
        ];
        if self.members > 0 {
            self.out.push(',');
        }
        self.members += 1;
        let Some(depth) = self.depth else {
            self.out.push('"');
            self.out.push_str(key);
            self.out.push_str("\":");
            return;
        };
        if let Some(opening) = OPENINGS.get(depth) {
            self.out.push_str(opening);
        } else {
            self.newline(depth + 1);
            self.out.push('"');
        }
        self.out.push_str(key);
        self.out.push_str("\": ");
    }

    fn newline(&mut self, depth: usize) {
        const SPACES: &str = "\n                ";
        if let Some(indent) = SPACES.get(..1 + 2 * depth) {
            self.out.push_str(indent);
        } else {
            self.out.push('\n');
            self.out.push_str(&"  ".repeat(depth));
        }
    }

    fn string(&mut self, key: &str, value: &str) {
        self.key(key);
        push_string(self.out, value);
    }

    fn optional_string(&mut self, key: &str, value: Option<&str>) {
        match value {
            Some(value) => self.string(key, value),
            None => self.null(key),
        }
    }

    fn number(&mut self, key: &str, value: usize) {
        self.key(key);
        // Digits written out by hand: formatting machinery costs more than the digits.
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        let mut rest = value;
        loop {
            start -= 1;
            digits[start] = b'0' + u8::try_from(rest % 10).unwrap_or_default();
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        for &digit in &digits[start..] {
            self.out.push(char::from(digit));
        }
    }

    fn null(&mut self, key: &str) {
        self.key(key);
        self.out.push_str("null");
    }

    fn nested(&mut self, key: &str) -> Object<'_> {
        self.key(key);
        Object::begin(self.out, self.depth.map(|depth| depth + 1))
    }

    fn end(mut self) {
        if let Some(depth) = self.depth
            && self.members > 0
        {
            self.newline(depth);
        }
        self.out.push('}');
    }
}

/// Whether JSON escapes `byte`.
fn escaped(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Whether any byte of `bytes` is [`escaped`]. Most strings of a report have none, so this is
/// tested eight bytes at a time (a borrow out of a byte marks one below the bound).
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let below = |word: u64, bound: u8| word.wrapping_sub(ONES * u64::from(bound)) & !word & HIGHS;
    let (words, rest) = bytes.as_chunks::<8>();
    words.iter().any(|word| {
        let word = u64::from_ne_bytes(*word);
        below(word, 0x20)
            | below(word ^ (ONES * u64::from(b'"')), 1)
            | below(word ^ (ONES * u64::from(b'\\')), 1)
            != 0
    }) || rest.iter().any(|&byte| escaped(byte))
}

/// Appends `text` as a JSON string, escaped as `serde_json` escapes it: quote, backslash and
/// control characters; everything else, non-ASCII included, as it is.
fn push_string(out: &mut String, text: &str) {
    out.push('"');
    if !needs_escape(text.as_bytes()) {
        out.push_str(text);
        out.push('"');
        return;
    }
    let mut copied = 0;
    for (at, byte) in text.bytes().enumerate() {
        if !escaped(byte) {
            continue;
        }
        out.push_str(&text[copied..at]);
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                let _ = write!(out, "\\u{byte:04x}");
            }
        }
        copied = at + 1;
    }
    out.push_str(&text[copied..]);
    out.push('"');
}

pub(super) fn render(report: &Report<'_>) -> String {
    let mut bytes = Vec::new();
    // Writing to memory fails only if serialisation does, which these types never make it do.
    if let Err(error) = write(report, &mut bytes) {
        return format!("{{\"error\": \"cannot serialise: {error}\"}}\n");
    }
    String::from_utf8(bytes).unwrap_or_default()
}

/// One finding per line, with the fields of the JSON report's findings.
pub(super) fn render_lines(report: &Report<'_>) -> String {
    let mut text = String::new();
    for index in 0..report.diagnostics.len() {
        write_finding(&mut text, report, index, None);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::push_string;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let every_ascii: String = (0u8..0x80).map(char::from).collect();
        for text in [
            "",
            "plain `text` with no escape",
            "a \"quoted\" name and a back\\slash",
            "tab\there, newline\nthere, return\r, bell\u{7}, delete\u{7f}",
            "non-ASCII: é, ß, 表, 🦀",
            &every_ascii,
        ] {
            let mut written = String::new();
            push_string(&mut written, text);
            assert_eq!(written, serde_json::to_string(text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn an_escape_is_found_wherever_it_sits_among_eight_byte_words() {
        for escape in ['"', '\\', '\n', '\u{1f}', '\0'] {
            for at in 0..19 {
                let mut text: String = "é~ÿ 🦀 abcdefghijk".chars().take(19).collect();
                text.replace_range(
                    text.char_indices().nth(at).map_or(0, |(i, _)| i)..,
                    &format!("{escape}tail"),
                );
                let mut written = String::new();
                push_string(&mut written, &text);
                assert_eq!(written, serde_json::to_string(&text).unwrap(), "{text:?}");
            }
        }
    }
}
