//! The audit overlay: the latest changes read from the index's audit log, filtered by what is
//! typed (a chat or a person), with a cursor on one entry.

use crossterm::event::KeyEvent;

use crate::console::action::Action;
use crate::console::modal::common::{edit_text, step};
use crate::console::msg::RequestId;
use crate::inbox::fold;
use crate::store::AuditEntry;

/// Entries the overlay reads: the latest changes, newest first.
pub const AUDIT_ENTRIES_SHOWN: usize = 500;

/// Where the read of the audit log stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditRead {
    /// Asked of the index; the answer carries this id.
    Loading(RequestId),
    /// Read.
    Loaded,
    /// The index could not be read.
    Failed(String),
}

/// One entry and what the overlay shows and searches of it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditLine {
    /// The entry as stored.
    pub entry: AuditEntry,
    /// The chat in words: the contact's name when the list knows the chat, else its id.
    pub chat: String,
    /// The chat's words, its id and who made the change, folded once, one per line.
    search: String,
}

impl AuditLine {
    /// An entry with the name its chat goes by.
    pub fn new(entry: AuditEntry, chat: String) -> Self {
        let search = [
            chat.as_str(),
            entry.key.chat_id.as_str(),
            entry.by.as_deref().unwrap_or_default(),
        ]
        .map(fold)
        .join("\n");
        Self {
            entry,
            chat,
            search,
        }
    }

    /// Whether every word of `query` (folded) is in the chat's name, its id or the person's name.
    fn matches(&self, words: &[String]) -> bool {
        words.iter().all(|word| self.search.contains(word.as_str()))
    }
}

/// The audit overlay.
#[derive(Debug, Clone, PartialEq)]
pub struct Audit {
    /// The read.
    pub read: AuditRead,
    /// Every entry read, newest first.
    pub lines: Vec<AuditLine>,
    /// The filter as typed.
    pub query: String,
    /// Indexes into `lines` the filter lets through.
    shown: Vec<usize>,
    /// Index into the shown entries.
    pub cursor: usize,
    /// Why Enter did nothing (the chat is not in the list).
    pub error: Option<String>,
}

impl Audit {
    /// The overlay waiting on read `id`.
    pub fn open(id: RequestId) -> Self {
        Self {
            read: AuditRead::Loading(id),
            lines: Vec::new(),
            query: String::new(),
            shown: Vec::new(),
            cursor: 0,
            error: None,
        }
    }

    /// The read `id` answered with `lines`; an answer to an earlier read is dropped. Returns
    /// whether it was taken.
    pub fn loaded(&mut self, id: RequestId, lines: Result<Vec<AuditLine>, String>) -> bool {
        if self.read != AuditRead::Loading(id) {
            return false;
        }
        match lines {
            Ok(lines) => {
                self.read = AuditRead::Loaded;
                self.lines = lines;
            }
            Err(error) => self.read = AuditRead::Failed(error),
        }
        self.refilter();
        true
    }

    /// A typed key edits the filter.
    pub fn typed(&mut self, key: &KeyEvent) {
        if edit_text(&mut self.query, key) {
            self.error = None;
            self.refilter();
        }
    }

    /// Moves the cursor.
    pub fn move_cursor(&mut self, action: Action) {
        self.cursor = step(action, self.cursor, self.shown.len());
    }

    /// The entries the filter lets through, newest first.
    pub fn shown(&self) -> impl ExactSizeIterator<Item = &AuditLine> {
        self.shown.iter().map(|index| &self.lines[*index])
    }

    /// How many entries the filter lets through.
    pub fn shown_len(&self) -> usize {
        self.shown.len()
    }

    /// The entry under the cursor.
    pub fn selected_entry(&self) -> Option<&AuditEntry> {
        self.selected_line().map(|line| &line.entry)
    }

    /// The line under the cursor.
    pub fn selected_line(&self) -> Option<&AuditLine> {
        self.shown
            .get(self.cursor)
            .and_then(|index| self.lines.get(*index))
    }

    /// Applies the typed filter; the cursor goes back to the newest entry shown.
    fn refilter(&mut self) {
        let words: Vec<String> = self.query.split_whitespace().map(fold).collect();
        self.shown = self
            .lines
            .iter()
            .enumerate()
            .filter(|(_, line)| line.matches(&words))
            .map(|(index, _)| index)
            .collect();
        self.cursor = 0;
    }
}
