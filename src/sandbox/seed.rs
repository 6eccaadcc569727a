//! The sandbox's seed file: users, `WhatsApp` lines and chats, with times relative to start.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use crate::api::wegly::wire::CrmPerson;

/// The seed bundled with the binary (`assets/sandbox-seed.json`).
pub const BUNDLED_SEED: &str = include_str!("../../assets/sandbox-seed.json");

/// A whole seed file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// Company users, each with its agent.
    pub users: Vec<SeedUser>,
    /// The company's `WhatsApp` lines.
    pub lines: Vec<SeedLine>,
    /// Chats.
    pub chats: Vec<SeedChat>,
    /// Agilize users (`_id`, `name`), for the admin listing.
    #[serde(default)]
    pub agilize_users: Vec<Value>,
    /// Agilize departments (`_id`, `name`).
    #[serde(default)]
    pub departments: Vec<Value>,
    /// Agilize tags (`_id`, `name`).
    #[serde(default)]
    pub tags: Vec<Value>,
    /// Agilize rooms in wire form, with `lastEventMinutesAgo` and `createdMinutesAgo` in place of
    /// their timestamps.
    #[serde(default)]
    pub rooms: Vec<Value>,
}

/// A company user and the agent that stands for them in chats.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedUser {
    /// The user id (what PATCH responsible and DELETE participant take).
    pub user_id: Uuid,
    /// The agent id (what `assigned_agent_id` holds).
    pub agent_id: Uuid,
    /// Display name.
    pub name: String,
    /// Avatar URL.
    #[serde(default)]
    pub avatar: Option<String>,
    /// Availability as shown in `assignable_agents`.
    #[serde(default = "default_user_status")]
    pub status: String,
}

fn default_user_status() -> String {
    "ONLINE".to_owned()
}

/// A `WhatsApp` line of the company.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedLine {
    /// The `whatsapp_phone_id`.
    pub id: Uuid,
    /// Formatted number.
    pub display_number: String,
    /// Digits.
    pub raw_number: String,
    /// Meta's id.
    pub phone_number_id: String,
}

/// A chat with its history.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedChat {
    /// Chat id.
    pub id: Uuid,
    /// Index into `lines`.
    pub line: usize,
    /// Contact number.
    pub wa_contact_id: String,
    /// CRM name.
    #[serde(default)]
    pub contact_name: Option<String>,
    /// `WhatsApp` profile name.
    #[serde(default)]
    pub remote_profile_name: Option<String>,
    /// `OPEN`, `RESOLVED`, `CLOSED`, `SNOOZED`.
    pub status: String,
    /// `INDIVIDUAL` or `GROUP`.
    pub chat_type: String,
    /// 0-3.
    pub priority: i64,
    /// Unread messages.
    #[serde(default)]
    pub unread_count: i64,
    /// Marked unread by hand.
    #[serde(default)]
    pub is_manually_unread: bool,
    /// Minutes before start the chat was archived; null when not archived.
    #[serde(default)]
    pub archived_minutes_ago: Option<i64>,
    /// Index into `users` of the responsible.
    #[serde(default)]
    pub responsible: Option<usize>,
    /// Indexes into `users`.
    #[serde(default)]
    pub participants: Vec<usize>,
    /// Minutes before start the chat was created.
    pub created_minutes_ago: i64,
    /// Minutes before start the customer last wrote (opens the 24 h window); null if never.
    #[serde(default)]
    pub last_customer_msg_minutes_ago: Option<i64>,
    /// The CRM person, in wire form.
    #[serde(default)]
    pub person: Option<CrmPerson>,
    /// Marketing lead sources, in wire form.
    #[serde(default)]
    pub lead_sources: Vec<Value>,
    /// Messages, oldest first.
    pub messages: Vec<SeedMessage>,
}

/// One message of a seeded chat.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedMessage {
    /// Message id.
    pub id: Uuid,
    /// Timeline entry id.
    pub event_id: Uuid,
    /// Minutes before start.
    pub minutes_ago: i64,
    /// `in` (from the customer) or `out` (from the company).
    pub direction: Direction,
    /// Index into `users` of the agent who sent an outbound message.
    #[serde(default)]
    pub by: Option<usize>,
    /// Message type (`text`, `image`, `document`, `audio`, `call`, ...).
    #[serde(rename = "type", default = "default_message_type")]
    pub kind: String,
    /// Text.
    #[serde(default)]
    pub body: String,
    /// Delivery status.
    #[serde(default)]
    pub status: Option<String>,
    /// Attachment.
    #[serde(default)]
    pub media: Option<SeedMedia>,
    /// Call.
    #[serde(default)]
    pub call: Option<SeedCall>,
    /// Reactions.
    #[serde(default)]
    pub reactions: Vec<SeedReaction>,
    /// Index of an earlier message of the same chat this one replies to.
    #[serde(default)]
    pub quotes: Option<usize>,
    /// The approved template a `template` message was sent with.
    #[serde(default)]
    pub template: Option<SeedTemplate>,
}

/// A template message's template and its body values.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedTemplate {
    /// Its name.
    pub name: String,
    /// Its language (`pt_BR`).
    pub language: String,
    /// Its body values, `{{1}}` first.
    #[serde(default)]
    pub values: Vec<String>,
}

fn default_message_type() -> String {
    "text".to_owned()
}

/// Who sent a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The customer.
    In,
    /// The company.
    Out,
}

/// An attachment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedMedia {
    /// Media id.
    pub id: Uuid,
    /// File name.
    pub file_name: String,
    /// MIME type.
    pub mime_type: String,
}

/// A call.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedCall {
    /// Call id.
    pub id: Uuid,
    /// `INBOUND` or `OUTBOUND`.
    pub direction: String,
    /// `COMPLETED`, `MISSED`, ...
    pub status: String,
    /// Length.
    pub duration_s: i64,
    /// Recorded.
    #[serde(default)]
    pub has_recording: bool,
}

/// A reaction.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedReaction {
    /// Reaction id.
    pub id: Uuid,
    /// The emoji.
    pub emoji: String,
    /// Minutes before start.
    pub minutes_ago: i64,
    /// Index into `users` when an agent reacted; null when the contact did.
    #[serde(default)]
    pub by: Option<usize>,
}

/// A seed that cannot be used, with every problem found.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// Not JSON of the seed's shape.
    #[error("{origin}: not a valid seed file: {detail}")]
    Format {
        /// Where it came from.
        origin: String,
        /// What the parser said, with line and column.
        detail: String,
    },
    /// Shaped right but inconsistent.
    #[error("{origin}: {} problem(s): {}", .problems.len(), .problems.join("; "))]
    Inconsistent {
        /// Where it came from.
        origin: String,
        /// Each problem, naming the JSON path.
        problems: Vec<String>,
    },
}

impl Seed {
    /// Reads and checks a seed; `origin` names the file in messages.
    pub fn parse(text: &str, origin: &str) -> Result<Self, SeedError> {
        let seed: Self = serde_json::from_str(text).map_err(|error| SeedError::Format {
            origin: origin.to_owned(),
            detail: error.to_string(),
        })?;
        let problems = seed.problems();
        if problems.is_empty() {
            Ok(seed)
        } else {
            Err(SeedError::Inconsistent {
                origin: origin.to_owned(),
                problems,
            })
        }
    }

    /// The bundled seed.
    pub fn bundled() -> Result<Self, SeedError> {
        Self::parse(BUNDLED_SEED, "assets/sandbox-seed.json")
    }

    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.users.is_empty() {
            problems.push("users: at least one user is needed".to_owned());
        }
        if self.lines.is_empty() {
            problems.push("lines: at least one WhatsApp line is needed".to_owned());
        }
        let mut ids = HashSet::new();
        for (index, user) in self.users.iter().enumerate() {
            for id in [user.user_id, user.agent_id] {
                if !ids.insert(id) {
                    problems.push(format!("users[{index}]: id {id} is used twice"));
                }
            }
        }
        let user_ok = |index: usize| index < self.users.len();
        for (index, chat) in self.chats.iter().enumerate() {
            let at = format!("chats[{index}]");
            if !ids.insert(chat.id) {
                problems.push(format!("{at}.id: {} is used twice", chat.id));
            }
            if chat.line >= self.lines.len() {
                problems.push(format!("{at}.line: no line {}", chat.line));
            }
            if chat.wa_contact_id.is_empty() || chat.wa_contact_id.chars().count() > 50 {
                problems.push(format!("{at}.wa_contact_id: must be 1 to 50 characters"));
            }
            if !(0..=3).contains(&chat.priority) {
                problems.push(format!("{at}.priority: must be 0 to 3"));
            }
            if chat.responsible.is_some_and(|user| !user_ok(user)) {
                problems.push(format!("{at}.responsible: no such user"));
            }
            if let Some(user) = chat.responsible
                && !chat.participants.contains(&user)
            {
                problems.push(format!("{at}.participants: must include the responsible"));
            }
            if chat.participants.iter().any(|user| !user_ok(*user)) {
                problems.push(format!("{at}.participants: no such user"));
            }
            if chat.messages.is_empty() {
                problems.push(format!("{at}.messages: at least one message is needed"));
            }
            for (position, message) in chat.messages.iter().enumerate() {
                let at = format!("{at}.messages[{position}]");
                if message.quotes.is_some_and(|quoted| quoted >= position) {
                    problems.push(format!("{at}.quotes: must name an earlier message"));
                }
                if message.by.is_some_and(|user| !user_ok(user)) {
                    problems.push(format!("{at}.by: no such user"));
                }
                if message
                    .reactions
                    .iter()
                    .any(|r| r.by.is_some_and(|user| !user_ok(user)))
                {
                    problems.push(format!("{at}.reactions: no such user"));
                }
                for id in [message.id, message.event_id] {
                    if !ids.insert(id) {
                        problems.push(format!("{at}: id {id} is used twice"));
                    }
                }
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_seed_is_valid_and_large_enough() {
        let seed = Seed::bundled();
        assert!(seed.is_ok(), "{seed:?}");
        let seed = seed.unwrap_or_else(|_| unreachable!());
        assert!(seed.chats.len() >= 300);
        assert!(seed.users.len() >= 12);
        assert!((2..=3).contains(&seed.lines.len()));
    }

    #[test]
    fn every_problem_is_reported() {
        let text = r#"{"users": [], "lines": [], "chats": [{"id": "8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23",
            "line": 4, "wa_contact_id": "", "status": "OPEN", "chat_type": "INDIVIDUAL", "priority": 9,
            "responsible": 2, "created_minutes_ago": 5, "messages": []}]}"#;
        let Err(SeedError::Inconsistent { problems, .. }) = Seed::parse(text, "t.json") else {
            unreachable!("the seed must be refused")
        };
        assert_eq!(problems.len(), 8, "{problems:#?}");
    }

    #[test]
    fn malformed_seed_names_the_file() {
        let error = Seed::parse("{", "mine.json")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            error.starts_with("mine.json: not a valid seed file"),
            "{error}"
        );
    }
}
