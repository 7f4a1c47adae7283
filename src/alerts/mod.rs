//! Real-time supervision alerts (电子监察预警, issue 17): rules over the log's entries, each
//! alert resting on the entries it names. Pure: no I/O. The alerts are *derived* from the log —
//! [`recompute`] gives them from the entries alone, and the stored ones must agree
//! (`log verify`). What a supervisor changes (the rule settings, a disposition) is itself a log
//! entry, so that the derivation stays exact and tamper-evident.
//!
//! - [`event`]: a stored row read as what the rules need (a calculation, a review, a change of
//!   settings, a disposition).
//! - [`rules`]: one small function per rule.
//! - [`evaluator`]: the incremental evaluator, with state bounded by the settings' windows.
//! - [`settings`]: the rule settings, their defaults and limits.

pub mod evaluator;
pub mod event;
pub mod rules;
pub mod settings;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use evaluator::Evaluator;
pub use event::Event;
pub use settings::RuleSettings;

use crate::supervision::Row;

/// What an alert is about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// 同案反复查询
    RepeatedCase,
    /// 宽缓比例异常
    LenientShare,
    /// 偏离未说明
    ReviewDeparture,
    /// 时效将届满
    TimeLimit,
    /// 离线补录迟延
    LateSync,
}

impl AlertKind {
    pub const ALL: [AlertKind; 5] = [
        AlertKind::RepeatedCase,
        AlertKind::LenientShare,
        AlertKind::ReviewDeparture,
        AlertKind::TimeLimit,
        AlertKind::LateSync,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::RepeatedCase => "repeated_case",
            AlertKind::LenientShare => "lenient_share",
            AlertKind::ReviewDeparture => "review_departure",
            AlertKind::TimeLimit => "time_limit",
            AlertKind::LateSync => "late_sync",
        }
    }

    pub fn parse(s: &str) -> Option<AlertKind> {
        AlertKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The Chinese title, as the pages and the webhook show it.
    pub fn title(self) -> &'static str {
        match self {
            AlertKind::RepeatedCase => "同案反复查询",
            AlertKind::LenientShare => "宽缓比例异常",
            AlertKind::ReviewDeparture => "偏离未说明",
            AlertKind::TimeLimit => "时效将届满",
            AlertKind::LateSync => "离线补录迟延",
        }
    }
}

/// How urgently an alert wants a look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        [Severity::Low, Severity::Medium, Severity::High]
            .into_iter()
            .find(|v| v.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Low => "低",
            Severity::Medium => "中",
            Severity::High => "高",
        }
    }
}

/// A supervisor's 处理意见 on an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DispositionStatus {
    /// 已说明: the unit explained it.
    Explained,
    /// 已移送: referred for investigation.
    Referred,
    /// 不予处理: a false alarm.
    Dismissed,
}

impl DispositionStatus {
    pub const ALL: [DispositionStatus; 3] = [
        DispositionStatus::Explained,
        DispositionStatus::Referred,
        DispositionStatus::Dismissed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DispositionStatus::Explained => "explained",
            DispositionStatus::Referred => "referred",
            DispositionStatus::Dismissed => "dismissed",
        }
    }

    pub fn parse(s: &str) -> Option<DispositionStatus> {
        DispositionStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            DispositionStatus::Explained => "已说明",
            DispositionStatus::Referred => "已移送",
            DispositionStatus::Dismissed => "不予处理",
        }
    }
}

/// The disposition an alert carries: the latest logged one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Disposition {
    pub status: DispositionStatus,
    /// The supervisor's text.
    #[schema(example = "已约谈承办人，系当事人补充了证据材料")]
    pub text: String,
    /// Who recorded it (the supervisor's name).
    pub by: String,
    /// The receipt of the disposition's own log entry.
    #[schema(example = "58-3C1D")]
    pub receipt: String,
    /// When it was logged, RFC 3339 UTC.
    pub at: String,
}

/// One alert: what fired, on which entries, how serious, and what was done about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Alert {
    /// `<seq of the entry that raised it>-<kind>`.
    #[schema(example = "57-repeated_case")]
    pub id: String,
    pub kind: AlertKind,
    /// The Chinese title of the kind.
    #[schema(example = "同案反复查询")]
    pub title: String,
    pub severity: Severity,
    /// The entry that raised it.
    pub seq: i64,
    /// The unit it is filed under (the inspector's; for a review, the reviewed matter's).
    #[schema(example = "ZHZF")]
    pub unit: String,
    /// The inspector (for a review, the case's 承办人).
    pub inspector: String,
    pub matter_id: String,
    pub case_ref: Option<String>,
    /// China-time day of the raising entry, `YYYY-MM-DD`.
    pub day: String,
    /// When the raising entry was logged, RFC 3339 UTC.
    pub raised_at: String,
    /// The receipts of the entries it rests on, oldest first (the raising entry last).
    #[schema(example = json!(["41-0A7B", "57-D2E9"]))]
    pub entries: Vec<String>,
    /// What the rule saw, in Chinese.
    pub detail: String,
    pub disposition: Option<Disposition>,
}

impl Alert {
    /// `open`, or the disposition's status.
    pub fn status(&self) -> &'static str {
        self.disposition
            .as_ref()
            .map_or("open", |d| d.status.as_str())
    }
}

/// What evaluating one entry changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Raised(Box<Alert>),
    Disposed {
        alert_id: String,
        disposition: Disposition,
    },
}

impl Effect {
    /// The log entry it comes from: an effect at or below the stored progress was applied
    /// already (by this or another instance) and is not applied again — a lagging instance
    /// never writes an older disposition over a newer one.
    pub fn source_seq(&self) -> i64 {
        match self {
            Effect::Raised(a) => a.seq,
            Effect::Disposed { disposition, .. } => disposition
                .receipt
                .split_once('-')
                .and_then(|(seq, _)| seq.parse().ok())
                .unwrap_or(i64::MAX),
        }
    }
}

/// The alerts the log calls for, recomputed from its rows in chain order: what the stored
/// alerts must equal. A disposition of an alert that does not exist changes nothing.
pub fn recompute(rows: impl IntoIterator<Item = Row>) -> BTreeMap<String, Alert> {
    let mut ev = Evaluator::default();
    let mut alerts = BTreeMap::new();
    for row in rows {
        for effect in ev.feed(&Event::of(&row)) {
            apply(&mut alerts, effect);
        }
    }
    alerts
}

/// One effect on a set of alerts.
pub fn apply(alerts: &mut BTreeMap<String, Alert>, effect: Effect) {
    match effect {
        Effect::Raised(a) => {
            alerts.entry(a.id.clone()).or_insert(*a);
        }
        Effect::Disposed {
            alert_id,
            disposition,
        } => {
            if let Some(a) = alerts.get_mut(&alert_id) {
                a.disposition = Some(disposition);
            }
        }
    }
}

/// The first disagreement between the alerts the log calls for and those stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertFault {
    /// The log calls for it, the store does not have it.
    Missing { id: String },
    /// Stored, but the log does not call for it.
    Extra { id: String },
    /// Stored otherwise than the log calls for (its content or its disposition).
    Altered { id: String },
}

impl std::fmt::Display for AlertFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AlertFault::Missing { id } => write!(
                f,
                "alert {id} is missing: the log calls for it but it is not stored (removed)"
            ),
            AlertFault::Extra { id } => write!(
                f,
                "alert {id} is stored but the log does not call for it (added)"
            ),
            AlertFault::Altered { id } => write!(
                f,
                "alert {id} was altered: it differs from what the log calls for (its content or its disposition)"
            ),
        }
    }
}

/// Compares the recomputed alerts with the stored ones (both keyed by id).
pub fn compare(
    expected: &BTreeMap<String, Alert>,
    stored: &BTreeMap<String, Alert>,
) -> Result<usize, AlertFault> {
    for (id, a) in expected {
        match stored.get(id) {
            None => return Err(AlertFault::Missing { id: id.clone() }),
            Some(s) if s != a => return Err(AlertFault::Altered { id: id.clone() }),
            Some(_) => {}
        }
    }
    match stored.keys().find(|id| !expected.contains_key(*id)) {
        Some(id) => Err(AlertFault::Extra { id: id.clone() }),
        None => Ok(stored.len()),
    }
}
