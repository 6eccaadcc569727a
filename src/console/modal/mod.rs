//! The modals, one file each: its state, its keys and what submitting it asks for. They hold
//! no reference to the console's state; `console::modals` carries out what they ask.

mod add;
mod audit;
mod batch;
mod common;
mod confirm;
mod create;
mod reassign;
mod remove;
mod room_field;
mod workload;
// The command palette.
mod palette;

pub use add::Add;
pub use audit::{AUDIT_ENTRIES_SHOWN, Audit, AuditLine, AuditRead};
pub use batch::{
    BatchKind, BatchModal, LoadChange, Pick, Preview, PreviewItem, PreviewLeft, Report, ReportLine,
};
pub use common::{About, Question, Stage, edit_text, step};
pub use confirm::{Confirm, Destructive, conclude_question, forget_question};
pub use create::{CREATE_FIELDS, Create, create_request, field};
pub use palette::{CHATS_AT_MOST, Entry, Palette, chat_matches};
pub use reassign::{Candidate, Reassign};
pub use remove::{Choice, Remove};
pub use room_field::{RoomField, RoomFieldKind, Saving};
pub use workload::{Typed, Workload, agent_label};

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
    /// A batch: picking who, its preview, its progress, its report.
    Batch(BatchModal),
    /// Who holds what: one row per agent.
    Workload(Workload),
    /// The latest changes from the audit log.
    Audit(Audit),
    /// The command palette.
    Palette(Palette),
    /// The last nudges, newest first, scrolled by `scroll` lines.
    Notifications {
        /// Lines scrolled.
        scroll: u16,
    },
    /// The reply composer, under the conversation.
    Composer(Box<crate::console::composer::Composer>),
}

impl Modal {
    /// Where a request sent from this modal stands, and its inline message, for the modals
    /// that send one.
    pub fn sending(&mut self) -> Option<(&mut Stage, &mut Option<String>)> {
        match self {
            Self::Reassign(m) => Some((&mut m.stage, &mut m.error)),
            Self::Remove(m) => Some((&mut m.stage, &mut m.error)),
            Self::RoomField(m) => Some((&mut m.stage, &mut m.error)),
            Self::Create(m) => Some((&mut m.stage, &mut m.server_error)),
            Self::Add(m) => Some((&mut m.stage, &mut m.error)),
            Self::Help { .. } | Self::Filter { .. } | Self::Confirm(_) | Self::Batch(_) => None,
            #[allow(clippy::match_same_arms)] // the overlays and the palette send nothing either
            Self::Workload(_) | Self::Audit(_) | Self::Palette(_) | Self::Composer(_) => None,
            #[allow(clippy::match_same_arms)] // the nudges overlay sends nothing either
            Self::Notifications { .. } => None,
        }
    }
}

impl Destructive {
    /// Where `cancel` goes: the modal the question came from, if any.
    pub fn back(self) -> Option<Modal> {
        match self {
            Self::RemoveParticipant(modal) => Some(Modal::Remove(modal)),
            Self::SaveTags(modal) => Some(Modal::RoomField(modal)),
            Self::ConcludeRoom(_) | Self::ForgetChat(_) | Self::DespiteOthers { .. } => None,
        }
    }
}
