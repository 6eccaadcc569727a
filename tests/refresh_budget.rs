//! The background refresh has a budget: on an index of thousands of stale chats the API sees
//! the budget's trickle, not the whole index, and a 429 pauses every background fetch. Counted
//! with the sandbox's own request counters, on tokio's paused clock: the scheduler measures its
//! budget and its pauses on that clock, so minutes pass without being spent and the counts do
//! not depend on how fast the machine is.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use balcao::api::actor::{self, ActorConfig};
use balcao::api::wegly::wire::Chat;
use balcao::hydrate::{HydrationSettings, spawn_scheduler};
use balcao::store::location::DatabaseUrl;
use balcao::store::{ChatKey, Columns, Source, Store};
use tokio::sync::{Notify, mpsc, watch};
use tokio::time::Instant;

const CHATS: usize = 3000;

struct Rig {
    sandbox: balcao::sandbox::RunningSandbox,
    stop: watch::Sender<bool>,
    _dir: tempfile::TempDir,
}

/// An index of `CHATS` chats all fetched a day ago (the seeded ones and made-up ids), and the
/// scheduler running over it with `per_minute`.
async fn rig(per_minute: u32, faults: &str) -> Rig {
    rig_of(per_minute, faults, 1).await
}

/// The same index with `receivers` schedulers over it, as that many `balcao listen` processes
/// would run: each with its own connection to the index and its own API client.
async fn rig_of(per_minute: u32, faults: &str, receivers: usize) -> Rig {
    let sandbox = common::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let seeded: Vec<Chat> = {
        let client = common::client(&sandbox);
        let mut chats = Vec::new();
        for listed in common::chats(&sandbox).await.iter().take(20) {
            chats.push(
                client
                    .get_chat(common::uuid(&listed["id"]))
                    .await
                    .unwrap()
                    .value,
            );
        }
        chats
    };
    let batch: Vec<_> = (0..CHATS)
        .map(|n| {
            let chat = &seeded[n % seeded.len()];
            let id = if n < seeded.len() {
                chat.id.clone().unwrap()
            } else {
                uuid::Uuid::new_v4().to_string()
            };
            (
                ChatKey::wegly("default", &id),
                serde_json::to_string(chat).unwrap(),
                Columns {
                    archived: false,
                    ..Columns::from(chat)
                },
            )
        })
        .collect();
    store
        .save_details(&batch, chrono::Utc::now() - chrono::Duration::days(1))
        .unwrap();
    drop(store);
    let (stop, stopped) = watch::channel(false);
    // Counting starts after the setup's own reads.
    common::set_faults(&sandbox, faults).await;
    for _ in 0..receivers {
        let store = Arc::new(Store::open_in(dir.path()).unwrap());
        let (api, _actor) = actor::spawn(ActorConfig {
            clients: HashMap::from([("default".to_owned(), common::client(&sandbox))]),
            rooms: HashMap::new(),
            store: store.clone(),
            max_in_flight: 8,
        });
        let (rows, mut taken) = mpsc::channel(64);
        tokio::spawn(async move { while taken.recv().await.is_some() {} });
        spawn_scheduler(
            store,
            api,
            vec!["default".to_owned()],
            HydrationSettings {
                concurrency: 8,
                stale_after: Duration::from_secs(15 * 60),
                refresh_per_minute: per_minute,
            },
            Arc::new(Notify::new()),
            rows,
            stopped.clone(),
        );
    }
    Rig {
        sandbox,
        stop,
        _dir: dir,
    }
}

async fn fetches(rig: &Rig) -> u64 {
    common::request_count(&rig.sandbox, "get_chat").await
}

#[tokio::test(start_paused = true)]
async fn stale_chats_are_refreshed_within_the_budget_not_all_at_once() {
    let rig = rig(60, "").await;
    // The scheduler is the last thing the rig starts: its budget starts now.
    let started = Instant::now();
    let setup_reads = 20;
    // The budget's first burst (ten seconds' worth: 10) and then one a second.
    let deadline = started + Duration::from_secs(60);
    while fetches(&rig).await < setup_reads + 12 {
        assert!(
            Instant::now() < deadline,
            "the budget never refreshed anything"
        );
        tokio::time::sleep(common::POLL).await;
    }
    let elapsed = started.elapsed();
    let refreshed = fetches(&rig).await - setup_reads;
    // At most the burst, plus one per second elapsed, plus what was in flight. Without a
    // budget, thousands would have been fetched by now.
    let allowed = 10 + elapsed.as_secs() + 1 + 8;
    assert!(
        refreshed <= allowed,
        "{refreshed} refreshes in {elapsed:?} (allowed {allowed})"
    );
    rig.stop.send(true).unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_429_pauses_every_background_fetch_for_as_long_as_it_asks() {
    // A budget that would otherwise send a hundred a second.
    let rig = rig(6000, "get_chat:rate_limit=120").await;
    let setup_reads = 20;
    let deadline = Instant::now() + Duration::from_secs(60);
    while fetches(&rig).await < setup_reads + 1 {
        assert!(Instant::now() < deadline, "nothing was fetched");
        tokio::time::sleep(common::POLL).await;
    }
    // The first 429 came back at most one poll ago. For the rest of its 120 s: only what was
    // already in flight then.
    tokio::time::sleep(Duration::from_secs(119)).await;
    let sent = fetches(&rig).await - setup_reads;
    assert!(sent <= 8 + 1, "{sent} fetches after a 429 asking for 120 s");
    // Past the 120 s, fetching starts again.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while fetches(&rig).await - setup_reads <= sent {
        assert!(
            Instant::now() < deadline,
            "no fetch after the 429's 120 s were over"
        );
        tokio::time::sleep(common::POLL).await;
    }
    rig.stop.send(true).unwrap();
}

#[tokio::test(start_paused = true)]
async fn receivers_on_one_index_share_one_budget() {
    // Two receivers, each configured for 60 a minute: together they refresh 60 a minute, not
    // 120 (the budget protects the CRM account, which both use).
    let rig = rig_of(60, "", 2).await;
    let started = Instant::now();
    let setup_reads = 20;
    tokio::time::sleep(Duration::from_secs(30)).await;
    let elapsed = started.elapsed().as_secs();
    let refreshed = fetches(&rig).await - setup_reads;
    // One burst of ten and one a second for the whole index, and at most one more that was
    // being sent as the count was read. Two budgets would have given twice that.
    let allowed = 10 + elapsed + 1;
    assert!(
        refreshed <= allowed,
        "{refreshed} refreshes in {elapsed} s by two receivers (allowed {allowed})"
    );
    assert!(
        refreshed >= 10 + elapsed / 2,
        "the shared budget starved the receivers: {refreshed} in {elapsed} s"
    );
    rig.stop.send(true).unwrap();
}

/// Statements that claim fetches (`claim_due`, `claim_stale`: an `UPDATE` setting the claim)
/// run on the PostgreSQL database at `url`, counted by a statement trigger: each is one look
/// a scheduler took at the index, whether it found anything or not.
fn count_claim_statements(url: &str) -> ::postgres::Client {
    let mut client = ::postgres::Client::connect(url, ::postgres::NoTls).unwrap();
    client
        .batch_execute(
            "CREATE TABLE claim_statements (n BIGSERIAL);
             CREATE FUNCTION count_claim_statement() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN INSERT INTO claim_statements DEFAULT VALUES; RETURN NULL; END $$;
             CREATE TRIGGER count_claim_statements AFTER UPDATE OF fetch_claimed_by ON chats
                 FOR EACH STATEMENT EXECUTE FUNCTION count_claim_statement();",
        )
        .unwrap();
    client
}

#[test]
fn a_scheduler_with_nothing_to_fetch_looks_at_the_index_once_per_idle_check() {
    const WATCHED: Duration = Duration::from_secs(60);
    // A shared index where every chat of this receiver's account was just fetched, and a chat
    // of an account it does not serve has waited on a retry for an hour (another receiver's to
    // take). Its bucket is full and nothing is due for it: it has no reason to look before its
    // idle check (5 s on a shared index).
    let url = common::pg::fresh_database();
    let store = Arc::new(Store::connect(&DatabaseUrl::new(&url)).unwrap());
    let now = chrono::Utc::now();
    let fresh: Vec<_> = (0..20)
        .map(|_| {
            let key = ChatKey::wegly("default", &uuid::Uuid::new_v4().to_string());
            (key, "{}".to_owned(), Columns::default())
        })
        .collect();
    store.save_details(&fresh, now).unwrap();
    let elsewhere = ChatKey::wegly("other", &uuid::Uuid::new_v4().to_string());
    store
        .note_chat(
            &elsewhere,
            Source::Webhook,
            now - chrono::Duration::hours(2),
        )
        .unwrap();
    store
        .hydration_failed(&elsewhere, "refused", now - chrono::Duration::hours(1))
        .unwrap();
    let mut counter = count_claim_statements(&url);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    runtime.block_on(async move {
        // Nothing is fetched: the client's server is never asked.
        let client = common::client_with("http://127.0.0.1:9", common::TOKEN, None, WATCHED);
        let (api, _actor) = actor::spawn(ActorConfig {
            clients: HashMap::from([("default".to_owned(), client)]),
            rooms: HashMap::new(),
            store: store.clone(),
            max_in_flight: 8,
        });
        let (rows, _taken) = mpsc::channel(64);
        let (stop, stopped) = watch::channel(false);
        let scheduler = spawn_scheduler(
            store,
            api,
            vec!["default".to_owned()],
            HydrationSettings {
                concurrency: 8,
                stale_after: Duration::from_secs(15 * 60),
                refresh_per_minute: 60,
            },
            Arc::new(Notify::new()),
            rows,
            stopped,
        );
        tokio::time::sleep(WATCHED).await;
        stop.send(true).unwrap();
        scheduler.await.unwrap();
    });

    let statements: i64 = counter
        .query_one("SELECT count(*) FROM claim_statements", &[])
        .unwrap()
        .get(0);
    // One look at the start and one per idle check, each a claim of due chats and at most one
    // of stale ones. Looking every few milliseconds would be thousands; never looking again
    // would leave another receiver's lapsed claims to nobody.
    let checks = i64::try_from(WATCHED.as_secs() / 5).unwrap();
    let allowed = 2 * (checks + 1);
    assert!(
        (checks..=allowed).contains(&statements),
        "{statements} claim statements in {WATCHED:?} with nothing to fetch \
         (expected {checks} to {allowed})"
    );
}
