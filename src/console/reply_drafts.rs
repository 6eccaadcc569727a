//! Drafts in the index, the reducer's side: a chat's stored draft restored when this console
//! has none of its own, one save in flight per console (when it ends, the newest text goes if
//! it changed; a clear after a send takes its turn the same way), and a newer draft of another
//! console kept as stored, never overwritten.

use crate::console::composer::Composer;
use crate::console::composer::{Editor, Kept, Quote};
use crate::console::modal::Modal;
use crate::console::msg::Command;
use crate::console::state::{Level, State};
use crate::store::ChatKey;
use crate::store::drafts::{DraftSaved, DraftText, StoredDraft};
use crate::tr;

/// The next draft save, if none is in flight and a kept text differs from what the index holds
/// (the open composer's chat first).
pub fn next_save(state: &mut State) -> Vec<Command> {
    if state.replies.saving.is_some() {
        return Vec::new();
    }
    let open = match &state.modal {
        Some(Modal::Composer(composer)) => Some(composer.key.clone()),
        _ => None,
    };
    let dirty = |key: &ChatKey, kept: &Kept| {
        (kept.text != kept.saved && !state.replies.busy(key)).then(|| key.clone())
    };
    let key = open
        .as_ref()
        .and_then(|key| {
            state
                .replies
                .kept
                .get(key)
                .and_then(|kept| dirty(key, kept))
        })
        .or_else(|| {
            let mut waiting: Vec<ChatKey> = state
                .replies
                .kept
                .iter()
                .filter_map(|(key, kept)| dirty(key, kept))
                .collect();
            waiting.sort();
            waiting.into_iter().next()
        });
    let Some(key) = key else {
        return Vec::new();
    };
    let Some(kept) = state.replies.kept.get(&key) else {
        return Vec::new();
    };
    let command = write(&key, kept);
    state.replies.saving = Some(key);
    vec![command]
}

/// Every kept text the index does not hold yet (no send of its chat in flight), for the quit:
/// written then by the runtime, whatever save is in flight.
pub fn unsaved(state: &State) -> Vec<Command> {
    let mut keys: Vec<&ChatKey> = state
        .replies
        .kept
        .iter()
        .filter(|(key, kept)| kept.text != kept.saved && !state.replies.busy(key))
        .map(|(key, _)| key)
        .collect();
    keys.sort();
    keys.into_iter()
        .filter_map(|key| Some(write(key, state.replies.kept.get(key)?)))
        .collect()
}

/// The index write that makes `kept` the chat's draft.
fn write(key: &ChatKey, kept: &Kept) -> Command {
    // An emptied draft (its text was sent) is cleared over the revision it is based on: after
    // the save in flight, never beside it, so the sent text does not stay as a draft.
    if kept.text.is_empty() && kept.quote.is_none() {
        Command::ClearDraft {
            key: key.clone(),
            based_on: kept.revision,
        }
    } else {
        Command::SaveDraft {
            key: key.clone(),
            draft: DraftText {
                body: kept.text.clone(),
                reply_to: kept.quote.as_ref().map(|quote| quote.id.clone()),
            },
            based_on: kept.revision,
        }
    }
}

/// A newer draft of another console and ours under it, under a line naming ours.
pub fn merged(lang: crate::i18n::Lang, theirs: &str, ours: &str) -> String {
    format!(
        "{theirs}\n{}\n{ours}",
        tr!(lang, "— o seu texto —", "— your text —")
    )
}

/// A chat's stored draft: restored into its composer when this console has none of its own.
pub fn loaded(state: &mut State, key: &ChatKey, draft: Option<StoredDraft>) -> Vec<Command> {
    let Some(draft) = draft.filter(|draft| !draft.body.is_empty()) else {
        return Vec::new();
    };
    state.replies.drafts.insert(key.clone());
    let ours = state.replies.kept.get(key);
    if ours.is_some_and(|kept| kept.text != kept.saved) {
        return Vec::new();
    }
    let quote = stored_quote(state.lang, draft.reply_to.clone());
    state.replies.kept.insert(
        key.clone(),
        Kept {
            text: draft.body.clone(),
            quote: quote.clone(),
            revision: draft.revision,
            saved: draft.body.clone(),
        },
    );
    if let Some(composer) = composer_for(state, key) {
        composer.editor = Editor::with_text(&draft.body);
        if composer.quote.is_none() {
            composer.quote = quote;
        }
    }
    Vec::new()
}

/// A draft write's answer. `Newer`: another console wrote this chat's draft since; its text is
/// never overwritten: the composer holds it first and ours after it, under a line naming ours,
/// and the next save (over the newer revision) keeps both. A newer tombstone (a cleared draft)
/// holds nothing of anyone's: ours is saved over it as typed.
pub fn written(
    state: &mut State,
    key: &ChatKey,
    body: String,
    outcome: Result<DraftSaved, String>,
) -> Vec<Command> {
    let lang = state.lang;
    // Only this chat's answer ends its turn (a late answer of another never frees the slot).
    if state.replies.saving.as_ref() == Some(key) {
        state.replies.saving = None;
    }
    match outcome {
        Ok(DraftSaved::Saved { revision }) => {
            if body.is_empty() {
                state.replies.drafts.remove(key);
            } else {
                state.replies.drafts.insert(key.clone());
            }
            if let Some(kept) = state.replies.kept.get_mut(key) {
                kept.revision = revision;
                kept.saved = body;
            }
        }
        Ok(DraftSaved::Newer(stored)) if stored.body.is_empty() => {
            // A tombstone (a draft cleared after a send): nothing of another's to keep. Ours
            // goes over its revision.
            state.replies.drafts.remove(key);
            if let Some(kept) = state.replies.kept.get_mut(key) {
                kept.revision = stored.revision;
                kept.saved = String::new();
            }
        }
        Ok(DraftSaved::Newer(stored)) => {
            let ours = state
                .replies
                .kept
                .get(key)
                .map(|kept| kept.text.clone())
                .unwrap_or_default();
            let theirs = Kept {
                text: stored.body.clone(),
                quote: stored_quote(lang, stored.reply_to.clone()),
                revision: stored.revision,
                saved: stored.body.clone(),
            };
            state.replies.kept.insert(key.clone(), theirs);
            if stored.body.is_empty() {
                state.replies.drafts.remove(key);
            } else {
                state.replies.drafts.insert(key.clone());
            }
            // A clear after a send that meets a newer draft just leaves that draft there.
            if ours.trim().is_empty() || ours == stored.body {
                if let Some(composer) = composer_for(state, key) {
                    composer.editor = Editor::with_text(&stored.body);
                }
                return next_save(state);
            }
            let merged = merged(lang, &stored.body, &ours);
            if let Some(kept) = state.replies.kept.get_mut(key) {
                kept.text.clone_from(&merged);
            }
            let text = tr!(
                lang,
                "rascunho mais novo de outro console: ele vem primeiro e o seu texto abaixo dele; nada foi perdido",
                "newer draft from another console: it comes first, your text below it; nothing was lost"
            );
            if let Some(composer) = composer_for(state, key) {
                composer.editor = Editor::with_text(&merged);
                composer.notice = Some(text);
            } else {
                state.notify(Level::Error, text);
            }
        }
        Err(error) => {
            // The store's words are English and technical: the cause goes to the log file, the
            // screen says what it means in the person's language.
            tracing::warn!(%error, chat = %key.chat_id, "draft not written to the index");
            let text = tr!(
                lang,
                "não foi possível guardar o rascunho no índice; o texto continua aqui e vai de novo na próxima tecla (a causa está em balcao.log)",
                "cannot keep the draft in the index; the text stays here and goes again on the next key (the cause is in balcao.log)"
            );
            state.notify(Level::Error, text);
            // Tried again on the next keystroke, not in a loop.
            return Vec::new();
        }
    }
    next_save(state)
}

/// A stored draft's quote: the index keeps the message's id only, so it reads as a quoted
/// message (the id means nothing to a person).
fn stored_quote(lang: crate::i18n::Lang, id: Option<String>) -> Option<Quote> {
    id.map(|id| Quote {
        id,
        preview: lang.pick("mensagem citada", "quoted message").to_owned(),
    })
}

/// The composer of the open modal, if it is one.
pub(crate) fn composer(state: &mut State) -> Option<&mut Composer> {
    match &mut state.modal {
        Some(Modal::Composer(composer)) => Some(composer),
        _ => None,
    }
}

/// The open composer, when it is `key`'s.
pub(crate) fn composer_for<'a>(state: &'a mut State, key: &ChatKey) -> Option<&'a mut Composer> {
    composer(state).filter(|composer| &composer.key == key)
}
