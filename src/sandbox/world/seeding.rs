//! Building the sandbox's world from a seed, every time placed relative to the start.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, json};

use crate::api::timestamp::Timestamp;
use crate::api::wegly::wire::{Call, ChatStatus, ChatType, Media, Message, Reaction};
use crate::sandbox::seed::{Direction, Seed, SeedMessage};
use crate::sandbox::world::render::{agent_ref, user_ref};
use crate::sandbox::world::{ChatRecord, Line, Stored, User, World};

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
            content_payload: Some(seeded.template.as_ref().map_or_else(
                || json!({"text": {"body": seeded.body}}),
                |template| {
                    let fields: Vec<_> = template
                        .values
                        .iter()
                        .zip(1..)
                        .map(|(value, index)| {
                            json!({"component": "BODY", "type": "TEXT", "index": index, "value": value})
                        })
                        .collect();
                    json!({
                        "template": {"name": template.name, "language": template.language},
                        "template_fields": fields,
                    })
                },
            )),
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
}

fn without_quote(message: &Message) -> Message {
    Message {
        quoted_message: None,
        ..message.clone()
    }
}
