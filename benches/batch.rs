//! Batch throughput against the sandbox with a fixed latency, by the concurrency cap: a batch
//! of reassignments run through the real API actor (`batch::drive`, as `balcao inbox assign`
//! runs it) with the actor's and the batch's cap at 1, 2, 4, 8 and 16. Each Wegly reassignment
//! is three requests (the compare read, the write, the read of what it left), so a cap of `c`
//! with a latency `L` can at best finish `c / (3 L)` chats a second; the figures say how close
//! the batch comes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_precision_loss,
    missing_docs
)]

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/common/copies.rs"]
mod copies;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use balcao::api::actor::{self, ActorConfig};
use balcao::api::{Conversation, Scope};
use balcao::batch::plan::Candidate;
use balcao::batch::{self, Intent, Run};
use balcao::i18n::Lang;
use balcao::sandbox::RunningSandbox;
use balcao::store::{ChatKey, Store};
use criterion::{BenchmarkId, Criterion, Throughput};

/// The latency every request to the sandbox waits.
const LATENCY_MS: u64 = 50;
/// Requests per chat of a Wegly reassignment.
const REQUESTS_PER_CHAT: u64 = 3;
/// Chats per batch for each unit of the cap: every batch lasts about as long.
const CHATS_PER_SLOT: usize = 8;
const CAPS: [usize; 5] = [1, 2, 4, 8, 16];

async fn sandbox(chats: usize) -> RunningSandbox {
    common::start_with(|config| copies::seed_copies_of_first_chat(config, chats)).await
}

/// Each chat's plan: to whichever of the two people does not hold it now.
fn plan(store: &Store, keys: &[ChatKey], people: &[String; 2]) -> Vec<batch::Planned> {
    let mut items = Vec::new();
    for key in keys {
        let summary = store.summary(key).unwrap().unwrap();
        let detail = store
            .detail(key)
            .unwrap()
            .map(|raw| Conversation::decode(key.provider, &raw).unwrap());
        let holder = summary.columns.responsible_user_id.clone();
        let to = if holder.as_deref() == Some(people[0].as_str()) {
            &people[1]
        } else {
            &people[0]
        };
        let intent = Intent::Reassign {
            to: to.clone(),
            to_name: to.clone(),
            scope: Scope::CHAT,
        };
        let candidate = Candidate {
            summary: &summary,
            detail: detail.as_ref(),
        };
        let planned = batch::plan(&intent, &[candidate], &[], "bench", chrono::Utc::now());
        assert_eq!(planned.items.len(), 1, "{:?}", planned.left);
        items.extend(planned.items);
    }
    items
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let most = CHATS_PER_SLOT * CAPS[CAPS.len() - 1];
    let sandbox = runtime.block_on(sandbox(most));
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let client = common::client(&sandbox);
    let (keys, people) = runtime.block_on(async {
        let mut keys = Vec::new();
        for chat in common::chats(&sandbox).await {
            let id = common::uuid(&chat["id"]);
            let fetched = client.get_chat(id).await.unwrap();
            let key = ChatKey::wegly("default", &id.to_string());
            let conversation = Conversation::Chat(Box::new(fetched.value));
            let raw = String::from_utf8_lossy(&fetched.raw).into_owned();
            store
                .save_detail(&key, &raw, &conversation.columns(), chrono::Utc::now())
                .unwrap();
            keys.push(key);
        }
        let users = common::admin(&sandbox, "users").await;
        let people = [0, 1].map(|n| users[n]["user_id"].as_str().unwrap().to_owned());
        common::set_faults(&sandbox, &format!("*:latency={LATENCY_MS}")).await;
        (keys, people)
    });

    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("batch_reassign_50ms");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    let mut figures = Vec::new();
    for cap in CAPS {
        let chats = CHATS_PER_SLOT * cap;
        let keys = &keys[..chats];
        group.throughput(Throughput::Elements(chats as u64));
        let mut spent = Duration::ZERO;
        let mut runs = 0u32;
        group.bench_with_input(BenchmarkId::from_parameter(cap), &cap, |b, &cap| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let items = plan(&store, keys, &people);
                    let took = runtime.block_on(async {
                        let (api, task) = actor::spawn(ActorConfig {
                            clients: HashMap::from([("default".to_owned(), client.clone())]),
                            rooms: HashMap::new(),
                            store: store.clone(),
                            max_in_flight: cap,
                        });
                        let mut run = Run::new(batch::new_batch_id(), "bench".into(), items, cap);
                        let start = Instant::now();
                        batch::drive::drive(
                            &api,
                            &mut run,
                            std::future::pending(),
                            Lang::En,
                            |_| std::future::ready(()),
                        )
                        .await;
                        let took = start.elapsed();
                        assert!(run.progress().all_done(), "{:?}", run.progress());
                        drop(api);
                        task.await.unwrap();
                        took
                    });
                    total += took;
                }
                spent += total;
                runs += u32::try_from(iters).unwrap();
                total
            });
        });
        let per_batch = spent / runs.max(1);
        let rate = chats as f64 / per_batch.as_secs_f64();
        let ideal = cap as f64 * 1000.0 / (LATENCY_MS * REQUESTS_PER_CHAT) as f64;
        figures.push((cap, chats, per_batch, rate, ideal));
    }
    group.finish();
    println!("cap | chats | batch time | chats/s | ideal chats/s | of ideal");
    for (cap, chats, per_batch, rate, ideal) in figures {
        println!(
            "{cap} | {chats} | {:.0} ms | {rate:.1} | {ideal:.1} | {:.0} %",
            per_batch.as_secs_f64() * 1000.0,
            rate / ideal * 100.0
        );
    }
    criterion.final_summary();
}
