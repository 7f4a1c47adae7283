//! Confiscation of illegal gains (行政处罚法 第二十八条第二款): 当事人有违法所得，除依法应当退赔
//! 的外，应当予以没收 — a duty, not a choice, where the act brought gains.

use super::context::Act;
use super::{Direction, Finding, Verdict};
use crate::circumstances::penalty_law;
use crate::money;

pub(super) const CONFISCATION: &str = "没收违法所得";

/// The finding for a standard measure the proposal omits, if that measure is confiscation and
/// the act had gains; `None` otherwise (the omission is then an ordinary departure).
pub(super) fn missing(act: &Act, omitted: &str) -> Option<Finding> {
    let gains = act.gains.filter(|_| omitted == CONFISCATION)?;
    let art28 = penalty_law(28, Some(2), None).render();
    Some(Finding {
        code: "confiscation_missing",
        verdict: Verdict::Unlawful,
        direction: Some(Direction::Lighter),
        message: format!(
            "当事人有违法所得{}，应当予以没收，拟处罚未没收违法所得（{art28}）。",
            money::render(gains)
        ),
        basis: vec![art28, act.penalty_cite.clone()],
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::review::testing::{Weighed, weigh};

    fn fix3(gains: &str) -> Weighed {
        weigh(
            "organisation",
            json!({"matter_id": "FIX-003", "facts": {"illegal_gains": gains}}),
            &[],
            json!({"fine": "50000"}),
        )
    }

    #[test]
    fn omitting_confiscation_of_actual_gains_is_unlawful() {
        let w = fix3("1200.5");
        let f = missing(&w.act(), CONFISCATION).expect("unlawful");
        assert_eq!(
            (f.code, f.verdict, f.direction),
            (
                "confiscation_missing",
                Verdict::Unlawful,
                Some(Direction::Lighter)
            )
        );
        assert!(f.message.contains("违法所得1200.50元"), "{}", f.message);
        assert_eq!(f.basis[0], "《中华人民共和国行政处罚法》第二十八条第二款");
    }

    #[test]
    fn other_measures_and_nil_gains_are_not_this_rule() {
        assert!(missing(&fix3("1200").act(), "没收非法财物").is_none());
        assert!(missing(&fix3("0").act(), CONFISCATION).is_none());
    }
}
