//! The console: state, reducer, views, keymap and the runtime loop, over the API actor.

pub mod action;
pub mod app;
pub mod batch;
pub mod changes;
pub mod claims;
pub mod composer;
pub mod desk;
pub mod drafts;
pub mod follow;
pub mod keymap;
pub mod keymap_file;
pub mod launch;
pub mod list;
pub mod modal;
pub mod modals;
pub mod msg;
pub mod navigate;
pub mod outcome;
pub mod overlays;
pub mod preview;
pub mod reply;
pub mod reply_drafts;
pub mod running;
pub mod state;
pub mod terminal;
pub mod timeline;
pub mod ui;
pub mod undo;
pub mod update;
// Marks, sorts, views and the command palette.
pub mod marks;
pub mod palette;
pub mod sort;
pub mod views;

pub use modal::create_request;
pub use outcome::request_unread;
// Writes to the terminal besides frames: copying (OSC 52) and nudges (bell, desktop).
pub mod copy;
pub mod escapes;
pub mod notify;
pub mod nudge;
