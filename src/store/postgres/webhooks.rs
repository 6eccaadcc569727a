//! The shared index's webhook log: every delivery recorded with its outcome, within a row cap and
//! a byte budget for bodies, and an accepted delivery recorded once however many receivers got
//! it or however often the CRM sent it.

use postgres::Transaction;

use crate::store::StoreError;
use crate::store::postgres::PgIndex;
use crate::store::postgres::rows::limit_param;
use crate::store::records::{
    WEBHOOK_BODY_BYTES_KEPT, WEBHOOK_BODY_PRUNE_TO, WEBHOOK_EVENT_KEY_CHARS, WEBHOOK_EVENTS_KEPT,
    WEBHOOK_REASON_CHARS, WebhookOutcome, WebhookRecord, bounded, from_millis, millis,
};

impl PgIndex {
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
        self.with_client(|client| {
            let mut transaction = client.transaction()?;
            let inserted = transaction.query_opt(
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
            let Some(inserted) = inserted else {
                return transaction.commit();
            };
            let id: i64 = inserted.try_get(0)?;
            // Ids are not dense here (a delivery recorded once still takes one), so the cap is
            // checked whenever a thousand boundary is crossed rather than met exactly.
            if id % 1000 == 0 {
                transaction.execute(
                    "DELETE FROM webhook_events WHERE id <= $1",
                    &[&(id - WEBHOOK_EVENTS_KEPT)],
                )?;
            }
            if keep_body {
                prune_webhook_bodies(&mut transaction, body_bytes_kept)?;
            }
            transaction.commit()
        })
    }

    /// The most recent webhook deliveries, newest first.
    pub fn webhook_events(&self, limit: usize) -> Result<Vec<WebhookRecord>, StoreError> {
        let rows = self.with_client(|client| {
            client.query(
                "SELECT received_at, provider, account, event_key, outcome, reason, chat_id,
                        raw_body, coalesce(body_size, length(raw_body), 0), body_sha256, id
                 FROM webhook_events ORDER BY id DESC LIMIT $1",
                &[&limit_param(limit)],
            )
        })?;
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
        let row = self
            .with_client(|client| client.query_one("SELECT total FROM webhook_body_bytes", &[]))?;
        let total: i64 = self.column(&row, 0)?;
        Ok(u64::try_from(total).unwrap_or_default())
    }
}

/// Drops the oldest stored bodies once their bytes exceed `kept`, down to a share of it. The
/// total is the counter the schema's trigger keeps (its row, locked by this transaction's
/// insert, orders the receivers that prune); the oldest bodies are read through the partial
/// index in id order and the running sum stops at the first that frees enough, so the cost
/// does not grow with the number of records.
fn prune_webhook_bodies(
    transaction: &mut Transaction<'_>,
    kept: u64,
) -> Result<(), postgres::Error> {
    let total: i64 = transaction
        .query_one("SELECT total FROM webhook_body_bytes", &[])?
        .try_get(0)?;
    let total = u64::try_from(total).unwrap_or_default();
    if total <= kept {
        return Ok(());
    }
    let (share, of) = WEBHOOK_BODY_PRUNE_TO;
    let excess = i64::try_from(total - kept / of * share).unwrap_or(i64::MAX);
    let last = transaction.query_opt(
        "SELECT id FROM (
             SELECT id, sum(length(raw_body)) OVER (ORDER BY id) AS freed
             FROM webhook_events WHERE raw_body IS NOT NULL
         ) AS oldest
         WHERE freed >= $1 ORDER BY id LIMIT 1",
        &[&excess],
    )?;
    match last {
        Some(last) => {
            let last: i64 = last.try_get(0)?;
            transaction.execute(
                "UPDATE webhook_events SET raw_body = NULL WHERE raw_body IS NOT NULL AND id <= $1",
                &[&last],
            )?;
        }
        // Every body together frees less than the excess (a counter off by hand): all go.
        None => {
            transaction.execute(
                "UPDATE webhook_events SET raw_body = NULL WHERE raw_body IS NOT NULL",
                &[],
            )?;
        }
    }
    Ok(())
}
