//! The API actor: a task that owns the CRM clients, runs requests concurrently under a cap, and
//! answers each with an event tagged by the request's id. Nothing awaits it: requests go in with
//! `try_send` (a full queue is reported, not waited on) and answers come back as messages.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::{JoinHandle, JoinSet};
use uuid::Uuid;

use crate::api::error::{ApiError, ErrorKind};
use crate::api::verify::{self, Settled};
use crate::api::wegly::WeglyClient;
use crate::api::wegly::wire::{Chat, CreateChatRequest, UnreadSummary, UpdateResponsibleRequest};
use crate::hydrate::{Fetch, hydrate_one};
use crate::store::{ChatKey, ChatSummary, Columns, Source, Store};

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
    /// Change some fields of an Agilize room.
    UpdateRoom {
        /// The room.
        key: ChatKey,
        /// The fields to set.
        patch: serde_json::Value,
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
    /// An Agilize room after a change.
    RoomUpdated(FreshRoom),
}

/// A room as the actor hands it back: the room and the stored row.
#[derive(Debug, Clone, PartialEq)]
pub struct FreshRoom {
    /// Which room.
    pub key: ChatKey,
    /// The room after the change.
    pub room: Box<crate::api::agilize::wire::Room>,
    /// The index row after storing it.
    pub summary: Option<ChatSummary>,
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

fn no_account(account: &str) -> ApiError {
    ApiError::NotConfigured {
        account: account.to_owned(),
    }
}

fn client<'a>(config: &'a ActorConfig, account: &str) -> Result<&'a WeglyClient, ApiError> {
    config
        .clients
        .get(account)
        .ok_or_else(|| no_account(account))
}

fn chat_uuid(key: &ChatKey) -> Result<Uuid, ApiError> {
    Uuid::parse_str(&key.chat_id).map_err(|_| ApiError::Unexpected {
        status: 0,
        url: String::new(),
        detail: format!("'{}' is not a Wegly chat id", key.chat_id),
        excerpt: String::new(),
    })
}

/// Stores a detail in the index and returns the row after it.
async fn remember(
    store: &Arc<Store>,
    key: &ChatKey,
    raw: &[u8],
    chat: &Chat,
) -> Option<ChatSummary> {
    let store = store.clone();
    let key = key.clone();
    let raw = String::from_utf8_lossy(raw).into_owned();
    let columns = Columns::from(chat);
    let stored = tokio::task::spawn_blocking(move || {
        store.save_detail(&key, &raw, &columns, Utc::now())?;
        store.summary(&key)
    })
    .await;
    match stored {
        Ok(Ok(summary)) => summary,
        Ok(Err(error)) => {
            tracing::error!(%error, "chat not stored in the index");
            None
        }
        Err(error) => {
            tracing::error!(%error, "index task failed");
            None
        }
    }
}

async fn fetch(config: &ActorConfig, key: &ChatKey) -> Result<ApiReply, ApiError> {
    let client = client(config, &key.account)?;
    let read = client.get_chat(chat_uuid(key)?).await;
    store_read(config, key, read).await
}

/// Records a read in the index: the detail stored, or a 404 flagged gone.
async fn store_read(
    config: &ActorConfig,
    key: &ChatKey,
    read: Result<crate::api::wegly::Fetched<Chat>, ApiError>,
) -> Result<ApiReply, ApiError> {
    match read {
        Ok(fetched) => {
            let summary = remember(&config.store, key, &fetched.raw, &fetched.value).await;
            Ok(ApiReply::Chat(Fresh {
                key: key.clone(),
                chat: Box::new(fetched.value),
                summary,
            }))
        }
        Err(error) if error.kind() == ErrorKind::NotFound => {
            let store = config.store.clone();
            let gone = key.clone();
            let summary = tokio::task::spawn_blocking(move || {
                store.mark_gone(&gone, Utc::now())?;
                store.summary(&gone)
            })
            .await
            .ok()
            .and_then(Result::ok)
            .flatten();
            Ok(ApiReply::Gone(key.clone(), summary))
        }
        Err(error) => Err(error),
    }
}

/// After a write, the authoritative detail: a fresh read, or the write's own reply if the read
/// fails (the write happened either way).
async fn after_write(
    config: &ActorConfig,
    key: &ChatKey,
    written: crate::api::wegly::Fetched<Chat>,
) -> Fresh {
    if let Ok(ApiReply::Chat(fresh)) = fetch(config, key).await {
        return fresh;
    }
    let summary = remember(&config.store, key, &written.raw, &written.value).await;
    Fresh {
        key: key.clone(),
        chat: Box::new(written.value),
        summary,
    }
}

/// Compare-and-set: re-read just before writing, and write only if nobody else changed the
/// responsible since the user looked.
async fn reassign(
    config: &ActorConfig,
    key: ChatKey,
    expected: Option<String>,
    request: UpdateResponsibleRequest,
) -> Result<ApiReply, ApiError> {
    let client = client(config, &key.account)?;
    let id = chat_uuid(&key)?;
    // Compare-and-set: re-read just before writing, and write only if nobody else
    // changed the responsible since the user looked.
    let current = client.get_chat(id).await?;
    let now = current.value.responsible_user_id().map(str::to_owned);
    if now != expected {
        let summary = remember(&config.store, &key, &current.raw, &current.value).await;
        return Ok(ApiReply::ResponsibleChanged(Fresh {
            key,
            chat: Box::new(current.value),
            summary,
        }));
    }
    let written = client.update_responsible(id, &request).await;
    let settled = verify::settle(client, id, written, verify::responsible_is(&request)).await?;
    Ok(ApiReply::Reassigned(
        Box::pin(settled_fresh(config, &key, settled)).await,
    ))
}

/// The detail after a settled write: the write's reply (re-read when possible), or the chat
/// re-read to verify a write whose reply was lost.
async fn settled_fresh(config: &ActorConfig, key: &ChatKey, settled: Settled<Chat>) -> Fresh {
    match settled {
        Settled::Replied(written) => after_write(config, key, written).await,
        Settled::Confirmed(reread) => {
            let reread = *reread;
            let summary = remember(&config.store, key, &reread.raw, &reread.value).await;
            Fresh {
                key: key.clone(),
                chat: Box::new(reread.value),
                summary,
            }
        }
    }
}

/// Changes a room. Agilize's reply body is undocumented: when it is not the room, the patch is
/// applied to the room the index holds.
async fn update_room(
    config: &ActorConfig,
    key: ChatKey,
    patch: &serde_json::Value,
) -> Result<ApiReply, ApiError> {
    use crate::api::agilize::wire::Room;
    let client = config
        .rooms
        .get(&key.account)
        .ok_or_else(|| no_account(&key.account))?;
    let updated = verify::unverifiable(client.update_room(&key.chat_id, patch).await)?;
    let store = config.store.clone();
    let wanted = key.clone();
    let known = tokio::task::spawn_blocking(move || store.detail(&wanted).ok().flatten())
        .await
        .ok()
        .flatten();
    let room = updated.value.unwrap_or_else(|| {
        let mut merged = known
            .and_then(|raw| serde_json::from_str::<serde_json::Value>(&raw).ok())
            .unwrap_or_else(|| serde_json::json!({"_id": key.chat_id}));
        if let (Some(target), Some(changes)) = (merged.as_object_mut(), patch.as_object()) {
            for (name, value) in changes {
                target.insert(name.clone(), value.clone());
            }
        }
        serde_json::from_value::<Room>(merged).unwrap_or_default()
    });
    let raw = serde_json::to_string(&room).unwrap_or_default();
    let columns = Columns::from(&room);
    let store = config.store.clone();
    let saved = key.clone();
    let summary = tokio::task::spawn_blocking(move || {
        // A change to a room is not a message: the last message keeps its own time.
        let columns = match store.summary(&saved)? {
            Some(before) => columns.keeping_message_time(&before.columns),
            None => columns,
        };
        store.save_detail(&saved, &raw, &columns, Utc::now())?;
        store.summary(&saved)
    })
    .await
    .ok()
    .and_then(Result::ok)
    .flatten();
    Ok(ApiReply::RoomUpdated(FreshRoom {
        key,
        room: Box::new(room),
        summary,
    }))
}

/// Puts a chat into the index by id and fetches it. An id the CRM does not know (404) never
/// becomes a permanent "gone" row: the row this call added is taken out again and the 404 is
/// the answer. A chat that was already in the index keeps its row, flagged gone.
async fn add_chat(config: &ActorConfig, key: ChatKey) -> Result<ApiReply, ApiError> {
    let store = config.store.clone();
    let noted = key.clone();
    let added =
        tokio::task::spawn_blocking(move || store.note_chat(&noted, Source::Manual, Utc::now()))
            .await;
    let new = match added {
        Ok(Ok(new)) => new,
        Ok(Err(error)) => {
            tracing::error!(%error, "chat not added to the index");
            false
        }
        Err(error) => {
            tracing::error!(%error, "index task failed");
            false
        }
    };
    let client = client(config, &key.account)?;
    match client.get_chat(chat_uuid(&key)?).await {
        Err(error) if error.kind() == ErrorKind::NotFound && new => {
            let store = config.store.clone();
            let unknown = key.clone();
            match tokio::task::spawn_blocking(move || store.remove_chat(&unknown)).await {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => {
                    tracing::error!(%error, "unknown chat not taken out of the index");
                }
                Err(error) => tracing::error!(%error, "index task failed"),
            }
            Err(error)
        }
        read => store_read(config, &key, read).await,
    }
}

async fn execute(config: &ActorConfig, call: ApiCall) -> Result<ApiReply, ApiError> {
    match call {
        ApiCall::GetChat(key) => fetch(config, &key).await,
        ApiCall::Hydrate(key) => {
            let client = client(config, &key.account)?;
            match hydrate_one(&config.store, client, &key).await {
                Fetch::Hydrated | Fetch::Gone => {
                    let store = config.store.clone();
                    let wanted = key.clone();
                    let (summary, detail) = tokio::task::spawn_blocking(move || {
                        (store.summary(&wanted), store.detail(&wanted))
                    })
                    .await
                    .unwrap_or((Ok(None), Ok(None)));
                    let summary = summary.ok().flatten();
                    match detail
                        .ok()
                        .flatten()
                        .and_then(|raw| serde_json::from_str::<Chat>(&raw).ok())
                    {
                        Some(chat) if !summary.as_ref().is_some_and(|s| s.gone) => {
                            Ok(ApiReply::Chat(Fresh {
                                key,
                                chat: Box::new(chat),
                                summary,
                            }))
                        }
                        _ => Ok(ApiReply::Gone(key, summary)),
                    }
                }
                Fetch::RateLimited {
                    reason,
                    retry_after,
                } => Err(ApiError::RateLimited {
                    reply: crate::api::ServerReply {
                        status: 429,
                        message: Some(reason),
                        ..crate::api::ServerReply::default()
                    },
                    retry_after,
                }),
                Fetch::Failed(reason) => Err(ApiError::Network {
                    url: String::new(),
                    detail: reason,
                }),
            }
        }
        ApiCall::Reassign {
            key,
            expected,
            request,
        } => Box::pin(reassign(config, key, expected, request)).await,
        ApiCall::RemoveParticipant { key, user_id } => {
            let client = client(config, &key.account)?;
            let user = Uuid::parse_str(&user_id).map_err(|_| ApiError::Unexpected {
                status: 0,
                url: String::new(),
                detail: format!("'{user_id}' is not a user id"),
                excerpt: String::new(),
            })?;
            let chat = chat_uuid(&key)?;
            let written = client.remove_participant(chat, user).await;
            let settled =
                verify::settle(client, chat, written, verify::participant_gone(user)).await?;
            Ok(ApiReply::ParticipantRemoved(
                Box::pin(settled_fresh(config, &key, settled)).await,
            ))
        }
        ApiCall::CreateChat { account, request } => {
            let client = client(config, &account)?;
            let created = verify::unverifiable(client.create_chat(&request).await)?;
            let id = created.value.id.clone().unwrap_or_default();
            let key = ChatKey::wegly(&account, &id);
            let store = config.store.clone();
            let noted = key.clone();
            let _ = tokio::task::spawn_blocking(move || {
                store.note_chat(&noted, Source::Created, Utc::now())
            })
            .await;
            let is_new = created.status == 201;
            let summary = remember(&config.store, &key, &created.raw, &created.value).await;
            Ok(ApiReply::Created(
                Fresh {
                    key,
                    chat: Box::new(created.value),
                    summary,
                },
                is_new,
            ))
        }
        ApiCall::AddChat(key) => add_chat(config, key).await,
        ApiCall::UpdateRoom { key, patch } => update_room(config, key, &patch).await,
        ApiCall::UnreadSummary(account) => {
            let summary = client(config, &account)?.unread_summary().await?;
            Ok(ApiReply::Unread(account, summary.value))
        }
    }
}
