//! The sandbox's data and rules, free of HTTP: what each API call does to the chats.

use std::collections::{BTreeMap, HashMap};

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::api::timestamp::Timestamp;
use crate::api::wegly::wire::{
    AgentRef, AssignableAgent, AssignedAgent, Call, Chat, ChatStatus, ChatType, CrmPerson, Media,
    Message, Page, PhoneNumber, Priority, Reaction, TimelineEvent, UnreadSummary, UserRef,
};
use crate::sandbox::error::SandboxError;
use crate::sandbox::seed::{Direction, Seed, SeedMessage};

/// The `WhatsApp` customer-service window: the company may send free text for 24 h after the
/// customer's last message; outside it only templates.
pub const SESSION_WINDOW: Duration = Duration::hours(24);
/// `wa_contact_id` limit (seed 001).
pub const MAX_CONTACT_ID_CHARS: usize = 50;
/// `remote_profile_name` limit (seed 001).
pub const MAX_PROFILE_NAME_CHARS: usize = 255;
/// Longest text message accepted (`WhatsApp`'s limit).
pub const MAX_TEXT_CHARS: usize = 4096;

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

/// What a change produced: the chat after it, and a message to announce by webhook.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The chat as the API returns it.
    pub chat: Chat,
    /// A new message, if the change made one.
    pub message: Option<Message>,
}

/// Every chat, user and line of the sandbox.
#[derive(Debug, Clone)]
pub struct World {
    users: Vec<User>,
    lines: Vec<Line>,
    chats: Vec<ChatRecord>,
    by_id: HashMap<Uuid, usize>,
}

fn at(start: DateTime<Utc>, minutes_ago: i64) -> DateTime<Utc> {
    start - Duration::minutes(minutes_ago)
}

impl World {
    /// Builds the world from a checked seed, placing every time relative to `start`.
    pub fn from_seed(seed: &Seed, start: DateTime<Utc>) -> Self {
        let users: Vec<User> = seed
            .users
            .iter()
            .map(|user| User {
                user_id: user.user_id,
                agent_id: user.agent_id,
                name: user.name.clone(),
                avatar: user.avatar.clone(),
                status: user.status.clone(),
            })
            .collect();
        let lines = seed
            .lines
            .iter()
            .map(|line| Line {
                id: line.id,
                display_number: line.display_number.clone(),
                raw_number: line.raw_number.clone(),
                phone_number_id: line.phone_number_id.clone(),
            })
            .collect();
        let mut world = Self {
            users,
            lines,
            chats: Vec::new(),
            by_id: HashMap::new(),
        };
        for chat in &seed.chats {
            let mut messages: Vec<Stored> = Vec::with_capacity(chat.messages.len());
            for seeded in &chat.messages {
                let quoted = seeded
                    .quotes
                    .and_then(|index| messages.get(index))
                    .map(|stored| Box::new(without_quote(&stored.message)));
                let message =
                    world.seeded_message(seeded, chat.wa_contact_id.as_str(), start, quoted);
                messages.push(Stored {
                    event_id: seeded.event_id,
                    at: at(start, seeded.minutes_ago),
                    message,
                });
            }
            let updated_at = messages
                .last()
                .map_or_else(|| at(start, chat.created_minutes_ago), |m| m.at);
            world.insert(ChatRecord {
                id: chat.id,
                line: chat.line,
                wa_contact_id: chat.wa_contact_id.clone(),
                contact_name: chat.contact_name.clone(),
                remote_profile_name: chat.remote_profile_name.clone(),
                status: ChatStatus::from_wire(&chat.status),
                chat_type: ChatType::from_wire(&chat.chat_type),
                priority: chat.priority,
                unread_count: chat.unread_count,
                is_manually_unread: chat.is_manually_unread,
                archived_at: chat.archived_minutes_ago.map(|minutes| at(start, minutes)),
                responsible: chat.responsible,
                participants: chat.participants.clone(),
                created_at: at(start, chat.created_minutes_ago),
                updated_at,
                last_customer_msg_at: chat
                    .last_customer_msg_minutes_ago
                    .map(|minutes| at(start, minutes)),
                person: chat.person.clone(),
                lead_sources: chat.lead_sources.clone(),
                messages,
            });
        }
        world
    }

    fn insert(&mut self, record: ChatRecord) {
        self.by_id.insert(record.id, self.chats.len());
        self.chats.push(record);
    }

    fn seeded_message(
        &self,
        seeded: &SeedMessage,
        contact: &str,
        start: DateTime<Utc>,
        quoted: Option<Box<Message>>,
    ) -> Message {
        let sent_at = at(start, seeded.minutes_ago);
        let inbound = seeded.direction == Direction::In;
        let sender = seeded.by.and_then(|index| self.users.get(index));
        Message {
            id: Some(seeded.id.to_string()),
            kind: Some(seeded.kind.clone()),
            origin: Some(if inbound { "INBOUND" } else { "OUTBOUND" }.to_owned()),
            from_me: Some(!inbound),
            sent_via: Some(if inbound { "CONTACT" } else { "AGENT" }.to_owned()),
            status: Some(seeded.status.clone().unwrap_or_else(|| "read".to_owned())),
            body_text: Some(seeded.body.clone()),
            content_payload: Some(json!({"text": {"body": seeded.body}})),
            reactions: Some(
                seeded
                    .reactions
                    .iter()
                    .map(|reaction| {
                        let by = reaction.by.and_then(|index| self.users.get(index));
                        Reaction {
                            id: Some(reaction.id.to_string()),
                            emoji: Some(reaction.emoji.clone()),
                            actor: Some(if by.is_some() { "USER" } else { "CONTACT" }.to_owned()),
                            reactor_wa_id: by.is_none().then(|| contact.to_owned()),
                            reactor_user_id: by.map(|user| user.user_id.to_string()),
                            created_at: Some(Timestamp::from_datetime(at(
                                start,
                                reaction.minutes_ago,
                            ))),
                            extra: Map::new(),
                        }
                    })
                    .collect(),
            ),
            meta_timestamp: Some(Timestamp::from_datetime(sent_at)),
            created_at: Some(Timestamp::from_datetime(sent_at)),
            is_history: Some(false),
            history_phase: Some(0),
            history_chunk_order: Some(0),
            history_progress: Some(0),
            is_media_placeholder: Some(false),
            agent: sender.map(agent_ref),
            user: sender.map(user_ref),
            media: seeded.media.as_ref().map(|media| Media {
                id: Some(media.id.to_string()),
                mime_type: Some(media.mime_type.clone()),
                file_name: Some(media.file_name.clone()),
                is_downloaded: Some(true),
                url: Some(format!(
                    "https://files.sandbox.balcao.local/media/{}/{}",
                    media.id, media.file_name
                )),
                extra: Map::new(),
            }),
            call: seeded.call.as_ref().map(|call| Call {
                id: Some(call.id.to_string()),
                status: Some(call.status.clone()),
                direction: Some(call.direction.clone()),
                started_at: Some(Timestamp::from_datetime(
                    sent_at - Duration::seconds(call.duration_s),
                )),
                ended_at: Some(Timestamp::from_datetime(sent_at)),
                duration_ms: Some(call.duration_s * 1000),
                recording_processed: Some(call.has_recording),
                recording_available: Some(call.has_recording),
                has_recording: Some(call.has_recording),
                extra: Map::new(),
            }),
            quoted_message: quoted,
            crm_marketing_lead_source: None,
            extra: Map::new(),
        }
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

    /// `GET /chats/{id}`.
    pub fn get_chat(&self, id: &str) -> Result<Chat, SandboxError> {
        let index = self.record(id)?;
        Ok(self.render(index))
    }

    /// `GET /chats/{id}/timeline`: every message, oldest first, in the v1 message schema.
    pub fn timeline(&self, id: &str) -> Result<Page<TimelineEvent>, SandboxError> {
        let index = self.record(id)?;
        let records: Vec<TimelineEvent> = self.chats[index]
            .messages
            .iter()
            .map(|stored| TimelineEvent {
                id: Some(stored.event_id.to_string()),
                event_type: Some("MESSAGE".to_owned()),
                event_at: Some(Timestamp::from_datetime(stored.at)),
                message: Some(stored.message.clone()),
                extra: Map::new(),
            })
            .collect();
        Ok(Page {
            total: Some(i64::try_from(records.len()).unwrap_or(i64::MAX)),
            records: Some(records),
            extra: Map::new(),
        })
    }

    /// `GET /chats/notifications/unread`, over chats that are not archived.
    pub fn unread_summary(&self) -> UnreadSummary {
        let active = self.chats.iter().filter(|chat| chat.archived_at.is_none());
        let (messages, chats) = active.fold((0, 0), |(messages, chats), chat| {
            let unread = chat.unread_count > 0 || chat.is_manually_unread;
            (messages + chat.unread_count, chats + i64::from(unread))
        });
        UnreadSummary {
            unread_messages_total: Some(messages),
            unread_chats_total: Some(chats),
            extra: Map::new(),
        }
    }

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
        let sender = request.responsible.and_then(|index| self.users.get(index));
        let template_text = request.template_text();
        let message = Message {
            id: Some(Uuid::new_v4().to_string()),
            kind: Some("template".to_owned()),
            origin: Some("OUTBOUND".to_owned()),
            from_me: Some(true),
            sent_via: Some("API".to_owned()),
            status: Some("sent".to_owned()),
            body_text: Some(template_text),
            content_payload: Some(json!({"template": request.template})),
            reactions: Some(Vec::new()),
            meta_timestamp: Some(Timestamp::from_datetime(now)),
            created_at: Some(Timestamp::from_datetime(now)),
            is_history: Some(false),
            is_media_placeholder: Some(false),
            agent: sender.map(agent_ref),
            user: sender.map(user_ref),
            ..Message::default()
        };
        let record = ChatRecord {
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
            messages: vec![Stored {
                event_id: Uuid::new_v4(),
                at: now,
                message: message.clone(),
            }],
        };
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
            id: Some(Uuid::new_v4().to_string()),
            kind: Some("text".to_owned()),
            origin: Some("INBOUND".to_owned()),
            from_me: Some(false),
            sent_via: Some("CONTACT".to_owned()),
            status: Some("received".to_owned()),
            body_text: Some(text.clone()),
            content_payload: Some(json!({"text": {"body": text}})),
            reactions: Some(Vec::new()),
            meta_timestamp: Some(Timestamp::from_datetime(now)),
            created_at: Some(Timestamp::from_datetime(now)),
            is_history: Some(false),
            is_media_placeholder: Some(false),
            extra: {
                let mut extra = Map::new();
                extra.insert("from_wa_id".to_owned(), Value::String(contact));
                extra
            },
            ..Message::default()
        };
        let chat = &mut self.chats[index];
        chat.unread_count += 1;
        chat.last_customer_msg_at = Some(now);
        chat.updated_at = now;
        chat.status = ChatStatus::Open;
        chat.archived_at = None;
        chat.messages.push(Stored {
            event_id: Uuid::new_v4(),
            at: now,
            message: message.clone(),
        });
        Ok(Outcome {
            chat: self.render(index),
            message: Some(message),
        })
    }

    /// `POST /chats/{id}/messages` (text only): refused outside the 24 h window, as `WhatsApp`
    /// does. Replying clears the unread count.
    pub fn send_text(
        &mut self,
        id: &str,
        body: &Value,
        now: DateTime<Utc>,
    ) -> Result<Outcome, SandboxError> {
        let index = self.record(id)?;
        let Some(object) = body.as_object() else {
            return Err(not_an_object());
        };
        let kind = object.get("type").and_then(Value::as_str).unwrap_or("text");
        if kind != "text" {
            return Err(SandboxError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unsupported_message_type",
                "type",
                format!("the sandbox sends only 'text' messages, not '{kind}'"),
            ));
        }
        let Some(text) = object.get("body").and_then(Value::as_str) else {
            return Err(SandboxError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "body",
                "is required (a string)",
            ));
        };
        let text = checked_text(text)?;
        let chat = &self.chats[index];
        let open = chat
            .last_customer_msg_at
            .is_some_and(|last| now < last + SESSION_WINDOW);
        if !open {
            return Err(SandboxError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "session_window_closed",
                "the 24 h WhatsApp window is closed: only a template can start the conversation again",
            ));
        }
        let sender = self.user(chat.responsible);
        let message = Message {
            id: Some(Uuid::new_v4().to_string()),
            kind: Some("text".to_owned()),
            origin: Some("OUTBOUND".to_owned()),
            from_me: Some(true),
            sent_via: Some("API".to_owned()),
            status: Some("sent".to_owned()),
            body_text: Some(text.clone()),
            content_payload: Some(json!({"text": {"body": text}})),
            reactions: Some(Vec::new()),
            meta_timestamp: Some(Timestamp::from_datetime(now)),
            created_at: Some(Timestamp::from_datetime(now)),
            is_history: Some(false),
            is_media_placeholder: Some(false),
            agent: sender.map(agent_ref),
            user: sender.map(user_ref),
            ..Message::default()
        };
        let chat = &mut self.chats[index];
        chat.unread_count = 0;
        chat.is_manually_unread = false;
        chat.updated_at = now;
        chat.messages.push(Stored {
            event_id: Uuid::new_v4(),
            at: now,
            message: message.clone(),
        });
        Ok(Outcome {
            chat: self.render(index),
            message: Some(message),
        })
    }

    fn user_index(&self, id: Uuid, field: &str) -> Result<usize, SandboxError> {
        if let Some(index) = self.users.iter().position(|user| user.user_id == id) {
            return Ok(index);
        }
        // The agent-id / user-id trap: name the right id instead of a bare "unknown".
        if let Some(user) = self.users.iter().find(|user| user.agent_id == id) {
            return Err(SandboxError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "agent_id_given_for_user_id",
                field,
                format!(
                    "'{id}' is the agent id of {}; this field takes the user id '{}'",
                    user.name, user.user_id
                ),
            ));
        }
        Err(SandboxError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_user",
            field,
            format!("no company user with id '{id}'"),
        ))
    }

    /// The chat as every endpoint returns it: the union of the documented variants.
    fn render(&self, index: usize) -> Chat {
        let chat = &self.chats[index];
        let responsible = self.user(chat.responsible);
        let last = chat.messages.last();
        let line = self.lines.get(chat.line);
        Chat {
            id: Some(chat.id.to_string()),
            wa_contact_id: Some(chat.wa_contact_id.clone()),
            remote_profile_name: chat.remote_profile_name.clone(),
            contact_name: chat.contact_name.clone(),
            contact_number: Some(chat.wa_contact_id.clone()),
            phone_number: line.map(|line| PhoneNumber {
                id: Some(line.id.to_string()),
                display_number: Some(line.display_number.clone()),
                raw_number: Some(line.raw_number.clone()),
                phone_number_id: Some(line.phone_number_id.clone()),
                extra: Map::new(),
            }),
            status: Some(chat.status.clone()),
            chat_type: Some(chat.chat_type.clone()),
            unread_count: Some(chat.unread_count),
            is_manually_unread: Some(chat.is_manually_unread),
            priority: Some(Priority(chat.priority)),
            archived_at: chat.archived_at.map(Timestamp::from_datetime),
            assigned_agent_id: responsible.map(|user| user.agent_id.to_string()),
            assigned_agent: responsible.map(assigned_agent),
            last_message_at: last.map(|stored| Timestamp::from_datetime(stored.at)),
            // The detail uses the v2 message schema: `meta_timestamp` as an epoch string.
            last_message: last.map(|stored| {
                let mut message = stored.message.clone();
                message.meta_timestamp = Some(Timestamp::epoch_string(stored.at));
                message
            }),
            last_customer_msg_at: chat.last_customer_msg_at.map(Timestamp::from_datetime),
            session_expires_at: chat
                .last_customer_msg_at
                .map(|last| Timestamp::from_datetime(last + SESSION_WINDOW)),
            created_at: Some(Timestamp::from_datetime(chat.created_at)),
            updated_at: Some(Timestamp::from_datetime(chat.updated_at)),
            participants: Some(
                chat.participants
                    .iter()
                    .filter_map(|index| self.users.get(*index))
                    .map(assigned_agent)
                    .collect(),
            ),
            assignable_agents: Some(
                self.users
                    .iter()
                    .map(|user| AssignableAgent {
                        agent_id: Some(user.agent_id.to_string()),
                        status: Some(user.status.clone()),
                        user: Some(user_ref(user)),
                        extra: Map::new(),
                    })
                    .collect(),
            ),
            crm_person: chat.person.clone(),
            crm_marketing_lead_source: Some(chat.lead_sources.clone()),
            extra: Map::new(),
        }
    }
}

fn without_quote(message: &Message) -> Message {
    Message {
        quoted_message: None,
        ..message.clone()
    }
}

fn user_ref(user: &User) -> UserRef {
    UserRef {
        id: Some(user.user_id.to_string()),
        name: Some(user.name.clone()),
        avatar: user.avatar.clone(),
        extra: Map::new(),
    }
}

fn agent_ref(user: &User) -> AgentRef {
    AgentRef {
        id: Some(user.agent_id.to_string()),
        user: Some(user_ref(user)),
        extra: Map::new(),
    }
}

fn assigned_agent(user: &User) -> AssignedAgent {
    AssignedAgent {
        agent_id: Some(user.agent_id.to_string()),
        user: Some(user_ref(user)),
        extra: Map::new(),
    }
}

fn not_an_object() -> SandboxError {
    SandboxError::new(
        StatusCode::BAD_REQUEST,
        "invalid_body",
        "the body must be a JSON object",
    )
}

fn checked_text(text: &str) -> Result<String, SandboxError> {
    let count = text.chars().count();
    if text.trim().is_empty() || count > MAX_TEXT_CHARS {
        return Err(SandboxError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "body",
            format!("must be 1 to {MAX_TEXT_CHARS} characters (got {count})"),
        ));
    }
    Ok(text.to_owned())
}

/// A checked `POST /chats` body.
struct CreateRequest {
    line: usize,
    contact: String,
    template: Value,
    template_name: String,
    template_fields: Vec<String>,
    profile_name: Option<String>,
    person_id: Option<Uuid>,
    responsible: Option<usize>,
    status: ChatStatus,
}

/// Field problems of one request, collected so that all of them are reported at once.
#[derive(Default)]
struct Problems(BTreeMap<String, String>);

type Object = Map<String, Value>;

impl Problems {
    fn add(&mut self, field: &str, text: &str) {
        self.0.insert(field.to_owned(), text.to_owned());
    }

    fn required_uuid(&mut self, object: &Object, field: &str) -> Option<Uuid> {
        match object.get(field) {
            None | Some(Value::Null) => {
                self.add(field, "is required");
                None
            }
            Some(value) => uuid_field(value).or_else(|| {
                self.add(field, "must be a UUID");
                None
            }),
        }
    }

    fn optional_uuid(&mut self, object: &Object, field: &str) -> Option<Uuid> {
        match object.get(field) {
            None | Some(Value::Null) => None,
            Some(value) => uuid_field(value).or_else(|| {
                self.add(field, "must be a UUID or null");
                None
            }),
        }
    }

    /// A string of at most `max` characters; `required` refuses absence and blank text.
    fn text(&mut self, object: &Object, field: &str, max: usize, required: bool) -> Option<String> {
        match object.get(field) {
            None | Some(Value::Null) => {
                if required {
                    self.add(field, "is required");
                }
                None
            }
            Some(Value::String(text)) if required && text.trim().is_empty() => {
                self.add(field, "must not be empty");
                None
            }
            Some(Value::String(text)) if text.chars().count() > max => {
                self.add(field, &format!("must be at most {max} characters"));
                None
            }
            Some(Value::String(text)) => Some(text.clone()),
            Some(_) => {
                self.add(
                    field,
                    if required {
                        "must be a string"
                    } else {
                        "must be a string or null"
                    },
                );
                None
            }
        }
    }

    /// `template` (name required, language a string) and the values of `template_fields`.
    fn template(&mut self, object: &Object) -> (Value, Option<String>, Vec<String>) {
        let template = object.get("template").cloned().unwrap_or(Value::Null);
        let name = match template.get("name") {
            Some(Value::String(name)) if !name.trim().is_empty() => Some(name.clone()),
            _ if !template.is_object() => {
                self.add(
                    "template",
                    "is required (an object with 'name' and 'language')",
                );
                None
            }
            _ => {
                self.add("template.name", "is required");
                None
            }
        };
        if template.is_object()
            && !matches!(template.get("language"), None | Some(Value::String(_)))
        {
            self.add("template.language", "must be a string such as 'pt_BR'");
        }
        let mut values = Vec::new();
        match object.get("template_fields") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for (position, item) in items.iter().enumerate() {
                    match item.get("value").and_then(Value::as_str) {
                        Some(value) if item.get("component").is_some_and(Value::is_string) => {
                            values.push(value.to_owned());
                        }
                        _ => self.add(
                            &format!("template_fields[{position}]"),
                            "needs 'component', 'type', 'index' and a string 'value'",
                        ),
                    }
                }
            }
            Some(_) => self.add("template_fields", "must be an array"),
        }
        (template, name, values)
    }

    /// The create page's status enum: `OPEN`, `RESOLVED`, `SNOOZED`.
    fn create_status(&mut self, object: &Object) -> ChatStatus {
        match object.get("status") {
            None | Some(Value::Null) => ChatStatus::Open,
            Some(Value::String(text))
                if ["OPEN", "RESOLVED", "SNOOZED"].contains(&text.as_str()) =>
            {
                ChatStatus::from_wire(text)
            }
            Some(_) => {
                self.add("status", "must be OPEN, RESOLVED or SNOOZED");
                ChatStatus::Open
            }
        }
    }
}

impl CreateRequest {
    /// Checks every field, collecting all problems before refusing.
    fn read(body: &Value, world: &World) -> Result<Self, SandboxError> {
        let Some(object) = body.as_object() else {
            return Err(not_an_object());
        };
        let mut problems = Problems::default();
        let line_id = problems.required_uuid(object, "whatsapp_phone_id");
        let contact = problems.text(object, "wa_contact_id", MAX_CONTACT_ID_CHARS, true);
        let (template, template_name, template_fields) = problems.template(object);
        let profile_name =
            problems.text(object, "remote_profile_name", MAX_PROFILE_NAME_CHARS, false);
        let _person_contact = problems.optional_uuid(object, "person_contact_id");
        let person_id = problems.optional_uuid(object, "crm_person_id");
        let agent_id = problems.optional_uuid(object, "assigned_agent_id");
        let status = problems.create_status(object);
        let (Some(line_id), Some(contact), Some(template_name)) = (line_id, contact, template_name)
        else {
            return Err(SandboxError::validation(problems.0));
        };
        if !problems.0.is_empty() {
            return Err(SandboxError::validation(problems.0));
        }
        let Some(line) = world.lines.iter().position(|line| line.id == line_id) else {
            return Err(SandboxError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_whatsapp_line",
                "whatsapp_phone_id",
                format!("no WhatsApp line with id '{line_id}' (see GET /_sandbox/lines)"),
            ));
        };
        let responsible = agent_id.map(|id| world.agent_index(id)).transpose()?;
        Ok(Self {
            line,
            contact,
            template,
            template_name,
            template_fields,
            profile_name,
            person_id,
            responsible,
            status,
        })
    }

    fn template_text(&self) -> String {
        if self.template_fields.is_empty() {
            format!("[{}]", self.template_name)
        } else {
            format!(
                "[{}] {}",
                self.template_name,
                self.template_fields.join(" · ")
            )
        }
    }
}

impl World {
    /// `assigned_agent_id` takes the **agent** id; a user id gets a message naming the agent id.
    fn agent_index(&self, id: Uuid) -> Result<usize, SandboxError> {
        if let Some(index) = self.users.iter().position(|user| user.agent_id == id) {
            return Ok(index);
        }
        if let Some(user) = self.users.iter().find(|user| user.user_id == id) {
            return Err(SandboxError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "user_id_given_for_agent_id",
                "assigned_agent_id",
                format!(
                    "'{id}' is the user id of {}; assigned_agent_id takes the agent id '{}'",
                    user.name, user.agent_id
                ),
            ));
        }
        Err(SandboxError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_agent",
            "assigned_agent_id",
            format!("no agent with id '{id}'"),
        ))
    }
}

fn uuid_field(value: &Value) -> Option<Uuid> {
    value.as_str().and_then(|text| Uuid::parse_str(text).ok())
}
