//! Admin routes under `/_sandbox/`: what the documented API cannot list (users, lines, chats),
//! simulated customers, fault control and counters. Same bearer token as the API.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::sandbox::Shared;
use crate::sandbox::error::SandboxError;
use crate::sandbox::faults;
use crate::sandbox::routes::{check_bearer, json_body};
use crate::sandbox::webhooks::MESSAGE_RECEIVED;

/// The admin router.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/_sandbox/users", get(users))
        .route("/_sandbox/lines", get(lines))
        .route("/_sandbox/chats", get(chats))
        .route("/_sandbox/rooms", get(rooms))
        .route("/_sandbox/inbound", post(inbound))
        .route(
            "/_sandbox/faults",
            get(list_faults).post(set_faults).delete(clear_faults),
        )
        .route("/_sandbox/requests", get(requests))
        .route("/_sandbox/webhooks", get(webhooks))
        .route_layer(middleware::from_fn_with_state(
            shared.clone(),
            require_token,
        ))
        .with_state(shared)
}

async fn require_token(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    match check_bearer(&shared, request.headers()) {
        Ok(()) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}

async fn users(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let world = shared.world();
    let users: Vec<Value> = world
        .users()
        .iter()
        .map(|user| json!({"user_id": user.user_id, "agent_id": user.agent_id, "name": user.name, "status": user.status}))
        .collect();
    Json(Value::Array(users))
}

async fn lines(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let world = shared.world();
    let lines: Vec<Value> = world
        .lines()
        .iter()
        .map(|line| {
            json!({"id": line.id, "display_number": line.display_number, "raw_number": line.raw_number,
                   "phone_number_id": line.phone_number_id})
        })
        .collect();
    Json(Value::Array(lines))
}

/// Every Agilize room, and the users, departments and tags they refer to.
async fn rooms(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let rooms = shared.rooms();
    let mut listing = rooms.directory.clone();
    if let Value::Object(map) = &mut listing {
        map.insert(
            "rooms".to_owned(),
            serde_json::to_value(rooms.all()).unwrap_or(Value::Null),
        );
    }
    Json(listing)
}

async fn chats(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.world().chat_index()).into_response()
}

/// `{"chat_id", "body"}`: a customer writes.
async fn inbound(
    State(shared): State<Arc<Shared>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result = json_body(body).and_then(|body| {
        let chat_id = body
            .get("chat_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let text = body
            .get("body")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        shared.world().inbound(&chat_id, &text, shared.now())
    });
    match result {
        Ok(outcome) => {
            if let Some(message) = &outcome.message {
                shared.announce(MESSAGE_RECEIVED, &outcome.chat, message);
            }
            Json(outcome.chat).into_response()
        }
        Err(error) => error.into_response(),
    }
}

fn fault_listing(shared: &Shared) -> Value {
    let rules = shared.faults().clone();
    let spec = rules
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    json!({"spec": spec, "rules": rules})
}

async fn list_faults(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(fault_listing(&shared))
}

/// `{"spec": "get_chat:status=503@0.5"}` replaces every rule; an empty spec clears them.
async fn set_faults(
    State(shared): State<Arc<Shared>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match json_body(body) {
        Ok(body) => body,
        Err(error) => return error.into_response(),
    };
    let Some(spec) = body.get("spec").and_then(Value::as_str) else {
        return SandboxError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "spec",
            "is required (a string)",
        )
        .into_response();
    };
    match faults::parse_spec(spec) {
        Ok(rules) => {
            *shared.faults() = rules;
            Json(fault_listing(&shared)).into_response()
        }
        Err(problem) => SandboxError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_fault_spec",
            "spec",
            problem,
        )
        .into_response(),
    }
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> Json<Value> {
    shared.faults().clear();
    Json(fault_listing(&shared))
}

async fn requests(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(json!(shared.request_counts()))
}

async fn webhooks(State(shared): State<Arc<Shared>>) -> Json<Value> {
    match &shared.webhooks {
        Some(sender) => Json(json!({"enabled": true, "counts": sender.stats().counts()})),
        None => Json(json!({"enabled": false})),
    }
}
