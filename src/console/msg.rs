//! What the reducer receives (`Msg`) and what it asks the runtime to do (`Command`).

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use crate::api::ApiError;
use crate::api::wegly::wire::{Chat, CreateChatRequest, UnreadSummary, UpdateResponsibleRequest};
use crate::console::action::Action;
use crate::store::{AuditEntry, ChatKey, ChatSummary};

/// Identifies one request to the API actor; minted by the state, increasing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// A call the actor makes.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiCall {
    /// Fetch a chat's detail (and store it).
    GetChat(ChatKey),
    /// Re-read the chat; if its responsible is still `expected`, write the new one.
    Reassign {
        /// The chat.
        key: ChatKey,
        /// The responsible's user id the user saw.
        expected: Option<String>,
        /// The body.
        request: UpdateResponsibleRequest,
    },
    /// Remove a participant (user id).
    RemoveParticipant {
        /// The chat.
        key: ChatKey,
        /// The participant's user id.
        user_id: String,
    },
    /// Open a chat with a template.
    CreateChat {
        /// Account to create it in.
        account: String,
        /// The body.
        request: CreateChatRequest,
    },
    /// Put a chat into the index by id and fetch it.
    AddChat(ChatKey),
    /// Background fetch of a chat the index is waiting on.
    Hydrate(ChatKey),
    /// Unread totals of an account.
    UnreadSummary(String),
}

/// A request with its id.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiRequest {
    /// Its id.
    pub id: RequestId,
    /// The call.
    pub call: ApiCall,
}

/// A chat as the actor hands it back: the detail and the stored row.
#[derive(Debug, Clone, PartialEq)]
pub struct Fresh {
    /// Which chat.
    pub key: ChatKey,
    /// The detail.
    pub chat: Box<Chat>,
    /// The index row after storing it.
    pub summary: Option<ChatSummary>,
}

/// What a call produced.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiReply {
    /// A fetched chat (get, add, hydrate).
    Chat(Fresh),
    /// The CRM no longer has the chat (404); it is flagged gone in the index.
    Gone(ChatKey, Option<ChatSummary>),
    /// The responsible was changed.
    Reassigned(Fresh),
    /// Not written: the responsible had changed since the user looked.
    ResponsibleChanged(Fresh),
    /// The participant was removed.
    ParticipantRemoved(Fresh),
    /// A chat was created (`true`) or the contact's existing one returned.
    Created(Fresh, bool),
    /// Unread totals.
    Unread(String, UnreadSummary),
}

/// The actor's answer to one request.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiEvent {
    /// The request it answers.
    pub id: RequestId,
    /// What happened.
    pub outcome: Result<ApiReply, ApiError>,
}

/// Everything `update` can receive.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// A key resolved to an action by the keymap.
    Action(Action),
    /// A key no binding claimed, for text fields.
    Input(KeyEvent),
    /// An answer from the API actor.
    Api(ApiEvent),
    /// The actor's queue was full; the request was not sent.
    ApiBusy(RequestId),
    /// Every row of the index, read at start.
    Rows(Vec<ChatSummary>),
    /// Reading the index failed.
    RowsFailed(String),
    /// One row changed in the index (webhook, fetch).
    RowChanged(ChatSummary),
    /// The stored detail of a chat, read from the index.
    CachedDetail {
        /// Which chat.
        key: ChatKey,
        /// The detail, if one is stored.
        chat: Option<Box<Chat>>,
        /// When it was fetched.
        as_of: Option<DateTime<Utc>>,
    },
    /// Time passed.
    Tick(DateTime<Utc>),
    /// The terminal's size.
    Resize(u16, u16),
}

/// Everything `update` can ask for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Send a request to the actor.
    Api(ApiRequest),
    /// Read a chat's stored detail.
    LoadCachedDetail(ChatKey),
    /// Append to the audit log.
    Audit(AuditEntry),
    /// Leave.
    Quit,
}
