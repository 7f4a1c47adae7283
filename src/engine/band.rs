//! The two bands a fine is weighed against: the statutory band (the provision's fine for this
//! party, at these facts where it is a multiple, rate or per-unit amount) and the standard's
//! band (the tier's fine at the same facts).

use super::context::{Case, Draft, Standard};
use crate::standards::{Band, Party, Tier};

/// The provision's band for this party; `None` where it sets no fine for this party.
pub(super) fn statutory(case: &Case) -> Option<Band> {
    case.rule().map(|r| r.band_with(case.base(), &case.facts))
}

/// The tier's fine; `None` where the tier imposes no fine.
pub(super) fn standard(case: &Case, tier: &Tier) -> Option<Band> {
    case.tier_band(tier)
}

/// The article's fine on an organisation's 直接负责的主管人员和其他直接责任人员: a second party of
/// the same decision, at the tier's figure or, where the tier names none, the statutory band.
/// The organisation's circumstances do not move it (they are not the persons').
pub(super) fn persons(case: &Case, tier: &Tier, draft: &mut Draft) {
    let Some(rule) = &case.matter.statutory.fine_persons else {
        return;
    };
    if case.party.side() != Party::Organisation {
        return;
    }
    let band = tier
        .fine_persons
        .map(|f| f.band_at(Some(rule), None))
        .unwrap_or_else(|| rule.band_at(None));
    draft.explanation.push(format!(
        "对直接负责的主管人员和其他直接责任人员处{}罚款（{}）。",
        band.render(),
        case.matter.penalty_text()
    ));
    draft.persons_fine = Some(band);
}

pub(super) fn explain(case: &Case, standard: &Standard, draft: &mut Draft) {
    if let Some(s) = &standard.statutory_fine {
        draft.explanation.push(format!(
            "法定罚款幅度（{}）为{}。",
            case.party.label(),
            s.render()
        ));
    }
    draft.explanation.push(match &standard.standard_fine {
        Some(f) => format!("本阶次的裁量基准罚款为{}。", f.render()),
        None => "本阶次不处罚款。".to_string(),
    });
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde_json::json;

    use super::*;
    use crate::engine::testing::{FIXTURES, case, draft, standard as standard_of};
    use crate::standards::Party;

    fn yuan(min: i64, max: i64) -> Option<Band> {
        Some(Band::new(Decimal::from(min), Decimal::from(max)))
    }

    #[test]
    fn a_multiple_of_the_gains_or_its_fallback_below_the_threshold() {
        // FIX-003: 10 to 20 times the gains; 50,000 to 100,000 where the gains are under 10,000.
        let c = case(
            "FIX-003",
            Party::Organisation,
            json!({"illegal_gains": "20000"}),
            &[],
        );
        assert_eq!(statutory(&c), yuan(200_000, 400_000));
        let (tier, _) = crate::engine::tier::select(&c);
        // The tier's rate is 12 times.
        assert_eq!(standard(&c, tier), yuan(240_000, 240_000));

        let c = case(
            "FIX-003",
            Party::Organisation,
            json!({"illegal_gains": "9999"}),
            &[],
        );
        assert_eq!(statutory(&c), yuan(50_000, 100_000));
    }

    #[test]
    fn each_party_has_its_own_band() {
        let facts = json!({"area": "60"});
        let org = case("FIX-002", Party::Organisation, facts.clone(), &[]);
        let ind = case("FIX-002", Party::Individual, facts, &[]);
        assert_eq!(statutory(&org), yuan(500, 5000));
        assert_eq!(statutory(&ind), yuan(50, 200));
        let tier = crate::engine::tier::select(&org).0;
        assert_eq!(standard(&org, tier), yuan(4000, 5000));
        assert_eq!(standard(&ind, tier), yuan(200, 200));
    }

    /// 统计法 第四十四条 (FIX-011): 个体工商户 are fined as 个人, other 公民 and 国家机关 are not;
    /// 国家机关 are warned.
    #[test]
    fn each_kind_of_party_is_fined_as_the_article_says() {
        let fine = |party| {
            let c = case("FIX-011", party, json!({"forms": "2"}), &[]);
            let tier = crate::engine::tier::select(&c).0;
            (statutory(&c).is_some(), standard(&c, tier))
        };
        let fixed = |x: i64| Some(Band::fixed(Decimal::from(x)));
        assert_eq!(fine(Party::Individual), (false, None));
        assert_eq!(fine(Party::SoleTrader), (true, fixed(2000)));
        assert_eq!(fine(Party::Organisation), (true, fixed(20000)));
        assert_eq!(fine(Party::StateOrgan), (false, None));
        let warned = |party| {
            let req = crate::engine::CalcRequest::from_json(&json!({
                "matter_id": "FIX-011", "party": party, "facts": {"forms": "2"},
                "act_date": "2026-09-01"}))
            .unwrap();
            let r = crate::engine::calculate(
                &FIXTURES,
                &req,
                crate::engine::testing::day("2026-11-20"),
            )
            .unwrap();
            r.measures.contains(&"警告".to_string())
        };
        assert!(warned("state_organ"));
        assert!(!warned("organisation"));
        assert!(!warned("individual"));
    }

    /// 农户 are fined on their own band where the article sets one; the organisation's
    /// responsible persons get theirs beside the organisation's, at the tier's figure or else
    /// the statutory band.
    #[test]
    fn farmers_and_responsible_persons_are_fined_apart() {
        let calc = |party: &str, value: &str| {
            let req = crate::engine::CalcRequest::from_json(&json!({
                "matter_id": "FIX-012", "party": party, "facts": {"goods_value": value},
                "act_date": "2026-09-01"}))
            .unwrap();
            crate::engine::calculate(&FIXTURES, &req, crate::engine::testing::day("2026-11-20"))
                .unwrap()
        };
        let fixed = |x: i64| Some(Band::fixed(Decimal::from(x)));
        assert_eq!(calc("farmer", "100").fine, fixed(500));
        assert_eq!(calc("individual", "100").fine, fixed(10000));
        let org = calc("organisation", "100");
        assert_eq!((org.fine, org.persons_fine), (fixed(10000), fixed(5000)));
        let org = calc("organisation", "9000");
        assert_eq!(
            org.persons_fine,
            Some(Band::new(Decimal::from(5000), Decimal::from(20000)))
        );
        assert_eq!(calc("individual", "100").persons_fine, None);
    }

    /// 浙江省公路条例 第五十三条 (FIX-013): 300 yuan a tonne on the part of the overload from 20 %
    /// to 50 % of the limit, 500 above 50 %, at most 30,000; up to 20 % no fine.
    #[test]
    fn an_overload_is_fined_per_tonne_on_its_parts_and_capped() {
        let calc = |total: &str, limit: &str| {
            let req = crate::engine::CalcRequest::from_json(&json!({
                "matter_id": "FIX-013", "party": "individual",
                "facts": {"total_mass": total, "mass_limit": limit},
                "act_date": "2026-09-01"}))
            .unwrap();
            crate::engine::calculate(&FIXTURES, &req, crate::engine::testing::day("2026-11-20"))
        };
        let fine = |total: &str, limit: &str| calc(total, limit).unwrap().fine.map(|b| b.max);
        let d = |x: &str| Some(x.parse::<Decimal>().unwrap());
        assert_eq!(fine("58", "49"), None, "18.4 %: no fine");
        // 16 t over 49 t (32.65 %): 6.2 t above 58.8 t at 300.
        assert_eq!(fine("65", "49"), d("1860"));
        // 80 t: 14.7 t at 300 and 6.5 t at 500.
        assert_eq!(fine("80", "49"), d("7660"));
        assert_eq!(fine("400", "49"), d("30000"));
        let r = calc("80", "49").unwrap();
        assert_eq!(
            (r.tier.level, r.statutory_fine.unwrap().max),
            (3, Decimal::from(7660))
        );
        // The share is computed, never sent.
        let req = crate::engine::CalcRequest::from_json(&json!({
            "matter_id": "FIX-013", "party": "individual",
            "facts": {"total_mass": "80", "mass_limit": "49", "overload_percent": "10"},
            "act_date": "2026-09-01"}))
        .unwrap();
        let e =
            crate::engine::calculate(&FIXTURES, &req, crate::engine::testing::day("2026-11-20"))
                .unwrap_err();
        assert_eq!(e.code, "derived_fact");
    }

    #[test]
    fn a_provision_or_tier_without_a_fine_has_no_band() {
        let c = case(
            "FIX-009",
            Party::Organisation,
            json!({"days_unposted": "3"}),
            &[],
        );
        let s = standard_of(&c);
        assert_eq!((s.statutory_fine, s.standard_fine), (None, None));
        let mut d = draft(&c);
        explain(&c, &s, &mut d);
        assert_eq!(d.explanation, ["本阶次不处罚款。"]);

        // FIX-004's lightest tier is a warning under an optional fine.
        let c = case("FIX-004", Party::Individual, json!({"place": "wall"}), &[]);
        let s = standard_of(&c);
        assert_eq!(s.statutory_fine, yuan(0, 300));
        assert_eq!(s.standard_fine, None);
    }
}
