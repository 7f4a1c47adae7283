//! `penalty-standards publish | versions | withdraw`: the legal office's standards versions,
//! kept in the log database beside the log (every instance on it follows within seconds).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use penalty_standards::sources;
use penalty_standards::standards::versions::{Withdrawal, admissible};
use penalty_standards::supervision::StorageConfig;
use penalty_standards::supervision::store::{Store, now_strings};

fn open(storage: &StorageConfig) -> Result<Box<dyn Store>, ExitCode> {
    storage.open_migrated().map_err(|e| {
        eprintln!(
            "error: cannot open the log database ({}): {e}",
            storage.describe()
        );
        ExitCode::from(2)
    })
}

/// Validates the standards of `dir` as the service loads them and stores them as a new version
/// taking effect on `effective` (today or later, never before the version in force).
pub fn publish(
    dir: &Path,
    effective: NaiveDate,
    note: &str,
    by: &str,
    laws: Option<PathBuf>,
    storage: &StorageConfig,
) -> ExitCode {
    if let Some(laws) = laws
        && !crate::check(Some(dir.to_path_buf()), Some(laws), false).eq(&ExitCode::SUCCESS)
    {
        eprintln!("error: not published: the cross-check against the law texts failed");
        return ExitCode::FAILURE;
    }
    let record = match sources::version_files(Some(dir))
        .and_then(|files| sources::new_version(files, Some(effective), by, note))
    {
        Ok(r) => r,
        Err(p) => {
            eprintln!("{p}");
            eprintln!("error: not published: the standards do not pass the checks");
            return ExitCode::FAILURE;
        }
    };
    let mut store = match open(storage) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let existing = match store
        .versions()
        .map_err(|e| e.to_string())
        .and_then(|r| sources::load_all(&r))
    {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let today = penalty_standards::clock::today();
    if let Err(r) = admissible(&existing, &record.meta.version, effective, today) {
        eprintln!("error: {}", r.message_en);
        return ExitCode::from(2);
    }
    if let Err(e) = store.insert_version(&record) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    println!("{}", record.meta.version);
    ExitCode::SUCCESS
}

/// Every version with its status, dates and note.
pub fn list(storage: &StorageConfig) -> ExitCode {
    let mut store = match open(storage) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let versions = match store
        .versions()
        .map_err(|e| e.to_string())
        .and_then(|r| sources::load_all(&r))
    {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let today = penalty_standards::clock::today();
    for v in versions.all() {
        let status = versions.status(v, today);
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            v.meta.version,
            v.meta.effective_date,
            status.label(),
            v.meta.published_by,
            v.meta.published_at,
            v.meta.note
        );
    }
    ExitCode::SUCCESS
}

/// Withdraws a version: it never applies again (the one before it applies instead) and stays
/// readable.
pub fn withdraw(version: &str, note: &str, by: &str, storage: &StorageConfig) -> ExitCode {
    let mut store = match open(storage) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let withdrawal = Withdrawal {
        at: now_strings().0,
        by: by.to_string(),
        note: note.to_string(),
    };
    match store.withdraw_version(version, &withdrawal) {
        Ok(true) => {
            println!("withdrawn: {version}");
            ExitCode::SUCCESS
        }
        Ok(false) => {
            eprintln!("error: no version {version} that is not withdrawn already");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
