//! The shared index's chat rows, their details and the audit log: the SQLite file's operations
//! with `PostgreSQL`'s types. Each write is one statement where it can be (atomic on its own, one
//! round trip with the statement prepared once), a transaction where it reads before it writes.

use chrono::{DateTime, Utc};
use postgres::types::ToSql;
use postgres::{GenericClient, Row, Statement};

use crate::store::StoreError;
use crate::store::postgres::PgIndex;
use crate::store::postgres::rows::{CHAT_KEY, key_params, key_part};
use crate::store::records::{AuditEntry, StoredDetail, from_millis, limit_param, millis};
use crate::store::summary::{ChatKey, ChatSummary, Columns, SearchFields, Source};

/// A chat row as the list reads it: its key, its list columns, its bookkeeping.
macro_rules! summary_columns {
    () => {
        "account, provider, chat_id, status, priority, contact, contact_number, line, \
         responsible_user_id, responsible_name, unread, marked_unread, last_message_at, \
         last_message_preview, last_message_from_me, window_ends_at, archived, first_seen_at, \
         last_event_at, hydrated_at, source, gone, needs_hydration, last_error"
    };
}

/// A chat row as the list reads it, as [`PgIndex::summary_from_row`] reads it.
pub(super) const SUMMARY_COLUMNS: &str = summary_columns!();

/// The list columns, in the order of [`chat_params`] (`$4` to `$17`).
macro_rules! list_columns {
    () => {
        "status, priority, contact, contact_number, line, responsible_user_id, responsible_name, \
         unread, marked_unread, last_message_at, last_message_preview, last_message_from_me, \
         window_ends_at, archived"
    };
}

/// The list columns set from [`chat_params`]' `$4` to `$17`.
macro_rules! list_columns_set {
    () => {
        "status = $4, priority = $5, contact = $6, contact_number = $7, line = $8, \
         responsible_user_id = $9, responsible_name = $10, unread = $11, marked_unread = $12, \
         last_message_at = $13, last_message_preview = $14, last_message_from_me = $15, \
         window_ends_at = $16, archived = $17"
    };
}

/// The chat `$1` to `$3` name.
macro_rules! the_chat {
    () => {
        " WHERE account = $1 AND provider = $2 AND chat_id = $3"
    };
}

/// An audit entry's columns, as [`PgIndex::audit_from_row`] reads them.
macro_rules! audit_columns {
    () => {
        "at, account, provider, action, chat_id, request, before, after, outcome, http_status, \
         id, by_name, batch, undo"
    };
}

/// An audit entry's columns, as [`PgIndex::audit_from_row`] reads them.
pub(super) const AUDIT_COLUMNS: &str = audit_columns!();

/// Writes the chat `$1` to `$3` name: `UPDATE chats SET $set` when its row is there, else
/// `INSERT` its `$columns` from `$values` (a row another process added meanwhile takes the same
/// `SET`). Updating first fires the revision trigger once per write, where a plain upsert fires
/// it for the insert it tries and again for the update it does: one revision and one
/// notification per change, not two. The CTE `updated` says whether the row was there; the
/// caller adds the statement's main query.
macro_rules! write_chat {
    ($set:expr, $columns:expr, $values:expr) => {
        concat!(
            "WITH updated AS (UPDATE chats SET ",
            $set,
            the_chat!(),
            " RETURNING 1), inserted AS (INSERT INTO chats (account, provider, chat_id, ",
            $columns,
            ") SELECT $1, $2, $3, ",
            $values,
            " WHERE NOT EXISTS (SELECT 1 FROM updated) ",
            "ON CONFLICT (account, provider, chat_id) DO UPDATE SET ",
            $set,
            ") "
        )
    };
}

/// A fetched chat: its row (created if new: first seen now, added by hand) with its list
/// columns and the bookkeeping that says it is fresh (`$18` is now, `$19` the source), and its
/// detail (`$20`), in one statement.
const WRITE_DETAIL: &str = concat!(
    write_chat!(
        concat!(
            list_columns_set!(),
            ", hydrated_at = $18, needs_hydration = FALSE, hydrate_attempts = 0, \
             next_attempt_at = NULL, last_error = NULL, gone = FALSE"
        ),
        concat!(
            list_columns!(),
            ", first_seen_at, source, hydrated_at, needs_hydration"
        ),
        "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $18, FALSE"
    ),
    "INSERT INTO chat_details (account, provider, chat_id, detail) VALUES ($1, $2, $3, $20) \
     ON CONFLICT (account, provider, chat_id) DO UPDATE SET detail = $20"
);

/// What a webhook, a note or a fetch failure's retry asks: fetch the chat again.
macro_rules! to_fetch {
    () => {
        "needs_hydration = TRUE, gone = FALSE, next_attempt_at = NULL, hydrate_attempts = 0"
    };
}

/// A chat to fetch, known from now (`$4`), added as `$5` says. Returns whether it is new.
const NOTE_CHAT: &str = concat!(
    write_chat!(
        to_fetch!(),
        "first_seen_at, source, needs_hydration",
        "$4, $5, TRUE"
    ),
    "SELECT NOT EXISTS (SELECT 1 FROM updated)"
);

/// A webhook named the chat: heard of now (`$4`), to fetch.
const NOTE_WEBHOOK: &str = concat!(
    write_chat!(
        concat!("last_event_at = $4, ", to_fetch!()),
        "first_seen_at, last_event_at, source, needs_hydration",
        "$4, $4, $5, TRUE"
    ),
    "SELECT 1"
);

/// The same, with the payload's list columns (`$4` to `$17`) as provisional; now is `$18`.
const NOTE_WEBHOOK_WITH_COLUMNS: &str = concat!(
    write_chat!(
        concat!(list_columns_set!(), ", last_event_at = $18, ", to_fetch!()),
        concat!(
            list_columns!(),
            ", first_seen_at, last_event_at, source, needs_hydration"
        ),
        "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18, $19, TRUE"
    ),
    "SELECT 1"
);

/// The two times of the list columns as stored (milliseconds): last message, window's end.
type StoredTimes = [Option<i64>; 2];

fn stored_times(columns: &Columns) -> StoredTimes {
    [
        columns.last_message_at.map(millis),
        columns.window_ends_at.map(millis),
    ]
}

/// `$1` to `$17`: the chat's key, then its list columns as `list_columns!` orders them.
fn chat_params<'a>(
    key: &'a ChatKey,
    columns: &'a Columns,
    times: &'a StoredTimes,
) -> Vec<&'a (dyn ToSql + Sync)> {
    vec![
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
        &times[0],
        &columns.last_message_preview,
        &columns.last_message_from_me,
        &times[1],
        &columns.archived,
    ]
}

/// A fetched chat and its detail ([`WRITE_DETAIL`], prepared).
fn write_detail(
    client: &mut impl GenericClient,
    statement: &Statement,
    key: &ChatKey,
    raw: &str,
    columns: &Columns,
    now: DateTime<Utc>,
) -> Result<u64, postgres::Error> {
    let times = stored_times(columns);
    let fetched_at = millis(now);
    let mut params = chat_params(key, columns, &times);
    params.extend_from_slice(&[&fetched_at, &Source::Manual, &raw]);
    client.execute(statement, &params)
}

impl PgIndex {
    /// A chat row as [`SUMMARY_COLUMNS`] selects it.
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
        let row = self.query_one(
            NOTE_CHAT,
            &[
                &key.account,
                &key.provider,
                &key.chat_id,
                &millis(now),
                &source,
            ],
        )?;
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
        let at = millis(now);
        match provisional {
            None => {
                let [account, provider, chat_id] = key_params(key);
                self.query_one(
                    NOTE_WEBHOOK,
                    &[account, provider, chat_id, &at, &Source::Webhook],
                )
            }
            Some(columns) => {
                let times = stored_times(columns);
                let mut params = chat_params(key, columns, &times);
                params.extend_from_slice(&[&at, &Source::Webhook]);
                self.query_one(NOTE_WEBHOOK_WITH_COLUMNS, &params)
            }
        }
        .map(drop)
    }

    /// A fetch succeeded: store the detail as received and its columns.
    pub fn save_detail(
        &self,
        key: &ChatKey,
        raw: &str,
        columns: &Columns,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.with_session(|session| {
            let statement = session.prepared(WRITE_DETAIL)?;
            write_detail(&mut session.client, &statement, key, raw, columns, now)
        })
        .map(drop)
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
        self.with_session(|session| {
            let read = session.prepared(concat!(
                "SELECT ",
                list_columns!(),
                " FROM chats",
                the_chat!(),
                " FOR UPDATE"
            ))?;
            let write = session.prepared(WRITE_DETAIL)?;
            let mut transaction = session.client.transaction()?;
            let columns = match transaction.query_opt(&read, &key_params(key))? {
                Some(before) => columns
                    .clone()
                    .keeping_message_time(&columns_from_row(&before, 0)?),
                None => columns.clone(),
            };
            write_detail(&mut transaction, &write, key, raw, &columns, now)?;
            transaction.commit()
        })
    }

    /// Stores many fetched details in one transaction (imports, benchmarks, bulk refreshes).
    pub fn save_details(
        &self,
        batch: &[(ChatKey, String, Columns)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.with_session(|session| {
            let write = session.prepared(WRITE_DETAIL)?;
            let mut transaction = session.client.transaction()?;
            for (key, raw, columns) in batch {
                write_detail(&mut transaction, &write, key, raw, columns, now)?;
            }
            transaction.commit()
        })
    }

    /// The CRM answered 404: keep the row, flag it, stop fetching it.
    pub fn mark_gone(&self, key: &ChatKey, now: DateTime<Utc>) -> Result<(), StoreError> {
        let [account, provider, chat_id] = key_params(key);
        self.execute(
            concat!(
                "UPDATE chats SET gone = TRUE, needs_hydration = FALSE, next_attempt_at = NULL,
                     hydrated_at = $4, last_error = 'not found (HTTP 404)'",
                the_chat!()
            ),
            &[account, provider, chat_id, &millis(now)],
        )
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
        let row = self.query_opt(
            concat!(
                "UPDATE chats SET hydrate_attempts = hydrate_attempts + 1, next_attempt_at = $4,
                     last_error = $5",
                the_chat!(),
                " RETURNING hydrate_attempts"
            ),
            &[account, provider, chat_id, &millis(retry_at), &error],
        )?;
        row.map_or(Ok(0), |row| self.column(&row, 0))
    }

    /// Failed attempts so far for a chat.
    pub fn attempts(&self, key: &ChatKey) -> Result<i64, StoreError> {
        let row = self.query_opt(
            concat!("SELECT hydrate_attempts FROM chats", the_chat!()),
            &key_params(key),
        )?;
        row.map_or(Ok(0), |row| self.column(&row, 0))
    }

    /// The earliest time a waiting fetch becomes due, if any is waiting.
    pub fn next_retry_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row = self.query_one(
            "SELECT min(next_attempt_at) FROM chats WHERE needs_hydration AND NOT gone",
            &[],
        )?;
        Ok(from_millis(self.column(&row, 0)?))
    }

    /// Every chat's summary, for the list. Never touches the stored details.
    pub fn summaries(&self) -> Result<Vec<ChatSummary>, StoreError> {
        let rows = self.query(concat!("SELECT ", summary_columns!(), " FROM chats"), &[])?;
        self.summaries_from(&rows)
    }

    /// The summaries of the chats whose searched text `keep` accepts, the text borrowed from
    /// each row received: a row left out builds no summary.
    pub fn summaries_where(
        &self,
        keep: &mut dyn FnMut(SearchFields<'_>) -> bool,
    ) -> Result<Vec<ChatSummary>, StoreError> {
        let rows = self.query(concat!("SELECT ", summary_columns!(), " FROM chats"), &[])?;
        let mut kept = Vec::new();
        for row in &rows {
            let fields = SearchFields {
                contact: self.column(row, 5)?,
                contact_number: self.column(row, 6)?,
                last_message_preview: self.column(row, 13)?,
                responsible_name: self.column(row, 9)?,
                line: self.column(row, 7)?,
                account: self.column(row, 0)?,
                chat_id: self.column(row, 2)?,
            };
            if keep(fields) {
                kept.push(self.summary_from_row(row)?);
            }
        }
        Ok(kept)
    }

    /// The `limit` most urgent chats, in the order [`crate::inbox::rank`] gives, read with one
    /// sorted query so the first screen can show before every row is loaded. The same order
    /// as the SQLite index's query: no term is ever NULL (`PostgreSQL` sorts NULL last, SQLite
    /// first), and the key breaks ties byte by byte (`COLLATE "C"`, SQLite's BINARY) whatever
    /// the database's collation.
    pub fn first_page(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ChatSummary>, StoreError> {
        let rows = self.query(
            concat!(
                "SELECT ",
                summary_columns!(),
                " FROM chats ORDER BY
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
        )?;
        self.summaries_from(&rows)
    }

    /// One chat's summary.
    pub fn summary(&self, key: &ChatKey) -> Result<Option<ChatSummary>, StoreError> {
        let row = self.query_opt(
            concat!("SELECT ", summary_columns!(), " FROM chats", the_chat!()),
            &key_params(key),
        )?;
        row.map(|row| self.summary_from_row(&row)).transpose()
    }

    /// The last detail received, as the server sent it.
    pub fn detail(&self, key: &ChatKey) -> Result<Option<String>, StoreError> {
        let row = self.query_opt(
            concat!("SELECT detail FROM chat_details", the_chat!()),
            &key_params(key),
        )?;
        row.map(|row| self.column(&row, 0)).transpose()
    }

    /// A chat's stored detail and when it was fetched, in one read.
    pub fn detail_as_of(&self, key: &ChatKey) -> Result<Option<StoredDetail>, StoreError> {
        let row = self.query_opt(
            "SELECT d.detail, c.hydrated_at FROM chat_details d
             JOIN chats c USING (account, provider, chat_id)
             WHERE d.account = $1 AND d.provider = $2 AND d.chat_id = $3",
            &key_params(key),
        )?;
        row.map(|row| {
            Ok(StoredDetail {
                raw: self.column(&row, 0)?,
                fetched_at: from_millis(self.column(&row, 1)?),
            })
        })
        .transpose()
    }

    /// Forgets a chat and its detail (the CRM keeps it), in one statement. Returns whether it
    /// was there.
    pub fn remove_chat(&self, key: &ChatKey) -> Result<bool, StoreError> {
        let row = self.query_one(
            concat!(
                "WITH detail AS (DELETE FROM chat_details",
                the_chat!(),
                "), chat AS (DELETE FROM chats",
                the_chat!(),
                " RETURNING 1) SELECT count(*) FROM chat"
            ),
            &key_params(key),
        )?;
        Ok(self.column::<i64>(&row, 0)? > 0)
    }

    /// Records one change made in a CRM.
    pub fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let http_status = entry.http_status.map(i32::from);
        self.execute(
            "INSERT INTO audit_log (at, account, provider, action, chat_id, request, before,
                 after, outcome, http_status, by_name, batch, undo)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
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
                &entry.undo,
            ],
        )
        .map(drop)
    }

    /// The most recent audit entries, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = self.query(
            concat!(
                "SELECT ",
                audit_columns!(),
                " FROM audit_log ORDER BY id DESC LIMIT $1"
            ),
            &[&limit_param(limit)],
        )?;
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
            undo: self.column(row, 13)?,
        })
    }
}

/// A chat's list columns, selected in the order of `list_columns!` from column `from` on.
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
