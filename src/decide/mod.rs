//! The decision layer: the one place where a question becomes a decision and its log entry.
//!
//! ```text
//! request (typed) ──▶ standards ──▶ engine / review ──▶ answer (encoded once) ──▶ log entry
//!                                                              │                    │
//!                                     handler sends these bytes ◀── after commit ───┘
//! ```
//!
//! The API (and through it the inspector's page) and the command line only translate to and
//! from it. Every decision is submitted to the log before anyone may see it: a [`Pending`]
//! answer is only released by [`Pending::logged`] (or its blocking twin), which waits for the
//! entry's commit and hands out the receipt with the answer. Standards versions will be chosen
//! here, by the act's and the decision's dates, when there is more than one.

mod entry;
mod recheck;
mod version;

use std::sync::{Arc, RwLock};

use chrono::NaiveDate;
use serde_json::Value;

use crate::engine::{self, CalcRequest, CalcResult};
use crate::request::CalcError;
use crate::review::{self, CaseReview, ReviewCase};
use crate::standards::StandardsSet;
use crate::standards::versions::{Version, Versions};
use crate::supervision::writer::{Committed, LogError, LogWriter};
use crate::supervision::{Caller, Client, NewEntry};

pub use entry::{
    alert_rules_entry, calculation_entry, disposition_entry, review_entry, sample_draw_entry,
    sample_finding_entry,
};
pub use recheck::{Recheck, recheck};

/// Who asks, and through what; the log keeps both with every entry.
#[derive(Debug, Clone)]
pub struct Asker {
    pub caller: Caller,
    pub client: Client,
}

/// Why no answer was given.
#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    /// The request does not fit (names the field).
    #[error("{}", .0.message_en)]
    Refused(CalcError),
    /// The caller may not decide this (another unit's matter): 403.
    #[error("{}", .0.message_en)]
    OutOfScope(CalcError),
    /// The decision was made but could not be logged: it must not be answered.
    #[error("{0}")]
    Log(#[from] LogError),
}

impl From<CalcError> for DecideError {
    fn from(e: CalcError) -> Self {
        DecideError::Refused(e)
    }
}

/// A decision whose log entry is queued but not yet known to be committed.
#[must_use = "an answer may only be given once its log entry is committed"]
pub struct Pending<T> {
    answer: T,
    committed: Committed,
}

/// A decision with its committed log entry's receipt.
#[derive(Debug)]
pub struct Logged<T> {
    pub receipt: String,
    pub answer: T,
}

impl<T> Pending<T> {
    /// The decision, to read while its entry is being committed (never to send).
    pub fn answer(&self) -> &T {
        &self.answer
    }

    /// Waits for the commit; only then is the answer released.
    pub async fn logged(self) -> Result<Logged<T>, LogError> {
        let row = self.committed.wait().await?;
        Ok(Logged {
            receipt: row.receipt.clone(),
            answer: self.answer,
        })
    }

    /// As [`Pending::logged`], from a thread without an async runtime (the command line).
    pub fn logged_blocking(self) -> Result<Logged<T>, LogError> {
        let row = self.committed.wait_blocking()?;
        Ok(Logged {
            receipt: row.receipt.clone(),
            answer: self.answer,
        })
    }
}

/// A calculation's answer, with the JSON sent to the caller encoded once: the log keeps the
/// digest of exactly these bytes.
#[derive(Debug)]
pub struct Calculated {
    pub result: CalcResult,
    pub json: Vec<u8>,
}

impl Logged<Calculated> {
    /// The answer as sent: `{"receipt": …, <the result's fields>}`, without encoding it again.
    pub fn to_json(&self) -> Vec<u8> {
        with_receipt(&self.receipt, &self.answer.json)
    }
}

/// A case review, with the JSON of the review encoded once: the log keeps the digest of exactly
/// these bytes, which the answer carries (alone with the receipt, or as one item of a batch).
#[derive(Debug)]
pub struct Reviewed {
    pub review: CaseReview,
    pub json: Vec<u8>,
}

impl Logged<Reviewed> {
    /// The answer to one case: `{"receipt": …, <the review's fields>}`.
    pub fn to_json(&self) -> Vec<u8> {
        with_receipt(&self.receipt, &self.answer.json)
    }
}

/// Puts `"receipt"` first into an encoded JSON object.
pub fn with_receipt(receipt: &str, object: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(object.len() + receipt.len() + 16);
    out.extend_from_slice(b"{\"receipt\":");
    out.extend_from_slice(&serde_json::to_vec(receipt).expect("strings encode"));
    match object {
        [b'{', b'}'] => out.push(b'}'),
        [b'{', rest @ ..] => {
            out.push(b',');
            out.extend_from_slice(rest);
        }
        _ => unreachable!("answers are JSON objects"),
    }
    out
}

/// A batch case that could not be reviewed: its case number (if it had one) and why.
#[derive(Debug)]
pub struct CaseRefused {
    pub case_ref: Option<String>,
    pub error: CalcError,
}

/// Decides and logs: calculations and case reviews, for every caller alike.
pub struct Decider {
    /// Every standards version; replaced whole when one is published or withdrawn, so that a
    /// request sees one consistent set of versions from start to end.
    versions: RwLock<Arc<Versions>>,
    log: LogWriter,
    /// Units whose reviewers review every unit's matters (the legal office); other reviewers
    /// review their own unit's, supervisors every unit's (issue 15).
    legal_offices: Vec<String>,
}

impl Decider {
    pub fn new(versions: Versions, log: LogWriter) -> Decider {
        Decider {
            versions: RwLock::new(Arc::new(versions)),
            log,
            legal_offices: Vec::new(),
        }
    }

    /// Names the units whose reviewers may review every unit's matters.
    pub fn with_legal_offices(mut self, units: &[String]) -> Decider {
        self.legal_offices = units.iter().map(|u| u.trim().to_uppercase()).collect();
        self
    }

    /// Whether the asker may review every act of `review`: an act is filed under its
    /// matter's unit, and a reviewer reviews their own unit's matters unless their unit is a
    /// legal office; supervisors review all.
    fn may_review(&self, asker: &Asker, review: &CaseReview) -> Result<(), DecideError> {
        let who = &asker.caller;
        if who.role == crate::auth::Role::Supervisor || self.legal_offices.contains(&who.unit) {
            return Ok(());
        }
        match review.acts.iter().find(|a| a.unit != who.unit) {
            None => Ok(()),
            Some(a) => Err(DecideError::OutOfScope(CalcError::invalid(
                "other_unit_matter",
                format!("acts[{}].matter_id", a.act - 1),
                format!(
                    "行为{}的事项属于{}，审核人员只能审核本单位（{}）的案件；跨单位审核由监督人员或法制机构进行",
                    a.act, a.unit, who.unit
                ),
                format!(
                    "act {}'s matter belongs to unit {}; a reviewer of {} reviews their own unit's cases (supervisors and the legal office review all)",
                    a.act, a.unit, who.unit
                ),
            ))),
        }
    }

    /// Every version, as they are now.
    pub fn versions(&self) -> Arc<Versions> {
        self.versions
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Puts newly read versions in place; requests under way finish with the old ones.
    pub fn replace_versions(&self, versions: Versions) {
        *self.versions.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(versions);
    }

    /// The version in force today (China time): what the pages publish and search.
    pub fn in_force(&self) -> Version {
        let versions = self.versions();
        let today = crate::clock::today();
        versions
            .in_force_on(today)
            .or_else(|| versions.earliest())
            .or_else(|| versions.all().first())
            .cloned()
            .expect("the service starts with at least one version")
    }

    /// A supervisor's act (new alert rule settings, a disposition, a spot-check draw, a
    /// finding), queued for the log: it takes effect through the log only — the alerts and the
    /// samples are derived from it. The caller waits for the commit before answering.
    pub fn submit_act(&self, entry: NewEntry) -> Result<Committed, LogError> {
        self.log.submit(entry)
    }

    /// The standard penalty for one violation, queued for the log. `offline_at` is when an
    /// inspector's device made it without network (RFC 3339), sent later.
    pub fn calculate(
        &self,
        request: &CalcRequest,
        asker: &Asker,
        offline_at: Option<&str>,
        today: NaiveDate,
    ) -> Result<Pending<Calculated>, DecideError> {
        // One snapshot of the versions for the answer and its entry.
        let versions = self.versions();
        let result = version::calculate(&versions, request, today)?;
        let json = serde_json::to_vec(&result).expect("results encode");
        let applicable = versions.applicable();
        let entry = calculation_entry(
            asker,
            request,
            &result,
            &json,
            offline_at,
            (today, &applicable),
        );
        let committed = self.log.submit(entry)?;
        Ok(Pending {
            answer: Calculated { result, json },
            committed,
        })
    }

    /// A supervisor's act with an answer: like a decision, `answer` is released only once its
    /// entry is committed.
    pub fn record<T>(&self, entry: NewEntry, answer: T) -> Result<Pending<T>, DecideError> {
        let committed = self.submit_act(entry)?;
        Ok(Pending { answer, committed })
    }

    /// The review of one proposed decision, queued for the log.
    pub fn review(
        &self,
        case: &ReviewCase,
        asker: &Asker,
        today: NaiveDate,
    ) -> Result<Pending<Reviewed>, DecideError> {
        // One snapshot of the versions for the answer and its entry.
        let versions = self.versions();
        let review = review::review(&version::ByDate(&versions), case, today)?;
        self.may_review(asker, &review)?;
        let json = serde_json::to_vec(&review).expect("reviews encode");
        let applicable = versions.applicable();
        let entry = review_entry(asker, case, &review, &json, (today, &applicable));
        let committed = self.log.submit(entry)?;
        Ok(Pending {
            answer: Reviewed { review, json },
            committed,
        })
    }

    /// Reviews the cases of one step of a batch, each on its own (a case the reader already
    /// refused stays refused): all reviewed cases are queued before any is waited for, so that
    /// they share one commit.
    pub fn review_batch(
        &self,
        cases: Vec<Result<Value, CaseRefused>>,
        asker: &Asker,
        today: NaiveDate,
    ) -> Vec<Result<Pending<Reviewed>, CaseRefused>> {
        cases
            .into_iter()
            .map(|v| {
                let v = v?;
                let refused = |error| CaseRefused {
                    case_ref: case_ref_of(&v),
                    error,
                };
                let case = ReviewCase::from_json(&v).map_err(refused)?;
                match self.review(&case, asker, today) {
                    Ok(p) => Ok(p),
                    Err(DecideError::Refused(e) | DecideError::OutOfScope(e)) => Err(refused(e)),
                    Err(DecideError::Log(e)) => Err(refused(log_unavailable(&e))),
                }
            })
            .collect()
    }
}

/// A case's number as given (cut to 100 characters), for naming a refused case.
pub fn case_ref_of(case: &Value) -> Option<String> {
    case.get("case_ref")
        .and_then(Value::as_str)
        .map(|s| s.chars().take(100).collect())
}

/// How often an instance looks whether the standards versions changed in the database.
pub const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Keeps the decider's versions those of the log database: every [`FOLLOW_EVERY`] a cheap
/// fingerprint of the versions table is read; when another instance or the command line
/// published or withdrew a version, all versions are read, loaded and put in place whole
/// (requests under way finish with the ones they started with). A version that no longer
/// loads is reported and the instance keeps the versions it has.
pub fn follow_versions(
    decider: Arc<Decider>,
    storage: crate::supervision::StorageConfig,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("standards-versions".into())
        .spawn(move || {
            let mut store = storage.open().ok();
            // What was loaded at start-up is what the table holds now.
            let mut seen = store.as_mut().and_then(|s| s.versions_fingerprint().ok());
            loop {
                std::thread::sleep(FOLLOW_EVERY);
                if store.is_none() {
                    store = storage.open().ok();
                }
                let Some(s) = store.as_mut() else { continue };
                match follow_once(&decider, s.as_mut(), &mut seen) {
                    Ok(()) => {}
                    Err(e) => {
                        tracing::warn!("standards versions: {e}");
                        store = None;
                    }
                }
            }
        })
        .map(|_| ())
}

/// Reads every version again and puts them in place (after this instance changed the table).
pub fn reload_versions(
    decider: &Decider,
    store: &mut dyn crate::supervision::store::Store,
) -> Result<(), String> {
    let records = store.versions().map_err(|e| e.to_string())?;
    if records.is_empty() {
        // Versions are never deleted: an empty table is damage, not a change to follow.
        return Err("the versions table is empty; keeping the versions loaded".into());
    }
    let current = decider.versions();
    let mut all = Vec::with_capacity(records.len());
    for r in &records {
        // A version's content never changes: one already loaded is reused with its new record
        // (a withdrawal, a new date); only a new one is loaded and checked.
        let v = match current.get(&r.meta.version) {
            Some(loaded) => Version {
                meta: r.meta.clone(),
                ..loaded.clone()
            },
            None => crate::sources::load_version(r)
                .map_err(|p| format!("standards version {}: {p}", r.meta.version))?,
        };
        all.push(v);
    }
    decider.replace_versions(Versions::new(all));
    Ok(())
}

/// One look at the versions table; reloads when its fingerprint changed since `seen`.
fn follow_once(
    decider: &Decider,
    store: &mut dyn crate::supervision::store::Store,
    seen: &mut Option<String>,
) -> Result<(), String> {
    let now = store.versions_fingerprint().map_err(|e| e.to_string())?;
    if seen.as_deref() == Some(now.as_str()) {
        return Ok(());
    }
    reload_versions(decider, store)?;
    tracing::info!("standards versions changed: {now}");
    *seen = Some(now);
    Ok(())
}

/// A log failure inside a batch, reported for its case like any other refusal.
fn log_unavailable(e: &LogError) -> CalcError {
    CalcError {
        code: "log_unavailable",
        field: None,
        message: format!("监督日志无法写入，未作答：{e}"),
        message_en: format!("the log could not be written, so no answer: {e}"),
        not_found: false,
    }
}

/// The standard penalty without a log entry: only for the command line's `calc`, which answers
/// nobody but the person at the terminal (documented as not logged).
pub fn calculate_unlogged(
    set: &StandardsSet,
    request: &CalcRequest,
    today: NaiveDate,
) -> Result<CalcResult, CalcError> {
    engine::calculate(set, request, today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_receipt_goes_first_into_the_encoded_answer() {
        let out = with_receipt("17-9F3A", br#"{"matter_id":"ZHZF-001","fine":null}"#);
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["receipt"], "17-9F3A");
        assert_eq!(v["matter_id"], "ZHZF-001");
        assert!(out.starts_with(br#"{"receipt":"17-9F3A","matter_id""#));
        assert_eq!(with_receipt("1-0000", b"{}"), br#"{"receipt":"1-0000"}"#);
    }
}
