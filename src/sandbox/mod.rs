//! The sandbox: a local emulator of the Wegly API that the demo, the tests and evaluators use.
//!
//! It speaks the documented paths and JSON shapes over real HTTP, enforces the documented rules,
//! fills the gaps the docs leave (error bodies, list routes) in ways the README states, and can
//! misbehave on purpose (faults) so every error path can be exercised.

pub mod admin;
pub mod error;
pub mod faults;
pub mod rooms;
pub mod routes;
pub mod seed;
pub mod traffic;
pub mod webhooks;
pub mod world;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Json;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api::wegly::wire::{Chat, Message};
use crate::sandbox::error::SandboxError;
use crate::sandbox::faults::FaultRule;
use crate::sandbox::seed::Seed;
use crate::sandbox::webhooks::{MESSAGE_RECEIVED, MESSAGE_SENT, WebhookSender};
use crate::sandbox::world::World;

/// Largest request body accepted (413 beyond).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Where to send signed Wegly webhooks.
#[derive(Debug, Clone)]
pub struct WebhookTarget {
    /// The receiver's URL.
    pub url: String,
    /// The signing secret.
    pub secret: SecretString,
}

/// Everything the sandbox needs to start.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Address to bind (port 0 picks a free one).
    pub bind: SocketAddr,
    /// The bearer token the API accepts.
    pub token: SecretString,
    /// When set, requests must come from this domain (Origin or Referer).
    pub allowed_domain: Option<String>,
    /// Users, lines and chats.
    pub seed: Seed,
    /// Webhook delivery, when wanted.
    pub webhook: Option<WebhookTarget>,
    /// Simulated inbound messages per minute (0 for none).
    pub traffic_per_minute: f64,
    /// Faults active from the start.
    pub faults: Vec<FaultRule>,
    /// The `x-api-key` the Agilize routes accept.
    pub agilize_key: SecretString,
    /// Where to send Agilize room events, when wanted.
    pub agilize_webhook_url: Option<String>,
}

/// State shared by every route.
pub struct Shared {
    world: Mutex<World>,
    token: SecretString,
    allowed_domain: Option<String>,
    faults: Mutex<Vec<FaultRule>>,
    requests: Mutex<BTreeMap<String, u64>>,
    in_flight: std::sync::atomic::AtomicU64,
    max_in_flight: std::sync::atomic::AtomicU64,
    webhooks: Option<WebhookSender>,
    rooms: Mutex<rooms::Rooms>,
    agilize_key: SecretString,
    agilize_webhooks: Option<WebhookSender>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic in another request must not take the whole sandbox down with it.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// The chats, users and lines.
    pub fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }

    /// The Agilize rooms.
    pub fn rooms(&self) -> MutexGuard<'_, rooms::Rooms> {
        lock(&self.rooms)
    }

    /// Sends a room event, when Agilize webhooks are configured.
    pub fn announce_room(&self, room: &crate::api::agilize::wire::Room) {
        if let Some(sender) = &self.agilize_webhooks {
            sender.emit_room(room);
        }
    }

    /// The active fault rules.
    pub fn faults(&self) -> MutexGuard<'_, Vec<FaultRule>> {
        lock(&self.faults)
    }

    /// The sandbox clock.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn count_request(&self, route: &str) {
        *lock(&self.requests).entry(route.to_owned()).or_default() += 1;
    }

    /// Requests received per API route, and `_max_concurrent`: the most API requests ever
    /// served at once (for checking a client's concurrency cap).
    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        let mut counts = lock(&self.requests).clone();
        counts.insert(
            "_max_concurrent".to_owned(),
            self.max_in_flight.load(std::sync::atomic::Ordering::SeqCst),
        );
        counts
    }

    /// Marks an API request as being served; the returned guard unmarks it.
    pub(crate) fn serving(&self) -> ServingGuard<'_> {
        use std::sync::atomic::Ordering;
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        ServingGuard(self)
    }

    /// Sends a chat event by webhook, when webhooks are configured.
    pub fn announce(&self, event_key: &str, chat: &Chat, message: &Message) {
        if let Some(sender) = &self.webhooks {
            sender.emit(event_key, json!({"chat": chat, "message": message}));
        }
    }
}

/// Counts one request in flight for as long as it lives.
pub(crate) struct ServingGuard<'a>(&'a Shared);

impl Drop for ServingGuard<'_> {
    fn drop(&mut self) {
        self.0
            .in_flight
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A sandbox that is serving.
pub struct RunningSandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    server: JoinHandle<std::io::Result<()>>,
}

impl RunningSandbox {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://HOST:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The shared state, to drive the sandbox from the same process.
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Stops serving and waits for open connections to finish.
    pub async fn shutdown(self) -> std::io::Result<()> {
        let _ = self.shutdown.send(true);
        self.server.await.unwrap_or(Ok(()))
    }
}

/// The whole router: API, admin and JSON fallbacks.
pub fn app(shared: Arc<Shared>) -> Router {
    routes::router(shared.clone())
        .merge(routes::agilize_router(shared.clone()))
        .merge(admin::router(shared))
        .fallback(|| async {
            SandboxError::new(StatusCode::NOT_FOUND, "route_not_found", "no such route in the Wegly API").into_response()
        })
        .method_not_allowed_fallback(|| async {
            let body = json!({"error": "method_not_allowed", "message": "this route does not take that method", "fields": {}});
            (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response()
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// Binds, starts serving, announces every seeded chat by webhook, and starts the traffic.
pub async fn start(config: SandboxConfig) -> std::io::Result<RunningSandbox> {
    let listener = TcpListener::bind(config.bind).await?;
    let addr = listener.local_addr()?;
    let (shutdown, shutdown_rx) = watch::channel(false);
    let webhooks = config
        .webhook
        .map(|target| WebhookSender::new(target.url, Some(target.secret), shutdown_rx.clone()));
    let agilize_webhooks = config
        .agilize_webhook_url
        .map(|url| WebhookSender::new(url, None, shutdown_rx.clone()));
    let start = Utc::now();
    let shared = Arc::new(Shared {
        world: Mutex::new(World::from_seed(&config.seed, start)),
        rooms: Mutex::new(rooms::Rooms::from_seed(&config.seed, start)),
        agilize_key: config.agilize_key,
        agilize_webhooks,
        token: config.token,
        allowed_domain: config.allowed_domain,
        faults: Mutex::new(config.faults),
        requests: Mutex::new(BTreeMap::new()),
        in_flight: std::sync::atomic::AtomicU64::new(0),
        max_in_flight: std::sync::atomic::AtomicU64::new(0),
        webhooks,
    });
    let mut stop = shutdown_rx.clone();
    let server = tokio::spawn(
        axum::serve(listener, app(shared.clone()))
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|stopped| *stopped).await;
            })
            .into_future(),
    );
    announce_seeded_chats(&shared);
    for room in shared.rooms().all() {
        shared.announce_room(room);
    }
    traffic::spawn(shared.clone(), config.traffic_per_minute, shutdown_rx);
    Ok(RunningSandbox {
        addr,
        shared,
        shutdown,
        server,
    })
}

/// One event per seeded chat, so a receiver learns every chat that exists.
fn announce_seeded_chats(shared: &Shared) {
    if shared.webhooks.is_none() {
        return;
    }
    let world = shared.world();
    for id in world.chat_ids() {
        let Ok(chat) = world.get_chat(&id.to_string()) else {
            continue;
        };
        let Some(message) = chat.last_message.clone() else {
            continue;
        };
        let key = if message.from_me == Some(true) {
            MESSAGE_SENT
        } else {
            MESSAGE_RECEIVED
        };
        shared.announce(key, &chat, &message);
    }
}
