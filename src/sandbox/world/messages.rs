//! `POST /chats/{id}/messages`: the company replies with text inside the 24 h window, or with a
//! template inside or outside it, as `WhatsApp` allows, optionally quoting a message of the chat.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::api::wegly::limits::SESSION_WINDOW;
use crate::sandbox::error::SandboxError;
use crate::sandbox::world::World;
use crate::sandbox::world::rules::{Outcome, sent_by_company};
use crate::sandbox::world::validation::{TemplateMessage, checked_text, not_an_object};

impl World {
    /// `POST /chats/{id}/messages`: `text` is refused outside the 24 h window; `template` is
    /// taken inside or outside it. `reference_wamid` must name a message of this chat. Replying
    /// clears the unread count.
    pub fn send_message(
        &mut self,
        id: &str,
        body: &Value,
        now: DateTime<Utc>,
    ) -> Result<Outcome, SandboxError> {
        let index = self.record(id)?;
        let Some(object) = body.as_object() else {
            return Err(not_an_object());
        };
        let kind = match object.get("type") {
            None | Some(Value::Null) => "text",
            Some(Value::String(kind)) => kind.as_str(),
            Some(_) => {
                return Err(SandboxError::field(
                    StatusCode::BAD_REQUEST,
                    "validation_failed",
                    "type",
                    "must be a string: 'text' or 'template'",
                ));
            }
        };
        let (text, payload) = match kind {
            "text" => {
                let Some(text) = object.get("body").and_then(Value::as_str) else {
                    return Err(SandboxError::field(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "validation_failed",
                        "body",
                        "is required (a string)",
                    ));
                };
                let text = checked_text(text)?;
                let open = self.chats[index]
                    .last_customer_msg_at
                    .is_some_and(|last| now < last + SESSION_WINDOW);
                if !open {
                    return Err(SandboxError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "session_window_closed",
                        "the 24 h WhatsApp window is closed: only a template can start the conversation again",
                    ));
                }
                let payload = json!({"text": {"body": text}});
                (text, payload)
            }
            "template" => {
                let message = TemplateMessage::read(object)?;
                let payload =
                    json!({"template": message.template, "template_fields": message.fields});
                (message.text, payload)
            }
            other => {
                return Err(SandboxError::field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "unsupported_message_type",
                    "type",
                    format!("the sandbox sends 'text' and 'template' messages, not '{other}'"),
                ));
            }
        };
        let quoted = self.quoted(index, object.get("reference_wamid"))?;
        let chat = &self.chats[index];
        let mut message = sent_by_company(kind, text, payload, self.user(chat.responsible), now);
        message.quoted_message = quoted.map(Box::new);
        let chat = &mut self.chats[index];
        chat.unread_count = 0;
        chat.is_manually_unread = false;
        chat.updated_at = now;
        chat.record_message(message.clone(), now);
        Ok(Outcome {
            chat: self.render(index),
            message: Some(message),
        })
    }

    /// The message `reference_wamid` names in chat `index`, without its own quote (a quote
    /// shows one level, as `WhatsApp` does).
    fn quoted(
        &self,
        index: usize,
        reference: Option<&Value>,
    ) -> Result<Option<crate::api::wegly::wire::Message>, SandboxError> {
        let wanted = match reference {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(wanted)) if !wanted.trim().is_empty() => wanted,
            Some(_) => {
                return Err(SandboxError::field(
                    StatusCode::BAD_REQUEST,
                    "validation_failed",
                    "reference_wamid",
                    "must be a message id (a non-empty string) or null",
                ));
            }
        };
        let found = self.chats[index]
            .messages
            .iter()
            .find(|stored| stored.message.id.as_deref() == Some(wanted.as_str()));
        let Some(stored) = found else {
            return Err(SandboxError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_reference",
                "reference_wamid",
                format!(
                    "no message '{wanted}' in chat '{}': quote a message of this chat's timeline",
                    self.chats[index].id
                ),
            ));
        };
        let mut quoted = stored.message.clone();
        quoted.quoted_message = None;
        Ok(Some(quoted))
    }
}
