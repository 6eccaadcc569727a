//! One chat, one row: every spelling of a chat's UUID (upper case, braces, `urn:uuid:`, no
//! hyphens) that enters through the receiver, `add` or `inbox remove` names the same row.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "common/cli.rs"]
mod cli;
mod common;

use std::process::Command;
use std::sync::Arc;

use balcao::store::{ChatKey, Store, normalize_chat_id};
use serde_json::json;

const SECRET: &str = "whsec-ids-4b1e";
const CANONICAL: &str = "6a84e8d5-1f2b-4c3d-8e9f-0a1b2c3d4e5f";

fn spellings() -> [String; 5] {
    let upper = CANONICAL.to_uppercase();
    [
        upper.clone(),
        format!("{{{CANONICAL}}}"),
        format!("urn:uuid:{CANONICAL}"),
        CANONICAL.replace('-', ""),
        format!("  {upper}  "),
    ]
}

#[test]
fn every_spelling_normalises_to_the_lowercase_hyphenated_form() {
    for spelling in spellings() {
        assert_eq!(
            normalize_chat_id(&spelling).as_deref(),
            Some(CANONICAL),
            "{spelling}"
        );
        assert_eq!(ChatKey::wegly("default", &spelling).chat_id, CANONICAL);
    }
    for not_an_id in [
        "",
        "6a84e8d5",
        "zz84e8d5-1f2b-4c3d-8e9f-0a1b2c3d4e5f",
        "../etc",
    ] {
        assert_eq!(normalize_chat_id(not_an_id), None, "{not_an_id}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_naming_one_chat_in_five_spellings_make_one_row() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let state = common::receiver_state(&store, "default", SECRET, None);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks/wegly", listener.local_addr().unwrap());
    common::serve_receiver(listener, state);
    for spelling in spellings() {
        let body = serde_json::to_vec(&json!({
            "event_key": "chat.message_received",
            "payload": {"chat_id": spelling.trim()},
        }))
        .unwrap();
        let response = common::raw()
            .post(&url)
            .header("content-type", "application/json")
            .header("x-wegly-event", "chat.message_received")
            .header("x-wegly-signature", common::sign(SECRET, &body))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{spelling}");
    }
    assert_eq!(indexed_ids(&store), vec![CANONICAL.to_owned()]);
}

/// The binary on `data_dir`, with a Wegly account whose server nothing answers: `add` stores
/// the ids first and fetches afterwards.
fn balcao(data_dir: &std::path::Path) -> Command {
    let mut command = cli::balcao(data_dir);
    command
        .env(
            "WEGLY_BASE_URL",
            format!("http://127.0.0.1:{}", common::free_port()),
        )
        .env("WEGLY_TOKEN", "tok-ids");
    command
}

/// The chat ids the index holds a row for.
fn indexed_ids(store: &Store) -> Vec<String> {
    store
        .summaries()
        .unwrap()
        .into_iter()
        .map(|row| row.key.chat_id)
        .collect()
}

#[test]
fn add_and_inbox_remove_take_any_spelling_of_one_chat() {
    let dir = tempfile::tempdir().unwrap();
    let spellings = spellings();
    let output = balcao(dir.path())
        .arg("add")
        .args(spellings.iter().map(|s| s.trim()))
        .output()
        .unwrap();
    assert!(
        output.status.code().is_some(),
        "add ended by a signal: {output:?}"
    );
    let store = Store::open_in(dir.path()).unwrap();
    assert_eq!(indexed_ids(&store), vec![CANONICAL.to_owned()]);
    drop(store);
    let removed = balcao(dir.path())
        .args(["inbox", "remove", &CANONICAL.to_uppercase()])
        .output()
        .unwrap();
    assert_eq!(
        removed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&removed.stderr)
    );
    let store = Store::open_in(dir.path()).unwrap();
    assert!(store.summaries().unwrap().is_empty());
}
