//! The field modal: a conversation's department or tags, prefilled, typed as ids; saving tags
//! that removes some asks first.

use crate::api::{Capability, Change};
use crate::console::action::Action;
use crate::console::changes::{self, About};
use crate::console::modal::{Confirm, Destructive, Modal, Stage};
use crate::console::msg::Command;
use crate::console::state::State;
use crate::i18n::Lang;
use crate::store::ChatKey;
use crate::tr;

/// Which field the modal edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomFieldKind {
    /// `department` (an id).
    Department,
    /// `tags` (ids, comma-separated).
    Tags,
}

/// The field modal.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomField {
    /// The conversation.
    pub key: ChatKey,
    /// Which field.
    pub kind: RoomFieldKind,
    /// The text typed (prefilled with the current value).
    pub input: String,
    /// The values when the field was opened (the tags), to tell what saving removes.
    pub current: Vec<String>,
    /// An inline message.
    pub error: Option<String>,
    /// Sending or not.
    pub stage: Stage,
}

impl RoomField {
    /// Opens the department (`change_department`) or tags (`edit_tags`) of the selected
    /// conversation, prefilled.
    pub fn open(state: &mut State, action: Action) -> Vec<Command> {
        let (kind, capability) = if action == Action::ChangeDepartment {
            (RoomFieldKind::Department, Capability::Department)
        } else {
            (RoomFieldKind::Tags, Capability::Tags)
        };
        let (key, conversation) = match changes::selected_for(state, capability) {
            Ok(target) => target,
            Err(commands) => return commands,
        };
        let current = match kind {
            RoomFieldKind::Department => conversation
                .department()
                .map(str::to_owned)
                .into_iter()
                .collect(),
            RoomFieldKind::Tags => conversation.tags(),
        };
        state.modal = Some(Modal::RoomField(Self {
            key,
            kind,
            input: current.join(", "),
            current,
            error: None,
            stage: Stage::Editing,
        }));
        Vec::new()
    }

    /// A typed key in the text field; the inline message goes once it is edited.
    pub fn typed(&mut self, key: &crossterm::event::KeyEvent) {
        if crate::console::modal::edit_text(&mut self.input, key) {
            self.error = None;
        }
    }

    /// Saves the department, or the tags as a list. Tags that saving would remove are shown
    /// first and need a confirmation.
    pub fn submit(mut self, state: &mut State) -> Vec<Command> {
        let lang = state.lang;
        if self.stage != Stage::Editing {
            return Vec::new();
        }
        let text = self.input.trim().to_owned();
        match self.kind {
            RoomFieldKind::Department if text.is_empty() => {
                self.error = Some(
                    lang.pick("informe o id do departamento", "give the department's id")
                        .to_owned(),
                );
                state.modal = Some(Modal::RoomField(self));
                Vec::new()
            }
            RoomFieldKind::Department => self.send(state, Change::SetDepartment(text)),
            RoomFieldKind::Tags => {
                let tags = tag_list(&text);
                let removed: Vec<String> = self
                    .current
                    .iter()
                    .filter(|tag| !tags.contains(tag))
                    .cloned()
                    .collect();
                if removed.is_empty() {
                    return self.send(state, Change::SetTags(tags));
                }
                let lines = tags_change(lang, &self.current, &tags, &removed);
                state.modal = Some(Modal::Confirm(Confirm {
                    title: lang.pick(" Tags da sala ", " Room tags ").to_owned(),
                    lines,
                    verb: lang.pick("salvar", "save").to_owned(),
                    change: Destructive::SaveTags(self),
                }));
                Vec::new()
            }
        }
    }

    /// Saves the tags typed, once confirmed.
    pub fn save_tags(self, state: &mut State) -> Vec<Command> {
        let tags = tag_list(&self.input);
        self.send(state, Change::SetTags(tags))
    }

    /// Sends the change; the modal waits for the reply.
    fn send(mut self, state: &mut State, change: Change) -> Vec<Command> {
        let seen = state.shown_conversation(&self.key).cloned();
        match changes::begin(
            state,
            &self.key.clone(),
            change,
            About::default(),
            seen.as_ref(),
        ) {
            Ok((id, command)) => {
                self.stage = Stage::Sending(id);
                state.modal = Some(Modal::RoomField(self));
                vec![command]
            }
            Err(busy) => {
                self.error = Some(busy);
                state.modal = Some(Modal::RoomField(self));
                Vec::new()
            }
        }
    }
}

/// The tag ids typed, comma-separated, without blanks or repeats.
fn tag_list(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if !tags.iter().any(|known| known == tag) {
            tags.push(tag.to_owned());
        }
    }
    tags
}

/// What saving `tags` over `current` does, in words: the tags removed (all of them, said so),
/// the tags added, and what is left.
fn tags_change(lang: Lang, current: &[String], tags: &[String], removed: &[String]) -> Vec<String> {
    let count = |n: usize| {
        if n == 1 {
            "1 tag".to_owned()
        } else {
            format!("{n} tags")
        }
    };
    let mut lines = vec![
        lang.pick("Salvar estas tags:", "Saving these tags:")
            .to_owned(),
    ];
    let (n, list) = (removed.len(), removed.join(", "));
    lines.push(if tags.is_empty() {
        tr!(
            lang,
            "  remove todas as {n} tags: {list}",
            "  removes all {n} tags: {list}"
        )
    } else {
        let what = count(n);
        tr!(lang, "  remove {what}: {list}", "  removes {what}: {list}")
    });
    let added: Vec<&str> = tags
        .iter()
        .filter(|tag| !current.contains(tag))
        .map(String::as_str)
        .collect();
    if !added.is_empty() {
        let (what, list) = (count(added.len()), added.join(", "));
        lines.push(tr!(
            lang,
            "  adiciona {what}: {list}",
            "  adds {what}: {list}"
        ));
    }
    lines.push(if tags.is_empty() {
        lang.pick(
            "  e a sala fica sem tags",
            "  and the room is left with no tags",
        )
        .to_owned()
    } else {
        let list = tags.join(", ");
        tr!(
            lang,
            "  e a sala fica com: {list}",
            "  and the room keeps: {list}"
        )
    });
    lines
}
