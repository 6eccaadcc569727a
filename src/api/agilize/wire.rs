//! Agilize's room ("Sala de Conversa") as its docs type it, tolerant of what they leave open.
//!
//! `_id` is opaque (documented as an integer, real ids are 24-hex ObjectIds); `users`,
//! `histUsers`, `tags` and `conversationDetailTags` are typed string but named as lists, so both
//! forms are accepted and written back the way they came; unknown fields are kept.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::api::timestamp::Timestamp;
use crate::api::wegly::wire::Extra;
use crate::i18n::Lang;

/// One id or a list of ids, kept in the form the server used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdList {
    /// A single string (how the docs type it).
    One(String),
    /// An array of strings (how the names read).
    Many(Vec<String>),
}

impl IdList {
    /// The ids, whatever the form; an empty string is no id.
    pub fn ids(&self) -> Vec<String> {
        match self {
            Self::One(id) if id.trim().is_empty() => Vec::new(),
            Self::One(id) => vec![id.clone()],
            Self::Many(ids) => ids.clone(),
        }
    }
}

impl Serialize for IdList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::One(id) => serializer.serialize_str(id),
            Self::Many(ids) => ids.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for IdList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            One(String),
            Many(Vec<String>),
        }
        Ok(match Either::deserialize(deserializer)? {
            Either::One(id) => Self::One(id),
            Either::Many(ids) => Self::Many(ids),
        })
    }
}

/// A chat room.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Room {
    /// The room id (opaque).
    #[serde(rename = "_id")]
    pub id: Option<String>,
    /// The visitor side.
    pub guest: Option<String>,
    /// Users in the room.
    pub users: Option<IdList>,
    /// Preferred user.
    pub pref_user: Option<String>,
    /// Owner.
    pub owner: Option<String>,
    /// Preferred-user pending attribution.
    pub pref_user_pend_attr: Option<bool>,
    /// Users who handled the room before.
    pub hist_users: Option<IdList>,
    /// Tags.
    pub tags: Option<IdList>,
    /// Conversation detail tags.
    pub conversation_detail_tags: Option<IdList>,
    /// Current department.
    pub department: Option<String>,
    /// Contact.
    pub contact: Option<String>,
    /// Timeline.
    pub tl: Option<String>,
    /// Last timeline entry.
    pub last_tl: Option<String>,
    /// Current bot/automation flow.
    pub curr_flow: Option<String>,
    /// Flow deadline.
    pub curr_flow_dt_limit: Option<Timestamp>,
    /// The user assigned to the room.
    pub user: Option<String>,
    /// Lead.
    pub lead: Option<String>,
    /// Free-form info (`name`, `phone`, `email`).
    pub info: Option<Value>,
    /// Last event.
    pub last_event: Option<Timestamp>,
    /// Created.
    pub created_at: Option<Timestamp>,
    /// The last message came from an agent.
    pub last_from_user: Option<bool>,
    /// Last message text.
    pub last_msg: Option<String>,
    /// Status (no enum documented).
    pub status: Option<String>,
    /// Current case.
    pub curr_case: Option<String>,
    /// Triggers.
    pub triggers: Option<Value>,
    /// Channel: 1 WhatsApp, 2 Facebook, 3 Instagram, 4 SMS.
    pub ch_src: Option<i64>,
    /// Channel info.
    pub ch_info: Option<Value>,
    /// Highlight variables.
    pub highlight_vars: Option<Value>,
    /// Bot flag.
    pub bot_flag: Option<i64>,
    /// Source id.
    pub src_id: Option<String>,
    /// Main id in the channel: a phone, or a BSUID when `chIdType` is `wa_user_id`.
    pub ch_id: Option<String>,
    /// `wa_user_id` for BSUID-only rooms.
    pub ch_id_type: Option<String>,
    /// WhatsApp BSUID.
    pub ch_user_id: Option<String>,
    /// WhatsApp phone confirmed by Meta.
    pub ch_phone: Option<String>,
    /// WhatsApp username.
    pub ch_username: Option<String>,
    /// Reconciled identity pair.
    pub ch_id_pair: Option<String>,
    /// UTM data.
    pub utm: Option<Value>,
    /// Waiting for a reply.
    pub ch_is_pending: Option<bool>,
    /// When archived.
    pub dt_is_archived: Option<Timestamp>,
    /// Concluded (archived).
    pub ch_is_archived: Option<bool>,
    /// Created for outbound sending.
    pub is_outbound: Option<bool>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The channel's name for `chSrc`.
pub fn channel_name(source: Option<i64>, lang: Lang) -> String {
    match source {
        Some(1) => "WhatsApp".to_owned(),
        Some(2) => "Facebook".to_owned(),
        Some(3) => "Instagram".to_owned(),
        Some(4) => "SMS".to_owned(),
        Some(other) => lang.pick(format!("canal {other}"), format!("channel {other}")),
        None => "—".to_owned(),
    }
}

impl Room {
    /// The contact's name from `info.name`, else the phone, username or channel id.
    pub fn display_name(&self) -> Option<String> {
        self.info
            .as_ref()
            .and_then(|info| info.get("name"))
            .and_then(Value::as_str)
            .filter(|name| !name.trim().is_empty())
            .map(str::to_owned)
            .or_else(|| self.ch_phone.clone())
            .or_else(|| self.ch_username.clone().map(|u| format!("@{u}")))
            .or_else(|| self.ch_id.clone())
    }

    /// Whether the room has only a BSUID (no phone).
    pub fn is_bsuid_only(&self) -> bool {
        self.ch_id_type.as_deref() == Some("wa_user_id")
    }

    /// The users in the room.
    pub fn user_ids(&self) -> Vec<String> {
        self.users.as_ref().map(IdList::ids).unwrap_or_default()
    }

    /// The tags.
    pub fn tag_ids(&self) -> Vec<String> {
        self.tags.as_ref().map(IdList::ids).unwrap_or_default()
    }
}
