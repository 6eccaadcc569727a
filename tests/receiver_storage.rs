//! What the receiver keeps on disk: a forged flood costs a few rows and no bodies, and the
//! bodies it does keep stay within a byte budget (in a SQLite file or a PostgreSQL database).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    missing_docs
)]

mod common;

use std::path::Path;
use std::sync::Arc;

use balcao::store::location::DatabaseUrl;
use balcao::store::{OpenOptions, Provider, Store, WebhookOutcome, WebhookRecord};
use balcao::webhook::receiver;
use chrono::Utc;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

const SECRET: &str = "whsec-storage-41ab";

struct Receiver {
    url: String,
    store: Arc<Store>,
    _dir: tempfile::TempDir,
}

async fn start_receiver() -> Receiver {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let state = common::receiver_state(&store, "default", SECRET, Some("agilize"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    common::serve_receiver(listener, state);
    Receiver {
        url,
        store,
        _dir: dir,
    }
}

/// The index file plus its write-ahead log, in bytes.
fn index_bytes(index: &Path) -> u64 {
    let mut wal = index.as_os_str().to_owned();
    wal.push("-wal");
    [index.to_path_buf(), wal.into()]
        .iter()
        .filter_map(|path| std::fs::metadata(path).ok())
        .map(|metadata| metadata.len())
        .sum()
}

/// 250 forged deliveries of 1 MiB each (no signature, a wrong signature, a wrong Agilize token)
/// leave the index small, and each one is still recorded as refused, with its reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_flood_leaves_the_index_small() {
    const FORGED: usize = 250;
    let receiver = start_receiver().await;
    let before = index_bytes(receiver.store.file().unwrap());
    let body = {
        let mut body = br#"{"event_key":"chat.message_received","payload":{"pad":""#.to_vec();
        let tail = br#""}}"#;
        body.resize(receiver::MAX_BODY_BYTES - tail.len(), b'x');
        body.extend_from_slice(tail);
        body
    };
    assert_eq!(body.len(), receiver::MAX_BODY_BYTES);
    let client = common::raw();
    let statuses: Vec<u16> = futures_util::stream::iter(0..FORGED)
        .map(|index| {
            let request = match index % 3 {
                0 => client.post(format!("{}/webhooks/wegly", receiver.url)),
                1 => client
                    .post(format!("{}/webhooks/wegly", receiver.url))
                    .header("x-wegly-signature", "ab".repeat(32)),
                _ => client.post(format!("{}/webhooks/agilize/not-the-secret", receiver.url)),
            };
            let request = request
                .header("content-type", "application/json")
                // The event header is the sender's to choose, and may be long.
                .header("x-wegly-event", format!("chat.{}", "e".repeat(30_000)))
                .body(body.clone());
            async move { request.send().await.unwrap().status().as_u16() }
        })
        .buffer_unordered(4)
        .collect()
        .await;
    assert!(statuses.iter().all(|status| *status == 401), "{statuses:?}");
    let after = index_bytes(receiver.store.file().unwrap());
    let grown = after.saturating_sub(before);
    // The bodies alone would be 250 MiB; a row per refusal is a few hundred bytes.
    assert!(
        grown < 8 * 1024 * 1024,
        "{FORGED} forged deliveries grew the index (plus WAL) by {grown} bytes, from {before} to {after}"
    );
    let events = receiver.store.webhook_events(FORGED + 10).unwrap();
    assert_eq!(events.len(), FORGED, "every refusal is recorded");
    let digest = hex::encode(Sha256::digest(&body));
    for event in &events {
        assert_eq!(event.outcome, WebhookOutcome::Refused);
        assert!(event.reason.is_some(), "{event:?}");
        assert!(event.raw_body.is_empty(), "a refused body is not kept");
        assert_eq!(event.body_size, receiver::MAX_BODY_BYTES as u64);
        let key = event.event_key.as_deref().unwrap_or_default();
        assert!(
            key.chars().count() <= 201,
            "an event key of {} chars kept",
            key.len()
        );
        assert_eq!(event.body_sha256.as_deref(), Some(digest.as_str()));
    }
    assert_eq!(receiver.store.webhook_body_bytes().unwrap(), 0);
}

fn record(outcome: WebhookOutcome, body: Vec<u8>) -> WebhookRecord {
    WebhookRecord {
        received_at: Utc::now(),
        provider: Provider::Wegly,
        account: "default".to_owned(),
        event_key: Some("chat.message_received".to_owned()),
        outcome,
        reason: (outcome != WebhookOutcome::Accepted).then(|| "why".to_owned()),
        chat_id: None,
        body_size: body.len() as u64,
        body_sha256: Some(hex::encode(Sha256::digest(&body))),
        raw_body: body,
    }
}

/// Accepted and ignored bodies are kept until their bytes pass the budget; then the oldest
/// bodies go and their records stay, with size and hash.
#[test]
fn kept_bodies_stay_within_their_byte_budget_oldest_dropped_first_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    kept_bodies_stay_within_their_byte_budget_oldest_dropped_first(
        &Store::open_in(dir.path()).unwrap(),
    );
}

/// The same on the shared index, where the budget is the whole desk's.
#[test]
fn kept_bodies_stay_within_their_byte_budget_oldest_dropped_first_on_postgres() {
    let url = common::pg::fresh_database();
    kept_bodies_stay_within_their_byte_budget_oldest_dropped_first(
        &Store::connect(&DatabaseUrl::new(&url)).unwrap(),
    );
}

fn kept_bodies_stay_within_their_byte_budget_oldest_dropped_first(store: &Store) {
    const BUDGET: u64 = 512 * 1024;
    const BODY: usize = 100 * 1024;
    for index in 0..20_u8 {
        let outcome = if index % 2 == 0 {
            WebhookOutcome::Accepted
        } else {
            WebhookOutcome::Ignored
        };
        store
            .record_webhook_within(&record(outcome, vec![index; BODY]), BUDGET)
            .unwrap();
        let kept = store.webhook_body_bytes().unwrap();
        assert!(kept <= BUDGET, "after {index}: {kept} bytes of bodies kept");
    }
    let events = store.webhook_events(100).unwrap();
    assert_eq!(events.len(), 20, "every record stays");
    let stored: u64 = events.iter().map(|e| e.raw_body.len() as u64).sum();
    assert_eq!(
        stored,
        store.webhook_body_bytes().unwrap(),
        "the counter is exact"
    );
    // Newest first: a run of kept bodies, then only records without them.
    let kept = events.iter().take_while(|e| !e.raw_body.is_empty()).count();
    assert!(kept >= 4, "the newest bodies are kept ({kept})");
    assert!(events[kept..].iter().all(|e| e.raw_body.is_empty()));
    assert_eq!(events[0].raw_body, vec![19; BODY]);
    for event in &events {
        assert_eq!(event.body_size, BODY as u64);
        assert_eq!(event.body_sha256.as_ref().map(String::len), Some(64));
    }
    // A refused delivery adds nothing to the bodies.
    let before = store.webhook_body_bytes().unwrap();
    store
        .record_webhook_within(&record(WebhookOutcome::Refused, vec![7; BODY]), BUDGET)
        .unwrap();
    assert_eq!(store.webhook_body_bytes().unwrap(), before);
}

/// An index written before sizes and hashes were kept opens with every webhook record intact.
#[test]
fn webhook_records_written_before_the_migration_survive_it() {
    const OLD_ACCEPTED: &[u8] = br#"{"event_key":"chat.message_sent"}"#;
    let accepted = OLD_ACCEPTED.len() as u64;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inbox.sqlite3");
    {
        let connection = rusqlite::Connection::open(&path).unwrap();
        connection
            .execute_batch(balcao::store::schema::MIGRATIONS[0])
            .unwrap();
        connection
            .execute_batch(&format!(
                "PRAGMA application_id = {}; PRAGMA user_version = 1;",
                balcao::store::schema::APPLICATION_ID
            ))
            .unwrap();
        for (outcome, body) in [
            ("accepted", OLD_ACCEPTED.to_vec()),
            ("refused", vec![b'x'; 4096]),
            ("ignored", b"{}".to_vec()),
        ] {
            connection
                .execute(
                    "INSERT INTO webhook_events (received_at, provider, account, event_key, outcome, reason, chat_id, raw_body)
                     VALUES (1700000000000, 'wegly', 'default', 'chat.message_sent', ?1, 'old', NULL, ?2)",
                    rusqlite::params![outcome, body],
                )
                .unwrap();
        }
    }
    let store = Store::open(&path, OpenOptions::default()).unwrap();
    let events = store.webhook_events(10).unwrap();
    let seen: Vec<(WebhookOutcome, u64, usize, bool)> = events
        .iter()
        .rev()
        .map(|e| {
            (
                e.outcome,
                e.body_size,
                e.raw_body.len(),
                e.body_sha256.is_none(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (WebhookOutcome::Accepted, accepted, OLD_ACCEPTED.len(), true),
            (WebhookOutcome::Refused, 4096, 4096, true),
            (WebhookOutcome::Ignored, 2, 2, true),
        ]
    );
    assert!(events.iter().all(|e| e.reason.as_deref() == Some("old")));
    assert_eq!(store.webhook_body_bytes().unwrap(), accepted + 4096 + 2);
    // The old refused body is the oldest kept, so the byte budget drops it first.
    store
        .record_webhook_within(&record(WebhookOutcome::Accepted, vec![1; 100]), 4096)
        .unwrap();
    let events = store.webhook_events(10).unwrap();
    assert!(events[2].raw_body.is_empty() && events[2].body_size == 4096);
    assert!(events[0].raw_body.len() == 100 && events[1].raw_body.len() == 2);
    store.integrity_check().unwrap();
}
