//! Leaving the console with a reply half written: `app::run` whole (ratatui's `TestBackend`,
//! a scripted keyboard, the API actor against the sandbox over loopback, a SQLite index in a
//! temporary directory). The text typed last, with a draft save still in flight or none asked
//! yet, is in the index when the console has quit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

#[path = "common/screen.rs"]
mod screen;

use std::collections::HashMap;
use std::sync::Arc;

use balcao::console::state::State;
use balcao::i18n::Lang;
use balcao::store::{ChatKey, Columns, Store};
use chrono::{DateTime, Utc};
use crossterm::event::KeyCode;
use screen::{Step, typed};

#[tokio::test]
async fn a_reply_typed_up_to_the_quit_is_kept_as_a_draft() {
    let sandbox = common::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    // One chat in the index, its window open for more than an hour.
    let now = Utc::now();
    let chat = common::chats(&sandbox)
        .await
        .into_iter()
        .find(|chat| {
            chat["session_expires_at"].as_str().is_some_and(|end| {
                end.parse::<DateTime<Utc>>().unwrap() - now > chrono::Duration::hours(1)
            })
        })
        .unwrap();
    let key = ChatKey::wegly("default", chat["id"].as_str().unwrap());
    let fetched = common::client(&sandbox)
        .get_chat(common::uuid(&chat["id"]))
        .await
        .unwrap();
    store
        .save_details(
            &[(
                key.clone(),
                String::from_utf8(fetched.raw.to_vec()).unwrap(),
                Columns::from(&fetched.value),
            )],
            now,
        )
        .unwrap();
    let services = screen::services(
        store.clone(),
        HashMap::from([("default".to_owned(), common::client(&sandbox))]),
        4,
    );
    let mut script = vec![
        Step::Show(" Conversas 1 ".to_owned()),
        Step::Key(KeyCode::Char('e')),
    ];
    script.extend(typed("Volto já com o código"));
    // ctrl-c closes the composer (the draft stays), q quits: no step waits for a save.
    script.extend([Step::Ctrl('c'), Step::Key(KeyCode::Char('q'))]);
    let state = State::new(Lang::PtBr, now, "default".to_owned());

    let (state, _) = screen::run(state, services, (120, 40), script).await;

    assert!(state.should_quit, "the run ended by q");
    assert_eq!(
        store.load_draft(&key).unwrap().map(|draft| draft.body),
        Some("Volto já com o código".to_owned()),
        "the last text typed is kept"
    );
}
