//! One conversation, whichever CRM holds it (a Wegly chat, an Agilize room), with the questions
//! the console asks of it answered the same way for both.

use crate::api::agilize::wire::{IdList, Room};
use crate::api::wegly::wire::Chat;
use crate::store::{Columns, Provider};

/// A conversation as its CRM describes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Conversation {
    /// A Wegly chat.
    Chat(Box<Chat>),
    /// An Agilize room.
    Room(Box<Room>),
}

/// Someone a conversation may be handed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignee {
    /// The **user** id (what a reassignment takes).
    pub user_id: String,
    /// The name shown (the id where the CRM has no names).
    pub name: String,
    /// Availability, where the CRM says it.
    pub status: Option<String>,
}

/// Someone in a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The user id.
    pub user_id: String,
    /// The name shown.
    pub name: String,
    /// Whether they are its responsible (who cannot be removed).
    pub responsible: bool,
}

impl Conversation {
    /// Reads a stored detail back, as the provider wrote it.
    pub fn decode(provider: Provider, raw: &str) -> Result<Self, serde_json::Error> {
        Ok(match provider {
            Provider::Wegly => Self::Chat(Box::new(serde_json::from_str(raw)?)),
            Provider::Agilize => Self::Room(Box::new(serde_json::from_str(raw)?)),
        })
    }

    /// Its id, as the CRM gives it.
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::Chat(chat) => chat.id.as_deref(),
            Self::Room(room) => room.id.as_deref(),
        }
    }

    /// The contact's name to show.
    pub fn display_name(&self) -> Option<String> {
        match self {
            Self::Chat(chat) => chat.display_name().map(str::to_owned),
            Self::Room(room) => room.display_name(),
        }
    }

    /// The responsible's user id.
    pub fn responsible_user_id(&self) -> Option<&str> {
        match self {
            Self::Chat(chat) => chat.responsible_user_id(),
            Self::Room(room) => room.user.as_deref(),
        }
    }

    /// The responsible's name (the id where the CRM has no names).
    pub fn responsible_name(&self) -> Option<&str> {
        match self {
            Self::Chat(chat) => chat.responsible_name(),
            Self::Room(room) => room.user.as_deref(),
        }
    }

    /// Who it may be handed to. A chat lists them; a room does not, so they are its users,
    /// past users and assignee, and every user `known` from other rooms of the account.
    pub fn assignees(&self, known: &[String]) -> Vec<Assignee> {
        match self {
            Self::Chat(chat) => chat
                .assignable_agents
                .iter()
                .flatten()
                .filter_map(|agent| {
                    let user = agent.user.as_ref()?;
                    let user_id = user.id.clone()?;
                    Some(Assignee {
                        name: user.name.clone().unwrap_or_else(|| user_id.clone()),
                        user_id,
                        status: agent.status.clone(),
                    })
                })
                .collect(),
            Self::Room(room) => {
                let mut ids = room.user_ids();
                ids.extend(
                    room.hist_users
                        .as_ref()
                        .map(IdList::ids)
                        .unwrap_or_default(),
                );
                ids.extend(room.user.clone());
                ids.extend(known.iter().cloned());
                ids.retain(|id| !id.trim().is_empty());
                ids.sort();
                ids.dedup();
                ids.into_iter()
                    .map(|id| Assignee {
                        name: id.clone(),
                        user_id: id,
                        status: None,
                    })
                    .collect()
            }
        }
    }

    /// The people in it.
    pub fn members(&self) -> Vec<Member> {
        let responsible = self.responsible_user_id().map(str::to_owned);
        let is_responsible = |id: &str| responsible.as_deref() == Some(id);
        match self {
            Self::Chat(chat) => chat
                .participants
                .iter()
                .flatten()
                .filter_map(|participant| {
                    let user = participant.user.as_ref()?;
                    let user_id = user.id.clone()?;
                    Some(Member {
                        responsible: is_responsible(&user_id),
                        name: user.name.clone().unwrap_or_else(|| user_id.clone()),
                        user_id,
                    })
                })
                .collect(),
            Self::Room(room) => room
                .user_ids()
                .into_iter()
                .map(|id| Member {
                    responsible: is_responsible(&id),
                    name: id.clone(),
                    user_id: id,
                })
                .collect(),
        }
    }

    /// The company line it runs on (a Wegly line id), to start a new conversation from.
    pub fn line_id(&self) -> Option<&str> {
        match self {
            Self::Chat(chat) => chat
                .phone_number
                .as_ref()
                .and_then(|line| line.id.as_deref()),
            Self::Room(_) => None,
        }
    }

    /// Its department (an id), where the CRM has departments.
    pub fn department(&self) -> Option<&str> {
        match self {
            Self::Chat(_) => None,
            Self::Room(room) => room.department.as_deref(),
        }
    }

    /// Its tags (ids), where the CRM has tags.
    pub fn tags(&self) -> Vec<String> {
        match self {
            Self::Chat(_) => Vec::new(),
            Self::Room(room) => room.tag_ids(),
        }
    }

    /// The index row's columns.
    pub fn columns(&self) -> Columns {
        match self {
            Self::Chat(chat) => Columns::from(chat.as_ref()),
            Self::Room(room) => Columns::from(room.as_ref()),
        }
    }

    /// The chat, when it is one.
    pub fn as_chat(&self) -> Option<&Chat> {
        match self {
            Self::Chat(chat) => Some(chat),
            Self::Room(_) => None,
        }
    }

    /// The room, when it is one.
    pub fn as_room(&self) -> Option<&Room> {
        match self {
            Self::Room(room) => Some(room),
            Self::Chat(_) => None,
        }
    }
}
