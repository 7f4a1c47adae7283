//! One test per legal rule of the engine, on the fixture matters of tests/fixtures/standards.
//! Each would fail if the rule it names were implemented wrongly.

use std::str::FromStr;
use std::sync::OnceLock;

use chrono::NaiveDate;
use penalty_standards::engine::{
    AdjustmentKind, BasisRole, CalcRequest, CalcResult, Outcome, calculate,
};
use penalty_standards::sources::load_standards;
use penalty_standards::standards::{Band, Party, StandardsSet};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::support::fixture;

fn set() -> &'static StandardsSet {
    static SET: OnceLock<StandardsSet> = OnceLock::new();
    SET.get_or_init(|| load_standards(Some(&fixture("standards"))).expect("fixtures load"))
}

fn today() -> NaiveDate {
    date("2026-11-22")
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn request(matter: &str, party: &str, facts: Value, circumstances: &[&str]) -> Value {
    json!({
        "matter_id": matter,
        "party": party,
        "facts": facts,
        "circumstances": circumstances,
        "act_date": "2026-09-01",
        "discovered_date": "2026-09-10",
        "decision_date": "2026-11-20",
    })
}

fn calc(v: Value) -> CalcResult {
    let req = CalcRequest::from_json(&v).expect("request parses");
    calculate(set(), &req, today()).expect("calculation succeeds")
}

fn calc_err(v: Value) -> (String, Option<String>, bool) {
    let e = CalcRequest::from_json(&v)
        .and_then(|r| calculate(set(), &r, today()))
        .expect_err("must be refused");
    (e.code.to_string(), e.field, e.not_found)
}

fn fine(r: &CalcResult) -> Band {
    r.fine.expect("a fine")
}

fn fixed(x: &str) -> Band {
    Band::fixed(d(x))
}

fn cites(r: &CalcResult, article: u32) -> bool {
    r.legal_basis
        .iter()
        .any(|b| b.citation.law == "中华人民共和国行政处罚法" && b.citation.article == article)
}

// ---- tier selection at every boundary (gte inclusive, lt exclusive) ----

#[test]
fn tier_boundaries_are_inclusive_below_and_exclusive_above() {
    let cases = [
        ("0", 1),
        ("0.49", 1),
        ("0.5", 2),
        ("0.99", 2),
        ("1", 3),
        ("1.999", 3),
        ("2", 4),
        ("1000", 4),
    ];
    for (x, level) in cases {
        let r = calc(request(
            "FIX-001",
            "organisation",
            json!({"times_over": x}),
            &[],
        ));
        assert_eq!(r.tier.level, level, "times_over = {x}");
    }
    let r = calc(request(
        "FIX-001",
        "organisation",
        json!({"times_over": "0.5"}),
        &[],
    ));
    assert_eq!(fine(&r), fixed("200000"));
    assert_eq!(r.decisive_facts[0].key, "times_over");
    assert_eq!(r.decisive_facts[0].condition, "≥0.5倍 且 <1倍");
}

#[test]
fn enum_and_integer_facts_and_alternatives_select_tiers() {
    let r = calc(request(
        "FIX-004",
        "individual",
        json!({"place": "monument"}),
        &[],
    ));
    assert_eq!((r.tier.level, fine(&r)), (3, fixed("300")));
    let r = calc(request(
        "FIX-004",
        "individual",
        json!({"place": "wall", "pieces": 4}),
        &[],
    ));
    assert_eq!(r.tier.level, 1);
    assert!(r.fine.is_none());
    assert!(r.measures.contains(&"警告".to_string()));
    let r = calc(request(
        "FIX-004",
        "individual",
        json!({"place": "tree", "pieces": 5}),
        &[],
    ));
    assert_eq!((r.tier.level, fine(&r)), (2, fixed("150")));
    // `pieces` defaults to 1.
    let r = calc(request(
        "FIX-004",
        "individual",
        json!({"place": "tree"}),
        &[],
    ));
    assert_eq!(r.tier.level, 1);
}

// ---- fine kinds ----

#[test]
fn multiple_of_gains_uses_the_base_and_the_fallback_below_it() {
    let r = calc(request(
        "FIX-003",
        "organisation",
        json!({"illegal_gains": "9999.99"}),
        &[],
    ));
    assert_eq!(
        r.statutory_fine,
        Some(Band::new(d("50000.00"), d("100000.00")))
    );
    assert_eq!(fine(&r), fixed("80000"));
    let r = calc(request(
        "FIX-003",
        "organisation",
        json!({"illegal_gains": "12345.67"}),
        &[],
    ));
    assert_eq!(
        r.statutory_fine,
        Some(Band::new(d("123456.70"), d("246913.40")))
    );
    assert_eq!(fine(&r), fixed("148148.04")); // 12 × 12345.67
    let r = calc(request(
        "FIX-003",
        "organisation",
        json!({"illegal_gains": "60000"}),
        &[],
    ));
    assert_eq!(fine(&r), Band::new(d("900000.00"), d("1200000.00")));
    assert!(r.measures.contains(&"没收违法所得".to_string()));
}

#[test]
fn per_unit_percent_and_base_floor() {
    let r = calc(request(
        "FIX-005",
        "individual",
        json!({"area": "7.5"}),
        &[],
    ));
    assert_eq!(fine(&r), fixed("3750"));
    let r = calc(request(
        "FIX-006",
        "organisation",
        json!({"total_investment": "2500000"}),
        &[],
    ));
    assert_eq!(fine(&r), fixed("75000")); // 3 % of 2.5 million
    assert_eq!(
        r.statutory_fine,
        Some(Band::new(d("25000.00"), d("125000.00")))
    );
    // 不足十万元的，按十万元计算: the band at 30 000 is that of 100 000.
    let r = calc(request(
        "FIX-007",
        "organisation",
        json!({"disposal_cost": "30000"}),
        &[],
    ));
    assert_eq!(
        r.statutory_fine,
        Some(Band::new(d("100000.00"), d("300000.00")))
    );
    assert_eq!(fine(&r), fixed("150000"));
}

#[test]
fn amounts_are_decimal_strings_with_two_places() {
    let r = calc(request(
        "FIX-001",
        "organisation",
        json!({"times_over": "3"}),
        &[],
    ));
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["fine"]["min"], "700000.00");
    assert_eq!(v["fine"]["max"], "1000000.00");
}

#[test]
fn separate_party_bands_apply_to_each_party() {
    let r = calc(request("FIX-002", "individual", json!({"area": "20"}), &[]));
    assert_eq!(fine(&r), fixed("100"));
    let r = calc(request(
        "FIX-002",
        "organisation",
        json!({"area": "20"}),
        &[],
    ));
    assert_eq!(fine(&r), fixed("2000"));
    // FIX-006 fines organisations only.
    let (code, field, _) = calc_err(request(
        "FIX-006",
        "individual",
        json!({"total_investment": "1"}),
        &[],
    ));
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("party_not_applicable", Some("party"))
    );
}

// ---- 第二十八条: 责令改正 always ----

#[test]
fn correction_is_always_ordered() {
    for (m, facts) in [
        ("FIX-001", json!({"times_over": "0.1"})),
        ("FIX-004", json!({"place": "wall"})),
    ] {
        let r = calc(request(m, "individual", facts, &[]));
        assert_eq!(r.measures[0], "责令改正");
        assert!(cites(&r, 28));
    }
}

// ---- 第三十六条: time limits ----

#[test]
fn two_year_time_limit_counts_from_the_act() {
    let mut v = request("FIX-001", "organisation", json!({"times_over": "0.1"}), &[]);
    v["act_date"] = json!("2024-03-10");
    v["discovered_date"] = json!("2026-03-10");
    let r = calc(v.clone());
    assert_eq!(r.outcome, Outcome::Penalty, "discovered on the last day");
    v["discovered_date"] = json!("2026-03-11");
    let r = calc(v);
    assert_eq!(r.outcome, Outcome::TimeBarred);
    assert!(r.fine.is_none());
    assert!(cites(&r, 36));
    assert_eq!(r.dates.time_limit_ends, date("2026-03-10"));
}

#[test]
fn five_year_limit_where_life_health_or_finance_was_endangered() {
    let mut v = request(
        "FIX-001",
        "organisation",
        json!({"times_over": "0.1"}),
        &["endangers_life_health_finance"],
    );
    v["act_date"] = json!("2022-01-15");
    v["discovered_date"] = json!("2026-06-01");
    let r = calc(v.clone());
    assert_eq!(r.outcome, Outcome::Penalty);
    assert_eq!(r.dates.time_limit_years, 5);
    v["act_date"] = json!("2021-05-31");
    assert_eq!(calc(v).outcome, Outcome::TimeBarred);
}

// ---- 第三十条, 第三十一条, 第三十三条第二款: no penalty ----

#[test]
fn under_fourteen_is_not_punished_and_only_applies_to_individuals() {
    let r = calc(request(
        "FIX-002",
        "individual",
        json!({"area": "60"}),
        &["under_14"],
    ));
    assert_eq!(r.outcome, Outcome::NoPenalty);
    assert!(r.fine.is_none());
    assert!(cites(&r, 30));
    assert!(r.measures.iter().any(|m| m.contains("监护人")));
    let (code, field, _) = calc_err(request(
        "FIX-002",
        "organisation",
        json!({"area": "60"}),
        &["under_14"],
    ));
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("circumstance_not_applicable", Some("circumstances[0]"))
    );
}

#[test]
fn mental_incapacity_and_no_fault_are_not_punished() {
    let r = calc(request(
        "FIX-002",
        "individual",
        json!({"area": "60"}),
        &["mental_incapacity"],
    ));
    assert_eq!(r.outcome, Outcome::NoPenalty);
    assert!(cites(&r, 31));
    let r = calc(request(
        "FIX-001",
        "organisation",
        json!({"times_over": "3"}),
        &["no_fault"],
    ));
    assert_eq!(r.outcome, Outcome::NoPenalty);
    assert!(
        r.legal_basis
            .iter()
            .any(|b| b.citation.article == 33 && b.citation.paragraph == Some(2))
    );
}

// ---- 第三十三条第一款 ----

#[test]
fn minor_act_corrected_without_harm_is_not_punished() {
    let r = calc(request(
        "FIX-001",
        "organisation",
        json!({"times_over": "0.2"}),
        &["corrected_promptly", "no_harm"],
    ));
    assert_eq!(r.outcome, Outcome::NoPenalty);
    assert!(
        r.legal_basis
            .iter()
            .any(|b| b.citation.article == 33 && b.citation.paragraph == Some(1))
    );
    // Not minor: the tier is not the 轻微 one.
    let r = calc(request(
        "FIX-001",
        "organisation",
        json!({"times_over": "0.6"}),
        &["corrected_promptly", "no_harm"],
    ));
    assert_eq!(r.outcome, Outcome::Penalty);
    // Not corrected.
    let r = calc(request(
        "FIX-001",
        "organisation",
        json!({"times_over": "0.2"}),
        &["no_harm"],
    ));
    assert_eq!(r.outcome, Outcome::Penalty);
}

#[test]
fn first_offense_with_minor_harm_corrected_may_go_unpunished() {
    let r = calc(request(
        "FIX-001",
        "organisation",
        json!({"times_over": "1.5"}),
        &["first_offense", "minor_harm", "corrected_promptly"],
    ));
    assert_eq!(r.outcome, Outcome::Penalty);
    assert!(r.no_penalty_possible);
    assert_eq!(fine(&r), fixed("400000"));
    let r = calc(request(
        "FIX-001",
        "organisation",
        json!({"times_over": "1.5"}),
        &["minor_harm", "corrected_promptly"],
    ));
    assert!(!r.no_penalty_possible, "not a first offence");
}

// ---- 从轻 / 减轻 / 从重 (policy in set.toml: 30 % of a band, 20 % of a fixed amount, 减轻 at 2 grounds = 50 % of the minimum) ----

#[test]
fn lighter_moves_a_fixed_amount_down_twenty_percent_but_not_past_the_lighter_tier() {
    let r = calc(request(
        "FIX-001",
        "organisation",
        json!({"times_over": "1.5"}),
        &["confessed"],
    ));
    assert_eq!(fine(&r), fixed("320000")); // 400 000 × 0.8, above tier 2's 200 000
    assert_eq!(r.adjustments[0].kind, AdjustmentKind::Lighter);
    assert!(cites(&r, 32));
    // Tier 2: 200 000 × 0.8 = 160 000 < tier 1's 100 000? no: stays 160 000.
    let r = calc(request(
        "FIX-001",
        "organisation",
        json!({"times_over": "0.7"}),
        &["coerced"],
    ));
    assert_eq!(fine(&r), fixed("160000"));
    // Tier 1: never below the statutory minimum.
    let r = calc(request(
        "FIX-001",
        "organisation",
        json!({"times_over": "0.1"}),
        &["coerced"],
    ));
    assert_eq!(fine(&r), fixed("100000"));
}

#[test]
fn lighter_takes_the_lower_part_of_a_band_and_heavier_the_upper_part() {
    let r = calc(request(
        "FIX-001",
        "organisation",
        json!({"times_over": "2.5"}),
        &["mitigated_harm"],
    ));
    assert_eq!(fine(&r), Band::new(d("700000.00"), d("790000.00")));
    let r = calc(request(
        "FIX-001",
        "organisation",
        json!({"times_over": "2.5"}),
        &["repeat_offense"],
    ));
    assert_eq!(fine(&r), Band::new(d("910000.00"), d("1000000.00")));
    assert_eq!(r.adjustments[0].kind, AdjustmentKind::Heavier);
    assert!(
        cites(&r, 34),
        "repeat offences rest on the standard itself (第三十四条)"
    );
}

#[test]
fn heavier_moves_a_fixed_amount_up_but_not_past_the_heavier_tier_or_the_maximum() {
    let r = calc(request(
        "FIX-001",
        "organisation",
        json!({"times_over": "0.7"}),
        &["emergency_violation"],
    ));
    assert_eq!(fine(&r), fixed("240000"));
    assert!(cites(&r, 49));
    // Tier 3 (400 000 × 1.2 = 480 000) is capped by tier 4's minimum? 480 000 < 700 000: not capped.
    let r = calc(request(
        "FIX-001",
        "organisation",
        json!({"times_over": "1.2"}),
        &["emergency_violation"],
    ));
    assert_eq!(fine(&r), fixed("480000"));
    // Individual, FIX-002 heaviest tier is 200 = statutory maximum: stays 200.
    let r = calc(request(
        "FIX-002",
        "individual",
        json!({"area": "80"}),
        &["emergency_violation"],
    ));
    assert_eq!(fine(&r), fixed("200"));
    // Tier 1 of FIX-002 for individuals: 50 × 1.2 = 60, below tier 2's 100.
    let r = calc(request(
        "FIX-002",
        "individual",
        json!({"area": "5"}),
        &["repeat_offense"],
    ));
    assert_eq!(fine(&r), fixed("60"));
}

#[test]
fn two_mitigating_grounds_reduce_below_the_statutory_minimum() {
    let r = calc(request(
        "FIX-001",
        "organisation",
        json!({"times_over": "1.5"}),
        &["confessed", "meritorious"],
    ));
    assert_eq!(r.adjustments[0].kind, AdjustmentKind::Reduced);
    // Tier 3 of 4: half the minimum plus two quarters of the rest (过罚相当 keeps tiers apart).
    assert_eq!(fine(&r), fixed("75000"));
    let statutory = r.statutory_fine.unwrap();
    assert!(fine(&r).max < statutory.min, "减轻 goes below the minimum");
    // A minor aged 14 to 18 plus one more ground.
    let r = calc(request(
        "FIX-002",
        "individual",
        json!({"area": "20"}),
        &["age_14_to_18", "mitigated_harm"],
    ));
    // Tier 2 of 3 under a minimum of 50.
    assert_eq!(fine(&r), fixed("33.33"));
}

#[test]
fn mitigating_and_aggravating_together_offset() {
    let r = calc(request(
        "FIX-001",
        "organisation",
        json!({"times_over": "1.5"}),
        &["confessed", "emergency_violation"],
    ));
    assert_eq!(r.adjustments[0].kind, AdjustmentKind::Offset);
    assert_eq!(fine(&r), fixed("400000"));
    // The set's own repeat-offence rule cannot offset 第三十二条's 应当从轻或者减轻.
    let r = calc(request(
        "FIX-001",
        "organisation",
        json!({"times_over": "1.5"}),
        &["confessed", "repeat_offense"],
    ));
    assert_eq!(r.adjustments[0].kind, AdjustmentKind::Lighter);
    assert!(r.explanation.iter().any(|e| e.contains("不得抵消")));
}

// ---- 第五十一条 and 第六十三条 flags ----

#[test]
fn summary_procedure_up_to_200_for_individuals_and_3000_for_organisations_or_a_warning() {
    let r = calc(request("FIX-002", "individual", json!({"area": "60"}), &[]));
    assert_eq!(fine(&r), fixed("200"));
    assert!(r.summary_procedure_allowed);
    assert!(cites(&r, 51));
    let r = calc(request(
        "FIX-002",
        "organisation",
        json!({"area": "20"}),
        &[],
    ));
    assert_eq!(fine(&r), fixed("2000"));
    assert!(r.summary_procedure_allowed);
    let r = calc(request(
        "FIX-002",
        "organisation",
        json!({"area": "60"}),
        &[],
    ));
    assert!(!r.summary_procedure_allowed, "4000..5000 exceeds 3000");
    let r = calc(request(
        "FIX-005",
        "individual",
        json!({"area": "0.41"}),
        &[],
    ));
    assert_eq!(fine(&r), fixed("205"));
    assert!(!r.summary_procedure_allowed, "205 exceeds 200");
    let r = calc(request(
        "FIX-004",
        "individual",
        json!({"place": "wall"}),
        &[],
    ));
    assert!(r.summary_procedure_allowed, "a warning only");
}

#[test]
fn hearing_right_from_the_amount_thresholds_or_heavy_measures() {
    let r = calc(request("FIX-005", "individual", json!({"area": "20"}), &[]));
    assert_eq!(fine(&r), Band::new(d("20000.00"), d("40000.00")));
    assert!(r.hearing_right);
    assert!(cites(&r, 63));
    let r = calc(request(
        "FIX-005",
        "individual",
        json!({"area": "9.99"}),
        &[],
    ));
    assert_eq!(fine(&r), fixed("4995"));
    assert!(!r.hearing_right);
    let r = calc(request(
        "FIX-006",
        "organisation",
        json!({"total_investment": "999999"}),
        &[],
    ));
    assert_eq!(fine(&r), fixed("9999.99"));
    assert!(!r.hearing_right);
    let r = calc(request(
        "FIX-006",
        "organisation",
        json!({"total_investment": "1000000"}),
        &[],
    ));
    assert_eq!(fine(&r), fixed("30000"));
    assert!(
        !r.hearing_right,
        "责令停止建设 is an order, not a penalty (第九条)"
    );
    let r = calc(request(
        "FIX-001",
        "organisation",
        json!({"times_over": "0.1"}),
        &[],
    ));
    assert!(
        r.hearing_right,
        "100 000 reaches the organisation threshold"
    );
}

// ---- legal basis and explanation ----

#[test]
fn legal_basis_lists_both_provisions_with_roles_and_renders_them() {
    let r = calc(request(
        "FIX-001",
        "organisation",
        json!({"times_over": "0.6"}),
        &[],
    ));
    assert_eq!(r.legal_basis[0].role, BasisRole::Violated);
    assert_eq!(r.legal_basis[1].role, BasisRole::Penalty);
    assert_eq!(
        r.legal_basis[1].text,
        "《中华人民共和国大气污染防治法》第九十九条第二项"
    );
    assert!(r.explanation.iter().any(|s| s.contains("第2阶次「一般」")));
    assert!(r.explanation.len() >= 4);
}

// ---- request errors ----

#[test]
fn refuses_bad_requests_naming_the_field() {
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            request("FIX-001", "organisation", json!({}), &[]),
            "missing_fact",
            "facts.times_over",
        ),
        (
            request("FIX-001", "organisation", json!({"times_over": "abc"}), &[]),
            "wrong_fact_type",
            "facts.times_over",
        ),
        (
            request("FIX-001", "organisation", json!({"times_over": true}), &[]),
            "wrong_fact_type",
            "facts.times_over",
        ),
        (
            request("FIX-001", "organisation", json!({"times_over": "-1"}), &[]),
            "negative_amount",
            "facts.times_over",
        ),
        (
            request(
                "FIX-001",
                "organisation",
                json!({"times_over": "1", "colour": "red"}),
                &[],
            ),
            "unknown_fact",
            "facts.colour",
        ),
        (
            request("FIX-004", "individual", json!({"place": "moon"}), &[]),
            "invalid_fact_value",
            "facts.place",
        ),
        (
            request(
                "FIX-004",
                "individual",
                json!({"place": "wall", "pieces": "2.5"}),
                &[],
            ),
            "wrong_fact_type",
            "facts.pieces",
        ),
        (
            request(
                "FIX-001",
                "organisation",
                json!({"times_over": "99999999999999999999"}),
                &[],
            ),
            "out_of_range",
            "facts.times_over",
        ),
        (
            request(
                "FIX-001",
                "organisation",
                json!({"times_over": "1"}),
                &["lucky"],
            ),
            "unknown_circumstance",
            "circumstances[0]",
        ),
        (
            request(
                "FIX-001",
                "organisation",
                json!({"times_over": "1"}),
                &["no_harm", "minor_harm"],
            ),
            "conflicting_circumstances",
            "circumstances",
        ),
        (
            request("FIX-001", "company", json!({"times_over": "1"}), &[]),
            "invalid_party",
            "party",
        ),
    ];
    for (v, code, field) in cases {
        let (c, f, nf) = calc_err(v.clone());
        assert_eq!(
            (c.as_str(), f.as_deref(), nf),
            (code, Some(field), false),
            "{v}"
        );
    }
}

#[test]
fn refuses_impossible_dates() {
    let base = request("FIX-001", "organisation", json!({"times_over": "1"}), &[]);
    let with = |k: &str, v: &str| {
        let mut x = base.clone();
        x[k] = json!(v);
        x
    };
    assert_eq!(calc_err(with("act_date", "2026-11-23")).0, "date_in_future");
    assert_eq!(
        calc_err(with("decision_date", "2027-01-01")).0,
        "date_in_future"
    );
    assert_eq!(
        calc_err(with("act_date", "2026-11-21")).0,
        "act_after_decision"
    );
    assert_eq!(
        calc_err(with("discovered_date", "2026-08-01")).0,
        "discovered_before_act"
    );
    assert_eq!(
        calc_err(with("discovered_date", "2026-11-21")).0,
        "discovered_after_decision"
    );
    assert_eq!(calc_err(with("act_date", "2026-13-01")).0, "invalid_date");
    let mut no_act = base.clone();
    no_act.as_object_mut().unwrap().remove("act_date");
    assert_eq!(calc_err(no_act).0, "missing_field");
}

#[test]
fn unknown_matter_is_not_found() {
    let (code, _, not_found) = calc_err(request("FIX-999", "organisation", json!({}), &[]));
    assert_eq!(code, "unknown_matter");
    assert!(not_found);
    // ids are case-insensitive for people typing them.
    assert_eq!(
        calc(request(
            "fix-001",
            "organisation",
            json!({"times_over": "1"}),
            &[]
        ))
        .matter_id,
        "FIX-001"
    );
}

#[test]
fn decision_date_defaults_to_today_and_discovery_is_never_invented() {
    let mut v = request("FIX-001", "organisation", json!({"times_over": "1"}), &[]);
    let o = v.as_object_mut().unwrap();
    o.remove("decision_date");
    o.remove("discovered_date");
    let r = calc(v);
    assert_eq!(r.dates.decision_date, today());
    assert_eq!(r.dates.discovered_date, None);
    let _ = Party::Individual;
}

#[test]
fn adjustments_stop_at_neighbouring_tiers_of_the_same_kind_only() {
    // FIX-008: tier 1 is 2 × gains, tier 2 the fixed no-gains amount 80 000. At 35 000 of gains,
    // 从重 on 70 000 gives 84 000: tier 2 applies only without gains and does not cap it.
    let r = calc(request(
        "FIX-008",
        "organisation",
        json!({"illegal_gains": "35000"}),
        &["repeat_offense"],
    ));
    assert_eq!(fine(&r), fixed("84000"));
    // Within one zone the neighbour still holds: FIX-001 tier 2 (200 000) 从轻 stops at tier 1's
    // 100 000 only if below it; 160 000 is above, so it stands (see the 从轻 test), and tier 3 (400 000)
    // 从轻 gives 320 000, above tier 2's 200 000.
    let r = calc(request(
        "FIX-001",
        "organisation",
        json!({"times_over": "1.5"}),
        &["confessed"],
    ));
    assert_eq!(fine(&r), fixed("320000"));
}

/// Chinese party and circumstance names are accepted as the CSV command accepts them.
#[test]
fn chinese_party_and_circumstance_names_are_accepted() {
    let mut v = request(
        "FIX-002",
        "individual",
        json!({"area": "20"}),
        &["初次违法", "及时改正"],
    );
    v["party"] = json!("公民");
    let r = calc(v);
    assert_eq!(r.party, penalty_standards::standards::Party::Individual);
    let (code, field, _) = calc_err(request(
        "FIX-002",
        "individual",
        json!({"area": "20"}),
        &["初次违规"],
    ));
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("unknown_circumstance", Some("circumstances[0]"))
    );
}

/// Issue 15: what a parser would quietly read as something else is refused with its field.
#[test]
fn implausible_inputs_are_refused_with_their_field() {
    let mut v = request("FIX-002", "individual", json!({"area": "1_000"}), &[]);
    assert_eq!(calc_err(v.clone()).0, "wrong_fact_type");
    v["facts"] = json!({"area": "1e3"});
    assert_eq!(calc_err(v.clone()).0, "wrong_fact_type");
    v["facts"] = json!({"area": "20"});
    v["act_date"] = json!("0000-01-01");
    let (code, field, _) = calc_err(v.clone());
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("invalid_date", Some("act_date"))
    );
    let mut many = request("FIX-002", "individual", json!({"area": "20"}), &[]);
    many["circumstances"] = json!(vec!["confessed"; 5000]);
    assert_eq!(calc_err(many).0, "too_many");
}
