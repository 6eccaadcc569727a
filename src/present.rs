//! Words for wire values, shared by the command line's output and the console's views: a
//! chat's status and priority, an address, a call, in pt-BR or English; and the audit log's
//! words: the one stored for a change that failed, the same whether the console or the command
//! line made it, and the stored actions and outcomes in the person's language.

use crate::api::wegly::wire::{Address, Call, ChatStatus, Priority};
use crate::api::{ApiError, ErrorKind};
use crate::i18n::Lang;

/// A chat status in words.
pub fn status_label(status: &ChatStatus, lang: Lang) -> String {
    match status {
        ChatStatus::Open => lang.pick("aberta", "open").to_owned(),
        ChatStatus::Resolved => lang.pick("resolvida", "resolved").to_owned(),
        ChatStatus::Closed => lang.pick("encerrada", "closed").to_owned(),
        ChatStatus::Snoozed => lang.pick("adiada", "snoozed").to_owned(),
        ChatStatus::Other(text) => text.clone(),
    }
}

/// A priority in words.
pub fn priority_label(priority: Priority, lang: Lang) -> String {
    match priority.0 {
        0 => lang.pick("baixa", "low").to_owned(),
        1 => lang.pick("normal", "normal").to_owned(),
        2 => lang.pick("alta", "high").to_owned(),
        3 => lang.pick("urgente", "urgent").to_owned(),
        other => other.to_string(),
    }
}

/// Street, number, complement, district, city, state and CEP, the empty parts left out.
pub fn address_line(address: &Address) -> String {
    [
        &address.street,
        &address.number,
        &address.complement,
        &address.district,
        &address.city,
        &address.state,
        &address.postal_code,
    ]
    .iter()
    .filter_map(|part| part.as_deref())
    .filter(|part| !part.is_empty())
    .collect::<Vec<_>>()
    .join(", ")
}

/// The audit log's outcome for a change that ended in `error`: `refused` when the CRM said no,
/// `unknown` when the reply was lost and re-reading could not tell (the audit must not claim a
/// failure then), `failed` otherwise.
pub fn audit_outcome(error: &ApiError) -> &'static str {
    match error.kind() {
        ErrorKind::Refused
        | ErrorKind::NotFound
        | ErrorKind::Forbidden
        | ErrorKind::Unauthorized => "refused",
        ErrorKind::OutcomeUnknown => "unknown",
        _ => "failed",
    }
}

/// An audit entry's stored action (`reassign_responsible`, ...) in words: `reatribuiu o
/// responsável` / `reassigned the responsible`. A word this version does not know is shown as
/// stored, never hidden.
pub fn audit_action_label(stored: &str, lang: Lang) -> String {
    let (pt, en) = match stored {
        "reassign_responsible" => ("reatribuiu o responsável", "reassigned the responsible"),
        "reassign_leads_deals" => ("passou leads e negócios", "handed over leads and deals"),
        "remove_participant" => ("removeu um participante", "removed a participant"),
        "archive_room" => ("concluiu a sala", "concluded the room"),
        "unarchive_room" => ("reabriu a sala", "reopened the room"),
        "change_department" => ("mudou o departamento", "changed the department"),
        "edit_tags" => ("editou as tags", "edited the tags"),
        "update_room" => ("alterou a sala", "updated the room"),
        "create_chat" => ("abriu uma conversa", "opened a chat"),
        "forget_chat" => ("esqueceu a conversa", "forgot the chat"),
        "undo" => ("desfez uma alteração", "undid a change"),
        other => return other.to_owned(),
    };
    lang.pick(pt, en).to_owned()
}

/// An audit entry's stored outcome (`confirmed`, the words of [`audit_outcome`], ...) in words:
/// `feito` / `done`, `recusado` / `refused`, ... A word this version does not know is shown as
/// stored.
pub fn audit_outcome_label(stored: &str, lang: Lang) -> String {
    let (pt, en) = match stored {
        "confirmed" => ("feito", "done"),
        "created" => ("criada", "created"),
        "reused" => ("já existia", "already there"),
        "refused" => ("recusado", "refused"),
        "failed" => ("falhou", "failed"),
        "unknown" => ("incerto", "unknown"),
        "conflict" => ("conflito", "conflict"),
        "skipped" => ("pulado", "skipped"),
        "cancelled" => ("cancelado", "cancelled"),
        "undone" => ("desfeito", "undone"),
        other => return other.to_owned(),
    };
    lang.pick(pt, en).to_owned()
}

/// Whether a stored outcome is a change made (shown plainly) rather than one not made or not
/// known (shown as a problem).
pub fn audit_outcome_made(stored: &str) -> bool {
    matches!(stored, "confirmed" | "created" | "reused" | "undone")
}

/// `📞 INBOUND · COMPLETED · 6:42 · recorded`.
pub fn call_line(call: &Call, lang: Lang) -> String {
    let secs = call.duration_ms.unwrap_or(0) / 1000;
    let recording = if call.has_recording == Some(true) {
        lang.pick(" · gravada", " · recorded")
    } else {
        ""
    };
    format!(
        "📞 {} · {} · {}:{:02}{recording}",
        call.direction.as_deref().unwrap_or("—"),
        call.status.as_deref().unwrap_or("—"),
        secs / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error::ServerReply;

    #[test]
    fn a_failed_change_is_refused_unknown_or_failed_in_the_audit_log() {
        let reply = ServerReply {
            status: 404,
            ..ServerReply::default()
        };
        let network = ApiError::Network {
            url: "http://127.0.0.1:9/chats".to_owned(),
            detail: "connection refused".to_owned(),
        };
        for (error, word) in [
            (ApiError::Refused(reply.clone()), "refused"),
            (ApiError::NotFound(reply.clone()), "refused"),
            (ApiError::Forbidden(reply.clone()), "refused"),
            (ApiError::Unauthorized(reply.clone()), "refused"),
            (
                ApiError::OutcomeUnknown {
                    chat: None,
                    lost: Box::new(network.clone()),
                    reread: None,
                },
                "unknown",
            ),
            (ApiError::Server(reply), "failed"),
            (network, "failed"),
        ] {
            assert_eq!(audit_outcome(&error), word, "{error}");
        }
    }

    #[test]
    fn every_stored_audit_word_reads_in_both_languages_and_unknown_ones_pass_through() {
        assert_eq!(
            audit_action_label("reassign_responsible", Lang::PtBr),
            "reatribuiu o responsável"
        );
        assert_eq!(
            audit_action_label("reassign_responsible", Lang::En),
            "reassigned the responsible"
        );
        assert_eq!(audit_outcome_label("failed", Lang::PtBr), "falhou");
        assert_eq!(audit_outcome_label("unknown", Lang::En), "unknown");
        assert_eq!(
            audit_action_label("future_action", Lang::PtBr),
            "future_action"
        );
        assert_eq!(
            audit_outcome_label("future_outcome", Lang::En),
            "future_outcome"
        );
        assert!(audit_outcome_made("confirmed") && !audit_outcome_made("failed"));
    }

    #[test]
    fn describes_addresses_and_calls() {
        let address = Address {
            street: Some("Rua Augusta".to_owned()),
            number: Some("968".to_owned()),
            complement: Some(String::new()),
            city: Some("São Paulo".to_owned()),
            ..Address::default()
        };
        assert_eq!(address_line(&address), "Rua Augusta, 968, São Paulo");
        let call = Call {
            direction: Some("INBOUND".to_owned()),
            status: Some("COMPLETED".to_owned()),
            duration_ms: Some(402_000),
            has_recording: Some(true),
            ..Call::default()
        };
        assert_eq!(
            call_line(&call, Lang::PtBr),
            "📞 INBOUND · COMPLETED · 6:42 · gravada"
        );
    }
}
