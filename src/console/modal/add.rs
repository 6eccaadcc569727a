//! The add modal: put a conversation into the index by its id, and fetch it.

use crate::console::modal::{Modal, Stage};
use crate::console::msg::{ApiCall, ApiRequest, Command};
use crate::console::state::{Pending, State};
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
    pub fn typed(&mut self, key: &crossterm::event::KeyEvent) {
        if crate::console::modal::edit_text(&mut self.input, key) {
            self.error = None;
        }
    }

    /// Checks the id and asks for the conversation.
    pub fn submit(mut self, state: &mut State) -> Vec<Command> {
        let lang = state.lang;
        if self.stage != Stage::Editing {
            return Vec::new();
        }
        let text = self.input.trim().to_owned();
        let Ok(uuid) = uuid::Uuid::parse_str(&text) else {
            self.error = Some(tr!(
                lang,
                "'{text}' não é um id de conversa (UUID, ex. 8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23)",
                "'{text}' is not a chat id (a UUID like 8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23)"
            ));
            state.modal = Some(Modal::Add(self));
            return Vec::new();
        };
        let key = ChatKey::wegly(&state.account, &uuid.to_string());
        let id = state.mint();
        let known = state.inbox.row(&key).is_some();
        state.pending.insert(
            id,
            Pending::Add {
                key: key.clone(),
                known,
            },
        );
        self.stage = Stage::Sending(id);
        state.modal = Some(Modal::Add(self));
        vec![Command::Api(ApiRequest {
            id,
            call: ApiCall::AddChat(key),
        })]
    }
}
