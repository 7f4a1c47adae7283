//! The supervision log (电子监察): every decision-like answer is recorded before it is sent,
//! in an append-only hash chain that `penalty-standards log verify` can check.
//!
//! This module is the pure part: what an entry holds, its canonical encoding, the chain hash,
//! the receipt, and the verification of a sequence of stored rows. Storage lives in `store`,
//! `sqlite`, `postgres`; the group-commit writer in `writer`.

pub mod alerting;
pub mod checkpoint;
pub mod compact;
pub mod postgres;
pub mod report;
pub mod sample;
pub mod sqlite;
pub mod store;
pub mod webhook;
pub mod writer;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::auth::Role;
use utoipa::ToSchema;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who asked: resolved from the bearer token (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Caller {
    pub token_id: String,
    pub name: String,
    pub unit: String,
    pub role: Role,
}

/// What kind of answer an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// 裁量查询: one calculation.
    Calculation,
    /// 法制审核: one reviewed case.
    Review,
    /// 案卷评查抽样: a supervisor's draw of case files to check.
    SampleDraw,
    /// 案卷评查意见: a finding on one drawn case file.
    SampleFinding,
    /// A supervisor's change of the alert rules' settings (the settings are the request).
    AlertRules,
    /// A supervisor's disposition (处理意见) of an alert.
    AlertDisposition,
}

impl EntryKind {
    /// How the pages and the CSV export name an entry of this kind (`kind` as stored).
    pub fn label_of(kind: &str) -> &'static str {
        match kind {
            "review" => "法制审核",
            "alert_rules" => "预警规则设置",
            "alert_disposition" => "预警处理意见",
            "sample_draw" => "案卷评查抽样",
            "sample_finding" => "案卷评查意见",
            _ => "裁量查询",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Calculation => "calculation",
            EntryKind::Review => "review",
            EntryKind::SampleDraw => "sample_draw",
            EntryKind::SampleFinding => "sample_finding",
            EntryKind::AlertRules => "alert_rules",
            EntryKind::AlertDisposition => "alert_disposition",
        }
    }
}

/// Through what the question came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Client {
    /// A REST client.
    Rest,
    /// The inspector's page (`/m`).
    Mobile,
    /// `penalty-standards review cases.csv`.
    Csv,
    /// The supervision pages (`/supervision`), signed in with a session.
    Web,
}

impl Client {
    pub fn as_str(self) -> &'static str {
        match self {
            Client::Rest => "rest",
            Client::Mobile => "mobile",
            Client::Csv => "csv",
            Client::Web => "web",
        }
    }
}

/// What an entry records in its `outcome` column, typed by what the entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryOutcome {
    /// The engine's outcome (`penalty`, `no_penalty`, `time_barred`).
    Calculation(crate::engine::Outcome),
    /// The review's verdict (`conforms`, `deviates`, `unlawful`).
    Review(crate::review::Verdict),
    /// New alert rule settings (`updated`).
    RulesUpdated,
    /// A disposition of an alert (`explained`, `referred`, `dismissed`).
    Disposition(crate::alerts::DispositionStatus),
    /// A spot-check draw (`drawn`).
    Drawn,
    /// A spot-check finding (`conforms`, `deviates`, `unlawful`).
    Finding(sample::Conclusion),
}

impl EntryOutcome {
    /// The code the log and the API use.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryOutcome::Calculation(o) => o.as_str(),
            EntryOutcome::Review(v) => v.as_str(),
            EntryOutcome::RulesUpdated => "updated",
            EntryOutcome::Disposition(d) => d.as_str(),
            EntryOutcome::Drawn => "drawn",
            EntryOutcome::Finding(c) => c.as_str(),
        }
    }
}

/// An entry before it is stored: everything but its place in the chain. The request and the
/// answer's essentials arrive already encoded (each serialised once, from typed values).
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub kind: EntryKind,
    pub caller: Caller,
    pub client: Client,
    pub matter_id: String,
    pub standards_version: String,
    pub outcome: EntryOutcome,
    pub tier: Option<usize>,
    pub case_ref: Option<String>,
    /// The request as understood (party, facts, circumstances, dates).
    pub request: Box<RawValue>,
    /// The answer's essentials.
    pub result: Box<RawValue>,
    /// Made on a device without network and sent later (the mobile page).
    pub offline: bool,
    /// For a review: one index row per act (derived from `result`, not part of the body).
    pub review_acts: Vec<ReviewActIndex>,
}

/// The body of an entry (format 2): what has no column of its own. The columns and this body
/// are hashed together ([`chain_hash_v2`]), so no column can change unnoticed.
#[derive(Serialize)]
struct BodyV2<'a> {
    v: u8,
    token_id: &'a str,
    role: Role,
    client: Client,
    standards_version: &'a str,
    request: &'a RawValue,
    result: &'a RawValue,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    offline: bool,
}

/// A value encoded once, to be placed in an entry's body as it is.
pub fn raw(value: &impl Serialize) -> Box<RawValue> {
    serde_json::value::to_raw_value(value).expect("log values serialize")
}

/// A stored body read back. Format 1 (before migration 3) repeats every column inside the
/// body (`kind`, `caller`, `matter_id`, …); format 2 (`"v": 2`) holds only the rest.
#[derive(Debug, Clone, Deserialize)]
struct StoredBody {
    #[serde(default)]
    v: u8,
    // Format 1 only.
    kind: Option<String>,
    caller: Option<Caller>,
    matter_id: Option<String>,
    outcome: Option<String>,
    tier: Option<usize>,
    case_ref: Option<String>,
    // Format 2 only.
    token_id: Option<String>,
    role: Option<Role>,
    // Both.
    client: String,
    standards_version: String,
    request: Value,
    result: Value,
    #[serde(default)]
    offline: bool,
}

/// What the statistics need of one reviewed act.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReviewActIndex {
    pub act: i64,
    /// The unit the review is filed under: the reviewed matter's (issue 15).
    pub unit: String,
    /// The case's 承办人.
    pub inspector: String,
    pub matter_id: String,
    pub verdict: String,
    pub direction: Option<String>,
    pub reason_required: bool,
}

/// The values of an entry the database indexes and filters on, each in its own column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    pub kind: String,
    /// The caller's name.
    pub inspector: String,
    /// The caller's unit.
    pub unit: String,
    pub matter_id: String,
    pub outcome: String,
    pub tier: Option<i64>,
    pub case_ref: Option<String>,
}

/// An entry ready for the writer: its body already encoded (on the request's worker, in
/// parallel), and its columns.
#[derive(Debug, Clone)]
pub struct PreparedEntry {
    pub body: String,
    /// The body as stored (`compact::encode`), encoded on the request's worker.
    pub stored: Vec<u8>,
    pub columns: Columns,
    pub review_acts: Vec<ReviewActIndex>,
}

impl NewEntry {
    /// Encodes the entry once: the body (format 2) is stored as text and hashed as stored, so
    /// verification never re-serialises.
    pub fn prepare(self) -> PreparedEntry {
        let body = serde_json::to_string(&BodyV2 {
            v: 2,
            token_id: &self.caller.token_id,
            role: self.caller.role,
            client: self.client,
            standards_version: &self.standards_version,
            request: &self.request,
            result: &self.result,
            offline: self.offline,
        })
        .expect("entries serialize");
        PreparedEntry {
            stored: compact::encode(&body),
            body,
            columns: Columns {
                kind: self.kind.as_str().into(),
                inspector: self.caller.name,
                unit: self.caller.unit,
                matter_id: self.matter_id,
                outcome: self.outcome.as_str().into(),
                tier: self.tier.map(|t| t as i64),
                case_ref: self.case_ref,
            },
            review_acts: self.review_acts,
        }
    }
}

/// A stored entry: the entry plus its place in the chain.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct StoredEntry {
    pub seq: i64,
    pub receipt: String,
    /// RFC 3339, UTC.
    pub recorded_at: String,
    /// The date in China Standard Time, `YYYY-MM-DD`.
    pub day: String,
    pub kind: String,
    pub caller: Caller,
    pub client: String,
    pub matter_id: String,
    pub standards_version: String,
    pub outcome: String,
    pub tier: Option<usize>,
    pub case_ref: Option<String>,
    #[schema(value_type = Object)]
    pub request: Value,
    #[schema(value_type = Object)]
    pub result: Value,
    pub offline: bool,
    pub prev_hash: String,
    pub hash: String,
}

/// sha256 over the previous hash, the entry's place (seq, time, day) and its body, hex.
pub fn chain_hash(prev_hash: &str, seq: i64, recorded_at: &str, day: &str, body: &str) -> String {
    let mut h = Sha256::new();
    for part in [prev_hash, &seq.to_string(), recorded_at, day] {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    h.update(body.as_bytes());
    hex(&h.finalize())
}

/// Format 2: sha256 over the previous hash, the entry's place, every column and the body, each
/// part length-prefixed (so no two different rows share a preimage); `~` marks an absent value.
pub fn chain_hash_v2(
    prev_hash: &str,
    seq: i64,
    recorded_at: &str,
    day: &str,
    c: &Columns,
    body: &str,
) -> String {
    let mut h = Sha256::new();
    let tier = c.tier.map(|t| t.to_string());
    let parts: [Option<&str>; 12] = [
        Some(prev_hash),
        Some(&seq.to_string()),
        Some(recorded_at),
        Some(day),
        Some(&c.kind),
        Some(&c.inspector),
        Some(&c.unit),
        Some(&c.matter_id),
        Some(&c.outcome),
        tier.as_deref(),
        c.case_ref.as_deref(),
        Some(body),
    ];
    for part in parts {
        match part {
            Some(p) => {
                h.update(p.len().to_string().as_bytes());
                h.update(b":");
                h.update(p.as_bytes());
            }
            None => h.update(b"~"),
        }
        h.update(b"\n");
    }
    hex(&h.finalize())
}

/// Whether a stored body is of format 2 (its hash covers the columns).
fn is_v2(body: &str) -> bool {
    body.starts_with("{\"v\":2,")
}

/// Lower-case hex (on every request: the answer's digest, the chain hash, the token check).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// Short enough for a paper case file, checkable against the chain: `<seq>-<4 hex of hash>`.
pub fn receipt_for(seq: i64, hash: &str) -> String {
    format!("{seq}-{}", hash[..4].to_uppercase())
}

/// A stored row as the database holds it, with the hash of the row before it.
#[derive(Debug, Clone)]
pub struct Row {
    pub seq: i64,
    pub receipt: String,
    pub recorded_at: String,
    pub day: String,
    pub columns: Columns,
    pub body: String,
    pub prev_hash: String,
    pub hash: String,
}

impl Row {
    /// Places a prepared entry in the chain after `prev_hash`.
    pub fn seal(e: &PreparedEntry, seq: i64, recorded_at: &str, day: &str, prev_hash: &str) -> Row {
        let hash = chain_hash_v2(prev_hash, seq, recorded_at, day, &e.columns, &e.body);
        Row {
            seq,
            receipt: receipt_for(seq, &hash),
            recorded_at: recorded_at.to_string(),
            day: day.to_string(),
            columns: e.columns.clone(),
            body: e.body.clone(),
            prev_hash: prev_hash.to_string(),
            hash,
        }
    }

    /// The hash this row's content calls for (by its body's format).
    fn expected_hash(&self) -> String {
        if is_v2(&self.body) {
            chain_hash_v2(
                &self.prev_hash,
                self.seq,
                &self.recorded_at,
                &self.day,
                &self.columns,
                &self.body,
            )
        } else {
            chain_hash(
                &self.prev_hash,
                self.seq,
                &self.recorded_at,
                &self.day,
                &self.body,
            )
        }
    }

    /// The entry as the API shows it.
    pub fn entry(&self) -> Result<StoredEntry, serde_json::Error> {
        let b: StoredBody = serde_json::from_str(&self.body)?;
        let c = &self.columns;
        let caller = match (b.caller, b.role) {
            (Some(caller), _) => caller,
            (None, Some(role)) => Caller {
                token_id: b.token_id.unwrap_or_default(),
                name: c.inspector.clone(),
                unit: c.unit.clone(),
                role,
            },
            (None, None) => return Err(serde::de::Error::missing_field("role")),
        };
        Ok(StoredEntry {
            seq: self.seq,
            receipt: self.receipt.clone(),
            recorded_at: self.recorded_at.clone(),
            day: self.day.clone(),
            kind: b.kind.unwrap_or_else(|| c.kind.clone()),
            caller,
            client: b.client,
            matter_id: b.matter_id.unwrap_or_else(|| c.matter_id.clone()),
            standards_version: b.standards_version,
            outcome: b.outcome.unwrap_or_else(|| c.outcome.clone()),
            tier: if b.v >= 2 {
                c.tier.map(|t| t as usize)
            } else {
                b.tier
            },
            case_ref: if b.v >= 2 {
                c.case_ref.clone()
            } else {
                b.case_ref
            },
            request: b.request,
            result: b.result,
            offline: b.offline,
            prev_hash: self.prev_hash.clone(),
            hash: self.hash.clone(),
        })
    }
}

/// The first thing wrong with a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainFault {
    /// A sequence number is missing or out of order: entries removed or reordered.
    Gap { expected: i64, found: i64 },
    /// The entry does not link to the one before it.
    BrokenLink { seq: i64 },
    /// The entry's content does not match its hash.
    Altered { seq: i64 },
    /// An indexed column disagrees with the hashed body.
    ColumnAltered { seq: i64, column: &'static str },
    /// The head recorded separately does not match the last entry (entries cut off the end).
    HeadMismatch { head_seq: i64, last_seq: i64 },
    /// The separately kept head is gone.
    HeadMissing,
    /// A review's per-act rows (what the deviation statistics count) disagree with its hashed
    /// record, or exist without one.
    DerivedAltered { seq: i64 },
}

impl std::fmt::Display for ChainFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainFault::Gap { expected, found } => {
                write!(
                    f,
                    "entry {expected} is missing or out of order (found {found}): entries were removed or reordered"
                )
            }
            ChainFault::BrokenLink { seq } => write!(
                f,
                "entry {seq} does not link to the entry before it: the chain was cut, reordered or rewritten"
            ),
            ChainFault::Altered { seq } => write!(
                f,
                "entry {seq} was altered: its content does not match its hash"
            ),
            ChainFault::ColumnAltered { seq, column } => write!(
                f,
                "entry {seq} was altered: column `{column}` disagrees with the hashed record"
            ),
            ChainFault::DerivedAltered { seq } => write!(
                f,
                "the review statistics rows of entry {seq} disagree with its hashed record: the statistics were altered"
            ),
            ChainFault::HeadMissing => write!(
                f,
                "the separately kept chain head was removed: the log's end can no longer be vouched for"
            ),
            ChainFault::HeadMismatch { head_seq, last_seq } => {
                write!(
                    f,
                    "the chain head says {head_seq} entries but the log ends at {last_seq}: entries were removed from the end"
                )
            }
        }
    }
}

/// A format-1 row's hash covers only its body: the columns must agree with the body.
fn check_v1_columns(row: &Row) -> Result<(), ChainFault> {
    let body: StoredBody =
        serde_json::from_str(&row.body).map_err(|_| ChainFault::Altered { seq: row.seq })?;
    let c = &row.columns;
    let caller = body.caller.as_ref();
    let columns: [(&'static str, bool); 7] = [
        ("kind", Some(&c.kind) == body.kind.as_ref()),
        ("matter_id", Some(&c.matter_id) == body.matter_id.as_ref()),
        ("unit", Some(&c.unit) == caller.map(|p| &p.unit)),
        ("inspector", Some(&c.inspector) == caller.map(|p| &p.name)),
        ("outcome", Some(&c.outcome) == body.outcome.as_ref()),
        ("tier", c.tier == body.tier.map(|t| t as i64)),
        ("case_ref", c.case_ref == body.case_ref),
    ];
    match columns.iter().find(|(_, same)| !same) {
        Some((column, _)) => Err(ChainFault::ColumnAltered {
            seq: row.seq,
            column,
        }),
        None => Ok(()),
    }
}

/// Walks rows in order, carrying the state between batches (so the whole log need not be in memory).
pub struct Verifier {
    expected_seq: i64,
    prev_hash: String,
    pub checked: i64,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            expected_seq: 1,
            prev_hash: GENESIS.to_string(),
            checked: 0,
        }
    }
}

impl Verifier {
    pub fn check(&mut self, row: &Row) -> Result<(), ChainFault> {
        if row.seq != self.expected_seq {
            return Err(ChainFault::Gap {
                expected: self.expected_seq,
                found: row.seq,
            });
        }
        if row.prev_hash != self.prev_hash {
            return Err(ChainFault::BrokenLink { seq: row.seq });
        }
        if row.expected_hash() != row.hash {
            return Err(ChainFault::Altered { seq: row.seq });
        }
        if !is_v2(&row.body) {
            check_v1_columns(row)?;
        }
        self.prev_hash = row.hash.clone();
        self.expected_seq += 1;
        self.checked += 1;
        Ok(())
    }

    /// After the last row: the separately kept head must match.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<(), ChainFault> {
        if head_seq < 0 {
            return Err(ChainFault::HeadMissing);
        }
        let last = self.expected_seq - 1;
        if head_seq != last || (last > 0 && head_hash != self.prev_hash) {
            return Err(ChainFault::HeadMismatch {
                head_seq,
                last_seq: last,
            });
        }
        Ok(())
    }
}

/// A calculation entry for the log's own tests: entry `n` of a run, by 张三 of ZHZF.
#[cfg(test)]
pub(crate) fn sample_entry(n: usize) -> NewEntry {
    NewEntry {
        kind: EntryKind::Calculation,
        caller: Caller {
            token_id: "t1".into(),
            name: "张三".into(),
            unit: "ZHZF".into(),
            role: Role::Inspector,
        },
        client: Client::Rest,
        matter_id: format!("ZHZF-{:03}", n % 900),
        standards_version: "2026.1".into(),
        outcome: EntryOutcome::Calculation(crate::engine::Outcome::Penalty),
        tier: Some(n % 5 + 1),
        case_ref: None,
        request: raw(&serde_json::json!({"facts": {"area": n.to_string()}})),
        result: raw(&serde_json::json!({"fine": {"min": "500.00", "max": "500.00"}})),
        offline: false,
        review_acts: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_outcome_is_logged_under_its_code() {
        use crate::alerts::DispositionStatus;
        use crate::engine::Outcome;
        use crate::review::Verdict;
        let codes = [
            (EntryOutcome::Calculation(Outcome::Penalty), "penalty"),
            (EntryOutcome::Calculation(Outcome::NoPenalty), "no_penalty"),
            (
                EntryOutcome::Calculation(Outcome::TimeBarred),
                "time_barred",
            ),
            (EntryOutcome::Review(Verdict::Deviates), "deviates"),
            (EntryOutcome::RulesUpdated, "updated"),
            (
                EntryOutcome::Disposition(DispositionStatus::Referred),
                "referred",
            ),
            (EntryOutcome::Drawn, "drawn"),
            (
                EntryOutcome::Finding(sample::Conclusion::Unlawful),
                "unlawful",
            ),
        ];
        for (outcome, code) in codes {
            assert_eq!(outcome.as_str(), code);
            let mut e = sample_entry(1);
            e.outcome = outcome;
            assert_eq!(e.prepare().columns.outcome, code);
        }
    }

    fn entry(n: usize) -> NewEntry {
        sample_entry(n)
    }

    fn chain(n: usize) -> Vec<Row> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|i| {
                let r = Row::seal(
                    &entry(i).prepare(),
                    i as i64,
                    "2026-11-22T01:00:00Z",
                    "2026-11-22",
                    &prev,
                );
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    fn verify(rows: &[Row]) -> Result<(), ChainFault> {
        let mut v = Verifier::default();
        for r in rows {
            v.check(r)?;
        }
        let last = rows.last();
        v.finish(
            last.map_or(0, |r| r.seq),
            last.map_or(GENESIS, |r| r.hash.as_str()),
        )
    }

    /// A row written before migration 3: its hash covers only the body, which repeats the
    /// columns; the columns are checked against it.
    fn format_1_row(seq: i64, prev: &str) -> Row {
        let body = r#"{"kind":"calculation","caller":{"token_id":"t1","name":"张三","unit":"ZHZF","role":"inspector"},"client":"rest","matter_id":"ZHZF-001","standards_version":"2026.1","outcome":"penalty","tier":2,"case_ref":null,"request":{"facts":{}},"result":{},"offline":false}"#;
        let hash = chain_hash(prev, seq, "2026-11-22T01:00:00Z", "2026-11-22", body);
        Row {
            seq,
            receipt: receipt_for(seq, &hash),
            recorded_at: "2026-11-22T01:00:00Z".into(),
            day: "2026-11-22".into(),
            columns: Columns {
                kind: "calculation".into(),
                inspector: "张三".into(),
                unit: "ZHZF".into(),
                matter_id: "ZHZF-001".into(),
                outcome: "penalty".into(),
                tier: Some(2),
                case_ref: None,
            },
            body: body.into(),
            prev_hash: prev.into(),
            hash,
        }
    }

    #[test]
    fn rows_of_both_formats_verify_and_format_1_columns_are_checked_against_the_body() {
        let first = format_1_row(1, GENESIS);
        let second = Row::seal(
            &entry(2).prepare(),
            2,
            "2026-11-23T01:00:00Z",
            "2026-11-23",
            &first.hash,
        );
        assert_eq!(verify(&[first.clone(), second.clone()]), Ok(()));
        let e = first.entry().unwrap();
        assert_eq!((e.caller.name.as_str(), e.tier), ("张三", Some(2)));
        let e = second.entry().unwrap();
        assert_eq!(
            (e.caller.role, e.client.as_str()),
            (Role::Inspector, "rest")
        );
        for (column, edit) in [
            (
                "tier",
                (|r: &mut Row| r.columns.tier = Some(5)) as fn(&mut Row),
            ),
            ("kind", |r| r.columns.kind = "review".into()),
            ("case_ref", |r| r.columns.case_ref = Some("案9".into())),
            ("outcome", |r| r.columns.outcome = "no_penalty".into()),
        ] {
            let mut old = first.clone();
            edit(&mut old);
            assert_eq!(
                verify(&[old, second.clone()]),
                Err(ChainFault::ColumnAltered { seq: 1, column }),
                "{column}"
            );
        }
    }

    #[test]
    fn hex_is_lower_case_two_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
        assert_eq!(hex(&[]), "");
    }

    #[test]
    fn an_intact_chain_verifies_and_receipts_carry_the_hash() {
        let rows = chain(5);
        assert_eq!(verify(&rows), Ok(()));
        assert_eq!(rows[2].entry().unwrap().matter_id, "ZHZF-003");
        assert!(rows[2].receipt.starts_with("3-"));
        assert_eq!(rows[2].receipt.len(), 6);
    }

    #[test]
    fn alterations_removals_and_swaps_are_caught() {
        let mut rows = chain(5);
        rows[2].body = rows[2].body.replace("\"3\"", "\"4\"");
        assert_eq!(verify(&rows), Err(ChainFault::Altered { seq: 3 }));

        let mut rows = chain(5);
        rows[3].recorded_at = "2026-11-23T01:00:00Z".into();
        assert_eq!(verify(&rows), Err(ChainFault::Altered { seq: 4 }));

        // Every column is inside the hash (format 2): relabelling is an alteration.
        for edit in [
            (|r: &mut Row| r.columns.outcome = "no_penalty".into()) as fn(&mut Row),
            |r| r.columns.kind = "review".into(),
            |r| r.columns.tier = Some(1),
            |r| r.columns.case_ref = Some("案1".into()),
            |r| r.columns.inspector = "王五".into(),
            |r| r.columns.unit = "STHJ".into(),
            |r| r.columns.matter_id = "ZHZF-009".into(),
        ] {
            let mut rows = chain(5);
            edit(&mut rows[1]);
            assert_eq!(verify(&rows), Err(ChainFault::Altered { seq: 2 }));
        }

        let mut rows = chain(5);
        rows.remove(2);
        assert_eq!(
            verify(&rows),
            Err(ChainFault::Gap {
                expected: 3,
                found: 4
            })
        );

        let mut rows = chain(5);
        let (a, b) = (rows[1].clone(), rows[2].clone());
        rows[1] = Row { seq: 2, ..b };
        rows[2] = Row { seq: 3, ..a };
        assert_eq!(verify(&rows), Err(ChainFault::BrokenLink { seq: 2 }));

        let rows = chain(5);
        let mut v = Verifier::default();
        for r in &rows[..4] {
            v.check(r).unwrap();
        }
        assert_eq!(
            v.finish(5, &rows[4].hash),
            Err(ChainFault::HeadMismatch {
                head_seq: 5,
                last_seq: 4
            })
        );
    }
}

/// Where the log lives: PostgreSQL when a URL is given, else SQLite under the data directory.
#[derive(Debug, Clone)]
pub struct StorageConfig {
    pub data_dir: std::path::PathBuf,
    pub database_url: Option<String>,
}

impl StorageConfig {
    /// Opens a connection (without migrating).
    pub fn open(&self) -> Result<Box<dyn store::Store>, store::StoreError> {
        match &self.database_url {
            Some(url) => Ok(Box::new(postgres::PgStore::connect(url)?)),
            None => Ok(Box::new(sqlite::SqliteStore::open(&self.data_dir)?)),
        }
    }

    /// Opens and migrates: what every process does first.
    pub fn open_migrated(&self) -> Result<Box<dyn store::Store>, store::StoreError> {
        let mut s = self.open()?;
        s.migrate()?;
        Ok(s)
    }

    pub fn describe(&self) -> String {
        match &self.database_url {
            Some(_) => "PostgreSQL (DATABASE_URL)".to_string(),
            None => format!(
                "SQLite at {}",
                self.data_dir.join("supervision.sqlite3").display()
            ),
        }
    }
}

/// One row of `review_acts`, as stored or as an entry's body calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewActRow {
    pub seq: i64,
    pub act: i64,
    pub day: String,
    pub unit: String,
    pub inspector: String,
    pub matter_id: String,
    pub outcome: String,
    pub direction: Option<String>,
    pub reason_required: bool,
}

impl Row {
    /// The `review_acts` rows a review entry's hashed body calls for (none for a calculation).
    pub fn expected_review_acts(&self) -> Vec<ReviewActRow> {
        if self.columns.kind != EntryKind::Review.as_str() {
            return Vec::new();
        }
        let Ok(e) = self.entry() else {
            return Vec::new();
        };
        let inspector = e.request["inspector"]
            .as_str()
            .unwrap_or("（未填写承办人）")
            .to_string();
        let acts = e.result["acts"].as_array().cloned().unwrap_or_default();
        acts.iter()
            .map(|a| ReviewActRow {
                seq: self.seq,
                act: a["act"].as_i64().unwrap_or_default(),
                day: self.day.clone(),
                // Filed under the reviewed matter's unit; reviews logged before it was
                // recorded are filed under the reviewer's, as they were written.
                unit: a["unit"].as_str().unwrap_or(&self.columns.unit).to_string(),
                inspector: inspector.clone(),
                matter_id: a["matter_id"].as_str().unwrap_or_default().to_string(),
                outcome: a["verdict"].as_str().unwrap_or_default().to_string(),
                direction: a["direction"].as_str().map(str::to_string),
                reason_required: a["reason_required"].as_bool().unwrap_or_default(),
            })
            .collect()
    }
}

/// The `review_acts` table against the reviews' hashed bodies, both read in (seq, act) order:
/// every row called for is there as called for, and there is no other (a row for a
/// calculation, or beyond the last entry, is a fault too). The number of rows, or the first
/// disagreement.
pub fn verify_review_acts(
    store: &mut dyn store::Store,
) -> Result<Result<usize, ChainFault>, store::StoreError> {
    let reviews = store::Filter {
        kind: Some(EntryKind::Review.as_str().to_string()),
        ..Default::default()
    };
    let (mut after, mut stored_after, mut n) = (0, (0, 0), 0);
    loop {
        let rows = store.rows(&reviews, after, 500)?;
        let through = rows.last().map_or(i64::MAX, |r| r.seq);
        let expected: Vec<ReviewActRow> = rows.iter().flat_map(Row::expected_review_acts).collect();
        let stored = store.review_act_rows(stored_after, through)?;
        if let Some(seq) = first_difference(&expected, &stored) {
            return Ok(Err(ChainFault::DerivedAltered { seq }));
        }
        n += stored.len();
        if rows.is_empty() {
            return Ok(Ok(n));
        }
        after = through;
        stored_after = (through, i64::MAX);
    }
}

/// The seq where two row lists first differ, if they do.
fn first_difference(expected: &[ReviewActRow], stored: &[ReviewActRow]) -> Option<i64> {
    let differing = expected.iter().zip(stored).find(|(a, b)| a != b);
    match differing {
        Some((a, b)) => Some(a.seq.min(b.seq)),
        None if expected.len() != stored.len() => {
            let n = expected.len().min(stored.len());
            expected.get(n).or_else(|| stored.get(n)).map(|r| r.seq)
        }
        None => None,
    }
}

/// Walks the whole chain in batches; the first fault, or the number of entries and the head hash.
pub fn verify(
    store: &mut dyn store::Store,
) -> Result<Result<(i64, String), ChainFault>, store::StoreError> {
    let mut v = Verifier::default();
    let mut after = 0;
    loop {
        let rows = store.rows(&store::Filter::default(), after, 1000)?;
        let Some(last) = rows.last() else { break };
        after = last.seq;
        for r in &rows {
            if let Err(f) = v.check(r) {
                return Ok(Err(f));
            }
        }
    }
    let (head_seq, head_hash) = store.head()?;
    Ok(v.finish(head_seq, &head_hash)
        .map(|()| (v.checked, head_hash)))
}
