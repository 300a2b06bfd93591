//! Every output format on the shipped examples, snapshotted; SARIF validated against its schema.

// A test that cannot run the binary or read its own files should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

fn check(format: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_mrt"))
        .args(["check", "examples/alembic", "--output-format", format])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .expect("the mrt binary runs");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

#[test]
fn concise() {
    insta::assert_snapshot!(check("concise"));
}

#[test]
fn full() {
    insta::assert_snapshot!(check("full"));
}

#[test]
fn json() {
    insta::assert_snapshot!(check("json"));
}

#[test]
fn json_lines() {
    let text = check("json-lines");
    for line in text.lines() {
        let finding: serde_json::Value =
            serde_json::from_str(line).expect("one JSON object per line");
        assert!(finding["code"].is_string());
    }
    insta::assert_snapshot!(text);
}

#[test]
fn github() {
    insta::assert_snapshot!(check("github"));
}

#[test]
fn gitlab() {
    let text = check("gitlab");
    let issues: serde_json::Value = serde_json::from_str(&text).expect("JSON array");
    let fingerprints: std::collections::HashSet<&str> = issues
        .as_array()
        .expect("array")
        .iter()
        .map(|issue| issue["fingerprint"].as_str().expect("fingerprint"))
        .collect();
    assert_eq!(
        fingerprints.len(),
        issues.as_array().map_or(0, Vec::len),
        "fingerprints are unique"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn junit() {
    insta::assert_snapshot!(check("junit"));
}

#[test]
fn sarif_is_valid_against_the_sarif_2_1_0_schema() {
    let text = check("sarif");
    let mut schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json"),
        )
        .expect("schema file"),
    )
    .expect("schema is JSON");
    // The published schema's `language` patterns (on `run` and `toolComponent`) have a stray `]`
    // that is not a valid ECMA-262 regex, so the validator rejects the schema itself; they
    // constrain nothing mrt writes. Use the pattern later SARIF schemas carry.
    let replaced = replace_strings(
        &mut schema,
        "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
        "^[a-zA-Z]{2}$|^[a-zA-Z]{2}-[a-zA-Z]{2}$",
    );
    assert_eq!(replaced, 2);
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .expect("a valid schema");
    let instance: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF output violates the schema:\n{}",
        errors.join("\n")
    );
    // A broken document is caught: the validator is really checking.
    let mut broken = instance.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(!validator.is_valid(&broken));
    assert_eq!(instance["runs"][0]["results"][0]["ruleId"], "MRT201");
    insta::assert_snapshot!(text);
}

/// Replaces every string value equal to `from`; returns how many were replaced.
fn replace_strings(value: &mut serde_json::Value, from: &str, to: &str) -> usize {
    let mut pending = vec![value];
    let mut replaced = 0;
    while let Some(value) = pending.pop() {
        match value {
            serde_json::Value::String(text) if text == from => {
                to.clone_into(text);
                replaced += 1;
            }
            serde_json::Value::Array(items) => pending.extend(items.iter_mut()),
            serde_json::Value::Object(fields) => pending.extend(fields.values_mut()),
            _ => {}
        }
    }
    replaced
}
