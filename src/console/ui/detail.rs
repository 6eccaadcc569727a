//! The detail pane: the chat's whole context, with its loading, failed and gone states and the
//! age of what is shown.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::api::Conversation;
use crate::api::wegly::wire::{Chat, CrmPerson};
use crate::console::desk::{presence_lines, read_only_reason};
use crate::console::state::{DetailStatus, Focus, State};
use crate::console::ui::message::{field, message_lines, section, when};
use crate::console::ui::{theme, timeline};
use crate::i18n::Lang;
use crate::mask::mask_document;
use crate::present::{address_line, priority_label, status_label};
use crate::store::ChatKey;
use crate::timefmt;

pub use crate::console::ui::message::Clock;
use crate::tr;

fn person_lines(lines: &mut Vec<Line<'static>>, person: &CrmPerson, reveal: bool, lang: Lang) {
    lines.push(field(
        lang.pick("Nome", "Name"),
        person.name.clone().unwrap_or_default(),
    ));
    if let Some(birth) = &person.birth_date {
        lines.push(field(lang.pick("Nascimento", "Born"), birth.clone()));
    }
    if let Some(notes) = person.notes.as_deref().filter(|n| !n.is_empty()) {
        lines.push(field(lang.pick("Notas", "Notes"), notes.to_owned()));
    }
    for contact in person.contacts.iter().flatten() {
        lines.push(field(
            lang.pick("Contato", "Contact"),
            contact.value.clone().unwrap_or_default(),
        ));
    }
    for document in person.documents.iter().flatten() {
        let value = document.value.clone().unwrap_or_default();
        let shown = if reveal { value } else { mask_document(&value) };
        lines.push(field(
            &document.label.clone().unwrap_or_else(|| "Doc".to_owned()),
            shown,
        ));
    }
    if let Some(address) = &person.address {
        lines.push(field(
            lang.pick("Endereço", "Address"),
            address_line(address),
        ));
    }
}

/// The responsible and the participants.
fn people_lines(lines: &mut Vec<Line<'static>>, chat: &Chat, lang: Lang) {
    let responsible = match (chat.responsible_name(), chat.responsible_user_id()) {
        (Some(name), Some(id)) => format!("{name} ({id})"),
        (None, Some(id)) => id.to_owned(),
        _ => lang.pick("ninguém", "nobody").to_owned(),
    };
    lines.push(field(lang.pick("Responsável", "Responsible"), responsible));
    for participant in chat.participants.iter().flatten() {
        if let Some(user) = &participant.user {
            lines.push(field(
                lang.pick("Participante", "Participant"),
                user.name.clone().unwrap_or_default(),
            ));
        }
    }
}

/// Every line of an Agilize room: contact and channel ids, users, department, tags, state, flow,
/// utm and the last message, sent at `message_at` (the row's time: a room's `lastEvent` also
/// moves with changes that are not messages).
pub fn room_lines(
    room: &crate::api::agilize::wire::Room,
    message_at: Option<DateTime<Utc>>,
    clock: Clock,
) -> Vec<Line<'static>> {
    let lang = clock.lang;
    let dash = |value: Option<String>| {
        value
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| "—".to_owned())
    };
    let mut lines = vec![
        field(
            lang.pick("Canal", "Channel"),
            crate::api::agilize::wire::channel_name(room.ch_src, lang),
        ),
        field(lang.pick("Telefone", "Phone"), dash(room.ch_phone.clone())),
    ];
    if room.is_bsuid_only() {
        lines.push(field(
            "BSUID",
            dash(room.ch_user_id.clone().or_else(|| room.ch_id.clone())),
        ));
    } else {
        lines.push(field(
            lang.pick("Id no canal", "Channel id"),
            dash(room.ch_id.clone()),
        ));
    }
    if let Some(username) = room.ch_username.clone() {
        lines.push(field(
            lang.pick("Usuário WA", "WA username"),
            format!("@{username}"),
        ));
    }
    lines.push(field("Status", dash(room.status.clone())));
    let flags = [
        (
            room.ch_is_pending == Some(true),
            lang.pick("aguardando resposta", "waiting for a reply"),
        ),
        (
            room.ch_is_archived == Some(true),
            lang.pick("concluída", "concluded"),
        ),
    ];
    let state: Vec<&str> = flags
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, text)| *text)
        .collect();
    lines.push(field(
        lang.pick("Situação", "State"),
        if state.is_empty() {
            "—".to_owned()
        } else {
            state.join(" · ")
        },
    ));
    lines.push(Line::raw(""));
    lines.push(field(lang.pick("Usuário", "User"), dash(room.user.clone())));
    for user in room.user_ids() {
        lines.push(field(lang.pick("Na sala", "In the room"), user));
    }
    lines.push(field(
        lang.pick("Departamento", "Department"),
        dash(room.department.clone()),
    ));
    lines.push(field("Tags", dash(Some(room.tag_ids().join(", ")))));
    if let Some(flow) = room.curr_flow.clone() {
        lines.push(field(lang.pick("Fluxo", "Flow"), flow));
    }
    if let Some(utm) = room.utm.as_ref().filter(|u| !u.is_null()) {
        lines.push(field("UTM", utm.to_string()));
    }
    lines.push(Line::raw(""));
    lines.push(section(lang.pick("Última mensagem", "Last message")));
    let at = message_at.or_else(|| {
        room.last_event
            .as_ref()
            .and_then(crate::api::timestamp::Timestamp::at)
    });
    lines.push(field(lang.pick("Quando", "When"), when(at, clock)));
    let who = match room.last_from_user {
        Some(true) => lang.pick("da empresa", "from the company"),
        Some(false) => lang.pick("do cliente", "from the customer"),
        None => "—",
    };
    lines.push(field(lang.pick("De", "From"), who.to_owned()));
    if let Some(text) = room.last_msg.clone() {
        lines.push(Line::raw(text));
    }
    lines
}

/// Every line of a chat's detail.
pub fn chat_lines(chat: &Chat, reveal: bool, clock: Clock) -> Vec<Line<'static>> {
    let (now, lang) = (clock.now, clock.lang);
    let mut lines = Vec::new();
    let number = chat
        .contact_number
        .clone()
        .or_else(|| chat.wa_contact_id.clone())
        .unwrap_or_default();
    lines.push(field(lang.pick("Número", "Number"), number));
    if let Some(line) = chat
        .phone_number
        .as_ref()
        .and_then(|l| l.display_number.clone())
    {
        lines.push(field(lang.pick("Linha", "Line"), line));
    }
    let status = chat
        .status
        .as_ref()
        .map_or_else(|| "—".to_owned(), |s| status_label(s, lang));
    let priority = chat
        .priority
        .map_or_else(|| "—".to_owned(), |p| priority_label(p, lang));
    let kind = chat
        .chat_type
        .as_ref()
        .map_or("—", |k| k.as_str())
        .to_owned();
    lines.push(field(
        "Status",
        format!(
            "{status} · {} {priority} · {kind}",
            lang.pick("prioridade", "priority")
        ),
    ));
    let manual = if chat.is_manually_unread == Some(true) {
        lang.pick(" (marcada)", " (marked)")
    } else {
        ""
    };
    lines.push(field(
        lang.pick("Não lidas", "Unread"),
        format!("{}{manual}", chat.unread_count.unwrap_or(0)),
    ));
    if let Some(archived) = chat
        .archived_at
        .as_ref()
        .and_then(crate::api::timestamp::Timestamp::at)
    {
        lines.push(field(
            lang.pick("Arquivada", "Archived"),
            when(Some(archived), clock),
        ));
    }
    let expires = chat
        .session_expires_at
        .as_ref()
        .and_then(crate::api::timestamp::Timestamp::at);
    lines.push(field(
        lang.pick("Janela", "Window"),
        timefmt::window(expires, now, lang),
    ));
    lines.push(Line::raw(""));
    people_lines(&mut lines, chat, lang);
    if let Some(message) = &chat.last_message {
        lines.push(Line::raw(""));
        lines.push(section(lang.pick("Última mensagem", "Last message")));
        // Wrapped by the pane's paragraph.
        lines.extend(message_lines(message, clock, usize::MAX, theme::label()));
    }
    if let Some(person) = &chat.crm_person {
        lines.push(Line::raw(""));
        lines.push(section(lang.pick("Pessoa no CRM", "CRM person")));
        person_lines(&mut lines, person, reveal, lang);
    }
    let sources: Vec<String> = chat
        .crm_marketing_lead_source
        .iter()
        .flatten()
        .filter_map(|source| {
            source
                .get("name")
                .and_then(|n| n.as_str())
                .map(str::to_owned)
        })
        .collect();
    if !sources.is_empty() {
        lines.push(field(
            lang.pick("Origem", "Lead source"),
            sources.join(", "),
        ));
    }
    lines
}

/// Whether the chat can be changed here and who else is on it, before its content (with a blank
/// line after, when there is anything to say).
fn desk_lines(state: &State, key: &ChatKey) -> Vec<Line<'static>> {
    let lang = state.lang;
    let mut lines = Vec::new();
    if let Some(account) = state.desk.foreign_account(key) {
        lines.push(Line::styled(read_only_reason(lang, account), theme::high()));
    }
    let presence = presence_lines(lang, &state.desk, key, state.now);
    lines.extend(
        presence
            .into_iter()
            .map(|text| Line::styled(text, theme::high())),
    );
    if !lines.is_empty() {
        lines.push(Line::raw(""));
    }
    lines
}

/// The state's clock, zone and language.
fn clock(state: &State) -> Clock {
    Clock {
        now: state.now,
        offset: state.offset,
        lang: state.lang,
    }
}

/// Draws the detail pane: the chat's detail, or its conversation when that is open.
pub fn render(frame: &mut Frame<'_>, area: Rect, state: &State) {
    if let Some(open) = crate::console::timeline::shown(state) {
        timeline::render(frame, area, state, open);
        return;
    }
    let lang = state.lang;
    let detail = &state.detail;
    let contact = state
        .inbox
        .selected_row()
        .and_then(|row| {
            row.summary
                .columns
                .contact
                .clone()
                .or_else(|| row.summary.columns.contact_number.clone())
        })
        .unwrap_or_default();
    let age = detail.as_of.map(|at| timefmt::age(at, state.now, lang));
    let mut title = format!(" {contact} ");
    match (&detail.status, &age) {
        (DetailStatus::Loading(_), _) => title.push_str(lang.pick("· carregando… ", "· loading… ")),
        (DetailStatus::Gone, _) => {
            title.push_str(lang.pick("· removida do CRM ", "· gone from the CRM "));
        }
        (DetailStatus::Failed(_), Some(age)) => title.push_str(&tr!(
            lang,
            "· de {age}, não atualizada ",
            "· from {age}, not refreshed "
        )),
        (_, Some(age)) => title.push_str(&tr!(lang, "· de {age} ", "· as of {age} ")),
        _ => {}
    }
    let block = theme::pane(title, state.focus == Focus::Detail && state.modal.is_none());
    let mut lines = Vec::new();
    if let DetailStatus::Failed(error) = &detail.status {
        lines.push(Line::styled(error.clone(), theme::error()));
        lines.push(Line::raw(""));
    }
    if let Some(key) = &detail.key {
        lines.extend(desk_lines(state, key));
    }
    if detail.status == DetailStatus::Gone {
        lines.push(Line::styled(
            lang.pick(
                "O CRM não tem mais esta conversa (404). Ela fica no índice, marcada.",
                "The CRM no longer has this chat (404). It stays in the index, flagged.",
            )
            .to_owned(),
            theme::error(),
        ));
    }
    match &detail.conversation {
        Some(Conversation::Room(room)) => {
            let clock = clock(state);
            let message_at = detail
                .key
                .as_ref()
                .and_then(|key| state.inbox.row(key))
                .and_then(|row| row.summary.columns.last_message_at);
            lines.extend(room_lines(room, message_at, clock));
        }
        Some(Conversation::Chat(chat)) => {
            lines.extend(chat_lines(chat, detail.reveal_documents, clock(state)));
        }
        None if detail.key.is_none() => lines.push(Line::styled(
            lang.pick("Nenhuma conversa selecionada.", "No chat selected.")
                .to_owned(),
            theme::dim(),
        )),
        None => {
            let text = match detail.status {
                DetailStatus::Loading(_) => lang.pick("Carregando…", "Loading…"),
                _ => lang.pick(
                    "Ainda não buscada. Enter carrega.",
                    "Not fetched yet. Enter loads it.",
                ),
            };
            lines.push(Line::styled(text.to_owned(), theme::dim()));
        }
    }
    let paragraph = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((detail.scroll, 0));
    frame.render_widget(paragraph, area);
}
