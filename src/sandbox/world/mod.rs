//! The sandbox's data, free of HTTP: its users, lines and chats, and how they are looked up.
//! Each job on them has its own file: seeding, the API's rules, wire rendering and validation.

mod messages;
mod render;
mod rules;
mod seeding;
mod validation;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::api::wegly::wire::{ChatStatus, ChatType, CrmPerson, Message};
use crate::sandbox::error::SandboxError;

use crate::api::wegly::limits::SESSION_WINDOW;
pub use render::TimelinePaging;
pub use rules::Outcome;

/// A company user and its agent.
#[derive(Debug, Clone)]
pub struct User {
    /// User id.
    pub user_id: Uuid,
    /// Agent id.
    pub agent_id: Uuid,
    /// Name.
    pub name: String,
    /// Avatar URL.
    pub avatar: Option<String>,
    /// Availability.
    pub status: String,
}

/// A company `WhatsApp` line.
#[derive(Debug, Clone)]
pub struct Line {
    /// `whatsapp_phone_id`.
    pub id: Uuid,
    /// Formatted number.
    pub display_number: String,
    /// Digits.
    pub raw_number: String,
    /// Meta's id.
    pub phone_number_id: String,
}

/// One stored message with its timeline entry.
#[derive(Debug, Clone)]
struct Stored {
    event_id: Uuid,
    at: DateTime<Utc>,
    message: Message,
}

/// A chat as the sandbox keeps it.
#[derive(Debug, Clone)]
pub struct ChatRecord {
    /// Chat id.
    pub id: Uuid,
    line: usize,
    wa_contact_id: String,
    contact_name: Option<String>,
    remote_profile_name: Option<String>,
    status: ChatStatus,
    chat_type: ChatType,
    priority: i64,
    unread_count: i64,
    is_manually_unread: bool,
    archived_at: Option<DateTime<Utc>>,
    responsible: Option<usize>,
    participants: Vec<usize>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    last_customer_msg_at: Option<DateTime<Utc>>,
    person: Option<CrmPerson>,
    lead_sources: Vec<Value>,
    messages: Vec<Stored>,
}

/// A chat's admin view, for `GET /_sandbox/chats`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChatIndexEntry {
    /// Chat id.
    pub id: Uuid,
    /// Line id.
    pub line_id: Uuid,
    /// Contact name or number.
    pub contact: String,
    /// Status.
    pub status: String,
    /// Responsible's user id.
    pub responsible_user_id: Option<Uuid>,
    /// Responsible's agent id.
    pub responsible_agent_id: Option<Uuid>,
    /// Participants' user ids.
    pub participant_user_ids: Vec<Uuid>,
    /// Unread count.
    pub unread_count: i64,
    /// Archived.
    pub archived: bool,
    /// End of the `WhatsApp` window, if one was ever opened.
    pub session_expires_at: Option<DateTime<Utc>>,
}

/// Every chat, user and line of the sandbox.
#[derive(Debug, Clone)]
pub struct World {
    users: Vec<User>,
    lines: Vec<Line>,
    chats: Vec<ChatRecord>,
    by_id: HashMap<Uuid, usize>,
}

impl World {
    fn insert(&mut self, record: ChatRecord) {
        self.by_id.insert(record.id, self.chats.len());
        self.chats.push(record);
    }

    /// Company users.
    pub fn users(&self) -> &[User] {
        &self.users
    }

    /// `WhatsApp` lines.
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// Every chat id, in seed order.
    pub fn chat_ids(&self) -> Vec<Uuid> {
        self.chats.iter().map(|chat| chat.id).collect()
    }

    /// The admin listing.
    pub fn chat_index(&self) -> Vec<ChatIndexEntry> {
        self.chats
            .iter()
            .map(|chat| ChatIndexEntry {
                id: chat.id,
                line_id: self
                    .lines
                    .get(chat.line)
                    .map_or_else(Uuid::nil, |line| line.id),
                contact: chat
                    .contact_name
                    .clone()
                    .or_else(|| chat.remote_profile_name.clone())
                    .unwrap_or_else(|| chat.wa_contact_id.clone()),
                status: chat.status.to_string(),
                responsible_user_id: self.user(chat.responsible).map(|user| user.user_id),
                responsible_agent_id: self.user(chat.responsible).map(|user| user.agent_id),
                participant_user_ids: chat
                    .participants
                    .iter()
                    .filter_map(|index| self.users.get(*index).map(|user| user.user_id))
                    .collect(),
                unread_count: chat.unread_count,
                archived: chat.archived_at.is_some(),
                session_expires_at: chat.last_customer_msg_at.map(|last| last + SESSION_WINDOW),
            })
            .collect()
    }

    fn user(&self, index: Option<usize>) -> Option<&User> {
        index.and_then(|index| self.users.get(index))
    }

    fn record(&self, id: &str) -> Result<usize, SandboxError> {
        Uuid::parse_str(id)
            .ok()
            .and_then(|uuid| self.by_id.get(&uuid).copied())
            .ok_or_else(|| SandboxError::chat_not_found(id))
    }
}
