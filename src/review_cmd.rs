//! `penalty-standards review cases.csv`: the batch review from a spreadsheet export, logged
//! like the API's (the token says who reviewed), verdicts written to a CSV.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use penalty_standards::auth::{self, Role};
use std::sync::Arc;

use penalty_standards::decide::{Asker, DecideError, Decider};
use penalty_standards::review::{ReviewCase, Verdict};
use penalty_standards::review_csv::{self, CsvCase};
use penalty_standards::sources;
use penalty_standards::standards::StandardsSet;
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
    storage: &StorageConfig,
) -> ExitCode {
    let set: StandardsSet = match sources::load_standards(standards) {
        Ok(s) => s,
        Err(p) => {
            for problem in p.0 {
                eprintln!("error: {problem}");
            }
            return ExitCode::FAILURE;
        }
    };
    let mut store = match storage.open_migrated() {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "error: cannot open the supervision log ({}): {e}",
                storage.describe()
            );
            return ExitCode::from(2);
        }
    };
    let who = match store
        .tokens()
        .map(|records| auth::authenticate_token(records, token))
    {
        Ok(Ok(p)) if matches!(p.role, Role::Reviewer | Role::Supervisor) => p,
        Ok(Ok(p)) => {
            eprintln!(
                "error: a {} token may not review (reviewer or supervisor)",
                p.role.as_str()
            );
            return ExitCode::from(2);
        }
        Ok(Err(_)) => {
            eprintln!("error: the token is malformed, unknown or revoked");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("error: reading tokens: {e}");
            return ExitCode::from(2);
        }
    };
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let Ok(text) = String::from_utf8(bytes) else {
        eprintln!(
            "error: {} is not UTF-8; save it from the spreadsheet as \"CSV UTF-8\"",
            file.display()
        );
        return ExitCode::from(2);
    };
    let cases = match review_csv::read_cases(&set, &text) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let out = out.unwrap_or_else(|| default_out(file));
    let mut writer = match std::fs::File::create(&out) {
        Ok(mut f) => {
            // A BOM so that a spreadsheet opens the Chinese text as UTF-8.
            if let Err(e) = f.write_all("\u{feff}".as_bytes()) {
                eprintln!("error: writing {}: {e}", out.display());
                return ExitCode::from(2);
            }
            csv::Writer::from_writer(std::io::BufWriter::new(f))
        }
        Err(e) => {
            eprintln!("error: cannot create {}: {e}", out.display());
            return ExitCode::from(2);
        }
    };
    let asker = Asker {
        caller: Caller {
            token_id: who.token_id,
            name: who.name,
            unit: who.unit,
            role: who.role,
        },
        client: Client::Csv,
    };
    let decider = Decider::new(Arc::new(set), LogWriter::start(store));
    let progress = Progress::new(cases.len());
    let today = penalty_standards::clock::today();
    let mut counts = [0usize; 4]; // conforms, deviates, unlawful, errors
    let mut write_failed = writer.write_record(review_csv::VERDICT_HEADER).err();
    for (step, chunk) in cases.chunks(STEP).enumerate() {
        // Every case of the step is queued before any is waited for: one commit per step.
        let pending: Vec<_> = chunk
            .iter()
            .map(|c: &CsvCase| {
                let case = ReviewCase::from_json(c.json.as_ref().map_err(Clone::clone)?)?;
                decider.review(&case, &asker, today)
            })
            .collect();
        let mut reviewed = Vec::with_capacity(pending.len());
        for p in pending {
            reviewed.push(match p {
                Ok(p) => match p.logged_blocking() {
                    Ok(logged) => Ok(logged),
                    Err(e) => {
                        eprintln!("\nerror: the log could not be written, stopping: {e}");
                        let _ = writer.flush();
                        return ExitCode::from(2);
                    }
                },
                Err(DecideError::Refused(e)) => Err(e),
                Err(DecideError::Log(e)) => {
                    eprintln!("\nerror: the log could not be written, stopping: {e}");
                    let _ = writer.flush();
                    return ExitCode::from(2);
                }
            });
        }
        for (c, r) in chunk.iter().zip(&reviewed) {
            let lines = match r {
                Ok(logged) => {
                    let review = &logged.answer;
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
                if let Err(e) = writer.write_record(&l) {
                    write_failed.get_or_insert(e);
                }
            }
        }
        progress.show((step * STEP + chunk.len()).min(cases.len()));
    }
    if let Some(e) = write_failed.or_else(|| writer.flush().err().map(csv::Error::from)) {
        eprintln!("error: writing {}: {e}", out.display());
        return ExitCode::from(2);
    }
    println!(
        "{} cases: {} conform, {} deviate, {} unlawful, {} could not be reviewed; verdicts in {}",
        cases.len(),
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        out.display()
    );
    ExitCode::SUCCESS
}
