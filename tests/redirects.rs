//! Credentials never follow a redirect to another origin: a base URL that answers 3xx towards a
//! second loopback server (another port, so another origin) must not deliver the token, the
//! Agilize key or a write's body there. Reads may follow a redirect within the same origin.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use balcao::api::agilize::{AgilizeClient, AgilizeConfig};
use balcao::api::http::Timeouts;
use balcao::api::wegly::wire::{CreateChatRequest, UpdateResponsibleRequest};
use balcao::api::{ApiError, ErrorKind};
use balcao::i18n::Lang;
use secrecy::SecretString;
use serde_json::json;
use uuid::Uuid;

/// What reached the other origin: method, path, headers and body of each request.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// A server that records everything and answers 200 with a chat.
async fn elsewhere() -> (String, Log) {
    async fn record(
        State(log): State<Log>,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        log.lock().unwrap().push(Seen {
            method,
            path: uri.path().to_owned(),
            headers,
            body,
        });
        (StatusCode::OK, chat_detail()).into_response()
    }
    let log = Log::default();
    let app = Router::new().fallback(record).with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, log)
}

fn chat_detail() -> String {
    std::fs::read_to_string(
        common::shared_dir().join("fixtures/api-samples/wegly-chat-detail.json"),
    )
    .unwrap()
}

/// A base URL whose every route answers `status` towards `target` + the same path; `/moved/...`
/// (its own origin) answers the chat.
async fn redirector(status: StatusCode, target: Option<String>) -> String {
    async fn answer(
        State((status, target, own)): State<(StatusCode, Option<String>, String)>,
        uri: Uri,
    ) -> Response {
        if uri.path().starts_with("/moved/") {
            return (StatusCode::OK, chat_detail()).into_response();
        }
        let base = target.unwrap_or(own);
        let location = format!("{base}{}", uri.path());
        (status, [("location", location)], "moved").into_response()
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let own = format!("http://{}/moved", listener.local_addr().unwrap());
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new()
        .fallback(answer)
        .with_state((status, target, own));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn wegly(base: &str) -> balcao::api::wegly::WeglyClient {
    common::client_with(base, common::TOKEN, None, Duration::from_secs(5))
}

fn agilize(base: &str) -> AgilizeClient {
    AgilizeClient::new(AgilizeConfig {
        base_url: base.to_owned(),
        key: SecretString::from(common::AGILIZE_KEY.to_owned()),
        timeouts: Timeouts::default(),
    })
    .unwrap()
}

fn assert_refused(error: &ApiError, other: &str) {
    assert_eq!(error.kind(), ErrorKind::Redirected, "{error:?}");
    let message = error.user_message(Lang::En);
    assert!(message.contains(other), "names the target: {message}");
    assert!(message.contains("nothing was sent there"), "{message}");
    assert!(!message.contains(common::TOKEN) && !message.contains(common::AGILIZE_KEY));
    assert!(
        !error.outcome_unknown(),
        "a refused redirect is a known outcome"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_of_any_method_reaches_another_origin() {
    let chat = Uuid::new_v4();
    let user = Uuid::new_v4();
    for status in [
        StatusCode::MOVED_PERMANENTLY,
        StatusCode::FOUND,
        StatusCode::SEE_OTHER,
        StatusCode::TEMPORARY_REDIRECT,
        StatusCode::PERMANENT_REDIRECT,
    ] {
        let (other, log) = elsewhere().await;
        let base = redirector(status, Some(other.clone())).await;
        let client = wegly(&base);
        let read = client.get_chat(chat).await.unwrap_err();
        assert_refused(&read, &other);
        let reassign = client
            .update_responsible(
                chat,
                &UpdateResponsibleRequest {
                    user_id: user.to_string(),
                    update_chat: true,
                    update_leads: false,
                    update_deals: false,
                },
            )
            .await
            .unwrap_err();
        assert_refused(&reassign, &other);
        let remove = client.remove_participant(chat, user).await.unwrap_err();
        assert_refused(&remove, &other);
        let request: CreateChatRequest = serde_json::from_str(
            &std::fs::read_to_string(
                common::shared_dir().join("fixtures/api-samples/req-wegly-create-chat.json"),
            )
            .unwrap(),
        )
        .unwrap();
        let create = client.create_chat(&request).await.unwrap_err();
        assert_refused(&create, &other);
        let room = agilize(&base)
            .update_room("room-1", &json!({"status": "concluded"}))
            .await
            .unwrap_err();
        assert_refused(&room, &other);
        let seen = log.lock().unwrap().clone();
        assert!(
            seen.is_empty(),
            "{status}: the other origin received {:?}",
            seen.iter()
                .map(|s| (
                    s.method.clone(),
                    s.path.clone(),
                    s.headers.clone(),
                    s.body.len()
                ))
                .collect::<Vec<_>>()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_follows_a_redirect_within_its_origin_and_a_write_does_not() {
    let base = redirector(StatusCode::TEMPORARY_REDIRECT, None).await;
    let client = wegly(&base);
    let chat = client.get_chat(Uuid::new_v4()).await.unwrap();
    assert!(chat.value.id.is_some());
    let write = client
        .remove_participant(Uuid::new_v4(), Uuid::new_v4())
        .await
        .unwrap_err();
    assert_eq!(write.kind(), ErrorKind::Redirected);
    assert!(
        write
            .user_message(Lang::En)
            .contains("no redirect for a write")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_the_same_host_on_another_port_is_another_origin() {
    let (other, log) = elsewhere().await;
    // Same host (127.0.0.1), another port: still another origin.
    assert!(other.starts_with("http://127.0.0.1:"));
    let base = redirector(StatusCode::FOUND, Some(other.clone())).await;
    let error = wegly(&base).timeline(Uuid::new_v4()).await.unwrap_err();
    assert_refused(&error, &other);
    assert!(log.lock().unwrap().is_empty());
}
