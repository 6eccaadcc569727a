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
];

/// The schema version this binary writes.
pub fn latest_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}
