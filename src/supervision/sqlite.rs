//! The embedded default: one SQLite file under the data directory, WAL mode, fsync on commit.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params, params_from_iter};

use super::store::*;
use super::{Columns, PreparedEntry, ReviewActIndex, Row, StoredEntry, receipt_for};
use crate::alerts::{Alert, Effect};
use crate::standards::versions::{VersionRecord, Withdrawal};

/// The write-ahead log is truncated once it passes this size (see [`SqliteStore::bound_wal`]).
pub const WAL_LIMIT_BYTES: u64 = 32 * 1024 * 1024;

pub struct SqliteStore {
    conn: Connection,
    wal: std::path::PathBuf,
    wal_limit: u64,
    /// When a truncating checkpoint last found a reader in its way.
    last_busy: Option<std::time::Instant>,
    last_passive: Option<std::time::Instant>,
    /// The shared-memory index beside the WAL, which every connection maps into memory.
    shm: std::path::PathBuf,
}

/// The log is readable by the service's own user only (it names inspectors and cases).
#[cfg(unix)]
fn owner_only(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

#[cfg(not(unix))]
fn owner_only(_: &Path) {}

/// SQLite's wal-index is mapped in pieces of 32 KiB; a file shorter than the first is damaged.
const SHM_FIRST_PAGE: u64 = 32 * 1024;

impl SqliteStore {
    /// Opens (creating) `<data_dir>/supervision.sqlite3`.
    pub fn open(data_dir: &Path) -> Result<SqliteStore, StoreError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| StoreError(format!("cannot create {}: {e}", data_dir.display())))?;
        Self::open_file(&data_dir.join("supervision.sqlite3"))
    }

    pub fn open_file(path: &Path) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path)?;
        owner_only(path);
        // WAL lets readers work beside the writer; synchronous=FULL makes a commit durable
        // before it returns, so an acknowledged entry survives a crash.
        // `journal_size_limit` shrinks a reset WAL file back to the limit instead of keeping
        // its high-water size on disk. Automatic checkpoints are off: the writer runs its own,
        // at most every 100 ms (see `bound_wal`), not inside every commit.
        conn.execute_batch(&format!("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit={WAL_LIMIT_BYTES};"))?;
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let mut shm = path.as_os_str().to_owned();
        shm.push("-shm");
        Ok(SqliteStore {
            conn,
            wal: wal.into(),
            shm: shm.into(),
            wal_limit: WAL_LIMIT_BYTES,
            last_busy: None,
            last_passive: None,
        })
    }

    /// A smaller WAL bound (tests reach it in a few hundred appends).
    pub fn with_wal_limit(mut self, bytes: u64) -> SqliteStore {
        self.wal_limit = bytes;
        self
    }

    /// Keeps the write-ahead log small under sustained writes. Checkpoints run by another
    /// connection beside the writer never catch the frames appended meanwhile: SQLite never
    /// gets to restart the WAL and it grows without end (30 GB in five minutes of load), and
    /// the writer then waits on their locks in steps of the busy handler (p99 20 ms). So the
    /// writer itself checkpoints, between two batches, the one moment no frame is being
    /// added: a passive checkpoint at most every 100 ms copies the pages changed since the
    /// last (a few hundred), and the next commit starts the WAL again from its beginning. If a
    /// reader holding an old snapshot keeps it from completing and the file passes the limit,
    /// a TRUNCATE checkpoint waits for the reader and empties it; when even that finds a
    /// reader in its way it is retried after 250 ms, not after every batch.
    fn bound_wal(&mut self) {
        let now = std::time::Instant::now();
        if self
            .last_passive
            .is_none_or(|t| now.duration_since(t) >= std::time::Duration::from_millis(100))
        {
            self.last_passive = Some(now);
            if let Err(e) = self
                .conn
                .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
            {
                tracing::warn!("log: WAL checkpoint failed: {e}");
            }
        }
        let size = std::fs::metadata(&self.wal).map_or(0, |m| m.len());
        if size <= self.wal_limit {
            return;
        }
        let now = std::time::Instant::now();
        if self
            .last_busy
            .is_some_and(|t| now.duration_since(t) < std::time::Duration::from_millis(250))
        {
            return;
        }
        // A reader in the way is waited for a moment only: every append waits behind this.
        let _ = self.conn.busy_timeout(std::time::Duration::from_millis(20));
        let truncated = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                r.get::<_, i64>(0)
            });
        let _ = self.conn.busy_timeout(std::time::Duration::from_secs(10));
        match truncated {
            Ok(0) => self.last_busy = None,
            Ok(_) => self.last_busy = Some(now),
            Err(e) => {
                self.last_busy = Some(now);
                tracing::warn!("log: WAL checkpoint (truncate) failed: {e}");
            }
        }
    }

    /// The size of the write-ahead log file now (0 when there is none).
    pub fn wal_size(&self) -> u64 {
        std::fs::metadata(&self.wal).map_or(0, |m| m.len())
    }

    /// Direct access, for tests that tamper with the log as an attacker would.
    pub fn connection(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

/// An append's statements in an immediate (write-locked) SQLite transaction.
struct SqliteChain<'a>(&'a rusqlite::Transaction<'a>);

impl ChainTx for SqliteChain<'_> {
    fn locked_head(&mut self) -> Result<(i64, String), StoreError> {
        Ok(self
            .0
            .prepare_cached("SELECT seq, hash FROM chain_head WHERE id = 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?)
    }

    fn insert_entry(&mut self, r: &Row, e: &PreparedEntry) -> Result<(), StoreError> {
        let c = &e.columns;
        self.0.prepare_cached(INSERT_ENTRY)?.execute(params![
            r.seq,
            r.recorded_at,
            r.day,
            c.kind,
            c.inspector,
            c.unit,
            c.matter_id,
            c.outcome,
            c.tier,
            c.case_ref,
            r.hash,
            e.stored
        ])?;
        Ok(())
    }

    fn insert_review_act(&mut self, r: &Row, a: &ReviewActIndex) -> Result<(), StoreError> {
        self.0.prepare_cached(INSERT_REVIEW_ACT)?.execute(params![
            r.seq,
            a.act,
            r.day,
            a.unit,
            a.inspector,
            a.matter_id,
            a.verdict,
            a.direction,
            a.reason_required as i64
        ])?;
        Ok(())
    }

    fn set_head(&mut self, seq: i64, hash: &str) -> Result<(), StoreError> {
        self.0
            .prepare_cached("UPDATE chain_head SET seq = ?1, hash = ?2 WHERE id = 1")?
            .execute(params![seq, hash])?;
        Ok(())
    }
}

fn row_of(r: &rusqlite::Row) -> rusqlite::Result<Row> {
    let seq = r.get(0)?;
    let hash: String = r.get(11)?;
    Ok(Row {
        seq,
        receipt: receipt_for(seq, &hash),
        recorded_at: r.get(1)?,
        day: r.get(2)?,
        columns: Columns {
            kind: r.get(3)?,
            inspector: r.get(4)?,
            unit: r.get(5)?,
            matter_id: r.get(6)?,
            outcome: r.get(7)?,
            tier: r.get(8)?,
            case_ref: r.get(9)?,
        },
        body: stored_body(r.get(10)?, r.get(13)?),
        hash,
        prev_hash: r.get(12)?,
    })
}

fn counts(conn: &Connection, sql: &str, values: &[String]) -> Result<Vec<Count>, StoreError> {
    let mut st = conn.prepare(sql)?;
    let rows = st.query_map(params_from_iter(values), |r| {
        Ok(Count {
            key: r.get(0)?,
            count: r.get(1)?,
        })
    })?;
    rows.collect::<Result<_, _>>().map_err(StoreError::from)
}

fn review_stats(conn: &Connection, filter: &Filter) -> Result<ReviewStats, StoreError> {
    let (w, values) = review_filter(filter).sql();
    let (cases, acts): (i64, i64) = conn.query_row(
        &format!("SELECT COUNT(DISTINCT seq), COUNT(*) FROM review_acts{w}"),
        params_from_iter(&values),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let query = |sql: &str| -> Result<Vec<DeviationCount>, StoreError> {
        let mut st = conn.prepare(sql)?;
        let rows = st.query_map(params_from_iter(&values), |r| {
            Ok(DeviationCount::new(
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?;
        rows.collect::<Result<_, _>>().map_err(StoreError::from)
    };
    let [a, b, c] = review_stats_sql(&w);
    Ok(ReviewStats::assemble(
        cases,
        acts,
        [query(&a)?, query(&b)?, query(&c)?],
    ))
}

impl Store for SqliteStore {
    fn migrate(&mut self) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)")?;
        for (version, sql) in MIGRATIONS {
            let done: Option<i64> = tx
                .query_row(
                    "SELECT version FROM schema_migrations WHERE version = ?1",
                    [version],
                    |r| r.get(0),
                )
                .optional()?;
            if done.is_none() {
                tx.execute_batch(
                    &sql.replace("{seq_key}", "INTEGER PRIMARY KEY")
                        .replace("{blob}", "BLOB"),
                )
                .map_err(|e| StoreError(format!("migration {version}: {e}")))?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                    params![version, now_strings().0],
                )?;
            }
        }
        tx.commit().map_err(StoreError::from)
    }

    fn append(&mut self, entries: &[PreparedEntry]) -> Result<Vec<Row>, StoreError> {
        self.healthy()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let rows = append_in(&mut SqliteChain(&tx), entries)?;
        tx.commit()?;
        self.bound_wal();
        Ok(rows)
    }

    fn entry(&mut self, receipt: &str) -> Result<Option<StoredEntry>, StoreError> {
        let Some(seq) = receipt_seq(receipt) else {
            return Ok(None);
        };
        let row = self
            .conn
            .query_row(
                &format!("SELECT {ROW_COLUMNS} FROM log_entries WHERE seq = ?1"),
                [seq],
                row_of,
            )
            .optional()?;
        // The receipt's check digits must match too: a receipt is not a sequence number.
        row.filter(|r| r.receipt == receipt)
            .map(entry_from_row)
            .transpose()
    }

    fn list(
        &mut self,
        filter: &Filter,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<StoredEntry>), StoreError> {
        let (w, values) = filter.sql();
        let total: i64 = self.conn.query_row(
            &format!("SELECT COUNT(*) FROM log_entries{w}"),
            params_from_iter(&values),
            |r| r.get(0),
        )?;
        let mut st = self
            .conn
            .prepare(&format!("SELECT {ROW_COLUMNS} FROM log_entries{w} ORDER BY seq DESC LIMIT {limit} OFFSET {offset}"))?;
        let rows = st.query_map(params_from_iter(&values), row_of)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(entry_from_row(r?)?);
        }
        Ok((total, out))
    }

    fn rows(
        &mut self,
        filter: &Filter,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<Row>, StoreError> {
        let (w, values) = filter.sql();
        let cond = if w.is_empty() {
            format!(" WHERE seq > {after_seq}")
        } else {
            format!("{w} AND seq > {after_seq}")
        };
        let mut st = self.conn.prepare(&format!(
            "SELECT {ROW_COLUMNS} FROM log_entries{cond} ORDER BY seq LIMIT {limit}"
        ))?;
        let rows = st.query_map(params_from_iter(&values), row_of)?;
        rows.collect::<Result<_, _>>().map_err(StoreError::from)
    }

    /// A shared-memory file cut below its first page under a running process would make the
    /// next access to the mapping kill it (SIGBUS): refuse to touch it instead. The caller
    /// answers 503 and drops this connection; a fresh one rebuilds the index from the WAL.
    fn healthy(&mut self) -> Result<(), StoreError> {
        match std::fs::metadata(&self.shm) {
            Ok(m) if m.len() < SHM_FIRST_PAGE => Err(StoreError(format!(
                "{} was cut to {} bytes under the running service: the log is not touched until it is reopened",
                self.shm.display(),
                m.len()
            ))),
            _ => Ok(()),
        }
    }

    fn recover(&mut self) -> Result<(), StoreError> {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(&self.shm)
            .map_err(|e| StoreError(format!("{}: {e}", self.shm.display())))?;
        if f.metadata().map(|m| m.len()).unwrap_or(0) < SHM_FIRST_PAGE {
            f.set_len(SHM_FIRST_PAGE)
                .map_err(|e| StoreError(format!("{}: {e}", self.shm.display())))?;
        }
        Ok(())
    }

    fn review_act_rows(
        &mut self,
        after: (i64, i64),
        through: i64,
    ) -> Result<Vec<super::ReviewActRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(super::store::REVIEW_ACT_ROWS)?;
        let rows = stmt.query_map(params![after.0, after.1, through], |r| {
            Ok(super::ReviewActRow {
                seq: r.get(0)?,
                act: r.get(1)?,
                day: r.get(2)?,
                unit: r.get(3)?,
                inspector: r.get(4)?,
                matter_id: r.get(5)?,
                outcome: r.get(6)?,
                direction: r.get(7)?,
                reason_required: r.get::<_, i64>(8)? != 0,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn head(&mut self) -> Result<(i64, String), StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT seq, hash FROM chain_head WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?
            .unwrap_or((-1, String::new())))
    }

    fn stats(&mut self, filter: &Filter) -> Result<SupervisionStats, StoreError> {
        let (w, values) = filter.sql();
        let sql = |i: usize| STATS_SQL[i].replace("{w}", &w);
        let total: i64 = self.conn.query_row(
            &format!("SELECT COUNT(*) FROM log_entries{w}"),
            params_from_iter(&values),
            |r| r.get(0),
        )?;
        let per_unit = counts(&self.conn, &sql(0), &values)?;
        let per_matter = counts(&self.conn, &sql(1), &values)?;
        let per_day = counts(&self.conn, &sql(2), &values)?;
        let mut st = self.conn.prepare(&sql(3))?;
        let per_inspector = st
            .query_map(params_from_iter(&values), |r| {
                let (count, no_penalty): (i64, i64) = (r.get(2)?, r.get(3)?);
                Ok(InspectorCount {
                    inspector: r.get(0)?,
                    unit: r.get(1)?,
                    count,
                    no_penalty,
                    no_penalty_share: share(no_penalty, count),
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut st = self.conn.prepare(&sql(4))?;
        let tiers_per_matter = st
            .query_map(params_from_iter(&values), |r| {
                Ok(TierCount {
                    matter_id: r.get(0)?,
                    tier: r.get(1)?,
                    count: r.get(2)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let reviews = review_stats(&self.conn, filter)?;
        Ok(SupervisionStats {
            reviews,
            total,
            per_unit,
            per_matter,
            per_inspector,
            per_day,
            tiers_per_matter,
        })
    }

    fn insert_token(&mut self, t: &TokenRecord) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO tokens (id, name, unit, role, secret_hash, created_at, revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![t.id, t.name, t.unit, t.role, t.secret_hash, t.created_at, t.revoked_at],
            )
            .map(|_| ())
            .map_err(StoreError::from)
    }

    fn tokens(&mut self) -> Result<Vec<TokenRecord>, StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT id, name, unit, role, secret_hash, created_at, revoked_at FROM tokens ORDER BY created_at, name, id")?;
        let rows = st.query_map([], |r| {
            Ok(TokenRecord {
                id: r.get(0)?,
                name: r.get(1)?,
                unit: r.get(2)?,
                role: r.get(3)?,
                secret_hash: r.get(4)?,
                created_at: r.get(5)?,
                revoked_at: r.get(6)?,
            })
        })?;
        rows.collect::<Result<_, _>>().map_err(StoreError::from)
    }

    fn versions(&mut self) -> Result<Vec<VersionRecord>, StoreError> {
        let mut st = self
            .conn
            .prepare(&format!("SELECT {VERSION_COLUMNS} FROM standards_versions"))?;
        let rows = st.query_map([], |r| {
            let mut c: [Option<String>; 9] = Default::default();
            for (i, slot) in c.iter_mut().enumerate() {
                *slot = r.get(i)?;
            }
            Ok(c)
        })?;
        rows.map(|c| version_of_row(c?)).collect()
    }

    fn insert_version(&mut self, v: &VersionRecord) -> Result<(), StoreError> {
        let m = &v.meta;
        self.conn.execute(
            "INSERT INTO standards_versions (version, effective_date, published_at, published_by, note, files) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                m.version,
                m.effective_date.to_string(),
                m.published_at,
                m.published_by,
                m.note,
                serde_json::to_string(&v.files)?
            ],
        )?;
        Ok(())
    }

    fn withdraw_version(
        &mut self,
        version: &str,
        w: &Withdrawal,
        today: &str,
    ) -> Result<bool, StoreError> {
        // One statement: SQLite runs writers one at a time, so the check sees the other's withdrawal.
        Ok(self.conn.execute(
            super::store::WITHDRAW_VERSION,
            params![w.at, w.by, w.note, version, today],
        )? > 0)
    }

    fn versions_fingerprint(&mut self) -> Result<String, StoreError> {
        Ok(self
            .conn
            .query_row(VERSIONS_FINGERPRINT, [], |r| r.get(0))?)
    }

    fn alert_progress(&mut self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT seq FROM alert_progress WHERE id = 1", [], |r| {
                r.get(0)
            })?)
    }

    fn apply_alerts(&mut self, effects: &[Effect], through: i64) -> Result<i64, StoreError> {
        self.healthy()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Immediate: instances apply one after another, each only what the other has not
        // (see `Effect::source_seq`).
        let stored: i64 = tx.query_row("SELECT seq FROM alert_progress WHERE id = 1", [], |r| {
            r.get(0)
        })?;
        for e in effects.iter().filter(|e| e.source_seq() > stored) {
            match e {
                Effect::Raised(a) => {
                    let t = AlertText::of(a);
                    let [
                        id,
                        kind,
                        sev,
                        unit,
                        insp,
                        matter,
                        day,
                        at,
                        entries,
                        detail,
                        status,
                    ] = &t.text;
                    tx.prepare_cached(INSERT_ALERT)?.execute(params![
                        id,
                        a.seq,
                        kind,
                        sev,
                        unit,
                        insp,
                        matter,
                        t.case_ref,
                        day,
                        at,
                        entries,
                        detail,
                        status,
                        t.disposition
                    ])?;
                }
                Effect::Disposed {
                    alert_id,
                    disposition,
                } => {
                    let (status, json) = disposition_columns(disposition);
                    tx.prepare_cached(DISPOSE_ALERT)?
                        .execute(params![alert_id, status, json])?;
                }
            }
        }
        tx.execute(ALERT_PROGRESS, [through])?;
        tx.commit()?;
        Ok(stored)
    }

    fn alerts(
        &mut self,
        filter: &AlertFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<Alert>), StoreError> {
        let (w, values) = filter.sql();
        let total: i64 = self.conn.query_row(
            &format!("SELECT COUNT(*) FROM alerts{w}"),
            params_from_iter(&values),
            |r| r.get(0),
        )?;
        let mut st = self.conn.prepare(&format!(
            "SELECT {ALERT_COLUMNS} FROM alerts{w} ORDER BY seq DESC, kind LIMIT {limit} OFFSET {offset}"
        ))?;
        let rows = st.query_map(params_from_iter(&values), |r| {
            let text = |i: usize| r.get::<_, String>(i);
            Ok((
                r.get::<_, i64>(1)?,
                AlertText {
                    text: [
                        text(0)?,
                        text(2)?,
                        text(3)?,
                        text(4)?,
                        text(5)?,
                        text(6)?,
                        text(8)?,
                        text(9)?,
                        text(10)?,
                        text(11)?,
                        text(12)?,
                    ],
                    case_ref: r.get(7)?,
                    disposition: r.get(13)?,
                },
            ))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (seq, t) = r?;
            out.push(alert_of_columns(seq, t)?);
        }
        Ok((total, out))
    }

    fn revoke_token(&mut self, id: &str, at: &str) -> Result<bool, StoreError> {
        self.conn
            .execute(
                "UPDATE tokens SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
                params![at, id],
            )
            .map(|n| n > 0)
            .map_err(StoreError::from)
    }

    fn insert_session(&mut self, s: &SessionRecord) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO sessions (id_hash, token_id, created_at, expires_at, ended_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![s.id_hash, s.token_id, s.created_at, s.expires_at, s.ended_at],
            )
            .map(|_| ())
            .map_err(StoreError::from)
    }

    fn session(&mut self, id_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        self.conn
            .query_row(
                "SELECT id_hash, token_id, created_at, expires_at, ended_at FROM sessions WHERE id_hash = ?1",
                params![id_hash],
                |r| {
                    Ok(SessionRecord {
                        id_hash: r.get(0)?,
                        token_id: r.get(1)?,
                        created_at: r.get(2)?,
                        expires_at: r.get(3)?,
                        ended_at: r.get(4)?,
                    })
                },
            )
            .optional()
            .map_err(StoreError::from)
    }

    fn end_session(&mut self, id_hash: &str, at: &str) -> Result<bool, StoreError> {
        self.conn
            .execute(
                "UPDATE sessions SET ended_at = ?1 WHERE id_hash = ?2 AND ended_at IS NULL",
                params![at, id_hash],
            )
            .map(|n| n > 0)
            .map_err(StoreError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::supervision::sample_entry;

    fn entry(n: usize) -> PreparedEntry {
        sample_entry(n).prepare()
    }

    /// Without the writer's truncating checkpoint the WAL of this loop grows to 19 MB; with
    /// it, the file never exceeds the limit by more than one batch, and the log stays whole.
    #[test]
    fn the_write_ahead_log_stays_bounded_under_sustained_appends() {
        let dir = std::env::temp_dir().join(format!("pst-wal-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let limit = 256 * 1024;
        let mut store = SqliteStore::open(&dir).unwrap().with_wal_limit(limit);
        store.migrate().unwrap();
        let mut largest = 0;
        for batch in 0..400 {
            let entries: Vec<PreparedEntry> = (0..4).map(|k| entry(batch * 4 + k)).collect();
            store.append(&entries).unwrap();
            largest = largest.max(store.wal_size());
        }
        assert!(
            largest <= limit + 128 * 1024,
            "the WAL reached {largest} bytes (limit {limit})"
        );
        let verified = crate::supervision::verify(&mut store).unwrap();
        assert_eq!(verified.map(|(n, _)| n), Ok(1600));
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A log written before migration 3 (format-1 rows, receipt and previous-hash columns)
    /// migrates without losing anything: its entries verify and are found by receipt, and new
    /// entries chain onto them.
    #[test]
    fn a_log_of_format_1_rows_migrates_and_keeps_verifying() {
        use crate::supervision::{GENESIS, chain_hash, receipt_for};
        let dir = std::env::temp_dir().join(format!("pst-migrate-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut store = SqliteStore::open(&dir).unwrap();
        let conn = store.connection();
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
        )
        .unwrap();
        for (version, sql) in &MIGRATIONS[..2] {
            conn.execute_batch(sql).unwrap();
            conn.execute(
                "INSERT INTO schema_migrations VALUES (?1, '2026-01-01')",
                [version],
            )
            .unwrap();
        }
        let mut prev = GENESIS.to_string();
        let mut receipts = Vec::new();
        for seq in 1..=3i64 {
            let body = serde_json::json!({"kind": "calculation",
                "caller": {"token_id": "t1", "name": "张三", "unit": "ZHZF", "role": "inspector"},
                "client": "rest", "matter_id": "ZHZF-001", "standards_version": "2026.1",
                "outcome": "penalty", "tier": seq, "case_ref": null,
                "request": {"facts": {"area": seq.to_string()}}, "result": {}, "offline": false})
            .to_string();
            let (at, day) = ("2026-11-22T01:00:00Z", "2026-11-22");
            let hash = chain_hash(&prev, seq, at, day, &body);
            let receipt = receipt_for(seq, &hash);
            conn.execute(
                "INSERT INTO log_entries VALUES (?1, ?2, ?3, ?4, 'calculation', '张三', 'ZHZF', 'inspector', 'rest', 'ZHZF-001', 'penalty', ?1, NULL, ?5, ?6, ?7)",
                params![seq, receipt, at, day, body, prev, hash],
            )
            .unwrap();
            conn.execute(
                "UPDATE chain_head SET seq = ?1, hash = ?2",
                params![seq, hash],
            )
            .unwrap();
            prev = hash;
            receipts.push(receipt);
        }
        store.migrate().unwrap();
        store.append(&[entry(4)]).unwrap();
        let verified = crate::supervision::verify(&mut store).unwrap();
        assert_eq!(verified.map(|(n, _)| n), Ok(4));
        let old = store
            .entry(&receipts[1])
            .unwrap()
            .expect("found by receipt");
        assert_eq!(
            (old.seq, old.tier, old.caller.role.as_str()),
            (2, Some(2), "inspector")
        );
        assert_eq!(old.prev_hash.len(), 64);
        assert!(
            store.entry("2-0000").unwrap().is_none(),
            "check digits matter"
        );
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
