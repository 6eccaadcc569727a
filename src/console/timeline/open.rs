//! The conversation open in the detail pane, as the state keeps it: the chat, its events (each
//! with its place in the whole timeline, counted from the oldest), the message under the cursor,
//! the page being fetched and when the events were fetched. Pure: the reducer's side is
//! `console/timeline.rs`.

use chrono::{DateTime, Utc};

use crate::api::wegly::limits::TIMELINE_PAGE_SIZE;
use crate::api::wegly::wire::TimelineEvent;
use crate::console::msg::RequestId;
use crate::store::ChatKey;
use crate::store::timeline::replaced_span;

/// A page being fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loading {
    /// The request.
    pub id: RequestId,
    /// Which page (1 the newest).
    pub page: u32,
}

/// A chat's conversation, as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenTimeline {
    /// The chat.
    pub key: ChatKey,
    /// Whether the detail pane shows it (closing keeps what was read, for the next opening).
    pub shown: bool,
    /// The events, oldest first, each with its position in the whole timeline.
    pub events: Vec<(i64, TimelineEvent)>,
    /// How many events the whole timeline has, when the CRM said.
    pub total: Option<i64>,
    /// The message under the cursor (an index into `events`).
    pub cursor: usize,
    /// The page being fetched, if any.
    pub loading: Option<Loading>,
    /// When what is shown was fetched (from the index until a fetch answers).
    pub fetched_at: Option<DateTime<Utc>>,
    /// Why the last fetch failed, while what is shown is older.
    pub failed: Option<String>,
    /// Whether a fetch has answered since it was opened (the index's copy no longer applies).
    pub fetched: bool,
    /// The newest page was asked for while another page was on its way (news, a reply sent):
    /// it is fetched when that one answers, so the news is not lost.
    pub newest_due: bool,
}

impl OpenTimeline {
    /// A conversation opened on `key`, nothing read yet.
    pub fn new(key: ChatKey) -> Self {
        Self {
            key,
            shown: true,
            events: Vec::new(),
            total: None,
            cursor: 0,
            loading: None,
            fetched_at: None,
            failed: None,
            fetched: false,
            newest_due: false,
        }
    }

    /// Whether older events remain to be fetched.
    pub fn older(&self) -> bool {
        self.events
            .first()
            .is_some_and(|(position, _)| *position > 0)
    }

    /// The page that holds the event just before the oldest shown (pages of
    /// [`TIMELINE_PAGE_SIZE`], 1 the newest), if older events remain.
    pub fn older_page(&self) -> Option<u32> {
        let (lowest, total) = (self.events.first()?.0, self.total?);
        if lowest <= 0 {
            return None;
        }
        let size = i64::try_from(TIMELINE_PAGE_SIZE).unwrap_or(i64::MAX);
        u32::try_from((total - lowest) / size + 1).ok()
    }

    /// Whether the cursor is on the newest message (or there is none).
    pub fn at_newest(&self) -> bool {
        self.cursor + 1 >= self.events.len()
    }

    /// Takes in a page: its events replace those held in the positions it spans (the newest
    /// page, also every later one), as the index stores it. The cursor stays on its message,
    /// or on the newest when it was there.
    pub fn merge(&mut self, page: u32, first: i64, events: Vec<TimelineEvent>, total: Option<i64>) {
        let follow_newest = self.at_newest();
        let kept = self.events.get(self.cursor).map(|(position, _)| *position);
        let count = i64::try_from(events.len()).unwrap_or(i64::MAX);
        let span = (!events.is_empty()).then(|| (first, first.saturating_add(count - 1)));
        let (low, high) = replaced_span(i64::from(page), span);
        self.events
            .retain(|(position, _)| *position < low || *position > high);
        // Saturating: a hostile total can put `first` next to i64::MAX.
        self.events
            .extend(events.into_iter().enumerate().map(|(n, event)| {
                let offset = i64::try_from(n).unwrap_or(i64::MAX);
                (first.saturating_add(offset), event)
            }));
        self.events.sort_by_key(|(position, _)| *position);
        self.total = total;
        self.cursor = match kept {
            Some(position) if !follow_newest => self
                .events
                .iter()
                .position(|(at, _)| *at >= position)
                .unwrap_or(self.events.len().saturating_sub(1)),
            _ => self.events.len().saturating_sub(1),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_total_places_a_page_without_overflowing() {
        // A server may say its timeline holds i64::MAX events: positions near the top must not
        // overflow (a panic in debug builds, a wrap in release).
        let mut open = OpenTimeline::new(ChatKey::wegly("default", "c"));
        let events = vec![TimelineEvent::default(), TimelineEvent::default()];
        open.merge(2, i64::MAX - 1, events.clone(), Some(i64::MAX));
        open.merge(1, i64::MAX, events, Some(i64::MAX));
        assert!(!open.events.is_empty());
    }
}
