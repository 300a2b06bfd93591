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
                    write_finding(&mut text, report, index, Layout::Pretty);
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

/// How a finding is laid out: as a member of the report's `findings` (`serde_json`'s pretty
/// layout, two spaces an indent, the object three levels in), or compact on one line.
#[derive(Clone, Copy)]
enum Layout {
    Pretty,
    Compact,
}

/// Appends the finding at `index` of the report as a JSON object. The fields are those
/// `docs/json-output.md` lists, in its order. Inlined where it is called, with its layout known:
/// each literal is then of a known length, copied in place rather than by a call to `memcpy`.
#[inline(always)]
fn write_finding(out: &mut String, report: &Report<'_>, index: usize, layout: Layout) {
    // What comes before each value (comma, line break, indent, key) is one literal of the
    // layout's: a report writes fifteen members a finding, tens of thousands of findings.
    macro_rules! opening {
        ($key:literal) => {
            match layout {
                Layout::Pretty => concat!(",\n      \"", $key, "\": "),
                Layout::Compact => concat!(",\"", $key, "\":"),
            }
        };
    }
    let pretty = matches!(layout, Layout::Pretty);
    let located = Located::of(&report.diagnostics[index]);
    let diagnostic = located.diagnostic;
    out.push_str(if pretty {
        "{\n      \"code\": "
    } else {
        "{\"code\":"
    });
    push_string(out, diagnostic.code());
    out.push_str(opening!("name"));
    push_string(out, diagnostic.rule.name);
    out.push_str(opening!("severity"));
    push_string(out, diagnostic.severity().as_str());
    out.push_str(opening!("message"));
    push_string(out, &diagnostic.message);
    out.push_str(opening!("help"));
    push_optional_string(out, diagnostic.help.as_deref());
    out.push_str(opening!("path"));
    push_string(out, &located.path);
    out.push_str(opening!("revision"));
    push_optional_string(out, diagnostic.revision.as_deref());
    out.push_str(opening!("line"));
    push_number(out, located.start.line);
    out.push_str(opening!("column"));
    push_number(out, located.start.column);
    out.push_str(opening!("end_line"));
    push_number(out, located.end.line);
    out.push_str(opening!("end_column"));
    push_number(out, located.end.column);
    out.push_str(opening!("offset"));
    push_number(out, diagnostic.range.start().to_usize());
    out.push_str(opening!("end_offset"));
    push_number(out, diagnostic.range.end().to_usize());
    out.push_str(opening!("fix"));
    match report.fix(index) {
        Some(FixNote {
            title,
            applicability,
        }) => {
            out.push_str(if pretty {
                "{\n        \"title\": "
            } else {
                "{\"title\":"
            });
            push_string(out, title);
            out.push_str(if pretty {
                ",\n        \"applicability\": "
            } else {
                ",\"applicability\":"
            });
            push_string(out, applicability.as_str());
            out.push_str(if pretty { "\n      }" } else { "}" });
        }
        None => out.push_str("null"),
    }
    out.push_str(if pretty { "\n    }" } else { "}" });
}

/// Appends `value` as a JSON number.
fn push_number(out: &mut String, value: usize) {
    // Digits pushed one by one from the most significant: formatting machinery costs more than
    // the digits (two or three, for most numbers of a report).
    let mut place = 1;
    while place <= value / 10 {
        place *= 10;
    }
    loop {
        out.push(char::from(
            b'0' + u8::try_from(value / place % 10).unwrap_or_default(),
        ));
        if place == 1 {
            break;
        }
        place /= 10;
    }
}

fn push_optional_string(out: &mut String, value: Option<&str>) {
    match value {
        Some(value) => push_string(out, value),
        None => out.push_str("null"),
    }
}

/// Whether JSON escapes `byte`.
fn escaped(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Where the first byte of `bytes` that is [`escaped`] is. Most strings of a report have none, and
/// the rest a few quotes, so this looks at eight bytes at a time: a borrow out of a byte marks one
/// below the bound, and a borrow only ever marks bytes above the one it came from, so in a
/// little-endian word the lowest mark is a byte that is escaped.
fn first_escaped(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    let below = |word: u64, bound: u8| word.wrapping_sub(ONES * u64::from(bound)) & !word & HIGHS;
    let (words, rest) = bytes.as_chunks::<8>();
    for (nth, word) in words.iter().enumerate() {
        let word = u64::from_le_bytes(*word);
        let marks = below(word, 0x20)
            | below(word ^ (ONES * u64::from(b'"')), 1)
            | below(word ^ (ONES * u64::from(b'\\')), 1);
        if marks != 0 {
            // The mark is a byte's high bit: bit 8k + 7 marks byte k.
            return Some(nth * 8 + marks.trailing_zeros() as usize / 8);
        }
    }
    let at = rest.iter().position(|&byte| escaped(byte))?;
    Some(words.len() * 8 + at)
}

/// Appends `text` as a JSON string, escaped as `serde_json` escapes it: quote, backslash and
/// control characters; everything else, non-ASCII included, as it is. What lies between escaped
/// bytes is copied whole.
fn push_string(out: &mut String, text: &str) {
    out.push('"');
    let mut rest = text;
    while let Some(at) = first_escaped(rest.as_bytes()) {
        // An escaped byte is ASCII: both slices end and start on characters.
        out.push_str(&rest[..at]);
        let byte = rest.as_bytes()[at];
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
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
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
        write_finding(&mut text, report, index, Layout::Compact);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{push_number, push_string};

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        for value in [
            0,
            1,
            9,
            10,
            11,
            99,
            100,
            101,
            4_096,
            1_000_000,
            usize::MAX / 10,
            usize::MAX,
        ] {
            let mut written = String::from("x");
            push_number(&mut written, value);
            assert_eq!(written, format!("x{value}"));
        }
    }

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

    #[test]
    fn runs_of_escapes_and_bytes_beside_the_bounds_are_written_as_serde_json_writes_them() {
        // Bytes at and around each bound, so that a borrow out of one escaped byte could mark
        // its neighbours: every string up to 20 characters long that a fixed generator draws.
        let alphabet = [
            '\u{0}', '\u{1f}', ' ', '!', '"', '#', '[', '\\', ']', '\u{7f}', 'é', 'a', '\n',
        ];
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % bound as u64).unwrap_or_default()
        };
        for _ in 0..5_000 {
            let length = next(21);
            let text: String = (0..length)
                .map(|_| alphabet[next(alphabet.len())])
                .collect();
            let mut written = String::new();
            push_string(&mut written, &text);
            assert_eq!(written, serde_json::to_string(&text).unwrap(), "{text:?}");
        }
    }
}
