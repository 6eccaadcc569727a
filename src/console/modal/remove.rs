//! The remove-participant modal: pick who leaves the conversation, see who stays, confirm.

use crate::api::{Change, Conversation, Member};
use crate::console::changes::{self, About};
use crate::console::modal::{Confirm, Destructive, Modal, Stage};
use crate::console::msg::Command;
use crate::console::state::State;
use crate::store::ChatKey;
use crate::tr;

/// A participant choice.
pub type Choice = Member;

/// The remove-participant modal.
#[derive(Debug, Clone, PartialEq)]
pub struct Remove {
    /// The conversation.
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
    /// Whether the conversation is a room (the words say "room").
    pub room: bool,
}

impl Remove {
    /// The modal for a conversation: its members; the responsible cannot be removed.
    pub fn open(key: ChatKey, conversation: &Conversation) -> Self {
        Self {
            key,
            contact: conversation
                .display_name()
                .unwrap_or_else(|| "—".to_owned()),
            choices: conversation.members(),
            cursor: 0,
            error: None,
            stage: Stage::Editing,
            room: matches!(conversation, Conversation::Room(_)),
        }
    }

    /// Asks before removing the participant under the cursor: who leaves, who stays.
    pub fn submit(mut self, state: &mut State) -> Vec<Command> {
        let lang = state.lang;
        if self.stage != Stage::Editing {
            return Vec::new();
        }
        let Some(choice) = self.choices.get(self.cursor).cloned() else {
            self.error = Some(
                lang.pick(
                    "a conversa não tem participantes",
                    "the chat has no participants",
                )
                .to_owned(),
            );
            state.modal = Some(Modal::Remove(self));
            return Vec::new();
        };
        if choice.responsible {
            let name = &choice.name;
            self.error = Some(tr!(
                lang,
                "{name} é o responsável atual e não pode ser removido; reatribua a conversa antes",
                "{name} is the current responsible and cannot be removed; reassign the chat first"
            ));
            state.modal = Some(Modal::Remove(self));
            return Vec::new();
        }
        let who = &choice.name;
        let left: Vec<&str> = self
            .choices
            .iter()
            .filter(|c| c.user_id != choice.user_id)
            .map(|c| c.name.as_str())
            .collect();
        let left = if left.is_empty() {
            lang.pick("ninguém", "nobody").to_owned()
        } else {
            left.join(", ")
        };
        let contact = self.contact.clone();
        let lines = if self.room {
            vec![
                tr!(
                    lang,
                    "{who} sai da sala de {contact}.",
                    "{who} leaves the room of {contact}."
                ),
                tr!(lang, "Ficam na sala: {left}", "Left in the room: {left}"),
            ]
        } else {
            vec![
                tr!(
                    lang,
                    "{who} sai da conversa com {contact}.",
                    "{who} leaves the chat with {contact}."
                ),
                tr!(
                    lang,
                    "Ficam como participantes: {left}",
                    "Left as participants: {left}"
                ),
            ]
        };
        state.modal = Some(Modal::Confirm(Confirm {
            title: tr!(
                lang,
                " Remover participante · {contact} ",
                " Remove participant · {contact} "
            ),
            lines,
            verb: lang.pick("remover", "remove").to_owned(),
            change: Destructive::RemoveParticipant(self),
        }));
        Vec::new()
    }

    /// Sends the removal, once confirmed.
    pub fn send(mut self, state: &mut State) -> Vec<Command> {
        let Some(choice) = self.choices.get(self.cursor).cloned() else {
            state.modal = Some(Modal::Remove(self));
            return Vec::new();
        };
        let change = Change::RemoveParticipant {
            user_id: choice.user_id.clone(),
        };
        let about = About {
            who: choice.name.clone(),
            before: Some(choice.name),
        };
        let seen = state.shown_conversation(&self.key).cloned();
        match changes::begin(state, &self.key.clone(), change, about, seen.as_ref()) {
            Ok((id, command)) => {
                self.stage = Stage::Sending(id);
                state.modal = Some(Modal::Remove(self));
                vec![command]
            }
            Err(busy) => {
                self.error = Some(busy);
                state.modal = Some(Modal::Remove(self));
                Vec::new()
            }
        }
    }
}

impl Remove {
    /// Opens the modal for the selected conversation, when its detail is at hand and no other
    /// change to it is in flight (otherwise the status bar says why).
    pub fn open_selected(state: &mut State) -> Vec<Command> {
        match changes::selected_for(state, crate::api::Capability::RemoveParticipant) {
            Ok((key, conversation)) => {
                state.modal = Some(Modal::Remove(Self::open(key, &conversation)));
                Vec::new()
            }
            Err(commands) => commands,
        }
    }
}
