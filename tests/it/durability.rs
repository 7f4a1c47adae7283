//! An acknowledged entry survives `kill -9`: the real binary under concurrent load is killed
//! with SIGKILL, restarted, and every receipt it answered is in the log, whose chain verifies.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use crate::support::binary::{BIN, create_token, start, storage_args};
use crate::support::{Client, TestStorage};

fn kill_mid_load(storage: &TestStorage) {
    let data_dir = &storage.config.data_dir;
    let url = storage.config.database_url.as_deref();
    let inspector = create_token(data_dir, url, "inspector");
    let supervisor = create_token(data_dir, url, "supervisor");
    let (mut server, addr) = start(data_dir, url);
    let client = Client::new(addr);

    let answered = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let (answered, stop, client, token) =
                (answered.clone(), stop.clone(), client.clone(), inspector.clone());
            std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    i += 1;
                    let body = json!({"matter_id": "ZHZF-001", "party": "organisation",
                        "facts": {"construction_cost": format!("{}", 100000 + w * 1000 + i), "illegal_area": "45"},
                        "act_date": "2026-05-01"})
                    .to_string();
                    let r = client.request("POST", "/api/v1/calculate").bearer(&token).body(body.as_bytes()).try_send();
                    match r {
                        Ok(r) if r.status == 200 => answered.lock().unwrap().push(r.json()["receipt"].as_str().unwrap().to_string()),
                        Ok(r) => panic!("unexpected {}: {}", r.status, r.text()),
                        // The server is gone: connection refused or cut mid-answer.
                        Err(_) => break,
                    }
                }
            })
        })
        .collect();
    while answered.lock().unwrap().len() < 300 {
        std::thread::sleep(Duration::from_millis(5));
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        let _ = w.join();
    }
    let answered = answered.lock().unwrap().clone();
    assert!(answered.len() >= 300);

    let (mut server, addr) = start(data_dir, url);
    let client = Client::new(addr);
    for receipt in &answered {
        let r = client
            .request("GET", &format!("/api/v1/queries/{receipt}"))
            .bearer(&supervisor)
            .send();
        assert_eq!(
            r.status, 200,
            "receipt {receipt} was answered before the kill but is not in the log"
        );
    }
    server.kill().unwrap();
    server.wait().unwrap();

    let mut cmd = Command::new(BIN);
    cmd.args(["log", "verify"]);
    storage_args(&mut cmd, data_dir, url);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let n: usize = text.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!(n >= answered.len(), "{text}");
}

#[test]
fn acknowledged_entries_survive_sigkill_on_sqlite() {
    kill_mid_load(&TestStorage::sqlite());
}

#[test]
fn acknowledged_entries_survive_sigkill_on_postgres() {
    if let Some(storage) = TestStorage::postgres() {
        kill_mid_load(&storage);
    }
}

/// SIGHUP reloads the standards versions; it no longer ends the service.
#[test]
fn sighup_reloads_instead_of_ending_the_service() {
    let dir = crate::support::temp_dir();
    let (mut child, addr) = start(dir.path(), None);
    let status = Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the service ended on SIGHUP"
    );
    let r = Client::new(addr).get("/api/v1/standards/versions");
    assert_eq!(r.status, 200);
    assert_eq!(r.json()[0]["version"], "2026.1");
    let _ = child.kill();
    let _ = child.wait();
}

/// Issue 15: the SQLite shared-memory file cut under the running service (which killed it with
/// SIGBUS) gives a 503 for the calculation then in flight, nothing answered unlogged; the
/// writer puts the index right and the service goes on, the log intact.
#[test]
fn a_cut_shared_memory_file_is_a_503_not_a_crash() {
    let dir = crate::support::temp_dir();
    let token = create_token(dir.path(), None, "inspector");
    let (mut child, addr) = start(dir.path(), None);
    let client = Client::new(addr);
    let calc = || {
        client
            .request("POST", "/api/v1/calculate")
            .bearer(&token)
            .json(
                &serde_json::json!({"matter_id": "ZHZF-019", "party": "individual",
                "facts": {"stall_area": "1.5"}, "act_date": "2026-11-01"}),
            )
            .send()
            .status
    };
    assert_eq!(calc(), 200);
    let shm = dir.path().join("supervision.sqlite3-shm");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&shm)
        .unwrap()
        .set_len(0)
        .unwrap();
    let statuses: Vec<u16> = (0..4).map(|_| calc()).collect();
    assert!(child.try_wait().unwrap().is_none(), "the service died");
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "{statuses:?}"
    );
    assert_eq!(statuses.last(), Some(&200), "it recovers: {statuses:?}");
    let _ = child.kill();
    let _ = child.wait();
    let answered = 1 + statuses.iter().filter(|s| **s == 200).count();
    let out = Command::new(BIN)
        .args(["log", "verify", "--data-dir"])
        .arg(dir.path())
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains(&format!("ok: {answered} entries")), "{text}");
}
