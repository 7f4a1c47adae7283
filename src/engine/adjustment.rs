//! 从轻, 减轻, 从重: how the general circumstances move the tier's fine. The grounds are the
//! law's (mitigating: 行政处罚法 第三十条, 第三十一条, 第三十二条; aggravating: 第四十九条, or
//! the standards set's own rule where no article names one, under 第三十四条); how far a
//! fine moves is the set's published policy (`set.toml`, [`Policy`]).
//!
//! Mitigating and aggravating circumstances together cancel out; several mitigating ones
//! (as many as the policy says) reduce the fine below the statutory minimum (减轻); one or
//! more mitigating ones otherwise keep it in the lower part of the tier (从轻), aggravating
//! ones in the upper part (从重). A fixed amount moves by a step, never past the neighbouring
//! tier of the same kind nor out of the statutory band.

use rust_decimal::Decimal;

use super::context::{Case, Draft, Standard};
use super::{Adjustment, AdjustmentKind, BasisRole};
use crate::circumstances::{self, Circumstance, Effect, penalty_law};
use crate::money;
use crate::standards::{Band, Citation, Policy};

const POLICY_NOTE: &str = "本裁量基准适用规则";

type Grounds = Vec<&'static Circumstance>;

/// Sets the draft's fine: the tier's, moved by the circumstances, and cites their articles.
pub(super) fn apply(case: &Case, standard: &Standard, draft: &mut Draft) {
    let mitigating = grounds(case, Effect::Mitigating);
    let mut aggravating = grounds(case, Effect::Aggravating);
    if !mitigating.is_empty() && aggravating.iter().any(|c| c.policy) {
        // 第三十条、第三十二条: 应当从轻或者减轻 — a ground of the set's own policy cannot undo it.
        let (policy, law): (Grounds, Grounds) = aggravating.iter().partition(|c| c.policy);
        draft.explanation.push(format!(
            "{}属本基准自设的从重规则，不得抵消法定从轻或者减轻情节（{}），不予适用。",
            names(&policy),
            names(&mitigating)
        ));
        aggravating = law;
    }
    let (fine, adjustment) = match (mitigating.is_empty(), aggravating.is_empty()) {
        (true, true) => (standard.standard_fine, None),
        (false, false) => (
            standard.standard_fine,
            Some(offset(&mitigating, &aggravating)),
        ),
        (false, true) => mitigate(case, standard, &mitigating),
        (true, false) => aggravate(case, standard, &aggravating),
    };
    draft.fine = fine;
    if let Some(a) = adjustment {
        draft.explanation.push(a.effect.clone());
        for c in &a.basis {
            draft.cite(BasisRole::Discretion, c.clone());
        }
        draft.adjustments.push(a);
    }
}

/// The case's circumstances of one effect, in code order.
fn grounds(case: &Case, effect: Effect) -> Grounds {
    case.circumstances
        .iter()
        .filter_map(|c| circumstances::find(c))
        .filter(|c| c.effect == effect)
        .collect()
}

/// Both kinds present: they cancel out and the tier's fine stands.
fn offset(mitigating: &Grounds, aggravating: &Grounds) -> Adjustment {
    let all: Grounds = mitigating.iter().chain(aggravating).copied().collect();
    Adjustment {
        kind: AdjustmentKind::Offset,
        circumstances: codes(&all),
        basis: basis(&all),
        effect: format!(
            "同时具有从轻（{}）与从重（{}）情节，按{POLICY_NOTE}相互抵消，适用本阶次基准。",
            names(mitigating),
            names(aggravating)
        ),
    }
}

/// 从轻, or 减轻 with enough grounds. A tier without a fine is already the lightest kind.
fn mitigate(
    case: &Case,
    standard: &Standard,
    mitigating: &Grounds,
) -> (Option<Band>, Option<Adjustment>) {
    let policy = &case.set.policy;
    let adjustment = |kind, effect| {
        Some(Adjustment {
            kind,
            circumstances: codes(mitigating),
            basis: basis(mitigating),
            effect,
        })
    };
    let Some(fine) = standard.standard_fine else {
        let effect = format!(
            "具有{}情节，但本阶次不处罚款，处罚种类已为最轻，不再调整。",
            names(mitigating)
        );
        return (None, adjustment(AdjustmentKind::Lighter, effect));
    };
    let statutory_min = standard.statutory_fine.map_or(Decimal::ZERO, |s| s.min);
    if mitigating.len() >= policy.reduce_min_grounds && statutory_min > Decimal::ZERO {
        let amount = reduced_amount(case, standard, statutory_min);
        let reduced = (!amount.is_zero()).then(|| Band::fixed(amount));
        let effect = format!(
            "具有{}等{}项从轻或者减轻情节（达到{POLICY_NOTE}规定的{}项），减轻处罚（{}），在法定最低罚款{}以下按阶次确定：{}。",
            names(mitigating),
            mitigating.len(),
            policy.reduce_min_grounds,
            mitigation_article(mitigating),
            money::render(statutory_min),
            reduced
                .map(|f| format!("罚款{}", f.render()))
                .unwrap_or_else(|| "不处罚款".into())
        );
        return (reduced, adjustment(AdjustmentKind::Reduced, effect));
    }
    let lighter = lighter_band(case, standard, fine);
    if lighter == fine {
        let effect = format!(
            "具有{}情节，应当从轻处罚；本阶次罚款{}已处法定最低或者较轻阶次的上限，从轻不再降低。",
            names(mitigating),
            fine.render()
        );
        return (Some(fine), adjustment(AdjustmentKind::Lighter, effect));
    }
    let rule_text = if fine.is_fixed() {
        format!(
            "固定数额下调{}，不低于法定最低额和较轻阶次",
            percent(policy.fixed_step)
        )
    } else {
        format!("取本阶次幅度的较低{}部分", percent(policy.lighter_share))
    };
    let effect = format!(
        "具有{}情节，从轻处罚（{rule_text}），罚款{}。",
        names(mitigating),
        lighter.render()
    );
    (Some(lighter), adjustment(AdjustmentKind::Lighter, effect))
}

/// 减轻 (below the statutory minimum, 第三十二条) keeps the tiers apart (过罚相当, 第五条): the
/// lightest tier gets `reduce_ratio` of the minimum, each heavier one a further equal step of
/// the rest, the heaviest staying below the minimum. Only where the statute has a minimum:
/// with none, there is nothing to go below, and the grounds give 从轻.
fn reduced_amount(case: &Case, standard: &Standard, statutory_min: Decimal) -> Decimal {
    let policy = &case.set.policy;
    let tiers = Decimal::from(case.matter.tiers.len().max(1));
    let position = Decimal::from(standard.tier.level.saturating_sub(1));
    let share = policy.reduce_ratio + (Decimal::ONE - policy.reduce_ratio) * position / tiers;
    money::fixed(statutory_min * share)
}

/// The articles the mitigating grounds rest on, for the sentence of the explanation.
fn mitigation_article(mitigating: &Grounds) -> String {
    let texts: Vec<String> = basis(mitigating).iter().map(|c| c.render()).collect();
    texts.join("、")
}

/// 从轻: the lower share of a range; a fixed amount less one step, not below the statutory
/// minimum nor the next lighter tier's maximum, and never above the amount itself.
fn lighter_band(case: &Case, standard: &Standard, fine: Band) -> Band {
    let policy: &Policy = &case.set.policy;
    if !fine.is_fixed() {
        return Band::new(
            fine.min,
            money::fixed(fine.min + (fine.max - fine.min) * policy.lighter_share),
        );
    }
    let tier = standard.tier;
    // `level` is 1-based: the lighter tier is at index level - 2.
    let lighter_tier_max = case
        .matter
        .tiers
        .get(tier.level.wrapping_sub(2))
        .filter(|t| case.same_kind(t, tier))
        .and_then(|t| case.tier_band(t))
        .map(|b| b.max);
    let floor = standard
        .statutory_fine
        .map(|s| s.min)
        .unwrap_or(Decimal::ZERO)
        .max(lighter_tier_max.unwrap_or(Decimal::ZERO));
    let x = money::fixed((fine.min * (Decimal::ONE - policy.fixed_step)).max(floor));
    Band::fixed(x.min(fine.min))
}

/// 从重, citing 第三十四条 for a ground that is the set's own rule (repeat offences).
fn aggravate(
    case: &Case,
    standard: &Standard,
    aggravating: &Grounds,
) -> (Option<Band>, Option<Adjustment>) {
    let policy = &case.set.policy;
    let mut basis = basis(aggravating);
    if aggravating.iter().any(|c| c.basis.is_none()) {
        basis.push(penalty_law(34, None, None));
    }
    let (fine, effect) = match standard.standard_fine {
        Some(fine) => {
            let heavier = heavier_band(case, standard, fine);
            let rule_text = if fine.is_fixed() {
                format!(
                    "固定数额上调{}，不超过法定最高额和较重阶次",
                    percent(policy.fixed_step)
                )
            } else {
                format!("取本阶次幅度的较高{}部分", percent(policy.heavier_share))
            };
            let effect = format!(
                "具有{}情节，从重处罚（{rule_text}），罚款{}。",
                names(aggravating),
                heavier.render()
            );
            (Some(heavier), effect)
        }
        None => (
            None,
            format!(
                "具有{}情节，从重处罚；本阶次不处罚款，在本阶次措施内从重。",
                names(aggravating)
            ),
        ),
    };
    let policy: Grounds = aggravating.iter().copied().filter(|c| c.policy).collect();
    let effect = if policy.is_empty() {
        effect
    } else {
        // 第三十四条 lets the agency publish standards; the ground itself is the set's rule.
        format!(
            "{effect}（{}为本基准自设的从重规则，不是法律规定的从重情节；本基准依第三十四条制定并公布）",
            names(&policy)
        )
    };
    let adjustment = Adjustment {
        kind: AdjustmentKind::Heavier,
        circumstances: codes(aggravating),
        basis,
        effect,
    };
    (fine, Some(adjustment))
}

/// 从重: the upper share of a range; a fixed amount plus one step, not above the statutory
/// maximum nor the next heavier tier's minimum (when that lies above), and never below the
/// amount itself.
fn heavier_band(case: &Case, standard: &Standard, fine: Band) -> Band {
    let policy: &Policy = &case.set.policy;
    if !fine.is_fixed() {
        return Band::new(
            money::fixed(fine.max - (fine.max - fine.min) * policy.heavier_share),
            fine.max,
        );
    }
    let tier = standard.tier;
    // `level` is 1-based: the heavier tier is at index level.
    let heavier_tier_min = case
        .matter
        .tiers
        .get(tier.level)
        .filter(|t| case.same_kind(t, tier))
        .and_then(|t| case.tier_band(t))
        .map(|b| b.min);
    let mut ceiling = standard.statutory_fine.map(|s| s.max).unwrap_or(fine.max);
    if let Some(n) = heavier_tier_min
        && n > fine.max
    {
        ceiling = ceiling.min(n);
    }
    let x = money::fixed((fine.max * (Decimal::ONE + policy.fixed_step)).min(ceiling));
    Band::fixed(x.max(fine.max))
}

/// The articles the grounds rest on, each once, in the grounds' order.
fn basis(grounds: &Grounds) -> Vec<Citation> {
    let mut v: Vec<Citation> = Vec::new();
    for c in grounds {
        if let Some(b) = &c.basis
            && !v.contains(b)
        {
            v.push(b.clone());
        }
    }
    v
}

fn names(grounds: &Grounds) -> String {
    grounds
        .iter()
        .map(|c| c.label)
        .collect::<Vec<_>>()
        .join("、")
}

fn codes(grounds: &Grounds) -> Vec<String> {
    grounds.iter().map(|c| c.code.to_string()).collect()
}

fn percent(x: Decimal) -> String {
    format!("{}%", (x * Decimal::ONE_HUNDRED).normalize())
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::engine::testing::{case, cited, draft, standard};
    use crate::standards::Party;

    /// The fine and the adjustment after this step alone.
    fn adjusted(
        matter: &str,
        party: Party,
        facts: Value,
        circumstances: &[&str],
    ) -> (Option<Band>, Option<Adjustment>, Vec<String>) {
        let c = case(matter, party, facts, circumstances);
        let s = standard(&c);
        let mut d = draft(&c);
        apply(&c, &s, &mut d);
        (d.fine, d.adjustments.pop(), cited(&d))
    }

    fn fixed(x: i64) -> Option<Band> {
        Some(Band::fixed(Decimal::from(x)))
    }

    fn range(min: i64, max: i64) -> Option<Band> {
        Some(Band::new(Decimal::from(min), Decimal::from(max)))
    }

    const ORG: Party = Party::Organisation;

    #[test]
    fn without_circumstances_the_tiers_fine_stands() {
        let (fine, adjustment, cited) = adjusted("FIX-001", ORG, json!({"times_over": "0.6"}), &[]);
        assert_eq!(fine, fixed(200_000));
        assert!(adjustment.is_none());
        assert!(cited.is_empty());
    }

    #[test]
    fn lighter_keeps_the_lower_30_percent_of_a_range() {
        let (fine, adjustment, cited) =
            adjusted("FIX-001", ORG, json!({"times_over": "3"}), &["confessed"]);
        assert_eq!(fine, range(700_000, 790_000));
        let a = adjustment.expect("从轻");
        assert_eq!(a.kind, AdjustmentKind::Lighter);
        assert_eq!(a.circumstances, ["confessed"]);
        assert_eq!(cited, ["《中华人民共和国行政处罚法》第三十二条第三项"]);
    }

    #[test]
    fn lighter_takes_20_percent_off_a_fixed_amount_but_not_below_the_statutory_minimum() {
        let (fine, _, _) = adjusted("FIX-001", ORG, json!({"times_over": "0.6"}), &["coerced"]);
        assert_eq!(fine, fixed(160_000));
        // Tier 1 is already the statutory minimum, 100,000.
        let (fine, _, _) = adjusted("FIX-001", ORG, json!({"times_over": "0.3"}), &["coerced"]);
        assert_eq!(fine, fixed(100_000));
    }

    #[test]
    fn two_mitigating_grounds_reduce_below_the_statutory_minimum_by_tier() {
        let reduce = |times_over: &str| {
            adjusted(
                "FIX-001",
                ORG,
                json!({"times_over": times_over}),
                &["confessed", "coerced"],
            )
        };
        let (fine, adjustment, cited) = reduce("0.3");
        // The lightest tier: half the statutory minimum of 100,000.
        assert_eq!(fine, fixed(50_000));
        assert_eq!(adjustment.expect("减轻").kind, AdjustmentKind::Reduced);
        assert_eq!(
            cited,
            [
                "《中华人民共和国行政处罚法》第三十二条第二项",
                "《中华人民共和国行政处罚法》第三十二条第三项"
            ]
        );
        // 过罚相当 (第五条): a heavier tier stays heavier after 减轻, and below the minimum.
        let (heaviest, _, _) = reduce("3");
        let heaviest = heaviest.expect("a fine").min;
        assert!(heaviest > Decimal::from(50_000) && heaviest < Decimal::from(100_000));
    }

    #[test]
    fn without_a_statutory_minimum_there_is_nothing_to_reduce_below_so_the_grounds_give_lighter() {
        // FIX-004: an optional fine up to 300 (minimum 0).
        let facts = json!({"place": "wall", "pieces": "25"});
        let (unadjusted, _, _) = adjusted("FIX-004", Party::Individual, facts.clone(), &[]);
        let (fine, adjustment, _) = adjusted(
            "FIX-004",
            Party::Individual,
            facts,
            &["confessed", "age_14_to_18"],
        );
        assert_eq!(adjustment.expect("从轻").kind, AdjustmentKind::Lighter);
        assert!(fine.unwrap().max < unadjusted.unwrap().max);
    }

    #[test]
    fn lighter_at_the_minimum_says_it_cannot_go_lower() {
        let (fine, adjustment, _) =
            adjusted("FIX-001", ORG, json!({"times_over": "0.3"}), &["coerced"]);
        assert_eq!(fine, fixed(100_000));
        let effect = adjustment.expect("从轻").effect;
        assert!(effect.contains("从轻不再降低"), "{effect}");
    }

    #[test]
    fn mitigation_without_a_fine_changes_nothing() {
        let (fine, adjustment, _) = adjusted(
            "FIX-009",
            ORG,
            json!({"days_unposted": "40"}),
            &["confessed"],
        );
        assert_eq!(fine, None);
        let a = adjustment.expect("recorded");
        assert_eq!(a.kind, AdjustmentKind::Lighter);
        assert!(a.effect.contains("处罚种类已为最轻"), "{}", a.effect);
    }

    #[test]
    fn heavier_keeps_the_upper_30_percent_of_a_range_citing_34_for_a_policy_ground() {
        let (fine, adjustment, cited) = adjusted(
            "FIX-001",
            ORG,
            json!({"times_over": "3"}),
            &["repeat_offense"],
        );
        assert_eq!(fine, range(910_000, 1_000_000));
        assert_eq!(adjustment.expect("从重").kind, AdjustmentKind::Heavier);
        assert_eq!(cited, ["《中华人民共和国行政处罚法》第三十四条"]);

        let (_, _, cited) = adjusted(
            "FIX-001",
            ORG,
            json!({"times_over": "3"}),
            &["emergency_violation"],
        );
        assert_eq!(cited, ["《中华人民共和国行政处罚法》第四十九条"]);
    }

    #[test]
    fn heavier_adds_20_percent_to_a_fixed_amount_but_not_above_the_statutory_maximum() {
        let (fine, _, _) = adjusted(
            "FIX-001",
            ORG,
            json!({"times_over": "1.5"}),
            &["repeat_offense"],
        );
        assert_eq!(fine, fixed(480_000));
        // FIX-004's heaviest tier is the statutory maximum, 300.
        let (fine, _, _) = adjusted(
            "FIX-004",
            ORG,
            json!({"place": "monument"}),
            &["repeat_offense"],
        );
        assert_eq!(fine, fixed(300));
    }

    #[test]
    fn mitigating_and_a_legal_aggravating_ground_cancel_out() {
        let (fine, adjustment, _) = adjusted(
            "FIX-001",
            ORG,
            json!({"times_over": "0.6"}),
            &["emergency_violation", "confessed"],
        );
        assert_eq!(fine, fixed(200_000));
        let a = adjustment.expect("抵消");
        assert_eq!(a.kind, AdjustmentKind::Offset);
        assert_eq!(a.circumstances, ["confessed", "emergency_violation"]);
    }

    /// 第三十二条 says 应当从轻或者减轻: the set's own repeat-offence rule cannot cancel it.
    #[test]
    fn a_policy_ground_never_offsets_mandatory_mitigation() {
        let (fine, adjustment, _) = adjusted(
            "FIX-001",
            ORG,
            json!({"times_over": "0.6"}),
            &["repeat_offense", "confessed"],
        );
        assert_eq!(fine, fixed(160_000));
        assert_eq!(adjustment.expect("从轻").kind, AdjustmentKind::Lighter);
    }
}
