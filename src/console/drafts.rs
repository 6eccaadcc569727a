//! The index's side of replies, run on the blocking pool by `app.rs`: reading, writing and
//! clearing a chat's draft (compare-and-set, as `written_by` this console), the chats with a
//! draft, and the templates this desk has used (the audit log's creations, and those the chat's
//! stored conversation shows sent).

use chrono::Utc;

use crate::api::wegly::messages::{templates_in_timeline, templates_used};
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
        Command::ReadTemplates(key) => {
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
            let mut templates = templates_used(requests);
            let stored = store.timeline(&key).unwrap_or_else(|error| {
                tracing::warn!(%error, chat = %key.chat_id, "conversation not read for templates");
                None
            });
            if let Some(stored) = stored {
                let events = stored.rows.iter().map(|row| row.raw.as_str());
                for template in templates_in_timeline(events) {
                    if !templates.iter().any(|known| {
                        known.name == template.name && known.language == template.language
                    }) {
                        templates.push(template);
                    }
                }
            }
            Some(Msg::Templates(templates))
        }
        _ => None,
    }
}
