//! Webhooks: the signing scheme (the sandbox signs, the receiver verifies) and the receiver.

pub mod receiver;
pub mod signature;

pub use receiver::InboxEvent;
