//! What a desk shares, in the shared index: the change feed (revisions and removals), who is
//! viewing or has claimed which chat, and the audit log's queries. The receivers' fetch claims
//! and the one refresh budget are in `team/fetch.rs`; the `LISTEN` watch in `team/watch.rs`.

mod fetch;
mod watch;

use chrono::{DateTime, Utc};
use postgres::{IsolationLevel, Row};

use crate::store::StoreError;
use crate::store::postgres::PgIndex;
use crate::store::postgres::records::{AUDIT_COLUMNS, SUMMARY_COLUMNS};
use crate::store::postgres::rows::{CHAT_KEY, key_params};
use crate::store::records::{AuditEntry, from_millis, limit_param, millis};
use crate::store::summary::ChatKey;
use crate::store::team::{
    AuditQuery, ChangeWatch, Changes, ClaimOutcome, Presence, PresenceKind, Viewer, merge_changes,
};

/// How many audit rows are read at a time while looking for a person's entries.
const AUDIT_PAGE: i32 = 256;

impl PgIndex {
    /// The index's current revision.
    pub fn revision(&self) -> Result<i64, StoreError> {
        let row =
            self.with_client(|client| client.query_one("SELECT n FROM index_revision", &[]))?;
        self.column(&row, 0)
    }

    /// The chats written and forgotten after `revision`, at most `limit` changes, oldest first,
    /// read in one snapshot so that both lists are of the same moment. Revisions commit in
    /// order (the counter row's lock), so nothing below the last one returned can appear later.
    pub fn changes_since(&self, revision: i64, limit: usize) -> Result<Changes, StoreError> {
        if limit == 0 {
            return Ok(Changes {
                revision,
                ..Changes::default()
            });
        }
        let (chats, removed) = self.with_client(|client| {
            let mut transaction = client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let chats = transaction.query(
                &format!(
                    "SELECT {SUMMARY_COLUMNS}, revision FROM chats WHERE revision > $1
                     ORDER BY revision LIMIT $2"
                ),
                &[&revision, &limit_param(limit)],
            )?;
            let removed = transaction.query(
                "SELECT account, provider, chat_id, revision FROM chat_removals
                 WHERE revision > $1 ORDER BY revision LIMIT $2",
                &[&revision, &limit_param(limit)],
            )?;
            transaction.commit()?;
            Ok((chats, removed))
        })?;
        let chats = chats
            .iter()
            .map(|row| Ok((self.column::<i64>(row, 24)?, self.summary_from_row(row)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let removed = removed
            .iter()
            .map(|row| {
                Ok((
                    self.column::<i64>(row, 3)?,
                    ChatKey {
                        account: self.column(row, 0)?,
                        provider: self.stored(row, 1, "chat_removals", CHAT_KEY)?,
                        chat_id: self.column(row, 2)?,
                    },
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(merge_changes(revision, chats, removed, limit))
    }

    /// A watch on this database: a connection of its own that `LISTEN`s.
    pub fn watch(&self) -> Result<Box<dyn ChangeWatch>, StoreError> {
        watch::PgWatch::open(self).map(|watch| Box::new(watch) as Box<dyn ChangeWatch>)
    }

    /// A console's heartbeat. Its "since" stays while it looks at the same chat.
    pub fn see(
        &self,
        viewer: &Viewer,
        chat: Option<&ChatKey>,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.with_client(|client| {
            client.execute(
                "INSERT INTO viewers (console, who, account, provider, chat_id, since, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (console) DO UPDATE SET
                     who = EXCLUDED.who,
                     since = CASE WHEN viewers.account IS NOT DISTINCT FROM EXCLUDED.account
                                   AND viewers.provider IS NOT DISTINCT FROM EXCLUDED.provider
                                   AND viewers.chat_id IS NOT DISTINCT FROM EXCLUDED.chat_id
                              THEN viewers.since ELSE EXCLUDED.since END,
                     account = EXCLUDED.account, provider = EXCLUDED.provider,
                     chat_id = EXCLUDED.chat_id, expires_at = EXCLUDED.expires_at",
                &[
                    &viewer.console,
                    &viewer.who,
                    &chat.map(|key| &key.account),
                    &chat.map(|key| key.provider),
                    &chat.map(|key| &key.chat_id),
                    &millis(now),
                    &millis(expires_at),
                ],
            )
        })
        .map(drop)
    }

    /// A console closes: its viewing mark goes now.
    pub fn leave(&self, console: &str) -> Result<(), StoreError> {
        self.with_client(|client| {
            client.execute("DELETE FROM viewers WHERE console = $1", &[&console])
        })
        .map(drop)
    }

    /// Live viewing marks (not expired, on a chat) and every claim, by chat.
    pub fn presence(&self, now: DateTime<Utc>) -> Result<Vec<Presence>, StoreError> {
        let rows = self.with_client(|client| {
            client.query(
                "SELECT account, provider, chat_id, who, console, since, 0 AS kind FROM viewers
                 WHERE expires_at > $1 AND chat_id IS NOT NULL
                 UNION ALL
                 SELECT account, provider, chat_id, who, console, since, 1 FROM claims
                 ORDER BY 1, 2, 3, 7, 6",
                &[&millis(now)],
            )
        })?;
        rows.iter()
            .map(|row| {
                Ok(Presence {
                    key: ChatKey {
                        account: self.column(row, 0)?,
                        provider: self.stored(row, 1, "viewers", CHAT_KEY)?,
                        chat_id: self.column(row, 2)?,
                    },
                    who: self.column(row, 3)?,
                    console: self.column(row, 4)?,
                    kind: if self.column::<i32>(row, 6)? == 0 {
                        PresenceKind::Viewing
                    } else {
                        PresenceKind::Claimed
                    },
                    since: from_millis(Some(self.column(row, 5)?)).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// `viewer` claims the chat, unless someone else holds it. The holder is read first, so
    /// a refused claim writes nothing (and wakes no console); two consoles claiming at once
    /// meet at the primary key, and the one that lost reads the winner.
    pub fn claim_chat(
        &self,
        key: &ChatKey,
        viewer: &Viewer,
        now: DateTime<Utc>,
    ) -> Result<ClaimOutcome, StoreError> {
        // A claim released between the read and the insert is read again: a handful of tries
        // is plenty, as each needs another console to claim and release in between.
        for _ in 0..8 {
            let holder = self.with_client(|client| {
                client.query_opt(
                    "SELECT who, since FROM claims
                     WHERE account = $1 AND provider = $2 AND chat_id = $3",
                    &key_params(key),
                )
            })?;
            if let Some(row) = holder {
                let who: String = self.column(&row, 0)?;
                if who == viewer.who {
                    return Ok(ClaimOutcome::Claimed);
                }
                let since = from_millis(Some(self.column(&row, 1)?)).unwrap_or_default();
                return Ok(ClaimOutcome::HeldBy { who, since });
            }
            let inserted = self.with_client(|client| {
                client.execute(
                    "INSERT INTO claims (account, provider, chat_id, who, console, since)
                     VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (account, provider, chat_id) DO NOTHING",
                    &[
                        &key.account,
                        &key.provider,
                        &key.chat_id,
                        &viewer.who,
                        &viewer.console,
                        &millis(now),
                    ],
                )
            })?;
            if inserted > 0 {
                return Ok(ClaimOutcome::Claimed);
            }
        }
        Err(StoreError::Database {
            index: self.shown(),
            detail: format!(
                "the claim on chat {} kept changing hands; try again",
                key.chat_id
            ),
        })
    }

    /// Drops `who`'s claim on the chat. Returns whether there was one.
    pub fn release_chat(&self, key: &ChatKey, who: &str) -> Result<bool, StoreError> {
        self.with_client(|client| {
            client.execute(
                "DELETE FROM claims
                 WHERE account = $1 AND provider = $2 AND chat_id = $3 AND who = $4",
                &[&key.account, &key.provider, &key.chat_id, &who],
            )
        })
        .map(|deleted| deleted > 0)
    }

    /// Audit entries matching `query`, newest first (by when the change was made). The name is
    /// compared case-insensitively in Rust, whatever the database's collation (`lower` under
    /// the C locale knows only ASCII, and desks have Ângelas): with a name, the rows are read
    /// newest first, a page at a time, until `limit` match.
    pub fn audit_query(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        if query.limit == 0 {
            return Ok(Vec::new());
        }
        let since = query.since.map(millis);
        let filter = "($1::text IS NULL OR chat_id = $1) AND ($2::bigint IS NULL OR at >= $2)
                      AND ($3::text IS NULL OR batch = $3)";
        let Some(by) = query.by.as_deref().map(str::to_lowercase) else {
            let rows = self.with_client(|client| {
                client.query(
                    &format!(
                        "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE {filter}
                         ORDER BY at DESC, id DESC LIMIT $4"
                    ),
                    &[&query.chat, &since, &query.batch, &limit_param(query.limit)],
                )
            })?;
            return rows.iter().map(|row| self.audit_from_row(row)).collect();
        };
        let rows = self.with_client(|client| {
            let mut transaction = client.transaction()?;
            let portal = transaction.bind(
                &format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE {filter} AND by_name IS NOT NULL
                     ORDER BY at DESC, id DESC"
                ),
                &[&query.chat, &since, &query.batch],
            )?;
            let mut found: Vec<Row> = Vec::new();
            loop {
                let page = transaction.query_portal(&portal, AUDIT_PAGE)?;
                let last = page.len() < usize::try_from(AUDIT_PAGE).unwrap_or(usize::MAX);
                for row in page {
                    let name: Option<String> = row.try_get(11)?;
                    if name.is_some_and(|name| name.to_lowercase() == by) {
                        found.push(row);
                        if found.len() >= query.limit {
                            break;
                        }
                    }
                }
                if last || found.len() >= query.limit {
                    break;
                }
            }
            transaction.commit()?;
            Ok(found)
        })?;
        rows.iter().map(|row| self.audit_from_row(row)).collect()
    }

    /// Every account name the index holds chats of, sorted.
    pub fn accounts(&self) -> Result<Vec<String>, StoreError> {
        let rows = self.with_client(|client| {
            client.query("SELECT DISTINCT account FROM chats ORDER BY account", &[])
        })?;
        rows.iter().map(|row| self.column(row, 0)).collect()
    }
}
