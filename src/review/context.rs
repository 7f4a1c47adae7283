//! One act as the review weighs it: the proposal beside the standard of the provision that
//! governs the act. Every finding step reads this and nothing else.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::governing::Provisions;
use super::{CORRECTIVE, Proposal, ReviewCase};
use crate::circumstances::{self, Effect};
use crate::engine::{BasisRole, CalcResult};
use crate::standards::{FineRule, Matter, Party, StandardsSet};

pub(super) struct Act<'a> {
    pub party: Party,
    /// The engine's standard under the governing provision.
    pub standard: &'a CalcResult,
    pub matter: &'a Matter,
    pub proposal: &'a Proposal,
    /// The governing provision, `《…》第…条…`, as findings cite it.
    pub penalty_cite: String,
    /// The labels of the case's mitigating circumstances (grounds for 从轻 or 减轻), as given.
    pub mitigating: Vec<String>,
    /// The proposed measures that are penalties: orders to put things right are not (第二十八条).
    pub proposed_penal: Vec<&'a String>,
    /// Every measure any of the provisions the act violates allows, normalised, plus the
    /// orders of 第二十八条 (correction, confiscation of illegal gains).
    pub allowed: BTreeSet<String>,
    /// The act's illegal gains, where positive.
    pub gains: Option<Decimal>,
}

impl<'a> Act<'a> {
    pub fn new(
        set: &'a StandardsSet,
        case: &ReviewCase,
        provisions: &'a Provisions,
        proposal: &'a Proposal,
    ) -> Act<'a> {
        let standard = &provisions.results[provisions.governing];
        Act {
            party: case.party,
            standard,
            matter: set
                .matter(&standard.matter_id)
                .expect("calculated matters exist"),
            proposal,
            penalty_cite: penalty_text(standard),
            mitigating: case
                .circumstances
                .iter()
                .filter_map(|c| circumstances::find(c))
                .filter(|c| c.effect == Effect::Mitigating)
                .map(|c| c.label.to_string())
                .collect(),
            proposed_penal: proposal
                .measures
                .iter()
                .filter(|m| !is_corrective(&normalise(m)))
                .collect(),
            allowed: allowed_measures(set, &provisions.results),
            gains: provisions.gains,
        }
    }

    /// The provision's fine for this party.
    pub fn rule(&self) -> Option<&'a FineRule> {
        self.matter.statutory.fine_for(self.party)
    }

    /// A fine or a penalty measure is proposed.
    pub fn penalising(&self) -> bool {
        self.proposal.fine.is_some() || !self.proposed_penal.is_empty()
    }
}

fn allowed_measures(set: &StandardsSet, results: &[CalcResult]) -> BTreeSet<String> {
    let mut allowed: BTreeSet<String> = CORRECTIVE.iter().map(|m| m.to_string()).collect();
    allowed.insert("没收违法所得".into());
    for res in results {
        if let Some(m) = set.matter(&res.matter_id) {
            allowed.extend(m.statutory.measures.iter().map(|s| normalise(s)));
            for t in &m.tiers {
                allowed.extend(t.measures.iter().map(|s| normalise(s)));
            }
        }
        allowed.extend(res.measures.iter().map(|s| normalise(s)));
    }
    allowed
}

/// The provision a result applies, rendered.
pub(super) fn penalty_text(r: &CalcResult) -> String {
    r.legal_basis
        .iter()
        .find(|b| b.role == BasisRole::Penalty)
        .map(|b| b.text.clone())
        .unwrap_or_default()
}

/// Strips spaces and punctuation a spreadsheet may add, for comparing measure names.
pub(super) fn normalise(m: &str) -> String {
    m.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '。' | '；' | ';' | '.'))
        .collect()
}

/// Whether `new` is lighter for the act than `old`: no penalty where there was one, else a
/// lower maximum fine, else fewer measures (orders to correct are not penalties, 第九条). What
/// 第三十七条 asks of two standards versions.
pub(crate) fn lighter(new: &CalcResult, old: &CalcResult) -> bool {
    let weight = |r: &CalcResult| {
        (
            r.outcome == crate::engine::Outcome::Penalty,
            r.fine.as_ref().map(|b| b.max).unwrap_or_default(),
            r.measures.iter().filter(|m| !is_corrective(m)).count(),
        )
    };
    weight(new) < weight(old)
}

/// An order to correct (责令改正 …): not a penalty (行政处罚法 第九条).
pub(crate) fn is_corrective(m: &str) -> bool {
    CORRECTIVE.contains(&m)
}
