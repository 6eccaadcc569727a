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

/// The positions a page `page` (1: the newest) replaces in what is already held, given the span
/// its events cover (`None`: it came empty): its own span, and for the newest page everything
/// after it too (the timeline's end is where the newest page says). An empty newest page
/// replaces everything; an empty older page, nothing (`(1, 0)`, an empty range). One rule for
/// the index and for the console's open conversation.
pub fn replaced_span(page: i64, span: Option<(i64, i64)>) -> (i64, i64) {
    match span {
        Some((low, _)) if page <= 1 => (low, i64::MAX),
        Some(span) => span,
        None if page <= 1 => (i64::MIN, i64::MAX),
        None => (1, 0),
    }
}

/// The positions a stored page covers (the lowest and the highest of its rows), or none for an
/// empty page.
pub(crate) fn page_span(events: &[TimelineRow]) -> Option<(i64, i64)> {
    let low = events.iter().map(|row| row.position).min()?;
    let high = events.iter().map(|row| row.position).max()?;
    Some((low, high))
}
