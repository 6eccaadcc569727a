//! Read state stays honest: opening a chat, fetching it again and reading it (scrolling its
//! detail, reading its conversation) never changes its unread count — not in the CRM (the sandbox over loopback), not in
//! the index, not on screen. Only a reply clears it, as the API does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

#[path = "common/screen.rs"]
mod screen;

use std::collections::HashMap;
use std::sync::Arc;

use balcao::console::state::State;
use balcao::i18n::Lang;
use balcao::store::{ChatKey, Columns, Store};
use crossterm::event::KeyCode;
use screen::Step;

const SIZE: (u16, u16) = (160, 45);

/// A chat with unread messages whose name leaves room in the detail's title for its age, as
/// the sandbox lists it and as fetched.
async fn chat_with_unread(
    sandbox: &balcao::sandbox::RunningSandbox,
) -> (
    serde_json::Value,
    balcao::api::wegly::Fetched<balcao::api::wegly::wire::Chat>,
) {
    let chats = common::chats(sandbox).await;
    let client = common::client(sandbox);
    for chat in &chats {
        if chat["unread_count"].as_i64().is_none_or(|n| n < 2) {
            continue;
        }
        let fetched = client.get_chat(common::uuid(&chat["id"])).await.unwrap();
        if fetched
            .value
            .contact_name
            .as_ref()
            .is_some_and(|name| name.chars().count() <= 30)
        {
            return (chat.clone(), fetched);
        }
    }
    panic!("the seed has chats with unread messages")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_refreshing_and_reading_a_chat_leave_its_unread_count() {
    let sandbox = common::start().await;
    let (chat, fetched) = chat_with_unread(&sandbox).await;
    let id = chat["id"].as_str().unwrap().to_owned();
    let unread = chat["unread_count"].as_i64().unwrap();
    let key = ChatKey::wegly("default", &id);
    // The index holds the chat as fetched three hours ago: opening it fetches it again.
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    store
        .save_details(
            &[(
                key.clone(),
                String::from_utf8(fetched.raw.to_vec()).unwrap(),
                Columns::from(&fetched.value),
            )],
            chrono::Utc::now() - chrono::TimeDelta::hours(3),
        )
        .unwrap();
    let gets_before = common::request_count(&sandbox, "get_chat").await;
    let services = screen::services(
        store.clone(),
        HashMap::from([("default".to_owned(), common::client(&sandbox))]),
        4,
    );
    let unread_line = format!("Unread        {unread}");
    let fetched = |times: u64| -> Step {
        let url = sandbox.url();
        Step::Check(Box::pin(async move {
            // The fetch reached the CRM (the screen reads the same either way).
            for _ in 0..10_000 {
                let counts: serde_json::Value = common::raw()
                    .get(format!("{url}/_sandbox/requests"))
                    .bearer_auth(common::TOKEN)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                if counts["get_chat"].as_u64().unwrap_or(0) >= gets_before + times {
                    return;
                }
                tokio::task::yield_now().await;
            }
            panic!("fetch {times} never reached the sandbox");
        }))
    };
    let script = vec![
        Step::Show(" Chats 1 ".to_owned()),
        Step::Show(unread_line.clone()),
        // Open it: fetched through the actor.
        Step::Key(KeyCode::Enter),
        fetched(1),
        Step::Show("· as of now".to_owned()),
        // Fetch it again.
        Step::Ctrl('r'),
        fetched(2),
        Step::Show("· as of now".to_owned()),
        // Read it: the detail takes the keys and scrolls.
        Step::Key(KeyCode::Tab),
        Step::Key(KeyCode::Char('j')),
        Step::Key(KeyCode::Char('j')),
        Step::Key(KeyCode::Char('k')),
        Step::Key(KeyCode::Char('k')),
        Step::Show(unread_line.clone()),
        // Read its conversation: fetched from the CRM, scrolled message by message, closed.
        Step::Key(KeyCode::Char('t')),
        Step::Show("· conversation ".to_owned()),
        Step::Key(KeyCode::Char('k')),
        Step::Key(KeyCode::Char('k')),
        Step::Key(KeyCode::PageUp),
        Step::Key(KeyCode::Char('t')),
        Step::Show(unread_line.clone()),
        Step::Key(KeyCode::Char('q')),
    ];
    let state = State::new(Lang::En, chrono::Utc::now(), "default".to_owned());

    let (state, last) = screen::run(state, services, SIZE, script).await;

    assert!(state.should_quit, "{last}");
    // On screen: the detail and the list's NEW column.
    assert!(last.contains(&unread_line), "{last}");
    let row = state.inbox.row(&key).unwrap();
    assert_eq!(row.summary.columns.unread, unread, "the list's row");
    // In the index.
    let stored = store.summary(&key).unwrap().unwrap();
    assert_eq!(stored.columns.unread, unread, "the index's row");
    // In the CRM.
    let after = common::chats(&sandbox)
        .await
        .into_iter()
        .find(|c| c["id"] == id.as_str())
        .unwrap();
    assert_eq!(after["unread_count"].as_i64(), Some(unread), "the sandbox");
    assert!(
        common::request_count(&sandbox, "get_chat").await >= gets_before + 2,
        "opened and refreshed through the API"
    );
    assert!(
        common::request_count(&sandbox, "timeline").await >= 1,
        "the conversation was read from the CRM"
    );
}
