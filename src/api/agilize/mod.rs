//! Agilize: the room model and the room update.

pub mod client;
mod columns;
pub mod wire;

pub use client::{AgilizeClient, AgilizeConfig, DEFAULT_BASE_URL};
