//! The SQLite index's conversation: compare-and-set drafts and the timeline cache (see
//! `store::drafts` and `store::timeline`).

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use crate::store::StoreError;
use crate::store::drafts::{DraftSaved, DraftText, StoredDraft};
use crate::store::records::{from_millis, millis};
use crate::store::sqlite::SqliteIndex;
use crate::store::sqlite::records::CHAT_KEY;
use crate::store::stored::get;
use crate::store::summary::ChatKey;
use crate::store::timeline::{StoredTimeline, TimelineRow, page_span, replaced_span};

/// A draft's columns, as [`draft_from_row`] reads them.
const DRAFT_COLUMNS: &str =
    "account, provider, chat_id, body, reply_to, revision, written_by, updated_at";

fn draft_from_row(row: &Row<'_>) -> rusqlite::Result<StoredDraft> {
    Ok(StoredDraft {
        key: ChatKey {
            account: row.get(0)?,
            provider: get(row, 1, "drafts", CHAT_KEY)?,
            chat_id: row.get(2)?,
        },
        body: row.get(3)?,
        reply_to: row.get(4)?,
        revision: row.get(5)?,
        written_by: row.get(6)?,
        updated_at: from_millis(row.get(7)?).unwrap_or_default(),
    })
}

/// Writes `draft` over the chat's draft when its revision is still `based_on` (a missing row
/// counts as 0), inside `transaction`; otherwise writes nothing and returns what is stored.
fn put_draft(
    transaction: &Transaction<'_>,
    key: &ChatKey,
    draft: &DraftText,
    based_on: i64,
    written_by: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<DraftSaved> {
    // One statement decides: the insert takes a missing row, the update only a row still at
    // `based_on`; a row at another revision is left alone and nothing comes back.
    let written: Option<i64> = transaction
        .query_row(
            "INSERT INTO drafts (account, provider, chat_id, body, reply_to, revision, written_by,
                 updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6 + 1, ?7, ?8)
             ON CONFLICT (account, provider, chat_id) DO UPDATE
                 SET body = excluded.body, reply_to = excluded.reply_to,
                     revision = drafts.revision + 1, written_by = excluded.written_by,
                     updated_at = excluded.updated_at
                 WHERE drafts.revision = ?6
             RETURNING revision",
            params![
                key.account,
                key.provider,
                key.chat_id,
                draft.body,
                draft.reply_to,
                based_on,
                written_by,
                millis(now),
            ],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(revision) = written {
        return Ok(DraftSaved::Saved { revision });
    }
    let stored = transaction.query_row(
        &format!(
            "SELECT {DRAFT_COLUMNS} FROM drafts
             WHERE account = ?1 AND provider = ?2 AND chat_id = ?3"
        ),
        params![key.account, key.provider, key.chat_id],
        draft_from_row,
    )?;
    Ok(DraftSaved::Newer(stored))
}

impl SqliteIndex {
    /// See [`crate::store::Index::store_timeline`].
    pub fn store_timeline(
        &self,
        key: &ChatKey,
        events: &[TimelineRow],
        total: Option<i64>,
        page: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(|transaction| {
            // What the page replaces: the events the cache holds in the span it covers (the
            // newest page also covers everything after it), except those it brings again.
            let (low, high) = replaced_span(page, page_span(events));
            let mut stale = transaction.prepare_cached(
                "DELETE FROM timeline_events
                 WHERE account = ?1 AND provider = ?2 AND chat_id = ?3
                     AND position BETWEEN ?4 AND ?5",
            )?;
            stale.execute(params![key.account, key.provider, key.chat_id, low, high])?;
            let mut insert = transaction.prepare_cached(
                "INSERT OR REPLACE INTO timeline_events
                     (account, provider, chat_id, event_id, position, at, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for event in events {
                insert.execute(params![
                    key.account,
                    key.provider,
                    key.chat_id,
                    event.event_id,
                    event.position,
                    event.at.map(millis),
                    event.raw,
                ])?;
            }
            transaction.execute(
                "INSERT INTO timeline_fetches
                     (account, provider, chat_id, fetched_at, total, oldest_page)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (account, provider, chat_id) DO UPDATE
                     SET fetched_at = excluded.fetched_at, total = excluded.total,
                         oldest_page = max(timeline_fetches.oldest_page, excluded.oldest_page)",
                params![
                    key.account,
                    key.provider,
                    key.chat_id,
                    millis(now),
                    total,
                    page.max(1)
                ],
            )?;
            Ok(())
        })
    }

    /// See [`crate::store::Index::timeline`].
    pub fn timeline(&self, key: &ChatKey) -> Result<Option<StoredTimeline>, StoreError> {
        let connection = self.lock();
        let read = || -> rusqlite::Result<Option<StoredTimeline>> {
            let fetch = connection
                .query_row(
                    "SELECT fetched_at, total, oldest_page FROM timeline_fetches
                     WHERE account = ?1 AND provider = ?2 AND chat_id = ?3",
                    params![key.account, key.provider, key.chat_id],
                    |row| {
                        Ok((
                            from_millis(row.get(0)?).unwrap_or_default(),
                            row.get::<_, Option<i64>>(1)?,
                            row.get::<_, i64>(2)?,
                        ))
                    },
                )
                .optional()?;
            let Some((fetched_at, total, oldest_page)) = fetch else {
                return Ok(None);
            };
            let mut statement = connection.prepare_cached(
                "SELECT event_id, position, at, raw FROM timeline_events
                 WHERE account = ?1 AND provider = ?2 AND chat_id = ?3
                 ORDER BY position, event_id",
            )?;
            let rows = statement
                .query_map(params![key.account, key.provider, key.chat_id], |row| {
                    Ok(TimelineRow {
                        event_id: row.get(0)?,
                        position: row.get(1)?,
                        at: from_millis(row.get(2)?),
                        raw: row.get(3)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Some(StoredTimeline {
                rows,
                fetched_at,
                total,
                oldest_page,
            }))
        };
        read().map_err(|e| self.error(&e))
    }

    /// See [`crate::store::Index::load_draft`].
    pub fn load_draft(&self, key: &ChatKey) -> Result<Option<StoredDraft>, StoreError> {
        self.lock()
            .query_row(
                &format!(
                    "SELECT {DRAFT_COLUMNS} FROM drafts
                     WHERE account = ?1 AND provider = ?2 AND chat_id = ?3 AND body <> ''"
                ),
                params![key.account, key.provider, key.chat_id],
                draft_from_row,
            )
            .optional()
            .map_err(|e| self.error(&e))
    }

    /// See [`crate::store::Index::save_draft`].
    pub fn save_draft(
        &self,
        key: &ChatKey,
        draft: &DraftText,
        based_on: i64,
        written_by: &str,
        now: DateTime<Utc>,
    ) -> Result<DraftSaved, StoreError> {
        self.write(|transaction| put_draft(transaction, key, draft, based_on, written_by, now))
    }

    /// See [`crate::store::Index::clear_draft`].
    pub fn clear_draft(
        &self,
        key: &ChatKey,
        based_on: i64,
        written_by: &str,
        now: DateTime<Utc>,
    ) -> Result<DraftSaved, StoreError> {
        let tombstone = DraftText::default();
        self.write(|transaction| put_draft(transaction, key, &tombstone, based_on, written_by, now))
    }

    /// See [`crate::store::Index::draft_keys`].
    pub fn draft_keys(&self) -> Result<Vec<ChatKey>, StoreError> {
        let connection = self.lock();
        let mut statement = connection
            .prepare_cached(
                "SELECT account, provider, chat_id FROM drafts WHERE body <> ''
                 ORDER BY account, provider, chat_id",
            )
            .map_err(|e| self.error(&e))?;
        let rows = statement
            .query_map([], |row| {
                Ok(ChatKey {
                    account: row.get(0)?,
                    provider: get(row, 1, "drafts", CHAT_KEY)?,
                    chat_id: row.get(2)?,
                })
            })
            .map_err(|e| self.error(&e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.error(&e))
    }
}
