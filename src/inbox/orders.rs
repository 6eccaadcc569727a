//! What the console picks and orders chats by, beyond the urgency rank: since when a customer
//! waits, whether a window closes soon, who a chat is with, whether it needs an answer
//! (`next_urgent`), and the orders `cycle_sort` and the saved views choose from.

use chrono::{DateTime, TimeDelta, Utc};

use crate::i18n::Lang;
use crate::store::ChatSummary;

/// A window ending within this is "closing".
pub const CLOSING_SOON: TimeDelta = TimeDelta::hours(1);

/// Since when the customer has been waiting for an answer: they wrote last
/// (`last_message_from_me == Some(false)`), since their last message. `None` when the company
/// wrote last, or nobody knows who did. The one definition of "waiting" for the list's sorts,
/// `next_urgent` and the workload.
pub fn waiting_since(row: &ChatSummary) -> Option<DateTime<Utc>> {
    let columns = &row.columns;
    if columns.last_message_from_me == Some(false) {
        columns.last_message_at
    } else {
        None
    }
}

/// Whether a chat's `WhatsApp` window is open at `now` and closes within [`CLOSING_SOON`].
pub fn closing_soon(row: &ChatSummary, now: DateTime<Utc>) -> bool {
    row.columns
        .window_ends_at
        .is_some_and(|end| end > now && end - now <= CLOSING_SOON)
}

/// Who the chat is with: the contact's name (when not blank), else their number, else the
/// chat's id. The list, the workload, the batches and the shell name chats by it.
pub fn contact(row: &ChatSummary) -> &str {
    let columns = &row.columns;
    columns
        .contact
        .as_deref()
        .filter(|name| !name.trim().is_empty())
        .or(columns.contact_number.as_deref())
        .unwrap_or(&row.key.chat_id)
}

/// Whether a chat needs an answer at `now`: it is neither archived nor gone, and its customer
/// is waiting, or it has unread messages, or its window closes within [`CLOSING_SOON`].
pub fn needs_answer(row: &ChatSummary, now: DateTime<Utc>) -> bool {
    let columns = &row.columns;
    !columns.archived
        && !row.gone
        && (columns.last_message_from_me == Some(false)
            || columns.unread > 0
            || columns.marked_unread
            || closing_soon(row, now))
}

/// The orders the list can be sorted in, cycled by `cycle_sort` and named by a view's `sort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Sort {
    /// Most urgent first (see [`rank`](super::rank)).
    #[default]
    Urgency,
    /// The customer waiting longest first (see [`waiting_since`]).
    Waiting,
    /// The newest last message first.
    Newest,
    /// The WhatsApp window closing soonest first.
    Window,
    /// By contact name.
    Name,
}

impl Sort {
    /// Every sort, in `cycle_sort` order.
    pub const ALL: [Sort; 5] = [
        Sort::Urgency,
        Sort::Waiting,
        Sort::Newest,
        Sort::Window,
        Sort::Name,
    ];

    /// The word a configuration's `sort` uses.
    pub fn name(self) -> &'static str {
        match self {
            Self::Urgency => "urgency",
            Self::Waiting => "waiting",
            Self::Newest => "newest",
            Self::Window => "window",
            Self::Name => "name",
        }
    }

    /// Reads a configuration's `sort`.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|sort| sort.name() == text)
    }

    /// The next one in `cycle_sort` order, back to urgency after name.
    #[must_use]
    pub fn next(self) -> Self {
        let at = Self::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Self::ALL[(at + 1) % Self::ALL.len()]
    }

    /// The sort in words, for the list's title.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Urgency => lang.pick("urgência", "urgency"),
            Self::Waiting => lang.pick("mais espera", "longest wait"),
            Self::Newest => lang.pick("mais recentes", "newest"),
            Self::Window => lang.pick("janela acabando", "window closing"),
            Self::Name => lang.pick("nome", "name"),
        }
    }
}
