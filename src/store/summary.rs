//! A chat's row in the inbox: the columns the list shows, sorts and filters on. Each provider's
//! module builds them from its wire types; the store only keeps them.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::store::stored::stored_enum;

/// Which CRM a chat lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Wegly chats.
    Wegly,
    /// Agilize chat rooms.
    Agilize,
}

stored_enum!(Provider {
    Wegly = "wegly",
    Agilize = "agilize",
});

/// How the index learned of a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A webhook announced it.
    Webhook,
    /// The console or the CLI created it.
    Created,
    /// Someone gave its id (`balcao add`, "add chat by id").
    Manual,
}

stored_enum!(Source {
    Webhook = "webhook",
    Created = "created",
    Manual = "manual",
});

/// Identifies a chat across accounts and CRMs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ChatKey {
    /// Account name from the configuration.
    pub account: String,
    /// CRM.
    pub provider: Provider,
    /// The CRM's id for the chat or room.
    pub chat_id: String,
}

/// A Wegly chat id in its one stored form (lowercase, hyphenated), or `None` when the text is no
/// UUID in any of its spellings.
pub fn normalize_chat_id(text: &str) -> Option<String> {
    uuid::Uuid::parse_str(text.trim())
        .ok()
        .map(|id| id.hyphenated().to_string())
}

impl ChatKey {
    /// An Agilize room of `account`.
    pub fn agilize(account: &str, room_id: &str) -> Self {
        Self {
            account: account.to_owned(),
            provider: Provider::Agilize,
            chat_id: room_id.to_owned(),
        }
    }

    /// A Wegly chat of `account`. Every way a UUID can be written (upper case, braces,
    /// `urn:uuid:`, no hyphens) becomes the one lowercase hyphenated form, so one chat is one
    /// row however a webhook, a flag or a paste spells it; text that is no UUID is kept as given
    /// for the caller to refuse.
    pub fn wegly(account: &str, chat_id: &str) -> Self {
        Self {
            account: account.to_owned(),
            provider: Provider::Wegly,
            chat_id: normalize_chat_id(chat_id).unwrap_or_else(|| chat_id.to_owned()),
        }
    }
}

/// The columns of one chat that the list needs; taken from the last detail received.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Columns {
    /// Status as the CRM writes it.
    pub status: Option<String>,
    /// 0-3.
    pub priority: Option<i64>,
    /// Name, profile name or number.
    pub contact: Option<String>,
    /// The contact's number.
    pub contact_number: Option<String>,
    /// The company line's number.
    pub line: Option<String>,
    /// The responsible's user id.
    pub responsible_user_id: Option<String>,
    /// The responsible's name.
    pub responsible_name: Option<String>,
    /// Unread messages.
    pub unread: i64,
    /// Marked unread by hand.
    pub marked_unread: bool,
    /// When the last message was sent.
    pub last_message_at: Option<DateTime<Utc>>,
    /// The last message, one short line.
    pub last_message_preview: Option<String>,
    /// The last message came from the company.
    pub last_message_from_me: Option<bool>,
    /// End of the 24 h WhatsApp window.
    pub window_ends_at: Option<DateTime<Utc>>,
    /// Archived in the CRM.
    pub archived: bool,
}

impl Columns {
    /// A room's columns after a change, given its columns before. Agilize stamps `lastEvent` on
    /// every change to a room (an assignment, a conclusion, tags), and a room carries no other
    /// time, so a room's columns (built in the Agilize module) take it for the last message's. A change is not a
    /// message: while the last message is the same one (same text, same side, and the room did
    /// not start waiting for a reply), its time stays the earlier one known.
    #[must_use]
    pub fn keeping_message_time(mut self, before: &Columns) -> Self {
        let started_waiting = self.marked_unread && !before.marked_unread;
        let same_message = self.last_message_preview == before.last_message_preview
            && self.last_message_from_me == before.last_message_from_me
            && !started_waiting;
        if same_message {
            self.last_message_at = match (before.last_message_at, self.last_message_at) {
                (Some(known), Some(now)) => Some(known.min(now)),
                (known, now) => known.or(now),
            };
        }
        self
    }
}

/// A chat as the index holds it: identity, list columns and bookkeeping.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatSummary {
    /// Which chat.
    #[serde(flatten)]
    pub key: ChatKey,
    /// List columns (from the last detail, or provisional from a webhook).
    #[serde(flatten)]
    pub columns: Columns,
    /// First time the index heard of it.
    pub first_seen_at: DateTime<Utc>,
    /// Last webhook about it.
    pub last_event_at: Option<DateTime<Utc>>,
    /// Last successful `GET`; `None` until hydrated.
    pub hydrated_at: Option<DateTime<Utc>>,
    /// How the index learned of it.
    pub source: Source,
    /// The CRM answered 404: kept, flagged.
    pub gone: bool,
    /// Waiting for a (re)fetch.
    pub needs_hydration: bool,
    /// Why the last fetch failed, if it did.
    pub last_error: Option<String>,
}

/// The text of a chat a filter's words search, borrowed from the row being read: what
/// [`crate::store::Index::summaries_where`] asks about before it builds the row's summary.
#[derive(Debug, Clone, Copy, Default)]
pub struct SearchFields<'a> {
    /// The contact's name.
    pub contact: Option<&'a str>,
    /// The contact's number.
    pub contact_number: Option<&'a str>,
    /// The last message.
    pub last_message_preview: Option<&'a str>,
    /// The responsible's name.
    pub responsible_name: Option<&'a str>,
    /// The company line or channel.
    pub line: Option<&'a str>,
    /// The account.
    pub account: &'a str,
    /// The chat id.
    pub chat_id: &'a str,
}

impl<'a> SearchFields<'a> {
    /// The fields of a summary already read.
    pub fn of(row: &'a ChatSummary) -> Self {
        let c = &row.columns;
        Self {
            contact: c.contact.as_deref(),
            contact_number: c.contact_number.as_deref(),
            last_message_preview: c.last_message_preview.as_deref(),
            responsible_name: c.responsible_name.as_deref(),
            line: c.line.as_deref(),
            account: &row.key.account,
            chat_id: &row.key.chat_id,
        }
    }
}
