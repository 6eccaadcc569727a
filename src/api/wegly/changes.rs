//! Wegly's side of the neutral calls: a [`Change`] or a [`NewConversation`] becomes the chat
//! endpoints' requests, and what they answer (verified when the reply was lost) becomes a chat.

use uuid::Uuid;

use crate::api::change::{Change, NewConversation};
use crate::api::error::ApiError;
use crate::api::verify::{self, Settled};
use crate::api::wegly::wire::{
    Chat, ChatStatus, CreateChatRequest, TemplateField, TemplateRef, UpdateResponsibleRequest,
};
use crate::api::wegly::{Fetched, WeglyClient};

/// What a change came to.
#[derive(Debug)]
pub enum Applied {
    /// Written: the chat afterwards, re-read when possible, else the write's own reply.
    Written(Fetched<Chat>),
    /// Not written: the responsible was no longer the one the person saw. The chat as it is.
    Conflict(Fetched<Chat>),
}

/// The reassignment's body.
pub fn responsible_request(to: &str, scope: crate::api::change::Scope) -> UpdateResponsibleRequest {
    UpdateResponsibleRequest {
        user_id: to.to_owned(),
        update_chat: scope.chat,
        update_leads: scope.leads,
        update_deals: scope.deals,
    }
}

/// The request a change sends, as the audit log keeps it.
pub fn describe(change: &Change) -> String {
    match change {
        Change::Reassign { to, scope, .. } => {
            serde_json::to_string(&responsible_request(to, *scope)).unwrap_or_default()
        }
        Change::RemoveParticipant { user_id } => format!("DELETE participants/{user_id}"),
        other => format!("{other:?}"),
    }
}

/// The creation's body.
pub fn create_request(new: &NewConversation) -> CreateChatRequest {
    let status = new
        .status
        .as_deref()
        .map(|status| match status.to_ascii_uppercase().as_str() {
            "RESOLVED" => ChatStatus::Resolved,
            "SNOOZED" => ChatStatus::Snoozed,
            _ => ChatStatus::Open,
        });
    CreateChatRequest {
        whatsapp_phone_id: new.line.clone(),
        wa_contact_id: new.contact.clone(),
        template: TemplateRef {
            name: new.template.clone(),
            language: new.language.clone(),
        },
        template_fields: new
            .fields
            .iter()
            .map(|field| TemplateField {
                component: field.component.clone(),
                kind: "TEXT".to_owned(),
                index: field.index,
                button_index: None,
                card_index: None,
                value: field.value.clone(),
            })
            .collect(),
        person_contact_id: None,
        remote_profile_name: None,
        crm_person_id: new.person.clone(),
        assigned_agent_id: new.agent.clone(),
        status,
    }
}

/// A chat id as Wegly takes it.
pub fn chat_uuid(id: &str) -> Result<Uuid, ApiError> {
    uuid_of(id, "a Wegly chat id")
}

/// `text` as the UUID Wegly takes for `what`; anything else is refused before a request is sent.
fn uuid_of(text: &str, what: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text).map_err(|_| ApiError::Unexpected {
        status: 0,
        url: String::new(),
        detail: format!("'{text}' is not {what}"),
        excerpt: String::new(),
    })
}

/// Makes a change to a chat. A reassignment re-reads the chat first and writes only if the
/// responsible is still `expected` (compare-and-set). A reply lost on the way back is verified
/// by a re-read, never by writing again.
pub async fn apply(client: &WeglyClient, id: &str, change: &Change) -> Result<Applied, ApiError> {
    let chat = chat_uuid(id)?;
    match change {
        Change::Reassign {
            to,
            expected,
            scope,
        } => {
            let current = client.get_chat(chat).await?;
            if current.value.responsible_user_id().map(str::to_owned) != *expected {
                return Ok(Applied::Conflict(current));
            }
            let request = responsible_request(to, *scope);
            let written = client.update_responsible(chat, &request).await;
            let settled =
                verify::settle(client, chat, written, verify::responsible_is(&request)).await?;
            Ok(Applied::Written(afterwards(client, chat, settled).await))
        }
        Change::RemoveParticipant { user_id } => {
            let user = uuid_of(user_id, "a user id")?;
            let written = client.remove_participant(chat, user).await;
            let settled =
                verify::settle(client, chat, written, verify::participant_gone(user)).await?;
            Ok(Applied::Written(afterwards(client, chat, settled).await))
        }
        other => Err(crate::api::capability::unsupported(
            crate::store::Provider::Wegly,
            other.capability(),
        )),
    }
}

/// The chat after a settled write: re-read (the write's reply may be partial), or the reply
/// itself when the re-read fails (the write happened either way).
async fn afterwards(client: &WeglyClient, chat: Uuid, settled: Settled<Chat>) -> Fetched<Chat> {
    match settled {
        Settled::Replied(written) => client.get_chat(chat).await.unwrap_or(written),
        Settled::Confirmed(reread) => *reread,
    }
}
