//! The things a CRM may let balcão do through its API; each provider module lists the ones it
//! offers (see `providers`).

use crate::api::error::ApiError;
use crate::store::Provider;

/// Something a CRM may or may not offer through its API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Read a conversation by id (otherwise its webhooks are the only source).
    Read,
    /// Hand a conversation to another user.
    Reassign,
    /// Move the contact's leads and deals with the conversation.
    ReassignLeadsDeals,
    /// Remove a participant.
    RemoveParticipant,
    /// Conclude and reopen.
    Conclude,
    /// Set the department.
    Department,
    /// Set the tags.
    Tags,
    /// Open a conversation with a template.
    Create,
    /// Add a conversation by id.
    AddById,
    /// Unread totals of the account.
    UnreadTotals,
    /// Reply in a conversation (text in the window, a template outside it).
    Reply,
    /// Read a conversation's messages (its timeline).
    Timeline,
}

/// The error for a call the CRM does not offer (the console asks [`supports`] first, so this is
/// a script's or a test's mistake, never sent to the CRM).
pub fn unsupported(provider: Provider, capability: Capability) -> ApiError {
    ApiError::Unexpected {
        status: 0,
        url: String::new(),
        detail: format!(
            "{provider:?} does not offer {capability:?} through its API; nothing was sent"
        ),
        excerpt: String::new(),
    }
}
