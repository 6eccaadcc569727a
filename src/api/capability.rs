//! What each CRM lets balcão do: the console asks here before it offers an action, instead of
//! matching on the provider.

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
}

/// Every provider balcão speaks to.
pub const PROVIDERS: [Provider; 2] = [Provider::Wegly, Provider::Agilize];

/// The providers that offer `capability`.
pub fn offered_by(capability: Capability) -> Vec<Provider> {
    PROVIDERS
        .into_iter()
        .filter(|provider| supports(*provider, capability))
        .collect()
}

/// Whether `provider` offers `capability`.
pub fn supports(provider: Provider, capability: Capability) -> bool {
    capabilities(provider).contains(&capability)
}

/// Everything `provider` offers.
pub fn capabilities(provider: Provider) -> &'static [Capability] {
    match provider {
        Provider::Wegly => crate::api::wegly::CAPABILITIES,
        Provider::Agilize => crate::api::agilize::CAPABILITIES,
    }
}

/// The CRM's name, for messages.
pub fn crm_name(provider: Provider) -> &'static str {
    match provider {
        Provider::Wegly => "Wegly",
        Provider::Agilize => "Agilize",
    }
}

/// The error for a call the CRM does not offer (the console asks [`supports`] first, so this is
/// a script's or a test's mistake, never sent to the CRM).
pub fn unsupported(provider: Provider, capability: Capability) -> crate::api::ApiError {
    crate::api::ApiError::Unexpected {
        status: 0,
        url: String::new(),
        detail: format!(
            "{} does not offer {capability:?} through its API; nothing was sent",
            crm_name(provider)
        ),
        excerpt: String::new(),
    }
}
