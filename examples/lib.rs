//! Example programs using `mrt-core` and `mrt-rules` as dependencies: see `lint_file.rs` and
//! `house_rule.rs`, run with `cargo run --example NAME`. The Alembic project in `alembic/versions/`
//! is what the README's first command checks.

/// The example migrations shipped with the repository.
pub fn example_versions_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("alembic/versions")
}

/// Lints one file with every default rule against the revision graph of its directory (the
/// migrations beside it are read as context and never reported), as `mrt check FILE` does:
/// linting its text alone would report its parent revision as unknown (MRT904). `Err` holds the
/// paths that could not be read, or a selection error.
pub fn lint_file(
    path: &std::path::Path,
) -> Result<Vec<mrt_core::Diagnostic>, Vec<mrt_core::Error>> {
    let rules = mrt_rules::registry()
        .select(&[], &[], &[])
        .map_err(|error| vec![error])?;
    let (project, errors) = mrt_core::Project::load(&[path.to_path_buf()]);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(mrt_core::Linter::new(rules, mrt_core::Settings::default()).check(&project))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::{example_versions_dir, lint_file};

    #[test]
    fn a_file_given_alone_knows_its_parent() {
        let diagnostics =
            lint_file(&example_versions_dir().join("0002_drop_legacy_columns.py")).unwrap();
        let codes: Vec<&str> = diagnostics.iter().map(mrt_core::Diagnostic::code).collect();
        assert!(codes.contains(&"MRT201"), "{codes:?}");
        assert!(
            !codes.contains(&"MRT904"),
            "its parent 0001 sits beside it: {codes:?}"
        );
        assert!(
            diagnostics
                .iter()
                .all(|d| d.path().ends_with("0002_drop_legacy_columns.py")),
            "siblings are context only"
        );
    }

    #[test]
    fn a_missing_file_is_an_error_naming_it() {
        let errors = lint_file(std::path::Path::new("no/such/rev.py")).unwrap_err();
        assert!(
            errors[0].to_string().contains("no/such/rev.py"),
            "{errors:?}"
        );
    }
}
