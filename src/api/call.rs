//! The actor's vocabulary: the calls it takes, the replies it gives, and what it owns to make
//! them. Shared by the actor, its reads and writes, the console and the scheduler.

use std::collections::HashMap;
use std::sync::Arc;

use crate::api::agilize::AgilizeClient;
use crate::api::change::{Change, NewConversation};
use crate::api::conversation::Conversation;
use crate::api::error::ApiError;
use crate::api::reply::Outgoing;
use crate::api::wegly::WeglyClient;
use crate::api::wegly::wire::TimelineEvent;
use crate::store::{ChatKey, ChatSummary, Store};

/// Identifies one request to the API actor; minted by the state, increasing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// A call the actor makes.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiCall {
    /// Fetch a conversation's detail (and store it).
    GetChat(ChatKey),
    /// Change a conversation.
    Change {
        /// Which one.
        key: ChatKey,
        /// What to change.
        change: Change,
    },
    /// Open a conversation with a template.
    CreateChat {
        /// Account to create it in.
        account: String,
        /// What to open.
        request: NewConversation,
    },
    /// Put a chat into the index by id and fetch it.
    AddChat(ChatKey),
    /// Background fetch of a chat the index is waiting on.
    Hydrate(ChatKey),
    /// Unread totals of an account.
    UnreadSummary(String),
    /// Send a message into a conversation (never retried once it may have reached the CRM).
    SendMessage {
        /// Which conversation.
        key: ChatKey,
        /// What to send.
        message: Outgoing,
    },
    /// One page of a chat's conversation (1: the newest), stored in the index as it comes.
    Timeline {
        /// Which chat.
        key: ChatKey,
        /// Which page, 1-based, 1 the newest.
        page: u32,
    },
}

/// A request with its id.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiRequest {
    /// Its id.
    pub id: RequestId,
    /// The call.
    pub call: ApiCall,
}

/// A conversation as the actor hands it back: as the CRM describes it, and its stored row.
#[derive(Debug, Clone, PartialEq)]
pub struct Fresh {
    /// Which conversation.
    pub key: ChatKey,
    /// Its detail.
    pub conversation: Conversation,
    /// The index row after storing it (`None` when the index did not take it).
    pub summary: Option<ChatSummary>,
}

/// A message the CRM took.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    /// The conversation.
    pub key: ChatKey,
    /// The new message's id.
    pub message_id: String,
    /// The reply was lost and the re-read conversation showed the message: sent, verified.
    pub verified: bool,
    /// The conversation re-read after sending (unread 0, the new last message), stored; `None`
    /// when that read failed (the message was sent all the same).
    pub fresh: Option<Fresh>,
}

/// An account's unread totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnreadTotals {
    /// Unread messages.
    pub messages: i64,
    /// Chats with unread messages.
    pub chats: i64,
}

/// What a call produced.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiReply {
    /// A fetched conversation (get, add, hydrate).
    Chat(Fresh),
    /// The CRM no longer has the conversation (404); it is flagged gone in the index.
    Gone(ChatKey, Option<ChatSummary>),
    /// The change was made (verified where the CRM can be re-read).
    Changed(Fresh),
    /// Not written: the responsible had changed since the user looked.
    ResponsibleChanged(Fresh),
    /// A conversation was created (`true`) or the contact's existing one returned.
    Created(Fresh, bool),
    /// Unread totals.
    Unread(String, UnreadTotals),
    /// A message was sent (verified when its reply was lost).
    Sent(Sent),
    /// A page of a chat's conversation.
    Timeline(Box<TimelinePage>),
}

/// One page of a chat's conversation as the CRM sent it (see `api::timeline`).
#[derive(Debug, Clone, PartialEq)]
pub struct TimelinePage {
    /// Which chat.
    pub key: ChatKey,
    /// Which page, 1 the newest.
    pub page: u32,
    /// Its events, oldest first.
    pub events: Vec<TimelineEvent>,
    /// The first event's place in the whole timeline, counted from the oldest (0).
    pub first_position: i64,
    /// How many events the whole timeline has, when the CRM said.
    pub total: Option<i64>,
    /// Whether older events remain to be fetched (page + 1).
    pub older: bool,
}

/// The actor's answer to one request.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiEvent {
    /// The request it answers.
    pub id: RequestId,
    /// What happened.
    pub outcome: Result<ApiReply, ApiError>,
}

/// What the actor owns.
pub struct ActorConfig {
    /// A Wegly client per account name.
    pub clients: HashMap<String, WeglyClient>,
    /// An Agilize client per account name.
    pub rooms: HashMap<String, AgilizeClient>,
    /// The index, kept up to date with every chat fetched or changed.
    pub store: Arc<Store>,
    /// Requests running at once.
    pub max_in_flight: usize,
}

impl ActorConfig {
    /// The Wegly client of `account`, or the error that says it has none.
    pub(crate) fn wegly(&self, account: &str) -> Result<&WeglyClient, ApiError> {
        self.clients
            .get(account)
            .ok_or_else(|| not_configured(account))
    }

    /// The Agilize client of `account`, or the error that says it has none.
    pub(crate) fn agilize(&self, account: &str) -> Result<&AgilizeClient, ApiError> {
        self.rooms
            .get(account)
            .ok_or_else(|| not_configured(account))
    }
}

fn not_configured(account: &str) -> ApiError {
    ApiError::NotConfigured {
        account: account.to_owned(),
    }
}
