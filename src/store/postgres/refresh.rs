//! Which chats a background refresh may fetch again, in the shared index: stale, alive, not
//! archived, Wegly (rooms have no read endpoint), open and recently active first, as the SQLite
//! index picks them.

use chrono::{DateTime, Utc};

use crate::store::StoreError;
use crate::store::postgres::PgIndex;
use crate::store::records::{limit_param, millis};
use crate::store::summary::{ChatKey, Provider};

impl PgIndex {
    /// Up to `limit` chats of `accounts` last fetched before `before`, that nothing else is
    /// fetching (no pending fetch, no retry waiting), open ones first, then the most recently
    /// active.
    pub fn stale_for_refresh(
        &self,
        accounts: &[String],
        before: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ChatKey>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let rows = self.query(
            "SELECT account, provider, chat_id FROM chats
             WHERE provider = $5 AND NOT gone AND NOT archived AND NOT needs_hydration
               AND hydrated_at < $1
               AND (next_attempt_at IS NULL OR next_attempt_at <= $2)
               AND account = ANY($4)
             ORDER BY CASE WHEN upper(coalesce(status, '')) IN ('CLOSED', 'RESOLVED') THEN 1 ELSE 0 END,
                      last_event_at DESC NULLS LAST
             LIMIT $3",
            &[
                &millis(before),
                &millis(now),
                &limit_param(limit),
                &accounts,
                &Provider::Wegly,
            ],
        )?;
        self.keys_from(&rows)
    }
}
