//! The batch modals: picking who (the new responsible, with the single reassign's picker and
//! toggles, or the person who leaves), the preview of what a batch or an undo would do, its
//! progress, and its report. Data and keys only; `console::batch` carries out what they ask.

use std::collections::HashMap;

use crate::api::Conversation;
use crate::batch::{Planned, Progress};
use crate::console::action::Action;
use crate::console::modal::common::step;
use crate::console::modal::reassign::Reassign;
use crate::store::ChatKey;
use crate::workload::Load;

/// What a batch does to each chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchKind {
    /// Hand every chat to one person.
    Reassign,
    /// Take one person out of every chat.
    RemoveParticipant,
}

/// Picking who: the picker is the single reassign's (type to filter, the toggles where the CRM
/// moves leads and deals); for a removal its candidates are the chats' members.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    /// What the batch does.
    pub kind: BatchKind,
    /// The chats it is about.
    pub targets: Vec<ChatKey>,
    /// Their stored details (those the index holds), for the plan.
    pub details: HashMap<ChatKey, Conversation>,
    /// The picker.
    pub picker: Reassign,
}

/// One chat a batch changes, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewItem {
    /// The contact.
    pub contact: String,
    /// What changes ("Ana → Bruno", "Carla leaves").
    pub change: String,
    /// What the person should know.
    pub warnings: Vec<String>,
}

/// A chat left out, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewLeft {
    /// The contact.
    pub contact: String,
    /// Why.
    pub reason: String,
}

/// One agent's load before → after a batch (or an undo), counted as the workload counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadChange {
    /// Their name (their user id when nothing names them).
    pub name: String,
    /// Before.
    pub before: Load,
    /// After.
    pub after: Load,
}

/// What a batch (or an undo) would do, before anything is sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    /// The title.
    pub title: String,
    /// The chats it changes.
    pub items: Vec<PreviewItem>,
    /// The chats it leaves alone, and why.
    pub left: Vec<PreviewLeft>,
    /// Each affected agent's load before → after.
    pub loads: Vec<LoadChange>,
    /// What `confirm` runs.
    pub planned: Vec<Planned>,
    /// What `confirm` does, one word.
    pub verb: String,
    /// Where `cancel` goes back to (the picker), if anywhere.
    pub back: Option<Pick>,
    /// Lines scrolled.
    pub scroll: u16,
}

impl Preview {
    /// The lines of its body at most (the view stops scrolling at its real end).
    pub fn length(&self) -> usize {
        let warnings: usize = self.items.iter().map(|item| item.warnings.len()).sum();
        self.items.len() + warnings + self.left.len() + self.loads.len() + 8
    }
}

/// One chat's end, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLine {
    /// Done, skipped, failed, unknown, not sent.
    pub outcome: String,
    /// Whether it was done.
    pub done: bool,
    /// The contact.
    pub contact: String,
    /// Why (empty when done).
    pub reason: String,
}

/// How a batch ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The title.
    pub title: String,
    /// The counts.
    pub progress: Progress,
    /// Each chat.
    pub lines: Vec<ReportLine>,
    /// Lines scrolled.
    pub scroll: u16,
}

/// The open batch modal.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchModal {
    /// Picking who.
    Pick(Pick),
    /// What it would do.
    Preview(Preview),
    /// Running: its title and counts are the running batch's, in the console's state.
    Progress,
    /// How it ended.
    Report(Report),
}

impl BatchModal {
    /// A movement key: the picker's cursor, or the preview's and the report's scroll.
    pub fn move_cursor(&mut self, action: Action) {
        let scroll = |scroll: &mut u16, len: usize| {
            let at = step(action, usize::from(*scroll), len);
            *scroll = u16::try_from(at).unwrap_or(u16::MAX);
        };
        match self {
            Self::Pick(pick) => pick.picker.move_cursor(action),
            Self::Preview(preview) => {
                let len = preview.length();
                scroll(&mut preview.scroll, len);
            }
            Self::Report(report) => {
                let len = report.lines.len() + 4;
                scroll(&mut report.scroll, len);
            }
            Self::Progress => {}
        }
    }
}
