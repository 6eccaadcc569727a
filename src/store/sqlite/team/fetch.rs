//! Receivers sharing the SQLite file: each fetch is claimed by one receiver until its claim
//! expires, and the background refresh budget is one bucket for the whole file. Each claim is
//! one IMMEDIATE transaction, so two processes on one file never claim the same chat.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use crate::store::StoreError;
use crate::store::records::{limit_param, millis};
use crate::store::sqlite::SqliteIndex;
use crate::store::sqlite::records::{account_list, key_from_row};
use crate::store::summary::{ChatKey, Provider};
use crate::store::team::RefreshBucket;

/// The conditions of a chat another receiver is not fetching: no claim, an expired one, or
/// the asker's own (`?owner`, `?now`).
const UNCLAIMED: &str =
    "(fetch_claim_until IS NULL OR fetch_claim_until < :now OR fetch_claimed_by = :owner)";

impl SqliteIndex {
    /// Claims, for `owner` until `claim_until`, up to `limit` chats whose fetch is due now and
    /// that no other receiver holds, most recently active first.
    pub fn claim_due(
        &self,
        accounts: &[String],
        owner: &str,
        now: DateTime<Utc>,
        claim_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ChatKey>, StoreError> {
        self.claim(
            &format!(
                "needs_hydration = 1 AND gone = 0
                 AND (next_attempt_at IS NULL OR next_attempt_at <= :now)
                 AND account IN (SELECT value FROM json_each(:accounts))
                 AND {UNCLAIMED}
                 ORDER BY last_event_at DESC NULLS LAST"
            ),
            &[
                (":now", &millis(now)),
                (":owner", &owner),
                (":accounts", &account_list(accounts)),
            ],
            owner,
            claim_until,
            limit,
        )
    }

    /// Claims, for `owner` until `claim_until`, up to `limit` chats a background refresh may
    /// fetch again (see [`crate::store::Index::claim_stale`]), open ones first, then the most
    /// recently active.
    pub fn claim_stale(
        &self,
        accounts: &[String],
        owner: &str,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
        claim_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ChatKey>, StoreError> {
        self.claim(
            &format!(
                "provider = :wegly AND gone = 0 AND archived = 0 AND needs_hydration = 0
                 AND hydrated_at < :before
                 AND (next_attempt_at IS NULL OR next_attempt_at <= :now)
                 AND account IN (SELECT value FROM json_each(:accounts))
                 AND {UNCLAIMED}
                 ORDER BY CASE WHEN upper(coalesce(status, '')) IN ('CLOSED', 'RESOLVED') THEN 1 ELSE 0 END,
                          last_event_at DESC NULLS LAST"
            ),
            &[
                (":now", &millis(now)),
                (":owner", &owner),
                (":accounts", &account_list(accounts)),
                (":before", &millis(before)),
                (":wegly", &Provider::Wegly),
            ],
            owner,
            claim_until,
            limit,
        )
    }

    /// Claims the first `limit` chats `condition` (a WHERE clause and its ORDER BY) picks, in
    /// the order it picks them.
    fn claim(
        &self,
        condition: &str,
        parameters: &[(&str, &dyn rusqlite::ToSql)],
        owner: &str,
        claim_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ChatKey>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let limit = limit_param(limit);
        let mut picking: Vec<(&str, &dyn rusqlite::ToSql)> = parameters.to_vec();
        picking.push((":limit", &limit));
        // IMMEDIATE: no other process writes between the pick and the claim.
        self.write(|transaction| {
            let keys = transaction
                .prepare_cached(&format!(
                    "SELECT account, provider, chat_id FROM chats WHERE {condition} LIMIT :limit"
                ))?
                .query_map(picking.as_slice(), key_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            let mut claim = transaction.prepare_cached(
                "UPDATE chats SET fetch_claimed_by = ?4, fetch_claim_until = ?5
                 WHERE account = ?1 AND provider = ?2 AND chat_id = ?3",
            )?;
            for key in &keys {
                claim.execute(params![
                    key.account,
                    key.provider,
                    key.chat_id,
                    owner,
                    millis(claim_until)
                ])?;
            }
            Ok(keys)
        })
    }

    /// Takes up to `wanted` refreshes from the file's one bucket (see
    /// `store::team::RefreshBucket`), in one IMMEDIATE transaction so that receivers asking at
    /// once take from it one after the other.
    pub fn take_refresh_budget(
        &self,
        wanted: usize,
        per_minute: u32,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        if per_minute == 0 || wanted == 0 {
            return Ok(0);
        }
        self.write(|transaction| {
            let stored: Option<(f64, i64)> = transaction
                .query_row(
                    "SELECT tokens, filled_at FROM refresh_budget LIMIT 1",
                    [],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            let (granted, (tokens, filled_at)) =
                RefreshBucket::new(per_minute).take(stored, wanted, millis(now));
            let statement = if stored.is_some() {
                "UPDATE refresh_budget SET tokens = ?1, filled_at = ?2"
            } else {
                "INSERT INTO refresh_budget (tokens, filled_at) VALUES (?1, ?2)"
            };
            transaction.execute(statement, params![tokens, filled_at])?;
            Ok(granted)
        })
    }
}
