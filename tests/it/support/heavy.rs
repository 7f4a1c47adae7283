//! The heavy prerequisites: the test PostgreSQL server, Chromium (with node and playwright-core)
//! and the law texts in ../shared/laws. `scripts/test`, and so CI, provides all three and sets
//! PENALTY_REQUIRE_POSTGRES, PENALTY_REQUIRE_BROWSER and PENALTY_REQUIRE_LAWS to 1: there a
//! missing one fails the test. A plain `cargo test` without one skips the tests (or the part of
//! a test) that need it, and prints a SKIPPED line saying what and why.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A prerequisite is missing: fails when `require` is 1, else prints why the test skips it.
pub fn missing(require: &str, what: &str, why: &str) {
    assert!(
        std::env::var(require).as_deref() != Ok("1"),
        "{require}=1 but {what} cannot run: {why}"
    );
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    // Straight to stderr: the test harness would hold back an eprintln! of a passing test.
    let _ = writeln!(std::io::stderr(), "SKIPPED: {what} in {test}: {why}");
}

/// The law texts, ../shared/laws beside the project.
pub fn laws_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/laws");
    if dir.is_dir() {
        return Some(dir);
    }
    missing(
        "PENALTY_REQUIRE_LAWS",
        "law-text tests",
        &format!(
            "{} not found (the law texts sit in ../shared/laws beside the project)",
            dir.display()
        ),
    );
    None
}

/// What the browser tests run with.
pub struct Browser {
    /// Debian's chromium, or $CHROMIUM.
    pub chromium: PathBuf,
    /// tests/browser: the script and its node_modules.
    pub dir: PathBuf,
}

/// Installs a test's npm packages (pinned by its package-lock.json); false when that fails.
pub fn npm_ci(dir: &Path) -> bool {
    let _ = writeln!(std::io::stderr(), "npm ci in {}", dir.display());
    Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir)
        .status()
        .is_ok_and(|s| s.success())
}

pub fn browser() -> Option<Browser> {
    let chromium =
        PathBuf::from(std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let why = if !chromium.exists() {
        format!(
            "{} not found (scripts/test installs Debian's chromium)",
            chromium.display()
        )
    } else if Command::new("node").arg("--version").output().is_err() {
        "node not found".to_string()
    } else if !dir.join("node_modules/playwright-core").is_dir() && !npm_ci(&dir) {
        "tests/browser/node_modules/playwright-core not found, and `npm ci` there failed"
            .to_string()
    } else {
        return Some(Browser { chromium, dir });
    };
    missing("PENALTY_REQUIRE_BROWSER", "browser tests", &why);
    None
}
