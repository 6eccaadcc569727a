//! Replies through the API actor against the sandbox: sent once, refused before any request when
//! empty or outside the window, a lost reply verified against the re-read timeline (never sent
//! twice), a refusal kept as such, and the index row following the send (unread 0).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use balcao::api::ErrorKind;
use balcao::api::actor::{self, ActorConfig, ApiCall, ApiEvent, ApiReply, ApiRequest, RequestId};
use balcao::api::error::ApiError;
use balcao::api::reply::{Outgoing, Unsendable};
use balcao::store::{ChatKey, Store};
use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::sync::mpsc;

struct Rig {
    sandbox: balcao::sandbox::RunningSandbox,
    store: Arc<Store>,
    api: actor::ApiHandle,
    replies: mpsc::Sender<ApiEvent>,
    answers: mpsc::Receiver<ApiEvent>,
    next: u64,
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
    let (replies, answers) = mpsc::channel(16);
    Rig {
        sandbox,
        store,
        api,
        replies,
        answers,
        next: 1,
        _dir: dir,
    }
}

impl Rig {
    async fn call(&mut self, call: ApiCall) -> Result<ApiReply, ApiError> {
        let id = RequestId(self.next);
        self.next += 1;
        self.api
            .request(ApiRequest { id, call }, &self.replies)
            .unwrap();
        let event = tokio::time::timeout(Duration::from_secs(30), self.answers.recv())
            .await
            .expect("an answer in time")
            .unwrap();
        assert_eq!(event.id, id);
        event.outcome
    }

    /// A seeded chat with its window open (`true`, an hour of margin) or closed, stored in the
    /// index by a read as the console would have it.
    async fn chat(&mut self, open: bool) -> ChatKey {
        let now = Utc::now();
        let chat = common::chats(&self.sandbox)
            .await
            .into_iter()
            .find(|chat| {
                chat["session_expires_at"].as_str().is_some_and(|end| {
                    let end = end.parse::<DateTime<Utc>>().unwrap();
                    if open {
                        end - now > chrono::Duration::hours(1)
                    } else {
                        end < now
                    }
                })
            })
            .unwrap();
        let key = ChatKey::wegly("default", chat["id"].as_str().unwrap());
        assert!(matches!(
            self.call(ApiCall::GetChat(key.clone())).await,
            Ok(ApiReply::Chat(_))
        ));
        key
    }

    async fn timeline(&self, key: &ChatKey) -> Vec<Value> {
        let page: Value = common::raw()
            .get(format!(
                "{}/integrations/external/chats/{}/timeline",
                self.sandbox.url(),
                key.chat_id
            ))
            .bearer_auth(common::TOKEN)
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

    async fn sends(&self) -> u64 {
        common::request_count(&self.sandbox, "send_message").await
    }
}

fn text(body: &str) -> Outgoing {
    Outgoing::Text {
        body: body.to_owned(),
        reply_to: None,
    }
}

fn send(key: &ChatKey, message: Outgoing) -> ApiCall {
    ApiCall::SendMessage {
        key: key.clone(),
        message,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_is_sent_once_and_the_row_follows_with_unread_cleared() {
    let mut rig = rig().await;
    let key = rig.chat(true).await;
    let inbound = common::raw()
        .post(format!("{}/_sandbox/inbound", rig.sandbox.url()))
        .bearer_auth(common::TOKEN)
        .json(&serde_json::json!({"chat_id": key.chat_id, "body": "Alguém?"}))
        .send()
        .await
        .unwrap();
    assert!(inbound.status().is_success());
    rig.call(ApiCall::GetChat(key.clone())).await.unwrap();
    assert!(rig.store.summary(&key).unwrap().unwrap().columns.unread > 0);
    let Ok(ApiReply::Sent(sent)) = rig.call(send(&key, text("Olá! Já vejo."))).await else {
        panic!("sent")
    };
    assert!(!sent.verified, "the server's own reply");
    let last = rig.timeline(&key).await.pop().unwrap();
    assert_eq!(last["id"].as_str(), Some(sent.message_id.as_str()));
    assert_eq!(last["body_text"], "Olá! Já vejo.");
    let row = rig.store.summary(&key).unwrap().unwrap();
    assert_eq!(
        row.columns.unread, 0,
        "replying clears unread, and the index follows"
    );
    assert_eq!(
        row.columns.last_message_preview.as_deref(),
        Some("Olá! Já vejo.")
    );
    assert_eq!(row.columns.last_message_from_me, Some(true));
    assert_eq!(sent.fresh.and_then(|fresh| fresh.summary), Some(row));
    assert_eq!(rig.sends().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_text_and_text_outside_the_window_are_refused_without_a_request() {
    let mut rig = rig().await;
    let open = rig.chat(true).await;
    let closed = rig.chat(false).await;
    let unknown = ChatKey::wegly("default", &uuid::Uuid::new_v4().to_string());
    let timelines = common::request_count(&rig.sandbox, "timeline").await;
    for (key, message, why) in [
        (&open, text("  \n "), Unsendable::Empty),
        (&closed, text("Oi"), Unsendable::WindowClosed),
        (&unknown, text("Oi"), Unsendable::WindowClosed),
    ] {
        let error = rig.call(send(key, message)).await.unwrap_err();
        assert_eq!(error, ApiError::NotSent(why));
        assert_eq!(error.kind(), ErrorKind::NotSent);
    }
    assert_eq!(rig.sends().await, 0);
    assert_eq!(
        common::request_count(&rig.sandbox, "timeline").await,
        timelines,
        "no request at all"
    );
    // A template is what a closed window takes.
    let template = Outgoing::Template {
        name: "retomar_contato".to_owned(),
        language: "pt_BR".to_owned(),
        fields: vec!["João".to_owned()],
    };
    let Ok(ApiReply::Sent(sent)) = rig.call(send(&closed, template)).await else {
        panic!("a template goes out of the window")
    };
    let last = rig.timeline(&closed).await.pop().unwrap();
    assert_eq!(last["id"].as_str(), Some(sent.message_id.as_str()));
    assert_eq!(last["body_text"], "[retomar_contato] João");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_reply_is_verified_in_the_timeline_and_never_sent_twice() {
    let mut rig = rig().await;
    let key = rig.chat(true).await;
    // The server sends the message, then the connection breaks before the reply.
    common::set_faults(&rig.sandbox, "send_message:reset*1").await;
    let Ok(ApiReply::Sent(sent)) = rig.call(send(&key, text("ok"))).await else {
        panic!("found in the re-read timeline")
    };
    assert!(sent.verified);
    let ours: Vec<Value> = rig
        .timeline(&key)
        .await
        .into_iter()
        .filter(|message| message["body_text"] == "ok" && message["from_me"] == true)
        .collect();
    assert_eq!(ours.len(), 1, "sent once");
    assert_eq!(ours[0]["id"].as_str(), Some(sent.message_id.as_str()));
    assert_eq!(rig.sends().await, 1);
    // The same text again, and this time the server does not act: the earlier "ok" is not
    // taken for it, and it is reported not sent (not retried).
    common::set_faults(&rig.sandbox, "send_message:malformed*1").await;
    let error = rig.call(send(&key, text("ok"))).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotApplied, "{error}");
    assert_eq!(rig.sends().await, 2);
    let count = rig
        .timeline(&key)
        .await
        .iter()
        .filter(|message| message["body_text"] == "ok")
        .count();
    assert_eq!(count, 1);
    // The reply lost and the conversation unreadable after it (the read before the send
    // worked): unknown, never "not sent", and not sent again.
    common::set_faults(&rig.sandbox, "send_message:reset*1,timeline:status=404*1+1").await;
    let error = rig.call(send(&key, text("e agora?"))).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::OutcomeUnknown, "{error}");
    assert_eq!(rig.sends().await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_from_the_server_is_kept_as_such() {
    let mut rig = rig().await;
    let key = rig.chat(true).await;
    let quoting = Outgoing::Text {
        body: "Sobre isso".to_owned(),
        reply_to: Some("wamid.nowhere".to_owned()),
    };
    let error = rig.call(send(&key, quoting)).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Refused);
    assert!(
        error
            .reply()
            .unwrap()
            .fields
            .contains_key("reference_wamid"),
        "{error}"
    );
    assert_eq!(rig.sends().await, 1);
}
