//! The seam every part of balcão reads and writes the index through, whichever database holds
//! it: each backend implements it, and the store test suite runs against each.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::private;
use crate::store::StoreError;
use crate::store::records::{AuditEntry, StoredDetail, WebhookRecord};
use crate::store::summary::{ChatKey, ChatSummary, Columns, Source};

/// What an open index does. Every call blocks on the database: call it from `spawn_blocking`,
/// never from the render path.
pub trait Index: Send + Sync {
    /// The index as a person can name it: the file, or the database URL with its password
    /// replaced by `***`.
    fn name(&self) -> String;

    /// The SQLite file, when the index is one.
    fn file(&self) -> Option<&Path>;

    /// The index's files (and folder) that others can read, with the fix; none for a database
    /// server, whose access its own administrator sets.
    fn exposed(&self) -> Vec<private::Exposed>;

    /// `Ok` when the index's storage is sound.
    fn integrity_check(&self) -> Result<(), StoreError>;

    /// Adds a chat to hydrate (or asks again for a known one). Returns true when it is new.
    fn note_chat(
        &self,
        key: &ChatKey,
        source: Source,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// A webhook named the chat: remember it, take the payload's columns as provisional (they
    /// show at once; the fetch that follows is authoritative), and ask for a fetch.
    fn note_webhook(
        &self,
        key: &ChatKey,
        provisional: Option<&Columns>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Stores a fetched chat detail and its columns; the chat is fresh.
    fn save_detail(
        &self,
        key: &ChatKey,
        raw: &str,
        columns: &Columns,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Stores a room as a write returned it (rooms have no read endpoint).
    fn save_room(
        &self,
        key: &ChatKey,
        raw: &str,
        columns: &Columns,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Stores many fetched details in one transaction.
    fn save_details(
        &self,
        batch: &[(ChatKey, String, Columns)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The CRM answered 404: the chat is kept, flagged gone.
    fn mark_gone(&self, key: &ChatKey, now: DateTime<Utc>) -> Result<(), StoreError>;

    /// A fetch failed: remember why and when to try again. Returns the attempts so far.
    fn hydration_failed(
        &self,
        key: &ChatKey,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<i64, StoreError>;

    /// Failed attempts so far for a chat.
    fn attempts(&self, key: &ChatKey) -> Result<i64, StoreError>;

    /// Chats whose fetch is due now, most recently active first.
    fn due_for_hydration(
        &self,
        accounts: &[String],
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ChatKey>, StoreError>;

    /// Up to `limit` chats of `accounts` last fetched before `before`, that nothing else is
    /// fetching, open ones first, then the most recently active.
    fn stale_for_refresh(
        &self,
        accounts: &[String],
        before: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ChatKey>, StoreError>;

    /// The earliest time a waiting fetch becomes due, if any is waiting.
    fn next_retry_at(&self) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// Every chat's summary, for the list. Never touches the stored details.
    fn summaries(&self) -> Result<Vec<ChatSummary>, StoreError>;

    /// The `limit` most urgent chats, in the order [`crate::inbox::rank`] gives.
    fn first_page(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<ChatSummary>, StoreError>;

    /// One chat's summary.
    fn summary(&self, key: &ChatKey) -> Result<Option<ChatSummary>, StoreError>;

    /// The last detail received, as the server sent it.
    fn detail(&self, key: &ChatKey) -> Result<Option<String>, StoreError>;

    /// A chat's stored detail and when it was fetched, in one read.
    fn detail_as_of(&self, key: &ChatKey) -> Result<Option<StoredDetail>, StoreError>;

    /// Forgets a chat (the CRM keeps it). Returns whether it was there.
    fn remove_chat(&self, key: &ChatKey) -> Result<bool, StoreError>;

    /// Records one change made in a CRM.
    fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;

    /// The most recent audit entries, newest first.
    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError>;

    /// Records a webhook delivery within the default bounds.
    fn record_webhook(&self, record: &WebhookRecord) -> Result<(), StoreError>;

    /// Records a webhook delivery, keeping at most `body_bytes_kept` bytes of bodies.
    fn record_webhook_within(
        &self,
        record: &WebhookRecord,
        body_bytes_kept: u64,
    ) -> Result<(), StoreError>;

    /// The most recent webhook deliveries, newest first.
    fn webhook_events(&self, limit: usize) -> Result<Vec<WebhookRecord>, StoreError>;

    /// Bytes of webhook bodies stored.
    fn webhook_body_bytes(&self) -> Result<u64, StoreError>;
}
