//! The server under test: `TestApp::builder()...start()` runs the real service in this process
//! on a port of its own, with a token per role, on SQLite in a temporary directory or on a
//! database of its own on the test PostgreSQL server.

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Once;

use penalty_standards::api::AppState;
use penalty_standards::auth::{Role, new_token};
use penalty_standards::decide;
use penalty_standards::sources::open_versions;
use penalty_standards::startup;
use penalty_standards::supervision::StorageConfig;
use serde_json::Value;
use tempfile::TempDir;

use super::http::{Client, Request, Response};
use super::pg;

/// Builds the application under test and serves it on 127.0.0.1, on a port the system picks;
/// returns its address. The one place where the tests assemble the app (standards, `AppState`,
/// server): a change to how the app is constructed is made here.
fn serve(
    standards: Option<&Path>,
    storage: &StorageConfig,
    rate_limit: u32,
    alert_webhook: Option<String>,
    no_alerts: bool,
) -> SocketAddr {
    let mut store = storage.open_migrated().expect("the log opens");
    let versions = open_versions(store.as_mut(), standards).expect("the standards load");
    let state = AppState::new(
        versions,
        storage,
        &penalty_standards::api::Settings {
            rate_limit,
            legal_offices: vec![],
            alert_webhook,
            no_alerts,
        },
    )
    .expect("app state");
    decide::follow_versions(state.decider.clone(), storage.clone()).expect("follows versions");
    // Bound before the server starts: connections wait in the backlog until it accepts them.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let addr = listener.local_addr().unwrap();
    std::thread::Builder::new()
        .name(format!("server {addr}"))
        .spawn(move || {
            if let Err(e) = actix_web::rt::System::new().block_on(startup::run(listener, state)) {
                panic!("the server on {addr} stopped: {e}");
            }
        })
        .unwrap();
    addr
}

/// A fresh, empty directory under target/tmp, removed when dropped. Directories a test binary
/// left behind (those of the apps shared through statics, which are never dropped) are
/// removed by the next run.
pub fn temp_dir() -> TempDir {
    static SWEEP: Once = Once::new();
    let root = Path::new(env!("CARGO_TARGET_TMPDIR"));
    SWEEP.call_once(|| sweep_leftovers(root));
    tempfile::Builder::new()
        .prefix(&format!("it-{}-", std::process::id()))
        .tempdir_in(root)
        .expect("a temporary directory")
}

/// Removes the `it-PID-*` directories of test processes that are gone.
fn sweep_leftovers(root: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    for entry in std::fs::read_dir(root).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let pid = name.strip_prefix("it-").and_then(|r| r.split('-').next());
        if let Some(pid) = pid.filter(|p| p.parse::<u32>().is_ok())
            && !Path::new("/proc").join(pid).exists()
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Where a supervision log lives: a data directory (removed on drop) and, for PostgreSQL, a
/// database of its own on the test server.
#[derive(Clone)]
pub struct TestStorage {
    /// "sqlite" or "postgres", for messages.
    pub name: &'static str,
    pub config: StorageConfig,
    _dir: std::sync::Arc<TempDir>,
}

impl TestStorage {
    pub fn sqlite() -> TestStorage {
        let dir = temp_dir();
        TestStorage {
            name: "sqlite",
            config: StorageConfig {
                data_dir: dir.path().to_path_buf(),
                database_url: None,
            },
            _dir: std::sync::Arc::new(dir),
        }
    }

    /// `None` without a test PostgreSQL server (see [`pg::admin_url`]).
    pub fn postgres() -> Option<TestStorage> {
        let url = pg::fresh_database()?;
        let dir = temp_dir();
        Some(TestStorage {
            name: "postgres",
            config: StorageConfig {
                data_dir: dir.path().to_path_buf(),
                database_url: Some(url),
            },
            _dir: std::sync::Arc::new(dir),
        })
    }

    /// SQLite always; PostgreSQL too when the test server is there.
    pub fn all() -> Vec<TestStorage> {
        let mut v = vec![TestStorage::sqlite()];
        v.extend(TestStorage::postgres());
        v
    }
}

/// How to start a [`TestApp`]: SQLite, no rate limit and the bundled standards unless told.
pub struct TestAppBuilder {
    storage: Option<TestStorage>,
    rate_limit: u32,
    standards: Option<PathBuf>,
    alert_webhook: Option<String>,
    no_alerts: bool,
}

impl TestAppBuilder {
    /// The log on a fresh database of the test PostgreSQL server; `None` (the test is skipped,
    /// saying so) when there is none.
    pub fn postgres(mut self) -> Option<Self> {
        self.storage = Some(TestStorage::postgres()?);
        Some(self)
    }

    /// Requests per second per token, as `serve --rate-limit`; 0 (the default) turns it off.
    pub fn rate_limit(mut self, per_second: u32) -> Self {
        self.rate_limit = per_second;
        self
    }

    /// The standards in `dir` (set.toml and units/) instead of the bundled ones; read by `start`.
    pub fn standards(mut self, dir: &Path) -> Self {
        self.standards = Some(dir.to_path_buf());
        self
    }

    /// New alerts are POSTed to `url`, as `serve --alert-webhook`.
    pub fn alert_webhook(mut self, url: &str) -> Self {
        self.alert_webhook = Some(url.to_string());
        self
    }

    /// An instance that does not evaluate alerts, as `serve --no-alerts`.
    pub fn no_alerts(mut self) -> Self {
        self.no_alerts = true;
        self
    }

    /// Creates the tokens and starts the server; it answers as soon as this returns.
    pub fn start(self) -> TestApp {
        let storage = self.storage.unwrap_or_else(TestStorage::sqlite);
        let mut store = storage.config.open_migrated().expect("log opens");
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
        drop(store);
        let addr = serve(
            self.standards.as_deref(),
            &storage.config,
            self.rate_limit,
            self.alert_webhook,
            self.no_alerts,
        );
        TestApp {
            addr,
            client: Client::new(addr),
            tokens,
            other_reviewer,
            revoked,
            storage,
        }
    }
}

/// A running server and a token for every role (unit ZHZF). Its data directory is removed when
/// it is dropped; the server itself runs on until the test binary exits.
pub struct TestApp {
    pub addr: SocketAddr,
    client: Client,
    tokens: HashMap<Role, String>,
    /// A reviewer of another unit (STHJ) than the other tokens (ZHZF).
    pub other_reviewer: String,
    /// A revoked inspector's token.
    pub revoked: String,
    storage: TestStorage,
}

impl TestApp {
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            storage: None,
            rate_limit: 0,
            standards: None,
            alert_webhook: None,
            no_alerts: false,
        }
    }

    /// Another server on the same log and versions, as a second instance behind a load
    /// balancer would run; it shares this one's tokens.
    pub fn another_instance(&self) -> TestApp {
        self.another_instance_pushing_to(None)
    }

    /// Another instance (see [`TestApp::another_instance`]) that evaluates alerts and posts
    /// new ones to `webhook`.
    pub fn another_instance_pushing_to(&self, webhook: Option<&str>) -> TestApp {
        let addr = serve(
            None,
            &self.storage.config,
            0,
            webhook.map(str::to_string),
            false,
        );
        TestApp {
            addr,
            client: Client::new(addr),
            tokens: self.tokens.clone(),
            other_reviewer: self.other_reviewer.clone(),
            revoked: self.revoked.clone(),
            storage: self.storage.clone(),
        }
    }

    /// Signs the supervisor in on the pages (`/supervision/login`); the session cookie
    /// (`pst_session=…`) to send with their requests.
    pub fn supervisor_session(&self) -> String {
        let r = self
            .request("POST", "/supervision/login")
            .header("Origin", &self.url(""))
            .form(&[("token", self.token(Role::Supervisor))])
            .send();
        assert_eq!(r.status, 303, "{}", r.text());
        let cookie = r
            .headers
            .iter()
            .find(|(k, v)| k.eq_ignore_ascii_case("set-cookie") && v.starts_with("pst_session="))
            .expect("a session cookie");
        cookie.1.split(';').next().unwrap().to_string()
    }

    /// Where this app's log lives (for tampering with it directly, as an attacker would).
    pub fn storage(&self) -> &StorageConfig {
        &self.storage.config
    }

    pub fn token(&self, role: Role) -> &str {
        &self.tokens[&role]
    }

    /// The tokens of every role.
    pub fn tokens(&self) -> impl Iterator<Item = &str> {
        self.tokens.values().map(String::as_str)
    }

    /// The data directory (the SQLite log lives there).
    pub fn data_dir(&self) -> &Path {
        &self.storage.config.data_dir
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn request(&self, method: &str, path: &str) -> Request<'_> {
        self.client.request(method, path)
    }

    /// Without a token.
    pub fn get(&self, path: &str) -> Response {
        self.client.get(path)
    }

    pub fn get_as(&self, path: &str, role: Role) -> Response {
        self.request("GET", path).bearer(self.token(role)).send()
    }

    pub fn post_as(&self, path: &str, role: Role, body: &Value) -> Response {
        self.request("POST", path)
            .bearer(self.token(role))
            .json(body)
            .send()
    }
}
