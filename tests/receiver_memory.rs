//! More stalled connections than the cap, each with a nearly whole 1 MiB body, against a real
//! `balcao listen`: every one is answered and closed, and the process's peak memory stays
//! bounded by the cap and the body memory, not by the number of senders.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const SENDERS: usize = 200;
const BODY: usize = 1024 * 1024;
/// Far beyond the time the receiver needs to cut every sender (about SENDERS / cap body
/// timeouts): reaching it means connections are held open.
const SAFETY: Duration = Duration::from_secs(90);

/// A `/proc/PID/status` field in KiB (`VmRSS`, `VmHWM`).
fn memory_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_bodies_past_the_cap_do_not_grow_memory_with_the_senders() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[receiver]\nheader_timeout_secs = 5\nbody_timeout_secs = 1\nidle_timeout_secs = 5\n\
         max_connections = 32\nbody_memory_mib = 16\n",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_balcao"))
        .args([
            "listen",
            "--bind",
            "127.0.0.1:0",
            "--base-url",
            "http://127.0.0.1:9",
        ])
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .env("WEGLY_TOKEN", "token-unused-here")
        .env("BALCAO_WEBHOOK_SECRET", "whsec-memory-0b7d")
        .env("XDG_CONFIG_HOME", dir.path().join("no-config"))
        .env_remove("BALCAO_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let pid = child.id();
    let _listen = common::KillOnDrop(child);
    let addr = first
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("first line: {first:?}"))
        .to_owned();
    let baseline = memory_kib(pid, "VmRSS");

    let head = format!(
        "POST /webhooks/wegly HTTP/1.1\r\nhost: receiver\r\nx-wegly-event: chat.message_sent\r\n\
         content-length: {BODY}\r\n\r\n"
    );
    // One byte short of the declared length: the receiver waits for the rest.
    let body: Arc<[u8]> = vec![b'x'; BODY - 1].into();
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..SENDERS {
        let (addr, head, body) = (addr.clone(), head.clone(), body.clone());
        senders.spawn(async move {
            let mut stream = TcpStream::connect(&addr).await.unwrap();
            // A write cut short by the server closing is the outcome awaited, not an error.
            if stream.write_all(head.as_bytes()).await.is_ok() {
                let _sent = stream.write_all(&body).await.is_ok();
            }
            common::closed_by_server(&mut stream).await;
        });
    }
    let all_closed = tokio::time::timeout(SAFETY, senders.join_all()).await;
    let peak = memory_kib(pid, "VmHWM");
    let grown = peak.saturating_sub(baseline);
    assert!(
        all_closed.is_ok(),
        "{SENDERS} stalled senders still held after {SAFETY:?}; peak memory {peak} KiB from {baseline} KiB"
    );
    eprintln!(
        "balcao listen: {baseline} KiB before, peak {peak} KiB with {SENDERS} stalled 1 MiB bodies"
    );
    // 32 connections and 16 MiB of bodies; 200 bodies held at once would be over 200 MiB.
    assert!(
        grown < 64 * 1024,
        "peak memory grew by {grown} KiB (from {baseline} KiB to {peak} KiB)"
    );
}
