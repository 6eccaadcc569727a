//! Wegly wire models: the union of every documented variant, tolerant of gaps and of the unknown.
//!
//! Every field is optional (the docs never say what may be null), every struct keeps the fields
//! it does not know in `extra` so that `--json` and round trips lose nothing, and enums keep
//! unknown values as text. Types are still checked: a number where text is expected is an
//! "unexpected response", never a silent zero.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api::text_enum::text_enum;
use crate::api::timestamp::Timestamp;

/// Fields the model does not know, kept as received.
pub type Extra = Map<String, Value>;

text_enum! {
    /// A chat's status. Create/get pages say `OPEN`/`RESOLVED`/`SNOOZED`; the responsible and
    /// participant pages say `OPEN`/`CLOSED`/`SNOOZED`. All four are real.
    ChatStatus {
        /// Waiting for or in conversation.
        Open = "OPEN",
        /// Finished (create/get pages).
        Resolved = "RESOLVED",
        /// Finished (responsible/participant pages).
        Closed = "CLOSED",
        /// Put aside until later.
        Snoozed = "SNOOZED",
    }
}

text_enum! {
    /// One-to-one or group conversation.
    ChatType {
        /// One customer.
        Individual = "INDIVIDUAL",
        /// A WhatsApp group.
        Group = "GROUP",
    }
}

/// Chat priority: `0` low, `1` normal, `2` high, `3` urgent; other integers are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Priority(pub i64);

impl Priority {
    /// The documented levels, lowest first.
    pub const LEVELS: [Priority; 4] = [Priority(0), Priority(1), Priority(2), Priority(3)];
}

/// A company user as the API names one (`id` is the **user** id).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserRef {
    /// The user id.
    pub id: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// Avatar URL.
    pub avatar: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The chat's responsible: an **agent** id plus the user behind it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AssignedAgent {
    /// The agent id (not the user id).
    pub agent_id: Option<String>,
    /// The user behind the agent.
    pub user: Option<UserRef>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A chat participant (same shape as the assigned agent).
pub type Participant = AssignedAgent;

/// An agent the chat may be handed to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AssignableAgent {
    /// The agent id (not the user id).
    pub agent_id: Option<String>,
    /// Availability as text (undocumented values).
    pub status: Option<String>,
    /// The user behind the agent; PATCH responsible takes `user.id`.
    pub user: Option<UserRef>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The agent that sent a message (here the key is `id`, not `agent_id`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgentRef {
    /// The agent id.
    pub id: Option<String>,
    /// The user behind the agent.
    pub user: Option<UserRef>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The company's `WhatsApp` line a chat runs on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PhoneNumber {
    /// The id to send as `whatsapp_phone_id`.
    pub id: Option<String>,
    /// Formatted number.
    pub display_number: Option<String>,
    /// Digits only.
    pub raw_number: Option<String>,
    /// Meta's phone-number id.
    pub phone_number_id: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An emoji reaction on a message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Reaction {
    /// Reaction id.
    pub id: Option<String>,
    /// The emoji.
    pub emoji: Option<String>,
    /// Who reacted, as text (`CONTACT`, ...).
    pub actor: Option<String>,
    /// `WhatsApp` id of the reacting contact.
    pub reactor_wa_id: Option<String>,
    /// Wegly user who reacted.
    pub reactor_user_id: Option<String>,
    /// When.
    pub created_at: Option<Timestamp>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A media attachment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Media {
    /// Media id.
    pub id: Option<String>,
    /// MIME type.
    pub mime_type: Option<String>,
    /// File name.
    pub file_name: Option<String>,
    /// Whether the file was fetched from `WhatsApp`.
    pub is_downloaded: Option<bool>,
    /// Where to fetch it.
    pub url: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A `WhatsApp` call attached to a message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Call {
    /// Call id.
    pub id: Option<String>,
    /// Outcome as text (`COMPLETED`, ...).
    pub status: Option<String>,
    /// `INBOUND` or `OUTBOUND`.
    pub direction: Option<String>,
    /// Start.
    pub started_at: Option<Timestamp>,
    /// End.
    pub ended_at: Option<Timestamp>,
    /// Length in milliseconds.
    pub duration_ms: Option<i64>,
    /// Recording post-processing finished.
    pub recording_processed: Option<bool>,
    /// A recording can be fetched.
    pub recording_available: Option<bool>,
    /// The call was recorded.
    pub has_recording: Option<bool>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A message, v1 or v2 schema (the union of both).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Message {
    /// Message id.
    pub id: Option<String>,
    /// Kind as text (`text`, ...).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `INBOUND` / `OUTBOUND` as text.
    pub origin: Option<String>,
    /// Sent by the company side.
    pub from_me: Option<bool>,
    /// Channel of sending as text (`CONTACT`, ...).
    pub sent_via: Option<String>,
    /// Delivery status as text (`sent`, `processing`, ...).
    pub status: Option<String>,
    /// Text body.
    pub body_text: Option<String>,
    /// v2 structured payload, kept as JSON.
    pub content_payload: Option<Value>,
    /// Reactions.
    pub reactions: Option<Vec<Reaction>>,
    /// Meta's timestamp: ISO-8601 (v1) or epoch seconds in a string (v2).
    pub meta_timestamp: Option<Timestamp>,
    /// Creation time (v1 only).
    pub created_at: Option<Timestamp>,
    /// Imported from `WhatsApp` history.
    pub is_history: Option<bool>,
    /// History import bookkeeping.
    pub history_phase: Option<i64>,
    /// History import bookkeeping.
    pub history_chunk_order: Option<i64>,
    /// History import bookkeeping.
    pub history_progress: Option<i64>,
    /// A placeholder for media not yet fetched.
    pub is_media_placeholder: Option<bool>,
    /// The sending agent.
    pub agent: Option<AgentRef>,
    /// The sending user.
    pub user: Option<UserRef>,
    /// Attachment.
    pub media: Option<Media>,
    /// Call.
    pub call: Option<Call>,
    /// The message this one replies to.
    pub quoted_message: Option<Box<Message>>,
    /// Undocumented objects.
    pub crm_marketing_lead_source: Option<Vec<Value>>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A contact entry of a CRM person (`type` is an undocumented integer).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonContact {
    /// Entry id.
    pub id: Option<String>,
    /// Kind code.
    #[serde(rename = "type")]
    pub kind: Option<i64>,
    /// Phone, e-mail, ...
    pub value: Option<String>,
    /// The main contact of its kind.
    pub primary: Option<bool>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A document of a CRM person (CPF, CNPJ, ...).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonDocument {
    /// Entry id.
    pub id: Option<String>,
    /// Kind code.
    #[serde(rename = "type")]
    pub kind: Option<i64>,
    /// Label such as `CPF`.
    pub label: Option<String>,
    /// The number.
    pub value: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A CRM person's address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Address {
    /// Entry id.
    pub id: Option<String>,
    /// Status code.
    pub status: Option<i64>,
    /// Kind code.
    #[serde(rename = "type")]
    pub kind: Option<i64>,
    /// Label.
    pub name: Option<String>,
    /// Street.
    pub street: Option<String>,
    /// House number.
    pub number: Option<String>,
    /// Complement.
    pub complement: Option<String>,
    /// Neighbourhood (bairro).
    pub district: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State (UF).
    pub state: Option<String>,
    /// CEP.
    pub postal_code: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The CRM person linked to a chat.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CrmPerson {
    /// Person id.
    pub id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Birth date (`YYYY-MM-DD`).
    pub birth_date: Option<String>,
    /// Undocumented code.
    pub gender: Option<i64>,
    /// Free notes.
    pub notes: Option<String>,
    /// Phones, e-mails, ...
    pub contacts: Option<Vec<PersonContact>>,
    /// CPF, CNPJ, ...
    pub documents: Option<Vec<PersonDocument>>,
    /// Address.
    pub address: Option<Address>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A chat: create v1/v2, detail and after-update variants in one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Chat {
    /// Chat id.
    pub id: Option<String>,
    /// The contact's `WhatsApp` id.
    pub wa_contact_id: Option<String>,
    /// `WhatsApp` profile name.
    pub remote_profile_name: Option<String>,
    /// Contact name in the CRM.
    pub contact_name: Option<String>,
    /// Contact number.
    pub contact_number: Option<String>,
    /// The company's line.
    pub phone_number: Option<PhoneNumber>,
    /// Status.
    pub status: Option<ChatStatus>,
    /// Individual or group.
    pub chat_type: Option<ChatType>,
    /// Unread messages.
    pub unread_count: Option<i64>,
    /// Marked unread by hand.
    pub is_manually_unread: Option<bool>,
    /// Priority.
    pub priority: Option<Priority>,
    /// When archived; null when not.
    pub archived_at: Option<Timestamp>,
    /// The responsible's **agent** id.
    pub assigned_agent_id: Option<String>,
    /// The responsible.
    pub assigned_agent: Option<AssignedAgent>,
    /// Last message time.
    pub last_message_at: Option<Timestamp>,
    /// Last message.
    pub last_message: Option<Message>,
    /// The customer's last message: start of the 24 h window.
    pub last_customer_msg_at: Option<Timestamp>,
    /// End of the 24 h `WhatsApp` window.
    pub session_expires_at: Option<Timestamp>,
    /// Created.
    pub created_at: Option<Timestamp>,
    /// Updated.
    pub updated_at: Option<Timestamp>,
    /// Participants.
    pub participants: Option<Vec<Participant>>,
    /// Who the chat may be handed to.
    pub assignable_agents: Option<Vec<AssignableAgent>>,
    /// CRM person.
    pub crm_person: Option<CrmPerson>,
    /// Undocumented objects.
    pub crm_marketing_lead_source: Option<Vec<Value>>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{ total, records }`, the envelope of timeline and send-message replies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Page<T> {
    /// Total number of records.
    pub total: Option<i64>,
    /// This page's records.
    pub records: Option<Vec<T>>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self {
            total: None,
            records: None,
            extra: Extra::new(),
        }
    }
}

/// One timeline entry (only `MESSAGE` is documented).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TimelineEvent {
    /// Entry id.
    pub id: Option<String>,
    /// Kind as text.
    pub event_type: Option<String>,
    /// When.
    pub event_at: Option<Timestamp>,
    /// The message, for `MESSAGE` entries.
    pub message: Option<Message>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `GET /chats/notifications/unread`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UnreadSummary {
    /// Unread messages across chats.
    pub unread_messages_total: Option<i64>,
    /// Chats with unread messages.
    pub unread_chats_total: Option<i64>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The approved template a chat is opened with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateRef {
    /// Template name.
    pub name: String,
    /// Language code such as `pt_BR`.
    pub language: String,
}

/// A value for one template placeholder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateField {
    /// `HEADER`, `BODY`, `BUTTON`, ...
    pub component: String,
    /// `TEXT`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// Placeholder number (`{{1}}` is 1).
    pub index: i64,
    /// Button parameter index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub button_index: Option<i64>,
    /// Carousel card index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_index: Option<i64>,
    /// The value.
    pub value: String,
}

/// `POST /chats` body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateChatRequest {
    /// The company line to send from.
    pub whatsapp_phone_id: String,
    /// The contact's number (at most 50 characters).
    pub wa_contact_id: String,
    /// The opening template.
    pub template: TemplateRef,
    /// Placeholder values.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub template_fields: Vec<TemplateField>,
    /// Alternative contact reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_contact_id: Option<String>,
    /// Profile name (at most 255 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_profile_name: Option<String>,
    /// CRM person to link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crm_person_id: Option<String>,
    /// The responsible's **agent** id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_agent_id: Option<String>,
    /// Initial status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ChatStatus>,
}

/// `PATCH /chats/{id}/responsible` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateResponsibleRequest {
    /// The new responsible's **user** id.
    pub user_id: String,
    /// Make the user the chat's assigned agent.
    pub update_chat: bool,
    /// Hand the contact's leads over too.
    pub update_leads: bool,
    /// Hand the contact's deals over too.
    pub update_deals: bool,
}

/// A webhook delivery: `{ event_key, payload }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEnvelope {
    /// `chat.message_received`, `chat.message_sent`, ...
    pub event_key: String,
    /// The event's payload.
    pub payload: Value,
}

impl Chat {
    /// The responsible's user id, from `assigned_agent.user.id`.
    pub fn responsible_user_id(&self) -> Option<&str> {
        self.assigned_agent
            .as_ref()
            .and_then(|agent| agent.user.as_ref())
            .and_then(|user| user.id.as_deref())
    }

    /// The responsible's display name.
    pub fn responsible_name(&self) -> Option<&str> {
        self.assigned_agent
            .as_ref()
            .and_then(|agent| agent.user.as_ref())
            .and_then(|user| user.name.as_deref())
    }

    /// The name to show for the contact: CRM name, then profile name, then number.
    pub fn display_name(&self) -> Option<&str> {
        [
            &self.contact_name,
            &self.remote_profile_name,
            &self.contact_number,
            &self.wa_contact_id,
        ]
        .into_iter()
        .find_map(|field| field.as_deref().filter(|text| !text.trim().is_empty()))
    }
}
