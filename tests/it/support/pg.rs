//! The PostgreSQL server the test command started, if any.

use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Its admin URL, from PENALTY_TEST_DATABASE_URL. Without one, PostgreSQL tests are skipped
/// saying so, or fail under PENALTY_REQUIRE_POSTGRES=1 (see [`super::heavy`]).
pub fn admin_url() -> Option<String> {
    match std::env::var("PENALTY_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            super::heavy::missing(
                "PENALTY_REQUIRE_POSTGRES",
                "PostgreSQL tests",
                "PENALTY_TEST_DATABASE_URL is not set (scripts/test starts a server)",
            );
            None
        }
    }
}

/// A new, empty database on the test server; its URL. The databases of test processes that
/// are gone are dropped first (once a process), as `temp_dir` sweeps their directories: a
/// database lives as long as its process's apps, some of which are shared through statics and
/// never dropped.
pub fn fresh_database() -> Option<String> {
    let admin = admin_url()?;
    static SWEEP: Once = Once::new();
    SWEEP.call_once(|| drop_leftovers(&admin));
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

/// Drops the `pst_PID_*` databases of test processes that are gone and that nobody is
/// connected to.
fn drop_leftovers(admin: &str) {
    if !std::path::Path::new("/proc/self").exists() {
        return;
    }
    let Ok(mut client) = postgres::Client::connect(admin, postgres::NoTls) else {
        return;
    };
    let names: Vec<String> = client
        .query(
            "SELECT datname FROM pg_database WHERE datname LIKE 'pst\\_%'",
            &[],
        )
        .map(|rows| rows.iter().map(|r| r.get(0)).collect())
        .unwrap_or_default();
    for name in names {
        let pid = name.strip_prefix("pst_").and_then(|r| r.split('_').next());
        if let Some(pid) = pid.filter(|p| p.parse::<u32>().is_ok())
            && !std::path::Path::new("/proc").join(pid).exists()
        {
            // Not forced: a database someone is connected to (a run on another machine sharing
            // the server, whose process ids this one cannot see) is left alone.
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\""));
        }
    }
}
