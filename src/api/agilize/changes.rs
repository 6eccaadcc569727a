//! Agilize's side of the neutral calls: a [`Change`] becomes a patch of the room's fields, and
//! the room comes back (or, when the reply has no body, the patch applied to the room known).

use serde_json::{Value, json};

use crate::api::agilize::AgilizeClient;
use crate::api::agilize::wire::Room;
use crate::api::change::Change;
use crate::api::error::ApiError;
use crate::api::verify;
use crate::store::Provider;

/// The patch a change sends to a room. Users are a list: a new assignee joins it, a removed
/// user leaves it, everyone else stays.
pub fn patch(change: &Change, room: &Room) -> Value {
    match change {
        Change::Reassign { to, .. } => {
            let mut users = room.user_ids();
            if !users.contains(to) {
                users.push(to.clone());
            }
            json!({ "user": to, "users": users })
        }
        Change::RemoveParticipant { user_id } => {
            let users: Vec<String> = room
                .user_ids()
                .into_iter()
                .filter(|id| id != user_id)
                .collect();
            json!({ "users": users })
        }
        Change::Conclude => json!({ "chIsArchived": true }),
        Change::Reopen => json!({ "chIsArchived": false }),
        Change::SetDepartment(department) => json!({ "department": department }),
        Change::SetTags(tags) => json!({ "tags": tags }),
    }
}

/// The request a change sends, as the audit log keeps it.
pub fn describe(change: &Change, room: &Room) -> String {
    patch(change, room).to_string()
}

/// Patches a room. The room the index holds is what the person saw: the patch is built on it,
/// and it is what the change applies to when Agilize's reply carries no room. Agilize has no
/// read endpoint, so a lost reply stays unknown.
pub async fn apply(
    client: &AgilizeClient,
    id: &str,
    change: &Change,
    known: Option<Room>,
) -> Result<Room, ApiError> {
    let known = known.unwrap_or_else(|| Room {
        id: Some(id.to_owned()),
        ..Room::default()
    });
    if matches!(change, Change::Reassign { scope, .. } if !scope.chat) {
        return Err(crate::api::capability::unsupported(
            Provider::Agilize,
            crate::api::capability::Capability::ReassignLeadsDeals,
        ));
    }
    let patch = patch(change, &known);
    let updated = verify::unverifiable(client.update_room(id, &patch).await)?;
    Ok(updated.value.unwrap_or_else(|| merged(&known, &patch)))
}

/// The room known with the patch's fields set.
fn merged(known: &Room, patch: &Value) -> Room {
    let mut merged = serde_json::to_value(known).unwrap_or_else(|_| json!({}));
    if let (Some(target), Some(changes)) = (merged.as_object_mut(), patch.as_object()) {
        for (name, value) in changes {
            target.insert(name.clone(), value.clone());
        }
    }
    serde_json::from_value::<Room>(merged).unwrap_or_else(|_| known.clone())
}
