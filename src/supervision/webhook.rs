//! `serve --alert-webhook URL`: every new alert is POSTed there as JSON (the [`Alert`] as the
//! API shows it), from a thread of its own behind a bounded queue. A calculation never waits
//! on it: the evaluator only `try_send`s (a full queue drops the alert, with a warning — the
//! alert stays stored and listed). A failed delivery (no answer, or not 2xx) is retried with
//! doubling waits (at most 30 s apart) until the receiver takes it, so a receiver that is down
//! for a while (a restart, a deployment) gets every alert, in order, once it is back; after
//! [`ATTEMPTS`] failures it is logged once. Plain `http://` only (ureq without TLS): a receiver
//! outside the host sits behind a local relay.

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
        while !deliver(&agent, url, &body) {
            failed += 1;
            if failed == ATTEMPTS {
                tracing::error!(
                    "alert webhook: alert {} not delivered after {ATTEMPTS} attempts; retrying every {} s until the receiver takes it",
                    alert.id,
                    MAX_WAIT.as_secs()
                );
            }
            std::thread::sleep(backoff(failed));
        }
    }
}

/// One POST; whether the receiver took it (2xx).
fn deliver(agent: &ureq::Agent, url: &str, body: &[u8]) -> bool {
    let sent = agent
        .post(url)
        .header("content-type", "application/json")
        .send(body);
    matches!(sent, Ok(r) if r.status().is_success())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_waits_double_and_are_capped() {
        assert_eq!(backoff(1), Duration::from_millis(250));
        assert_eq!(backoff(2), Duration::from_millis(500));
        assert_eq!(backoff(4), Duration::from_secs(2));
        assert_eq!(backoff(20), Duration::from_secs(30));
    }
}
