//! `undo` in the console: the last batch or single change this person made, planned with
//! `batch::plan_undo` from the audit entries the console kept of it (or, after a restart or for
//! another batch, read back from the audit log off the render path), shown as a preview (what
//! goes back, what is left and why), and run as a batch of its own.

use std::collections::HashMap;

use crate::batch::{self, Planned, short_id};
use crate::console::modal::{BatchModal, Modal, Preview, PreviewItem, PreviewLeft};
use crate::console::msg::{Command, RequestId};
use crate::console::preview::{change_words, load_of};
use crate::console::state::{Level, State};
use crate::store::{AuditEntry, ChatKey};
use crate::tr;

/// `undo`: the last change made here, or, when none is, the last one in the audit log.
pub fn start(state: &mut State) -> Vec<Command> {
    let last = state.batches.last.as_ref().map(|last| last.batch.clone());
    start_batch(state, last)
}

/// Batch `batch` (from the audit view), or, without one, this person's last change in the log.
/// The last change made here is planned from the entries the console kept: each is written to
/// the index in the background, so reading them back right after the change could miss some.
/// Any other is read from the index first.
pub fn start_batch(state: &mut State, batch: Option<String>) -> Vec<Command> {
    if state.batches.running.is_some() {
        let text = state.lang.pick(
            "um lote está em andamento; desfaça quando ele terminar",
            "a batch is running; undo once it ends",
        );
        state.notify(Level::Error, text.to_owned());
        return Vec::new();
    }
    if let Some(last) = &state.batches.last
        && batch.as_ref() == Some(&last.batch)
    {
        let (batch, entries) = (last.batch.clone(), last.entries.clone());
        // A read asked for before answers nothing any more.
        state.batches.undo_reading = None;
        return preview(state, &batch, &entries);
    }
    let id = state.mint();
    state.batches.undo_reading = Some(id);
    vec![Command::ReadUndo {
        id,
        batch,
        by: state.desk.viewer.who.clone(),
    }]
}

/// The index answered: the undo's preview opens, or the status bar says why not.
pub fn entries_read(
    state: &mut State,
    id: RequestId,
    outcome: Result<Option<(String, Vec<AuditEntry>)>, String>,
) -> Vec<Command> {
    let lang = state.lang;
    if state.batches.undo_reading != Some(id) {
        return Vec::new();
    }
    state.batches.undo_reading = None;
    match outcome {
        Ok(Some((batch, entries))) => preview(state, &batch, &entries),
        Ok(None) => {
            let text = lang.pick(
                "nada a desfazer: nenhuma mudança sua no registro",
                "nothing to undo: no change of yours in the log",
            );
            state.notify(Level::Error, text.to_owned());
            Vec::new()
        }
        Err(error) => {
            let text = tr!(
                lang,
                "não foi possível ler o registro: {error}",
                "cannot read the audit log: {error}"
            );
            state.notify(Level::Error, text);
            Vec::new()
        }
    }
}

/// Batch `batch_id`'s undo, planned from its `entries`, shown as a preview (or the status bar
/// says there is nothing to undo).
fn preview(state: &mut State, batch_id: &str, entries: &[AuditEntry]) -> Vec<Command> {
    let lang = state.lang;
    let contact = |key: &ChatKey| state.inbox.row(key).map(|row| row.contact().to_owned());
    let plan = batch::plan_undo(batch_id, entries, contact);
    if plan.items.is_empty() && plan.left.is_empty() {
        let text = lang.pick("nada a desfazer", "nothing to undo");
        state.notify(Level::Error, text.to_owned());
        return Vec::new();
    }
    // What each chat had before the change being undone: where it goes back to, by name.
    let before: HashMap<&ChatKey, String> = entries
        .iter()
        .filter_map(|entry| Some((&entry.key, entry.before.clone()?)))
        .collect();
    let back_to = |planned: &Planned| match &planned.change {
        crate::api::Change::Reassign { to, .. } => before
            .get(&planned.key)
            .cloned()
            .unwrap_or_else(|| to.clone()),
        _ => String::new(),
    };
    let items = plan
        .items
        .iter()
        .map(|planned| PreviewItem {
            contact: planned.contact.clone(),
            change: change_words(lang, planned, &back_to(planned)),
            warnings: Vec::new(),
        })
        .collect();
    let left = plan
        .left
        .iter()
        .map(|(entry, why)| PreviewLeft {
            contact: contact(&entry.key).unwrap_or_else(|| entry.key.chat_id.clone()),
            reason: why.words(lang),
        })
        .collect();
    let (short, n) = (short_id(batch_id), plan.items.len());
    let preview = Preview {
        title: tr!(
            lang,
            " Desfazer {short} · {n} conversa(s) voltam ",
            " Undo {short} · {n} chat(s) go back "
        ),
        items,
        left,
        loads: load_of(state, &plan.items, back_to),
        planned: plan.items,
        verb: lang.pick("desfazer", "undo").to_owned(),
        back: None,
        scroll: 0,
    };
    state.modal = Some(Modal::Batch(BatchModal::Preview(preview)));
    Vec::new()
}
