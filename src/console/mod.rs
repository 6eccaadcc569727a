//! The console: state, reducer, views, keymap, the API actor and the runtime loop.

pub mod action;
pub mod app;
pub mod keymap;
pub mod keymap_file;
pub mod launch;
pub mod modal;
pub mod msg;
mod mutations;
pub mod state;
pub mod terminal;
pub mod ui;
pub mod update;

pub use mutations::{create_request, request_unread};
