//! `kill -9` during a burst of writes: the index opens, passes `integrity_check`, and holds
//! everything committed before the kill. The writer is a real child process (this same test
//! binary, started in its writer role).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use balcao::store::{ChatKey, Columns, Source, Store};
use chrono::Utc;

const WRITER_ENV: &str = "BALCAO_CRASH_WRITER_DIR";

/// The child's role: write forever, printing each chat id once its transaction committed.
#[test]
#[ignore = "run only as the child of sigkill_during_a_write_burst_loses_nothing_committed"]
fn crash_writer_role() {
    let dir = std::env::var_os(WRITER_ENV).expect("started by the crash test");
    let store = Store::open_in(std::path::Path::new(&dir)).unwrap();
    let mut out = std::io::stdout().lock();
    for n in 0_u64.. {
        let key = ChatKey::wegly("default", &format!("crash-{n:08}"));
        let columns = Columns {
            contact: Some(format!("Cliente {n}")),
            unread: 1,
            last_message_preview: Some("x".repeat(200)),
            ..Columns::default()
        };
        if n % 3 == 0 {
            store.note_chat(&key, Source::Manual, Utc::now()).unwrap();
            store
                .save_detail(
                    &key,
                    &format!("{{\"id\":\"{n}\",\"pad\":\"{}\"}}", "y".repeat(500)),
                    &columns,
                    Utc::now(),
                )
                .unwrap();
        } else {
            store
                .note_webhook(&key, Some(&columns), Utc::now())
                .unwrap();
        }
        writeln!(out, "committed {}", key.chat_id).unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn sigkill_during_a_write_burst_loses_nothing_committed() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "crash_writer_role",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(WRITER_ENV, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut committed = Vec::new();
    while committed.len() < 400 {
        let line = lines.next().expect("the writer stopped early").unwrap();
        if let Some(id) = line.strip_prefix("committed ") {
            committed.push(id.to_owned());
        }
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no checkpoint, mid-transaction.
    let status = child.wait().unwrap();
    assert!(!status.success(), "the writer was killed, not finished");
    // Lines already in the pipe were committed too.
    for line in lines.map_while(Result::ok) {
        if let Some(id) = line.strip_prefix("committed ") {
            committed.push(id.to_owned());
        }
    }
    let store = Store::open_in(dir.path()).unwrap();
    store.integrity_check().unwrap();
    let stored: std::collections::HashSet<String> = store
        .summaries()
        .unwrap()
        .into_iter()
        .map(|s| s.key.chat_id)
        .collect();
    for id in &committed {
        assert!(
            stored.contains(id),
            "{id} was committed before the kill but is missing"
        );
    }
    assert!(stored.len() >= committed.len());
    let detail = store
        .detail(&ChatKey::wegly("default", "crash-00000000"))
        .unwrap();
    assert!(detail.is_some_and(|d| d.starts_with("{\"id\":\"0\"")));
}
