//! The webhook receiver: verifies, records and announces each event, and replies at once;
//! fetching the chat happens afterwards, in the hydrator.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use chrono::Utc;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use tokio::sync::{Notify, broadcast};

use crate::api::wegly::wire::Chat;
use crate::store::{ChatKey, Columns, Provider, Store, WebhookOutcome, WebhookRecord};
use crate::webhook::signature::{EVENT_HEADER, SIGNATURE_HEADER, verify};

/// Largest body accepted (413 beyond).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Something changed in the index; the console listens for these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboxEvent {
    /// A webhook named this chat (it is queued for a fetch).
    ChatAnnounced(ChatKey),
    /// A room event stored the room itself (Agilize rooms need no fetch).
    ChatHydrated(ChatKey),
}

/// What the receiver needs.
pub struct ReceiverState {
    /// The index.
    pub store: Arc<Store>,
    /// The Wegly account the events are for.
    pub account: String,
    /// The subscription secret.
    pub secret: SecretString,
    /// In-process listeners.
    pub events: broadcast::Sender<InboxEvent>,
    /// Wakes the hydrator.
    pub wake: Arc<Notify>,
    /// The Agilize account room events are for, when one is configured. Agilize signs nothing,
    /// so its URL carries the webhook secret: `/webhooks/agilize/{secret}`.
    pub agilize_account: Option<String>,
}

/// `POST /webhooks/wegly`.
pub fn router(state: Arc<ReceiverState>) -> Router {
    Router::new()
        .route("/webhooks/wegly", post(wegly))
        .route("/webhooks/agilize/{token}", post(agilize))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// Where Wegly chat events may carry the chat id, in the order they are tried.
const CHAT_ID_PATHS: &[&[&str]] = &[
    &["chat", "id"],
    &["chat_id"],
    &["message", "chat_id"],
    &["chat", "chat_id"],
];

fn chat_id_of(payload: &Value) -> Option<&str> {
    CHAT_ID_PATHS.iter().find_map(|path| {
        path.iter()
            .try_fold(payload, |value, key| value.get(key))
            .and_then(Value::as_str)
            .filter(|id| !id.trim().is_empty())
    })
}

struct Verdict {
    status: StatusCode,
    outcome: WebhookOutcome,
    reason: Option<String>,
    event_key: Option<String>,
    chat: Option<(ChatKey, Option<Columns>)>,
}

impl Verdict {
    fn refused(status: StatusCode, reason: impl Into<String>, event_key: Option<String>) -> Self {
        Self {
            status,
            outcome: WebhookOutcome::Refused,
            reason: Some(reason.into()),
            event_key,
            chat: None,
        }
    }
}

fn judge(state: &ReceiverState, headers: &HeaderMap, body: &[u8]) -> Verdict {
    let header_key = headers
        .get(EVENT_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Some(signature) = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()) else {
        return Verdict::refused(
            StatusCode::UNAUTHORIZED,
            "no x-wegly-signature header",
            header_key,
        );
    };
    if !verify(state.secret.expose_secret().as_bytes(), body, signature) {
        return Verdict::refused(
            StatusCode::UNAUTHORIZED,
            "x-wegly-signature does not match the body for the configured secret",
            header_key,
        );
    }
    let envelope: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => {
            return Verdict::refused(
                StatusCode::BAD_REQUEST,
                format!("body is not JSON: {error}"),
                header_key,
            );
        }
    };
    let envelope_key = envelope
        .get("event_key")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let event_key = match (&header_key, &envelope_key) {
        (Some(header), Some(inner)) if header != inner => {
            return Verdict::refused(
                StatusCode::BAD_REQUEST,
                format!("x-wegly-event '{header}' differs from event_key '{inner}'"),
                header_key,
            );
        }
        (Some(key), _) | (None, Some(key)) => key.clone(),
        (None, None) => {
            return Verdict::refused(
                StatusCode::BAD_REQUEST,
                "no event key (x-wegly-event or event_key)",
                None,
            );
        }
    };
    if !event_key.starts_with("chat.") {
        return Verdict {
            status: StatusCode::ACCEPTED,
            outcome: WebhookOutcome::Ignored,
            reason: Some(format!("'{event_key}' is not a chat event")),
            event_key: Some(event_key),
            chat: None,
        };
    }
    let payload = envelope.get("payload").unwrap_or(&Value::Null);
    let Some(chat_id) = chat_id_of(payload) else {
        return Verdict::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no chat id in the payload (looked at payload.chat.id, payload.chat_id, payload.message.chat_id)",
            Some(event_key),
        );
    };
    if uuid::Uuid::parse_str(chat_id).is_err() {
        return Verdict::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("chat id '{chat_id}' is not a UUID"),
            Some(event_key),
        );
    }
    // The payload's chat, when it is one, shows at once; the fetch that follows corrects it.
    let provisional = payload
        .get("chat")
        .filter(|chat| chat.get("status").is_some() || chat.get("last_message").is_some())
        .and_then(|chat| serde_json::from_value::<Chat>(chat.clone()).ok())
        .map(|chat| Columns::from_chat(&chat));
    Verdict {
        status: StatusCode::OK,
        outcome: WebhookOutcome::Accepted,
        reason: None,
        event_key: Some(event_key),
        chat: Some((ChatKey::wegly(&state.account, chat_id), provisional)),
    }
}

/// `POST /webhooks/agilize/{token}`: the body is the room itself (`messenger/chat/room/patch`).
/// Rooms have no read endpoint, so the room received is stored as the detail, "as of" now.
async fn agilize(
    State(state): State<Arc<ReceiverState>>,
    axum::extract::Path(token): axum::extract::Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Some(account) = state.agilize_account.clone() else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"status": "refused", "reason": "no Agilize account is configured"})),
        )
            .into_response();
    };
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            return (
                rejection.status(),
                Json(json!({"status": "refused", "reason": rejection.body_text()})),
            )
                .into_response();
        }
    };
    let mut record = WebhookRecord {
        received_at: Utc::now(),
        provider: Provider::Agilize,
        account: account.clone(),
        event_key: Some("messenger/chat/room/patch".to_owned()),
        outcome: WebhookOutcome::Refused,
        reason: None,
        chat_id: None,
        raw_body: body.to_vec(),
    };
    let token_ok = crate::webhook::signature::constant_time_eq(
        token.as_bytes(),
        state.secret.expose_secret().as_bytes(),
    );
    let verdict: Result<(ChatKey, Columns), (StatusCode, String)> = if token_ok {
        match serde_json::from_slice::<crate::api::agilize::wire::Room>(&body) {
            Err(error) => Err((
                StatusCode::BAD_REQUEST,
                format!("body is not a room: {error}"),
            )),
            Ok(room) => match room.id.clone().filter(|id| !id.trim().is_empty()) {
                None => Err((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "the room has no _id".to_owned(),
                )),
                Some(id) => Ok((ChatKey::agilize(&account, &id), Columns::from_room(&room))),
            },
        }
    } else {
        Err((
            StatusCode::UNAUTHORIZED,
            "the token in the URL does not match the webhook secret".to_owned(),
        ))
    };
    let (status, accepted) = match &verdict {
        Ok((key, _)) => {
            record.outcome = WebhookOutcome::Accepted;
            record.chat_id = Some(key.chat_id.clone());
            (StatusCode::OK, Some(key.clone()))
        }
        Err((status, reason)) => {
            record.reason = Some(reason.clone());
            (*status, None)
        }
    };
    let store = state.store.clone();
    let raw = String::from_utf8_lossy(&body).into_owned();
    let saved = tokio::task::spawn_blocking(move || {
        if let Ok((key, columns)) = &verdict {
            store.note_chat(key, crate::store::Source::Webhook, record.received_at)?;
            store.save_detail(key, &raw, columns, record.received_at)?;
        }
        store.record_webhook(&record)
    })
    .await;
    if !matches!(saved, Ok(Ok(()))) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "refused", "reason": "index unavailable"})),
        )
            .into_response();
    }
    if let Some(key) = accepted {
        let _ = state.events.send(InboxEvent::ChatHydrated(key));
        return (status, Json(json!({"status": "accepted"}))).into_response();
    }
    (status, Json(json!({"status": "refused"}))).into_response()
}

async fn wegly(
    State(state): State<Arc<ReceiverState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (verdict, body) = match body {
        Ok(body) => (judge(&state, &headers, &body), body),
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => (
            Verdict::refused(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body larger than 1 MiB",
                None,
            ),
            Bytes::new(),
        ),
        Err(rejection) => (
            Verdict::refused(StatusCode::BAD_REQUEST, rejection.body_text(), None),
            Bytes::new(),
        ),
    };
    let record = WebhookRecord {
        received_at: Utc::now(),
        provider: Provider::Wegly,
        account: state.account.clone(),
        event_key: verdict.event_key.clone(),
        outcome: verdict.outcome,
        reason: verdict.reason.clone(),
        chat_id: verdict.chat.as_ref().map(|(key, _)| key.chat_id.clone()),
        raw_body: body.to_vec(),
    };
    let store = state.store.clone();
    let chat = verdict.chat.clone();
    let saved = tokio::task::spawn_blocking(move || {
        if let Some((key, provisional)) = &chat {
            store.note_webhook(key, provisional.as_ref(), record.received_at)?;
        }
        store.record_webhook(&record)
    })
    .await;
    match saved {
        Ok(Ok(())) => {}
        Ok(Err(error)) => {
            // The sender retries on 5xx, so nothing is lost while the index is busy.
            tracing::error!(%error, "webhook not stored");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"error": "index_unavailable", "message": error.to_string()})),
            )
                .into_response();
        }
        Err(error) => {
            tracing::error!(%error, "webhook store task failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    if let Some((key, _)) = verdict.chat {
        tracing::debug!(chat = %key.chat_id, "webhook accepted");
        let _ = state.events.send(InboxEvent::ChatAnnounced(key));
        state.wake.notify_one();
    } else if verdict.outcome == WebhookOutcome::Refused {
        tracing::warn!(
            reason = verdict.reason.as_deref().unwrap_or_default(),
            "webhook refused"
        );
    }
    let status = match verdict.outcome {
        WebhookOutcome::Accepted => "accepted",
        WebhookOutcome::Ignored => "ignored",
        WebhookOutcome::Refused => "refused",
    };
    (
        verdict.status,
        Json(json!({"status": status, "reason": verdict.reason})),
    )
        .into_response()
}
