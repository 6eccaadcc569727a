//! Outbound webhooks: signed Wegly events, each retried with backoff until delivered or until
//! [`RETRY_WINDOW`] has passed, so a receiver that starts later still gets everything.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::{Semaphore, watch};

use crate::api::wegly::wire::WebhookEnvelope;
use crate::webhook::signature::{EVENT_HEADER, SIGNATURE_HEADER, sign_hex};

/// How long one event keeps being retried.
pub const RETRY_WINDOW: Duration = Duration::from_secs(180);
/// First wait after a failed delivery; doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
/// Longest wait between two tries of one event.
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// Deliveries in flight at once.
const MAX_CONCURRENT_DELIVERIES: usize = 16;
/// Limit for one delivery attempt.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// A customer's message arrived.
pub const MESSAGE_RECEIVED: &str = "chat.message_received";
/// The company sent a message.
pub const MESSAGE_SENT: &str = "chat.message_sent";
/// Agilize's room event.
pub const ROOM_PATCH: &str = "messenger/chat/room/patch";
/// The header naming an Agilize event (Agilize documents none; the sandbox sends this one).
pub const AGILIZE_EVENT_HEADER: &str = "x-agilize-event";

/// Delivery counters, for `GET /_sandbox/webhooks` and tests.
#[derive(Debug, Default)]
pub struct DeliveryStats {
    queued: AtomicU64,
    delivered: AtomicU64,
    failed_attempts: AtomicU64,
    abandoned: AtomicU64,
}

/// A snapshot of [`DeliveryStats`].
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct DeliveryCounts {
    /// Events handed to the sender.
    pub queued: u64,
    /// Events the receiver accepted (2xx).
    pub delivered: u64,
    /// Attempts that failed (refused or unreachable) and were retried.
    pub failed_attempts: u64,
    /// Events given up after the retry window.
    pub abandoned: u64,
}

impl DeliveryStats {
    /// Current counts.
    pub fn counts(&self) -> DeliveryCounts {
        DeliveryCounts {
            queued: self.queued.load(Ordering::Relaxed),
            delivered: self.delivered.load(Ordering::Relaxed),
            failed_attempts: self.failed_attempts.load(Ordering::Relaxed),
            abandoned: self.abandoned.load(Ordering::Relaxed),
        }
    }
}

/// A webhook URL fit for a log: Agilize's path carries the receiver's secret
/// (`/webhooks/agilize/{secret}`), which becomes `***`, as do a query string and credentials.
pub fn redact(url: &str) -> String {
    let Ok(mut parsed) = reqwest::Url::parse(url) else {
        return "***".to_owned();
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        // Credentials in a webhook URL: nothing of it is fit for a log.
        return "***".to_owned();
    }
    if parsed.query().is_some() {
        parsed.set_query(Some("***"));
    }
    let segments: Vec<String> = parsed
        .path_segments()
        .map(|segments| segments.map(str::to_owned).collect())
        .unwrap_or_default();
    if let Some(at) = segments.iter().position(|segment| segment == "agilize")
        && at + 1 < segments.len()
    {
        let mut kept: Vec<&str> = segments[..=at].iter().map(String::as_str).collect();
        kept.push("***");
        parsed.set_path(&kept.join("/"));
    }
    parsed.to_string()
}

/// Sends signed events to one URL.
#[derive(Clone)]
pub struct WebhookSender {
    url: String,
    secret: Option<SecretString>,
    client: reqwest::Client,
    permits: Arc<Semaphore>,
    stats: Arc<DeliveryStats>,
    shutdown: watch::Receiver<bool>,
}

impl WebhookSender {
    /// A sender for `url`, signing with `secret` (Agilize signs nothing: `None`); stops retrying
    /// when `shutdown` turns true.
    pub fn new(url: String, secret: Option<SecretString>, shutdown: watch::Receiver<bool>) -> Self {
        let client = crate::api::http::client_builder()
            .timeout(ATTEMPT_TIMEOUT)
            .no_proxy()
            .user_agent("wegly-webhooks/1.0")
            .build()
            .unwrap_or_default();
        Self {
            url,
            secret,
            client,
            permits: Arc::new(Semaphore::new(MAX_CONCURRENT_DELIVERIES)),
            stats: Arc::new(DeliveryStats::default()),
            shutdown,
        }
    }

    /// Delivery counters.
    pub fn stats(&self) -> &Arc<DeliveryStats> {
        &self.stats
    }

    /// Queues one event; delivery and retries happen in the background.
    pub fn emit(&self, event_key: &str, payload: Value) {
        let envelope = WebhookEnvelope {
            event_key: event_key.to_owned(),
            payload,
        };
        let Ok(body) = serde_json::to_vec(&envelope) else {
            return;
        };
        let mut headers = vec![(EVENT_HEADER, event_key.to_owned())];
        if let Some(secret) = &self.secret {
            headers.push((
                SIGNATURE_HEADER,
                sign_hex(secret.expose_secret().as_bytes(), &body),
            ));
        }
        self.queue(event_key.to_owned(), body, headers);
    }

    /// Queues an Agilize room event: the body is the room itself, unsigned.
    pub fn emit_room(&self, room: &crate::api::agilize::wire::Room) {
        let Ok(body) = serde_json::to_vec(room) else {
            return;
        };
        let headers = vec![(AGILIZE_EVENT_HEADER, ROOM_PATCH.to_owned())];
        self.queue(ROOM_PATCH.to_owned(), body, headers);
    }

    fn queue(&self, event_key: String, body: Vec<u8>, headers: Vec<(&'static str, String)>) {
        self.stats.queued.fetch_add(1, Ordering::Relaxed);
        let sender = self.clone();
        tokio::spawn(async move { sender.deliver(event_key, body, headers).await });
    }

    async fn deliver(self, event_key: String, body: Vec<u8>, headers: Vec<(&'static str, String)>) {
        let started = Instant::now();
        let mut backoff = FIRST_BACKOFF;
        let mut shutdown = self.shutdown.clone();
        loop {
            if *shutdown.borrow() {
                return;
            }
            let attempt = {
                let Ok(_permit) = self.permits.acquire().await else {
                    return;
                };
                let mut request = self
                    .client
                    .post(&self.url)
                    .header(reqwest::header::CONTENT_TYPE, "application/json");
                for (name, value) in &headers {
                    request = request.header(*name, value);
                }
                request.body(body.clone()).send().await
            };
            match attempt {
                Ok(response) if response.status().is_success() => {
                    self.stats.delivered.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                Ok(response) => {
                    tracing::debug!(url = %redact(&self.url), status = %response.status(), event_key, "webhook refused; will retry");
                }
                Err(error) => {
                    // The error's own text would carry the URL, and with it the secret.
                    let error = error.without_url();
                    tracing::debug!(url = %redact(&self.url), %error, event_key, "webhook not delivered; will retry");
                }
            }
            self.stats.failed_attempts.fetch_add(1, Ordering::Relaxed);
            if started.elapsed() >= RETRY_WINDOW {
                self.stats.abandoned.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(url = %redact(&self.url), event_key, "webhook abandoned after the retry window");
                return;
            }
            tokio::select! {
                () = tokio::time::sleep(backoff) => {}
                _ = shutdown.changed() => return,
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }
}

#[cfg(test)]
mod redact_tests {
    use super::redact;

    #[test]
    fn the_agilize_secret_never_reaches_a_log_line() {
        assert_eq!(
            redact("http://127.0.0.1:8788/webhooks/agilize/s3cr3t"),
            "http://127.0.0.1:8788/webhooks/agilize/***"
        );
        assert_eq!(
            redact("http://h:1/webhooks/agilize/s3cr3t/extra?k=v"),
            "http://h:1/webhooks/agilize/***?***"
        );
        assert_eq!(redact("http://u:p@h:1/webhooks/wegly"), "***");
        assert_ne!(
            redact("http://h:1/webhooks/agilize/s3cr3t"),
            "http://h:1/webhooks/agilize/s3cr3t"
        );
        assert_eq!(redact("http://h/webhooks/wegly"), "http://h/webhooks/wegly");
        assert_eq!(redact("not a url s3cr3t"), "***");
    }
}
