//! `mrt rule` and `mrt rules`.

use std::fmt::Write as _;

use crate::Status;
use crate::args::{ListFormat, RuleArgs, RulesArgs};

pub(crate) fn explain(args: &RuleArgs) -> Result<Status, String> {
    let Some(rule) = mrt_rules::registry().find(&args.rule) else {
        return Err(format!(
            "unknown rule `{}`: `mrt rules` lists every rule",
            args.rule
        ));
    };
    crate::write_stdout(&mrt_rules::docs::rule_page(rule.meta()))
}

pub(crate) fn list(args: &RulesArgs) -> Result<Status, String> {
    let rules = mrt_rules::registry().rules();
    let text = match args.output_format {
        ListFormat::Text => {
            let width = rules
                .iter()
                .map(|rule| rule.meta().name.len())
                .max()
                .unwrap_or(0);
            let mut text = String::new();
            for rule in rules {
                let meta = rule.meta();
                let frameworks: Vec<&str> = meta.frameworks.iter().map(|f| f.as_str()).collect();
                let _ = writeln!(
                    text,
                    "{code:<7} {name:<width$}  {severity:<7}  {frameworks:<14}  {summary}",
                    code = meta.code,
                    name = meta.name,
                    severity = meta.severity.as_str(),
                    frameworks = frameworks.join(","),
                    summary = meta.summary,
                );
            }
            text
        }
        ListFormat::Json => {
            let entries: Vec<serde_json::Value> = rules
                .iter()
                .map(|rule| {
                    let meta = rule.meta();
                    serde_json::json!({
                        "code": meta.code,
                        "name": meta.name,
                        "aliases": meta.aliases,
                        "severity": meta.severity,
                        "frameworks": meta.frameworks,
                        "fix": meta.fix,
                        "opt_in": meta.opt_in,
                        "summary": meta.summary,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&entries).map_err(|error| error.to_string())? + "\n"
        }
    };
    crate::write_stdout(&text)
}
