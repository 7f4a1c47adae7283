//! Case review (法制审核, 行政处罚法 第五十八条): a proposed decision checked against the
//! standard. Pure: the engine computes the standard for each act; this module compares the
//! proposal with it and with the statutory band, and explains every finding with its article.
//!
//! Verdicts, worst first: `unlawful` (outside what the law allows), `deviates` (lawful but
//! outside the published standard: a written reason is required), `conforms`.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::circumstances::{self, Effect, penalty_law};
use crate::engine::{self, CalcRequest, CalcResult, LegalBasis, Outcome, TierRef};
use crate::money;
use crate::request::{CalcError, Fields};
use crate::standards::{Band, FactValue, Party, StandardsSet};

/// Most acts in one case, and most provisions one act may be said to violate.
pub const MAX_ACTS: usize = 20;
pub const MAX_ALSO: usize = 5;
/// Measures that are orders to put things right, not penalties (第二十八条): always allowed.
const CORRECTIVE: [&str; 4] = ["责令改正", "责令限期改正", "责令停止违法行为", "限期改正"];

/// The decision proposed for one act.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Proposal {
    /// The fine in yuan (absent or "0": no fine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "5000")]
    pub fine: Option<Decimal>,
    /// Other measures, named as the matter lists them (GET /api/v1/matters/{id}).
    #[serde(default)]
    pub measures: Vec<String>,
    /// 不予行政处罚 is proposed.
    #[serde(default)]
    pub no_penalty: bool,
    /// The no-penalty proposal rests on 第三十三条第一款 (首违不罚).
    #[serde(default)]
    pub first_offense_waiver: bool,
}

/// Another provision the same act violates (行政处罚法 第二十九条).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AlsoViolates {
    pub matter_id: String,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub facts: Map<String, Value>,
}

/// One act of the case.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ReviewAct {
    pub matter_id: String,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub facts: Map<String, Value>,
    /// Other provisions this same act violates: one fine only, under the higher (第二十九条).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_violates: Vec<AlsoViolates>,
    /// When this act happened, if not the case's `act_date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act_date: Option<NaiveDate>,
    /// The decision for this act; required when the case has several acts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed: Option<Proposal>,
    /// Why the proposal departs from the standard, for this act (else the case's `reason`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
    /// The case file number (at most 100 characters).
    pub case_ref: String,
    pub party: Party,
    /// The inspector who proposed the decision (承办人), for the deviation statistics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspector: Option<String>,
    pub act_date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovered_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_date: Option<NaiveDate>,
    #[serde(default)]
    pub circumstances: Vec<String>,
    pub acts: Vec<ReviewAct>,
    /// The decision, for a case with one act.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed: Option<Proposal>,
    /// Why the proposal departs from the standard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
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

fn parse_proposal(v: &Value, path: &str) -> Result<Proposal, CalcError> {
    let f = Fields::new(
        v,
        path,
        &["fine", "measures", "no_penalty", "first_offense_waiver"],
    )?;
    let fine = f.amount("fine")?.filter(|x| !x.is_zero()).map(money::yuan);
    let measures = f.strings("measures")?;
    if let Some(i) = measures.iter().position(|m| m.trim() == "罚款") {
        let field = format!("{}[{i}]", f.at("measures"));
        return Err(CalcError::invalid(
            "fine_in_measures",
            field.clone(),
            format!("{field}：罚款数额请填在 fine 字段"),
            format!("`{field}`: put the fine in `fine`"),
        ));
    }
    let first_offense_waiver = f.flag("first_offense_waiver")?;
    let no_penalty = f.flag("no_penalty")? || first_offense_waiver;
    if no_penalty && fine.is_some() {
        return Err(CalcError::invalid(
            "contradictory_proposal",
            f.at("fine"),
            format!("拟不予处罚时不能同时拟处罚款（{}）", f.at("fine")),
            format!("`{}` given with a no-penalty proposal", f.at("fine")),
        ));
    }
    Ok(Proposal {
        fine,
        measures,
        no_penalty,
        first_offense_waiver,
    })
}

impl ReviewCase {
    /// Reads a case from JSON with precise, per-field errors.
    pub fn from_json(v: &Value) -> Result<ReviewCase, CalcError> {
        let f = Fields::new(
            v,
            "",
            &[
                "case_ref",
                "party",
                "inspector",
                "act_date",
                "discovered_date",
                "decision_date",
                "circumstances",
                "acts",
                "proposed",
                "reason",
            ],
        )?;
        let case_ref = f.required("case_ref", f.text("case_ref", 100)?)?;
        if case_ref.trim().is_empty() {
            return Err(CalcError::invalid(
                "missing_field",
                "case_ref",
                "案件编号 case_ref 不能为空".into(),
                "`case_ref` must not be empty".into(),
            ));
        }
        let party = f.party("party")?;
        let raw_acts = f
            .required("acts", f.get("acts").map(|_| ()))
            .and_then(|_| f.array("acts"))?;
        if raw_acts.is_empty() || raw_acts.len() > MAX_ACTS {
            return Err(CalcError::invalid(
                "invalid_acts",
                "acts",
                format!("acts 应列出1至{MAX_ACTS}个违法行为"),
                format!("`acts` must list 1 to {MAX_ACTS} acts"),
            ));
        }
        let mut acts = Vec::with_capacity(raw_acts.len());
        for (i, a) in raw_acts.iter().enumerate() {
            let path = format!("acts[{i}]");
            let af = Fields::new(
                a,
                &path,
                &[
                    "matter_id",
                    "facts",
                    "also_violates",
                    "act_date",
                    "proposed",
                    "reason",
                ],
            )?;
            let also_raw = af.array("also_violates")?;
            if also_raw.len() > MAX_ALSO {
                return Err(CalcError::invalid(
                    "invalid_acts",
                    af.at("also_violates"),
                    format!("一个违法行为最多列{MAX_ALSO}个同时违反的事项"),
                    format!("at most {MAX_ALSO} further provisions per act"),
                ));
            }
            let mut also_violates = Vec::new();
            for (j, o) in also_raw.iter().enumerate() {
                let of = Fields::new(
                    o,
                    &format!("{}[{j}]", af.at("also_violates")),
                    &["matter_id", "facts"],
                )?;
                also_violates.push(AlsoViolates {
                    matter_id: of.required("matter_id", of.text("matter_id", 40)?)?,
                    facts: of.object("facts")?,
                });
            }
            acts.push(ReviewAct {
                matter_id: af.required("matter_id", af.text("matter_id", 40)?)?,
                facts: af.object("facts")?,
                also_violates,
                act_date: af.date("act_date")?,
                proposed: af
                    .get("proposed")
                    .map(|p| parse_proposal(p, &af.at("proposed")))
                    .transpose()?,
                reason: af.text("reason", 2000)?,
            });
        }
        let proposed = f
            .get("proposed")
            .map(|p| parse_proposal(p, "proposed"))
            .transpose()?;
        if acts.len() > 1 && proposed.is_some() {
            return Err(CalcError::invalid(
                "proposal_per_act",
                "proposed",
                "本案有多个违法行为，应在每个 acts[i].proposed 中分别填写拟作出的处罚（分别裁量，合并处罚）".into(),
                "the case has several acts: give each act its own `acts[i].proposed`".into(),
            ));
        }
        for (i, a) in acts.iter().enumerate() {
            if a.proposed.is_none() && proposed.is_none() {
                let field = if acts.len() == 1 {
                    "proposed".to_string()
                } else {
                    format!("acts[{i}].proposed")
                };
                return Err(CalcError::invalid(
                    "missing_field",
                    field.clone(),
                    format!("缺少拟作出的处罚决定 {field}"),
                    format!("`{field}` is required"),
                ));
            }
            if a.proposed.is_some() && proposed.is_some() {
                return Err(CalcError::invalid(
                    "contradictory_proposal",
                    "proposed",
                    "拟作出的处罚决定只能在 proposed 或 acts[0].proposed 中填写一处".into(),
                    "give the proposal either in `proposed` or in `acts[0].proposed`".into(),
                ));
            }
        }
        let act_date = match f.date("act_date")? {
            Some(d) => d,
            None => acts
                .iter()
                .filter_map(|a| a.act_date)
                .min()
                .ok_or_else(|| {
                    CalcError::invalid(
                        "missing_field",
                        "act_date",
                        "缺少违法行为发生日期 act_date".into(),
                        "`act_date` is required".into(),
                    )
                })?,
        };
        Ok(ReviewCase {
            case_ref,
            party,
            inspector: f.text("inspector", 50)?.filter(|s| !s.trim().is_empty()),
            act_date,
            discovered_date: f.date("discovered_date")?,
            decision_date: f.date("decision_date")?,
            circumstances: f.strings("circumstances")?,
            acts,
            proposed,
            reason: f.text("reason", 2000)?,
        })
    }
}

/// Strips spaces and punctuation a spreadsheet may add, for comparing measure names.
fn normalise(m: &str) -> String {
    m.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '。' | '；' | ';' | '.'))
        .collect()
}

fn is_corrective(m: &str) -> bool {
    CORRECTIVE.contains(&m)
}

/// Which of several provisions one act violates governs its fine: the one with the higher
/// statutory maximum for this party (then the higher minimum; a provision without a fine
/// ranks last; ties keep the order given).
fn governing_index(results: &[CalcResult]) -> usize {
    let key = |r: &CalcResult| r.statutory_fine.map(|b| (b.max, b.min));
    let mut best = 0;
    for (i, r) in results.iter().enumerate().skip(1) {
        if key(r) > key(&results[best]) {
            best = i;
        }
    }
    best
}

/// Reviews a case. `today` bounds the dates, as for a calculation.
pub fn review(
    set: &StandardsSet,
    case: &ReviewCase,
    today: NaiveDate,
) -> Result<CaseReview, CalcError> {
    let mut acts = Vec::with_capacity(case.acts.len());
    for (i, act) in case.acts.iter().enumerate() {
        acts.push(review_act(set, case, i, act, today)?);
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
        conclusion.push_str("拟作出的处罚偏离公布的裁量基准而未说明理由，应当在案卷中写明理由（《中华人民共和国行政处罚法》第三十四条）。");
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
        standards_version: set.version.clone(),
        verdict,
        reason_required,
        acts,
        explanation,
    })
}

fn review_act(
    set: &StandardsSet,
    case: &ReviewCase,
    i: usize,
    act: &ReviewAct,
    today: NaiveDate,
) -> Result<ActReview, CalcError> {
    let path = format!("acts[{i}]");
    let mut candidates = vec![(path.clone(), &act.matter_id, &act.facts)];
    for (j, o) in act.also_violates.iter().enumerate() {
        candidates.push((format!("{path}.also_violates[{j}]"), &o.matter_id, &o.facts));
    }
    let mut seen = BTreeSet::new();
    let mut results = Vec::with_capacity(candidates.len());
    // The act's own illegal gains, as the engine typed them for the act's first matter.
    let mut gains = None;
    for (p, matter_id, facts) in &candidates {
        if !seen.insert(matter_id.to_uppercase()) {
            return Err(CalcError::invalid(
                "duplicate_matter",
                format!("{p}.matter_id"),
                format!("同一违法行为重复列出事项 {matter_id}"),
                format!("matter `{matter_id}` is listed twice for one act"),
            ));
        }
        let req = CalcRequest {
            matter_id: matter_id.to_string(),
            party: case.party,
            facts: (*facts).clone(),
            circumstances: case.circumstances.clone(),
            act_date: act.act_date.unwrap_or(case.act_date),
            discovered_date: case.discovered_date,
            decision_date: case.decision_date,
            case_ref: None,
        };
        let c = engine::calculate_with_facts(set, &req, today).map_err(|mut e| {
            // Act-specific fields get the act's path; case-wide ones keep theirs.
            if let Some(field) = &e.field
                && (field == "matter_id" || field.starts_with("facts"))
            {
                e.field = Some(format!("{p}.{field}"));
                e.message = format!("{p}：{}", e.message);
            }
            e
        })?;
        if results.is_empty() {
            gains = c.facts.get("illegal_gains").cloned();
        }
        results.push(c.result);
    }
    let g = governing_index(&results);
    let governing = (results.len() > 1).then(|| {
        let considered: Vec<Candidate> = results
            .iter()
            .map(|r| Candidate {
                matter_id: r.matter_id.clone(),
                matter_name: r.matter_name.clone(),
                penalty: penalty_text(r),
                statutory_fine: r.statutory_fine,
            })
            .collect();
        let top = &considered[g];
        let others: Vec<String> = considered
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != g)
            .map(|(_, c)| {
                format!(
                    "{}（{}，法定罚款{}）",
                    c.matter_id,
                    c.penalty,
                    c.statutory_fine
                        .map(|b| b.render())
                        .unwrap_or_else(|| "无罚款".into())
                )
            })
            .collect();
        Governing {
            matter_id: top.matter_id.clone(),
            reason: format!(
                "同一违法行为同时违反{}与{}，只能给予一次罚款，按罚款数额高的规定处罚：{}规定的法定罚款为{}，数额最高，适用该规定（{}）。",
                top.matter_id,
                others.join("、"),
                top.penalty,
                top.statutory_fine
                    .map(|b| b.render())
                    .unwrap_or_else(|| "无罚款".into()),
                penalty_law(29, None, None).render()
            ),
            considered,
        }
    });
    let r = &results[g];
    let proposal = act
        .proposed
        .clone()
        .or_else(|| case.proposed.clone())
        .unwrap_or_default();
    let reason = act
        .reason
        .as_deref()
        .or(case.reason.as_deref())
        .is_some_and(|s| !s.trim().is_empty());

    // Everything any of the violated provisions allows, plus the orders of 第二十八条.
    let mut allowed: BTreeSet<String> = CORRECTIVE.iter().map(|m| m.to_string()).collect();
    allowed.insert("没收违法所得".into());
    for res in &results {
        if let Some(m) = set.matter(&res.matter_id) {
            allowed.extend(m.statutory.measures.iter().map(|s| normalise(s)));
            for t in &m.tiers {
                allowed.extend(t.measures.iter().map(|s| normalise(s)));
            }
        }
        allowed.extend(res.measures.iter().map(|s| normalise(s)));
    }
    let matter = set.matter(&r.matter_id).expect("calculated matters exist");
    let rule = matter.statutory.fine_for(case.party);
    let penalty_cite = penalty_text(r);
    let mitigating: Vec<String> = case
        .circumstances
        .iter()
        .filter_map(|c| circumstances::find(c))
        .filter(|c| c.effect == Effect::Mitigating)
        .map(|c| c.label.to_string())
        .collect();

    let mut findings = Vec::new();
    let mut fine_deviation = None;
    let fine = proposal.fine;
    let proposed_penal: Vec<&String> = proposal
        .measures
        .iter()
        .filter(|m| !is_corrective(&normalise(m)))
        .collect();
    let penalising = fine.is_some() || !proposed_penal.is_empty();
    let barred_basis: Vec<String> = r
        .legal_basis
        .iter()
        .filter(|b| {
            b.citation.law == circumstances::PENALTY_LAW
                && [30, 31, 33, 36].contains(&b.citation.article)
                && b.citation.paragraph != Some(3)
        })
        .map(|b| b.text.clone())
        .collect();

    match r.outcome {
        Outcome::TimeBarred | Outcome::NoPenalty => {
            let why = if r.outcome == Outcome::TimeBarred {
                format!(
                    "违法行为发生于{}，至{}才被发现，已超过{}年追责期限",
                    r.dates.act_date, r.dates.discovered_date, r.dates.time_limit_years
                )
            } else {
                "依法应当不予行政处罚".to_string()
            };
            if penalising {
                findings.push(Finding {
                    code: if r.outcome == Outcome::TimeBarred {
                        "penalty_time_barred"
                    } else {
                        "penalty_excluded"
                    },
                    verdict: Verdict::Unlawful,
                    direction: Some(Direction::Heavier),
                    message: format!("{why}，不得给予行政处罚，但拟作出处罚。"),
                    basis: barred_basis,
                });
            } else {
                findings.push(Finding {
                    code: "no_penalty_as_required",
                    verdict: Verdict::Conforms,
                    direction: None,
                    message: format!("{why}，拟不予行政处罚，符合规定。"),
                    basis: barred_basis,
                });
            }
        }
        Outcome::Penalty if !penalising => {
            let art33 = penalty_law(33, Some(1), None).render();
            if r.no_penalty_possible {
                findings.push(Finding {
                    code: "first_offense_waiver",
                    verdict: Verdict::Conforms,
                    direction: None,
                    message: format!(
                        "当事人初次违法、危害后果轻微并及时改正，可以不予行政处罚，拟不予处罚符合规定（{art33}）。"
                    ),
                    basis: vec![art33],
                });
            } else {
                let mut message = format!(
                    "本案不具备不予行政处罚的法定情形，依{}应当给予处罚（基准：第{}阶次「{}」{}），拟不予处罚缺乏依据。",
                    penalty_cite,
                    r.tier.level,
                    r.tier.name,
                    r.fine
                        .map(|b| format!("，罚款{}", b.render()))
                        .unwrap_or_default()
                );
                if proposal.first_offense_waiver {
                    message.push_str(&format!(
                        "首违不罚须同时具备初次违法、危害后果轻微（或没有危害后果）和及时改正（{art33}）。"
                    ));
                }
                findings.push(Finding {
                    code: "no_penalty_without_ground",
                    verdict: Verdict::Unlawful,
                    direction: Some(Direction::Lighter),
                    message,
                    basis: vec![penalty_cite.clone(), art33],
                });
            }
        }
        Outcome::Penalty => {
            // The fine against the statutory band.
            let art38 = penalty_law(38, Some(1), None).render();
            let art32 = penalty_law(32, None, None).render();
            let mut lawful = true;
            match (fine, r.statutory_fine) {
                (Some(f), None) => {
                    lawful = false;
                    findings.push(Finding {
                        code: "fine_not_provided",
                        verdict: Verdict::Unlawful,
                        direction: Some(Direction::Heavier),
                        message: format!(
                            "{}对{}未规定罚款，拟罚款{}没有依据。",
                            penalty_cite,
                            case.party.label(),
                            money::render(f)
                        ),
                        basis: vec![penalty_cite.clone(), art38.clone()],
                    });
                }
                (Some(f), Some(s)) if f > s.max => {
                    lawful = false;
                    findings.push(Finding {
                        code: "fine_above_statutory",
                        verdict: Verdict::Unlawful,
                        direction: Some(Direction::Heavier),
                        message: format!(
                            "拟罚款{}，超过{}规定的最高罚款{}（法定幅度{}），超出部分没有依据。",
                            money::render(f),
                            penalty_cite,
                            money::render(s.max),
                            s.render()
                        ),
                        basis: vec![penalty_cite.clone(), art38.clone()],
                    });
                }
                (Some(f), Some(s)) if f < s.min && mitigating.is_empty() => {
                    lawful = false;
                    findings.push(Finding {
                        code: "fine_below_statutory",
                        verdict: Verdict::Unlawful,
                        direction: Some(Direction::Lighter),
                        message: format!(
                            "拟罚款{}，低于{}规定的最低罚款{}，而本案没有从轻或者减轻处罚情节，不得减轻处罚。",
                            money::render(f),
                            penalty_cite,
                            money::render(s.min)
                        ),
                        basis: vec![penalty_cite.clone(), art32.clone()],
                    });
                }
                (None, Some(s))
                    if !rule.is_some_and(|x| x.optional)
                        && !s.min.is_zero()
                        && r.standard_fine.is_some()
                        && matter
                            .tiers
                            .iter()
                            .all(|t| t.fine_for(case.party).is_some())
                        && mitigating.is_empty() =>
                {
                    lawful = false;
                    findings.push(Finding {
                        code: "fine_below_statutory",
                        verdict: Verdict::Unlawful,
                        direction: Some(Direction::Lighter),
                        message: format!(
                            "{}规定应当处以罚款（最低{}），拟不处罚款，而本案没有减轻处罚情节。",
                            penalty_cite,
                            money::render(s.min)
                        ),
                        basis: vec![penalty_cite.clone(), art32.clone()],
                    });
                }
                _ => {}
            }
            // The fine against the standard.
            if lawful {
                let below_min = match (fine, r.statutory_fine) {
                    (Some(f), Some(s)) => f < s.min,
                    (None, Some(s)) => !s.min.is_zero(),
                    _ => false,
                };
                let reduced_note = if below_min {
                    format!(
                        "低于法定最低罚款，依本案{}情节减轻处罚（{}）",
                        mitigating.join("、"),
                        art32
                    )
                } else {
                    String::new()
                };
                let standard_text = r
                    .fine
                    .map(|b| format!("罚款{}", b.render()))
                    .unwrap_or_else(|| "不处罚款".into());
                let tier_text = format!("第{}阶次「{}」", r.tier.level, r.tier.name);
                let proposed_text = fine
                    .map(|f| format!("拟罚款{}", money::render(f)))
                    .unwrap_or_else(|| "拟不处罚款".into());
                let f0 = fine.unwrap_or(Decimal::ZERO);
                let std_band = r.fine.unwrap_or(Band::fixed(Decimal::ZERO));
                let art34 = penalty_law(34, None, None).render();
                let (amount, bound) = if f0 > std_band.max {
                    (f0 - std_band.max, std_band.max)
                } else if f0 < std_band.min {
                    (f0 - std_band.min, std_band.min)
                } else {
                    (Decimal::ZERO, Decimal::ZERO)
                };
                if amount.is_zero() {
                    findings.push(Finding {
                        code: "fine_in_standard",
                        verdict: Verdict::Conforms,
                        direction: None,
                        message: format!(
                            "{proposed_text}，符合裁量基准{tier_text}（{standard_text}）{}。",
                            if reduced_note.is_empty() {
                                String::new()
                            } else {
                                format!("；{reduced_note}")
                            }
                        ),
                        basis: vec![penalty_cite.clone(), art34],
                    });
                } else {
                    let percent = (!bound.is_zero())
                        .then(|| (amount.abs() / bound * Decimal::ONE_HUNDRED).round_dp(2));
                    let heavier = amount > Decimal::ZERO;
                    fine_deviation = Some(FineDeviation {
                        amount: money::yuan(amount),
                        percent: percent.map(|p| {
                            let mut p = if heavier { p } else { -p };
                            p.rescale(2);
                            p
                        }),
                    });
                    let by = format!(
                        "{}{}{}",
                        if heavier {
                            "高出基准上限"
                        } else {
                            "低于基准下限"
                        },
                        money::render(amount.abs()),
                        percent
                            .map(|p| format!("（{}%）", p.normalize()))
                            .unwrap_or_default()
                    );
                    findings.push(Finding {
                        code: if heavier {
                            "fine_above_standard"
                        } else {
                            "fine_below_standard"
                        },
                        verdict: Verdict::Deviates,
                        direction: Some(if heavier {
                            Direction::Heavier
                        } else {
                            Direction::Lighter
                        }),
                        message: format!(
                            "{proposed_text}，在法定幅度{}内，但不在裁量基准{tier_text}（{standard_text}）之内，{by}{}；偏离公布的裁量基准应当说明理由。",
                            r.statutory_fine.map(|s| format!("（{}）", s.render())).unwrap_or_default(),
                            if reduced_note.is_empty() { String::new() } else { format!("；{reduced_note}") }
                        ),
                        basis: vec![penalty_cite.clone(), art34],
                    });
                }
            }
            // Measures: allowed by the provisions; as the standard gives them.
            for m in &proposed_penal {
                if !allowed.contains(&normalise(m)) {
                    let mut lawful_list: Vec<String> = matter
                        .statutory
                        .measures
                        .iter()
                        .filter(|x| !is_corrective(x))
                        .cloned()
                        .collect();
                    lawful_list.dedup();
                    findings.push(Finding {
                        code: "measure_not_allowed",
                        verdict: Verdict::Unlawful,
                        direction: Some(Direction::Heavier),
                        message: format!(
                            "拟采取「{m}」，{}未规定该处罚种类，没有依据{}。",
                            penalty_cite,
                            if lawful_list.is_empty() {
                                String::new()
                            } else {
                                format!("（本条规定的其他处罚：{}）", lawful_list.join("、"))
                            }
                        ),
                        basis: vec![penalty_cite.clone(), art38.clone()],
                    });
                }
            }
            let proposed_set: BTreeSet<String> =
                proposed_penal.iter().map(|m| normalise(m)).collect();
            let standard_penal: Vec<&String> = r
                .measures
                .iter()
                .filter(|m| !is_corrective(&normalise(m)) && !m.starts_with("责令监护人"))
                .collect();
            let gains = match &gains {
                Some(FactValue::Number(g)) if *g > Decimal::ZERO => Some(*g),
                _ => None,
            };
            for m in &standard_penal {
                if proposed_set.contains(&normalise(m)) {
                    continue;
                }
                if m.as_str() == "没收违法所得" && gains.is_some() {
                    let art28 = penalty_law(28, Some(2), None).render();
                    findings.push(Finding {
                        code: "confiscation_missing",
                        verdict: Verdict::Unlawful,
                        direction: Some(Direction::Lighter),
                        message: format!(
                            "当事人有违法所得{}，应当予以没收，拟处罚未没收违法所得（{art28}）。",
                            money::render(gains.unwrap_or_default())
                        ),
                        basis: vec![art28, penalty_cite.clone()],
                    });
                } else {
                    findings.push(Finding {
                        code: "measure_missing",
                        verdict: Verdict::Deviates,
                        direction: Some(Direction::Lighter),
                        message: format!(
                            "裁量基准第{}阶次还应「{m}」，拟处罚未包括；偏离公布的裁量基准应当说明理由。",
                            r.tier.level
                        ),
                        basis: vec![penalty_cite.clone(), penalty_law(34, None, None).render()],
                    });
                }
            }
            let standard_set: BTreeSet<String> =
                standard_penal.iter().map(|m| normalise(m)).collect();
            // A warning given instead of part of the fine is the lighter penalty, not an addition.
            let fine_lighter = fine_deviation.is_some_and(|d| d.amount < Decimal::ZERO);
            for m in &proposed_penal {
                let n = normalise(m);
                if n == "警告" && fine_lighter {
                    continue;
                }
                if allowed.contains(&n) && !standard_set.contains(&n) {
                    findings.push(Finding {
                        code: "measure_added",
                        verdict: Verdict::Deviates,
                        direction: Some(Direction::Heavier),
                        message: format!(
                            "拟采取「{m}」，为{}所允许，但不在裁量基准第{}阶次之内；偏离公布的裁量基准应当说明理由。",
                            penalty_cite, r.tier.level
                        ),
                        basis: vec![penalty_cite.clone(), penalty_law(34, None, None).render()],
                    });
                }
            }
            if r.no_penalty_possible {
                findings.push(Finding {
                    code: "no_penalty_possible",
                    verdict: Verdict::Conforms,
                    direction: None,
                    message: format!(
                        "提示：当事人初次违法、危害后果轻微并及时改正，依{}也可以不予行政处罚。",
                        penalty_law(33, Some(1), None).render()
                    ),
                    basis: vec![penalty_law(33, Some(1), None).render()],
                });
            }
        }
    }
    if let Some(gv) = &governing {
        findings.insert(
            0,
            Finding {
                code: "governing_provision",
                verdict: Verdict::Conforms,
                direction: None,
                message: gv.reason.clone(),
                basis: vec![penalty_law(29, None, None).render()],
            },
        );
    }

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
    let reason_required = verdict == Verdict::Deviates && !reason;
    if reason_required {
        findings.push(Finding {
            code: "reason_required",
            verdict: Verdict::Deviates,
            direction: None,
            message: "偏离裁量基准而未说明理由：应当在案卷中写明偏离的事实和理由。".into(),
            basis: vec![penalty_law(34, None, None).render()],
        });
    }
    Ok(ActReview {
        act: i + 1,
        matter_id: r.matter_id.clone(),
        matter_name: r.matter_name.clone(),
        governing,
        verdict,
        direction,
        fine_deviation,
        reason_required,
        proposed: proposal,
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
    })
}

fn penalty_text(r: &CalcResult) -> String {
    r.legal_basis
        .iter()
        .find(|b| b.role == engine::BasisRole::Penalty)
        .map(|b| b.text.clone())
        .unwrap_or_default()
}

/// The log entry of a review: the case as received, the verdicts, and one index row per act
/// for the deviation statistics.
pub fn log_entry(
    caller: crate::supervision::Caller,
    client: &str,
    case: &ReviewCase,
    review: &CaseReview,
) -> crate::supervision::NewEntry {
    let first = &review.acts[0];
    let inspector = case
        .inspector
        .clone()
        .unwrap_or_else(|| "（未填写承办人）".to_string());
    crate::supervision::NewEntry {
        kind: "review".into(),
        caller,
        client: client.into(),
        matter_id: first.matter_id.clone(),
        standards_version: review.standards_version.clone(),
        outcome: review.verdict.as_str().into(),
        tier: Some(first.standard.tier.level),
        case_ref: Some(case.case_ref.clone()),
        request: serde_json::to_value(case).unwrap_or_default(),
        result: serde_json::json!({
            "verdict": review.verdict,
            "reason_required": review.reason_required,
            "acts": review.acts.iter().map(|a| serde_json::json!({
                "act": a.act,
                "matter_id": a.matter_id,
                "governing": a.governing.as_ref().map(|g| &g.matter_id),
                "verdict": a.verdict,
                "direction": a.direction,
                "fine_deviation": a.fine_deviation,
                "reason_required": a.reason_required,
                "tier": {"level": a.standard.tier.level, "name": a.standard.tier.name},
                "standard_fine": a.standard.fine,
                "proposed": a.proposed,
                "findings": a.findings.iter().map(|f| f.code).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }),
        offline: false,
        review_acts: review
            .acts
            .iter()
            .map(|a| crate::supervision::ReviewActIndex {
                act: a.act as i64,
                inspector: inspector.clone(),
                matter_id: a.matter_id.clone(),
                verdict: a.verdict.as_str().into(),
                direction: a.direction.map(|d| d.as_str().to_string()),
                reason_required: a.reason_required,
            })
            .collect(),
    }
}
