//! The inbox index on real SQLite files: migrations, identity checks, locks, concurrency.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    missing_docs
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use balcao::store::{
    ChatKey, Columns, OpenOptions, Source, Store, StoreError, WebhookOutcome, WebhookRecord,
};
use balcao::store::{Provider, schema};
use chrono::Utc;
use rusqlite::Connection;

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

#[test]
fn migrates_an_empty_folder_and_reopens_idempotently() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let key = ChatKey::wegly("default", "8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23");
    assert!(store.note_chat(&key, Source::Manual, Utc::now()).unwrap());
    assert!(
        !store.note_chat(&key, Source::Manual, Utc::now()).unwrap(),
        "a second note is not new"
    );
    drop(store);
    let raw = Connection::open(dir.path().join("inbox.sqlite3")).unwrap();
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
    for table in ["chats", "webhook_events", "audit_log", "drafts"] {
        let found: i64 = raw
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = ?1",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(found, 1, "{table}");
    }
    drop(raw);
    let again = Store::open_in(dir.path()).unwrap();
    assert_eq!(again.summaries().unwrap().len(), 1);
    again.integrity_check().unwrap();
}

#[test]
fn refuses_files_that_are_not_ours_and_leaves_them_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.sqlite3");
    std::fs::write(&text, "these are my notes, not a database\n".repeat(200)).unwrap();
    let before = std::fs::read(&text).unwrap();
    let error = Store::open(&text, OpenOptions::default()).unwrap_err();
    assert!(matches!(error, StoreError::NotOurs { .. }), "{error}");
    assert!(error.to_string().contains("left untouched"));
    assert_eq!(std::fs::read(&text).unwrap(), before);

    let other = dir.path().join("other.sqlite3");
    Connection::open(&other)
        .unwrap()
        .execute_batch(
            "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('pão de queijo');",
        )
        .unwrap();
    let before = std::fs::read(&other).unwrap();
    assert!(matches!(
        Store::open(&other, OpenOptions::default()).unwrap_err(),
        StoreError::NotOurs { .. }
    ));
    assert_eq!(std::fs::read(&other).unwrap(), before);
    let count: i64 = Connection::open(&other)
        .unwrap()
        .query_row("SELECT count(*) FROM recipes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 1);
}

#[test]
fn refuses_a_schema_newer_than_this_binary() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open_in(dir.path()).unwrap());
    let path = dir.path().join("inbox.sqlite3");
    Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99;")
        .unwrap();
    let error = Store::open(&path, OpenOptions::default()).unwrap_err();
    match &error {
        StoreError::NewerSchema { found, known, .. } => {
            assert_eq!((*found, *known), (99, schema::latest_version()));
        }
        other => panic!("expected a newer-schema refusal, got {other}"),
    }
    assert!(error.to_string().contains("upgrade balcão"));
}

#[test]
fn waits_for_a_lock_then_says_who_probably_holds_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inbox.sqlite3");
    let store = Store::open(
        &path,
        OpenOptions {
            busy_timeout: Duration::from_millis(300),
        },
    )
    .unwrap();
    let holder = Connection::open(&path).unwrap();
    holder
        .execute_batch(
            "BEGIN EXCLUSIVE; INSERT INTO drafts VALUES ('a', 'wegly', 'c', 'rascunho', 0);",
        )
        .unwrap();
    let started = std::time::Instant::now();
    let error = store
        .note_chat(&ChatKey::wegly("default", "x"), Source::Manual, Utc::now())
        .unwrap_err();
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "it must wait for the lock first"
    );
    assert!(matches!(error, StoreError::Locked { .. }), "{error}");
    assert!(error.to_string().contains("locked by another process"));
    holder.execute_batch("ROLLBACK;").unwrap();
    assert!(
        store
            .note_chat(&ChatKey::wegly("default", "x"), Source::Manual, Utc::now())
            .is_ok()
    );
}

#[test]
fn a_reader_sees_consistent_rows_while_a_writer_works() {
    let dir = tempfile::tempdir().unwrap();
    let writer = Arc::new(Store::open_in(dir.path()).unwrap());
    let reader = Store::open_in(dir.path()).unwrap();
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

#[test]
fn hydration_bookkeeping_orders_waits_and_flags() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let now = Utc::now();
    let accounts = vec!["default".to_owned()];
    let a = ChatKey::wegly("default", "a");
    let b = ChatKey::wegly("default", "b");
    let elsewhere = ChatKey::wegly("other", "c");
    for key in [&a, &b, &elsewhere] {
        store.note_chat(key, Source::Webhook, now).unwrap();
    }
    assert_eq!(
        store.due_for_hydration(&accounts, now, 10).unwrap().len(),
        2,
        "only this account's chats"
    );
    let attempts = store
        .hydration_failed(&a, "HTTP 503", now + chrono::Duration::seconds(30))
        .unwrap();
    assert_eq!(attempts, 1);
    assert_eq!(
        store.due_for_hydration(&accounts, now, 10).unwrap(),
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
            .due_for_hydration(&accounts, now + chrono::Duration::hours(1), 10)
            .unwrap()
            .is_empty()
    );
    // Stale is only due for the background budget: the gone chat is never picked.
    assert_eq!(
        store
            .stale_for_refresh(&accounts, now + chrono::Duration::seconds(1), now, 10)
            .unwrap(),
        vec![b.clone()]
    );
    assert!(
        store
            .stale_for_refresh(&accounts, now - chrono::Duration::seconds(1), now, 10)
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
#[test]
fn a_refresh_names_the_row_as_it_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
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
        .stale_for_refresh(&["default".to_owned()], now, now, 10)
        .unwrap();
    assert_eq!(picked, vec![older.clone()]);
    assert!(store.summary(&picked[0]).unwrap().is_some());
}

/// Agilize stamps every change on a room's one time; storing the room after a change keeps the
/// last message's time while the message is the same one, and takes the new time for a new one.
#[test]
fn a_stored_room_keeps_its_message_time_until_a_new_message() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
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

#[test]
fn webhook_events_and_audit_entries_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
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
        })
        .unwrap();
    let audit = store.audit_log(5).unwrap();
    assert_eq!(audit[0].action, "reassign_responsible");
    assert_eq!(audit[0].http_status, Some(200));
}

#[test]
fn the_first_page_query_agrees_with_the_urgency_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
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
#[test]
fn an_unknown_stored_enum_value_is_an_error_naming_table_row_column_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
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
        })
        .unwrap();
    let raw = Connection::open(store.file().unwrap()).unwrap();
    let summaries: Read = Box::new(|store| store.summaries().map(|rows| rows.len()));
    let first_page: Read = Box::new(|store| store.first_page(now, 10).map(|rows| rows.len()));
    let due: Read = Box::new(|store| {
        store
            .due_for_hydration(&["loja".to_owned()], now, 10)
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
        let good: String = raw
            .query_row(&format!("SELECT {column} FROM {table}"), [], |r| r.get(0))
            .unwrap();
        raw.execute(&format!("UPDATE {table} SET {column} = ?1"), [bad])
            .unwrap();
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
        raw.execute(&format!("UPDATE {table} SET {column} = ?1"), [&good])
            .unwrap();
        read(&store).unwrap();
    }
    // Whatever a corrupt row holds, the message costs the same: the value is quoted cut short.
    let huge = "x".repeat(100_000);
    raw.execute("UPDATE chats SET provider = ?1", [&huge])
        .unwrap();
    let error = store.summaries().unwrap_err().to_string();
    assert!(error.len() < 1_000 && error.contains("'xxxx"), "{error}");
}

#[test]
fn a_detail_is_read_with_the_time_it_was_fetched() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
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
