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
        party_pick in any::<bool>(),
        fact_picks in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), 0u64..100_000_000u64, any::<bool>()), 4),
        circumstance_mask in any::<u32>(),
    ) {
        let set = set();
        let matter = &set.matters[matter_pick.index(set.matters.len())];
        let parties = &matter.statutory.parties;
        let party = if party_pick { parties[0] } else { parties[parties.len() - 1] };
        let mut facts = Map::new();
        for (f, (region, sample, raw, use_raw)) in matter.facts.iter().zip(fact_picks.iter().cycle()) {
            let regions = fact_regions(matter, f);
            let r = &regions[region.index(regions.len())];
            let value = match (&r[sample.index(r.len())], use_raw) {
                // Any amount with two decimals, not only the region samples.
                (FactValue::Number(_), true) if f.kind == penalty_standards::standards::FactType::Decimal => json!(format!("{}.{:02}", raw / 100, raw % 100)),
                (v, _) => to_json(v),
            };
            facts.insert(f.key.clone(), value);
        }
        let mut codes: Vec<&str> = Vec::new();
        for (i, c) in catalogue().iter().enumerate() {
            if circumstance_mask & (1 << i) != 0 && !(c.individual_only && party == Party::Organisation) {
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

/// Whether the mask picked the circumstance with this code.
fn codes_contains(mask: u32, code: &str) -> bool {
    catalogue()
        .iter()
        .position(|c| c.code == code)
        .is_some_and(|i| mask & (1 << i) != 0)
}
