//! A chat's conversation over loopback: the sandbox pages its timeline as balcão asks
//! (`page`, `limit`), and the API actor fetches a page, stores it in the index event by event,
//! and answers with it; the index then shows it with the sandbox gone.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use balcao::api::actor::{self, ActorConfig, ApiCall, ApiEvent, ApiReply, ApiRequest, RequestId};
use balcao::api::timeline::{message_text, parse_stored, read_stored};
use balcao::api::wegly::limits::TIMELINE_PAGE_SIZE;
use balcao::api::wegly::wire::{Message, Page, TimelineEvent};
use balcao::store::{ChatKey, Store};
use serde_json::Value;
use tokio::sync::mpsc;

/// The customer writes `count` messages in the chat `id`.
async fn customer_writes(sandbox: &balcao::sandbox::RunningSandbox, id: &str, count: usize) {
    for n in 0..count {
        let response = common::raw()
            .post(format!("{}/_sandbox/inbound", sandbox.url()))
            .bearer_auth(common::TOKEN)
            .json(&serde_json::json!({"chat_id": id, "body": format!("mensagem {n}")}))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{}",
            response.text().await.unwrap()
        );
    }
}

/// `GET /chats/{id}/timeline` with `query`: the status and the body.
async fn timeline(
    sandbox: &balcao::sandbox::RunningSandbox,
    id: &str,
    query: &str,
) -> (u16, Value) {
    let response = common::raw()
        .get(format!(
            "{}/integrations/external/chats/{id}/timeline{query}",
            sandbox.url()
        ))
        .bearer_auth(common::TOKEN)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn ids(page: &Value) -> Vec<String> {
    page["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_sandbox_pages_a_timeline_newest_page_first() {
    let sandbox = common::start().await;
    let id = common::chats(&sandbox).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    customer_writes(&sandbox, &id, 5).await;
    let (status, all) = timeline(&sandbox, &id, "").await;
    assert_eq!(status, 200);
    let every = ids(&all);
    let total = every.len();
    assert!(total >= 5);
    assert_eq!(all["total"], total, "without paging, everything");

    let (_, first) = timeline(&sandbox, &id, "?page=1&limit=2").await;
    assert_eq!(
        ids(&first),
        every[total - 2..],
        "page 1: the newest, oldest first"
    );
    assert_eq!(first["total"], total, "the total is the whole timeline's");
    let (_, second) = timeline(&sandbox, &id, "?page=2&limit=2").await;
    assert_eq!(ids(&second), every[total - 4..total - 2]);
    let (_, beyond) = timeline(&sandbox, &id, &format!("?page={}&limit=2", total + 1)).await;
    assert!(ids(&beyond).is_empty(), "past the oldest page: nothing");
    let (_, default) = timeline(&sandbox, &id, "?page=1").await;
    assert_eq!(
        ids(&default).len(),
        total.min(TIMELINE_PAGE_SIZE),
        "a page without a limit"
    );

    for (query, named) in [
        ("?page=0", "page"),
        ("?limit=abc", "limit"),
        ("?limit=100000", "limit"),
    ] {
        let (status, body) = timeline(&sandbox, &id, query).await;
        assert_eq!(status, 422, "{query}: {body}");
        let message = body["fields"][named].as_str().unwrap_or_default();
        assert!(message.contains("whole number"), "{query}: {body}");
    }
}

struct Rig {
    api: actor::ApiHandle,
    replies: mpsc::Sender<ApiEvent>,
    answers: mpsc::Receiver<ApiEvent>,
}

impl Rig {
    /// The API actor on `sandbox`'s Wegly account, storing into `store`.
    fn new(sandbox: &balcao::sandbox::RunningSandbox, store: &Arc<Store>) -> Self {
        let (api, _task) = actor::spawn(ActorConfig {
            clients: HashMap::from([("default".to_owned(), common::client(sandbox))]),
            rooms: HashMap::new(),
            store: store.clone(),
            max_in_flight: 2,
        });
        let (replies, answers) = mpsc::channel(16);
        Self {
            api,
            replies,
            answers,
        }
    }

    async fn ask(&mut self, n: u64, call: ApiCall) -> ApiEvent {
        let request = ApiRequest {
            id: RequestId(n),
            call,
        };
        self.api.request(request, &self.replies).unwrap();
        let event = tokio::time::timeout(Duration::from_secs(20), self.answers.recv())
            .await
            .expect("an answer in time")
            .unwrap();
        assert_eq!(event.id, RequestId(n));
        event
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_actor_stores_each_page_and_the_index_shows_it_offline() {
    let sandbox = common::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let mut rig = Rig::new(&sandbox, &store);
    let id = common::chats(&sandbox).await[1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    customer_writes(&sandbox, &id, TIMELINE_PAGE_SIZE + 3).await;
    let every = ids(&timeline(&sandbox, &id, "").await.1);
    let total = every.len();
    let key = ChatKey::wegly("default", &id);

    let event = rig
        .ask(
            1,
            ApiCall::Timeline {
                key: key.clone(),
                page: 1,
            },
        )
        .await;
    let Ok(ApiReply::Timeline(newest)) = event.outcome else {
        panic!("{event:?}")
    };
    assert_eq!(newest.events.len(), TIMELINE_PAGE_SIZE);
    assert_eq!(newest.total, Some(i64::try_from(total).unwrap()));
    assert_eq!(
        newest.first_position,
        i64::try_from(total - TIMELINE_PAGE_SIZE).unwrap()
    );
    assert!(newest.older, "older events remain");
    let stored = store.timeline(&key).unwrap().unwrap();
    assert_eq!(stored.rows.len(), TIMELINE_PAGE_SIZE);
    assert_eq!(stored.oldest_page, 1);

    let event = rig
        .ask(
            2,
            ApiCall::Timeline {
                key: key.clone(),
                page: 2,
            },
        )
        .await;
    let Ok(ApiReply::Timeline(older)) = event.outcome else {
        panic!("{event:?}")
    };
    assert_eq!(older.events.len(), total - TIMELINE_PAGE_SIZE);
    assert_eq!((older.first_position, older.older), (0, false));

    // The sandbox goes; a new process reads the index alone.
    sandbox.shutdown().await.unwrap();
    drop(rig);
    drop(store);
    let offline = Store::open_in(dir.path()).unwrap();
    let stored = offline.timeline(&key).unwrap().unwrap();
    assert_eq!(stored.total, Some(i64::try_from(total).unwrap()));
    assert_eq!(stored.oldest_page, 2);
    let conversation = read_stored(&offline, &key).unwrap().unwrap();
    assert_eq!(conversation.events, parse_stored(&stored.rows));
    assert_eq!(conversation.total, stored.total);
    let read: Vec<String> = parse_stored(&stored.rows)
        .into_iter()
        .map(|(_, event)| event.id.unwrap())
        .collect();
    assert_eq!(read, every, "every event, in the API's order");
    let (position, last) = parse_stored(&stored.rows).pop().unwrap();
    assert_eq!(position, i64::try_from(total - 1).unwrap());
    let last = last.message.unwrap();
    assert_eq!(
        last.body_text.as_deref(),
        Some(format!("mensagem {}", TIMELINE_PAGE_SIZE + 2).as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_has_no_timeline_and_nothing_is_sent() {
    let sandbox = common::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let mut rig = Rig::new(&sandbox, &store);
    let key = ChatKey::agilize("default", "room-1");
    let event = rig
        .ask(
            1,
            ApiCall::Timeline {
                key: key.clone(),
                page: 1,
            },
        )
        .await;
    let error = event.outcome.unwrap_err().to_string();
    assert!(error.contains("nothing was sent"), "{error}");
    assert_eq!(common::request_count(&sandbox, "timeline").await, 0);
    assert_eq!(store.timeline(&key).unwrap(), None);
}

/// Both documented shapes give their text: v1's `body_text` in a timeline page, and v2's
/// reduced record (the shared fixtures), whose text is also in `content_payload`.
#[test]
fn both_message_shapes_give_their_text() {
    let read = |name: &str| {
        std::fs::read_to_string(common::shared_dir().join("fixtures/api-samples").join(name))
            .unwrap()
    };
    let v1: Page<TimelineEvent> = serde_json::from_str(&read("wegly-timeline-page.json")).unwrap();
    let texts: Vec<Option<String>> = v1
        .records
        .unwrap()
        .iter()
        .map(|event| message_text(event.message.as_ref().unwrap()))
        .collect();
    assert_eq!(texts[0].as_deref(), Some("Vocês entregam em Campinas?"));
    assert_eq!(texts[1], None, "a photo without a caption has no text");
    let v2: Page<Message> = serde_json::from_str(&read("wegly-messages-sent-v2.json")).unwrap();
    let mut record = v2.records.unwrap().remove(0);
    let expected = record.body_text.clone();
    assert!(expected.is_some());
    assert_eq!(message_text(&record), expected);
    record.body_text = None;
    assert_eq!(message_text(&record), expected, "from content_payload");
}
