//! The actor's replies to conversations: refused before any request when empty or outside the
//! window (as the index knows it), sent once and never retried, a lost reply verified against
//! the re-read timeline, and the chat re-read and stored after a send (unread 0, last message).

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use crate::api::call::{ActorConfig, ApiReply, Sent};
use crate::api::capability::Capability;
use crate::api::conversation::Conversation;
use crate::api::error::ApiError;
use crate::api::providers::supports;
use crate::api::reads::{on_index, remember};
use crate::api::reply::{Outgoing, Unsendable};
use crate::api::wegly::WeglyClient;
use crate::api::wegly::changes::chat_uuid;
use crate::api::wegly::limits::TIMELINE_PAGE_SIZE;
use crate::api::wegly::messages::{SendMessageRequest, is_the_sent};
use crate::api::wegly::wire::{Message, Page, TimelineEvent};
use crate::store::{ChatKey, ChatSummary, Provider};

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
    let read = on_index(&config.store, "read a chat's window", move |store| {
        store.summary(&wanted)
    })
    .await;
    let started = Utc::now();
    if let Some(why) = refusal(message, read.as_ref(), started) {
        return Err(ApiError::NotSent(why));
    }
    // The ids already there (the newest page: a new message lands there), so that a lost reply
    // is matched only against new messages.
    let before = ids(&client
        .timeline_page(chat, 1, TIMELINE_PAGE_SIZE)
        .await?
        .value);
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
        Err(error) if error.outcome_unknown() => {
            (verify(client, &key, message, &before, error).await?, true)
        }
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
    lost: ApiError,
) -> Result<String, ApiError> {
    tracing::info!(chat = %key.chat_id, error = %lost, "send reply lost; re-reading the timeline");
    let chat = chat_uuid(&key.chat_id)?;
    match client.timeline_page(chat, 1, TIMELINE_PAGE_SIZE).await {
        Ok(page) => match look_for(&page.value, message, before) {
            Found::Sent(id) => Ok(id),
            Found::Absent => Err(ApiError::NotApplied {
                chat: key.chat_id.clone(),
                lost: Box::new(lost),
            }),
            Found::Unclear => Err(ApiError::OutcomeUnknown {
                chat: Some(key.chat_id.clone()),
                lost: Box::new(lost),
                reread: None,
            }),
        },
        Err(reread) => Err(ApiError::OutcomeUnknown {
            chat: Some(key.chat_id.clone()),
            lost: Box::new(lost),
            reread: Some(Box::new(reread)),
        }),
    }
}

/// Why `message` is refused before any request, from the index's read of the chat (`None`: the
/// read failed). An empty message is always refused; a text outside the window only when the
/// index could say where the window stands: with the index away the server, which refuses a
/// text outside the window itself, decides, instead of a closed window being told that is not
/// known.
fn refusal(
    message: &Outgoing,
    read: Option<&Option<ChatSummary>>,
    now: DateTime<Utc>,
) -> Option<Unsendable> {
    match read {
        Some(row) => {
            let window = row.as_ref().and_then(|row| row.columns.window_ends_at);
            Unsendable::check(message, window, now)
        }
        None => Unsendable::check(message, Some(DateTime::<Utc>::MAX_UTC), now),
    }
}

/// What the newest page re-read after a lost reply says of the message sent.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    /// A new message of ours with the same content: sent, with its id.
    Sent(String),
    /// Nothing new of ours, and the page still holds messages known before: not sent.
    Absent,
    /// A new message of ours that differs (the CRM may have changed the text, or someone else
    /// answered), or a page of new messages only (ours could be beyond it): not known.
    Unclear,
}

fn look_for(page: &Page<TimelineEvent>, message: &Outgoing, before: &HashSet<String>) -> Found {
    let mut known = false;
    let mut other_of_ours = false;
    for found in messages(page) {
        let Some(id) = &found.id else { continue };
        if before.contains(id) {
            known = true;
        } else if is_the_sent(found, message) {
            return Found::Sent(id.clone());
        } else if found.from_me == Some(true) {
            other_of_ours = true;
        }
    }
    if other_of_ours || (!known && !before.is_empty()) {
        Found::Unclear
    } else {
        Found::Absent
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Columns;

    fn event(id: &str, from_me: bool, body: &str) -> TimelineEvent {
        TimelineEvent {
            message: Some(Message {
                id: Some(id.to_owned()),
                kind: Some("text".to_owned()),
                from_me: Some(from_me),
                body_text: Some(body.to_owned()),
                ..Message::default()
            }),
            ..TimelineEvent::default()
        }
    }

    fn page(events: Vec<TimelineEvent>) -> Page<TimelineEvent> {
        Page {
            records: Some(events),
            ..Page::default()
        }
    }

    fn text(body: &str) -> Outgoing {
        Outgoing::Text {
            body: body.to_owned(),
            reply_to: None,
        }
    }

    fn known(ids: &[&str]) -> HashSet<String> {
        ids.iter().map(|id| (*id).to_owned()).collect()
    }

    #[test]
    fn a_lost_reply_is_sent_only_when_found_and_unknown_when_the_page_cannot_say() {
        let before = known(&["a", "b"]);
        let sent = text("Olá");
        let found = page(vec![
            event("a", false, "Oi"),
            event("b", true, "Olá"),
            event("c", true, "Olá"),
        ]);
        assert_eq!(
            look_for(&found, &sent, &before),
            Found::Sent("c".to_owned())
        );
        // The same text sent earlier ("b") is not taken for this one.
        let absent = page(vec![event("a", false, "Oi"), event("b", true, "Olá")]);
        assert_eq!(look_for(&absent, &sent, &before), Found::Absent);
        // A new message of ours that differs (the CRM trimmed it, or a colleague answered):
        // not "not sent", which would invite sending it twice.
        let changed = page(vec![event("b", true, "Olá"), event("c", true, "Olá ")]);
        assert_eq!(look_for(&changed, &sent, &before), Found::Unclear);
        // A page of new messages only: ours could be beyond it.
        let flooded = page(vec![event("x", false, "1"), event("y", false, "2")]);
        assert_eq!(look_for(&flooded, &sent, &before), Found::Unclear);
        // A conversation that was empty before the send, and still holds only the customer's.
        let empty_before = page(vec![event("x", false, "1")]);
        assert_eq!(
            look_for(&empty_before, &sent, &HashSet::new()),
            Found::Absent
        );
    }

    #[test]
    fn the_index_away_does_not_make_a_window_closed() {
        let now = Utc::now();
        let closed = Some(ChatSummary {
            key: ChatKey::wegly("default", "c"),
            columns: Columns {
                window_ends_at: Some(now - chrono::Duration::hours(1)),
                ..Columns::default()
            },
            first_seen_at: now,
            last_event_at: None,
            hydrated_at: Some(now),
            source: crate::store::Source::Webhook,
            gone: false,
            needs_hydration: false,
            last_error: None,
        });
        assert_eq!(
            refusal(&text("Oi"), Some(&closed), now),
            Some(Unsendable::WindowClosed)
        );
        assert_eq!(
            refusal(&text("Oi"), Some(&None), now),
            Some(Unsendable::WindowClosed),
            "a chat the index does not have: its window is not known to be open"
        );
        assert_eq!(refusal(&text("Oi"), None, now), None, "the server decides");
        assert_eq!(refusal(&text("  "), None, now), Some(Unsendable::Empty));
    }
}
