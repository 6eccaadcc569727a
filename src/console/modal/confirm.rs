//! The confirmation modal: a destructive change shown in words before it is made (remove a
//! participant, conclude, save tags that drop some, forget a chat); `cancel` goes back.

use crate::api::{Capability, Change, supports};
use crate::console::changes::{self, About, busy_message, not_offered};
use crate::console::modal::{Modal, Remove, RoomField};
use crate::console::msg::Command;
use crate::console::state::{Level, State};
use crate::store::ChatKey;
use crate::tr;

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
    /// Conclude (archive) a conversation.
    ConcludeRoom(ChatKey),
    /// Save tags that remove some of the conversation's; the field returns on cancel.
    SaveTags(RoomField),
    /// Forget a chat gone from the CRM: remove it from the index.
    ForgetChat(ChatKey),
}

impl Destructive {
    /// Where `cancel` goes: the modal the question came from, if any.
    pub fn back(self) -> Option<Modal> {
        match self {
            Self::RemoveParticipant(modal) => Some(Modal::Remove(modal)),
            Self::SaveTags(modal) => Some(Modal::RoomField(modal)),
            Self::ConcludeRoom(_) | Self::ForgetChat(_) => None,
        }
    }

    /// The user confirmed: make the change.
    pub fn make(self, state: &mut State) -> Vec<Command> {
        match self {
            Self::RemoveParticipant(modal) => modal.send(state),
            Self::SaveTags(modal) => modal.save_tags(state),
            Self::ConcludeRoom(key) => {
                state.modal = None;
                send_archive(state, &key, true)
            }
            Self::ForgetChat(key) => {
                state.modal = None;
                vec![Command::ForgetChat {
                    key,
                    announce: true,
                }]
            }
        }
    }
}

/// Concludes or reopens the selected conversation. Concluding asks first; reopening does not.
pub fn toggle_archive(state: &mut State) -> Vec<Command> {
    let lang = state.lang;
    let Some(row) = state.inbox.selected_row() else {
        return Vec::new();
    };
    let key = row.summary.key.clone();
    if !supports(key.provider, Capability::Conclude) {
        let text = not_offered(lang, key.provider, Capability::Conclude);
        state.notify(Level::Error, text);
        return Vec::new();
    }
    let archive = !row.summary.columns.archived;
    let contact = row
        .summary
        .columns
        .contact
        .clone()
        .unwrap_or_else(|| key.chat_id.clone());
    if state.is_busy(&key) {
        state.notify(Level::Error, busy_message(lang));
        return Vec::new();
    }
    if !archive {
        return send_archive(state, &key, false);
    }
    state.modal = Some(Modal::Confirm(Confirm {
        title: tr!(
            lang,
            " Concluir sala · {contact} ",
            " Conclude room · {contact} "
        ),
        lines: vec![
            tr!(
                lang,
                "Concluir a sala de {contact}: ela sai das salas em aberto.",
                "Conclude the room of {contact}: it leaves the open rooms."
            ),
            lang.pick(
                "Ela pode ser reaberta depois, com a mesma tecla.",
                "It can be reopened later, with the same key.",
            )
            .to_owned(),
        ],
        verb: lang.pick("concluir", "conclude").to_owned(),
        change: Destructive::ConcludeRoom(key),
    }));
    Vec::new()
}

/// Concludes (`archive`) or reopens a conversation.
fn send_archive(state: &mut State, key: &ChatKey, archive: bool) -> Vec<Command> {
    let change = if archive {
        Change::Conclude
    } else {
        Change::Reopen
    };
    let seen = state.shown_conversation(key).cloned();
    match changes::begin(state, key, change, About::default(), seen.as_ref()) {
        Ok((_, command)) => vec![command],
        Err(busy) => {
            state.notify(Level::Error, busy);
            Vec::new()
        }
    }
}

/// Asks before forgetting the selected chat; only a chat gone from the CRM (`✝`) is forgotten
/// here (a live one would come back with its next webhook).
pub fn ask_forget(state: &mut State) -> Vec<Command> {
    let lang = state.lang;
    let Some(row) = state.inbox.selected_row() else {
        state.notify(
            Level::Error,
            lang.pick("nenhuma conversa selecionada", "no chat selected")
                .to_owned(),
        );
        return Vec::new();
    };
    let key = row.summary.key.clone();
    let contact = row
        .summary
        .columns
        .contact
        .clone()
        .or_else(|| row.summary.columns.contact_number.clone())
        .unwrap_or_else(|| key.chat_id.clone());
    if !row.summary.gone {
        state.notify(
            Level::Error,
            lang.pick(
                "só se esquece aqui uma conversa que sumiu do CRM (✝); `balcao inbox remove ID` tira qualquer uma do índice",
                "only a chat gone from the CRM (✝) is forgotten here; `balcao inbox remove ID` takes any out of the index",
            )
            .to_owned(),
        );
        return Vec::new();
    }
    if state.is_busy(&key) {
        state.notify(Level::Error, busy_message(lang));
        return Vec::new();
    }
    let id = &key.chat_id;
    state.modal = Some(Modal::Confirm(Confirm {
        title: tr!(lang, " Esquecer · {contact} ", " Forget · {contact} "),
        lines: vec![
            tr!(
                lang,
                "{contact} ({id}) não existe mais no CRM.",
                "{contact} ({id}) no longer exists in the CRM."
            ),
            lang.pick(
                "Esquecer tira a linha e o detalhe guardado do índice, como `balcao inbox remove`.",
                "Forgetting takes its row and stored detail out of the index, like `balcao inbox remove`.",
            )
            .to_owned(),
        ],
        verb: lang.pick("esquecer", "forget").to_owned(),
        change: Destructive::ForgetChat(key),
    }));
    Vec::new()
}
