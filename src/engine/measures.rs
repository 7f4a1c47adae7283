//! The measures besides the fine (行政处罚法 第二十八条): the order to put things right, which
//! goes with every decision, the tier's own penalties, and confiscation of illegal gains.

use super::BasisRole;
use super::context::{Case, Draft};
use crate::circumstances::penalty_law;
use crate::standards::Tier;

const CORRECTION: &str = "责令改正";
const CONFISCATION: &str = "没收违法所得";

/// 第二十八条第一款: 责令当事人改正或者限期改正违法行为 — also where no penalty is given.
pub(super) fn order_correction(draft: &mut Draft) {
    draft.measures.push(CORRECTION.to_string());
    draft.cite(BasisRole::Discretion, penalty_law(28, Some(1), None));
}

/// The tier's measures, then 没收违法所得 where the provision lists it (第二十八条第二款: 当事人
/// 有违法所得…应当予以没收) unless the gains are known to be nil; and the sentence that sums
/// up the penalty.
pub(super) fn add_penalties(case: &Case, tier: &Tier, draft: &mut Draft) {
    draft.measures.extend(tier.measures.iter().cloned());
    if confiscates(case, &draft.measures) {
        draft.measures.push(CONFISCATION.to_string());
    }
    let measures = draft.measures.join("、");
    draft.explanation.push(match &draft.fine {
        Some(f) => format!("应处罚款{}，并{measures}。", f.render()),
        None => format!("不处罚款，{measures}。"),
    });
}

/// Unknown gains (a matter without the fact) still confiscate: the provision orders it and
/// the amount is for the decision to find.
fn confiscates(case: &Case, measures: &[String]) -> bool {
    case.matter
        .statutory
        .measures
        .iter()
        .any(|m| m == CONFISCATION)
        && case.illegal_gains().is_none_or(|g| !g.is_zero())
        && !measures.iter().any(|m| m == CONFISCATION)
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
}
