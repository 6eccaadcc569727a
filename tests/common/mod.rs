//! Helpers shared by the integration tests: a real sandbox on loopback and clients for it.
#![allow(
    dead_code,
    clippy::unnecessary_wraps,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

pub mod pg;

use std::net::SocketAddr;
use std::time::Duration;

use balcao::api::http::Timeouts;
use balcao::api::wegly::{WeglyClient, WeglyConfig};
use balcao::sandbox::seed::Seed;
use balcao::sandbox::{self, RunningSandbox, SandboxConfig, WebhookTarget};
use secrecy::SecretString;
use serde_json::Value;

pub const TOKEN: &str = "tok-3f9a1c-never-shown";
pub const AGILIZE_KEY: &str = "agk-77e0-never-shown";

pub fn config() -> SandboxConfig {
    SandboxConfig {
        bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        token: SecretString::from(TOKEN.to_owned()),
        allowed_domain: None,
        seed: Seed::bundled().expect("bundled seed"),
        webhook: None,
        traffic_per_minute: 0.0,
        faults: Vec::new(),
        agilize_key: SecretString::from(AGILIZE_KEY.to_owned()),
        agilize_webhook_url: None,
    }
}

pub async fn start() -> RunningSandbox {
    sandbox::start(config()).await.expect("sandbox starts")
}

pub async fn start_with(adjust: impl FnOnce(&mut SandboxConfig)) -> RunningSandbox {
    let mut config = config();
    adjust(&mut config);
    sandbox::start(config).await.expect("sandbox starts")
}

pub fn webhook(url: String, secret: &str) -> Option<WebhookTarget> {
    Some(WebhookTarget {
        url,
        secret: SecretString::from(secret.to_owned()),
    })
}

pub fn client_with(
    url: &str,
    token: &str,
    origin: Option<&str>,
    request_timeout: Duration,
) -> WeglyClient {
    WeglyClient::new(WeglyConfig {
        base_url: url.to_owned(),
        token: SecretString::from(token.to_owned()),
        origin: origin.map(str::to_owned),
        timeouts: Timeouts {
            connect: Duration::from_secs(2),
            request: request_timeout,
        },
    })
    .expect("client")
}

pub fn client(sandbox: &RunningSandbox) -> WeglyClient {
    client_with(&sandbox.url(), TOKEN, None, Duration::from_secs(10))
}

/// A plain HTTP client for admin routes and hand-made requests.
/// One client for the whole test binary: building one loads the system's root certificates.
pub fn raw() -> reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    // No idle pool: each test has its own runtime, and a pooled connection must not outlive it.
    CLIENT
        .get_or_init(|| {
            balcao::api::http::client_builder()
                .no_proxy()
                .pool_max_idle_per_host(0)
                .build()
                .unwrap()
        })
        .clone()
}

pub async fn admin(sandbox: &RunningSandbox, path: &str) -> Value {
    raw()
        .get(format!("{}/_sandbox/{path}", sandbox.url()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub async fn set_faults(sandbox: &RunningSandbox, spec: &str) {
    let response = raw()
        .post(format!("{}/_sandbox/faults", sandbox.url()))
        .bearer_auth(TOKEN)
        .json(&serde_json::json!({ "spec": spec }))
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "fault spec refused: {}",
        response.text().await.unwrap()
    );
}

pub async fn request_count(sandbox: &RunningSandbox, route: &str) -> u64 {
    admin(sandbox, "requests")
        .await
        .get(route)
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

/// The admin listing of chats.
pub async fn chats(sandbox: &RunningSandbox) -> Vec<Value> {
    admin(sandbox, "chats").await.as_array().cloned().unwrap()
}

/// A chat with a responsible and at least one other participant.
pub async fn chat_with_two_participants(sandbox: &RunningSandbox) -> Value {
    chats(sandbox)
        .await
        .into_iter()
        .find(|chat| {
            !chat["responsible_user_id"].is_null()
                && chat["participant_user_ids"]
                    .as_array()
                    .is_some_and(|p| p.len() >= 2)
        })
        .expect("the seed has chats with two participants")
}

pub fn uuid(value: &Value) -> uuid::Uuid {
    uuid::Uuid::parse_str(value.as_str().expect("a string id")).expect("a UUID")
}

pub fn shared_dir() -> std::path::PathBuf {
    std::env::var_os("BALCAO_SHARED_DIR").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
        Into::into,
    )
}

/// A loopback port nothing listens on right now, for a server a test starts later.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Serves a webhook receiver the way `balcao listen` does (every limit at its default) until the
/// test's runtime ends.
pub fn serve_receiver(
    listener: tokio::net::TcpListener,
    state: std::sync::Arc<balcao::webhook::receiver::ReceiverState>,
) {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        // Held for the task's life: a dropped sender would ask the receiver to stop.
        let _stop = stop;
        balcao::webhook::serve::serve(
            listener,
            state,
            balcao::webhook::ReceiverLimits::default(),
            stopped,
        )
        .await;
    });
}

/// How often a test looks again at a condition it is waiting for.
pub const POLL: Duration = Duration::from_millis(50);

/// Waits until `check` returns `Ok`, looking again every `every`. After `limit` the test fails
/// with `what` and the last state `check` described in its `Err`. A poll for a condition with
/// a bound, never a pause that orders events.
pub fn wait_until<T>(
    limit: Duration,
    every: Duration,
    what: &str,
    mut check: impl FnMut() -> Result<T, String>,
) -> T {
    let deadline = std::time::Instant::now() + limit;
    loop {
        match check() {
            Ok(done) => return done,
            Err(seen) if std::time::Instant::now() >= deadline => {
                panic!("{what}: not after {limit:?}; last seen: {seen}")
            }
            Err(_) => std::thread::sleep(every),
        }
    }
}

/// Waits for a child process to end and returns its output. A thread blocks in `wait`, so the
/// exit itself wakes the test; after `limit` the child is killed and the test fails naming
/// `what`.
pub fn wait_for_exit(
    child: std::process::Child,
    limit: Duration,
    what: &str,
) -> std::process::Output {
    let pid = child.id().to_string();
    let (exited, exit) = std::sync::mpsc::channel();
    std::thread::spawn(move || exited.send(child.wait_with_output()));
    if let Ok(output) = exit.recv_timeout(limit) {
        return output.unwrap();
    }
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &pid])
        .status();
    panic!("{what}: still running after {limit:?} (SIGKILL sent: {killed:?})")
}

/// A child process that is killed and reaped when this is dropped, however the test ends.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Err(error) = self.0.kill() {
            eprintln!("process {} already gone: {error}", self.0.id());
        }
        if let Err(error) = self.0.wait() {
            eprintln!("process {} not reaped: {error}", self.0.id());
        }
    }
}

/// Sends SIGTERM to a child and waits (up to 15 s) for it to end.
pub fn terminate(child: std::process::Child, what: &str) -> std::process::Output {
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "{what}: kill -TERM failed");
    wait_for_exit(child, Duration::from_secs(15), what)
}

/// The `x-wegly-signature` a sender holding `secret` puts on `body`: HMAC-SHA256 in lowercase
/// hex, computed here as the docs describe it rather than by the crate, so that the receiver's
/// check is tested against the docs and not against itself.
pub fn sign(secret: &str, body: &[u8]) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// A receiver over `store` for the Wegly `account` (and Agilize `agilize_account`, when given)
/// with `secret`. Its events reach whoever subscribes to `state.events` before they are sent.
pub fn receiver_state(
    store: &std::sync::Arc<balcao::store::Store>,
    account: &str,
    secret: &str,
    agilize_account: Option<&str>,
) -> std::sync::Arc<balcao::webhook::receiver::ReceiverState> {
    let (events, _) = tokio::sync::broadcast::channel(4096);
    std::sync::Arc::new(balcao::webhook::receiver::ReceiverState {
        store: store.clone(),
        account: account.to_owned(),
        secret: SecretString::from(secret.to_owned()),
        events,
        wake: std::sync::Arc::new(tokio::sync::Notify::new()),
        agilize_account: agilize_account.map(str::to_owned),
    })
}

/// Waits until the server closes the connection: a read returns end of file, or the connection
/// is reset. Anything sent back before that (a 408) is skipped.
pub async fn closed_by_server(stream: &mut tokio::net::TcpStream) {
    use tokio::io::AsyncReadExt;
    let mut sink = [0_u8; 4096];
    loop {
        match stream.read(&mut sink).await {
            Ok(0) => return,
            Ok(_) => {}
            Err(error) if is_closed(&error) => return,
            Err(error) => panic!("unexpected error while waiting for the close: {error}"),
        }
    }
}

/// Whether a read or write failed because the other side closed the connection.
pub fn is_closed(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::BrokenPipe
            | std::io::ErrorKind::ConnectionAborted
    )
}
