//! A stored row read as what the rules need. Everything comes from the row's hashed content
//! (its columns and body), so that recomputing from the log gives the same events.

use std::borrow::Cow;
use std::hash::{Hash, Hasher};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::{Disposition, DispositionStatus, RuleSettings};
use crate::supervision::{EntryKind, Row};

/// One logged calculation, as the rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Calc {
    pub seq: i64,
    pub receipt: String,
    pub recorded_at: DateTime<Utc>,
    /// `recorded_at` as stored.
    pub raised_at: String,
    pub day: String,
    pub inspector: String,
    pub unit: String,
    pub matter_id: String,
    pub case_ref: Option<String>,
    /// A digest of what decides the answer: party, facts, circumstances and the dates (a
    /// backdated act or a moved discovery can reach 超过时效 as surely as other facts). Two
    /// calculations of one case with different digests were asked on different facts.
    pub facts: u64,
    pub outcome: String,
    pub tier: Option<i64>,
    /// 减轻 applied.
    pub reduced: bool,
    /// 首违不罚 open to the inspector (第三十三条第一款: 可以不予行政处罚).
    pub no_penalty_possible: bool,
    /// The day the engine took as today.
    pub today: Option<NaiveDate>,
    /// 第三十六条: the last day on which discovery keeps the act punishable.
    pub limit_ends: Option<NaiveDate>,
    pub discovered: bool,
    /// When an offline calculation was made on the device (`X-Offline-At`).
    pub offline_at: Option<DateTime<Utc>>,
}

/// One reviewed act's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct ActVerdict {
    pub act: i64,
    pub unit: String,
    pub matter_id: String,
    pub verdict: String,
    /// Deviated without the written reason a departure needs.
    pub reason_missing: bool,
}

/// One logged review.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub seq: i64,
    pub receipt: String,
    pub recorded_at: DateTime<Utc>,
    /// `recorded_at` as stored.
    pub raised_at: String,
    pub day: String,
    /// The case's 承办人.
    pub inspector: String,
    pub reviewer_unit: String,
    pub case_ref: Option<String>,
    pub acts: Vec<ActVerdict>,
}

/// A logged disposition of an alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Disposed {
    pub alert_id: String,
    pub disposition: Disposition,
}

/// What one entry means to the alert rules.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Calculation(Box<Calc>),
    Review(Box<Review>),
    /// The rule settings from this entry on.
    Rules(Box<RuleSettings>),
    Disposition(Box<Disposed>),
    /// An entry no rule reads (another kind, or one that cannot be read).
    Other,
}

impl Event {
    /// Reads a stored row.
    pub fn of(row: &Row) -> Event {
        let at = DateTime::parse_from_rfc3339(&row.recorded_at)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        // Most entries are calculations of format 2: read only what the rules need, without
        // building the whole body (the evaluator's main cost otherwise).
        if row.columns.kind == EntryKind::Calculation.as_str()
            && row.body.starts_with("{\"v\":2,")
            && let Some(c) = lite_calc(row, at)
        {
            return Event::Calculation(Box::new(c));
        }
        let Ok(e) = row.entry() else {
            return Event::Other;
        };
        match e.kind.as_str() {
            k if k == EntryKind::Calculation.as_str() => calc(row, at, &e.request, &e.result)
                .map_or(Event::Other, |c| Event::Calculation(Box::new(c))),
            k if k == EntryKind::Review.as_str() => {
                Event::Review(Box::new(review(row, at, &e.request, &e.result)))
            }
            k if k == EntryKind::AlertRules.as_str() => {
                match serde_json::from_value::<RuleSettings>(e.request) {
                    Ok(s) => Event::Rules(Box::new(s)),
                    Err(_) => Event::Other,
                }
            }
            k if k == EntryKind::AlertDisposition.as_str() => disposition(row, &e.request)
                .map_or(Event::Other, |d| Event::Disposition(Box::new(d))),
            _ => Event::Other,
        }
    }
}

/// A digest of party, facts (their JSON text: an object with sorted keys, as the entry was
/// encoded) and circumstances (sorted: their order says nothing).
fn facts_digest(party: &str, facts: &str, mut circumstances: Vec<&str>, dates: [&str; 4]) -> u64 {
    circumstances.sort_unstable();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    party.hash(&mut h);
    facts.hash(&mut h);
    circumstances.hash(&mut h);
    dates.hash(&mut h);
    h.finish()
}

/// What the rules read of a calculation's body (format 2), borrowed from its text.
#[derive(Deserialize)]
struct LiteBody<'a> {
    #[serde(borrow)]
    request: LiteRequest<'a>,
    #[serde(borrow, default)]
    result: LiteResult<'a>,
}

#[derive(Deserialize)]
struct LiteRequest<'a> {
    #[serde(borrow)]
    party: Option<&'a RawValue>,
    #[serde(borrow)]
    facts: Option<&'a RawValue>,
    #[serde(borrow, default)]
    circumstances: Vec<Cow<'a, str>>,
    #[serde(borrow, default)]
    act_date: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    act_end_date: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    discovered_date: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    decision_date: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    today: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    offline_at: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
struct LiteResult<'a> {
    #[serde(borrow, default)]
    adjustments: Vec<LiteAdjustment<'a>>,
    #[serde(default)]
    no_penalty_possible: bool,
}

#[derive(Deserialize)]
struct LiteAdjustment<'a> {
    #[serde(borrow)]
    kind: Cow<'a, str>,
}

fn lite_day(v: &Option<Cow<'_, str>>) -> Option<NaiveDate> {
    v.as_deref().and_then(|s| s.parse().ok())
}

/// A calculation read from a format-2 body; `None` if it does not read so (the full reader
/// then tries).
fn lite_calc(row: &Row, at: DateTime<Utc>) -> Option<Calc> {
    let b: LiteBody = serde_json::from_str(&row.body).ok()?;
    Some(calc_of(row, at, &b.request, &b.result))
}

/// What the rules need of a calculation: its row's columns, its request and its result.
fn calc_of(row: &Row, at: DateTime<Utc>, r: &LiteRequest, b: &LiteResult) -> Calc {
    let circumstances: Vec<&str> = r.circumstances.iter().map(|c| c.as_ref()).collect();
    let five = circumstances.contains(&crate::engine::FIVE_YEARS);
    let start = lite_day(&r.act_end_date).or_else(|| lite_day(&r.act_date));
    fn raw(v: Option<&RawValue>) -> &str {
        v.map_or("null", RawValue::get)
    }
    let c = &row.columns;
    Calc {
        seq: row.seq,
        receipt: row.receipt.clone(),
        recorded_at: at,
        raised_at: row.recorded_at.clone(),
        day: row.day.clone(),
        inspector: c.inspector.clone(),
        unit: c.unit.clone(),
        matter_id: c.matter_id.clone(),
        case_ref: c.case_ref.clone(),
        facts: facts_digest(
            raw(r.party),
            raw(r.facts),
            circumstances,
            [
                &r.act_date,
                &r.act_end_date,
                &r.discovered_date,
                &r.decision_date,
            ]
            .map(|d| d.as_deref().unwrap_or("")),
        ),
        outcome: c.outcome.clone(),
        tier: c.tier,
        reduced: b.adjustments.iter().any(|a| a.kind == "reduced"),
        no_penalty_possible: b.no_penalty_possible,
        today: lite_day(&r.today),
        limit_ends: start.map(|s| crate::engine::limit_ends(s, five)),
        discovered: r.discovered_date.is_some(),
        offline_at: r
            .offline_at
            .as_deref()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&Utc)),
    }
}

/// A calculation of an older format (or a format-2 body the borrowing reader refused): its
/// request and result encoded again and read by the same reader, so both formats give the same
/// facts and digests. `None` if they do not read as a calculation.
fn calc(row: &Row, at: DateTime<Utc>, request: &Value, result: &Value) -> Option<Calc> {
    let (request, result) = (request.to_string(), result.to_string());
    let r: LiteRequest = serde_json::from_str(&request).ok()?;
    let b: LiteResult = serde_json::from_str(&result).ok()?;
    Some(calc_of(row, at, &r, &b))
}

fn review(row: &Row, at: DateTime<Utc>, request: &Value, result: &Value) -> Review {
    let acts = result["acts"].as_array().cloned().unwrap_or_default();
    Review {
        seq: row.seq,
        receipt: row.receipt.clone(),
        recorded_at: at,
        raised_at: row.recorded_at.clone(),
        day: row.day.clone(),
        inspector: request["inspector"]
            .as_str()
            .unwrap_or("（未填写承办人）")
            .to_string(),
        reviewer_unit: row.columns.unit.clone(),
        case_ref: row.columns.case_ref.clone(),
        acts: acts
            .iter()
            .map(|a| ActVerdict {
                act: a["act"].as_i64().unwrap_or_default(),
                unit: a["unit"].as_str().unwrap_or(&row.columns.unit).to_string(),
                matter_id: a["matter_id"].as_str().unwrap_or_default().to_string(),
                verdict: a["verdict"].as_str().unwrap_or_default().to_string(),
                reason_missing: a["reason_required"].as_bool().unwrap_or_default(),
            })
            .collect(),
    }
}

fn disposition(row: &Row, request: &Value) -> Option<Disposed> {
    Some(Disposed {
        alert_id: request["alert"].as_str()?.to_string(),
        disposition: Disposition {
            status: DispositionStatus::parse(request["status"].as_str()?)?,
            text: request["text"].as_str()?.to_string(),
            by: row.columns.inspector.clone(),
            receipt: row.receipt.clone(),
            at: row.recorded_at.clone(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::supervision::{Caller, Client, GENESIS, NewEntry, raw};

    /// The quick reader of calculations and the full one read an entry alike.
    #[test]
    fn a_calculation_reads_the_same_quickly_or_in_full() {
        let e = NewEntry {
            kind: EntryKind::Calculation,
            caller: Caller {
                token_id: "t".into(),
                name: "张三".into(),
                unit: "ZHZF".into(),
                role: Role::Inspector,
            },
            client: Client::Mobile,
            matter_id: "ZHZF-019".into(),
            standards_version: "2026.1".into(),
            outcome: crate::supervision::EntryOutcome::Calculation(crate::engine::Outcome::Penalty),
            tier: Some(2),
            case_ref: Some("案\"1\"".into()),
            request: raw(&serde_json::json!({"party": "individual",
                "facts": {"stall_area": "1.5", "in_bridge_or_underpass": false},
                "circumstances": ["minor_harm", "endangers_life_health_finance"],
                "act_date": "2025-01-04", "act_end_date": "2025-02-01", "today": "2026-12-05",
                "offline_at": "2026-12-04T10:00:00+08:00"})),
            result: raw(
                &serde_json::json!({"adjustments": [{"kind": "reduced", "circumstances": []}]}),
            ),
            offline: true,
            review_acts: Vec::new(),
        };
        let row = Row::seal(
            &e.prepare(),
            7,
            "2026-12-05T02:00:00.000Z",
            "2026-12-05",
            GENESIS,
        );
        let Event::Calculation(quick) = Event::of(&row) else {
            panic!("a calculation")
        };
        let full = row.entry().unwrap();
        assert_eq!(
            Some(*quick.clone()),
            calc(&row, quick.recorded_at, &full.request, &full.result)
        );
        assert!(quick.reduced && quick.offline_at.is_some());
        assert_eq!(
            quick.limit_ends,
            "2030-02-01".parse().ok(),
            "five years from the end"
        );
    }
}
