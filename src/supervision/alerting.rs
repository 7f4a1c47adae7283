//! The alert evaluator's thread (issue 17): the writer hands it each committed batch through a
//! bounded channel and never waits on it (`try_send`; a full channel drops the batch, which
//! the thread then reads back from the log). The thread feeds the pure
//! [`Evaluator`](crate::alerts::Evaluator), stores what it raises or disposes together with
//! its progress (one transaction), then tells the open pages (a broadcast, for server-sent
//! events) and the webhook queue.
//!
//! On start — and after a failed store — it rebuilds the evaluator's state by replaying the
//! log up to the stored progress (nothing is stored again), then evaluates what follows: the
//! alerts of entries committed while the service was down are raised on restart. Every second
//! without news it also reads the log past its progress, which catches the entries of other
//! instances on the same database and batches it dropped. Storing is idempotent (an alert
//! already there is kept, progress never goes back), so several instances may evaluate the
//! same entries.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::time::{Duration, Instant};

use tokio::sync::{broadcast, watch};

use super::store::{AlertFilter, Filter, Store, StoreError};
use super::{Row, StorageConfig};
use crate::alerts::{self, Alert, AlertFault, Effect, Evaluator, Event};

/// Batches waiting for the evaluator; beyond, a batch is dropped and read back from the log.
const FEED: usize = 256;
/// Rows read from the log at a time when replaying or catching up.
const PAGE: i64 = 1000;

/// A handle to the evaluator thread; shared by the app.
pub struct Alerting {
    feed: SyncSender<Vec<Arc<Row>>>,
    raised: broadcast::Sender<Alert>,
    progress: watch::Receiver<i64>,
    /// This instance evaluates (not `serve --no-alerts`).
    evaluates: bool,
}

/// Where the thread's news goes.
struct Outlets {
    raised: broadcast::Sender<Alert>,
    progress: watch::Sender<i64>,
    webhook: Option<super::webhook::Webhook>,
}

impl Alerting {
    /// Starts the evaluator thread on its own connection to the log.
    pub fn start(storage: &StorageConfig, webhook: Option<super::webhook::Webhook>) -> Alerting {
        let (feed, rx) = sync_channel(FEED);
        let (raised, _) = broadcast::channel(256);
        let (progress_tx, progress) = watch::channel(0);
        let outlets = Outlets {
            raised: raised.clone(),
            progress: progress_tx,
            webhook,
        };
        let cfg = storage.clone();
        std::thread::Builder::new()
            .name("alert-evaluator".into())
            .spawn(move || run(&cfg, &rx, &outlets))
            .expect("spawn the alert evaluator");
        Alerting {
            feed,
            raised,
            progress,
            evaluates: true,
        }
    }

    /// The last entry evaluated whose alerts are all stored (0 on an instance that does not
    /// evaluate).
    pub fn evaluated_through(&self) -> i64 {
        *self.progress.borrow()
    }

    /// Whether this instance evaluates the alerts.
    pub fn evaluates(&self) -> bool {
        self.evaluates
    }

    /// No evaluator (`serve --no-alerts`): nothing is evaluated here, nobody is told.
    pub fn idle() -> Alerting {
        let (feed, _) = sync_channel(1);
        let (raised, _) = broadcast::channel(1);
        let (_, progress) = watch::channel(0);
        Alerting {
            feed,
            raised,
            progress,
            evaluates: false,
        }
    }

    /// What the writer sends committed rows through.
    pub fn feed(&self) -> AlertFeed {
        AlertFeed(self.feed.clone())
    }

    /// New alerts as they are stored (a receiver that falls behind misses the oldest).
    pub fn subscribe(&self) -> broadcast::Receiver<Alert> {
        self.raised.subscribe()
    }

    /// Waits (at most `limit`) until the entry `seq` has been evaluated and what it raised or
    /// disposed is stored; whether it was.
    pub async fn evaluated(&self, seq: i64, limit: Duration) -> bool {
        let mut rx = self.progress.clone();
        actix_web::rt::time::timeout(limit, rx.wait_for(|p| *p >= seq))
            .await
            .is_ok_and(|r| r.is_ok())
    }
}

/// The writer's end of the channel: never blocks.
#[derive(Clone)]
pub struct AlertFeed(SyncSender<Vec<Arc<Row>>>);

impl AlertFeed {
    pub fn send(&self, rows: Vec<Arc<Row>>) {
        match self.0.try_send(rows) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {}
            Err(TrySendError::Full(_)) => {
                tracing::debug!("alert evaluator busy: batch left for it to read back")
            }
        }
    }
}

/// The evaluator, the last entry it has taken in, what it found since it last stored, and the
/// progress last stored.
struct State {
    ev: Evaluator,
    done: i64,
    pending: Vec<Effect>,
    stored: i64,
    stored_at: Instant,
}

/// What the evaluator found is stored in one write transaction beside the writer's at most
/// every [`STORE_EVERY`] (sooner with [`STORE_EFFECTS`] waiting; at once when the log goes
/// quiet), the bare progress at most every [`PROGRESS_EVERY`]: under a flood of alerts the
/// evaluator never contends with the writer batch by batch. Effects are stored with the
/// progress up to them, so no stored alert lies past the stored progress (`verify_alerts`
/// relies on it), and only then told to the pages and the webhook. After a restart, entries
/// past the stored progress are evaluated again: what they raise is stored once (idempotent).
const STORE_EVERY: Duration = Duration::from_millis(200);
const STORE_EFFECTS: usize = 2000;
const PROGRESS_EVERY: Duration = Duration::from_secs(2);
/// How long the thread waits for news with effects pending (then stores them).
const QUIET: Duration = Duration::from_millis(50);

fn run(cfg: &StorageConfig, rx: &Receiver<Vec<Arc<Row>>>, out: &Outlets) {
    let mut store = loop {
        match cfg.open() {
            Ok(s) => break s,
            Err(e) => {
                tracing::error!("alert evaluator: cannot open the log: {e}");
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    };
    let mut state = None;
    loop {
        let s = match state.as_mut() {
            Some(s) => s,
            // Then what was logged while no evaluator ran, at once.
            None => match rebuild(store.as_mut())
                .and_then(|mut s| catch_up(store.as_mut(), &mut s, out).map(|()| s))
            {
                Ok(s) => state.insert(s),
                Err(e) => {
                    tracing::error!("alert evaluator: cannot replay the log: {e}");
                    std::thread::sleep(Duration::from_secs(1));
                    continue;
                }
            },
        };
        let wait = if s.pending.is_empty() {
            Duration::from_secs(1)
        } else {
            QUIET
        };
        let step = match rx.recv_timeout(wait) {
            Ok(rows) if rows.first().is_some_and(|r| r.seq == s.done + 1) => {
                evaluate(s, rows.iter().map(|r| &**r));
                flush(store.as_mut(), s, out, false)
            }
            // A gap (a dropped batch, another instance's entries) or a quiet moment: read the
            // log past the progress.
            Ok(_) | Err(RecvTimeoutError::Timeout) => catch_up(store.as_mut(), s, out),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if let Err(e) = step {
            tracing::error!("alert evaluator: {e}; replaying the log");
            state = None;
            if let Ok(fresh) = cfg.open() {
                store = fresh;
            }
        }
    }
}

/// The evaluator's state as of the stored progress, from the log (nothing stored).
fn rebuild(store: &mut dyn Store) -> Result<State, StoreError> {
    let through = store.alert_progress()?;
    let mut s = State {
        ev: Evaluator::default(),
        done: 0,
        pending: Vec::new(),
        stored: through,
        stored_at: Instant::now(),
    };
    while s.done < through {
        let rows = store.rows(&Filter::default(), s.done, PAGE.min(through - s.done))?;
        let Some(last) = rows.last() else { break };
        s.done = last.seq;
        for r in &rows {
            s.ev.feed(&Event::of(r));
        }
    }
    Ok(s)
}

/// Evaluates what the log holds past the progress, then stores everything found.
fn catch_up(store: &mut dyn Store, s: &mut State, out: &Outlets) -> Result<(), StoreError> {
    loop {
        let rows = store.rows(&Filter::default(), s.done, PAGE)?;
        if rows.is_empty() {
            return flush(store, s, out, true);
        }
        evaluate(s, &rows);
        flush(store, s, out, false)?;
    }
}

/// Feeds rows following the progress to the evaluator; what they raise or dispose waits in
/// `pending`.
fn evaluate<'a>(s: &mut State, rows: impl IntoIterator<Item = &'a Row>) {
    for r in rows {
        if r.seq > s.done {
            s.pending.extend(s.ev.feed(&Event::of(r)));
            s.done = r.seq;
        }
    }
}

/// Stores what is pending with the progress, when due (or, with `quiet`, whatever has not
/// been stored), then passes the news on.
fn flush(
    store: &mut dyn Store,
    s: &mut State,
    out: &Outlets,
    quiet: bool,
) -> Result<(), StoreError> {
    let since = s.stored_at.elapsed();
    let due = if s.pending.is_empty() {
        s.stored < s.done && (quiet || since >= PROGRESS_EVERY)
    } else {
        quiet || since >= STORE_EVERY || s.pending.len() >= STORE_EFFECTS
    };
    if !due {
        if s.pending.is_empty() {
            // Nothing waits to be seen: what is evaluated is what the store shows.
            let _ = out.progress.send(s.done);
        }
        return Ok(());
    }
    let before = store.apply_alerts(&s.pending, s.done)?;
    (s.stored, s.stored_at) = (s.done, Instant::now());
    let _ = out.progress.send(s.done);
    // Told once: what another instance stored first, it told of.
    let now = chrono::Utc::now();
    let mut past = 0;
    for e in s.pending.drain(..).filter(|e| e.source_seq() > before) {
        if let Effect::Raised(a) = e {
            if !news(&a.raised_at, now) {
                past += 1;
                continue;
            }
            if let Some(w) = &out.webhook {
                w.send(&a);
            }
            let _ = out.raised.send(*a);
        }
    }
    if past > 0 {
        tracing::info!(
            "alerts: {past} raised by entries logged over {} hours ago stored and listed, not pushed",
            PUSH_WITHIN.num_hours()
        );
    }
    Ok(())
}

/// Alerts raised by entries logged longer ago than this are stored and listed but not pushed
/// to the open pages and the webhook: an instance that evaluates a log for the first time (the
/// first start after the upgrade that brought alerts, or after running with `--no-alerts`)
/// would otherwise flood the receiver with the whole past as if it were news.
const PUSH_WITHIN: chrono::Duration = chrono::Duration::hours(24);

/// Whether an alert raised by an entry logged at `raised_at` is news at `now`: logged within
/// [`PUSH_WITHIN`] (an unreadable time counts as news: better told than lost).
fn news(raised_at: &str, now: chrono::DateTime<chrono::Utc>) -> bool {
    chrono::DateTime::parse_from_rfc3339(raised_at)
        .map_or(true, |t| now.signed_duration_since(t) <= PUSH_WITHIN)
}

/// `log verify`: the stored alerts against those the log calls for, up to the evaluator's
/// progress (entries past it are not evaluated yet: their alerts are not expected, and a
/// stored one is an addition). The number of alerts, or the first disagreement.
pub fn verify_alerts(
    store: &mut dyn Store,
) -> Result<Result<(usize, i64), AlertFault>, StoreError> {
    let through = store.alert_progress()?;
    // Page by page, as `alerts::recompute` does over a whole list, without holding the log.
    let (mut ev, mut expected, mut after) = (Evaluator::default(), BTreeMap::new(), 0);
    while after < through {
        let page = store.rows(&Filter::default(), after, PAGE.min(through - after))?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for r in &page {
            for e in ev.feed(&Event::of(r)) {
                alerts::apply(&mut expected, e);
            }
        }
    }
    let mut stored = BTreeMap::new();
    let mut offset = 0;
    loop {
        let (_, page) = store.alerts(&AlertFilter::default(), offset, 1000)?;
        if page.is_empty() {
            break;
        }
        offset += page.len() as i64;
        // What a running evaluator stored after the progress was read is not compared: the
        // alerts of later entries, the dispositions logged later.
        for mut a in page.into_iter().filter(|a| a.seq <= through) {
            let later = a.disposition.as_ref().is_some_and(|d| {
                super::store::receipt_seq(&d.receipt).is_none_or(|seq| seq > through)
            });
            if later {
                a.disposition = None;
            }
            stored.insert(a.id.clone(), a);
        }
    }
    Ok(alerts::compare(&expected, &stored).map(|n| (n, through)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_alerts_on_recent_entries_are_pushed() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-05T12:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert!(news("2026-12-05T11:59:59Z", now));
        assert!(news("2026-12-04T12:00:00Z", now), "24 hours is still news");
        assert!(!news("2026-12-04T11:59:59Z", now));
        assert!(!news("2026-01-01T00:00:00Z", now));
        assert!(news("not a time", now));
    }
}
