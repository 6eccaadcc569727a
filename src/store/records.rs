//! Reads and writes of the index's rows: chats, webhook events, the audit log.

use chrono::{DateTime, TimeZone, Utc};
// Every write transaction begins IMMEDIATE: a deferred one that later upgrades to a write
// fails at once with SQLITE_BUSY in WAL mode instead of waiting out the busy timeout.
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};
use serde::Serialize;

use crate::store::stored::{get, stored_enum};
use crate::store::summary::{ChatKey, ChatSummary, Columns, Provider, Source};
use crate::store::{Store, StoreError};

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn from_millis(value: Option<i64>) -> Option<DateTime<Utc>> {
    value.and_then(|ms| Utc.timestamp_millis_opt(ms).single())
}

/// Webhook records kept; older ones are pruned.
pub const WEBHOOK_EVENTS_KEPT: i64 = 50_000;
/// Bytes of webhook bodies kept across all records; beyond it the oldest bodies are dropped
/// (their records, with size and hash, stay until the row cap prunes them).
pub const WEBHOOK_BODY_BYTES_KEPT: u64 = 64 * 1024 * 1024;
/// Once over the budget, bodies are dropped down to this share of it, so that pruning runs once
/// per many deliveries rather than on each.
const WEBHOOK_BODY_PRUNE_TO: (u64, u64) = (7, 8);
/// Longest event key and reason stored: both can come from a sender without the secret (the
/// `x-wegly-event` header), and a refused delivery must cost a bounded row.
const WEBHOOK_EVENT_KEY_CHARS: usize = 200;
const WEBHOOK_REASON_CHARS: usize = 1000;

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

/// `text` cut to at most `chars` characters, marked with `…` when cut.
fn bounded(text: Option<&str>, chars: usize) -> Option<String> {
    text.map(|text| match text.char_indices().nth(chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    })
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
}

const SUMMARY_COLUMNS: &str = "account, provider, chat_id, status, priority, contact, contact_number, line, \
     responsible_user_id, responsible_name, unread, marked_unread, last_message_at, last_message_preview, \
     last_message_from_me, window_ends_at, archived, first_seen_at, last_event_at, hydrated_at, source, gone, \
     needs_hydration, last_error";

/// The key columns of a chat row as [`SUMMARY_COLUMNS`] and the chat queries select them:
/// account, provider, chat id.
const CHAT_KEY: &[usize] = &[0, 1, 2];

fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<ChatSummary> {
    Ok(ChatSummary {
        key: ChatKey {
            account: row.get(0)?,
            provider: get(row, 1, "chats", CHAT_KEY)?,
            chat_id: row.get(2)?,
        },
        columns: Columns {
            status: row.get(3)?,
            priority: row.get(4)?,
            contact: row.get(5)?,
            contact_number: row.get(6)?,
            line: row.get(7)?,
            responsible_user_id: row.get(8)?,
            responsible_name: row.get(9)?,
            unread: row.get(10)?,
            marked_unread: row.get(11)?,
            last_message_at: from_millis(row.get(12)?),
            last_message_preview: row.get(13)?,
            last_message_from_me: row.get(14)?,
            window_ends_at: from_millis(row.get(15)?),
            archived: row.get(16)?,
        },
        first_seen_at: from_millis(row.get(17)?).unwrap_or_default(),
        last_event_at: from_millis(row.get(18)?),
        hydrated_at: from_millis(row.get(19)?),
        source: get(row, 20, "chats", CHAT_KEY)?,
        gone: row.get(21)?,
        needs_hydration: row.get(22)?,
        last_error: row.get(23)?,
    })
}

impl Store {
    /// Adds a chat to hydrate (or asks again for a known one). Returns true when it is new.
    pub fn note_chat(
        &self,
        key: &ChatKey,
        source: Source,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut connection = self.lock();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.error(&e))?;
        let known: Option<i64> = transaction
            .query_row(
                "SELECT 1 FROM chats WHERE account = ?1 AND provider = ?2 AND chat_id = ?3",
                params![key.account, key.provider, key.chat_id],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.error(&e))?;
        transaction
            .execute(
                "INSERT INTO chats (account, provider, chat_id, first_seen_at, source, needs_hydration)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1)
                 ON CONFLICT (account, provider, chat_id) DO UPDATE SET
                     needs_hydration = 1, gone = 0, next_attempt_at = NULL, hydrate_attempts = 0",
                params![key.account, key.provider, key.chat_id, millis(now), source],
            )
            .map_err(|e| self.error(&e))?;
        transaction.commit().map_err(|e| self.error(&e))?;
        Ok(known.is_none())
    }

    /// A webhook named the chat: remember it, take the payload's columns as provisional (they
    /// show at once; the fetch that follows is authoritative), and ask for a fetch.
    pub fn note_webhook(
        &self,
        key: &ChatKey,
        provisional: Option<&Columns>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut connection = self.lock();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.error(&e))?;
        transaction
            .execute(
                "INSERT INTO chats (account, provider, chat_id, first_seen_at, last_event_at, source, needs_hydration)
                 VALUES (?1, ?2, ?3, ?4, ?4, ?5, 1)
                 ON CONFLICT (account, provider, chat_id) DO UPDATE SET
                     last_event_at = ?4, needs_hydration = 1, gone = 0, next_attempt_at = NULL, hydrate_attempts = 0",
                params![key.account, key.provider, key.chat_id, millis(now), Source::Webhook],
            )
            .map_err(|e| self.error(&e))?;
        if let Some(columns) = provisional {
            write_columns(&transaction, key, columns).map_err(|e| self.error(&e))?;
        }
        transaction.commit().map_err(|e| self.error(&e))
    }

    /// A fetch succeeded: store the detail as received and its columns.
    pub fn save_detail(
        &self,
        key: &ChatKey,
        raw: &str,
        columns: &Columns,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut connection = self.lock();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.error(&e))?;
        write_detail(&transaction, key, raw, columns, now).map_err(|e| self.error(&e))?;
        transaction.commit().map_err(|e| self.error(&e))
    }

    /// Stores many fetched details in one transaction (imports, benchmarks, bulk refreshes).
    pub fn save_details(
        &self,
        batch: &[(ChatKey, String, Columns)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut connection = self.lock();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.error(&e))?;
        for (key, raw, columns) in batch {
            write_detail(&transaction, key, raw, columns, now).map_err(|e| self.error(&e))?;
        }
        transaction.commit().map_err(|e| self.error(&e))
    }

    /// The CRM answered 404: keep the row, flag it, stop fetching it.
    pub fn mark_gone(&self, key: &ChatKey, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.lock()
            .execute(
                "UPDATE chats SET gone = 1, needs_hydration = 0, next_attempt_at = NULL, hydrated_at = ?4,
                     last_error = 'not found (HTTP 404)'
                 WHERE account = ?1 AND provider = ?2 AND chat_id = ?3",
                params![key.account, key.provider, key.chat_id, millis(now)],
            )
            .map_err(|e| self.error(&e))
            .map(drop)
    }

    /// A fetch failed: try again at `retry_at`. Returns the number of failed attempts so far.
    pub fn hydration_failed(
        &self,
        key: &ChatKey,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.lock()
            .query_row(
                "UPDATE chats SET hydrate_attempts = hydrate_attempts + 1, next_attempt_at = ?4, last_error = ?5
                 WHERE account = ?1 AND provider = ?2 AND chat_id = ?3 RETURNING hydrate_attempts",
                params![key.account, key.provider, key.chat_id, millis(retry_at), error],
                |row| row.get(0),
            )
            .optional()
            .map(Option::unwrap_or_default)
            .map_err(|e| self.error(&e))
    }

    /// Failed attempts so far for a chat.
    pub fn attempts(&self, key: &ChatKey) -> Result<i64, StoreError> {
        self.lock()
            .query_row(
                "SELECT hydrate_attempts FROM chats WHERE account = ?1 AND provider = ?2 AND chat_id = ?3",
                params![key.account, key.provider, key.chat_id],
                |row| row.get(0),
            )
            .optional()
            .map(Option::unwrap_or_default)
            .map_err(|e| self.error(&e))
    }

    /// Chats whose fetch is due now, most recently active first.
    pub fn due_for_hydration(
        &self,
        accounts: &[String],
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ChatKey>, StoreError> {
        let accounts = serde_json::to_string(accounts).unwrap_or_else(|_| "[]".to_owned());
        let connection = self.lock();
        let mut statement = connection
            .prepare_cached(
                "SELECT account, provider, chat_id FROM chats
                 WHERE needs_hydration = 1 AND gone = 0 AND (next_attempt_at IS NULL OR next_attempt_at <= ?1)
                   AND account IN (SELECT value FROM json_each(?3))
                 ORDER BY last_event_at DESC NULLS LAST LIMIT ?2",
            )
            .map_err(|e| self.error(&e))?;
        let rows = statement
            .query_map(
                params![
                    millis(now),
                    i64::try_from(limit).unwrap_or(i64::MAX),
                    accounts
                ],
                |row| {
                    Ok(ChatKey {
                        account: row.get(0)?,
                        provider: get(row, 1, "chats", CHAT_KEY)?,
                        chat_id: row.get(2)?,
                    })
                },
            )
            .map_err(|e| self.error(&e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.error(&e))
    }

    /// The earliest time a waiting fetch becomes due, if any is waiting.
    pub fn next_retry_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let value: Option<i64> = self
            .lock()
            .query_row(
                "SELECT min(next_attempt_at) FROM chats WHERE needs_hydration = 1 AND gone = 0",
                [],
                |row| row.get(0),
            )
            .map_err(|e| self.error(&e))?;
        Ok(from_millis(value))
    }

    /// Every chat's summary, for the list. Never touches the stored details.
    pub fn summaries(&self) -> Result<Vec<ChatSummary>, StoreError> {
        let connection = self.lock();
        let mut statement = connection
            .prepare_cached(&format!("SELECT {SUMMARY_COLUMNS} FROM chats"))
            .map_err(|e| self.error(&e))?;
        let rows = statement
            .query_map([], summary_from_row)
            .map_err(|e| self.error(&e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.error(&e))
    }

    /// The `limit` most urgent chats, in the order [`crate::inbox::rank`] gives, read with one
    /// sorted query so the first screen can show before every row is loaded.
    pub fn first_page(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ChatSummary>, StoreError> {
        let connection = self.lock();
        let mut statement = connection
            .prepare_cached(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM chats ORDER BY
                    (archived OR gone) ASC,
                    COALESCE(priority, 1) DESC,
                    (window_ends_at IS NULL OR window_ends_at <= ?1) ASC,
                    CASE WHEN window_ends_at > ?1 THEN window_ends_at ELSE 0 END ASC,
                    (last_message_from_me IS NULL OR last_message_from_me <> 0) ASC,
                    (last_message_at IS NOT NULL) ASC,
                    COALESCE(last_message_at, 0) ASC,
                    account, provider, chat_id
                 LIMIT ?2"
            ))
            .map_err(|e| self.error(&e))?;
        let rows = statement
            .query_map(
                params![millis(now), i64::try_from(limit).unwrap_or(i64::MAX)],
                summary_from_row,
            )
            .map_err(|e| self.error(&e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.error(&e))
    }

    /// One chat's summary.
    pub fn summary(&self, key: &ChatKey) -> Result<Option<ChatSummary>, StoreError> {
        self.lock()
            .query_row(
                &format!("SELECT {SUMMARY_COLUMNS} FROM chats WHERE account = ?1 AND provider = ?2 AND chat_id = ?3"),
                params![key.account, key.provider, key.chat_id],
                summary_from_row,
            )
            .optional()
            .map_err(|e| self.error(&e))
    }

    /// The last detail received, as the server sent it.
    pub fn detail(&self, key: &ChatKey) -> Result<Option<String>, StoreError> {
        self.lock()
            .query_row(
                "SELECT detail FROM chat_details WHERE account = ?1 AND provider = ?2 AND chat_id = ?3",
                params![key.account, key.provider, key.chat_id],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.error(&e))
    }

    /// Forgets a chat (the CRM keeps it). Returns whether it was there.
    pub fn remove_chat(&self, key: &ChatKey) -> Result<bool, StoreError> {
        let mut connection = self.lock();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.error(&e))?;
        let removed = transaction
            .execute(
                "DELETE FROM chats WHERE account = ?1 AND provider = ?2 AND chat_id = ?3",
                params![key.account, key.provider, key.chat_id],
            )
            .map_err(|e| self.error(&e))?;
        transaction
            .execute(
                "DELETE FROM chat_details WHERE account = ?1 AND provider = ?2 AND chat_id = ?3",
                params![key.account, key.provider, key.chat_id],
            )
            .map_err(|e| self.error(&e))?;
        transaction.commit().map_err(|e| self.error(&e))?;
        Ok(removed > 0)
    }

    /// Records a webhook delivery, keeping the newest [`WEBHOOK_EVENTS_KEPT`] records and at
    /// most [`WEBHOOK_BODY_BYTES_KEPT`] bytes of their bodies.
    pub fn record_webhook(&self, record: &WebhookRecord) -> Result<(), StoreError> {
        self.record_webhook_within(record, WEBHOOK_BODY_BYTES_KEPT)
    }

    /// Records a webhook delivery, keeping at most `body_bytes_kept` bytes of bodies: beyond
    /// that, the oldest bodies are dropped (their records stay, with size and hash). A refused
    /// delivery's body is never stored.
    pub fn record_webhook_within(
        &self,
        record: &WebhookRecord,
        body_bytes_kept: u64,
    ) -> Result<(), StoreError> {
        let keep_body = record.outcome != WebhookOutcome::Refused && !record.raw_body.is_empty();
        let mut connection = self.lock();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.error(&e))?;
        transaction
            .execute(
                "INSERT INTO webhook_events (received_at, provider, account, event_key, outcome, reason, chat_id, raw_body, body_size, body_sha256)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    millis(record.received_at),
                    record.provider,
                    record.account,
                    bounded(record.event_key.as_deref(), WEBHOOK_EVENT_KEY_CHARS),
                    record.outcome,
                    bounded(record.reason.as_deref(), WEBHOOK_REASON_CHARS),
                    record.chat_id,
                    keep_body.then_some(&record.raw_body),
                    i64::try_from(record.body_size).unwrap_or(i64::MAX),
                    record.body_sha256
                ],
            )
            .map_err(|e| self.error(&e))?;
        let id = transaction.last_insert_rowid();
        if id % 1000 == 0 {
            transaction
                .execute(
                    "DELETE FROM webhook_events WHERE id <= ?1",
                    [id - WEBHOOK_EVENTS_KEPT],
                )
                .map_err(|e| self.error(&e))?;
        }
        if keep_body {
            prune_webhook_bodies(&transaction, body_bytes_kept).map_err(|e| self.error(&e))?;
        }
        transaction.commit().map_err(|e| self.error(&e))
    }

    /// The most recent webhook deliveries, newest first.
    pub fn webhook_events(&self, limit: usize) -> Result<Vec<WebhookRecord>, StoreError> {
        let connection = self.lock();
        let mut statement = connection
            .prepare_cached(
                "SELECT received_at, provider, account, event_key, outcome, reason, chat_id, raw_body,
                        coalesce(body_size, length(raw_body), 0), body_sha256, id
                 FROM webhook_events ORDER BY id DESC LIMIT ?1",
            )
            .map_err(|e| self.error(&e))?;
        let rows = statement
            .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |row| {
                // The key is the record's id, selected last.
                let id = &[10];
                Ok(WebhookRecord {
                    received_at: from_millis(row.get(0)?).unwrap_or_default(),
                    provider: get(row, 1, "webhook_events", id)?,
                    account: row.get(2)?,
                    event_key: row.get(3)?,
                    outcome: get(row, 4, "webhook_events", id)?,
                    reason: row.get(5)?,
                    chat_id: row.get(6)?,
                    raw_body: row.get::<_, Option<Vec<u8>>>(7)?.unwrap_or_default(),
                    body_size: u64::try_from(row.get::<_, i64>(8)?).unwrap_or_default(),
                    body_sha256: row.get(9)?,
                })
            })
            .map_err(|e| self.error(&e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.error(&e))
    }

    /// Bytes of webhook bodies stored, as counted by the index's triggers.
    pub fn webhook_body_bytes(&self) -> Result<u64, StoreError> {
        let total: i64 = self
            .lock()
            .query_row("SELECT total FROM webhook_body_bytes", [], |row| row.get(0))
            .map_err(|e| self.error(&e))?;
        Ok(u64::try_from(total).unwrap_or_default())
    }

    /// Records one change made in a CRM.
    pub fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        self.lock()
            .execute(
                "INSERT INTO audit_log (at, account, provider, action, chat_id, request, before, after, outcome, http_status)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    millis(entry.at),
                    entry.key.account,
                    entry.key.provider,
                    entry.action,
                    entry.key.chat_id,
                    entry.request,
                    entry.before,
                    entry.after,
                    entry.outcome,
                    entry.http_status
                ],
            )
            .map_err(|e| self.error(&e))
            .map(drop)
    }

    /// The most recent audit entries, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let connection = self.lock();
        let mut statement = connection
            .prepare_cached(
                "SELECT at, account, provider, action, chat_id, request, before, after, outcome, http_status, id
                 FROM audit_log ORDER BY id DESC LIMIT ?1",
            )
            .map_err(|e| self.error(&e))?;
        let rows = statement
            .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |row| {
                Ok(AuditEntry {
                    at: from_millis(row.get(0)?).unwrap_or_default(),
                    key: ChatKey {
                        account: row.get(1)?,
                        // The key is the entry's id, selected last.
                        provider: get(row, 2, "audit_log", &[10])?,
                        chat_id: row.get(4)?,
                    },
                    action: row.get(3)?,
                    request: row.get(5)?,
                    before: row.get(6)?,
                    after: row.get(7)?,
                    outcome: row.get(8)?,
                    http_status: row.get(9)?,
                })
            })
            .map_err(|e| self.error(&e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.error(&e))
    }
}

/// A fetched detail: the row (created if new), its columns, the detail itself, and the
/// bookkeeping that says it is fresh.
/// Drops the oldest stored bodies once their bytes exceed `kept`, down to a share of it. The
/// total is a counter the schema's triggers keep, and the oldest bodies are found through a
/// partial index, so the cost does not grow with the number of records.
fn prune_webhook_bodies(connection: &rusqlite::Connection, kept: u64) -> rusqlite::Result<()> {
    let total: i64 =
        connection.query_row("SELECT total FROM webhook_body_bytes", [], |row| row.get(0))?;
    let total = u64::try_from(total).unwrap_or_default();
    if total <= kept {
        return Ok(());
    }
    let (share, of) = WEBHOOK_BODY_PRUNE_TO;
    let excess = total - kept / of * share;
    let mut statement = connection.prepare_cached(
        "SELECT id, length(raw_body) FROM webhook_events WHERE raw_body IS NOT NULL ORDER BY id",
    )?;
    let mut rows = statement.query([])?;
    let mut freed = 0_u64;
    let mut last = None;
    while freed < excess
        && let Some(row) = rows.next()?
    {
        last = Some(row.get::<_, i64>(0)?);
        freed += u64::try_from(row.get::<_, i64>(1)?).unwrap_or_default();
    }
    drop(rows);
    if let Some(last) = last {
        connection.execute(
            "UPDATE webhook_events SET raw_body = NULL WHERE raw_body IS NOT NULL AND id <= ?1",
            [last],
        )?;
    }
    Ok(())
}

fn write_detail(
    transaction: &rusqlite::Transaction<'_>,
    key: &ChatKey,
    raw: &str,
    columns: &Columns,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let (account, provider, chat_id) = (&key.account, key.provider, &key.chat_id);
    transaction.execute(
        "INSERT INTO chats (account, provider, chat_id, first_seen_at, source) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (account, provider, chat_id) DO NOTHING",
        params![account, provider, chat_id, millis(now), Source::Manual],
    )?;
    write_columns(transaction, key, columns)?;
    transaction.execute(
        "UPDATE chats SET hydrated_at = ?4, needs_hydration = 0, hydrate_attempts = 0,
             next_attempt_at = NULL, last_error = NULL, gone = 0
         WHERE account = ?1 AND provider = ?2 AND chat_id = ?3",
        params![account, provider, chat_id, millis(now)],
    )?;
    transaction.execute(
        "INSERT INTO chat_details (account, provider, chat_id, detail) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (account, provider, chat_id) DO UPDATE SET detail = ?4",
        params![account, provider, chat_id, raw],
    )?;
    Ok(())
}

fn write_columns(
    transaction: &rusqlite::Transaction<'_>,
    key: &ChatKey,
    columns: &Columns,
) -> rusqlite::Result<usize> {
    transaction.execute(
        "UPDATE chats SET status = ?4, priority = ?5, contact = ?6, contact_number = ?7, line = ?8,
             responsible_user_id = ?9, responsible_name = ?10, unread = ?11, marked_unread = ?12,
             last_message_at = ?13, last_message_preview = ?14, last_message_from_me = ?15,
             window_ends_at = ?16, archived = ?17
         WHERE account = ?1 AND provider = ?2 AND chat_id = ?3",
        params![
            key.account,
            key.provider,
            key.chat_id,
            columns.status,
            columns.priority,
            columns.contact,
            columns.contact_number,
            columns.line,
            columns.responsible_user_id,
            columns.responsible_name,
            columns.unread,
            columns.marked_unread,
            columns.last_message_at.map(millis),
            columns.last_message_preview,
            columns.last_message_from_me,
            columns.window_ends_at.map(millis),
            columns.archived
        ],
    )
}
