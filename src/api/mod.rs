//! The CRM APIs: shared HTTP core, errors, the neutral calls the console makes (conversations,
//! changes, capabilities), the actor that runs them, and one folder per CRM.

pub mod actor;
pub mod agilize;
pub mod call;
pub mod capability;
pub mod change;
pub mod conversation;
pub mod error;
pub mod http;
pub mod providers;
pub mod reads;
pub mod reply;
mod sends;
pub(crate) mod text_enum;
pub mod timeline;
pub mod timestamp;
pub mod verify;
pub mod wegly;
mod writes;

pub use capability::{Capability, unsupported};
pub use change::{Change, NewConversation, Scope, TemplateValue};
pub use conversation::{Assignee, Conversation, Member};
pub use error::{ApiError, ErrorKind, ServerReply};
pub use providers::{crm_name, supports};
