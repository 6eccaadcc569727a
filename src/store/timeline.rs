//! The chats' timelines as the CRM sent them, a cache for reading offline: raw events (the
//! store never reads their JSON) with the position the API gave them, counted from the oldest
//! event, which stays put as new events arrive, and what was fetched when. `index copy` does not
//! copy it: the next fetch fills it again.

use chrono::{DateTime, Utc};

/// One timeline event as the index keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineRow {
    /// The event's id.
    pub event_id: String,
    /// Its place in the chat's timeline, counted from the oldest event (0), in the API's order.
    pub position: i64,
    /// When it happened, when the event says.
    pub at: Option<DateTime<Utc>>,
    /// The event exactly as the CRM sent it.
    pub raw: String,
}

/// A chat's cached timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTimeline {
    /// The events, oldest first.
    pub rows: Vec<TimelineRow>,
    /// When a page was last stored.
    pub fetched_at: DateTime<Utc>,
    /// How many events the CRM said the timeline has, when it said.
    pub total: Option<i64>,
    /// The oldest page loaded (1: the newest page), as numbered when it was fetched.
    pub oldest_page: i64,
}

/// The positions a stored page covers (the lowest and the highest of its rows), or none for an
/// empty page.
pub(crate) fn page_span(events: &[TimelineRow]) -> Option<(i64, i64)> {
    let low = events.iter().map(|row| row.position).min()?;
    let high = events.iter().map(|row| row.position).max()?;
    Some((low, high))
}
