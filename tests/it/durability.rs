//! An acknowledged entry survives `kill -9`: the real binary under concurrent load is killed
//! with SIGKILL, restarted, and every receipt it answered is in the log, whose chain verifies.

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{bearer, request_to, temp_dir};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_penalty-standards");

fn storage_args(cmd: &mut Command, data_dir: &std::path::Path, url: Option<&str>) {
    cmd.arg("--data-dir")
        .arg(data_dir)
        .env_remove("DATABASE_URL");
    if let Some(u) = url {
        cmd.env("DATABASE_URL", u);
    }
}

/// `token create` prints the token alone on its last line.
fn create_token(data_dir: &std::path::Path, url: Option<&str>, role: &str) -> String {
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

fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

fn start(data_dir: &std::path::Path, url: Option<&str>, addr: SocketAddr) -> Child {
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--rate-limit", "0", "--bind", &addr.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    storage_args(&mut cmd, data_dir, url);
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut up = false;
    while !up && Instant::now() < deadline {
        up = std::net::TcpStream::connect(addr).is_ok()
            && request_to(addr, "GET", "/healthz", None, &[]).status == 200;
        if !up {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    if !up {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the server did not start");
    }
    child
}

fn kill_mid_load(url: Option<&str>) {
    let data_dir = temp_dir("durability");
    let inspector = create_token(&data_dir, url, "inspector");
    let supervisor = create_token(&data_dir, url, "supervisor");
    let addr = free_addr();
    let mut server = start(&data_dir, url, addr);

    let answered = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let (answered, stop, auth) = (answered.clone(), stop.clone(), bearer(&inspector));
            std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    i += 1;
                    let body = json!({"matter_id": "ZHZF-001", "party": "organisation",
                        "facts": {"construction_cost": format!("{}", 100000 + w * 1000 + i), "illegal_area": "45"},
                        "act_date": "2026-05-01"})
                    .to_string();
                    let r = std::panic::catch_unwind(|| request_to(addr, "POST", "/api/v1/calculate", Some(body.as_bytes()), &[("Authorization", &auth)]));
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

    let mut server = start(&data_dir, url, addr);
    let auth = bearer(&supervisor);
    for receipt in &answered {
        let r = request_to(
            addr,
            "GET",
            &format!("/api/v1/queries/{receipt}"),
            None,
            &[("Authorization", &auth)],
        );
        assert_eq!(
            r.status, 200,
            "receipt {receipt} was answered before the kill but is not in the log"
        );
    }
    server.kill().unwrap();
    server.wait().unwrap();

    let mut cmd = Command::new(BIN);
    cmd.args(["log", "verify"]);
    storage_args(&mut cmd, &data_dir, url);
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
    kill_mid_load(None);
}

#[test]
fn acknowledged_entries_survive_sigkill_on_postgres() {
    if let Some(url) = crate::support::fresh_pg_database() {
        kill_mid_load(Some(&url));
    }
}
