//! A stored row read as what the rules need. Everything comes from the row's hashed content
//! (its columns and body), so that recomputing from the log gives the same events.

use std::hash::{Hash, Hasher};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

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
    /// A digest of what decides the answer: party, facts, circumstances (not the dates).
    /// Two calculations of one case with different digests were asked on different facts.
    pub facts: u64,
    pub outcome: String,
    pub tier: Option<i64>,
    /// 减轻 applied.
    pub reduced: bool,
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
        let Ok(e) = row.entry() else {
            return Event::Other;
        };
        let at = DateTime::parse_from_rfc3339(&row.recorded_at)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        match e.kind.as_str() {
            k if k == EntryKind::Calculation.as_str() => {
                Event::Calculation(Box::new(calc(row, at, &e.request, &e.result)))
            }
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

fn day(v: &Value) -> Option<NaiveDate> {
    v.as_str().and_then(|s| s.parse().ok())
}

/// A digest of party, facts and circumstances (the circumstances sorted: their order says
/// nothing). The facts are an object with sorted keys, as serde_json keeps them.
fn facts_digest(request: &Value) -> u64 {
    let mut circumstances: Vec<&str> = request["circumstances"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    circumstances.sort_unstable();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    request["party"].to_string().hash(&mut h);
    request["facts"].to_string().hash(&mut h);
    circumstances.hash(&mut h);
    h.finish()
}

fn calc(row: &Row, at: DateTime<Utc>, request: &Value, result: &Value) -> Calc {
    let c = &row.columns;
    let five = request["circumstances"]
        .as_array()
        .is_some_and(|a| a.iter().any(|v| v == crate::engine::FIVE_YEARS));
    let start = day(&request["act_end_date"]).or_else(|| day(&request["act_date"]));
    let reduced = result["adjustments"]
        .as_array()
        .is_some_and(|a| a.iter().any(|x| x["kind"] == "reduced"));
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
        facts: facts_digest(request),
        outcome: c.outcome.clone(),
        tier: c.tier,
        reduced,
        today: day(&request["today"]),
        limit_ends: start.map(|s| crate::engine::limit_ends(s, five)),
        discovered: request["discovered_date"].is_string(),
        offline_at: request["offline_at"]
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&Utc)),
    }
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
