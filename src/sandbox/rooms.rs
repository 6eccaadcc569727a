//! The sandbox's Agilize rooms: seeded, listed, and changed by partial updates.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};

use crate::api::agilize::wire::Room;
use crate::api::timestamp::Timestamp;
use crate::sandbox::error::SandboxError;
use crate::sandbox::seed::Seed;

/// Every room, in seed order.
#[derive(Debug, Clone, Default)]
pub struct Rooms {
    rooms: Vec<Room>,
    /// Users, departments and tags from the seed, for the admin listing.
    pub directory: Value,
}

fn minutes_ago(start: DateTime<Utc>, value: Option<&Value>) -> Option<Value> {
    let minutes = value?.as_i64()?;
    Some(Value::String(
        Timestamp::from_datetime(start - Duration::minutes(minutes))
            .raw()
            .as_str()?
            .to_owned(),
    ))
}

/// Fields whose type the partial update checks, with what they must be.
const BOOLEANS: &[&str] = &[
    "prefUserPendAttr",
    "lastFromUser",
    "chIsPending",
    "chIsArchived",
    "isOutbound",
];
const LISTS: &[&str] = &["users", "histUsers", "tags", "conversationDetailTags"];
const NUMBERS: &[&str] = &["chSrc", "botFlag"];

impl Rooms {
    /// The seed's rooms with their times placed relative to `start`.
    pub fn from_seed(seed: &Seed, start: DateTime<Utc>) -> Self {
        let rooms = seed
            .rooms
            .iter()
            .filter_map(|raw| {
                let mut object = raw.as_object()?.clone();
                if let Some(at) = minutes_ago(start, object.remove("lastEventMinutesAgo").as_ref())
                {
                    object.insert("lastEvent".to_owned(), at);
                }
                if let Some(at) = minutes_ago(start, object.remove("createdMinutesAgo").as_ref()) {
                    object.insert("createdAt".to_owned(), at);
                }
                if object.get("chIsArchived") == Some(&Value::Bool(true)) {
                    let at = object.get("lastEvent").cloned().unwrap_or(Value::Null);
                    object.insert("dtIsArchived".to_owned(), at);
                }
                serde_json::from_value::<Room>(Value::Object(object)).ok()
            })
            .collect();
        let directory = serde_json::json!({
            "users": seed.agilize_users, "departments": seed.departments, "tags": seed.tags,
        });
        Self { rooms, directory }
    }

    /// Every room.
    pub fn all(&self) -> &[Room] {
        &self.rooms
    }

    /// `PATCH /messenger/chat/room/{_id}`: the fields given replace the room's; the others stay.
    /// Archiving stamps `dtIsArchived`; every change stamps `lastEvent`.
    pub fn update(
        &mut self,
        id: &str,
        patch: &Value,
        now: DateTime<Utc>,
    ) -> Result<Room, SandboxError> {
        let Some(index) = self
            .rooms
            .iter()
            .position(|room| room.id.as_deref() == Some(id))
        else {
            return Err(SandboxError::new(
                StatusCode::NOT_FOUND,
                "room_not_found",
                format!("no room with _id '{id}'"),
            ));
        };
        let Some(changes) = patch.as_object() else {
            return Err(SandboxError::new(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                "the body must be a JSON object of room fields",
            ));
        };
        let mut fields = BTreeMap::new();
        for (name, value) in changes {
            let wrong = if BOOLEANS.contains(&name.as_str()) {
                !value.is_boolean() && !value.is_null()
            } else if LISTS.contains(&name.as_str()) {
                !(value.is_string()
                    || value.is_null()
                    || value
                        .as_array()
                        .is_some_and(|items| items.iter().all(Value::is_string)))
            } else if NUMBERS.contains(&name.as_str()) {
                !value.is_i64() && !value.is_null()
            } else {
                false
            };
            if wrong {
                fields.insert(name.clone(), "has the wrong type".to_owned());
            }
            if name == "_id" && value.as_str() != Some(id) {
                fields.insert(name.clone(), "cannot be changed".to_owned());
            }
        }
        if !fields.is_empty() {
            let mut error = SandboxError::validation(fields);
            error.status = StatusCode::BAD_REQUEST;
            return Err(error);
        }
        let mut merged: Map<String, Value> = match serde_json::to_value(&self.rooms[index]) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        for (name, value) in changes {
            merged.insert(name.clone(), value.clone());
        }
        let stamp = |at: DateTime<Utc>| {
            Value::String(at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        };
        match changes.get("chIsArchived") {
            Some(Value::Bool(true)) if !changes.contains_key("dtIsArchived") => {
                merged.insert("dtIsArchived".to_owned(), stamp(now));
            }
            Some(Value::Bool(false)) => {
                merged.insert("dtIsArchived".to_owned(), Value::Null);
            }
            _ => {}
        }
        merged.insert("lastEvent".to_owned(), stamp(now));
        let room: Room = serde_json::from_value(Value::Object(merged)).map_err(|error| {
            SandboxError::new(
                StatusCode::BAD_REQUEST,
                "invalid_field",
                format!("the room does not accept that: {error}"),
            )
        })?;
        self.rooms[index] = room.clone();
        Ok(room)
    }
}
