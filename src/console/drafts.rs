//! The index's side of replies, run on the blocking pool by `app.rs`: reading, writing and
//! clearing a chat's draft (compare-and-set, as `written_by` this console), the chats with a
//! draft, and the templates this desk has used (from the audit log's creations).

use chrono::Utc;

use crate::api::wegly::messages::templates_used;
use crate::console::msg::{Command, Msg};
use crate::store::Store;

/// Audit entries looked through for templates, newest first.
const AUDIT_ENTRIES_FOR_TEMPLATES: usize = 2_000;

/// Carries out a draft or template command; the answer goes back as a message.
pub fn run(store: &Store, command: Command, console: &str) -> Option<Msg> {
    match command {
        Command::LoadDraft(key) => {
            let draft = store.load_draft(&key).unwrap_or_else(|error| {
                tracing::warn!(%error, chat = %key.chat_id, "draft not read");
                None
            });
            Some(Msg::DraftLoaded { key, draft })
        }
        Command::SaveDraft {
            key,
            draft,
            based_on,
        } => {
            let outcome = store
                .save_draft(&key, &draft, based_on, console, Utc::now())
                .map_err(|error| error.to_string());
            Some(Msg::DraftWritten {
                key,
                body: draft.body,
                outcome,
            })
        }
        Command::ClearDraft { key, based_on } => {
            let outcome = store
                .clear_draft(&key, based_on, console, Utc::now())
                .map_err(|error| error.to_string());
            Some(Msg::DraftWritten {
                key,
                body: String::new(),
                outcome,
            })
        }
        Command::ReadDraftKeys => match store.draft_keys() {
            Ok(keys) => Some(Msg::DraftKeys(keys)),
            Err(error) => {
                tracing::warn!(%error, "chats with drafts not read");
                None
            }
        },
        Command::ReadTemplates => {
            let entries = store
                .audit_log(AUDIT_ENTRIES_FOR_TEMPLATES)
                .unwrap_or_else(|error| {
                    tracing::warn!(%error, "audit log not read for templates");
                    Vec::new()
                });
            let requests = entries
                .iter()
                .filter(|entry| entry.action == "create_chat")
                .filter_map(|entry| entry.request.as_deref());
            Some(Msg::Templates(templates_used(requests)))
        }
        _ => None,
    }
}
