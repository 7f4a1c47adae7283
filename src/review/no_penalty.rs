//! Proposals with no penalty, and penalties where the law allows none: 不予行政处罚 where
//! 第三十条, 第三十一条, 第三十三条 or the time limit of 第三十六条 excludes a penalty, and the
//! first-offence waiver (首违不罚, 第三十三条第一款) where the agency may decide to give none.

use super::context::Act;
use super::{Direction, Finding, Verdict};
use crate::circumstances::{self, penalty_law};
use crate::engine::Outcome;

/// Where the standard is no penalty (time-barred, or excluded): a penalty proposed is
/// unlawful; none proposed conforms. Cites the articles that excluded it (not 第三十三条第三款,
/// which only asks for education).
pub(super) fn must_not_penalise(act: &Act) -> Finding {
    let r = act.standard;
    let time_barred = r.outcome == Outcome::TimeBarred;
    let why = if time_barred {
        format!(
            "违法行为发生于{}，至{}才被发现，已超过{}年追责期限",
            r.dates.act_end_date.unwrap_or(r.dates.act_date),
            r.dates
                .discovered_date
                .map_or(String::new(), |d| d.to_string()),
            r.dates.time_limit_years
        )
    } else {
        "依法应当不予行政处罚".to_string()
    };
    let basis: Vec<String> = r
        .legal_basis
        .iter()
        .filter(|b| {
            b.citation.law == circumstances::PENALTY_LAW
                && [30, 31, 33, 36].contains(&b.citation.article)
                && b.citation.paragraph != Some(3)
        })
        .map(|b| b.text.clone())
        .collect();
    if act.penalising() {
        Finding {
            code: if time_barred {
                "penalty_time_barred"
            } else {
                "penalty_excluded"
            },
            verdict: Verdict::Unlawful,
            direction: Some(Direction::Heavier),
            message: format!("{why}，不得给予行政处罚，但拟作出处罚。"),
            basis,
        }
    } else {
        Finding {
            code: "no_penalty_as_required",
            verdict: Verdict::Conforms,
            direction: None,
            message: format!("{why}，拟不予行政处罚，符合规定。"),
            basis,
        }
    }
}

/// Where the standard is a penalty and none is proposed: lawful only as a first-offence waiver
/// whose three conditions (初次违法, 危害后果轻微, 及时改正) the case has.
pub(super) fn first_offence(act: &Act) -> Finding {
    let r = act.standard;
    let art33 = penalty_law(33, Some(1), None).render();
    if r.no_penalty_possible {
        return Finding {
            code: "first_offense_waiver",
            verdict: Verdict::Conforms,
            direction: None,
            message: format!(
                "当事人初次违法、危害后果轻微并及时改正，可以不予行政处罚，拟不予处罚符合规定（{art33}）。"
            ),
            basis: vec![art33],
        };
    }
    let mut message = format!(
        "本案不具备不予行政处罚的法定情形，依{}应当给予处罚（基准：第{}阶次「{}」{}），拟不予处罚缺乏依据。",
        act.penalty_cite,
        r.tier.level,
        r.tier.name,
        r.fine
            .map(|b| format!("，罚款{}", b.render()))
            .unwrap_or_default()
    );
    if act.proposal.first_offense_waiver {
        message.push_str(&format!(
            "首违不罚须同时具备初次违法、危害后果轻微（或没有危害后果）和及时改正（{art33}）。"
        ));
    }
    Finding {
        code: "no_penalty_without_ground",
        verdict: Verdict::Unlawful,
        direction: Some(Direction::Lighter),
        message,
        basis: vec![act.penalty_cite.clone(), art33],
    }
}

/// A penalty proposed where the agency could have waived it: a reminder, not a deviation.
pub(super) fn first_offence_reminder(act: &Act) -> Option<Finding> {
    act.standard.no_penalty_possible.then(|| Finding {
        code: "no_penalty_possible",
        verdict: Verdict::Conforms,
        direction: None,
        message: format!(
            "提示：当事人初次违法、危害后果轻微并及时改正，依{}也可以不予行政处罚。",
            penalty_law(33, Some(1), None).render()
        ),
        basis: vec![penalty_law(33, Some(1), None).render()],
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::review::testing::{weigh, weigh_dated};

    fn fix2(party: &str, circumstances: &[&str], proposed: serde_json::Value) -> Finding {
        let w = weigh(
            party,
            json!({"matter_id": "FIX-002", "facts": {"area": "12"}}),
            circumstances,
            proposed,
        );
        let act = w.act();
        match act.standard.outcome {
            Outcome::Penalty => first_offence(&act),
            _ => must_not_penalise(&act),
        }
    }

    #[test]
    fn a_penalty_after_the_time_limit_is_unlawful_citing_article_36() {
        let w = weigh_dated(
            "organisation",
            json!({"matter_id": "FIX-002", "facts": {"area": "12"}}),
            &[],
            json!({"fine": "2000"}),
            "2024-09-01",
        );
        let f = must_not_penalise(&w.act());
        assert_eq!(
            (f.code, f.verdict, f.direction),
            (
                "penalty_time_barred",
                Verdict::Unlawful,
                Some(Direction::Heavier)
            )
        );
        assert_eq!(f.basis, ["《中华人民共和国行政处罚法》第三十六条第一款"]);
    }

    #[test]
    fn no_penalty_where_the_law_excludes_one_conforms_citing_the_ground_only() {
        let f = fix2("individual", &["under_14"], json!({"no_penalty": true}));
        assert_eq!(
            (f.code, f.verdict),
            ("no_penalty_as_required", Verdict::Conforms)
        );
        assert_eq!(f.basis, ["《中华人民共和国行政处罚法》第三十条"]);
        // A measure that is only an order to correct is no penalty either.
        let f = fix2(
            "individual",
            &["under_14"],
            json!({"measures": ["责令改正"]}),
        );
        assert_eq!(f.code, "no_penalty_as_required");
        let f = fix2("individual", &["no_fault"], json!({"measures": ["警告"]}));
        assert_eq!((f.code, f.verdict), ("penalty_excluded", Verdict::Unlawful));
    }

    #[test]
    fn the_first_offence_waiver_needs_its_three_conditions() {
        let all_three = ["first_offense", "corrected_promptly", "minor_harm"];
        let f = fix2(
            "organisation",
            &all_three,
            json!({"first_offense_waiver": true}),
        );
        assert_eq!(
            (f.code, f.verdict),
            ("first_offense_waiver", Verdict::Conforms)
        );

        let f = fix2(
            "organisation",
            &["first_offense", "minor_harm"],
            json!({"first_offense_waiver": true}),
        );
        assert_eq!(
            (f.code, f.verdict, f.direction),
            (
                "no_penalty_without_ground",
                Verdict::Unlawful,
                Some(Direction::Lighter)
            )
        );
        assert!(f.message.contains("首违不罚须同时具备"), "{}", f.message);
        // Without the waiver claimed the message does not explain it.
        let f = fix2("organisation", &[], json!({"no_penalty": true}));
        assert!(!f.message.contains("首违不罚"), "{}", f.message);
    }

    #[test]
    fn a_penalty_that_could_have_been_waived_gets_a_reminder() {
        let remind = |circumstances: &[&str]| {
            let w = weigh(
                "organisation",
                json!({"matter_id": "FIX-002", "facts": {"area": "12"}}),
                circumstances,
                json!({"fine": "2000"}),
            );
            first_offence_reminder(&w.act()).map(|f| (f.code, f.verdict))
        };
        assert_eq!(
            remind(&["first_offense", "corrected_promptly", "no_harm"]),
            Some(("no_penalty_possible", Verdict::Conforms))
        );
        assert_eq!(remind(&["first_offense", "no_harm"]), None);
    }
}
