//! Receivers scale out: two `balcao listen --index postgres://…` processes on one database,
//! behind a load balancer that splits the sandbox's webhooks between them and delivers some to
//! both (as a balancer retrying on another backend, or the CRM retrying, would). Every chat is
//! in the index once, each is fetched about once (the sandbox counts the reads), and when one
//! receiver is killed with SIGKILL in the middle of a burst, nothing is lost: the other takes
//! its deliveries and, once the dead one's fetch claims lapse, its fetches.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    missing_docs
)]

#[path = "common/cli.rs"]
mod cli;
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use balcao::sandbox::RunningSandbox;
use balcao::store::location::DatabaseUrl;
use balcao::store::{Store, WebhookOutcome};
use serde_json::{Value, json};

use common::pg;

const SECRET: &str = "whsec-scale-5d1e";

/// A receiver process and the URL it serves.
struct Receiver {
    child: Child,
    url: String,
}

/// The load balancer in front of the receivers: delivery `n` goes to receiver `n % 2`, and
/// every third goes to both at once. A receiver that cannot be reached (killed) is skipped for
/// the other, as a balancer's health check would; with neither, the sender is told to retry.
struct Balancer {
    targets: [String; 2],
    next: AtomicU64,
    /// Deliveries each receiver answered with success.
    answered: [AtomicU64; 2],
    /// Deliveries sent to both.
    doubled: AtomicU64,
    client: reqwest::Client,
}

impl Balancer {
    async fn send(&self, to: usize, headers: &HeaderMap, body: &Bytes) -> bool {
        for target in [to, 1 - to] {
            let mut request = self.client.post(&self.targets[target]);
            for (name, value) in headers {
                if !matches!(name.as_str(), "host" | "content-length" | "connection") {
                    request = request.header(name, value);
                }
            }
            if let Ok(response) = request.body(body.clone()).send().await
                && response.status().is_success()
            {
                self.answered[target].fetch_add(1, Ordering::SeqCst);
                return true;
            }
        }
        false
    }
}

async fn balance(
    State(balancer): State<Arc<Balancer>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let n = balancer.next.fetch_add(1, Ordering::SeqCst);
    let delivered = if n % 3 == 2 {
        balancer.doubled.fetch_add(1, Ordering::SeqCst);
        let (a, b) = tokio::join!(
            balancer.send(0, &headers, &body),
            balancer.send(1, &headers, &body)
        );
        a || b
    } else {
        balancer
            .send(usize::try_from(n % 2).unwrap(), &headers, &body)
            .await
    };
    if delivered {
        StatusCode::OK
    } else {
        StatusCode::BAD_GATEWAY
    }
}

/// Two receivers on one fresh database, the balancer in front of them, and the sandbox behind
/// it (started last: it announces every seeded chat at once, the first burst).
struct Desk {
    runtime: tokio::runtime::Runtime,
    sandbox: RunningSandbox,
    balancer: Arc<Balancer>,
    receivers: Vec<Option<Receiver>>,
    store: Store,
    url: String,
    _dirs: Vec<tempfile::TempDir>,
}

/// The harness's URL without its password, and the password, as a desk would configure a
/// receiver: the URL in `--index`, the password in `PGPASSWORD`.
fn split_password(url: &str) -> (String, String) {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (credentials, host) = rest.split_once('@').unwrap();
    let (user, password) = credentials.split_once(':').unwrap();
    (format!("{scheme}://{user}@{host}"), password.to_owned())
}

fn start_receiver(index: &str, password: &str, sandbox_url: &str) -> (Receiver, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = cli::balcao(dir.path())
        .args([
            "listen",
            "--index",
            index,
            "--bind",
            "127.0.0.1:0",
            "--base-url",
            sandbox_url,
            "--token",
            common::TOKEN,
            "--webhook-secret",
            SECRET,
        ])
        .env("PGPASSWORD", password)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let Some(url) = first.trim().strip_prefix("listening on ") else {
        let output = child.wait_with_output().unwrap();
        panic!(
            "listen did not start: {first:?} {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let url = url.to_owned();
    (Receiver { child, url }, dir)
}

/// `faults`: the sandbox's fault spec (see `balcao sandbox --faults`), empty for none.
fn desk(faults: &str) -> Desk {
    let url = pg::fresh_database();
    let (index, password) = split_password(&url);
    let sandbox_addr = SocketAddr::from(([127, 0, 0, 1], common::free_port()));
    let sandbox_url = format!("http://{sandbox_addr}");
    let mut dirs = Vec::new();
    let mut receivers = Vec::new();
    for _ in 0..2 {
        let (receiver, dir) = start_receiver(&index, &password, &sandbox_url);
        receivers.push(Some(receiver));
        dirs.push(dir);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let balancer = Arc::new(Balancer {
        targets: [0, 1].map(|n| {
            format!(
                "{}/webhooks/wegly",
                receivers[n]
                    .as_ref()
                    .map(|r: &Receiver| r.url.clone())
                    .unwrap()
            )
        }),
        next: AtomicU64::new(0),
        answered: [AtomicU64::new(0), AtomicU64::new(0)],
        doubled: AtomicU64::new(0),
        client: balcao::api::http::client_builder()
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap(),
    });
    let balancer_url = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new()
            .route("/webhooks/wegly", axum::routing::post(balance))
            .with_state(balancer.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}/webhooks/wegly")
    });
    let sandbox = runtime.block_on(common::start_with(|config| {
        config.bind = sandbox_addr;
        config.webhook = common::webhook(balancer_url, SECRET);
        config.faults = balcao::sandbox::faults::parse_spec(faults).unwrap();
    }));
    let store = Store::connect(&DatabaseUrl::new(&url)).unwrap();
    Desk {
        runtime,
        sandbox,
        balancer,
        receivers,
        store,
        url,
        _dirs: dirs,
    }
}

impl Desk {
    fn admin(&self, path: &str) -> Value {
        self.runtime.block_on(common::admin(&self.sandbox, path))
    }

    fn fetches(&self) -> u64 {
        self.runtime
            .block_on(common::request_count(&self.sandbox, "get_chat"))
    }

    /// Every chat the sandbox has, by id, with its last message's text.
    fn sandbox_chats(&self) -> BTreeMap<String, Value> {
        self.runtime
            .block_on(common::chats(&self.sandbox))
            .into_iter()
            .map(|chat| (chat["id"].as_str().unwrap().to_owned(), chat))
            .collect()
    }

    /// A customer writes `text` in chat `id`: one more webhook.
    fn inbound(&self, id: &str, text: &str) {
        self.runtime.block_on(async {
            let response = common::raw()
                .post(format!("{}/_sandbox/inbound", self.sandbox.url()))
                .bearer_auth(common::TOKEN)
                .json(&json!({"chat_id": id, "body": text}))
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success(), "inbound to {id} refused");
        });
    }

    /// Waits until the sandbox delivered every webhook it queued (none waiting for a retry).
    fn wait_for_every_delivery(&self, limit: Duration) -> Value {
        common::wait_until(
            limit,
            Duration::from_millis(200),
            "every webhook delivered",
            || {
                let counts = self.admin("webhooks")["counts"].clone();
                if counts["queued"] == counts["delivered"] {
                    Ok(counts)
                } else {
                    Err(counts.to_string())
                }
            },
        )
    }

    /// Waits until the index holds each of `expected` once, fetched and current (`check`).
    fn wait_for_index(
        &self,
        limit: Duration,
        expected: &BTreeSet<String>,
        check: impl Fn(&balcao::store::ChatSummary) -> bool,
    ) {
        common::wait_until(
            limit,
            Duration::from_millis(250),
            "every chat fetched",
            || {
                let rows = self.store.summaries().map_err(|error| error.to_string())?;
                let ids: Vec<&str> = rows.iter().map(|row| row.key.chat_id.as_str()).collect();
                let unique: BTreeSet<String> = ids.iter().map(|id| (*id).to_owned()).collect();
                assert_eq!(unique.len(), ids.len(), "a chat is in the index twice");
                let waiting: Vec<&str> = rows
                    .iter()
                    .filter(|row| row.needs_hydration || row.hydrated_at.is_none() || !check(row))
                    .map(|row| row.key.chat_id.as_str())
                    .collect();
                if &unique == expected && waiting.is_empty() {
                    Ok(())
                } else {
                    Err(format!(
                        "{} of {} chats in the index, {} not yet fetched or current",
                        unique.intersection(expected).count(),
                        expected.len(),
                        waiting.len()
                    ))
                }
            },
        );
    }

    /// Fetch claims the receiver with process id `pid` holds and that have not lapsed, read
    /// from the database itself (no operation of the index lists them).
    fn claims_of(&self, pid: u32) -> i64 {
        let mut client = ::postgres::Client::connect(&self.url, ::postgres::NoTls).unwrap();
        let now = chrono::Utc::now().timestamp_millis();
        client
            .query_one(
                "SELECT count(*) FROM chats
                 WHERE fetch_claimed_by LIKE $1 AND fetch_claim_until > $2",
                &[&format!("%:{pid}:%"), &now],
            )
            .unwrap()
            .get(0)
    }

    fn stop(mut self) {
        for receiver in self.receivers.iter_mut().filter_map(Option::take) {
            let output = common::terminate(receiver.child, "listen");
            assert_eq!(
                output.status.code(),
                Some(0),
                "listen exits 0 on SIGTERM: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
}

#[test]
fn two_receivers_share_the_webhooks_and_fetch_each_chat_once() {
    let desk = desk("");
    let chats = desk.sandbox_chats();
    let expected: BTreeSet<String> = chats.keys().cloned().collect();
    let counts = desk.wait_for_every_delivery(Duration::from_secs(120));
    desk.wait_for_index(Duration::from_secs(120), &expected, |_| true);

    let answered = [0, 1].map(|n| desk.balancer.answered[n].load(Ordering::SeqCst));
    let doubled = desk.balancer.doubled.load(Ordering::SeqCst);
    assert!(
        answered[0] > 0 && answered[1] > 0 && doubled > 0,
        "the burst was not split: {answered:?}, {doubled} to both"
    );
    // Each chat's announcement, however many receivers it reached, is one fetch; a few more
    // when a copy arrived after the first fetch was done (it asks for the chat again).
    let fetches = desk.fetches();
    let chat_count = u64::try_from(expected.len()).unwrap();
    assert!(
        fetches >= chat_count && fetches <= chat_count + chat_count / 10,
        "{fetches} fetches for {chat_count} chats ({answered:?} deliveries answered, \
         {doubled} sent to both)"
    );
    // And each event is recorded once, whichever receivers took it.
    let accepted = desk
        .store
        .webhook_events(100_000)
        .unwrap()
        .into_iter()
        .filter(|record| record.outcome == WebhookOutcome::Accepted)
        .count();
    assert_eq!(
        u64::try_from(accepted).unwrap(),
        counts["delivered"].as_u64().unwrap(),
        "every event recorded once ({doubled} were delivered twice)"
    );
    desk.stop();
}

#[test]
fn a_receiver_killed_mid_burst_loses_nothing() {
    // Each fetch takes a while, so that the receiver killed has fetches in flight.
    let mut desk = desk("get_chat:latency=300");
    let chats = desk.sandbox_chats();
    let expected: BTreeSet<String> = chats.keys().cloned().collect();
    // Mid-burst: the first receiver has taken part of the announcements, not all.
    common::wait_until(
        Duration::from_secs(60),
        common::POLL,
        "the first receiver taking deliveries",
        || {
            let taken = desk.balancer.answered[0].load(Ordering::SeqCst);
            if taken >= 20 {
                Ok(())
            } else {
                Err(format!("{taken} taken"))
            }
        },
    );
    let mut killed = desk.receivers[0].take().unwrap();
    killed.child.kill().unwrap();
    let status = killed.child.wait().unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9),
        "killed with SIGKILL"
    );
    // It died holding fetch claims (its name on them carries its process id).
    let held = desk.claims_of(killed.child.id());
    assert!(held > 0, "the receiver was killed with no fetch under way");
    // The burst goes on after the kill: a message in every tenth chat.
    let written: BTreeMap<String, String> = chats
        .keys()
        .step_by(10)
        .enumerate()
        .map(|(n, id)| (id.clone(), format!("depois da queda {n}")))
        .collect();
    for (id, text) in &written {
        desk.inbound(id, text);
    }
    desk.wait_for_every_delivery(Duration::from_secs(120));
    // The dead receiver's fetch claims lapse (a minute) and the other takes them: every chat
    // is fetched, and those written after the kill show their last message.
    desk.wait_for_index(Duration::from_secs(180), &expected, |row| {
        written
            .get(&row.key.chat_id)
            .is_none_or(|text| row.columns.last_message_preview.as_deref() == Some(text.as_str()))
    });
    desk.stop();
}
