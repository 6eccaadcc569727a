//! The providers balcão speaks to, in one place: what each offers, its name, and the per-CRM
//! answers the neutral calls need. Adding a CRM adds a folder under `api/` and an arm here.

use crate::api::agilize::wire::Room;
use crate::api::capability::Capability;
use crate::api::change::{Change, NewConversation};
use crate::api::conversation::Conversation;
use crate::api::{agilize, wegly};
use crate::store::{Columns, Provider};

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
        Provider::Wegly => wegly::CAPABILITIES,
        Provider::Agilize => agilize::CAPABILITIES,
    }
}

/// The CRM's name, for messages.
pub fn crm_name(provider: Provider) -> &'static str {
    match provider {
        Provider::Wegly => "Wegly",
        Provider::Agilize => "Agilize",
    }
}

/// The request `change` sends to `provider`, as the audit log keeps it; `seen` is the
/// conversation as the person saw it (a room's users decide its patch).
pub fn describe(provider: Provider, change: &Change, seen: Option<&Conversation>) -> String {
    match provider {
        Provider::Wegly => wegly::changes::describe(change),
        Provider::Agilize => {
            let room = seen.and_then(Conversation::as_room);
            agilize::changes::describe(change, room.unwrap_or(&Room::default()))
        }
    }
}

/// The request a new conversation sends, as the audit log keeps it (only Wegly opens them).
pub fn describe_new(new: &NewConversation) -> String {
    serde_json::to_string(&wegly::changes::create_request(new)).unwrap_or_default()
}

/// A conversation's row after a change, given the row before. An Agilize room carries no
/// message time of its own (its `lastEvent` moves with every change), so the last message
/// keeps the time known for it; a Wegly chat's columns are its own.
pub fn columns_after(provider: Provider, columns: Columns, before: &Columns) -> Columns {
    match provider {
        Provider::Wegly => columns,
        Provider::Agilize => columns.keeping_message_time(before),
    }
}
