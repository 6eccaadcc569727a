//! The shared index's chat rows, their details and the audit log: the SQLite file's operations
//! with PostgreSQL's types, each write one transaction.

use chrono::{DateTime, Utc};
use postgres::{GenericClient, Row, ToStatement};

use crate::store::StoreError;
use crate::store::postgres::PgIndex;
use crate::store::postgres::rows::{CHAT_KEY, key_params, key_part, limit_param};
use crate::store::records::{AuditEntry, StoredDetail, from_millis, millis};
use crate::store::summary::{ChatKey, ChatSummary, Columns, Source};

pub(super) const SUMMARY_COLUMNS: &str = "account, provider, chat_id, status, priority, contact, contact_number, line, \
     responsible_user_id, responsible_name, unread, marked_unread, last_message_at, last_message_preview, \
     last_message_from_me, window_ends_at, archived, first_seen_at, last_event_at, hydrated_at, source, gone, \
     needs_hydration, last_error";

/// The columns a write sets, as `$4` to `$17` of the statements below, after the chat's key.
const COLUMNS_SET: &str = "status = $4, priority = $5, contact = $6, contact_number = $7, line = $8, \
     responsible_user_id = $9, responsible_name = $10, unread = $11, marked_unread = $12, \
     last_message_at = $13, last_message_preview = $14, last_message_from_me = $15, \
     window_ends_at = $16, archived = $17";

/// A fetched detail's row: created if new (first seen now, added by hand), its columns, and the
/// bookkeeping that says it is fresh. One statement, so one round trip.
const WRITE_DETAIL_ROW: &str = "INSERT INTO chats (account, provider, chat_id, status, priority, contact,
         contact_number, line, responsible_user_id, responsible_name, unread, marked_unread,
         last_message_at, last_message_preview, last_message_from_me, window_ends_at, archived,
         first_seen_at, source, hydrated_at, needs_hydration)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $18, FALSE)
     ON CONFLICT (account, provider, chat_id) DO UPDATE SET
         status = $4, priority = $5, contact = $6, contact_number = $7, line = $8,
         responsible_user_id = $9, responsible_name = $10, unread = $11, marked_unread = $12,
         last_message_at = $13, last_message_preview = $14, last_message_from_me = $15,
         window_ends_at = $16, archived = $17,
         hydrated_at = $18, needs_hydration = FALSE, hydrate_attempts = 0, next_attempt_at = NULL,
         last_error = NULL, gone = FALSE";

const WRITE_DETAIL: &str =
    "INSERT INTO chat_details (account, provider, chat_id, detail) VALUES ($1, $2, $3, $4)
     ON CONFLICT (account, provider, chat_id) DO UPDATE SET detail = $4";

impl PgIndex {
    pub(super) fn summary_from_row(&self, row: &Row) -> Result<ChatSummary, StoreError> {
        Ok(ChatSummary {
            key: self.key_from_row(row)?,
            columns: columns_from_row(row, 3).map_err(|error| self.error(&error))?,
            first_seen_at: from_millis(Some(self.column(row, 17)?)).unwrap_or_default(),
            last_event_at: from_millis(self.column(row, 18)?),
            hydrated_at: from_millis(self.column(row, 19)?),
            source: self.stored(row, 20, "chats", CHAT_KEY)?,
            gone: self.column(row, 21)?,
            needs_hydration: self.column(row, 22)?,
            last_error: self.column(row, 23)?,
        })
    }

    fn summaries_from(&self, rows: &[Row]) -> Result<Vec<ChatSummary>, StoreError> {
        rows.iter().map(|row| self.summary_from_row(row)).collect()
    }

    /// Adds a chat to hydrate (or asks again for a known one). Returns true when it is new.
    pub fn note_chat(
        &self,
        key: &ChatKey,
        source: Source,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        // The CTE reads the table as it was before the statement: whether the chat was known.
        let row = self.with_client(|client| {
            client.query_one(
                "WITH known AS (
                     SELECT 1 FROM chats WHERE account = $1 AND provider = $2 AND chat_id = $3
                 )
                 INSERT INTO chats (account, provider, chat_id, first_seen_at, source, needs_hydration)
                 VALUES ($1, $2, $3, $4, $5, TRUE)
                 ON CONFLICT (account, provider, chat_id) DO UPDATE SET
                     needs_hydration = TRUE, gone = FALSE, next_attempt_at = NULL, hydrate_attempts = 0
                 RETURNING NOT EXISTS (SELECT 1 FROM known)",
                &[
                    &key.account,
                    &key.provider,
                    &key.chat_id,
                    &millis(now),
                    &source,
                ],
            )
        })?;
        self.column(&row, 0)
    }

    /// A webhook named the chat: remember it, take the payload's columns as provisional (they
    /// show at once; the fetch that follows is authoritative), and ask for a fetch.
    pub fn note_webhook(
        &self,
        key: &ChatKey,
        provisional: Option<&Columns>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let [account, provider, chat_id] = key_params(key);
        let at = millis(now);
        let noted = "INSERT INTO chats (account, provider, chat_id, first_seen_at, last_event_at, source, needs_hydration)
             VALUES ($1, $2, $3, $4, $4, $5, TRUE)
             ON CONFLICT (account, provider, chat_id) DO UPDATE SET
                 last_event_at = $4, needs_hydration = TRUE, gone = FALSE, next_attempt_at = NULL,
                 hydrate_attempts = 0";
        self.with_client(|client| {
            let mut transaction = client.transaction()?;
            transaction.execute(noted, &[account, provider, chat_id, &at, &Source::Webhook])?;
            if let Some(columns) = provisional {
                write_columns(&mut transaction, key, columns)?;
            }
            transaction.commit()
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
        self.with_client(|client| {
            let mut transaction = client.transaction()?;
            write_detail(
                &mut transaction,
                (WRITE_DETAIL_ROW, WRITE_DETAIL),
                key,
                raw,
                columns,
                now,
            )?;
            transaction.commit()
        })
    }

    /// Stores a room as Agilize sent it, after a change or in a webhook. The row it replaces is
    /// read, locked, in the same transaction, and while the last message is the same its time
    /// is kept ([`Columns::keeping_message_time`]).
    pub fn save_room(
        &self,
        key: &ChatKey,
        raw: &str,
        columns: &Columns,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.with_client(|client| {
            let mut transaction = client.transaction()?;
            let before = transaction.query_opt(
                "SELECT status, priority, contact, contact_number, line, responsible_user_id,
                        responsible_name, unread, marked_unread, last_message_at,
                        last_message_preview, last_message_from_me, window_ends_at, archived
                 FROM chats WHERE account = $1 AND provider = $2 AND chat_id = $3 FOR UPDATE",
                &key_params(key),
            )?;
            let columns = match before {
                Some(before) => columns
                    .clone()
                    .keeping_message_time(&columns_from_row(&before, 0)?),
                None => columns.clone(),
            };
            write_detail(
                &mut transaction,
                (WRITE_DETAIL_ROW, WRITE_DETAIL),
                key,
                raw,
                &columns,
                now,
            )?;
            transaction.commit()
        })
    }

    /// Stores many fetched details in one transaction (imports, benchmarks, bulk refreshes),
    /// each statement prepared once.
    pub fn save_details(
        &self,
        batch: &[(ChatKey, String, Columns)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.with_client(|client| {
            let mut transaction = client.transaction()?;
            let row = transaction.prepare(WRITE_DETAIL_ROW)?;
            let detail = transaction.prepare(WRITE_DETAIL)?;
            for (key, raw, columns) in batch {
                write_detail(&mut transaction, (&row, &detail), key, raw, columns, now)?;
            }
            transaction.commit()
        })
    }

    /// The CRM answered 404: keep the row, flag it, stop fetching it.
    pub fn mark_gone(&self, key: &ChatKey, now: DateTime<Utc>) -> Result<(), StoreError> {
        let [account, provider, chat_id] = key_params(key);
        self.with_client(|client| {
            client.execute(
                "UPDATE chats SET gone = TRUE, needs_hydration = FALSE, next_attempt_at = NULL,
                     hydrated_at = $4, last_error = 'not found (HTTP 404)'
                 WHERE account = $1 AND provider = $2 AND chat_id = $3",
                &[account, provider, chat_id, &millis(now)],
            )
        })
        .map(drop)
    }

    /// A fetch failed: try again at `retry_at`. Returns the number of failed attempts so far.
    pub fn hydration_failed(
        &self,
        key: &ChatKey,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let [account, provider, chat_id] = key_params(key);
        let row = self.with_client(|client| {
            client.query_opt(
                "UPDATE chats SET hydrate_attempts = hydrate_attempts + 1, next_attempt_at = $4,
                     last_error = $5
                 WHERE account = $1 AND provider = $2 AND chat_id = $3 RETURNING hydrate_attempts",
                &[account, provider, chat_id, &millis(retry_at), &error],
            )
        })?;
        row.map_or(Ok(0), |row| self.column(&row, 0))
    }

    /// Failed attempts so far for a chat.
    pub fn attempts(&self, key: &ChatKey) -> Result<i64, StoreError> {
        let row = self.with_client(|client| {
            client.query_opt(
                "SELECT hydrate_attempts FROM chats
                 WHERE account = $1 AND provider = $2 AND chat_id = $3",
                &key_params(key),
            )
        })?;
        row.map_or(Ok(0), |row| self.column(&row, 0))
    }

    /// Chats whose fetch is due now, most recently active first.
    pub fn due_for_hydration(
        &self,
        accounts: &[String],
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ChatKey>, StoreError> {
        let rows = self.with_client(|client| {
            client.query(
                "SELECT account, provider, chat_id FROM chats
                 WHERE needs_hydration AND NOT gone
                   AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
                   AND account = ANY($3)
                 ORDER BY last_event_at DESC NULLS LAST LIMIT $2",
                &[&millis(now), &limit_param(limit), &accounts],
            )
        })?;
        self.keys_from(&rows)
    }

    /// The earliest time a waiting fetch becomes due, if any is waiting.
    pub fn next_retry_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row = self.with_client(|client| {
            client.query_one(
                "SELECT min(next_attempt_at) FROM chats WHERE needs_hydration AND NOT gone",
                &[],
            )
        })?;
        Ok(from_millis(self.column(&row, 0)?))
    }

    /// Every chat's summary, for the list. Never touches the stored details.
    pub fn summaries(&self) -> Result<Vec<ChatSummary>, StoreError> {
        let rows = self.with_client(|client| {
            client.query(&format!("SELECT {SUMMARY_COLUMNS} FROM chats"), &[])
        })?;
        self.summaries_from(&rows)
    }

    /// The `limit` most urgent chats, in the order [`crate::inbox::rank`] gives, read with one
    /// sorted query so the first screen can show before every row is loaded. The same order
    /// as the SQLite index's query: no term is ever NULL (PostgreSQL sorts NULL last, SQLite
    /// first), and the key breaks ties byte by byte (`COLLATE "C"`, SQLite's BINARY) whatever
    /// the database's collation.
    pub fn first_page(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ChatSummary>, StoreError> {
        let rows = self.with_client(|client| {
            client.query(
                &format!(
                    "SELECT {SUMMARY_COLUMNS} FROM chats ORDER BY
                        (archived OR gone) ASC,
                        COALESCE(priority, 1) DESC,
                        (window_ends_at IS NULL OR window_ends_at <= $1) ASC,
                        CASE WHEN window_ends_at > $1 THEN window_ends_at ELSE 0 END ASC,
                        (last_message_from_me IS NULL OR last_message_from_me) ASC,
                        (last_message_at IS NOT NULL) ASC,
                        COALESCE(last_message_at, 0) ASC,
                        account COLLATE \"C\", provider COLLATE \"C\", chat_id COLLATE \"C\"
                     LIMIT $2"
                ),
                &[&millis(now), &limit_param(limit)],
            )
        })?;
        self.summaries_from(&rows)
    }

    /// One chat's summary.
    pub fn summary(&self, key: &ChatKey) -> Result<Option<ChatSummary>, StoreError> {
        let row = self.with_client(|client| {
            client.query_opt(
                &format!(
                    "SELECT {SUMMARY_COLUMNS} FROM chats
                     WHERE account = $1 AND provider = $2 AND chat_id = $3"
                ),
                &key_params(key),
            )
        })?;
        row.map(|row| self.summary_from_row(&row)).transpose()
    }

    /// The last detail received, as the server sent it.
    pub fn detail(&self, key: &ChatKey) -> Result<Option<String>, StoreError> {
        let row = self.with_client(|client| {
            client.query_opt(
                "SELECT detail FROM chat_details
                 WHERE account = $1 AND provider = $2 AND chat_id = $3",
                &key_params(key),
            )
        })?;
        row.map(|row| self.column(&row, 0)).transpose()
    }

    /// A chat's stored detail and when it was fetched, in one read.
    pub fn detail_as_of(&self, key: &ChatKey) -> Result<Option<StoredDetail>, StoreError> {
        let row = self.with_client(|client| {
            client.query_opt(
                "SELECT d.detail, c.hydrated_at FROM chat_details d
                 JOIN chats c USING (account, provider, chat_id)
                 WHERE d.account = $1 AND d.provider = $2 AND d.chat_id = $3",
                &key_params(key),
            )
        })?;
        row.map(|row| {
            Ok(StoredDetail {
                raw: self.column(&row, 0)?,
                fetched_at: from_millis(self.column(&row, 1)?),
            })
        })
        .transpose()
    }

    /// Forgets a chat (the CRM keeps it). Returns whether it was there.
    pub fn remove_chat(&self, key: &ChatKey) -> Result<bool, StoreError> {
        self.with_client(|client| {
            let mut transaction = client.transaction()?;
            let removed = transaction.execute(
                "DELETE FROM chats WHERE account = $1 AND provider = $2 AND chat_id = $3",
                &key_params(key),
            )?;
            transaction.execute(
                "DELETE FROM chat_details WHERE account = $1 AND provider = $2 AND chat_id = $3",
                &key_params(key),
            )?;
            transaction.commit()?;
            Ok(removed > 0)
        })
    }

    /// Records one change made in a CRM.
    pub fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let http_status = entry.http_status.map(i32::from);
        self.with_client(|client| {
            client.execute(
                "INSERT INTO audit_log (at, account, provider, action, chat_id, request, before,
                     after, outcome, http_status, by_name, batch)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                &[
                    &millis(entry.at),
                    &entry.key.account,
                    &entry.key.provider,
                    &entry.action,
                    &entry.key.chat_id,
                    &entry.request,
                    &entry.before,
                    &entry.after,
                    &entry.outcome,
                    &http_status,
                    &entry.by,
                    &entry.batch,
                ],
            )
        })
        .map(drop)
    }

    /// The most recent audit entries, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = self.with_client(|client| {
            client.query(
                &format!("SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY id DESC LIMIT $1"),
                &[&limit_param(limit)],
            )
        })?;
        rows.iter().map(|row| self.audit_from_row(row)).collect()
    }

    /// An audit entry as [`AUDIT_COLUMNS`] selects it.
    pub(super) fn audit_from_row(&self, row: &Row) -> Result<AuditEntry, StoreError> {
        // The key is the entry's id, selected after the entry's columns.
        let id = &[10];
        let http_status: Option<i32> = self.column(row, 9)?;
        let http_status = http_status
            .map(|status| {
                u16::try_from(status).map_err(|_| StoreError::Database {
                    index: self.shown(),
                    detail: format!(
                        "table audit_log, row {}: column http_status holds {status}, which is \
                         not an HTTP status",
                        key_part(row, 10)
                    ),
                })
            })
            .transpose()?;
        Ok(AuditEntry {
            at: from_millis(Some(self.column(row, 0)?)).unwrap_or_default(),
            key: ChatKey {
                account: self.column(row, 1)?,
                provider: self.stored(row, 2, "audit_log", id)?,
                chat_id: self.column(row, 4)?,
            },
            action: self.column(row, 3)?,
            request: self.column(row, 5)?,
            before: self.column(row, 6)?,
            after: self.column(row, 7)?,
            outcome: self.column(row, 8)?,
            http_status,
            by: self.column(row, 11)?,
            batch: self.column(row, 12)?,
        })
    }
}

/// An audit entry's columns, as [`PgIndex::audit_from_row`] reads them.
pub(super) const AUDIT_COLUMNS: &str = "at, account, provider, action, chat_id, request, before, \
     after, outcome, http_status, id, by_name, batch";

/// A chat's columns, selected in [`COLUMNS_SET`]'s order from column `from` on.
fn columns_from_row(row: &Row, from: usize) -> Result<Columns, postgres::Error> {
    Ok(Columns {
        status: row.try_get(from)?,
        priority: row.try_get(from + 1)?,
        contact: row.try_get(from + 2)?,
        contact_number: row.try_get(from + 3)?,
        line: row.try_get(from + 4)?,
        responsible_user_id: row.try_get(from + 5)?,
        responsible_name: row.try_get(from + 6)?,
        unread: row.try_get(from + 7)?,
        marked_unread: row.try_get(from + 8)?,
        last_message_at: from_millis(row.try_get(from + 9)?),
        last_message_preview: row.try_get(from + 10)?,
        last_message_from_me: row.try_get(from + 11)?,
        window_ends_at: from_millis(row.try_get(from + 12)?),
        archived: row.try_get(from + 13)?,
    })
}

/// A fetched detail: its row (created if new) with its columns and the bookkeeping that says
/// it is fresh, then the detail itself. `row` and `detail` are [`WRITE_DETAIL_ROW`] and
/// [`WRITE_DETAIL`], as text or prepared.
fn write_detail<S: ?Sized + ToStatement>(
    client: &mut impl GenericClient,
    (row, detail): (&S, &S),
    key: &ChatKey,
    raw: &str,
    columns: &Columns,
    now: DateTime<Utc>,
) -> Result<(), postgres::Error> {
    let fetched_at = millis(now);
    client.execute(
        row,
        &[
            &key.account,
            &key.provider,
            &key.chat_id,
            &columns.status,
            &columns.priority,
            &columns.contact,
            &columns.contact_number,
            &columns.line,
            &columns.responsible_user_id,
            &columns.responsible_name,
            &columns.unread,
            &columns.marked_unread,
            &columns.last_message_at.map(millis),
            &columns.last_message_preview,
            &columns.last_message_from_me,
            &columns.window_ends_at.map(millis),
            &columns.archived,
            &fetched_at,
            &Source::Manual,
        ],
    )?;
    client.execute(detail, &[&key.account, &key.provider, &key.chat_id, &raw])?;
    Ok(())
}

fn write_columns(
    client: &mut impl GenericClient,
    key: &ChatKey,
    columns: &Columns,
) -> Result<u64, postgres::Error> {
    let [account, provider, chat_id] = key_params(key);
    client.execute(
        &format!(
            "UPDATE chats SET {COLUMNS_SET} WHERE account = $1 AND provider = $2 AND chat_id = $3"
        ),
        &[
            account,
            provider,
            chat_id,
            &columns.status,
            &columns.priority,
            &columns.contact,
            &columns.contact_number,
            &columns.line,
            &columns.responsible_user_id,
            &columns.responsible_name,
            &columns.unread,
            &columns.marked_unread,
            &columns.last_message_at.map(millis),
            &columns.last_message_preview,
            &columns.last_message_from_me,
            &columns.window_ends_at.map(millis),
            &columns.archived,
        ],
    )
}
