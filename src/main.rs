//! `penalty-standards`: serve the API, check the standards, run one calculation.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

mod coverage_cmd;
mod impact_cmd;
mod review_cmd;
mod versions_cmd;

/// Many small allocations per request (JSON in and out, the log entry): mimalloc handles them
/// markedly better than the system allocator under concurrent workers.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use impact_cmd::REVISED_MARKER;
use penalty_standards::auth::{Role, new_token};
use penalty_standards::decide::{self, Recheck};
use penalty_standards::lawtext::corpus::Corpus;
use penalty_standards::lawtext::crosscheck;
use penalty_standards::standards::versions::Versions;
use penalty_standards::standards::{self, Problem, SourceFile};
use penalty_standards::supervision::store::{Filter, Store};
use penalty_standards::supervision::{self, StorageConfig};
use penalty_standards::{circumstances, engine, request, sources, startup, stats};

#[derive(Parser)]
#[command(
    name = "penalty-standards",
    version,
    about = "行政处罚裁量基准 — discretionary-penalty standards service"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the supervision log and the tokens are kept.
#[derive(clap::Args, Clone)]
struct Storage {
    /// Directory of the SQLite log (used when no PostgreSQL URL is given).
    #[arg(long, default_value = "./data")]
    data_dir: PathBuf,
    /// PostgreSQL URL (postgres://user:pass@host/db): the log is kept there instead.
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
}

impl Storage {
    fn config(&self) -> StorageConfig {
        StorageConfig {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone().filter(|u| !u.is_empty()),
        }
    }
}

#[derive(Subcommand)]
enum LogCommand {
    /// Walk the hash chain and report the first entry altered, removed or reordered.
    Verify {
        #[command(flatten)]
        storage: Storage,
        /// Also recompute every calculation of the loaded standards version and compare it with
        /// the digest of the answer that was given.
        #[arg(long)]
        recompute: bool,
        /// The standards to recompute with (default: the bundled ones).
        #[arg(long)]
        standards: Option<PathBuf>,
        /// A checkpoint the log must still contain: a file of checkpoints (JSON lines, as the
        /// service keeps them) or `SEQ:HASH`. By default the service's own checkpoint file
        /// beside the database.
        #[arg(long)]
        checkpoint: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token; it is printed once, alone on the last line.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        unit: String,
        /// inspector, reviewer, supervisor, admin or publisher.
        #[arg(long)]
        role: String,
        #[command(flatten)]
        storage: Storage,
    },
    /// List tokens (never their secrets).
    List {
        #[command(flatten)]
        storage: Storage,
    },
    /// Revoke a token by its id.
    Revoke {
        id: String,
        #[command(flatten)]
        storage: Storage,
    },
}

#[derive(Subcommand)]
enum Command {
    /// Start the HTTP service.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// A standards directory (set.toml + units/); by default the bundled standards.
        #[arg(long)]
        standards: Option<PathBuf>,
        /// Requests per second allowed per token (or per address without one); 0 turns the limit off.
        #[arg(long, default_value_t = 50)]
        rate_limit: u32,
        /// Units whose reviewers may review every unit's matters (the legal office), e.g.
        /// `--legal-office ZHZF`; others review their own unit's, supervisors all.
        #[arg(
            long = "legal-office",
            env = "PENALTY_LEGAL_OFFICES",
            value_delimiter = ','
        )]
        legal_offices: Vec<String>,
        /// POST every new supervision alert there as JSON (plain http://; retried with backoff
        /// until delivered, from a queue of its own: a calculation never waits on it).
        #[arg(long = "alert-webhook", env = "PENALTY_ALERT_WEBHOOK", value_parser = webhook_url, conflicts_with = "no_alerts")]
        alert_webhook: Option<String>,
        /// Do not evaluate alerts in this instance (another instance on the same database does,
        /// or to measure their cost); the alert pages and API still answer.
        #[arg(long = "no-alerts")]
        no_alerts: bool,
        #[command(flatten)]
        storage: Storage,
    },
    /// Publish a standards directory as a new version, effective on a date (validated first;
    /// every running instance on the same database follows within seconds).
    Publish {
        dir: PathBuf,
        /// 施行日期, YYYY-MM-DD: today or later.
        #[arg(long)]
        effective: NaiveDate,
        /// 修订说明.
        #[arg(long)]
        note: String,
        /// Who publishes (recorded with the version).
        #[arg(long, default_value = "法制机构")]
        by: String,
        /// Also cross-check every citation against the law texts before publishing.
        #[arg(long)]
        laws: Option<PathBuf>,
        #[command(flatten)]
        storage: Storage,
    },
    /// List the standards versions with their status.
    Versions {
        #[command(flatten)]
        storage: Storage,
    },
    /// What changed from one standards version to another, one line per change.
    Diff {
        /// The old version, e.g. 2026.1.
        old: String,
        /// The new version, e.g. 2026.2.
        new: String,
        #[command(flatten)]
        storage: Storage,
    },
    /// Withdraw a standards version: it never applies again, the one before applies instead.
    Withdraw {
        version: String,
        #[arg(long)]
        note: String,
        #[arg(long, default_value = "法制机构")]
        by: String,
        #[command(flatten)]
        storage: Storage,
    },
    /// The supervision log.
    Log {
        #[command(subcommand)]
        command: LogCommand,
    },
    /// Bearer tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Validate the standards; with --laws, cross-check every citation against the law texts.
    Check {
        #[arg(long)]
        standards: Option<PathBuf>,
        #[arg(long)]
        laws: Option<PathBuf>,
        /// Instead of the cross-check, list the matters that cite an older version of a law than
        /// the newest in --laws, and what changed in the articles they cite (always exits 0).
        #[arg(long, requires = "laws")]
        impact: bool,
    },
    /// Validate a draft file of `[[matter]]` blocks for one unit (an authoring aid).
    CheckDraft {
        #[arg(long)]
        unit: String,
        #[arg(long)]
        laws: Option<PathBuf>,
        file: PathBuf,
    },
    /// Review proposed decisions from a CSV export (one row per act; columns in the README),
    /// logged like the API's reviews; writes a CSV of verdicts.
    Review {
        /// The cases, UTF-8 CSV.
        file: PathBuf,
        /// Where the verdicts go (default: <file>.verdicts.csv beside it).
        #[arg(long)]
        out: Option<PathBuf>,
        /// A reviewer's or supervisor's token (the log records who reviewed).
        #[arg(long, env = "PENALTY_TOKEN", hide_env_values = true)]
        token: String,
        #[arg(long)]
        standards: Option<PathBuf>,
        /// Units whose reviewers may review every unit's matters (the legal office), e.g.
        /// `--legal-office ZHZF`; others review their own unit's, supervisors all.
        #[arg(
            long = "legal-office",
            env = "PENALTY_LEGAL_OFFICES",
            value_delimiter = ','
        )]
        legal_offices: Vec<String>,
        #[command(flatten)]
        storage: Storage,
    },
    /// One calculation: a JSON request (argument, or stdin when absent or `-`) in, JSON out.
    Calc {
        #[arg(long)]
        standards: Option<PathBuf>,
        request: Option<String>,
    },
    /// List the penalty provisions of a law with the bands parsed from its text, and the matters
    /// that cover each (without --law: a summary of every law the standards cite).
    Provisions {
        #[arg(long)]
        laws: PathBuf,
        /// The law's full title, e.g. 中华人民共和国大气污染防治法.
        #[arg(long)]
        law: Option<String>,
        #[arg(long)]
        standards: Option<PathBuf>,
    },
    /// Check (or with --write, build) standards/COVERAGE.md: every fine-setting provision of
    /// each unit's core laws (standards/coverage/UNIT.toml) covered by a matter or left out with a
    /// reason.
    Coverage {
        #[arg(long)]
        laws: PathBuf,
        /// The standards directory holding coverage/ and COVERAGE.md (default: ./standards).
        #[arg(long, default_value = "standards")]
        standards: PathBuf,
        #[arg(long)]
        write: bool,
    },
    /// Print the OpenAPI document.
    Openapi,
}

fn print_problems(problems: &[Problem]) {
    for p in problems {
        eprintln!("error: {p}");
    }
    eprintln!("{} problem(s)", problems.len());
}

fn open_corpus(laws: &std::path::Path) -> Result<Corpus, ExitCode> {
    Corpus::open(laws).map_err(|e| {
        eprintln!(
            "error: cannot read the law texts at {}: {e}",
            laws.display()
        );
        ExitCode::from(2)
    })
}

fn check(dir: Option<PathBuf>, laws: Option<PathBuf>, impact: bool) -> ExitCode {
    let set = match sources::load_standards(dir.as_deref()) {
        Ok(s) => s,
        Err(p) => {
            print_problems(&p.0);
            return ExitCode::FAILURE;
        }
    };
    // The search vocabulary must fit the set it ships with (laws cited, words present).
    if let Err(p) = sources::load_search_terms(dir.as_deref(), &set) {
        print_problems(&p.0);
        return ExitCode::FAILURE;
    }
    if let (true, Some(laws)) = (impact, &laws) {
        return match open_corpus(laws) {
            Ok(corpus) => impact_cmd::report(&set, &corpus),
            Err(code) => code,
        };
    }
    if let Some(laws) = &laws {
        let corpus = match open_corpus(laws) {
            Ok(c) => c,
            Err(code) => return code,
        };
        let mut problems =
            crosscheck::check_citations(&circumstances::engine_citations(), &corpus, "(engine)");
        for m in &set.matters {
            problems.extend(crosscheck::check_matter(m, &corpus));
        }
        if !problems.is_empty() {
            print_problems(&problems);
            return ExitCode::FAILURE;
        }
    }
    let s = stats::stats(&set);
    for u in &s.per_unit {
        println!(
            "{:<6} {:<14} matters {:>4}  tiers {:>5}  fixed {:>5} ({}%)",
            u.code,
            u.name,
            u.figures.matters,
            u.figures.tiers,
            u.figures.fixed_tiers,
            (u.figures.fixed_share * rust_decimal::Decimal::ONE_HUNDRED).round_dp(1)
        );
    }
    println!(
        "{} {}: {} units, {} matters, {} tiers, {} fixed-amount tiers ({}%){}",
        s.name,
        s.version,
        s.units,
        s.total.matters,
        s.total.tiers,
        s.total.fixed_tiers,
        (s.total.fixed_share * rust_decimal::Decimal::ONE_HUNDRED).round_dp(1),
        if laws.is_some() {
            "; every citation checked against the law texts"
        } else {
            ""
        }
    );
    ExitCode::SUCCESS
}

fn check_draft(unit: String, laws: Option<PathBuf>, file: PathBuf) -> ExitCode {
    let body = match std::fs::read_to_string(&file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let text = format!("code = \"{unit}\"\nname = \"{unit}\"\n{body}");
    let mut problems = Vec::new();
    let source = SourceFile {
        path: file.display().to_string(),
        text,
    };
    let parsed = standards::load::parse_unit(&source, &mut problems);
    // The header added above shifts every line by two.
    for p in &mut problems {
        p.line = p.line.saturating_sub(2).max(1);
    }
    if let (Some((_, matters)), Some(laws)) = (&parsed, &laws) {
        let corpus = match open_corpus(laws) {
            Ok(c) => c,
            Err(code) => return code,
        };
        for m in matters {
            for mut p in crosscheck::check_matter(m, &corpus) {
                p.line = p.line.saturating_sub(2).max(1);
                problems.push(p);
            }
        }
    }
    if !problems.is_empty() {
        print_problems(&problems);
        return ExitCode::FAILURE;
    }
    let matters = parsed.map(|(_, m)| m).unwrap_or_default();
    let tiers: usize = matters.iter().map(|m| m.tiers.len()).sum();
    let fixed: usize = matters
        .iter()
        .flat_map(|m| &m.tiers)
        .filter(|t| t.is_fixed())
        .count();
    println!(
        "ok: {} matters, {tiers} tiers, {fixed} fixed-amount tiers",
        matters.len()
    );
    ExitCode::SUCCESS
}

fn calc(dir: Option<PathBuf>, request: Option<String>) -> ExitCode {
    let set = match sources::load_standards(dir.as_deref()) {
        Ok(s) => s,
        Err(p) => {
            print_problems(&p.0);
            return ExitCode::FAILURE;
        }
    };
    let text = match request.as_deref() {
        Some(r) if r != "-" => r.to_string(),
        _ => {
            let mut s = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut s) {
                eprintln!("error: reading stdin: {e}");
                return ExitCode::from(2);
            }
            s
        }
    };
    // Read as strictly as the API reads it: a key given twice or a NUL is refused, not resolved.
    let result = penalty_standards::json::parse_strict(text.as_bytes())
        .map_err(|e| {
            e.field_error().unwrap_or_else(|| request::CalcError {
                code: "malformed_json",
                field: None,
                message: format!("请求不是合法的 JSON：{e}"),
                message_en: format!("the request is not valid JSON: {e}"),
                not_found: false,
            })
        })
        .and_then(|v| engine::CalcRequest::from_json(&v))
        // Not logged, explicitly: the answer goes only to the person at the terminal.
        .and_then(|req| {
            penalty_standards::decide::calculate_unlogged(
                &set,
                &req,
                penalty_standards::clock::today(),
            )
        });
    match result {
        Ok(r) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&r).expect("results serialize")
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&startup::error_body(&e)).expect("errors serialize")
            );
            ExitCode::from(2)
        }
    }
}

fn open(storage: &StorageConfig) -> Result<Box<dyn supervision::store::Store>, ExitCode> {
    storage.open_migrated().map_err(|e| {
        eprintln!(
            "error: cannot open the supervision log ({}): {e}",
            storage.describe()
        );
        ExitCode::from(2)
    })
}

/// `log verify`: the chain, then (with `--recompute`) every answer of the loaded version.
fn log_verify(
    storage: &StorageConfig,
    recompute: Option<Option<&Path>>,
    checkpoint: Option<&str>,
) -> ExitCode {
    let mut store = match open(storage) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let chain = tamper_report(supervision::verify(store.as_mut()));
    let Ok((n, head)) = chain else {
        return chain.err().unwrap_or(ExitCode::FAILURE);
    };
    println!("ok: {n} entries, the chain is intact; head hash {head}");
    match tamper_report(supervision::verify_review_acts(store.as_mut())) {
        Ok(n) => println!("ok: {n} review statistics rows agree with their records"),
        Err(code) => return code,
    }
    match tamper_report(supervision::alerting::verify_alerts(store.as_mut())) {
        Ok((alerts, through)) => println!(
            "ok: {alerts} alerts agree with the log (evaluated through entry {through} of {n})"
        ),
        Err(code) => return code,
    }
    if let Err(code) = verify_checkpoints(storage, store.as_mut(), checkpoint) {
        return code;
    }
    match recompute {
        Some(standards) => log_recompute(store.as_mut(), standards),
        None => ExitCode::SUCCESS,
    }
}

/// The unit codes of the standards, from the unit files of every stored version (or the
/// bundled ones before the first start): a token names one of them, as the API requires.
fn known_units(store: &mut dyn Store) -> Vec<String> {
    let from_files = |names: &mut dyn Iterator<Item = &String>| -> Vec<String> {
        let mut codes: Vec<String> = names
            .filter_map(|f| {
                f.strip_prefix("units/")?
                    .strip_suffix(".toml")
                    .map(str::to_string)
            })
            .collect();
        codes.sort();
        codes.dedup();
        codes
    };
    let stored = store.versions().unwrap_or_default();
    if stored.is_empty() {
        let bundled = sources::version_files(None).unwrap_or_default();
        from_files(&mut bundled.keys())
    } else {
        from_files(&mut stored.iter().flat_map(|v| v.files.keys()))
    }
}

/// A check's outcome as the command reports it: a fault is TAMPERED (exit 1), a storage error
/// exit 2.
fn tamper_report<T, F: std::fmt::Display>(
    r: Result<Result<T, F>, supervision::store::StoreError>,
) -> Result<T, ExitCode> {
    match r {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(fault)) => {
            println!("TAMPERED: {fault}");
            Err(ExitCode::FAILURE)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Err(ExitCode::from(2))
        }
    }
}

/// The log against the checkpoints given, or the service's own beside the database: each
/// signed by the service's key and its head still in the log.
fn verify_checkpoints(
    storage: &StorageConfig,
    store: &mut dyn Store,
    given: Option<&str>,
) -> Result<(), ExitCode> {
    use supervision::checkpoint::{self, Checkpoint};
    let (key_file, own) = checkpoint::paths(&storage.data_dir);
    let key = std::fs::read_to_string(&key_file)
        .ok()
        .and_then(|k| {
            checkpoint::CheckpointSigner::load_or_create(&key_file)
                .ok()
                .map(|s| (k, s))
        })
        .map(|(_, s)| s.public_key());
    let parsed = match given {
        // SEQ:HASH, written down from a published checkpoint: nothing to check but the head.
        Some(text) if !Path::new(text).exists() && text.contains(':') => {
            let (seq, hash) = text.split_once(':').unwrap_or_default();
            seq.trim()
                .parse()
                .map(|seq| {
                    vec![Checkpoint {
                        seq,
                        hash: hash.trim().to_string(),
                        at: "(given)".into(),
                        public_key: String::new(),
                        signature: String::new(),
                    }]
                })
                .map_err(|_| format!("`{text}` is neither a file nor SEQ:HASH"))
        }
        Some(file) => checkpoint::read_all(Path::new(file)).map_err(|e| format!("{file}: {e}")),
        None => checkpoint::read_all(&own).map_err(|e| format!("{}: {e}", own.display())),
    };
    // A head written down by hand carries no signature to check.
    let key = if given.is_some_and(|g| !Path::new(g).exists()) {
        None
    } else {
        key
    };
    let list = match parsed {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return Err(ExitCode::from(2));
        }
    };
    let n = tamper_report(checkpoint::check(store, &list, key.as_deref()))?;
    if n > 0 {
        println!("ok: the log holds the heads of {n} checkpoint(s)");
    }
    Ok(())
}

/// Recomputes every calculation and review of the loaded standards versions; fails if any
/// answer differs.
fn log_recompute(store: &mut dyn Store, standards: Option<&Path>) -> ExitCode {
    // The database's versions, as each entry was answered; or, to try a change, a directory
    // standing in for every version of its number.
    let versions = match standards {
        Some(dir) => sources::version_files(Some(dir))
            .and_then(|files| sources::new_version(files, None, "--standards", ""))
            .map(|(_, mut v)| {
                v.meta.published_at = String::new();
                Versions::new(vec![v])
            })
            .map_err(|p| p.to_string()),
        None => store
            .versions()
            .map_err(|e| e.to_string())
            .and_then(|r| sources::load_all(&r)),
    };
    let versions = match versions {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let (mut matches, mut skipped, mut differs) = (0u64, 0u64, Vec::new());
    let mut after = 0;
    loop {
        let rows = match store.rows(&Filter::default(), after, 1000) {
            Ok(rows) => rows,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        let Some(last) = rows.last() else { break };
        after = last.seq;
        for row in &rows {
            match row.entry().map(|e| decide::recheck(&versions, &e)) {
                Ok(Recheck::Matches) => matches += 1,
                Ok(Recheck::Skipped(_)) => skipped += 1,
                Ok(Recheck::Differs(why)) => differs.push(format!("{}: {why}", row.receipt)),
                Err(e) => differs.push(format!("{}: unreadable body: {e}", row.receipt)),
            }
        }
    }
    println!(
        "recomputed with {} standards version(s): {matches} answers match, {} differ, {skipped} not recomputable here (supervisors' acts, other versions, entries from before answers were digested)",
        versions.all().len(),
        differs.len()
    );
    for line in differs.iter().take(20) {
        println!("DIFFERS {line}");
    }
    if differs.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn token(command: TokenCommand) -> ExitCode {
    let storage = match &command {
        TokenCommand::Create { storage, .. }
        | TokenCommand::List { storage }
        | TokenCommand::Revoke { storage, .. } => storage.config(),
    };
    let mut store = match open(&storage) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let result = match command {
        TokenCommand::Create {
            name, unit, role, ..
        } => {
            let Some(role) = Role::parse(&role) else {
                eprintln!(
                    "error: role must be inspector, reviewer, supervisor, admin or publisher"
                );
                return ExitCode::from(2);
            };
            if name.trim().is_empty() || unit.trim().is_empty() {
                eprintln!("error: --name and --unit must not be empty");
                return ExitCode::from(2);
            }
            let unit = unit.trim().to_uppercase();
            let known = known_units(store.as_mut());
            if !known.contains(&unit) {
                eprintln!(
                    "error: no unit `{unit}` in the standards (units: {})",
                    known.join(", ")
                );
                return ExitCode::from(2);
            }
            let taken = store
                .tokens()
                .map(|all| all.iter().any(|t| t.is_live_for(name.trim(), &unit)));
            if !matches!(taken, Ok(false)) {
                eprintln!(
                    "error: {} of {unit} already holds a live token (revoke it first, or tell two people apart by name)",
                    name.trim()
                );
                return ExitCode::from(2);
            }
            let (token, record) = new_token(name.trim(), &unit, role);
            store.insert_token(&record).map(|()| {
                println!(
                    "created token {} for {} ({}, {}); it is shown once:",
                    record.id, record.name, record.unit, record.role
                );
                println!("{token}");
            })
        }
        TokenCommand::List { .. } => store.tokens().map(|list| {
            for t in list {
                let state = t
                    .revoked_at
                    .as_deref()
                    .map_or("active".to_string(), |at| format!("revoked {at}"));
                println!(
                    "{}  {:<10} {:<6} {}  created {}  {state}",
                    t.id, t.role, t.unit, t.name, t.created_at
                );
            }
        }),
        TokenCommand::Revoke { id, .. } => {
            let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            match store.revoke_token(&id, &at) {
                Ok(true) => {
                    println!("revoked {id}");
                    Ok(())
                }
                Ok(false) => {
                    eprintln!("error: no active token {id}");
                    return ExitCode::FAILURE;
                }
                Err(e) => Err(e),
            }
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

pub(crate) fn show_band(b: &penalty_standards::lawtext::amounts::StatedBand) -> String {
    use penalty_standards::lawtext::amounts::StatedUnit;
    let unit = match b.unit {
        StatedUnit::Yuan => "元",
        StatedUnit::Multiple => "倍",
        StatedUnit::Percent => "%",
    };
    match b.max {
        Some(max) if max == b.min => format!("{}{unit}", max.normalize()),
        Some(max) => format!("{}–{}{unit}", b.min.normalize(), max.normalize()),
        None => format!("≥{}{unit}", b.min.normalize()),
    }
}

fn provisions(
    laws: &std::path::Path,
    law: Option<&str>,
    standards: Option<&std::path::Path>,
) -> ExitCode {
    let corpus = match open_corpus(laws) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let set = match sources::load_standards(standards) {
        Ok(s) => s,
        Err(p) => {
            print_problems(&p.0);
            return ExitCode::FAILURE;
        }
    };
    let revised = impact_cmd::revised_matters(&set, &corpus);
    let no_revised = std::collections::HashSet::new();
    let titles: Vec<String> = match law {
        Some(t) => vec![t.to_string()],
        None => penalty_laws(&set),
    };
    for title in &titles {
        let Some(version) = corpus.versions(title).and_then(|v| v.last()) else {
            eprintln!("error: no law titled `{title}` in {}", laws.display());
            return ExitCode::FAILURE;
        };
        let list = penalty_standards::lawtext::penalty_provisions(version.law());
        let covered = list
            .iter()
            .filter(|p| {
                !standards::coverage::covering(&set, title, p.article, p.paragraph).is_empty()
            })
            .count();
        let revised = revised.get(title).unwrap_or(&no_revised);
        println!(
            "{title} ({}): {} penalty provisions, {covered} covered by a matter{}",
            version.date,
            list.len(),
            if revised.is_empty() {
                String::new()
            } else {
                format!("; {} matter(s) {REVISED_MARKER}", revised.len())
            }
        );
        if law.is_some() {
            for p in &list {
                print_provision(&set, title, p, revised);
            }
        }
    }
    ExitCode::SUCCESS
}

/// The laws the standards cite as penalty provisions, sorted, once each.
fn penalty_laws(set: &standards::StandardsSet) -> Vec<String> {
    let mut t: Vec<String> = set
        .matters
        .iter()
        .flat_map(|m| std::iter::once(&m.penalty).chain(&m.penalty_also))
        .map(|c| c.law.clone())
        .collect();
    t.sort();
    t.dedup();
    t
}

fn coverage(laws: &std::path::Path, dir: &std::path::Path, write: bool) -> ExitCode {
    let corpus = match open_corpus(laws) {
        Ok(c) => c,
        Err(code) => return code,
    };
    match sources::load_standards(Some(dir)) {
        Ok(set) => coverage_cmd::run(&corpus, &set, dir, write),
        Err(p) => {
            print_problems(&p.0);
            ExitCode::FAILURE
        }
    }
}

/// One line per provision: where, its items, its bands, the start of its text, the matters
/// that cover it (or NOT COVERED), marked where their citation names an older version whose
/// text has changed since — by article number they may no longer cover it at all.
fn print_provision(
    set: &standards::StandardsSet,
    title: &str,
    p: &penalty_standards::lawtext::Provision,
    revised: &std::collections::HashSet<&str>,
) {
    let mut c = penalty_standards::standards::Citation::new(title, p.article, p.paragraph, None);
    c.version = None;
    let bands: Vec<String> = p.bands.iter().map(show_band).collect();
    let ids: Vec<String> = standards::coverage::covering(set, title, p.article, p.paragraph)
        .into_iter()
        .map(|id| {
            if revised.contains(id.as_str()) {
                format!("{id}（{REVISED_MARKER}）")
            } else {
                id
            }
        })
        .collect();
    let items = if p.items > 0 {
        format!(" [{}项]", p.items)
    } else {
        String::new()
    };
    let cover = if ids.is_empty() {
        "NOT COVERED".to_string()
    } else {
        ids.join(" ")
    };
    println!(
        "  {}{items}  {}  — {}…  {cover}",
        c.render().trim_start_matches(&format!("《{title}》")),
        bands.join(", "),
        p.excerpt
    );
}

/// `--alert-webhook`: a plain `http://host[:port][/path]` (the client speaks no TLS), refused
/// at start rather than failing every delivery later.
fn webhook_url(s: &str) -> Result<String, String> {
    let rest = s
        .strip_prefix("http://")
        .ok_or("the webhook must be a plain http:// URL (no TLS here)")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') || host.contains(['@', ' ']) {
        return Err("the webhook URL needs a host (http://host[:port]/path)".into());
    }
    Ok(s.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve {
            bind,
            standards,
            rate_limit,
            legal_offices,
            alert_webhook,
            no_alerts,
            storage,
        } => startup::serve(
            &bind,
            standards.as_deref(),
            &storage.config(),
            &penalty_standards::api::Settings {
                rate_limit,
                legal_offices,
                alert_webhook: alert_webhook.filter(|u| !u.is_empty()),
                no_alerts,
            },
        ),
        Command::Log {
            command:
                LogCommand::Verify {
                    storage,
                    recompute,
                    standards,
                    checkpoint,
                },
        } => log_verify(
            &storage.config(),
            recompute.then_some(standards.as_deref()),
            checkpoint.as_deref(),
        ),
        Command::Token { command } => token(command),
        Command::Publish {
            dir,
            effective,
            note,
            by,
            laws,
            storage,
        } => versions_cmd::publish(&dir, effective, &note, &by, laws, &storage.config()),
        Command::Versions { storage } => versions_cmd::list(&storage.config()),
        Command::Diff { old, new, storage } => versions_cmd::diff(&old, &new, &storage.config()),
        Command::Withdraw {
            version,
            note,
            by,
            storage,
        } => versions_cmd::withdraw(&version, &note, &by, &storage.config()),
        Command::Check {
            standards,
            laws,
            impact,
        } => check(standards, laws, impact),
        Command::CheckDraft { unit, laws, file } => check_draft(unit, laws, file),
        Command::Calc { standards, request } => calc(standards, request),
        Command::Review {
            file,
            out,
            token,
            standards,
            legal_offices,
            storage,
        } => review_cmd::run(
            &file,
            out,
            &token,
            standards.as_deref(),
            &legal_offices,
            &storage.config(),
        ),
        Command::Provisions {
            laws,
            law,
            standards,
        } => provisions(&laws, law.as_deref(), standards.as_deref()),
        Command::Coverage {
            laws,
            standards,
            write,
        } => coverage(&laws, &standards, write),
        Command::Openapi => {
            print!("{}", startup::openapi_json());
            ExitCode::SUCCESS
        }
    }
}
