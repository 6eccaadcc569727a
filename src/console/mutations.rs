//! Modal submissions and API replies: every mutation is pending at once, then confirmed or
//! rolled back, audited, and announced in the status bar.

use crate::api::wegly::wire::{
    ChatStatus, CreateChatRequest, TemplateField, TemplateRef, UpdateResponsibleRequest,
};
use crate::api::{ApiError, ErrorKind};
use crate::console::action::Action;
use crate::console::modal::{Confirm, Destructive, Modal, Stage, field};
use crate::console::msg::{ApiCall, ApiEvent, ApiReply, ApiRequest, Command, Fresh, RequestId};
use crate::console::state::{DetailStatus, Level, Pending, State};
use crate::console::update::{selection_changed, upsert_row};
use crate::i18n::Lang;
use crate::sandbox::world::MAX_CONTACT_ID_CHARS;
use crate::store::{AuditEntry, ChatKey, Columns};
use crate::tr;

/// An action while a modal is open.
pub fn modal_action(state: &mut State, action: Action) -> Vec<Command> {
    match action {
        // Only reaches a modal when the keymap leaves the quitting key (ctrl-c) no use there.
        Action::Quit => {
            state.should_quit = true;
            vec![Command::Quit]
        }
        Action::Cancel => cancel(state),
        Action::Confirm => confirm(state),
        Action::SelectNext
        | Action::SelectPrev
        | Action::SelectFirst
        | Action::SelectLast
        | Action::PageDown
        | Action::PageUp => {
            move_cursor(state, action);
            Vec::new()
        }
        Action::NextField | Action::PrevField => {
            if let Some(Modal::Create(form)) = &mut state.modal {
                let count = form.values.len();
                form.focus = if action == Action::NextField {
                    (form.focus + 1) % count
                } else {
                    (form.focus + count - 1) % count
                };
            }
            Vec::new()
        }
        Action::ToggleUpdateChat | Action::ToggleUpdateLeads | Action::ToggleUpdateDeals => {
            // A room has no leads or deals: its modal shows no toggles and takes none.
            if let Some(Modal::Reassign(modal)) = &mut state.modal
                && modal.room_users.is_none()
            {
                let index = match action {
                    Action::ToggleUpdateChat => 0,
                    Action::ToggleUpdateLeads => 1,
                    _ => 2,
                };
                modal.toggles[index] = !modal.toggles[index];
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn cancel(state: &mut State) -> Vec<Command> {
    match state.modal.take() {
        Some(Modal::Filter { before }) => {
            let (lang, now, me) = (state.lang, state.now, state.me.clone());
            state.inbox.set_filter_text(before, lang, now, &me);
            selection_changed(state)
        }
        // Not confirmed: nothing is sent; back to the choice the question came from.
        Some(Modal::Confirm(question)) => {
            state.modal = match question.change {
                Destructive::RemoveParticipant(modal) => Some(Modal::Remove(modal)),
                Destructive::SaveTags(modal) => Some(Modal::RoomField(modal)),
                Destructive::ConcludeRoom(_) | Destructive::ForgetChat(_) => None,
            };
            Vec::new()
        }
        // A request in flight keeps going; its outcome shows in the status bar.
        _ => Vec::new(),
    }
}

fn move_cursor(state: &mut State, action: Action) {
    let step = |cursor: usize, len: usize| -> usize {
        let last = len.saturating_sub(1);
        match action {
            Action::SelectNext => (cursor + 1).min(last),
            Action::SelectPrev => cursor.saturating_sub(1),
            Action::SelectFirst => 0,
            Action::SelectLast => last,
            Action::PageDown => (cursor + 10).min(last),
            Action::PageUp => cursor.saturating_sub(10),
            _ => cursor,
        }
    };
    match &mut state.modal {
        Some(Modal::Help { scroll }) => {
            let lines = usize::from(*scroll);
            *scroll = u16::try_from(step(lines, HELP_LINES_AT_MOST)).unwrap_or(0);
        }
        Some(Modal::Reassign(modal)) => {
            let len = modal.shown().len();
            modal.cursor = step(modal.cursor, len);
            modal.error = None;
        }
        Some(Modal::Remove(modal)) => {
            modal.cursor = step(modal.cursor, modal.choices.len());
            modal.error = None;
        }
        Some(Modal::Create(form)) => {
            let count = form.values.len();
            form.focus = match action {
                Action::SelectNext => (form.focus + 1) % count,
                Action::SelectPrev => (form.focus + count - 1) % count,
                _ => form.focus,
            };
        }
        _ => {}
    }
}

/// More lines than the help can have (a title per context, a line per binding, the footer);
/// the view stops scrolling at its real end.
const HELP_LINES_AT_MOST: usize = Action::ALL.len() * 4 + 8;

fn busy_message(lang: Lang) -> String {
    lang.pick(
        "ocupada: esta conversa já tem uma alteração em andamento",
        "busy: this chat already has a change in flight",
    )
    .to_owned()
}

fn confirm(state: &mut State) -> Vec<Command> {
    match state.modal.clone() {
        Some(Modal::Filter { .. } | Modal::Help { .. }) => {
            state.modal = None;
            Vec::new()
        }
        Some(Modal::Reassign(modal)) => confirm_reassign(state, modal),
        Some(Modal::Remove(modal)) => confirm_remove(state, modal),
        Some(Modal::Create(form)) => confirm_create(state, form),
        Some(Modal::Add(modal)) => confirm_add(state, modal),
        Some(Modal::RoomField(modal)) => confirm_room_field(state, modal),
        Some(Modal::Confirm(question)) => confirm_destructive(state, question.change),
        None => Vec::new(),
    }
}

/// The user confirmed a destructive change: make it.
fn confirm_destructive(state: &mut State, change: Destructive) -> Vec<Command> {
    match change {
        Destructive::RemoveParticipant(modal) => send_remove(state, modal),
        Destructive::ConcludeRoom(key) => {
            state.modal = None;
            send_archive(state, key, true)
        }
        Destructive::SaveTags(modal) => {
            let patch = serde_json::json!({ "tags": tag_list(&modal.input) });
            send_room_field(state, modal, patch, "edit_tags")
        }
        Destructive::ForgetChat(key) => {
            state.modal = None;
            vec![Command::ForgetChat {
                key,
                announce: true,
            }]
        }
    }
}

/// Opens the department or tags field of the selected Agilize room, prefilled.
pub fn open_room_field(state: &mut State, action: Action) -> Vec<Command> {
    use crate::console::modal::{RoomField, RoomFieldKind};
    let lang = state.lang;
    let Some(key) = state
        .inbox
        .selected_row()
        .map(|row| row.summary.key.clone())
    else {
        return Vec::new();
    };
    let room = state
        .detail
        .room
        .clone()
        .filter(|_| state.detail.key.as_ref() == Some(&key));
    let Some(room) = room.filter(|_| key.provider == crate::store::Provider::Agilize) else {
        state.notify(
            Level::Error,
            lang.pick(
                "departamento e tags existem só nas salas da Agilize",
                "departments and tags exist only on Agilize rooms",
            )
            .to_owned(),
        );
        return Vec::new();
    };
    let (kind, current) = if action == Action::ChangeDepartment {
        (
            RoomFieldKind::Department,
            room.department.clone().into_iter().collect::<Vec<_>>(),
        )
    } else {
        (RoomFieldKind::Tags, room.tag_ids())
    };
    state.modal = Some(Modal::RoomField(RoomField {
        key,
        kind,
        input: current.join(", "),
        current,
        error: None,
        stage: Stage::Editing,
    }));
    Vec::new()
}

/// Submits the room-field modal: the department, or the tags as a list. Tags that saving would
/// remove are shown first and need a confirmation.
fn confirm_room_field(
    state: &mut State,
    mut modal: crate::console::modal::RoomField,
) -> Vec<Command> {
    use crate::console::modal::RoomFieldKind;
    let lang = state.lang;
    if modal.stage != Stage::Editing {
        return Vec::new();
    }
    let text = modal.input.trim().to_owned();
    match modal.kind {
        RoomFieldKind::Department if text.is_empty() => {
            modal.error = Some(
                lang.pick("informe o id do departamento", "give the department's id")
                    .to_owned(),
            );
            state.modal = Some(Modal::RoomField(modal));
            Vec::new()
        }
        RoomFieldKind::Department => send_room_field(
            state,
            modal,
            serde_json::json!({ "department": text }),
            "change_department",
        ),
        RoomFieldKind::Tags => {
            let tags = tag_list(&text);
            let removed: Vec<String> = modal
                .current
                .iter()
                .filter(|tag| !tags.contains(tag))
                .cloned()
                .collect();
            if removed.is_empty() {
                let patch = serde_json::json!({ "tags": tags });
                return send_room_field(state, modal, patch, "edit_tags");
            }
            let lines = tags_change(lang, &modal.current, &tags, &removed);
            state.modal = Some(Modal::Confirm(Confirm {
                title: lang.pick(" Tags da sala ", " Room tags ").to_owned(),
                lines,
                verb: lang.pick("salvar", "save").to_owned(),
                change: Destructive::SaveTags(modal),
            }));
            Vec::new()
        }
    }
}

/// The tag ids typed, comma-separated, without blanks or repeats.
fn tag_list(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if !tags.iter().any(|known| known == tag) {
            tags.push(tag.to_owned());
        }
    }
    tags
}

/// What saving `tags` over `current` does, in words: the tags removed (all of them, said so),
/// the tags added, and what is left.
fn tags_change(lang: Lang, current: &[String], tags: &[String], removed: &[String]) -> Vec<String> {
    let count = |n: usize| {
        if n == 1 {
            "1 tag".to_owned()
        } else {
            format!("{n} tags")
        }
    };
    let mut lines = vec![
        lang.pick("Salvar estas tags:", "Saving these tags:")
            .to_owned(),
    ];
    let (n, list) = (removed.len(), removed.join(", "));
    lines.push(if tags.is_empty() {
        tr!(
            lang,
            "  remove todas as {n} tags: {list}",
            "  removes all {n} tags: {list}"
        )
    } else {
        let what = count(n);
        tr!(lang, "  remove {what}: {list}", "  removes {what}: {list}")
    });
    let added: Vec<&str> = tags
        .iter()
        .filter(|tag| !current.contains(tag))
        .map(String::as_str)
        .collect();
    if !added.is_empty() {
        let (what, list) = (count(added.len()), added.join(", "));
        lines.push(tr!(
            lang,
            "  adiciona {what}: {list}",
            "  adds {what}: {list}"
        ));
    }
    lines.push(if tags.is_empty() {
        lang.pick(
            "  e a sala fica sem tags",
            "  and the room is left with no tags",
        )
        .to_owned()
    } else {
        let list = tags.join(", ");
        tr!(
            lang,
            "  e a sala fica com: {list}",
            "  and the room keeps: {list}"
        )
    });
    lines
}

/// Sends a room field's patch; the modal waits for the reply.
fn send_room_field(
    state: &mut State,
    mut modal: crate::console::modal::RoomField,
    patch: serde_json::Value,
    action: &'static str,
) -> Vec<Command> {
    let pending = Pending::RoomChange {
        key: modal.key.clone(),
        action,
        request: patch.to_string(),
    };
    let id = match begin_change(state, &modal.key.clone(), pending) {
        Ok(id) => id,
        Err(busy) => {
            modal.error = Some(busy);
            state.modal = Some(Modal::RoomField(modal));
            return Vec::new();
        }
    };
    modal.stage = Stage::Sending(id);
    let call = ApiCall::UpdateRoom {
        key: modal.key.clone(),
        patch,
    };
    state.modal = Some(Modal::RoomField(modal));
    vec![Command::Api(ApiRequest { id, call })]
}

/// Concludes or reopens the selected Agilize room. Concluding asks first; reopening does not.
pub fn toggle_archive(state: &mut State) -> Vec<Command> {
    let lang = state.lang;
    let Some(row) = state.inbox.selected_row() else {
        return Vec::new();
    };
    let key = row.summary.key.clone();
    if key.provider != crate::store::Provider::Agilize {
        state.notify(
            Level::Error,
            lang.pick(
                "a Wegly não tem como arquivar pela API; só salas da Agilize",
                "Wegly has no archive endpoint; only Agilize rooms",
            )
            .to_owned(),
        );
        return Vec::new();
    }
    let archive = !row.summary.columns.archived;
    let contact = row
        .summary
        .columns
        .contact
        .clone()
        .unwrap_or_else(|| key.chat_id.clone());
    if state.busy.contains(&key) {
        state.notify(Level::Error, busy_message(lang));
        return Vec::new();
    }
    if !archive {
        return send_archive(state, key, false);
    }
    state.modal = Some(Modal::Confirm(Confirm {
        title: tr!(
            lang,
            " Concluir sala · {contact} ",
            " Conclude room · {contact} "
        ),
        lines: vec![
            tr!(
                lang,
                "Concluir a sala de {contact}: ela sai das salas em aberto.",
                "Conclude the room of {contact}: it leaves the open rooms."
            ),
            lang.pick(
                "Ela pode ser reaberta depois, com a mesma tecla.",
                "It can be reopened later, with the same key.",
            )
            .to_owned(),
        ],
        verb: lang.pick("concluir", "conclude").to_owned(),
        change: Destructive::ConcludeRoom(key),
    }));
    Vec::new()
}

/// Sends `chIsArchived` for a room.
fn send_archive(state: &mut State, key: ChatKey, archive: bool) -> Vec<Command> {
    let patch = serde_json::json!({ "chIsArchived": archive });
    let pending = Pending::RoomChange {
        key: key.clone(),
        action: if archive {
            "archive_room"
        } else {
            "unarchive_room"
        },
        request: patch.to_string(),
    };
    match begin_change(state, &key, pending) {
        Ok(id) => vec![Command::Api(ApiRequest {
            id,
            call: ApiCall::UpdateRoom { key, patch },
        })],
        Err(busy) => {
            state.notify(Level::Error, busy);
            Vec::new()
        }
    }
}

/// Starts a change to a chat: refused with "busy" while another is in flight; otherwise the
/// request is recorded as pending, the row marked, and its id returned.
fn begin_change(state: &mut State, key: &ChatKey, pending: Pending) -> Result<RequestId, String> {
    if state.busy.contains(key) {
        return Err(busy_message(state.lang));
    }
    let id = state.mint();
    state.pending.insert(id, pending);
    state.busy.insert(key.clone());
    state.failed.remove(key);
    Ok(id)
}

/// Submits the reassign modal.
fn confirm_reassign(state: &mut State, mut modal: crate::console::modal::Reassign) -> Vec<Command> {
    let lang = state.lang;
    if modal.stage != Stage::Editing {
        return Vec::new();
    }
    let Some(candidate) = modal.chosen().cloned() else {
        modal.error = Some(
            lang.pick("ninguém corresponde ao filtro", "nobody matches the filter")
                .to_owned(),
        );
        state.modal = Some(Modal::Reassign(modal));
        return Vec::new();
    };
    // A request with every toggle off would change nothing, yet the CRM answers 200: refuse it
    // here rather than report a success. Rooms have no toggles (their user is what changes).
    if modal.room_users.is_none() && modal.toggles == [false; 3] {
        modal.error = Some(
            lang.pick(
                "nada mudaria: ligue ao menos uma opção entre conversa, leads e negócios",
                "nothing would change: turn on at least one of chat, leads or deals",
            )
            .to_owned(),
        );
        state.modal = Some(Modal::Reassign(modal));
        return Vec::new();
    }
    if modal.expected.as_deref() == Some(candidate.user_id.as_str())
        && modal.toggles == [true, false, false]
    {
        let name = &candidate.name;
        modal.error = Some(tr!(
            lang,
            "{name} já é o responsável",
            "{name} is already the responsible"
        ));
        state.modal = Some(Modal::Reassign(modal));
        return Vec::new();
    }
    let request = UpdateResponsibleRequest {
        user_id: candidate.user_id.clone(),
        update_chat: modal.toggles[0],
        update_leads: modal.toggles[1],
        update_deals: modal.toggles[2],
    };
    let pending = Pending::Reassign {
        key: modal.key.clone(),
        to: candidate.name.clone(),
        request: serde_json::to_string(&request).unwrap_or_default(),
        before: modal
            .expected_name
            .clone()
            .or_else(|| modal.expected.clone()),
        scope: modal.toggles,
    };
    let id = match begin_change(state, &modal.key.clone(), pending) {
        Ok(id) => id,
        Err(busy) => {
            modal.error = Some(busy);
            state.modal = Some(Modal::Reassign(modal));
            return Vec::new();
        }
    };
    modal.stage = Stage::Sending(id);
    modal.error = None;
    let call = match &modal.room_users {
        // An Agilize room: the new user is assigned and joins the room's users. Rooms have no
        // read endpoint, so there is nothing to re-read before writing.
        Some(users) => {
            let mut users = users.clone();
            if !users.contains(&request.user_id) {
                users.push(request.user_id.clone());
            }
            ApiCall::UpdateRoom {
                key: modal.key.clone(),
                patch: serde_json::json!({ "user": request.user_id, "users": users }),
            }
        }
        None => ApiCall::Reassign {
            key: modal.key.clone(),
            expected: modal.expected.clone(),
            request,
        },
    };
    state.modal = Some(Modal::Reassign(modal));
    vec![Command::Api(ApiRequest { id, call })]
}

/// Submits the remove modal.
fn confirm_remove(state: &mut State, mut modal: crate::console::modal::Remove) -> Vec<Command> {
    let lang = state.lang;
    if modal.stage != Stage::Editing {
        return Vec::new();
    }
    let Some(choice) = modal.choices.get(modal.cursor).cloned() else {
        modal.error = Some(
            lang.pick(
                "a conversa não tem participantes",
                "the chat has no participants",
            )
            .to_owned(),
        );
        state.modal = Some(Modal::Remove(modal));
        return Vec::new();
    };
    if choice.responsible {
        let name = &choice.name;
        modal.error = Some(tr!(
            lang,
            "{name} é o responsável atual e não pode ser removido; reatribua a conversa antes",
            "{name} is the current responsible and cannot be removed; reassign the chat first"
        ));
        state.modal = Some(Modal::Remove(modal));
        return Vec::new();
    }
    let who = &choice.name;
    let left: Vec<&str> = modal
        .choices
        .iter()
        .filter(|c| c.user_id != choice.user_id)
        .map(|c| c.name.as_str())
        .collect();
    let left = if left.is_empty() {
        lang.pick("ninguém", "nobody").to_owned()
    } else {
        left.join(", ")
    };
    let contact = modal.contact.clone();
    let lines = if modal.room {
        vec![
            tr!(
                lang,
                "{who} sai da sala de {contact}.",
                "{who} leaves the room of {contact}."
            ),
            tr!(lang, "Ficam na sala: {left}", "Left in the room: {left}"),
        ]
    } else {
        vec![
            tr!(
                lang,
                "{who} sai da conversa com {contact}.",
                "{who} leaves the chat with {contact}."
            ),
            tr!(
                lang,
                "Ficam como participantes: {left}",
                "Left as participants: {left}"
            ),
        ]
    };
    state.modal = Some(Modal::Confirm(Confirm {
        title: tr!(
            lang,
            " Remover participante · {contact} ",
            " Remove participant · {contact} "
        ),
        lines,
        verb: lang.pick("remover", "remove").to_owned(),
        change: Destructive::RemoveParticipant(modal),
    }));
    Vec::new()
}

/// Sends the removal of the participant under the remove modal's cursor, once confirmed.
fn send_remove(state: &mut State, mut modal: crate::console::modal::Remove) -> Vec<Command> {
    let Some(choice) = modal.choices.get(modal.cursor).cloned() else {
        state.modal = Some(Modal::Remove(modal));
        return Vec::new();
    };
    let pending = Pending::Remove {
        key: modal.key.clone(),
        name: choice.name.clone(),
        user_id: choice.user_id.clone(),
    };
    let id = match begin_change(state, &modal.key.clone(), pending) {
        Ok(id) => id,
        Err(busy) => {
            modal.error = Some(busy);
            state.modal = Some(Modal::Remove(modal));
            return Vec::new();
        }
    };
    modal.stage = Stage::Sending(id);
    let call = if modal.room {
        let users: Vec<&str> = modal
            .choices
            .iter()
            .map(|c| c.user_id.as_str())
            .filter(|id| *id != choice.user_id)
            .collect();
        ApiCall::UpdateRoom {
            key: modal.key.clone(),
            patch: serde_json::json!({ "users": users }),
        }
    } else {
        ApiCall::RemoveParticipant {
            key: modal.key.clone(),
            user_id: choice.user_id,
        }
    };
    state.modal = Some(Modal::Remove(modal));
    vec![Command::Api(ApiRequest { id, call })]
}

/// Submits the create modal.
fn confirm_create(state: &mut State, mut form: crate::console::modal::Create) -> Vec<Command> {
    let lang = state.lang;
    if form.stage != Stage::Editing {
        return Vec::new();
    }
    match create_request(&form.values, lang) {
        Err(problems) => {
            form.problems = problems;
            state.modal = Some(Modal::Create(form));
            Vec::new()
        }
        Ok(request) => {
            let id = state.mint();
            state.pending.insert(
                id,
                Pending::Create {
                    account: state.account.clone(),
                    request: serde_json::to_string(&request).unwrap_or_default(),
                },
            );
            form.stage = Stage::Sending(id);
            form.problems.clear();
            form.server_error = None;
            state.modal = Some(Modal::Create(form));
            let call = ApiCall::CreateChat {
                account: state.account.clone(),
                request,
            };
            vec![Command::Api(ApiRequest { id, call })]
        }
    }
}

/// Submits the add modal.
fn confirm_add(state: &mut State, mut modal: crate::console::modal::Add) -> Vec<Command> {
    let lang = state.lang;
    if modal.stage != Stage::Editing {
        return Vec::new();
    }
    let text = modal.input.trim().to_owned();
    let Ok(uuid) = uuid::Uuid::parse_str(&text) else {
        modal.error = Some(tr!(
            lang,
            "'{text}' não é um id de conversa (UUID, ex. 8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23)",
            "'{text}' is not a chat id (a UUID like 8f1c2b7e-3d4a-4e6b-9a21-5c7d9e0f1a23)"
        ));
        state.modal = Some(Modal::Add(modal));
        return Vec::new();
    };
    let key = ChatKey::wegly(&state.account, &uuid.to_string());
    let id = state.mint();
    let known = state.inbox.row(&key).is_some();
    state.pending.insert(
        id,
        Pending::Add {
            key: key.clone(),
            known,
        },
    );
    modal.stage = Stage::Sending(id);
    state.modal = Some(Modal::Add(modal));
    vec![Command::Api(ApiRequest {
        id,
        call: ApiCall::AddChat(key),
    })]
}

/// `BODY:1=Ana; BODY:2=...` as template fields; each part that does not read is a problem.
fn template_values(
    text: &str,
    lang: Lang,
    problems: &mut Vec<(usize, String)>,
) -> Vec<TemplateField> {
    let mut template_fields = Vec::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let parsed = part.split_once('=').and_then(|(target, text)| {
            let (component, index) = target.split_once(':')?;
            let index = index.trim().parse::<i64>().ok()?;
            Some(TemplateField {
                component: component.trim().to_ascii_uppercase(),
                kind: "TEXT".to_owned(),
                index,
                button_index: None,
                card_index: None,
                value: text.trim().to_owned(),
            })
        });
        match parsed {
            Some(field) => template_fields.push(field),
            None => problems.push((
                field::VALUES,
                tr!(
                    lang,
                    "'{part}': use COMPONENTE:ÍNDICE=VALOR",
                    "'{part}': use COMPONENT:INDEX=VALUE"
                ),
            )),
        }
    }
    template_fields
}

/// Checks the create form; every problem is reported by field.
pub fn create_request(
    values: &[String],
    lang: Lang,
) -> Result<CreateChatRequest, Vec<(usize, String)>> {
    let mut problems = Vec::new();
    let value = |index: usize| values.get(index).map_or("", |v| v.trim());
    let uuid_field =
        |index: usize, problems: &mut Vec<(usize, String)>, required: bool| -> Option<String> {
            let text = value(index);
            if text.is_empty() {
                if required {
                    problems.push((index, lang.pick("obrigatório", "required").to_owned()));
                }
                return None;
            }
            if let Ok(uuid) = uuid::Uuid::parse_str(text) {
                Some(uuid.to_string())
            } else {
                problems.push((
                    index,
                    tr!(lang, "'{text}' não é um UUID", "'{text}' is not a UUID"),
                ));
                None
            }
        };
    let line = uuid_field(field::LINE, &mut problems, true);
    let contact = value(field::CONTACT).to_owned();
    let count = contact.chars().count();
    if contact.is_empty() {
        problems.push((
            field::CONTACT,
            lang.pick("obrigatório", "required").to_owned(),
        ));
    } else if count > MAX_CONTACT_ID_CHARS {
        problems.push((
            field::CONTACT,
            tr!(
                lang,
                "{count} caracteres; o máximo é {MAX_CONTACT_ID_CHARS}",
                "{count} characters; at most {MAX_CONTACT_ID_CHARS}"
            ),
        ));
    }
    if value(field::TEMPLATE).is_empty() {
        problems.push((
            field::TEMPLATE,
            lang.pick("obrigatório", "required").to_owned(),
        ));
    }
    if value(field::LANGUAGE).is_empty() {
        problems.push((
            field::LANGUAGE,
            lang.pick("obrigatório (ex. pt_BR)", "required (e.g. pt_BR)")
                .to_owned(),
        ));
    }
    let template_fields = template_values(value(field::VALUES), lang, &mut problems);
    let person = uuid_field(field::PERSON, &mut problems, false);
    let agent = uuid_field(field::AGENT, &mut problems, false);
    let status = match value(field::STATUS).to_ascii_uppercase().as_str() {
        "" | "OPEN" => Some(ChatStatus::Open),
        "RESOLVED" => Some(ChatStatus::Resolved),
        "SNOOZED" => Some(ChatStatus::Snoozed),
        other => {
            problems.push((
                field::STATUS,
                tr!(
                    lang,
                    "'{other}': OPEN, RESOLVED ou SNOOZED",
                    "'{other}': OPEN, RESOLVED or SNOOZED"
                ),
            ));
            None
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(CreateChatRequest {
        whatsapp_phone_id: line.unwrap_or_default(),
        wa_contact_id: contact,
        template: TemplateRef {
            name: value(field::TEMPLATE).to_owned(),
            language: value(field::LANGUAGE).to_owned(),
        },
        template_fields,
        person_contact_id: None,
        remote_profile_name: None,
        crm_person_id: person,
        assigned_agent_id: agent,
        status,
    })
}

/// The actor's queue was full: nothing was sent, so nothing is audited or marked failed, and the
/// connection is not in doubt. The request is forgotten and the user told to try again.
pub fn api_busy(state: &mut State, id: RequestId) -> Vec<Command> {
    let Some(pending) = state.pending.remove(&id) else {
        return Vec::new();
    };
    if let Some(key) = pending.mutated_chat() {
        state.busy.remove(key);
    }
    if state.detail.status == DetailStatus::Loading(id) {
        state.detail.status = DetailStatus::Idle;
    }
    let text = state
        .lang
        .pick(
            "a API está ocupada; tente de novo em instantes",
            "the API is busy; try again in a moment",
        )
        .to_owned();
    state.reopen_with_error(&text);
    state.notify(Level::Error, text);
    Vec::new()
}

/// What a mutation changed, for its audit entry.
struct Change<'a> {
    action: &'a str,
    request: Option<String>,
    before: Option<String>,
    after: Option<String>,
}

fn audit(
    state: &State,
    key: &ChatKey,
    change: Change<'_>,
    outcome: &str,
    status: Option<u16>,
) -> Command {
    Command::Audit(AuditEntry {
        at: state.now,
        key: key.clone(),
        action: change.action.to_owned(),
        request: change.request,
        before: change.before,
        after: change.after,
        outcome: outcome.to_owned(),
        http_status: status,
    })
}

/// Applies a fresh chat to the row and the detail.
fn apply_fresh(state: &mut State, fresh: &Fresh) -> Vec<Command> {
    let summary = fresh
        .summary
        .clone()
        .unwrap_or_else(|| crate::store::ChatSummary {
            key: fresh.key.clone(),
            columns: Columns::from(&*fresh.chat),
            first_seen_at: state.now,
            last_event_at: None,
            hydrated_at: Some(state.now),
            source: crate::store::Source::Manual,
            gone: false,
            needs_hydration: false,
            last_error: None,
        });
    // Only a detail that is really the shown chat takes the pane.
    if state.detail.key.as_ref() == Some(&fresh.key)
        && fresh.chat.id.as_deref() == Some(fresh.key.chat_id.as_str())
    {
        state.detail.chat = Some(fresh.chat.clone());
        state.detail.as_of = Some(state.now);
        state.detail.status = DetailStatus::Idle;
    }
    // The reply carries the detail itself: the row changes, the pane needs no reload.
    upsert_row(state, summary)
}

/// A change that did not come back confirmed: the modal reopens with the reason and the status
/// bar says it. "Not changed" (and the row's ✗ marker) only when that is known; an unverified
/// outcome says only what its message says: it may have been applied.
fn change_failed(
    state: &mut State,
    key: &ChatKey,
    error: &ApiError,
    not_changed: impl FnOnce(&str) -> String,
) {
    let text = error.user_message(state.lang);
    state.reopen_with_error(&text);
    let line = if error.kind() == ErrorKind::OutcomeUnknown {
        text
    } else {
        state.failed.insert(key.clone());
        not_changed(&text)
    };
    state.notify(Level::Error, line);
}

fn error_outcome(error: &ApiError) -> &'static str {
    match error.kind() {
        ErrorKind::Refused
        | ErrorKind::NotFound
        | ErrorKind::Forbidden
        | ErrorKind::Unauthorized => "refused",
        // The reply was lost and re-reading could not tell: the audit must not claim a failure.
        ErrorKind::OutcomeUnknown => "unknown",
        _ => "failed",
    }
}

/// One answer from the actor.
pub fn api_event(state: &mut State, event: ApiEvent) -> Vec<Command> {
    let Some(pending) = state.pending.remove(&event.id) else {
        // Not ours any more (or never): a stale reply changes nothing.
        return Vec::new();
    };
    if let Some(key) = pending.mutated_chat() {
        state.busy.remove(key);
    }
    match &event.outcome {
        Ok(_) => state.connection = crate::console::state::Connection::default(),
        Err(error) => match error.kind() {
            ErrorKind::Unauthorized | ErrorKind::Forbidden => state.connection.auth_refused = true,
            ErrorKind::Network | ErrorKind::Timeout => state.connection.offline = true,
            _ => {}
        },
    }
    let is_room = pending
        .mutated_chat()
        .is_some_and(|key| key.provider == crate::store::Provider::Agilize);
    match pending {
        _ if is_room => room_outcome(state, &pending, event.outcome),
        Pending::Reassign { .. } => reassign_outcome(state, pending, event.outcome),
        Pending::Remove { .. } => remove_outcome(state, pending, event.outcome),
        Pending::Create { .. } => create_outcome(state, pending, event.outcome),
        _ => read_outcome(state, pending, event.outcome),
    }
}

/// Applies a changed room to its row and, when shown, to the detail.
fn apply_room(state: &mut State, fresh: &crate::console::msg::FreshRoom) -> Vec<Command> {
    if state.detail.key.as_ref() == Some(&fresh.key) {
        state.detail.room = Some(fresh.room.clone());
        state.detail.as_of = Some(state.now);
    }
    fresh
        .summary
        .clone()
        .map(|summary| upsert_row(state, summary))
        .unwrap_or_default()
}

/// A change to a room answered: reassignment, removal, archive.
fn room_outcome(
    state: &mut State,
    pending: &Pending,
    outcome: Result<ApiReply, ApiError>,
) -> Vec<Command> {
    let lang = state.lang;
    let (key, action, request, done) = match pending {
        Pending::Reassign {
            key, to, request, ..
        } => (
            key.clone(),
            "reassign_responsible",
            request.clone(),
            tr!(lang, "sala atribuída a {to}", "room assigned to {to}"),
        ),
        Pending::Remove { key, name, user_id } => (
            key.clone(),
            "remove_participant",
            format!("users without {user_id}"),
            tr!(lang, "{name} saiu da sala", "{name} left the room"),
        ),
        Pending::RoomChange {
            key,
            action,
            request,
        } => {
            let text = match *action {
                "archive_room" => lang.pick("sala concluída", "room concluded"),
                "unarchive_room" => lang.pick("sala reaberta", "room reopened"),
                "change_department" => lang.pick("departamento alterado", "department changed"),
                _ => lang.pick("tags alteradas", "tags changed"),
            };
            (key.clone(), *action, request.clone(), text.to_owned())
        }
        _ => return Vec::new(),
    };
    let change = |after: Option<String>| Change {
        action,
        request: Some(request.clone()),
        before: None,
        after,
    };
    match outcome {
        Ok(ApiReply::RoomUpdated(fresh)) => {
            state.close_modal_sending();
            state.notify(Level::Info, done);
            let mut commands = apply_room(state, &fresh);
            commands.push(audit(
                state,
                &key,
                change(fresh.room.user.clone()),
                "confirmed",
                Some(200),
            ));
            commands
        }
        Ok(_) => Vec::new(),
        Err(error) => {
            change_failed(state, &key, &error, |text| {
                tr!(
                    lang,
                    "sala não alterada: {text}",
                    "room not changed: {text}"
                )
            });
            vec![audit(
                state,
                &key,
                change(None),
                error_outcome(&error),
                error.status(),
            )]
        }
    }
}

/// Fetches, additions and totals.
fn read_outcome(
    state: &mut State,
    pending: Pending,
    outcome: Result<ApiReply, ApiError>,
) -> Vec<Command> {
    let lang = state.lang;
    match (pending, outcome) {
        (Pending::Fetch(_), Ok(ApiReply::Chat(fresh))) => apply_fresh(state, &fresh),
        // An id the CRM does not know, given by hand: said so, and no row is left behind.
        (Pending::Add { key, known: false }, Ok(ApiReply::Gone(..))) => {
            no_such_chat(state, key, false)
        }
        (Pending::Add { key, known }, Err(error)) if error.kind() == ErrorKind::NotFound => {
            no_such_chat(state, key, known)
        }
        (Pending::Fetch(key) | Pending::Add { key, .. }, Ok(ApiReply::Gone(_, summary))) => {
            if state.detail.key.as_ref() == Some(&key) {
                state.detail.status = DetailStatus::Gone;
            }
            state.close_modal_for_add();
            state.notify(
                Level::Error,
                lang.pick(
                    "a conversa não existe mais no CRM (404)",
                    "the chat no longer exists in the CRM (404)",
                )
                .to_owned(),
            );
            summary
                .map(|summary| upsert_row(state, summary))
                .unwrap_or_default()
        }
        (Pending::Fetch(key), Err(error)) => {
            if state.detail.key.as_ref() == Some(&key) {
                state.detail.status = DetailStatus::Failed(error.user_message(lang));
            }
            Vec::new()
        }
        (Pending::Add { .. }, Ok(ApiReply::Chat(fresh))) => {
            state.close_modal_for_add();
            let name = fresh.chat.display_name().unwrap_or("—").to_owned();
            state.notify(
                Level::Info,
                tr!(lang, "conversa adicionada: {name}", "chat added: {name}"),
            );
            apply_fresh(state, &fresh)
        }
        (Pending::Add { .. }, Err(error)) => {
            let text = error.user_message(lang);
            if let Some(Modal::Add(modal)) = &mut state.modal {
                modal.stage = Stage::Editing;
                modal.error = Some(text);
            } else {
                state.notify(Level::Error, text);
            }
            Vec::new()
        }
        (Pending::Unread, Ok(ApiReply::Unread(_, summary))) => {
            state.unread = Some((
                summary.unread_messages_total.unwrap_or(0),
                summary.unread_chats_total.unwrap_or(0),
            ));
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// An add by id found no such chat (404): the add modal (or the status bar) says so, and a row
/// the add put in the index is taken out again, so no permanent `✝` row is left behind. A chat
/// the list had before keeps its row.
fn no_such_chat(state: &mut State, key: ChatKey, known: bool) -> Vec<Command> {
    let lang = state.lang;
    let (id, account) = (&key.chat_id, &key.account);
    let text = tr!(
        lang,
        "não há conversa com o id {id} na conta {account} (404); nada foi adicionado",
        "no chat with id {id} in account {account} (404); nothing was added"
    );
    if let Some(Modal::Add(modal)) = &mut state.modal {
        modal.stage = Stage::Editing;
        modal.error = Some(text);
    } else {
        state.notify(Level::Error, text);
    }
    if known {
        return Vec::new();
    }
    let (now, me) = (state.now, state.me.clone());
    let mut commands = Vec::new();
    if state.inbox.remove(&key, now, &me) {
        commands.extend(selection_changed(state));
    }
    commands.push(Command::ForgetChat {
        key,
        announce: false,
    });
    commands
}

/// Asks before forgetting the selected chat; only a chat gone from the CRM (`✝`) is forgotten
/// here (a live one would come back with its next webhook).
pub fn ask_forget(state: &mut State) -> Vec<Command> {
    let lang = state.lang;
    let Some(row) = state.inbox.selected_row() else {
        state.notify(
            Level::Error,
            lang.pick("nenhuma conversa selecionada", "no chat selected")
                .to_owned(),
        );
        return Vec::new();
    };
    let key = row.summary.key.clone();
    let contact = row
        .summary
        .columns
        .contact
        .clone()
        .or_else(|| row.summary.columns.contact_number.clone())
        .unwrap_or_else(|| key.chat_id.clone());
    if !row.summary.gone {
        state.notify(
            Level::Error,
            lang.pick(
                "só se esquece aqui uma conversa que sumiu do CRM (✝); `balcao inbox remove ID` tira qualquer uma do índice",
                "only a chat gone from the CRM (✝) is forgotten here; `balcao inbox remove ID` takes any out of the index",
            )
            .to_owned(),
        );
        return Vec::new();
    }
    if state.busy.contains(&key) {
        state.notify(Level::Error, busy_message(lang));
        return Vec::new();
    }
    let id = &key.chat_id;
    state.modal = Some(Modal::Confirm(Confirm {
        title: tr!(lang, " Esquecer · {contact} ", " Forget · {contact} "),
        lines: vec![
            tr!(
                lang,
                "{contact} ({id}) não existe mais no CRM.",
                "{contact} ({id}) no longer exists in the CRM."
            ),
            lang.pick(
                "Esquecer tira a linha e o detalhe guardado do índice, como `balcao inbox remove`.",
                "Forgetting takes its row and stored detail out of the index, like `balcao inbox remove`.",
            )
            .to_owned(),
        ],
        verb: lang.pick("esquecer", "forget").to_owned(),
        change: Destructive::ForgetChat(key),
    }));
    Vec::new()
}

/// The index answered a forget: the row leaves the list, or the failure is said.
pub fn forgotten(
    state: &mut State,
    key: &ChatKey,
    announce: bool,
    outcome: Result<bool, String>,
) -> Vec<Command> {
    let lang = state.lang;
    let contact = state
        .inbox
        .row(key)
        .and_then(|row| row.summary.columns.contact.clone())
        .unwrap_or_else(|| key.chat_id.clone());
    let change = || Change {
        action: "forget_chat",
        request: None,
        before: Some(contact.clone()),
        after: None,
    };
    match outcome {
        Ok(_) => {
            let (now, me) = (state.now, state.me.clone());
            let mut commands = Vec::new();
            if state.inbox.remove(key, now, &me) {
                commands.extend(selection_changed(state));
            }
            if announce {
                state.notify(
                    Level::Info,
                    tr!(
                        lang,
                        "{contact} esquecida: fora do índice",
                        "{contact} forgotten: out of the index"
                    ),
                );
                commands.push(audit(state, key, change(), "confirmed", None));
            }
            commands
        }
        Err(error) => {
            state.notify(
                Level::Error,
                tr!(
                    lang,
                    "o índice ainda tem {contact}: {error}",
                    "the index still holds {contact}: {error}"
                ),
            );
            if announce {
                vec![audit(state, key, change(), "failed", None)]
            } else {
                Vec::new()
            }
        }
    }
}

/// The responsible moved before the write: nothing was written; the modal (or the status bar)
/// says who holds the chat now and lets the user decide again.
fn responsible_changed(
    state: &mut State,
    key: &ChatKey,
    to: &str,
    request: String,
    before: Option<String>,
    fresh: &Fresh,
) -> Vec<Command> {
    let lang = state.lang;
    let now_name = fresh
        .chat
        .responsible_name()
        .map_or_else(|| lang.pick("ninguém", "nobody").to_owned(), str::to_owned);
    let message = tr!(
        lang,
        "o responsável mudou enquanto isso: agora é {now_name}. Enter reatribui a {to} mesmo assim; Esc cancela",
        "the responsible changed meanwhile: it is now {now_name}. Enter reassigns to {to} anyway; Esc cancels"
    );
    match &mut state.modal {
        Some(Modal::Reassign(modal)) if modal.key == *key => {
            modal.stage = Stage::Editing;
            modal.expected = fresh.chat.responsible_user_id().map(str::to_owned);
            modal.expected_name = fresh.chat.responsible_name().map(str::to_owned);
            modal.error = Some(message);
        }
        _ => state.notify(Level::Error, message),
    }
    let mut commands = apply_fresh(state, fresh);
    commands.push(audit(
        state,
        key,
        Change {
            action: "reassign_responsible",
            request: Some(request),
            before,
            after: Some(now_name),
        },
        "conflict",
        None,
    ));
    commands
}

/// Reassignments: confirmed, conflicting or refused.
fn reassign_outcome(
    state: &mut State,
    pending: Pending,
    outcome: Result<ApiReply, ApiError>,
) -> Vec<Command> {
    let lang = state.lang;
    match (pending, outcome) {
        (
            Pending::Reassign {
                key,
                to,
                request,
                before,
                scope,
            },
            Ok(ApiReply::Reassigned(fresh)),
        ) => {
            state.close_modal_sending();
            let after = fresh.chat.responsible_name().map(str::to_owned);
            // Without `update_chat` only the contact's leads and deals move: the chat keeps its
            // responsible, and neither the message nor the audit may say otherwise.
            let (text, action) = if scope[0] {
                (
                    tr!(lang, "reatribuída a {to}", "reassigned to {to}"),
                    "reassign_responsible",
                )
            } else {
                let what = match (scope[1], scope[2]) {
                    (true, false) => "leads",
                    (false, true) => lang.pick("negócios", "deals"),
                    _ => lang.pick("leads/negócios", "leads/deals"),
                };
                (
                    tr!(
                        lang,
                        "{what} reatribuídos a {to}; o responsável da conversa não mudou",
                        "{what} reassigned to {to}; the chat's responsible is unchanged"
                    ),
                    "reassign_leads_deals",
                )
            };
            state.notify(Level::Info, text);
            let mut commands = apply_fresh(state, &fresh);
            commands.push(audit(
                state,
                &key,
                Change {
                    action,
                    request: Some(request),
                    before,
                    after,
                },
                "confirmed",
                Some(200),
            ));
            commands
        }
        (
            Pending::Reassign {
                key,
                to,
                request,
                before,
                ..
            },
            Ok(ApiReply::ResponsibleChanged(fresh)),
        ) => responsible_changed(state, &key, &to, request, before, &fresh),
        (
            Pending::Reassign {
                key,
                request,
                before,
                ..
            },
            Err(error),
        ) => {
            change_failed(state, &key, &error, |text| {
                tr!(lang, "não reatribuída: {text}", "not reassigned: {text}")
            });
            vec![audit(
                state,
                &key,
                Change {
                    action: "reassign_responsible",
                    request: Some(request),
                    before,
                    after: None,
                },
                error_outcome(&error),
                error.status(),
            )]
        }
        _ => Vec::new(),
    }
}

/// Participant removals: confirmed or refused.
fn remove_outcome(
    state: &mut State,
    pending: Pending,
    outcome: Result<ApiReply, ApiError>,
) -> Vec<Command> {
    let lang = state.lang;
    match (pending, outcome) {
        (Pending::Remove { key, name, user_id }, Ok(ApiReply::ParticipantRemoved(fresh))) => {
            state.close_modal_sending();
            state.notify(
                Level::Info,
                tr!(
                    lang,
                    "{name} removido da conversa",
                    "{name} removed from the chat"
                ),
            );
            let mut commands = apply_fresh(state, &fresh);
            let request = format!("DELETE participants/{user_id}");
            commands.push(audit(
                state,
                &key,
                Change {
                    action: "remove_participant",
                    request: Some(request),
                    before: Some(name),
                    after: None,
                },
                "confirmed",
                Some(200),
            ));
            commands
        }
        (Pending::Remove { key, name, user_id }, Err(error)) => {
            change_failed(state, &key, &error, |text| {
                tr!(
                    lang,
                    "{name} não foi removido: {text}",
                    "{name} was not removed: {text}"
                )
            });
            let request = format!("DELETE participants/{user_id}");
            vec![audit(
                state,
                &key,
                Change {
                    action: "remove_participant",
                    request: Some(request),
                    before: Some(name),
                    after: None,
                },
                error_outcome(&error),
                error.status(),
            )]
        }
        _ => Vec::new(),
    }
}

/// Chat creation: created, reused or refused.
fn create_outcome(
    state: &mut State,
    pending: Pending,
    outcome: Result<ApiReply, ApiError>,
) -> Vec<Command> {
    let lang = state.lang;
    match (pending, outcome) {
        (Pending::Create { request, .. }, Ok(ApiReply::Created(fresh, created))) => {
            state.modal = None;
            let text = if created {
                lang.pick("conversa criada", "chat created")
            } else {
                lang.pick(
                    "o contato já tinha conversa nesta linha; ela foi reaproveitada",
                    "the contact already had a chat on this line; it was reused",
                )
            };
            state.notify(Level::Info, text.to_owned());
            let mut commands = apply_fresh(state, &fresh);
            commands.push(audit(
                state,
                &fresh.key,
                Change {
                    action: "create_chat",
                    request: Some(request),
                    before: None,
                    after: None,
                },
                if created { "created" } else { "reused" },
                Some(if created { 201 } else { 200 }),
            ));
            commands
        }
        (Pending::Create { account, request }, Err(error)) => {
            let text = error.user_message(lang);
            if let Some(Modal::Create(form)) = &mut state.modal {
                form.stage = Stage::Editing;
                form.server_error = Some(text.clone());
            } else {
                state.notify(
                    Level::Error,
                    tr!(
                        lang,
                        "conversa não criada: {text}",
                        "chat not created: {text}"
                    ),
                );
            }
            vec![audit(
                state,
                &ChatKey::wegly(&account, ""),
                Change {
                    action: "create_chat",
                    request: Some(request),
                    before: None,
                    after: None,
                },
                error_outcome(&error),
                error.status(),
            )]
        }
        _ => Vec::new(),
    }
}

impl State {
    /// Closes a reassign or remove modal waiting on its reply.
    fn close_modal_sending(&mut self) {
        if matches!(&self.modal, Some(Modal::Reassign(m)) if matches!(m.stage, Stage::Sending(_)))
            || matches!(&self.modal, Some(Modal::Remove(m)) if matches!(m.stage, Stage::Sending(_)))
            || matches!(&self.modal, Some(Modal::RoomField(m)) if matches!(m.stage, Stage::Sending(_)))
        {
            self.modal = None;
        }
    }

    fn close_modal_for_add(&mut self) {
        if matches!(&self.modal, Some(Modal::Add(_))) {
            self.modal = None;
        }
    }

    /// A refused or unsent request: the modal (if still open) returns to editing with the reason.
    fn reopen_with_error(&mut self, text: &str) {
        match &mut self.modal {
            Some(Modal::Reassign(modal)) => {
                modal.stage = Stage::Editing;
                modal.error = Some(text.to_owned());
            }
            Some(Modal::Remove(modal)) => {
                modal.stage = Stage::Editing;
                modal.error = Some(text.to_owned());
            }
            Some(Modal::RoomField(modal)) => {
                modal.stage = Stage::Editing;
                modal.error = Some(text.to_owned());
            }
            Some(Modal::Create(form)) => {
                form.stage = Stage::Editing;
                form.server_error = Some(text.to_owned());
            }
            Some(Modal::Add(modal)) => {
                modal.stage = Stage::Editing;
                modal.error = Some(text.to_owned());
            }
            _ => {}
        }
    }
}

/// The request for unread totals of the state's account.
pub fn request_unread(state: &mut State) -> Command {
    let id = state.mint();
    state.pending.insert(id, Pending::Unread);
    Command::Api(ApiRequest {
        id,
        call: ApiCall::UnreadSummary(state.account.clone()),
    })
}
