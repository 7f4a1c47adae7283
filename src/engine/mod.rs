//! The calculation engine: a matter, a party, facts, circumstances and dates in; the standard
//! tier, the fine, the measures, the general rules applied and their articles out.
//! Pure functions; the caller supplies "today".
//!
//! [`calculate`] admits the request ([`admission`]), then runs the legal steps in the order the
//! law applies them, one module each: the tier ([`tier`]) and its bands ([`band`]), the time
//! limit ([`time_limit`], 第三十六条), the grounds for no penalty ([`no_penalty`], 第三十条,
//! 第三十一条, 第三十三条), 从轻/减轻/从重 ([`adjustment`], 第三十二条 and the set's policy), the
//! measures ([`measures`], 第二十八条) and the procedure ([`procedure`], 第五十一条, 第六十三条).

mod adjustment;
mod admission;
mod band;
mod context;
mod measures;
mod no_penalty;
mod procedure;
#[cfg(test)]
pub(crate) mod testing;
mod tier;
mod time_limit;
pub use time_limit::{FIVE_YEARS, limit_ends};
mod unused;

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::request::{CalcError, Fields};
use crate::standards::*;
use context::{Case, Draft, Standard};

/// A calculation request, as the API and the command line receive it.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[schema(example = json!({
    "matter_id": "STHJ-001",
    "party": "organisation",
    "facts": {"refusal_form": "delayed", "delay_minutes": "45"},
    "circumstances": ["confessed"],
    "act_date": "2026-10-01",
    "discovered_date": "2026-10-15",
    "decision_date": "2026-11-20"
}))]
pub struct CalcRequest {
    /// The matter's id (at most 40 characters, no control character).
    #[schema(max_length = 40, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub matter_id: String,
    /// Also accepted: the Chinese names (公民, 个体工商户, 农户, 法人或者其他组织, 国家机关).
    pub party: Party,
    /// Fact values by key. The keys are the matter's `facts[].key` (`GET /api/v1/matters/{id}`
    /// lists them with their types, units, enum codes and defaults): numbers as decimal strings
    /// (or JSON numbers), booleans, enum codes. Those the matter does not declare, or that do
    /// not fit its declaration, are refused (422). A fact left out takes the matter's declared
    /// default; where it decided the tier the answer marks it (`decisive_facts[].defaulted`).
    #[serde(default)]
    #[schema(schema_with = crate::request::facts_schema)]
    pub facts: Map<String, Value>,
    /// General circumstance codes (GET /api/v1/circumstances), at most 50.
    #[serde(default)]
    #[schema(schema_with = crate::circumstances::codes_schema)]
    pub circumstances: Vec<String>,
    /// The day the act happened (for a continuing act, the day it began); 1990 or later.
    #[schema(pattern = r"^(199[0-9]|[2-9][0-9]{3})-")]
    pub act_date: NaiveDate,
    /// For an act that continued (违法行为有连续或者继续状态的), the day it ended: the time limit
    /// runs from then (第三十六条第二款).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^(199[0-9]|[2-9][0-9]{3})-")]
    pub act_end_date: Option<NaiveDate>,
    /// The day the agency discovered it. Needed only where the time limit may have run out
    /// before the decision; never assumed.
    #[serde(default)]
    #[schema(pattern = r"^(199[0-9]|[2-9][0-9]{3})-")]
    pub discovered_date: Option<NaiveDate>,
    /// Defaults to today.
    #[serde(default)]
    #[schema(pattern = r"^(199[0-9]|[2-9][0-9]{3})-")]
    pub decision_date: Option<NaiveDate>,
    /// The case file number, kept in the supervision log (at most 100 characters, no control
    /// character).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 100, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub case_ref: Option<String>,
}

impl CalcRequest {
    /// Reads a request from JSON with precise, per-field errors.
    pub fn from_json(v: &Value) -> Result<CalcRequest, CalcError> {
        let f = Fields::new(
            v,
            "",
            &[
                "case_ref",
                "matter_id",
                "party",
                "facts",
                "circumstances",
                "act_date",
                "act_end_date",
                "discovered_date",
                "decision_date",
            ],
        )?;
        let matter_id = f.required("matter_id", f.text("matter_id", 40)?)?;
        let party = f.party("party")?;
        let facts = f.object("facts")?;
        let circumstances = f.strings("circumstances")?;
        let act_date = f.date("act_date")?.ok_or_else(|| {
            CalcError::invalid(
                "missing_field",
                "act_date",
                "缺少违法行为发生日期 act_date".into(),
                "`act_date` is required".into(),
            )
        })?;
        Ok(CalcRequest {
            matter_id,
            party,
            facts,
            circumstances,
            act_date,
            act_end_date: f.date("act_end_date")?,
            discovered_date: f.date("discovered_date")?,
            decision_date: f.date("decision_date")?,
            case_ref: f.text("case_ref", 100)?,
        })
    }

    /// The day the act is judged as of (第三十七条) and its time limit runs from: its end, for
    /// a continuing act.
    pub fn act_time(&self) -> NaiveDate {
        self.act_end_date.unwrap_or(self.act_date)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 给予行政处罚
    Penalty,
    /// 不予行政处罚
    NoPenalty,
    /// 超过追责时效，不再给予行政处罚
    TimeBarred,
}

impl Outcome {
    /// The code the API and the log use.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Penalty => "penalty",
            Outcome::NoPenalty => "no_penalty",
            Outcome::TimeBarred => "time_barred",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentKind {
    /// 从轻
    Lighter,
    /// 减轻
    Reduced,
    /// 从重
    Heavier,
    /// 从轻与从重情节并存，相互抵消
    Offset,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Adjustment {
    pub kind: AdjustmentKind,
    pub circumstances: Vec<String>,
    pub basis: Vec<Citation>,
    /// What it did, in Chinese.
    pub effect: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BasisRole {
    Violated,
    Penalty,
    Discretion,
    Procedure,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LegalBasis {
    pub role: BasisRole,
    pub citation: Citation,
    /// `《…》第…条…`
    pub text: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TierRef {
    pub level: usize,
    pub name: String,
    pub situation: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisiveFact {
    pub key: String,
    pub label: String,
    /// The value as given, with its unit.
    pub value: String,
    /// The tier's condition on it, e.g. `≥10平方米 且 <50平方米`.
    pub condition: String,
    /// The request left it out: the value is the matter's declared default.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub defaulted: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dates {
    pub act_date: NaiveDate,
    /// The end of a continuing act, where given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub act_end_date: Option<NaiveDate>,
    /// As given; absent when the request did not give it (it is never assumed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovered_date: Option<NaiveDate>,
    pub decision_date: NaiveDate,
    /// 2, or 5 where life, health or financial security was endangered with consequences.
    pub time_limit_years: u32,
    /// The last day on which discovery keeps the act punishable.
    pub time_limit_ends: NaiveDate,
}

/// The answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalcResult {
    pub matter_id: String,
    pub matter_name: String,
    pub unit: String,
    pub standards_version: String,
    pub party: Party,
    pub outcome: Outcome,
    /// 第三十三条第一款: 初次违法且危害后果轻微并及时改正的，可以不予处罚 — the agency may
    /// decide not to punish; the standard penalty is still given.
    pub no_penalty_possible: bool,
    pub tier: TierRef,
    pub decisive_facts: Vec<DecisiveFact>,
    /// The fine to impose, after adjustments; absent when no fine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fine: Option<Band>,
    /// The tier's fine before adjustments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard_fine: Option<Band>,
    /// The statute's band at these facts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statutory_fine: Option<Band>,
    pub measures: Vec<String>,
    /// Measures the article allows (可以) or ties to a condition the facts do not settle: for
    /// the agency to weigh, not part of the standard penalty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub measure_options: Vec<MeasureOption>,
    /// The fine on the organisation's 直接负责的主管人员和其他直接责任人员, where the article sets
    /// one: a second party of the same decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persons_fine: Option<Band>,
    /// The facts reach the criminal threshold the matter states: the case is to be referred to
    /// the judicial organs (行政处罚法 第二十七条第一款).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub criminal_referral: bool,
    pub adjustments: Vec<Adjustment>,
    /// Circumstances stated that changed nothing, each with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub circumstances_without_effect: Vec<unused::WithoutEffect>,
    pub summary_procedure_allowed: bool,
    pub hearing_right: bool,
    pub legal_basis: Vec<LegalBasis>,
    pub explanation: Vec<String>,
    pub dates: Dates,
    /// Which standards version judged the act and why (行政处罚法 第三十七条), set by the
    /// decision layer; absent when only one version exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_choice: Option<VersionChoice>,
}

/// A measure the agency may add, or must add when its condition holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MeasureOption {
    pub name: String,
    pub force: MeasureForce,
    pub kind: MeasureKind,
    /// The condition in the article's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// Why a standards version was applied to an act (从旧兼从轻, 行政处罚法 第三十七条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VersionRule {
    /// The version in force when the act was committed.
    ActDate,
    /// The version in force at the decision, lighter for this act than the one of its time.
    LighterNew,
    /// The version in force when a continuing act ended (第三十六条第二款's 行为终了之日).
    Continuing,
    /// No version was in force yet on the act date: the first one applies.
    BeforeFirstVersion,
}

/// The version that judged the act, the rule, and the other version when both were weighed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionChoice {
    pub rule: VersionRule,
    /// The version in force on the act date, if another one applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compared: Option<ComparedVersion>,
}

/// What the other version gives for the same act.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComparedVersion {
    pub version: String,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fine: Option<Band>,
    pub measures: Vec<String>,
}

/// A fact's value as the explanation and the published table show it: with its unit, or the
/// label of its code.
pub(crate) fn display_value(f: &FactDef, v: &FactValue) -> String {
    match v {
        FactValue::Number(x) => format!("{}{}", x.normalize(), f.unit.as_deref().unwrap_or("")),
        FactValue::Bool(true) => "是".to_string(),
        FactValue::Bool(false) => "否".to_string(),
        FactValue::Code(c) => f
            .values
            .iter()
            .find(|e| &e.code == c)
            .map(|e| e.label.clone())
            .unwrap_or_else(|| c.clone()),
    }
}

/// Runs one calculation. `today` is the date the decision defaults to and the bound for future dates.
pub fn calculate(
    set: &StandardsSet,
    req: &CalcRequest,
    today: NaiveDate,
) -> Result<CalcResult, CalcError> {
    calculate_with_facts(set, req, today).map(|c| c.result)
}

/// A calculation with the facts as the engine typed them (defaults filled), for the case
/// review, which weighs the proposal against the same facts.
pub(crate) struct Calculation {
    pub result: CalcResult,
    pub facts: HashMap<String, FactValue>,
}

pub(crate) fn calculate_with_facts(
    set: &StandardsSet,
    req: &CalcRequest,
    today: NaiveDate,
) -> Result<Calculation, CalcError> {
    let case = admission::admit(set, req, today)?;
    let result = evaluate(&case);
    Ok(Calculation {
        result,
        facts: case.facts,
    })
}

/// The legal steps, in order. A step that ends the case (time limit, no-penalty grounds) returns
/// the result as it stands; the standard tier and bands are reported either way.
fn evaluate(case: &Case) -> CalcResult {
    let (tier, decisive_facts) = tier::select(case);
    let standard = Standard {
        tier,
        decisive_facts,
        statutory_fine: band::statutory(case),
        standard_fine: band::standard(case, tier),
    };
    let dates = time_limit::dates(case);
    let mut draft = Draft::new(case.matter);
    tier::explain(case, &standard, &mut draft);
    band::explain(case, &standard, &mut draft);
    measures::order_correction(&mut draft);

    no_penalty::refer_if_criminal(case, &mut draft);
    if time_limit::expired(&dates) {
        time_limit::explain_expiry(&dates, &mut draft);
        return draft.finish(case, standard, dates, Outcome::TimeBarred);
    }
    if let Some(ground) = no_penalty::own_ground(case) {
        no_penalty::apply_own_ground(ground, &mut draft);
        return draft.finish(case, standard, dates, Outcome::NoPenalty);
    }
    if no_penalty::minor_corrected_harmless(case, tier) {
        no_penalty::apply_minor_corrected_harmless(tier, &mut draft);
        return draft.finish(case, standard, dates, Outcome::NoPenalty);
    }
    if no_penalty::first_offence_waivable(case) {
        no_penalty::note_first_offence_waiver(&mut draft);
    } else {
        no_penalty::explain_unmet(case, tier, &mut draft);
    }
    adjustment::apply(case, &standard, &mut draft);
    band::persons(case, tier, &mut draft);
    measures::add_penalties(case, tier, &mut draft);
    procedure::apply(case, &mut draft);
    draft.finish(case, standard, dates, Outcome::Penalty)
}
