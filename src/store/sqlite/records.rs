//! The SQLite index's chat rows, their details and the audit log.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use crate::store::StoreError;
use crate::store::records::{AuditEntry, StoredDetail, from_millis, limit_param, millis};
use crate::store::sqlite::SqliteIndex;
use crate::store::stored::get;
use crate::store::summary::{ChatKey, ChatSummary, Columns, SearchFields, Source};

pub(super) const SUMMARY_COLUMNS: &str = "account, provider, chat_id, status, priority, contact, contact_number, line, \
     responsible_user_id, responsible_name, unread, marked_unread, last_message_at, last_message_preview, \
     last_message_from_me, window_ends_at, archived, first_seen_at, last_event_at, hydrated_at, source, gone, \
     needs_hydration, last_error";

/// The key columns of a chat row as [`SUMMARY_COLUMNS`] and the chat queries select them:
/// account, provider, chat id.
pub(super) const CHAT_KEY: &[usize] = &[0, 1, 2];

/// An audit entry's columns, as [`audit_from_row`] reads them.
pub(super) const AUDIT_COLUMNS: &str = "at, account, provider, action, chat_id, request, before, after, outcome, http_status, id, \
     by_name, batch, undo";

/// A chat's key as a query selects it first (account, provider, chat id), exactly as stored:
/// respelling it would name another row.
pub(super) fn key_from_row(row: &Row<'_>) -> rusqlite::Result<ChatKey> {
    Ok(ChatKey {
        account: row.get(0)?,
        provider: get(row, 1, "chats", CHAT_KEY)?,
        chat_id: row.get(2)?,
    })
}

/// `accounts` as the JSON array a query's `json_each` reads.
pub(super) fn account_list(accounts: &[String]) -> String {
    serde_json::to_string(accounts).unwrap_or_else(|_| "[]".to_owned())
}

pub(super) fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<ChatSummary> {
    Ok(ChatSummary {
        key: key_from_row(row)?,
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

/// The searched text of a row as [`SUMMARY_COLUMNS`] selects it, borrowed from the row.
fn search_fields<'a>(row: &'a Row<'_>) -> rusqlite::Result<SearchFields<'a>> {
    let text =
        |at: usize| -> rusqlite::Result<Option<&'a str>> { Ok(row.get_ref(at)?.as_str_or_null()?) };
    Ok(SearchFields {
        contact: text(5)?,
        contact_number: text(6)?,
        last_message_preview: text(13)?,
        responsible_name: text(9)?,
        line: text(7)?,
        account: row.get_ref(0)?.as_str()?,
        chat_id: row.get_ref(2)?.as_str()?,
    })
}

impl SqliteIndex {
    /// Adds a chat to hydrate (or asks again for a known one). Returns true when it is new.
    pub fn note_chat(
        &self,
        key: &ChatKey,
        source: Source,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.write(|transaction| {
            let known: Option<i64> = transaction
                .query_row(
                    "SELECT 1 FROM chats WHERE account = ?1 AND provider = ?2 AND chat_id = ?3",
                    params![key.account, key.provider, key.chat_id],
                    |row| row.get(0),
                )
                .optional()?;
            transaction.execute(
                "INSERT INTO chats (account, provider, chat_id, first_seen_at, source, needs_hydration)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1)
                 ON CONFLICT (account, provider, chat_id) DO UPDATE SET
                     needs_hydration = 1, gone = 0, next_attempt_at = NULL, hydrate_attempts = 0",
                params![key.account, key.provider, key.chat_id, millis(now), source],
            )?;
            Ok(known.is_none())
        })
    }

    /// A webhook named the chat: remember it, take the payload's columns as provisional (they
    /// show at once; the fetch that follows is authoritative), and ask for a fetch.
    pub fn note_webhook(
        &self,
        key: &ChatKey,
        provisional: Option<&Columns>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(|transaction| {
            transaction.execute(
                "INSERT INTO chats (account, provider, chat_id, first_seen_at, last_event_at, source, needs_hydration)
                 VALUES (?1, ?2, ?3, ?4, ?4, ?5, 1)
                 ON CONFLICT (account, provider, chat_id) DO UPDATE SET
                     last_event_at = ?4, needs_hydration = 1, gone = 0, next_attempt_at = NULL, hydrate_attempts = 0",
                params![key.account, key.provider, key.chat_id, millis(now), Source::Webhook],
            )?;
            if let Some(columns) = provisional {
                write_columns(transaction, key, columns)?;
            }
            Ok(())
        })
    }

    /// A fetch succeeded: store the detail as received and its columns.
    pub fn save_detail(
        &self,
        key: &ChatKey,
        raw: &str,
        columns: &Columns,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(|transaction| write_detail(transaction, key, raw, columns, now))
    }

    /// Stores a room as Agilize sent it, after a change or in a webhook. Agilize stamps every
    /// change on the room's one time, but a change is not a message: the row it replaces is read
    /// in the same transaction, and while the last message is the same its time is kept
    /// ([`Columns::keeping_message_time`]).
    pub fn save_room(
        &self,
        key: &ChatKey,
        raw: &str,
        columns: &Columns,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(|transaction| {
            let before = transaction
                .query_row(
                    &format!("SELECT {SUMMARY_COLUMNS} FROM chats WHERE account = ?1 AND provider = ?2 AND chat_id = ?3"),
                    params![key.account, key.provider, key.chat_id],
                    summary_from_row,
                )
                .optional()?;
            let columns = match before {
                Some(before) => columns.clone().keeping_message_time(&before.columns),
                None => columns.clone(),
            };
            write_detail(transaction, key, raw, &columns, now)
        })
    }

    /// Stores many fetched details in one transaction (imports, benchmarks, bulk refreshes).
    pub fn save_details(
        &self,
        batch: &[(ChatKey, String, Columns)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(|transaction| {
            for (key, raw, columns) in batch {
                write_detail(transaction, key, raw, columns, now)?;
            }
            Ok(())
        })
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

    /// The summaries of the chats whose searched text `keep` accepts, the text borrowed from the
    /// row as SQLite steps through it: a row left out allocates nothing.
    pub fn summaries_where(
        &self,
        keep: &mut dyn FnMut(SearchFields<'_>) -> bool,
    ) -> Result<Vec<ChatSummary>, StoreError> {
        let connection = self.lock();
        let mut statement = connection
            .prepare_cached(&format!("SELECT {SUMMARY_COLUMNS} FROM chats"))
            .map_err(|e| self.error(&e))?;
        let mut rows = statement.query([]).map_err(|e| self.error(&e))?;
        let mut kept = Vec::new();
        while let Some(row) = rows.next().map_err(|e| self.error(&e))? {
            let fields = search_fields(row).map_err(|e| self.error(&e))?;
            if keep(fields) {
                kept.push(summary_from_row(row).map_err(|e| self.error(&e))?);
            }
        }
        Ok(kept)
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
            .query_map(params![millis(now), limit_param(limit)], summary_from_row)
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

    /// A chat's stored detail and when it was fetched, in one read.
    pub fn detail_as_of(&self, key: &ChatKey) -> Result<Option<StoredDetail>, StoreError> {
        self.lock()
            .query_row(
                "SELECT d.detail, c.hydrated_at FROM chat_details d
                 JOIN chats c USING (account, provider, chat_id)
                 WHERE d.account = ?1 AND d.provider = ?2 AND d.chat_id = ?3",
                params![key.account, key.provider, key.chat_id],
                |row| {
                    Ok(StoredDetail {
                        raw: row.get(0)?,
                        fetched_at: from_millis(row.get(1)?),
                    })
                },
            )
            .optional()
            .map_err(|e| self.error(&e))
    }

    /// Forgets a chat (the CRM keeps it). Returns whether it was there.
    pub fn remove_chat(&self, key: &ChatKey) -> Result<bool, StoreError> {
        self.write(|transaction| {
            let removed = transaction.execute(
                "DELETE FROM chats WHERE account = ?1 AND provider = ?2 AND chat_id = ?3",
                params![key.account, key.provider, key.chat_id],
            )?;
            transaction.execute(
                "DELETE FROM chat_details WHERE account = ?1 AND provider = ?2 AND chat_id = ?3",
                params![key.account, key.provider, key.chat_id],
            )?;
            Ok(removed > 0)
        })
    }

    /// Records one change made in a CRM.
    pub fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        self.lock()
            .execute(
                "INSERT INTO audit_log (at, account, provider, action, chat_id, request, before, after, outcome, http_status, by_name, batch, undo)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
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
                    entry.http_status,
                    entry.by,
                    entry.batch,
                    entry.undo
                ],
            )
            .map_err(|e| self.error(&e))
            .map(drop)
    }

    /// The most recent audit entries, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let connection = self.lock();
        let mut statement = connection
            .prepare_cached(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY id DESC LIMIT ?1"
            ))
            .map_err(|e| self.error(&e))?;
        let rows = statement
            .query_map([limit_param(limit)], audit_from_row)
            .map_err(|e| self.error(&e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.error(&e))
    }
}

/// An audit entry as [`AUDIT_COLUMNS`] selects it.
pub(super) fn audit_from_row(row: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        at: from_millis(row.get(0)?).unwrap_or_default(),
        key: ChatKey {
            account: row.get(1)?,
            // The key is the entry's id, selected after the entry's columns.
            provider: get(row, 2, "audit_log", &[10])?,
            chat_id: row.get(4)?,
        },
        action: row.get(3)?,
        request: row.get(5)?,
        before: row.get(6)?,
        after: row.get(7)?,
        outcome: row.get(8)?,
        http_status: row.get(9)?,
        by: row.get(11)?,
        batch: row.get(12)?,
        undo: row.get(13)?,
    })
}

/// A fetched detail: the row (created if new), its columns, the detail itself, and the
/// bookkeeping that says it is fresh.
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
