//! The command line's readable output of chats, timelines and totals, in pt-BR or English; the
//! words for single values come from [`crate::present`], shared with the console's views.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::api::wegly::wire::{
    Chat, CrmPerson, Message, Page, TimelineEvent, UnreadSummary, UpdateResponsibleRequest,
};
use crate::i18n::Lang;
use crate::mask::mask_document;
use crate::present::{address_line, call_line, priority_label, status_label};
use crate::timefmt;
use crate::tr;

fn line(out: &mut String, label: &str, value: &str) {
    let _ = writeln!(out, "{label:<14} {value}");
}

fn or_dash(value: Option<&str>) -> &str {
    value.filter(|text| !text.is_empty()).unwrap_or("—")
}

/// The whole chat.
pub fn chat(chat: &Chat, lang: Lang, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    header_block(&mut out, chat, lang, now);
    if let Some(message) = &chat.last_message {
        let _ = writeln!(out, "\n{}", lang.pick("Última mensagem", "Last message"));
        message_block(&mut out, message, lang, now, "  ");
        if let Some(quoted) = &message.quoted_message {
            let _ = writeln!(out, "  {}", lang.pick("Em resposta a:", "Replying to:"));
            message_block(&mut out, quoted, lang, now, "    ");
        }
    }
    if let Some(person) = &chat.crm_person {
        person_block(&mut out, person, lang);
    }
    out
}

/// Contact, line, status, window, responsible and participants.
fn header_block(out: &mut String, chat: &Chat, lang: Lang, now: DateTime<Utc>) {
    let name = chat.display_name().unwrap_or("—");
    let _ = writeln!(out, "{name}  ({})", or_dash(chat.id.as_deref()));
    line(
        out,
        lang.pick("Número:", "Number:"),
        or_dash(
            chat.contact_number
                .as_deref()
                .or(chat.wa_contact_id.as_deref()),
        ),
    );
    let whatsapp_line = chat
        .phone_number
        .as_ref()
        .and_then(|line| line.display_number.as_deref());
    line(out, lang.pick("Linha:", "Line:"), or_dash(whatsapp_line));
    let status = chat
        .status
        .as_ref()
        .map_or_else(|| "—".to_owned(), |s| status_label(s, lang));
    let priority = chat
        .priority
        .map_or_else(|| "—".to_owned(), |p| priority_label(p, lang));
    let kind = chat.chat_type.as_ref().map_or("—", |kind| kind.as_str());
    line(
        out,
        "Status:",
        &format!(
            "{status} · {} {priority} · {kind}",
            lang.pick("prioridade", "priority")
        ),
    );
    let unread = chat.unread_count.unwrap_or(0);
    let manual = if chat.is_manually_unread == Some(true) {
        lang.pick(" (marcada)", " (marked)")
    } else {
        ""
    };
    line(
        out,
        lang.pick("Não lidas:", "Unread:"),
        &format!("{unread}{manual}"),
    );
    if let Some(archived) = chat
        .archived_at
        .as_ref()
        .and_then(super::super::api::timestamp::Timestamp::at)
    {
        line(
            out,
            lang.pick("Arquivada:", "Archived:"),
            &timefmt::local(archived, lang),
        );
    }
    let expires = chat
        .session_expires_at
        .as_ref()
        .and_then(super::super::api::timestamp::Timestamp::at);
    line(
        out,
        lang.pick("Janela:", "Window:"),
        &timefmt::window(expires, now, lang),
    );
    let responsible = match (chat.responsible_name(), chat.responsible_user_id()) {
        (Some(name), Some(id)) => tr!(lang, "{name} (usuário {id})", "{name} (user {id})"),
        (None, Some(id)) => id.to_owned(),
        _ => lang.pick("ninguém", "nobody").to_owned(),
    };
    line(out, lang.pick("Responsável:", "Responsible:"), &responsible);
    let participants: Vec<String> = chat
        .participants
        .iter()
        .flatten()
        .filter_map(|p| p.user.as_ref())
        .map(|user| {
            format!(
                "{} ({})",
                or_dash(user.name.as_deref()),
                or_dash(user.id.as_deref())
            )
        })
        .collect();
    if !participants.is_empty() {
        line(
            out,
            lang.pick("Participantes:", "Participants:"),
            &participants.join(", "),
        );
    }
}

/// The CRM person, with documents masked.
fn person_block(out: &mut String, person: &CrmPerson, lang: Lang) {
    let _ = writeln!(out, "\n{}", lang.pick("Pessoa no CRM", "CRM person"));
    line(
        out,
        lang.pick("  Nome:", "  Name:"),
        or_dash(person.name.as_deref()),
    );
    if let Some(birth) = person.birth_date.as_deref() {
        line(out, lang.pick("  Nascimento:", "  Born:"), birth);
    }
    if let Some(notes) = person.notes.as_deref().filter(|n| !n.is_empty()) {
        line(out, lang.pick("  Notas:", "  Notes:"), notes);
    }
    for contact in person.contacts.iter().flatten() {
        line(
            out,
            lang.pick("  Contato:", "  Contact:"),
            or_dash(contact.value.as_deref()),
        );
    }
    for document in person.documents.iter().flatten() {
        let value = document
            .value
            .as_deref()
            .map(mask_document)
            .unwrap_or_default();
        line(
            out,
            &format!("  {}:", or_dash(document.label.as_deref())),
            &value,
        );
    }
    if let Some(address) = &person.address {
        line(
            out,
            lang.pick("  Endereço:", "  Address:"),
            &address_line(address),
        );
    }
}

fn message_block(
    out: &mut String,
    message: &Message,
    lang: Lang,
    now: DateTime<Utc>,
    indent: &str,
) {
    let when = message
        .meta_timestamp
        .as_ref()
        .or(message.created_at.as_ref())
        .and_then(super::super::api::timestamp::Timestamp::at)
        .map_or_else(
            || "—".to_owned(),
            |at| {
                format!(
                    "{} ({})",
                    timefmt::local(at, lang),
                    timefmt::age(at, now, lang)
                )
            },
        );
    let direction = if message.from_me == Some(true) {
        lang.pick("enviada", "sent")
    } else {
        lang.pick("recebida", "received")
    };
    let sender = message.user.as_ref().and_then(|user| user.name.as_deref());
    let mut head = format!(
        "{indent}{when} · {direction} · {}",
        or_dash(message.kind.as_deref())
    );
    if let Some(sender) = sender {
        let _ = write!(head, " · {sender}");
    }
    if let Some(status) = &message.status {
        let _ = write!(head, " · {status}");
    }
    let _ = writeln!(out, "{head}");
    if let Some(body) = message.body_text.as_deref().filter(|b| !b.is_empty()) {
        let _ = writeln!(out, "{indent}{body}");
    }
    if let Some(media) = &message.media {
        let _ = writeln!(
            out,
            "{indent}📎 {} ({})",
            or_dash(media.file_name.as_deref()),
            or_dash(media.mime_type.as_deref())
        );
    }
    if let Some(call) = &message.call {
        let _ = writeln!(out, "{indent}{}", call_line(call, lang));
    }
    let reactions: Vec<String> = message
        .reactions
        .iter()
        .flatten()
        .map(|r| {
            let who = r
                .reactor_wa_id
                .as_deref()
                .or(r.reactor_user_id.as_deref())
                .unwrap_or("?");
            format!("{} {who}", or_dash(r.emoji.as_deref()))
        })
        .collect();
    if !reactions.is_empty() {
        let _ = writeln!(
            out,
            "{indent}{} {}",
            lang.pick("Reações:", "Reactions:"),
            reactions.join(", ")
        );
    }
}

/// After `chat create`.
pub fn created(value: &Chat, created: bool, lang: Lang, now: DateTime<Utc>) -> String {
    let head = if created {
        lang.pick("Conversa criada.", "Chat created.")
    } else {
        lang.pick(
            "O contato já tinha conversa nesta linha; ela foi reaproveitada.",
            "The contact already had a chat on this line; it was reused.",
        )
    };
    format!("{head}\n\n{}", chat(value, lang, now))
}

/// After `chat reassign`.
/// Without `update_chat` only the contact's leads and deals move: the chat's responsible stays,
/// and the output says so rather than naming a responsible who did not change.
pub fn reassigned(
    value: &Chat,
    request: &UpdateResponsibleRequest,
    lang: Lang,
    now: DateTime<Utc>,
) -> String {
    let head = if request.update_chat {
        let who = value.responsible_name().unwrap_or("—");
        tr!(
            lang,
            "Responsável agora: {who}.",
            "Responsible is now {who}."
        )
    } else {
        let moved = match (request.update_leads, request.update_deals, lang) {
            (true, true, Lang::PtBr) => "Leads e negócios transferidos",
            (true, false, Lang::PtBr) => "Leads transferidos",
            (_, _, Lang::PtBr) => "Negócios transferidos",
            (true, true, Lang::En) => "Leads and deals reassigned",
            (true, false, Lang::En) => "Leads reassigned",
            (_, _, Lang::En) => "Deals reassigned",
        };
        let who = value.responsible_name().unwrap_or("—");
        tr!(
            lang,
            "{moved}; o responsável da conversa não mudou ({who}).",
            "{moved}; the chat's responsible is unchanged ({who})."
        )
    };
    format!("{head}\n\n{}", chat(value, lang, now))
}

/// After `chat remove-participant`.
pub fn participant_removed(value: &Chat, user: Uuid, lang: Lang, now: DateTime<Utc>) -> String {
    let head = tr!(
        lang,
        "Participante {user} removido.",
        "Participant {user} removed."
    );
    format!("{head}\n\n{}", chat(value, lang, now))
}

/// `chat timeline`.
pub fn timeline(page: &Page<TimelineEvent>, lang: Lang) -> String {
    let mut out = String::new();
    let records = page.records.as_deref().unwrap_or_default();
    let total = page
        .total
        .unwrap_or(i64::try_from(records.len()).unwrap_or(0));
    let _ = writeln!(out, "{}", tr!(lang, "{total} eventos", "{total} events"));
    for event in records {
        let when = event
            .event_at
            .as_ref()
            .and_then(super::super::api::timestamp::Timestamp::at)
            .map_or_else(|| "—".to_owned(), |at| timefmt::local(at, lang));
        let Some(message) = &event.message else {
            let _ = writeln!(out, "{when}  {}", or_dash(event.event_type.as_deref()));
            continue;
        };
        let arrow = if message.from_me == Some(true) {
            "→"
        } else {
            "←"
        };
        let mut text = message.body_text.clone().unwrap_or_default();
        if let Some(media) = &message.media {
            let _ = write!(text, " 📎 {}", or_dash(media.file_name.as_deref()));
        }
        if let Some(call) = &message.call {
            let _ = write!(text, " 📞 {}", or_dash(call.status.as_deref()));
        }
        for reaction in message.reactions.iter().flatten() {
            let _ = write!(text, " [{}]", or_dash(reaction.emoji.as_deref()));
        }
        let _ = writeln!(out, "{when}  {arrow} {}", text.trim());
    }
    out
}

/// `chat unread`.
pub fn unread(summary: &UnreadSummary, lang: Lang) -> String {
    let messages = summary.unread_messages_total.unwrap_or(0);
    let chats = summary.unread_chats_total.unwrap_or(0);
    tr!(
        lang,
        "{messages} mensagens não lidas em {chats} conversas\n",
        "{messages} unread messages in {chats} chats\n"
    )
}
