//! Moving a desk, in the SQLite file: every row read a page at a time, and an import written in
//! one IMMEDIATE transaction (see `store::copy`).

use rusqlite::{Row, TransactionBehavior, params};

use crate::store::copy::{ChatRecord, Content, Draft, Imported, Sink, copy_all};
use crate::store::records::{AuditEntry, from_millis, limit_param, millis};
use crate::store::sqlite::SqliteIndex;
use crate::store::sqlite::records::{
    AUDIT_COLUMNS, CHAT_KEY, SUMMARY_COLUMNS, audit_from_row, summary_from_row,
};
use crate::store::stored::get;
use crate::store::summary::{ChatKey, Provider};
use crate::store::{Index, StoreError};

/// The rows after a key, in key order: `?1` to `?3` are the key (NULL: from the first), `?4`
/// the limit.
const AFTER_KEY: &str = "WHERE ?1 IS NULL OR (account, provider, chat_id) > (?1, ?2, ?3)
     ORDER BY account, provider, chat_id LIMIT ?4";

/// A chat as [`SqliteIndex::export_chats`] selects it: its summary first, as every chat query
/// reads it, then what a copy carries beyond it.
fn chat_from_row(row: &Row<'_>) -> rusqlite::Result<ChatRecord> {
    Ok(ChatRecord {
        summary: summary_from_row(row)?,
        hydrate_attempts: row.get(24)?,
        next_attempt_at: from_millis(row.get(25)?),
        detail: row.get(26)?,
    })
}

/// [`AFTER_KEY`]'s parameters.
fn after_key(
    after: Option<&ChatKey>,
    limit: usize,
) -> (Option<&String>, Option<Provider>, Option<&String>, i64) {
    (
        after.map(|key| &key.account),
        after.map(|key| key.provider),
        after.map(|key| &key.chat_id),
        limit_param(limit),
    )
}

/// Counts what `connection` holds.
fn count(connection: &rusqlite::Connection) -> rusqlite::Result<Content> {
    let number = |sql: &str| {
        connection
            .query_row(sql, [], |row| row.get::<_, i64>(0))
            .map(|n| u64::try_from(n).unwrap_or_default())
    };
    Ok(Content {
        chats: number("SELECT count(*) FROM chats")?,
        audit: number("SELECT count(*) FROM audit_log")?,
        drafts: number("SELECT count(*) FROM drafts")?,
    })
}

impl SqliteIndex {
    /// See [`Index::content`].
    pub fn content(&self) -> Result<Content, StoreError> {
        count(&self.lock()).map_err(|e| self.error(&e))
    }

    /// See [`Index::export_chats`].
    pub fn export_chats(
        &self,
        after: Option<&ChatKey>,
        limit: usize,
    ) -> Result<Vec<ChatRecord>, StoreError> {
        let connection = self.lock();
        // The details joined `USING` the key: the summary's columns name the chat's.
        let mut statement = connection
            .prepare_cached(&format!(
                "SELECT {SUMMARY_COLUMNS}, hydrate_attempts, next_attempt_at, detail
                 FROM chats LEFT JOIN chat_details USING (account, provider, chat_id)
                 {AFTER_KEY}"
            ))
            .map_err(|e| self.error(&e))?;
        let rows = statement
            .query_map(after_key(after, limit), chat_from_row)
            .map_err(|e| self.error(&e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.error(&e))
    }

    /// See [`Index::export_audit`].
    pub fn export_audit(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<(i64, AuditEntry)>, StoreError> {
        let connection = self.lock();
        let mut statement = connection
            .prepare_cached(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE id > ?1 ORDER BY id LIMIT ?2"
            ))
            .map_err(|e| self.error(&e))?;
        let rows = statement
            .query_map(params![after, limit_param(limit)], |row| {
                Ok((row.get(10)?, audit_from_row(row)?))
            })
            .map_err(|e| self.error(&e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.error(&e))
    }

    /// See [`Index::export_drafts`].
    pub fn export_drafts(
        &self,
        after: Option<&ChatKey>,
        limit: usize,
    ) -> Result<Vec<Draft>, StoreError> {
        let connection = self.lock();
        let mut statement = connection
            .prepare_cached(&format!(
                "SELECT account, provider, chat_id, body, updated_at, revision, reply_to, written_by
                 FROM drafts {AFTER_KEY}"
            ))
            .map_err(|e| self.error(&e))?;
        let rows = statement
            .query_map(after_key(after, limit), |row| {
                Ok(Draft {
                    key: ChatKey {
                        account: row.get(0)?,
                        provider: get(row, 1, "drafts", CHAT_KEY)?,
                        chat_id: row.get(2)?,
                    },
                    body: row.get(3)?,
                    updated_at: from_millis(row.get(4)?).unwrap_or_default(),
                    revision: row.get(5)?,
                    reply_to: row.get(6)?,
                    written_by: row.get(7)?,
                })
            })
            .map_err(|e| self.error(&e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.error(&e))
    }

    /// See [`Index::import_from`].
    pub fn import_from(&self, source: &dyn Index, replace: bool) -> Result<Imported, StoreError> {
        let mut connection = self.lock();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.error(&e))?;
        let held = count(&transaction).map_err(|e| self.error(&e))?;
        if !held.is_empty() && !replace {
            return Ok(Imported::Refused(held));
        }
        if replace {
            transaction
                .execute_batch(
                    "DELETE FROM chat_details; DELETE FROM chats; DELETE FROM audit_log;
                     DELETE FROM drafts; DELETE FROM claims; DELETE FROM timeline_events;
                     DELETE FROM timeline_fetches;",
                )
                .map_err(|e| self.error(&e))?;
        }
        let mut sink = Writer {
            index: self,
            transaction: &transaction,
        };
        let copied = copy_all(source, &mut sink)?;
        transaction.commit().map_err(|e| self.error(&e))?;
        Ok(Imported::Copied(copied))
    }
}

/// An import's writes, inside its transaction.
struct Writer<'a> {
    index: &'a SqliteIndex,
    transaction: &'a rusqlite::Transaction<'a>,
}

impl Sink for Writer<'_> {
    fn chats(&mut self, chats: &[ChatRecord]) -> Result<(), StoreError> {
        let error = |e: rusqlite::Error| self.index.error(&e);
        let mut row = self
            .transaction
            .prepare_cached(
                "INSERT INTO chats (account, provider, chat_id, status, priority, contact,
                     contact_number, line, responsible_user_id, responsible_name, unread,
                     marked_unread, last_message_at, last_message_preview, last_message_from_me,
                     window_ends_at, archived, first_seen_at, last_event_at, hydrated_at, source,
                     gone, needs_hydration, last_error, hydrate_attempts, next_attempt_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)",
            )
            .map_err(error)?;
        let mut detail = self
            .transaction
            .prepare_cached(
                "INSERT INTO chat_details (account, provider, chat_id, detail)
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(error)?;
        for chat in chats {
            let (key, c) = (&chat.summary.key, &chat.summary.columns);
            let summary = &chat.summary;
            row.execute(params![
                key.account,
                key.provider,
                key.chat_id,
                c.status,
                c.priority,
                c.contact,
                c.contact_number,
                c.line,
                c.responsible_user_id,
                c.responsible_name,
                c.unread,
                c.marked_unread,
                c.last_message_at.map(millis),
                c.last_message_preview,
                c.last_message_from_me,
                c.window_ends_at.map(millis),
                c.archived,
                millis(summary.first_seen_at),
                summary.last_event_at.map(millis),
                summary.hydrated_at.map(millis),
                summary.source,
                summary.gone,
                summary.needs_hydration,
                summary.last_error,
                chat.hydrate_attempts,
                chat.next_attempt_at.map(millis),
            ])
            .map_err(error)?;
            if let Some(raw) = &chat.detail {
                detail
                    .execute(params![key.account, key.provider, key.chat_id, raw])
                    .map_err(error)?;
            }
        }
        Ok(())
    }

    fn audit(&mut self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        let mut insert = self
            .transaction
            .prepare_cached(
                "INSERT INTO audit_log (at, account, provider, action, chat_id, request, before,
                     after, outcome, http_status, by_name, batch, undo)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )
            .map_err(|e| self.index.error(&e))?;
        for entry in entries {
            insert
                .execute(params![
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
                    entry.undo,
                ])
                .map_err(|e| self.index.error(&e))?;
        }
        Ok(())
    }

    fn drafts(&mut self, drafts: &[Draft]) -> Result<(), StoreError> {
        let mut insert = self
            .transaction
            .prepare_cached(
                "INSERT OR REPLACE INTO drafts (account, provider, chat_id, body, updated_at,
                     revision, reply_to, written_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(|e| self.index.error(&e))?;
        for draft in drafts {
            insert
                .execute(params![
                    draft.key.account,
                    draft.key.provider,
                    draft.key.chat_id,
                    draft.body,
                    millis(draft.updated_at),
                    draft.revision,
                    draft.reply_to,
                    draft.written_by,
                ])
                .map_err(|e| self.index.error(&e))?;
        }
        Ok(())
    }
}
