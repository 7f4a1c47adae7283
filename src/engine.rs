//! The calculation engine: a matter, a party, facts, circumstances and dates in; the standard
//! tier, the fine, the measures, the general rules applied and their articles out.
//! Pure functions; the caller supplies "today".

use std::collections::{BTreeSet, HashMap};

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::circumstances::{self, Effect, penalty_law};
use crate::money;
use crate::request::{CalcError, Fields, parse_facts};
use crate::standards::*;

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
    pub matter_id: String,
    pub party: Party,
    /// Fact values by key: numbers as decimal strings (or JSON numbers), booleans, enum codes.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub facts: Map<String, Value>,
    /// General circumstance codes (GET /api/v1/circumstances).
    #[serde(default)]
    pub circumstances: Vec<String>,
    /// The day the act happened (for a continuing act, the day it ended).
    pub act_date: NaiveDate,
    /// The day the agency discovered it; defaults to the decision date.
    #[serde(default)]
    pub discovered_date: Option<NaiveDate>,
    /// Defaults to today.
    #[serde(default)]
    pub decision_date: Option<NaiveDate>,
    /// The case file number, kept in the supervision log (at most 100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
            discovered_date: f.date("discovered_date")?,
            decision_date: f.date("decision_date")?,
            case_ref: f.text("case_ref", 100)?,
        })
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
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dates {
    pub act_date: NaiveDate,
    pub discovered_date: NaiveDate,
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
    pub adjustments: Vec<Adjustment>,
    pub summary_procedure_allowed: bool,
    pub hearing_right: bool,
    pub legal_basis: Vec<LegalBasis>,
    pub explanation: Vec<String>,
    pub dates: Dates,
}

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

fn describe_predicate(f: &FactDef, p: &Predicate) -> String {
    match p {
        Predicate::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Predicate::Code(c) => display_value(f, &FactValue::Code(c.clone())),
        Predicate::Codes(cs) => cs
            .iter()
            .map(|c| display_value(f, &FactValue::Code(c.clone())))
            .collect::<Vec<_>>()
            .join("或"),
        Predicate::Range(r) => r.describe(f.unit.as_deref().unwrap_or("")),
    }
}

fn is_heavy_measure(m: &str) -> bool {
    [
        "吊销",
        "降低资质",
        "停产",
        "停业",
        "关闭",
        "限制从业",
        "限制开展生产经营",
        "责令停止建设",
        "拆除",
    ]
    .iter()
    .any(|k| m.contains(k))
}

/// Runs one calculation. `today` is the date the decision defaults to and the bound for future dates.
pub fn calculate(
    set: &StandardsSet,
    req: &CalcRequest,
    today: NaiveDate,
) -> Result<CalcResult, CalcError> {
    let matter = set.matter(&req.matter_id).ok_or_else(|| CalcError {
        code: "unknown_matter",
        field: Some("matter_id".into()),
        message: format!("没有编号为 {} 的裁量事项", req.matter_id),
        message_en: format!("no matter with id `{}`", req.matter_id),
        not_found: true,
    })?;
    let party = req.party;
    if !matter.statutory.parties.contains(&party) {
        return Err(CalcError::invalid(
            "party_not_applicable",
            "party",
            format!(
                "事项 {} 的处罚依据只处罚{}",
                matter.id,
                matter
                    .statutory
                    .parties
                    .iter()
                    .map(|p| p.label())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            format!(
                "matter {} only applies to {:?}",
                matter.id, matter.statutory.parties
            ),
        ));
    }
    let facts = parse_facts(matter, &req.facts)?;

    // Circumstances: known, not repeated, not contradictory, fitting the party.
    let mut codes: BTreeSet<&str> = BTreeSet::new();
    let mut catalogue = Vec::new();
    for (i, code) in req.circumstances.iter().enumerate() {
        let c = circumstances::find(code).ok_or_else(|| {
            CalcError::invalid(
                "unknown_circumstance",
                format!("circumstances[{i}]"),
                format!("未知的裁量情节代码 {code}（见 GET /api/v1/circumstances）"),
                format!("unknown circumstance `{code}` (see GET /api/v1/circumstances)"),
            )
        })?;
        if c.individual_only && party == Party::Organisation {
            return Err(CalcError::invalid(
                "circumstance_not_applicable",
                format!("circumstances[{i}]"),
                format!("情节「{}」只适用于公民", c.label),
                format!("`{code}` applies only to individuals"),
            ));
        }
        if codes.insert(c.code) {
            catalogue.push(c);
        }
    }
    for (a, b) in circumstances::CONFLICTS {
        if codes.contains(a) && codes.contains(b) {
            return Err(CalcError::invalid(
                "conflicting_circumstances",
                "circumstances",
                format!("情节 {a} 与 {b} 不能同时成立"),
                format!("`{a}` and `{b}` cannot both hold"),
            ));
        }
    }

    // Dates.
    let decision_date = req.decision_date.unwrap_or(today);
    let discovered_date = req.discovered_date.unwrap_or(decision_date);
    for (field, d) in [
        ("act_date", req.act_date),
        ("discovered_date", discovered_date),
        ("decision_date", decision_date),
    ] {
        if d > today {
            return Err(CalcError::invalid(
                "date_in_future",
                field,
                format!("{field} 不能晚于今天（{today}）"),
                format!("`{field}` is after today ({today})"),
            ));
        }
    }
    if req.act_date > decision_date {
        return Err(CalcError::invalid(
            "act_after_decision",
            "act_date",
            "违法行为发生日期不能晚于决定日期".into(),
            "`act_date` is after `decision_date`".into(),
        ));
    }
    if discovered_date < req.act_date {
        return Err(CalcError::invalid(
            "discovered_before_act",
            "discovered_date",
            "发现日期不能早于违法行为发生日期".into(),
            "`discovered_date` is before `act_date`".into(),
        ));
    }
    if discovered_date > decision_date {
        return Err(CalcError::invalid(
            "discovered_after_decision",
            "discovered_date",
            "发现日期不能晚于决定日期".into(),
            "`discovered_date` is after `decision_date`".into(),
        ));
    }

    Ok(evaluate(
        set,
        matter,
        party,
        &facts,
        &codes,
        req.act_date,
        discovered_date,
        decision_date,
    ))
}

struct Ctx<'a> {
    party: Party,
    base: Option<Decimal>,
    rule: Option<&'a FineRule>,
}

impl Ctx<'_> {
    /// Whether two tiers fine the same way (both in yuan, or both a rate of the base). A tier in
    /// the other zone of a multiple-with-fallback matter is no neighbour to stop at: its amounts
    /// apply to other base values.
    fn same_kind(&self, a: &Tier, b: &Tier) -> bool {
        matches!(
            (a.fine_for(self.party), b.fine_for(self.party)),
            (Some(TierFine::Yuan { .. }), Some(TierFine::Yuan { .. }))
                | (Some(TierFine::Rate { .. }), Some(TierFine::Rate { .. }))
        )
    }

    fn tier_band(&self, tier: &Tier) -> Option<Band> {
        tier.fine_for(self.party)
            .map(|f| f.band_at(self.rule, self.base))
    }
}

#[allow(clippy::too_many_arguments)]
fn evaluate(
    set: &StandardsSet,
    matter: &Matter,
    party: Party,
    facts: &HashMap<String, FactValue>,
    codes: &BTreeSet<&str>,
    act_date: NaiveDate,
    discovered_date: NaiveDate,
    decision_date: NaiveDate,
) -> CalcResult {
    let has = |c: &str| codes.contains(c);
    let rule = matter.statutory.fine_for(party);
    let base = rule
        .and_then(|r| r.base.as_ref())
        .and_then(|b| match facts.get(b) {
            Some(FactValue::Number(x)) => Some(*x),
            _ => None,
        });
    let ctx = Ctx { party, base, rule };
    let mut explanation = Vec::new();
    let mut legal_basis = vec![
        LegalBasis {
            role: BasisRole::Violated,
            text: matter.violated.render(),
            citation: matter.violated.clone(),
        },
        LegalBasis {
            role: BasisRole::Penalty,
            text: matter.penalty.render(),
            citation: matter.penalty.clone(),
        },
    ];
    for c in &matter.penalty_also {
        legal_basis.push(LegalBasis {
            role: BasisRole::Penalty,
            text: c.render(),
            citation: c.clone(),
        });
    }
    let cite = |role: BasisRole, c: Citation, basis: &mut Vec<LegalBasis>| {
        if !basis.iter().any(|b| b.citation == c) {
            basis.push(LegalBasis {
                role,
                text: c.render(),
                citation: c,
            });
        }
    };

    // 1. The tier: validation guarantees exactly one matches.
    let tier = matter
        .tiers
        .iter()
        .find(|t| t.matches(facts))
        .unwrap_or(&matter.tiers[0]);
    let conj = tier.when.iter().find(|c| {
        c.iter()
            .all(|(k, p)| facts.get(k).is_some_and(|v| p.matches(v)))
    });
    let decisive_facts: Vec<DecisiveFact> = conj
        .map(|c| {
            c.iter()
                .filter_map(|(k, p)| {
                    let f = matter.fact(k)?;
                    Some(DecisiveFact {
                        key: k.clone(),
                        label: f.label.clone(),
                        value: display_value(f, &facts[k]),
                        condition: describe_predicate(f, p),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let fact_text = if decisive_facts.is_empty() {
        "该事项只设一个阶次".to_string()
    } else {
        decisive_facts
            .iter()
            .map(|d| format!("{}为{}（{}）", d.label, d.value, d.condition))
            .collect::<Vec<_>>()
            .join("，")
    };
    explanation.push(format!(
        "适用事项 {}「{}」，违反{}，依据{}处罚。",
        matter.id,
        matter.name,
        matter.violated.render(),
        matter.penalty_text()
    ));
    explanation.push(format!(
        "{fact_text}，对应第{}阶次「{}」：{}。",
        tier.level, tier.name, tier.situation
    ));
    cite(
        BasisRole::Discretion,
        penalty_law(34, None, None),
        &mut legal_basis,
    );

    let statutory_fine = rule.map(|r| r.band_at(base));
    let standard_fine = ctx.tier_band(tier);
    if let Some(s) = &statutory_fine {
        explanation.push(format!(
            "法定罚款幅度（{}）为{}。",
            party.label(),
            s.render()
        ));
    }
    match &standard_fine {
        Some(f) => explanation.push(format!("本阶次的裁量基准罚款为{}。", f.render())),
        None => explanation.push("本阶次不处罚款。".to_string()),
    }

    // 2. Time limit (第三十六条).
    let years = if has("endangers_life_health_finance") {
        5
    } else {
        2
    };
    let time_limit_ends = act_date
        .checked_add_months(Months::new(12 * years))
        .unwrap_or(NaiveDate::MAX);
    let dates = Dates {
        act_date,
        discovered_date,
        decision_date,
        time_limit_years: years,
        time_limit_ends,
    };
    let mut measures = vec!["责令改正".to_string()];
    cite(
        BasisRole::Discretion,
        penalty_law(28, Some(1), None),
        &mut legal_basis,
    );

    let finish = |outcome,
                  fine,
                  measures,
                  adjustments,
                  summary,
                  hearing,
                  legal_basis,
                  explanation,
                  no_penalty_possible| CalcResult {
        matter_id: matter.id.clone(),
        matter_name: matter.name.clone(),
        unit: matter.unit.clone(),
        standards_version: set.version.clone(),
        party,
        outcome,
        no_penalty_possible,
        tier: TierRef {
            level: tier.level,
            name: tier.name.clone(),
            situation: tier.situation.clone(),
        },
        decisive_facts: decisive_facts.clone(),
        fine,
        standard_fine: standard_fine.map(out_band),
        statutory_fine: statutory_fine.map(out_band),
        measures,
        adjustments,
        summary_procedure_allowed: summary,
        hearing_right: hearing,
        legal_basis,
        explanation,
        dates: dates.clone(),
    };

    if discovered_date > time_limit_ends {
        cite(
            BasisRole::Discretion,
            penalty_law(36, Some(1), None),
            &mut legal_basis,
        );
        explanation.push(format!(
            "违法行为发生于{act_date}，至{discovered_date}才被发现，已超过{years}年追责期限（截至{time_limit_ends}），依法不再给予行政处罚。"
        ));
        return finish(
            Outcome::TimeBarred,
            None,
            measures,
            vec![],
            false,
            false,
            legal_basis,
            explanation,
            false,
        );
    }

    // 3. No penalty on its own grounds (第三十条, 第三十一条, 第三十三条第二款).
    for (code, article, paragraph, why, extra) in [
        (
            "under_14",
            30,
            None,
            "不满十四周岁的未成年人有违法行为的，不予行政处罚",
            Some("责令监护人加以管教"),
        ),
        (
            "mental_incapacity",
            31,
            None,
            "精神病人、智力残疾人在不能辨认或者不能控制自己行为时有违法行为的，不予行政处罚",
            Some("责令监护人严加看管和治疗"),
        ),
        (
            "no_fault",
            33,
            Some(2),
            "当事人有证据足以证明没有主观过错的，不予行政处罚",
            None,
        ),
    ] {
        if has(code) {
            cite(
                BasisRole::Discretion,
                penalty_law(article, paragraph, None),
                &mut legal_basis,
            );
            cite(
                BasisRole::Discretion,
                penalty_law(33, Some(3), None),
                &mut legal_basis,
            );
            explanation.push(format!(
                "{why}（{}）；应当对当事人进行教育。",
                penalty_law(article, paragraph, None).render()
            ));
            if let Some(e) = extra {
                measures.push(e.to_string());
            }
            return finish(
                Outcome::NoPenalty,
                None,
                measures,
                vec![],
                false,
                false,
                legal_basis,
                explanation,
                false,
            );
        }
    }

    // 4. 第三十三条第一款: 轻微 + 及时改正 + 没有危害后果 → 不予处罚; 初次 + 轻微后果 + 及时改正 → 可以不予处罚.
    let art33_1 = penalty_law(33, Some(1), None);
    if tier.minor && has("corrected_promptly") && has("no_harm") {
        cite(BasisRole::Discretion, art33_1.clone(), &mut legal_basis);
        cite(
            BasisRole::Discretion,
            penalty_law(33, Some(3), None),
            &mut legal_basis,
        );
        explanation.push(format!(
            "所在阶次属违法行为轻微，当事人及时改正且没有造成危害后果，依{}不予行政处罚，并对当事人进行教育。",
            art33_1.render()
        ));
        return finish(
            Outcome::NoPenalty,
            None,
            measures,
            vec![],
            false,
            false,
            legal_basis,
            explanation,
            false,
        );
    }
    let no_penalty_possible =
        has("first_offense") && has("corrected_promptly") && (has("minor_harm") || has("no_harm"));
    if no_penalty_possible {
        cite(BasisRole::Discretion, art33_1.clone(), &mut legal_basis);
        explanation.push(format!(
            "当事人初次违法、危害后果轻微并及时改正，依{}可以不予行政处罚；如决定处罚，适用以下标准。",
            art33_1.render()
        ));
    }

    // 5. 从轻 / 减轻 / 从重.
    let mitigating: Vec<_> = codes
        .iter()
        .filter_map(|c| circumstances::find(c))
        .filter(|c| c.effect == Effect::Mitigating)
        .collect();
    let aggravating: Vec<_> = codes
        .iter()
        .filter_map(|c| circumstances::find(c))
        .filter(|c| c.effect == Effect::Aggravating)
        .collect();
    let policy = &set.policy;
    let mut adjustments = Vec::new();
    let mut fine = standard_fine;
    let basis_of = |cs: &[&circumstances::Circumstance]| -> Vec<Citation> {
        let mut v: Vec<Citation> = Vec::new();
        for c in cs {
            if let Some(b) = &c.basis
                && !v.contains(b)
            {
                v.push(b.clone());
            }
        }
        v
    };
    let names = |cs: &[&circumstances::Circumstance]| {
        cs.iter().map(|c| c.label).collect::<Vec<_>>().join("、")
    };
    let codes_of = |cs: &[&circumstances::Circumstance]| {
        cs.iter().map(|c| c.code.to_string()).collect::<Vec<_>>()
    };
    let policy_note = "本裁量基准适用规则";
    if !mitigating.is_empty() && !aggravating.is_empty() {
        let mut all = mitigating.clone();
        all.extend(aggravating.iter().cloned());
        let effect = format!(
            "同时具有从轻（{}）与从重（{}）情节，按{policy_note}相互抵消，适用本阶次基准。",
            names(&mitigating),
            names(&aggravating)
        );
        explanation.push(effect.clone());
        adjustments.push(Adjustment {
            kind: AdjustmentKind::Offset,
            circumstances: codes_of(&all),
            basis: basis_of(&all),
            effect,
        });
    } else if !mitigating.is_empty() {
        let basis = basis_of(&mitigating);
        let reduce = mitigating.len() >= policy.reduce_min_grounds;
        match (fine, reduce) {
            (None, _) => {
                let effect = format!(
                    "具有{}情节，但本阶次不处罚款，处罚种类已为最轻，不再调整。",
                    names(&mitigating)
                );
                explanation.push(effect.clone());
                adjustments.push(Adjustment {
                    kind: AdjustmentKind::Lighter,
                    circumstances: codes_of(&mitigating),
                    basis,
                    effect,
                });
            }
            (Some(_), true) => {
                let reference = match statutory_fine {
                    Some(s) if !s.min.is_zero() => s.min,
                    _ => matter
                        .tiers
                        .iter()
                        .find_map(|t| ctx.tier_band(t))
                        .map(|b| b.min)
                        .unwrap_or(Decimal::ZERO),
                };
                let amount = money::fixed(reference * policy.reduce_ratio);
                fine = (!amount.is_zero()).then(|| Band::fixed(amount));
                let effect = format!(
                    "具有{}等{}项从轻或者减轻情节（达到{policy_note}规定的{}项），减轻处罚：按法定最低罚款（或最轻阶次罚款）{}的{}计，罚款{}。",
                    names(&mitigating),
                    mitigating.len(),
                    policy.reduce_min_grounds,
                    money::render(reference),
                    percent(policy.reduce_ratio),
                    fine.map(|f| f.render())
                        .unwrap_or_else(|| "不处罚款".into())
                );
                explanation.push(effect.clone());
                adjustments.push(Adjustment {
                    kind: AdjustmentKind::Reduced,
                    circumstances: codes_of(&mitigating),
                    basis,
                    effect,
                });
            }
            (Some(f), false) => {
                let adjusted = if f.is_fixed() {
                    let prev = matter
                        .tiers
                        .get(tier.level.wrapping_sub(2))
                        .filter(|t| ctx.same_kind(t, tier))
                        .and_then(|t| ctx.tier_band(t))
                        .map(|b| b.max);
                    let floor = statutory_fine
                        .map(|s| s.min)
                        .unwrap_or(Decimal::ZERO)
                        .max(prev.unwrap_or(Decimal::ZERO));
                    let x = money::fixed((f.min * (Decimal::ONE - policy.fixed_step)).max(floor));
                    Band::fixed(x.min(f.min))
                } else {
                    Band::new(
                        f.min,
                        money::fixed(f.min + (f.max - f.min) * policy.lighter_share),
                    )
                };
                fine = Some(adjusted);
                let rule_text = if f.is_fixed() {
                    format!(
                        "固定数额下调{}，不低于法定最低额和较轻阶次",
                        percent(policy.fixed_step)
                    )
                } else {
                    format!("取本阶次幅度的较低{}部分", percent(policy.lighter_share))
                };
                let effect = format!(
                    "具有{}情节，从轻处罚（{rule_text}），罚款{}。",
                    names(&mitigating),
                    adjusted.render()
                );
                explanation.push(effect.clone());
                adjustments.push(Adjustment {
                    kind: AdjustmentKind::Lighter,
                    circumstances: codes_of(&mitigating),
                    basis,
                    effect,
                });
            }
        }
    } else if !aggravating.is_empty() {
        let mut basis = basis_of(&aggravating);
        if aggravating.iter().any(|c| c.basis.is_none()) {
            basis.push(penalty_law(34, None, None));
        }
        if let Some(f) = fine {
            let adjusted = if f.is_fixed() {
                let next = matter
                    .tiers
                    .get(tier.level)
                    .filter(|t| ctx.same_kind(t, tier))
                    .and_then(|t| ctx.tier_band(t))
                    .map(|b| b.min);
                let mut ceiling = statutory_fine.map(|s| s.max).unwrap_or(f.max);
                if let Some(n) = next
                    && n > f.max
                {
                    ceiling = ceiling.min(n);
                }
                let x = money::fixed((f.max * (Decimal::ONE + policy.fixed_step)).min(ceiling));
                Band::fixed(x.max(f.max))
            } else {
                Band::new(
                    money::fixed(f.max - (f.max - f.min) * policy.heavier_share),
                    f.max,
                )
            };
            fine = Some(adjusted);
            let rule_text = if f.is_fixed() {
                format!(
                    "固定数额上调{}，不超过法定最高额和较重阶次",
                    percent(policy.fixed_step)
                )
            } else {
                format!("取本阶次幅度的较高{}部分", percent(policy.heavier_share))
            };
            let effect = format!(
                "具有{}情节，从重处罚（{rule_text}），罚款{}。",
                names(&aggravating),
                adjusted.render()
            );
            explanation.push(effect.clone());
            adjustments.push(Adjustment {
                kind: AdjustmentKind::Heavier,
                circumstances: codes_of(&aggravating),
                basis,
                effect,
            });
        } else {
            let effect = format!(
                "具有{}情节，从重处罚；本阶次不处罚款，在本阶次措施内从重。",
                names(&aggravating)
            );
            explanation.push(effect.clone());
            adjustments.push(Adjustment {
                kind: AdjustmentKind::Heavier,
                circumstances: codes_of(&aggravating),
                basis,
                effect,
            });
        }
    }
    for a in &adjustments {
        for c in &a.basis {
            cite(BasisRole::Discretion, c.clone(), &mut legal_basis);
        }
    }

    // 6. Measures: 责令改正 always; the tier's; 没收违法所得 where the article orders it.
    measures.extend(tier.measures.iter().cloned());
    let gains = match facts.get("illegal_gains") {
        Some(FactValue::Number(x)) => Some(*x),
        _ => None,
    };
    if matter
        .statutory
        .measures
        .iter()
        .any(|m| m == "没收违法所得")
        && gains.is_none_or(|g| !g.is_zero())
        && !measures.iter().any(|m| m == "没收违法所得")
    {
        measures.push("没收违法所得".to_string());
    }
    if let Some(f) = &fine {
        explanation.push(format!(
            "应处罚款{}，并{}。",
            f.render(),
            measures.join("、")
        ));
    } else {
        explanation.push(format!("不处罚款，{}。", measures.join("、")));
    }

    // 7. Procedure flags.
    let (summary_limit, hearing_limit) = match party {
        Party::Individual => (Decimal::from(200), policy.hearing_threshold_individual),
        Party::Organisation => (Decimal::from(3000), policy.hearing_threshold_organisation),
    };
    let light_measures_only = measures.iter().all(|m| m == "责令改正" || m == "警告");
    let summary = light_measures_only
        && fine.is_none_or(|f| f.max <= summary_limit)
        && (fine.is_some() || measures.iter().any(|m| m == "警告"));
    let hearing = fine.is_some_and(|f| f.max >= hearing_limit)
        || measures.iter().any(|m| is_heavy_measure(m))
        || (measures.iter().any(|m| m == "没收违法所得")
            && gains.is_some_and(|g| g >= hearing_limit));
    if summary {
        cite(
            BasisRole::Procedure,
            penalty_law(51, None, None),
            &mut legal_basis,
        );
        explanation.push(format!(
            "罚款不超过{}（{}）或仅予警告，可以适用简易程序当场作出决定（{}）。",
            money::render(summary_limit),
            party.label(),
            penalty_law(51, None, None).render()
        ));
    }
    if hearing {
        cite(
            BasisRole::Procedure,
            penalty_law(63, Some(1), None),
            &mut legal_basis,
        );
        explanation.push(format!(
            "拟作出较大数额罚款（{}达到{}）或者较重处罚，应当告知当事人有要求听证的权利（{}）。",
            party.label(),
            money::render(hearing_limit),
            penalty_law(63, Some(1), None).render()
        ));
    }

    finish(
        Outcome::Penalty,
        fine.map(out_band),
        measures,
        adjustments,
        summary,
        hearing,
        legal_basis,
        explanation,
        no_penalty_possible,
    )
}

fn out_band(b: Band) -> Band {
    Band::new(money::yuan(b.min), money::yuan(b.max))
}

fn percent(x: Decimal) -> String {
    format!("{}%", (x * Decimal::ONE_HUNDRED).normalize())
}
