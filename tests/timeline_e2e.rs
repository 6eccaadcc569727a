//! The conversation end to end in a pseudo-terminal: the real binary fetches a chat's timeline
//! from the sandbox over loopback with `t`, keeps it in the index, and shows it again from the
//! index with the network down, "as of" that fetch.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;
#[path = "common/pty.rs"]
mod pty;

use std::path::Path;

use pty::spawn;

/// A base URL where nothing listens.
fn dead_url() -> String {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    url
}

/// Opens the chat whose number is `number` and shows its conversation.
fn open_conversation(console: &mut pty::Console, number: &str) {
    console.keys(b"/");
    console.text(number);
    console.keys(b"\r");
    console.wait_for("Chats 1/");
    console.keys(b"\r");
    console.keys(b"t");
    console.wait_for("conversation");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t_shows_the_conversation_and_the_index_keeps_it_for_offline() {
    let sandbox = common::start().await;
    let chat = common::chats(&sandbox).await[0].clone();
    let id = chat["id"].as_str().unwrap().to_owned();
    for body in ["primeira 7731", "segunda 7731"] {
        let response = common::raw()
            .post(format!("{}/_sandbox/inbound", sandbox.url()))
            .bearer_auth(common::TOKEN)
            .json(&serde_json::json!({"chat_id": id, "body": body}))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }
    // The index knows the chat (as a receiver would have told it).
    let dir = tempfile::tempdir().unwrap();
    let fetched = common::client(&sandbox)
        .get_chat(common::uuid(&chat["id"]))
        .await
        .unwrap();
    let number = fetched.value.contact_number.clone().unwrap();
    let key = balcao::store::ChatKey::wegly("default", &id);
    {
        let store = balcao::store::Store::open_in(dir.path()).unwrap();
        let raw = String::from_utf8(fetched.raw.to_vec()).unwrap();
        let columns = balcao::store::Columns::from(&fetched.value);
        store
            .save_detail(&key, &raw, &columns, chrono::Utc::now())
            .unwrap();
    }
    let (url, data) = (sandbox.url(), dir.path().to_path_buf());
    let online_number = number.clone();
    tokio::task::spawn_blocking(move || {
        let mut console = spawn(
            &["--base-url", &url, "--token", common::TOKEN, "--lang", "en"],
            &data,
        );
        console.wait_for("Chats 1 ");
        open_conversation(&mut console, &online_number);
        // The older message, which the detail's last message does not show.
        console.wait_for("primeira 7731");
        console.quit();
    })
    .await
    .unwrap();
    assert!(common::request_count(&sandbox, "timeline").await >= 1);
    let stored = balcao::store::Store::open_in(dir.path())
        .unwrap()
        .timeline(&key)
        .unwrap()
        .expect("the conversation is in the index");
    assert!(
        stored
            .rows
            .iter()
            .any(|row| row.raw.contains("primeira 7731"))
    );

    sandbox.shutdown().await.unwrap();
    let data: &Path = dir.path();
    let data = data.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut console = spawn(
            &[
                "--base-url",
                &dead_url(),
                "--token",
                "t",
                "--lang",
                "en",
                "--timeout",
                "2",
            ],
            &data,
        );
        console.wait_for("Chats 1 ");
        open_conversation(&mut console, &number);
        console.wait_for("primeira 7731");
        console.wait_for("not refreshed");
        console.quit();
    })
    .await
    .unwrap();
}
