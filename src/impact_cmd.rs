//! `check --laws DIR --impact`, and the marker `provisions` puts on matters: the matters that
//! cite an older version of a law than the newest in the law directory, and what the amendment
//! did to the articles they cite — the legal office's to-do list after an amendment.

use std::collections::{HashMap, HashSet};
use std::process::ExitCode;

use penalty_standards::lawtext::corpus::Corpus;
use penalty_standards::lawtext::impact::{Change, CitationImpact, matter_impacts};
use penalty_standards::standards::{Matter, StandardsSet};

/// Shown beside a matter whose cited article changed in a newer version of its law.
pub const REVISED_MARKER: &str = "⚠ 所引版本已修订";

/// A matter with the citations that name an older version than the newest.
struct MatterImpact<'m> {
    matter: &'m Matter,
    citations: Vec<CitationImpact<'m>>,
}

impl MatterImpact<'_> {
    /// Some cited text differs in the newest version: the matter needs revising.
    fn needs_revision(&self) -> bool {
        self.citations.iter().any(|c| c.change.kind().is_some())
    }

    /// Every older-version citation failed to resolve: nothing could be compared.
    fn not_comparable(&self) -> bool {
        self.citations
            .iter()
            .all(|c| c.change == Change::NotInCitedVersion)
    }
}

/// Every matter of the set that cites an older version of a law, in the set's order.
fn matters_citing_older_versions<'m>(
    set: &'m StandardsSet,
    corpus: &Corpus,
) -> Vec<MatterImpact<'m>> {
    set.matters
        .iter()
        .map(|matter| MatterImpact {
            matter,
            citations: matter_impacts(matter, corpus),
        })
        .filter(|m| !m.citations.is_empty())
        .collect()
}

/// Prints the report and its summary line. Always succeeds: it is a report, not a check.
pub fn report(set: &StandardsSet, corpus: &Corpus) -> ExitCode {
    let older = matters_citing_older_versions(set, corpus);
    let revise: Vec<&MatterImpact> = older.iter().filter(|m| m.needs_revision()).collect();
    for m in &revise {
        print_matter(m);
    }
    let ids = |keep: &dyn Fn(&MatterImpact) -> bool| {
        older
            .iter()
            .filter(|m| keep(m))
            .map(|m| m.matter.id.as_str())
            .collect::<Vec<_>>()
    };
    let same = ids(&|m| !m.needs_revision() && !m.not_comparable());
    if !same.is_empty() {
        println!(
            "所引条文未变、只需更新版本日期的事项（{} 个）：{}",
            same.len(),
            same.join(" ")
        );
    }
    let unresolved = ids(&|m| m.not_comparable());
    if !unresolved.is_empty() {
        println!(
            "所引条文在所注版本中找不到、无法比较的事项（{} 个，详见 check --laws）：{}",
            unresolved.len(),
            unresolved.join(" ")
        );
    }
    println!(
        "{} 个事项引用了法律的旧版本，其中 {} 个所引条文已有变化",
        older.len(),
        revise.len()
    );
    ExitCode::SUCCESS
}

/// The matter, then each of its citations whose text changed, with an excerpt of the change.
fn print_matter(m: &MatterImpact) {
    println!("{} {}", m.matter.id, m.matter.name);
    for c in m.citations.iter().filter(|c| c.change.kind().is_some()) {
        println!(
            "  {} {}（所引 {} 版，最新 {} 版）：{}",
            c.role,
            c.citation.render(),
            c.cited_date,
            c.newest_date,
            c.change.describe()
        );
        if let Some(d) = c.change.difference() {
            println!("    原：{}", d.before);
            println!("    现：{}", d.after);
        }
    }
}

/// Per law title, the matters whose citation of that law needs revising after an amendment.
pub fn revised_matters<'m>(
    set: &'m StandardsSet,
    corpus: &Corpus,
) -> HashMap<String, HashSet<&'m str>> {
    let mut out: HashMap<String, HashSet<&str>> = HashMap::new();
    for m in matters_citing_older_versions(set, corpus) {
        for c in m.citations.iter().filter(|c| c.change.kind().is_some()) {
            out.entry(c.citation.law.clone())
                .or_default()
                .insert(m.matter.id.as_str());
        }
    }
    out
}
