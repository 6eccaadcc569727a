//! The shared index's schema: the same tables and meaning as the SQLite file's, version for
//! version, with PostgreSQL's types; identity checks and migrations applied at connect, under an
//! advisory lock so that receivers starting together migrate once.

use postgres::Client;

use crate::store::StoreError;
use crate::store::postgres::PgIndex;
use crate::store::sqlite::schema::APPLICATION_ID;

/// The table that marks a database as a balcão index and holds its schema version.
pub const MARKER_TABLE: &str = "balcao_index";

/// Migrations in order; migration `n` (1-based) takes the schema from version `n - 1` to `n`,
/// and means what the SQLite file's migration `n` means. Never edit a released entry.
pub const MIGRATIONS: &[&str] = &[
    // 1: chats, their details, webhook events, audit log, drafts.
    r"
    CREATE TABLE chats (
        account              TEXT NOT NULL,
        provider             TEXT NOT NULL,
        chat_id              TEXT NOT NULL,
        status               TEXT,
        priority             BIGINT,
        contact              TEXT,
        contact_number       TEXT,
        line                 TEXT,
        responsible_user_id  TEXT,
        responsible_name     TEXT,
        unread               BIGINT NOT NULL DEFAULT 0,
        marked_unread        BOOLEAN NOT NULL DEFAULT FALSE,
        last_message_at      BIGINT,
        last_message_preview TEXT,
        last_message_from_me BOOLEAN,
        window_ends_at       BIGINT,
        archived             BOOLEAN NOT NULL DEFAULT FALSE,
        first_seen_at        BIGINT NOT NULL,
        last_event_at        BIGINT,
        hydrated_at          BIGINT,
        source               TEXT NOT NULL,
        gone                 BOOLEAN NOT NULL DEFAULT FALSE,
        needs_hydration      BOOLEAN NOT NULL DEFAULT TRUE,
        hydrate_attempts     BIGINT NOT NULL DEFAULT 0,
        next_attempt_at      BIGINT,
        last_error           TEXT,
        PRIMARY KEY (account, provider, chat_id)
    );
    CREATE INDEX chats_due ON chats (needs_hydration, next_attempt_at);
    CREATE TABLE chat_details (
        account  TEXT NOT NULL,
        provider TEXT NOT NULL,
        chat_id  TEXT NOT NULL,
        detail   TEXT NOT NULL,
        PRIMARY KEY (account, provider, chat_id)
    );
    CREATE TABLE webhook_events (
        id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        received_at BIGINT NOT NULL,
        provider    TEXT NOT NULL,
        account     TEXT NOT NULL,
        event_key   TEXT,
        outcome     TEXT NOT NULL,
        reason      TEXT,
        chat_id     TEXT,
        raw_body    BYTEA
    );
    CREATE TABLE audit_log (
        id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at          BIGINT NOT NULL,
        account     TEXT NOT NULL,
        provider    TEXT NOT NULL,
        action      TEXT NOT NULL,
        chat_id     TEXT NOT NULL,
        request     TEXT,
        before      TEXT,
        after       TEXT,
        outcome     TEXT NOT NULL,
        http_status INTEGER
    );
    CREATE TABLE drafts (
        account    TEXT NOT NULL,
        provider   TEXT NOT NULL,
        chat_id    TEXT NOT NULL,
        body       TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (account, provider, chat_id)
    );
    ",
    // 2: a refused delivery keeps its size and hash, not its body; the bytes of the bodies kept
    // are counted by a trigger, to prune the oldest beyond a budget.
    r"
    ALTER TABLE webhook_events ADD COLUMN body_size BIGINT;
    ALTER TABLE webhook_events ADD COLUMN body_sha256 TEXT;
    UPDATE webhook_events SET body_size = length(raw_body) WHERE raw_body IS NOT NULL;
    CREATE INDEX webhook_events_with_body ON webhook_events (id) WHERE raw_body IS NOT NULL;
    CREATE TABLE webhook_body_bytes (total BIGINT NOT NULL);
    INSERT INTO webhook_body_bytes (total)
        SELECT coalesce(sum(length(raw_body)), 0) FROM webhook_events;
    CREATE FUNCTION balcao_count_body_bytes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            UPDATE webhook_body_bytes SET total = total + coalesce(length(NEW.raw_body), 0);
        ELSIF TG_OP = 'DELETE' THEN
            UPDATE webhook_body_bytes SET total = total - coalesce(length(OLD.raw_body), 0);
        ELSE
            UPDATE webhook_body_bytes SET total = total
                - coalesce(length(OLD.raw_body), 0) + coalesce(length(NEW.raw_body), 0);
        END IF;
        RETURN NULL;
    END $$;
    CREATE TRIGGER webhook_body_bytes_count AFTER INSERT OR DELETE OR UPDATE OF raw_body
        ON webhook_events FOR EACH ROW EXECUTE FUNCTION balcao_count_body_bytes();
    ",
    // 3: what a desk shares. Every write to what a chat row shows takes the next revision (a
    // counter row, whose lock makes revisions commit in order, so a reader that saw revision n
    // has seen every earlier one) and notifies `balcao_changes`; forgotten chats leave a
    // removal with its revision. Who is viewing (a heartbeat that expires) and who claimed which
    // chat notify `balcao_presence`. Receivers claim fetches; the refresh budget is one bucket
    // for the whole database. The audit log says who made a change and in which batch. An
    // accepted delivery is recorded once, however often it arrives.
    r"
    ALTER TABLE chats ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE chats ADD COLUMN fetch_claimed_by TEXT;
    ALTER TABLE chats ADD COLUMN fetch_claim_until BIGINT;
    CREATE INDEX chats_revision ON chats (revision);
    CREATE TABLE index_revision (n BIGINT NOT NULL);
    INSERT INTO index_revision (n) VALUES (0);
    CREATE TABLE chat_removals (
        account  TEXT NOT NULL,
        provider TEXT NOT NULL,
        chat_id  TEXT NOT NULL,
        revision BIGINT NOT NULL
    );
    CREATE INDEX chat_removals_revision ON chat_removals (revision);
    CREATE FUNCTION balcao_chat_revision() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- A fetch done (or a 404) ends the receiver's claim on it: the next webhook for the chat
        -- is fetched by whichever receiver takes it, not held for the claim's lifetime.
        IF TG_OP = 'UPDATE' AND (NEW.hydrated_at IS DISTINCT FROM OLD.hydrated_at
                OR OLD.needs_hydration AND NOT NEW.needs_hydration) THEN
            NEW.fetch_claimed_by := NULL;
            NEW.fetch_claim_until := NULL;
        END IF;
        IF TG_OP = 'UPDATE' AND ROW(NEW.status, NEW.priority, NEW.contact, NEW.contact_number,
                NEW.line, NEW.responsible_user_id, NEW.responsible_name, NEW.unread,
                NEW.marked_unread, NEW.last_message_at, NEW.last_message_preview,
                NEW.last_message_from_me, NEW.window_ends_at, NEW.archived, NEW.last_event_at,
                NEW.hydrated_at, NEW.source, NEW.gone, NEW.needs_hydration, NEW.last_error)
            IS NOT DISTINCT FROM ROW(OLD.status, OLD.priority, OLD.contact, OLD.contact_number,
                OLD.line, OLD.responsible_user_id, OLD.responsible_name, OLD.unread,
                OLD.marked_unread, OLD.last_message_at, OLD.last_message_preview,
                OLD.last_message_from_me, OLD.window_ends_at, OLD.archived, OLD.last_event_at,
                OLD.hydrated_at, OLD.source, OLD.gone, OLD.needs_hydration, OLD.last_error)
        THEN
            RETURN NEW;
        END IF;
        UPDATE index_revision SET n = n + 1 RETURNING n INTO NEW.revision;
        PERFORM pg_notify('balcao_changes', NEW.revision::text);
        RETURN NEW;
    END $$;
    CREATE TRIGGER chats_revision BEFORE INSERT OR UPDATE ON chats
        FOR EACH ROW EXECUTE FUNCTION balcao_chat_revision();
    CREATE FUNCTION balcao_chat_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        next BIGINT;
    BEGIN
        UPDATE index_revision SET n = n + 1 RETURNING n INTO next;
        INSERT INTO chat_removals (account, provider, chat_id, revision)
            VALUES (OLD.account, OLD.provider, OLD.chat_id, next);
        PERFORM pg_notify('balcao_changes', next::text);
        RETURN NULL;
    END $$;
    CREATE TRIGGER chats_removed AFTER DELETE ON chats
        FOR EACH ROW EXECUTE FUNCTION balcao_chat_removed();
    CREATE TABLE viewers (
        console    TEXT PRIMARY KEY,
        who        TEXT NOT NULL,
        account    TEXT,
        provider   TEXT,
        chat_id    TEXT,
        since      BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
    );
    CREATE TABLE claims (
        account  TEXT NOT NULL,
        provider TEXT NOT NULL,
        chat_id  TEXT NOT NULL,
        who      TEXT NOT NULL,
        console  TEXT NOT NULL,
        since    BIGINT NOT NULL,
        PRIMARY KEY (account, provider, chat_id)
    );
    CREATE FUNCTION balcao_presence_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('balcao_presence', '');
        RETURN NULL;
    END $$;
    CREATE TRIGGER viewers_changed AFTER INSERT OR UPDATE OR DELETE ON viewers
        FOR EACH STATEMENT EXECUTE FUNCTION balcao_presence_changed();
    CREATE TRIGGER claims_changed AFTER INSERT OR UPDATE OR DELETE ON claims
        FOR EACH STATEMENT EXECUTE FUNCTION balcao_presence_changed();
    CREATE TABLE refresh_budget (tokens DOUBLE PRECISION NOT NULL, filled_at BIGINT NOT NULL);
    ALTER TABLE audit_log ADD COLUMN by_name TEXT;
    ALTER TABLE audit_log ADD COLUMN batch TEXT;
    CREATE INDEX audit_log_chat ON audit_log (chat_id);
    CREATE UNIQUE INDEX webhook_events_once ON webhook_events (provider, account, body_sha256)
        WHERE outcome = 'accepted' AND body_sha256 IS NOT NULL;
    ",
    // 4: a viewing mark renewed (the same person on the same chat, a later expiry) is not news:
    // only a mark that names another chat or person notifies `balcao_presence`, so every
    // console's heartbeat does not make every other console read presence again. Marks that
    // expire or come back are read on each console's periodic presence read.
    r"
    DROP TRIGGER viewers_changed ON viewers;
    -- Row triggers: an upsert fires the statement triggers of both INSERT and UPDATE, whatever
    -- it did; a row trigger fires for what it did.
    CREATE TRIGGER viewers_added_or_gone AFTER INSERT OR DELETE ON viewers
        FOR EACH ROW EXECUTE FUNCTION balcao_presence_changed();
    CREATE TRIGGER viewers_moved AFTER UPDATE ON viewers FOR EACH ROW
        WHEN (ROW(OLD.who, OLD.account, OLD.provider, OLD.chat_id)
            IS DISTINCT FROM ROW(NEW.who, NEW.account, NEW.provider, NEW.chat_id))
        EXECUTE FUNCTION balcao_presence_changed();
    ",
    // 5: how each audited change is taken back (`undo`), and the entries of one batch found
    // without reading the whole log.
    r"
    ALTER TABLE audit_log ADD COLUMN undo TEXT;
    CREATE INDEX audit_log_batch ON audit_log (batch);
    ",
    // 6: the conversation: compare-and-set drafts with tombstones, and the timeline cache (see
    // the SQLite file's migration 6).
    r"
    ALTER TABLE drafts ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE drafts ADD COLUMN reply_to TEXT;
    ALTER TABLE drafts ADD COLUMN written_by TEXT;
    CREATE TABLE timeline_events (
        account  TEXT NOT NULL,
        provider TEXT NOT NULL,
        chat_id  TEXT NOT NULL,
        event_id TEXT NOT NULL,
        position BIGINT NOT NULL,
        at       BIGINT,
        raw      TEXT NOT NULL,
        PRIMARY KEY (account, provider, chat_id, event_id)
    );
    CREATE INDEX timeline_events_order ON timeline_events (account, provider, chat_id, position);
    CREATE TABLE timeline_fetches (
        account     TEXT NOT NULL,
        provider    TEXT NOT NULL,
        chat_id     TEXT NOT NULL,
        fetched_at  BIGINT NOT NULL,
        total       BIGINT,
        oldest_page BIGINT NOT NULL,
        PRIMARY KEY (account, provider, chat_id)
    );
    ",
];

/// The schema version this binary writes (the same as the SQLite file's).
pub fn latest_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// Checks that the database is a balcão index (or empty) and not newer, then migrates it.
pub(super) fn prepare(client: &mut Client, index: &PgIndex) -> Result<(), StoreError> {
    let error = |e: postgres::Error| index.error(&e);
    let mut transaction = client.transaction().map_err(error)?;
    // One migrating process at a time: the others wait here, then find the work done.
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&APPLICATION_ID])
        .map_err(error)?;
    let marked: bool = transaction
        .query_one(
            "SELECT to_regclass($1) IS NOT NULL",
            &[&format!("public.{MARKER_TABLE}")],
        )
        .map_err(error)?
        .get(0);
    let version: i64 = if marked {
        let row = transaction
            .query_opt(
                &format!("SELECT application, schema_version FROM {MARKER_TABLE}"),
                &[],
            )
            .map_err(error)?;
        match row {
            Some(row) if row.get::<_, i64>(0) == APPLICATION_ID => row.get(1),
            _ => {
                return Err(StoreError::NotOurDatabase {
                    index: index.shown(),
                });
            }
        }
    } else {
        let tables: i64 = transaction
            .query_one(
                "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'",
                &[],
            )
            .map_err(error)?
            .get(0);
        if tables > 0 {
            return Err(StoreError::NotOurDatabase {
                index: index.shown(),
            });
        }
        0
    };
    if version > latest_version() {
        return Err(StoreError::NewerDatabase {
            index: index.shown(),
            found: version,
            known: latest_version(),
        });
    }
    if version == latest_version() {
        return transaction.commit().map_err(error);
    }
    if !marked {
        transaction
            .batch_execute(&format!(
                "CREATE TABLE {MARKER_TABLE} (application BIGINT NOT NULL, schema_version BIGINT NOT NULL);
                 INSERT INTO {MARKER_TABLE} VALUES ({APPLICATION_ID}, 0);"
            ))
            .map_err(error)?;
    }
    for (number, migration) in MIGRATIONS.iter().enumerate() {
        let target = i64::try_from(number + 1).unwrap_or(i64::MAX);
        if target > version {
            transaction.batch_execute(migration).map_err(error)?;
        }
    }
    transaction
        .execute(
            &format!("UPDATE {MARKER_TABLE} SET schema_version = $1"),
            &[&latest_version()],
        )
        .map_err(error)?;
    transaction.commit().map_err(error)
}

impl PgIndex {
    /// `Ok` when the database answers and is still a balcão index of the schema this binary
    /// wrote (PostgreSQL checks its own storage; a marker changed or gone since connecting is
    /// what this can see).
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let row = self.with_client(|client| {
            client.query_opt(
                &format!("SELECT application, schema_version FROM {MARKER_TABLE}"),
                &[],
            )
        })?;
        let marker = row
            .map(|row| {
                Ok::<_, StoreError>((self.column::<i64>(&row, 0)?, self.column::<i64>(&row, 1)?))
            })
            .transpose()?;
        match marker {
            Some((APPLICATION_ID, version)) if version == latest_version() => Ok(()),
            Some((APPLICATION_ID, version)) => Err(StoreError::Database {
                index: self.shown(),
                detail: format!(
                    "integrity check failed: schema version {version}, expected {}",
                    latest_version()
                ),
            }),
            _ => Err(StoreError::NotOurDatabase {
                index: self.shown(),
            }),
        }
    }
}
