//! The console's list and modals tell the truth: the list window always shows the selection and
//! is full, the order follows time, nothing changes without saying what, destructive actions ask
//! first, and a room change is not a message.
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
use balcao::console::msg::Msg;
use balcao::console::state::State;
use balcao::console::ui::layout;
use balcao::console::update::update;
use balcao::i18n::Lang;
use console::{draw, loaded_state};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn typed(state: &mut State, text: &str) {
    for c in text.chars() {
        update(
            state,
            Msg::Input(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
}

/// The chat rows drawn in the list pane (the lines under the header that carry a row).
fn drawn_rows(state: &State, size: (u16, u16)) -> Vec<String> {
    let terminal = draw(state, size);
    let buffer = terminal.backend().buffer();
    let list_width = if size.0 >= layout::SIDE_BY_SIDE_WIDTH {
        size.0 * 56 / 100
    } else {
        size.0
    };
    (2..size.1.saturating_sub(2))
        .map(|y| {
            (1..list_width.saturating_sub(1))
                .map(|x| buffer[(x, y)].symbol().to_owned())
                .collect::<String>()
        })
        .filter(|line| !line.trim().is_empty())
        .collect()
}

/// The list window holds the selection and is as full as the rows allow.
fn assert_window_true(state: &State, what: &str) {
    let inbox = &state.inbox;
    let page = layout::list_page(state.size);
    let shown = inbox.visible_len();
    let selected = inbox.selected().unwrap();
    assert!(
        inbox.offset <= selected && selected < inbox.offset + page,
        "{what}: selection {selected} is outside the window {}..{}",
        inbox.offset,
        inbox.offset + page
    );
    assert_eq!(
        shown.saturating_sub(inbox.offset).min(page),
        shown.min(page),
        "{what}: the window starting at {} of {shown} rows is not full",
        inbox.offset
    );
}

// ---------------------------------------------------------------------------------------------
// 14. Scrolling: the selection is always visible and the window always full.

#[test]
fn after_the_last_row_a_filter_still_fills_the_window() {
    let size = (120, 34);
    let (mut state, _) = loaded_state(Lang::En, size);
    let page = layout::list_page(size);
    update(&mut state, Msg::Action(Action::SelectLast));
    assert_window_true(&state, "after G");
    update(&mut state, Msg::Action(Action::Filter));
    // The last row is a low-priority chat: the filter leaves it out, and the text typed on the
    // way there ("p", "pr", ...) matches fewer rows than the selection's old place.
    for c in "priority:>=2".chars() {
        typed(&mut state, &c.to_string());
        if state.inbox.visible_len() > 0 {
            assert_window_true(&state, &format!("after typing '{c}'"));
        }
    }
    let shown = state.inbox.visible_len();
    assert!(shown > page, "the filter leaves more than a screenful");
    assert_window_true(&state, "after typing the filter");
    assert_eq!(
        drawn_rows(&state, size).len(),
        page,
        "every line of the list shows a chat"
    );
    let selected = state.inbox.selected_row().unwrap().summary.key.clone();
    assert!(
        drawn_rows(&state, size)
            .iter()
            .any(|line| line.contains(state.inbox.row(&selected).unwrap().summary.columns.contact.as_deref().unwrap_or("…"))),
        "the selected chat is on screen"
    );
}

#[test]
fn clearing_a_filter_keeps_the_selected_chat_highlighted_on_screen() {
    let size = (120, 34);
    let (mut state, _) = loaded_state(Lang::En, size);
    update(&mut state, Msg::Action(Action::Filter));
    typed(&mut state, "status:resolved");
    update(&mut state, Msg::Action(Action::Confirm));
    update(&mut state, Msg::Action(Action::SelectLast));
    let chosen = state.inbox.selected_row().unwrap().summary.key.clone();
    update(&mut state, Msg::Action(Action::ClearFilter));
    assert_eq!(
        state.inbox.selected_row().map(|row| row.summary.key.clone()),
        Some(chosen.clone()),
        "the chat stays selected"
    );
    assert_window_true(&state, "after clearing the filter");
    // The same through Esc on the filter line, which restores the filter typed before.
    update(&mut state, Msg::Action(Action::Filter));
    typed(&mut state, " status:resolved");
    update(&mut state, Msg::Action(Action::SelectLast));
    update(&mut state, Msg::Action(Action::Cancel));
    assert_window_true(&state, "after cancelling the filter line");
}

#[test]
fn shrinking_the_terminal_keeps_the_selection_in_the_window() {
    let (mut state, _) = loaded_state(Lang::En, (120, 60));
    for _ in 0..50 {
        update(&mut state, Msg::Action(Action::SelectNext));
    }
    update(&mut state, Msg::Resize(120, 20));
    assert_window_true(&state, "after shrinking");
    update(&mut state, Msg::Action(Action::SelectLast));
    update(&mut state, Msg::Resize(120, 60));
    assert_window_true(&state, "after growing at the end of the list");
}

