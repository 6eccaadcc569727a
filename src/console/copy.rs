//! `copy_chat_id` and `copy_contact_number`: the selected chat's id or its contact's number put
//! on the clipboard through the terminal (OSC 52, which works over ssh and in tmux with
//! `set-clipboard on`), and the status bar saying what was sent: a terminal without OSC 52 ignores
//! it silently, so the value is shown too and "copied" is never claimed.

use crate::console::action::Action;
use crate::console::changes;
use crate::console::escapes::TerminalWrite;
use crate::console::msg::Command;
use crate::console::state::{Level, State};
use crate::tr;

/// Copies the selected chat's id (`CopyChatId`) or its contact's number (`CopyContactNumber`).
/// The value is said in the status bar too: the detail shows both anyway, and seeing it is how
/// the person knows which chat's it was.
pub fn copy(state: &mut State, action: Action) -> Vec<Command> {
    let lang = state.lang;
    let Some(row) = state.inbox.selected_row() else {
        changes::nothing_selected(state);
        return Vec::new();
    };
    let summary = &row.summary;
    let (value, said) = if action == Action::CopyContactNumber {
        let Some(number) = summary
            .columns
            .contact_number
            .clone()
            .filter(|number| !number.trim().is_empty())
        else {
            state.notify(
                Level::Error,
                lang.pick(
                    "esta conversa não tem número de contato para copiar",
                    "this chat has no contact number to copy",
                )
                .to_owned(),
            );
            return Vec::new();
        };
        let said = tr!(
            lang,
            "Número enviado à área de transferência (OSC 52): {number}",
            "Number sent to the clipboard (OSC 52): {number}"
        );
        (number, said)
    } else {
        let id = summary.key.chat_id.clone();
        let said = tr!(
            lang,
            "ID da conversa enviado à área de transferência (OSC 52): {id}",
            "Chat id sent to the clipboard (OSC 52): {id}"
        );
        (id, said)
    };
    state.notify(Level::Info, crate::text::printable(&said).into_owned());
    vec![Command::Terminal(TerminalWrite::Clipboard(value))]
}
