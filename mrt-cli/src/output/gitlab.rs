//! A GitLab Code Quality report. Fingerprints stay the same while the finding does, even when lines
//! above it move: they hash the rule, the file, the message and the finding's rank among identical
//! ones, not its line.

use std::collections::HashMap;

use serde::Serialize;

use super::{Located, Report};

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    check_name: &'static str,
    description: String,
    categories: [&'static str; 1],
    severity: &'static str,
    fingerprint: String,
    location: Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<Content<'a>>,
}

#[derive(Serialize)]
struct Content<'a> {
    body: &'a str,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

pub(super) fn render(report: &Report<'_>) -> String {
    let mut seen: HashMap<(String, &str, &str), usize> = HashMap::new();
    let issues: Vec<Issue<'_>> = report
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let located = Located::of(diagnostic);
            let rank = seen
                .entry((
                    located.path.clone().into_owned(),
                    diagnostic.code(),
                    diagnostic.message.as_str(),
                ))
                .or_insert(0);
            let fingerprint = fingerprint(&[
                diagnostic.code(),
                &located.path,
                &diagnostic.message,
                &rank.to_string(),
            ]);
            *rank += 1;
            Issue {
                kind: "issue",
                check_name: diagnostic.code(),
                description: format!("{}: {}", diagnostic.code(), diagnostic.message),
                categories: ["Bug Risk"],
                severity: match diagnostic.severity() {
                    mrt_core::Severity::Error => "critical",
                    mrt_core::Severity::Warning => "minor",
                },
                fingerprint,
                location: Location {
                    path: located.path.into_owned(),
                    lines: Lines {
                        begin: located.start.line,
                        end: located.end.line,
                    },
                },
                content: diagnostic.help.as_deref().map(|body| Content { body }),
            }
        })
        .collect();
    super::to_json(&issues, true)
}

/// FNV-1a (64 bit) over the parts, separated: stable across platforms and Rust versions, unlike
/// the standard library's hasher.
fn fingerprint(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}
