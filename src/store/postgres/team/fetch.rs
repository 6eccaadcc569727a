//! Receivers sharing the database: each fetch is claimed by one receiver until its claim
//! expires (`FOR UPDATE SKIP LOCKED`, so receivers claiming at once never wait on each other nor
//! take the same chat), and the background refresh budget is one bucket for the whole database.

use chrono::{DateTime, Utc};
use postgres::types::ToSql;

use crate::store::StoreError;
use crate::store::postgres::PgIndex;
use crate::store::records::{limit_param, millis};
use crate::store::sqlite::schema::APPLICATION_ID;
use crate::store::summary::{ChatKey, Provider};
use crate::store::team::RefreshBucket;

/// The conditions of a chat another receiver is not fetching: no claim, an expired one, or the
/// asker's own (`$1` now, `$2` the owner).
const UNCLAIMED: &str =
    "(fetch_claim_until IS NULL OR fetch_claim_until < $1 OR fetch_claimed_by = $2)";

/// The advisory lock that makes the first fill of an empty budget table one insert.
const BUDGET_LOCK: i64 = APPLICATION_ID + 1;

impl PgIndex {
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
                "needs_hydration AND NOT gone
                 AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
                 AND account = ANY($5) AND {UNCLAIMED}
                 ORDER BY last_event_at DESC NULLS LAST"
            ),
            "0",
            &[&accounts],
            (owner, now, claim_until, limit),
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
                "provider = $6 AND NOT gone AND NOT archived AND NOT needs_hydration
                 AND hydrated_at < $7
                 AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
                 AND account = ANY($5) AND {UNCLAIMED}
                 ORDER BY {CLOSED_LAST}, last_event_at DESC NULLS LAST"
            ),
            CLOSED_LAST,
            &[&accounts, &Provider::Wegly, &millis(before)],
            (owner, now, claim_until, limit),
        )
    }

    /// Claims the first chats `condition` (a WHERE clause and its ORDER BY, whose first key is
    /// `group`, then the last event, newest first) picks, in that order. Parameters `$1` to `$4`
    /// are now, the owner, the claim's end and the limit; `more` are `$5` on.
    fn claim(
        &self,
        condition: &str,
        group: &str,
        more: &[&(dyn ToSql + Sync)],
        (owner, now, claim_until, limit): (&str, DateTime<Utc>, DateTime<Utc>, usize),
    ) -> Result<Vec<ChatKey>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let (now, until, limit) = (millis(now), millis(claim_until), limit_param(limit));
        let mut parameters: Vec<&(dyn ToSql + Sync)> = vec![&now, &owner, &until, &limit];
        parameters.extend_from_slice(more);
        // UPDATE ... RETURNING gives rows in no set order: what the pick sorted on comes back
        // with them, to sort again.
        let rows = self.with_client(|client| {
            client.query(
                &format!(
                    "UPDATE chats SET fetch_claimed_by = $2, fetch_claim_until = $3
                     WHERE (account, provider, chat_id) IN (
                         SELECT account, provider, chat_id FROM chats WHERE {condition}
                         LIMIT $4 FOR UPDATE SKIP LOCKED)
                     RETURNING account, provider, chat_id, {group}, last_event_at"
                ),
                &parameters,
            )
        })?;
        let mut picked = rows
            .iter()
            .map(|row| {
                Ok((
                    self.column::<i32>(row, 3)?,
                    std::cmp::Reverse(self.column::<Option<i64>>(row, 4)?),
                    self.key_from_row(row)?,
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        // Newest event first, no event last (`Reverse(None)` sorts after every `Reverse(Some)`).
        picked.sort();
        Ok(picked.into_iter().map(|(_, _, key)| key).collect())
    }

    /// Takes up to `wanted` refreshes from the database's one bucket (see
    /// `store::team::RefreshBucket`), with its row locked so that receivers asking at once take
    /// from it one after the other.
    pub fn take_refresh_budget(
        &self,
        wanted: usize,
        per_minute: u32,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        if per_minute == 0 || wanted == 0 {
            return Ok(0);
        }
        let now = millis(now);
        self.with_client(|client| {
            let mut transaction = client.transaction()?;
            let read = "SELECT tokens, filled_at FROM refresh_budget LIMIT 1 FOR UPDATE";
            let mut row = transaction.query_opt(read, &[])?;
            if row.is_none() {
                // The first fill: one receiver inserts the row, the others then find it.
                transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&BUDGET_LOCK])?;
                row = transaction.query_opt(read, &[])?;
            }
            let stored: Option<(f64, i64)> = match &row {
                Some(row) => Some((row.try_get(0)?, row.try_get(1)?)),
                None => None,
            };
            let (granted, (tokens, filled_at)) =
                RefreshBucket::new(per_minute).take(stored, wanted, now);
            let statement = if stored.is_some() {
                "UPDATE refresh_budget SET tokens = $1, filled_at = $2"
            } else {
                "INSERT INTO refresh_budget (tokens, filled_at) VALUES ($1, $2)"
            };
            transaction.execute(statement, &[&tokens, &filled_at])?;
            transaction.commit()?;
            Ok(granted)
        })
    }
}

/// Open chats are refreshed before closed ones.
const CLOSED_LAST: &str =
    "(CASE WHEN upper(coalesce(status, '')) IN ('CLOSED', 'RESOLVED') THEN 1 ELSE 0 END)";
