//! Wegly: wire models and the HTTP client for its chat endpoints.

pub mod client;
mod columns;
pub mod wire;

pub use client::{DEFAULT_BASE_URL, Fetched, WeglyClient, WeglyConfig};
