//! For the steps' tests: one act on the fixture standards, calculated as `review_act` does, so
//! a step can be run on it alone.

use serde_json::{Value, json};

use super::context::Act;
use super::governing::{self, Provisions};
use super::{Proposal, ReviewCase};
use crate::engine::testing::{FIXTURES, day};

/// A one-act case and its provisions, calculated.
pub(super) struct Weighed {
    pub case: ReviewCase,
    pub provisions: Provisions,
    pub proposal: Proposal,
}

impl Weighed {
    pub fn act(&self) -> Act<'_> {
        Act::new(&FIXTURES, &self.case, &self.provisions, &self.proposal)
    }
}

/// The act `act` (matter_id, facts, also_violates…) of a case acted 2026-09-01, discovered
/// 2026-09-10 and decided 2026-11-20, with the proposal given.
pub(super) fn weigh(party: &str, act: Value, circumstances: &[&str], proposed: Value) -> Weighed {
    weigh_dated(party, act, circumstances, proposed, "2026-09-01")
}

pub(super) fn weigh_dated(
    party: &str,
    act: Value,
    circumstances: &[&str],
    proposed: Value,
    act_date: &str,
) -> Weighed {
    let case = ReviewCase::from_json(&json!({
        "case_ref": "测试〔2026〕1号",
        "party": party,
        "act_date": act_date,
        "discovered_date": "2026-09-10",
        "decision_date": "2026-11-20",
        "circumstances": circumstances,
        "acts": [act],
        "proposed": proposed,
    }))
    .expect("case parses");
    let provisions = governing::calculate(&FIXTURES, &case, 0, &case.acts[0], day("2026-11-22"))
        .expect("calculates");
    let proposal = case.proposed.clone().expect("proposal given");
    Weighed {
        case,
        provisions,
        proposal,
    }
}
