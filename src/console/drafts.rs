//! The index's side of replies, run on the blocking pool by `app.rs`: reading, writing and
//! clearing a chat's draft (and, on quit, those not saved yet) (compare-and-set, as `written_by` this console), the chats with a
//! draft, and the templates this desk has used (the audit log's creations, and those the chat's
//! stored conversation shows sent).

use chrono::Utc;

use crate::api::wegly::messages::{templates_in_timeline, templates_used};
use crate::console::msg::{Command, Msg};
use crate::console::reply_drafts::merged;
use crate::store::Store;
use crate::store::drafts::DraftSaved;

/// Audit entries looked through for templates, newest first.
const AUDIT_ENTRIES_FOR_TEMPLATES: usize = 2_000;

/// Writes the drafts the console had not saved when it quit (`reply_drafts::unsaved`), in the
/// quit's path, the loop ended. A save of this console's still in flight may land first: ours
/// goes over it. A newer draft of another console is kept, ours under it (as the composer
/// does); a clear that meets another's draft leaves it there.
pub fn keep_unsaved(store: &Store, writes: Vec<Command>, console: &str, lang: crate::i18n::Lang) {
    for command in writes {
        let (key, ours) = match &command {
            Command::SaveDraft { key, draft, .. } => (key.clone(), Some(draft.clone())),
            Command::ClearDraft { key, .. } => (key.clone(), None),
            _ => continue,
        };
        let Some(Msg::DraftWritten { outcome, .. }) = run(store, command, console) else {
            continue;
        };
        let again = match outcome {
            Ok(DraftSaved::Saved { .. }) => None,
            Ok(DraftSaved::Newer(stored)) => {
                let theirs =
                    !stored.body.is_empty() && stored.written_by.as_deref() != Some(console);
                match ours {
                    Some(mut draft) => {
                        if theirs && stored.body != draft.body {
                            draft.body = merged(lang, &stored.body, &draft.body);
                        }
                        Some(Command::SaveDraft {
                            key: key.clone(),
                            draft,
                            based_on: stored.revision,
                        })
                    }
                    None if !theirs && !stored.body.is_empty() => Some(Command::ClearDraft {
                        key: key.clone(),
                        based_on: stored.revision,
                    }),
                    None => None,
                }
            }
            Err(error) => {
                tracing::warn!(%error, chat = %key.chat_id, "draft not kept on quit");
                None
            }
        };
        let Some(again) = again else { continue };
        match run(store, again, console) {
            Some(Msg::DraftWritten {
                outcome: Ok(DraftSaved::Saved { .. }),
                ..
            }) => {}
            other => {
                let why = match other {
                    Some(Msg::DraftWritten {
                        outcome: Err(error),
                        ..
                    }) => error,
                    _ => "another write came first".to_owned(),
                };
                tracing::warn!(error = %why, chat = %key.chat_id, "draft not kept on quit");
            }
        }
    }
}

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
