//! The console's runtime, `app::run`, driven whole: ratatui's `TestBackend` for the screen, a
//! scripted stream of key events for the keyboard, and real services behind it (the API actor
//! speaking to the sandbox over loopback, a SQLite index in a temporary directory). The script
//! never waits on time: each step waits until the screen shows what the previous ones caused.
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
use screen::{Step, typed};

const SIZE: (u16, u16) = (160, 45);

/// Twelve chats of the sandbox, three of them with the responsible who has the most chats
/// (every chat's detail fetched through the client, as hydration would), and that responsible.
async fn index_of_twelve(sandbox: &balcao::sandbox::RunningSandbox, store: &Store) -> String {
    let chats = common::chats(sandbox).await;
    let mut per_responsible: HashMap<&str, usize> = HashMap::new();
    for chat in &chats {
        if let Some(id) = chat["responsible_user_id"].as_str() {
            *per_responsible.entry(id).or_default() += 1;
        }
    }
    let busiest = per_responsible
        .iter()
        .max_by_key(|(id, count)| (**count, **id))
        .map(|(id, _)| (*id).to_owned())
        .unwrap();
    let theirs = chats
        .iter()
        .filter(|chat| chat["responsible_user_id"] == busiest.as_str())
        .take(3);
    let others = chats
        .iter()
        .filter(|chat| chat["responsible_user_id"] != busiest.as_str())
        .take(9);
    let client = common::client(sandbox);
    let mut batch = Vec::new();
    for chat in theirs.chain(others) {
        let fetched = client.get_chat(common::uuid(&chat["id"])).await.unwrap();
        batch.push((
            ChatKey::wegly("default", chat["id"].as_str().unwrap()),
            String::from_utf8(fetched.raw.to_vec()).unwrap(),
            Columns::from(&fetched.value),
        ));
    }
    store.save_details(&batch, chrono::Utc::now()).unwrap();
    busiest
}

#[tokio::test]
async fn run_filters_moves_the_selection_and_quits_on_real_services() {
    let sandbox = common::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let responsible = index_of_twelve(&sandbox, &store).await;
    let unread = common::client(&sandbox)
        .unread_summary()
        .await
        .unwrap()
        .value;
    let totals = (
        unread.unread_messages_total.unwrap(),
        unread.unread_chats_total.unwrap(),
    );
    let envelope = format!("✉ {}/{}", totals.0, totals.1);
    let services = screen::services(
        store,
        HashMap::from([("default".to_owned(), common::client(&sandbox))]),
        4,
    );
    let filter = format!("responsible:{responsible}");
    let mut script = vec![
        // The index read in full, and the sandbox's unread totals through the API actor.
        Step::Show(" Chats 12 ".to_owned()),
        Step::Show(envelope.clone()),
        Step::Key(KeyCode::Char('/')),
    ];
    script.extend(typed(&filter));
    script.extend([
        Step::Key(KeyCode::Enter),
        Step::Show(" Chats 3/12 ".to_owned()),
        Step::Key(KeyCode::Char('j')),
        Step::Key(KeyCode::Char('q')),
    ]);
    let state = State::new(Lang::En, chrono::Utc::now(), "default".to_owned());

    let (state, last) = screen::run(state, services, SIZE, script).await;

    assert!(
        state.should_quit,
        "the run ended by `q`, not by the end of the keys"
    );
    assert_eq!(state.inbox.filter_text, filter);
    assert_eq!(
        state.inbox.visible_len(),
        3,
        "the filter let their three chats through"
    );
    for n in 0..3 {
        let row = state.inbox.visible_row(n).unwrap();
        assert_eq!(
            row.summary.columns.responsible_user_id.as_deref(),
            Some(responsible.as_str())
        );
    }
    assert_eq!(state.inbox.selected(), Some(1), "`j` moved down one row");
    assert_eq!(
        state.unread,
        Some(totals),
        "the actor's answer reached the state"
    );
    assert!(
        last.contains(" Chats 3/12 ") && last.contains(&envelope),
        "the last frame:\n{last}"
    );
}

/// The responsible of chat `id` in the sandbox.
async fn responsible_in_sandbox(sandbox: &balcao::sandbox::RunningSandbox, id: &str) -> String {
    let chat = common::client(sandbox)
        .get_chat(id.parse().unwrap())
        .await
        .unwrap();
    chat.value.responsible_user_id().unwrap().to_owned()
}

/// Checks that exactly `n` of `theirs` are `target`'s in the sandbox, and keeps which.
async fn moved_to(
    sandbox: Arc<balcao::sandbox::RunningSandbox>,
    theirs: Vec<String>,
    target: String,
    n: usize,
    moved: Arc<std::sync::Mutex<Vec<String>>>,
) {
    let mut now_target = Vec::new();
    for id in &theirs {
        if responsible_in_sandbox(&sandbox, id).await == target {
            now_target.push(id.clone());
        }
    }
    assert_eq!(now_target.len(), n, "{n} chat(s) moved: {now_target:?}");
    *moved.lock().unwrap() = now_target;
}

/// The chats `responsible` holds in the sandbox, and someone (id, name) each of them may be
/// handed to.
async fn theirs_and_target(
    sandbox: &balcao::sandbox::RunningSandbox,
    responsible: &str,
) -> (Vec<String>, String, String) {
    // Their chats, and someone each of them may be handed to.
    let client = common::client(sandbox);
    let mut theirs = Vec::new();
    let mut shared: Option<Vec<(String, String)>> = None;
    for chat in common::chats(sandbox).await {
        if chat["responsible_user_id"] != responsible {
            continue;
        }
        let fetched = client.get_chat(common::uuid(&chat["id"])).await.unwrap();
        let conversation = balcao::api::Conversation::Chat(Box::new(fetched.value));
        let here: Vec<(String, String)> = conversation
            .assignees(&[])
            .into_iter()
            .filter(|a| a.user_id != responsible)
            .map(|a| (a.user_id, a.name))
            .collect();
        shared = Some(match shared {
            None => here,
            Some(before) => before.into_iter().filter(|a| here.contains(a)).collect(),
        });
        theirs.push(chat["id"].as_str().unwrap().to_owned());
    }
    let (target, name) = shared.unwrap().into_iter().next().unwrap();
    (theirs, target, name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mark_three_batch_reassign_then_undo_by_keyboard_and_the_sandbox_agrees() {
    let sandbox = Arc::new(common::start().await);
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let responsible = index_of_twelve(&sandbox, &store).await;
    let (theirs, target, name) = theirs_and_target(&sandbox, &responsible).await;
    let services = screen::services(
        store.clone(),
        HashMap::from([("default".to_owned(), common::client(&sandbox))]),
        4,
    );
    let moved = Arc::new(std::sync::Mutex::new(Vec::new()));
    let filter = format!("responsible:{responsible}");
    let mut script = vec![
        Step::Show(" Chats 12 ".to_owned()),
        Step::Key(KeyCode::Char('/')),
    ];
    script.extend(typed(&filter));
    script.extend([
        Step::Key(KeyCode::Enter),
        Step::Show(" Chats 3/12 ".to_owned()),
        // Every chat the filter matches is marked: the batch acts on the three.
        Step::Key(KeyCode::Char('M')),
        Step::Show("3 marked".to_owned()),
        Step::Key(KeyCode::Char('R')),
        Step::Show("Reassign 3 chat(s) · new responsible".to_owned()),
    ]);
    script.extend(typed(&name));
    script.extend([
        Step::Key(KeyCode::Enter),
        Step::Show(format!("Preview · reassign 3 chat(s) to {name}")),
        Step::Key(KeyCode::Enter),
        Step::Show(format!("Report · reassign 3 chat(s) to {name}")),
        Step::Show("3 done · 0 skipped".to_owned()),
    ]);
    // The sandbox agrees: their three chats are the target's now.
    script.push(Step::Check(Box::pin(moved_to(
        sandbox.clone(),
        theirs,
        target,
        3,
        moved.clone(),
    ))));
    script.extend([
        Step::Key(KeyCode::Enter),
        Step::Key(KeyCode::Char('u')),
        Step::Show("3 chat(s) go back".to_owned()),
        Step::Key(KeyCode::Enter),
        Step::Show("3 done · 0 skipped".to_owned()),
        Step::Key(KeyCode::Enter),
        Step::Key(KeyCode::Char('q')),
    ]);
    let mut state = State::new(Lang::En, chrono::Utc::now(), "default".to_owned());
    state.desk.viewer.who = "Supervisor".to_owned();

    let (state, _) = screen::run(state, services, SIZE, script).await;

    assert!(state.should_quit);
    let moved = moved.lock().unwrap().clone();
    for id in &moved {
        assert_eq!(
            responsible_in_sandbox(&sandbox, id).await,
            responsible,
            "the undo put the chat back"
        );
    }
    let logged = store
        .audit_query(&balcao::store::AuditQuery {
            by: Some("Supervisor".to_owned()),
            limit: 10,
            ..balcao::store::AuditQuery::default()
        })
        .unwrap();
    let outcomes: Vec<&str> = logged.iter().map(|e| e.outcome.as_str()).collect();
    assert_eq!(outcomes, ["confirmed"; 6], "{logged:?}");
    let batches: std::collections::BTreeSet<_> = logged.iter().map(|e| &e.batch).collect();
    assert_eq!(
        batches.len(),
        2,
        "the batch under one id, the undo a batch of its own: {logged:?}"
    );
}
