//! The API's rules for changes: creating a chat, reassigning it, removing a participant, a
//! customer writing and the company replying, each as the real API does it.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::api::timestamp::Timestamp;
use crate::api::wegly::wire::{Chat, ChatStatus, ChatType, CrmPerson, Message};
use crate::sandbox::error::SandboxError;
use crate::sandbox::world::render::{agent_ref, user_ref};
use crate::sandbox::world::validation::{CreateRequest, checked_text, not_an_object};
use crate::sandbox::world::{ChatRecord, Stored, User, World};

/// What a change produced: the chat after it, and a message to announce by webhook.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The chat as the API returns it.
    pub chat: Chat,
    /// A new message, if the change made one.
    pub message: Option<Message>,
}

impl World {
    /// `POST /chats`: validates, then creates the chat or returns the contact's existing one on
    /// that line. The `bool` is true when a chat was created.
    pub fn create_chat(
        &mut self,
        body: &Value,
        now: DateTime<Utc>,
    ) -> Result<(Outcome, bool), SandboxError> {
        let request = CreateRequest::read(body, self)?;
        let existing = self
            .chats
            .iter()
            .position(|chat| chat.line == request.line && chat.wa_contact_id == request.contact);
        if let Some(index) = existing {
            return Ok((
                Outcome {
                    chat: self.render(index),
                    message: None,
                },
                false,
            ));
        }
        let message = sent_by_company(
            "template",
            request.template_text(),
            json!({"template": request.template}),
            self.user(request.responsible),
            now,
        );
        let mut record = ChatRecord {
            id: Uuid::new_v4(),
            line: request.line,
            wa_contact_id: request.contact.clone(),
            contact_name: request.profile_name.clone(),
            remote_profile_name: request.profile_name,
            status: request.status,
            chat_type: ChatType::Individual,
            priority: 1,
            unread_count: 0,
            is_manually_unread: false,
            archived_at: None,
            responsible: request.responsible,
            participants: request.responsible.into_iter().collect(),
            created_at: now,
            updated_at: now,
            last_customer_msg_at: None,
            person: request.person_id.map(|id| CrmPerson {
                id: Some(id.to_string()),
                ..CrmPerson::default()
            }),
            lead_sources: Vec::new(),
            messages: Vec::new(),
        };
        record.record_message(message.clone(), now);
        self.insert(record);
        let index = self.chats.len() - 1;
        Ok((
            Outcome {
                chat: self.render(index),
                message: Some(message),
            },
            true,
        ))
    }

    /// `PATCH /chats/{id}/responsible`. With `update_chat` (true when absent), the user becomes
    /// the chat's assigned agent and a participant. Leads and deals are not modelled.
    pub fn update_responsible(
        &mut self,
        id: &str,
        body: &Value,
        now: DateTime<Utc>,
    ) -> Result<Chat, SandboxError> {
        let index = self.record(id)?;
        let Some(object) = body.as_object() else {
            return Err(not_an_object());
        };
        let mut fields = BTreeMap::new();
        let user = match object.get("user_id") {
            None | Some(Value::Null) => {
                fields.insert("user_id".to_owned(), "is required".to_owned());
                None
            }
            Some(Value::String(text)) => {
                if let Ok(uuid) = Uuid::parse_str(text) {
                    Some(uuid)
                } else {
                    fields.insert("user_id".to_owned(), "must be a UUID".to_owned());
                    None
                }
            }
            Some(_) => {
                fields.insert("user_id".to_owned(), "must be a string (UUID)".to_owned());
                None
            }
        };
        let mut flags = [true, false, false];
        for (slot, name) in flags
            .iter_mut()
            .zip(["update_chat", "update_leads", "update_deals"])
        {
            match object.get(name) {
                None | Some(Value::Null) => {}
                Some(Value::Bool(value)) => *slot = *value,
                Some(_) => {
                    fields.insert(name.to_owned(), "must be true or false".to_owned());
                }
            }
        }
        if !fields.is_empty() {
            return Err(SandboxError::validation(fields));
        }
        let Some(user) = user else {
            return Err(SandboxError::validation(fields));
        };
        let user_index = self.user_index(user, "user_id")?;
        if flags[0] {
            let chat = &mut self.chats[index];
            chat.responsible = Some(user_index);
            if !chat.participants.contains(&user_index) {
                chat.participants.push(user_index);
            }
            chat.updated_at = now;
        }
        Ok(self.render(index))
    }

    /// `DELETE /chats/{id}/participants/{userId}`: the current responsible cannot be removed.
    pub fn remove_participant(
        &mut self,
        id: &str,
        user: &str,
        now: DateTime<Utc>,
    ) -> Result<Chat, SandboxError> {
        let index = self.record(id)?;
        let Ok(user) = Uuid::parse_str(user) else {
            return Err(SandboxError::field(
                StatusCode::BAD_REQUEST,
                "invalid_user_id",
                "userId",
                format!("'{user}' is not a UUID"),
            ));
        };
        // A user of no kind names no participant: the resource in the path does not exist
        // (404), as for a user who is not in the chat. The agent-id trap keeps its 422.
        if !self
            .users
            .iter()
            .any(|known| known.user_id == user || known.agent_id == user)
        {
            return Err(SandboxError::field(
                StatusCode::NOT_FOUND,
                "participant_not_found",
                "userId",
                format!("no participant '{user}' in chat '{id}': no company user has that id"),
            ));
        }
        let user_index = self.user_index(user, "userId")?;
        let chat = &mut self.chats[index];
        let Some(position) = chat.participants.iter().position(|p| *p == user_index) else {
            return Err(SandboxError::field(
                StatusCode::NOT_FOUND,
                "participant_not_found",
                "userId",
                format!("user '{user}' is not a participant of chat '{id}'"),
            ));
        };
        if chat.responsible == Some(user_index) {
            return Err(SandboxError::field(
                StatusCode::CONFLICT,
                "participant_is_responsible",
                "userId",
                format!(
                    "user '{user}' is the chat's current responsible and cannot be removed; \
                     reassign the chat first"
                ),
            ));
        }
        chat.participants.remove(position);
        chat.updated_at = now;
        Ok(self.render(index))
    }

    /// A customer writes: unread rises, the message becomes the last one, the 24 h window
    /// opens, and a resolved, snoozed or archived chat comes back open.
    pub fn inbound(
        &mut self,
        id: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<Outcome, SandboxError> {
        let index = self.record(id)?;
        let text = checked_text(body)?;
        let contact = self.chats[index].wa_contact_id.clone();
        let message = Message {
            origin: Some("INBOUND".to_owned()),
            from_me: Some(false),
            sent_via: Some("CONTACT".to_owned()),
            status: Some("received".to_owned()),
            extra: Map::from_iter([("from_wa_id".to_owned(), Value::String(contact))]),
            ..live_message("text", text.clone(), json!({"text": {"body": text}}), now)
        };
        let chat = &mut self.chats[index];
        chat.unread_count += 1;
        chat.last_customer_msg_at = Some(now);
        chat.updated_at = now;
        chat.status = ChatStatus::Open;
        chat.archived_at = None;
        chat.record_message(message.clone(), now);
        Ok(Outcome {
            chat: self.render(index),
            message: Some(message),
        })
    }
}

impl ChatRecord {
    /// Appends `message` to the chat's timeline as a new event at `now`.
    pub(super) fn record_message(&mut self, message: Message, now: DateTime<Utc>) {
        self.messages.push(Stored {
            event_id: Uuid::new_v4(),
            at: now,
            message,
        });
    }
}

/// A message made now: a new id, `kind`, its text and payload, no reactions yet.
fn live_message(kind: &str, text: String, payload: Value, now: DateTime<Utc>) -> Message {
    Message {
        id: Some(Uuid::new_v4().to_string()),
        kind: Some(kind.to_owned()),
        body_text: Some(text),
        content_payload: Some(payload),
        reactions: Some(Vec::new()),
        meta_timestamp: Some(Timestamp::from_datetime(now)),
        created_at: Some(Timestamp::from_datetime(now)),
        is_history: Some(false),
        is_media_placeholder: Some(false),
        ..Message::default()
    }
}

/// A message the company sends now through the API, by `sender` when the chat has one.
pub(super) fn sent_by_company(
    kind: &str,
    text: String,
    payload: Value,
    sender: Option<&User>,
    now: DateTime<Utc>,
) -> Message {
    Message {
        origin: Some("OUTBOUND".to_owned()),
        from_me: Some(true),
        sent_via: Some("API".to_owned()),
        status: Some("sent".to_owned()),
        agent: sender.map(agent_ref),
        user: sender.map(user_ref),
        ..live_message(kind, text, payload, now)
    }
}
