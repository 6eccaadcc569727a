//! A Wegly chat detail's list columns: the store keeps [`Columns`]; what they mean for a chat is
//! Wegly's to say, so the conversion lives here, next to the wire types.

use chrono::{DateTime, Utc};

use crate::api::timestamp::Timestamp;
use crate::api::wegly::wire::{Chat, Message};
use crate::store::Columns;

/// Longest preview kept, in characters.
const PREVIEW_CHARS: usize = 140;

impl From<&Chat> for Columns {
    /// The list columns of a Wegly chat detail.
    fn from(chat: &Chat) -> Self {
        let last = chat.last_message.as_ref();
        Self {
            status: chat
                .status
                .as_ref()
                .map(|status| status.as_str().to_owned()),
            priority: chat.priority.map(|priority| priority.0),
            contact: chat.display_name().map(str::to_owned),
            contact_number: chat
                .contact_number
                .clone()
                .or_else(|| chat.wa_contact_id.clone()),
            line: chat
                .phone_number
                .as_ref()
                .and_then(|line| line.display_number.clone()),
            responsible_user_id: chat.responsible_user_id().map(str::to_owned),
            responsible_name: chat.responsible_name().map(str::to_owned),
            unread: chat.unread_count.unwrap_or(0),
            marked_unread: chat.is_manually_unread.unwrap_or(false),
            last_message_at: chat
                .last_message_at
                .as_ref()
                .and_then(Timestamp::at)
                .or_else(|| last.and_then(message_time)),
            last_message_preview: last.map(preview),
            last_message_from_me: last.and_then(|message| message.from_me),
            window_ends_at: chat.session_expires_at.as_ref().and_then(Timestamp::at),
            archived: chat.archived_at.is_some(),
        }
    }
}

fn message_time(message: &Message) -> Option<DateTime<Utc>> {
    message
        .created_at
        .as_ref()
        .or(message.meta_timestamp.as_ref())
        .and_then(Timestamp::at)
}

/// One line for the list: the text, or what the message carries when it has no text.
fn preview(message: &Message) -> String {
    let text = message.body_text.as_deref().unwrap_or_default();
    let mut line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        if let Some(media) = &message.media {
            line = format!("📎 {}", media.file_name.as_deref().unwrap_or("media"));
        } else if message.call.is_some() {
            "📞".clone_into(&mut line);
        } else if let Some(kind) = &message.kind {
            line = format!("[{kind}]");
        }
    }
    if line.chars().count() > PREVIEW_CHARS {
        line = line.chars().take(PREVIEW_CHARS - 1).collect::<String>() + "…";
    }
    line
}
