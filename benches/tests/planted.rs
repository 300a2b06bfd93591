//! Every planted broken downgrade is found, and no reverse rule fires on a correct one.

use std::collections::{BTreeMap, BTreeSet};

use mrt_benches::planted::{REVERSE_CODES, planted_chain};
use mrt_core::{Linter, Project, Settings, SourceFile};

#[test]
fn planted_broken_downgrades_are_found_and_correct_ones_are_quiet() {
    let (files, planted) = planted_chain(600);
    assert!(
        planted.len() >= 50,
        "the generator plants one revision in ten"
    );
    let project = Project::from_sources(
        files
            .into_iter()
            .map(|file| SourceFile::new(file.name, file.text)),
    );
    let rules = mrt_rules::registry()
        .select(&[], &[], &[])
        .expect("the default selection resolves");
    let diagnostics = Linter::new(rules, Settings::default()).check(&project);
    let mut found: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for diagnostic in &diagnostics {
        if let Some(revision) = &diagnostic.revision {
            found
                .entry(revision.to_string())
                .or_default()
                .insert(diagnostic.code());
        }
    }
    let mut problems = Vec::new();
    for plant in &planted {
        let codes = found.get(&plant.revision).cloned().unwrap_or_default();
        if !plant.codes.iter().any(|code| codes.contains(code)) {
            problems.push(format!(
                "{} ({}): expected one of {:?}, found {codes:?}",
                plant.revision, plant.kind, plant.codes
            ));
        }
    }
    let planted_ids: BTreeSet<&str> = planted.iter().map(|p| p.revision.as_str()).collect();
    for (revision, codes) in &found {
        if planted_ids.contains(revision.as_str()) {
            continue;
        }
        let wrong: Vec<&&str> = codes
            .iter()
            .filter(|code| REVERSE_CODES.contains(code))
            .collect();
        if !wrong.is_empty() {
            problems.push(format!("{revision} (correct downgrade): {wrong:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Every kind of break is planted.
    let kinds: BTreeSet<&str> = planted.iter().map(|p| p.kind).collect();
    assert_eq!(kinds.len(), 8, "{kinds:?}");
}
