//! PostgreSQL, for several service instances behind a load balancer sharing one log. The chain
//! stays linear across instances: every append locks the chain head row (`FOR UPDATE`) inside
//! its transaction, so appends from all instances are serialised.

use postgres::types::ToSql;
use postgres::{Client, NoTls};

use super::store::*;
use super::{Columns, PreparedEntry, ReviewActIndex, Row, StoredEntry, receipt_for};
use crate::alerts::{Alert, Effect};
use crate::standards::versions::{VersionRecord, Withdrawal};

pub struct PgStore {
    client: Client,
}

/// `?N` placeholders (the shared SQL) → `$N`.
fn pg(sql: &str) -> String {
    sql.replace('?', "$")
}

fn params(values: &[String]) -> Vec<&(dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

fn row_of(r: &postgres::Row) -> Row {
    let seq = r.get(0);
    let hash: String = r.get(11);
    Row {
        seq,
        receipt: receipt_for(seq, &hash),
        recorded_at: r.get(1),
        day: r.get(2),
        columns: Columns {
            kind: r.get(3),
            inspector: r.get(4),
            unit: r.get(5),
            matter_id: r.get(6),
            outcome: r.get(7),
            tier: r.get(8),
            case_ref: r.get(9),
        },
        body: stored_body(r.get(10), r.get(13)),
        hash,
        prev_hash: r.get(12),
    }
}

impl PgStore {
    pub fn connect(url: &str) -> Result<PgStore, StoreError> {
        let client = Client::connect(url, NoTls)
            .map_err(|e| StoreError(format!("cannot connect to PostgreSQL: {e}")))?;
        Ok(PgStore { client })
    }

    /// Direct access, for tests that tamper with the log as an attacker would.
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }

    fn counts(&mut self, sql: &str, values: &[String]) -> Result<Vec<Count>, StoreError> {
        let rows = self.client.query(&pg(sql), &params(values))?;
        Ok(rows
            .iter()
            .map(|r| Count {
                key: r.get(0),
                count: r.get(1),
            })
            .collect())
    }
}

impl Store for PgStore {
    fn migrate(&mut self) -> Result<(), StoreError> {
        let mut tx = self.client.transaction()?;
        // Instances starting together take turns.
        tx.execute("SELECT pg_advisory_xact_lock(72190431)", &[])?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)")?;
        for (version, sql) in MIGRATIONS {
            let done = tx.query_opt(
                "SELECT version FROM schema_migrations WHERE version = $1",
                &[version],
            )?;
            if done.is_none() {
                tx.batch_execute(
                    &sql.replace("{seq_key}", "BIGINT PRIMARY KEY")
                        .replace("{blob}", "BYTEA"),
                )
                .map_err(|e| StoreError(format!("migration {version}: {e}")))?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                    &[version, &now_strings().0],
                )?;
            }
        }
        tx.commit().map_err(StoreError::from)
    }

    fn append(&mut self, entries: &[PreparedEntry]) -> Result<Vec<Row>, StoreError> {
        let mut tx = self.client.transaction()?;
        let rows = append_in(
            &mut PgChain {
                tx: &mut tx,
                insert_entry: None,
                insert_act: None,
            },
            entries,
        )?;
        tx.commit()?;
        Ok(rows)
    }

    fn entry(&mut self, receipt: &str) -> Result<Option<StoredEntry>, StoreError> {
        let Some(seq) = receipt_seq(receipt) else {
            return Ok(None);
        };
        let row = self.client.query_opt(
            &format!("SELECT {ROW_COLUMNS} FROM log_entries WHERE seq = $1"),
            &[&seq],
        )?;
        // The receipt's check digits must match too: a receipt is not a sequence number.
        row.map(|r| row_of(&r))
            .filter(|r| r.receipt == receipt)
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
        let w = pg(&w);
        let total: i64 = self
            .client
            .query_one(
                &format!("SELECT COUNT(*) FROM log_entries{w}"),
                &params(&values),
            )?
            .get(0);
        let rows = self
            .client
            .query(&format!("SELECT {ROW_COLUMNS} FROM log_entries{w} ORDER BY seq DESC LIMIT {limit} OFFSET {offset}"), &params(&values))?;
        let entries = rows
            .iter()
            .map(|r| entry_from_row(row_of(r)))
            .collect::<Result<_, _>>()?;
        Ok((total, entries))
    }

    fn rows(
        &mut self,
        filter: &Filter,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<Row>, StoreError> {
        let (w, values) = filter.sql();
        let w = pg(&w);
        let cond = if w.is_empty() {
            format!(" WHERE seq > {after_seq}")
        } else {
            format!("{w} AND seq > {after_seq}")
        };
        let rows = self.client.query(
            &format!("SELECT {ROW_COLUMNS} FROM log_entries{cond} ORDER BY seq LIMIT {limit}"),
            &params(&values),
        )?;
        Ok(rows.iter().map(row_of).collect())
    }

    fn review_act_rows(
        &mut self,
        after: (i64, i64),
        through: i64,
    ) -> Result<Vec<super::ReviewActRow>, StoreError> {
        let sql = super::store::REVIEW_ACT_ROWS.replace('?', "$");
        let rows = self.client.query(&sql, &[&after.0, &after.1, &through])?;
        Ok(rows
            .iter()
            .map(|r| super::ReviewActRow {
                seq: r.get(0),
                act: r.get(1),
                day: r.get(2),
                unit: r.get(3),
                inspector: r.get(4),
                matter_id: r.get(5),
                outcome: r.get(6),
                direction: r.get(7),
                reason_required: r.get::<_, i64>(8) != 0,
            })
            .collect())
    }

    fn head(&mut self) -> Result<(i64, String), StoreError> {
        let r = self
            .client
            .query_opt("SELECT seq, hash FROM chain_head WHERE id = 1", &[])?;
        Ok(r.map_or((-1, String::new()), |r| (r.get(0), r.get(1))))
    }

    fn stats(&mut self, filter: &Filter) -> Result<SupervisionStats, StoreError> {
        let (w, values) = filter.sql();
        let sql = |i: usize| STATS_SQL[i].replace("{w}", &w);
        let total: i64 = self
            .client
            .query_one(
                &pg(&format!("SELECT COUNT(*) FROM log_entries{w}")),
                &params(&values),
            )?
            .get(0);
        let per_unit = self.counts(&sql(0), &values)?;
        let per_matter = self.counts(&sql(1), &values)?;
        let per_day = self.counts(&sql(2), &values)?;
        let per_inspector = self
            .client
            .query(&pg(&sql(3)), &params(&values))?
            .iter()
            .map(|r| {
                let (count, no_penalty): (i64, i64) = (r.get(2), r.get(3));
                InspectorCount {
                    inspector: r.get(0),
                    unit: r.get(1),
                    count,
                    no_penalty,
                    no_penalty_share: share(no_penalty, count),
                }
            })
            .collect();
        let tiers_per_matter = self
            .client
            .query(&pg(&sql(4)), &params(&values))?
            .iter()
            .map(|r| TierCount {
                matter_id: r.get(0),
                tier: r.get(1),
                count: r.get(2),
            })
            .collect();
        let reviews = self.review_stats(filter)?;
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
        self.client
            .execute(
                "INSERT INTO tokens (id, name, unit, role, secret_hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&t.id, &t.name, &t.unit, &t.role, &t.secret_hash, &t.created_at, &t.revoked_at],
            )
            .map(|_| ())
            .map_err(StoreError::from)
    }

    fn tokens(&mut self) -> Result<Vec<TokenRecord>, StoreError> {
        let rows = self
            .client
            .query("SELECT id, name, unit, role, secret_hash, created_at, revoked_at FROM tokens ORDER BY created_at, name, id", &[])?;
        Ok(rows
            .iter()
            .map(|r| TokenRecord {
                id: r.get(0),
                name: r.get(1),
                unit: r.get(2),
                role: r.get(3),
                secret_hash: r.get(4),
                created_at: r.get(5),
                revoked_at: r.get(6),
            })
            .collect())
    }

    fn versions(&mut self) -> Result<Vec<VersionRecord>, StoreError> {
        let rows = self.client.query(
            &format!("SELECT {VERSION_COLUMNS} FROM standards_versions"),
            &[],
        )?;
        rows.iter()
            .map(|r| version_of_row(std::array::from_fn(|i| r.get(i))))
            .collect()
    }

    fn insert_version(&mut self, v: &VersionRecord) -> Result<(), StoreError> {
        let m = &v.meta;
        self.client.execute(
            "INSERT INTO standards_versions (version, effective_date, published_at, published_by, note, files) VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &m.version,
                &m.effective_date.to_string(),
                &m.published_at,
                &m.published_by,
                &m.note,
                &serde_json::to_string(&v.files)?,
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
        // Under READ COMMITTED two updates of different rows would not see each other: the
        // table lock makes the second wait for the first and check what it left.
        let mut tx = self.client.transaction()?;
        tx.batch_execute("LOCK TABLE standards_versions IN SHARE ROW EXCLUSIVE MODE")?;
        let sql = super::store::WITHDRAW_VERSION.replace('?', "$");
        let n = tx.execute(&sql, &[&w.at, &w.by, &w.note, &version, &today])?;
        tx.commit()?;
        Ok(n > 0)
    }

    fn versions_fingerprint(&mut self) -> Result<String, StoreError> {
        Ok(self.client.query_one(VERSIONS_FINGERPRINT, &[])?.get(0))
    }

    fn alert_progress(&mut self) -> Result<i64, StoreError> {
        Ok(self
            .client
            .query_one("SELECT seq FROM alert_progress WHERE id = 1", &[])?
            .get(0))
    }

    fn apply_alerts(&mut self, effects: &[Effect], through: i64) -> Result<i64, StoreError> {
        let mut tx = self.client.transaction()?;
        // The progress row locked: instances apply one after another, each only what the
        // other has not (see `Effect::source_seq`).
        let stored: i64 = tx
            .query_one(
                "SELECT seq FROM alert_progress WHERE id = 1 FOR UPDATE",
                &[],
            )?
            .get(0);
        let insert = tx.prepare(&pg(INSERT_ALERT))?;
        let dispose = tx.prepare(&pg(DISPOSE_ALERT))?;
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
                    tx.execute(
                        &insert,
                        &[
                            id,
                            &a.seq,
                            kind,
                            sev,
                            unit,
                            insp,
                            matter,
                            &t.case_ref,
                            day,
                            at,
                            entries,
                            detail,
                            status,
                            &t.disposition,
                        ],
                    )?;
                }
                Effect::Disposed {
                    alert_id,
                    disposition,
                } => {
                    let (status, json) = disposition_columns(disposition);
                    tx.execute(&dispose, &[alert_id, &status, &json])?;
                }
            }
        }
        tx.execute(&pg(ALERT_PROGRESS), &[&through])?;
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
        let w = pg(&w);
        let total: i64 = self
            .client
            .query_one(&format!("SELECT COUNT(*) FROM alerts{w}"), &params(&values))?
            .get(0);
        let rows = self.client.query(
            &format!(
                "SELECT {ALERT_COLUMNS} FROM alerts{w} ORDER BY seq DESC, kind LIMIT {limit} OFFSET {offset}"
            ),
            &params(&values),
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let text = |i: usize| r.get::<_, String>(i);
            let t = AlertText {
                text: [
                    text(0),
                    text(2),
                    text(3),
                    text(4),
                    text(5),
                    text(6),
                    text(8),
                    text(9),
                    text(10),
                    text(11),
                    text(12),
                ],
                case_ref: r.get(7),
                disposition: r.get(13),
            };
            out.push(alert_of_columns(r.get(1), t)?);
        }
        Ok((total, out))
    }

    fn revoke_token(&mut self, id: &str, at: &str) -> Result<bool, StoreError> {
        self.client
            .execute(
                "UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                &[&at, &id],
            )
            .map(|n| n > 0)
            .map_err(StoreError::from)
    }

    fn insert_session(&mut self, s: &SessionRecord) -> Result<(), StoreError> {
        self.client
            .execute(
                "INSERT INTO sessions (id_hash, token_id, created_at, expires_at, ended_at) VALUES ($1, $2, $3, $4, $5)",
                &[&s.id_hash, &s.token_id, &s.created_at, &s.expires_at, &s.ended_at],
            )
            .map(|_| ())
            .map_err(StoreError::from)
    }

    fn session(&mut self, id_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        Ok(self
            .client
            .query_opt(
                "SELECT id_hash, token_id, created_at, expires_at, ended_at FROM sessions WHERE id_hash = $1",
                &[&id_hash],
            )?
            .map(|r| SessionRecord {
                id_hash: r.get(0),
                token_id: r.get(1),
                created_at: r.get(2),
                expires_at: r.get(3),
                ended_at: r.get(4),
            }))
    }

    fn end_session(&mut self, id_hash: &str, at: &str) -> Result<bool, StoreError> {
        self.client
            .execute(
                "UPDATE sessions SET ended_at = $1 WHERE id_hash = $2 AND ended_at IS NULL",
                &[&at, &id_hash],
            )
            .map(|n| n > 0)
            .map_err(StoreError::from)
    }
}

impl PgStore {
    fn review_stats(&mut self, filter: &Filter) -> Result<ReviewStats, StoreError> {
        let (w, values) = review_filter(filter).sql();
        let head = self.client.query_one(
            &pg(&format!(
                "SELECT COUNT(DISTINCT seq), COUNT(*) FROM review_acts{w}"
            )),
            &params(&values),
        )?;
        let mut query = |sql: &str| -> Result<Vec<DeviationCount>, StoreError> {
            Ok(self
                .client
                .query(&pg(sql), &params(&values))?
                .iter()
                .map(|r| {
                    DeviationCount::new(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5))
                })
                .collect())
        };
        let [a, b, c] = review_stats_sql(&w);
        let groups = [query(&a)?, query(&b)?, query(&c)?];
        Ok(ReviewStats::assemble(head.get(0), head.get(1), groups))
    }
}

/// An append's statements in a PostgreSQL transaction; the head row is locked `FOR UPDATE`.
/// The inserts are prepared once per transaction.
struct PgChain<'a, 'b> {
    tx: &'a mut postgres::Transaction<'b>,
    insert_entry: Option<postgres::Statement>,
    insert_act: Option<postgres::Statement>,
}

impl PgChain<'_, '_> {
    fn statement(
        tx: &mut postgres::Transaction<'_>,
        slot: &mut Option<postgres::Statement>,
        sql: &str,
    ) -> Result<postgres::Statement, StoreError> {
        if slot.is_none() {
            *slot = Some(tx.prepare(&pg(sql))?);
        }
        Ok(slot.clone().expect("prepared above"))
    }
}

impl ChainTx for PgChain<'_, '_> {
    fn locked_head(&mut self) -> Result<(i64, String), StoreError> {
        let head = self.tx.query_one(
            "SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE",
            &[],
        )?;
        Ok((head.get(0), head.get(1)))
    }

    fn insert_entry(&mut self, r: &Row, e: &PreparedEntry) -> Result<(), StoreError> {
        let insert = Self::statement(self.tx, &mut self.insert_entry, INSERT_ENTRY)?;
        let c = &e.columns;
        self.tx.execute(
            &insert,
            &[
                &r.seq,
                &r.recorded_at,
                &r.day,
                &c.kind,
                &c.inspector,
                &c.unit,
                &c.matter_id,
                &c.outcome,
                &c.tier,
                &c.case_ref,
                &r.hash,
                &e.stored,
            ],
        )?;
        Ok(())
    }

    fn insert_review_act(&mut self, r: &Row, a: &ReviewActIndex) -> Result<(), StoreError> {
        let insert = Self::statement(self.tx, &mut self.insert_act, INSERT_REVIEW_ACT)?;
        self.tx.execute(
            &insert,
            &[
                &r.seq,
                &a.act,
                &r.day,
                &a.unit,
                &a.inspector,
                &a.matter_id,
                &a.verdict,
                &a.direction,
                &(a.reason_required as i64),
            ],
        )?;
        Ok(())
    }

    fn set_head(&mut self, seq: i64, hash: &str) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE chain_head SET seq = $1, hash = $2 WHERE id = 1",
            &[&seq, &hash],
        )?;
        Ok(())
    }
}
