//! The reducer's side of the command palette: opening it where the keyboard is, narrowing it as
//! the user types (actions, then chats by contact name or number, in the list's order), and
//! what Enter asks for. `update` runs the chosen action, so the palette runs any action exactly
//! as its key would.

use crossterm::event::KeyEvent;

use crate::console::action::Action;
use crate::console::modal::{CHATS_AT_MOST, Entry, Modal, Palette, chat_matches, edit_text};
use crate::console::msg::Command;
use crate::console::navigate::show_chat;
use crate::console::state::State;

/// What a key in the palette comes to.
#[derive(Debug)]
pub enum Outcome {
    /// Run this action where the palette was opened (the palette is closed).
    Run(Action),
    /// Done; these are the effects.
    Done(Vec<Command>),
}

/// `command_palette`: opens the palette listing the actions available where the keyboard is.
pub fn open(state: &mut State) -> Vec<Command> {
    let contexts = state.contexts();
    state.modal = Some(Modal::Palette(Palette::open(contexts, state.lang)));
    Vec::new()
}

/// A typed key: the query changes and the matches follow.
pub fn typed(state: &mut State, key: &KeyEvent) -> Vec<Command> {
    let lang = state.lang;
    let State { modal, inbox, .. } = state;
    let Some(Modal::Palette(palette)) = modal else {
        return Vec::new();
    };
    if !edit_text(&mut palette.query, key) {
        return Vec::new();
    }
    let mut entries: Vec<Entry> = palette.matching_actions(lang).map(Entry::Action).collect();
    let words = palette.words();
    let mut chats = 0_usize;
    if !words.is_empty() {
        for row in inbox.ordered_rows() {
            let columns = &row.summary.columns;
            if !chat_matches(
                &words,
                columns.contact.as_deref(),
                columns.contact_number.as_deref(),
            ) {
                continue;
            }
            chats += 1;
            if chats <= CHATS_AT_MOST {
                entries.push(Entry::Chat {
                    key: row.summary.key.clone(),
                    name: row.contact().to_owned(),
                    number: columns
                        .contact_number
                        .clone()
                        .filter(|_| columns.contact.is_some()),
                });
            }
        }
    }
    palette.entries = entries;
    palette.more_chats = chats.saturating_sub(CHATS_AT_MOST);
    palette.cursor = 0;
    Vec::new()
}

/// An action while the palette is open: moving, closing, or Enter on the line under the cursor.
pub fn action(state: &mut State, action: Action) -> Outcome {
    let Some(Modal::Palette(palette)) = &mut state.modal else {
        return Outcome::Done(Vec::new());
    };
    match action {
        Action::Quit => Outcome::Run(Action::Quit),
        Action::Cancel => {
            state.modal = None;
            Outcome::Done(Vec::new())
        }
        movement if movement.moves() => {
            palette.move_cursor(movement);
            Outcome::Done(Vec::new())
        }
        Action::Confirm => {
            let chosen = palette.chosen().cloned();
            state.modal = None;
            match chosen {
                Some(Entry::Action(action)) => Outcome::Run(action),
                Some(Entry::Chat { key, name, .. }) => {
                    if show_chat(state, &key, &name) {
                        Outcome::Run(Action::OpenChat)
                    } else {
                        Outcome::Done(Vec::new())
                    }
                }
                None => Outcome::Done(Vec::new()),
            }
        }
        _ => Outcome::Done(Vec::new()),
    }
}
