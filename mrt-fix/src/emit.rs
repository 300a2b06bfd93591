//! Rendering an [`Inverse`] as the body of a Python function, in the file's style.

use crate::inverse::{Arg, Inverse, Step};
use crate::style::Style;

/// Lines longer than this are split, one argument per line (black's default width).
const LINE_WIDTH: usize = 88;

/// The body's lines, each indented by `indent` (the body's indentation), joined by the file's line
/// ending, without a trailing one. Consecutive steps in one batch block share a `with` block. A
/// body with no code raises `NotImplementedError`.
pub(crate) fn body(inverse: &Inverse, style: &Style, indent: &str) -> String {
    let mut lines = lines(inverse, style, indent);
    if !inverse.has_code() {
        lines.push(format!(
            "{indent}raise NotImplementedError({})",
            style
                .string("mrt: upgrade() cannot be reversed automatically; see the TODO(mrt) notes")
        ));
    }
    lines.join(style.newline)
}

/// The steps' lines alone, as [`body`] writes them (statements inserted into a body).
pub(crate) fn statements(inverse: &Inverse, style: &Style, indent: &str) -> String {
    lines(inverse, style, indent).join(style.newline)
}

fn lines(inverse: &Inverse, style: &Style, indent: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut open_batch: Option<&str> = None;
    let inner = format!("{indent}{}", style.indent);
    let batch_of = |step: &Step| match step {
        Step::Op { batch, .. } => batch.clone(),
        _ => None,
    };
    for (nth, step) in inverse.steps.iter().enumerate() {
        let batch = match step {
            Step::Op { batch, .. } => batch.as_deref(),
            _ => None,
        };
        if batch != open_batch {
            if let Some(table) = batch {
                // Placing a column (`insert_after=`) needs the table re-created, even where
                // ALTER would do.
                let places = inverse.steps[nth..]
                    .iter()
                    .take_while(|later| batch_of(later).as_deref() == Some(table))
                    .any(|later| match later {
                        Step::Op { args, .. } => args
                            .iter()
                            .any(|arg| matches!(arg, Arg::Kw("insert_after" | "insert_before", _))),
                        _ => false,
                    });
                // The upgrade's own mode (carried with the table) is kept as it is.
                let recreate = if places && !table.contains(", recreate=") {
                    format!(", recreate={}", style.string("always"))
                } else {
                    String::new()
                };
                lines.push(format!(
                    "{indent}with {}.batch_alter_table({}{recreate}) as batch_op:",
                    style.op_name(),
                    table
                ));
            }
            open_batch = batch;
        }
        let at = if batch.is_some() { &inner } else { indent };
        match step {
            Step::Op {
                method,
                args,
                batch,
            } => {
                let target = if batch.is_some() {
                    "batch_op"
                } else {
                    style.op_name()
                };
                let args: Vec<String> = args
                    .iter()
                    .filter_map(|arg| match arg {
                        Arg::Pos(value) => Some(value.clone()),
                        Arg::Kw(name, value) => Some(format!("{name}={value}")),
                        Arg::Table(value) => batch.is_none().then(|| value.clone()),
                        Arg::TableKw(value) => {
                            batch.is_none().then(|| format!("table_name={value}"))
                        }
                    })
                    .collect();
                call(&mut lines, at, &format!("{target}.{method}"), &args, style);
            }
            Step::Code(code) => lines.push(format!("{at}{code}")),
            Step::Todo(what) => lines.push(format!("{at}# TODO(mrt): {what}")),
        }
    }
    lines
}

fn call(lines: &mut Vec<String>, indent: &str, callee: &str, args: &[String], style: &Style) {
    let one_line = format!("{indent}{callee}({})", args.join(", "));
    if one_line.chars().count() <= LINE_WIDTH || args.len() < 2 {
        lines.push(one_line);
        return;
    }
    lines.push(format!("{indent}{callee}("));
    for arg in args {
        lines.push(format!("{indent}{}{arg},", style.indent));
    }
    lines.push(format!("{indent})"));
}
