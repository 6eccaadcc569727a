//! Moving a desk, in the shared database: every row read a page at a time, and an import written
//! in one transaction, a page per statement (`unnest` of one array per column), so that a large
//! index costs a round trip per page, not per row (see `store::copy`).

use postgres::{GenericClient, Row, Transaction};

use crate::store::copy::{ChatRecord, Content, Draft, Imported, Sink, copy_all};
use crate::store::postgres::PgIndex;
use crate::store::postgres::records::{AUDIT_COLUMNS, SUMMARY_COLUMNS};
use crate::store::postgres::rows::CHAT_KEY;
use crate::store::records::{AuditEntry, from_millis, limit_param, millis};
use crate::store::summary::ChatKey;
use crate::store::{Index, StoreError};

/// The rows after a key, in key order: `$1` to `$3` are the key (NULL: from the first), `$4`
/// the limit.
const AFTER_KEY: &str = "WHERE $1::text IS NULL OR (account, provider, chat_id) > ($1, $2, $3)
     ORDER BY account, provider, chat_id LIMIT $4";

fn count(client: &mut impl GenericClient) -> Result<Content, postgres::Error> {
    let row = client.query_one(
        "SELECT (SELECT count(*) FROM chats), (SELECT count(*) FROM audit_log),
                (SELECT count(*) FROM drafts)",
        &[],
    )?;
    let number = |at: usize| {
        row.try_get::<_, i64>(at)
            .map(|n| u64::try_from(n).unwrap_or_default())
    };
    Ok(Content {
        chats: number(0)?,
        audit: number(1)?,
        drafts: number(2)?,
    })
}

impl PgIndex {
    /// A chat as [`PgIndex::export_chats`] selects it: its summary first, as every chat query
    /// reads it, then what a copy carries beyond it.
    fn chat_from_row(&self, row: &Row) -> Result<ChatRecord, StoreError> {
        Ok(ChatRecord {
            summary: self.summary_from_row(row)?,
            hydrate_attempts: self.column(row, 24)?,
            next_attempt_at: from_millis(self.column(row, 25)?),
            detail: self.column(row, 26)?,
        })
    }

    /// See [`Index::content`].
    pub fn content(&self) -> Result<Content, StoreError> {
        self.with_client(count)
    }

    /// See [`Index::export_chats`].
    pub fn export_chats(
        &self,
        after: Option<&ChatKey>,
        limit: usize,
    ) -> Result<Vec<ChatRecord>, StoreError> {
        let rows = self.with_client(|client| {
            client.query(
                // The details joined `USING` the key: the summary's columns name the chat's.
                &format!(
                    "SELECT {SUMMARY_COLUMNS}, hydrate_attempts, next_attempt_at, detail
                     FROM chats LEFT JOIN chat_details USING (account, provider, chat_id)
                     {AFTER_KEY}"
                ),
                &[
                    &after.map(|key| &key.account),
                    &after.map(|key| key.provider),
                    &after.map(|key| &key.chat_id),
                    &limit_param(limit),
                ],
            )
        })?;
        rows.iter().map(|row| self.chat_from_row(row)).collect()
    }

    /// See [`Index::export_audit`].
    pub fn export_audit(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<(i64, AuditEntry)>, StoreError> {
        let rows = self.with_client(|client| {
            client.query(
                &format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2"
                ),
                &[&after, &limit_param(limit)],
            )
        })?;
        rows.iter()
            .map(|row| Ok((self.column(row, 10)?, self.audit_from_row(row)?)))
            .collect()
    }

    /// See [`Index::export_drafts`].
    pub fn export_drafts(
        &self,
        after: Option<&ChatKey>,
        limit: usize,
    ) -> Result<Vec<Draft>, StoreError> {
        let rows = self.with_client(|client| {
            client.query(
                &format!(
                    "SELECT account, provider, chat_id, body, updated_at, revision, reply_to,
                         written_by
                     FROM drafts {AFTER_KEY}"
                ),
                &[
                    &after.map(|key| &key.account),
                    &after.map(|key| key.provider),
                    &after.map(|key| &key.chat_id),
                    &limit_param(limit),
                ],
            )
        })?;
        rows.iter()
            .map(|row| {
                Ok(Draft {
                    key: ChatKey {
                        account: self.column(row, 0)?,
                        provider: self.stored(row, 1, "drafts", CHAT_KEY)?,
                        chat_id: self.column(row, 2)?,
                    },
                    body: self.column(row, 3)?,
                    updated_at: from_millis(Some(self.column(row, 4)?)).unwrap_or_default(),
                    revision: self.column(row, 5)?,
                    reply_to: self.column(row, 6)?,
                    written_by: self.column(row, 7)?,
                })
            })
            .collect()
    }

    /// See [`Index::import_from`].
    pub fn import_from(&self, source: &dyn Index, replace: bool) -> Result<Imported, StoreError> {
        self.with_client(|client| {
            let mut transaction = client.transaction()?;
            let held = count(&mut transaction)?;
            if !held.is_empty() && !replace {
                // Dropped without a commit: nothing changed.
                return Ok(Ok(Imported::Refused(held)));
            }
            let bulk = revisions_in_bulk(&mut transaction)?;
            if replace {
                if bulk {
                    transaction.batch_execute(BULK_REMOVALS)?;
                }
                transaction.batch_execute(
                    "DELETE FROM chat_details; DELETE FROM chats; DELETE FROM audit_log;
                     DELETE FROM drafts; DELETE FROM claims;
                     DELETE FROM timeline_events; DELETE FROM timeline_fetches;",
                )?;
            }
            let mut sink = Writer {
                index: self,
                transaction: &mut transaction,
            };
            match copy_all(source, &mut sink) {
                Ok(copied) => {
                    if bulk {
                        transaction.batch_execute(BULK_REVISIONS)?;
                    }
                    transaction.commit()?;
                    Ok(Ok(Imported::Copied(copied)))
                }
                // Dropped without a commit: the target stays as it was.
                Err(error) => Ok(Err(error)),
            }
        })?
    }
}

/// The revision triggers take the one counter row once per chat; in one transaction each update
/// of that row walks every version the transaction made of it before, so a large import would
/// cost the square of its size (100 000 chats: minutes). When this role owns the table, the
/// import turns them off for its transaction (`ALTER TABLE` is transactional: they are on again
/// for everyone at the commit, and never off after a rollback) and numbers the rows itself, in
/// one statement each ([`BULK_REMOVALS`], [`BULK_REVISIONS`]). Otherwise the triggers stay, and the
/// import is only slower.
fn revisions_in_bulk(transaction: &mut Transaction<'_>) -> Result<bool, postgres::Error> {
    transaction.batch_execute("SAVEPOINT bulk_revisions")?;
    match transaction.batch_execute(
        "ALTER TABLE chats DISABLE TRIGGER chats_revision, DISABLE TRIGGER chats_removed",
    ) {
        Ok(()) => Ok(true),
        Err(error) => {
            tracing::info!(%error, "the revision triggers stay on during the import");
            transaction.batch_execute("ROLLBACK TO SAVEPOINT bulk_revisions")?;
            Ok(false)
        }
    }
}

/// What the removal trigger does for each chat, for all of them at once: each leaves a removal
/// with a revision of its own, so that watchers hear of it.
const BULK_REMOVALS: &str = "
    WITH gone AS (
        SELECT account, provider, chat_id,
               row_number() OVER (ORDER BY account, provider, chat_id) AS n
        FROM chats
    ), base AS (
        UPDATE index_revision SET n = n + (SELECT count(*) FROM chats)
        RETURNING n - (SELECT count(*) FROM chats) AS first
    )
    INSERT INTO chat_removals (account, provider, chat_id, revision)
        SELECT gone.account, gone.provider, gone.chat_id, base.first + gone.n FROM gone, base;";

/// What the revision trigger does for each chat written, for all of them at once, then the
/// triggers on again and one notification for the consoles.
const BULK_REVISIONS: &str = "
    WITH numbered AS (
        SELECT account, provider, chat_id,
               row_number() OVER (ORDER BY account, provider, chat_id) AS n
        FROM chats
    ), base AS (
        UPDATE index_revision SET n = n + (SELECT count(*) FROM chats)
        RETURNING n - (SELECT count(*) FROM chats) AS first
    )
    UPDATE chats SET revision = base.first + numbered.n FROM numbered, base
        WHERE chats.account = numbered.account AND chats.provider = numbered.provider
          AND chats.chat_id = numbered.chat_id;
    ALTER TABLE chats ENABLE TRIGGER chats_revision, ENABLE TRIGGER chats_removed;
    SELECT pg_notify('balcao_changes', n::text) FROM index_revision;";

/// An import's writes, inside its transaction.
struct Writer<'a, 'b> {
    index: &'a PgIndex,
    transaction: &'a mut Transaction<'b>,
}

impl Sink for Writer<'_, '_> {
    fn chats(&mut self, chats: &[ChatRecord]) -> Result<(), StoreError> {
        if chats.is_empty() {
            return Ok(());
        }
        let text = |pick: &dyn Fn(&ChatRecord) -> Option<String>| -> Vec<Option<String>> {
            chats.iter().map(pick).collect()
        };
        let time = |pick: &dyn Fn(&ChatRecord) -> Option<chrono::DateTime<chrono::Utc>>| -> Vec<Option<i64>> {
            chats.iter().map(|chat| pick(chat).map(millis)).collect()
        };
        let flag =
            |pick: &dyn Fn(&ChatRecord) -> bool| -> Vec<bool> { chats.iter().map(pick).collect() };
        let accounts = text(&|c| Some(c.summary.key.account.clone()));
        let providers = text(&|c| Some(c.summary.key.provider.as_str().to_owned()));
        let ids = text(&|c| Some(c.summary.key.chat_id.clone()));
        let status = text(&|c| c.summary.columns.status.clone());
        let priority: Vec<Option<i64>> = chats.iter().map(|c| c.summary.columns.priority).collect();
        let contact = text(&|c| c.summary.columns.contact.clone());
        let number = text(&|c| c.summary.columns.contact_number.clone());
        let line = text(&|c| c.summary.columns.line.clone());
        let responsible = text(&|c| c.summary.columns.responsible_user_id.clone());
        let responsible_name = text(&|c| c.summary.columns.responsible_name.clone());
        let unread: Vec<i64> = chats.iter().map(|c| c.summary.columns.unread).collect();
        let marked = flag(&|c| c.summary.columns.marked_unread);
        let last_at = time(&|c| c.summary.columns.last_message_at);
        let preview = text(&|c| c.summary.columns.last_message_preview.clone());
        let from_me: Vec<Option<bool>> = chats
            .iter()
            .map(|c| c.summary.columns.last_message_from_me)
            .collect();
        let window = time(&|c| c.summary.columns.window_ends_at);
        let archived = flag(&|c| c.summary.columns.archived);
        let first_seen: Vec<i64> = chats
            .iter()
            .map(|c| millis(c.summary.first_seen_at))
            .collect();
        let last_event = time(&|c| c.summary.last_event_at);
        let hydrated = time(&|c| c.summary.hydrated_at);
        let sources = text(&|c| Some(c.summary.source.as_str().to_owned()));
        let gone = flag(&|c| c.summary.gone);
        let needs = flag(&|c| c.summary.needs_hydration);
        let last_error = text(&|c| c.summary.last_error.clone());
        let attempts: Vec<i64> = chats.iter().map(|c| c.hydrate_attempts).collect();
        let next_attempt = time(&|c| c.next_attempt_at);
        self.transaction
            .execute(
                "INSERT INTO chats (account, provider, chat_id, status, priority, contact,
                     contact_number, line, responsible_user_id, responsible_name, unread,
                     marked_unread, last_message_at, last_message_preview, last_message_from_me,
                     window_ends_at, archived, first_seen_at, last_event_at, hydrated_at, source,
                     gone, needs_hydration, last_error, hydrate_attempts, next_attempt_at)
                 SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[],
                     $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[],
                     $12::boolean[], $13::bigint[], $14::text[], $15::boolean[], $16::bigint[],
                     $17::boolean[], $18::bigint[], $19::bigint[], $20::bigint[], $21::text[],
                     $22::boolean[], $23::boolean[], $24::text[], $25::bigint[], $26::bigint[])",
                &[
                    &accounts,
                    &providers,
                    &ids,
                    &status,
                    &priority,
                    &contact,
                    &number,
                    &line,
                    &responsible,
                    &responsible_name,
                    &unread,
                    &marked,
                    &last_at,
                    &preview,
                    &from_me,
                    &window,
                    &archived,
                    &first_seen,
                    &last_event,
                    &hydrated,
                    &sources,
                    &gone,
                    &needs,
                    &last_error,
                    &attempts,
                    &next_attempt,
                ],
            )
            .map_err(|e| self.index.error(&e))?;
        self.details(chats)
    }

    fn audit(&mut self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let text = |pick: &dyn Fn(&AuditEntry) -> Option<String>| -> Vec<Option<String>> {
            entries.iter().map(pick).collect()
        };
        let at: Vec<i64> = entries.iter().map(|e| millis(e.at)).collect();
        let accounts = text(&|e| Some(e.key.account.clone()));
        let providers = text(&|e| Some(e.key.provider.as_str().to_owned()));
        let actions = text(&|e| Some(e.action.clone()));
        let ids = text(&|e| Some(e.key.chat_id.clone()));
        let requests = text(&|e| e.request.clone());
        let before = text(&|e| e.before.clone());
        let after = text(&|e| e.after.clone());
        let outcomes = text(&|e| Some(e.outcome.clone()));
        let status: Vec<Option<i32>> = entries
            .iter()
            .map(|e| e.http_status.map(i32::from))
            .collect();
        let by = text(&|e| e.by.clone());
        let batch = text(&|e| e.batch.clone());
        let undo = text(&|e| e.undo.clone());
        // In the order given, so that the new numbers keep the source's order.
        self.transaction
            .execute(
                "INSERT INTO audit_log (at, account, provider, action, chat_id, request, before,
                     after, outcome, http_status, by_name, batch, undo)
                 SELECT at, account, provider, action, chat_id, request, before, after, outcome,
                        http_status, by_name, batch, undo
                 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],
                     $6::text[], $7::text[], $8::text[], $9::text[], $10::integer[], $11::text[],
                     $12::text[], $13::text[])
                     WITH ORDINALITY AS t(at, account, provider, action, chat_id, request, before,
                         after, outcome, http_status, by_name, batch, undo, n)
                 ORDER BY n",
                &[
                    &at, &accounts, &providers, &actions, &ids, &requests, &before, &after,
                    &outcomes, &status, &by, &batch, &undo,
                ],
            )
            .map_err(|e| self.index.error(&e))?;
        Ok(())
    }

    fn drafts(&mut self, drafts: &[Draft]) -> Result<(), StoreError> {
        if drafts.is_empty() {
            return Ok(());
        }
        let accounts: Vec<String> = drafts.iter().map(|d| d.key.account.clone()).collect();
        let providers: Vec<String> = drafts
            .iter()
            .map(|d| d.key.provider.as_str().to_owned())
            .collect();
        let ids: Vec<String> = drafts.iter().map(|d| d.key.chat_id.clone()).collect();
        let bodies: Vec<String> = drafts.iter().map(|d| d.body.clone()).collect();
        let updated: Vec<i64> = drafts.iter().map(|d| millis(d.updated_at)).collect();
        let revisions: Vec<i64> = drafts.iter().map(|d| d.revision).collect();
        let reply_to: Vec<Option<String>> = drafts.iter().map(|d| d.reply_to.clone()).collect();
        let written_by: Vec<Option<String>> = drafts.iter().map(|d| d.written_by.clone()).collect();
        self.transaction
            .execute(
                "INSERT INTO drafts (account, provider, chat_id, body, updated_at, revision,
                     reply_to, written_by)
                 SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[],
                     $6::bigint[], $7::text[], $8::text[])
                 ON CONFLICT (account, provider, chat_id) DO UPDATE
                     SET body = EXCLUDED.body, updated_at = EXCLUDED.updated_at,
                         revision = EXCLUDED.revision, reply_to = EXCLUDED.reply_to,
                         written_by = EXCLUDED.written_by",
                &[
                    &accounts,
                    &providers,
                    &ids,
                    &bodies,
                    &updated,
                    &revisions,
                    &reply_to,
                    &written_by,
                ],
            )
            .map_err(|e| self.index.error(&e))?;
        Ok(())
    }
}

impl Writer<'_, '_> {
    /// The stored details of `chats`, those that have one.
    fn details(&mut self, chats: &[ChatRecord]) -> Result<(), StoreError> {
        let with_detail: Vec<&ChatRecord> = chats.iter().filter(|c| c.detail.is_some()).collect();
        let column = |pick: &dyn Fn(&ChatRecord) -> String| -> Vec<String> {
            with_detail.iter().map(|chat| pick(chat)).collect()
        };
        let accounts = column(&|c| c.summary.key.account.clone());
        let providers = column(&|c| c.summary.key.provider.as_str().to_owned());
        let ids = column(&|c| c.summary.key.chat_id.clone());
        let details = column(&|c| c.detail.clone().unwrap_or_default());
        self.transaction
            .execute(
                "INSERT INTO chat_details (account, provider, chat_id, detail)
                 SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])",
                &[&accounts, &providers, &ids, &details],
            )
            .map_err(|e| self.index.error(&e))?;
        Ok(())
    }
}
