//! An acknowledged entry survives `kill -9`: the real binary under concurrent load is killed
//! with SIGKILL, restarted, and every receipt it answered is in the log, whose chain verifies.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{Client, TestStorage};

const BIN: &str = env!("CARGO_BIN_EXE_penalty-standards");

fn storage_args(cmd: &mut Command, data_dir: &Path, url: Option<&str>) {
    cmd.arg("--data-dir")
        .arg(data_dir)
        .env_remove("DATABASE_URL");
    if let Some(u) = url {
        cmd.env("DATABASE_URL", u);
    }
}

/// `token create` prints the token alone on its last line.
fn create_token(data_dir: &Path, url: Option<&str>, role: &str) -> String {
    let mut cmd = Command::new(BIN);
    cmd.args([
        "token",
        "create",
        "--name",
        "压测员",
        "--unit",
        "ZHZF",
        "--role",
        role,
    ]);
    storage_args(&mut cmd, data_dir, url);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_string()
}

/// A port that was free a moment ago. The binary binds its `--bind` address itself (it cannot
/// be handed a listener, and with port 0 it would not tell which port it got), so another
/// process may take the port in between: `start` then tries another.
fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// Starts `serve` and waits until it answers; its address.
fn start(data_dir: &Path, url: Option<&str>) -> (Child, SocketAddr) {
    for _ in 0..5 {
        let addr = free_addr();
        let mut cmd = Command::new(BIN);
        cmd.args(["serve", "--rate-limit", "0", "--bind", &addr.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        storage_args(&mut cmd, data_dir, url);
        let mut child = cmd.spawn().unwrap();
        let client = Client::new(addr);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if client
                .request("GET", "/healthz")
                .try_send()
                .is_ok_and(|r| r.status == 200)
            {
                return (child, addr);
            }
            if child.try_wait().unwrap().is_some() {
                break; // It exited: the port was taken meanwhile; try another.
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the server did not start");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("the server did not start: no free port");
}

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
