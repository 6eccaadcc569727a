//! Team mode benchmarks, on a throwaway PostgreSQL cluster beside a SQLite file:
//! - an accepted webhook to the state of other consoles: a signed delivery posted to a real
//!   `balcao listen` process, until each of 5 watchers (the console's change feed: `watch` then
//!   `changes_since`) holds the chat — p50 and p99;
//! - `balcao listen` throughput (accepted deliveries a second) on PostgreSQL and on SQLite;
//! - start to first screen with 100k chats on PostgreSQL: connect, read the most urgent
//!   screenful.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    clippy::cast_possible_wrap,
    missing_docs
)]

#[path = "../tests/common/cli.rs"]
mod cli;
#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use balcao::store::location::DatabaseUrl;
use balcao::store::{ChatKey, Columns, Store};
use chrono::Utc;
use common::pg;
use criterion::Criterion;

const SECRET: &str = "bench-secret";
const WATCHERS: usize = 5;
const EVENTS: usize = 300;

/// A `balcao listen` on `index` (a path or URL), fetching from a base URL nobody serves (the
/// fetches fail and wait for a retry: only the accepted deliveries are measured).
struct Listen {
    _child: common::KillOnDrop,
    addr: String,
}

fn listen(index: &str, data_dir: &Path) -> Listen {
    // Nothing from this machine's environment or configuration: only what is given here.
    let mut child = cli::balcao(data_dir)
        .args([
            "listen",
            "--bind",
            "127.0.0.1:0",
            "--base-url",
            "http://127.0.0.1:9",
            "--refresh-per-minute",
            "0",
        ])
        .env("BALCAO_INDEX", index)
        .env("WEGLY_TOKEN", "bench-token")
        .env("BALCAO_WEBHOOK_SECRET", SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("listen said {line:?}"))
        .to_owned();
    Listen {
        _child: common::KillOnDrop(child),
        addr,
    }
}

/// One delivery naming `chat_id` on a kept-alive connection; returns the status.
fn post(stream: &mut TcpStream, addr: &str, chat_id: &str) -> u16 {
    let body = format!(
        r#"{{"event_key":"chat.message_received","payload":{{"chat":{{"id":"{chat_id}"}}}}}}"#
    );
    let request = format!(
        "POST /webhooks/wegly HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         x-wegly-event: chat.message_received\r\nx-wegly-signature: {}\r\n\
         content-length: {}\r\n\r\n{body}",
        common::sign(SECRET, body.as_bytes()),
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    read_response(stream)
}

/// Reads one HTTP response (status line, headers, a content-length body); returns the status.
fn read_response(stream: &mut TcpStream) -> u16 {
    let mut head = Vec::new();
    let mut byte = [0_u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let status = head[9..12].parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    stream.read_exact(&mut body).unwrap();
    status
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at]
}

/// An accepted delivery to 5 other consoles' state, p50 and p99.
fn webhook_to_consoles() {
    let url = pg::fresh_database();
    let dir = tempfile::tempdir().unwrap();
    // The schema first, so that the receiver and the watchers start on a ready database.
    let store = Arc::new(Store::connect(&DatabaseUrl::new(&url)).unwrap());
    let receiver = listen(&url, dir.path());
    let (seen_tx, seen_rx) = mpsc::channel::<(usize, String, Instant)>();
    for watcher in 0..WATCHERS {
        let store = Arc::new(Store::connect(&DatabaseUrl::new(&url)).unwrap());
        let seen = seen_tx.clone();
        std::thread::spawn(move || {
            let mut watch = store.watch().unwrap();
            let mut revision = store.revision().unwrap();
            loop {
                let wake = watch.wait(Duration::from_secs(5)).unwrap();
                if !wake.chats {
                    continue;
                }
                let changes = store.changes_since(revision, 1000).unwrap();
                let at = Instant::now();
                revision = changes.revision;
                for chat in changes.chats {
                    if seen.send((watcher, chat.key.chat_id, at)).is_err() {
                        return;
                    }
                }
            }
        });
    }
    drop(store);
    let mut stream = TcpStream::connect(&receiver.addr).unwrap();
    let mut latencies = Vec::with_capacity(EVENTS * WATCHERS);
    for n in 0..EVENTS {
        let chat_id = format!("00000000-0000-4000-8000-{n:012}");
        let sent = Instant::now();
        assert_eq!(post(&mut stream, &receiver.addr, &chat_id), 200);
        // Each watcher once: one may see the chat twice (its row changes again when the
        // receiver's fetch fails) before another has seen it at all.
        let mut waiting: HashSet<usize> = (0..WATCHERS).collect();
        while !waiting.is_empty() {
            let (watcher, id, at) = seen_rx.recv_timeout(Duration::from_secs(10)).unwrap();
            if id == chat_id && waiting.remove(&watcher) {
                latencies.push(at - sent);
            }
        }
    }
    latencies.sort();
    println!(
        "team/webhook_to_{WATCHERS}_consoles: {} deliveries, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        EVENTS,
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().unwrap().as_secs_f64() * 1e3,
    );
}

/// Accepted deliveries a second through one `balcao listen`, 4 connections at once.
fn listen_throughput(name: &str, index: &str, dir: &Path) {
    const PER_CONNECTION: usize = 1_000;
    const CONNECTIONS: usize = 4;
    let receiver = listen(index, dir);
    let started = Instant::now();
    let senders: Vec<_> = (0..CONNECTIONS)
        .map(|connection| {
            let addr = receiver.addr.clone();
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(&addr).unwrap();
                for n in 0..PER_CONNECTION {
                    let chat_id = format!("{connection:08}-0000-4000-8000-{n:012}");
                    assert_eq!(post(&mut stream, &addr, &chat_id), 200);
                }
            })
        })
        .collect();
    for sender in senders {
        sender.join().unwrap();
    }
    let elapsed = started.elapsed();
    let total = PER_CONNECTION * CONNECTIONS;
    println!(
        "team/listen_throughput/{name}: {total} deliveries in {:.2} s = {:.0} a second",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
}

/// 100k hydrated chats in the database at `url`.
fn fill(url: &str, count: usize) {
    let store = Store::connect(&DatabaseUrl::new(url)).unwrap();
    let now = Utc::now();
    let detail = format!("{{\"pad\":\"{}\"}}", "x".repeat(1000));
    for chunk in (0..count).collect::<Vec<_>>().chunks(5_000) {
        let batch: Vec<(ChatKey, String, Columns)> = chunk
            .iter()
            .map(|&n| {
                let columns = Columns {
                    status: Some(["OPEN", "RESOLVED", "CLOSED", "SNOOZED"][n % 4].to_owned()),
                    priority: Some(i64::try_from(n % 4).unwrap()),
                    contact: Some(format!("Cliente {n}")),
                    unread: i64::try_from(n % 7).unwrap(),
                    last_message_at: Some(now - chrono::Duration::minutes(n as i64)),
                    last_message_from_me: Some(n % 2 == 0),
                    window_ends_at: Some(now + chrono::Duration::minutes((n % 2000) as i64 - 600)),
                    ..Columns::default()
                };
                (
                    ChatKey::wegly("default", &format!("{n:08}-0000-4000-8000-000000000000")),
                    detail.clone(),
                    columns,
                )
            })
            .collect();
        store.save_details(&batch, now).unwrap();
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let url = pg::fresh_database();
    fill(&url, 100_000);
    let mut group = criterion.benchmark_group("team");
    group.sample_size(10);
    group.bench_function("start_to_first_screen/postgres/100k", |b| {
        b.iter(|| {
            let store = Store::connect(&DatabaseUrl::new(&url)).unwrap();
            store.first_page(Utc::now(), 45).unwrap()
        });
    });
    group.finish();
    webhook_to_consoles();
    let dir = tempfile::tempdir().unwrap();
    listen_throughput("postgres", &pg::fresh_database(), dir.path());
    let sqlite = dir.path().join("throughput.sqlite3");
    listen_throughput("sqlite", sqlite.to_str().unwrap(), dir.path());
    criterion.final_summary();
}
