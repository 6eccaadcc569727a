//! The add modal: put a conversation into the index by its id, and fetch it.

use crossterm::event::KeyEvent;

use crate::console::modal::common::{Stage, edit_text};
use crate::i18n::Lang;
use crate::store::ChatKey;
use crate::tr;

/// The add-chat modal.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Add {
    /// The id typed.
    pub input: String,
    /// An inline message.
    pub error: Option<String>,
    /// Sending or not.
    pub stage: Stage,
}

impl Add {
    /// A typed key in the text field; the inline message goes once it is edited.
    pub fn typed(&mut self, key: &KeyEvent) {
        if edit_text(&mut self.input, key) {
            self.error = None;
        }
    }

    /// The conversation the id names in `account`, or why the id does not read.
    pub fn request(&self, lang: Lang, account: &str) -> Result<ChatKey, String> {
        let text = self.input.trim();
        match uuid::Uuid::parse_str(text) {
            Ok(uuid) => Ok(ChatKey::wegly(account, &uuid.to_string())),
            Err(_) => Err(tr!(
                lang,
                "'{text}' não é um id de conversa (UUID, ex. 8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23)",
                "'{text}' is not a chat id (a UUID like 8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23)"
            )),
        }
    }
}
