//! The API actor: a task that owns the CRM clients, runs requests concurrently under a cap, and
//! answers each with an event tagged by the request's id. Nothing awaits it: requests go in with
//! `try_send` (a full queue is reported, not waited on) and answers come back as messages.

use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc};
use tokio::task::{JoinHandle, JoinSet};

use crate::api::error::ApiError;
use crate::api::{reads, sends, timeline, writes};

pub use crate::api::call::{
    ActorConfig, ApiCall, ApiEvent, ApiReply, ApiRequest, Fresh, RequestId, Sent, TimelinePage,
    UnreadTotals,
};

/// Requests waiting for the actor, at most.
pub const QUEUE_CAPACITY: usize = 64;
/// Requests running at once, by default.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 8;

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
        ApiCall::Timeline { key, page } => timeline::fetch(config, key, page).await,
        ApiCall::Change { key, change } => writes::change(config, key, &change).await,
        ApiCall::CreateChat { account, request } => {
            writes::create(config, &account, &request).await
        }
        ApiCall::SendMessage { key, message } => sends::send(config, key, &message).await,
    }
}
