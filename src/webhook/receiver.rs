//! The webhook receiver: verifies, records and announces each event, and replies at once;
//! fetching the chat happens afterwards, in the hydrator.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::header::CONNECTION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use chrono::Utc;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use tokio::sync::{Notify, broadcast};

use crate::api::wegly::wire::Chat;
use crate::store::{ChatKey, Columns, Provider, Store, WebhookOutcome, WebhookRecord};
use crate::webhook::limits::{BodyReader, Received, ReceiverLimits, Unfinished};
use crate::webhook::signature::{EVENT_HEADER, SIGNATURE_HEADER, digest_hex, verify};

pub use crate::webhook::limits::MAX_BODY_BYTES;

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

/// What every handler shares: the receiver and the body reader with its memory budget.
#[derive(Clone)]
struct Shared {
    receiver: Arc<ReceiverState>,
    bodies: BodyReader,
}

/// The receiver's routes (`POST /webhooks/wegly`, `POST /webhooks/agilize/{token}`), reading
/// bodies within `limits`; [`crate::webhook::serve::serve`] adds the connection limits.
pub fn router_with(state: Arc<ReceiverState>, limits: &ReceiverLimits) -> Router {
    Router::new()
        .route("/webhooks/wegly", post(wegly))
        .route("/webhooks/agilize/{token}", post(agilize))
        .with_state(Shared {
            receiver: state,
            bodies: BodyReader::new(limits),
        })
}

/// A refusal for a body that was not read to its end, with what was read.
fn unfinished_verdict(unfinished: &Unfinished, received: usize) -> (StatusCode, String) {
    match unfinished {
        Unfinished::TooLarge {
            declared: Some(declared),
        } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("body larger than 1 MiB (Content-Length {declared})"),
        ),
        Unfinished::TooLarge { declared: None } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("body larger than 1 MiB (stopped reading after {received} bytes)"),
        ),
        Unfinished::TimedOut(limit) => (
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "body not received within {}s (got {received} bytes); [receiver] body_timeout_secs sets the limit",
                limit.as_secs()
            ),
        ),
        Unfinished::Broken(error) => (
            StatusCode::BAD_REQUEST,
            format!("body not received whole (got {received} bytes): {error}"),
        ),
    }
}

/// A reply; when the body was not read to its end the connection is closed after it, since
/// what remains of the body cannot be told apart from a next request.
fn reply(status: StatusCode, body: &Value, read_whole: bool) -> Response {
    let mut response = (status, Json(body)).into_response();
    if !read_whole {
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
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

/// The `x-wegly-event` header, when it is there and readable: recorded even on a refusal.
fn event_header(headers: &HeaderMap) -> Option<String> {
    headers
        .get(EVENT_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn judge(state: &ReceiverState, headers: &HeaderMap, body: &[u8]) -> Verdict {
    let header_key = event_header(headers);
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
        .map(|chat| Columns::from(&chat));
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
    State(shared): State<Shared>,
    axum::extract::Path(token): axum::extract::Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let state = &shared.receiver;
    let Some(account) = state.agilize_account.clone() else {
        return reply(
            StatusCode::NOT_FOUND,
            &json!({"status": "refused", "reason": "no Agilize account is configured"}),
            false,
        );
    };
    let Received {
        bytes: body,
        unfinished,
        memory,
    } = shared.bodies.read(&headers, body).await;
    let read_whole = unfinished.is_none();
    let token_ok = crate::webhook::signature::constant_time_eq(
        token.as_bytes(),
        state.secret.expose_secret().as_bytes(),
    );
    let verdict: Result<(ChatKey, Columns), (StatusCode, String)> =
        if let Some(unfinished) = &unfinished {
            Err(unfinished_verdict(unfinished, body.len()))
        } else if !token_ok {
            Err((
                StatusCode::UNAUTHORIZED,
                "the token in the URL does not match the webhook secret".to_owned(),
            ))
        } else {
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
                    Some(id) => Ok((ChatKey::agilize(&account, &id), Columns::from(&room))),
                },
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
        body_size: body.len() as u64,
        raw_body: body,
        body_sha256: None,
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
    let saved = tokio::task::spawn_blocking(move || {
        record.body_sha256 = digest_hex(&record.raw_body);
        // A copy of a delivery already applied changes nothing and is not recorded again.
        if store.webhook_recorded(&record)? {
            drop((record, memory));
            return Ok(());
        }
        if let Ok((key, columns)) = &verdict {
            let raw = String::from_utf8_lossy(&record.raw_body).into_owned();
            store.note_chat(key, crate::store::Source::Webhook, record.received_at)?;
            // A room event after a change (assignment, tags) is not a message: the last
            // message keeps its own time.
            store.save_room(key, &raw, columns, record.received_at)?;
        }
        let stored = store.record_webhook(&record);
        // The body's share of the memory budget is free once it is stored.
        drop((record, memory));
        stored
    })
    .await;
    if !matches!(saved, Ok(Ok(()))) {
        return reply(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({"status": "refused", "reason": "index unavailable"}),
            read_whole,
        );
    }
    if let Some(key) = accepted {
        // No console listening (`balcao listen`) is fine: the index is the output.
        if state.events.send(InboxEvent::ChatHydrated(key)).is_err() {
            tracing::trace!("no listener for room events");
        }
        return reply(status, &json!({"status": "accepted"}), read_whole);
    }
    reply(status, &json!({"status": "refused"}), read_whole)
}

async fn wegly(State(shared): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    let state = &shared.receiver;
    let Received {
        bytes: body,
        unfinished,
        memory,
    } = shared.bodies.read(&headers, body).await;
    let read_whole = unfinished.is_none();
    let verdict = match &unfinished {
        None => judge(state, &headers, &body),
        Some(unfinished) => {
            let (status, reason) = unfinished_verdict(unfinished, body.len());
            Verdict::refused(status, reason, event_header(&headers))
        }
    };
    let mut record = WebhookRecord {
        received_at: Utc::now(),
        provider: Provider::Wegly,
        account: state.account.clone(),
        event_key: verdict.event_key.clone(),
        outcome: verdict.outcome,
        reason: verdict.reason.clone(),
        chat_id: verdict.chat.as_ref().map(|(key, _)| key.chat_id.clone()),
        body_size: body.len() as u64,
        raw_body: body,
        body_sha256: None,
    };
    let store = state.store.clone();
    let chat = verdict.chat.clone();
    let saved = tokio::task::spawn_blocking(move || {
        record.body_sha256 = digest_hex(&record.raw_body);
        // A copy of a delivery already applied (the CRM retrying, or a balancer sending it to
        // two receivers) would only ask for a fetch the chat already had: checked before the
        // chat is noted, which comes before the record, so a copy is only ever one whose chat
        // was noted.
        if store.webhook_recorded(&record)? {
            drop((record, memory));
            return Ok(());
        }
        if let Some((key, provisional)) = &chat {
            store.note_webhook(key, provisional.as_ref(), record.received_at)?;
        }
        let stored = store.record_webhook(&record);
        // The body's share of the memory budget is free once it is stored.
        drop((record, memory));
        stored
    })
    .await;
    match saved {
        Ok(Ok(())) => {}
        Ok(Err(error)) => {
            // The sender retries on 5xx, so nothing is lost while the index is busy.
            tracing::error!(%error, "webhook not stored");
            return reply(
                StatusCode::SERVICE_UNAVAILABLE,
                &json!({"error": "index_unavailable", "message": error.to_string()}),
                read_whole,
            );
        }
        Err(error) => {
            tracing::error!(%error, "webhook store task failed");
            return reply(StatusCode::INTERNAL_SERVER_ERROR, &Value::Null, read_whole);
        }
    }
    if let Some((key, _)) = verdict.chat {
        tracing::debug!(chat = %key.chat_id, "webhook accepted");
        // No console listening (`balcao listen`) is fine: the index is the output.
        if state.events.send(InboxEvent::ChatAnnounced(key)).is_err() {
            tracing::trace!("no listener for chat announcements");
        }
        state.wake.notify_one();
    } else if verdict.outcome == WebhookOutcome::Refused {
        tracing::warn!(
            reason = verdict.reason.as_deref().unwrap_or_default(),
            "webhook refused"
        );
    }
    reply(
        verdict.status,
        &json!({"status": verdict.outcome.as_str(), "reason": verdict.reason}),
        read_whole,
    )
}
