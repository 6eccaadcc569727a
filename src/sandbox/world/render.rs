//! The sandbox's chats as the API renders them: chats, timelines, unread totals and the
//! people in them, in the wire types the client reads.

use serde_json::Map;

use crate::api::timestamp::Timestamp;
use crate::api::wegly::limits::SESSION_WINDOW;
use crate::api::wegly::wire::{
    AgentRef, AssignableAgent, AssignedAgent, Chat, Page, PhoneNumber, Priority, TimelineEvent,
    UnreadSummary, UserRef,
};
use crate::sandbox::error::SandboxError;
use crate::sandbox::world::{User, World};

/// Which page of a timeline to render (see [`World::timeline`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelinePaging {
    /// 1-based; 1 is the newest.
    pub page: usize,
    /// Events per page, at least 1.
    pub limit: usize,
}

impl World {
    /// `GET /chats/{id}`.
    pub fn get_chat(&self, id: &str) -> Result<Chat, SandboxError> {
        let index = self.record(id)?;
        Ok(self.render(index))
    }

    /// `GET /chats/{id}/timeline`: the messages, oldest first, in the v1 message schema, with
    /// `total` the whole timeline's count. `paging` picks a page: page 1 holds the newest
    /// `limit` events, page 2 the `limit` before them, and so on (each oldest first); without
    /// it, every event.
    pub fn timeline(
        &self,
        id: &str,
        paging: Option<TimelinePaging>,
    ) -> Result<Page<TimelineEvent>, SandboxError> {
        let index = self.record(id)?;
        let messages = &self.chats[index].messages;
        let shown = match paging {
            None => messages.as_slice(),
            Some(TimelinePaging { page, limit }) => {
                let end = messages
                    .len()
                    .saturating_sub((page - 1).saturating_mul(limit));
                &messages[end.saturating_sub(limit)..end]
            }
        };
        let records: Vec<TimelineEvent> = shown
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
            total: Some(i64::try_from(messages.len()).unwrap_or(i64::MAX)),
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

    /// The chat as every endpoint returns it: the union of the documented variants.
    pub(super) fn render(&self, index: usize) -> Chat {
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

pub(super) fn user_ref(user: &User) -> UserRef {
    UserRef {
        id: Some(user.user_id.to_string()),
        name: Some(user.name.clone()),
        avatar: user.avatar.clone(),
        extra: Map::new(),
    }
}

pub(super) fn agent_ref(user: &User) -> AgentRef {
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
