//! What a person asks of a conversation, in the CRM-neutral words the console speaks: each
//! provider module turns a [`Change`] into its own requests.

use serde::{Deserialize, Serialize};

use crate::api::capability::Capability;

/// What moves with a reassignment. Wegly can move the chat itself, the contact's leads and its
/// deals; a CRM without leads or deals moves only the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// The conversation's responsible.
    pub chat: bool,
    /// The contact's leads.
    pub leads: bool,
    /// The contact's deals.
    pub deals: bool,
}

impl Scope {
    /// Only the conversation moves.
    pub const CHAT: Self = Self {
        chat: true,
        leads: false,
        deals: false,
    };

    /// Whether anything at all would move.
    pub fn any(self) -> bool {
        self.chat || self.leads || self.deals
    }
}

/// A change to one conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// Hand the conversation to another user.
    Reassign {
        /// The new responsible's user id.
        to: String,
        /// The responsible's user id as the person last saw it: the write is made only if it
        /// is still the same (where the CRM lets it be read first).
        expected: Option<String>,
        /// What moves.
        scope: Scope,
    },
    /// A user leaves the conversation.
    RemoveParticipant {
        /// Their user id.
        user_id: String,
    },
    /// Conclude (archive) the conversation.
    Conclude,
    /// Reopen a concluded conversation.
    Reopen,
    /// Move the conversation to a department (an id).
    SetDepartment(String),
    /// Replace the conversation's tags (ids).
    SetTags(Vec<String>),
}

impl Change {
    /// Its name in the audit log.
    pub fn audit_action(&self) -> &'static str {
        match self {
            Self::Reassign { scope, .. } if !scope.chat => "reassign_leads_deals",
            Self::Reassign { .. } => "reassign_responsible",
            Self::RemoveParticipant { .. } => "remove_participant",
            Self::Conclude => "archive_room",
            Self::Reopen => "unarchive_room",
            Self::SetDepartment(_) => "change_department",
            Self::SetTags(_) => "edit_tags",
        }
    }

    /// What the change needs the CRM to offer.
    pub fn capability(&self) -> Capability {
        match self {
            Self::Reassign { .. } => Capability::Reassign,
            Self::RemoveParticipant { .. } => Capability::RemoveParticipant,
            Self::Conclude | Self::Reopen => Capability::Conclude,
            Self::SetDepartment(_) => Capability::Department,
            Self::SetTags(_) => Capability::Tags,
        }
    }
}

/// A conversation to open with a template message (the contact has not written in 24 h).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewConversation {
    /// The company's line it starts from.
    pub line: String,
    /// The contact's number.
    pub contact: String,
    /// The template's name.
    pub template: String,
    /// The template's language (`pt_BR`).
    pub language: String,
    /// The template's variables: component (`BODY`), index, value.
    pub fields: Vec<TemplateValue>,
    /// The CRM person it belongs to.
    pub person: Option<String>,
    /// The agent it goes to.
    pub agent: Option<String>,
    /// Its status once open: `OPEN`, `RESOLVED` or `SNOOZED`.
    pub status: Option<String>,
}

/// One template variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateValue {
    /// `HEADER`, `BODY`, `BUTTON`, ...
    pub component: String,
    /// Its position in the component.
    pub index: i64,
    /// The text.
    pub value: String,
}
