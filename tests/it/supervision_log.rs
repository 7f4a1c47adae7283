//! The supervision log on both backends: the same tests against SQLite and PostgreSQL.
//! Tampering is done directly in the database, as an attacker with database access would.

use std::process::Command;

use penalty_standards::engine::Outcome;
use penalty_standards::supervision::store::{Filter, Store};
use penalty_standards::supervision::writer::LogWriter;
use penalty_standards::supervision::{
    Caller, ChainFault, Client, EntryKind, EntryOutcome, NewEntry, PreparedEntry, StorageConfig,
    raw, verify,
};
use serde_json::json;

use crate::support::TestStorage;

fn entry(i: usize, unit: &str, inspector: &str, outcome: Outcome) -> NewEntry {
    NewEntry {
        kind: EntryKind::Calculation,
        caller: Caller {
            token_id: "abc".into(),
            name: inspector.into(),
            unit: unit.into(),
            role: penalty_standards::auth::Role::Inspector,
        },
        client: Client::Rest,
        matter_id: format!("{unit}-{:03}", i % 3 + 1),
        standards_version: "2026.1".into(),
        outcome: EntryOutcome::Calculation(outcome),
        tier: Some(i % 4 + 1),
        case_ref: Some(format!("案{i}")),
        request: raw(&json!({"facts": {"area": i.to_string()}, "party": "organisation"})),
        result: raw(&json!({"fine": {"min": "100.00", "max": "100.00"}})),
        offline: false,
        review_acts: Vec::new(),
    }
}

/// Runs raw SQL on the backend, bypassing the service.
pub(crate) fn tamper(storage: &StorageConfig, sql: &str) {
    match &storage.database_url {
        Some(url) => postgres::Client::connect(url, postgres::NoTls)
            .unwrap()
            .batch_execute(sql)
            .unwrap(),
        None => rusqlite::Connection::open(storage.data_dir.join("supervision.sqlite3"))
            .unwrap()
            .execute_batch(sql)
            .unwrap(),
    }
}

fn filled(storage: &StorageConfig, n: usize) -> Box<dyn Store> {
    let mut s = storage.open_migrated().unwrap();
    let entries: Vec<PreparedEntry> = (1..=n)
        .map(|i| {
            entry(
                i,
                if i % 2 == 0 { "ZHZF" } else { "STHJ" },
                if i % 3 == 0 { "李四" } else { "张三" },
                if i % 5 == 0 {
                    Outcome::NoPenalty
                } else {
                    Outcome::Penalty
                },
            )
            .prepare()
        })
        .collect();
    let stored = s.append(&entries).unwrap();
    assert!(stored.iter().zip(1..).all(|(r, i)| r.seq == i));
    assert_eq!(stored.len(), n);
    s
}

fn fault(storage: &StorageConfig) -> Option<ChainFault> {
    let mut s = storage.open().unwrap();
    verify(s.as_mut()).unwrap().err()
}

#[test]
fn entries_read_back_filter_and_count() {
    for backend in TestStorage::all() {
        let (name, storage) = (backend.name, &backend.config);
        let mut s = filled(storage, 20);
        let (total, page) = s.list(&Filter::default(), 0, 5).unwrap();
        assert_eq!((total, page.len()), (20, 5), "{name}");
        assert_eq!(page[0].seq, 20, "{name}: newest first");
        let one = s.entry(&page[0].receipt).unwrap().expect("by receipt");
        assert_eq!(one, page[0]);
        assert_eq!(one.case_ref.as_deref(), Some("案20"));
        let zhzf = Filter {
            unit: Some("ZHZF".into()),
            ..Filter::default()
        };
        assert_eq!(s.list(&zhzf, 0, 100).unwrap().0, 10, "{name}");
        let lisi_no = Filter {
            inspector: Some("李四".into()),
            outcome: Some("no_penalty".into()),
            ..Filter::default()
        };
        assert_eq!(
            s.list(&lisi_no, 0, 100).unwrap().0,
            1,
            "{name}: only 15 is both"
        );
        let st = s.stats(&Filter::default()).unwrap();
        assert_eq!(st.total, 20);
        assert_eq!(st.per_unit.iter().map(|c| c.count).sum::<i64>(), 20);
        let zs = st
            .per_inspector
            .iter()
            .find(|i| i.inspector == "张三" && i.unit == "STHJ")
            .unwrap();
        assert!(zs.count > 0);
        assert_eq!(st.tiers_per_matter.iter().map(|t| t.count).sum::<i64>(), 20);
        assert_eq!(st.per_day.len(), 1);
        let days = Filter {
            from: Some("2000-01-01".into()),
            to: Some("2000-12-31".into()),
            ..Filter::default()
        };
        assert_eq!(s.list(&days, 0, 10).unwrap().0, 0, "{name}: day filter");
        assert_eq!(
            verify(s.as_mut()).unwrap().map(|(n, _)| n),
            Ok(20),
            "{name}"
        );
    }
}

enum Stored<'a> {
    Text(&'a str),
    Compact(&'a [u8]),
}

/// Writes entry 4's body text or compact bytes directly into the database.
fn set_body(storage: &StorageConfig, value: Stored) {
    let column = match value {
        Stored::Text(_) => "body",
        Stored::Compact(_) => "body_z",
    };
    match &storage.database_url {
        Some(url) => {
            let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
            let sql = format!("UPDATE log_entries SET {column} = $1 WHERE seq = 4");
            match value {
                Stored::Text(t) => c.execute(&sql, &[&t]),
                Stored::Compact(b) => c.execute(&sql, &[&b]),
            }
            .unwrap();
        }
        None => {
            let c =
                rusqlite::Connection::open(storage.data_dir.join("supervision.sqlite3")).unwrap();
            let sql = format!("UPDATE log_entries SET {column} = ?1 WHERE seq = 4");
            match value {
                Stored::Text(t) => c.execute(&sql, [t]),
                Stored::Compact(b) => c.execute(&sql, [b]),
            }
            .unwrap();
        }
    }
}

/// A body is altered as an attacker with the database would: its text written over the row
/// (readers prefer a text), or its compact bytes re-encoded from an edited text.
#[test]
fn an_altered_entry_is_caught() {
    use penalty_standards::supervision::compact;
    for backend in TestStorage::all() {
        let (name, storage) = (backend.name, &backend.config);
        let mut s = filled(storage, 6);
        let original = s.rows(&Filter::default(), 3, 1).unwrap()[0].body.clone();
        let edited = original.replace("organisation", "individual");
        assert_ne!(edited, original);
        set_body(storage, Stored::Text(&edited));
        assert_eq!(
            fault(storage),
            Some(ChainFault::Altered { seq: 4 }),
            "{name}: text"
        );
        set_body(storage, Stored::Text(""));
        assert_eq!(fault(storage), None, "{name}: put back");
        set_body(storage, Stored::Compact(&compact::encode(&edited)));
        assert_eq!(
            fault(storage),
            Some(ChainFault::Altered { seq: 4 }),
            "{name}: bytes"
        );
        set_body(storage, Stored::Compact(&[1, 0xff, 0xff]));
        assert_eq!(
            fault(storage),
            Some(ChainFault::Altered { seq: 4 }),
            "{name}: garbage"
        );
    }
}

/// Every column the filters and statistics read is inside the hash: relabelling a calculation
/// as a review, moving it to another tier, case, inspector or unit is an alteration.
#[test]
fn an_altered_column_is_caught() {
    for backend in TestStorage::all() {
        let (name, storage) = (backend.name, &backend.config);
        filled(storage, 6);
        for (k, update) in [
            "inspector = '冒名者'",
            "kind = 'review'",
            "tier = 99",
            "case_ref = '案X'",
            "unit = 'QQQQ'",
            "outcome = 'time_barred'",
            "matter_id = 'QQQQ-999'",
        ]
        .iter()
        .enumerate()
        {
            let seq = k as i64 % 6 + 1;
            let restore = backup_row(storage, seq);
            tamper(
                storage,
                &format!("UPDATE log_entries SET {update} WHERE seq = {seq}"),
            );
            assert_eq!(
                fault(storage),
                Some(ChainFault::Altered { seq }),
                "{name}: {update}"
            );
            tamper(storage, &restore);
            assert_eq!(fault(storage), None, "{name}: restored after {update}");
        }
    }
}

/// SQL that puts row `seq`'s columns back as they are now.
fn backup_row(storage: &StorageConfig, seq: i64) -> String {
    let mut store = storage.open().unwrap();
    let row = store
        .rows(&Default::default(), seq - 1, 1)
        .unwrap()
        .remove(0);
    let c = row.columns;
    let text = |v: &str| format!("'{}'", v.replace('\'', "''"));
    format!(
        "UPDATE log_entries SET inspector = {}, kind = {}, tier = {}, case_ref = {}, unit = {}, outcome = {}, matter_id = {} WHERE seq = {seq}",
        text(&c.inspector),
        text(&c.kind),
        c.tier.map_or("NULL".into(), |t| t.to_string()),
        c.case_ref.as_deref().map_or("NULL".into(), text),
        text(&c.unit),
        text(&c.outcome),
        text(&c.matter_id),
    )
}

#[test]
fn a_removed_entry_is_caught() {
    for backend in TestStorage::all() {
        let (name, storage) = (backend.name, &backend.config);
        filled(storage, 6);
        tamper(storage, "DELETE FROM log_entries WHERE seq = 3");
        assert_eq!(
            fault(storage),
            Some(ChainFault::Gap {
                expected: 3,
                found: 4
            }),
            "{name}"
        );
    }
}

#[test]
fn swapped_entries_are_caught() {
    for backend in TestStorage::all() {
        let (name, storage) = (backend.name, &backend.config);
        filled(storage, 6);
        // Exchange the contents of entries 2 and 5, keeping their sequence numbers.
        tamper(
            storage,
            "UPDATE log_entries SET seq = -2 WHERE seq = 2;
             UPDATE log_entries SET seq = 2 WHERE seq = 5;
             UPDATE log_entries SET seq = 5 WHERE seq = -2;",
        );
        assert_eq!(
            fault(storage),
            Some(ChainFault::Altered { seq: 2 }),
            "{name}"
        );
    }
}

#[test]
fn entries_cut_off_the_end_are_caught() {
    for backend in TestStorage::all() {
        let (name, storage) = (backend.name, &backend.config);
        filled(storage, 6);
        tamper(storage, "DELETE FROM log_entries WHERE seq >= 5");
        assert_eq!(
            fault(storage),
            Some(ChainFault::HeadMismatch {
                head_seq: 6,
                last_seq: 4
            }),
            "{name}"
        );
    }
}

#[test]
fn log_verify_command_reports_the_first_tampered_entry() {
    for backend in TestStorage::all() {
        let (name, storage) = (backend.name, &backend.config);
        filled(storage, 4);
        let run = || {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_penalty-standards"));
            cmd.args(["log", "verify", "--data-dir"])
                .arg(&storage.data_dir)
                .env_remove("DATABASE_URL");
            if let Some(url) = &storage.database_url {
                cmd.env("DATABASE_URL", url);
            }
            cmd.output().unwrap()
        };
        let ok = run();
        assert!(
            ok.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&ok.stderr)
        );
        assert!(String::from_utf8_lossy(&ok.stdout).contains("4 entries"));
        tamper(
            storage,
            "UPDATE log_entries SET case_ref = '案X' WHERE seq = 3",
        );
        let bad = run();
        assert!(!bad.status.success());
        let out = String::from_utf8_lossy(&bad.stdout);
        assert!(
            out.contains("TAMPERED") && out.contains("entry 3"),
            "{name}: {out}"
        );
    }
}

#[test]
fn concurrent_writers_on_one_database_keep_one_linear_chain() {
    for backend in TestStorage::all() {
        let (name, storage) = (backend.name, &backend.config);
        storage.open_migrated().unwrap();
        // Two "instances", each with its own writer and connection, appending at once.
        let writers = [
            LogWriter::start(storage.open().unwrap()),
            LogWriter::start(storage.open().unwrap()),
        ];
        let rt = actix_web::rt::System::new();
        let receipts = rt.block_on(async {
            let mut tasks = Vec::new();
            for i in 0..200 {
                let w = writers[i % 2].clone();
                tasks.push(actix_web::rt::spawn(async move {
                    w.append(entry(i, "ZHZF", "张三", Outcome::Penalty))
                        .await
                        .unwrap()
                        .receipt
                        .clone()
                }));
            }
            let mut out = Vec::new();
            for t in tasks {
                out.push(t.await.unwrap());
            }
            out
        });
        let mut unique = receipts.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 200, "{name}: every receipt distinct");
        let mut s = storage.open().unwrap();
        assert_eq!(
            verify(s.as_mut()).unwrap().map(|(n, _)| n),
            Ok(200),
            "{name}"
        );
    }
}

#[test]
fn tokens_are_stored_as_hashes_and_revocable() {
    for backend in TestStorage::all() {
        let (name, storage) = (backend.name, &backend.config);
        let mut s = storage.open_migrated().unwrap();
        let (token, record) = penalty_standards::auth::new_token(
            "张三",
            "ZHZF",
            penalty_standards::auth::Role::Inspector,
        );
        s.insert_token(&record).unwrap();
        let listed = s.tokens().unwrap();
        assert_eq!(listed.len(), 1, "{name}");
        let secret = token.rsplit('_').next().unwrap();
        assert!(!listed[0].secret_hash.contains(secret));
        assert!(s.revoke_token(&record.id, "2026-11-22T00:00:00Z").unwrap());
        assert!(
            !s.revoke_token(&record.id, "2026-11-22T00:00:00Z").unwrap(),
            "{name}: already revoked"
        );
        assert!(s.tokens().unwrap()[0].revoked_at.is_some());
    }
}

#[test]
fn migrations_are_versioned_and_idempotent() {
    for backend in TestStorage::all() {
        let (name, storage) = (backend.name, &backend.config);
        let mut s = storage.open_migrated().unwrap();
        s.migrate().unwrap();
        s.append(&[entry(1, "ZHZF", "张三", Outcome::Penalty).prepare()])
            .unwrap();
        let mut again = storage.open_migrated().unwrap();
        assert_eq!(
            again.list(&Filter::default(), 0, 10).unwrap().0,
            1,
            "{name}: data kept across restarts"
        );
    }
}

/// Copies a directory tree (the bundled standards, to change one figure in the copy).
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// The digest a log entry keeps is that of the bytes answered (the answer without its receipt,
/// which the log gives the answer only once committed).
fn assert_digest_of_answer(app: &crate::support::TestApp, answer: &crate::support::Response) {
    use penalty_standards::auth::Role;
    use sha2::{Digest, Sha256};
    let text = answer.text();
    let receipt = answer.json()["receipt"].as_str().unwrap().to_string();
    let prefix = format!("{{\"receipt\":\"{receipt}\",");
    let rest = text.strip_prefix(&prefix).expect("the receipt comes first");
    let digest = penalty_standards::supervision::hex(&Sha256::digest(format!("{{{rest}")));
    let logged = app.get_as(&format!("/api/v1/queries/{receipt}"), Role::Supervisor);
    assert_eq!(logged.status, 200, "{}", logged.text());
    assert_eq!(logged.json()["result"]["answer_sha256"], digest.as_str());
}

/// A batch's reviewed item carries the review as encoded for its entry's digest.
fn batch_items_carry_the_bytes_digested(app: &crate::support::TestApp) {
    use penalty_standards::auth::Role;
    use serde_json::value::RawValue;
    use sha2::{Digest, Sha256};
    #[derive(serde::Deserialize)]
    struct Item<'a> {
        receipt: String,
        #[serde(borrow)]
        review: &'a RawValue,
    }
    #[derive(serde::Deserialize)]
    struct Batch<'a> {
        #[serde(borrow)]
        results: Vec<Item<'a>>,
    }
    let case = json!({"case_ref": "龙综执罚〔2026〕9号", "party": "individual",
        "act_date": "2026-11-01", "acts": [{"matter_id": "ZHZF-019", "facts": {"stall_area": "0.5"}}],
        "proposed": {"fine": "100", "measures": [], "no_penalty": false}});
    let r = app.post_as(
        "/api/v1/reviews/batch",
        Role::Supervisor,
        &json!({"cases": [case]}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let text = r.text();
    let batch: Batch = serde_json::from_str(&text).unwrap();
    let item = &batch.results[0];
    let digest = penalty_standards::supervision::hex(&Sha256::digest(item.review.get()));
    let logged = app.get_as(
        &format!("/api/v1/queries/{}", item.receipt),
        Role::Supervisor,
    );
    assert_eq!(logged.json()["result"]["answer_sha256"], digest.as_str());
}

/// The log keeps the digest of every answer given: `log verify --recompute` recomputes each
/// calculation and review of the loaded version and finds them all again — and names the
/// receipts whose answer the same version no longer gives when a figure was changed under
/// that version.
#[test]
fn log_verify_recomputes_every_answer_and_names_the_ones_that_changed() {
    use penalty_standards::auth::Role;
    let app = crate::support::TestApp::builder().start();
    let stall = |area: &str| {
        json!({"matter_id": "ZHZF-019", "party": "individual", "facts": {"stall_area": area},
               "act_date": "2026-11-01", "case_ref": "龙综执罚〔2026〕7号"})
    };
    let building = json!({"matter_id": "ZHZF-001", "party": "organisation",
        "facts": {"construction_cost": "1200000", "illegal_area": "85"},
        "circumstances": ["confessed"], "act_date": "2026-06-01"});
    let mut receipts = Vec::new();
    for body in [stall("1.5"), stall("0.5"), building] {
        let r = app.post_as("/api/v1/calculate", Role::Inspector, &body);
        assert_eq!(r.status, 200, "{}", r.text());
        assert_digest_of_answer(&app, &r);
        receipts.push(r.json()["receipt"].as_str().unwrap().to_string());
    }
    // A review of the 1.5 m² stall proposing the standard's 20 yuan (the supervisor reviews
    // every unit's cases).
    let review = app.post_as(
        "/api/v1/reviews",
        Role::Supervisor,
        &json!({"case_ref": "龙综执罚〔2026〕8号", "party": "individual",
                "act_date": "2026-11-01", "decision_date": "2026-11-20",
                "acts": [{"matter_id": "ZHZF-019", "facts": {"stall_area": "1.5"}}],
                "proposed": {"fine": "20", "measures": [], "no_penalty": false}}),
    );
    assert_eq!(review.status, 200, "{}", review.text());
    assert_eq!(review.json()["verdict"], "conforms", "{}", review.text());
    assert_digest_of_answer(&app, &review);
    batch_items_carry_the_bytes_digested(&app);
    receipts.push(review.json()["receipt"].as_str().unwrap().to_string());
    let verify = |standards: Option<&std::path::Path>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_penalty-standards"));
        cmd.args(["log", "verify", "--recompute", "--data-dir"])
            .arg(app.data_dir())
            .env_remove("DATABASE_URL");
        if let Some(dir) = standards {
            cmd.arg("--standards").arg(dir);
        }
        cmd.output().unwrap()
    };
    let ok = verify(None);
    let out = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{out}");
    assert!(out.contains("5 answers match, 0 differ"), "{out}");

    // The same version name with 较轻 of ZHZF-019 at 25 yuan instead of 20.
    let dir = crate::support::temp_dir();
    let standards = dir.path().join("standards");
    copy_tree(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("standards"),
        &standards,
    );
    let unit = standards.join("units/ZHZF.toml");
    let text = std::fs::read_to_string(&unit).unwrap();
    let changed = text.replacen(
        "when = { stall_area = { gte = 1, lt = 2 }, in_bridge_or_underpass = false }\nfine = 20",
        "when = { stall_area = { gte = 1, lt = 2 }, in_bridge_or_underpass = false }\nfine = 25",
        1,
    );
    assert_ne!(
        text, changed,
        "the tier to change is where the test expects it"
    );
    std::fs::write(&unit, changed).unwrap();
    let bad = verify(Some(&standards));
    let out = String::from_utf8_lossy(&bad.stdout);
    assert!(!bad.status.success(), "{out}");
    assert!(out.contains("3 answers match, 2 differ"), "{out}");
    for changed in [&receipts[0], &receipts[3]] {
        assert!(
            out.contains(&format!("DIFFERS {changed}: the answer differs")),
            "{out}"
        );
    }
}

/// Issue 15: cutting entries off the end and moving the chain head passes the chain check, but
/// not a checkpoint the service signed before: `log verify` uses the service's own checkpoint
/// file by default, and takes `SEQ:HASH` written down by anyone. A removed chain head is a
/// tamper report, not an error.
#[test]
fn truncation_behind_a_moved_head_is_caught_by_a_signed_checkpoint() {
    use penalty_standards::supervision::checkpoint::Checkpoints;
    for backend in TestStorage::all() {
        let (name, storage) = (backend.name, &backend.config);
        let mut store = filled(storage, 6);
        let checkpoints = Checkpoints::open(&storage.data_dir).unwrap();
        let cp = checkpoints
            .issue(store.as_mut(), "2026-12-05T07:00:00Z")
            .unwrap();
        assert_eq!(cp.seq, 6);
        assert!(cp.signature_valid());
        let verify_cmd = |extra: &[&str]| {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_penalty-standards"));
            cmd.args(["log", "verify", "--data-dir"])
                .arg(&storage.data_dir)
                .args(extra)
                .env_remove("DATABASE_URL");
            if let Some(url) = &storage.database_url {
                cmd.env("DATABASE_URL", url);
            }
            let out = cmd.output().unwrap();
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stdout).to_string(),
            )
        };
        let (ok, out) = verify_cmd(&[]);
        assert!(ok && out.contains("heads of 1 checkpoint"), "{name}: {out}");
        // The attacker cuts entries 5 and 6 and moves the head to entry 4.
        let hash4 = store.rows(&Filter::default(), 3, 1).unwrap()[0]
            .hash
            .clone();
        tamper(
            storage,
            &format!(
                "DELETE FROM log_entries WHERE seq >= 5; UPDATE chain_head SET seq = 4, hash = '{hash4}'"
            ),
        );
        assert_eq!(fault(storage), None, "{name}: the chain alone cannot tell");
        let (ok, out) = verify_cmd(&[]);
        assert!(
            !ok && out.contains("no longer contains entry 6"),
            "{name}: {out}"
        );
        let (ok, out) = verify_cmd(&["--checkpoint", &format!("6:{}", cp.hash)]);
        assert!(!ok && out.contains("TAMPERED"), "{name}: {out}");
        // Everything deleted and the head reset: an empty chain, but not the signed one.
        tamper(
            storage,
            &format!(
                "DELETE FROM log_entries; UPDATE chain_head SET seq = 0, hash = '{}'",
                "0".repeat(64)
            ),
        );
        assert_eq!(fault(storage), None, "{name}: an empty chain is a chain");
        let (ok, out) = verify_cmd(&[]);
        assert!(
            !ok && out.contains("no longer contains entry 6"),
            "{name}: {out}"
        );
        // The head row deleted: a tamper report.
        tamper(storage, "DELETE FROM chain_head");
        assert_eq!(fault(storage), Some(ChainFault::HeadMissing), "{name}");
    }
}

/// Browser sessions (issue 15) are kept alike on both backends: stored by hash, read back,
/// ended once.
#[test]
fn sessions_are_stored_read_and_ended_on_both_backends() {
    use penalty_standards::supervision::store::SessionRecord;
    for backend in TestStorage::all() {
        let mut s = backend.config.open_migrated().unwrap();
        let record = SessionRecord {
            id_hash: "ab".repeat(32),
            token_id: "0123456789ab".into(),
            created_at: "2026-12-05T08:00:00+00:00".into(),
            expires_at: "2026-12-05T16:00:00+00:00".into(),
            ended_at: None,
        };
        s.insert_session(&record).unwrap();
        assert_eq!(
            s.session(&record.id_hash).unwrap(),
            Some(record.clone()),
            "{}",
            backend.name
        );
        assert_eq!(s.session(&"cd".repeat(32)).unwrap(), None);
        assert!(
            s.end_session(&record.id_hash, "2026-12-05T09:00:00+00:00")
                .unwrap()
        );
        assert!(
            !s.end_session(&record.id_hash, "2026-12-05T10:00:00+00:00")
                .unwrap()
        );
        assert_eq!(
            s.session(&record.id_hash)
                .unwrap()
                .unwrap()
                .ended_at
                .as_deref(),
            Some("2026-12-05T09:00:00+00:00"),
            "{}",
            backend.name
        );
    }
}
