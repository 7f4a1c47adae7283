//! The supervision log (电子监察): every decision-like answer is recorded before it is sent,
//! in an append-only hash chain that `penalty-standards log verify` can check.
//!
//! This module is the pure part: what an entry holds, its canonical encoding, the chain hash,
//! the receipt, and the verification of a sequence of stored rows. Storage lives in `store`,
//! `sqlite`, `postgres`; the group-commit writer in `writer`.

pub mod postgres;
pub mod sqlite;
pub mod store;
pub mod writer;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who asked: resolved from the bearer token (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Caller {
    pub token_id: String,
    pub name: String,
    pub unit: String,
    pub role: String,
}

/// What kind of answer an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// 裁量查询: one calculation.
    Calculation,
    /// 法制审核: one reviewed case.
    Review,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Calculation => "calculation",
            EntryKind::Review => "review",
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
}

impl Client {
    pub fn as_str(self) -> &'static str {
        match self {
            Client::Rest => "rest",
            Client::Mobile => "mobile",
            Client::Csv => "csv",
        }
    }
}

/// An entry before it is stored: everything but its place in the chain. The request and the
/// answer's essentials arrive already encoded (each serialised once, from typed values); the
/// body is this struct's JSON, in this field order.
#[derive(Debug, Clone, Serialize)]
pub struct NewEntry {
    pub kind: EntryKind,
    pub caller: Caller,
    pub client: Client,
    pub matter_id: String,
    pub standards_version: String,
    /// The engine's outcome (`penalty`, `no_penalty`, `time_barred`) or the review's verdict.
    pub outcome: &'static str,
    pub tier: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_ref: Option<String>,
    /// The request as understood (party, facts, circumstances, dates).
    pub request: Box<RawValue>,
    /// The answer's essentials.
    pub result: Box<RawValue>,
    /// Made on a device without network and sent later (the mobile page).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub offline: bool,
    /// For a review: one index row per act (derived from `result`, not part of the body).
    #[serde(skip)]
    pub review_acts: Vec<ReviewActIndex>,
}

/// A value encoded once, to be placed in an entry's body as it is.
pub fn raw(value: &impl Serialize) -> Box<RawValue> {
    serde_json::value::to_raw_value(value).expect("log values serialize")
}

/// A stored body read back: the [`NewEntry`] fields, as text and JSON values.
#[derive(Debug, Clone, Deserialize)]
pub struct EntryBody {
    pub kind: String,
    pub caller: Caller,
    pub client: String,
    pub matter_id: String,
    pub standards_version: String,
    pub outcome: String,
    pub tier: Option<usize>,
    #[serde(default)]
    pub case_ref: Option<String>,
    pub request: Value,
    pub result: Value,
    #[serde(default)]
    pub offline: bool,
}

/// What the statistics need of one reviewed act.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReviewActIndex {
    pub act: i64,
    /// The case's 承办人.
    pub inspector: String,
    pub matter_id: String,
    pub verdict: String,
    pub direction: Option<String>,
    pub reason_required: bool,
}

/// An entry ready for the writer: its body already encoded (on the request's worker, in
/// parallel), plus the few values the database indexes.
#[derive(Debug, Clone)]
pub struct PreparedEntry {
    pub body: String,
    pub kind: &'static str,
    pub inspector: String,
    pub unit: String,
    pub role: String,
    pub client: &'static str,
    pub matter_id: String,
    pub outcome: &'static str,
    pub tier: Option<i64>,
    pub case_ref: Option<String>,
    pub review_acts: Vec<ReviewActIndex>,
}

impl NewEntry {
    /// Encodes the entry once: the body is the JSON of the entry (nested objects have sorted
    /// keys), stored as text and hashed as stored, so verification never re-serialises.
    pub fn prepare(self) -> PreparedEntry {
        PreparedEntry {
            body: serde_json::to_string(&self).expect("entries serialize"),
            kind: self.kind.as_str(),
            inspector: self.caller.name,
            unit: self.caller.unit,
            role: self.caller.role,
            client: self.client.as_str(),
            matter_id: self.matter_id,
            outcome: self.outcome,
            tier: self.tier.map(|t| t as i64),
            case_ref: self.case_ref,
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

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Short enough for a paper case file, checkable against the chain: `<seq>-<4 hex of hash>`.
pub fn receipt_for(seq: i64, hash: &str) -> String {
    format!("{seq}-{}", hash[..4].to_uppercase())
}

/// A stored row as the database holds it.
#[derive(Debug, Clone)]
pub struct Row {
    pub seq: i64,
    pub receipt: String,
    pub recorded_at: String,
    pub day: String,
    pub matter_id: String,
    pub unit: String,
    pub inspector: String,
    pub outcome: String,
    pub body: String,
    pub prev_hash: String,
    pub hash: String,
}

impl Row {
    /// Places a prepared entry in the chain after `prev_hash`.
    pub fn seal(e: &PreparedEntry, seq: i64, recorded_at: &str, day: &str, prev_hash: &str) -> Row {
        let hash = chain_hash(prev_hash, seq, recorded_at, day, &e.body);
        Row {
            seq,
            receipt: receipt_for(seq, &hash),
            recorded_at: recorded_at.to_string(),
            day: day.to_string(),
            matter_id: e.matter_id.clone(),
            unit: e.unit.clone(),
            inspector: e.inspector.clone(),
            outcome: e.outcome.to_string(),
            body: e.body.clone(),
            prev_hash: prev_hash.to_string(),
            hash,
        }
    }

    /// The entry as the API shows it.
    pub fn entry(&self) -> Result<StoredEntry, serde_json::Error> {
        let e: EntryBody = serde_json::from_str(&self.body)?;
        Ok(StoredEntry {
            seq: self.seq,
            receipt: self.receipt.clone(),
            recorded_at: self.recorded_at.clone(),
            day: self.day.clone(),
            kind: e.kind,
            caller: e.caller,
            client: e.client,
            matter_id: e.matter_id,
            standards_version: e.standards_version,
            outcome: e.outcome,
            tier: e.tier,
            case_ref: e.case_ref,
            request: e.request,
            result: e.result,
            offline: e.offline,
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
            ChainFault::HeadMismatch { head_seq, last_seq } => {
                write!(
                    f,
                    "the chain head says {head_seq} entries but the log ends at {last_seq}: entries were removed from the end"
                )
            }
        }
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
        if chain_hash(
            &row.prev_hash,
            row.seq,
            &row.recorded_at,
            &row.day,
            &row.body,
        ) != row.hash
        {
            return Err(ChainFault::Altered { seq: row.seq });
        }
        let body: EntryBody =
            serde_json::from_str(&row.body).map_err(|_| ChainFault::Altered { seq: row.seq })?;
        let columns: [(&'static str, &str, &str); 5] = [
            ("receipt", &row.receipt, &receipt_for(row.seq, &row.hash)),
            ("matter_id", &row.matter_id, &body.matter_id),
            ("unit", &row.unit, &body.caller.unit),
            ("inspector", &row.inspector, &body.caller.name),
            ("outcome", &row.outcome, &body.outcome),
        ];
        if let Some((column, _, _)) = columns.iter().find(|(_, a, b)| a != b) {
            return Err(ChainFault::ColumnAltered {
                seq: row.seq,
                column,
            });
        }
        self.prev_hash = row.hash.clone();
        self.expected_seq += 1;
        self.checked += 1;
        Ok(())
    }

    /// After the last row: the separately kept head must match.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<(), ChainFault> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(n: usize) -> NewEntry {
        NewEntry {
            kind: EntryKind::Calculation,
            caller: Caller {
                token_id: "t1".into(),
                name: "张三".into(),
                unit: "ZHZF".into(),
                role: "inspector".into(),
            },
            client: Client::Rest,
            matter_id: format!("ZHZF-{n:03}"),
            standards_version: "2026.1".into(),
            outcome: "penalty",
            tier: Some(2),
            case_ref: None,
            request: raw(&json!({"facts": {"area": "12"}})),
            result: raw(&json!({"fine": {"min": "500.00", "max": "500.00"}})),
            offline: false,
            review_acts: Vec::new(),
        }
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
        rows[2].body = rows[2].body.replace("\"12\"", "\"1\"");
        assert_eq!(verify(&rows), Err(ChainFault::Altered { seq: 3 }));

        let mut rows = chain(5);
        rows[3].recorded_at = "2026-11-23T01:00:00Z".into();
        assert_eq!(verify(&rows), Err(ChainFault::Altered { seq: 4 }));

        let mut rows = chain(5);
        rows[1].outcome = "no_penalty".into();
        assert_eq!(
            verify(&rows),
            Err(ChainFault::ColumnAltered {
                seq: 2,
                column: "outcome"
            })
        );

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
