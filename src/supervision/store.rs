//! The storage trait behind the log and the tokens, and what both backends share: the schema,
//! the SQL (written once, with `?N` placeholders; PostgreSQL gets `$N`), the row mapping.

use serde::Serialize;
use utoipa::ToSchema;

use super::{PreparedEntry, ReviewActIndex, Row, StoredEntry};
use crate::alerts::{Alert, AlertKind, Disposition, DispositionStatus, Effect, Severity};
use crate::standards::versions::{VersionMeta, VersionRecord, Withdrawal};

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

/// The errors of both drivers and of reading a stored body, each kept as its message.
macro_rules! store_error_from {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError(e.to_string())
            }
        }
    )*};
}
store_error_from!(
    rusqlite::Error,
    postgres::Error,
    serde_json::Error,
    std::io::Error
);

/// Filters of the log listing, export and statistics (all optional; `from`/`to` are days, inclusive).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub unit: Option<String>,
    pub matter: Option<String>,
    pub inspector: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub outcome: Option<String>,
    /// `calculation`, `review`, `alert_rules` or `alert_disposition` (log entries only).
    pub kind: Option<String>,
    /// Calculations and reviews only, whatever `kind` says: what the statistics count (a
    /// supervisor's own acts — alert settings and dispositions, spot-check draws and findings —
    /// are not decisions about a case).
    pub decisions_only: bool,
}

impl Filter {
    /// `WHERE …` with `?N` placeholders starting at 1, and the values in order.
    pub(crate) fn sql(&self) -> (String, Vec<String>) {
        let mut clauses = Vec::new();
        let mut values = Vec::new();
        let mut add = |clause: &str, v: &Option<String>| {
            if let Some(v) = v {
                values.push(v.clone());
                clauses.push(clause.replace("?", &format!("?{}", values.len())));
            }
        };
        add("unit = ?", &self.unit);
        add("matter_id = ?", &self.matter);
        add("inspector = ?", &self.inspector);
        add("day >= ?", &self.from);
        add("day <= ?", &self.to);
        add("outcome = ?", &self.outcome);
        add("kind = ?", &self.kind);
        if self.decisions_only {
            clauses.push("kind IN ('calculation', 'review')".to_string());
        }
        let sql = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        };
        (sql, values)
    }
}

/// A token as stored: never the token itself, only the hash of its secret part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TokenRecord {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub role: String,
    #[serde(skip)]
    pub secret_hash: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl TokenRecord {
    /// A live token of this person: one's own log entries are those under one's name in one's
    /// unit (`/api/v1/my/queries`), so no two live tokens of a unit share a name.
    pub fn is_live_for(&self, name: &str, unit: &str) -> bool {
        self.revoked_at.is_none() && self.name == name && self.unit == unit
    }
}

/// A browser session as stored: the hash of its id, never the id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id_hash: String,
    pub token_id: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub expires_at: String,
    pub ended_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Count {
    pub key: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InspectorCount {
    pub inspector: String,
    pub unit: String,
    pub count: i64,
    pub no_penalty: i64,
    /// `no_penalty / count`, four places, as a decimal string.
    #[schema(value_type = String)]
    pub no_penalty_share: rust_decimal::Decimal,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TierCount {
    pub matter_id: String,
    pub tier: Option<i64>,
    pub count: i64,
}

/// Reviewed acts of one unit, inspector (承办人) or matter, and how many departed from the standard.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeviationCount {
    pub key: String,
    /// The unit, for a per-inspector row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub acts: i64,
    pub deviates: i64,
    pub unlawful: i64,
    /// Deviated without a written reason.
    pub reason_missing: i64,
    /// `(deviates + unlawful) / acts`, four places, as a decimal string.
    #[schema(value_type = String)]
    pub deviation_rate: rust_decimal::Decimal,
}

/// What the case reviews show: per act, by unit, inspector and matter (most deviated first).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ReviewStats {
    pub cases: i64,
    pub acts: i64,
    pub per_unit: Vec<DeviationCount>,
    pub per_inspector: Vec<DeviationCount>,
    /// Matters with at least one departure, most departures first (at most 50).
    pub most_deviated_matters: Vec<DeviationCount>,
}

/// The figures a legal office looks at to spot a pattern.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SupervisionStats {
    pub total: i64,
    pub per_unit: Vec<Count>,
    pub per_matter: Vec<Count>,
    pub per_inspector: Vec<InspectorCount>,
    pub per_day: Vec<Count>,
    pub tiers_per_matter: Vec<TierCount>,
    pub reviews: ReviewStats,
}

/// The review statistics queries (`{w}` is the filter's WHERE clause on `review_acts`), all of
/// one shape: key, unit (per inspector only), acts, deviates, unlawful, reason missing.
const REVIEW_COUNTS: &str = "COUNT(*), CAST(SUM(CASE WHEN outcome = 'deviates' THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM(CASE WHEN outcome = 'unlawful' THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM(reason_required) AS BIGINT)";
pub(crate) fn review_stats_sql(w: &str) -> [String; 3] {
    let departures = "SUM(CASE WHEN outcome = 'conforms' THEN 0 ELSE 1 END)";
    [
        format!(
            "SELECT unit, CAST(NULL AS TEXT), {REVIEW_COUNTS} FROM review_acts{w} GROUP BY unit ORDER BY unit"
        ),
        format!(
            "SELECT inspector, unit, {REVIEW_COUNTS} FROM review_acts{w} GROUP BY inspector, unit ORDER BY inspector, unit"
        ),
        format!(
            "SELECT matter_id, CAST(NULL AS TEXT), {REVIEW_COUNTS} FROM review_acts{w} GROUP BY matter_id HAVING {departures} > 0 ORDER BY {departures} DESC, matter_id LIMIT 50"
        ),
    ]
}

impl ReviewStats {
    /// From the case and act counts and the rows of the three [`review_stats_sql`] queries.
    pub(crate) fn assemble(cases: i64, acts: i64, groups: [Vec<DeviationCount>; 3]) -> Self {
        let [per_unit, per_inspector, most_deviated_matters] = groups;
        ReviewStats {
            cases,
            acts,
            per_unit,
            per_inspector,
            most_deviated_matters,
        }
    }
}

impl DeviationCount {
    pub(crate) fn new(
        key: String,
        unit: Option<String>,
        acts: i64,
        deviates: i64,
        unlawful: i64,
        reason_missing: i64,
    ) -> Self {
        DeviationCount {
            key,
            unit,
            acts,
            deviates,
            unlawful,
            reason_missing,
            deviation_rate: share(deviates + unlawful, acts),
        }
    }
}

/// The review filter: the log filter on `review_acts` (no kind; outcome is the act's verdict).
pub(crate) fn review_filter(filter: &Filter) -> Filter {
    Filter {
        kind: None,
        decisions_only: false,
        ..filter.clone()
    }
}

/// One connection to a log database.
pub trait Store: Send {
    /// Applies the versioned migrations not yet applied.
    fn migrate(&mut self) -> Result<(), StoreError>;
    /// Appends entries in one transaction, continuing the chain; all or none.
    /// Returns the stored rows, in order.
    fn append(&mut self, entries: &[PreparedEntry]) -> Result<Vec<Row>, StoreError>;
    fn entry(&mut self, receipt: &str) -> Result<Option<StoredEntry>, StoreError>;
    /// Newest first.
    fn list(
        &mut self,
        filter: &Filter,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<StoredEntry>), StoreError>;
    /// Raw rows in chain order after `after_seq`, for verification and export.
    fn rows(&mut self, filter: &Filter, after_seq: i64, limit: i64)
    -> Result<Vec<Row>, StoreError>;
    /// `review_acts` rows after (seq, act) and with seq ≤ `through`, in (seq, act) order.
    fn review_act_rows(
        &mut self,
        after: (i64, i64),
        through: i64,
    ) -> Result<Vec<super::ReviewActRow>, StoreError>;
    /// The separately kept chain head: (last seq, last hash); (-1, "") when its row is gone.
    fn head(&mut self) -> Result<(i64, String), StoreError>;
    fn stats(&mut self, filter: &Filter) -> Result<SupervisionStats, StoreError>;
    fn insert_token(&mut self, t: &TokenRecord) -> Result<(), StoreError>;
    fn tokens(&mut self) -> Result<Vec<TokenRecord>, StoreError>;
    /// Returns whether a live token was revoked.
    fn revoke_token(&mut self, id: &str, at: &str) -> Result<bool, StoreError>;
    fn insert_session(&mut self, s: &SessionRecord) -> Result<(), StoreError>;
    fn session(&mut self, id_hash: &str) -> Result<Option<SessionRecord>, StoreError>;
    /// Returns whether a session still open was ended.
    fn end_session(&mut self, id_hash: &str, at: &str) -> Result<bool, StoreError>;
    /// Every standards version with its content.
    fn versions(&mut self) -> Result<Vec<VersionRecord>, StoreError>;
    /// Adds a version; an existing id is refused (a version is never replaced).
    fn insert_version(&mut self, v: &VersionRecord) -> Result<(), StoreError>;
    /// Records the withdrawal of a version not yet withdrawn, in one step with the rule that
    /// another version must stay in force on `today` (two withdrawals at once cannot leave
    /// none); whether one was withdrawn.
    fn withdraw_version(
        &mut self,
        version: &str,
        w: &Withdrawal,
        today: &str,
    ) -> Result<bool, StoreError>;
    /// Whether the connection may be used: a backend that can be damaged under a running
    /// process (SQLite's shared-memory file) says so here, before any access would crash it.
    fn healthy(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Puts right what `healthy` found, so that a fresh connection can work again (SQLite:
    /// the cut shared-memory file is extended with zeros, which SQLite rebuilds from the WAL).
    fn recover(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    /// The last entry the alert evaluator has taken into account (0 before any).
    fn alert_progress(&mut self) -> Result<i64, StoreError>;
    /// Stores what the evaluator found, in order, and moves its progress to `through`, in one
    /// transaction. Idempotent: an alert already stored is kept (several instances may
    /// evaluate the same entries), progress never moves back.
    /// Returns the progress stored before: the effects past it are the ones this call applied
    /// (the others another instance had applied, and told of).
    fn apply_alerts(&mut self, effects: &[Effect], through: i64) -> Result<i64, StoreError>;
    /// Alerts, newest first, with the number matching.
    fn alerts(
        &mut self,
        filter: &AlertFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<Alert>), StoreError>;
    /// A cheap fingerprint of the versions table (ids, dates, withdrawals), to notice a change
    /// made by another instance without reading every version's content.
    fn versions_fingerprint(&mut self) -> Result<String, StoreError>;
}

/// The withdrawal, only while another version stays in force (both backends; `?N` for SQLite,
/// rewritten to `$N` for PostgreSQL).
pub(crate) const WITHDRAW_VERSION: &str = "UPDATE standards_versions SET withdrawn_at = ?1, withdrawn_by = ?2, withdrawal_note = ?3 \
     WHERE version = ?4 AND withdrawn_at IS NULL AND EXISTS (SELECT 1 FROM standards_versions o \
     WHERE o.version <> ?4 AND o.withdrawn_at IS NULL AND o.effective_date <= ?5)";

/// The SQL of [`Store::versions_fingerprint`], for both backends.
pub(crate) const VERSIONS_FINGERPRINT: &str = "SELECT COALESCE(STRING_AGG(version || '|' || effective_date || '|' || COALESCE(withdrawn_at, ''), ';' ORDER BY version), '') FROM standards_versions";

/// Schema versions, applied in order. Written in the SQL both SQLite and PostgreSQL accept.
pub const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
    "CREATE TABLE log_entries (
        seq BIGINT PRIMARY KEY,
        receipt TEXT NOT NULL UNIQUE,
        recorded_at TEXT NOT NULL,
        day TEXT NOT NULL,
        kind TEXT NOT NULL,
        inspector TEXT NOT NULL,
        unit TEXT NOT NULL,
        role TEXT NOT NULL,
        client TEXT NOT NULL,
        matter_id TEXT NOT NULL,
        outcome TEXT NOT NULL,
        tier BIGINT,
        case_ref TEXT,
        body TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE INDEX log_entries_unit_day ON log_entries (unit, day);
    CREATE INDEX log_entries_matter ON log_entries (matter_id);
    CREATE INDEX log_entries_inspector ON log_entries (inspector);
    CREATE TABLE chain_head (id BIGINT PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL);
    INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
    CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        unit TEXT NOT NULL,
        role TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
    );",
    ),
    (
        2,
        // One row per reviewed act, written with its log entry in the same transaction: the
        // deviation statistics group by act, a case may hold several. Derived from the entry's
        // body (which the chain protects); `inspector` is the case's 承办人, not the reviewer.
        "CREATE TABLE review_acts (
        seq BIGINT NOT NULL,
        act BIGINT NOT NULL,
        day TEXT NOT NULL,
        unit TEXT NOT NULL,
        inspector TEXT NOT NULL,
        matter_id TEXT NOT NULL,
        outcome TEXT NOT NULL,
        direction TEXT,
        reason_required BIGINT NOT NULL,
        PRIMARY KEY (seq, act)
    );
    CREATE INDEX review_acts_unit_day ON review_acts (unit, day);
    CREATE INDEX log_entries_kind ON log_entries (kind);",
    ),
    (
        3,
        // Leaner rows: the receipt (seq + 4 hex of the hash), the previous hash (the row
        // before's) and role and client (kept in the body from now on; in format-1 bodies
        // already) are no longer columns. Rows written from now on hash their columns with the
        // body (format 2); older rows keep their hashes. Nothing is lost: every dropped value
        // is derivable or in the body. `{seq_key}`: SQLite's INTEGER PRIMARY KEY is the row id
        // itself (no second index); PostgreSQL keeps BIGINT.
        "CREATE TABLE log_entries_v3 (
        seq {seq_key},
        recorded_at TEXT NOT NULL,
        day TEXT NOT NULL,
        kind TEXT NOT NULL,
        inspector TEXT NOT NULL,
        unit TEXT NOT NULL,
        matter_id TEXT NOT NULL,
        outcome TEXT NOT NULL,
        tier BIGINT,
        case_ref TEXT,
        body TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    INSERT INTO log_entries_v3 (seq, recorded_at, day, kind, inspector, unit, matter_id, outcome, tier, case_ref, body, hash)
        SELECT seq, recorded_at, day, kind, inspector, unit, matter_id, outcome, tier, case_ref, body, hash FROM log_entries;
    DROP TABLE log_entries;
    ALTER TABLE log_entries_v3 RENAME TO log_entries;
    CREATE INDEX log_entries_unit_day ON log_entries (unit, day);
    CREATE INDEX log_entries_matter ON log_entries (matter_id);
    CREATE INDEX log_entries_inspector ON log_entries (inspector);
    CREATE INDEX log_entries_kind ON log_entries (kind);",
    ),
    (
        4,
        // Standards versions, shared by every instance on this database. Never deleted: a
        // withdrawal is recorded beside the version. `files` is a JSON object path → text.
        "CREATE TABLE standards_versions (
        version TEXT PRIMARY KEY,
        effective_date TEXT NOT NULL,
        published_at TEXT NOT NULL,
        published_by TEXT NOT NULL,
        note TEXT NOT NULL,
        withdrawn_at TEXT,
        withdrawn_by TEXT,
        withdrawal_note TEXT,
        files TEXT NOT NULL
    );",
    ),
    (
        5,
        // Signed-in browser sessions of the supervision pages (issue 15): the cookie holds a
        // random id, only its hash is kept; a session ends at its expiry, on sign-out, and
        // with its token (checked at each use).
        "CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        token_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        ended_at TEXT
    );",
    ),
    (
        6,
        // Compact bodies (issue 12): rows from now on keep their body in `body_z` (see
        // `supervision::compact`) and an empty `body`; older rows keep their text. `{blob}`:
        // BLOB in SQLite, BYTEA in PostgreSQL.
        "ALTER TABLE log_entries ADD COLUMN body_z {blob};",
    ),
    (
        7,
        // Supervision alerts (issue 17), derived from the log (`alerts::recompute`; `log
        // verify` compares). `status` is `open` or the latest disposition's; `entries` a JSON
        // array of receipts, `disposition` the latest disposition as JSON. `alert_progress`:
        // the last entry the evaluator has taken into account, moved in the same transaction
        // as the alerts it raised.
        "CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        seq BIGINT NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        unit TEXT NOT NULL,
        inspector TEXT NOT NULL,
        matter_id TEXT NOT NULL,
        case_ref TEXT,
        day TEXT NOT NULL,
        raised_at TEXT NOT NULL,
        entries TEXT NOT NULL,
        detail TEXT NOT NULL,
        status TEXT NOT NULL,
        disposition TEXT
    );
    CREATE INDEX alerts_unit_day ON alerts (unit, day);
    CREATE INDEX alerts_seq ON alerts (seq);
    CREATE TABLE alert_progress (id BIGINT PRIMARY KEY, seq BIGINT NOT NULL);
    INSERT INTO alert_progress (id, seq) VALUES (1, 0);",
    ),
];

/// A version's columns, in [`version_of_row`] order.
pub(crate) const VERSION_COLUMNS: &str = "version, effective_date, published_at, published_by, note, withdrawn_at, withdrawn_by, withdrawal_note, files";

/// A stored version from its columns (text), refusing a broken one rather than guessing.
pub(crate) fn version_of_row(c: [Option<String>; 9]) -> Result<VersionRecord, StoreError> {
    let [
        version,
        effective,
        published_at,
        published_by,
        note,
        w_at,
        w_by,
        w_note,
        files,
    ] = c;
    let text = |v: Option<String>| v.unwrap_or_default();
    let version = text(version);
    let effective_date = text(effective)
        .parse()
        .map_err(|e| StoreError(format!("version {version}: effective date: {e}")))?;
    let files = serde_json::from_str(&text(files))
        .map_err(|e| StoreError(format!("version {version}: files: {e}")))?;
    Ok(VersionRecord {
        meta: VersionMeta {
            version,
            effective_date,
            published_at: text(published_at),
            published_by: text(published_by),
            note: text(note),
            withdrawal: w_at.map(|at| Withdrawal {
                at,
                by: text(w_by),
                note: text(w_note),
            }),
        },
        files,
    })
}

/// The sequence number a receipt names (`<seq>-<4 hex>`), if it has that shape.
pub(crate) fn receipt_seq(receipt: &str) -> Option<i64> {
    let (seq, check) = receipt.split_once('-')?;
    (check.len() == 4 && check.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| seq.parse().ok())
        .flatten()
}

/// The four statements an append needs, in one backend's open transaction.
pub(crate) trait ChainTx {
    /// The chain's head, locked until the transaction ends (several instances append to one log).
    fn locked_head(&mut self) -> Result<(i64, String), StoreError>;
    fn insert_entry(&mut self, row: &Row, e: &PreparedEntry) -> Result<(), StoreError>;
    fn insert_review_act(&mut self, row: &Row, act: &ReviewActIndex) -> Result<(), StoreError>;
    fn set_head(&mut self, seq: i64, hash: &str) -> Result<(), StoreError>;
}

/// Appends entries in one transaction, both backends alike: each sealed after the one before
/// it, with its review index rows, then the head moved to the last.
pub(crate) fn append_in(
    tx: &mut impl ChainTx,
    entries: &[PreparedEntry],
) -> Result<Vec<Row>, StoreError> {
    let (mut seq, mut prev) = tx.locked_head()?;
    let (at, day) = now_strings();
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        seq += 1;
        let row = Row::seal(e, seq, &at, &day, &prev);
        tx.insert_entry(&row, e)?;
        for act in &e.review_acts {
            tx.insert_review_act(&row, act)?;
        }
        prev = row.hash.clone();
        out.push(row);
    }
    tx.set_head(seq, &prev)?;
    Ok(out)
}

/// The body goes in compact (`body_z`, `supervision::compact`), `body` stays empty.
pub(crate) const INSERT_ENTRY: &str = "INSERT INTO log_entries (seq, recorded_at, day, kind, inspector, unit, matter_id, outcome, tier, case_ref, body, hash, body_z) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, '', ?11, ?12)";
/// [`Store::review_act_rows`], both backends (`?N`; `$N` for PostgreSQL).
pub(crate) const REVIEW_ACT_ROWS: &str = "SELECT seq, act, day, unit, inspector, matter_id, outcome, direction, reason_required FROM review_acts \
     WHERE (seq > ?1 OR (seq = ?1 AND act > ?2)) AND seq <= ?3 ORDER BY seq, act";

pub(crate) const INSERT_REVIEW_ACT: &str = "INSERT INTO review_acts (seq, act, day, unit, inspector, matter_id, outcome, direction, reason_required) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
/// A row's columns in [`Row`] order; the previous hash is the row before's (genesis for the first).
pub(crate) const ROW_COLUMNS: &str = "seq, recorded_at, day, kind, inspector, unit, matter_id, outcome, tier, case_ref, body, hash, COALESCE((SELECT p.hash FROM log_entries p WHERE p.seq = log_entries.seq - 1), '0000000000000000000000000000000000000000000000000000000000000000'), body_z";

/// A row's body: its text where the row has one (rows before compact bodies, or a text
/// written over it, which then fails its hash), else the compact body decoded. Bytes that do
/// not decode read as a text that cannot match the hash: `log verify` reports the row.
pub(crate) fn stored_body(text: String, compact: Option<Vec<u8>>) -> String {
    match compact {
        Some(bytes) if text.is_empty() => super::compact::decode(&bytes)
            .unwrap_or_else(|e| format!("（无法读取的记录内容：{e}）")),
        _ => text,
    }
}

/// Rebuilds a stored entry from its row.
pub(crate) fn entry_from_row(row: Row) -> Result<StoredEntry, StoreError> {
    row.entry().map_err(StoreError::from)
}

/// The time and the China-time day of "now", as stored.
pub fn now_strings() -> (String, String) {
    let now = chrono::Utc::now();
    (
        now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        crate::clock::today().to_string(),
    )
}

pub(crate) fn share(part: i64, whole: i64) -> rust_decimal::Decimal {
    if whole == 0 {
        rust_decimal::Decimal::new(0, 4)
    } else {
        let mut x =
            (rust_decimal::Decimal::from(part) / rust_decimal::Decimal::from(whole)).round_dp(4);
        x.rescale(4);
        x
    }
}

/// The statistics queries, shared by both backends (`{w}` is the filter's WHERE clause).
pub(crate) const STATS_SQL: [&str; 5] = [
    "SELECT unit, COUNT(*) FROM log_entries{w} GROUP BY unit ORDER BY COUNT(*) DESC, unit",
    "SELECT matter_id, COUNT(*) FROM log_entries{w} GROUP BY matter_id ORDER BY COUNT(*) DESC, matter_id",
    "SELECT day, COUNT(*) FROM log_entries{w} GROUP BY day ORDER BY day",
    "SELECT inspector, unit, COUNT(*), CAST(SUM(CASE WHEN outcome = 'no_penalty' THEN 1 ELSE 0 END) AS BIGINT) FROM log_entries{w} GROUP BY inspector, unit ORDER BY COUNT(*) DESC, inspector",
    "SELECT matter_id, tier, COUNT(*) FROM log_entries{w} GROUP BY matter_id, tier ORDER BY matter_id, tier",
];

/// Filters of the alert listing (all optional; `from`/`to` are days, inclusive).
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub id: Option<String>,
    pub kind: Option<String>,
    pub unit: Option<String>,
    /// `open`, `explained`, `referred` or `dismissed`.
    pub status: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl AlertFilter {
    /// `WHERE …` with `?N` placeholders starting at 1, and the values in order.
    pub(crate) fn sql(&self) -> (String, Vec<String>) {
        let mut clauses = Vec::new();
        let mut values = Vec::new();
        for (clause, v) in [
            ("id = ?", &self.id),
            ("kind = ?", &self.kind),
            ("unit = ?", &self.unit),
            ("status = ?", &self.status),
            ("day >= ?", &self.from),
            ("day <= ?", &self.to),
        ] {
            if let Some(v) = v {
                values.push(v.clone());
                clauses.push(clause.replace("?", &format!("?{}", values.len())));
            }
        }
        let sql = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        };
        (sql, values)
    }
}

/// An alert's columns, in [`alert_of_columns`] order.
pub(crate) const ALERT_COLUMNS: &str = "id, seq, kind, severity, unit, inspector, matter_id, case_ref, day, raised_at, entries, detail, status, disposition";
pub(crate) const INSERT_ALERT: &str = "INSERT INTO alerts (id, seq, kind, severity, unit, inspector, matter_id, case_ref, day, raised_at, entries, detail, status, disposition) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) ON CONFLICT (id) DO NOTHING";
pub(crate) const DISPOSE_ALERT: &str =
    "UPDATE alerts SET status = ?2, disposition = ?3 WHERE id = ?1";
pub(crate) const ALERT_PROGRESS: &str =
    "UPDATE alert_progress SET seq = ?1 WHERE id = 1 AND seq < ?1";

/// The text columns of an alert as stored: (id, kind, severity, unit, inspector, matter_id,
/// day, raised_at, entries, detail, status), then case_ref and disposition (nullable).
pub(crate) struct AlertText {
    pub text: [String; 11],
    pub case_ref: Option<String>,
    pub disposition: Option<String>,
}

impl AlertText {
    pub(crate) fn of(a: &Alert) -> AlertText {
        AlertText {
            text: [
                a.id.clone(),
                a.kind.as_str().into(),
                a.severity.as_str().into(),
                a.unit.clone(),
                a.inspector.clone(),
                a.matter_id.clone(),
                a.day.clone(),
                a.raised_at.clone(),
                serde_json::to_string(&a.entries).expect("receipts encode"),
                a.detail.clone(),
                a.status().into(),
            ],
            case_ref: a.case_ref.clone(),
            disposition: a
                .disposition
                .as_ref()
                .map(|d| serde_json::to_string(d).expect("dispositions encode")),
        }
    }
}

/// The status and disposition columns of a disposed alert.
pub(crate) fn disposition_columns(d: &Disposition) -> (String, String) {
    (
        d.status.as_str().to_string(),
        serde_json::to_string(d).expect("dispositions encode"),
    )
}

/// A stored alert from its columns. A status column that disagrees with the stored
/// disposition is kept visible (the title says so), so that the comparison with the log
/// reports it rather than hiding it.
pub(crate) fn alert_of_columns(seq: i64, t: AlertText) -> Result<Alert, StoreError> {
    let [
        id,
        kind,
        severity,
        unit,
        inspector,
        matter_id,
        day,
        raised_at,
        entries,
        detail,
        status,
    ] = t.text;
    let bad = |what: &str| StoreError(format!("alert {id}: unreadable {what}"));
    let kind = AlertKind::parse(&kind).ok_or_else(|| bad("kind"))?;
    let disposition: Option<Disposition> = match &t.disposition {
        Some(d) => Some(serde_json::from_str(d).map_err(|_| bad("disposition"))?),
        None => None,
    };
    let derived = disposition.as_ref().map_or("open", |d| d.status.as_str());
    let title =
        if derived == status && (status == "open" || DispositionStatus::parse(&status).is_some()) {
            kind.title().to_string()
        } else {
            format!("{}（状态列为 {status}）", kind.title())
        };
    Ok(Alert {
        severity: Severity::parse(&severity).ok_or_else(|| bad("severity"))?,
        entries: serde_json::from_str(&entries).map_err(|_| bad("entries"))?,
        id,
        kind,
        title,
        seq,
        unit,
        inspector,
        matter_id,
        case_ref: t.case_ref,
        day,
        raised_at,
        detail,
        disposition,
    })
}
