//! The inbox index on both backends, a real SQLite file and a real PostgreSQL database: every
//! test of the index's behaviour runs on each (`on_sqlite::NAME`, `on_postgres::NAME`); the
//! refusals, locks and connections of each backend alone are `tests/store_backends.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    missing_docs
)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use balcao::store::drafts::{DraftSaved, DraftText, StoredDraft};
use balcao::store::location::DatabaseUrl;
use balcao::store::timeline::{StoredTimeline, TimelineRow};
use balcao::store::{ChatKey, Columns, Source, Store, StoreError, WebhookOutcome, WebhookRecord};
use balcao::store::{Provider, SearchFields, schema};
use chrono::Utc;
use common::pg;
use rusqlite::Connection;

/// Which database holds the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// A new, empty index on one backend: opened as many times as a test needs (a second process,
/// a reopen), and written by hand as another program would.
struct Fresh {
    backend: Backend,
    dir: tempfile::TempDir,
    url: String,
}

impl Fresh {
    fn new(backend: Backend) -> Self {
        Self {
            backend,
            dir: tempfile::tempdir().unwrap(),
            url: match backend {
                Backend::Sqlite => String::new(),
                Backend::Postgres => pg::fresh_database(),
            },
        }
    }

    /// Opens the index, creating and migrating it the first time.
    fn open(&self) -> Store {
        match self.backend {
            Backend::Sqlite => Store::open_in(self.dir.path()).unwrap(),
            Backend::Postgres => Store::connect(&DatabaseUrl::new(&self.url)).unwrap(),
        }
    }

    /// A connection of its own to the index's database, bypassing balcão.
    fn raw(&self) -> Raw {
        match self.backend {
            Backend::Sqlite => Raw::Sqlite(
                Connection::open(self.dir.path().join(balcao::store::INDEX_FILE)).unwrap(),
            ),
            Backend::Postgres => {
                Raw::Postgres(postgres::Client::connect(&self.url, postgres::NoTls).unwrap())
            }
        }
    }
}

/// A hand-made connection to an index's database. Statements name their parameter `$1`, which
/// both databases read.
enum Raw {
    Sqlite(Connection),
    Postgres(postgres::Client),
}

impl Raw {
    fn execute(&mut self, sql: &str, value: &str) {
        match self {
            Self::Sqlite(connection) => {
                connection.execute(sql, [value]).unwrap();
            }
            Self::Postgres(client) => {
                client.execute(sql, &[&value]).unwrap();
            }
        }
    }

    fn text(&mut self, sql: &str) -> String {
        match self {
            Self::Sqlite(connection) => connection.query_row(sql, [], |row| row.get(0)).unwrap(),
            Self::Postgres(client) => client.query_one(sql, &[]).unwrap().get(0),
        }
    }
}

/// Each named test, a function taking the backend, run once on each: `on_sqlite::NAME` and
/// `on_postgres::NAME`, so a failure says which.
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod on_sqlite {
            $(#[test]
            fn $name() {
                super::$name(super::Backend::Sqlite);
            })+
        }

        mod on_postgres {
            $(#[test]
            fn $name() {
                super::$name(super::Backend::Postgres);
            })+
        }
    };
}

on_both_backends!(
    migrates_an_empty_index_and_reopens_idempotently,
    a_reader_sees_consistent_rows_while_a_writer_works,
    hydration_bookkeeping_orders_waits_and_flags,
    a_refresh_names_the_row_as_it_is_stored,
    a_stored_room_keeps_its_message_time_until_a_new_message,
    webhook_events_and_audit_entries_are_kept,
    an_accepted_delivery_is_recorded_once,
    the_audit_log_says_who_and_in_which_batch,
    the_first_page_query_agrees_with_the_urgency_order,
    an_unknown_stored_enum_value_is_an_error_naming_table_row_column_and_value,
    a_detail_is_read_with_the_time_it_was_fetched,
    a_copy_reads_every_row_a_page_at_a_time,
    an_impossible_http_status_is_an_error_in_a_copy_as_in_the_log,
    a_draft_is_written_only_over_the_revision_it_was_based_on,
    two_consoles_saving_over_one_revision_cannot_both_win,
    a_copy_keeps_drafts_with_their_revisions_and_tombstones,
    a_timeline_is_read_back_in_the_apis_order_and_a_page_stored_again_replaces_its_span,
    a_filtered_read_asks_about_each_rows_searched_text_and_builds_only_the_rows_kept,
);

fn columns(contact: &str, unread: i64) -> Columns {
    Columns {
        status: Some("OPEN".to_owned()),
        priority: Some(2),
        contact: Some(contact.to_owned()),
        unread,
        last_message_at: Some(Utc::now()),
        last_message_preview: Some("Oi!".to_owned()),
        ..Columns::default()
    }
}

fn migrates_an_empty_index_and_reopens_idempotently(backend: Backend) {
    let fresh = Fresh::new(backend);
    let store = fresh.open();
    let key = ChatKey::wegly("default", "8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23");
    assert!(store.note_chat(&key, Source::Manual, Utc::now()).unwrap());
    assert!(
        !store.note_chat(&key, Source::Manual, Utc::now()).unwrap(),
        "a second note is not new"
    );
    drop(store);
    let mut raw = fresh.raw();
    match &mut raw {
        Raw::Sqlite(raw) => {
            let version: i64 = raw
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap();
            let app: i64 = raw
                .query_row("PRAGMA application_id", [], |r| r.get(0))
                .unwrap();
            let mode: String = raw
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .unwrap();
            assert_eq!(
                (version, app, mode.as_str()),
                (schema::latest_version(), schema::APPLICATION_ID, "wal")
            );
        }
        Raw::Postgres(raw) => {
            let marker = raw
                .query("SELECT application, schema_version FROM balcao_index", &[])
                .unwrap();
            assert_eq!(marker.len(), 1, "one marker row");
            assert_eq!(
                (marker[0].get::<_, i64>(0), marker[0].get::<_, i64>(1)),
                (schema::APPLICATION_ID, schema::latest_version())
            );
            assert_eq!(
                balcao::store::postgres::schema::latest_version(),
                schema::latest_version(),
                "both backends are at the same schema version"
            );
        }
    }
    for table in ["chats", "webhook_events", "audit_log", "drafts"] {
        let found = match &mut raw {
            Raw::Sqlite(raw) => raw
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE name = ?1",
                    [table],
                    |r| r.get(0),
                )
                .unwrap(),
            Raw::Postgres(raw) => raw
                .query_one(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = $1",
                    &[&table],
                )
                .unwrap()
                .get::<_, i64>(0),
        };
        assert_eq!(found, 1, "{table}");
    }
    drop(raw);
    let again = fresh.open();
    assert_eq!(again.summaries().unwrap().len(), 1);
    again.integrity_check().unwrap();
}

fn a_reader_sees_consistent_rows_while_a_writer_works(backend: Backend) {
    let fresh = Fresh::new(backend);
    let writer = Arc::new(fresh.open());
    let reader = fresh.open();
    let done = Arc::new(AtomicBool::new(false));
    let writing = {
        let writer = writer.clone();
        let done = done.clone();
        std::thread::spawn(move || {
            for n in 0..400 {
                let key = ChatKey::wegly("default", &format!("chat-{n:04}"));
                writer
                    .note_webhook(&key, Some(&columns(&format!("Cliente {n}"), n)), Utc::now())
                    .unwrap();
            }
            done.store(true, Ordering::SeqCst);
        })
    };
    let mut last = 0;
    while !done.load(Ordering::SeqCst) {
        let rows = reader.summaries().unwrap();
        assert!(rows.len() >= last, "rows never disappear");
        assert!(
            rows.iter().all(|row| row.columns.contact.is_some()),
            "a row is never seen half-written"
        );
        last = rows.len();
    }
    writing.join().unwrap();
    assert_eq!(reader.summaries().unwrap().len(), 400);
}

/// The receiver that claims fetches in these tests, and until when its claims hold.
const RECEIVER: &str = "receiver-1";

fn claim_until(now: chrono::DateTime<Utc>) -> chrono::DateTime<Utc> {
    now + chrono::Duration::seconds(60)
}

fn hydration_bookkeeping_orders_waits_and_flags(backend: Backend) {
    let fresh = Fresh::new(backend);
    let store = fresh.open();
    let now = Utc::now();
    let accounts = vec!["default".to_owned()];
    let a = ChatKey::wegly("default", "a");
    let b = ChatKey::wegly("default", "b");
    let elsewhere = ChatKey::wegly("other", "c");
    for key in [&a, &b, &elsewhere] {
        store.note_chat(key, Source::Webhook, now).unwrap();
    }
    assert_eq!(
        store
            .claim_due(&accounts, RECEIVER, now, claim_until(now), 10)
            .unwrap()
            .len(),
        2,
        "only this account's chats"
    );
    let attempts = store
        .hydration_failed(&a, "HTTP 503", now + chrono::Duration::seconds(30))
        .unwrap();
    assert_eq!(attempts, 1);
    assert_eq!(
        store
            .claim_due(&accounts, RECEIVER, now, claim_until(now), 10)
            .unwrap(),
        vec![b.clone()]
    );
    assert!(store.next_retry_at().unwrap().is_some());
    store
        .save_detail(&b, "{\"id\":\"b\"}", &columns("Bia", 1), now)
        .unwrap();
    store.mark_gone(&a, now).unwrap();
    let rows = store.summaries().unwrap();
    let row_a = rows.iter().find(|r| r.key == a).unwrap();
    let row_b = rows.iter().find(|r| r.key == b).unwrap();
    assert!(row_a.gone && !row_a.needs_hydration);
    assert!(row_b.hydrated_at.is_some() && !row_b.needs_hydration && row_b.last_error.is_none());
    assert_eq!(store.detail(&b).unwrap().as_deref(), Some("{\"id\":\"b\"}"));
    assert!(
        store
            .claim_due(
                &accounts,
                RECEIVER,
                now + chrono::Duration::hours(1),
                claim_until(now + chrono::Duration::hours(1)),
                10
            )
            .unwrap()
            .is_empty()
    );
    // Stale is only due for the background budget: the gone chat is never picked.
    assert_eq!(
        store
            .claim_stale(
                &accounts,
                RECEIVER,
                now + chrono::Duration::seconds(1),
                now,
                claim_until(now),
                10
            )
            .unwrap(),
        vec![b.clone()]
    );
    assert!(
        store
            .claim_stale(
                &accounts,
                RECEIVER,
                now - chrono::Duration::seconds(1),
                now,
                claim_until(now),
                10
            )
            .unwrap()
            .is_empty(),
        "fresh enough"
    );
    assert!(store.remove_chat(&b).unwrap());
    assert!(!store.remove_chat(&b).unwrap());
}

/// A row written before chat ids were normalised keeps its id as it was spelled then. A refresh
/// must name that row, not a lowercase twin of it: a key that names no row would be fetched into
/// a second row while the stale one stays stale and is picked again on every pass.
fn a_refresh_names_the_row_as_it_is_stored(backend: Backend) {
    let fresh = Fresh::new(backend);
    let store = fresh.open();
    let now = Utc::now();
    let older = ChatKey {
        account: "default".to_owned(),
        provider: Provider::Wegly,
        chat_id: "6A84E8D5-1F2B-4C3D-8E9F-0A1B2C3D4E5F".to_owned(),
    };
    store
        .save_detail(
            &older,
            "{}",
            &columns("Ana", 0),
            now - chrono::Duration::days(1),
        )
        .unwrap();
    let picked = store
        .claim_stale(
            &["default".to_owned()],
            RECEIVER,
            now,
            now,
            claim_until(now),
            10,
        )
        .unwrap();
    assert_eq!(picked, vec![older.clone()]);
    assert!(store.summary(&picked[0]).unwrap().is_some());
}

/// Agilize stamps every change on a room's one time; storing the room after a change keeps the
/// last message's time while the message is the same one, and takes the new time for a new one.
fn a_stored_room_keeps_its_message_time_until_a_new_message(backend: Backend) {
    let fresh = Fresh::new(backend);
    let store = fresh.open();
    let key = ChatKey::agilize("matriz", "room-1");
    let said_at = Utc::now() - chrono::Duration::hours(3);
    let room = |preview: &str, at| Columns {
        last_message_at: Some(at),
        last_message_preview: Some(preview.to_owned()),
        ..Columns::default()
    };
    store
        .save_room(&key, "{}", &room("Oi!", said_at), said_at)
        .unwrap();
    let assigned_at = Utc::now();
    store
        .save_room(&key, "{}", &room("Oi!", assigned_at), assigned_at)
        .unwrap();
    let stored = |store: &Store| {
        store
            .summary(&key)
            .unwrap()
            .unwrap()
            .columns
            .last_message_at
            .unwrap()
            .timestamp_millis()
    };
    assert_eq!(stored(&store), said_at.timestamp_millis(), "a change");
    store
        .save_room(&key, "{}", &room("Tudo bem?", assigned_at), assigned_at)
        .unwrap();
    assert_eq!(stored(&store), assigned_at.timestamp_millis(), "a message");
}

fn webhook_events_and_audit_entries_are_kept(backend: Backend) {
    let fresh = Fresh::new(backend);
    let store = fresh.open();
    store
        .record_webhook(&WebhookRecord {
            received_at: Utc::now(),
            provider: Provider::Wegly,
            account: "default".to_owned(),
            event_key: Some("lead.created".to_owned()),
            outcome: WebhookOutcome::Ignored,
            reason: Some("not a chat event".to_owned()),
            chat_id: None,
            raw_body: b"{}".to_vec(),
            body_size: 2,
            body_sha256: None,
        })
        .unwrap();
    let events = store.webhook_events(10).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].outcome, WebhookOutcome::Ignored);
    assert_eq!(events[0].raw_body, b"{}");
    store
        .record_audit(&balcao::store::AuditEntry {
            at: Utc::now(),
            key: ChatKey::wegly("default", "a"),
            action: "reassign_responsible".to_owned(),
            request: Some("{\"user_id\":\"u\"}".to_owned()),
            before: Some("Ana".to_owned()),
            after: Some("João".to_owned()),
            outcome: "confirmed".to_owned(),
            http_status: Some(200),
            by: None,
            batch: None,
            undo: None,
        })
        .unwrap();
    let audit = store.audit_log(5).unwrap();
    assert_eq!(audit[0].action, "reassign_responsible");
    assert_eq!(audit[0].http_status, Some(200));
}

fn the_first_page_query_agrees_with_the_urgency_order(backend: Backend) {
    let fresh = Fresh::new(backend);
    let store = fresh.open();
    let now = Utc::now();
    let world = balcao::sandbox::world::World::from_seed(
        &balcao::sandbox::seed::Seed::bundled().unwrap(),
        now,
    );
    let batch: Vec<_> = world
        .chat_ids()
        .iter()
        .map(|id| {
            let chat = world.get_chat(&id.to_string()).unwrap();
            (
                ChatKey::wegly("default", &id.to_string()),
                "{}".to_owned(),
                Columns::from(&chat),
            )
        })
        .collect();
    store.save_details(&batch, now).unwrap();
    let mut all = store.summaries().unwrap();
    all.sort_by(|a, b| balcao::inbox::urgency(a, b, now));
    for page in [1, 41, 200, all.len()] {
        let first: Vec<String> = store
            .first_page(now, page)
            .unwrap()
            .into_iter()
            .map(|s| s.key.chat_id)
            .collect();
        let expected: Vec<String> = all
            .iter()
            .take(page)
            .map(|s| s.key.chat_id.clone())
            .collect();
        assert_eq!(first, expected, "page of {page}");
    }
}

/// One read of the index, counting what it returned.
type Read<'a> = Box<dyn Fn(&Store) -> Result<usize, StoreError> + 'a>;

/// A stored enum with a value this balcão does not know (a hand edit, another program, a newer
/// version's value) makes the read fail with the table, the row's key, the column and the value,
/// instead of reading as some default (a corrupt provider used to read as Wegly).
fn an_unknown_stored_enum_value_is_an_error_naming_table_row_column_and_value(backend: Backend) {
    let fresh = Fresh::new(backend);
    let store = fresh.open();
    let now = Utc::now();
    let chat = "8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23";
    let key = ChatKey::wegly("loja", chat);
    store.note_chat(&key, Source::Manual, now).unwrap();
    store
        .record_webhook(&WebhookRecord {
            received_at: now,
            provider: Provider::Wegly,
            account: "loja".to_owned(),
            event_key: Some("chat.updated".to_owned()),
            outcome: WebhookOutcome::Accepted,
            reason: None,
            chat_id: Some(chat.to_owned()),
            raw_body: b"{}".to_vec(),
            body_size: 2,
            body_sha256: None,
        })
        .unwrap();
    store
        .record_audit(&balcao::store::AuditEntry {
            at: now,
            key: key.clone(),
            action: "reassign_responsible".to_owned(),
            request: None,
            before: None,
            after: None,
            outcome: "confirmed".to_owned(),
            http_status: Some(200),
            by: None,
            batch: None,
            undo: None,
        })
        .unwrap();
    let mut raw = fresh.raw();
    let summaries: Read = Box::new(|store| store.summaries().map(|rows| rows.len()));
    let first_page: Read = Box::new(|store| store.first_page(now, 10).map(|rows| rows.len()));
    let due: Read = Box::new(|store| {
        store
            .claim_due(&["loja".to_owned()], RECEIVER, now, claim_until(now), 10)
            .map(|keys| keys.len())
    });
    let events: Read = Box::new(|store| store.webhook_events(10).map(|rows| rows.len()));
    let audit: Read = Box::new(|store| store.audit_log(10).map(|rows| rows.len()));
    let cases: [(&str, &str, &str, &Read, &[&str]); 6] = [
        ("chats", "provider", "wegli", &summaries, &["loja", chat]),
        ("chats", "provider", "wegli", &first_page, &["loja", chat]),
        ("chats", "provider", "wegli", &due, &["loja", chat]),
        ("chats", "source", "imported", &summaries, &["loja", chat]),
        ("webhook_events", "outcome", "maybe", &events, &["id = 1"]),
        ("audit_log", "provider", "zap", &audit, &["id = 1"]),
    ];
    for (table, column, bad, read, row) in cases {
        let good = raw.text(&format!("SELECT {column} FROM {table}"));
        raw.execute(&format!("UPDATE {table} SET {column} = $1"), bad);
        let error = match read(&store) {
            Ok(count) => panic!("{table}.{column} = '{bad}' read as {count} rows, not an error"),
            Err(error) => {
                assert!(
                    matches!(&error, StoreError::UnknownValue { found, .. }
                        if found.place.as_ref().is_some_and(|place| place.table == table)),
                    "{error:?}"
                );
                error.to_string()
            }
        };
        for part in [table, column, &format!("'{bad}'")]
            .into_iter()
            .chain(row.iter().copied())
        {
            assert!(
                error.contains(part),
                "{table}.{column}: '{part}' missing in: {error}"
            );
        }
        raw.execute(&format!("UPDATE {table} SET {column} = $1"), &good);
        read(&store).unwrap();
    }
    // Whatever a corrupt row holds, the message costs the same: the value is quoted cut short.
    let huge = "x".repeat(100_000);
    raw.execute("UPDATE chats SET provider = $1", &huge);
    let error = store.summaries().unwrap_err().to_string();
    assert!(error.len() < 1_000 && error.contains("'xxxx"), "{error}");
}

fn a_detail_is_read_with_the_time_it_was_fetched(backend: Backend) {
    let fresh = Fresh::new(backend);
    let store = fresh.open();
    let key = ChatKey::wegly("default", "a");
    assert_eq!(store.detail_as_of(&key).unwrap(), None);
    let at = chrono::Utc::now() - chrono::Duration::minutes(7);
    let at = chrono::DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap();
    store
        .save_detail(&key, "{\"id\":\"a\"}", &Columns::default(), at)
        .unwrap();
    let stored = store.detail_as_of(&key).unwrap().unwrap();
    assert_eq!(
        (stored.raw.as_str(), stored.fetched_at),
        ("{\"id\":\"a\"}", Some(at))
    );
}

fn delivery(outcome: WebhookOutcome, account: &str, body: &[u8]) -> WebhookRecord {
    use sha2::Digest as _;
    WebhookRecord {
        received_at: Utc::now(),
        provider: Provider::Wegly,
        account: account.to_owned(),
        event_key: Some("chat.message_received".to_owned()),
        outcome,
        reason: (outcome != WebhookOutcome::Accepted).then(|| "why".to_owned()),
        chat_id: Some("8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23".to_owned()),
        raw_body: body.to_vec(),
        body_size: body.len() as u64,
        body_sha256: Some(hex::encode(sha2::Sha256::digest(body))),
    }
}

/// Two receivers got the same delivery, or the CRM sent it again: the second record of an
/// accepted delivery is no error and adds nothing. A refusal or an ignored event is recorded each
/// time (anyone can send one; each is a fact), and the same body for another account is
/// another delivery. A copy is known before it is applied (`webhook_recorded`).
fn an_accepted_delivery_is_recorded_once(backend: Backend) {
    let fresh = Fresh::new(backend);
    let store = fresh.open();
    let body = br#"{"event_key":"chat.message_received","chat":"8f1c"}"#;
    let accepted = delivery(WebhookOutcome::Accepted, "loja", body);
    assert!(!store.webhook_recorded(&accepted).unwrap());
    store.record_webhook(&accepted).unwrap();
    assert!(store.webhook_recorded(&accepted).unwrap());
    store
        .record_webhook(&accepted)
        .expect("an accepted delivery recorded again is no error");
    assert_eq!(store.webhook_events(10).unwrap().len(), 1);
    // Only an accepted delivery is a copy: the same body refused, or for another account, is not.
    for other in [
        delivery(WebhookOutcome::Refused, "loja", body),
        delivery(WebhookOutcome::Ignored, "loja", body),
        delivery(WebhookOutcome::Accepted, "matriz", body),
    ] {
        assert!(!store.webhook_recorded(&other).unwrap(), "{other:?}");
    }
    assert_eq!(store.webhook_body_bytes().unwrap(), body.len() as u64);

    for outcome in [WebhookOutcome::Refused, WebhookOutcome::Ignored] {
        store
            .record_webhook(&delivery(outcome, "loja", body))
            .unwrap();
        store
            .record_webhook(&delivery(outcome, "loja", body))
            .unwrap();
    }
    store
        .record_webhook(&delivery(WebhookOutcome::Accepted, "matriz", body))
        .unwrap();
    let events = store.webhook_events(10).unwrap();
    let outcomes: Vec<(WebhookOutcome, &str)> = events
        .iter()
        .rev()
        .map(|e| (e.outcome, e.account.as_str()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (WebhookOutcome::Accepted, "loja"),
            (WebhookOutcome::Refused, "loja"),
            (WebhookOutcome::Refused, "loja"),
            (WebhookOutcome::Ignored, "loja"),
            (WebhookOutcome::Ignored, "loja"),
            (WebhookOutcome::Accepted, "matriz"),
        ]
    );
    // Bodies: the first accepted, two ignored, the other account's; refusals keep none.
    assert_eq!(store.webhook_body_bytes().unwrap(), 4 * body.len() as u64);
}

/// Who made a change and the batch it was part of are kept, and read back newest first.
fn the_audit_log_says_who_and_in_which_batch(backend: Backend) {
    let fresh = Fresh::new(backend);
    let store = fresh.open();
    let at = chrono::DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap();
    let entry = |chat: &str, by: Option<&str>, batch: Option<&str>| balcao::store::AuditEntry {
        at,
        key: ChatKey::agilize("matriz", chat),
        action: "reassign_responsible".to_owned(),
        request: Some("{\"user_id\":\"u-7\"}".to_owned()),
        before: Some("Ana".to_owned()),
        after: Some("Carlos".to_owned()),
        outcome: "confirmed".to_owned(),
        http_status: Some(204),
        by: by.map(str::to_owned),
        batch: batch.map(str::to_owned),
        undo: None,
    };
    let written = [
        entry("room-1", Some("Ana"), Some("b-1")),
        entry("room-2", Some("Ana"), Some("b-1")),
        entry("room-3", None, None),
    ];
    for entry in &written {
        store.record_audit(entry).unwrap();
    }
    let read = store.audit_log(10).unwrap();
    let newest_first: Vec<_> = written.iter().rev().cloned().collect();
    assert_eq!(read, newest_first);
    assert_eq!(store.audit_log(1).unwrap(), newest_first[..1]);
}

/// Reads everything an export gives, `page` rows at a time, each page after the last one's key.
fn every_page<T, K>(
    page: usize,
    read: impl Fn(Option<&K>, usize) -> Result<Vec<T>, StoreError>,
    key: impl Fn(&T) -> K,
) -> Vec<T> {
    let mut all: Vec<T> = Vec::new();
    // More pages than these tests hold rows: a page that does not move on fails, never hangs.
    for _ in 0..100 {
        let rows = read(all.last().map(&key).as_ref(), page).unwrap();
        assert!(rows.len() <= page, "a page of {page} gave {}", rows.len());
        let last = rows.len() < page;
        all.extend(rows);
        if last {
            return all;
        }
    }
    panic!("the pages never end: {} rows read", all.len());
}

/// `balcao index copy` reads its source a page at a time: the pages, each after the last key
/// (or audit entry number) of the one before, add up to everything the index holds, in key
/// order, each chat with its bookkeeping and detail as the index reads them.
fn a_copy_reads_every_row_a_page_at_a_time(backend: Backend) {
    let fresh = Fresh::new(backend);
    let store = fresh.open();
    let now = chrono::DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap();
    let keys = [
        ChatKey::agilize("matriz", "room-2"),
        ChatKey::agilize("filial", "room-1"),
        ChatKey::wegly("matriz", "8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23"),
        ChatKey::wegly("filial", "0a1b2c3d-3d4a-4e6b-9a21-5c7d9e0f1a23"),
        ChatKey::agilize("matriz", "room-1"),
    ];
    for (n, key) in keys.iter().enumerate() {
        store.note_chat(key, Source::Manual, now).unwrap();
        if n % 2 == 0 {
            let raw = format!("{{\"n\":{n}}}");
            store
                .save_detail(key, &raw, &columns(&format!("Cliente {n}"), 1), now)
                .unwrap();
        }
        store
            .record_audit(&balcao::store::AuditEntry {
                at: now,
                key: key.clone(),
                action: "reassign_responsible".to_owned(),
                request: Some(format!("{{\"n\":{n}}}")),
                before: None,
                after: None,
                outcome: "confirmed".to_owned(),
                http_status: Some(200),
                by: Some("Ana".to_owned()),
                batch: None,
                undo: None,
            })
            .unwrap();
    }
    let retry = now + chrono::Duration::minutes(5);
    store.hydration_failed(&keys[1], "HTTP 503", retry).unwrap();
    let mut raw = fresh.raw();
    for key in &keys[..3] {
        raw.execute(
            &format!(
                "INSERT INTO drafts (account, provider, chat_id, body, updated_at)
                 VALUES ('{}', '{}', $1, 'Olá', 1700000000000)",
                key.account,
                key.provider.as_str()
            ),
            &key.chat_id,
        );
    }
    // In the index's key order: account, then the provider as stored, then the id.
    let mut in_order: Vec<ChatKey> = keys.to_vec();
    in_order.sort_by(|a, b| {
        (&a.account, a.provider.as_str(), &a.chat_id).cmp(&(
            &b.account,
            b.provider.as_str(),
            &b.chat_id,
        ))
    });

    let chats = every_page(
        2,
        |after, page| store.export_chats(after, page),
        |chat| chat.summary.key.clone(),
    );
    let read: Vec<ChatKey> = chats.iter().map(|chat| chat.summary.key.clone()).collect();
    assert_eq!(read, in_order);
    for chat in &chats {
        let key = &chat.summary.key;
        assert_eq!(Some(&chat.summary), store.summary(key).unwrap().as_ref());
        assert_eq!(chat.detail, store.detail(key).unwrap());
        assert_eq!(chat.hydrate_attempts, store.attempts(key).unwrap());
        let waiting = (key == &keys[1]).then_some(retry);
        assert_eq!(chat.next_attempt_at, waiting, "{key:?}");
    }

    let audit = every_page(
        2,
        |after, page| store.export_audit(after.copied().unwrap_or(0), page),
        |(n, _)| *n,
    );
    assert!(
        audit.windows(2).all(|pair| pair[0].0 < pair[1].0),
        "numbers grow"
    );
    let mut oldest_first = store.audit_log(10).unwrap();
    oldest_first.reverse();
    assert_eq!(
        audit
            .into_iter()
            .map(|(_, entry)| entry)
            .collect::<Vec<_>>(),
        oldest_first
    );

    let drafts = every_page(
        2,
        |after, page| store.export_drafts(after, page),
        |draft| draft.key.clone(),
    );
    let drafted: Vec<&ChatKey> = in_order
        .iter()
        .filter(|key| keys[..3].contains(key))
        .collect();
    assert_eq!(
        drafts.iter().map(|draft| &draft.key).collect::<Vec<_>>(),
        drafted
    );
    assert!(drafts.iter().all(|draft| draft.body == "Olá"));
}

/// An audit entry whose HTTP status was changed by hand to one no reply can have is an error
/// when read, in a copy as in the log: never copied on as if no reply had come.
fn an_impossible_http_status_is_an_error_in_a_copy_as_in_the_log(backend: Backend) {
    let fresh = Fresh::new(backend);
    let store = fresh.open();
    store
        .record_audit(&balcao::store::AuditEntry {
            at: Utc::now(),
            key: ChatKey::agilize("matriz", "room-1"),
            action: "reassign_responsible".to_owned(),
            request: None,
            before: None,
            after: None,
            outcome: "confirmed".to_owned(),
            http_status: Some(200),
            by: None,
            batch: None,
            undo: None,
        })
        .unwrap();
    fresh.raw().execute(
        "UPDATE audit_log SET http_status = 70000 WHERE action = $1",
        "reassign_responsible",
    );
    let log = store.audit_log(10).unwrap_err().to_string();
    assert!(log.contains("70000"), "{log}");
    let copy = match store.export_audit(0, 10) {
        Ok(entries) => panic!("copied as {entries:?}"),
        Err(error) => error.to_string(),
    };
    assert_eq!(copy, log, "the copy reads the entry as the log does");
}

/// A chat's draft, with the quoted message and the console that wrote it.
fn draft(body: &str, reply_to: Option<&str>) -> DraftText {
    DraftText {
        body: body.to_owned(),
        reply_to: reply_to.map(str::to_owned),
    }
}

/// The time as the index keeps it (milliseconds), so what is read back compares equal.
fn now_ms() -> chrono::DateTime<Utc> {
    chrono::DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap()
}

/// A draft write applies only over the revision it names (0: none yet); otherwise nothing is
/// written and the newer draft comes back. Clearing leaves a tombstone at the next revision, so
/// a write based on the draft before the clear is refused too.
fn a_draft_is_written_only_over_the_revision_it_was_based_on(backend: Backend) {
    let fresh = Fresh::new(backend);
    let store = fresh.open();
    let key = ChatKey::wegly("loja", "8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23");
    let other = ChatKey::agilize("loja", "room-1");
    let now = now_ms();
    assert_eq!(store.load_draft(&key).unwrap(), None);
    assert!(store.draft_keys().unwrap().is_empty());

    let first = draft("Olá, já vejo", Some("wamid.1"));
    assert_eq!(
        store.save_draft(&key, &first, 0, "console-a", now).unwrap(),
        DraftSaved::Saved { revision: 1 }
    );
    let stored = StoredDraft {
        key: key.clone(),
        body: "Olá, já vejo".to_owned(),
        reply_to: Some("wamid.1".to_owned()),
        revision: 1,
        written_by: Some("console-a".to_owned()),
        updated_at: now,
    };
    assert_eq!(store.load_draft(&key).unwrap(), Some(stored.clone()));

    // Another console that last saw no draft: refused, told what is there, nothing written.
    let stale = draft("Bom dia", None);
    assert_eq!(
        store.save_draft(&key, &stale, 0, "console-b", now).unwrap(),
        DraftSaved::Newer(stored.clone())
    );
    assert_eq!(store.load_draft(&key).unwrap(), Some(stored.clone()));

    let second = draft("Olá, já vejo o seu pedido", None);
    assert_eq!(
        store
            .save_draft(&key, &second, 1, "console-a", now)
            .unwrap(),
        DraftSaved::Saved { revision: 2 }
    );
    assert_eq!(
        store
            .save_draft(&other, &draft("Oi", None), 0, "console-b", now)
            .unwrap(),
        DraftSaved::Saved { revision: 1 }
    );
    let mut in_order = vec![key.clone(), other.clone()];
    in_order.sort_by(|a, b| {
        (&a.account, a.provider.as_str(), &a.chat_id).cmp(&(
            &b.account,
            b.provider.as_str(),
            &b.chat_id,
        ))
    });
    assert_eq!(store.draft_keys().unwrap(), in_order);

    // A clear based on a revision already overwritten is refused as a save is.
    match store.clear_draft(&key, 1, "console-b", now).unwrap() {
        DraftSaved::Newer(newer) => assert_eq!(
            (newer.revision, newer.body.as_str()),
            (2, "Olá, já vejo o seu pedido")
        ),
        other @ DraftSaved::Saved { .. } => panic!("a stale clear applied: {other:?}"),
    }
    assert_eq!(
        store.clear_draft(&key, 2, "console-a", now).unwrap(),
        DraftSaved::Saved { revision: 3 }
    );
    assert_eq!(
        store.load_draft(&key).unwrap(),
        None,
        "a tombstone is no draft"
    );
    assert_eq!(store.draft_keys().unwrap(), vec![other.clone()]);

    // The tombstone keeps the revision: a console still on revision 2 cannot bring it back.
    match store
        .save_draft(&key, &second, 2, "console-b", now)
        .unwrap()
    {
        DraftSaved::Newer(tombstone) => {
            assert_eq!((tombstone.revision, tombstone.body.as_str()), (3, ""));
            assert_eq!(tombstone.written_by.as_deref(), Some("console-a"));
        }
        other @ DraftSaved::Saved { .. } => panic!("a draft cleared since came back: {other:?}"),
    }
    assert_eq!(
        store
            .save_draft(&key, &draft("Novo", None), 3, "console-b", now)
            .unwrap(),
        DraftSaved::Saved { revision: 4 }
    );
    assert_eq!(store.load_draft(&key).unwrap().unwrap().body, "Novo");
}

/// Two consoles on one index (two connections, two processes' worth) save over the same
/// revision at the same moment: exactly one wins, the other is told of its draft.
fn two_consoles_saving_over_one_revision_cannot_both_win(backend: Backend) {
    let fresh = Fresh::new(backend);
    let key = ChatKey::wegly("loja", "8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23");
    let consoles = [fresh.open(), fresh.open()];
    for round in 0..20_i64 {
        let start = std::sync::Barrier::new(2);
        let outcomes: Vec<DraftSaved> = std::thread::scope(|scope| {
            let writers: Vec<_> = consoles
                .iter()
                .enumerate()
                .map(|(n, store)| {
                    let (start, key) = (&start, &key);
                    scope.spawn(move || {
                        start.wait();
                        let text = draft(&format!("round {round} by {n}"), None);
                        store
                            .save_draft(key, &text, round, &format!("console-{n}"), Utc::now())
                            .unwrap()
                    })
                })
                .collect();
            writers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        let won: Vec<&DraftSaved> = outcomes
            .iter()
            .filter(|o| matches!(o, DraftSaved::Saved { .. }))
            .collect();
        assert_eq!(won.len(), 1, "round {round}: {outcomes:?}");
        assert_eq!(
            won[0],
            &DraftSaved::Saved {
                revision: round + 1
            }
        );
        let stored = consoles[0].load_draft(&key).unwrap().unwrap();
        let winner = stored.written_by.clone().unwrap();
        for outcome in &outcomes {
            if let DraftSaved::Newer(newer) = outcome {
                assert_eq!(newer, &stored, "the loser is told of the winner's draft");
            }
        }
        assert_eq!(
            stored.body,
            format!("round {round} by {}", winner.trim_start_matches("console-"))
        );
    }
}

/// `index copy` carries drafts with their revision, quoted message and writer (tombstones
/// too, so a console's stale revision stays stale), not the timeline cache.
fn a_copy_keeps_drafts_with_their_revisions_and_tombstones(backend: Backend) {
    let (from, to) = (Fresh::new(backend), Fresh::new(backend));
    let (source, target) = (from.open(), to.open());
    let now = now_ms();
    let kept = ChatKey::wegly("loja", "8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23");
    let cleared = ChatKey::wegly("loja", "0a1b2c3d-3d4a-4e6b-9a21-5c7d9e0f1a23");
    source.note_chat(&kept, Source::Manual, now).unwrap();
    for text in ["Olá", "Olá, tudo bem?"] {
        let revision = source.load_draft(&kept).unwrap().map_or(0, |d| d.revision);
        source
            .save_draft(
                &kept,
                &draft(text, Some("wamid.9")),
                revision,
                "console-a",
                now,
            )
            .unwrap();
    }
    source
        .save_draft(&cleared, &draft("Já", None), 0, "console-a", now)
        .unwrap();
    source.clear_draft(&cleared, 1, "console-b", now).unwrap();
    let event = TimelineRow {
        event_id: "e1".to_owned(),
        position: 0,
        at: Some(now),
        raw: "{}".to_owned(),
    };
    source
        .store_timeline(&kept, &[event], Some(1), 1, now)
        .unwrap();

    match target.import_from(&*source, false).unwrap() {
        balcao::store::copy::Imported::Copied(copied) => assert_eq!(copied.drafts, 2),
        refused @ balcao::store::copy::Imported::Refused(_) => panic!("{refused:?}"),
    }
    assert_eq!(
        target.load_draft(&kept).unwrap(),
        source.load_draft(&kept).unwrap()
    );
    assert_eq!(target.load_draft(&kept).unwrap().unwrap().revision, 2);
    assert_eq!(target.load_draft(&cleared).unwrap(), None);
    assert!(matches!(
        target.save_draft(&cleared, &draft("Já", None), 1, "console-a", now).unwrap(),
        DraftSaved::Newer(tombstone) if tombstone.revision == 2
    ));
    assert_eq!(
        target.timeline(&kept).unwrap(),
        None,
        "the cache is not copied"
    );
}

fn event(id: &str, position: i64, at_ms: i64) -> TimelineRow {
    TimelineRow {
        event_id: id.to_owned(),
        position,
        at: chrono::DateTime::from_timestamp_millis(at_ms),
        raw: format!(r#"{{"id":"{id}","event_type":"MESSAGE"}}"#),
    }
}

/// A timeline is kept as the API gave it: read back by position (whatever order it was given
/// in), with when it was fetched and the total. An older page adds to it; the newest page stored
/// again replaces what it covers (an event gone from it goes) and keeps the older pages.
fn a_timeline_is_read_back_in_the_apis_order_and_a_page_stored_again_replaces_its_span(
    backend: Backend,
) {
    let fresh = Fresh::new(backend);
    let store = fresh.open();
    let key = ChatKey::wegly("loja", "8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23");
    let other = ChatKey::wegly("loja", "0a1b2c3d-3d4a-4e6b-9a21-5c7d9e0f1a23");
    let (first, later) = (now_ms(), now_ms() + chrono::Duration::minutes(3));
    assert_eq!(store.timeline(&key).unwrap(), None, "never fetched");

    // The newest page (positions 3 to 5 of 6), given out of order.
    let newest = [
        event("e5", 5, 5_000),
        event("e3", 3, 3_000),
        event("e4", 4, 4_000),
    ];
    store
        .store_timeline(&key, &newest, Some(6), 1, first)
        .unwrap();
    store
        .store_timeline(&other, &[event("x0", 0, 1)], Some(1), 1, first)
        .unwrap();
    let read = store.timeline(&key).unwrap().unwrap();
    let ids = |timeline: &StoredTimeline| -> Vec<String> {
        timeline.rows.iter().map(|r| r.event_id.clone()).collect()
    };
    assert_eq!(ids(&read), ["e3", "e4", "e5"]);
    assert_eq!(
        (read.fetched_at, read.total, read.oldest_page),
        (first, Some(6), 1)
    );
    assert_eq!(
        read.rows[0],
        event("e3", 3, 3_000),
        "the raw event as given"
    );

    // The older page.
    let older = [
        event("e0", 0, 0),
        event("e1", 1, 1_000),
        event("e2", 2, 2_000),
    ];
    store
        .store_timeline(&key, &older, Some(6), 2, first)
        .unwrap();
    let read = store.timeline(&key).unwrap().unwrap();
    assert_eq!(ids(&read), ["e0", "e1", "e2", "e3", "e4", "e5"]);
    assert_eq!(read.oldest_page, 2);

    // Later: e4 was deleted in the CRM and two events came; the newest page now covers 4 to 6
    // (e5 moved to 4). What it covered before and no longer holds goes; e3 stays, the older
    // pages too.
    let again = [
        event("e5", 4, 5_000),
        event("e6", 5, 6_000),
        event("e7", 6, 7_000),
    ];
    store
        .store_timeline(&key, &again, Some(7), 1, later)
        .unwrap();
    let read = store.timeline(&key).unwrap().unwrap();
    assert_eq!(ids(&read), ["e0", "e1", "e2", "e3", "e5", "e6", "e7"]);
    assert_eq!(
        (read.fetched_at, read.total, read.oldest_page),
        (later, Some(7), 2),
        "the older page loaded stays the oldest"
    );
    assert_eq!(
        store.timeline(&other).unwrap().unwrap().rows,
        [event("x0", 0, 1)],
        "another chat's timeline is its own"
    );

    // A server that ignores paging sends it all with no total; an empty newest page means the
    // timeline is empty now.
    store.store_timeline(&key, &[], None, 1, later).unwrap();
    let read = store.timeline(&key).unwrap().unwrap();
    assert!(read.rows.is_empty(), "{:?}", read.rows);
    assert_eq!(read.total, None);
}

fn a_filtered_read_asks_about_each_rows_searched_text_and_builds_only_the_rows_kept(
    backend: Backend,
) {
    let fresh = Fresh::new(backend);
    let store = fresh.open();
    let now = Utc::now();
    for (id, contact, line, responsible) in [
        (
            "8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23",
            "Ana Araújo",
            Some("5511"),
            None,
        ),
        (
            "9f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23",
            "Bia",
            None,
            Some("Agente 1"),
        ),
        (
            "af1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23",
            "Caio",
            Some("5521"),
            Some("Agente 2"),
        ),
    ] {
        let columns = Columns {
            contact_number: Some(format!("55119{}", contact.len())),
            line: line.map(str::to_owned),
            responsible_name: responsible.map(str::to_owned),
            ..columns(contact, 1)
        };
        store
            .save_detail(&ChatKey::wegly("default", id), "{}", &columns, now)
            .unwrap();
    }
    let mut all = store.summaries().unwrap();
    all.sort_by(|a, b| a.key.cmp(&b.key));
    let mut asked = Vec::new();
    let mut kept = store
        .summaries_where(&mut |row| {
            asked.push(format!("{row:?}"));
            row.contact != Some("Bia")
        })
        .unwrap();
    asked.sort();
    let mut expected: Vec<String> = all
        .iter()
        .map(|row| format!("{:?}", SearchFields::of(row)))
        .collect();
    expected.sort();
    assert_eq!(asked, expected, "each row's searched text, once");
    kept.sort_by(|a, b| a.key.cmp(&b.key));
    let others: Vec<_> = all
        .into_iter()
        .filter(|row| row.columns.contact.as_deref() != Some("Bia"))
        .collect();
    assert_eq!(kept, others, "the rows kept, as the full read builds them");
}
