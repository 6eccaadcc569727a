//! Navigation that saves keystrokes, through the reducer: marks (and a property test that they
//! survive any run of filters, sorts and rows coming and going), each sort, `next_urgent`, the
//! saved views (from config.toml too), and the command palette; then their snapshots.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    missing_docs
)]

#[path = "common/console.rs"]
mod console;

use std::collections::HashSet;
use std::fmt::Write as _;

use balcao::console::action::{Action, Context};
use balcao::console::marks::targets;
use balcao::console::modal::{Entry, Modal};
use balcao::console::msg::{ApiCall, Command, Msg};
use balcao::console::state::{Focus, State};
use balcao::console::update::update;
use balcao::i18n::Lang;
use balcao::inbox::Sort;
use balcao::store::{ChatKey, ChatSummary, Columns};
use chrono::{DateTime, Duration, Utc};
use console::{draw, loaded_state, now, seeded_chats, snapshot_cases, summary, typed};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;

fn act(state: &mut State, action: Action) -> Vec<Command> {
    update(state, Msg::Action(action))
}

fn selected(state: &State) -> ChatKey {
    state.inbox.selected_row().unwrap().summary.key.clone()
}

fn shown_keys(state: &State) -> Vec<ChatKey> {
    state
        .inbox
        .shown_rows()
        .map(|(_, row)| row.summary.key.clone())
        .collect()
}

fn set_filter(state: &mut State, text: &str) {
    act(state, Action::Filter);
    typed(state, text);
    act(state, Action::Confirm);
}

/// A chat for the order and urgency tests: `waiting` minutes since the customer wrote (or the
/// company wrote last `mine` minutes ago), its window ending in `window` minutes.
struct Spec {
    id: &'static str,
    name: Option<&'static str>,
    last: Option<(i64, bool)>,
    window: Option<i64>,
    unread: i64,
    archived: bool,
}

fn chat(spec: &Spec, at: DateTime<Utc>) -> ChatSummary {
    console::row(
        ChatKey::wegly("default", spec.id),
        Columns {
            status: Some("OPEN".to_owned()),
            priority: Some(1),
            contact: spec.name.map(str::to_owned),
            contact_number: Some(format!("55119{}", spec.id.len())),
            unread: spec.unread,
            last_message_at: spec
                .last
                .map(|(minutes, _)| at - Duration::minutes(minutes)),
            last_message_from_me: spec.last.map(|(_, mine)| mine),
            window_ends_at: spec.window.map(|minutes| at + Duration::minutes(minutes)),
            archived: spec.archived,
            ..Columns::default()
        },
    )
}

fn state_of(specs: &[Spec]) -> State {
    let mut state = State::new(Lang::En, now(), "default".to_owned());
    update(&mut state, Msg::Resize(120, 40));
    update(
        &mut state,
        Msg::Rows(specs.iter().map(|spec| chat(spec, now())).collect()),
    );
    state
}

/// Four chats whose five orders all differ.
fn four() -> Vec<Spec> {
    vec![
        // Waiting 3h, window closing in 30 min, named Zé.
        Spec {
            id: "a",
            name: Some("Zé"),
            last: Some((180, false)),
            window: Some(30),
            unread: 1,
            archived: false,
        },
        // Waiting 1h, window open 10h, named ana.
        Spec {
            id: "b",
            name: Some("ana"),
            last: Some((60, false)),
            window: Some(600),
            unread: 0,
            archived: false,
        },
        // The company answered 10 min ago; the window closed.
        Spec {
            id: "c",
            name: Some("Ávila"),
            last: Some((10, true)),
            window: Some(-5),
            unread: 0,
            archived: false,
        },
        // Nothing known: no name (the number names it), no message, no window.
        Spec {
            id: "d",
            name: None,
            last: None,
            window: None,
            unread: 0,
            archived: false,
        },
    ]
}

fn ids(state: &State) -> Vec<String> {
    shown_keys(state)
        .into_iter()
        .map(|key| key.chat_id)
        .collect()
}

#[test]
fn toggle_mark_marks_the_selected_chat_moves_on_and_targets_follow() {
    let (mut state, _) = loaded_state(Lang::En, (120, 40));
    let first = selected(&state);
    // Nothing marked: a batch acts on the selection.
    assert_eq!(targets(&state), vec![first.clone()]);
    act(&mut state, Action::ToggleMark);
    assert!(state.inbox.marks().contains(&first));
    assert_eq!(state.inbox.selected(), Some(1), "the selection moves on");
    let second = selected(&state);
    act(&mut state, Action::ToggleMark);
    assert_eq!(targets(&state), vec![first.clone(), second.clone()]);
    // Pressed again on a marked chat, it unmarks it.
    act(&mut state, Action::SelectFirst);
    act(&mut state, Action::ToggleMark);
    assert!(!state.inbox.marks().contains(&first));
    assert_eq!(targets(&state), vec![second]);
    act(&mut state, Action::ClearMarks);
    assert!(state.inbox.marks().is_empty());
    assert_eq!(targets(&state), vec![selected(&state)]);
    // An empty list has no targets.
    let mut empty = State::new(Lang::En, now(), "default".to_owned());
    update(&mut empty, Msg::Rows(Vec::new()));
    act(&mut empty, Action::ToggleMark);
    assert!(targets(&empty).is_empty());
    assert!(empty.notification.is_some(), "an empty selection says so");
}

#[test]
fn mark_all_matching_marks_every_chat_the_filter_matches_not_only_the_page() {
    let (mut state, _) = loaded_state(Lang::En, (120, 40));
    let page = balcao::console::state::list_page(state.size);
    set_filter(&mut state, "status:open");
    let matching = shown_keys(&state);
    assert!(matching.len() > page, "the filter matches more than a page");
    act(&mut state, Action::MarkAllMatching);
    assert_eq!(state.inbox.marks().len(), matching.len());
    assert_eq!(targets(&state), matching, "targets in list order");
    // The filter goes; the marks stay, and the title counts those it now shows.
    act(&mut state, Action::ClearFilter);
    assert_eq!(state.inbox.marks().len(), matching.len());
    assert_eq!(state.inbox.marks().shown(), matching.len());
    set_filter(&mut state, "status:closed");
    assert_eq!(
        state.inbox.marks().shown(),
        0,
        "none of the marked is closed"
    );
    assert_eq!(state.inbox.marks().len(), matching.len());
    // With no filter, every chat of the list.
    act(&mut state, Action::ClearFilter);
    act(&mut state, Action::MarkAllMatching);
    assert_eq!(state.inbox.marks().len(), state.inbox.rows().len());
}

#[test]
fn marks_survive_sorts_filters_and_rows_arriving_and_a_removed_row_loses_its_mark() {
    let (mut state, chats) = loaded_state(Lang::En, (120, 40));
    for _ in 0..3 {
        act(&mut state, Action::ToggleMark);
    }
    let marked = targets(&state);
    assert_eq!(marked.len(), 3);
    for _ in 0..Sort::ALL.len() {
        act(&mut state, Action::CycleSort);
        let now_marked: HashSet<_> = targets(&state).into_iter().collect();
        assert_eq!(now_marked, marked.iter().cloned().collect::<HashSet<_>>());
    }
    // A marked row written again (a webhook) keeps its mark.
    let again = chats
        .iter()
        .find(|c| c.id.as_deref() == Some(marked[0].chat_id.as_str()))
        .unwrap();
    update(&mut state, Msg::RowChanged(summary(again)));
    assert!(state.inbox.marks().contains(&marked[0]));
    // Forgotten from the index: the mark goes with the row.
    update(
        &mut state,
        Msg::IndexChanged {
            chats: Vec::new(),
            removed: vec![marked[1].clone()],
        },
    );
    assert_eq!(targets(&state).len(), 2);
    assert!(!state.inbox.marks().contains(&marked[1]));
    // The whole list read again without a marked row: that mark goes too.
    let rows: Vec<ChatSummary> = chats
        .iter()
        .map(summary)
        .filter(|row| row.key != marked[2] && row.key != marked[1])
        .collect();
    update(&mut state, Msg::Rows(rows));
    assert_eq!(targets(&state), vec![marked[0].clone()]);
}

/// What the property test does to the list.
#[derive(Debug, Clone)]
enum Step {
    Key(Action),
    Filter(String),
    Changed(usize),
    Removed(usize),
    Rows(Vec<usize>),
}

fn pool() -> &'static Vec<ChatSummary> {
    static POOL: std::sync::OnceLock<Vec<ChatSummary>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| seeded_chats().iter().take(40).map(summary).collect())
}

fn arb_step() -> impl Strategy<Value = Step> {
    let size = pool().len();
    let keys = [
        Action::ToggleMark,
        Action::MarkAllMatching,
        Action::ClearMarks,
        Action::CycleSort,
        Action::NextView,
        Action::PrevView,
        Action::NextUrgent,
        Action::SelectNext,
        Action::PageDown,
        Action::SelectLast,
        Action::ClearFilter,
    ];
    prop_oneof![
        8 => (0..keys.len()).prop_map(move |i| Step::Key(keys[i])),
        2 => prop::sample::select(vec!["", "status:open", "unread", "a", "mari", "window:closing", "mine"])
            .prop_map(|text| Step::Filter(text.to_owned())),
        2 => (0..size).prop_map(Step::Changed),
        2 => (0..size).prop_map(Step::Removed),
        1 => prop::collection::vec(0..size, 0..size).prop_map(Step::Rows),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Marks follow their chats: whatever the filters, sorts, views and rows do, the marked set
    /// is exactly what the presses asked for, less the chats that left the list; the targets
    /// come in the list's order; the title's shown count is right.
    #[test]
    fn marks_survive_any_sequence_of_filters_sorts_and_rows(steps in prop::collection::vec(arb_step(), 0..60)) {
        let mut state = State::new(Lang::En, now(), "default".to_owned());
        update(&mut state, Msg::Resize(100, 20));
        update(&mut state, Msg::Rows(pool().clone()));
        let mut model: HashSet<ChatKey> = HashSet::new();
        for step in steps {
            match step {
                Step::Key(action) => {
                    match action {
                        Action::ToggleMark => if let Some(row) = state.inbox.selected_row() {
                            let key = row.summary.key.clone();
                            if !model.remove(&key) { model.insert(key); }
                        },
                        Action::MarkAllMatching => model.extend(shown_keys(&state)),
                        Action::ClearMarks => model.clear(),
                        _ => {}
                    }
                    act(&mut state, action);
                }
                Step::Filter(text) => {
                    act(&mut state, Action::ClearFilter);
                    set_filter(&mut state, &text);
                }
                Step::Changed(i) => { update(&mut state, Msg::RowChanged(pool()[i].clone())); }
                Step::Removed(i) => {
                    let key = pool()[i].key.clone();
                    model.remove(&key);
                    update(&mut state, Msg::IndexChanged { chats: Vec::new(), removed: vec![key] });
                }
                Step::Rows(mut picked) => {
                    // The index holds one row per chat.
                    picked.sort_unstable();
                    picked.dedup();
                    let rows: Vec<ChatSummary> = picked.iter().map(|i| pool()[*i].clone()).collect();
                    let kept: HashSet<ChatKey> = rows.iter().map(|row| row.key.clone()).collect();
                    model.retain(|key| kept.contains(key));
                    update(&mut state, Msg::Rows(rows));
                }
            }
            let marks = state.inbox.marks();
            prop_assert_eq!(marks.len(), model.len());
            for key in &model {
                prop_assert!(marks.contains(key), "{:?} lost its mark", key);
            }
            let in_order: Vec<ChatKey> = state.inbox.ordered_rows()
                .map(|row| row.summary.key.clone())
                .filter(|key| model.contains(key))
                .collect();
            let expected = if in_order.is_empty() {
                state.inbox.selected_row().map(|row| vec![row.summary.key.clone()]).unwrap_or_default()
            } else {
                in_order
            };
            prop_assert_eq!(targets(&state), expected);
            let shown = shown_keys(&state).iter().filter(|key| model.contains(*key)).count();
            prop_assert_eq!(state.inbox.marks().shown(), shown);
        }
    }
}

#[test]
fn each_sort_orders_the_list_and_the_selection_stays_on_its_chat() {
    let mut state = state_of(&four());
    assert_eq!(state.inbox.sort(), Sort::Urgency);
    let urgency = ids(&state);
    let mut rows: Vec<ChatSummary> = four().iter().map(|spec| chat(spec, now())).collect();
    rows.sort_by(|a, b| balcao::inbox::urgency(a, b, now()));
    let expected: Vec<String> = rows.iter().map(|row| row.key.chat_id.clone()).collect();
    assert_eq!(urgency, expected, "urgency is today's order");
    // The selection moves to "b", then stays on it through every sort.
    act(&mut state, Action::SelectFirst);
    while selected(&state).chat_id != "b" {
        act(&mut state, Action::SelectNext);
    }
    let by_urgency_rest = |first: &[&str]| -> Vec<String> {
        let mut order: Vec<String> = first.iter().map(|id| (*id).to_owned()).collect();
        order.extend(
            expected
                .iter()
                .filter(|id| !first.contains(&id.as_str()))
                .cloned(),
        );
        order
    };
    for (sort, order) in [
        // The customers waiting, the longest first, then the others by urgency.
        (Sort::Waiting, by_urgency_rest(&["a", "b"])),
        // The newest last message first, the one without a message last.
        (
            Sort::Newest,
            vec!["c".into(), "b".into(), "a".into(), "d".into()],
        ),
        // Open windows, the soonest to close first, then the others by urgency.
        (Sort::Window, by_urgency_rest(&["a", "b"])),
        // By name, accents and case aside; a chat without a name goes by its number.
        (
            Sort::Name,
            vec!["d".into(), "b".into(), "c".into(), "a".into()],
        ),
        (Sort::Urgency, expected.clone()),
    ] {
        act(&mut state, Action::CycleSort);
        assert_eq!(state.inbox.sort(), sort);
        assert_eq!(ids(&state), order, "{sort:?}");
        assert_eq!(selected(&state).chat_id, "b", "{sort:?} kept the selection");
    }
    // A row arriving under a sort takes its place in that sort.
    act(&mut state, Action::CycleSort);
    act(&mut state, Action::CycleSort);
    let newest = Spec {
        id: "e",
        name: Some("Eva"),
        last: Some((1, false)),
        window: None,
        unread: 0,
        archived: false,
    };
    update(&mut state, Msg::RowChanged(chat(&newest, now())));
    assert_eq!(ids(&state)[0], "e", "the newest message sorts first");
}

#[test]
fn waiting_is_the_customer_having_written_last() {
    let at = now();
    let specs = four();
    let waiting: Vec<Option<DateTime<Utc>>> = specs
        .iter()
        .map(|spec| balcao::inbox::waiting_since(&chat(spec, at)))
        .collect();
    assert_eq!(
        waiting,
        vec![
            Some(at - Duration::minutes(180)),
            Some(at - Duration::minutes(60)),
            None,
            None
        ]
    );
}

#[test]
fn next_urgent_goes_through_the_chats_needing_an_answer_in_urgency_order_and_round() {
    let mut specs = four();
    // Unread but archived: parked, not urgent.
    specs.push(Spec {
        id: "e",
        name: Some("Arquivo"),
        last: Some((5, false)),
        window: Some(20),
        unread: 4,
        archived: true,
    });
    // Only its window closing (in 20 min) makes it urgent.
    specs.push(Spec {
        id: "f",
        name: Some("Fábio"),
        last: Some((30, true)),
        window: Some(20),
        unread: 0,
        archived: false,
    });
    let mut state = state_of(&specs);
    // Whatever the sort, the jumps go in urgency order: f (20 min), a (30 min), b (10 h).
    act(&mut state, Action::CycleSort);
    act(&mut state, Action::CycleSort);
    act(&mut state, Action::CycleSort);
    act(&mut state, Action::CycleSort);
    assert_eq!(state.inbox.sort(), Sort::Name);
    let mut seen = Vec::new();
    for _ in 0..4 {
        act(&mut state, Action::NextUrgent);
        seen.push(selected(&state).chat_id);
    }
    assert_eq!(seen, ["f", "a", "b", "f"]);
    assert!(
        state
            .notification
            .as_ref()
            .unwrap()
            .text
            .contains("urgent 1 of 3")
    );
    // Moved elsewhere by hand, it starts again from the most urgent.
    act(&mut state, Action::SelectNext);
    act(&mut state, Action::NextUrgent);
    assert_eq!(selected(&state).chat_id, "f");
    // None needs an answer: it says so and stays.
    let mut calm = state_of(&[Spec {
        id: "c",
        name: Some("Ávila"),
        last: Some((10, true)),
        window: Some(-5),
        unread: 0,
        archived: false,
    }]);
    act(&mut calm, Action::NextUrgent);
    assert_eq!(
        calm.notification.as_ref().unwrap().text,
        "no chat needs an answer"
    );
}

#[test]
fn views_switch_the_filter_and_sort_and_a_typed_filter_applies_on_top() {
    let (mut state, _) = loaded_state(Lang::En, (120, 40));
    let names: Vec<&str> = state
        .views
        .all()
        .iter()
        .map(|view| view.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["all", "all open", "mine", "unassigned", "window closing"]
    );
    let all = state.inbox.visible_len();
    act(&mut state, Action::NextView);
    assert_eq!(state.views.current(), 1);
    let open = state.inbox.visible_len();
    assert!(open < all);
    assert!(
        state
            .inbox
            .shown_rows()
            .all(|(_, row)| { row.summary.columns.status.as_deref() == Some("OPEN") })
    );
    // A typed filter narrows the view; clearing it leaves the view.
    set_filter(&mut state, "unread");
    let narrowed = state.inbox.visible_len();
    assert!(narrowed < open && narrowed > 0);
    assert!(state.inbox.shown_rows().all(|(_, row)| {
        let columns = &row.summary.columns;
        columns.status.as_deref() == Some("OPEN") && (columns.unread > 0 || columns.marked_unread)
    }));
    act(&mut state, Action::ClearFilter);
    assert_eq!(state.inbox.visible_len(), open);
    // Back past the first tab to the last: "window closing" sorts by window.
    act(&mut state, Action::PrevView);
    act(&mut state, Action::PrevView);
    assert_eq!(state.views.current(), 4);
    assert_eq!(state.inbox.sort(), Sort::Window);
    act(&mut state, Action::NextView);
    assert_eq!(state.inbox.visible_len(), all, "\"all\" has no filter");
    assert_eq!(
        state.inbox.sort(),
        Sort::Window,
        "a view without a sort keeps it"
    );
    // Portuguese names.
    let (pt, _) = loaded_state(Lang::PtBr, (120, 40));
    let names: Vec<&str> = pt
        .views
        .all()
        .iter()
        .map(|view| view.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "todas",
            "abertas",
            "minhas",
            "sem responsável",
            "janela fechando"
        ]
    );
}

#[test]
fn views_come_from_config_toml_and_a_bad_one_names_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(
        &good,
        "[[views]]\nname = \"VIP\"\nfilter = \"priority:>=alta status:open\"\nsort = \"waiting\"\n\n\
         [[views]]\nname = \"Maria\"\nfilter = \"maria\"\n",
    )
    .unwrap();
    let config = balcao::config::load(&good, true).unwrap();
    assert_eq!(config.views.len(), 2);
    assert_eq!(config.views[0].sort, Some(Sort::Waiting));
    assert_eq!(config.views[1].sort, None);
    let views = balcao::console::views::Views::new(Lang::En, &config.views);
    let names: Vec<&str> = views.all().iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "all",
            "all open",
            "mine",
            "unassigned",
            "window closing",
            "VIP",
            "Maria"
        ]
    );

    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[views]]\nname = \"VIP\"\nfilter = \"priority:max\"\n\n\
         [[views]]\nname = \"late\"\nfilter = \"unread\"\nsort = \"oldest\"\n\n\
         [[views]]\nname = \"VIP\"\nfilter = \"unread\"\n",
    )
    .unwrap();
    let problems: Vec<String> = balcao::config::load(&bad, true)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    let shown = bad.display().to_string();
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(
        problems[0].starts_with(&format!(
            "{shown}:3: views: the filter of 'VIP' does not parse: 'priority:max': priority is 0-3"
        )),
        "{problems:#?}"
    );
    assert!(
        problems[1].starts_with(&format!(
            "{shown}:8: views: sort 'oldest' of 'late' is not one of urgency, waiting, newest, window, name"
        )),
        "{problems:#?}"
    );
    assert!(
        problems[2].starts_with(&format!("{shown}:11: views: the name 'VIP' is used twice")),
        "{problems:#?}"
    );

    // `balcao check-config` lists them with file and line, and fails.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_balcao"))
        .args(["check-config", "--config", bad.to_str().unwrap()])
        .env_clear()
        .env("HOME", dir.path())
        .env("BALCAO_LANG", "en")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{shown}:3: views: the filter of 'VIP'")),
        "{stderr}"
    );
}

fn palette_entries(state: &State) -> Vec<Entry> {
    match &state.modal {
        Some(Modal::Palette(palette)) => palette.entries.clone(),
        other => panic!("no palette open: {other:?}"),
    }
}

fn palette_actions(state: &State) -> Vec<Action> {
    palette_entries(state)
        .into_iter()
        .filter_map(|entry| match entry {
            Entry::Action(action) => Some(action),
            Entry::Chat { .. } => None,
        })
        .collect()
}

#[test]
fn the_palette_lists_the_actions_of_where_it_was_opened() {
    let (mut state, _) = loaded_state(Lang::En, (120, 40));
    act(&mut state, Action::CommandPalette);
    let actions = palette_actions(&state);
    assert!(actions.contains(&Action::ToggleMark));
    assert!(actions.contains(&Action::ReassignResponsible));
    for absent in [
        Action::Confirm,
        Action::NextField,
        Action::Cancel,
        Action::CommandPalette,
    ] {
        assert!(
            !actions.contains(&absent),
            "{absent:?} is not available in the list"
        );
    }
    act(&mut state, Action::Cancel);
    assert!(state.modal.is_none());
    // From the detail: going back is available, marking through the list is not.
    act(&mut state, Action::FocusNextPane);
    assert_eq!(state.focus, Focus::Detail);
    act(&mut state, Action::CommandPalette);
    let actions = palette_actions(&state);
    assert!(actions.contains(&Action::Cancel));
    assert!(actions.contains(&Action::RevealDocuments));
    assert!(
        matches!(&state.modal, Some(Modal::Palette(p)) if p.contexts == vec![Context::Detail, Context::Global])
    );
}

#[test]
fn the_palette_finds_an_action_by_its_words_and_runs_it_as_its_key_would() {
    let (mut state, _) = loaded_state(Lang::PtBr, (120, 40));
    act(&mut state, Action::CommandPalette);
    typed(&mut state, "ORDEM");
    assert_eq!(palette_actions(&state), vec![Action::CycleSort]);
    act(&mut state, Action::Confirm);
    assert!(state.modal.is_none());
    assert_eq!(state.inbox.sort(), Sort::Waiting);
    // An action that opens a modal of its own opens it.
    act(&mut state, Action::CommandPalette);
    typed(&mut state, "filtrar");
    assert_eq!(palette_actions(&state)[0], Action::Filter);
    act(&mut state, Action::Confirm);
    assert!(matches!(state.modal, Some(Modal::Filter { .. })));
}

#[test]
fn the_palette_finds_a_chat_by_name_or_number_without_accents_and_opens_it() {
    let (mut state, chats) = loaded_state(Lang::En, (120, 40));
    let target = chats
        .iter()
        .map(summary)
        .find(|row| {
            row.columns
                .contact
                .as_deref()
                .is_some_and(|name| name.chars().any(|c| "ãáçéíóõú".contains(c)))
        })
        .unwrap();
    let name = target.columns.contact.clone().unwrap();
    // Hidden by a filter first: opening it from the palette shows it.
    set_filter(&mut state, "window:closing");
    act(&mut state, Action::CommandPalette);
    typed(&mut state, &balcao::inbox::fold(&name).to_uppercase());
    let entries = palette_entries(&state);
    let at = entries
        .iter()
        .position(|entry| matches!(entry, Entry::Chat { key, .. } if *key == target.key))
        .unwrap_or_else(|| panic!("{name} not found in {entries:#?}"));
    for _ in 0..at {
        act(&mut state, Action::SelectNext);
    }
    let commands = act(&mut state, Action::Confirm);
    assert_eq!(selected(&state), target.key);
    assert_eq!(state.focus, Focus::Detail, "the chat opens");
    assert!(commands.iter().any(|command| matches!(
        command,
        Command::Api(request) if request.call == ApiCall::GetChat(target.key.clone())
    )));
    assert!(state.inbox.filter_text.is_empty());
    // By number.
    let number = target.columns.contact_number.clone().unwrap();
    act(&mut state, Action::Cancel);
    act(&mut state, Action::CommandPalette);
    typed(&mut state, &number[number.len() - 6..]);
    assert!(
        palette_entries(&state)
            .iter()
            .any(|entry| matches!(entry, Entry::Chat { key, .. } if *key == target.key))
    );
    // Backspace narrows back; nothing matching says so.
    update(
        &mut state,
        Msg::Input(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE)),
    );
    typed(&mut state, "zzzzzz");
    assert!(palette_entries(&state).is_empty());
}

/// A list with three marks, sorted by longest wait, on the "all open" tab.
fn marked_sorted_view(lang: Lang, size: (u16, u16)) -> State {
    let (mut state, _) = loaded_state(lang, size);
    act(&mut state, Action::NextView);
    act(&mut state, Action::CycleSort);
    act(&mut state, Action::SelectFirst);
    act(&mut state, Action::ToggleMark);
    act(&mut state, Action::SelectNext);
    act(&mut state, Action::ToggleMark);
    act(&mut state, Action::ToggleMark);
    state.notification = None;
    state
}

#[test]
fn snapshots_of_the_list_with_marks_tabs_and_sort() {
    for (lang, tag, size) in snapshot_cases() {
        let state = marked_sorted_view(lang, size);
        let name = format!("list_marks_tabs_sort_{tag}_{}x{}", size.0, size.1);
        insta::assert_snapshot!(name, draw(&state, size).backend());
    }
}

#[test]
fn at_80_columns_the_tabs_scroll_to_the_current_one_and_never_wrap() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    let mut text = String::new();
    for n in 0..6 {
        writeln!(
            text,
            "[[views]]\nname = \"equipe número {n}\"\nfilter = \"unread\""
        )
        .unwrap();
    }
    std::fs::write(&file, text).unwrap();
    let config = balcao::config::load(&file, true).unwrap();
    let (mut state, _) = loaded_state(Lang::PtBr, (80, 24));
    state.views = balcao::console::views::Views::new(Lang::PtBr, &config.views);
    for _ in 0..8 {
        act(&mut state, Action::NextView);
    }
    state.notification = None;
    let frame = draw(&state, (80, 24));
    let top: String = (0..80)
        .map(|x| frame.backend().buffer()[(x, 0)].symbol().to_owned())
        .collect();
    assert!(top.contains("equipe número 2"), "{top}");
    assert!(
        top.starts_with('‹') && top.trim_end().ends_with('›'),
        "{top}"
    );
    insta::assert_snapshot!("tabs_scrolled_pt_80x24", frame.backend());
}

#[test]
fn snapshots_of_the_palette() {
    for (lang, tag, size) in snapshot_cases() {
        let (mut state, _) = loaded_state(lang, size);
        act(&mut state, Action::CommandPalette);
        typed(&mut state, "mar");
        act(&mut state, Action::SelectNext);
        let name = format!("palette_{tag}_{}x{}", size.0, size.1);
        insta::assert_snapshot!(name, draw(&state, size).backend());
    }
}
