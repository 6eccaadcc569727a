//! Drafts through the reducer and a real index file: the console's draft commands carried out
//! on the store in the order given, their answers fed back, as the runtime does. A second reply
//! after a send is saved as typed, a clear waits for the save in flight and never frees another
//! save's turn, and text typed while a send is out is saved when the send answers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "common/console.rs"]
mod console;

use std::collections::VecDeque;

use balcao::api::actor::{ApiEvent, ApiReply, Sent};
use balcao::console::action::Action;
use balcao::console::drafts::run;
use balcao::console::modal::Modal;
use balcao::console::msg::{ApiCall, Command, Msg, RequestId};
use balcao::console::state::State;
use balcao::console::update::update;
use balcao::i18n::Lang;
use balcao::store::drafts::DraftSaved;
use balcao::store::{ChatKey, Store};
use console::{loaded_state, now, select};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A loaded state with a chat selected whose window is open for another hour at least.
fn on_open_chat(lang: Lang) -> (State, ChatKey) {
    let (mut state, chats) = loaded_state(lang, (120, 40));
    let chat = chats
        .iter()
        .find(|chat| {
            chat.session_expires_at
                .as_ref()
                .and_then(balcao::api::timestamp::Timestamp::at)
                .is_some_and(|end| end - now() > chrono::Duration::hours(1))
        })
        .unwrap();
    let id = chat.id.clone().unwrap();
    select(&mut state, &chats, &id);
    (state, ChatKey::wegly("default", &id))
}

fn is_draft(command: &Command) -> bool {
    matches!(
        command,
        Command::LoadDraft(_) | Command::SaveDraft { .. } | Command::ClearDraft { .. }
    )
}

/// Carries out every draft command (and those their answers ask for) on `store`, first asked
/// first done; returns the other commands.
fn settle(state: &mut State, store: &Store, commands: Vec<Command>) -> Vec<Command> {
    let mut queue: VecDeque<Command> = commands.into();
    let mut rest = Vec::new();
    while let Some(command) = queue.pop_front() {
        if !is_draft(&command) {
            rest.push(command);
            continue;
        }
        if let Some(answer) = run(store, command, "console-a") {
            queue.extend(update(state, answer));
        }
    }
    rest
}

/// Types `text`, one key a character, each key's draft commands carried out before the next.
fn type_settled(state: &mut State, store: &Store, text: &str) {
    for c in text.chars() {
        let commands = update(
            state,
            Msg::Input(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
        let rest = settle(state, store, commands);
        assert!(rest.is_empty(), "{rest:?}");
    }
}

fn send_id(commands: &[Command]) -> RequestId {
    commands
        .iter()
        .find_map(|command| match command {
            Command::Api(request) if matches!(request.call, ApiCall::SendMessage { .. }) => {
                Some(request.id)
            }
            _ => None,
        })
        .expect("a send")
}

fn sent(id: RequestId, key: &ChatKey) -> Msg {
    Msg::Api(ApiEvent {
        id,
        outcome: Ok(ApiReply::Sent(Sent {
            key: key.clone(),
            message_id: "m".to_owned(),
            verified: false,
            fresh: None,
        })),
    })
}

fn composer_text(state: &State) -> String {
    match &state.modal {
        Some(Modal::Composer(composer)) => composer.editor.text(),
        other => panic!("no composer: {other:?}"),
    }
}

/// A real index, and the console on a chat with its composer open and settled.
fn composing(lang: Lang) -> (tempfile::TempDir, Store, State, ChatKey) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let (mut state, chat) = on_open_chat(lang);
    let commands = update(&mut state, Msg::Action(Action::Reply));
    settle(&mut state, &store, commands);
    (dir, store, state, chat)
}

#[test]
fn a_second_reply_after_a_send_is_saved_as_typed() {
    let (_dir, store, mut state, chat) = composing(Lang::PtBr);
    type_settled(&mut state, &store, "Primeira");
    let commands = update(&mut state, Msg::Action(Action::SendReply));
    let id = send_id(&settle(&mut state, &store, commands));
    let commands = update(&mut state, sent(id, &chat));
    settle(&mut state, &store, commands);
    assert!(
        store.load_draft(&chat).unwrap().is_none(),
        "the sent text is no draft"
    );
    let commands = update(&mut state, Msg::Action(Action::Reply));
    settle(&mut state, &store, commands);
    type_settled(&mut state, &store, "Segunda");
    assert_eq!(composer_text(&state), "Segunda");
    let notice = match &state.modal {
        Some(Modal::Composer(composer)) => composer.notice.clone(),
        _ => None,
    };
    assert_eq!(notice, None, "no newer draft to speak of");
    assert_eq!(store.load_draft(&chat).unwrap().unwrap().body, "Segunda");
}

#[test]
fn a_draft_cleared_by_another_console_is_no_newer_text() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let other = Store::open_in(dir.path()).unwrap();
    let (mut state, chat) = on_open_chat(Lang::En);
    // Another console wrote a draft of this chat and cleared it (it sent it): a tombstone.
    let written = run(
        &other,
        Command::SaveDraft {
            key: chat.clone(),
            draft: balcao::store::drafts::DraftText {
                body: "deles".to_owned(),
                reply_to: None,
            },
            based_on: 0,
        },
        "console-b",
    );
    assert!(matches!(
        written,
        Some(Msg::DraftWritten {
            outcome: Ok(DraftSaved::Saved { revision: 1 }),
            ..
        })
    ));
    run(
        &other,
        Command::ClearDraft {
            key: chat.clone(),
            based_on: 1,
        },
        "console-b",
    );
    let commands = update(&mut state, Msg::Action(Action::Reply));
    settle(&mut state, &store, commands);
    type_settled(&mut state, &store, "Nossa");
    assert_eq!(composer_text(&state), "Nossa");
    assert_eq!(store.load_draft(&chat).unwrap().unwrap().body, "Nossa");
}

fn draft_writes(commands: &[Command]) -> Vec<&Command> {
    commands
        .iter()
        .filter(|command| {
            matches!(
                command,
                Command::SaveDraft { .. } | Command::ClearDraft { .. }
            )
        })
        .collect()
}

fn keys(state: &mut State, text: &str) -> Vec<Command> {
    let mut commands = Vec::new();
    for c in text.chars() {
        commands.extend(update(
            state,
            Msg::Input(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        ));
    }
    commands
}

#[test]
fn a_sent_text_is_cleared_after_the_save_in_flight_never_beside_it() {
    let (_dir, store, mut state, chat) = composing(Lang::En);
    type_settled(&mut state, &store, "Olá");
    // A save is in flight when the send goes out and when it answers.
    let held = keys(&mut state, " mundo");
    assert_eq!(draft_writes(&held).len(), 1, "{held:?}");
    let commands = update(&mut state, Msg::Action(Action::SendReply));
    let id = send_id(&commands);
    let commands = update(&mut state, sent(id, &chat));
    assert!(
        draft_writes(&commands).is_empty(),
        "no clear beside the save in flight: {commands:?}"
    );
    // The save lands, then the clear goes over it: the sent text is no draft.
    let rest = settle(&mut state, &store, held);
    assert!(rest.is_empty(), "{rest:?}");
    assert!(
        store.load_draft(&chat).unwrap().is_none(),
        "the sent text stays no draft"
    );
    assert!(!state.replies.has_draft(&chat));
}

#[test]
fn a_clear_in_flight_holds_the_one_save_turn() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let (mut state, chats) = loaded_state(Lang::En, (120, 40));
    let open: Vec<String> = chats
        .iter()
        .filter(|chat| {
            chat.session_expires_at
                .as_ref()
                .and_then(balcao::api::timestamp::Timestamp::at)
                .is_some_and(|end| end - now() > chrono::Duration::hours(1))
        })
        .filter_map(|chat| chat.id.clone())
        .take(2)
        .collect();
    let [first, second] = open.as_slice() else {
        panic!("two chats with an open window: {open:?}")
    };
    let a = ChatKey::wegly("default", first);
    let b = ChatKey::wegly("default", second);
    select(&mut state, &chats, first);
    let commands = update(&mut state, Msg::Action(Action::Reply));
    settle(&mut state, &store, commands);
    type_settled(&mut state, &store, "Para A");
    let commands = update(&mut state, Msg::Action(Action::SendReply));
    let id = send_id(&commands);
    let clear = update(&mut state, sent(id, &a));
    assert!(
        matches!(draft_writes(&clear).as_slice(), [Command::ClearDraft { key, .. }] if *key == a),
        "{clear:?}"
    );
    // While A's clear is in flight, B's text waits its turn.
    state.focus = balcao::console::state::Focus::List;
    select(&mut state, &chats, second);
    let commands = update(&mut state, Msg::Action(Action::Reply));
    settle(&mut state, &store, commands);
    let typed = keys(&mut state, "Para B");
    assert!(draft_writes(&typed).is_empty(), "{typed:?}");
    // A's clear answers: B's save goes, one at a time.
    let Some(answer) = run(
        &store,
        clear.into_iter().find(is_draft).unwrap(),
        "console-a",
    ) else {
        panic!("a clear answers")
    };
    let next = update(&mut state, answer);
    assert!(
        matches!(draft_writes(&next).as_slice(), [Command::SaveDraft { key, draft, .. }] if *key == b && draft.body == "Para B"),
        "{next:?}"
    );
    let more = keys(&mut state, "!");
    assert!(
        draft_writes(&more).is_empty(),
        "B's save is in flight: {more:?}"
    );
    settle(&mut state, &store, next);
    assert!(store.load_draft(&a).unwrap().is_none());
    assert_eq!(store.load_draft(&b).unwrap().unwrap().body, "Para B!");
}

#[test]
fn text_typed_while_a_send_is_out_is_saved_when_it_answers() {
    for outcome in ["sent", "failed"] {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        let (mut state, chat) = on_open_chat(Lang::En);
        let commands = update(&mut state, Msg::Action(Action::Reply));
        settle(&mut state, &store, commands);
        type_settled(&mut state, &store, "Primeira");
        let id = send_id(&update(&mut state, Msg::Action(Action::SendReply)));
        let commands = update(&mut state, Msg::Action(Action::Reply));
        settle(&mut state, &store, commands);
        let typed = keys(&mut state, " e segunda");
        assert!(
            draft_writes(&typed).is_empty(),
            "the send is out: {typed:?}"
        );
        let answer = if outcome == "sent" {
            sent(id, &chat)
        } else {
            Msg::Api(ApiEvent {
                id,
                outcome: Err(balcao::api::ApiError::Network {
                    url: "http://crm/chats".to_owned(),
                    detail: "connection refused".to_owned(),
                }),
            })
        };
        let commands = update(&mut state, answer);
        assert!(
            matches!(draft_writes(&commands).as_slice(), [Command::SaveDraft { draft, .. }] if draft.body == "Primeira e segunda"),
            "{outcome}: {commands:?}"
        );
        settle(&mut state, &store, commands);
        assert_eq!(
            store.load_draft(&chat).unwrap().unwrap().body,
            "Primeira e segunda",
            "{outcome}"
        );
    }
}

fn save_as(store: &Store, key: &ChatKey, body: &str, based_on: i64, console: &str) {
    let written = run(
        store,
        Command::SaveDraft {
            key: key.clone(),
            draft: balcao::store::drafts::DraftText {
                body: body.to_owned(),
                reply_to: None,
            },
            based_on,
        },
        console,
    );
    assert!(
        matches!(
            written,
            Some(Msg::DraftWritten {
                outcome: Ok(DraftSaved::Saved { .. }),
                ..
            })
        ),
        "{written:?}"
    );
}

#[test]
fn on_quit_ours_goes_over_our_own_save_and_under_another_consoles() {
    use balcao::console::drafts::keep_unsaved;
    let (_dir, store, mut state, chat) = composing(Lang::En);
    type_settled(&mut state, &store, "Olá");
    // A save of ours is in flight (it lands first), and more was typed since.
    let held = keys(&mut state, ", Ana");
    let unsaved = balcao::console::reply_drafts::unsaved(&state);
    assert_eq!(unsaved.len(), 1, "{unsaved:?}");
    for command in held.into_iter().filter(is_draft) {
        run(&store, command, "console-a");
    }
    keep_unsaved(&store, unsaved.clone(), "console-a", Lang::En);
    assert_eq!(store.load_draft(&chat).unwrap().unwrap().body, "Olá, Ana");
    // Another console wrote since: its text first, ours under it.
    let revision = store.load_draft(&chat).unwrap().unwrap().revision;
    save_as(&store, &chat, "Da Bia", revision, "console-b");
    keep_unsaved(&store, unsaved, "console-a", Lang::En);
    assert_eq!(
        store.load_draft(&chat).unwrap().unwrap().body,
        "Da Bia\n— your text —\nOlá, Ana"
    );
}
