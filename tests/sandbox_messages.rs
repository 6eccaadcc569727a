//! The sandbox's `POST /chats/{id}/messages` over raw HTTP: templates inside and outside the
//! window, their validation, quoting a message, and the `chat.message_sent` event.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    missing_docs
)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::routing::post;
use chrono::{DateTime, Utc};
use common::{TOKEN, raw};
use serde_json::{Value, json};
use tokio::net::TcpListener;

async fn post_message(
    sandbox: &balcao::sandbox::RunningSandbox,
    chat: &str,
    body: &Value,
) -> (u16, Value) {
    let response = raw()
        .post(format!(
            "{}/integrations/external/chats/{chat}/messages",
            sandbox.url()
        ))
        .bearer_auth(TOKEN)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn timeline(sandbox: &balcao::sandbox::RunningSandbox, chat: &str) -> Vec<Value> {
    let page: Value = raw()
        .get(format!(
            "{}/integrations/external/chats/{chat}/timeline",
            sandbox.url()
        ))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["message"].clone())
        .collect()
}

/// A seeded chat whose window is open (`true`) or closed (`false`), as the admin listing says.
async fn chat_with_window(sandbox: &balcao::sandbox::RunningSandbox, open: bool) -> String {
    let now = Utc::now();
    common::chats(sandbox)
        .await
        .into_iter()
        .find(|chat| {
            chat["session_expires_at"].as_str().is_some_and(|end| {
                let end = end.parse::<DateTime<Utc>>().unwrap();
                // An hour of margin either way, so the test does not race the window's end.
                if open {
                    end - now > chrono::Duration::hours(1)
                } else {
                    end < now
                }
            })
        })
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn template(name: &str, values: &[&str]) -> Value {
    json!({
        "type": "template",
        "template": {"name": name, "language": "pt_BR"},
        "template_fields": values.iter().enumerate().map(|(at, value)| json!({
            "component": "BODY", "type": "TEXT", "index": at + 1, "value": value
        })).collect::<Vec<_>>(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_is_sent_outside_the_window_and_announced() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let events: Arc<Mutex<Vec<Value>>> = Arc::default();
    let seen = events.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |body: Bytes| {
            let seen = seen.clone();
            async move {
                seen.lock()
                    .unwrap()
                    .push(serde_json::from_slice(&body).unwrap());
                axum::http::StatusCode::OK
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    let sandbox = common::start_with(|config| {
        config.webhook = common::webhook(url, "whsec-never-shown");
    })
    .await;
    let chat = chat_with_window(&sandbox, false).await;
    let (status, reply) = post_message(
        &sandbox,
        &chat,
        &template("retomar_contato", &["João", "pedido 42"]),
    )
    .await;
    assert_eq!(status, 201, "{reply}");
    let sent = &reply["records"][0];
    assert_eq!(sent["type"], "template");
    assert_eq!(sent["from_me"], true);
    assert_eq!(sent["body_text"], "[retomar_contato] João · pedido 42");
    assert_eq!(
        sent["content_payload"]["template"]["name"],
        "retomar_contato"
    );
    let last = timeline(&sandbox, &chat).await.pop().unwrap();
    assert_eq!(last["id"], sent["id"]);
    assert_eq!(last["type"], "template");
    let listed = common::chats(&sandbox).await;
    let row = listed.iter().find(|c| c["id"] == chat.as_str()).unwrap();
    assert_eq!(row["unread_count"], 0);
    // Text stays refused there: a template does not open the window, only the customer does.
    let (status, reply) =
        post_message(&sandbox, &chat, &json!({"type": "text", "body": "Oi"})).await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (422, Some("session_window_closed"))
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let announced = events.lock().unwrap().iter().any(|envelope| {
            envelope["event_key"] == "chat.message_sent"
                && envelope["payload"]["message"]["id"] == sent["id"]
        });
        if announced {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no chat.message_sent"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_template_is_taken_inside_the_window_too() {
    let sandbox = common::start().await;
    let chat = chat_with_window(&sandbox, true).await;
    let (status, reply) = post_message(&sandbox, &chat, &template("boas_vindas", &[])).await;
    assert_eq!(status, 201, "{reply}");
    assert_eq!(reply["records"][0]["body_text"], "[boas_vindas]");
}

#[tokio::test]
async fn template_fields_are_checked_and_named() {
    let sandbox = common::start().await;
    let chat = chat_with_window(&sandbox, false).await;
    let cases = [
        (json!({"type": "template"}), "template"),
        (
            json!({"type": "template", "template": {"language": "pt_BR"}}),
            "template.name",
        ),
        (
            json!({"type": "template", "template": {"name": "x", "language": 7}}),
            "template.language",
        ),
        (
            json!({"type": "template", "template": {"name": "x"}, "template_fields": "João"}),
            "template_fields",
        ),
        (
            json!({"type": "template", "template": {"name": "x"}, "template_fields": [{"value": 1}]}),
            "template_fields[0]",
        ),
        (json!({"type": "sticker"}), "type"),
    ];
    let before = timeline(&sandbox, &chat).await.len();
    for (body, field) in cases {
        let (status, reply) = post_message(&sandbox, &chat, &body).await;
        assert_eq!(status, 422, "{body}: {reply}");
        assert!(
            reply["fields"].get(field).is_some(),
            "{body}: {field} not named in {reply}"
        );
    }
    let (status, reply) = post_message(&sandbox, &chat, &json!({"type": 3})).await;
    assert_eq!((status, reply["fields"].get("type").is_some()), (400, true));
    assert_eq!(
        timeline(&sandbox, &chat).await.len(),
        before,
        "nothing sent"
    );
}

#[tokio::test]
async fn a_reply_quotes_a_known_message_and_refuses_an_unknown_one() {
    let sandbox = common::start().await;
    let chat = chat_with_window(&sandbox, true).await;
    let quoted = timeline(&sandbox, &chat).await.pop().unwrap();
    let id = quoted["id"].as_str().unwrap();
    let body = json!({"type": "text", "body": "Sobre isso:", "reference_wamid": id});
    let (status, reply) = post_message(&sandbox, &chat, &body).await;
    assert_eq!(status, 201, "{reply}");
    let last = timeline(&sandbox, &chat).await.pop().unwrap();
    assert_eq!(last["body_text"], "Sobre isso:");
    assert_eq!(last["quoted_message"]["id"], id);
    assert_eq!(last["quoted_message"]["body_text"], quoted["body_text"]);
    let before = timeline(&sandbox, &chat).await.len();
    let unknown = json!({"type": "text", "body": "x", "reference_wamid": "wamid.nowhere"});
    let (status, reply) = post_message(&sandbox, &chat, &unknown).await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (422, Some("unknown_reference"))
    );
    assert!(
        reply["fields"]["reference_wamid"]
            .as_str()
            .unwrap()
            .contains("wamid.nowhere")
    );
    let template_quote =
        json!({"type": "template", "template": {"name": "x"}, "reference_wamid": "nope"});
    let (status, reply) = post_message(&sandbox, &chat, &template_quote).await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (422, Some("unknown_reference"))
    );
    assert_eq!(
        timeline(&sandbox, &chat).await.len(),
        before,
        "nothing sent"
    );
}
