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

/// An entry before it is stored: everything but its place in the chain.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NewEntry {
    /// `calculation` (later: `review`).
    pub kind: String,
    pub caller: Caller,
    /// `mobile` or `rest`.
    pub client: String,
    pub matter_id: String,
    pub standards_version: String,
    pub outcome: String,
    pub tier: Option<usize>,
    pub case_ref: Option<String>,
    /// The request as received (facts, circumstances, dates, party).
    pub request: Value,
    /// The answer's essentials (tier, fine band, adjustments, measures, flags).
    pub result: Value,
    /// Made on a device without network and sent later (the mobile page).
    #[serde(default)]
    pub offline: bool,
}

/// A stored entry: the new entry plus its sequence number, receipt, time and chain hashes.
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
    /// Not part of the hashed body (absent there).
    #[serde(default)]
    pub prev_hash: String,
    #[serde(default)]
    pub hash: String,
}

/// The canonical encoding of an entry's content: JSON with keys sorted (serde_json's map is
/// ordered), without the two hashes. This is the text that is hashed and stored.
pub fn canonical_body(e: &StoredEntry) -> String {
    let mut v = serde_json::to_value(e).expect("entries serialize");
    if let Value::Object(m) = &mut v {
        m.remove("prev_hash");
        m.remove("hash");
    }
    // Round-trip through Value sorts every nested object too.
    v.to_string()
}

/// sha256(prev_hash ‖ "\n" ‖ body), hex.
pub fn chain_hash(prev_hash: &str, body: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
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

/// Completes an entry at its place in the chain.
pub fn seal(
    e: &NewEntry,
    seq: i64,
    recorded_at: String,
    day: String,
    prev_hash: &str,
) -> StoredEntry {
    let mut s = StoredEntry {
        seq,
        receipt: String::new(),
        recorded_at,
        day,
        kind: e.kind.clone(),
        caller: e.caller.clone(),
        client: e.client.clone(),
        matter_id: e.matter_id.clone(),
        standards_version: e.standards_version.clone(),
        outcome: e.outcome.clone(),
        tier: e.tier,
        case_ref: e.case_ref.clone(),
        request: e.request.clone(),
        result: e.result.clone(),
        offline: e.offline,
        prev_hash: prev_hash.to_string(),
        hash: String::new(),
    };
    // The receipt depends on the hash, and the hash on the body: hash the body without the
    // receipt's check letters first, then derive the receipt from that hash.
    let provisional = chain_hash(prev_hash, &canonical_body(&s));
    s.receipt = receipt_for(seq, &provisional);
    s.hash = chain_hash(prev_hash, &canonical_body(&s));
    s
}

/// A stored row as the database holds it: the indexed columns and the body.
#[derive(Debug, Clone)]
pub struct Row {
    pub seq: i64,
    pub receipt: String,
    pub matter_id: String,
    pub unit: String,
    pub inspector: String,
    pub outcome: String,
    pub body: String,
    pub prev_hash: String,
    pub hash: String,
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
        if chain_hash(&row.prev_hash, &row.body) != row.hash {
            return Err(ChainFault::Altered { seq: row.seq });
        }
        let body: StoredEntry =
            serde_json::from_str(&row.body).map_err(|_| ChainFault::Altered { seq: row.seq })?;
        let columns: [(&'static str, &str, &str); 6] = [
            ("receipt", &row.receipt, &body.receipt),
            ("matter_id", &row.matter_id, &body.matter_id),
            ("unit", &row.unit, &body.caller.unit),
            ("inspector", &row.inspector, &body.caller.name),
            ("outcome", &row.outcome, &body.outcome),
            ("seq", &row.seq.to_string(), &body.seq.to_string()),
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
            kind: "calculation".into(),
            caller: Caller {
                token_id: "t1".into(),
                name: "张三".into(),
                unit: "ZHZF".into(),
                role: "inspector".into(),
            },
            client: "rest".into(),
            matter_id: format!("ZHZF-{n:03}"),
            standards_version: "2026.1".into(),
            outcome: "penalty".into(),
            tier: Some(2),
            case_ref: None,
            request: json!({"facts": {"area": "12"}}),
            result: json!({"fine": {"min": "500.00", "max": "500.00"}}),
            offline: false,
        }
    }

    fn chain(n: usize) -> Vec<Row> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|i| {
                let s = seal(
                    &entry(i),
                    i as i64,
                    "2026-11-22T01:00:00Z".into(),
                    "2026-11-22".into(),
                    &prev,
                );
                prev = s.hash.clone();
                Row {
                    seq: s.seq,
                    receipt: s.receipt.clone(),
                    matter_id: s.matter_id.clone(),
                    unit: s.caller.unit.clone(),
                    inspector: s.caller.name.clone(),
                    outcome: s.outcome.clone(),
                    body: canonical_body(&s),
                    prev_hash: s.prev_hash,
                    hash: s.hash,
                }
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
        assert!(rows[2].receipt.starts_with("3-"));
        assert_eq!(rows[2].receipt.len(), 6);
    }

    #[test]
    fn alterations_removals_and_swaps_are_caught() {
        let mut rows = chain(5);
        rows[2].body = rows[2].body.replace("\"12\"", "\"1\"");
        assert_eq!(verify(&rows), Err(ChainFault::Altered { seq: 3 }));

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
