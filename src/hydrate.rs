//! Hydration: fetch every chat the index is waiting on, through the API actor, with bounded
//! concurrency.
//!
//! A 404 flags the chat gone (kept, not deleted); any other failure schedules another try with
//! backoff, longer for a refused token so a wrong token does not become a storm of requests.
//! Nothing is ever dropped: a chat waits in the index until a fetch succeeds.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Notify, mpsc, watch};

use crate::api::actor::{ApiCall, ApiHandle, ApiReply, ApiRequest, RequestId};
use crate::api::wegly::WeglyClient;
use crate::api::{ApiError, ErrorKind};
use crate::store::{ChatKey, ChatSummary, Columns, Store};

/// Fetches in flight at once, by default.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// A detail older than this is fetched again, by default.
pub const DEFAULT_STALE_AFTER: Duration = Duration::from_secs(15 * 60);
/// First wait after a failed fetch; doubles per failure up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(2);
/// Longest wait between tries of one chat.
const MAX_BACKOFF: Duration = Duration::from_secs(5 * 60);
/// Shortest wait after the token was refused.
const UNAUTHORIZED_BACKOFF: Duration = Duration::from_secs(60);
/// How long shutdown waits for fetches in flight.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// How the hydrator behaves.
#[derive(Debug, Clone, Copy)]
pub struct HydrationSettings {
    /// Fetches in flight at once.
    pub concurrency: usize,
    /// Age after which a detail is fetched again.
    pub stale_after: Duration,
}

impl Default for HydrationSettings {
    fn default() -> Self {
        Self {
            concurrency: DEFAULT_CONCURRENCY,
            stale_after: DEFAULT_STALE_AFTER,
        }
    }
}

/// What one fetch ended in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    /// Stored.
    Hydrated,
    /// 404: flagged gone.
    Gone,
    /// Failed; another try is scheduled.
    Failed(String),
}

/// Ids of background fetches start here, far from the console's own.
const FIRST_ID: u64 = 1 << 62;
/// How often to look for stale chats and retries when nothing else wakes the scheduler.
const IDLE_CHECK: Duration = Duration::from_secs(30);

/// Runs the fetching of waiting chats until `shutdown` turns true: due chats go to the API actor,
/// at most `settings.concurrency` at a time, and each row that changed is sent to `rows`. The
/// console uses a low concurrency so the user's own requests keep room under the actor's cap;
/// `balcao listen` gives it the whole cap. On shutdown it waits a little for fetches in flight.
pub fn spawn_scheduler(
    store: Arc<Store>,
    api: ApiHandle,
    accounts: Vec<String>,
    settings: HydrationSettings,
    wake: Arc<Notify>,
    rows: mpsc::Sender<ChatSummary>,
    mut shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let concurrency = settings.concurrency.max(1);
        let stale_after =
            chrono::Duration::from_std(settings.stale_after).unwrap_or(chrono::Duration::MAX);
        let (replies, mut answers) = mpsc::channel(64);
        let mut in_flight: HashSet<(RequestId, ChatKey)> = HashSet::new();
        let mut next = FIRST_ID;
        let mut stale_check = tokio::time::interval(IDLE_CHECK.min(settings.stale_after));
        loop {
            if in_flight.len() < concurrency {
                let store_due = store.clone();
                let wanted = accounts.clone();
                let room = concurrency + in_flight.len();
                let due = tokio::task::spawn_blocking(move || {
                    store_due.due_for_hydration(&wanted, Utc::now(), room)
                })
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or_default();
                for key in due {
                    if in_flight.len() >= concurrency || in_flight.iter().any(|(_, k)| *k == key) {
                        continue;
                    }
                    let id = RequestId(next);
                    next += 1;
                    let request = ApiRequest {
                        id,
                        call: ApiCall::Hydrate(key.clone()),
                    };
                    if api.request(request, &replies).is_err() {
                        break;
                    }
                    in_flight.insert((id, key));
                }
            }
            let retry = {
                let store = store.clone();
                tokio::task::spawn_blocking(move || store.next_retry_at().ok().flatten())
                    .await
                    .ok()
                    .flatten()
            };
            let sleep_for = retry.map_or(IDLE_CHECK, |at| {
                (at - Utc::now())
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    .max(Duration::from_millis(50))
            });
            tokio::select! {
                Some(answer) = answers.recv() => {
                    in_flight.retain(|(id, _)| *id != answer.id);
                    let summary = match answer.outcome {
                        Ok(ApiReply::Chat(fresh)) => fresh.summary,
                        Ok(ApiReply::Gone(_, summary)) => summary,
                        _ => None,
                    };
                    if let Some(summary) = summary {
                        let _ = rows.send(summary).await;
                    }
                }
                () = wake.notified() => {}
                () = tokio::time::sleep(sleep_for) => {}
                _ = stale_check.tick() => {
                    let store = store.clone();
                    let _ = tokio::task::spawn_blocking(move || store.mark_stale(Utc::now() - stale_after)).await;
                }
                _ = shutdown.changed() => break,
            }
        }
        let drain = async {
            while !in_flight.is_empty() {
                let Some(answer) = answers.recv().await else {
                    break;
                };
                in_flight.retain(|(id, _)| *id != answer.id);
            }
        };
        let _ = tokio::time::timeout(DRAIN_TIMEOUT, drain).await;
    })
}

/// Fetches one chat and records the outcome in the index.
pub async fn hydrate_one(store: &Arc<Store>, client: &WeglyClient, key: &ChatKey) -> Fetch {
    let Ok(id) = uuid::Uuid::parse_str(&key.chat_id) else {
        let reason = format!("'{}' is not a Wegly chat id", key.chat_id);
        schedule_retry(store, key, &reason, None).await;
        return Fetch::Failed(reason);
    };
    let result = client.get_chat(id).await;
    let store = store.clone();
    let key = key.clone();
    match result {
        Ok(fetched) => {
            let raw = String::from_utf8_lossy(&fetched.raw).into_owned();
            let columns = Columns::from_chat(&fetched.value);
            let saved = {
                let store = store.clone();
                let key = key.clone();
                tokio::task::spawn_blocking(move || {
                    store.save_detail(&key, &raw, &columns, Utc::now())
                })
                .await
            };
            match saved {
                Ok(Ok(())) => Fetch::Hydrated,
                Ok(Err(error)) => {
                    let reason = error.to_string();
                    schedule_retry(&store, &key, &reason, None).await;
                    Fetch::Failed(reason)
                }
                Err(error) => Fetch::Failed(error.to_string()),
            }
        }
        Err(error) if error.kind() == ErrorKind::NotFound => {
            let marked =
                tokio::task::spawn_blocking(move || store.mark_gone(&key, Utc::now())).await;
            match marked {
                Ok(Ok(())) => Fetch::Gone,
                Ok(Err(error)) => Fetch::Failed(error.to_string()),
                Err(error) => Fetch::Failed(error.to_string()),
            }
        }
        Err(error) => {
            let reason = error.to_string();
            schedule_retry(&store, &key, &reason, Some(&error)).await;
            Fetch::Failed(reason)
        }
    }
}

async fn schedule_retry(store: &Arc<Store>, key: &ChatKey, reason: &str, error: Option<&ApiError>) {
    let store = store.clone();
    let key = key.clone();
    let reason = reason.to_owned();
    let floor = match error {
        Some(ApiError::Unauthorized(_) | ApiError::Forbidden(_)) => UNAUTHORIZED_BACKOFF,
        Some(ApiError::RateLimited {
            retry_after: Some(after),
            ..
        }) => *after,
        _ => Duration::ZERO,
    };
    let result = tokio::task::spawn_blocking(move || {
        let attempts = store.attempts(&key)?;
        let wait = backoff(attempts).max(floor);
        let retry_at = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
        store.hydration_failed(&key, &reason, retry_at)
    })
    .await;
    if let Ok(Err(error)) = result {
        tracing::error!(%error, "cannot record a failed fetch");
    }
}

/// The wait after `attempts` earlier failures: 2 s, 4 s, 8 s ... up to five minutes, with jitter.
pub fn backoff(attempts: i64) -> Duration {
    let exponent = u32::try_from(attempts.clamp(0, 16)).unwrap_or(16);
    let wait = FIRST_BACKOFF
        .saturating_mul(2_u32.saturating_pow(exponent))
        .min(MAX_BACKOFF);
    wait + Duration::from_millis(fastrand::u64(0..500))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(0) >= FIRST_BACKOFF && backoff(0) < FIRST_BACKOFF + Duration::from_secs(1));
        assert!(backoff(3) >= Duration::from_secs(16));
        assert!(backoff(40) <= MAX_BACKOFF + Duration::from_secs(1));
    }
}
