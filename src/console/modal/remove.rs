//! The remove-participant modal: pick who leaves the conversation, see who stays, confirm.

use crate::api::change::Change;
use crate::api::conversation::{Conversation, Member};
use crate::console::action::Action;
use crate::console::modal::common::{About, Question, Stage, step};
use crate::i18n::Lang;
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

    /// What removing the participant under the cursor does, in words (who leaves, who
    /// stays), or why they cannot be removed.
    pub fn question(&self, lang: Lang) -> Result<Question, String> {
        let Some(choice) = self.choices.get(self.cursor) else {
            return Err(lang
                .pick(
                    "a conversa não tem participantes",
                    "the chat has no participants",
                )
                .to_owned());
        };
        if choice.responsible {
            let name = &choice.name;
            return Err(tr!(
                lang,
                "{name} é o responsável atual e não pode ser removido; reatribua a conversa antes",
                "{name} is the current responsible and cannot be removed; reassign the chat first"
            ));
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
        let contact = &self.contact;
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
        Ok(Question {
            title: tr!(
                lang,
                " Remover participante · {contact} ",
                " Remove participant · {contact} "
            ),
            lines,
            verb: lang.pick("remover", "remove").to_owned(),
        })
    }

    /// The removal of the participant under the cursor, once confirmed.
    pub fn request(&self) -> Option<(Change, About)> {
        let choice = self.choices.get(self.cursor)?;
        let change = Change::RemoveParticipant {
            user_id: choice.user_id.clone(),
        };
        let about = About {
            who: choice.name.clone(),
            before: Some(choice.name.clone()),
        };
        Some((change, about))
    }

    /// A movement key: the cursor moves over the participants.
    pub fn move_cursor(&mut self, action: Action) {
        self.cursor = step(action, self.cursor, self.choices.len());
        self.error = None;
    }
}
