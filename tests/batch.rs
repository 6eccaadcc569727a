//! Batches against the sandbox, through the real actor and a real index: a plan, its run, every
//! chat's outcome in the audit log under one batch id, and its undo, which leaves alone a chat
//! someone changed since.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use balcao::api::actor::{self, ActorConfig, ApiHandle};
use balcao::api::wegly::wire::UpdateResponsibleRequest;
use balcao::api::{Change, Conversation, ErrorKind, Scope};
use balcao::batch::plan::Candidate;
use balcao::batch::{self, Intent, ItemState, Outcome, Planned, Run, UndoNote};
use balcao::i18n::Lang;
use balcao::store::{AuditEntry, AuditQuery, ChatKey, ChatSummary, Store};

struct Rig {
    sandbox: balcao::sandbox::RunningSandbox,
    store: Arc<Store>,
    api: ApiHandle,
    _dir: tempfile::TempDir,
}

async fn rig() -> Rig {
    let sandbox = common::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let (api, _task) = actor::spawn(ActorConfig {
        clients: HashMap::from([("default".to_owned(), common::client(&sandbox))]),
        rooms: HashMap::new(),
        store: store.clone(),
        max_in_flight: 4,
    });
    Rig {
        sandbox,
        store,
        api,
        _dir: dir,
    }
}

/// Chats with a responsible, fetched into the index, and a person every one of them may be
/// handed to and none of them is held by.
async fn chats_and_target(rig: &Rig, n: usize) -> (Vec<(ChatSummary, Conversation)>, String) {
    let client = common::client(&rig.sandbox);
    let mut found: Vec<(ChatSummary, Conversation)> = Vec::new();
    for chat in common::chats(&rig.sandbox).await {
        let id = common::uuid(&chat["id"]);
        let fetched = client.get_chat(id).await.unwrap();
        let conversation = Conversation::Chat(Box::new(fetched.value));
        if conversation.responsible_user_id().is_none() || conversation.assignees(&[]).len() < 2 {
            continue;
        }
        let key = ChatKey::wegly("default", &id.to_string());
        let raw = String::from_utf8_lossy(&fetched.raw).into_owned();
        rig.store
            .save_detail(&key, &raw, &conversation.columns(), chrono::Utc::now())
            .unwrap();
        let summary = rig.store.summary(&key).unwrap().unwrap();
        found.push((summary, conversation));
    }
    // Someone assignable on the most chats; then the chats they may take and do not hold.
    let mut counts: HashMap<String, usize> = HashMap::new();
    for (_, conversation) in &found {
        for assignee in conversation.assignees(&[]) {
            *counts.entry(assignee.user_id).or_default() += 1;
        }
    }
    let target = counts.into_iter().max_by_key(|(_, n)| *n).unwrap().0;
    found.retain(|(_, c)| {
        c.responsible_user_id() != Some(target.as_str())
            && c.assignees(&[]).iter().any(|a| a.user_id == target)
    });
    assert!(
        found.len() >= n,
        "the sandbox has {} such chats",
        found.len()
    );
    found.truncate(n);
    (found, target)
}

async fn run(rig: &Rig, mut run: Run) -> (Run, Vec<AuditEntry>) {
    let mut entries = Vec::new();
    let store = rig.store.clone();
    batch::drive::drive(
        &rig.api,
        &mut run,
        std::future::pending(),
        Lang::En,
        |finished| {
            store.record_audit(&finished.entry).unwrap();
            entries.push(finished.entry);
            std::future::ready(())
        },
    )
    .await;
    (run, entries)
}

async fn responsible(rig: &Rig, id: &str) -> Option<String> {
    let chat = common::client(&rig.sandbox)
        .get_chat(id.parse().unwrap())
        .await
        .unwrap();
    chat.value.responsible_user_id().map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_moves_every_chat_and_its_undo_puts_back_all_but_the_one_changed_since() {
    let rig = rig().await;
    let (chats, target) = chats_and_target(&rig, 3).await;
    let before: Vec<Option<String>> = chats
        .iter()
        .map(|(s, _)| s.columns.responsible_user_id.clone())
        .collect();
    let candidates: Vec<Candidate<'_>> = chats
        .iter()
        .map(|(summary, detail)| Candidate {
            summary,
            detail: Some(detail),
        })
        .collect();
    let intent = Intent::Reassign {
        to: target.clone(),
        to_name: "target".to_owned(),
        scope: Scope::CHAT,
    };
    let plan = batch::plan(&intent, &candidates, &[], "Ana", chrono::Utc::now());
    assert_eq!(plan.items.len(), 3, "{:?}", plan.left);

    let id = batch::new_batch_id();
    let (done, entries) = run(&rig, Run::new(id.clone(), "Ana".to_owned(), plan.items, 2)).await;
    assert!(done.progress().all_done(), "{:?}", done.progress());
    assert!(
        entries
            .iter()
            .all(|e| e.batch.as_deref() == Some(id.as_str()))
    );
    for (summary, _) in &chats {
        assert_eq!(
            responsible(&rig, &summary.key.chat_id).await,
            Some(target.clone())
        );
    }

    // Someone moves the second chat on by hand; the undo must leave it where they put it.
    let moved = &chats[1].0.key.chat_id;
    let elsewhere = before[0].clone().unwrap();
    common::client(&rig.sandbox)
        .update_responsible(
            moved.parse().unwrap(),
            &UpdateResponsibleRequest {
                user_id: elsewhere.clone(),
                update_chat: true,
                update_leads: false,
                update_deals: false,
            },
        )
        .await
        .unwrap();

    let logged = rig
        .store
        .audit_query(&AuditQuery {
            batch: Some(id.clone()),
            limit: 100,
            ..AuditQuery::default()
        })
        .unwrap();
    assert_eq!(logged.len(), 3);
    let undo = batch::plan_undo(&id, &logged, |_| None);
    assert_eq!(undo.items.len(), 3, "{:?}", undo.left);
    let (undone, _) = run(
        &rig,
        Run::new(batch::new_batch_id(), "Ana".to_owned(), undo.items, 2),
    )
    .await;
    let progress = undone.progress();
    assert_eq!((progress.done, progress.skipped), (2, 1), "{progress:?}");
    let skipped = undone
        .items
        .iter()
        .find(|item| {
            matches!(
                item.state,
                balcao::batch::ItemState::Finished(Outcome::Skipped(_))
            )
        })
        .unwrap();
    assert_eq!(&skipped.planned.key.chat_id, moved);
    assert_eq!(responsible(&rig, moved).await, Some(elsewhere));
    for (n, (summary, _)) in chats.iter().enumerate() {
        if &summary.key.chat_id != moved {
            assert_eq!(responsible(&rig, &summary.key.chat_id).await, before[n]);
        }
    }
}

/// More calls at once than the actor's queue holds: the ones it refuses go again with the next,
/// and every chat is sent and ends. The account has no credentials, so the actor answers each
/// change at once (not configured) and no network is involved; time is paused, so a batch that
/// stalls ends the wait as soon as nothing is left to run, not after a real delay.
#[tokio::test(start_paused = true)]
async fn a_batch_wider_than_the_actors_queue_sends_and_ends_every_chat() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let (api, _task) = actor::spawn(ActorConfig {
        clients: HashMap::new(),
        rooms: HashMap::new(),
        store,
        max_in_flight: 1,
    });
    let total = 2 * actor::QUEUE_CAPACITY;
    let items: Vec<Planned> = (0..total)
        .map(|n| {
            let change = Change::Reassign {
                to: "b".to_owned(),
                expected: Some("a".to_owned()),
                scope: Scope::CHAT,
            };
            Planned {
                key: ChatKey::wegly(
                    "no-credentials",
                    &format!("00000000-0000-4000-8000-{n:012}"),
                ),
                contact: format!("contact {n}"),
                from: Some("a".to_owned()),
                from_name: None,
                undo: UndoNote::of(&change, None, Some("a")),
                change,
                check: None,
                warnings: Vec::new(),
            }
        })
        .collect();
    let mut run = Run::new(batch::new_batch_id(), "Ana".to_owned(), items, total);
    let mut ended = 0usize;
    let driven = tokio::time::timeout(
        Duration::from_secs(60),
        batch::drive::drive(&api, &mut run, std::future::pending(), Lang::En, |_| {
            ended += 1;
            std::future::ready(())
        }),
    )
    .await;
    assert!(driven.is_ok(), "the batch stalled: {:?}", run.progress());
    assert!(run.is_finished(), "{:?}", run.progress());
    assert_eq!(ended, total);
    assert_eq!(run.progress().failed, total, "{:?}", run.progress());
    for item in &run.items {
        assert!(
            matches!(&item.state, ItemState::Finished(Outcome::Failed(error)) if error.kind() == ErrorKind::NotConfigured),
            "{:?}",
            item.state
        );
    }
}
