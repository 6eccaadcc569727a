//! Webhooks: the signing scheme (the sandbox signs, the receiver verifies), the receiver, and
//! the limits it reads bodies within.

pub mod limits;
pub mod receiver;
pub mod signature;

pub use limits::ReceiverLimits;
pub use receiver::InboxEvent;
