//! The shared index's conversation: compare-and-set drafts and the timeline cache, as the SQLite
//! file keeps them (see `store::drafts` and `store::timeline`). A draft write is one statement,
//! so two consoles on one database cannot both win.

use chrono::{DateTime, Utc};
use postgres::Row;

use crate::store::StoreError;
use crate::store::drafts::{DraftSaved, DraftText, StoredDraft};
use crate::store::postgres::PgIndex;
use crate::store::postgres::rows::{CHAT_KEY, key_params};
use crate::store::records::{from_millis, millis};
use crate::store::summary::ChatKey;
use crate::store::timeline::{StoredTimeline, TimelineRow, page_span, replaced_span};

/// The insert takes a missing row, the update only a row still at `$6`; a row at another
/// revision is left alone and nothing comes back.
const PUT_DRAFT: &str = "INSERT INTO drafts (account, provider, chat_id, body, reply_to, revision,
         written_by, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6::bigint + 1, $7, $8)
     ON CONFLICT (account, provider, chat_id) DO UPDATE
         SET body = EXCLUDED.body, reply_to = EXCLUDED.reply_to,
             revision = drafts.revision + 1, written_by = EXCLUDED.written_by,
             updated_at = EXCLUDED.updated_at
         WHERE drafts.revision = $6::bigint
     RETURNING revision";

const READ_DRAFT: &str =
    "SELECT account, provider, chat_id, body, reply_to, revision, written_by, updated_at
     FROM drafts WHERE account = $1 AND provider = $2 AND chat_id = $3";

const LOAD_DRAFT: &str =
    "SELECT account, provider, chat_id, body, reply_to, revision, written_by, updated_at
     FROM drafts WHERE account = $1 AND provider = $2 AND chat_id = $3 AND body <> ''";

impl PgIndex {
    fn draft_from_row(&self, row: &Row) -> Result<StoredDraft, StoreError> {
        Ok(StoredDraft {
            key: ChatKey {
                account: self.column(row, 0)?,
                provider: self.stored(row, 1, "drafts", CHAT_KEY)?,
                chat_id: self.column(row, 2)?,
            },
            body: self.column(row, 3)?,
            reply_to: self.column(row, 4)?,
            revision: self.column(row, 5)?,
            written_by: self.column(row, 6)?,
            updated_at: from_millis(Some(self.column(row, 7)?)).unwrap_or_default(),
        })
    }

    fn put_draft(
        &self,
        key: &ChatKey,
        draft: &DraftText,
        based_on: i64,
        written_by: &str,
        now: DateTime<Utc>,
    ) -> Result<DraftSaved, StoreError> {
        let [account, provider, chat_id] = key_params(key);
        let written = self.query_opt(
            PUT_DRAFT,
            &[
                account,
                provider,
                chat_id,
                &draft.body,
                &draft.reply_to,
                &based_on,
                &written_by,
                &millis(now),
            ],
        )?;
        if let Some(row) = written {
            return Ok(DraftSaved::Saved {
                revision: self.column(&row, 0)?,
            });
        }
        let stored = self.query_one(READ_DRAFT, &key_params(key))?;
        Ok(DraftSaved::Newer(self.draft_from_row(&stored)?))
    }

    /// See [`crate::store::Index::store_timeline`].
    pub fn store_timeline(
        &self,
        key: &ChatKey,
        events: &[TimelineRow],
        total: Option<i64>,
        page: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // What the page replaces: the events the cache holds in the span it covers (the newest
        // page also covers everything after it), except those it brings again.
        let (low, high) = replaced_span(page, page_span(events));
        let ids: Vec<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
        let positions: Vec<i64> = events.iter().map(|e| e.position).collect();
        let at: Vec<Option<i64>> = events.iter().map(|e| e.at.map(millis)).collect();
        let raws: Vec<&str> = events.iter().map(|e| e.raw.as_str()).collect();
        let (account, provider, chat_id) = (&key.account, key.provider, &key.chat_id);
        self.with_client(|client| {
            let mut transaction = client.transaction()?;
            transaction.execute(
                "DELETE FROM timeline_events
                 WHERE account = $1 AND provider = $2 AND chat_id = $3
                     AND position BETWEEN $4 AND $5",
                &[account, &provider, chat_id, &low, &high],
            )?;
            transaction.execute(
                "INSERT INTO timeline_events (account, provider, chat_id, event_id, position, at,
                     raw)
                 SELECT $1, $2, $3, t.event_id, t.position, t.at, t.raw
                 FROM unnest($4::text[], $5::bigint[], $6::bigint[], $7::text[])
                     AS t(event_id, position, at, raw)
                 ON CONFLICT (account, provider, chat_id, event_id) DO UPDATE
                     SET position = EXCLUDED.position, at = EXCLUDED.at, raw = EXCLUDED.raw",
                &[account, &provider, chat_id, &ids, &positions, &at, &raws],
            )?;
            transaction.execute(
                "INSERT INTO timeline_fetches (account, provider, chat_id, fetched_at, total,
                     oldest_page)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (account, provider, chat_id) DO UPDATE
                     SET fetched_at = EXCLUDED.fetched_at, total = EXCLUDED.total,
                         oldest_page = greatest(timeline_fetches.oldest_page,
                             EXCLUDED.oldest_page)",
                &[
                    account,
                    &provider,
                    chat_id,
                    &millis(now),
                    &total,
                    &page.max(1),
                ],
            )?;
            transaction.commit()
        })
    }

    /// See [`crate::store::Index::timeline`].
    pub fn timeline(&self, key: &ChatKey) -> Result<Option<StoredTimeline>, StoreError> {
        let Some(fetch) = self.query_opt(
            "SELECT fetched_at, total, oldest_page FROM timeline_fetches
             WHERE account = $1 AND provider = $2 AND chat_id = $3",
            &key_params(key),
        )?
        else {
            return Ok(None);
        };
        let rows = self.query(
            "SELECT event_id, position, at, raw FROM timeline_events
             WHERE account = $1 AND provider = $2 AND chat_id = $3
             ORDER BY position, event_id",
            &key_params(key),
        )?;
        let rows = rows
            .iter()
            .map(|row| {
                Ok(TimelineRow {
                    event_id: self.column(row, 0)?,
                    position: self.column(row, 1)?,
                    at: from_millis(self.column(row, 2)?),
                    raw: self.column(row, 3)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some(StoredTimeline {
            rows,
            fetched_at: from_millis(Some(self.column(&fetch, 0)?)).unwrap_or_default(),
            total: self.column(&fetch, 1)?,
            oldest_page: self.column(&fetch, 2)?,
        }))
    }

    /// See [`crate::store::Index::load_draft`].
    pub fn load_draft(&self, key: &ChatKey) -> Result<Option<StoredDraft>, StoreError> {
        self.query_opt(LOAD_DRAFT, &key_params(key))?
            .map(|row| self.draft_from_row(&row))
            .transpose()
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
        self.put_draft(key, draft, based_on, written_by, now)
    }

    /// See [`crate::store::Index::clear_draft`].
    pub fn clear_draft(
        &self,
        key: &ChatKey,
        based_on: i64,
        written_by: &str,
        now: DateTime<Utc>,
    ) -> Result<DraftSaved, StoreError> {
        self.put_draft(key, &DraftText::default(), based_on, written_by, now)
    }

    /// See [`crate::store::Index::draft_keys`].
    pub fn draft_keys(&self) -> Result<Vec<ChatKey>, StoreError> {
        let rows = self.query(
            "SELECT account, provider, chat_id FROM drafts WHERE body <> ''
             ORDER BY account, provider, chat_id",
            &[],
        )?;
        rows.iter()
            .map(|row| {
                Ok(ChatKey {
                    account: self.column(row, 0)?,
                    provider: self.stored(row, 1, "drafts", CHAT_KEY)?,
                    chat_id: self.column(row, 2)?,
                })
            })
            .collect()
    }
}
