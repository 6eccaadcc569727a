//! The sandbox's webhooks: signed as documented, sent for every seeded chat and every new
//! message, and retried until a receiver that starts late takes them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    clippy::type_complexity,
    missing_docs
)]

mod common;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::net::TcpListener;

const SECRET: &str = "whsec-9c1e-never-shown";

#[derive(Default)]
struct Received {
    chat_ids: HashSet<String>,
    events: Vec<(String, Value)>,
    refused_first: usize,
    bad_signatures: usize,
}

/// A receiver written independently of the crate's verifier: HMAC-SHA256 of the raw body,
/// lowercase hex, compared as the documented scheme says. It refuses the first `refuse` posts.
fn receiver(listener: TcpListener, refuse: usize) -> Arc<Mutex<Received>> {
    let state = Arc::new(Mutex::new(Received::default()));
    let shared = state.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let state = shared.clone();
            async move {
                let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
                mac.update(&body);
                let expected = hex::encode(mac.finalize().into_bytes());
                let mut received = state.lock().unwrap();
                if received.refused_first < refuse {
                    received.refused_first += 1;
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                let signature = headers
                    .get("x-wegly-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                if signature != expected {
                    received.bad_signatures += 1;
                    return StatusCode::UNAUTHORIZED;
                }
                let event = headers
                    .get("x-wegly-event")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let envelope: Value = serde_json::from_slice(&body).unwrap();
                assert_eq!(envelope["event_key"], event.as_str());
                received.chat_ids.insert(
                    envelope["payload"]["chat"]["id"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                );
                received.events.push((event, envelope));
                StatusCode::OK
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    state
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_seeded_chat_and_new_message_arrives_signed() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let received = receiver(listener, 0);
    let sandbox = common::start_with(|config| config.webhook = common::webhook(url, SECRET)).await;
    let total = common::chats(&sandbox).await.len();
    wait_until("every seeded chat", || {
        received.lock().unwrap().chat_ids.len() == total
    })
    .await;
    let chat = common::chats(&sandbox).await[7]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let inbound = common::raw()
        .post(format!("{}/_sandbox/inbound", sandbox.url()))
        .bearer_auth(common::TOKEN)
        .json(&serde_json::json!({"chat_id": chat, "body": "Alguém aí?"}))
        .send()
        .await
        .unwrap();
    assert!(inbound.status().is_success());
    wait_until("the inbound message event", || {
        received
            .lock()
            .unwrap()
            .events
            .iter()
            .any(|(key, envelope)| {
                key == "chat.message_received"
                    && envelope["payload"]["message"]["body_text"] == "Alguém aí?"
            })
    })
    .await;
    {
        let received = received.lock().unwrap();
        assert_eq!(received.bad_signatures, 0);
        assert!(
            received
                .events
                .iter()
                .any(|(key, _)| key == "chat.message_sent")
        );
    }
    let counts = common::admin(&sandbox, "webhooks").await;
    assert_eq!(
        counts["counts"]["delivered"].as_u64(),
        Some(u64::try_from(total + 1).unwrap())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_are_retried_until_a_late_receiver_takes_them() {
    // Reserve a port, start the sandbox pointing at it while nothing listens there.
    let addr = SocketAddr::from(([127, 0, 0, 1], common::free_port()));
    let sandbox = common::start_with(|config| {
        config.webhook = common::webhook(format!("http://{addr}/hook"), SECRET);
        config.seed.chats.truncate(20);
    })
    .await;
    // Nothing listens yet: every event fails, and each is tried again (more failed attempts than
    // events means retries happened), with nothing delivered and nothing given up.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let counts = common::admin(&sandbox, "webhooks").await["counts"].clone();
        assert_eq!(counts["delivered"], 0);
        assert_eq!(counts["abandoned"], 0);
        if counts["failed_attempts"].as_u64().unwrap() >= 40 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no retries seen: {counts}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The receiver starts late and refuses its first five posts too.
    let listener = TcpListener::bind(addr).await.unwrap();
    let received = receiver(listener, 5);
    wait_until("all twenty chats", || {
        received.lock().unwrap().chat_ids.len() == 20
    })
    .await;
    let after = common::admin(&sandbox, "webhooks").await;
    assert_eq!(after["counts"]["delivered"], 20);
    assert_eq!(after["counts"]["abandoned"], 0);
}
