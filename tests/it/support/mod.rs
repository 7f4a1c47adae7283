//! Starts the real server on a free port and talks HTTP/1.1 to it over a TCP socket.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use penalty_standards::api::AppState;
use penalty_standards::auth::{Role, new_token};
use penalty_standards::sources::load_standards;
use penalty_standards::startup;
use penalty_standards::supervision::StorageConfig;

/// Percent-encodes a query value (Chinese words in a URL).
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A fresh, empty directory for one test's data.
pub fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "pst-test-{}-{}-{tag}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The PostgreSQL server the test command started, if any. Without one, PostgreSQL tests say
/// clearly that they are skipped; with PENALTY_REQUIRE_POSTGRES=1 (as the test command and CI
/// set it) they fail instead.
pub fn pg_admin_url() -> Option<String> {
    match std::env::var("PENALTY_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("PENALTY_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "PENALTY_REQUIRE_POSTGRES=1 but PENALTY_TEST_DATABASE_URL is not set"
            );
            eprintln!(
                "SKIPPED: PostgreSQL tests (set PENALTY_TEST_DATABASE_URL, or run scripts/test which starts a server)"
            );
            None
        }
    }
}

/// A new, empty database on the test server; its URL.
pub fn fresh_pg_database() -> Option<String> {
    let admin = pg_admin_url()?;
    static N: AtomicUsize = AtomicUsize::new(0);
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        % 1_000_000_000;
    let name = format!(
        "pst_{}_{}_{stamp}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let mut client = postgres::Client::connect(&admin, postgres::NoTls)
        .expect("connect to the test PostgreSQL server");
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    Some(format!("{base}/{name}"))
}

/// A running server and a token for every role.
pub struct TestApp {
    pub addr: SocketAddr,
    pub tokens: HashMap<Role, String>,
    /// A reviewer of another unit (STHJ) than the other tokens (ZHZF).
    pub other_reviewer: String,
    pub revoked: String,
    pub storage: StorageConfig,
}

impl TestApp {
    pub fn token(&self, role: Role) -> &str {
        &self.tokens[&role]
    }
}

/// Starts a server on a free port with its own log and tokens.
pub fn start_app(storage: StorageConfig, rate_limit: u32) -> TestApp {
    let mut store = storage.open_migrated().expect("log opens");
    let mut tokens = HashMap::new();
    for role in Role::ALL {
        let (t, r) = new_token(&format!("测试{}", role.as_str()), "ZHZF", role);
        store.insert_token(&r).unwrap();
        tokens.insert(role, t);
    }
    let (other_reviewer, r) = new_token("生态审核员", "STHJ", Role::Reviewer);
    store.insert_token(&r).unwrap();
    let (revoked, r) = new_token("已离职", "ZHZF", Role::Inspector);
    store.insert_token(&r).unwrap();
    store.revoke_token(&r.id, "2026-01-01T00:00:00Z").unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let addr = listener.local_addr().unwrap();
    let set = Arc::new(load_standards(None).expect("bundled standards load"));
    let state = AppState::new(set, &storage, rate_limit).expect("app state");
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(startup::run(listener, state))
    });
    TestApp {
        addr,
        tokens,
        other_reviewer,
        revoked,
        storage,
    }
}

/// One shared server per test binary (SQLite log, no rate limit).
pub fn shared() -> &'static TestApp {
    static APP: OnceLock<TestApp> = OnceLock::new();
    APP.get_or_init(|| {
        start_app(
            StorageConfig {
                data_dir: temp_dir("shared"),
                database_url: None,
            },
            0,
        )
    })
}

pub fn app() -> SocketAddr {
    shared().addr
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// The error code of an error body.
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = body.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(std::str::from_utf8(&body[..eol]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.extend_from_slice(&body[eol + 2..eol + 2 + size]);
        body = &body[eol + 2 + size + 2..];
    }
    out
}

/// Sends raw bytes and reads the whole response.
pub fn raw(addr: SocketAddr, request: &[u8]) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.write_all(request).unwrap();
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).unwrap();
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response");
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = buf[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

pub fn request(
    method: &str,
    path: &str,
    body: Option<&[u8]>,
    extra_headers: &[(&str, &str)],
) -> Response {
    request_to(app(), method, path, body, extra_headers)
}

pub fn request_to(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&[u8]>,
    extra_headers: &[(&str, &str)],
) -> Response {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in extra_headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    let mut bytes = Vec::new();
    if let Some(b) = body {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
        bytes.extend_from_slice(req.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        bytes.extend_from_slice(b);
    } else {
        req.push_str("\r\n");
        bytes.extend_from_slice(req.as_bytes());
    }
    raw(addr, &bytes)
}

pub fn get(path: &str) -> Response {
    request("GET", path, None, &[])
}

pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// A calculation as the shared app's inspector.
pub fn post_json(path: &str, body: &serde_json::Value) -> Response {
    let auth = bearer(shared().token(Role::Inspector));
    request(
        "POST",
        path,
        Some(body.to_string().as_bytes()),
        &[("Authorization", &auth)],
    )
}

pub fn get_as(path: &str, role: Role) -> Response {
    let auth = bearer(shared().token(role));
    request("GET", path, None, &[("Authorization", &auth)])
}

/// Raw bytes to an endpoint as the shared app's inspector.
pub fn post_raw(path: &str, body: &[u8]) -> Response {
    let auth = bearer(shared().token(Role::Inspector));
    request("POST", path, Some(body), &[("Authorization", &auth)])
}
