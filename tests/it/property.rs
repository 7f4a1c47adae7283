//! Property: on every bundled matter, for any facts, party and circumstances, a `penalty` result
//! lies inside the statutory band unless 减轻 applied (and then below its minimum).

use std::sync::OnceLock;

use chrono::NaiveDate;
use penalty_standards::circumstances::{CONFLICTS, catalogue};
use penalty_standards::engine::{AdjustmentKind, CalcRequest, Outcome, calculate};
use penalty_standards::sources::load_standards;
use penalty_standards::standards::validate::fact_regions;
use penalty_standards::standards::{FactValue, Party, StandardsSet};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn set() -> &'static StandardsSet {
    static SET: OnceLock<StandardsSet> = OnceLock::new();
    SET.get_or_init(|| load_standards(None).expect("bundled standards load"))
}

fn to_json(v: &FactValue) -> Value {
    match v {
        FactValue::Number(x) => json!(x.to_string()),
        FactValue::Bool(b) => json!(b),
        FactValue::Code(c) => json!(c),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, .. ProptestConfig::default() })]

    #[test]
    fn penalties_stay_inside_the_statutory_band_unless_reduced(
        matter_pick in any::<prop::sample::Index>(),
        party_pick in any::<prop::sample::Index>(),
        fact_picks in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), 0u64..100_000_000u64, any::<bool>()), 4),
        circumstance_mask in any::<u32>(),
    ) {
        let set = set();
        let matter = &set.matters[matter_pick.index(set.matters.len())];
        let parties: Vec<Party> = Party::ALL.into_iter().filter(|p| matter.statutory.concerns(*p)).collect();
        let party = parties[party_pick.index(parties.len())];
        let mut facts = Map::new();
        for (f, (region, sample, raw, use_raw)) in matter.facts.iter().zip(fact_picks.iter().cycle()) {
            if f.derived.is_some() {
                continue; // computed by the engine, never sent
            }
            let regions = fact_regions(matter, f);
            let r = &regions[region.index(regions.len())];
            let value = match (&r[sample.index(r.len())], use_raw) {
                // Any amount with two decimals, not only the region samples.
                (FactValue::Number(_), true) if f.kind == penalty_standards::standards::FactType::Decimal => json!(format!("{}.{:02}", raw / 100, raw % 100)),
                (v, _) => to_json(v),
            };
            facts.insert(f.key.clone(), value);
        }
        positive_limits(matter, &mut facts);
        let mut codes: Vec<&str> = Vec::new();
        for (i, c) in catalogue().iter().enumerate() {
            if circumstance_mask & (1 << i) != 0 && !(c.individual_only && party.side() == Party::Organisation) {
                codes.push(c.code);
            }
        }
        codes.retain(|c| !CONFLICTS.iter().any(|(a, b)| *c == *b && codes_contains(circumstance_mask, a)));
        let req = CalcRequest::from_json(&json!({
            "matter_id": matter.id, "party": party, "facts": facts, "circumstances": codes,
            "act_date": "2026-01-10", "discovered_date": "2026-02-01", "decision_date": "2026-03-01"
        })).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let r = calculate(set, &req, today).map_err(|e| TestCaseError::fail(format!("{e:?} for {req:?}")))?;
        if let Some(fine) = r.fine {
            prop_assert!(fine.min <= fine.max && !fine.min.is_sign_negative());
            prop_assert_eq!(r.outcome, Outcome::Penalty);
            let reduced = r.adjustments.iter().any(|a| a.kind == AdjustmentKind::Reduced);
            if let Some(band) = r.statutory_fine {
                if reduced {
                    prop_assert!(fine.max <= band.min || band.min.is_zero(), "减轻 {fine:?} vs {band:?}");
                } else {
                    prop_assert!(band.contains(&fine), "{} {:?}: fine {fine:?} outside {band:?}", matter.id, r.tier.name);
                }
            }
        }
    }
}

/// Facts for a matter from region picks (the regions' samples).
fn facts_for(
    matter: &penalty_standards::standards::Matter,
    picks: &[(prop::sample::Index, prop::sample::Index)],
) -> Map<String, Value> {
    let mut facts = Map::new();
    for (f, (region, sample)) in matter.facts.iter().zip(picks.iter().cycle()) {
        if f.derived.is_some() {
            continue;
        }
        let regions = fact_regions(matter, f);
        let r = &regions[region.index(regions.len())];
        facts.insert(f.key.clone(), to_json(&r[sample.index(r.len())]));
    }
    positive_limits(matter, &mut facts);
    facts
}

/// A limit a computed share is taken of must be above 0 (the engine refuses 0 with a clear
/// error): the generators use 1 instead.
fn positive_limits(matter: &penalty_standards::standards::Matter, facts: &mut Map<String, Value>) {
    for f in &matter.facts {
        if let Some(d) = &f.derived {
            let zero = facts
                .get(&d.of)
                .and_then(Value::as_str)
                .is_some_and(|v| v.parse::<f64>().is_ok_and(|x| x <= 0.0));
            if zero {
                facts.insert(d.of.clone(), json!("1"));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, .. ProptestConfig::default() })]

    /// 行政处罚法 第三十条、第三十二条 (应当从轻或者减轻) and 第三十条、第三十一条、第三十三条第二款
    /// (不予处罚) are the law's; the set's own policy ground (repeat_offense) never overrides them.
    #[test]
    fn mandatory_no_penalty_and_mitigation_are_never_overridden_by_policy(
        matter_pick in any::<prop::sample::Index>(),
        picks in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 4),
        ground_pick in any::<prop::sample::Index>(),
        no_penalty_pick in any::<prop::sample::Index>(),
    ) {
        let set = set();
        let matter = &set.matters[matter_pick.index(set.matters.len())];
        let facts = facts_for(matter, &picks);
        let party = if matter.statutory.concerns(Party::Individual) { Party::Individual } else { Party::Organisation };
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let calc = |codes: Vec<&str>| {
            let req = CalcRequest::from_json(&json!({
                "matter_id": matter.id, "party": party, "facts": facts, "circumstances": codes,
                "act_date": "2026-01-10", "discovered_date": "2026-02-01", "decision_date": "2026-03-01"
            })).unwrap();
            calculate(set, &req, today)
        };
        let mitigating = ["mitigated_harm", "coerced", "confessed", "meritorious", "other_mitigating"];
        let ground = mitigating[ground_pick.index(mitigating.len())];
        let r = calc(vec![ground, "repeat_offense"]).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        for a in &r.adjustments {
            prop_assert!(!matches!(a.kind, AdjustmentKind::Heavier | AdjustmentKind::Offset), "{}: {:?}", matter.id, a);
        }
        let plain = calc(vec![]).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        if let (Some(with), Some(without)) = (r.fine, plain.fine) {
            prop_assert!(with.max <= without.max, "{}: {with:?} above {without:?}", matter.id);
        }
        let grounds: &[&str] = if party == Party::Individual { &["under_14", "mental_incapacity", "no_fault"] } else { &["no_fault"] };
        let ground = grounds[no_penalty_pick.index(grounds.len())];
        let r = calc(vec![ground, "repeat_offense"]).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_ne!(r.outcome, Outcome::Penalty, "{}", matter.id);
    }
}

/// Whether the mask picked the circumstance with this code.
fn codes_contains(mask: u32, code: &str) -> bool {
    catalogue()
        .iter()
        .position(|c| c.code == code)
        .is_some_and(|i| mask & (1 << i) != 0)
}
