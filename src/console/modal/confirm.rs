//! The confirmation modal: a destructive change shown in words before it is made (remove a
//! participant, conclude, save tags that drop some, forget a chat, change a chat another person
//! is on); `cancel` goes back.

use crate::console::action::Action;
use crate::console::modal::common::Question;
use crate::console::modal::remove::Remove;
use crate::console::modal::room_field::RoomField;
use crate::i18n::Lang;
use crate::store::ChatKey;
use crate::tr;

/// A destructive change waiting for the user: what it will change, then `confirm` makes it and
/// `cancel` goes back (to the modal it came from, if any) with nothing sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    /// What will change, in words.
    pub question: Question,
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
    /// Go ahead with `action` on a chat another person is viewing or has claimed.
    DespiteOthers {
        /// What the person asked for (reassign, change the department or the tags, reopen).
        action: Action,
        /// The chat it was asked on.
        key: ChatKey,
    },
}

impl Confirm {
    /// The question, asked about `change`.
    pub fn new(question: Question, change: Destructive) -> Self {
        Self { question, change }
    }
}

/// The question before concluding `contact`'s room.
pub fn conclude_question(lang: Lang, contact: &str) -> Question {
    Question {
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
    }
}

/// The question before forgetting `contact` (chat `id`), gone from the CRM.
pub fn forget_question(lang: Lang, contact: &str, id: &str) -> Question {
    Question {
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
    }
}
