//! Group commit: one writer thread owns the write connection; concurrent requests queue their
//! entries, the thread takes every entry waiting (up to a batch limit), appends them in one
//! transaction (one fsync) and only then answers each request. Nothing is acknowledged before
//! it is durable, and durability costs one fsync per batch, not per request.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::alerting::AlertFeed;
use super::store::{Store, StoreError};
use super::{NewEntry, PreparedEntry, Row, StorageConfig};

const MAX_BATCH: usize = 512;
const QUEUE: usize = 8192;

struct Job {
    entry: PreparedEntry,
    reply: oneshot::Sender<Result<Arc<Row>, String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("the log queue is full")]
    Busy,
    #[error("the log could not be written: {0}")]
    Failed(String),
}

/// A handle to the writer thread; cheap to clone.
#[derive(Clone)]
pub struct LogWriter {
    tx: SyncSender<Job>,
}

impl LogWriter {
    /// Starts the writer thread on a (migrated) store.
    pub fn start(store: Box<dyn Store>) -> LogWriter {
        Self::start_reopening(store, None, None)
    }

    /// Starts the writer; with `reopen`, a connection found damaged is replaced by a new one;
    /// with `feed`, every committed batch goes to the alert evaluator after it is answered.
    fn start_reopening(
        store: Box<dyn Store>,
        reopen: Option<Reopen>,
        feed: Option<AlertFeed>,
    ) -> LogWriter {
        let (tx, rx) = sync_channel(QUEUE);
        std::thread::Builder::new()
            .name("log-writer".into())
            .spawn(move || run(store, rx, reopen, feed))
            .expect("spawn the log writer");
        LogWriter { tx }
    }

    /// Opens the log (migrating it) and starts its writer.
    pub fn open(storage: &StorageConfig) -> Result<LogWriter, StoreError> {
        Self::open_feeding(storage, None)
    }

    /// As [`LogWriter::open`], handing each committed batch to the alert evaluator (without
    /// ever waiting on it).
    pub fn open_feeding(
        storage: &StorageConfig,
        feed: Option<AlertFeed>,
    ) -> Result<LogWriter, StoreError> {
        let cfg = storage.clone();
        let reopen: Reopen = Box::new(move || cfg.open());
        Ok(LogWriter::start_reopening(
            storage.open_migrated()?,
            Some(reopen),
            feed,
        ))
    }

    /// Queues one entry for the writer; the [`Committed`] resolves once it is durable. The
    /// entry is encoded here, on the caller's thread, so that the single writer thread only
    /// hashes and inserts. Entries queued together before anyone waits share one commit.
    pub fn submit(&self, entry: NewEntry) -> Result<Committed, LogError> {
        let (reply, answer) = oneshot::channel();
        match self.tx.try_send(Job {
            entry: entry.prepare(),
            reply,
        }) {
            Ok(()) => Ok(Committed(answer)),
            Err(TrySendError::Full(_)) => Err(LogError::Busy),
            Err(TrySendError::Disconnected(_)) => Err(stopped()),
        }
    }

    /// Appends one entry; resolves once it is committed.
    pub async fn append(&self, entry: NewEntry) -> Result<Arc<Row>, LogError> {
        self.submit(entry)?.wait().await
    }
}

fn stopped() -> LogError {
    LogError::Failed("the log writer stopped".into())
}

/// An entry in the writer's queue: wait for its row (async, or blocking from a plain thread).
/// The row is shared with the alert evaluator, which reads the same committed rows (no copy).
pub struct Committed(oneshot::Receiver<Result<Arc<Row>, String>>);

impl Committed {
    pub async fn wait(self) -> Result<Arc<Row>, LogError> {
        self.0
            .await
            .map_err(|_| stopped())?
            .map_err(LogError::Failed)
    }

    /// For the command line, which has no async runtime.
    pub fn wait_blocking(self) -> Result<Arc<Row>, LogError> {
        self.0
            .blocking_recv()
            .map_err(|_| stopped())?
            .map_err(LogError::Failed)
    }
}

type Reopen = Box<dyn Fn() -> Result<Box<dyn Store>, StoreError> + Send>;

fn run(
    mut store: Box<dyn Store>,
    rx: Receiver<Job>,
    reopen: Option<Reopen>,
    feed: Option<AlertFeed>,
) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let (entries, replies): (Vec<PreparedEntry>, Vec<_>) =
            jobs.into_iter().map(|j| (j.entry, j.reply)).unzip();
        match store.append(&entries) {
            Ok(stored) => {
                let stored: Vec<Arc<Row>> = stored.into_iter().map(Arc::new).collect();
                let shared = feed.as_ref().map(|_| stored.clone());
                for (reply, row) in replies.into_iter().zip(stored) {
                    let _ = reply.send(Ok(row));
                }
                if let (Some(feed), Some(rows)) = (&feed, shared) {
                    feed.send(rows);
                }
            }
            Err(e) => {
                tracing::error!("log append failed: {e}");
                for reply in replies {
                    let _ = reply.send(Err(e.to_string()));
                }
                // A damaged connection is put right and replaced; the next batch uses the new one.
                if store.healthy().is_err() {
                    if let Err(e) = store.recover() {
                        tracing::error!("log storage cannot be put right: {e}");
                    }
                    if let Some(Ok(fresh)) = reopen.as_ref().map(|r| r()) {
                        store = fresh;
                    }
                }
            }
        }
    }
}

/// Opens read connections on demand and keeps a few for reuse.
pub struct ReadPool {
    open: Box<dyn Fn() -> Result<Box<dyn Store>, StoreError> + Send + Sync>,
    idle: Mutex<Vec<Box<dyn Store>>>,
}

impl ReadPool {
    pub fn new(
        open: impl Fn() -> Result<Box<dyn Store>, StoreError> + Send + Sync + 'static,
    ) -> Arc<ReadPool> {
        Arc::new(ReadPool {
            open: Box::new(open),
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Runs `f` on a connection (blocking: call from a blocking context).
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut dyn Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let taken = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut store = match taken {
            Some(s) => s,
            None => (self.open)()?,
        };
        let result = store.healthy().and_then(|()| f(store.as_mut()));
        // A connection that failed may be broken: drop it rather than reuse it.
        if result.is_ok() {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < 8 {
                idle.push(store);
            }
        }
        result
    }
}
