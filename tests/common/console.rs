//! A console state built from the bundled seed at a fixed instant, for snapshots and reducer tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

use balcao::api::Conversation;
use balcao::api::wegly::wire::Chat;
use balcao::console::keymap::Keymap;
use balcao::console::msg::Msg;
use balcao::console::state::State;
use balcao::console::ui;
use balcao::console::update::update;
use balcao::i18n::Lang;
use balcao::sandbox::seed::Seed;
use balcao::sandbox::world::World;
use balcao::store::{ChatKey, ChatSummary, Columns, Source};
use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 15, 0, 0).unwrap()
}

/// Every seeded chat's detail, as the sandbox would serve it at `now()`.
pub fn seeded_chats() -> Vec<Chat> {
    let world = World::from_seed(&Seed::bundled().unwrap(), now());
    world
        .chat_ids()
        .iter()
        .map(|id| world.get_chat(&id.to_string()).unwrap())
        .collect()
}

/// An index row for a key and its columns, fetched and seen at `now()`.
pub fn row(key: ChatKey, columns: Columns) -> ChatSummary {
    ChatSummary {
        key,
        columns,
        first_seen_at: now(),
        last_event_at: Some(now()),
        hydrated_at: Some(now()),
        source: Source::Webhook,
        gone: false,
        needs_hydration: false,
        last_error: None,
    }
}

pub fn summary(chat: &Chat) -> ChatSummary {
    row(
        ChatKey::wegly("default", chat.id.as_deref().unwrap()),
        Columns::from(chat),
    )
}

/// A state with every seeded chat loaded and the first one's detail shown.
pub fn loaded_state(lang: Lang, size: (u16, u16)) -> (State, Vec<Chat>) {
    let chats = seeded_chats();
    let mut state = State::new(lang, now(), "default".to_owned());
    update(&mut state, Msg::Resize(size.0, size.1));
    update(&mut state, Msg::Rows(chats.iter().map(summary).collect()));
    show_selected_detail(&mut state, &chats);
    (state, chats)
}

/// Feeds the selected chat's stored detail, as the runtime would.
pub fn show_selected_detail(state: &mut State, chats: &[Chat]) {
    let Some(key) = state.detail.key.clone() else {
        return;
    };
    let chat = chats
        .iter()
        .find(|c| c.id.as_deref() == Some(key.chat_id.as_str()))
        .cloned();
    update(
        state,
        Msg::CachedDetail {
            key,
            conversation: chat.map(|chat| Box::new(Conversation::Chat(Box::new(chat)))),
            as_of: Some(now()),
        },
    );
}

/// Moves the selection to a chat.
pub fn select(state: &mut State, chats: &[Chat], chat_id: &str) {
    use balcao::console::action::Action;
    update(state, Msg::Action(Action::SelectFirst));
    for _ in 0..chats.len() {
        if state
            .inbox
            .selected_row()
            .is_some_and(|row| row.summary.key.chat_id == chat_id)
        {
            show_selected_detail(state, chats);
            return;
        }
        update(state, Msg::Action(Action::SelectNext));
    }
    panic!("chat {chat_id} is not in the list");
}

/// A loaded state whose selected chat has a responsible and another participant.
pub fn with_two_participants(lang: Lang) -> (State, Vec<Chat>, Chat) {
    let (mut state, chats) = loaded_state(lang, (160, 45));
    let chat = chats
        .iter()
        .find(|c| {
            c.responsible_user_id().is_some()
                && c.participants.as_ref().is_some_and(|p| p.len() >= 2)
        })
        .cloned()
        .unwrap();
    select(&mut state, &chats, chat.id.as_deref().unwrap());
    (state, chats, chat)
}

/// Types `text` into whatever has the keyboard, one key a character.
pub fn typed(state: &mut State, text: &str) {
    for c in text.chars() {
        update(
            state,
            Msg::Input(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
}

/// The responsible's user id on `key`'s row in the list.
pub fn responsible_on_row(state: &State, key: &ChatKey) -> Option<String> {
    state
        .inbox
        .row(key)
        .unwrap()
        .summary
        .columns
        .responsible_user_id
        .clone()
}

/// The languages (with the tag a snapshot's name carries) and terminal sizes each view's
/// snapshots are taken in.
pub fn snapshot_cases() -> impl Iterator<Item = (Lang, &'static str, (u16, u16))> {
    [(Lang::PtBr, "pt"), (Lang::En, "en")]
        .into_iter()
        .flat_map(|(lang, tag)| [(120, 40), (80, 24)].map(move |size| (lang, tag, size)))
}

/// One frame as text.
pub fn draw(state: &State, size: (u16, u16)) -> Terminal<TestBackend> {
    let keymap = Keymap::defaults().unwrap();
    let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
    terminal
        .draw(|frame| ui::render(state, &keymap, frame))
        .unwrap();
    terminal
}
