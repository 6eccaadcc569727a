//! The Agilize client: the room update, the one room endpoint the docs give.

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::api::agilize::wire::Room;
use crate::api::error::ApiError;
use crate::api::http::{self, BaseUrlError, Http, Retry, Timeouts};
use crate::api::wegly::Fetched;

/// Agilize's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.agilize.app";

/// How to reach one Agilize account.
#[derive(Debug, Clone)]
pub struct AgilizeConfig {
    /// Base URL.
    pub base_url: String,
    /// The integration key, sent as `x-api-key`.
    pub key: SecretString,
    /// Limits.
    pub timeouts: Timeouts,
}

/// An Agilize client. The key never leaves it except in its header.
#[derive(Clone)]
pub struct AgilizeClient {
    http: Http,
    key: SecretString,
}

impl std::fmt::Debug for AgilizeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgilizeClient")
            .field("base", &self.http.base())
            .field("key", &"[redacted]")
            .finish()
    }
}

/// Percent-encodes an opaque id for a path segment.
fn path_segment(id: &str) -> String {
    id.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl AgilizeClient {
    /// Builds a client after checking the base URL.
    pub fn new(config: AgilizeConfig) -> Result<Self, BaseUrlError> {
        Ok(Self {
            http: Http::new(&config.base_url, config.timeouts)?,
            key: config.key,
        })
    }

    /// `PATCH /messenger/chat/room/{_id}` with any subset of the room's fields. The docs do not
    /// show the reply's body: when it is the room, it comes back decoded; when it is empty,
    /// `None`, and the caller applies the patch to what it knew; anything else is an
    /// unexpected reply whose outcome is unknown.
    pub async fn update_room(
        &self,
        id: &str,
        patch: &Value,
    ) -> Result<Fetched<Option<Room>>, ApiError> {
        let url = self
            .http
            .url(&format!("/messenger/chat/room/{}", path_segment(id)));
        let body = serde_json::to_vec(patch).unwrap_or_else(|_| b"{}".to_vec());
        let reply = self
            .http
            .execute(&url, Retry::Write, |client| {
                client
                    .request(Method::PATCH, &url)
                    .header("x-api-key", self.key.expose_secret())
                    .header(reqwest::header::ACCEPT, "application/json")
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone())
            })
            .await?;
        let value: Value = if reply.body.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            http::decode(&reply, &url)?
        };
        let unexpected = |detail: String| ApiError::Unexpected {
            status: reply.status,
            url: url.clone(),
            detail,
            excerpt: http::excerpt(&reply.body),
        };
        // The docs promise 200 for success and show no body: an empty one is that success, a
        // room is shown, and anything else (another object, wrong types) leaves the outcome
        // unknown, since no endpoint can re-read a room.
        let room = match value {
            Value::Null => None,
            room if room.get("_id").is_some() => Some(
                serde_json::from_value::<Room>(room)
                    .map_err(|error| unexpected(error.to_string()))?,
            ),
            _ => return Err(unexpected("the reply is not a room".to_owned())),
        };
        Ok(Fetched {
            value: room,
            status: reply.status,
            raw: reply.body,
        })
    }
}
