//! The pages as a person uses them, in headless Chromium (Debian's `chromium`, driven by
//! playwright-core from tests/browser): the inspector's page on a phone (search, form, receipt,
//! first-load weight, the offline path), the published table (and its print layout), the
//! dashboard for a supervisor and its refusal for an inspector. Screenshots go to
//! target/screenshots. `scripts/test` installs chromium and playwright-core and requires this
//! test to run (PENALTY_REQUIRE_BROWSER=1); a plain `cargo test` without them skips it, saying
//! so.

use std::path::Path;
use std::process::Command;

use crate::support::TestApp;
use crate::support::heavy::{Browser, browser};
use penalty_standards::auth::Role;

#[test]
fn pages_in_a_real_browser() {
    let Some(Browser { chromium, dir }) = browser() else {
        return;
    };
    let app = TestApp::builder().start();
    // For the legal office's page: a version to publish, and one that a check refuses.
    let versions = crate::support::temp_dir();
    let good = crate::versions::standards_copy(versions.path(), "2026.8", 25);
    let broken = crate::versions::standards_copy(versions.path(), "2026.9", 99);
    let later = (penalty_standards::clock::today() + chrono::Days::new(30)).to_string();
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    let out = Command::new("node")
        .arg("e2e.mjs")
        .current_dir(&dir)
        .env("BASE_URL", app.url(""))
        .env("INSPECTOR_TOKEN", app.token(Role::Inspector))
        .env("SUPERVISOR_TOKEN", app.token(Role::Supervisor))
        .env("PUBLISHER_TOKEN", app.token(Role::Publisher))
        .env("GOOD_STANDARDS", &good)
        .env("BROKEN_STANDARDS", &broken)
        .env("EFFECTIVE_LATER", &later)
        .env("SCREENSHOT_DIR", &shots)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "browser tests failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("passed, 0 failed"));
    assert!(shots.join("m-result-phone.png").exists());
}
