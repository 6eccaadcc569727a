//! The API actor against the sandbox: answers routed by request id, the concurrency cap, a full
//! queue refused instead of awaited, compare-and-set reassignment, and the index kept current.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use balcao::api::ErrorKind;
use balcao::api::actor::{self, ActorConfig, ApiCall, ApiEvent, ApiReply, ApiRequest, RequestId};
use balcao::api::wegly::wire::UpdateResponsibleRequest;
use balcao::api::{Change, Scope};
use balcao::store::{ChatKey, Store};
use tokio::sync::mpsc;

struct Rig {
    sandbox: balcao::sandbox::RunningSandbox,
    store: Arc<Store>,
    api: actor::ApiHandle,
    replies: mpsc::Sender<ApiEvent>,
    answers: mpsc::Receiver<ApiEvent>,
    _dir: tempfile::TempDir,
}

async fn rig(max_in_flight: usize) -> Rig {
    let sandbox = common::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let (api, _task) = actor::spawn(ActorConfig {
        clients: HashMap::from([("default".to_owned(), common::client(&sandbox))]),
        rooms: HashMap::new(),
        store: store.clone(),
        max_in_flight,
    });
    let (replies, answers) = mpsc::channel(256);
    Rig {
        sandbox,
        store,
        api,
        replies,
        answers,
        _dir: dir,
    }
}

async fn answer(rig: &mut Rig) -> ApiEvent {
    tokio::time::timeout(Duration::from_secs(20), rig.answers.recv())
        .await
        .expect("an answer in time")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_carry_their_request_ids_and_the_index_follows() {
    let mut rig = rig(4).await;
    let ids: Vec<String> = common::chats(&rig.sandbox)
        .await
        .iter()
        .take(6)
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    for (n, id) in ids.iter().enumerate() {
        let request = ApiRequest {
            id: RequestId(100 + n as u64),
            call: ApiCall::GetChat(ChatKey::wegly("default", id)),
        };
        rig.api.request(request, &rig.replies).unwrap();
    }
    let mut seen = HashMap::new();
    for _ in 0..ids.len() {
        let event = answer(&mut rig).await;
        let Ok(ApiReply::Chat(fresh)) = event.outcome else {
            panic!("{event:?}")
        };
        seen.insert(event.id.0, fresh.key.chat_id.clone());
        assert_eq!(fresh.conversation.id(), Some(fresh.key.chat_id.as_str()));
        assert!(
            fresh.summary.is_some_and(|s| s.hydrated_at.is_some()),
            "stored in the index"
        );
    }
    for (n, id) in ids.iter().enumerate() {
        assert_eq!(
            seen.get(&(100 + n as u64)),
            Some(id),
            "answer routed to its request"
        );
    }
    assert_eq!(rig.store.summaries().unwrap().len(), ids.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cap_holds_and_a_full_queue_is_refused_not_awaited() {
    let mut rig = rig(2).await;
    common::set_faults(&rig.sandbox, "unread:latency=300").await;
    let mut sent = 0;
    let mut refused = 0;
    for n in 0..(actor::QUEUE_CAPACITY as u64 + 20) {
        let request = ApiRequest {
            id: RequestId(n),
            call: ApiCall::UnreadSummary("default".to_owned()),
        };
        match rig.api.request(request, &rig.replies) {
            Ok(()) => sent += 1,
            Err(_) => refused += 1,
        }
    }
    assert!(refused > 0, "a full queue must be refused at once");
    for _ in 0..sent {
        assert!(answer(&mut rig).await.outcome.is_ok());
    }
    let counts = common::admin(&rig.sandbox, "requests").await;
    assert_eq!(
        counts["_max_concurrent"], 2,
        "never more than the cap at once: {counts}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reassignment_is_compare_and_set() {
    let mut rig = rig(4).await;
    let chat = common::chat_with_two_participants(&rig.sandbox).await;
    let key = ChatKey::wegly("default", chat["id"].as_str().unwrap());
    let users = common::admin(&rig.sandbox, "users").await;
    let pick = |skip: &str| {
        users
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["user_id"].as_str().unwrap().to_owned())
            .find(|u| u != skip)
            .unwrap()
    };
    let seen = chat["responsible_user_id"].as_str().unwrap().to_owned();
    // Someone else reassigns the chat after the user looked.
    let meanwhile = pick(&seen);
    let body = UpdateResponsibleRequest {
        user_id: meanwhile.clone(),
        update_chat: true,
        update_leads: false,
        update_deals: false,
    };
    common::client(&rig.sandbox)
        .update_responsible(common::uuid(&chat["id"]), &body)
        .await
        .unwrap();
    let target = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user_id"].as_str().unwrap().to_owned())
        .find(|u| *u != seen && *u != meanwhile)
        .unwrap();
    let reassign = |expected: &str| Change::Reassign {
        to: target.clone(),
        expected: Some(expected.to_owned()),
        scope: Scope::CHAT,
    };
    let call = ApiCall::Change {
        key: key.clone(),
        change: reassign(&seen),
    };
    rig.api
        .request(
            ApiRequest {
                id: RequestId(1),
                call,
            },
            &rig.replies,
        )
        .unwrap();
    let Ok(ApiReply::ResponsibleChanged(fresh)) = answer(&mut rig).await.outcome else {
        panic!("expected a conflict")
    };
    assert_eq!(
        fresh.conversation.responsible_user_id(),
        Some(meanwhile.as_str())
    );
    assert_eq!(
        common::request_count(&rig.sandbox, "responsible").await,
        1,
        "nothing written on a conflict"
    );
    // Asked again with what is there now, it writes.
    let call = ApiCall::Change {
        key,
        change: reassign(&meanwhile),
    };
    rig.api
        .request(
            ApiRequest {
                id: RequestId(2),
                call,
            },
            &rig.replies,
        )
        .unwrap();
    let Ok(ApiReply::Changed(fresh)) = answer(&mut rig).await.outcome else {
        panic!("expected a write")
    };
    assert_eq!(
        fresh.conversation.responsible_user_id(),
        Some(target.as_str())
    );
    assert_eq!(
        fresh
            .summary
            .unwrap()
            .columns
            .responsible_user_id
            .as_deref(),
        Some(target.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_and_unknown_chats_come_back_as_such() {
    let mut rig = rig(4).await;
    let chat = common::chat_with_two_participants(&rig.sandbox).await;
    let key = ChatKey::wegly("default", chat["id"].as_str().unwrap());
    let call = ApiCall::Change {
        key,
        change: Change::RemoveParticipant {
            user_id: chat["responsible_user_id"].as_str().unwrap().to_owned(),
        },
    };
    rig.api
        .request(
            ApiRequest {
                id: RequestId(7),
                call,
            },
            &rig.replies,
        )
        .unwrap();
    let event = answer(&mut rig).await;
    let error = event.outcome.unwrap_err();
    assert_eq!(
        (error.kind(), error.status()),
        (ErrorKind::Refused, Some(409))
    );
    let missing = ChatKey::wegly("default", &uuid::Uuid::new_v4().to_string());
    rig.api
        .request(
            ApiRequest {
                id: RequestId(8),
                call: ApiCall::AddChat(missing.clone()),
            },
            &rig.replies,
        )
        .unwrap();
    // An id nobody has is reported, and never left behind as a permanent "gone" row.
    let error = answer(&mut rig).await.outcome.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert!(rig.store.summary(&missing).unwrap().is_none());
    // A chat the index already had, gone from the CRM since, keeps its row flagged gone.
    rig.store
        .note_chat(&missing, balcao::store::Source::Manual, chrono::Utc::now())
        .unwrap();
    rig.api
        .request(
            ApiRequest {
                id: RequestId(10),
                call: ApiCall::GetChat(missing.clone()),
            },
            &rig.replies,
        )
        .unwrap();
    let Ok(ApiReply::Gone(key, summary)) = answer(&mut rig).await.outcome else {
        panic!("expected gone")
    };
    assert_eq!(key, missing);
    assert!(summary.unwrap().gone, "kept in the index, flagged");
    rig.api
        .request(
            ApiRequest {
                id: RequestId(9),
                call: ApiCall::GetChat(ChatKey::wegly("elsewhere", "x")),
            },
            &rig.replies,
        )
        .unwrap();
    assert_eq!(
        answer(&mut rig).await.outcome.unwrap_err().kind(),
        ErrorKind::NotConfigured
    );
}

/// A reassignment whose reply is lost is verified by re-reading: confirmed when the sandbox
/// applied it, "not applied" when it did not; either way the write went out once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_whose_reply_is_lost_are_verified() {
    let mut rig = rig(4).await;
    let chat = common::chat_with_two_participants(&rig.sandbox).await;
    let key = ChatKey::wegly("default", chat["id"].as_str().unwrap());
    let seen = chat["responsible_user_id"].as_str().unwrap().to_owned();
    let users = common::admin(&rig.sandbox, "users").await;
    let others: Vec<String> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user_id"].as_str().unwrap().to_owned())
        .filter(|u| *u != seen)
        .collect();
    let reassign = |id: u64, expected: &str, target: &str| ApiRequest {
        id: RequestId(id),
        call: ApiCall::Change {
            key: key.clone(),
            change: Change::Reassign {
                to: target.to_owned(),
                expected: Some(expected.to_owned()),
                scope: Scope::CHAT,
            },
        },
    };
    common::set_faults(&rig.sandbox, "responsible:reset*1").await;
    rig.api
        .request(reassign(1, &seen, &others[0]), &rig.replies)
        .unwrap();
    let Ok(ApiReply::Changed(fresh)) = answer(&mut rig).await.outcome else {
        panic!("confirmed by re-reading")
    };
    assert_eq!(
        fresh.conversation.responsible_user_id(),
        Some(others[0].as_str())
    );
    assert_eq!(
        rig.store
            .summary(&key)
            .unwrap()
            .unwrap()
            .columns
            .responsible_user_id
            .as_deref(),
        Some(others[0].as_str()),
        "the index holds the verified state"
    );
    common::set_faults(&rig.sandbox, "responsible:malformed*1").await;
    rig.api
        .request(reassign(2, &others[0], &others[1]), &rig.replies)
        .unwrap();
    let error = answer(&mut rig).await.outcome.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotApplied, "{error}");
    assert_eq!(common::request_count(&rig.sandbox, "responsible").await, 2);
}

/// A change to a room (Agilize stamps `lastEvent` on every change) does not make its old last
/// message look new in the index: the row keeps the message's own time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_change_keeps_the_last_message_time_in_the_index() {
    let sandbox = common::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let agilize = balcao::api::agilize::AgilizeClient::new(balcao::api::agilize::AgilizeConfig {
        base_url: sandbox.url(),
        key: secrecy::SecretString::from(common::AGILIZE_KEY.to_owned()),
        timeouts: balcao::api::http::Timeouts::default(),
    })
    .unwrap();
    let (api, _task) = actor::spawn(ActorConfig {
        clients: HashMap::new(),
        rooms: HashMap::from([("rooms".to_owned(), agilize)]),
        store: store.clone(),
        max_in_flight: 2,
    });
    let listed = common::admin(&sandbox, "rooms").await["rooms"].clone();
    let room: balcao::api::agilize::wire::Room = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| serde_json::from_value::<balcao::api::agilize::wire::Room>(r.clone()).unwrap())
        .find(|r| {
            balcao::store::Columns::from(r)
                .last_message_at
                .is_some_and(|at| chrono::Utc::now() - at > chrono::Duration::hours(1))
        })
        .expect("a room whose last event is old");
    let key = ChatKey::agilize("rooms", room.id.as_deref().unwrap());
    let before = balcao::store::Columns::from(&room);
    store
        .save_detail(
            &key,
            &serde_json::to_string(&room).unwrap(),
            &before,
            chrono::Utc::now(),
        )
        .unwrap();
    let (replies, mut answers) = mpsc::channel(4);
    api.request(
        ApiRequest {
            id: RequestId(1),
            call: ApiCall::Change {
                key: key.clone(),
                change: Change::SetTags(vec!["t-1".to_owned()]),
            },
        },
        &replies,
    )
    .unwrap();
    let event = tokio::time::timeout(Duration::from_secs(20), answers.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(event.outcome, Ok(ApiReply::Changed(_))),
        "{event:?}"
    );
    let after = store.summary(&key).unwrap().unwrap();
    assert_eq!(
        after.columns.last_message_at, before.last_message_at,
        "tagging a room is not a message"
    );
}
