//! For the steps' tests: the fixture standards (tests/fixtures/standards, one matter shaped for
//! each part of the engine) and cases on them, built as `admit` would build them.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::LazyLock;

use chrono::NaiveDate;
use serde_json::Value;

use super::context::{Case, Draft, Standard};
use super::{band, tier};
use crate::circumstances;
use crate::request::parse_facts;
use crate::standards::{Party, StandardsSet};

pub(crate) static FIXTURES: LazyLock<StandardsSet> = LazyLock::new(|| {
    crate::sources::load_standards(Some(Path::new("tests/fixtures/standards")))
        .expect("fixtures load")
});

pub(crate) fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
}

/// A case on a fixture matter: acted 2026-09-01, discovered 2026-09-10, decided 2026-11-20.
pub(super) fn case(
    matter: &str,
    party: Party,
    facts: Value,
    circumstances: &[&str],
) -> Case<'static> {
    let matter = FIXTURES.matter(matter).expect("fixture matter");
    let given = facts.as_object().expect("facts object");
    let typed = parse_facts(matter, given).expect("facts");
    let defaulted = super::admission::defaulted_facts(&typed, given);
    let circumstances: BTreeSet<&'static str> = circumstances
        .iter()
        .map(|c| circumstances::find(c).expect("published code").code)
        .collect();
    Case {
        set: &FIXTURES,
        matter,
        party,
        facts: typed,
        defaulted,
        circumstances,
        act_date: day("2026-09-01"),
        act_end_date: None,
        discovered_date: Some(day("2026-09-10")),
        decision_date: day("2026-11-20"),
    }
}

/// The tier and bands, as `evaluate` finds them before any step.
pub(super) fn standard<'a>(case: &Case<'a>) -> Standard<'a> {
    let (tier, decisive_facts) = tier::select(case);
    Standard {
        tier,
        decisive_facts,
        statutory_fine: band::statutory(case),
        standard_fine: band::standard(case, tier),
    }
}

/// A draft before any step: only the provisions violated and applied are cited.
pub(super) fn draft(case: &Case) -> Draft {
    Draft::new(case.matter)
}

/// The articles a draft cites, rendered, after the two of the matter itself.
pub(super) fn cited(draft: &Draft) -> Vec<String> {
    draft.legal_basis[2..]
        .iter()
        .map(|b| b.text.clone())
        .collect()
}
