//! One test per rule of the case review, at its boundaries, on tests/fixtures/standards.
//! FIX-001: statutory 100,000–1,000,000; tier 2 (times over 0.5–1) is a fixed 200,000, tier 3
//! adds 限制生产. FIX-003 confiscates illegal gains. FIX-004's fine is optional (警告 or up to
//! 300). FIX-007: 1–3 times the disposal cost (at least 100,000). FIX-009 has no fine at all.

use std::str::FromStr;
use std::sync::OnceLock;

use chrono::NaiveDate;
use penalty_standards::review::{CaseReview, Direction, ReviewCase, Verdict, review};
use penalty_standards::sources::load_standards;
use penalty_standards::standards::StandardsSet;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::support::fixture;

fn set() -> &'static StandardsSet {
    static SET: OnceLock<StandardsSet> = OnceLock::new();
    SET.get_or_init(|| load_standards(Some(&fixture("standards"))).expect("fixtures load"))
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// A one-act case with the proposal given.
fn case(matter: &str, party: &str, facts: Value, circumstances: &[&str], proposed: Value) -> Value {
    json!({
        "case_ref": "测试〔2026〕1号",
        "party": party,
        "inspector": "王五",
        "act_date": "2026-09-01",
        "discovered_date": "2026-09-10",
        "decision_date": "2026-11-20",
        "circumstances": circumstances,
        "acts": [{"matter_id": matter, "facts": facts}],
        "proposed": proposed,
    })
}

fn run(v: Value) -> CaseReview {
    let c = ReviewCase::from_json(&v).expect("case parses");
    review(set(), &c, today()).expect("review succeeds")
}

fn refused(v: Value) -> (String, Option<String>) {
    let e = ReviewCase::from_json(&v)
        .and_then(|c| review(set(), &c, today()))
        .expect_err("must be refused");
    (e.code.to_string(), e.field)
}

fn codes(r: &CaseReview) -> Vec<&'static str> {
    r.acts[0].findings.iter().map(|f| f.code).collect()
}

fn fix1(fine: &str, circumstances: &[&str]) -> CaseReview {
    run(case(
        "FIX-001",
        "organisation",
        json!({"times_over": "0.6"}),
        circumstances,
        json!({"fine": fine}),
    ))
}

#[test]
fn a_proposal_equal_to_the_standard_conforms() {
    let r = fix1("200000", &[]);
    assert_eq!(r.verdict, Verdict::Conforms, "{:?}", r.acts[0].findings);
    assert!(!r.reason_required);
    assert_eq!(codes(&r), ["fine_in_standard"]);
    assert_eq!(r.acts[0].standard.tier.level, 2);
    assert!(r.acts[0].fine_deviation.is_none());
    assert_eq!(r.acts[0].proposed.fine, Some(d("200000.00")));
}

#[test]
fn one_fen_above_the_standard_deviates_heavier_and_needs_a_reason() {
    let r = fix1("200000.01", &[]);
    assert_eq!(r.verdict, Verdict::Deviates);
    let a = &r.acts[0];
    assert_eq!(a.direction, Some(Direction::Heavier));
    assert_eq!(a.fine_deviation.unwrap().amount, d("0.01"));
    assert!(a.reason_required && r.reason_required);
    assert!(codes(&r).contains(&"reason_required"));
    assert!(
        a.findings[0].message.contains("高出基准上限"),
        "{}",
        a.findings[0].message
    );

    // A written reason answers the flag; the verdict stays.
    let mut v = case(
        "FIX-001",
        "organisation",
        json!({"times_over": "0.6"}),
        &[],
        json!({"fine": "250000"}),
    );
    v["reason"] = json!("排放口位于居民区上风向，影响范围大");
    let r = run(v);
    assert_eq!(r.verdict, Verdict::Deviates);
    assert!(!r.reason_required);
    let dev = r.acts[0].fine_deviation.unwrap();
    assert_eq!((dev.amount, dev.percent), (d("50000.00"), Some(d("25.00"))));

    // A reason of blanks is no reason.
    let mut v = case(
        "FIX-001",
        "organisation",
        json!({"times_over": "0.6"}),
        &[],
        json!({"fine": "250000"}),
    );
    v["reason"] = json!("   ");
    assert!(run(v).reason_required);
}

#[test]
fn one_fen_below_the_standard_deviates_lighter() {
    let r = fix1("199999.99", &[]);
    assert_eq!(r.verdict, Verdict::Deviates);
    assert_eq!(r.acts[0].direction, Some(Direction::Lighter));
    assert_eq!(r.acts[0].fine_deviation.unwrap().amount, d("-0.01"));
    assert_eq!(codes(&r)[0], "fine_below_standard");
}

#[test]
fn the_statutory_maximum_is_lawful_and_one_fen_more_is_not() {
    let r = fix1("1000000", &[]);
    assert_eq!(r.verdict, Verdict::Deviates);
    let r = fix1("1000000.01", &[]);
    assert_eq!(r.verdict, Verdict::Unlawful);
    assert_eq!(codes(&r), ["fine_above_statutory"]);
    assert_eq!(r.acts[0].direction, Some(Direction::Heavier));
    assert!(
        !r.reason_required,
        "a reason cannot make an unlawful fine lawful"
    );
    let f = &r.acts[0].findings[0];
    assert!(f.message.contains("最高罚款1000000元"), "{}", f.message);
    assert!(f.basis.iter().any(|b| b.contains("第三十八条第一款")));
    assert!(r.explanation.last().unwrap().contains("第五十八条"));
}

#[test]
fn below_the_statutory_minimum_needs_a_ground_for_reduction() {
    // At the minimum: lawful, lighter than the standard.
    assert_eq!(fix1("100000", &[]).verdict, Verdict::Deviates);
    // One fen under, no ground: unlawful.
    let r = fix1("99999.99", &[]);
    assert_eq!(r.verdict, Verdict::Unlawful);
    assert_eq!(codes(&r), ["fine_below_statutory"]);
    assert!(
        r.acts[0].findings[0]
            .basis
            .iter()
            .any(|b| b.contains("第三十二条"))
    );
    // One ground (第三十二条第一款第三项) makes 减轻 lawful; the standard (从轻) is not followed.
    let r = fix1("99999.99", &["confessed"]);
    assert_eq!(r.verdict, Verdict::Deviates);
    assert!(r.acts[0].findings[0].message.contains("减轻处罚"));
    // Two grounds: the standard itself reduces below the statutory minimum, by tier (tier 2 of
    // 4: half the minimum and a quarter of the rest).
    let r = fix1("62500", &["confessed", "mitigated_harm"]);
    assert_eq!(r.verdict, Verdict::Conforms, "{:?}", r.acts[0].findings);
    assert_eq!(r.acts[0].standard.fine.unwrap().min, d("62500.00"));
}

#[test]
fn measures_must_be_allowed_and_follow_the_tier() {
    let three = |measures: Value| {
        run(case(
            "FIX-001",
            "organisation",
            json!({"times_over": "1.5"}),
            &[],
            json!({"fine": "400000", "measures": measures}),
        ))
    };
    // The tier's measure, and an order to correct (not a penalty): conforms.
    let r = three(json!(["限制生产", "责令改正"]));
    assert_eq!(r.verdict, Verdict::Conforms, "{:?}", r.acts[0].findings);
    // The tier's measure left out: lighter.
    let r = three(json!([]));
    assert_eq!(r.verdict, Verdict::Deviates);
    assert_eq!(codes(&r)[1], "measure_missing");
    assert_eq!(r.acts[0].direction, Some(Direction::Lighter));
    // A heavier measure the article allows, beyond the tier: heavier.
    let r = three(json!(["限制生产", "停产整治"]));
    assert_eq!(r.verdict, Verdict::Deviates);
    assert!(codes(&r).contains(&"measure_added"));
    assert_eq!(r.acts[0].direction, Some(Direction::Heavier));
    // Heavier fine, lighter measures: mixed.
    let r = run(case(
        "FIX-001",
        "organisation",
        json!({"times_over": "1.5"}),
        &[],
        json!({"fine": "450000"}),
    ));
    assert_eq!(r.acts[0].direction, Some(Direction::Mixed));
    // A measure the article does not provide: unlawful, naming what it does provide.
    let r = three(json!(["限制生产", "吊销营业执照"]));
    assert_eq!(r.verdict, Verdict::Unlawful);
    let f = r.acts[0]
        .findings
        .iter()
        .find(|f| f.code == "measure_not_allowed")
        .unwrap();
    assert!(
        f.message.contains("吊销营业执照") && f.message.contains("停产整治"),
        "{}",
        f.message
    );
}

#[test]
fn illegal_gains_must_be_confiscated() {
    let gains = |measures: Value| {
        run(case(
            "FIX-003",
            "individual",
            json!({"illegal_gains": "6000"}),
            &[],
            json!({"fine": "80000", "measures": measures}),
        ))
    };
    assert_eq!(gains(json!(["没收违法所得"])).verdict, Verdict::Conforms);
    let r = gains(json!([]));
    assert_eq!(r.verdict, Verdict::Unlawful);
    assert_eq!(codes(&r), ["fine_in_standard", "confiscation_missing"]);
    assert!(r.acts[0].findings[1].basis[0].contains("第二十八条第二款"));
}

#[test]
fn a_time_barred_act_must_not_be_penalised() {
    let barred = |act: &str, proposed: Value| {
        let mut v = case(
            "FIX-001",
            "organisation",
            json!({"times_over": "0.6"}),
            &[],
            proposed,
        );
        v["act_date"] = json!(act);
        run(v)
    };
    // Discovered on the last day of the two years: still punishable.
    assert_eq!(
        barred("2024-09-10", json!({"fine": "200000"})).verdict,
        Verdict::Conforms
    );
    // A day later: time-barred.
    let r = barred("2024-09-09", json!({"fine": "200000"}));
    assert_eq!(r.verdict, Verdict::Unlawful);
    assert_eq!(codes(&r), ["penalty_time_barred"]);
    assert!(
        r.acts[0].findings[0]
            .basis
            .iter()
            .any(|b| b.contains("第三十六条"))
    );
    let r = barred("2024-09-09", json!({"no_penalty": true}));
    assert_eq!(r.verdict, Verdict::Conforms);
    assert_eq!(codes(&r), ["no_penalty_as_required"]);
}

#[test]
fn an_act_that_must_not_be_penalised_gets_no_fine() {
    let r = run(case(
        "FIX-002",
        "individual",
        json!({"area": "20"}),
        &["under_14"],
        json!({"fine": "50"}),
    ));
    assert_eq!(r.verdict, Verdict::Unlawful);
    assert_eq!(codes(&r), ["penalty_excluded"]);
    assert!(
        r.acts[0].findings[0]
            .basis
            .iter()
            .any(|b| b.contains("第三十条"))
    );
    let r = run(case(
        "FIX-002",
        "organisation",
        json!({"area": "20"}),
        &["no_fault"],
        json!({"measures": ["责令改正"]}),
    ));
    assert_eq!(
        r.verdict,
        Verdict::Conforms,
        "an order to correct is no penalty"
    );
}

#[test]
fn first_offence_waiver_only_where_article_33_allows_it() {
    let all = ["first_offense", "corrected_promptly", "minor_harm"];
    let waiver = json!({"no_penalty": true, "first_offense_waiver": true});
    let r = run(case(
        "FIX-002",
        "organisation",
        json!({"area": "20"}),
        &all,
        waiver.clone(),
    ));
    assert_eq!(r.verdict, Verdict::Conforms);
    assert_eq!(codes(&r), ["first_offense_waiver"]);
    // Penalising instead is also lawful, and the review says the waiver was open.
    let r = run(case(
        "FIX-002",
        "organisation",
        json!({"area": "20"}),
        &all,
        json!({"fine": "2000"}),
    ));
    assert_eq!(r.verdict, Verdict::Conforms);
    assert!(codes(&r).contains(&"no_penalty_possible"));
    // One condition missing: no ground, unlawful.
    let r = run(case(
        "FIX-002",
        "organisation",
        json!({"area": "20"}),
        &["first_offense", "minor_harm"],
        waiver,
    ));
    assert_eq!(r.verdict, Verdict::Unlawful);
    assert_eq!(codes(&r), ["no_penalty_without_ground"]);
    assert!(r.acts[0].findings[0].message.contains("首违不罚"));
}

#[test]
fn an_optional_fine_may_be_left_out_but_a_mandatory_one_may_not() {
    // FIX-004 tier 2 gives 150 yuan; the article allows a warning instead.
    let r = run(case(
        "FIX-004",
        "individual",
        json!({"place": "wall", "pieces": 8}),
        &[],
        json!({"measures": ["警告"]}),
    ));
    assert_eq!(r.verdict, Verdict::Deviates);
    assert_eq!(r.acts[0].direction, Some(Direction::Lighter));
    // FIX-004 tier 1 is a warning; a lawful fine is heavier than the standard.
    let r = run(case(
        "FIX-004",
        "individual",
        json!({"place": "wall", "pieces": 2}),
        &[],
        json!({"fine": "100", "measures": ["警告"]}),
    ));
    assert_eq!(r.verdict, Verdict::Deviates);
    assert_eq!(r.acts[0].direction, Some(Direction::Heavier));
    // FIX-001 must fine: warning alone is unlawful without a ground for reduction.
    let r = run(case(
        "FIX-001",
        "organisation",
        json!({"times_over": "0.6"}),
        &[],
        json!({"measures": ["责令改正"]}),
    ));
    assert_eq!(r.verdict, Verdict::Unlawful);
    assert_eq!(codes(&r), ["no_penalty_without_ground"]);
}

#[test]
fn a_fine_where_the_article_sets_none_is_unlawful() {
    let r = run(case(
        "FIX-009",
        "organisation",
        json!({"days_unposted": 10}),
        &[],
        json!({"fine": "500", "measures": ["警告"]}),
    ));
    assert_eq!(r.verdict, Verdict::Unlawful);
    assert_eq!(codes(&r), ["fine_not_provided"]);
    let r = run(case(
        "FIX-009",
        "organisation",
        json!({"days_unposted": 10}),
        &[],
        json!({"measures": ["警告"]}),
    ));
    assert_eq!(r.verdict, Verdict::Conforms, "{:?}", r.acts[0].findings);
}

/// FIX-001 allows up to 1,000,000; FIX-007 three times the disposal cost.
fn one_act_two_provisions(first: &str, second: &str, cost: &str) -> CaseReview {
    let facts = |m: &str| {
        if m == "FIX-001" {
            json!({"times_over": "0.6"})
        } else {
            json!({"disposal_cost": cost})
        }
    };
    run(json!({
        "case_ref": "测试〔2026〕2号",
        "party": "organisation",
        "act_date": "2026-09-01",
        "decision_date": "2026-11-20",
        "acts": [{"matter_id": first, "facts": facts(first),
                  "also_violates": [{"matter_id": second, "facts": facts(second)}]}],
        "proposed": {"fine": "200000"},
    }))
}

#[test]
fn article_29_one_fine_under_the_higher_provision() {
    // 3 × 333,333 = 999,999 < 1,000,000: FIX-001 governs, whatever the order given.
    for (a, b) in [("FIX-001", "FIX-007"), ("FIX-007", "FIX-001")] {
        let r = one_act_two_provisions(a, b, "333333");
        let g = r.acts[0].governing.as_ref().expect("governing provision");
        assert_eq!(g.matter_id, "FIX-001");
        assert_eq!(r.acts[0].matter_id, "FIX-001");
        assert_eq!(g.considered.len(), 2);
        assert!(g.reason.contains("第二十九条") && g.reason.contains("罚款数额高"));
        assert_eq!(r.acts[0].findings[0].code, "governing_provision");
        assert_eq!(r.verdict, Verdict::Conforms);
    }
    // 3 × 333,334 = 1,000,002: FIX-007 governs.
    let r = one_act_two_provisions("FIX-001", "FIX-007", "333334");
    assert_eq!(r.acts[0].governing.as_ref().unwrap().matter_id, "FIX-007");
    assert_eq!(r.acts[0].matter_id, "FIX-007");
}

#[test]
fn separate_acts_are_assessed_one_by_one() {
    let r = run(json!({
        "case_ref": "测试〔2026〕3号",
        "party": "organisation",
        "act_date": "2026-09-01",
        "decision_date": "2026-11-20",
        "acts": [
            {"matter_id": "FIX-001", "facts": {"times_over": "0.6"}, "proposed": {"fine": "200000"}},
            {"matter_id": "FIX-002", "facts": {"area": "20"}, "proposed": {"fine": "6000"}},
            {"matter_id": "FIX-002", "facts": {"area": "60"}, "proposed": {"fine": "4500"},
             "act_date": "2026-10-01"},
        ],
    }));
    let verdicts: Vec<Verdict> = r.acts.iter().map(|a| a.verdict).collect();
    assert_eq!(
        verdicts,
        [Verdict::Conforms, Verdict::Unlawful, Verdict::Conforms]
    );
    assert_eq!(r.verdict, Verdict::Unlawful);
    assert_eq!(r.acts[2].standard.tier.level, 3);
    assert!(
        r.explanation
            .iter()
            .any(|l| l.contains("分别裁量，合并处罚"))
    );
}

#[test]
fn malformed_cases_name_the_field() {
    let ok = case(
        "FIX-001",
        "organisation",
        json!({"times_over": "0.6"}),
        &[],
        json!({"fine": "200000"}),
    );
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = ok.clone();
        f(&mut v);
        refused(v)
    };
    let expect = |got: (String, Option<String>), code: &str, field: &str| {
        assert_eq!(got, (code.to_string(), Some(field.to_string())));
    };
    expect(
        with(&|v| v["acts"][0]["facts"] = json!({})),
        "missing_fact",
        "acts[0].facts.times_over",
    );
    expect(
        with(&|v| v["acts"][0]["matter_id"] = json!("NOPE-1")),
        "unknown_matter",
        "acts[0].matter_id",
    );
    expect(
        with(&|v| v["proposed"]["fine"] = json!("100.001")),
        "invalid_amount",
        "proposed.fine",
    );
    expect(
        with(&|v| v["proposed"]["fine"] = json!("-5")),
        "invalid_amount",
        "proposed.fine",
    );
    expect(
        with(&|v| v["proposed"]["measures"] = json!(["罚款"])),
        "fine_in_measures",
        "proposed.measures[0]",
    );
    expect(
        with(&|v| v["proposed"]["no_penalty"] = json!(true)),
        "contradictory_proposal",
        "proposed.fine",
    );
    expect(
        with(&|v| v["acts"][0]["fine"] = json!("1")),
        "unknown_field",
        "acts[0].fine",
    );
    expect(
        with(&|v| {
            v.as_object_mut().unwrap().remove("proposed");
        }),
        "missing_field",
        "proposed",
    );
    expect(
        with(&|v| v["case_ref"] = json!(" ")),
        "missing_field",
        "case_ref",
    );
    expect(with(&|v| v["acts"] = json!([])), "invalid_acts", "acts");
    expect(
        with(&|v| {
            let a = v["acts"][0].clone();
            v["acts"] = json!([a.clone(), a]);
        }),
        "proposal_per_act",
        "proposed",
    );
    expect(
        with(&|v| {
            v["acts"][0]["also_violates"] =
                json!([{"matter_id": "fix-001", "facts": {"times_over": "1"}}])
        }),
        "duplicate_matter",
        "acts[0].also_violates[0].matter_id",
    );
    expect(
        with(&|v| v["decision_date"] = json!("2027-01-01")),
        "date_in_future",
        "decision_date",
    );
}
