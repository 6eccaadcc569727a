//! The actor's conversation reads: one page of a chat's timeline (`GET /chats/{id}/timeline`),
//! stored in the index event by event as the CRM sent it, then handed back parsed.
//!
//! Paging is balcão's choice, as the docs show only `{total, records}`: `page` (1-based, 1 the
//! newest events) and `limit` (events per page, [`TIMELINE_PAGE_SIZE`]), each page's events
//! oldest first. A server that ignores them and sends every event (or sends no total) works
//! too: the page holds everything and nothing older remains. Each event's place, counted from
//! the oldest, is what the index orders by; it stays put as new events arrive.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::api::call::{ActorConfig, ApiReply, TimelinePage};
use crate::api::capability::{Capability, unsupported};
use crate::api::error::ApiError;
use crate::api::http::excerpt;
use crate::api::providers::supports;
use crate::api::reads::on_index;
use crate::api::timestamp::Timestamp;
use crate::api::wegly::changes::chat_uuid;
use crate::api::wegly::limits::TIMELINE_PAGE_SIZE;
use crate::api::wegly::wire::{Message, TimelineEvent};
use crate::store::timeline::TimelineRow;
use crate::store::{ChatKey, Store, StoreError};

/// The reply's envelope with each event's bytes as sent.
#[derive(Deserialize)]
struct RawPage<'a> {
    #[serde(default)]
    total: Option<i64>,
    #[serde(default, borrow)]
    records: Option<Vec<&'a RawValue>>,
}

/// Where a page sits in the whole timeline: its first event's position from the oldest, and
/// whether older events remain. `count` events came for page `page` of `limit`; `total` is the
/// whole timeline's size when the server said.
pub fn placement(page: u32, limit: usize, count: usize, total: Option<i64>) -> (i64, bool) {
    let count = i64::try_from(count).unwrap_or(i64::MAX);
    let Some(total) = total.filter(|total| *total > count) else {
        // Everything came (or the server did not say how much there is).
        return (0, false);
    };
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let newer = i64::from(page.saturating_sub(1)).saturating_mul(limit);
    let first = total.saturating_sub(newer).saturating_sub(count).max(0);
    (first, first > 0)
}

/// Fetches page `page` of the chat's timeline, stores it, and answers with it parsed. A room
/// has no timeline endpoint: that is said, and nothing is sent.
pub(crate) async fn fetch(
    config: &ActorConfig,
    key: ChatKey,
    page: u32,
) -> Result<ApiReply, ApiError> {
    if !supports(key.provider, Capability::Timeline) {
        return Err(unsupported(key.provider, Capability::Timeline));
    }
    let client = config.wegly(&key.account)?;
    let page = page.max(1);
    let fetched = client
        .timeline_page(chat_uuid(&key.chat_id)?, page, TIMELINE_PAGE_SIZE)
        .await?;
    let raw: RawPage<'_> =
        serde_json::from_slice(&fetched.raw).map_err(|error| ApiError::Unexpected {
            status: fetched.status,
            url: format!("/chats/{}/timeline", key.chat_id),
            detail: error.to_string(),
            excerpt: excerpt(&fetched.raw),
        })?;
    let records = raw.records.unwrap_or_default();
    let events = fetched.value.records.unwrap_or_default();
    let total = raw.total.or(fetched.value.total);
    let (first_position, older) = placement(page, TIMELINE_PAGE_SIZE, events.len(), total);
    let rows: Vec<TimelineRow> = records
        .iter()
        .zip(&events)
        .enumerate()
        .map(|(n, (raw, event))| {
            let position = first_position.saturating_add(i64::try_from(n).unwrap_or(i64::MAX));
            TimelineRow {
                // An event without an id is kept under its place, so it is still shown offline.
                event_id: event.id.clone().unwrap_or_else(|| format!("#{position}")),
                position,
                at: event.event_at.as_ref().and_then(Timestamp::at),
                raw: raw.get().to_owned(),
            }
        })
        .collect();
    let stored = key.clone();
    on_index(&config.store, "store a timeline page", move |store| {
        store.store_timeline(&stored, &rows, total, i64::from(page), Utc::now())
    })
    .await;
    Ok(ApiReply::Timeline(Box::new(TimelinePage {
        key,
        page,
        events,
        first_position,
        total,
        older,
    })))
}

/// A chat's conversation as the index holds it, parsed: each event with its place from the
/// oldest, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredConversation {
    /// The events, oldest first, each with its position.
    pub events: Vec<(i64, TimelineEvent)>,
    /// How many events the whole timeline had when last fetched, when the CRM said.
    pub total: Option<i64>,
    /// When a page was last fetched.
    pub fetched_at: DateTime<Utc>,
}

/// The events of a stored timeline, parsed, with their positions; an event the index holds that
/// no longer parses is left out (and logged), never shown half-read.
pub fn parse_stored(rows: &[TimelineRow]) -> Vec<(i64, TimelineEvent)> {
    rows.iter()
        .filter_map(|row| match serde_json::from_str(&row.raw) {
            Ok(event) => Some((row.position, event)),
            Err(error) => {
                tracing::warn!(%error, event = row.event_id, "a stored timeline event is unreadable");
                None
            }
        })
        .collect()
}

/// Reads a chat's stored conversation (none if never fetched). Blocks: call it off the render
/// path.
pub fn read_stored(store: &Store, key: &ChatKey) -> Result<Option<StoredConversation>, StoreError> {
    Ok(store.timeline(key)?.map(|stored| StoredConversation {
        events: parse_stored(&stored.rows),
        total: stored.total,
        fetched_at: stored.fetched_at,
    }))
}

/// A message's text, in either documented shape: v1's `body_text`, or v2's reduced record whose
/// text may only be in `content_payload` (`{"text": {"body": ...}}`).
pub fn message_text(message: &Message) -> Option<String> {
    message
        .body_text
        .clone()
        .filter(|text| !text.is_empty())
        .or_else(|| {
            let payload = message.content_payload.as_ref()?;
            payload
                .pointer("/text/body")
                .or_else(|| payload.get("body"))
                .and_then(|body| body.as_str())
                .map(str::to_owned)
        })
        .filter(|text| !text.is_empty())
}

#[cfg(test)]
mod tests {
    use super::placement;

    #[test]
    fn a_page_is_placed_from_the_total_and_the_pages_after_it() {
        // 120 events, pages of 50: page 1 is 70..120, page 2 20..70, page 3 0..20.
        assert_eq!(placement(1, 50, 50, Some(120)), (70, true));
        assert_eq!(placement(2, 50, 50, Some(120)), (20, true));
        assert_eq!(placement(3, 50, 20, Some(120)), (0, false));
        // A server that ignores paging: everything at once.
        assert_eq!(placement(1, 50, 120, Some(120)), (0, false));
        assert_eq!(placement(1, 50, 7, None), (0, false));
        // A total smaller than what came (a server counting otherwise) is not trusted.
        assert_eq!(placement(1, 50, 9, Some(3)), (0, false));
    }
}
