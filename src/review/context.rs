//! One act as the review weighs it: the proposal beside the standard of the provision that
//! governs the act. Every finding step reads this and nothing else.

use std::collections::{BTreeSet, HashMap};

use rust_decimal::Decimal;

use super::governing::Provisions;
use super::{CORRECTIVE, Proposal, ReviewCase};
use crate::circumstances::{self, Effect};
use crate::engine::{BasisRole, CalcResult};
use crate::standards::{FactValue, FineRule, Matter, MeasureKind, Party, StandardsSet};

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
    /// The gains to confiscate under the governing provision, where positive.
    pub gains: Option<Decimal>,
    /// The governing provision's facts.
    pub facts: &'a HashMap<String, FactValue>,
}

impl<'a> Act<'a> {
    pub fn new(
        set: &'a StandardsSet,
        case: &ReviewCase,
        provisions: &'a Provisions,
        proposal: &'a Proposal,
    ) -> Act<'a> {
        let standard = &provisions.results[provisions.governing];
        let mut act = Act {
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
            proposed_penal: Vec::new(),
            allowed: allowed_measures(set, &provisions.results, case.party),
            gains: provisions.gains(),
            facts: provisions.governing_facts(),
        };
        act.proposed_penal = proposal
            .measures
            .iter()
            .filter(|m| act.is_penalty(m))
            .collect();
        act
    }

    /// Whether a proposed measure is a penalty (第九条), as the governing article declares it
    /// or as its name shows; orders to put things right are not.
    pub fn is_penalty(&self, m: &str) -> bool {
        let n = normalise(m);
        !is_corrective(&n) && self.matter.statutory.kind_of(&n).is_penalty()
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

/// The measures the violated articles provide for this party, and the orders of 第二十八条第一款.
fn allowed_measures(set: &StandardsSet, results: &[CalcResult], party: Party) -> BTreeSet<String> {
    let mut allowed: BTreeSet<String> = CORRECTIVE.iter().map(|m| m.to_string()).collect();
    for res in results {
        if let Some(m) = set.matter(&res.matter_id) {
            let provided = m.statutory.measures.iter().filter(|s| s.applies_to(party));
            allowed.extend(provided.map(|s| normalise(&s.name)));
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
    use crate::engine::Outcome::Penalty;
    match (new.outcome == Penalty, old.outcome == Penalty) {
        (false, true) => return true,
        (true, false) | (false, false) => return false,
        (true, true) => {}
    }
    // Both punish: lighter only if no heavier in any respect (the band's bounds, each measure)
    // and lighter in at least one; a lower fine with a measure the old one lacked is not.
    let bounds = |r: &CalcResult| {
        r.fine
            .as_ref()
            .map_or((Decimal::ZERO, Decimal::ZERO), |b| (b.min, b.max))
    };
    let measures = |r: &CalcResult| -> BTreeSet<String> {
        r.measures
            .iter()
            .filter(|m| !is_corrective(m))
            .map(|m| normalise(m))
            .collect()
    };
    let ((new_min, new_max), (old_min, old_max)) = (bounds(new), bounds(old));
    let (new_measures, old_measures) = (measures(new), measures(old));
    let no_heavier =
        new_min <= old_min && new_max <= old_max && new_measures.is_subset(&old_measures);
    no_heavier
        && (new_min < old_min || new_max < old_max || new_measures.len() < old_measures.len())
}

/// An order to put things right (责令改正, 责令停止违法行为, 责令限期拆除 …): not a penalty
/// (行政处罚法 第九条).
pub(crate) fn is_corrective(m: &str) -> bool {
    CORRECTIVE.contains(&m) || MeasureKind::of_name(m) == MeasureKind::Order
}

#[cfg(test)]
mod lighter_tests {
    use super::*;

    fn result(min: i64, max: i64, measures: &[&str]) -> CalcResult {
        let set = crate::sources::load_standards(None).unwrap();
        let req = crate::engine::CalcRequest::from_json(&serde_json::json!({
            "matter_id": "ZHZF-019", "party": "individual", "facts": {"stall_area": "1.5"},
            "act_date": "2026-11-01", "decision_date": "2026-11-20"}))
        .unwrap();
        let mut r = crate::engine::calculate(&set, &req, "2026-12-05".parse().unwrap()).unwrap();
        r.fine = Some(crate::standards::Band {
            min: Decimal::from(min),
            max: Decimal::from(max),
        });
        r.measures = measures.iter().map(|m| m.to_string()).collect();
        r
    }

    /// 第三十七条 lets a new version reach back only where it is lighter in every respect.
    #[test]
    fn lighter_means_no_heavier_in_any_respect_and_lighter_in_one() {
        let old = result(100, 200, &["责令改正", "没收违法所得"]);
        assert!(lighter(
            &result(100, 150, &["责令改正", "没收违法所得"]),
            &old
        ));
        assert!(
            lighter(&result(100, 200, &["责令改正"]), &old),
            "a measure fewer"
        );
        assert!(
            !lighter(&result(150, 190, &["没收违法所得"]), &old),
            "a higher minimum"
        );
        assert!(
            !lighter(&result(50, 100, &["没收违法所得", "暂扣许可证件"]), &old),
            "a measure more"
        );
        assert!(!lighter(&old.clone(), &old), "the same is not lighter");
        let mut none = old.clone();
        none.outcome = crate::engine::Outcome::NoPenalty;
        assert!(lighter(&none, &old) && !lighter(&old, &none));
    }
}
