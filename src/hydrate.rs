//! Hydration: fetch every chat the index is waiting on, with bounded concurrency.
//!
//! A 404 flags the chat gone (kept, not deleted); any other failure schedules another try with
//! backoff, longer for a refused token so a wrong token does not become a storm of requests.
//! Nothing is ever dropped: a chat waits in the index until a fetch succeeds.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, broadcast, watch};
use tokio::task::JoinSet;

use crate::api::wegly::WeglyClient;
use crate::api::{ApiError, ErrorKind};
use crate::store::{ChatKey, Columns, Store, StoreError};
use crate::webhook::InboxEvent;

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
/// How often stale chats are looked for.
const STALE_CHECK_INTERVAL: Duration = Duration::from_secs(30);
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

/// Fetches waiting chats for a set of Wegly accounts.
pub struct Hydrator {
    store: Arc<Store>,
    clients: HashMap<String, WeglyClient>,
    settings: HydrationSettings,
    wake: Arc<Notify>,
    events: broadcast::Sender<InboxEvent>,
}

impl Hydrator {
    /// A hydrator over `clients` (account name to client).
    pub fn new(
        store: Arc<Store>,
        clients: HashMap<String, WeglyClient>,
        settings: HydrationSettings,
        wake: Arc<Notify>,
        events: broadcast::Sender<InboxEvent>,
    ) -> Self {
        Self {
            store,
            clients,
            settings,
            wake,
            events,
        }
    }

    /// Runs until `shutdown` turns true, then waits a little for fetches in flight.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let accounts: Vec<String> = self.clients.keys().cloned().collect();
        let concurrency = self.settings.concurrency.max(1);
        let mut in_flight: HashSet<ChatKey> = HashSet::new();
        let mut tasks: JoinSet<ChatKey> = JoinSet::new();
        let mut stale_check = tokio::time::interval(STALE_CHECK_INTERVAL);
        loop {
            if *shutdown.borrow() {
                break;
            }
            let free = concurrency.saturating_sub(in_flight.len());
            let due = if free == 0 {
                Vec::new()
            } else {
                let store = self.store.clone();
                let accounts = accounts.clone();
                let wanted = free + in_flight.len();
                tokio::task::spawn_blocking(move || {
                    store.due_for_hydration(&accounts, Utc::now(), wanted)
                })
                .await
                .unwrap_or_else(|error| {
                    Err(StoreError::Sqlite {
                        path: std::path::PathBuf::default(),
                        detail: error.to_string(),
                    })
                })
                .unwrap_or_else(|error| {
                    tracing::error!(%error, "cannot read chats to fetch");
                    Vec::new()
                })
            };
            let fresh: Vec<ChatKey> = due
                .into_iter()
                .filter(|key| !in_flight.contains(key))
                .take(free)
                .collect();
            for key in fresh {
                let Some(client) = self.clients.get(&key.account).cloned() else {
                    continue;
                };
                in_flight.insert(key.clone());
                let store = self.store.clone();
                let events = self.events.clone();
                tasks.spawn(async move {
                    let outcome = hydrate_one(&store, &client, &key).await;
                    let event = match outcome {
                        Fetch::Hydrated => Some(InboxEvent::ChatHydrated(key.clone())),
                        Fetch::Gone => Some(InboxEvent::ChatGone(key.clone())),
                        Fetch::Failed(_) => None,
                    };
                    if let Some(event) = event {
                        let _ = events.send(event);
                    }
                    key
                });
            }
            let next_retry = if in_flight.len() < concurrency {
                self.next_retry().await
            } else {
                None
            };
            let sleep_for = next_retry.map_or(STALE_CHECK_INTERVAL, |at| {
                (at - Utc::now())
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    .max(Duration::from_millis(20))
            });
            tokio::select! {
                Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                    if let Ok(key) = done {
                        in_flight.remove(&key);
                    }
                }
                () = self.wake.notified() => {}
                () = tokio::time::sleep(sleep_for) => {}
                _ = stale_check.tick() => self.mark_stale().await,
                _ = shutdown.changed() => {}
            }
        }
        let _ = tokio::time::timeout(DRAIN_TIMEOUT, async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
    }

    async fn next_retry(&self) -> Option<DateTime<Utc>> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.next_retry_at().ok().flatten())
            .await
            .ok()
            .flatten()
    }

    async fn mark_stale(&self) {
        let Ok(age) = chrono::Duration::from_std(self.settings.stale_after) else {
            return;
        };
        let store = self.store.clone();
        let marked = tokio::task::spawn_blocking(move || store.mark_stale(Utc::now() - age)).await;
        if let Ok(Ok(count)) = marked
            && count > 0
        {
            tracing::debug!(count, "stale chats queued for a fetch");
        }
    }
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
