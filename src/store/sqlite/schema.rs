//! The index's schema: identity checks and versioned migrations, applied at open.

/// Marks a SQLite file as a balcão index (`PRAGMA application_id`, "BALC").
pub const APPLICATION_ID: i64 = 0x4241_4C43;

/// Migrations in order; migration `n` (1-based) takes the schema from version `n - 1` to `n`.
/// Never edit a released entry: add a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: chats, their details, webhook events, audit log, drafts.
    r"
    CREATE TABLE chats (
        account              TEXT NOT NULL,
        provider             TEXT NOT NULL,
        chat_id              TEXT NOT NULL,
        status               TEXT,
        priority             INTEGER,
        contact              TEXT,
        contact_number       TEXT,
        line                 TEXT,
        responsible_user_id  TEXT,
        responsible_name     TEXT,
        unread               INTEGER NOT NULL DEFAULT 0,
        marked_unread        INTEGER NOT NULL DEFAULT 0,
        last_message_at      INTEGER,
        last_message_preview TEXT,
        last_message_from_me INTEGER,
        window_ends_at       INTEGER,
        archived             INTEGER NOT NULL DEFAULT 0,
        first_seen_at        INTEGER NOT NULL,
        last_event_at        INTEGER,
        hydrated_at          INTEGER,
        source               TEXT NOT NULL,
        gone                 INTEGER NOT NULL DEFAULT 0,
        needs_hydration      INTEGER NOT NULL DEFAULT 1,
        hydrate_attempts     INTEGER NOT NULL DEFAULT 0,
        next_attempt_at      INTEGER,
        last_error           TEXT,
        PRIMARY KEY (account, provider, chat_id)
    ) WITHOUT ROWID;
    CREATE INDEX chats_due ON chats (needs_hydration, next_attempt_at);
    -- Details live apart so that loading every summary never reads their bytes.
    CREATE TABLE chat_details (
        account  TEXT NOT NULL,
        provider TEXT NOT NULL,
        chat_id  TEXT NOT NULL,
        detail   TEXT NOT NULL,
        PRIMARY KEY (account, provider, chat_id)
    ) WITHOUT ROWID;
    CREATE TABLE webhook_events (
        id          INTEGER PRIMARY KEY,
        received_at INTEGER NOT NULL,
        provider    TEXT NOT NULL,
        account     TEXT NOT NULL,
        event_key   TEXT,
        outcome     TEXT NOT NULL,
        reason      TEXT,
        chat_id     TEXT,
        raw_body    BLOB
    );
    CREATE TABLE audit_log (
        id          INTEGER PRIMARY KEY,
        at          INTEGER NOT NULL,
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
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (account, provider, chat_id)
    );
    ",
    // 2: a refused delivery keeps its size and hash, not its body; the bytes of the bodies kept
    // are counted (by triggers, so no write can forget) to prune the oldest beyond a budget.
    // Existing rows stay as they were; their size is taken from their body, their hash is unknown.
    r"
    ALTER TABLE webhook_events ADD COLUMN body_size INTEGER;
    ALTER TABLE webhook_events ADD COLUMN body_sha256 TEXT;
    UPDATE webhook_events SET body_size = length(raw_body) WHERE raw_body IS NOT NULL;
    CREATE INDEX webhook_events_with_body ON webhook_events (id) WHERE raw_body IS NOT NULL;
    CREATE TABLE webhook_body_bytes (total INTEGER NOT NULL);
    INSERT INTO webhook_body_bytes (total)
        SELECT coalesce(sum(length(raw_body)), 0) FROM webhook_events;
    CREATE TRIGGER webhook_body_bytes_insert AFTER INSERT ON webhook_events
        WHEN NEW.raw_body IS NOT NULL
        BEGIN UPDATE webhook_body_bytes SET total = total + length(NEW.raw_body); END;
    CREATE TRIGGER webhook_body_bytes_delete AFTER DELETE ON webhook_events
        WHEN OLD.raw_body IS NOT NULL
        BEGIN UPDATE webhook_body_bytes SET total = total - length(OLD.raw_body); END;
    CREATE TRIGGER webhook_body_bytes_update AFTER UPDATE OF raw_body ON webhook_events
        BEGIN UPDATE webhook_body_bytes
            SET total = total - coalesce(length(OLD.raw_body), 0) + coalesce(length(NEW.raw_body), 0);
        END;
    ",
    // 3: what a desk shares (the same meaning as the shared index's migration 3). Every write to
    // what a chat row shows takes the next revision and forgotten chats leave a removal, so a
    // watcher reads what changed since the revision it saw; who is viewing and who claimed
    // which chat; fetch claims; one refresh budget; who made a change and in which batch; an
    // accepted delivery recorded once.
    r"
    ALTER TABLE chats ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE chats ADD COLUMN fetch_claimed_by TEXT;
    ALTER TABLE chats ADD COLUMN fetch_claim_until INTEGER;
    CREATE INDEX chats_revision ON chats (revision);
    CREATE TABLE index_revision (n INTEGER NOT NULL);
    INSERT INTO index_revision (n) VALUES (0);
    CREATE TABLE chat_removals (
        account  TEXT NOT NULL,
        provider TEXT NOT NULL,
        chat_id  TEXT NOT NULL,
        revision INTEGER NOT NULL
    );
    CREATE INDEX chat_removals_revision ON chat_removals (revision);
    CREATE TRIGGER chats_revision_insert AFTER INSERT ON chats
    BEGIN
        UPDATE index_revision SET n = n + 1;
        UPDATE chats SET revision = (SELECT n FROM index_revision)
            WHERE account = NEW.account AND provider = NEW.provider AND chat_id = NEW.chat_id;
    END;
    CREATE TRIGGER chats_revision_update AFTER UPDATE ON chats
        WHEN NEW.revision = OLD.revision AND (
            NEW.status IS NOT OLD.status OR NEW.priority IS NOT OLD.priority
            OR NEW.contact IS NOT OLD.contact OR NEW.contact_number IS NOT OLD.contact_number
            OR NEW.line IS NOT OLD.line OR NEW.responsible_user_id IS NOT OLD.responsible_user_id
            OR NEW.responsible_name IS NOT OLD.responsible_name OR NEW.unread IS NOT OLD.unread
            OR NEW.marked_unread IS NOT OLD.marked_unread
            OR NEW.last_message_at IS NOT OLD.last_message_at
            OR NEW.last_message_preview IS NOT OLD.last_message_preview
            OR NEW.last_message_from_me IS NOT OLD.last_message_from_me
            OR NEW.window_ends_at IS NOT OLD.window_ends_at OR NEW.archived IS NOT OLD.archived
            OR NEW.last_event_at IS NOT OLD.last_event_at OR NEW.hydrated_at IS NOT OLD.hydrated_at
            OR NEW.source IS NOT OLD.source OR NEW.gone IS NOT OLD.gone
            OR NEW.needs_hydration IS NOT OLD.needs_hydration
            OR NEW.last_error IS NOT OLD.last_error)
    BEGIN
        UPDATE index_revision SET n = n + 1;
        UPDATE chats SET revision = (SELECT n FROM index_revision)
            WHERE account = NEW.account AND provider = NEW.provider AND chat_id = NEW.chat_id;
    END;
    -- A fetch done (or a 404) ends the receiver's claim on it: the next webhook for the chat is
    -- fetched by whichever receiver takes it, not held for the claim's lifetime.
    CREATE TRIGGER chats_fetch_done AFTER UPDATE OF hydrated_at, needs_hydration ON chats
        WHEN NEW.fetch_claimed_by IS NOT NULL AND (NEW.hydrated_at IS NOT OLD.hydrated_at
            OR (OLD.needs_hydration = 1 AND NEW.needs_hydration = 0))
    BEGIN
        UPDATE chats SET fetch_claimed_by = NULL, fetch_claim_until = NULL
            WHERE account = NEW.account AND provider = NEW.provider AND chat_id = NEW.chat_id;
    END;
    CREATE TRIGGER chats_removed AFTER DELETE ON chats
    BEGIN
        UPDATE index_revision SET n = n + 1;
        INSERT INTO chat_removals (account, provider, chat_id, revision)
            VALUES (OLD.account, OLD.provider, OLD.chat_id, (SELECT n FROM index_revision));
    END;
    CREATE TABLE viewers (
        console    TEXT PRIMARY KEY,
        who        TEXT NOT NULL,
        account    TEXT,
        provider   TEXT,
        chat_id    TEXT,
        since      INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE TABLE claims (
        account  TEXT NOT NULL,
        provider TEXT NOT NULL,
        chat_id  TEXT NOT NULL,
        who      TEXT NOT NULL,
        console  TEXT NOT NULL,
        since    INTEGER NOT NULL,
        PRIMARY KEY (account, provider, chat_id)
    );
    -- The SQLite file has no NOTIFY: a watcher compares this counter, which every presence
    -- write bumps.
    CREATE TABLE presence_revision (n INTEGER NOT NULL);
    INSERT INTO presence_revision (n) VALUES (0);
    CREATE TRIGGER viewers_insert AFTER INSERT ON viewers
        BEGIN UPDATE presence_revision SET n = n + 1; END;
    CREATE TRIGGER viewers_update AFTER UPDATE ON viewers
        BEGIN UPDATE presence_revision SET n = n + 1; END;
    CREATE TRIGGER viewers_delete AFTER DELETE ON viewers
        BEGIN UPDATE presence_revision SET n = n + 1; END;
    CREATE TRIGGER claims_insert AFTER INSERT ON claims
        BEGIN UPDATE presence_revision SET n = n + 1; END;
    CREATE TRIGGER claims_update AFTER UPDATE ON claims
        BEGIN UPDATE presence_revision SET n = n + 1; END;
    CREATE TRIGGER claims_delete AFTER DELETE ON claims
        BEGIN UPDATE presence_revision SET n = n + 1; END;
    CREATE TABLE refresh_budget (tokens REAL NOT NULL, filled_at INTEGER NOT NULL);
    ALTER TABLE audit_log ADD COLUMN by_name TEXT;
    ALTER TABLE audit_log ADD COLUMN batch TEXT;
    CREATE INDEX audit_log_chat ON audit_log (chat_id);
    CREATE UNIQUE INDEX webhook_events_once ON webhook_events (provider, account, body_sha256)
        WHERE outcome = 'accepted' AND body_sha256 IS NOT NULL;
    ",
    // 4: a viewing mark renewed (the same person on the same chat, a later expiry) is not news:
    // only a mark that names another chat or person bumps the presence counter, so every
    // console's heartbeat does not make every other console read presence again. Marks that
    // expire or come back are read on each console's periodic presence read.
    r"
    DROP TRIGGER viewers_update;
    CREATE TRIGGER viewers_update AFTER UPDATE ON viewers
        WHEN NEW.who IS NOT OLD.who OR NEW.account IS NOT OLD.account
            OR NEW.provider IS NOT OLD.provider OR NEW.chat_id IS NOT OLD.chat_id
        BEGIN UPDATE presence_revision SET n = n + 1; END;
    ",
    // 5: how each audited change is taken back (`undo`), and the entries of one batch found
    // without reading the whole log.
    r"
    ALTER TABLE audit_log ADD COLUMN undo TEXT;
    CREATE INDEX audit_log_batch ON audit_log (batch);
    ",
    // 6: the conversation. Drafts become compare-and-set (a revision that only grows, the quoted
    // message, the console that wrote it; a cleared draft stays as an empty tombstone), so two
    // consoles on one index never overwrite each other's newer text; drafts written before keep
    // revision 0. Timelines are cached as the CRM sent them, with the position the API gave each
    // event (from the oldest) and what was fetched when, to be read offline.
    r"
    ALTER TABLE drafts ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE drafts ADD COLUMN reply_to TEXT;
    ALTER TABLE drafts ADD COLUMN written_by TEXT;
    CREATE TABLE timeline_events (
        account  TEXT NOT NULL,
        provider TEXT NOT NULL,
        chat_id  TEXT NOT NULL,
        event_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        at       INTEGER,
        raw      TEXT NOT NULL,
        PRIMARY KEY (account, provider, chat_id, event_id)
    ) WITHOUT ROWID;
    CREATE INDEX timeline_events_order ON timeline_events (account, provider, chat_id, position);
    CREATE TABLE timeline_fetches (
        account     TEXT NOT NULL,
        provider    TEXT NOT NULL,
        chat_id     TEXT NOT NULL,
        fetched_at  INTEGER NOT NULL,
        total       INTEGER,
        oldest_page INTEGER NOT NULL,
        PRIMARY KEY (account, provider, chat_id)
    ) WITHOUT ROWID;
    ",
];

/// The schema version this binary writes.
pub fn latest_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}
