//! The field modal: a conversation's department or tags, prefilled, typed as ids; saving tags
//! that removes some asks first.

use crossterm::event::KeyEvent;

use crate::api::change::Change;
use crate::api::conversation::Conversation;
use crate::console::modal::common::{Question, Stage, edit_text};
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

/// What saving the field does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saving {
    /// Send this change.
    Send(Change),
    /// It removes tags: ask this first.
    Ask(Question),
}

impl RoomField {
    /// The field of `conversation`, prefilled with its value.
    pub fn open(key: ChatKey, kind: RoomFieldKind, conversation: &Conversation) -> Self {
        let current = match kind {
            RoomFieldKind::Department => conversation
                .department()
                .map(str::to_owned)
                .into_iter()
                .collect(),
            RoomFieldKind::Tags => conversation.tags(),
        };
        Self {
            key,
            kind,
            input: current.join(", "),
            current,
            error: None,
            stage: Stage::Editing,
        }
    }

    /// A typed key in the text field; the inline message goes once it is edited.
    pub fn typed(&mut self, key: &KeyEvent) {
        if edit_text(&mut self.input, key) {
            self.error = None;
        }
    }

    /// What saving does: the department, or the tags as a list; tags that saving would remove
    /// are asked about first. `Err` is why nothing can be saved.
    pub fn saving(&self, lang: Lang) -> Result<Saving, String> {
        let text = self.input.trim();
        match self.kind {
            RoomFieldKind::Department if text.is_empty() => Err(lang
                .pick("informe o id do departamento", "give the department's id")
                .to_owned()),
            RoomFieldKind::Department => Ok(Saving::Send(Change::SetDepartment(text.to_owned()))),
            RoomFieldKind::Tags => {
                let tags = tag_list(text);
                let removed: Vec<String> = self
                    .current
                    .iter()
                    .filter(|tag| !tags.contains(tag))
                    .cloned()
                    .collect();
                if removed.is_empty() {
                    return Ok(Saving::Send(Change::SetTags(tags)));
                }
                Ok(Saving::Ask(Question {
                    title: lang.pick(" Tags da sala ", " Room tags ").to_owned(),
                    lines: tags_change(lang, &self.current, &tags, &removed),
                    verb: lang.pick("salvar", "save").to_owned(),
                }))
            }
        }
    }

    /// The tags typed, as the change saving them (once confirmed).
    pub fn tags(&self) -> Change {
        Change::SetTags(tag_list(&self.input))
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
