//! The actor's replies to conversations: refused before any request when empty or outside the
//! window (as the index knows it), sent once and never retried, a lost reply verified against
//! the re-read timeline, and the chat re-read and stored after a send (unread 0, last message).

use std::collections::HashSet;

use chrono::Utc;

use crate::api::call::{ActorConfig, ApiReply, Sent};
use crate::api::capability::Capability;
use crate::api::conversation::Conversation;
use crate::api::error::ApiError;
use crate::api::providers::supports;
use crate::api::reads::{on_index, remember};
use crate::api::reply::{Outgoing, Unsendable};
use crate::api::wegly::WeglyClient;
use crate::api::wegly::changes::chat_uuid;
use crate::api::wegly::messages::{SendMessageRequest, is_the_sent};
use crate::api::wegly::wire::{Message, Page, TimelineEvent};
use crate::store::{ChatKey, Provider};

/// How far the CRM's clock may run behind ours when a lost send is looked for by its time.
const CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(2);

/// Sends `message` into the conversation `key`.
pub(crate) async fn send(
    config: &ActorConfig,
    key: ChatKey,
    message: &Outgoing,
) -> Result<ApiReply, ApiError> {
    if key.provider != Provider::Wegly || !supports(key.provider, Capability::Reply) {
        return Err(ApiError::NotSent(Unsendable::NotOffered));
    }
    let client = config.wegly(&key.account)?;
    let chat = chat_uuid(&key.chat_id)?;
    let wanted = key.clone();
    let window = on_index(&config.store, "read a chat's window", move |store| {
        store.summary(&wanted)
    })
    .await
    .flatten()
    .and_then(|summary| summary.columns.window_ends_at);
    let started = Utc::now();
    if let Some(why) = Unsendable::check(message, window, started) {
        return Err(ApiError::NotSent(why));
    }
    // The ids already there, so that a lost reply is matched only against new messages.
    let before = ids(&client.timeline(chat).await?.value);
    let written = client
        .send_message(chat, &SendMessageRequest::of(message))
        .await;
    let (message_id, verified) = match written {
        Ok(reply) => {
            let id = reply
                .value
                .records
                .iter()
                .flatten()
                .find_map(|message| message.id.clone())
                .unwrap_or_default();
            (id, false)
        }
        Err(error) if error.outcome_unknown() => (
            verify(client, &key, message, &before, started, error).await?,
            true,
        ),
        Err(error) => return Err(error),
    };
    let fresh = match client.get_chat(chat).await {
        Ok(fetched) => {
            let conversation = Conversation::Chat(Box::new(fetched.value));
            Some(remember(&config.store, &key, &fetched.raw, conversation).await)
        }
        Err(error) => {
            tracing::warn!(%error, chat = %key.chat_id, "re-reading a chat after a send failed");
            None
        }
    };
    Ok(ApiReply::Sent(Sent {
        key,
        message_id,
        verified,
        fresh,
    }))
}

/// A send whose reply was lost: the timeline is re-read once (itself retried as reads are).
/// The message there, new and ours: sent. Not there: not sent. The read failing: unknown.
async fn verify(
    client: &WeglyClient,
    key: &ChatKey,
    message: &Outgoing,
    before: &HashSet<String>,
    started: chrono::DateTime<Utc>,
    lost: ApiError,
) -> Result<String, ApiError> {
    tracing::info!(chat = %key.chat_id, error = %lost, "send reply lost; re-reading the timeline");
    let chat = chat_uuid(&key.chat_id)?;
    match client.timeline(chat).await {
        Ok(page) => messages(&page.value)
            .filter(|found| found.id.as_ref().is_some_and(|id| !before.contains(id)))
            .find(|found| is_the_sent(found, message, started - CLOCK_SKEW))
            .and_then(|found| found.id.clone())
            .ok_or_else(|| ApiError::NotApplied {
                chat: key.chat_id.clone(),
                lost: Box::new(lost),
            }),
        Err(reread) => Err(ApiError::OutcomeUnknown {
            chat: Some(key.chat_id.clone()),
            lost: Box::new(lost),
            reread: Some(Box::new(reread)),
        }),
    }
}

fn messages(page: &Page<TimelineEvent>) -> impl Iterator<Item = &Message> {
    page.records
        .iter()
        .flatten()
        .filter_map(|event| event.message.as_ref())
}

fn ids(page: &Page<TimelineEvent>) -> HashSet<String> {
    messages(page)
        .filter_map(|message| message.id.clone())
        .collect()
}
