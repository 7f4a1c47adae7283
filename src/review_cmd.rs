//! `penalty-standards review cases.csv`: the batch review from a spreadsheet export, logged
//! like the API's (the token says who reviewed), verdicts written to a CSV.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use penalty_standards::auth::{self, Principal, Role};

use chrono::NaiveDate;
use penalty_standards::decide::{Asker, DecideError, Decider, Logged, Reviewed};
use penalty_standards::request::CalcError;
use penalty_standards::review::{ReviewCase, Verdict};
use penalty_standards::review_csv::{self, CsvCase};
use penalty_standards::sources;
use penalty_standards::supervision::store::Store;
use penalty_standards::supervision::writer::LogWriter;
use penalty_standards::supervision::{Caller, Client, StorageConfig};

/// Cases reviewed and appended to the log together (one commit).
const STEP: usize = 100;

/// A progress bar on stderr, only when stderr is a terminal.
struct Progress {
    total: usize,
    shown: bool,
}

impl Progress {
    fn new(total: usize) -> Self {
        Progress {
            total,
            shown: std::io::stderr().is_terminal(),
        }
    }
    fn show(&self, done: usize) {
        if !self.shown || self.total == 0 {
            return;
        }
        let width = 30;
        let filled = done * width / self.total;
        eprint!(
            "\r审核中 [{}{}] {done}/{} 件",
            "#".repeat(filled),
            ".".repeat(width - filled),
            self.total
        );
        if done == self.total {
            eprintln!();
        }
        let _ = std::io::stderr().flush();
    }
}

fn default_out(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "cases".into());
    file.with_file_name(format!("{stem}.verdicts.csv"))
}

pub fn run(
    file: &Path,
    out: Option<PathBuf>,
    token: &str,
    standards: Option<&Path>,
    legal_offices: &[String],
    storage: &StorageConfig,
) -> ExitCode {
    match review_file(file, out, token, standards, legal_offices, storage) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

/// Prints `error: {message}` and gives the exit code of a failure that is not the standards'.
fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// The whole command; every failure has been reported when it returns its exit code.
fn review_file(
    file: &Path,
    out: Option<PathBuf>,
    token: &str,
    standards: Option<&Path>,
    legal_offices: &[String],
    storage: &StorageConfig,
) -> Result<(), ExitCode> {
    let mut store = storage.open_migrated().map_err(|e| {
        fail(format_args!(
            "cannot open the supervision log ({}): {e}",
            storage.describe()
        ))
    })?;
    let versions = sources::open_versions(store.as_mut(), standards).map_err(fail)?;
    let who = reviewer(store.as_mut(), token)?;
    let text = read_utf8(file)?;
    let decider = Decider::new(versions, LogWriter::start(store)).with_legal_offices(legal_offices);
    // The spreadsheet's labels are read with the version in force today.
    let cases = review_csv::read_cases(&decider.in_force().set, &text)
        .map_err(|e| fail(format_args!("{}: {e}", file.display())))?;
    let out = out.unwrap_or_else(|| default_out(file));
    let mut writer = create_verdicts(&out)?;
    let counts = review_all(&decider, &asker_of(who), &cases, &mut writer, &out)?;
    println!(
        "{} cases: {} conform, {} deviate, {} unlawful, {} could not be reviewed; verdicts in {}",
        cases.len(),
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        out.display()
    );
    Ok(())
}

/// Who the token belongs to, if they may review (a reviewer or a supervisor).
fn reviewer(store: &mut dyn Store, token: &str) -> Result<Principal, ExitCode> {
    match store
        .tokens()
        .map(|records| auth::authenticate_token(records, token))
    {
        Ok(Ok(p)) if matches!(p.role, Role::Reviewer | Role::Supervisor) => Ok(p),
        Ok(Ok(p)) => Err(fail(format_args!(
            "a {} token may not review (reviewer or supervisor)",
            p.role.as_str()
        ))),
        Ok(Err(_)) => Err(fail("the token is malformed, unknown or revoked")),
        Err(e) => Err(fail(format_args!("reading tokens: {e}"))),
    }
}

fn read_utf8(file: &Path) -> Result<String, ExitCode> {
    let bytes = std::fs::read(file)
        .map_err(|e| fail(format_args!("cannot read {}: {e}", file.display())))?;
    String::from_utf8(bytes).map_err(|_| {
        fail(format_args!(
            "{} is not UTF-8; save it from the spreadsheet as \"CSV UTF-8\"",
            file.display()
        ))
    })
}

type VerdictWriter = csv::Writer<std::io::BufWriter<std::fs::File>>;

/// The verdicts file, begun with a BOM so that a spreadsheet opens the Chinese text as UTF-8.
fn create_verdicts(out: &Path) -> Result<VerdictWriter, ExitCode> {
    let mut f = std::fs::File::create(out)
        .map_err(|e| fail(format_args!("cannot create {}: {e}", out.display())))?;
    f.write_all("\u{feff}".as_bytes())
        .map_err(|e| fail(format_args!("writing {}: {e}", out.display())))?;
    Ok(csv::Writer::from_writer(std::io::BufWriter::new(f)))
}

fn asker_of(who: Principal) -> Asker {
    Asker {
        caller: Caller {
            token_id: who.token_id,
            name: who.name,
            unit: who.unit,
            role: who.role,
        },
        client: Client::Csv,
    }
}

/// Reviews the cases step by step, writing each step's verdicts; the counts of cases that
/// conform, deviate, are unlawful and could not be reviewed. A write error is reported once,
/// at the end (the reviews go on being logged); a log error stops at once.
fn review_all(
    decider: &Decider,
    asker: &Asker,
    cases: &[CsvCase],
    writer: &mut VerdictWriter,
    out: &Path,
) -> Result<[usize; 4], ExitCode> {
    let progress = Progress::new(cases.len());
    let today = penalty_standards::clock::today();
    let mut counts = [0usize; 4]; // conforms, deviates, unlawful, errors
    let mut write_failed = writer.write_record(review_csv::VERDICT_HEADER).err();
    for (step, chunk) in cases.chunks(STEP).enumerate() {
        let reviewed = review_step(decider, asker, chunk, today, writer)?;
        for (c, r) in chunk.iter().zip(&reviewed) {
            let lines = match r {
                Ok(logged) => {
                    let review = &logged.answer.review;
                    counts[match review.verdict {
                        Verdict::Conforms => 0,
                        Verdict::Deviates => 1,
                        Verdict::Unlawful => 2,
                    }] += 1;
                    review_csv::verdict_rows(c, Ok((review, &logged.receipt)))
                }
                Err(e) => {
                    counts[3] += 1;
                    review_csv::verdict_rows(c, Err(e))
                }
            };
            for l in lines {
                let safe = l
                    .iter()
                    .map(|c| penalty_standards::cells::neutralised(c).into_owned());
                if let Err(e) = writer.write_record(safe) {
                    write_failed.get_or_insert(e);
                }
            }
        }
        progress.show((step * STEP + chunk.len()).min(cases.len()));
    }
    if let Some(e) = write_failed.or_else(|| writer.flush().err().map(csv::Error::from)) {
        return Err(fail(format_args!("writing {}: {e}", out.display())));
    }
    Ok(counts)
}

/// One step's cases, all queued before any is waited for (one commit per step); each logged
/// review, or why the case could not be reviewed.
fn review_step(
    decider: &Decider,
    asker: &Asker,
    chunk: &[CsvCase],
    today: NaiveDate,
    writer: &mut VerdictWriter,
) -> Result<Vec<Result<Logged<Reviewed>, CalcError>>, ExitCode> {
    let pending: Vec<_> = chunk
        .iter()
        .map(|c: &CsvCase| {
            let case = ReviewCase::from_json(c.json.as_ref().map_err(Clone::clone)?)?;
            decider.review(&case, asker, today)
        })
        .collect();
    let log_failed = |e: &dyn std::fmt::Display, writer: &mut VerdictWriter| {
        eprintln!("\nerror: the log could not be written, stopping: {e}");
        let _ = writer.flush();
        ExitCode::from(2)
    };
    let mut reviewed = Vec::with_capacity(pending.len());
    for p in pending {
        reviewed.push(match p {
            Ok(p) => match p.logged_blocking() {
                Ok(logged) => Ok(logged),
                Err(e) => return Err(log_failed(&e, writer)),
            },
            Err(DecideError::Refused(e) | DecideError::OutOfScope(e)) => Err(e),
            Err(DecideError::Log(e)) => return Err(log_failed(&e, writer)),
        });
    }
    Ok(reviewed)
}
