//! What the steps share: the admitted case they read, the standard they start from, and the
//! draft decision they build.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{
    Adjustment, BasisRole, CalcResult, Dates, DecisiveFact, LegalBasis, MeasureOption, Outcome,
    TierRef,
};
use crate::money;
use crate::standards::{
    Band, Citation, FactValue, FineKind, FineRule, Matter, Party, StandardsSet, Tier, TierFine,
};

/// A request the engine has admitted: the matter found, the facts typed, the circumstances
/// known and consistent, the dates in order. The steps read it and never change it.
pub(super) struct Case<'a> {
    pub set: &'a StandardsSet,
    pub matter: &'a Matter,
    pub party: Party,
    pub facts: HashMap<String, FactValue>,
    /// The facts the request left out that took their declared default.
    pub defaulted: BTreeSet<String>,
    /// The general circumstances, each once, in code order.
    pub circumstances: BTreeSet<&'static str>,
    pub act_date: NaiveDate,
    pub act_end_date: Option<NaiveDate>,
    /// As given: never assumed.
    pub discovered_date: Option<NaiveDate>,
    pub decision_date: NaiveDate,
}

impl<'a> Case<'a> {
    /// The day the time limit runs from: the act's, or the end of a continuing act.
    pub fn limit_start(&self) -> NaiveDate {
        self.act_end_date.unwrap_or(self.act_date)
    }

    pub fn has(&self, circumstance: &str) -> bool {
        self.circumstances.contains(circumstance)
    }

    /// The provision's fine for this party; `None` where it fines no one of this kind.
    pub fn rule(&self) -> Option<&'a FineRule> {
        self.matter.statutory.fine_for(self.party)
    }

    /// The fact a multiple, percent or per-unit fine is computed from, if the rule has one.
    pub fn base(&self) -> Option<Decimal> {
        let key = self.rule()?.base.as_ref()?;
        match self.facts.get(key) {
            Some(FactValue::Number(x)) => Some(*x),
            _ => None,
        }
    }

    /// The illegal gains (违法所得) where the matter declares them as a fact.
    pub fn illegal_gains(&self) -> Option<Decimal> {
        match self.facts.get("illegal_gains") {
            Some(FactValue::Number(x)) => Some(*x),
            _ => None,
        }
    }

    /// Whether two tiers fine the same way (both in yuan, or both a rate of the base). A tier in
    /// the other zone of a multiple-with-fallback matter is no neighbour to stop at: its amounts
    /// apply to other base values.
    pub fn same_kind(&self, a: &Tier, b: &Tier) -> bool {
        matches!(
            (a.fine_for(self.party), b.fine_for(self.party)),
            (Some(TierFine::Yuan { .. }), Some(TierFine::Yuan { .. }))
                | (Some(TierFine::Rate { .. }), Some(TierFine::Rate { .. }))
        )
    }

    /// A tier's fine at these facts, unrounded; none where the statute does not fine this
    /// kind of party.
    pub fn tier_band(&self, tier: &Tier) -> Option<Band> {
        let rule = self.rule()?;
        let fine = tier.fine_for(self.party)?;
        Some(match (rule.kind, fine) {
            // The article fixes the amount per part of the excess: the tier's rate is a share
            // of it (1: the amount itself).
            (FineKind::Tranches, TierFine::Rate { min, max }) => {
                let amount = rule.tranche_amount(&self.facts);
                Band::new(amount * *min, amount * *max)
            }
            _ => fine.band_at(Some(rule), self.base()),
        })
    }
}

/// Where the steps start from: the tier the facts fall in and the bands at these facts.
pub(super) struct Standard<'a> {
    pub tier: &'a Tier,
    pub decisive_facts: Vec<DecisiveFact>,
    /// The provision's band for this party at these facts, unrounded.
    pub statutory_fine: Option<Band>,
    /// The tier's fine before any adjustment, unrounded.
    pub standard_fine: Option<Band>,
}

/// The decision as the steps build it. Each step adds its articles, its sentences of
/// explanation and its measures in the order the steps run, which is the order they are read.
pub(super) struct Draft {
    pub legal_basis: Vec<LegalBasis>,
    pub explanation: Vec<String>,
    pub measures: Vec<String>,
    /// Measures the article allows but does not impose here.
    pub options: Vec<MeasureOption>,
    /// The fine on the organisation's responsible persons, where the article sets one.
    pub persons_fine: Option<Band>,
    /// The facts reach a criminal threshold: the case goes to the judicial organs (第二十七条).
    pub criminal_referral: bool,
    /// The fine to impose, unrounded; set by the adjustment step, absent on every path that
    /// ends before it.
    pub fine: Option<Band>,
    pub adjustments: Vec<Adjustment>,
    pub no_penalty_possible: bool,
    pub summary_procedure_allowed: bool,
    pub hearing_right: bool,
}

impl Draft {
    /// Starts with the provisions violated and applied, as every answer cites them first.
    pub fn new(matter: &Matter) -> Draft {
        let mut legal_basis = vec![
            LegalBasis {
                role: BasisRole::Violated,
                text: matter.violated.render(),
                citation: matter.violated.clone(),
            },
            LegalBasis {
                role: BasisRole::Penalty,
                text: matter.penalty.render(),
                citation: matter.penalty.clone(),
            },
        ];
        for c in &matter.penalty_also {
            legal_basis.push(LegalBasis {
                role: BasisRole::Penalty,
                text: c.render(),
                citation: c.clone(),
            });
        }
        Draft {
            legal_basis,
            explanation: Vec::new(),
            measures: Vec::new(),
            options: Vec::new(),
            persons_fine: None,
            criminal_referral: false,
            fine: None,
            adjustments: Vec::new(),
            no_penalty_possible: false,
            summary_procedure_allowed: false,
            hearing_right: false,
        }
    }

    /// Cites an article once: a second citation of the same article adds nothing.
    pub fn cite(&mut self, role: BasisRole, citation: Citation) {
        if !self.legal_basis.iter().any(|b| b.citation == citation) {
            self.legal_basis.push(LegalBasis {
                role,
                text: citation.render(),
                citation,
            });
        }
    }

    /// The answer, amounts rounded to the fen.
    pub fn finish(
        self,
        case: &Case,
        standard: Standard,
        dates: Dates,
        outcome: Outcome,
    ) -> CalcResult {
        let circumstances_without_effect = super::unused::list(case, &self, outcome);
        CalcResult {
            matter_id: case.matter.id.clone(),
            matter_name: case.matter.name.clone(),
            unit: case.matter.unit.clone(),
            standards_version: case.set.version.clone(),
            party: case.party,
            outcome,
            no_penalty_possible: self.no_penalty_possible,
            tier: TierRef {
                level: standard.tier.level,
                name: standard.tier.name.clone(),
                situation: standard.tier.situation.clone(),
            },
            decisive_facts: standard.decisive_facts,
            fine: self.fine.map(in_yuan),
            standard_fine: standard.standard_fine.map(in_yuan),
            statutory_fine: standard.statutory_fine.map(in_yuan),
            measures: self.measures,
            measure_options: self.options,
            persons_fine: self.persons_fine.map(in_yuan),
            criminal_referral: self.criminal_referral,
            adjustments: self.adjustments,
            circumstances_without_effect,
            summary_procedure_allowed: self.summary_procedure_allowed,
            hearing_right: self.hearing_right,
            legal_basis: self.legal_basis,
            explanation: self.explanation,
            dates,
            version_choice: None,
        }
    }
}

fn in_yuan(b: Band) -> Band {
    Band::new(money::yuan(b.min), money::yuan(b.max))
}
