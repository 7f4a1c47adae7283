//! One act that violates several provisions (行政处罚法 第二十九条): 同一个违法行为违反多个法律
//! 规范应当给予罚款处罚的，按照罚款数额高的规定处罚 — one fine only, under the provision with the
//! higher fine. Every provision is calculated; the one with the highest statutory maximum for
//! this party governs.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::context::penalty_text;
use super::{Candidate, Finding, Governing, ReviewAct, ReviewCase, Verdict};
use crate::circumstances::penalty_law;
use crate::engine::{self, CalcRequest, CalcResult};
use crate::request::CalcError;
use crate::standards::measure::{GAINS_FACT, REFUND_FACT};
use crate::standards::{FactValue, StandardsSet};

/// The provisions one act violates, each with the engine's standard, and which governs.
pub(super) struct Provisions {
    /// The act's own matter first, then its `also_violates` in the order given.
    pub results: Vec<CalcResult>,
    pub governing: usize,
    /// The facts of each provision, as the engine typed them (defaults filled).
    pub facts: Vec<HashMap<String, FactValue>>,
}

impl Provisions {
    /// The governing provision's facts: its measures and gains are read from them (第二十九条).
    pub fn governing_facts(&self) -> &HashMap<String, FactValue> {
        &self.facts[self.governing]
    }

    /// The gains to confiscate under the governing provision: 违法所得 less what must be
    /// returned by law (第二十八条第二款), where positive.
    pub fn gains(&self) -> Option<Decimal> {
        let number = |key: &str| match self.governing_facts().get(key) {
            Some(FactValue::Number(x)) => Some(*x),
            _ => None,
        };
        let gains = number(GAINS_FACT)? - number(REFUND_FACT).unwrap_or(Decimal::ZERO);
        (gains > Decimal::ZERO).then_some(gains)
    }
}

/// Calculates the act under each provision it violates. A matter listed twice is refused; a
/// refusal about the matter or its facts names the act's path.
pub(super) fn calculate(
    set: &StandardsSet,
    case: &ReviewCase,
    i: usize,
    act: &ReviewAct,
    today: NaiveDate,
) -> Result<Provisions, CalcError> {
    let path = format!("acts[{i}]");
    let mut candidates = vec![(path.clone(), &act.matter_id, &act.facts)];
    for (j, o) in act.also_violates.iter().enumerate() {
        candidates.push((format!("{path}.also_violates[{j}]"), &o.matter_id, &o.facts));
    }
    let mut seen = BTreeSet::new();
    let mut results = Vec::with_capacity(candidates.len());
    let mut typed = Vec::with_capacity(candidates.len());
    for (p, matter_id, facts) in &candidates {
        if !seen.insert(matter_id.to_uppercase()) {
            return Err(CalcError::invalid(
                "duplicate_matter",
                format!("{p}.matter_id"),
                format!("同一违法行为重复列出事项 {matter_id}"),
                format!("matter `{matter_id}` is listed twice for one act"),
            ));
        }
        let req = CalcRequest {
            matter_id: matter_id.to_string(),
            party: case.party,
            facts: (*facts).clone(),
            circumstances: case.circumstances.clone(),
            act_date: act.act_date.unwrap_or(case.act_date),
            act_end_date: act.act_end_date,
            discovered_date: case.discovered_date,
            decision_date: case.decision_date,
            case_ref: None,
        };
        let c = engine::calculate_with_facts(set, &req, today).map_err(|e| at_path(e, p))?;
        typed.push(c.facts);
        results.push(c.result);
    }
    Ok(Provisions {
        governing: governing_index(&results),
        results,
        facts: typed,
    })
}

/// Act-specific fields get the act's path; case-wide ones keep theirs.
fn at_path(mut e: CalcError, path: &str) -> CalcError {
    if let Some(field) = &e.field
        && (field == "matter_id" || field.starts_with("facts"))
    {
        e.field = Some(format!("{path}.{field}"));
        e.message = format!("{path}：{}", e.message);
    }
    e
}

/// Which provision governs: the higher statutory maximum for this party, then the higher
/// minimum; a provision without a fine ranks last; ties keep the order given.
fn governing_index(results: &[CalcResult]) -> usize {
    let key = |r: &CalcResult| r.statutory_fine.map(|b| (b.max, b.min));
    let mut best = 0;
    for (i, r) in results.iter().enumerate().skip(1) {
        if key(r) > key(&results[best]) {
            best = i;
        }
    }
    best
}

/// Why the governing provision governs; `None` for an act under one provision only.
pub(super) fn explain(provisions: &Provisions) -> Option<Governing> {
    let results = &provisions.results;
    if results.len() < 2 {
        return None;
    }
    let g = provisions.governing;
    let considered: Vec<Candidate> = results
        .iter()
        .map(|r| Candidate {
            matter_id: r.matter_id.clone(),
            matter_name: r.matter_name.clone(),
            penalty: penalty_text(r),
            statutory_fine: r.statutory_fine,
        })
        .collect();
    let fine_text = |c: &Candidate| {
        c.statutory_fine
            .map(|b| b.render())
            .unwrap_or_else(|| "无罚款".into())
    };
    let top = &considered[g];
    let others: Vec<String> = considered
        .iter()
        .enumerate()
        .filter(|(k, _)| *k != g)
        .map(|(_, c)| format!("{}（{}，法定罚款{}）", c.matter_id, c.penalty, fine_text(c)))
        .collect();
    Some(Governing {
        matter_id: top.matter_id.clone(),
        reason: format!(
            "同一违法行为同时违反{}与{}，只能给予一次罚款，按罚款数额高的规定处罚：{}规定的法定罚款为{}，数额最高，适用该规定（{}）。",
            top.matter_id,
            others.join("、"),
            top.penalty,
            fine_text(top),
            penalty_law(29, None, None).render()
        ),
        considered,
    })
}

/// The governing provision, as the act's first finding.
pub(super) fn finding(governing: &Governing) -> Finding {
    Finding {
        code: "governing_provision",
        verdict: Verdict::Conforms,
        direction: None,
        message: governing.reason.clone(),
        basis: vec![penalty_law(29, None, None).render()],
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::review::testing::weigh;

    fn refused(act: serde_json::Value) -> (&'static str, Option<String>) {
        let case = ReviewCase::from_json(&json!({
            "case_ref": "测试〔2026〕1号",
            "party": "organisation",
            "act_date": "2026-09-01",
            "acts": [act],
            "proposed": {"fine": "1000"},
        }))
        .expect("case parses");
        let today = crate::engine::testing::day("2026-11-22");
        let e = calculate(
            &crate::engine::testing::FIXTURES,
            &case,
            0,
            &case.acts[0],
            today,
        )
        .err()
        .expect("must be refused");
        (e.code, e.field)
    }

    #[test]
    fn the_provision_with_the_higher_statutory_maximum_governs() {
        // FIX-002 fines an organisation 500 to 5,000; FIX-001 100,000 to 1,000,000.
        let w = weigh(
            "organisation",
            json!({"matter_id": "FIX-002", "facts": {"area": "12"},
                   "also_violates": [{"matter_id": "FIX-001", "facts": {"times_over": "0.6"}}]}),
            &[],
            json!({"fine": "200000"}),
        );
        assert_eq!(w.provisions.governing, 1);
        let g = explain(&w.provisions).expect("two provisions");
        assert_eq!(g.matter_id, "FIX-001");
        assert_eq!(g.considered.len(), 2);
        assert!(g.reason.contains("按罚款数额高的规定处罚"), "{}", g.reason);
        assert!(g.reason.contains("FIX-002（"), "{}", g.reason);
        assert_eq!(
            finding(&g).basis,
            ["《中华人民共和国行政处罚法》第二十九条"]
        );
    }

    #[test]
    fn a_provision_without_a_fine_ranks_last_and_one_provision_needs_no_choice() {
        let w = weigh(
            "organisation",
            json!({"matter_id": "FIX-009", "facts": {"days_unposted": "3"},
                   "also_violates": [{"matter_id": "FIX-004", "facts": {"place": "wall"}}]}),
            &[],
            json!({"fine": "100"}),
        );
        assert_eq!(w.provisions.governing, 1);
        let w = weigh(
            "organisation",
            json!({"matter_id": "FIX-002", "facts": {"area": "12"}}),
            &[],
            json!({"fine": "2000"}),
        );
        assert_eq!(w.provisions.governing, 0);
        assert!(explain(&w.provisions).is_none());
    }

    #[test]
    fn between_equal_bands_the_first_given_governs() {
        // FIX-004 fines up to 300; FIX-008 up to five times gains of 60: both 0 to 300.
        let fix4 = json!({"matter_id": "FIX-004", "facts": {"place": "wall"}});
        let fix8 = json!({"matter_id": "FIX-008", "facts": {"illegal_gains": "60"}});
        for (first, then) in [(&fix4, &fix8), (&fix8, &fix4)] {
            let mut act = first.clone();
            act["also_violates"] = json!([then]);
            let w = weigh("organisation", act, &[], json!({"fine": "100"}));
            let r = &w.provisions.results;
            assert_eq!(r[0].statutory_fine, r[1].statutory_fine);
            assert_eq!(w.provisions.governing, 0);
        }
    }

    #[test]
    fn a_matter_listed_twice_and_bad_facts_are_refused_at_the_acts_path() {
        assert_eq!(
            refused(json!({"matter_id": "FIX-002", "facts": {"area": "12"},
                           "also_violates": [{"matter_id": "fix-002", "facts": {}}]})),
            (
                "duplicate_matter",
                Some("acts[0].also_violates[0].matter_id".into())
            )
        );
        assert_eq!(
            refused(json!({"matter_id": "FIX-002", "facts": {"area": "-1"}})),
            ("negative_amount", Some("acts[0].facts.area".into()))
        );
    }

    #[test]
    fn the_gains_are_the_acts_own_typed_and_only_when_positive() {
        let gains = |g: &str| {
            let w = weigh(
                "organisation",
                json!({"matter_id": "FIX-003", "facts": {"illegal_gains": g}}),
                &[],
                json!({"fine": "50000"}),
            );
            w.provisions.gains()
        };
        assert_eq!(gains("100.50"), Some(Decimal::new(1005, 1)));
        assert_eq!(gains("0"), None);
    }
}
