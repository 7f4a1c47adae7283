//! The measures besides the fine (行政处罚法 第二十八条): the order to put things right, which
//! goes with every decision, the tier's own measures, the measures the article makes mandatory,
//! confiscation of illegal gains, and the optional measures as options.

use rust_decimal::Decimal;

use super::context::{Case, Draft};
use super::{BasisRole, MeasureOption};
use crate::circumstances::penalty_law;
use crate::standards::measure::{CONFISCATE_GAINS, REFUND_FACT};
use crate::standards::{FactValue, MeasureForce, StatutoryMeasure, Tier};

const CORRECTION: &str = "责令改正";

/// 第二十八条第一款: 责令当事人改正或者限期改正违法行为 — also where no penalty is given.
pub(super) fn order_correction(draft: &mut Draft) {
    draft.measures.push(CORRECTION.to_string());
    draft.cite(BasisRole::Discretion, penalty_law(28, Some(1), None));
}

/// The measures of the decision: the tier's (those the article gives this party), every
/// measure the article makes mandatory at these facts, confiscation of the gains the case
/// shows; the optional ones as options; and the sentence that sums up the penalty.
pub(super) fn add_penalties(case: &Case, tier: &Tier, draft: &mut Draft) {
    add_tier_measures(case, tier, draft);
    add_mandatory(case, draft);
    confiscate_gains(case, draft);
    merge_correction(draft);
    list_options(case, draft);
    let measures = draft.measures.join("、");
    draft.explanation.push(match &draft.fine {
        Some(f) => format!("应处罚款{}，并{measures}。", f.render()),
        None => format!("不处罚款，{measures}。"),
    });
}

/// The tier's measures, less those the article gives only to the other party and less the
/// confiscation of gains, which the gains decide.
fn add_tier_measures(case: &Case, tier: &Tier, draft: &mut Draft) {
    let statutory = &case.matter.statutory;
    for name in &tier.measures {
        let given = statutory
            .measure(name)
            .is_none_or(|m| m.applies_to(case.party) && !m.is_gains_confiscation());
        if given && !draft.measures.contains(name) {
            draft.measures.push(name.clone());
        }
    }
}

/// The article's own order to correct (责令限期改正, 责令改正或者限期改正) takes the place of the
/// general 责令改正 of 第二十八条第一款: one order, in the article's words.
fn merge_correction(draft: &mut Draft) {
    let specific = draft
        .measures
        .iter()
        .any(|m| m != CORRECTION && m.starts_with("责令") && m.contains("改正"));
    if specific {
        draft.measures.retain(|m| m != CORRECTION);
    }
}

/// Mandatory and conditional measures the tier does not list: given when they apply.
fn add_mandatory(case: &Case, draft: &mut Draft) {
    for m in &case.matter.statutory.measures {
        if m.is_gains_confiscation() || draft.measures.contains(&m.name) {
            continue;
        }
        if m.required(case.party, &case.facts) {
            draft.measures.push(m.name.clone());
            if let Some(c) = &m.condition {
                draft.explanation.push(format!(
                    "{c}，依{}应当{}。",
                    case.matter.penalty_text(),
                    m.name
                ));
            }
        }
    }
}

/// 第二十八条第二款: 当事人有违法所得，除依法应当退赔的外，应当予以没收 — where the article
/// names confiscation for this party. Known gains above what must be returned are confiscated;
/// unknown gains leave confiscation as the condition it is.
fn confiscate_gains(case: &Case, draft: &mut Draft) {
    let Some(m) = gains_measure(case) else {
        return;
    };
    match confiscable_gains(case) {
        Some(g) if g > Decimal::ZERO => {
            draft.measures.push(CONFISCATE_GAINS.to_string());
            draft.cite(BasisRole::Discretion, penalty_law(28, Some(2), None));
            if refund(case) > Decimal::ZERO {
                draft.explanation.push(format!(
                    "违法所得扣除依法应当退赔的部分后为{}，予以没收（{}）。",
                    crate::money::render(g),
                    penalty_law(28, Some(2), None).render()
                ));
            }
        }
        Some(_) => draft.explanation.push(format!(
            "没有应当没收的违法所得（依法应当退赔的除外），不没收违法所得（{}）。",
            penalty_law(28, Some(2), None).render()
        )),
        None => draft.options.push(MeasureOption {
            name: m.name.clone(),
            force: MeasureForce::Conditional,
            kind: m.kind,
            condition: Some("有违法所得的（依法应当退赔的除外）".to_string()),
        }),
    }
}

/// The article's confiscation of gains, where it gives it to this party.
fn gains_measure<'a>(case: &Case<'a>) -> Option<&'a StatutoryMeasure> {
    case.matter
        .statutory
        .measures
        .iter()
        .find(|m| m.is_gains_confiscation() && m.applies_to(case.party))
}

/// The gains less what must be returned by law; `None` where the gains are not known.
pub(super) fn confiscable_gains(case: &Case) -> Option<Decimal> {
    case.illegal_gains()
        .map(|g| (g - refund(case)).max(Decimal::ZERO))
}

fn refund(case: &Case) -> Decimal {
    match case.facts.get(REFUND_FACT) {
        Some(FactValue::Number(x)) => *x,
        _ => Decimal::ZERO,
    }
}

/// Optional measures the article allows this party at these facts, not already given.
fn list_options(case: &Case, draft: &mut Draft) {
    for m in &case.matter.statutory.measures {
        let open = m.force == MeasureForce::Optional
            && !m.is_gains_confiscation()
            && m.applies_to(case.party)
            && m.condition_met(&case.facts)
            && !draft.measures.contains(&m.name);
        if open {
            draft.options.push(MeasureOption {
                name: m.name.clone(),
                force: m.force,
                kind: m.kind,
                condition: m.condition.clone(),
            });
        }
    }
    if !draft.options.is_empty() {
        let names: Vec<&str> = draft.options.iter().map(|o| o.name.as_str()).collect();
        draft.explanation.push(format!(
            "依{}，还可以（或在所列条件下应当）：{}，由执法机关根据案情决定。",
            case.matter.penalty_text(),
            names.join("、")
        ));
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde_json::json;

    use super::*;
    use crate::engine::testing::{case, cited, draft};
    use crate::engine::tier;
    use crate::standards::{Band, Party};

    fn penalties(matter: &str, facts: serde_json::Value) -> Vec<String> {
        let c = case(matter, Party::Organisation, facts, &[]);
        let (t, _) = tier::select(&c);
        let mut d = draft(&c);
        order_correction(&mut d);
        add_penalties(&c, t, &mut d);
        d.measures
    }

    #[test]
    fn correction_is_ordered_first_citing_article_28() {
        let c = case(
            "FIX-009",
            Party::Organisation,
            json!({"days_unposted": "3"}),
            &[],
        );
        let mut d = draft(&c);
        order_correction(&mut d);
        assert_eq!(d.measures, ["责令改正"]);
        assert_eq!(cited(&d), ["《中华人民共和国行政处罚法》第二十八条第一款"]);
    }

    #[test]
    fn the_tiers_measures_follow_the_correction() {
        assert_eq!(
            penalties("FIX-001", json!({"times_over": "1.5"})),
            ["责令改正", "限制生产"]
        );
        assert_eq!(
            penalties("FIX-001", json!({"times_over": "0.6"})),
            ["责令改正"]
        );
    }

    #[test]
    fn gains_are_confiscated_where_the_provision_orders_it_unless_nil() {
        assert_eq!(
            penalties("FIX-003", json!({"illegal_gains": "100"})),
            ["责令改正", "没收违法所得"]
        );
        assert_eq!(
            penalties("FIX-003", json!({"illegal_gains": "0"})),
            ["责令改正"]
        );
        // FIX-008 has gains but its provision does not list confiscation.
        assert_eq!(
            penalties("FIX-008", json!({"illegal_gains": "100"})),
            ["责令改正"]
        );
    }

    #[test]
    fn the_summary_sentence_names_fine_and_measures() {
        let c = case(
            "FIX-001",
            Party::Organisation,
            json!({"times_over": "1.5"}),
            &[],
        );
        let (t, _) = tier::select(&c);
        let mut d = draft(&c);
        order_correction(&mut d);
        d.fine = Some(Band::fixed(Decimal::from(400_000)));
        add_penalties(&c, t, &mut d);
        assert_eq!(
            d.explanation.last().unwrap(),
            "应处罚款400000元，并责令改正、限制生产。"
        );
    }

    fn given(party: Party, facts: serde_json::Value) -> (Vec<String>, Vec<MeasureOption>) {
        let c = case("FIX-010", party, facts, &[]);
        let (t, _) = tier::select(&c);
        let mut d = draft(&c);
        order_correction(&mut d);
        add_penalties(&c, t, &mut d);
        (d.measures, d.options)
    }

    #[test]
    fn mandatory_measures_are_given_and_optional_ones_only_offered() {
        let (measures, options) = given(Party::Individual, json!({"goods_value": "500"}));
        assert_eq!(
            measures,
            ["责令改正", "责令停止违法行为", "没收违法销售的物品"]
        );
        let offered: Vec<&str> = options.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(offered, ["警告"]);
        assert_eq!(options[0].force, MeasureForce::Optional);
    }

    #[test]
    fn a_conditional_measure_is_given_when_its_condition_holds() {
        let (measures, _) = given(
            Party::Individual,
            json!({"goods_value": "500", "refused": true}),
        );
        assert!(measures.contains(&"吊销许可证".to_string()), "{measures:?}");
        let (measures, _) = given(Party::Individual, json!({"goods_value": "500"}));
        assert!(!measures.contains(&"吊销许可证".to_string()));
    }

    /// 第二十八条第二款 for the parties the article names, known gains less what is returned.
    #[test]
    fn gains_are_confiscated_only_for_the_named_party_when_known_and_net_of_refunds() {
        let org = |facts| given(Party::Organisation, facts);
        let (m, _) = org(json!({"goods_value": "500", "illegal_gains": "800"}));
        assert!(m.contains(&"没收违法所得".to_string()));
        let (m, _) =
            org(json!({"goods_value": "500", "illegal_gains": "800", "gains_to_refund": "800"}));
        assert!(!m.contains(&"没收违法所得".to_string()));
        // Unknown gains: a condition, not a confiscation.
        let (m, options) = org(json!({"goods_value": "500"}));
        assert!(!m.contains(&"没收违法所得".to_string()));
        assert!(
            options
                .iter()
                .any(|o| o.name == "没收违法所得" && o.force == MeasureForce::Conditional)
        );
        // The article confiscates gains from organisations only.
        let (m, options) = given(
            Party::Individual,
            json!({"goods_value": "500", "illegal_gains": "800"}),
        );
        assert!(!m.contains(&"没收违法所得".to_string()));
        assert!(!options.iter().any(|o| o.name == "没收违法所得"));
    }

    #[test]
    fn the_articles_own_order_to_correct_replaces_the_general_one() {
        let c = case(
            "FIX-010",
            Party::Individual,
            json!({"goods_value": "500"}),
            &[],
        );
        let mut d = draft(&c);
        order_correction(&mut d);
        d.measures.push("责令限期改正".to_string());
        merge_correction(&mut d);
        assert_eq!(d.measures, ["责令限期改正"]);
    }
}
