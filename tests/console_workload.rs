//! The workload overlay (`show_workload`) through the reducer and drawn into `TestBackend`: each
//! agent's load from the rows the list holds, the cursor, Enter filtering the list to an agent's
//! chats (or the unassigned ones), closing, and the frames at 120x40 and 80x24 in both languages.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    missing_docs
)]

#[path = "common/console.rs"]
mod console;
#[path = "common/screen.rs"]
mod screen;

use std::collections::HashMap;
use std::sync::Arc;

use balcao::console::action::Action;
use balcao::console::modal::Modal;
use balcao::console::msg::Msg;
use balcao::console::state::{Focus, State};
use balcao::console::update::{before_frame, update};
use balcao::i18n::Lang;
use balcao::store::{ChatKey, ChatSummary, Columns, Store};
use balcao::workload::Agent;
use chrono::TimeDelta;
use console::{draw, now, row, snapshot_cases, typed};
use crossterm::event::KeyCode;
use screen::{Step, show};

const ANA: &str = "0b7c0f3e-6a51-4c8e-9d0a-1f2e3d4c5b6a";
const JOAO: &str = "5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";
const BEATRIZ: &str = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

/// A Wegly chat `id` held by `responsible` (id, name), open, with the customer having written
/// `waiting` minutes ago (`None`: the agent wrote last), its window closing in `window` minutes.
fn chat(
    id: &str,
    contact: &str,
    responsible: Option<(&str, &str)>,
    unread: i64,
    waiting: Option<i64>,
    window: Option<i64>,
) -> ChatSummary {
    row(
        ChatKey::wegly("default", &format!("00000000-0000-4000-8000-{id:0>12}")),
        Columns {
            status: Some("OPEN".to_owned()),
            priority: Some(1),
            contact: Some(contact.to_owned()),
            responsible_user_id: responsible.map(|(id, _)| id.to_owned()),
            responsible_name: responsible.map(|(_, name)| name.to_owned()),
            unread,
            last_message_at: Some(now() - TimeDelta::minutes(waiting.unwrap_or(3))),
            last_message_preview: Some("Bom dia, alguma novidade?".to_owned()),
            last_message_from_me: Some(waiting.is_none()),
            window_ends_at: window.map(|m| now() + TimeDelta::minutes(m)),
            ..Columns::default()
        },
    )
}

/// A desk of three agents and two unassigned chats; one of Ana's chats is resolved.
fn desk() -> Vec<ChatSummary> {
    let ana = Some((ANA, "Ana Conceição"));
    let joao = Some((JOAO, "João Araújo"));
    let beatriz = Some((BEATRIZ, "Beatriz Gonçalves Albuquerque de Souza"));
    let mut resolved = chat("15", "Otávio Lima", ana, 9, Some(900), Some(10));
    resolved.columns.status = Some("RESOLVED".to_owned());
    vec![
        chat("1", "Márcio Araújo", ana, 4, Some(185), Some(25)),
        chat("2", "Sofia Ribeiro", ana, 2, Some(40), Some(55)),
        chat("3", "Lúcia Fernandes", ana, 0, None, Some(300)),
        chat("4", "Pedro Álvares", joao, 1, Some(12), Some(90)),
        chat("5", "Iracema Tupinambá", joao, 6, Some(61), Some(8)),
        chat("6", "Zé Carlos", beatriz, 0, None, None),
        chat("7", "Conceição Evaristo", None, 3, Some(1500), Some(30)),
        chat("8", "Raimundo Nonato", None, 1, Some(7), None),
        resolved,
    ]
}

fn loaded(lang: Lang, size: (u16, u16)) -> State {
    let mut state = State::new(lang, now(), "default".to_owned());
    update(&mut state, Msg::Resize(size.0, size.1));
    update(&mut state, Msg::Rows(desk()));
    state
}

fn workload(state: &State) -> &balcao::console::modal::Workload {
    match &state.modal {
        Some(Modal::Workload(workload)) => workload,
        other => panic!("the workload is not open: {other:?}"),
    }
}

#[test]
fn opens_with_each_agent_by_open_chats_and_the_unassigned_row_last() {
    let mut state = loaded(Lang::En, (120, 40));
    let commands = update(&mut state, Msg::Action(Action::ShowWorkload));
    assert!(
        commands.is_empty(),
        "computed from the rows held: {commands:?}"
    );
    let rows = &workload(&state).rows;
    let summary: Vec<(Agent, usize, i64, usize)> = rows
        .iter()
        .map(|row| {
            (
                row.agent.clone(),
                row.load.open,
                row.load.unread,
                row.load.closing_within_hour,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            // The resolved chat (9 unread, window closing) counts nothing.
            (Agent::User(ANA.to_owned()), 3, 6, 2),
            (Agent::User(JOAO.to_owned()), 2, 7, 1),
            (Agent::User(BEATRIZ.to_owned()), 1, 0, 0),
            (Agent::Unassigned, 2, 4, 1),
        ]
    );
    let longest = rows[0].load.longest_wait.as_ref().unwrap();
    assert_eq!(longest.contact, "Márcio Araújo");
    assert_eq!(longest.waited(state.now), TimeDelta::minutes(185));
    assert!(rows[2].load.longest_wait.is_none(), "Beatriz wrote last");
}

#[test]
fn enter_filters_the_list_to_the_agent_then_to_the_unassigned() {
    let mut state = loaded(Lang::PtBr, (120, 40));
    update(&mut state, Msg::Action(Action::ShowWorkload));
    update(&mut state, Msg::Action(Action::SelectNext));
    assert_eq!(workload(&state).cursor, 1);
    update(&mut state, Msg::Action(Action::Confirm));
    assert!(state.modal.is_none(), "Enter closes the overlay");
    assert_eq!(state.inbox.filter_text, format!("responsible:{JOAO}"));
    assert_eq!(state.inbox.filter_error, None);
    assert_eq!(state.inbox.visible_len(), 2);
    assert_eq!(state.focus, Focus::List);

    update(&mut state, Msg::Action(Action::ShowWorkload));
    assert_eq!(
        workload(&state).cursor,
        0,
        "a new opening starts at the top"
    );
    // List keys typed in the overlay move it (j, G), like in the list.
    typed(&mut state, "jG");
    assert_eq!(workload(&state).cursor, 3);
    update(&mut state, Msg::Action(Action::Confirm));
    assert_eq!(state.inbox.filter_text, "responsible:none");
    assert_eq!(state.inbox.visible_len(), 2);
    for n in 0..2 {
        let row = state.inbox.visible_row(n).unwrap();
        assert_eq!(row.summary.columns.responsible_user_id, None);
    }
}

#[test]
fn esc_and_q_close_without_filtering_or_quitting() {
    let mut state = loaded(Lang::En, (80, 24));
    update(&mut state, Msg::Action(Action::ShowWorkload));
    update(&mut state, Msg::Action(Action::PageDown));
    assert_eq!(
        workload(&state).cursor,
        3,
        "a page down stops at the last row"
    );
    update(&mut state, Msg::Action(Action::SelectPrev));
    assert_eq!(workload(&state).cursor, 2);
    update(&mut state, Msg::Action(Action::Cancel));
    assert!(state.modal.is_none());
    assert_eq!(state.inbox.filter_text, "");
    update(&mut state, Msg::Action(Action::ShowWorkload));
    typed(&mut state, "q");
    assert!(state.modal.is_none(), "q closes the overlay");
    assert!(!state.should_quit, "q in the overlay does not quit");
    assert_eq!(state.inbox.visible_len(), 9);
}

#[test]
fn an_open_workload_follows_rows_changing_and_keeps_its_agent() {
    let mut state = loaded(Lang::En, (120, 40));
    update(&mut state, Msg::Action(Action::ShowWorkload));
    update(&mut state, Msg::Action(Action::SelectNext));
    assert_eq!(
        workload(&state).selected().unwrap().agent,
        Agent::User(JOAO.to_owned())
    );
    // Two chats move to João: he now holds the most, and the cursor stays on him.
    let joao = Some((JOAO, "João Araújo"));
    let moved = vec![
        chat("7", "Conceição Evaristo", joao, 3, Some(1500), Some(30)),
        chat("8", "Raimundo Nonato", joao, 1, Some(7), None),
    ];
    update(
        &mut state,
        Msg::IndexChanged {
            chats: moved,
            removed: Vec::new(),
        },
    );
    before_frame(&mut state);
    let shown = workload(&state);
    assert_eq!(shown.rows[0].agent, Agent::User(JOAO.to_owned()));
    assert_eq!(shown.rows[0].load.open, 4);
    assert_eq!(shown.cursor, 0, "the cursor followed João to the top");
    assert_eq!(shown.rows.last().unwrap().load.open, 0);
}

#[test]
fn rows_changing_while_open_are_counted_once_before_the_next_frame() {
    let mut state = loaded(Lang::En, (120, 40));
    update(&mut state, Msg::Action(Action::ShowWorkload));
    let opened = workload(&state).clone();
    assert!(!opened.due);
    // A burst of webhooks between two frames: each row changes on its own message.
    let joao = Some((JOAO, "João Araújo"));
    for row in [
        chat("7", "Conceição Evaristo", joao, 3, Some(1500), Some(30)),
        chat("8", "Raimundo Nonato", joao, 1, Some(7), None),
    ] {
        update(&mut state, Msg::RowChanged(row));
        assert_eq!(
            workload(&state).rows,
            opened.rows,
            "not computed again on each message"
        );
    }
    assert_eq!(state.inbox.rows().len(), 9, "the list took both rows");
    // Before the frame, once, from every row the list now holds.
    before_frame(&mut state);
    let shown = workload(&state);
    assert_eq!(shown.rows[0].agent, Agent::User(JOAO.to_owned()));
    assert_eq!(shown.rows[0].load.open, 4);
    assert_eq!(shown.rows.last().unwrap().load.open, 0);
}

#[tokio::test]
async fn the_runtime_computes_an_open_workload_again_before_it_draws() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(dir.path()).unwrap());
    let ana = chat(
        "1",
        "Márcio Araújo",
        Some((ANA, "Ana Conceição")),
        4,
        Some(9),
        None,
    );
    store
        .save_details(
            &[(ana.key.clone(), "{}".to_owned(), ana.columns)],
            chrono::Utc::now(),
        )
        .unwrap();
    let services = screen::services(store, HashMap::new(), 2);
    let inbox = services.inbox_tx.clone();
    let joao = chat(
        "4",
        "Pedro Álvares",
        Some((JOAO, "João Araújo")),
        1,
        Some(12),
        None,
    );
    let script = vec![
        show(" Chats 1 "),
        Step::Key(KeyCode::Char('w')),
        show(" Workload · 1 agents "),
        // A webhook's row: the reducer only notes it; the frame after it counts it.
        Step::Check(Box::pin(async move {
            inbox.send(Msg::RowChanged(joao)).await.unwrap();
        })),
        show(" Workload · 2 agents "),
        Step::Key(KeyCode::Esc),
        Step::Key(KeyCode::Char('q')),
    ];
    let state = State::new(Lang::En, chrono::Utc::now(), "default".to_owned());
    let (state, last) = screen::run(state, services, (120, 40), script).await;
    assert!(state.should_quit, "the run ended by `q`:\n{last}");
}

fn snapshot_state(lang: Lang, size: (u16, u16)) -> State {
    let mut state = loaded(lang, size);
    update(&mut state, Msg::Action(Action::ShowWorkload));
    update(&mut state, Msg::Action(Action::SelectNext));
    state
}

#[test]
fn frames_at_120x40_and_80x24_in_both_languages() {
    for (lang, tag, size) in snapshot_cases() {
        let state = snapshot_state(lang, size);
        let name = format!("workload_{tag}_{}x{}", size.0, size.1);
        insta::assert_snapshot!(name, draw(&state, size).backend());
    }
}

#[test]
fn at_80_columns_names_are_cut_and_figures_are_not() {
    let state = snapshot_state(Lang::PtBr, (80, 24));
    let screen = draw(&state, (80, 24)).backend().to_string();
    // The overlay's lines (the list's rows behind it carry a priority).
    let overlay = |name: &str| {
        screen
            .lines()
            .find(|line| line.contains(name) && !line.contains("NOR"))
            .map(str::to_owned)
    };
    let beatriz = overlay("Beatriz").unwrap_or_else(|| panic!("no Beatriz row:\n{screen}"));
    assert!(beatriz.contains('…'), "the long name is cut: {beatriz}");
    assert!(!beatriz.contains("Souza"), "{beatriz}");
    let ana = overlay("Ana Concei").unwrap();
    let figures: Vec<&str> = ana
        .split(['│', ' '])
        .filter(|w| w.parse::<i64>().is_ok())
        .collect();
    assert_eq!(figures, ["3", "6", "2"], "{ana}");
    assert!(ana.contains("3h 05m Márcio Araújo"), "{ana}");
    let unassigned = overlay("(sem responsável)").unwrap();
    assert!(
        unassigned.contains("1d 1h Conceição Evaristo"),
        "{unassigned}"
    );
}
