//! Replying end to end in a pseudo-terminal: the real binary against the sandbox over loopback.
//! A reply typed and sent with ctrl-s is in the sandbox's timeline; a half-written reply
//! survives the console being killed with SIGKILL and is back in the composer after a restart.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    missing_docs
)]

mod common;
#[path = "common/pty.rs"]
mod pty;

use std::path::Path;

use chrono::{DateTime, Utc};
use pty::{Console, spawn};
use serde_json::Value;

const SECRET: &str = "whsec-reply-e2e-7c2a";

/// A chat whose window stays open for more than an hour, and its contact's number.
async fn open_chat(sandbox: &balcao::sandbox::RunningSandbox) -> (String, String) {
    let now = Utc::now();
    let chat = common::chats(sandbox)
        .await
        .into_iter()
        .find(|chat| {
            chat["session_expires_at"].as_str().is_some_and(|end| {
                end.parse::<DateTime<Utc>>().unwrap() - now > chrono::Duration::hours(1)
            })
        })
        .unwrap();
    let id = chat["id"].as_str().unwrap().to_owned();
    let detail: Value = serde_json::from_slice(
        &common::client(sandbox)
            .get_chat(common::uuid(&chat["id"]))
            .await
            .unwrap()
            .raw,
    )
    .unwrap();
    (id, detail["contact_number"].as_str().unwrap().to_owned())
}

async fn timeline(sandbox: &balcao::sandbox::RunningSandbox, id: &str) -> Vec<Value> {
    let page: Value = common::raw()
        .get(format!(
            "{}/integrations/external/chats/{id}/timeline",
            sandbox.url()
        ))
        .bearer_auth(common::TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["message"].clone())
        .collect()
}

/// The console on the sandbox, receiving its webhooks on `port`, in English.
fn console(url: &str, port: u16, data: &Path) -> Console {
    let listen = format!("127.0.0.1:{port}");
    spawn(
        &[
            "--base-url",
            url,
            "--token",
            common::TOKEN,
            "--listen",
            &listen,
            "--webhook-secret",
            SECRET,
            "--lang",
            "en",
        ],
        data,
    )
}

/// Finds the chat by its number and opens its composer.
fn reply_to(console: &mut Console, total: usize, number: &str) {
    console.wait_for(&format!("Chats {total} "));
    console.keys(b"/");
    console.text(number);
    console.keys(b"\r");
    console.wait_for(&format!("Chats 1/{total}"));
    console.keys(b"e");
    console.wait_for("Reply to");
}

async fn sandbox_with_webhooks(port: u16) -> balcao::sandbox::RunningSandbox {
    common::start_with(|config| {
        config.webhook = common::webhook(format!("http://127.0.0.1:{port}/webhooks/wegly"), SECRET);
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_typed_and_sent_with_ctrl_s_is_in_the_timeline() {
    let port = common::free_port();
    let sandbox = sandbox_with_webhooks(port).await;
    let total = common::chats(&sandbox).await.len();
    let (id, number) = open_chat(&sandbox).await;
    let dir = tempfile::tempdir().unwrap();
    let (url, data) = (sandbox.url(), dir.path().to_path_buf());
    tokio::task::spawn_blocking(move || {
        let mut console = console(&url, port, &data);
        reply_to(&mut console, total, &number);
        console.text("Bom dia! Seu pedido sai hoje.");
        console.keys(b"\r");
        console.text("Qualquer coisa, estou aqui.");
        console.keys(b"\x13");
        console.wait_for("reply sent");
        console.quit();
    })
    .await
    .unwrap();
    let last = timeline(&sandbox, &id).await.pop().unwrap();
    assert_eq!(
        last["body_text"],
        "Bom dia! Seu pedido sai hoje.\nQualquer coisa, estou aqui."
    );
    assert_eq!(last["from_me"], true);
    assert_eq!(common::request_count(&sandbox, "send_message").await, 1);
    // Replying cleared the unread count, and the index's row follows.
    let store = balcao::store::Store::open_in(dir.path()).unwrap();
    let key = balcao::store::ChatKey::wegly("default", &id);
    assert_eq!(store.summary(&key).unwrap().unwrap().columns.unread, 0);
    assert_eq!(
        store.load_draft(&key).unwrap(),
        None,
        "the draft is cleared"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_survives_sigkill_and_comes_back_in_the_composer() {
    let port = common::free_port();
    let sandbox = sandbox_with_webhooks(port).await;
    let total = common::chats(&sandbox).await.len();
    let (id, number) = open_chat(&sandbox).await;
    let dir = tempfile::tempdir().unwrap();
    let (url, data) = (sandbox.url(), dir.path().to_path_buf());
    tokio::task::spawn_blocking(move || {
        let mut console = console(&url, port, &data);
        reply_to(&mut console, total, &number);
        console.text("Estou verificando com a transpor");
        // The draft reaches the index as it is typed; then the console dies without a word.
        let key = balcao::store::ChatKey::wegly("default", &id);
        common::wait_until(
            std::time::Duration::from_secs(30),
            common::POLL,
            "the draft in the index",
            || {
                let store = balcao::store::Store::open_in(&data).map_err(|e| e.to_string())?;
                let draft = store.load_draft(&key).map_err(|e| e.to_string())?;
                match draft {
                    Some(draft) if draft.body == "Estou verificando com a transpor" => Ok(()),
                    other => Err(format!("{other:?}")),
                }
            },
        );
        console.child.kill().unwrap();
        console.child.wait().unwrap();
        let mut again = self::console(&url, port, &data);
        again.wait_for(&format!("Chats {total} "));
        again.keys(b"/");
        again.text(&number);
        again.keys(b"\r");
        again.wait_for(&format!("Chats 1/{total}"));
        again.keys(b"e");
        again.wait_for("Estou verificando com a transpor");
        again.text("tadora.");
        again.wait_for("Estou verificando com a transportadora.");
        // esc leaves the composer (the draft kept); then the console quits as usual.
        again.keys(b"\x1b");
        again.wait_for_screen("the composer closed", |screen| {
            !screen.contains("ctrl-s send")
        });
        again.quit();
    })
    .await
    .unwrap();
}
