//! The audit log's stored words (`reassign_responsible`, `confirmed`, ...) in the person's
//! language: one function per field, for the console's audit view and a batch's report. A word
//! this version does not know is shown as stored, never hidden.

use crate::i18n::Lang;

/// What was done, in words: `reatribuiu o responsável` / `reassigned the responsible`.
pub fn action(stored: &str, lang: Lang) -> String {
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

/// How it ended, in words: `feito` / `done`, `recusado` / `refused`, ...
pub fn outcome(stored: &str, lang: Lang) -> String {
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

/// Whether an outcome is a change made (shown plainly) rather than one not made or not known
/// (shown as a problem).
pub fn outcome_made(stored: &str) -> bool {
    matches!(stored, "confirmed" | "created" | "reused" | "undone")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stored_word_reads_in_both_languages_and_unknown_ones_pass_through() {
        assert_eq!(
            action("reassign_responsible", Lang::PtBr),
            "reatribuiu o responsável"
        );
        assert_eq!(
            action("reassign_responsible", Lang::En),
            "reassigned the responsible"
        );
        assert_eq!(outcome("failed", Lang::PtBr), "falhou");
        assert_eq!(outcome("unknown", Lang::En), "unknown");
        assert_eq!(action("future_action", Lang::PtBr), "future_action");
        assert_eq!(outcome("future_outcome", Lang::En), "future_outcome");
        assert!(outcome_made("confirmed") && !outcome_made("failed"));
    }
}
