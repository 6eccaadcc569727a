//! Wegly: wire models and the HTTP client for its chat endpoints.

pub mod client;
mod columns;
pub mod limits;
pub mod messages;
pub mod wire;

pub use client::{DEFAULT_BASE_URL, Fetched, WeglyClient, WeglyConfig};

pub mod changes;

use crate::api::capability::Capability;

/// What Wegly offers through its API.
pub const CAPABILITIES: &[Capability] = &[
    Capability::Read,
    Capability::Reassign,
    Capability::ReassignLeadsDeals,
    Capability::RemoveParticipant,
    Capability::Create,
    Capability::AddById,
    Capability::UnreadTotals,
    Capability::Reply,
    Capability::Timeline,
];
