//! Which chats a background refresh may fetch again: stale, alive, not archived, Wegly (rooms
//! have no read endpoint), open and recently active first. The budget that says how many lives in
//! the scheduler; this only picks.

use chrono::{DateTime, Utc};
use rusqlite::params;

use crate::store::StoreError;
use crate::store::records::{limit_param, millis};
use crate::store::sqlite::SqliteIndex;
use crate::store::sqlite::records::account_list;
use crate::store::summary::{ChatKey, Provider};

impl SqliteIndex {
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
        self.chat_keys(
            "SELECT account, provider, chat_id FROM chats
             WHERE provider = ?5 AND gone = 0 AND archived = 0 AND needs_hydration = 0
               AND hydrated_at < ?1
               AND (next_attempt_at IS NULL OR next_attempt_at <= ?2)
               AND account IN (SELECT value FROM json_each(?4))
             ORDER BY CASE WHEN upper(coalesce(status, '')) IN ('CLOSED', 'RESOLVED') THEN 1 ELSE 0 END,
                      last_event_at DESC NULLS LAST
             LIMIT ?3",
            params![
                millis(before),
                millis(now),
                limit_param(limit),
                account_list(accounts),
                Provider::Wegly
            ],
        )
    }
}
