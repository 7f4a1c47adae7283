//! The procedure a penalty calls for: the summary procedure (简易程序, 行政处罚法 第五十一条)
//! for small fines or a warning, and the right to a hearing (听证, 第六十三条第一款) for large
//! fines, large confiscations and heavy penalties (by kind, 第九条). What counts as large is the
//! set's own setting: the article names no figure.

use rust_decimal::Decimal;

use super::BasisRole;
use super::context::{Case, Draft};
use crate::circumstances::penalty_law;
use crate::money;
use crate::standards::measure::CONFISCATE_GAINS;
use crate::standards::{Band, FactValue, MeasureKind, Party, Policy};

/// A measure of the draft as 第五十一条 and 第六十三条 weigh it: its kind (第九条) and, for a
/// confiscation, the value confiscated (`None`: not known).
pub(super) struct Weighed<'a> {
    pub name: &'a str,
    pub kind: MeasureKind,
    pub value: Option<Decimal>,
}

/// 第五十一条's ceilings (公民二百元, 法人或者其他组织三千元) and the set's "较大数额".
fn limits(party: Party, policy: &Policy) -> (Decimal, Decimal) {
    match party.side() {
        Party::Individual => (Decimal::from(200), policy.hearing_threshold_individual),
        _ => (Decimal::from(3000), policy.hearing_threshold_organisation),
    }
}

/// 第五十一条: a fine within the ceiling, or a warning, and no other penalty. Orders such as
/// 责令改正 or 责令停止违法行为 are not penalties (第九条) and do not stand in the way.
fn summary_allowed(fine: Option<Band>, measures: &[Weighed], ceiling: Decimal) -> bool {
    let mut penalties = measures.iter().filter(|m| m.kind.is_penalty());
    let warning = measures.iter().any(|m| m.name == "警告");
    penalties.all(|m| m.name == "警告")
        && fine.is_none_or(|f| f.max <= ceiling)
        && (fine.is_some() || warning)
}

/// 第六十三条第一款: a large fine, a penalty of the heavy kinds, or confiscation of large gains
/// or property of large value (a value not known is weighed as large: the right must not be
/// lost to a missing figure).
fn hearing_right(fine: Option<Band>, measures: &[Weighed], threshold: Decimal) -> bool {
    fine.is_some_and(|f| f.max >= threshold)
        || measures.iter().any(|m| m.kind.is_heavy())
        || measures
            .iter()
            .any(|m| m.kind == MeasureKind::Property && m.value.is_none_or(|v| v >= threshold))
}

/// The draft's measures with their kinds and confiscated values.
fn weigh<'a>(case: &Case, measures: &'a [String]) -> Vec<Weighed<'a>> {
    let statutory = &case.matter.statutory;
    measures
        .iter()
        .map(|name| {
            let declared = statutory.measure(name);
            let value = if name == CONFISCATE_GAINS {
                super::measures::confiscable_gains(case)
            } else {
                declared
                    .and_then(|m| m.value.as_ref())
                    .and_then(|key| match case.facts.get(key) {
                        Some(FactValue::Number(x)) => Some(*x),
                        _ => None,
                    })
            };
            Weighed {
                name,
                kind: statutory.kind_of(name),
                value,
            }
        })
        .collect()
}

/// Sets the two flags from the draft's fine and measures, citing and explaining each that holds.
pub(super) fn apply(case: &Case, draft: &mut Draft) {
    let party = case.party;
    let (ceiling, threshold) = limits(party, &case.set.policy);
    let weighed = weigh(case, &draft.measures);
    let summary = summary_allowed(draft.fine, &weighed, ceiling);
    let hearing = hearing_right(draft.fine, &weighed, threshold);
    drop(weighed);
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
        let source = match &case.set.policy.hearing_threshold_source {
            Some(s) => format!("依{s}"),
            None => "本基准设定，第六十三条未规定具体数额".to_string(),
        };
        draft.explanation.push(format!(
            "拟作出较大数额罚款或者没收较大数额违法所得、较大价值非法财物（较大数额：{}{}，{source}），或者降低资质等级、吊销许可证件、责令停产停业、责令关闭、限制从业等较重的行政处罚，应当告知当事人有要求听证的权利（{}）。",
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

    /// Measures by name, of the kind their names show; confiscations with `value`.
    fn weighed<'a>(ms: &[&'a str], value: Option<Decimal>) -> Vec<Weighed<'a>> {
        ms.iter()
            .map(|&name| Weighed {
                name,
                kind: MeasureKind::of_name(name),
                value,
            })
            .collect()
    }

    #[test]
    fn summary_procedure_up_to_200_yuan_for_a_person_and_3000_for_an_organisation() {
        let (individual, _) = limits(Party::Individual, &FIXTURES.policy);
        let (organisation, _) = limits(Party::Organisation, &FIXTURES.policy);
        assert_eq!((individual, organisation), (yuan(200), yuan(3000)));
        let only_correction = weighed(&["责令改正"], None);
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
            &weighed(&["责令改正", "警告"], None),
            ceiling
        ));
        assert!(!summary_allowed(
            None,
            &weighed(&["责令改正"], None),
            ceiling
        ));
        let small = Some(Band::fixed(yuan(50)));
        assert!(!summary_allowed(
            small,
            &weighed(&["责令改正", "没收违法所得"], Some(yuan(10))),
            ceiling
        ));
    }

    /// 第九条: orders are not penalties, so a 1-yuan fine with 责令停止制造、销售 is summary.
    #[test]
    fn orders_beside_a_small_fine_leave_the_summary_procedure_open() {
        let orders = weighed(
            &[
                "责令改正",
                "责令停止制造、销售",
                "责令停止违法行为",
                "责令限期拆除",
            ],
            None,
        );
        assert!(summary_allowed(
            Some(Band::fixed(yuan(1))),
            &orders,
            yuan(200)
        ));
    }

    #[test]
    fn a_hearing_for_large_fines_heavy_penalties_and_large_confiscations() {
        let (_, threshold) = limits(Party::Organisation, &FIXTURES.policy);
        assert_eq!(threshold, yuan(100_000));
        let plain = weighed(&["责令改正"], None);
        assert!(hearing_right(
            Some(Band::fixed(yuan(100_000))),
            &plain,
            threshold
        ));
        assert!(!hearing_right(
            Some(Band::fixed(yuan(99_999))),
            &plain,
            threshold
        ));
        for heavy in [
            "责令停产整治",
            "吊销许可证",
            "责令停止办学",
            "暂停相关责任部门涉及医疗保障基金使用的医药服务",
            "取消其参加政府采购活动的资格",
            "暂扣许可证件",
        ] {
            assert!(
                hearing_right(None, &weighed(&[heavy], None), threshold),
                "{heavy}"
            );
        }
        assert!(!hearing_right(None, &weighed(&["警告"], None), threshold));
        let gains = |v: i64| weighed(&["责令改正", "没收违法所得"], Some(yuan(v)));
        assert!(hearing_right(None, &gains(100_000), threshold));
        assert!(!hearing_right(None, &gains(99_999), threshold));
        // Property of large or unknown value weighs like large gains.
        let goods = |v: Option<Decimal>| weighed(&["没收违法生产、销售的产品"], v);
        assert!(hearing_right(None, &goods(Some(yuan(150_000))), threshold));
        assert!(!hearing_right(None, &goods(Some(yuan(5_000))), threshold));
        assert!(hearing_right(None, &goods(None), threshold));
        // Large gains without confiscation are no ground.
        assert!(!hearing_right(None, &plain, threshold));
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
