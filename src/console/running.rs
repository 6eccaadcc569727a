//! The console's batches as its state holds them: the read of stored details for a picker, the
//! batch running (its state machine, the calls in flight and the entries written), and the last
//! change made here, for the undo and its hint. Data only: `console::batch` drives it.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use crate::batch::{ItemState, Run};
use crate::console::modal::BatchKind;
use crate::console::msg::RequestId;
use crate::store::{AuditEntry, ChatKey};

/// How long the status bar offers to undo the last change (the undo itself works later too, and
/// after a restart: the entries are in the index).
pub const UNDO_OFFERED_FOR: TimeDelta = TimeDelta::minutes(10);

/// The console's batches: the details being read for one about to start, the one running, and
/// the last change made here (for the undo and its hint).
#[derive(Debug, Clone, Default)]
pub struct Batches {
    /// The stored details being read for a picker.
    pub reading: Option<Reading>,
    /// The batch running.
    pub running: Option<Running>,
    /// The last change (single or batch) this person made here.
    pub last: Option<LastChange>,
    /// The audit read for an undo, while it is under way.
    pub undo_reading: Option<RequestId>,
}

/// The stored details being read for a picker.
#[derive(Debug, Clone)]
pub struct Reading {
    /// The read's request.
    pub id: RequestId,
    /// What the batch will do.
    pub kind: BatchKind,
    /// The chats it is about.
    pub targets: Vec<ChatKey>,
}

/// A batch running.
#[derive(Debug, Clone)]
pub struct Running {
    /// The state machine.
    pub run: Run,
    /// Its title, for the progress (which draws it from here) and the report.
    pub title: String,
    /// Each call in flight: its request id and the item it is for.
    pub sent: HashMap<RequestId, usize>,
    /// Since when the actor's queue left it with nothing in flight.
    pub stalled: Option<DateTime<Utc>>,
    /// The audit entries of the chats ended so far.
    pub entries: Vec<AuditEntry>,
    /// Each chat's items in the run (an undo may hold two steps for one chat), so the list can
    /// ask whether a row is busy without going through every item for each row it draws.
    pub items_of: HashMap<ChatKey, Vec<usize>>,
}

impl Running {
    /// `run`, titled `title`, before any call is sent.
    pub fn new(run: Run, title: String) -> Self {
        let mut items_of: HashMap<ChatKey, Vec<usize>> = HashMap::new();
        for (n, item) in run.items.iter().enumerate() {
            items_of
                .entry(item.planned.key.clone())
                .or_default()
                .push(n);
        }
        Self {
            run,
            title,
            sent: HashMap::new(),
            stalled: None,
            entries: Vec::new(),
            items_of,
        }
    }
}

/// The last change made here.
#[derive(Debug, Clone, PartialEq)]
pub struct LastChange {
    /// Its batch id.
    pub batch: String,
    /// When it ended.
    pub at: DateTime<Utc>,
    /// Its audit entries, as the console wrote them: `undo` plans from these, since each is
    /// written to the index in the background and the index may not have them all yet.
    pub entries: Vec<AuditEntry>,
}

impl Batches {
    /// Whether request `id` is one of the running batch's calls.
    pub fn owns(&self, id: RequestId) -> bool {
        self.running
            .as_ref()
            .is_some_and(|running| running.sent.contains_key(&id))
    }

    /// Whether the running batch has `key` still to change (its row is busy).
    pub fn holds(&self, key: &ChatKey) -> bool {
        self.running.as_ref().is_some_and(|running| {
            running.items_of.get(key).is_some_and(|items| {
                items
                    .iter()
                    .any(|&n| !matches!(running.run.items[n].state, ItemState::Finished(_)))
            })
        })
    }

    /// Whether the status bar offers to undo the last change at `now`.
    pub fn undo_offered(&self, now: DateTime<Utc>) -> bool {
        self.running.is_none()
            && self
                .last
                .as_ref()
                .is_some_and(|last| now - last.at < UNDO_OFFERED_FOR)
    }
}
