//! The circumstances the inspector stated that changed nothing, each with the reason, so that
//! the answer says everything that decided it (issue 16): a 第三十三条 condition whose sentence
//! lacks its other conditions, a policy ground that may not offset a legal one, any ground
//! once the outcome is no penalty or the time limit has run.

use serde::Serialize;
use utoipa::ToSchema;

use super::context::{Case, Draft};
use super::{AdjustmentKind, Outcome};
use crate::circumstances::{self, Effect};

/// A stated circumstance that did not change the answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WithoutEffect {
    pub code: String,
    /// 情节, as published.
    pub name: String,
    /// Why it changed nothing, in Chinese.
    pub reason: String,
}

/// The stated circumstances no step of the calculation used, in code order.
pub(super) fn list(case: &Case, draft: &Draft, outcome: Outcome) -> Vec<WithoutEffect> {
    let adjusted = |code: &str| {
        draft
            .adjustments
            .iter()
            .any(|a| a.circumstances.iter().any(|c| c == code))
    };
    let offset = draft
        .adjustments
        .iter()
        .any(|a| a.kind == AdjustmentKind::Offset);
    let mitigated = case
        .circumstances
        .iter()
        .any(|c| circumstances::find(c).is_some_and(|c| c.effect == Effect::Mitigating));
    case.circumstances
        .iter()
        .filter_map(|code| circumstances::find(code))
        .filter(|c| !adjusted(c.code) && !used_for_outcome(case, draft, outcome, c.effect))
        .map(|c| {
            let reason = match (outcome, c.effect) {
                (Outcome::TimeBarred, _) => "已超过追责时效，不再给予行政处罚，此情节不影响结果。",
                (Outcome::NoPenalty, _) => "已依法不予行政处罚，此情节不影响结果。",
                (_, Effect::Article33Condition) => {
                    "行政处罚法第三十三条第一款的条件未齐备（所缺条件见说明），此情节不单独减免处罚。"
                }
                (_, Effect::Aggravating) if c.policy && mitigated && !offset => {
                    "属本基准自设的从重规则，不得抵消法定从轻或者减轻情节，不予适用。"
                }
                _ => "此情节未改变本案的处罚。",
            };
            WithoutEffect {
                code: c.code.to_string(),
                name: c.label.to_string(),
                reason: reason.to_string(),
            }
        })
        .collect()
}

/// Whether a circumstance of this effect is what decided the outcome: the ground of a no
/// penalty, a condition of a 首违可不罚 that holds, or a longer time limit.
fn used_for_outcome(case: &Case, draft: &Draft, outcome: Outcome, effect: Effect) -> bool {
    match effect {
        Effect::ExtendsTimeLimit => true,
        Effect::NoPenalty => outcome == Outcome::NoPenalty,
        Effect::Article33Condition => {
            (outcome == Outcome::NoPenalty
                && !case
                    .circumstances
                    .iter()
                    .any(|c| circumstances::find(c).is_some_and(|c| c.effect == Effect::NoPenalty)))
                || draft.no_penalty_possible
        }
        Effect::Mitigating | Effect::Aggravating => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::engine::testing::case;
    use crate::standards::Party;

    fn without_effect(circumstances: &[&str]) -> Vec<(String, String)> {
        let c = case(
            "FIX-002",
            Party::Organisation,
            json!({"area": "20"}),
            circumstances,
        );
        crate::engine::evaluate(&c)
            .circumstances_without_effect
            .into_iter()
            .map(|w| (w.code, w.reason))
            .collect()
    }

    #[test]
    fn article_33_conditions_short_of_their_sentence_change_nothing_and_say_why() {
        let w = without_effect(&["first_offense", "corrected_promptly"]);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(
            w.iter()
                .all(|(_, r)| r.contains("第三十三条第一款的条件未齐备"))
        );
        // With 危害后果轻微 too, 首违可不罚 holds: they all count.
        assert!(without_effect(&["first_offense", "corrected_promptly", "minor_harm"]).is_empty());
    }

    #[test]
    fn grounds_that_moved_the_fine_are_not_listed() {
        assert!(without_effect(&["confessed"]).is_empty());
        assert!(
            without_effect(&["confessed", "emergency_violation"]).is_empty(),
            "offset: both used"
        );
    }

    #[test]
    fn a_policy_ground_against_a_legal_one_is_listed_with_its_reason() {
        let w = without_effect(&["confessed", "repeat_offense"]);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].0, "repeat_offense");
        assert!(w[0].1.contains("不得抵消法定从轻"), "{w:?}");
    }

    #[test]
    fn every_ground_is_listed_once_no_penalty_is_decided() {
        let w = without_effect(&["under_14", "confessed"]);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].0, "confessed");
        assert!(w[0].1.contains("不予行政处罚"));
    }
}
