//! The command palette (`command_palette`): type to find an action available where it was
//! opened, or a chat by its contact's name or number; Enter runs the action or opens the chat.

use crate::console::action::{Action, Context};
use crate::console::modal::step;
use crate::i18n::Lang;
use crate::inbox::{contains_folded, fold};
use crate::store::ChatKey;

/// Chats listed at most for one query: the rest are counted, and more words narrow them.
pub const CHATS_AT_MOST: usize = 50;

/// One line of the palette.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// An action, run as if its key was pressed where the palette was opened.
    Action(Action),
    /// A chat, selected and opened.
    Chat {
        /// Which chat.
        key: ChatKey,
        /// The contact's name (or number, or the chat's id).
        name: String,
        /// The contact's number, when it has a name too.
        number: Option<String>,
    },
}

/// The palette's query, its matches and its cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Palette {
    /// What was typed.
    pub query: String,
    /// The line under the cursor.
    pub cursor: usize,
    /// The keymap contexts in force where it was opened: the actions listed, and the keys shown.
    pub contexts: Vec<Context>,
    /// The matching actions, then the matching chats.
    pub entries: Vec<Entry>,
    /// Chats that match beyond [`CHATS_AT_MOST`].
    pub more_chats: usize,
}

impl Palette {
    /// An empty palette opened where `contexts` are in force, listing its actions.
    pub fn open(contexts: Vec<Context>, lang: Lang) -> Self {
        let mut palette = Self {
            query: String::new(),
            cursor: 0,
            contexts,
            entries: Vec::new(),
            more_chats: 0,
        };
        palette.entries = palette.matching_actions(lang).map(Entry::Action).collect();
        palette
    }

    /// The query's words, folded (accents and case do not matter).
    pub fn words(&self) -> Vec<String> {
        self.query.split_whitespace().map(fold).collect()
    }

    /// The actions available where the palette was opened whose description (in `lang`) or
    /// name holds every word typed, in help order. The palette itself is not one of them.
    pub fn matching_actions(&self, lang: Lang) -> impl Iterator<Item = Action> + '_ {
        let words = self.words();
        Action::ALL.iter().copied().filter(move |action| {
            *action != Action::CommandPalette
                && action
                    .contexts()
                    .iter()
                    .any(|context| self.contexts.contains(context))
                && words.iter().all(|word| {
                    contains_folded(action.describe(lang), word)
                        || contains_folded(action.name(), word)
                })
        })
    }

    /// Moves the cursor by a movement action.
    pub fn move_cursor(&mut self, action: Action) {
        self.cursor = step(action, self.cursor, self.entries.len());
    }

    /// The line under the cursor.
    pub fn chosen(&self) -> Option<&Entry> {
        self.entries.get(self.cursor)
    }
}

/// Whether a chat's contact name or number holds every word (folded).
pub fn chat_matches(words: &[String], name: Option<&str>, number: Option<&str>) -> bool {
    !words.is_empty()
        && words.iter().all(|word| {
            name.is_some_and(|name| contains_folded(name, word))
                || number.is_some_and(|number| contains_folded(number, word))
        })
}
