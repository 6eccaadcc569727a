//! The SQLite index's webhook log: every delivery recorded with its outcome, within a row cap and
//! a byte budget for bodies, so that a flood of deliveries costs bounded disk; an accepted
//! delivery is recorded once.

use rusqlite::params;

use crate::store::StoreError;
use crate::store::records::{
    WEBHOOK_BODY_BYTES_KEPT, WEBHOOK_BODY_PRUNE_TO, WEBHOOK_EVENT_KEY_CHARS, WEBHOOK_EVENTS_KEPT,
    WEBHOOK_REASON_CHARS, WebhookOutcome, WebhookRecord, bounded, copyable, from_millis,
    limit_param, millis,
};
use crate::store::sqlite::SqliteIndex;
use crate::store::stored::get;

impl SqliteIndex {
    /// See [`crate::store::Index::webhook_recorded`].
    pub fn webhook_recorded(&self, record: &WebhookRecord) -> Result<bool, StoreError> {
        let Some(sha256) = copyable(record) else {
            return Ok(false);
        };
        self.lock()
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM webhook_events
                     WHERE provider = ?1 AND account = ?2 AND body_sha256 = ?3
                       AND outcome = 'accepted')",
                params![record.provider, record.account, sha256],
                |row| row.get(0),
            )
            .map_err(|e| self.error(&e))
    }

    /// Records a webhook delivery, keeping the newest [`WEBHOOK_EVENTS_KEPT`] records and at
    /// most [`WEBHOOK_BODY_BYTES_KEPT`] bytes of their bodies.
    pub fn record_webhook(&self, record: &WebhookRecord) -> Result<(), StoreError> {
        self.record_webhook_within(record, WEBHOOK_BODY_BYTES_KEPT)
    }

    /// Records a webhook delivery, keeping at most `body_bytes_kept` bytes of bodies: beyond
    /// that, the oldest bodies are dropped (their records stay, with size and hash). A refused
    /// delivery's body is never stored. An accepted delivery already recorded (same provider,
    /// account and body hash: the CRM sent it again) is not recorded again.
    pub fn record_webhook_within(
        &self,
        record: &WebhookRecord,
        body_bytes_kept: u64,
    ) -> Result<(), StoreError> {
        let keep_body = record.outcome != WebhookOutcome::Refused && !record.raw_body.is_empty();
        self.write(|transaction| {
        let inserted = transaction
            .execute(
                "INSERT INTO webhook_events (received_at, provider, account, event_key, outcome, reason, chat_id, raw_body, body_size, body_sha256)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (provider, account, body_sha256)
                     WHERE outcome = 'accepted' AND body_sha256 IS NOT NULL DO NOTHING",
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
            )?;
        if inserted == 0 {
            // Already recorded: nothing was written, so nothing to prune.
            return Ok(());
        }
        let id = transaction.last_insert_rowid();
        if id % 1000 == 0 {
            transaction
                .execute(
                    "DELETE FROM webhook_events WHERE id <= ?1",
                    [id - WEBHOOK_EVENTS_KEPT],
                )?;
        }
        if keep_body {
            prune_webhook_bodies(transaction, body_bytes_kept)?;
        }
        Ok(())
        })
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
            .query_map([limit_param(limit)], |row| {
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
}

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
