//! Checking what a request asks for before the sandbox acts on it: bodies, fields, ids (with
//! the agent-id / user-id trap named), and every problem of a create request at once.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::api::wegly::limits::{MAX_CONTACT_ID_CHARS, MAX_PROFILE_NAME_CHARS, MAX_TEXT_CHARS};
use crate::api::wegly::wire::ChatStatus;
use crate::sandbox::error::SandboxError;
use crate::sandbox::world::World;

pub(super) fn not_an_object() -> SandboxError {
    SandboxError::new(
        StatusCode::BAD_REQUEST,
        "invalid_body",
        "the body must be a JSON object",
    )
}

pub(super) fn checked_text(text: &str) -> Result<String, SandboxError> {
    let count = text.chars().count();
    if text.trim().is_empty() || count > MAX_TEXT_CHARS {
        return Err(SandboxError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "body",
            format!("must be 1 to {MAX_TEXT_CHARS} characters (got {count})"),
        ));
    }
    Ok(text.to_owned())
}

/// A checked `POST /chats` body.
pub(super) struct CreateRequest {
    /// The line's index in the world.
    pub(super) line: usize,
    /// `wa_contact_id`.
    pub(super) contact: String,
    /// The template object as sent.
    pub(super) template: Value,
    template_name: String,
    template_fields: Vec<String>,
    /// `remote_profile_name`.
    pub(super) profile_name: Option<String>,
    /// `crm_person_id`.
    pub(super) person_id: Option<Uuid>,
    /// The responsible user's index, from `assigned_agent_id`.
    pub(super) responsible: Option<usize>,
    /// The initial status.
    pub(super) status: ChatStatus,
}

/// Field problems of one request, collected so that all of them are reported at once.
#[derive(Default)]
struct Problems(BTreeMap<String, String>);

type Object = Map<String, Value>;

impl Problems {
    fn add(&mut self, field: &str, text: &str) {
        self.0.insert(field.to_owned(), text.to_owned());
    }

    fn required_uuid(&mut self, object: &Object, field: &str) -> Option<Uuid> {
        match object.get(field) {
            None | Some(Value::Null) => {
                self.add(field, "is required");
                None
            }
            Some(value) => uuid_field(value).or_else(|| {
                self.add(field, "must be a UUID");
                None
            }),
        }
    }

    fn optional_uuid(&mut self, object: &Object, field: &str) -> Option<Uuid> {
        match object.get(field) {
            None | Some(Value::Null) => None,
            Some(value) => uuid_field(value).or_else(|| {
                self.add(field, "must be a UUID or null");
                None
            }),
        }
    }

    /// A string of at most `max` characters; `required` refuses absence and blank text.
    fn text(&mut self, object: &Object, field: &str, max: usize, required: bool) -> Option<String> {
        match object.get(field) {
            None | Some(Value::Null) => {
                if required {
                    self.add(field, "is required");
                }
                None
            }
            Some(Value::String(text)) if required && text.trim().is_empty() => {
                self.add(field, "must not be empty");
                None
            }
            Some(Value::String(text)) if text.chars().count() > max => {
                self.add(field, &format!("must be at most {max} characters"));
                None
            }
            Some(Value::String(text)) => Some(text.clone()),
            Some(_) => {
                self.add(
                    field,
                    if required {
                        "must be a string"
                    } else {
                        "must be a string or null"
                    },
                );
                None
            }
        }
    }

    /// `template` (name required, language a string) and the values of `template_fields`.
    fn template(&mut self, object: &Object) -> (Value, Option<String>, Vec<String>) {
        let template = object.get("template").cloned().unwrap_or(Value::Null);
        let name = match template.get("name") {
            Some(Value::String(name)) if !name.trim().is_empty() => Some(name.clone()),
            _ if !template.is_object() => {
                self.add(
                    "template",
                    "is required (an object with 'name' and 'language')",
                );
                None
            }
            _ => {
                self.add("template.name", "is required");
                None
            }
        };
        if template.is_object()
            && !matches!(template.get("language"), None | Some(Value::String(_)))
        {
            self.add("template.language", "must be a string such as 'pt_BR'");
        }
        let mut values = Vec::new();
        match object.get("template_fields") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for (position, item) in items.iter().enumerate() {
                    match item.get("value").and_then(Value::as_str) {
                        Some(value) if item.get("component").is_some_and(Value::is_string) => {
                            values.push(value.to_owned());
                        }
                        _ => self.add(
                            &format!("template_fields[{position}]"),
                            "needs 'component', 'type', 'index' and a string 'value'",
                        ),
                    }
                }
            }
            Some(_) => self.add("template_fields", "must be an array"),
        }
        (template, name, values)
    }

    /// The create page's status enum: `OPEN`, `RESOLVED`, `SNOOZED`.
    fn create_status(&mut self, object: &Object) -> ChatStatus {
        match object.get("status") {
            None | Some(Value::Null) => ChatStatus::Open,
            Some(Value::String(text))
                if ["OPEN", "RESOLVED", "SNOOZED"].contains(&text.as_str()) =>
            {
                ChatStatus::from_wire(text)
            }
            Some(_) => {
                self.add("status", "must be OPEN, RESOLVED or SNOOZED");
                ChatStatus::Open
            }
        }
    }
}

/// A checked template message (`POST /chats/{id}/messages` with `type: "template"`).
pub(super) struct TemplateMessage {
    /// The template object as sent.
    pub(super) template: Value,
    /// `template_fields` as sent (an empty array when absent).
    pub(super) fields: Value,
    /// The text the timeline shows for it.
    pub(super) text: String,
}

impl TemplateMessage {
    /// Checks `template` and `template_fields` as `POST /chats` does, every problem at once.
    pub(super) fn read(object: &Object) -> Result<Self, SandboxError> {
        let mut problems = Problems::default();
        let (template, name, values) = problems.template(object);
        let Some(name) = name.filter(|_| problems.0.is_empty()) else {
            return Err(SandboxError::validation(problems.0));
        };
        Ok(Self {
            template,
            fields: object
                .get("template_fields")
                .cloned()
                .filter(Value::is_array)
                .unwrap_or_else(|| Value::Array(Vec::new())),
            text: template_text(&name, &values),
        })
    }
}

impl CreateRequest {
    /// Checks every field, collecting all problems before refusing.
    pub(super) fn read(body: &Value, world: &World) -> Result<Self, SandboxError> {
        let Some(object) = body.as_object() else {
            return Err(not_an_object());
        };
        let mut problems = Problems::default();
        let line_id = problems.required_uuid(object, "whatsapp_phone_id");
        let contact = problems.text(object, "wa_contact_id", MAX_CONTACT_ID_CHARS, true);
        let (template, template_name, template_fields) = problems.template(object);
        let profile_name =
            problems.text(object, "remote_profile_name", MAX_PROFILE_NAME_CHARS, false);
        let _person_contact = problems.optional_uuid(object, "person_contact_id");
        let person_id = problems.optional_uuid(object, "crm_person_id");
        let agent_id = problems.optional_uuid(object, "assigned_agent_id");
        let status = problems.create_status(object);
        let (Some(line_id), Some(contact), Some(template_name)) = (line_id, contact, template_name)
        else {
            return Err(SandboxError::validation(problems.0));
        };
        if !problems.0.is_empty() {
            return Err(SandboxError::validation(problems.0));
        }
        let Some(line) = world.lines.iter().position(|line| line.id == line_id) else {
            return Err(SandboxError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_whatsapp_line",
                "whatsapp_phone_id",
                format!("no WhatsApp line with id '{line_id}' (see GET /_sandbox/lines)"),
            ));
        };
        let responsible = agent_id.map(|id| world.agent_index(id)).transpose()?;
        Ok(Self {
            line,
            contact,
            template,
            template_name,
            template_fields,
            profile_name,
            person_id,
            responsible,
            status,
        })
    }

    pub(super) fn template_text(&self) -> String {
        template_text(&self.template_name, &self.template_fields)
    }
}

/// How a template message reads in the timeline: its name, then its values.
fn template_text(name: &str, values: &[String]) -> String {
    if values.is_empty() {
        format!("[{name}]")
    } else {
        format!("[{name}] {}", values.join(" · "))
    }
}

impl World {
    /// `assigned_agent_id` takes the **agent** id; a user id gets a message naming the agent id.
    pub(super) fn user_index(&self, id: Uuid, field: &str) -> Result<usize, SandboxError> {
        if let Some(index) = self.users.iter().position(|user| user.user_id == id) {
            return Ok(index);
        }
        // The agent-id / user-id trap: name the right id instead of a bare "unknown".
        if let Some(user) = self.users.iter().find(|user| user.agent_id == id) {
            return Err(SandboxError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "agent_id_given_for_user_id",
                field,
                format!(
                    "'{id}' is the agent id of {}; this field takes the user id '{}'",
                    user.name, user.user_id
                ),
            ));
        }
        Err(SandboxError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_user",
            field,
            format!("no company user with id '{id}'"),
        ))
    }

    pub(super) fn agent_index(&self, id: Uuid) -> Result<usize, SandboxError> {
        if let Some(index) = self.users.iter().position(|user| user.agent_id == id) {
            return Ok(index);
        }
        if let Some(user) = self.users.iter().find(|user| user.user_id == id) {
            return Err(SandboxError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "user_id_given_for_agent_id",
                "assigned_agent_id",
                format!(
                    "'{id}' is the user id of {}; assigned_agent_id takes the agent id '{}'",
                    user.name, user.agent_id
                ),
            ));
        }
        Err(SandboxError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_agent",
            "assigned_agent_id",
            format!("no agent with id '{id}'"),
        ))
    }
}

fn uuid_field(value: &Value) -> Option<Uuid> {
    value.as_str().and_then(|text| Uuid::parse_str(text).ok())
}
