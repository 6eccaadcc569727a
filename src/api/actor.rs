//! The API actor: a task that owns the CRM clients, runs requests concurrently under a cap, and
//! answers each with an event tagged by the request's id. Nothing awaits it: requests go in with
//! `try_send` (a full queue is reported, not waited on) and answers come back as messages.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc};
use tokio::task::{JoinHandle, JoinSet};

use crate::api::change::{Change, NewConversation};
use crate::api::conversation::Conversation;
use crate::api::error::ApiError;
use crate::api::wegly::WeglyClient;
use crate::api::{reads, writes};
use crate::store::{ChatKey, ChatSummary, Store};

/// Requests waiting for the actor, at most.
pub const QUEUE_CAPACITY: usize = 64;
/// Requests running at once, by default.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 8;

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
}

/// The actor's answer to one request.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiEvent {
    /// The request it answers.
    pub id: RequestId,
    /// What happened.
    pub outcome: Result<ApiReply, ApiError>,
}

/// The actor's queue is full; the request was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the API queue is full")]
pub struct ApiBusy;

struct Envelope {
    request: ApiRequest,
    reply: mpsc::Sender<ApiEvent>,
}

/// The only way to reach the actor. Cheap to clone; never blocks.
#[derive(Clone)]
pub struct ApiHandle {
    tx: mpsc::Sender<Envelope>,
}

impl ApiHandle {
    /// Queues a request; its answer goes to `reply`. A full queue is an error, never a wait.
    pub fn request(
        &self,
        request: ApiRequest,
        reply: &mpsc::Sender<ApiEvent>,
    ) -> Result<(), ApiBusy> {
        self.tx
            .try_send(Envelope {
                request,
                reply: reply.clone(),
            })
            .map_err(|_| ApiBusy)
    }
}

/// What the actor owns.
pub struct ActorConfig {
    /// A Wegly client per account name.
    pub clients: HashMap<String, WeglyClient>,
    /// An Agilize client per account name.
    pub rooms: HashMap<String, crate::api::agilize::AgilizeClient>,
    /// The index, kept up to date with every chat fetched or changed.
    pub store: Arc<Store>,
    /// Requests running at once.
    pub max_in_flight: usize,
}

/// Starts the actor; it stops when every handle is dropped.
pub fn spawn(config: ActorConfig) -> (ApiHandle, JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
    let task = tokio::spawn(run(rx, Arc::new(config)));
    (ApiHandle { tx }, task)
}

async fn run(mut rx: mpsc::Receiver<Envelope>, config: Arc<ActorConfig>) {
    let permits = Arc::new(Semaphore::new(config.max_in_flight.max(1)));
    let mut tasks = JoinSet::new();
    loop {
        tokio::select! {
            envelope = rx.recv() => {
                let Some(envelope) = envelope else { break };
                // Waiting here for a permit is the cap: the queue fills, and new requests are
                // refused at the handle instead of piling up.
                let Ok(permit) = permits.clone().acquire_owned().await else { break };
                let config = config.clone();
                tasks.spawn(async move {
                    let id = envelope.request.id;
                    // Boxed: the write paths' futures (re-read, verify, store) are large.
                    let outcome = Box::pin(execute(&config, envelope.request.call)).await;
                    drop(permit);
                    let _ = envelope.reply.send(ApiEvent { id, outcome }).await;
                });
            }
            Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                if let Err(error) = done {
                    tracing::error!(%error, "API request task failed");
                }
            }
        }
    }
    tasks.shutdown().await;
}

async fn execute(config: &ActorConfig, call: ApiCall) -> Result<ApiReply, ApiError> {
    match call {
        ApiCall::GetChat(key) => reads::fetch(config, &key).await,
        ApiCall::Hydrate(key) => reads::hydrate(config, &key).await,
        ApiCall::AddChat(key) => reads::add(config, key).await,
        ApiCall::UnreadSummary(account) => reads::unread(config, account).await,
        ApiCall::Change { key, change } => writes::change(config, key, &change).await,
        ApiCall::CreateChat { account, request } => {
            writes::create(config, &account, &request).await
        }
    }
}
