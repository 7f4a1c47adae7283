//! `penalty-standards coverage --laws DIR [--write]`: builds `standards/COVERAGE.md` from
//! `standards/coverage/<UNIT>.toml`, the standards and the law texts, and fails when a provision of a
//! unit's core laws is neither covered nor explained, or when the committed file is stale.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::ExitCode;

use penalty_standards::lawtext::corpus::Corpus;
use penalty_standards::lawtext::penalty_provisions;
use penalty_standards::standards::StandardsSet;
use penalty_standards::standards::coverage::{ProvisionRef, UnitCoverage, report};

pub fn run(corpus: &Corpus, set: &StandardsSet, dir: &Path, write: bool) -> ExitCode {
    let output = dir.join("COVERAGE.md");
    let units = match read_units(&dir.join("coverage")) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let (md, problems) = report(&units, set, &provisions(corpus, &units));
    for p in &problems {
        eprintln!("error: {p}");
    }
    if write {
        if let Err(e) = fs::write(&output, &md) {
            eprintln!("error: {}: {e}", output.display());
            return ExitCode::from(2);
        }
        println!("wrote {}", output.display());
    } else if fs::read_to_string(&output).ok().as_deref() != Some(md.as_str()) {
        eprintln!(
            "error: {} is not what the coverage file and the standards give: run `penalty-standards coverage --laws DIR --write`",
            output.display()
        );
        return ExitCode::FAILURE;
    }
    if problems.is_empty() {
        println!("{}", md.lines().last().unwrap_or_default());
        ExitCode::SUCCESS
    } else {
        eprintln!("{} problem(s)", problems.len());
        ExitCode::FAILURE
    }
}

/// The unit files, in the order of their names.
fn read_units(dir: &Path) -> Result<Vec<UnitCoverage>, String> {
    let mut paths: Vec<_> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            fs::read_to_string(p)
                .map_err(|e| e.to_string())
                .and_then(|t| toml::from_str(&t).map_err(|e| e.to_string()))
                .map_err(|e| format!("{}: {e}", p.display()))
        })
        .collect()
}

/// Every listed law's fine-setting provisions, from its newest text.
fn provisions(corpus: &Corpus, units: &[UnitCoverage]) -> BTreeMap<String, Vec<ProvisionRef>> {
    let mut out = BTreeMap::new();
    for law in units.iter().flat_map(|u| &u.laws) {
        let Some(version) = corpus.versions(law).and_then(|v| v.last()) else {
            continue;
        };
        let list = penalty_provisions(version.law())
            .into_iter()
            .map(|p| ProvisionRef {
                article: p.article,
                paragraph: p.paragraph,
                bands: p
                    .bands
                    .iter()
                    .map(crate::show_band)
                    .collect::<Vec<_>>()
                    .join("，"),
            })
            .collect();
        out.insert(law.clone(), list);
    }
    out
}
