//! The procedure a penalty calls for: the summary procedure (简易程序, 行政处罚法 第五十一条)
//! for small fines or a warning, and the right to a hearing (听证, 第六十三条第一款) for large
//! fines, large confiscations and heavy penalties. What counts as large is the set's policy.

use rust_decimal::Decimal;

use super::BasisRole;
use super::context::{Case, Draft};
use crate::circumstances::penalty_law;
use crate::money;
use crate::standards::{Band, Party, Policy};

/// Penalties 第六十三条第一款 names as heavy (降低资质等级、吊销许可证件、责令停产停业、责令关闭、
/// 限制从业), and the like, by the words of their names.
const HEAVY_MEASURE_WORDS: [&str; 9] = [
    "吊销",
    "降低资质",
    "停产",
    "停业",
    "关闭",
    "限制从业",
    "限制开展生产经营",
    "责令停止建设",
    "拆除",
];

/// 第五十一条's ceilings (公民二百元, 法人或者其他组织三千元) and the policy's "较大数额".
fn limits(party: Party, policy: &Policy) -> (Decimal, Decimal) {
    match party {
        Party::Individual => (Decimal::from(200), policy.hearing_threshold_individual),
        Party::Organisation => (Decimal::from(3000), policy.hearing_threshold_organisation),
    }
}

/// 第五十一条: a fine within the ceiling, or a warning, and nothing heavier.
fn summary_allowed(fine: Option<Band>, measures: &[String], ceiling: Decimal) -> bool {
    let light_measures_only = measures.iter().all(|m| m == "责令改正" || m == "警告");
    light_measures_only
        && fine.is_none_or(|f| f.max <= ceiling)
        && (fine.is_some() || measures.iter().any(|m| m == "警告"))
}

/// 第六十三条第一款: a large fine, a heavy penalty, or confiscation of large gains.
fn hearing_right(
    fine: Option<Band>,
    measures: &[String],
    gains: Option<Decimal>,
    threshold: Decimal,
) -> bool {
    fine.is_some_and(|f| f.max >= threshold)
        || measures.iter().any(|m| is_heavy_measure(m))
        || (measures.iter().any(|m| m == "没收违法所得") && gains.is_some_and(|g| g >= threshold))
}

fn is_heavy_measure(m: &str) -> bool {
    HEAVY_MEASURE_WORDS.iter().any(|k| m.contains(k))
}

/// Sets the two flags from the draft's fine and measures, citing and explaining each that holds.
pub(super) fn apply(case: &Case, draft: &mut Draft) {
    let party = case.party;
    let (ceiling, threshold) = limits(party, &case.set.policy);
    let summary = summary_allowed(draft.fine, &draft.measures, ceiling);
    let hearing = hearing_right(draft.fine, &draft.measures, case.illegal_gains(), threshold);
    if summary {
        let art51 = penalty_law(51, None, None);
        draft.cite(BasisRole::Procedure, art51.clone());
        draft.explanation.push(format!(
            "罚款不超过{}（{}）或仅予警告，可以适用简易程序当场作出决定（{}）。",
            money::render(ceiling),
            party.label(),
            art51.render()
        ));
    }
    if hearing {
        let art63 = penalty_law(63, Some(1), None);
        draft.cite(BasisRole::Procedure, art63.clone());
        draft.explanation.push(format!(
            "拟作出较大数额罚款（{}达到{}）或者较重处罚，应当告知当事人有要求听证的权利（{}）。",
            party.label(),
            money::render(threshold),
            art63.render()
        ));
    }
    draft.summary_procedure_allowed = summary;
    draft.hearing_right = hearing;
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::engine::testing::{FIXTURES, case, cited, draft};

    fn yuan(x: i64) -> Decimal {
        Decimal::from(x)
    }

    fn measures(ms: &[&str]) -> Vec<String> {
        ms.iter().map(|m| m.to_string()).collect()
    }

    #[test]
    fn summary_procedure_up_to_200_yuan_for_a_person_and_3000_for_an_organisation() {
        let (individual, _) = limits(Party::Individual, &FIXTURES.policy);
        let (organisation, _) = limits(Party::Organisation, &FIXTURES.policy);
        assert_eq!((individual, organisation), (yuan(200), yuan(3000)));
        let only_correction = measures(&["责令改正"]);
        let at = |x: i64| Some(Band::fixed(yuan(x)));
        assert!(summary_allowed(at(200), &only_correction, individual));
        assert!(!summary_allowed(at(201), &only_correction, individual));
        assert!(summary_allowed(at(3000), &only_correction, organisation));
        // A range counts by its top.
        let range = Some(Band::new(yuan(100), yuan(300)));
        assert!(!summary_allowed(range, &only_correction, individual));
    }

    #[test]
    fn summary_procedure_for_a_warning_but_not_for_nothing_or_anything_heavier() {
        let ceiling = yuan(200);
        assert!(summary_allowed(
            None,
            &measures(&["责令改正", "警告"]),
            ceiling
        ));
        assert!(!summary_allowed(None, &measures(&["责令改正"]), ceiling));
        let small = Some(Band::fixed(yuan(50)));
        assert!(!summary_allowed(
            small,
            &measures(&["责令改正", "没收违法所得"]),
            ceiling
        ));
    }

    #[test]
    fn a_hearing_for_large_fines_heavy_penalties_and_large_confiscations() {
        let (_, threshold) = limits(Party::Organisation, &FIXTURES.policy);
        assert_eq!(threshold, yuan(100_000));
        let plain = measures(&["责令改正"]);
        assert!(hearing_right(
            Some(Band::fixed(yuan(100_000))),
            &plain,
            None,
            threshold
        ));
        assert!(!hearing_right(
            Some(Band::fixed(yuan(99_999))),
            &plain,
            None,
            threshold
        ));
        assert!(hearing_right(
            None,
            &measures(&["责令停产整治"]),
            None,
            threshold
        ));
        assert!(hearing_right(
            None,
            &measures(&["吊销许可证"]),
            None,
            threshold
        ));
        assert!(!hearing_right(None, &measures(&["警告"]), None, threshold));
        let confiscation = measures(&["责令改正", "没收违法所得"]);
        assert!(hearing_right(
            None,
            &confiscation,
            Some(yuan(100_000)),
            threshold
        ));
        assert!(!hearing_right(
            None,
            &confiscation,
            Some(yuan(99_999)),
            threshold
        ));
        // Large gains without confiscation are no ground.
        assert!(!hearing_right(None, &plain, Some(yuan(500_000)), threshold));
    }

    #[test]
    fn each_flag_cites_its_article() {
        let c = case("FIX-002", Party::Individual, json!({"area": "12"}), &[]);
        let mut d = draft(&c);
        d.measures = measures(&["责令改正"]);
        d.fine = Some(Band::fixed(yuan(100)));
        apply(&c, &mut d);
        assert!((d.summary_procedure_allowed, d.hearing_right) == (true, false));
        assert_eq!(cited(&d), ["《中华人民共和国行政处罚法》第五十一条"]);

        let c = case(
            "FIX-001",
            Party::Organisation,
            json!({"times_over": "3"}),
            &[],
        );
        let mut d = draft(&c);
        d.measures = measures(&["责令改正", "停产整治"]);
        d.fine = Some(Band::new(yuan(700_000), yuan(1_000_000)));
        apply(&c, &mut d);
        assert!((d.summary_procedure_allowed, d.hearing_right) == (false, true));
        assert_eq!(cited(&d), ["《中华人民共和国行政处罚法》第六十三条第一款"]);
    }
}
