//! What a desk shares, in the SQLite file: the change feed (revisions and removals), who is
//! viewing or has claimed which chat, and the audit log's queries. The receivers' fetch claims
//! and the shared refresh budget are in `team/fetch.rs`; the watch that polls the file's
//! counters in `team/watch.rs`.

mod fetch;
mod watch;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use crate::store::StoreError;
use crate::store::records::{AuditEntry, from_millis, limit_param, millis};
use crate::store::sqlite::SqliteIndex;
use crate::store::sqlite::records::{
    AUDIT_COLUMNS, SUMMARY_COLUMNS, audit_from_row, summary_from_row,
};
use crate::store::stored::get;
use crate::store::summary::ChatKey;
use crate::store::team::{
    AuditQuery, ChangeWatch, Changes, ClaimOutcome, Presence, PresenceKind, Viewer, merge_changes,
};

/// The key columns of the rows the presence queries read: account, provider, chat id.
const PRESENCE_KEY: &[usize] = &[0, 1, 2];

impl SqliteIndex {
    /// The index's current revision.
    pub fn revision(&self) -> Result<i64, StoreError> {
        self.lock()
            .query_row("SELECT n FROM index_revision", [], |row| row.get(0))
            .map_err(|e| self.error(&e))
    }

    /// The chats written and forgotten after `revision`, at most `limit` changes, oldest first,
    /// read in one transaction so that both lists are of the same moment.
    pub fn changes_since(&self, revision: i64, limit: usize) -> Result<Changes, StoreError> {
        if limit == 0 {
            return Ok(Changes {
                revision,
                ..Changes::default()
            });
        }
        let limit_sql = limit_param(limit);
        let mut connection = self.lock();
        // Deferred: a read snapshot of the file, taking no write lock.
        let transaction = connection.transaction().map_err(|e| self.error(&e))?;
        let chats = {
            let mut statement = transaction
                .prepare_cached(&format!(
                    "SELECT {SUMMARY_COLUMNS}, revision FROM chats WHERE revision > ?1
                     ORDER BY revision LIMIT ?2"
                ))
                .map_err(|e| self.error(&e))?;
            let rows = statement
                .query_map(params![revision, limit_sql], |row| {
                    Ok((row.get::<_, i64>(24)?, summary_from_row(row)?))
                })
                .map_err(|e| self.error(&e))?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(|e| self.error(&e))?
        };
        let removed = {
            let mut statement = transaction
                .prepare_cached(
                    "SELECT account, provider, chat_id, revision FROM chat_removals
                     WHERE revision > ?1 ORDER BY revision LIMIT ?2",
                )
                .map_err(|e| self.error(&e))?;
            let rows = statement
                .query_map(params![revision, limit_sql], |row| {
                    Ok((
                        row.get::<_, i64>(3)?,
                        ChatKey {
                            account: row.get(0)?,
                            provider: get(row, 1, "chat_removals", PRESENCE_KEY)?,
                            chat_id: row.get(2)?,
                        },
                    ))
                })
                .map_err(|e| self.error(&e))?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(|e| self.error(&e))?
        };
        transaction.commit().map_err(|e| self.error(&e))?;
        Ok(merge_changes(revision, chats, removed, limit))
    }

    /// A watch on this file: a connection of its own that looks at the file's counters.
    pub fn watch(&self) -> Result<Box<dyn ChangeWatch>, StoreError> {
        watch::SqliteWatch::open(self).map(|watch| Box::new(watch) as Box<dyn ChangeWatch>)
    }

    /// A console's heartbeat. Its "since" stays while it looks at the same chat.
    pub fn see(
        &self,
        viewer: &Viewer,
        chat: Option<&ChatKey>,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.lock()
            .execute(
                "INSERT INTO viewers (console, who, account, provider, chat_id, since, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (console) DO UPDATE SET
                     who = excluded.who,
                     since = CASE WHEN viewers.account IS excluded.account
                                   AND viewers.provider IS excluded.provider
                                   AND viewers.chat_id IS excluded.chat_id
                              THEN viewers.since ELSE excluded.since END,
                     account = excluded.account, provider = excluded.provider,
                     chat_id = excluded.chat_id, expires_at = excluded.expires_at",
                params![
                    viewer.console,
                    viewer.who,
                    chat.map(|key| &key.account),
                    chat.map(|key| key.provider),
                    chat.map(|key| &key.chat_id),
                    millis(now),
                    millis(expires_at)
                ],
            )
            .map_err(|e| self.error(&e))
            .map(drop)
    }

    /// A console closes: its viewing mark goes now.
    pub fn leave(&self, console: &str) -> Result<(), StoreError> {
        self.lock()
            .execute("DELETE FROM viewers WHERE console = ?1", [console])
            .map_err(|e| self.error(&e))
            .map(drop)
    }

    /// Live viewing marks (not expired, on a chat) and every claim, by chat.
    pub fn presence(&self, now: DateTime<Utc>) -> Result<Vec<Presence>, StoreError> {
        let connection = self.lock();
        let mut statement = connection
            .prepare_cached(
                "SELECT account, provider, chat_id, who, console, since, 0 FROM viewers
                 WHERE expires_at > ?1 AND chat_id IS NOT NULL
                 UNION ALL
                 SELECT account, provider, chat_id, who, console, since, 1 FROM claims
                 ORDER BY 1, 2, 3, 7, 6",
            )
            .map_err(|e| self.error(&e))?;
        let rows = statement
            .query_map([millis(now)], |row| {
                Ok(Presence {
                    key: ChatKey {
                        account: row.get(0)?,
                        provider: get(row, 1, "viewers", PRESENCE_KEY)?,
                        chat_id: row.get(2)?,
                    },
                    who: row.get(3)?,
                    console: row.get(4)?,
                    kind: if row.get::<_, i64>(6)? == 0 {
                        PresenceKind::Viewing
                    } else {
                        PresenceKind::Claimed
                    },
                    since: from_millis(row.get(5)?).unwrap_or_default(),
                })
            })
            .map_err(|e| self.error(&e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.error(&e))
    }

    /// `viewer` claims the chat, unless someone else holds it. One IMMEDIATE transaction: two
    /// consoles claiming at once see each other.
    pub fn claim_chat(
        &self,
        key: &ChatKey,
        viewer: &Viewer,
        now: DateTime<Utc>,
    ) -> Result<ClaimOutcome, StoreError> {
        self.write(|transaction| {
            let holder: Option<(String, i64)> = transaction
                .query_row(
                    "SELECT who, since FROM claims WHERE account = ?1 AND provider = ?2 AND chat_id = ?3",
                    params![key.account, key.provider, key.chat_id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            Ok(match holder {
                Some((who, _)) if who == viewer.who => ClaimOutcome::Claimed,
                Some((who, since)) => ClaimOutcome::HeldBy {
                    who,
                    since: from_millis(Some(since)).unwrap_or_default(),
                },
                None => {
                    transaction.execute(
                        "INSERT INTO claims (account, provider, chat_id, who, console, since)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![
                            key.account,
                            key.provider,
                            key.chat_id,
                            viewer.who,
                            viewer.console,
                            millis(now)
                        ],
                    )?;
                    ClaimOutcome::Claimed
                }
            })
        })
    }

    /// Drops `who`'s claim on the chat. Returns whether there was one.
    pub fn release_chat(&self, key: &ChatKey, who: &str) -> Result<bool, StoreError> {
        self.lock()
            .execute(
                "DELETE FROM claims WHERE account = ?1 AND provider = ?2 AND chat_id = ?3 AND who = ?4",
                params![key.account, key.provider, key.chat_id, who],
            )
            .map_err(|e| self.error(&e))
            .map(|deleted| deleted > 0)
    }

    /// Audit entries matching `query`, newest first (by when the change was made). The name is
    /// compared case-insensitively in Unicode (SQLite's `lower` knows only ASCII, and desks
    /// have Ângelas), so with a name the rows are read newest first until `limit` match.
    pub fn audit_query(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        if query.limit == 0 {
            return Ok(Vec::new());
        }
        let by = query.by.as_deref().map(str::to_lowercase);
        // Without a name, SQL applies the limit; with one, the rows are read until enough match.
        let sql_limit = if by.is_some() {
            -1
        } else {
            limit_param(query.limit)
        };
        let connection = self.lock();
        let mut statement = connection
            .prepare_cached(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_log
                 WHERE (?1 IS NULL OR chat_id = ?1) AND (?2 IS NULL OR at >= ?2)
                   AND (?4 = 0 OR by_name IS NOT NULL) AND (?5 IS NULL OR batch = ?5)
                 ORDER BY at DESC, id DESC LIMIT ?3"
            ))
            .map_err(|e| self.error(&e))?;
        let rows = statement
            .query_map(
                params![
                    query.chat,
                    query.since.map(millis),
                    sql_limit,
                    i64::from(by.is_some()),
                    query.batch
                ],
                audit_from_row,
            )
            .map_err(|e| self.error(&e))?;
        let mut found = Vec::new();
        for row in rows {
            let entry = row.map_err(|e| self.error(&e))?;
            let matches = by.as_deref().is_none_or(|by| {
                entry
                    .by
                    .as_deref()
                    .is_some_and(|name| name.to_lowercase() == by)
            });
            if matches {
                found.push(entry);
                if found.len() >= query.limit {
                    break;
                }
            }
        }
        Ok(found)
    }

    /// Every account name the index holds chats of, sorted.
    pub fn accounts(&self) -> Result<Vec<String>, StoreError> {
        let connection = self.lock();
        let mut statement = connection
            .prepare_cached("SELECT DISTINCT account FROM chats ORDER BY account")
            .map_err(|e| self.error(&e))?;
        let rows = statement
            .query_map([], |row| row.get(0))
            .map_err(|e| self.error(&e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.error(&e))
    }
}
