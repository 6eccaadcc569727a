//! The modals: one file each (its state, how it opens, its keys and its submit), and here the
//! one place that hands an action or a typed key to the open modal.

mod add;
mod confirm;
mod create;
mod reassign;
mod remove;
mod room_field;

use crossterm::event::{KeyCode, KeyEvent};

use crate::console::action::Action;
use crate::console::keymap::KeyChord;
use crate::console::msg::{Command, RequestId};
use crate::console::navigate::selection_changed;
use crate::console::state::State;

pub use add::Add;
pub use confirm::{Confirm, Destructive, ask_forget, toggle_archive};
pub use create::{CREATE_FIELDS, Create, create_request, field};
pub use reassign::{Candidate, Reassign};
pub use remove::{Choice, Remove};
pub use room_field::{RoomField, RoomFieldKind};

/// The open modal.
#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    /// The keys, scrolled by `scroll` lines (the list is longer than most terminals).
    Help {
        /// Lines scrolled.
        scroll: u16,
    },
    /// Editing the filter line; `before` is restored on cancel.
    Filter {
        /// The filter before editing.
        before: String,
    },
    /// Reassign the responsible.
    Reassign(Reassign),
    /// Remove a participant.
    Remove(Remove),
    /// Create a chat.
    Create(Create),
    /// Add a chat by id.
    Add(Add),
    /// One field of a conversation: department or tags.
    RoomField(RoomField),
    /// A destructive change, shown before it is made.
    Confirm(Confirm),
}

/// Where a modal's request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stage {
    /// The user is choosing.
    #[default]
    Editing,
    /// Sent; waiting for the reply.
    Sending(RequestId),
}

/// More lines than the help can have (a title per context, a line per binding, the footer);
/// the view stops scrolling at its real end.
const HELP_LINES_AT_MOST: usize = Action::ALL.len() * 4 + 8;

/// An action while a modal is open.
pub fn action(state: &mut State, action: Action) -> Vec<Command> {
    match action {
        // Only reaches a modal when the keymap leaves the quitting key (ctrl-c) no use there.
        Action::Quit => {
            state.should_quit = true;
            vec![Command::Quit]
        }
        Action::Cancel => cancel(state),
        Action::Confirm => confirm(state),
        Action::SelectNext
        | Action::SelectPrev
        | Action::SelectFirst
        | Action::SelectLast
        | Action::PageDown
        | Action::PageUp => {
            move_cursor(state, action);
            Vec::new()
        }
        Action::NextField | Action::PrevField => {
            if let Some(Modal::Create(form)) = &mut state.modal {
                form.next_field(action == Action::NextField);
            }
            Vec::new()
        }
        Action::ToggleUpdateChat | Action::ToggleUpdateLeads | Action::ToggleUpdateDeals => {
            if let Some(Modal::Reassign(modal)) = &mut state.modal {
                modal.toggle(action);
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn cancel(state: &mut State) -> Vec<Command> {
    match state.modal.take() {
        Some(Modal::Filter { before }) => {
            let (lang, now, me) = (state.lang, state.now, state.me.clone());
            state.inbox.set_filter_text(before, lang, now, &me);
            selection_changed(state)
        }
        // Not confirmed: nothing is sent; back to the choice the question came from.
        Some(Modal::Confirm(question)) => {
            state.modal = question.change.back();
            Vec::new()
        }
        // A request in flight keeps going; its outcome shows in the status bar.
        _ => Vec::new(),
    }
}

fn confirm(state: &mut State) -> Vec<Command> {
    match state.modal.clone() {
        Some(Modal::Filter { .. } | Modal::Help { .. }) => {
            state.modal = None;
            Vec::new()
        }
        Some(Modal::Reassign(modal)) => modal.submit(state),
        Some(Modal::Remove(modal)) => modal.submit(state),
        Some(Modal::Create(form)) => form.submit(state),
        Some(Modal::Add(modal)) => modal.submit(state),
        Some(Modal::RoomField(modal)) => modal.submit(state),
        Some(Modal::Confirm(question)) => question.change.make(state),
        None => Vec::new(),
    }
}

/// The cursor's next place in a list of `len` for a movement action.
fn step(action: Action, cursor: usize, len: usize) -> usize {
    let last = len.saturating_sub(1);
    match action {
        Action::SelectNext => (cursor + 1).min(last),
        Action::SelectPrev => cursor.saturating_sub(1),
        Action::SelectFirst => 0,
        Action::SelectLast => last,
        Action::PageDown => (cursor + 10).min(last),
        Action::PageUp => cursor.saturating_sub(10),
        _ => cursor,
    }
}

fn move_cursor(state: &mut State, action: Action) {
    match &mut state.modal {
        Some(Modal::Help { scroll }) => {
            let lines = usize::from(*scroll);
            *scroll = u16::try_from(step(action, lines, HELP_LINES_AT_MOST)).unwrap_or(0);
        }
        Some(Modal::Reassign(modal)) => {
            modal.cursor = step(action, modal.cursor, modal.shown().len());
            modal.error = None;
        }
        Some(Modal::Remove(modal)) => {
            modal.cursor = step(action, modal.cursor, modal.choices.len());
            modal.error = None;
        }
        Some(Modal::Create(form)) => match action {
            Action::SelectNext => form.next_field(true),
            Action::SelectPrev => form.next_field(false),
            _ => {}
        },
        _ => {}
    }
}

/// A typed key inside the open modal's text field.
pub fn typed(state: &mut State, key: &KeyEvent) -> Vec<Command> {
    let (lang, now, me) = (state.lang, state.now, state.me.clone());
    match &mut state.modal {
        Some(Modal::Filter { .. }) => {
            let mut text = state.inbox.filter_text.clone();
            if edit_text(&mut text, key) {
                state.inbox.set_filter_text(text, lang, now, &me);
                let page = crate::console::state::list_page(state.size);
                let selected = state.inbox.selected().unwrap_or(0);
                state.inbox.select(selected, page);
                return selection_changed(state);
            }
        }
        Some(Modal::Reassign(modal)) if modal.stage == Stage::Editing => modal.typed(key),
        Some(Modal::Create(form)) if form.stage == Stage::Editing => form.typed(key),
        Some(Modal::RoomField(modal)) if modal.stage == Stage::Editing => modal.typed(key),
        Some(Modal::Add(modal)) if modal.stage == Stage::Editing => modal.typed(key),
        _ => {}
    }
    Vec::new()
}

/// Applies a typed key to a text field: characters append, backspace deletes.
/// Returns whether the text changed.
pub fn edit_text(text: &mut String, key: &KeyEvent) -> bool {
    if let Some(c) = KeyChord::typed_char(key) {
        text.push(c);
        return true;
    }
    match key.code {
        KeyCode::Backspace => text.pop().is_some(),
        _ => false,
    }
}

impl State {
    /// The open modal's stage and inline message, when it is one that sends.
    fn sending_modal(&mut self) -> Option<(&mut Stage, &mut Option<String>)> {
        match &mut self.modal {
            Some(Modal::Reassign(m)) => Some((&mut m.stage, &mut m.error)),
            Some(Modal::Remove(m)) => Some((&mut m.stage, &mut m.error)),
            Some(Modal::RoomField(m)) => Some((&mut m.stage, &mut m.error)),
            Some(Modal::Create(m)) => Some((&mut m.stage, &mut m.server_error)),
            Some(Modal::Add(m)) => Some((&mut m.stage, &mut m.error)),
            _ => None,
        }
    }

    /// Closes the modal that sent request `id`, if it is still open waiting on it.
    pub(crate) fn close_modal_sending(&mut self, id: RequestId) {
        if self
            .sending_modal()
            .is_some_and(|(stage, _)| *stage == Stage::Sending(id))
        {
            self.modal = None;
        }
    }

    /// Request `id` was refused or not sent: the modal that sent it (if still open) returns to
    /// editing with the reason. Returns whether a modal took it.
    pub(crate) fn reopen_with_error(&mut self, id: RequestId, text: &str) -> bool {
        match self.sending_modal() {
            Some((stage, error)) if *stage == Stage::Sending(id) => {
                *stage = Stage::Editing;
                *error = Some(text.to_owned());
                true
            }
            _ => false,
        }
    }
}
