//! The proposed measures other than the fine: each must be one the violated provisions allow
//! (else it has no basis, 行政处罚法 第三十八条第一款), and they should be the standard's own
//! (第三十四条): one the standard gives and the proposal omits, or one the proposal adds, is a
//! departure. Orders to put things right (第二十八条第一款) are always allowed and never counted.

use std::collections::BTreeSet;

use super::confiscation;
use super::confiscation::CONFISCATION;
use super::context::{Act, normalise};
use super::{Direction, Finding, Verdict};
use crate::circumstances::penalty_law;

/// Proposed penalties no violated provision provides for. Confiscating gains the act brought
/// rests on 第二十八条第二款 itself, whatever the article lists.
pub(super) fn not_allowed(act: &Act) -> Vec<Finding> {
    let cite = &act.penalty_cite;
    let provided: Vec<&str> = act
        .matter
        .statutory
        .measures
        .iter()
        .filter(|x| x.kind.is_penalty())
        .map(|x| x.name.as_str())
        .collect();
    let provided_text = if provided.is_empty() {
        String::new()
    } else {
        format!("（本条规定的其他处罚：{}）", provided.join("、"))
    };
    act.proposed_penal
        .iter()
        .filter(|m| !act.allowed.contains(&normalise(m)))
        .filter(|m| !(normalise(m) == CONFISCATION && act.gains.is_some()))
        .map(|m| Finding {
            code: "measure_not_allowed",
            verdict: Verdict::Unlawful,
            direction: Some(Direction::Heavier),
            message: format!("拟采取「{m}」，{cite}未规定该处罚种类，没有依据{provided_text}。"),
            basis: vec![cite.clone(), penalty_law(38, Some(1), None).render()],
        })
        .collect()
}

/// The standard's penalties (not its orders to the party or the guardian).
fn standard_penalties<'a>(act: &Act<'a>) -> Vec<&'a String> {
    act.standard
        .measures
        .iter()
        .filter(|m| act.is_penalty(m) && !m.starts_with("责令监护人"))
        .collect()
}

/// The standard's penalties the proposal leaves out: a measure the article makes mandatory at
/// these facts, or confiscation of actual gains, is unlawful to leave out; one the standard
/// chose among the article's options is a departure.
pub(super) fn missing(act: &Act) -> Vec<Finding> {
    let proposed: BTreeSet<String> = act.proposed_penal.iter().map(|m| normalise(m)).collect();
    standard_penalties(act)
        .into_iter()
        .filter(|m| !proposed.contains(&normalise(m)))
        .map(|m| {
            confiscation::missing(act, m)
                .or_else(|| mandatory_missing(act, m))
                .unwrap_or_else(|| Finding {
                    code: "measure_missing",
                    verdict: Verdict::Deviates,
                    direction: Some(Direction::Lighter),
                    message: format!(
                        "裁量基准第{}阶次还应「{m}」，拟处罚未包括；偏离本裁量基准的，依本基准的适用规则应当说明理由。",
                        act.standard.tier.level
                    ),
                    basis: vec![
                        act.penalty_cite.clone(),
                        penalty_law(34, None, None).render(),
                    ],
                })
        })
        .collect()
}

/// A measure the article makes mandatory (应当, or on a condition the facts meet), left out.
fn mandatory_missing(act: &Act, omitted: &str) -> Option<Finding> {
    let m = act.matter.statutory.measure(omitted)?;
    if m.is_gains_confiscation() || !m.required(act.party, act.facts) {
        return None;
    }
    let condition = m
        .condition
        .as_ref()
        .map_or(String::new(), |c| format!("（{c}）"));
    Some(Finding {
        code: "mandatory_measure_missing",
        verdict: Verdict::Unlawful,
        direction: Some(Direction::Lighter),
        message: format!(
            "{}规定应当「{omitted}」{condition}，拟处罚未包括，不符合法定处罚种类。",
            act.penalty_cite
        ),
        basis: vec![act.penalty_cite.clone()],
    })
}

/// Allowed penalties the proposal adds to the standard's. A warning given instead of part of
/// the fine (`fine_lighter`) is the lighter penalty, not an addition.
pub(super) fn added(act: &Act, fine_lighter: bool) -> Vec<Finding> {
    let standard: BTreeSet<String> = standard_penalties(act)
        .iter()
        .map(|m| normalise(m))
        .collect();
    act.proposed_penal
        .iter()
        .filter(|m| {
            let n = normalise(m);
            let allowed = act.allowed.contains(&n) || (n == CONFISCATION && act.gains.is_some());
            !(n == "警告" && fine_lighter) && allowed && !standard.contains(&n)
        })
        .map(|m| {
            // Gains the article does not name are confiscated under 第二十八条第二款 itself.
            let by = if act
                .matter
                .statutory
                .measure(&normalise(m))
                .is_some_and(|s| s.applies_to(act.party))
            {
                act.penalty_cite.clone()
            } else {
                penalty_law(28, Some(2), None).render()
            };
            Finding {
                code: "measure_added",
                verdict: Verdict::Deviates,
                direction: Some(Direction::Heavier),
                message: format!(
                    "拟采取「{m}」，为{by}所允许，但不在裁量基准第{}阶次之内；偏离本裁量基准的，依本基准的适用规则应当说明理由。",
                    act.standard.tier.level
                ),
                basis: vec![by, penalty_law(34, None, None).render()],
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::review::testing::{Weighed, weigh};

    /// FIX-001 at `times_over`; the provision allows 限制生产, 停产整治, 责令停业、关闭.
    fn fix1(times_over: &str, proposed: Value) -> Weighed {
        weigh(
            "organisation",
            json!({"matter_id": "FIX-001", "facts": {"times_over": times_over}}),
            &[],
            proposed,
        )
    }

    fn codes(findings: Vec<Finding>) -> Vec<&'static str> {
        findings.into_iter().map(|f| f.code).collect()
    }

    #[test]
    fn a_penalty_no_provision_provides_is_unlawful_and_corrections_never_count() {
        let w = fix1(
            "0.6",
            json!({"fine": "200000", "measures": ["责令改正", "吊销排污许可证"]}),
        );
        let found = not_allowed(&w.act());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].verdict, Verdict::Unlawful);
        assert!(
            found[0]
                .message
                .contains("（本条规定的其他处罚：限制生产、停产整治、责令停业、关闭）"),
            "{}",
            found[0].message
        );
        assert!(added(&w.act(), false).is_empty());
    }

    #[test]
    fn a_standard_penalty_left_out_deviates_even_spelled_with_punctuation() {
        // Tier 3 adds 限制生产.
        let w = fix1("1.5", json!({"fine": "400000"}));
        assert_eq!(codes(missing(&w.act())), ["measure_missing"]);
        let w = fix1(
            "1.5",
            json!({"fine": "400000", "measures": [" 限制生产。"]}),
        );
        assert!(missing(&w.act()).is_empty());
    }

    #[test]
    fn an_allowed_penalty_beyond_the_standard_deviates_heavier() {
        let w = fix1("0.6", json!({"fine": "200000", "measures": ["停产整治"]}));
        let found = added(&w.act(), false);
        assert_eq!(
            found
                .iter()
                .map(|f| (f.code, f.verdict, f.direction))
                .collect::<Vec<_>>(),
            [("measure_added", Verdict::Deviates, Some(Direction::Heavier))]
        );
    }

    #[test]
    fn a_warning_instead_of_part_of_the_fine_is_no_addition() {
        let w = weigh(
            "organisation",
            json!({"matter_id": "FIX-004", "facts": {"place": "wall", "pieces": "8"}}),
            &[],
            json!({"fine": "100", "measures": ["警告"]}),
        );
        assert!(added(&w.act(), true).is_empty());
        assert_eq!(codes(added(&w.act(), false)), ["measure_added"]);
    }

    fn fix10(party: &str, facts: Value, proposed: Value) -> Weighed {
        weigh(
            party,
            json!({"matter_id": "FIX-010", "facts": facts}),
            &[],
            proposed,
        )
    }

    #[test]
    fn a_mandatory_measure_left_out_is_unlawful_citing_the_article() {
        let w = fix10(
            "individual",
            json!({"goods_value": "500"}),
            json!({"fine": "5000", "measures": ["责令停止违法行为"]}),
        );
        let found = missing(&w.act());
        assert_eq!(codes(found.clone()), ["mandatory_measure_missing"]);
        assert_eq!(found[0].verdict, Verdict::Unlawful);
        assert!(found[0].message.contains("没收违法销售的物品"));
        assert_eq!(found[0].basis, ["《测试条例》第四条"]);
    }

    /// Orders (责令停止违法行为) are not penalties (第九条): never counted as added or missing.
    #[test]
    fn orders_are_neither_added_nor_missing_penalties() {
        let w = fix10(
            "individual",
            json!({"goods_value": "500"}),
            json!({"fine": "5000", "measures": ["没收违法销售的物品", "责令限期拆除"]}),
        );
        assert!(missing(&w.act()).is_empty());
        assert!(added(&w.act(), false).is_empty());
        assert!(not_allowed(&w.act()).is_empty());
    }

    /// Confiscating gains the article does not name is allowed by 第二十八条第二款 itself, and
    /// the finding cites that article, not the matter's.
    #[test]
    fn an_added_confiscation_of_gains_cites_article_28_not_the_matter() {
        let w = weigh(
            "organisation",
            json!({"matter_id": "FIX-001", "facts": {"times_over": "0.6"}}),
            &[],
            json!({"fine": "200000", "measures": ["没收违法所得"]}),
        );
        // FIX-001 has no gains fact: the gains are unknown, so there is no basis.
        assert_eq!(codes(not_allowed(&w.act())), ["measure_not_allowed"]);
        let w = fix10(
            "individual",
            json!({"goods_value": "500", "illegal_gains": "300"}),
            json!({"fine": "5000", "measures": ["没收违法销售的物品", "没收违法所得"]}),
        );
        assert!(not_allowed(&w.act()).is_empty());
        let found = added(&w.act(), false);
        assert_eq!(codes(found.clone()), ["measure_added"]);
        assert!(
            found[0].message.contains("第二十八条第二款"),
            "{}",
            found[0].message
        );
    }
}
