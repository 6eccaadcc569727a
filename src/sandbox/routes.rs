//! The Wegly API routes of the sandbox, with bearer auth, `allowed_domain` and fault injection.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{MatchedPath, Path, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::api::wegly::client::API_PREFIX;
use crate::api::wegly::limits::{MAX_TIMELINE_PAGE_SIZE, TIMELINE_PAGE_SIZE};
use crate::sandbox::Shared;
use crate::sandbox::error::SandboxError;
use crate::sandbox::faults::{self, FaultKind};
use crate::sandbox::webhooks::MESSAGE_SENT;
use crate::sandbox::world::TimelinePaging;
use crate::webhook::signature::constant_time_eq;

/// The API router: every Wegly route the console and the CLI use.
pub fn router(shared: Arc<Shared>) -> Router {
    let chats = format!("{API_PREFIX}/chats");
    Router::new()
        .route(&chats, post(create_chat))
        .route(
            &format!("{chats}/notifications/unread"),
            get(unread_summary),
        )
        .route(&format!("{chats}/{{id}}"), get(get_chat))
        .route(
            &format!("{chats}/{{id}}/responsible"),
            patch(update_responsible),
        )
        .route(
            &format!("{chats}/{{id}}/participants/{{user_id}}"),
            delete(remove_participant),
        )
        .route(&format!("{chats}/{{id}}/timeline"), get(timeline))
        .route(&format!("{chats}/{{id}}/messages"), post(send_message))
        .route_layer(middleware::from_fn_with_state(
            shared.clone(),
            inject_faults,
        ))
        .route_layer(middleware::from_fn_with_state(
            shared.clone(),
            require_bearer,
        ))
        .with_state(shared)
}

/// The Agilize route: the room update, with `x-api-key` auth and the same fault injection.
pub fn agilize_router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/messenger/chat/room/{id}", patch(update_room))
        .route_layer(middleware::from_fn_with_state(
            shared.clone(),
            inject_faults,
        ))
        .route_layer(middleware::from_fn_with_state(
            shared.clone(),
            require_api_key,
        ))
        .with_state(shared)
}

/// `x-api-key` check (401 "not authenticated", as Agilize documents).
async fn require_api_key(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let given = request
        .headers()
        .get("x-api-key")
        .and_then(|value| value.to_str().ok());
    match given {
        Some(key)
            if constant_time_eq(
                key.trim().as_bytes(),
                shared.agilize_key.expose_secret().as_bytes(),
            ) =>
        {
            next.run(request).await
        }
        Some(_) => SandboxError::new(
            StatusCode::UNAUTHORIZED,
            "not_authenticated",
            "the x-api-key is not valid",
        )
        .into_response(),
        None => SandboxError::new(
            StatusCode::UNAUTHORIZED,
            "not_authenticated",
            "send the integration key in the x-api-key header",
        )
        .into_response(),
    }
}

async fn update_room(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result = json_body(body).and_then(|patch| shared.rooms().update(&id, &patch, shared.now()));
    match result {
        Ok(room) => {
            shared.announce_room(&room);
            Json(room).into_response()
        }
        Err(error) => error.into_response(),
    }
}

/// The name fault rules and request counters use for a matched route.
fn route_name(method: &Method, path: &str) -> &'static str {
    let tail = path.strip_prefix(API_PREFIX).unwrap_or(path);
    match (method.as_str(), tail) {
        ("POST", "/chats") => "create_chat",
        ("GET", "/chats/notifications/unread") => "unread",
        ("GET", "/chats/{id}") => "get_chat",
        ("PATCH", "/chats/{id}/responsible") => "responsible",
        ("DELETE", "/chats/{id}/participants/{user_id}") => "remove_participant",
        ("GET", "/chats/{id}/timeline") => "timeline",
        ("POST", "/chats/{id}/messages") => "send_message",
        ("PATCH", "/messenger/chat/room/{id}") => "room_update",
        _ => "other",
    }
}

/// Bearer token check (401), then the key's `allowed_domain` against Origin or Referer (403).
async fn require_bearer(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    if let Err(error) = check_bearer(&shared, request.headers()) {
        return error.into_response();
    }
    if let Some(domain) = &shared.allowed_domain
        && let Err(error) = check_origin(domain, request.headers())
    {
        return error.into_response();
    }
    next.run(request).await
}

/// Token check shared with the admin routes.
pub(crate) fn check_bearer(shared: &Shared, headers: &HeaderMap) -> Result<(), SandboxError> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
        });
    match given {
        None => Err(SandboxError::new(
            StatusCode::UNAUTHORIZED,
            "missing_token",
            "send the integration token as 'Authorization: Bearer <token>'",
        )),
        Some(token)
            if constant_time_eq(
                token.trim().as_bytes(),
                shared.token.expose_secret().as_bytes(),
            ) =>
        {
            Ok(())
        }
        Some(_) => Err(SandboxError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "the integration token is not valid or has expired",
        )),
    }
}

fn check_origin(domain: &str, headers: &HeaderMap) -> Result<(), SandboxError> {
    let source = [header::ORIGIN, header::REFERER]
        .iter()
        .find_map(|name| headers.get(name).and_then(|value| value.to_str().ok()));
    let Some(source) = source else {
        return Err(SandboxError::new(
            StatusCode::FORBIDDEN,
            "allowed_domain",
            format!("this key only accepts requests from '{domain}': send an Origin header"),
        ));
    };
    let host = reqwest::Url::parse(source)
        .ok()
        .and_then(|url| url.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default();
    let domain = domain.to_ascii_lowercase();
    if host == domain || host.ends_with(&format!(".{domain}")) {
        Ok(())
    } else {
        Err(SandboxError::new(
            StatusCode::FORBIDDEN,
            "allowed_domain",
            format!("origin '{source}' does not match this key's allowed domain '{domain}'"),
        ))
    }
}

async fn inject_faults(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map(|matched| matched.as_str().to_owned())
        .unwrap_or_default();
    let route = route_name(request.method(), &path);
    shared.count_request(route);
    let _serving = shared.serving();
    let fault = faults::pick(&mut shared.faults(), route);
    let Some(fault) = fault else {
        return next.run(request).await;
    };
    tracing::debug!(route, ?fault, "injecting fault");
    match fault {
        FaultKind::Latency(after) => {
            tokio::time::sleep(after).await;
            next.run(request).await
        }
        FaultKind::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let body = json!({"error": "injected_fault", "message": format!("sandbox fault: HTTP {code}"), "fields": {}});
            (status, Json(body)).into_response()
        }
        FaultKind::RateLimit(secs) => {
            let body =
                json!({"error": "rate_limited", "message": "too many requests", "fields": {}});
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, secs.to_string())],
                Json(body),
            )
                .into_response()
        }
        FaultKind::Malformed => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        )
            .into_response(),
        FaultKind::WrongTypes => {
            let body = json!({"id": 42, "unread_count": "muitas", "participants": "ninguém", "total": "?", "records": 7});
            (StatusCode::OK, Json(body)).into_response()
        }
        FaultKind::Truncated => {
            let response = next.run(request).await;
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let cut = bytes.slice(..bytes.len() / 2);
            let mut response = Response::from_parts(parts, Body::from(cut));
            response.headers_mut().remove(header::CONTENT_LENGTH);
            response
        }
        FaultKind::Reset => {
            // The server acts, then the reply is lost: headers go out, then the body stream
            // fails and hyper aborts the connection. This is the case a client cannot tell
            // from a failure without re-reading.
            let acted = next.run(request).await;
            drop(acted);
            let broken = futures_util::stream::once(async {
                tokio::time::sleep(Duration::from_millis(5)).await;
                Err::<Bytes, std::io::Error>(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "sandbox fault: reset",
                ))
            });
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from_stream(broken))
                .unwrap_or_default()
        }
    }
}

/// Reads a JSON body: 413 past the limit, 400 for anything that is not JSON.
pub(crate) fn json_body(body: Result<Bytes, BytesRejection>) -> Result<Value, SandboxError> {
    let bytes = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            SandboxError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "the body is larger than 1 MiB",
            )
        } else {
            SandboxError::new(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                rejection.body_text(),
            )
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|error| {
        SandboxError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("the body is not valid JSON: {error}"),
        )
    })
}

async fn create_chat(
    State(shared): State<Arc<Shared>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result = json_body(body).and_then(|body| shared.world().create_chat(&body, shared.now()));
    match result {
        Ok((outcome, created)) => {
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            if let Some(message) = &outcome.message {
                shared.announce(MESSAGE_SENT, &outcome.chat, message);
            }
            (status, Json(outcome.chat)).into_response()
        }
        Err(error) => error.into_response(),
    }
}

async fn get_chat(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    reply(shared.world().get_chat(&id))
}

async fn update_responsible(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    reply(
        json_body(body)
            .and_then(|body| shared.world().update_responsible(&id, &body, shared.now())),
    )
}

async fn remove_participant(
    State(shared): State<Arc<Shared>>,
    Path((id, user)): Path<(String, String)>,
) -> Response {
    reply(shared.world().remove_participant(&id, &user, shared.now()))
}

/// A timeline request's paging, as given (`?page=N&limit=M`), read by [`timeline_paging`].
#[derive(Debug, serde::Deserialize)]
struct TimelineQuery {
    page: Option<String>,
    limit: Option<String>,
}

/// `page` (1-based, 1 the newest) and `limit` (events per page), or none for the whole timeline;
/// a value that is no positive number, or a limit over the largest, is a 422 that names it.
fn timeline_paging(query: &TimelineQuery) -> Result<Option<TimelinePaging>, SandboxError> {
    let number = |name: &str, value: &Option<String>, max: usize| match value {
        None => Ok(None),
        Some(text) => match text.trim().parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(Some(n)),
            _ => Err(SandboxError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                name,
                format!("{name} must be a whole number from 1 to {max}; got '{text}'"),
            )),
        },
    };
    let page = number("page", &query.page, usize::MAX)?;
    let limit = number("limit", &query.limit, MAX_TIMELINE_PAGE_SIZE)?;
    Ok(match (page, limit) {
        (None, None) => None,
        (page, limit) => Some(TimelinePaging {
            page: page.unwrap_or(1),
            limit: limit.unwrap_or(TIMELINE_PAGE_SIZE),
        }),
    })
}

async fn timeline(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Query(query): Query<TimelineQuery>,
) -> Response {
    reply(timeline_paging(&query).and_then(|paging| shared.world().timeline(&id, paging)))
}

async fn unread_summary(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.world().unread_summary()).into_response()
}

async fn send_message(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result =
        json_body(body).and_then(|body| shared.world().send_message(&id, &body, shared.now()));
    match result {
        Ok(outcome) => {
            let Some(message) = outcome.message else {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            };
            shared.announce(MESSAGE_SENT, &outcome.chat, &message);
            let page = json!({"total": 1, "records": [message]});
            (StatusCode::CREATED, Json(page)).into_response()
        }
        Err(error) => error.into_response(),
    }
}

fn reply<T: serde::Serialize>(result: Result<T, SandboxError>) -> Response {
    match result {
        Ok(value) => Json(value).into_response(),
        Err(error) => error.into_response(),
    }
}
