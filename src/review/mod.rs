//! Case review (法制审核, 行政处罚法 第五十八条): a proposed decision checked against the
//! standard. Pure: the engine computes the standard for each act; this module compares the
//! proposal with it and with the statutory band, and explains every finding with its article.
//!
//! Verdicts, worst first: `unlawful` (outside what the law allows), `deviates` (lawful but
//! outside the published standard: a written reason is required), `conforms`.

//!
//! [`review`] reviews each act: [`governing`] calculates the standard under every provision the
//! act violates and picks the one that governs (第二十九条); the findings then weigh the
//! proposal against it: [`no_penalty`] (第三十条, 第三十一条, 第三十三条, 第三十六条; 首违不罚,
//! 第三十三条第一款), [`fine`] (the statutory band, 第三十八条, 第三十二条; the standard,
//! 第三十四条), [`measures`] and [`confiscation`] (第二十八条第二款). [`parse`] reads a case.

mod confiscation;
pub(crate) use context::lighter;
mod context;
mod fine;
mod governing;
mod measures;
mod no_penalty;
mod parse;
#[cfg(test)]
mod testing;

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::circumstances::penalty_law;
use crate::engine::{LegalBasis, Outcome, TierRef};
use crate::request::CalcError;
use crate::standards::{Band, Party, StandardsSet};
use context::Act;

/// Most acts in one case, and most provisions one act may be said to violate.
pub const MAX_ACTS: usize = 20;
pub const MAX_ALSO: usize = 5;
/// Measures that are orders to put things right, not penalties (第二十八条): always allowed.
const CORRECTIVE: [&str; 4] = ["责令改正", "责令限期改正", "责令停止违法行为", "限期改正"];

/// The decision proposed for one act.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Proposal {
    /// The fine in yuan (absent or "0": no fine): a decimal string with at most two places, or
    /// a JSON number; in answers always a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = fine_schema, example = "5000")]
    pub fine: Option<Decimal>,
    /// Other measures, named as the matter lists them (GET /api/v1/matters/{id}); at most 50.
    #[serde(default)]
    #[schema(nullable, max_items = 50)]
    pub measures: Vec<String>,
    /// 不予行政处罚 is proposed.
    #[serde(default)]
    #[schema(nullable)]
    pub no_penalty: bool,
    /// The no-penalty proposal rests on 第三十三条第一款 (首违不罚).
    #[serde(default)]
    #[schema(nullable)]
    pub first_offense_waiver: bool,
}

/// Another provision the same act violates (行政处罚法 第二十九条).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AlsoViolates {
    #[schema(max_length = 40, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub matter_id: String,
    #[serde(default)]
    #[schema(schema_with = crate::request::facts_schema)]
    pub facts: Map<String, Value>,
}

/// One act of the case.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ReviewAct {
    #[schema(max_length = 40, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub matter_id: String,
    #[serde(default)]
    #[schema(schema_with = crate::request::facts_schema)]
    pub facts: Map<String, Value>,
    /// Other provisions this same act violates: one fine only, under the higher (第二十九条);
    /// at most 5.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(nullable, max_items = 5)]
    pub also_violates: Vec<AlsoViolates>,
    /// When this act happened, if not the case's `act_date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^(199[0-9]|[2-9][0-9]{3})-")]
    pub act_date: Option<NaiveDate>,
    /// The end of a continuing act (第三十六条第二款).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^(199[0-9]|[2-9][0-9]{3})-")]
    pub act_end_date: Option<NaiveDate>,
    /// The decision for this act; required when the case has several acts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed: Option<Proposal>,
    /// Why the proposal departs from the standard, for this act (else the case's `reason`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2000, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub reason: Option<String>,
}

/// A case as the reviewer receives it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[schema(example = json!({
    "case_ref": "龙综执罚〔2026〕118号",
    "party": "organisation",
    "inspector": "张三",
    "act_date": "2026-10-01",
    "discovered_date": "2026-10-15",
    "decision_date": "2026-11-20",
    "circumstances": [],
    "acts": [{"matter_id": "STHJ-001", "facts": {"refusal_form": "refused"}}],
    "proposed": {"fine": "150000", "measures": [], "no_penalty": false},
    "reason": ""
}))]
pub struct ReviewCase {
    /// The case file number (at most 100 characters, not blank, no control character).
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub case_ref: String,
    /// Also accepted: the Chinese names (公民, 个体工商户, 农户, 法人或者其他组织, 国家机关).
    pub party: Party,
    /// The inspector who proposed the decision (承办人), for the deviation statistics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 50, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub inspector: Option<String>,
    /// The day of the act; may be left out when every act gives its own (the earliest is
    /// taken). Required in answers.
    #[schema(pattern = r"^(199[0-9]|[2-9][0-9]{3})-", required = false)]
    pub act_date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^(199[0-9]|[2-9][0-9]{3})-")]
    pub discovered_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^(199[0-9]|[2-9][0-9]{3})-")]
    pub decision_date: Option<NaiveDate>,
    #[serde(default)]
    #[schema(schema_with = crate::circumstances::codes_schema)]
    pub circumstances: Vec<String>,
    /// 1 to 20 acts.
    #[schema(min_items = 1, max_items = 20)]
    pub acts: Vec<ReviewAct>,
    /// The decision, for a case with one act.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed: Option<Proposal>,
    /// Why the proposal departs from the standard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2000, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub reason: Option<String>,
}

/// A proposed fine as a request may give it: a decimal string or a number (null: none).
fn fine_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([
            Type::String,
            Type::Number,
            Type::Null,
        ]))
        .build()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 符合裁量基准
    Conforms,
    /// 合法但偏离裁量基准
    Deviates,
    /// 超出法定范围
    Unlawful,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Conforms => "conforms",
            Verdict::Deviates => "deviates",
            Verdict::Unlawful => "unlawful",
        }
    }
    /// In Chinese, as the explanation and the verdicts file say it.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Conforms => "符合裁量基准",
            Verdict::Deviates => "偏离裁量基准",
            Verdict::Unlawful => "不合法",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Heavier,
    Lighter,
    /// Heavier in one respect, lighter in another.
    Mixed,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Heavier => "heavier",
            Direction::Lighter => "lighter",
            Direction::Mixed => "mixed",
        }
    }
}

/// One thing the review found, with its article.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Finding {
    /// Machine code, e.g. `fine_above_standard`, `fine_above_statutory`, `measure_not_allowed`.
    pub code: &'static str,
    pub verdict: Verdict,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// In Chinese.
    pub message: String,
    /// The articles involved, rendered.
    pub basis: Vec<String>,
}

/// How far the proposed fine lies from the standard.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct FineDeviation {
    /// Proposed minus the nearest bound of the standard band (positive: heavier), in yuan.
    #[schema(value_type = String, example = "2000.00")]
    pub amount: Decimal,
    /// `amount` as a per cent of that bound, two places (absent when the bound is 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "33.33")]
    pub percent: Option<Decimal>,
}

/// A provision considered for an act that violates several (第二十九条).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Candidate {
    pub matter_id: String,
    pub matter_name: String,
    /// `《…》第…条…`
    pub penalty: String,
    pub statutory_fine: Option<Band>,
}

/// Which provision governs an act that violates several, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Governing {
    pub matter_id: String,
    pub considered: Vec<Candidate>,
    /// In Chinese, with 第二十九条.
    pub reason: String,
}

/// What the standard gives for the act.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StandardSummary {
    pub outcome: Outcome,
    pub no_penalty_possible: bool,
    pub tier: TierRef,
    pub fine: Option<Band>,
    pub statutory_fine: Option<Band>,
    pub measures: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActReview {
    /// 1-based, in the order given.
    pub act: usize,
    /// The standards version the act was judged by (第三十七条).
    pub standards_version: String,
    /// The unit of the matter the act was charged under (the first given): the review is
    /// filed under it, whichever matter governs (issue 15).
    pub unit: String,
    /// The governing matter.
    pub matter_id: String,
    pub matter_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub governing: Option<Governing>,
    pub verdict: Verdict,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fine_deviation: Option<FineDeviation>,
    /// Deviates and no written reason was given.
    pub reason_required: bool,
    pub proposed: Proposal,
    pub standard: StandardSummary,
    pub findings: Vec<Finding>,
    pub legal_basis: Vec<LegalBasis>,
}

/// The review of one case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseReview {
    pub case_ref: String,
    pub party: Party,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inspector: Option<String>,
    pub standards_version: String,
    /// The worst verdict of its acts.
    pub verdict: Verdict,
    pub reason_required: bool,
    pub acts: Vec<ActReview>,
    /// In Chinese: one line per act and a conclusion.
    pub explanation: Vec<String>,
}

/// The standards an act may be judged by: the set in force on its date and, where another one
/// is in force on the decision date, that one too (行政处罚法 第三十七条). One set is its own.
pub trait Standards {
    fn for_act(
        &self,
        act_date: NaiveDate,
        decision_date: NaiveDate,
    ) -> (&StandardsSet, Option<&StandardsSet>);
}

impl Standards for StandardsSet {
    fn for_act(&self, _: NaiveDate, _: NaiveDate) -> (&StandardsSet, Option<&StandardsSet>) {
        (self, None)
    }
}

/// Reviews a case. `today` bounds the dates, as for a calculation.
pub fn review(
    standards: &dyn Standards,
    case: &ReviewCase,
    today: NaiveDate,
) -> Result<CaseReview, CalcError> {
    let mut acts = Vec::with_capacity(case.acts.len());
    for (i, act) in case.acts.iter().enumerate() {
        acts.push(review_act(standards, case, i, act, today)?);
    }
    let verdict = acts
        .iter()
        .map(|a| a.verdict)
        .max()
        .unwrap_or(Verdict::Conforms);
    let reason_required = acts.iter().any(|a| a.reason_required);
    let mut explanation: Vec<String> = acts
        .iter()
        .map(|a| {
            format!(
                "行为{}（{}「{}」）：{}。",
                a.act,
                a.matter_id,
                a.matter_name,
                a.verdict.label()
            )
        })
        .collect();
    let mut conclusion = format!("审核结论：{}。", verdict.label());
    if acts.len() > 1 {
        conclusion.push_str("本案各违法行为分别裁量，合并处罚。");
    }
    if reason_required {
        conclusion.push_str("拟作出的处罚偏离依《中华人民共和国行政处罚法》第三十四条公布的裁量基准而未说明理由；依本基准的适用规则，应当在案卷中写明理由。");
    }
    if verdict == Verdict::Unlawful {
        conclusion
            .push_str("审核不通过，不得作出决定（《中华人民共和国行政处罚法》第五十八条第一款）。");
    }
    explanation.push(conclusion);
    Ok(CaseReview {
        case_ref: case.case_ref.clone(),
        party: case.party,
        inspector: case.inspector.clone(),
        standards_version: acts[0].standards_version.clone(),
        verdict,
        reason_required,
        acts,
        explanation,
    })
}

/// The provisions of one act under the version in force on its date, or under the one in force
/// on the decision date where that one is lighter for the governing provision (第三十七条).
fn version_for_act<'s>(
    standards: &'s dyn Standards,
    case: &ReviewCase,
    i: usize,
    act: &ReviewAct,
    today: NaiveDate,
) -> Result<(&'s StandardsSet, governing::Provisions), CalcError> {
    // A continuing act is judged as of its end (第三十七条 with 第三十六条第二款).
    let act_date = act
        .act_end_date
        .unwrap_or(act.act_date.unwrap_or(case.act_date));
    let (old, new) = standards.for_act(act_date, case.decision_date.unwrap_or(today));
    let at_act = governing::calculate(old, case, i, act, today)?;
    if let Some(new) = new
        && let Ok(at_decision) = governing::calculate(new, case, i, act, today)
        && lighter(
            &at_decision.results[at_decision.governing],
            &at_act.results[at_act.governing],
        )
    {
        return Ok((new, at_decision));
    }
    Ok((old, at_act))
}

/// One act: the provisions it violates and which governs (第二十九条), then the findings on the
/// proposal against that provision's standard, then the act's verdict.
fn review_act(
    standards: &dyn Standards,
    case: &ReviewCase,
    i: usize,
    act: &ReviewAct,
    today: NaiveDate,
) -> Result<ActReview, CalcError> {
    let (set, provisions) = version_for_act(standards, case, i, act, today)?;
    let governing = governing::explain(&provisions);
    let proposal = act
        .proposed
        .clone()
        .or_else(|| case.proposed.clone())
        .unwrap_or_default();
    let reason_given = act
        .reason
        .as_deref()
        .or(case.reason.as_deref())
        .is_some_and(|s| !s.trim().is_empty());
    let weighed = Act::new(set, case, &provisions, &proposal);
    let (mut findings, fine_deviation) = findings(&weighed);
    if let Some(gv) = &governing {
        findings.insert(0, governing::finding(gv));
    }
    let (verdict, direction) = verdict_of(&findings);
    let reason_required = verdict == Verdict::Deviates && !reason_given;
    if reason_required {
        findings.push(Finding {
            code: "reason_required",
            verdict: Verdict::Deviates,
            direction: None,
            message: "偏离裁量基准而未说明理由：依本基准的适用规则，应当在案卷中写明偏离的事实和理由（第三十四条规定裁量基准的制定和公布，不直接规定说明理由）。".into(),
            basis: vec![penalty_law(34, None, None).render()],
        });
    }
    let r = weighed.standard;
    let unit = set
        .matter(&act.matter_id)
        .map_or_else(|| r.matter_id.clone(), |m| m.unit.clone());
    Ok(ActReview {
        act: i + 1,
        unit,
        standards_version: set.version.clone(),
        matter_id: r.matter_id.clone(),
        matter_name: r.matter_name.clone(),
        governing,
        verdict,
        direction,
        fine_deviation,
        reason_required,
        standard: StandardSummary {
            outcome: r.outcome,
            no_penalty_possible: r.no_penalty_possible,
            tier: r.tier.clone(),
            fine: r.fine,
            statutory_fine: r.statutory_fine,
            measures: r.measures.clone(),
        },
        findings,
        legal_basis: r.legal_basis.clone(),
        proposed: proposal,
    })
}

/// The steps, as the standard's outcome calls for them.
fn findings(act: &Act) -> (Vec<Finding>, Option<FineDeviation>) {
    match act.standard.outcome {
        Outcome::TimeBarred | Outcome::NoPenalty => {
            (vec![no_penalty::must_not_penalise(act)], None)
        }
        Outcome::Penalty if !act.penalising() => (vec![no_penalty::first_offence(act)], None),
        Outcome::Penalty => penalty_findings(act),
    }
}

/// A penalty proposed where the standard gives one: the fine, the measures, and the reminder
/// that the penalty could have been waived.
fn penalty_findings(act: &Act) -> (Vec<Finding>, Option<FineDeviation>) {
    let (mut findings, fine_deviation) = match fine::against_statute(act) {
        Some(unlawful) => (vec![unlawful], None),
        None => {
            let (finding, deviation) = fine::against_standard(act);
            (vec![finding], deviation)
        }
    };
    findings.extend(measures::not_allowed(act));
    findings.extend(measures::missing(act));
    let fine_lighter = fine_deviation.is_some_and(|d| d.amount < Decimal::ZERO);
    findings.extend(measures::added(act, fine_lighter));
    findings.extend(no_penalty::first_offence_reminder(act));
    (findings, fine_deviation)
}

/// The worst verdict of the findings, and which way the findings of that verdict lean.
fn verdict_of(findings: &[Finding]) -> (Verdict, Option<Direction>) {
    let verdict = findings
        .iter()
        .map(|f| f.verdict)
        .max()
        .unwrap_or(Verdict::Conforms);
    let directions: BTreeSet<&str> = findings
        .iter()
        .filter(|f| f.verdict == verdict && verdict != Verdict::Conforms)
        .filter_map(|f| f.direction.map(Direction::as_str))
        .collect();
    let direction = match (
        directions.contains("heavier"),
        directions.contains("lighter"),
    ) {
        (true, true) => Some(Direction::Mixed),
        (true, false) => Some(Direction::Heavier),
        (false, true) => Some(Direction::Lighter),
        _ => None,
    };
    (verdict, direction)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(verdict: Verdict, direction: Option<Direction>) -> Finding {
        Finding {
            code: "test",
            verdict,
            direction,
            message: String::new(),
            basis: vec![],
        }
    }

    #[test]
    fn the_act_takes_its_worst_verdict_and_only_that_verdicts_directions() {
        use Direction::{Heavier, Lighter};
        let found = [
            finding(Verdict::Conforms, None),
            finding(Verdict::Deviates, Some(Heavier)),
            finding(Verdict::Unlawful, Some(Lighter)),
        ];
        assert_eq!(verdict_of(&found), (Verdict::Unlawful, Some(Lighter)));
        let found = [
            finding(Verdict::Deviates, Some(Heavier)),
            finding(Verdict::Deviates, Some(Lighter)),
        ];
        assert_eq!(
            verdict_of(&found),
            (Verdict::Deviates, Some(Direction::Mixed))
        );
        // Conforming findings have no direction to report.
        let found = [finding(Verdict::Conforms, Some(Heavier))];
        assert_eq!(verdict_of(&found), (Verdict::Conforms, None));
        assert_eq!(verdict_of(&[]), (Verdict::Conforms, None));
    }
}
