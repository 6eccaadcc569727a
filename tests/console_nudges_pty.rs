//! Nudges and copying in a pseudo-terminal: the real binary on the sandbox over loopback, its
//! webhooks reaching the console's receiver. A customer writing (`POST /_sandbox/inbound`) in a
//! chat held by this person (`me` in config.toml) rings the bell (OSC 9 and 777 with
//! `notify = "desktop"`), and nothing with `notify = "off"`; `y`
//! writes the chat's id to the clipboard as OSC 52.
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

use pty::spawn_with;
use serde_json::json;

const SECRET: &str = "whsec-nudge-9c2e";

/// Standard base64 (RFC 4648), written here apart from the console's own, to check its bytes.
fn base64(bytes: &[u8]) -> String {
    let alphabet: Vec<char> = ('A'..='Z')
        .chain('a'..='z')
        .chain('0'..='9')
        .chain(['+', '/'])
        .collect();
    let bits: String = bytes
        .iter()
        .flat_map(|byte| {
            (0..8)
                .rev()
                .map(move |bit| if byte >> bit & 1 == 1 { '1' } else { '0' })
        })
        .collect();
    let mut out = String::new();
    for chunk in bits.as_bytes().chunks(6) {
        let mut six = String::from_utf8(chunk.to_vec()).unwrap();
        while six.len() < 6 {
            six.push('0');
        }
        out.push(alphabet[usize::from_str_radix(&six, 2).unwrap()]);
    }
    while !out.len().is_multiple_of(4) {
        out.push('=');
    }
    out
}

/// Runs the console with `notify`, lets the customer of a chat `me` holds write, and returns
/// what the console wrote after the list was in (and the chat's id).
async fn customer_writes(notify: &str) -> (Vec<u8>, String) {
    let port = common::free_port();
    let sandbox = common::start_with(|config| {
        config.webhook = common::webhook(format!("http://127.0.0.1:{port}/webhooks/wegly"), SECRET);
    })
    .await;
    let total = common::chats(&sandbox).await.len();
    let chat = common::chat_with_two_participants(&sandbox).await;
    let id = chat["id"].as_str().unwrap().to_owned();
    let me = chat["responsible_user_id"].as_str().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "notify = \"{notify}\"\n\n[[accounts]]\nname = \"default\"\nprovider = \"wegly\"\nbase_url = \"{}\"\nme = \"{me}\"\n",
            sandbox.url()
        ),
    )
    .unwrap();
    let listen = format!("127.0.0.1:{port}");
    let data = dir.path().to_path_buf();
    let url = sandbox.url();
    let ringing = notify != "off";
    let (console_tx, console_rx) = std::sync::mpsc::channel::<()>();
    let (loaded_tx, loaded_rx) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::task::spawn_blocking(move || {
        let mut console = spawn_with(
            &[
                "--token",
                common::TOKEN,
                "--listen",
                &listen,
                "--webhook-secret",
                SECRET,
                "--lang",
                "en",
            ],
            &data,
            &[("BALCAO_CONFIG", config.to_str().unwrap())],
        );
        // Every seeded chat arrives by webhook (none of them rings: they were written before).
        console.wait_for(&format!("Chats {total} "));
        let mark = console.raw.len();
        loaded_tx.send(()).unwrap();
        console_rx.recv().unwrap();
        // The customer's message is in once the list finds the chat by it.
        console.keys(b"/");
        console.text("zqnudgeword");
        console.keys(b"\r");
        console.wait_for(&format!("Chats 1/{total}"));
        if ringing {
            console.wait_for(" wrote");
        }
        console.keys(b"y");
        console.wait_for("Chat id sent to the clipboard");
        let raw = console.quit();
        raw[mark..].to_vec()
    });
    loaded_rx.await.unwrap();
    let answer = common::raw()
        .post(format!("{url}/_sandbox/inbound"))
        .bearer_auth(common::TOKEN)
        .json(&json!({"chat_id": id, "body": "zqnudgeword: is anyone there?"}))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
    console_tx.send(()).unwrap();
    (running.await.unwrap(), id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_writing_in_my_chat_rings_the_bell_and_y_copies_the_id() {
    let (written, id) = customer_writes("bell").await;
    let text = String::from_utf8_lossy(&written);
    let clipboard = format!("\x1b]52;c;{}\x07", base64(id.as_bytes()));
    assert!(text.contains(&clipboard), "no {clipboard:?} in {text:?}");
    let without_clipboard = text.replace(&clipboard, "");
    assert!(
        without_clipboard.contains('\x07'),
        "no bell after the customer wrote"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notify_off_never_rings() {
    let (written, id) = customer_writes("off").await;
    let text = String::from_utf8_lossy(&written);
    let clipboard = format!("\x1b]52;c;{}\x07", base64(id.as_bytes()));
    assert!(text.contains(&clipboard), "no {clipboard:?} in {text:?}");
    assert!(
        !text.replace(&clipboard, "").contains('\x07'),
        "a bell with notify = \"off\""
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desktop_notifications_go_out_as_osc_9_and_777() {
    let (written, _) = customer_writes("desktop").await;
    let text = String::from_utf8_lossy(&written);
    assert!(text.contains("\x1b]9;balcão: "), "no OSC 9 in {text:?}");
    assert!(
        text.contains("\x1b]777;notify;balcão;"),
        "no OSC 777 in {text:?}"
    );
    assert!(text.contains(" wrote\x07"), "{text:?}");
}
