//! `serve --alert-webhook URL`: every new alert is POSTed there as JSON (the [`Alert`] as the
//! API shows it), from a thread of its own behind a bounded queue. A calculation never waits
//! on it: the evaluator only `try_send`s (a full queue drops the alert, with a warning — the
//! alert stays stored and listed). A failed delivery (no answer, or not 2xx) is retried with
//! doubling waits (at most 30 s apart) until the receiver takes it, so a receiver that is down
//! for a while (a restart, a deployment) gets every alert, in order, once it is back; after
//! [`ATTEMPTS`] failures it is logged once. Only failures that may pass are retried (no
//! answer, 5xx, 408, 429); an answer that refuses the alert (another 3xx or 4xx: a wrong path,
//! a redirect, a body it rejects) is logged and the next alert goes. Plain `http://` only (ureq
//! without TLS): a receiver outside the host sits behind a local relay.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::Duration;

use crate::alerts::Alert;

/// Alerts waiting for delivery.
const QUEUE: usize = 1000;
/// Failed attempts after which an alert's delivery is reported (and still retried); the waits
/// between attempts double from [`FIRST_WAIT`].
const ATTEMPTS: u32 = 6;
const FIRST_WAIT: Duration = Duration::from_millis(250);
const MAX_WAIT: Duration = Duration::from_secs(30);

pub struct Webhook {
    tx: SyncSender<Alert>,
}

impl Webhook {
    /// Starts the delivery thread.
    pub fn start(url: String) -> Webhook {
        let (tx, rx) = sync_channel(QUEUE);
        std::thread::Builder::new()
            .name("alert-webhook".into())
            .spawn(move || run(&url, &rx))
            .expect("spawn the alert webhook");
        Webhook { tx }
    }

    /// Queues an alert; never blocks.
    pub fn send(&self, a: &Alert) {
        if let Err(TrySendError::Full(a)) = self.tx.try_send(a.clone()) {
            tracing::warn!("alert webhook queue full: alert {} not delivered", a.id);
        }
    }
}

/// The wait after `n` failed attempts (from 1): 250 ms, 500 ms, 1 s, … at most 30 s.
pub fn backoff(n: u32) -> Duration {
    (FIRST_WAIT * 2u32.saturating_pow(n.saturating_sub(1))).min(MAX_WAIT)
}

fn run(url: &str, rx: &Receiver<Alert>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(5)))
        // A receiver cannot bounce the alerts on to another (internal) address.
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    for alert in rx {
        let body = serde_json::to_vec(&alert).expect("alerts encode");
        let mut failed = 0;
        loop {
            match deliver(&agent, url, &body) {
                Delivery::Taken if failed >= ATTEMPTS => {
                    tracing::info!(
                        "alert webhook: the receiver is back; alert {} delivered",
                        alert.id
                    );
                    break;
                }
                Delivery::Taken => break,
                Delivery::Refused(status) => {
                    // Retrying cannot help (a wrong path, a redirect, a body it rejects); the
                    // alerts behind this one must not wait on it.
                    tracing::error!(
                        "alert webhook: alert {} refused with HTTP {status}; not retried",
                        alert.id
                    );
                    break;
                }
                Delivery::Failed => failed += 1,
            }
            if failed == ATTEMPTS {
                tracing::error!(
                    "alert webhook: alert {} not delivered after {ATTEMPTS} attempts; retrying, at most {} s apart, until the receiver takes it",
                    alert.id,
                    MAX_WAIT.as_secs()
                );
            }
            std::thread::sleep(backoff(failed));
        }
    }
}

/// What came of one POST.
#[derive(Debug, PartialEq, Eq)]
enum Delivery {
    /// 2xx.
    Taken,
    /// An answer that says the receiver will not take it (other 3xx and 4xx).
    Refused(u16),
    /// No answer, or one that says "later": 5xx, 408 Request Timeout, 429 Too Many Requests.
    Failed,
}

fn deliver(agent: &ureq::Agent, url: &str, body: &[u8]) -> Delivery {
    let sent = agent
        .post(url)
        .header("content-type", "application/json")
        .send(body);
    match sent {
        Ok(r) => delivery(r.status().as_u16()),
        Err(_) => Delivery::Failed,
    }
}

/// The answer's status read as a [`Delivery`].
fn delivery(status: u16) -> Delivery {
    match status {
        200..=299 => Delivery::Taken,
        408 | 429 | 500..=599 => Delivery::Failed,
        s => Delivery::Refused(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_answer_that_says_later_is_retried() {
        assert_eq!(delivery(204), Delivery::Taken);
        for later in [500, 503, 408, 429] {
            assert_eq!(delivery(later), Delivery::Failed);
        }
        for refused in [301, 400, 404, 413, 422] {
            assert_eq!(delivery(refused), Delivery::Refused(refused));
        }
    }

    #[test]
    fn the_waits_double_and_are_capped() {
        assert_eq!(backoff(1), Duration::from_millis(250));
        assert_eq!(backoff(2), Duration::from_millis(500));
        assert_eq!(backoff(4), Duration::from_secs(2));
        assert_eq!(backoff(20), Duration::from_secs(30));
    }
}
