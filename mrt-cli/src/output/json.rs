//! The JSON report and JSON lines. The schema is documented in `docs/json-output.md`; `version`
//! changes when a field is removed or changes meaning (adding fields does not).

use serde::Serialize;

use super::FixNote;
use super::{Located, Report, Skipped, Summary};

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    findings: Findings<'a>,
    errors: Vec<JsonError>,
    skipped: &'a [Skipped],
    summary: &'a Summary,
}

/// The findings of a report, each turned into its JSON form only as it is written.
struct Findings<'a>(&'a Report<'a>);

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let report = self.0;
        serializer.collect_seq(
            report
                .diagnostics
                .iter()
                .enumerate()
                .map(|(index, d)| finding(Located::of(d), report.fix(index))),
        )
    }
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    message: &'a str,
    help: Option<&'a str>,
    path: String,
    revision: Option<&'a str>,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    offset: u32,
    end_offset: u32,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    applicability: &'static str,
}

#[derive(Serialize)]
struct JsonError {
    path: Option<String>,
    message: String,
}

fn finding<'a>(located: Located<'a>, fix: Option<&'a FixNote>) -> JsonFinding<'a> {
    let diagnostic = located.diagnostic;
    JsonFinding {
        code: diagnostic.code(),
        name: diagnostic.rule.name,
        severity: diagnostic.severity().as_str(),
        message: &diagnostic.message,
        help: diagnostic.help.as_deref(),
        path: located.path,
        revision: diagnostic.revision.as_deref(),
        line: located.start.line,
        column: located.start.column,
        end_line: located.end.line,
        end_column: located.end.column,
        offset: diagnostic.range.start().to_u32(),
        end_offset: diagnostic.range.end().to_u32(),
        fix: fix.map(|fix| JsonFix {
            title: &fix.title,
            applicability: fix.applicability.as_str(),
        }),
    }
}

/// Writes the report to `out` as it is serialised: a report of tens of thousands of findings is
/// never held as one string.
pub(super) fn write(report: &Report<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let json = JsonReport {
        version: 1,
        findings: Findings(report),
        errors: report
            .errors
            .iter()
            .map(|error| JsonError {
                path: error.path().map(|path| path.display().to_string()),
                message: error.to_string(),
            })
            .collect(),
        skipped: report.skipped,
        summary: report.summary,
    };
    let mut batched = Batched {
        buffer: Vec::with_capacity(BATCH),
        out,
    };
    serde_json::to_writer_pretty(&mut batched, &json)?;
    batched.buffer.push(b'\n');
    batched.out.write_all(&batched.buffer)
}

/// Bytes [`Batched`] gathers before passing them on.
const BATCH: usize = 64 * 1024;

/// Gathers what serde writes and passes it on to `out` in large pieces. Pretty-printed JSON is
/// written a few bytes at a time (a key, a quote, an indent): through `dyn Write` each of those
/// was a call of its own into the caller's writer, millions for a report of 50,000 findings,
/// where appending to a `Vec` is inlined.
struct Batched<'a> {
    buffer: Vec<u8>,
    out: &'a mut dyn std::io::Write,
}

impl std::io::Write for Batched<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.write_all(bytes)?;
        Ok(bytes.len())
    }

    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= BATCH {
            self.out.write_all(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }

    /// Passes on what was gathered; `out` itself is the caller's to flush.
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.write_all(&self.buffer)?;
        self.buffer.clear();
        Ok(())
    }
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
    report
        .diagnostics
        .iter()
        .enumerate()
        .map(|(index, diagnostic)| {
            super::to_json(&finding(Located::of(diagnostic), report.fix(index)), false)
        })
        .collect()
}
