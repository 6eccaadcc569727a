//! The webhook receiver: the sandbox's real signed webhooks over loopback, and forged ones.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    missing_docs
)]

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use balcao::hydrate::{HydrationSettings, spawn_scheduler};
use balcao::store::WebhookOutcome::{Ignored, Refused};
use balcao::store::{Store, WebhookOutcome};
use balcao::webhook::InboxEvent;
use balcao::webhook::ReceiverLimits;
use balcao::webhook::serve::serve;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::{Notify, broadcast, watch};

const SECRET: &str = "whsec-receiver-7d2e";

struct Receiver {
    url: String,
    store: Arc<Store>,
    events: broadcast::Receiver<InboxEvent>,
    wake: Arc<Notify>,
    /// Serving lasts while this lives.
    _stop: watch::Sender<bool>,
    _dir: tempfile::TempDir,
}

async fn start_receiver() -> Receiver {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let state = common::receiver_state(&store, "default", SECRET, None);
    let events = state.events.subscribe();
    let wake = state.wake.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks/wegly", listener.local_addr().unwrap());
    let (stop, stopped) = watch::channel(false);
    tokio::spawn(serve(listener, state, ReceiverLimits::default(), stopped));
    Receiver {
        url,
        store,
        events,
        wake,
        _stop: stop,
        _dir: dir,
    }
}

fn sign(body: &[u8]) -> String {
    common::sign(SECRET, body)
}

async fn post(
    url: &str,
    body: &[u8],
    event: Option<&str>,
    signature: Option<String>,
) -> (u16, Value) {
    let mut request = common::raw()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(event) = event {
        request = request.header("x-wegly-event", event);
    }
    if let Some(signature) = signature {
        request = request.header("x-wegly-signature", signature);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn envelope(event: &str, payload: &Value) -> Vec<u8> {
    serde_json::to_vec(&json!({"event_key": event, "payload": payload})).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_webhooks_fill_the_index_and_hydration_completes_it() {
    let mut receiver = start_receiver().await;
    let sandbox =
        common::start_with(|config| config.webhook = common::webhook(receiver.url.clone(), SECRET))
            .await;
    let total = common::chats(&sandbox).await.len();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while receiver.store.summaries().unwrap().len() < total {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not every seeded chat arrived"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut announced = 0;
    while let Ok(event) = receiver.events.try_recv() {
        announced += usize::from(matches!(event, InboxEvent::ChatAnnounced(_)));
    }
    assert!(announced >= total);
    // The webhook's own chat shows at once, before any fetch.
    let rows = receiver.store.summaries().unwrap();
    assert!(
        rows.iter()
            .all(|row| row.columns.contact.is_some() && row.needs_hydration)
    );
    let accepted = receiver.store.webhook_events(1000).unwrap();
    assert!(
        accepted
            .iter()
            .all(|e| e.outcome == WebhookOutcome::Accepted)
    );

    let (stop, stopped) = watch::channel(false);
    let (api, _actor) = balcao::api::actor::spawn(balcao::api::actor::ActorConfig {
        clients: HashMap::from([("default".to_owned(), common::client(&sandbox))]),
        rooms: HashMap::new(),
        store: receiver.store.clone(),
        max_in_flight: 8,
    });
    let (rows, mut fetched) = tokio::sync::mpsc::channel(1024);
    let running = spawn_scheduler(
        receiver.store.clone(),
        api,
        vec!["default".to_owned()],
        HydrationSettings::default(),
        receiver.wake.clone(),
        rows,
        stopped,
    );
    let mut announced_rows = 0;
    while receiver
        .store
        .summaries()
        .unwrap()
        .iter()
        .any(|row| row.needs_hydration)
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "hydration did not finish"
        );
        while fetched.try_recv().is_ok() {
            announced_rows += 1;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let requests = common::request_count(&sandbox, "get_chat").await;
    assert_eq!(
        requests,
        u64::try_from(total).unwrap(),
        "each chat fetched once"
    );
    while fetched.try_recv().is_ok() {
        announced_rows += 1;
    }
    assert!(announced_rows > 0, "fetched rows are announced");
    stop.send(true)
        .expect("the scheduler still runs, holding the other end");
    running.await.unwrap();
}

#[tokio::test]
async fn forged_and_broken_deliveries_are_refused_and_recorded() {
    let receiver = start_receiver().await;
    let chat_id = "8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23";
    let good = envelope("chat.message_received", &json!({"chat": {"id": chat_id}}));

    let (status, _) = post(&receiver.url, &good, Some("chat.message_received"), None).await;
    assert_eq!(status, 401, "no signature");
    let (status, _) = post(
        &receiver.url,
        &good,
        Some("chat.message_received"),
        Some("00".repeat(32)),
    )
    .await;
    assert_eq!(status, 401, "wrong signature");
    let mut altered = good.clone();
    let signature = sign(&good);
    *altered.last_mut().unwrap() = b' ';
    let (status, reply) = post(
        &receiver.url,
        &altered,
        Some("chat.message_received"),
        Some(signature),
    )
    .await;
    assert_eq!(status, 401, "body altered after signing");
    assert!(reply["reason"].as_str().unwrap().contains("does not match"));
    assert!(
        receiver.store.summaries().unwrap().is_empty(),
        "a refused webhook changes nothing"
    );

    let broken = b"{\"event_key\": \"chat.message_received\", ".to_vec();
    let (status, _) = post(
        &receiver.url,
        &broken,
        Some("chat.message_received"),
        Some(sign(&broken)),
    )
    .await;
    assert_eq!(status, 400);

    let huge = envelope(
        "chat.message_received",
        &json!({"chat": {"id": chat_id}, "pad": "x".repeat(1024 * 1024)}),
    );
    let (status, _) = post(
        &receiver.url,
        &huge,
        Some("chat.message_received"),
        Some(sign(&huge)),
    )
    .await;
    assert_eq!(status, 413);

    let lead = envelope("lead.created", &json!({"lead": {"id": "x"}}));
    let (status, reply) = post(
        &receiver.url,
        &lead,
        Some("lead.created"),
        Some(sign(&lead)),
    )
    .await;
    assert_eq!((status, reply["status"].as_str()), (202, Some("ignored")));

    let no_id = envelope(
        "chat.message_sent",
        &json!({"message": {"body_text": "oi"}}),
    );
    let (status, reply) = post(
        &receiver.url,
        &no_id,
        Some("chat.message_sent"),
        Some(sign(&no_id)),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        reply["reason"]
            .as_str()
            .unwrap()
            .contains("payload.chat.id")
    );

    let mismatch = envelope("chat.message_sent", &json!({"chat_id": chat_id}));
    let (status, _) = post(
        &receiver.url,
        &mismatch,
        Some("chat.message_received"),
        Some(sign(&mismatch)),
    )
    .await;
    assert_eq!(status, 400, "header and envelope disagree");

    assert!(receiver.store.summaries().unwrap().is_empty());
    let events = receiver.store.webhook_events(100).unwrap();
    let outcomes: Vec<WebhookOutcome> = events.iter().rev().map(|e| e.outcome).collect();
    assert_eq!(
        outcomes,
        [
            Refused, Refused, Refused, Refused, Refused, Ignored, Refused, Refused
        ]
    );
    assert!(events.iter().all(|e| e.reason.is_some()));
}

#[tokio::test]
async fn chat_ids_are_found_wherever_the_payload_puts_them_and_base64_signs() {
    let receiver = start_receiver().await;
    let ids = [
        "11111111-1111-4111-8111-111111111111",
        "22222222-2222-4222-8222-222222222222",
        "33333333-3333-4333-8333-333333333333",
    ];
    let payloads = [
        json!({"chat": {"id": ids[0]}}),
        json!({"chat_id": ids[1]}),
        json!({"message": {"chat_id": ids[2]}}),
    ];
    for payload in &payloads {
        let body = envelope("chat.message_received", payload);
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(&body);
        let bytes = mac.finalize().into_bytes();
        let base64 = base64_encode(&bytes);
        let (status, _) = post(&receiver.url, &body, None, Some(base64)).await;
        assert_eq!(status, 200, "{payload}");
    }
    let mut stored: Vec<String> = receiver
        .store
        .summaries()
        .unwrap()
        .into_iter()
        .map(|r| r.key.chat_id)
        .collect();
    stored.sort();
    assert_eq!(stored, ids);
}

fn base64_encode(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0_u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    while !out.len().is_multiple_of(4) {
        out.push('=');
    }
    out
}

/// A copy of a delivery (the CRM retrying, or a balancer sending it to two receivers) that
/// arrives after the chat was fetched changes nothing: the event is already in the chat's row,
/// so asking for another fetch would only spend the API's budget again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_of_a_delivery_after_the_fetch_asks_for_no_second_fetch() {
    let receiver = start_receiver().await;
    let chat_id = "8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23";
    let body = envelope("chat.message_received", &json!({"chat": {"id": chat_id}}));
    let event = Some("chat.message_received");
    assert_eq!(
        post(&receiver.url, &body, event, Some(sign(&body))).await.0,
        200
    );
    let key = balcao::store::ChatKey::wegly("default", chat_id);
    let noted = receiver.store.summary(&key).unwrap().unwrap();
    assert!(noted.needs_hydration, "the first delivery asks for a fetch");
    // The fetch that delivery asked for is done.
    receiver
        .store
        .save_detail(&key, "{}", &noted.columns, chrono::Utc::now())
        .unwrap();
    let fetched = receiver.store.summary(&key).unwrap().unwrap();
    assert!(!fetched.needs_hydration);

    // The same delivery again: answered as accepted (the sender must stop retrying), recorded
    // once, and the chat is not asked for again.
    assert_eq!(
        post(&receiver.url, &body, event, Some(sign(&body))).await.0,
        200
    );
    let after = receiver.store.summary(&key).unwrap().unwrap();
    assert!(
        !after.needs_hydration,
        "a copy of a delivery already applied asked for another fetch"
    );
    assert_eq!(after, fetched, "a copy changed the chat's row");
    let accepted = receiver
        .store
        .webhook_events(10)
        .unwrap()
        .into_iter()
        .filter(|event| event.outcome == WebhookOutcome::Accepted)
        .count();
    assert_eq!(accepted, 1, "a copy was recorded twice");

    // A different delivery about the same chat still asks for a fetch.
    let other = envelope("chat.message_sent", &json!({"chat": {"id": chat_id}}));
    let event = Some("chat.message_sent");
    assert_eq!(
        post(&receiver.url, &other, event, Some(sign(&other)))
            .await
            .0,
        200
    );
    assert!(
        receiver
            .store
            .summary(&key)
            .unwrap()
            .unwrap()
            .needs_hydration
    );
}
