//! What the log keeps of a decision: the request as understood, the answer's essentials and
//! the digest of the exact answer sent. Each part is encoded once, from typed values.
//!
//! A calculation's entry leaves out what the standards version and the request determine
//! (tier name, statutory and standard bands, dates, explanation, legal basis): the engine is
//! deterministic, so those are reproducible from the entry, and `answer_sha256` proves which
//! bytes were answered. It keeps what supervision reads without recomputing: the fine, the
//! adjustments, the measures, the flags.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::Asker;
use crate::engine::{AdjustmentKind, CalcRequest, CalcResult};
use crate::review::{CaseReview, ReviewCase};
use crate::standards::{Band, Party};
use crate::supervision::sample::{DrawRecord, RecordedFinding, SampleRequest};
use crate::supervision::{EntryKind, EntryOutcome, NewEntry, ReviewActIndex, hex, raw};

/// A calculation's request as the log keeps it (the matter and case number are columns).
#[derive(Serialize)]
struct LoggedRequest<'a> {
    party: Party,
    facts: &'a Map<String, Value>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    circumstances: &'a [String],
    act_date: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    act_end_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    discovered_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decision_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    offline_at: Option<&'a str>,
    /// The day the engine took as today (China time) and the standards versions that could
    /// apply: with the request, what recomputes the answer (`log verify --recompute`).
    today: NaiveDate,
    versions: &'a [String],
}

#[derive(Serialize)]
struct LoggedAdjustment<'a> {
    kind: AdjustmentKind,
    circumstances: &'a [String],
}

/// A calculation's answer as the log keeps it (flags only when set).
#[derive(Serialize)]
struct LoggedAnswer<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    fine: Option<&'a Band>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    adjustments: Vec<LoggedAdjustment<'a>>,
    measures: &'a [String],
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    no_penalty_possible: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    summary_procedure_allowed: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    hearing_right: bool,
    /// sha256 of the JSON answered (without the receipt), hex.
    answer_sha256: String,
}

/// The entry of one calculation; `answer` is the JSON sent (before the receipt is added).
pub fn calculation_entry(
    asker: &Asker,
    request: &CalcRequest,
    result: &CalcResult,
    answer: &[u8],
    offline_at: Option<&str>,
    (today, versions): (NaiveDate, &[String]),
) -> NewEntry {
    let logged_request = LoggedRequest {
        party: request.party,
        facts: &request.facts,
        circumstances: &request.circumstances,
        act_date: request.act_date,
        act_end_date: request.act_end_date,
        discovered_date: request.discovered_date,
        decision_date: request.decision_date,
        offline_at,
        today,
        versions,
    };
    let logged_answer = LoggedAnswer {
        fine: result.fine.as_ref(),
        adjustments: result
            .adjustments
            .iter()
            .map(|a| LoggedAdjustment {
                kind: a.kind,
                circumstances: &a.circumstances,
            })
            .collect(),
        measures: &result.measures,
        no_penalty_possible: result.no_penalty_possible,
        summary_procedure_allowed: result.summary_procedure_allowed,
        hearing_right: result.hearing_right,
        answer_sha256: hex(&Sha256::digest(answer)),
    };
    NewEntry {
        kind: EntryKind::Calculation,
        caller: asker.caller.clone(),
        client: asker.client,
        matter_id: result.matter_id.clone(),
        standards_version: result.standards_version.clone(),
        outcome: EntryOutcome::Calculation(result.outcome),
        tier: Some(result.tier.level),
        case_ref: request.case_ref.clone(),
        request: raw(&logged_request),
        result: raw(&logged_answer),
        offline: offline_at.is_some(),
        review_acts: Vec::new(),
    }
}

/// A review's request as the log keeps it: the case as received, and (as for a calculation)
/// the day taken as today and the versions that could apply — with the case, what recomputes
/// the answer (`log verify --recompute`).
#[derive(Serialize)]
struct LoggedCase<'a> {
    #[serde(flatten)]
    case: &'a ReviewCase,
    today: NaiveDate,
    versions: &'a [String],
}

/// The entry of a review: the case as received, the verdicts, the digest of the JSON answered
/// (`answer`, before the receipt is added), and one index row per act for the deviation
/// statistics.
pub fn review_entry(
    asker: &Asker,
    case: &ReviewCase,
    review: &CaseReview,
    answer: &[u8],
    (today, versions): (NaiveDate, &[String]),
) -> NewEntry {
    let first = &review.acts[0];
    let inspector = case
        .inspector
        .clone()
        .unwrap_or_else(|| "（未填写承办人）".to_string());
    NewEntry {
        kind: EntryKind::Review,
        caller: asker.caller.clone(),
        client: asker.client,
        matter_id: first.matter_id.clone(),
        standards_version: review.standards_version.clone(),
        outcome: EntryOutcome::Review(review.verdict),
        tier: Some(first.standard.tier.level),
        case_ref: Some(case.case_ref.clone()),
        request: raw(&LoggedCase {
            case,
            today,
            versions,
        }),
        result: raw(&serde_json::json!({
            "verdict": review.verdict,
            "reason_required": review.reason_required,
            "acts": review.acts.iter().map(|a| serde_json::json!({
                "act": a.act,
                "unit": a.unit,
                "matter_id": a.matter_id,
                "governing": a.governing.as_ref().map(|g| &g.matter_id),
                "verdict": a.verdict,
                "direction": a.direction,
                "fine_deviation": a.fine_deviation,
                "reason_required": a.reason_required,
                "standards_version": a.standards_version,
                "tier": {"level": a.standard.tier.level, "name": a.standard.tier.name},
                "standard_fine": a.standard.fine,
                "proposed": a.proposed,
                "findings": a.findings.iter().map(|f| f.code).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "answer_sha256": hex(&Sha256::digest(answer)),
        })),
        offline: false,
        review_acts: review
            .acts
            .iter()
            .map(|a| ReviewActIndex {
                act: a.act as i64,
                unit: a.unit.clone(),
                inspector: inspector.clone(),
                matter_id: a.matter_id.clone(),
                verdict: a.verdict.as_str().into(),
                direction: a.direction.map(|d| d.as_str().to_string()),
                reason_required: a.reason_required,
            })
            .collect(),
    }
}

/// The entry of a supervisor's change of the alert rules: the settings are the request, so
/// that recomputing the alerts from the log uses them from this entry on.
pub fn alert_rules_entry(asker: &Asker, settings: &crate::alerts::RuleSettings) -> NewEntry {
    NewEntry {
        kind: EntryKind::AlertRules,
        caller: asker.caller.clone(),
        client: asker.client,
        matter_id: String::new(),
        standards_version: String::new(),
        outcome: EntryOutcome::RulesUpdated,
        tier: None,
        case_ref: None,
        request: raw(settings),
        result: raw(&serde_json::json!({})),
        offline: false,
        review_acts: Vec::new(),
    }
}

/// The entry of a disposition (处理意见) of an alert: the alert it disposes, the status and
/// the text; filed under the alert's matter and case so that the case's history shows it.
pub fn disposition_entry(
    asker: &Asker,
    alert: &crate::alerts::Alert,
    status: crate::alerts::DispositionStatus,
    text: &str,
) -> NewEntry {
    NewEntry {
        kind: EntryKind::AlertDisposition,
        caller: asker.caller.clone(),
        client: asker.client,
        matter_id: alert.matter_id.clone(),
        standards_version: String::new(),
        outcome: EntryOutcome::Disposition(status),
        tier: None,
        case_ref: alert.case_ref.clone(),
        request: raw(&serde_json::json!({
            "alert": alert.id,
            "status": status,
            "text": text,
        })),
        result: raw(&serde_json::json!({})),
        offline: false,
        review_acts: Vec::new(),
    }
}

/// The entry of a spot-check draw: the parameters with the seed used, the last entry read,
/// the weight rule and the receipts drawn — what a replay redraws and compares.
pub fn sample_draw_entry(asker: &Asker, request: &SampleRequest, record: &DrawRecord) -> NewEntry {
    NewEntry {
        kind: EntryKind::SampleDraw,
        caller: asker.caller.clone(),
        client: asker.client,
        matter_id: String::new(),
        standards_version: String::new(),
        outcome: EntryOutcome::Drawn,
        tier: None,
        case_ref: None,
        request: raw(request),
        result: raw(record),
        offline: false,
        review_acts: Vec::new(),
    }
}

/// The entry of a finding on one drawn case file: the sample, the drawn entry, the conclusion
/// (its outcome) and the reviewer's note.
pub fn sample_finding_entry(asker: &Asker, finding: &RecordedFinding) -> NewEntry {
    NewEntry {
        kind: EntryKind::SampleFinding,
        caller: asker.caller.clone(),
        client: asker.client,
        matter_id: finding.matter_id.clone(),
        standards_version: String::new(),
        outcome: EntryOutcome::Finding(finding.conclusion),
        tier: None,
        case_ref: Some(finding.case_ref.clone()),
        request: raw(finding),
        result: raw(&serde_json::json!({})),
        offline: false,
        review_acts: Vec::new(),
    }
}
