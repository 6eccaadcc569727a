//! The workload overlay: one row per agent (and one for the unassigned chats) with what they
//! hold, a cursor, and the list filter Enter applies.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent};

use crate::console::action::Action;
use crate::console::modal::common::step;
use crate::workload::{Agent, AgentLoad};

/// The workload as computed from the list's rows at `as_of`.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    /// The rows, agents by open chats held, the unassigned chats last.
    pub rows: Vec<AgentLoad>,
    /// The row under the cursor.
    pub cursor: usize,
    /// When the rows were computed (the waits are measured from it).
    pub as_of: DateTime<Utc>,
    /// The list's rows changed since: computed again before the next frame.
    pub due: bool,
}

/// What a typed key does in the overlay (it has no text field: letters are keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typed {
    /// Moves the cursor like this action.
    Move(Action),
    /// Closes the overlay.
    Close,
    /// Nothing.
    Nothing,
}

impl Workload {
    /// The overlay on `rows`, the cursor on the first.
    pub fn open(rows: Vec<AgentLoad>, as_of: DateTime<Utc>) -> Self {
        Self {
            rows,
            cursor: 0,
            as_of,
            due: false,
        }
    }

    /// New figures for the same overlay: the cursor stays on its agent when they are still
    /// listed.
    pub fn refresh(&mut self, rows: Vec<AgentLoad>, as_of: DateTime<Utc>) {
        let agent = self.selected().map(|row| row.agent.clone());
        self.cursor = agent
            .and_then(|agent| rows.iter().position(|row| row.agent == agent))
            .unwrap_or(self.cursor)
            .min(rows.len().saturating_sub(1));
        self.rows = rows;
        self.as_of = as_of;
        self.due = false;
    }

    /// Moves the cursor.
    pub fn move_cursor(&mut self, action: Action) {
        self.cursor = step(action, self.cursor, self.rows.len());
    }

    /// The row under the cursor.
    pub fn selected(&self) -> Option<&AgentLoad> {
        self.rows.get(self.cursor)
    }

    /// The list filter for the row under the cursor.
    pub fn filter(&self) -> Option<String> {
        self.selected().map(|row| row.agent.filter())
    }

    /// A typed key: `j`/`k`/`g`/`G` move like in the list, `q` closes.
    pub fn typed(key: &KeyEvent) -> Typed {
        match key.code {
            KeyCode::Char('j') => Typed::Move(Action::SelectNext),
            KeyCode::Char('k') => Typed::Move(Action::SelectPrev),
            KeyCode::Char('g') | KeyCode::Home => Typed::Move(Action::SelectFirst),
            KeyCode::Char('G') | KeyCode::End => Typed::Move(Action::SelectLast),
            KeyCode::Char('q') => Typed::Close,
            _ => Typed::Nothing,
        }
    }
}

/// The name a workload row shows: the agent's name, else their id; the unassigned row's words.
pub fn agent_label(row: &AgentLoad, lang: crate::i18n::Lang) -> String {
    match (&row.agent, &row.name) {
        (Agent::Unassigned, _) => lang.pick("(sem responsável)", "(unassigned)").to_owned(),
        (Agent::User(_), Some(name)) => name.clone(),
        (Agent::User(id), None) => id.clone(),
    }
}
