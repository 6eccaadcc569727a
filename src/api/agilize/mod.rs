//! Agilize: the room model and the room update.

pub mod client;
mod columns;
pub mod wire;

pub use client::{AgilizeClient, AgilizeConfig, DEFAULT_BASE_URL};

pub mod changes;

use crate::api::capability::Capability;

/// What Agilize offers through its API: changes to a room, no reads (rooms arrive by webhook).
pub const CAPABILITIES: &[Capability] = &[
    Capability::Reassign,
    Capability::RemoveParticipant,
    Capability::Conclude,
    Capability::Department,
    Capability::Tags,
];
