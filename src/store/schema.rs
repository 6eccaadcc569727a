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
];

/// The schema version this binary writes.
pub fn latest_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}
