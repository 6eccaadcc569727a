//! An Agilize room's list columns: the store keeps [`Columns`]; what they mean for a room is
//! Agilize's to say, so the conversion lives here, next to the wire types.

use crate::api::agilize::wire::{Room, channel_name};
use crate::api::timestamp::Timestamp;
use crate::i18n::Lang;
use crate::store::Columns;

impl From<&Room> for Columns {
    /// The list columns of an Agilize room. Rooms have no priority, unread count or WhatsApp
    /// window in their documented fields; "pending" (waiting for a reply) shows as unread.
    fn from(room: &Room) -> Self {
        Self {
            status: room.status.clone(),
            priority: None,
            contact: room.display_name(),
            contact_number: room.ch_phone.clone().or_else(|| room.ch_id.clone()),
            line: Some(channel_name(room.ch_src, Lang::En)),
            responsible_user_id: room.user.clone().filter(|user| !user.trim().is_empty()),
            responsible_name: None,
            unread: 0,
            marked_unread: room.ch_is_pending == Some(true),
            last_message_at: room.last_event.as_ref().and_then(Timestamp::at),
            last_message_preview: room.last_msg.clone(),
            last_message_from_me: room.last_from_user,
            window_ends_at: None,
            archived: room.ch_is_archived == Some(true),
        }
    }
}
