//! The modals: reassign, remove participant, create chat, add chat, filter line and help.

use crossterm::event::{KeyCode, KeyEvent};

use crate::api::wegly::wire::Chat;
use crate::console::keymap::KeyChord;
use crate::console::msg::RequestId;
use crate::inbox::{contains_folded, fold};
use crate::store::ChatKey;

/// The open modal.
#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    /// The keys, scrolled by `scroll` lines (the list is longer than most terminals).
    Help {
        /// Lines scrolled.
        scroll: u16,
    },
    /// Editing the filter line; `before` is restored on cancel.
    Filter {
        /// The filter before editing.
        before: String,
    },
    /// Reassign the responsible.
    Reassign(Reassign),
    /// Remove a participant.
    Remove(Remove),
    /// Create a chat.
    Create(Create),
    /// Add a chat by id.
    Add(Add),
    /// One field of an Agilize room: department or tags.
    RoomField(RoomField),
    /// A destructive change, shown before it is made.
    Confirm(Confirm),
}

/// A destructive change waiting for the user: what it will change, then `confirm` makes it and
/// `cancel` goes back (to the modal it came from, if any) with nothing sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    /// The title.
    pub title: String,
    /// What will change, one line each.
    pub lines: Vec<String>,
    /// What `confirm` does, one word for the footer ("remove", "conclude", ...).
    pub verb: String,
    /// The change itself.
    pub change: Destructive,
}

/// The changes the console asks about before making them.
#[derive(Debug, Clone, PartialEq)]
pub enum Destructive {
    /// Remove the participant under the remove modal's cursor; the modal returns on cancel.
    RemoveParticipant(Remove),
    /// Conclude (archive) an Agilize room.
    ConcludeRoom(ChatKey),
    /// Save tags that remove some of the room's; the field returns on cancel.
    SaveTags(RoomField),
    /// Forget a chat gone from the CRM: remove it from the index.
    ForgetChat(ChatKey),
}

/// Which room field the text modal edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomFieldKind {
    /// `department` (an id).
    Department,
    /// `tags` (ids, comma-separated).
    Tags,
}

/// The room-field modal.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomField {
    /// The room.
    pub key: ChatKey,
    /// Which field.
    pub kind: RoomFieldKind,
    /// The text typed (prefilled with the current value).
    pub input: String,
    /// The values when the field was opened (the room's tags), to tell what saving removes.
    pub current: Vec<String>,
    /// An inline message.
    pub error: Option<String>,
    /// Sending or not.
    pub stage: Stage,
}

/// Where a modal's request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The user is choosing.
    Editing,
    /// Sent; waiting for the reply.
    Sending(RequestId),
}

/// An agent the chat may go to.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The **user** id (what the request takes).
    pub user_id: String,
    /// The agent id.
    pub agent_id: String,
    /// Name.
    pub name: String,
    /// Availability.
    pub status: Option<String>,
    folded: String,
}

/// The reassign modal.
#[derive(Debug, Clone, PartialEq)]
pub struct Reassign {
    /// The chat.
    pub key: ChatKey,
    /// The contact, for the title.
    pub contact: String,
    /// Who may take it.
    pub candidates: Vec<Candidate>,
    /// Type-to-filter text.
    pub query: String,
    /// Index into the filtered candidates.
    pub cursor: usize,
    /// `update_chat`, `update_leads`, `update_deals`.
    pub toggles: [bool; 3],
    /// The responsible's user id as last seen (compared before writing).
    pub expected: Option<String>,
    /// The responsible's name as last seen.
    pub expected_name: Option<String>,
    /// An inline message.
    pub error: Option<String>,
    /// Sending or not.
    pub stage: Stage,
    /// For an Agilize room: its users (the new one is added to them).
    pub room_users: Option<Vec<String>>,
}

impl Reassign {
    /// The modal for an Agilize room. Agilize lists no users, so the candidates are every user
    /// the index has seen on rooms of this account (ids; names are not in the API).
    pub fn for_room(
        key: ChatKey,
        room: &crate::api::agilize::wire::Room,
        known: &[String],
    ) -> Self {
        let mut ids: Vec<String> = room.user_ids();
        ids.extend(
            room.hist_users
                .as_ref()
                .map(crate::api::agilize::wire::IdList::ids)
                .unwrap_or_default(),
        );
        ids.extend(room.user.clone());
        ids.extend(known.iter().cloned());
        ids.retain(|id| !id.trim().is_empty());
        ids.sort();
        ids.dedup();
        let candidates = ids
            .into_iter()
            .map(|id| Candidate {
                folded: fold(&id),
                name: id.clone(),
                agent_id: String::new(),
                user_id: id,
                status: None,
            })
            .collect();
        Self {
            key,
            contact: room.display_name().unwrap_or_else(|| "—".to_owned()),
            candidates,
            query: String::new(),
            cursor: 0,
            toggles: [true, false, false],
            expected: room.user.clone(),
            expected_name: room.user.clone(),
            error: None,
            stage: Stage::Editing,
            room_users: Some(room.user_ids()),
        }
    }

    /// The modal for a chat's detail.
    pub fn new(key: ChatKey, chat: &Chat) -> Self {
        let candidates = chat
            .assignable_agents
            .iter()
            .flatten()
            .filter_map(|agent| {
                let user = agent.user.as_ref()?;
                let name = user
                    .name
                    .clone()
                    .unwrap_or_else(|| user.id.clone().unwrap_or_default());
                Some(Candidate {
                    user_id: user.id.clone()?,
                    agent_id: agent.agent_id.clone().unwrap_or_default(),
                    folded: fold(&name),
                    name,
                    status: agent.status.clone(),
                })
            })
            .collect();
        Self {
            key,
            contact: chat.display_name().unwrap_or("—").to_owned(),
            candidates,
            query: String::new(),
            cursor: 0,
            toggles: [true, false, false],
            expected: chat.responsible_user_id().map(str::to_owned),
            expected_name: chat.responsible_name().map(str::to_owned),
            error: None,
            stage: Stage::Editing,
            room_users: None,
        }
    }

    /// The candidates the query lets through (accent-insensitive: "joao" finds "João").
    pub fn shown(&self) -> Vec<&Candidate> {
        let needle = fold(self.query.trim());
        self.candidates
            .iter()
            .filter(|c| contains_folded(&c.folded, &needle))
            .collect()
    }

    /// The candidate under the cursor.
    pub fn chosen(&self) -> Option<&Candidate> {
        let shown = self.shown();
        shown
            .get(self.cursor.min(shown.len().saturating_sub(1)))
            .copied()
    }
}

/// A participant choice.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The **user** id.
    pub user_id: String,
    /// Name.
    pub name: String,
    /// The current responsible cannot be removed.
    pub responsible: bool,
}

/// The remove-participant modal.
#[derive(Debug, Clone, PartialEq)]
pub struct Remove {
    /// The chat.
    pub key: ChatKey,
    /// The contact, for the title.
    pub contact: String,
    /// The participants.
    pub choices: Vec<Choice>,
    /// Index into `choices`.
    pub cursor: usize,
    /// An inline message.
    pub error: Option<String>,
    /// Sending or not.
    pub stage: Stage,
    /// Whether the chat is an Agilize room (the change is a new `users` list).
    pub room: bool,
}

impl Remove {
    /// The modal for an Agilize room: its users; the assigned `user` cannot be removed.
    pub fn for_room(key: ChatKey, room: &crate::api::agilize::wire::Room) -> Self {
        let choices = room
            .user_ids()
            .into_iter()
            .map(|id| Choice {
                responsible: room.user.as_deref() == Some(id.as_str()),
                name: id.clone(),
                user_id: id,
            })
            .collect();
        Self {
            key,
            contact: room.display_name().unwrap_or_else(|| "—".to_owned()),
            choices,
            cursor: 0,
            error: None,
            stage: Stage::Editing,
            room: true,
        }
    }

    /// The modal for a chat's detail.
    pub fn new(key: ChatKey, chat: &Chat) -> Self {
        let responsible = chat.responsible_user_id().map(str::to_owned);
        let choices = chat
            .participants
            .iter()
            .flatten()
            .filter_map(|participant| {
                let user = participant.user.as_ref()?;
                let user_id = user.id.clone()?;
                Some(Choice {
                    responsible: responsible.as_deref() == Some(user_id.as_str()),
                    name: user.name.clone().unwrap_or_else(|| user_id.clone()),
                    user_id,
                })
            })
            .collect();
        Self {
            key,
            contact: chat.display_name().unwrap_or("—").to_owned(),
            choices,
            cursor: 0,
            error: None,
            stage: Stage::Editing,
            room: false,
        }
    }
}

/// The fields of the create-chat form, in order.
pub const CREATE_FIELDS: usize = 8;
/// Field indexes.
pub mod field {
    /// WhatsApp line (`whatsapp_phone_id`).
    pub const LINE: usize = 0;
    /// Contact number.
    pub const CONTACT: usize = 1;
    /// Template name.
    pub const TEMPLATE: usize = 2;
    /// Template language.
    pub const LANGUAGE: usize = 3;
    /// Template values, `BODY:1=Mariana; BODY:2=...`.
    pub const VALUES: usize = 4;
    /// CRM person id.
    pub const PERSON: usize = 5;
    /// Agent id.
    pub const AGENT: usize = 6;
    /// Status.
    pub const STATUS: usize = 7;
}

/// The create-chat modal.
#[derive(Debug, Clone, PartialEq)]
pub struct Create {
    /// The values typed, by field.
    pub values: [String; CREATE_FIELDS],
    /// The field being typed in.
    pub focus: usize,
    /// Problems found before sending, by field.
    pub problems: Vec<(usize, String)>,
    /// The server's refusal, input kept.
    pub server_error: Option<String>,
    /// Sending or not.
    pub stage: Stage,
}

impl Create {
    /// An empty form; the line is prefilled when one is known.
    pub fn new(line: Option<String>) -> Self {
        let mut values: [String; CREATE_FIELDS] = Default::default();
        values[field::LINE] = line.unwrap_or_default();
        "pt_BR".clone_into(&mut values[field::LANGUAGE]);
        "OPEN".clone_into(&mut values[field::STATUS]);
        let focus = if values_line_set(&values) {
            field::CONTACT
        } else {
            field::LINE
        };
        Self {
            values,
            focus,
            problems: Vec::new(),
            server_error: None,
            stage: Stage::Editing,
        }
    }
}

fn values_line_set(values: &[String; CREATE_FIELDS]) -> bool {
    !values[field::LINE].is_empty()
}

/// The add-chat modal.
#[derive(Debug, Clone, PartialEq)]
pub struct Add {
    /// The id typed.
    pub input: String,
    /// An inline message.
    pub error: Option<String>,
    /// Sending or not.
    pub stage: Stage,
}

/// Applies a typed key to a text field: characters append, backspace deletes.
/// Returns whether the text changed.
pub fn edit_text(text: &mut String, key: &KeyEvent) -> bool {
    if let Some(c) = KeyChord::typed_char(key) {
        text.push(c);
        return true;
    }
    match key.code {
        KeyCode::Backspace => text.pop().is_some(),
        _ => false,
    }
}
