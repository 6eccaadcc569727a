//! The audit overlay (`show_audit_log`) through the reducer and drawn into `TestBackend`: the read
//! it asks of the index, its answer (or failure), filtering by chat or person as typed, Enter
//! opening the chat, closing, and the frames at 120x40 and 80x24 in both languages.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    missing_docs
)]

#[path = "common/console.rs"]
mod console;

use balcao::console::action::Action;
use balcao::console::modal::{Audit, AuditRead, Modal};
use balcao::console::msg::{ApiCall, Command, Msg, RequestId};
use balcao::console::state::{Focus, Level, State};
use balcao::console::update::update;
use balcao::i18n::Lang;
use balcao::store::{AuditEntry, ChatKey, ChatSummary, Columns};
use chrono::{FixedOffset, TimeDelta};
use console::{draw, now, row, snapshot_cases, typed};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const BATCH: &str = "7f3a9c2e-41d8-4b6a-9e0f-2c5d8a1b3e47";

fn key(n: u32) -> ChatKey {
    ChatKey::wegly("default", &format!("00000000-0000-4000-8000-{n:0>12}"))
}

fn chat(n: u32, contact: &str, responsible: &str) -> ChatSummary {
    row(
        key(n),
        Columns {
            status: Some("OPEN".to_owned()),
            priority: Some(1),
            contact: Some(contact.to_owned()),
            responsible_user_id: Some("0b7c0f3e-6a51-4c8e-9d0a-1f2e3d4c5b6a".to_owned()),
            responsible_name: Some(responsible.to_owned()),
            last_message_at: Some(now() - TimeDelta::minutes(i64::from(n) * 7)),
            last_message_from_me: Some(false),
            window_ends_at: Some(now() + TimeDelta::hours(3)),
            ..Columns::default()
        },
    )
}

fn rows() -> Vec<ChatSummary> {
    vec![
        chat(1, "Márcio Araújo", "Ana Conceição"),
        chat(2, "Sofia Ribeiro", "Ana Conceição"),
        chat(3, "Pedro Álvares", "Beatriz Gonçalves"),
        chat(4, "Iracema Tupinambá", "Ana Conceição"),
    ]
}

#[allow(clippy::too_many_arguments)]
fn entry(
    minutes_ago: i64,
    key: ChatKey,
    by: Option<&str>,
    action: &str,
    before: Option<&str>,
    after: Option<&str>,
    outcome: &str,
    batch: Option<&str>,
) -> AuditEntry {
    AuditEntry {
        at: now() - TimeDelta::minutes(minutes_ago),
        key,
        action: action.to_owned(),
        request: None,
        before: before.map(str::to_owned),
        after: after.map(str::to_owned),
        outcome: outcome.to_owned(),
        http_status: None,
        by: by.map(str::to_owned),
        batch: batch.map(str::to_owned),
        undo: None,
    }
}

/// The latest changes, newest first: a batch of three (one done, one failed, one changed
/// meanwhile), a participant removed on a chat the list does not hold, a room concluded with an
/// unknown outcome, a chat opened from the command line.
fn entries() -> Vec<AuditEntry> {
    let (ana, joao) = (Some("Ana Conceição"), Some("João Araújo"));
    vec![
        entry(
            2,
            key(1),
            ana,
            "reassign_responsible",
            Some("João Araújo"),
            Some("Ana Conceição"),
            "confirmed",
            Some(BATCH),
        ),
        entry(
            2,
            key(2),
            ana,
            "reassign_responsible",
            Some("João Araújo"),
            None,
            "failed",
            Some(BATCH),
        ),
        entry(
            3,
            key(3),
            ana,
            "reassign_responsible",
            Some("João Araújo"),
            Some("Beatriz Gonçalves"),
            "conflict",
            Some(BATCH),
        ),
        entry(
            40,
            key(9),
            joao,
            "remove_participant",
            Some("Zé Carlos"),
            None,
            "confirmed",
            None,
        ),
        entry(
            130,
            ChatKey::agilize("loja", "6650a1b2c3d4e5f6a7b8c9d0"),
            joao,
            "archive_room",
            None,
            None,
            "unknown",
            None,
        ),
        entry(
            1500,
            key(4),
            None,
            "create_chat",
            None,
            None,
            "created",
            None,
        ),
    ]
}

fn loaded(lang: Lang, size: (u16, u16)) -> State {
    let mut state = State::new(lang, now(), "default".to_owned());
    state.offset = FixedOffset::west_opt(3 * 3600).unwrap();
    update(&mut state, Msg::Resize(size.0, size.1));
    update(&mut state, Msg::Rows(rows()));
    state
}

fn audit(state: &State) -> &Audit {
    match &state.modal {
        Some(Modal::Audit(audit)) => audit,
        other => panic!("the audit log is not open: {other:?}"),
    }
}

/// Opens the overlay and returns the read it asked for.
fn open(state: &mut State) -> RequestId {
    let commands = update(state, Msg::Action(Action::ShowAuditLog));
    match commands.as_slice() {
        [Command::ReadAudit { id, limit: 500 }] => *id,
        other => panic!("expected one read of the latest 500 entries: {other:?}"),
    }
}

fn answer(state: &mut State, id: RequestId, entries: Result<Vec<AuditEntry>, String>) {
    let commands = update(state, Msg::AuditRead { id, entries });
    assert!(commands.is_empty(), "{commands:?}");
}

fn backspace(state: &mut State) {
    update(
        state,
        Msg::Input(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE)),
    );
}

#[test]
fn opening_reads_the_index_and_shows_loading_until_the_answer() {
    let mut state = loaded(Lang::En, (120, 40));
    let id = open(&mut state);
    assert_eq!(audit(&state).read, AuditRead::Loading(id));
    let screen = draw(&state, (120, 40)).backend().to_string();
    assert!(screen.contains("loading…"), "{screen}");
    // An answer to another read (an earlier opening) is not this one's.
    answer(&mut state, RequestId(id.0 + 1000), Ok(entries()));
    assert_eq!(audit(&state).read, AuditRead::Loading(id));
    answer(&mut state, id, Ok(entries()));
    let shown = audit(&state);
    assert_eq!(shown.read, AuditRead::Loaded);
    assert_eq!(shown.shown_len(), 6);
    // The chat goes by its contact's name when the list holds it, else by its id.
    let chats: Vec<&str> = shown.shown().map(|line| line.chat.as_str()).collect();
    assert_eq!(chats[0], "Márcio Araújo");
    assert_eq!(chats[3], key(9).chat_id);
    assert_eq!(shown.selected_entry(), Some(&entries()[0]));

    // Closed and opened again: read again, loading until then.
    update(&mut state, Msg::Action(Action::Cancel));
    assert!(state.modal.is_none());
    let again = open(&mut state);
    assert_ne!(again, id);
    assert_eq!(audit(&state).read, AuditRead::Loading(again));
    assert_eq!(audit(&state).shown_len(), 0);
}

#[test]
fn a_failed_read_says_so_in_the_overlay() {
    let mut state = loaded(Lang::PtBr, (80, 24));
    let id = open(&mut state);
    answer(&mut state, id, Err("database is locked".to_owned()));
    assert_eq!(
        audit(&state).read,
        AuditRead::Failed("database is locked".to_owned())
    );
    let screen = draw(&state, (80, 24)).backend().to_string();
    assert!(
        screen.contains("não foi possível ler a auditoria do índice: database is locked"),
        "{screen}"
    );
}

#[test]
fn typing_filters_by_chat_or_person_folded_and_backspace_edits() {
    let mut state = loaded(Lang::En, (120, 40));
    let id = open(&mut state);
    answer(&mut state, id, Ok(entries()));
    // A person, without the accent: João made two of the changes.
    typed(&mut state, "joao");
    assert_eq!(audit(&state).shown_len(), 2);
    assert_eq!(
        audit(&state).selected_entry().unwrap().action,
        "remove_participant"
    );
    // `j` and `q` are text here, not moves or quitting.
    assert!(!state.should_quit);
    for _ in 0..4 {
        backspace(&mut state);
    }
    assert_eq!(audit(&state).query, "");
    assert_eq!(audit(&state).shown_len(), 6);
    // A chat by its contact's name, folded; then by the start of an id.
    typed(&mut state, "MARCIO");
    assert_eq!(audit(&state).shown_len(), 1);
    assert_eq!(audit(&state).selected_entry().unwrap().key, key(1));
    for _ in 0..6 {
        backspace(&mut state);
    }
    typed(&mut state, "6650a1");
    assert_eq!(audit(&state).shown_len(), 1);
    assert_eq!(
        audit(&state).selected_entry().unwrap().action,
        "archive_room"
    );
    typed(&mut state, " nobody");
    assert_eq!(audit(&state).shown_len(), 0);
    assert_eq!(audit(&state).selected_entry(), None);
    let screen = draw(&state, (120, 40)).backend().to_string();
    assert!(screen.contains("nothing matches the filter"), "{screen}");
}

#[test]
fn enter_opens_the_chat_and_closes_the_overlay() {
    let mut state = loaded(Lang::En, (120, 40));
    let id = open(&mut state);
    answer(&mut state, id, Ok(entries()));
    update(&mut state, Msg::Action(Action::SelectNext));
    assert_eq!(audit(&state).selected_entry().unwrap().key, key(2));
    let commands = update(&mut state, Msg::Action(Action::Confirm));
    assert!(state.modal.is_none());
    assert_eq!(state.inbox.selected_row().unwrap().summary.key, key(2));
    assert_eq!(state.detail.key, Some(key(2)));
    assert_eq!(state.focus, Focus::Detail);
    assert!(
        commands.iter().any(|command| matches!(
            command,
            Command::Api(request) if request.call == ApiCall::GetChat(key(2))
        )),
        "the chat is fetched, as open_chat does: {commands:?}"
    );
}

#[test]
fn undo_in_the_overlay_takes_back_the_selected_entrys_batch() {
    let mut state = loaded(Lang::En, (120, 40));
    let id = open(&mut state);
    answer(&mut state, id, Ok(entries()));
    update(&mut state, Msg::Action(Action::SelectNext));
    let batch = audit(&state).selected_entry().unwrap().batch.clone();
    assert!(batch.is_some(), "the second entry has a batch");
    let commands = update(&mut state, Msg::Action(Action::Undo));
    assert!(
        state.modal.is_none(),
        "the overlay gives way to the undo's preview"
    );
    assert!(
        commands.iter().any(|command| matches!(
            command,
            Command::ReadUndo { batch: read, .. } if *read == batch
        )),
        "that batch's entries are read: {commands:?}"
    );
}

#[test]
fn enter_clears_a_filter_that_hides_the_chat_and_refuses_a_chat_not_in_the_list() {
    let mut state = loaded(Lang::En, (120, 40));
    update(&mut state, Msg::Action(Action::Filter));
    typed(&mut state, "sofia");
    update(&mut state, Msg::Action(Action::Confirm));
    assert_eq!(state.inbox.visible_len(), 1);
    let id = open(&mut state);
    answer(&mut state, id, Ok(entries()));
    // Márcio's chat is hidden by the filter: it is cleared, and the status bar says so.
    update(&mut state, Msg::Action(Action::Confirm));
    assert_eq!(state.inbox.filter_text, "");
    assert_eq!(state.inbox.selected_row().unwrap().summary.key, key(1));
    let note = state.notification.clone().unwrap();
    assert_eq!(note.level, Level::Info);
    assert_eq!(note.text, "filter cleared to show Márcio Araújo");

    let id = open(&mut state);
    answer(&mut state, id, Ok(entries()));
    for _ in 0..3 {
        update(&mut state, Msg::Action(Action::SelectNext));
    }
    assert_eq!(audit(&state).selected_entry().unwrap().key, key(9));
    let commands = update(&mut state, Msg::Action(Action::Confirm));
    assert!(commands.is_empty());
    let expected = format!("this chat is not in the list ({})", key(9).chat_id);
    assert_eq!(audit(&state).error.as_deref(), Some(expected.as_str()));
    assert_eq!(state.inbox.selected_row().unwrap().summary.key, key(1));
    update(&mut state, Msg::Action(Action::Cancel));
    assert!(state.modal.is_none());
}

#[test]
fn enter_shows_a_chat_the_view_hides_by_going_back_to_all() {
    let mut state = loaded(Lang::En, (120, 40));
    // "unassigned": every chat here has a responsible, so the view hides them all.
    for _ in 0..3 {
        update(&mut state, Msg::Action(Action::NextView));
    }
    assert_eq!(state.inbox.visible_len(), 0);
    let id = open(&mut state);
    answer(&mut state, id, Ok(entries()));
    let commands = update(&mut state, Msg::Action(Action::Confirm));
    assert!(state.modal.is_none());
    assert_eq!(state.views.current(), 0, "back on the \"all\" tab");
    assert_eq!(state.inbox.selected_row().unwrap().summary.key, key(1));
    assert_eq!(state.focus, Focus::Detail);
    assert!(
        commands.iter().any(|command| matches!(
            command,
            Command::Api(request) if request.call == ApiCall::GetChat(key(1))
        )),
        "the chat is fetched: {commands:?}"
    );
    let note = state.notification.clone().unwrap();
    assert_eq!(note.text, "filter cleared to show Márcio Araújo");
}

fn snapshot_state(lang: Lang, size: (u16, u16)) -> State {
    let mut state = loaded(lang, size);
    let id = open(&mut state);
    answer(&mut state, id, Ok(entries()));
    update(&mut state, Msg::Action(Action::SelectNext));
    state
}

#[test]
fn frames_at_120x40_and_80x24_in_both_languages() {
    for (lang, tag, size) in snapshot_cases() {
        let state = snapshot_state(lang, size);
        let name = format!("audit_{tag}_{}x{}", size.0, size.1);
        insta::assert_snapshot!(name, draw(&state, size).backend());
    }
}

#[test]
fn each_change_shows_when_who_chat_action_change_outcome_and_batch() {
    let state = snapshot_state(Lang::PtBr, (120, 40));
    let screen = draw(&state, (120, 40)).backend().to_string();
    let failed = screen
        .lines()
        .find(|line| line.contains("Sofia Ribeiro"))
        .unwrap_or_else(|| panic!("{screen}"));
    // 14:58 UTC is 11:58 at the console's offset (UTC-3), day first in Portuguese.
    for part in [
        "20/11/2026 11:58",
        "Ana Conceição",
        "reatribuiu o responsável",
        "João Araújo → —",
        "falhou",
        "7f3a9c2e",
    ] {
        assert!(failed.contains(part), "{part:?} missing from {failed}");
    }
    assert!(!failed.contains(BATCH), "the batch shows in its short form");
}
