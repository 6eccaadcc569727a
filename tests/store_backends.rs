//! What each backend of the index does alone: the SQLite file's refusals and its lock, the
//! PostgreSQL database's refusals, its migration by processes starting together, its password
//! never shown, its reconnection, and what it does to keep a desk's traffic small. The index's
//! behaviour on both is `tests/store.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    missing_docs
)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use balcao::store::drafts::{DraftSaved, DraftText};
use balcao::store::location::DatabaseUrl;
use balcao::store::{ChatKey, Columns, OpenOptions, Source, Store, StoreError, schema};
use chrono::Utc;
use common::pg;
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
fn on_sqlite_only_refuses_files_that_are_not_ours_and_leaves_them_untouched() {
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
fn on_sqlite_only_refuses_a_schema_newer_than_this_binary() {
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
fn on_sqlite_only_waits_for_a_lock_then_says_who_probably_holds_it() {
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
            "BEGIN EXCLUSIVE; INSERT INTO drafts (account, provider, chat_id, body, updated_at)
                 VALUES ('a', 'wegly', 'c', 'rascunho', 0);",
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
            .unwrap(),
        "once the lock is gone the write goes through, and the chat is new: the attempt that \
         waited wrote nothing"
    );
}

/// A URL for `url`'s database with `password` in place of its own.
fn with_password(url: &str, password: &str) -> String {
    let (before, after) = url.split_once('@').unwrap();
    let (user, _) = before.rsplit_once(':').unwrap();
    format!("{user}:{password}@{after}")
}

/// The password `url` carries.
fn password_of(url: &str) -> String {
    let (before, _) = url.split_once('@').unwrap();
    before.rsplit_once(':').unwrap().1.to_owned()
}

/// `text` names the index as shown (password as `***`) and holds none of `secrets`.
fn assert_hidden(text: &str, shown: &str, secrets: &[&str]) {
    assert!(shown.contains(":***@"), "{shown}");
    assert!(
        text.contains(shown),
        "the URL is named as {shown} in: {text}"
    );
    for secret in secrets {
        assert!(!text.contains(secret), "'{secret}' shows in: {text}");
    }
}

/// A database where another program keeps its tables is never touched: not migrated, not
/// marked, its rows as they were.
#[test]
fn on_postgres_only_a_database_of_another_program_is_refused_and_left_untouched() {
    let url = pg::fresh_database();
    let mut raw = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    raw.batch_execute(
        "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('pão de queijo');",
    )
    .unwrap();
    let error = Store::connect(&DatabaseUrl::new(&url)).unwrap_err();
    assert!(
        matches!(error, StoreError::NotOurDatabase { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("left untouched"), "{error}");
    let tables: Vec<String> = raw
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(tables, ["recipes"], "nothing was created");
    let count: i64 = raw
        .query_one("SELECT count(*) FROM recipes", &[])
        .unwrap()
        .get(0);
    assert_eq!(count, 1);

    // A marker table of the same name that another program wrote is not ours either.
    let other = pg::fresh_database();
    let mut raw = postgres::Client::connect(&other, postgres::NoTls).unwrap();
    raw.batch_execute(
        "CREATE TABLE balcao_index (application BIGINT, schema_version BIGINT);
         INSERT INTO balcao_index VALUES (7, 1);",
    )
    .unwrap();
    let error = Store::connect(&DatabaseUrl::new(&other)).unwrap_err();
    assert!(
        matches!(error, StoreError::NotOurDatabase { .. }),
        "{error}"
    );
    let version: i64 = raw
        .query_one("SELECT schema_version FROM balcao_index", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, 1);
}

#[test]
fn on_postgres_only_a_schema_newer_than_this_binary_is_refused() {
    let url = pg::fresh_database();
    drop(Store::connect(&DatabaseUrl::new(&url)).unwrap());
    let mut raw = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    raw.batch_execute("UPDATE balcao_index SET schema_version = 99")
        .unwrap();
    let error = Store::connect(&DatabaseUrl::new(&url)).unwrap_err();
    match &error {
        StoreError::NewerDatabase { found, known, .. } => {
            assert_eq!((*found, *known), (99, schema::latest_version()));
        }
        other => panic!("expected a newer-schema refusal, got {other}"),
    }
    assert!(error.to_string().contains("upgrade balcão"), "{error}");
    let version: i64 = raw
        .query_one("SELECT schema_version FROM balcao_index", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, 99, "left as it was");
}

/// Receivers started together on a new database: one migrates while the others wait for it
/// (an advisory lock), then find the work done. None fails, and the schema is made once.
#[test]
fn on_postgres_only_connections_at_once_to_a_fresh_database_all_succeed() {
    const AT_ONCE: usize = 4;
    let url = pg::fresh_database();
    let start = Arc::new(std::sync::Barrier::new(AT_ONCE));
    let connecting: Vec<_> = (0..AT_ONCE)
        .map(|_| {
            let (url, start) = (url.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                Store::connect(&DatabaseUrl::new(&url))
            })
        })
        .collect();
    let stores: Vec<Store> = connecting
        .into_iter()
        .map(|thread| thread.join().unwrap().unwrap())
        .collect();
    let key = ChatKey::wegly("default", "8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23");
    stores[0]
        .note_chat(&key, Source::Manual, Utc::now())
        .unwrap();
    for store in &stores {
        assert_eq!(store.summaries().unwrap().len(), 1);
        store.integrity_check().unwrap();
    }
    let mut raw = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let markers: i64 = raw
        .query_one("SELECT count(*) FROM balcao_index", &[])
        .unwrap()
        .get(0);
    assert_eq!(markers, 1);
}

/// A refused password is said with the URL as shown, and the password (the wrong one tried, and
/// the right one) shows in neither the message nor the Debug of the error.
#[test]
fn on_postgres_only_a_refused_password_is_said_without_showing_it() {
    let url = pg::fresh_database();
    let right = password_of(&url);
    let wrong_url = with_password(&url, "Wr0ngPassw0rdXyz");
    let index = DatabaseUrl::new(&wrong_url);
    let error = Store::connect(&index).unwrap_err();
    assert!(matches!(error, StoreError::Unreachable { .. }), "{error:?}");
    for text in [error.to_string(), format!("{error:?}")] {
        assert_hidden(&text, &index.shown(), &["Wr0ngPassw0rdXyz", &right]);
    }
    assert!(error.to_string().contains("password"), "{error}");

    // The same from a password given apart from the URL (PGPASSWORD, a password file).
    let (_, host) = url.split_once('@').unwrap();
    let bare = format!("postgres://{}@{host}", pg::ROLE);
    let index = DatabaseUrl::new(&bare)
        .with_password(secrecy::SecretString::from("An0therWr0ngOne".to_owned()));
    let error = Store::connect(&index).unwrap_err();
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains("An0therWr0ngOne"), "{text}");
        assert!(text.contains(&bare), "{text}");
    }

    // And an index that opens says its name, not its password, when debugged.
    let store = Store::connect(&DatabaseUrl::new(&url)).unwrap();
    let shown = DatabaseUrl::new(&url).shown();
    assert_hidden(&format!("{store:?}"), &shown, &[&right]);
    assert_hidden(&store.name(), &shown, &[&right]);
}

/// Nothing listens on the URL's port: the index is unreachable, said with the URL as shown.
#[test]
fn on_postgres_only_an_unreachable_server_is_said_without_showing_the_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let index = DatabaseUrl::new(&format!(
        "postgres://balcao:S3cretNeverShown@127.0.0.1:{port}/desk"
    ));
    let error = Store::connect(&index).unwrap_err();
    assert!(matches!(error, StoreError::Unreachable { .. }), "{error:?}");
    for text in [error.to_string(), format!("{error:?}")] {
        assert_hidden(&text, &index.shown(), &["S3cretNeverShown"]);
    }
}

/// The server stops under an open index: a call fails as unreachable (password hidden), and
/// once the server is back the next call reconnects by itself.
#[test]
fn on_postgres_only_a_stopped_server_is_unreachable_then_reconnected() {
    let cluster = pg::Cluster::start_new();
    let url = cluster.fresh_database();
    let index = DatabaseUrl::new(&url);
    let store = Store::connect(&index).unwrap();
    let key = ChatKey::wegly("default", "8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23");
    store.note_chat(&key, Source::Manual, Utc::now()).unwrap();

    cluster.stop();
    let error = store.summaries().unwrap_err();
    assert!(matches!(error, StoreError::Unreachable { .. }), "{error:?}");
    for text in [error.to_string(), format!("{error:?}")] {
        assert_hidden(&text, &index.shown(), &[&password_of(&url)]);
    }
    let again = store.summaries().unwrap_err();
    assert!(matches!(again, StoreError::Unreachable { .. }), "{again:?}");

    cluster.start();
    assert_eq!(store.summaries().unwrap().len(), 1, "reconnected");
}

/// One write to the index at a time.
type Write<'a> = dyn Fn(chrono::DateTime<Utc>) + 'a;

/// Every write to a chat row that changes it takes one revision and sends one notification to
/// the consoles listening: a webhook about a known chat, or its fetch, is one change, not two.
#[test]
fn on_postgres_only_a_write_to_a_known_chat_takes_one_revision() {
    let url = pg::fresh_database();
    let store = Store::connect(&DatabaseUrl::new(&url)).unwrap();
    let mut raw = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let mut revision = || -> i64 {
        raw.query_one("SELECT n FROM index_revision", &[])
            .unwrap()
            .get(0)
    };
    let key = ChatKey::wegly("default", "8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23");
    let now = Utc::now();
    let mut before = revision();
    let writes: [(&str, &Write); 4] = [
        ("a new chat noted", &|at| {
            store.note_chat(&key, Source::Manual, at).unwrap();
        }),
        ("its fetch stored", &|at| {
            store
                .save_detail(&key, "{}", &columns("Ana", 1), at)
                .unwrap();
        }),
        ("a webhook about it", &|at| {
            store.note_webhook(&key, None, at).unwrap();
        }),
        ("a webhook with columns", &|at| {
            store
                .note_webhook(&key, Some(&columns("Ana", 2)), at)
                .unwrap();
        }),
    ];
    for (step, (what, write)) in writes.iter().enumerate() {
        write(now + chrono::Duration::seconds(i64::try_from(step).unwrap()));
        let after = revision();
        assert_eq!(after - before, 1, "{what}");
        before = after;
    }
}

/// A row the index cannot read (a column's type changed by hand) is the database's error,
/// naming the column, not "unreachable": the server answered, and checking the URL or the
/// password would not help.
#[test]
fn on_postgres_only_a_column_changed_by_hand_is_not_said_as_unreachable() {
    let url = pg::fresh_database();
    let store = Store::connect(&DatabaseUrl::new(&url)).unwrap();
    let key = ChatKey::wegly("default", "8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23");
    store.note_chat(&key, Source::Manual, Utc::now()).unwrap();
    let mut raw = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    raw.batch_execute("ALTER TABLE chats ALTER COLUMN unread TYPE integer")
        .unwrap();
    let error = store.summaries().unwrap_err();
    assert!(matches!(error, StoreError::Database { .. }), "{error:?}");
    assert!(error.to_string().contains("int4"), "{error}");
}

/// A copy (`balcao index copy`) reads the same rows as the list and the audit log: a column
/// changed by hand is the database's error there too, naming the type found, not a panic that
/// ends the copy without a word.
#[test]
fn on_postgres_only_a_column_changed_by_hand_is_the_databases_error_in_a_copy_too() {
    let url = pg::fresh_database();
    let store = Store::connect(&DatabaseUrl::new(&url)).unwrap();
    let key = ChatKey::wegly("default", "8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23");
    store.note_chat(&key, Source::Manual, Utc::now()).unwrap();
    store
        .record_audit(&balcao::store::AuditEntry {
            at: Utc::now(),
            key,
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
    let mut raw = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    raw.batch_execute(
        "ALTER TABLE chats ALTER COLUMN unread TYPE integer;
         ALTER TABLE audit_log ALTER COLUMN http_status TYPE bigint",
    )
    .unwrap();
    let chats = store.export_chats(None, 10).unwrap_err();
    assert!(matches!(chats, StoreError::Database { .. }), "{chats:?}");
    assert!(chats.to_string().contains("int4"), "{chats}");
    let audit = store.export_audit(0, 10).unwrap_err();
    assert!(matches!(audit, StoreError::Database { .. }), "{audit:?}");
    assert!(audit.to_string().contains("int8"), "{audit}");
}

/// The last hold on a shared index may go on an async thread (the actor's, the scheduler's):
/// closing its connections there must not start the driver's runtime inside tokio's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_only_the_index_and_its_watch_may_be_dropped_on_an_async_thread() {
    let url = tokio::task::spawn_blocking(pg::fresh_database)
        .await
        .unwrap();
    let (store, watch) = tokio::task::spawn_blocking(move || {
        let store = Store::connect(&DatabaseUrl::new(&url)).unwrap();
        let watch = store.watch().unwrap();
        (store, watch)
    })
    .await
    .unwrap();
    // Dropped here, on a worker thread of the runtime.
    drop(watch);
    drop(store);
}

/// A draft written by a balcão of schema version 5 (no revisions) is read after the upgrade at
/// revision 0, and the first save over it takes revision 1.
fn an_old_draft_survives_the_upgrade(store: &Store) {
    let key = ChatKey::wegly("loja", "c");
    let old = store.load_draft(&key).unwrap().unwrap();
    assert_eq!(
        (
            old.body.as_str(),
            old.revision,
            old.reply_to,
            old.written_by
        ),
        ("rascunho de antes", 0, None, None)
    );
    assert_eq!(store.draft_keys().unwrap(), vec![key.clone()]);
    let text = DraftText {
        body: "rascunho de agora".to_owned(),
        reply_to: None,
    };
    assert_eq!(
        store
            .save_draft(&key, &text, 0, "console-a", Utc::now())
            .unwrap(),
        DraftSaved::Saved { revision: 1 }
    );
}

#[test]
fn on_sqlite_only_a_version_5_index_keeps_its_drafts_at_revision_0() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inbox.sqlite3");
    let old = Connection::open(&path).unwrap();
    for migration in &schema::MIGRATIONS[..5] {
        old.execute_batch(migration).unwrap();
    }
    old.execute_batch(&format!(
        "PRAGMA application_id = {}; PRAGMA user_version = 5;
         INSERT INTO drafts VALUES ('loja', 'wegly', 'c', 'rascunho de antes', 1700000000000);",
        schema::APPLICATION_ID
    ))
    .unwrap();
    drop(old);
    let store = Store::open(&path, OpenOptions::default()).unwrap();
    an_old_draft_survives_the_upgrade(&store);
}

#[test]
fn on_postgres_only_a_version_5_index_keeps_its_drafts_at_revision_0() {
    let url = pg::fresh_database();
    let mut old = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    for migration in &balcao::store::postgres::schema::MIGRATIONS[..5] {
        old.batch_execute(migration).unwrap();
    }
    old.batch_execute(&format!(
        "CREATE TABLE {marker} (application BIGINT NOT NULL, schema_version BIGINT NOT NULL);
         INSERT INTO {marker} VALUES ({app}, 5);
         INSERT INTO drafts VALUES ('loja', 'wegly', 'c', 'rascunho de antes', 1700000000000);",
        marker = balcao::store::postgres::schema::MARKER_TABLE,
        app = schema::APPLICATION_ID
    ))
    .unwrap();
    drop(old);
    let store = Store::connect(&DatabaseUrl::new(&url)).unwrap();
    an_old_draft_survives_the_upgrade(&store);
}
