//! The list's sort keys: one per row, computed once per sort so that sorting 100k chats compares
//! plain values (O(n log n)), whichever of the orders `cycle_sort` goes through is in force. A
//! key borrows what was folded when the row came in (its name), so a sort allocates no text.

use std::cmp::Reverse;

use chrono::{DateTime, Utc};

use crate::inbox::{Rank, SearchText, Sort, rank, waiting_since};
use crate::store::ChatSummary;

/// A row's place in one sort, smaller first. Every sort breaks its ties by urgency, and the
/// caller then by the chat's key, so each order is total and stable.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortKey<'a> {
    /// Urgency alone.
    Urgency(Rank),
    /// Waiting customers first, the longest waiting first; then the others.
    Waiting(Last<i64>, Rank),
    /// The newest last message first; chats without one last.
    Newest(Last<Reverse<i64>>, Rank),
    /// Open windows, the soonest to close first; then closed or never opened ones.
    Window(Last<i64>, Rank),
    /// By contact (name, else number, else id), folded so accents and case do not scatter it
    /// (as the row's search text holds it).
    Name(&'a str, Rank),
}

/// A value that may be missing, sorted after every present one (an `Option` sorts `None`
/// first).
pub type Last<T> = (bool, Option<T>);

/// `value` as a key that puts a missing value last.
fn last_if_none<T: Ord>(value: Option<T>) -> Last<T> {
    (value.is_none(), value)
}

/// The key of `row` (whose search text is `search`) in `sort`, as of `now` (windows open and
/// close with time).
pub fn key<'a>(
    sort: Sort,
    row: &ChatSummary,
    search: &'a SearchText,
    now: DateTime<Utc>,
) -> SortKey<'a> {
    let urgency = rank(row, now);
    let columns = &row.columns;
    match sort {
        Sort::Urgency => SortKey::Urgency(urgency),
        Sort::Waiting => SortKey::Waiting(
            last_if_none(waiting_since(row).map(|at| at.timestamp_millis())),
            urgency,
        ),
        Sort::Newest => SortKey::Newest(
            last_if_none(
                columns
                    .last_message_at
                    .map(|at| Reverse(at.timestamp_millis())),
            ),
            urgency,
        ),
        Sort::Window => SortKey::Window(
            last_if_none(
                columns
                    .window_ends_at
                    .filter(|end| *end > now)
                    .map(|end| end.timestamp_millis()),
            ),
            urgency,
        ),
        Sort::Name => SortKey::Name(search.name(), urgency),
    }
}
