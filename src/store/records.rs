//! The records the index keeps, whichever database holds them: audit entries, stored details,
//! webhook deliveries, and the limits that bound them.

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;

use crate::store::stored::stored_enum;
use crate::store::summary::{ChatKey, Provider};

pub(crate) fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn from_millis(value: Option<i64>) -> Option<DateTime<Utc>> {
    value.and_then(|ms| Utc.timestamp_millis_opt(ms).single())
}

/// A row count or limit as both databases take it (a 64-bit integer).
pub(crate) fn limit_param(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// One change the console or the CLI made in a CRM.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// The chat.
    #[serde(flatten)]
    pub key: ChatKey,
    /// `reassign_responsible`, `remove_participant`, `create_chat`, ...
    pub action: String,
    /// The request body, as sent.
    pub request: Option<String>,
    /// The relevant state before.
    pub before: Option<String>,
    /// The relevant state after.
    pub after: Option<String>,
    /// `confirmed`, `refused`, `failed`, ...
    pub outcome: String,
    /// HTTP status of the reply, if one arrived.
    pub http_status: Option<u16>,
    /// Who made it (the desk member's name), when known.
    pub by: Option<String>,
    /// The batch it was part of: every change made through balcão has one (a single change is
    /// a batch of one), so that `undo` can take back the last batch, or a named one.
    pub batch: Option<String>,
    /// How to take the change back, as `batch::Revert` writes it (the change that puts the chat
    /// back and what the chat must still show for that to be safe), when it can be taken back.
    pub undo: Option<String>,
}

/// A chat's detail as stored, and when it was fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDetail {
    /// The detail as the CRM sent it.
    pub raw: String,
    /// When it was fetched.
    pub fetched_at: Option<DateTime<Utc>>,
}

/// Webhook records kept; older ones are pruned.
pub const WEBHOOK_EVENTS_KEPT: i64 = 50_000;
/// Bytes of webhook bodies kept across all records; beyond it the oldest bodies are dropped
/// (their records, with size and hash, stay until the row cap prunes them).
pub const WEBHOOK_BODY_BYTES_KEPT: u64 = 64 * 1024 * 1024;
/// Once over the budget, bodies are dropped down to this share of it, so that pruning runs once
/// per many deliveries rather than on each.
pub(crate) const WEBHOOK_BODY_PRUNE_TO: (u64, u64) = (7, 8);
/// Longest event key and reason stored: both can come from a sender without the secret (the
/// `x-wegly-event` header), and a refused delivery must cost a bounded row.
pub(crate) const WEBHOOK_EVENT_KEY_CHARS: usize = 200;
pub(crate) const WEBHOOK_REASON_CHARS: usize = 1000;

/// What the receiver did with a webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookOutcome {
    /// Verified and applied.
    Accepted,
    /// Verified but not about chats: recorded and ignored.
    Ignored,
    /// Refused (bad signature, malformed, no chat id).
    Refused,
}

stored_enum!(WebhookOutcome {
    Accepted = "accepted",
    Ignored = "ignored",
    Refused = "refused",
});

/// One webhook delivery as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WebhookRecord {
    /// When it arrived.
    pub received_at: DateTime<Utc>,
    /// Which CRM sent it.
    pub provider: Provider,
    /// The account it was for.
    pub account: String,
    /// `x-wegly-event` or the envelope's key.
    pub event_key: Option<String>,
    /// What was done.
    pub outcome: WebhookOutcome,
    /// Why, for refused and ignored events.
    pub reason: Option<String>,
    /// The chat it named.
    pub chat_id: Option<String>,
    /// The body as received (cut at the receiver's limit). Stored only for deliveries that
    /// were not refused: anyone can send a refused one, so it must not cost its size on disk.
    /// Read back empty when it was not stored or was pruned (see [`WEBHOOK_BODY_BYTES_KEPT`]).
    #[serde(skip)]
    pub raw_body: Vec<u8>,
    /// Bytes of body received (what arrived before a refusal for size or time).
    pub body_size: u64,
    /// SHA-256 (lowercase hex) of the bytes received; `None` when none arrived, and for records
    /// written before the index kept hashes.
    pub body_sha256: Option<String>,
}

/// The hash by which a delivery can be a copy of one recorded: only an accepted delivery with a
/// hash (the unique index `webhook_events_once` covers those alone).
pub(crate) fn copyable(record: &WebhookRecord) -> Option<&str> {
    (record.outcome == WebhookOutcome::Accepted)
        .then_some(record.body_sha256.as_deref())
        .flatten()
}

/// `text` cut to at most `chars` characters, marked with `…` when cut.
pub(crate) fn bounded(text: Option<&str>, chars: usize) -> Option<String> {
    text.map(|text| match text.char_indices().nth(chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    })
}
