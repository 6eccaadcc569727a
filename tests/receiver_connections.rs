//! Senders that hold connections open: a head trickling in, a body that stops, a kept-alive
//! connection left idle, more connections than the cap. Each against a real receiver on
//! loopback with short limits; every wait is on the server closing the connection (a read
//! returning end of file), with a generous deadline only as a safety net.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    missing_docs
)]

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use balcao::store::{Store, WebhookOutcome};
use balcao::webhook::ReceiverLimits;
use balcao::webhook::receiver::ReceiverState;
use balcao::webhook::serve::serve;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::Instant;

const SECRET: &str = "whsec-connections-5c1e";
/// Far beyond any limit used here: reaching it means the server never closed the connection.
const SAFETY: Duration = Duration::from_secs(30);

struct Receiver {
    addr: SocketAddr,
    store: Arc<Store>,
    _stop: watch::Sender<bool>,
    _dir: tempfile::TempDir,
}

fn receiver_state(store: &Arc<Store>) -> Arc<ReceiverState> {
    common::receiver_state(store, "default", SECRET, None)
}

async fn start(limits: ReceiverLimits) -> Receiver {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let state = receiver_state(&store);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = watch::channel(false);
    tokio::spawn(serve(listener, state, limits, stopped));
    Receiver {
        addr,
        store,
        _stop: stop,
        _dir: dir,
    }
}

fn limits(header: u64, body: u64, idle: u64, max_connections: usize) -> ReceiverLimits {
    ReceiverLimits {
        header_timeout: Duration::from_secs(header),
        body_timeout: Duration::from_secs(body),
        idle_timeout: Duration::from_secs(idle),
        max_connections,
        ..ReceiverLimits::DEFAULT
    }
}

fn signed_request(chat_id: &str) -> Vec<u8> {
    let body = serde_json::to_vec(&serde_json::json!({
        "event_key": "chat.message_received",
        "payload": {"chat": {"id": chat_id}},
    }))
    .unwrap();
    let signature = common::sign(SECRET, &body);
    let mut request = format!(
        "POST /webhooks/wegly HTTP/1.1\r\nhost: receiver\r\ncontent-type: application/json\r\n\
         x-wegly-event: chat.message_received\r\nx-wegly-signature: {signature}\r\n\
         content-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(&body);
    request
}

/// Reads one HTTP/1.1 response (head and a `content-length` body); its status and body.
async fn read_response(stream: &mut TcpStream) -> (u16, String) {
    let mut received = Vec::new();
    let mut chunk = [0_u8; 4096];
    let head_end = loop {
        if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(
            n > 0,
            "closed before a response: {:?}",
            String::from_utf8_lossy(&received)
        );
        received.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&received[..head_end]).to_lowercase();
    let status = head[9..12].parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .map_or(0, |value| value.trim().parse().unwrap());
    while received.len() < head_end + length {
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "closed in the middle of a response");
        received.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&received[head_end..head_end + length]).into_owned();
    (status, body)
}

/// Whether the server has closed this (non-blocking) connection, without waiting.
fn closed_now(stream: &mut std::net::TcpStream) -> bool {
    let mut sink = [0_u8; 4096];
    loop {
        match stream.read(&mut sink) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(error) if error.kind() == ErrorKind::WouldBlock => return false,
            Err(error) if common::is_closed(&error) => return true,
            Err(error) => panic!("unexpected error probing a connection: {error}"),
        }
    }
}

/// A connection that sent part of a request head and then nothing.
fn stalled_head(addr: SocketAddr) -> std::net::TcpStream {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .write_all(b"POST /webhooks/wegly HTTP/1.1\r\nhost: receiver\r\nx-wegly-ev")
        .unwrap();
    stream.set_nonblocking(true).unwrap();
    stream
}

/// A connection that sent its head and half of a body of `length` bytes, and then nothing.
fn stalled_body(addr: SocketAddr, length: usize) -> std::net::TcpStream {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .write_all(
            format!(
                "POST /webhooks/wegly HTTP/1.1\r\nhost: receiver\r\ncontent-length: {length}\r\n\r\n"
            )
            .as_bytes(),
        )
        .unwrap();
    stream.write_all(&vec![b'{'; length / 2]).unwrap();
    stream.set_nonblocking(true).unwrap();
    stream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_trickling_in_byte_by_byte_is_cut_at_the_header_timeout() {
    const SLOW: usize = 20;
    let receiver = start(limits(1, 30, 30, 64)).await;
    let started = Instant::now();
    let mut slow = tokio::task::JoinSet::new();
    for index in 0..SLOW {
        let addr = receiver.addr;
        slow.spawn(async move {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            let head = format!(
                "POST /webhooks/wegly HTTP/1.1\r\nhost: receiver\r\nx-pad-{index}: {}",
                "a".repeat(10_000)
            );
            // One byte every 50 ms: the pace of the attack, not a way to order events.
            let mut pace = tokio::time::interval(Duration::from_millis(50));
            let mut sink = [0_u8; 256];
            for byte in head.bytes() {
                tokio::select! {
                    _ = pace.tick() => {
                        if let Err(error) = stream.write_all(&[byte]).await {
                            assert!(common::is_closed(&error), "{error}");
                            return Instant::now();
                        }
                    }
                    read = stream.read(&mut sink) => match read {
                        Ok(0) => return Instant::now(),
                        Err(error) if common::is_closed(&error) => return Instant::now(),
                        other => panic!("the server answered a head that never ended: {other:?}"),
                    },
                }
            }
            panic!("the whole head was sent without the connection being closed");
        });
    }
    let closed = tokio::time::timeout(SAFETY, slow.join_all())
        .await
        .expect("slow heads were never closed");
    assert_eq!(closed.len(), SLOW);
    for at in closed {
        let after = at - started;
        assert!(
            after >= Duration::from_secs(1),
            "closed after {after:?}, before the timeout"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_stops_is_refused_at_the_body_timeout_and_recorded_without_it() {
    let receiver = start(limits(30, 1, 30, 64)).await;
    let mut stream = TcpStream::connect(receiver.addr).await.unwrap();
    let sent = b"{\"event_key\":";
    stream
        .write_all(
            b"POST /webhooks/wegly HTTP/1.1\r\nhost: receiver\r\nx-wegly-event: chat.message_sent\r\n\
              content-length: 1000\r\n\r\n",
        )
        .await
        .unwrap();
    stream.write_all(sent).await.unwrap();
    let (status, body) = tokio::time::timeout(SAFETY, read_response(&mut stream))
        .await
        .expect("a stalled body was never answered");
    assert_eq!(status, 408, "{body}");
    assert!(body.contains("body_timeout_secs"), "{body}");
    tokio::time::timeout(SAFETY, common::closed_by_server(&mut stream))
        .await
        .expect("the connection stayed open after the 408");
    let events = receiver.store.webhook_events(10).unwrap();
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.outcome, WebhookOutcome::Refused);
    assert!(
        event
            .reason
            .as_deref()
            .unwrap()
            .contains("not received within 1s")
    );
    assert_eq!(event.body_size, sent.len() as u64);
    assert_eq!(
        event.body_sha256.as_deref(),
        Some(hex::encode(Sha256::digest(sent)).as_str())
    );
    assert!(event.raw_body.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_kept_alive_connection_is_closed_at_the_idle_timeout_not_the_header_one() {
    let receiver = start(limits(1, 30, 3, 64)).await;
    let mut stream = TcpStream::connect(receiver.addr).await.unwrap();
    stream
        .write_all(&signed_request("8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23"))
        .await
        .unwrap();
    let (status, body) = read_response(&mut stream).await;
    assert_eq!(status, 200, "{body}");
    // Kept alive: a second request on the same connection is served. The server's idle spell
    // starts after it answers, so it is at most the time since this request was sent.
    let sent = Instant::now();
    stream
        .write_all(&signed_request("11111111-1111-4111-8111-111111111111"))
        .await
        .unwrap();
    let (status, body) = read_response(&mut stream).await;
    assert_eq!(status, 200, "{body}");
    tokio::time::timeout(SAFETY, common::closed_by_server(&mut stream))
        .await
        .expect("an idle connection was never closed");
    let idle = sent.elapsed();
    assert!(
        idle >= Duration::from_secs(3),
        "closed {idle:?} after the last request: the idle timeout is 3 s (the header one 1 s)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_webhook_is_accepted_while_slow_senders_hold_connections() {
    const SLOW: usize = 48;
    let receiver = start(limits(30, 30, 30, 64)).await;
    // Half stop in their head, half in the middle of a 100 KiB body.
    let mut slow: Vec<std::net::TcpStream> = (0..SLOW)
        .map(|index| {
            if index % 2 == 0 {
                stalled_head(receiver.addr)
            } else {
                stalled_body(receiver.addr, 100 * 1024)
            }
        })
        .collect();
    let response = common::raw()
        .post(format!("http://{}/webhooks/wegly", receiver.addr))
        .header("x-wegly-event", "chat.message_received")
        .header(
            "x-wegly-signature",
            common::sign(SECRET, br#"{"event_key":"chat.message_received","payload":{"chat_id":"22222222-2222-4222-8222-222222222222"}}"#),
        )
        .body(r#"{"event_key":"chat.message_received","payload":{"chat_id":"22222222-2222-4222-8222-222222222222"}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let rows = receiver.store.summaries().unwrap();
    assert_eq!(rows.len(), 1);
    assert!(
        slow.iter_mut().all(|stream| !closed_now(stream)),
        "below the cap, slow senders are not cut to make room"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_cap_a_new_connection_waits_and_is_served_once_a_slow_one_is_cut() {
    const CAP: usize = 8;
    let receiver = start(limits(2, 30, 30, CAP)).await;
    // They connect first, so they are accepted first and fill every slot.
    let mut slow: Vec<std::net::TcpStream> =
        (0..CAP).map(|_| stalled_head(receiver.addr)).collect();
    let mut legit = TcpStream::connect(receiver.addr).await.unwrap();
    legit
        .write_all(&signed_request("33333333-3333-4333-8333-333333333333"))
        .await
        .unwrap();
    let (status, body) = tokio::time::timeout(SAFETY, read_response(&mut legit))
        .await
        .expect("the signed webhook was never served");
    assert_eq!(status, 200, "{body}");
    let cut = slow
        .iter_mut()
        .map(closed_now)
        .filter(|closed| *closed)
        .count();
    assert!(
        cut >= 1,
        "the webhook past the cap was served while all {CAP} slow connections were still open"
    );
    assert_eq!(receiver.store.summaries().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_largest_body_gets_through_the_smallest_body_memory() {
    let receiver = start(ReceiverLimits {
        body_memory: balcao::webhook::limits::MIN_BODY_MEMORY,
        ..limits(30, 30, 30, 8)
    })
    .await;
    let chat_id = "44444444-4444-4444-8444-444444444444";
    let mut body = format!(
        r#"{{"event_key":"chat.message_received","payload":{{"chat_id":"{chat_id}","pad":""#
    )
    .into_bytes();
    let tail = br#""}}"#;
    body.resize(balcao::webhook::limits::MAX_BODY_BYTES - tail.len(), b'x');
    body.extend_from_slice(tail);
    let signature = common::sign(SECRET, &body);
    let response = tokio::time::timeout(
        SAFETY,
        common::raw()
            .post(format!("http://{}/webhooks/wegly", receiver.addr))
            .header("x-wegly-event", "chat.message_received")
            .header("x-wegly-signature", signature)
            .body(body)
            .send(),
    )
    .await
    .expect("the largest body waited for memory that never came")
    .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(receiver.store.summaries().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_closes_slow_and_idle_connections_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let state = receiver_state(&store);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = watch::channel(false);
    // Every limit far beyond the safety deadline: only stopping can close these.
    let served = tokio::spawn(serve(listener, state, limits(600, 600, 600, 64), stopped));
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(&signed_request("55555555-5555-4555-8555-555555555555"))
        .await
        .unwrap();
    let (status, body) = read_response(&mut idle).await;
    assert_eq!(status, 200, "{body}");
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"POST /webhooks/wegly HTTP/1.1\r\nhost: rec")
        .await
        .unwrap();
    stop.send(true).unwrap();
    tokio::time::timeout(SAFETY, async {
        common::closed_by_server(&mut idle).await;
        common::closed_by_server(&mut slow).await;
        served.await.unwrap();
    })
    .await
    .expect("stopping waited on connections with nothing in flight");
    assert_eq!(store.summaries().unwrap().len(), 1);
}
