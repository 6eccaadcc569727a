//! The shared index's webhook log: every delivery recorded with its outcome, within a row cap and
//! a byte budget for bodies, and an accepted delivery recorded once however many receivers got
//! it or however often the CRM sent it.

use crate::store::StoreError;
use crate::store::postgres::PgIndex;
use crate::store::records::{
    WEBHOOK_BODY_BYTES_KEPT, WEBHOOK_BODY_PRUNE_TO, WEBHOOK_EVENT_KEY_CHARS, WEBHOOK_EVENTS_KEPT,
    WEBHOOK_REASON_CHARS, WebhookOutcome, WebhookRecord, bounded, copyable, from_millis,
    limit_param, millis,
};

impl PgIndex {
    /// See [`crate::store::Index::webhook_recorded`].
    pub fn webhook_recorded(&self, record: &WebhookRecord) -> Result<bool, StoreError> {
        let Some(sha256) = copyable(record) else {
            return Ok(false);
        };
        let row = self.query_one(
            "SELECT EXISTS (SELECT 1 FROM webhook_events
                 WHERE provider = $1 AND account = $2 AND body_sha256 = $3
                   AND outcome = 'accepted')",
            &[&record.provider, &record.account, &sha256],
        )?;
        self.column(&row, 0)
    }

    /// Records a webhook delivery, keeping the newest [`WEBHOOK_EVENTS_KEPT`] records and at
    /// most [`WEBHOOK_BODY_BYTES_KEPT`] bytes of their bodies.
    pub fn record_webhook(&self, record: &WebhookRecord) -> Result<(), StoreError> {
        self.record_webhook_within(record, WEBHOOK_BODY_BYTES_KEPT)
    }

    /// Records a webhook delivery, keeping at most `body_bytes_kept` bytes of bodies: beyond
    /// that, the oldest bodies are dropped (their records stay, with size and hash). A refused
    /// delivery's body is never stored. An accepted delivery already recorded (same provider,
    /// account and body hash: another receiver got it too, or the CRM sent it again) is not
    /// recorded again.
    pub fn record_webhook_within(
        &self,
        record: &WebhookRecord,
        body_bytes_kept: u64,
    ) -> Result<(), StoreError> {
        let keep_body = record.outcome != WebhookOutcome::Refused && !record.raw_body.is_empty();
        let body = keep_body.then_some(&record.raw_body);
        let event_key = bounded(record.event_key.as_deref(), WEBHOOK_EVENT_KEY_CHARS);
        let reason = bounded(record.reason.as_deref(), WEBHOOK_REASON_CHARS);
        let size = i64::try_from(record.body_size).unwrap_or(i64::MAX);
        // The delivery is recorded on its own (autocommit: one round trip, and the counter's
        // row is locked only for that statement); the cap and the budget are then enforced
        // apart, as housekeeping a crash in between only delays to the next delivery.
        let inserted = self.query_opt(
            "INSERT INTO webhook_events (received_at, provider, account, event_key, outcome,
                 reason, chat_id, raw_body, body_size, body_sha256)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (provider, account, body_sha256)
                 WHERE outcome = 'accepted' AND body_sha256 IS NOT NULL DO NOTHING
             RETURNING id",
            &[
                &millis(record.received_at),
                &record.provider,
                &record.account,
                &event_key,
                &record.outcome,
                &reason,
                &record.chat_id,
                &body,
                &size,
                &record.body_sha256,
            ],
        )?;
        // Already recorded: nothing was written, so nothing to prune.
        let Some(inserted) = inserted else {
            return Ok(());
        };
        let id: i64 = self.column(&inserted, 0)?;
        // Ids are not dense here (a delivery recorded once still takes one), so the cap may be
        // checked at the next thousand rather than at this one.
        if id % 1000 == 0 {
            self.execute(
                "DELETE FROM webhook_events WHERE id <= $1",
                &[&(id - WEBHOOK_EVENTS_KEPT)],
            )?;
        }
        if keep_body {
            self.prune_webhook_bodies(body_bytes_kept)?;
        }
        Ok(())
    }

    /// The most recent webhook deliveries, newest first.
    pub fn webhook_events(&self, limit: usize) -> Result<Vec<WebhookRecord>, StoreError> {
        let rows = self.query(
            "SELECT received_at, provider, account, event_key, outcome, reason, chat_id,
                    raw_body, coalesce(body_size, length(raw_body), 0), body_sha256, id
             FROM webhook_events ORDER BY id DESC LIMIT $1",
            &[&limit_param(limit)],
        )?;
        // The key is the record's id, selected last.
        let id = &[10];
        rows.iter()
            .map(|row| {
                let size: i64 = self.column(row, 8)?;
                Ok(WebhookRecord {
                    received_at: from_millis(Some(self.column(row, 0)?)).unwrap_or_default(),
                    provider: self.stored(row, 1, "webhook_events", id)?,
                    account: self.column(row, 2)?,
                    event_key: self.column(row, 3)?,
                    outcome: self.stored(row, 4, "webhook_events", id)?,
                    reason: self.column(row, 5)?,
                    chat_id: self.column(row, 6)?,
                    raw_body: self.column::<Option<Vec<u8>>>(row, 7)?.unwrap_or_default(),
                    body_size: u64::try_from(size).unwrap_or_default(),
                    body_sha256: self.column(row, 9)?,
                })
            })
            .collect()
    }

    /// Bytes of webhook bodies stored, as counted by the index's trigger.
    pub fn webhook_body_bytes(&self) -> Result<u64, StoreError> {
        let row = self.query_one("SELECT total FROM webhook_body_bytes", &[])?;
        let total: i64 = self.column(&row, 0)?;
        Ok(u64::try_from(total).unwrap_or_default())
    }

    /// Drops the oldest stored bodies once their bytes exceed `kept`, down to a share of it.
    /// The total is the counter the schema's trigger keeps; the oldest bodies are read through
    /// the partial index in id order and the running sum stops at the first that frees enough,
    /// so the cost does not grow with the number of records. Pruning locks the counter's row
    /// and reads the total again under it: receivers over the budget at once prune one after
    /// the other, each only what is still in excess.
    fn prune_webhook_bodies(&self, kept: u64) -> Result<(), StoreError> {
        if self.webhook_body_bytes()? <= kept {
            return Ok(());
        }
        self.with_session(|session| {
            let locked = session.prepared("SELECT total FROM webhook_body_bytes FOR UPDATE")?;
            let oldest = session.prepared(
                "SELECT id FROM (
                     SELECT id, sum(length(raw_body)) OVER (ORDER BY id) AS freed
                     FROM webhook_events WHERE raw_body IS NOT NULL
                 ) AS oldest
                 WHERE freed >= $1 ORDER BY id LIMIT 1",
            )?;
            let drop_bodies = session.prepared(
                "UPDATE webhook_events SET raw_body = NULL
                 WHERE raw_body IS NOT NULL AND id <= $1",
            )?;
            let mut transaction = session.client.transaction()?;
            let total: i64 = transaction.query_one(&locked, &[])?.try_get(0)?;
            let total = u64::try_from(total).unwrap_or_default();
            if total > kept {
                let (share, of) = WEBHOOK_BODY_PRUNE_TO;
                let excess = i64::try_from(total - kept / of * share).unwrap_or(i64::MAX);
                // None when every body together frees less than the excess (a counter changed
                // by hand): then every body goes.
                let last = match transaction.query_opt(&oldest, &[&excess])? {
                    Some(row) => row.try_get::<_, i64>(0)?,
                    None => i64::MAX,
                };
                transaction.execute(&drop_bodies, &[&last])?;
            }
            transaction.commit()
        })
    }
}
