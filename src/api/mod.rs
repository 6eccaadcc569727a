//! The CRM APIs: shared HTTP core, errors, and one folder per CRM.

pub mod actor;
pub mod agilize;
pub mod error;
pub mod http;
pub(crate) mod text_enum;
pub mod timestamp;
pub mod verify;
pub mod wegly;

pub use error::{ApiError, ErrorKind, ServerReply};
