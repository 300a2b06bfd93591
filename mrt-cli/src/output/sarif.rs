//! SARIF 2.1.0: the tool's rules (with their help text) and one result per finding.

use serde_json::{Value, json};

use super::{Located, Report};

pub(super) fn render(report: &Report<'_>) -> String {
    let rules: Vec<&'static mrt_core::RuleMeta> = mrt_rules::registry()
        .rules()
        .iter()
        .map(|rule| rule.meta())
        .collect();
    let descriptors: Vec<Value> = rules
        .iter()
        .map(|meta| {
            json!({
                "id": meta.code,
                "name": meta.name,
                "shortDescription": { "text": meta.summary },
                "fullDescription": { "text": meta.summary },
                "help": {
                    "text": meta.explanation(),
                    "markdown": meta.explanation(),
                },
                "defaultConfiguration": { "level": level(meta.severity) },
                "properties": { "tags": meta.frameworks.iter().map(|f| f.as_str()).collect::<Vec<_>>() },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let located = Located::of(diagnostic);
            let mut result = json!({
                "ruleId": diagnostic.code(),
                "level": level(diagnostic.severity()),
                "message": { "text": diagnostic.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&located.path) },
                        "region": {
                            "startLine": located.start.line,
                            "startColumn": located.start.column,
                            "endLine": located.end.line,
                            "endColumn": located.end.column,
                        }
                    }
                }],
            });
            if let Some(index) = rules.iter().position(|meta| meta.code == diagnostic.code()) {
                result["ruleIndex"] = json!(index);
            }
            result
        })
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "mrt",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://example.invalid/mrt",
                    "rules": descriptors,
                }
            },
            "results": results,
        }]
    });
    super::to_json(&sarif, true)
}

fn level(severity: mrt_core::Severity) -> &'static str {
    match severity {
        mrt_core::Severity::Error => "error",
        mrt_core::Severity::Warning => "warning",
    }
}

/// A relative URI reference for a path: forward slashes, spaces and `%` escaped.
fn uri(path: &str) -> String {
    path.replace('\\', "/")
        .replace('%', "%25")
        .replace(' ', "%20")
}
