//! What the integration tests share: the server under test ([`TestApp`]), its HTTP client,
//! temporary directories, and the heavy prerequisites (PostgreSQL, Chromium, the law texts),
//! which a plain `cargo test` skips, saying so, where they are missing.

mod app;
pub mod binary;
pub mod heavy;
mod http;
pub mod pg;

use std::path::PathBuf;
use std::sync::OnceLock;

pub use app::{TestApp, TestAppBuilder, TestStorage, temp_dir};
pub use http::{Client, Response};
use penalty_standards::auth::Role;

/// One server for the whole test binary (SQLite log, bundled standards, no rate limit), for
/// the tests that need nothing of their own.
pub fn shared() -> &'static TestApp {
    static APP: OnceLock<TestApp> = OnceLock::new();
    APP.get_or_init(|| TestApp::builder().start())
}

/// A path under tests/fixtures.
pub fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

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

/// A GET to the shared app, without a token.
pub fn get(path: &str) -> Response {
    shared().get(path)
}

/// A GET to the shared app as `role`.
pub fn get_as(path: &str, role: Role) -> Response {
    shared().get_as(path, role)
}

/// A JSON POST to the shared app as its inspector.
pub fn post_json(path: &str, body: &serde_json::Value) -> Response {
    shared().post_as(path, Role::Inspector, body)
}

/// Any bytes POSTed (as JSON) to the shared app as its inspector.
pub fn post_raw(path: &str, body: &[u8]) -> Response {
    shared()
        .request("POST", path)
        .bearer(shared().token(Role::Inspector))
        .body(body)
        .send()
}
