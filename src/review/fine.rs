//! The proposed fine, first against the statutory band (a fine the provision does not allow is
//! without basis, 行政处罚法 第三十八条第一款; one below its minimum needs a ground for 减轻,
//! 第三十二条), then, if lawful, against the published standard (第三十四条: a departure is
//! lawful but needs a written reason).

use rust_decimal::Decimal;

use super::context::Act;
use super::{Direction, Finding, FineDeviation, Verdict};
use crate::circumstances::penalty_law;
use crate::money;
use crate::standards::Band;

/// The finding that makes the fine unlawful, if any.
pub(super) fn against_statute(act: &Act) -> Option<Finding> {
    let cite = &act.penalty_cite;
    let art38 = penalty_law(38, Some(1), None).render();
    let art32 = penalty_law(32, None, None).render();
    let unlawful = |code, direction, message, article: &String| {
        Some(Finding {
            code,
            verdict: Verdict::Unlawful,
            direction: Some(direction),
            message,
            basis: vec![cite.clone(), article.clone()],
        })
    };
    let no_mitigation = act.mitigating.is_empty();
    match (act.proposal.fine, act.standard.statutory_fine) {
        (Some(f), None) => unlawful(
            "fine_not_provided",
            Direction::Heavier,
            format!(
                "{cite}对{}未规定罚款，拟罚款{}没有依据。",
                act.party.label(),
                money::render(f)
            ),
            &art38,
        ),
        (Some(f), Some(s)) if f > s.max => unlawful(
            "fine_above_statutory",
            Direction::Heavier,
            format!(
                "拟罚款{}，超过{cite}规定的最高罚款{}（法定幅度{}），超出部分没有依据。",
                money::render(f),
                money::render(s.max),
                s.render()
            ),
            &art38,
        ),
        (Some(f), Some(s)) if f < s.min && no_mitigation => unlawful(
            "fine_below_statutory",
            Direction::Lighter,
            format!(
                "拟罚款{}，低于{cite}规定的最低罚款{}，而本案没有从轻或者减轻处罚情节，不得减轻处罚。",
                money::render(f),
                money::render(s.min)
            ),
            &art32,
        ),
        // "处十万元以下的罚款" is a fine all the same: with a minimum of 0 there is nothing to
        // reduce to, so leaving it out is unlawful whatever the grounds.
        (None, Some(s)) if fine_required(act) && s.min.is_zero() => unlawful(
            "fine_missing",
            Direction::Lighter,
            format!(
                "{cite}规定应当处以罚款（{}以下），拟不处罚款；罚款不是可以并处，不得省略。",
                money::render(s.max)
            ),
            &art38,
        ),
        (None, Some(s)) if fine_required(act) && no_mitigation => unlawful(
            "fine_below_statutory",
            Direction::Lighter,
            format!(
                "{cite}规定应当处以罚款（最低{}），拟不处罚款，而本案没有减轻处罚情节。",
                money::render(s.min)
            ),
            &art32,
        ),
        _ => None,
    }
}

/// The provision fines without alternative: its fine is not optional, the standard fines at
/// this tier, and every tier fines this party.
fn fine_required(act: &Act) -> bool {
    !act.rule().is_some_and(|x| x.optional)
        && act.standard.standard_fine.is_some()
        && act
            .matter
            .tiers
            .iter()
            .all(|t| t.fine_for(act.party).is_some())
}

/// How far a fine lies outside the standard band: (proposed − the bound passed, that bound);
/// `None` inside it.
fn outside(fine: Decimal, standard: Band) -> Option<(Decimal, Decimal)> {
    if fine > standard.max {
        Some((fine - standard.max, standard.max))
    } else if fine < standard.min {
        Some((fine - standard.min, standard.min))
    } else {
        None
    }
}

/// The deviation as reported: in yuan, and as a signed per cent of the bound (none of 0).
fn deviation(amount: Decimal, bound: Decimal) -> FineDeviation {
    let heavier = amount > Decimal::ZERO;
    FineDeviation {
        amount: money::yuan(amount),
        percent: (!bound.is_zero()).then(|| {
            let p = (amount.abs() / bound * Decimal::ONE_HUNDRED).round_dp(2);
            let mut p = if heavier { p } else { -p };
            p.rescale(2);
            p
        }),
    }
}

/// A lawful fine against the standard: conforms inside the standard band, deviates outside it.
pub(super) fn against_standard(act: &Act) -> (Finding, Option<FineDeviation>) {
    let r = act.standard;
    let fine = act.proposal.fine;
    let below_min = match (fine, r.statutory_fine) {
        (Some(f), Some(s)) => f < s.min,
        (None, Some(s)) => !s.min.is_zero(),
        _ => false,
    };
    // Lawful below the minimum only because the case has grounds for 减轻: say so.
    let reduced_note = if below_min {
        format!(
            "；低于法定最低罚款，依本案{}情节减轻处罚（{}）",
            act.mitigating.join("、"),
            penalty_law(32, None, None).render()
        )
    } else {
        String::new()
    };
    let standard_text = r
        .fine
        .map(|b| format!("罚款{}", b.render()))
        .unwrap_or_else(|| "不处罚款".into());
    let tier_text = format!("第{}阶次「{}」", r.tier.level, r.tier.name);
    let proposed_text = fine
        .map(|f| format!("拟罚款{}", money::render(f)))
        .unwrap_or_else(|| "拟不处罚款".into());
    let basis = vec![
        act.penalty_cite.clone(),
        penalty_law(34, None, None).render(),
    ];
    let standard_band = r.fine.unwrap_or(Band::fixed(Decimal::ZERO));
    let Some((amount, bound)) = outside(fine.unwrap_or(Decimal::ZERO), standard_band) else {
        let finding = Finding {
            code: "fine_in_standard",
            verdict: Verdict::Conforms,
            direction: None,
            message: format!(
                "{proposed_text}，符合裁量基准{tier_text}（{standard_text}）{reduced_note}。"
            ),
            basis,
        };
        return (finding, None);
    };
    let deviation = deviation(amount, bound);
    let heavier = amount > Decimal::ZERO;
    let by = format!(
        "{}{}{}",
        if heavier {
            "高出基准上限"
        } else {
            "低于基准下限"
        },
        money::render(amount.abs()),
        deviation
            .percent
            .map(|p| format!("（{}%）", p.abs().normalize()))
            .unwrap_or_default()
    );
    let statutory_text = r
        .statutory_fine
        .map(|s| format!("（{}）", s.render()))
        .unwrap_or_default();
    let finding = Finding {
        code: if heavier {
            "fine_above_standard"
        } else {
            "fine_below_standard"
        },
        verdict: Verdict::Deviates,
        direction: Some(if heavier {
            Direction::Heavier
        } else {
            Direction::Lighter
        }),
        message: format!(
            "{proposed_text}，在法定幅度{statutory_text}内，但不在裁量基准{tier_text}（{standard_text}）之内，{by}{reduced_note}；偏离本裁量基准的，依本基准的适用规则应当说明理由。"
        ),
        basis,
    };
    (finding, Some(deviation))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::review::testing::{Weighed, weigh};

    /// FIX-001, tier 2: statutory 100,000 to 1,000,000; the standard a fixed 200,000.
    fn fix1(circumstances: &[&str], proposed: Value) -> Weighed {
        weigh(
            "organisation",
            json!({"matter_id": "FIX-001", "facts": {"times_over": "0.6"}}),
            circumstances,
            proposed,
        )
    }

    fn statute(w: &Weighed) -> Option<&'static str> {
        against_statute(&w.act()).map(|f| f.code)
    }

    #[test]
    fn above_the_statutory_maximum_is_unlawful_citing_article_38() {
        let f = against_statute(&fix1(&[], json!({"fine": "1000000.01"})).act()).expect("unlawful");
        assert_eq!(
            (f.code, f.direction),
            ("fine_above_statutory", Some(Direction::Heavier))
        );
        assert!(f.basis[1].ends_with("第三十八条第一款"), "{:?}", f.basis);
        assert_eq!(statute(&fix1(&[], json!({"fine": "1000000"}))), None);
    }

    #[test]
    fn below_the_statutory_minimum_needs_a_ground_for_reduction() {
        assert_eq!(
            statute(&fix1(&[], json!({"fine": "99999"}))),
            Some("fine_below_statutory")
        );
        assert_eq!(
            statute(&fix1(&["confessed"], json!({"fine": "99999"}))),
            None
        );
        // A provision that must fine: proposing none is below its minimum too.
        assert_eq!(
            statute(&fix1(&[], json!({"measures": ["限制生产"]}))),
            Some("fine_below_statutory")
        );
    }

    #[test]
    fn a_fine_the_provision_does_not_provide_is_without_basis_and_an_optional_one_may_be_omitted() {
        let w = weigh(
            "organisation",
            json!({"matter_id": "FIX-009", "facts": {"days_unposted": "3"}}),
            &[],
            json!({"fine": "100"}),
        );
        assert_eq!(statute(&w), Some("fine_not_provided"));
        // FIX-004's fine is optional (警告 or a fine).
        let w = weigh(
            "organisation",
            json!({"matter_id": "FIX-004", "facts": {"place": "wall", "pieces": "8"}}),
            &[],
            json!({"measures": ["警告"]}),
        );
        assert_eq!(statute(&w), None);
    }

    #[test]
    fn inside_the_standard_conforms_and_outside_deviates_by_amount_and_per_cent() {
        let (f, d) = against_standard(&fix1(&[], json!({"fine": "200000"})).act());
        assert_eq!((f.code, f.verdict), ("fine_in_standard", Verdict::Conforms));
        assert!(d.is_none());

        let (f, d) = against_standard(&fix1(&[], json!({"fine": "250000"})).act());
        assert_eq!(
            (f.code, f.verdict, f.direction),
            (
                "fine_above_standard",
                Verdict::Deviates,
                Some(Direction::Heavier)
            )
        );
        let d = d.expect("deviation");
        assert_eq!(
            (d.amount.to_string(), d.percent.map(|p| p.to_string())),
            ("50000.00".into(), Some("25.00".into()))
        );
        assert!(
            f.message.contains("高出基准上限50000元（25%）"),
            "{}",
            f.message
        );

        let (f, d) = against_standard(&fix1(&[], json!({"fine": "150000"})).act());
        assert_eq!(f.code, "fine_below_standard");
        let d = d.expect("deviation");
        assert_eq!(
            (d.amount.to_string(), d.percent.map(|p| p.to_string())),
            ("-50000.00".into(), Some("-25.00".into()))
        );
    }

    #[test]
    fn a_reduced_fine_names_its_grounds_and_article_32() {
        let (f, _) = against_standard(&fix1(&["confessed"], json!({"fine": "50000"})).act());
        assert_eq!(f.code, "fine_below_standard");
        assert!(
            f.message.contains("低于法定最低罚款，依本案主动供述行政机关尚未掌握的违法行为情节减轻处罚（《中华人民共和国行政处罚法》第三十二条）"),
            "{}",
            f.message
        );
    }

    #[test]
    fn outside_measures_from_the_bound_passed() {
        let band = Band::new(Decimal::from(100), Decimal::from(200));
        assert_eq!(outside(Decimal::from(150), band), None);
        assert_eq!(outside(Decimal::from(200), band), None);
        assert_eq!(
            outside(Decimal::from(230), band),
            Some((Decimal::from(30), Decimal::from(200)))
        );
        assert_eq!(
            outside(Decimal::from(40), band),
            Some((Decimal::from(-60), Decimal::from(100)))
        );
        // No per cent of a zero bound.
        assert_eq!(deviation(Decimal::from(30), Decimal::ZERO).percent, None);
    }

    /// "逾期不改正的，处十万元以下的罚款": mandatory though its minimum is 0.
    #[test]
    fn a_mandatory_fine_with_a_zero_minimum_cannot_be_left_out() {
        let w = weigh(
            "individual",
            json!({"matter_id": "FIX-010", "facts": {"goods_value": "500"}}),
            &["confessed", "coerced"],
            json!({"measures": ["没收违法销售的物品"]}),
        );
        let f = against_statute(&w.act()).expect("unlawful");
        assert_eq!((f.code, f.verdict), ("fine_missing", Verdict::Unlawful));
    }
}
