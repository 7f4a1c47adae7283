//! The general rules of 行政处罚法 on the bundled standards, one test per finding of issues 14
//! and 18, each with the case that showed it (the matters named there).

use std::sync::OnceLock;

use chrono::NaiveDate;
use penalty_standards::engine::{CalcRequest, CalcResult, Outcome, calculate};
use penalty_standards::review::{CaseReview, ReviewCase, Verdict, review};
use penalty_standards::sources::load_standards;
use penalty_standards::standards::StandardsSet;
use serde_json::{Value, json};

fn set() -> &'static StandardsSet {
    static SET: OnceLock<StandardsSet> = OnceLock::new();
    SET.get_or_init(|| load_standards(None).expect("bundled standards load"))
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
}

fn request(matter: &str, party: &str, facts: Value, circumstances: &[&str]) -> Value {
    json!({"matter_id": matter, "party": party, "facts": facts, "circumstances": circumstances,
           "act_date": "2026-10-01", "discovered_date": "2026-10-10", "decision_date": "2026-11-20"})
}

fn calc(v: Value) -> Result<CalcResult, String> {
    CalcRequest::from_json(&v)
        .and_then(|r| calculate(set(), &r, today()))
        .map_err(|e| e.code.to_string())
}

fn reviewed(matter: &str, party: &str, facts: Value, circ: &[&str], proposed: Value) -> CaseReview {
    let c = ReviewCase::from_json(&json!({
        "case_ref": "测试〔2026〕9号", "party": party, "act_date": "2026-10-01",
        "discovered_date": "2026-10-10", "decision_date": "2026-11-20",
        "circumstances": circ, "acts": [{"matter_id": matter, "facts": facts}], "proposed": proposed,
    }))
    .expect("case parses");
    review(set(), &c, today()).expect("reviewed")
}

/// 第三十三条第一款: a 0.5 m² stall (ZHZF-019's 轻微 tier), corrected at once, no harm: no penalty;
/// a fine proposed for it is unlawful, no penalty conforms.
#[test]
fn a_minor_act_corrected_without_harm_is_not_punished() {
    let circ = ["corrected_promptly", "no_harm"];
    let facts = json!({"stall_area": "0.5"});
    let r = calc(request("ZHZF-019", "individual", facts.clone(), &circ)).unwrap();
    assert_eq!(r.outcome, Outcome::NoPenalty);
    let fined = reviewed(
        "ZHZF-019",
        "individual",
        facts.clone(),
        &circ,
        json!({"fine": "10"}),
    );
    assert_eq!(fined.verdict, Verdict::Unlawful);
    let spared = reviewed(
        "ZHZF-019",
        "individual",
        facts,
        &circ,
        json!({"no_penalty": true}),
    );
    assert_eq!(spared.verdict, Verdict::Conforms);
    // Outside a 轻微 tier the inspector states it (minor_act).
    let r = calc(request(
        "ZHZF-019",
        "individual",
        json!({"stall_area": "1.5"}),
        &["minor_act", "corrected_promptly", "no_harm"],
    ))
    .unwrap();
    assert_eq!(r.outcome, Outcome::NoPenalty);
}

/// 第三十六条: 涉及生命健康安全…且有危害后果 contradicts 没有造成危害后果; 初次违法 contradicts a
/// repeat offence.
#[test]
fn contradictory_circumstances_are_refused() {
    for circ in [
        ["endangers_life_health_finance", "no_harm"],
        ["first_offense", "repeat_offense"],
    ] {
        let v = request(
            "ZHZF-019",
            "individual",
            json!({"stall_area": "1.5"}),
            &circ,
        );
        assert_eq!(calc(v).unwrap_err(), "conflicting_circumstances");
    }
}

/// 第三十七条 for the laws: 矿产资源法 (2024) came into force on 2025-07-01; an act of 2025-05-01
/// is not judged by it.
#[test]
fn an_act_before_the_law_came_into_force_is_not_judged_by_it() {
    let matter = set().matter("ZRZY-022").expect("ZRZY-022");
    assert_eq!(matter.penalty.in_force, NaiveDate::from_ymd_opt(2025, 7, 1));
    let mut v = request("ZRZY-022", "organisation", json!({}), &[]);
    v["act_date"] = json!("2025-05-01");
    v["discovered_date"] = json!("2025-06-01");
    let facts: serde_json::Map<String, Value> = matter
        .facts
        .iter()
        .filter(|f| f.required)
        .map(|f| {
            (
                f.key.clone(),
                json!(
                    if f.kind == penalty_standards::standards::FactType::Boolean {
                        json!(false)
                    } else if let Some(e) = f.values.first() {
                        json!(e.code)
                    } else {
                        json!("1")
                    }
                ),
            )
        })
        .collect();
    v["facts"] = Value::Object(facts);
    assert_eq!(calc(v).unwrap_err(), "law_not_in_force_at_act_date");
}

/// 第六十三条: the heavy kinds of penalty give a hearing whatever the fine (责令停止办学,
/// 暂停医药服务, 取消资格, 暂扣许可证件).
#[test]
fn heavy_kinds_of_penalty_give_a_hearing() {
    use penalty_standards::standards::MeasureKind;
    for name in [
        "责令停止办学",
        "暂停相关责任部门涉及医疗保障基金使用的医药服务",
        "取消其参加政府采购活动的资格",
        "暂扣导游证",
    ] {
        assert!(MeasureKind::of_name(name).is_heavy(), "{name}");
    }
    let jyj = set().matter("JYJ-001").expect("JYJ-001");
    let stop = jyj.statutory.measure("责令停止办学").expect("listed");
    assert!(stop.kind.is_heavy());
}

/// 第二十八条第二款 for the parties the article names: ZHZF-029 confiscates from 单位 only, so an
/// individual's small fine keeps the summary procedure and the review asks for no confiscation.
#[test]
fn confiscation_only_for_the_parties_the_article_names() {
    let m = set().matter("ZHZF-029").expect("ZHZF-029");
    let gains = m.statutory.measure("没收违法所得").expect("listed");
    assert!(!gains.applies_to(penalty_standards::standards::Party::Individual));
    assert!(gains.applies_to(penalty_standards::standards::Party::Organisation));
}

/// 统计法 第四十四条: 个人 means 个体工商户; other natural persons are not under the matter.
#[test]
fn statistics_matters_reach_sole_traders_not_other_persons() {
    let m = set().matter("TJJ-001").expect("TJJ-001");
    let facts: serde_json::Map<String, Value> = m
        .facts
        .iter()
        .filter(|f| f.required)
        .map(|f| {
            (
                f.key.clone(),
                if let Some(e) = f.values.first() {
                    json!(e.code)
                } else {
                    json!("1")
                },
            )
        })
        .collect();
    let facts = Value::Object(facts);
    assert_eq!(
        calc(request("TJJ-001", "individual", facts.clone(), &[])).unwrap_err(),
        "party_not_applicable"
    );
    assert!(calc(request("TJJ-001", "sole_trader", facts.clone(), &[])).is_ok());
    let organ = calc(request("TJJ-001", "state_organ", facts, &[])).unwrap();
    assert!(organ.fine.is_none(), "国家机关 are warned, not fined");
}

/// 产品质量法 第四十九条 (SCJG-151): 没收违法生产、销售的产品 is mandatory; the answer gives it
/// and a decision that leaves it out is unlawful, naming the article.
#[test]
fn a_mandatory_confiscation_is_given_and_its_omission_is_unlawful() {
    let facts = json!({"goods_value": "5000"});
    let r = calc(request("SCJG-151", "organisation", facts.clone(), &[])).unwrap();
    assert!(
        r.measures.iter().any(|m| m == "没收违法生产、销售的产品"),
        "{:?}",
        r.measures
    );
    let fine = r.fine.unwrap().max.to_string();
    let omitted = reviewed(
        "SCJG-151",
        "organisation",
        facts,
        &[],
        json!({"fine": fine}),
    );
    assert_eq!(omitted.verdict, Verdict::Unlawful);
    let finding = omitted.acts[0]
        .findings
        .iter()
        .find(|f| f.code == "mandatory_measure_missing")
        .expect("named");
    assert!(finding.basis.iter().any(|b| b.contains("产品质量法")));
}
