//! The embedded default: one SQLite file under the data directory, WAL mode, fsync on commit.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params, params_from_iter};

use super::store::*;
use super::{PreparedEntry, Row, StoredEntry};

pub struct SqliteStore {
    conn: Connection,
}

impl SqliteStore {
    /// Opens (creating) `<data_dir>/supervision.sqlite3`.
    pub fn open(data_dir: &Path) -> Result<SqliteStore, StoreError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| StoreError(format!("cannot create {}: {e}", data_dir.display())))?;
        Self::open_file(&data_dir.join("supervision.sqlite3"))
    }

    pub fn open_file(path: &Path) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path).map_err(StoreError::from)?;
        // WAL lets readers work beside the writer; synchronous=FULL makes a commit durable
        // before it returns, so an acknowledged entry survives a crash. Automatic checkpoints
        // are off: they would run inside the writer's commits and stall every request waiting
        // on that batch; the service runs passive checkpoints from another connection instead
        // (and SQLite checkpoints when the last connection closes).
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=0;")
            .map_err(StoreError::from)?;
        Ok(SqliteStore { conn })
    }

    /// Direct access, for tests that tamper with the log as an attacker would.
    pub fn connection(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

fn row_of(r: &rusqlite::Row) -> rusqlite::Result<Row> {
    Ok(Row {
        seq: r.get(0)?,
        receipt: r.get(1)?,
        recorded_at: r.get(2)?,
        day: r.get(3)?,
        matter_id: r.get(4)?,
        unit: r.get(5)?,
        inspector: r.get(6)?,
        outcome: r.get(7)?,
        body: r.get(8)?,
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
    })
}

fn counts(conn: &Connection, sql: &str, values: &[String]) -> Result<Vec<Count>, StoreError> {
    let mut st = conn.prepare(sql).map_err(StoreError::from)?;
    let rows = st
        .query_map(params_from_iter(values), |r| {
            Ok(Count {
                key: r.get(0)?,
                count: r.get(1)?,
            })
        })
        .map_err(StoreError::from)?;
    rows.collect::<Result<_, _>>().map_err(StoreError::from)
}

fn review_stats(conn: &Connection, filter: &Filter) -> Result<ReviewStats, StoreError> {
    let (w, values) = review_filter(filter).sql();
    let (cases, acts): (i64, i64) = conn
        .query_row(
            &format!("SELECT COUNT(DISTINCT seq), COUNT(*) FROM review_acts{w}"),
            params_from_iter(&values),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(StoreError::from)?;
    let query = |sql: &str| -> Result<Vec<DeviationCount>, StoreError> {
        let mut st = conn.prepare(sql).map_err(StoreError::from)?;
        let rows = st
            .query_map(params_from_iter(&values), |r| {
                Ok(DeviationCount::new(
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .map_err(StoreError::from)?;
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
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)")
            .map_err(StoreError::from)?;
        for (version, sql) in MIGRATIONS {
            let done: Option<i64> = tx
                .query_row(
                    "SELECT version FROM schema_migrations WHERE version = ?1",
                    [version],
                    |r| r.get(0),
                )
                .optional()
                .map_err(StoreError::from)?;
            if done.is_none() {
                tx.execute_batch(sql)
                    .map_err(|e| StoreError(format!("migration {version}: {e}")))?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                    params![version, now_strings().0],
                )
                .map_err(StoreError::from)?;
            }
        }
        tx.commit().map_err(StoreError::from)
    }

    fn append(&mut self, entries: &[PreparedEntry]) -> Result<Vec<Row>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let (mut seq, mut prev): (i64, String) = tx
            .query_row("SELECT seq, hash FROM chain_head WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(StoreError::from)?;
        let (at, day) = now_strings();
        let mut out = Vec::with_capacity(entries.len());
        {
            let mut insert = tx.prepare_cached(INSERT_ENTRY).map_err(StoreError::from)?;
            for e in entries {
                seq += 1;
                let r = Row::seal(e, seq, &at, &day, &prev);
                insert
                    .execute(params![
                        r.seq,
                        r.receipt,
                        r.recorded_at,
                        r.day,
                        e.kind,
                        e.inspector,
                        e.unit,
                        e.role,
                        e.client,
                        e.matter_id,
                        e.outcome,
                        e.tier,
                        e.case_ref,
                        e.body,
                        r.prev_hash,
                        r.hash
                    ])
                    .map_err(StoreError::from)?;
                if !e.review_acts.is_empty() {
                    let mut act = tx
                        .prepare_cached(INSERT_REVIEW_ACT)
                        .map_err(StoreError::from)?;
                    for a in &e.review_acts {
                        act.execute(params![
                            r.seq,
                            a.act,
                            r.day,
                            e.unit,
                            a.inspector,
                            a.matter_id,
                            a.verdict,
                            a.direction,
                            a.reason_required as i64
                        ])
                        .map_err(StoreError::from)?;
                    }
                }
                prev = r.hash.clone();
                out.push(r);
            }
        }
        tx.execute(
            "UPDATE chain_head SET seq = ?1, hash = ?2 WHERE id = 1",
            params![seq, prev],
        )
        .map_err(StoreError::from)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    fn entry(&mut self, receipt: &str) -> Result<Option<StoredEntry>, StoreError> {
        let row = self
            .conn
            .query_row(
                &format!("SELECT {ROW_COLUMNS} FROM log_entries WHERE receipt = ?1"),
                [receipt],
                row_of,
            )
            .optional()
            .map_err(StoreError::from)?;
        row.map(entry_from_row).transpose()
    }

    fn list(
        &mut self,
        filter: &Filter,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<StoredEntry>), StoreError> {
        let (w, values) = filter.sql();
        let total: i64 = self
            .conn
            .query_row(
                &format!("SELECT COUNT(*) FROM log_entries{w}"),
                params_from_iter(&values),
                |r| r.get(0),
            )
            .map_err(StoreError::from)?;
        let mut st = self
            .conn
            .prepare(&format!("SELECT {ROW_COLUMNS} FROM log_entries{w} ORDER BY seq DESC LIMIT {limit} OFFSET {offset}"))
            .map_err(StoreError::from)?;
        let rows = st
            .query_map(params_from_iter(&values), row_of)
            .map_err(StoreError::from)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(entry_from_row(r.map_err(StoreError::from)?)?);
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
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT {ROW_COLUMNS} FROM log_entries{cond} ORDER BY seq LIMIT {limit}"
            ))
            .map_err(StoreError::from)?;
        let rows = st
            .query_map(params_from_iter(&values), row_of)
            .map_err(StoreError::from)?;
        rows.collect::<Result<_, _>>().map_err(StoreError::from)
    }

    fn head(&mut self) -> Result<(i64, String), StoreError> {
        self.conn
            .query_row("SELECT seq, hash FROM chain_head WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(StoreError::from)
    }

    fn stats(&mut self, filter: &Filter) -> Result<SupervisionStats, StoreError> {
        let (w, values) = filter.sql();
        let sql = |i: usize| STATS_SQL[i].replace("{w}", &w);
        let total: i64 = self
            .conn
            .query_row(
                &format!("SELECT COUNT(*) FROM log_entries{w}"),
                params_from_iter(&values),
                |r| r.get(0),
            )
            .map_err(StoreError::from)?;
        let per_unit = counts(&self.conn, &sql(0), &values)?;
        let per_matter = counts(&self.conn, &sql(1), &values)?;
        let per_day = counts(&self.conn, &sql(2), &values)?;
        let mut st = self.conn.prepare(&sql(3)).map_err(StoreError::from)?;
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
            })
            .map_err(StoreError::from)?
            .collect::<Result<_, _>>()
            .map_err(StoreError::from)?;
        let mut st = self.conn.prepare(&sql(4)).map_err(StoreError::from)?;
        let tiers_per_matter = st
            .query_map(params_from_iter(&values), |r| {
                Ok(TierCount {
                    matter_id: r.get(0)?,
                    tier: r.get(1)?,
                    count: r.get(2)?,
                })
            })
            .map_err(StoreError::from)?
            .collect::<Result<_, _>>()
            .map_err(StoreError::from)?;
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
            .prepare("SELECT id, name, unit, role, secret_hash, created_at, revoked_at FROM tokens ORDER BY created_at, id")
            .map_err(StoreError::from)?;
        let rows = st
            .query_map([], |r| {
                Ok(TokenRecord {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    unit: r.get(2)?,
                    role: r.get(3)?,
                    secret_hash: r.get(4)?,
                    created_at: r.get(5)?,
                    revoked_at: r.get(6)?,
                })
            })
            .map_err(StoreError::from)?;
        rows.collect::<Result<_, _>>().map_err(StoreError::from)
    }

    fn checkpoint(&mut self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
            .map_err(StoreError::from)
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
}
