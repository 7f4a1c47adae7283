//! `penalty-standards publish | versions | diff | withdraw`: the legal office's standards versions,
//! kept in the log database beside the log (every instance on it follows within seconds).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use penalty_standards::sources;
use penalty_standards::standards::diff::diff as set_diff;
use penalty_standards::standards::versions::{Versions, Withdrawal, admissible, withdrawable};
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
        .map(|(record, _)| record)
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

/// Every stored version, loaded and checked.
fn load(storage: &StorageConfig) -> Result<Versions, ExitCode> {
    let mut store = open(storage)?;
    store
        .versions()
        .map_err(|e| e.to_string())
        .and_then(|r| sources::load_all(&r))
        .map_err(|e| {
            eprintln!("error: {e}");
            ExitCode::from(2)
        })
}

/// Every version with its status, dates and note.
pub fn list(storage: &StorageConfig) -> ExitCode {
    let versions = match load(storage) {
        Ok(v) => v,
        Err(code) => return code,
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
    let versions = match load(storage) {
        Ok(v) => v,
        Err(code) => return code,
    };
    if let Err(r) = withdrawable(&versions, version, penalty_standards::clock::today()) {
        eprintln!("error: {}", r.message_en);
        return ExitCode::from(2);
    }
    let mut store = match open(storage) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let withdrawal = Withdrawal {
        at: now_strings().0,
        by: by.to_string(),
        note: note.to_string(),
    };
    let today = penalty_standards::clock::today().to_string();
    match store.withdraw_version(version, &withdrawal, &today) {
        Ok(true) => {
            println!("withdrawn: {version}");
            ExitCode::SUCCESS
        }
        Ok(false) => {
            eprintln!(
                "error: no version {version} that is not withdrawn already, or it is the last one in force"
            );
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// What changed from version `old` to version `new`, one line per change:
/// `ZHZF-019 阶次2（较轻）处罚标准：20元 → 25元`.
pub fn diff(old: &str, new: &str, storage: &StorageConfig) -> ExitCode {
    let versions = match load(storage) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let (Some(o), Some(n)) = (versions.get(old), versions.get(new)) else {
        let unknown = if versions.get(old).is_none() {
            old
        } else {
            new
        };
        eprintln!("error: no version {unknown} (see penalty-standards versions)");
        return ExitCode::from(2);
    };
    let lines = set_diff(&o.set, &n.set).lines();
    if lines.is_empty() {
        println!("{old} 与 {new} 的内容相同");
    }
    for line in lines {
        println!("{line}");
    }
    ExitCode::SUCCESS
}
