//! Webhooks: the signing scheme shared by the sandbox (which signs) and the receiver (which verifies).

pub mod signature;
