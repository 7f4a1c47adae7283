//! The validator refuses every kind of broken standard, naming file, line and matter.

use penalty_standards::standards::{Problem, SourceFile, load};

const SET: &str = include_str!("../fixtures/standards/set.toml");

/// A valid matter; each test breaks one thing in it.
const GOOD: &str = r#"
code = "TST"
name = "测试单位"

[[matter]]
id = "TST-001"
name = "超标排放大气污染物"
category = "大气污染防治"
violated = { law = "中华人民共和国大气污染防治法", article = 18 }
penalty = { law = "中华人民共和国大气污染防治法", article = 99, item = 2 }

[matter.statutory]
fine = { kind = "range", min = 100000, max = 1000000 }
measures = [{ name = "停产整治", force = "optional" }]

[[matter.fact]]
key = "times_over"
label = "超标倍数"
type = "decimal"
unit = "倍"
required = true

[[matter.tier]]
name = "较轻"
situation = "超标不足1倍"
when = { times_over = { lt = 1 } }
fine = 100000

[[matter.tier]]
name = "严重"
situation = "超标1倍以上"
when = { times_over = { gte = 1 } }
fine = 500000
measures = ["停产整治"]
"#;

fn check(unit: &str) -> Vec<Problem> {
    let set = SourceFile {
        path: "set.toml".into(),
        text: SET.into(),
    };
    let units = [SourceFile {
        path: "units/TST.toml".into(),
        text: unit.into(),
    }];
    match load(&set, &units) {
        Ok(_) => vec![],
        Err(p) => p.0,
    }
}

fn broken(from: &str, to: &str) -> Vec<Problem> {
    assert!(GOOD.contains(from), "the fixture contains {from}");
    check(&GOOD.replacen(from, to, 1))
}

fn assert_refused(problems: &[Problem], needle: &str) {
    assert!(
        problems.iter().any(|p| p.message.contains(needle)),
        "expected a problem containing {needle:?}, got {problems:#?}"
    );
    for p in problems {
        assert_eq!(p.file, "units/TST.toml");
        assert!(p.line > 1);
    }
}

#[test]
fn the_fixture_is_valid() {
    assert_eq!(check(GOOD), vec![]);
}

#[test]
fn a_gap_between_tiers_is_reported_with_the_uncovered_case() {
    let p = broken(
        "when = { times_over = { gte = 1 } }",
        "when = { times_over = { gt = 1 } }",
    );
    assert_refused(&p, "no tier covers the case times_over=1");
    assert_eq!(p[0].matter.as_deref(), Some("TST-001"));
    assert_eq!(p[0].line, 6, "the line of the matter id");
}

#[test]
fn overlapping_tiers_are_reported() {
    let p = broken(
        "when = { times_over = { gte = 1 } }",
        "when = { times_over = { gte = 0.9 } }",
    );
    assert_refused(&p, "both cover the case");
}

#[test]
fn a_tier_outside_the_statutory_band_is_refused() {
    assert_refused(
        &broken("fine = 500000", "fine = 1000001"),
        "outside the statutory band",
    );
    assert_refused(
        &broken("fine = 100000", "fine = 99999"),
        "outside the statutory band",
    );
}

#[test]
fn a_heavier_tier_may_not_fine_less() {
    assert_eq!(
        broken("fine = 500000", "fine = 100000"),
        vec![],
        "equal amounts are allowed"
    );
    let p = check(&GOOD.replacen("fine = 100000", "fine = 600000", 1));
    assert_refused(&p, "fines 法人或者其他组织 less than the lighter tier");
}

#[test]
fn conditions_must_name_declared_facts_of_the_right_type() {
    assert_refused(
        &broken(
            "when = { times_over = { lt = 1 } }",
            "when = { area = { lt = 1 } }",
        ),
        "not a declared fact",
    );
    assert_refused(
        &broken(
            "when = { times_over = { lt = 1 } }",
            "when = { times_over = true }",
        ),
        "does not fit its type",
    );
}

#[test]
fn measures_must_be_allowed_by_the_statute() {
    let p = check(&GOOD.replace(
        "fine = 500000\nmeasures = [\"停产整治\"]",
        "fine = 500000\nmeasures = [\"吊销许可证\"]",
    ));
    assert_refused(&p, "not among the statutory measures");
}

#[test]
fn ids_are_unique_and_prefixed_by_the_unit() {
    let twice = format!("{GOOD}\n{}", &GOOD[GOOD.find("[[matter]]").unwrap()..]);
    assert_refused(&check(&twice), "id already used at units/TST.toml:6");
    assert_refused(
        &broken("id = \"TST-001\"", "id = \"XYZ-001\""),
        "must start with its unit code",
    );
}

#[test]
fn facts_are_required_or_defaulted_and_never_repeat_offences() {
    assert_refused(
        &broken("required = true", "required = false"),
        "needs `required = true` or a `default`",
    );
    let p = check(&GOOD.replace("times_over", "repeat_count"));
    assert_refused(&p, "repeat offences");
}

#[test]
fn a_rate_needs_a_rated_statute_and_no_fine_needs_an_optional_one() {
    assert_refused(
        &broken("fine = 100000", "rate = 2"),
        "needs a rated statutory fine",
    );
    assert_refused(
        &broken("fine = 100000", "measures = [\"停产整治\"]"),
        "no fine for",
    );
}

#[test]
fn citations_are_well_formed() {
    assert_refused(
        &broken(
            "law = \"中华人民共和国大气污染防治法\", article = 18",
            "law = \"《大气法》\", article = 18",
        ),
        "without 《》",
    );
    assert_refused(
        &broken("article = 99, item = 2", "article = 0, item = 2"),
        "start at 1",
    );
}

#[test]
fn toml_errors_name_the_line() {
    let p = check(&GOOD.replace("fine = 500000", "fine = \"lots\""));
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].file, "units/TST.toml");
    assert!(p[0].line >= 30, "{:?}", p[0]);
}

#[test]
fn a_measure_without_its_force_is_refused() {
    assert_refused(
        &broken(
            r#"measures = [{ name = "停产整治", force = "optional" }]"#,
            r#"measures = ["停产整治"]"#,
        ),
        "state its force",
    );
}

/// 行政处罚法 第二十八条, 第九条: a tier that drops a measure the article makes mandatory would
/// have the inspector issue an unlawful decision.
#[test]
fn a_tier_that_drops_a_mandatory_measure_is_refused() {
    assert_refused(
        &broken(r#"force = "optional""#, r#"force = "mandatory""#),
        "drops `停产整治`, which the article makes mandatory",
    );
}

#[test]
fn a_conditional_measure_needs_its_condition_as_facts_and_in_words() {
    let p = broken(r#"force = "optional""#, r#"force = "conditional""#);
    assert_refused(&p, "needs its condition as facts");
    let p = broken(
        r#"force = "optional" }"#,
        r#"force = "conditional", when = { times_over = { gte = 2 } } }"#,
    );
    assert_refused(&p, "state the article's condition in words");
}

/// 第二十八条第二款: confiscating gains needs the gains as a fact.
#[test]
fn confiscating_gains_needs_the_gains_fact() {
    let p = broken(
        r#"measures = [{ name = "停产整治", force = "optional" }]"#,
        r#"measures = [{ name = "停产整治", force = "optional" }, { name = "没收违法所得", force = "mandatory" }]"#,
    );
    assert_refused(&p, "declare the gains as the decimal fact `illegal_gains`");
}

/// 第三十三条第一款: 轻微 is a legal term; names and flags agree, and names are distinct.
#[test]
fn tier_names_agree_with_minor_and_do_not_repeat() {
    assert_refused(
        &broken(r#"name = "较轻""#, r#"name = "轻微""#),
        "named 轻微 exactly when it is `minor`",
    );
    assert_refused(
        &broken(r#"name = "严重""#, r#"name = "较轻""#),
        "another tier has the same name",
    );
}

/// Fines set apart (农户, the responsible persons) exist only where the article sets them, and
/// lie inside their own band.
#[test]
fn fines_set_apart_need_their_statutory_band() {
    assert_refused(
        &broken("fine = 100000", "fine = 100000\nfine_persons = 5000"),
        "fines 直接负责的主管人员和其他直接责任人员, but the statute sets no fine",
    );
    let with_band = GOOD.replacen(
        "fine = { kind = \"range\", min = 100000, max = 1000000 }",
        "fine = { kind = \"range\", min = 100000, max = 1000000 }\nfine_persons = { kind = \"range\", min = 10000, max = 100000 }",
        1,
    );
    let p = check(&with_band.replacen("fine = 100000", "fine = 100000\nfine_persons = 200000", 1));
    assert_refused(&p, "lies outside the statutory band 10000..100000");
}

/// 第二十九条 between matters: a second matter on the same violated provision under another
/// law's band must be declared; declared the same act, the lighter one may not fine below the
/// governing band's minimum.
#[test]
fn matters_on_one_act_under_different_bands_are_declared_and_the_higher_governs() {
    let second = r#"
[[matter]]
id = "TST-002"
name = "超标排放大气污染物（地方规定）"
category = "大气污染防治"
violated = { law = "中华人民共和国大气污染防治法", article = 18 }
penalty = { law = "浙江省大气污染防治条例", article = 60 }
note = "NOTE"
SAME
[matter.statutory]
fine = { kind = "range", min = 50000, max = 200000 }

[[matter.fact]]
key = "times_over"
label = "超标倍数"
type = "decimal"
unit = "倍"
required = true

[[matter.tier]]
name = "一般"
situation = "超标"
when = {}
fine = 60000
"#;
    let unit = |note: &str, same: &str| {
        format!(
            "{GOOD}\n{}",
            second.replace("NOTE", note).replace("SAME", same)
        )
    };
    assert_refused(
        &check(&unit("x", "")),
        "rests on the same violated provision as TST-002",
    );
    assert_refused(
        &check(&unit("x", r#"same_act_as = ["TST-001"]"#)),
        "the note must say which governs",
    );
    assert_refused(
        &check(&unit(
            "依第二十九条适用TST-001",
            r#"same_act_as = ["TST-001"]"#,
        )),
        "below 100000元, the minimum of TST-001, which governs the same act",
    );
    assert_eq!(
        check(&unit("不同情形", r#"distinct_from = ["TST-001"]"#)),
        vec![]
    );
}
