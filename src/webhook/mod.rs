//! Webhooks: the signing scheme (the sandbox signs, the receiver verifies), the receiver, and
//! serving it within limits (timeouts, connections, body memory).

pub mod limits;
pub mod receiver;
pub mod serve;
pub mod signature;

pub use limits::ReceiverLimits;
pub use receiver::InboxEvent;
