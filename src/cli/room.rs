//! `balcao room update`: change an Agilize room's fields from the shell.

use serde_json::{Map, Value};

use crate::api::agilize::wire::{Room, channel_name};
use crate::api::conversation::Conversation;
use crate::cli::CliError;
use crate::cli::args::{GlobalArgs, RoomCommand, RoomUpdateArgs};
use crate::cli::record::{Recorder, Saved};
use crate::config::resolve::resolve;
use crate::i18n::Lang;
use crate::present::audit_outcome;
use crate::store::ChatKey;
use crate::tr;

/// The JSON patch the flags describe; an empty one is a usage error.
pub fn patch(args: &RoomUpdateArgs, lang: Lang) -> Result<Value, CliError> {
    let mut patch = Map::new();
    let list = |items: &[String]| {
        Value::Array(
            items
                .iter()
                .map(|i| i.trim())
                .filter(|i| !i.is_empty())
                .map(|i| Value::String(i.to_owned()))
                .collect(),
        )
    };
    if let Some(user) = &args.user {
        patch.insert("user".to_owned(), Value::String(user.trim().to_owned()));
    }
    if let Some(users) = &args.users {
        patch.insert("users".to_owned(), list(users));
    }
    if let Some(department) = &args.department {
        patch.insert(
            "department".to_owned(),
            Value::String(department.trim().to_owned()),
        );
    }
    if let Some(tags) = &args.tags {
        patch.insert("tags".to_owned(), list(tags));
    }
    if args.archive || args.unarchive {
        patch.insert("chIsArchived".to_owned(), Value::Bool(args.archive));
    }
    if let Some(status) = &args.status {
        patch.insert("status".to_owned(), Value::String(status.trim().to_owned()));
    }
    if patch.is_empty() {
        return Err(CliError::Usage(tr!(
            lang,
            "nada a mudar: use --user, --users, --department, --tags, --archive/--unarchive ou --status",
            "nothing to change: use --user, --users, --department, --tags, --archive/--unarchive or --status"
        )));
    }
    Ok(Value::Object(patch))
}

/// A room in a few readable lines.
pub fn describe(room: &Room, lang: Lang) -> String {
    let dash = |value: Option<String>| {
        value
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "—".to_owned())
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}  ({})",
        dash(room.display_name()),
        dash(room.id.clone())
    );
    let rows = [
        (
            lang.pick("Canal", "Channel"),
            channel_name(room.ch_src, lang),
        ),
        (lang.pick("Usuário", "User"), dash(room.user.clone())),
        (
            lang.pick("Usuários", "Users"),
            dash(Some(room.user_ids().join(", "))),
        ),
        (
            lang.pick("Departamento", "Department"),
            dash(room.department.clone()),
        ),
        ("Tags", dash(Some(room.tag_ids().join(", ")))),
        ("Status", dash(room.status.clone())),
        (
            lang.pick("Pendente", "Pending"),
            (room.ch_is_pending == Some(true)).to_string(),
        ),
        (
            lang.pick("Concluída", "Archived"),
            (room.ch_is_archived == Some(true)).to_string(),
        ),
    ];
    for (label, value) in rows {
        let _ = writeln!(out, "{:<14} {value}", format!("{label}:"));
    }
    out
}

use std::fmt::Write as _;

/// Runs a room command.
pub async fn run(global: &GlobalArgs, command: RoomCommand, lang: Lang) -> Result<(), CliError> {
    let RoomCommand::Update(args) = command;
    let id = args.room_id.trim().to_owned();
    if id.is_empty() {
        return Err(CliError::Usage(tr!(
            lang,
            "informe o _id da sala",
            "give the room's _id"
        )));
    }
    let patch = patch(&args, lang)?;
    let settings = resolve(&global.overrides())?;
    let (account, client) = settings.agilize_client()?;
    let recorder = Recorder::open(&settings, lang).await?;
    let key = ChatKey::agilize(&account.name, &id);
    let mut entry = recorder.entry(key.clone(), "update_room", Some(patch.to_string()));
    // Rooms cannot be re-read: what the index holds of the room is its "before".
    entry.before = recorder
        .stored_detail(&key)
        .await
        .and_then(|stored| serde_json::from_str::<Value>(&stored).ok())
        .map(|room| patched_fields(&room, &patch));
    // Rooms cannot be re-read: a lost or unreadable reply is an unknown outcome, never "done".
    let fetched = match crate::api::verify::unverifiable(client.update_room(&id, &patch).await) {
        Ok(fetched) => fetched,
        Err(error) => {
            entry.outcome = audit_outcome(&error).to_owned();
            entry.http_status = error.status();
            recorder.record(entry).await;
            return Err(error.into());
        }
    };
    "confirmed".clone_into(&mut entry.outcome);
    entry.http_status = Some(fetched.status);
    if let Some(room) = &fetched.value {
        let value = serde_json::to_value(room).unwrap_or(Value::Null);
        entry.after = Some(patched_fields(&value, &patch));
        let conversation = Conversation::Room(Box::new(room.clone()));
        let raw = value.to_string();
        recorder
            .save(&key, raw, conversation.columns(), Saved::Room)
            .await;
    }
    recorder.record(entry).await;
    crate::cli::chat::emit(&fetched, args.json, || match &fetched.value {
        Some(room) => describe(room, lang),
        None => tr!(lang, "Sala {id} atualizada.\n", "Room {id} updated.\n"),
    })
}

/// The fields `patch` changes, as `room` holds them: the audit's before and after.
fn patched_fields(room: &Value, patch: &Value) -> String {
    let fields: Map<String, Value> = patch
        .as_object()
        .into_iter()
        .flat_map(|patch| patch.keys())
        .map(|field| {
            (
                field.clone(),
                room.get(field).cloned().unwrap_or(Value::Null),
            )
        })
        .collect();
    Value::Object(fields).to_string()
}
