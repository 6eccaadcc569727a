//! What every modal shares: where its request stands, how a text field takes a key, how a
//! list cursor moves, the question a destructive change asks, and what a change is about.

use crossterm::event::{KeyCode, KeyEvent};

use crate::console::action::Action;
use crate::console::keymap::KeyChord;
use crate::console::msg::RequestId;

/// Where a modal's request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stage {
    /// The user is choosing.
    #[default]
    Editing,
    /// Sent; waiting for the reply.
    Sending(RequestId),
}

/// What a change is about, for its message and its audit entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct About {
    /// Who, by name (the new responsible, the participant leaving).
    pub who: String,
    /// The value before, for the audit log.
    pub before: Option<String>,
}

/// A destructive change in words, asked before it is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The title.
    pub title: String,
    /// What will change, one line each.
    pub lines: Vec<String>,
    /// What `confirm` does, one word for the footer ("remove", "conclude", ...).
    pub verb: String,
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

/// The cursor's next place in a list of `len` for a movement action.
pub fn step(action: Action, cursor: usize, len: usize) -> usize {
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
