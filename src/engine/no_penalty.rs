//! 不予行政处罚: the grounds on which no penalty is given, and the one on which the agency may
//! decide to give none (行政处罚法 第三十条, 第三十一条, 第三十三条). Whoever is not punished
//! is still to be educated (第三十三条第三款).

use super::BasisRole;
use super::context::{Case, Draft};
use crate::circumstances::penalty_law;
use crate::standards::Tier;

/// A circumstance that excludes a penalty on its own.
pub(super) struct OwnGround {
    circumstance: &'static str,
    article: u32,
    paragraph: Option<u32>,
    rule: &'static str,
    /// The order to the guardian the article adds.
    guardian_order: Option<&'static str>,
}

/// In the order they are checked: the first that holds is the one reported.
const OWN_GROUNDS: [OwnGround; 3] = [
    OwnGround {
        circumstance: "under_14",
        article: 30,
        paragraph: None,
        rule: "不满十四周岁的未成年人有违法行为的，不予行政处罚",
        guardian_order: Some("责令监护人加以管教"),
    },
    OwnGround {
        circumstance: "mental_incapacity",
        article: 31,
        paragraph: None,
        rule: "精神病人、智力残疾人在不能辨认或者不能控制自己行为时有违法行为的，不予行政处罚",
        guardian_order: Some("责令监护人严加看管和治疗"),
    },
    OwnGround {
        circumstance: "no_fault",
        article: 33,
        paragraph: Some(2),
        rule: "当事人有证据足以证明没有主观过错的，不予行政处罚",
        guardian_order: None,
    },
];

/// 第三十条 (under fourteen), 第三十一条 (mental incapacity at the time), 第三十三条第二款 (no
/// fault proven): whichever of them the case has, whatever the tier.
pub(super) fn own_ground(case: &Case) -> Option<&'static OwnGround> {
    OWN_GROUNDS.iter().find(|g| case.has(g.circumstance))
}

pub(super) fn apply_own_ground(ground: &OwnGround, draft: &mut Draft) {
    let article = penalty_law(ground.article, ground.paragraph, None);
    draft.cite(BasisRole::Discretion, article.clone());
    draft.cite(BasisRole::Discretion, penalty_law(33, Some(3), None));
    draft.explanation.push(format!(
        "{}（{}）；应当对当事人进行教育。",
        ground.rule,
        article.render()
    ));
    if let Some(order) = ground.guardian_order {
        draft.measures.push(order.to_string());
    }
}

/// 第三十三条第一款, first sentence: 违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚.
/// 轻微 is a judgement on the act: the inspector states it (`minor_act`), or the standard's
/// tier is 轻微 by definition (`minor`).
pub(super) fn minor_corrected_harmless(case: &Case, tier: &Tier) -> bool {
    is_minor(case, tier) && case.has("corrected_promptly") && case.has("no_harm")
}

fn is_minor(case: &Case, tier: &Tier) -> bool {
    tier.minor || case.has("minor_act")
}

pub(super) fn apply_minor_corrected_harmless(tier: &Tier, draft: &mut Draft) {
    let art33_1 = penalty_law(33, Some(1), None);
    draft.cite(BasisRole::Discretion, art33_1.clone());
    draft.cite(BasisRole::Discretion, penalty_law(33, Some(3), None));
    let why = if tier.minor {
        "所在阶次属违法行为轻微"
    } else {
        "执法人员认定违法行为轻微"
    };
    draft.explanation.push(format!(
        "{why}，当事人及时改正且没有造成危害后果，依{}不予行政处罚，并对当事人进行教育。",
        art33_1.render()
    ));
}

/// The 第三十三条 conditions the case states that change nothing, and why: each sentence of
/// the article needs all of its conditions.
pub(super) fn explain_unmet(case: &Case, tier: &Tier, draft: &mut Draft) {
    let stated: Vec<&str> = [
        "minor_act",
        "corrected_promptly",
        "no_harm",
        "first_offense",
        "minor_harm",
    ]
    .into_iter()
    .filter(|c| case.has(c))
    .collect();
    if stated.is_empty() {
        return;
    }
    let mut missing = Vec::new();
    if !is_minor(case, tier) {
        missing.push("违法行为轻微");
    }
    if !case.has("corrected_promptly") {
        missing.push("及时改正");
    }
    if !case.has("no_harm") {
        missing.push("没有造成危害后果");
    }
    let first_missing: Vec<&str> = [
        (!case.has("first_offense")).then_some("初次违法"),
        (!case.has("corrected_promptly")).then_some("及时改正"),
        (!(case.has("minor_harm") || case.has("no_harm"))).then_some("危害后果轻微"),
    ]
    .into_iter()
    .flatten()
    .collect();
    draft.explanation.push(format!(
        "{}第一句（不予处罚）还需：{}；第二句（首违可以不罚）还需：{}。",
        penalty_law(33, Some(1), None).render(),
        missing.join("、"),
        first_missing.join("、")
    ));
}

/// 第三十三条第一款, second sentence (首违不罚): 初次违法且危害后果轻微并及时改正的，可以不予
/// 行政处罚. "可以": the standard penalty is still given, with the note. No harm at all is
/// taken as the slightest of consequences.
pub(super) fn first_offence_waivable(case: &Case) -> bool {
    case.has("first_offense")
        && case.has("corrected_promptly")
        && (case.has("minor_harm") || case.has("no_harm"))
}

pub(super) fn note_first_offence_waiver(draft: &mut Draft) {
    let art33_1 = penalty_law(33, Some(1), None);
    draft.no_penalty_possible = true;
    draft.cite(BasisRole::Discretion, art33_1.clone());
    draft.explanation.push(format!(
        "当事人初次违法、危害后果轻微并及时改正，依{}可以不予行政处罚；如决定处罚，适用以下标准。",
        art33_1.render()
    ));
}

/// 第二十七条第一款: 违法行为涉嫌犯罪的，行政机关应当及时将案件移送司法机关 — where the facts
/// reach the threshold the matter states. The standard is still reported: what remains for the
/// agency after the courts (罚款折抵, 第三十五条) starts from it.
pub(super) fn refer_if_criminal(case: &Case, draft: &mut Draft) {
    let Some(r) = &case.matter.referral else {
        return;
    };
    if !r.holds(&case.facts) {
        return;
    }
    let art27 = penalty_law(27, Some(1), None);
    draft.cite(BasisRole::Discretion, art27.clone());
    draft.explanation.push(format!(
        "案件事实达到{}，涉嫌犯罪，应当及时将案件移送司法机关，依法追究刑事责任（{}）；以下为不予追究刑事责任时的行政处罚标准。",
        r.condition,
        art27.render()
    ));
    draft.criminal_referral = true;
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::engine::testing::{case, cited, draft};
    use crate::engine::tier;
    use crate::standards::Party;

    fn person(circumstances: &[&str]) -> Case<'static> {
        case(
            "FIX-002",
            Party::Individual,
            json!({"area": "60"}),
            circumstances,
        )
    }

    #[test]
    fn each_own_ground_names_its_article_and_orders_the_guardian() {
        let ground = own_ground(&person(&["under_14"])).expect("第三十条");
        let c = person(&[]);
        let mut d = draft(&c);
        apply_own_ground(ground, &mut d);
        assert_eq!(
            cited(&d),
            [
                "《中华人民共和国行政处罚法》第三十条",
                "《中华人民共和国行政处罚法》第三十三条第三款"
            ]
        );
        assert_eq!(d.measures, ["责令监护人加以管教"]);

        let ground = own_ground(&person(&["mental_incapacity"])).expect("第三十一条");
        assert_eq!(
            (ground.article, ground.guardian_order.is_some()),
            (31, true)
        );
        let ground = own_ground(&person(&["no_fault"])).expect("第三十三条第二款");
        assert_eq!((ground.article, ground.paragraph), (33, Some(2)));
        assert!(ground.guardian_order.is_none());
    }

    #[test]
    fn mitigating_circumstances_are_no_ground_and_the_first_ground_listed_wins() {
        assert!(own_ground(&person(&["age_14_to_18", "partial_incapacity"])).is_none());
        let both = own_ground(&person(&["no_fault", "under_14"])).expect("a ground");
        assert_eq!(both.circumstance, "under_14");
    }

    #[test]
    fn minor_corrected_and_harmless_needs_all_three() {
        let at = |area: &str, circumstances: &[&str]| {
            let c = case(
                "FIX-002",
                Party::Organisation,
                json!({ "area": area }),
                circumstances,
            );
            let (t, _) = tier::select(&c);
            minor_corrected_harmless(&c, t)
        };
        // Tier 1 (under 10 square metres) is the minor one.
        assert!(at("5", &["corrected_promptly", "no_harm"]));
        assert!(!at("10", &["corrected_promptly", "no_harm"]));
        assert!(!at("5", &["corrected_promptly", "minor_harm"]));
        assert!(!at("5", &["no_harm"]));
    }

    #[test]
    fn the_first_offence_waiver_needs_first_offence_correction_and_little_harm() {
        assert!(first_offence_waivable(&person(&[
            "first_offense",
            "corrected_promptly",
            "minor_harm"
        ])));
        assert!(first_offence_waivable(&person(&[
            "first_offense",
            "corrected_promptly",
            "no_harm"
        ])));
        assert!(!first_offence_waivable(&person(&[
            "first_offense",
            "minor_harm"
        ])));
        assert!(!first_offence_waivable(&person(&[
            "corrected_promptly",
            "minor_harm"
        ])));
        assert!(!first_offence_waivable(&person(&[
            "first_offense",
            "corrected_promptly"
        ])));

        let c = person(&[]);
        let mut d = draft(&c);
        note_first_offence_waiver(&mut d);
        assert!(d.no_penalty_possible);
        assert_eq!(cited(&d), ["《中华人民共和国行政处罚法》第三十三条第一款"]);
    }

    /// 第二十七条第一款: facts at the matter's criminal threshold send the case to the courts.
    #[test]
    fn facts_at_the_criminal_threshold_are_referred() {
        let referred = |value: &str| {
            let c = case(
                "FIX-012",
                Party::Organisation,
                json!({"goods_value": value}),
                &[],
            );
            let mut d = draft(&c);
            refer_if_criminal(&c, &mut d);
            (d.criminal_referral, cited(&d))
        };
        assert_eq!(
            referred("50000"),
            (
                true,
                vec!["《中华人民共和国行政处罚法》第二十七条第一款".to_string()]
            )
        );
        assert_eq!(referred("49999.99"), (false, vec![]));
    }
}
