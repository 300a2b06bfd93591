//! The static side, as the walk needs it: which tables a revision's code names (so only their data
//! is compared), and which static findings predicted a dynamic failure.

use std::collections::BTreeSet;

use mrt_core::ir::{OpKind, SqlText};
use mrt_core::{Diagnostic, Project};

use crate::report::{Failure, FailureKind};

/// The tables a revision's upgrade and downgrade name, or `None` when some of its code cannot be
/// read (SQL built at run time or lowered to nothing, Python code, an unmodelled call, a syntax
/// error, or no static reading of the revision at all): then every table may have been touched.
pub fn named_tables(project: &Project, revision: &str) -> Option<BTreeSet<String>> {
    let position = project.graph.position(revision)?;
    let migration = project.migration_at(position);
    if !migration.syntax_errors.is_empty() {
        return None;
    }
    let mut tables = BTreeSet::new();
    let bodies = [migration.upgrade.as_ref(), migration.downgrade.as_ref()];
    for op in bodies.into_iter().flatten().flat_map(|body| &body.ops) {
        match &op.kind {
            OpKind::Sql {
                text: SqlText::Unreadable(_),
                ..
            }
            | OpKind::Sql {
                lowered: 0,
                read_only: false,
                ..
            }
            | OpKind::OtherSql { .. }
            | OpKind::RunPython { .. }
            | OpKind::Other { .. } => return None,
            OpKind::RenameTable { old, new } => {
                tables.extend(old.iter().chain(new).map(|name| name.as_str().to_owned()));
            }
            kind => {
                if let Some(table) = kind.table() {
                    tables.insert(table.as_str().to_owned());
                }
            }
        }
    }
    // PostgreSQL folds unquoted names to lower case; SQLAlchemy quotes them as written.
    let folded: Vec<String> = tables
        .iter()
        .map(|name| name.to_ascii_lowercase())
        .collect();
    tables.extend(folded);
    Some(tables)
}

/// Whether a revision commits the transaction it runs in (`autocommit_block()`, an index built
/// or dropped `CONCURRENTLY`, `VACUUM`), or cannot be read: then it cannot be tried inside a
/// transaction that is rolled back.
pub fn commits_itself(project: &Project, revision: &str) -> bool {
    let Some(position) = project.graph.position(revision) else {
        return true;
    };
    let migration = project.migration_at(position);
    let bodies = [migration.upgrade.as_ref(), migration.downgrade.as_ref()];
    bodies
        .into_iter()
        .flatten()
        .flat_map(|body| &body.ops)
        .any(|op| {
            op.context.autocommit
                || match &op.kind {
                    OpKind::CreateIndex { concurrently, .. }
                    | OpKind::DropIndex { concurrently, .. } => *concurrently,
                    OpKind::Sql {
                        text: SqlText::Literal(sql),
                        ..
                    } => {
                        let upper = sql.to_ascii_uppercase();
                        upper.contains("CONCURRENTLY")
                            || upper.contains("VACUUM")
                            || upper.contains("COMMIT")
                    }
                    _ => false,
                }
        })
}

/// The static findings on one revision.
pub fn of_revision<'a>(findings: &'a [Diagnostic], revision: &str) -> Vec<&'a Diagnostic> {
    findings
        .iter()
        .filter(|finding| finding.revision.as_deref() == Some(revision))
        .collect()
}

/// Findings about the revision as a whole: they predict any loss of its rollback.
const WHOLE_REVISION: &[&str] = &["MRT101", "MRT102", "MRT804"];
/// Findings that predict the downgrade raising.
const DOWNGRADE_RAISES: &[&str] = &["MRT101", "MRT804", "MRT107", "MRT108", "MRT601"];
/// Findings that predict the upgrade failing on rows already in the table.
const UPGRADE_ON_DATA: &[&str] = &["MRT401", "MRT406", "MRT213", "MRT403", "MRT704"];

/// Codes that claim the rollback loses or fails to restore something (a claim a run can refute).
pub fn predicts_loss(code: &str) -> bool {
    matches!(
        code,
        "MRT101"
            | "MRT102"
            | "MRT103"
            | "MRT104"
            | "MRT107"
            | "MRT108"
            | "MRT201"
            | "MRT202"
            | "MRT203"
            | "MRT205"
            | "MRT206"
            | "MRT207"
            | "MRT208"
            | "MRT301"
            | "MRT302"
            | "MRT402"
            | "MRT403"
            | "MRT408"
            | "MRT409"
            | "MRT410"
            | "MRT502"
            | "MRT503"
            | "MRT801"
            | "MRT803"
            | "MRT804"
    )
}

/// The codes of the findings that predicted a failure: for an upgrade or downgrade that raised,
/// the rules that say it would; for a residue or lost data, the whole-revision rules and those
/// whose message names the failure's table.
pub fn predicting(failure: &Failure, findings: &[&Diagnostic]) -> Vec<String> {
    let mut codes: BTreeSet<&str> = BTreeSet::new();
    for finding in findings {
        let code = finding.code();
        let predicts = match failure.kind {
            FailureKind::Upgrade => UPGRADE_ON_DATA.contains(&code),
            FailureKind::Downgrade => DOWNGRADE_RAISES.contains(&code),
            FailureKind::Reupgrade | FailureKind::Timeout => false,
            FailureKind::Schema | FailureKind::Data => {
                predicts_loss(code)
                    && (WHOLE_REVISION.contains(&code)
                        || failure
                            .table
                            .as_deref()
                            .or(failure.object.as_deref())
                            .is_some_and(|name| names(&finding.message, name)))
            }
        };
        if predicts {
            codes.insert(code);
        }
    }
    codes.into_iter().map(str::to_owned).collect()
}

/// Whether a message names an object as a whole word (`users` in "`users.phone`", not in
/// "`superusers`").
fn names(message: &str, name: &str) -> bool {
    let name = name.rsplit(' ').next().unwrap_or(name);
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    message.match_indices(name).any(|(at, _)| {
        let before = message[..at].chars().next_back();
        let after = message[at + name.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_whole_words() {
        assert!(names("Dropping column `users.phone` deletes", "users"));
        assert!(!names(
            "Dropping column `superusers.phone` deletes",
            "users"
        ));
        assert!(names("index `ix_a` on `t`", "index ix_a"));
    }
}
