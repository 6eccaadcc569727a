//! balcão: a terminal inbox console for `WhatsApp` support desks on Wegly and Agilize.
//!
//! The library holds every part so that `tests/` can drive each one for real: the API clients,
//! the sandbox emulator, and the command line.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod api;
pub mod batch;
pub mod cli;
pub mod config;
pub mod console;
pub mod data_dir;
pub mod hydrate;
pub mod i18n;
pub mod inbox;
pub mod logging;
pub mod mask;
pub mod present;
pub mod private;
pub mod sandbox;
pub mod store;
pub mod text;
pub mod timefmt;
pub mod webhook;
pub mod workload;
