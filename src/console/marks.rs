//! Marks: `toggle_mark`, `mark_all_matching` and `clear_marks`, and the chats a batch acts on
//! ([`targets`]): the marked ones, or the selected one when nothing is marked.

use crate::console::action::Action;
use crate::console::changes::nothing_selected;
pub use crate::console::list::Marks;
use crate::console::msg::Command;
use crate::console::navigate::move_selection;
use crate::console::state::{Level, State};
use crate::store::ChatKey;
use crate::tr;

/// The chats a batch acts on: the marked chats in the list's order (shown by the filters or
/// not), else the selected chat, else none.
pub fn targets(state: &State) -> Vec<ChatKey> {
    let marked = state.inbox.marked_in_order();
    if !marked.is_empty() {
        return marked;
    }
    state
        .inbox
        .selected_row()
        .map(|row| vec![row.summary.key.clone()])
        .unwrap_or_default()
}

/// `toggle_mark`: marks or unmarks the selected chat, then moves to the next row (as mutt and
/// ranger do), so a run of presses marks a run of chats.
pub fn toggle(state: &mut State) -> Vec<Command> {
    if state.inbox.toggle_selected_mark().is_none() {
        nothing_selected(state);
        return Vec::new();
    }
    move_selection(state, Action::SelectNext)
}

/// `mark_all_matching`: marks every chat the filters let through, on screen or not (with no
/// filter, every chat of the list).
pub fn mark_all(state: &mut State) -> Vec<Command> {
    let lang = state.lang;
    if state.inbox.visible_len() == 0 {
        let text = lang.pick("nenhuma conversa a marcar", "no chat to mark");
        state.notify(Level::Error, text.to_owned());
        return Vec::new();
    }
    let added = state.inbox.mark_shown();
    let total = state.inbox.marks().len();
    state.notify(
        Level::Info,
        tr!(
            lang,
            "{added} marcada(s) agora; {total} no total",
            "{added} newly marked; {total} marked in all"
        ),
    );
    Vec::new()
}

/// `clear_marks`: unmarks every chat, and says how many were.
pub fn clear_all(state: &mut State) -> Vec<Command> {
    let count = state.inbox.marks().len();
    state.inbox.marks_mut().clear();
    let text = if count == 0 {
        state
            .lang
            .pick("nenhuma conversa marcada", "no chat is marked")
            .to_owned()
    } else {
        tr!(
            state.lang,
            "{count} marca(s) removida(s)",
            "{count} mark(s) cleared"
        )
    };
    state.notify(Level::Info, text);
    Vec::new()
}
