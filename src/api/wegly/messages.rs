//! Replies on Wegly: a neutral [`Outgoing`] as the `POST /chats/{id}/messages` body, and how to
//! recognise that message in a re-read timeline when the send's reply was lost.

use serde::{Deserialize, Serialize};

use crate::api::reply::{Outgoing, Template};
use crate::api::wegly::wire::CreateChatRequest;
use crate::api::wegly::wire::{Message, TemplateField, TemplateRef};

/// `POST /chats/{id}/messages` body: a text or a template message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendMessageRequest {
    /// `text` or `template`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The text, for `text`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The template, for `template`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<TemplateRef>,
    /// The template's placeholder values.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub template_fields: Vec<TemplateField>,
    /// The message replied to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_wamid: Option<String>,
}

impl SendMessageRequest {
    /// The body that sends `message`.
    pub fn of(message: &Outgoing) -> Self {
        match message {
            Outgoing::Text { body, reply_to } => Self {
                kind: "text".to_owned(),
                body: Some(body.clone()),
                template: None,
                template_fields: Vec::new(),
                reference_wamid: reply_to.clone(),
            },
            Outgoing::Template {
                name,
                language,
                fields,
            } => Self {
                kind: "template".to_owned(),
                body: None,
                template: Some(TemplateRef {
                    name: name.clone(),
                    language: language.clone(),
                }),
                template_fields: fields
                    .iter()
                    .zip(1..)
                    .map(|(value, index)| TemplateField {
                        component: "BODY".to_owned(),
                        kind: "TEXT".to_owned(),
                        index,
                        button_index: None,
                        card_index: None,
                        value: value.clone(),
                    })
                    .collect(),
                reference_wamid: None,
            },
        }
    }
}

/// Whether `found` is the message `sent` made: ours (`from_me`), of the same kind and content.
/// Whether it is new is the caller's check against the ids known before sending (a time would
/// add nothing but the CRM's clock).
pub fn is_the_sent(found: &Message, sent: &Outgoing) -> bool {
    if found.from_me != Some(true) {
        return false;
    }
    match sent {
        Outgoing::Text { body, .. } => {
            found.kind.as_deref() == Some("text") && found.body_text.as_deref() == Some(body)
        }
        Outgoing::Template { name, .. } => {
            found.kind.as_deref() == Some("template")
                && found
                    .content_payload
                    .as_ref()
                    .and_then(|payload| payload.pointer("/template/name"))
                    .and_then(serde_json::Value::as_str)
                    == Some(name.as_str())
        }
    }
}

/// The templates a desk has used, from its audit log's `create_chat` requests (as sent, JSON):
/// each name and language once, newest first, with as many values as its body took.
pub fn templates_used<'a>(requests: impl IntoIterator<Item = &'a str>) -> Vec<Template> {
    let mut seen = std::collections::HashSet::new();
    requests
        .into_iter()
        .filter_map(|request| serde_json::from_str::<CreateChatRequest>(request).ok())
        .filter(|request| !request.template.name.trim().is_empty())
        .filter(|request| {
            seen.insert((
                request.template.name.clone(),
                request.template.language.clone(),
            ))
        })
        .map(|request| Template {
            fields: request
                .template_fields
                .iter()
                .filter(|field| field.component.eq_ignore_ascii_case("BODY"))
                .count(),
            name: request.template.name,
            language: request.template.language,
        })
        .collect()
}

/// The templates a chat's stored timeline shows sent (its events as the CRM sent them, JSON):
/// each name and language once, newest first.
pub fn templates_in_timeline<'a>(
    events: impl DoubleEndedIterator<Item = &'a str>,
) -> Vec<Template> {
    let mut seen = std::collections::HashSet::new();
    events
        .rev()
        .filter_map(|raw| serde_json::from_str::<crate::api::wegly::wire::TimelineEvent>(raw).ok())
        .filter_map(|event| event.message)
        .filter(|message| message.kind.as_deref() == Some("template"))
        .filter_map(|message| {
            let payload = message.content_payload?;
            let name = payload.pointer("/template/name")?.as_str()?.to_owned();
            let language = payload
                .pointer("/template/language")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let fields = payload
                .get("template_fields")
                .and_then(serde_json::Value::as_array)
                .map_or(0, |fields| {
                    fields
                        .iter()
                        .filter(|field| {
                            field.get("component").and_then(serde_json::Value::as_str)
                                == Some("BODY")
                        })
                        .count()
                });
            Some(Template {
                name,
                language,
                fields,
            })
        })
        .filter(|template| seen.insert((template.name.clone(), template.language.clone())))
        .collect()
}
