//! The actor's reads: fetch a conversation, store it in the index, and answer with it; a 404
//! flags it gone; a background fetch that fails is scheduled again with backoff.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use crate::api::call::{ActorConfig, ApiReply, Fresh, UnreadTotals};
use crate::api::capability::{Capability, unsupported};
use crate::api::conversation::Conversation;
use crate::api::error::{ApiError, ErrorKind};
use crate::api::providers::supports;
use crate::api::wegly::changes::chat_uuid;
use crate::api::wegly::wire::Chat;
use crate::api::wegly::{Fetched, WeglyClient};
use crate::store::{ChatKey, ChatSummary, Source, Store, StoreError};

/// First wait after a failed background fetch; doubles per failure up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(2);
/// Longest wait between tries of one chat.
const MAX_BACKOFF: Duration = Duration::from_secs(5 * 60);
/// Shortest wait after the token was refused.
const UNAUTHORIZED_BACKOFF: Duration = Duration::from_secs(60);

/// Runs `job` on the index off the async threads; a failure is logged and is `None`.
pub(crate) async fn on_index<T: Send + 'static>(
    store: &Arc<Store>,
    what: &'static str,
    job: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Option<T> {
    let store = store.clone();
    match tokio::task::spawn_blocking(move || job(&store)).await {
        Ok(Ok(value)) => Some(value),
        Ok(Err(error)) => {
            tracing::error!(%error, what, "index operation failed");
            None
        }
        Err(error) => {
            tracing::error!(%error, what, "index task failed");
            None
        }
    }
}

/// Stores a conversation's detail (as the CRM sent it) and returns the row after it.
pub(crate) async fn remember(
    store: &Arc<Store>,
    key: &ChatKey,
    raw: &[u8],
    conversation: Conversation,
) -> Fresh {
    let raw = String::from_utf8_lossy(raw).into_owned();
    let columns = conversation.columns();
    let saved = key.clone();
    let summary = on_index(store, "store a detail", move |store| {
        store.save_detail(&saved, &raw, &columns, Utc::now())?;
        store.summary(&saved)
    })
    .await
    .flatten();
    Fresh {
        key: key.clone(),
        conversation,
        summary,
    }
}

pub(crate) fn wegly<'a>(
    config: &'a ActorConfig,
    key: &ChatKey,
) -> Result<&'a WeglyClient, ApiError> {
    if !supports(key.provider, Capability::Read) {
        return Err(unsupported(key.provider, Capability::Read));
    }
    config.wegly(&key.account)
}

/// What one background fetch ended in.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetch {
    /// Stored: the chat's row as the index now holds it.
    Hydrated(Box<ChatSummary>),
    /// 404: flagged gone.
    Gone,
    /// Failed; another try is scheduled.
    Failed(String),
    /// 429: the CRM asked every client to slow down; another try is scheduled.
    RateLimited {
        /// What the server said.
        reason: String,
        /// How long it asked to wait.
        retry_after: Option<Duration>,
    },
}

/// Reads a conversation by id and records the outcome.
pub(crate) async fn fetch(config: &ActorConfig, key: &ChatKey) -> Result<ApiReply, ApiError> {
    read(&config.store, wegly(config, key)?, key).await
}

async fn read(
    store: &Arc<Store>,
    client: &WeglyClient,
    key: &ChatKey,
) -> Result<ApiReply, ApiError> {
    let read = client.get_chat(chat_uuid(&key.chat_id)?).await;
    store_read(store, key, read).await
}

/// Records a read in the index: the detail stored, or a 404 flagged gone.
async fn store_read(
    store: &Arc<Store>,
    key: &ChatKey,
    read: Result<Fetched<Chat>, ApiError>,
) -> Result<ApiReply, ApiError> {
    match read {
        Ok(fetched) => {
            let chat = Conversation::Chat(Box::new(fetched.value));
            Ok(ApiReply::Chat(
                remember(store, key, &fetched.raw, chat).await,
            ))
        }
        Err(error) if error.kind() == ErrorKind::NotFound => {
            let gone = key.clone();
            let summary = on_index(store, "flag a chat gone", move |store| {
                store.mark_gone(&gone, Utc::now())?;
                store.summary(&gone)
            })
            .await
            .flatten();
            Ok(ApiReply::Gone(key.clone(), summary))
        }
        Err(error) => Err(error),
    }
}

/// A background fetch of a chat the index is waiting on: like [`fetch`], and a failure is
/// scheduled again with backoff (longer for a refused token, at least a 429's `Retry-After`).
pub(crate) async fn hydrate(config: &ActorConfig, key: &ChatKey) -> Result<ApiReply, ApiError> {
    let client = wegly(config, key)?;
    hydrate_with(&config.store, client, key).await
}

/// Fetches one chat into the index with `client` (what `balcao inbox add` does for each id).
pub async fn hydrate_one(store: &Arc<Store>, client: &WeglyClient, key: &ChatKey) -> Fetch {
    match hydrate_with(store, client, key).await {
        Ok(ApiReply::Chat(Fresh {
            summary: Some(summary),
            ..
        })) => Fetch::Hydrated(Box::new(summary)),
        Ok(ApiReply::Gone(..)) => Fetch::Gone,
        Ok(_) => Fetch::Failed("the index did not take the chat".to_owned()),
        Err(error @ ApiError::RateLimited { retry_after, .. }) => Fetch::RateLimited {
            reason: error.to_string(),
            retry_after,
        },
        Err(error) => Fetch::Failed(error.to_string()),
    }
}

async fn hydrate_with(
    store: &Arc<Store>,
    client: &WeglyClient,
    key: &ChatKey,
) -> Result<ApiReply, ApiError> {
    let outcome = read(store, client, key).await;
    let failed = match &outcome {
        Err(error) => Some((error.to_string(), floor(error))),
        // Fetched but not stored: it stays due, so it is tried again after a pause.
        Ok(ApiReply::Chat(fresh)) if fresh.summary.is_none() => {
            Some(("the index did not take the chat".to_owned(), Duration::ZERO))
        }
        Ok(_) => None,
    };
    if let Some((reason, floor)) = failed {
        let key = key.clone();
        on_index(store, "record a failed fetch", move |store| {
            let wait = backoff(store.attempts(&key)?).max(floor);
            let retry_at = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
            store.hydration_failed(&key, &reason, retry_at)
        })
        .await;
    }
    outcome
}

/// The least a failure makes the next try wait.
fn floor(error: &ApiError) -> Duration {
    match error {
        ApiError::Unauthorized(_) | ApiError::Forbidden(_) => UNAUTHORIZED_BACKOFF,
        ApiError::RateLimited {
            retry_after: Some(after),
            ..
        } => *after,
        _ => Duration::ZERO,
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

/// Puts a chat into the index by id and fetches it. An id the CRM does not know (404) never
/// becomes a permanent "gone" row: the row this call added is taken out again and the 404 is
/// the answer. A chat that was already in the index keeps its row, flagged gone.
pub(crate) async fn add(config: &ActorConfig, key: ChatKey) -> Result<ApiReply, ApiError> {
    let noted = key.clone();
    let new = on_index(&config.store, "add a chat", move |store| {
        store.note_chat(&noted, Source::Manual, Utc::now())
    })
    .await
    .unwrap_or(false);
    let client = wegly(config, &key)?;
    match client.get_chat(chat_uuid(&key.chat_id)?).await {
        Err(error) if error.kind() == ErrorKind::NotFound && new => {
            let unknown = key.clone();
            on_index(&config.store, "take an unknown chat out", move |store| {
                store.remove_chat(&unknown)
            })
            .await;
            Err(error)
        }
        read => store_read(&config.store, &key, read).await,
    }
}

/// The account's unread totals.
pub(crate) async fn unread(config: &ActorConfig, account: String) -> Result<ApiReply, ApiError> {
    let client = config.wegly(&account)?;
    let summary = client.unread_summary().await?.value;
    Ok(ApiReply::Unread(
        account,
        UnreadTotals {
            messages: summary.unread_messages_total.unwrap_or(0),
            chats: summary.unread_chats_total.unwrap_or(0),
        },
    ))
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
