//! The Wegly client: one async function per endpoint the console and the CLI use.

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::api::error::ApiError;
use crate::api::http::{self, BaseUrlError, Http, RawReply, Retry, Timeouts};
use crate::api::wegly::messages::SendMessageRequest;
use crate::api::wegly::wire::{
    Chat, CreateChatRequest, Message, Page, TimelineEvent, UnreadSummary, UpdateResponsibleRequest,
};

/// Wegly's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.wegly.com.br";
/// Every documented route sits under this prefix.
pub const API_PREFIX: &str = "/integrations/external";

/// How to reach one Wegly account.
#[derive(Debug, Clone)]
pub struct WeglyConfig {
    /// Base URL (`https://api.wegly.com.br` or a sandbox).
    pub base_url: String,
    /// The integration token, sent as `Authorization: Bearer`.
    pub token: SecretString,
    /// Sent as `Origin` for keys restricted by `allowed_domain`.
    pub origin: Option<String>,
    /// Connection and request limits.
    pub timeouts: Timeouts,
}

/// A decoded reply together with the exact bytes the server sent.
#[derive(Debug, Clone)]
pub struct Fetched<T> {
    /// The decoded value.
    pub value: T,
    /// HTTP status (2xx): create answers 201 for a new chat and 200 for a reused one.
    pub status: u16,
    /// The body as received, printed verbatim by `--json`.
    pub raw: bytes::Bytes,
}

/// A Wegly API client. Cheap to clone; the token never leaves it except in the header.
#[derive(Clone)]
pub struct WeglyClient {
    http: Http,
    token: SecretString,
    origin: Option<String>,
}

impl std::fmt::Debug for WeglyClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeglyClient")
            .field("base", &self.http.base())
            .field("token", &"[redacted]")
            .field("origin", &self.origin)
            .finish()
    }
}

impl WeglyClient {
    /// Builds a client after checking the base URL.
    pub fn new(config: WeglyConfig) -> Result<Self, BaseUrlError> {
        Ok(Self {
            http: Http::new(&config.base_url, config.timeouts)?,
            token: config.token,
            origin: config.origin,
        })
    }

    /// The base URL in use.
    pub fn base_url(&self) -> &str {
        self.http.base()
    }

    /// `GET /chats/{id}`: the full detail.
    pub async fn get_chat(&self, chat: Uuid) -> Result<Fetched<Chat>, ApiError> {
        self.call(Method::GET, &format!("/chats/{chat}"), None, Retry::Read)
            .await
    }

    /// `POST /chats`: opens a chat with a template, or reuses the contact's existing one.
    pub async fn create_chat(
        &self,
        request: &CreateChatRequest,
    ) -> Result<Fetched<Chat>, ApiError> {
        let body = to_body(request);
        self.call(Method::POST, "/chats", Some(body), Retry::Write)
            .await
    }

    /// `PATCH /chats/{id}/responsible`: `user_id` is the **user** id, not the agent id.
    pub async fn update_responsible(
        &self,
        chat: Uuid,
        request: &UpdateResponsibleRequest,
    ) -> Result<Fetched<Chat>, ApiError> {
        let body = to_body(request);
        self.call(
            Method::PATCH,
            &format!("/chats/{chat}/responsible"),
            Some(body),
            Retry::Write,
        )
        .await
    }

    /// `DELETE /chats/{id}/participants/{userId}`: `user` is the **user** id.
    pub async fn remove_participant(
        &self,
        chat: Uuid,
        user: Uuid,
    ) -> Result<Fetched<Chat>, ApiError> {
        self.call(
            Method::DELETE,
            &format!("/chats/{chat}/participants/{user}"),
            None,
            Retry::Write,
        )
        .await
    }

    /// `GET /chats/{id}/timeline`.
    pub async fn timeline(&self, chat: Uuid) -> Result<Fetched<Page<TimelineEvent>>, ApiError> {
        self.call(
            Method::GET,
            &format!("/chats/{chat}/timeline"),
            None,
            Retry::Read,
        )
        .await
    }

    /// `GET /chats/{id}/timeline?page=N&limit=M`: one page, 1 the newest (the paging balcão
    /// chose, see ARCHITECTURE.md; a server that ignores it sends every event).
    pub async fn timeline_page(
        &self,
        chat: Uuid,
        page: u32,
        limit: usize,
    ) -> Result<Fetched<Page<TimelineEvent>>, ApiError> {
        self.call(
            Method::GET,
            &format!("/chats/{chat}/timeline?page={page}&limit={limit}"),
            None,
            Retry::Read,
        )
        .await
    }

    /// `GET /chats/notifications/unread`.
    pub async fn unread_summary(&self) -> Result<Fetched<UnreadSummary>, ApiError> {
        self.call(
            Method::GET,
            "/chats/notifications/unread",
            None,
            Retry::Read,
        )
        .await
    }

    /// `POST /chats/{id}/messages`: a text or template message. Never retried: a lost reply is
    /// verified by the caller against the re-read timeline.
    pub async fn send_message(
        &self,
        chat: Uuid,
        request: &SendMessageRequest,
    ) -> Result<Fetched<Page<Message>>, ApiError> {
        let body = to_body(request);
        self.call(
            Method::POST,
            &format!("/chats/{chat}/messages"),
            Some(body),
            Retry::Write,
        )
        .await
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        retry: Retry,
    ) -> Result<Fetched<T>, ApiError> {
        let url = self.http.url(&format!("{API_PREFIX}{path}"));
        let reply: RawReply = self
            .http
            .execute(&url, retry, |client| {
                let mut request = client
                    .request(method.clone(), &url)
                    .bearer_auth(self.token.expose_secret())
                    .header(reqwest::header::ACCEPT, "application/json");
                if let Some(origin) = &self.origin {
                    request = request.header(reqwest::header::ORIGIN, origin);
                }
                if let Some(body) = &body {
                    request = request
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(body.clone());
                }
                request
            })
            .await?;
        let value = http::decode(&reply, &url)?;
        Ok(Fetched {
            value,
            status: reply.status,
            raw: reply.body,
        })
    }
}

/// Request bodies are plain structs of strings and numbers; serializing them cannot fail, and
/// an empty object would be refused by the server with a clear message if it somehow did.
fn to_body<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec())
}
